//! `cpu_temperature_celsius`: the hottest CPU/SoC thermal zone.
//!
//! Source: `/sys/class/thermal/thermal_zoneN/{type,temp}` (kernel
//! `Documentation/ABI/testing/sysfs-class-thermal`; `temp` in millidegrees
//! Celsius). Zones are chosen by `type`, never by number, since numbering
//! changes between boots and boards. A zone whose `temp` is unavailable
//! (`EAGAIN`, `ENODATA`, missing) or reads Tegra's offline sentinel
//! `-256000` is left out, never reported as a temperature.

use std::cell::{OnceCell, RefCell};

use crate::collect::Pattern;
use crate::expo::{LabelValue, Sample};
use crate::metrics;
use crate::parse::sysfs;
use crate::root::{CollectError, DirPath, Root, join};

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

/// `/sys/class/thermal` as one scrape reads it, shared by the collectors
/// that read thermal zones (`thermal`, `thermal_zone`, `jetson`): listed
/// once, and each zone's `type` and `temp` read once, when a collector
/// first asks for it, so that a sensor (an ACPI zone's `temp` runs an
/// ACPI method) is not read two or three times a scrape.
#[derive(Debug)]
pub struct Thermal {
    /// The `thermal_zoneN` entries, in listing order (by name).
    pub zones: Vec<Zone>,
    /// The `cooling_deviceN` entries, in listing order (by name).
    pub cooling_devices: Vec<CoolingDevice>,
}

/// A `cooling_deviceN` entry.
#[derive(Debug)]
pub struct CoolingDevice {
    /// `sys/class/thermal/cooling_deviceN`.
    pub dir: String,
    /// `N`.
    pub number: String,
}

/// A thermal zone, whose files are read at most once a scrape.
#[derive(Debug)]
pub struct Zone {
    /// `N` of `thermal_zoneN`.
    pub number: String,
    dir: RefCell<DirPath>,
    kind: OnceCell<Result<Option<LabelValue>, CollectError>>,
    temp: OnceCell<Result<Option<i64>, CollectError>>,
}

impl Thermal {
    /// Lists `sys/class/thermal` (no directory: no entries); nothing in it
    /// is read yet.
    ///
    /// Errors: the directory exists but cannot be listed.
    pub fn list(root: &Root) -> Result<Thermal, CollectError> {
        let mut thermal = Thermal {
            zones: Vec::new(),
            cooling_devices: Vec::new(),
        };
        for entry in root.read_dir_optional(THERMAL_DIR)? {
            if let Some(n) = entry.strip_prefix("thermal_zone") {
                thermal.zones.push(Zone {
                    number: n.to_string(),
                    dir: RefCell::new(DirPath::of(&[THERMAL_DIR, &entry])),
                    kind: OnceCell::new(),
                    temp: OnceCell::new(),
                });
            } else if let Some(n) = entry.strip_prefix("cooling_device") {
                thermal.cooling_devices.push(CoolingDevice {
                    number: n.to_string(),
                    dir: join(THERMAL_DIR, &entry),
                });
            }
        }
        Ok(thermal)
    }
}

impl Zone {
    /// The zone's `type` (`acpitz`, `cpu-thermal`), `None` when it is not
    /// there.
    ///
    /// Errors: the file is unreadable or malformed (the same error to every
    /// collector that asks).
    pub fn kind(&self, root: &Root) -> Result<Option<&LabelValue>, CollectError> {
        let kind = self.kind.get_or_init(|| {
            root.read_parsed_optional(self.dir.borrow_mut().file("type"), |t| {
                sysfs::string_value("thermal zone type", t).map(LabelValue::new)
            })
        });
        kind.as_ref()
            .map(Option::as_ref)
            .map_err(CollectError::again)
    }

    /// The zone's temperature as [`zone_temp`] reads it.
    ///
    /// Errors: as [`zone_temp`] (the same error to every collector that
    /// asks).
    pub fn temp(&self, root: &Root) -> Result<Option<i64>, CollectError> {
        let temp = self
            .temp
            .get_or_init(|| zone_temp(root, &mut self.dir.borrow_mut()));
        temp.as_ref().copied().map_err(CollectError::again)
    }
}

/// Emits `cpu_temperature_celsius`: the maximum over zones whose `type`
/// matches `zone_type`.
///
/// Errors: a `type` or `temp` file is malformed or unreadable, or no
/// matching zone has a reading (`NoData`); a failed listing is the
/// caller's, from [`Thermal::list`].
pub fn collect(
    root: &Root,
    thermal: &Thermal,
    zone_type: &Pattern,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let mut hottest: Option<i64> = None;
    let mut matched = 0;
    for zone in &thermal.zones {
        if !zone
            .kind(root)?
            .is_some_and(|k| zone_type.is_match(k.as_str()))
        {
            continue;
        }
        matched += 1;
        if let Some(t) = zone.temp(root)? {
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
