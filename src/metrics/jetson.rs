//! NVIDIA Jetson board families (`jetson_*`), from sysfs and the L4T files under `/etc` and `/var/lib/nvpmodel`.

#[allow(unused_imports)]
use super::Metric;

/// Every entry of this module, in the order of the README table.
pub static ALL: &[&Metric] = &[];
