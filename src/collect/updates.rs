//! Pending package updates and reboot-required, as Ubuntu (DGX OS, Jetson
//! Linux) records them; the metric names are those of node_exporter's
//! `apt.sh` / `apt_info.py` textfile scripts, which fleets alert on.
//!
//! - `apt_upgrades_pending`, `apt_security_upgrades_pending` from the
//!   update-notifier stamp `/var/lib/update-notifier/updates-available`
//!   (format: [`crate::parse::update_notifier`]). The stamp is rewritten
//!   after each `apt update`; the exporter never runs apt itself. Where the
//!   stamp does not exist (no `update-notifier-common`, as on Raspberry Pi
//!   OS) both are absent and the collector still succeeds: there is nothing
//!   to read, not something broken.
//! - `node_reboot_required`: 1 when `/var/run/reboot-required` exists
//!   (written by package maintainer scripts through
//!   `/usr/share/update-notifier/notify-reboot-required`), else 0.

use crate::expo::Sample;
use crate::metrics::host;
use crate::parse::update_notifier;
use crate::root::{CollectError, Root};

/// Ubuntu's update-notifier stamp.
pub const UPDATES_AVAILABLE_FILE: &str = "var/lib/update-notifier/updates-available";
/// The flag file a package creates when it needs a reboot.
pub const REBOOT_REQUIRED_FILE: &str = "var/run/reboot-required";

/// Emits `node_reboot_required` and, where the stamp exists, the two
/// `apt_*` gauges.
///
/// Errors: the flag file exists but cannot be read (nothing is emitted),
/// or the stamp exists but cannot be read or does not state a total (both
/// `apt_*` gauges are then absent; `node_reboot_required` is emitted).
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    // Read rather than stat, so that a recording copies the flag file.
    let required = root.read_optional(REBOOT_REQUIRED_FILE)?.is_some();
    out.push(Sample::new(
        &host::REBOOT_REQUIRED,
        vec![],
        f64::from(u8::from(required)),
    ));
    let Some(updates) =
        root.read_parsed_optional(UPDATES_AVAILABLE_FILE, update_notifier::parse)?
    else {
        return Ok(());
    };
    out.push(Sample::new(
        &host::APT_UPGRADES_PENDING,
        vec![],
        updates.pending as f64,
    ));
    out.push(Sample::new(
        &host::APT_SECURITY_UPGRADES_PENDING,
        vec![],
        updates.security as f64,
    ));
    Ok(())
}
