//! Hostile clients against the real binary (issue 6, "HTTP that holds"):
//! the probes of `shared/tools/hostile-http.sh` (slowloris idle and
//! trickled, huge heads, 100 MiB bodies, garbage, path traversal, unknown
//! paths, methods, fd and RSS leaks over 1,000 scrapes), rewritten here so
//! that a clean clone runs them. Each test starts its own exporter on
//! 127.0.0.1:0 replaying `fixtures/spark`. Every wait is bounded; no
//! assertion is about speed.
//!
//! When the script itself is present (`../shared/tools/hostile-http.sh`
//! beside the repository, or `$HOSTILE_HTTP_SCRIPT`) and `python3` is
//! installed, [`the_hostile_http_script_passes_when_present`] also runs it,
//! with shorter windows; otherwise that test says it skipped.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dgx-spark-exporter");
/// The server's default `--web.read-timeout`.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Bound on any one exchange (no probe needs more than the read timeout).
const LIMIT: Duration = Duration::from_secs(20);

/// A running exporter; killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// Starts the binary on 127.0.0.1:0 replaying `fixtures/spark` and reads
    /// its address from the "listening on" log line.
    fn start() -> Server {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/spark");
        let mut cmd = Command::new(BIN);
        cmd.args(["--web.listen-address", "127.0.0.1:0", "--log.level", "info"])
            .arg("--root")
            .arg(&root);
        // The log is drained by a thread, so the server never blocks on a
        // full pipe.
        let (child, _log, addr) = common::spawn_listening(&mut cmd, LIMIT);
        Server {
            child,
            addr: addr.parse().unwrap(),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn assert_alive(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "the exporter exited"
        );
    }

    /// Open file descriptors of the server.
    fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .unwrap()
            .count()
    }

    /// Threads of the server.
    fn threads(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/task", self.pid()))
            .unwrap()
            .count()
    }

    /// Resident set of the server, kB.
    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .unwrap()
            .parse()
            .unwrap()
    }

    /// One scrape on a fresh connection: asserts 200 and a body.
    fn scrape_ok(&self) {
        match exchange(self.addr, &request("GET", "/metrics", ""), LIMIT) {
            Outcome::Response { status, body, .. } => {
                assert_eq!(status, 200);
                assert!(body.len() > 1000, "a short body: {} bytes", body.len());
            }
            other => panic!("scrape: {other:?}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn request(method: &str, path: &str, extra: &str) -> Vec<u8> {
    format!("{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{extra}\r\n")
        .into_bytes()
}

#[derive(Debug)]
enum Outcome {
    /// A complete response (head lower-cased).
    Response {
        status: u16,
        head: String,
        body: Vec<u8>,
    },
    /// Closed without a (complete) response.
    Closed,
    /// Reset by the server.
    Reset,
    /// Neither answered nor closed within the limit.
    TimedOut,
}

impl Outcome {
    fn status(&self) -> Option<u16> {
        match self {
            Outcome::Response { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The response at the start of `raw`, if complete (every response of ours
/// has a `Content-Length`).
fn parse_response(raw: &[u8]) -> Option<Outcome> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]).to_lowercase();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let body = raw.get(end + 4..end + 4 + len)?.to_vec();
    Some(Outcome::Response { status, head, body })
}

/// Sends `payload` (ignoring a send that fails because the server stopped
/// reading) and waits up to `limit` for a response or a close.
fn exchange(addr: SocketAddr, payload: &[u8], limit: Duration) -> Outcome {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_write_timeout(Some(limit)).unwrap();
    for piece in payload.chunks(64 * 1024) {
        if s.write_all(piece).is_err() {
            break;
        }
    }
    read_outcome(&mut s, limit)
}

fn read_outcome(s: &mut TcpStream, limit: Duration) -> Outcome {
    let deadline = Instant::now() + limit;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return parse_response(&raw).unwrap_or(Outcome::TimedOut);
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut chunk) {
            Ok(0) => return parse_response(&raw).unwrap_or(Outcome::Closed),
            Ok(n) => {
                raw.extend_from_slice(&chunk[..n]);
                if let Some(r) = parse_response(&raw) {
                    return r;
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return parse_response(&raw).unwrap_or(Outcome::Reset),
        }
    }
}

/// Whether the server has closed `s` (EOF, reset, or an answer such as 408
/// followed by EOF) by `deadline`.
fn closed_by(s: &mut TcpStream, deadline: Instant) -> bool {
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut chunk) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return true,
        }
    }
}

/// 200 connections that send nothing (or, `trickle`, a partial request and
/// one more header line a second) for 3 s: the server spawns no thread for
/// them, answers 3 scrapes meanwhile, and has dropped every one of them
/// within the read timeout (plus slack).
fn slowloris(trickle: bool) {
    let mut server = Server::start();
    let threads = server.threads();
    let mut attack: Vec<TcpStream> = (0..200)
        .map(|_| TcpStream::connect_timeout(&server.addr, Duration::from_secs(5)).unwrap())
        .collect();
    let started = Instant::now();
    if trickle {
        for s in &mut attack {
            let _ = s.write_all(b"GET /metrics HTTP/1.1\r\nHost: test\r\n");
        }
    }
    for round in 1..=3 {
        thread::sleep(Duration::from_secs(1));
        if trickle {
            for s in &mut attack {
                let _ = write!(s, "X-Slow-{round}: {round}\r\n");
            }
        }
        server.scrape_ok();
        assert!(
            server.threads() <= threads,
            "threads {threads} -> {} under 200 connections",
            server.threads()
        );
    }
    let deadline = started + READ_TIMEOUT + Duration::from_secs(10);
    let open = attack
        .iter_mut()
        .map(|s| closed_by(s, deadline))
        .filter(|closed| !closed)
        .count();
    assert_eq!(
        open, 0,
        "attack connections still open after the read timeout"
    );
    server.scrape_ok();
    server.assert_alive();
}

#[test]
fn slowloris_idle_connections_neither_block_scrapes_nor_stay_open() {
    slowloris(false);
}

#[test]
fn slowloris_trickled_headers_neither_block_scrapes_nor_stay_open() {
    slowloris(true);
}

/// `431`, or a close while we were still sending (the answer may then be
/// lost to a reset): never a hang.
fn assert_refused_as_too_large(what: &str, o: &Outcome) {
    match o {
        Outcome::Response { status, .. } => assert_eq!(*status, 431, "{what}"),
        Outcome::Closed | Outcome::Reset => {}
        Outcome::TimedOut => panic!("{what}: neither answered nor closed"),
    }
}

#[test]
fn huge_heads_are_refused_with_431() {
    let mut server = Server::start();
    let mut big = b"GET /metrics HTTP/1.1\r\nHost: test\r\nX-Big: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 1 << 20));
    big.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    assert_refused_as_too_large("1 MiB header", &exchange(server.addr, &big, LIMIT));
    let many: String = (0..10_000).map(|i| format!("X-H{i}: v\r\n")).collect();
    let o = exchange(server.addr, &request("GET", "/metrics", &many), LIMIT);
    assert_refused_as_too_large("10000 headers", &o);
    let url = format!("/metrics?{}", "a".repeat(64 * 1024));
    let o = exchange(server.addr, &request("GET", &url, ""), LIMIT);
    assert_refused_as_too_large("64 KiB URL", &o);
    // Just under the limits is fine.
    let some: String = (0..40)
        .map(|i| format!("X-H{i}: {}\r\n", "v".repeat(100)))
        .collect();
    let o = exchange(server.addr, &request("GET", "/metrics", &some), LIMIT);
    assert_eq!(o.status(), Some(200));
    server.scrape_ok();
    server.assert_alive();
}

/// Streams a 100 MiB POST body in 64 KiB pieces while sampling the
/// server's RSS; returns (outcome, MiB the server let us send, RSS growth
/// in kB).
fn post_100_mib(server: &Server, chunked: bool) -> (Outcome, usize, u64) {
    let framing = if chunked {
        "Transfer-Encoding: chunked\r\n".to_string()
    } else {
        format!("Content-Length: {}\r\n", 100 << 20)
    };
    let rss0 = server.rss_kb();
    let mut peak = rss0;
    let mut s = TcpStream::connect_timeout(&server.addr, Duration::from_secs(5)).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut sent = 0usize;
    let piece = vec![0u8; 64 * 1024];
    let mut ok = s.write_all(&request("POST", "/metrics", &framing)).is_ok();
    while ok && sent < 100 << 20 {
        ok = if chunked {
            s.write_all(format!("{:x}\r\n", piece.len()).as_bytes())
                .and_then(|_| s.write_all(&piece))
                .and_then(|_| s.write_all(b"\r\n"))
                .is_ok()
        } else {
            s.write_all(&piece).is_ok()
        };
        sent += piece.len();
        if sent % (4 << 20) == 0 {
            peak = peak.max(server.rss_kb());
        }
    }
    if ok && chunked {
        let _ = s.write_all(b"0\r\n\r\n");
    }
    let outcome = read_outcome(&mut s, LIMIT);
    peak = peak.max(server.rss_kb());
    (outcome, sent >> 20, peak.saturating_sub(rss0))
}

#[test]
fn request_bodies_are_never_read_into_memory() {
    let mut server = Server::start();
    server.scrape_ok();
    for chunked in [false, true] {
        let (outcome, mib, grew) = post_100_mib(&server, chunked);
        assert!(
            matches!(outcome.status(), Some(405) | None) && !matches!(outcome, Outcome::TimedOut),
            "chunked={chunked}: {outcome:?}"
        );
        assert!(grew < 50 * 1024, "chunked={chunked}: RSS grew {grew} kB");
        assert!(
            mib < 100,
            "chunked={chunked}: the server read all {mib} MiB"
        );
        server.scrape_ok();
    }
    server.assert_alive();
}

#[test]
fn garbage_is_answered_or_closed_never_held() {
    let mut server = Server::start();
    let host = "Host: test\r\n";
    let mut random = Vec::with_capacity(4100);
    let mut x: u32 = 20240601;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        random.push((x >> 16) as u8);
    }
    random.extend_from_slice(b"\r\n\r\n");
    let tls_hello = b"\x16\x03\x01\x01\x2c\x01\x00\x01\x28\x03\x03".to_vec();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("random binary", random, 400),
        ("TLS ClientHello", tls_hello, 400),
        (
            "HTTP/2 preface",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
            400,
        ),
        (
            "bad version",
            format!("GET /metrics HTTP/9.9\r\n{host}\r\n").into_bytes(),
            400,
        ),
        (
            "NUL bytes",
            b"GET \0\0 HTTP/1.1\r\nHost: \0\r\n\r\n".to_vec(),
            400,
        ),
        (
            "header without colon",
            format!("GET /metrics HTTP/1.1\r\n{host}this is not a header\r\n\r\n").into_bytes(),
            400,
        ),
        (
            "no Host, HTTP/1.0",
            b"GET /metrics HTTP/1.0\r\n\r\n".to_vec(),
            200,
        ),
        (
            "bare LF",
            b"GET /metrics HTTP/1.1\nHost: test\nConnection: close\n\n".to_vec(),
            200,
        ),
        (
            "CL+TE smuggling shape",
            request(
                "POST",
                "/metrics",
                "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
            )
            .into_iter()
            .chain(*b"0\r\n\r\n")
            .collect(),
            405,
        ),
        (
            "Content-Length: -1",
            request("POST", "/metrics", "Content-Length: -1\r\n"),
            405,
        ),
        (
            "Content-Length: 2^70",
            request(
                "POST",
                "/metrics",
                "Content-Length: 1180591620717411303424\r\n",
            ),
            405,
        ),
        // Waits for a request line until the read timeout, then 408.
        ("only CRLFs", b"\r\n".repeat(1000), 408),
    ];
    for (what, payload, want) in cases {
        let o = exchange(server.addr, &payload, LIMIT);
        assert_eq!(o.status(), Some(want), "{what}: {o:?}");
        server.assert_alive();
    }
    server.scrape_ok();
}

/// No response body may contain what `/etc/passwd` or an environment
/// holds.
fn leaks(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    text.contains("root:") || text.contains("PATH=/") || text.contains("HOME=/")
}

#[test]
fn traversal_unknown_paths_and_methods() {
    let mut server = Server::start();
    let addr = server.addr;
    for path in [
        "/../../etc/passwd",
        "/metrics/../../etc/shadow",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/..\\..\\..\\etc\\passwd",
        "/./././etc/passwd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/proc/self/environ",
        "/static/../../../../etc/passwd",
        "/etc/passwd%00.html",
        "/nonexistent-12345",
        "/metricsx",
        "/metrics/",
        "/.env",
        "/favicon.ico",
        "/api/v1/query",
    ] {
        match exchange(addr, &request("GET", path, ""), LIMIT) {
            Outcome::Response { status, body, .. } => {
                assert_eq!(status, 404, "{path}");
                assert!(!leaks(&body), "{path}");
            }
            other => panic!("{path}: {other:?}"),
        }
    }
    let o = exchange(
        addr,
        &request("GET", "/metrics?file=../../etc/passwd", ""),
        LIMIT,
    );
    assert_eq!(o.status(), Some(200));
    let marker = "hostile-marker-4711";
    for method in [
        "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOOBAR", "get",
    ] {
        let extra = format!("Content-Length: 0\r\nX-Marker: {marker}\r\n");
        match exchange(addr, &request(method, "/metrics", &extra), LIMIT) {
            Outcome::Response { status, head, body } => {
                assert_eq!(status, 405, "{method}");
                assert!(head.contains("\r\nallow: get, head"), "{method}: {head}");
                assert!(!String::from_utf8_lossy(&body).contains(marker), "{method}");
            }
            other => panic!("{method}: {other:?}"),
        }
    }
    let connect = b"CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n";
    assert_eq!(exchange(addr, connect, LIMIT).status(), Some(405));
    // HEAD then GET pipelined on one keep-alive connection: the HEAD answer
    // has headers only, so the GET's status line follows its blank line.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(
        b"HEAD /metrics HTTP/1.1\r\nHost: test\r\n\r\nGET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    s.set_read_timeout(Some(LIMIT)).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, rest) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        !head.to_lowercase().contains("content-length: 0\r"),
        "{head}"
    );
    assert!(rest.starts_with("HTTP/1.1 200 OK\r\n"), "{rest:.200}");
    assert!(rest.contains("href=\"/metrics\""), "{rest:.400}");
    server.assert_alive();
}

#[test]
fn a_thousand_scrapes_leak_neither_fds_nor_memory() {
    let mut server = Server::start();
    for _ in 0..20 {
        server.scrape_ok();
    }
    thread::sleep(Duration::from_millis(500));
    let (fd0, rss0) = (server.fds(), server.rss_kb());
    for _ in 0..1000 {
        server.scrape_ok();
    }
    thread::sleep(Duration::from_secs(1));
    let (fd1, rss1) = (server.fds(), server.rss_kb());
    eprintln!("fds {fd0} -> {fd1}, RSS {rss0} kB -> {rss1} kB");
    assert!(fd1 <= fd0 + 2, "fds {fd0} -> {fd1}");
    assert!(rss1 <= rss0 + rss0 / 4 + 1024, "RSS {rss0} kB -> {rss1} kB");
    server.assert_alive();
}

/// The shared probe script, if it is there.
fn hostile_script() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HOSTILE_HTTP_SCRIPT") {
        return Some(PathBuf::from(p));
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/hostile-http.sh");
    p.is_file().then_some(p)
}

#[test]
fn the_hostile_http_script_passes_when_present() {
    let Some(script) = hostile_script() else {
        eprintln!("skipped: no ../shared/tools/hostile-http.sh");
        return;
    };
    let python = Command::new("python3").arg("--version").output();
    if !python.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let mut server = Server::start();
    // Shorter windows than the script's defaults keep the suite quick; run
    // it in full by hand against the release binary (see README).
    let out = Command::new("bash")
        .arg(&script)
        .arg("127.0.0.1")
        .arg(server.addr.port().to_string())
        .env("PID", server.pid().to_string())
        .env("SLOW_SECS", "4")
        .env("HAMMER_N", "300")
        .env("POST_BYTES", (32 << 20).to_string())
        .env("HOSTILE_MAX_SECS", "240")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    server.assert_alive();
}
