//! Platform identity and host health: `dgx_spark_exporter_platform_info`, unified-memory compat gauges, NVMe health, pending updates and reboot-required.

#[allow(unused_imports)]
use super::Metric;

/// Every entry of this module, in the order of the README table.
pub static ALL: &[&Metric] = &[];
