//! Embeds the git revision in the binary for `dgx_spark_exporter_build_info`.
//!
//! `DGX_SPARK_EXPORTER_REVISION` in the environment wins (for builds from a
//! tarball); otherwise `git rev-parse --short=12 HEAD`; otherwise `unknown`.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=DGX_SPARK_EXPORTER_REVISION");
    for path in [".git/HEAD", ".git/refs/heads", ".git/packed-refs"] {
        if Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    let revision = std::env::var("DGX_SPARK_EXPORTER_REVISION")
        .ok()
        .or_else(|| {
            let out = Command::new("git")
                .args(["rev-parse", "--short=12", "HEAD"])
                .output()
                .ok()?;
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        });
    let revision = revision
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=DGX_SPARK_EXPORTER_REVISION={revision}");
}
