//! Fuzz target: `parse::meminfo::parse` on any UTF-8 text.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::meminfo;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(m) = meminfo::parse(text) {
        assert!(!m.entries.is_empty());
        for e in &m.entries {
            assert_eq!(m.get(e.name).map(|f| f.name), Some(e.name));
            let _ = m.kib(e.name);
        }
    }
});
