//! The Raspberry Pi firmware's throttling flags, as the sysfs attribute
//! `get_throttled` of the firmware device prints them.
//!
//! Source: `get_throttled_show()` in the Raspberry Pi kernel's
//! `drivers/firmware/raspberrypi.c` (downstream only; mainline has no such
//! attribute) writes the last value of the firmware's `GET_THROTTLED`
//! mailbox property with `"%x\n"`: lower-case hex **without** `0x`, e.g.
//! `50005\n` (what `vcgencmd get_throttled` prints as `throttled=0x50005`).
//! Paths: `/sys/devices/platform/soc/soc:firmware/get_throttled` (Pi 4 and
//! earlier), `/sys/devices/platform/soc@107c000000/soc@107c000000:firmware/get_throttled`
//! (Pi 5). Bit meanings (Raspberry Pi documentation, `vcgencmd
//! get_throttled`): bits 0-3 are conditions active now, bits 16-19 the same
//! conditions having occurred (sticky since boot, or since the firmware last
//! cleared them).

use nom::Parser;
use nom::character::complete::hex_digit1;
use nom::combinator::all_consuming;

use super::ParseError;

/// Format name used in errors.
const SOURCE: &str = "get_throttled";

/// Most hex digits a 32-bit mailbox value prints with `%x`.
const MAX_DIGITS: usize = 8;

/// Offset of the "has occurred" bit above the "now" bit of a condition.
const OCCURRED_SHIFT: u32 = 16;

/// One condition the firmware reports, with its "now" bit (0-3); its "has
/// occurred" bit is 16 higher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Bit 0 / 16: supply voltage below the under-voltage threshold
    /// (about 4.63 V).
    UnderVoltage,
    /// Bit 1 / 17: ARM frequency capped.
    ArmFrequencyCapped,
    /// Bit 2 / 18: currently throttled (turbo disabled, from low voltage or
    /// high temperature).
    Throttled,
    /// Bit 3 / 19: soft temperature limit active.
    SoftTempLimit,
}

impl Condition {
    /// Every condition, in bit order.
    pub const ALL: [Condition; 4] = [
        Condition::UnderVoltage,
        Condition::ArmFrequencyCapped,
        Condition::Throttled,
        Condition::SoftTempLimit,
    ];

    /// The `condition` label value.
    pub fn label(self) -> &'static str {
        match self {
            Condition::UnderVoltage => "under_voltage",
            Condition::ArmFrequencyCapped => "arm_frequency_capped",
            Condition::Throttled => "throttled",
            Condition::SoftTempLimit => "soft_temp_limit",
        }
    }

    /// The "now" bit number (0-3).
    pub fn bit(self) -> u32 {
        match self {
            Condition::UnderVoltage => 0,
            Condition::ArmFrequencyCapped => 1,
            Condition::Throttled => 2,
            Condition::SoftTempLimit => 3,
        }
    }
}

/// The flags word of `get_throttled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled(pub u32);

impl Throttled {
    /// Whether `c` is active now (bits 0-3).
    pub fn now(self, c: Condition) -> bool {
        self.0 & (1 << c.bit()) != 0
    }

    /// Whether `c` has occurred (bits 16-19).
    pub fn occurred(self, c: Condition) -> bool {
        self.0 & (1 << (c.bit() + OCCURRED_SHIFT)) != 0
    }
}

/// Parses the content of `get_throttled`: 1 to 8 hex digits (either case)
/// and an optional trailing newline.
///
/// Errors: empty text, a `0x` prefix or any other non-hex character,
/// blanks, a second line, more than 8 digits.
pub fn parse(text: &str) -> Result<Throttled, ParseError> {
    let line = text.strip_suffix('\n').unwrap_or(text);
    let err = || ParseError::new(SOURCE, 1, "1 to 8 hex digits without 0x", text);
    let (_, digits) = all_consuming(hex_digit1::<&str, nom::error::Error<&str>>)
        .parse(line)
        .map_err(|_| err())?;
    if digits.len() > MAX_DIGITS {
        return Err(err());
    }
    u32::from_str_radix(digits, 16)
        .map(Throttled)
        .map_err(|_| err())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_seen_in_the_wild() {
        assert_eq!(parse("0\n"), Ok(Throttled(0)));
        assert_eq!(parse("50005\n"), Ok(Throttled(0x50005)));
        assert_eq!(parse("80008\n"), Ok(Throttled(0x80008)));
        assert_eq!(parse("a0002\n"), Ok(Throttled(0xa0002)));
        assert_eq!(
            parse("A0002"),
            Ok(Throttled(0xa0002)),
            "no newline, upper case"
        );
        assert_eq!(parse("ffffffff\n"), Ok(Throttled(u32::MAX)));
    }

    #[test]
    fn bits_map_to_conditions() {
        let t = parse("50005\n").unwrap();
        let now: Vec<bool> = Condition::ALL.iter().map(|&c| t.now(c)).collect();
        let since: Vec<bool> = Condition::ALL.iter().map(|&c| t.occurred(c)).collect();
        assert_eq!(now, [true, false, true, false]);
        assert_eq!(since, [true, false, true, false]);
        let t = parse("a0002\n").unwrap();
        assert!(t.now(Condition::ArmFrequencyCapped));
        assert!(t.occurred(Condition::ArmFrequencyCapped));
        assert!(t.occurred(Condition::SoftTempLimit));
        assert!(!t.occurred(Condition::UnderVoltage));
        let t = parse("80008\n").unwrap();
        assert!(t.now(Condition::SoftTempLimit) && t.occurred(Condition::SoftTempLimit));
    }

    #[test]
    fn garbage_is_an_error_naming_the_text() {
        for bad in [
            "",
            "\n",
            "0x50005\n",
            "throttled=0x50005\n",
            "5000g\n",
            " 50005\n",
            "50005 \n",
            "50005\n0\n",
            "123456789\n",
            "-1\n",
            "\u{fffd}\n",
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.source, "get_throttled", "{bad:?}");
            assert_eq!(e.found, bad, "{bad:?}");
        }
    }
}
