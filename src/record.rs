//! `dgx-spark-exporter record DIR`: capture a fixture from the live host.
//!
//! One collection runs against a live [`Root`] that copies every file it
//! reads into `DIR` (plus the `statvfs` figures and the `nvidia-smi` output,
//! see [`crate::root`]). Exactly what the collectors read is captured, not
//! the whole of `/sys`, and because the collection that produced the
//! returned exposition read exactly the recorded bytes, replaying `DIR`
//! with `--root DIR --once` gives the same values (the exporter's own
//! `process_*` metrics and timings aside).

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use crate::collect::{Exporter, Options};
use crate::root::Root;

/// Why a recording failed.
#[derive(Debug)]
pub enum RecordError {
    /// `DIR` exists and is not empty: recording into it would mix hosts.
    NotEmpty(PathBuf),
    /// Creating `DIR` or a file inside it failed.
    Write(String),
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::NotEmpty(d) => {
                write!(
                    f,
                    "{} exists and is not empty; record into a new directory",
                    d.display()
                )
            }
            RecordError::Write(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for RecordError {}

/// What a recording produced.
#[derive(Debug)]
pub struct Recording {
    /// The exposition of the recorded collection.
    pub exposition: String,
    /// Relative paths of the files recorded.
    pub files: Vec<String>,
}

/// Records into `dir` one collection of `root` (a live root) with `opts`,
/// and writes a `PROVENANCE.md` naming `command` (the command line that
/// asked for the recording) and the host.
///
/// Errors: `dir` is not empty, or writing the recording failed.
pub fn record(
    root: Root,
    opts: Options,
    dir: &Path,
    command: &str,
) -> Result<Recording, RecordError> {
    if fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(RecordError::NotEmpty(dir.to_path_buf()));
    }
    fs::create_dir_all(dir)
        .map_err(|e| RecordError::Write(format!("creating {}: {e}", dir.display())))?;
    let exporter = Exporter::new(root.recording(Some(dir.to_path_buf())), opts);
    let exposition = exporter.render();
    let errors = exporter.root().recording_errors();
    if !errors.is_empty() {
        return Err(RecordError::Write(errors.join("; ")));
    }
    let files = exporter.root().files_read();
    let provenance = provenance(&exporter, &files, command);
    fs::write(dir.join("PROVENANCE.md"), provenance)
        .map_err(|e| RecordError::Write(format!("writing {}/PROVENANCE.md: {e}", dir.display())))?;
    Ok(Recording { exposition, files })
}

fn provenance(exporter: &Exporter, files: &[String], command: &str) -> String {
    let host = fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let collectors: Vec<&str> = exporter.active().iter().map(|c| c.name()).collect();
    let mut s = format!(
        "# Provenance\n\n\
         Recorded by `dgx-spark-exporter record` (version {}, revision {}) on host `{}`, \
         kernel `{}`, with collectors: {}.\n\n\
         Command:\n\n```sh\n{}\n```\n\n\
         Every file below is a verbatim copy of what the collectors read on that host in one \
         collection, at the same relative path (`proc/...` is `/proc/...`). A directory \
         holding only `uevent` records that the collector found that directory (for example \
         a network interface's `device` link). `statvfs` holds the `statvfs(3)` figures of \
         each mount point asked about; `nvidia-smi/query-gpu.csv` and \
         `nvidia-smi/query-compute-apps.csv` the stdout of the `nvidia-smi` queries \
         (`.error`: a recorded failure); `nvme/<ctrl>/smart-log.bin` the NVMe SMART / health \
         log page of each controller (`smart-log.error`: a recorded failure). No file was \
         edited.\n\n\
         Replay: `dgx-spark-exporter --root <this directory> --once`.\n\n## Files\n\n",
        crate::VERSION,
        crate::REVISION,
        host.trim(),
        kernel.trim(),
        collectors.join(", "),
        command,
    );
    let mut sorted: Vec<&String> = files.iter().collect();
    sorted.sort();
    sorted.dedup();
    for f in sorted {
        s.push_str(&format!("- `{f}`\n"));
    }
    s
}
