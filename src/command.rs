//! Running an external command (`nvidia-smi`): once with a deadline
//! ([`run`]), or as a long-lived child whose output is read as it comes
//! ([`Streaming`]).
//!
//! Every child runs in its own process group with stdin closed. [`run`]
//! drains stdout and stderr in two short-lived threads so a chatty child can
//! never block on a full pipe. If the deadline passes, the whole process group
//! is killed with `SIGKILL` and reaped, so neither a zombie nor an orphaned
//! grandchild is left behind, and the caller gets [`CommandErrorKind::Timeout`].
//! A [`Streaming`] child is always reaped, with its group killed, when it is
//! stopped or dropped.
//!
//! Every child is registered, from the moment it exists, for
//! [`kill_running`], which ends them all on shutdown; once shutdown has begun
//! no new child is started.

use std::fmt;
use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// Most bytes kept from a child's stdout or stderr; the rest is read and
/// dropped. 64 GPUs with every `--query-gpu` field fit in far less.
pub const MAX_OUTPUT_BYTES: usize = 4 << 20;

/// Why a command did not give us its output.
#[derive(Debug)]
pub enum CommandErrorKind {
    /// It could not be started (not found, not executable).
    Spawn(std::io::Error),
    /// It ran past its deadline and was killed.
    Timeout(Duration),
    /// It exited unsuccessfully; `stderr` is its first line of complaint.
    Failed {
        /// Exit status.
        status: ExitStatus,
        /// What it printed on stderr (or stdout if stderr was empty), trimmed.
        message: String,
    },
    /// Waiting for it failed.
    Wait(std::io::Error),
    /// Its stdout was not UTF-8 text.
    NotUtf8,
    /// A recorded failure replayed from a fixture.
    Recorded(String),
}

/// A failed command run, naming the command line.
#[derive(Debug)]
pub struct CommandError {
    /// The command line, for the log.
    pub command: String,
    /// What went wrong.
    pub kind: CommandErrorKind,
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: ", self.command)?;
        match &self.kind {
            CommandErrorKind::Spawn(e) => write!(f, "could not start it: {e}"),
            CommandErrorKind::Timeout(d) => {
                write!(
                    f,
                    "no exit within {:.1}s, killed it (hung driver?)",
                    d.as_secs_f64()
                )
            }
            CommandErrorKind::Failed { status, message } => {
                write!(f, "exited with {status}, expected 0: {message}")
            }
            CommandErrorKind::Wait(e) => write!(f, "waiting for it failed: {e}"),
            CommandErrorKind::NotUtf8 => write!(f, "printed output that is not UTF-8 text"),
            CommandErrorKind::Recorded(m) => write!(f, "recorded failure: {m}"),
        }
    }
}

impl std::error::Error for CommandError {}

/// The commands running now, by process group, so that shutdown can end
/// them ([`kill_running`]) instead of waiting out their deadline; and
/// whether shutdown has begun, after which new commands are killed at once.
struct Running {
    pgids: Vec<u32>,
    stopping: bool,
}

static RUNNING: Mutex<Running> = Mutex::new(Running {
    pgids: Vec::new(),
    stopping: false,
});

fn running() -> std::sync::MutexGuard<'static, Running> {
    crate::root::lock(&RUNNING)
}

/// Kills every command [`run`] is waiting for (with its process group), and
/// every command started from now on; each of those calls then returns at
/// once with the command's failure. For a clean shutdown: no scrape in
/// flight waits for a hung `nvidia-smi`, and no child outlives the exporter.
pub fn kill_running() {
    let mut r = running();
    r.stopping = true;
    for pgid in &r.pgids {
        let _ = crate::sys::kill_process_group(*pgid);
    }
}

/// Whether shutdown has begun ([`kill_running`] was called): a supervisor
/// stops restarting its child.
pub fn is_stopping() -> bool {
    running().stopping
}

/// Waits until no child started here is registered any more (each was
/// reaped, or is being reaped right now), at most `limit`; whether none is.
/// For shutdown, after [`kill_running`]: the supervisors reap what was
/// killed, so the exporter leaves no zombie or orphan behind.
pub fn wait_none_running(limit: Duration) -> bool {
    let start = Instant::now();
    loop {
        if running().pgids.is_empty() {
            return true;
        }
        if start.elapsed() >= limit {
            return false;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Removes a process group from [`RUNNING`] when dropped.
struct Registered(u32);

/// Spawns `cmd` (which must start its own process group) and registers the
/// child, under the lock [`kill_running`] takes: a child exists only once it
/// is registered, so a shutdown either comes first (nothing is started) or
/// finds and kills it; no child slips between the two.
///
/// Errors: the spawn's; `Interrupted` ("shutting down") once shutdown has
/// begun.
fn spawn_registered(cmd: &mut Command) -> io::Result<(Child, Registered)> {
    let mut r = running();
    if r.stopping {
        return Err(io::Error::new(
            io::ErrorKind::Interrupted,
            "the exporter is shutting down",
        ));
    }
    let child = cmd.spawn()?;
    let pgid = child.id();
    r.pgids.push(pgid);
    Ok((child, Registered(pgid)))
}

impl Drop for Registered {
    fn drop(&mut self) {
        running().pgids.retain(|p| *p != self.0);
    }
}

/// Reads `r` to its end, keeping at most [`MAX_OUTPUT_BYTES`].
fn drain(mut r: impl Read) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => return kept,
            Ok(n) => {
                let room = MAX_OUTPUT_BYTES.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
}

/// Spawns a thread draining `r`; its result arrives on the returned channel.
fn drain_in_thread(r: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(drain(r));
    });
    rx
}

/// How long to sleep between exit checks: short at first (fast commands),
/// then at most 10 ms.
fn poll_interval(attempt: u32) -> Duration {
    Duration::from_millis(u64::from(attempt.min(10)).max(1))
}

/// Runs `program args...` and returns its stdout if it exits 0 within
/// `timeout`.
///
/// Errors: see [`CommandErrorKind`]. On timeout the child's process group is
/// killed and reaped before returning.
pub fn run(program: &Path, args: &[&str], timeout: Duration) -> Result<String, CommandError> {
    let command = std::iter::once(program.display().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .collect::<Vec<_>>()
        .join(" ");
    let fail = |kind| CommandError {
        command: command.clone(),
        kind,
    };
    let start = Instant::now();
    let (mut child, registered) = spawn_registered(
        Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0),
    )
    .map_err(|e| fail(CommandErrorKind::Spawn(e)))?;
    let out_rx = child.stdout.take().map(drain_in_thread);
    let err_rx = child.stderr.take().map(drain_in_thread);
    let mut attempt = 0;
    // Wait for the exit without reaping: while the child is an unreaped
    // zombie its pid, the group id, cannot be reused, so killing the group
    // below can only hit the child's own descendants.
    let pid = child.id();
    loop {
        match crate::sys::has_exited(pid) {
            Ok(true) => break,
            Ok(false) if start.elapsed() >= timeout => {
                let _ = crate::sys::kill_process_group(pid);
                let _ = child.kill();
                drop(registered);
                let _ = child.wait();
                return Err(fail(CommandErrorKind::Timeout(timeout)));
            }
            Ok(false) => {
                attempt += 1;
                thread::sleep(poll_interval(attempt));
            }
            Err(e) => {
                let _ = crate::sys::kill_process_group(pid);
                let _ = child.kill();
                drop(registered);
                let _ = child.wait();
                return Err(fail(CommandErrorKind::Wait(e)));
            }
        }
    }
    // The child has exited; a grandchild could still hold the pipes open, so
    // wait for the drains only until the deadline, then kill the group and
    // take what was read.
    let collect = |rx: Option<mpsc::Receiver<Vec<u8>>>| {
        let Some(rx) = rx else { return Vec::new() };
        let remaining = timeout
            .saturating_sub(start.elapsed())
            .max(Duration::from_millis(50));
        rx.recv_timeout(remaining).unwrap_or_else(|_| {
            let _ = crate::sys::kill_process_group(pid);
            rx.recv_timeout(Duration::from_millis(500))
                .unwrap_or_default()
        })
    };
    let stdout = collect(out_rx);
    let stderr = collect(err_rx);
    // Deregister before reaping, so kill_running never names a reaped pid.
    drop(registered);
    let status = child.wait().map_err(|e| fail(CommandErrorKind::Wait(e)))?;
    if !status.success() {
        let text = if stderr.is_empty() { &stdout } else { &stderr };
        let message = String::from_utf8_lossy(text)
            .trim()
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        return Err(fail(CommandErrorKind::Failed { status, message }));
    }
    String::from_utf8(stdout).map_err(|_| fail(CommandErrorKind::NotUtf8))
}

/// How a [`Streaming`] child ended.
#[derive(Debug)]
pub enum Ended {
    /// It exited by itself with this status.
    Exited(ExitStatus),
    /// It was stopped and exited on `SIGTERM`, within the grace period.
    Terminated,
    /// It was stopped and did not exit on `SIGTERM` within the grace
    /// period: its process group was killed with `SIGKILL`.
    Killed,
    /// Reaping it failed.
    Wait(io::Error),
}

impl fmt::Display for Ended {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ended::Exited(status) => write!(f, "exited with {status}"),
            Ended::Terminated => f.write_str("stopped with SIGTERM"),
            Ended::Killed => f.write_str("ignored SIGTERM, killed with SIGKILL"),
            Ended::Wait(e) => write!(f, "waiting for it failed: {e}"),
        }
    }
}

/// A long-lived child (`nvidia-smi ... -lms N`) whose stdout and stderr the
/// caller reads as they come. It runs in its own process group, dies with
/// the thread that started it ([`crate::sys::die_with_parent`]), and is
/// registered for [`kill_running`]. However it ends ([`Streaming::stop`],
/// [`Streaming::reap`], or dropped), its whole process group is killed and
/// it is reaped: no zombie, no orphaned grandchild.
pub struct Streaming {
    child: Child,
    registered: Option<Registered>,
    reaped: bool,
    command: String,
}

impl Streaming {
    /// Starts `program args...` with stdout and stderr piped.
    ///
    /// Errors: [`CommandErrorKind::Spawn`] (not found, not executable, or
    /// shutdown has begun).
    pub fn spawn(program: &Path, args: &[&str]) -> Result<Streaming, CommandError> {
        let command = std::iter::once(program.display().to_string())
            .chain(args.iter().map(|a| a.to_string()))
            .collect::<Vec<_>>()
            .join(" ");
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        crate::sys::die_with_parent(&mut cmd);
        match spawn_registered(&mut cmd) {
            Ok((child, registered)) => Ok(Streaming {
                child,
                registered: Some(registered),
                reaped: false,
                command,
            }),
            Err(e) => Err(CommandError {
                command,
                kind: CommandErrorKind::Spawn(e),
            }),
        }
    }

    /// The command line, for messages.
    pub fn command(&self) -> &str {
        &self.command
    }

    /// The child's pid, which is also its process-group id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its stdout, the first time this is called.
    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.child.stdout.take()
    }

    /// Its stderr, the first time this is called.
    pub fn take_stderr(&mut self) -> Option<ChildStderr> {
        self.child.stderr.take()
    }

    /// Whether it has exited (it is not reaped yet, so its group can still
    /// be killed safely). A failing check counts as exited.
    pub fn has_exited(&self) -> bool {
        crate::sys::has_exited(self.pid()).unwrap_or(true)
    }

    /// Reaps a child that [`Streaming::has_exited`], killing what is left of
    /// its process group first (a grandchild holding the pipes).
    pub fn reap(mut self) -> Ended {
        match self.finish() {
            Ok(status) => Ended::Exited(status),
            Err(e) => Ended::Wait(e),
        }
    }

    /// Stops it: `SIGTERM` to its process group, then `SIGKILL` to the group
    /// if it has not exited after `grace`; then reaps it.
    pub fn stop(mut self, grace: Duration) -> Ended {
        if self.has_exited() {
            return self.reap();
        }
        let _ = crate::sys::terminate_process_group(self.pid());
        let start = Instant::now();
        let mut attempt = 0;
        let exited = loop {
            if self.has_exited() {
                break true;
            }
            if start.elapsed() >= grace {
                break false;
            }
            attempt += 1;
            thread::sleep(poll_interval(attempt));
        };
        match self.finish() {
            Err(e) => Ended::Wait(e),
            Ok(_) if exited => Ended::Terminated,
            Ok(_) => Ended::Killed,
        }
    }

    /// Kills the process group, deregisters it (before reaping, so
    /// [`kill_running`] never names a reaped pid) and reaps the child.
    fn finish(&mut self) -> io::Result<ExitStatus> {
        let _ = crate::sys::kill_process_group(self.pid());
        self.registered = None;
        self.reaped = true;
        self.child.wait()
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        if !self.reaped {
            let _ = self.finish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout_ms: u64) -> Result<String, CommandError> {
        run(
            Path::new("/bin/sh"),
            &["-c", script],
            Duration::from_millis(timeout_ms),
        )
    }

    #[test]
    fn captures_stdout() {
        assert_eq!(sh("echo hello", 5000).unwrap(), "hello\n");
    }

    #[test]
    fn nonzero_exit_is_an_error_with_stderr() {
        let e = sh("echo 'NVIDIA-SMI has failed' >&2; exit 9", 5000).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("NVIDIA-SMI has failed"), "{text}");
        assert!(text.contains("exit status: 9"), "{text}");
    }

    #[test]
    fn hung_child_is_killed_at_the_deadline() {
        let start = Instant::now();
        let e = sh("sleep 30", 200).unwrap_err();
        assert!(matches!(e.kind, CommandErrorKind::Timeout(_)), "{e}");
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn grandchild_holding_the_pipe_does_not_block_us() {
        let start = Instant::now();
        // The shell exits at once; its background sleep keeps stdout open.
        let out = sh("echo early; sleep 30 & exit 0", 300).unwrap();
        assert_eq!(out, "early\n");
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn missing_program_is_a_spawn_error() {
        let e = run(
            Path::new("/nonexistent/nvidia-smi"),
            &[],
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(matches!(e.kind, CommandErrorKind::Spawn(_)));
        assert!(e.to_string().contains("/nonexistent/nvidia-smi"));
    }

    #[test]
    fn output_is_capped() {
        let out = sh("head -c 5000000 /dev/zero | tr '\\0' a", 10_000).unwrap();
        assert_eq!(out.len(), MAX_OUTPUT_BYTES);
    }
}
