//! `/proc/loadavg`: load averages and task counts.
//!
//! Format: `proc(5)` ("/proc/loadavg"); printed by `loadavg_proc_show` in the
//! kernel's `fs/proc/loadavg.c` with `"%lu.%02lu %lu.%02lu %lu.%02lu %u/%d %d\n"`:
//!
//! ```text
//! 0.52 0.61 0.58 2/1432 1873342
//! ```
//!
//! The first three fields are the 1, 5 and 15 minute load averages: the number
//! of threads runnable (state R) or in uninterruptible sleep (state D),
//! exponentially averaged. The kernel keeps them in fixed point and prints
//! the integer part and exactly two decimals (`LOAD_INT`/`LOAD_FRAC` in
//! `include/linux/sched/loadavg.h`). Then `runnable/threads`: threads
//! runnable now and threads in the system. Last, the PID most recently
//! allocated in the reader's PID namespace. Fields after the sixth, should a
//! kernel ever print them, are ignored.

use nom::bytes::complete::take_till1;
use nom::character::complete::{char, digit1, space0, space1, u64 as dec_u64};
use nom::combinator::{all_consuming, map_res, recognize, verify};
use nom::multi::many0;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::{ParseError, numbered_lines};

const SOURCE: &str = "/proc/loadavg";

/// The parsed content of `/proc/loadavg`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadAvg {
    /// Load average over 1 minute (runnable plus uninterruptible threads).
    pub load1: f64,
    /// Load average over 5 minutes.
    pub load5: f64,
    /// Load average over 15 minutes.
    pub load15: f64,
    /// Threads runnable right now (the number before the `/`).
    pub runnable: u64,
    /// Threads in the system right now (the number after the `/`).
    pub threads: u64,
    /// The PID most recently allocated in the reader's PID namespace.
    pub last_pid: u64,
}

/// A non-negative decimal as the kernel's `%lu.%02lu` fixed-point printing
/// writes it (`0.52`, `12.00`): digits, a point, digits. No sign, exponent,
/// `inf` or `nan`; a value too large for a finite `f64` fails.
///
/// `/proc/pressure/*` prints its averages the same way, so
/// [`super::pressure`] uses this too.
pub(crate) fn fixed_point(i: &str) -> IResult<&str, f64> {
    verify(
        map_res(recognize((digit1, char('.'), digit1)), str::parse::<f64>),
        |v: &f64| v.is_finite(),
    )
    .parse(i)
}

type Fields = (f64, f64, f64, u64, u64, u64);

fn line(i: &str) -> IResult<&str, Fields> {
    all_consuming(
        (
            preceded(space0, fixed_point),
            preceded(space1, fixed_point),
            preceded(space1, fixed_point),
            preceded(space1, dec_u64),
            preceded(char('/'), dec_u64),
            preceded(space1, dec_u64),
            many0(preceded(
                space1,
                take_till1(|c: char| c.is_ascii_whitespace()),
            )),
            space0,
        )
            .map(|(l1, l5, l15, r, t, p, _, _)| (l1, l5, l15, r, t, p)),
    )
    .parse(i)
}

/// Parses the whole text of `/proc/loadavg`: one line
/// `load1 load5 load15 runnable/threads last_pid`.
///
/// Load averages are plain numbers of threads (not percentages, not per CPU);
/// the rest are counts and a PID.
///
/// Errors: an empty file, a line that does not start with three decimals
/// (`digits.digits`), `runnable/threads` and a PID (a truncated read,
/// garbage, a negative number), or more than one non-blank line.
pub fn parse(text: &str) -> Result<LoadAvg, ParseError> {
    let mut found = None;
    for (n, l) in numbered_lines(text) {
        if l.trim().is_empty() {
            continue;
        }
        if found.is_some() {
            return Err(ParseError::new(SOURCE, n, "a single line", l));
        }
        let (_, (load1, load5, load15, runnable, threads, last_pid)) = line(l).map_err(|_| {
            ParseError::new(
                SOURCE,
                n,
                "three load averages like `0.52`, `runnable/threads` and a PID",
                l,
            )
        })?;
        found = Some(LoadAvg {
            load1,
            load5,
            load15,
            runnable,
            threads,
            last_pid,
        });
    }
    found.ok_or_else(|| {
        ParseError::new(
            SOURCE,
            1,
            "a line `load1 load5 load15 runnable/threads last_pid`",
            text,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_real_line() {
        let l = parse("0.52 0.61 0.58 2/1432 1873342\n").unwrap();
        assert_eq!(
            l,
            LoadAvg {
                load1: 0.52,
                load5: 0.61,
                load15: 0.58,
                runnable: 2,
                threads: 1432,
                last_pid: 1873342,
            }
        );
    }

    #[test]
    fn large_loads_and_no_final_newline() {
        let l = parse("123.45 20.00 0.00 130/99999 4194303").unwrap();
        assert_eq!(l.load1, 123.45);
        assert_eq!(l.load15, 0.0);
        assert_eq!(l.last_pid, 4194303);
    }

    #[test]
    fn extra_trailing_fields_are_ignored() {
        let l = parse("0.52 0.61 0.58 2/1432 1873342 7 new\n").unwrap();
        assert_eq!(l.threads, 1432);
    }

    #[test]
    fn truncated_is_an_error() {
        let e = parse("0.52 0.61 0.58 2/").unwrap_err();
        assert_eq!(e.line, 1);
        assert_eq!(e.found, "0.52 0.61 0.58 2/");
        assert!(parse("0.52 0.61").is_err());
        assert!(parse("0.52 0.61 0.58 2/1432").is_err(), "absent PID");
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            "nan 0.61 0.58 2/1432 1",
            "inf 0.61 0.58 2/1432 1",
            "-0.52 0.61 0.58 2/1432 1",
            "1e3 0.61 0.58 2/1432 1",
            "0.52 .61 0.58 2/1432 1",
            "0.52 0.61 0.58 2 1432 1",
            "0.52 0.61 0.58 2/1432 -1",
            "0.52 0.61 0.58 x/1432 1",
            "hello",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let huge = format!("{}.00 0.61 0.58 2/1432 1", "9".repeat(400));
        assert!(parse(&huge).is_err(), "not a finite f64");
    }

    #[test]
    fn second_line_is_an_error() {
        let e = parse("0.52 0.61 0.58 2/1432 1\n0.52 0.61 0.58 2/1432 1\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn empty_is_an_error() {
        assert!(parse("").is_err());
        assert!(parse("\n").is_err());
    }
}
