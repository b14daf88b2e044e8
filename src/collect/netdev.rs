//! node_exporter's `netdev` collector: `node_network_receive_<field>_total`
//! and `node_network_transmit_<field>_total{device}` from `/proc/net/dev`
//! (kernel `net/core/net-procfs.c`, `dev_seq_printf_stats`), for every
//! interface not matching `--collector.netdev.device-exclude` (node_exporter's
//! default: `^lo$`).
//!
//! node_exporter 1.5.0 reads these over netlink by default, which sees only
//! the live host; with `--no-collector.netdev.netlink` it reads this file,
//! and the values are the same counters.

use regex_lite::Regex;

use crate::expo::Sample;
use crate::metrics::node;
use crate::parse::netdev::{self, RECEIVE_FIELDS, TRANSMIT_FIELDS};
use crate::root::{CollectError, Root};

/// Relative path of the network device statistics file.
pub const NET_DEV_FILE: &str = "proc/net/dev";

/// node_exporter's default `--collector.netdev.device-exclude`.
pub const DEFAULT_NETDEV_EXCLUDE: &str = "^lo$";

/// Emits the sixteen counters for each interface not matching `exclude`.
///
/// Errors: `/proc/net/dev` unreadable or malformed.
pub fn collect(root: &Root, exclude: &Regex, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let devices = root.read_parsed(NET_DEV_FILE, |t| {
        netdev::parse(t).map(|v| {
            v.into_iter()
                .map(|d| (d.name.to_string(), d.receive, d.transmit))
                .collect::<Vec<_>>()
        })
    })?;
    for (name, receive, transmit) in devices {
        if exclude.is_match(&name) {
            continue;
        }
        let sides = [
            (
                "receive",
                &RECEIVE_FIELDS,
                &receive,
                &node::NETWORK_RECEIVE_TOTAL,
            ),
            (
                "transmit",
                &TRANSMIT_FIELDS,
                &transmit,
                &node::NETWORK_TRANSMIT_TOTAL,
            ),
        ];
        for (side, fields, values, metric) in sides {
            for (field, value) in fields.iter().zip(values.iter()) {
                out.push(Sample::named(
                    metric,
                    format!("node_network_{side}_{field}_total"),
                    vec![("device", name.clone())],
                    *value as f64,
                ));
            }
        }
    }
    Ok(())
}
