//! Which proxy, if any, a link goes through: `https_proxy`/`HTTPS_PROXY` for https links,
//! `http_proxy`/`HTTP_PROXY` for http links, `all_proxy`/`ALL_PROXY` for either when those are
//! unset, and none for hosts `no_proxy`/`NO_PROXY` names.
//!
//! ureq reads these variables itself, but with one proxy for every scheme (`ALL_PROXY`, then
//! `HTTPS_PROXY`, then `HTTP_PROXY`) and a `NO_PROXY` where `police.uk` does not cover
//! `www.police.uk` and spaces after commas are part of the name; curl and most tools work as
//! this module does. Proxies are told the target by name (HTTP `CONNECT`), so they resolve it.
use std::net::IpAddr;

use url::Url;

/// The proxy settings from the environment.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    pub http: Option<ureq::Proxy>,
    pub https: Option<ureq::Proxy>,
    no_proxy: Vec<Bypass>,
}

/// A proxy variable that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{var} is not a proxy this tool can use: {why}")]
pub struct BadProxy {
    pub var: &'static str,
    pub why: &'static str,
}

impl Proxies {
    /// Read the proxy variables through `var` (`std::env::var` outside tests). An empty variable
    /// counts as unset, as in curl.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Proxies, BadProxy> {
        let first = |names: &[&'static str]| {
            names.iter().find_map(|&name| var(name).filter(|v| !v.trim().is_empty()).map(|v| (name, v)))
        };
        let proxy = |names: &[&'static str]| -> Result<Option<ureq::Proxy>, BadProxy> {
            let Some((name, value)) = first(names) else { return Ok(None) };
            // the value may hold a password: it is never repeated in a message
            let proxy = ureq::Proxy::new(value.trim())
                .map_err(|_| BadProxy { var: name, why: "it is not a proxy address" })?;
            match proxy.protocol() {
                ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https => Ok(Some(proxy)),
                _ => Err(BadProxy { var: name, why: "only http:// and https:// proxies are supported" }),
            }
        };
        let all = ["all_proxy", "ALL_PROXY"];
        let no_proxy = first(&["no_proxy", "NO_PROXY"]).map(|(_, v)| v).unwrap_or_default();
        Ok(Proxies {
            http: proxy(&["http_proxy", "HTTP_PROXY", all[0], all[1]])?,
            https: proxy(&["https_proxy", "HTTPS_PROXY", all[0], all[1]])?,
            no_proxy: no_proxy.split([',', ' ']).filter_map(Bypass::parse).collect(),
        })
    }

    pub fn from_env() -> Result<Proxies, BadProxy> {
        Proxies::from_vars(|name| std::env::var(name).ok())
    }

    /// The proxy `url` goes through, if any.
    pub fn for_url(&self, url: &Url) -> Option<&ureq::Proxy> {
        let proxy = match url.scheme() {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        }?;
        let host = url.host_str()?.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.');
        (!self.no_proxy.iter().any(|b| b.matches(host))).then_some(proxy)
    }
}

/// One `NO_PROXY` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Bypass {
    All,
    /// The domain and every name under it (`police.uk`, `.police.uk` and `*.police.uk` alike).
    Domain(String),
    Address(IpAddr),
    /// An address block, `10.0.0.0/8`.
    Block(IpAddr, u8),
}

impl Bypass {
    fn parse(entry: &str) -> Option<Bypass> {
        let entry = entry.trim().to_ascii_lowercase();
        if entry.is_empty() {
            return None;
        }
        if entry == "*" {
            return Some(Bypass::All);
        }
        if let Some((ip, bits)) = entry.split_once('/') {
            let ip: IpAddr = ip.parse().ok()?;
            let bits: u8 = bits.parse().ok()?;
            return (bits <= if ip.is_ipv4() { 32 } else { 128 }).then_some(Bypass::Block(ip, bits));
        }
        let bare = entry.strip_prefix('[').and_then(|e| e.split(']').next()).unwrap_or(&entry);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Some(Bypass::Address(ip));
        }
        // `host:port`: the port is not told apart, as in most tools
        let name = entry.split(':').next().unwrap_or_default();
        let name = name.trim_start_matches('*').trim_start_matches('.').trim_end_matches('.');
        (!name.is_empty()).then(|| Bypass::Domain(name.to_string()))
    }

    fn matches(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        match self {
            Bypass::All => true,
            Bypass::Domain(domain) => {
                host == *domain || host.strip_suffix(domain.as_str()).is_some_and(|rest| rest.ends_with('.'))
            }
            Bypass::Address(ip) => host.parse::<IpAddr>().is_ok_and(|h| h == *ip),
            Bypass::Block(net, bits) => host.parse::<IpAddr>().is_ok_and(|h| in_block(h, *net, *bits)),
        }
    }
}

fn in_block(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let (ip, net, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    let shift = width - u32::from(bits);
    shift >= width || (ip >> shift) == (net >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(vars: &[(&str, &str)]) -> Proxies {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Proxies::from_vars(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())).unwrap()
    }

    fn via(p: &Proxies, url: &str) -> Option<String> {
        p.for_url(&Url::parse(url).unwrap()).map(|p| format!("{}:{}", p.host(), p.port()))
    }

    #[test]
    fn each_scheme_has_its_own_proxy_and_all_proxy_fills_in() {
        let p = proxies(&[("HTTPS_PROXY", "http://secure:3128"), ("http_proxy", "plain:8080")]);
        assert_eq!(via(&p, "https://www.kent.police.uk/").as_deref(), Some("secure:3128"));
        assert_eq!(via(&p, "http://www.kent.police.uk/").as_deref(), Some("plain:8080"));
        let p = proxies(&[("ALL_PROXY", "http://both:3128"), ("https_proxy", "")]);
        assert_eq!(via(&p, "https://a.uk/").as_deref(), Some("both:3128"), "empty counts as unset");
        assert_eq!(via(&p, "http://a.uk/").as_deref(), Some("both:3128"));
        assert_eq!(via(&proxies(&[]), "https://a.uk/"), None);
    }

    #[test]
    fn no_proxy_matches_names_domains_addresses_and_everything() {
        let p = proxies(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("NO_PROXY", "police.uk, .gov.uk,*.nhs.uk,intranet:8443,10.0.0.0/8,[::1],192.168.1.9"),
        ]);
        for direct in [
            "https://police.uk/",
            "https://www.kent.police.uk/x",
            "https://WWW.GOV.UK/",
            "https://gov.uk/",
            "https://a.nhs.uk/",
            "https://intranet/",
            "https://10.2.3.4/",
            "https://[::1]/",
            "https://192.168.1.9/",
            "https://police.uk./",
        ] {
            assert_eq!(via(&p, direct), None, "{direct} should bypass the proxy");
        }
        for proxied in [
            "https://notpolice.uk/",
            "https://police.uk.evil.com/",
            "https://11.0.0.1/",
            "https://192.168.1.10/",
        ] {
            assert!(via(&p, proxied).is_some(), "{proxied} should use the proxy");
        }
        let p = proxies(&[("https_proxy", "http://proxy:3128"), ("no_proxy", "*")]);
        assert_eq!(via(&p, "https://a.uk/"), None);
    }

    #[test]
    fn unusable_proxies_are_named_without_their_value() {
        let get = |vars: Vec<(&'static str, &'static str)>| {
            Proxies::from_vars(move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
        };
        let err = get(vec![("HTTPS_PROXY", "socks5://user:secret@proxy:1080")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "HTTPS_PROXY is not a proxy this tool can use: only http:// and https:// proxies are supported"
        );
        let err = get(vec![("http_proxy", "http://user:secret@")]).unwrap_err();
        assert!(
            err.to_string().starts_with("http_proxy is not a proxy") && !err.to_string().contains("secret")
        );
    }
}
