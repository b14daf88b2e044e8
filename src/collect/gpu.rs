//! The `gpu_*` contract gauges and `gpu_info`, from one `nvidia-smi
//! --query-gpu` call per scrape (or its recording).
//!
//! At most one `nvidia-smi` runs at a time: a scrape that arrives while
//! another is waiting for `nvidia-smi` waits for that call and shares its
//! result instead of forking a second one. A value `nvidia-smi` prints as
//! `[N/A]` (every `memory.*` field on a GB10) is absent, never 0; the
//! `gpu_memory_*` gauges therefore exist only for discrete GPUs.

use std::sync::Mutex;
use std::time::Instant;

use crate::command::CommandErrorKind;
use crate::expo::Sample;
use crate::metrics::{self, Metric};
use crate::parse::nvidia_smi::{self, GpuRow};
use crate::root::{CollectError, Root, lock};

/// nvidia-smi's `MiB` unit (`--help-query-gpu`: "memory.total ... in MiB").
const MIB_BYTES: f64 = 1_048_576.0;

/// `nvidia-smi`'s exit code when it finds no GPU (`NVML_ERROR_NOT_FOUND`,
/// "No devices were found").
const NO_DEVICES_EXIT: i32 = 6;

/// The last finished `nvidia-smi` call: when it finished and what it gave
/// (stdout, or the error message).
type LastCall = Option<(Instant, Result<String, String>)>;

/// The GPU collector's state across scrapes.
#[derive(Debug, Default)]
pub struct Gpu {
    last: Mutex<LastCall>,
}

impl Gpu {
    /// Stdout of the query: a call finished after this scrape started waiting
    /// is shared; otherwise a new call is made.
    fn query(&self, root: &Root) -> Result<String, CollectError> {
        let asked = Instant::now();
        let mut last = lock(&self.last);
        if let Some((finished, result)) = last.as_ref() {
            if *finished >= asked {
                return result.clone().map_err(CollectError::Other);
            }
        }
        let query = nvidia_smi::query_gpu_arg();
        let result = root.nvidia_smi(&[&query, nvidia_smi::FORMAT_ARG]);
        *last = Some((
            Instant::now(),
            result
                .as_ref()
                .map(String::clone)
                .map_err(|e| e.to_string()),
        ));
        result
    }

    /// Whether the GPU collector should run on this host, asked once at
    /// start-up: `Err` (with the reason for the log) when the root has no
    /// `nvidia-smi`, or when it lists no GPU: empty output, or exit code 6
    /// ("No devices were found"; `nvidia-smi(1)`, RETURN VALUE). Any other
    /// failure keeps the collector on, reporting failure, because on a GPU
    /// host it means something is wrong (exit 9: the driver is not loaded).
    ///
    /// Errors: the reason the collector is inactive.
    pub fn host_has_gpu(&self, root: &Root) -> Result<(), String> {
        if !root.has_nvidia_smi() {
            return Err(format!(
                "no nvidia-smi found for root {}",
                root.base().display()
            ));
        }
        match self.query(root) {
            Ok(text) => match nvidia_smi::parse_query_gpu(&text) {
                Ok(rows) if rows.is_empty() => {
                    Err(format!("{} lists no GPU", root.nvidia_smi_origin()))
                }
                _ => Ok(()),
            },
            Err(CollectError::Command(e)) if matches!(&e.kind, CommandErrorKind::Failed { status, .. } if status.code() == Some(NO_DEVICES_EXIT)) => {
                Err(format!("{e}"))
            }
            Err(_) => Ok(()),
        }
    }

    /// Emits the GPU metrics for every GPU `nvidia-smi` lists.
    ///
    /// Errors: `nvidia-smi` fails, hangs past its deadline, or prints
    /// something that is not the expected CSV.
    pub fn collect(&self, root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
        let text = self.query(root)?;
        let rows = nvidia_smi::parse_query_gpu(&text).map_err(|source| CollectError::Parse {
            path: root.nvidia_smi_origin(),
            source,
        })?;
        for row in &rows {
            push_row(row, out);
        }
        Ok(())
    }
}

fn push_row(row: &GpuRow, out: &mut Vec<Sample>) {
    let gpu = row.index.to_string();
    let gauges: [(&'static Metric, Option<f64>); 4] = [
        (
            &metrics::GPU_UTILIZATION_PERCENT,
            row.utilization_gpu_percent,
        ),
        (
            &metrics::GPU_TEMPERATURE_CELSIUS,
            row.temperature_gpu_celsius,
        ),
        (&metrics::GPU_FREQUENCY_MHZ, row.clocks_current_graphics_mhz),
        (&metrics::GPU_POWER_WATTS, row.power_draw_watts),
    ];
    let memory: [(&'static Metric, Option<f64>); 3] = [
        (&metrics::GPU_MEMORY_TOTAL_BYTES, row.memory_total_mib),
        (&metrics::GPU_MEMORY_USED_BYTES, row.memory_used_mib),
        (&metrics::GPU_MEMORY_FREE_BYTES, row.memory_free_mib),
    ];
    let memory = memory.map(|(m, mib)| (m, mib.map(|v| v * MIB_BYTES)));
    for (metric, value) in gauges.into_iter().chain(memory) {
        if let Some(v) = value {
            out.push(Sample::new(metric, vec![("gpu", gpu.clone())], v));
        }
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    out.push(Sample::new(
        &metrics::GPU_INFO,
        vec![
            ("gpu", gpu),
            ("uuid", text(&row.uuid)),
            ("name", text(&row.name)),
            ("driver_version", text(&row.driver_version)),
            ("pci_bus_id", text(&row.pci_bus_id)),
        ],
        1.0,
    ));
}
