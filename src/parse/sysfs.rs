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

/// Parses an integer attribute printed either in decimal (`mtu`, `speed`,
/// which is `-1` when unknown) or in hex with a `0x` prefix (`flags`
/// `0x1003`, `dev_id` `0x0`, printed with `%#x` by `net/core/net-sysfs.c`).
///
/// Errors: as [`i64_value`], or hex digits that do not fit an `i64`.
pub fn int_value(source: &'static str, text: &str) -> Result<i64, ParseError> {
    let t = strip_newline(text).trim();
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        if !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            if let Ok(v) = i64::from_str_radix(hex, 16) {
                return Ok(v);
            }
        }
        return Err(ParseError::new(source, 1, "one hex number after 0x", text));
    }
    whole_i64(t)
        .map(|(_, v)| v)
        .map_err(|_| ParseError::new(source, 1, "one decimal or 0x-prefixed hex number", text))
}

/// Parses a decimal attribute that may carry a fraction, as node_exporter
/// reads hwmon values (Go `strconv.ParseFloat`): `41700`, `-5`, `3.3`.
///
/// Errors: empty text, more than one value, text that is not a finite
/// decimal number (`inf`, `nan`, hex and words are refused).
pub fn f64_value(source: &'static str, text: &str) -> Result<f64, ParseError> {
    let t = strip_newline(text).trim();
    let plain = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        && t.chars().any(|c| c.is_ascii_digit());
    match t.parse::<f64>() {
        Ok(v) if plain && v.is_finite() => Ok(v),
        _ => Err(ParseError::new(source, 1, "one decimal number", text)),
    }
}

/// A free-text attribute that may be empty (`ifalias`, a `broadcast` of a
/// point-to-point link): the text without its trailing newline.
pub fn text_value(text: &str) -> &str {
    strip_newline(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_or_decimal_integers() {
        assert_eq!(int_value("t", "0x1003\n"), Ok(0x1003));
        assert_eq!(int_value("t", "0x0\n"), Ok(0));
        assert_eq!(int_value("t", "-1\n"), Ok(-1));
        assert_eq!(int_value("t", "9000\n"), Ok(9000));
        assert!(int_value("t", "0x\n").is_err());
        assert!(int_value("t", "0xzz\n").is_err());
        assert!(int_value("t", "0xffffffffffffffffff\n").is_err());
        assert!(int_value("t", "up\n").is_err());
        assert!(int_value("t", "").is_err());
    }

    #[test]
    fn decimal_floats() {
        assert_eq!(f64_value("t", "41700\n"), Ok(41700.0));
        assert_eq!(f64_value("t", "-5\n"), Ok(-5.0));
        assert_eq!(f64_value("t", "3.3"), Ok(3.3));
        for bad in ["", "\n", "nan", "inf", "1 2", "0x10", "NC", "."] {
            assert!(f64_value("t", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn free_text_may_be_empty() {
        assert_eq!(text_value("\n"), "");
        assert_eq!(text_value("uplink to rack 4\n"), "uplink to rack 4");
    }

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
