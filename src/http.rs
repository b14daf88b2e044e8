//! The HTTP side: a small HTTP/1.1 server with hard bounds, built on
//! `httparse` for the request head.
//!
//! `GET`/`HEAD` on the telemetry path collects fresh and answers text format
//! 0.0.4; `GET /` is a small landing page; any other path is 404; any other
//! method is 405 with `Allow: GET, HEAD`. Nothing is ever read from the file
//! system on behalf of a request, so no path can reach a file.
//!
//! Bounds (see [`Limits`]):
//! - a fixed pool of [`Limits::max_connections`] connection threads, spawned
//!   at start; no thread is ever spawned per connection. When every slot is
//!   busy, a new connection evicts the slot that has waited longest for a
//!   request head (an idle keep-alive connection or a slow client: the
//!   slowloris case) once that has waited `EVICT_MIN_WAIT` (250 ms); until
//!   then it is held for up to `QUEUE_WAIT` (1 s; the kernel's backlog
//!   queues the connections behind it), and gets `503` if no slot comes
//!   free;
//! - the whole request head must arrive within [`Limits::read_timeout`] of
//!   the connection (or of the previous response), else `408` and close;
//! - the head is at most [`MAX_HEAD_BYTES`] bytes and [`MAX_HEADERS`]
//!   headers, else `431` and close;
//! - request bodies are never read: a request that announces one is answered
//!   and the connection closed;
//! - a response write that stalls for [`WRITE_TIMEOUT`] closes the
//!   connection.
//!
//! Why not `tiny_http` (which this module used before): its accept thread
//! hands each connection to a new thread with no upper bound, never sets a
//! read timeout, and grows a header line until CRLF; its public API offers
//! no way to feed it accepted sockets, set socket options on them, or cap
//! its threads (`Listener` is a closed enum of `TcpListener`/`UnixListener`,
//! and `Request` has no public constructor that writes to a socket).

use std::io::{self, Read, Write};
use std::net::{
    IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::collect::Exporter;
use crate::expo::CONTENT_TYPE;

/// Default `--web.max-connections`.
pub const DEFAULT_MAX_CONNECTIONS: usize = 16;
/// Default `--web.read-timeout`.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest request head (request line and headers) read; a longer one is
/// answered `431`. A Prometheus scrape sends about 300 bytes.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Most headers in a request; more is answered `431`.
pub const MAX_HEADERS: usize = 64;
/// A response write that makes no progress for this long closes the
/// connection.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// File descriptors each connection slot may need: the socket, its clone
/// (kept to evict the connection), the next one handed over while an
/// evicted connection closes, and files a scrape
/// opens meanwhile.
const FDS_PER_SLOT: u64 = 6;
/// File descriptors left for everything else (standard streams, listener,
/// notify socket, collectors outside scrapes).
const FDS_RESERVED: u64 = 24;
/// The accept thread gives up (and the process exits, see
/// [`Running::is_dead`]) after accepting has failed without a break for
/// this long.
const ACCEPT_GIVE_UP: Duration = Duration::from_secs(10);
/// A connection is evicted to make room only once it has waited this long
/// for its request head. Younger ones are usually a scraper whose request
/// is already in the socket and whose connection thread has not been
/// scheduled yet (a busy 2-core box with several scrapes collecting): a
/// regression test for issue 6 found 10 % of 8 concurrent scrapes reset by
/// evictions of such connections.
const EVICT_MIN_WAIT: Duration = Duration::from_millis(250);
/// When no slot is free and none may be evicted yet, the accept thread
/// holds the new connection this long (accepting nothing else meanwhile:
/// the kernel's backlog queues the rest), retrying every
/// [`QUEUE_RETRY`], before answering `503`.
const QUEUE_WAIT: Duration = Duration::from_secs(1);
/// How often a held connection is offered again.
const QUEUE_RETRY: Duration = Duration::from_millis(5);

/// The bounds the server holds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connection threads (`--web.max-connections`): at most this many
    /// connections are open at once; further ones evict an idle one or get
    /// `503`. At least 1; lowered at start when `RLIMIT_NOFILE` is too small
    /// for it.
    pub max_connections: usize,
    /// Time a client has to send a whole request head (`--web.read-timeout`),
    /// counted from the connection or the previous response; also how long
    /// an idle keep-alive connection is kept.
    pub read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            read_timeout: DEFAULT_READ_TIMEOUT,
        }
    }
}

/// A response before it is put on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` header value.
    pub content_type: &'static str,
    /// Extra header (name, value), e.g. `Allow` on 405.
    pub extra: Option<(&'static str, &'static str)>,
    /// Body (shared: scrapes that arrive together share one exposition).
    pub body: Arc<String>,
}

impl Reply {
    fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            extra: None,
            body: Arc::new(body.into()),
        }
    }
}

fn landing_page(telemetry_path: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><title>DGX Spark Exporter</title></head>\n<body>\n\
         <h1>DGX Spark Exporter</h1>\n<p>Version {} (revision {})</p>\n\
         <p><a href=\"{telemetry_path}\">Metrics</a></p>\n</body></html>\n",
        crate::VERSION,
        crate::REVISION,
    )
}

/// The reply for `method` (as sent, case-sensitive as RFC 9110 says) on
/// `url` (query string ignored).
pub fn respond(exporter: &Exporter, method: &str, url: &str, telemetry_path: &str) -> Reply {
    let path = url.split(['?', '#']).next().unwrap_or("");
    if method != "GET" && method != "HEAD" {
        let mut r = Reply::text(405, "405 method not allowed: use GET or HEAD\n");
        r.extra = Some(("Allow", "GET, HEAD"));
        return r;
    }
    if path == telemetry_path {
        Reply {
            status: 200,
            content_type: CONTENT_TYPE,
            extra: None,
            body: exporter.render_shared(),
        }
    } else if path == "/" {
        Reply {
            status: 200,
            content_type: "text/html; charset=utf-8",
            extra: None,
            body: Arc::new(landing_page(telemetry_path)),
        }
    } else {
        Reply::text(404, format!("404 not found: try {telemetry_path}\n"))
    }
}

/// What the server needs from a request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Bytes the head took (request line, headers, the blank line).
    pub len: usize,
    /// Method as sent.
    pub method: String,
    /// Request target as sent.
    pub url: String,
    /// Whether the client lets the connection stay open: HTTP/1.1 without
    /// `Connection: close`, or HTTP/1.0 with `Connection: keep-alive`.
    pub keep_alive: bool,
    /// Whether a body follows (`Transfer-Encoding`, or a `Content-Length`
    /// other than 0): it is never read, so the connection is closed.
    pub has_body: bool,
    /// Whether `Accept-Encoding` lists `gzip` (or `x-gzip`) with a non-zero
    /// weight, as Prometheus sends it.
    pub gzip: bool,
}

/// Whether the `Accept-Encoding` value `value` accepts gzip (RFC 9110
/// 12.5.3: `gzip`, `gzip;q=0.5`; `q=0` refuses it; `*` is not honoured).
fn accepts_gzip(value: &str) -> bool {
    value.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("");
        if !coding.eq_ignore_ascii_case("gzip") && !coding.eq_ignore_ascii_case("x-gzip") {
            return false;
        }
        parts
            .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .all(|q| q.trim().parse::<f32>().is_ok_and(|q| q > 0.0))
    })
}

/// Why a request head was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadError {
    /// Not HTTP/1.x (bad token, bad version, bad line): `400`.
    Malformed,
    /// More than [`MAX_HEADERS`] headers or [`MAX_HEAD_BYTES`] bytes: `431`.
    TooLarge,
}

/// Parses the request head at the start of `buf` (`httparse`, RFC 9112):
/// `Ok(None)` while it is incomplete, `Ok(Some(head))` once the blank line
/// has arrived.
///
/// Errors: [`HeadError::Malformed`] for anything that is not an HTTP/1.0 or
/// 1.1 request head (TLS hellos, HTTP/2 prefaces, NUL bytes, headers without
/// a colon); [`HeadError::TooLarge`] past [`MAX_HEADERS`] headers, or when
/// `buf` holds [`MAX_HEAD_BYTES`] bytes without a complete head.
pub fn parse_head(buf: &[u8]) -> Result<Option<Head>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) if len <= MAX_HEAD_BYTES => len,
        Ok(httparse::Status::Complete(_)) => return Err(HeadError::TooLarge),
        Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD_BYTES => {
            return Err(HeadError::TooLarge);
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
        Err(_) => return Err(HeadError::Malformed),
    };
    let (Some(method), Some(url), Some(minor)) = (req.method, req.path, req.version) else {
        return Err(HeadError::Malformed);
    };
    let mut keep_alive = minor >= 1;
    let mut has_body = false;
    let mut gzip = false;
    for h in req.headers.iter() {
        let value = String::from_utf8_lossy(h.value);
        let value = value.trim();
        if h.name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case("keep-alive") && minor == 0 {
                    keep_alive = true;
                }
            }
        } else if h.name.eq_ignore_ascii_case("accept-encoding") {
            gzip |= accepts_gzip(value);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding")
            || (h.name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            has_body = true;
        }
    }
    Ok(Some(Head {
        len,
        method: method.to_string(),
        url: url.to_string(),
        keep_alive,
        has_body,
        gzip,
    }))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// The gzip member header (RFC 1952, 2.3) flate2's `GzEncoder` writes at
/// the fastest level: magic `1f 8b`, method 8 (deflate), no flags, no
/// modification time, `XFL` 4 (fastest), OS 255 (unknown).
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255];

/// One deflate compressor kept between responses. Making one allocates and
/// clears about 300 KB of tables, a fifth of the time to gzip a Spark's
/// scrape (100 KB; static musl build). A response takes it while it
/// compresses; one that finds it taken makes its own, and only one is
/// kept, so memory stays bounded whatever the number of connections.
static DEFLATE: Mutex<Option<flate2::write::DeflateEncoder<Vec<u8>>>> = Mutex::new(None);

/// `body` gzip-compressed (RFC 1952) at the fastest level: a scrape's
/// exposition shrinks about tenfold. The bytes are those of flate2's
/// `GzEncoder` (a test checks it); the member is framed here so that the
/// compressor can be reused, which `GzEncoder` does not allow.
fn gzip(body: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() / 4 + GZIP_HEADER.len() + 8);
    out.extend_from_slice(&GZIP_HEADER);
    let kept = crate::root::lock(&DEFLATE).take();
    let mut enc = match kept {
        Some(mut enc) => {
            // Left fresh by the `reset` that finished its last stream.
            *enc.get_mut() = out;
            enc
        }
        None => flate2::write::DeflateEncoder::new(out, flate2::Compression::fast()),
    };
    enc.write_all(body)?;
    // Finishes the deflate stream and leaves the compressor fresh.
    let mut out = enc.reset(Vec::new())?;
    let mut crc = flate2::Crc::new();
    crc.update(body);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE: the input's length modulo 2^32 (RFC 1952, 2.3.1).
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    *crate::root::lock(&DEFLATE) = Some(enc);
    Ok(out)
}

/// A response on the wire, in two parts that one `writev` sends: the head
/// (status line and headers) and the body, borrowed from the reply rather
/// than copied after the head (a scrape's body is tens of KB).
pub struct Wire<'a> {
    head: Vec<u8>,
    body: std::borrow::Cow<'a, [u8]>,
}

/// `reply` on the wire: status line, `Content-Type`, `Content-Length`
/// (always: no chunked encoding, which some simple scrapers do not read),
/// `Connection: close` unless `keep_alive`, then the body unless
/// `head_only` (a `HEAD` request: same headers, no body). With `gzip`, the
/// body is compressed and `Content-Encoding: gzip` says so.
pub fn wire(reply: &Reply, keep_alive: bool, head_only: bool, gzip: bool) -> Wire<'_> {
    let compressed = if gzip {
        self::gzip(reply.body.as_bytes()).ok()
    } else {
        None
    };
    let is_compressed = compressed.is_some();
    let body = match compressed {
        Some(c) => std::borrow::Cow::Owned(c),
        None => std::borrow::Cow::Borrowed(reply.body.as_bytes()),
    };
    let mut head = Vec::with_capacity(200);
    let _ = write!(
        head,
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        body.len()
    );
    if is_compressed {
        head.extend_from_slice(b"Content-Encoding: gzip\r\n");
    }
    if gzip {
        head.extend_from_slice(b"Vary: Accept-Encoding\r\n");
    }
    if let Some((name, value)) = reply.extra {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    if !keep_alive {
        head.extend_from_slice(b"Connection: close\r\n");
    }
    head.extend_from_slice(b"\r\n");
    let body = if head_only {
        std::borrow::Cow::Borrowed(&[][..])
    } else {
        body
    };
    Wire { head, body }
}

impl Wire<'_> {
    /// Writes head and body to `w`, with `writev` where `w` has it, until
    /// every byte is written or `w` fails (a write timeout included).
    pub fn write_to(&self, w: &mut impl Write) -> io::Result<()> {
        let mut parts = [io::IoSlice::new(&self.head), io::IoSlice::new(&self.body)];
        let mut parts = &mut parts[..];
        io::IoSlice::advance_slices(&mut parts, 0);
        while !parts.is_empty() {
            match w.write_vectored(parts) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => io::IoSlice::advance_slices(&mut parts, n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// The bytes of [`wire`]`(reply, keep_alive, head_only, gzip)` in one
/// buffer: head, then body.
pub fn encode(reply: &Reply, keep_alive: bool, head_only: bool, gzip: bool) -> Vec<u8> {
    let wire = wire(reply, keep_alive, head_only, gzip);
    let mut out = wire.head;
    out.extend_from_slice(&wire.body);
    out
}

/// Binds `--web.listen-address`: `:PORT` means every interface (IPv6 and,
/// where the kernel maps them, IPv4), falling back to IPv4 only;
/// `HOST:PORT` binds the first address `HOST` resolves to that is free.
///
/// Errors: the name does not resolve, or no address can be bound (in use,
/// not local, no permission for a port below 1024).
pub fn bind(listen: &str) -> io::Result<TcpListener> {
    if let Some(port) = listen.strip_prefix(':') {
        return TcpListener::bind(format!("[::]:{port}"))
            .or_else(|_| TcpListener::bind(format!("0.0.0.0:{port}")));
    }
    let addrs: Vec<SocketAddr> = listen.to_socket_addrs()?.collect();
    TcpListener::bind(&addrs[..])
}

/// How long an idle connection thread waits, and how long one read blocks
/// at most, before the thread stamps its heartbeat (see
/// [`Running::serving`]).
const WORKER_TICK: Duration = Duration::from_millis(500);

/// What a connection thread is doing, as the accept thread sees it.
enum Slot {
    /// Waiting for a connection.
    Free,
    /// Waiting for a request head: may be evicted through the socket it
    /// shares with its thread (an `Arc`, not a `dup` of the descriptor:
    /// three system calls fewer per connection).
    Reading {
        since: Instant,
        stream: Option<Arc<TcpStream>>,
    },
    /// Shut down by the accept thread to make room; free once its thread
    /// notices.
    Evicted,
    /// Collecting or writing a response: never evicted.
    Serving,
}

struct State {
    slots: Vec<Slot>,
    /// Per slot: the connection handed to its thread and when it was
    /// accepted, not yet taken. Set only on a free slot, or on one just
    /// evicted.
    pending: Vec<Option<(Instant, TcpStream)>>,
    stop: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Per slot: signalled when a connection is handed to it, or on stop.
    wake: Vec<Condvar>,
    limits: Limits,
    telemetry_path: String,
    exporter: Arc<Exporter>,
    /// Per slot: milliseconds since `started` at its last sign of life.
    heartbeats: Vec<AtomicU64>,
    started: Instant,
}

impl Shared {
    /// The state; a lock poisoned by a panicking thread (test builds only:
    /// release builds abort) is still usable, as every change is one
    /// assignment.
    fn lock(&self) -> MutexGuard<'_, State> {
        crate::root::lock(&self.state)
    }

    fn beat(&self, slot: usize) {
        let now = self.started.elapsed().as_millis() as u64;
        self.heartbeats[slot].store(now, Ordering::Relaxed);
    }

    /// Marks `slot` as answering; false if it was evicted meanwhile (its
    /// socket is shut down: drop the connection).
    fn begin_serving(&self, slot: usize) -> bool {
        let mut st = self.lock();
        if matches!(st.slots[slot], Slot::Evicted) {
            return false;
        }
        st.slots[slot] = Slot::Serving;
        true
    }

    /// Marks `slot` as waiting for the next request head on `stream`; false
    /// when the server is stopping (close the connection).
    fn begin_reading(&self, slot: usize, stream: &Arc<TcpStream>) -> bool {
        let mut st = self.lock();
        if st.stop {
            return false;
        }
        st.slots[slot] = Slot::Reading {
            since: Instant::now(),
            stream: Some(Arc::clone(stream)),
        };
        true
    }

    /// Hands `stream` to the free connection thread with the lowest number
    /// (so that sequential scrapes reuse one thread and its allocator
    /// cache). With none free, the oldest connection that has waited at
    /// least [`EVICT_MIN_WAIT`] for its request head makes room: one a
    /// thread is reading is shut down (the thread takes `stream` once it
    /// notices), one handed over but not yet taken is closed and replaced.
    /// Gives `stream` back when every slot is answering or too young to
    /// evict.
    fn dispatch(&self, stream: TcpStream) -> Result<(), TcpStream> {
        self.dispatch_at(stream, Instant::now())
    }

    /// [`Shared::dispatch`] as of `now`.
    fn dispatch_at(&self, stream: TcpStream, now: Instant) -> Result<(), TcpStream> {
        let mut st = self.lock();
        let free = (0..st.slots.len())
            .find(|&i| matches!(st.slots[i], Slot::Free) && st.pending[i].is_none());
        let slot = match free {
            Some(i) => i,
            None => {
                let oldest = (0..st.slots.len())
                    .filter_map(|i| match (&st.slots[i], &st.pending[i]) {
                        (_, Some((since, _))) => Some((*since, i)),
                        (Slot::Reading { since, .. }, None) => Some((*since, i)),
                        _ => None,
                    })
                    .filter(|(since, _)| now.saturating_duration_since(*since) >= EVICT_MIN_WAIT)
                    .min();
                let Some((_, victim)) = oldest else {
                    return Err(stream);
                };
                if let Slot::Reading {
                    stream: Some(s), ..
                } = &st.slots[victim]
                {
                    let _ = s.shutdown(Shutdown::Both);
                }
                if matches!(st.slots[victim], Slot::Reading { .. }) {
                    st.slots[victim] = Slot::Evicted;
                }
                victim
            }
        };
        st.pending[slot] = Some((now, stream));
        drop(st);
        self.wake[slot].notify_one();
        Ok(())
    }
}

/// Why [`read_head`] stopped.
enum ReadOutcome {
    Head(Head),
    Refused(HeadError),
    /// No complete head within the read timeout.
    TimedOut,
    /// The client closed, the socket failed, or the slot was evicted.
    Closed,
}

/// Reads from `stream` into `buf` until a whole request head is there, at
/// most [`MAX_HEAD_BYTES`], until `deadline`; stamps the heartbeat at least
/// every [`WORKER_TICK`]. `timeout` is the socket's read timeout as last
/// set, so that it is set (a `setsockopt`) only when it changes: most reads
/// wait a whole tick.
fn read_head(
    shared: &Shared,
    slot: usize,
    mut stream: &TcpStream,
    buf: &mut Vec<u8>,
    deadline: Instant,
    timeout: &mut Option<Duration>,
) -> ReadOutcome {
    let mut chunk = [0u8; 4096];
    loop {
        if !buf.is_empty() {
            match parse_head(buf) {
                Ok(Some(head)) => return ReadOutcome::Head(head),
                Ok(None) => {}
                Err(e) => return ReadOutcome::Refused(e),
            }
        }
        let now = Instant::now();
        if now >= deadline {
            return ReadOutcome::TimedOut;
        }
        let wait = (deadline - now).clamp(Duration::from_millis(1), WORKER_TICK);
        if *timeout != Some(wait) {
            if stream.set_read_timeout(Some(wait)).is_err() {
                return ReadOutcome::Closed;
            }
            *timeout = Some(wait);
        }
        let room = (MAX_HEAD_BYTES - buf.len()).min(chunk.len());
        let result = stream.read(&mut chunk[..room]);
        shared.beat(slot);
        match result {
            Ok(0) => return ReadOutcome::Closed,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return ReadOutcome::Closed,
        }
    }
}

/// Ends a connection whose client may still be sending (a body we do not
/// read, a refused head): half-close, then discard what arrives for a
/// moment, so that the kernel does not answer unread bytes with a reset
/// that could destroy the response before the client reads it.
fn close_gently(mut stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + Duration::from_millis(200);
    let mut sink = [0u8; 4096];
    let mut left = 256 * 1024usize;
    while left > 0 {
        let now = Instant::now();
        if now >= until || stream.set_read_timeout(Some(until - now)).is_err() {
            break;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

/// Answers requests on one connection until it closes, times out, sends
/// something we refuse, or the server stops.
fn serve_connection(shared: &Shared, slot: usize, socket: Arc<TcpStream>) {
    // `Read` and `Write` are implemented for `&TcpStream`.
    let mut stream: &TcpStream = &socket;
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut buf = Vec::new();
    let mut timeout = None;
    loop {
        let deadline = Instant::now() + shared.limits.read_timeout;
        let head = match read_head(shared, slot, stream, &mut buf, deadline, &mut timeout) {
            ReadOutcome::Head(head) => head,
            ReadOutcome::Closed => return,
            ReadOutcome::TimedOut if buf.is_empty() => return,
            ReadOutcome::TimedOut => {
                let reply = Reply::text(408, "408 request head not received in time\n");
                let _ = stream.write_all(&encode(&reply, false, false, false));
                return close_gently(stream);
            }
            ReadOutcome::Refused(e) => {
                let reply = match e {
                    HeadError::Malformed => Reply::text(400, "400 not an HTTP/1.x request\n"),
                    HeadError::TooLarge => Reply::text(
                        431,
                        format!(
                            "431 request head over {MAX_HEAD_BYTES} bytes or {MAX_HEADERS} headers\n"
                        ),
                    ),
                };
                if shared.begin_serving(slot) {
                    let _ = stream.write_all(&encode(&reply, false, false, false));
                    close_gently(stream);
                }
                return;
            }
        };
        if !shared.begin_serving(slot) {
            return;
        }
        let reply = respond(
            &shared.exporter,
            &head.method,
            &head.url,
            &shared.telemetry_path,
        );
        let keep_alive = head.keep_alive && !head.has_body;
        let written =
            wire(&reply, keep_alive, head.method == "HEAD", head.gzip).write_to(&mut stream);
        // The last holder of the text gives its allocation back for the
        // next scrape.
        if let Some(text) = Arc::into_inner(reply.body) {
            shared.exporter.recycle(text);
        }
        if let Err(e) = written {
            log::debug!("writing response: {e}");
            return;
        }
        shared.beat(slot);
        if !keep_alive {
            if head.has_body {
                close_gently(stream);
            }
            return;
        }
        buf.drain(..head.len);
        if !shared.begin_reading(slot, &socket) {
            return;
        }
    }
}

/// One connection thread: serves the connections handed to its slot until
/// the server stops.
fn connection_thread(shared: &Shared, slot: usize) {
    loop {
        let stream = {
            let mut st = shared.lock();
            loop {
                if st.stop {
                    return;
                }
                if let Some((since, stream)) = st.pending[slot].take() {
                    let stream = Arc::new(stream);
                    st.slots[slot] = Slot::Reading {
                        since,
                        stream: Some(Arc::clone(&stream)),
                    };
                    break stream;
                }
                st.slots[slot] = Slot::Free;
                st = match shared.wake[slot].wait_timeout(st, WORKER_TICK) {
                    Ok((st, _)) => st,
                    Err(p) => p.into_inner().0,
                };
                shared.beat(slot);
            }
        };
        serve_connection(shared, slot, stream);
        shared.lock().slots[slot] = Slot::Free;
        shared.beat(slot);
    }
}

/// Accepts connections until the server stops, or until accepting has
/// failed for [`ACCEPT_GIVE_UP`] without a break (the thread then ends and
/// [`Running::is_dead`] turns true).
fn accept_thread(shared: &Shared, listener: &TcpListener) {
    let mut failing_since: Option<Instant> = None;
    let mut backoff = Duration::from_millis(5);
    loop {
        let accepted = listener.accept();
        if shared.lock().stop {
            return;
        }
        match accepted {
            Ok((stream, _)) => {
                failing_since = None;
                backoff = Duration::from_millis(5);
                let mut offered = shared.dispatch(stream);
                let held = Instant::now();
                while let Err(stream) = offered {
                    if held.elapsed() >= QUEUE_WAIT || shared.lock().stop {
                        offered = Err(stream);
                        break;
                    }
                    thread::sleep(QUEUE_RETRY);
                    offered = shared.dispatch(stream);
                }
                if let Err(mut stream) = offered {
                    let reply = Reply::text(503, "503 every connection slot is answering\n");
                    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
                    let _ = stream.write_all(&encode(&reply, false, false, false));
                    let _ = stream.shutdown(Shutdown::Write);
                }
            }
            // Out of file descriptors or memory, a connection aborted before
            // it was accepted: wait a little and retry, as Go's net/http
            // does; a listener that never recovers ends the thread.
            Err(e) => {
                let since = *failing_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= ACCEPT_GIVE_UP {
                    log::error!("accepting connections has failed for {ACCEPT_GIVE_UP:?}: {e}");
                    return;
                }
                log::warn!("accepting a connection: {e}; retrying in {backoff:?}");
                thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(1));
            }
        }
    }
}

/// A running server: its address, and the means to watch and stop it.
pub struct Running {
    shared: Arc<Shared>,
    acceptor: JoinHandle<()>,
    workers: Vec<JoinHandle<()>>,
    addr: SocketAddr,
}

/// `addr` with an unspecified IP (`0.0.0.0`, `::`) replaced by loopback,
/// so that we can connect to ourselves.
fn reachable(mut addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        let loopback: IpAddr = match addr {
            SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
        };
        addr.set_ip(loopback);
    }
    addr
}

impl Running {
    /// The address actually bound (the port is known even for `:0`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bounds in force: `max_connections` may be lower than asked when
    /// `RLIMIT_NOFILE` is small.
    pub fn limits(&self) -> Limits {
        self.shared.limits
    }

    /// Whether some connection thread has shown life (waited half a second
    /// for work, received bytes, or finished a response) within `max_age`
    /// (at least two ticks): the server is not wedged. The systemd watchdog
    /// ping is sent on this. A thread stuck in a collection or a stalled
    /// write does not count.
    pub fn serving(&self, max_age: Duration) -> bool {
        if self.is_dead() {
            return false;
        }
        let now = self.shared.started.elapsed().as_millis() as u64;
        let max_age = max_age.max(2 * WORKER_TICK).as_millis() as u64;
        self.shared
            .heartbeats
            .iter()
            .any(|h| now.saturating_sub(h.load(Ordering::Relaxed)) <= max_age)
    }

    /// Whether the server can no longer serve: the accept thread gave up
    /// (accepting failed for `ACCEPT_GIVE_UP`) or a thread died (a panic
    /// in a test build; release builds abort on panic). The process should
    /// then exit so that its supervisor starts a fresh one.
    pub fn is_dead(&self) -> bool {
        self.acceptor.is_finished() || self.workers.iter().any(JoinHandle::is_finished)
    }

    /// Stops taking connections, lets the threads finish the responses in
    /// flight, closes connections that are waiting for a request, joins the
    /// threads, and closes the listener.
    pub fn shutdown(self) {
        {
            let mut st = self.shared.lock();
            st.stop = true;
            st.pending.iter_mut().for_each(|p| *p = None);
            for slot in &mut st.slots {
                if let Slot::Reading {
                    stream: Some(s), ..
                } = slot
                {
                    let _ = s.shutdown(Shutdown::Both);
                }
            }
        }
        self.shared.wake.iter().for_each(Condvar::notify_all);
        // Wake the accept thread, which sees the stop flag and returns (if
        // we cannot reach our own address, it is left blocked in accept).
        let woken = TcpStream::connect_timeout(&reachable(self.addr), Duration::from_secs(1));
        for w in self.workers {
            let _ = w.join();
        }
        if woken.is_ok() {
            let _ = self.acceptor.join();
        }
    }
}

/// `limits.max_connections`, lowered so that the slots cannot exhaust
/// `RLIMIT_NOFILE` (at least 1).
fn effective_max_connections(wanted: usize, max_open_files: Option<u64>) -> usize {
    let wanted = wanted.max(1);
    match max_open_files {
        Some(n) => {
            let fit = (n.saturating_sub(FDS_RESERVED) / FDS_PER_SLOT).max(1);
            wanted.min(usize::try_from(fit).unwrap_or(usize::MAX))
        }
        None => wanted,
    }
}

/// Starts serving `exporter` on `listener`: one accept thread and
/// `limits.max_connections` connection threads (fewer if `RLIMIT_NOFILE`
/// would not allow that many connections; a warning says so).
///
/// Errors: the listener's address cannot be read, or a thread could not be
/// spawned.
pub fn start(
    exporter: Arc<Exporter>,
    listener: TcpListener,
    telemetry_path: String,
    limits: Limits,
) -> io::Result<Running> {
    let addr = listener.local_addr()?;
    // Half the open file limit is the root's, for the kernel files it
    // keeps open (`root::Held`); the connections get the other half.
    let fds = crate::sys::max_open_files().map(|n| n - n / 2);
    let max = effective_max_connections(limits.max_connections, fds);
    if max < limits.max_connections {
        log::warn!(
            "--web.max-connections lowered from {} to {max} to fit the open file limit",
            limits.max_connections
        );
    }
    let limits = Limits {
        max_connections: max,
        ..limits
    };
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            slots: (0..max).map(|_| Slot::Free).collect(),
            pending: (0..max).map(|_| None).collect(),
            stop: false,
        }),
        wake: (0..max).map(|_| Condvar::new()).collect(),
        limits,
        telemetry_path,
        exporter,
        heartbeats: (0..max).map(|_| AtomicU64::new(0)).collect(),
        started: Instant::now(),
    });
    let workers = (0..max)
        .map(|i| {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name(format!("http-{i}"))
                .spawn(move || connection_thread(&shared, i))
        })
        .collect::<io::Result<Vec<_>>>()?;
    let acceptor = {
        let shared = Arc::clone(&shared);
        thread::Builder::new()
            .name("http-accept".into())
            .spawn(move || accept_thread(&shared, &listener))?
    };
    Ok(Running {
        shared,
        acceptor,
        workers,
        addr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &str) -> Result<Option<Head>, HeadError> {
        parse_head(raw.as_bytes())
    }

    #[test]
    fn a_scrape_head_parses() {
        let raw = "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: text/plain\r\n\r\nrest";
        let h = head(raw).unwrap().unwrap();
        assert_eq!(h.len, raw.len() - 4);
        assert_eq!(h.method, "GET");
        assert_eq!(h.url, "/metrics?x=1");
        assert!(h.keep_alive);
        assert!(!h.has_body);
    }

    #[test]
    fn connection_close_and_http_1_0() {
        let h = head("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").unwrap();
        assert!(!h.unwrap().keep_alive);
        let h = head("GET / HTTP/1.0\r\n\r\n").unwrap();
        assert!(!h.unwrap().keep_alive);
        let h = head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").unwrap();
        assert!(h.unwrap().keep_alive);
    }

    #[test]
    fn bodies_are_noticed() {
        for extra in [
            "Content-Length: 5",
            "Content-Length: -1",
            "Transfer-Encoding: chunked",
        ] {
            let raw = format!("POST /metrics HTTP/1.1\r\n{extra}\r\n\r\n");
            assert!(head(&raw).unwrap().unwrap().has_body, "{extra}");
        }
        let h = head("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").unwrap();
        assert!(!h.unwrap().has_body);
    }

    #[test]
    fn incomplete_heads_wait() {
        assert_eq!(head("GET /metrics HTTP/1.1\r\nHost: a\r\n"), Ok(None));
        assert_eq!(head("GE"), Ok(None));
        assert_eq!(head("\r\n\r\n"), Ok(None));
    }

    #[test]
    fn bare_lf_heads_parse() {
        let h = head("GET /metrics HTTP/1.1\nHost: a\n\n").unwrap().unwrap();
        assert_eq!(h.url, "/metrics");
    }

    #[test]
    fn garbage_is_malformed() {
        for raw in [
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            "GET /metrics HTTP/9.9\r\n\r\n",
            "GET \0\0 HTTP/1.1\r\nHost: \0\r\n\r\n",
            "GET / HTTP/1.1\r\nthis is not a header\r\n\r\n",
            "\u{16}\u{3}\u{1}\u{1},\u{1}\0\u{1}(\u{3}\u{3}",
        ] {
            assert_eq!(head(raw), Err(HeadError::Malformed), "{raw:?}");
        }
    }

    #[test]
    fn too_many_headers_or_bytes_is_too_large() {
        let many: String = (0..=MAX_HEADERS)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect();
        let raw = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(head(&raw), Err(HeadError::TooLarge));
        let big = format!("GET / HTTP/1.1\r\nX-Big: {}", "a".repeat(MAX_HEAD_BYTES));
        assert_eq!(
            parse_head(&big.as_bytes()[..MAX_HEAD_BYTES]),
            Err(HeadError::TooLarge)
        );
        let url = format!("GET /?{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_HEAD_BYTES));
        assert_eq!(head(&url), Err(HeadError::TooLarge));
    }

    #[test]
    fn encode_sets_length_close_and_head_has_no_body() {
        let mut reply = Reply::text(405, "no\n");
        reply.extra = Some(("Allow", "GET, HEAD"));
        let wire = String::from_utf8(encode(&reply, false, false, false)).unwrap();
        assert_eq!(
            wire,
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Length: 3\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\nno\n"
        );
        let wire = String::from_utf8(encode(&reply, true, true, false)).unwrap();
        assert!(
            wire.ends_with("Content-Length: 3\r\nAllow: GET, HEAD\r\n\r\n"),
            "{wire}"
        );
    }

    #[test]
    fn accept_encoding_gzip() {
        for yes in [
            "gzip",
            "GZIP",
            "deflate, gzip;q=0.5",
            "x-gzip",
            "gzip ; q=1",
        ] {
            assert!(accepts_gzip(yes), "{yes}");
        }
        for no in [
            "",
            "identity",
            "deflate, br",
            "gzip;q=0",
            "gzip;q=0.0",
            "*",
            "gzipx",
        ] {
            assert!(!accepts_gzip(no), "{no}");
        }
        let h = head("GET / HTTP/1.1\r\nAccept-Encoding: gzip\r\n\r\n").unwrap();
        assert!(h.unwrap().gzip);
    }

    /// A writer that takes at most 7 bytes per call, one slice at a time,
    /// and is interrupted on every third call, as a slow socket may be.
    struct Trickle {
        got: Vec<u8>,
        calls: usize,
    }

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls % 3 == 0 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(7);
            self.got.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn partial_and_interrupted_writes_send_head_and_body_whole() {
        let reply = Reply::text(200, "# HELP x y\n".repeat(50));
        for (keep_alive, head_only, gzip) in [
            (false, false, false),
            (true, false, true),
            (false, true, false),
        ] {
            let mut w = Trickle {
                got: Vec::new(),
                calls: 0,
            };
            wire(&reply, keep_alive, head_only, gzip)
                .write_to(&mut w)
                .unwrap();
            assert_eq!(w.got, encode(&reply, keep_alive, head_only, gzip));
            // Every call took 7 bytes or was interrupted.
            assert!(w.calls >= w.got.len() / 7 * 3 / 2, "{} calls", w.calls);
        }
        // A writer that takes nothing is an error, not a loop.
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Ok(0)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let err = wire(&reply, false, false, false).write_to(&mut Full);
        assert_eq!(err.unwrap_err().kind(), io::ErrorKind::WriteZero);
    }

    #[test]
    fn gzip_bodies_decompress_to_the_original() {
        use std::io::Read as _;
        let body = "# HELP x y\n".repeat(1000);
        let reply = Reply::text(200, body.clone());
        let wire = encode(&reply, false, false, true);
        let end = wire.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&wire[..end]).to_string();
        let packed = &wire[end + 4..];
        assert!(head.contains("\r\nContent-Encoding: gzip\r\n"), "{head}");
        assert!(head.contains(&format!("\r\nContent-Length: {}\r\n", packed.len())));
        assert!(packed.len() < body.len() / 10, "{}", packed.len());
        let mut out = String::new();
        flate2::read::GzDecoder::new(packed)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, body);
    }

    #[test]
    fn the_kept_compressor_gives_the_bytes_of_a_fresh_gz_encoder() {
        use std::io::Read as _;
        let fresh = |body: &[u8]| {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(body).unwrap();
            enc.finish().unwrap()
        };
        let spark = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/snapshots/fixtures__every_fixture_matches_its_snapshot@spark__PROVENANCE.md.snap"
        ))
        .unwrap();
        let bodies: [&[u8]; 5] = [&spark, b"", b"x", &spark[..70_000], b"# HELP a b\n"];
        // Twice over, so that every body is also compressed by a kept
        // compressor that has just done another.
        for body in bodies.iter().chain(bodies.iter()) {
            let packed = gzip(body).unwrap();
            assert_eq!(packed, fresh(body), "{} bytes", body.len());
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(&packed[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(&back[..], *body);
        }
        // Compressions at once: each takes the kept compressor or makes
        // its own, and all are right.
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let spark = spark.clone();
                std::thread::spawn(move || {
                    for _ in 0..5 {
                        assert_eq!(gzip(&spark).unwrap(), fresh(&spark));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }

    fn shared(slots: usize) -> Shared {
        let root =
            crate::root::Root::replay(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/spark"));
        Shared {
            state: Mutex::new(State {
                slots: (0..slots).map(|_| Slot::Free).collect(),
                pending: (0..slots).map(|_| None).collect(),
                stop: false,
            }),
            wake: (0..slots).map(|_| Condvar::new()).collect(),
            limits: Limits::default(),
            telemetry_path: "/metrics".into(),
            exporter: Arc::new(Exporter::new(root, Default::default())),
            heartbeats: (0..slots).map(|_| AtomicU64::new(0)).collect(),
            started: Instant::now(),
        }
    }

    /// A connected socket (the server's end is dropped).
    fn socket(listener: &TcpListener) -> TcpStream {
        let s = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        drop(listener.accept().unwrap());
        s
    }

    #[test]
    fn dispatch_prefers_free_slots_then_evicts_the_oldest_reader_then_refuses() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let sh = shared(2);
        // Free slots, lowest first; a handed-over socket is not handed twice.
        assert!(sh.dispatch(socket(&listener)).is_ok());
        assert!(sh.lock().pending[0].is_some());
        assert!(sh.dispatch(socket(&listener)).is_ok());
        assert!(sh.lock().pending[1].is_some());
        // Both taken and reading: the oldest reader is evicted.
        {
            let mut st = sh.lock();
            let now = Instant::now();
            for (i, age) in [(0, 1), (1, 2)] {
                let (_, s) = st.pending[i].take().unwrap();
                st.slots[i] = Slot::Reading {
                    since: now - Duration::from_secs(age),
                    stream: Some(Arc::new(s)),
                };
            }
        }
        assert!(sh.dispatch(socket(&listener)).is_ok());
        assert!(matches!(sh.lock().slots[1], Slot::Evicted));
        assert!(sh.lock().pending[1].is_some());
        // Both answering: 503 (the socket comes back).
        {
            let mut st = sh.lock();
            st.slots[0] = Slot::Serving;
            st.slots[1] = Slot::Serving;
            st.pending[1] = None;
        }
        assert!(sh.dispatch(socket(&listener)).is_err());
    }

    #[test]
    fn a_connection_younger_than_the_eviction_wait_is_not_evicted() {
        // Regression: under CPU load, fresh connections whose threads had
        // not run yet were evicted (reset) by the next scraper's connection.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let sh = shared(1);
        let now = Instant::now();
        assert!(sh.dispatch_at(socket(&listener), now).is_ok());
        // Handed over 10 ms ago, not yet taken: too young to evict.
        let later = now + Duration::from_millis(10);
        assert!(sh.dispatch_at(socket(&listener), later).is_err());
        // Once it has waited EVICT_MIN_WAIT, it makes room.
        let much_later = now + EVICT_MIN_WAIT;
        assert!(sh.dispatch_at(socket(&listener), much_later).is_ok());
    }

    #[test]
    fn max_connections_fits_the_open_file_limit() {
        assert_eq!(effective_max_connections(16, Some(1024)), 16);
        assert_eq!(effective_max_connections(16, None), 16);
        assert_eq!(effective_max_connections(16, Some(40)), 2);
        assert_eq!(effective_max_connections(16, Some(10)), 1);
        assert_eq!(effective_max_connections(0, Some(1024)), 1);
    }
}
