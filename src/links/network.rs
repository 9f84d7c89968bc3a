//! Telling a dead network from a dead link. A run learnt nothing about its links when no check
//! got near its host: every one failed at looking up the name, at connecting, or at reaching the
//! proxy (`Unreached`). Then the network is taken to be down when
//!
//! - two or more hosts failed so (many sites at once is this machine, not them), or
//! - the proxy every request goes out through could not be reached, or
//! - the one host's name could not be looked up or it could not be routed to (a refused
//!   connection is its machine answering: the network works), and a probe connection to
//!   `UOF_ADMIN_PROBE` (HOST:PORT; by default the HTTPS proxy if one is set, else
//!   `www.gov.uk:443`) fails too. The probe only connects, and sends nothing.
use std::collections::HashSet;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

use url::Url;

use super::{Finding, Proxies, Target, Unreached};

/// Where the probe connects when the variable is unset and no proxy is: a well-kept public site.
pub const DEFAULT_PROBE: &str = "www.gov.uk:443";

/// Why a run is taken to have had no network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Down {
    /// This many hosts, and not one could be reached.
    Hosts(usize),
    /// The proxy could not be reached.
    Proxy,
    /// The one host could not be reached, and neither could the probe (its HOST:PORT).
    Probe { host: String, probe: String },
}

/// `UOF_ADMIN_PROBE` is not a HOST:PORT (its value is not repeated: it may be anything).
#[derive(Debug, thiserror::Error)]
#[error("UOF_ADMIN_PROBE is not a HOST:PORT to connect to")]
pub struct BadProbe;

/// The probe's HOST:PORT: `UOF_ADMIN_PROBE`, else the HTTPS proxy, else `DEFAULT_PROBE`. An
/// empty variable counts as unset.
pub fn probe_address(var: Option<String>, proxies: &Proxies) -> Result<String, BadProbe> {
    match (var.filter(|v| !v.trim().is_empty()), &proxies.https) {
        (Some(v), _) => host_port(v.trim()).ok_or(BadProbe),
        (None, Some(proxy)) => Ok(format!("{}:{}", proxy.host(), proxy.port())),
        (None, None) => Ok(DEFAULT_PROBE.to_owned()),
    }
}

/// `value` when it is a host name or address and a port: `www.gov.uk:443`, `10.0.0.1:80`,
/// `[::1]:8080`.
fn host_port(value: &str) -> Option<String> {
    let (host, port) = value.rsplit_once(':')?;
    port.parse::<u16>().ok().filter(|p| *p > 0)?;
    let bracketed = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
    if let Some(v6) = bracketed {
        return v6.parse::<std::net::Ipv6Addr>().is_ok().then(|| value.to_owned());
    }
    let name = host.len() <= 253
        && host.split('.').all(|l| !l.is_empty() && l.len() <= 63)
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    name.then(|| value.to_owned())
}

/// Whether the run of `targets`, which found `findings`, had no network; `probe` is asked only
/// when one host alone cannot tell (`probe_address`, given up after `wait`).
pub fn down(targets: &[Target], findings: &[Finding], probe: &str, wait: Duration) -> Option<Down> {
    let unreached: Option<Vec<Unreached>> = findings.iter().map(|f| f.unreached).collect();
    let unreached = unreached.filter(|u| !u.is_empty())?;
    let hosts: HashSet<String> = targets
        .iter()
        .map(|t| Url::parse(&t.url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default())
        .collect();
    if hosts.len() >= 2 {
        return Some(Down::Hosts(hosts.len()));
    }
    if unreached.contains(&Unreached::Proxy) {
        return Some(Down::Proxy);
    }
    if unreached.contains(&Unreached::Refused) || reaches(probe, wait) {
        return None;
    }
    let host = hosts.into_iter().next().unwrap_or_default();
    Some(Down::Probe { host, probe: probe.to_owned() })
}

/// Whether a TCP connection to `address` (HOST:PORT) is answered, refused or not, within `wait`
/// for the lookup and again for the connection. The lookup runs on a thread of its own: a
/// resolver that never answers is left to finish alone.
fn reaches(address: &str, wait: Duration) -> bool {
    let (tx, rx) = mpsc::channel();
    let owned = address.to_owned();
    let spawned = crate::threads::builder().spawn(move || {
        let _ = tx.send(owned.to_socket_addrs().map(Iterator::collect::<Vec<_>>));
    });
    let addresses: Vec<_> = match spawned {
        Ok(_) => match rx.recv_timeout(wait) {
            Ok(Ok(addresses)) => addresses,
            _ => return false,
        },
        // a thread that cannot be started: the lookup is made here, for as long as it takes
        Err(_) => match address.to_socket_addrs() {
            Ok(addresses) => addresses.collect(),
            Err(_) => return false,
        },
    };
    addresses.iter().any(|a| match TcpStream::connect_timeout(a, wait) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionRefused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LinkStatus;

    fn target(url: &str) -> Target {
        Target { force: "f".into(), url: url.into(), seen: None }
    }

    fn failed(unreached: Option<Unreached>) -> Finding {
        Finding {
            status: LinkStatus::Broken,
            http_status: None,
            final_url: None,
            problem: None,
            suggested_fix: None,
            fingerprint: None,
            not_modified: false,
            may_pass: true,
            unreached,
        }
    }

    #[test]
    fn many_hosts_unreached_or_the_proxy_is_no_network_and_one_answer_is_enough() {
        let wait = Duration::from_millis(200);
        let two = [target("https://a.uk/"), target("https://b.uk/")];
        let lookup = failed(Some(Unreached::Lookup));
        let both = [lookup.clone(), failed(Some(Unreached::Refused))];
        assert_eq!(down(&two, &both, "probe.invalid:1", wait), Some(Down::Hosts(2)));
        let answered = [lookup.clone(), failed(None)];
        assert_eq!(down(&two, &answered, "probe.invalid:1", wait), None);
        let one = [target("https://a.uk/")];
        assert_eq!(down(&one, &[failed(Some(Unreached::Proxy))], "probe.invalid:1", wait), Some(Down::Proxy));
        assert_eq!(down(&one, &[failed(Some(Unreached::Refused))], "probe.invalid:1", wait), None);
        assert_eq!(down(&[], &[], "probe.invalid:1", wait), None);
    }

    #[test]
    fn one_host_unreached_asks_the_probe() {
        let wait = Duration::from_secs(2);
        let one = [target("https://a.uk/")];
        let lookup = [failed(Some(Unreached::Lookup))];
        let listening = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let up = listening.local_addr().unwrap().to_string();
        assert_eq!(down(&one, &lookup, &up, wait), None, "the probe answered");
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        assert_eq!(down(&one, &lookup, &closed, wait), None, "a refusal is an answer");
        let gone = down(&one, &lookup, "probe.invalid:443", wait);
        assert_eq!(gone, Some(Down::Probe { host: "a.uk".into(), probe: "probe.invalid:443".into() }));
    }

    #[test]
    fn the_probe_is_the_variable_else_the_https_proxy_else_gov_uk() {
        let none = Proxies::default();
        let probe = |v: Option<&str>, p: &Proxies| probe_address(v.map(str::to_owned), p).ok();
        assert_eq!(probe(None, &none).as_deref(), Some(DEFAULT_PROBE));
        assert_eq!(probe(Some(" "), &none).as_deref(), Some(DEFAULT_PROBE));
        for good in ["10.1.1.1:80", "[::1]:8080", "probe.corp.example:443", " www.gov.uk:443 "] {
            assert_eq!(probe(Some(good), &none).as_deref(), Some(good.trim()), "{good}");
        }
        let long = format!("{}:443", "a".repeat(10_000_000));
        for bad in [
            "www.gov.uk",
            "www.gov.uk:0",
            "www.gov.uk:99999",
            ":443",
            "javascript:alert(1)",
            "https://www.gov.uk:443",
            "a b:443",
            "a\nb:443",
            "<script>:1",
            "a..b:1",
            "[nope]:1",
            "w\u{432}w.gov.uk:443",
            &long,
        ] {
            assert_eq!(probe(Some(bad), &none), None, "{bad:.40}");
        }
        let proxied =
            Proxies::from_vars(|n| (n == "HTTPS_PROXY").then(|| "http://proxy.corp:3128".to_owned()))
                .unwrap();
        assert_eq!(probe(None, &proxied).as_deref(), Some("proxy.corp:3128"));
    }
}
