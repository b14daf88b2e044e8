//! node_exporter's `uname` collector: `node_uname_info`, read from the
//! files under the root rather than the `uname(2)` call, so a fixture
//! replays it. The kernel fills `uname(2)` from the same values
//! (`include/linux/utsname.h`; sysctls in `kernel/utsname_sysctl.c`):
//!
//! | label | file |
//! |---|---|
//! | `sysname` | `/proc/sys/kernel/ostype` |
//! | `release` | `/proc/sys/kernel/osrelease` |
//! | `version` | `/proc/sys/kernel/version` |
//! | `machine` | `/proc/sys/kernel/arch` (Linux 6.1+) |
//! | `nodename` | `/proc/sys/kernel/hostname` |
//! | `domainname` | `/proc/sys/kernel/domainname` |
//!
//! On a live host whose kernel predates `arch`, `machine` is the
//! architecture this binary was built for, which is what `uname -m` prints
//! for the two shipped targets (`aarch64`, `x86_64`).

use crate::expo::Sample;
use crate::metrics::node;
use crate::parse::sysfs;
use crate::root::{CollectError, Root};

/// Relative path of the kernel sysctl directory.
pub const KERNEL_DIR: &str = "proc/sys/kernel";

/// Labels and the sysctl file each comes from.
const FIELDS: [(&str, &str); 6] = [
    ("sysname", "ostype"),
    ("release", "osrelease"),
    ("version", "version"),
    ("machine", "arch"),
    ("nodename", "hostname"),
    ("domainname", "domainname"),
];

/// Emits `node_uname_info`.
///
/// Errors: a file is missing, unreadable or not one line (no series then:
/// an info metric with a made-up label would mislead).
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let mut labels = Vec::with_capacity(FIELDS.len());
    for (label, file) in FIELDS {
        let path = format!("{KERNEL_DIR}/{file}");
        let value = match root.read_parsed_optional(&path, |t| {
            sysfs::string_value("kernel sysctl", t).map(str::to_string)
        })? {
            Some(v) => v,
            None if file == "arch" && root.is_live() => std::env::consts::ARCH.to_string(),
            None => {
                return Err(CollectError::NoData(format!(
                    "{} is missing",
                    root.path(&path).display()
                )));
            }
        };
        labels.push((label, value.into()));
    }
    out.push(Sample::new(&node::UNAME_INFO, labels, 1.0));
    Ok(())
}
