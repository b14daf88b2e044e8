//! The node_exporter-compatible families and the RDMA exporter's
//! `rdma_port_stat_total`: names, labels, types and values as node_exporter
//! 1.x gives them for the same files, so dashboards and alert rules written
//! for node_exporter (Grafana "Node Exporter Full", id 1860) keep working.
//!
//! Help texts follow node_exporter's where they are descriptive. A name with
//! `<Placeholder>` parts is a pattern: the collector fills it from the data
//! (one meminfo line, one hwmon sensor attribute), as node_exporter does.
//! Sources are the kernel files under `/proc` and `/sys`; the collector
//! modules cite the kernel document for each format.

use super::Metric;

// --- cpu -----------------------------------------------------------------
family!(
    CPU_SECONDS_TOTAL,
    "node_cpu_seconds_total",
    Counter,
    "seconds",
    ["cpu", "mode"],
    "Seconds the CPUs spent in each mode.",
    "`/proc/stat` `cpuN` lines (user, nice, system, idle, iowait, irq, softirq, steal) / `USER_HZ`"
);
family!(
    CPU_GUEST_SECONDS_TOTAL,
    "node_cpu_guest_seconds_total",
    Counter,
    "seconds",
    ["cpu", "mode"],
    "Seconds the CPUs spent in guests (VMs) for each mode.",
    "`/proc/stat` `cpuN` guest, guest_nice / `USER_HZ`"
);

// --- stat ----------------------------------------------------------------
family!(
    BOOT_TIME_SECONDS,
    "node_boot_time_seconds",
    Gauge,
    "seconds since the Unix epoch",
    [],
    "Node boot time, in unixtime.",
    "`/proc/stat` `btime`"
);
family!(
    CONTEXT_SWITCHES_TOTAL,
    "node_context_switches_total",
    Counter,
    "context switches",
    [],
    "Total number of context switches.",
    "`/proc/stat` `ctxt`"
);
family!(
    FORKS_TOTAL,
    "node_forks_total",
    Counter,
    "forks",
    [],
    "Total number of forks.",
    "`/proc/stat` `processes`"
);
family!(
    INTR_TOTAL,
    "node_intr_total",
    Counter,
    "interrupts",
    [],
    "Total number of interrupts serviced.",
    "`/proc/stat` `intr` (first number)"
);
family!(
    PROCS_RUNNING,
    "node_procs_running",
    Gauge,
    "processes",
    [],
    "Number of processes in runnable state.",
    "`/proc/stat` `procs_running`"
);
family!(
    PROCS_BLOCKED,
    "node_procs_blocked",
    Gauge,
    "processes",
    [],
    "Number of processes blocked waiting for I/O to complete.",
    "`/proc/stat` `procs_blocked`"
);

// --- meminfo -------------------------------------------------------------
family!(
    MEMORY_BYTES,
    "node_memory_<Field>_bytes",
    Gauge,
    "bytes",
    [],
    "Memory information field from /proc/meminfo (kB lines x 1024).",
    "`/proc/meminfo`, every line with a `kB` unit, `(anon)`/`(file)` written `_anon`/`_file`"
);
family!(
    MEMORY_COUNT,
    "node_memory_<Field>",
    Gauge,
    "count",
    [],
    "Memory information field from /proc/meminfo (lines without a unit, such as HugePages_Total).",
    "`/proc/meminfo`, every line without a unit"
);

// --- loadavg -------------------------------------------------------------
family!(
    LOAD1,
    "node_load1",
    Gauge,
    "runnable tasks",
    [],
    "1m load average.",
    "`/proc/loadavg` field 1"
);
family!(
    LOAD5,
    "node_load5",
    Gauge,
    "runnable tasks",
    [],
    "5m load average.",
    "`/proc/loadavg` field 2"
);
family!(
    LOAD15,
    "node_load15",
    Gauge,
    "runnable tasks",
    [],
    "15m load average.",
    "`/proc/loadavg` field 3"
);

// --- diskstats -----------------------------------------------------------
family!(
    DISK_READS_COMPLETED_TOTAL,
    "node_disk_reads_completed_total",
    Counter,
    "reads",
    ["device"],
    "The total number of reads completed successfully.",
    "`/proc/diskstats` field 4"
);
family!(
    DISK_READS_MERGED_TOTAL,
    "node_disk_reads_merged_total",
    Counter,
    "reads",
    ["device"],
    "The total number of reads merged.",
    "`/proc/diskstats` field 5"
);
family!(
    DISK_READ_BYTES_TOTAL,
    "node_disk_read_bytes_total",
    Counter,
    "bytes",
    ["device"],
    "The total number of bytes read successfully.",
    "`/proc/diskstats` field 6 (sectors) x 512"
);
family!(
    DISK_READ_TIME_SECONDS_TOTAL,
    "node_disk_read_time_seconds_total",
    Counter,
    "seconds",
    ["device"],
    "The total number of seconds spent by all reads.",
    "`/proc/diskstats` field 7 (ms) / 1000"
);
family!(
    DISK_WRITES_COMPLETED_TOTAL,
    "node_disk_writes_completed_total",
    Counter,
    "writes",
    ["device"],
    "The total number of writes completed successfully.",
    "`/proc/diskstats` field 8"
);
family!(
    DISK_WRITES_MERGED_TOTAL,
    "node_disk_writes_merged_total",
    Counter,
    "writes",
    ["device"],
    "The number of writes merged.",
    "`/proc/diskstats` field 9"
);
family!(
    DISK_WRITTEN_BYTES_TOTAL,
    "node_disk_written_bytes_total",
    Counter,
    "bytes",
    ["device"],
    "The total number of bytes written successfully.",
    "`/proc/diskstats` field 10 (sectors) x 512"
);
family!(
    DISK_WRITE_TIME_SECONDS_TOTAL,
    "node_disk_write_time_seconds_total",
    Counter,
    "seconds",
    ["device"],
    "This is the total number of seconds spent by all writes.",
    "`/proc/diskstats` field 11 (ms) / 1000"
);
family!(
    DISK_IO_NOW,
    "node_disk_io_now",
    Gauge,
    "I/Os",
    ["device"],
    "The number of I/Os currently in progress.",
    "`/proc/diskstats` field 12"
);
family!(
    DISK_IO_TIME_SECONDS_TOTAL,
    "node_disk_io_time_seconds_total",
    Counter,
    "seconds",
    ["device"],
    "Total seconds spent doing I/Os.",
    "`/proc/diskstats` field 13 (ms) / 1000"
);
family!(
    DISK_IO_TIME_WEIGHTED_SECONDS_TOTAL,
    "node_disk_io_time_weighted_seconds_total",
    Counter,
    "seconds",
    ["device"],
    "The weighted # of seconds spent doing I/Os.",
    "`/proc/diskstats` field 14 (ms) / 1000"
);
family!(
    DISK_DISCARDS_COMPLETED_TOTAL,
    "node_disk_discards_completed_total",
    Counter,
    "discards",
    ["device"],
    "The total number of discards completed successfully.",
    "`/proc/diskstats` field 15 (Linux 4.18+)"
);
family!(
    DISK_DISCARDS_MERGED_TOTAL,
    "node_disk_discards_merged_total",
    Counter,
    "discards",
    ["device"],
    "The total number of discards merged.",
    "`/proc/diskstats` field 16 (Linux 4.18+)"
);
family!(
    DISK_DISCARDED_SECTORS_TOTAL,
    "node_disk_discarded_sectors_total",
    Counter,
    "sectors",
    ["device"],
    "The total number of sectors discarded successfully.",
    "`/proc/diskstats` field 17 (Linux 4.18+)"
);
family!(
    DISK_DISCARD_TIME_SECONDS_TOTAL,
    "node_disk_discard_time_seconds_total",
    Counter,
    "seconds",
    ["device"],
    "This is the total number of seconds spent by all discards.",
    "`/proc/diskstats` field 18 (ms) / 1000 (Linux 4.18+)"
);
family!(
    DISK_FLUSH_REQUESTS_TOTAL,
    "node_disk_flush_requests_total",
    Counter,
    "flushes",
    ["device"],
    "The total number of flush requests completed successfully",
    "`/proc/diskstats` field 19 (Linux 5.5+)"
);
family!(
    DISK_FLUSH_REQUESTS_TIME_SECONDS_TOTAL,
    "node_disk_flush_requests_time_seconds_total",
    Counter,
    "seconds",
    ["device"],
    "This is the total number of seconds spent by all flush requests.",
    "`/proc/diskstats` field 20 (ms) / 1000 (Linux 5.5+)"
);
family!(
    DISK_INFO,
    "node_disk_info",
    Gauge,
    "info (always 1)",
    [
        "device", "major", "minor", "path", "wwn", "model", "serial", "revision"
    ],
    "Info of /sys/block/<block_device>.",
    "`/proc/diskstats` major, minor; `/run/udev/data/b<major>:<minor>` `ID_PATH`, `ID_WWN`, `ID_MODEL`, `ID_SERIAL_SHORT`, `ID_REVISION`"
);

// --- netdev --------------------------------------------------------------
family!(
    NETWORK_RECEIVE_TOTAL,
    "node_network_receive_<field>_total",
    Counter,
    "bytes or packets",
    ["device"],
    "Network device statistic from /proc/net/dev, receive side.",
    "`/proc/net/dev` receive columns: bytes, packets, errs, drop, fifo, frame, compressed, multicast"
);
family!(
    NETWORK_TRANSMIT_TOTAL,
    "node_network_transmit_<field>_total",
    Counter,
    "bytes or packets",
    ["device"],
    "Network device statistic from /proc/net/dev, transmit side.",
    "`/proc/net/dev` transmit columns: bytes, packets, errs, drop, fifo, colls, carrier, compressed"
);

// --- netclass ------------------------------------------------------------
family!(
    NETWORK_UP,
    "node_network_up",
    Gauge,
    "boolean",
    ["device"],
    "Value is 1 if operstate is 'up', 0 otherwise.",
    "`/sys/class/net/<if>/operstate`"
);
family!(
    NETWORK_INFO,
    "node_network_info",
    Gauge,
    "info (always 1)",
    [
        "device",
        "address",
        "broadcast",
        "duplex",
        "operstate",
        "ifalias"
    ],
    "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
    "`/sys/class/net/<if>/{address,broadcast,duplex,operstate,ifalias}`"
);
family!(
    NETWORK_ADDRESS_ASSIGN_TYPE,
    "node_network_address_assign_type",
    Gauge,
    "enum",
    ["device"],
    "address_assign_type value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/addr_assign_type`"
);
family!(
    NETWORK_CARRIER,
    "node_network_carrier",
    Gauge,
    "boolean",
    ["device"],
    "carrier value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/carrier`"
);
family!(
    NETWORK_CARRIER_CHANGES_TOTAL,
    "node_network_carrier_changes_total",
    Counter,
    "changes",
    ["device"],
    "carrier_changes_total value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/carrier_changes`"
);
family!(
    NETWORK_CARRIER_UP_CHANGES_TOTAL,
    "node_network_carrier_up_changes_total",
    Counter,
    "changes",
    ["device"],
    "carrier_up_changes_total value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/carrier_up_count`"
);
family!(
    NETWORK_CARRIER_DOWN_CHANGES_TOTAL,
    "node_network_carrier_down_changes_total",
    Counter,
    "changes",
    ["device"],
    "carrier_down_changes_total value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/carrier_down_count`"
);
family!(
    NETWORK_DEVICE_ID,
    "node_network_device_id",
    Gauge,
    "id",
    ["device"],
    "device_id value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/dev_id` (hex)"
);
family!(
    NETWORK_DORMANT,
    "node_network_dormant",
    Gauge,
    "boolean",
    ["device"],
    "dormant value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/dormant`"
);
family!(
    NETWORK_FLAGS,
    "node_network_flags",
    Gauge,
    "bit set",
    ["device"],
    "flags value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/flags` (hex)"
);
family!(
    NETWORK_IFACE_ID,
    "node_network_iface_id",
    Gauge,
    "index",
    ["device"],
    "iface_id value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/ifindex`"
);
family!(
    NETWORK_IFACE_LINK,
    "node_network_iface_link",
    Gauge,
    "index",
    ["device"],
    "iface_link value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/iflink`"
);
family!(
    NETWORK_IFACE_LINK_MODE,
    "node_network_iface_link_mode",
    Gauge,
    "enum",
    ["device"],
    "iface_link_mode value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/link_mode`"
);
family!(
    NETWORK_MTU_BYTES,
    "node_network_mtu_bytes",
    Gauge,
    "bytes",
    ["device"],
    "mtu_bytes value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/mtu`"
);
family!(
    NETWORK_NAME_ASSIGN_TYPE,
    "node_network_name_assign_type",
    Gauge,
    "enum",
    ["device"],
    "name_assign_type value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/name_assign_type`"
);
family!(
    NETWORK_NET_DEV_GROUP,
    "node_network_net_dev_group",
    Gauge,
    "group",
    ["device"],
    "net_dev_group value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/netdev_group`"
);
family!(
    NETWORK_SPEED_BYTES,
    "node_network_speed_bytes",
    Gauge,
    "bytes per second",
    ["device"],
    "speed_bytes value of /sys/class/net/<iface>; absent while the kernel reports -1 (unknown).",
    "`/sys/class/net/<if>/speed` (Mb/s) x 125000"
);
family!(
    NETWORK_TRANSMIT_QUEUE_LENGTH,
    "node_network_transmit_queue_length",
    Gauge,
    "packets",
    ["device"],
    "transmit_queue_length value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/tx_queue_len`"
);
family!(
    NETWORK_PROTOCOL_TYPE,
    "node_network_protocol_type",
    Gauge,
    "ARPHRD type",
    ["device"],
    "protocol_type value of /sys/class/net/<iface>.",
    "`/sys/class/net/<if>/type`"
);

// --- filesystem ----------------------------------------------------------
family!(
    FILESYSTEM_SIZE_BYTES,
    "node_filesystem_size_bytes",
    Gauge,
    "bytes",
    ["device", "fstype", "mountpoint"],
    "Filesystem size in bytes.",
    "`statfs(2)` `f_blocks` x `f_bsize`, mounts from `/proc/1/mounts`"
);
family!(
    FILESYSTEM_FREE_BYTES,
    "node_filesystem_free_bytes",
    Gauge,
    "bytes",
    ["device", "fstype", "mountpoint"],
    "Filesystem free space in bytes.",
    "`statfs(2)` `f_bfree` x `f_bsize`"
);
family!(
    FILESYSTEM_AVAIL_BYTES,
    "node_filesystem_avail_bytes",
    Gauge,
    "bytes",
    ["device", "fstype", "mountpoint"],
    "Filesystem space available to non-root users in bytes.",
    "`statfs(2)` `f_bavail` x `f_bsize`"
);
family!(
    FILESYSTEM_FILES,
    "node_filesystem_files",
    Gauge,
    "inodes",
    ["device", "fstype", "mountpoint"],
    "Filesystem total file nodes.",
    "`statfs(2)` `f_files`"
);
family!(
    FILESYSTEM_FILES_FREE,
    "node_filesystem_files_free",
    Gauge,
    "inodes",
    ["device", "fstype", "mountpoint"],
    "Filesystem total free file nodes.",
    "`statfs(2)` `f_ffree`"
);
family!(
    FILESYSTEM_READONLY,
    "node_filesystem_readonly",
    Gauge,
    "boolean",
    ["device", "fstype", "mountpoint"],
    "Filesystem read-only status.",
    "`/proc/1/mounts` options contain `ro`"
);
family!(
    FILESYSTEM_DEVICE_ERROR,
    "node_filesystem_device_error",
    Gauge,
    "boolean",
    ["device", "fstype", "mountpoint"],
    "Whether an error occurred while getting statistics for the given device.",
    "`statfs(2)` failed"
);

// --- thermal_zone --------------------------------------------------------
family!(
    THERMAL_ZONE_TEMP,
    "node_thermal_zone_temp",
    Gauge,
    "degrees Celsius",
    ["type", "zone"],
    "Zone temperature in Celsius",
    "`/sys/class/thermal/thermal_zoneN/temp` (millidegrees) / 1000, `type`"
);
family!(
    COOLING_DEVICE_CUR_STATE,
    "node_cooling_device_cur_state",
    Gauge,
    "state",
    ["name", "type"],
    "Current throttle state of the cooling device",
    "`/sys/class/thermal/cooling_deviceN/cur_state`"
);
family!(
    COOLING_DEVICE_MAX_STATE,
    "node_cooling_device_max_state",
    Gauge,
    "state",
    ["name", "type"],
    "Maximum throttle state of the cooling device",
    "`/sys/class/thermal/cooling_deviceN/max_state`"
);

// --- hwmon ---------------------------------------------------------------
family!(
    HWMON_CHIP_NAMES,
    "node_hwmon_chip_names",
    Gauge,
    "info (always 1)",
    ["chip", "chip_name"],
    "Annotation metric for human-readable chip names",
    "`/sys/class/hwmon/hwmonN/name`"
);
family!(
    HWMON_SENSOR_LABEL,
    "node_hwmon_sensor_label",
    Gauge,
    "info (always 1)",
    ["chip", "sensor", "label"],
    "Label for given chip and sensor",
    "`/sys/class/hwmon/hwmonN/<sensor>_label`"
);
family!(
    HWMON_TEMP_CELSIUS,
    "node_hwmon_temp<_element>_celsius",
    Gauge,
    "degrees Celsius",
    ["chip", "sensor"],
    "Hardware monitor for temperature",
    "`tempN_input` (millidegrees) / 1000 as `node_hwmon_temp_celsius`, `tempN_crit` as `node_hwmon_temp_crit_celsius`, ..."
);
family!(
    HWMON_VOLTS,
    "node_hwmon_<type><_element>_volts",
    Gauge,
    "volts",
    ["chip", "sensor"],
    "Hardware monitor for voltage",
    "`inN_<element>`, `cpuN_<element>` (mV) / 1000"
);
family!(
    HWMON_AMPS,
    "node_hwmon_curr<_element>_amps",
    Gauge,
    "amperes",
    ["chip", "sensor"],
    "Hardware monitor for current",
    "`currN_<element>` (mA) / 1000"
);
family!(
    HWMON_WATT,
    "node_hwmon_power<_element>_watt",
    Gauge,
    "watts",
    ["chip", "sensor"],
    "Hardware monitor for power usage in watts",
    "`powerN_<element>` (uW) / 1000000"
);
family!(
    HWMON_POWER_INTERVAL_SECONDS,
    "node_hwmon_power_<element>_seconds",
    Gauge,
    "seconds",
    ["chip", "sensor"],
    "Hardware monitor power usage update interval",
    "`powerN_average_interval{,_min,_max}` (ms) / 1000"
);
family!(
    HWMON_POWER_ACCURACY,
    "node_hwmon_power_accuracy",
    Gauge,
    "ratio",
    ["chip", "sensor"],
    "Hardware monitor power meter accuracy, as a ratio",
    "`powerN_accuracy` (parts per million) / 1000000"
);
family!(
    HWMON_JOULE_TOTAL,
    "node_hwmon_energy<_element>_joule_total",
    Counter,
    "joules",
    ["chip", "sensor"],
    "Hardware monitor for joules used so far",
    "`energyN_input` (uJ) / 1000000"
);
family!(
    HWMON_HUMIDITY,
    "node_hwmon_humidity<_element>",
    Gauge,
    "ratio",
    ["chip", "sensor"],
    "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage)",
    "`humidityN_<element>` (milli-percent) / 1000000"
);
family!(
    HWMON_RPM,
    "node_hwmon_fan<_element>_rpm",
    Gauge,
    "revolutions per minute",
    ["chip", "sensor"],
    "Hardware monitor for fan revolutions per minute",
    "`fanN_{input,min,max,target}`"
);
family!(
    HWMON_VOLTAGE_REGULATOR_VERSION,
    "node_hwmon_voltage_regulator_version",
    Gauge,
    "version",
    ["chip", "sensor"],
    "Hardware voltage regulator",
    "`vrm`"
);
family!(
    HWMON_UPDATE_INTERVAL_SECONDS,
    "node_hwmon_update_interval_seconds",
    Gauge,
    "seconds",
    ["chip", "sensor"],
    "Hardware monitor update interval",
    "`update_interval` (ms) / 1000"
);
family!(
    HWMON_RAW,
    "node_hwmon_<type><_element>",
    Gauge,
    "as the kernel gives it",
    ["chip", "sensor"],
    "Hardware monitor sensor element without a unit: pwm (0-255), alarm and fault flags, beep, enable and type settings",
    "`<type>N_<element>` as read (kernel Documentation/hwmon/sysfs-interface.rst)"
);

// --- cpufreq -------------------------------------------------------------
family!(
    CPU_FREQUENCY_HERTZ,
    "node_cpu_frequency_hertz",
    Gauge,
    "hertz",
    ["cpu"],
    "Current cpu thread frequency in hertz.",
    "`cpufreq/cpuinfo_cur_freq` (kHz) x 1000, readable by root only"
);
family!(
    CPU_FREQUENCY_MAX_HERTZ,
    "node_cpu_frequency_max_hertz",
    Gauge,
    "hertz",
    ["cpu"],
    "Maximum cpu thread frequency in hertz.",
    "`cpufreq/cpuinfo_max_freq` (kHz) x 1000"
);
family!(
    CPU_FREQUENCY_MIN_HERTZ,
    "node_cpu_frequency_min_hertz",
    Gauge,
    "hertz",
    ["cpu"],
    "Minimum cpu thread frequency in hertz.",
    "`cpufreq/cpuinfo_min_freq` (kHz) x 1000"
);
family!(
    CPU_SCALING_FREQUENCY_HERTZ,
    "node_cpu_scaling_frequency_hertz",
    Gauge,
    "hertz",
    ["cpu"],
    "Current scaled CPU thread frequency in hertz.",
    "`cpufreq/scaling_cur_freq` (kHz) x 1000"
);
family!(
    CPU_SCALING_FREQUENCY_MAX_HERTZ,
    "node_cpu_scaling_frequency_max_hertz",
    Gauge,
    "hertz",
    ["cpu"],
    "Maximum scaled CPU thread frequency in hertz.",
    "`cpufreq/scaling_max_freq` (kHz) x 1000"
);
family!(
    CPU_SCALING_FREQUENCY_MIN_HERTZ,
    "node_cpu_scaling_frequency_min_hertz",
    Gauge,
    "hertz",
    ["cpu"],
    "Minimum scaled CPU thread frequency in hertz.",
    "`cpufreq/scaling_min_freq` (kHz) x 1000"
);
family!(
    CPU_SCALING_GOVERNOR,
    "node_cpu_scaling_governor",
    Gauge,
    "boolean",
    ["cpu", "governor"],
    "Current enabled CPU frequency governor.",
    "`cpufreq/scaling_available_governors`, 1 for `cpufreq/scaling_governor`"
);

// --- pressure ------------------------------------------------------------
family!(
    PRESSURE_CPU_WAITING_SECONDS_TOTAL,
    "node_pressure_cpu_waiting_seconds_total",
    Counter,
    "seconds",
    [],
    "Total time in seconds that processes have waited for CPU time",
    "`/proc/pressure/cpu` `some total` (us) / 1e6"
);
family!(
    PRESSURE_CPU_STALLED_SECONDS_TOTAL,
    "node_pressure_cpu_stalled_seconds_total",
    Counter,
    "seconds",
    [],
    "Total time in seconds no process could make progress due to CPU congestion",
    "`/proc/pressure/cpu` `full total` (us) / 1e6 (Linux 5.13+)"
);
family!(
    PRESSURE_IO_WAITING_SECONDS_TOTAL,
    "node_pressure_io_waiting_seconds_total",
    Counter,
    "seconds",
    [],
    "Total time in seconds that processes have waited due to IO congestion",
    "`/proc/pressure/io` `some total` (us) / 1e6"
);
family!(
    PRESSURE_IO_STALLED_SECONDS_TOTAL,
    "node_pressure_io_stalled_seconds_total",
    Counter,
    "seconds",
    [],
    "Total time in seconds no process could make progress due to IO congestion",
    "`/proc/pressure/io` `full total` (us) / 1e6"
);
family!(
    PRESSURE_MEMORY_WAITING_SECONDS_TOTAL,
    "node_pressure_memory_waiting_seconds_total",
    Counter,
    "seconds",
    [],
    "Total time in seconds that processes have waited for memory",
    "`/proc/pressure/memory` `some total` (us) / 1e6"
);
family!(
    PRESSURE_MEMORY_STALLED_SECONDS_TOTAL,
    "node_pressure_memory_stalled_seconds_total",
    Counter,
    "seconds",
    [],
    "Total time in seconds no process could make progress due to memory congestion",
    "`/proc/pressure/memory` `full total` (us) / 1e6"
);

// --- uname ---------------------------------------------------------------
family!(
    UNAME_INFO,
    "node_uname_info",
    Gauge,
    "info (always 1)",
    [
        "sysname",
        "release",
        "version",
        "machine",
        "nodename",
        "domainname"
    ],
    "Labeled system information as provided by the uname system call.",
    "`/proc/sys/kernel/{ostype,osrelease,version,arch,hostname,domainname}` (the fields of uname(2))"
);

// --- infiniband ----------------------------------------------------------
family!(
    INFINIBAND_INFO,
    "node_infiniband_info",
    Gauge,
    "info (always 1)",
    ["device", "board_id", "firmware_version", "hca_type"],
    "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
    "`/sys/class/infiniband/<dev>/{board_id,fw_ver,hca_type}`"
);
family!(
    INFINIBAND_STATE_ID,
    "node_infiniband_state_id",
    Gauge,
    "state",
    ["device", "port"],
    "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)",
    "`ports/N/state` leading number"
);
family!(
    INFINIBAND_PHYSICAL_STATE_ID,
    "node_infiniband_physical_state_id",
    Gauge,
    "state",
    ["device", "port"],
    "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)",
    "`ports/N/phys_state` leading number"
);
family!(
    INFINIBAND_RATE_BYTES_PER_SECOND,
    "node_infiniband_rate_bytes_per_second",
    Gauge,
    "bytes per second",
    ["device", "port"],
    "Maximum signal transfer rate",
    "`ports/N/rate` (Gb/sec) x 125000000"
);
family!(
    INFINIBAND_COUNTER_TOTAL,
    "node_infiniband_<counter>_total",
    Counter,
    "as the counter counts",
    ["device", "port"],
    "InfiniBand port counter (IBA PortCounters / PortCountersExtended).",
    "`ports/N/counters/*`; `port_{rcv,xmit}_data` are in 4-octet words, x 4 for `port_data_{received,transmitted}_bytes_total`"
);
family!(
    RDMA_PORT_STAT_TOTAL,
    "rdma_port_stat_total",
    Counter,
    "as the counter counts",
    ["device", "port", "stat"],
    "Raw value of every RDMA port counter file, as the RDMA exporter reports it.",
    "`/sys/class/infiniband/<dev>/ports/N/{counters,hw_counters}/<stat>`"
);

/// Every entry of this module, in the order of the README table.
pub static ALL: &[&Metric] = &[
    &CPU_SECONDS_TOTAL,
    &CPU_GUEST_SECONDS_TOTAL,
    &BOOT_TIME_SECONDS,
    &CONTEXT_SWITCHES_TOTAL,
    &FORKS_TOTAL,
    &INTR_TOTAL,
    &PROCS_RUNNING,
    &PROCS_BLOCKED,
    &MEMORY_BYTES,
    &MEMORY_COUNT,
    &LOAD1,
    &LOAD5,
    &LOAD15,
    &DISK_READS_COMPLETED_TOTAL,
    &DISK_READS_MERGED_TOTAL,
    &DISK_READ_BYTES_TOTAL,
    &DISK_READ_TIME_SECONDS_TOTAL,
    &DISK_WRITES_COMPLETED_TOTAL,
    &DISK_WRITES_MERGED_TOTAL,
    &DISK_WRITTEN_BYTES_TOTAL,
    &DISK_WRITE_TIME_SECONDS_TOTAL,
    &DISK_IO_NOW,
    &DISK_IO_TIME_SECONDS_TOTAL,
    &DISK_IO_TIME_WEIGHTED_SECONDS_TOTAL,
    &DISK_DISCARDS_COMPLETED_TOTAL,
    &DISK_DISCARDS_MERGED_TOTAL,
    &DISK_DISCARDED_SECTORS_TOTAL,
    &DISK_DISCARD_TIME_SECONDS_TOTAL,
    &DISK_FLUSH_REQUESTS_TOTAL,
    &DISK_FLUSH_REQUESTS_TIME_SECONDS_TOTAL,
    &DISK_INFO,
    &NETWORK_RECEIVE_TOTAL,
    &NETWORK_TRANSMIT_TOTAL,
    &NETWORK_UP,
    &NETWORK_INFO,
    &NETWORK_ADDRESS_ASSIGN_TYPE,
    &NETWORK_CARRIER,
    &NETWORK_CARRIER_CHANGES_TOTAL,
    &NETWORK_CARRIER_UP_CHANGES_TOTAL,
    &NETWORK_CARRIER_DOWN_CHANGES_TOTAL,
    &NETWORK_DEVICE_ID,
    &NETWORK_DORMANT,
    &NETWORK_FLAGS,
    &NETWORK_IFACE_ID,
    &NETWORK_IFACE_LINK,
    &NETWORK_IFACE_LINK_MODE,
    &NETWORK_MTU_BYTES,
    &NETWORK_NAME_ASSIGN_TYPE,
    &NETWORK_NET_DEV_GROUP,
    &NETWORK_SPEED_BYTES,
    &NETWORK_TRANSMIT_QUEUE_LENGTH,
    &NETWORK_PROTOCOL_TYPE,
    &FILESYSTEM_SIZE_BYTES,
    &FILESYSTEM_FREE_BYTES,
    &FILESYSTEM_AVAIL_BYTES,
    &FILESYSTEM_FILES,
    &FILESYSTEM_FILES_FREE,
    &FILESYSTEM_READONLY,
    &FILESYSTEM_DEVICE_ERROR,
    &THERMAL_ZONE_TEMP,
    &COOLING_DEVICE_CUR_STATE,
    &COOLING_DEVICE_MAX_STATE,
    &HWMON_CHIP_NAMES,
    &HWMON_SENSOR_LABEL,
    &HWMON_TEMP_CELSIUS,
    &HWMON_VOLTS,
    &HWMON_AMPS,
    &HWMON_WATT,
    &HWMON_POWER_INTERVAL_SECONDS,
    &HWMON_POWER_ACCURACY,
    &HWMON_JOULE_TOTAL,
    &HWMON_HUMIDITY,
    &HWMON_RPM,
    &HWMON_VOLTAGE_REGULATOR_VERSION,
    &HWMON_UPDATE_INTERVAL_SECONDS,
    &HWMON_RAW,
    &CPU_FREQUENCY_HERTZ,
    &CPU_FREQUENCY_MAX_HERTZ,
    &CPU_FREQUENCY_MIN_HERTZ,
    &CPU_SCALING_FREQUENCY_HERTZ,
    &CPU_SCALING_FREQUENCY_MAX_HERTZ,
    &CPU_SCALING_FREQUENCY_MIN_HERTZ,
    &CPU_SCALING_GOVERNOR,
    &PRESSURE_CPU_WAITING_SECONDS_TOTAL,
    &PRESSURE_CPU_STALLED_SECONDS_TOTAL,
    &PRESSURE_IO_WAITING_SECONDS_TOTAL,
    &PRESSURE_IO_STALLED_SECONDS_TOTAL,
    &PRESSURE_MEMORY_WAITING_SECONDS_TOTAL,
    &PRESSURE_MEMORY_STALLED_SECONDS_TOTAL,
    &UNAME_INFO,
    &INFINIBAND_INFO,
    &INFINIBAND_STATE_ID,
    &INFINIBAND_PHYSICAL_STATE_ID,
    &INFINIBAND_RATE_BYTES_PER_SECOND,
    &INFINIBAND_COUNTER_TOTAL,
    &RDMA_PORT_STAT_TOTAL,
];
