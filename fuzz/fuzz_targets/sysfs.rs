//! Fuzz target: every function of `parse::sysfs` on any UTF-8 text, and
//! what their docs promise of a success: a string value is one non-empty
//! line, an f64 value is finite, a text value is the input without its end.
#![no_main]

use dgx_spark_exporter::parse::sysfs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = sysfs::u64_value("fuzz", text) {
        assert_eq!(sysfs::u64_value("fuzz", &v.to_string()), Ok(v));
    }
    if let Ok(v) = sysfs::i64_value("fuzz", text) {
        assert_eq!(sysfs::i64_value("fuzz", &v.to_string()), Ok(v));
    }
    if let Ok(s) = sysfs::string_value("fuzz", text) {
        assert!(!s.is_empty() && !s.contains('\n'), "{text:?}");
    }
    let _ = sysfs::int_value("fuzz", text);
    if let Ok(v) = sysfs::f64_value("fuzz", text) {
        assert!(v.is_finite(), "{text:?}");
    }
    assert!(text.starts_with(sysfs::text_value(text)));
});
