//! The HTTP side: `tiny_http` with a fixed pool of worker threads.
//!
//! `GET`/`HEAD` on the telemetry path collects fresh and answers text format
//! 0.0.4; `GET /` is a small landing page; any other path is 404; any other
//! method is 405 with `Allow: GET, HEAD`. Scrapes run concurrently on the
//! workers; collectors keep their shared state behind locks.

use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
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
    let mut response = Response::from_string(reply.body).with_status_code(reply.status);
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
    /// waited [`WORKER_TICK`] for one) within `max_age` (at least two ticks):
    /// the server is not wedged. The systemd watchdog ping is sent on this.
    pub fn serving(&self, max_age: Duration) -> bool {
        let now = self.started.elapsed().as_millis() as u64;
        let max_age = max_age.max(2 * WORKER_TICK).as_millis() as u64;
        self.heartbeats
            .iter()
            .any(|h| now.saturating_sub(h.load(Ordering::Relaxed)) <= max_age)
    }

    /// Stops taking requests, lets the workers finish the ones in flight,
    /// joins them, and closes the listener.
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
    let heartbeats: Arc<Vec<AtomicU64>> =
        Arc::new((0..WORKERS).map(|_| AtomicU64::new(0)).collect());
    let started = Instant::now();
    let workers = (0..WORKERS)
        .map(|i| {
            let server = Arc::clone(&server);
            let exporter = Arc::clone(&exporter);
            let path = Arc::clone(&path);
            let stop = Arc::clone(&stop);
            let heartbeats = Arc::clone(&heartbeats);
            thread::Builder::new()
                .name(format!("http-{i}"))
                .spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        match server.recv_timeout(WORKER_TICK) {
                            Ok(Some(request)) => handle(&exporter, &path, request),
                            Ok(None) => {}
                            Err(e) => {
                                log::debug!("http-{i}: {e}");
                                break;
                            }
                        }
                        heartbeats[i]
                            .store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
                    }
                })
        })
        .collect::<io::Result<Vec<_>>>()?;
    Ok(Running {
        server,
        workers,
        addr,
        stop,
        heartbeats,
        started,
    })
}
