//! `/proc/pressure/{cpu,io,memory}`: pressure stall information (PSI).
//!
//! Format: the kernel's `Documentation/accounting/psi.rst` ("Pressure
//! interface"); printed by `psi_show` in `kernel/sched/psi.c` with
//! `"%s avg10=%lu.%02lu avg60=%lu.%02lu avg300=%lu.%02lu total=%llu\n"`:
//!
//! ```text
//! some avg10=0.12 avg60=0.05 avg300=0.01 total=2310384
//! full avg10=0.00 avg60=0.00 avg300=0.00 total=1034719
//! ```
//!
//! `some` is the share of wall time in which at least one task was stalled on
//! the resource, `full` the share in which all non-idle tasks were stalled at
//! once. The `avg*` values are percentages (0 to 100) averaged over 10, 60 and
//! 300 seconds, printed with exactly two decimals; `total` is the cumulative
//! stall time in microseconds. cgroup v2 `<resource>.pressure` files use the
//! same format.
//!
//! `/proc/pressure/cpu` has only the `some` line before Linux 5.13; since
//! then it also prints `full`, all zeros at the system level ("CPU FULL is
//! undefined at the system level" in `psi_show`). Unknown `key=value` pairs
//! and lines with another first word are ignored, so a kernel that grows the
//! format does not break the parser. `/proc/pressure/irq` (Linux 6.1,
//! `CONFIG_IRQ_TIME_ACCOUNTING`) prints only a `full` line, so [`parse`]
//! rejects it for lack of `some`.

use nom::bytes::complete::take_till1;
use nom::character::complete::{char, space0, space1, u64 as dec_u64};
use nom::combinator::all_consuming;
use nom::multi::many0;
use nom::sequence::{preceded, separated_pair};
use nom::{IResult, Parser};

use super::loadavg::fixed_point;
use super::{ParseError, numbered_lines};

const SOURCE: &str = "/proc/pressure";

/// One line (`some` or `full`) of a PSI file, in the kernel's units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PsiLine {
    /// Percent of wall time stalled, averaged over the last 10 seconds.
    pub avg10: f64,
    /// Percent of wall time stalled, averaged over the last 60 seconds.
    pub avg60: f64,
    /// Percent of wall time stalled, averaged over the last 300 seconds.
    pub avg300: f64,
    /// Total stall time since boot, in microseconds (`total=`).
    pub total_us: u64,
}

/// The parsed content of one `/proc/pressure/<resource>` file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pressure {
    /// The `some` line: at least one task stalled.
    pub some: PsiLine,
    /// The `full` line: all non-idle tasks stalled. Absent from
    /// `/proc/pressure/cpu` before Linux 5.13; all zeros there since.
    pub full: Option<PsiLine>,
}

fn is_space(c: char) -> bool {
    c.is_ascii_whitespace()
}

/// A `key=value` pair: the key and the value.
type Pair<'a> = (&'a str, &'a str);

/// `key=value`, neither side empty nor containing whitespace.
fn pair(i: &str) -> IResult<&str, Pair<'_>> {
    separated_pair(
        take_till1(|c: char| c == '=' || is_space(c)),
        char('='),
        take_till1(is_space),
    )
    .parse(i)
}

/// The `key=value` pairs after the first word of a line.
fn line(i: &str) -> IResult<&str, Vec<Pair<'_>>> {
    all_consuming(
        (
            preceded(space0, take_till1(is_space)),
            many0(preceded(space1, pair)),
            space0,
        )
            .map(|(_, pairs, _)| pairs),
    )
    .parse(i)
}

/// A whole `avg*=` value: a percentage as `%lu.%02lu` prints it.
fn percent(v: &str) -> Option<f64> {
    all_consuming(fixed_point).parse(v).ok().map(|(_, x)| x)
}

/// A whole `total=` value: an unsigned decimal.
fn micros(v: &str) -> Option<u64> {
    all_consuming(dec_u64::<_, nom::error::Error<&str>>)
        .parse(v)
        .ok()
        .map(|(_, x)| x)
}

/// Builds a [`PsiLine`] from the pairs of line `n`; unknown keys are skipped.
fn psi_line(n: usize, l: &str, pairs: &[Pair<'_>]) -> Result<PsiLine, ParseError> {
    let (mut avg10, mut avg60, mut avg300, mut total) = (None, None, None, None);
    for &(key, value) in pairs {
        let parsed = match key {
            "avg10" => percent(value).map(|v| avg10 = Some(v)),
            "avg60" => percent(value).map(|v| avg60 = Some(v)),
            "avg300" => percent(value).map(|v| avg300 = Some(v)),
            "total" => micros(value).map(|v| total = Some(v)),
            _ => continue,
        };
        if parsed.is_none() {
            let what = if key == "total" {
                "`total=` followed by an unsigned integer (microseconds)".to_string()
            } else {
                format!("`{key}=` followed by a percentage like `0.52`")
            };
            return Err(ParseError::new(SOURCE, n, what, l));
        }
    }
    match (avg10, avg60, avg300, total) {
        (Some(avg10), Some(avg60), Some(avg300), Some(total_us)) => Ok(PsiLine {
            avg10,
            avg60,
            avg300,
            total_us,
        }),
        _ => Err(ParseError::new(
            SOURCE,
            n,
            "`avg10=`, `avg60=`, `avg300=` and `total=` all present",
            l,
        )),
    }
}

/// Parses the whole text of a PSI file (`/proc/pressure/cpu`, `io`,
/// `memory`, or a cgroup v2 `*.pressure` file).
///
/// Averages are percentages, `total` microseconds, as the kernel prints them.
///
/// Errors: no `some` line (an empty file, garbage, or
/// `/proc/pressure/irq`, which prints only `full`); a `some` or `full` line
/// that lacks one of `avg10`, `avg60`, `avg300`, `total` (a truncated read) or
/// has a value that is not a plain non-negative decimal; a `some` or `full`
/// line whose words are not all `key=value` pairs; a `some` or `full` line
/// given twice.
pub fn parse(text: &str) -> Result<Pressure, ParseError> {
    let mut some = None;
    let mut full = None;
    for (n, l) in numbered_lines(text) {
        let kind = l.split_ascii_whitespace().next().unwrap_or("");
        let slot = match kind {
            "some" => &mut some,
            "full" => &mut full,
            _ => continue,
        };
        let (_, pairs) = line(l).map_err(|_| {
            ParseError::new(
                SOURCE,
                n,
                format!("`{kind}` followed by `key=value` pairs"),
                l,
            )
        })?;
        if slot.is_some() {
            return Err(ParseError::new(
                SOURCE,
                n,
                format!("at most one `{kind}` line"),
                l,
            ));
        }
        *slot = Some(psi_line(n, l, &pairs)?);
    }
    let some = some.ok_or_else(|| {
        ParseError::new(
            SOURCE,
            1,
            "a `some avg10=... avg60=... avg300=... total=...` line",
            text.lines().next().unwrap_or(""),
        )
    })?;
    Ok(Pressure { some, full })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMORY: &str = "some avg10=0.12 avg60=0.05 avg300=0.01 total=2310384\n\
                          full avg10=0.00 avg60=1.50 avg300=100.00 total=1034719\n";

    #[test]
    fn parses_some_and_full() {
        let p = parse(MEMORY).unwrap();
        assert_eq!(
            p.some,
            PsiLine {
                avg10: 0.12,
                avg60: 0.05,
                avg300: 0.01,
                total_us: 2310384
            }
        );
        let full = p.full.unwrap();
        assert_eq!(full.avg60, 1.5);
        assert_eq!(full.avg300, 100.0);
        assert_eq!(full.total_us, 1034719);
    }

    #[test]
    fn cpu_before_5_13_has_only_some() {
        let p = parse("some avg10=3.21 avg60=2.00 avg300=1.00 total=99\n").unwrap();
        assert_eq!(p.some.avg10, 3.21);
        assert_eq!(p.full, None);
    }

    #[test]
    fn unknown_pairs_and_lines_are_ignored() {
        let p = parse(
            "some avg10=0.00 avg1=9.99 avg60=0.00 avg300=0.00 total=5 peak=x\n\
             later avg10=1.00\n",
        )
        .unwrap();
        assert_eq!(p.some.total_us, 5);
        assert_eq!(p.full, None);
    }

    #[test]
    fn truncated_line_is_an_error() {
        let e =
            parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=5\nfull avg10=0.0").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(e.found, "full avg10=0.0");
        let e = parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn absent_keys_are_errors() {
        assert!(parse("some avg10=0.00 avg60=0.00 avg300=0.00\n").is_err());
        assert!(parse("some avg10=0.00 avg60=0.00 total=1\n").is_err());
        assert!(parse("some\n").is_err());
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            "some avg10=nan avg60=0.00 avg300=0.00 total=1",
            "some avg10=-1.00 avg60=0.00 avg300=0.00 total=1",
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=-1",
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=1.5",
            "some avg10 0.00 avg60=0.00 avg300=0.00 total=1",
            "some avg10=0.00 avg60==0.00 avg300=0.00 total=1",
            "hello world",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn no_some_line_is_an_error() {
        let e = parse("full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n").unwrap_err();
        assert!(e.expected.contains("some"), "{e}");
        assert!(parse("").is_err());
    }

    #[test]
    fn repeated_line_is_an_error() {
        let text = format!("{MEMORY}{MEMORY}");
        assert_eq!(parse(&text).unwrap_err().line, 3);
    }
}
