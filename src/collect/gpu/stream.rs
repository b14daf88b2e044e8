//! GPU sampling off the scrape path: one long-lived
//! `nvidia-smi --query-gpu=<fields> --format=csv,nounits -lms <interval>`
//! child whose lines a reader thread parses into the latest sample of each
//! GPU. A scrape serves those samples and never waits for `nvidia-smi`.
//!
//! In loop mode nvidia-smi prints the CSV header once, then one line per
//! GPU every interval (`nvidia-smi(1)`, `-lms`/`--loop-ms`: "Continuously
//! report query data at the specified interval"). The first non-empty line
//! a child prints is read as the header
//! ([`nvidia_smi::parse_query_gpu_header`]); every later line as one GPU's
//! row against it ([`nvidia_smi::parse_query_gpu_row`]), the same checks
//! [`nvidia_smi::parse_query_gpu`] makes on a one-shot output or a replayed
//! recording. A later line equal to the header is skipped, in case a driver
//! repeats it.
//!
//! Timing, with `I` = `--collector.gpu.interval` and `T` =
//! `--collector.gpu.timeout`: a healthy child prints a line for each GPU
//! at least every `I` plus the time one query takes, which `T` bounds (the
//! deadline of a one-shot call). So the staleness limit is `I + T` (6 s by
//! default), and it serves two purposes:
//!
//! - a GPU's sample older than the limit is not served: its values are
//!   absent and the collector reports failure;
//! - when no valid line (header or row) has come for the limit, the
//!   supervisor kills the child: `SIGTERM` to its process group, `SIGKILL`
//!   to the group after a grace of `min(T, 1 s)`, then reaps it.
//!
//! Whenever a child ends (it exited, was killed, or could not be started)
//! the supervisor starts a new one after a back-off: `I`, doubled after each
//! consecutive failure, at most [`MAX_BACKOFF`]; a child that ran for longer
//! than [`MAX_BACKOFF`] resets it. On shutdown, [`crate::command::kill_running`]
//! kills the child's group and no new one is started; the supervisor reaps it.
//!
//! Problems (a line that does not parse, a child that exited or was killed)
//! are logged when they happen and make the collector report failure for
//! the staleness limit after the last one, with the samples that are still
//! fresh served meanwhile. A GPU that stops appearing in the stream keeps
//! the collector failing (its values absent) until the exporter restarts.
//!
//! On hosts with a GPU without `memory.total` (a GB10),
//! `gpu_process_memory_used_bytes` needs `--query-compute-apps`. Its loop
//! mode cannot be supervised the same way: with no compute process a round
//! prints no line at all, so silence would not tell an idle GPU from a hung
//! `nvidia-smi`. A second thread therefore runs the one-shot
//! `--query-compute-apps` (with deadline `T`) every `I`, only while such a
//! GPU is being sampled, and a scrape serves its latest result while it is
//! younger than the staleness limit.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::thread;
use std::time::{Duration, Instant};

use crate::command::{self, Streaming};
use crate::expo::Sample;
use crate::parse::nvidia_smi::{self, ComputeApp, GpuRow, QueryGpuHeader};
use crate::root::{CollectError, lock};

/// Default `--collector.gpu.interval`: one sample per GPU a second.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

/// Shortest `--collector.gpu.interval` accepted (nvidia-smi's `-lms` takes
/// milliseconds).
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// Longest wait before restarting a child that keeps failing; a child that
/// ran longer than this resets the back-off to the interval.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Longest a stopped child gets between `SIGTERM` and `SIGKILL`.
const MAX_GRACE: Duration = Duration::from_secs(1);

/// Longest line kept; the rest of a longer one is read and dropped, and the
/// line is a parse problem. 64 fields of a few dozen bytes fit many times.
const MAX_LINE_BYTES: usize = 64 << 10;

/// Longest message kept from a child's stderr, for the log.
const MAX_STDERR_BYTES: usize = 4 << 10;

/// How often the sampler runs and how long a query may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// `--collector.gpu.interval`: the `-lms` value.
    pub interval: Duration,
    /// `--collector.gpu.timeout`: the most one query may take.
    pub timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            interval: DEFAULT_INTERVAL,
            timeout: crate::cli::DEFAULT_GPU_TIMEOUT,
        }
    }
}

impl Settings {
    /// The staleness limit: a sample older than this is not served, and a
    /// child that printed no valid line for this long is killed and
    /// restarted. The interval plus the timeout (see the module docs).
    pub fn stale_after(&self) -> Duration {
        self.interval + self.timeout
    }

    /// Time between `SIGTERM` and `SIGKILL` when stopping a child.
    fn grace(&self) -> Duration {
        self.timeout.min(MAX_GRACE)
    }

    /// How often the supervisor checks on its child.
    fn tick(&self) -> Duration {
        (self.interval / 4).clamp(Duration::from_millis(5), Duration::from_millis(100))
    }

    /// The wait before the restart that follows `failures` consecutive
    /// failed children (0 for the first).
    fn backoff(&self, failures: u32) -> Duration {
        self.interval
            .saturating_mul(1u32 << failures.min(16))
            .min(MAX_BACKOFF)
    }
}

/// What the threads share with the scrapes.
#[derive(Debug, Default)]
struct State {
    /// Latest row of each GPU, by `index`, and when it was read.
    rows: BTreeMap<u32, (Instant, GpuRow)>,
    /// Latest `--query-compute-apps` result and when it came.
    apps: Option<(Instant, Result<Vec<ComputeApp>, String>)>,
    /// Latest problem and when it happened.
    problem: Option<(Instant, String)>,
    /// When the current child printed its last valid line (or started).
    last_valid: Option<Instant>,
}

/// The streaming sampler of one exporter; see the module docs.
#[derive(Debug)]
pub struct Stream {
    bin: PathBuf,
    settings: Settings,
    /// The streaming command line, short, for messages.
    display: String,
    state: Mutex<State>,
}

/// The first rows and compute processes, from the one-shot start-up call.
pub type Seed = (
    Instant,
    Vec<GpuRow>,
    Option<Result<Vec<ComputeApp>, String>>,
);

impl Stream {
    /// Starts the supervisor thread (which starts the child) and the
    /// compute-apps thread for `bin`; `seed` is served until the stream
    /// gives newer rows. Both threads hold only a weak reference and end,
    /// stopping the child, once the returned stream is dropped, or at
    /// shutdown.
    ///
    /// Errors: a thread could not be spawned.
    pub fn start(bin: PathBuf, settings: Settings, seed: Option<Seed>) -> io::Result<Arc<Stream>> {
        let display = format!(
            "{} --query-gpu=<{} fields> {} -lms {}",
            bin.display(),
            nvidia_smi::QUERY_GPU_FIELDS.len(),
            nvidia_smi::FORMAT_ARG,
            settings.interval.as_millis()
        );
        let mut state = State::default();
        if let Some((at, rows, apps)) = seed {
            state.rows = rows.into_iter().map(|r| (r.index, (at, r))).collect();
            state.apps = apps.map(|a| (at, a));
        }
        let stream = Arc::new(Stream {
            bin,
            settings,
            display,
            state: Mutex::new(state),
        });
        let weak = Arc::downgrade(&stream);
        thread::Builder::new()
            .name("gpu-stream".into())
            .spawn(move || supervise(&weak, settings))?;
        let weak = Arc::downgrade(&stream);
        thread::Builder::new()
            .name("gpu-apps".into())
            .spawn(move || poll_compute_apps(&weak, settings))?;
        Ok(stream)
    }

    /// The arguments of the streaming call.
    fn args(&self) -> Vec<String> {
        vec![
            nvidia_smi::query_gpu_arg(),
            nvidia_smi::FORMAT_ARG.to_string(),
            "-lms".to_string(),
            self.settings.interval.as_millis().to_string(),
        ]
    }

    fn note_problem(&self, message: String) {
        lock(&self.state).problem = Some((Instant::now(), message));
    }

    /// Handles line `n` of a child's stdout (`truncated`: it was longer
    /// than [`MAX_LINE_BYTES`]); `header` is the child's header once seen.
    /// Returns the problem with the line, if any, already recorded.
    fn on_line(
        &self,
        header: &mut Option<QueryGpuHeader>,
        n: usize,
        line: &[u8],
        truncated: bool,
    ) -> Option<String> {
        let now = Instant::now();
        let parsed = if truncated {
            Err(format!("line {n}: longer than {MAX_LINE_BYTES} bytes"))
        } else {
            match std::str::from_utf8(line) {
                Err(_) => Err(format!("line {n}: not UTF-8 text")),
                Ok(text) => {
                    let text = text.trim();
                    if text.is_empty() {
                        return None;
                    }
                    match header {
                        None => nvidia_smi::parse_query_gpu_header(n, text)
                            .map(|h| {
                                *header = Some(h);
                                None
                            })
                            .map_err(|e| e.to_string()),
                        Some(h) if h.text() == text => Ok(None),
                        Some(h) => nvidia_smi::parse_query_gpu_row(h, n, text)
                            .map(Some)
                            .map_err(|e| e.to_string()),
                    }
                }
            }
        };
        let mut state = lock(&self.state);
        match parsed {
            Ok(row) => {
                state.last_valid = Some(now);
                if let Some(row) = row {
                    state.rows.insert(row.index, (now, row));
                }
                None
            }
            Err(e) => {
                let message = format!("`{}` printed a line that does not parse: {e}", self.display);
                state.problem = Some((now, message.clone()));
                Some(message)
            }
        }
    }

    /// Whether some GPU sampled now reports no `memory.total`, so that
    /// `--query-compute-apps` is needed.
    fn needs_compute_apps(&self) -> bool {
        let limit = self.settings.stale_after();
        lock(&self.state)
            .rows
            .values()
            .any(|(at, r)| at.elapsed() <= limit && r.memory_total_mib.is_none())
    }

    /// Emits the metrics of every GPU whose latest sample is fresher than
    /// [`Settings::stale_after`]; never waits for `nvidia-smi`.
    ///
    /// Errors (the fresh samples are still emitted): no fresh sample at all,
    /// a GPU whose sample went stale, a problem in the last
    /// [`Settings::stale_after`] (an unparsable line, a child that exited
    /// or was killed), or no fresh `--query-compute-apps` result where one
    /// is needed. Each names the command.
    pub fn collect(&self, out: &mut Vec<Sample>) -> Result<(), CollectError> {
        let limit = self.settings.stale_after();
        let state = lock(&self.state);
        let now = Instant::now();
        let fresh = |at: &Instant| now.saturating_duration_since(*at) <= limit;
        let rows: Vec<GpuRow> = state
            .rows
            .values()
            .filter(|(at, _)| fresh(at))
            .map(|(_, r)| r.clone())
            .collect();
        for row in &rows {
            super::push_row(row, out);
        }
        if rows.is_empty() {
            let why = state
                .problem
                .as_ref()
                .map(|(_, p)| format!("; last problem: {p}"))
                .unwrap_or_default();
            let what = if state.rows.is_empty() {
                "no GPU sample yet".to_string()
            } else {
                format!("no GPU sample in the last {limit:?}, values not served")
            };
            return Err(CollectError::Other(format!(
                "`{}`: {what}{why}",
                self.display
            )));
        }
        let mut result = Ok(());
        if rows.iter().any(|r| r.memory_total_mib.is_none()) {
            match &state.apps {
                Some((at, Ok(apps))) if fresh(at) => super::push_process_memory(&rows, apps, out),
                Some((at, Err(e))) if fresh(at) => result = Err(e.clone()),
                _ => {
                    result = Err(format!(
                        "`{} {}`: no result in the last {limit:?}",
                        self.bin.display(),
                        nvidia_smi::query_compute_apps_arg()
                    ))
                }
            }
        }
        if let Some((_, p)) = state.problem.as_ref().filter(|(at, _)| fresh(at)) {
            result = Err(p.clone());
        }
        let stale: Vec<String> = state
            .rows
            .iter()
            .filter(|(_, (at, _))| !fresh(at))
            .map(|(i, _)| i.to_string())
            .collect();
        if !stale.is_empty() {
            result = Err(format!(
                "`{}`: no sample of GPU {} in the last {limit:?}, its values not served",
                self.display,
                stale.join(", ")
            ));
        }
        result.map_err(CollectError::Other)
    }
}

/// Sleeps `d` in ticks; false (early) when shutdown begins or the stream is
/// gone.
fn sleep_while_wanted(weak: &Weak<Stream>, d: Duration, tick: Duration) -> bool {
    let until = Instant::now() + d;
    loop {
        if command::is_stopping() || weak.strong_count() == 0 {
            return false;
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        thread::sleep(left.min(tick));
    }
}

/// The supervisor: runs one child after another until shutdown or until
/// the stream is dropped, with back-off between them.
fn supervise(weak: &Weak<Stream>, settings: Settings) {
    let mut failures = 0;
    loop {
        let Some((bin, args, display)) = weak
            .upgrade()
            .map(|s| (s.bin.clone(), s.args(), s.display.clone()))
        else {
            return;
        };
        let started = Instant::now();
        let Some(why) = run_child(weak, &bin, &args, settings) else {
            return;
        };
        if started.elapsed() > MAX_BACKOFF {
            failures = 0;
        }
        let wait = settings.backoff(failures);
        failures = failures.saturating_add(1);
        let message = format!("`{display}` {why}");
        log::warn!("gpu: {message}; restarting it in {}ms", wait.as_millis());
        match weak.upgrade() {
            Some(s) => s.note_problem(message),
            None => return,
        }
        if !sleep_while_wanted(weak, wait, settings.tick()) {
            return;
        }
    }
}

/// Runs one child until it ends; returns why it ended, or `None` when the
/// supervisor is to stop (shutdown, or the stream was dropped), after
/// stopping and reaping the child.
fn run_child(
    weak: &Weak<Stream>,
    bin: &Path,
    args: &[String],
    settings: Settings,
) -> Option<String> {
    if command::is_stopping() {
        return None;
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = match Streaming::spawn(bin, &args) {
        Ok(c) => c,
        Err(e) if command::is_stopping() => {
            log::debug!("gpu: {e}");
            return None;
        }
        Err(e) => return Some(format!("could not be started: {e}")),
    };
    log::debug!("gpu: started `{}` (pid {})", child.command(), child.pid());
    let started = Instant::now();
    lock(&weak.upgrade()?.state).last_valid = None;
    let stderr = Arc::new(Mutex::new(Vec::new()));
    if let Some(err) = child.take_stderr() {
        let keep = Arc::clone(&stderr);
        let _ = thread::Builder::new()
            .name("gpu-stream-err".into())
            .spawn(move || drain_stderr(err, &keep));
    }
    if let Some(out) = child.take_stdout() {
        let weak = weak.clone();
        if let Err(e) = thread::Builder::new()
            .name("gpu-stream-read".into())
            .spawn(move || read_lines(out, &weak))
        {
            let ended = child.stop(settings.grace());
            return Some(format!("had no reader thread ({e}); {ended}"));
        }
    }
    let limit = settings.stale_after();
    loop {
        thread::sleep(settings.tick());
        let Some(stream) = weak.upgrade() else {
            child.stop(settings.grace());
            return None;
        };
        if command::is_stopping() {
            // kill_running has killed the group already; reap it.
            child.stop(Duration::ZERO);
            return None;
        }
        if child.has_exited() {
            let ended = child.reap();
            let err = String::from_utf8_lossy(&lock(&stderr)).trim().to_string();
            let err = err.lines().last().unwrap_or("").to_string();
            return Some(if err.is_empty() {
                ended.to_string()
            } else {
                format!("{ended}: {err}")
            });
        }
        let last = lock(&stream.state)
            .last_valid
            .unwrap_or(started)
            .max(started);
        if last.elapsed() > limit {
            let ended = child.stop(settings.grace());
            return Some(format!(
                "printed no valid line for {limit:?} (hung?); {ended}"
            ));
        }
    }
}

/// Reads a child's stdout line by line into the stream until EOF (the
/// child and its group are gone) or until the stream is dropped.
fn read_lines(out: impl Read, weak: &Weak<Stream>) {
    let mut reader = BufReader::new(out);
    let mut header = None;
    let mut line = Vec::new();
    let mut n = 0;
    let mut failing = false;
    loop {
        line.clear();
        let truncated = match read_line_bounded(&mut reader, &mut line, MAX_LINE_BYTES) {
            Ok(None) | Err(_) => return,
            Ok(Some(truncated)) => truncated,
        };
        n += 1;
        let Some(stream) = weak.upgrade() else { return };
        match stream.on_line(&mut header, n, &line, truncated) {
            // Logged when the stream turns bad, not for every bad line.
            Some(problem) if !failing => {
                log::warn!("gpu: {problem}");
                failing = true;
            }
            Some(_) => {}
            None => failing = false,
        }
    }
}

/// Reads one line (without its `\n`) into `line`, keeping at most `max`
/// bytes: `Ok(None)` at EOF, else `Ok(Some(truncated))`.
fn read_line_bounded(
    r: &mut impl BufRead,
    line: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<bool>> {
    let mut truncated = false;
    let mut any = false;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(any.then_some(truncated));
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        let room = max.saturating_sub(line.len());
        truncated |= chunk.len() > room;
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = done.unwrap_or(buf.len());
        r.consume(used);
        if done.is_some() {
            return Ok(Some(truncated));
        }
    }
}

/// Keeps the last [`MAX_STDERR_BYTES`] a child writes on stderr.
fn drain_stderr(mut err: impl Read, keep: &Mutex<Vec<u8>>) {
    let mut buf = [0u8; 1024];
    loop {
        match err.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let mut k = lock(keep);
                k.extend_from_slice(&buf[..n]);
                let excess = k.len().saturating_sub(MAX_STDERR_BYTES);
                k.drain(..excess);
            }
        }
    }
}

/// Runs the one-shot `--query-compute-apps` every interval while some GPU
/// sampled reports no `memory.total` (see the module docs).
fn poll_compute_apps(weak: &Weak<Stream>, settings: Settings) {
    let args = [
        nvidia_smi::query_compute_apps_arg(),
        nvidia_smi::FORMAT_ARG.to_string(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    loop {
        if !sleep_while_wanted(weak, settings.interval, settings.tick()) {
            return;
        }
        let Some(bin) = weak
            .upgrade()
            .filter(|s| s.needs_compute_apps())
            .map(|s| s.bin.clone())
        else {
            continue;
        };
        // No strong reference while the command runs (up to the timeout).
        let result = command::run(&bin, &args, settings.timeout)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                nvidia_smi::parse_query_compute_apps(&text).map_err(|e| {
                    format!(
                        "parsing `{} {}`: {e}",
                        bin.display(),
                        nvidia_smi::query_compute_apps_arg()
                    )
                })
            });
        if let Err(e) = &result {
            log::debug!("gpu: {e}");
        }
        let Some(stream) = weak.upgrade() else { return };
        lock(&stream.state).apps = Some((Instant::now(), result));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_interval_up_to_the_cap() {
        let s = Settings {
            interval: Duration::from_millis(100),
            timeout: Duration::from_secs(5),
        };
        let waits: Vec<u128> = (0..12).map(|f| s.backoff(f).as_millis()).collect();
        assert_eq!(
            waits,
            [
                100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000
            ]
        );
        assert_eq!(s.backoff(u32::MAX), MAX_BACKOFF);
        assert_eq!(s.stale_after(), Duration::from_millis(5100));
        assert_eq!(s.grace(), MAX_GRACE);
        assert_eq!(Settings::default().stale_after(), Duration::from_secs(6));
    }

    #[test]
    fn lines_are_bounded_and_split_on_newlines() {
        let text = b"short\n\nabcdefghij\nlast-without-newline";
        let mut r = BufReader::with_capacity(3, &text[..]);
        let mut got = Vec::new();
        let mut line = Vec::new();
        while let Some(truncated) = read_line_bounded(&mut r, &mut line, 6).unwrap() {
            got.push((String::from_utf8(line.clone()).unwrap(), truncated));
            line.clear();
        }
        assert_eq!(
            got,
            [
                ("short".to_string(), false),
                (String::new(), false),
                ("abcdef".to_string(), true),
                ("last-w".to_string(), true),
            ]
        );
    }
}
