//! The Jetson collector on the three Jetson fixtures, with values checked by
//! hand against each fixture's PROVENANCE.md, and its behaviour on broken
//! input: a rail that vanishes, garbage in a file, a zone without a reading,
//! a power mode its configuration does not define. Each problem is an error
//! naming the path, an absent value, and the rest of the scrape unchanged.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use dgx_spark_exporter::collect::jetson;
use dgx_spark_exporter::collect::{Exporter, Options, Scrape};
use dgx_spark_exporter::expo::Sample;
use dgx_spark_exporter::root::Root;

/// The samples of one scrape of fixture `name` (or a directory).
fn scrape(dir: &Path) -> BTreeMap<String, f64> {
    common::samples(&common::render_fixture(dir))
}

fn fixture(name: &str) -> BTreeMap<String, f64> {
    scrape(&common::fixture(name))
}

/// A copy of fixture `name` to break.
fn copy(name: &str, test: &str) -> PathBuf {
    let dir = common::tmp_dir(&format!("jetson-{test}"));
    common::copy_tree(&common::fixture(name), &dir);
    dir
}

fn success(s: &BTreeMap<String, f64>, collector: &str) -> Option<f64> {
    s.get(&format!(
        r#"dgx_spark_exporter_collector_success{{collector="{collector}"}}"#
    ))
    .copied()
}

/// The samples of family `name`, keyed by their labels as written.
fn family<'a>(s: &'a BTreeMap<String, f64>, name: &str) -> BTreeMap<&'a str, f64> {
    s.iter()
        .filter_map(|(k, v)| {
            let rest = k.strip_prefix(name)?;
            if rest.is_empty() {
                Some(("", *v))
            } else {
                rest.starts_with('{').then_some((rest, *v))
            }
        })
        .collect()
}

/// Asserts `got` equals `want` to 1e-12 relative.
fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

fn rail(s: &BTreeMap<String, f64>, family_name: &str, rail: &str) -> Option<f64> {
    s.get(&format!(r#"{family_name}{{rail="{rail}"}}"#))
        .copied()
}

/// The five gauges of a rail, in the order [`check_rail`] takes them.
const RAIL_FAMILIES: [&str; 5] = [
    "jetson_power_rail_voltage_volts",
    "jetson_power_rail_current_amperes",
    "jetson_power_rail_power_watts",
    "jetson_power_rail_current_max_amperes",
    "jetson_power_rail_current_critical_amperes",
];

/// Asserts rail `name`'s volts, amperes, watts, warning limit
/// (`currN_max`) and critical limit (`currN_crit`), each with [`close`].
fn check_rail(s: &BTreeMap<String, f64>, name: &str, want: [f64; 5]) {
    for (family_name, want) in RAIL_FAMILIES.into_iter().zip(want) {
        let got =
            rail(s, family_name, name).unwrap_or_else(|| panic!("no {family_name} for {name}"));
        close(got, want, &format!("{family_name} {name}"));
    }
}

/// Runs the Jetson collector alone on `root` (one scrape), with `seen`
/// carried over.
fn collect(root: &Root, seen: &Mutex<jetson::Seen>) -> (Vec<Sample>, Result<(), String>) {
    let mut out = Vec::new();
    let scrape = Scrape::default();
    let r = jetson::collect(root, &scrape, seen, true, &mut out).map_err(|e| e.to_string());
    (out, r)
}

fn has(out: &[Sample], name: &str, label: &str) -> bool {
    out.iter()
        .any(|s| s.name == name && s.labels.iter().any(|(_, v)| v == label))
}

// ---------------------------------------------------------------------------
// The fixtures, by hand

#[test]
fn agx_orin_jetpack6_idle_with_the_gpu_rail_gated() {
    let s = fixture("jetson-agx-orin");
    assert_eq!(success(&s, "jetson"), Some(1.0));
    assert_eq!(
        s[r#"jetson_info{model="NVIDIA Jetson AGX Orin Developer Kit",l4t="36.4.3"}"#],
        1.0
    );
    assert_eq!(s[r#"jetson_nvpmodel_mode_info{id="0",name="MAXN"}"#], 1.0);
    assert_eq!(family(&s, "jetson_nvpmodel_mode_info").len(), 1);
    // GPU: devfreq 17000000.gpu (node name `gpu`), idle.
    assert_eq!(
        s[r#"gpu_utilization_percent{host="agx-orin",gpu="0"}"#],
        0.0
    );
    assert_eq!(s[r#"gpu_frequency_mhz{host="agx-orin",gpu="0"}"#], 306.0);
    assert_eq!(s[r#"jetson_gpu_frequency_min_hertz{gpu="0"}"#], 306e6);
    assert_eq!(s[r#"jetson_gpu_frequency_max_hertz{gpu="0"}"#], 1300.5e6);
    assert_eq!(s[r#"jetson_gpu_railgate_enabled{gpu="0"}"#], 1.0);
    // gpu-thermal reads -256000 while the GPU is rail-gated: absent.
    assert!(family(&s, "gpu_temperature_celsius").is_empty(), "{s:?}");
    // Rails: V x I, equal to the tegrastats line the fixture is built from
    // (2340, 390, 4025, 301 mW) to the watt's rounding.
    let rails = [
        ("VDD_GPU_SOC", 19.496, 0.12, 2.33952),
        ("VDD_CPU_CV", 19.496, 0.02, 0.38992),
        ("VIN_SYS_5V0", 5.032, 0.8, 4.0256),
        ("VDDQ_VDD2_1V8AO", 5.016, 0.06, 0.30096),
    ];
    for (name, v, a, w) in rails {
        // Unprogrammed limits: the INA3221's reset value.
        check_rail(&s, name, [v, a, w, 81.9, 81.9]);
    }
    assert_eq!(
        family(&s, "jetson_power_rail_power_watts").len(),
        4,
        "NC channels left out"
    );
    assert!(!s.keys().any(|k| k.contains(r#"rail="NC""#)));
    assert!(
        !s.keys()
            .any(|k| k.starts_with("jetson_") && k.contains("sum of shunt"))
    );
    // Fan.
    close(s[r#"jetson_fan_pwm_ratio{fan="0"}"#], 55.0 / 255.0, "pwm");
    assert_eq!(s[r#"jetson_fan_speed_rpm{fan="0"}"#], 1180.0);
    // No EMC outside debugfs on Orin.
    assert!(family(&s, "jetson_emc_frequency_hertz").is_empty());
    // CPU: hottest of cpu/soc/tj zones (cpu-thermal 44.562), offline zones
    // absent from the generic family too.
    assert_eq!(s[r#"cpu_temperature_celsius{host="agx-orin"}"#], 44.562);
    assert_eq!(s[r#"cpu_frequency_mhz{host="agx-orin"}"#], 729.6);
    let zones = family(&s, "node_thermal_zone_temp");
    assert_eq!(zones.len(), 5, "{zones:?}");
    assert!(
        !zones
            .keys()
            .any(|k| k.contains("gpu-thermal") || k.contains("cv"))
    );
}

#[test]
fn agx_orin_jetpack5_names_and_paths() {
    let s = fixture("jetson-agx-orin-jp5");
    assert_eq!(success(&s, "jetson"), Some(1.0));
    assert_eq!(
        s[r#"jetson_info{model="Jetson AGX Orin",l4t="35.2.1"}"#],
        1.0
    );
    assert_eq!(s[r#"jetson_nvpmodel_mode_info{id="0",name="MAXN"}"#], 1.0);
    // The GPU is found through devfreq 17000000.ga10b, node name `ga10b`.
    assert_eq!(s[r#"gpu_frequency_mhz{host="orin-jp5",gpu="0"}"#], 306.0);
    assert_eq!(
        s[r#"gpu_utilization_percent{host="orin-jp5",gpu="0"}"#],
        0.0
    );
    assert_eq!(s[r#"jetson_gpu_frequency_max_hertz{gpu="0"}"#], 1300.5e6);
    assert!(
        family(&s, "gpu_temperature_celsius").is_empty(),
        "GPU-therm at -256 C"
    );
    // Rail powers equal the JetPack 5 tegrastats milliwatts exactly.
    for (name, w) in [
        ("VDD_GPU_SOC", 2.39904),
        ("VDD_CPU_CV", 0.39984),
        ("VIN_SYS_5V0", 4.032),
        ("VDDQ_VDD2_1V8AO", 0.30096),
    ] {
        close(
            rail(&s, "jetson_power_rail_power_watts", name).unwrap(),
            w,
            name,
        );
    }
    close(s[r#"jetson_fan_pwm_ratio{fan="0"}"#], 55.0 / 255.0, "pwm");
    // JetPack 5 zone names match the default CPU zone pattern; the board
    // sensors Tboard_tegra/Tdiode_tegra do not.
    assert_eq!(s[r#"cpu_temperature_celsius{host="orin-jp5"}"#], 42.593);
    assert_eq!(
        s[r#"node_thermal_zone_temp{type="Tdiode_tegra",zone="10"}"#],
        33.25
    );
    close(
        s[r#"cpu_frequency_mhz{host="orin-jp5"}"#],
        (4.0 * 2201.6 + 4.0 * 2112.0 + 4.0 * 1113.6) / 12.0,
        "cpu_frequency_mhz",
    );
    // No PSI in the L4T 35 kernel: reported by the pressure collector only.
    assert_eq!(success(&s, "pressure"), Some(0.0));
}

#[test]
fn orin_nano_jetpack7_with_the_gpu_awake() {
    let s = fixture("jetson-orin-nano");
    assert_eq!(success(&s, "jetson"), Some(1.0));
    assert_eq!(
        s[r#"jetson_info{model="NVIDIA Jetson Orin Nano Developer Kit",l4t="39.2.0"}"#],
        1.0
    );
    assert_eq!(s[r#"jetson_nvpmodel_mode_info{id="0",name="15W"}"#], 1.0);
    assert_eq!(
        s[r#"gpu_utilization_percent{host="orin-nano",gpu="0"}"#],
        4.0
    );
    assert_eq!(s[r#"gpu_frequency_mhz{host="orin-nano",gpu="0"}"#], 306.0);
    assert_eq!(
        s[r#"gpu_temperature_celsius{host="orin-nano",gpu="0"}"#],
        48.125
    );
    assert_eq!(s[r#"jetson_gpu_frequency_max_hertz{gpu="0"}"#], 624.75e6);
    let rails = [
        ("VDD_IN", 5.016, 0.96, 4.81536, 5.04),
        ("VDD_CPU_GPU_CV", 5.016, 0.248, 1.243968, 32.76),
        ("VDD_SOC", 5.016, 0.288, 1.444608, 32.76),
    ];
    for (name, v, a, w, crit) in rails {
        check_rail(&s, name, [v, a, w, 32.76, crit]);
    }
    assert_eq!(family(&s, "jetson_power_rail_voltage_volts").len(), 3);
    close(s[r#"jetson_fan_pwm_ratio{fan="0"}"#], 62.0 / 255.0, "pwm");
    assert_eq!(s[r#"jetson_fan_speed_rpm{fan="0"}"#], 1520.0);
    // cv0..2-thermal fail with EAGAIN on the board (no temp file here):
    // absent, and neither the thermal collectors nor jetson fail for it.
    let zones = family(&s, "node_thermal_zone_temp");
    assert_eq!(zones.len(), 6, "{zones:?}");
    assert!(!zones.keys().any(|k| k.contains("cv")));
    assert_eq!(success(&s, "thermal_zone"), Some(1.0));
    assert_eq!(success(&s, "thermal"), Some(1.0));
    assert_eq!(s[r#"cpu_temperature_celsius{host="orin-nano"}"#], 48.125);
    close(
        s[r#"cpu_frequency_mhz{host="orin-nano"}"#],
        (4.0 * 1510.4 + 2.0 * 729.6) / 6.0,
        "cpu_frequency_mhz",
    );
}

#[test]
fn not_a_jetson_leaves_the_collector_inactive() {
    for name in ["spark", "devbox"] {
        let s = fixture(name);
        assert_eq!(success(&s, "jetson"), None, "{name}");
        assert!(!s.keys().any(|k| k.starts_with("jetson_")), "{name}");
    }
}

// ---------------------------------------------------------------------------
// Faults

#[test]
fn a_rail_that_vanishes_is_reported_and_absent_and_the_rest_still_scraped() {
    let dir = copy("jetson-orin-nano", "vanish");
    let root = Root::replay(&dir);
    let seen = Mutex::default();
    let (out, r) = collect(&root, &seen);
    assert_eq!(r, Ok(()));
    assert!(has(&out, "jetson_power_rail_power_watts", "VDD_IN"));

    // The INA3221 leaves the bus: its hwmon directory is gone.
    fs::remove_dir_all(dir.join("sys/class/hwmon/hwmon2")).unwrap();
    let (out, r) = collect(&root, &seen);
    let e = r.unwrap_err();
    for rail in ["VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"] {
        assert!(
            e.contains(&format!(
                "power rail {rail} was there in an earlier scrape and is gone"
            )),
            "{e}"
        );
        assert!(!has(&out, "jetson_power_rail_voltage_volts", rail));
    }
    assert!(out.iter().any(|s| s.name == "gpu_utilization_percent"));
    assert!(out.iter().any(|s| s.name == "jetson_fan_pwm_ratio"));
    // Reported on every scrape until it comes back.
    assert!(collect(&root, &seen).1.is_err());

    // Through the whole exporter: one failing collector, nothing else.
    let exporter = Exporter::new(Root::replay(&dir), Options::default());
    common::copy_tree(
        &common::fixture("jetson-orin-nano/sys/class/hwmon/hwmon2"),
        &dir.join("sys/class/hwmon/hwmon2"),
    );
    let first = common::samples(&exporter.render());
    assert_eq!(success(&first, "jetson"), Some(1.0));
    fs::remove_dir_all(dir.join("sys/class/hwmon/hwmon2")).unwrap();
    let second = common::samples(&exporter.render());
    assert_eq!(success(&second, "jetson"), Some(0.0));
    assert_eq!(success(&second, "hwmon"), Some(1.0));
    assert_eq!(success(&second, "thermal"), Some(1.0));
    assert!(family(&second, "jetson_power_rail_power_watts").is_empty());
    assert_eq!(
        second[r#"gpu_temperature_celsius{host="orin-nano",gpu="0"}"#],
        48.125
    );
}

#[test]
fn a_rail_reading_that_vanishes_under_its_label_names_the_file() {
    let dir = copy("jetson-agx-orin", "curr-gone");
    fs::remove_file(dir.join("sys/class/hwmon/hwmon1/curr1_input")).unwrap();
    let (out, r) = collect(&Root::replay(&dir), &Mutex::default());
    let e = r.unwrap_err();
    assert!(e.contains("power rail VDD_GPU_SOC"), "{e}");
    assert!(
        e.contains("sys/class/hwmon/hwmon1/curr1_input vanished"),
        "{e}"
    );
    assert!(has(&out, "jetson_power_rail_voltage_volts", "VDD_GPU_SOC"));
    assert!(!has(
        &out,
        "jetson_power_rail_current_amperes",
        "VDD_GPU_SOC"
    ));
    assert!(!has(&out, "jetson_power_rail_power_watts", "VDD_GPU_SOC"));
    assert!(has(&out, "jetson_power_rail_power_watts", "VDD_CPU_CV"));
}

#[test]
fn garbage_in_rail_gpu_and_mode_files_fails_only_those_values() {
    let dir = copy("jetson-agx-orin-jp5", "garbage");
    fs::write(dir.join("sys/class/hwmon/hwmon3/in2_input"), "lots\n").unwrap();
    fs::write(
        dir.join("sys/devices/platform/17000000.ga10b/load"),
        "busy\n",
    )
    .unwrap();
    fs::write(dir.join("var/lib/nvpmodel/status"), "MAXN\n").unwrap();
    let (out, r) = collect(&Root::replay(&dir), &Mutex::default());
    let e = r.unwrap_err();
    assert!(e.contains("hwmon3/in2_input"), "{e}");
    assert!(e.contains("expected one signed decimal number"), "{e}");
    assert!(e.contains("devfreq/17000000.ga10b/device/load"), "{e}");
    assert!(e.contains("expected one unsigned decimal number"), "{e}");
    assert!(
        e.contains("/var/lib/nvpmodel/status line 1: expected `pmode:"),
        "{e}"
    );
    assert!(!has(&out, "jetson_power_rail_voltage_volts", "VDD_CPU_CV"));
    assert!(has(&out, "jetson_power_rail_current_amperes", "VDD_CPU_CV"));
    assert!(!out.iter().any(|s| s.name == "gpu_utilization_percent"));
    assert!(out.iter().any(|s| s.name == "gpu_frequency_mhz"));
    assert!(!out.iter().any(|s| s.name == "jetson_nvpmodel_mode_info"));
    assert!(out.iter().any(|s| s.name == "jetson_info"));

    let s = scrape(&dir);
    assert_eq!(success(&s, "jetson"), Some(0.0));
    for other in [
        "cpu",
        "hwmon",
        "thermal",
        "thermal_zone",
        "meminfo",
        "cpufreq",
    ] {
        assert_eq!(success(&s, other), Some(1.0), "{other}");
    }
}

#[test]
fn a_gpu_zone_without_a_reading_is_absent_not_an_error() {
    // EAGAIN cannot come from a plain file; a missing `temp` takes the same
    // path (`Root::read_optional` maps both to "no reading"; the unit test
    // `eagain_and_enodata_are_no_reading` checks the EAGAIN mapping).
    let dir = copy("jetson-orin-nano", "gpu-zone");
    fs::remove_file(dir.join("sys/class/thermal/thermal_zone1/temp")).unwrap();
    let s = scrape(&dir);
    assert_eq!(success(&s, "jetson"), Some(1.0));
    assert!(family(&s, "gpu_temperature_celsius").is_empty());
    assert_eq!(
        s[r#"gpu_utilization_percent{host="orin-nano",gpu="0"}"#],
        4.0
    );
}

#[test]
fn jetpack5_gpu_therm_with_a_reading_is_the_gpu_temperature() {
    let dir = copy("jetson-agx-orin-jp5", "gpu-therm");
    fs::write(dir.join("sys/class/thermal/thermal_zone1/temp"), "51093\n").unwrap();
    let s = scrape(&dir);
    assert_eq!(
        s[r#"gpu_temperature_celsius{host="orin-jp5",gpu="0"}"#],
        51.093
    );
}

#[test]
fn a_power_mode_missing_from_the_configuration_keeps_its_id() {
    let dir = copy("jetson-orin-nano", "mode");
    fs::write(
        dir.join("var/lib/nvpmodel/status"),
        "pmode:0002 fmode:fanNull\n",
    )
    .unwrap();
    let (out, r) = collect(&Root::replay(&dir), &Mutex::default());
    let e = r.unwrap_err();
    assert!(e.contains("names mode 2, which"), "{e}");
    assert!(e.contains("etc/nvpmodel.conf does not define"), "{e}");
    let mode = out
        .iter()
        .find(|s| s.name == "jetson_nvpmodel_mode_info")
        .unwrap();
    assert_eq!(mode.labels, [("id", "2".into()), ("name", "".into())]);
}

#[test]
fn a_rail_labelled_twice_is_reported_once() {
    let dir = copy("jetson-agx-orin", "twice");
    fs::write(dir.join("sys/class/hwmon/hwmon2/in2_label"), "VDD_CPU_CV\n").unwrap();
    let (out, r) = collect(&Root::replay(&dir), &Mutex::default());
    let e = r.unwrap_err();
    assert!(e.contains("power rail VDD_CPU_CV: labelled twice"), "{e}");
    let n = out
        .iter()
        .filter(|s| s.name == "jetson_power_rail_voltage_volts" && s.labels[0].1 == "VDD_CPU_CV")
        .count();
    assert_eq!(n, 1);
}

#[test]
fn without_the_release_file_the_device_tree_still_identifies_a_jetson() {
    let dir = copy("jetson-agx-orin", "no-release");
    fs::remove_file(dir.join("etc/nv_tegra_release")).unwrap();
    let s = scrape(&dir);
    assert_eq!(success(&s, "jetson"), Some(1.0));
    assert_eq!(
        s[r#"jetson_info{model="NVIDIA Jetson AGX Orin Developer Kit",l4t=""}"#],
        1.0
    );
}

#[test]
fn the_emc_clock_comes_from_a_bwmgr_devfreq_device_where_there_is_one() {
    let dir = copy("jetson-agx-orin", "emc");
    fs::create_dir_all(dir.join("sys/class/devfreq/bwmgr")).unwrap();
    fs::write(dir.join("sys/class/devfreq/bwmgr/cur_freq"), "3199000000\n").unwrap();
    let s = scrape(&dir);
    assert_eq!(s["jetson_emc_frequency_hertz"], 3_199_000_000.0);
    assert_eq!(success(&s, "jetson"), Some(1.0));
}

#[test]
fn a_stopped_fan_without_tach_pulses_has_no_speed_but_its_pwm() {
    // The JetPack 6 tachometer driver fails the read when no pulses arrive;
    // a directory in place of the file fails the read here (EISDIR).
    let dir = copy("jetson-agx-orin", "fan");
    let rpm = dir.join("sys/class/hwmon/hwmon0/rpm");
    fs::remove_file(&rpm).unwrap();
    fs::create_dir(&rpm).unwrap();
    let s = scrape(&dir);
    assert_eq!(success(&s, "jetson"), Some(1.0));
    assert!(family(&s, "jetson_fan_speed_rpm").is_empty());
    assert!(s.contains_key(r#"jetson_fan_pwm_ratio{fan="0"}"#));
}

#[test]
fn a_jetson_whose_nvidia_smi_works_writes_each_gpu_series_once() {
    // nvidia-smi reports the GPU (as on Jetson Thor): the gpu collector owns
    // the contract gauges, the jetson collector keeps its own families.
    use dgx_spark_exporter::parse::nvidia_smi::{QUERY_GPU_FIELDS, query_gpu_header};
    let dir = copy("jetson-orin-nano", "with-nvidia-smi");
    let header = query_gpu_header();
    let mut row: Vec<&str> = "0, GPU-1, Orin (nvgpu), 540.4.0, 00000000:00:00.0, 37, 51, 612"
        .split(", ")
        .collect();
    row.resize(QUERY_GPU_FIELDS.len(), "[N/A]");
    fs::create_dir_all(dir.join("nvidia-smi")).unwrap();
    fs::write(
        dir.join("nvidia-smi/query-gpu.csv"),
        format!("{}\n{}\n", header, row.join(", ")),
    )
    .unwrap();
    // memory.total is [N/A] (unified memory), so the compute-apps query runs.
    fs::write(
        dir.join("nvidia-smi/query-compute-apps.csv"),
        "gpu_uuid, pid, used_gpu_memory [MiB]\n",
    )
    .unwrap();
    let text = common::render_fixture(&dir);
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    for family in [
        "gpu_utilization_percent{",
        "gpu_temperature_celsius{",
        "gpu_frequency_mhz{",
    ] {
        let series: Vec<&&str> = lines.iter().filter(|l| l.starts_with(family)).collect();
        assert_eq!(series.len(), 1, "{family}: {series:?}");
    }
    let s = common::samples(&text);
    assert_eq!(
        s.get(r#"gpu_utilization_percent{host="orin-nano",gpu="0"}"#),
        Some(&37.0),
        "the nvidia-smi value, not the sysfs load: {s:#?}"
    );
    assert_eq!(success(&s, "jetson"), Some(1.0));
    assert_eq!(success(&s, "gpu"), Some(1.0));
    assert!(
        s.keys()
            .any(|k| k.starts_with("jetson_gpu_frequency_max_hertz"))
    );
}
