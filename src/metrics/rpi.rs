//! Raspberry Pi board families (`rpi_*`), from sysfs and the device tree.

#[allow(unused_imports)]
use super::Metric;

/// Every entry of this module, in the order of the README table.
pub static ALL: &[&Metric] = &[];
