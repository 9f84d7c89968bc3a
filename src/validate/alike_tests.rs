//! Look-alikes within one alphabet: which names read as one, and which letters a name may hold.
use super::super::{force_name, new_editor, profile_letters};
use super::*;

/// The hostile review's names, and more of each class: each reads as "Kent Police".
const KENT_ALIKES: &[&str] = &[
    "Kent PoIice",        // capital I for l
    "Kent Polıce",        // dotless ı
    "Kent Poɩice",        // Latin iota
    "Kent P0lice",        // zero for o
    "Kent Po1ice",        // one for l
    "Kent Po|ice",        // vertical line for l
    "KENT P0LICE",        // capitals, with a zero
    "kent pol1ce",        // one for i
    "Kent Pοlice",        // Greek omicron (refused too, for mixing alphabets)
    "Kеnt Pоlicе",        // Cyrillic е and о
    "Kent Po\u{04CF}ice", // Cyrillic palochka
    "Kent Po\u{0399}ice", // Greek capital iota
    "Kent Pol\u{0456}ce", // Cyrillic і
    "Kent Police",
    "kent police",
    "KENT POLICE",
];

#[test]
fn the_reviews_look_alikes_read_as_kent_police() {
    let kent = look_key("Kent Police");
    for alike in KENT_ALIKES {
        assert_eq!(look_key(alike), kent, "{alike:?}");
    }
    // and the folding name_key does already
    for alike in ["Kent  Police", "\u{FF2B}ent Police", "\u{1D40A}ent Police", "Kent Police\u{034F}"] {
        assert_eq!(look_key(alike), kent, "{alike:?}");
    }
    assert_eq!(look_key("Cumbria Constabulary"), look_key("Curnbria Constabulary"), "rn for m");
    assert_eq!(look_key("bob"), look_key("b\u{03BF}b"), "Greek omicron");
    assert_eq!(look_key("bob"), look_key("b\u{043E}b"), "Cyrillic o");
    assert_eq!(look_key("apex"), look_key("\u{0430}\u{0440}\u{0435}\u{0445}"), "all Cyrillic");
}

#[test]
fn names_that_differ_to_the_eye_stay_apart() {
    let seed = crate::seed::builtin().unwrap();
    let mut keys = std::collections::HashMap::new();
    for name in &seed.forces {
        if let Some(other) = keys.insert(look_key(name), name) {
            panic!("{other:?} and {name:?} have one look-alike key");
        }
    }
    assert_eq!(keys.len(), 45);
    for (a, b) in [
        ("Kent Police", "Kent Polices"),
        ("Kent Police", "Kent Palice"),
        ("Heddlu Gwent", "Heddlu Dyfed-Powys"),
        ("North Wales Police", "North Vales Police"),
        ("alice", "alicia"),
        ("bob", "rob"),
    ] {
        assert_ne!(look_key(a), look_key(b), "{a:?} and {b:?}");
    }
    // `&` and `and` are one name (SPEC section 16), and so is what reads as `&`
    for (a, b) in [
        ("Devon & Cornwall Police", "Devon and Cornwall Police"),
        ("Avon&Somerset", "Avon and Somerset"),
        ("Avon ＆ Somerset", "Avon AND Somerset"),
    ] {
        assert_eq!(look_key(a), look_key(b), "{a:?} and {b:?}");
    }
}

#[test]
fn a_key_is_its_own_key() {
    for name in KENT_ALIKES.iter().copied().chain(["Cumbria Constabulary", "Straße 100 %", "Œuvre ǅ ŉ"]) {
        let key = look_key(name);
        assert_eq!(look_key(&key), key, "{name:?}");
    }
}

#[test]
fn letters_outside_the_identifier_profile_are_refused_by_code_point() {
    for (name, point) in [
        ("\u{1D0B}ent Police", "U+1D0B"),   // small capital K: the review's example
        ("Kent Pol\u{026A}ce", "U+026A"),   // small capital I
        ("Kent Po\u{029F}ice", "U+029F"),   // small capital L
        ("Kent Police \u{0138}", "U+0138"), // kra
        ("Kent Po\u{01C0}ice", "U+01C0"),   // dental click
        ("Kent Po\u{A4F2}ice", "U+A4F2"),   // Lisu letter
        ("\u{FF2B}ent Police", "U+FF2B"),   // fullwidth
        ("Kent Poli\u{0338}ce", "U+0338"),  // combining long solidus overlay
        ("Kent Police \u{2167}", "U+2167"), // Roman numeral eight
        ("Kent Police\u{00B2}", "U+00B2"),  // superscript two
        ("Kent \u{017F}tation", "U+017F"),  // long s
    ] {
        assert_eq!(refused_letter(name).map(|c| format!("U+{:04X}", c as u32)).as_deref(), Some(point));
        let err = profile_letters("force name", name).unwrap_err().to_string();
        assert!(err.contains(point) && err.contains("force name"), "{name:?}: {err}");
        let err = new_editor(&name.replace(' ', "")).unwrap_err().to_string();
        assert!(err.contains(point) && err.contains("editor name"), "{name:?}: {err}");
        // what a log an older admin wrote may hold still replays
        assert!(force_name(name).is_ok(), "{name:?}");
    }
}

#[test]
fn the_letters_of_living_languages_and_a_names_punctuation_are_allowed() {
    for name in [
        "Heddlu Gogledd Cymru",
        "Heddlu Dyfed-Powys",
        "Ŵyr Ŷnys Âêîôû ŵŷ ẃẁẅ ỳý",              // Welsh, precomposed
        "W\u{0302}yr Y\u{0302}nys",              // and decomposed
        "Garda Síochána na hÉireann",            // Irish
        "Poileas Alba: Àèìòù",                   // Scottish Gaelic
        "Gendarmerie nationale, Œuvre à l’État", // French
        "Polizei Straße Ärger Öl Übung",         // German
        "Policja Łódź Żółć Gęś",                 // Polish
        "Politiets Ærø Øst Åland",               // Danish, Norwegian
        "Policie Čeština Řeka Ůvoz",             // Czech
        "Devon & Cornwall Police",
        "O'Neill’s (North) Constabulary, St. Mary-le-Bow",
        "Police Scotland 2",
        "Ḃaile Ċliaṫ", // Irish in the old dotted letters
    ] {
        assert_eq!(refused_letter(name), None, "{name:?}");
        assert!(profile_letters("force name", name).is_ok());
    }
    assert_eq!(new_editor("alice.smith").unwrap(), "alice.smith");
    assert_eq!(new_editor("Zoë O'Brien").unwrap(), "Zoë O'Brien");
}

// the look-alikes a hostile name poses with, shared with the `alike` fuzz target
include!("alike_poses.in");

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 3000, ..Default::default() })]

    /// The rule the `alike` fuzz target checks, on every test run: an English name with some
    /// of its letters swapped for look-alikes (Greek, Cyrillic, digits, `rn` for `m`), as typed,
    /// in capitals or in small letters, is one name with it: the same `name_key` or the same
    /// `look_key`.
    #[test]
    fn an_english_name_posed_in_look_alikes_is_one_name_with_it(
        raw in "[A-Za-z0-9 .&'()-]{1,24}",
        picks in proptest::collection::vec(proptest::num::u8::ANY, 24),
    ) {
        let one_name = |a: &str, b: &str| name_key(a) == name_key(b) || look_key(a) == look_key(b);
        let pose = |name: &str| -> String {
            name.chars()
                .zip(picks.iter().copied().chain(std::iter::repeat(0)))
                .map(|(c, pick)| match POSES.iter().find(|(plain, _)| *plain == c) {
                    Some((_, alikes)) if pick % 3 != 0 => alikes[usize::from(pick) % alikes.len()].to_owned(),
                    _ => c.to_string(),
                })
                .collect()
        };
        // posed in the case it is shown in: as typed, in capitals, in small letters
        for variant in [pose(&raw), pose(&raw.to_uppercase()), pose(&raw.to_lowercase())] {
            proptest::prop_assert!(one_name(&raw, &variant), "{:?} and {:?}", raw, variant);
        }
    }

    /// Names in the letters of the page's alphabets and their neighbours: each character
    /// written as the plain letters Unicode says it is taken for, or in another normal form,
    /// gives the same name; and a key is its own key.
    #[test]
    fn letters_written_as_their_prototypes_are_one_name(
        raw in "[A-Za-z0-9 .&'()|\u{00C0}-\u{024F}\u{0300}-\u{0344}\u{0370}-\u{03FF}\u{0400}-\u{04FF}\u{FF01}-\u{FF5E}]{1,24}"
    ) {
        use unicode_normalization::UnicodeNormalization;
        let key = look_key(&raw);
        proptest::prop_assert_eq!(look_key(&key), key.clone(), "the key of {:?}", raw);
        let one_name = |other: &str| name_key(other) == name_key(&raw) || look_key(other) == key;
        // each character NFKC leaves as it is and Unicode says is taken for plain Latin letters
        // or digits, written as them (NFKC's own folding comes first, as in the key: the
        // skeleton of a fullwidth hyphen is a katakana mark, its NFKC a hyphen)
        let prototypes: String = raw
            .chars()
            .flat_map(|c| {
                let own = c.to_string();
                let prototype: String = skeleton(&own).collect();
                if own.nfkc().eq(own.chars()) && prototype.is_ascii() { prototype.chars().collect::<Vec<_>>() } else { vec![c] }
            })
            .collect();
        for alike in [prototypes, raw.nfd().collect(), raw.nfc().collect(), raw.nfkc().collect(), name_key(&raw)] {
            proptest::prop_assert!(one_name(&alike), "{:?} and {:?}", raw, alike);
        }
    }

    /// The ASCII table gives the keys the general path gives.
    #[test]
    fn ascii_names_are_keyed_as_any_name(raw in "[\\x00-\\x7F]{0,32}") {
        proptest::prop_assert_eq!(skeleton_key(&raw), general_look_key(&raw), "{:?}", raw);
    }

    /// Any text at all: the key never panics and is its own key.
    #[test]
    fn every_key_is_its_own_key(raw in "\\PC{1,16}") {
        let key = look_key(&raw);
        proptest::prop_assert_eq!(look_key(&key), key.clone(), "the key of {:?}", raw);
    }
}

#[test]
fn messages_name_the_letters_that_pose() {
    assert_eq!(posing_letters("Kent PoIice", "Kent Police"), ['I']);
    assert_eq!(posing_letters("KENT P0LICE", "Kent Police"), ['0']);
    assert_eq!(posing_letters("Kent Poɩice", "Kent Police"), ['ɩ']);
    assert_eq!(posing_letters("Kent P0l1ce", "Kent Police"), ['0', '1']);
    assert!(posing_letters("Curnbria Constabulary", "Cumbria Constabulary").is_empty());
}

#[test]
fn the_ascii_skeletons_are_unicodes() {
    // the table written out in `ascii_skeleton` is the crate's data, character by character
    for b in 0u8..128 {
        let c = char::from(b).to_string();
        let prototype: String = skeleton(&c).collect();
        assert_eq!(ascii_skeleton(&c), prototype.is_ascii().then_some(prototype), "{c:?}");
    }
    assert_eq!(ascii_skeleton("Kent PoIice 1m"), Some("Kent Police lrn".to_owned()));
    assert_eq!(ascii_skeleton("café"), None);
}
