//! Fuzz target: `collect::hwmon::{split_attribute, clean_name}` on any UTF-8 file name.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::collect::hwmon;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some((kind, _, element)) = hwmon::split_attribute(text) {
        assert!(text.starts_with(kind));
        assert!(text.ends_with(element));
    }
    let clean = hwmon::clean_name(text);
    assert!(
        clean
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == ':' || c == '_')
    );
});
