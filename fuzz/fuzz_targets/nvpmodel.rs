//! Fuzz target: `parse::nvpmodel::{parse_status, parse_conf}` on any UTF-8 text.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::nvpmodel;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = nvpmodel::parse_status(text);
    if let Ok(conf) = nvpmodel::parse_conf(text) {
        let _ = conf.name(0);
    }
});
