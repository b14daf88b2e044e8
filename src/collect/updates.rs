//! Pending updates and reboot-required.
//!
//! (Being written: this placeholder reports that the collector is not done.)

use crate::expo::Sample;
use crate::root::{CollectError, Root};

/// Emits this collector's samples.
///
/// Errors: not written yet.
pub fn collect(_root: &Root, _out: &mut Vec<Sample>) -> Result<(), CollectError> {
    Err(CollectError::Other(
        "updates collector not written yet".to_string(),
    ))
}
