//! Fuzz target: `parse::device_tree::{u32_value, string, strings}`: bytes for the cell, UTF-8 for the strings.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::device_tree;

fuzz_target!(|data: &[u8]| {
    let _ = device_tree::u32_value("fuzz", data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = device_tree::string("fuzz", text);
    for s in device_tree::strings(text) {
        assert!(!s.contains('\0'));
    }
});
