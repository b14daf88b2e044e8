//! The files in `examples/`: the Prometheus config and alert rules pass
//! `promtool` (including `promtool test rules` on every rule), and the
//! Grafana dashboard only queries metrics the exporter emits on some fixture,
//! so it cannot drift from the exporter.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use regex_lite::Regex;

fn examples(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(file)
        .display()
        .to_string()
}

fn promtool(args: &[&str]) -> Option<String> {
    let Ok(out) = Command::new("promtool").args(args).output() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install promtool (Debian: prometheus)"
        );
        eprintln!(
            "promtool not installed: skipping `promtool {}`",
            args.join(" ")
        );
        return None;
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool {}:\n{text}", args.join(" "));
    Some(text)
}

#[test]
fn alert_rules_check_and_their_unit_tests_pass() {
    promtool(&["check", "rules", &examples("alerts.yml")]);
    if let Some(report) = promtool(&["test", "rules", &examples("alerts.test.yml")]) {
        assert!(report.contains("SUCCESS"), "{report}");
    }
}

#[test]
fn every_alert_rule_has_a_unit_test() {
    let rules = std::fs::read_to_string(examples("alerts.yml")).unwrap();
    let tests = std::fs::read_to_string(examples("alerts.test.yml")).unwrap();
    let alert = Regex::new(r"(?m)^\s*- alert: (\w+)").unwrap();
    let names: Vec<&str> = alert
        .captures_iter(&rules)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert!(names.len() >= 7, "{names:?}");
    for name in names {
        assert!(
            tests.contains(&format!("alertname: {name}\n")),
            "no unit test for {name}"
        );
    }
}

#[test]
fn prometheus_config_is_valid() {
    promtool(&["check", "config", &examples("prometheus.yml")]);
}

/// Metric names a PromQL expression selects.
fn metric_names(expr: &str) -> BTreeSet<String> {
    // Drop label matchers, ranges, string literals and label lists.
    let stripped = Regex::new(r#"\{[^}]*\}|\[[^\]]*\]|"[^"]*""#)
        .unwrap()
        .replace_all(expr, " ");
    let stripped = Regex::new(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
        .unwrap()
        .replace_all(&stripped, " ");
    let ident = Regex::new(r"[a-zA-Z_:][a-zA-Z0-9_:]*\s*\(?").unwrap();
    ident
        .find_iter(&stripped)
        .map(|m| m.as_str())
        .filter(|t| !t.ends_with('('))
        .map(|t| t.trim().to_string())
        .filter(|t| !["and", "or", "unless", "bool", "offset", "by", "on"].contains(&t.as_str()))
        .collect()
}

#[test]
fn metric_name_extraction() {
    let names =
        metric_names(r#"-rate(network_transmit_bytes_total{host=~"$host"}[1m]) / on (host) up"#);
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        ["network_transmit_bytes_total", "up"]
    );
}

/// Every family some fixture emits, plus `up` (Prometheus's own).
fn emitted_families() -> BTreeSet<String> {
    let mut emitted: BTreeSet<String> = ["up".to_string()].into();
    for entry in std::fs::read_dir(common::fixture("")).unwrap() {
        let dir = entry.unwrap().path();
        if dir.join("PROVENANCE.md").exists() {
            for line in common::render_fixture(&dir)
                .lines()
                .filter(|l| l.starts_with("# TYPE "))
            {
                emitted.insert(line.split(' ').nth(2).unwrap().to_string());
            }
        }
    }
    emitted
}

#[test]
fn alert_rules_only_use_metrics_the_exporter_emits() {
    let rules = std::fs::read_to_string(examples("alerts.yml")).unwrap();
    let emitted = emitted_families();
    // `expr:` either on one line or as a `>-` block of indented lines.
    let mut exprs = Vec::new();
    let mut lines = rules.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((indent, rest)) = line.split_once("expr:") else {
            continue;
        };
        let rest = rest.trim();
        if rest == ">-" || rest == ">" || rest == "|" {
            let mut block = String::new();
            while let Some(next) = lines.peek() {
                if next.len() - next.trim_start().len() <= indent.len() {
                    break;
                }
                block.push_str(next);
                block.push(' ');
                lines.next();
            }
            exprs.push(block);
        } else {
            exprs.push(rest.to_string());
        }
    }
    assert!(exprs.len() >= 13, "{exprs:?}");
    let used: BTreeSet<String> = exprs.iter().flat_map(|e| metric_names(e)).collect();
    let unknown: Vec<_> = used.difference(&emitted).collect();
    assert!(
        unknown.is_empty(),
        "the alert rules use metrics no fixture emits: {unknown:?}"
    );
}

#[test]
fn the_dashboard_only_queries_metrics_the_exporter_emits() {
    let dashboard = std::fs::read_to_string(examples("grafana/dgx-spark.json")).unwrap();
    let emitted = emitted_families();
    let expr = Regex::new(r#""expr":\s*"((?:[^"\\]|\\.)*)""#).unwrap();
    let mut queried = BTreeSet::new();
    for c in expr.captures_iter(&dashboard) {
        let text = c
            .get(1)
            .unwrap()
            .as_str()
            .replace("\\\"", "\"")
            .replace("\\\\", "\\");
        queried.extend(metric_names(&text));
    }
    // Template variables: label_values(metric, label).
    let label_values = Regex::new(r"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,").unwrap();
    queried.extend(
        label_values
            .captures_iter(&dashboard)
            .map(|c| c[1].to_string()),
    );
    assert!(queried.len() >= 15, "{queried:?}");
    let unknown: Vec<_> = queried.difference(&emitted).collect();
    assert!(
        unknown.is_empty(),
        "the dashboard queries metrics no fixture emits: {unknown:?}"
    );
}

#[test]
fn the_dashboard_is_json_grafana_can_import() {
    let path = examples("grafana/dgx-spark.json");
    let check = "import json,sys; d=json.load(open(sys.argv[1])); \
                 assert d['uid'] and d['title'] and d['schemaVersion'] >= 30; \
                 assert all('gridPos' in p for p in d['panels']); \
                 assert all(t['expr'] for p in d['panels'] for t in p.get('targets', []))";
    match Command::new("python3").args(["-c", check, &path]).output() {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => eprintln!("python3 not installed: skipping the JSON check"),
    }
}
