//! Every metric this exporter can emit: name, type, unit, help and source, in
//! one table, so help text and units cannot drift from the code that fills
//! them. The README's metric table is generated from [`all`] and a test keeps
//! the two equal.
//!
//! The names of the DGX Spark contract set (`cpu_usage_percent` ...
//! `network_transmit_packets_total`) are kept exactly as the Go Spark exporter
//! (ateska/dgx-spark-prometheus) spells them, because dashboards query them;
//! they carry the constant `host` label. Everything else follows Prometheus
//! naming practice.

/// Prometheus metric type (text format 0.0.4 `# TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A value that can go up and down.
    Gauge,
    /// A monotonically increasing count; the name ends in `_total`.
    Counter,
}

impl Kind {
    /// The `# TYPE` keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Gauge => "gauge",
            Kind::Counter => "counter",
        }
    }
}

/// One metric family's definition.
#[derive(Debug, PartialEq, Eq)]
pub struct Metric {
    /// Full metric name.
    pub name: &'static str,
    /// Gauge or counter.
    pub kind: Kind,
    /// The unit of the value, in words (for the README).
    pub unit: &'static str,
    /// The `# HELP` text.
    pub help: &'static str,
    /// Where the value comes from (for the README).
    pub source: &'static str,
    /// Labels, in the order they are written (`host` excluded).
    pub labels: &'static [&'static str],
    /// Part of the Spark compatibility contract: carries the `host` label
    /// unless `--no-host-label`.
    pub contract: bool,
    /// Differs from run to run of the same fixture (timings, the exporter's
    /// own process): snapshot tests blank these values.
    pub volatile: bool,
}

/// Defines a non-contract, non-volatile family (every module but the core
/// table uses this): `family!(ID, "name", Gauge|Counter, "unit", [labels],
/// "help", "source")`.
macro_rules! family {
    ($id:ident, $name:literal, $kind:ident, $unit:literal, [$($label:literal),*], $help:literal, $source:literal) => {
        #[doc = concat!("The `", $name, "` family (help text in the table). Unit: ", $unit, ". Source: ", $source, ".")]
        pub static $id: $crate::metrics::Metric = $crate::metrics::Metric {
            name: $name,
            kind: $crate::metrics::Kind::$kind,
            unit: $unit,
            help: $help,
            source: $source,
            labels: &[$($label),*],
            contract: false,
            volatile: false,
        };
    };
}

pub mod gpu;
pub mod host;
pub mod jetson;
pub mod node;
pub mod rpi;

impl Metric {
    /// Whether this entry is a pattern: its name has `<Placeholder>` parts
    /// that a collector fills from the data (`node_memory_<Field>_bytes`).
    pub fn is_pattern(&self) -> bool {
        self.name.contains('<')
    }

    /// Whether the family name `name` belongs to this entry: equal to its
    /// name, or for a pattern, the literal parts in order with each
    /// placeholder standing for a run of `[A-Za-z0-9_:]` (empty for an
    /// optional part written `<_element>`).
    pub fn matches(&self, name: &str) -> bool {
        if !self.is_pattern() {
            return self.name == name;
        }
        let mut rest = name;
        let mut pieces = self.name.split('<');
        let first = pieces.next().unwrap_or("");
        let Some(after) = rest.strip_prefix(first) else {
            return false;
        };
        rest = after;
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
        let pieces: Vec<&str> = pieces
            .map(|p| p.split_once('>').map_or("", |(_, lit)| lit))
            .collect();
        for (i, literal) in pieces.iter().enumerate() {
            let last = i + 1 == pieces.len();
            // The placeholder takes the shortest run before `literal`,
            // except the last, which must end exactly at `literal`.
            let found = if last {
                rest.strip_suffix(literal).map(|p| (p, ""))
            } else if literal.is_empty() {
                // Adjacent placeholders: one run of word characters.
                continue;
            } else {
                rest.find(literal)
                    .map(|at| (&rest[..at], &rest[at + literal.len()..]))
            };
            let Some((placeholder, after)) = found else {
                return false;
            };
            if !placeholder.chars().all(word) {
                return false;
            }
            rest = after;
        }
        true
    }
}

macro_rules! metric {
    ($id:ident, $name:literal, $kind:ident, $unit:literal, [$($label:literal),*], $contract:literal, $volatile:literal, $help:literal, $source:literal) => {
        #[doc = $help]
        #[doc = ""]
        #[doc = concat!("Unit: ", $unit, ". Source: ", $source, ".")]
        pub static $id: Metric = Metric {
            name: $name,
            kind: Kind::$kind,
            unit: $unit,
            help: $help,
            source: $source,
            labels: &[$($label),*],
            contract: $contract,
            volatile: $volatile,
        };
    };
}

metric!(
    CPU_USAGE_PERCENT,
    "cpu_usage_percent",
    Gauge,
    "percent",
    [],
    true,
    false,
    "Share of CPU time not idle (idle = idle + iowait), all CPUs, over the usage window (the first collection: since boot).",
    "`/proc/stat` aggregate `cpu` line, ticks over the last `--collector.cpu.usage-window`"
);
metric!(
    CPU_TEMPERATURE_CELSIUS,
    "cpu_temperature_celsius",
    Gauge,
    "degrees Celsius",
    [],
    true,
    false,
    "Highest temperature among the thermal zones whose type matches --collector.thermal.cpu-zone-type.",
    "`/sys/class/thermal/thermal_zone*/{type,temp}` (millidegrees)"
);
metric!(
    CPU_FREQUENCY_MHZ,
    "cpu_frequency_mhz",
    Gauge,
    "megahertz",
    [],
    true,
    false,
    "Mean current frequency of the online CPUs.",
    "`/sys/devices/system/cpu/online`, `cpuN/cpufreq/scaling_cur_freq` (kHz)"
);
metric!(
    GPU_UTILIZATION_PERCENT,
    "gpu_utilization_percent",
    Gauge,
    "percent",
    ["gpu"],
    true,
    false,
    "Share of the last sample period during which a GPU kernel was running.",
    "`nvidia-smi` `utilization.gpu`; Jetson: the GPU devfreq device's `load` (per-mille) / 10"
);
metric!(
    GPU_TEMPERATURE_CELSIUS,
    "gpu_temperature_celsius",
    Gauge,
    "degrees Celsius",
    ["gpu"],
    true,
    false,
    "GPU core temperature.",
    "`nvidia-smi` `temperature.gpu`; Jetson: the `gpu-thermal` (`GPU-therm`) zone's `temp` (millidegrees)"
);
metric!(
    GPU_FREQUENCY_MHZ,
    "gpu_frequency_mhz",
    Gauge,
    "megahertz",
    ["gpu"],
    true,
    false,
    "Current graphics (shader) clock.",
    "`nvidia-smi` `clocks.current.graphics`; Jetson: the GPU devfreq `cur_freq` (Hz) / 1e6"
);
metric!(
    GPU_POWER_WATTS,
    "gpu_power_watts",
    Gauge,
    "watts",
    ["gpu"],
    true,
    false,
    "Last measured power draw (the GPU rail on a GB10, the board elsewhere).",
    "`nvidia-smi` `power.draw`"
);
metric!(
    GPU_MEMORY_TOTAL_BYTES,
    "gpu_memory_total_bytes",
    Gauge,
    "bytes",
    ["gpu"],
    false,
    false,
    "Frame buffer memory of a discrete GPU; absent on a GB10, whose GPU shares system memory (see memory_total_bytes).",
    "`nvidia-smi` `memory.total` (MiB) x 1048576"
);
metric!(
    GPU_MEMORY_USED_BYTES,
    "gpu_memory_used_bytes",
    Gauge,
    "bytes",
    ["gpu"],
    false,
    false,
    "Frame buffer memory allocated on a discrete GPU; absent on a GB10.",
    "`nvidia-smi` `memory.used` (MiB) x 1048576"
);
metric!(
    GPU_MEMORY_FREE_BYTES,
    "gpu_memory_free_bytes",
    Gauge,
    "bytes",
    ["gpu"],
    false,
    false,
    "Frame buffer memory not allocated on a discrete GPU; absent on a GB10.",
    "`nvidia-smi` `memory.free` (MiB) x 1048576"
);
metric!(
    GPU_INFO,
    "gpu_info",
    Gauge,
    "info (always 1)",
    ["gpu", "uuid", "name", "driver_version", "pci_bus_id"],
    false,
    false,
    "Identity of each GPU nvidia-smi lists; the value is always 1.",
    "`nvidia-smi` `index`, `uuid`, `name`, `driver_version`, `pci.bus_id`"
);
metric!(
    MEMORY_TOTAL_BYTES,
    "memory_total_bytes",
    Gauge,
    "bytes",
    [],
    true,
    false,
    "Total usable RAM (on a DGX Spark shared by CPU and GPU).",
    "`/proc/meminfo` `MemTotal` x 1024"
);
metric!(
    MEMORY_USED_BYTES,
    "memory_used_bytes",
    Gauge,
    "bytes",
    [],
    true,
    false,
    "RAM in use: MemTotal minus MemAvailable.",
    "`/proc/meminfo` (`MemTotal` - `MemAvailable`) x 1024"
);
metric!(
    DISKIO_READS_COMPLETED_TOTAL,
    "diskio_reads_completed_total",
    Counter,
    "reads",
    ["device"],
    true,
    false,
    "Reads completed successfully.",
    "`/proc/diskstats` field 4, devices not matching --collector.diskstats.device-exclude"
);
metric!(
    DISKIO_WRITES_COMPLETED_TOTAL,
    "diskio_writes_completed_total",
    Counter,
    "writes",
    ["device"],
    true,
    false,
    "Writes completed successfully.",
    "`/proc/diskstats` field 8, devices not matching --collector.diskstats.device-exclude"
);
metric!(
    STORAGE_USED_PERCENT,
    "storage_used_percent",
    Gauge,
    "percent",
    [],
    true,
    false,
    "Root filesystem use as df computes Use%: used / (used + available to non-root).",
    "`statvfs(\"/\")`: (`f_blocks` - `f_bfree`) / (`f_blocks` - `f_bfree` + `f_bavail`)"
);
metric!(
    NETWORK_RECEIVE_BYTES_TOTAL,
    "network_receive_bytes_total",
    Counter,
    "bytes",
    ["interface"],
    true,
    false,
    "Bytes received.",
    "`/sys/class/net/<if>/statistics/rx_bytes`"
);
metric!(
    NETWORK_TRANSMIT_BYTES_TOTAL,
    "network_transmit_bytes_total",
    Counter,
    "bytes",
    ["interface"],
    true,
    false,
    "Bytes transmitted.",
    "`/sys/class/net/<if>/statistics/tx_bytes`"
);
metric!(
    NETWORK_RECEIVE_PACKETS_TOTAL,
    "network_receive_packets_total",
    Counter,
    "packets",
    ["interface"],
    true,
    false,
    "Packets received.",
    "`/sys/class/net/<if>/statistics/rx_packets`"
);
metric!(
    NETWORK_TRANSMIT_PACKETS_TOTAL,
    "network_transmit_packets_total",
    Counter,
    "packets",
    ["interface"],
    true,
    false,
    "Packets transmitted.",
    "`/sys/class/net/<if>/statistics/tx_packets`"
);
metric!(
    BUILD_INFO,
    "dgx_spark_exporter_build_info",
    Gauge,
    "info (always 1)",
    ["version", "revision"],
    false,
    true,
    "Version and git revision this exporter was built from; the value is always 1.",
    "compile time"
);
metric!(
    COLLECTOR_SUCCESS,
    "dgx_spark_exporter_collector_success",
    Gauge,
    "boolean",
    ["collector"],
    false,
    false,
    "1 if the collector read and parsed everything it needs in this scrape, 0 if not (the log says why).",
    "each enabled collector"
);
metric!(
    COLLECTOR_DURATION_SECONDS,
    "dgx_spark_exporter_collector_duration_seconds",
    Gauge,
    "seconds",
    ["collector"],
    false,
    true,
    "Wall time the collector took in this scrape.",
    "each enabled collector"
);
metric!(
    PROCESS_CPU_SECONDS_TOTAL,
    "process_cpu_seconds_total",
    Counter,
    "seconds",
    [],
    false,
    true,
    "Total user and system CPU time spent by the exporter.",
    "`/proc/self/stat` `utime` + `stime` / `USER_HZ`"
);
metric!(
    PROCESS_RESIDENT_MEMORY_BYTES,
    "process_resident_memory_bytes",
    Gauge,
    "bytes",
    [],
    false,
    true,
    "Resident memory size of the exporter.",
    "`/proc/self/stat` `rss` x page size"
);
metric!(
    PROCESS_VIRTUAL_MEMORY_BYTES,
    "process_virtual_memory_bytes",
    Gauge,
    "bytes",
    [],
    false,
    true,
    "Virtual memory size of the exporter.",
    "`/proc/self/stat` `vsize`"
);
metric!(
    PROCESS_OPEN_FDS,
    "process_open_fds",
    Gauge,
    "file descriptors",
    [],
    false,
    true,
    "Number of open file descriptors of the exporter.",
    "`/proc/self/fd`: its size (Linux 6.2+), else its entries"
);
metric!(
    PROCESS_MAX_FDS,
    "process_max_fds",
    Gauge,
    "file descriptors",
    [],
    false,
    true,
    "Maximum number of open file descriptors of the exporter.",
    "`getrlimit(RLIMIT_NOFILE)` soft limit"
);
metric!(
    PROCESS_START_TIME_SECONDS,
    "process_start_time_seconds",
    Gauge,
    "seconds since the Unix epoch",
    [],
    false,
    true,
    "Start time of the exporter process.",
    "`/proc/self/stat` `starttime` / `USER_HZ` + `/proc/stat` `btime`"
);

/// The exporter's own metrics: the Spark contract set, the GPU details, and
/// the exporter's health, in the order of the README table.
pub static CORE: [&Metric; 29] = [
    &CPU_USAGE_PERCENT,
    &CPU_TEMPERATURE_CELSIUS,
    &CPU_FREQUENCY_MHZ,
    &GPU_UTILIZATION_PERCENT,
    &GPU_TEMPERATURE_CELSIUS,
    &GPU_FREQUENCY_MHZ,
    &GPU_POWER_WATTS,
    &GPU_MEMORY_TOTAL_BYTES,
    &GPU_MEMORY_USED_BYTES,
    &GPU_MEMORY_FREE_BYTES,
    &GPU_INFO,
    &MEMORY_TOTAL_BYTES,
    &MEMORY_USED_BYTES,
    &DISKIO_READS_COMPLETED_TOTAL,
    &DISKIO_WRITES_COMPLETED_TOTAL,
    &STORAGE_USED_PERCENT,
    &NETWORK_RECEIVE_BYTES_TOTAL,
    &NETWORK_TRANSMIT_BYTES_TOTAL,
    &NETWORK_RECEIVE_PACKETS_TOTAL,
    &NETWORK_TRANSMIT_PACKETS_TOTAL,
    &BUILD_INFO,
    &COLLECTOR_SUCCESS,
    &COLLECTOR_DURATION_SECONDS,
    &PROCESS_CPU_SECONDS_TOTAL,
    &PROCESS_RESIDENT_MEMORY_BYTES,
    &PROCESS_VIRTUAL_MEMORY_BYTES,
    &PROCESS_OPEN_FDS,
    &PROCESS_MAX_FDS,
    &PROCESS_START_TIME_SECONDS,
];

/// Every table entry: [`CORE`], the detailed GPU families ([`gpu::ALL`]),
/// host health and platform ([`host::ALL`]), the node_exporter-compatible
/// families ([`node::ALL`]), then the board families ([`jetson::ALL`],
/// [`rpi::ALL`]).
pub fn all() -> impl Iterator<Item = &'static Metric> {
    CORE.iter()
        .chain(gpu::ALL.iter())
        .chain(host::ALL.iter())
        .chain(node::ALL.iter())
        .chain(jetson::ALL.iter())
        .chain(rpi::ALL.iter())
        .copied()
}

/// The README's metric table (Markdown), generated from [`all`].
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| metric | type | labels | unit | source | meaning |\n|---|---|---|---|---|---|\n",
    );
    for m in all() {
        let mut labels: Vec<&str> = Vec::new();
        if m.contract {
            labels.push("host");
        }
        labels.extend_from_slice(m.labels);
        let labels: Vec<String> = labels.iter().map(|l| format!("`{l}`")).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            m.name,
            m.kind.as_str(),
            labels.join(", "),
            m.unit,
            m.source,
            m.help
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_counters_end_in_total() {
        let all: Vec<&Metric> = all().collect();
        for (i, m) in all.iter().enumerate() {
            assert!(
                all[i + 1..].iter().all(|o| o.name != m.name),
                "{} twice",
                m.name
            );
            assert_eq!(
                m.kind == Kind::Counter,
                m.name.ends_with("_total"),
                "{}",
                m.name
            );
            assert!(!m.help.is_empty());
        }
    }

    #[test]
    fn pattern_names_match_what_collectors_build() {
        use node::*;
        assert!(MEMORY_BYTES.matches("node_memory_MemTotal_bytes"));
        assert!(MEMORY_BYTES.matches("node_memory_Active_anon_bytes"));
        assert!(!MEMORY_BYTES.matches("node_memory_MemTotal"));
        assert!(MEMORY_COUNT.matches("node_memory_HugePages_Total"));
        assert!(HWMON_TEMP_CELSIUS.matches("node_hwmon_temp_celsius"));
        assert!(HWMON_TEMP_CELSIUS.matches("node_hwmon_temp_crit_celsius"));
        assert!(!HWMON_TEMP_CELSIUS.matches("node_hwmon_temp_crit"));
        assert!(HWMON_RAW.matches("node_hwmon_temp_alarm"));
        assert!(HWMON_RAW.matches("node_hwmon_pwm"));
        assert!(!HWMON_RAW.matches("node_hwmon_temp{x}"));
        assert!(NETWORK_RECEIVE_TOTAL.matches("node_network_receive_bytes_total"));
        assert!(!NETWORK_RECEIVE_TOTAL.matches("node_network_transmit_bytes_total"));
        assert!(!NETWORK_RECEIVE_TOTAL.matches("node_network_receive_bytes"));
        assert!(CPU_SECONDS_TOTAL.matches("node_cpu_seconds_total"));
        assert!(!CPU_SECONDS_TOTAL.matches("node_cpu_seconds"));
    }

    #[test]
    fn the_contract_set_has_sixteen_names() {
        assert_eq!(all().filter(|m| m.contract).count(), 16);
    }
}
