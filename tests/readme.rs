//! The README's metric table is generated from the metric table in code;
//! this keeps the two from drifting. To update the README after changing
//! `src/metrics/`, paste the table this test prints on failure.

#[test]
fn readme_metric_table_matches_the_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = dgx_spark_exporter::metrics::markdown_table();
    assert!(
        readme.contains(&table),
        "README.md must contain this table:\n\n{table}"
    );
}
