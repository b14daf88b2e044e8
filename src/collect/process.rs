//! The standard `process_*` metrics of the Prometheus client libraries,
//! describing the exporter itself.
//!
//! Sources: `/proc/self/stat` (`proc_pid_stat(5)`), the size or entries of
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
        out.push(Sample::new(
            &metrics::PROCESS_OPEN_FDS,
            vec![],
            self.open_fds()? as f64,
        ));
        let s = self.root.read_parsed(SELF_STAT, pid_stat::parse)?;
        self.root.end_collection();
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

    /// The number of open file descriptors: the size `stat(2)` gives
    /// `/proc/self/fd` (Linux 6.2 and later: "proc: report open files as
    /// size in stat() for /proc/pid/fd"), else the number of its entries.
    /// One `statx` instead of a listing that makes procfs build an entry
    /// for every descriptor, the held kernel files included.
    ///
    /// Errors: `/proc/self/fd` cannot be listed (older kernels).
    fn open_fds(&self) -> Result<u64, CollectError> {
        match std::fs::metadata(self.root.path(SELF_FD)) {
            Ok(m) if m.len() > 0 => Ok(m.len()),
            _ => Ok(self.root.read_dir(SELF_FD)?.len() as u64),
        }
    }
}

impl Default for Process {
    fn default() -> Self {
        Process::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_fds_counts_the_descriptors_a_listing_counts() {
        let process = Process::new();
        let listed = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
        let counted = process.open_fds().unwrap();
        // The listing holds one more descriptor (its own) while it runs, and
        // test threads may open or close a few in between.
        assert!(counted.abs_diff(listed) <= 4, "{counted} vs {listed}");
        let files: Vec<std::fs::File> = (0..20)
            .map(|_| std::fs::File::open("/proc/self/stat").unwrap())
            .collect();
        assert!(process.open_fds().unwrap() >= counted + 20 - 4);
        drop(files);
    }
}
