//! The standard `process_*` metrics of the Prometheus client libraries,
//! describing the exporter itself.
//!
//! Sources: `/proc/self/stat` (`proc_pid_stat(5)`), the entries of
//! `/proc/self/fd`, `getrlimit(RLIMIT_NOFILE)`, and `btime` of `/proc/stat`.
//! These always read the live `/proc` of the running process, whatever
//! `--root` says: they describe the exporter, not the fixture it replays.

use std::time::Duration;

use crate::expo::Sample;
use crate::metrics;
use crate::parse::{pid_stat, stat};
use crate::root::{CollectError, Root};

/// The process's own statistics.
const SELF_STAT: &str = "proc/self/stat";
/// The process's open file descriptors.
const SELF_FD: &str = "proc/self/fd";

/// Reader of the exporter's own process metrics.
#[derive(Debug)]
pub struct Process {
    /// Always the live `/`.
    root: Root,
    /// `USER_HZ` from `sysconf(_SC_CLK_TCK)`.
    user_hz: f64,
    /// Page size from `sysconf(_SC_PAGESIZE)`.
    page_size: f64,
    /// Boot time (s since the epoch), read once: it cannot change.
    boot_time: Option<u64>,
}

impl Process {
    /// Reads the constants once (boot time, clock tick, page size).
    pub fn new() -> Process {
        let root = Root::live("/", None, Duration::ZERO);
        let boot_time = root
            .read_parsed("proc/stat", stat::parse)
            .ok()
            .and_then(|s| s.boot_time_seconds);
        Process {
            root,
            user_hz: crate::sys::user_hz() as f64,
            page_size: crate::sys::page_size() as f64,
            boot_time,
        }
    }

    /// Emits the `process_*` metrics.
    ///
    /// Errors: `/proc/self/stat` or `/proc/self/fd` unreadable or malformed;
    /// what could be read is still emitted.
    pub fn collect(&self, out: &mut Vec<Sample>) -> Result<(), CollectError> {
        if let Some(max) = crate::sys::max_open_files() {
            out.push(Sample::new(&metrics::PROCESS_MAX_FDS, vec![], max as f64));
        }
        let fds = self.root.read_dir(SELF_FD)?;
        out.push(Sample::new(
            &metrics::PROCESS_OPEN_FDS,
            vec![],
            fds.len() as f64,
        ));
        let s = self.root.read_parsed(SELF_STAT, pid_stat::parse)?;
        let cpu = (s.utime_ticks + s.stime_ticks) as f64 / self.user_hz;
        out.push(Sample::new(
            &metrics::PROCESS_CPU_SECONDS_TOTAL,
            vec![],
            cpu,
        ));
        out.push(Sample::new(
            &metrics::PROCESS_RESIDENT_MEMORY_BYTES,
            vec![],
            s.rss_pages as f64 * self.page_size,
        ));
        out.push(Sample::new(
            &metrics::PROCESS_VIRTUAL_MEMORY_BYTES,
            vec![],
            s.vsize_bytes as f64,
        ));
        if let Some(boot) = self.boot_time {
            let start = boot as f64 + s.starttime_ticks as f64 / self.user_hz;
            out.push(Sample::new(
                &metrics::PROCESS_START_TIME_SECONDS,
                vec![],
                start,
            ));
        }
        Ok(())
    }
}

impl Default for Process {
    fn default() -> Self {
        Process::new()
    }
}
