//! `memory_total_bytes`, `memory_used_bytes`, the dcmon agent's
//! `memory_available_bytes` and `memory_usage_percent`, and node_exporter's
//! `node_memory_*` from `/proc/meminfo`.
//!
//! On a DGX Spark the GPU shares this memory (`nvidia-smi` reports every
//! `memory.*` field as `[N/A]`), so this is the one memory figure for both.
//! Used memory is `MemTotal - MemAvailable` (`MemAvailable` since Linux 3.14,
//! the kernel's estimate of memory available without swapping).

use crate::expo::Sample;
use crate::metrics::{self, host, node};
use crate::parse::meminfo::{self, Unit};
use crate::root::{CollectError, Root};

/// Relative path of the memory statistics file.
pub const MEMINFO_FILE: &str = "proc/meminfo";

/// `/proc/meminfo` prints `kB` meaning KiB (proc(5)).
const KIB_BYTES: u64 = 1024;

/// A meminfo key as node_exporter writes it in a metric name: a
/// parenthesised part becomes an underscore suffix (`Active(anon)` ->
/// `Active_anon`), and any other character not allowed in a metric name
/// becomes `_`.
pub fn field_name(key: &str) -> String {
    key.chars()
        .filter(|&c| c != ')')
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Emits node_exporter's `node_memory_<Field>_bytes` (lines in `kB`, x 1024)
/// and `node_memory_<Field>` (lines without a unit) for every line, known or
/// not, then `memory_total_bytes`, `memory_used_bytes`,
/// `memory_available_bytes` and `memory_usage_percent` (absent when
/// `MemTotal` is 0).
///
/// Errors: the file is unreadable or malformed, or lacks `MemTotal` or
/// `MemAvailable` (`NoData`; the other value is still emitted).
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let text = root.read(MEMINFO_FILE)?;
    let info = meminfo::parse(&text).map_err(|source| root.parse_error(MEMINFO_FILE, source))?;
    for e in &info.entries {
        let field = field_name(e.name);
        let (metric, name, value) = match e.unit {
            Unit::KiB => (
                &node::MEMORY_BYTES,
                format!("node_memory_{field}_bytes"),
                e.value.saturating_mul(KIB_BYTES) as f64,
            ),
            Unit::None => (
                &node::MEMORY_COUNT,
                format!("node_memory_{field}"),
                e.value as f64,
            ),
        };
        out.push(Sample::named(metric, name, vec![], value));
    }
    let total = info.kib("MemTotal");
    let available = info.kib("MemAvailable");
    if let Some(total) = total {
        let bytes = total.saturating_mul(KIB_BYTES) as f64;
        out.push(Sample::new(&metrics::MEMORY_TOTAL_BYTES, vec![], bytes));
    }
    match (total, available) {
        (Some(total), Some(avail)) => {
            let used_kib = total.saturating_sub(avail);
            let used = used_kib.saturating_mul(KIB_BYTES) as f64;
            out.push(Sample::new(&metrics::MEMORY_USED_BYTES, vec![], used));
            let available = avail.saturating_mul(KIB_BYTES) as f64;
            out.push(Sample::new(
                &host::MEMORY_AVAILABLE_BYTES,
                vec![],
                available,
            ));
            if total > 0 {
                let percent = used_kib as f64 / total as f64 * 100.0;
                out.push(Sample::new(&host::MEMORY_USAGE_PERCENT, vec![], percent));
            }
            Ok(())
        }
        _ => Err(CollectError::NoData(format!(
            "{} lacks MemTotal or MemAvailable (kB lines)",
            root.path(MEMINFO_FILE).display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_follow_node_exporter() {
        assert_eq!(field_name("MemTotal"), "MemTotal");
        assert_eq!(field_name("Active(anon)"), "Active_anon");
        assert_eq!(field_name("Inactive(file)"), "Inactive_file");
        assert_eq!(field_name("HugePages_Total"), "HugePages_Total");
    }
}
