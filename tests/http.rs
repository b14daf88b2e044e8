//! End to end over HTTP: the server on 127.0.0.1:0 serving a fixture,
//! scraped with raw HTTP/1.1 requests.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use dgx_spark_exporter::collect::{Exporter, Options};
use dgx_spark_exporter::http;
use dgx_spark_exporter::root::Root;

struct Response {
    status: u16,
    headers: String,
    body: String,
}

fn request(addr: SocketAddr, method: &str, path: &str) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Response {
        status,
        headers: head.to_lowercase(),
        body: body.to_string(),
    }
}

fn start() -> http::Running {
    let exporter = Arc::new(Exporter::new(
        Root::replay(common::fixture("spark")),
        Options::default(),
    ));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    http::start(exporter, listener, "/metrics".to_string()).unwrap()
}

#[test]
fn metrics_landing_page_404_405_and_head() {
    let server = start();
    let addr = server.addr();

    let r = request(addr, "GET", "/metrics");
    assert_eq!(r.status, 200);
    assert!(
        r.headers
            .contains("content-type: text/plain; version=0.0.4; charset=utf-8"),
        "{}",
        r.headers
    );
    let expected = common::without_volatile(&common::render_fixture(&common::fixture("spark")));
    assert_eq!(common::without_volatile(&r.body), expected);
    assert!(r.body.contains("process_resident_memory_bytes "));

    let r = request(addr, "GET", "/metrics?debug=1");
    assert_eq!(r.status, 200, "query strings are ignored");

    let r = request(addr, "GET", "/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("href=\"/metrics\""), "{}", r.body);
    assert!(r.body.contains(dgx_spark_exporter::VERSION));

    assert_eq!(request(addr, "GET", "/nope").status, 404);
    assert_eq!(request(addr, "GET", "/../etc/passwd").status, 404);

    let r = request(addr, "POST", "/metrics");
    assert_eq!(r.status, 405);
    assert!(r.headers.contains("allow: get, head"), "{}", r.headers);
    assert_eq!(request(addr, "DELETE", "/").status, 405);

    let r = request(addr, "HEAD", "/metrics");
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());

    server.shutdown();
}

#[test]
fn concurrent_scrapes_all_succeed_and_agree() {
    let server = start();
    let addr = server.addr();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            std::thread::spawn(move || {
                (0..10)
                    .map(|_| request(addr, "GET", "/metrics"))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let expected = common::without_volatile(&common::render_fixture(&common::fixture("spark")));
    for h in handles {
        for r in h.join().unwrap() {
            assert_eq!(r.status, 200);
            assert_eq!(common::without_volatile(&r.body), expected);
        }
    }
    server.shutdown();
}
