#!/usr/bin/env bash
# soak.sh — scrape the release exporter N times and report whether its
# resident memory and open file descriptors stay flat.
#
# The exporter serves ROOT (default fixtures/spark: every collector active,
# the GPU replayed) on a free loopback port. A Python client scrapes
# /metrics N times from CONCURRENCY threads (default 1), each scrape on a new
# connection (KEEPALIVE=1: one keep-alive connection per thread, as
# Prometheus scrapes), checks each
# answer is 200 with a non-empty body, and prints at the start and at ten
# checkpoints: scrapes done, VmRSS and VmHWM (KiB, /proc/PID/status), open
# fds (/proc/PID/fd), threads, and the scrape rate. At the end:
# /proc/PID/smaps_rollup (Rss split into anonymous and file-backed), the
# machine's load average, and the verdict against the issue's targets (RSS
# under 4 MB = 4096 KiB after N scrapes; fds equal before and after).
#
# Usage: scripts/soak.sh [N]                   (default 100000)
#   BIN=dist/dgx-spark-exporter-x86_64 scripts/soak.sh 100000   (the shipped
#   static musl binary, from `make x86_64`; default: target/release, built
#   here with glibc)
#   ROOT=fixtures/jetson-agx-orin CONCURRENCY=4 scripts/soak.sh 20000
# (KEEPALIVE=1 was once 10x slower: with tiny_http the response's last
# partial segment waited for the client's delayed ACK. src/http.rs sets
# TCP_NODELAY; 2,000 keep-alive scrapes of fixtures/spark now run at 275/s,
# faster than new connections.)
# Needs python3. Exit status 1 when a scrape failed or fds grew; RSS is
# reported, not enforced (it depends on the libc's allocator).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
root=${ROOT:-fixtures/spark}
conc=${CONCURRENCY:-1}
keepalive=${KEEPALIVE:-0}
bin=${BIN:-}
if [[ -z $bin ]]; then
  cargo build --release --locked --quiet
  bin=target/release/dgx-spark-exporter
fi
[[ -x $bin ]] || { echo "error: $bin not found or not executable" >&2; exit 2; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" --root "$root" --web.listen-address "127.0.0.1:$port" --log.level warn &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT

mode=$([[ $keepalive == 1 ]] && echo "keep-alive connection" || echo "thread(s), a new connection each scrape")
echo "soak: $bin ($(stat -c %s "$bin") bytes), --root $root, pid $pid, $n scrapes from $conc $mode"
echo "machine: $(uname -m), nproc $(nproc), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$pid" "$port" "$n" "$conc" "$keepalive" <<'EOF'
import http.client, os, sys, threading, time

pid, port, n, conc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
keepalive = sys.argv[5] == "1"

def status():
    f = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        f[k] = v.split()[0] if v.split() else ""
    return int(f["VmRSS"]), int(f["VmHWM"]), int(f["Threads"])

def fds():
    return len(os.listdir(f"/proc/{pid}/fd"))

# Wait until it answers.
deadline = time.time() + 10
while True:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", "/metrics"); r = c.getresponse(); r.read(); c.close()
        if r.status == 200: break
    except OSError:
        pass
    if time.time() > deadline: sys.exit("exporter did not answer within 10 s")
    time.sleep(0.1)

done = 0; errors = []; lock = threading.Lock()
start = time.perf_counter()

def row(label):
    rss, hwm, thr = status()
    el = time.perf_counter() - start
    rate = done / el if el > 0 else 0
    print(f"{label:>10} {done:>9} {rss:>9} {hwm:>9} {fds():>5} {thr:>7} {el:>8.1f} {rate:>8.0f}", flush=True)
    return rss, fds()

print(f"{'':>10} {'scrapes':>9} {'RSS KiB':>9} {'HWM KiB':>9} {'fds':>5} {'threads':>7} {'s':>8} {'per s':>8}")
rss0, fds0 = row("before")
checkpoints = sorted({max(1, n * k // 10) for k in range(1, 11)})

def worker(count):
    global done
    c = None
    for _ in range(count):
        for attempt in range(3):
            try:
                if c is None:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                c.request("GET", "/metrics")
                r = c.getresponse(); body = r.read()
                if r.status != 200 or not body:
                    with lock: errors.append(f"status {r.status}, {len(body)} bytes")
                if not keepalive or r.getheader("connection", "").lower() == "close":
                    c.close(); c = None
                break
            except (OSError, http.client.HTTPException) as e:
                if c: c.close()
                c = None
                if attempt == 2:
                    with lock: errors.append(repr(e))
        with lock:
            done += 1
            if done in checkpoints and conc == 1:
                row("")
    if c: c.close()

per = [n // conc + (1 if i < n % conc else 0) for i in range(conc)]
threads = [threading.Thread(target=worker, args=(k,)) for k in per]
for t in threads: t.start()
if conc > 1:
    next_cp = 0
    while any(t.is_alive() for t in threads):
        time.sleep(0.2)
        while next_cp < len(checkpoints) and done >= checkpoints[next_cp]:
            row(""); next_cp += 1
for t in threads: t.join()
elapsed = time.perf_counter() - start
time.sleep(0.5)  # let connection threads exit
rss1, fds1 = row("after")
print(f"\n{n} scrapes in {elapsed:.1f} s ({n/elapsed:.0f}/s, {elapsed/n*1000:.2f} ms each), {len(errors)} failed")
for e in errors[:5]: print("  failure:", e)
print(f"/proc/{pid}/smaps_rollup:")
for line in open(f"/proc/{pid}/smaps_rollup"):
    if line.split(":")[0] in ("Rss", "Pss", "Pss_Anon", "Pss_File", "Anonymous", "Private_Dirty", "Shared_Clean"):
        print("  " + line.strip())
print(f"load after: {open('/proc/loadavg').read().split()[:3]}")
print(f"RSS {rss0} -> {rss1} KiB ({rss1 - rss0:+d}); target under 4096 KiB: {'met' if rss1 < 4096 else 'NOT met'}")
print(f"fds {fds0} -> {fds1}: {'flat' if fds1 <= fds0 else 'GREW'}")
sys.exit(1 if errors or fds1 > fds0 else 0)
EOF
