//! Fuzz target: `parse::update_notifier::parse` on any UTF-8 text.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::update_notifier;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = update_notifier::parse(text);
});
