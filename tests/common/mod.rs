//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::time::Instant;

use dgx_spark_exporter::collect::{Exporter, Options};
use dgx_spark_exporter::metrics;
use dgx_spark_exporter::root::Root;

/// `fixtures/<name>` in the source tree.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// One scrape of a fixture with default options.
pub fn render_fixture(dir: &Path) -> String {
    Exporter::new(Root::replay(dir), Options::default()).render()
}

/// The metric name of a sample line.
fn sample_name(line: &str) -> &str {
    line.split(['{', ' ']).next().unwrap_or("")
}

fn is_volatile(name: &str) -> bool {
    metrics::all().any(|m| m.volatile && m.name == name)
}

/// `text` with every value that differs from run to run or machine to
/// machine blanked: values of volatile metrics (timings, the exporter's own
/// process) and the git revision.
pub fn deterministic(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if !line.starts_with('#') && is_volatile(sample_name(line)) {
            let (series, _) = line.rsplit_once(' ').unwrap();
            let series = series.replace(
                &format!("revision=\"{}\"", dgx_spark_exporter::REVISION),
                "revision=\"<revision>\"",
            );
            out.push_str(&format!("{series} <volatile>\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `text` without the lines of volatile families (HELP/TYPE included).
pub fn without_volatile(text: &str) -> String {
    text.lines()
        .filter(|l| {
            let name = if l.starts_with('#') {
                l.split(' ').nth(2).unwrap_or("")
            } else {
                sample_name(l)
            };
            !is_volatile(name)
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Samples of an exposition: `name{labels}` as written -> value.
pub fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_string(), value.parse::<f64>().unwrap())
        })
        .collect()
}

/// A temporary directory unique to this test process and `name`.
pub fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dse-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Copies directory `src` into `dst` recursively; symlinks (a hwmon chip's
/// relative `device` link) are copied as links with the same target.
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            let target = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(target, &to).unwrap();
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// An HTTP response as the tests see it.
pub struct Response {
    /// Status code.
    pub status: u16,
    /// The head (status line and headers), lower-cased.
    pub headers: String,
    /// The body.
    pub body: String,
}

/// Sends one raw HTTP/1.1 request (`Connection: close`) and reads the whole
/// response, waiting at most 30 s.
pub fn request(addr: impl ToSocketAddrs, method: &str, path: &str) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Response {
        status,
        headers: head.to_lowercase(),
        body: body.to_string(),
    }
}

/// `promtool check metrics` on `text`: its report (stdout and stderr
/// together) and exit code (0 clean, 3 lints only, 1 a parse error), or
/// `None` when promtool is not installed. promtool stops reading at a parse
/// error; the broken pipe that leaves is reported through the result.
pub fn promtool_check_metrics(text: &str) -> Option<(String, Option<i32>)> {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
    let out = child.wait_with_output().unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((report, out.status.code()))
}

/// The lines of a promtool report other than the two lints the project
/// accepts, both on compatibility names: camelCase on node_exporter's
/// `node_memory_<Field>` names (the kernel's field names), and "use base
/// unit" on `nvme_power_on_hours_total`, the name issue 4 gives after the
/// NVMe log page's own unit (the dcmon agent's name).
pub fn unaccepted_lints(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| !(l.starts_with("node_memory_") && l.contains("'camelCase'")))
        .filter(|l| !(l.starts_with("nvme_power_on_hours_total") && l.contains("base unit")))
        .collect()
}

/// Takes `child`'s piped stderr and collects it, line by line, into the
/// returned string from a thread of its own (so the child never blocks on
/// a full pipe).
pub fn capture_stderr(child: &mut Child) -> Arc<Mutex<String>> {
    let log = Arc::new(Mutex::new(String::new()));
    let keep = Arc::clone(&log);
    let err = child.stderr.take().expect("stderr piped");
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let mut l = keep.lock().unwrap();
            l.push_str(&line);
            l.push('\n');
        }
    });
    log
}

/// Waits until a line of `log` contains `needle` and returns it; panics,
/// showing the log, after `deadline`.
pub fn wait_log(log: &Mutex<String>, needle: &str, deadline: Duration) -> String {
    let start = Instant::now();
    loop {
        let text = log.lock().unwrap().clone();
        if let Some(l) = text.lines().find(|l| l.contains(needle)) {
            return l.to_string();
        }
        assert!(
            start.elapsed() < deadline,
            "no log line with {needle:?}:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Spawns the exporter `cmd` (stdin and stdout closed, stderr collected by
/// [`capture_stderr`]) and waits up to `deadline` for its `listening on`
/// line. Returns the child, its log (still growing) and the address. If
/// the line does not come, the child is killed before the panic goes on,
/// so no exporter outlives a failed test.
pub fn spawn_listening(
    cmd: &mut Command,
    deadline: Duration,
) -> (Child, Arc<Mutex<String>>, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = capture_stderr(&mut child);
    let line = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wait_log(&log, "listening on ", deadline)
    }));
    match line {
        Ok(line) => (child, log, listen_address(&line)),
        Err(panic) => {
            let _ = child.kill();
            let _ = child.wait();
            std::panic::resume_unwind(panic)
        }
    }
}

/// The address the exporter logged it listens on: `ADDR` of its line
/// `... listening on ADDR (metrics at ...)`.
pub fn listen_address(line: &str) -> String {
    line.split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("a `listening on ADDR` line")
        .to_string()
}

/// Reads one quoted label value of the text format (0.0.4) from `s`, which
/// starts just after its opening `"`: returns the value with `\\`, `\"` and
/// `\n` undone, and what follows the closing quote.
///
/// Errors: any other escape, a raw line feed, or no closing quote.
pub fn label_value(s: &str) -> Result<(String, &str), String> {
    let mut value = String::new();
    let mut chars = s.char_indices();
    loop {
        match chars.next() {
            None => return Err("unterminated label value".into()),
            Some((i, '"')) => return Ok((value, &s[i + 1..])),
            Some((_, '\\')) => match chars.next() {
                Some((_, '\\')) => value.push('\\'),
                Some((_, '"')) => value.push('"'),
                Some((_, 'n')) => value.push('\n'),
                other => return Err(format!("bad escape in label value: {other:?}")),
            },
            Some((_, '\n')) => return Err("raw line feed in label value".into()),
            Some((_, c)) => value.push(c),
        }
    }
}
