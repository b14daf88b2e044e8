//! Fuzz target: `parse::statvfs::{parse, escape, unescape}`; `unescape(escape(s)) == s` for any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::statvfs;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = statvfs::parse(text);
    let _ = statvfs::unescape(text);
    assert_eq!(statvfs::unescape(&statvfs::escape(text)), text);
});
