//! `cpu_usage_percent`: busy share of all CPU time, from `/proc/stat`.
//!
//! A usage percentage needs two samples of the tick counters. The Go Spark
//! exporter keeps one "previous scrape" sample, so with two Prometheus
//! servers scraping (an HA pair) each one sees the usage since the *other*
//! server's scrape, and its first scrape reports 0. Here the value is the
//! usage of the last `window` (`--collector.cpu.usage-window`), whoever
//! scrapes: the server samples `/proc/stat` every tenth of the window in a
//! background thread ([`crate::collect::Exporter::spawn_sampler`]), every
//! scrape adds a sample too, and a scrape is measured against the held
//! sample whose age is closest to `window`. Without the sampler (`--once`)
//! the same rule picks the previous scrape. A sample younger than half the
//! window is never a reference (two scrapes a millisecond apart would give
//! 0 % or 100 %): with no older sample the value is the average since boot
//! (all counters zero), which is also what the first collection reports.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use crate::collect::cpu_label;
use crate::expo::{LabelValue, Labels, Sample, name_order};
use crate::metrics::{self, node};
use crate::parse::stat::{self, CpuTimes, Stat};
use crate::root::{CollectError, Root, lock};

/// Relative path of the kernel statistics file.
pub const STAT_FILE: &str = "proc/stat";

/// Samples of the aggregate CPU times, kept to measure usage over a window.
#[derive(Debug)]
pub struct UsageTracker {
    window: Duration,
    /// (time of the sample, counters), oldest first.
    samples: VecDeque<(Duration, CpuTimes)>,
}

impl UsageTracker {
    /// A tracker measuring over `window`.
    pub fn new(window: Duration) -> UsageTracker {
        UsageTracker {
            window,
            samples: VecDeque::new(),
        }
    }

    /// How often the background sampler should call [`UsageTracker::record`]:
    /// a tenth of the window.
    pub fn spacing(&self) -> Duration {
        self.window / 10
    }

    /// Keeps `times`, sampled at `now` (any monotonic clock), as a possible
    /// reference. At most one sample per [`spacing`](Self::spacing) is kept,
    /// and of the samples older than the window only the newest: the history
    /// stays about a dozen entries whatever the scrape rate.
    pub fn record(&mut self, now: Duration, times: CpuTimes) {
        let spacing = self.spacing();
        if self
            .samples
            .back()
            .is_none_or(|(t, _)| now.saturating_sub(*t) >= spacing)
        {
            self.samples.push_back((now, times));
        }
        while self.samples.len() >= 2 && now.saturating_sub(self.samples[1].0) >= self.window {
            self.samples.pop_front();
        }
    }

    /// The busy percentage between the reference sample (see the module
    /// docs) and `times` at `now`, or `None` if no tick elapsed since boot.
    pub fn usage(&self, now: Duration, times: CpuTimes) -> Option<f64> {
        let age = |t: Duration| now.saturating_sub(t);
        let distance = |t: Duration| age(t).abs_diff(self.window);
        let reference = self
            .samples
            .iter()
            .filter(|(t, c)| age(*t) >= self.window / 2 && times.total() > c.total())
            .min_by_key(|(t, _)| distance(*t))
            .map(|(_, c)| *c)
            .unwrap_or_default();
        let total = times.total().saturating_sub(reference.total());
        let busy = times.busy().saturating_sub(reference.busy()).min(total);
        (total > 0).then(|| 100.0 * busy as f64 / total as f64)
    }

    /// [`usage`](Self::usage), then [`record`](Self::record): one scrape.
    pub fn observe(&mut self, now: Duration, times: CpuTimes) -> Option<f64> {
        let usage = self.usage(now, times);
        self.record(now, times);
        usage
    }
}

/// Reads `/proc/stat` and keeps its CPU times in `tracker`, for the
/// background sampler.
///
/// Errors: `/proc/stat` unreadable or malformed.
pub fn sample(
    root: &Root,
    tracker: &Mutex<UsageTracker>,
    now: Duration,
) -> Result<(), CollectError> {
    let stat = root.read_parsed(STAT_FILE, stat::parse)?;
    lock(tracker).record(now, stat.total);
    Ok(())
}

/// Emits `cpu_usage_percent` and node_exporter's
/// `node_cpu_seconds_total{cpu,mode}` and `node_cpu_guest_seconds_total`
/// from `stat`, this scrape's `/proc/stat` (see [`crate::collect::Scrape`]).
///
/// The per-CPU counters are ticks of `USER_HZ` (proc(5)); `user_hz` is
/// [`crate::sys::user_hz`] on a live host. As in the kernel and node_exporter,
/// `user` and `nice` include the guest time, which is reported again under
/// `node_cpu_guest_seconds_total` (present only when the kernel prints the
/// guest columns, Linux 2.6.24+ and 2.6.33+).
pub fn collect(
    stat: &Stat,
    tracker: &Mutex<UsageTracker>,
    now: Duration,
    user_hz: u64,
    out: &mut Vec<Sample>,
) {
    if let Some(pct) = lock(tracker).observe(now, stat.total) {
        out.push(Sample::new(&metrics::CPU_USAGE_PERCENT, Labels::NONE, pct));
    }
    let hz = user_hz as f64;
    // In the writer's order (label values as text: "0", "1", "10", ...,
    // "2", and modes by name), so that it has nothing to sort.
    let cpus: Vec<(LabelValue, &CpuTimes)> = stat
        .cpus
        .iter()
        .map(|(cpu, t)| (cpu_label(*cpu), t))
        .collect();
    let names: Vec<&str> = cpus.iter().map(|(cpu, _)| cpu.as_str()).collect();
    for (cpu, t) in name_order(&names).into_iter().map(|i| &cpus[i]) {
        let modes = [
            ("idle", t.idle),
            ("iowait", t.iowait),
            ("irq", t.irq),
            ("nice", t.nice),
            ("softirq", t.softirq),
            ("steal", t.steal),
            ("system", t.system),
            ("user", t.user),
        ];
        for (mode, ticks) in modes {
            out.push(Sample::new(
                &node::CPU_SECONDS_TOTAL,
                [("cpu", cpu.clone()), ("mode", mode.into())],
                ticks as f64 / hz,
            ));
        }
        let guest = [("nice", t.guest_nice), ("user", t.guest)];
        for (mode, ticks) in guest {
            if let Some(ticks) = ticks {
                out.push(Sample::new(
                    &node::CPU_GUEST_SECONDS_TOTAL,
                    [("cpu", cpu.clone()), ("mode", mode.into())],
                    ticks as f64 / hz,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CPU whose busy share changes every 3 s: 10 %, 90 %, 40 %, ...
    /// Ticks at 100 Hz, returned at time `t` (seconds, multiple of 0.01).
    fn counters_at(t: f64) -> CpuTimes {
        let shares = [0.1, 0.9, 0.4, 0.7, 0.2];
        let (mut busy, mut idle) = (5000.0, 95000.0); // since boot
        let mut s = 0.0;
        while s < t - 1e-9 {
            let step = (t - s).min(0.01);
            let share = shares[((s / 3.0) as usize) % shares.len()];
            busy += 100.0 * step * share;
            idle += 100.0 * step * (1.0 - share);
            s += step;
        }
        CpuTimes {
            user: busy.round() as u64,
            idle: idle.round() as u64,
            ..CpuTimes::default()
        }
    }

    fn at(secs: f64) -> Duration {
        Duration::from_secs_f64(secs)
    }

    #[test]
    fn first_collection_is_the_average_since_boot_not_zero() {
        let mut t = UsageTracker::new(Duration::from_secs(5));
        let v = t.observe(at(0.0), counters_at(0.0)).unwrap();
        assert!((v - 5.0).abs() < 1e-9, "{v}");
    }

    #[test]
    fn a_second_scrape_right_after_the_first_is_not_a_spike() {
        let mut t = UsageTracker::new(Duration::from_secs(5));
        t.observe(at(0.0), counters_at(0.0));
        let v = t.observe(at(0.01), counters_at(0.01)).unwrap();
        let c = counters_at(0.01);
        let since_boot = 100.0 * c.busy() as f64 / c.total() as f64;
        assert!((v - since_boot).abs() < 1e-9, "{v} vs {since_boot}");
    }

    /// Usage of the `window` seconds before `t`, computed directly.
    fn last_window(t: f64, window: f64) -> f64 {
        let (a, b) = (counters_at(t - window), counters_at(t));
        100.0 * (b.busy() - a.busy()) as f64 / (b.total() - a.total()) as f64
    }

    /// Runs the sampler (every 0.5 s) and scrapes at `scrapes_ms` (sorted)
    /// for 60 s; returns (ms, what each scrape saw).
    fn run(scrapes_ms: &[u64]) -> Vec<(u64, f64)> {
        let mut t = UsageTracker::new(Duration::from_secs(5));
        let mut seen = Vec::new();
        let mut next = scrapes_ms.iter().peekable();
        for ms in (0..=60_000u64).step_by(50) {
            let (now, secs) = (Duration::from_millis(ms), ms as f64 / 1000.0);
            if ms % 500 == 0 {
                t.record(now, counters_at(secs));
            }
            while next.peek().is_some_and(|&&s| s == ms) {
                seen.push((ms, t.observe(now, counters_at(secs)).unwrap()));
                next.next();
            }
        }
        seen
    }

    #[test]
    fn two_alternating_scrapers_each_see_what_one_alone_sees() {
        for interval in [5_000u64, 15_000, 30_000] {
            let alone: Vec<u64> = (0..=60_000).step_by(interval as usize).collect();
            // An HA pair: B scrapes half an interval after A.
            let mut pair: Vec<u64> = alone.iter().flat_map(|&s| [s, s + interval / 2]).collect();
            pair.retain(|&s| s <= 60_000);
            let seen_alone = run(&alone);
            let seen_pair = run(&pair);
            for (s, v) in seen_alone.iter().filter(|(s, _)| *s >= 5_000) {
                let with_b = seen_pair.iter().find(|(p, _)| p == s).unwrap().1;
                assert!(
                    (v - with_b).abs() < 1e-9,
                    "interval {interval}, t={s}: alone {v}, pair {with_b}"
                );
                let want = last_window(*s as f64 / 1000.0, 5.0);
                assert!(
                    (v - want).abs() < 1e-9,
                    "t={s}: {v} is not the last 5 s ({want})"
                );
            }
        }
    }

    #[test]
    fn without_the_sampler_scrapes_at_the_window_see_the_last_window() {
        let mut t = UsageTracker::new(Duration::from_secs(5));
        t.observe(at(0.0), counters_at(0.0));
        for k in 1..12 {
            let s = 5.0 * k as f64;
            let v = t.observe(at(s), counters_at(s)).unwrap();
            assert!((v - last_window(s, 5.0)).abs() < 1e-9, "t={s}");
        }
    }

    #[test]
    fn jitter_shorter_than_the_window_still_uses_the_previous_scrape() {
        let mut t = UsageTracker::new(Duration::from_secs(5));
        t.observe(at(0.0), counters_at(0.0));
        t.observe(at(4.8), counters_at(4.8));
        let v = t.observe(at(9.7), counters_at(9.7)).unwrap();
        let (a, b) = (counters_at(4.8), counters_at(9.7));
        let expect = 100.0 * (b.busy() - a.busy()) as f64 / (b.total() - a.total()) as f64;
        assert!((v - expect).abs() < 1e-9);
    }

    #[test]
    fn history_stays_bounded_under_a_scrape_storm() {
        let mut t = UsageTracker::new(Duration::from_secs(5));
        for k in 0..100_000 {
            let s = k as f64 * 0.001;
            t.observe(at(s), counters_at(0.0));
        }
        assert!(t.samples.len() <= 12, "{}", t.samples.len());
    }

    #[test]
    fn no_elapsed_ticks_gives_no_value_instead_of_nan() {
        let mut t = UsageTracker::new(Duration::from_secs(5));
        let zero = CpuTimes::default();
        assert_eq!(t.observe(at(0.0), zero), None);
    }

    #[test]
    fn counters_going_backwards_do_not_underflow() {
        let mut t = UsageTracker::new(Duration::from_secs(1));
        t.observe(
            at(0.0),
            CpuTimes {
                user: 100,
                idle: 100,
                ..CpuTimes::default()
            },
        );
        let v = t.observe(
            at(2.0),
            CpuTimes {
                user: 90,
                idle: 300,
                ..CpuTimes::default()
            },
        );
        let v = v.unwrap();
        assert!((0.0..=100.0).contains(&v), "{v}");
    }
}
