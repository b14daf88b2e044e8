//! The NVMe SMART / Health Information log page (Get Log Page, log
//! identifier `02h`): 512 bytes, little-endian, read from a controller
//! (`/dev/nvmeN`) with the admin passthrough ioctl ([`crate::sys::nvme_smart_log`])
//! or replayed from a recorded `nvme/<controller>/smart-log.bin`.
//!
//! Layout: NVM Express Base Specification, section "SMART / Health
//! Information (Log Page Identifier 02h)" (5.16.1.3 in revision 2.0, 5.14.1.2
//! in 1.4), figure "SMART / Health Information Log Page"; the same offsets as
//! Linux's `struct nvme_smart_log` (`include/linux/nvme.h`) and libnvme's:
//!
//! | bytes | field | unit |
//! |---|---|---|
//! | 0 | Critical Warning | bit set |
//! | 2:1 | Composite Temperature | kelvins |
//! | 3 | Available Spare | percent, 0-100 |
//! | 4 | Available Spare Threshold | percent, 0-100 (101-255 reserved) |
//! | 5 | Percentage Used | percent, may exceed 100 (255 = 255 or more) |
//! | 6 | Endurance Group Critical Warning Summary | bit set |
//! | 47:32 | Data Units Read | thousands of 512-byte units, rounded up |
//! | 63:48 | Data Units Written | thousands of 512-byte units, rounded up |
//! | 79:64 | Host Read Commands | commands |
//! | 95:80 | Host Write Commands | commands |
//! | 111:96 | Controller Busy Time | minutes |
//! | 127:112 | Power Cycles | cycles |
//! | 143:128 | Power On Hours | hours |
//! | 159:144 | Unsafe Shutdowns | shutdowns |
//! | 175:160 | Media and Data Integrity Errors | errors |
//! | 191:176 | Number of Error Information Log Entries | entries |
//! | 195:192 | Warning Composite Temperature Time | minutes |
//! | 199:196 | Critical Composite Temperature Time | minutes |
//! | 215:200 | Temperature Sensor 1..8 (2 bytes each) | kelvins, 0 = not implemented |
//!
//! The 16-byte counters are 128-bit little-endian integers and are kept as
//! [`u128`]; bytes 7-31 and 232-511 are reserved.

use super::ParseError;

/// Format name for errors.
const SOURCE: &str = "NVMe SMART / Health Information log page (02h)";

/// Length of the log page in bytes.
pub const PAGE_LEN: usize = 512;

/// The fields of one SMART / Health Information log page, in the units of the
/// specification (see the module table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartLog {
    /// Byte 0: bit 0 available spare below its threshold, 1 a temperature
    /// outside a threshold, 2 reliability degraded, 3 media read-only, 4
    /// volatile memory backup failed, 5 persistent memory region read-only;
    /// 0 when healthy.
    pub critical_warning: u8,
    /// Bytes 2:1: composite temperature, kelvins.
    pub composite_temperature_kelvin: u16,
    /// Byte 3: remaining spare capacity, percent (0-100 when valid).
    pub available_spare_percent: u8,
    /// Byte 4: the available-spare level that raises a warning, percent
    /// (0-100 when valid).
    pub available_spare_threshold_percent: u8,
    /// Byte 5: vendor estimate of the rated endurance used, percent; may
    /// exceed 100, 255 means 255 or more.
    pub percentage_used: u8,
    /// Byte 6: Endurance Group Critical Warning Summary (NVMe 1.4+).
    pub endurance_group_critical_warning: u8,
    /// Bytes 47:32: data read by the host, thousands of 512-byte units.
    pub data_units_read: u128,
    /// Bytes 63:48: data written by the host, thousands of 512-byte units.
    pub data_units_written: u128,
    /// Bytes 79:64: read commands completed.
    pub host_read_commands: u128,
    /// Bytes 95:80: write commands completed.
    pub host_write_commands: u128,
    /// Bytes 111:96: time busy with I/O commands, minutes.
    pub controller_busy_time_minutes: u128,
    /// Bytes 127:112: power cycles.
    pub power_cycles: u128,
    /// Bytes 143:128: power-on hours (may exclude non-operational power
    /// states).
    pub power_on_hours: u128,
    /// Bytes 159:144: shutdowns without a shutdown notification.
    pub unsafe_shutdowns: u128,
    /// Bytes 175:160: unrecovered data integrity errors (ECC, CRC, LBA tag).
    pub media_errors: u128,
    /// Bytes 191:176: Error Information log entries over the controller's
    /// life.
    pub error_log_entries: u128,
    /// Bytes 195:192: minutes above the warning composite temperature.
    pub warning_temperature_minutes: u32,
    /// Bytes 199:196: minutes above the critical composite temperature.
    pub critical_temperature_minutes: u32,
    /// Bytes 215:200: temperature sensors 1-8, kelvins; 0 = not implemented.
    pub temperature_sensors_kelvin: [u16; 8],
}

/// `N` bytes of `page` from offset `at`. The offsets are constants inside
/// the page (checked by the tests), so the slice is always in range.
fn bytes<const N: usize>(page: &[u8; PAGE_LEN], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&page[at..at + N]);
    out
}

fn u16_at(page: &[u8; PAGE_LEN], at: usize) -> u16 {
    u16::from_le_bytes(bytes(page, at))
}

fn u32_at(page: &[u8; PAGE_LEN], at: usize) -> u32 {
    u32::from_le_bytes(bytes(page, at))
}

fn u128_at(page: &[u8; PAGE_LEN], at: usize) -> u128 {
    u128::from_le_bytes(bytes(page, at))
}

/// Parses a SMART / Health Information log page.
///
/// Input: exactly [`PAGE_LEN`] (512) bytes as the controller returns them.
/// Errors: any other length (a truncated or padded recording), or a page of
/// 512 `0xFF` bytes, which no controller returns as data (the reserved
/// bytes 232-511 are 0) and which would otherwise read as counters of
/// 3.4e38.
pub fn parse(data: &[u8]) -> Result<SmartLog, ParseError> {
    let Ok(page) = <&[u8; PAGE_LEN]>::try_from(data) else {
        return Err(ParseError::new(
            SOURCE,
            1,
            format!("exactly {PAGE_LEN} bytes"),
            &format!("{} bytes", data.len()),
        ));
    };
    if page.iter().all(|&b| b == 0xFF) {
        return Err(ParseError::new(
            SOURCE,
            1,
            "a log page (reserved bytes 232-511 are 0)",
            &format!("{PAGE_LEN} bytes of 0xFF"),
        ));
    }
    let mut temperature_sensors_kelvin = [0u16; 8];
    for (i, t) in temperature_sensors_kelvin.iter_mut().enumerate() {
        *t = u16_at(page, 200 + 2 * i);
    }
    Ok(SmartLog {
        critical_warning: page[0],
        composite_temperature_kelvin: u16_at(page, 1),
        available_spare_percent: page[3],
        available_spare_threshold_percent: page[4],
        percentage_used: page[5],
        endurance_group_critical_warning: page[6],
        data_units_read: u128_at(page, 32),
        data_units_written: u128_at(page, 48),
        host_read_commands: u128_at(page, 64),
        host_write_commands: u128_at(page, 80),
        controller_busy_time_minutes: u128_at(page, 96),
        power_cycles: u128_at(page, 112),
        power_on_hours: u128_at(page, 128),
        unsafe_shutdowns: u128_at(page, 144),
        media_errors: u128_at(page, 160),
        error_log_entries: u128_at(page, 176),
        warning_temperature_minutes: u32_at(page, 192),
        critical_temperature_minutes: u32_at(page, 196),
        temperature_sensors_kelvin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page with every field set to a distinct value at its offset.
    fn sample() -> [u8; PAGE_LEN] {
        let mut p = [0u8; PAGE_LEN];
        p[0] = 0x04;
        p[1..3].copy_from_slice(&315u16.to_le_bytes());
        p[3] = 100;
        p[4] = 10;
        p[5] = 7;
        p[6] = 0x01;
        for (i, at) in (32..192).step_by(16).enumerate() {
            p[at..at + 16].copy_from_slice(&(1000 + i as u128).to_le_bytes());
        }
        p[192..196].copy_from_slice(&11u32.to_le_bytes());
        p[196..200].copy_from_slice(&12u32.to_le_bytes());
        for i in 0..8 {
            p[200 + 2 * i..202 + 2 * i].copy_from_slice(&(300 + i as u16).to_le_bytes());
        }
        p
    }

    #[test]
    fn every_field_at_its_offset() {
        let s = parse(&sample()).unwrap();
        assert_eq!(s.critical_warning, 0x04);
        assert_eq!(s.composite_temperature_kelvin, 315);
        assert_eq!(s.available_spare_percent, 100);
        assert_eq!(s.available_spare_threshold_percent, 10);
        assert_eq!(s.percentage_used, 7);
        assert_eq!(s.endurance_group_critical_warning, 1);
        let counters = [
            s.data_units_read,
            s.data_units_written,
            s.host_read_commands,
            s.host_write_commands,
            s.controller_busy_time_minutes,
            s.power_cycles,
            s.power_on_hours,
            s.unsafe_shutdowns,
            s.media_errors,
            s.error_log_entries,
        ];
        assert_eq!(
            counters,
            [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]
        );
        assert_eq!(s.warning_temperature_minutes, 11);
        assert_eq!(s.critical_temperature_minutes, 12);
        assert_eq!(
            s.temperature_sensors_kelvin,
            [300, 301, 302, 303, 304, 305, 306, 307]
        );
    }

    #[test]
    fn counters_are_128_bit_little_endian() {
        let mut p = [0u8; PAGE_LEN];
        // Power On Hours = 2^64 + 5: does not fit a u64.
        p[128] = 5;
        p[136] = 1;
        // Media errors: the largest value, all 16 bytes 0xFF.
        p[160..176].fill(0xFF);
        // Data Units Read: only the most significant byte set.
        p[47] = 0x80;
        let s = parse(&p).unwrap();
        assert_eq!(s.power_on_hours, (1u128 << 64) + 5);
        assert_eq!(s.media_errors, u128::MAX);
        assert_eq!(s.data_units_read, 1u128 << 127);
        assert_eq!(s.data_units_written, 0, "the neighbour is untouched");
        assert_eq!(s.unsafe_shutdowns, 0);
    }

    #[test]
    fn truncated_page_names_the_expected_length() {
        let p = sample();
        for len in [0, 1, 191, 511] {
            let e = parse(&p[..len]).unwrap_err();
            assert_eq!(e.expected, "exactly 512 bytes");
            assert_eq!(e.found, format!("{len} bytes"));
            assert!(e.to_string().contains("SMART"), "{e}");
        }
    }

    #[test]
    fn longer_data_is_not_a_log_page() {
        let mut v = sample().to_vec();
        v.push(b'\n');
        assert_eq!(parse(&v).unwrap_err().found, "513 bytes");
    }

    #[test]
    fn all_ff_page_is_rejected() {
        let e = parse(&[0xFF; PAGE_LEN]).unwrap_err();
        assert!(e.found.contains("0xFF"), "{e}");
        // One reserved byte cleared: a page again, with out-of-range values
        // kept raw for the collector to judge.
        let mut p = [0xFF; PAGE_LEN];
        p[511] = 0;
        let s = parse(&p).unwrap();
        assert_eq!(s.available_spare_percent, 255);
        assert_eq!(s.percentage_used, 255);
        assert_eq!(s.power_on_hours, u128::MAX);
    }

    #[test]
    fn all_zero_page_parses() {
        let s = parse(&[0; PAGE_LEN]).unwrap();
        assert_eq!(s.critical_warning, 0);
        assert_eq!(s.media_errors, 0);
    }
}
