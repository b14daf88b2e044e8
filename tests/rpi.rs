//! The Raspberry Pi collector on its three fixtures, with every value
//! checked by hand against the fixture files (arithmetic in each fixture's
//! PROVENANCE.md), and bad input: a garbage `get_throttled`, a truncated
//! `max_current`. Bad input leaves only the affected value absent, reports
//! the collector as failed with the path in the message, and changes
//! nothing else in the scrape.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use dgx_spark_exporter::collect::{Collector, Exporter, Options, rpi};
use dgx_spark_exporter::root::Root;

/// The Pi 5 `get_throttled`, relative to a fixture.
const GET_THROTTLED: &str =
    "sys/devices/platform/soc@107c000000/soc@107c000000:firmware/get_throttled";
/// The Pi 4 `get_throttled`, relative to a fixture.
const GET_THROTTLED_PI4: &str = "sys/devices/platform/soc/soc:firmware/get_throttled";
/// The PSU current limit, relative to a fixture (through `proc/device-tree`).
const MAX_CURRENT: &str = "sys/firmware/devicetree/base/chosen/power/max_current";

const CONDITIONS: [&str; 4] = [
    "under_voltage",
    "arm_frequency_capped",
    "throttled",
    "soft_temp_limit",
];

fn scrape(dir: &Path) -> BTreeMap<String, f64> {
    common::samples(&common::render_fixture(dir))
}

/// The series of `s` whose name starts with `prefix`.
fn family(s: &BTreeMap<String, f64>, prefix: &str) -> BTreeMap<String, f64> {
    s.iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

fn throttled(s: &BTreeMap<String, f64>, family: &str, condition: &str) -> Option<f64> {
    s.get(&format!(r#"{family}{{condition="{condition}"}}"#))
        .copied()
}

fn success(s: &BTreeMap<String, f64>, collector: &str) -> Option<f64> {
    s.get(&format!(
        r#"dgx_spark_exporter_collector_success{{collector="{collector}"}}"#
    ))
    .copied()
}

/// A copy of `fixtures/<name>` to break.
fn copy(name: &str, tag: &str) -> PathBuf {
    let dir = common::tmp_dir(&format!("rpi-{tag}"));
    common::copy_tree(&common::fixture(name), &dir);
    dir
}

/// What `rpi::collect` says about `dir` on its own, and its samples.
fn collect_rpi(dir: &Path) -> (Result<(), String>, Vec<String>) {
    let root = Root::replay(dir);
    let cache = Mutex::new(rpi::Cache::default());
    let mut out = Vec::new();
    let result = rpi::collect(&root, &cache, &mut out).map_err(|e| e.to_string());
    let names = out.iter().map(|s| s.metric.name.to_string()).collect();
    (result, names)
}

/// Every series except the `rpi_*` ones, the success gauges and volatile
/// values: what must not change when a Pi file is broken.
fn non_rpi(dir: &Path) -> Vec<String> {
    common::without_volatile(&common::render_fixture(dir))
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| !l.starts_with("rpi_"))
        .filter(|l| !l.starts_with("dgx_spark_exporter_collector_success"))
        .map(str::to_string)
        .collect()
}

#[test]
fn rpi5_idle_board_on_the_27w_supply() {
    let s = scrape(&common::fixture("rpi5"));
    assert_eq!(success(&s, "rpi"), Some(1.0));
    for c in CONDITIONS {
        assert_eq!(throttled(&s, "rpi_throttled", c), Some(0.0), "{c}");
        assert_eq!(
            throttled(&s, "rpi_throttled_since_boot", c),
            Some(0.0),
            "{c}"
        );
    }
    assert_eq!(s["rpi_under_voltage_alarm"], 0.0);
    // pwmfan: fan1_input 3314, pwm1 75 (the #7556 pair).
    assert_eq!(s["rpi_fan_speed_rpm"], 3314.0);
    assert_eq!(s["rpi_fan_pwm_ratio"], 75.0 / 255.0);
    // rp1_adc: in1..in4_input 1468, 2496, 0, 0 mV; temp1_input 55472 m°C.
    let adc = family(&s, "rpi_adc_voltage_volts");
    let expected: BTreeMap<String, f64> =
        [("in1", 1.468), ("in2", 2.496), ("in3", 0.0), ("in4", 0.0)]
            .iter()
            .map(|(c, v)| (format!(r#"rpi_adc_voltage_volts{{channel="{c}"}}"#), *v))
            .collect();
    assert_eq!(adc, expected);
    assert_eq!(s["rpi_adc_temperature_celsius"], 55.472);
    // max_current 00 00 13 88 = 5000 mA.
    assert_eq!(s["rpi_power_supply_max_current_amperes"], 5.0);

    // The generic collectors on the Pi files: the cpu-thermal zone, the
    // shared cpufreq policy0 seen through cpu0..3.
    assert_eq!(s[r#"cpu_temperature_celsius{host="raspberrypi"}"#], 52.35);
    assert_eq!(
        s[r#"node_thermal_zone_temp{type="cpu-thermal",zone="0"}"#],
        52.35
    );
    assert_eq!(s[r#"cpu_frequency_mhz{host="raspberrypi"}"#], 2400.0);
    for cpu in 0..4 {
        let key = |f: &str| format!(r#"{f}{{cpu="{cpu}"}}"#);
        assert_eq!(s[&key("node_cpu_scaling_frequency_hertz")], 2.4e9);
        assert_eq!(s[&key("node_cpu_scaling_frequency_min_hertz")], 1.0e9);
        assert_eq!(s[&key("node_cpu_frequency_max_hertz")], 2.4e9);
        assert_eq!(
            s[&format!(r#"node_cpu_scaling_governor{{cpu="{cpu}",governor="ondemand"}}"#)],
            1.0
        );
    }
    assert!(!s.contains_key(r#"node_cpu_scaling_frequency_hertz{cpu="4"}"#));
    assert_eq!(
        s[r#"node_cooling_device_cur_state{name="0",type="pwm-fan"}"#],
        1.0
    );
    // 8245968 kB; (8245968 - 7480016) kB.
    assert_eq!(s[r#"memory_total_bytes{host="raspberrypi"}"#], 8443871232.0);
    assert_eq!(s[r#"memory_used_bytes{host="raspberrypi"}"#], 784334848.0);
    // busy 6314838 of 73457028 ticks since boot.
    let usage = s[r#"cpu_usage_percent{host="raspberrypi"}"#];
    assert!(
        (usage - 100.0 * 6314838.0 / 73457028.0).abs() < 1e-9,
        "{usage}"
    );
}

#[test]
fn rpi5_undervolt_reports_under_voltage_and_throttling_now_and_since_boot() {
    let s = scrape(&common::fixture("rpi5-undervolt"));
    assert_eq!(success(&s, "rpi"), Some(1.0));
    // 0x50005: bits 0 and 2 (now), 16 and 18 (since boot).
    let expected = [
        ("under_voltage", 1.0),
        ("arm_frequency_capped", 0.0),
        ("throttled", 1.0),
        ("soft_temp_limit", 0.0),
    ];
    for (c, v) in expected {
        assert_eq!(throttled(&s, "rpi_throttled", c), Some(v), "{c}");
        assert_eq!(throttled(&s, "rpi_throttled_since_boot", c), Some(v), "{c}");
    }
    assert_eq!(s["rpi_under_voltage_alarm"], 1.0);
    // max_current 00 00 03 84 = 900 mA.
    assert_eq!(s["rpi_power_supply_max_current_amperes"], 0.9);
    assert_eq!(s[r#"rpi_adc_voltage_volts{channel="in2"}"#], 2.384);
    assert_eq!(s["rpi_fan_speed_rpm"], 3314.0);
}

#[test]
fn rpi5_without_get_throttled_has_the_alarm_and_no_throttle_series() {
    let dir = common::fixture("rpi5-no-get-throttled");
    let s = scrape(&dir);
    assert_eq!(success(&s, "rpi"), Some(1.0));
    assert!(family(&s, "rpi_throttled").is_empty(), "absent, not 0");
    assert_eq!(s["rpi_under_voltage_alarm"], 1.0);
    // The hwmon chips are numbered differently from rpi5 (rpi_volt is
    // hwmon0 here, hwmon3 there): chips are found by name, so every other
    // Pi value equals rpi5's.
    let base = scrape(&common::fixture("rpi5"));
    for f in [
        "rpi_fan_",
        "rpi_adc_",
        "rpi_power_supply_",
        "cpu_temperature_celsius",
    ] {
        assert_eq!(family(&s, f), family(&base, f), "{f}");
        assert!(!family(&s, f).is_empty(), "{f}");
    }
    let (result, _) = collect_rpi(&dir);
    assert_eq!(result, Ok(()), "a missing get_throttled is not an error");
}

#[test]
fn the_rpi_collector_is_active_on_the_pi_fixtures_only() {
    for (name, active) in [
        ("rpi5", true),
        ("rpi5-undervolt", true),
        ("rpi5-no-get-throttled", true),
        ("spark", false),
        ("devbox", false),
    ] {
        let exporter = Exporter::new(Root::replay(common::fixture(name)), Options::default());
        assert_eq!(
            exporter.active().contains(&Collector::Rpi),
            active,
            "{name}"
        );
    }
}

#[test]
fn detection_needs_only_one_pi_source() {
    // Only the device tree: a Pi whose kernel has none of the sysfs files.
    let dir = common::tmp_dir("rpi-detect-dt");
    fs::create_dir_all(dir.join("proc/device-tree")).unwrap();
    fs::write(
        dir.join("proc/device-tree/compatible"),
        b"raspberrypi,4-model-b\0brcm,bcm2711\0",
    )
    .unwrap();
    assert_eq!(rpi::detect(&Root::replay(&dir)), Ok(()));
    // A Jetson-like board: a pwmfan chip and an NVIDIA compatible only.
    let dir = common::tmp_dir("rpi-detect-jetson");
    fs::create_dir_all(dir.join("proc/device-tree")).unwrap();
    fs::write(
        dir.join("proc/device-tree/compatible"),
        b"nvidia,p3737-0000+p3701-0005\0nvidia,tegra234\0",
    )
    .unwrap();
    fs::create_dir_all(dir.join("sys/class/hwmon/hwmon3")).unwrap();
    fs::write(dir.join("sys/class/hwmon/hwmon3/name"), "pwmfan\n").unwrap();
    let why = rpi::detect(&Root::replay(&dir)).unwrap_err();
    assert!(why.contains("no Raspberry Pi files"), "{why}");
}

#[test]
fn get_throttled_at_the_pi4_path_is_read_too() {
    let dir = copy("rpi5-undervolt", "pi4-path");
    fs::create_dir_all(dir.join(GET_THROTTLED_PI4).parent().unwrap()).unwrap();
    fs::rename(dir.join(GET_THROTTLED), dir.join(GET_THROTTLED_PI4)).unwrap();
    let s = scrape(&dir);
    assert_eq!(throttled(&s, "rpi_throttled", "under_voltage"), Some(1.0));
    assert_eq!(
        throttled(&s, "rpi_throttled_since_boot", "throttled"),
        Some(1.0)
    );
    assert_eq!(success(&s, "rpi"), Some(1.0));
}

#[test]
fn garbage_in_get_throttled_is_logged_and_absent_and_the_scrape_goes_on() {
    let clean = common::fixture("rpi5-undervolt");
    for garbage in [
        "throttled=0x50005\n",
        "0x50005\n",
        "\n",
        "zz\n",
        "123456789\n",
    ] {
        let dir = copy("rpi5-undervolt", "garbage");
        fs::write(dir.join(GET_THROTTLED), garbage).unwrap();
        let s = scrape(&dir);
        assert_eq!(success(&s, "rpi"), Some(0.0), "{garbage:?}");
        assert!(
            family(&s, "rpi_throttled").is_empty(),
            "{garbage:?}: absent, not 0"
        );
        // The other Pi values are still there.
        assert_eq!(s["rpi_under_voltage_alarm"], 1.0);
        assert_eq!(s["rpi_power_supply_max_current_amperes"], 0.9);
        assert_eq!(s["rpi_fan_speed_rpm"], 3314.0);
        // Nothing else in the scrape changed.
        assert_eq!(non_rpi(&dir), non_rpi(&clean), "{garbage:?}");
        // The message the exporter logs names the file, the format and the text.
        let (result, _) = collect_rpi(&dir);
        let msg = result.unwrap_err();
        assert!(
            msg.contains(&dir.join(GET_THROTTLED).display().to_string()),
            "{msg}"
        );
        assert!(msg.contains("hex digits without 0x"), "{msg}");
        assert!(msg.contains(&format!("{:?}", garbage)), "{msg}");
    }
}

#[test]
fn truncated_max_current_is_an_error_and_absent() {
    let clean = common::fixture("rpi5");
    let dir = copy("rpi5", "max-current");
    fs::write(dir.join(MAX_CURRENT), [0x00, 0x00, 0x13]).unwrap();
    let s = scrape(&dir);
    assert_eq!(success(&s, "rpi"), Some(0.0));
    assert!(!s.contains_key("rpi_power_supply_max_current_amperes"));
    assert_eq!(
        throttled(&s, "rpi_throttled", "under_voltage"),
        Some(0.0),
        "the rest of the collector still reports"
    );
    assert_eq!(s["rpi_adc_temperature_celsius"], 55.472);
    assert_eq!(non_rpi(&dir), non_rpi(&clean));
    let (result, names) = collect_rpi(&dir);
    let msg = result.unwrap_err();
    assert!(msg.contains("chosen/power/max_current"), "{msg}");
    assert!(msg.contains("not 3 bytes"), "{msg}");
    assert!(msg.contains(r#"found "00 00 13""#), "{msg}");
    assert!(!names.iter().any(|n| n.contains("max_current")));
    // An empty property too.
    fs::write(dir.join(MAX_CURRENT), []).unwrap();
    let (result, _) = collect_rpi(&dir);
    assert!(result.unwrap_err().contains("not 0 bytes"));
}

#[test]
fn two_broken_files_are_both_in_the_one_message() {
    let dir = copy("rpi5", "two");
    fs::write(dir.join(GET_THROTTLED), "garbage\n").unwrap();
    fs::write(dir.join(MAX_CURRENT), [0x13]).unwrap();
    let (result, names) = collect_rpi(&dir);
    let msg = result.unwrap_err();
    assert!(msg.contains("get_throttled"), "{msg}");
    assert!(msg.contains("max_current"), "{msg}");
    assert!(names.contains(&"rpi_fan_speed_rpm".to_string()));
}

#[test]
fn an_adc_label_names_the_channel_and_a_missing_input_is_absent() {
    let dir = copy("rpi5", "adc-label");
    // rp1_adc is hwmon1 in rpi5.
    let adc = dir.join("sys/class/hwmon/hwmon1");
    assert_eq!(fs::read_to_string(adc.join("name")).unwrap(), "rp1_adc\n");
    fs::write(adc.join("in2_label"), "ext5v_half\n").unwrap();
    fs::remove_file(adc.join("in4_input")).unwrap();
    let s = scrape(&dir);
    let adc = family(&s, "rpi_adc_voltage_volts");
    let keys: Vec<&str> = adc.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            r#"rpi_adc_voltage_volts{channel="ext5v_half"}"#,
            r#"rpi_adc_voltage_volts{channel="in1"}"#,
            r#"rpi_adc_voltage_volts{channel="in3"}"#,
        ]
    );
    assert_eq!(success(&s, "rpi"), Some(1.0));
}

#[test]
fn a_pi_with_no_readable_values_reports_no_data() {
    let dir = common::tmp_dir("rpi-nodata");
    fs::create_dir_all(dir.join("proc/device-tree")).unwrap();
    fs::write(
        dir.join("proc/device-tree/compatible"),
        b"raspberrypi,5-model-b\0brcm,bcm2712\0",
    )
    .unwrap();
    let (result, names) = collect_rpi(&dir);
    assert!(result.unwrap_err().contains("no Raspberry Pi values"));
    assert!(names.is_empty());
}

#[test]
fn recording_a_pi_keeps_the_binary_device_tree_cell_and_replays_the_same_rpi_values() {
    // `record` on a Pi: reading a Pi fixture as if it were the live host.
    let dir = common::tmp_dir("rpi-record").join("pi");
    let live = Root::live(
        common::fixture("rpi5-undervolt"),
        None,
        std::time::Duration::from_secs(5),
    );
    let rec = dgx_spark_exporter::record::record(live, Options::default(), &dir, "test").unwrap();
    assert_eq!(
        fs::read(dir.join("proc/device-tree/chosen/power/max_current")).unwrap(),
        [0x00, 0x00, 0x03, 0x84]
    );
    let rpi_lines = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("rpi_"))
            .map(str::to_string)
            .collect()
    };
    let recorded = rpi_lines(&rec.exposition);
    // 1 temperature + 4 ADC channels + 2 fan + 1 PSU + 8 throttle flags + 1 alarm.
    assert_eq!(recorded.len(), 17, "{recorded:#?}");
    assert_eq!(rpi_lines(&common::render_fixture(&dir)), recorded);
}
