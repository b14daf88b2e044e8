//! `diskio_reads_completed_total` and `diskio_writes_completed_total` from
//! `/proc/diskstats`, one series per device not matching the exclusion
//! pattern (by default node_exporter's: whole disks only, no partitions,
//! loop, RAM or floppy devices).

use regex_lite::Regex;

use crate::expo::Sample;
use crate::metrics;
use crate::parse::diskstats;
use crate::root::{CollectError, Root};

/// Relative path of the disk statistics file.
pub const DISKSTATS_FILE: &str = "proc/diskstats";

/// Emits the two `diskio_*` counters per device.
///
/// Errors: the file is unreadable or malformed.
pub fn collect(root: &Root, exclude: &Regex, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let text = root.read(DISKSTATS_FILE)?;
    let disks =
        diskstats::parse(&text).map_err(|source| root.parse_error(DISKSTATS_FILE, source))?;
    for d in disks.iter().filter(|d| !exclude.is_match(d.name)) {
        let device = || vec![("device", d.name.to_string())];
        out.push(Sample::new(
            &metrics::DISKIO_READS_COMPLETED_TOTAL,
            device(),
            d.reads_completed as f64,
        ));
        out.push(Sample::new(
            &metrics::DISKIO_WRITES_COMPLETED_TOTAL,
            device(),
            d.writes_completed as f64,
        ));
    }
    Ok(())
}
