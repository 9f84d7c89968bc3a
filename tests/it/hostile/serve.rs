//! `admin serve` answers only for its own address, times out idle and half-sent requests, and
//! keeps answering while hundreds of slow connections are open.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::testenv::TestEnv;

pub(super) struct Serving {
    child: Child,
    pub(super) addr: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) fn serve(env: &TestEnv) -> Serving {
    let mut child = env.command().args(["serve", "--port", "0"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.split_whitespace().find(|w| w.starts_with("http://127.0.0.1:")).expect("a URL");
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_owned();
    Serving { child, addr }
}

/// Send `request` whole and read the answer: (status, body).
fn ask(addr: &str, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

pub(super) fn get(addr: &str, host: &str) -> (u16, String) {
    ask(addr, &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"))
}

#[test]
fn a_foreign_host_is_refused_without_the_page() {
    let env = TestEnv::init();
    let server = serve(&env);
    let port = server.addr.rsplit(':').next().unwrap().to_owned();
    let (status, page) = get(&server.addr, &server.addr);
    assert_eq!(status, 200);
    assert!(page.contains("Kent Police"));
    assert_eq!(get(&server.addr, &format!("localhost:{port}")).0, 200);
    // the example (a DNS-rebinding page sends its own name), and more of the class
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_owned(),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.:{port}"),
        format!("127.0.0.2:{port}"),
        "127.0.0.1:1".to_owned(),
        String::new(),
    ] {
        let (status, body) = get(&server.addr, &host);
        assert!(status == 421 || status == 400, "Host {host:?}: {status}");
        assert!(!body.contains("Kent Police"), "Host {host:?} got the page");
    }
    // no Host at all, two of them, or an absolute URL naming another
    for request in [
        "GET / HTTP/1.1\r\n\r\n".to_owned(),
        format!("GET / HTTP/1.1\r\nHost: {}\r\nHost: evil.example\r\n\r\n", server.addr),
        format!("GET http://evil.example/ HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr),
    ] {
        let (status, body) = ask(&server.addr, &request);
        assert_eq!(status, 400, "{request:?}");
        assert!(!body.contains("Kent Police"));
    }
}

#[test]
fn idle_and_half_sent_requests_time_out() {
    let env = TestEnv::init();
    let server = serve(&env);
    let started = Instant::now();
    let streams: Vec<_> = ["", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: 127.0.0.1"]
        .into_iter()
        .map(|sent| {
            let mut stream = TcpStream::connect(&server.addr).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            stream.write_all(sent.as_bytes()).unwrap();
            (sent, stream)
        })
        .collect();
    for (sent, mut stream) in streams {
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        let waited = started.elapsed();
        assert!(waited < Duration::from_secs(8), "{sent:?}: held for {waited:?}");
        assert!(response.is_empty() || response.starts_with("HTTP/1.1 408"), "{sent:?}: {response}");
    }
}

/// 300 connections that each send half a request and stall (the example had 1,000; the
/// class is "more slow connections than the server keeps"): a normal client still gets the page
/// within 2 s, every time.
#[test]
fn three_hundred_slow_connections_do_not_starve_a_normal_client() {
    let env = TestEnv::init();
    let server = serve(&env);
    let mut slow = Vec::new();
    for _ in 0..300 {
        let mut stream = TcpStream::connect(&server.addr).unwrap();
        stream.write_all(b"GET / HTTP/1.1\r\nHost: ").unwrap();
        slow.push(stream);
    }
    for _ in 0..5 {
        let started = Instant::now();
        let (status, page) = get(&server.addr, &server.addr);
        let took = started.elapsed();
        assert_eq!(status, 200);
        assert!(page.contains("Kent Police"));
        assert!(took < Duration::from_secs(2), "the page took {took:?} with 300 slow connections open");
        eprintln!("the page with 300 slow connections open: {took:?}");
    }
    drop(slow);
}
