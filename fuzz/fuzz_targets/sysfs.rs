//! Fuzz target: every function of `parse::sysfs` on any UTF-8 text.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::sysfs;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = sysfs::u64_value("fuzz", text);
    let _ = sysfs::i64_value("fuzz", text);
    let _ = sysfs::string_value("fuzz", text);
    let _ = sysfs::int_value("fuzz", text);
    let _ = sysfs::f64_value("fuzz", text);
    let _ = sysfs::text_value(text);
});
