//! NVIDIA's power-mode tool `nvpmodel` on Jetson: the active mode in
//! `/var/lib/nvpmodel/status` and the mode names in `/etc/nvpmodel.conf`.
//!
//! `status` holds the active mode's id, zero-padded, after `pmode:`; some
//! releases add other `key:value` words on the same line (a fan mode):
//!
//! ```text
//! pmode:0000
//! pmode:0002 fmode:fanNull
//! ```
//!
//! `nvpmodel.conf` defines the modes in lines `< POWER_MODEL ID=<n>
//! NAME=<name> >`, each followed by its settings (`CPU_ONLINE CORE_0 1`,
//! `GPU MAX_FREQ -1`, ...), plus `< PARAM ... >` blocks naming sysfs knobs,
//! one `< PM_CONFIG DEFAULT=<n> >` and `#` comments:
//!
//! ```text
//! < POWER_MODEL ID=0 NAME=MAXN >
//! CPU_ONLINE CORE_0 1
//! < POWER_MODEL ID=1 NAME=MODE_15W >
//! < PM_CONFIG DEFAULT=2 >
//! ```
//!
//! Sources: NVIDIA Jetson Linux Developer Guide, "Power Management" /
//! "nvpmodel"; the format as `nvpmodel -p --verbose` echoes it
//! (`NVPM VERB: POWER_MODEL: ID=0 NAME=MAXN`) and as jetson-stats and public
//! scripts read it. Only the `POWER_MODEL` and `PM_CONFIG` lines are parsed;
//! everything else in the file is skipped.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1};
use nom::character::complete::{char, digit1, space0, space1, u32 as dec_u32};
use nom::combinator::{all_consuming, map_res};
use nom::multi::many0;
use nom::sequence::{preceded, separated_pair, terminated};
use nom::{IResult, Parser};

use super::{ParseError, numbered_lines};

const STATUS_SOURCE: &str = "/var/lib/nvpmodel/status";
const CONF_SOURCE: &str = "/etc/nvpmodel.conf";

/// Parses `/var/lib/nvpmodel/status` into the active mode's id
/// (`pmode:0002` -> 2).
///
/// Errors: no `pmode:` word on the first line (an empty or foreign file), or
/// a `pmode:` value that is not a decimal number.
pub fn parse_status(text: &str) -> Result<u32, ParseError> {
    let line = text.lines().next().unwrap_or("");
    line.split_ascii_whitespace()
        .find_map(|w| w.strip_prefix("pmode:"))
        .and_then(mode_id)
        .ok_or_else(|| {
            ParseError::new(
                STATUS_SOURCE,
                1,
                "`pmode:<id>` with a decimal id, as in `pmode:0000`",
                line,
            )
        })
}

/// A whole zero-padded decimal mode id (`0002`).
fn mode_id(v: &str) -> Option<u32> {
    all_consuming(map_res(
        digit1::<_, nom::error::Error<&str>>,
        str::parse::<u32>,
    ))
    .parse(v)
    .ok()
    .map(|(_, id)| id)
}

/// One mode defined in `/etc/nvpmodel.conf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PowerModel {
    /// `ID=`: the number `status` and `nvpmodel -m` use.
    pub id: u32,
    /// `NAME=`: `MAXN`, `MODE_15W`, `15W`, ...
    pub name: String,
}

/// What `/etc/nvpmodel.conf` says about its modes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NvpmodelConf {
    /// The `POWER_MODEL` lines, in file order.
    pub modes: Vec<PowerModel>,
    /// `PM_CONFIG DEFAULT=`: the mode set at first boot, if given.
    pub default: Option<u32>,
}

impl NvpmodelConf {
    /// The name of mode `id`, if the file defines it.
    pub fn name(&self, id: u32) -> Option<&str> {
        self.modes
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.name.as_str())
    }
}

/// A `KEY=value` pair of a `< ... >` line.
type Setting<'a> = (&'a str, &'a str);

/// The word after `<` and the settings of a `< ... >` line.
type Header<'a> = (&'a str, Vec<Setting<'a>>);

/// `KEY=value` inside `< ... >`: a key, `=`, and a value up to a blank or `>`.
fn setting(i: &str) -> IResult<&str, Setting<'_>> {
    separated_pair(
        take_till1(|c: char| c == '=' || c == '>' || c.is_ascii_whitespace()),
        char('='),
        take_till1(|c: char| c == '>' || c.is_ascii_whitespace()),
    )
    .parse(i)
}

/// `< WORD KEY=value ... >` with nothing after it but blanks: the word and
/// the settings.
fn header(i: &str) -> IResult<&str, Header<'_>> {
    all_consuming(terminated(
        (
            preceded(
                (space0, char('<'), space0),
                alt((tag("POWER_MODEL"), tag("PM_CONFIG"))),
            ),
            many0(preceded(space1, setting)),
        ),
        (space0, char('>'), space0),
    ))
    .parse(i)
}

fn number(v: &str) -> Option<u32> {
    all_consuming(dec_u32::<_, nom::error::Error<&str>>)
        .parse(v)
        .ok()
        .map(|(_, n)| n)
}

/// Parses the text of `/etc/nvpmodel.conf` (any of NVIDIA's per-board files,
/// `nvpmodel_p3701_0000.conf` ...), keeping the mode ids and names and the
/// default mode.
///
/// Errors: a `< POWER_MODEL ... >` or `< PM_CONFIG ... >` line that is not
/// well formed, lacks `ID=`/`NAME=` (resp. `DEFAULT=`), has an id that is not
/// a decimal number, or repeats an id already defined.
pub fn parse_conf(text: &str) -> Result<NvpmodelConf, ParseError> {
    let mut conf = NvpmodelConf::default();
    for (n, line) in numbered_lines(text) {
        let t = line.trim_start();
        if !(t.starts_with('<') && (t.contains("POWER_MODEL") || t.contains("PM_CONFIG"))) {
            continue;
        }
        let err = |what: &str| ParseError::new(CONF_SOURCE, n, what, line);
        let Ok((_, (word, settings))) = header(line) else {
            return Err(err(
                "`< POWER_MODEL ID=<n> NAME=<name> >` or `< PM_CONFIG DEFAULT=<n> >`",
            ));
        };
        let get = |key: &str| settings.iter().find(|(k, _)| *k == key).map(|&(_, v)| v);
        if word == "PM_CONFIG" {
            let default = get("DEFAULT").and_then(number);
            conf.default = Some(default.ok_or_else(|| err("`DEFAULT=` with a decimal mode id"))?);
            continue;
        }
        let (Some(id), Some(name)) = (get("ID").and_then(number), get("NAME")) else {
            return Err(err("`ID=` with a decimal id and `NAME=` with a name"));
        };
        if conf.name(id).is_some() {
            return Err(err("each POWER_MODEL ID defined once"));
        }
        conf.modes.push(PowerModel {
            id,
            name: name.to_string(),
        });
    }
    Ok(conf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_with_and_without_a_fan_mode() {
        assert_eq!(parse_status("pmode:0000\n"), Ok(0));
        assert_eq!(parse_status("pmode:0002 fmode:fanNull\n"), Ok(2));
        assert_eq!(parse_status("fmode:quiet pmode:0003"), Ok(3));
        assert_eq!(parse_status("pmode:12\nextra line\n"), Ok(12));
    }

    #[test]
    fn status_garbage_is_an_error_naming_the_file() {
        for bad in [
            "",
            "\n",
            "pmode:\n",
            "pmode:00x2\n",
            "pmode:-1\n",
            "MAXN\n",
            "\npmode:0000\n",
        ] {
            assert!(parse_status(bad).is_err(), "{bad:?}");
        }
        let e = parse_status("garbage\n").unwrap_err().to_string();
        assert!(
            e.starts_with("/var/lib/nvpmodel/status line 1: expected `pmode:"),
            "{e}"
        );
    }

    const AGX_ORIN: &str = "\
###########################
# POWER_MODEL DEFINITIONS #
###########################
< PARAM TYPE=FILE NAME=CPU_ONLINE >
CORE_0 /sys/devices/system/cpu/cpu0/online

# MAXN is the NONE power model to release all constraints
< POWER_MODEL ID=0 NAME=MAXN >
CPU_ONLINE CORE_0 1
GPU MAX_FREQ -1\t# 1300500000[Hz]

< POWER_MODEL ID=1 NAME=MODE_15W >
CPU_ONLINE CORE_0 1
<POWER_MODEL ID=2 NAME=MODE_30W>
  < POWER_MODEL   ID=3   NAME=MODE_50W  >

< PM_CONFIG DEFAULT=2 >
";

    #[test]
    fn modes_and_default_of_an_agx_orin_file() {
        let conf = parse_conf(AGX_ORIN).unwrap();
        let names: Vec<(u32, &str)> = conf.modes.iter().map(|m| (m.id, m.name.as_str())).collect();
        assert_eq!(
            names,
            [
                (0, "MAXN"),
                (1, "MODE_15W"),
                (2, "MODE_30W"),
                (3, "MODE_50W")
            ]
        );
        assert_eq!(conf.default, Some(2));
        assert_eq!(conf.name(3), Some("MODE_50W"));
        assert_eq!(conf.name(9), None);
    }

    #[test]
    fn extra_settings_in_a_header_are_skipped_and_empty_files_have_no_modes() {
        let conf = parse_conf("< POWER_MODEL ID=2 NAME=MAXN_SUPER EXTRA=1 >\n").unwrap();
        assert_eq!(conf.name(2), Some("MAXN_SUPER"));
        assert_eq!(parse_conf("").unwrap(), NvpmodelConf::default());
        assert_eq!(parse_conf("# only comments\n").unwrap().modes, []);
    }

    #[test]
    fn broken_headers_are_errors_with_their_line() {
        for (bad, line) in [
            ("< POWER_MODEL ID=0 NAME=MAXN\n", 1),
            ("x\n< POWER_MODEL NAME=MAXN >\n", 2),
            ("< POWER_MODEL ID=zero NAME=MAXN >\n", 1),
            ("< POWER_MODEL ID=0 >\n", 1),
            (
                "< POWER_MODEL ID=0 NAME=A >\n< POWER_MODEL ID=0 NAME=B >\n",
                2,
            ),
            ("< PM_CONFIG DEFAULT=x >\n", 1),
            ("< POWER_MODEL ID=0 NAME=MAXN > trailing\n", 1),
        ] {
            let e = parse_conf(bad).unwrap_err();
            assert_eq!(e.line, line, "{bad:?}: {e}");
            assert_eq!(e.source, "/etc/nvpmodel.conf");
        }
    }
}
