//! `nvidia-smi --query-gpu=... --format=csv,nounits`: per-GPU readings.
//!
//! Format: `nvidia-smi -h` ("--format= csv ... noheader ... nounits") and
//! `nvidia-smi --help-query-gpu` (field names, units and meanings), NVIDIA
//! System Management Interface documentation. The output is one header line
//! and one line per GPU, cells separated by `", "`, in the order the fields
//! were asked for, with no quoting:
//!
//! ```text
//! index, uuid, name, driver_version, pci.bus_id, utilization.gpu [%], temperature.gpu, clocks.current.graphics [MHz], power.draw [W], memory.total [MiB], memory.used [MiB], memory.free [MiB]
//! 0, GPU-00000000-0000-0000-0000-000000000000, NVIDIA GB10, 580.142, 0000000F:01:00.0, 0, 36, 208, 4.52, [N/A], [N/A], [N/A]
//! ```
//!
//! Columns are mapped by position, never by header text: nvidia-smi prints
//! the canonical name of an aliased field. The header is used for one thing,
//! its ` [unit]` suffixes, which must match the unit this parser converts
//! from. Values may still carry their unit (`4.52 W`, as without `nounits`).
//! A value nvidia-smi cannot provide is printed as one of several tokens
//! (`[N/A]`, `N/A`, `[Not Supported]`, `[Requested functionality has been
//! deprecated]`, `[Insufficient Permissions]`, `[Unknown Error]`, an empty
//! cell); every such token, and any other bracketed message, means "absent".
//! On a DGX Spark (GB10) every `memory.*` field is `[N/A]`.

use nom::bytes::complete::tag;
use nom::character::complete::{alpha1, space0, space1, u32 as dec_u32};
use nom::combinator::{all_consuming, opt, verify};
use nom::number::complete::double;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::{ParseError, numbered_lines};

const SOURCE: &str = "nvidia-smi --query-gpu";

/// How a queried field's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A non-negative integer that must be present (`index`).
    Index,
    /// Free text (`name`, `uuid`), absent tokens allowed.
    Text,
    /// A decimal number in `unit`, absent tokens allowed.
    Number {
        /// The unit nvidia-smi prints in the header and after values
        /// (`W`, `MHz`, `%`); `None` for unit-less fields (`temperature.gpu`
        /// is degrees Celsius with no unit printed).
        unit: Option<&'static str>,
    },
}

/// One field of the `--query-gpu` list: its canonical name and how to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The canonical name, as listed by `nvidia-smi --help-query-gpu`.
    pub name: &'static str,
    /// How its cells are read.
    pub kind: Kind,
}

/// The fields this exporter asks for, in column order. The command line
/// ([`query_gpu_arg`]) and the parser are both built from this one list.
pub const QUERY_GPU_FIELDS: [Field; 12] = [
    Field::new("index", Kind::Index),
    Field::new("uuid", Kind::Text),
    Field::new("name", Kind::Text),
    Field::new("driver_version", Kind::Text),
    Field::new("pci.bus_id", Kind::Text),
    Field::number("utilization.gpu", Some("%")),
    Field::number("temperature.gpu", None),
    Field::number("clocks.current.graphics", Some("MHz")),
    Field::number("power.draw", Some("W")),
    Field::number("memory.total", Some("MiB")),
    Field::number("memory.used", Some("MiB")),
    Field::number("memory.free", Some("MiB")),
];

impl Field {
    const fn new(name: &'static str, kind: Kind) -> Field {
        Field { name, kind }
    }

    const fn number(name: &'static str, unit: Option<&'static str>) -> Field {
        Field {
            name,
            kind: Kind::Number { unit },
        }
    }
}

/// The `--query-gpu=...` argument for [`QUERY_GPU_FIELDS`].
pub fn query_gpu_arg() -> String {
    let names: Vec<&str> = QUERY_GPU_FIELDS.iter().map(|f| f.name).collect();
    format!("--query-gpu={}", names.join(","))
}

/// The `--format` argument the parser expects: header kept, value units dropped.
pub const FORMAT_ARG: &str = "--format=csv,nounits";

/// One GPU's line, values in nvidia-smi's units.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuRow {
    /// `index`: the GPU's nvidia-smi index (enumeration order).
    pub index: u32,
    /// `uuid`, e.g. `GPU-2dee1e25-b3b5-007e-2b55-79f2d0f2ebe5`.
    pub uuid: Option<String>,
    /// `name`, e.g. `NVIDIA GB10`.
    pub name: Option<String>,
    /// `driver_version`, e.g. `580.142`.
    pub driver_version: Option<String>,
    /// `pci.bus_id`, e.g. `0000000F:01:00.0`.
    pub pci_bus_id: Option<String>,
    /// `utilization.gpu` (%): share of the last sample period a kernel ran.
    pub utilization_gpu_percent: Option<f64>,
    /// `temperature.gpu` (°C): core temperature.
    pub temperature_gpu_celsius: Option<f64>,
    /// `clocks.current.graphics` (MHz).
    pub clocks_current_graphics_mhz: Option<f64>,
    /// `power.draw` (W): last measured board power (GPU rail on a GB10).
    pub power_draw_watts: Option<f64>,
    /// `memory.total` (MiB): installed frame buffer memory; `[N/A]` on a
    /// GB10, whose GPU shares system memory.
    pub memory_total_mib: Option<f64>,
    /// `memory.used` (MiB): frame buffer memory allocated.
    pub memory_used_mib: Option<f64>,
    /// `memory.free` (MiB): frame buffer memory not allocated.
    pub memory_free_mib: Option<f64>,
}

/// A cell's value before typing.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell<'a> {
    Absent,
    Present(&'a str),
}

/// True for the tokens nvidia-smi prints instead of a value.
fn is_absent_token(cell: &str) -> bool {
    cell.is_empty()
        || cell.eq_ignore_ascii_case("N/A")
        || (cell.starts_with('[') && cell.ends_with(']'))
}

fn cell(raw: &str) -> Cell<'_> {
    let t = raw.trim();
    if is_absent_token(t) {
        Cell::Absent
    } else {
        Cell::Present(t)
    }
}

/// A finite number, optionally followed by a unit word or `%` (`4.52`,
/// `4.52 W`, `0 %`). `nan` and `inf`, which nvidia-smi never prints, are
/// garbage, not values.
fn number_with_unit(i: &str) -> IResult<&str, (f64, Option<&str>)> {
    all_consuming((
        verify(double, |v: &f64| v.is_finite()),
        opt(preceded(space1, nom::branch::alt((alpha1, tag("%"))))),
        space0,
    ))
    .map(|(v, u, _)| (v, u))
    .parse(i)
}

fn index_value(i: &str) -> IResult<&str, u32> {
    all_consuming(dec_u32).parse(i)
}

/// Splits a header cell `power.draw [W]` into name and unit.
fn header_unit(cell: &str) -> Option<&str> {
    let open = cell.rfind(" [")?;
    cell[open + 2..].strip_suffix(']')
}

/// Parses the output of `nvidia-smi --query-gpu=<QUERY_GPU_FIELDS>
/// --format=csv,nounits` (or `csv`, or with `noheader`) into one row per GPU.
///
/// An empty output is valid (no GPU visible). Errors: a line with a different
/// number of cells than fields asked for (a truncated line, a value with a
/// comma), an `index` that is not a number, a number cell that is neither a
/// number nor an absent token, or a unit in the header or after a value that
/// differs from the field's unit (a scale we would silently get wrong).
pub fn parse_query_gpu(text: &str) -> Result<Vec<GpuRow>, ParseError> {
    let mut rows = Vec::new();
    for (n, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != QUERY_GPU_FIELDS.len() {
            return Err(ParseError::new(
                SOURCE,
                n,
                format!(
                    "{} comma-separated cells, one per queried field",
                    QUERY_GPU_FIELDS.len()
                ),
                line,
            ));
        }
        if n == 1 && cells[0] == QUERY_GPU_FIELDS[0].name {
            check_header(&cells, line)?;
            continue;
        }
        rows.push(row(n, line, &cells)?);
    }
    Ok(rows)
}

fn check_header(cells: &[&str], line: &str) -> Result<(), ParseError> {
    for (field, c) in QUERY_GPU_FIELDS.iter().zip(cells) {
        let found = header_unit(c);
        let want = match field.kind {
            Kind::Number { unit } => unit,
            _ => None,
        };
        if found.is_some() && found != want {
            return Err(ParseError::new(
                SOURCE,
                1,
                format!(
                    "header unit [{}] for column {}",
                    want.unwrap_or("none"),
                    field.name
                ),
                line,
            ));
        }
    }
    Ok(())
}

fn row(n: usize, line: &str, cells: &[&str]) -> Result<GpuRow, ParseError> {
    let text = |i: usize| match cell(cells[i]) {
        Cell::Absent => None,
        Cell::Present(s) => Some(s.to_string()),
    };
    let number = |i: usize| -> Result<Option<f64>, ParseError> {
        let field = QUERY_GPU_FIELDS[i];
        let Kind::Number { unit } = field.kind else {
            unreachable!("QUERY_GPU_FIELDS[{i}] is a number column");
        };
        match cell(cells[i]) {
            Cell::Absent => Ok(None),
            Cell::Present(s) => match number_with_unit(s) {
                Ok((_, (v, u))) if u.is_none() || u == unit => Ok(Some(v)),
                _ => Err(ParseError::new(
                    SOURCE,
                    n,
                    format!(
                        "column {} ({}): a number{} or an absent token like [N/A]",
                        i + 1,
                        field.name,
                        unit.map(|u| format!(" in {u}")).unwrap_or_default()
                    ),
                    line,
                )),
            },
        }
    };
    let index = index_value(cells[0])
        .map(|(_, v)| v)
        .map_err(|_| ParseError::new(SOURCE, n, "column 1 (index): a GPU index like 0", line))?;
    Ok(GpuRow {
        index,
        uuid: text(1),
        name: text(2),
        driver_version: text(3),
        pci_bus_id: text(4),
        utilization_gpu_percent: number(5)?,
        temperature_gpu_celsius: number(6)?,
        clocks_current_graphics_mhz: number(7)?,
        power_draw_watts: number(8)?,
        memory_total_mib: number(9)?,
        memory_used_mib: number(10)?,
        memory_free_mib: number(11)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "index, uuid, name, driver_version, pci.bus_id, utilization.gpu [%], \
                          temperature.gpu, clocks.current.graphics [MHz], power.draw [W], \
                          memory.total [MiB], memory.used [MiB], memory.free [MiB]";
    const GB10: &str = "0, GPU-00000000-0000-0000-0000-000000000000, NVIDIA GB10, 580.142, \
                        0000000F:01:00.0, 0, 36, 208, 4.52, [N/A], [N/A], [N/A]";

    #[test]
    fn query_argument_lists_fields_in_order() {
        assert_eq!(
            query_gpu_arg(),
            "--query-gpu=index,uuid,name,driver_version,pci.bus_id,utilization.gpu,\
             temperature.gpu,clocks.current.graphics,power.draw,memory.total,memory.used,\
             memory.free"
        );
    }

    #[test]
    fn gb10_row_with_header() {
        let rows = parse_query_gpu(&format!("{HEADER}\n{GB10}\n")).unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.index, 0);
        assert_eq!(r.name.as_deref(), Some("NVIDIA GB10"));
        assert_eq!(r.pci_bus_id.as_deref(), Some("0000000F:01:00.0"));
        assert_eq!(r.utilization_gpu_percent, Some(0.0));
        assert_eq!(r.temperature_gpu_celsius, Some(36.0));
        assert_eq!(r.clocks_current_graphics_mhz, Some(208.0));
        assert_eq!(r.power_draw_watts, Some(4.52));
        assert_eq!(
            r.memory_total_mib, None,
            "GB10 memory is [N/A]: absent, not 0"
        );
        assert_eq!(r.memory_used_mib, None);
        assert_eq!(r.memory_free_mib, None);
    }

    #[test]
    fn noheader_and_values_with_units() {
        let rows = parse_query_gpu(
            "1, GPU-x, NVIDIA H100 80GB HBM3, 590.48.01, 00000000:00:09.0, 0 %, 41, 345 MHz, \
             69.85 W, 81559 MiB, 0 MiB, 81081 MiB\n",
        )
        .unwrap();
        assert_eq!(rows[0].index, 1);
        assert_eq!(rows[0].power_draw_watts, Some(69.85));
        assert_eq!(rows[0].clocks_current_graphics_mhz, Some(345.0));
        assert_eq!(rows[0].utilization_gpu_percent, Some(0.0));
        assert_eq!(rows[0].memory_total_mib, Some(81559.0));
        assert_eq!(rows[0].memory_used_mib, Some(0.0));
    }

    #[test]
    fn every_absent_token_is_absent_never_zero() {
        for token in [
            "[N/A]",
            "N/A",
            "[Not Supported]",
            "[Requested functionality has been deprecated]",
            "[Insufficient Permissions]",
            "[Unknown Error]",
            "",
        ] {
            let line = format!(
                "0{}",
                format!(", {token}").repeat(QUERY_GPU_FIELDS.len() - 1)
            );
            let rows = parse_query_gpu(&line).unwrap_or_else(|e| panic!("{token}: {e}"));
            let r = &rows[0];
            assert_eq!(r.uuid, None, "{token}");
            assert_eq!(r.utilization_gpu_percent, None, "{token}");
            assert_eq!(r.temperature_gpu_celsius, None, "{token}");
            assert_eq!(r.clocks_current_graphics_mhz, None, "{token}");
            assert_eq!(r.power_draw_watts, None, "{token}");
            assert_eq!(r.memory_free_mib, None, "{token}");
        }
    }

    #[test]
    fn multi_gpu_rows() {
        let text = format!("{HEADER}\n{GB10}\n{}\n", GB10.replacen("0,", "1,", 1));
        let rows = parse_query_gpu(&text).unwrap();
        assert_eq!(rows.iter().map(|r| r.index).collect::<Vec<_>>(), vec![0, 1]);
    }

    #[test]
    fn empty_output_is_no_gpus() {
        assert_eq!(parse_query_gpu("").unwrap(), vec![]);
        assert_eq!(parse_query_gpu(&format!("{HEADER}\n")).unwrap(), vec![]);
    }

    #[test]
    fn garbage_is_an_error_naming_the_column() {
        let e = parse_query_gpu(&GB10.replace(", 36,", ", hot,")).unwrap_err();
        assert!(e.expected.contains("temperature.gpu"), "{e}");
        assert!(parse_query_gpu("NVIDIA-SMI has failed because it couldn't communicate").is_err());
        assert!(
            parse_query_gpu(&GB10.replacen("0,", "x,", 1)).is_err(),
            "index"
        );
        assert!(parse_query_gpu("\u{0}\u{1}\u{2}").is_err());
        for not_a_reading in ["nan", "inf", "-inf", "NaN"] {
            let line = GB10.replace(", 36,", &format!(", {not_a_reading},"));
            assert!(parse_query_gpu(&line).is_err(), "{not_a_reading}");
        }
    }

    #[test]
    fn truncated_or_extra_cells_are_errors() {
        let e = parse_query_gpu(&format!("{HEADER}\n0, GPU-x, NVIDIA GB10")).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(parse_query_gpu(&format!("{GB10}, 7")).is_err());
    }

    #[test]
    fn a_unit_we_would_misread_is_an_error() {
        let e = parse_query_gpu(&HEADER.replace("[W]", "[mW]")).unwrap_err();
        assert!(e.expected.contains("power.draw"), "{e}");
        assert!(parse_query_gpu(&GB10.replace("4.52", "4520 mW")).is_err());
        assert!(parse_query_gpu(&HEADER.replace("[MiB]", "[GiB]")).is_err());
    }
}
