//! NVIDIA Jetson board families (`jetson_*`), from sysfs and the L4T files under `/etc` and `/var/lib/nvpmodel`.
//!
//! The GPU's load, clock and temperature go to the contract families
//! `gpu_utilization_percent`, `gpu_frequency_mhz` and
//! `gpu_temperature_celsius` (`gpu="0"`), defined in [`super::CORE`]; this
//! module holds what only a Jetson has.

use super::Metric;

family!(
    INFO,
    "jetson_info",
    Gauge,
    "info (always 1)",
    ["model", "l4t"],
    "Identity of the Jetson: the device-tree model and the Jetson Linux (L4T) release; the value is always 1.",
    "`/proc/device-tree/model` (NUL-terminated); `/etc/nv_tegra_release` `# R<major> (release), REVISION: <minor>.<patch>` as `<major>.<minor>.<patch>`"
);
family!(
    NVPMODEL_MODE_INFO,
    "jetson_nvpmodel_mode_info",
    Gauge,
    "info (always 1)",
    ["id", "name"],
    "Active nvpmodel power mode; the value is always 1.",
    "`/var/lib/nvpmodel/status` `pmode:<id>`; name from the `< POWER_MODEL ID=<id> NAME=<name> >` line of `/etc/nvpmodel.conf`"
);
family!(
    GPU_FREQUENCY_MIN_HERTZ,
    "jetson_gpu_frequency_min_hertz",
    Gauge,
    "hertz",
    ["gpu"],
    "Lowest clock the GPU's devfreq governor may choose (set by nvpmodel and jetson_clocks).",
    "`/sys/class/devfreq/<gpu>/min_freq` (Hz), the devfreq device whose `device/of_node/name` is `gpu`, `ga10b`, `gv11b`, `gp10b` or `gb10b`"
);
family!(
    GPU_FREQUENCY_MAX_HERTZ,
    "jetson_gpu_frequency_max_hertz",
    Gauge,
    "hertz",
    ["gpu"],
    "Highest clock the GPU's devfreq governor may choose (set by nvpmodel and jetson_clocks).",
    "`/sys/class/devfreq/<gpu>/max_freq` (Hz)"
);
family!(
    GPU_RAILGATE_ENABLED,
    "jetson_gpu_railgate_enabled",
    Gauge,
    "boolean",
    ["gpu"],
    "1 if the GPU may be power-gated while idle (its temperature then reads offline and is absent), 0 if not.",
    "`/sys/class/devfreq/<gpu>/device/railgate_enable`"
);
family!(
    EMC_FREQUENCY_HERTZ,
    "jetson_emc_frequency_hertz",
    Gauge,
    "hertz",
    [],
    "External memory controller (EMC) clock, where the kernel exposes it outside debugfs (Jetson Thor); absent on Orin and Xavier, which show it only in debugfs.",
    "`/sys/class/devfreq/bwmgr/cur_freq` (Hz)"
);
family!(
    POWER_RAIL_VOLTAGE_VOLTS,
    "jetson_power_rail_voltage_volts",
    Gauge,
    "volts",
    ["rail"],
    "Bus voltage of a power rail measured by the module's INA3221 monitor.",
    "hwmon `name` `ina3221`: `inN_input` (mV) / 1000, rail = `inN_label` (N = 1..3; `NC` channels left out)"
);
family!(
    POWER_RAIL_CURRENT_AMPERES,
    "jetson_power_rail_current_amperes",
    Gauge,
    "amperes",
    ["rail"],
    "Current through a power rail measured by the module's INA3221 monitor.",
    "hwmon `ina3221`: `currN_input` (mA) / 1000"
);
family!(
    POWER_RAIL_POWER_WATTS,
    "jetson_power_rail_power_watts",
    Gauge,
    "watts",
    ["rail"],
    "Power of a rail, derived: its voltage times its current (the INA3221 has no power register). Rails overlap (on an AGX Orin VIN_SYS_5V0 includes VDDQ_VDD2_1V8AO), so their sum is not the module's power; VDD_IN, where it exists, is the module input.",
    "hwmon `ina3221`: `inN_input` (mV) x `currN_input` (mA) / 1000000"
);
family!(
    POWER_RAIL_CURRENT_MAX_AMPERES,
    "jetson_power_rail_current_max_amperes",
    Gauge,
    "amperes",
    ["rail"],
    "Warning limit of a rail's current: the INA3221 raises its warning alert when the averaged current exceeds it.",
    "hwmon `ina3221`: `currN_max` (mA) / 1000"
);
family!(
    POWER_RAIL_CURRENT_CRITICAL_AMPERES,
    "jetson_power_rail_current_critical_amperes",
    Gauge,
    "amperes",
    ["rail"],
    "Critical limit of a rail's current: the INA3221 raises its critical alert when a conversion exceeds it.",
    "hwmon `ina3221`: `currN_crit` (mA) / 1000"
);
family!(
    FAN_SPEED_RPM,
    "jetson_fan_speed_rpm",
    Gauge,
    "revolutions per minute",
    ["fan"],
    "Fan speed measured by the tachometer.",
    "hwmon `name` `pwm_tach`: `rpm` (NVIDIA generic-pwm-tachometer driver), else hwmon `pwmfan`: `fan1_input`; fan = N-th chip of its kind by device path, from 0"
);
family!(
    FAN_PWM_RATIO,
    "jetson_fan_pwm_ratio",
    Gauge,
    "ratio (0-1)",
    ["fan"],
    "Fan drive duty cycle as set by the fan control (nvfancontrol or the kernel).",
    "hwmon `name` `pwmfan`: `pwm1` (0-255) / 255"
);

/// Every entry of this module, in the order of the README table.
pub static ALL: &[&Metric] = &[
    &INFO,
    &NVPMODEL_MODE_INFO,
    &GPU_FREQUENCY_MIN_HERTZ,
    &GPU_FREQUENCY_MAX_HERTZ,
    &GPU_RAILGATE_ENABLED,
    &EMC_FREQUENCY_HERTZ,
    &POWER_RAIL_VOLTAGE_VOLTS,
    &POWER_RAIL_CURRENT_AMPERES,
    &POWER_RAIL_POWER_WATTS,
    &POWER_RAIL_CURRENT_MAX_AMPERES,
    &POWER_RAIL_CURRENT_CRITICAL_AMPERES,
    &FAN_SPEED_RPM,
    &FAN_PWM_RATIO,
];
