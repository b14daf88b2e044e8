//! `memory_total_bytes` and `memory_used_bytes` from `/proc/meminfo`.
//!
//! On a DGX Spark the GPU shares this memory (`nvidia-smi` reports every
//! `memory.*` field as `[N/A]`), so this is the one memory figure for both.
//! Used memory is `MemTotal - MemAvailable` (`MemAvailable` since Linux 3.14,
//! the kernel's estimate of memory available without swapping).

use crate::expo::Sample;
use crate::metrics;
use crate::parse::meminfo;
use crate::root::{CollectError, Root};

/// Relative path of the memory statistics file.
pub const MEMINFO_FILE: &str = "proc/meminfo";

/// `/proc/meminfo` prints `kB` meaning KiB (proc(5)).
const KIB_BYTES: u64 = 1024;

/// Emits `memory_total_bytes` and `memory_used_bytes`.
///
/// Errors: the file is unreadable or malformed, or lacks `MemTotal` or
/// `MemAvailable` (`NoData`; the other value is still emitted).
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let text = root.read(MEMINFO_FILE)?;
    let info = meminfo::parse(&text).map_err(|source| root.parse_error(MEMINFO_FILE, source))?;
    let total = info.kib("MemTotal");
    let available = info.kib("MemAvailable");
    if let Some(total) = total {
        let bytes = total.saturating_mul(KIB_BYTES) as f64;
        out.push(Sample::new(&metrics::MEMORY_TOTAL_BYTES, vec![], bytes));
    }
    match (total, available) {
        (Some(total), Some(avail)) => {
            let used = total.saturating_sub(avail).saturating_mul(KIB_BYTES) as f64;
            out.push(Sample::new(&metrics::MEMORY_USED_BYTES, vec![], used));
            Ok(())
        }
        _ => Err(CollectError::NoData(format!(
            "{} lacks MemTotal or MemAvailable (kB lines)",
            root.path(MEMINFO_FILE).display()
        ))),
    }
}
