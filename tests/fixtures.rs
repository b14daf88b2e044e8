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
