//! `validate::force_url` on arbitrary text: never panics, and whatever it accepts is an
//! absolute https (or http, when allowed) URL with a host, no credentials, at most 2,048 bytes,
//! which validates again to itself.
#![no_main]
use admin::validate::{force_url, MAX_URL_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flag, rest)) = data.split_first() else { return };
    let allow_http = flag & 1 == 1;
    let Ok(raw) = std::str::from_utf8(rest) else { return };
    let Ok(url) = force_url(raw, allow_http) else { return };
    assert!(url.len() <= MAX_URL_BYTES, "accepted {} bytes", url.len());
    let parsed = url::Url::parse(&url).expect("an accepted URL parses");
    match parsed.scheme() {
        "https" => {}
        "http" => assert!(allow_http, "http accepted without --allow-http: {url}"),
        other => panic!("scheme {other:?} accepted: {url}"),
    }
    assert!(parsed.username().is_empty() && parsed.password().is_none(), "credentials kept: {url}");
    assert!(parsed.host().is_some(), "no host: {url}");
    assert!(!url.chars().any(char::is_control), "control character kept: {url:?}");
    // the stored form is a fixed point: checking it again changes nothing
    assert_eq!(force_url(&url, allow_http).expect("an accepted URL is accepted again"), url);
});
