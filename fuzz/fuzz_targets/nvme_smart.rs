//! Fuzz target: `parse::nvme_smart::parse` on any bytes (the 512-byte SMART / Health log page).
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::nvme_smart;

fuzz_target!(|data: &[u8]| {
    let _ = nvme_smart::parse(data);
});
