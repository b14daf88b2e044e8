//! The server's streaming `nvidia-smi` (`src/collect/gpu/stream.rs`),
//! against fake `nvidia-smi` shell scripts that stream, stall, print
//! garbage, exit, and ignore `SIGTERM`. The exporter binary runs on the live
//! root with only the GPU collector, a 50 ms interval and a 300 ms timeout
//! (staleness limit 350 ms). Every wait is a poll with a generous deadline;
//! nothing asserts how long something took except that a scrape does not
//! wait for a stalled `nvidia-smi` (under 1 s, where the stall lasts
//! forever).

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dgx_spark_exporter::parse::nvidia_smi::query_gpu_header;

const BIN: &str = env!("CARGO_BIN_EXE_dgx-spark-exporter");

/// Generous bound for anything that should happen within a second or so.
const DEADLINE: Duration = Duration::from_secs(15);

const TEMPERATURE: &str = "gpu_temperature_celsius{gpu=\"0\"}";
const SUCCESS: &str = "dgx_spark_exporter_collector_success{collector=\"gpu\"}";

/// A discrete GPU's row with `$1` as `temperature.gpu`, for a shell function.
fn row_template() -> String {
    let row = "0, GPU-1, NVIDIA TEST, 580.1, 00000000:01:00.0, 5, $1, 1500, 40.5, 16376, 100, \
         16276, 0, 0, 0, 300, 300, 1500, 7000, 2000, 2000, 7000, 30, P2, N/A, 4, 4, 16, 16, 0, 0";
    let reasons = ["Not Active"; 8].join(", ");
    format!("{row}, {reasons}")
}

/// Writes a fake `nvidia-smi` into `dir`. A one-shot `--query-gpu` (the
/// start-up probe) prints the header and a row at 30 °C. A `-lms` call
/// appends its pid to `dir/pids`, sets `n` to how many streaming calls were
/// made (1 for the first), and runs `body`, which may call `header` and
/// `row TEMP`. The GPU is a discrete one with 16 GiB.
fn fake_nvidia_smi(dir: &Path, body: &str) -> PathBuf {
    fake_nvidia_smi_with(dir, "16376, 100, 16276", body)
}

/// [`fake_nvidia_smi`] with `memory` as the `memory.total, memory.used,
/// memory.free` cells. `--query-compute-apps` prints its header and the
/// lines of `dir/apps` if that file exists, and hangs while `dir/apps-hang`
/// exists.
fn fake_nvidia_smi_with(dir: &Path, memory: &str, body: &str) -> PathBuf {
    let path = dir.join("nvidia-smi");
    let script = format!(
        "#!/bin/sh\n\
         D={dir}\n\
         header() {{ echo '{header}'; }}\n\
         row() {{ echo \"{row}\"; }}\n\
         case \"$*\" in\n\
         *--query-compute-apps*)\n\
           if [ -e $D/apps-hang ]; then exec sleep 1000; fi\n\
           echo 'gpu_uuid, pid, used_gpu_memory [MiB]'; cat $D/apps 2>/dev/null; exit 0 ;;\n\
         *-lms*) ;;\n\
         *) header; row 30; exit 0 ;;\n\
         esac\n\
         echo $$ >> $D/pids\n\
         n=$(wc -l < $D/pids)\n\
         {body}\n",
        dir = dir.display(),
        header = query_gpu_header(),
        row = row_template().replace("16376, 100, 16276", memory),
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Streams a row every 50 ms, the temperature going 32, 33, ... 70, 31, 32,
/// ...: never the 30 of the one-shot start-up probe.
const STREAM: &str =
    "header; i=0; while :; do i=$((i + 1)); row $((31 + i % 40)); sleep 0.05; done";

/// A running exporter binary, its log and its address; killed when dropped.
struct Exporter {
    child: Child,
    addr: String,
    log: Arc<Mutex<String>>,
    dir: PathBuf,
}

impl Exporter {
    /// Starts the exporter with the fake running `body` and a 300 ms
    /// timeout.
    fn start(name: &str, body: &str) -> Exporter {
        Exporter::start_with_timeout(name, body, "300ms")
    }

    /// Starts it with `--collector.gpu.timeout timeout`: long where a test
    /// counts children, so that a loaded machine cannot make a healthy
    /// stream look hung.
    fn start_with_timeout(name: &str, body: &str, timeout: &str) -> Exporter {
        let dir = common::tmp_dir(name);
        let smi = fake_nvidia_smi(&dir, body);
        Exporter::launch(dir, &smi, timeout)
    }

    /// Starts the exporter on the fake `smi` in `dir`.
    fn launch(dir: PathBuf, smi: &Path, timeout: &str) -> Exporter {
        let mut cmd = Command::new(BIN);
        cmd.args([
            "--web.listen-address",
            "127.0.0.1:0",
            "--log.level",
            "debug",
            "--collector.disable-defaults",
            "--collector.gpu",
            "--no-host-label",
            "--collector.gpu.interval",
            "50ms",
            "--collector.gpu.timeout",
            timeout,
            "--collector.gpu.nvidia-smi",
        ])
        .arg(smi);
        let (child, log, addr) = common::spawn_listening(&mut cmd, DEADLINE);
        Exporter {
            child,
            addr,
            log,
            dir,
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits for a log line containing `needle`; returns it.
    fn wait_log(&self, needle: &str) -> String {
        common::wait_log(&self.log, needle, DEADLINE)
    }

    /// One scrape: samples, and how long it took.
    fn scrape(&self) -> (BTreeMap<String, f64>, Duration) {
        let start = Instant::now();
        let r = common::request(&self.addr, "GET", "/metrics");
        let took = start.elapsed();
        assert_eq!(r.status, 200, "{}", r.body);
        (common::samples(&r.body), took)
    }

    /// Scrapes until `ok` holds for the samples; returns them.
    fn scrape_until(
        &self,
        what: &str,
        ok: impl Fn(&BTreeMap<String, f64>) -> bool,
    ) -> BTreeMap<String, f64> {
        let start = Instant::now();
        loop {
            let (s, _) = self.scrape();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "never {what}: {s:?}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Pids of the streaming calls so far, in order.
    fn pids(&self) -> Vec<u32> {
        std::fs::read_to_string(self.dir.join("pids"))
            .unwrap_or_default()
            .lines()
            .map(|l| l.trim().parse().unwrap())
            .collect()
    }

    fn wait_pids(&self, count: usize) -> Vec<u32> {
        let start = Instant::now();
        loop {
            let pids = self.pids();
            if pids.len() >= count {
                return pids;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "only {} streaming calls: {pids:?}\n{}",
                pids.len(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn sigterm(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serving(s: &BTreeMap<String, f64>) -> bool {
    s.get(SUCCESS) == Some(&1.0) && s.contains_key(TEMPERATURE)
}

/// Serving a sample of the stream, not the one of the start-up probe.
fn streaming(s: &BTreeMap<String, f64>) -> bool {
    serving(s) && s[TEMPERATURE] != 30.0
}

fn not_serving(s: &BTreeMap<String, f64>) -> bool {
    s.get(SUCCESS) == Some(&0.0) && !s.contains_key(TEMPERATURE)
}

/// `(ppid, state)` of process `pid`, or `None` when it no longer exists.
fn proc_stat(pid: u32) -> Option<(u32, char)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    let mut f = rest.split_whitespace();
    let state = f.next()?.chars().next()?;
    let ppid = f.next()?.parse().ok()?;
    Some((ppid, state))
}

/// The children of `parent` and their states, from `/proc`.
fn children(parent: u32) -> Vec<(u32, char)> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let (ppid, state) = proc_stat(pid)?;
            (ppid == parent).then_some((pid, state))
        })
        .collect()
}

/// Waits until `pid` is not running: gone, or a zombie that is not
/// `parent`'s (one waiting for whichever process adopted it).
fn wait_not_running(pid: u32, parent: u32) {
    let start = Instant::now();
    loop {
        match proc_stat(pid) {
            None => return,
            Some((ppid, 'Z')) if ppid != parent => return,
            other => assert!(
                start.elapsed() < DEADLINE,
                "{pid} still there: {other:?} (parent {parent})"
            ),
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn streamed_values_are_served_and_change_over_time() {
    let e = Exporter::start_with_timeout("stream-values", STREAM, "10s");
    let first = e.scrape_until("streaming", streaming)[TEMPERATURE];
    let later = e.scrape_until("a new temperature", |s| {
        streaming(s) && s[TEMPERATURE] != first
    });
    assert!((31.0..=70.0).contains(&later[TEMPERATURE]), "{later:?}");
    // One child the whole time, its pid the exporter's child.
    let pids = e.pids();
    assert_eq!(pids.len(), 1, "{}", e.log());
    assert_eq!(proc_stat(pids[0]).map(|(ppid, _)| ppid), Some(e.child.id()));
    e.wait_log("gpu: started `");
}

#[test]
fn a_stalled_stream_is_not_waited_for_goes_stale_and_is_killed_and_restarted() {
    // The first child prints one row and hangs; later ones stay silent until
    // the test releases them, then stream.
    let body = format!(
        "if [ \"$n\" -eq 1 ]; then header; row 42; exec sleep 1000; fi\n\
         while [ ! -e $D/release ]; do sleep 0.02; done\n{STREAM}"
    );
    let e = Exporter::start("stream-stall", &body);
    e.scrape_until("serving", serving);
    // While nvidia-smi is silent, scrapes answer at once, and once the
    // sample is older than the limit its values are absent.
    let start = Instant::now();
    loop {
        let (s, took) = e.scrape();
        assert!(took < Duration::from_secs(1), "scrape took {took:?}");
        if not_serving(&s) {
            break;
        }
        assert!(start.elapsed() < DEADLINE, "never stale: {s:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..5 {
        let (s, took) = e.scrape();
        assert!(took < Duration::from_secs(1), "scrape took {took:?}");
        assert!(not_serving(&s), "{s:?}");
    }
    // The log names the command and why.
    let line = e.wait_log("printed no valid line for 350ms");
    assert!(line.contains("nvidia-smi --query-gpu=<39 fields> --format=csv,nounits -lms 50"));
    let pids = e.wait_pids(2);
    wait_not_running(pids[0], e.child.id());
    std::fs::write(e.dir.join("release"), "").unwrap();
    let s = e.scrape_until("streaming again", streaming);
    assert_ne!(s[TEMPERATURE], 42.0);
}

#[test]
fn a_child_that_ignores_sigterm_is_killed_with_sigkill_and_reaped() {
    // The first child ignores SIGTERM (its sleep inherits that) and hangs
    // after one row; later ones stream.
    let body = format!(
        "if [ \"$n\" -eq 1 ]; then trap '' TERM; header; row 42; sleep 1000; sleep 1000; fi\n{STREAM}"
    );
    let e = Exporter::start("stream-ignore-term", &body);
    e.wait_log("ignored SIGTERM, killed with SIGKILL");
    let pids = e.wait_pids(2);
    wait_not_running(pids[0], e.child.id());
    e.scrape_until("streaming again", |s| {
        streaming(s) && s[TEMPERATURE] != 42.0
    });
    // No zombie among the exporter's children: only the streaming one, alive.
    let start = Instant::now();
    loop {
        let kids = children(e.child.id());
        if kids.iter().all(|(_, state)| *state != 'Z') && kids.len() == 1 {
            assert_eq!(kids[0].0, *e.pids().last().unwrap());
            break;
        }
        assert!(start.elapsed() < DEADLINE, "children: {kids:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn garbage_is_logged_as_a_parse_error_and_the_last_sample_expires() {
    // The first child prints two rows then garbage; every later one only
    // garbage (no header either).
    let body = "if [ \"$n\" -eq 1 ]; then header; row 42; row 43; fi\n\
                while :; do echo 'this is not csv at all'; sleep 0.05; done";
    let e = Exporter::start("stream-garbage", body);
    let line = e.wait_log("printed a line that does not parse");
    assert!(line.contains("nvidia-smi --query-gpu"), "{line}");
    assert!(line.contains("this is not csv at all"), "{line}");
    // Garbage keeps no sample alive: values absent, failure reported, and
    // that stays so.
    e.scrape_until("stale", not_serving);
    for _ in 0..10 {
        assert!(not_serving(&e.scrape().0));
        std::thread::sleep(Duration::from_millis(20));
    }
    // A child that prints only garbage is restarted like a silent one.
    e.wait_log("printed no valid line");
}

#[test]
fn a_child_that_exits_is_restarted_with_growing_backoff() {
    let body = "header; row 42; echo 'NVIDIA-SMI has failed' >&2; exit 3";
    let e = Exporter::start("stream-exit", body);
    e.wait_pids(4);
    let log = e.log();
    let waits: Vec<u64> = log
        .lines()
        .filter(|l| l.contains("exited with exit status: 3: NVIDIA-SMI has failed"))
        .map(|l| {
            let ms = l.split("restarting it in ").nth(1).unwrap();
            ms.trim_end_matches("ms").parse().unwrap()
        })
        .collect();
    assert!(waits.len() >= 3, "{log}");
    assert_eq!(&waits[..3], [50, 100, 200], "{log}");
    // Every exited child was reaped.
    for pid in &e.pids()[..3] {
        wait_not_running(*pid, e.child.id());
    }
}

#[test]
fn sigterm_to_the_exporter_leaves_no_child_or_grandchild_running() {
    // The child ignores SIGTERM and starts a grandchild that does too.
    let body = format!("trap '' TERM\nsleep 1000 & echo $! >> $D/grandchildren\n{STREAM}");
    let mut e = Exporter::start_with_timeout("stream-sigterm", &body, "10s");
    e.scrape_until("streaming", streaming);
    let pids = e.pids();
    let grandchildren: Vec<u32> = std::fs::read_to_string(e.dir.join("grandchildren"))
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!((pids.len(), grandchildren.len()), (1, 1));
    let exporter = e.child.id();
    e.sigterm();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = e.child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < DEADLINE, "the exporter did not exit");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(0), "{}", e.log());
    for pid in pids.iter().chain(&grandchildren) {
        wait_not_running(*pid, exporter);
    }
}

#[test]
fn a_gb10s_process_memory_comes_from_a_poll_that_never_blocks_a_scrape() {
    const PROCESS_MEMORY: &str = "gpu_process_memory_used_bytes{gpu=\"0\"}";
    let dir = common::tmp_dir("stream-gb10");
    std::fs::write(dir.join("apps"), "GPU-1, 4242, 1024\n").unwrap();
    let smi = fake_nvidia_smi_with(&dir, "[N/A], [N/A], [N/A]", STREAM);
    let e = Exporter::launch(dir, &smi, "300ms");
    let s = e.scrape_until("process memory", |s| {
        streaming(s) && s.get(PROCESS_MEMORY) == Some(&(1024.0 * 1_048_576.0))
    });
    assert!(
        !s.contains_key("gpu_memory_total_bytes{gpu=\"0\"}"),
        "{s:?}"
    );
    // --query-compute-apps hangs from now on: each poll is killed at its
    // deadline, scrapes do not wait for it, and once the last result is
    // stale the sum is absent and failure reported; the GPU's own values
    // are still served.
    std::fs::write(e.dir.join("apps-hang"), "").unwrap();
    let start = Instant::now();
    loop {
        let (s, took) = e.scrape();
        assert!(took < Duration::from_secs(1), "scrape took {took:?}");
        if s[SUCCESS] == 0.0 && !s.contains_key(PROCESS_MEMORY) {
            assert!(s.contains_key(TEMPERATURE), "{s:?}");
            break;
        }
        assert!(start.elapsed() < DEADLINE, "{s:?}\n{}", e.log());
        std::thread::sleep(Duration::from_millis(10));
    }
    e.wait_log("no exit within 0.3s, killed it");
    std::fs::remove_file(e.dir.join("apps-hang")).unwrap();
    e.scrape_until("process memory again", |s| {
        streaming(s) && s.contains_key(PROCESS_MEMORY) && s[SUCCESS] == 1.0
    });
}

#[test]
fn sigkill_to_the_exporter_still_ends_its_streaming_child() {
    // Nothing can run in a process killed with SIGKILL: the child goes
    // because it was started to die with its parent (PR_SET_PDEATHSIG). It
    // ignores SIGPIPE, so writing to the closed pipe does not end it, as it
    // would not end a hung nvidia-smi that writes nothing.
    let body = format!("trap '' PIPE\n{STREAM}");
    let mut e = Exporter::start_with_timeout("stream-sigkill", &body, "10s");
    e.scrape_until("streaming", streaming);
    let pids = e.pids();
    assert_eq!(pids.len(), 1);
    let exporter = e.child.id();
    e.child.kill().unwrap();
    e.child.wait().unwrap();
    wait_not_running(pids[0], exporter);
}

#[test]
fn once_prints_gpu_values_from_a_one_shot_call_without_streaming() {
    let dir = common::tmp_dir("stream-once");
    let smi = fake_nvidia_smi(&dir, STREAM);
    let out = Command::new(BIN)
        .args([
            "--once",
            "--collector.disable-defaults",
            "--collector.gpu",
            "--no-host-label",
            "--collector.gpu.nvidia-smi",
        ])
        .arg(&smi)
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = common::samples(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(s[TEMPERATURE], 30.0);
    assert_eq!(s[SUCCESS], 1.0);
    assert!(!dir.join("pids").exists(), "no streaming call");
}
