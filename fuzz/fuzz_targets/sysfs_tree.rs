//! Fuzz target: whole collectors on a damaged fixture tree.
//!
//! Every fixture under `fixtures/` (the directories with a `PROVENANCE.md`)
//! is copied once into a scratch directory (`$DGX_FUZZ_TREE_DIR`, default
//! `$TMPDIR/dgx-fuzz-tree-<pid>`; `run-all.sh` removes it afterwards). Each
//! input picks one of them and a list of edits to its files; the exporter
//! then replays that tree with every collector on (`Root::replay` +
//! `Exporter::render`: hwmon, thermal, thermal_zone, jetson, rpi, nvme, gpu
//! from the recorded `nvidia-smi` output, and the rest) and must not panic.
//! Collector errors are fine. After the run the edits are undone.
//!
//! Input layout: byte 0 picks the fixture; then repeated records
//! `[file lo, file hi, op, len, len bytes of payload]`, where the file index
//! (mod the fixture's file count, files sorted by path) names the file and
//! `op % 6` is
//! - 0: replace the file's content with the payload;
//! - 1: delete the file (a sensor or interface vanishing);
//! - 2: truncate the file to `payload[0]` bytes (a short read);
//! - 3: create `name` in the file's directory with content `value`, from a
//!   payload `name=value` (any bytes but `/` and NUL, so also names that
//!   are not UTF-8 or hold quotes and line feeds): new hwmon attributes,
//!   thermal zones, nvme controllers, hostile label values;
//! - 4: replace the file with a directory (a read that fails with `EISDIR`);
//! - 5: scrape now, with the same exporter as the final scrape, so that
//!   what collectors keep between scrapes (the hwmon and infiniband scan
//!   caches, jetson and rpi state) meets the edits that follow.
//!
//! Every scrape's text must also be well formed: HELP and TYPE before each
//! family, every sample line ending in a value.

#![no_main]

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use dgx_spark_exporter::collect::{Exporter, Options};
use dgx_spark_exporter::root::Root;
use libfuzzer_sys::fuzz_target;

/// One copied fixture: its root and its regular files, sorted.
struct Tree {
    root: PathBuf,
    files: Vec<PathBuf>,
}

struct State {
    trees: Vec<Tree>,
    opts: Options,
}

/// Copies `from` to `to`, keeping symlinks as symlinks (hwmon `device`
/// links must resolve inside the copy), and lists the regular files.
fn copy_tree(from: &Path, to: &Path, files: &mut Vec<PathBuf>) {
    fs::create_dir_all(to).expect("create scratch dir");
    let mut entries: Vec<_> = fs::read_dir(from)
        .expect("list fixture")
        .map(|e| e.expect("fixture entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let src = e.path();
        let dst = to.join(e.file_name());
        let kind = e.file_type().expect("file type");
        if kind.is_symlink() {
            let target = fs::read_link(&src).expect("read link");
            std::os::unix::fs::symlink(target, &dst).expect("symlink");
        } else if kind.is_dir() {
            copy_tree(&src, &dst, files);
        } else {
            fs::copy(&src, &dst).expect("copy file");
            files.push(dst);
        }
    }
}

fn state() -> &'static State {
    static STATE: OnceLock<State> = OnceLock::new();
    STATE.get_or_init(|| {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let scratch = std::env::var_os("DGX_FUZZ_TREE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                std::env::temp_dir().join(format!("dgx-fuzz-tree-{}", std::process::id()))
            });
        let _ = fs::remove_dir_all(&scratch);
        let mut names: Vec<_> = fs::read_dir(&fixtures)
            .expect("list fixtures")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.join("PROVENANCE.md").is_file())
            .collect();
        names.sort();
        let trees = names
            .iter()
            .map(|src| {
                let root = scratch.join(src.file_name().expect("fixture name"));
                let mut files = Vec::new();
                copy_tree(src, &root, &mut files);
                Tree { root, files }
            })
            .collect();
        State {
            trees,
            opts: Options::default(),
        }
    })
}

/// What a path held before the first edit of this run.
struct Saved {
    path: PathBuf,
    content: Option<Vec<u8>>,
}

fn save(saved: &mut Vec<Saved>, path: &Path) {
    if saved.iter().any(|s| s.path == path) {
        return;
    }
    saved.push(Saved {
        path: path.to_path_buf(),
        content: fs::read(path).ok(),
    });
}

fn restore(saved: Vec<Saved>) {
    for s in saved.into_iter().rev() {
        if s.path.is_dir() && !s.path.is_symlink() {
            let _ = fs::remove_dir_all(&s.path);
        }
        match s.content {
            Some(c) => fs::write(&s.path, c).expect("restore file"),
            None => {
                let _ = fs::remove_file(&s.path);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let st = state();
    let Some((&pick, mut rest)) = data.split_first() else {
        return;
    };
    let tree = &st.trees[usize::from(pick) % st.trees.len()];
    let mut saved = Vec::new();
    let exporter = Exporter::new(Root::replay(&tree.root), st.opts.clone());
    while let [lo, hi, op, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(n);
        rest = next;
        let index = usize::from(u16::from_le_bytes([*lo, *hi])) % tree.files.len();
        let file = &tree.files[index];
        match op % 6 {
            0 => {
                save(&mut saved, file);
                let _ = fs::write(file, payload);
            }
            1 => {
                save(&mut saved, file);
                let _ = fs::remove_file(file);
            }
            2 => {
                save(&mut saved, file);
                if let Ok(c) = fs::read(file) {
                    let cut = usize::from(payload.first().copied().unwrap_or(0)).min(c.len());
                    let _ = fs::write(file, &c[..cut]);
                }
            }
            3 => {
                let (name, value) = match payload.iter().position(|&b| b == b'=') {
                    Some(at) => (&payload[..at], &payload[at + 1..]),
                    None => (payload, &b"1\n"[..]),
                };
                let name: Vec<u8> = name
                    .iter()
                    .copied()
                    .filter(|&b| b != b'/' && b != 0)
                    .collect();
                if name.is_empty() || name == b"." || name == b".." {
                    continue;
                }
                let Some(dir) = file.parent() else { continue };
                let new = dir.join(OsStr::from_bytes(&name));
                if new.is_dir() {
                    continue;
                }
                save(&mut saved, &new);
                let _ = fs::write(&new, value);
            }
            4 => {
                save(&mut saved, file);
                if fs::remove_file(file).is_ok() {
                    let _ = fs::create_dir(file);
                }
            }
            _ => check_text(&exporter.render()),
        }
    }
    check_text(&exporter.render());
    restore(saved);
});

/// The exposition is well formed: a `# HELP` and `# TYPE` line before each
/// family's samples, every sample line `name[{labels}] value` with a value
/// the text format allows. (`tests/expo_roundtrip.rs` checks the writer
/// in depth; this catches a collector feeding it something it cannot
/// write.)
fn check_text(text: &str) {
    assert!(text.ends_with('\n'), "no final line feed");
    let mut family = "";
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            family = rest.split(' ').next().unwrap_or("");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            assert!(rest.starts_with(family), "TYPE without HELP: {line:?}");
            continue;
        }
        assert!(
            line.starts_with(family)
                && matches!(line.as_bytes().get(family.len()), Some(b'{' | b' ')),
            "sample outside its family {family}: {line:?}"
        );
        let (_, value) = line.rsplit_once(' ').expect("a value");
        assert!(
            matches!(value, "NaN" | "+Inf" | "-Inf") || value.parse::<f64>().is_ok(),
            "bad value in {line:?}"
        );
    }
}
