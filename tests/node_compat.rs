//! The exporter is a drop-in for node_exporter 1.x on the collectors cpu,
//! stat, meminfo, loadavg, diskstats, netdev, netclass, filesystem,
//! thermal_zone, hwmon, cpufreq, pressure, uname and infiniband. This test
//! holds it to that: for every fixture (`fixtures/*/` with a `PROVENANCE.md`)
//! it runs Debian's `prometheus-node-exporter` (1.5.0) on the fixture's files,
//! scrapes it once, renders the exporter's exposition of the same fixture,
//! and compares every series of those collectors' families: same series
//! (name and label set), same value, same `# TYPE`. All problems of all
//! fixtures are reported together.
//!
//! The only accepted differences are the rows of the README section
//! "Differences from node_exporter": `values` (series matched by labels,
//! values not compared) or `series` (series may be missing on either side).
//! A row that no fixture needs any more fails the test, so the list stays
//! true.
//!
//! Without `prometheus-node-exporter` the test says so and passes, except
//! under CI (`CI` set), where `.ci/run` installs it and its absence is a
//! failure.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dgx_spark_exporter::collect::DEFAULT_DISK_EXCLUDE;

/// The node_exporter binary of Debian's `prometheus-node-exporter` package.
const NODE_EXPORTER: &str = "prometheus-node-exporter";

/// Families compared: those of the collectors listed in the module doc.
/// A family is compared when its name starts with one of these.
const FAMILY_PREFIXES: &[&str] = &[
    "node_cpu_",
    "node_boot_time_seconds",
    "node_context_switches_total",
    "node_forks_total",
    "node_intr_total",
    "node_procs_",
    "node_memory_",
    "node_load1",
    "node_load5",
    "node_load15",
    "node_disk_",
    "node_network_",
    "node_filesystem_",
    "node_thermal_zone_",
    "node_cooling_device_",
    "node_hwmon_",
    "node_pressure_",
    "node_uname_",
    "node_infiniband_",
];

/// The README section that lists the accepted differences.
const DIFFERENCES_HEADING: &str = "## Differences from node_exporter";

/// At most this many lines of problems are printed; the rest are counted.
const REPORT_LINES: usize = 200;

/// At most this many series are listed per fixture, family and kind of
/// problem; the rest of the group is one "... N more" line.
const LINES_PER_GROUP: usize = 3;

/// How long node_exporter may take to start answering.
const START_TIMEOUT: Duration = Duration::from_secs(5);

#[test]
fn node_exporter_and_the_exporter_agree_on_every_fixture() {
    if Command::new(NODE_EXPORTER)
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install prometheus-node-exporter (Debian package prometheus-node-exporter)"
        );
        eprintln!(
            "{NODE_EXPORTER} not installed: skipping the node_exporter comparison \
             (apt-get install prometheus-node-exporter)"
        );
        return;
    }
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&readme_path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", readme_path.display()));
    let allowed = parse_differences(&readme).unwrap_or_else(|e| panic!("README.md: {e}"));

    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(common::fixture(""))
        .expect("listing fixtures/")
        .map(|e| e.expect("reading an entry of fixtures/").path())
        .filter(|d| d.join("PROVENANCE.md").exists())
        .collect();
    fixtures.sort();
    assert!(!fixtures.is_empty(), "no fixtures/*/PROVENANCE.md found");

    let logs = common::tmp_dir("node-compat");
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    for dir in &fixtures {
        let name = dir
            .file_name()
            .expect("a fixture directory has a name")
            .to_string_lossy()
            .into_owned();
        let ne_text = node_exporter_metrics(dir, &logs.join(format!("{name}.log")));
        let ex_text = common::render_fixture(dir);
        let (ne, ex) = match (parse(&ne_text), parse(&ex_text)) {
            (Ok(ne), Ok(ex)) => (ne, ex),
            (ne, ex) => {
                for (side, r) in [("node_exporter", ne), ("exporter", ex)] {
                    if let Err(e) = r {
                        problems.push(Problem::other(&name, format!("{side} output: {e}")));
                    }
                }
                continue;
            }
        };
        let counts = compare(&name, &ne, &ex, &allowed, &mut used, &mut problems);
        eprintln!(
            "node_compat {name}: node_exporter {} series, exporter {} series, \
             {} compared, {} matched, {} values not compared (README), \
             {} only in node_exporter, {} only in exporter; \
             node_exporter collectors that failed (nothing to compare): {}",
            counts.node_exporter,
            counts.exporter,
            counts.compared,
            counts.matched,
            counts.exempt,
            counts.only_node_exporter,
            counts.only_exporter,
            Some(failed_collectors(&ne).join(", "))
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| "none".into()),
        );
    }
    for (family, kind) in &allowed {
        if !used.contains(&(family.clone(), *kind)) {
            problems.push(Problem::other(
                "README.md",
                format!(
                    "stale row `{family}` | {}: no fixture shows that difference; remove the row",
                    kind.word()
                ),
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&logs);
    assert!(problems.is_empty(), "{}", report(&problems));
}

// ---------------------------------------------------------------------------
// Running node_exporter

/// A running node_exporter, killed and reaped when dropped (also when an
/// assertion fails while it runs).
struct NodeExporter {
    child: Child,
}

impl Drop for NodeExporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// node_exporter's flags for fixture `dir`, listening on `port`.
fn node_exporter_args(dir: &Path, port: u16) -> Vec<String> {
    let f = dir.display();
    let mut args = vec![
        "--collector.disable-defaults".to_string(),
        format!("--path.procfs={f}/proc"),
        format!("--path.sysfs={f}/sys"),
        format!("--path.rootfs={f}"),
        format!("--path.udev.data={f}/run/udev/data"),
        "--no-collector.netdev.netlink".to_string(),
        "--collector.netclass.ignore-invalid-speed".to_string(),
        format!("--collector.diskstats.device-exclude={DEFAULT_DISK_EXCLUDE}"),
    ];
    for collector in [
        "cpu",
        "cpu.guest",
        "stat",
        "meminfo",
        "loadavg",
        "diskstats",
        "netdev",
        "netclass",
        "filesystem",
        "thermal_zone",
        "hwmon",
        "cpufreq",
        "pressure",
        "uname",
        "infiniband",
    ] {
        args.push(format!("--collector.{collector}"));
    }
    args.push(format!("--web.listen-address=127.0.0.1:{port}"));
    args
}

/// A loopback port free a moment ago, never 9100 (where the Debian package's
/// own service listens).
fn free_port() -> u16 {
    loop {
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding 127.0.0.1:0");
        let port = l
            .local_addr()
            .expect("local address of a bound listener")
            .port();
        if port != 9100 {
            return port;
        }
    }
}

/// One scrape of node_exporter run on fixture `dir`; its stderr goes to
/// `log`, quoted when it fails.
fn node_exporter_metrics(dir: &Path, log: &Path) -> String {
    let log_text = || std::fs::read_to_string(log).unwrap_or_default();
    // The port is free when picked but may be taken before node_exporter
    // binds it; node_exporter then exits, and we try another.
    for attempt in 1..=3 {
        let port = free_port();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let stderr =
            File::create(log).unwrap_or_else(|e| panic!("creating {}: {e}", log.display()));
        let mut ne = NodeExporter {
            child: Command::new(NODE_EXPORTER)
                .args(node_exporter_args(dir, port))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn()
                .unwrap_or_else(|e| panic!("starting {NODE_EXPORTER}: {e}")),
        };
        let deadline = Instant::now() + START_TIMEOUT;
        let mut exited = None;
        while Instant::now() < deadline {
            if let Some(status) = ne.child.try_wait().expect("polling node_exporter") {
                exited = Some(status);
                break;
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                let body = get_metrics(addr);
                assert!(
                    ne.child
                        .try_wait()
                        .expect("polling node_exporter")
                        .is_none(),
                    "node_exporter on {} exited while scraped; its log:\n{}",
                    dir.display(),
                    log_text()
                );
                return body;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        match exited {
            Some(_) if attempt < 3 => continue,
            Some(status) => panic!(
                "node_exporter on {} exited ({status}); its log:\n{}",
                dir.display(),
                log_text()
            ),
            None => panic!(
                "node_exporter on {} did not answer on {addr} within {START_TIMEOUT:?}; its log:\n{}",
                dir.display(),
                log_text()
            ),
        }
    }
    unreachable!("the last attempt returns or panics")
}

/// The body of `GET /metrics` at `addr`. HTTP/1.0, so that the Go server
/// sends the body as is; to HTTP/1.1 (`common::request`) it answers chunked.
fn get_metrics(addr: SocketAddr) -> String {
    let mut s = TcpStream::connect(addr).expect("connecting to node_exporter");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("setting a read timeout");
    s.write_all(b"GET /metrics HTTP/1.0\r\nHost: test\r\n\r\n")
        .expect("sending the request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)
        .expect("reading node_exporter's response");
    let raw = String::from_utf8(raw).expect("node_exporter's response is UTF-8");
    let (head, body) = raw.split_once("\r\n\r\n").expect("an HTTP response head");
    assert!(
        head.starts_with("HTTP/1.0 200 ") || head.starts_with("HTTP/1.1 200 "),
        "node_exporter answered /metrics with:\n{head}"
    );
    body.to_string()
}

// ---------------------------------------------------------------------------
// Text-format parsing

/// A series: metric name and its labels, sorted by label name.
type Series = (String, Vec<(String, String)>);

/// One parsed exposition.
#[derive(Debug, Default)]
struct Exposition {
    /// `# TYPE` per family.
    types: BTreeMap<String, String>,
    /// Every sample's value.
    samples: BTreeMap<Series, f64>,
}

/// Parses the Prometheus text format (0.0.4): `# TYPE` lines, samples.
fn parse(text: &str) -> Result<Exposition, String> {
    let mut e = Exposition::default();
    for (n, line) in text.lines().enumerate() {
        let at = |msg: String| format!("line {}: {msg}: {line:?}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let words: Vec<&str> = comment.split_whitespace().collect();
            if words.first() == Some(&"TYPE") {
                let [_, name, kind] = words[..] else {
                    return Err(at("a # TYPE line has a name and a type".into()));
                };
                if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) {
                    return Err(at(format!("unknown type {kind:?}")));
                }
                if e.types.insert(name.to_string(), kind.to_string()).is_some() {
                    return Err(at(format!("second # TYPE for {name}")));
                }
            }
            continue;
        }
        let (series, value) = parse_sample(line).map_err(at)?;
        if e.samples.insert(series, value).is_some() {
            return Err(at("duplicate series".into()));
        }
    }
    Ok(e)
}

fn is_name(s: &str, colon: bool) -> bool {
    let ok = |c: char| c == '_' || c.is_ascii_alphabetic() || (colon && c == ':');
    let mut chars = s.chars();
    chars.next().is_some_and(ok) && chars.all(|c| ok(c) || c.is_ascii_digit())
}

/// `name{label="value",...} value [timestamp]`.
fn parse_sample(line: &str) -> Result<(Series, f64), String> {
    let end = line.find(['{', ' ', '\t']).ok_or("no value")?;
    let name = &line[..end];
    if !is_name(name, true) {
        return Err(format!("bad metric name {name:?}"));
    }
    let mut rest = &line[end..];
    let mut labels: Vec<(String, String)> = Vec::new();
    if let Some(mut r) = rest.strip_prefix('{') {
        loop {
            r = r.trim_start();
            if let Some(after) = r.strip_prefix('}') {
                rest = after;
                break;
            }
            let eq = r.find('=').ok_or("label without '='")?;
            let label = r[..eq].trim();
            if !is_name(label, false) {
                return Err(format!("bad label name {label:?}"));
            }
            let quoted = r[eq + 1..]
                .trim_start()
                .strip_prefix('"')
                .ok_or("label value not quoted")?;
            let (value, after) = common::label_value(quoted)?;
            if labels.iter().any(|(l, _)| l == label) {
                return Err(format!("label {label:?} twice"));
            }
            labels.push((label.to_string(), value));
            r = after.trim_start();
            if let Some(after) = r.strip_prefix(',') {
                r = after;
            } else if !r.starts_with('}') {
                return Err("expected ',' or '}' after a label".into());
            }
        }
    }
    if !rest.starts_with([' ', '\t']) {
        return Err("no blank before the value".into());
    }
    let mut words = rest.split_whitespace();
    let value = words.next().ok_or("no value")?;
    let value: f64 = value.parse().map_err(|_| format!("bad value {value:?}"))?;
    if let Some(ts) = words.next() {
        ts.parse::<i64>()
            .map_err(|_| format!("bad timestamp {ts:?}"))?;
    }
    if words.next().is_some() {
        return Err("text after the timestamp".into());
    }
    labels.sort();
    Ok(((name.to_string(), labels), value))
}

/// The family of a sample named `name`: itself, or for histogram and
/// summary samples the name without `_bucket`, `_sum` or `_count`.
fn family_of<'a>(name: &'a str, types: &BTreeMap<String, String>) -> &'a str {
    if !types.contains_key(name) {
        for suffix in ["_bucket", "_sum", "_count"] {
            if let Some(base) = name.strip_suffix(suffix)
                && types.contains_key(base)
            {
                return base;
            }
        }
    }
    name
}

/// The collectors node_exporter reports as failed
/// (`node_scrape_collector_success{collector="..."} 0`), e.g. for lack of a
/// file in the fixture: their families are simply absent on its side.
fn failed_collectors(e: &Exposition) -> Vec<&str> {
    e.samples
        .iter()
        .filter(|((name, _), v)| name == "node_scrape_collector_success" && **v == 0.0)
        .flat_map(|((_, labels), _)| labels.iter())
        .filter(|(l, _)| l == "collector")
        .map(|(_, c)| c.as_str())
        .collect()
}

fn compared_family(family: &str) -> bool {
    FAMILY_PREFIXES.iter().any(|p| family.starts_with(p))
}

fn escape(v: &str) -> String {
    v.replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', r"\n")
}

fn show((name, labels): &Series) -> String {
    if labels.is_empty() {
        return name.clone();
    }
    let labels: Vec<String> = labels
        .iter()
        .map(|(l, v)| format!("{l}=\"{}\"", escape(v)))
        .collect();
    format!("{name}{{{}}}", labels.join(","))
}

// ---------------------------------------------------------------------------
// Comparing

/// Values are equal: exactly when both are integers below 2^53, else within
/// a relative 1e-9; NaN equals NaN, an infinity only itself.
fn same_value(a: f64, b: f64) -> bool {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    let integer = |v: f64| v.fract() == 0.0 && v.abs() < EXACT;
    if a.is_nan() || b.is_nan() {
        a.is_nan() && b.is_nan()
    } else if a.is_infinite() || b.is_infinite() || (integer(a) && integer(b)) {
        a == b
    } else {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
    }
}

/// The kinds of accepted difference (the README's second column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Series matched by labels, values not compared.
    Values,
    /// Series may be missing on either side.
    Series,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Values => "values",
            Kind::Series => "series",
        }
    }
}

/// The accepted differences: (family, kind).
type Allowed = BTreeSet<(String, Kind)>;

/// The rows of the README section [`DIFFERENCES_HEADING`]:
/// `` | `family` | values | reason | `` or `` | `family` | series | reason | ``.
fn parse_differences(readme: &str) -> Result<Allowed, String> {
    let mut lines = readme
        .lines()
        .skip_while(|l| l.trim_end() != DIFFERENCES_HEADING);
    if lines.next().is_none() {
        return Err(format!("no section {DIFFERENCES_HEADING:?}"));
    }
    let mut allowed = Allowed::new();
    let mut header = false;
    for line in lines.take_while(|l| !l.starts_with("## ")) {
        let line = line.trim();
        if !line.starts_with('|') {
            continue;
        }
        if line == "| family | differs in | why |" {
            header = true;
            continue;
        }
        if line == "|---|---|---|" {
            continue;
        }
        let bad = |why: &str| format!("{DIFFERENCES_HEADING}: {why}: {line:?}");
        if !header {
            return Err(bad(
                "a row before the table header `| family | differs in | why |`",
            ));
        }
        let cells: Vec<&str> = line
            .strip_prefix('|')
            .and_then(|l| l.strip_suffix('|'))
            .ok_or_else(|| bad("a row starts and ends with '|'"))?
            .splitn(3, '|')
            .map(str::trim)
            .collect();
        let [family, kind, reason] = cells[..] else {
            return Err(bad("a row has three cells"));
        };
        let family = family
            .strip_prefix('`')
            .and_then(|f| f.strip_suffix('`'))
            .filter(|f| is_name(f, true))
            .ok_or_else(|| bad("the first cell is a family name in backticks"))?;
        if !compared_family(family) {
            return Err(bad(
                "the family is not one this test compares (FAMILY_PREFIXES)",
            ));
        }
        let kind = match kind {
            "values" => Kind::Values,
            "series" => Kind::Series,
            _ => return Err(bad("the second cell is `values` or `series`")),
        };
        if reason.is_empty() {
            return Err(bad("the third cell gives the reason"));
        }
        if !allowed.insert((family.to_string(), kind)) {
            return Err(bad("a row given twice"));
        }
    }
    if !header {
        return Err(format!(
            "{DIFFERENCES_HEADING}: no table header `| family | differs in | why |`"
        ));
    }
    Ok(allowed)
}

/// What went wrong, in a form that groups and sorts.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Problem {
    fixture: String,
    family: String,
    /// "value", "only in node_exporter", "only in exporter", "type", ...
    what: &'static str,
    /// The full line.
    text: String,
}

impl Problem {
    fn other(fixture: &str, text: String) -> Problem {
        Problem {
            fixture: fixture.to_string(),
            family: String::new(),
            what: "",
            text: format!("{fixture}: {text}"),
        }
    }
}

/// Series counts of one fixture's comparison.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    node_exporter: usize,
    exporter: usize,
    /// Series both export.
    compared: usize,
    /// Of those, with the same value.
    matched: usize,
    /// Of those, in a `values` family of the README.
    exempt: usize,
    only_node_exporter: usize,
    only_exporter: usize,
}

/// Compares the compared families of `ne` (node_exporter) and `ex` (the
/// exporter) for `fixture`, adding to `problems` and recording in `used`
/// which accepted differences occurred.
fn compare(
    fixture: &str,
    ne: &Exposition,
    ex: &Exposition,
    allowed: &Allowed,
    used: &mut Allowed,
    problems: &mut Vec<Problem>,
) -> Counts {
    let pick = |e: &Exposition| -> BTreeMap<Series, (String, f64)> {
        e.samples
            .iter()
            .filter_map(|(s, v)| {
                let family = family_of(&s.0, &e.types);
                compared_family(family).then(|| (s.clone(), (family.to_string(), *v)))
            })
            .collect()
    };
    let (a, b) = (pick(ne), pick(ex));
    let mut c = Counts {
        node_exporter: a.len(),
        exporter: b.len(),
        ..Counts::default()
    };
    let mut push = |family: &str, what: &'static str, text: String| {
        problems.push(Problem {
            fixture: fixture.to_string(),
            family: family.to_string(),
            what,
            text: format!("{fixture}: {text}"),
        })
    };
    let mut typed = BTreeSet::new();
    for (series, (family, va)) in &a {
        let Some((_, vb)) = b.get(series) else {
            c.only_node_exporter += 1;
            let key = (family.clone(), Kind::Series);
            if allowed.contains(&key) {
                used.insert(key);
            } else {
                push(
                    family,
                    "only in node_exporter",
                    format!("{}: only in node_exporter ({va})", show(series)),
                );
            }
            continue;
        };
        c.compared += 1;
        if typed.insert(family.clone()) {
            let ta = ne.types.get(family).map_or("(none)", String::as_str);
            let tb = ex.types.get(family).map_or("(none)", String::as_str);
            if ta != tb {
                push(
                    family,
                    "type",
                    format!("{family}: # TYPE node_exporter {ta}, exporter {tb}"),
                );
            }
        }
        let key = (family.clone(), Kind::Values);
        if allowed.contains(&key) {
            c.exempt += 1;
            if !same_value(*va, *vb) {
                used.insert(key);
            }
        } else if same_value(*va, *vb) {
            c.matched += 1;
        } else {
            push(
                family,
                "value",
                format!("{}: node_exporter {va}, exporter {vb}", show(series)),
            );
        }
    }
    for (series, (family, vb)) in &b {
        if a.contains_key(series) {
            continue;
        }
        c.only_exporter += 1;
        let key = (family.clone(), Kind::Series);
        if allowed.contains(&key) {
            used.insert(key);
        } else {
            push(
                family,
                "only in exporter",
                format!("{}: only in exporter ({vb})", show(series)),
            );
        }
    }
    if c.node_exporter == 0 {
        push(
            "",
            "",
            "node_exporter exported no series of the compared families".into(),
        );
    }
    if c.compared == 0 {
        push("", "", "no series in common with node_exporter".into());
    }
    c
}

/// The failure message: problems grouped by fixture, family and kind, a few
/// series per group, at most [`REPORT_LINES`] lines.
fn report(problems: &[Problem]) -> String {
    let mut sorted: Vec<&Problem> = problems.iter().collect();
    sorted.sort();
    let mut lines = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let p = sorted[i];
        let group = sorted[i..]
            .iter()
            .take_while(|q| (&q.fixture, &q.family, q.what) == (&p.fixture, &p.family, p.what))
            .count();
        let shown = if p.what.is_empty() {
            group
        } else {
            group.min(LINES_PER_GROUP)
        };
        lines.extend(sorted[i..i + shown].iter().map(|q| q.text.clone()));
        if shown < group {
            lines.push(format!(
                "{}: {}: ... {} more {}",
                p.fixture,
                p.family,
                group - shown,
                p.what
            ));
        }
        i += group;
    }
    let mut out = format!(
        "{} differences from node_exporter (accepted ones are listed in README.md, \
         section {DIFFERENCES_HEADING:?}):\n",
        problems.len()
    );
    for line in lines.iter().take(REPORT_LINES) {
        let _ = writeln!(out, "{line}");
    }
    if lines.len() > REPORT_LINES {
        let _ = writeln!(out, "... and {} more lines", lines.len() - REPORT_LINES);
    }
    out
}

// ---------------------------------------------------------------------------
// Tests of the harness itself

#[test]
fn parser_reads_escapes_exponents_and_special_values() {
    let text = concat!(
        "# HELP a_total Help with \\\\ and \\n.\n",
        "# TYPE a_total counter\n",
        "a_total{z=\"2\",a=\"q\\\"uote\\\\back\\nline\"} 1.25e+09\n",
        "b NaN\n",
        "c{x=\"}{,=\",} +Inf 1700000000000\n",
        "d -Inf\n",
        "e{} -3.5E-3\n",
        "\n",
    );
    let e = parse(text).expect("valid exposition");
    assert_eq!(e.types.get("a_total").map(String::as_str), Some("counter"));
    let labels = vec![
        ("a".to_string(), "q\"uote\\back\nline".to_string()),
        ("z".to_string(), "2".to_string()),
    ];
    assert_eq!(e.samples[&("a_total".to_string(), labels)], 1.25e9);
    assert!(e.samples[&("b".to_string(), vec![])].is_nan());
    let c = ("c".to_string(), vec![("x".to_string(), "}{,=".to_string())]);
    assert_eq!(e.samples[&c], f64::INFINITY);
    assert_eq!(e.samples[&("d".to_string(), vec![])], f64::NEG_INFINITY);
    assert_eq!(e.samples[&("e".to_string(), vec![])], -0.0035);
    assert_eq!(
        show(&("a_total".to_string(), vec![("a".into(), "q\"\\\n".into())])),
        r#"a_total{a="q\"\\\n"}"#
    );
}

#[test]
fn parser_rejects_malformed_lines() {
    for bad in [
        "a{b=\"c\\t\"} 1",
        "a{b=\"c} 1",
        "a{b=c} 1",
        "a{b=\"1\",b=\"2\"} 1",
        "a 1x",
        "a",
        "a{b=\"c\"}1",
        "1a 1",
        "a 1 2 3",
        "a 1\na 2",
        "# TYPE a counter\n# TYPE a gauge",
        "# TYPE a sometype",
    ] {
        assert!(parse(bad).is_err(), "accepted {bad:?}");
    }
}

#[test]
fn values_compare_exactly_as_integers_and_relatively_otherwise() {
    assert!(same_value(3.0, 3.0));
    assert!(!same_value(1_000_000_000_000.0, 1_000_000_000_001.0));
    assert!(same_value(41.7, 41.7 * (1.0 + 1e-12)));
    assert!(!same_value(41.7, 41.7 * (1.0 + 1e-8)));
    // One side an integer, the other not: relative.
    assert!(same_value(3.0, 3.0 + 1e-12));
    // At and above 2^53 integers are not exact any more: relative.
    assert!(same_value(9_007_199_254_740_992.0, 9_007_199_254_740_994.0));
    assert!(same_value(f64::NAN, f64::NAN));
    assert!(!same_value(f64::NAN, 0.0));
    assert!(same_value(f64::INFINITY, f64::INFINITY));
    assert!(!same_value(f64::INFINITY, f64::NEG_INFINITY));
    assert!(!same_value(f64::INFINITY, 1e300));
    assert!(same_value(0.0, -0.0));
}

const DIFFS_HEAD: &str = "x\n\n## Differences from node_exporter\n\nText.\n\n\
                          | family | differs in | why |\n|---|---|---|\n";

#[test]
fn readme_rows_parse_strictly() {
    let ok = format!(
        "{DIFFS_HEAD}| `node_uname_info` | series | host uname | x |\n\
         | `node_load1` | values | rounding |\n\n## Next\n\n| `x` | bogus | y |\n"
    );
    let allowed = parse_differences(&ok).expect("valid section");
    let want: Allowed = [
        ("node_uname_info".to_string(), Kind::Series),
        ("node_load1".to_string(), Kind::Values),
    ]
    .into();
    assert_eq!(allowed, want);
    assert_eq!(
        parse_differences(DIFFS_HEAD).expect("empty table"),
        Allowed::new()
    );
    for bad in [
        "| `node_load1` | value | typo |\n",
        "| node_load1 | values | no backticks |\n",
        "| `node_load1` | values |  |\n",
        "| `node_load1` | values |\n",
        "| `go_goroutines` | values | not compared |\n",
        "| `node_load1` | values | a |\n| `node_load1` | values | b |\n",
    ] {
        assert!(
            parse_differences(&format!("{DIFFS_HEAD}{bad}")).is_err(),
            "accepted {bad:?}"
        );
    }
    assert!(parse_differences("# README\n").is_err());
}

#[test]
fn comparison_reports_each_kind_and_honours_the_readme() {
    let ne = parse(concat!(
        "# TYPE node_load1 gauge\nnode_load1 0.52\n",
        "# TYPE node_load5 gauge\nnode_load5 0.61\n",
        "# TYPE node_forks_total counter\nnode_forks_total 10\n",
        "# TYPE node_uname_info gauge\nnode_uname_info{nodename=\"vm\"} 1\n",
        "# TYPE node_intr_total counter\nnode_intr_total 5\n",
        "# TYPE go_goroutines gauge\ngo_goroutines 7\n",
    ))
    .expect("valid");
    let ex = parse(concat!(
        "# TYPE node_load1 gauge\nnode_load1 0.52\n",
        "# TYPE node_load5 gauge\nnode_load5 0.6\n",
        "# TYPE node_forks_total gauge\nnode_forks_total 11\n",
        "# TYPE node_uname_info gauge\nnode_uname_info{nodename=\"spark\"} 1\n",
        "# TYPE node_procs_running gauge\nnode_procs_running 2\n",
        "# TYPE cpu_usage_percent gauge\ncpu_usage_percent 5\n",
    ))
    .expect("valid");
    let (mut used, mut problems) = (Allowed::new(), Vec::new());
    let c = compare("f", &ne, &ex, &Allowed::new(), &mut used, &mut problems);
    assert_eq!(
        c,
        Counts {
            node_exporter: 5,
            exporter: 5,
            compared: 3,
            matched: 1,
            exempt: 0,
            only_node_exporter: 2,
            only_exporter: 2,
        }
    );
    let mut texts: Vec<&str> = problems.iter().map(|p| p.text.as_str()).collect();
    texts.sort();
    assert_eq!(
        texts,
        [
            "f: node_forks_total: # TYPE node_exporter counter, exporter gauge",
            "f: node_forks_total: node_exporter 10, exporter 11",
            "f: node_intr_total: only in node_exporter (5)",
            "f: node_load5: node_exporter 0.61, exporter 0.6",
            "f: node_procs_running: only in exporter (2)",
            "f: node_uname_info{nodename=\"spark\"}: only in exporter (1)",
            "f: node_uname_info{nodename=\"vm\"}: only in node_exporter (1)",
        ]
    );

    let allowed: Allowed = [
        ("node_uname_info".to_string(), Kind::Series),
        ("node_load5".to_string(), Kind::Values),
        ("node_load1".to_string(), Kind::Values),
    ]
    .into();
    let (mut used, mut problems) = (Allowed::new(), Vec::new());
    compare("f", &ne, &ex, &allowed, &mut used, &mut problems);
    assert_eq!(problems.len(), 4, "{problems:#?}");
    // node_load1 is listed but equal: not used, so stale.
    let want: Allowed = [
        ("node_uname_info".to_string(), Kind::Series),
        ("node_load5".to_string(), Kind::Values),
    ]
    .into();
    assert_eq!(used, want);

    // An exposition compared with itself has no problems.
    let (mut used, mut problems) = (Allowed::new(), Vec::new());
    let c = compare("f", &ne, &ne, &Allowed::new(), &mut used, &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!((c.compared, c.matched), (5, 5));

    // Nothing in common: the sanity guard fires.
    let empty = Exposition::default();
    let mut problems = Vec::new();
    compare(
        "f",
        &empty,
        &empty,
        &Allowed::new(),
        &mut used,
        &mut problems,
    );
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

#[test]
fn report_is_grouped_and_capped() {
    let problems: Vec<Problem> = (0..1000)
        .map(|i| Problem {
            fixture: "f".into(),
            family: format!("node_memory_{}_bytes", i / 10),
            what: "only in node_exporter",
            text: format!("f: series {i}"),
        })
        .collect();
    let r = report(&problems);
    assert!(r.starts_with("1000 differences"), "{r}");
    assert!(
        r.contains("f: node_memory_0_bytes: ... 7 more only in node_exporter"),
        "{r}"
    );
    assert!(r.ends_with("... and 200 more lines\n"), "{r}");
    assert_eq!(r.lines().count(), 1 + REPORT_LINES + 1);
}
