//! node_exporter's `netclass` collector: the attributes of every interface
//! in `/sys/class/net` (kernel `Documentation/ABI/testing/sysfs-class-net`,
//! printed by `net/core/net-sysfs.c`).
//!
//! Each numeric attribute becomes one gauge (counters for the carrier
//! change counts) with node_exporter's name; `node_network_info` carries the
//! text ones as labels and `node_network_up` is 1 when `operstate` is `up`.
//! An attribute the kernel refuses to read (`speed` and `duplex` of a link
//! that is down return `EINVAL`) or that the kernel version lacks is absent.
//! A `speed` of `-1` (unknown) is absent too, as node_exporter does with
//! `--collector.netclass.ignore-invalid-speed`: the alternative, -125000
//! bytes per second, is not a speed.

use crate::collect::Pattern;
use crate::collect::network::NET_DIR;
use crate::expo::{LabelValue, Sample};
use crate::metrics::{Metric, node};
use crate::parse::sysfs;
use crate::root::{CollectError, DirPath, Root};

/// `speed` is in Mb/s (sysfs-class-net); 1 Mb/s = 125000 bytes/s.
const BYTES_PER_SECOND_PER_MBPS: i64 = 1_000_000 / 8;

/// Numeric attributes and their families, in node_exporter's order.
const NUMERIC: [(&str, &Metric); 16] = [
    ("addr_assign_type", &node::NETWORK_ADDRESS_ASSIGN_TYPE),
    ("carrier", &node::NETWORK_CARRIER),
    ("carrier_changes", &node::NETWORK_CARRIER_CHANGES_TOTAL),
    ("carrier_up_count", &node::NETWORK_CARRIER_UP_CHANGES_TOTAL),
    (
        "carrier_down_count",
        &node::NETWORK_CARRIER_DOWN_CHANGES_TOTAL,
    ),
    ("dev_id", &node::NETWORK_DEVICE_ID),
    ("dormant", &node::NETWORK_DORMANT),
    ("flags", &node::NETWORK_FLAGS),
    ("ifindex", &node::NETWORK_IFACE_ID),
    ("iflink", &node::NETWORK_IFACE_LINK),
    ("link_mode", &node::NETWORK_IFACE_LINK_MODE),
    ("mtu", &node::NETWORK_MTU_BYTES),
    ("name_assign_type", &node::NETWORK_NAME_ASSIGN_TYPE),
    ("netdev_group", &node::NETWORK_NET_DEV_GROUP),
    ("tx_queue_len", &node::NETWORK_TRANSMIT_QUEUE_LENGTH),
    ("type", &node::NETWORK_PROTOCOL_TYPE),
];

/// Text attributes that label `node_network_info`, in label order.
const INFO: [&str; 5] = ["address", "broadcast", "duplex", "operstate", "ifalias"];

/// Emits the netclass families for every interface whose name does not
/// match `ignored` (node_exporter's `--collector.netclass.ignored-devices`).
///
/// Errors: `sys/class/net` cannot be listed, or an attribute is unreadable
/// or malformed (that value is absent; the rest is still emitted).
pub fn collect(root: &Root, ignored: &Pattern, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let mut result = Ok(());
    for iface in root.read_dir(NET_DIR)? {
        if ignored.is_match(&iface) {
            continue;
        }
        let mut dir = DirPath::of(&[NET_DIR, &iface]);
        // `bonding_masters` is a file beside the interfaces; one that
        // vanished since the listing has nothing to report.
        if !root.is_dir_identified(dir.dir()) {
            continue;
        }
        let name = LabelValue::from(iface);
        let device = || [("device", name.clone())];
        let mut info = Vec::with_capacity(INFO.len() + 1);
        info.push(("device", name.clone()));
        for attr in INFO {
            let text = root.read_parsed_optional(dir.file(attr), |t| {
                Ok(LabelValue::new(sysfs::text_value(t)))
            });
            let text = match text {
                Ok(t) => t.unwrap_or(LabelValue::from("")),
                Err(e) => {
                    result = Err(e);
                    LabelValue::from("")
                }
            };
            info.push((attr, text));
        }
        let up = info.iter().any(|(k, v)| *k == "operstate" && v == "up");
        out.push(Sample::new(&node::NETWORK_INFO, info, 1.0));
        out.push(Sample::new(
            &node::NETWORK_UP,
            device(),
            f64::from(u8::from(up)),
        ));
        let attrs = NUMERIC
            .iter()
            .copied()
            .chain([("speed", &node::NETWORK_SPEED_BYTES)]);
        for (attr, metric) in attrs {
            let path = dir.file(attr);
            match root.read_parsed_optional(path, |t| sysfs::int_value("net class attribute", t)) {
                Ok(Some(v)) if attr == "speed" => {
                    if v >= 0 {
                        let bytes = v.saturating_mul(BYTES_PER_SECOND_PER_MBPS);
                        out.push(Sample::new(metric, device(), bytes as f64));
                    }
                }
                Ok(Some(v)) => out.push(Sample::new(metric, device(), v as f64)),
                Ok(None) => {}
                Err(e) => result = Err(e),
            }
        }
    }
    result
}
