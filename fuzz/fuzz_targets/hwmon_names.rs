//! Fuzz target: `collect::hwmon::{split_attribute, clean_name}` on any UTF-8 file name.
//!
//! `split_attribute` is also checked against the regular expression it
//! reimplements, node_exporter's `hwmonFilenameFormat` in
//! `collector/hwmon_linux.go`, `^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$`
//! (Go's leftmost-first semantics, as regex-lite's), with the number read by
//! `strconv.Atoi` (a name whose number does not fit is rejected; compared
//! only below 2^63, where Go's `int` and our `u64` agree).
#![no_main]

use libfuzzer_sys::fuzz_target;

use std::sync::OnceLock;

use dgx_spark_exporter::collect::hwmon;
use regex_lite::Regex;

fn node_exporter_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$").expect("regex")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some((kind, _, element)) = hwmon::split_attribute(text) {
        assert!(text.starts_with(kind));
        assert!(text.ends_with(element));
    }
    let theirs = node_exporter_regex().captures(text).and_then(|c| {
        let id = c.name("id").map_or("", |m| m.as_str());
        let number = if id.is_empty() {
            Some(0)
        } else {
            id.parse::<i64>().ok()
        }?;
        Some((
            c.name("type").map_or("", |m| m.as_str()),
            number,
            c.name("property").map_or("", |m| m.as_str()),
        ))
    });
    let ours = hwmon::split_attribute(text);
    let big = ours.is_some_and(|(_, n, _)| n > i64::MAX as u64);
    if !big {
        assert_eq!(ours.map(|(t, n, e)| (t, n as i64, e)), theirs, "{text:?}");
    }
    let clean = hwmon::clean_name(text);
    assert!(
        clean
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == ':' || c == '_')
    );
});
