//! Helpers for the unit tests that build a root in a temporary directory
//! (the integration tests have their own in `tests/common`).

use std::fs;
use std::path::{Path, PathBuf};

/// A fresh, empty directory `dse-<name>-<pid>` under the system's
/// temporary directory; `name` starts with the test module's own prefix
/// (`root-`, `jetson-`), so that tests running at once never share one.
pub fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dse-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

/// Writes `text` to `rel` under `base`, making the directories it needs.
pub fn write(base: &Path, rel: &str, text: &str) {
    let p = base.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}
