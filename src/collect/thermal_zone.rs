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

use crate::collect::thermal::{MILLIDEGREES_PER_DEGREE, Thermal, Zone};
use crate::expo::{LabelValue, Labels, Sample};
use crate::metrics::node;
use crate::parse::sysfs;
use crate::root::{CollectError, Root, join};

/// Emits the zone temperatures and cooling device states of `thermal`
/// (listed by the caller with [`Thermal::list`], whose error is this
/// collector's too).
///
/// Errors: a `type`, `temp` or state file is malformed or unreadable (that
/// entry is left out; the rest is still emitted).
pub fn collect(root: &Root, thermal: &Thermal, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let mut result = Ok(());
    // In listing order (`cooling_device*` sorts before `thermal_zone*`);
    // the error reported is the last one met.
    for c in &thermal.cooling_devices {
        if let Err(e) = cooling_device(root, &c.dir, &c.number, out) {
            result = Err(e);
        }
    }
    for zone in &thermal.zones {
        if let Err(e) = zone_sample(root, zone, out) {
            result = Err(e);
        }
    }
    result
}

/// Emits the zone's temperature, if it has a type and a reading.
fn zone_sample(root: &Root, zone: &Zone, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let Some(kind) = zone.kind(root)? else {
        return Ok(());
    };
    if let Some(milli) = zone.temp(root)? {
        out.push(Sample::new(
            &node::THERMAL_ZONE_TEMP,
            [
                ("type", kind.clone()),
                ("zone", LabelValue::new(&zone.number)),
            ],
            milli as f64 / MILLIDEGREES_PER_DEGREE,
        ));
    }
    Ok(())
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
