//! `/proc/stat`: kernel and system statistics.
//!
//! Format: `proc(5)` and the kernel's `Documentation/filesystems/proc.rst`
//! ("1.7 Miscellaneous kernel statistics in /proc/stat"). Each line is a key
//! followed by space-separated decimal numbers:
//!
//! ```text
//! cpu  6468454 9631 1330148 135793354 51257 260080 87076 0 0 0
//! cpu0 224894 33 54053 6901688 3476 13735 2121 0 0 0
//! intr 2287454917 0 0 ...
//! ctxt 3514229012
//! btime 1778292313
//! processes 1873342
//! procs_running 3
//! procs_blocked 0
//! ```
//!
//! CPU times are in `USER_HZ` ticks (jiffies). The ten columns are user, nice,
//! system, idle, iowait (since 2.5.41), irq, softirq (2.6.0), steal (2.6.11),
//! guest (2.6.24) and guest_nice (2.6.33). `guest` and `guest_nice` are
//! already included in `user` and `nice`. Unknown keys (`softirq`, future
//! lines) are skipped.

use nom::character::complete::{digit1, space0, space1, u64 as dec_u64};
use nom::combinator::{all_consuming, opt};
use nom::multi::{fold_many0, fold_many1};
use nom::sequence::preceded;
use nom::{IResult, Parser, bytes::complete::tag};

use super::{ParseError, numbered_lines};

const SOURCE: &str = "/proc/stat";

/// Time one CPU (or all CPUs together) spent in each mode since boot, in
/// `USER_HZ` ticks, as the ten columns of a `cpu` line of `/proc/stat`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTimes {
    /// Normal processes in user mode (includes `guest`).
    pub user: u64,
    /// Niced processes in user mode (includes `guest_nice`).
    pub nice: u64,
    /// Kernel mode.
    pub system: u64,
    /// Idle.
    pub idle: u64,
    /// Waiting for I/O to complete (counted as idle time by most tools).
    pub iowait: u64,
    /// Servicing hardware interrupts.
    pub irq: u64,
    /// Servicing softirqs.
    pub softirq: u64,
    /// Stolen by the hypervisor for other guests.
    pub steal: u64,
    /// Running a virtual CPU for a guest (since Linux 2.6.24); absent on older kernels.
    pub guest: Option<u64>,
    /// Running a niced guest (since Linux 2.6.33); absent on older kernels.
    pub guest_nice: Option<u64>,
}

impl CpuTimes {
    /// All ticks that are not idle: user + nice + system + irq + softirq +
    /// steal. Guest time is inside user and nice already, so it is not added.
    pub fn busy(&self) -> u64 {
        self.user
            .saturating_add(self.nice)
            .saturating_add(self.system)
            .saturating_add(self.irq)
            .saturating_add(self.softirq)
            .saturating_add(self.steal)
    }

    /// Idle ticks as `top` and the Spark exporter count them: idle + iowait.
    pub fn idle_all(&self) -> u64 {
        self.idle.saturating_add(self.iowait)
    }

    /// Every tick: [`busy`](Self::busy) + [`idle_all`](Self::idle_all).
    pub fn total(&self) -> u64 {
        self.busy().saturating_add(self.idle_all())
    }
}

/// The parsed content of `/proc/stat`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stat {
    /// The aggregate `cpu` line: all CPUs summed.
    pub total: CpuTimes,
    /// The per-CPU `cpuN` lines, in file order, with their number N.
    pub cpus: Vec<(u32, CpuTimes)>,
    /// `intr`: first column, total interrupts serviced since boot.
    pub interrupts: Option<u64>,
    /// `ctxt`: context switches since boot.
    pub context_switches: Option<u64>,
    /// `btime`: boot time, seconds since the Unix epoch.
    pub boot_time_seconds: Option<u64>,
    /// `processes`: forks since boot.
    pub processes: Option<u64>,
    /// `procs_running`: runnable threads now.
    pub procs_running: Option<u64>,
    /// `procs_blocked`: threads blocked on I/O now.
    pub procs_blocked: Option<u64>,
}

/// `cpu` or `cpuN`; returns `None` for the aggregate line.
fn cpu_key(i: &str) -> IResult<&str, Option<u32>> {
    preceded(tag("cpu"), opt(nom::character::complete::u32)).parse(i)
}

/// How many counters of a `cpu` line are kept: through `guest_nice`.
const KEPT_COUNTERS: usize = 10;

/// The numbers after a `cpu` key: the first [`KEPT_COUNTERS`], and how many
/// there were (a later kernel may add columns).
#[derive(Debug, Default)]
struct Counters {
    values: [u64; KEPT_COUNTERS],
    count: usize,
}

impl Counters {
    /// The counters kept.
    fn kept(&self) -> &[u64] {
        &self.values[..self.count.min(KEPT_COUNTERS)]
    }
}

/// The numbers after a `cpu` key, each after blanks (at least one).
fn counters(i: &str) -> IResult<&str, Counters> {
    fold_many1(preceded(space1, dec_u64), Counters::default, |mut c, v| {
        if let Some(slot) = c.values.get_mut(c.count) {
            *slot = v;
        }
        c.count += 1;
        c
    })
    .parse(i)
}

fn cpu_line(i: &str) -> IResult<&str, (Option<u32>, Counters)> {
    all_consuming((cpu_key, counters, space0).map(|(k, v, _)| (k, v))).parse(i)
}

/// A key's values, of which the first is the one we keep (`intr` has many
/// more columns, all numbers).
fn first_value(i: &str) -> IResult<&str, u64> {
    all_consuming((
        space1,
        dec_u64,
        fold_many0(preceded(space1, digit1), || (), |(), _| ()),
        space0,
    ))
    .map(|(_, v, _, _)| v)
    .parse(i)
}

fn cpu_times(v: &[u64]) -> Option<CpuTimes> {
    if v.len() < 8 {
        return None;
    }
    Some(CpuTimes {
        user: v[0],
        nice: v[1],
        system: v[2],
        idle: v[3],
        iowait: v[4],
        irq: v[5],
        softirq: v[6],
        steal: v[7],
        guest: v.get(8).copied(),
        guest_nice: v.get(9).copied(),
    })
}

/// Parses the whole text of `/proc/stat`.
///
/// Errors: a `cpu`/`cpuN` line with fewer than 8 counters or a non-number
/// (a truncated read), a known single-value key without a number, or a file
/// without the aggregate `cpu` line.
pub fn parse(text: &str) -> Result<Stat, ParseError> {
    let mut stat = Stat::default();
    let mut saw_total = false;
    for (n, line) in numbered_lines(text) {
        let line = line.trim_start();
        let key = line.split_ascii_whitespace().next().unwrap_or("");
        if key.starts_with("cpu") {
            let err = || {
                ParseError::new(
                    SOURCE,
                    n,
                    "`cpu` or `cpuN` followed by 8 to 10 tick counts",
                    line,
                )
            };
            let (_, (cpu, values)) = cpu_line(line).map_err(|_| err())?;
            let times = cpu_times(values.kept()).ok_or_else(err)?;
            match cpu {
                None => {
                    stat.total = times;
                    saw_total = true;
                }
                Some(id) => stat.cpus.push((id, times)),
            }
            continue;
        }
        let slot = match key {
            "intr" => &mut stat.interrupts,
            "ctxt" => &mut stat.context_switches,
            "btime" => &mut stat.boot_time_seconds,
            "processes" => &mut stat.processes,
            "procs_running" => &mut stat.procs_running,
            "procs_blocked" => &mut stat.procs_blocked,
            _ => continue,
        };
        let (_, v) = first_value(&line[key.len()..])
            .map_err(|_| ParseError::new(SOURCE, n, "a key followed by decimal numbers", line))?;
        *slot = Some(v);
    }
    if !saw_total {
        return Err(ParseError::new(
            SOURCE,
            text.lines().count().max(1),
            "an aggregate `cpu` line",
            text.lines().next().unwrap_or(""),
        ));
    }
    Ok(stat)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "cpu  10 2 3 40 5 6 7 0 0 0\n\
        cpu0 5 1 1 20 2 3 3 0 0 0\n\
        cpu1 5 1 2 20 3 3 4 0 0 0\n\
        intr 2287454917 0 0 12\n\
        ctxt 3514229012\n\
        btime 1778292313\n\
        processes 1873342\n\
        procs_running 3\n\
        procs_blocked 0\n\
        softirq 1349205538 0 402935011\n";

    #[test]
    fn parses_full_sample() {
        let s = parse(SAMPLE).unwrap();
        assert_eq!(s.total.user, 10);
        assert_eq!(s.total.steal, 0);
        assert_eq!(s.total.guest, Some(0));
        assert_eq!(s.total.busy(), 10 + 2 + 3 + 6 + 7);
        assert_eq!(s.total.idle_all(), 45);
        assert_eq!(s.cpus.len(), 2);
        assert_eq!(s.cpus[1].0, 1);
        assert_eq!(s.cpus[1].1.system, 2);
        assert_eq!(s.interrupts, Some(2287454917));
        assert_eq!(s.context_switches, Some(3514229012));
        assert_eq!(s.boot_time_seconds, Some(1778292313));
        assert_eq!(s.processes, Some(1873342));
        assert_eq!(s.procs_running, Some(3));
        assert_eq!(s.procs_blocked, Some(0));
    }

    #[test]
    fn eight_columns_leave_guest_absent() {
        let s = parse("cpu 1 2 3 4 5 6 7 8\n").unwrap();
        assert_eq!(s.total.steal, 8);
        assert_eq!(s.total.guest, None);
        assert_eq!(s.total.guest_nice, None);
    }

    #[test]
    fn extra_columns_are_ignored() {
        let s = parse("cpu 1 2 3 4 5 6 7 8 9 10 11 12\n").unwrap();
        assert_eq!(s.total.guest_nice, Some(10));
    }

    #[test]
    fn truncated_cpu_line_is_an_error() {
        let e = parse("cpu  10 2 3 40\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert_eq!(e.found, "cpu  10 2 3 40");
        assert!(e.to_string().contains("/proc/stat line 1"), "{e}");
    }

    #[test]
    fn truncated_file_without_aggregate_line_is_an_error() {
        let e = parse("").unwrap_err();
        assert!(e.expected.contains("aggregate"));
        let e = parse("ctxt 5\n").unwrap_err();
        assert!(e.expected.contains("aggregate"));
    }

    #[test]
    fn garbage_in_cpu_line_is_an_error() {
        let e = parse("cpu  10 2 x 40 5 6 7 0 0 0\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("cpu  10 2 3 40 5 6 7 0 0 0\ncpu0 -1 2 3 4 5 6 7 8\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn overflowing_counter_is_an_error_not_a_wrap() {
        assert!(parse("cpu 99999999999999999999 0 0 0 0 0 0 0\n").is_err());
    }

    #[test]
    fn single_value_key_without_number_is_an_error() {
        let e = parse("cpu 1 2 3 4 5 6 7 8\nctxt\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("cpu 1 2 3 4 5 6 7 8\nbtime soon\n").unwrap_err();
        assert_eq!(e.found, "btime soon");
    }

    #[test]
    fn unknown_keys_are_skipped() {
        let s = parse("cpu 1 2 3 4 5 6 7 8\nnew_key whatever text\n").unwrap();
        assert_eq!(s.total.user, 1);
    }

    #[test]
    fn trailing_space_and_missing_final_newline_are_fine() {
        let s = parse("cpu 1 2 3 4 5 6 7 8 \nctxt 9").unwrap();
        assert_eq!(s.context_switches, Some(9));
    }
}
