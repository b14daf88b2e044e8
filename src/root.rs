//! The pluggable filesystem root: every read, directory listing, `statvfs`
//! and `nvidia-smi` call of every collector goes through a [`Root`].
//!
//! - [`Root::live`] reads the running host: files under its base (`/`),
//!   `statvfs(3)` on real mount points, a real `nvidia-smi` with a deadline.
//! - [`Root::replay`] reads a recorded fixture directory: `proc/` and `sys/`
//!   mirror the kernel files; the file `statvfs` holds recorded filesystem
//!   figures (format in [`crate::parse::statvfs`]); `nvidia-smi/query-gpu.csv`
//!   and `nvidia-smi/query-compute-apps.csv` hold the recorded stdout of the
//!   two queries ([`NvidiaSmiQuery`]), and `nvidia-smi/query-gpu.error` /
//!   `query-compute-apps.error` a recorded failure. A fixture without
//!   `nvidia-smi/` is a host without `nvidia-smi`. `nvme/<ctrl>/smart-log.bin`
//!   holds the 512-byte SMART / health log page that live roots read with the
//!   NVMe admin ioctl ([`Root::nvme_smart_log`]; `smart-log.error`: a
//!   recorded failure).
//! - [`Root::recording`] wraps a live root and copies everything it reads into
//!   a fixture directory in that layout, so that replaying it gives the same
//!   values ([`crate::record`]).
//!
//! Paths given to a root are relative (`proc/stat`), like procfs's `PATH`
//! constants, so a fixture is a plain directory tree.
//!
//! ## Held files
//!
//! A live root keeps the kernel files it reads (under `proc/` and `sys/`)
//! open across scrapes and reads them again with `pread(2)` at offset 0,
//! which makes the kernel print the value afresh; opening and closing them
//! was a third of the CPU time of a scrape. A held file is dropped and its
//! path opened anew when its read fails (the object is gone), when a
//! directory listed through the root changes its entries, when
//! [`Root::check_identity`] sees another object under the same name, and
//! when it has not been read for two collections ([`Root::end_collection`]).
//! A replayed root holds nothing: a fixture's regular files would keep
//! serving deleted content.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read as _, Write as _};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::command::{self, CommandError, CommandErrorKind};
use crate::parse::{self, ParseError};
use crate::sys::{StatVfs, is_value_unavailable};

/// Relative path of the recorded `statvfs(3)` figures in a fixture.
pub const STATVFS_FILE: &str = "statvfs";
/// Relative path of the directory of recorded `nvidia-smi` output.
pub const NVIDIA_SMI_DIR: &str = "nvidia-smi";
/// Recorded stdout of the `--query-gpu` call.
pub const QUERY_GPU_FILE: &str = "nvidia-smi/query-gpu.csv";
/// Recorded failure message of the `--query-gpu` call.
pub const QUERY_GPU_ERROR_FILE: &str = "nvidia-smi/query-gpu.error";
/// Recorded stdout of the `--query-compute-apps` call.
pub const QUERY_COMPUTE_APPS_FILE: &str = "nvidia-smi/query-compute-apps.csv";
/// Recorded failure message of the `--query-compute-apps` call.
pub const QUERY_COMPUTE_APPS_ERROR_FILE: &str = "nvidia-smi/query-compute-apps.error";

/// Which `nvidia-smi` query a call makes; it names the files its output
/// (or failure) is recorded in and replayed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NvidiaSmiQuery {
    /// `--query-gpu`: one line per GPU ([`QUERY_GPU_FILE`]).
    Gpu,
    /// `--query-compute-apps`: one line per process holding GPU memory
    /// ([`QUERY_COMPUTE_APPS_FILE`]).
    ComputeApps,
}

impl NvidiaSmiQuery {
    /// Relative path of the recorded stdout.
    pub fn file(self) -> &'static str {
        match self {
            NvidiaSmiQuery::Gpu => QUERY_GPU_FILE,
            NvidiaSmiQuery::ComputeApps => QUERY_COMPUTE_APPS_FILE,
        }
    }

    /// Relative path of the recorded failure message.
    pub fn error_file(self) -> &'static str {
        match self {
            NvidiaSmiQuery::Gpu => QUERY_GPU_ERROR_FILE,
            NvidiaSmiQuery::ComputeApps => QUERY_COMPUTE_APPS_ERROR_FILE,
        }
    }
}

/// Why a collector could not get what it needs from the root.
#[derive(Debug)]
pub enum CollectError {
    /// Reading a file or directory failed.
    Read {
        /// The full path.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A file's content did not have the expected format.
    Parse {
        /// The full path, or the command line.
        path: String,
        /// What was wrong.
        source: ParseError,
    },
    /// Running a command failed.
    Command(CommandError),
    /// Nothing to report: the files a collector looks for are not there.
    NoData(String),
    /// Any other problem, already described.
    Other(String),
}

impl fmt::Display for CollectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CollectError::Read { path, source } => {
                write!(f, "reading {}: {source}", path.display())
            }
            CollectError::Parse { path, source } => write!(f, "parsing {path}: {source}"),
            CollectError::Command(e) => e.fmt(f),
            CollectError::NoData(what) | CollectError::Other(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for CollectError {}

impl CollectError {
    /// This error once more, for a second collector that shares the read
    /// that failed (see `collect::Scrape`): the same variant and the same
    /// message. An I/O error is made again from its `errno`, or from its
    /// kind and text; a command error comes back as [`CollectError::Other`]
    /// with its text (no shared read runs a command).
    pub fn again(&self) -> CollectError {
        match self {
            CollectError::Read { path, source } => CollectError::Read {
                path: path.clone(),
                source: match source.raw_os_error() {
                    Some(errno) => io::Error::from_raw_os_error(errno),
                    None => io::Error::new(source.kind(), source.to_string()),
                },
            },
            CollectError::Parse { path, source } => CollectError::Parse {
                path: path.clone(),
                source: source.clone(),
            },
            CollectError::Command(e) => CollectError::Other(e.to_string()),
            CollectError::NoData(what) => CollectError::NoData(what.clone()),
            CollectError::Other(what) => CollectError::Other(what.clone()),
        }
    }
}

/// Where `nvidia-smi` output comes from.
#[derive(Debug, Clone)]
enum Gpu {
    /// Run this binary with this deadline.
    Live {
        nvidia_smi: Option<PathBuf>,
        timeout: Duration,
    },
    /// Read the recorded files.
    Replay,
}

/// Copies what a root reads into a fixture directory.
#[derive(Debug)]
struct Recorder {
    /// The fixture directory written to; `None` only lists what is read.
    dir: Option<PathBuf>,
    /// Files read, in order, as relative paths (also used by the bench).
    read: Mutex<Vec<String>>,
    /// Directories listed, in order, as relative paths (for the bench).
    listed: Mutex<Vec<String>>,
    /// Write failures, reported at the end of a recording.
    errors: Mutex<Vec<String>>,
    /// When writing a fixture: the first content read of each file, served
    /// again to later reads of the same file in the recorded collection
    /// (`/proc/stat` is read by both `cpu` and `stat`, thermal zones by
    /// `thermal` and `thermal_zone`). The fixture holds one copy of each
    /// file, so the recorded collection must have seen one content, or its
    /// exposition would differ from the replay's on a busy host.
    seen: Mutex<HashMap<String, Vec<u8>>>,
}

/// The kernel files of a live root kept open across scrapes and read again
/// with `pread(2)` at offset 0, instead of being opened and closed on every
/// scrape.
///
/// Opening a sysfs or procfs file walks its path (through the `class/net`
/// and `class/hwmon` symlinks into `/sys/devices`) and sets up a
/// `seq_file`; closing tears it down. That was about a third of the
/// exporter's CPU time per scrape (perf, issue 6). A read at offset 0 of an
/// open `seq_file` runs the attribute's `show()` again
/// (`fs/seq_file.c`, `seq_read_iter`: a read at a position other than where
/// the last one ended traverses from the start), so the value is as fresh
/// as after a new `open`.
///
/// Held only on a live root and only under `proc/` and `sys/`, whose files
/// fail once their object is gone (kernfs returns `ENODEV` for a removed
/// attribute). A regular file (a fixture) would keep serving its deleted
/// content, so a replayed root opens every file anew.
///
/// When a held file stops being what its path names:
/// - its object was removed: the read fails, the file is dropped and the
///   path opened anew, which gives the current answer or error;
/// - the entries of a directory listed through the root changed (a device
///   added, removed or renamed): every held file under it is dropped;
/// - a network interface was replaced by another of the same name (names
///   swapped, the listing unchanged): [`Root::check_identity`] sees another
///   directory under the name and drops its files;
/// - a file not read for two collections ([`Root::end_collection`]) is
///   closed, so nothing is held for a device that is gone.
#[derive(Debug)]
struct Held {
    files: Mutex<HashMap<String, HeldFile>>,
    /// The last listing of each directory listed, to see it change, and
    /// the collection it was made in.
    listings: Mutex<HashMap<String, (Vec<String>, u64)>>,
    /// The identity (device and inode number) of each directory checked
    /// ([`Root::check_identity`]) and the collection it was checked in.
    identities: Mutex<HashMap<String, (Identity, u64)>>,
    /// Counts collections ([`Root::end_collection`]).
    generation: AtomicU64,
    /// At most this many files are held (half the soft `RLIMIT_NOFILE`);
    /// beyond it, files are opened and closed as on a replayed root.
    max: usize,
}

/// One held file and the collection it was last read in.
#[derive(Debug)]
struct HeldFile {
    file: Arc<File>,
    used: u64,
}

/// What tells one directory from another under the same path: the
/// device and inode number `stat(2)` gives it (and whether it is a
/// directory at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity {
    dev: u64,
    ino: u64,
    is_dir: bool,
}

/// Held files: at most this many, whatever the open file limit.
const MAX_HELD: usize = 4096;

impl Held {
    fn new() -> Held {
        let max = crate::sys::max_open_files()
            .map_or(MAX_HELD, |n| usize::try_from(n / 2).unwrap_or(MAX_HELD))
            .min(MAX_HELD);
        Held {
            files: Mutex::new(HashMap::new()),
            listings: Mutex::new(HashMap::new()),
            identities: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            max,
        }
    }

    /// Whether `rel` is a kernel file that may be held.
    fn covers(rel: &str) -> bool {
        rel.starts_with("sys/") || rel.starts_with("proc/")
    }

    fn get(&self, rel: &str) -> Option<Arc<File>> {
        let generation = self.generation.load(Ordering::Relaxed);
        let mut files = lock(&self.files);
        let held = files.get_mut(rel)?;
        held.used = generation;
        Some(Arc::clone(&held.file))
    }

    fn insert(&self, rel: &str, file: File) {
        let mut files = lock(&self.files);
        if files.len() < self.max {
            let used = self.generation.load(Ordering::Relaxed);
            let file = Arc::new(file);
            files.insert(rel.to_string(), HeldFile { file, used });
        }
    }

    fn forget(&self, rel: &str) {
        lock(&self.files).remove(rel);
    }

    /// Drops every held file under directory `dir`.
    fn forget_under(&self, dir: &str) {
        lock(&self.files).retain(|path, _| {
            !(path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
        });
    }

    /// Notes the listing of `dir`; a change drops the files held under it.
    fn listed(&self, dir: &str, names: &[String]) {
        let generation = self.generation.load(Ordering::Relaxed);
        let mut listings = lock(&self.listings);
        if let Some((last, used)) = listings.get_mut(dir) {
            if last == names {
                *used = generation;
                return;
            }
        }
        listings.insert(dir.to_string(), (names.to_vec(), generation));
        drop(listings);
        self.forget_under(dir);
    }

    /// `dir`'s identity if it was checked in this collection already (by
    /// another collector reading the same directory).
    fn identified_in_this_collection(&self, dir: &str) -> Option<Identity> {
        let generation = self.generation.load(Ordering::Relaxed);
        lock(&self.identities)
            .get(dir)
            .filter(|(_, used)| *used == generation)
            .map(|(identity, _)| *identity)
    }

    /// Notes `dir`'s identity (`None`: `stat` failed); a change drops the
    /// files held under `dir`.
    fn identified(&self, dir: &str, now: Option<Identity>) {
        let generation = self.generation.load(Ordering::Relaxed);
        let mut identities = lock(&self.identities);
        if let (Some(now), Some((last, used))) = (&now, identities.get_mut(dir)) {
            if last == now {
                *used = generation;
                return;
            }
        }
        match now {
            Some(now) => identities.insert(dir.to_string(), (now, generation)),
            None => identities.remove(dir),
        };
        drop(identities);
        self.forget_under(dir);
    }

    /// Closes the files, and forgets the listings and identities, not used
    /// in the collection that just ended or the one before, so that nothing
    /// accumulates for devices that come and go (containers' `veth`
    /// interfaces).
    fn end_collection(&self) {
        let now = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let recent = |used: u64| used + 2 > now;
        lock(&self.files).retain(|_, held| recent(held.used));
        lock(&self.listings).retain(|_, (_, used)| recent(*used));
        lock(&self.identities).retain(|_, (_, used)| recent(*used));
    }
}

/// How a file answers `read(2)`, by where it lives; it decides how
/// [`read_all`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadKind {
    /// A sysfs attribute (under `sys/`, but not `sys/fs/` or `sys/kernel/`,
    /// where cgroup, debugfs and others keep multi-record files): a read
    /// from offset 0 returns the whole value when it is shorter than
    /// [`SYSFS_WHOLE_BELOW`]. kernfs prints a text attribute in one
    /// `show()` call into a page (Documentation/filesystems/sysfs.rst:
    /// "sysfs allocates a buffer of size (PAGE_SIZE)", `fs/sysfs/file.c`
    /// `sysfs_kf_seq_show`) and a binary one returns at most a page per
    /// read (`fs/kernfs/file.c` `kernfs_file_read_iter`), so a shorter
    /// answer is all there is: the read that would return 0 is skipped.
    Sysfs,
    /// A sysctl under `proc/sys/`: the kernel allocates and zeroes a buffer
    /// the size of each read request (`fs/proc/proc_sysctl.c`
    /// `proc_sys_call_handler`: `kvzalloc(count + 1)`), so it is asked for
    /// [`SYSCTL_REQUEST`] bytes at a time, not the 16 KiB of the read buffer
    /// (five zeroed pages per read, 2 % of a scrape's CPU). A string sysctl
    /// answers all of itself that fits in one request, so a shorter answer
    /// is all there is.
    Sysctl,
    /// Anything else (`/proc` seq files return a page or so per read):
    /// read until a read returns 0.
    Other,
}

impl ReadKind {
    /// The kind of the file at `rel`, a path relative to a root
    /// (`sys/class/net/eth0/mtu`, `proc/sys/kernel/hostname`).
    pub fn of(rel: &str) -> ReadKind {
        if rel.starts_with("proc/sys/") {
            ReadKind::Sysctl
        } else if rel.starts_with("sys/")
            && !rel.starts_with("sys/fs/")
            && !rel.starts_with("sys/kernel/")
        {
            ReadKind::Sysfs
        } else {
            ReadKind::Other
        }
    }
}

/// See [`ReadKind::Sysfs`]: the size of the smallest page, below which a
/// sysfs read is the whole value.
pub const SYSFS_WHOLE_BELOW: usize = 4096;
/// See [`ReadKind::Sysctl`]: bytes asked for per read of a sysctl.
pub const SYSCTL_REQUEST: usize = 1024;

/// Reads all of a file of `kind` into `buf` (grown as needed; its length is
/// only capacity) with `read(offset, buf)` calls until one returns 0 (or,
/// for `kind`s whose short answer is the whole file, until one returns
/// less than asked), and returns the number of bytes read. No `statx`
/// first, unlike [`fs::read_to_string`]: kernel files report size 0 or
/// 4096 anyway. Public so that the bench's floor reads files exactly as a
/// collection does.
///
/// Errors: the first error of `read` other than `Interrupted`.
pub fn read_all(
    buf: &mut Vec<u8>,
    kind: ReadKind,
    mut read: impl FnMut(u64, &mut [u8]) -> io::Result<usize>,
) -> io::Result<usize> {
    let mut len = 0;
    loop {
        if buf.len() - len < READ_CHUNK {
            buf.resize((buf.len() * 2).max(READ_BUF_INITIAL), 0);
        }
        let (room, whole_below) = match kind {
            ReadKind::Sysfs if len == 0 => (buf.len(), SYSFS_WHOLE_BELOW),
            ReadKind::Sysctl => (len + SYSCTL_REQUEST, SYSCTL_REQUEST),
            _ => (buf.len(), 0),
        };
        match read(len as u64, &mut buf[len..room]) {
            Ok(0) => return Ok(len),
            Ok(n) if n < whole_below => return Ok(len + n),
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The read buffer of each thread starts at this size: every sysfs
/// attribute (one page at most) and most `/proc` files fit.
const READ_BUF_INITIAL: usize = 16 * 1024;
/// Grow the buffer when less than this is left for the next read.
const READ_CHUNK: usize = 4096;
/// A thread's buffer grown past this (a huge mount table) is freed after
/// use rather than kept.
const READ_BUF_KEEP: usize = 256 * 1024;

thread_local! {
    /// Each thread's read buffer, reused across files and scrapes.
    static READ_BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with the thread's read buffer, taken out for the call (a
/// nested call gets an empty one), and keeps it for the next unless it grew
/// past [`READ_BUF_KEEP`].
fn with_read_buf<T>(f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    let mut buf = READ_BUF.with(|b| b.take());
    let out = f(&mut buf);
    if buf.len() <= READ_BUF_KEEP {
        READ_BUF.with(|b| *b.borrow_mut() = buf);
    }
    out
}

/// A filesystem root plus the sources that are not files. See the module docs.
#[derive(Debug)]
pub struct Root {
    base: PathBuf,
    gpu: Gpu,
    recorder: Option<Recorder>,
    /// Kernel files kept open (live roots only; see [`Held`]).
    held: Option<Held>,
}

impl Root {
    /// The live host seen from `base` (normally `/`): `nvidia_smi` is the
    /// binary to run (`None`: no GPU collector), killed after `timeout`.
    pub fn live(base: impl Into<PathBuf>, nvidia_smi: Option<PathBuf>, timeout: Duration) -> Root {
        Root {
            base: base.into(),
            gpu: Gpu::Live {
                nvidia_smi,
                timeout,
            },
            recorder: None,
            held: Some(Held::new()),
        }
    }

    /// A recorded fixture directory.
    pub fn replay(base: impl Into<PathBuf>) -> Root {
        Root {
            base: base.into(),
            gpu: Gpu::Replay,
            recorder: None,
            held: None,
        }
    }

    /// This root, also copying everything it reads into `dir` in the fixture
    /// layout. `dir` may be `None` to only list the files read
    /// ([`Root::files_read`]).
    pub fn recording(mut self, dir: Option<PathBuf>) -> Root {
        self.recorder = Some(Recorder {
            dir,
            read: Mutex::new(Vec::new()),
            listed: Mutex::new(Vec::new()),
            errors: Mutex::new(Vec::new()),
            seen: Mutex::new(HashMap::new()),
        });
        self
    }

    /// The content recorded earlier in this recording for `rel`, when
    /// writing a fixture (see `Recorder::seen`).
    fn recorded(&self, rel: &str) -> Option<Vec<u8>> {
        let rec = self.recorder.as_ref()?;
        rec.dir.as_ref()?;
        lock(&rec.seen).get(rel).cloned()
    }

    /// The base directory.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// The full path of `rel` under the base.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.base.join(rel)
    }

    /// Relative paths of the files read so far, when recording.
    pub fn files_read(&self) -> Vec<String> {
        self.recorder
            .as_ref()
            .map(|r| lock(&r.read).clone())
            .unwrap_or_default()
    }

    /// Forgets the files read and directories listed so far, when
    /// recording, so that a trace can cover one later collection only.
    pub fn clear_trace(&self) {
        if let Some(rec) = &self.recorder {
            lock(&rec.read).clear();
            lock(&rec.listed).clear();
        }
    }

    /// Relative paths of the directories listed so far, when recording.
    pub fn dirs_listed(&self) -> Vec<String> {
        self.recorder
            .as_ref()
            .map(|r| lock(&r.listed).clone())
            .unwrap_or_default()
    }

    /// Problems writing the recording, when recording.
    pub fn recording_errors(&self) -> Vec<String> {
        self.recorder
            .as_ref()
            .map(|r| lock(&r.errors).clone())
            .unwrap_or_default()
    }

    fn record_file(&self, rel: &str, content: &[u8]) {
        let Some(rec) = &self.recorder else { return };
        lock(&rec.read).push(rel.to_string());
        let Some(dir) = &rec.dir else { return };
        lock(&rec.seen)
            .entry(rel.to_string())
            .or_insert_with(|| content.to_vec());
        let dest = dir.join(rel);
        let written = dest
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| fs::write(&dest, content));
        if let Err(e) = written {
            lock(&rec.errors).push(format!("writing {}: {e}", dest.display()));
        }
    }

    /// Removes `rel` from the recording, when recording: from the list of
    /// files read and from the fixture directory.
    fn unrecord_file(&self, rel: &str) {
        let Some(rec) = &self.recorder else { return };
        lock(&rec.read).retain(|f| f != rel);
        let Some(dir) = &rec.dir else { return };
        match fs::remove_file(dir.join(rel)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                lock(&rec.errors).push(format!("removing {}: {e}", dir.join(rel).display()));
            }
            _ => {}
        }
    }

    /// A [`CollectError::Parse`] for the file `rel` under this root.
    pub fn parse_error(&self, rel: &str, source: ParseError) -> CollectError {
        CollectError::Parse {
            path: self.path(rel).display().to_string(),
            source,
        }
    }

    /// Reads `rel` and parses it with `parse` into an owned value. The text
    /// is borrowed from the thread's read buffer, so nothing is allocated
    /// for it.
    ///
    /// Errors: the read fails or the file is not UTF-8
    /// ([`CollectError::Read`]), or the text does not parse
    /// ([`CollectError::Parse`] with the full path).
    pub fn read_parsed<T>(
        &self,
        rel: &str,
        parse: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Result<T, CollectError> {
        self.read_with(rel, |bytes| self.parse_bytes(rel, bytes, parse))?
    }

    /// Like [`Root::read_parsed`], but `Ok(None)` when the value is
    /// unavailable (see [`Root::read_optional`]).
    ///
    /// Errors: as [`Root::read_optional`], or the text does not parse.
    pub fn read_parsed_optional<T>(
        &self,
        rel: &str,
        parse: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Result<Option<T>, CollectError> {
        self.optional(rel, |bytes| self.parse_bytes(rel, bytes, parse))?
            .transpose()
    }

    /// `bytes` of the file `rel` as UTF-8 text, parsed by `parse`.
    fn parse_bytes<T>(
        &self,
        rel: &str,
        bytes: &[u8],
        parse: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Result<T, CollectError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => parse(text).map_err(|source| self.parse_error(rel, source)),
            Err(e) => Err(self.not_utf8(rel, e)),
        }
    }

    /// Reads all of `rel` and hands its bytes to `f`, as [`Root::read_with`];
    /// `None` when the value is unavailable ([`crate::sys::is_unavailable`]).
    /// The error, with its full path, is made only for a failure that is
    /// reported: files that are absent or have no value now (`speed` of a
    /// link that is down, `cpuinfo_cur_freq` where only root may read it)
    /// are asked for on every scrape.
    ///
    /// Errors: other I/O errors, as [`CollectError::Read`].
    fn optional<T>(
        &self,
        rel: &str,
        f: impl FnOnce(&[u8]) -> T,
    ) -> Result<Option<T>, CollectError> {
        match self.read_io(rel, f) {
            Ok(v) => Ok(Some(v)),
            Err(source) if crate::sys::is_unavailable(&source) => Ok(None),
            Err(source) => Err(self.read_error(rel, source)),
        }
    }

    /// A [`CollectError::Read`] for the file `rel` under this root.
    fn read_error(&self, rel: &str, source: io::Error) -> CollectError {
        CollectError::Read {
            path: self.path(rel),
            source,
        }
    }

    /// The error for a file that is not UTF-8, as [`fs::read_to_string`]
    /// gives it.
    fn not_utf8(&self, rel: &str, e: std::str::Utf8Error) -> CollectError {
        self.read_error(
            rel,
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("stream did not contain valid UTF-8: {e}"),
            ),
        )
    }

    /// Reads all of `rel` and hands its bytes to `f`: from a held file on a
    /// live root (see "Held files" in the module docs), else by opening it;
    /// recorded when recording.
    ///
    /// Errors: the open or a read fails, as [`CollectError::Read`] with the
    /// full path.
    fn read_with<T>(&self, rel: &str, f: impl FnOnce(&[u8]) -> T) -> Result<T, CollectError> {
        self.read_io(rel, f)
            .map_err(|source| self.read_error(rel, source))
    }

    /// [`Root::read_with`] with the bare I/O error.
    fn read_io<T>(&self, rel: &str, f: impl FnOnce(&[u8]) -> T) -> io::Result<T> {
        if let Some(bytes) = self.recorded(rel) {
            return Ok(f(&bytes));
        }
        with_read_buf(|buf| {
            let len = self.read_into(rel, buf)?;
            self.record_file(rel, &buf[..len]);
            Ok(f(&buf[..len]))
        })
    }

    /// Reads all of `rel` into `buf` and returns its length.
    fn read_into(&self, rel: &str, buf: &mut Vec<u8>) -> io::Result<usize> {
        let held = self.held.as_ref().filter(|_| Held::covers(rel));
        if let Some(held) = held {
            if let Some(file) = held.get(rel) {
                match read_all(buf, ReadKind::of(rel), |at, b| file.read_at(b, at)) {
                    Ok(len) => return Ok(len),
                    // The object is there but has no value now (a link
                    // that is down refuses `speed` with EINVAL, a thermal
                    // zone between readings EAGAIN): keep it. A removed
                    // object gives ENODEV instead.
                    Err(e) if is_value_unavailable(&e) => return Err(e),
                    // Gone, or not readable at an offset: open it anew below.
                    Err(_) => held.forget(rel),
                }
            }
        }
        let mut file = self.open(rel)?;
        let read = read_all(buf, ReadKind::of(rel), |_, b| file.read(b));
        if let Some(held) = held {
            if read.as_ref().is_ok() || read.as_ref().is_err_and(is_value_unavailable) {
                held.insert(rel, file);
            }
        }
        read
    }

    /// Runs `f` with the full path of `rel`, built in a buffer the thread
    /// keeps rather than a new `PathBuf` per file (a nested call gets a
    /// buffer of its own).
    fn with_path<T>(&self, rel: &str, f: impl FnOnce(&Path) -> T) -> T {
        thread_local! {
            static PATH: RefCell<PathBuf> = RefCell::new(PathBuf::with_capacity(256));
        }
        PATH.with(|buf| {
            let mut path = buf.take();
            path.clear();
            path.push(&self.base);
            path.push(rel);
            let out = f(&path);
            *buf.borrow_mut() = path;
            out
        })
    }

    /// Opens `rel` for reading (see [`Root::with_path`]).
    fn open(&self, rel: &str) -> io::Result<File> {
        self.with_path(rel, |p| File::open(p))
    }

    /// Reads `rel` as text.
    ///
    /// Errors: any I/O error, or content that is not UTF-8, as
    /// [`CollectError::Read`] with the full path.
    pub fn read(&self, rel: &str) -> Result<String, CollectError> {
        self.read_parsed(rel, |text| Ok(text.to_string()))
    }

    /// Reads `rel` as text, or `None` when the value is not available (see
    /// [`crate::sys::is_unavailable`]: missing file, `EAGAIN`, `ENODATA`, `EINVAL`).
    ///
    /// Errors: other I/O errors (`EACCES`, `EIO`), as [`CollectError::Read`].
    pub fn read_optional(&self, rel: &str) -> Result<Option<String>, CollectError> {
        self.read_parsed_optional(rel, |text| Ok(text.to_string()))
    }

    /// Reads `rel` as bytes: binary files such as device-tree properties
    /// (`/proc/device-tree/chosen/power/max_current`, a big-endian u32).
    ///
    /// Errors: any I/O error, as [`CollectError::Read`] with the full path.
    pub fn read_bytes(&self, rel: &str) -> Result<Vec<u8>, CollectError> {
        self.read_with(rel, <[u8]>::to_vec)
    }

    /// Like [`Root::read_bytes`], but `None` when the value is not available
    /// (as [`Root::read_optional`]).
    ///
    /// Errors: other I/O errors (`EACCES`, `EIO`), as [`CollectError::Read`].
    pub fn read_bytes_optional(&self, rel: &str) -> Result<Option<Vec<u8>>, CollectError> {
        self.optional(rel, <[u8]>::to_vec)
    }

    /// Names of the entries of directory `rel`, sorted.
    ///
    /// Errors: the directory cannot be listed, as [`CollectError::Read`].
    pub fn read_dir(&self, rel: &str) -> Result<Vec<String>, CollectError> {
        self.list(rel)
            .map_err(|source| self.read_error(rel, source))
    }

    /// [`Root::read_dir`] with the bare I/O error.
    fn list(&self, rel: &str) -> io::Result<Vec<String>> {
        let mut names = self.with_path(rel, crate::sys::list_dir)?;
        names.sort();
        if let Some(rec) = &self.recorder {
            lock(&rec.listed).push(rel.to_string());
        }
        if let Some(held) = &self.held {
            held.listed(rel, &names);
        }
        Ok(names)
    }

    /// Like [`Root::read_dir`], but an empty list when the directory does not
    /// exist (a host without thermal zones, say).
    ///
    /// Errors: other I/O errors, as [`CollectError::Read`].
    pub fn read_dir_optional(&self, rel: &str) -> Result<Vec<String>, CollectError> {
        match self.list(rel) {
            Ok(names) => Ok(names),
            Err(source) if crate::sys::is_unavailable(&source) => Ok(Vec::new()),
            Err(source) => Err(self.read_error(rel, source)),
        }
    }

    /// Makes sure the files held under directory `dir` (see "Held files" in
    /// the module docs) still belong to the object that `dir` names: once
    /// per collection, `stat(2)` on `dir` (following the symlinks of
    /// `/sys/class/net`), and every file held under `dir` dropped when its
    /// device and inode number differ from last time. A no-op on a replayed
    /// root, which holds nothing.
    ///
    /// sysfs gives every directory it creates a new inode number (kernfs
    /// `kernfs_new_node`: an id from an IDR, with a generation count in its
    /// upper 32 bits on 64-bit kernels), so an interface that was removed
    /// and created again, or another interface renamed to this name, shows
    /// another number; a renamed directory keeps its own. One `stat` does
    /// what reading `ifindex` with a fresh `open` did in five system calls.
    ///
    /// A failed `stat` drops them too, and is otherwise ignored: the reads
    /// that follow report it.
    pub fn check_identity(&self, dir: &str) {
        if let Some(held) = &self.held {
            self.identify(held, dir);
        }
    }

    /// Whether `dir` is a directory, following symlinks (an interface in
    /// `/sys/class/net`, not `bonding_masters` beside them), with
    /// [`Root::check_identity`] done by the same `stat` on a live root.
    pub fn is_dir_identified(&self, dir: &str) -> bool {
        match &self.held {
            Some(held) => self.identify(held, dir).is_some_and(|i| i.is_dir),
            None => self.with_path(dir, Path::is_dir),
        }
    }

    /// [`Root::check_identity`]: `dir`'s identity, from this collection's
    /// check or a new `stat` (`None`: it failed).
    fn identify(&self, held: &Held, dir: &str) -> Option<Identity> {
        use std::os::unix::fs::MetadataExt as _;
        if let Some(identity) = held.identified_in_this_collection(dir) {
            return Some(identity);
        }
        let now = self
            .with_path(dir, |p| fs::metadata(p))
            .ok()
            .map(|m| Identity {
                dev: m.dev(),
                ino: m.ino(),
                is_dir: m.is_dir(),
            });
        held.identified(dir, now);
        now
    }

    /// Marks the end of one collection: a held file (see "Held files" in the
    /// module docs) not read in this collection or the one before is
    /// closed. The exporter calls it after every collection; a no-op on a
    /// replayed root.
    pub fn end_collection(&self) {
        if let Some(held) = &self.held {
            held.end_collection();
        }
    }

    /// How many kernel files this root holds open (see "Held files" in the
    /// module docs); 0 on a replayed root.
    pub fn held_files(&self) -> usize {
        self.held.as_ref().map_or(0, |h| lock(&h.files).len())
    }

    /// Whether this root is the running host rather than a replayed fixture.
    pub fn is_live(&self) -> bool {
        matches!(self.gpu, Gpu::Live { .. })
    }

    /// Whether `rel` is a regular file (following symlinks): `bonding_masters`
    /// beside the interfaces in `/sys/class/net`, say.
    pub fn is_file(&self, rel: &str) -> bool {
        self.with_path(rel, Path::is_file)
    }

    /// The target of the symlink `rel` with every link resolved
    /// (`realpath(3)`), or `None` when it is not there or dangles. Used to
    /// name hwmon chips after their `device` link as node_exporter does.
    pub fn real_path(&self, rel: &str) -> Option<PathBuf> {
        fs::canonicalize(self.path(rel)).ok()
    }

    /// Whether `rel` is a directory (following symlinks, as sysfs's
    /// `device` links must be followed). When recording, the directory is
    /// recreated with its `uevent` file, since git keeps no empty directory.
    pub fn is_dir(&self, rel: &str) -> bool {
        let is_dir = self.with_path(rel, Path::is_dir);
        let writing = self.recorder.as_ref().is_some_and(|r| r.dir.is_some());
        if is_dir && writing {
            let uevent = format!("{rel}/uevent");
            let content = fs::read(self.path(&uevent)).unwrap_or_default();
            self.record_file(&uevent, &content);
        }
        is_dir
    }

    /// Filesystem figures of `mountpoint` (an absolute path such as `/`):
    /// `statvfs(3)` under the base when live, the recorded `statvfs` file
    /// when replaying.
    ///
    /// Errors: the call fails, or the recording lacks or garbles the line.
    pub fn statvfs(&self, mountpoint: &str) -> Result<StatVfs, CollectError> {
        let stat = match self.gpu {
            Gpu::Live { .. } => {
                let path = self.base.join(mountpoint.trim_start_matches('/'));
                crate::sys::statvfs(&path).map_err(|source| CollectError::Read { path, source })?
            }
            Gpu::Replay => {
                let found = self.read_parsed(STATVFS_FILE, |text| {
                    let records = parse::statvfs::parse(text)?;
                    Ok(records
                        .into_iter()
                        .find(|r| r.mountpoint == mountpoint)
                        .map(|r| r.stat))
                })?;
                found.ok_or_else(|| {
                    CollectError::NoData(format!(
                        "{} has no line for mount point {mountpoint}",
                        self.path(STATVFS_FILE).display()
                    ))
                })?
            }
        };
        if let Some(rec) = &self.recorder {
            if let Some(dir) = &rec.dir {
                append_statvfs(rec, dir, mountpoint, &stat);
            }
        }
        Ok(stat)
    }

    /// Whether this root has an `nvidia-smi` to ask: a binary was given or
    /// found (live), or the fixture has an `nvidia-smi/` directory (replay).
    pub fn has_nvidia_smi(&self) -> bool {
        match &self.gpu {
            Gpu::Live { nvidia_smi, .. } => nvidia_smi.is_some(),
            Gpu::Replay => self.path(NVIDIA_SMI_DIR).is_dir(),
        }
    }

    /// Where the output of `query` comes from, for messages: the binary
    /// (live) or the recorded file (replay).
    pub fn nvidia_smi_origin(&self, query: NvidiaSmiQuery) -> String {
        match &self.gpu {
            Gpu::Live {
                nvidia_smi: Some(bin),
                ..
            } => bin.display().to_string(),
            Gpu::Live {
                nvidia_smi: None, ..
            } => "nvidia-smi".to_string(),
            Gpu::Replay => self.path(query.file()).display().to_string(),
        }
    }

    /// Runs `nvidia-smi <args>` (live), which makes the query `query`, or
    /// reads that query's recorded output (replay), and returns stdout. When
    /// recording, the output goes to `query`'s file, a failure to its error
    /// file.
    ///
    /// Errors: the command fails, hangs past the deadline, prints non-UTF-8,
    /// or (replay) the recording holds a failure or cannot be read.
    pub fn nvidia_smi(&self, query: NvidiaSmiQuery, args: &[&str]) -> Result<String, CollectError> {
        let result = match &self.gpu {
            Gpu::Live {
                nvidia_smi: Some(bin),
                timeout,
            } => command::run(bin, args, *timeout).map_err(CollectError::Command),
            Gpu::Live {
                nvidia_smi: None, ..
            } => Err(CollectError::NoData(
                "no nvidia-smi binary on this host".to_string(),
            )),
            Gpu::Replay => match self.read_optional(query.error_file())? {
                Some(message) => Err(CollectError::Command(CommandError {
                    command: format!(
                        "nvidia-smi (recorded in {})",
                        self.path(query.error_file()).display()
                    ),
                    kind: CommandErrorKind::Recorded(message.trim().to_string()),
                })),
                None => return self.read(query.file()),
            },
        };
        // A recording keeps the last outcome only: a failure recorded by an
        // earlier call (at start-up, say) must not shadow a later success
        // on replay, nor the reverse.
        match &result {
            Ok(out) => {
                self.unrecord_file(query.error_file());
                self.record_file(query.file(), out.as_bytes());
            }
            Err(e) => {
                self.unrecord_file(query.file());
                self.record_file(query.error_file(), format!("{e}\n").as_bytes());
            }
        }
        result
    }
}

/// Appends the `statvfs` line of `mountpoint` to the fixture in `dir`.
fn append_statvfs(rec: &Recorder, dir: &Path, mountpoint: &str, s: &StatVfs) {
    let dest = dir.join(STATVFS_FILE);
    let new = !dest.exists();
    let result = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&dest)
        .and_then(|mut f| {
            if new {
                writeln!(
                    f,
                    "# mountpoint f_bsize f_frsize f_blocks f_bfree f_bavail f_files f_ffree"
                )?;
            }
            writeln!(
                f,
                "{} {} {} {} {} {} {} {}",
                parse::statvfs::escape(mountpoint),
                s.bsize,
                s.frsize,
                s.blocks,
                s.bfree,
                s.bavail,
                s.files,
                s.ffree
            )
        });
    if let Err(e) = result {
        lock(&rec.errors).push(format!("writing {}: {e}", dest.display()));
    }
}

/// `dir/name`, the relative path of a file in a directory, with one
/// allocation of the exact size: collectors build hundreds per scrape, and
/// `format!` costs several times more.
pub fn join(dir: &str, name: &str) -> String {
    let mut path = String::with_capacity(dir.len() + 1 + name.len());
    path.push_str(dir);
    path.push('/');
    path.push_str(name);
    path
}

/// A directory's relative path with room for a file name after it: a
/// collector reading many files of one directory (`cpuN/cpufreq/*`,
/// `sys/class/net/<iface>/*`) builds each `dir/name` in one buffer instead
/// of allocating a path per file.
///
/// ```
/// use dgx_spark_exporter::root::DirPath;
/// let mut dir = DirPath::new("sys/class/net/eth0");
/// assert_eq!(dir.file("mtu"), "sys/class/net/eth0/mtu");
/// assert_eq!(dir.file("speed"), "sys/class/net/eth0/speed");
/// assert_eq!(dir.dir(), "sys/class/net/eth0");
/// ```
#[derive(Debug, Clone)]
pub struct DirPath {
    buf: String,
    dir_len: usize,
}

impl DirPath {
    /// The directory `dir` (relative to the root, no trailing `/`).
    pub fn new(dir: &str) -> DirPath {
        let mut buf = String::with_capacity(dir.len() + 32);
        buf.push_str(dir);
        DirPath {
            dir_len: buf.len(),
            buf,
        }
    }

    /// The directory made of `parts` joined with `/`, without a `format!`
    /// first.
    ///
    /// ```
    /// # use dgx_spark_exporter::root::DirPath;
    /// let mut dir = DirPath::of(&["sys/devices/system/cpu", "cpu3", "cpufreq"]);
    /// assert_eq!(dir.file("scaling_cur_freq"), "sys/devices/system/cpu/cpu3/cpufreq/scaling_cur_freq");
    /// ```
    pub fn of(parts: &[&str]) -> DirPath {
        let len = parts.iter().map(|p| p.len() + 1).sum::<usize>();
        let mut buf = String::with_capacity(len + 32);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                buf.push('/');
            }
            buf.push_str(part);
        }
        DirPath {
            dir_len: buf.len(),
            buf,
        }
    }

    /// The directory itself.
    pub fn dir(&self) -> &str {
        &self.buf[..self.dir_len]
    }

    /// `dir/name`, valid until the next call.
    pub fn file(&mut self, name: &str) -> &str {
        self.buf.truncate(self.dir_len);
        self.buf.push('/');
        self.buf.push_str(name);
        &self.buf
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
/// Every mutex of the program goes through here; none guards data that a
/// panic could leave half-updated (each change is one assignment, insert
/// or removal), so a panic in one scrape does not stop the next.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Directory of the recorded NVMe log pages in a fixture: one
/// `nvme/<controller>/` per controller (`nvme/nvme0/`).
pub const NVME_DIR: &str = "nvme";
/// A controller's recorded SMART / Health Information log page in its
/// `nvme/<controller>/` directory: the 512 raw bytes the ioctl returned.
pub const NVME_SMART_LOG_FILE: &str = "smart-log.bin";
/// A controller's recorded failure to read that page, in its
/// `nvme/<controller>/` directory: one line `<errno> <message>` (errno 0
/// when the failure had none, such as an NVMe status).
pub const NVME_SMART_LOG_ERROR_FILE: &str = "smart-log.error";

impl Root {
    /// Reads the SMART / Health Information log page of NVMe controller
    /// `ctrl` (a name from `/sys/class/nvme`, `nvme0`) and parses it with
    /// `parse`. Live: the admin ioctl on `<base>/dev/<ctrl>`
    /// ([`crate::sys::nvme_smart_log`]). Replay: the recorded
    /// `nvme/<ctrl>/smart-log.bin`, or the failure recorded in
    /// `nvme/<ctrl>/smart-log.error`, which wins when both exist (as a
    /// recorded `nvidia-smi` failure does). Recording writes the one of the
    /// two that the live read produced.
    ///
    /// Errors: [`CollectError::Read`] with the device path and the `errno`
    /// (live, or a replayed recorded failure, so a recorded `EACCES` replays
    /// as permission denied), or with the recording's path when it is
    /// missing; [`CollectError::Parse`] naming the device or recording path
    /// when `parse` rejects the bytes.
    pub fn nvme_smart_log<T>(
        &self,
        ctrl: &str,
        parse: impl FnOnce(&[u8]) -> Result<T, ParseError>,
    ) -> Result<T, CollectError> {
        let dev = format!("dev/{ctrl}");
        let bin = format!("{NVME_DIR}/{ctrl}/{NVME_SMART_LOG_FILE}");
        let error_file = format!("{NVME_DIR}/{ctrl}/{NVME_SMART_LOG_ERROR_FILE}");
        let (page, rel) = match self.gpu {
            Gpu::Live { .. } => {
                let path = self.path(&dev);
                match crate::sys::nvme_smart_log(&path) {
                    Ok(page) => {
                        self.record_file(&bin, &page);
                        (page.to_vec(), dev)
                    }
                    Err(source) => {
                        let errno = source.raw_os_error().unwrap_or(0);
                        self.record_file(&error_file, format!("{errno} {source}\n").as_bytes());
                        return Err(CollectError::Read { path, source });
                    }
                }
            }
            Gpu::Replay => {
                if let Some(line) = self.read_optional(&error_file)? {
                    return Err(CollectError::Read {
                        path: self.path(&dev),
                        source: recorded_io_error(&line),
                    });
                }
                let path = self.path(&bin);
                let page = fs::read(&path).map_err(|source| CollectError::Read { path, source })?;
                self.record_file(&bin, &page);
                (page, bin)
            }
        };
        parse(&page).map_err(|source| self.parse_error(&rel, source))
    }
}

/// The [`io::Error`] of a recorded `<errno> <message>` line: that `errno`
/// when it is a positive number, else the message as an `Other` error.
fn recorded_io_error(line: &str) -> io::Error {
    let line = line.trim();
    let (code, message) = line.split_once(' ').unwrap_or((line, ""));
    match code.parse::<i32>() {
        Ok(errno) if errno > 0 => io::Error::from_raw_os_error(errno),
        _ if message.is_empty() => io::Error::other(line.to_string()),
        _ => io::Error::other(message.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        crate::testutil::tmp_dir(&format!("root-{name}"))
    }

    /// Reads `content` through [`read_all`] as `kind`, from a file that
    /// answers each read with at most `per_read` bytes; returns what was
    /// read and the size of each request.
    fn read_as(kind: ReadKind, content: &[u8], per_read: usize) -> (Vec<u8>, Vec<usize>) {
        let mut requests = Vec::new();
        let mut buf = Vec::new();
        let len = read_all(&mut buf, kind, |at, b| {
            requests.push(b.len());
            let at = (at as usize).min(content.len());
            let n = b.len().min(per_read).min(content.len() - at);
            b[..n].copy_from_slice(&content[at..at + n]);
            Ok(n)
        })
        .unwrap();
        (buf[..len].to_vec(), requests)
    }

    #[test]
    fn a_sysfs_value_shorter_than_a_page_is_read_in_one_call() {
        assert_eq!(ReadKind::of("sys/class/net/eth0/mtu"), ReadKind::Sysfs);
        assert_eq!(ReadKind::of("sys/fs/cgroup/cgroup.procs"), ReadKind::Other);
        assert_eq!(ReadKind::of("sys/kernel/debug/x"), ReadKind::Other);
        assert_eq!(ReadKind::of("proc/sys/kernel/hostname"), ReadKind::Sysctl);
        assert_eq!(ReadKind::of("proc/meminfo"), ReadKind::Other);
        let (got, requests) = read_as(ReadKind::Sysfs, b"1500\n", 4096);
        assert_eq!((got.as_slice(), requests.len()), (&b"1500\n"[..], 1));
        // A page or more: read on to the end, a page per read (a binary
        // attribute).
        let long = vec![b'x'; 4096 + 100];
        let (got, requests) = read_as(ReadKind::Sysfs, &long, 4096);
        assert_eq!((got, requests.len()), (long, 3));
        // An empty value: the one read said so.
        assert_eq!(read_as(ReadKind::Sysfs, b"", 4096).1.len(), 1);
    }

    #[test]
    fn a_sysctl_is_asked_for_a_kilobyte_at_a_time() {
        let (got, requests) = read_as(ReadKind::Sysctl, b"spark-01\n", usize::MAX);
        assert_eq!(
            (got.as_slice(), requests),
            (&b"spark-01\n"[..], vec![SYSCTL_REQUEST])
        );
        let long: Vec<u8> = (0..2500).map(|i| b'a' + (i % 26) as u8).collect();
        let (got, requests) = read_as(ReadKind::Sysctl, &long, usize::MAX);
        assert_eq!(got, long);
        assert_eq!(requests, vec![SYSCTL_REQUEST; 3]);
    }

    #[test]
    fn a_proc_file_is_read_until_a_read_returns_nothing() {
        // A seq file answers a page or so per read, and less than that
        // before its end when the next record does not fit.
        let content: Vec<u8> = (0..9000).map(|i| b'0' + (i % 10) as u8).collect();
        let (got, requests) = read_as(ReadKind::Other, &content, 4000);
        assert_eq!(got, content);
        assert_eq!(requests.len(), 4, "three with data, one that returns 0");
        let (_, requests) = read_as(ReadKind::Other, b"1 2 3\n", 4000);
        assert_eq!(requests.len(), 2);
    }

    /// A live root on a temporary tree, whose `sys/` files are held as
    /// the kernel's would be.
    fn live(d: &Path) -> Root {
        Root::live(d, None, Duration::ZERO)
    }

    /// Replaces `path` with a new file (a new inode), as a held file of a
    /// regular filesystem does not see.
    fn replace(path: &Path, content: &str) {
        let new = path.with_extension("new");
        fs::write(&new, content).unwrap();
        fs::rename(&new, path).unwrap();
    }

    #[test]
    fn a_held_file_is_read_again_from_the_start_and_sees_a_shorter_value() {
        let d = tmp("held-reread");
        fs::create_dir_all(d.join("sys/a")).unwrap();
        fs::write(d.join("sys/a/v"), "123456\n").unwrap();
        let root = live(&d);
        assert_eq!(root.read("sys/a/v").unwrap(), "123456\n");
        assert_eq!(root.held_files(), 1);
        // Rewritten in place (same inode), as a kernel attribute changes.
        fs::write(d.join("sys/a/v"), "7\n").unwrap();
        assert_eq!(root.read("sys/a/v").unwrap(), "7\n");
        assert_eq!(root.read_parsed("sys/a/v", |t| Ok(t.len())).unwrap(), 2);
    }

    #[test]
    fn only_kernel_files_of_a_live_root_are_held() {
        let d = tmp("held-which");
        for f in ["sys/v", "proc/v", "statvfs", "var/v"] {
            fs::create_dir_all(d.join(f).parent().unwrap()).unwrap();
            fs::write(d.join(f), "1\n").unwrap();
        }
        let root = live(&d);
        for f in ["sys/v", "proc/v", "statvfs", "var/v"] {
            root.read(f).unwrap();
        }
        assert_eq!(root.held_files(), 2, "sys/ and proc/ only");
        let replay = Root::replay(&d);
        replay.read("sys/v").unwrap();
        assert_eq!(replay.held_files(), 0, "a fixture is opened anew each time");
    }

    #[test]
    fn a_changed_listing_drops_the_files_held_under_the_directory() {
        let d = tmp("held-listing");
        fs::create_dir_all(d.join("sys/class/net/eth0")).unwrap();
        fs::write(d.join("sys/class/net/eth0/mtu"), "1500\n").unwrap();
        let root = live(&d);
        assert_eq!(root.read_dir("sys/class/net").unwrap(), ["eth0"]);
        assert_eq!(root.read("sys/class/net/eth0/mtu").unwrap(), "1500\n");
        // A new file at the same path: the held one still reads the old.
        replace(&d.join("sys/class/net/eth0/mtu"), "9000\n");
        assert_eq!(root.read_dir("sys/class/net").unwrap(), ["eth0"]);
        assert_eq!(root.read("sys/class/net/eth0/mtu").unwrap(), "1500\n");
        // Once the listing changes, the path is opened anew.
        fs::create_dir_all(d.join("sys/class/net/eth1")).unwrap();
        assert_eq!(root.read_dir("sys/class/net").unwrap(), ["eth0", "eth1"]);
        assert_eq!(root.held_files(), 0);
        assert_eq!(root.read("sys/class/net/eth0/mtu").unwrap(), "9000\n");
    }

    #[test]
    fn a_changed_identity_drops_the_files_held_under_the_directory() {
        // Two interfaces swapping names leave the listing as it was; the
        // directory under the name is another one.
        let d = tmp("held-identity");
        let net = d.join("sys/class/net");
        let eth0 = net.join("eth0");
        for (name, mtu) in [("eth0", "1500\n"), ("eth1", "9000\n")] {
            fs::create_dir_all(net.join(name)).unwrap();
            fs::write(net.join(name).join("mtu"), mtu).unwrap();
        }
        let root = live(&d);
        root.check_identity("sys/class/net/eth0");
        assert_eq!(root.read("sys/class/net/eth0/mtu").unwrap(), "1500\n");
        // Another file at the same path: the held one still reads the old.
        replace(&eth0.join("mtu"), "1280\n");
        root.end_collection();
        root.check_identity("sys/class/net/eth0");
        assert_eq!(root.read("sys/class/net/eth0/mtu").unwrap(), "1500\n");
        // The names swap.
        fs::rename(net.join("eth0"), net.join("tmp")).unwrap();
        fs::rename(net.join("eth1"), net.join("eth0")).unwrap();
        fs::rename(net.join("tmp"), net.join("eth1")).unwrap();
        // Checked once per collection: a second check in the same one (a
        // second collector reading the interface) looks at nothing.
        root.check_identity("sys/class/net/eth0");
        assert_eq!(root.read("sys/class/net/eth0/mtu").unwrap(), "1500\n");
        root.end_collection();
        root.check_identity("sys/class/net/eth0");
        assert_eq!(root.read("sys/class/net/eth0/mtu").unwrap(), "9000\n");
        // The same directory, checked again, keeps its files.
        replace(&eth0.join("mtu"), "4000\n");
        root.end_collection();
        root.check_identity("sys/class/net/eth0");
        assert_eq!(root.read("sys/class/net/eth0/mtu").unwrap(), "9000\n");
        // A directory that cannot be looked at drops them too.
        let aside = net.join("aside");
        fs::rename(&eth0, &aside).unwrap();
        root.end_collection();
        root.check_identity("sys/class/net/eth0");
        fs::rename(&aside, &eth0).unwrap();
        assert_eq!(root.read("sys/class/net/eth0/mtu").unwrap(), "4000\n");
    }

    #[test]
    fn is_dir_identified_tells_interfaces_from_files_beside_them() {
        let d = tmp("held-is-dir");
        let net = d.join("sys/class/net");
        fs::create_dir_all(net.join("eth0")).unwrap();
        fs::write(net.join("bonding_masters"), "\n").unwrap();
        for root in [live(&d), Root::replay(&d)] {
            // Checked first by another collector in the same collection.
            root.check_identity("sys/class/net/bonding_masters");
            root.check_identity("sys/class/net/eth0");
            assert!(!root.is_dir_identified("sys/class/net/bonding_masters"));
            assert!(root.is_dir_identified("sys/class/net/eth0"));
            assert!(!root.is_dir_identified("sys/class/net/gone"));
            root.end_collection();
            assert!(!root.is_dir_identified("sys/class/net/bonding_masters"));
            assert!(root.is_dir_identified("sys/class/net/eth0"));
        }
    }

    #[test]
    fn a_held_file_unread_for_two_collections_is_closed() {
        let d = tmp("held-sweep");
        fs::create_dir_all(d.join("sys")).unwrap();
        fs::write(d.join("sys/kept"), "1\n").unwrap();
        fs::write(d.join("sys/once"), "1\n").unwrap();
        let root = live(&d);
        root.read("sys/once").unwrap();
        for _ in 0..3 {
            root.read("sys/kept").unwrap();
            root.end_collection();
        }
        assert_eq!(root.held_files(), 1, "only the file read every collection");
        replace(&d.join("sys/once"), "2\n");
        assert_eq!(root.read("sys/once").unwrap(), "2\n", "opened anew");
    }

    #[test]
    fn a_held_file_whose_object_is_gone_is_opened_anew_and_its_error_reported() {
        // /proc/<pid>/stat of a process that has been reaped fails on read
        // (ESRCH), as a removed sysfs attribute does (ENODEV); the path
        // itself is then gone.
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let rel = format!("proc/{}/stat", child.id());
        let root = Root::live("/", None, Duration::ZERO);
        assert!(root.read(&rel).unwrap().contains("(sleep)"));
        assert_eq!(root.held_files(), 1);
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(
            root.read_optional(&rel).unwrap(),
            None,
            "missing, as on a new open"
        );
        assert_eq!(root.held_files(), 0);
    }

    #[test]
    fn a_kernel_file_without_a_value_now_stays_held() {
        // The loopback interface has no link speed: reading `speed` fails
        // with EINVAL, on every read, while the file stays there.
        let root = Root::live("/", None, Duration::ZERO);
        let rel = "sys/class/net/lo/speed";
        if !root.path(rel).exists() {
            eprintln!("skipped: no {rel} on this host");
            return;
        }
        for _ in 0..2 {
            let e = root.read(rel).unwrap_err();
            assert!(
                matches!(&e, CollectError::Read { source, .. }
                if source.kind() == io::ErrorKind::InvalidInput),
                "{e}"
            );
            assert_eq!(root.read_optional(rel).unwrap(), None);
            assert_eq!(root.held_files(), 1, "kept open: the object is there");
        }
    }

    #[test]
    fn a_held_kernel_file_gives_fresh_content_on_every_read() {
        // /proc/self/stat field 10 (minflt) grows when new pages are
        // touched; the held file must show it, not what its open saw.
        let root = Root::live("/", None, Duration::ZERO);
        let minflt = || {
            let text = root.read("proc/self/stat").unwrap();
            let after = text.rsplit_once(')').unwrap().1;
            after
                .split_whitespace()
                .nth(7)
                .unwrap()
                .parse::<u64>()
                .unwrap()
        };
        let before = minflt();
        assert_eq!(root.held_files(), 1);
        let pages: Vec<u8> = vec![1; 8 << 20];
        std::hint::black_box(&pages);
        assert!(minflt() > before, "a held file read again shows new faults");
    }

    #[test]
    fn an_error_made_again_reads_the_same() {
        let d = tmp("again");
        fs::write(d.join("bad"), "x\n").unwrap();
        let root = Root::replay(&d);
        let errors = [
            root.read("missing").unwrap_err(),
            root.read_parsed("bad", |t| {
                Err::<(), _>(ParseError::new("number", 1, "digits", t))
            })
            .unwrap_err(),
            root.read_error("bad", io::Error::other("no reading")),
            CollectError::NoData("nothing there".into()),
            CollectError::Other("something else".into()),
        ];
        for e in errors {
            let again = e.again();
            assert_eq!(again.to_string(), e.to_string());
            assert_eq!(
                std::mem::discriminant(&again),
                std::mem::discriminant(&e),
                "{e}"
            );
            if let (CollectError::Read { source: a, .. }, CollectError::Read { source: b, .. }) =
                (&again, &e)
            {
                assert_eq!(a.kind(), b.kind());
                assert_eq!(a.raw_os_error(), b.raw_os_error());
            }
        }
    }

    #[test]
    fn optional_read_maps_missing_to_none() {
        let d = tmp("opt");
        fs::write(d.join("a"), "1\n").unwrap();
        let root = Root::replay(&d);
        assert_eq!(root.read_optional("a").unwrap().as_deref(), Some("1\n"));
        assert_eq!(root.read_optional("b").unwrap(), None);
        let e = root.read("b").unwrap_err().to_string();
        assert!(e.contains(&d.join("b").display().to_string()), "{e}");
    }

    #[test]
    fn binary_reads_keep_every_byte_and_map_missing_to_none() {
        let d = tmp("bytes");
        fs::write(d.join("cell"), [0x00, 0x00, 0x13, 0x88]).unwrap();
        let root = Root::replay(&d);
        assert_eq!(root.read_bytes("cell").unwrap(), [0x00, 0x00, 0x13, 0x88]);
        assert!(root.read("cell").is_err(), "not UTF-8, so not text");
        assert_eq!(root.read_bytes_optional("none").unwrap(), None);
        assert!(root.read_bytes("none").is_err());
    }

    #[test]
    fn replayed_statvfs_and_missing_mount_point() {
        let d = tmp("statvfs");
        fs::write(d.join(STATVFS_FILE), "/ 4096 4096 10 6 5 100 90\n").unwrap();
        let root = Root::replay(&d);
        assert_eq!(root.statvfs("/").unwrap().bavail, 5);
        assert!(matches!(
            root.statvfs("/home"),
            Err(CollectError::NoData(_))
        ));
    }

    #[test]
    fn recording_copies_reads_statvfs_and_command_output() {
        let src = tmp("rec-src");
        let dst = tmp("rec-dst");
        fs::create_dir_all(src.join("proc")).unwrap();
        fs::write(src.join("proc/x"), "42\n").unwrap();
        fs::create_dir_all(src.join("dev0")).unwrap();
        fs::write(src.join("dev0/uevent"), "DRIVER=x\n").unwrap();
        let root = Root::live(
            &src,
            Some(PathBuf::from("/bin/echo")),
            Duration::from_secs(5),
        )
        .recording(Some(dst.clone()));
        root.read("proc/x").unwrap();
        assert!(root.is_dir("dev0"));
        root.statvfs("/").unwrap();
        root.nvidia_smi(NvidiaSmiQuery::Gpu, &["0, GPU"]).unwrap();
        root.nvidia_smi(NvidiaSmiQuery::ComputeApps, &["gpu_uuid"])
            .unwrap();
        assert_eq!(
            root.files_read(),
            [
                "proc/x",
                "dev0/uevent",
                QUERY_GPU_FILE,
                QUERY_COMPUTE_APPS_FILE
            ]
        );
        assert!(root.recording_errors().is_empty());

        let replay = Root::replay(&dst);
        assert_eq!(replay.read("proc/x").unwrap(), "42\n");
        assert!(replay.is_dir("dev0"));
        assert!(replay.has_nvidia_smi());
        assert_eq!(
            replay.nvidia_smi(NvidiaSmiQuery::Gpu, &[]).unwrap(),
            "0, GPU\n"
        );
        assert_eq!(
            replay.nvidia_smi(NvidiaSmiQuery::ComputeApps, &[]).unwrap(),
            "gpu_uuid\n"
        );
        let live = crate::sys::statvfs(&src).unwrap();
        assert_eq!(replay.statvfs("/").unwrap().blocks, live.blocks);
    }

    #[test]
    fn a_recording_keeps_only_the_last_outcome_of_a_query() {
        let src = tmp("rec-last-src");
        let dst = tmp("rec-last-dst");
        let script = src.join("smi");
        // Fails on its first run, succeeds on the second.
        fs::write(
            &script,
            format!(
                "#!/bin/sh\nif [ -e {m} ]; then echo ok; else touch {m}; exit 9; fi\n",
                m = src.join("ran").display()
            ),
        )
        .unwrap();
        fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let root =
            Root::live(&src, Some(script), Duration::from_secs(5)).recording(Some(dst.clone()));
        assert!(root.nvidia_smi(NvidiaSmiQuery::ComputeApps, &[]).is_err());
        assert!(dst.join(QUERY_COMPUTE_APPS_ERROR_FILE).exists());
        assert_eq!(
            root.nvidia_smi(NvidiaSmiQuery::ComputeApps, &[]).unwrap(),
            "ok\n"
        );
        assert!(!dst.join(QUERY_COMPUTE_APPS_ERROR_FILE).exists());
        assert_eq!(root.files_read(), [QUERY_COMPUTE_APPS_FILE]);
        assert!(root.recording_errors().is_empty());
        assert_eq!(
            Root::replay(&dst)
                .nvidia_smi(NvidiaSmiQuery::ComputeApps, &[])
                .unwrap(),
            "ok\n"
        );
    }

    #[test]
    fn a_recording_serves_the_first_read_of_a_file_to_later_reads() {
        // Regression: /proc/stat changed between the cpu and stat
        // collectors' reads on a busy host, the fixture kept one content,
        // and the replay differed from the recorded exposition.
        let src = tmp("rec-twice-src");
        let dst = tmp("rec-twice-dst");
        fs::write(src.join("x"), "1\n").unwrap();
        let root = Root::live(&src, None, Duration::from_secs(5)).recording(Some(dst.clone()));
        assert_eq!(root.read("x").unwrap(), "1\n");
        fs::write(src.join("x"), "2\n").unwrap();
        assert_eq!(root.read("x").unwrap(), "1\n");
        assert_eq!(root.read_bytes("x").unwrap(), b"1\n");
        assert_eq!(Root::replay(&dst).read("x").unwrap(), "1\n");
        // A root that only traces (the bench's) reads afresh each time.
        let trace = Root::live(&src, None, Duration::from_secs(5)).recording(None);
        assert_eq!(trace.read("x").unwrap(), "2\n");
    }

    #[test]
    fn recorded_command_failure_replays_as_failure() {
        let d = tmp("rec-fail");
        fs::create_dir_all(d.join(NVIDIA_SMI_DIR)).unwrap();
        fs::write(d.join(QUERY_GPU_FILE), "index\n").unwrap();
        fs::write(d.join(QUERY_COMPUTE_APPS_ERROR_FILE), "exited with 9\n").unwrap();
        let root = Root::replay(&d);
        let e = root
            .nvidia_smi(NvidiaSmiQuery::ComputeApps, &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("exited with 9"), "{e}");
        assert!(e.contains("query-compute-apps.error"), "{e}");
        assert_eq!(
            root.nvidia_smi(NvidiaSmiQuery::Gpu, &[]).unwrap(),
            "index\n"
        );
        fs::write(d.join(QUERY_GPU_ERROR_FILE), "exited with 9\n").unwrap();
        assert!(root.nvidia_smi(NvidiaSmiQuery::Gpu, &[]).is_err());
    }
}

#[cfg(test)]
mod nvme_tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        crate::testutil::tmp_dir(&format!("root-nvme-{name}"))
    }

    #[test]
    fn replayed_smart_log_is_the_recorded_bytes() {
        let d = tmp("bin");
        fs::create_dir_all(d.join("nvme/nvme0")).unwrap();
        fs::write(d.join("nvme/nvme0/smart-log.bin"), [7u8; 512]).unwrap();
        let root = Root::replay(&d).recording(None);
        let len = root.nvme_smart_log("nvme0", |b| Ok(b.len())).unwrap();
        assert_eq!(len, 512);
        assert_eq!(root.files_read(), ["nvme/nvme0/smart-log.bin"]);
    }

    #[test]
    fn replayed_smart_log_errors_name_the_path() {
        let d = tmp("err");
        let root = Root::replay(&d);
        let missing = root.nvme_smart_log("nvme0", |_| Ok(())).unwrap_err();
        let want = d.join("nvme/nvme0/smart-log.bin").display().to_string();
        assert!(missing.to_string().contains(&want), "{missing}");

        fs::create_dir_all(d.join("nvme/nvme0")).unwrap();
        fs::write(d.join("nvme/nvme0/smart-log.bin"), [0u8; 3]).unwrap();
        let e = root
            .nvme_smart_log("nvme0", crate::parse::nvme_smart::parse)
            .unwrap_err();
        assert!(matches!(e, CollectError::Parse { .. }), "{e}");
        assert!(e.to_string().contains(&want), "{e}");
        assert!(e.to_string().contains("512 bytes"), "{e}");
    }

    #[test]
    fn recorded_failure_replays_with_its_errno() {
        let d = tmp("recorded");
        fs::create_dir_all(d.join("nvme/nvme0")).unwrap();
        fs::write(d.join("nvme/nvme0/smart-log.bin"), [0u8; 512]).unwrap();
        fs::write(
            d.join("nvme/nvme0/smart-log.error"),
            "13 Permission denied (os error 13)\n",
        )
        .unwrap();
        let e = Root::replay(&d)
            .nvme_smart_log("nvme0", |_| Ok(()))
            .unwrap_err();
        let CollectError::Read { path, source } = e else {
            panic!("{e}")
        };
        assert_eq!(path, d.join("dev/nvme0"));
        assert_eq!(source.kind(), io::ErrorKind::PermissionDenied);
        let other = recorded_io_error("0 NVMe status 0x2002\n");
        assert_eq!(other.raw_os_error(), None);
        assert_eq!(other.to_string(), "NVMe status 0x2002");
    }

    #[test]
    fn live_failure_is_recorded_and_replays_the_same() {
        let src = tmp("live-src");
        let dst = tmp("live-dst");
        // No dev/nvme0 under the live base: ENOENT, recorded as such.
        let root = Root::live(&src, None, Duration::from_secs(1)).recording(Some(dst.clone()));
        let e = root.nvme_smart_log("nvme0", |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("dev/nvme0"), "{e}");
        let line = fs::read_to_string(dst.join("nvme/nvme0/smart-log.error")).unwrap();
        assert!(line.starts_with("2 "), "{line}");
        let replayed = Root::replay(&dst)
            .nvme_smart_log("nvme0", |_| Ok(()))
            .unwrap_err();
        let CollectError::Read { source, .. } = replayed else {
            panic!("{replayed}")
        };
        assert_eq!(source.kind(), io::ErrorKind::NotFound);
    }
}
