//! `validate::force_name`, `slug_from_name`, `slug` and `editor` on arbitrary text: never panic;
//! an accepted name is trimmed, at most 200 characters, free of control characters; a derived
//! slug is `[a-z0-9-]`, 1–100 bytes, no hyphen at either end or doubled.
#![no_main]
use admin::validate::{editor, force_name, name_key, slug, slug_from_name, MAX_NAME_CHARS, MAX_SLUG_CHARS};
use libfuzzer_sys::fuzz_target;

fn check_slug(s: &str) {
    assert!(!s.is_empty() && s.len() <= MAX_SLUG_CHARS, "slug length {}: {s:?}", s.len());
    assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "slug {s:?}");
    assert!(!s.starts_with('-') && !s.ends_with('-') && !s.contains("--"), "slug hyphens {s:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else { return };
    if let Ok(name) = force_name(raw) {
        assert_eq!(name, name.trim(), "not trimmed");
        assert!(!name.is_empty());
        assert!(name.chars().count() <= MAX_NAME_CHARS, "{} chars", name.chars().count());
        assert!(!name.chars().any(char::is_control), "control character in {name:?}");
        assert_eq!(force_name(&name).expect("an accepted name is accepted again"), name);
        assert_eq!(name_key(&name), name_key(raw));
    }
    if let Ok(s) = slug_from_name(raw) {
        check_slug(&s);
        assert_eq!(slug(&s).expect("a derived slug is a valid slug"), s);
    }
    if let Ok(s) = slug(raw) {
        check_slug(&s);
    }
    if let Ok(e) = editor(raw) {
        assert_eq!(e, e.trim());
        assert!(!e.is_empty() && e.chars().count() <= MAX_NAME_CHARS);
        assert!(!e.chars().any(char::is_control));
    }
});
