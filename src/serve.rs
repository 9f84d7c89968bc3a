//! The preview's HTTP server: just enough HTTP/1.1 for a browser on this machine, and no more.
//!
//! A thread per connection, as tiny_http had, but each connection gets a deadline and the number
//! held at once is bounded:
//!
//! - the request head must arrive whole within `HEAD_DEADLINE` and `MAX_HEAD` bytes, or the
//!   connection is answered 408 (or 431) and closed: idle and half-sent requests cost seconds;
//! - at most `MAX_CONNECTIONS` connections are open; when a new one arrives at the limit, the
//!   oldest one still sending its head is closed to make room. A page of slow connections
//!   (slowloris) therefore cycles through the slots while a browser, which sends its request as
//!   soon as it connects, is always let in;
//! - only requests whose `Host` is this server's own address are answered (421 otherwise): a
//!   web page that rebinds its own domain name to 127.0.0.1 cannot read the preview.
//!
//! An event loop (poll) would hold more idle connections in less memory; the bound above keeps a
//! thread per connection cheap enough for a preview on one editor's machine, in far less code.
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a client has to send its whole request head.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// How long writing a response may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head read.
const MAX_HEAD: usize = 16 * 1024;
/// How many connections are held at once.
pub const MAX_CONNECTIONS: usize = 128;

/// A request the server accepted: its method and path (query and fragment removed).
pub struct Request {
    pub method: String,
    pub path: String,
}

/// What to answer.
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(status: u16, body: impl Into<String>) -> Response {
        Response { status, content_type: "text/plain; charset=utf-8", body: body.into().into_bytes() }
    }
}

/// Connections still sending their request head, oldest first: the ones to close at the limit.
#[derive(Default)]
struct Reading {
    next: u64,
    streams: BTreeMap<u64, Arc<TcpStream>>,
}

pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    hosts: Vec<String>,
}

impl Server {
    /// Listen on 127.0.0.1:`port` (0 picks a free one).
    pub fn bind(port: u16) -> io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let port = addr.port();
        let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")];
        if port == 80 {
            hosts.extend(["127.0.0.1".to_owned(), "localhost".to_owned()]);
        }
        Ok(Server { listener, addr, hosts })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Accept connections until the listener fails, answering each with `handle`.
    pub fn run<H>(self, handle: H) -> io::Result<()>
    where
        H: Fn(&Request) -> Response + Send + Sync + 'static,
    {
        let handle = Arc::new(handle);
        let hosts = Arc::new(self.hosts);
        let reading = Arc::new(Mutex::new(Reading::default()));
        let live = Arc::new(AtomicUsize::new(0));
        loop {
            let stream = match self.listener.accept() {
                Ok((stream, _)) => Arc::new(stream),
                // out of file descriptors, or a connection reset before it was accepted: the
                // listener itself is fine
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            if live.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                let oldest = lock(&reading).streams.pop_first();
                match oldest {
                    // its thread sees the connection end and lets go of its slot
                    Some((_, slow)) => {
                        let _ = slow.shutdown(std::net::Shutdown::Both);
                    }
                    // every slot is busy answering: this one waits for none
                    None => continue,
                }
            }
            let id = {
                let mut r = lock(&reading);
                r.next += 1;
                let id = r.next;
                r.streams.insert(id, Arc::clone(&stream));
                id
            };
            live.fetch_add(1, Ordering::SeqCst);
            let (handle, hosts, reading_here, live_here) =
                (Arc::clone(&handle), Arc::clone(&hosts), Arc::clone(&reading), Arc::clone(&live));
            let spawned = crate::threads::builder().name("preview".into()).spawn(move || {
                serve_one(&stream, id, &reading_here, &hosts, &*handle);
                lock(&reading_here).streams.remove(&id);
                live_here.fetch_sub(1, Ordering::SeqCst);
            });
            if spawned.is_err() {
                lock(&reading).streams.remove(&id);
                live.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
}

fn lock(reading: &Mutex<Reading>) -> std::sync::MutexGuard<'_, Reading> {
    reading.lock().unwrap_or_else(PoisonError::into_inner)
}

fn serve_one(
    stream: &TcpStream,
    id: u64,
    reading: &Mutex<Reading>,
    hosts: &[String],
    handle: &(dyn Fn(&Request) -> Response + Send + Sync),
) {
    let head = read_head(stream);
    // from here on the connection is being answered, and is not closed to make room
    lock(reading).streams.remove(&id);
    let (response, head_only) = match head {
        Ok(head) => match parse(&head, hosts) {
            Ok(request) => (handle(&request), request.method == "HEAD"),
            Err(refusal) => (refusal, false),
        },
        Err(Some(refusal)) => (refusal, false),
        Err(None) => return,
    };
    let _ = write_response(stream, &response, head_only);
}

/// Read up to the blank line that ends the head, within the deadline and the size limit.
/// `Err(None)`: the connection ended (or was closed to make room); nothing to answer.
fn read_head(mut stream: &TcpStream) -> Result<Vec<u8>, Option<Response>> {
    let deadline = Instant::now() + HEAD_DEADLINE;
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(Some(Response::text(408, "the request took too long to arrive\n")));
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(None),
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                return Err(Some(Response::text(408, "the request took too long to arrive\n")))
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(None),
        }
        if let Some(end) = find(&head, b"\r\n\r\n").or_else(|| find(&head, b"\n\n")) {
            head.truncate(end);
            return Ok(head);
        }
        if head.len() > MAX_HEAD {
            return Err(Some(Response::text(431, "the request head is too large\n")));
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The request line and the `Host` header, checked. Anything else is a refusal to send back.
fn parse(head: &[u8], hosts: &[String]) -> Result<Request, Response> {
    let bad = |why: &str| Response::text(400, format!("bad request: {why}\n"));
    let text = std::str::from_utf8(head).map_err(|_| bad("not text"))?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut parts = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("the request line is not METHOD PATH HTTP/1.1"));
    };
    if !matches!(version, "HTTP/1.1" | "HTTP/1.0") {
        return Err(bad("only HTTP/1.0 and HTTP/1.1"));
    }
    if !target.starts_with('/') {
        return Err(bad("the path must start with /"));
    }
    let mut host = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad("a header line has no colon"));
        };
        if name.eq_ignore_ascii_case("host") && host.replace(value.trim()).is_some() {
            return Err(bad("more than one Host header"));
        }
    }
    let Some(host) = host else {
        return Err(bad("no Host header"));
    };
    if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Err(Response::text(
            421,
            format!("this preview answers only for {}\n", hosts.first().map_or("", String::as_str)),
        ));
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    Ok(Request { method: method.to_owned(), path: path.to_owned() })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "Unknown",
    }
}

fn write_response(mut stream: &TcpStream, response: &Response, head_only: bool) -> io::Result<()> {
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&response.body)?;
    }
    stream.flush()?;
    stream.shutdown(std::net::Shutdown::Write)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> Vec<String> {
        vec!["127.0.0.1:8000".into(), "localhost:8000".into()]
    }

    #[test]
    fn only_its_own_host_is_answered() {
        for host in ["127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000"] {
            let head = format!("GET /?x=1 HTTP/1.1\r\nHost: {host}");
            let request = parse(head.as_bytes(), &hosts()).ok().unwrap();
            assert_eq!((request.method.as_str(), request.path.as_str()), ("GET", "/"));
        }
        for (head, status) in [
            ("GET / HTTP/1.1\r\nHost: evil.example", 421),
            ("GET / HTTP/1.1\r\nHost: evil.example:8000", 421),
            ("GET / HTTP/1.1\r\nHost: 127.0.0.1:8001", 421),
            ("GET / HTTP/1.1\r\nHost: 127.0.0.1", 421),
            ("GET / HTTP/1.1\r\nX: y", 400),
            ("GET / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nHost: evil.example", 400),
            ("GET http://evil.example/ HTTP/1.1\r\nHost: 127.0.0.1:8000", 400),
            ("GET / HTTP/2\r\nHost: 127.0.0.1:8000", 400),
            ("GET /\r\nHost: 127.0.0.1:8000", 400),
            ("\u{0}\u{1}", 400),
        ] {
            assert_eq!(parse(head.as_bytes(), &hosts()).err().map(|r| r.status), Some(status), "{head:?}");
        }
    }
}
