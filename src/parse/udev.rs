//! udev's database entry for one device, `/run/udev/data/b<major>:<minor>`
//! for a block device (systemd `src/libudev/libudev-device-private.c`,
//! `device_update_db`): one record per line, a one-letter type, a colon,
//! the payload. `E:KEY=value` lines are the device's properties
//! (`ID_MODEL`, `ID_SERIAL_SHORT`, `ID_PATH`, `ID_WWN`, `ID_REVISION`, ...);
//! other record types (`S:` symlinks, `I:` init time, `G:` tags, `V:`
//! version) are skipped.
//!
//! ```text
//! S:disk/by-id/nvme-SAMSUNG_MZALC4T0HBL1-00B07_S7XXXX
//! I:4297851
//! E:ID_MODEL=SAMSUNG MZALC4T0HBL1-00B07
//! E:ID_SERIAL_SHORT=S7XXXX
//! ```

use super::{ParseError, numbered_lines};

const SOURCE: &str = "udev database entry";

/// One `E:KEY=value` property, borrowed from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Property<'a> {
    /// The key, e.g. `ID_MODEL`.
    pub key: &'a str,
    /// The value as written (udev does not quote or escape it).
    pub value: &'a str,
}

/// Parses the properties of one database entry, in file order.
///
/// Errors: an `E:` line without `=`, or a line that is not `<letter>:...`
/// (garbage, a binary file).
pub fn parse(text: &str) -> Result<Vec<Property<'_>>, ParseError> {
    let mut props = Vec::new();
    for (n, line) in numbered_lines(text) {
        if line.is_empty() {
            continue;
        }
        let mut chars = line.chars();
        let (Some(kind), Some(':')) = (chars.next(), chars.next()) else {
            return Err(ParseError::new(
                SOURCE,
                n,
                "a `<letter>:<payload>` record",
                line,
            ));
        };
        if !kind.is_ascii_alphabetic() {
            return Err(ParseError::new(
                SOURCE,
                n,
                "a `<letter>:<payload>` record",
                line,
            ));
        }
        if kind != 'E' {
            continue;
        }
        let Some((key, value)) = line[2..].split_once('=') else {
            return Err(ParseError::new(SOURCE, n, "`E:KEY=value`", line));
        };
        props.push(Property { key, value });
    }
    Ok(props)
}

/// The value of `key` among `props`, if present.
pub fn get<'a>(props: &[Property<'a>], key: &str) -> Option<&'a str> {
    props.iter().find(|p| p.key == key).map(|p| p.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "S:disk/by-path/pci-0007:01:00.0-nvme-1\nI:4297851\nE:ID_MODEL=SAMSUNG MZALC4T0HBL1-00B07\nE:ID_SERIAL_SHORT=S7\nE:ID_WWN=eui.0025\nE:EMPTY=\nG:systemd\n";

    #[test]
    fn properties_are_read_and_other_records_skipped() {
        let p = parse(SAMPLE).unwrap();
        assert_eq!(p.len(), 4);
        assert_eq!(get(&p, "ID_MODEL"), Some("SAMSUNG MZALC4T0HBL1-00B07"));
        assert_eq!(get(&p, "ID_WWN"), Some("eui.0025"));
        assert_eq!(get(&p, "EMPTY"), Some(""));
        assert_eq!(get(&p, "ID_PATH"), None);
    }

    #[test]
    fn empty_entry_has_no_properties() {
        assert_eq!(parse("").unwrap(), vec![]);
    }

    #[test]
    fn garbage_and_truncated_lines_are_errors() {
        assert_eq!(parse("\u{0}\u{1}binary").unwrap_err().line, 1);
        assert_eq!(parse("E:ID_MODEL=x\nE:ID_TRUNC").unwrap_err().line, 2);
        assert!(parse("x").is_err());
    }
}
