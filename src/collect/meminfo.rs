//! `memory_total_bytes`, `memory_used_bytes`, the dcmon agent's
//! `memory_available_bytes` and `memory_usage_percent`, and node_exporter's
//! `node_memory_*` from `/proc/meminfo`.
//!
//! On a DGX Spark the GPU shares this memory (`nvidia-smi` reports every
//! `memory.*` field as `[N/A]`), so this is the one memory figure for both.
//! Used memory is `MemTotal - MemAvailable` (`MemAvailable` since Linux 3.14,
//! the kernel's estimate of memory available without swapping).

use crate::expo::{Labels, Sample};
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

/// node_exporter's family name for the `/proc/meminfo` line `key` in
/// `unit`: `node_memory_<field>_bytes` for kB lines, `node_memory_<field>`
/// for counts (`HugePages_Total`), `<field>` from [`field_name`].
fn built_name(key: &str, unit: Unit) -> String {
    let field = field_name(key);
    match unit {
        Unit::KiB => format!("node_memory_{field}_bytes"),
        Unit::None => format!("node_memory_{field}"),
    }
}

/// node_exporter's family name for each line Linux 6.x prints in
/// `/proc/meminfo` (`fs/proc/meminfo.c`, `arch/x86/mm/pat/set_memory.c` for
/// `DirectMap*`), by key and unit, in the kernel's order: a scrape builds
/// none of these names. A line not listed (a newer kernel's, or a known
/// key in another unit) gets its name from [`built_name`].
const NAMES: &[(&str, Unit, &str)] = &[
    ("MemTotal", Unit::KiB, "node_memory_MemTotal_bytes"),
    ("MemFree", Unit::KiB, "node_memory_MemFree_bytes"),
    ("MemAvailable", Unit::KiB, "node_memory_MemAvailable_bytes"),
    ("Buffers", Unit::KiB, "node_memory_Buffers_bytes"),
    ("Cached", Unit::KiB, "node_memory_Cached_bytes"),
    ("SwapCached", Unit::KiB, "node_memory_SwapCached_bytes"),
    ("Active", Unit::KiB, "node_memory_Active_bytes"),
    ("Inactive", Unit::KiB, "node_memory_Inactive_bytes"),
    ("Active(anon)", Unit::KiB, "node_memory_Active_anon_bytes"),
    (
        "Inactive(anon)",
        Unit::KiB,
        "node_memory_Inactive_anon_bytes",
    ),
    ("Active(file)", Unit::KiB, "node_memory_Active_file_bytes"),
    (
        "Inactive(file)",
        Unit::KiB,
        "node_memory_Inactive_file_bytes",
    ),
    ("Unevictable", Unit::KiB, "node_memory_Unevictable_bytes"),
    ("Mlocked", Unit::KiB, "node_memory_Mlocked_bytes"),
    ("HighTotal", Unit::KiB, "node_memory_HighTotal_bytes"),
    ("HighFree", Unit::KiB, "node_memory_HighFree_bytes"),
    ("LowTotal", Unit::KiB, "node_memory_LowTotal_bytes"),
    ("LowFree", Unit::KiB, "node_memory_LowFree_bytes"),
    ("MmapCopy", Unit::KiB, "node_memory_MmapCopy_bytes"),
    ("SwapTotal", Unit::KiB, "node_memory_SwapTotal_bytes"),
    ("SwapFree", Unit::KiB, "node_memory_SwapFree_bytes"),
    ("Zswap", Unit::KiB, "node_memory_Zswap_bytes"),
    ("Zswapped", Unit::KiB, "node_memory_Zswapped_bytes"),
    ("Dirty", Unit::KiB, "node_memory_Dirty_bytes"),
    ("Writeback", Unit::KiB, "node_memory_Writeback_bytes"),
    ("AnonPages", Unit::KiB, "node_memory_AnonPages_bytes"),
    ("Mapped", Unit::KiB, "node_memory_Mapped_bytes"),
    ("Shmem", Unit::KiB, "node_memory_Shmem_bytes"),
    ("KReclaimable", Unit::KiB, "node_memory_KReclaimable_bytes"),
    ("Slab", Unit::KiB, "node_memory_Slab_bytes"),
    ("SReclaimable", Unit::KiB, "node_memory_SReclaimable_bytes"),
    ("SUnreclaim", Unit::KiB, "node_memory_SUnreclaim_bytes"),
    ("KernelStack", Unit::KiB, "node_memory_KernelStack_bytes"),
    (
        "ShadowCallStack",
        Unit::KiB,
        "node_memory_ShadowCallStack_bytes",
    ),
    ("PageTables", Unit::KiB, "node_memory_PageTables_bytes"),
    (
        "SecPageTables",
        Unit::KiB,
        "node_memory_SecPageTables_bytes",
    ),
    ("NFS_Unstable", Unit::KiB, "node_memory_NFS_Unstable_bytes"),
    ("Bounce", Unit::KiB, "node_memory_Bounce_bytes"),
    ("WritebackTmp", Unit::KiB, "node_memory_WritebackTmp_bytes"),
    ("CommitLimit", Unit::KiB, "node_memory_CommitLimit_bytes"),
    ("Committed_AS", Unit::KiB, "node_memory_Committed_AS_bytes"),
    ("VmallocTotal", Unit::KiB, "node_memory_VmallocTotal_bytes"),
    ("VmallocUsed", Unit::KiB, "node_memory_VmallocUsed_bytes"),
    ("VmallocChunk", Unit::KiB, "node_memory_VmallocChunk_bytes"),
    ("Percpu", Unit::KiB, "node_memory_Percpu_bytes"),
    (
        "HardwareCorrupted",
        Unit::KiB,
        "node_memory_HardwareCorrupted_bytes",
    ),
    (
        "AnonHugePages",
        Unit::KiB,
        "node_memory_AnonHugePages_bytes",
    ),
    (
        "ShmemHugePages",
        Unit::KiB,
        "node_memory_ShmemHugePages_bytes",
    ),
    (
        "ShmemPmdMapped",
        Unit::KiB,
        "node_memory_ShmemPmdMapped_bytes",
    ),
    (
        "FileHugePages",
        Unit::KiB,
        "node_memory_FileHugePages_bytes",
    ),
    (
        "FilePmdMapped",
        Unit::KiB,
        "node_memory_FilePmdMapped_bytes",
    ),
    ("CmaTotal", Unit::KiB, "node_memory_CmaTotal_bytes"),
    ("CmaFree", Unit::KiB, "node_memory_CmaFree_bytes"),
    ("Unaccepted", Unit::KiB, "node_memory_Unaccepted_bytes"),
    ("Balloon", Unit::KiB, "node_memory_Balloon_bytes"),
    ("HugePages_Total", Unit::None, "node_memory_HugePages_Total"),
    ("HugePages_Free", Unit::None, "node_memory_HugePages_Free"),
    ("HugePages_Rsvd", Unit::None, "node_memory_HugePages_Rsvd"),
    ("HugePages_Surp", Unit::None, "node_memory_HugePages_Surp"),
    ("Hugepagesize", Unit::KiB, "node_memory_Hugepagesize_bytes"),
    ("Hugetlb", Unit::KiB, "node_memory_Hugetlb_bytes"),
    ("DirectMap4k", Unit::KiB, "node_memory_DirectMap4k_bytes"),
    ("DirectMap4M", Unit::KiB, "node_memory_DirectMap4M_bytes"),
    ("DirectMap2M", Unit::KiB, "node_memory_DirectMap2M_bytes"),
    ("DirectMap1G", Unit::KiB, "node_memory_DirectMap1G_bytes"),
];

/// The family name of the meminfo line `key` in `unit` from [`NAMES`],
/// searched from `*at` (the kernel prints lines in the table's order, so
/// the next entry is nearly always the one), which is left after the match.
fn known_name(key: &str, unit: Unit, at: &mut usize) -> Option<&'static str> {
    let n = NAMES.len();
    let start = *at;
    let i = (0..n)
        .map(|i| (start + i) % n)
        .find(|&i| NAMES[i].0 == key && NAMES[i].1 == unit)?;
    *at = i + 1;
    Some(NAMES[i].2)
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
    let mut at = 0;
    for e in &info.entries {
        let (metric, value) = match e.unit {
            Unit::KiB => (
                &node::MEMORY_BYTES,
                e.value.saturating_mul(KIB_BYTES) as f64,
            ),
            Unit::None => (&node::MEMORY_COUNT, e.value as f64),
        };
        let sample = match known_name(e.name, e.unit, &mut at) {
            Some(name) => Sample::named_static(metric, name, Labels::NONE, value),
            None => Sample::named(metric, built_name(e.name, e.unit), Labels::NONE, value),
        };
        out.push(sample);
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

    #[test]
    fn every_kept_name_is_the_one_field_name_builds() {
        for &(key, unit, name) in NAMES {
            assert_eq!(name, built_name(key, unit));
            let mut at = 0;
            assert_eq!(known_name(key, unit, &mut at), Some(name));
        }
        // In order, from the last match; a known key in another unit, or an
        // unknown key, is not found.
        let mut at = 0;
        assert_eq!(
            known_name("MemFree", Unit::KiB, &mut at),
            Some("node_memory_MemFree_bytes")
        );
        assert_eq!(
            known_name("MemTotal", Unit::KiB, &mut at),
            Some("node_memory_MemTotal_bytes")
        );
        assert_eq!(known_name("MemTotal", Unit::None, &mut at), None);
        assert_eq!(known_name("FutureField", Unit::KiB, &mut at), None);
    }
}
