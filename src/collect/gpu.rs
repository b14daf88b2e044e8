//! The `gpu_*` contract gauges, `gpu_info` and the detailed GPU families of
//! [`crate::metrics::gpu`], from `nvidia-smi --query-gpu` (or its
//! recording), plus `--query-compute-apps` on hosts with a GPU that reports
//! no memory (a GB10).
//!
//! Two ways to get them:
//! - Serving a live host, once [`Gpu::start_stream`] has run (the server
//!   does at start-up): a long-lived `nvidia-smi ... -lms <interval>` child
//!   keeps the latest sample of each GPU, and a scrape serves it without
//!   waiting for `nvidia-smi` ([`stream`]).
//! - Otherwise (`--once`, `record`, a replayed fixture, the library): one
//!   round of one-shot calls per collection, or the recorded outputs, read
//!   by the same parser.
//!
//! At most one round of one-shot calls runs at a time: a scrape that
//! arrives while another is waiting for `nvidia-smi` waits for that round and
//! shares its result instead of forking a second one. A value `nvidia-smi`
//! prints as `[N/A]` (every `memory.*` field on a GB10) is absent, never 0;
//! the `gpu_memory_*` gauges therefore exist only for discrete GPUs.
//!
//! On a GPU whose `memory.total` is absent, `gpu_process_memory_used_bytes`
//! is the sum of `used_gpu_memory` over the compute processes on it
//! (matched by UUID): what CUDA contexts hold of the unified memory that
//! `/proc/meminfo` reports for the whole system. No process is a reading
//! of 0; a failed `--query-compute-apps`, or a process whose memory the
//! driver does not report, leaves it absent. Discrete GPUs report
//! `gpu_memory_used_bytes` instead, so their hosts make no second call.

pub mod stream;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use crate::command::CommandErrorKind;
use crate::expo::{LabelValue, Sample};
use crate::metrics::{self, Metric, gpu as m};
use crate::parse::nvidia_smi::{self, CLOCK_EVENT_REASONS, ComputeApp, GpuRow};
use crate::root::{CollectError, NvidiaSmiQuery, Root, lock};

/// nvidia-smi's `MiB` unit (`--help-query-gpu`: "memory.total ... in MiB").
const MIB_BYTES: f64 = 1_048_576.0;

/// nvidia-smi's `MHz` unit (`--help-query-gpu`, `clocks.*` "in MHz").
const MHZ_HERTZ: f64 = 1_000_000.0;

/// `nvidia-smi`'s exit code when it finds no GPU (`NVML_ERROR_NOT_FOUND`,
/// "No devices were found").
const NO_DEVICES_EXIT: i32 = 6;

/// The stdout (or error) of one round of calls: `--query-gpu`, and
/// `--query-compute-apps` when some GPU reports no memory.
#[derive(Debug)]
struct Round<E> {
    gpus: Result<String, E>,
    apps: Option<Result<String, E>>,
}

/// The last finished round: when it finished and what it gave (stdout, or
/// the error message).
type LastRound = Option<(Instant, Round<String>)>;

/// The GPU collector's state across scrapes.
#[derive(Debug, Default)]
pub struct Gpu {
    last: Mutex<LastRound>,
    stream: OnceLock<Arc<stream::Stream>>,
}

/// Whether some GPU of `rows` has no `memory.total`, for which the compute
/// processes' memory is summed.
fn needs_compute_apps(rows: &[GpuRow]) -> bool {
    rows.iter().any(|r| r.memory_total_mib.is_none())
}

impl Gpu {
    /// The outputs of one round of calls: a round finished after this scrape
    /// started waiting is shared; otherwise a new round is made. With it,
    /// the rows of `--query-gpu` when this call made the round and they
    /// parsed (the round's own parse, which decided on the second call), so
    /// that the caller need not parse them again.
    fn query(&self, root: &Root) -> (Round<CollectError>, Option<Vec<GpuRow>>) {
        let asked = Instant::now();
        let mut last = lock(&self.last);
        if let Some((finished, round)) = last.as_ref() {
            if *finished >= asked {
                let shared = |r: &Result<String, String>| r.clone().map_err(CollectError::Other);
                let round = Round {
                    gpus: shared(&round.gpus),
                    apps: round.apps.as_ref().map(shared),
                };
                return (round, None);
            }
        }
        let gpus = root.nvidia_smi(
            NvidiaSmiQuery::Gpu,
            &[&nvidia_smi::query_gpu_arg(), nvidia_smi::FORMAT_ARG],
        );
        let rows = gpus
            .as_ref()
            .ok()
            .and_then(|text| nvidia_smi::parse_query_gpu(text).ok());
        let apps = match &rows {
            Some(rows) if needs_compute_apps(rows) => Some(root.nvidia_smi(
                NvidiaSmiQuery::ComputeApps,
                &[
                    &nvidia_smi::query_compute_apps_arg(),
                    nvidia_smi::FORMAT_ARG,
                ],
            )),
            _ => None,
        };
        let kept = |r: &Result<String, CollectError>| match r {
            Ok(text) => Ok(text.clone()),
            Err(e) => Err(e.to_string()),
        };
        *last = Some((
            Instant::now(),
            Round {
                gpus: kept(&gpus),
                apps: apps.as_ref().map(kept),
            },
        ));
        (Round { gpus, apps }, rows)
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
        match self.query(root).0.gpus {
            Ok(text) => match nvidia_smi::parse_query_gpu(&text) {
                Ok(rows) if rows.is_empty() => Err(format!(
                    "{} lists no GPU",
                    root.nvidia_smi_origin(NvidiaSmiQuery::Gpu)
                )),
                _ => Ok(()),
            },
            Err(CollectError::Command(e)) if matches!(&e.kind, CommandErrorKind::Failed { status, .. } if status.code() == Some(NO_DEVICES_EXIT)) => {
                Err(format!("{e}"))
            }
            Err(_) => Ok(()),
        }
    }

    /// Switches this collector to streaming on a live root with an
    /// `nvidia-smi` ([`stream`]); does nothing on a replayed root, or when
    /// already streaming. The rows of the start-up call
    /// ([`Gpu::host_has_gpu`]) are served until the stream gives newer ones.
    ///
    /// Errors: a sampler thread could not be spawned.
    pub fn start_stream(&self, root: &Root, settings: stream::Settings) -> std::io::Result<()> {
        if !root.is_live() || !root.has_nvidia_smi() || self.stream.get().is_some() {
            return Ok(());
        }
        // The live root's binary, as `nvidia_smi_origin` names it.
        let bin = PathBuf::from(root.nvidia_smi_origin(NvidiaSmiQuery::Gpu));
        let seed = lock(&self.last).as_ref().and_then(|(at, round)| {
            let rows = nvidia_smi::parse_query_gpu(round.gpus.as_ref().ok()?).ok()?;
            let apps = round.apps.as_ref().map(|a| {
                a.clone().and_then(|text| {
                    nvidia_smi::parse_query_compute_apps(&text).map_err(|e| e.to_string())
                })
            });
            Some((*at, rows, apps))
        });
        let started = stream::Stream::start(bin, settings, seed)?;
        let _ = self.stream.set(started);
        Ok(())
    }

    /// Emits the GPU metrics for every GPU `nvidia-smi` lists: from the
    /// stream once [`Gpu::start_stream`] has started one (see
    /// [`stream::Stream::collect`] for its errors), else from one round of
    /// one-shot calls.
    ///
    /// Errors: `nvidia-smi` fails, hangs past its deadline, or prints
    /// something that is not the expected CSV. A failing
    /// `--query-compute-apps` leaves only `gpu_process_memory_used_bytes`
    /// absent; the per-GPU samples are kept.
    pub fn collect(&self, root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
        if let Some(stream) = self.stream.get() {
            return stream.collect(out);
        }
        let (round, parsed) = self.query(root);
        let text = round.gpus?;
        let rows = match parsed {
            Some(rows) => rows,
            None => nvidia_smi::parse_query_gpu(&text).map_err(|source| CollectError::Parse {
                path: root.nvidia_smi_origin(NvidiaSmiQuery::Gpu),
                source,
            })?,
        };
        for row in &rows {
            push_row(row, out);
        }
        let Some(apps) = round.apps else {
            return Ok(());
        };
        let apps =
            nvidia_smi::parse_query_compute_apps(&apps?).map_err(|source| CollectError::Parse {
                path: root.nvidia_smi_origin(NvidiaSmiQuery::ComputeApps),
                source,
            })?;
        push_process_memory(&rows, &apps, out);
        Ok(())
    }
}

fn push_row(row: &GpuRow, out: &mut Vec<Sample>) {
    let gpu = LabelValue::from(row.index.to_string());
    let mhz = |v: Option<f64>| v.map(|v| v * MHZ_HERTZ);
    let mib = |v: Option<f64>| v.map(|v| v * MIB_BYTES);
    let int = |v: Option<u64>| v.map(|v| v as f64);
    let values: [(&'static Metric, Option<f64>); 26] = [
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
        (&metrics::GPU_MEMORY_TOTAL_BYTES, mib(row.memory_total_mib)),
        (&metrics::GPU_MEMORY_USED_BYTES, mib(row.memory_used_mib)),
        (&metrics::GPU_MEMORY_FREE_BYTES, mib(row.memory_free_mib)),
        (
            &m::GPU_MEMORY_UTILIZATION_PERCENT,
            row.utilization_memory_percent,
        ),
        (
            &m::GPU_ENCODER_UTILIZATION_PERCENT,
            row.utilization_encoder_percent,
        ),
        (
            &m::GPU_DECODER_UTILIZATION_PERCENT,
            row.utilization_decoder_percent,
        ),
        (&m::GPU_POWER_LIMIT_WATTS, row.power_limit_watts),
        (
            &m::GPU_ENFORCED_POWER_LIMIT_WATTS,
            row.enforced_power_limit_watts,
        ),
        (&m::GPU_CLOCK_SM_HERTZ, mhz(row.clocks_current_sm_mhz)),
        (
            &m::GPU_CLOCK_MEMORY_HERTZ,
            mhz(row.clocks_current_memory_mhz),
        ),
        (
            &m::GPU_CLOCK_MAX_GRAPHICS_HERTZ,
            mhz(row.clocks_max_graphics_mhz),
        ),
        (&m::GPU_CLOCK_MAX_SM_HERTZ, mhz(row.clocks_max_sm_mhz)),
        (
            &m::GPU_CLOCK_MAX_MEMORY_HERTZ,
            mhz(row.clocks_max_memory_mhz),
        ),
        (&m::GPU_FAN_SPEED_PERCENT, row.fan_speed_percent),
        (&m::GPU_PSTATE, row.pstate.map(f64::from)),
        (
            &m::GPU_MEMORY_TEMPERATURE_CELSIUS,
            row.temperature_memory_celsius,
        ),
        (&m::GPU_PCIE_LINK_GENERATION, int(row.pcie_link_gen_current)),
        (&m::GPU_PCIE_LINK_MAX_GENERATION, int(row.pcie_link_gen_max)),
        (
            &m::GPU_PCIE_LINK_WIDTH_LANES,
            int(row.pcie_link_width_current),
        ),
        (
            &m::GPU_PCIE_LINK_MAX_WIDTH_LANES,
            int(row.pcie_link_width_max),
        ),
        (
            &m::GPU_ECC_ERRORS_CORRECTED_VOLATILE_TOTAL,
            int(row.ecc_errors_corrected_volatile_total),
        ),
        (
            &m::GPU_ECC_ERRORS_UNCORRECTED_VOLATILE_TOTAL,
            int(row.ecc_errors_uncorrected_volatile_total),
        ),
    ];
    for (metric, value) in values {
        if let Some(v) = value {
            out.push(Sample::new(metric, [("gpu", gpu.clone())], v));
        }
    }
    for (reason, active) in CLOCK_EVENT_REASONS.iter().zip(row.clock_event_reasons) {
        if let Some(active) = active {
            out.push(Sample::new(
                &m::GPU_CLOCK_EVENT_REASON_ACTIVE,
                [("gpu", gpu.clone()), ("reason", LabelValue::from(*reason))],
                if active { 1.0 } else { 0.0 },
            ));
        }
    }
    let text = |v: &Option<String>| LabelValue::new(v.as_deref().unwrap_or_default());
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

/// `gpu_process_memory_used_bytes` for each GPU without `memory.total` and
/// with a UUID: the sum over the processes on it, absent if any of them has
/// no `used_gpu_memory`. Processes on GPUs not listed (or without a UUID)
/// are not counted anywhere.
fn push_process_memory(rows: &[GpuRow], apps: &[ComputeApp], out: &mut Vec<Sample>) {
    for row in rows.iter().filter(|r| r.memory_total_mib.is_none()) {
        let Some(uuid) = row.uuid.as_deref() else {
            continue;
        };
        // Folded from +0.0: `Sum` for f64 starts at -0.0, which would be
        // written as `-0` for a GPU without processes.
        let used: Option<f64> = apps
            .iter()
            .filter(|a| a.gpu_uuid.as_deref() == Some(uuid))
            .try_fold(0.0, |sum, a| a.used_gpu_memory_mib.map(|v| sum + v));
        if let Some(mib) = used {
            out.push(Sample::new(
                &m::GPU_PROCESS_MEMORY_USED_BYTES,
                [("gpu", row.index.to_string().into())],
                mib * MIB_BYTES,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(index: u32, uuid: &str, memory_total_mib: Option<f64>) -> GpuRow {
        let mut r = nvidia_smi::parse_query_gpu(&format!(
            "{}\n{index}{}\n",
            nvidia_smi::QUERY_GPU_FIELDS
                .iter()
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(", "),
            ", [N/A]".repeat(nvidia_smi::QUERY_GPU_FIELDS.len() - 1)
        ))
        .unwrap()
        .remove(0);
        r.uuid = Some(uuid.to_string());
        r.memory_total_mib = memory_total_mib;
        r
    }

    fn app(uuid: &str, mib: Option<f64>) -> ComputeApp {
        ComputeApp {
            gpu_uuid: Some(uuid.to_string()),
            pid: Some(1),
            used_gpu_memory_mib: mib,
        }
    }

    fn process_memory(rows: &[GpuRow], apps: &[ComputeApp]) -> Vec<(String, f64)> {
        let mut out = Vec::new();
        push_process_memory(rows, apps, &mut out);
        out.iter()
            .map(|s| (s.labels[0].1.to_string(), s.value))
            .collect()
    }

    #[test]
    fn process_memory_is_summed_per_gpu_by_uuid() {
        let rows = [row(0, "GPU-a", None), row(1, "GPU-b", None)];
        let apps = [
            app("GPU-a", Some(218.0)),
            app("GPU-b", Some(1.0)),
            app("GPU-a", Some(96073.0)),
            app("GPU-elsewhere", Some(5.0)),
        ];
        assert_eq!(
            process_memory(&rows, &apps),
            [
                ("0".to_string(), 96291.0 * MIB_BYTES),
                ("1".to_string(), MIB_BYTES)
            ]
        );
    }

    #[test]
    fn no_process_is_zero_and_an_unknown_share_is_absent() {
        let rows = [row(0, "GPU-a", None), row(1, "GPU-b", None)];
        let apps = [app("GPU-b", Some(10.0)), app("GPU-b", None)];
        let got = process_memory(&rows, &apps);
        assert_eq!(got, [("0".to_string(), 0.0)]);
        assert!(got[0].1.is_sign_positive(), "0, not -0");
    }

    #[test]
    fn discrete_gpus_with_memory_total_get_no_process_sum() {
        let rows = [row(0, "GPU-a", Some(16376.0)), row(1, "GPU-b", None)];
        let apps = [app("GPU-a", Some(100.0)), app("GPU-b", Some(3.0))];
        assert_eq!(
            process_memory(&rows, &apps),
            [("1".to_string(), 3.0 * MIB_BYTES)]
        );
        assert!(!needs_compute_apps(&[]), "no GPU");
        assert!(!needs_compute_apps(&rows[..1]), "a discrete GPU only");
        assert!(needs_compute_apps(&rows), "a GPU without memory.total");
    }

    #[test]
    fn one_series_per_gpu() {
        let mut out = Vec::new();
        let mut a = row(0, "GPU-a", Some(1.0));
        a.power_draw_watts = Some(10.0);
        a.clock_event_reasons[2] = Some(true);
        let mut b = row(1, "GPU-b", Some(2.0));
        b.power_draw_watts = Some(20.0);
        b.clock_event_reasons[2] = Some(false);
        push_row(&a, &mut out);
        push_row(&b, &mut out);
        let power: Vec<(String, f64)> = out
            .iter()
            .filter(|s| s.metric.name == "gpu_power_watts")
            .map(|s| (s.labels[0].1.to_string(), s.value))
            .collect();
        assert_eq!(power, [("0".to_string(), 10.0), ("1".to_string(), 20.0)]);
        let reasons: Vec<(String, String, f64)> = out
            .iter()
            .filter(|s| s.metric.name == "gpu_clock_event_reason_active")
            .map(|s| {
                (
                    s.labels[0].1.to_string(),
                    s.labels[1].1.to_string(),
                    s.value,
                )
            })
            .collect();
        assert_eq!(
            reasons,
            [
                ("0".to_string(), "sw_power_cap".to_string(), 1.0),
                ("1".to_string(), "sw_power_cap".to_string(), 0.0)
            ]
        );
        let memory: Vec<f64> = out
            .iter()
            .filter(|s| s.metric.name == "gpu_memory_total_bytes")
            .map(|s| s.value)
            .collect();
        assert_eq!(memory, [MIB_BYTES, 2.0 * MIB_BYTES]);
        assert_eq!(
            out.iter().filter(|s| s.metric.name == "gpu_info").count(),
            2
        );
    }
}
