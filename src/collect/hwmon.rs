//! node_exporter's `hwmon` collector: every sensor of every chip in
//! `/sys/class/hwmon` (kernel `Documentation/hwmon/sysfs-interface.rst`),
//! named as node_exporter 1.x names it, so its dashboards keep working.
//!
//! - **Chip** (`chip` label): from the chip's `device` link, the last two
//!   components of its resolved path, lower-cased, with every character
//!   outside `[a-z0-9:_]` turned into `_` (an NVMe controller
//!   `.../nvme/nvme0` is `nvme_nvme0`, a PCI function
//!   `.../0000:00:00.0/0000:01:00.0` is `0000:00:00_0_0000:01:00_0`); without
//!   a `device`, the cleaned `name` file; without that, `hwmonN`. Chips are
//!   never identified by their `hwmonN` number where anything better exists,
//!   since that number changes between boots.
//! - **Sensor** (`sensor` label): the attribute's `<type><number>`, from file
//!   names `<type><number>_<element>` (`temp1_input`, `in0_min`,
//!   `pwm1_enable`) in the chip directory and, for older drivers, in its
//!   `device` directory. Types other than node_exporter's list (`vrm`,
//!   `beep_enable`, `update_interval`, `in`, `cpu`, `fan`, `pwm`, `temp`,
//!   `curr`, `power`, `energy`, `humidity`, `intrusion`) are ignored.
//! - **Values** in base units: millidegrees, millivolts and milliamperes /
//!   1000, microwatts and microjoules / 1e6, fan speeds as RPM; `alarm`,
//!   `fault`, `pwm` and other unitless elements as read.
//!   `node_hwmon_chip_names` gives each chip's `name`,
//!   `node_hwmon_sensor_label` each sensor's `_label` (the nvme `Composite`,
//!   an INA3221 rail name).
//!
//! Chip names, sensor labels and the list of attributes are read when the
//! set of `/sys/class/hwmon` entries changes and kept in a [`Cache`]; every
//! scrape reads only the values. Attributes that cannot be read are skipped
//! without failing the collector, as node_exporter does: hwmon directories hold write-only
//! attributes (`tempN_reset_history`) whose reads fail by design, and
//! drivers answer `EAGAIN`/`ENODATA` for sensors without a reading (an
//! INA3221 channel that is not connected).

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::collect::ScanCache;
use crate::expo::{LabelValue, Sample};
use crate::metrics::{Metric, node};
use crate::parse::sysfs;
use crate::root::{CollectError, Root, join, lock};

/// Relative path of the hwmon class directory.
pub const HWMON_DIR: &str = "sys/class/hwmon";

/// Sensor types node_exporter reports (hwmon_linux.go `hwmonSensorTypes`).
const SENSOR_TYPES: [&str; 13] = [
    "vrm",
    "beep_enable",
    "update_interval",
    "in",
    "cpu",
    "fan",
    "pwm",
    "temp",
    "curr",
    "power",
    "energy",
    "humidity",
    "intrusion",
];

/// Millidegrees Celsius, millivolts, milliamperes and milliseconds per unit
/// (sysfs-interface.rst).
const MILLI: f64 = 1000.0;
/// Microwatts, microjoules per unit, and the `humidity` scale (sysfs-interface.rst).
const MICRO: f64 = 1_000_000.0;

/// `name` lower-cased, every character outside `[a-z0-9:_]` replaced by
/// `_`, leading and trailing `_` removed (node_exporter `cleanMetricName`).
pub fn clean_name(name: &str) -> String {
    let lower: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == ':' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    lower.trim_matches('_').to_string()
}

/// Whether [`clean_name`] would return `name` unchanged: only `a-z`,
/// `0-9`, `:` and `_`, and no `_` at either end (`input`, `crit_alarm`).
fn is_clean(name: &str) -> bool {
    !name.starts_with('_')
        && !name.ends_with('_')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b':' || b == b'_')
}

/// Splits an attribute file name into `(type, number, element)`:
/// `temp1_input` -> `("temp", 1, "input")`, `pwm1` -> `("pwm", 1, "")`,
/// `beep_enable` -> `("beep_enable", 0, "")`. Follows node_exporter's
/// pattern `^([^0-9]+)([0-9]*)(_(.+))?$`, including its fallback of a
/// shorter type when the longest one does not fit. `None` for names that
/// do not fit at all.
pub fn split_attribute(file: &str) -> Option<(&str, u64, &str)> {
    let type_end = file
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(file.len());
    if type_end > 0 {
        let rest = &file[type_end..];
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (digits, tail) = rest.split_at(digits_end);
        // The element is the regex's `.+`: no line feed (Go's `.`).
        let element = match tail.strip_prefix('_') {
            Some(e) if !e.is_empty() && !e.contains('\n') => Some(e),
            None if tail.is_empty() => Some(""),
            _ => None,
        };
        if let Some(element) = element {
            let number = if digits.is_empty() {
                0
            } else {
                digits.parse().ok()?
            };
            return Some((&file[..type_end], number, element));
        }
    }
    // The regex backtracks to a shorter type ending before an underscore.
    let head = &file[..type_end];
    for (at, _) in head.rmatch_indices('_') {
        if at > 0 && at + 1 < file.len() && !file[at + 1..].contains('\n') {
            return Some((&file[..at], 0, &file[at + 1..]));
        }
    }
    None
}

/// The chip label of hwmon directory `dir` (see the module docs).
/// `chip_name` is the chip's cleaned `name` file, if it has one.
fn chip_label(root: &Root, dir: &str, entry: &str, chip_name: Option<&str>) -> String {
    if let Some(device) = root.real_path(&format!("{dir}/device")) {
        let name = device
            .file_name()
            .map(|n| clean_name(&n.to_string_lossy()))
            .unwrap_or_default();
        let parent = device
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| clean_name(&n.to_string_lossy()))
            .unwrap_or_default();
        if !parent.is_empty() && !name.is_empty() {
            return format!("{parent}_{name}");
        }
        if !name.is_empty() {
            return name;
        }
    }
    if let Some(name) = chip_name {
        return name.to_string();
    }
    let real = root
        .real_path(dir)
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| entry.to_string());
    clean_name(&real)
}

/// What does not change while a chip exists: its names, its sensor labels
/// and which value attributes it has. The names are label values, made
/// once per scan and shared by every scrape's samples.
#[derive(Debug, Clone)]
pub struct Chip {
    /// The `chip` label.
    chip: LabelValue,
    /// The cleaned `name` file, for `node_hwmon_chip_names`.
    chip_name: Option<LabelValue>,
    /// `(sensor, label)` from the `_label` files.
    labels: Vec<(LabelValue, LabelValue)>,
    /// `(sensor, element, relative path)` of every value attribute.
    values: Vec<(LabelValue, String, String)>,
}

/// The chips found by the last scan, kept across scrapes: names, labels
/// and the attribute list are read again only when the set of
/// `/sys/class/hwmon` entries changes.
pub type Cache = ScanCache<Chip>;

/// Adds the sensor attributes of directory `dir` to `chip`: labels are
/// read now, values are listed for every scrape.
fn scan_attributes(root: &Root, dir: &str, chip: &mut Chip) -> Result<(), CollectError> {
    for file in root.read_dir(dir)? {
        let Some((kind, number, element)) = split_attribute(&file) else {
            continue;
        };
        if !SENSOR_TYPES.contains(&kind) {
            continue;
        }
        let sensor = format!("{kind}{number}");
        // One shared value per sensor, however many attributes it has.
        let known = chip
            .values
            .iter()
            .map(|(s, _, _)| s)
            .chain(chip.labels.iter().map(|(s, _)| s))
            .find(|s| **s == sensor)
            .cloned();
        let sensor = known.unwrap_or_else(|| sensor.into());
        let path = join(dir, &file);
        if element == "label" {
            match root.read_optional(&path) {
                Ok(Some(text)) => chip
                    .labels
                    .push((sensor, LabelValue::new(text.trim_matches('\n')))),
                Ok(None) => {}
                Err(e) => log::debug!("hwmon: skipping {e}"),
            }
        } else {
            chip.values.push((sensor, element.to_string(), path));
        }
    }
    Ok(())
}

/// Reads what does not change about the chip in `dir`.
fn scan_chip(root: &Root, dir: &str, entry: &str) -> Result<Chip, CollectError> {
    let chip_name = match root.read_optional(&format!("{dir}/name")) {
        Ok(Some(name)) => Some(clean_name(name.trim_matches('\n'))).filter(|n| !n.is_empty()),
        _ => None,
    };
    let mut chip = Chip {
        chip: chip_label(root, dir, entry, chip_name.as_deref()).into(),
        chip_name: chip_name.map(LabelValue::from),
        labels: Vec::new(),
        values: Vec::new(),
    };
    scan_attributes(root, dir, &mut chip)?;
    let device = format!("{dir}/device");
    if root.is_dir(&device) {
        scan_attributes(root, &device, &mut chip)?;
    }
    Ok(chip)
}

/// The family, name and value for one element of a sensor of type `kind`,
/// or `None` for one that is not a number.
fn element_sample(
    kind: &str,
    element: &str,
    value: &str,
    has_bare: bool,
) -> Option<(&'static Metric, String, f64)> {
    let v = sysfs::f64_value("hwmon attribute", value).ok()?;
    // Built in one allocation (no `format!`), with room for the usual
    // suffixes: a scrape names every sensor value this way.
    let mut name = String::with_capacity(64);
    name.push_str("node_hwmon_");
    name.push_str(kind);
    if element == "input" {
        // `input` is the value itself, unless a bare `<type>N` file exists.
        if has_bare {
            name.push_str("_input");
        }
    } else if !element.is_empty() {
        name.push('_');
        if is_clean(element) {
            name.push_str(element);
        } else {
            name.push_str(&clean_name(element));
        }
    }
    let with = |mut name: String, suffix: &str| {
        name.push_str(suffix);
        name
    };
    let raw = |name: String, v: f64| Some((&node::HWMON_RAW, name, v));
    if element == "fault" || element == "alarm" {
        return raw(name, v);
    }
    if element == "beep" {
        return raw(with(name, "_enabled"), v);
    }
    let fan_speed = matches!(element, "input" | "min" | "max" | "target");
    match kind {
        "in" | "cpu" => Some((&node::HWMON_VOLTS, with(name, "_volts"), v / MILLI)),
        "temp" if element != "type" => {
            Some((&node::HWMON_TEMP_CELSIUS, with(name, "_celsius"), v / MILLI))
        }
        "curr" => Some((&node::HWMON_AMPS, with(name, "_amps"), v / MILLI)),
        "energy" => Some((
            &node::HWMON_JOULE_TOTAL,
            with(name, "_joule_total"),
            v / MICRO,
        )),
        "power" if element == "accuracy" => Some((&node::HWMON_POWER_ACCURACY, name, v / MICRO)),
        "power"
            if matches!(
                element,
                "average_interval" | "average_interval_min" | "average_interval_max"
            ) =>
        {
            Some((
                &node::HWMON_POWER_INTERVAL_SECONDS,
                with(name, "_seconds"),
                v / MILLI,
            ))
        }
        "power" => Some((&node::HWMON_WATT, with(name, "_watt"), v / MICRO)),
        "humidity" => Some((&node::HWMON_HUMIDITY, name, v / MICRO)),
        "fan" if fan_speed => Some((&node::HWMON_RPM, with(name, "_rpm"), v)),
        _ => raw(name, v),
    }
}

/// Emits the hwmon families for every chip, rescanning the chips first
/// when the set of `/sys/class/hwmon` entries differs from `cache`'s.
///
/// Errors: `sys/class/hwmon` exists but cannot be listed, or a chip
/// directory cannot be listed (that chip is left out until the next
/// rescan).
pub fn collect(
    root: &Root,
    cache: &Mutex<Cache>,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let entries = root.read_dir_optional(HWMON_DIR)?;
    let mut cache = lock(cache);
    let result = cache.refresh(entries, |entry| {
        let dir = format!("{HWMON_DIR}/{entry}");
        if !root.is_dir(&dir) {
            return Ok(None);
        }
        scan_chip(root, &dir, entry).map(Some)
    });
    for chip in cache.items() {
        emit_chip(root, chip, out);
    }
    result
}

/// One sensor's values read this scrape, by element (`""` for a bare
/// `<type>N` file), and its label.
struct Sensor<'a> {
    name: &'a LabelValue,
    label: Option<&'a LabelValue>,
    elements: BTreeMap<&'a str, String>,
}

/// Reads the chip's values and emits its families.
fn emit_chip(root: &Root, chip: &Chip, out: &mut Vec<Sample>) {
    fn sensor(name: &LabelValue) -> Sensor<'_> {
        Sensor {
            name,
            label: None,
            elements: BTreeMap::new(),
        }
    }
    /// A value file's text without its line feed.
    fn value(text: &str) -> &str {
        text.trim_matches('\n')
    }
    let mut data: BTreeMap<&str, Sensor> = BTreeMap::new();
    for (name, element, path) in &chip.values {
        match root.read_optional(path) {
            Ok(Some(text)) => {
                data.entry(name.as_str())
                    .or_insert_with(|| sensor(name))
                    .elements
                    .insert(element.as_str(), text);
            }
            Ok(None) => {}
            Err(e) => log::debug!("hwmon: skipping {e}"),
        }
    }
    for (name, label) in &chip.labels {
        data.entry(name.as_str())
            .or_insert_with(|| sensor(name))
            .label = Some(label);
    }
    if let Some(name) = &chip.chip_name {
        out.push(Sample::new(
            &node::HWMON_CHIP_NAMES,
            [("chip", chip.chip.clone()), ("chip_name", name.clone())],
            1.0,
        ));
    }
    for (sensor, s) in &data {
        let labels = || [("chip", chip.chip.clone()), ("sensor", s.name.clone())];
        if let Some(label) = s.label {
            out.push(Sample::new(
                &node::HWMON_SENSOR_LABEL,
                [
                    ("chip", chip.chip.clone()),
                    ("sensor", s.name.clone()),
                    ("label", label.clone()),
                ],
                1.0,
            ));
        }
        let Some((kind, _, _)) = split_attribute(sensor) else {
            continue;
        };
        let bare = s.elements.get("").map(|t| value(t));
        match kind {
            "beep_enable" => {
                let on = bare.is_some_and(|v| v == "1");
                out.push(Sample::named(
                    &node::HWMON_RAW,
                    "node_hwmon_beep_enabled".to_string(),
                    labels(),
                    f64::from(u8::from(on)),
                ));
                continue;
            }
            "vrm" | "update_interval" => {
                let Some(v) = bare.and_then(|v| sysfs::f64_value("hwmon attribute", v).ok()) else {
                    continue;
                };
                if kind == "vrm" {
                    out.push(Sample::new(
                        &node::HWMON_VOLTAGE_REGULATOR_VERSION,
                        labels(),
                        v,
                    ));
                } else {
                    out.push(Sample::new(
                        &node::HWMON_UPDATE_INTERVAL_SECONDS,
                        labels(),
                        v / MILLI,
                    ));
                }
                continue;
            }
            _ => {}
        }
        for (element, text) in &s.elements {
            if let Some((metric, name, v)) =
                element_sample(kind, element, value(text), bare.is_some())
            {
                out.push(Sample::named(metric, name, labels(), v));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_split_as_node_exporter_splits_them() {
        assert_eq!(split_attribute("temp1_input"), Some(("temp", 1, "input")));
        assert_eq!(
            split_attribute("temp1_crit_alarm"),
            Some(("temp", 1, "crit_alarm"))
        );
        assert_eq!(split_attribute("pwm1"), Some(("pwm", 1, "")));
        assert_eq!(split_attribute("in0_input"), Some(("in", 0, "input")));
        assert_eq!(split_attribute("beep_enable"), Some(("beep_enable", 0, "")));
        assert_eq!(split_attribute("name"), Some(("name", 0, "")));
        assert_eq!(split_attribute("temp"), Some(("temp", 0, "")));
        assert_eq!(split_attribute("d3cold_allowed"), None);
        assert_eq!(split_attribute("temp_x1y"), Some(("temp", 0, "x1y")));
        assert_eq!(split_attribute("1abc"), None);
        assert_eq!(split_attribute(""), None);
        assert_eq!(split_attribute("temp99999999999999999999999_input"), None);
    }

    #[test]
    fn names_are_cleaned_like_node_exporter() {
        assert_eq!(clean_name("0000:01:00.0"), "0000:01:00_0");
        assert_eq!(clean_name("mt7925_phy0\n"), "mt7925_phy0");
        assert_eq!(clean_name("Sensor 1"), "sensor_1");
        assert_eq!(clean_name("__x__"), "x");
        for name in ["input", "crit_alarm", "a:b", "x1"] {
            assert!(is_clean(name) && clean_name(name) == name, "{name}");
        }
        for name in ["Input", "_x", "x_", "a.b", "ä", "a b", ""] {
            assert!(!is_clean(name) || clean_name(name) == name, "{name}");
        }
    }

    #[test]
    fn elements_get_node_exporter_names_units_and_types() {
        let s = |k, e, v| element_sample(k, e, v, false).map(|(m, n, v)| (m.name, n, v));
        assert_eq!(
            s("temp", "input", "41700"),
            Some((
                "node_hwmon_temp<_element>_celsius",
                "node_hwmon_temp_celsius".into(),
                41.7
            ))
        );
        assert_eq!(
            s("temp", "crit", "84850").unwrap().1,
            "node_hwmon_temp_crit_celsius"
        );
        assert_eq!(s("temp", "alarm", "0").unwrap().1, "node_hwmon_temp_alarm");
        assert_eq!(s("temp", "type", "3").unwrap().1, "node_hwmon_temp_type");
        assert_eq!(s("in", "input", "5096").unwrap().2, 5.096);
        assert_eq!(
            s("curr", "input", "1320").unwrap().1,
            "node_hwmon_curr_amps"
        );
        assert_eq!(s("power", "input", "4520000").unwrap().2, 4.52);
        assert_eq!(
            s("fan", "input", "2950").unwrap(),
            (
                "node_hwmon_fan<_element>_rpm",
                "node_hwmon_fan_rpm".into(),
                2950.0
            )
        );
        assert_eq!(s("fan", "div", "2").unwrap().1, "node_hwmon_fan_div");
        assert_eq!(s("pwm", "", "128").unwrap().1, "node_hwmon_pwm");
        assert_eq!(s("pwm", "enable", "2").unwrap().1, "node_hwmon_pwm_enable");
        assert_eq!(
            s("energy", "input", "5000000").unwrap().1,
            "node_hwmon_energy_joule_total"
        );
        assert_eq!(s("temp", "input", "NC"), None, "not a number: skipped");
        let with_bare = element_sample("temp", "input", "1", true).unwrap().1;
        assert_eq!(with_bare, "node_hwmon_temp_input_celsius");
    }

    /// Found by `fuzz/fuzz_targets/hwmon_names.rs` checking against
    /// node_exporter's regex: its `(_(?P<property>.+))?$` cannot take a line
    /// feed (Go's `.`), so a name whose element holds one is not an
    /// attribute, where this took `rp1_adc\n` as sensor `rp1`, element
    /// `adc\n`.
    #[test]
    fn attribute_name_with_a_line_feed_in_its_element_is_not_split() {
        assert_eq!(split_attribute("rp1_adc\n"), None);
        assert_eq!(split_attribute("temp1_x\ny"), None);
        // The type's `[^0-9]+` does take one, as in Go.
        assert_eq!(
            split_attribute("te\nmp1_input"),
            Some(("te\nmp", 1, "input"))
        );
    }
}
