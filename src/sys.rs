//! The only module that calls `libc` or uses `unsafe`.
//!
//! Everything here is a thin, safe wrapper around one POSIX call, each
//! `unsafe` block carrying a `SAFETY:` note. The rest of the crate is
//! `#![deny(unsafe_code)]`.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

/// True for the errors a sysfs or procfs attribute returns when its value is
/// simply not available: a missing file (`ENOENT`, `ENODEV`), an offline
/// sensor (`EAGAIN`, `ENODATA`), or an attribute the driver does not support
/// (`EINVAL`, `EOPNOTSUPP`, e.g. `speed` of a Wi-Fi interface). See the
/// kernel's `Documentation/hwmon/sysfs-interface.rst` ("-ENODATA") and
/// `Documentation/ABI/testing/sysfs-class-net` (`speed`).
pub fn is_unavailable(e: &io::Error) -> bool {
    is_value_unavailable(e)
        || matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ENODEV))
        || e.kind() == io::ErrorKind::NotFound
}

/// True for the errors of [`is_unavailable`] that mean the object is there
/// but has no value now (`EAGAIN`, `ENODATA`, `EINVAL`, `EOPNOTSUPP`), as
/// opposed to gone (`ENOENT`, `ENODEV`).
pub fn is_value_unavailable(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EAGAIN | libc::ENODATA | libc::EINVAL | libc::EOPNOTSUPP)
    )
}

/// Filesystem figures as `statvfs(3)` reports them, in the kernel's units:
/// block counts in units of `f_frsize` bytes (`f_bsize` is the preferred I/O
/// size; node_exporter multiplies by it), inode counts as plain numbers.
///
/// Source: POSIX `statvfs(3)`; Linux fills it from `statfs(2)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatVfs {
    /// `f_bsize`: filesystem block size (bytes).
    pub bsize: u64,
    /// `f_frsize`: fragment size (bytes), the unit of the block counts.
    pub frsize: u64,
    /// `f_blocks`: size of the filesystem (in `f_frsize` units).
    pub blocks: u64,
    /// `f_bfree`: free blocks, including those reserved for root.
    pub bfree: u64,
    /// `f_bavail`: free blocks available to unprivileged users.
    pub bavail: u64,
    /// `f_files`: number of inodes.
    pub files: u64,
    /// `f_ffree`: free inodes.
    pub ffree: u64,
}

/// Calls `statvfs(3)` on `path`.
///
/// Errors: the `errno` of the call as an [`io::Error`] (`ENOENT`, `EACCES`,
/// ...), or `InvalidInput` when the path contains a NUL byte.
pub fn statvfs(path: &Path) -> io::Result<StatVfs> {
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
    // SAFETY: `statvfs` is a plain C struct of integers, for which all-zero
    // bytes is a valid value.
    let mut buf: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c_path` is a valid NUL-terminated string that outlives the
    // call, and `buf` is a valid, writable `statvfs`.
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), &mut buf) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // The field types differ between targets (u32 on some 32-bit libcs), so
    // widen each one explicitly.
    #[allow(clippy::useless_conversion)]
    Ok(StatVfs {
        bsize: u64::from(buf.f_bsize),
        frsize: u64::from(buf.f_frsize),
        blocks: u64::from(buf.f_blocks),
        bfree: u64::from(buf.f_bfree),
        bavail: u64::from(buf.f_bavail),
        files: u64::from(buf.f_files),
        ffree: u64::from(buf.f_ffree),
    })
}

/// `USER_HZ`: the unit of the jiffy counters in `/proc/stat` and
/// `/proc/<pid>/stat`, from `sysconf(_SC_CLK_TCK)` (100 on every Linux
/// architecture in practice; see `proc(5)`).
///
/// Falls back to 100 if `sysconf` fails, which POSIX allows only for
/// unsupported names.
pub fn user_hz() -> u64 {
    // SAFETY: `sysconf` has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz > 0 { hz as u64 } else { 100 }
}

/// The page size in bytes, the unit of `rss` in `/proc/<pid>/stat`, from
/// `sysconf(_SC_PAGESIZE)` (4096 on x86_64, 4096 or 65536 on aarch64 kernels).
///
/// Falls back to 4096 if `sysconf` fails.
pub fn page_size() -> u64 {
    // SAFETY: `sysconf` has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 { size as u64 } else { 4096 }
}

/// The soft limit on open file descriptors (`getrlimit(RLIMIT_NOFILE)`),
/// `None` when it is unlimited or the call fails.
pub fn max_open_files() -> Option<u64> {
    // SAFETY: all-zero is a valid `rlimit`.
    let mut lim: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: `lim` is a valid, writable `rlimit`.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    #[allow(clippy::useless_conversion)]
    let cur = u64::from(lim.rlim_cur);
    if rc != 0 || lim.rlim_cur == libc::RLIM_INFINITY {
        None
    } else {
        Some(cur)
    }
}

/// Whether child `pid` has exited, without reaping it (`waitid` with
/// `WEXITED | WNOHANG | WNOWAIT`). While it stays unreaped its pid, which is
/// also its process-group id, cannot be reused, so the group can still be
/// killed safely; reap it afterwards with `Child::wait`.
///
/// Errors: the `errno` of `waitid` (`ECHILD` if `pid` is not our child).
pub fn has_exited(pid: u32) -> io::Result<bool> {
    let id = libc::id_t::from(pid);
    // SAFETY: all-zero is a valid `siginfo_t`.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: `info` is valid writable storage; the flags only query.
    let rc = unsafe {
        libc::waitid(
            libc::P_PID,
            id,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `waitid` filled `info`; with WNOHANG and no state change the
    // pid field is left 0, which POSIX specifies for this case.
    Ok(unsafe { info.si_pid() } != 0)
}

/// Sends `SIGKILL` to every process in process group `pgid`.
///
/// Used to end a timed-out `nvidia-smi` together with anything it spawned;
/// the child is started with `process_group(0)`, so its pid is the group id.
/// Errors: `ESRCH` when the group is already gone, `EPERM`.
pub fn kill_process_group(pgid: u32) -> io::Result<()> {
    signal_process_group(pgid, libc::SIGKILL)
}

/// Sends `SIGTERM` to every process in process group `pgid`: the polite
/// first step of stopping a streaming `nvidia-smi`, followed by
/// [`kill_process_group`] after a grace period.
///
/// Errors: as [`kill_process_group`].
pub fn terminate_process_group(pgid: u32) -> io::Result<()> {
    signal_process_group(pgid, libc::SIGTERM)
}

fn signal_process_group(pgid: u32, signal: libc::c_int) -> io::Result<()> {
    let pgid = libc::pid_t::try_from(pgid)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "pid out of range"))?;
    // SAFETY: `kill` has no memory-safety preconditions; a negative pid
    // addresses the process group.
    let rc = unsafe { libc::kill(-pgid, signal) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Makes the child `cmd` starts receive `SIGKILL` when the thread that
/// started it ends (`prctl(PR_SET_PDEATHSIG)`, `prctl(2)`), so a long-lived
/// child cannot outlive an exporter killed without a chance to clean up
/// (`SIGKILL`, a crash). Best effort: a `prctl` refused by a seccomp filter
/// is ignored. The child is refused (the spawn fails) when the exporter is
/// already gone by the time it runs.
pub fn die_with_parent(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: `getpid` is async-signal-safe and called before the fork.
    let parent = unsafe { libc::getpid() };
    // SAFETY: the closure runs in the forked child before `exec` and only
    // makes the async-signal-safe calls `prctl` and `getppid`; it touches no
    // memory but its captured copy of `parent`.
    unsafe {
        cmd.pre_exec(move || {
            // Best effort: where a seccomp filter refuses `prctl`, the child
            // still runs (and systemd's control group still ends it).
            let _ = libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
            // The parent may have died between fork and prctl.
            if libc::getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
}

/// A set of termination signals (`SIGTERM`, `SIGINT`) blocked in the calling
/// thread, to be waited for with [`TermSignals::wait_timeout`].
///
/// Create it in `main` before any thread is spawned: threads inherit the
/// signal mask, so the signals then reach only the waiting thread and no
/// handler runs concurrently with the server.
pub struct TermSignals {
    set: libc::sigset_t,
}

impl TermSignals {
    /// Blocks `SIGTERM` and `SIGINT` in the calling thread.
    ///
    /// Errors: the `errno` of `pthread_sigmask`.
    pub fn block() -> io::Result<TermSignals> {
        // SAFETY: all-zero is a valid `sigset_t` storage; `sigemptyset`
        // initialises it properly before use.
        let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: `set` is valid, writable storage for a `sigset_t`.
        unsafe {
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGTERM);
            libc::sigaddset(&mut set, libc::SIGINT);
        }
        // SAFETY: `set` was initialised above; a null old-set pointer is allowed.
        let rc = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        Ok(TermSignals { set })
    }

    /// Waits at most `timeout` for `SIGTERM` or `SIGINT`: `Some(signal)` if
    /// one arrived, `None` if the time ran out (or another signal
    /// interrupted the wait).
    ///
    /// Errors: the `errno` of `sigtimedwait` other than `EAGAIN`/`EINTR`.
    pub fn wait_timeout(&self, timeout: Duration) -> io::Result<Option<i32>> {
        let ts = libc::timespec {
            // 64-bit on every target we build for; `as _` avoids naming
            // `time_t`, which the libc crate deprecates on musl.
            tv_sec: i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX) as _,
            tv_nsec: libc::c_long::from(timeout.subsec_nanos() as i32),
        };
        // SAFETY: `self.set` is an initialised signal set, `ts` a valid
        // timespec, and a null siginfo pointer is allowed.
        let rc = unsafe { libc::sigtimedwait(&self.set, std::ptr::null_mut(), &ts) };
        if rc >= 0 {
            return Ok(Some(rc));
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EAGAIN | libc::EINTR) => Ok(None),
            _ => Err(e),
        }
    }
}

/// `struct nvme_passthru_cmd` of Linux `include/uapi/linux/nvme_ioctl.h`
/// (`nvme_admin_cmd` is a `#define` for it): the argument of
/// `NVME_IOCTL_ADMIN_CMD`. 72 bytes without padding on every target
/// (checked by a test); `result` is written back by the kernel.
#[repr(C)]
#[derive(Debug, Default)]
struct NvmePassthruCmd {
    opcode: u8,
    flags: u8,
    rsvd1: u16,
    nsid: u32,
    cdw2: u32,
    cdw3: u32,
    metadata: u64,
    addr: u64,
    metadata_len: u32,
    data_len: u32,
    cdw10: u32,
    cdw11: u32,
    cdw12: u32,
    cdw13: u32,
    cdw14: u32,
    cdw15: u32,
    timeout_ms: u32,
    result: u32,
}

/// `_IOC_SIZEBITS` and the `_IOC_READ | _IOC_WRITE` direction bits of
/// `include/uapi/asm-generic/ioctl.h`: 14 and 3 on x86_64 and aarch64 (the
/// shipped targets) and most others. powerpc, mips and sparc define their
/// own (13 and 6) and are not targets of this exporter.
const IOC_SIZEBITS_READ_WRITE: (u32, u32) = (14, 3);

/// `_IOWR(ty, nr, size)`: direction, size, type and number packed as
/// `_IOC()` does (nr bits 0-7, type bits 8-15, size from bit 16, direction
/// above it).
const fn iowr(ty: u8, nr: u8, size: usize) -> u32 {
    let (size_bits, read_write) = IOC_SIZEBITS_READ_WRITE;
    (read_write << (16 + size_bits)) | ((size as u32) << 16) | ((ty as u32) << 8) | nr as u32
}

/// `NVME_IOCTL_ADMIN_CMD = _IOWR('N', 0x41, struct nvme_admin_cmd)`
/// (`include/uapi/linux/nvme_ioctl.h`): `0xC0484E41` on x86_64 and aarch64.
const NVME_IOCTL_ADMIN_CMD: u32 = iowr(b'N', 0x41, std::mem::size_of::<NvmePassthruCmd>());

/// Admin opcode Get Log Page (NVM Express Base Specification, "Opcodes for
/// Admin Commands").
const NVME_ADMIN_GET_LOG_PAGE: u8 = 0x02;

/// Log identifier of the SMART / Health Information log page.
const NVME_LOG_SMART: u8 = 0x02;

/// Namespace identifier FFFFFFFFh: the controller-wide (global) page, which
/// every controller supports.
const NVME_NSID_ALL: u32 = 0xFFFF_FFFF;

/// Length of the SMART / Health Information log page in bytes.
pub const NVME_SMART_LOG_LEN: usize = 512;

/// Command Dword 10 of Get Log Page for `len` bytes of log `lid`: the
/// Number of Dwords Lower (NUMDL, bits 31:16) is the dword count minus one
/// (0's based), the Log Page Identifier is bits 7:0. Retain Asynchronous
/// Event (bit 15) and the log-specific field stay 0, as smartctl sends them.
const fn get_log_page_cdw10(lid: u8, len: usize) -> u32 {
    let numd = (len / 4) as u32;
    ((numd - 1) << 16) | lid as u32
}

/// Reads the SMART / Health Information log page (Get Log Page, log
/// identifier 02h, namespace FFFFFFFFh) of the NVMe controller character
/// device `dev` (`/dev/nvme0`) with the admin passthrough ioctl
/// `NVME_IOCTL_ADMIN_CMD`. The 512 bytes come back raw; parse them with
/// [`crate::parse::nvme_smart::parse`].
///
/// Needs `CAP_SYS_ADMIN` for the command (`nvme_cmd_allowed()` in Linux
/// `drivers/nvme/host/ioctl.c`) and read access to the node (mode 0600 root
/// on a stock system); it opens the node read-only.
///
/// Errors: opening fails (`ENOENT`, `EACCES`/`EPERM` without permission,
/// `EWOULDBLOCK` while the controller resets); the ioctl fails (`EACCES`
/// without `CAP_SYS_ADMIN`, `ENOTTY` on a file that is not an NVMe
/// controller); or the controller completes the command with a non-zero
/// NVMe status (returned as a positive number by the ioctl), as an
/// [`io::Error`] of kind `Other` naming the status.
pub fn nvme_smart_log(dev: &Path) -> io::Result<[u8; NVME_SMART_LOG_LEN]> {
    use std::os::fd::AsRawFd;
    let file = std::fs::File::open(dev)?;
    let mut page = [0u8; NVME_SMART_LOG_LEN];
    let mut cmd = NvmePassthruCmd {
        opcode: NVME_ADMIN_GET_LOG_PAGE,
        nsid: NVME_NSID_ALL,
        addr: page.as_mut_ptr() as u64,
        data_len: NVME_SMART_LOG_LEN as u32,
        cdw10: get_log_page_cdw10(NVME_LOG_SMART, NVME_SMART_LOG_LEN),
        ..NvmePassthruCmd::default()
    };
    // SAFETY: `file` is an open descriptor for the duration of the call;
    // `cmd` is a valid `nvme_passthru_cmd` the kernel reads and writes
    // (`result`); its `addr`/`data_len` describe `page`, a writable buffer of
    // exactly `data_len` bytes that lives until after the call and is not
    // touched while the kernel writes it; no metadata buffer is given.
    let rc = unsafe {
        libc::ioctl(
            file.as_raw_fd(),
            NVME_IOCTL_ADMIN_CMD as _,
            &mut cmd as *mut NvmePassthruCmd,
        )
    };
    match rc {
        0 => Ok(page),
        rc if rc < 0 => Err(io::Error::last_os_error()),
        status => Err(io::Error::other(format!(
            "the controller failed Get Log Page 02h with NVMe status {status:#x}"
        ))),
    }
}

/// Caps glibc's malloc at one arena. glibc gives each thread that allocates
/// its own arena (up to 8 per core), and the exporter's connection threads
/// each build a 100 KB exposition: with one arena per thread the glibc build
/// settled at about 6 MB resident, with one at about 4.7 MB (issue 6 soak,
/// `MALLOC_ARENA_MAX=1`). The threads rarely allocate at the same moment, so
/// one arena costs no measurable contention. A no-op on musl (the shipped
/// static binaries), whose allocator has no arenas.
pub fn limit_malloc_arenas() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only changes allocator tuning; called once at start-up
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Size of the buffer [`list_dir`] hands to `getdents64`: about 300
/// sysfs entries a call, so most directories are read in one.
const DIRENT_BUF_BYTES: usize = 8192;

/// The kernel's `struct linux_dirent64` header before the name
/// (`include/linux/dirent.h`): `d_ino` (u64), `d_off` (s64), `d_reclen`
/// (u16), `d_type` (u8); the NUL-terminated `d_name` follows.
const DIRENT_NAME_OFFSET: usize = 19;

/// The buffer `getdents64` fills, aligned as the records in it are.
#[repr(C, align(8))]
struct DirentBuf([u8; DIRENT_BUF_BYTES]);

/// The names in directory `path`, except `.` and `..`, in the order the
/// kernel lists them; names that are not UTF-8 are left out.
///
/// `getdents64(2)` into a buffer on the stack, rather than
/// [`std::fs::read_dir`]: `opendir(3)` `fstat`s the directory and
/// allocates a 2 KiB `DIR` for every listing (until musl's allocator
/// starts keeping the group, after some hundreds of scrapes, that is an
/// `mmap`, two page faults and a `munmap` per listing, 8-10 us on a KVM
/// guest), and `read_dir` copies every name into a `CString` of its own
/// before it becomes a `String`.
///
/// Source: `getdents64(2)`; the record layout is `struct linux_dirent64`
/// in the kernel's `include/linux/dirent.h`.
///
/// Errors: opening `path` as a directory fails (`ENOENT`, `ENOTDIR`,
/// `EACCES`), `getdents64` fails (`ENOENT` once the directory is removed),
/// or it returns a record that does not fit in what it returned (kind
/// `InvalidData`).
pub fn list_dir(path: &Path) -> io::Result<Vec<String>> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY)
        .open(path)?;
    // Not zeroed first: only what the kernel wrote is read.
    let mut buf = std::mem::MaybeUninit::<DirentBuf>::uninit();
    let mut names = Vec::new();
    loop {
        // SAFETY: `dir` is an open descriptor for the duration of the call;
        // the kernel writes at most `DIRENT_BUF_BYTES` bytes into `buf`,
        // which is that long, writable, and not otherwise used meanwhile.
        let n = unsafe {
            libc::syscall(
                libc::SYS_getdents64,
                dir.as_raw_fd(),
                buf.as_mut_ptr().cast::<u8>(),
                DIRENT_BUF_BYTES,
            )
        };
        match usize::try_from(n) {
            Ok(0) => return Ok(names),
            Ok(len) => {
                let len = len.min(DIRENT_BUF_BYTES);
                // SAFETY: the call returned `len`, the number of bytes it
                // wrote at the start of `buf` (at most its size), so they
                // are initialized; nothing writes `buf` while this lives.
                let got = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), len) };
                dirent_names(got, &mut names)?;
            }
            Err(_) => {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
        }
    }
}

/// Appends the names of the `linux_dirent64` records in `buf` (what one
/// `getdents64(2)` call returned) to `names`, except `.`, `..` and names
/// that are not UTF-8.
///
/// Errors (kind `InvalidData`): a record shorter than its header, or whose
/// `d_reclen` runs past `buf`, or whose name has no NUL.
fn dirent_names(mut buf: &[u8], names: &mut Vec<String>) -> io::Result<()> {
    let bad = |what: &str| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("getdents64 returned a malformed linux_dirent64 record: {what}"),
        )
    };
    while !buf.is_empty() {
        let reclen = match buf.get(16..18) {
            Some(&[a, b]) => usize::from(u16::from_ne_bytes([a, b])),
            _ => return Err(bad("shorter than its header")),
        };
        if reclen <= DIRENT_NAME_OFFSET || reclen > buf.len() {
            return Err(bad(&format!(
                "d_reclen {reclen} outside {}..={}",
                DIRENT_NAME_OFFSET + 1,
                buf.len()
            )));
        }
        let field = &buf[DIRENT_NAME_OFFSET..reclen];
        let Some(end) = field.iter().position(|&b| b == 0) else {
            return Err(bad("a name without its NUL"));
        };
        match &field[..end] {
            b"." | b".." => {}
            name => {
                if let Ok(name) = std::str::from_utf8(name) {
                    names.push(name.to_string());
                }
            }
        }
        buf = &buf[reclen..];
    }
    Ok(())
}

#[cfg(test)]
mod dirent_tests {
    use super::*;

    /// One `linux_dirent64` record for `name`, padded to 8 bytes as the
    /// kernel pads them.
    fn record(name: &[u8]) -> Vec<u8> {
        let reclen = (DIRENT_NAME_OFFSET + name.len() + 1).next_multiple_of(8);
        let mut r = vec![0u8; reclen];
        r[0..8].copy_from_slice(&42u64.to_ne_bytes());
        r[16..18].copy_from_slice(&(reclen as u16).to_ne_bytes());
        r[18] = 4; // DT_DIR
        r[DIRENT_NAME_OFFSET..DIRENT_NAME_OFFSET + name.len()].copy_from_slice(name);
        r
    }

    fn names(buf: &[u8]) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        dirent_names(buf, &mut names).map(|()| names)
    }

    #[test]
    fn records_give_their_names_without_dots_and_non_utf8() {
        let buf = [
            record(b"."),
            record(b"thermal_zone0"),
            record(b".."),
            record(b"\xff\xfe"),
            record(b"cooling_device10"),
            record(b"a"),
        ]
        .concat();
        assert_eq!(
            names(&buf).unwrap(),
            ["thermal_zone0", "cooling_device10", "a"]
        );
        assert_eq!(names(&[]).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_truncated_or_garbled_record_is_an_error_not_a_panic() {
        let good = record(b"eth0");
        for cut in 1..good.len() {
            let e = names(&good[..cut]).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidData, "cut at {cut}");
        }
        let mut zero = good.clone();
        zero[16..18].copy_from_slice(&0u16.to_ne_bytes());
        assert!(names(&zero).unwrap_err().to_string().contains("d_reclen 0"));
        let mut no_nul = good.clone();
        for b in &mut no_nul[DIRENT_NAME_OFFSET..] {
            *b = b'x';
        }
        assert!(names(&no_nul).unwrap_err().to_string().contains("NUL"));
    }

    #[test]
    fn a_directory_lists_as_read_dir_lists_it() {
        let dir = crate::testutil::tmp_dir("sys-list-dir");
        let many: Vec<String> = (0..700)
            .map(|i| format!("entry-with-a-longish-name-{i}"))
            .collect();
        for n in &many {
            std::fs::write(dir.join(n), "").unwrap();
        }
        std::fs::create_dir(dir.join("sub")).unwrap();
        let mut ours = list_dir(&dir).unwrap();
        let mut std_names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        ours.sort();
        std_names.sort();
        assert_eq!(ours.len(), 701, "more than one getdents64 call's worth");
        assert_eq!(ours, std_names);
        let missing = list_dir(&dir.join("missing")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        let not_dir = list_dir(&dir.join("entry-with-a-longish-name-0")).unwrap_err();
        assert_eq!(not_dir.raw_os_error(), Some(libc::ENOTDIR));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(test)]
mod nvme_tests {
    use super::*;

    #[test]
    fn passthru_cmd_has_the_kernel_layout() {
        assert_eq!(std::mem::size_of::<NvmePassthruCmd>(), 72);
        assert_eq!(std::mem::offset_of!(NvmePassthruCmd, nsid), 4);
        assert_eq!(std::mem::offset_of!(NvmePassthruCmd, metadata), 16);
        assert_eq!(std::mem::offset_of!(NvmePassthruCmd, addr), 24);
        assert_eq!(std::mem::offset_of!(NvmePassthruCmd, data_len), 36);
        assert_eq!(std::mem::offset_of!(NvmePassthruCmd, cdw10), 40);
        assert_eq!(std::mem::offset_of!(NvmePassthruCmd, timeout_ms), 64);
        assert_eq!(std::mem::offset_of!(NvmePassthruCmd, result), 68);
    }

    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    #[test]
    fn admin_ioctl_number_is_the_kernel_one() {
        // As printed by nvme-cli's and smartmontools' headers for these
        // targets.
        assert_eq!(NVME_IOCTL_ADMIN_CMD, 0xC048_4E41);
    }

    #[test]
    fn smart_log_cdw10_asks_for_128_dwords_of_log_02h() {
        assert_eq!(get_log_page_cdw10(NVME_LOG_SMART, 512), 0x007F_0002);
        assert_eq!(get_log_page_cdw10(0x01, 64), 0x000F_0001);
    }

    #[test]
    fn smart_log_of_a_missing_node_or_a_plain_file_is_an_error() {
        let missing = nvme_smart_log(Path::new("/nonexistent/dev/nvme9")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        // A regular file: open succeeds, the ioctl is refused (ENOTTY) and
        // nothing is written anywhere.
        let file = std::env::temp_dir().join(format!("dse-nvme-ioctl-{}", std::process::id()));
        std::fs::write(&file, [0u8; 16]).unwrap();
        let e = nvme_smart_log(&file).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOTTY), "{e}");
        assert_eq!(std::fs::read(&file).unwrap(), [0u8; 16]);
        let _ = std::fs::remove_file(&file);
    }
}

#[cfg(test)]
mod unavailable_tests {
    use super::*;

    #[test]
    fn gone_and_no_value_now_are_unavailable_and_only_no_value_keeps_a_file() {
        let os = io::Error::from_raw_os_error;
        for errno in [libc::EAGAIN, libc::ENODATA, libc::EINVAL, libc::EOPNOTSUPP] {
            assert!(is_unavailable(&os(errno)), "{errno}");
            assert!(is_value_unavailable(&os(errno)), "{errno}");
        }
        for errno in [libc::ENOENT, libc::ENODEV] {
            assert!(is_unavailable(&os(errno)), "{errno}");
            assert!(!is_value_unavailable(&os(errno)), "{errno}");
        }
        assert!(is_unavailable(&io::Error::from(io::ErrorKind::NotFound)));
        for errno in [libc::EACCES, libc::EIO, libc::EPERM] {
            assert!(!is_unavailable(&os(errno)), "{errno}");
            assert!(!is_value_unavailable(&os(errno)), "{errno}");
        }
    }
}
