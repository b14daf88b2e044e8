//! node_exporter's `loadavg` collector: `node_load1`, `node_load5`,
//! `node_load15` from `/proc/loadavg` (proc(5)).

use crate::expo::Sample;
use crate::metrics::node;
use crate::parse::loadavg;
use crate::root::{CollectError, Root};

/// Relative path of the load average file.
pub const LOADAVG_FILE: &str = "proc/loadavg";

/// Emits the 1, 5 and 15 minute load averages.
///
/// Errors: `/proc/loadavg` unreadable or malformed.
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let load = root.read_parsed(LOADAVG_FILE, loadavg::parse)?;
    out.push(Sample::new(&node::LOAD1, vec![], load.load1));
    out.push(Sample::new(&node::LOAD5, vec![], load.load5));
    out.push(Sample::new(&node::LOAD15, vec![], load.load15));
    Ok(())
}
