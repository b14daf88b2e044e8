//! `/var/lib/update-notifier/updates-available`: Ubuntu's pending-update
//! stamp.
//!
//! Format: the human-readable output of update-notifier-common's
//! `apt_check.py --human-readable`, which `/usr/lib/update-notifier/
//! update-motd-updates-available` writes into the stamp after each apt
//! update and which the login banner (`/etc/update-motd.d/90-updates-available`)
//! prints. It is English prose, one statement per line, among other lines
//! (ESM advertising, blank lines) that carry no count:
//!
//! ```text
//! Expanded Security Maintenance for Applications is not enabled.
//!
//! 47 updates can be applied immediately.
//! 2 of these updates are standard security updates.
//! To see these additional updates run: apt list --upgradable
//!
//! 3 additional security updates can be applied with ESM Apps.
//! ```
//!
//! Releases before 20.04 print `14 packages can be updated.` and
//! `7 updates are security updates.`; every release uses the singular for 1
//! (`1 update can be applied immediately.`, `1 of these updates is a
//! standard security update.`). With Ubuntu Pro enabled the security count
//! is split per source (`N of these updates are ESM Apps security
//! updates.`), and those lines add up. `N additional security updates can
//! be applied with ESM Apps.` counts updates this host cannot install
//! without a Pro subscription, so it is not pending and is not counted.

use nom::bytes::complete::tag;
use nom::character::complete::{space1, u64 as dec_u64};
use nom::{IResult, Parser};

use super::{ParseError, numbered_lines};

const SOURCE: &str = "/var/lib/update-notifier/updates-available";

/// The counts of the stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Updates {
    /// Updates that can be applied now (`N updates can be applied
    /// immediately.` / `N packages can be updated.`).
    pub pending: u64,
    /// Of those, security updates: the sum of the `N of these updates are
    /// ... security updates.` lines (`N updates are security updates.`
    /// before 20.04); 0 when no such line is printed, as apt_check prints
    /// none when there are none.
    pub security: u64,
}

/// A count at the start of a line, then one space.
fn count(i: &str) -> IResult<&str, u64> {
    let (i, n) = dec_u64(i)?;
    let (i, _) = space1(i)?;
    Ok((i, n))
}

/// The line that gives the total, if `line` is one.
fn total_line(line: &str) -> Option<u64> {
    let (rest, n) = count(line).ok()?;
    const TOTALS: [&str; 4] = [
        "updates can be applied immediately.",
        "update can be applied immediately.",
        "packages can be updated.",
        "package can be updated.",
    ];
    TOTALS.contains(&rest).then_some(n)
}

/// The security count of `line`, if it is a security line.
fn security_line(line: &str) -> Option<u64> {
    let (rest, n) = count(line).ok()?;
    // Before 20.04: "7 updates are security updates." / "1 update is a
    // security update.".
    if rest == "updates are security updates." || rest == "update is a security update." {
        return Some(n);
    }
    // 20.04 on: "2 of these updates are standard security updates.",
    // "1 of these updates is a standard security update.", "4 of these
    // updates are ESM Apps security updates." and similar per source.
    let body: IResult<&str, &str> = (
        tag("of these updates "),
        nom::branch::alt((tag("are "), tag("is a "))),
    )
        .map(|(_, v)| v)
        .parse(rest);
    let (what, _) = body.ok()?;
    let is_security = what.ends_with(" security updates.") || what.ends_with(" security update.");
    is_security.then_some(n)
}

/// Parses the stamp.
///
/// Errors: no line states the total (`N updates can be applied
/// immediately.` or `N packages can be updated.`), as when the file is
/// empty or holds something else, or two lines state different totals.
pub fn parse(text: &str) -> Result<Updates, ParseError> {
    let mut pending: Option<(usize, u64)> = None;
    let mut security = 0u64;
    for (n, raw) in numbered_lines(text) {
        let line = raw.trim();
        if let Some(total) = total_line(line) {
            if let Some((first, before)) = pending {
                if before != total {
                    return Err(ParseError::new(
                        SOURCE,
                        n,
                        format!("one total (line {first} says {before})"),
                        raw,
                    ));
                }
            }
            pending = Some((n, total));
        } else if let Some(s) = security_line(line) {
            security = security.saturating_add(s);
        }
    }
    match pending {
        Some((_, pending)) => Ok(Updates { pending, security }),
        None => Err(ParseError::new(
            SOURCE,
            1,
            "a line \"N updates can be applied immediately.\" or \"N packages can be updated.\"",
            text.lines().next().unwrap_or(""),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noble_with_security_updates() {
        let text = "\nExpanded Security Maintenance for Applications is not enabled.\n\n\
                    47 updates can be applied immediately.\n\
                    2 of these updates are standard security updates.\n\
                    To see these additional updates run: apt list --upgradable\n\n\
                    3 additional security updates can be applied with ESM Apps.\n\
                    Learn more about enabling ESM Apps service at https://ubuntu.com/esm\n\n";
        assert_eq!(
            parse(text),
            Ok(Updates {
                pending: 47,
                security: 2
            })
        );
    }

    #[test]
    fn nothing_pending_has_no_security_line() {
        let text = "\nExpanded Security Maintenance for Applications is not enabled.\n\n\
                    0 updates can be applied immediately.\n\n\
                    Enable ESM Apps to receive additional future security updates.\n\
                    See https://ubuntu.com/esm or run: sudo pro status\n\n";
        assert_eq!(
            parse(text),
            Ok(Updates {
                pending: 0,
                security: 0
            })
        );
    }

    #[test]
    fn singular_forms() {
        let text = "1 update can be applied immediately.\n\
                    1 of these updates is a standard security update.\n";
        assert_eq!(
            parse(text),
            Ok(Updates {
                pending: 1,
                security: 1
            })
        );
    }

    #[test]
    fn pro_sources_add_up() {
        let text = "12 updates can be applied immediately.\n\
                    3 of these updates are standard security updates.\n\
                    4 of these updates are ESM Apps security updates.\n\
                    1 of these updates is an ESM Infra update.\n";
        assert_eq!(
            parse(text),
            Ok(Updates {
                pending: 12,
                security: 7
            })
        );
    }

    #[test]
    fn bionic_wording() {
        let text = "\n14 packages can be updated.\n7 updates are security updates.\n\n";
        assert_eq!(
            parse(text),
            Ok(Updates {
                pending: 14,
                security: 7
            })
        );
    }

    #[test]
    fn empty_or_foreign_text_is_an_error() {
        for text in [
            "",
            "\n\n",
            "garbage\n",
            "twelve updates can be applied immediately.\n",
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.expected.contains("applied immediately"), "{e}");
        }
    }

    #[test]
    fn digits_glued_to_words_do_not_count() {
        assert_eq!(
            total_line("12abc updates can be applied immediately."),
            None
        );
        assert_eq!(total_line("12updates can be applied immediately."), None);
    }

    #[test]
    fn two_different_totals_are_an_error() {
        let text = "3 updates can be applied immediately.\n4 updates can be applied immediately.\n";
        let e = parse(text).unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn truncated_stamp_without_total_is_an_error() {
        assert!(
            parse("Expanded Security Maintenance for Applications is not enabled.\n\n4").is_err()
        );
    }

    #[test]
    fn huge_counts_saturate_not_panic() {
        let text = "1 updates can be applied immediately.\n\
                    18446744073709551615 of these updates are standard security updates.\n\
                    5 of these updates are ESM Apps security updates.\n";
        assert_eq!(parse(text).unwrap().security, u64::MAX);
        assert!(parse("99999999999999999999999 updates can be applied immediately.\n").is_err());
    }
}
