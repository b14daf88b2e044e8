//! Device-tree properties as Linux shows them in `/proc/device-tree/`
//! (= `/sys/firmware/devicetree/base/`) and in a device's `of_node/`.
//!
//! Format: the Devicetree Specification (v0.4, section 2.2.4, "Property
//! Values"): a `<string>` is printable characters ended by a NUL byte, a
//! `<stringlist>` several such strings one after the other. Linux exposes the
//! raw bytes, so `model` reads `NVIDIA Jetson AGX Orin Developer Kit\0` and
//! `compatible` `nvidia,p3737-0000+p3701-0005\0nvidia,p3701-0005\0nvidia,tegra234\0`;
//! a node's `name` file (`of_node/name`) is a string too (`gpu\0`). A
//! `<u32>` is a 32-bit big-endian integer: the Raspberry Pi 5 bootloader
//! writes `chosen/power/max_current` as `00 00 13 88` (5000 mA). The kernel
//! exposes the bytes unchanged (`drivers/of/kobj.c`).

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

/// The one string of a `<string>` property such as `model` or a node's
/// `name`, without its terminating NUL.
///
/// A missing final NUL is accepted (a hand-made file); a trailing newline is
/// not stripped, since the property does not have one.
///
/// Errors: an empty value, or a NUL inside the text (a string list where one
/// string was expected).
pub fn string<'a>(source: &'static str, text: &'a str) -> Result<&'a str, ParseError> {
    let s = text.strip_suffix('\0').unwrap_or(text);
    if s.is_empty() || s.contains('\0') {
        return Err(ParseError::new(
            source,
            1,
            "one NUL-terminated device-tree string",
            text,
        ));
    }
    Ok(s)
}

/// The strings of a `<stringlist>` property such as `compatible`, in order.
/// Empty strings (two NULs in a row) are skipped.
pub fn strings(text: &str) -> impl Iterator<Item = &str> {
    text.split('\0').filter(|s| !s.is_empty())
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
    fn nul_terminated_strings() {
        assert_eq!(
            string("t", "NVIDIA Jetson AGX Orin Developer Kit\0"),
            Ok("NVIDIA Jetson AGX Orin Developer Kit")
        );
        assert_eq!(string("t", "gpu"), Ok("gpu"), "no NUL: accepted");
        for bad in ["", "\0", "a\0b\0"] {
            assert!(string("t", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn string_lists() {
        let compatible =
            "nvidia,p3737-0000+p3701-0005\0nvidia,p3701-0005\0nvidia,tegra234\0nvidia,tegra23x\0";
        let list: Vec<&str> = strings(compatible).collect();
        assert_eq!(
            list,
            [
                "nvidia,p3737-0000+p3701-0005",
                "nvidia,p3701-0005",
                "nvidia,tegra234",
                "nvidia,tegra23x"
            ]
        );
        assert_eq!(strings("").count(), 0);
        assert_eq!(strings("a\0\0b").collect::<Vec<_>>(), ["a", "b"]);
    }
}
