//! `nvidia-smi --query-gpu=... --format=csv,nounits` and
//! `nvidia-smi --query-compute-apps=... --format=csv,nounits`.
//!
//! Format: `nvidia-smi -h` ("--format= csv ... noheader ... nounits"),
//! `nvidia-smi --help-query-gpu` and `--help-query-compute-apps` (field
//! names, units and meanings), NVIDIA System Management Interface
//! documentation. The output is one header line and one line per GPU (or per
//! process), cells separated by `", "`, in the order the fields were asked
//! for, with no quoting:
//!
//! ```text
//! index, uuid, name, driver_version, pci.bus_id, utilization.gpu [%], temperature.gpu, clocks.current.graphics [MHz], power.draw [W], memory.total [MiB], ...
//! 0, GPU-00000000-0000-0000-0000-000000000000, NVIDIA GB10, 580.142, 0000000F:01:00.0, 0, 36, 208, 4.52, [N/A], ...
//! ```
//!
//! Two layers:
//! - [`parse_csv`] reads any such output, whatever the field list (the
//!   200-plus-column captures of `nvidia_gpu_exporter` included), into a
//!   [`Table`]: the header's columns (name and ` [unit]`) and the data
//!   records (cells, absent tokens already turned into `None`). It checks
//!   the shape only: a well-formed header, and every record with exactly as
//!   many cells as the header.
//! - [`parse_query_gpu`] and [`parse_query_compute_apps`] type the records
//!   of this exporter's own queries ([`QUERY_GPU_FIELDS`],
//!   [`QUERY_COMPUTE_APPS_FIELDS`]): the command line and the parser are
//!   built from the same list.
//!
//! Columns are mapped by position in our own field list, never by header
//! text: nvidia-smi prints the canonical name of an aliased field
//! (`clocks_throttle_reasons.active` comes back as
//! `clocks_event_reasons.active`). The header is used for its ` [unit]`
//! suffixes, which must match the unit this parser converts from; values may
//! also still carry their unit (`4.52 W`, as without `nounits`). A value
//! nvidia-smi cannot provide is printed as one of several tokens (`[N/A]`,
//! `N/A`, `[Not Supported]`, `[Requested functionality has been
//! deprecated]`, `[Insufficient Permissions]`, `[Unknown Error]`, an empty
//! cell); every such token, and any other bracketed message, means "absent".
//! On a DGX Spark (GB10) every `memory.*` field is `[N/A]`.
//!
//! There is no quoting, so a value holding a comma would shift every later
//! column; the cell count check turns that into an error instead of a wrong
//! reading. None of the fields queried here can hold one (no process name is
//! asked for, for that reason).

use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::{
    alpha1, space0, space1, u8 as dec_u8, u32 as dec_u32, u64 as dec_u64,
};
use nom::combinator::{all_consuming, opt, verify};
use nom::number::complete::double;
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

use super::{ParseError, numbered_lines};

/// [`ParseError::source`] of the `--query-gpu` output.
pub const QUERY_GPU_SOURCE: &str = "nvidia-smi --query-gpu";
/// [`ParseError::source`] of the `--query-compute-apps` output.
pub const QUERY_COMPUTE_APPS_SOURCE: &str = "nvidia-smi --query-compute-apps";

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
    /// A non-negative integer without unit (a count, a PCIe generation, a
    /// pid), absent tokens allowed.
    Integer,
    /// A performance state `P0` (fastest) .. `P15` (`pstate`; NVML's
    /// `nvmlPstates_t` has 16 states, the help text names P0 to P12).
    Pstate,
    /// `Active` or `Not Active` (`clocks_event_reasons.*`).
    Active,
}

/// One field of a query list: its name and how to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The name asked for, as listed by `nvidia-smi --help-query-gpu` (or
    /// `--help-query-compute-apps`).
    pub name: &'static str,
    /// How its cells are read.
    pub kind: Kind,
}

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

/// The clock event ("throttle") reasons queried, as the `reason` label
/// writes them: the part of `clocks_event_reasons.<reason>` after the dot,
/// in the order of [`QUERY_GPU_FIELDS`] and of [`GpuRow::clock_event_reasons`].
pub const CLOCK_EVENT_REASONS: [&str; 8] = [
    "gpu_idle",
    "applications_clocks_setting",
    "sw_power_cap",
    "hw_slowdown",
    "hw_thermal_slowdown",
    "hw_power_brake_slowdown",
    "sw_thermal_slowdown",
    "sync_boost",
];

/// The `--query-gpu` fields this exporter asks for, in column order. The
/// command line ([`query_gpu_arg`]) and [`parse_query_gpu`] are both built
/// from this one list. Every name is the canonical one of the 590 driver's
/// `--help-query-gpu` (so the header repeats it): `clocks_event_reasons.*`
/// rather than the older `clocks_throttle_reasons.*` aliases. Drivers seen
/// with these names: 580 (GB10), 590, 595, 610.
pub const QUERY_GPU_FIELDS: [Field; 39] = [
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
    Field::number("utilization.memory", Some("%")),
    Field::number("utilization.encoder", Some("%")),
    Field::number("utilization.decoder", Some("%")),
    Field::number("power.limit", Some("W")),
    Field::number("enforced.power.limit", Some("W")),
    Field::number("clocks.current.sm", Some("MHz")),
    Field::number("clocks.current.memory", Some("MHz")),
    Field::number("clocks.max.graphics", Some("MHz")),
    Field::number("clocks.max.sm", Some("MHz")),
    Field::number("clocks.max.memory", Some("MHz")),
    Field::number("fan.speed", Some("%")),
    Field::new("pstate", Kind::Pstate),
    Field::number("temperature.memory", None),
    Field::new("pcie.link.gen.current", Kind::Integer),
    Field::new("pcie.link.gen.max", Kind::Integer),
    Field::new("pcie.link.width.current", Kind::Integer),
    Field::new("pcie.link.width.max", Kind::Integer),
    Field::new("ecc.errors.corrected.volatile.total", Kind::Integer),
    Field::new("ecc.errors.uncorrected.volatile.total", Kind::Integer),
    Field::new("clocks_event_reasons.gpu_idle", Kind::Active),
    Field::new(
        "clocks_event_reasons.applications_clocks_setting",
        Kind::Active,
    ),
    Field::new("clocks_event_reasons.sw_power_cap", Kind::Active),
    Field::new("clocks_event_reasons.hw_slowdown", Kind::Active),
    Field::new("clocks_event_reasons.hw_thermal_slowdown", Kind::Active),
    Field::new("clocks_event_reasons.hw_power_brake_slowdown", Kind::Active),
    Field::new("clocks_event_reasons.sw_thermal_slowdown", Kind::Active),
    Field::new("clocks_event_reasons.sync_boost", Kind::Active),
];

/// The `--query-compute-apps` fields this exporter asks for, in column
/// order: which GPU, which process, how much memory it holds. No
/// `process_name`: a path may contain a comma, which the format cannot
/// quote.
pub const QUERY_COMPUTE_APPS_FIELDS: [Field; 3] = [
    Field::new("gpu_uuid", Kind::Text),
    Field::new("pid", Kind::Integer),
    Field::number("used_gpu_memory", Some("MiB")),
];

fn query_arg(switch: &str, fields: &[Field]) -> String {
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    format!("{switch}={}", names.join(","))
}

/// The `--query-gpu=...` argument for [`QUERY_GPU_FIELDS`].
pub fn query_gpu_arg() -> String {
    query_arg("--query-gpu", &QUERY_GPU_FIELDS)
}

/// The `--query-compute-apps=...` argument for [`QUERY_COMPUTE_APPS_FIELDS`].
pub fn query_compute_apps_arg() -> String {
    query_arg("--query-compute-apps", &QUERY_COMPUTE_APPS_FIELDS)
}

/// The header line nvidia-smi prints for [`QUERY_GPU_FIELDS`] with
/// `--format=csv,nounits`: names in order, each number field with its
/// ` [unit]` (`power.draw [W]`), separated by `", "`. Tests and fake
/// `nvidia-smi` scripts print it.
pub fn query_gpu_header() -> String {
    QUERY_GPU_FIELDS
        .iter()
        .map(|f| match f.kind {
            Kind::Number { unit: Some(u) } => format!("{} [{u}]", f.name),
            _ => f.name.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `--format` argument the parsers expect: header kept (it carries the
/// units), value units dropped.
pub const FORMAT_ARG: &str = "--format=csv,nounits";

/// One column of a header: `power.draw [W]` is name `power.draw`, unit `W`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column<'a> {
    /// The field name nvidia-smi printed (the canonical one of an alias).
    pub name: &'a str,
    /// The unit in the ` [unit]` suffix, if any.
    pub unit: Option<&'a str>,
}

/// One data line of a CSV output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// 1-based line number in the output.
    pub line: usize,
    /// The cells, trimmed, one per column; `None` for an absent token.
    pub cells: Vec<Option<&'a str>>,
}

/// A whole `--format=csv` output: header columns and data records, every
/// record as wide as the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table<'a> {
    /// 1-based line number of the header (0 for an empty output).
    pub header_line: usize,
    /// The header line as printed.
    pub header: &'a str,
    /// The header's columns, in order; empty for an empty output.
    pub columns: Vec<Column<'a>>,
    /// The data lines, in order.
    pub records: Vec<Record<'a>>,
}

impl<'a> Table<'a> {
    /// The cell of `record` in the column named `name` (first match), as
    /// `(unit, cell)`; `None` when no column has that name. For reading a
    /// capture of unknown width; this exporter's own queries are read by
    /// position instead.
    pub fn get(
        &self,
        record: &Record<'a>,
        name: &str,
    ) -> Option<(Option<&'a str>, Option<&'a str>)> {
        let i = self.columns.iter().position(|c| c.name == name)?;
        Some((self.columns[i].unit, *record.cells.get(i)?))
    }
}

/// True for the tokens nvidia-smi prints instead of a value: empty, `N/A`,
/// or any bracketed message (`[N/A]`, `[Not Supported]`, `[Requested
/// functionality has been deprecated]`, `[Insufficient Permissions]`,
/// `[Unknown Error]`, ...).
pub fn is_absent_token(cell: &str) -> bool {
    let t = cell.trim();
    t.is_empty() || t.eq_ignore_ascii_case("N/A") || (t.starts_with('[') && t.ends_with(']'))
}

fn cell(raw: &str) -> Option<&str> {
    let t = raw.trim();
    (!is_absent_token(t)).then_some(t)
}

/// A header cell: a field name (letters, digits, `_`, `.`), then optionally
/// ` [unit]`.
fn header_cell(i: &str) -> IResult<&str, Column<'_>> {
    all_consuming((
        take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.'),
        opt(preceded(
            space1,
            delimited(
                tag("["),
                take_while1(|c: char| c != '[' && c != ']' && c != ','),
                tag("]"),
            ),
        )),
    ))
    .map(|(name, unit)| Column { name, unit })
    .parse(i)
}

/// Splits a line into trimmed cells. nvidia-smi writes `", "` between cells;
/// splitting on `,` alone also takes a `nounits` line some tools rewrite
/// without the space.
fn split(line: &str) -> Vec<&str> {
    line.split(',').map(str::trim).collect()
}

/// Parses any `nvidia-smi --query-* --format=csv[,nounits]` output that
/// kept its header: the first line is the header, every later non-empty line
/// a record. An empty output is an empty table.
///
/// Errors (naming `source`, the 1-based line and its text): a header cell
/// that is not `name` or `name [unit]` (output without header, a message
/// such as "No devices were found" on stdout), or a record whose cell count
/// differs from the header's (a truncated line, a value with a comma).
pub fn parse_csv<'a>(source: &'static str, text: &'a str) -> Result<Table<'a>, ParseError> {
    let mut lines = numbered_lines(text).filter(|(_, l)| !l.trim().is_empty());
    let Some((n, header)) = lines.next() else {
        return Ok(Table {
            header_line: 0,
            header: "",
            columns: Vec::new(),
            records: Vec::new(),
        });
    };
    let columns = header_columns(source, n, header)?;
    let records = lines
        .map(|(n, line)| record(source, n, line, columns.len()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Table {
        header_line: n,
        header,
        columns,
        records,
    })
}

/// The columns of header line `n`, `header`, of a `--format=csv` output.
///
/// Errors: a cell that is not `name` or `name [unit]`.
fn header_columns<'a>(
    source: &'static str,
    n: usize,
    header: &'a str,
) -> Result<Vec<Column<'a>>, ParseError> {
    split(header)
        .into_iter()
        .map(|c| header_cell(c).map(|(_, col)| col))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            ParseError::new(
                source,
                n,
                "a header line of field names, `name` or `name [unit]`, separated by \", \"",
                header,
            )
        })
}

/// Data line `n`, `line`, of a `--format=csv` output whose header has
/// `width` columns.
///
/// Errors: another number of cells than `width`.
fn record<'a>(
    source: &'static str,
    n: usize,
    line: &'a str,
    width: usize,
) -> Result<Record<'a>, ParseError> {
    let raw = split(line);
    if raw.len() != width {
        return Err(ParseError::new(
            source,
            n,
            format!(
                "{width} comma-separated cells, as many as header columns (found {})",
                raw.len()
            ),
            line,
        ));
    }
    Ok(Record {
        line: n,
        cells: raw.into_iter().map(cell).collect(),
    })
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

/// Reads the cells of one record of our own query, in field order, checking
/// each against its [`Field`].
struct Cursor<'f, 'a> {
    source: &'static str,
    fields: &'f [Field],
    record: &'f Record<'a>,
    next: usize,
}

impl<'a> Cursor<'_, 'a> {
    /// The next field and its cell; `name` documents which field the caller
    /// expects there (checked in debug builds and by the tests).
    fn take(&mut self, name: &str) -> (Field, Option<&'a str>) {
        let i = self.next;
        self.next += 1;
        debug_assert_eq!(self.fields[i].name, name, "field order");
        (self.fields[i], self.record.cells[i])
    }

    fn error(&self, field: Field, found: &str, what: &str) -> ParseError {
        ParseError::new(
            self.source,
            self.record.line,
            format!(
                "column {} ({}): {what} or an absent token like [N/A]",
                self.next, field.name
            ),
            found,
        )
    }

    fn text(&mut self, name: &str) -> Option<String> {
        self.take(name).1.map(str::to_string)
    }

    fn index(&mut self, name: &str) -> Result<u32, ParseError> {
        let (field, c) = self.take(name);
        let s = c.unwrap_or("");
        all_consuming(dec_u32).parse(s).map(|(_, v)| v).map_err(
            |_: nom::Err<nom::error::Error<&str>>| {
                ParseError::new(
                    self.source,
                    self.record.line,
                    format!("column {} ({}): a GPU index like 0", self.next, field.name),
                    s,
                )
            },
        )
    }

    fn number(&mut self, name: &str) -> Result<Option<f64>, ParseError> {
        let (field, c) = self.take(name);
        let unit = match field.kind {
            Kind::Number { unit } => unit,
            _ => None,
        };
        let Some(s) = c else { return Ok(None) };
        match number_with_unit(s) {
            Ok((_, (v, u))) if u.is_none() || u == unit => Ok(Some(v)),
            _ => Err(self.error(
                field,
                s,
                &format!(
                    "a number{}",
                    unit.map(|u| format!(" in {u}")).unwrap_or_default()
                ),
            )),
        }
    }

    fn integer(&mut self, name: &str) -> Result<Option<u64>, ParseError> {
        let (field, c) = self.take(name);
        let Some(s) = c else { return Ok(None) };
        all_consuming(dec_u64)
            .parse(s)
            .map(|(_, v)| Some(v))
            .map_err(|_: nom::Err<nom::error::Error<&str>>| {
                self.error(field, s, "a non-negative integer")
            })
    }

    fn pstate(&mut self, name: &str) -> Result<Option<u8>, ParseError> {
        let (field, c) = self.take(name);
        let Some(s) = c else { return Ok(None) };
        all_consuming(preceded(tag("P"), verify(dec_u8, |p: &u8| *p <= 15)))
            .parse(s)
            .map(|(_, v)| Some(v))
            .map_err(|_: nom::Err<nom::error::Error<&str>>| {
                self.error(field, s, "a performance state P0 to P15")
            })
    }

    fn active(&mut self, name: &str) -> Result<Option<bool>, ParseError> {
        let (field, c) = self.take(name);
        match c {
            None => Ok(None),
            Some("Active") => Ok(Some(true)),
            Some("Not Active") => Ok(Some(false)),
            Some(s) => Err(self.error(field, s, "Active or Not Active")),
        }
    }
}

/// Checks that header line `header_line`, `header`, split into `columns`,
/// has one column per field of `fields` and that every ` [unit]` it prints
/// is the unit the field is read in. Header names are not compared
/// (nvidia-smi prints canonical names for aliases).
fn check_header(
    source: &'static str,
    header_line: usize,
    header: &str,
    columns: &[Column<'_>],
    fields: &[Field],
) -> Result<(), ParseError> {
    if columns.len() != fields.len() {
        return Err(ParseError::new(
            source,
            header_line,
            format!(
                "a header of {} columns, one per queried field (found {})",
                fields.len(),
                columns.len()
            ),
            header,
        ));
    }
    for (i, (field, col)) in fields.iter().zip(columns).enumerate() {
        let want = match field.kind {
            Kind::Number { unit } => unit,
            _ => None,
        };
        if col.unit.is_some() && col.unit != want {
            return Err(ParseError::new(
                source,
                header_line,
                format!(
                    "header unit [{}] for column {} ({})",
                    want.unwrap_or("none"),
                    i + 1,
                    field.name
                ),
                &format!("{} [{}]", col.name, col.unit.unwrap_or("")),
            ));
        }
    }
    Ok(())
}

/// One GPU's line of the `--query-gpu` output, values in nvidia-smi's
/// units. Every `Option` is `None` where nvidia-smi printed an absent token.
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
    /// `utilization.memory` (%): share of the last sample period device
    /// memory was read or written (always 0 on a GB10).
    pub utilization_memory_percent: Option<f64>,
    /// `utilization.encoder` (%): share of the sample period the video
    /// encoder was busy.
    pub utilization_encoder_percent: Option<f64>,
    /// `utilization.decoder` (%): same for the video decoder.
    pub utilization_decoder_percent: Option<f64>,
    /// `power.limit` (W): the software power limit (`[N/A]` on a GB10).
    pub power_limit_watts: Option<f64>,
    /// `enforced.power.limit` (W): the power ceiling actually enforced, the
    /// minimum of all limiters.
    pub enforced_power_limit_watts: Option<f64>,
    /// `clocks.current.sm` (MHz): streaming multiprocessor clock.
    pub clocks_current_sm_mhz: Option<f64>,
    /// `clocks.current.memory` (MHz): memory clock (`[N/A]` on a GB10).
    pub clocks_current_memory_mhz: Option<f64>,
    /// `clocks.max.graphics` (MHz): highest graphics clock.
    pub clocks_max_graphics_mhz: Option<f64>,
    /// `clocks.max.sm` (MHz): highest SM clock.
    pub clocks_max_sm_mhz: Option<f64>,
    /// `clocks.max.memory` (MHz): highest memory clock.
    pub clocks_max_memory_mhz: Option<f64>,
    /// `fan.speed` (%): intended fan speed, share of the maximum; may
    /// exceed 100. `[N/A]` on passively cooled parts and a GB10.
    pub fan_speed_percent: Option<f64>,
    /// `pstate`: performance state number, 0 (P0, fastest) to 15.
    pub pstate: Option<u8>,
    /// `temperature.memory` (°C): HBM temperature (`N/A` on GeForce).
    pub temperature_memory_celsius: Option<f64>,
    /// `pcie.link.gen.current`: PCIe generation the link runs at now (it
    /// drops when idle). Deprecated in 590 in favour of
    /// `pcie.link.gen.gpucurrent`, still printed.
    pub pcie_link_gen_current: Option<u64>,
    /// `pcie.link.gen.max`: highest generation GPU and system allow.
    pub pcie_link_gen_max: Option<u64>,
    /// `pcie.link.width.current`: lanes in use now.
    pub pcie_link_width_current: Option<u64>,
    /// `pcie.link.width.max`: most lanes GPU and system allow.
    pub pcie_link_width_max: Option<u64>,
    /// `ecc.errors.corrected.volatile.total`: corrected ECC errors since the
    /// driver loaded (`[N/A]` without ECC).
    pub ecc_errors_corrected_volatile_total: Option<u64>,
    /// `ecc.errors.uncorrected.volatile.total`: uncorrected ECC errors since
    /// the driver loaded.
    pub ecc_errors_uncorrected_volatile_total: Option<u64>,
    /// `clocks_event_reasons.<reason>`, in the order of
    /// [`CLOCK_EVENT_REASONS`]: whether that reason holds the clocks down
    /// now (`Active`).
    pub clock_event_reasons: [Option<bool>; 8],
}

/// Parses the output of `nvidia-smi --query-gpu=<QUERY_GPU_FIELDS>
/// --format=csv,nounits` (or `csv`) into one row per GPU.
///
/// An empty output, or a header alone, is valid (no GPU visible). Errors:
/// those of [`parse_csv`]; a header with another number of columns than
/// fields asked for, or a ` [unit]` that differs from the field's unit (a
/// scale we would silently get wrong); an `index` that is not a number; a
/// cell that is neither an absent token nor what its field holds.
pub fn parse_query_gpu(text: &str) -> Result<Vec<GpuRow>, ParseError> {
    parse_records(QUERY_GPU_SOURCE, &QUERY_GPU_FIELDS, text, gpu_row)
}

/// A `--query-gpu` header line that was checked against
/// [`QUERY_GPU_FIELDS`] (as [`parse_query_gpu`] checks the first line): the
/// data lines of a stream (`nvidia-smi --query-gpu=... -lms N`, which prints
/// the header once, then one line per GPU every N ms) are read against it
/// one at a time with [`parse_query_gpu_row`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryGpuHeader {
    text: String,
}

impl QueryGpuHeader {
    /// The header line as printed, trimmed (a stream that prints it again
    /// can be recognised).
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Parses line `n` (1-based), `line`, as the header of a `--query-gpu`
/// output for [`QUERY_GPU_FIELDS`].
///
/// Errors: those [`parse_query_gpu`] reports for its first line.
pub fn parse_query_gpu_header(n: usize, line: &str) -> Result<QueryGpuHeader, ParseError> {
    let columns = header_columns(QUERY_GPU_SOURCE, n, line)?;
    check_header(QUERY_GPU_SOURCE, n, line, &columns, &QUERY_GPU_FIELDS)?;
    Ok(QueryGpuHeader {
        text: line.trim().to_string(),
    })
}

/// Parses data line `n` (1-based), `line`, of a `--query-gpu` output whose
/// header was `_header`, into one GPU's row: the same checks
/// [`parse_query_gpu`] makes on each of its data lines.
///
/// Errors: as [`parse_query_gpu`]'s for a data line.
pub fn parse_query_gpu_row(
    _header: &QueryGpuHeader,
    n: usize,
    line: &str,
) -> Result<GpuRow, ParseError> {
    let record = record(QUERY_GPU_SOURCE, n, line, QUERY_GPU_FIELDS.len())?;
    gpu_row(&mut Cursor {
        source: QUERY_GPU_SOURCE,
        fields: &QUERY_GPU_FIELDS,
        record: &record,
        next: 0,
    })
}

/// The [`GpuRow`] of one `--query-gpu` record, read in field order.
fn gpu_row(c: &mut Cursor<'_, '_>) -> Result<GpuRow, ParseError> {
    Ok(GpuRow {
        index: c.index("index")?,
        uuid: c.text("uuid"),
        name: c.text("name"),
        driver_version: c.text("driver_version"),
        pci_bus_id: c.text("pci.bus_id"),
        utilization_gpu_percent: c.number("utilization.gpu")?,
        temperature_gpu_celsius: c.number("temperature.gpu")?,
        clocks_current_graphics_mhz: c.number("clocks.current.graphics")?,
        power_draw_watts: c.number("power.draw")?,
        memory_total_mib: c.number("memory.total")?,
        memory_used_mib: c.number("memory.used")?,
        memory_free_mib: c.number("memory.free")?,
        utilization_memory_percent: c.number("utilization.memory")?,
        utilization_encoder_percent: c.number("utilization.encoder")?,
        utilization_decoder_percent: c.number("utilization.decoder")?,
        power_limit_watts: c.number("power.limit")?,
        enforced_power_limit_watts: c.number("enforced.power.limit")?,
        clocks_current_sm_mhz: c.number("clocks.current.sm")?,
        clocks_current_memory_mhz: c.number("clocks.current.memory")?,
        clocks_max_graphics_mhz: c.number("clocks.max.graphics")?,
        clocks_max_sm_mhz: c.number("clocks.max.sm")?,
        clocks_max_memory_mhz: c.number("clocks.max.memory")?,
        fan_speed_percent: c.number("fan.speed")?,
        pstate: c.pstate("pstate")?,
        temperature_memory_celsius: c.number("temperature.memory")?,
        pcie_link_gen_current: c.integer("pcie.link.gen.current")?,
        pcie_link_gen_max: c.integer("pcie.link.gen.max")?,
        pcie_link_width_current: c.integer("pcie.link.width.current")?,
        pcie_link_width_max: c.integer("pcie.link.width.max")?,
        ecc_errors_corrected_volatile_total: c.integer("ecc.errors.corrected.volatile.total")?,
        ecc_errors_uncorrected_volatile_total: c
            .integer("ecc.errors.uncorrected.volatile.total")?,
        clock_event_reasons: [
            c.active("clocks_event_reasons.gpu_idle")?,
            c.active("clocks_event_reasons.applications_clocks_setting")?,
            c.active("clocks_event_reasons.sw_power_cap")?,
            c.active("clocks_event_reasons.hw_slowdown")?,
            c.active("clocks_event_reasons.hw_thermal_slowdown")?,
            c.active("clocks_event_reasons.hw_power_brake_slowdown")?,
            c.active("clocks_event_reasons.sw_thermal_slowdown")?,
            c.active("clocks_event_reasons.sync_boost")?,
        ],
    })
}

/// One process's line of the `--query-compute-apps` output.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeApp {
    /// `gpu_uuid`: the GPU the process runs on, as `uuid` of `--query-gpu`.
    pub gpu_uuid: Option<String>,
    /// `pid`: the process id (in nvidia-smi's pid namespace).
    pub pid: Option<u64>,
    /// `used_gpu_memory` (MiB): GPU memory the process's context holds;
    /// absent where the driver will not tell (`[N/A]`, `[Insufficient
    /// Permissions]`).
    pub used_gpu_memory_mib: Option<f64>,
}

/// Parses the output of `nvidia-smi --query-compute-apps=<QUERY_COMPUTE_APPS_FIELDS>
/// --format=csv,nounits` into one entry per process on a GPU. The header
/// alone (`gpu_uuid, pid, used_gpu_memory [MiB]`) means no process.
///
/// Errors: as [`parse_query_gpu`].
pub fn parse_query_compute_apps(text: &str) -> Result<Vec<ComputeApp>, ParseError> {
    parse_records(
        QUERY_COMPUTE_APPS_SOURCE,
        &QUERY_COMPUTE_APPS_FIELDS,
        text,
        |c| {
            Ok(ComputeApp {
                gpu_uuid: c.text("gpu_uuid"),
                pid: c.integer("pid")?,
                used_gpu_memory_mib: c.number("used_gpu_memory")?,
            })
        },
    )
}

/// The output of a query for `fields`: the first non-empty line is the
/// header, checked with [`check_header`]; every later non-empty line a
/// record as wide as the header, one `T` per record built by `row` from its
/// cells in field order. An empty output, or a header alone, gives no rows.
fn parse_records<T>(
    source: &'static str,
    fields: &[Field],
    text: &str,
    row: impl Fn(&mut Cursor<'_, '_>) -> Result<T, ParseError>,
) -> Result<Vec<T>, ParseError> {
    let mut lines = numbered_lines(text).filter(|(_, l)| !l.trim().is_empty());
    let Some((n, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let columns = header_columns(source, n, header)?;
    check_header(source, n, header, &columns, fields)?;
    lines
        .map(|(n, line)| {
            let record = record(source, n, line, fields.len())?;
            row(&mut Cursor {
                source,
                fields,
                record: &record,
                next: 0,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> String {
        query_gpu_header()
    }

    /// The idle GB10 line of fixtures/spark, `nounits`.
    const GB10: &str = "0, GPU-00000000-0000-0000-0000-000000000000, NVIDIA GB10, 580.142, \
        0000000F:01:00.0, 0, 36, 208, 4.52, [N/A], [N/A], [N/A], 0, 0, 0, [N/A], [N/A], 208, \
        [N/A], 3003, 3003, [N/A], [N/A], P8, N/A, 1, 1, 1, 16, [N/A], [N/A], Active, \
        Not Active, Not Active, Not Active, Not Active, Not Active, Not Active, Not Active";

    fn gb10() -> String {
        format!("{}\n{GB10}\n", header())
    }

    #[test]
    fn a_stream_read_line_by_line_gives_what_the_whole_output_gives() {
        let second = GB10.replacen("0, ", "1, ", 1).replace(", 36, ", ", 41, ");
        let text = format!("{}\n{GB10}\n\n{second}\n", header());
        let whole = parse_query_gpu(&text).unwrap();
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        let (n, first) = lines.next().unwrap();
        let h = parse_query_gpu_header(n, first).unwrap();
        assert_eq!(h.text(), header());
        let rows: Vec<GpuRow> = lines
            .filter(|(_, l)| !l.is_empty())
            .map(|(n, l)| parse_query_gpu_row(&h, n, l).unwrap())
            .collect();
        assert_eq!(rows, whole);
        assert_eq!(rows[1].temperature_gpu_celsius, Some(41.0));
        // The same errors, with the stream's line numbers.
        let e = parse_query_gpu_row(&h, 7, "0, GPU-1, NVIDIA GB10").unwrap_err();
        assert_eq!(e.line, 7, "{e}");
        let e = parse_query_gpu_row(&h, 8, &GB10.replace("P8", "P99")).unwrap_err();
        assert!(e.to_string().contains("pstate"), "{e}");
        assert!(parse_query_gpu_header(1, "No devices were found").is_err());
        assert!(parse_query_gpu_header(1, GB10).is_err(), "a data line");
        let short = header().replacen("index, ", "", 1);
        assert!(parse_query_gpu_header(1, &short).is_err(), "38 columns");
        let wrong_unit = header().replace("power.draw [W]", "power.draw [mW]");
        assert!(parse_query_gpu_header(1, &wrong_unit).is_err());
    }

    #[test]
    fn query_argument_lists_fields_in_order() {
        let arg = query_gpu_arg();
        assert!(
            arg.starts_with(
                "--query-gpu=index,uuid,name,driver_version,pci.bus_id,utilization.gpu,\
                 temperature.gpu,clocks.current.graphics,power.draw,memory.total,memory.used,\
                 memory.free,utilization.memory,"
            ),
            "{arg}"
        );
        assert!(arg.ends_with(",clocks_event_reasons.sync_boost"), "{arg}");
        assert_eq!(arg.matches(',').count(), QUERY_GPU_FIELDS.len() - 1);
        assert_eq!(
            query_compute_apps_arg(),
            "--query-compute-apps=gpu_uuid,pid,used_gpu_memory"
        );
        for (reason, field) in CLOCK_EVENT_REASONS.iter().zip(&QUERY_GPU_FIELDS[31..]) {
            assert_eq!(field.name, format!("clocks_event_reasons.{reason}"));
        }
    }

    #[test]
    fn gb10_row_with_header() {
        let rows = parse_query_gpu(&gb10()).unwrap();
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
        assert_eq!(r.power_limit_watts, None);
        assert_eq!(r.clocks_current_memory_mhz, None);
        assert_eq!(r.clocks_max_sm_mhz, Some(3003.0));
        assert_eq!(r.fan_speed_percent, None);
        assert_eq!(r.pstate, Some(8));
        assert_eq!(r.temperature_memory_celsius, None, "bare N/A");
        assert_eq!(r.pcie_link_gen_current, Some(1));
        assert_eq!(r.pcie_link_width_max, Some(16));
        assert_eq!(r.ecc_errors_corrected_volatile_total, None);
        assert_eq!(r.clock_event_reasons[0], Some(true));
        assert_eq!(r.clock_event_reasons[1..], [Some(false); 7]);
    }

    /// Every numeric column gets a distinct value (its position), so a field
    /// read from the wrong column shows.
    #[test]
    fn every_field_is_read_from_its_own_column() {
        let cells: Vec<String> = QUERY_GPU_FIELDS
            .iter()
            .enumerate()
            .map(|(i, f)| match f.kind {
                Kind::Index => "7".to_string(),
                Kind::Text => format!("text{i}"),
                Kind::Number { .. } | Kind::Integer => i.to_string(),
                Kind::Pstate => "P12".to_string(),
                Kind::Active if i % 2 == 0 => "Active".to_string(),
                Kind::Active => "Not Active".to_string(),
            })
            .collect();
        let rows = parse_query_gpu(&format!("{}\n{}\n", header(), cells.join(", "))).unwrap();
        let r = &rows[0];
        assert_eq!(r.index, 7);
        assert_eq!(r.uuid.as_deref(), Some("text1"));
        assert_eq!(r.name.as_deref(), Some("text2"));
        assert_eq!(r.driver_version.as_deref(), Some("text3"));
        assert_eq!(r.pci_bus_id.as_deref(), Some("text4"));
        let numbers = [
            r.utilization_gpu_percent,
            r.temperature_gpu_celsius,
            r.clocks_current_graphics_mhz,
            r.power_draw_watts,
            r.memory_total_mib,
            r.memory_used_mib,
            r.memory_free_mib,
            r.utilization_memory_percent,
            r.utilization_encoder_percent,
            r.utilization_decoder_percent,
            r.power_limit_watts,
            r.enforced_power_limit_watts,
            r.clocks_current_sm_mhz,
            r.clocks_current_memory_mhz,
            r.clocks_max_graphics_mhz,
            r.clocks_max_sm_mhz,
            r.clocks_max_memory_mhz,
            r.fan_speed_percent,
        ];
        for (i, v) in numbers.iter().enumerate() {
            assert_eq!(*v, Some((i + 5) as f64), "{}", QUERY_GPU_FIELDS[i + 5].name);
        }
        assert_eq!(r.pstate, Some(12));
        assert_eq!(r.temperature_memory_celsius, Some(24.0));
        let integers = [
            r.pcie_link_gen_current,
            r.pcie_link_gen_max,
            r.pcie_link_width_current,
            r.pcie_link_width_max,
            r.ecc_errors_corrected_volatile_total,
            r.ecc_errors_uncorrected_volatile_total,
        ];
        for (i, v) in integers.iter().enumerate() {
            assert_eq!(
                *v,
                Some((i + 25) as u64),
                "{}",
                QUERY_GPU_FIELDS[i + 25].name
            );
        }
        for (i, v) in r.clock_event_reasons.iter().enumerate() {
            assert_eq!(*v, Some((i + 31) % 2 == 0), "{}", CLOCK_EVENT_REASONS[i]);
        }
    }

    #[test]
    fn values_with_units_as_without_nounits() {
        let line = GB10
            .replacen(", 0, 36, 208, 4.52,", ", 0 %, 36, 208 MHz, 4.52 W,", 1)
            .replace(", 3003, 3003,", ", 3003 MHz, 3003 MHz,");
        let rows = parse_query_gpu(&format!("{}\n{line}\n", header())).unwrap();
        assert_eq!(rows[0].power_draw_watts, Some(4.52));
        assert_eq!(rows[0].clocks_current_graphics_mhz, Some(208.0));
        assert_eq!(rows[0].utilization_gpu_percent, Some(0.0));
        assert_eq!(rows[0].clocks_max_graphics_mhz, Some(3003.0));
    }

    #[test]
    fn a_header_without_units_is_accepted() {
        let bare = header()
            .replace(" [%]", "")
            .replace(" [MHz]", "")
            .replace(" [W]", "")
            .replace(" [MiB]", "");
        let rows = parse_query_gpu(&format!("{bare}\n{GB10}\n")).unwrap();
        assert_eq!(rows[0].power_draw_watts, Some(4.52));
    }

    #[test]
    fn aliases_printed_as_canonical_names_are_mapped_by_position() {
        // A header naming other fields (as nvidia-smi names an alias by its
        // canonical name) changes nothing: columns are mapped by position.
        let renamed = header().replace("clocks_event_reasons.", "clocks_throttle_reasons.");
        let rows = parse_query_gpu(&format!("{renamed}\n{GB10}\n")).unwrap();
        assert_eq!(rows[0].clock_event_reasons[0], Some(true));
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
            let rows = parse_query_gpu(&format!("{}\n{line}", header()))
                .unwrap_or_else(|e| panic!("{token}: {e}"));
            let r = &rows[0];
            assert_eq!(r.uuid, None, "{token}");
            assert_eq!(r.utilization_gpu_percent, None, "{token}");
            assert_eq!(r.temperature_gpu_celsius, None, "{token}");
            assert_eq!(r.clocks_current_graphics_mhz, None, "{token}");
            assert_eq!(r.power_draw_watts, None, "{token}");
            assert_eq!(r.memory_free_mib, None, "{token}");
            assert_eq!(r.pstate, None, "{token}");
            assert_eq!(r.pcie_link_gen_current, None, "{token}");
            assert_eq!(r.ecc_errors_uncorrected_volatile_total, None, "{token}");
            assert_eq!(r.clock_event_reasons, [None; 8], "{token}");
        }
    }

    #[test]
    fn multi_gpu_rows() {
        let text = format!("{}\n{GB10}\n{}\n", header(), GB10.replacen("0,", "1,", 1));
        let rows = parse_query_gpu(&text).unwrap();
        assert_eq!(rows.iter().map(|r| r.index).collect::<Vec<_>>(), vec![0, 1]);
    }

    #[test]
    fn empty_output_is_no_gpus() {
        assert_eq!(parse_query_gpu("").unwrap(), vec![]);
        assert_eq!(parse_query_gpu("\n").unwrap(), vec![]);
        assert_eq!(parse_query_gpu(&format!("{}\n", header())).unwrap(), vec![]);
    }

    #[test]
    fn garbage_is_an_error_naming_the_column_line_and_text() {
        let e = parse_query_gpu(&gb10().replace(", 36,", ", hot,")).unwrap_err();
        assert_eq!(e.source, "nvidia-smi --query-gpu");
        assert_eq!(e.line, 2);
        assert!(e.expected.contains("column 7 (temperature.gpu)"), "{e}");
        assert_eq!(e.found, "hot");
        let e =
            parse_query_gpu("NVIDIA-SMI has failed because it couldn't communicate").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.expected.contains("header"), "{e}");
        assert!(
            parse_query_gpu(&gb10().replacen("\n0,", "\nx,", 1)).is_err(),
            "index"
        );
        assert!(parse_query_gpu("\u{0}\u{1}\u{2}").is_err());
        for not_a_reading in ["nan", "inf", "-inf", "NaN", "0x1F"] {
            let text = gb10().replace(", 36,", &format!(", {not_a_reading},"));
            assert!(parse_query_gpu(&text).is_err(), "{not_a_reading}");
        }
        for bad in ["P16", "P", "8", "p8", "P-1"] {
            assert!(
                parse_query_gpu(&gb10().replace(", P8,", &format!(", {bad},"))).is_err(),
                "{bad}"
            );
        }
        assert!(parse_query_gpu(&gb10().replace(", 16,", ", 16x,")).is_err());
        assert!(parse_query_gpu(&gb10().replace("Active, Not", "Yes, Not")).is_err());
    }

    #[test]
    fn a_data_line_where_the_header_belongs_is_an_error_not_zero_gpus() {
        // Output without header (`noheader`): units are unknown, so refused.
        let e = parse_query_gpu(&format!("{GB10}\n")).unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn truncated_or_extra_cells_are_errors() {
        let e = parse_query_gpu(&format!("{}\n0, GPU-x, NVIDIA GB10", header())).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.expected.contains("39 comma-separated cells"), "{e}");
        assert!(parse_query_gpu(&format!("{}, 7", gb10().trim_end())).is_err());
        // A header for another field list (an old recording) is refused.
        let old = "index, uuid, name, driver_version, pci.bus_id, utilization.gpu [%], \
                   temperature.gpu, clocks.current.graphics [MHz], power.draw [W], \
                   memory.total [MiB], memory.used [MiB], memory.free [MiB]\n\
                   0, GPU-x, NVIDIA GB10, 580.142, 0000000F:01:00.0, 0, 36, 208, 4.52, [N/A], [N/A], [N/A]\n";
        let e = parse_query_gpu(old).unwrap_err();
        assert!(e.expected.contains("header of 39 columns"), "{e}");
    }

    #[test]
    fn a_unit_we_would_misread_is_an_error() {
        let e = parse_query_gpu(&gb10().replace("power.draw [W]", "power.draw [mW]")).unwrap_err();
        assert!(e.expected.contains("power.draw"), "{e}");
        assert_eq!(e.line, 1);
        assert_eq!(e.found, "power.draw [mW]");
        assert!(parse_query_gpu(&gb10().replace("4.52", "4520 mW")).is_err());
        assert!(parse_query_gpu(&gb10().replacen("[MiB]", "[GiB]", 1)).is_err());
        assert!(
            parse_query_gpu(&gb10().replace("temperature.gpu,", "temperature.gpu [F],")).is_err()
        );
        assert!(
            parse_query_gpu(&gb10().replace("pcie.link.gen.max,", "pcie.link.gen.max [GT/s],"))
                .is_err()
        );
    }

    #[test]
    fn generic_csv_keeps_names_units_and_absent_cells() {
        let t = parse_csv("t", "a, b [W], c.d [MiB]\n1, 2 W, [N/A]\n\n3, , N/A\n").unwrap();
        assert_eq!(
            t.columns,
            vec![
                Column {
                    name: "a",
                    unit: None
                },
                Column {
                    name: "b",
                    unit: Some("W")
                },
                Column {
                    name: "c.d",
                    unit: Some("MiB")
                },
            ]
        );
        assert_eq!(t.records.len(), 2);
        assert_eq!(t.records[0].cells, vec![Some("1"), Some("2 W"), None]);
        assert_eq!(t.records[1].line, 4);
        assert_eq!(t.records[1].cells, vec![Some("3"), None, None]);
        assert_eq!(t.get(&t.records[0], "b"), Some((Some("W"), Some("2 W"))));
        assert_eq!(t.get(&t.records[0], "z"), None);
        for bad_header in ["a, , b", "a [W", "a [], b", "a b", "a [W] [V]", "[N/A]"] {
            assert!(parse_csv("t", bad_header).is_err(), "{bad_header}");
        }
    }

    #[test]
    fn compute_apps_with_and_without_processes() {
        let header = "gpu_uuid, pid, used_gpu_memory [MiB]";
        assert_eq!(
            parse_query_compute_apps(&format!("{header}\n")).unwrap(),
            vec![]
        );
        assert_eq!(parse_query_compute_apps("").unwrap(), vec![]);
        let apps = parse_query_compute_apps(&format!(
            "{header}\nGPU-a, 6330, 96073\nGPU-a, 3150, 218 MiB\nGPU-b, 7, [N/A]\n"
        ))
        .unwrap();
        assert_eq!(
            apps,
            vec![
                ComputeApp {
                    gpu_uuid: Some("GPU-a".into()),
                    pid: Some(6330),
                    used_gpu_memory_mib: Some(96073.0)
                },
                ComputeApp {
                    gpu_uuid: Some("GPU-a".into()),
                    pid: Some(3150),
                    used_gpu_memory_mib: Some(218.0)
                },
                ComputeApp {
                    gpu_uuid: Some("GPU-b".into()),
                    pid: Some(7),
                    used_gpu_memory_mib: None
                },
            ]
        );
        let e = parse_query_compute_apps(&format!("{header}\nGPU-a, 6330, lots\n")).unwrap_err();
        assert_eq!(e.source, "nvidia-smi --query-compute-apps");
        assert_eq!((e.line, e.found.as_str()), (2, "lots"));
        assert!(parse_query_compute_apps(&format!("{header}\nGPU-a, 6330\n")).is_err());
        assert!(parse_query_compute_apps("gpu_uuid, pid, used_gpu_memory [GiB]\n").is_err());
        assert!(
            parse_query_compute_apps("pid, process_name, used_gpu_memory [MiB]\n").is_ok(),
            "names are not checked"
        );
    }
}
