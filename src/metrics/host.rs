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

// --- nvme: the SMART / Health Information log page (log identifier 02h,
// NVM Express Base Specification) of each controller, read with the NVMe
// admin ioctl (root or CAP_SYS_ADMIN); see crate::collect::nvme.

family!(
    NVME_CRITICAL_WARNING,
    "nvme_critical_warning",
    Gauge,
    "bit set",
    ["device"],
    "Critical Warning byte of the controller's SMART / health log, 0 when healthy: bit 0 (1) available spare below threshold, bit 1 (2) temperature outside a threshold, bit 2 (4) reliability degraded, bit 3 (8) media read-only, bit 4 (16) volatile memory backup failed, bit 5 (32) persistent memory region read-only.",
    "`/dev/nvmeN` SMART / health log page (Get Log Page 02h) byte 0"
);
family!(
    NVME_AVAILABLE_SPARE_RATIO,
    "nvme_available_spare_ratio",
    Gauge,
    "ratio",
    ["device"],
    "Remaining spare capacity, normalized (1 = all spare left); absent when the controller reports a value above 100 %.",
    "`/dev/nvmeN` SMART / health log page byte 3 (percent) / 100"
);
family!(
    NVME_AVAILABLE_SPARE_THRESHOLD_RATIO,
    "nvme_available_spare_threshold_ratio",
    Gauge,
    "ratio",
    ["device"],
    "Available spare level below which the controller raises critical warning bit 0; absent when above 100 % (reserved).",
    "`/dev/nvmeN` SMART / health log page byte 4 (percent) / 100"
);
family!(
    NVME_PERCENTAGE_USED_RATIO,
    "nvme_percentage_used_ratio",
    Gauge,
    "ratio",
    ["device"],
    "Vendor estimate of the share of the drive's rated endurance used: 1 when the rated life is reached; can exceed 1 (the controller caps it at 2.55).",
    "`/dev/nvmeN` SMART / health log page byte 5 (percent) / 100"
);
family!(
    NVME_READ_BYTES_TOTAL,
    "nvme_read_bytes_total",
    Counter,
    "bytes",
    ["device"],
    "Data the host read from the controller over its life, counted by the controller in steps of 512000 bytes (rounded up).",
    "`/dev/nvmeN` SMART / health log page bytes 32-47 (thousands of 512-byte units) x 512000"
);
family!(
    NVME_WRITTEN_BYTES_TOTAL,
    "nvme_written_bytes_total",
    Counter,
    "bytes",
    ["device"],
    "Data the host wrote to the controller over its life, counted by the controller in steps of 512000 bytes (rounded up).",
    "`/dev/nvmeN` SMART / health log page bytes 48-63 (thousands of 512-byte units) x 512000"
);
family!(
    NVME_POWER_CYCLES_TOTAL,
    "nvme_power_cycles_total",
    Counter,
    "power cycles",
    ["device"],
    "Power cycles of the controller over its life.",
    "`/dev/nvmeN` SMART / health log page bytes 112-127"
);
family!(
    NVME_POWER_ON_HOURS_TOTAL,
    "nvme_power_on_hours_total",
    Counter,
    "hours",
    ["device"],
    "Hours the controller has been powered on (may leave out time in non-operational power states).",
    "`/dev/nvmeN` SMART / health log page bytes 128-143"
);
family!(
    NVME_UNSAFE_SHUTDOWNS_TOTAL,
    "nvme_unsafe_shutdowns_total",
    Counter,
    "shutdowns",
    ["device"],
    "Times power was lost without a shutdown notification to the controller.",
    "`/dev/nvmeN` SMART / health log page bytes 144-159"
);
family!(
    NVME_MEDIA_ERRORS_TOTAL,
    "nvme_media_errors_total",
    Counter,
    "errors",
    ["device"],
    "Unrecovered data integrity errors the controller detected (uncorrectable ECC, CRC, LBA tag mismatch).",
    "`/dev/nvmeN` SMART / health log page bytes 160-175"
);
family!(
    NVME_ERROR_LOG_ENTRIES_TOTAL,
    "nvme_error_log_entries_total",
    Counter,
    "entries",
    ["device"],
    "Error Information log entries the controller created over its life (most are harmless, such as commands rejected as unsupported).",
    "`/dev/nvmeN` SMART / health log page bytes 176-191"
);

/// Every entry of this module, in the order of the README table.
pub static ALL: &[&Metric] = &[
    &PLATFORM_INFO,
    &MEMORY_AVAILABLE_BYTES,
    &MEMORY_USAGE_PERCENT,
    &APT_UPGRADES_PENDING,
    &APT_SECURITY_UPGRADES_PENDING,
    &REBOOT_REQUIRED,
    // --- nvme
    &NVME_CRITICAL_WARNING,
    &NVME_AVAILABLE_SPARE_RATIO,
    &NVME_AVAILABLE_SPARE_THRESHOLD_RATIO,
    &NVME_PERCENTAGE_USED_RATIO,
    &NVME_READ_BYTES_TOTAL,
    &NVME_WRITTEN_BYTES_TOTAL,
    &NVME_POWER_CYCLES_TOTAL,
    &NVME_POWER_ON_HOURS_TOTAL,
    &NVME_UNSAFE_SHUTDOWNS_TOTAL,
    &NVME_MEDIA_ERRORS_TOTAL,
    &NVME_ERROR_LOG_ENTRIES_TOTAL,
];
