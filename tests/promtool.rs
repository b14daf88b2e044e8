//! `promtool check metrics` (Prometheus' own linter, Debian package
//! `prometheus`) on the exposition of every fixture: it must report nothing
//! but the camelCase lint on node_exporter's own `node_memory_*` names and
//! the base-unit lint on `nvme_power_on_hours_total`.
//!
//! Without `promtool` the test says so and passes, except under CI (`CI`
//! set), where `.ci/run` installs it and its absence is a failure.

mod common;

use std::process::Command;

#[test]
fn promtool_finds_nothing_in_any_fixture() {
    let Ok(probe) = Command::new("promtool").arg("--version").output() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install promtool (Debian: prometheus)"
        );
        eprintln!(
            "promtool not installed: skipping the promtool lint (apt-get install prometheus)"
        );
        return;
    };
    assert!(probe.status.success());
    let mut checked = 0;
    for entry in std::fs::read_dir(common::fixture("")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("PROVENANCE.md").exists() {
            continue;
        }
        let text = common::render_fixture(&dir);
        let (report, _) =
            common::promtool_check_metrics(&text).expect("promtool answered --version above");
        let lints = common::unaccepted_lints(&report);
        assert!(lints.is_empty(), "{}: {}", dir.display(), lints.join("\n"));
        checked += 1;
    }
    assert!(
        checked >= 2,
        "expected at least the spark and devbox fixtures"
    );
}
