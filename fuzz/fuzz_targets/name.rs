//! `validate::force_name`, `name_key`, `slug_from_name`, `slug` and `editor` on arbitrary text:
//! never panic; an accepted name is trimmed, at most 200 characters, free of control, hidden
//! (bidi, default-ignorable) and non-XML characters; a derived slug is `[a-z0-9-]`, 1–100 bytes,
//! no hyphen at either end or doubled.
//!
//! The uniqueness rule: two names that render alike are one name. Forces are unique by
//! `name_key` (a UNIQUE column), so two look-alikes can both be active only if their keys differ.
//! For each accepted name the target makes look-alikes (other normal forms, other white space,
//! fullwidth and mathematical letters, other ASCII case, a hidden character slipped in) and checks
//! that each is refused or has the same key. A key is its own key, so looking a force up by a
//! name that normalises to the key finds it.
#![no_main]
use admin::validate::{
    editor, force_name, is_default_ignorable, is_xml_illegal, name_key, slug, slug_from_name, MAX_NAME_CHARS,
    MAX_SLUG_CHARS,
};
use libfuzzer_sys::fuzz_target;
use unicode_normalization::UnicodeNormalization;

fn check_slug(s: &str) {
    assert!(!s.is_empty() && s.len() <= MAX_SLUG_CHARS, "slug length {}: {s:?}", s.len());
    assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "slug {s:?}");
    assert!(!s.starts_with('-') && !s.ends_with('-') && !s.contains("--"), "slug hyphens {s:?}");
}

fn shown_plainly(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() || is_default_ignorable(c) || is_xml_illegal(c))
}

/// ASCII letters and digits moved to another block that NFKC folds back.
fn styled(name: &str, style: u8) -> String {
    name.chars()
        .map(|c| {
            let (upper, lower, digit) = match style % 3 {
                0 => (0xFF21, 0xFF41, 0xFF10),    // fullwidth
                1 => (0x1D400, 0x1D41A, 0x1D7CE), // mathematical bold
                _ => (0x1D538, 0x1D552, 0x1D7D8), // double-struck
            };
            let mapped = match c {
                'A'..='Z' => upper + (c as u32 - 'A' as u32),
                'a'..='z' => lower + (c as u32 - 'a' as u32),
                '0'..='9' => digit + (c as u32 - '0' as u32),
                _ => return c,
            };
            // double-struck C, H, N, P, Q, R, Z live in Letterlike Symbols; keep those plain
            char::from_u32(mapped).filter(|m| m.is_alphanumeric()).unwrap_or(c)
        })
        .collect()
}

fn look_alikes(name: &str, selector: u8) -> Vec<String> {
    let spaced = |with: &str| name.replace(' ', with);
    vec![
        name.nfd().collect(),
        name.nfc().collect(),
        name.nfkd().collect(),
        name.nfkc().collect(),
        spaced("  "),
        spaced("\u{00A0}"),
        spaced("\u{3000}"),
        spaced(" \u{2003}\u{2009}"),
        format!("\u{2002}{name}\u{00A0}"),
        styled(name, selector),
        name.chars()
            .map(|c| if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() })
            .collect(),
        {
            let hidden = ['\u{034F}', '\u{200B}', '\u{061C}', '\u{FE0F}', '\u{E0041}', '\u{00AD}'];
            let at = name.char_indices().nth(1).map_or(name.len(), |(i, _)| i);
            format!("{}{}{}", &name[..at], hidden[usize::from(selector) % hidden.len()], &name[at..])
        },
    ]
}

fuzz_target!(|data: &[u8]| {
    let (selector, data) = data.split_first().map_or((0, data), |(s, rest)| (*s, rest));
    let Ok(raw) = std::str::from_utf8(data) else { return };
    if let Ok(name) = force_name(raw) {
        assert_eq!(name, name.trim(), "not trimmed");
        assert!(!name.is_empty());
        assert!(name.chars().count() <= MAX_NAME_CHARS, "{} chars", name.chars().count());
        assert!(shown_plainly(&name), "a hidden or non-XML character in {name:?}");
        assert_eq!(force_name(&name).expect("an accepted name is accepted again"), name);
        let key = name_key(&name);
        assert_eq!(name_key(raw), key);
        assert_eq!(name_key(&key), key, "the key of {name:?} is not its own key");
        for alike in look_alikes(&name, selector) {
            if let Ok(accepted) = force_name(&alike) {
                assert_eq!(name_key(&accepted), key, "{name:?} and {alike:?} look alike but are two names");
            }
        }
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
        assert!(shown_plainly(&e), "a hidden or non-XML character in editor {e:?}");
        // the same editor with a hidden character slipped in is refused, not a second editor
        for hidden in ['\u{061C}', '\u{200B}', '\u{034F}', '\u{2066}', '\u{FE0F}'] {
            assert!(
                editor(&format!("{e}{hidden}")).is_err(),
                "editor {e:?} + U+{:04X} accepted",
                hidden as u32
            );
        }
    }
});
