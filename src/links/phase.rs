//! Which part of a request ran out of time. ureq reports a timeout against the one deadline a
//! try has (`Timeout::Global`), whatever it was doing; a server that connects and then trickles
//! its body looked like one that could not be reached. So the request's progress is noted here:
//! every connection ureq makes is wrapped (`MarkSent`, the last connector of each agent's chain:
//! after TCP, any proxy and TLS) so that sending a request marks this thread, and a try that
//! times out before that mark was connecting; after it, waiting for the headers; once the
//! headers are in, reading the body. A pooled connection keeps its wrapper. ureq makes each
//! request on the thread that asks, so a thread-local mark is the request's own.
//!
//! ureq connects to an HTTPS proxy through the same chain and sends its `CONNECT` on that
//! connection: a connection whose first bytes are a `CONNECT` is a tunnel being made, part of
//! connecting, and never marks.
use std::cell::Cell;
use std::fmt;

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// The part of a try that ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Connecting (TCP, a proxy, TLS) and sending the request.
    Connect,
    /// Connected and asked, waiting for the status line and headers.
    Headers,
    /// Reading the body of a page served.
    Body,
    /// Between the hops of a redirect chain: earlier hops used up the try's time.
    Redirects,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Connect => "connecting",
            Phase::Headers => "waiting for the response headers",
            Phase::Body => "reading the body",
            Phase::Redirects => "following redirects",
        })
    }
}

thread_local! {
    static SENT: Cell<bool> = const { Cell::new(false) };
}

/// Forget what the last request on this thread did: a new one starts.
pub fn start() {
    SENT.with(|sent| sent.set(false));
}

/// How far the request on this thread got before it stopped without an answer.
pub fn reached() -> Phase {
    if SENT.with(Cell::get) {
        Phase::Headers
    } else {
        Phase::Connect
    }
}

/// The connector that wraps each connection made, to mark the request sent.
#[derive(Debug)]
pub struct MarkSent;

impl Connector<Box<dyn Transport>> for MarkSent {
    type Out = Marked;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<Box<dyn Transport>>,
    ) -> Result<Option<Marked>, ureq::Error> {
        Ok(chained.map(|inner| Marked { inner, tunnel: None }))
    }
}

/// A connection that marks its thread when it has sent a request.
#[derive(Debug)]
pub struct Marked {
    inner: Box<dyn Transport>,
    /// Whether it carries a proxy's `CONNECT` (known from its first bytes sent).
    tunnel: Option<bool>,
}

impl Transport for Marked {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let inner = &mut self.inner;
        let tunnel =
            *self.tunnel.get_or_insert_with(|| inner.buffers().output()[..amount].starts_with(b"CONNECT"));
        self.inner.transmit_output(amount, timeout)?;
        if !tunnel {
            SENT.with(|sent| sent.set(true));
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}
