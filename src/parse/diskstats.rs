//! `/proc/diskstats`: I/O statistics of block devices.
//!
//! Format: the kernel's `Documentation/admin-guide/iostats.rst` and
//! `Documentation/ABI/testing/procfs-diskstats`. Each line is major, minor,
//! device name, then 11 counters (up to 4.17), 15 (4.18 added discards) or 17
//! (5.5 added flushes):
//!
//! ```text
//!  259       0 nvme0n1 2194411 312086 192553914 412987 3871245 1984532 410238576 5123990 0 1732984 5559617 0 0 0 0 198733 22640
//! ```
//!
//! Sectors are always 512 bytes here, whatever the device's sector size
//! (`SECTOR_SIZE` in `include/linux/blk_types.h`). Fields past the 17th are
//! ignored so that a newer kernel does not break the parser.

use nom::bytes::complete::take_till1;
use nom::character::complete::{space0, space1, u32 as dec_u32, u64 as dec_u64};
use nom::combinator::all_consuming;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::{ParseError, numbered_lines, numbers_sized};

/// Counters after the name on a line of kernel 5.5 or later: 11, then 4
/// discard and 2 flush fields (`Documentation/admin-guide/iostats.rst`).
const DISKSTATS_COUNTERS: usize = 17;

const SOURCE: &str = "/proc/diskstats";

/// Discard counters (since Linux 4.18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discards {
    /// Discards completed successfully.
    pub completed: u64,
    /// Discards merged.
    pub merged: u64,
    /// Sectors discarded (512-byte units).
    pub sectors: u64,
    /// Time spent discarding (ms).
    pub time_ms: u64,
}

/// Flush counters (since Linux 5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flushes {
    /// Flush requests completed successfully.
    pub completed: u64,
    /// Time spent flushing (ms).
    pub time_ms: u64,
}

/// One line of `/proc/diskstats`, in the kernel's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskStat<'a> {
    /// Major device number.
    pub major: u32,
    /// Minor device number.
    pub minor: u32,
    /// Device name, e.g. `nvme0n1`, `nvme0n1p2`, `loop3`.
    pub name: &'a str,
    /// Reads completed successfully.
    pub reads_completed: u64,
    /// Reads merged.
    pub reads_merged: u64,
    /// Sectors read (512-byte units).
    pub sectors_read: u64,
    /// Time spent reading (ms).
    pub time_reading_ms: u64,
    /// Writes completed successfully.
    pub writes_completed: u64,
    /// Writes merged.
    pub writes_merged: u64,
    /// Sectors written (512-byte units).
    pub sectors_written: u64,
    /// Time spent writing (ms).
    pub time_writing_ms: u64,
    /// I/Os currently in progress.
    pub ios_in_progress: u64,
    /// Time spent doing I/Os (ms).
    pub time_io_ms: u64,
    /// Weighted time spent doing I/Os (ms).
    pub time_io_weighted_ms: u64,
    /// Discard counters, when the kernel prints them.
    pub discards: Option<Discards>,
    /// Flush counters, when the kernel prints them.
    pub flushes: Option<Flushes>,
}

fn line(i: &str) -> IResult<&str, (u32, u32, &str, Vec<u64>)> {
    all_consuming(
        (
            preceded(space0, dec_u32),
            preceded(space1, dec_u32),
            preceded(space1, take_till1(|c: char| c.is_ascii_whitespace())),
            preceded(space1, numbers_sized(DISKSTATS_COUNTERS, dec_u64)),
            space0,
        )
            .map(|(major, minor, name, v, _)| (major, minor, name, v)),
    )
    .parse(i)
}

/// Parses the whole text of `/proc/diskstats`.
///
/// Errors: a line that does not have major, minor, a name and at least 11
/// decimal counters (a truncated read or garbage). An empty file is valid
/// (a machine with no block devices).
pub fn parse(text: &str) -> Result<Vec<DiskStat<'_>>, ParseError> {
    let mut disks = Vec::new();
    for (n, l) in numbered_lines(text) {
        if l.trim().is_empty() {
            continue;
        }
        let err = || {
            ParseError::new(
                SOURCE,
                n,
                "major, minor, device name and at least 11 counters",
                l,
            )
        };
        let (_, (major, minor, name, v)) = line(l).map_err(|_| err())?;
        if v.len() < 11 {
            return Err(err());
        }
        disks.push(DiskStat {
            major,
            minor,
            name,
            reads_completed: v[0],
            reads_merged: v[1],
            sectors_read: v[2],
            time_reading_ms: v[3],
            writes_completed: v[4],
            writes_merged: v[5],
            sectors_written: v[6],
            time_writing_ms: v[7],
            ios_in_progress: v[8],
            time_io_ms: v[9],
            time_io_weighted_ms: v[10],
            discards: (v.len() >= 15).then(|| Discards {
                completed: v[11],
                merged: v[12],
                sectors: v[13],
                time_ms: v[14],
            }),
            flushes: (v.len() >= 17).then(|| Flushes {
                completed: v[15],
                time_ms: v[16],
            }),
        });
    }
    Ok(disks)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NVME: &str = " 259       0 nvme0n1 2194411 312086 192553914 412987 3871245 1984532 \
                        410238576 5123990 0 1732984 5559617 0 0 0 0 198733 22640";

    #[test]
    fn parses_a_5_5_line_with_flushes() {
        let d = parse(NVME).unwrap();
        assert_eq!(d.len(), 1);
        let d = d[0];
        assert_eq!((d.major, d.minor, d.name), (259, 0, "nvme0n1"));
        assert_eq!(d.reads_completed, 2194411);
        assert_eq!(d.writes_completed, 3871245);
        assert_eq!(d.sectors_written, 410238576);
        assert_eq!(d.time_io_weighted_ms, 5559617);
        assert_eq!(d.discards.unwrap().completed, 0);
        assert_eq!(
            d.flushes.unwrap(),
            Flushes {
                completed: 198733,
                time_ms: 22640
            }
        );
    }

    #[test]
    fn older_kernels_lack_discards_and_flushes() {
        let d = parse("   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n").unwrap();
        assert_eq!(d[0].discards, None);
        assert_eq!(d[0].flushes, None);
        let d = parse("   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n").unwrap();
        assert_eq!(d[0].discards.unwrap().time_ms, 15);
        assert_eq!(d[0].flushes, None);
    }

    #[test]
    fn extra_future_fields_are_ignored() {
        let d =
            parse("   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n").unwrap();
        assert_eq!(d[0].flushes.unwrap().time_ms, 17);
    }

    #[test]
    fn truncated_line_is_an_error() {
        let text = format!("{NVME}\n   7       0 loop0 203 0 17955");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.found.contains("loop0"));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse("   8 0 sda 1 2 3 x 5 6 7 8 9 10 11\n").is_err());
        assert!(parse("hello\n").is_err());
        assert!(parse("   8 0\n").is_err(), "absent name");
    }

    #[test]
    fn empty_file_is_no_devices() {
        assert_eq!(parse("").unwrap(), vec![]);
    }
}
