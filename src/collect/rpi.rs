//! Raspberry Pi board collector (`rpi_*`): throttling, under-voltage, the
//! Pi 5 fan, the RP1 ADC and the power supply's current limit.
//!
//! Sources, all found by path or by hwmon `name`, never by hwmon number
//! (numbers change between boots):
//! - **Throttling**: the firmware device's `get_throttled` (parsed by
//!   [`crate::parse::get_throttled`]) at the Pi 5 path
//!   ([`GET_THROTTLED_PI5`]) or the Pi 4 and earlier path
//!   ([`GET_THROTTLED_PI4`]), first found wins. Downstream Raspberry Pi
//!   kernels only, and missing on some Pi 5 kernels: then the `rpi_throttled*`
//!   series are absent (not 0) and nothing is logged. On current kernels the
//!   file shows the value of the last `GET_THROTTLED` firmware call, and the
//!   `rpi_volt` driver makes one every 2 s asking the firmware to clear its
//!   sticky bits, so bits 16-19 ("since boot") may cover only the time since
//!   that request; a public Pi 5 journal nevertheless saw them stay set from
//!   boot on. They are exported as the firmware reports them. The first read
//!   after boot logs a kernel `WARN_ONCE` "deprecated, use hwmon sysfs
//!   instead" on kernels that have it.
//! - **Under-voltage alarm**: hwmon `rpi_volt` (`drivers/hwmon/raspberrypi-hwmon.c`),
//!   `in0_lcrit_alarm` = bit 16 (under-voltage occurred) of the driver's
//!   last 2 s poll: "recently", not a level. Exported whenever the file
//!   exists, also beside `get_throttled`, so one alert rule works on every
//!   Pi kernel; it is the only under-voltage signal where `get_throttled`
//!   does not exist.
//! - **Fan**: hwmon `pwmfan` (`drivers/hwmon/pwm-fan.c`; on a Pi 5 the
//!   `cooling_fan` device of the fan connector): `fan1_input` RPM, `pwm1`
//!   0-255. With several `pwmfan` chips the first in `/sys/class/hwmon`
//!   order is used (a Pi has one fan connector).
//! - **RP1 ADC** (Pi 5): hwmon `rp1_adc` (`drivers/hwmon/rp1-adc.c`):
//!   `in1_input`..`in4_input` (mV), `temp1_input` (m°C); the driver has no
//!   labels, so `channel` is `inN` unless an `inN_label` exists.
//! - **Power supply**: `/proc/device-tree/chosen/power/max_current`, written
//!   by the Pi 5 bootloader (big-endian u32, mA; parsed by
//!   [`crate::parse::device_tree`]).
//!
//! A value that cannot be read is absent, never 0. A file that exists but
//! is malformed (garbage in `get_throttled`, a truncated `max_current`) or
//! unreadable leaves that value absent, makes the collector report failure
//! (logged once with the path), and every other value is still reported.
//!
//! Which hwmon chip is which (its `name`) is read when the set of
//! `/sys/class/hwmon` entries changes and kept in a [`Cache`].

use std::sync::Mutex;

use crate::collect::ScanCache;
use crate::collect::hwmon::HWMON_DIR;
use crate::expo::Sample;
use crate::metrics::rpi as m;
use crate::parse::get_throttled::{self, Condition};
use crate::parse::{device_tree, sysfs};
use crate::root::{CollectError, Root, lock};

/// `get_throttled` on a Pi 5 (BCM2712 firmware node `soc@107c000000:firmware`).
pub const GET_THROTTLED_PI5: &str =
    "sys/devices/platform/soc@107c000000/soc@107c000000:firmware/get_throttled";
/// `get_throttled` on a Pi 4 and earlier (firmware node `soc:firmware`).
pub const GET_THROTTLED_PI4: &str = "sys/devices/platform/soc/soc:firmware/get_throttled";
/// The PSU current limit the Pi 5 bootloader writes into the device tree.
pub const MAX_CURRENT_FILE: &str = "proc/device-tree/chosen/power/max_current";
/// The board's device-tree `compatible` list (`raspberrypi,5-model-b`, ...).
pub const COMPATIBLE_FILE: &str = "proc/device-tree/compatible";

/// hwmon `name` of the under-voltage sensor (raspberrypi-hwmon.c).
const CHIP_RPI_VOLT: &str = "rpi_volt";
/// hwmon `name` of a PWM fan (pwm-fan.c); the Pi 5 fan connector's.
const CHIP_PWMFAN: &str = "pwmfan";
/// hwmon `name` of the RP1 ADC (rp1-adc.c).
const CHIP_RP1_ADC: &str = "rp1_adc";
/// hwmon chips this collector reads.
const CHIPS: [&str; 3] = [CHIP_RPI_VOLT, CHIP_PWMFAN, CHIP_RP1_ADC];
/// The RP1 ADC's voltage inputs (`in1_input`..`in4_input`, rp1-adc.c).
const ADC_CHANNELS: [u32; 4] = [1, 2, 3, 4];

/// The `compatible` vendor prefix of Raspberry Pi boards.
const COMPATIBLE_PREFIX: &str = "raspberrypi,";

/// hwmon voltages are in millivolts, temperatures in millidegrees Celsius
/// (kernel `Documentation/hwmon/sysfs-interface.rst`).
const MILLI: f64 = 1000.0;
/// `pwm1` runs from 0 (off) to 255 (full), sysfs-interface.rst.
const PWM_MAX: f64 = 255.0;
/// `max_current` is in milliamperes (Pi 5 bootloader, `chosen/power`).
const MILLIAMPERES_PER_AMPERE: f64 = 1000.0;

/// One hwmon chip this collector reads: its `name` and directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chip {
    name: &'static str,
    dir: String,
}

/// The chips found by the last scan of `/sys/class/hwmon`, kept across
/// scrapes and scanned again only when its set of entries changes.
pub type Cache = ScanCache<Chip>;

/// Which of [`CHIPS`] the hwmon directory `dir` is, from its `name` file.
fn scan_chip(root: &Root, dir: &str) -> Result<Option<Chip>, CollectError> {
    let name = root.read_parsed_optional(&format!("{dir}/name"), |t| {
        sysfs::string_value("hwmon name", t).map(str::to_string)
    })?;
    Ok(name
        .and_then(|n| CHIPS.into_iter().find(|c| *c == n))
        .map(|name| Chip {
            name,
            dir: dir.to_string(),
        }))
}

/// Refreshes `cache` from `/sys/class/hwmon`.
fn scan_chips(root: &Root, cache: &mut Cache) -> Result<(), CollectError> {
    let entries = root.read_dir_optional(HWMON_DIR)?;
    cache.refresh(entries, |entry| {
        scan_chip(root, &format!("{HWMON_DIR}/{entry}"))
    })
}

/// The path of the first `get_throttled` that exists, if any.
fn get_throttled_path(root: &Root) -> Option<&'static str> {
    [GET_THROTTLED_PI5, GET_THROTTLED_PI4]
        .into_iter()
        .find(|p| root.is_file(p))
}

/// Whether the device tree says this is a Raspberry Pi: a `compatible`
/// entry with the `raspberrypi,` vendor prefix.
fn compatible_is_pi(root: &Root) -> bool {
    let Ok(Some(text)) = root.read_optional(COMPATIBLE_FILE) else {
        return false;
    };
    device_tree::strings(&text).any(|c| c.starts_with(COMPATIBLE_PREFIX))
}

/// Active where a Pi source exists: a `get_throttled`, an `rpi_volt` or
/// `rp1_adc` hwmon chip, `chosen/power/max_current`, or a device tree
/// `compatible` with `raspberrypi,`. A `pwmfan` chip alone does not count:
/// Jetsons have one too.
///
/// Errors: the reason it stays inactive.
pub fn detect(root: &Root) -> Result<(), String> {
    if get_throttled_path(root).is_some()
        || root.is_file(MAX_CURRENT_FILE)
        || compatible_is_pi(root)
    {
        return Ok(());
    }
    let mut cache = Cache::default();
    // A chip that cannot be scanned is simply not seen here.
    let _ = scan_chips(root, &mut cache);
    if cache.items().iter().any(|c| c.name != CHIP_PWMFAN) {
        return Ok(());
    }
    Err(format!(
        "no Raspberry Pi files (get_throttled, rpi_volt or rp1_adc hwmon, \
         device-tree chosen/power or a raspberrypi compatible) under {}",
        root.base().display()
    ))
}

/// Every problem of one scrape: each value it concerns is absent, and the
/// collector reports them together, so the exporter logs them once.
#[derive(Default)]
struct Problems(Vec<CollectError>);

impl Problems {
    fn push(&mut self, e: CollectError) {
        self.0.push(e);
    }

    /// `Ok` without problems; the error itself for one; their messages
    /// joined with `; ` for several.
    fn into_result(mut self) -> Result<(), CollectError> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(self.0.remove(0)),
            _ => Err(CollectError::Other(
                self.0
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
        }
    }
}

/// Reads a decimal hwmon attribute of `chip`; `Ok(None)` when unavailable.
fn hwmon_value(root: &Root, chip: &Chip, attr: &str) -> Result<Option<f64>, CollectError> {
    root.read_parsed_optional(&format!("{}/{attr}", chip.dir), |t| {
        sysfs::f64_value("hwmon attribute", t)
    })
}

/// Emits the `rpi_*` families (see the module docs), rescanning the hwmon
/// chips first when `/sys/class/hwmon` changed.
///
/// Errors: every source that exists but is unreadable or malformed (its
/// value is absent, the others are still reported; several problems are
/// joined into one message), or no Pi value at all (`NoData`). A source
/// that does not exist is not an error.
pub fn collect(
    root: &Root,
    cache: &Mutex<Cache>,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let mut problems = Problems::default();
    let before = out.len();
    for path in [GET_THROTTLED_PI5, GET_THROTTLED_PI4] {
        let text = match root.read_optional(path) {
            Ok(Some(text)) => text,
            Ok(None) => continue,
            Err(e) => {
                problems.push(e);
                break;
            }
        };
        match get_throttled::parse(&text) {
            Ok(flags) => {
                for c in Condition::ALL {
                    let label = || [("condition", c.label().into())];
                    out.push(Sample::new(
                        &m::RPI_THROTTLED,
                        label(),
                        f64::from(u8::from(flags.now(c))),
                    ));
                    out.push(Sample::new(
                        &m::RPI_THROTTLED_SINCE_BOOT,
                        label(),
                        f64::from(u8::from(flags.occurred(c))),
                    ));
                }
            }
            Err(e) => problems.push(root.parse_error(path, e)),
        }
        break;
    }

    let mut cache = lock(cache);
    if let Err(e) = scan_chips(root, &mut cache) {
        problems.push(e);
    }
    let chip = |name: &str| cache.items().iter().find(|c| c.name == name);
    if let Some(volt) = chip(CHIP_RPI_VOLT) {
        match hwmon_value(root, volt, "in0_lcrit_alarm") {
            Ok(Some(v)) => out.push(Sample::new(&m::RPI_UNDER_VOLTAGE_ALARM, vec![], v)),
            Ok(None) => {}
            Err(e) => problems.push(e),
        }
    }
    if let Some(fan) = chip(CHIP_PWMFAN) {
        match hwmon_value(root, fan, "fan1_input") {
            Ok(Some(rpm)) => out.push(Sample::new(&m::RPI_FAN_SPEED_RPM, vec![], rpm)),
            Ok(None) => {}
            Err(e) => problems.push(e),
        }
        match hwmon_value(root, fan, "pwm1") {
            Ok(Some(pwm)) => out.push(Sample::new(&m::RPI_FAN_PWM_RATIO, vec![], pwm / PWM_MAX)),
            Ok(None) => {}
            Err(e) => problems.push(e),
        }
    }
    if let Some(adc) = chip(CHIP_RP1_ADC) {
        for n in ADC_CHANNELS {
            let label = match root.read_parsed_optional(&format!("{}/in{n}_label", adc.dir), |t| {
                sysfs::string_value("hwmon label", t).map(str::to_string)
            }) {
                Ok(label) => label.unwrap_or_else(|| format!("in{n}")),
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            match hwmon_value(root, adc, &format!("in{n}_input")) {
                Ok(Some(mv)) => out.push(Sample::new(
                    &m::RPI_ADC_VOLTAGE_VOLTS,
                    [("channel", label.into())],
                    mv / MILLI,
                )),
                Ok(None) => {}
                Err(e) => problems.push(e),
            }
        }
        match hwmon_value(root, adc, "temp1_input") {
            Ok(Some(milli)) => out.push(Sample::new(
                &m::RPI_ADC_TEMPERATURE_CELSIUS,
                vec![],
                milli / MILLI,
            )),
            Ok(None) => {}
            Err(e) => problems.push(e),
        }
    }
    drop(cache);

    match root.read_bytes_optional(MAX_CURRENT_FILE) {
        Ok(Some(bytes)) => {
            match device_tree::u32_value("device-tree chosen/power/max_current", &bytes) {
                Ok(ma) => out.push(Sample::new(
                    &m::RPI_POWER_SUPPLY_MAX_CURRENT_AMPERES,
                    vec![],
                    f64::from(ma) / MILLIAMPERES_PER_AMPERE,
                )),
                Err(e) => problems.push(root.parse_error(MAX_CURRENT_FILE, e)),
            }
        }
        Ok(None) => {}
        Err(e) => problems.push(e),
    }

    if problems.0.is_empty() && out.len() == before {
        return Err(CollectError::NoData(format!(
            "no Raspberry Pi values under {} (no get_throttled, rpi_volt, pwmfan, \
             rp1_adc or chosen/power/max_current)",
            root.base().display()
        )));
    }
    problems.into_result()
}
