//! End to end over HTTP: the server on 127.0.0.1:0 serving a fixture,
//! scraped with raw HTTP/1.1 requests.

mod common;

use std::net::TcpListener;
use std::sync::Arc;

use dgx_spark_exporter::collect::{Exporter, Options};
use dgx_spark_exporter::http;
use dgx_spark_exporter::root::Root;

fn start() -> http::Running {
    let exporter = Arc::new(Exporter::new(
        Root::replay(common::fixture("spark")),
        Options::default(),
    ));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    http::start(
        exporter,
        listener,
        "/metrics".to_string(),
        http::Limits::default(),
    )
    .unwrap()
}

#[test]
fn metrics_landing_page_404_405_and_head() {
    let server = start();
    let addr = server.addr();

    let r = common::request(addr, "GET", "/metrics");
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

    let r = common::request(addr, "GET", "/metrics?debug=1");
    assert_eq!(r.status, 200, "query strings are ignored");

    let r = common::request(addr, "GET", "/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("href=\"/metrics\""), "{}", r.body);
    assert!(r.body.contains(dgx_spark_exporter::VERSION));

    assert_eq!(common::request(addr, "GET", "/nope").status, 404);
    assert_eq!(common::request(addr, "GET", "/../etc/passwd").status, 404);

    let r = common::request(addr, "POST", "/metrics");
    assert_eq!(r.status, 405);
    assert!(r.headers.contains("allow: get, head"), "{}", r.headers);
    assert_eq!(common::request(addr, "DELETE", "/").status, 405);

    let r = common::request(addr, "HEAD", "/metrics");
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
                    .map(|_| common::request(addr, "GET", "/metrics"))
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
