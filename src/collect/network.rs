//! `network_{receive,transmit}_{bytes,packets}_total` per interface.
//!
//! Source: `/sys/class/net/<if>/statistics/{rx,tx}_{bytes,packets}` and
//! `operstate` (kernel `Documentation/ABI/testing/sysfs-class-net` and
//! `sysfs-class-net-statistics`). By default an interface is reported when
//! its `operstate` is `up` and it is backed by a device (`<if>/device`
//! exists), which leaves out `lo`, bridges, `docker0`, `veth*` and tunnels;
//! `--collector.network.interfaces` replaces that choice with a name pattern.
//! An interface that vanishes between listing and reading loses its series.

use crate::collect::Pattern;
use crate::expo::{LabelValue, Sample};
use crate::metrics::{self, Metric};
use crate::parse::sysfs;
use crate::root::{CollectError, DirPath, Root};

/// Relative path of the network class directory.
pub const NET_DIR: &str = "sys/class/net";

/// The statistics files read (paths under the interface's directory), and
/// the metric each one feeds.
const COUNTERS: [(&str, &Metric); 4] = [
    ("statistics/rx_bytes", &metrics::NETWORK_RECEIVE_BYTES_TOTAL),
    (
        "statistics/tx_bytes",
        &metrics::NETWORK_TRANSMIT_BYTES_TOTAL,
    ),
    (
        "statistics/rx_packets",
        &metrics::NETWORK_RECEIVE_PACKETS_TOTAL,
    ),
    (
        "statistics/tx_packets",
        &metrics::NETWORK_TRANSMIT_PACKETS_TOTAL,
    ),
];

/// Whether the interface in `dir` is reported when no pattern is given.
fn selected_by_default(root: &Root, dir: &mut DirPath) -> Result<bool, CollectError> {
    let state = root.read_parsed_optional(dir.file("operstate"), |t| {
        sysfs::string_value("net operstate", t).map(|s| s == "up")
    })?;
    Ok(state == Some(true) && root.is_dir(dir.file("device")))
}

/// Emits the four counters for each selected interface.
///
/// Errors: `sys/class/net` cannot be listed, a file is malformed, or an
/// explicit `interfaces` pattern matches no interface (`NoData`).
pub fn collect(
    root: &Root,
    interfaces: Option<&Pattern>,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let mut matched = 0;
    for iface in root.read_dir(NET_DIR)? {
        let mut dir = DirPath::of(&[NET_DIR, &iface]);
        root.check_identity(dir.dir());
        let selected = match interfaces {
            Some(pattern) => pattern.is_match(&iface),
            None => selected_by_default(root, &mut dir)?,
        };
        if !selected {
            continue;
        }
        matched += 1;
        let name = LabelValue::from(iface);
        for (file, metric) in COUNTERS {
            let value = root.read_parsed_optional(dir.file(file), |t| {
                sysfs::u64_value("net statistics counter", t)
            })?;
            if let Some(v) = value {
                out.push(Sample::new(metric, [("interface", name.clone())], v as f64));
            }
        }
    }
    match interfaces {
        Some(pattern) if matched == 0 => Err(CollectError::NoData(format!(
            "no interface under {} matches --collector.network.interfaces ({})",
            root.path(NET_DIR).display(),
            pattern.as_str()
        ))),
        _ => Ok(()),
    }
}
