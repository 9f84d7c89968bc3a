//! The look-alike rule of SPEC section 17 (`validate::look_key`, `refused_letter`,
//! `posing_letters`) on arbitrary text: never panic, a key is its own key, and a name is one
//! name with its look-alikes, where one name means the same `name_key` (case, spacing,
//! compatibility forms) or the same `look_key` (Unicode's confusables).
//!
//! The look-alikes made of each input: its letters written as the plain Latin letters or digits
//! Unicode says they are taken for (characters NFKC leaves alone), its normal forms, and, for a
//! name in ASCII, its letters swapped for Greek, Cyrillic and digit look-alikes chosen by the
//! first byte, as typed, in capitals and in small letters.
#![no_main]
use admin::validate::{force_name, look_key, name_key, posing_letters, profile_letters, refused_letter};
use libfuzzer_sys::fuzz_target;
use unicode_normalization::UnicodeNormalization;

// the look-alikes a hostile name poses with, shared with the unit tests of `validate::alike`
include!("../../src/validate/alike_poses.in");

fn one_name(a: &str, b: &str) -> bool {
    name_key(a) == name_key(b) || look_key(a) == look_key(b)
}

fn pose(name: &str, selector: u8) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            let pick = selector.rotate_left(i as u32 % 8).wrapping_add(i as u8);
            match POSES.iter().find(|(plain, _)| *plain == c) {
                Some((_, alikes)) if pick % 3 != 0 => alikes[usize::from(pick) % alikes.len()].to_owned(),
                _ => c.to_string(),
            }
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let (selector, data) = data.split_first().map_or((0, data), |(s, rest)| (*s, rest));
    let Ok(raw) = std::str::from_utf8(data) else { return };
    let key = look_key(raw);
    assert_eq!(look_key(&key), key, "the key of {raw:?} is not its own key");
    if let Some(c) = refused_letter(raw) {
        assert!(raw.contains(c));
        assert!(profile_letters("force name", raw).is_err());
    }
    let Ok(name) = force_name(raw) else { return };
    assert_eq!(look_key(&name), look_key(name.trim()));
    let prototypes: String = name
        .chars()
        .flat_map(|c| {
            let own = c.to_string();
            let prototype: String = unicode_security::skeleton(&own).collect();
            if own.nfkc().eq(own.chars()) && prototype.is_ascii() {
                prototype.chars().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    for alike in [prototypes, name.nfd().collect(), name.nfc().collect(), name.nfkc().collect()] {
        assert!(one_name(&name, &alike), "{name:?} and {alike:?} read alike but are two names");
        let _ = posing_letters(&alike, &name);
    }
    if name.is_ascii() {
        for shown in [name.clone(), name.to_uppercase(), name.to_lowercase()] {
            let posed = pose(&shown, selector);
            assert!(one_name(&name, &posed), "{name:?} and {posed:?} read alike but are two names");
        }
    }
});
