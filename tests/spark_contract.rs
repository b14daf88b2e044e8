//! The 16 Spark contract metrics of `fixtures/spark`, checked against values
//! computed by hand from its files (see fixtures/spark/PROVENANCE.md), so a
//! wrong value cannot hide in an accepted snapshot.

mod common;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn spark_contract_metrics_equal_hand_computed_values() {
    let text = common::render_fixture(&common::fixture("spark"));
    let got = common::samples(&text);
    let h = r#"host="spark-397a""#;
    // proc/stat aggregate line: busy = user+nice+system+irq+softirq+steal
    // = 6468454+9631+1330148+260080+87076+0 = 8155389;
    // total = busy + idle + iowait = 8155389+135793354+51257 = 144000000.
    let cpu_usage = 100.0 * 8155389.0 / 144000000.0;
    // 20 scaling_cur_freq values sum to 67061231 kHz.
    let cpu_mhz = 67061231.0 / 20.0 / 1000.0;
    // statvfs "/": used = 961008388-860422175 = 100586213 blocks,
    // avail = 812371756.
    let storage = 100.0 * 100586213.0 / (100586213.0 + 812371756.0);
    let expected: Vec<(String, f64)> = vec![
        (format!("cpu_usage_percent{{{h}}}"), cpu_usage),
        (format!("cpu_temperature_celsius{{{h}}}"), 41.7),
        (format!("cpu_frequency_mhz{{{h}}}"), cpu_mhz),
        (format!(r#"gpu_utilization_percent{{{h},gpu="0"}}"#), 0.0),
        (format!(r#"gpu_temperature_celsius{{{h},gpu="0"}}"#), 36.0),
        (format!(r#"gpu_frequency_mhz{{{h},gpu="0"}}"#), 208.0),
        (format!(r#"gpu_power_watts{{{h},gpu="0"}}"#), 4.52),
        (format!("memory_total_bytes{{{h}}}"), 127600748.0 * 1024.0),
        (
            format!("memory_used_bytes{{{h}}}"),
            (127600748.0 - 118566368.0) * 1024.0,
        ),
        (
            format!(r#"diskio_reads_completed_total{{{h},device="nvme0n1"}}"#),
            2194411.0,
        ),
        (
            format!(r#"diskio_writes_completed_total{{{h},device="nvme0n1"}}"#),
            3871245.0,
        ),
        (format!("storage_used_percent{{{h}}}"), storage),
        (
            format!(r#"network_receive_bytes_total{{{h},interface="enP7s7"}}"#),
            98543210987.0,
        ),
        (
            format!(r#"network_receive_bytes_total{{{h},interface="wlP9s9"}}"#),
            734512876.0,
        ),
        (
            format!(r#"network_transmit_bytes_total{{{h},interface="enP7s7"}}"#),
            12345678901.0,
        ),
        (
            format!(r#"network_transmit_bytes_total{{{h},interface="wlP9s9"}}"#),
            98442310.0,
        ),
        (
            format!(r#"network_receive_packets_total{{{h},interface="enP7s7"}}"#),
            71234567.0,
        ),
        (
            format!(r#"network_receive_packets_total{{{h},interface="wlP9s9"}}"#),
            1203441.0,
        ),
        (
            format!(r#"network_transmit_packets_total{{{h},interface="enP7s7"}}"#),
            23456789.0,
        ),
        (
            format!(r#"network_transmit_packets_total{{{h},interface="wlP9s9"}}"#),
            402311.0,
        ),
    ];
    for (series, want) in &expected {
        let v = got
            .get(series)
            .unwrap_or_else(|| panic!("missing {series}\n{text}"));
        assert!(close(*v, *want), "{series}: got {v}, want {want}");
    }
    // Nothing else of the contract families: no partitions or loop devices,
    // no interface that is down or not backed by a device.
    let contract_series = got
        .keys()
        .filter(|k| {
            dgx_spark_exporter::metrics::all()
                .any(|m| m.contract && k.split('{').next() == Some(m.name))
        })
        .count();
    assert_eq!(contract_series, expected.len(), "{text}");
    // Every collector succeeded, the GPU one included, except the Jetson
    // and Raspberry Pi ones, which are inactive on a Spark and say nothing.
    use dgx_spark_exporter::collect::Collector;
    for c in Collector::ALL {
        let key = format!(
            r#"dgx_spark_exporter_collector_success{{collector="{}"}}"#,
            c.name()
        );
        let want = match c {
            Collector::Jetson | Collector::Rpi => None,
            _ => Some(&1.0),
        };
        assert_eq!(got.get(&key), want, "{key}");
    }
    assert_eq!(
        got.get(r#"gpu_info{gpu="0",uuid="GPU-00000000-0000-0000-0000-000000000000",name="NVIDIA GB10",driver_version="580.142",pci_bus_id="0000000F:01:00.0"}"#),
        Some(&1.0)
    );
}

#[test]
fn no_host_label_removes_it_only_from_the_contract_metrics() {
    use dgx_spark_exporter::collect::{Exporter, Options};
    use dgx_spark_exporter::root::Root;
    let opts = Options {
        host_label: false,
        ..Options::default()
    };
    let text = Exporter::new(Root::replay(common::fixture("spark")), opts).render();
    assert!(!text.contains("host="), "{text}");
    assert!(text.contains("cpu_usage_percent 5.66"), "{text}");
}
