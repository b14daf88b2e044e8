#!/usr/bin/env bash
# cpu-per-scrape.sh — CPU time per scrape of this exporter and of Debian's
# node_exporter 1.5.0 (/usr/bin/prometheus-node-exporter), side by side in one
# run on the live host (--root /), with the same collectors enabled in both:
#   cpu stat meminfo loadavg diskstats netdev netclass filesystem thermal_zone
#   hwmon cpufreq pressure uname infiniband
# node_exporter otherwise runs with its defaults (netdev via netlink, as a real
# user runs it), plus --web.max-requests=0.
# How: both listen on free loopback ports; each gets 20 warm-up scrapes, then N
# scrapes alternate between the two (curl -sf -o /dev/null). Each process's CPU
# time is utime+stime (/proc/PID/stat fields 14 and 15, all threads, in clock
# ticks of 1/getconf CLK_TCK s) read before and after the N scrapes; wall time
# is each curl's duration, summed per exporter. Series = non-comment lines of
# one scrape (node_exporter's include its own go_*, process_* and promhttp_*).
# CPU ticks are 10 ms at CLK_TCK=100, so N=500 resolves 0.02 ms/scrape (N=300:
# 0.033 ms); the ratio is coarse for the cheaper exporter when N is small.
# Usage: scripts/cpu-per-scrape.sh [SCRAPES]   (default 500). Needs curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
scrapes=${1:-500}
node_bin=/usr/bin/prometheus-node-exporter

if [[ ! -x $node_bin ]]; then
  echo "error: $node_bin not found (apt-get install prometheus-node-exporter); nothing to compare against" >&2
  exit 1
fi

cargo build --release --locked --quiet
bin=target/release/dgx-spark-exporter

# Two distinct free loopback ports, never 9100 or 9835.
read -r port port2 < <(python3 -c '
import socket
socks = []
while len(socks) < 2:
    s = socket.socket(); s.bind(("127.0.0.1", 0))
    if s.getsockname()[1] not in (9100, 9835): socks.append(s)
print(*(s.getsockname()[1] for s in socks))')

collectors=(--collector.disable-defaults --collector.cpu --collector.stat --collector.meminfo
  --collector.loadavg --collector.diskstats --collector.netdev --collector.netclass
  --collector.filesystem --collector.thermal_zone --collector.hwmon --collector.cpufreq
  --collector.pressure --collector.uname --collector.infiniband)
node_extra=()
if "$node_bin" --help 2>&1 | grep -q -- '--web.max-requests'; then node_extra+=(--web.max-requests=0); fi

pid='' pid2=''
cleanup() {
  for p in $pid $pid2; do kill "$p" 2>/dev/null || true; done
  for p in $pid $pid2; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

"$bin" --root / --web.listen-address "127.0.0.1:$port" --log.level warn "${collectors[@]}" &
pid=$!
"$node_bin" "${collectors[@]}" --web.listen-address "127.0.0.1:$port2" --log.level=warn "${node_extra[@]}" &
pid2=$!

url="http://127.0.0.1:$port/metrics"
url2="http://127.0.0.1:$port2/metrics"
wait_up() {
  for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "error: $1 did not answer within 10 s" >&2
  exit 1
}
wait_up "$url"
wait_up "$url2"

for _ in $(seq 20); do curl -sf -o /dev/null "$url"; curl -sf -o /dev/null "$url2"; done

# utime + stime of a process, in clock ticks. The comm field may hold spaces,
# so split after its closing parenthesis: field 3 is then index 0.
cpu_ticks() {
  local stat f
  stat=$(<"/proc/$1/stat")
  read -ra f <<<"${stat##*) }"
  echo $((f[11] + f[12]))
}

wall=0 wall2=0
c0=$(cpu_ticks "$pid")
n0=$(cpu_ticks "$pid2")
for _ in $(seq "$scrapes"); do
  t=${EPOCHREALTIME/[.,]/}
  curl -sf -o /dev/null "$url"
  t1=${EPOCHREALTIME/[.,]/}
  curl -sf -o /dev/null "$url2"
  t2=${EPOCHREALTIME/[.,]/}
  wall=$((wall + 10#$t1 - 10#$t))
  wall2=$((wall2 + 10#$t2 - 10#$t1))
done
c1=$(cpu_ticks "$pid")
n1=$(cpu_ticks "$pid2")

series=$(curl -sf "$url" | grep -vc '^#' || true)
series2=$(curl -sf "$url2" | grep -vc '^#' || true)
hz=$(getconf CLK_TCK)

printf 'host: %s, nproc %s; %s\n' "$(uname -m)" "$(nproc)" \
  "$("$node_bin" --version 2>&1 | head -n 1)"
printf 'scrapes per exporter (alternating):   %s\n' "$scrapes"
awk -v s="$scrapes" -v hz="$hz" -v c="$((c1 - c0))" -v n="$((n1 - n0))" \
  -v w="$wall" -v w2="$wall2" -v se="$series" -v se2="$series2" 'BEGIN {
  cms = c * 1000 / hz / s; nms = n * 1000 / hz / s
  printf "%-22s %9s %9s %8s %8s\n", "", "CPU ms", "wall ms", "series", "ticks"
  printf "%-22s %9.3f %9.3f %8d %8d\n", "dgx-spark-exporter", cms, w / 1000 / s, se, c
  printf "%-22s %9.3f %9.3f %8d %8d\n", "node_exporter 1.5.0", nms, w2 / 1000 / s, se2, n
  printf "(per scrape; 1 tick = %.0f ms, resolution %.3f ms/scrape)\n", 1000 / hz, 1000 / hz / s
  if (c > 0) printf "ratio node_exporter CPU / dgx-spark-exporter CPU: %.1fx\n", n / c
  else printf "ratio node_exporter CPU / dgx-spark-exporter CPU: > %d (exporter used < 1 tick)\n", n
}'
