use std::collections::BTreeMap;

use serde::Serialize;

use super::{is_json_of, prefix_len, write_json, writes_as};

#[derive(Serialize)]
enum Kind {
    Unit,
    Newtype(String),
    Tuple(i64, Option<bool>),
    Struct { a: u8, b: Vec<char> },
}

#[derive(Serialize)]
struct Unit;

#[derive(Serialize)]
struct Wrapped(i32);

#[derive(Serialize)]
struct Pair(i16, &'static str);

#[derive(Serialize)]
struct Everything {
    text: Vec<String>,
    none: Option<String>,
    some: Option<i64>,
    kinds: Vec<Kind>,
    by_text: BTreeMap<String, i64>,
    by_number: BTreeMap<i64, Vec<u32>>,
    by_flag: BTreeMap<bool, ()>,
    by_negative: BTreeMap<i8, Unit>,
    wrapped: Wrapped,
    pair: Pair,
    floats: Vec<f64>,
    big: (i128, u128, u64, i64),
    bytes: &'static [u8],
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u8>,
    #[serde(rename = "with \"quote\"")]
    renamed: bool,
}

/// Strings serde_json writes as they are, and every kind it escapes.
fn strings() -> Vec<String> {
    let mut strings: Vec<String> = [
        "",
        "Kent Police",
        "quote \" backslash \\ slash /",
        "line\nbreak\r\ttab",
        "\u{0}\u{1}\u{1f} and \u{7f}",
        "</script><script>alert(1)</script>",
        "Ünïcödé, \u{202e}bidi\u{202c}, zero\u{200b}width, 𝔘𝔫𝔦, 🚓",
        "exactly eight, then more",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    strings.push("x".repeat(1000));
    strings.push(format!("{}\"", "y".repeat(63)));
    strings
}

fn everything() -> Everything {
    Everything {
        text: strings(),
        none: None,
        some: Some(-42),
        kinds: vec![
            Kind::Unit,
            Kind::Newtype("in \"a\" variant".into()),
            Kind::Tuple(i64::MIN, None),
            Kind::Tuple(0, Some(true)),
            Kind::Struct { a: 255, b: vec!['a', '"', '\n', '✓'] },
        ],
        by_text: strings().into_iter().zip(0..).collect(),
        by_number: [(-1, vec![]), (0, vec![1, 2]), (i64::MAX, vec![u32::MAX])].into_iter().collect(),
        by_flag: [(false, ()), (true, ())].into_iter().collect(),
        by_negative: [(-128, Unit)].into_iter().collect(),
        wrapped: Wrapped(-7),
        pair: Pair(3, "pair"),
        floats: vec![0.0, -1.5, 1e300, f64::NAN, f64::INFINITY],
        big: (i128::MIN, u128::MAX, u64::MAX, i64::MIN),
        bytes: b"\x00\xff\"",
        skipped: None,
        renamed: true,
    }
}

#[test]
fn every_kind_of_value_matches_the_text_serde_json_writes_for_it() {
    let value = everything();
    let text = serde_json::to_vec(&value).unwrap();
    assert!(is_json_of(&value, &text));
    for each in strings() {
        assert!(is_json_of(&each, &serde_json::to_vec(&each).unwrap()), "{each:?}");
    }
}

#[test]
fn any_byte_changed_added_or_taken_away_differs() {
    let value = everything();
    let text = serde_json::to_vec(&value).unwrap();
    for at in 0..text.len() {
        let mut changed = text.clone();
        changed[at] ^= 0x01;
        assert!(!is_json_of(&value, &changed), "byte {at} changed");
        let mut shorter = text.clone();
        shorter.remove(at);
        assert!(!is_json_of(&value, &shorter), "byte {at} taken away");
        let mut longer = text.clone();
        longer.insert(at, b' ');
        assert!(!is_json_of(&value, &longer), "a space before byte {at}");
    }
    assert!(!is_json_of(&value, &[text.as_slice(), b" "].concat()));
    assert!(!is_json_of(&value, b""));
}

#[test]
fn the_same_string_written_another_way_differs() {
    // JSON that reads back the same, but is not the text serde_json writes
    assert!(!is_json_of("a/b", br#""a\/b""#));
    assert!(!is_json_of("é", br#""\u00e9""#));
    assert!(!is_json_of("\n", br#""\u000a""#));
    assert!(!is_json_of("\u{7f}", br#""\u007f""#));
    assert!(is_json_of("\u{7f}", "\"\u{7f}\"".as_bytes()));
    assert!(!is_json_of(&1.0f64, b"1"));
    assert!(!is_json_of(&Some(1), b" 1"));
}

#[test]
fn a_prefix_is_measured_and_what_follows_it_is_left() {
    let value = vec![1, 2, 3];
    assert_eq!(prefix_len(&value, b"[1,2,3],\"rest\":{}"), Some(7));
    assert_eq!(prefix_len(&value, b"[1,2,3"), None);
    assert_eq!(prefix_len(&value, b"[1,2,4]"), None);
}

#[test]
fn a_value_written_as_two_parts_is_compared_as_it_is_written() {
    let value = vec![("a\"b", 1), ("é\n", 2)];
    let text = serde_json::to_vec(&value).unwrap();
    assert_eq!(write_json(&value).unwrap(), text);
    // wherever the text is cut in two, the two parts are the value's text
    for cut in 0..=text.len() {
        let (first, second) = text.split_at(cut);
        assert!(writes_as(&value, [first, second]), "cut at {cut}");
    }
    // a byte changed, taken away or added, in either part, is not
    for at in 0..text.len() {
        let (first, second) = text.split_at(at / 2);
        let mut changed = text.clone();
        changed[at] ^= 1;
        let (a, b) = changed.split_at(at / 2);
        assert!(!writes_as(&value, [a, b]), "byte {at} changed");
        let mut shorter = text.clone();
        shorter.remove(at);
        assert!(!writes_as(&value, [&shorter[..], b""]), "byte {at} taken away");
        assert!(!writes_as(&value, [first, &[second, b" "].concat()[..]]), "a space after, cut at {at}");
        assert!(!writes_as(&value, [&[b" ", first].concat()[..], second]), "a space before, cut at {at}");
    }
}
