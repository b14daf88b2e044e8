//! Pure parsers: `&str` in, typed struct out.
//!
//! One module per kernel file or tool. No parser touches the filesystem;
//! collectors read through [`crate::root::Root`] and hand the text over.
//! Parsers use `nom` in complete mode only, skip unknown keys and extra
//! trailing fields on purpose (the kernel grows files), and return a
//! [`ParseError`] naming the source, the 1-based line and the offending text
//! instead of panicking.

pub mod cpulist;
pub mod device_tree;
pub mod diskstats;
pub mod get_throttled;
pub mod loadavg;
pub mod meminfo;
pub mod mounts;
pub mod netdev;
pub mod nvidia_smi;
pub mod nvme_smart;
pub mod nvpmodel;
pub mod pid_stat;
pub mod pressure;
pub mod stat;
pub mod statvfs;
pub mod sysfs;
pub mod tegra_release;
pub mod udev;
pub mod update_notifier;

use std::fmt;

use nom::character::complete::space1;
use nom::sequence::preceded;
use nom::{IResult, Parser};

/// A parse failure: which format, where, what was expected and what was found.
///
/// `source` is the file or tool whose format was expected (`/proc/stat`,
/// `nvidia-smi --query-gpu`); the collector that read the text adds the exact
/// path it read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The format being parsed, e.g. `/proc/diskstats`.
    pub source: &'static str,
    /// 1-based line number of the offending line (1 for single-value files).
    pub line: usize,
    /// What the parser expected, in words.
    pub expected: String,
    /// The offending text (the whole line, cut to 120 characters).
    pub found: String,
}

/// Longest stretch of offending text an error message quotes.
const MAX_FOUND_CHARS: usize = 120;

impl ParseError {
    /// Builds an error for line `line` (1-based) whose text is `found`.
    pub fn new(
        source: &'static str,
        line: usize,
        expected: impl Into<String>,
        found: &str,
    ) -> Self {
        let found = if found.chars().count() > MAX_FOUND_CHARS {
            let cut: String = found.chars().take(MAX_FOUND_CHARS).collect();
            format!("{cut}...")
        } else {
            found.to_string()
        };
        ParseError {
            source,
            line,
            expected: expected.into(),
            found,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} line {}: expected {}, found {:?}",
            self.source, self.line, self.expected, self.found
        )
    }
}

impl std::error::Error for ParseError {}

/// Lines of `text` numbered from 1, without their `\n`.
pub(crate) fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, l))
}

/// `separated_list1(space1, number)`, into a `Vec` made with room for
/// `capacity` numbers: a `/proc` line of 16 or 17 counters (`net/dev`,
/// `diskstats`) otherwise grows its list three times, and the exporter
/// parses a few dozen such lines a scrape. Stops, as `separated_list1`
/// does, before the first space not followed by a number.
///
/// Errors: as `number`'s on the first item.
pub(crate) fn numbers_sized<'a, O: Copy>(
    capacity: usize,
    mut number: impl Parser<&'a str, Output = O, Error = nom::error::Error<&'a str>>,
) -> impl FnMut(&'a str) -> IResult<&'a str, Vec<O>> {
    move |i| {
        let (mut rest, first) = number.parse(i)?;
        let mut out = Vec::with_capacity(capacity);
        out.push(first);
        loop {
            match preceded(space1, |i| number.parse(i)).parse(rest) {
                Ok((after, v)) => {
                    out.push(v);
                    rest = after;
                }
                Err(nom::Err::Error(_)) => return Ok((rest, out)),
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nom::character::complete::u64 as dec_u64;

    #[test]
    fn numbers_sized_reads_as_separated_list1_does() {
        let mut p = numbers_sized(2, dec_u64);
        assert_eq!(p("1 2  3"), Ok(("", vec![1, 2, 3])));
        assert_eq!(p("1 2 "), Ok((" ", vec![1, 2])));
        assert_eq!(p("7 x"), Ok((" x", vec![7])));
        assert_eq!(p("7\t8\n9"), Ok(("\n9", vec![7, 8])));
        assert!(p("x 1").is_err());
        assert!(p("").is_err());
        // Overflow ends the list, as nom's u64 refuses it.
        assert_eq!(
            p("1 99999999999999999999"),
            Ok((" 99999999999999999999", vec![1]))
        );
    }
}
