//! One full collection + exposition of `fixtures/spark` (GPU output
//! replayed), beside the bare floor: opening and reading the same files.
//!
//! The floor is measured on the exact list of files a steady-state
//! collection read and directories it listed (taken from a tracing root, on
//! the second collection), plus the exporter's own `/proc/self/stat` that
//! every scrape reads for the `process_*` metrics.
//! The ratio of the two medians is what the exporter's code costs on top of
//! the kernel's.
//!
//! Every other fixture (any `fixtures/<name>/` with a `PROVENANCE.md`, as
//! `tests/fixtures.rs` picks them) gets the same pair, collection +
//! exposition and its floor, in a group named after it, with shorter runs.
//!
//! The group `live` does the same on the live host (`/`), where kernel
//! files are held open by the exporter; see [`live`].
//!
//! Last, [`alternating`] takes the two in turns on `fixtures/spark` and
//! the live host and prints their ratio, which is steadier than the ratio
//! of criterion's medians on a machine whose speed drifts.
//!
//! Run: `cargo bench --bench collect` (or `make bench`); one fixture:
//! `cargo bench --bench collect -- rpi5/`; the live host: `-- live/`.

use std::fs;
use std::hint::black_box;
use std::io::Read as _;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use dgx_spark_exporter::collect::{Exporter, Options};
use dgx_spark_exporter::root::{ReadKind, Root, read_all};
use dgx_spark_exporter::sys::list_dir;

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
fn files_read(dir: &Path) -> Trace {
    trace(Root::replay(dir), dir)
}

/// The files a collection read and the directories it listed.
type Trace = (Vec<FloorFile>, Vec<PathBuf>);

/// What [`files_read`] gives, for any root (`base`: its base directory).
fn trace(root: Root, dir: &Path) -> Trace {
    let tracing = Exporter::new(root.recording(None), Options::default());
    tracing.render();
    tracing.root().clear_trace();
    tracing.render();
    let root = tracing.root();
    let mut files: Vec<FloorFile> = root
        .files_read()
        .iter()
        .map(|f| FloorFile::new(dir, f))
        .collect();
    files.push(FloorFile::new(Path::new("/"), "proc/self/stat"));
    let dirs: Vec<PathBuf> = root.dirs_listed().iter().map(|d| dir.join(d)).collect();
    (files, dirs)
}

/// A file of the floor: its full path, and how the exporter reads it
/// ([`ReadKind`]: a sysfs attribute shorter than a page is whole after one
/// read, a sysctl is asked for 1 KiB per read, anything else is read until
/// a read returns 0), which the floor does too, through the exporter's own
/// [`read_all`].
struct FloorFile {
    path: PathBuf,
    kind: ReadKind,
}

impl FloorFile {
    fn new(dir: &Path, rel: &str) -> FloorFile {
        FloorFile {
            path: dir.join(rel),
            kind: ReadKind::of(rel),
        }
    }

    /// Reads the file through `read` (a read at an offset into a buffer)
    /// as the exporter does.
    fn read(&self, read: impl FnMut(u64, &mut [u8]) -> std::io::Result<usize>, buf: &mut Vec<u8>) {
        if let Ok(len) = read_all(buf, self.kind, read) {
            black_box(&buf[..len]);
        }
    }
}

/// The floor: opening each file, reading it to its end into one reused
/// buffer as the exporter does (no `statx` first, as `fs::read_to_string`
/// would do, and no read that returns 0 where the first read is the whole
/// file: the fewest system calls that read a file) and closing it, and
/// listing each directory as the exporter lists one (`getdents64` into a
/// buffer on the stack, [`list_dir`]: no `fstat` and no `DIR` allocation,
/// which `fs::read_dir` has).
fn floor(files: &[FloorFile], dirs: &[PathBuf], buf: &mut Vec<u8>) {
    for f in files {
        if let Ok(mut file) = fs::File::open(&f.path) {
            f.read(|_, b| file.read(b), buf);
        }
    }
    for d in dirs {
        black_box(list_dir(d).ok());
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

/// The same on the live host, where the exporter runs: a collection
/// through a live root, which keeps the kernel files it reads open and
/// reads them again with `pread` (see `root.rs`, "Held files"), beside the
/// floor of opening and reading the same files, and beside reading them
/// alone from files opened beforehand (what is left of the floor once
/// nothing is opened). The GPU is not in it: its `nvidia-smi` is sampled
/// off the scrape path.
fn live(c: &mut Criterion) {
    let live = || Root::live("/", None, std::time::Duration::from_secs(5));
    let (files, dirs) = trace(live(), Path::new("/"));
    let exporter = Exporter::new(live(), Options::default());
    let mut group = c.benchmark_group("live");
    group.bench_function("collect_and_render", |b| {
        b.iter(|| black_box(exporter.render()))
    });
    let mut buf = vec![0u8; 64 * 1024];
    group.bench_function("floor_open_and_read_files", |b| {
        b.iter(|| floor(&files, &dirs, &mut buf))
    });
    let open: Vec<(&FloorFile, fs::File)> = files
        .iter()
        .filter_map(|f| Some((f, fs::File::open(&f.path).ok()?)))
        .collect();
    group.bench_function("floor_read_open_files", |b| {
        b.iter(|| {
            for (f, file) in &open {
                f.read(|at, b| file.read_at(b, at), &mut buf);
            }
            for d in &dirs {
                black_box(list_dir(d).ok());
            }
        })
    });
    group.finish();
    eprintln!(
        "live floor: {} files read and {} directories listed per collection",
        files.len(),
        dirs.len()
    );
}

/// Collection + exposition and its floor taken alternately, 30 rounds of
/// 20 of each, on `fixtures/spark` and on the live host, printing the
/// ratio of the fastest rounds and of the median rounds. criterion
/// measures the two one after the other, seconds apart; on a shared
/// machine whose speed drifts by tens of percent within a minute, the
/// ratio of its two medians can be off by more than the difference it is
/// meant to show, while rounds taken side by side drift together. Runs
/// whatever filter is given (about 5 s).
fn alternating(_: &mut Criterion) {
    let live = || Root::live("/", None, std::time::Duration::from_secs(5));
    let roots: [(&str, Root, Trace); 2] = [
        (
            "fixtures/spark",
            Root::replay(spark()),
            files_read(&spark()),
        ),
        ("live host", live(), trace(live(), Path::new("/"))),
    ];
    for (name, root, (files, dirs)) in roots {
        let exporter = Exporter::new(root, Options::default());
        let mut buf = vec![0u8; 64 * 1024];
        let time = |f: &mut dyn FnMut()| {
            let start = std::time::Instant::now();
            for _ in 0..20 {
                f();
            }
            start.elapsed().as_secs_f64() / 20.0
        };
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..30 {
            ours.push(time(&mut || {
                black_box(exporter.render());
            }));
            theirs.push(time(&mut || floor(&files, &dirs, &mut buf)));
        }
        ours.sort_by(f64::total_cmp);
        theirs.sort_by(f64::total_cmp);
        eprintln!(
            "alternating, {name}: collection + exposition / floor: fastest rounds \
             {:.0} / {:.0} us = {:.2}x, median rounds {:.0} / {:.0} us = {:.2}x",
            ours[0] * 1e6,
            theirs[0] * 1e6,
            ours[0] / theirs[0],
            ours[15] * 1e6,
            theirs[15] * 1e6,
            ours[15] / theirs[15],
        );
    }
}

criterion_group!(benches, bench, every_fixture, live, alternating);
criterion_main!(benches);
