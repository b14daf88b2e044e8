//! Device-tree properties as Linux shows them in `/proc/device-tree/`
//! (= `/sys/firmware/devicetree/base/`) and in a device's `of_node/`.
//!
//! Format: the Devicetree Specification (v0.4, section 2.2.4, "Property
//! Values"): a `<string>` is printable characters ended by a NUL byte, a
//! `<stringlist>` several such strings one after the other. Linux exposes the
//! raw bytes, so `model` reads `NVIDIA Jetson AGX Orin Developer Kit\0` and
//! `compatible` `nvidia,p3737-0000+p3701-0005\0nvidia,p3701-0005\0nvidia,tegra234\0`;
//! a node's `name` file (`of_node/name`) is a string too (`gpu\0`).

use super::ParseError;

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
