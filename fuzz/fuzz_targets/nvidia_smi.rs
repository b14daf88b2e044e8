//! Fuzz target: `parse::nvidia_smi::{parse_csv, parse_query_gpu, parse_query_compute_apps}` (headers and rows) on any UTF-8 text.
#![no_main]

use libfuzzer_sys::fuzz_target;

use dgx_spark_exporter::parse::nvidia_smi;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(table) = nvidia_smi::parse_csv("fuzz", text) {
        for r in &table.records {
            assert_eq!(r.cells.len(), table.columns.len());
            for c in &table.columns {
                let _ = table.get(r, c.name);
            }
        }
    }
    let _ = nvidia_smi::parse_query_gpu(text);
    let _ = nvidia_smi::parse_query_compute_apps(text);
    for cell in text.split(|c| c == ',' || c == '\n') {
        let _ = nvidia_smi::is_absent_token(cell);
    }
});
