//! `/proc/net/dev`: per-interface network traffic counters.
//!
//! Format: `proc(5)` ("/proc/net/dev") shows it; the definition is the
//! kernel's `net/core/net-procfs.c`, where `dev_seq_show` prints two header
//! lines and `dev_seq_printf_stats` one line per interface with
//! `"%6s: %7llu %7llu %4llu ..."` (sixteen counters):
//!
//! ```text
//! Inter-|   Receive                                                |  Transmit
//!  face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
//!     lo: 7433513   49219    0    0    0     0          0         0  7433513   49219    0    0    0     0       0          0
//! enP7s7: 1234567890123 912345678    0   12    0     0          0      4431 98765432  612345    0    0    0     0       0          0
//! ```
//!
//! The name is right-aligned in six columns and longer names push the line.
//! Older kernels printed `%6s:%8llu`, with no space after the colon, so a
//! receive byte count of eight or more digits is glued to it
//! (`  eth0:1234567890123 ...`); both shapes parse.
//!
//! The name ends at the first `:`. Device names cannot contain `:` (nor `/`
//! or whitespace): `dev_valid_name` in `net/core/dev.c` rejects them, because
//! `ip` and `ifconfig` write address labels as `eth0:1`. Such "alias" labels
//! name addresses, not devices, and never appear in this file.
//!
//! The column names are read from the second header line and checked against
//! [`RECEIVE_FIELDS`] and [`TRANSMIT_FIELDS`]; the parser fails if the kernel
//! ever renames or reorders them. Columns a future kernel appends to either
//! group are counted from the header, so the transmit group is still found,
//! and their values are ignored. Counters are cumulative since the device
//! was created, in bytes or packets as named.

use nom::bytes::complete::{tag, take_till1};
use nom::character::complete::{space0, u64 as dec_u64};
use nom::combinator::all_consuming;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::{ParseError, numbered_lines, numbers_sized};

/// Counters on an interface line: eight received, eight transmitted
/// (`dev_seq_printf_stats` in `net/core/net-procfs.c`).
const NETDEV_COLUMNS: usize = 16;

const SOURCE: &str = "/proc/net/dev";

/// Names of the eight receive columns, in file order, as the header spells
/// them. node_exporter exposes each as `node_network_receive_<name>_total`.
///
/// `drop` is `rx_dropped + rx_missed_errors`; `frame` is the sum of the
/// length, overrun, CRC and frame errors (`dev_seq_printf_stats`).
pub const RECEIVE_FIELDS: [&str; 8] = [
    "bytes",
    "packets",
    "errs",
    "drop",
    "fifo",
    "frame",
    "compressed",
    "multicast",
];

/// Names of the eight transmit columns, in file order, as the header spells
/// them. node_exporter exposes each as `node_network_transmit_<name>_total`.
///
/// `carrier` is the sum of the carrier, aborted, window and heartbeat errors
/// (`dev_seq_printf_stats`).
pub const TRANSMIT_FIELDS: [&str; 8] = [
    "bytes",
    "packets",
    "errs",
    "drop",
    "fifo",
    "colls",
    "carrier",
    "compressed",
];

/// One interface line of `/proc/net/dev`, in the kernel's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetDev<'a> {
    /// Interface name, e.g. `lo`, `enP7s7`, `wlP9s9`, `docker0`.
    pub name: &'a str,
    /// Receive counters, indexed like [`RECEIVE_FIELDS`].
    pub receive: [u64; 8],
    /// Transmit counters, indexed like [`TRANSMIT_FIELDS`].
    pub transmit: [u64; 8],
}

/// Column groups of the second header line: how many receive and transmit
/// columns each interface line carries.
#[derive(Debug, Clone, Copy)]
struct Columns {
    receive: usize,
    transmit: usize,
}

/// Checks the first header line: `Inter-|   Receive ... |  Transmit`.
fn check_title(n: usize, l: &str) -> Result<(), ParseError> {
    let parts: Vec<&str> = l.split('|').map(str::trim).collect();
    if parts == ["Inter-", "Receive", "Transmit"] {
        Ok(())
    } else {
        Err(ParseError::new(
            SOURCE,
            n,
            "the header `Inter-|   Receive   |  Transmit`",
            l,
        ))
    }
}

/// Reads the column names of the second header line
/// (` face |bytes packets ...|bytes packets ...`) and checks them.
fn columns(n: usize, l: &str) -> Result<Columns, ParseError> {
    let parts: Vec<&str> = l.split('|').collect();
    let [face, rx, tx] = parts[..] else {
        return Err(ParseError::new(
            SOURCE,
            n,
            "the header ` face |<receive columns>|<transmit columns>`",
            l,
        ));
    };
    let rx: Vec<&str> = rx.split_ascii_whitespace().collect();
    let tx: Vec<&str> = tx.split_ascii_whitespace().collect();
    if face.trim() != "face" || !rx.starts_with(&RECEIVE_FIELDS) {
        return Err(ParseError::new(
            SOURCE,
            n,
            format!("receive columns `{}`", RECEIVE_FIELDS.join(" ")),
            l,
        ));
    }
    if !tx.starts_with(&TRANSMIT_FIELDS) {
        return Err(ParseError::new(
            SOURCE,
            n,
            format!("transmit columns `{}`", TRANSMIT_FIELDS.join(" ")),
            l,
        ));
    }
    Ok(Columns {
        receive: rx.len(),
        transmit: tx.len(),
    })
}

/// `name:` then the counters, with or without space after the colon.
fn line(i: &str) -> IResult<&str, (&str, Vec<u64>)> {
    all_consuming(
        (
            preceded(
                space0,
                take_till1(|c: char| c == ':' || c.is_ascii_whitespace()),
            ),
            preceded(
                tag(":"),
                preceded(space0, numbers_sized(NETDEV_COLUMNS, dec_u64)),
            ),
            space0,
        )
            .map(|(name, v, _)| (name, v)),
    )
    .parse(i)
}

fn first_eight(v: &[u64]) -> [u64; 8] {
    let mut out = [0; 8];
    out.copy_from_slice(&v[..8]);
    out
}

/// Parses the whole text of `/proc/net/dev` (or `/proc/<pid>/net/dev`):
/// the two header lines, then one [`NetDev`] per interface in file order.
///
/// Counters are bytes or packets (or events, for the error columns) since the
/// device was created; nothing is converted.
///
/// Errors: an empty file or a missing first header line; a second header line
/// whose columns do not start with [`RECEIVE_FIELDS`] and
/// [`TRANSMIT_FIELDS`]; an interface line without `name:` or with fewer
/// counters than the header announces, or a non-number among them (a
/// truncated read, garbage). Extra counters past the header's count are
/// ignored. A file with the headers and no interfaces is valid.
pub fn parse(text: &str) -> Result<Vec<NetDev<'_>>, ParseError> {
    let mut lines = numbered_lines(text);
    let (n, title) = lines.next().unwrap_or((1, ""));
    check_title(n, title)?;
    let Some((n, header)) = lines.next() else {
        return Err(ParseError::new(
            SOURCE,
            2,
            "the column header ` face |bytes    packets ...`",
            "",
        ));
    };
    let cols = columns(n, header)?;
    let wanted = cols.receive + cols.transmit;
    let mut devices = Vec::new();
    for (n, l) in lines {
        if l.trim().is_empty() {
            continue;
        }
        let err = || {
            ParseError::new(
                SOURCE,
                n,
                format!("an interface name, `:` and {wanted} counters"),
                l,
            )
        };
        let (_, (name, v)) = line(l).map_err(|_| err())?;
        if v.len() < wanted {
            return Err(err());
        }
        devices.push(NetDev {
            name,
            receive: first_eight(&v),
            transmit: first_eight(&v[cols.receive..]),
        });
    }
    Ok(devices)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exactly what `dev_seq_show` prints.
    const HEADER: &str = concat!(
        "Inter-|   Receive                            ",
        "                    |  Transmit\n",
        " face |bytes    packets errs drop fifo frame ",
        "compressed multicast|bytes    packets errs ",
        "drop fifo colls carrier compressed\n",
    );

    fn with_header(body: &str) -> String {
        format!("{HEADER}{body}")
    }

    #[test]
    fn parses_a_real_file() {
        let text = with_header(
            "    lo: 7433513   49219    0    0    0     0          0         0  \
             7433513   49219    0    0    0     0       0          0\n\
             enP7s7: 1234567890123 912345678    1   12    2     3          4      4431 \
             98765432  612345    5    6    7     8       9         10\n",
        );
        let d = parse(&text).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].name, "lo");
        assert_eq!(d[0].receive[0], 7433513);
        assert_eq!(d[0].transmit[1], 49219);
        assert_eq!(d[1].name, "enP7s7");
        assert_eq!(
            d[1].receive,
            [1234567890123, 912345678, 1, 12, 2, 3, 4, 4431]
        );
        assert_eq!(d[1].transmit, [98765432, 612345, 5, 6, 7, 8, 9, 10]);
    }

    #[test]
    fn old_kernels_glue_big_byte_counts_to_the_colon() {
        let text = with_header("  eth0:1234567890123 7 0 0 0 0 0 0 8 9 0 0 0 0 0 0\n");
        let d = parse(&text).unwrap();
        assert_eq!(d[0].name, "eth0");
        assert_eq!(d[0].receive[0], 1234567890123);
        assert_eq!(d[0].transmit[..2], [8, 9]);
    }

    #[test]
    fn long_names_push_the_line() {
        let text = with_header("br-0123456789ab: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");
        let d = parse(&text).unwrap();
        assert_eq!(d[0].name, "br-0123456789ab");
        assert_eq!(d[0].transmit[7], 16);
    }

    #[test]
    fn field_names_match_the_header() {
        let header = HEADER.lines().nth(1).unwrap();
        let c = columns(2, header).unwrap();
        assert_eq!((c.receive, c.transmit), (8, 8));
    }

    #[test]
    fn extra_trailing_counters_are_ignored() {
        let text = with_header("lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\n");
        let d = parse(&text).unwrap();
        assert_eq!(d[0].transmit[7], 16);
    }

    #[test]
    fn appended_receive_column_moves_the_transmit_group() {
        let text = "Inter-|   Receive |  Transmit\n \
                    face |bytes packets errs drop fifo frame compressed multicast new|\
                    bytes packets errs drop fifo colls carrier compressed\n\
                    lo: 1 2 3 4 5 6 7 8 99 9 10 11 12 13 14 15 16\n";
        let d = parse(text).unwrap();
        assert_eq!(d[0].receive[7], 8);
        assert_eq!(d[0].transmit, [9, 10, 11, 12, 13, 14, 15, 16]);
    }

    #[test]
    fn renamed_or_reordered_columns_are_errors() {
        let text = HEADER.replace("colls", "collisions");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.expected.contains("transmit columns"), "{e}");
        let text = HEADER.replace("errs drop fifo frame", "drop errs fifo frame");
        let e = parse(&text).unwrap_err();
        assert!(e.expected.contains("receive columns"), "{e}");
        let text = HEADER.replace("multicast|", "multicast ");
        assert_eq!(parse(&text).unwrap_err().line, 2);
    }

    #[test]
    fn missing_or_wrong_title_is_an_error() {
        let e = parse("").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(parse("Inter-|   Receive   |  Transmit\n").is_err());
        assert_eq!(parse("hello\n").unwrap_err().line, 1);
        let body = HEADER.lines().nth(1).unwrap();
        assert_eq!(parse(body).unwrap_err().line, 1, "first header absent");
    }

    #[test]
    fn truncated_line_is_an_error() {
        let e = parse(&with_header("    lo: 7433513   49219    0    0")).unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.found, "    lo: 7433513   49219    0    0");
        assert!(e.expected.contains("16 counters"), "{e}");
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            "lo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
            ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
            "lo: 1 2 3 x 5 6 7 8 9 10 11 12 13 14 15 16",
            "lo: 1 2 3 -4 5 6 7 8 9 10 11 12 13 14 15 16",
            "my dev: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
            "lo:",
        ] {
            assert!(parse(&with_header(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers_only_is_no_interfaces() {
        assert_eq!(parse(HEADER).unwrap(), vec![]);
    }
}
