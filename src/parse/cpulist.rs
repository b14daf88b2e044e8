//! CPU list attributes such as `/sys/devices/system/cpu/online`.
//!
//! Format: kernel `Documentation/ABI/testing/sysfs-devices-system-cpu` and
//! `Documentation/admin-guide/cputopology.rst`: comma-separated decimal CPU
//! numbers and inclusive ranges, e.g. `0-19`, `0-4,10-14`, `0`.

use nom::bytes::complete::tag;
use nom::character::complete::u32 as dec_u32;
use nom::combinator::{all_consuming, opt};
use nom::multi::separated_list1;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::ParseError;

const SOURCE: &str = "sysfs CPU list";

/// Largest number of CPUs a list may expand to; guards against a hostile
/// `0-4294967295` allocating gigabytes. Linux's `NR_CPUS` maximum is 8192.
const MAX_CPUS: usize = 8192;

fn range(i: &str) -> IResult<&str, (u32, u32)> {
    (dec_u32, opt(preceded(tag("-"), dec_u32)))
        .map(|(a, b)| (a, b.unwrap_or(a)))
        .parse(i)
}

fn list(i: &str) -> IResult<&str, Vec<(u32, u32)>> {
    all_consuming(separated_list1(tag(","), range)).parse(i)
}

/// Parses a CPU list into the CPU numbers it names, ascending as written.
///
/// Errors: empty text, garbage, a descending range (`5-3`), or a list naming
/// more than 8192 CPUs.
pub fn parse(text: &str) -> Result<Vec<u32>, ParseError> {
    let t = text.trim_end_matches('\n').trim();
    let err = |what| ParseError::new(SOURCE, 1, what, text);
    let (_, ranges) = list(t).map_err(|_| err("CPU numbers and ranges like `0-4,10-14`"))?;
    let mut cpus = Vec::new();
    for (a, b) in ranges {
        if b < a {
            return Err(err("ranges written low-high"));
        }
        if cpus.len() + (b - a) as usize + 1 > MAX_CPUS {
            return Err(err("at most 8192 CPUs"));
        }
        cpus.extend(a..=b);
    }
    Ok(cpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_ranges() {
        assert_eq!(parse("0-3\n").unwrap(), vec![0, 1, 2, 3]);
        assert_eq!(parse("0-1,5,7-8\n").unwrap(), vec![0, 1, 5, 7, 8]);
        assert_eq!(parse("0").unwrap(), vec![0]);
    }

    #[test]
    fn bad_lists_are_errors() {
        assert!(parse("").is_err());
        assert!(parse("0-").is_err(), "truncated");
        assert!(parse("5-3").is_err());
        assert!(parse("a-b").is_err());
        assert!(parse("0-4294967295").is_err());
        assert!(parse("0,,1").is_err());
    }
}
