//! `/proc/meminfo`: memory usage.
//!
//! Format: `proc(5)` and `Documentation/filesystems/proc.rst` ("meminfo").
//! One `Key: value [kB]` per line; the kernel prints it with
//! `%-16s%8lu kB`, so long values push the column:
//!
//! ```text
//! MemTotal:       127600748 kB
//! Active(anon):    2041716 kB
//! HugePages_Total:       0
//! ```
//!
//! Values with the `kB` suffix are KiB (1024 bytes) despite the spelling;
//! lines without it (`HugePages_*`) are plain counts. Keys vary by kernel
//! version and configuration, so they are kept as found and looked up by name.

use nom::bytes::complete::{tag, take_till1};
use nom::character::complete::{space0, space1, u64 as dec_u64};
use nom::combinator::{all_consuming, opt};
use nom::sequence::{preceded, terminated};
use nom::{IResult, Parser};

use super::{ParseError, numbered_lines};

const SOURCE: &str = "/proc/meminfo";

/// The unit a `/proc/meminfo` value is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// `kB` suffix: kibibytes (1024 bytes).
    KiB,
    /// No suffix: a plain count (`HugePages_Total`).
    None,
}

/// One line of `/proc/meminfo`, value in the kernel's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The key before the colon, e.g. `MemAvailable`, `Active(anon)`.
    pub name: &'a str,
    /// The number as printed.
    pub value: u64,
    /// Whether the value carries `kB`.
    pub unit: Unit,
}

/// All lines of `/proc/meminfo`, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemInfo<'a> {
    /// Every line, including ones this crate does not know.
    pub entries: Vec<Entry<'a>>,
}

impl<'a> MemInfo<'a> {
    /// The entry called `name`, if the kernel printed it.
    pub fn get(&self, name: &str) -> Option<Entry<'a>> {
        self.entries.iter().copied().find(|e| e.name == name)
    }

    /// The value of `name` in KiB, if present and printed with `kB`.
    pub fn kib(&self, name: &str) -> Option<u64> {
        self.get(name)
            .filter(|e| e.unit == Unit::KiB)
            .map(|e| e.value)
    }
}

fn line(i: &str) -> IResult<&str, Entry<'_>> {
    all_consuming(
        (
            terminated(take_till1(|c| c == ':'), tag(":")),
            preceded(space0, dec_u64),
            opt(preceded(space1, tag("kB"))),
            space0,
        )
            .map(|(name, value, kb, _)| Entry {
                name,
                value,
                unit: if kb.is_some() { Unit::KiB } else { Unit::None },
            }),
    )
    .parse(i)
}

/// Parses the whole text of `/proc/meminfo`.
///
/// Errors: a line that is not `Key: number [kB]` (a truncated read, garbage),
/// or a file with no lines at all.
pub fn parse(text: &str) -> Result<MemInfo<'_>, ParseError> {
    let mut info = MemInfo::default();
    for (n, l) in numbered_lines(text) {
        let (_, entry) = line(l).map_err(|_| {
            ParseError::new(SOURCE, n, "`Key: number` optionally followed by `kB`", l)
        })?;
        info.entries.push(entry);
    }
    if info.entries.is_empty() {
        return Err(ParseError::new(
            SOURCE,
            1,
            "at least one `Key: number kB` line",
            text,
        ));
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kib_and_plain_counts() {
        let m = parse(
            "MemTotal:       127600748 kB\nMemAvailable:   118566368 kB\n\
             Active(anon):    2041716 kB\nHugePages_Total:       0\n\
             VmallocTotal:   135288315904 kB\n",
        )
        .unwrap();
        assert_eq!(m.kib("MemTotal"), Some(127600748));
        assert_eq!(m.kib("Active(anon)"), Some(2041716));
        assert_eq!(m.get("HugePages_Total").unwrap().unit, Unit::None);
        assert_eq!(m.kib("HugePages_Total"), None, "a count is not KiB");
        assert_eq!(m.kib("VmallocTotal"), Some(135288315904));
        assert_eq!(m.get("Nope"), None);
    }

    #[test]
    fn unknown_future_keys_are_kept() {
        let m = parse("Unaccepted:  12 kB\n").unwrap();
        assert_eq!(m.kib("Unaccepted"), Some(12));
    }

    #[test]
    fn truncated_line_is_an_error_with_its_line_number() {
        let e = parse("MemTotal:       127600748 kB\nMemFree:").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(e.found, "MemFree:");
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse("MemTotal: lots kB\n").is_err());
        assert!(parse("no colon here 5 kB\n").is_err());
        assert!(parse("MemTotal: 5 MB\n").is_err(), "unknown unit");
        assert!(parse("MemTotal: 5 kB extra\n").is_err(), "extra field");
        assert!(parse("").is_err());
    }
}
