//! NVMe health collector.
//!
//! (Being written: this placeholder reports that the collector is not done.)

use crate::expo::Sample;
use crate::root::{CollectError, Root};

/// Whether this collector's files exist under `root`; `Err` gives the
/// reason it stays inactive.
pub fn detect(_root: &Root) -> Result<(), String> {
    Err("nvme collector not written yet".to_string())
}

/// Emits this collector's samples.
///
/// Errors: not written yet.
pub fn collect(_root: &Root, _out: &mut Vec<Sample>) -> Result<(), CollectError> {
    Err(CollectError::Other(
        "nvme collector not written yet".to_string(),
    ))
}
