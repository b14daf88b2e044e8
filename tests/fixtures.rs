//! Every fixture directory, replayed through the whole exporter, against its
//! snapshot. A new fixture needs no new test code: any `fixtures/<name>/`
//! with a `PROVENANCE.md` is picked up.

mod common;

#[test]
fn every_fixture_matches_its_snapshot() {
    insta::glob!("../fixtures", "*/PROVENANCE.md", |provenance| {
        let dir = provenance.parent().unwrap();
        let text = common::deterministic(&common::render_fixture(dir));
        insta::assert_snapshot!(text);
    });
}

#[test]
fn a_fixture_replays_identically_twice() {
    let dir = common::fixture("spark");
    let a = common::deterministic(&common::render_fixture(&dir));
    let b = common::deterministic(&common::render_fixture(&dir));
    assert_eq!(a, b);
}

/// `/proc/stat` (the `cpu` and `stat` collectors) and `/sys/class/thermal`
/// (`thermal`, `thermal_zone`, and `jetson` for the GPU zone) were read once
/// by each collector that needed them, two or three times a scrape; they are
/// read once a scrape now (`collect::Scrape`).
#[test]
fn files_two_collectors_need_are_read_once_a_scrape() {
    use dgx_spark_exporter::collect::{Exporter, Options};
    use dgx_spark_exporter::root::Root;
    use std::collections::BTreeMap;
    let shared = |path: &str| path == "proc/stat" || path.starts_with("sys/class/thermal");
    let mut checked = 0;
    for entry in std::fs::read_dir(common::fixture("")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("PROVENANCE.md").exists() {
            continue;
        }
        let exporter = Exporter::new(Root::replay(&dir).recording(None), Options::default());
        exporter.render();
        exporter.root().clear_trace();
        exporter.render();
        let root = exporter.root();
        let mut times: BTreeMap<String, usize> = BTreeMap::new();
        for path in root.files_read().into_iter().chain(root.dirs_listed()) {
            *times.entry(path).or_default() += 1;
        }
        assert!(times.contains_key("proc/stat"), "{}", dir.display());
        for (path, n) in times.iter().filter(|(p, _)| shared(p)) {
            assert_eq!(*n, 1, "{}: {path} read {n} times", dir.display());
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} shared files seen");
}
