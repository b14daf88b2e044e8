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
//! A counter that reads `N/A (no PMA)` (a port without a performance
//! management agent) is absent.

use crate::expo::Sample;
use crate::metrics::node;
use crate::parse::sysfs;
use crate::root::{CollectError, Root};

/// Relative path of the InfiniBand class directory.
pub const INFINIBAND_DIR: &str = "sys/class/infiniband";

/// `rate` is in Gb/s (sysfs-class-infiniband); 1 Gb/s = 125000000 bytes/s.
const BYTES_PER_SECOND_PER_GBPS: f64 = 125_000_000.0;

/// PortXmitData and PortRcvData count 4-octet words (IBA vol. 1, 16.1.3.5).
const DATA_WORD_BYTES: u64 = 4;

/// `counters/` files and node_exporter's family name for each
/// (`node_infiniband_<name>_total`), and whether the value is in words.
const COUNTERS: [(&str, &str, bool); 22] = [
    (
        "excessive_buffer_overrun_errors",
        "excessive_buffer_overrun_errors",
        false,
    ),
    ("link_downed", "link_downed", false),
    ("link_error_recovery", "link_error_recovery", false),
    (
        "local_link_integrity_errors",
        "local_link_integrity_errors",
        false,
    ),
    ("multicast_rcv_packets", "multicast_packets_received", false),
    (
        "multicast_xmit_packets",
        "multicast_packets_transmitted",
        false,
    ),
    (
        "port_rcv_constraint_errors",
        "port_constraint_errors_received",
        false,
    ),
    (
        "port_xmit_constraint_errors",
        "port_constraint_errors_transmitted",
        false,
    ),
    ("port_rcv_data", "port_data_received_bytes", true),
    ("port_xmit_data", "port_data_transmitted_bytes", true),
    ("port_rcv_discards", "port_discards_received", false),
    ("port_xmit_discards", "port_discards_transmitted", false),
    ("port_rcv_errors", "port_errors_received", false),
    ("port_rcv_packets", "port_packets_received", false),
    ("port_xmit_packets", "port_packets_transmitted", false),
    ("port_xmit_wait", "port_transmit_wait", false),
    ("unicast_rcv_packets", "unicast_packets_received", false),
    ("unicast_xmit_packets", "unicast_packets_transmitted", false),
    (
        "port_rcv_remote_physical_errors",
        "port_receive_remote_physical_errors",
        false,
    ),
    (
        "port_rcv_switch_relay_errors",
        "port_receive_switch_relay_errors",
        false,
    ),
    ("symbol_error", "symbol_error", false),
    ("VL15_dropped", "vl15_dropped", false),
];

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
    match root.read_optional(path)? {
        Some(t) if t.starts_with("N/A") => Ok(None),
        Some(t) => sysfs::u64_value("RDMA port counter", &t)
            .map(Some)
            .map_err(|e| root.parse_error(path, e)),
        None => Ok(None),
    }
}

/// Emits the infiniband families and `rdma_port_stat_total` for every
/// device and port.
///
/// Errors: the class directory exists but cannot be listed, or a port file
/// is unreadable or malformed (that value is absent; the rest is still
/// emitted). A host without RDMA devices is not an error.
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let mut result = Ok(());
    for device in root.read_dir_optional(INFINIBAND_DIR)? {
        let dir = format!("{INFINIBAND_DIR}/{device}");
        let mut info = vec![("device", device.clone())];
        for (label, file) in [
            ("board_id", "board_id"),
            ("firmware_version", "fw_ver"),
            ("hca_type", "hca_type"),
        ] {
            let value = match root.read_optional(&format!("{dir}/{file}")) {
                Ok(v) => v.unwrap_or_default(),
                Err(e) => {
                    result = Err(e);
                    String::new()
                }
            };
            info.push((label, sysfs::text_value(&value).to_string()));
        }
        out.push(Sample::new(&node::INFINIBAND_INFO, info, 1.0));
        let ports = match root.read_dir_optional(&format!("{dir}/ports")) {
            Ok(p) => p,
            Err(e) => {
                result = Err(e);
                continue;
            }
        };
        for port in ports {
            if let Err(e) = port_collect(root, &device, &port, out) {
                result = Err(e);
            }
        }
    }
    result
}

fn port_collect(
    root: &Root,
    device: &str,
    port: &str,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let dir = format!("{INFINIBAND_DIR}/{device}/ports/{port}");
    let labels = || vec![("device", device.to_string()), ("port", port.to_string())];
    let mut result = Ok(());
    let states = [
        ("state", &node::INFINIBAND_STATE_ID),
        ("phys_state", &node::INFINIBAND_PHYSICAL_STATE_ID),
    ];
    for (file, metric) in states {
        let path = format!("{dir}/{file}");
        match root.read_optional(&path) {
            Ok(Some(t)) => match state_id(&t) {
                Some(id) => out.push(Sample::new(metric, labels(), id as f64)),
                None => {
                    result = Err(root.parse_error(
                        &path,
                        crate::parse::ParseError::new(
                            "RDMA port state",
                            1,
                            "`<number>: <NAME>`",
                            &t,
                        ),
                    ))
                }
            },
            Ok(None) => {}
            Err(e) => result = Err(e),
        }
    }
    let path = format!("{dir}/rate");
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
                    crate::parse::ParseError::new("RDMA port rate", 1, "`<number> Gb/sec ...`", &t),
                ))
            }
        },
        Ok(None) => {}
        Err(e) => result = Err(e),
    }
    for (file, name, words) in COUNTERS {
        match counter(root, &format!("{dir}/counters/{file}")) {
            Ok(Some(v)) => {
                let v = if words {
                    v.saturating_mul(DATA_WORD_BYTES)
                } else {
                    v
                };
                out.push(Sample::named(
                    &node::INFINIBAND_COUNTER_TOTAL,
                    format!("node_infiniband_{name}_total"),
                    labels(),
                    v as f64,
                ));
            }
            Ok(None) => {}
            Err(e) => result = Err(e),
        }
    }
    for group in ["counters", "hw_counters"] {
        let group_dir = format!("{dir}/{group}");
        let files = match root.read_dir_optional(&group_dir) {
            Ok(f) => f,
            Err(e) => {
                result = Err(e);
                continue;
            }
        };
        for stat in files {
            match counter(root, &format!("{group_dir}/{stat}")) {
                Ok(Some(v)) => {
                    let mut l = labels();
                    l.push(("stat", stat));
                    out.push(Sample::new(&node::RDMA_PORT_STAT_TOTAL, l, v as f64));
                }
                Ok(None) => {}
                Err(e) => result = Err(e),
            }
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
