//! `/proc/<pid>/stat`: status of one process (we read `/proc/self/stat`).
//!
//! Format: `proc_pid_stat(5)`. One line of space-separated fields; field 2,
//! `comm`, is the command name in parentheses and may itself contain spaces
//! and parentheses, so the fields after it are found after the *last* `)`:
//!
//! ```text
//! 1234 (dgx-spark-expo) S 1 1234 1234 0 -1 4194560 264 0 0 0 3 1 0 0 20 0 6 0 4711 25165824 612 ...
//! ```
//!
//! Fields used (1-based, as in the man page): 14 `utime` and 15 `stime`
//! (clock ticks, `USER_HZ`), 22 `starttime` (ticks since boot), 23 `vsize`
//! (bytes), 24 `rss` (pages).

use nom::bytes::complete::take_till1;
use nom::character::complete::{i64 as dec_i64, space1};
use nom::{IResult, Parser};

use super::{ParseError, numbers_sized};

/// Fields 4 to 52 of `/proc/<pid>/stat` (proc(5), Linux 3.5 and later).
const PID_STAT_FIELDS: usize = 49;

const SOURCE: &str = "/proc/<pid>/stat";

/// The fields of `/proc/<pid>/stat` this exporter uses, in the kernel's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PidStat {
    /// Field 14: user-mode CPU time (ticks).
    pub utime_ticks: u64,
    /// Field 15: kernel-mode CPU time (ticks).
    pub stime_ticks: u64,
    /// Field 22: start time after boot (ticks).
    pub starttime_ticks: u64,
    /// Field 23: virtual memory size (bytes).
    pub vsize_bytes: u64,
    /// Field 24: resident set size (pages).
    pub rss_pages: u64,
}

/// Field 3 (`state`, one letter) is not a number; it is skipped as a word.
fn word(i: &str) -> IResult<&str, &str> {
    take_till1(|c: char| c.is_ascii_whitespace()).parse(i)
}

/// Fields 4 onwards; some are signed (`tpgid` is -1 without a terminal).
/// The list ends at the first field that is not an `i64` (`rsslim`, field
/// 25, is often `u64::MAX`), which is after the last one we need.
fn numbers(i: &str) -> IResult<&str, Vec<i64>> {
    numbers_sized(PID_STAT_FIELDS, dec_i64)(i)
}

/// Parses the text of `/proc/<pid>/stat`.
///
/// Errors: no `)` closing `comm`, a state that is not one word, or fewer than
/// 24 fields in total, or a negative value in one of the fields used.
pub fn parse(text: &str) -> Result<PidStat, ParseError> {
    let line = text.lines().next().unwrap_or("");
    let err = || {
        ParseError::new(
            SOURCE,
            1,
            "`pid (comm) state` followed by at least 21 numbers",
            line,
        )
    };
    let close = line.rfind(')').ok_or_else(err)?;
    let after = line[close + 1..].trim_start();
    let (rest, _state) = word(after).map_err(|_| err())?;
    let (_, v) = (space1, numbers)
        .map(|(_, v)| v)
        .parse(rest)
        .map_err(|_| err())?;
    // v[0] is field 4 (ppid), so field N is v[N - 4].
    let field = |n: usize| {
        v.get(n - 4)
            .and_then(|&x| u64::try_from(x).ok())
            .ok_or_else(err)
    };
    Ok(PidStat {
        utime_ticks: field(14)?,
        stime_ticks: field(15)?,
        starttime_ticks: field(22)?,
        vsize_bytes: field(23)?,
        rss_pages: field(24)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "1234 (dgx-spark-expo) S 1 1234 1234 0 -1 4194560 264 0 0 0 \
                          3 1 0 0 20 0 6 0 4711 25165824 612 18446744073709551615 1 1 0 0 0";

    #[test]
    fn parses_fields() {
        let s = parse(SAMPLE).unwrap();
        assert_eq!(s.utime_ticks, 3);
        assert_eq!(s.stime_ticks, 1);
        assert_eq!(s.starttime_ticks, 4711);
        assert_eq!(s.vsize_bytes, 25165824);
        assert_eq!(s.rss_pages, 612);
    }

    #[test]
    fn comm_with_spaces_and_parens() {
        let t = SAMPLE.replace("(dgx-spark-expo)", "(a) b (c))");
        assert_eq!(parse(&t).unwrap().rss_pages, 612);
    }

    #[test]
    fn live_self_stat_parses() {
        let text = std::fs::read_to_string("/proc/self/stat").unwrap();
        let s = parse(&text).unwrap();
        assert!(s.vsize_bytes > 0);
    }

    #[test]
    fn truncated_and_garbage_are_errors() {
        assert!(parse("1234 (x) S 1 2 3").is_err());
        assert!(parse("1234 no parens").is_err());
        assert!(parse("").is_err());
        assert!(parse("1 (x) S 1 2 3 4 5 6 7 8 9 10 x 12 13 14 15 16 17 18 19 20 21 22").is_err());
    }
}
