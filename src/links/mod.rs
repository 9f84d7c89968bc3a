//! Checking force URLs the way the UK government's link checker does: GET each one, follow up to
//! eight redirects by hand (so loops and permanent moves are seen), retry what may be passing
//! (timeouts, refused connections, 5xx) with back-off, and sort the answer into ok, caution or
//! broken with a problem and a suggested fix. No database here: `commands::check_links` stores
//! what this returns.
//!
//! Each page served is also fingerprinted (`page`): validators sent back on the next check so an
//! unchanged page can answer `304`, the body's hash and its title, which also tell a "page not
//! found" served with 200 from a real page. Private addresses are refused (`guard`); proxies
//! come from the environment (`proxy`).
//!
//! The client is `ureq`: blocking, small, rustls with the Mozilla root store, certificate checks
//! always on. A pool of worker threads is enough for a few hundred links: one per request that
//! can be in flight (every host at once, up to `concurrency`), and no more than `per_host`
//! requests go to one host at once.
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use url::Url;

use crate::model::LinkStatus;

mod classify;
mod confirm;
mod guard;
mod network;
mod page;
mod phase;
mod proxy;
mod queue;

use classify::{classify, failed};
pub use confirm::{confirm, CONFIRM_AFTER};
pub use guard::Refused;
pub use network::{down as network_down, probe_address, BadProbe, Down, DEFAULT_PROBE};
pub use page::{Fingerprint, PageFacts};
use phase::Phase;
pub use proxy::{BadProxy, Proxies};
use queue::HostQueue;

/// How a run of checks behaves. `Settings::default()`: 64 at once, 2 per host, 15 s timeout,
/// 3 tries, 8 redirects, slow over 5 s.
#[derive(Debug, Clone)]
pub struct Settings {
    pub timeout: Duration,
    pub concurrency: usize,
    pub per_host: usize,
    pub tries: u32,
    /// The pause before the second try; doubled before each later one.
    pub backoff: Duration,
    pub slow: Duration,
    pub max_redirects: usize,
    /// Connect to loopback, private and link-local addresses too (tests, local mirrors).
    pub allow_private: bool,
    pub proxies: Proxies,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            timeout: Duration::from_secs(15),
            concurrency: DEFAULT_CONCURRENCY,
            per_host: 2,
            tries: 3,
            backoff: Duration::from_millis(500),
            slow: Duration::from_secs(5),
            max_redirects: 8,
            allow_private: false,
            proxies: Proxies::default(),
        }
    }
}

/// How many requests a run makes at once by default: every host of a directory of forces at once
/// (two to a host), with room to spare; each is a thread blocked on the network.
pub const DEFAULT_CONCURRENCY: usize = 64;

/// One link to check.
#[derive(Debug, Clone)]
pub struct Target {
    pub force: String,
    pub url: String,
    /// The page the last check of this URL read, if any.
    pub seen: Option<Seen>,
}

pub use crate::model::Seen;

/// What checking one link found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub status: LinkStatus,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    pub problem: Option<String>,
    pub suggested_fix: Option<String>,
    /// The page served (for `ok` and `caution` answers with a page): the one read, or the one
    /// seen before when the server answered `304 Not Modified`.
    pub fingerprint: Option<Fingerprint>,
    pub not_modified: bool,
    /// A failure that may pass (a timeout, a lost or refused connection, a 5xx, a failed name
    /// lookup, a proxy that failed): `broken` only once confirmed (`confirm`).
    pub may_pass: bool,
    /// How the link's host could not be reached, when it could not: what every link looks like
    /// when the network is down.
    pub unreached: Option<Unreached>,
}

/// Why a check got nowhere near the link's host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreached {
    /// Its name could not be looked up.
    Lookup,
    /// Its machine refused the connection: something answered.
    Refused,
    /// No route to it, or no answer while connecting.
    Route,
    /// The proxy every request goes out through could not be reached.
    Proxy,
}

const LATER: &str = "Check again later; if it persists, tell the force";
const FIND_NEW: &str = "Find the data's new address on the force's website and update the link";
const BROWSER: &str = "Open the link in a browser: if it works there, the site only refuses automated checks";

/// Check every target, `settings.concurrency` at a time, calling `done` as each finishes (for a
/// progress bar). Results come back in the order of `targets`.
pub fn check_all(
    targets: &[Target],
    settings: &Settings,
    done: impl Fn(&Target, &Finding) + Sync,
) -> Vec<Finding> {
    let client = Client::new(settings);
    let queue = HostQueue::new(targets, settings.per_host.max(1));
    let results: Mutex<Vec<Option<Finding>>> = Mutex::new(vec![None; targets.len()]);
    // no more threads than requests that can be in flight: a host's third link waits anyway
    let workers = settings.concurrency.clamp(1, queue.slots().max(1));
    let work = || {
        while let Some((index, host)) = queue.take() {
            let finding = check(&client, &targets[index], settings);
            queue.release(&host);
            done(&targets[index], &finding);
            results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(finding);
        }
    };
    std::thread::scope(|scope| {
        let may = crate::threads::may_start();
        let started = (0..workers)
            .take_while(|_| may && crate::threads::builder().spawn_scoped(scope, work).is_ok())
            .count();
        // no thread could be started (a process at its limit): the links are checked here, one
        // at a time
        if started == 0 {
            work();
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().flatten().collect()
}

/// The agents a run sends requests through: one direct, one per proxy.
pub struct Client {
    direct: ureq::Agent,
    via_http: Option<ureq::Agent>,
    via_https: Option<ureq::Agent>,
    proxies: Proxies,
    allow_private: bool,
}

impl Client {
    pub fn new(settings: &Settings) -> Client {
        let config = |proxy: Option<&ureq::Proxy>| {
            ureq::Agent::config_builder()
                .timeout_global(Some(settings.timeout))
                .max_redirects(0)
                .http_status_as_error(false)
                .user_agent(concat!("uof-admin/", env!("CARGO_PKG_VERSION"), " (link check)"))
                // ureq would read the proxy variables itself; `Proxies` decides instead
                .proxy(proxy.cloned())
                .build()
        };
        // every connection marks its request sent, to tell which part of a try timed out
        use ureq::unversioned::transport::{Connector, DefaultConnector};
        let connector = || DefaultConnector::default().chain(phase::MarkSent);
        let any_address = ureq::unversioned::resolver::DefaultResolver::default;
        let direct = if settings.allow_private {
            ureq::Agent::with_parts(config(None), connector(), any_address())
        } else {
            ureq::Agent::with_parts(config(None), connector(), guard::PublicOnly::default())
        };
        // a proxied agent resolves only the proxy's own name: the proxy resolves the target
        let via = |proxy: Option<&ureq::Proxy>| {
            proxy.map(|p| ureq::Agent::with_parts(config(Some(p)), connector(), any_address()))
        };
        Client {
            direct,
            via_http: via(settings.proxies.http.as_ref()),
            via_https: via(settings.proxies.https.as_ref()),
            proxies: settings.proxies.clone(),
            allow_private: settings.allow_private,
        }
    }

    /// The agent for `url`, and whether it goes through a proxy.
    fn route(&self, url: &Url) -> (&ureq::Agent, bool) {
        let proxied = match (self.proxies.for_url(url), url.scheme()) {
            (Some(_), "https") => self.via_https.as_ref(),
            (Some(_), _) => self.via_http.as_ref(),
            (None, _) => None,
        };
        match proxied {
            Some(agent) => (agent, true),
            None => (&self.direct, false),
        }
    }
}

/// Why a request got no HTTP answer.
#[derive(Debug)]
enum Failure {
    /// No answer in time: the part of the try that ran out of it.
    Timeout(Phase),
    /// Connected, then lost.
    Connection(String),
    /// Could not connect at all: no route to the host.
    NoRoute(String),
    /// The host's machine refused the connection.
    ConnectRefused,
    Dns,
    Tls(String),
    /// The proxy could not be reached.
    Proxy(String),
    /// The proxy was reached but would not connect onward.
    ProxyOnward(String),
    /// A private address, not tried (see `guard`).
    Refused(Refused),
    Other(String),
}

impl Failure {
    /// Failures worth another try within the run.
    fn retry(&self) -> bool {
        matches!(
            self,
            Failure::Timeout(_)
                | Failure::Connection(_)
                | Failure::NoRoute(_)
                | Failure::ConnectRefused
                | Failure::Proxy(_)
                | Failure::ProxyOnward(_)
        )
    }

    /// Failures that may pass by a later run: those retried, and a failed name lookup.
    fn may_pass(&self) -> bool {
        self.retry() || matches!(self, Failure::Dns)
    }

    /// Failures that say nothing about the page, only that its host could not be reached.
    fn unreached(&self) -> Option<Unreached> {
        match self {
            Failure::Dns => Some(Unreached::Lookup),
            Failure::ConnectRefused => Some(Unreached::Refused),
            Failure::NoRoute(_) | Failure::Timeout(Phase::Connect) => Some(Unreached::Route),
            Failure::Proxy(_) => Some(Unreached::Proxy),
            _ => None,
        }
    }

    /// Sort a client error met in `phase` (what a timeout is named by). rustls reports a failed
    /// handshake as `InvalidData` I/O, so on an https URL that kind is a TLS failure.
    fn from_ureq(err: ureq::Error, https: bool, phase: Phase) -> Failure {
        use std::io::ErrorKind;
        match err {
            ureq::Error::Timeout(_) => Failure::Timeout(phase),
            ureq::Error::HostNotFound => Failure::Dns,
            ureq::Error::Tls(why) => Failure::Tls(why.to_string()),
            ureq::Error::Rustls(e) => Failure::Tls(e.to_string()),
            ureq::Error::ConnectionFailed => Failure::NoRoute("connection failed".into()),
            ureq::Error::ConnectProxyFailed(why) => Failure::ProxyOnward(why),
            ureq::Error::Other(e) => match e.downcast::<Refused>() {
                Ok(refused) => Failure::Refused(*refused),
                Err(e) => Failure::Other(e.to_string()),
            },
            // std reports a failed getaddrinfo with no kind of its own, only this wording
            ureq::Error::Io(e) if e.to_string().contains("failed to lookup address") => Failure::Dns,
            ureq::Error::Io(e) => match e.kind() {
                ErrorKind::TimedOut | ErrorKind::WouldBlock => Failure::Timeout(phase),
                ErrorKind::InvalidData if https => Failure::Tls(e.to_string()),
                ErrorKind::ConnectionRefused => Failure::ConnectRefused,
                ErrorKind::NetworkUnreachable => Failure::NoRoute("network unreachable".into()),
                ErrorKind::HostUnreachable => Failure::NoRoute("host unreachable".into()),
                ErrorKind::AddrNotAvailable => Failure::NoRoute("address not available".into()),
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::UnexpectedEof => {
                    Failure::Connection("the connection was closed before an answer".into())
                }
                _ => Failure::Connection(e.to_string()),
            },
            other => Failure::Other(other.to_string()),
        }
    }

    /// Through a proxy, only the proxy's own name is looked up and only the proxy is connected
    /// to: failing either is the proxy's failure, not the link's.
    fn through(self, proxy: Option<&ureq::Proxy>) -> Failure {
        match (self, proxy) {
            (Failure::Dns, Some(p)) => Failure::Proxy(format!("{}:{} not found (DNS)", p.host(), p.port())),
            (Failure::NoRoute(why), Some(p)) => Failure::Proxy(format!("{}:{}: {why}", p.host(), p.port())),
            (Failure::ConnectRefused, Some(p)) => {
                Failure::Proxy(format!("{}:{}: connection refused", p.host(), p.port()))
            }
            (failure, _) => failure,
        }
    }
}

/// The end of one try: an HTTP answer after following redirects.
struct Answer {
    code: u16,
    final_url: String,
    /// Where the permanent redirects (301/308) at the start of the chain lead, if it starts
    /// with one: the address to link to instead.
    moved_to: Option<String>,
    elapsed: Duration,
    /// Why the redirects could not be followed, when they could not.
    redirect_problem: Option<String>,
    /// How many redirects led to the answer.
    hops: usize,
    page: Option<Fingerprint>,
    not_modified: bool,
}

/// Check one link, with retries.
pub fn check(client: &Client, target: &Target, settings: &Settings) -> Finding {
    let tries = settings.tries.max(1);
    let mut pause = settings.backoff;
    for attempt in 1..=tries {
        let last = attempt == tries;
        match follow(client, target, settings) {
            Ok(answer)
                if (500..=599).contains(&answer.code) && answer.redirect_problem.is_none() && !last => {}
            Ok(answer) => return classify(&target.url, answer, attempt),
            Err(stop) if stop.failure.retry() && !last => {}
            Err(stop) => return failed(stop, attempt, settings),
        }
        std::thread::sleep(pause);
        pause = pause.saturating_mul(2);
    }
    unreachable!("the last try always returns")
}

/// A try that got no answer: why, and the address that gave none (the link itself, or where it
/// redirected).
struct Stop {
    failure: Failure,
    at: String,
    redirected: bool,
}

/// GET the target, following redirects by hand, all within `settings.timeout`; read the body
/// of a page served, and ask for it only if changed where a page was seen before.
fn follow(client: &Client, target: &Target, settings: &Settings) -> Result<Answer, Stop> {
    let started = Instant::now();
    let mut current = target.url.clone();
    let mut seen_urls = HashSet::from([current.clone()]);
    let mut moved_to = None;
    let mut still_permanent = true;
    for hop in 0..=settings.max_redirects + 1 {
        let stop = |failure, at: &str| Stop { failure, at: at.to_string(), redirected: hop > 0 };
        let left = settings.timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(stop(Failure::Timeout(Phase::Redirects), &current));
        }
        let parsed = Url::parse(&current).map_err(|e| stop(Failure::Other(e.to_string()), &current))?;
        let https = parsed.scheme() == "https";
        let (agent, proxied) = client.route(&parsed);
        let proxy = if proxied { client.proxies.for_url(&parsed) } else { None };
        if proxied && !client.allow_private {
            if let Some(refused) = parsed.host_str().and_then(guard::refuse_unresolved) {
                return Err(stop(Failure::Refused(refused), &current));
            }
        }
        let seen = target.seen.as_ref().filter(|s| s.final_url == current);
        let mut request = agent
            .get(&current)
            .config()
            .timeout_global(Some(left))
            .build()
            .header("Accept", "text/html,*/*;q=0.8");
        if let Some(seen) = seen {
            if let Some(etag) = &seen.fingerprint.etag {
                request = request.header("If-None-Match", etag);
            }
            if let Some(date) = &seen.fingerprint.last_modified {
                request = request.header("If-Modified-Since", date);
            }
        }
        phase::start();
        let response = request
            .call()
            .map_err(|e| stop(Failure::from_ureq(e, https, phase::reached()).through(proxy), &current))?;
        let code = response.status().as_u16();
        let answer = |final_url: String, redirect_problem: Option<String>, moved_to, page| Answer {
            code,
            final_url,
            moved_to,
            elapsed: started.elapsed(),
            redirect_problem,
            hops: hop,
            not_modified: false,
            page,
        };
        let asked_if_changed =
            seen.filter(|s| s.fingerprint.etag.is_some() || s.fingerprint.last_modified.is_some());
        if let (304, Some(seen)) = (code, asked_if_changed) {
            let page = Some(seen.fingerprint.clone());
            return Ok(Answer { not_modified: true, ..answer(current, None, moved_to, page) });
        }
        if !matches!(code, 301 | 302 | 303 | 307 | 308) {
            let mut page = None;
            if (200..=299).contains(&code) {
                let etag = page::header_text(response.headers().get("etag"));
                let last_modified = page::header_text(response.headers().get("last-modified"));
                let body = response.into_body().into_reader();
                // a ureq error (the try's deadline) comes back out of its I/O wrapping
                let read = page::read_body(body, etag, last_modified).map_err(|e| {
                    stop(
                        Failure::from_ureq(ureq::Error::from(e), https, Phase::Body).through(proxy),
                        &current,
                    )
                })?;
                page = Some(read);
            }
            return Ok(answer(current, None, moved_to, page));
        }
        let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
        let next = location.as_deref().and_then(|l| parsed.join(l).ok());
        let next = match next {
            None => {
                let why = format!("Redirect ({code}) without a usable Location");
                return Ok(answer(current, Some(why), None, None));
            }
            Some(next) if !matches!(next.scheme(), "http" | "https") => {
                let why = format!("Redirects to an address that is not a web page: {next}");
                return Ok(answer(current, Some(why), None, None));
            }
            Some(next) => next.to_string(),
        };
        still_permanent &= matches!(code, 301 | 308);
        if still_permanent {
            moved_to = Some(next.clone());
        }
        if hop == settings.max_redirects {
            let why = format!("More than {} redirects", settings.max_redirects);
            return Ok(answer(next, Some(why), None, None));
        }
        if !seen_urls.insert(next.clone()) {
            return Ok(answer(next.clone(), Some(format!("Redirect loop back to {next}")), None, None));
        }
        current = next;
    }
    unreachable!("the loop returns by its last hop")
}
