//! `cpu_usage_percent`: busy share of all CPU time, from `/proc/stat`.
//!
//! A usage percentage needs two samples of the tick counters. The Go Spark
//! exporter keeps one "previous scrape" sample, so with two Prometheus
//! servers scraping (an HA pair) each one sees the usage since the *other*
//! server's scrape, and the first scrape reports 0. Here the exporter keeps a
//! short history of samples instead and measures each scrape against the
//! newest sample that is at least `window` old (with 10 % tolerance for
//! scrape jitter): every scraper whose interval is at most `window` sees the
//! usage of the last `window`, however many scrapers there are; a slower
//! scraper sees the usage since its previous scrape or another scraper's,
//! whichever is newer but still `window` old. The first collection (no
//! sample that old yet) is measured against the oldest sample held, and with
//! none at all against boot (all counters zero): the average since boot.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use super::read_parsed;
use crate::expo::Sample;
use crate::metrics;
use crate::parse::stat::{self, CpuTimes};
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
    /// A tracker measuring over at least `window`.
    pub fn new(window: Duration) -> UsageTracker {
        UsageTracker {
            window,
            samples: VecDeque::new(),
        }
    }

    /// Records `times` sampled at `now` (any monotonic clock) and returns the
    /// busy percentage since the reference sample (see the module docs), or
    /// `None` if no tick elapsed since any reference.
    pub fn observe(&mut self, now: Duration, times: CpuTimes) -> Option<f64> {
        let min_age = self.window.mul_f64(0.9);
        let reference = self
            .samples
            .iter()
            .rev()
            .find(|(t, _)| now.saturating_sub(*t) >= min_age)
            .or(self.samples.front())
            .map(|(_, c)| *c)
            .filter(|c| times.total() > c.total())
            .unwrap_or_default();
        let total = times.total().saturating_sub(reference.total());
        let busy = times.busy().saturating_sub(reference.busy()).min(total);
        // Keep at most one sample per tenth of the window, plus the newest one
        // older than the window: a bounded history whatever the scrape rate.
        let spacing = self.window / 10;
        if self
            .samples
            .back()
            .is_none_or(|(t, _)| now.saturating_sub(*t) >= spacing)
        {
            self.samples.push_back((now, times));
        }
        while self.samples.len() >= 2 && now.saturating_sub(self.samples[1].0) >= min_age {
            self.samples.pop_front();
        }
        (total > 0).then(|| 100.0 * busy as f64 / total as f64)
    }
}

/// Reads `/proc/stat` and emits `cpu_usage_percent`.
///
/// Errors: `/proc/stat` unreadable or malformed.
pub fn collect(
    root: &Root,
    tracker: &Mutex<UsageTracker>,
    now: Duration,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let stat = read_parsed(root, STAT_FILE, stat::parse)?;
    if let Some(pct) = lock(tracker).observe(now, stat.total) {
        out.push(Sample::new(&metrics::CPU_USAGE_PERCENT, vec![], pct));
    }
    Ok(())
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
    fn two_alternating_scrapers_each_see_what_one_alone_sees() {
        // One scraper every 5 s.
        let mut single = UsageTracker::new(Duration::from_secs(5));
        let mut alone = Vec::new();
        for k in 0..12 {
            let t = 5.0 * k as f64;
            alone.push((t, single.observe(at(t), counters_at(t))));
        }
        // Scraper A at 0, 5, 10, ...; scraper B at 2.5, 7.5, ... (an HA pair).
        let mut shared = UsageTracker::new(Duration::from_secs(5));
        let mut seen_by_a = Vec::new();
        for k in 0..24 {
            let t = 2.5 * k as f64;
            let v = shared.observe(at(t), counters_at(t));
            if k % 2 == 0 {
                seen_by_a.push((t, v));
            }
        }
        // After the warm-up scrape both measure the same last 5 s.
        for ((t, a), (_, s)) in seen_by_a.iter().zip(&alone).skip(1) {
            let (a, s) = (a.unwrap(), s.unwrap());
            assert!(
                (a - s).abs() < 1e-9,
                "t={t}: with a second scraper {a}, alone {s}"
            );
        }
        // And the value is really the last window's share, not since boot.
        let (t, v) = alone[4];
        assert_eq!(t, 20.0);
        let expect = {
            let (a, b) = (counters_at(15.0), counters_at(20.0));
            100.0 * (b.busy() - a.busy()) as f64 / (b.total() - a.total()) as f64
        };
        assert!((v.unwrap() - expect).abs() < 1e-9);
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
