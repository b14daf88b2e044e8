//! `record` on the live host, then replay: the replay reports the values the
//! recording collection reported.

mod common;

use std::time::Duration;

use dgx_spark_exporter::collect::Options;
use dgx_spark_exporter::record;
use dgx_spark_exporter::root::Root;

#[test]
fn replaying_a_fresh_recording_gives_the_recorded_values() {
    let dir = common::tmp_dir("record").join("host");
    let live = Root::live("/", None, Duration::from_secs(5));
    let rec = record::record(live, Options::default(), &dir, "test").unwrap();
    assert!(
        rec.files.iter().any(|f| f == "proc/stat"),
        "{:?}",
        rec.files
    );
    assert!(dir.join("PROVENANCE.md").exists());
    assert!(dir.join("statvfs").exists());
    let replayed = common::without_volatile(&common::render_fixture(&dir));
    let recorded = common::without_volatile(&rec.exposition);
    let differing: Vec<(&str, &str)> = replayed
        .lines()
        .zip(recorded.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert!(
        differing.is_empty() && replayed.lines().count() == recorded.lines().count(),
        "replayed vs recorded: {differing:#?}"
    );
    // A second recording into the same directory is refused.
    let again = record::record(
        Root::live("/", None, Duration::from_secs(5)),
        Options::default(),
        &dir,
        "test",
    );
    assert!(again.is_err());
}
