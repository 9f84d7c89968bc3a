//! Look-alikes within one alphabet (SPEC section 17), from Unicode's own data (UTS #39, through
//! the `unicode-security` crate): the key under which two names that read alike are one name
//! (`look_key`), and the rule that a name's letters are ones Unicode's general security profile
//! allows in identifiers (`profile_letters`).
//!
//! `name_key` folds what renders alike by construction (compatibility forms, case, spacing) and
//! is also the order names are listed in. The confusable skeleton goes further, mapping letters
//! to the prototype they are mistaken for (`0` → `O`, `I` → `l`, Cyrillic `о` → `o`, `m` → `rn`),
//! which is no order anyone reads in: so it is a key of its own, not a change to `name_key`.
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;
use unicode_security::{skeleton, GeneralSecurityProfile};

use super::name_key;

/// The key under which names that read alike are one name: the UTS #39 confusable skeleton of
/// the name as typed (after NFKC), folded as `name_key` folds; then, until nothing changes, the
/// skeleton of that in small letters and again in capitals, each folded. The first skeleton sees
/// the letters in the case they are shown in (Greek capitals "ΒΟΒ" read as "BOB", the small
/// "βοβ" do not); the later ones follow a letter that folding turned into another one's double
/// (`I` folds to `i`, but is taken for `l`; Greek `μ` is taken for `M`, whose small letter is
/// taken for `rn`). So "Kent PoIice", "KENT P0LICE", "Kent Polıce" and "Kent Pοlice" all have
/// the key of "Kent Police", and `&` is read as `and`. Names that differ only in case have one `name_key`, and a name is
/// taken when either key is (`directory`). A pure function of the name, so a database rebuilt
/// from the log has the same keys, and a key is its own key.
pub fn look_key(name: &str) -> String {
    let key = skeleton_key(name);
    // `&` and `and` make one name: "Avon & Somerset" is "Avon and Somerset" (SPEC section 16),
    // and so does anything that reads as `&` (＆, ﹠)
    if key.contains('&') {
        return skeleton_key(&key.replace('&', " and "));
    }
    key
}

/// `look_key` but for `&`.
fn skeleton_key(name: &str) -> String {
    // the common case, a name in ASCII, is keyed from the same data written out: each of
    // 100,000 forces is keyed when `audit verify` rebuilds the table
    if name.is_ascii() {
        if let Some(key) = ascii_skeleton(name).and_then(|text| settle(name_key(&text), ascii_skeleton)) {
            return key;
        }
    }
    general_look_key(name)
}

/// `look_key` without the ASCII table.
fn general_look_key(name: &str) -> String {
    let typed: String = name.nfkc().collect();
    let general = |text: &str| Some(skeleton(text).collect::<String>());
    settle(name_key(&skeleton(&typed).collect::<String>()), general).unwrap_or_default()
}

/// The rounds of `look_key` after the first: the skeleton of the small letters, then of the
/// capitals, each folded, until nothing changes. `None` where `skeleton` gives up.
fn settle(mut key: String, skeleton: impl Fn(&str) -> Option<String>) -> Option<String> {
    // the `alike` fuzz target finds no name that needs more than three rounds
    for _ in 0..8 {
        let lower = name_key(&skeleton(&key)?);
        let next = name_key(&skeleton(&lower.to_uppercase())?);
        if next == key {
            break;
        }
        key = next;
    }
    Some(key)
}

/// The skeleton of ASCII text: each character's prototype in UTS #39's confusables data is
/// itself but for the eight below (a test holds this to the crate's data, character by
/// character); `None` for text that is not ASCII, or where a prototype is not (`%` is taken for
/// `°/₀`), which the general path then takes. Written out, not made from the data on first use:
/// that cost a command keying one name more than keying it (134,000 instructions).
fn ascii_skeleton(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '%' => return None,
            '"' => out.push_str("''"),
            '0' => out.push('O'),
            '1' | 'I' | '|' => out.push('l'),
            '`' => out.push('\''),
            'm' => out.push_str("rn"),
            c if c.is_ascii() => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

/// The characters of `name` that make it read as `other` without being its letters, for a
/// message: "I", "0" and "ɩ" in "Kent PoIice", "KENT P0LICE" and "Kent Poɩice" against "Kent
/// Police". Names of one length are compared letter by letter, ignoring case; otherwise the
/// characters `other` lacks that the confusables data maps to another letter are named. Empty
/// when the likeness is in letters both hold ("rn" against "m").
pub fn posing_letters(name: &str, other: &str) -> Vec<char> {
    let mut found: Vec<char> = Vec::new();
    let same_length = name.chars().count() == other.chars().count();
    let folded_other = name_key(other);
    for (i, c) in name.chars().enumerate() {
        let posing = if same_length {
            other.chars().nth(i).is_some_and(|o| !c.to_lowercase().eq(o.to_lowercase()))
        } else {
            let own = c.to_string();
            let folded = name_key(&own);
            !folded_other.contains(&folded) && look_key(&own) != folded
        };
        if posing && !found.contains(&c) {
            found.push(c);
        }
    }
    found
}

/// Whether `c` is a letter, a mark or a digit: what the identifier profile judges. White space,
/// punctuation and symbols ("&", "(", "’", ".") are not letters of a name, and keep the rules
/// they had.
fn is_letter_like(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Whether the identifier profile allows `c`, as itself or as the letters and marks it is
/// canonically made of: Welsh "ẃ" and Irish "ḃ" are "w" and "b" with an accent the profile
/// allows, precomposed in a form it lists as uncommon; they are the same text (NFD), so they
/// stay allowed. Compatibility forms (fullwidth, mathematical, small capitals) decompose to
/// nothing else and are refused.
fn allowed(c: char) -> bool {
    if c.identifier_allowed() {
        return true;
    }
    let mut parts = 0;
    let mut all = true;
    decompose_canonical(c, |d| {
        parts += 1;
        all &= d.identifier_allowed();
    });
    parts > 1 && all
}

/// The first letter, mark or digit of `name` that Unicode's general security profile
/// (Identifier_Status=Allowed) does not allow, if any: a small capital "ᴋ", a Latin iota "ɩ",
/// fullwidth and mathematical letters, a combining overlay. The letters of living languages
/// (Welsh ŵ ŷ â, Irish á, Gaelic à, French œ, German ß, Polish ł ż) are allowed.
pub fn refused_letter(name: &str) -> Option<char> {
    name.chars().find(|&c| is_letter_like(c) && !allowed(c))
}

/// The one of `names` that `arg` was likely meant to be: one that reads as it (case and
/// look-alike letters aside, `look_key`), else the nearest by edit distance (two letters swapped
/// being one edit) within a third of
/// its length (at most 4), ties going to the first. For "did you mean".
pub fn nearest_name<'a>(names: impl IntoIterator<Item = &'a str>, arg: &str) -> Option<&'a str> {
    let names: Vec<&str> = names.into_iter().collect();
    let key = look_key(arg);
    if let Some(same) = names.iter().find(|n| look_key(n) == key) {
        return Some(same);
    }
    let lower = arg.trim().to_lowercase();
    let limit = (lower.chars().count() / 3).clamp(1, 4);
    names
        .iter()
        .map(|n| (strsim::osa_distance(&lower, &n.to_lowercase()), *n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

#[cfg(test)]
#[path = "alike_tests.rs"]
mod tests;
