//! Fuzz target: `parse::stat::parse` on any UTF-8 text; the tick sums saturate, never overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::stat;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(s) = stat::parse(text) {
        for t in std::iter::once(&s.total).chain(s.cpus.iter().map(|(_, t)| t)) {
            assert!(t.total() >= t.busy());
            assert!(t.total() >= t.idle_all());
        }
    }
});
