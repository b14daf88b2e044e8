//! Fuzz target: `parse::netdev::parse` on any UTF-8 text.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::netdev;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = netdev::parse(text) {
        let _ = format!("{v:?}");
    }
});
