//! Every parser in `src/parse/`, each on a file of a recorded fixture (the
//! file the collector would read; named beside each bench). Inputs are read
//! once, outside the timed loop: what is timed is parsing alone.
//!
//! `pid_stat` parses this process's own `/proc/self/stat` (the exporter
//! reads its own; no fixture records one).
//!
//! Run: `cargo bench --bench parse` (one parser: `cargo bench --bench parse
//! -- meminfo`).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use dgx_spark_exporter::parse::{
    cpulist, device_tree, diskstats, get_throttled, loadavg, meminfo, mounts, netdev, nvidia_smi,
    nvme_smart, nvpmodel, pid_stat, pressure, stat, statvfs, sysfs, tegra_release, udev,
    update_notifier,
};

/// `fixtures/<rel>` as bytes.
fn bytes(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `fixtures/<rel>` as text.
fn text(rel: &str) -> String {
    String::from_utf8(bytes(rel)).unwrap()
}

/// A parser as [`bench_text`] takes it: whether it parsed, and the error
/// as text.
macro_rules! p {
    ($f:expr) => {
        |t: &str| ($f)(t).map(|_| ()).map_err(|e| format!("{e:?}"))
    };
}

/// Benches `f` on the text of `rel` under `name`, after checking it parses.
fn bench_text(c: &mut Criterion, name: &str, rel: &str, f: impl Fn(&str) -> Result<(), String>) {
    let input = text(rel);
    if let Err(e) = f(&input) {
        panic!("{name} does not parse {rel}: {e}");
    }
    c.bench_function(name, |b| b.iter(|| black_box(f(black_box(&input)).is_ok())));
}

fn procfs(c: &mut Criterion) {
    bench_text(c, "stat", "spark/proc/stat", p!(stat::parse));
    bench_text(c, "meminfo", "spark/proc/meminfo", p!(meminfo::parse));
    bench_text(c, "loadavg", "spark/proc/loadavg", p!(loadavg::parse));
    bench_text(c, "diskstats", "spark/proc/diskstats", p!(diskstats::parse));
    bench_text(c, "netdev", "spark/proc/net/dev", p!(netdev::parse));
    bench_text(
        c,
        "pressure",
        "spark/proc/pressure/memory",
        p!(pressure::parse),
    );
    bench_text(c, "mounts", "spark/proc/mounts", p!(mounts::parse));
    let own = std::fs::read_to_string("/proc/self/stat").unwrap();
    c.bench_function("pid_stat", |b| {
        b.iter(|| black_box(pid_stat::parse(black_box(&own)).is_ok()))
    });
}

fn sysfs_values(c: &mut Criterion) {
    bench_text(
        c,
        "cpulist",
        "spark-busy/sys/devices/system/cpu/online",
        p!(cpulist::parse),
    );
    let dir = "spark/sys/class/net/enP7s7";
    bench_text(
        c,
        "sysfs_u64_value",
        &format!("{dir}/statistics/rx_bytes"),
        p!(|t| sysfs::u64_value("rx_bytes", t)),
    );
    bench_text(
        c,
        "sysfs_i64_value",
        "spark/sys/class/thermal/thermal_zone0/temp",
        p!(|t| sysfs::i64_value("temp", t)),
    );
    bench_text(
        c,
        "sysfs_int_value_hex",
        &format!("{dir}/flags"),
        p!(|t| sysfs::int_value("flags", t)),
    );
    bench_text(
        c,
        "sysfs_string_value",
        "spark/sys/class/thermal/thermal_zone0/type",
        p!(|t| sysfs::string_value("type", t)),
    );
    bench_text(
        c,
        "sysfs_f64_value",
        "spark/sys/class/hwmon/hwmon1/temp1_input",
        p!(|t| sysfs::f64_value("temp1_input", t)),
    );
    let alias = text(&format!("{dir}/ifalias"));
    c.bench_function("sysfs_text_value", |b| {
        b.iter(|| black_box(sysfs::text_value(black_box(&alias))))
    });
    bench_text(c, "udev", "spark/run/udev/data/b259:0", p!(udev::parse));
    bench_text(c, "statvfs", "spark/statvfs", p!(statvfs::parse));
}

fn tools_and_boards(c: &mut Criterion) {
    bench_text(
        c,
        "nvidia_smi_query_gpu",
        "spark/nvidia-smi/query-gpu.csv",
        p!(nvidia_smi::parse_query_gpu),
    );
    bench_text(
        c,
        "nvidia_smi_query_gpu_x86",
        "x86-rtx4080/nvidia-smi/query-gpu.csv",
        p!(nvidia_smi::parse_query_gpu),
    );
    // The streaming path: one header, then data lines one at a time.
    let csv = text("spark/nvidia-smi/query-gpu.csv");
    let mut lines = csv.lines();
    let (head, row) = (lines.next().unwrap(), lines.next().unwrap());
    let header = nvidia_smi::parse_query_gpu_header(1, head).unwrap();
    c.bench_function("nvidia_smi_query_gpu_header", |b| {
        b.iter(|| black_box(nvidia_smi::parse_query_gpu_header(1, black_box(head)).is_ok()))
    });
    c.bench_function("nvidia_smi_query_gpu_row", |b| {
        b.iter(|| black_box(nvidia_smi::parse_query_gpu_row(&header, 2, black_box(row)).is_ok()))
    });
    bench_text(
        c,
        "nvidia_smi_query_compute_apps",
        "spark/nvidia-smi/query-compute-apps.csv",
        p!(nvidia_smi::parse_query_compute_apps),
    );
    let log = bytes("spark/nvme/nvme0/smart-log.bin");
    c.bench_function("nvme_smart", |b| {
        b.iter(|| black_box(nvme_smart::parse(black_box(&log)).is_ok()))
    });
    let rpi = "rpi5-undervolt/sys";
    bench_text(
        c,
        "get_throttled",
        &format!("{rpi}/devices/platform/soc@107c000000/soc@107c000000:firmware/get_throttled"),
        p!(get_throttled::parse),
    );
    let max_current = bytes(&format!(
        "{rpi}/firmware/devicetree/base/chosen/power/max_current"
    ));
    c.bench_function("device_tree_u32_value", |b| {
        b.iter(|| black_box(device_tree::u32_value("max_current", black_box(&max_current)).is_ok()))
    });
    let compatible = text(&format!("{rpi}/firmware/devicetree/base/compatible"));
    c.bench_function("device_tree_strings", |b| {
        b.iter(|| black_box(device_tree::strings(black_box(&compatible)).count()))
    });
    bench_text(
        c,
        "device_tree_string",
        "jetson-orin-nano/sys/firmware/devicetree/base/model",
        p!(|t| device_tree::string("model", t)),
    );
    let nano = "jetson-orin-nano";
    bench_text(
        c,
        "tegra_release",
        &format!("{nano}/etc/nv_tegra_release"),
        p!(tegra_release::parse),
    );
    bench_text(
        c,
        "nvpmodel_status",
        &format!("{nano}/var/lib/nvpmodel/status"),
        p!(nvpmodel::parse_status),
    );
    bench_text(
        c,
        "nvpmodel_conf",
        &format!("{nano}/etc/nvpmodel.conf"),
        p!(nvpmodel::parse_conf),
    );
    bench_text(
        c,
        "update_notifier",
        "spark-busy/var/lib/update-notifier/updates-available",
        p!(update_notifier::parse),
    );
}

criterion_group! {
    name = benches;
    // Parsers take micro- to nanoseconds: short runs keep the whole file
    // under a minute.
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_secs(1));
    targets = procfs, sysfs_values, tools_and_boards
}
criterion_main!(benches);
