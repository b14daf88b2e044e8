//! Fuzz target: `parse::get_throttled::parse` on any UTF-8 text.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::get_throttled::{self, Condition};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(t) = get_throttled::parse(text) {
        for c in Condition::ALL {
            let _ = (t.now(c), t.occurred(c));
        }
    }
});
