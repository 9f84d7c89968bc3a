//! The input checks, case by case.
use chrono::NaiveDate;

use super::*;

#[test]
fn the_ascii_name_key_is_the_unicode_one() {
    use unicode_normalization::UnicodeNormalization;
    let slow = |name: &str| {
        let visible: String = name.chars().filter(|&c| !is_default_ignorable(c)).collect();
        let folded = caseless::default_case_fold_str(&visible.nfkc().collect::<String>());
        folded
            .nfkc()
            .collect::<String>()
            .split(char::is_whitespace)
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let all: String = (0u8..128).map(char::from).collect();
    for name in
        ["Kent Police", "  KENT\t\tpolice ", "Devon & Cornwall Police", "A\u{b}B\u{1c}C", all.as_str()]
    {
        assert_eq!(name_key(name), slow(name), "{name:?}");
    }
}

#[test]
fn slugs_from_seed_style_names() {
    assert_eq!(slug_from_name("Devon & Cornwall Police").unwrap(), "devon-and-cornwall-police");
    assert_eq!(slug_from_name("Dyfed-Powys Police").unwrap(), "dyfed-powys-police");
    assert_eq!(slug_from_name("  City of London Police ").unwrap(), "city-of-london-police");
    assert_eq!(slug_from_name("O'Neill Force").unwrap(), "oneill-force");
    assert!(slug_from_name("Полиция").is_err());
}

#[test]
fn urls_are_normalised_and_checked() {
    assert_eq!(force_url("https://Example.org/a b", false).unwrap(), "https://example.org/a%20b");
    assert!(force_url("http://example.org", false).is_err());
    assert!(force_url("http://example.org", true).is_ok());
    for bad in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "https://u:p@example.org/",
        "//example.org",
        "example.org",
        "https://",
        "https:///x",
    ] {
        assert!(force_url(bad, true).is_err(), "{bad} accepted");
    }
    let long = format!("https://example.org/{}", "a".repeat(MAX_URL_BYTES));
    assert!(force_url(&long, false).is_err());
}

#[test]
fn names_refuse_lookalikes_and_controls() {
    assert!(force_name("Kent Police").is_ok());
    assert!(force_name("Kent P\u{043E}lice").is_err());
    assert!(force_name("Kent\u{202E}Police").is_err());
    assert!(force_name("Kent\0Police").is_err());
    assert!(force_name("   ").is_err());
    assert!(force_name(&"x".repeat(201)).is_err());
    assert!(force_name(&"x".repeat(200)).is_ok());
    assert_eq!(force_name("  Heddlu Gwent  ").unwrap(), "Heddlu Gwent");
}

#[test]
fn time_arguments() {
    let utc = |raw: &str| time_arg(raw).map(crate::clock::stamp).unwrap_or_else(|e| panic!("{raw}: {e:#}"));
    // London time: BST from 29 March 2026, GMT from 25 October
    assert_eq!(utc("2026-04-01"), "2026-03-31T23:00:00Z");
    assert_eq!(utc("2026-12-06"), "2026-12-06T00:00:00Z");
    assert_eq!(utc("2026-12-06T09:30"), "2026-12-06T09:30:00Z");
    assert_eq!(utc("2026-12-05 23:54:00"), "2026-12-05T23:54:00Z");
    assert_eq!(utc("2026-07-01 09:30"), "2026-07-01T08:30:00Z");
    assert_eq!(utc("2026-07-01 09:30:00 BST"), "2026-07-01T08:30:00Z");
    assert_eq!(utc("2026-07-01 09:30 UTC"), "2026-07-01T09:30:00Z");
    assert_eq!(utc("2026-07-01T09:30Z"), "2026-07-01T09:30:00Z");
    assert_eq!(utc("2026-07-01T09:30+02:00"), "2026-07-01T07:30:00Z");
    assert_eq!(utc("2026-04-01T10:00:00+01:00"), "2026-04-01T09:00:00Z");
    assert_eq!(utc("2026-04-01T10:00:00.5Z"), "2026-04-01T10:00:00Z");
    assert_eq!(utc("2026-03-29 00:59"), "2026-03-29T00:59:00Z");
    assert_eq!(utc("2026-03-29 02:00"), "2026-03-29T01:00:00Z");
    assert_eq!(utc("2026-10-25 00:59"), "2026-10-24T23:59:00Z");
    assert_eq!(utc("2026-10-25 02:00"), "2026-10-25T02:00:00Z");
    assert_eq!(utc("2026-10-25T01:30+01:00"), "2026-10-25T00:30:00Z");
    assert_eq!(utc("2026-10-25 01:30 GMT"), "2026-10-25T01:30:00Z");
    let why = |raw: &str| format!("{:#}", time_arg(raw).unwrap_err());
    assert!(why("2026-03-29 01:30").contains("does not exist in London"), "{}", why("2026-03-29 01:30"));
    assert!(why("2026-10-25 01:30").contains("ambiguous"), "{}", why("2026-10-25 01:30"));
    assert!(why("2026-09-31").contains("September has 30 days"), "{}", why("2026-09-31"));
    assert!(why("2026-02-29").contains("February 2026 has 28 days"), "{}", why("2026-02-29"));
    assert!(why("2026-13-01").contains("no month 13"), "{}", why("2026-13-01"));
    assert!(why("2026-12-06 24:00").contains("no hour 24"), "{}", why("2026-12-06 24:00"));
    assert!(why("2026-12-06 09:30 BST").contains("GMT"), "{}", why("2026-12-06 09:30 BST"));
    for bad in [
        "yesterday",
        "2026-4-1",
        "",
        "2026-04-01T25:00:00Z",
        "2026-04-01T9:30",
        "2026-04-01T09",
        "2026-04-01T09:30:00:00",
        "2026-04-01X09:30",
        "2026-04-01T09:30+24:00",
        "2026-04-01T09:30 CET",
        "2026-04-01T09:30\0",
        "２０２６-04-01",
    ] {
        assert!(time_arg(bad).is_err(), "{bad} accepted");
    }
}

#[test]
fn a_date_in_until_is_the_whole_day() {
    let until = |raw: &str| crate::clock::stamp(time_arg_until(raw).unwrap());
    assert_eq!(until("2026-11-25"), "2026-11-25T23:59:59Z");
    assert_eq!(until("2026-07-01"), "2026-07-01T22:59:59Z");
    assert_eq!(until("2026-11-25T10:00:00Z"), "2026-11-25T10:00:00Z");
    assert_eq!(until("2026-11-25 10:00"), "2026-11-25T10:00:00Z");
    assert_eq!(until("9999-12-31"), "9999-12-31T23:59:59Z");
}

/// Found by the `time` fuzz target: a signed year slipped through the date form, and an
/// offset could carry a time past 9999 or before 0000 in UTC. Their stamps ("-0040-…",
/// "+10000-…") are not RFC 3339 and sort as text before every real stamp.
#[test]
fn time_arguments_stay_within_four_digit_years() {
    for bad in
        ["-040-01-01", "+202-01-01", "+2026-1-01", "9999-12-31T23:59:59-00:01", "0000-01-01T00:00:00+00:01"]
    {
        assert!(time_arg(bad).is_err(), "{bad} accepted");
    }
    assert_eq!(crate::clock::stamp(time_arg("9999-12-31T23:59:59Z").unwrap()), "9999-12-31T23:59:59Z");
    assert_eq!(crate::clock::stamp(time_arg("0000-01-01").unwrap()), "0000-01-01T00:00:00Z");
    assert_eq!(crate::clock::stamp(time_arg("9999-12-31T23:59:59+01:00").unwrap()), "9999-12-31T22:59:59Z");
}

#[test]
fn data_to_dates_are_a_month_or_a_day_up_to_today() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let day = |raw: &str| data_to(raw, today).map(|d| d.to_string());
    assert_eq!(day("2025-09").unwrap(), "2025-09-30");
    assert_eq!(day("2024-02").unwrap(), "2024-02-29");
    assert_eq!(day("2025-12").unwrap(), "2025-12-31");
    assert_eq!(day(" 2026-11-25 ").unwrap(), "2026-11-25");
    for bad in [
        "2026-11",
        "2026-11-26",
        "2027-01",
        "2025-13",
        "2025-9",
        "2025-02-30",
        "1999-12",
        "soon",
        "",
        "+202-01",
    ] {
        assert!(day(bad).is_err(), "{bad} accepted");
    }
}

#[test]
fn notes_keep_newlines_and_refuse_controls() {
    assert_eq!(note_text("a\r\nb\tc").unwrap(), "a\nb\tc");
    assert!(note_text("a\u{7}b").is_err());
    assert!(note_text(&"é".repeat(5000)).is_ok());
    assert!(note_text(&"é".repeat(5001)).is_err());
}

/// Names that render alike have one key: spacing, no-break spaces, compatibility letters
/// (fullwidth, mathematical, circled, ligatures), case (fully folded) and NFC against NFD.
#[test]
fn look_alike_names_share_a_key() {
    let kent = name_key("Kent Police");
    assert_eq!(kent, "kent police");
    for alike in [
        "Kent  Police",
        "Kent\u{00A0}Police",
        "\u{3000}Kent\u{2003}\u{2003}Police\t",
        "\u{FF2B}\u{FF45}\u{FF4E}\u{FF54} \u{FF30}\u{FF4F}\u{FF4C}\u{FF49}\u{FF43}\u{FF45}",
        "\u{1D40A}\u{1D41E}\u{1D427}\u{1D42D} \u{1D40F}\u{1D428}\u{1D425}\u{1D422}\u{1D41C}\u{1D41E}",
        "\u{24C0}ent Police",
        "KENT POLICE",
        "Kent Police\u{034F}",
    ] {
        assert_eq!(name_key(alike), kent, "{alike:?}");
    }
    assert_eq!(name_key("Caf\u{00E9} Police"), name_key("Cafe\u{0301} Police"));
    assert_eq!(name_key("Stra\u{00DF}e Police"), name_key("STRASSE POLICE"));
    assert_eq!(name_key("\u{FB01}fe Police"), name_key("Fife Police"));
    assert_ne!(name_key("Kent Police"), name_key("Kent Polices"));
}

#[test]
fn hidden_characters_are_refused_by_code_point() {
    for (name, point) in [
        ("Kent Police\u{034F}", "U+034F"),
        ("Kent\u{061C}Police", "U+061C"),
        ("Kent\u{200E}Police", "U+200E"),
        ("Kent\u{2067}Police", "U+2067"),
        ("Kent Police\u{FE0F}", "U+FE0F"),
        ("Kent Police\u{E0041}", "U+E0041"),
        ("Kent\u{00AD}Police", "U+00AD"),
        ("\u{115F}Kent Police", "U+115F"),
        ("Kent\u{180E}Police", "U+180E"),
        ("Kent\u{2064}Police", "U+2064"),
        ("Kent Police\u{E0100}", "U+E0100"),
        ("Kent Police\u{FFFE}", "U+FFFE"),
        ("Kent Police\u{FDD0}", "U+FDD0"),
        ("Kent Police\u{10FFFF}", "U+10FFFF"),
    ] {
        let err = force_name(name).unwrap_err().to_string();
        assert!(err.contains(point), "{name:?}: {err}");
        let err = editor(name).unwrap_err().to_string();
        assert!(err.contains(point), "editor {name:?}: {err}");
    }
    assert!(editor("alice").is_ok());
    assert!(editor("Zoë O'Brien").is_ok());
}

#[test]
fn notes_refuse_what_xml_cannot_carry() {
    for text in ["a\u{FFFE}b", "a\u{FFFF}", "\u{FDEF} x", "x \u{1FFFE}"] {
        assert!(note_text(text).unwrap_err().to_string().contains("noncharacter"), "{text:?}");
        assert!(message(Some(text)).is_err());
    }
    assert!(note_text("right-to-left \u{200F}mark").is_ok());
}

#[test]
fn xml_text_drops_only_what_xml_cannot_carry() {
    assert!(matches!(xml_text("Kent & <Police> \u{e9}\t\n"), Cow::Borrowed(_)));
    assert_eq!(xml_text("a\u{FFFE}b\u{FFFF}c\u{0}d\u{1F}e\u{FDD0}f\u{10FFFF}"), "abcdef");
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 2000, ..Default::default() })]

    /// The rule the `name` fuzz target checks, on every test run: a key is its own key, and
    /// a name's look-alikes (other normal forms, other white space, fullwidth letters, other
    /// ASCII case) are refused or have its key.
    #[test]
    fn look_alikes_of_an_accepted_name_have_its_key(
        raw in "[A-Za-z0-9 \u{00C0}-\u{017F}\u{0300}-\u{0345}\u{00A0}\u{2000}-\u{200A}\u{3000}\u{FB00}-\u{FB06}\u{1E9E}\u{0130}\u{0131}\u{212A}\u{2160}-\u{2188}\u{FF01}-\u{FF5E}]{1,24}"
    ) {
        use unicode_normalization::UnicodeNormalization;
        if let Ok(name) = force_name(&raw) {
            let key = name_key(&name);
            proptest::prop_assert_eq!(name_key(&key), key.clone());
            let fullwidth: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c })
                .collect();
            let swapped: String = name
                .chars()
                .map(|c| if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() })
                .collect();
            for alike in [
                name.nfd().collect::<String>(),
                name.nfc().collect(),
                name.nfkd().collect(),
                name.nfkc().collect(),
                name.replace(' ', "\u{00A0}\u{3000}"),
                format!("\u{2003}{name} "),
                fullwidth,
                swapped,
            ] {
                if let Ok(accepted) = force_name(&alike) {
                    proptest::prop_assert_eq!(name_key(&accepted), key.clone(), "{:?} and {:?}", name, alike);
                }
            }
        }
    }
}
