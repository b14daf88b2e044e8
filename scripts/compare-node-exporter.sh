#!/usr/bin/env bash
# compare-node-exporter.sh — this exporter beside Debian's node_exporter
# (/usr/bin/prometheus-node-exporter, 1.5.0) on the live host, with the same
# collectors in both, measured in one run and reported as ratios
# (ours / theirs; below 1 is better for every figure):
#   * scrape latency p50 and p99 with 1 and with 8 concurrent scrapers,
#     each scrape on a new connection (as curl); then the same with each
#     scraper on one keep-alive connection (as Prometheus scrapes);
#   * CPU time per scrape: utime + stime of the whole process (all threads,
#     /proc/PID/stat, clock ticks) over the new-connection phases, divided by
#     their scrapes;
#   * resident memory (VmRSS, and the peak VmHWM) after every phase;
#   * the binary's size on disk.
# Collectors, both sides: --collector.disable-defaults plus
#   cpu stat meminfo loadavg diskstats netdev netclass filesystem
#   thermal_zone hwmon cpufreq pressure uname infiniband
# (the node-compatible families; tests/node_compat.rs compares their output
# on every fixture). node_exporter also gets --web.max-requests=0 (no
# concurrency cap: its default 40 does not bind at 8 scrapers anyway).
# Latency is taken by a Python client (time.perf_counter around connect +
# request + full read); the phases alternate ours / theirs. Each exporter
# gets 20 warm-up scrapes first.
#
# Usage: scripts/compare-node-exporter.sh [SCRAPES]   (default 400: scrapes
#   per exporter per phase; the 8-scraper phases make 8 x SCRAPES/8)
#   BIN=target/release/dgx-spark-exporter scripts/compare-node-exporter.sh
#   (default: dist/dgx-spark-exporter-$(uname -m), the static binary `make
#   x86_64` / `make aarch64` ships, when it exists; else target/release,
#   built here)
# Then, in the same run: CPU per scrape with one keep-alive scraper asking
# for gzip, as Prometheus scrapes; and, when wrk is installed, p50/p99 and
# throughput of 8 keep-alive connections driven by wrk (see below).
# Needs python3 (and wrk for the wrk rows). Report the load average it
# prints with the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
scrapes=${1:-400}
node_bin=/usr/bin/prometheus-node-exporter
if [[ ! -x $node_bin ]]; then
  echo "error: $node_bin not found (apt-get install prometheus-node-exporter)" >&2
  exit 1
fi
bin=${BIN:-}
if [[ -z $bin ]]; then
  if [[ -x dist/dgx-spark-exporter-$(uname -m) ]]; then
    bin=dist/dgx-spark-exporter-$(uname -m)
  else
    cargo build --release --locked --quiet
    bin=target/release/dgx-spark-exporter
  fi
fi

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

echo "host: $(uname -m), nproc $(nproc), $(uname -r); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ours:   $bin ($(stat -c %s "$bin") bytes)"
echo "theirs: $node_bin ($(stat -c %s "$node_bin") bytes), $("$node_bin" --version 2>&1 | head -n 1)"
python3 - "$pid" "$port" "$pid2" "$port2" "$scrapes" "$bin" "$node_bin" <<'EOF'
import http.client, os, sys, threading, time

pid, port, pid2, port2, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
sizes = (os.path.getsize(sys.argv[6]), os.path.getsize(sys.argv[7]))
hz = os.sysconf("SC_CLK_TCK")

def ticks(p):
    f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])

def mem(p):
    f = dict(l.split(":", 1) for l in open(f"/proc/{p}/status"))
    return int(f["VmRSS"].split()[0]), int(f["VmHWM"].split()[0])

def scrape(port, conn=None, headers={}):
    """One scrape; returns (seconds, connection to reuse or None)."""
    t = time.perf_counter()
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", "/metrics", headers=headers)
    r = c.getresponse(); body = r.read()
    took = time.perf_counter() - t
    if r.status != 200 or not body:
        raise SystemExit(f"port {port}: status {r.status}, {len(body)} bytes")
    if conn is None:
        c.close(); c = None
    return took, c

def wait_up(port):
    deadline = time.time() + 15
    while True:
        try:
            scrape(port); return
        except (OSError, http.client.HTTPException):
            if time.time() > deadline: raise SystemExit(f"port {port} did not answer")
            time.sleep(0.1)

def phase(port, scrapers, keepalive):
    """n scrapes split over `scrapers` threads; returns sorted latencies."""
    lat = []; lock = threading.Lock()
    def work(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60) if keepalive else None
        mine = []
        for _ in range(k):
            t, conn2 = scrape(port, conn)
            if keepalive: conn = conn2
            mine.append(t)
        if conn: conn.close()
        with lock: lat.extend(mine)
    per = [n // scrapers + (1 if i < n % scrapers else 0) for i in range(scrapers)]
    ts = [threading.Thread(target=work, args=(k,)) for k in per]
    for t in ts: t.start()
    for t in ts: t.join()
    return sorted(lat)

def pct(lat, q):
    return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000

for p in (port, port2): wait_up(p)
for _ in range(20):
    scrape(port); scrape(port2)

series = []
for p in (port, port2):
    c = http.client.HTTPConnection("127.0.0.1", p); c.request("GET", "/metrics")
    series.append(sum(1 for l in c.getresponse().read().decode().splitlines() if l and not l.startswith("#")))
    c.close()

rows = []
cpu = {"ours": [0, 0], "theirs": [0, 0]}   # ticks, scrapes
for scrapers, keepalive in ((1, False), (8, False), (1, True), (8, True)):
    res = {}
    for who, p, pp in (("ours", port, pid), ("theirs", port2, pid2)):
        t0 = ticks(pp)
        lat = phase(p, scrapers, keepalive)
        if not keepalive:
            cpu[who][0] += ticks(pp) - t0; cpu[who][1] += len(lat)
        res[who] = (pct(lat, 0.5), pct(lat, 0.99))
    rows.append((scrapers, keepalive, res))

# CPU per scrape as Prometheus scrapes: one keep-alive connection asking
# for gzip (Accept-Encoding: gzip), so compression is in the figure.
gz = {}
for who, p, pp in (("ours", port, pid), ("theirs", port2, pid2)):
    c = http.client.HTTPConnection("127.0.0.1", p, timeout=60)
    t0 = ticks(pp)
    for _ in range(n):
        _, c = scrape(p, c, {"Accept-Encoding": "gzip"})
    gz[who] = (ticks(pp) - t0) * 1000 / hz / n
    c.close()

(r1, h1), (r2, h2) = mem(pid), mem(pid2)
cms = cpu["ours"][0] * 1000 / hz / cpu["ours"][1]
nms = cpu["theirs"][0] * 1000 / hz / cpu["theirs"][1]

print(f"\n{n} scrapes per exporter per phase; series per scrape: ours {series[0]}, theirs {series[1]} (theirs incl. go_*, process_*, promhttp_*)")
print(f"{'figure':<44} {'ours':>10} {'theirs':>10} {'ours/theirs':>12}")
def line(name, a, b, unit):
    print(f"{name:<44} {a:>9.3f}{unit} {b:>9.3f}{unit} {a / b if b else float('nan'):>12.3f}")
for scrapers, keepalive, res in rows:
    how = "keep-alive" if keepalive else "new conn."
    for i, q in ((0, "p50"), (1, "p99")):
        line(f"latency {q}, {scrapers} scraper(s), {how} (ms)", res["ours"][i], res["theirs"][i], " ")
print(f"{'CPU per scrape (ms), new-conn. phases':<44} {cms:>10.3f} {nms:>10.3f} {cms / nms if nms else float('nan'):>12.3f}"
      f"   ({cpu['ours'][0]} / {cpu['theirs'][0]} ticks of {1000 // hz} ms over {cpu['ours'][1]} scrapes)")
line("CPU per scrape (ms), keep-alive + gzip", gz["ours"], gz["theirs"], " ")
print(f"{'RSS after all phases (KiB)':<44} {r1:>10d} {r2:>10d} {r1 / r2:>12.3f}")
print(f"{'peak RSS, VmHWM (KiB)':<44} {h1:>10d} {h2:>10d} {h1 / h2:>12.3f}")
print(f"{'binary size (bytes)':<44} {sizes[0]:>10d} {sizes[1]:>10d} {sizes[0] / sizes[1]:>12.3f}")
print(f"load after: {' '.join(open('/proc/loadavg').read().split()[:3])}")
EOF

# Eight concurrent keep-alive scrapers from a client that is not the
# bottleneck: wrk (C, one event loop) instead of eight Python threads,
# which share one interpreter lock and add their own queueing to every
# latency. Closed loop: each connection asks again as soon as it has its
# answer, for WRK_SECONDS (default 10) per exporter.
if command -v wrk >/dev/null 2>&1; then
  secs=${WRK_SECONDS:-10}
  echo
  echo "wrk -t1 -c8 -d${secs}s --latency (8 keep-alive connections, closed loop):"
  printf '%-44s %10s %10s %12s\n' figure ours theirs ours/theirs
  declare -A w
  for who in ours theirs; do
    p=$port; [[ $who == theirs ]] && p=$port2
    out=$(wrk -t1 -c8 -d"${secs}s" --latency "http://127.0.0.1:$p/metrics")
    w[$who.p50]=$(awk '$1 == "50%" {print $2}' <<<"$out")
    w[$who.p99]=$(awk '$1 == "99%" {print $2}' <<<"$out")
    w[$who.rps]=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  done
  python3 - "${w[ours.p50]}" "${w[theirs.p50]}" "${w[ours.p99]}" "${w[theirs.p99]}" "${w[ours.rps]}" "${w[theirs.rps]}" <<'EOF'
import sys
def ms(v):
    for unit, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if v.endswith(unit):
            return float(v[: -len(unit)]) * f
    raise SystemExit(f"wrk latency {v!r} not understood")
a = sys.argv[1:]
for name, o, t in (("latency p50, 8 conn., keep-alive, wrk (ms)", ms(a[0]), ms(a[1])),
                   ("latency p99, 8 conn., keep-alive, wrk (ms)", ms(a[2]), ms(a[3])),
                   ("scrapes per second, 8 conn., wrk", float(a[4]), float(a[5]))):
    print(f"{name:<44} {o:>10.3f} {t:>10.3f} {o / t:>12.3f}")
EOF
else
  echo "(wrk not installed: apt-get install wrk for the 8-connection wrk figures)"
fi
