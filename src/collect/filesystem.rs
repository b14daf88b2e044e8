//! `storage_used_percent`: use of the root filesystem as `df` reports it.
//!
//! Source: `statvfs(3)` of `/` (replayed from the fixture's `statvfs` file).
//! GNU df's Use% (coreutils `df.c`) is used / (used + available), where used
//! is `f_blocks - f_bfree` and available is `f_bavail`, the blocks an
//! unprivileged user may still take; the root-reserved blocks are in neither.
//! df rounds up to a whole percent; this exports the exact ratio x 100.

use crate::expo::Sample;
use crate::metrics;
use crate::root::{CollectError, Root};

/// The filesystem whose use is reported.
pub const ROOT_MOUNTPOINT: &str = "/";

/// Emits `storage_used_percent`.
///
/// Errors: `statvfs` fails, or the filesystem reports no blocks (`NoData`).
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let s = root.statvfs(ROOT_MOUNTPOINT)?;
    let used = s.blocks.saturating_sub(s.bfree);
    let visible = used.saturating_add(s.bavail);
    if visible == 0 {
        return Err(CollectError::NoData(format!(
            "statvfs({ROOT_MOUNTPOINT}) reports no blocks"
        )));
    }
    let pct = 100.0 * used as f64 / visible as f64;
    out.push(Sample::new(&metrics::STORAGE_USED_PERCENT, vec![], pct));
    Ok(())
}
