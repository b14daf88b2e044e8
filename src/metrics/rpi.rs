//! Raspberry Pi board families (`rpi_*`), from sysfs and the device tree.
//!
//! Sources are found by name, never by number: the firmware's
//! `get_throttled` at the Pi 5 or the Pi 4 path, hwmon chips by their `name`
//! file (`rpi_volt`, `pwmfan`, `rp1_adc`). See [`crate::collect::rpi`].

use super::Metric;

family!(
    RPI_THROTTLED,
    "rpi_throttled",
    Gauge,
    "boolean",
    ["condition"],
    "1 while the firmware reports the condition (under_voltage, arm_frequency_capped, throttled, soft_temp_limit), 0 otherwise; absent where get_throttled does not exist.",
    "`get_throttled` of the firmware device (`/sys/devices/platform/soc@107c000000/soc@107c000000:firmware/` on a Pi 5, `/sys/devices/platform/soc/soc:firmware/` on a Pi 4), hex bits 0-3"
);
family!(
    RPI_THROTTLED_SINCE_BOOT,
    "rpi_throttled_since_boot",
    Gauge,
    "boolean",
    ["condition"],
    "1 if the condition has occurred since the firmware last cleared these sticky bits (since boot unless a caller asked it to clear them), 0 otherwise; absent where get_throttled does not exist.",
    "`get_throttled` of the firmware device, hex bits 16-19"
);
family!(
    RPI_UNDER_VOLTAGE_ALARM,
    "rpi_under_voltage_alarm",
    Gauge,
    "boolean",
    [],
    "1 if the firmware's under-voltage-occurred bit was set at the rpi_volt driver's last poll (every 2 s), 0 otherwise; the under-voltage signal on kernels without get_throttled.",
    "hwmon chip named `rpi_volt`: `in0_lcrit_alarm`"
);
family!(
    RPI_FAN_SPEED_RPM,
    "rpi_fan_speed_rpm",
    Gauge,
    "revolutions per minute",
    [],
    "Fan speed from the tachometer of the fan on the Pi 5 fan connector (can read 0 while a fan without tachometer spins).",
    "hwmon chip named `pwmfan`: `fan1_input`"
);
family!(
    RPI_FAN_PWM_RATIO,
    "rpi_fan_pwm_ratio",
    Gauge,
    "ratio (0-1)",
    [],
    "PWM duty cycle driving the fan, 0 (off) to 1 (full).",
    "hwmon chip named `pwmfan`: `pwm1` (0-255) / 255"
);
family!(
    RPI_ADC_VOLTAGE_VOLTS,
    "rpi_adc_voltage_volts",
    Gauge,
    "volts",
    ["channel"],
    "Voltage at an input of the RP1 ADC (Pi 5): RP1 pins, not calibrated board rails.",
    "hwmon chip named `rp1_adc`: `inN_input` (mV) / 1000; `channel` is `inN_label`, or `inN` without one"
);
family!(
    RPI_ADC_TEMPERATURE_CELSIUS,
    "rpi_adc_temperature_celsius",
    Gauge,
    "degrees Celsius",
    [],
    "Temperature of the RP1 I/O controller (Pi 5), from its ADC's temperature sensor.",
    "hwmon chip named `rp1_adc`: `temp1_input` (millidegrees)"
);
family!(
    RPI_POWER_SUPPLY_MAX_CURRENT_AMPERES,
    "rpi_power_supply_max_current_amperes",
    Gauge,
    "amperes",
    [],
    "Current the power supply offered when the bootloader asked at boot (5 A for the 27 W USB-PD supply).",
    "`/proc/device-tree/chosen/power/max_current` (big-endian u32, mA) / 1000"
);

/// Every entry of this module, in the order of the README table.
pub static ALL: &[&Metric] = &[
    &RPI_THROTTLED,
    &RPI_THROTTLED_SINCE_BOOT,
    &RPI_UNDER_VOLTAGE_ALARM,
    &RPI_FAN_SPEED_RPM,
    &RPI_FAN_PWM_RATIO,
    &RPI_ADC_VOLTAGE_VOLTS,
    &RPI_ADC_TEMPERATURE_CELSIUS,
    &RPI_POWER_SUPPLY_MAX_CURRENT_AMPERES,
];
