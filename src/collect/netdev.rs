//! node_exporter's `netdev` collector: `node_network_receive_<field>_total`
//! and `node_network_transmit_<field>_total{device}` from `/proc/net/dev`
//! (kernel `net/core/net-procfs.c`, `dev_seq_printf_stats`), for every
//! interface not matching `--collector.netdev.device-exclude` (node_exporter's
//! default: `^lo$`).
//!
//! node_exporter 1.5.0 reads these over netlink by default, which sees only
//! the live host; with `--no-collector.netdev.netlink` it reads this file,
//! and the values are the same counters.

use crate::collect::Pattern;
use crate::expo::{LabelValue, Sample, name_order};
use crate::metrics::node;
use crate::parse::netdev;
use crate::root::{CollectError, Root};

/// Relative path of the network device statistics file.
pub const NET_DEV_FILE: &str = "proc/net/dev";

/// node_exporter's default `--collector.netdev.device-exclude`.
pub const DEFAULT_NETDEV_EXCLUDE: &str = "^lo$";

/// node_exporter's family names of the receive columns, indexed like
/// [`netdev::RECEIVE_FIELDS`]: `node_network_receive_<field>_total`.
const RECEIVE_NAMES: [&str; 8] = [
    "node_network_receive_bytes_total",
    "node_network_receive_packets_total",
    "node_network_receive_errs_total",
    "node_network_receive_drop_total",
    "node_network_receive_fifo_total",
    "node_network_receive_frame_total",
    "node_network_receive_compressed_total",
    "node_network_receive_multicast_total",
];

/// node_exporter's family names of the transmit columns, indexed like
/// [`netdev::TRANSMIT_FIELDS`]: `node_network_transmit_<field>_total`.
const TRANSMIT_NAMES: [&str; 8] = [
    "node_network_transmit_bytes_total",
    "node_network_transmit_packets_total",
    "node_network_transmit_errs_total",
    "node_network_transmit_drop_total",
    "node_network_transmit_fifo_total",
    "node_network_transmit_colls_total",
    "node_network_transmit_carrier_total",
    "node_network_transmit_compressed_total",
];

/// Emits the sixteen counters for each interface not matching `exclude`.
///
/// Errors: `/proc/net/dev` unreadable or malformed.
pub fn collect(root: &Root, exclude: &Pattern, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let devices = root.read_parsed(NET_DEV_FILE, |t| {
        netdev::parse(t).map(|v| {
            v.into_iter()
                .map(|d| (LabelValue::new(d.name), d.receive, d.transmit))
                .collect::<Vec<_>>()
        })
    })?;
    // By name, the writer's order (the kernel lists them by ifindex), so
    // that it has nothing to sort.
    let names: Vec<&str> = devices.iter().map(|(name, _, _)| name.as_str()).collect();
    for (name, receive, transmit) in name_order(&names).into_iter().map(|i| &devices[i]) {
        if exclude.is_match(name) {
            continue;
        }
        let sides = [
            (&RECEIVE_NAMES, &receive, &node::NETWORK_RECEIVE_TOTAL),
            (&TRANSMIT_NAMES, &transmit, &node::NETWORK_TRANSMIT_TOTAL),
        ];
        for (names, values, metric) in sides {
            for (family, value) in names.iter().zip(values.iter()) {
                out.push(Sample::named_static(
                    metric,
                    family,
                    [("device", name.clone())],
                    *value as f64,
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::netdev::{RECEIVE_FIELDS, TRANSMIT_FIELDS};

    #[test]
    fn family_names_are_node_exporters_for_each_column() {
        for (field, name) in RECEIVE_FIELDS.iter().zip(RECEIVE_NAMES) {
            assert_eq!(name, format!("node_network_receive_{field}_total"));
        }
        for (field, name) in TRANSMIT_FIELDS.iter().zip(TRANSMIT_NAMES) {
            assert_eq!(name, format!("node_network_transmit_{field}_total"));
        }
    }
}
