//! Sorting what a check saw into ok, caution or broken, with the problem and the fix to suggest.
use super::*;

fn finding(
    status: LinkStatus,
    answer: Option<&Answer>,
    problem: Option<String>,
    fix: Option<&str>,
) -> Finding {
    Finding {
        status,
        http_status: answer.map(|a| a.code),
        final_url: answer.map(|a| a.final_url.clone()),
        problem,
        suggested_fix: fix.map(str::to_string),
        fingerprint: answer.and_then(|a| a.page.clone()),
        not_modified: answer.is_some_and(|a| a.not_modified),
        may_pass: answer.is_some_and(|a| (500..=599).contains(&a.code) && a.redirect_problem.is_none()),
        unreached: None,
    }
}

fn after(attempt: u32) -> String {
    if attempt > 1 {
        format!(" after {attempt} tries")
    } else {
        String::new()
    }
}

/// A page served that is probably not the page: a deeper address redirected to the site's home
/// page (what most sites do with a page they removed), or a title that says it is missing.
fn soft_404(url: &str, answer: &Answer) -> Option<String> {
    let home = |u: &str| Url::parse(u).ok().map(|u| matches!(u.path(), "/" | ""));
    if answer.hops > 0 && home(url) == Some(false) && home(&answer.final_url) == Some(true) {
        return Some(format!(
            "Looks like a missing page: it redirects to the site's home page, {}",
            answer.final_url
        ));
    }
    let title = answer.page.as_ref()?.title.as_deref()?;
    page::title_says_missing(title).then(|| format!("Looks like a missing page: its title is \"{title}\""))
}

pub(super) fn classify(url: &str, answer: Answer, attempt: u32) -> Finding {
    use LinkStatus::{Broken, Caution, Ok};
    let code = answer.code;
    let (a, is) =
        (Some(&answer), |status, problem: String, fix| finding(status, Some(&answer), Some(problem), fix));
    if let Some(why) = &answer.redirect_problem {
        let fix = "Open the link in a browser to see where it should lead, and update the link";
        return is(Broken, why.clone(), Some(fix));
    }
    let served = (200..=299).contains(&code) || answer.not_modified;
    if served {
        if let Some(problem) = soft_404(url, &answer) {
            return is(Caution, problem, Some(FIND_NEW));
        }
        if let Some(to) = answer.moved_to.as_deref().filter(|to| *to != url) {
            return is(Caution, format!("Permanently redirects to {to}"), Some(to));
        }
        if answer.elapsed > Duration::from_secs(5) {
            return is(
                Caution,
                format!("Slow: answered in {:.1} s", answer.elapsed.as_secs_f64()),
                Some(LATER),
            );
        }
        return finding(Ok, a, None, None);
    }
    match code {
        401 | 403 | 429 => {
            let what = match code {
                401 => "Needs a login",
                403 => "Access refused",
                _ => "Too many requests",
            };
            is(Caution, format!("{what} ({code}): the site may block automated checks"), Some(BROWSER))
        }
        404 => is(Broken, "Page not found (404)".into(), Some(FIND_NEW)),
        410 => is(Broken, "Page gone (410)".into(), Some(FIND_NEW)),
        400..=499 => is(Broken, format!("Client error ({code})"), Some(FIND_NEW)),
        500..=599 => is(Broken, format!("Server error ({code}){}", after(attempt)), Some(LATER)),
        _ => is(Broken, format!("Unexpected answer ({code})"), Some(LATER)),
    }
}

pub(super) fn failed(stop: Stop, attempt: u32, settings: &Settings) -> Finding {
    let (may_pass, unreached) = (stop.failure.may_pass(), stop.failure.unreached());
    let (problem, fix) = match stop.failure {
        Failure::Timeout(phase) => {
            let tries = if attempt > 1 { format!(" ({attempt} tries)") } else { String::new() };
            (format!("Timed out {phase} after {} s{tries}", settings.timeout.as_secs_f64()), LATER)
        }
        Failure::Connection(why) | Failure::NoRoute(why) => {
            (format!("Could not connect: {why}{}", after(attempt)), LATER)
        }
        Failure::ConnectRefused => {
            (format!("Could not connect: connection refused{}", after(attempt)), LATER)
        }
        Failure::Dns => (
            "Host not found (DNS)".to_string(),
            "Check the address for typos; the site may have moved to a new domain",
        ),
        Failure::Tls(why) => (
            format!("TLS failure: {why}"),
            "The site's certificate or secure connection is not valid; tell the force",
        ),
        Failure::Proxy(why) | Failure::ProxyOnward(why) => (
            format!("The proxy failed: {why}{}", after(attempt)),
            "Check HTTPS_PROXY / HTTP_PROXY, or list the host in NO_PROXY",
        ),
        Failure::Refused(refused) => (
            format!("Refused: {refused}; pass --allow-private to check local mirrors"),
            "A force's public page is never on a private address: find its public address",
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
        fingerprint: None,
        not_modified: false,
        may_pass,
        unreached,
    }
}
