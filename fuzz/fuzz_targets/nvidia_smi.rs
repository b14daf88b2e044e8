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
    if let Ok(rows) = nvidia_smi::parse_query_gpu(text) {
        for mut row in rows {
            assert!(row.pstate.is_none_or(|p| p <= 15));
            // Every number is finite (`number_with_unit` refuses the rest).
            row.uuid = None;
            row.name = None;
            row.driver_version = None;
            row.pci_bus_id = None;
            let dump = format!("{row:?}");
            assert!(!dump.contains("inf") && !dump.contains("NaN"), "{dump}");
        }
    }
    if let Ok(apps) = nvidia_smi::parse_query_compute_apps(text) {
        for a in apps {
            assert!(a.used_gpu_memory_mib.is_none_or(f64::is_finite));
        }
    }
    for cell in text.split(|c| c == ',' || c == '\n') {
        let _ = nvidia_smi::is_absent_token(cell);
    }
});
