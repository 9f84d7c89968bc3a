//! Validation of everything a user can type: names, slugs, URLs, note text, editor names and
//! time arguments. Each check returns the cleaned value or a `BadInput` error (exit 2) that
//! quotes the offending input safely.
use std::borrow::Cow;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use url::Url;

use crate::exit_codes::{bad, bad_hint};

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_SLUG_CHARS: usize = 100;
pub const MAX_URL_BYTES: usize = 2048;
pub const MAX_NOTE_CHARS: usize = 5000;

/// Quote user input for an error message: escaped, and cut short when long.
pub fn quoted(text: &str) -> String {
    const MAX: usize = 60;
    let mut out: String = text.chars().take(MAX).collect::<String>().escape_debug().to_string();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    format!("\"{out}\"")
}

/// Bidirectional controls: marks, embeddings, overrides and isolates. They reorder what is
/// shown without being seen, so "Kent\u{202E}ecilop" reads as another name.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt, stable since
/// Unicode 5.2 but for U+180F in 14.0): characters a renderer shows as nothing — zero-width
/// spaces and joiners, the soft hyphen, the combining grapheme joiner, Hangul fillers, variation
/// selectors, tags. The set is closed and small; no crate exports it on its own.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// Code points XML 1.0 does not allow in a document (its `Char` production): C0 controls other
/// than tab, newline and carriage return, U+FFFE and U+FFFF. Unicode's other noncharacters
/// (U+FDD0–U+FDEF, U+nFFFE and U+nFFFF in every plane) are allowed by XML but are "not for
/// interchange"; they are kept out too, so that no published file carries one.
pub fn is_xml_illegal(c: char) -> bool {
    let cp = c as u32;
    (cp < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || (0xFDD0..=0xFDEF).contains(&cp)
        || (cp & 0xFFFE) == 0xFFFE
}

/// Why a character may not be in a name or an editor name, if it may not.
fn hidden_character(c: char) -> Option<&'static str> {
    if is_bidi_control(c) {
        Some("a bidirectional control character, which reorders text invisibly")
    } else if is_default_ignorable(c) {
        Some("an invisible character (Unicode default-ignorable)")
    } else if is_xml_illegal(c) {
        Some("a Unicode noncharacter")
    } else {
        None
    }
}

/// `U+034F`: how messages name a code point.
fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// Text for XML output: every character XML cannot carry dropped (`is_xml_illegal`). Input is
/// refused such characters, but a database written before that rule may still hold them.
pub fn xml_text(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_xml_illegal) {
        Cow::Owned(text.chars().filter(|&c| !is_xml_illegal(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
}

fn script_of(c: char) -> Option<Script> {
    match c {
        'a'..='z' | 'A'..='Z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => Some(Script::Latin),
        '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Some(Script::Greek),
        '\u{0400}'..='\u{052F}' => Some(Script::Cyrillic),
        _ => None,
    }
}

/// A force name: 1–200 characters once trimmed, no control or invisible formatting characters,
/// letters from one script only (so "Kent Pоlice" with a Cyrillic "о" cannot pose as "Kent
/// Police").
pub fn force_name(raw: &str) -> anyhow::Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(bad_hint("the force name is empty", "give the force's full name, e.g. \"Kent Police\""));
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(bad(format!(
            "the force name {} contains a control character (U+{:04X})",
            quoted(name),
            c as u32
        )));
    }
    if let Some((c, why)) = name.chars().find_map(|c| hidden_character(c).map(|why| (c, why))) {
        return Err(bad_hint(
            format!("the force name {} contains {} ({why})", quoted(name), code_point(c)),
            "retype the name: names must look like what they are",
        ));
    }
    let count = name.chars().count();
    if count > MAX_NAME_CHARS {
        return Err(bad(format!("the force name is {count} characters long; the most is {MAX_NAME_CHARS}")));
    }
    let mut scripts = name.chars().filter_map(script_of);
    if let Some(first) = scripts.next() {
        if scripts.any(|s| s != first) {
            return Err(bad_hint(
                format!("the force name {} mixes letters from different alphabets", quoted(name)),
                "retype the name: a look-alike letter (e.g. a Cyrillic \"о\") may have been pasted in",
            ));
        }
    }
    Ok(name.to_owned())
}

/// The key that makes names unique: two names with one key look alike, so they are one name.
/// It is Unicode's NFKC_Casefold, in effect: default-ignorable characters removed, compatibility
/// forms (fullwidth, mathematical and other styled letters, ligatures, no-break spaces) folded
/// to their plain letters by NFKC, full case folding ("ß" = "ss"), NFKC again (folding can
/// undo it), and then every run of white space one space, trimmed.
pub fn name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    // ASCII holds no default-ignorable code point, is its own NFKC, and folds to lower case:
    // the common case, sorted a hundred thousand times on a large directory, skips the tables
    let folded = if name.is_ascii() {
        name.to_ascii_lowercase()
    } else {
        let visible: String = name.chars().filter(|&c| !is_default_ignorable(c)).collect();
        caseless::default_case_fold_str(&visible.nfkc().collect::<String>()).nfkc().collect::<String>()
    };
    let mut key = String::with_capacity(folded.len());
    for word in folded.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    }
    key
}

/// A slug: `a-z`, `0-9` and single hyphens, not at either end.
pub fn slug(raw: &str) -> anyhow::Result<String> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_SLUG_CHARS
        && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !raw.starts_with('-')
        && !raw.ends_with('-')
        && !raw.contains("--");
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(bad_hint(
            format!("the slug {} is not valid", quoted(raw)),
            format!("use 1–{MAX_SLUG_CHARS} characters a-z, 0-9 and single hyphens, e.g. \"kent-police\""),
        ))
    }
}

/// The slug a name gets when none is given: "Devon & Cornwall Police" → "devon-and-cornwall-police".
pub fn slug_from_name(name: &str) -> anyhow::Result<String> {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in name.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => word.push(c.to_ascii_lowercase()),
            '\'' | '\u{2019}' => {}
            _ => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                if c == '&' {
                    words.push("and".to_owned());
                }
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut out = words.join("-");
    out.truncate(MAX_SLUG_CHARS);
    let out = out.trim_end_matches('-').to_owned();
    slug(&out).map_err(|_| {
        bad_hint(
            format!("cannot make a slug from the name {}", quoted(name)),
            "give one with --slug, e.g. --slug kent-police",
        )
    })
}

/// A force's data URL: absolute `https://` (or `http://` when allowed), a host, no credentials,
/// at most 2,048 bytes, returned as the `url` crate serialises it.
pub fn force_url(raw: &str, allow_http: bool) -> anyhow::Result<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(bad_hint("the URL is empty", "to remove a force's link, use `admin clear-url FORCE`"));
    }
    if raw.len() > MAX_URL_BYTES {
        return Err(bad(format!("the URL is {} bytes long; the most is {MAX_URL_BYTES}", raw.len())));
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err(bad(format!("the URL {} contains a control character", quoted(trimmed))));
    }
    let url = Url::parse(trimmed).map_err(|e| {
        bad_hint(
            format!("the URL {} is not a valid absolute URL: {e}", quoted(trimmed)),
            "give the full address, starting https://",
        )
    })?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        "http" => {
            return Err(bad_hint(
                format!("the URL {} is not https", quoted(trimmed)),
                "use the https:// address, or pass --allow-http if the force has none",
            ))
        }
        scheme => {
            return Err(bad_hint(
                format!("the URL {} uses the {scheme:?} scheme; only https is allowed", quoted(trimmed)),
                "give the force's web address, starting https://",
            ))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad_hint(
            format!("the URL {} carries a user name or password", quoted(trimmed)),
            "remove the credentials: the published page must not contain them",
        ));
    }
    match url.host() {
        Some(url::Host::Domain(domain)) if domain.contains('.') && !domain.ends_with('.') => {}
        Some(url::Host::Domain(domain)) if !domain.is_empty() => {
            return Err(bad_hint(
                format!(
                    "the URL {} has the host `{domain}`, which is not a full domain name",
                    quoted(trimmed)
                ),
                "give the full address, e.g. https://www.kent.police.uk/…",
            ))
        }
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => {}
        _ => return Err(bad(format!("the URL {} has no host", quoted(trimmed)))),
    }
    let serialised = url.to_string();
    if serialised.len() > MAX_URL_BYTES {
        return Err(bad(format!(
            "the URL is {} bytes long once encoded; the most is {MAX_URL_BYTES}",
            serialised.len()
        )));
    }
    Ok(serialised)
}

/// Whether `force_url` had to encode what was typed: percent-encoding added (a space, a
/// character outside ASCII) or an international host written as `xn--`.
pub fn url_was_encoded(raw: &str, stored: &str) -> bool {
    let raw = raw.trim();
    stored.matches('%').count() > raw.matches('%').count()
        || stored.matches("xn--").count() > raw.to_ascii_lowercase().matches("xn--").count()
}

/// Note text: 1–5,000 characters, any Unicode, newlines and tabs allowed, no other control
/// characters. Trailing whitespace is trimmed.
pub fn note_text(raw: &str) -> anyhow::Result<String> {
    text_of("note", raw)
}

/// A note or a message (`what`): the rules of `note_text`, the errors naming which.
fn text_of(what: &str, raw: &str) -> anyhow::Result<String> {
    let normalised = raw.replace("\r\n", "\n");
    let text = normalised.trim();
    if text.is_empty() {
        return Err(match what {
            "message" => bad_hint(
                "the message (-m) is empty",
                "say in a few words why you are making the change, or leave out -m",
            ),
            _ => bad("the note is empty"),
        });
    }
    if let Some(c) = text.chars().find(|&c| c.is_control() && c != '\n' && c != '\t') {
        return Err(bad(format!(
            "the {what} contains a control character (U+{:04X}); only newlines and tabs are allowed",
            c as u32
        )));
    }
    if let Some(c) = text.chars().find(|&c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')) {
        return Err(bad(format!(
            "the {what} contains a bidirectional override (U+{:04X}), which can disguise text",
            c as u32
        )));
    }
    if let Some(c) = text.chars().find(|&c| is_xml_illegal(c)) {
        return Err(bad(format!(
            "the {what} contains {}, a Unicode noncharacter, which a published page or feed cannot carry",
            code_point(c)
        )));
    }
    let count = text.chars().count();
    if count > MAX_NOTE_CHARS {
        return Err(bad(format!("the {what} is {count} characters long; the most is {MAX_NOTE_CHARS}")));
    }
    Ok(text.to_owned())
}

/// A change message (`-m`): the same rules as a note.
pub fn message(raw: Option<&str>) -> anyhow::Result<Option<String>> {
    raw.map(|m| text_of("message", m)).transpose()
}

/// An editor's name: what `--editor`, `UOF_EDITOR` or the OS user gave.
pub fn editor(raw: &str) -> anyhow::Result<String> {
    let name = raw.trim();
    if let Some((c, why)) = name.chars().find_map(|c| hidden_character(c).map(|why| (c, why))) {
        return Err(bad_hint(
            format!("the editor name {} contains {} ({why})", quoted(name), code_point(c)),
            "use --editor NAME or UOF_EDITOR with a plain name: two editors must never look alike",
        ));
    }
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(bad_hint(
            format!("the editor name {} is not valid", quoted(raw)),
            "use --editor NAME or UOF_EDITOR with a plain name of at most 200 characters",
        ));
    }
    Ok(name.to_owned())
}

/// A time argument: RFC 3339, or `YYYY-MM-DD` meaning midnight UTC. The time in UTC must fall
/// in the years 0000–9999, so that its stamp is RFC 3339 and sorts as text the way it does in time.
pub fn time_arg(raw: &str) -> anyhow::Result<DateTime<Utc>> {
    let text = raw.trim();
    let in_range = |at: DateTime<Utc>| (0..=9999).contains(&at.year());
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        let at = at.with_timezone(&Utc);
        if in_range(at) {
            return Ok(at);
        }
    }
    // four-digit year, two-digit month and day: chrono's `%Y` alone would also take "-040" or "+2026"
    let digits =
        |r: std::ops::Range<usize>| text.get(r).is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()));
    if text.len() == 10 && digits(0..4) && digits(5..7) && digits(8..10) {
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            if let Some(midnight) = day.and_hms_opt(0, 0, 0) {
                return Ok(midnight.and_utc());
            }
        }
    }
    Err(bad_hint(
        format!("the time {} is not understood", quoted(raw)),
        "use RFC 3339 (2026-04-01T09:30:00Z) or a date (2026-04-01, midnight UTC)",
    ))
}

/// `admin review --data-to`: the newest day a force's published data covers. `YYYY-MM` means the
/// month's last day; `YYYY-MM-DD` that day. Refused when after `today` (data cannot cover days
/// still to come) or before 2000.
pub fn data_to(raw: &str, today: NaiveDate) -> anyhow::Result<NaiveDate> {
    let text = raw.trim();
    let digits =
        |r: std::ops::Range<usize>| text.get(r).is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()));
    let hint = "use YYYY-MM (the month's last day) or YYYY-MM-DD, e.g. --data-to 2025-09";
    let day = if text.len() == 7 && digits(0..4) && text.get(4..5) == Some("-") && digits(5..7) {
        let (year, month) = (text[0..4].parse::<i32>().ok(), text[5..7].parse::<u32>().ok());
        year.zip(month)
            .and_then(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1))
            .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
            .and_then(|next| next.pred_opt())
    } else if text.len() == 10 && digits(0..4) && digits(5..7) && digits(8..10) {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
    } else {
        None
    };
    let day = day.ok_or_else(|| bad_hint(format!("the date {} is not understood", quoted(raw)), hint))?;
    if day > today {
        return Err(bad_hint(
            format!("the data cannot cover {day}: it is after today ({today})"),
            "give the last day the force's published figures cover; for this month, give a day up to today",
        ));
    }
    if day.year() < 2000 {
        return Err(bad_hint(format!("the date {day} is before 2000"), hint));
    }
    Ok(day)
}

/// The end of a time range (`history --until`): a bare date means the end of that day
/// (23:59:59 UTC, stamps being whole seconds), so `--until 2026-11-25` includes the 25th.
pub fn time_arg_until(raw: &str) -> anyhow::Result<DateTime<Utc>> {
    let at = time_arg(raw)?;
    if DateTime::parse_from_rfc3339(raw.trim()).is_ok() {
        return Ok(at);
    }
    Ok(at + chrono::Duration::seconds(86_399))
}

#[cfg(test)]
mod tests {
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
        assert_eq!(time_arg("2026-04-01").unwrap().to_rfc3339(), "2026-04-01T00:00:00+00:00");
        assert_eq!(time_arg("2026-04-01T10:00:00+01:00").unwrap().to_rfc3339(), "2026-04-01T09:00:00+00:00");
        for bad in ["yesterday", "2026-13-01", "2026-4-1", "", "2026-04-01T25:00:00Z"] {
            assert!(time_arg(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn a_date_in_until_is_the_whole_day() {
        assert_eq!(time_arg_until("2026-11-25").unwrap().to_rfc3339(), "2026-11-25T23:59:59+00:00");
        assert_eq!(time_arg_until("2026-11-25T10:00:00Z").unwrap().to_rfc3339(), "2026-11-25T10:00:00+00:00");
        assert_eq!(time_arg_until("9999-12-31").unwrap().to_rfc3339(), "9999-12-31T23:59:59+00:00");
    }

    /// Found by the `time` fuzz target: a signed year slipped through the date form, and an
    /// offset could carry a time past 9999 or before 0000 in UTC. Their stamps ("-0040-…",
    /// "+10000-…") are not RFC 3339 and sort as text before every real stamp.
    #[test]
    fn time_arguments_stay_within_four_digit_years() {
        for bad in [
            "-040-01-01",
            "+202-01-01",
            "+2026-1-01",
            "9999-12-31T23:59:59-00:01",
            "0000-01-01T00:00:00+00:01",
        ] {
            assert!(time_arg(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(crate::clock::stamp(time_arg("9999-12-31T23:59:59Z").unwrap()), "9999-12-31T23:59:59Z");
        assert_eq!(crate::clock::stamp(time_arg("0000-01-01").unwrap()), "0000-01-01T00:00:00Z");
        assert_eq!(
            crate::clock::stamp(time_arg("9999-12-31T23:59:59+01:00").unwrap()),
            "9999-12-31T22:59:59Z"
        );
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
}
