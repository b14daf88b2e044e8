//! The shipped binaries: the static aarch64 build, run under
//! `qemu-aarch64-static` on every fixture, prints byte for byte what the
//! native static build prints (volatile families aside); and `make deploy`
//! stops at the first failing host and names it.
//!
//! The binaries come from `make aarch64 x86_64` (`dist/`). Without them or
//! without qemu the cross check says so and is skipped, unless
//! `DGX_SPARK_EXPORTER_CROSS_CHECK=1` (set by `.ci/run` once it has built
//! both and installed qemu), which makes their absence a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn dist(arch: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("dist/dgx-spark-exporter-{arch}"))
}

fn once(program: &str, args: &[&str], fixture: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .arg("--root")
        .arg(fixture)
        .arg("--once")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} on {}: {:?}",
        fixture.display(),
        out
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn aarch64_build_under_qemu_prints_what_the_native_build_prints() {
    let required = std::env::var_os("DGX_SPARK_EXPORTER_CROSS_CHECK").is_some();
    let (arm, x86) = (dist("aarch64"), dist("x86_64"));
    let qemu = Command::new("qemu-aarch64-static")
        .arg("--version")
        .output()
        .is_ok();
    if !(arm.exists() && x86.exists() && qemu) {
        assert!(
            !required,
            "need dist/ binaries (make aarch64 x86_64) and qemu-aarch64-static"
        );
        eprintln!("skipped: run `make aarch64 x86_64` and install qemu-user-static");
        return;
    }
    let mut checked = 0;
    for entry in std::fs::read_dir(common::fixture("")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("PROVENANCE.md").exists() {
            continue;
        }
        let native = common::without_volatile(&once(x86.to_str().unwrap(), &[], &dir));
        let emulated =
            common::without_volatile(&once("qemu-aarch64-static", &[arm.to_str().unwrap()], &dir));
        assert!(native.contains("cpu_usage_percent"), "{native}");
        assert_eq!(emulated, native, "{}", dir.display());
        // And both are built from the code under test, not a stale dist/.
        let library = common::without_volatile(&common::render_fixture(&dir));
        assert_eq!(native, library, "dist/ is stale: run make aarch64 x86_64");
        checked += 1;
    }
    assert!(checked >= 2);
}

/// Writes an executable shell script.
fn script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn deploy(dir: &Path, hosts: &str) -> std::process::Output {
    Command::new("make")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("--no-print-directory")
        .arg("deploy")
        .arg(format!("HOSTS={hosts}"))
        .arg(format!("SSH={}", dir.join("ssh").display()))
        .arg(format!("SCP={}", dir.join("scp").display()))
        .arg(format!("DIST={}", dir.join("dist").display()))
        .output()
        .unwrap()
}

#[test]
fn deploy_stops_at_the_first_failing_host_and_names_it() {
    let dir = common::tmp_dir("deploy");
    std::fs::create_dir_all(dir.join("dist")).unwrap();
    script(&dir.join("dist/dgx-spark-exporter-aarch64"), "exit 0");
    let log = dir.join("log");
    // Fake ssh and scp: log each host contacted; host `down` is unreachable.
    script(
        &dir.join("scp"),
        &format!(
            "for a; do last=$a; done; host=${{last%%:*}}; echo \"scp $host\" >> {log}; \
             [ \"$host\" != down ]",
            log = log.display()
        ),
    );
    script(
        &dir.join("ssh"),
        &format!(
            "echo \"ssh $1\" >> {log}; [ \"$1\" != down ]",
            log = log.display()
        ),
    );

    let ok = deploy(&dir, "spark1 spark2");
    assert!(ok.status.success(), "{ok:?}");
    let again = deploy(&dir, "spark1 spark2");
    assert!(again.status.success(), "deploying twice is fine: {again:?}");

    std::fs::remove_file(&log).unwrap();
    let failed = deploy(&dir, "spark1 down spark3");
    assert!(!failed.status.success());
    let stdout = String::from_utf8_lossy(&failed.stdout);
    assert!(stdout.contains("FAILED on down"), "{stdout}");
    let contacted = std::fs::read_to_string(&log).unwrap();
    assert!(contacted.contains("ssh spark1"), "{contacted}");
    assert!(
        !contacted.contains("spark3"),
        "went on after the failure: {contacted}"
    );
}
