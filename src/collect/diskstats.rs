//! Block device statistics from `/proc/diskstats` (kernel
//! `Documentation/admin-guide/iostats.rst`), one series per device not
//! matching the exclusion pattern (by default node_exporter's: whole disks
//! only, no partitions, loop, RAM or floppy devices):
//!
//! - the contract pair `diskio_{reads,writes}_completed_total`;
//! - node_exporter's `node_disk_*` family: sectors are 512 bytes whatever
//!   the device's block size (iostats.rst), times are milliseconds; the
//!   discard fields (Linux 4.18+) and flush fields (5.5+) only where the
//!   kernel prints them;
//! - `node_disk_info{device,major,minor,path,wwn,model,serial,revision}`,
//!   the identity properties from udev's database
//!   (`/run/udev/data/b<major>:<minor>`), empty where udev has none.

use crate::collect::Pattern;
use crate::expo::{LabelValue, Sample};
use crate::metrics::{self, Metric, node};
use crate::parse::{diskstats, udev};
use crate::root::{CollectError, Root};

/// Relative path of the disk statistics file.
pub const DISKSTATS_FILE: &str = "proc/diskstats";

/// Relative path of udev's device database.
pub const UDEV_DATA_DIR: &str = "run/udev/data";

/// `/proc/diskstats` counts sectors of 512 bytes, whatever the device's
/// logical block size (iostats.rst, include/linux/blk_types.h `SECTOR_SHIFT`).
const SECTOR_BYTES: f64 = 512.0;

/// The diskstats time fields are milliseconds (iostats.rst).
const MS_PER_SECOND: f64 = 1000.0;

/// The udev properties behind `node_disk_info`'s labels, in label order.
const INFO_PROPERTIES: [(&str, &str); 5] = [
    ("path", "ID_PATH"),
    ("wwn", "ID_WWN"),
    ("model", "ID_MODEL"),
    ("serial", "ID_SERIAL_SHORT"),
    ("revision", "ID_REVISION"),
];

/// Emits the contract counters, the `node_disk_*` families and
/// `node_disk_info` for each device not matching `exclude`.
///
/// Errors: `/proc/diskstats` unreadable or malformed, or a udev database
/// entry that exists but cannot be read or parsed (the device's info labels
/// are then empty, as when udev has no entry).
pub fn collect(root: &Root, exclude: &Pattern, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let text = root.read(DISKSTATS_FILE)?;
    let disks =
        diskstats::parse(&text).map_err(|source| root.parse_error(DISKSTATS_FILE, source))?;
    let mut result = Ok(());
    for d in disks.iter().filter(|d| !exclude.is_match(d.name)) {
        let name = LabelValue::new(d.name);
        let device = || [("device", name.clone())];
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
        let mut values: Vec<(&'static Metric, f64)> = vec![
            (&node::DISK_READS_COMPLETED_TOTAL, d.reads_completed as f64),
            (&node::DISK_READS_MERGED_TOTAL, d.reads_merged as f64),
            (
                &node::DISK_READ_BYTES_TOTAL,
                d.sectors_read as f64 * SECTOR_BYTES,
            ),
            (
                &node::DISK_READ_TIME_SECONDS_TOTAL,
                d.time_reading_ms as f64 / MS_PER_SECOND,
            ),
            (
                &node::DISK_WRITES_COMPLETED_TOTAL,
                d.writes_completed as f64,
            ),
            (&node::DISK_WRITES_MERGED_TOTAL, d.writes_merged as f64),
            (
                &node::DISK_WRITTEN_BYTES_TOTAL,
                d.sectors_written as f64 * SECTOR_BYTES,
            ),
            (
                &node::DISK_WRITE_TIME_SECONDS_TOTAL,
                d.time_writing_ms as f64 / MS_PER_SECOND,
            ),
            (&node::DISK_IO_NOW, d.ios_in_progress as f64),
            (
                &node::DISK_IO_TIME_SECONDS_TOTAL,
                d.time_io_ms as f64 / MS_PER_SECOND,
            ),
            (
                &node::DISK_IO_TIME_WEIGHTED_SECONDS_TOTAL,
                d.time_io_weighted_ms as f64 / MS_PER_SECOND,
            ),
        ];
        if let Some(x) = d.discards {
            values.extend([
                (&node::DISK_DISCARDS_COMPLETED_TOTAL, x.completed as f64),
                (&node::DISK_DISCARDS_MERGED_TOTAL, x.merged as f64),
                (&node::DISK_DISCARDED_SECTORS_TOTAL, x.sectors as f64),
                (
                    &node::DISK_DISCARD_TIME_SECONDS_TOTAL,
                    x.time_ms as f64 / MS_PER_SECOND,
                ),
            ]);
        }
        if let Some(f) = d.flushes {
            values.extend([
                (&node::DISK_FLUSH_REQUESTS_TOTAL, f.completed as f64),
                (
                    &node::DISK_FLUSH_REQUESTS_TIME_SECONDS_TOTAL,
                    f.time_ms as f64 / MS_PER_SECOND,
                ),
            ]);
        }
        for (metric, value) in values {
            out.push(Sample::new(metric, device(), value));
        }
        let entry = format!("{UDEV_DATA_DIR}/b{}:{}", d.major, d.minor);
        let text = match root.read_optional(&entry) {
            Ok(text) => text.unwrap_or_default(),
            Err(e) => {
                result = Err(e);
                String::new()
            }
        };
        let props = udev::parse(&text).unwrap_or_else(|source| {
            result = Err(root.parse_error(&entry, source));
            Vec::new()
        });
        let mut labels = vec![
            ("device", name.clone()),
            ("major", d.major.to_string().into()),
            ("minor", d.minor.to_string().into()),
        ];
        for (label, key) in INFO_PROPERTIES {
            let value = udev::get(&props, key).unwrap_or_default();
            labels.push((label, LabelValue::new(value)));
        }
        out.push(Sample::new(&node::DISK_INFO, labels, 1.0));
    }
    result
}
