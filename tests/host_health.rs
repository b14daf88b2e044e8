//! Platform detection, the dcmon memory gauges, pending updates and
//! reboot-required, checked against values worked out by hand from the
//! fixtures' files (see their PROVENANCE.md), plus what happens when the
//! update stamp is garbage.

mod common;

use std::fs;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn spark_is_detected_from_dmi() {
    let got = common::samples(&common::render_fixture(&common::fixture("spark")));
    let info = r#"dgx_spark_exporter_platform_info{platform="dgx-spark",model="NVIDIA_DGX_Spark"}"#;
    assert_eq!(got.get(info), Some(&1.0), "{got:#?}");
}

#[test]
fn memory_gauges_of_both_spark_fixtures() {
    // (MemTotal, MemAvailable) in kB, from each proc/meminfo.
    for (fixture, total, avail) in [
        ("spark", 127600748.0, 118566368.0),
        ("spark-busy", 127600748.0, 30362164.0),
    ] {
        let got = common::samples(&common::render_fixture(&common::fixture(fixture)));
        let bytes = got["memory_available_bytes"];
        assert!(close(bytes, avail * 1024.0), "{fixture}: {bytes}");
        let percent = got["memory_usage_percent"];
        let want = 100.0 * (total - avail) / total;
        assert!(close(percent, want), "{fixture}: {percent} vs {want}");
    }
}

#[test]
fn spark_idle_has_no_updates_and_no_reboot() {
    let got = common::samples(&common::render_fixture(&common::fixture("spark")));
    assert_eq!(got.get("apt_upgrades_pending"), Some(&0.0));
    assert_eq!(got.get("apt_security_upgrades_pending"), Some(&0.0));
    assert_eq!(got.get("node_reboot_required"), Some(&0.0));
}

#[test]
fn spark_busy_has_pending_updates_and_wants_a_reboot() {
    let got = common::samples(&common::render_fixture(&common::fixture("spark-busy")));
    // "12 updates can be applied immediately." / "3 of these updates are
    // standard security updates."; the ESM Apps update is not installable.
    assert_eq!(got.get("apt_upgrades_pending"), Some(&12.0));
    assert_eq!(got.get("apt_security_upgrades_pending"), Some(&3.0));
    assert_eq!(got.get("node_reboot_required"), Some(&1.0));
    assert_eq!(
        got.get(r#"dgx_spark_exporter_collector_success{collector="updates"}"#),
        Some(&1.0)
    );
}

#[test]
fn a_garbage_update_stamp_drops_only_the_apt_gauges() {
    let dir = common::tmp_dir("garbage-stamp");
    common::copy_tree(&common::fixture("spark-busy"), &dir);
    fs::write(
        dir.join("var/lib/update-notifier/updates-available"),
        "\u{1}\u{2}twelve updates\n",
    )
    .unwrap();
    let got = common::samples(&common::render_fixture(&dir));
    assert!(!got.contains_key("apt_upgrades_pending"));
    assert!(!got.contains_key("apt_security_upgrades_pending"));
    assert_eq!(got.get("node_reboot_required"), Some(&1.0));
    assert_eq!(
        got.get(r#"dgx_spark_exporter_collector_success{collector="updates"}"#),
        Some(&0.0)
    );
    // Everything else still works.
    assert_eq!(
        got.get(r#"dgx_spark_exporter_collector_success{collector="meminfo"}"#),
        Some(&1.0)
    );
}

#[test]
fn no_stamp_means_absent_apt_gauges_and_success() {
    let dir = common::tmp_dir("no-stamp");
    common::copy_tree(&common::fixture("spark"), &dir);
    fs::remove_file(dir.join("var/lib/update-notifier/updates-available")).unwrap();
    let got = common::samples(&common::render_fixture(&dir));
    assert!(!got.contains_key("apt_upgrades_pending"));
    assert_eq!(got.get("node_reboot_required"), Some(&0.0));
    assert_eq!(
        got.get(r#"dgx_spark_exporter_collector_success{collector="updates"}"#),
        Some(&1.0)
    );
}
