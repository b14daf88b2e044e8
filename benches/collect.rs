//! One full collection + exposition of `fixtures/spark` (GPU output
//! replayed), beside the bare floor: opening and reading the same files.
//!
//! The floor is measured on the exact list of files a steady-state
//! collection read and directories it listed (taken from a tracing root, on
//! the second collection), plus the exporter's
//! own `/proc/self/stat` and `/proc/self/fd` that every scrape reads for the
//! `process_*` metrics.
//! The ratio of the two medians is what the exporter's code costs on top of
//! the kernel's.
//!
//! Every other fixture (any `fixtures/<name>/` with a `PROVENANCE.md`, as
//! `tests/fixtures.rs` picks them) gets the same pair, collection +
//! exposition and its floor, in a group named after it, with shorter runs.
//!
//! Run: `cargo bench --bench collect` (or `make bench`); one fixture:
//! `cargo bench --bench collect -- rpi5/`.

use std::fs;
use std::hint::black_box;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use dgx_spark_exporter::collect::{Exporter, Options};
use dgx_spark_exporter::root::Root;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn spark() -> PathBuf {
    fixtures().join("spark")
}

/// Every file one collection of `dir` reads and every directory it lists,
/// as full paths. The trace is of a second collection, as every scrape but
/// the first: the first also reads what the collectors keep across scrapes
/// (hwmon labels and chip names, RDMA device identity and counter lists).
fn files_read(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let tracing = Exporter::new(Root::replay(dir).recording(None), Options::default());
    tracing.render();
    tracing.root().clear_trace();
    tracing.render();
    let root = tracing.root();
    let mut files: Vec<PathBuf> = root.files_read().iter().map(|f| dir.join(f)).collect();
    files.push(PathBuf::from("/proc/self/stat"));
    let mut dirs: Vec<PathBuf> = root.dirs_listed().iter().map(|d| dir.join(d)).collect();
    dirs.push(PathBuf::from("/proc/self/fd"));
    (files, dirs)
}

/// The floor: opening each file, reading it to the end into one reused
/// buffer and closing it (no `statx` first, as `fs::read_to_string` would
/// do: the fewest system calls that read a file), and listing each
/// directory.
fn floor(files: &[PathBuf], dirs: &[PathBuf], buf: &mut [u8]) {
    for f in files {
        if let Ok(mut file) = fs::File::open(f) {
            while let Ok(n) = file.read(buf) {
                if n == 0 {
                    break;
                }
                black_box(&buf[..n]);
            }
        }
    }
    for d in dirs {
        black_box(fs::read_dir(d).map(|d| d.count()).ok());
    }
}

fn bench(c: &mut Criterion) {
    let dir = spark();
    let (files, dirs) = files_read(&dir);
    let exporter = Exporter::new(Root::replay(&dir), Options::default());
    let mut group = c.benchmark_group("spark");
    group.bench_function("collect_and_render", |b| {
        b.iter(|| black_box(exporter.render()))
    });
    // The two halves of collect_and_render, to see where time goes.
    group.bench_function("collect_only", |b| b.iter(|| black_box(exporter.collect())));
    let samples = exporter.collect();
    group.bench_function("render_only", |b| {
        b.iter(|| black_box(dgx_spark_exporter::expo::render(&samples)))
    });
    let mut buf = vec![0u8; 64 * 1024];
    group.bench_function("floor_open_and_read_files", |b| {
        b.iter(|| {
            floor(&files, &dirs, &mut buf);
        })
    });
    group.finish();
    eprintln!(
        "floor: {} files read and {} directories listed per collection",
        files.len(),
        dirs.len()
    );
}

/// One full collection + exposition and its floor, on every fixture but
/// `spark` (benched above with its halves).
fn every_fixture(c: &mut Criterion) {
    let mut dirs: Vec<PathBuf> = fs::read_dir(fixtures())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|d| d.join("PROVENANCE.md").exists() && !d.ends_with("spark"))
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (files, listed) = files_read(&dir);
        let exporter = Exporter::new(Root::replay(&dir), Options::default());
        let mut group = c.benchmark_group(&name);
        group
            .warm_up_time(std::time::Duration::from_millis(500))
            .measurement_time(std::time::Duration::from_secs(2));
        group.bench_function("collect_and_render", |b| {
            b.iter(|| black_box(exporter.render()))
        });
        let mut buf = vec![0u8; 64 * 1024];
        group.bench_function("floor_open_and_read_files", |b| {
            b.iter(|| {
                floor(&files, &listed, &mut buf);
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench, every_fixture);
criterion_main!(benches);
