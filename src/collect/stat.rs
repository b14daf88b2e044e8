//! node_exporter's `stat` collector: boot time, context switches, forks,
//! interrupts and process counts from `/proc/stat` (proc(5); the keys
//! `btime`, `ctxt`, `processes`, `intr`, `procs_running`, `procs_blocked`).
//!
//! A key the kernel does not print is absent, never 0, and the collector
//! reports the failure.

use crate::collect::cpu::STAT_FILE;
use crate::expo::Sample;
use crate::metrics::{Metric, node};
use crate::parse::stat::Stat;
use crate::root::{CollectError, Root};

/// Emits `node_boot_time_seconds`, `node_context_switches_total`,
/// `node_forks_total`, `node_intr_total`, `node_procs_running` and
/// `node_procs_blocked` from `stat`, this scrape's `/proc/stat` under
/// `root` (see [`crate::collect::Scrape`]).
///
/// Errors: one of the six keys missing (`NoData`, the others are still
/// emitted).
pub fn collect(root: &Root, stat: &Stat, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let values: [(&'static Metric, &str, Option<u64>); 6] = [
        (&node::BOOT_TIME_SECONDS, "btime", stat.boot_time_seconds),
        (&node::CONTEXT_SWITCHES_TOTAL, "ctxt", stat.context_switches),
        (&node::FORKS_TOTAL, "processes", stat.processes),
        (&node::INTR_TOTAL, "intr", stat.interrupts),
        (&node::PROCS_RUNNING, "procs_running", stat.procs_running),
        (&node::PROCS_BLOCKED, "procs_blocked", stat.procs_blocked),
    ];
    let mut missing = Vec::new();
    for (metric, key, value) in values {
        match value {
            Some(v) => out.push(Sample::new(metric, vec![], v as f64)),
            None => missing.push(key),
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(CollectError::NoData(format!(
            "{} lacks the key(s) {}",
            root.path(STAT_FILE).display(),
            missing.join(", ")
        )))
    }
}
