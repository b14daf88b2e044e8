//! The Prometheus text exposition format, version 0.0.4.
//!
//! Spec: "Exposition formats", prometheus.io/docs/instrumenting/exposition_formats/.
//! The writer owns every rule of the format so collectors never format text:
//!
//! - one `# HELP` and one `# TYPE` line per family, then all its samples,
//!   each family contiguous;
//! - families ordered by name, samples within a family by label values, so
//!   the same input always gives the same bytes;
//! - label values escape `\` as `\\`, `"` as `\"` and line feed as `\n`;
//!   HELP text escapes `\` and line feed;
//! - values as Go's Prometheus client spells them: `NaN`, `+Inf`, `-Inf`,
//!   otherwise the shortest decimal that reads back as the same `f64`.
//!
//! ```
//! use dgx_spark_exporter::expo::{Sample, render};
//! use dgx_spark_exporter::metrics::GPU_POWER_WATTS;
//! let samples = vec![Sample::new(&GPU_POWER_WATTS, vec![("gpu", "0".into())], 4.52)];
//! let expected = concat!(
//!     "# HELP gpu_power_watts Last measured power draw (the GPU rail on a GB10, the board elsewhere).\n",
//!     "# TYPE gpu_power_watts gauge\n",
//!     "gpu_power_watts{gpu=\"0\"} 4.52\n",
//! );
//! assert_eq!(render(&samples), expected);
//! ```

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::Arc;

use crate::metrics::Metric;

/// The `Content-Type` of the text format this module writes.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A label value: text known at compile time (a mode name such as
/// `"user"`, a state such as `"up"`), or text read from the system (a
/// device name, a firmware version) in one shared allocation.
///
/// A collector makes the value for a device once and clones it into each
/// of the device's samples: a clone of a shared value counts a reference
/// instead of copying the text, and a static value copies a pointer. This
/// is what keeps a scrape from allocating a string per label (about two
/// thousand of them on a Spark). Whether the text needs escaping in the
/// text format is decided once, when the value is made, not for every
/// sample that carries it.
pub struct LabelValue(ValueRepr);

impl Clone for LabelValue {
    // Not inlined: collectors clone a device's value into each of its
    // samples at a hundred call sites, and the inlined reference count
    // grew the binary by kilobytes.
    #[inline(never)]
    fn clone(&self) -> LabelValue {
        LabelValue(self.0.clone())
    }
}

#[derive(Clone)]
enum ValueRepr {
    /// Text that lives as long as the program; whether it needs escaping.
    Static(&'static str, bool),
    /// Text made at run time, shared by every clone; whether it needs
    /// escaping.
    Shared(Arc<str>, bool),
}

/// Whether `text` has a byte the text format escapes in a label value.
fn needs_escape(text: &str) -> bool {
    contains_any(text.as_bytes(), [b'\\', b'"', b'\n'])
}

/// Whether `bytes` contains any of `targets`, eight bytes at a time (the
/// writer checks every HELP text and label value; a byte-by-byte loop was
/// a tenth of the exposition's time).
fn contains_any(bytes: &[u8], targets: [u8; 3]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // A byte of `word` is zero: the classic test ("Bit Twiddling Hacks",
    // "Determine if a word has a zero byte").
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS != 0;
    let has = |word: u64| {
        targets
            .iter()
            .any(|&t| has_zero(word ^ (ONES * u64::from(t))))
    };
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        if has(u64::from_ne_bytes(word)) {
            return true;
        }
    }
    chunks.remainder().iter().any(|b| targets.contains(b))
}

impl LabelValue {
    /// A shared value holding a copy of `text` (one allocation; clones of
    /// it share it).
    pub fn new(text: &str) -> LabelValue {
        LabelValue(ValueRepr::Shared(Arc::from(text), needs_escape(text)))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            ValueRepr::Static(s, _) => s,
            ValueRepr::Shared(s, _) => s,
        }
    }

    /// Whether the text has a `\`, `"` or line feed, which the text format
    /// escapes.
    fn needs_escape(&self) -> bool {
        match self.0 {
            ValueRepr::Static(_, e) | ValueRepr::Shared(_, e) => e,
        }
    }
}

impl std::ops::Deref for LabelValue {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&'static str> for LabelValue {
    fn from(text: &'static str) -> LabelValue {
        LabelValue(ValueRepr::Static(text, needs_escape(text)))
    }
}

impl From<String> for LabelValue {
    fn from(text: String) -> LabelValue {
        let escape = needs_escape(&text);
        LabelValue(ValueRepr::Shared(Arc::from(text), escape))
    }
}

impl PartialEq for LabelValue {
    fn eq(&self, other: &LabelValue) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for LabelValue {}

impl PartialEq<str> for LabelValue {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for LabelValue {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for LabelValue {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialOrd for LabelValue {
    fn partial_cmp(&self, other: &LabelValue) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LabelValue {
    fn cmp(&self, other: &LabelValue) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for LabelValue {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl std::fmt::Debug for LabelValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for LabelValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A label: name (from the metric table, so always valid) and value.
pub type Label = (&'static str, LabelValue);

/// How many labels a sample holds without an allocation: every family but
/// a few `_info` gauges has at most three (`rdma_port_stat_total`'s
/// `device`, `port`, `stat`; the filesystem's `device`, `fstype`,
/// `mountpoint`).
const INLINE_LABELS: usize = 3;

/// An unused inline slot: the empty name, which no label has.
const NO_LABEL: Label = ("", LabelValue(ValueRepr::Static("", false)));

/// A sample's labels in order: up to three held inline, more
/// in a `Vec`. Reads as a slice of [`Label`]s (`labels.iter()`,
/// `labels[0]`, `labels.len()`).
///
/// Made from an array (`[("device", dev.clone())]`, no allocation), a
/// `Vec`, or an iterator of labels.
#[derive(Clone)]
pub struct Labels(LabelsRepr);

#[derive(Clone)]
enum LabelsRepr {
    /// The labels, then [`NO_LABEL`] in the slots left. No count beside
    /// them: a `u8` there put the slots two bytes into the value, and every
    /// sample made was copied with unaligned moves that stalled on the
    /// stores just before them (a sixth of the time to make a sample, in a
    /// micro-benchmark).
    Inline([Label; INLINE_LABELS]),
    Heap(Vec<Label>),
}

/// How many of the inline slots `items` hold labels.
fn inline_len(items: &[Label; INLINE_LABELS]) -> usize {
    items
        .iter()
        .position(|(name, _)| name.is_empty())
        .unwrap_or(INLINE_LABELS)
}

impl Labels {
    /// No labels.
    pub const NONE: Labels = Labels(LabelsRepr::Inline([NO_LABEL; INLINE_LABELS]));

    /// Inserts `label` at `index`, shifting the labels after it (the host
    /// label goes first).
    ///
    /// Panics if `index > len`, as `Vec::insert` does.
    pub fn insert(&mut self, index: usize, label: Label) {
        match &mut self.0 {
            LabelsRepr::Inline(items) if inline_len(items) < INLINE_LABELS => {
                let len = inline_len(items);
                assert!(index <= len, "label index {index} past {len}");
                debug_assert!(!label.0.is_empty(), "a label without a name");
                items[len] = label;
                items[index..=len].rotate_right(1);
            }
            LabelsRepr::Inline(items) => {
                let mut v: Vec<Label> = std::mem::replace(items, [NO_LABEL; INLINE_LABELS]).into();
                v.insert(index, label);
                self.0 = LabelsRepr::Heap(v);
            }
            LabelsRepr::Heap(v) => v.insert(index, label),
        }
    }
}

impl std::ops::Deref for Labels {
    type Target = [Label];
    fn deref(&self) -> &[Label] {
        match &self.0 {
            LabelsRepr::Inline(items) => &items[..inline_len(items)],
            LabelsRepr::Heap(v) => v,
        }
    }
}

impl FromIterator<Label> for Labels {
    fn from_iter<I: IntoIterator<Item = Label>>(labels: I) -> Labels {
        let mut out = Labels::NONE;
        for label in labels {
            let len = out.len();
            out.insert(len, label);
        }
        out
    }
}

// Up to three labels: moved straight into the inline slots. A generic
// `[Label; N]` version copied the array into an iterator and dropped the
// placeholder of each slot it filled (a check of its variant), a fifth of
// the time to make a sample. Inlined into the sample constructors, which
// are not inlined themselves: a scrape makes a thousand samples from a
// hundred call sites.
impl From<[Label; 0]> for Labels {
    fn from(_: [Label; 0]) -> Labels {
        Labels::NONE
    }
}

impl From<[Label; 1]> for Labels {
    #[inline]
    fn from([a]: [Label; 1]) -> Labels {
        debug_assert!(!a.0.is_empty(), "a label without a name");
        Labels(LabelsRepr::Inline([a, NO_LABEL, NO_LABEL]))
    }
}

impl From<[Label; 2]> for Labels {
    #[inline]
    fn from([a, b]: [Label; 2]) -> Labels {
        debug_assert!(!a.0.is_empty() && !b.0.is_empty(), "a label without a name");
        Labels(LabelsRepr::Inline([a, b, NO_LABEL]))
    }
}

impl From<[Label; INLINE_LABELS]> for Labels {
    #[inline]
    fn from(labels: [Label; INLINE_LABELS]) -> Labels {
        debug_assert!(
            labels.iter().all(|l| !l.0.is_empty()),
            "a label without a name"
        );
        Labels(LabelsRepr::Inline(labels))
    }
}

/// More labels than fit inline, from an array: in a `Vec`.
macro_rules! labels_from_longer_arrays {
    ($($n:literal),*) => {$(
        impl From<[Label; $n]> for Labels {
            fn from(labels: [Label; $n]) -> Labels {
                Labels(LabelsRepr::Heap(labels.into()))
            }
        }
    )*};
}

labels_from_longer_arrays!(4, 5, 6, 7, 8);

impl From<Vec<Label>> for Labels {
    fn from(labels: Vec<Label>) -> Labels {
        if labels.len() > INLINE_LABELS {
            Labels(LabelsRepr::Heap(labels))
        } else {
            labels.into_iter().collect()
        }
    }
}

impl PartialEq for Labels {
    fn eq(&self, other: &Labels) -> bool {
        **self == **other
    }
}

impl<const N: usize> PartialEq<[Label; N]> for Labels {
    fn eq(&self, other: &[Label; N]) -> bool {
        **self == other[..]
    }
}

impl std::fmt::Debug for Labels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One sample: a metric from the table, its labels in order, its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The table entry this sample belongs to (type, help).
    pub metric: &'static Metric,
    /// The family name written: the entry's name, or for a pattern entry
    /// (`node_memory_<Field>_bytes`) the name filled in by the collector.
    pub name: Cow<'static, str>,
    /// Label pairs, written in this order.
    pub labels: Labels,
    /// The value, already in the metric's unit.
    pub value: f64,
}

impl Sample {
    /// A sample of `metric` with `labels` and `value`.
    #[inline(never)]
    pub fn new(metric: &'static Metric, labels: impl Into<Labels>, value: f64) -> Sample {
        Sample {
            metric,
            name: Cow::Borrowed(metric.name),
            labels: labels.into(),
            value,
        }
    }

    /// Like [`Sample::named`], for a family name known at compile time (a
    /// collector's table of them): nothing is allocated, and samples of the
    /// family share the name's address, which the writer groups by.
    #[inline(never)]
    pub fn named_static(
        metric: &'static Metric,
        name: &'static str,
        labels: impl Into<Labels>,
        value: f64,
    ) -> Sample {
        debug_assert!(metric.matches(name), "{name} is not {}", metric.name);
        Sample {
            metric,
            name: Cow::Borrowed(name),
            labels: labels.into(),
            value,
        }
    }

    /// A sample of the pattern entry `metric` under the family name `name`,
    /// which the collector built from the pattern (see
    /// [`Metric::matches`]); a name that does not fit the pattern is a bug
    /// in the collector and panics in debug builds.
    #[inline(never)]
    pub fn named(
        metric: &'static Metric,
        name: String,
        labels: impl Into<Labels>,
        value: f64,
    ) -> Sample {
        debug_assert!(metric.matches(&name), "{name} is not {}", metric.name);
        Sample {
            metric,
            name: Cow::Owned(name),
            labels: labels.into(),
            value,
        }
    }
}

/// Appends `bytes` to `out`. With musl, text shorter than 64 bytes (a
/// name, a label, a value: nearly all the writer writes) is copied here in
/// moves of a known size, 8 or 4 bytes, the last one overlapping the one
/// before, rather than by `memcpy`, which the writer would otherwise call about
/// 1,400 times a scrape: musl's x86_64 `memcpy` starts every copy with
/// `rep movsq`, whose start-up cost made it an eighth of the whole
/// exporter's CPU time per scrape (perf, issue 6).
#[inline]
fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    if cfg!(target_env = "musl") {
        put_in_words(out, bytes);
    } else {
        // glibc's `memcpy` is quick at any size (and fewer instructions).
        out.extend_from_slice(bytes);
    }
}

/// [`put`] for musl: `bytes` copied in moves of a known size.
#[inline]
fn put_in_words(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    if n >= 64 {
        out.extend_from_slice(bytes);
        return;
    }
    out.reserve(n);
    if n >= 8 {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            out.extend_from_slice(&first::<8>(word));
        }
        let rest = words.remainder().len();
        if rest > 0 {
            // The last 8 bytes again, over the end of the last word.
            out.truncate(out.len() - (8 - rest));
            out.extend_from_slice(&first::<8>(&bytes[n - 8..]));
        }
    } else if n >= 4 {
        out.extend_from_slice(&first::<4>(bytes));
        out.truncate(out.len() - (8 - n));
        out.extend_from_slice(&first::<4>(&bytes[n - 4..]));
    } else {
        for &b in bytes {
            out.push(b);
        }
    }
}

/// The first `N` bytes of `bytes` (which has at least `N`) as an array:
/// a copy of a known size, a move rather than a call.
#[inline]
fn first<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut a = [0; N];
    a.copy_from_slice(&bytes[..N]);
    a
}

/// Appends `value` escaped for a label value.
fn escape_label_value(out: &mut Vec<u8>, value: &LabelValue) {
    // Nearly every value needs no escaping (known when it was made): copy
    // it whole.
    if !value.needs_escape() {
        put(out, value.as_bytes());
        return;
    }
    // Byte by byte: the escapes replace ASCII bytes, which never occur
    // inside a multi-byte UTF-8 sequence.
    for &b in value.as_bytes() {
        match b {
            b'\\' => put(out, b"\\\\"),
            b'"' => put(out, b"\\\""),
            b'\n' => put(out, b"\\n"),
            b => out.push(b),
        }
    }
}

/// Appends `text` escaped for a HELP line.
fn escape_help(out: &mut Vec<u8>, text: &str) {
    // The table's help texts need no escaping: copy them whole.
    if !contains_any(text.as_bytes(), [b'\\', b'\n', b'\n']) {
        put(out, text.as_bytes());
        return;
    }
    for &b in text.as_bytes() {
        match b {
            b'\\' => put(out, b"\\\\"),
            b'\n' => put(out, b"\\n"),
            b => out.push(b),
        }
    }
}

/// Appends `v` as the text format spells floats: `NaN`, `+Inf`, `-Inf`,
/// otherwise the shortest decimal that reads back as the same `f64`
/// (`Display` for f64).
pub fn write_value(out: &mut String, v: f64) {
    let mut text = Vec::with_capacity(24);
    put_value(&mut text, v);
    out.push_str(&String::from_utf8_lossy(&text));
}

/// [`write_value`] into the writer's bytes.
fn put_value(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        put(out, b"NaN");
    } else if v == f64::INFINITY {
        put(out, b"+Inf");
    } else if v == f64::NEG_INFINITY {
        put(out, b"-Inf");
    } else if let Some(i) = exact_integer(v) {
        // Counters are mostly whole numbers: integer formatting is cheaper
        // and writes the same digits as `Display` for f64.
        write_integer(out, i);
    } else if let Some((digits, scale)) = short_decimal(v) {
        // Readings in a kernel's fixed point (ticks / 100, millidegrees /
        // 1000): the same digits as `Display`, without its shortest-digits
        // search (about 600 instructions a value, callgrind).
        write_fixed_point(out, digits, scale);
    } else {
        // `Display` for f64 is the shortest representation that round-trips.
        let _ = write!(Put(out), "{v}");
    }
}

/// `core::fmt` output into the writer's bytes through [`put`] (`Display`
/// for f64 writes a number in several pieces).
struct Put<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Put<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        put(self.0, s.as_bytes());
        Ok(())
    }
}

/// The decimal digits of 0 to 99, two bytes each (`"00"`, `"01"`, ...,
/// `"99"`).
const DIGIT_PAIRS: [u8; 200] = {
    let mut pairs = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        pairs[2 * i] = b'0' + (i / 10) as u8;
        pairs[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    pairs
};

/// Appends `i` in decimal, as `Display` for `i64` writes it, without the
/// `core::fmt` machinery (a scrape writes about a thousand of them), two
/// digits per division as `core::fmt` does.
fn write_integer(out: &mut Vec<u8>, i: i64) {
    if i < 0 {
        out.push(b'-');
    }
    let mut n = i.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let pair = |n: u64| {
        let at = 2 * n as usize;
        [DIGIT_PAIRS[at], DIGIT_PAIRS[at + 1]]
    };
    while n >= 100 {
        at -= 2;
        digits[at..at + 2].copy_from_slice(&pair(n % 100));
        n /= 100;
    }
    if n >= 10 {
        at -= 2;
        digits[at..at + 2].copy_from_slice(&pair(n));
    } else {
        at -= 1;
        digits[at] = b'0' + n as u8;
    }
    put(out, &digits[at..]);
}

/// `v` as an `i64` when it is a whole number that `Display` for f64 writes
/// as the same digits: not `-0` (written `-0`), and within +-2^53, where
/// every integer is exact.
fn exact_integer(v: f64) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.fract() == 0.0 && v.abs() <= EXACT && !(v == 0.0 && v.is_sign_negative()) {
        Some(v as i64)
    } else {
        None
    }
}

/// Powers of ten a short decimal may be scaled by; each is exact in an f64.
const SHORT_DECIMAL_SCALES: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/// `v`, not zero and not a whole number, as `digits / 10^scale` with
/// `|digits| < 10^15` and `1 <= scale <= 9`, the smallest such scale,
/// when that quotient is `v` exactly as an f64: then the decimal
/// `digits * 10^-scale` is what `Display` for f64 writes.
///
/// Why: parsing that decimal rounds the exact quotient to the nearest f64,
/// as the division `digits / 10^scale` does (both operands are exact), so
/// it reads back as `v`; and two different decimals of at most 15
/// significant digits never read back as the same f64 (15 is `f64::DIGITS`),
/// so no shorter decimal reads back as `v`, and the shortest is unique:
/// these are the digits `Display`'s shortest-representation search finds.
/// The smallest scale leaves no trailing zero in the fraction. Values
/// below 10^-9 or with more digits are `None` (the caller uses `Display`).
fn short_decimal(v: f64) -> Option<(i64, usize)> {
    const LIMIT: f64 = 1e15;
    if v.fract() == 0.0 || v.is_nan() || v.abs() >= LIMIT {
        return None;
    }
    for (scale, &power) in SHORT_DECIMAL_SCALES.iter().enumerate().skip(1) {
        let digits = (v * power).round();
        if digits.abs() >= LIMIT {
            return None;
        }
        if digits / power == v {
            return Some((digits as i64, scale));
        }
    }
    None
}

/// Appends `digits * 10^-scale` (`1 <= scale <= 9`) in positional notation:
/// `-12.5`, `0.000104628`, as `Display` for f64 writes it.
fn write_fixed_point(out: &mut Vec<u8>, digits: i64, scale: usize) {
    if digits < 0 {
        out.push(b'-');
    }
    let n = digits.unsigned_abs();
    let unit = 10u64.pow(scale as u32);
    write_integer(out, (n / unit) as i64);
    let mut fraction = [b'0'; 10];
    fraction[0] = b'.';
    let mut rest = n % unit;
    for at in (1..=scale).rev() {
        fraction[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    put(out, &fraction[..=scale]);
}

/// A quick hasher for keys the exporter makes itself, not for keys an
/// adversary chooses to collide (the tables it serves are bounded): the
/// writer hashes a family's name by the address and length of its bytes
/// (samples of one table entry share the name's allocation, so a family is
/// found without reading its name), and [`crate::collect::Pattern`] the
/// names it has answered for, eight bytes at a time (with std's SipHash a
/// cached answer cost twice the instructions).
#[derive(Default)]
pub(crate) struct QuickHasher(u64);

impl std::hash::Hasher for QuickHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.write_u64(u64::from_le_bytes(first::<8>(word)));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(last));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        // Fibonacci hashing: the high bits of the product, which hashbrown
        // uses, depend on every bit of `n`.
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The order of `names` by text, stably: the positions of `names` in the
/// order the writer puts families by name, or series that differ only in
/// one label's value.
///
/// Collectors use it to emit samples in the writer's order (interfaces,
/// CPUs, counters), which leaves the writer nothing to sort.
pub fn name_order(names: &[&str]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    sort_by_text(&mut order, &|i| names[i]);
    order
}

/// Sorts the positions `order` by the text `text` gives for each, stably.
/// It is the one sort by text in the program (the writer's families,
/// [`name_order`]), taking the text through `dyn` rather than a generic
/// closure because each `sort_by` on another type or closure is another
/// copy of the standard library's sort in the binary (a few KB each).
fn sort_by_text<'a>(order: &mut [usize], text: &dyn Fn(usize) -> &'a str) {
    order.sort_by(|&a, &b| text_cmp(text(a), text(b)));
}

/// `a.cmp(b)` (byte order, as `str`'s `Ord`), eight bytes at a time.
/// Metric names share long prefixes (`node_network_receive_`), and musl's
/// `memcmp`, which `str`'s `Ord` calls, compares one byte per step.
fn text_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut ca, mut cb) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in ca.by_ref().zip(cb.by_ref()) {
        // Big-endian: the first differing byte decides, as in byte order.
        let word = |c: &[u8]| u64::from_be_bytes(c.try_into().unwrap_or([0; 8]));
        let (x, y) = (word(x), word(y));
        if x != y {
            return x.cmp(&y);
        }
    }
    // The rest of both after the common whole words.
    let done = a.len().min(b.len()) / 8 * 8;
    a[done..].iter().cmp(b[done..].iter())
}

/// The working lists of [`render_into`], kept between renders: once they
/// have grown to a scrape's size, the writer allocates nothing but the text
/// (and that too can be kept). With musl's allocator each of them, fresh,
/// is a fresh `mmap` and `munmap` on every scrape.
#[derive(Default)]
pub struct Scratch {
    /// The group of each name, by the address and length of its bytes.
    index: std::collections::HashMap<(usize, usize), usize, QuickHash>,
    /// Each group's first sample and size.
    groups: Vec<(usize, usize)>,
    /// Each sample's group.
    group_of: Vec<usize>,
    /// The groups by name (of the last render until the next one checks
    /// or replaces it).
    by_name: Vec<usize>,
    /// Where the next sample of each group goes.
    next: Vec<usize>,
    /// The samples' positions in exposition order: [`in_order`]'s answer.
    order: Vec<usize>,
    /// Whether two samples side by side in `order` have the same label
    /// values, which a duplicate series has: [`in_order`]'s answer.
    equal_neighbours: bool,
}

/// Builds [`QuickHasher`]s.
pub(crate) type QuickHash = std::hash::BuildHasherDefault<QuickHasher>;

/// Puts the positions of `samples` in exposition order into
/// `scratch.order`: families by name, samples within a family by label
/// values, stably (of two duplicates, the one given first comes first).
///
/// Rather than one sort of every sample, which compares names and label
/// values over and over, samples are grouped by the address of their name
/// (one table entry, one address), the ~300 groups sorted by name, the
/// samples placed group by group (a counting sort, without a list per
/// group), and each family sorted by labels only when the collector did
/// not already emit it in order.
fn in_order(samples: &[Sample], scratch: &mut Scratch) {
    let Scratch {
        index,
        groups,
        group_of,
        by_name,
        next,
        order,
        equal_neighbours,
    } = scratch;
    *equal_neighbours = false;
    index.clear();
    groups.clear();
    group_of.clear();
    // The group of the sample before: a collector emits a family's samples
    // one after another, so most samples need no look-up.
    let mut last: Option<((usize, usize), usize)> = None;
    for (i, s) in samples.iter().enumerate() {
        let name: &str = &s.name;
        let key = (name.as_ptr() as usize, name.len());
        let g = match last {
            Some((k, g)) if k == key => g,
            _ => *index.entry(key).or_insert_with(|| {
                groups.push((i, 0));
                groups.len() - 1
            }),
        };
        last = Some((key, g));
        groups[g].1 += 1;
        group_of.push(g);
    }
    let name = |g: usize| -> &str { &samples[groups[g].0].name };
    // Stable: groups of one name (names built by a collector, each its own
    // allocation) stay in the order they first appeared. A scrape mostly
    // has the families of the last one in the same order, so the last order
    // is checked first (one comparison per group rather than a sort).
    let still_sorted = by_name.len() == groups.len()
        && by_name.is_sorted_by(|&a, &b| text_cmp(name(a), name(b)).then(a.cmp(&b)).is_lt());
    if !still_sorted {
        by_name.clear();
        by_name.extend(0..groups.len());
        sort_by_text(by_name, &name);
    }
    // Where each group's samples start in the output.
    next.clear();
    next.resize(groups.len(), 0);
    let mut at = 0;
    for &g in by_name.iter() {
        next[g] = at;
        at += groups[g].1;
    }
    order.clear();
    order.resize(samples.len(), 0);
    for (i, &g) in group_of.iter().enumerate() {
        order[next[g]] = i;
        next[g] += 1;
    }
    let labels = |i: usize| &samples[i].labels;
    // Each family: the groups of one name, now side by side.
    let (mut start, mut g) = (0, 0);
    while g < by_name.len() {
        let family_name = name(by_name[g]);
        let mut end = start + groups[by_name[g]].1;
        let first = g;
        g += 1;
        while g < by_name.len() && name(by_name[g]) == family_name {
            end += groups[by_name[g]].1;
            g += 1;
        }
        let family = &mut order[start..end];
        if g - first > 1 {
            // Several groups: back to the order the samples were given.
            family.sort_unstable();
        }
        // Strictly increasing (no two series with the same values) is the
        // rule; otherwise sort and let the writer look for duplicates.
        if !family.is_sorted_by(|&a, &b| value_cmp(labels(a), labels(b)).is_lt()) {
            family.sort_by(|&a, &b| value_cmp(labels(a), labels(b)));
            *equal_neighbours |= family
                .windows(2)
                .any(|w| value_cmp(labels(w[0]), labels(w[1])).is_eq());
        }
        start = end;
    }
}

/// Label lists in the order of their values, compared as texts one after
/// the other (a shorter list first where one begins the other): the order
/// of a family's samples. A value shared by both (the same device's, one
/// allocation) is equal without reading it.
fn value_cmp(a: &Labels, b: &Labels) -> std::cmp::Ordering {
    for ((_, x), (_, y)) in a.iter().zip(b.iter()) {
        let (x, y) = (x.as_str(), y.as_str());
        if std::ptr::eq(x, y) {
            continue;
        }
        match x.cmp(y) {
            std::cmp::Ordering::Equal => {}
            unequal => return unequal,
        }
    }
    a.len().cmp(&b.len())
}

/// Whether two samples of one family are the same series: the same labels
/// with the same values. Values are compared first (they are what differs
/// between the series of a family); a label name from the metric table is
/// equal by address.
fn same_series(a: &Labels, b: &Labels) -> bool {
    a.len() == b.len()
        && a.iter().zip(b.iter()).all(|((an, av), (bn, bv))| {
            av.as_str() == bv.as_str()
                && ((an.as_ptr() == bn.as_ptr() && an.len() == bn.len()) || an == bn)
        })
}

/// About how many bytes [`render`] writes for `samples` in `order` (a
/// little more, so that the text is written without growing and copying
/// it): each sample's name, labels and a value of up to 24 characters, and
/// each family's HELP and TYPE lines.
fn size_hint(samples: &[Sample], order: &[usize]) -> usize {
    let mut bytes = 0;
    let mut current: Option<&str> = None;
    for s in order.iter().map(|&i| &samples[i]) {
        let name: &str = &s.name;
        if current.is_none_or(|c| !std::ptr::eq(c, name)) {
            current = Some(name);
            bytes += 2 * name.len() + s.metric.help.len() + 32;
        }
        bytes += name.len() + 28;
        for (n, v) in s.labels.iter() {
            bytes += n.len() + v.len() + 4;
        }
    }
    bytes
}

/// Renders `samples` as one exposition document.
///
/// Samples of the same metric may come in any order and from several
/// collectors; they are grouped and sorted here. Two samples with the same
/// metric and label values would be a duplicate series that Prometheus
/// rejects; the first is kept and the later ones are dropped with a warning.
pub fn render(samples: &[Sample]) -> String {
    let mut out = String::new();
    render_into(samples, &mut out, &mut Scratch::default());
    out
}

/// [`render`] into `out`, which is cleared first and keeps its allocation,
/// with the working lists of `scratch`: the server renders each scrape
/// into the text buffer and lists of the last one rather than new ones
/// (with musl's allocator, a fresh buffer of a scrape's size is an `mmap`,
/// zeroed page by page as it is written, and a `munmap`).
pub fn render_into(samples: &[Sample], out: &mut String, scratch: &mut Scratch) {
    in_order(samples, scratch);
    let mut text = std::mem::take(out).into_bytes();
    text.clear();
    text.reserve(size_hint(samples, &scratch.order));
    write_samples(samples, &scratch.order, scratch.equal_neighbours, &mut text);
    // Everything written is UTF-8 (`str`s, and ASCII escapes in place of
    // ASCII bytes), so this only checks it (about one instruction a byte).
    *out = String::from_utf8(text)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
}

/// Writes `samples` in `order` as text format lines into `out`, leaving
/// out a duplicate series where two samples side by side may have the same
/// label values (`equal_neighbours`).
fn write_samples(samples: &[Sample], order: &[usize], equal_neighbours: bool, out: &mut Vec<u8>) {
    let mut current: Option<&str> = None;
    let mut previous: Option<&Sample> = None;
    for s in order.iter().map(|&i| &samples[i]) {
        // A family's samples mostly share their name's address: compare
        // the text only when it differs.
        let same_name = current.is_some_and(|c| std::ptr::eq(c, s.name.as_ref()) || c == s.name);
        if !same_name {
            current = Some(s.name.as_ref());
            put(out, b"# HELP ");
            put(out, s.name.as_bytes());
            out.push(b' ');
            escape_help(out, s.metric.help);
            put(out, b"\n# TYPE ");
            put(out, s.name.as_bytes());
            out.push(b' ');
            put(out, s.metric.kind.as_str().as_bytes());
            out.push(b'\n');
        } else if equal_neighbours && previous.is_some_and(|p| same_series(&p.labels, &s.labels)) {
            log::warn!("dropping duplicate series {}{:?}", s.name, s.labels);
            continue;
        }
        previous = Some(s);
        put(out, s.name.as_bytes());
        if !s.labels.is_empty() {
            out.push(b'{');
            for (i, (name, value)) in s.labels.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                put(out, name.as_bytes());
                put(out, b"=\"");
                escape_label_value(out, value);
                out.push(b'"');
            }
            out.push(b'}');
        }
        out.push(b' ');
        put_value(out, s.value);
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{
        CPU_USAGE_PERCENT, DISKIO_READS_COMPLETED_TOTAL, GPU_INFO, NETWORK_RECEIVE_BYTES_TOTAL,
    };

    fn value(v: f64) -> String {
        let mut s = String::new();
        write_value(&mut s, v);
        s
    }

    #[test]
    fn whole_numbers_are_written_as_display_writes_them() {
        let edge = 9_007_199_254_740_992.0;
        for v in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            42.0,
            1e15,
            -1e15,
            edge,
            -edge,
            edge * 2.0,
            1e300,
            0.5,
            -2.5,
            98543210987.0,
            3898782000.0,
        ] {
            assert_eq!(value(v), format!("{v}"), "{v:?}");
        }
    }

    #[test]
    fn short_decimals_are_written_as_display_writes_them() {
        let mut cases = vec![
            0.5,
            -0.5,
            0.1,
            0.2,
            0.3,
            41.7,
            -3.5,
            1e-7,
            1e-9,
            1.1e-9,
            9e-10,
            0.000104628,
            5.663464583333333,
            3353.06155,
            25899.17,
            0.67,
            1.0 / 3.0,
            2.0 / 3.0,
            999_999_999_999_999.9,
            99_999_999_999_999.9,
            123_456.789_012_345_6,
            1e15 - 0.5,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            -f64::EPSILON,
        ];
        // Every kernel fixed point the collectors divide by, over a range
        // of readings, and neighbours one ulp away (no short decimal).
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let reading = (x >> 11) % 10u64.pow(1 + (x % 16) as u32);
            let v = reading as f64 / SHORT_DECIMAL_SCALES[1 + (x % 9) as usize];
            let v = if x & (1 << 40) != 0 { -v } else { v };
            cases.extend([v, f64::from_bits(v.to_bits() + 1), f64::from_bits(x)]);
        }
        for v in cases {
            let mut s = Vec::new();
            put_value(&mut s, v);
            assert_eq!(String::from_utf8(s).unwrap(), format!("{v}"), "{v:?}");
        }
        assert_eq!(short_decimal(0.000104628), Some((104628, 9)));
        assert_eq!(short_decimal(-12.5), Some((-125, 1)));
        assert_eq!(short_decimal(1.0 / 3.0), None);
        assert_eq!(short_decimal(-0.0), None);
        assert_eq!(short_decimal(5.0), None, "a whole number is not one");
        assert_eq!(short_decimal(1e-10), None);
    }

    #[test]
    fn integers_are_written_as_display_writes_them() {
        // Every number of up to five digits (two digits are written per
        // division, so each length and remainder), powers of ten around.
        let mut values: Vec<i64> = (-1_000..100_000).collect();
        values.extend([i64::MAX, i64::MIN, i64::MIN + 1]);
        let mut x: i64 = 1;
        for _ in 0..19 {
            values.extend([x - 1, x, x + 1, -x, -(x - 1)]);
            x = x.saturating_mul(10);
        }
        for i in values {
            let mut s = Vec::new();
            write_integer(&mut s, i);
            assert_eq!(s, i.to_string().as_bytes());
        }
    }

    #[test]
    fn help_is_escaped_only_where_it_needs_it() {
        let mut s = Vec::new();
        escape_help(&mut s, "plain text");
        escape_help(&mut s, " a\\b\nc");
        assert_eq!(s, b"plain text a\\\\b\\nc");
    }

    #[test]
    fn special_and_ordinary_values() {
        assert_eq!(value(f64::NAN), "NaN");
        assert_eq!(value(f64::INFINITY), "+Inf");
        assert_eq!(value(f64::NEG_INFINITY), "-Inf");
        assert_eq!(value(0.0), "0");
        assert_eq!(value(41.7), "41.7");
        assert_eq!(value(130663165952.0), "130663165952");
        assert_eq!(value(-3.5), "-3.5");
        assert_eq!(value(1e-7), "0.0000001");
        for v in [0.1, 5.663464583333333, 3353.06155, 1e300, f64::MIN_POSITIVE] {
            assert_eq!(value(v).parse::<f64>().unwrap(), v, "round trip {v}");
        }
    }

    #[test]
    fn hostile_label_values_are_escaped() {
        let s = Sample::new(
            &GPU_INFO,
            vec![("gpu", "0".into()), ("name", "a\"b\\c\nd}".into())],
            1.0,
        );
        let text = render(&[s]);
        assert!(
            text.contains(r#"gpu_info{gpu="0",name="a\"b\\c\nd}"} 1"#),
            "{text}"
        );
        assert_eq!(
            text.lines().count(),
            3,
            "the newline must not break the line"
        );
    }

    #[test]
    fn families_are_contiguous_sorted_and_headed_once() {
        let samples = vec![
            Sample::new(
                &NETWORK_RECEIVE_BYTES_TOTAL,
                vec![("interface", "wlP9s9".into())],
                2.0,
            ),
            Sample::new(&CPU_USAGE_PERCENT, vec![], 5.0),
            Sample::new(
                &NETWORK_RECEIVE_BYTES_TOTAL,
                vec![("interface", "enP7s7".into())],
                1.0,
            ),
            Sample::new(
                &DISKIO_READS_COMPLETED_TOTAL,
                vec![("device", "nvme0n1".into())],
                3.0,
            ),
        ];
        let text = render(&samples);
        let names: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("# TYPE"))
            .map(|l| l.split(' ').nth(2).unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "cpu_usage_percent",
                "diskio_reads_completed_total",
                "network_receive_bytes_total"
            ]
        );
        let net: Vec<&str> = text.lines().filter(|l| l.starts_with("network_")).collect();
        assert_eq!(
            net,
            [
                "network_receive_bytes_total{interface=\"enP7s7\"} 1",
                "network_receive_bytes_total{interface=\"wlP9s9\"} 2"
            ]
        );
        assert_eq!(render(&samples), text, "deterministic");
    }

    #[test]
    fn duplicate_series_are_written_once() {
        let s = Sample::new(&CPU_USAGE_PERCENT, vec![], 5.0);
        let text = render(&[s.clone(), s]);
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("cpu_usage_percent"))
                .count(),
            1
        );
    }

    #[test]
    fn contains_any_finds_each_target_at_every_position() {
        let targets = [b'\\', b'"', b'\n'];
        for len in 0..20 {
            let plain = vec![b'a'; len];
            assert!(!contains_any(&plain, targets), "{len} plain bytes");
            for at in 0..len {
                for t in targets {
                    let mut b = plain.clone();
                    b[at] = t;
                    assert!(contains_any(&b, targets), "{t} at {at} of {len}");
                }
                // Bytes next to the targets' values and high bytes are not
                // mistaken for them.
                for near in [b'[', b']', b'!', b'#', 0x0b, 0x09, 0x80, 0xdc, 0xff] {
                    let mut b = plain.clone();
                    b[at] = near;
                    assert!(!contains_any(&b, targets), "{near} at {at} of {len}");
                }
            }
        }
    }

    fn values(labels: &Labels) -> Vec<&str> {
        labels.iter().map(|(_, v)| v.as_str()).collect()
    }

    #[test]
    fn labels_past_the_inline_ones_spill_in_order() {
        let names = ["a", "b", "c", "d", "e"];
        for n in 0..=names.len() {
            let given: Vec<Label> = names[..n].iter().map(|&l| (l, l.into())).collect();
            let from_vec = Labels::from(given.clone());
            let from_iter: Labels = given.iter().cloned().collect();
            assert_eq!(values(&from_vec), names[..n], "from a Vec of {n}");
            assert_eq!(from_vec, from_iter, "{n} labels, either way");
            assert_eq!(from_vec.len(), n);
        }
        let four = Labels::from([
            ("a", "1".into()),
            ("b", "2".into()),
            ("c", "3".into()),
            ("d", "4".into()),
        ]);
        assert_eq!(values(&four), ["1", "2", "3", "4"]);
    }

    #[test]
    fn a_label_inserted_first_shifts_the_others_inline_or_spilled() {
        let mut two = Labels::from([("a", "1".into()), ("b", "2".into())]);
        two.insert(0, ("host", "h".into()));
        assert_eq!(values(&two), ["h", "1", "2"], "still inline");
        let mut three = two.clone();
        three.insert(0, ("x", "x".into()));
        assert_eq!(values(&three), ["x", "h", "1", "2"], "spilled");
        three.insert(2, ("y", "y".into()));
        assert_eq!(values(&three), ["x", "h", "y", "1", "2"]);
        let mut none = Labels::NONE;
        none.insert(0, ("only", "o".into()));
        assert_eq!(values(&none), ["o"]);
    }

    #[test]
    fn label_values_compare_by_text_whatever_they_hold() {
        let shared = LabelValue::new("up");
        assert_eq!(shared, LabelValue::from("up"));
        assert_eq!(shared, "up");
        assert_eq!(shared.clone(), LabelValue::from("up".to_string()));
        assert!(LabelValue::from("a").cmp(&LabelValue::new("b")).is_lt());
        assert_eq!(format!("{shared:?} {shared}"), "\"up\" up");
    }

    #[test]
    fn the_size_hint_covers_what_is_written() {
        let samples = vec![
            Sample::new(&CPU_USAGE_PERCENT, Labels::NONE, 0.1 + 0.2),
            Sample::new(
                &NETWORK_RECEIVE_BYTES_TOTAL,
                [("interface", "enP7s7".into())],
                -1.5e15,
            ),
            Sample::new(
                &NETWORK_RECEIVE_BYTES_TOTAL,
                [("interface", "wlP9s9".into())],
                f64::NEG_INFINITY,
            ),
            Sample::new(
                &GPU_INFO,
                vec![
                    ("gpu", "0".into()),
                    ("uuid", "GPU-5b2e3f1a-0000-0000-0000-000000000000".into()),
                    ("name", "NVIDIA GB10".into()),
                    ("driver_version", "580.95.05".into()),
                    ("pci_bus_id", "0000000F:01:00.0".into()),
                ],
                1.0,
            ),
        ];
        let text = render(&samples);
        let mut scratch = Scratch::default();
        in_order(&samples, &mut scratch);
        assert!(size_hint(&samples, &scratch.order) >= text.len(), "{text}");
    }

    #[test]
    fn put_copies_every_length() {
        let text: Vec<u8> = (0..80u8).map(|i| b'!' + i).collect();
        for n in 0..=text.len() {
            let mut out = b"head:".to_vec();
            put_in_words(&mut out, &text[..n]);
            put_in_words(&mut out, b"|");
            assert_eq!(out, [&b"head:"[..], &text[..n], b"|"].concat(), "{n}");
        }
    }

    #[test]
    fn a_kept_scratch_orders_each_render_as_a_fresh_one() {
        let sample = |m: &'static Metric, dev: &str| {
            Sample::new(m, [("interface", LabelValue::new(dev))], 1.0)
        };
        let a = vec![
            sample(&NETWORK_RECEIVE_BYTES_TOTAL, "b"),
            sample(&CPU_USAGE_PERCENT, "x"),
            sample(&NETWORK_RECEIVE_BYTES_TOTAL, "a"),
        ];
        // The same families, another order of first appearance.
        let b = vec![
            sample(&CPU_USAGE_PERCENT, "x"),
            sample(&NETWORK_RECEIVE_BYTES_TOTAL, "a"),
        ];
        // Two groups of one name (built names), then a third family.
        let built = |dev: &str| {
            let mut s = sample(&NETWORK_RECEIVE_BYTES_TOTAL, dev);
            s.name = Cow::Owned("node_memory_Active_bytes".to_string());
            s
        };
        let c = vec![built("z"), sample(&GPU_INFO, "g"), built("y")];
        let mut scratch = Scratch::default();
        for samples in [&a, &a, &b, &c, &c, &a, &b, &b] {
            let mut out = String::new();
            render_into(samples, &mut out, &mut scratch);
            assert_eq!(out, render(samples));
        }
    }

    #[test]
    fn value_cmp_is_the_order_of_the_value_texts() {
        let shared = LabelValue::new("eth0");
        let lists: Vec<Labels> = vec![
            Labels::NONE,
            [("device", shared.clone())].into(),
            [("device", LabelValue::new("eth0"))].into(),
            [("device", shared.clone()), ("mode", "idle".into())].into(),
            [("device", shared.clone()), ("mode", "user".into())].into(),
            [("device", "eth1".into()), ("mode", "idle".into())].into(),
            [("device", "eth".into()), ("mode", "z".into())].into(),
            [
                ("a", "x".into()),
                ("b", "y".into()),
                ("c", "z".into()),
                ("d", "".into()),
            ]
            .into(),
            [("a", "x".into()), ("b", "y".into()), ("c", "z".into())].into(),
        ];
        let texts = |l: &Labels| {
            l.iter()
                .map(|(_, v)| v.as_str().to_string())
                .collect::<Vec<_>>()
        };
        for a in &lists {
            for b in &lists {
                assert_eq!(value_cmp(a, b), texts(a).cmp(&texts(b)), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn text_cmp_is_strs_order() {
        let words = [
            "",
            "a",
            "node_network_receive_bytes_total",
            "node_network_receive_bytes",
            "node_network_receive_bytes_total_",
            "node_network_receive_drop_total",
            "node_network_transmit_bytes_total",
            "node_networK_receive_bytes_total",
            "node_netwo",
            "node_netwo\u{e9}",
            "node_netwo\u{7f}",
            "node_cpu_seconds_total",
            "node_cpu_seconds_totaL",
            "12345678",
            "123456789",
            "12345677",
        ];
        for a in words {
            for b in words {
                assert_eq!(text_cmp(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
        let mut names = words.to_vec();
        let order = name_order(&names);
        names.sort();
        assert_eq!(order.iter().map(|&i| words[i]).collect::<Vec<_>>(), names);
    }

    #[test]
    fn empty_input_renders_nothing() {
        assert_eq!(render(&[]), "");
    }
}
