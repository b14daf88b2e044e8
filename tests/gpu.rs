//! The full GPU picture from nvidia-smi, checked by hand:
//! - the recorded wide `--query-gpu` outputs of an H100, an RTX 4080 SUPER
//!   and an RTX 2080 SUPER (`tests/data/nvidia-smi/`, see its README) parse,
//!   and the fields this exporter asks for read as the files say;
//! - every queried field name is a field of `nvidia-smi --help-query-gpu`;
//! - the fixtures `x86-rtx4080`, `spark` and `spark-busy` give the values
//!   their PROVENANCE.md computes;
//! - multi-GPU hosts get one series per GPU; a failing or garbled call is
//!   reported, never a panic.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use dgx_spark_exporter::collect::gpu::Gpu;
use dgx_spark_exporter::collect::{Exporter, Options};
use dgx_spark_exporter::parse::nvidia_smi::{
    self, CLOCK_EVENT_REASONS, GpuRow, Kind, QUERY_GPU_FIELDS, parse_csv,
};
use dgx_spark_exporter::root::Root;

const H100: &str = "linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__idle__query-gpu.csv";
const RTX4080: &str = "linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05__load__query-gpu.csv";
const RTX2080: &str = "linux-x86_64__nvidia-geforce-rtx-2080-super__610.57.04__idle__query-gpu.csv";
const HELP: &str = "linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__help-query-gpu.txt";

fn data(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/nvidia-smi")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What nvidia-smi would print for this exporter's query on the machine of
/// a recorded all-fields capture: our fields in our order, header cells and
/// values as the capture has them, values with units (the capture is
/// `--format=csv`), which the parser accepts as well as `nounits`.
fn our_query_from_capture(capture: &str) -> String {
    let table = parse_csv("capture", capture).unwrap();
    let raw: Vec<&str> = capture.lines().nth(1).unwrap().split(", ").collect();
    let mut header = Vec::new();
    let mut values = Vec::new();
    for field in QUERY_GPU_FIELDS {
        let i = table
            .columns
            .iter()
            .position(|c| c.name == field.name)
            .unwrap_or_else(|| panic!("{} is not in the capture", field.name));
        let col = table.columns[i];
        header.push(match col.unit {
            Some(u) => format!("{} [{u}]", col.name),
            None => col.name.to_string(),
        });
        values.push(raw[i].to_string());
    }
    format!("{}\n{}\n", header.join(", "), values.join(", "))
}

fn typed(capture: &str) -> GpuRow {
    let rows = nvidia_smi::parse_query_gpu(&our_query_from_capture(capture)).unwrap();
    assert_eq!(rows.len(), 1);
    rows.into_iter().next().unwrap()
}

#[test]
fn the_wide_captures_parse_cell_for_cell() {
    // Absent cells, counted with python3 (the reference counted H100's and
    // 2080's [N/A] and N/A by hand too): H100 61 [N/A] + 6 N/A + 6
    // deprecated + 1 empty; 4080 81 + 12 + 6 + 1; 2080 131 + 12 + 6 + 1.
    for (name, columns, absent) in [(H100, 212, 74), (RTX4080, 202, 100), (RTX2080, 241, 150)] {
        let text = data(name);
        let t = parse_csv("capture", &text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(t.columns.len(), columns, "{name}");
        assert_eq!(t.records.len(), 1, "{name}");
        assert_eq!(t.records[0].cells.len(), columns, "{name}");
        // No cell holds a comma: splitting on "," and on ", " agree.
        let line = text.lines().nth(1).unwrap();
        assert_eq!(line.split(',').count(), line.split(", ").count(), "{name}");
        let n = t.records[0].cells.iter().filter(|c| c.is_none()).count();
        assert_eq!(n, absent, "{name}");
    }
}

#[test]
fn hand_checked_cells_of_the_captures() {
    let h100 = data(H100);
    let t = parse_csv("h100", &h100).unwrap();
    let r = &t.records[0];
    assert_eq!(t.get(r, "power.limit"), Some((Some("W"), Some("700.00 W"))));
    assert_eq!(
        t.get(r, "clocks_event_reasons.active"),
        Some((None, Some("0x0000000000000001")))
    );
    assert_eq!(t.get(r, "fan.speed"), Some((Some("%"), None)), "[N/A]");
    assert_eq!(
        t.get(r, "display_mode"),
        Some((None, None)),
        "deprecated token"
    );
    assert_eq!(
        t.get(r, "platform.chassis_serial_number"),
        Some((None, None)),
        "empty cell"
    );
    let units: Vec<&str> = t.columns.iter().filter_map(|c| c.unit).collect();
    for (unit, count) in [
        ("%", 8),
        ("us", 5),
        ("MiB", 7),
        ("W", 23),
        ("ms", 1),
        ("MHz", 11),
    ] {
        assert_eq!(
            units.iter().filter(|u| **u == unit).count(),
            count,
            "[{unit}]"
        );
    }
    let rtx2080 = data(RTX2080);
    let t = parse_csv("2080", &rtx2080).unwrap();
    let r = &t.records[0];
    assert_eq!(t.get(r, "bbx.time_run"), Some((Some("seconds"), None)));
    assert_eq!(
        t.get(r, "power_smoothing.curr_profile.ramp_up_rate"),
        Some((Some("W/s"), None))
    );
    assert_eq!(t.get(r, "fan.speed"), Some((Some("%"), Some("38 %"))));
}

#[test]
fn h100_idle_reads_as_recorded() {
    let r = typed(&data(H100));
    assert_eq!(r.index, 0);
    assert_eq!(r.name.as_deref(), Some("NVIDIA H100 80GB HBM3"));
    assert_eq!(r.driver_version.as_deref(), Some("590.48.01"));
    assert_eq!(r.pci_bus_id.as_deref(), Some("00000000:00:09.0"));
    assert_eq!(r.power_draw_watts, Some(69.85));
    assert_eq!(r.power_limit_watts, Some(700.0));
    assert_eq!(r.enforced_power_limit_watts, Some(700.0));
    assert_eq!(r.memory_total_mib, Some(81559.0));
    assert_eq!(r.memory_used_mib, Some(0.0));
    assert_eq!(r.memory_free_mib, Some(81081.0));
    assert_eq!(r.temperature_gpu_celsius, Some(41.0));
    assert_eq!(r.temperature_memory_celsius, Some(48.0), "HBM has a sensor");
    assert_eq!(r.fan_speed_percent, None, "passive part: [N/A]");
    assert_eq!(r.pstate, Some(0));
    assert_eq!(r.clocks_current_graphics_mhz, Some(345.0));
    assert_eq!(r.clocks_current_sm_mhz, Some(345.0));
    assert_eq!(r.clocks_current_memory_mhz, Some(2619.0));
    assert_eq!(r.clocks_max_graphics_mhz, Some(1980.0));
    assert_eq!(r.clocks_max_sm_mhz, Some(1980.0));
    assert_eq!(r.clocks_max_memory_mhz, Some(2619.0));
    assert_eq!(r.pcie_link_gen_current, Some(5));
    assert_eq!(r.pcie_link_gen_max, Some(5));
    assert_eq!(r.pcie_link_width_current, Some(16));
    assert_eq!(r.pcie_link_width_max, Some(16));
    assert_eq!(
        r.ecc_errors_corrected_volatile_total,
        Some(0),
        "ECC on: a real 0"
    );
    assert_eq!(r.ecc_errors_uncorrected_volatile_total, Some(0));
    let mut want = [Some(false); 8];
    want[0] = Some(true); // gpu_idle: bit 0 of the 0x...01 active mask
    assert_eq!(r.clock_event_reasons, want);
}

#[test]
fn rtx4080_super_under_nvenc_load_reads_as_recorded() {
    let r = typed(&data(RTX4080));
    assert_eq!(r.name.as_deref(), Some("NVIDIA GeForce RTX 4080 SUPER"));
    assert_eq!(r.utilization_gpu_percent, Some(7.0));
    assert_eq!(r.utilization_memory_percent, Some(2.0));
    assert_eq!(r.utilization_encoder_percent, Some(72.0));
    assert_eq!(r.utilization_decoder_percent, Some(0.0));
    assert_eq!(r.power_draw_watts, Some(84.24));
    assert_eq!(r.power_limit_watts, Some(320.0));
    assert_eq!(r.memory_total_mib, Some(16376.0));
    assert_eq!(r.memory_used_mib, Some(1474.0));
    assert_eq!(r.memory_free_mib, Some(14470.0));
    assert_eq!(r.temperature_memory_celsius, None, "bare N/A on GeForce");
    assert_eq!(r.fan_speed_percent, Some(0.0), "fans stopped: a real 0 %");
    assert_eq!(r.pstate, Some(2));
    assert_eq!(r.clocks_current_memory_mhz, Some(11251.0));
    assert_eq!(r.clocks_max_memory_mhz, Some(11501.0));
    assert_eq!(r.pcie_link_gen_current, Some(4));
    assert_eq!(r.ecc_errors_corrected_volatile_total, None, "no ECC: [N/A]");
    assert_eq!(r.clock_event_reasons, [Some(false); 8]);
}

#[test]
fn rtx2080_super_idle_on_610_reads_as_recorded() {
    let r = typed(&data(RTX2080));
    assert_eq!(r.driver_version.as_deref(), Some("610.57.04"));
    assert_eq!(r.pci_bus_id.as_deref(), Some("00000000:0C:00.0"));
    assert_eq!(r.fan_speed_percent, Some(38.0));
    assert_eq!(r.pstate, Some(8));
    assert_eq!(r.power_draw_watts, Some(39.17));
    assert_eq!(r.power_limit_watts, Some(250.0));
    assert_eq!(r.temperature_gpu_celsius, Some(33.0));
    assert_eq!(r.temperature_memory_celsius, None);
    assert_eq!(r.clocks_current_graphics_mhz, Some(765.0));
    assert_eq!(r.clocks_current_memory_mhz, Some(810.0));
    assert_eq!(r.clocks_max_sm_mhz, Some(2145.0));
    assert_eq!(r.memory_total_mib, Some(8192.0));
    assert_eq!(r.memory_used_mib, Some(211.0));
    assert_eq!(r.pcie_link_gen_current, Some(1), "idle link power saving");
    assert_eq!(r.pcie_link_gen_max, Some(3));
    assert_eq!(r.clock_event_reasons[0], Some(true));
}

/// Our header units agree with what nvidia-smi prints for the same fields
/// on three drivers (590, 595, 610): a field read without a unit is printed
/// without one, and each unit is the one we convert from.
#[test]
fn queried_units_match_the_recorded_headers() {
    for name in [H100, RTX4080, RTX2080] {
        let text = data(name);
        let t = parse_csv("capture", &text).unwrap();
        for field in QUERY_GPU_FIELDS {
            let col = t.columns.iter().find(|c| c.name == field.name).unwrap();
            let want = match field.kind {
                Kind::Number { unit } => unit,
                _ => None,
            };
            assert_eq!(col.unit, want, "{name}: {}", field.name);
        }
    }
}

/// Field names are the first quoted name of a block of `--help-query-gpu`
/// (preceded by a blank line); the quoted `"0: Default"` lines inside the
/// compute_mode text are not fields.
#[test]
fn every_queried_field_is_a_canonical_name_in_help_query_gpu() {
    let help = data(HELP);
    let mut canonical = Vec::new();
    let mut prev_blank = false;
    for line in help.lines() {
        if prev_blank && line.starts_with('"') {
            canonical.push(line[1..].split('"').next().unwrap().to_string());
        }
        prev_blank = line.trim().is_empty();
    }
    assert_eq!(canonical.len(), 212, "the reference counted 212 fields");
    for field in QUERY_GPU_FIELDS {
        assert!(canonical.iter().any(|c| c == field.name), "{}", field.name);
    }
    assert!(
        canonical.iter().all(|c| !c.contains(": ")),
        "enum lines are not fields"
    );
    for reason in CLOCK_EVENT_REASONS {
        let line =
            format!("\"clocks_event_reasons.{reason}\" or \"clocks_throttle_reasons.{reason}\"");
        assert!(help.contains(&line), "{line}");
    }
}

fn series(text: &str) -> BTreeMap<String, f64> {
    common::samples(text)
}

#[test]
fn x86_rtx4080_fixture_has_the_discrete_gpu_values_of_its_provenance() {
    let text = common::render_fixture(&common::fixture("x86-rtx4080"));
    let s = series(&text);
    let h = r#"host="gpu-desk""#;
    let g = r#"gpu="0""#;
    let expected: Vec<(String, f64)> = vec![
        (format!("gpu_utilization_percent{{{h},{g}}}"), 7.0),
        (format!("gpu_temperature_celsius{{{h},{g}}}"), 46.0),
        (format!("gpu_frequency_mhz{{{h},{g}}}"), 2805.0),
        (format!("gpu_power_watts{{{h},{g}}}"), 84.24),
        (
            format!("gpu_memory_total_bytes{{{g}}}"),
            16376.0 * 1048576.0,
        ),
        (format!("gpu_memory_used_bytes{{{g}}}"), 1474.0 * 1048576.0),
        (format!("gpu_memory_free_bytes{{{g}}}"), 14470.0 * 1048576.0),
        (format!("gpu_memory_utilization_percent{{{g}}}"), 2.0),
        (format!("gpu_encoder_utilization_percent{{{g}}}"), 72.0),
        (format!("gpu_decoder_utilization_percent{{{g}}}"), 0.0),
        (format!("gpu_power_limit_watts{{{g}}}"), 320.0),
        (format!("gpu_enforced_power_limit_watts{{{g}}}"), 320.0),
        (format!("gpu_clock_sm_hertz{{{g}}}"), 2805e6),
        (format!("gpu_clock_memory_hertz{{{g}}}"), 11251e6),
        (format!("gpu_clock_max_graphics_hertz{{{g}}}"), 3165e6),
        (format!("gpu_clock_max_sm_hertz{{{g}}}"), 3165e6),
        (format!("gpu_clock_max_memory_hertz{{{g}}}"), 11501e6),
        (format!("gpu_fan_speed_percent{{{g}}}"), 0.0),
        (format!("gpu_pstate{{{g}}}"), 2.0),
        (format!("gpu_pcie_link_generation{{{g}}}"), 4.0),
        (format!("gpu_pcie_link_max_generation{{{g}}}"), 4.0),
        (format!("gpu_pcie_link_width_lanes{{{g}}}"), 16.0),
        (format!("gpu_pcie_link_max_width_lanes{{{g}}}"), 16.0),
        (
            format!("cpu_usage_percent{{{h}}}"),
            100.0 * 14162125.0 / 293760000.0,
        ),
        (format!("cpu_temperature_celsius{{{h}}}"), 48.0),
        (
            format!("cpu_frequency_mhz{{{h}}}"),
            33678997.0 / 16.0 / 1000.0,
        ),
        (format!("memory_total_bytes{{{h}}}"), 32527560.0 * 1024.0),
        (
            format!("memory_used_bytes{{{h}}}"),
            (32527560.0 - 26318844.0) * 1024.0,
        ),
        (
            format!(r#"diskio_reads_completed_total{{{h},device="nvme0n1"}}"#),
            412733.0,
        ),
        (
            format!(r#"diskio_writes_completed_total{{{h},device="nvme0n1"}}"#),
            1288421.0,
        ),
        (
            format!("storage_used_percent{{{h}}}"),
            100.0 * 40975286.0 / (40975286.0 + 446142316.0),
        ),
        (
            format!(r#"network_receive_bytes_total{{{h},interface="enp5s0"}}"#),
            38877104213.0,
        ),
        (
            format!(r#"network_transmit_bytes_total{{{h},interface="enp5s0"}}"#),
            4021877310.0,
        ),
    ];
    for (name, want) in &expected {
        let got = s
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing:\n{text}"));
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{name}: {got} != {want}"
        );
    }
    for reason in CLOCK_EVENT_REASONS {
        assert_eq!(
            s[&format!(r#"gpu_clock_event_reason_active{{{g},reason="{reason}"}}"#)],
            0.0
        );
    }
    for absent in [
        "gpu_memory_temperature_celsius",
        "gpu_ecc_errors_corrected_volatile_total{",
        "gpu_ecc_errors_uncorrected_volatile_total{",
        "gpu_process_memory_used_bytes{",
    ] {
        assert!(
            !text.lines().any(|l| l.starts_with(absent)),
            "{absent} should be absent"
        );
    }
    assert!(text.contains(
        r#"gpu_info{gpu="0",uuid="GPU-00000000-0000-0000-0000-000000000000",name="NVIDIA GeForce RTX 4080 SUPER",driver_version="595.71.05",pci_bus_id="00000000:01:00.0"} 1"#
    ));
    assert!(text.contains("dgx_spark_exporter_collector_success{collector=\"gpu\"} 1"));
}

/// The fixture's query-gpu.csv is the 4080 capture's values for our fields,
/// units stripped as `nounits` strips them.
#[test]
fn x86_rtx4080_query_is_the_capture_without_units() {
    let fixture =
        fs::read_to_string(common::fixture("x86-rtx4080").join("nvidia-smi/query-gpu.csv"))
            .unwrap();
    let from_capture = our_query_from_capture(&data(RTX4080));
    let (fh, fv) = fixture.split_once('\n').unwrap();
    let (ch, cv) = from_capture.split_once('\n').unwrap();
    assert_eq!(fh, ch);
    let strip = |v: &str| -> String {
        v.trim_end()
            .split(", ")
            .map(|c| {
                for unit in [" %", " W", " MHz", " MiB"] {
                    if let Some(n) = c.strip_suffix(unit) {
                        return n.to_string();
                    }
                }
                c.to_string()
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    assert_eq!(fv.trim_end(), strip(cv));
    assert_eq!(
        nvidia_smi::parse_query_gpu(&fixture).unwrap(),
        nvidia_smi::parse_query_gpu(&from_capture).unwrap()
    );
}

#[test]
fn spark_fixtures_have_the_gb10_values() {
    let g = r#"gpu="0""#;
    for (name, pstate, sm_hz, gpu_idle, process_bytes) in [
        ("spark", 8.0, 208e6, 1.0, 0.0),
        (
            "spark-busy",
            0.0,
            2418e6,
            0.0,
            (81536.0 + 218.0) * 1048576.0,
        ),
    ] {
        let text = common::render_fixture(&common::fixture(name));
        let s = series(&text);
        assert_eq!(s[&format!("gpu_pstate{{{g}}}")], pstate, "{name}");
        assert_eq!(s[&format!("gpu_clock_sm_hertz{{{g}}}")], sm_hz, "{name}");
        assert_eq!(
            s[&format!("gpu_clock_max_sm_hertz{{{g}}}")],
            3003e6,
            "{name}"
        );
        assert_eq!(
            s[&format!("gpu_clock_max_graphics_hertz{{{g}}}")],
            3003e6,
            "{name}"
        );
        assert_eq!(
            s[&format!("gpu_memory_utilization_percent{{{g}}}")],
            0.0,
            "{name}"
        );
        assert_eq!(
            s[&format!("gpu_pcie_link_generation{{{g}}}")],
            1.0,
            "{name}"
        );
        assert_eq!(
            s[&format!("gpu_pcie_link_max_generation{{{g}}}")],
            1.0,
            "{name}"
        );
        assert_eq!(
            s[&format!("gpu_pcie_link_width_lanes{{{g}}}")],
            1.0,
            "{name}"
        );
        assert_eq!(
            s[&format!("gpu_pcie_link_max_width_lanes{{{g}}}")],
            16.0,
            "{name}"
        );
        assert_eq!(
            s[&format!(r#"gpu_clock_event_reason_active{{{g},reason="gpu_idle"}}"#)],
            gpu_idle,
            "{name}"
        );
        assert_eq!(
            s[&format!(r#"gpu_clock_event_reason_active{{{g},reason="sw_power_cap"}}"#)],
            0.0,
            "{name}: GB10 reports no reason even at its power cap"
        );
        assert_eq!(
            s[&format!("gpu_process_memory_used_bytes{{{g}}}")],
            process_bytes,
            "{name}"
        );
        // Regression: a sum over no process was written as `-0`.
        assert!(
            text.contains(&format!(
                "gpu_process_memory_used_bytes{{{g}}} {process_bytes}\n"
            )),
            "{name}: written as {process_bytes}"
        );
        // [N/A] on a GB10: absent, never 0.
        for absent in [
            "gpu_memory_total_bytes",
            "gpu_memory_used_bytes",
            "gpu_memory_free_bytes",
            "gpu_power_limit_watts",
            "gpu_enforced_power_limit_watts",
            "gpu_clock_memory_hertz",
            "gpu_clock_max_memory_hertz",
            "gpu_fan_speed_percent",
            "gpu_memory_temperature_celsius",
            "gpu_ecc_errors_corrected_volatile_total",
        ] {
            assert!(
                !text.lines().any(|l| l.starts_with(&format!("{absent}{{"))),
                "{name}: {absent} should be absent"
            );
        }
        assert!(
            text.contains("dgx_spark_exporter_collector_success{collector=\"gpu\"} 1"),
            "{name}"
        );
    }
}

/// A copy of fixture `name` in a temporary directory.
fn fixture_copy(name: &str, tag: &str) -> PathBuf {
    let dir = common::tmp_dir(tag);
    common::copy_tree(&common::fixture(name), &dir);
    dir
}

#[test]
fn two_gpus_give_one_series_each() {
    let dir = fixture_copy("x86-rtx4080", "gpu-two");
    let csv = dir.join("nvidia-smi/query-gpu.csv");
    let text = fs::read_to_string(&csv).unwrap();
    let (header, line) = text.split_once('\n').unwrap();
    let second = line
        .replacen("0, ", "1, ", 1)
        .replace("00000000:01:00.0", "00000000:02:00.0")
        .replace(", 84.24,", ", 30.5,")
        .replace(", 1474,", ", 512,");
    fs::write(&csv, format!("{header}\n{line}{second}")).unwrap();
    let out = common::render_fixture(&dir);
    let s = series(&out);
    assert_eq!(s[r#"gpu_power_watts{host="gpu-desk",gpu="0"}"#], 84.24);
    assert_eq!(s[r#"gpu_power_watts{host="gpu-desk",gpu="1"}"#], 30.5);
    assert_eq!(s[r#"gpu_memory_used_bytes{gpu="0"}"#], 1474.0 * 1048576.0);
    assert_eq!(s[r#"gpu_memory_used_bytes{gpu="1"}"#], 512.0 * 1048576.0);
    for family in [
        "gpu_pstate{",
        "gpu_info{",
        "gpu_clock_sm_hertz{",
        "gpu_power_limit_watts{",
    ] {
        assert_eq!(
            out.lines().filter(|l| l.starts_with(family)).count(),
            2,
            "{family}"
        );
    }
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("gpu_clock_event_reason_active{"))
            .count(),
        16
    );
}

#[test]
fn failing_compute_apps_call_loses_only_the_process_memory() {
    let dir = fixture_copy("spark-busy", "gpu-apps-fail");
    fs::write(
        dir.join("nvidia-smi/query-compute-apps.error"),
        "`nvidia-smi --query-compute-apps=gpu_uuid,pid,used_gpu_memory --format=csv,nounits`: exited with exit status: 15, expected 0: Unknown Error\n",
    )
    .unwrap();
    let out = common::render_fixture(&dir);
    assert!(out.contains("dgx_spark_exporter_collector_success{collector=\"gpu\"} 0"));
    assert!(
        !out.contains("gpu_process_memory_used_bytes{"),
        "absent, not 0"
    );
    assert!(out.contains(r#"gpu_power_watts{host="spark-397a",gpu="0"} 71.9"#));
    assert!(out.contains(r#"gpu_pstate{gpu="0"} 0"#));

    let mut samples = Vec::new();
    let e = Gpu::default()
        .collect(&Root::replay(&dir), &mut samples)
        .unwrap_err()
        .to_string();
    assert!(e.contains("Unknown Error"), "{e}");
    assert!(!samples.is_empty());
}

#[test]
fn an_unknown_process_memory_share_is_absent() {
    let dir = fixture_copy("spark-busy", "gpu-apps-na");
    fs::write(
        dir.join("nvidia-smi/query-compute-apps.csv"),
        "gpu_uuid, pid, used_gpu_memory [MiB]\n\
         GPU-00000000-0000-0000-0000-000000000000, 1874203, 81536\n\
         GPU-00000000-0000-0000-0000-000000000000, 1874377, [Insufficient Permissions]\n",
    )
    .unwrap();
    let out = common::render_fixture(&dir);
    assert!(out.contains("dgx_spark_exporter_collector_success{collector=\"gpu\"} 1"));
    assert!(!out.contains("gpu_process_memory_used_bytes{"), "{out}");
}

#[test]
fn garbled_output_is_an_error_naming_command_line_and_text() {
    let dir = fixture_copy("x86-rtx4080", "gpu-garbled");
    let csv = dir.join("nvidia-smi/query-gpu.csv");
    let text = fs::read_to_string(&csv).unwrap();
    for (what, bad, expect) in [
        ("garbage cell", text.replace(", P2,", ", fast,"), "line 2"),
        (
            "garbage row",
            format!("{text}this is not a GPU\n"),
            "line 3",
        ),
        (
            "truncated row",
            text.rsplit_once(", ").unwrap().0.to_string() + "\n",
            "line 2",
        ),
        (
            "unit mismatch",
            text.replace("power.draw [W]", "power.draw [mW]"),
            "line 1",
        ),
    ] {
        fs::write(&csv, &bad).unwrap();
        let mut samples = Vec::new();
        let e = Gpu::default()
            .collect(&Root::replay(&dir), &mut samples)
            .unwrap_err()
            .to_string();
        assert!(e.contains("nvidia-smi --query-gpu"), "{what}: {e}");
        assert!(e.contains(expect), "{what}: {e}");
        assert!(
            e.contains("query-gpu.csv"),
            "{what}: names the recording: {e}"
        );
        assert!(samples.is_empty(), "{what}");
        let out = Exporter::new(Root::replay(&dir), Options::default()).render();
        assert!(
            out.contains("dgx_spark_exporter_collector_success{collector=\"gpu\"} 0"),
            "{what}"
        );
        assert!(
            out.contains("dgx_spark_exporter_collector_success{collector=\"cpu\"} 1"),
            "{what}"
        );
    }
}
