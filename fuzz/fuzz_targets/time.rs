//! `validate::time_arg` on arbitrary text: never panics; an accepted time formats back to
//! RFC 3339 (as `clock::stamp` stores it) that parses again to the same instant, and stamps sort
//! as the instants do, since stored times are compared as text.
#![no_main]
use admin::clock::stamp;
use admin::validate::time_arg;
use chrono::{DateTime, Timelike};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else { return };
    let Ok(at) = time_arg(raw) else { return };
    let full = at.to_rfc3339();
    let again = DateTime::parse_from_rfc3339(&full).unwrap_or_else(|e| panic!("{raw:?} → {full:?}: {e}"));
    assert_eq!(again, at);
    let stored = stamp(at);
    let back = DateTime::parse_from_rfc3339(&stored).unwrap_or_else(|e| panic!("{raw:?} → {stored:?}: {e}"));
    assert_eq!(back, at.with_nanosecond(at.nanosecond() / 1_000_000_000 * 1_000_000_000).unwrap());
    assert_eq!(time_arg(&stored).expect("a stamp is a valid time argument"), back);
    // stored times are compared as text: a stamp sorts against a present-day one as its instant does
    for other in ["0000-01-01T00:00:00Z", "2026-04-01T09:30:00Z", "9999-12-31T23:59:59Z"] {
        let o = DateTime::parse_from_rfc3339(other).unwrap();
        assert_eq!(stored.as_str().cmp(other), back.cmp(&o), "{stored} against {other}");
    }
});
