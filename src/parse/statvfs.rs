//! `statvfs`: this exporter's recorded form of `statvfs(3)` results.
//!
//! A fixture root cannot replay a system call, so `record` writes the figures
//! of each mount point it asked about into a file named `statvfs` at the top
//! of the root, one line per mount point, in the units of `statvfs(3)`:
//!
//! ```text
//! # mountpoint f_bsize f_frsize f_blocks f_bfree f_bavail f_files f_ffree
//! / 4096 4096 961008388 860422175 812371756 244162560 243057723
//! /boot/efi 4096 4096 130812 129238 129238 0 0
//! ```
//!
//! Mount points escape space, tab, newline and backslash as octal (`\040`,
//! `\011`, `\012`, `\134`), as `/proc/self/mounts` does (`proc(5)`).
//! Lines starting with `#` are comments.

use std::borrow::Cow;

use nom::bytes::complete::take_till1;
use nom::character::complete::{space0, space1, u64 as dec_u64};
use nom::combinator::all_consuming;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::{ParseError, numbered_lines};
use crate::sys::StatVfs;

const SOURCE: &str = "recorded statvfs";

/// One recorded mount point and its `statvfs(3)` figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// The mount point, unescaped (borrowed from the text when it has no
    /// escape).
    pub mountpoint: Cow<'a, str>,
    /// The figures, in `statvfs(3)` units.
    pub stat: StatVfs,
}

type Fields<'a> = (&'a str, u64, u64, u64, u64, u64, u64, u64);

fn line(i: &str) -> IResult<&str, Fields<'_>> {
    all_consuming((
        take_till1(|c: char| c == ' ' || c == '\t'),
        preceded(space1, dec_u64),
        preceded(space1, dec_u64),
        preceded(space1, dec_u64),
        preceded(space1, dec_u64),
        preceded(space1, dec_u64),
        preceded(space1, dec_u64),
        (preceded(space1, dec_u64), space0).map(|(v, _)| v),
    ))
    .parse(i)
}

/// Escapes a mount point for the recorded file (the inverse of [`unescape`]).
pub fn escape(mountpoint: &str) -> String {
    let mut out = String::with_capacity(mountpoint.len());
    for c in mountpoint.chars() {
        match c {
            ' ' => out.push_str("\\040"),
            '\t' => out.push_str("\\011"),
            '\n' => out.push_str("\\012"),
            '\\' => out.push_str("\\134"),
            c => out.push(c),
        }
    }
    out
}

/// Undoes the octal escapes of `/proc/self/mounts` (`\040` and friends).
/// A backslash not followed by three octal digits is kept as it is.
///
/// Nearly every field has no escape: it comes back borrowed, not copied.
pub fn unescape(field: &str) -> Cow<'_, str> {
    if !field.contains('\\') {
        return Cow::Borrowed(field);
    }
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if let Some(b) = octal_escape(&bytes[i..]) {
            out.push(b);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// The byte a `\ooo` escape at the start of `b` stands for, if it is one.
fn octal_escape(b: &[u8]) -> Option<u8> {
    let [b'\\', d @ ..] = b else { return None };
    let digits = d.get(..3)?;
    if !digits.iter().all(|c| (b'0'..=b'7').contains(c)) {
        return None;
    }
    let v = digits
        .iter()
        .fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
    u8::try_from(v).ok()
}

/// Parses the recorded `statvfs` file.
///
/// Errors: a non-comment line that is not a mount point followed by exactly
/// seven unsigned decimal numbers.
pub fn parse(text: &str) -> Result<Vec<Record<'_>>, ParseError> {
    let mut records = Vec::new();
    for (n, l) in numbered_lines(text) {
        if l.starts_with('#') || l.trim().is_empty() {
            continue;
        }
        let (_, (mp, bsize, frsize, blocks, bfree, bavail, files, ffree)) =
            line(l).map_err(|_| {
                ParseError::new(
                    SOURCE,
                    n,
                    "a mount point followed by seven unsigned numbers",
                    l,
                )
            })?;
        records.push(Record {
            mountpoint: unescape(mp),
            stat: StatVfs {
                bsize,
                frsize,
                blocks,
                bfree,
                bavail,
                files,
                ffree,
            },
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records_and_skips_comments() {
        let r = parse(
            "# mountpoint f_bsize f_frsize f_blocks f_bfree f_bavail f_files f_ffree\n\
             / 4096 4096 100 60 50 1000 900\n\
             /mnt/my\\040disk 512 512 1 1 1 0 0\n",
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].mountpoint, "/");
        assert_eq!(r[0].stat.bavail, 50);
        assert_eq!(r[1].mountpoint, "/mnt/my disk");
    }

    #[test]
    fn escape_round_trips() {
        for mp in [
            "/",
            "/a b",
            "/tab\there",
            "/back\\slash",
            "/new\nline",
            "/ü",
        ] {
            assert_eq!(unescape(&escape(mp)), mp);
        }
        assert_eq!(unescape("\\0"), "\\0", "short escape kept");
        assert_eq!(unescape("a\\999"), "a\\999", "non-octal kept");
    }

    #[test]
    fn truncated_and_garbage_lines_are_errors() {
        assert_eq!(parse("/ 4096 4096 100\n").unwrap_err().line, 1);
        assert!(parse("/ 4096 4096 100 60 50 1000 nine\n").is_err());
        assert!(
            parse("/ 4096 4096 100 60 50 1000 900 7\n").is_err(),
            "extra field"
        );
        assert!(parse("/ -1 4096 100 60 50 1000 900\n").is_err());
    }
}
