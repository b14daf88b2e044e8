//! RDMA ports: node_exporter's `node_infiniband_*` families and the RDMA
//! exporter's `rdma_port_stat_total{device,port,stat}`, from
//! `/sys/class/infiniband/<device>/ports/<port>/` (kernel
//! `Documentation/ABI/stable/sysfs-class-infiniband`; the counters are the
//! IBTA PortCounters attributes, which RoCE devices such as the DGX Spark's
//! ConnectX-7 `roce*` functions expose too).
//!
//! - `node_infiniband_info{device,board_id,firmware_version,hca_type}` from
//!   `board_id`, `fw_ver`, `hca_type` (empty where absent);
//! - per port `node_infiniband_state_id` and `_physical_state_id` (the
//!   number before the colon of `state` `4: ACTIVE` and `phys_state`
//!   `5: LinkUp`), `_rate_bytes_per_second` (`rate` `200 Gb/sec (2X NDR)`,
//!   Gb/s x 125000000);
//! - per port counter in `counters/`, node_exporter's name for it
//!   (`port_rcv_data` -> `node_infiniband_port_data_received_bytes_total`);
//!   `port_rcv_data` and `port_xmit_data` count 4-octet words (IBA
//!   PortCounters PortXmitData/PortRcvData), so they are multiplied by 4;
//! - `rdma_port_stat_total` with every file of `counters/` and
//!   `hw_counters/` under its own name, raw, as the RDMA exporter reports it.
//!
//! Device identity and the lists of ports and counter files are read when
//! the set of devices changes and kept in a [`Cache`]; every scrape reads
//! each state, rate and counter file once.
//!
//! A counter that reads `N/A (no PMA)` (a port without a performance
//! management agent) is absent.

use std::sync::Mutex;

use crate::collect::ScanCache;
use crate::expo::{LabelValue, Sample, name_order};
use crate::metrics::node;
use crate::parse::{ParseError, sysfs};
use crate::root::{CollectError, Root, join, lock};

/// Relative path of the InfiniBand class directory.
pub const INFINIBAND_DIR: &str = "sys/class/infiniband";

/// `rate` is in Gb/s (sysfs-class-infiniband); 1 Gb/s = 125000000 bytes/s.
const BYTES_PER_SECOND_PER_GBPS: f64 = 125_000_000.0;

/// PortXmitData and PortRcvData count 4-octet words (IBA vol. 1, 16.1.3.5).
const DATA_WORD_BYTES: u64 = 4;

/// node_exporter's family name (`node_infiniband_<name>_total`) for a
/// `counters/` file, and whether the counter is in 4-octet words. Whole
/// names, so that a scrape builds none.
fn node_counter(file: &str) -> Option<(&'static str, bool)> {
    Some(match file {
        "excessive_buffer_overrun_errors" => (
            "node_infiniband_excessive_buffer_overrun_errors_total",
            false,
        ),
        "link_downed" => ("node_infiniband_link_downed_total", false),
        "link_error_recovery" => ("node_infiniband_link_error_recovery_total", false),
        "local_link_integrity_errors" => {
            ("node_infiniband_local_link_integrity_errors_total", false)
        }
        "multicast_rcv_packets" => ("node_infiniband_multicast_packets_received_total", false),
        "multicast_xmit_packets" => ("node_infiniband_multicast_packets_transmitted_total", false),
        "port_rcv_constraint_errors" => (
            "node_infiniband_port_constraint_errors_received_total",
            false,
        ),
        "port_xmit_constraint_errors" => (
            "node_infiniband_port_constraint_errors_transmitted_total",
            false,
        ),
        "port_rcv_data" => ("node_infiniband_port_data_received_bytes_total", true),
        "port_xmit_data" => ("node_infiniband_port_data_transmitted_bytes_total", true),
        "port_rcv_discards" => ("node_infiniband_port_discards_received_total", false),
        "port_xmit_discards" => ("node_infiniband_port_discards_transmitted_total", false),
        "port_rcv_errors" => ("node_infiniband_port_errors_received_total", false),
        "port_rcv_packets" => ("node_infiniband_port_packets_received_total", false),
        "port_xmit_packets" => ("node_infiniband_port_packets_transmitted_total", false),
        "port_xmit_wait" => ("node_infiniband_port_transmit_wait_total", false),
        "unicast_rcv_packets" => ("node_infiniband_unicast_packets_received_total", false),
        "unicast_xmit_packets" => ("node_infiniband_unicast_packets_transmitted_total", false),
        "port_rcv_remote_physical_errors" => (
            "node_infiniband_port_receive_remote_physical_errors_total",
            false,
        ),
        "port_rcv_switch_relay_errors" => (
            "node_infiniband_port_receive_switch_relay_errors_total",
            false,
        ),
        "symbol_error" => ("node_infiniband_symbol_error_total", false),
        "VL15_dropped" => ("node_infiniband_vl15_dropped_total", false),
        _ => return None,
    })
}

/// The leading number of `4: ACTIVE`.
fn state_id(text: &str) -> Option<u64> {
    text.split(':').next()?.trim().parse().ok()
}

/// Bytes per second of `200 Gb/sec (2X NDR)`.
fn rate_bytes(text: &str) -> Option<f64> {
    let mut words = text.split_whitespace();
    let gbps: f64 = words.next()?.parse().ok()?;
    (words.next() == Some("Gb/sec") && gbps.is_finite()).then_some(gbps * BYTES_PER_SECOND_PER_GBPS)
}

/// A counter file's value, `None` for `N/A (no PMA)`.
fn counter(root: &Root, path: &str) -> Result<Option<u64>, CollectError> {
    let value = root.read_parsed_optional(path, |t| {
        if t.starts_with("N/A") {
            Ok(None)
        } else {
            sysfs::u64_value("RDMA port counter", t).map(Some)
        }
    })?;
    Ok(value.flatten())
}

/// A counter file of a port: its name (the `stat` label), its relative
/// path, and whether it is in `counters/` (which node_exporter reads) or
/// `hw_counters/`.
#[derive(Debug, Clone)]
struct Counter {
    stat: LabelValue,
    path: String,
    standard: bool,
}

/// One port's files that exist.
#[derive(Debug, Clone)]
struct Port {
    port: LabelValue,
    /// `<class>/<device>/ports/<port>`.
    dir: String,
    /// `counters/` and `hw_counters/` together, by name: the order of
    /// `rdma_port_stat_total`'s series, so the writer has nothing to sort.
    counters: Vec<Counter>,
}

/// What does not change while a device exists.
#[derive(Debug, Clone)]
pub struct Device {
    name: LabelValue,
    /// `board_id`, `fw_ver`, `hca_type` (empty where absent).
    info: [LabelValue; 3],
    ports: Vec<Port>,
}

/// The devices found by the last scan, kept across scrapes: identity and
/// the lists of counter files are read again only when the set of
/// `/sys/class/infiniband` entries changes.
pub type Cache = ScanCache<Device>;

fn scan_device(root: &Root, name: &str) -> Result<Device, CollectError> {
    let dir = format!("{INFINIBAND_DIR}/{name}");
    let mut info: [LabelValue; 3] = ["".into(), "".into(), "".into()];
    for (slot, file) in info.iter_mut().zip(["board_id", "fw_ver", "hca_type"]) {
        if let Some(v) = root.read_optional(&join(&dir, file))? {
            *slot = LabelValue::new(sysfs::text_value(&v));
        }
    }
    let mut ports = Vec::new();
    for port in root.read_dir_optional(&format!("{dir}/ports"))? {
        let port_dir = format!("{dir}/ports/{port}");
        let mut counters = Vec::new();
        for (group, standard) in [("counters", true), ("hw_counters", false)] {
            let group_dir = join(&port_dir, group);
            for stat in root.read_dir_optional(&group_dir)? {
                counters.push(Counter {
                    path: join(&group_dir, &stat),
                    stat: stat.into(),
                    standard,
                });
            }
        }
        // Stable: a name in both directories keeps `counters/` first, the
        // series the writer keeps of the two.
        let names: Vec<&str> = counters.iter().map(|c| c.stat.as_str()).collect();
        let counters = name_order(&names)
            .into_iter()
            .map(|i| counters[i].clone())
            .collect();
        ports.push(Port {
            port: port.into(),
            dir: port_dir,
            counters,
        });
    }
    Ok(Device {
        name: name.to_string().into(),
        info,
        ports,
    })
}

/// Emits the infiniband families and `rdma_port_stat_total` for every
/// device and port, rescanning the devices first when the set of
/// `/sys/class/infiniband` entries differs from `cache`'s.
///
/// Errors: the class directory exists but cannot be listed, or a port file
/// is unreadable or malformed (that value is absent; the rest is still
/// emitted). A host without RDMA devices is not an error.
pub fn collect(
    root: &Root,
    cache: &Mutex<Cache>,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let entries = root.read_dir_optional(INFINIBAND_DIR)?;
    let mut cache = lock(cache);
    let mut result = cache.refresh(entries, |name| scan_device(root, name).map(Some));
    for device in cache.items() {
        let [board_id, firmware, hca_type] = device.info.clone();
        out.push(Sample::new(
            &node::INFINIBAND_INFO,
            vec![
                ("device", device.name.clone()),
                ("board_id", board_id),
                ("firmware_version", firmware),
                ("hca_type", hca_type),
            ],
            1.0,
        ));
        for port in &device.ports {
            if let Err(e) = port_collect(root, &device.name, port, out) {
                result = Err(e);
            }
        }
    }
    result
}

fn port_collect(
    root: &Root,
    device: &LabelValue,
    port: &Port,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let labels = || [("device", device.clone()), ("port", port.port.clone())];
    let mut result = Ok(());
    let states = [
        ("state", &node::INFINIBAND_STATE_ID),
        ("phys_state", &node::INFINIBAND_PHYSICAL_STATE_ID),
    ];
    for (file, metric) in states {
        let path = join(&port.dir, file);
        match root.read_optional(&path) {
            Ok(Some(t)) => match state_id(&t) {
                Some(id) => out.push(Sample::new(metric, labels(), id as f64)),
                None => {
                    result = Err(root.parse_error(
                        &path,
                        ParseError::new("RDMA port state", 1, "`<number>: <NAME>`", &t),
                    ))
                }
            },
            Ok(None) => {}
            Err(e) => result = Err(e),
        }
    }
    let path = join(&port.dir, "rate");
    match root.read_optional(&path) {
        Ok(Some(t)) => match rate_bytes(&t) {
            Some(r) => out.push(Sample::new(
                &node::INFINIBAND_RATE_BYTES_PER_SECOND,
                labels(),
                r,
            )),
            None => {
                result = Err(root.parse_error(
                    &path,
                    ParseError::new("RDMA port rate", 1, "`<number> Gb/sec ...`", &t),
                ))
            }
        },
        Ok(None) => {}
        Err(e) => result = Err(e),
    }
    for c in &port.counters {
        let value = match counter(root, &c.path) {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            Err(e) => {
                result = Err(e);
                continue;
            }
        };
        let l = [
            ("device", device.clone()),
            ("port", port.port.clone()),
            ("stat", c.stat.clone()),
        ];
        out.push(Sample::new(&node::RDMA_PORT_STAT_TOTAL, l, value as f64));
        if !c.standard {
            continue;
        }
        if let Some((name, words)) = node_counter(&c.stat) {
            let v = if words {
                value.saturating_mul(DATA_WORD_BYTES)
            } else {
                value
            };
            out.push(Sample::named_static(
                &node::INFINIBAND_COUNTER_TOTAL,
                name,
                labels(),
                v as f64,
            ));
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_rates_parse_as_the_kernel_prints_them() {
        assert_eq!(state_id("4: ACTIVE\n"), Some(4));
        assert_eq!(state_id("5: LinkUp\n"), Some(5));
        assert_eq!(state_id("ACTIVE\n"), None);
        assert_eq!(rate_bytes("200 Gb/sec (2X NDR)\n"), Some(25e9));
        assert_eq!(rate_bytes("2.5 Gb/sec (1X SDR)\n"), Some(312_500_000.0));
        assert_eq!(rate_bytes("fast\n"), None);
        assert_eq!(rate_bytes("200 Mb/sec\n"), None);
    }
}
