//! Device-tree property files under `/proc/device-tree` (a link to
//! `/sys/firmware/devicetree/base`): each file is one property's raw value.
//!
//! Source: the Devicetree Specification (v0.4, section 2.2.4 "Property
//! Values"): a `<u32>` is a 32-bit integer in big-endian byte order; a
//! `<string>` is NUL-terminated; a `<stringlist>` is a series of
//! NUL-terminated strings. The kernel exposes the bytes unchanged
//! (`drivers/of/kobj.c`). Examples: `model` = `Raspberry Pi 5 Model B Rev 1.0\0`,
//! `compatible` = `raspberrypi,5-model-b\0brcm,bcm2712\0`,
//! `chosen/power/max_current` = `00 00 13 88` (5000, in mA, written by the
//! Raspberry Pi 5 bootloader).

use nom::Parser;
use nom::combinator::all_consuming;
use nom::number::complete::be_u32;

use super::ParseError;

/// The bytes in hex for an error message: `00 00 13`.
fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses a `<u32>` property: exactly 4 bytes, big-endian.
///
/// `source` names the property for the error (e.g.
/// `device-tree chosen/power/max_current`).
/// Errors: fewer or more than 4 bytes (a truncated file, or a property of
/// several cells).
pub fn u32_value(source: &'static str, bytes: &[u8]) -> Result<u32, ParseError> {
    all_consuming(be_u32::<&[u8], nom::error::Error<&[u8]>>)
        .parse(bytes)
        .map(|(_, v)| v)
        .map_err(|_| {
            ParseError::new(
                source,
                1,
                format!(
                    "one big-endian 32-bit cell (4 bytes), not {} bytes",
                    bytes.len()
                ),
                &hex(bytes),
            )
        })
}

/// Parses a `<stringlist>` property (`compatible`): the NUL-terminated
/// strings in order. A single `<string>` (`model`) is a list of one.
///
/// Errors: no terminating NUL, an empty string, or bytes that are not
/// UTF-8.
pub fn string_list<'a>(source: &'static str, bytes: &'a [u8]) -> Result<Vec<&'a str>, ParseError> {
    let err = |what: &str| ParseError::new(source, 1, what, &String::from_utf8_lossy(bytes));
    let Some(body) = bytes.strip_suffix(b"\0") else {
        return Err(err("NUL-terminated strings"));
    };
    let text = std::str::from_utf8(body).map_err(|_| err("UTF-8 strings"))?;
    let list: Vec<&str> = text.split('\0').collect();
    if list.iter().any(|s| s.is_empty()) {
        return Err(err("non-empty NUL-terminated strings"));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u32_cells_are_big_endian() {
        assert_eq!(u32_value("t", &[0, 0, 0x13, 0x88]), Ok(5000));
        assert_eq!(u32_value("t", &[0, 0, 0x03, 0x84]), Ok(900));
        assert_eq!(u32_value("t", &[0xff, 0xff, 0xff, 0xff]), Ok(u32::MAX));
    }

    #[test]
    fn a_u32_of_other_than_four_bytes_is_an_error() {
        let e = u32_value("t", &[0, 0, 0x13]).unwrap_err();
        assert_eq!(e.found, "00 00 13");
        assert!(e.expected.contains("not 3 bytes"), "{e}");
        assert!(u32_value("t", &[]).is_err());
        assert!(u32_value("t", &[0, 0, 0x13, 0x88, 0]).is_err());
        assert!(u32_value("t", b"5000").is_ok(), "4 bytes are 4 bytes");
        assert!(u32_value("t", b"5000\n").is_err());
    }

    #[test]
    fn strings_and_string_lists() {
        assert_eq!(
            string_list("t", b"Raspberry Pi 5 Model B Rev 1.0\0"),
            Ok(vec!["Raspberry Pi 5 Model B Rev 1.0"])
        );
        assert_eq!(
            string_list("t", b"raspberrypi,5-model-b\0brcm,bcm2712\0"),
            Ok(vec!["raspberrypi,5-model-b", "brcm,bcm2712"])
        );
        assert!(string_list("t", b"no terminator").is_err());
        assert!(string_list("t", b"").is_err());
        assert!(string_list("t", b"\0").is_err());
        assert!(string_list("t", b"a\0\0b\0").is_err());
        let e = string_list("t", b"\xff\0").unwrap_err();
        assert_eq!(e.found, "\u{fffd}\0");
    }
}
