//! Fuzz target: `parse::tegra_release::parse` on any UTF-8 text.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::tegra_release;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(r) = tegra_release::parse(text) {
        let _ = r.l4t();
    }
});
