#!/bin/sh
# Runs every fuzz target in turn, one at a time, at nice 19, for SECONDS each
# (default 600), and logs per target: seconds, runs, executions, corpus
# size, crashes. Targets run in the order of fuzz/targets.txt (the issue's
# list first) unless named on the command line.
#
# Usage: fuzz/run-all.sh [SECONDS] [TARGET...]
#   nohup fuzz/run-all.sh 600 >/dev/null 2>&1 &     # the full run, in the background
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz
# --locked`). Builds once (release, debug assertions and overflow checks on,
# no sanitizer: the parsers are safe Rust, and without ASan a shared machine
# runs several times more inputs), then runs the built binaries directly, so
# editing the sources during a run does not rebuild anything under it.
#
# Output, under fuzz/logs/:
#   summary.log      one line per finished target (appended, never cleared)
#   <target>.log     libFuzzer's own output for the last run of that target
# Crash inputs land in fuzz/artifacts/<target>/crash-*; reproduce one with
#   fuzz/target/x86_64-unknown-linux-gnu/release/<target> fuzz/artifacts/<target>/crash-...
set -u
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-$(cat targets.txt)}
mkdir -p logs artifacts
summary=logs/summary.log
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin=target/$triple/release

./seed.sh >/dev/null
echo "# $(date -Is) build: cargo +nightly fuzz build -O -a -s none" >>"$summary"
if ! nice -n 19 cargo +nightly fuzz build -O -a -s none >logs/build.log 2>&1; then
    echo "# $(date -Is) build failed, see fuzz/logs/build.log" >>"$summary"
    exit 1
fi

for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    before=$(ls "artifacts/$t" | grep -c '^crash-\|^oom-\|^timeout-' || true)
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/dgx-fuzz-$t.XXXXXX")
    start=$(date +%s)
    DGX_FUZZ_TREE_DIR="$scratch/tree" nice -n 19 "$bin/$t" "corpus/$t" \
        -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 \
        -artifact_prefix="artifacts/$t/" >"logs/$t.log" 2>&1
    rc=$?
    end=$(date +%s)
    rm -rf "$scratch"
    after=$(ls "artifacts/$t" | grep -c '^crash-\|^oom-\|^timeout-' || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$t.log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "logs/$t.log" | tail -1)
    units=$(ls "corpus/$t" | wc -l)
    printf '%s target=%s seconds=%s execs=%s exec_per_s=%s corpus=%s new_crashes=%s exit=%s\n' \
        "$(date -Is)" "$t" "$((end - start))" "${execs:-?}" "${rate:-?}" "$units" \
        "$((after - before))" "$rc" >>"$summary"
done
echo "# $(date -Is) done" >>"$summary"
