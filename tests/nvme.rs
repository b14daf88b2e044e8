//! The NVMe health collector: hand-checked values of the recorded SMART /
//! Health log pages of `fixtures/spark` and `fixtures/spark-busy`, and the
//! ways a page can be missing or broken. Each broken case leaves the
//! `nvme_*` values absent and every other series of the scrape unchanged.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use dgx_spark_exporter::collect::{Collector, Exporter, Options, nvme};
use dgx_spark_exporter::root::Root;

/// The documented fields of a fixture page (see `fixtures/spark/PROVENANCE.md`,
/// "NVMe SMART / health log page").
struct Fields {
    composite_kelvin: u16,
    spare: u8,
    spare_threshold: u8,
    percentage_used: u8,
    /// Offset -> value of the 16-byte counters.
    counters: [(usize, u128); 10],
    sensors_kelvin: [u16; 2],
}

const SPARK: Fields = Fields {
    composite_kelvin: 315,
    spare: 100,
    spare_threshold: 10,
    percentage_used: 1,
    counters: [
        (32, 71_234_567),
        (48, 23_456_789),
        (64, 512_345_678),
        (80, 298_765_432),
        (96, 1234),
        (112, 87),
        (128, 4321),
        (144, 12),
        (160, 0),
        (176, 2),
    ],
    sensors_kelvin: [315, 318],
};

/// `spark-busy`: two hours later in the same boot, after reading about
/// 70 GB (the `proc/diskstats` deltas of that fixture).
const SPARK_BUSY: Fields = Fields {
    composite_kelvin: 326,
    spare: 100,
    spare_threshold: 10,
    percentage_used: 1,
    counters: [
        (32, 71_234_567 + 137_413),
        (48, 23_456_789 + 2963),
        (64, 512_345_678 + 287_412),
        (80, 298_765_432 + 63_118),
        (96, 1234 + 5),
        (112, 87),
        (128, 4321 + 2),
        (144, 12),
        (160, 0),
        (176, 2),
    ],
    sensors_kelvin: [326, 331],
};

/// The 512 bytes of a page, built independently of the fixture's generator.
fn page(f: &Fields) -> Vec<u8> {
    let mut p = vec![0u8; 512];
    p[1..3].copy_from_slice(&f.composite_kelvin.to_le_bytes());
    p[3] = f.spare;
    p[4] = f.spare_threshold;
    p[5] = f.percentage_used;
    for (at, v) in f.counters {
        p[at..at + 16].copy_from_slice(&v.to_le_bytes());
    }
    for (i, k) in f.sensors_kelvin.iter().enumerate() {
        p[200 + 2 * i..202 + 2 * i].copy_from_slice(&k.to_le_bytes());
    }
    p
}

fn smart_log(fixture: &Path) -> PathBuf {
    fixture.join("nvme/nvme0/smart-log.bin")
}

/// The `nvme_*` samples of a scrape.
fn nvme_samples(text: &str) -> BTreeMap<String, f64> {
    common::samples(text)
        .into_iter()
        .filter(|(k, _)| k.starts_with("nvme_"))
        .collect()
}

fn expected(f: &Fields) -> BTreeMap<String, f64> {
    let c = |at: usize| f.counters.iter().find(|(o, _)| *o == at).unwrap().1 as f64;
    [
        ("nvme_critical_warning", 0.0),
        ("nvme_available_spare_ratio", f64::from(f.spare) / 100.0),
        (
            "nvme_available_spare_threshold_ratio",
            f64::from(f.spare_threshold) / 100.0,
        ),
        (
            "nvme_percentage_used_ratio",
            f64::from(f.percentage_used) / 100.0,
        ),
        ("nvme_read_bytes_total", c(32) * 512_000.0),
        ("nvme_written_bytes_total", c(48) * 512_000.0),
        ("nvme_power_cycles_total", c(112)),
        ("nvme_power_on_hours_total", c(128)),
        ("nvme_unsafe_shutdowns_total", c(144)),
        ("nvme_media_errors_total", c(160)),
        ("nvme_error_log_entries_total", c(176)),
    ]
    .into_iter()
    .map(|(k, v)| (format!("{k}{{device=\"nvme0\"}}"), v))
    .collect()
}

#[test]
fn fixture_pages_are_the_documented_bytes() {
    for (name, f) in [("spark", &SPARK), ("spark-busy", &SPARK_BUSY)] {
        let bytes = fs::read(smart_log(&common::fixture(name))).unwrap();
        assert_eq!(bytes, page(f), "{name}");
    }
}

#[test]
fn spark_values_by_hand() {
    let text = common::render_fixture(&common::fixture("spark"));
    let got = nvme_samples(&text);
    // By hand: 71234567 x 512000 = 36472098304000 B (36.5 TB read),
    // 23456789 x 512000 = 12009875968000 B (12.0 TB written).
    assert_eq!(
        got["nvme_read_bytes_total{device=\"nvme0\"}"],
        36_472_098_304_000.0
    );
    assert_eq!(
        got["nvme_written_bytes_total{device=\"nvme0\"}"],
        12_009_875_968_000.0
    );
    assert_eq!(got["nvme_percentage_used_ratio{device=\"nvme0\"}"], 0.01);
    assert_eq!(
        got["nvme_available_spare_threshold_ratio{device=\"nvme0\"}"],
        0.1
    );
    assert_eq!(got["nvme_power_on_hours_total{device=\"nvme0\"}"], 4321.0);
    assert_eq!(got, expected(&SPARK));
    assert!(text.contains("dgx_spark_exporter_collector_success{collector=\"nvme\"} 1\n"));
}

#[test]
fn spark_busy_values_by_hand() {
    let text = common::render_fixture(&common::fixture("spark-busy"));
    let got = nvme_samples(&text);
    // 71371980 x 512000 = 36542453760000; 23459752 x 512000 = 12011393024000.
    assert_eq!(
        got["nvme_read_bytes_total{device=\"nvme0\"}"],
        36_542_453_760_000.0
    );
    assert_eq!(
        got["nvme_written_bytes_total{device=\"nvme0\"}"],
        12_011_393_024_000.0
    );
    assert_eq!(got["nvme_power_on_hours_total{device=\"nvme0\"}"], 4323.0);
    assert_eq!(got, expected(&SPARK_BUSY));
}

#[test]
fn no_controller_means_inactive() {
    let exporter = Exporter::new(Root::replay(common::fixture("devbox")), Options::default());
    assert!(!exporter.active().contains(&Collector::Nvme));
    let why = nvme::detect(exporter.root()).unwrap_err();
    assert!(why.contains("no NVMe controller"), "{why}");
    assert!(why.contains("sys/class/nvme"), "{why}");
}

/// A copy of fixtures/spark to break.
fn spark_copy(name: &str) -> PathBuf {
    let dir = common::tmp_dir(&format!("nvme-{name}"));
    common::copy_tree(&common::fixture("spark"), &dir);
    dir
}

/// The series of `text` outside the `nvme_*` families and the exporter's
/// own health and timing series: what must not change when NVMe breaks.
fn others(text: &str) -> Vec<String> {
    common::without_volatile(text)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| !l.starts_with("nvme_") && !l.contains("collector=\"nvme\""))
        .map(str::to_string)
        .collect()
}

/// Scrapes `dir`; checks that the collector is active and failing, the
/// `nvme_*` values absent and everything else as in the intact fixture;
/// returns the collector's error.
fn failing_scrape(dir: &Path) -> String {
    let exporter = Exporter::new(Root::replay(dir), Options::default());
    assert!(exporter.active().contains(&Collector::Nvme));
    let text = exporter.render();
    assert!(
        text.contains("dgx_spark_exporter_collector_success{collector=\"nvme\"} 0\n"),
        "{text}"
    );
    assert_eq!(nvme_samples(&text), BTreeMap::new());
    let clean = common::render_fixture(&common::fixture("spark"));
    assert_eq!(others(&text), others(&clean));
    let mut out = Vec::new();
    nvme::collect(exporter.root(), &mut out)
        .unwrap_err()
        .to_string()
}

#[test]
fn truncated_log_page_is_a_parse_error_naming_path_and_length() {
    let dir = spark_copy("truncated");
    let full = fs::read(smart_log(&dir)).unwrap();
    fs::write(smart_log(&dir), &full[..300]).unwrap();
    let e = failing_scrape(&dir);
    assert!(e.contains(&smart_log(&dir).display().to_string()), "{e}");
    assert!(e.contains("exactly 512 bytes"), "{e}");
    assert!(e.contains("300 bytes"), "{e}");
}

#[test]
fn all_ff_log_page_is_rejected() {
    let dir = spark_copy("all-ff");
    fs::write(smart_log(&dir), [0xFF; 512]).unwrap();
    let e = failing_scrape(&dir);
    assert!(e.contains("0xFF"), "{e}");
}

#[test]
fn recorded_io_error_fails_each_scrape() {
    let dir = spark_copy("eio");
    fs::write(
        dir.join("nvme/nvme0/smart-log.error"),
        "5 Input/output error (os error 5)\n",
    )
    .unwrap();
    let e = failing_scrape(&dir);
    assert!(e.contains("dev/nvme0"), "{e}");
    assert!(e.contains("os error 5"), "{e}");
}

#[test]
fn no_permission_means_inactive_with_one_reason() {
    let dir = spark_copy("eacces");
    fs::remove_file(smart_log(&dir)).unwrap();
    fs::write(
        dir.join("nvme/nvme0/smart-log.error"),
        "13 Permission denied (os error 13)\n",
    )
    .unwrap();
    let root = Root::replay(&dir);
    let why = nvme::detect(&root).unwrap_err();
    assert!(why.contains("CAP_SYS_ADMIN"), "{why}");
    assert!(why.contains("nvme0"), "{why}");
    assert!(why.contains("Permission denied"), "{why}");
    let exporter = Exporter::new(root, Options::default());
    assert!(!exporter.active().contains(&Collector::Nvme));
    let text = exporter.render();
    assert!(!text.contains("collector=\"nvme\""), "{text}");
    assert_eq!(nvme_samples(&text), BTreeMap::new());
    // EPERM (a device cgroup refusing the open) reads the same.
    fs::write(
        dir.join("nvme/nvme0/smart-log.error"),
        "1 Operation not permitted (os error 1)\n",
    )
    .unwrap();
    assert!(
        nvme::detect(&Root::replay(&dir))
            .unwrap_err()
            .contains("CAP_SYS_ADMIN")
    );
}

#[test]
fn controller_without_recording_means_inactive() {
    let dir = spark_copy("unrecorded");
    fs::remove_dir_all(dir.join("nvme")).unwrap();
    let why = nvme::detect(&Root::replay(&dir)).unwrap_err();
    assert!(why.contains("no SMART / health log of nvme0"), "{why}");
}

#[test]
fn reserved_spare_values_are_absent_and_the_rest_kept() {
    let dir = spark_copy("spare");
    let mut p = page(&SPARK);
    p[0] = 0x05; // spare below threshold + reliability degraded
    p[3] = 101;
    p[4] = 255;
    p[5] = 255; // 255 % or more of the rated endurance
    fs::write(smart_log(&dir), &p).unwrap();
    let got = nvme_samples(&common::render_fixture(&dir));
    assert_eq!(got["nvme_critical_warning{device=\"nvme0\"}"], 5.0);
    assert_eq!(got["nvme_percentage_used_ratio{device=\"nvme0\"}"], 2.55);
    assert!(!got.contains_key("nvme_available_spare_ratio{device=\"nvme0\"}"));
    assert!(!got.contains_key("nvme_available_spare_threshold_ratio{device=\"nvme0\"}"));
    assert_eq!(got.len(), expected(&SPARK).len() - 2);
}

#[test]
fn counters_beyond_u64_are_reported() {
    let dir = spark_copy("u128");
    let mut p = page(&SPARK);
    p[128..144].copy_from_slice(&((1u128 << 64) + 5).to_le_bytes());
    fs::write(smart_log(&dir), &p).unwrap();
    let got = nvme_samples(&common::render_fixture(&dir));
    assert_eq!(
        got["nvme_power_on_hours_total{device=\"nvme0\"}"],
        18_446_744_073_709_551_621.0
    );
}

#[test]
fn one_broken_controller_keeps_the_others() {
    let dir = spark_copy("two");
    // A second controller: its class entry and a truncated recording.
    fs::create_dir_all(dir.join("sys/class/nvme/nvme1")).unwrap();
    fs::write(dir.join("sys/class/nvme/nvme1/uevent"), "DEVNAME=nvme1\n").unwrap();
    fs::create_dir_all(dir.join("nvme/nvme1")).unwrap();
    fs::write(dir.join("nvme/nvme1/smart-log.bin"), [0u8; 10]).unwrap();
    // Entries that are not controllers are ignored.
    fs::write(dir.join("sys/class/nvme/nvme-subsys0"), "").unwrap();
    let root = Root::replay(&dir);
    assert_eq!(nvme::controllers(&root).unwrap(), ["nvme0", "nvme1"]);
    let mut out = Vec::new();
    let e = nvme::collect(&root, &mut out).unwrap_err().to_string();
    assert!(e.contains("nvme1/smart-log.bin"), "{e}");
    assert_eq!(out.len(), expected(&SPARK).len());
    assert!(out.iter().all(|s| s.labels == [("device", "nvme0".into())]));
}

/// The live path end to end, without an NVMe device: a fake live root with
/// a controller in `sys/class/nvme` whose `dev/` node is missing, or is a
/// plain file that refuses the ioctl (`ENOTTY`). Recording it and replaying
/// the recording gives the same verdict as the live root.
#[test]
fn recording_a_live_failure_replays_the_same() {
    use dgx_spark_exporter::record;
    use std::time::Duration;

    for (case, node) in [("missing", None), ("enotty", Some(b"x".as_slice()))] {
        let base = common::tmp_dir(&format!("nvme-live-{case}"));
        fs::create_dir_all(base.join("sys/class/nvme/nvme0")).unwrap();
        fs::write(base.join("sys/class/nvme/nvme0/uevent"), "DEVNAME=nvme0\n").unwrap();
        if let Some(bytes) = node {
            fs::create_dir_all(base.join("dev")).unwrap();
            fs::write(base.join("dev/nvme0"), bytes).unwrap();
        }
        let live = || Root::live(&base, None, Duration::from_secs(1));
        let live_verdict = nvme::detect(&live());

        let dir = common::tmp_dir(&format!("nvme-rec-{case}"));
        let _ = fs::remove_dir(&dir);
        let only_nvme = Options {
            enabled: vec![Collector::Nvme],
            ..Options::default()
        };
        let rec = record::record(live(), only_nvme, &dir, "test").unwrap();
        assert!(
            rec.files
                .contains(&"nvme/nvme0/smart-log.error".to_string()),
            "{case}: {:?}",
            rec.files
        );
        assert!(
            rec.files
                .contains(&"sys/class/nvme/nvme0/uevent".to_string())
        );
        let replay_verdict = nvme::detect(&Root::replay(&dir));
        match case {
            "missing" => {
                let (l, r) = (live_verdict.unwrap_err(), replay_verdict.unwrap_err());
                assert!(l.contains("no SMART / health log of nvme0"), "{l}");
                assert!(r.contains("no SMART / health log of nvme0"), "{r}");
            }
            _ => {
                assert_eq!(live_verdict, Ok(()));
                assert_eq!(replay_verdict, Ok(()));
                let mut out = Vec::new();
                let e = nvme::collect(&Root::replay(&dir), &mut out).unwrap_err();
                assert!(e.to_string().contains("os error 25"), "{e}");
                assert!(out.is_empty());
            }
        }
    }
}
