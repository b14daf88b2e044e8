//! The detailed GPU families beyond the contract gauges, from `nvidia-smi --query-gpu` and `--query-compute-apps`.

#[allow(unused_imports)]
use super::Metric;

/// Every entry of this module, in the order of the README table.
pub static ALL: &[&Metric] = &[];
