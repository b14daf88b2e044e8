//! Fuzz target: `parse::udev::{parse, get}` on any UTF-8 text.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::udev;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(props) = udev::parse(text) {
        let _ = udev::get(&props, "ID_MODEL");
    }
});
