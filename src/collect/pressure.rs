//! node_exporter's `pressure` collector: pressure stall information from
//! `/proc/pressure/{cpu,io,memory}` (kernel
//! `Documentation/accounting/psi.rst`, Linux 4.20+ with `CONFIG_PSI`; the
//! `total` fields are microseconds).
//!
//! `waiting` is the `some` line (at least one task stalled), `stalled` the
//! `full` line (all non-idle tasks stalled). node_exporter 1.5.0 reports no
//! `node_pressure_cpu_stalled_seconds_total`; later versions do, from the
//! cpu `full` line the kernel prints since 5.13, and so does this exporter.

use crate::expo::Sample;
use crate::metrics::{Metric, node};
use crate::parse::pressure;
use crate::root::{CollectError, Root};

/// Relative path of the PSI directory.
pub const PRESSURE_DIR: &str = "proc/pressure";

/// PSI totals are microseconds (psi.rst).
const MICROSECONDS_PER_SECOND: f64 = 1_000_000.0;

/// Resources and their (`some`, `full`) families.
const RESOURCES: [(&str, &Metric, &Metric); 3] = [
    (
        "cpu",
        &node::PRESSURE_CPU_WAITING_SECONDS_TOTAL,
        &node::PRESSURE_CPU_STALLED_SECONDS_TOTAL,
    ),
    (
        "io",
        &node::PRESSURE_IO_WAITING_SECONDS_TOTAL,
        &node::PRESSURE_IO_STALLED_SECONDS_TOTAL,
    ),
    (
        "memory",
        &node::PRESSURE_MEMORY_WAITING_SECONDS_TOTAL,
        &node::PRESSURE_MEMORY_STALLED_SECONDS_TOTAL,
    ),
];

/// Emits the waiting and stalled totals of each resource.
///
/// Errors: a PSI file is unreadable or malformed, or the kernel has no PSI
/// (`NoData`: Linux older than 4.20, `CONFIG_PSI` off, or `psi=0`).
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let mut result = Ok(());
    let mut found = 0;
    for (resource, some, full) in RESOURCES {
        let path = format!("{PRESSURE_DIR}/{resource}");
        let psi = match root.read_parsed_optional(&path, pressure::parse) {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(e) => {
                result = Err(e);
                continue;
            }
        };
        found += 1;
        let secs = psi.some.total_us as f64 / MICROSECONDS_PER_SECOND;
        out.push(Sample::new(some, vec![], secs));
        if let Some(f) = psi.full {
            out.push(Sample::new(
                full,
                vec![],
                f.total_us as f64 / MICROSECONDS_PER_SECOND,
            ));
        }
    }
    if found == 0 && result.is_ok() {
        return Err(CollectError::NoData(format!(
            "{} has no cpu, io or memory file: the kernel has no pressure stall \
             information (needs Linux 4.20+ with CONFIG_PSI, and not psi=0)",
            root.path(PRESSURE_DIR).display()
        )));
    }
    result
}
