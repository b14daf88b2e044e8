//! `cpu_frequency_mhz`: mean current frequency of the online CPUs.
//!
//! Sources: `/sys/devices/system/cpu/online` (CPU list, kernel
//! `Documentation/ABI/testing/sysfs-devices-system-cpu`) and
//! `/sys/devices/system/cpu/cpuN/cpufreq/scaling_cur_freq` (kHz, kernel
//! `Documentation/admin-guide/pm/cpufreq.rst`). A CPU without cpufreq (a VM,
//! a core being hot-plugged) is left out of the mean rather than counted as 0.

use crate::expo::Sample;
use crate::metrics;
use crate::parse::{cpulist, sysfs};
use crate::root::{CollectError, Root};

/// Relative path of the list of online CPUs.
pub const ONLINE_FILE: &str = "sys/devices/system/cpu/online";

/// `scaling_cur_freq` is in kHz (cpufreq.rst); the contract metric is in MHz.
const KHZ_PER_MHZ: f64 = 1000.0;

/// Relative path of CPU `cpu`'s current frequency.
pub fn scaling_cur_freq_file(cpu: u32) -> String {
    format!("sys/devices/system/cpu/cpu{cpu}/cpufreq/scaling_cur_freq")
}

/// Emits `cpu_frequency_mhz`.
///
/// Errors: the online list is unreadable or malformed, a `scaling_cur_freq`
/// is malformed, or no online CPU exposes one (`NoData`).
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let online = root.read_parsed(ONLINE_FILE, cpulist::parse)?;
    let mut sum_khz = 0u64;
    let mut count = 0u64;
    for cpu in online {
        let freq = root.read_parsed_optional(&scaling_cur_freq_file(cpu), |t| {
            sysfs::u64_value("cpufreq scaling_cur_freq", t)
        })?;
        if let Some(khz) = freq {
            sum_khz = sum_khz.saturating_add(khz);
            count += 1;
        }
    }
    if count == 0 {
        return Err(CollectError::NoData(format!(
            "no online CPU has {} (no cpufreq driver?)",
            root.path("sys/devices/system/cpu/cpuN/cpufreq/scaling_cur_freq")
                .display()
        )));
    }
    let mean_mhz = sum_khz as f64 / count as f64 / KHZ_PER_MHZ;
    out.push(Sample::new(&metrics::CPU_FREQUENCY_MHZ, vec![], mean_mhz));
    Ok(())
}
