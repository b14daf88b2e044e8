//! Fuzz target: `parse::cpulist::parse` on any UTF-8 text: never more than 8192 CPUs.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::cpulist;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = cpulist::parse(text) {
        assert!(v.len() <= 8192);
    }
});
