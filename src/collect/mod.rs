//! Collectors: read through the [`Root`], parse, and map to [`Sample`]s of
//! the metrics in [`crate::metrics`]. Collectors never format text; the
//! [`crate::expo`] writer does.
//!
//! [`Exporter`] runs the enabled collectors for one scrape, times each one,
//! reports `dgx_spark_exporter_collector_success` and `_duration_seconds`,
//! adds the `host` label to the Spark contract metrics, and appends the
//! exporter's own `process_*` metrics and build info. A collector that fails
//! keeps the samples it did read, reports 0, and is logged once per change
//! of its error, never failing or delaying the rest of the scrape.

pub mod cpu;
pub mod cpufreq;
pub mod diskstats;
pub mod filesystem;
pub mod gpu;
pub mod hwmon;
pub mod infiniband;
pub mod jetson;
pub mod loadavg;
pub mod meminfo;
pub mod netclass;
pub mod netdev;
pub mod network;
pub mod nvme;
pub mod platform;
pub mod pressure;
pub mod process;
pub mod rpi;
pub mod stat;
pub mod thermal;
pub mod thermal_zone;
pub mod uname;
pub mod updates;

use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use regex_lite::Regex;

use crate::expo::{LabelValue, Sample};
use crate::metrics;
use crate::root::{CollectError, Root, lock};

/// The collectors, each switched with `--collector.<name>` /
/// `--no-collector.<name>`. Where a node_exporter collector of the same
/// name reads the same source, one collector serves both the Spark
/// contract metric and node_exporter's families (`cpu`, `cpufreq`,
/// `meminfo`, `diskstats`, `filesystem`), so the flag switches both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Collector {
    /// `cpu_usage_percent`, `node_cpu_seconds_total`,
    /// `node_cpu_guest_seconds_total` from `/proc/stat`.
    Cpu,
    /// node_exporter's `stat`: boot time, context switches, forks,
    /// interrupts, process counts from `/proc/stat`.
    Stat,
    /// `cpu_frequency_mhz` and node_exporter's cpufreq families.
    Cpufreq,
    /// `cpu_temperature_celsius` from thermal zones.
    Thermal,
    /// node_exporter's `thermal_zone`: every zone and cooling device.
    ThermalZone,
    /// node_exporter's `hwmon`: every hardware monitoring chip.
    Hwmon,
    /// The `gpu_*` metrics from `nvidia-smi`.
    Gpu,
    /// `memory_*` and `node_memory_*` from `/proc/meminfo`.
    Meminfo,
    /// node_exporter's `loadavg`: `node_load{1,5,15}`.
    Loadavg,
    /// node_exporter's `pressure`: PSI totals.
    Pressure,
    /// `diskio_*` and `node_disk_*` from `/proc/diskstats`.
    Diskstats,
    /// `storage_used_percent` and `node_filesystem_*` from the mount table
    /// and `statvfs`.
    Filesystem,
    /// `network_*` from `/sys/class/net`.
    Network,
    /// node_exporter's `netdev`: `/proc/net/dev` counters.
    Netdev,
    /// node_exporter's `netclass`: `/sys/class/net` attributes.
    Netclass,
    /// node_exporter's `infiniband` and the RDMA exporter's
    /// `rdma_port_stat_total`.
    Infiniband,
    /// node_exporter's `uname`: `node_uname_info`.
    Uname,
    /// `dgx_spark_exporter_platform_info`: which board this is.
    Platform,
    /// NVIDIA Jetson: the contract GPU gauges from sysfs and `jetson_*`.
    /// Active only where Jetson files exist.
    Jetson,
    /// Raspberry Pi: throttling, fan, ADC, power supply (`rpi_*`). Active
    /// only where Pi files exist.
    Rpi,
    /// NVMe health from the SMART / health log page (`nvme_*`). Active only
    /// where NVMe controllers exist and the log page can be read.
    Nvme,
    /// Pending package updates and reboot-required (`apt_*`,
    /// `node_reboot_required`).
    Updates,
}

impl Collector {
    /// Every collector, in the order they run.
    pub const ALL: [Collector; 22] = [
        Collector::Cpu,
        Collector::Stat,
        Collector::Cpufreq,
        Collector::Thermal,
        Collector::ThermalZone,
        Collector::Hwmon,
        Collector::Gpu,
        Collector::Meminfo,
        Collector::Loadavg,
        Collector::Pressure,
        Collector::Diskstats,
        Collector::Filesystem,
        Collector::Network,
        Collector::Netdev,
        Collector::Netclass,
        Collector::Infiniband,
        Collector::Uname,
        Collector::Platform,
        Collector::Jetson,
        Collector::Rpi,
        Collector::Nvme,
        Collector::Updates,
    ];

    /// The name used in flags and in the `collector` label.
    pub fn name(self) -> &'static str {
        match self {
            Collector::Cpu => "cpu",
            Collector::Stat => "stat",
            Collector::Cpufreq => "cpufreq",
            Collector::Thermal => "thermal",
            Collector::ThermalZone => "thermal_zone",
            Collector::Hwmon => "hwmon",
            Collector::Gpu => "gpu",
            Collector::Meminfo => "meminfo",
            Collector::Loadavg => "loadavg",
            Collector::Pressure => "pressure",
            Collector::Diskstats => "diskstats",
            Collector::Filesystem => "filesystem",
            Collector::Network => "network",
            Collector::Netdev => "netdev",
            Collector::Netclass => "netclass",
            Collector::Infiniband => "infiniband",
            Collector::Uname => "uname",
            Collector::Platform => "platform",
            Collector::Jetson => "jetson",
            Collector::Rpi => "rpi",
            Collector::Nvme => "nvme",
            Collector::Updates => "updates",
        }
    }
}

/// node_exporter's default `--collector.diskstats.device-exclude`
/// (collector/diskstats_linux.go, 1.6+): partitions, loop, RAM and floppy
/// devices, so each disk is counted once.
pub const DEFAULT_DISK_EXCLUDE: &str = r"^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$";

/// Default `--collector.thermal.cpu-zone-type`: thermal zone types that track
/// the CPU or SoC die (`acpitz` on a DGX Spark, `cpu-thermal`/`CPU-therm`,
/// `soc0-thermal`, `tj-thermal` on Jetson and Pi, `x86_pkg_temp` on Intel).
pub const DEFAULT_CPU_ZONE_TYPE: &str = r"(?i)^(acpitz|cpu|soc|tj|x86_pkg_temp)";

/// node_exporter's default `--collector.netclass.ignored-devices`: none.
pub const DEFAULT_NETCLASS_IGNORED: &str = "^$";

/// Default `--collector.cpu.usage-window`.
pub const DEFAULT_USAGE_WINDOW: Duration = Duration::from_secs(5);

/// Collector settings, validated from the flags.
#[derive(Debug, Clone)]
pub struct Options {
    /// Collectors switched on.
    pub enabled: Vec<Collector>,
    /// Add `host="<hostname>"` to the contract metrics.
    pub host_label: bool,
    /// The span `cpu_usage_percent` covers.
    pub cpu_usage_window: Duration,
    /// Thermal zone types counted as CPU temperature.
    pub cpu_zone_type: Regex,
    /// Interfaces to report; `None`: every interface that is up and backed
    /// by a device.
    pub network_interfaces: Option<Regex>,
    /// Block devices not to report.
    pub disk_exclude: Regex,
    /// Interfaces `netdev` does not report.
    pub netdev_exclude: Regex,
    /// Interfaces `netclass` does not report.
    pub netclass_ignored: Regex,
    /// Mounts `filesystem` does not report.
    pub filesystem_exclude: filesystem::Exclusions,
    /// `--collector.gpu.interval` and `--collector.gpu.timeout`, for the
    /// streaming `nvidia-smi` of a server.
    pub gpu_stream: gpu::stream::Settings,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            enabled: Collector::ALL.to_vec(),
            host_label: true,
            cpu_usage_window: DEFAULT_USAGE_WINDOW,
            cpu_zone_type: Regex::new(DEFAULT_CPU_ZONE_TYPE).expect("valid built-in regex"),
            network_interfaces: None,
            disk_exclude: Regex::new(DEFAULT_DISK_EXCLUDE).expect("valid built-in regex"),
            netdev_exclude: Regex::new(netdev::DEFAULT_NETDEV_EXCLUDE)
                .expect("valid built-in regex"),
            netclass_ignored: Regex::new(DEFAULT_NETCLASS_IGNORED).expect("valid built-in regex"),
            filesystem_exclude: filesystem::Exclusions::default(),
            gpu_stream: gpu::stream::Settings::default(),
        }
    }
}

/// A name pattern from the command line (`--collector.diskstats.device-exclude`
/// and the like) with its answers so far.
///
/// The same few dozen names (disks, interfaces, zone types) come back on
/// every scrape, and a `regex_lite` match costs microseconds (a twentieth
/// of a collection of `fixtures/spark`, callgrind), so each name's answer is
/// kept; all are forgotten once more than [`MAX_PATTERN_ANSWERS`] are kept
/// (containers come and go with interfaces of their own).
#[derive(Debug)]
pub struct Pattern {
    regex: Regex,
    answers: Mutex<HashMap<String, bool, crate::expo::QuickHash>>,
}

impl Clone for Pattern {
    /// The same pattern, with no answers yet.
    fn clone(&self) -> Pattern {
        Pattern::new(self.regex.clone())
    }
}

/// At most this many answers of one [`Pattern`] are kept.
pub const MAX_PATTERN_ANSWERS: usize = 1024;

impl Pattern {
    /// `regex` with no answers yet.
    pub fn new(regex: Regex) -> Pattern {
        Pattern {
            regex,
            answers: Mutex::new(HashMap::default()),
        }
    }

    /// Whether `name` matches, as [`Regex::is_match`] answers.
    pub fn is_match(&self, name: &str) -> bool {
        if let Some(&answer) = lock(&self.answers).get(name) {
            return answer;
        }
        let answer = self.regex.is_match(name);
        let mut answers = lock(&self.answers);
        if answers.len() >= MAX_PATTERN_ANSWERS {
            answers.clear();
        }
        answers.insert(name.to_string(), answer);
        answer
    }

    /// The pattern as given, for messages.
    pub fn as_str(&self) -> &str {
        self.regex.as_str()
    }
}

/// What a collector keeps about the devices of one class directory
/// (`/sys/class/hwmon`, `/sys/class/infiniband`) because it does not change
/// while they exist: read once, and again only when the directory's set of
/// entries changes (a driver loaded or unloaded, a device added).
#[derive(Debug)]
pub struct ScanCache<T> {
    entries: Vec<String>,
    items: Vec<T>,
}

impl<T> Default for ScanCache<T> {
    fn default() -> Self {
        ScanCache {
            entries: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T> ScanCache<T> {
    /// Keeps the items when `entries` (the directory's listing now) equals
    /// the last listing; otherwise scans every entry again with `scan`
    /// (`Ok(None)`: not a device, skipped).
    ///
    /// Errors: the last failing `scan`; the items of the other entries are
    /// kept, and every entry is scanned again on the next call.
    pub fn refresh(
        &mut self,
        entries: Vec<String>,
        mut scan: impl FnMut(&str) -> Result<Option<T>, CollectError>,
    ) -> Result<(), CollectError> {
        if self.entries == entries {
            return Ok(());
        }
        let mut result = Ok(());
        self.items.clear();
        for entry in &entries {
            match scan(entry) {
                Ok(Some(item)) => self.items.push(item),
                Ok(None) => {}
                Err(e) => result = Err(e),
            }
        }
        self.entries = if result.is_ok() { entries } else { Vec::new() };
        result
    }

    /// The items of the last scan.
    pub fn items(&self) -> &[T] {
        &self.items
    }
}

/// A board collector's start-up check: `Err` gives the reason it stays
/// inactive on this root.
type Detect = fn(&Root) -> Result<(), String>;

/// Relative path of the hostname used for the `host` label.
const HOSTNAME_FILE: &str = "proc/sys/kernel/hostname";

/// The state of [`Exporter::render_shared`]: collections started and the
/// last one finished.
#[derive(Default)]
struct Coalesce {
    /// Collections started so far; the running one, if any, is this number.
    started: u64,
    /// Whether a collection is running.
    running: bool,
    /// The number and exposition of the last finished collection.
    last: Option<(u64, Arc<String>)>,
    /// Callers waiting for a collection.
    waiting: usize,
}

/// The buffers of the last scrape, kept for the next: with musl's
/// allocator, a fresh buffer of a scrape's size (tens of KB) is an `mmap`
/// whose pages the kernel zeroes one by one as they are written, then a
/// `munmap`, on every scrape. Only their allocations are kept; each is
/// empty between scrapes.
#[derive(Default)]
struct Spare {
    /// The sample list of [`Exporter::collect`].
    samples: Vec<Sample>,
    /// The text of [`Exporter::render`], given back by
    /// [`Exporter::recycle`] once it has been sent.
    text: String,
    /// The writer's working lists.
    scratch: crate::expo::Scratch,
}

/// CPU numbers whose label value [`cpu_label`] keeps; the kernel's
/// `NR_CPUS` is at most 8192 (`CONFIG_NR_CPUS`, arm64 and x86_64 with
/// `MAXSMP`), so any real CPU fits and garbage cannot grow the table.
const CPU_LABELS_KEPT: u32 = 8192;

/// The label value of CPU number `n` (`"0"`, `"12"`), made once and shared
/// by every later scrape: the `cpu` and `cpufreq` collectors label some
/// two hundred samples a scrape on a Spark with the CPUs' numbers, and made
/// two allocations per CPU for it. Numbers from `CPU_LABELS_KEPT` up are
/// made fresh each time.
pub fn cpu_label(n: u32) -> LabelValue {
    static KEPT: Mutex<std::collections::BTreeMap<u32, LabelValue>> =
        Mutex::new(std::collections::BTreeMap::new());
    if n >= CPU_LABELS_KEPT {
        return n.to_string().into();
    }
    lock(&KEPT)
        .entry(n)
        .or_insert_with(|| n.to_string().into())
        .clone()
}

/// What more than one collector reads in one scrape, read by whichever
/// asks first and kept until the scrape ends: `/proc/stat` (`cpu`,
/// `stat`), parsed once, and `/sys/class/thermal` (`thermal`,
/// `thermal_zone`, `jetson`), listed once with each zone file read at most
/// once (see [`thermal::Thermal`]). The collectors of a scrape then see one
/// snapshot of these files, and the kernel formats `/proc/stat` (an `intr`
/// line with a count per interrupt) and reads each thermal sensor once a
/// scrape instead of two or three times. A read that failed fails every
/// collector that asks, with the same error ([`CollectError::again`]).
#[derive(Default)]
pub struct Scrape {
    stat: OnceCell<Result<crate::parse::stat::Stat, CollectError>>,
    thermal: OnceCell<Result<thermal::Thermal, CollectError>>,
}

impl Scrape {
    /// `/proc/stat` ([`cpu::STAT_FILE`]) parsed.
    ///
    /// Errors: the file is unreadable or malformed.
    pub fn stat(&self, root: &Root) -> Result<&crate::parse::stat::Stat, CollectError> {
        self.stat
            .get_or_init(|| root.read_parsed(cpu::STAT_FILE, crate::parse::stat::parse))
            .as_ref()
            .map_err(CollectError::again)
    }

    /// `/sys/class/thermal` listed ([`thermal::Thermal::list`]).
    ///
    /// Errors: the directory exists but cannot be listed.
    pub fn thermal(&self, root: &Root) -> Result<&thermal::Thermal, CollectError> {
        self.thermal
            .get_or_init(|| thermal::Thermal::list(root))
            .as_ref()
            .map_err(CollectError::again)
    }
}

/// Everything one exporter needs across scrapes.
pub struct Exporter {
    root: Root,
    opts: Options,
    active: Vec<Collector>,
    cpu_usage: Mutex<cpu::UsageTracker>,
    gpu: gpu::Gpu,
    hwmon: Mutex<hwmon::Cache>,
    infiniband: Mutex<infiniband::Cache>,
    jetson: Mutex<jetson::Seen>,
    rpi: Mutex<rpi::Cache>,
    process: process::Process,
    /// Ticks per second of the `/proc/stat` CPU times.
    user_hz: u64,
    /// Last error message per collector (and for the hostname), to log each
    /// problem once rather than on every scrape.
    last_errors: Mutex<HashMap<&'static str, String>>,
    started: Instant,
    coalesce: Mutex<Coalesce>,
    /// Signalled when a collection of [`Exporter::render_shared`] ends.
    coalesced: Condvar,
    /// The name patterns of [`Options`], with their answers kept.
    cpu_zone_type: Pattern,
    network_interfaces: Option<Pattern>,
    disk_exclude: Pattern,
    netdev_exclude: Pattern,
    netclass_ignored: Pattern,
    /// How many samples the last collection made: the next one reserves
    /// that much at once rather than growing its list five times (each
    /// growth copies every sample so far).
    last_len: AtomicUsize,
    spare: Mutex<Spare>,
}

impl Exporter {
    /// An exporter reading `root` with `opts`. An enabled GPU collector is
    /// dropped, with one info log line, on a host without a GPU: no
    /// `nvidia-smi` at all, or one that lists no GPU (see
    /// [`gpu::Gpu::host_has_gpu`]).
    pub fn new(root: Root, opts: Options) -> Exporter {
        let mut active = opts.enabled.clone();
        let gpu = gpu::Gpu::default();
        if active.contains(&Collector::Gpu) {
            if let Err(why) = gpu.host_has_gpu(&root) {
                log::info!("{why}: GPU collector inactive");
                active.retain(|c| *c != Collector::Gpu);
            }
        }
        // Board collectors turn themselves on where their files exist.
        let boards: [(Collector, Detect); 3] = [
            (Collector::Jetson, jetson::detect),
            (Collector::Rpi, rpi::detect),
            (Collector::Nvme, nvme::detect),
        ];
        for (c, detect) in boards {
            if active.contains(&c) {
                if let Err(why) = detect(&root) {
                    log::info!("{why}: {} collector inactive", c.name());
                    active.retain(|a| *a != c);
                }
            }
        }
        Exporter {
            cpu_usage: Mutex::new(cpu::UsageTracker::new(opts.cpu_usage_window)),
            gpu,
            hwmon: Mutex::default(),
            infiniband: Mutex::default(),
            jetson: Mutex::default(),
            rpi: Mutex::default(),
            process: process::Process::new(),
            user_hz: crate::sys::user_hz(),
            last_errors: Mutex::new(HashMap::new()),
            started: Instant::now(),
            coalesce: Mutex::default(),
            coalesced: Condvar::new(),
            last_len: AtomicUsize::new(0),
            spare: Mutex::default(),
            cpu_zone_type: Pattern::new(opts.cpu_zone_type.clone()),
            network_interfaces: opts.network_interfaces.clone().map(Pattern::new),
            disk_exclude: Pattern::new(opts.disk_exclude.clone()),
            netdev_exclude: Pattern::new(opts.netdev_exclude.clone()),
            netclass_ignored: Pattern::new(opts.netclass_ignored.clone()),
            root,
            opts,
            active,
        }
    }

    /// The root this exporter reads.
    pub fn root(&self) -> &Root {
        &self.root
    }

    /// Starts the thread that samples `/proc/stat` every tenth of
    /// `--collector.cpu.usage-window`, so that `cpu_usage_percent` covers the
    /// last window whoever scrapes (see [`cpu`]). It holds only a weak
    /// reference and ends once the exporter is dropped. Does nothing when the
    /// `cpu` collector is off. Also starts the streaming `nvidia-smi` of the
    /// `gpu` collector on a live host ([`gpu::Gpu::start_stream`]).
    ///
    /// Errors: a thread could not be spawned.
    pub fn spawn_sampler(self: &Arc<Self>) -> std::io::Result<()> {
        if self.active.contains(&Collector::Gpu) {
            self.gpu.start_stream(&self.root, self.opts.gpu_stream)?;
        }
        if !self.active.contains(&Collector::Cpu) {
            return Ok(());
        }
        let weak: Weak<Exporter> = Arc::downgrade(self);
        let spacing = lock(&self.cpu_usage).spacing();
        std::thread::Builder::new()
            .name("cpu-sampler".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(spacing);
                    let Some(exporter) = weak.upgrade() else {
                        return;
                    };
                    let now = exporter.started.elapsed();
                    if let Err(e) = cpu::sample(&exporter.root, &exporter.cpu_usage, now) {
                        log::debug!("cpu sampler: {e}");
                    }
                }
            })?;
        Ok(())
    }

    /// The collectors that run on each scrape.
    pub fn active(&self) -> &[Collector] {
        &self.active
    }

    fn run(
        &self,
        c: Collector,
        scrape: &Scrape,
        out: &mut Vec<Sample>,
    ) -> Result<(), CollectError> {
        let root = &self.root;
        match c {
            Collector::Cpu => {
                let stat = scrape.stat(root)?;
                cpu::collect(
                    stat,
                    &self.cpu_usage,
                    self.started.elapsed(),
                    self.user_hz,
                    out,
                );
                Ok(())
            }
            Collector::Stat => stat::collect(root, scrape.stat(root)?, out),
            Collector::Cpufreq => cpufreq::collect(root, out),
            Collector::Thermal => {
                thermal::collect(root, scrape.thermal(root)?, &self.cpu_zone_type, out)
            }
            Collector::ThermalZone => thermal_zone::collect(root, scrape.thermal(root)?, out),
            Collector::Hwmon => hwmon::collect(root, &self.hwmon, out),
            Collector::Gpu => self.gpu.collect(root, out),
            Collector::Meminfo => meminfo::collect(root, out),
            Collector::Loadavg => loadavg::collect(root, out),
            Collector::Pressure => pressure::collect(root, out),
            Collector::Diskstats => diskstats::collect(root, &self.disk_exclude, out),
            Collector::Filesystem => filesystem::collect(root, &self.opts.filesystem_exclude, out),
            Collector::Network => network::collect(root, self.network_interfaces.as_ref(), out),
            Collector::Netdev => netdev::collect(root, &self.netdev_exclude, out),
            Collector::Netclass => netclass::collect(root, &self.netclass_ignored, out),
            Collector::Infiniband => infiniband::collect(root, &self.infiniband, out),
            Collector::Uname => uname::collect(root, out),
            Collector::Platform => platform::collect(root, out),
            Collector::Jetson => {
                let contract_gpu = !self.active.contains(&Collector::Gpu);
                jetson::collect(root, scrape, &self.jetson, contract_gpu, out)
            }
            Collector::Rpi => rpi::collect(root, &self.rpi, out),
            Collector::Nvme => nvme::collect(root, out),
            Collector::Updates => updates::collect(root, out),
        }
    }

    /// Logs `result` for `what` if it differs from last time.
    fn note(&self, what: &'static str, result: &Result<(), CollectError>) {
        let mut last = lock(&self.last_errors);
        match result {
            Ok(()) => {
                if last.remove(what).is_some() {
                    log::info!("{what}: recovered");
                }
            }
            Err(e) => {
                let msg = e.to_string();
                if last.get(what) != Some(&msg) {
                    match e {
                        CollectError::NoData(_) => log::info!("{what}: {msg}"),
                        _ => log::warn!("{what}: {msg}"),
                    }
                    last.insert(what, msg);
                }
            }
        }
    }

    /// One scrape: every active collector, health metrics, `process_*`,
    /// build info.
    pub fn collect(&self) -> Vec<Sample> {
        let mut out = std::mem::take(&mut lock(&self.spare).samples);
        out.reserve(self.last_len.load(Ordering::Relaxed).max(128) + 16);
        let scrape = Scrape::default();
        for &c in &self.active {
            let start = Instant::now();
            let result = self.run(c, &scrape, &mut out);
            let elapsed = start.elapsed().as_secs_f64();
            let label = || [("collector", LabelValue::from(c.name()))];
            out.push(Sample::new(
                &metrics::COLLECTOR_SUCCESS,
                label(),
                f64::from(u8::from(result.is_ok())),
            ));
            out.push(Sample::new(
                &metrics::COLLECTOR_DURATION_SECONDS,
                label(),
                elapsed,
            ));
            self.note(c.name(), &result);
        }
        if self.opts.host_label {
            self.add_host_label(&mut out);
        }
        self.root.end_collection();
        let process = self.process.collect(&mut out);
        self.note("process", &process);
        out.push(Sample::new(
            &metrics::BUILD_INFO,
            [
                ("version", env!("CARGO_PKG_VERSION").into()),
                ("revision", crate::REVISION.into()),
            ],
            1.0,
        ));
        self.last_len.store(out.len(), Ordering::Relaxed);
        out
    }

    fn add_host_label(&self, out: &mut [Sample]) {
        let host = self.root.read_parsed(HOSTNAME_FILE, |text| {
            crate::parse::sysfs::string_value("hostname", text).map(str::to_string)
        });
        let result = host
            .as_ref()
            .map(|_| ())
            .map_err(|e| CollectError::Other(e.to_string()));
        self.note("host label", &result);
        let Ok(host) = host else { return };
        let host = LabelValue::from(host);
        for s in out.iter_mut().filter(|s| s.metric.contract) {
            s.labels.insert(0, ("host", host.clone()));
        }
    }

    /// One scrape rendered as text format 0.0.4.
    pub fn render(&self) -> String {
        let mut samples = self.collect();
        let (mut text, mut scratch) = {
            let mut spare = lock(&self.spare);
            (
                std::mem::take(&mut spare.text),
                std::mem::take(&mut spare.scratch),
            )
        };
        crate::expo::render_into(&samples, &mut text, &mut scratch);
        samples.clear();
        let mut spare = lock(&self.spare);
        if samples.capacity() > spare.samples.capacity() {
            spare.samples = samples;
        }
        spare.scratch = scratch;
        text
    }

    /// Takes back the allocation of a text [`Exporter::render`] returned,
    /// once it has been sent, for the next scrape to write into (the
    /// larger one is kept when two are given back). Its contents are
    /// cleared: nothing of a scrape is served again.
    pub fn recycle(&self, mut text: String) {
        text.clear();
        let mut spare = lock(&self.spare);
        if text.capacity() > spare.text.capacity() {
            spare.text = text;
        }
    }

    /// One scrape rendered as text format 0.0.4, shared with the scrapes
    /// that arrive while it is collected: the HTTP server's way to render.
    ///
    /// Every caller gets a collection that started after it called, so no
    /// value is older than the request. A caller that finds no collection
    /// running collects; one that finds a collection running waits for it
    /// to end, then takes the next one, which the first of the waiters
    /// collects for all of them. However many scrapes arrive at once (two
    /// Prometheus servers, eight concurrent scrapers), at most two
    /// collections run for them, one after the other, instead of one each
    /// competing for the CPU. The collector durations and success gauges
    /// are those of the shared collection.
    pub fn render_shared(&self) -> Arc<String> {
        let mut state = lock(&self.coalesce);
        // The running collection started before this call: wait for the
        // next one.
        let need = state.started + 1;
        loop {
            if let Some((n, text)) = &state.last {
                if *n >= need {
                    return Arc::clone(text);
                }
            }
            if !state.running {
                break;
            }
            state.waiting += 1;
            state = self
                .coalesced
                .wait(state)
                .unwrap_or_else(|p| p.into_inner());
            state.waiting -= 1;
        }
        state.started += 1;
        state.running = true;
        let n = state.started;
        drop(state);
        // Mark the collection ended however it ends, so that waiters never
        // wait for one that is gone (a panic unwinds in test builds).
        struct End<'a>(&'a Exporter, u64, Option<Arc<String>>);
        impl Drop for End<'_> {
            fn drop(&mut self) {
                let mut state = lock(&self.0.coalesce);
                state.running = false;
                // Kept only for the callers waiting now (later ones need a
                // later collection), so no exposition stays in memory
                // between scrapes.
                state.last = match self.2.take() {
                    Some(text) if state.waiting > 0 => Some((self.1, text)),
                    _ => None,
                };
                self.0.coalesced.notify_all();
            }
        }
        let mut end = End(self, n, None);
        let text = Arc::new(self.render());
        end.2 = Some(Arc::clone(&text));
        drop(end);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_labels_are_the_numbers_made_once() {
        assert_eq!(cpu_label(0).as_str(), "0");
        assert_eq!(cpu_label(12).as_str(), "12");
        assert_eq!(
            cpu_label(12).as_str().as_ptr(),
            cpu_label(12).as_str().as_ptr()
        );
        assert_eq!(cpu_label(u32::MAX).as_str(), "4294967295");
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn spark() -> Exporter {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/spark");
        Exporter::new(Root::replay(dir), Options::default())
    }

    #[test]
    fn a_recycled_text_is_written_into_again_and_holds_only_the_new_scrape() {
        let exporter = spark();
        let first = exporter.render();
        let (at, capacity) = (first.as_ptr(), first.capacity());
        let series = |text: &str| -> Vec<String> {
            let key = |l: &str| l.rsplit_once(' ').map_or(l, |(k, _)| k).to_string();
            text.lines().map(key).collect()
        };
        let first_series = series(&first);
        exporter.recycle(first.clone());
        exporter.recycle(first);
        // A smaller text given back later does not replace the kept one.
        exporter.recycle(String::with_capacity(10));
        let second = exporter.render();
        assert_eq!(second.as_ptr(), at, "the kept allocation");
        assert!(second.capacity() >= capacity);
        // The same series once each, values aside (durations differ).
        assert_eq!(series(&second), first_series);
        // The sample list is kept too: the next collection starts from it.
        assert!(lock(&exporter.spare).samples.capacity() >= 100);
        assert!(lock(&exporter.spare).samples.is_empty());
    }

    #[test]
    fn scrapes_arriving_during_a_collection_share_the_next_one() {
        let exporter = Arc::new(spark());
        // A collection is running (number 1) when four scrapes arrive.
        {
            let mut state = lock(&exporter.coalesce);
            state.started = 1;
            state.running = true;
        }
        let scrapes: Vec<_> = (0..4)
            .map(|_| {
                let e = Arc::clone(&exporter);
                std::thread::spawn(move || e.render_shared())
            })
            .collect();
        while lock(&exporter.coalesce).waiting < 4 {
            std::thread::yield_now();
        }
        // It ends (its result is not theirs: it started before they came).
        {
            let mut state = lock(&exporter.coalesce);
            state.running = false;
            state.last = Some((1, Arc::new("stale".to_string())));
            exporter.coalesced.notify_all();
        }
        let texts: Vec<Arc<String>> = scrapes.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(texts[0].contains("cpu_usage_percent"), "a real collection");
        assert!(
            texts.iter().all(|t| Arc::ptr_eq(t, &texts[0])),
            "one shared"
        );
        assert_eq!(
            lock(&exporter.coalesce).started,
            2,
            "one collection for four"
        );
    }

    #[test]
    fn a_scrape_after_a_collection_ended_collects_anew() {
        let exporter = spark();
        let a = exporter.render_shared();
        let b = exporter.render_shared();
        assert!(!Arc::ptr_eq(&a, &b), "never a result from before the call");
        assert_eq!(lock(&exporter.coalesce).started, 2);
        assert!(lock(&exporter.coalesce).last.is_none(), "nothing kept");
    }

    #[test]
    fn a_pattern_answers_as_its_regex_and_forgets_past_its_bound() {
        let p = Pattern::new(Regex::new("^(lo|veth.*)$").unwrap());
        for _ in 0..2 {
            assert!(p.is_match("lo"));
            assert!(p.is_match("veth0"));
            assert!(!p.is_match("enP7s7"));
            assert!(!p.is_match("xlo"));
        }
        assert_eq!(lock(&p.answers).len(), 4);
        for i in 0..MAX_PATTERN_ANSWERS {
            assert!(p.is_match(&format!("veth{i}")));
        }
        assert!(lock(&p.answers).len() <= MAX_PATTERN_ANSWERS, "bounded");
        assert!(!p.is_match("enP7s7"), "the same answer after forgetting");
        assert_eq!(p.as_str(), "^(lo|veth.*)$");
    }

    #[test]
    fn scan_cache_rescans_only_when_the_entries_change_or_a_scan_failed() {
        let mut cache: ScanCache<String> = ScanCache::default();
        let mut scans = 0;
        let mut scan = |e: &str| {
            scans += 1;
            match e {
                "bad" => Err(CollectError::NoData("bad".into())),
                "skip" => Ok(None),
                e => Ok(Some(e.to_uppercase())),
            }
        };
        cache.refresh(names(&["a", "skip"]), &mut scan).unwrap();
        cache.refresh(names(&["a", "skip"]), &mut scan).unwrap();
        assert_eq!(cache.items(), ["A"]);
        assert!(cache.refresh(names(&["a", "bad"]), &mut scan).is_err());
        assert_eq!(cache.items(), ["A"], "the others are kept");
        assert!(cache.refresh(names(&["a", "bad"]), &mut scan).is_err());
        assert_eq!(scans, 6, "2 + 0 + 2 + 2: a failed scan is retried");
    }
}
