//! `/etc/nv_tegra_release`: the Jetson Linux (L4T) release of a Jetson.
//!
//! Written by NVIDIA's `nvidia-l4t-core` package. The first line names the
//! release; on R36 and later more lines follow (`# KERNEL_VARIANT: oot`,
//! `TARGET_USERSPACE_LIB_DIR=nvidia`, ...), which are ignored:
//!
//! ```text
//! # R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64, DATE: Wed Jan  8 01:49:37 UTC 2025
//! # KERNEL_VARIANT: oot
//! ```
//!
//! The L4T version is `<major>.<revision>`: `R36` with `REVISION: 4.3` is
//! L4T 36.4.3 (JetPack 6.2), the form jetson-stats (jtop) and NVIDIA's
//! release notes use. Samples seen in public sources run from R32 (TX2) to
//! R39 (JetPack 7.2); the fields after `REVISION` (`GCID`, `BOARD`, `EABI`,
//! `DATE`) are not needed and not checked.

use nom::bytes::complete::tag;
use nom::character::complete::{char, space0, u32 as dec_u32};
use nom::combinator::opt;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::ParseError;

const SOURCE: &str = "/etc/nv_tegra_release";

/// The release named by the first line of `/etc/nv_tegra_release`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TegraRelease {
    /// The number after `# R` (36 for JetPack 6).
    pub major: u32,
    /// The first number of `REVISION:` (4 in `4.3`).
    pub minor: u32,
    /// The second number of `REVISION:` (3 in `4.3`), if printed.
    pub patch: Option<u32>,
}

impl TegraRelease {
    /// The L4T version as jtop and NVIDIA write it: `36.4.3`, or `36.4` when
    /// the revision has one number only.
    pub fn l4t(&self) -> String {
        match self.patch {
            Some(p) => format!("{}.{}.{p}", self.major, self.minor),
            None => format!("{}.{}", self.major, self.minor),
        }
    }
}

/// `# R36 (release), REVISION: 4.3` up to the comma that follows it.
fn first_line(i: &str) -> IResult<&str, TegraRelease> {
    (
        preceded((char('#'), space0, char('R')), dec_u32),
        (space0, tag("(release),"), space0, tag("REVISION:"), space0),
        dec_u32,
        opt(preceded(char('.'), dec_u32)),
    )
        .map(|(major, _, minor, patch)| TegraRelease {
            major,
            minor,
            patch,
        })
        .parse(i)
}

/// Parses the text of `/etc/nv_tegra_release`.
///
/// Errors: an empty file, or a first line that does not start
/// `# R<major> (release), REVISION: <minor>[.<patch>]` followed by a comma or
/// the end of the line (a truncated or foreign file).
pub fn parse(text: &str) -> Result<TegraRelease, ParseError> {
    let line = text.lines().next().unwrap_or("");
    let expected = "`# R<major> (release), REVISION: <minor>.<patch>, ...`";
    match first_line(line) {
        Ok((rest, release)) if rest.is_empty() || rest.starts_with(',') => Ok(release),
        _ => Err(ParseError::new(SOURCE, 1, expected, line)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_from_r32_to_r39() {
        let r36 = "# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64, DATE: Wed Jan  8 01:49:37 UTC 2025\n# KERNEL_VARIANT: oot\nTARGET_USERSPACE_LIB_DIR=nvidia\n";
        assert_eq!(parse(r36).unwrap().l4t(), "36.4.3");
        let r35 = "# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, DATE: Tue Aug  1 19:57:35 UTC 2023\n";
        assert_eq!(
            parse(r35).unwrap(),
            TegraRelease {
                major: 35,
                minor: 4,
                patch: Some(1)
            }
        );
        let r39 = "# R39 (release), REVISION: 2.0, GCID: 45755727, BOARD: generic, EABI: aarch64, DATE: Mon Jun  1 09:28:48 PM UTC 2026";
        assert_eq!(parse(r39).unwrap().l4t(), "39.2.0");
        let r32 = "# R32 (release), REVISION: 5.1, GCID: 26202423, BOARD: t186ref, EABI: aarch64, DATE: Fri Feb 19 16:50:29 UTC 2021\n";
        assert_eq!(parse(r32).unwrap().l4t(), "32.5.1");
    }

    #[test]
    fn truncated_lines_parse_as_far_as_the_revision() {
        assert_eq!(
            parse("# R36 (release), REVISION: 4.7").unwrap().l4t(),
            "36.4.7"
        );
        assert_eq!(
            parse("# R36 (release), REVISION: 4\n").unwrap().l4t(),
            "36.4"
        );
    }

    #[test]
    fn garbage_empty_and_cut_files_are_errors() {
        for bad in [
            "",
            "\n",
            "garbage\n",
            "# R36 (release), REVISION:\n",
            "# R36 (release)\n",
            "# Rxx (release), REVISION: 4.3, GCID: 1\n",
            "# R36 (release), REVISION: 4.3x, GCID: 1\n",
            "R36 (release), REVISION: 4.3\n",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let e = parse("garbage\n").unwrap_err().to_string();
        assert!(e.contains("/etc/nv_tegra_release line 1"), "{e}");
        assert!(e.contains("REVISION"), "{e}");
    }
}
