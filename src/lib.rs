//! dgx-spark-exporter: a Prometheus exporter for NVIDIA DGX Spark boxes (and
//! any Linux host), in one small static binary.
//!
//! Data flows one way: a [`root::Root`] (the live host or a recorded fixture)
//! is read by collectors ([`collect`]) that call pure parsers ([`parse`]) and
//! produce samples of the metrics in [`metrics`]; the [`expo`] writer turns
//! them into the text exposition format, which [`http`] serves.
//!
//! The metric set is listed in [`metrics::all`] (and in the README, generated
//! from it).

#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod cli;
pub mod collect;
pub mod command;
pub mod expo;
pub mod http;
pub mod metrics;
pub mod notify;
pub mod parse;
pub mod record;
pub mod root;
#[allow(unsafe_code)]
pub mod sys;
#[cfg(test)]
mod testutil;

/// The git revision this binary was built from (`unknown` without git).
pub const REVISION: &str = env!("DGX_SPARK_EXPORTER_REVISION");

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
