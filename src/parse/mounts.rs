//! `/proc/mounts`, `/proc/self/mounts`, `/proc/<pid>/mounts`: mounted
//! filesystems.
//!
//! Format: `proc(5)` ("/proc/pid/mounts") and `fstab(5)`; printed by
//! `show_vfsmnt` in the kernel's `fs/proc_namespace.c`. One mount per line,
//! six space-separated fields:
//!
//! ```text
//! /dev/nvme0n1p2 / ext4 rw,relatime 0 0
//! tmpfs /run/user/1000 tmpfs rw,nosuid,nodev,relatime,size=12753388k,mode=700,uid=1000,gid=1000 0 0
//! /dev/sda1 /mnt/my\040disk vfat ro,relatime,fmask=0022 0 0
//! ```
//!
//! Device, mount point, filesystem type, comma-separated options, then the
//! `dump` and `pass` numbers, always `0 0` here. The kernel escapes space,
//! tab, newline and backslash inside fields as three-digit octal (`\040`,
//! `\011`, `\012`, `\134`; `mangle` and `seq_path_root(..., " \t\n\\")`), so
//! splitting on whitespace is safe and the fields are unescaped after.
//!
//! Lines are not comments even when they start with `#`: a device may be
//! named `#foo`, and the kernel does not escape `#`. A missing `dump`/`pass`
//! is accepted (`fstab(5)` lets them default to 0); fields past the sixth are
//! ignored.

use std::borrow::Cow;

use nom::bytes::complete::take_till1;
use nom::character::complete::{space0, space1};
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::{ParseError, numbered_lines};

/// Undoes the kernel's octal escapes (`\040` space, `\011` tab, `\012`
/// newline, `\134` backslash) in one field of a mounts file. A backslash not
/// followed by three octal digits is kept as it is. The same function as
/// [`super::statvfs::unescape`], whose recorded file uses this escaping.
pub use super::statvfs::unescape;

const SOURCE: &str = "/proc/mounts";

/// One line of a mounts file, fields unescaped; a field without an escape
/// (nearly all of them) is borrowed from the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount<'a> {
    /// The mounted device or source, e.g. `/dev/nvme0n1p2`, `tmpfs`,
    /// `server:/export`, `none`.
    pub device: Cow<'a, str>,
    /// Where it is mounted, e.g. `/`, `/boot/efi`.
    pub mount_point: Cow<'a, str>,
    /// Filesystem type, e.g. `ext4`, `tmpfs`, `fuse.sshfs`.
    pub fs_type: Cow<'a, str>,
    /// Mount options as printed, comma-separated, e.g. `rw,relatime`. The
    /// first is always `ro` or `rw` in `/proc/mounts`.
    pub options: Cow<'a, str>,
}

impl Mount<'_> {
    /// Whether the options contain `ro` as a whole option (not `errors=remount-ro`).
    pub fn read_only(&self) -> bool {
        self.options.split(',').any(|o| o == "ro")
    }
}

/// Whether `c` separates fields.
fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// One field: everything up to the next space or tab.
fn field(i: &str) -> IResult<&str, &str> {
    take_till1(is_blank).parse(i)
}

/// The four fields every line has, after any leading blanks; the rest of
/// the line (blanks, then `dump`, `pass` and any later fields) is left.
fn required(i: &str) -> IResult<&str, [&str; 4]> {
    (
        preceded(space0, field),
        preceded(space1, field),
        preceded(space1, field),
        preceded(space1, field),
    )
        .map(|(a, b, c, d)| [a, b, c, d])
        .parse(i)
}

fn is_number(f: &str) -> bool {
    !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit())
}

/// Parses the whole text of a mounts file, one [`Mount`] per non-blank line in
/// file order (the order mounts were made, so a later line may hide an
/// earlier one at the same mount point).
///
/// Errors: a line with fewer than four fields (a truncated read), or whose
/// fifth or sixth field (`dump`, `pass`) is present but not an unsigned
/// decimal (garbage). An empty file is valid: mounts outside a process's
/// root (a chroot) are not listed, which can leave none.
pub fn parse(text: &str) -> Result<Vec<Mount<'_>>, ParseError> {
    let mut mounts = Vec::new();
    for (n, l) in numbered_lines(text) {
        if l.trim().is_empty() {
            continue;
        }
        let err = || {
            ParseError::new(
                SOURCE,
                n,
                "device, mount point, type, options and optionally two numbers",
                l,
            )
        };
        let (rest, [device, mount_point, fs_type, options]) = required(l).map_err(|_| err())?;
        let mut more = rest.split(is_blank).filter(|f| !f.is_empty());
        if !more.by_ref().take(2).all(is_number) {
            return Err(err());
        }
        mounts.push(Mount {
            device: unescape(device),
            mount_point: unescape(mount_point),
            fs_type: unescape(fs_type),
            options: unescape(options),
        });
    }
    Ok(mounts)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "/dev/nvme0n1p2 / ext4 rw,relatime 0 0\n\
        proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n\
        tmpfs /run/user/1000 tmpfs rw,nosuid,nodev,relatime,size=12753388k,mode=700 0 0\n\
        /dev/nvme0n1p1 /boot/efi vfat ro,relatime,fmask=0077,errors=remount-ro 0 0\n\
        /dev/sda1 /mnt/my\\040disk\\011tab\\012nl\\134bs fuseblk rw,user_id=0 0 0\n";

    #[test]
    fn parses_a_real_file() {
        let m = parse(SAMPLE).unwrap();
        assert_eq!(m.len(), 5);
        assert_eq!(
            m[0],
            Mount {
                device: "/dev/nvme0n1p2".into(),
                mount_point: "/".into(),
                fs_type: "ext4".into(),
                options: "rw,relatime".into(),
            }
        );
        assert!(!m[0].read_only());
        assert_eq!(m[2].mount_point, "/run/user/1000");
        assert!(m[3].read_only());
        assert_eq!(m[4].mount_point, "/mnt/my disk\ttab\nnl\\bs");
    }

    #[test]
    fn read_only_needs_a_whole_ro_option() {
        let mount = |options: &'static str| Mount {
            device: "d".into(),
            mount_point: "/".into(),
            fs_type: "ext4".into(),
            options: options.into(),
        };
        assert!(mount("ro").read_only());
        assert!(mount("nosuid,ro").read_only());
        assert!(!mount("rw,errors=remount-ro").read_only());
        assert!(!mount("rw,rootcontext=ro").read_only());
        assert!(!mount("rw,root").read_only());
    }

    #[test]
    fn unescape_is_the_kernel_escaping() {
        assert_eq!(unescape("a\\040b"), "a b");
        assert_eq!(unescape("\\011\\012\\134"), "\t\n\\");
        assert_eq!(unescape("no\\escape"), "no\\escape");
        assert_eq!(unescape("trail\\04"), "trail\\04");
    }

    #[test]
    fn all_fields_are_unescaped() {
        let m = parse("my\\040dev /a\\040b fuse.my\\040fs rw,x=a\\040b 0 0\n").unwrap();
        assert_eq!(m[0].device, "my dev");
        assert_eq!(m[0].mount_point, "/a b");
        assert_eq!(m[0].fs_type, "fuse.my fs");
        assert_eq!(m[0].options, "rw,x=a b");
    }

    #[test]
    fn dump_and_pass_are_optional_and_extra_fields_ignored() {
        let m = parse("a /b ext4 rw\nc /d ext4 ro 0\ne /f ext4 rw 0 0 future fields\n").unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m[2].mount_point, "/f");
    }

    #[test]
    fn tabs_and_hash_devices() {
        let m = parse("#dev\t/x\ttmpfs\trw\t0\t0\n").unwrap();
        assert_eq!(m[0].device, "#dev");
        assert_eq!(m[0].fs_type, "tmpfs");
    }

    #[test]
    fn truncated_line_is_an_error() {
        let text = format!("{SAMPLE}/dev/sdb1 /mnt ext4");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.line, 6);
        assert_eq!(e.found, "/dev/sdb1 /mnt ext4");
        assert!(parse("/dev/sdb1\n").is_err());
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse("a /b ext4 rw x 0\n").is_err(), "dump not a number");
        assert!(parse("a /b ext4 rw 0 -1\n").is_err(), "pass not a number");
        assert!(parse("hello world\n").is_err());
    }

    #[test]
    fn empty_file_is_no_mounts() {
        assert_eq!(parse("").unwrap(), vec![]);
        assert_eq!(parse("\n").unwrap(), vec![]);
    }
}
