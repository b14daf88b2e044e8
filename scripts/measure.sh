#!/usr/bin/env bash
# measure.sh — the figures the README reports, measured on this machine:
#   * criterion medians of one full collection + exposition of fixtures/spark
#     and of the floor (opening and reading the same files), and their ratio;
#   * the size of the stripped release binary;
#   * the exporter's resident memory after 1,000 scrapes of fixtures/spark.
# Usage: scripts/measure.sh [SCRAPES]   (default 1000). Needs curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
scrapes=${1:-1000}

cargo build --release --locked --quiet
bin=target/release/dgx-spark-exporter
cargo bench --locked --quiet --bench collect >/dev/null 2>&1
median() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['median']['point_estimate']/1000)" \
  "target/criterion/spark/$1/new/estimates.json"; }
collect_us=$(median collect_and_render)
floor_us=$(median floor_open_and_read_files)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" --root fixtures/spark --web.listen-address "127.0.0.1:$port" --log.level warn &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && break; sleep 0.1; done
rss_before=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
for _ in $(seq "$scrapes"); do curl -sf -o /dev/null "http://127.0.0.1:$port/metrics"; done
rss_after=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
fds=$(ls "/proc/$pid/fd" | wc -l)

printf 'collection + exposition, fixtures/spark (median): %.1f us\n' "$collect_us"
printf 'floor, open + read the same files (median):       %.1f us\n' "$floor_us"
python3 -c "print('ratio collection / floor:                         %.2fx' % ($collect_us/$floor_us))"
printf 'release binary (stripped, %s):            %s bytes\n' "$(uname -m)" "$(stat -c %s "$bin")"
printf 'RSS after first scrape:                           %s KiB\n' "$rss_before"
printf 'RSS after %s more scrapes:                      %s KiB\n' "$scrapes" "$rss_after"
printf 'open file descriptors after:                      %s\n' "$fds"
