//! Filesystems: the contract `storage_used_percent` for `/`, and
//! node_exporter's `node_filesystem_*` family for every mounted filesystem.
//!
//! Sources: the mount table `/proc/1/mounts` (falling back to
//! `/proc/mounts`, as node_exporter does where `hidepid` hides PID 1;
//! format in [`crate::parse::mounts`]) and `statvfs(3)` of each mount point,
//! replayed from the fixture's `statvfs` file.
//!
//! - `storage_used_percent` is GNU df's Use% (coreutils `df.c`): used /
//!   (used + available), where used is `f_blocks - f_bfree` and available is
//!   `f_bavail`, the blocks an unprivileged user may still take; the
//!   root-reserved blocks are in neither. df rounds up to a whole percent;
//!   this exports the exact ratio x 100.
//! - `node_filesystem_{size,free,avail}_bytes` multiply the block counts by
//!   `f_bsize`, as node_exporter 1.x does; `_files`, `_files_free` are the
//!   inode counts; `_readonly` is 1 when the mount options contain `ro`;
//!   `_device_error` is 1 when `statvfs` failed, and then it is the only
//!   series of that mount, as in node_exporter 1.5.0. Mounts matching
//!   node_exporter's default exclusions (pseudo filesystems, `/dev`,
//!   `/proc`, `/run`, `/sys`, ...) are skipped.

use std::collections::HashMap;

use regex_lite::Regex;

use crate::collect::Pattern;
use crate::expo::{LabelValue, Labels, Sample};
use crate::metrics::{self, Metric, node};
use crate::parse::mounts;
use crate::root::{CollectError, Root};
use crate::sys::StatVfs;

/// The filesystem whose use is the contract's `storage_used_percent`.
pub const ROOT_MOUNTPOINT: &str = "/";

/// Relative path of PID 1's mount table (the host's, from inside a
/// container that shares the PID namespace).
pub const PID1_MOUNTS_FILE: &str = "proc/1/mounts";

/// Relative path of this process's mount table.
pub const MOUNTS_FILE: &str = "proc/mounts";

/// node_exporter 1.5.0's default `--collector.filesystem.mount-points-exclude`.
pub const DEFAULT_MOUNT_POINTS_EXCLUDE: &str =
    "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";

/// node_exporter 1.5.0's default `--collector.filesystem.fs-types-exclude`.
pub const DEFAULT_FS_TYPES_EXCLUDE: &str = "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";

/// Which mounts get `node_filesystem_*` series: those whose mount point
/// and filesystem type match neither pattern.
///
/// Each pattern keeps its answers ([`Pattern`]), since the same few dozen
/// mounts come back on every scrape and a regex match costs microseconds
/// (a fifth of a collection of `fixtures/spark`, callgrind).
#[derive(Debug, Clone)]
pub struct Exclusions {
    mount_points: Pattern,
    fs_types: Pattern,
}

impl Exclusions {
    /// Mounts whose mount point matches `mount_points` or whose type
    /// matches `fs_types` are not reported.
    pub fn new(mount_points: Regex, fs_types: Regex) -> Exclusions {
        Exclusions {
            mount_points: Pattern::new(mount_points),
            fs_types: Pattern::new(fs_types),
        }
    }

    /// Whether the mount of `fs_type` at `mount_point` is left out.
    pub fn excludes(&self, mount_point: &str, fs_type: &str) -> bool {
        self.mount_points.is_match(mount_point) || self.fs_types.is_match(fs_type)
    }
}

impl Default for Exclusions {
    fn default() -> Self {
        Exclusions::new(
            Regex::new(DEFAULT_MOUNT_POINTS_EXCLUDE).expect("valid built-in regex"),
            Regex::new(DEFAULT_FS_TYPES_EXCLUDE).expect("valid built-in regex"),
        )
    }
}

/// The text of the mount table and its path: PID 1's, or this process's
/// where PID 1's cannot be read.
fn mount_table(root: &Root) -> Result<(String, &'static str), CollectError> {
    match root.read(PID1_MOUNTS_FILE) {
        Ok(text) => Ok((text, PID1_MOUNTS_FILE)),
        Err(CollectError::Read { .. }) => Ok((root.read(MOUNTS_FILE)?, MOUNTS_FILE)),
        Err(e) => Err(e),
    }
}

/// Emits `storage_used_percent` and the `node_filesystem_*` family.
///
/// Errors: the mount table cannot be read or parsed (`storage_used_percent`
/// is still tried), `statvfs` fails for a reported mount (its
/// `node_filesystem_device_error` is 1), or for `/`, or `/` reports no
/// blocks (`NoData`).
pub fn collect(
    root: &Root,
    exclude: &Exclusions,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let (text, path, mut result) = match mount_table(root) {
        Ok((text, path)) => (text, path, Ok(())),
        Err(e) => (String::new(), PID1_MOUNTS_FILE, Err(e)),
    };
    let table = match mounts::parse(&text) {
        Ok(table) => table,
        Err(e) => {
            result = result.and(Err(root.parse_error(path, e)));
            Vec::new()
        }
    };
    // One statvfs per mount point per scrape, so that both families and a
    // recording see the same figures.
    let mut stats: HashMap<&str, StatVfs> = HashMap::new();
    if result.is_ok() {
        result = mounts_collect(root, exclude, &table, &mut stats, out);
    }
    if let Err(e) = storage_used(root, &mut stats, out) {
        result = Err(e);
    }
    result
}

/// `statvfs` of `mount_point`, asked once per scrape.
fn statvfs<'a>(
    root: &Root,
    stats: &mut HashMap<&'a str, StatVfs>,
    mount_point: &'a str,
) -> Result<StatVfs, CollectError> {
    if let Some(s) = stats.get(mount_point) {
        return Ok(*s);
    }
    let s = root.statvfs(mount_point)?;
    stats.insert(mount_point, s);
    Ok(s)
}

fn mounts_collect<'a>(
    root: &Root,
    exclude: &Exclusions,
    table: &'a [mounts::Mount],
    stats: &mut HashMap<&'a str, StatVfs>,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let mut result = Ok(());
    for m in table {
        if exclude.excludes(&m.mount_point, &m.fs_type) {
            continue;
        }
        let labels: Labels = [
            ("device", LabelValue::new(&m.device)),
            ("fstype", LabelValue::new(&m.fs_type)),
            ("mountpoint", LabelValue::new(&m.mount_point)),
        ]
        .into();
        let labels = || labels.clone();
        let stat = match statvfs(root, stats, &m.mount_point) {
            Ok(s) => s,
            Err(e) => {
                out.push(Sample::new(&node::FILESYSTEM_DEVICE_ERROR, labels(), 1.0));
                result = Err(e);
                continue;
            }
        };
        out.push(Sample::new(&node::FILESYSTEM_DEVICE_ERROR, labels(), 0.0));
        let ro = f64::from(u8::from(m.read_only()));
        out.push(Sample::new(&node::FILESYSTEM_READONLY, labels(), ro));
        let bsize = stat.bsize as f64;
        let values: [(&Metric, f64); 5] = [
            (&node::FILESYSTEM_SIZE_BYTES, stat.blocks as f64 * bsize),
            (&node::FILESYSTEM_FREE_BYTES, stat.bfree as f64 * bsize),
            (&node::FILESYSTEM_AVAIL_BYTES, stat.bavail as f64 * bsize),
            (&node::FILESYSTEM_FILES, stat.files as f64),
            (&node::FILESYSTEM_FILES_FREE, stat.ffree as f64),
        ];
        for (metric, v) in values {
            out.push(Sample::new(metric, labels(), v));
        }
    }
    result
}

fn storage_used(
    root: &Root,
    stats: &mut HashMap<&str, StatVfs>,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let s = statvfs(root, stats, ROOT_MOUNTPOINT)?;
    let used = s.blocks.saturating_sub(s.bfree);
    let visible = used.saturating_add(s.bavail);
    if visible == 0 {
        return Err(CollectError::NoData(format!(
            "statvfs({ROOT_MOUNTPOINT}) reports no blocks"
        )));
    }
    let pct = 100.0 * used as f64 / visible as f64;
    out.push(Sample::new(
        &metrics::STORAGE_USED_PERCENT,
        Labels::NONE,
        pct,
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::MAX_PATTERN_ANSWERS;
    use crate::root::lock;

    #[test]
    fn kept_answers_are_the_patterns_answers() {
        let ex = Exclusions::default();
        let cases = [
            ("/", "ext4", false),
            ("/proc", "proc", true),
            ("/run/user/1000", "tmpfs", true),
            ("/var/lib/docker/overlay2/abc/merged", "overlay", true),
            ("/data", "overlay", true),
            ("/data", "xfs", false),
            ("/boot/efi", "vfat", false),
        ];
        for _ in 0..2 {
            for (mp, fs, want) in cases {
                assert_eq!(ex.excludes(mp, fs), want, "{mp} {fs}");
            }
        }
        assert_eq!(
            lock(&ex.mount_points.answers).len(),
            6,
            "one entry per mount point"
        );
    }

    #[test]
    fn kept_answers_are_bounded() {
        let ex = Exclusions::default();
        for i in 0..(MAX_PATTERN_ANSWERS * 3) {
            assert!(ex.excludes(&format!("/var/lib/docker/overlay2/{i}/merged"), "overlay"));
        }
        assert!(lock(&ex.mount_points.answers).len() <= MAX_PATTERN_ANSWERS);
        assert!(!ex.excludes("/", "ext4"));
    }
}
