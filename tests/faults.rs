//! A failing collector never fails the scrape: broken files, a garbage,
//! failing or hung `nvidia-smi`. Each time the affected collector reports
//! 0, its values are absent (never 0), and everything else is unchanged.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dgx_spark_exporter::collect::{Exporter, Options};
use dgx_spark_exporter::root::Root;

/// A copy of fixtures/spark to break.
fn spark_copy(name: &str) -> PathBuf {
    let dir = common::tmp_dir(name);
    common::copy_tree(&common::fixture("spark"), &dir);
    dir
}

fn success(text: &str, collector: &str) -> f64 {
    let key = format!(r#"dgx_spark_exporter_collector_success{{collector="{collector}"}}"#);
    common::samples(text)[&key]
}

/// The series of `text` that do not belong to `families`, volatile ones and
/// collector health excluded: what must stay equal when one collector breaks.
fn others(text: &str, families: &[&str]) -> Vec<String> {
    common::without_volatile(text)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("dgx_spark_exporter_collector_success"))
        .filter(|l| !families.iter().any(|f| l.starts_with(f)))
        .map(str::to_string)
        .collect()
}

#[test]
fn truncated_meminfo_fails_only_meminfo() {
    let dir = spark_copy("meminfo");
    fs::write(
        dir.join("proc/meminfo"),
        "MemTotal:       127600748 kB\nMemFree:",
    )
    .unwrap();
    let text = common::render_fixture(&dir);
    assert_eq!(success(&text, "meminfo"), 0.0);
    // (`gpu_process_memory_used_bytes` contains the name: match whole lines.)
    assert!(
        !text.lines().any(|l| l.starts_with("memory_used_bytes{")),
        "{text}"
    );
    let clean = common::render_fixture(&common::fixture("spark"));
    let families = ["memory_", "node_memory_"];
    assert_eq!(others(&text, &families), others(&clean, &families));
    // The board collectors for other boards (jetson, rpi) are inactive on a
    // Spark and report nothing.
    let exporter = Exporter::new(Root::replay(common::fixture("spark")), Options::default());
    for c in exporter
        .active()
        .iter()
        .map(|c| c.name())
        .filter(|&c| c != "meminfo")
    {
        assert_eq!(success(&text, c), 1.0, "{c}");
    }
}

#[test]
fn missing_proc_stat_and_diskstats_fail_their_collectors_only() {
    let dir = spark_copy("stat");
    fs::remove_file(dir.join("proc/stat")).unwrap();
    fs::write(dir.join("proc/diskstats"), "garbage\n").unwrap();
    let text = common::render_fixture(&dir);
    assert_eq!(success(&text, "cpu"), 0.0);
    assert_eq!(success(&text, "diskstats"), 0.0);
    assert!(!text.contains("cpu_usage_percent{"));
    assert!(!text.contains("diskio_"));
    assert_eq!(success(&text, "meminfo"), 1.0);
    assert!(text.contains("memory_total_bytes{"));
}

#[test]
fn unreadable_thermal_zone_and_vanished_interface_are_absent_not_zero() {
    let dir = spark_copy("zones");
    // The hottest zone (41.7 °C) loses its temp file; the next is 41.2 °C.
    fs::remove_file(dir.join("sys/class/thermal/thermal_zone0/temp")).unwrap();
    // An interface whose counters vanished between listing and reading.
    fs::remove_dir_all(dir.join("sys/class/net/wlP9s9/statistics")).unwrap();
    let text = common::render_fixture(&dir);
    let s = common::samples(&text);
    assert_eq!(s[r#"cpu_temperature_celsius{host="spark-397a"}"#], 41.2);
    assert!(!text.contains(r#"interface="wlP9s9""#), "{text}");
    assert!(text.contains(r#"interface="enP7s7""#));
}

#[test]
fn hostile_hostname_is_escaped() {
    let dir = spark_copy("hostname");
    fs::write(dir.join("proc/sys/kernel/hostname"), "a\"b\\c\n").unwrap();
    let text = common::render_fixture(&dir);
    assert!(
        text.contains(r#"cpu_usage_percent{host="a\"b\\c"}"#),
        "{text}"
    );
}

/// A fake `nvidia-smi`: a shell script with `body`.
fn fake_nvidia_smi(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("nvidia-smi");
    fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// The spark fixture's files, with a live (fake) nvidia-smi.
fn with_fake_gpu(name: &str, body: &str, timeout: Duration) -> String {
    let bin_dir = common::tmp_dir(name);
    let smi = fake_nvidia_smi(&bin_dir, body);
    let root = Root::live(common::fixture("spark"), Some(smi), timeout);
    Exporter::new(root, Options::default()).render()
}

#[test]
fn garbage_from_nvidia_smi_fails_only_the_gpu_collector() {
    let text = with_fake_gpu(
        "smi-garbage",
        "echo 'this is not csv at all'",
        Duration::from_secs(5),
    );
    assert_eq!(success(&text, "gpu"), 0.0);
    assert!(!text.contains("gpu_temperature_celsius{"), "{text}");
    assert_eq!(success(&text, "cpu"), 1.0);
    assert!(text.contains("memory_total_bytes{"));
}

#[test]
fn nvidia_smi_exiting_nonzero_fails_only_the_gpu_collector() {
    let text = with_fake_gpu(
        "smi-exit",
        "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver' >&2; exit 9",
        Duration::from_secs(5),
    );
    assert_eq!(success(&text, "gpu"), 0.0);
    assert_eq!(success(&text, "network"), 1.0);
}

#[test]
fn hung_nvidia_smi_is_killed_with_its_children_and_delays_the_scrape_only_by_its_timeout() {
    let dir = common::tmp_dir("smi-hang-pid");
    let pidfile = dir.join("child.pid");
    // The fake starts a grandchild, notes its pid, and waits for it forever.
    let body = format!("sleep 60 & echo $! > {}\nwait", pidfile.display());
    let start = Instant::now();
    let text = with_fake_gpu("smi-hang", &body, Duration::from_millis(300));
    let took = start.elapsed();
    assert!(took < Duration::from_secs(3), "scrape took {took:?}");
    assert_eq!(success(&text, "gpu"), 0.0);
    assert_eq!(success(&text, "meminfo"), 1.0);
    // Both the fake and its grandchild were killed: the grandchild is gone or
    // a zombie waiting for whichever process adopted it, never still asleep.
    let pid = fs::read_to_string(&pidfile).unwrap();
    let pid = pid.trim();
    assert!(!pid.is_empty());
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let state = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = state
            .rsplit_once(')')
            .map(|(_, r)| r.trim_start().chars().next());
        if matches!(state, None | Some(Some('Z'))) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "grandchild {pid} still running: {state:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn nvidia_smi_that_finds_no_gpu_makes_the_collector_inactive_not_failing() {
    for (name, body) in [
        ("smi-nodev", "echo 'No devices were found'; exit 6"),
        ("smi-empty", "exit 0"),
    ] {
        let text = with_fake_gpu(name, body, Duration::from_secs(5));
        assert!(!text.contains(r#"collector="gpu""#), "{name}: {text}");
    }
    // A driver that is not loaded is a fault on a GPU host: reported.
    let text = with_fake_gpu(
        "smi-nodriver",
        "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver'; exit 9",
        Duration::from_secs(5),
    );
    assert_eq!(success(&text, "gpu"), 0.0);
}

#[test]
fn na_cells_from_a_live_nvidia_smi_are_absent_never_zero() {
    // The header and row for the exporter's field list: the first twelve
    // cells as written, every later one an absent token in turn.
    use dgx_spark_exporter::parse::nvidia_smi::{QUERY_GPU_FIELDS, query_gpu_header};
    let header = query_gpu_header();
    let tokens = ["[N/A]", "N/A", "[Not Supported]", "", "[Unknown Error]"];
    let mut row: Vec<&str> = "0, GPU-1, NVIDIA GB10, 580.142, 0000000F:01:00.0, [N/A], 48, \
         [Not Supported], N/A, , [Unknown Error], [Insufficient Permissions]"
        .split(", ")
        .collect();
    row.extend((row.len()..QUERY_GPU_FIELDS.len()).map(|i| tokens[i % tokens.len()]));
    let text = with_fake_gpu(
        "smi-na",
        &format!(
            "case \"$1\" in\n\
             --query-gpu=*) echo '{}'; echo '{}' ;;\n\
             *) echo 'gpu_uuid, pid, used_gpu_memory [MiB]' ;;\n\
             esac",
            header,
            row.join(", ")
        ),
        Duration::from_secs(5),
    );
    assert_eq!(success(&text, "gpu"), 1.0);
    let s = common::samples(&text);
    assert_eq!(
        s[r#"gpu_temperature_celsius{host="spark-397a",gpu="0"}"#],
        48.0
    );
    assert!(!text.contains("gpu_utilization_percent{"), "{text}");
    assert!(!text.contains("gpu_frequency_mhz{"));
    assert!(!text.contains("gpu_power_watts{"));
    assert!(!text.contains("gpu_memory_"), "{text}");
    assert!(!text.contains("gpu_pstate{"), "{text}");
    // No compute process on a GPU without memory.total: a real 0.
    assert_eq!(s[r#"gpu_process_memory_used_bytes{gpu="0"}"#], 0.0);
}

#[test]
fn a_root_without_nvidia_smi_has_no_gpu_collector_at_all() {
    let dir = spark_copy("nogpu");
    fs::remove_dir_all(dir.join("nvidia-smi")).unwrap();
    let text = common::render_fixture(&dir);
    assert!(!text.contains(r#"collector="gpu""#), "{text}");
    assert!(!text.contains("gpu_"));
}

#[test]
fn interfaces_that_do_not_exist_are_reported_not_silently_empty() {
    let opts = Options {
        network_interfaces: Some(regex_lite::Regex::new("^(?:eth9)$").unwrap()),
        ..Options::default()
    };
    let text = Exporter::new(Root::replay(common::fixture("spark")), opts).render();
    assert_eq!(success(&text, "network"), 0.0);
    assert!(!text.contains("\nnetwork_receive_bytes_total{"));
}
