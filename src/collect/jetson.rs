//! NVIDIA Jetson (Orin with JetPack 5, 6 and 7; Xavier where the same files
//! exist): the contract GPU gauges from sysfs, and the `jetson_*` families.
//!
//! NVML on an Orin reports load, clocks and temperature as not supported, so
//! everything here comes from files, found by name and never by number
//! (hwmon and thermal-zone numbers change between boots and boards):
//!
//! - **GPU**: the devfreq device (`/sys/class/devfreq/<dev>`) whose
//!   `device/of_node/name` is `gpu` (JetPack 6+, `17000000.gpu`), `ga10b`
//!   (Orin on JetPack 5, `17000000.ga10b`), `gv11b` (Xavier), `gp10b` (TX2)
//!   or `gb10b`, as jetson-stats' `find_igpu` finds it. `device/load` is the
//!   busy share in per-mille (nvgpu), `cur_freq`, `min_freq`, `max_freq`
//!   are Hz (kernel `Documentation/ABI/testing/sysfs-class-devfreq`),
//!   `device/railgate_enable` is 0/1. The GPUs are labelled `gpu="0"`, ...
//!   in the order of their devfreq names, like `nvidia-smi`'s index on a
//!   Spark. The temperature is the thermal zone of type `gpu-thermal`
//!   (JetPack 6+) or `GPU-therm` (JetPack 5 and older), read as the
//!   `thermal` collector reads zones: `-256000` (sensor powered off while
//!   the GPU is rail-gated) and `EAGAIN`/`ENODATA` are absent. Where the
//!   `gpu` collector is active too (an `nvidia-smi` that lists the GPU, as
//!   on Jetson Thor), it reports the three contract gauges and this
//!   collector leaves them out, so that no series is written twice.
//! - **Power rails**: every hwmon chip named `ina3221`, channels 1 to 3
//!   (kernel `Documentation/hwmon/ina3221.rst`: `inN_label`, `inN_input`
//!   bus voltage in mV, `currN_input` in mA, `currN_max` warning and
//!   `currN_crit` critical limits in mA; `in4`..`in7` are shunt voltages,
//!   not rails). A channel without a label (disabled in the upstream device
//!   tree) or labelled `NC` (not connected, L4T device trees) is skipped; a
//!   reading the driver refuses (`ENODATA` for a disabled channel, `EAGAIN`)
//!   is absent. Power is derived: voltage times current.
//! - **Fan**: hwmon `pwmfan` (`pwm1`, 0-255, kernel
//!   `Documentation/hwmon/sysfs-interface.rst`) and the NVIDIA tachometer
//!   hwmon `pwm_tach` (`rpm`, driver `generic-pwm-tachometer`, L4T 5.10 and
//!   nv-oot kernels), or `fan1_input` of `pwmfan` where the driver has one.
//! - **Power mode** from nvpmodel's state file and configuration, and
//!   **identity** from the device tree and `/etc/nv_tegra_release` (see
//!   [`crate::parse::nvpmodel`], [`crate::parse::tegra_release`]).
//! - **EMC clock** only from `/sys/class/devfreq/bwmgr` (Jetson Thor). On
//!   Orin and Xavier the EMC clock is only in debugfs
//!   (`/sys/kernel/debug/bpmp/debug/clk/emc/rate`, root only), which this
//!   exporter does not read.
//!
//! The collector is active where `/etc/nv_tegra_release` exists or the
//! device tree's `compatible` names an `nvidia,tegra*` SoC. A rail or GPU
//! seen in an earlier scrape that is gone now (driver unbound, chip lost on
//! the I2C bus) is reported as an error on every scrape until it returns.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::sync::Mutex;

use crate::collect::Scrape;
use crate::collect::hwmon::HWMON_DIR;
use crate::collect::thermal::{MILLIDEGREES_PER_DEGREE, Thermal};
use crate::expo::{LabelValue, Sample};
use crate::metrics::{self, Metric, jetson as m};
use crate::parse::{device_tree, nvpmodel, sysfs, tegra_release};
use crate::root::{CollectError, Root, lock};

/// The L4T release file (package `nvidia-l4t-core`).
pub const NV_TEGRA_RELEASE: &str = "etc/nv_tegra_release";
/// The board's device-tree model (NUL-terminated string).
pub const DT_MODEL: &str = "proc/device-tree/model";
/// The board's device-tree `compatible` (NUL-separated list).
pub const DT_COMPATIBLE: &str = "proc/device-tree/compatible";
/// nvpmodel's record of the active power mode.
pub const NVPMODEL_STATUS: &str = "var/lib/nvpmodel/status";
/// nvpmodel's mode definitions.
pub const NVPMODEL_CONF: &str = "etc/nvpmodel.conf";
/// The devfreq class directory.
pub const DEVFREQ_DIR: &str = "sys/class/devfreq";
/// The memory bandwidth manager's devfreq device (Jetson Thor), whose
/// clock is the EMC clock (jetson-stats `memory.read_emc`).
pub const EMC_DEVFREQ: &str = "sys/class/devfreq/bwmgr";

/// A `compatible` entry starting so names a Tegra SoC (`nvidia,tegra234`
/// on Orin, `nvidia,tegra194` on Xavier, `nvidia,tegra264` on Thor).
const TEGRA_COMPATIBLE_PREFIX: &str = "nvidia,tegra";

/// Device-tree node names of the integrated GPU (jetson-stats
/// `jtop/core/gpu.py`, `find_igpu`).
const GPU_NODE_NAMES: [&str; 5] = ["gpu", "ga10b", "gv11b", "gp10b", "gb10b"];

/// Thermal zone types of the GPU sensor, lower-cased: `gpu-thermal` from
/// JetPack 6 on, `GPU-therm` before.
const GPU_ZONE_TYPES: [&str; 2] = ["gpu-thermal", "gpu-therm"];

/// The INA3221's measurement channels (ina3221.rst: `in[123]`, `curr[123]`).
const INA3221_CHANNELS: std::ops::RangeInclusive<u32> = 1..=3;

/// The label L4T device trees give a channel that is not connected.
const NOT_CONNECTED: &str = "NC";

/// nvgpu's `load` is per-mille of busy time; the contract gauge is percent.
const PER_MILLE_PER_PERCENT: f64 = 10.0;

/// devfreq frequencies are in Hz (sysfs-class-devfreq); the contract gauge
/// is MHz.
const HZ_PER_MHZ: f64 = 1_000_000.0;

/// hwmon voltages are in mV and currents in mA (sysfs-interface.rst).
const MILLI_PER_UNIT: f64 = 1000.0;

/// Full scale of a hwmon `pwmN` value (sysfs-interface.rst: 0 to 255).
const PWM_FULL_SCALE: f64 = 255.0;

/// The label of the first (on every Jetson, the only) integrated GPU.
const FIRST_GPU: &str = "0";

/// What the collector remembers across scrapes: the rails and GPUs it has
/// seen, so that one that disappears is reported rather than silently
/// dropped.
#[derive(Debug, Default)]
pub struct Seen {
    things: BTreeSet<String>,
}

/// Whether this is a Jetson: `/etc/nv_tegra_release` exists, or the device
/// tree's `compatible` names a Tegra SoC (a container without `/etc` from
/// the host still has `/proc/device-tree`). `Err` says why not.
pub fn detect(root: &Root) -> Result<(), String> {
    if root.is_file(NV_TEGRA_RELEASE) {
        return Ok(());
    }
    if let Ok(Some(text)) = root.read_optional(DT_COMPATIBLE) {
        if device_tree::strings(&text).any(|s| s.starts_with(TEGRA_COMPATIBLE_PREFIX)) {
            return Ok(());
        }
    }
    Err(format!(
        "no {} and no {TEGRA_COMPATIBLE_PREFIX}* in {}: not a Jetson",
        root.path(NV_TEGRA_RELEASE).display(),
        root.path(DT_COMPATIBLE).display()
    ))
}

/// Emits the contract GPU gauges for the integrated GPU and the `jetson_*`
/// families (see the module docs), remembering in `seen` what was there.
/// The GPU zone's temperature is read through `scrape`'s thermal zones,
/// which the thermal collectors share.
///
/// Errors (each value concerned is absent, everything else is still
/// emitted; several problems are reported together): a file with
/// unexpected content (the error names the path and the expected format),
/// an unreadable file or directory other than a sensor without a reading,
/// a labelled rail whose reading files vanished, two rails with the same
/// label, an nvpmodel mode missing from `/etc/nvpmodel.conf`, or a rail or
/// GPU seen earlier that is gone.
///
/// `contract_gpu` false leaves out the three contract gauges: the `gpu`
/// collector (`nvidia-smi`) is active on this Jetson and reports them for
/// the same `gpu="0"`, and one series must not be written twice.
pub fn collect(
    root: &Root,
    scrape: &Scrape,
    seen: &Mutex<Seen>,
    contract_gpu: bool,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let mut errors = Vec::new();
    let mut present = BTreeSet::new();
    identity(root, out, &mut errors);
    power_mode(root, out, &mut errors);
    gpus(root, scrape, contract_gpu, out, &mut present, &mut errors);
    emc(root, out, &mut errors);
    match hwmon_chips(root) {
        Ok(chips) => {
            rails(root, &chips, out, &mut present, &mut errors);
            fans(root, &chips, out, &mut errors);
        }
        Err(e) => errors.push(e),
    }
    let mut seen = lock(seen);
    for gone in seen.things.difference(&present) {
        errors.push(CollectError::Other(format!(
            "{gone} was there in an earlier scrape and is gone"
        )));
    }
    seen.things.extend(present);
    combine(errors)
}

/// One error as it is, several as one message.
fn combine(mut errors: Vec<CollectError>) -> Result<(), CollectError> {
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => Err(CollectError::Other(
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )),
    }
}

/// The value of `r`, or `None` after noting its error.
fn note<T>(r: Result<Option<T>, CollectError>, errors: &mut Vec<CollectError>) -> Option<T> {
    r.unwrap_or_else(|e| {
        errors.push(e);
        None
    })
}

/// An unsigned decimal attribute, `None` when it has no reading.
fn read_u64(root: &Root, rel: &str, what: &'static str) -> Result<Option<u64>, CollectError> {
    root.read_parsed_optional(rel, |t| sysfs::u64_value(what, t))
}

/// `jetson_info{model,l4t}`: emitted when either is known; the other is
/// then empty.
fn identity(root: &Root, out: &mut Vec<Sample>, errors: &mut Vec<CollectError>) {
    let model = root.read_parsed_optional(DT_MODEL, |t| {
        device_tree::string("device-tree model", t).map(str::to_string)
    });
    let release = root.read_parsed_optional(NV_TEGRA_RELEASE, tegra_release::parse);
    let model = note(model, errors);
    let l4t = note(release, errors).map(|r| r.l4t());
    if model.is_none() && l4t.is_none() {
        return;
    }
    out.push(Sample::new(
        &m::INFO,
        vec![
            ("model", model.unwrap_or_default().into()),
            ("l4t", l4t.unwrap_or_default().into()),
        ],
        1.0,
    ));
}

/// `jetson_nvpmodel_mode_info{id,name}`, when nvpmodel has recorded a mode.
fn power_mode(root: &Root, out: &mut Vec<Sample>, errors: &mut Vec<CollectError>) {
    let Some(id) = note(
        root.read_parsed_optional(NVPMODEL_STATUS, nvpmodel::parse_status),
        errors,
    ) else {
        return;
    };
    let conf = note(
        root.read_parsed_optional(NVPMODEL_CONF, nvpmodel::parse_conf),
        errors,
    );
    let name = match conf.as_ref().map(|c| c.name(id)) {
        Some(Some(name)) => name.to_string(),
        Some(None) => {
            errors.push(CollectError::Other(format!(
                "{} names mode {id}, which {} does not define (no `< POWER_MODEL ID={id} NAME=... >` line)",
                root.path(NVPMODEL_STATUS).display(),
                root.path(NVPMODEL_CONF).display()
            )));
            String::new()
        }
        None => String::new(),
    };
    out.push(Sample::new(
        &m::NVPMODEL_MODE_INFO,
        [("id", id.to_string().into()), ("name", name.into())],
        1.0,
    ));
}

/// The devfreq entries of the integrated GPU(s), sorted.
fn gpu_devices(root: &Root) -> Result<Vec<String>, CollectError> {
    let mut found = Vec::new();
    for entry in root.read_dir_optional(DEVFREQ_DIR)? {
        let rel = format!("{DEVFREQ_DIR}/{entry}/device/of_node/name");
        let name = root.read_parsed_optional(&rel, |t| {
            device_tree::string("device-tree node name", t).map(str::to_string)
        });
        match name {
            Ok(Some(name)) if GPU_NODE_NAMES.contains(&name.as_str()) => found.push(entry),
            Ok(_) => {}
            // Another device's node name is none of our business.
            Err(e) => log::debug!("jetson: skipping devfreq {entry}: {e}"),
        }
    }
    Ok(found)
}

/// The contract GPU gauges (when `contract_gpu`) and `jetson_gpu_*` for
/// each integrated GPU.
fn gpus(
    root: &Root,
    scrape: &Scrape,
    contract_gpu: bool,
    out: &mut Vec<Sample>,
    present: &mut BTreeSet<String>,
    errors: &mut Vec<CollectError>,
) {
    let devices = match gpu_devices(root) {
        Ok(d) => d,
        Err(e) => return errors.push(e),
    };
    for (index, entry) in devices.iter().enumerate() {
        present.insert(format!("GPU devfreq device {DEVFREQ_DIR}/{entry}"));
        let gpu = LabelValue::from(index.to_string());
        let dir = format!("{DEVFREQ_DIR}/{entry}");
        let mut gauge = |metric: &'static Metric, value: Option<f64>| {
            if let Some(v) = value {
                out.push(Sample::new(metric, [("gpu", gpu.clone())], v));
            }
        };
        let hz = |file: &str| read_u64(root, &format!("{dir}/{file}"), "devfreq frequency (Hz)");
        if contract_gpu {
            let load = read_u64(
                root,
                &format!("{dir}/device/load"),
                "nvgpu load (per-mille)",
            );
            let load = note(load, errors).map(|v| v as f64 / PER_MILLE_PER_PERCENT);
            gauge(&metrics::GPU_UTILIZATION_PERCENT, load);
            if gpu == FIRST_GPU {
                let temp = scrape.thermal(root).and_then(|t| gpu_zone_temp(root, t));
                let temp = note(temp, errors);
                let celsius = temp.map(|t| t as f64 / MILLIDEGREES_PER_DEGREE);
                gauge(&metrics::GPU_TEMPERATURE_CELSIUS, celsius);
            }
            let cur = note(hz("cur_freq"), errors);
            gauge(
                &metrics::GPU_FREQUENCY_MHZ,
                cur.map(|v| v as f64 / HZ_PER_MHZ),
            );
        }
        let min = note(hz("min_freq"), errors);
        gauge(&m::GPU_FREQUENCY_MIN_HERTZ, min.map(|v| v as f64));
        let max = note(hz("max_freq"), errors);
        gauge(&m::GPU_FREQUENCY_MAX_HERTZ, max.map(|v| v as f64));
        let railgate = read_u64(root, &format!("{dir}/device/railgate_enable"), "0 or 1");
        let railgate = note(railgate, errors);
        gauge(&m::GPU_RAILGATE_ENABLED, railgate.map(|v| v as f64));
    }
}

/// The GPU zone's temperature in millidegrees, `None` when it has no
/// reading or there is no GPU zone among `thermal`'s.
///
/// Errors: a zone's `type` or the GPU zone's `temp` is malformed or
/// unreadable.
pub fn gpu_zone_temp(root: &Root, thermal: &Thermal) -> Result<Option<i64>, CollectError> {
    for zone in &thermal.zones {
        let kind = zone.kind(root)?;
        if kind.is_some_and(|k| {
            GPU_ZONE_TYPES
                .iter()
                .any(|g| k.as_str().eq_ignore_ascii_case(g))
        }) {
            return zone.temp(root);
        }
    }
    Ok(None)
}

/// `jetson_emc_frequency_hertz` where the EMC has a devfreq device.
fn emc(root: &Root, out: &mut Vec<Sample>, errors: &mut Vec<CollectError>) {
    let cur = read_u64(
        root,
        &format!("{EMC_DEVFREQ}/cur_freq"),
        "devfreq frequency (Hz)",
    );
    if let Some(hz) = note(cur, errors) {
        out.push(Sample::new(&m::EMC_FREQUENCY_HERTZ, vec![], hz as f64));
    }
}

/// One hwmon chip: its directory (relative) and its `name`.
struct Chip {
    dir: String,
    name: String,
}

/// The hwmon chips with a readable `name`.
fn hwmon_chips(root: &Root) -> Result<Vec<Chip>, CollectError> {
    let mut chips = Vec::new();
    for entry in root.read_dir_optional(HWMON_DIR)? {
        let dir = format!("{HWMON_DIR}/{entry}");
        let name = root.read_parsed_optional(&format!("{dir}/name"), |t| {
            sysfs::string_value("hwmon name", t).map(str::to_string)
        });
        match name {
            Ok(Some(name)) => chips.push(Chip { dir, name }),
            Ok(None) => {}
            // The hwmon collector reports chips it cannot read.
            Err(e) => log::debug!("jetson: skipping {dir}: {e}"),
        }
    }
    Ok(chips)
}

/// A rail's reading in the driver's unit: `None` when the driver has none
/// (`ENODATA`, `EAGAIN`).
///
/// Errors: the file vanished while the channel's label is still there,
/// another read error, or content that is not a decimal number.
fn rail_reading(root: &Root, rel: &str, rail: &str) -> Result<Option<i64>, CollectError> {
    match root.read(rel) {
        Ok(text) => sysfs::i64_value("INA3221 reading", &text)
            .map(Some)
            .map_err(|e| root.parse_error(rel, e)),
        Err(CollectError::Read { path, source }) if source.kind() == io::ErrorKind::NotFound => {
            Err(CollectError::Other(format!(
                "power rail {rail}: {} vanished while the channel is still labelled",
                path.display()
            )))
        }
        Err(CollectError::Read { source, .. }) if crate::sys::is_unavailable(&source) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The `jetson_power_rail_*` families of every labelled INA3221 channel.
fn rails(
    root: &Root,
    chips: &[Chip],
    out: &mut Vec<Sample>,
    present: &mut BTreeSet<String>,
    errors: &mut Vec<CollectError>,
) {
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    for chip in chips.iter().filter(|c| c.name == "ina3221") {
        for n in INA3221_CHANNELS {
            let label_path = format!("{}/in{n}_label", chip.dir);
            let label = root.read_parsed_optional(&label_path, |t| {
                sysfs::string_value("INA3221 channel label", t).map(|l| l.trim().to_string())
            });
            let Some(rail) = note(label, errors) else {
                continue;
            };
            if rail == NOT_CONNECTED {
                continue;
            }
            if let Some(first) = labels.get(&rail) {
                errors.push(CollectError::Other(format!(
                    "power rail {rail}: labelled twice, {} and {}; the second is left out",
                    root.path(first).display(),
                    root.path(&label_path).display()
                )));
                continue;
            }
            labels.insert(rail.clone(), label_path);
            present.insert(format!("power rail {rail}"));
            rail_samples(root, &chip.dir, n, &rail, out, errors);
        }
    }
}

/// The samples of channel `n` of the INA3221 in `dir`, labelled `rail`.
fn rail_samples(
    root: &Root,
    dir: &str,
    n: u32,
    rail: &str,
    out: &mut Vec<Sample>,
    errors: &mut Vec<CollectError>,
) {
    let rail_label = LabelValue::new(rail);
    let labels = || [("rail", rail_label.clone())];
    let millivolts = note(
        rail_reading(root, &format!("{dir}/in{n}_input"), rail),
        errors,
    );
    let milliamps = note(
        rail_reading(root, &format!("{dir}/curr{n}_input"), rail),
        errors,
    );
    if let Some(mv) = millivolts {
        let volts = mv as f64 / MILLI_PER_UNIT;
        out.push(Sample::new(&m::POWER_RAIL_VOLTAGE_VOLTS, labels(), volts));
    }
    if let Some(ma) = milliamps {
        let amps = ma as f64 / MILLI_PER_UNIT;
        out.push(Sample::new(&m::POWER_RAIL_CURRENT_AMPERES, labels(), amps));
    }
    if let (Some(mv), Some(ma)) = (millivolts, milliamps) {
        let watts = (mv as f64 * ma as f64) / (MILLI_PER_UNIT * MILLI_PER_UNIT);
        out.push(Sample::new(&m::POWER_RAIL_POWER_WATTS, labels(), watts));
    }
    let limits = [
        ("max", &m::POWER_RAIL_CURRENT_MAX_AMPERES),
        ("crit", &m::POWER_RAIL_CURRENT_CRITICAL_AMPERES),
    ];
    for (element, metric) in limits {
        let rel = format!("{dir}/curr{n}_{element}");
        let limit = root.read_parsed_optional(&rel, |t| sysfs::i64_value("INA3221 limit (mA)", t));
        if let Some(ma) = note(limit, errors) {
            out.push(Sample::new(metric, labels(), ma as f64 / MILLI_PER_UNIT));
        }
    }
}

/// The chips named `name`, in the order of their resolved `device` path
/// (stable across boots, unlike `hwmonN`).
fn chips_named<'a>(root: &Root, chips: &'a [Chip], name: &str) -> Vec<&'a Chip> {
    let mut found: Vec<(String, &Chip)> = chips
        .iter()
        .filter(|c| c.name == name)
        .map(|c| {
            let key = root
                .real_path(&format!("{}/device", c.dir))
                .map_or_else(|| c.dir.clone(), |p| p.display().to_string());
            (key, c)
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.into_iter().map(|(_, c)| c).collect()
}

/// A fan speed in RPM, `None` when there is no reading. The JetPack 6
/// tachometer driver returns the capture error when no pulses arrive (a
/// stopped fan), so any read error is no reading.
///
/// Errors: content that is not a decimal number.
fn fan_rpm(root: &Root, rel: &str) -> Result<Option<u64>, CollectError> {
    match root.read(rel) {
        Ok(text) => sysfs::u64_value("fan speed (RPM)", &text)
            .map(Some)
            .map_err(|e| root.parse_error(rel, e)),
        Err(e) => {
            log::debug!("jetson: no fan speed: {e}");
            Ok(None)
        }
    }
}

/// `jetson_fan_pwm_ratio` and `jetson_fan_speed_rpm`: fan N is the N-th
/// `pwmfan` chip and the N-th `pwm_tach` chip.
fn fans(root: &Root, chips: &[Chip], out: &mut Vec<Sample>, errors: &mut Vec<CollectError>) {
    let pwmfans = chips_named(root, chips, "pwmfan");
    let tachs = chips_named(root, chips, "pwm_tach");
    for index in 0..pwmfans.len().max(tachs.len()) {
        let fan = LabelValue::from(index.to_string());
        let labels = || [("fan", fan.clone())];
        let pwmfan = pwmfans.get(index);
        if let Some(chip) = pwmfan {
            let pwm = read_u64(root, &format!("{}/pwm1", chip.dir), "PWM duty (0-255)");
            if let Some(pwm) = note(pwm, errors) {
                out.push(Sample::new(
                    &m::FAN_PWM_RATIO,
                    labels(),
                    pwm as f64 / PWM_FULL_SCALE,
                ));
            }
        }
        let rpm_file = match (tachs.get(index), pwmfan) {
            (Some(tach), _) => format!("{}/rpm", tach.dir),
            (None, Some(chip)) if root.is_file(&format!("{}/fan1_input", chip.dir)) => {
                format!("{}/fan1_input", chip.dir)
            }
            _ => continue,
        };
        if let Some(rpm) = note(fan_rpm(root, &rpm_file), errors) {
            out.push(Sample::new(&m::FAN_SPEED_RPM, labels(), rpm as f64));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::path::PathBuf;

    use crate::testutil::write;

    fn tmp(name: &str) -> PathBuf {
        crate::testutil::tmp_dir(&format!("jetson-{name}"))
    }

    /// `EAGAIN` (11 in Linux's `asm-generic/errno-base.h`, which both
    /// x86_64 and aarch64 use) is what a Tegra zone returns while its
    /// sensor is off, and `ENODATA` (61) what the INA3221 driver returns
    /// for a disabled channel. A plain file cannot fail that way, so this
    /// checks the mapping that `Root::read_optional` and `rail_reading`
    /// rely on: both are "no reading", not an error.
    #[test]
    fn eagain_and_enodata_are_no_reading() {
        let eagain = io::Error::from_raw_os_error(11);
        assert_eq!(eagain.kind(), io::ErrorKind::WouldBlock, "11 is EAGAIN");
        assert!(crate::sys::is_unavailable(&eagain));
        let enodata = io::Error::from_raw_os_error(61);
        assert!(crate::sys::is_unavailable(&enodata));
        assert_ne!(
            enodata.kind(),
            io::ErrorKind::NotFound,
            "not a vanished file"
        );
    }

    #[test]
    fn detection_by_release_file_or_tegra_compatible() {
        let d = tmp("detect");
        let root = Root::replay(&d);
        let why = detect(&root).unwrap_err();
        assert!(why.contains("not a Jetson"), "{why}");
        write(&d, DT_COMPATIBLE, "raspberrypi,5-model-b\0brcm,bcm2712\0");
        assert!(detect(&root).is_err(), "a Pi is not a Jetson");
        write(
            &d,
            DT_COMPATIBLE,
            "nvidia,p3768-0000+p3767-0005\0nvidia,p3767-0005\0nvidia,tegra234\0",
        );
        assert!(detect(&root).is_ok());
        fs::remove_file(d.join(DT_COMPATIBLE)).unwrap();
        write(
            &d,
            NV_TEGRA_RELEASE,
            "# R36 (release), REVISION: 4.3, GCID: 1\n",
        );
        assert!(detect(&root).is_ok());
    }

    #[test]
    fn gpu_zone_by_type_in_either_naming_and_offline_is_absent() {
        let d = tmp("zones");
        let root = Root::replay(&d);
        // One scrape's zones, listed afresh after each change.
        let gpu_temp = || gpu_zone_temp(&root, &Thermal::list(&root).unwrap());
        assert_eq!(gpu_temp().unwrap(), None, "no thermal dir");
        write(&d, "sys/class/thermal/thermal_zone0/type", "CPU-therm\n");
        write(&d, "sys/class/thermal/thermal_zone0/temp", "44500\n");
        write(&d, "sys/class/thermal/thermal_zone1/type", "GPU-therm\n");
        write(&d, "sys/class/thermal/thermal_zone1/temp", "42937\n");
        assert_eq!(gpu_temp().unwrap(), Some(42937));
        write(&d, "sys/class/thermal/thermal_zone1/type", "gpu-thermal\n");
        write(&d, "sys/class/thermal/thermal_zone1/temp", "-256000\n");
        assert_eq!(gpu_temp().unwrap(), None, "rail-gated");
        fs::remove_file(d.join("sys/class/thermal/thermal_zone1/temp")).unwrap();
        assert_eq!(gpu_temp().unwrap(), None, "no temp file");
        write(&d, "sys/class/thermal/thermal_zone1/temp", "hot\n");
        let e = gpu_temp().unwrap_err().to_string();
        assert!(e.contains("thermal_zone1/temp"), "{e}");
    }

    #[test]
    fn rail_readings_map_missing_to_an_error_and_garbage_to_a_parse_error() {
        let d = tmp("rail");
        let root = Root::replay(&d);
        write(&d, "in1_input", "5008\n");
        assert_eq!(
            rail_reading(&root, "in1_input", "VDD_IN").unwrap(),
            Some(5008)
        );
        let e = rail_reading(&root, "curr1_input", "VDD_IN")
            .unwrap_err()
            .to_string();
        assert!(e.contains("power rail VDD_IN"), "{e}");
        assert!(e.contains("curr1_input vanished"), "{e}");
        write(&d, "curr1_input", "lots\n");
        let e = rail_reading(&root, "curr1_input", "VDD_IN")
            .unwrap_err()
            .to_string();
        assert!(e.contains("curr1_input"), "{e}");
        assert!(e.contains("expected one signed decimal number"), "{e}");
    }

    #[test]
    fn several_errors_become_one_message() {
        assert!(combine(vec![]).is_ok());
        let one = combine(vec![CollectError::NoData("a".into())]).unwrap_err();
        assert!(matches!(one, CollectError::NoData(_)));
        let two = combine(vec![
            CollectError::NoData("a".into()),
            CollectError::Other("b".into()),
        ]);
        assert_eq!(two.unwrap_err().to_string(), "a; b");
    }
}
