//! The detailed GPU families beyond the contract gauges, from `nvidia-smi --query-gpu` and `--query-compute-apps`.
//!
//! Labels: `gpu` is nvidia-smi's `index`, as in the contract gauges and
//! `gpu_info` (join on it for the name or UUID). Values are in base units:
//! nvidia-smi's MHz become hertz, MiB become bytes. Utilizations stay
//! percent, like the contract's `gpu_utilization_percent`. A field
//! nvidia-smi prints as `[N/A]` (or any other absent token) has no sample.

use super::Metric;

family!(
    GPU_MEMORY_UTILIZATION_PERCENT,
    "gpu_memory_utilization_percent",
    Gauge,
    "percent",
    ["gpu"],
    "Share of the last sample period during which device memory was read or written (always 0 on a GB10).",
    "`nvidia-smi` `utilization.memory`"
);
family!(
    GPU_ENCODER_UTILIZATION_PERCENT,
    "gpu_encoder_utilization_percent",
    Gauge,
    "percent",
    ["gpu"],
    "Share of the last sample period during which the video encoder was busy.",
    "`nvidia-smi` `utilization.encoder`"
);
family!(
    GPU_DECODER_UTILIZATION_PERCENT,
    "gpu_decoder_utilization_percent",
    Gauge,
    "percent",
    ["gpu"],
    "Share of the last sample period during which the video decoder was busy.",
    "`nvidia-smi` `utilization.decoder`"
);
family!(
    GPU_POWER_LIMIT_WATTS,
    "gpu_power_limit_watts",
    Gauge,
    "watts",
    ["gpu"],
    "Software power limit (set with nvidia-smi -pl); absent on a GB10.",
    "`nvidia-smi` `power.limit`"
);
family!(
    GPU_ENFORCED_POWER_LIMIT_WATTS,
    "gpu_enforced_power_limit_watts",
    Gauge,
    "watts",
    ["gpu"],
    "Power ceiling the power management enforces: the lowest of all limiters; absent on a GB10.",
    "`nvidia-smi` `enforced.power.limit`"
);
family!(
    GPU_CLOCK_SM_HERTZ,
    "gpu_clock_sm_hertz",
    Gauge,
    "hertz",
    ["gpu"],
    "Current streaming multiprocessor (SM) clock.",
    "`nvidia-smi` `clocks.current.sm` (MHz) x 1e6"
);
family!(
    GPU_CLOCK_MEMORY_HERTZ,
    "gpu_clock_memory_hertz",
    Gauge,
    "hertz",
    ["gpu"],
    "Current memory clock; absent on a GB10.",
    "`nvidia-smi` `clocks.current.memory` (MHz) x 1e6"
);
family!(
    GPU_CLOCK_MAX_GRAPHICS_HERTZ,
    "gpu_clock_max_graphics_hertz",
    Gauge,
    "hertz",
    ["gpu"],
    "Highest graphics clock the GPU supports.",
    "`nvidia-smi` `clocks.max.graphics` (MHz) x 1e6"
);
family!(
    GPU_CLOCK_MAX_SM_HERTZ,
    "gpu_clock_max_sm_hertz",
    Gauge,
    "hertz",
    ["gpu"],
    "Highest SM clock the GPU supports (3.003 GHz on a GB10, which sustains about 2.4 GHz).",
    "`nvidia-smi` `clocks.max.sm` (MHz) x 1e6"
);
family!(
    GPU_CLOCK_MAX_MEMORY_HERTZ,
    "gpu_clock_max_memory_hertz",
    Gauge,
    "hertz",
    ["gpu"],
    "Highest memory clock the GPU supports.",
    "`nvidia-smi` `clocks.max.memory` (MHz) x 1e6"
);
family!(
    GPU_FAN_SPEED_PERCENT,
    "gpu_fan_speed_percent",
    Gauge,
    "percent",
    ["gpu"],
    "Intended fan speed as a share of the maximum (may exceed 100); absent on passively cooled GPUs and a GB10.",
    "`nvidia-smi` `fan.speed`"
);
family!(
    GPU_PSTATE,
    "gpu_pstate",
    Gauge,
    "performance state number",
    ["gpu"],
    "Current performance state: 0 for P0 (fastest) up to 15 (slowest).",
    "`nvidia-smi` `pstate` (`P0`..`P15`)"
);
family!(
    GPU_MEMORY_TEMPERATURE_CELSIUS,
    "gpu_memory_temperature_celsius",
    Gauge,
    "degrees Celsius",
    ["gpu"],
    "HBM memory temperature; absent on GPUs without a memory sensor (GeForce, GB10).",
    "`nvidia-smi` `temperature.memory`"
);
family!(
    GPU_PCIE_LINK_GENERATION,
    "gpu_pcie_link_generation",
    Gauge,
    "PCIe generation",
    ["gpu"],
    "PCIe generation the link runs at now (lower while idle; 1 on a GB10, attached by C2C).",
    "`nvidia-smi` `pcie.link.gen.current`"
);
family!(
    GPU_PCIE_LINK_MAX_GENERATION,
    "gpu_pcie_link_max_generation",
    Gauge,
    "PCIe generation",
    ["gpu"],
    "Highest PCIe generation the GPU and the system allow.",
    "`nvidia-smi` `pcie.link.gen.max`"
);
family!(
    GPU_PCIE_LINK_WIDTH_LANES,
    "gpu_pcie_link_width_lanes",
    Gauge,
    "lanes",
    ["gpu"],
    "PCIe lanes the link uses now.",
    "`nvidia-smi` `pcie.link.width.current`"
);
family!(
    GPU_PCIE_LINK_MAX_WIDTH_LANES,
    "gpu_pcie_link_max_width_lanes",
    Gauge,
    "lanes",
    ["gpu"],
    "Most PCIe lanes the GPU and the system allow.",
    "`nvidia-smi` `pcie.link.width.max`"
);
family!(
    GPU_ECC_ERRORS_CORRECTED_VOLATILE_TOTAL,
    "gpu_ecc_errors_corrected_volatile_total",
    Counter,
    "errors",
    ["gpu"],
    "Corrected ECC errors since the driver was loaded (resets with the driver or a GPU reset); absent without ECC.",
    "`nvidia-smi` `ecc.errors.corrected.volatile.total`"
);
family!(
    GPU_ECC_ERRORS_UNCORRECTED_VOLATILE_TOTAL,
    "gpu_ecc_errors_uncorrected_volatile_total",
    Counter,
    "errors",
    ["gpu"],
    "Uncorrected ECC errors since the driver was loaded (resets with the driver or a GPU reset); absent without ECC.",
    "`nvidia-smi` `ecc.errors.uncorrected.volatile.total`"
);
family!(
    GPU_CLOCK_EVENT_REASON_ACTIVE,
    "gpu_clock_event_reason_active",
    Gauge,
    "boolean",
    ["gpu", "reason"],
    "1 while this reason holds the clocks down (reason: gpu_idle, applications_clocks_setting, sw_power_cap, hw_slowdown, hw_thermal_slowdown, hw_power_brake_slowdown, sw_thermal_slowdown, sync_boost), else 0; all 0 means clocks run as high as they can.",
    "`nvidia-smi` `clocks_event_reasons.<reason>` (`Active` / `Not Active`)"
);
family!(
    GPU_PROCESS_MEMORY_USED_BYTES,
    "gpu_process_memory_used_bytes",
    Gauge,
    "bytes",
    ["gpu"],
    "GPU memory held by all compute processes, for GPUs that report no memory.total (a GB10, whose memory is the unified system memory); 0 when no process runs.",
    "`nvidia-smi --query-compute-apps` sum of `used_gpu_memory` (MiB) x 1048576 per `gpu_uuid`"
);

/// Every entry of this module, in the order of the README table.
pub static ALL: &[&Metric] = &[
    &GPU_MEMORY_UTILIZATION_PERCENT,
    &GPU_ENCODER_UTILIZATION_PERCENT,
    &GPU_DECODER_UTILIZATION_PERCENT,
    &GPU_POWER_LIMIT_WATTS,
    &GPU_ENFORCED_POWER_LIMIT_WATTS,
    &GPU_CLOCK_SM_HERTZ,
    &GPU_CLOCK_MEMORY_HERTZ,
    &GPU_CLOCK_MAX_GRAPHICS_HERTZ,
    &GPU_CLOCK_MAX_SM_HERTZ,
    &GPU_CLOCK_MAX_MEMORY_HERTZ,
    &GPU_FAN_SPEED_PERCENT,
    &GPU_PSTATE,
    &GPU_MEMORY_TEMPERATURE_CELSIUS,
    &GPU_PCIE_LINK_GENERATION,
    &GPU_PCIE_LINK_MAX_GENERATION,
    &GPU_PCIE_LINK_WIDTH_LANES,
    &GPU_PCIE_LINK_MAX_WIDTH_LANES,
    &GPU_ECC_ERRORS_CORRECTED_VOLATILE_TOTAL,
    &GPU_ECC_ERRORS_UNCORRECTED_VOLATILE_TOTAL,
    &GPU_CLOCK_EVENT_REASON_ACTIVE,
    &GPU_PROCESS_MEMORY_USED_BYTES,
];
