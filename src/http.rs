//! The HTTP side: `tiny_http` with a fixed pool of worker threads.
//!
//! `GET`/`HEAD` on the telemetry path collects fresh and answers text format
//! 0.0.4; `GET /` is a small landing page; any other path is 404; any other
//! method is 405 with `Allow: GET, HEAD`. Scrapes run concurrently on the
//! workers; collectors keep their shared state behind locks.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use tiny_http::{Header, Method, Request, Response, Server};

use crate::collect::Exporter;
use crate::expo::CONTENT_TYPE;

/// Worker threads answering requests; more concurrent scrapes queue.
pub const WORKERS: usize = 4;

/// A response before it is put on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` header value.
    pub content_type: &'static str,
    /// Extra header (name, value), e.g. `Allow` on 405.
    pub extra: Option<(&'static str, &'static str)>,
    /// Body.
    pub body: String,
}

impl Reply {
    fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            extra: None,
            body: body.into(),
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

/// The reply for `method` on `url` (query string ignored).
pub fn respond(exporter: &Exporter, method: &Method, url: &str, telemetry_path: &str) -> Reply {
    let path = url.split(['?', '#']).next().unwrap_or("");
    if !matches!(method, Method::Get | Method::Head) {
        let mut r = Reply::text(405, "405 method not allowed: use GET or HEAD\n");
        r.extra = Some(("Allow", "GET, HEAD"));
        return r;
    }
    if path == telemetry_path {
        Reply {
            status: 200,
            content_type: CONTENT_TYPE,
            extra: None,
            body: exporter.render(),
        }
    } else if path == "/" {
        Reply {
            status: 200,
            content_type: "text/html; charset=utf-8",
            extra: None,
            body: landing_page(telemetry_path),
        }
    } else {
        Reply::text(404, format!("404 not found: try {telemetry_path}\n"))
    }
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn handle(exporter: &Exporter, telemetry_path: &str, request: Request) {
    let reply = respond(exporter, request.method(), request.url(), telemetry_path);
    // The whole body is in memory, so send its length: tiny_http would
    // otherwise switch bodies over 32 KiB to chunked transfer encoding,
    // which HTTP/1.0 clients and simple scrapers do not all read.
    let mut response = Response::from_string(reply.body)
        .with_status_code(reply.status)
        .with_chunked_threshold(usize::MAX);
    response.add_header(header("Content-Type", reply.content_type).expect("valid header"));
    if let Some((name, value)) = reply.extra {
        response.add_header(header(name, value).expect("valid header"));
    }
    if let Err(e) = request.respond(response) {
        log::debug!("writing response: {e}");
    }
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

/// How long a worker waits for a request before it loops to show it is
/// alive (see [`Running::serving`]).
const WORKER_TICK: Duration = Duration::from_millis(500);

/// A running server: its address, and the means to watch and stop it.
pub struct Running {
    server: Arc<Server>,
    workers: Vec<JoinHandle<()>>,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    /// Set when the server can no longer take connections (tiny_http's
    /// accept thread ends on its first accept error).
    dead: Arc<AtomicBool>,
    /// Per worker: milliseconds since `started` at its last loop.
    heartbeats: Arc<Vec<AtomicU64>>,
    started: Instant,
}

impl Running {
    /// The address actually bound (the port is known even for `:0`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether some worker has gone round its loop (answered a request or
    /// waited half a second for one) within `max_age` (at least two ticks):
    /// the server is not wedged. The systemd watchdog ping is sent on this.
    pub fn serving(&self, max_age: Duration) -> bool {
        if self.is_dead() {
            return false;
        }
        let now = self.started.elapsed().as_millis() as u64;
        let max_age = max_age.max(2 * WORKER_TICK).as_millis() as u64;
        self.heartbeats
            .iter()
            .any(|h| now.saturating_sub(h.load(Ordering::Relaxed)) <= max_age)
    }

    /// Whether the server has stopped accepting connections for good: an
    /// accept error ended tiny_http's accept thread (a worker saw the error),
    /// or that thread is gone and took the listener with it (a connection to
    /// our own address is refused; this catches a panic in the thread, e.g.
    /// when cloning an accepted socket fails with `EMFILE`). The process
    /// should then exit so that its supervisor starts a fresh one.
    pub fn is_dead(&self) -> bool {
        if self.dead.load(Ordering::SeqCst) {
            return true;
        }
        let mut probe = self.addr;
        if probe.ip().is_unspecified() {
            let loopback: IpAddr = match probe {
                SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
            };
            probe.set_ip(loopback);
        }
        matches!(
            TcpStream::connect_timeout(&probe, Duration::from_secs(1)),
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused
        )
    }

    /// Stops taking requests, lets the workers answer the ones in flight and
    /// those already queued, joins them, and closes the listener.
    pub fn shutdown(self) {
        self.stop.store(true, Ordering::SeqCst);
        for _ in &self.workers {
            self.server.unblock();
        }
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// Starts serving `exporter` on `listener` with [`WORKERS`] threads.
///
/// Errors: tiny_http could not take over the listener, or a thread could
/// not be spawned.
pub fn start(
    exporter: Arc<Exporter>,
    listener: TcpListener,
    telemetry_path: String,
) -> io::Result<Running> {
    let addr = listener.local_addr()?;
    let server = Server::from_listener(listener, None).map_err(io::Error::other)?;
    let server = Arc::new(server);
    let path: Arc<str> = telemetry_path.into();
    let stop = Arc::new(AtomicBool::new(false));
    let dead = Arc::new(AtomicBool::new(false));
    let heartbeats: Arc<Vec<AtomicU64>> =
        Arc::new((0..WORKERS).map(|_| AtomicU64::new(0)).collect());
    let started = Instant::now();
    let workers = (0..WORKERS)
        .map(|i| {
            let server = Arc::clone(&server);
            let exporter = Arc::clone(&exporter);
            let path = Arc::clone(&path);
            let (stop, dead) = (Arc::clone(&stop), Arc::clone(&dead));
            let heartbeats = Arc::clone(&heartbeats);
            thread::Builder::new()
                .name(format!("http-{i}"))
                .spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        match server.recv_timeout(WORKER_TICK) {
                            Ok(Some(request)) => handle(&exporter, &path, request),
                            Ok(None) => {}
                            Err(e) => {
                                log::error!("the HTTP server stopped accepting connections: {e}");
                                dead.store(true, Ordering::SeqCst);
                                break;
                            }
                        }
                        let now = started.elapsed().as_millis() as u64;
                        heartbeats[i].store(now, Ordering::Relaxed);
                    }
                    // Answer what was accepted before the stop.
                    while let Ok(Some(request)) = server.try_recv() {
                        handle(&exporter, &path, request);
                    }
                })
        })
        .collect::<io::Result<Vec<_>>>()?;
    Ok(Running {
        server,
        workers,
        addr,
        stop,
        dead,
        heartbeats,
        started,
    })
}
