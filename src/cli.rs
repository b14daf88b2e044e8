//! Command-line flags, in node_exporter's style, parsed in two stages as
//! ripgrep does: raw flags with `pico-args`, then a validated [`Config`].
//! Any unknown flag or bad value is a [`UsageError`] naming the flag; `main`
//! prints it on one line and exits 2.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use regex_lite::Regex;

use crate::collect::filesystem::{DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE};
use crate::collect::netdev::DEFAULT_NETDEV_EXCLUDE;
use crate::collect::{
    Collector, DEFAULT_CPU_ZONE_TYPE, DEFAULT_DISK_EXCLUDE, DEFAULT_NETCLASS_IGNORED, Options,
};

/// Default `--web.listen-address`: every interface, port 9835.
pub const DEFAULT_LISTEN: &str = ":9835";
/// Default `--web.telemetry-path`.
pub const DEFAULT_TELEMETRY_PATH: &str = "/metrics";
/// Default `--collector.gpu.timeout`.
pub const DEFAULT_GPU_TIMEOUT: Duration = Duration::from_secs(5);

/// The `--help` text.
pub const USAGE: &str = "\
dgx-spark-exporter: Prometheus exporter for NVIDIA DGX Spark (and any Linux host)

USAGE:
    dgx-spark-exporter [FLAGS]              serve /metrics over HTTP
    dgx-spark-exporter --once [FLAGS]       print one scrape to stdout and exit
    dgx-spark-exporter record DIR [FLAGS]   copy what the collectors read on this
                                            host into fixture DIR (replay: --root DIR)

FLAGS:
    --web.listen-address ADDR        where to listen [default: :9835]
    --web.telemetry-path PATH        path of the metrics [default: /metrics]
    --web.max-connections N          connections served at once; more evict an idle
                                     one or get 503 [default: 16]
    --web.read-timeout DUR           time a client has to send its request head,
                                     and to keep an idle connection [default: 5s]
    --root DIR                       / reads this host; any other DIR replays a
                                     recorded fixture [default: /]
    --once                           collect once, print, exit
    --log.level LEVEL                error|warn|info|debug [default: info, or RUST_LOG]
    --collector.NAME                 enable collector NAME (all are on by default)
    --no-collector.NAME              disable collector NAME
                                     NAME: cpu stat cpufreq thermal thermal_zone hwmon
                                           gpu meminfo loadavg pressure diskstats
                                           filesystem network netdev netclass
                                           infiniband uname
    --collector.disable-defaults     only the collectors named with --collector.NAME
    --collector.cpu.usage-window DUR span cpu_usage_percent covers [default: 5s]
    --collector.thermal.cpu-zone-type REGEX
                                     thermal zone types counted as CPU temperature
                                     [default: (?i)^(acpitz|cpu|soc|tj|x86_pkg_temp)]
    --collector.network.interfaces NAMES|REGEX
                                     report these interfaces: a comma-separated list
                                     of names (enP7s7,wlP9s9) or a regex matching the
                                     whole name (enP7s7|enp1s0f.*) [default: every
                                     interface that is up and backed by a device]
    --collector.diskstats.device-exclude REGEX
                                     block devices to leave out
                                     [default: node_exporter's, whole disks only]
    --collector.netdev.device-exclude REGEX
                                     interfaces netdev leaves out [default: ^lo$]
    --collector.netclass.ignored-devices REGEX
                                     interfaces netclass leaves out [default: ^$]
    --collector.filesystem.mount-points-exclude REGEX
                                     mount points to leave out [default:
                                     node_exporter 1.5.0's: /dev, /proc, /run, /sys, ...]
    --collector.filesystem.fs-types-exclude REGEX
                                     filesystem types to leave out [default:
                                     node_exporter 1.5.0's pseudo filesystems]
    --collector.gpu.nvidia-smi PATH  nvidia-smi binary [default: found on PATH]
    --collector.gpu.interval DUR     the server samples the GPUs this often with one
                                     long-lived nvidia-smi [default: 1s, at least 10ms]
    --collector.gpu.timeout DUR      kill a one-shot nvidia-smi after this long; a GPU
                                     sample older than interval + timeout is not
                                     served, and a streaming nvidia-smi silent that
                                     long is killed and restarted [default: 5s]
    --no-host-label                  no host label on the Spark contract metrics
    --version                        print the version and exit
    -h, --help                       print this help and exit

DUR is a number with a unit: 500ms, 5s, 1m.
";

/// A rejected command line: the flag and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    /// The flag (or argument) at fault.
    pub flag: String,
    /// What was expected.
    pub message: String,
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} (see --help)", self.flag, self.message)
    }
}

impl std::error::Error for UsageError {}

fn usage(flag: &str, message: impl Into<String>) -> UsageError {
    UsageError {
        flag: flag.to_string(),
        message: message.into(),
    }
}

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `--web.listen-address`, as given (`:9835`, `127.0.0.1:9835`, `[::1]:9835`).
    pub listen: String,
    /// `--web.telemetry-path`, starting with `/`.
    pub telemetry_path: String,
    /// `--root`.
    pub root: PathBuf,
    /// `--log.level`, if given.
    pub log_level: Option<String>,
    /// Collector settings.
    pub options: Options,
    /// `--collector.gpu.nvidia-smi`, if given.
    pub nvidia_smi: Option<PathBuf>,
    /// `--collector.gpu.timeout`.
    pub gpu_timeout: Duration,
    /// `--web.max-connections` and `--web.read-timeout`.
    pub http_limits: crate::http::Limits,
}

impl Config {
    /// Whether `--root` names the live host (`/`) rather than a fixture.
    pub fn is_live(&self) -> bool {
        self.root == std::path::Path::new("/")
    }

    /// The `nvidia-smi` to run on a live host: the flag's path, else the
    /// first executable `nvidia-smi` on `PATH`, else `None`.
    pub fn resolve_nvidia_smi(&self) -> Option<PathBuf> {
        if let Some(path) = &self.nvidia_smi {
            return Some(path.clone());
        }
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|dir| dir.join("nvidia-smi"))
            .find(|p| is_executable(p))
    }

    /// The root the exporter reads: live for `/`, replay otherwise.
    pub fn make_root(&self) -> crate::root::Root {
        if self.is_live() {
            crate::root::Root::live("/", self.resolve_nvidia_smi(), self.gpu_timeout)
        } else {
            crate::root::Root::replay(&self.root)
        }
    }
}

fn is_executable(p: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// What the command line asks for.
#[derive(Debug, Clone)]
pub enum Action {
    /// Serve over HTTP.
    Serve(Config),
    /// Print one scrape and exit.
    Once(Config),
    /// Record a fixture into the directory.
    Record(Config, PathBuf),
    /// Print [`USAGE`].
    Help,
    /// Print the version.
    Version,
}

/// The enable/disable flag pair of each collector (pico-args needs
/// `'static` flag names).
const COLLECTOR_FLAGS: [(Collector, &str, &str); 22] = [
    (Collector::Cpu, "--collector.cpu", "--no-collector.cpu"),
    (Collector::Stat, "--collector.stat", "--no-collector.stat"),
    (
        Collector::Cpufreq,
        "--collector.cpufreq",
        "--no-collector.cpufreq",
    ),
    (
        Collector::Thermal,
        "--collector.thermal",
        "--no-collector.thermal",
    ),
    (
        Collector::ThermalZone,
        "--collector.thermal_zone",
        "--no-collector.thermal_zone",
    ),
    (
        Collector::Hwmon,
        "--collector.hwmon",
        "--no-collector.hwmon",
    ),
    (Collector::Gpu, "--collector.gpu", "--no-collector.gpu"),
    (
        Collector::Meminfo,
        "--collector.meminfo",
        "--no-collector.meminfo",
    ),
    (
        Collector::Loadavg,
        "--collector.loadavg",
        "--no-collector.loadavg",
    ),
    (
        Collector::Pressure,
        "--collector.pressure",
        "--no-collector.pressure",
    ),
    (
        Collector::Diskstats,
        "--collector.diskstats",
        "--no-collector.diskstats",
    ),
    (
        Collector::Filesystem,
        "--collector.filesystem",
        "--no-collector.filesystem",
    ),
    (
        Collector::Network,
        "--collector.network",
        "--no-collector.network",
    ),
    (
        Collector::Netdev,
        "--collector.netdev",
        "--no-collector.netdev",
    ),
    (
        Collector::Netclass,
        "--collector.netclass",
        "--no-collector.netclass",
    ),
    (
        Collector::Infiniband,
        "--collector.infiniband",
        "--no-collector.infiniband",
    ),
    (
        Collector::Uname,
        "--collector.uname",
        "--no-collector.uname",
    ),
    (
        Collector::Platform,
        "--collector.platform",
        "--no-collector.platform",
    ),
    (
        Collector::Jetson,
        "--collector.jetson",
        "--no-collector.jetson",
    ),
    (Collector::Rpi, "--collector.rpi", "--no-collector.rpi"),
    (Collector::Nvme, "--collector.nvme", "--no-collector.nvme"),
    (
        Collector::Updates,
        "--collector.updates",
        "--no-collector.updates",
    ),
];

/// Parses a duration such as `500ms`, `5s`, `1.5s`, `1m`.
///
/// Returns `None` for anything else: no unit or another unit, a sign or
/// exponent, or a value under 1 ms or of a day or more.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return None,
    };
    (0.001..86_400.0)
        .contains(&secs)
        .then(|| Duration::from_secs_f64(secs))
}

fn value(
    args: &mut pico_args::Arguments,
    flag: &'static str,
) -> Result<Option<String>, UsageError> {
    args.opt_value_from_str::<_, String>(flag)
        .map_err(|e| usage(flag, e.to_string()))
}

fn regex(flag: &str, pattern: &str, anchored: bool) -> Result<Regex, UsageError> {
    let full = if anchored {
        format!("^(?:{pattern})$")
    } else {
        pattern.to_string()
    };
    Regex::new(&full).map_err(|e| usage(flag, format!("not a valid regular expression: {e}")))
}

/// The unanchored regex given with `flag`, or `default` without the flag.
fn regex_flag(
    args: &mut pico_args::Arguments,
    flag: &'static str,
    default: &str,
) -> Result<Regex, UsageError> {
    let given = value(args, flag)?;
    regex(flag, given.as_deref().unwrap_or(default), false)
}

fn check_listen(addr: &str) -> Result<(), UsageError> {
    let bad = || {
        usage(
            "--web.listen-address",
            format!("expected [HOST]:PORT, found {addr:?}"),
        )
    };
    let (host, port) = addr.rsplit_once(':').ok_or_else(bad)?;
    port.parse::<u16>().map_err(|_| bad())?;
    if host.is_empty() {
        return Ok(());
    }
    use std::net::ToSocketAddrs;
    match addr.to_socket_addrs().map(|mut a| a.next()) {
        Ok(Some(_)) => Ok(()),
        _ => Err(usage(
            "--web.listen-address",
            format!("{host:?} is not an address or a name this host resolves"),
        )),
    }
}

/// `--collector.network.interfaces`: a comma-separated list of exact names
/// (`enP7s7,wlP9s9`), or else a regular expression matched against the whole
/// name (`enP7s7|enp1s0f.*`).
fn interfaces(value: &str) -> Result<Regex, UsageError> {
    const FLAG: &str = "--collector.network.interfaces";
    if value.contains(',') {
        let names: Vec<String> = value
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(regex_lite::escape)
            .collect();
        if names.is_empty() {
            return Err(usage(
                FLAG,
                "expected interface names or a regular expression",
            ));
        }
        return regex(FLAG, &names.join("|"), true);
    }
    regex(FLAG, value, true)
}

/// Parses the arguments after the program name.
///
/// Errors: an unknown flag or argument, a flag without its value, or a value
/// that does not validate; each names the flag.
pub fn parse(raw: Vec<OsString>) -> Result<Action, UsageError> {
    let mut args = pico_args::Arguments::from_vec(raw);
    if args.contains(["-h", "--help"]) {
        return Ok(Action::Help);
    }
    if args.contains("--version") {
        return Ok(Action::Version);
    }
    let record = match args
        .subcommand()
        .map_err(|e| usage("command", e.to_string()))?
    {
        None => false,
        Some(c) if c == "record" => true,
        Some(other) => {
            return Err(usage(
                &other,
                "unknown command (the only one is `record DIR`)",
            ));
        }
    };
    let listen = value(&mut args, "--web.listen-address")?.unwrap_or_else(|| DEFAULT_LISTEN.into());
    check_listen(&listen)?;
    let telemetry_path =
        value(&mut args, "--web.telemetry-path")?.unwrap_or_else(|| DEFAULT_TELEMETRY_PATH.into());
    if !telemetry_path.starts_with('/') || telemetry_path.len() < 2 {
        return Err(usage(
            "--web.telemetry-path",
            "expected a path like /metrics",
        ));
    }
    let root = PathBuf::from(value(&mut args, "--root")?.unwrap_or_else(|| "/".into()));
    if !root.is_dir() {
        return Err(usage(
            "--root",
            format!("{} is not a directory", root.display()),
        ));
    }
    let once = args.contains("--once");
    let log_level = value(&mut args, "--log.level")?;
    if let Some(l) = &log_level {
        if !["error", "warn", "info", "debug"].contains(&l.as_str()) {
            return Err(usage(
                "--log.level",
                format!("expected error|warn|info|debug, found {l:?}"),
            ));
        }
    }
    let mut options = Options::default();
    if args.contains("--collector.disable-defaults") {
        options.enabled.clear();
    }
    for (c, on, off) in COLLECTOR_FLAGS {
        let enable = args.contains(on);
        if args.contains(off) {
            if enable {
                return Err(usage(off, format!("contradicts {on}")));
            }
            options.enabled.retain(|e| *e != c);
        } else if enable && !options.enabled.contains(&c) {
            options.enabled.push(c);
        }
    }
    // Run order is Collector::ALL's, whatever the order of the flags.
    options
        .enabled
        .sort_by_key(|c| Collector::ALL.iter().position(|a| a == c));
    if let Some(w) = value(&mut args, "--collector.cpu.usage-window")? {
        options.cpu_usage_window = parse_duration(&w).ok_or_else(|| {
            usage(
                "--collector.cpu.usage-window",
                format!("expected a duration like 5s, found {w:?}"),
            )
        })?;
    }
    options.cpu_zone_type = regex_flag(
        &mut args,
        "--collector.thermal.cpu-zone-type",
        DEFAULT_CPU_ZONE_TYPE,
    )?;
    if let Some(p) = value(&mut args, "--collector.network.interfaces")? {
        options.network_interfaces = Some(interfaces(&p)?);
    }
    options.disk_exclude = regex_flag(
        &mut args,
        "--collector.diskstats.device-exclude",
        DEFAULT_DISK_EXCLUDE,
    )?;
    options.netdev_exclude = regex_flag(
        &mut args,
        "--collector.netdev.device-exclude",
        DEFAULT_NETDEV_EXCLUDE,
    )?;
    options.netclass_ignored = regex_flag(
        &mut args,
        "--collector.netclass.ignored-devices",
        DEFAULT_NETCLASS_IGNORED,
    )?;
    let mount_points = regex_flag(
        &mut args,
        "--collector.filesystem.mount-points-exclude",
        DEFAULT_MOUNT_POINTS_EXCLUDE,
    )?;
    let fs_types = regex_flag(
        &mut args,
        "--collector.filesystem.fs-types-exclude",
        DEFAULT_FS_TYPES_EXCLUDE,
    )?;
    options.filesystem_exclude =
        crate::collect::filesystem::Exclusions::new(mount_points, fs_types);
    let nvidia_smi = value(&mut args, "--collector.gpu.nvidia-smi")?.map(PathBuf::from);
    if let Some(p) = nvidia_smi.as_deref().filter(|p| !is_executable(p)) {
        return Err(usage(
            "--collector.gpu.nvidia-smi",
            format!("{} is not an executable file", p.display()),
        ));
    }
    let gpu_timeout = match value(&mut args, "--collector.gpu.timeout")? {
        None => DEFAULT_GPU_TIMEOUT,
        Some(t) => parse_duration(&t).ok_or_else(|| {
            usage(
                "--collector.gpu.timeout",
                format!("expected a duration like 5s, found {t:?}"),
            )
        })?,
    };
    let gpu_interval = match value(&mut args, "--collector.gpu.interval")? {
        None => crate::collect::gpu::stream::DEFAULT_INTERVAL,
        Some(t) => parse_duration(&t)
            .filter(|d| *d >= crate::collect::gpu::stream::MIN_INTERVAL)
            .ok_or_else(|| {
                usage(
                    "--collector.gpu.interval",
                    format!("expected a duration of at least 10ms like 1s, found {t:?}"),
                )
            })?,
    };
    options.gpu_stream = crate::collect::gpu::stream::Settings {
        interval: gpu_interval,
        timeout: gpu_timeout,
    };
    options.host_label = !args.contains("--no-host-label");
    // HTTP bounds (issue 6).
    let mut http_limits = crate::http::Limits::default();
    if let Some(n) = value(&mut args, "--web.max-connections")? {
        http_limits.max_connections = n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=4096).contains(n))
            .ok_or_else(|| {
                usage(
                    "--web.max-connections",
                    format!("expected a number from 1 to 4096, found {n:?}"),
                )
            })?;
    }
    if let Some(t) = value(&mut args, "--web.read-timeout")? {
        http_limits.read_timeout = parse_duration(&t).ok_or_else(|| {
            usage(
                "--web.read-timeout",
                format!("expected a duration like 5s, found {t:?}"),
            )
        })?;
    }

    let mut rest = args
        .finish()
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned());
    let record_dir = if record {
        match rest.next() {
            Some(dir) if !dir.starts_with('-') => Some(PathBuf::from(dir)),
            Some(flag) => return Err(usage(&flag, "unknown flag")),
            None => {
                return Err(usage(
                    "record",
                    "expected the fixture directory: record DIR",
                ));
            }
        }
    } else {
        None
    };
    if let Some(extra) = rest.next() {
        if extra == "record" {
            return Err(usage(
                "record",
                "the command must come first: dgx-spark-exporter record DIR [FLAGS]",
            ));
        }
        let what = if extra.starts_with('-') {
            "unknown flag"
        } else {
            "unexpected argument"
        };
        return Err(usage(&extra, what));
    }
    let config = Config {
        listen,
        telemetry_path,
        root,
        log_level,
        options,
        nvidia_smi,
        gpu_timeout,
        http_limits,
    };
    Ok(match record_dir {
        Some(dir) => {
            if !config.is_live() {
                return Err(usage(
                    "--root",
                    "record reads the live host; leave --root at /",
                ));
            }
            Action::Record(config, dir)
        }
        None if once => Action::Once(config),
        None => Action::Serve(config),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<OsString> {
        s.split_whitespace().map(OsString::from).collect()
    }

    fn config(s: &str) -> Config {
        match parse(args(s)).unwrap() {
            Action::Serve(c) | Action::Once(c) | Action::Record(c, _) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let c = config("");
        assert_eq!(c.listen, ":9835");
        assert_eq!(c.telemetry_path, "/metrics");
        assert!(c.is_live());
        assert_eq!(c.options.enabled.len(), Collector::ALL.len());
        assert!(c.options.host_label);
        assert_eq!(c.gpu_timeout, Duration::from_secs(5));
        assert!(matches!(parse(args("")).unwrap(), Action::Serve(_)));
    }

    #[test]
    fn both_value_spellings_work() {
        assert_eq!(
            config("--web.listen-address=127.0.0.1:1").listen,
            "127.0.0.1:1"
        );
        assert_eq!(
            config("--web.listen-address 127.0.0.1:2").listen,
            "127.0.0.1:2"
        );
    }

    #[test]
    fn once_record_help_version() {
        assert!(matches!(
            parse(args("--once --root fixtures/spark")).unwrap(),
            Action::Once(_)
        ));
        assert!(
            matches!(parse(args("record /tmp/x")).unwrap(), Action::Record(_, d) if d == std::path::Path::new("/tmp/x"))
        );
        assert!(matches!(parse(args("--help")).unwrap(), Action::Help));
        assert!(matches!(parse(args("--version")).unwrap(), Action::Version));
    }

    #[test]
    fn collectors_switch_off_and_regexes_compile() {
        let c = config(
            "--no-collector.gpu --collector.cpu --collector.network.interfaces enP7s7|wlP9s9 \
             --collector.gpu.timeout 500ms --no-host-label",
        );
        assert!(!c.options.enabled.contains(&Collector::Gpu));
        assert!(c.options.enabled.contains(&Collector::Cpu));
        let ifs = c.options.network_interfaces.unwrap();
        assert!(ifs.is_match("enP7s7") && !ifs.is_match("enP7s7x") && !ifs.is_match("xwlP9s9"));
        assert_eq!(c.gpu_timeout, Duration::from_millis(500));
        assert!(!c.options.host_label);
    }

    #[test]
    fn gpu_interval_and_the_staleness_limit_it_gives() {
        let d = config("").options.gpu_stream;
        assert_eq!(d.interval, Duration::from_secs(1));
        assert_eq!(d.stale_after(), Duration::from_secs(6));
        let s = config("--collector.gpu.interval 250ms --collector.gpu.timeout 2s")
            .options
            .gpu_stream;
        assert_eq!(s.interval, Duration::from_millis(250));
        assert_eq!(s.timeout, Duration::from_secs(2));
        assert_eq!(s.stale_after(), Duration::from_millis(2250));
        for bad in ["5ms", "1", "0s", "fast"] {
            let e = parse(args(&format!("--collector.gpu.interval {bad}"))).unwrap_err();
            assert_eq!(e.flag, "--collector.gpu.interval", "{bad}");
        }
    }

    #[test]
    fn interface_names_may_be_a_comma_list() {
        let ifs = config("--collector.network.interfaces enP7s7,wlP9s9,en.*")
            .options
            .network_interfaces
            .unwrap();
        assert!(ifs.is_match("enP7s7") && ifs.is_match("wlP9s9"));
        assert!(
            ifs.is_match("en.*") && !ifs.is_match("enp1s0"),
            "names are literal"
        );
        assert!(!ifs.is_match("enP7s7,wlP9s9"));
    }

    #[test]
    fn listen_addresses_that_resolve_are_accepted() {
        for ok in [
            ":9835",
            "127.0.0.1:0",
            "[::1]:9835",
            "localhost:9835",
            "0.0.0.0:1",
        ] {
            assert_eq!(config(&format!("--web.listen-address {ok}")).listen, ok);
        }
    }

    #[test]
    fn default_disk_exclusion_is_node_exporters() {
        let re = config("").options.disk_exclude;
        for excluded in ["nvme0n1p1", "loop0", "sda1", "ram0", "zram0", "fd0", "vdb2"] {
            assert!(re.is_match(excluded), "{excluded}");
        }
        for kept in ["nvme0n1", "sda", "vdb", "mmcblk0", "dm-0", "md0"] {
            assert!(!re.is_match(kept), "{kept}");
        }
    }

    #[test]
    fn default_cpu_zone_types() {
        let re = config("").options.cpu_zone_type;
        for t in [
            "acpitz",
            "cpu-thermal",
            "CPU-therm",
            "soc0-thermal",
            "tj-thermal",
            "x86_pkg_temp",
        ] {
            assert!(re.is_match(t), "{t}");
        }
        for t in ["gpu-thermal", "GPU-therm", "iwlwifi_1", "nvme"] {
            assert!(!re.is_match(t), "{t}");
        }
    }

    #[test]
    fn errors_name_the_flag() {
        for (line, flag) in [
            ("--bogus", "--bogus"),
            ("--web.listen-address nonsense", "--web.listen-address"),
            ("--web.listen-address :99999", "--web.listen-address"),
            ("--web.telemetry-path metrics", "--web.telemetry-path"),
            ("--log.level loud", "--log.level"),
            ("--collector.gpu.timeout 5", "--collector.gpu.timeout"),
            ("--collector.gpu.timeout 0s", "--collector.gpu.timeout"),
            (
                "--collector.diskstats.device-exclude (",
                "--collector.diskstats.device-exclude",
            ),
            ("--collector.nonesuch", "--collector.nonesuch"),
            ("--no-collector.gpu --collector.gpu", "--no-collector.gpu"),
            ("record", "record"),
            ("record /tmp/x --root /tmp", "--root"),
            ("frobnicate", "frobnicate"),
            ("--root", "--root"),
            ("--root /nonexistent/fixture", "--root"),
            ("--once record /tmp/x", "record"),
            (
                "--collector.gpu.nvidia-smi /nonexistent/nvidia-smi",
                "--collector.gpu.nvidia-smi",
            ),
            ("--collector.gpu.timeout 0.5ms", "--collector.gpu.timeout"),
            ("--web.listen-address 999.1.1.1:80", "--web.listen-address"),
            (
                "--collector.network.interfaces ,",
                "--collector.network.interfaces",
            ),
        ] {
            let e = parse(args(line)).unwrap_err();
            assert_eq!(e.flag, flag, "{line}: {e}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m"), Some(Duration::from_secs(60)));
        for bad in ["", "s", "5", "5h", "-1s", "1e3s", "0ms"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn web_limits_flags() {
        let c = config("");
        assert_eq!(c.http_limits, crate::http::Limits::default());
        let c = config("--web.max-connections 4 --web.read-timeout=500ms");
        assert_eq!(c.http_limits.max_connections, 4);
        assert_eq!(c.http_limits.read_timeout, Duration::from_millis(500));
        for (bad, flag) in [
            ("--web.max-connections 0", "--web.max-connections"),
            ("--web.max-connections many", "--web.max-connections"),
            ("--web.read-timeout 5", "--web.read-timeout"),
        ] {
            assert_eq!(parse(args(bad)).unwrap_err().flag, flag, "{bad}");
        }
    }
}
