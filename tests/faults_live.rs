//! Faults while the exporter runs: the real binary serves HTTP on a
//! temporary copy of `fixtures/spark` (`--root`), is scraped again and
//! again, and the tree under it is broken between scrapes and while scrapes
//! are in flight: a network interface or hwmon chip vanishes between listing
//! and reading, a file becomes unreadable, a thermal zone has no reading, a
//! `/proc` file is truncated, labels fill with quotes, backslashes and
//! newlines.
//!
//! Each time: the scrape answers 200 with a valid exposition (checked here
//! line by line, and by `promtool check metrics` when it is installed), the
//! affected collector reports 0 or the affected values are absent (never a
//! made-up value such as 0), and every other series equals a clean scrape
//! of the same server. After the tree is repaired the output is the clean
//! one again.
//!
//! `tests/faults.rs` has the single-scrape versions (in-process, no HTTP).
//!
//! Two faults cannot be made with plain files, and what stands in for them:
//! * `chmod 000` does not deny reads to root (`CAP_DAC_OVERRIDE`), and the
//!   tests may run as root. [`make_unreadable`] checks whether the mode
//!   denies a read; where it does not, it replaces the file with a
//!   directory, so that reading it fails with `EISDIR`: like `EACCES`, an
//!   error that is not "value unavailable", which takes the same path
//!   through `Root::read_optional`.
//! * `EAGAIN` (an offline sensor's thermal zone) comes only from a driver.
//!   A FIFO would block a scrape, not fail it. `Root::read_optional` treats
//!   every error for which `sys::is_unavailable` holds alike (absent value,
//!   collector still successful), so the live test uses a dangling symlink
//!   (`ENOENT`, the same branch), and a unit test here checks that
//!   `is_unavailable` holds for `EAGAIN` and `ENODATA`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_dgx-spark-exporter");

/// How long the exporter may take to start listening.
const DEADLINE: Duration = Duration::from_secs(30);

/// The exporter binary serving a copy of `fixtures/spark`.
struct Server {
    child: Child,
    addr: String,
    /// The copy it serves (its `--root`).
    root: PathBuf,
}

impl Server {
    /// A fresh copy of `fixtures/spark`, for `prepare` to change before
    /// the server starts.
    fn copy(name: &str) -> PathBuf {
        let dir = common::tmp_dir(&format!("live-{name}"));
        let root = dir.join("root");
        common::copy_tree(&common::fixture("spark"), &root);
        root
    }

    /// Starts the exporter on `root`.
    fn start(root: PathBuf) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.arg("--root").arg(&root).args([
            "--web.listen-address",
            "127.0.0.1:0",
            "--log.level",
            "info",
        ]);
        let (child, _log, addr) = common::spawn_listening(&mut cmd, DEADLINE);
        Server { child, addr, root }
    }

    /// One scrape: asserts 200, a text-format content type and a valid
    /// exposition; returns the body.
    fn scrape(&self) -> String {
        let r = common::request(&self.addr, "GET", "/metrics");
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.headers.contains("content-type: text/plain"),
            "{}",
            r.headers
        );
        check_exposition(&r.body);
        r.body
    }

    /// A scrape of the clean tree after two warm-up scrapes, checked to be
    /// stable (equal to the next one) and by promtool.
    fn baseline(&self) -> String {
        self.scrape();
        let a = self.scrape();
        let b = self.scrape();
        assert_eq!(stable(&a), stable(&b), "two clean scrapes differ");
        promtool(&a);
        a
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = self.root.parent() {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

/// Checks the text format line by line (Prometheus `exposition_formats.md`):
/// `# HELP name text`, `# TYPE name type` before that family's samples, each
/// family's lines together, sample lines `name{label="value",...} value`
/// with label values escaped (`\\`, `\"`, `\n` only) and a float value.
fn check_exposition(text: &str) {
    assert!(text.ends_with('\n'), "no final newline");
    let mut seen_types: BTreeSet<String> = BTreeSet::new();
    let mut current = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let kind = parts.next().unwrap_or("");
            let name = parts.next().unwrap_or("");
            assert!(matches!(kind, "HELP" | "TYPE"), "bad comment: {line}");
            assert!(valid_name(name), "bad name in {line:?}");
            if kind == "TYPE" {
                let t = parts.next().unwrap_or("");
                assert!(
                    matches!(t, "gauge" | "counter" | "untyped" | "summary" | "histogram"),
                    "{line}"
                );
                assert!(seen_types.insert(name.to_string()), "second TYPE: {line}");
                current = name.to_string();
            }
            continue;
        }
        assert!(!line.is_empty(), "empty line");
        let (name, rest) = match line.find(['{', ' ']) {
            Some(i) => line.split_at(i),
            None => panic!("no value: {line:?}"),
        };
        assert!(valid_name(name), "bad name: {line:?}");
        assert!(
            name == current || name.starts_with(&current),
            "sample {name} outside its family ({current}): {line}"
        );
        let value = if let Some(labels) = rest.strip_prefix('{') {
            parse_labels(labels, line)
        } else {
            rest
        };
        let value = value
            .strip_prefix(' ')
            .unwrap_or_else(|| panic!("{line:?}"));
        assert!(
            value.parse::<f64>().is_ok() || matches!(value, "NaN" | "+Inf" | "-Inf"),
            "bad value in {line:?}"
        );
    }
}

/// Parses `a="x",b="y"} rest` and returns `rest`.
fn parse_labels<'a>(mut s: &'a str, line: &str) -> &'a str {
    loop {
        if let Some(rest) = s.strip_prefix('}') {
            return rest;
        }
        let eq = s.find('=').unwrap_or_else(|| panic!("{line:?}"));
        assert!(valid_name(&s[..eq]), "bad label name in {line:?}");
        let quoted = s[eq + 1..]
            .strip_prefix('"')
            .unwrap_or_else(|| panic!("unquoted label value in {line:?}"));
        s = common::label_value(quoted)
            .unwrap_or_else(|e| panic!("{e} in {line:?}"))
            .1;
        s = s.strip_prefix(',').unwrap_or(s);
    }
}

fn valid_name(n: &str) -> bool {
    let mut c = n.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_' || f == ':')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_' || x == ':')
}

/// `promtool check metrics` on `text`, when installed: nothing but the two
/// lints `tests/promtool.rs` accepts.
fn promtool(text: &str) {
    let Some((report, _)) = common::promtool_check_metrics(text) else {
        return;
    };
    let lints = common::unaccepted_lints(&report);
    assert!(lints.is_empty(), "promtool: {}", lints.join("\n"));
}

/// The deterministic series of a scrape: volatile families (timings, the
/// exporter's own process) left out.
fn stable(text: &str) -> BTreeMap<String, f64> {
    common::samples(&common::without_volatile(text))
}

/// Collector name -> success value.
fn successes(text: &str) -> BTreeMap<String, f64> {
    let prefix = "dgx_spark_exporter_collector_success{collector=\"";
    common::samples(text)
        .into_iter()
        .filter_map(|(k, v)| {
            let c = k.strip_prefix(prefix)?.strip_suffix("\"}")?;
            Some((c.to_string(), v))
        })
        .collect()
}

/// What a faulted scrape may differ in from the clean one.
#[derive(Default)]
struct Allowed<'a> {
    /// Series starting with one of these may be absent; any that is
    /// present has the clean value.
    families: &'a [&'a str],
    /// Collectors that must report 0.
    failed: &'a [&'a str],
    /// Collectors that may report 0 or 1 (a race decides).
    may_fail: &'a [&'a str],
    /// Series computed from several inputs (a maximum): present with any
    /// value, or absent.
    derived: &'a [&'a str],
}

/// Checks `faulted` against `clean` under `allowed`; returns the series of
/// the affected families that the clean scrape does not have (for the
/// caller to judge).
fn compare(clean: &str, faulted: &str, allowed: &Allowed) -> Vec<String> {
    let (c, f) = (successes(clean), successes(faulted));
    assert_eq!(
        c.keys().collect::<Vec<_>>(),
        f.keys().collect::<Vec<_>>(),
        "collector set changed"
    );
    for (name, &v) in &f {
        if allowed.failed.contains(&name.as_str()) {
            assert_eq!(v, 0.0, "{name} should report failure");
        } else if !allowed.may_fail.contains(&name.as_str()) {
            assert_eq!(v, c[name], "{name} changed");
        }
    }
    let affected = |k: &str| allowed.families.iter().any(|f| k.starts_with(f));
    let skip = |k: &str| k.starts_with("dgx_spark_exporter_collector_success");
    let (cs, fs) = (stable(clean), stable(faulted));
    for (k, v) in &cs {
        if skip(k) {
            continue;
        }
        match fs.get(k) {
            Some(w) => assert!(
                v == w || allowed.derived.iter().any(|d| k.starts_with(d)),
                "{k}: {v} became {w}"
            ),
            None => assert!(affected(k), "{k} vanished"),
        }
    }
    let mut new = Vec::new();
    for k in fs.keys() {
        if !cs.contains_key(k) && !skip(k) {
            assert!(affected(k), "new series {k}");
            new.push(k.clone());
        }
    }
    new
}

/// Asserts `faulted` equals `clean` except as `allowed`, with no new
/// series, and passes promtool.
fn assert_only(clean: &str, faulted: &str, allowed: &Allowed) {
    let new = compare(clean, faulted, allowed);
    assert!(new.is_empty(), "new series: {new:?}");
    promtool(faulted);
}

/// How [`make_unreadable`] broke the file.
#[derive(Debug)]
enum Unreadable {
    /// `chmod 000`, which denies reads to this (non-root) user.
    Mode,
    /// The file replaced by a directory: running as root, where `chmod 000`
    /// denies nothing.
    Directory,
}

/// Makes the file at `path` fail to read with an error that is not "value
/// unavailable": `EACCES` where `chmod 000` works, else `EISDIR`.
fn make_unreadable(path: &Path) -> Unreadable {
    fs::set_permissions(path, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(path).is_err() {
        return Unreadable::Mode;
    }
    fs::remove_file(path).unwrap();
    fs::create_dir(path).unwrap();
    assert!(fs::read(path).is_err());
    Unreadable::Directory
}

/// Undoes [`make_unreadable`]: the original content back.
fn restore(path: &Path, content: &[u8]) {
    if path.is_dir() {
        fs::remove_dir(path).unwrap();
    }
    fs::write(path, content).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o644)).unwrap();
}

const NETWORK_FAMILIES: &[&str] = &["network_", "node_network_"];

#[test]
fn an_interface_vanishing_and_returning_between_scrapes() {
    let s = Server::start(Server::copy("iface"));
    let clean = s.baseline();
    let iface = s.path("sys/class/net/enP7s7");
    let aside = s.path("../enP7s7");
    fs::rename(&iface, &aside).unwrap();
    let faulted = s.scrape();
    // Every collector still succeeds; the contract `network` collector
    // goes on with the other interface that is up (wlP9s9).
    assert_only(
        &clean,
        &faulted,
        &Allowed {
            families: NETWORK_FAMILIES,
            ..Allowed::default()
        },
    );
    assert!(faulted.contains("interface=\"wlP9s9\""));
    assert!(!faulted.contains("node_network_up{device=\"enP7s7\"}"));
    assert!(!faulted.contains("interface=\"enP7s7\""));
    // /proc/net/dev still lists it: node_exporter's netdev reads only that.
    assert!(faulted.contains("node_network_receive_bytes_total{device=\"enP7s7\"}"));
    fs::rename(&aside, &iface).unwrap();
    assert_eq!(stable(&s.scrape()), stable(&clean));
}

#[test]
fn an_interface_counter_file_vanishing_leaves_only_that_value_absent() {
    let s = Server::start(Server::copy("iface-file"));
    let clean = s.baseline();
    let f = s.path("sys/class/net/enP7s7/statistics/rx_bytes");
    let content = fs::read(&f).unwrap();
    fs::remove_file(&f).unwrap();
    let faulted = s.scrape();
    let new = compare(
        &clean,
        &faulted,
        &Allowed {
            families: &["network_receive_bytes_total"],
            may_fail: &["network"],
            ..Allowed::default()
        },
    );
    assert!(new.is_empty(), "{new:?}");
    fs::write(&f, content).unwrap();
    assert_eq!(stable(&s.scrape()), stable(&clean));
}

#[test]
fn a_hwmon_chip_vanishing_and_returning_between_scrapes() {
    let s = Server::start(Server::copy("chip"));
    let clean = s.baseline();
    let chip = s.path("sys/class/hwmon/hwmon1");
    let aside = s.path("../hwmon1");
    fs::rename(&chip, &aside).unwrap();
    let faulted = s.scrape();
    assert_only(
        &clean,
        &faulted,
        &Allowed {
            families: &["node_hwmon_"],
            ..Allowed::default()
        },
    );
    assert!(!faulted.contains("chip=\"nvme_nvme0\""), "{faulted}");
    assert!(faulted.contains("chip=\"ieee80211_phy0\""));
    fs::rename(&aside, &chip).unwrap();
    assert_eq!(stable(&s.scrape()), stable(&clean));
}

#[test]
fn a_hwmon_input_vanishing_after_the_chip_was_scanned() {
    // The chip's file list is kept across scrapes; its values are read
    // every scrape, so a value file can vanish after the listing.
    let s = Server::start(Server::copy("chip-file"));
    let clean = s.baseline();
    let f = s.path("sys/class/hwmon/hwmon1/temp2_input");
    let content = fs::read(&f).unwrap();
    fs::remove_file(&f).unwrap();
    let faulted = s.scrape();
    let key = r#"node_hwmon_temp_celsius{chip="nvme_nvme0",sensor="temp2"}"#;
    assert!(!faulted.contains(key), "{faulted}");
    assert_only(
        &clean,
        &faulted,
        &Allowed {
            families: &[key],
            ..Allowed::default()
        },
    );
    fs::write(&f, content).unwrap();
    assert_eq!(stable(&s.scrape()), stable(&clean));
}

/// Runs `toggle` in a loop on another thread while scraping `scrapes`
/// times; each scrape is checked with `compare` (new series allowed only
/// when `allow_new` says so). Returns (toggles done, scrapes in which the
/// affected families differed from the clean scrape).
fn concurrently(
    s: &Server,
    scrapes: usize,
    allowed: &Allowed,
    allow_new: impl Fn(&str) -> bool,
    toggle: impl Fn() + Send + 'static,
) -> (usize, usize) {
    let clean = s.baseline();
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicUsize::new(0));
    let (stop2, count2) = (Arc::clone(&stop), Arc::clone(&count));
    let t = std::thread::spawn(move || {
        while !stop2.load(Ordering::Relaxed) {
            toggle();
            count2.fetch_add(1, Ordering::Relaxed);
        }
    });
    let mut differed = 0;
    for i in 0..scrapes {
        let text = s.scrape();
        let new = compare(&clean, &text, allowed);
        for k in &new {
            assert!(allow_new(k), "new series {k}");
        }
        if stable(&text) != stable(&clean) {
            differed += 1;
        }
        if i % 25 == 0 {
            promtool(&text);
        }
    }
    stop.store(true, Ordering::Relaxed);
    t.join().unwrap();
    (count.load(Ordering::Relaxed), differed)
}

#[test]
fn interfaces_and_hwmon_chips_vanishing_while_scrapes_run() {
    let root = Server::copy("race");
    // A spare copy of each directory, renamed in after the original is
    // deleted file by file: the exporter sees them whole, partly deleted
    // (listed but with files gone) or absent.
    let spare = root.parent().unwrap().join("spare");
    let pairs: Vec<(PathBuf, PathBuf)> = ["sys/class/net/enP7s7", "sys/class/hwmon/hwmon1"]
        .iter()
        .enumerate()
        .map(|(i, rel)| (root.join(rel), spare.join(i.to_string())))
        .collect();
    let s = Server::start(root);
    let toggle = move || {
        for (dir, spare) in &pairs {
            common::copy_tree(dir, spare);
            fs::remove_dir_all(dir).unwrap();
            std::thread::sleep(Duration::from_millis(1));
            fs::rename(spare, dir).unwrap();
        }
    };
    let (toggles, differed) = concurrently(
        &s,
        150,
        &Allowed {
            families: &["network_", "node_network_", "node_hwmon_"],
            may_fail: &["network", "netclass", "hwmon"],
            // Known: netclass reports node_network_up 0 when `operstate`
            // vanished between listing the interface and reading it, as
            // node_exporter 1.5.0 does (it, too, treats an unreadable
            // operstate as not "up"); everything else such a race touches
            // is absent.
            derived: &[r#"node_network_up{device="enP7s7"}"#],
            ..Allowed::default()
        },
        // A half-deleted interface can lose one of the text attributes
        // that node_network_info carries as labels (node_exporter reads
        // each one optionally as well).
        // A chip whose `device` link vanished before its name was read is
        // named as node_exporter names a chip without a device: after its
        // `name` file (`nvme`), or after its directory when that is gone
        // too; the next listing without it rescans. (In sysfs a chip's
        // directory goes as a whole; only this copy is deleted file by
        // file.) Seen once in a hundred-odd runs as "new series
        // node_hwmon_chip_names{chip="nvme",chip_name="nvme"}" before this
        // name was allowed.
        |k| {
            k.starts_with("node_network_info{device=\"enP7s7\"")
                || (k.starts_with("node_hwmon_")
                    && (k.contains("chip=\"hwmon1\"") || k.contains("chip=\"nvme\"")))
        },
        toggle,
    );
    eprintln!("{toggles} vanish/return cycles; {differed} of 150 scrapes saw a fault");
    assert!(toggles > 0);
}

#[test]
fn an_unreadable_file_fails_or_leaves_absent_only_its_own_values() {
    let s = Server::start(Server::copy("unreadable"));
    let clean = s.baseline();
    // /proc/meminfo: the whole meminfo collector has nothing.
    let meminfo = s.path("proc/meminfo");
    let content = fs::read(&meminfo).unwrap();
    let how = make_unreadable(&meminfo);
    eprintln!("unreadable by: {how:?}");
    let faulted = s.scrape();
    assert_only(
        &clean,
        &faulted,
        &Allowed {
            families: &["memory_", "node_memory_"],
            failed: &["meminfo"],
            ..Allowed::default()
        },
    );
    assert!(!faulted.lines().any(|l| l.starts_with("memory_")));
    restore(&meminfo, &content);
    assert_eq!(stable(&s.scrape()), stable(&clean));

    // One hwmon input: that value is absent, the chip's others stay.
    let input = s.path("sys/class/hwmon/hwmon1/temp3_input");
    let content = fs::read(&input).unwrap();
    make_unreadable(&input);
    let faulted = s.scrape();
    let key = r#"node_hwmon_temp_celsius{chip="nvme_nvme0",sensor="temp3"}"#;
    assert!(!faulted.contains(key));
    assert_only(
        &clean,
        &faulted,
        &Allowed {
            families: &[key],
            ..Allowed::default()
        },
    );
    restore(&input, &content);
    assert_eq!(stable(&s.scrape()), stable(&clean));

    // One thermal zone's temp: both thermal collectors report the error;
    // node_thermal_zone_temp keeps the other zones, while
    // cpu_temperature_celsius (a maximum over the zones) is withheld, as a
    // maximum that skipped a zone it could not read might be too low.
    let temp = s.path("sys/class/thermal/thermal_zone0/temp");
    let content = fs::read(&temp).unwrap();
    make_unreadable(&temp);
    let faulted = s.scrape();
    assert_only(
        &clean,
        &faulted,
        &Allowed {
            families: &[
                r#"node_thermal_zone_temp{type="acpitz",zone="0"}"#,
                "cpu_temperature_celsius",
            ],
            failed: &["thermal", "thermal_zone"],
            ..Allowed::default()
        },
    );
    assert!(faulted.contains(r#"node_thermal_zone_temp{type="acpitz",zone="1"} 38.9"#));
    restore(&temp, &content);
    assert_eq!(stable(&s.scrape()), stable(&clean));
}

#[test]
fn eagain_and_enodata_count_as_unavailable() {
    use std::io::Error;
    for errno in [libc::EAGAIN, libc::ENODATA, libc::ENOENT] {
        assert!(
            dgx_spark_exporter::sys::is_unavailable(&Error::from_raw_os_error(errno)),
            "{errno}"
        );
    }
    for errno in [libc::EACCES, libc::EISDIR, libc::EIO] {
        assert!(!dgx_spark_exporter::sys::is_unavailable(
            &Error::from_raw_os_error(errno)
        ));
    }
}

#[test]
fn a_thermal_zone_without_a_reading_is_absent_and_not_a_failure() {
    // Stands in for EAGAIN: a dangling symlink reads as ENOENT, which takes
    // the same `is_unavailable` branch of `Root::read_optional`.
    let s = Server::start(Server::copy("eagain"));
    let clean = s.baseline();
    let temp = s.path("sys/class/thermal/thermal_zone0/temp");
    let content = fs::read(&temp).unwrap();
    fs::remove_file(&temp).unwrap();
    std::os::unix::fs::symlink("/nonexistent/temp", &temp).unwrap();
    let faulted = s.scrape();
    // Zone 0 was the hottest (41.7 °C); the next is zone 5 at 41.2 °C.
    let c = r#"cpu_temperature_celsius{host="spark-397a"}"#;
    assert_eq!(common::samples(&faulted)[c], 41.2);
    let zone0 = r#"node_thermal_zone_temp{type="acpitz",zone="0"}"#;
    assert!(!faulted.contains(zone0));
    let new = compare(
        &clean,
        &faulted,
        &Allowed {
            families: &[zone0],
            derived: &[c],
            ..Allowed::default()
        },
    );
    assert_eq!(new, Vec::<String>::new());
    promtool(&faulted);
    fs::remove_file(&temp).unwrap();
    fs::write(&temp, content).unwrap();
    assert_eq!(stable(&s.scrape()), stable(&clean));
}

#[test]
fn truncated_proc_files_fail_their_collectors_only() {
    let s = Server::start(Server::copy("truncate"));
    let clean = s.baseline();
    for (rel, families, failed) in [
        (
            "proc/stat",
            &[
                "cpu_usage_percent",
                "node_cpu_",
                "node_context_",
                "node_intr_",
                "node_boot_time",
                "node_forks",
                "node_procs_",
            ][..],
            &["cpu", "stat"][..],
        ),
        (
            "proc/diskstats",
            &["diskio_", "node_disk_"][..],
            &["diskstats"][..],
        ),
        (
            "proc/net/dev",
            &["node_network_receive_", "node_network_transmit_"][..],
            &["netdev"][..],
        ),
    ] {
        let f = s.path(rel);
        let content = fs::read(&f).unwrap();
        // Cut in the middle of the second line.
        let second = content.iter().position(|&b| b == b'\n').unwrap() + 1;
        fs::write(&f, &content[..second + 7]).unwrap();
        let faulted = s.scrape();
        let new = compare(
            &clean,
            &faulted,
            &Allowed {
                families,
                failed,
                ..Allowed::default()
            },
        );
        assert!(new.is_empty(), "{rel}: {new:?}");
        promtool(&faulted);
        fs::write(&f, &content).unwrap();
        assert_eq!(stable(&s.scrape()), stable(&clean), "{rel} restored");
    }
}

#[test]
fn a_proc_file_rewritten_while_scrapes_run_is_whole_or_reported() {
    // /proc/diskstats rewritten in a loop (truncate, then write): a scrape
    // can read it empty, or whole. Never a different value.
    let root = Server::copy("rewrite");
    let f = root.join("proc/diskstats");
    let content = fs::read(&f).unwrap();
    let s = Server::start(root);
    let (toggles, differed) = concurrently(
        &s,
        150,
        &Allowed {
            families: &["diskio_", "node_disk_"],
            may_fail: &["diskstats"],
            ..Allowed::default()
        },
        |_| false,
        move || {
            fs::write(&f, &content).unwrap();
        },
    );
    eprintln!("{toggles} rewrites; {differed} of 150 scrapes saw a fault");
}

#[test]
fn labels_full_of_quotes_backslashes_and_newlines() {
    const HOSTILE: &str = "a\"b\\c\nd\\n\"";
    let root = Server::copy("labels");
    // The hwmon chip's labels are read when the chip list changes: set
    // before the server starts.
    fs::write(
        root.join("sys/class/hwmon/hwmon1/temp1_label"),
        format!("{HOSTILE}\n"),
    )
    .unwrap();
    let s = Server::start(root);
    let labelled = s.scrape();
    check_exposition(&labelled);
    promtool(&labelled);
    assert!(
        labelled.contains(r#"label="a\"b\\c\nd\\n\""} 1"#),
        "{labelled}"
    );

    let clean = s.baseline();
    // ifalias: read every scrape, a label of node_network_info.
    let alias = s.path("sys/class/net/enP7s7/ifalias");
    fs::write(&alias, format!("{HOSTILE}\n")).unwrap();
    // A zone type with quotes and backslashes on one line is a label...
    let type3 = s.path("sys/class/thermal/thermal_zone3/type");
    fs::write(&type3, "ac\"pi\\tz\n").unwrap();
    // ... one with a newline inside is not a one-line attribute: rejected.
    let type4 = s.path("sys/class/thermal/thermal_zone4/type");
    fs::write(&type4, "ac\npitz\n").unwrap();
    let faulted = s.scrape();
    let new = compare(
        &clean,
        &faulted,
        &Allowed {
            families: &[
                "node_network_info{device=\"enP7s7\"",
                "node_thermal_zone_temp",
                "cpu_temperature_celsius",
            ],
            failed: &["thermal", "thermal_zone"],
            ..Allowed::default()
        },
    );
    promtool(&faulted);
    assert_eq!(
        new,
        [
            r#"node_network_info{device="enP7s7",address="02:00:00:00:00:01",broadcast="ff:ff:ff:ff:ff:ff",duplex="full",operstate="up",ifalias="a\"b\\c\nd\\n\""}"#,
            r#"node_thermal_zone_temp{type="ac\"pi\\tz",zone="3"}"#,
        ],
        "{faulted}"
    );
    assert!(!faulted.contains("zone=\"4\""));
}
