//! NVMe health: wear, spare and error counters of every NVMe controller,
//! from its SMART / Health Information log page (Get Log Page, log
//! identifier 02h; layout in [`crate::parse::nvme_smart`]), read through
//! [`Root::nvme_smart_log`]: the admin passthrough ioctl on `/dev/nvmeN`
//! live, a recorded `nvme/<controller>/smart-log.bin` in a fixture.
//!
//! Controllers are the `nvmeN` entries of `/sys/class/nvme`; the `device`
//! label is that name (`nvme0`: the controller, not a namespace such as
//! `nvme0n1`). Temperature is not repeated here: the kernel's `nvme` hwmon
//! chip reports the same composite temperature (and the sensors) to the
//! `hwmon` collector without privileges.
//!
//! Privileges: the kernel runs an admin command other than a few Identify
//! variants only for `CAP_SYS_ADMIN` (`nvme_cmd_allowed()` in
//! `drivers/nvme/host/ioctl.c`), and `/dev/nvmeN` is root's alone. So the
//! collector decides at start-up ([`detect`]): no controller, or no
//! controller whose page this process may read (`EACCES`/`EPERM`, or no
//! device node), leaves it inactive with one info line naming the device
//! and what is needed, as a host without a GPU does for the GPU collector.
//! A default, unprivileged install then logs one line and shows no failing
//! collector; an install given `CAP_SYS_ADMIN` gets the metrics. Anything
//! else that goes wrong (an `EIO`, a controller resetting, a truncated
//! recording) makes the collector fail for that scrape, with the reason
//! logged once.

use std::io;

use crate::expo::{LabelValue, Sample};
use crate::metrics::host;
use crate::parse::nvme_smart::{self, SmartLog};
use crate::root::{CollectError, Root};

/// Relative path of the NVMe controller class directory.
pub const CLASS_DIR: &str = "sys/class/nvme";

/// The spare and wear fields are whole percents; the metrics are ratios.
const PERCENT_PER_RATIO: f64 = 100.0;

/// Bytes per Data Unit: the specification counts "thousands of 512 byte
/// data units" (NVM Express Base Specification, SMART / Health Information
/// log page, Data Units Read).
const BYTES_PER_DATA_UNIT: f64 = 1000.0 * 512.0;

/// Whether a `/sys/class/nvme` entry names a controller (`nvme0`), rather
/// than something else a future kernel may put there.
fn is_controller_name(name: &str) -> bool {
    name.strip_prefix("nvme")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The NVMe controllers under `root`: the `nvmeN` directories of
/// `/sys/class/nvme` (symlinks into `/sys/devices` on a real system),
/// sorted. Checking each with [`Root::is_dir`] also recreates it in a
/// recording.
///
/// Errors: the class directory exists but cannot be listed.
pub fn controllers(root: &Root) -> Result<Vec<String>, CollectError> {
    Ok(root
        .read_dir_optional(CLASS_DIR)?
        .into_iter()
        .filter(|c| is_controller_name(c) && root.is_dir(&format!("{CLASS_DIR}/{c}")))
        .collect())
}

/// Whether this collector has anything to do on `root`: at least one NVMe
/// controller whose log page can be asked for. `Err` says why not, naming
/// each controller's device and what is missing (root or
/// `CAP_SYS_ADMIN`, or the device node / recording); the exporter logs it
/// once at info and leaves the collector out.
///
/// A read that fails for another reason, or a page that does not parse,
/// keeps the collector active so that each scrape reports the failure.
pub fn detect(root: &Root) -> Result<(), String> {
    let ctrls = controllers(root).map_err(|e| e.to_string())?;
    if ctrls.is_empty() {
        return Err(format!(
            "no NVMe controller in {}",
            root.path(CLASS_DIR).display()
        ));
    }
    let mut reasons = Vec::new();
    for c in &ctrls {
        match root.nvme_smart_log(c, |_| Ok(())) {
            Err(CollectError::Read { path, source })
                if source.kind() == io::ErrorKind::PermissionDenied =>
            {
                reasons.push(format!(
                    "reading the SMART / health log of {c} needs root or CAP_SYS_ADMIN \
                     ({}: {source})",
                    path.display()
                ));
            }
            Err(CollectError::Read { path, source })
                if source.kind() == io::ErrorKind::NotFound =>
            {
                reasons.push(format!(
                    "no SMART / health log of {c} to read ({}: {source})",
                    path.display()
                ));
            }
            _ => return Ok(()),
        }
    }
    Err(reasons.join("; "))
}

/// A spare percentage as a ratio; `None` above 100, which the
/// specification reserves (a normalized 0-100 %).
fn spare_ratio(percent: u8) -> Option<f64> {
    (percent <= 100).then(|| f64::from(percent) / PERCENT_PER_RATIO)
}

/// The samples of one controller's log page.
fn push(ctrl: &str, log: &SmartLog, out: &mut Vec<Sample>) {
    let name = LabelValue::new(ctrl);
    let dev = || [("device", name.clone())];
    out.push(Sample::new(
        &host::NVME_CRITICAL_WARNING,
        dev(),
        f64::from(log.critical_warning),
    ));
    if let Some(r) = spare_ratio(log.available_spare_percent) {
        out.push(Sample::new(&host::NVME_AVAILABLE_SPARE_RATIO, dev(), r));
    }
    if let Some(r) = spare_ratio(log.available_spare_threshold_percent) {
        out.push(Sample::new(
            &host::NVME_AVAILABLE_SPARE_THRESHOLD_RATIO,
            dev(),
            r,
        ));
    }
    out.push(Sample::new(
        &host::NVME_PERCENTAGE_USED_RATIO,
        dev(),
        f64::from(log.percentage_used) / PERCENT_PER_RATIO,
    ));
    // The 128-bit counters become the nearest f64: exact up to 2^53, which
    // no real counter reaches (2^53 data units are 4.6e21 bytes).
    let counters = [
        (
            &host::NVME_READ_BYTES_TOTAL,
            log.data_units_read as f64 * BYTES_PER_DATA_UNIT,
        ),
        (
            &host::NVME_WRITTEN_BYTES_TOTAL,
            log.data_units_written as f64 * BYTES_PER_DATA_UNIT,
        ),
        (&host::NVME_POWER_CYCLES_TOTAL, log.power_cycles as f64),
        (&host::NVME_POWER_ON_HOURS_TOTAL, log.power_on_hours as f64),
        (
            &host::NVME_UNSAFE_SHUTDOWNS_TOTAL,
            log.unsafe_shutdowns as f64,
        ),
        (&host::NVME_MEDIA_ERRORS_TOTAL, log.media_errors as f64),
        (
            &host::NVME_ERROR_LOG_ENTRIES_TOTAL,
            log.error_log_entries as f64,
        ),
    ];
    for (metric, value) in counters {
        out.push(Sample::new(metric, dev(), value));
    }
}

/// Emits the `nvme_*` families for every controller.
///
/// Errors: no controller any more (`NoData`), or the last controller whose
/// page could not be read or parsed (the path and the reason; the other
/// controllers' samples are kept).
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let ctrls = controllers(root)?;
    if ctrls.is_empty() {
        return Err(CollectError::NoData(format!(
            "no NVMe controller in {}",
            root.path(CLASS_DIR).display()
        )));
    }
    let mut result = Ok(());
    for c in &ctrls {
        match root.nvme_smart_log(c, nvme_smart::parse) {
            Ok(log) => push(c, &log, out),
            Err(e) => result = Err(e),
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controller_names() {
        for ok in ["nvme0", "nvme12"] {
            assert!(is_controller_name(ok), "{ok}");
        }
        for no in ["nvme", "nvme0n1", "nvme-subsys0", "nvme-fabrics", "sda"] {
            assert!(!is_controller_name(no), "{no}");
        }
    }

    #[test]
    fn spare_above_100_percent_is_absent() {
        assert_eq!(spare_ratio(100), Some(1.0));
        assert_eq!(spare_ratio(0), Some(0.0));
        assert_eq!(spare_ratio(101), None);
        assert_eq!(spare_ratio(255), None);
    }
}
