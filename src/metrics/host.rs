//! Platform identity and host health: `dgx_spark_exporter_platform_info`,
//! the unified-memory gauges of the dcmon agent, NVMe health, pending
//! updates and reboot-required.

use super::Metric;

// --- platform ------------------------------------------------------------
family!(
    PLATFORM_INFO,
    "dgx_spark_exporter_platform_info",
    Gauge,
    "1 (info)",
    ["platform", "model"],
    "The board this exporter runs on: platform is dgx-spark, jetson, raspberry-pi or generic; model is the board's own name for itself.",
    "`/sys/class/dmi/id/product_name`, `/proc/device-tree/{model,compatible}`"
);

// --- memory (dcmon agent compatibility) ----------------------------------
family!(
    MEMORY_AVAILABLE_BYTES,
    "memory_available_bytes",
    Gauge,
    "bytes",
    [],
    "Memory available for new work without swapping (MemAvailable); on a DGX Spark this memory is shared by CPU and GPU.",
    "`/proc/meminfo` `MemAvailable` (kB) x 1024"
);
family!(
    MEMORY_USAGE_PERCENT,
    "memory_usage_percent",
    Gauge,
    "percent",
    [],
    "Share of memory in use: (MemTotal - MemAvailable) / MemTotal.",
    "`/proc/meminfo` `MemTotal`, `MemAvailable`"
);

// --- updates -------------------------------------------------------------
family!(
    APT_UPGRADES_PENDING,
    "apt_upgrades_pending",
    Gauge,
    "updates",
    [],
    "Package updates that can be applied now, as of the last apt update.",
    "`/var/lib/update-notifier/updates-available` (Ubuntu update-notifier stamp)"
);
family!(
    APT_SECURITY_UPGRADES_PENDING,
    "apt_security_upgrades_pending",
    Gauge,
    "updates",
    [],
    "Of the pending updates, security updates.",
    "`/var/lib/update-notifier/updates-available` (Ubuntu update-notifier stamp)"
);
family!(
    REBOOT_REQUIRED,
    "node_reboot_required",
    Gauge,
    "boolean",
    [],
    "1 when a package asked for a reboot (the reboot-required flag file exists), else 0.",
    "existence of `/var/run/reboot-required`"
);

/// Every entry of this module, in the order of the README table.
pub static ALL: &[&Metric] = &[
    &PLATFORM_INFO,
    &MEMORY_AVAILABLE_BYTES,
    &MEMORY_USAGE_PERCENT,
    &APT_UPGRADES_PENDING,
    &APT_SECURITY_UPGRADES_PENDING,
    &REBOOT_REQUIRED,
];
