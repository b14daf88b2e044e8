//! Property test of the exposition writer (`src/expo.rs`): whatever samples
//! go in, the text that comes out parses back, with a strict parser of text
//! format 0.0.4 written here from the spec (prometheus.io "Exposition
//! formats"), into exactly the samples that went in, sorted and with
//! duplicate series dropped as `render` documents.
//!
//! Inputs come from a small deterministic generator (xorshift64*, fixed
//! seeds; no proptest, to keep dev-dependencies light): metrics and label
//! names from the real metric table, label values built from hostile pieces
//! (quotes, backslashes, line feeds, `\n` spelled out, braces, commas,
//! carriage returns, NUL, multi-byte UTF-8, empty), and values from NaN,
//! +Inf, -Inf, -0, subnormals, `f64::MAX`, integers beyond 2^53 and random
//! bit patterns. A failing case prints its seed and the document.
//!
//! Where `promtool` (Prometheus' own parser, Debian package `prometheus`)
//! is installed, a sample of the documents also goes through
//! `promtool check metrics`, which must not report a parse error (naming
//! lints are `tests/promtool.rs`'s business).

mod common;

use std::process::Command;

use dgx_spark_exporter::expo::{Labels, Sample, render, write_value};
use dgx_spark_exporter::metrics::{self, Kind, Metric};

/// xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift
/// generators, scrambled", 2016).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Pieces hostile label values are made of.
const PIECES: &[&str] = &[
    "",
    "\"",
    "\\",
    "\n",
    "\\n",
    "\\\"",
    "\"\"",
    "\\\\",
    "}",
    "{",
    ",",
    "=",
    " ",
    "\t",
    "\r",
    "\r\n",
    "\0",
    "#",
    "# HELP x y",
    "a",
    "0",
    "é",
    "日本",
    "🙂",
    "\u{2028}",
    "\u{feff}",
    "N/A",
    "x=\"y\"",
    "} 1\nfake 2",
];

fn label_value(rng: &mut Rng) -> String {
    let mut v = String::new();
    for _ in 0..rng.below(7) {
        match rng.below(4) {
            0 => v.push(char::from_u32(rng.next() as u32 % 0x11_0000).unwrap_or('\u{fffd}')),
            1 => v.push(char::from(b' ' + (rng.next() % 95) as u8)),
            _ => v.push_str(PIECES[rng.below(PIECES.len())]),
        }
    }
    v
}

/// Values whose spelling is easy to get wrong.
const SPECIAL_VALUES: &[f64] = &[
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.1,
    1.0 / 3.0,
    1e-7,
    1e21,
    1e22,
    f64::MIN_POSITIVE,
    5e-324,
    -5e-324,
    f64::MAX,
    f64::MIN,
    f64::EPSILON,
    9_007_199_254_740_992.0,       // 2^53
    9_007_199_254_740_994.0,       // 2^53 + 2
    9_223_372_036_854_775_808.0,   // 2^63
    18_446_744_073_709_551_615.0,  // u64::MAX, rounds to 2^64
    -9_223_372_036_854_775_808.0,  // i64::MIN
    123_456_789_012_345_680_000.0, // beyond 2^64
];

fn value(rng: &mut Rng) -> f64 {
    match rng.below(5) {
        0 | 1 => *rng.pick(SPECIAL_VALUES),
        2 => f64::from_bits(rng.next()),
        3 => rng.next() as i64 as f64,
        _ => (rng.next() % 1_000_000) as f64 / 1000.0,
    }
}

/// Metrics whose name is a plain name (not a pattern such as
/// `node_memory_<Field>_bytes`).
fn plain_metrics() -> Vec<&'static Metric> {
    let all: Vec<&'static Metric> = metrics::all()
        .filter(|m| {
            m.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        })
        .collect();
    assert!(all.len() > 50, "the metric table should have many families");
    all
}

fn document(rng: &mut Rng, table: &[&'static Metric]) -> Vec<Sample> {
    let families: Vec<&'static Metric> = (0..1 + rng.below(5)).map(|_| *rng.pick(table)).collect();
    let mut samples = Vec::new();
    for _ in 0..rng.below(40) {
        let m = *rng.pick(&families);
        let labels: Labels = m
            .labels
            .iter()
            .map(|&l| (l, label_value(rng).into()))
            .collect();
        let s = Sample::new(m, labels, value(rng));
        // Now and then the same series twice: `render` keeps the first.
        if rng.below(8) == 0 {
            let mut twin = s.clone();
            twin.value = value(rng);
            samples.push(twin);
        }
        samples.push(s);
    }
    samples
}

/// One sample as read back.
#[derive(Debug, Clone)]
struct Parsed {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// Undoes the escapes of a HELP text (`\\`, `\n`); any other backslash
/// sequence is an error.
fn unescape_help(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                other => return Err(format!("bad HELP escape \\{other:?}")),
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A sample value: `NaN`, `+Inf`, `-Inf`, or a decimal float as Go's
/// `strconv.ParseFloat` reads it (sign, digits, point, exponent; no `inf`
/// or `nan` words in other spellings, no hex).
fn parse_value(s: &str) -> Result<f64, String> {
    match s {
        "NaN" => return Ok(f64::NAN),
        "+Inf" => return Ok(f64::INFINITY),
        "-Inf" => return Ok(f64::NEG_INFINITY),
        _ => {}
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let ok = digits(int)
        && digits(frac)
        && !(int.is_empty() && frac.is_empty())
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && digits(e)
        });
    if !ok {
        return Err(format!("not a float: {s:?}"));
    }
    s.parse().map_err(|e| format!("{s:?}: {e}"))
}

/// Parses one sample line: `name[{l="v",...}] value`.
fn parse_sample(line: &str) -> Result<Parsed, String> {
    let name_end = line.find(['{', ' ']).ok_or("no value")?;
    let name = &line[..name_end];
    if !is_metric_name(name) {
        return Err(format!("bad metric name {name:?}"));
    }
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(r) = rest.strip_prefix('{') {
        rest = r;
        loop {
            if let Some(r) = rest.strip_prefix('}') {
                rest = r;
                break;
            }
            if !labels.is_empty() {
                rest = rest.strip_prefix(',').ok_or("expected , between labels")?;
            }
            let eq = rest.find('=').ok_or("label without =")?;
            let lname = &rest[..eq];
            if !is_label_name(lname) {
                return Err(format!("bad label name {lname:?}"));
            }
            let quoted = rest[eq + 1..]
                .strip_prefix('"')
                .ok_or("label value without opening quote")?;
            let (value, after) = common::label_value(quoted)?;
            rest = after;
            labels.push((lname.to_string(), value));
        }
    }
    let v = rest.strip_prefix(' ').ok_or("no space before the value")?;
    Ok(Parsed {
        name: name.to_string(),
        labels,
        value: parse_value(v)?,
    })
}

/// Parses a whole document, checking the family structure: each family
/// announced once by `# HELP` then `# TYPE`, its samples right after, the
/// HELP and TYPE matching the metric table.
fn parse_document(text: &str, table: &[&'static Metric]) -> Result<Vec<Parsed>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let body = text.strip_suffix('\n').ok_or("no final line feed")?;
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut family: Option<String> = None;
    let mut lines = body.split('\n').enumerate();
    while let Some((n, line)) = lines.next() {
        let n = n + 1;
        let err = |e: String| format!("line {n}: {e}: {line:?}");
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').ok_or_else(|| err("HELP".into()))?;
            let m = table
                .iter()
                .find(|m| m.name == name)
                .ok_or_else(|| err("unknown family".into()))?;
            if unescape_help(help).map_err(err)? != m.help {
                return Err(err("HELP text differs from the table".into()));
            }
            if seen.iter().any(|s| s == name) {
                return Err(err("family announced twice".into()));
            }
            seen.push(name.to_string());
            let (_, type_line) = lines.next().ok_or_else(|| err("no TYPE".into()))?;
            let kind = match m.kind {
                Kind::Gauge => "gauge",
                Kind::Counter => "counter",
            };
            if type_line != format!("# TYPE {name} {kind}") {
                return Err(err(format!("TYPE line {type_line:?}")));
            }
            family = Some(name.to_string());
        } else if line.starts_with('#') {
            return Err(err("unexpected comment".into()));
        } else {
            let p = parse_sample(line).map_err(err)?;
            if family.as_deref() != Some(p.name.as_str()) {
                return Err(err("sample outside its family".into()));
            }
            out.push(p);
        }
    }
    Ok(out)
}

/// What `render` promises to write for `samples`: sorted by name, then by
/// label values (stable), the first of each duplicate series kept.
fn expected(samples: &[Sample]) -> Vec<Parsed> {
    let mut sorted: Vec<&Sample> = samples.iter().collect();
    sorted.sort_by(|a, b| {
        (
            a.name.as_ref(),
            a.labels.iter().map(|(_, v)| v).collect::<Vec<_>>(),
        )
            .cmp(&(b.name.as_ref(), b.labels.iter().map(|(_, v)| v).collect()))
    });
    sorted.dedup_by(|b, a| a.name == b.name && a.labels == b.labels);
    sorted
        .into_iter()
        .map(|s| Parsed {
            name: s.name.to_string(),
            labels: s
                .labels
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            value: s.value,
        })
        .collect()
}

fn same_value(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

fn check(seed: u64, samples: &[Sample], table: &[&'static Metric]) -> String {
    let text = render(samples);
    let got = parse_document(&text, table)
        .unwrap_or_else(|e| panic!("seed {seed}: {e}\ndocument:\n{text}"));
    let want = expected(samples);
    assert_eq!(got.len(), want.len(), "seed {seed}: sample count\n{text}");
    for (g, w) in got.iter().zip(&want) {
        assert!(
            g.name == w.name && g.labels == w.labels && same_value(g.value, w.value),
            "seed {seed}: wrote {w:?}, read back {g:?}\ndocument:\n{text}"
        );
    }
    text
}

#[test]
fn rendered_documents_parse_back_to_their_samples() {
    let table = plain_metrics();
    for seed in 0..3000 {
        let mut rng = Rng::new(seed);
        let samples = document(&mut rng, &table);
        check(seed, &samples, &table);
    }
}

#[test]
fn every_special_value_reads_back_bit_for_bit() {
    let table = plain_metrics();
    let m = table.iter().find(|m| m.labels.is_empty()).unwrap();
    for (i, &v) in SPECIAL_VALUES.iter().enumerate() {
        let text = check(i as u64, &[Sample::new(m, vec![], v)], &table);
        let mut spelled = String::new();
        write_value(&mut spelled, v);
        assert!(text.ends_with(&format!(" {spelled}\n")), "{text}");
    }
    // Integers an f64 holds exactly are written as integers, without a
    // fraction or exponent: exactly up to 2^53, and beyond it as the
    // shortest digits that read back as the same f64, padded with zeros
    // (2^60 is `1152921504606847000`, which parses back to 2^60).
    for v in [0u64, 1, 4_294_967_296, (1 << 53) - 1, 1 << 53] {
        let mut spelled = String::new();
        write_value(&mut spelled, v as f64);
        assert_eq!(spelled, v.to_string());
    }
    for bits in [54, 60, 63, 64, 100] {
        let v = 2f64.powi(bits);
        let mut spelled = String::new();
        write_value(&mut spelled, v);
        assert!(spelled.chars().all(|c| c.is_ascii_digit()), "{spelled}");
        assert_eq!(spelled.parse::<f64>().unwrap().to_bits(), v.to_bits());
    }
}

#[test]
fn hostile_label_values_one_by_one() {
    let table = plain_metrics();
    let m = table.iter().find(|m| m.labels.len() >= 2).unwrap();
    for (i, piece) in PIECES.iter().enumerate() {
        let labels: Labels = m
            .labels
            .iter()
            .map(|&l| (l, piece.repeat(2).into()))
            .collect();
        check(i as u64, &[Sample::new(m, labels, 1.0)], &table);
    }
}

#[test]
fn promtool_parses_hostile_documents() {
    if Command::new("promtool").arg("--version").output().is_err() {
        eprintln!("promtool not installed: skipping the cross-check with Prometheus' parser");
        return;
    }
    let table = plain_metrics();
    // One document of many samples keeps this to a single promtool run.
    let mut rng = Rng::new(0xD65);
    let mut samples = Vec::new();
    for _ in 0..50 {
        samples.extend(document(&mut rng, &table));
    }
    let text = render(&samples);
    let (report, code) = common::promtool_check_metrics(&text).expect("promtool is installed");
    // Exit 3 is "lint problems only"; 1 is a parse error.
    assert!(
        !report.contains("error while linting") && matches!(code, Some(0 | 3)),
        "{report}\ndocument:\n{text}"
    );
}
