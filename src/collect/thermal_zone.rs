//! node_exporter's `thermal_zone` collector: every thermal zone's
//! temperature and every cooling device's state, from `/sys/class/thermal`
//! (kernel `Documentation/ABI/testing/sysfs-class-thermal`; `temp` in
//! millidegrees Celsius).
//!
//! `node_thermal_zone_temp{type,zone}` has the zone's `type` and its number
//! (`thermal_zone3` -> `3`); `node_cooling_device_{cur,max}_state{name,type}`
//! the device's number and `type`. A zone whose `temp` is unavailable
//! (`EAGAIN`, `ENODATA`, missing) or reads Tegra's offline sentinel `-256000`
//! is left out, where node_exporter would report -256 °C.

use crate::collect::thermal::{MILLIDEGREES_PER_DEGREE, THERMAL_DIR, zone_temp};
use crate::expo::{LabelValue, Labels, Sample};
use crate::metrics::node;
use crate::parse::sysfs;
use crate::root::{CollectError, DirPath, Root, join};

/// Emits the zone temperatures and cooling device states.
///
/// Errors: `sys/class/thermal` exists but cannot be listed, or a `type`,
/// `temp` or state file is malformed or unreadable (that entry is left out;
/// the rest is still emitted).
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let mut result = Ok(());
    for entry in root.read_dir_optional(THERMAL_DIR)? {
        let mut dir = DirPath::of(&[THERMAL_DIR, &entry]);
        if let Some(zone) = entry.strip_prefix("thermal_zone") {
            match typed_zone_temp(root, &mut dir) {
                Ok(Some((kind, milli))) => out.push(Sample::new(
                    &node::THERMAL_ZONE_TEMP,
                    [("type", kind), ("zone", LabelValue::new(zone))],
                    milli as f64 / MILLIDEGREES_PER_DEGREE,
                )),
                Ok(None) => {}
                Err(e) => result = Err(e),
            }
        } else if let Some(name) = entry.strip_prefix("cooling_device") {
            if let Err(e) = cooling_device(root, dir.dir(), name, out) {
                result = Err(e);
            }
        }
    }
    result
}

/// A zone's type and temperature in millidegrees, `None` when it has no
/// reading.
fn typed_zone_temp(
    root: &Root,
    dir: &mut DirPath,
) -> Result<Option<(LabelValue, i64)>, CollectError> {
    let Some(kind) = root.read_parsed_optional(dir.file("type"), |t| {
        sysfs::string_value("thermal zone type", t).map(LabelValue::new)
    })?
    else {
        return Ok(None);
    };
    Ok(zone_temp(root, dir)?.map(|t| (kind, t)))
}

fn cooling_device(
    root: &Root,
    dir: &str,
    name: &str,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let Some(kind) = root.read_parsed_optional(&format!("{dir}/type"), |t| {
        sysfs::string_value("cooling device type", t).map(str::to_string)
    })?
    else {
        return Ok(());
    };
    let labels: Labels = [("name", LabelValue::new(name)), ("type", kind.into())].into();
    let labels = || labels.clone();
    let states = [
        ("cur_state", &node::COOLING_DEVICE_CUR_STATE),
        ("max_state", &node::COOLING_DEVICE_MAX_STATE),
    ];
    for (file, metric) in states {
        let v = root.read_parsed_optional(&join(dir, file), |t| {
            sysfs::i64_value("cooling device state", t)
        })?;
        if let Some(v) = v {
            out.push(Sample::new(metric, labels(), v as f64));
        }
    }
    Ok(())
}
