//! No link check reaches into the machine or its network: loopback, private, link-local, shared
//! (carrier-grade NAT) and unspecified addresses are refused unless `--allow-private`.
//!
//! The rule is applied by the resolver ureq connects through, to the addresses a name actually
//! resolved to, so a public name whose DNS points inward is refused too, and a redirect to such
//! an address is refused at that hop. A refusal is an error from the resolver: no socket is
//! opened.
//!
//! Behind a proxy the proxy resolves the name and makes the connection, so the address it
//! reaches is not ours to see: looking the name up here would give an answer the proxy need not
//! share, and would stall on networks where only the proxy can resolve names. There the rule
//! covers what can be known without a lookup (an address written in the link, `localhost`), and
//! the proxy itself is exempt: the operator chose it, and company proxies live on private
//! addresses.
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Why an address is not public, or `None` when it is.
pub fn private_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => v6_kind(v6),
    }
}

fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    match (a, b) {
        (0, _) => Some("unspecified"),
        (127, _) => Some("loopback"),
        (10, _) | (192, 168) => Some("local network"),
        (172, b) if (16..32).contains(&b) => Some("local network"),
        (169, 254) => Some("link-local"),
        (100, b) if (64..128).contains(&b) => Some("carrier-grade NAT"),
        _ if ip.is_broadcast() => Some("broadcast"),
        _ => None,
    }
}

fn v6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    // an IPv4 address written as IPv6 (::ffff:a.b.c.d, the old ::a.b.c.d, NAT64's 64:ff9b::a.b.c.d)
    // goes where the IPv4 address goes
    let s = ip.segments();
    let embedded = s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    if embedded {
        let [.., a, b, c, d] = ip.octets();
        return v4_kind(Ipv4Addr::new(a, b, c, d));
    }
    match s[0] {
        x if x & 0xfe00 == 0xfc00 => Some("unique local"),
        x if x & 0xffc0 == 0xfe80 => Some("link-local"),
        _ => None,
    }
}

/// A connection this tool will not make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The host as the link names it, when that is a name rather than the address itself.
    pub name: Option<String>,
    pub ip: Option<IpAddr>,
    pub kind: &'static str,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, self.ip) {
            (Some(name), Some(ip)) => write!(f, "{name} resolves to {ip}, which is private ({})", self.kind),
            (None, Some(ip)) => write!(f, "the address {ip} is private ({})", self.kind),
            (Some(name), None) => write!(f, "{name} is private ({})", self.kind),
            (None, None) => write!(f, "the address is private ({})", self.kind),
        }
    }
}

impl std::error::Error for Refused {}

/// The host of a URL as an address, if it is written as one (`[::1]` included).
fn literal(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

/// What can be refused without looking the host up: an address in the link, or `localhost`.
pub fn refuse_unresolved(host: &str) -> Option<Refused> {
    if let Some(ip) = literal(host) {
        return private_kind(ip).map(|kind| Refused { name: None, ip: Some(ip), kind });
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let local = host == "localhost" || host.ends_with(".localhost");
    local.then_some(Refused { name: Some(host), ip: None, kind: "loopback" })
}

/// ureq's resolver with the rule applied: addresses that are not public are dropped, and a host
/// left with none is refused before any connection is tried.
#[derive(Debug, Default)]
pub struct PublicOnly(DefaultResolver);

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let all = self.0.resolve(uri, config, timeout)?;
        let mut public = self.empty();
        let mut refused = None;
        for addr in all.iter() {
            match private_kind(addr.ip()) {
                Some(kind) => {
                    refused.get_or_insert((addr.ip(), kind));
                }
                None => public.push(*addr),
            }
        }
        match refused {
            Some((ip, kind)) if public.is_empty() => {
                let host = uri.host().unwrap_or_default();
                let name = literal(host).is_none().then(|| host.to_string());
                Err(ureq::Error::Other(Box::new(Refused { name, ip: Some(ip), kind })))
            }
            _ => Ok(public),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(ip: &str) -> Option<&'static str> {
        private_kind(ip.parse().unwrap())
    }

    #[test]
    fn every_inward_range_is_named_and_public_addresses_pass() {
        for (ip, want) in [
            ("127.0.0.1", "loopback"),
            ("127.255.0.9", "loopback"),
            ("10.0.0.1", "local network"),
            ("172.16.0.1", "local network"),
            ("172.31.255.255", "local network"),
            ("192.168.1.1", "local network"),
            ("169.254.169.254", "link-local"),
            ("100.64.0.1", "carrier-grade NAT"),
            ("100.127.255.255", "carrier-grade NAT"),
            ("0.0.0.0", "unspecified"),
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("fc00::1", "unique local"),
            ("fdff::1", "unique local"),
            ("fe80::1", "link-local"),
            ("febf::1", "link-local"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:10.1.2.3", "local network"),
            ("::ffff:169.254.169.254", "link-local"),
            ("::10.0.0.1", "local network"),
            ("64:ff9b::192.168.0.1", "local network"),
        ] {
            assert_eq!(kind(ip), Some(want), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "172.15.0.1",
            "172.32.0.1",
            "100.63.0.1",
            "100.128.0.1",
            "2a00:1450::1",
            "::ffff:8.8.8.8",
            "fec0::1",
        ] {
            assert_eq!(kind(ip), None, "{ip}");
        }
    }

    #[test]
    fn addresses_in_the_link_and_localhost_are_refused_without_a_lookup() {
        assert_eq!(
            refuse_unresolved("[::1]").map(|r| r.to_string()).as_deref(),
            Some("the address ::1 is private (loopback)")
        );
        assert_eq!(refuse_unresolved("10.0.0.1").map(|r| r.kind), Some("local network"));
        assert_eq!(
            refuse_unresolved("LocalHost.").map(|r| r.to_string()).as_deref(),
            Some("localhost is private (loopback)")
        );
        assert_eq!(refuse_unresolved("www.localhost").map(|r| r.kind), Some("loopback"));
        assert_eq!(refuse_unresolved("www.kent.police.uk"), None);
        assert_eq!(refuse_unresolved("8.8.8.8"), None);
    }
}
