//! Single-value sysfs and procfs attribute files.
//!
//! sysfs rule (kernel `Documentation/filesystems/sysfs.rst`, "Attributes"):
//! one value per file, ASCII, normally followed by a newline. Examples:
//! `/sys/class/thermal/thermal_zone0/temp` (`41700\n`, millidegrees Celsius),
//! `/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq` (`2805745\n`, kHz),
//! `/sys/class/net/<if>/operstate` (`up\n`), `/proc/sys/kernel/hostname`.

use nom::character::complete::{i64 as dec_i64, u64 as dec_u64};
use nom::combinator::all_consuming;
use nom::{IResult, Parser};

use super::ParseError;

/// Removes one trailing `\n` (and a `\r` before it, if any).
fn strip_newline(text: &str) -> &str {
    let t = text.strip_suffix('\n').unwrap_or(text);
    t.strip_suffix('\r').unwrap_or(t)
}

fn whole_u64(i: &str) -> IResult<&str, u64> {
    all_consuming(dec_u64).parse(i)
}

fn whole_i64(i: &str) -> IResult<&str, i64> {
    all_consuming(dec_i64).parse(i)
}

/// Parses an unsigned decimal attribute such as `scaling_cur_freq` or
/// `statistics/rx_bytes`, in whatever unit the attribute documents.
///
/// `source` names the format for the error (e.g. `sysfs statistics counter`).
/// Errors: empty text, a sign, non-digits, more than one value, overflow.
pub fn u64_value(source: &'static str, text: &str) -> Result<u64, ParseError> {
    let t = strip_newline(text).trim();
    whole_u64(t)
        .map(|(_, v)| v)
        .map_err(|_| ParseError::new(source, 1, "one unsigned decimal number", text))
}

/// Parses a signed decimal attribute such as a thermal zone's `temp`
/// (millidegrees Celsius, negative below zero).
///
/// Errors: as [`u64_value`], but a leading `-` is allowed.
pub fn i64_value(source: &'static str, text: &str) -> Result<i64, ParseError> {
    let t = strip_newline(text).trim();
    whole_i64(t)
        .map(|(_, v)| v)
        .map_err(|_| ParseError::new(source, 1, "one signed decimal number", text))
}

/// Parses a one-word string attribute such as `operstate` or a thermal zone's
/// `type`, or a one-line text such as `hostname`: the text without its
/// trailing newline.
///
/// Errors: an empty value or a second line (a file that is not a single
/// attribute).
pub fn string_value<'a>(source: &'static str, text: &'a str) -> Result<&'a str, ParseError> {
    let t = strip_newline(text);
    if t.is_empty() || t.contains('\n') {
        return Err(ParseError::new(source, 1, "one non-empty line", text));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_values() {
        assert_eq!(u64_value("t", "2805745\n"), Ok(2805745));
        assert_eq!(u64_value("t", "0"), Ok(0));
        assert_eq!(u64_value("t", " 7 \n"), Ok(7));
    }

    #[test]
    fn unsigned_garbage_truncation_and_extra_fields_are_errors() {
        assert!(u64_value("t", "").is_err(), "truncated to nothing");
        assert!(u64_value("t", "\n").is_err());
        assert!(u64_value("t", "-1\n").is_err());
        assert!(u64_value("t", "12 13\n").is_err(), "extra field");
        assert!(u64_value("t", "0x10\n").is_err());
        assert!(u64_value("t", "99999999999999999999\n").is_err());
        let e = u64_value("sysfs counter", "abc\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "sysfs counter line 1: expected one unsigned decimal number, found \"abc\\n\""
        );
    }

    #[test]
    fn signed_values() {
        assert_eq!(i64_value("t", "41700\n"), Ok(41700));
        assert_eq!(i64_value("t", "-256000\n"), Ok(-256000));
        assert!(i64_value("t", "41.7\n").is_err());
        assert!(i64_value("t", "").is_err());
    }

    #[test]
    fn strings() {
        assert_eq!(string_value("t", "up\n"), Ok("up"));
        assert_eq!(string_value("t", "acpitz"), Ok("acpitz"));
        assert_eq!(string_value("t", "spark 1\n"), Ok("spark 1"));
        assert!(string_value("t", "\n").is_err());
        assert!(string_value("t", "a\nb\n").is_err());
    }
}
