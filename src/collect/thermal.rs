//! `cpu_temperature_celsius`: the hottest CPU/SoC thermal zone.
//!
//! Source: `/sys/class/thermal/thermal_zoneN/{type,temp}` (kernel
//! `Documentation/ABI/testing/sysfs-class-thermal`; `temp` in millidegrees
//! Celsius). Zones are chosen by `type`, never by number, since numbering
//! changes between boots and boards. A zone whose `temp` is unavailable
//! (`EAGAIN`, `ENODATA`, missing) or reads Tegra's offline sentinel
//! `-256000` is left out, never reported as a temperature.

use crate::collect::Pattern;
use crate::expo::Sample;
use crate::metrics;
use crate::parse::sysfs;
use crate::root::{CollectError, DirPath, Root};

/// Relative path of the thermal class directory.
pub const THERMAL_DIR: &str = "sys/class/thermal";

/// Zone temperatures are in millidegrees Celsius (sysfs-class-thermal).
pub const MILLIDEGREES_PER_DEGREE: f64 = 1000.0;

/// What a Tegra (Jetson) zone reads while its sensor is powered off.
const TEGRA_OFFLINE_MILLIDEGREES: i64 = -256_000;

/// The `temp` of the zone in directory `dir` (millidegrees Celsius), or
/// `None` when it has no reading: unavailable (`EAGAIN`, `ENODATA`,
/// missing) or Tegra's offline sentinel.
///
/// Errors: the file is unreadable for another reason, or malformed.
pub fn zone_temp(root: &Root, dir: &mut DirPath) -> Result<Option<i64>, CollectError> {
    let temp = root.read_parsed_optional(dir.file("temp"), |t| {
        sysfs::i64_value("thermal zone temp", t)
    })?;
    Ok(temp.filter(|&t| t != TEGRA_OFFLINE_MILLIDEGREES))
}

/// Emits `cpu_temperature_celsius`: the maximum over zones whose `type`
/// matches `zone_type`.
///
/// Errors: `sys/class/thermal` exists but cannot be listed, a `type` or `temp` file is
/// malformed, or no matching zone has a reading (`NoData`).
pub fn collect(
    root: &Root,
    zone_type: &Pattern,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let zones = root.read_dir_optional(THERMAL_DIR)?;
    let mut hottest: Option<i64> = None;
    let mut matched = 0;
    for zone in zones.iter().filter(|z| z.starts_with("thermal_zone")) {
        let mut dir = DirPath::of(&[THERMAL_DIR, zone]);
        let wanted = root.read_parsed_optional(dir.file("type"), |t| {
            sysfs::string_value("thermal zone type", t).map(|k| zone_type.is_match(k))
        })?;
        if wanted != Some(true) {
            continue;
        }
        matched += 1;
        if let Some(t) = zone_temp(root, &mut dir)? {
            hottest = Some(hottest.map_or(t, |h| h.max(t)));
        }
    }
    let Some(milli) = hottest else {
        return Err(CollectError::NoData(format!(
            "{} has {matched} zone(s) whose type matches {:?} and none has a reading",
            root.path(THERMAL_DIR).display(),
            zone_type.as_str()
        )));
    };
    out.push(Sample::new(
        &metrics::CPU_TEMPERATURE_CELSIUS,
        vec![],
        milli as f64 / MILLIDEGREES_PER_DEGREE,
    ));
    Ok(())
}
