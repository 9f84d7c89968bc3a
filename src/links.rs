//! Checking force URLs the way the UK government's link checker does: GET each one, follow up to
//! eight redirects by hand (so loops and permanent moves are seen), retry what may be passing
//! (timeouts, refused connections, 5xx) with back-off, and sort the answer into ok, caution or
//! broken with a problem and a suggested fix. No database here: `commands::check_links` stores
//! what this returns.
//!
//! The client is `ureq`: blocking, small, rustls with the Mozilla root store, certificate checks
//! always on. A pool of worker threads is enough for a few hundred links, and no more than
//! `per_host` requests go to one host at once.
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use url::Url;

use crate::model::LinkStatus;

/// How a run of checks behaves. `Settings::default()` is the spec's: 8 at once, 2 per host,
/// 15 s timeout, 3 tries, 8 redirects, slow over 5 s.
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
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            timeout: Duration::from_secs(15),
            concurrency: 8,
            per_host: 2,
            tries: 3,
            backoff: Duration::from_millis(500),
            slow: Duration::from_secs(5),
            max_redirects: 8,
        }
    }
}

/// One link to check.
#[derive(Debug, Clone)]
pub struct Target {
    pub force: String,
    pub url: String,
}

/// What checking one link found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub status: LinkStatus,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    pub problem: Option<String>,
    pub suggested_fix: Option<String>,
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
    let agent = agent(settings);
    let queue = HostQueue::new(targets, settings.per_host.max(1));
    let results: Mutex<Vec<Option<Finding>>> = Mutex::new(vec![None; targets.len()]);
    let workers = settings.concurrency.clamp(1, targets.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some((index, host)) = queue.take() {
                    let finding = check(&agent, &targets[index].url, settings);
                    queue.release(&host);
                    done(&targets[index], &finding);
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(finding);
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().flatten().collect()
}

fn agent(settings: &Settings) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(settings.timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("uof-admin/", env!("CARGO_PKG_VERSION"), " (link check)"))
        .build()
        .into()
}

/// Links waiting to be checked, handed out so that no host has more than `per_host` in flight.
struct HostQueue {
    state: Mutex<Waiting>,
    freed: Condvar,
    per_host: usize,
}

#[derive(Default)]
struct Waiting {
    /// Index into the targets, and the target's host.
    links: VecDeque<(usize, String)>,
    /// Requests in flight per host.
    busy: HashMap<String, usize>,
}

impl HostQueue {
    fn new(targets: &[Target], per_host: usize) -> HostQueue {
        let links = targets.iter().enumerate().map(|(i, t)| (i, host_key(&t.url))).collect();
        HostQueue {
            state: Mutex::new(Waiting { links, busy: HashMap::new() }),
            freed: Condvar::new(),
            per_host,
        }
    }

    /// The next link whose host has room, waiting for one if need be; `None` when all are taken.
    fn take(&self) -> Option<(usize, String)> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let Waiting { links: waiting, busy } = &mut *state;
            if waiting.is_empty() {
                return None;
            }
            let free =
                waiting.iter().position(|(_, host)| busy.get(host).copied().unwrap_or(0) < self.per_host);
            if let Some(at) = free {
                let (index, host) = waiting.remove(at)?;
                *busy.entry(host.clone()).or_default() += 1;
                return Some((index, host));
            }
            state = self.freed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn release(&self, host: &str) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = state.busy.get_mut(host) {
            *count -= 1;
        }
        self.freed.notify_all();
    }
}

/// The host and port a URL connects to: the unit of the per-host limit.
fn host_key(url: &str) -> String {
    match Url::parse(url) {
        Ok(u) => format!("{}:{}", u.host_str().unwrap_or(""), u.port_or_known_default().unwrap_or(0)),
        Err(_) => url.to_string(),
    }
}

/// Why a request got no HTTP answer.
#[derive(Debug)]
enum Failure {
    Timeout,
    Connection(String),
    Dns,
    Tls(String),
    Other(String),
}

impl Failure {
    fn passing(&self) -> bool {
        matches!(self, Failure::Timeout | Failure::Connection(_))
    }

    /// Sort a client error. rustls reports a failed handshake as `InvalidData` I/O, so on an
    /// https URL that kind is a TLS failure.
    fn from_ureq(err: ureq::Error, https: bool) -> Failure {
        use std::io::ErrorKind;
        match err {
            ureq::Error::Timeout(_) => Failure::Timeout,
            ureq::Error::HostNotFound => Failure::Dns,
            ureq::Error::Tls(why) => Failure::Tls(why.to_string()),
            ureq::Error::Rustls(e) => Failure::Tls(e.to_string()),
            ureq::Error::ConnectionFailed => Failure::Connection("connection failed".into()),
            // std reports a failed getaddrinfo with no kind of its own, only this wording
            ureq::Error::Io(e) if e.to_string().contains("failed to lookup address") => Failure::Dns,
            ureq::Error::Io(e) => match e.kind() {
                ErrorKind::TimedOut | ErrorKind::WouldBlock => Failure::Timeout,
                ErrorKind::InvalidData if https => Failure::Tls(e.to_string()),
                ErrorKind::ConnectionRefused => Failure::Connection("connection refused".into()),
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::UnexpectedEof => {
                    Failure::Connection("the connection was closed before an answer".into())
                }
                _ => Failure::Connection(e.to_string()),
            },
            other => Failure::Other(other.to_string()),
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
}

/// Check one URL, with retries.
pub fn check(agent: &ureq::Agent, url: &str, settings: &Settings) -> Finding {
    let tries = settings.tries.max(1);
    let mut pause = settings.backoff;
    for attempt in 1..=tries {
        let last = attempt == tries;
        match follow(agent, url, settings) {
            Ok(answer)
                if (500..=599).contains(&answer.code) && answer.redirect_problem.is_none() && !last => {}
            Ok(answer) => return classify(url, answer, attempt),
            Err(stop) if stop.failure.passing() && !last => {}
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

/// GET `url`, following redirects by hand, all within `settings.timeout`.
fn follow(agent: &ureq::Agent, url: &str, settings: &Settings) -> Result<Answer, Stop> {
    let started = Instant::now();
    let mut current = url.to_string();
    let mut seen = HashSet::from([current.clone()]);
    let mut moved_to = None;
    let mut still_permanent = true;
    for hop in 0..=settings.max_redirects + 1 {
        let stop = |failure, at: &str| Stop { failure, at: at.to_string(), redirected: hop > 0 };
        let left = settings.timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(stop(Failure::Timeout, &current));
        }
        let response = agent
            .get(&current)
            .config()
            .timeout_global(Some(left))
            .build()
            .header("Accept", "text/html,*/*;q=0.8")
            .call()
            .map_err(|e| stop(Failure::from_ureq(e, current.starts_with("https:")), &current))?;
        let code = response.status().as_u16();
        let answer = |final_url: String, redirect_problem: Option<String>, moved_to| Answer {
            code,
            final_url,
            moved_to,
            elapsed: started.elapsed(),
            redirect_problem,
        };
        if !matches!(code, 301 | 302 | 303 | 307 | 308) {
            return Ok(answer(current, None, moved_to));
        }
        let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
        let next = location.as_deref().and_then(|l| Url::parse(&current).ok()?.join(l).ok());
        let next = match next {
            None => {
                let why = format!("Redirect ({code}) without a usable Location");
                return Ok(answer(current, Some(why), None));
            }
            Some(next) if !matches!(next.scheme(), "http" | "https") => {
                let why = format!("Redirects to an address that is not a web page: {next}");
                return Ok(answer(current, Some(why), None));
            }
            Some(next) => next.to_string(),
        };
        still_permanent &= matches!(code, 301 | 308);
        if still_permanent {
            moved_to = Some(next.clone());
        }
        if hop == settings.max_redirects {
            let why = format!("More than {} redirects", settings.max_redirects);
            return Ok(answer(next, Some(why), None));
        }
        if !seen.insert(next.clone()) {
            return Ok(answer(next.clone(), Some(format!("Redirect loop back to {next}")), None));
        }
        current = next;
    }
    unreachable!("the loop returns by its last hop")
}

fn finding(status: LinkStatus, answer: Option<&Answer>, problem: String, fix: Option<&str>) -> Finding {
    Finding {
        status,
        http_status: answer.map(|a| a.code),
        final_url: answer.map(|a| a.final_url.clone()),
        problem: Some(problem),
        suggested_fix: fix.map(str::to_string),
    }
}

fn after(attempt: u32) -> String {
    if attempt > 1 {
        format!(" after {attempt} tries")
    } else {
        String::new()
    }
}

fn classify(url: &str, answer: Answer, attempt: u32) -> Finding {
    use LinkStatus::{Broken, Caution, Ok};
    let code = answer.code;
    if let Some(why) = &answer.redirect_problem {
        let fix = "Open the link in a browser to see where it should lead, and update the link";
        return finding(Broken, Some(&answer), why.clone(), Some(fix));
    }
    match code {
        200..=299 if answer.moved_to.as_deref().is_some_and(|to| to != url) => {
            let to = answer.moved_to.clone().unwrap_or_default();
            let problem = format!("Permanently redirects to {to}");
            finding(Caution, Some(&answer), problem, Some(&to))
        }
        200..=299 if answer.elapsed > Duration::from_secs(5) => {
            let problem = format!("Slow: answered in {:.1} s", answer.elapsed.as_secs_f64());
            finding(Caution, Some(&answer), problem, Some(LATER))
        }
        200..=299 => Finding {
            status: Ok,
            http_status: Some(code),
            final_url: Some(answer.final_url),
            problem: None,
            suggested_fix: None,
        },
        401 | 403 | 429 => {
            let what = match code {
                401 => "Needs a login",
                403 => "Access refused",
                _ => "Too many requests",
            };
            let problem = format!("{what} ({code}): the site may block automated checks");
            finding(Caution, Some(&answer), problem, Some(BROWSER))
        }
        404 => finding(Broken, Some(&answer), "Page not found (404)".into(), Some(FIND_NEW)),
        410 => finding(Broken, Some(&answer), "Page gone (410)".into(), Some(FIND_NEW)),
        400..=499 => finding(Broken, Some(&answer), format!("Client error ({code})"), Some(FIND_NEW)),
        500..=599 => {
            finding(Broken, Some(&answer), format!("Server error ({code}){}", after(attempt)), Some(LATER))
        }
        _ => finding(Broken, Some(&answer), format!("Unexpected answer ({code})"), Some(LATER)),
    }
}

fn failed(stop: Stop, attempt: u32, settings: &Settings) -> Finding {
    let (problem, fix) = match stop.failure {
        Failure::Timeout => {
            (format!("No answer within {} s{}", settings.timeout.as_secs_f64(), after(attempt)), LATER)
        }
        Failure::Connection(why) => (format!("Could not connect: {why}{}", after(attempt)), LATER),
        Failure::Dns => (
            "Host not found (DNS)".to_string(),
            "Check the address for typos; the site may have moved to a new domain",
        ),
        Failure::Tls(why) => (
            format!("TLS failure: {why}"),
            "The site's certificate or secure connection is not valid; tell the force",
        ),
        Failure::Other(why) => (format!("Request failed: {why}"), LATER),
    };
    let problem =
        if stop.redirected { format!("{problem}, at the redirect to {}", stop.at) } else { problem };
    Finding {
        status: LinkStatus::Broken,
        http_status: None,
        final_url: Some(stop.at),
        problem: Some(problem),
        suggested_fix: Some(fix.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_told_apart_by_name_and_port() {
        assert_eq!(host_key("https://a.police.uk/x"), "a.police.uk:443");
        assert_eq!(host_key("http://127.0.0.2:8080/"), "127.0.0.2:8080");
        assert_ne!(host_key("http://127.0.0.1:1/"), host_key("http://127.0.0.2:1/"));
    }

    #[test]
    fn the_queue_never_hands_one_host_more_than_its_share() {
        let targets: Vec<Target> = (0..6)
            .map(|i| Target { force: format!("f{i}"), url: format!("https://h{}.uk/{i}", i % 2) })
            .collect();
        let queue = HostQueue::new(&targets, 2);
        let first: Vec<_> = (0..4).filter_map(|_| queue.take()).collect();
        assert_eq!(first.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 1, 2, 3]);
        let busy = queue.state.lock().unwrap().busy.clone();
        assert_eq!(busy.values().copied().collect::<Vec<_>>(), [2, 2]);
        queue.release(&first[0].1);
        assert_eq!(queue.take().map(|(i, _)| i), Some(4));
    }
}
