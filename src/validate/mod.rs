//! Validation of everything a user can type: names, slugs, URLs, note text, editor names and
//! time arguments. Each check returns the cleaned value or a `BadInput` error (exit 2) that
//! quotes the offending input safely.
use std::borrow::Cow;

use url::Url;

use crate::exit_codes::{bad, bad_hint};

mod alike;
mod dir;
mod time;

pub use alike::{look_key, nearest_name, posing_letters, refused_letter};
pub use dir::{directory, site_name, MAX_DIR_BYTES};
pub use time::{data_to, time_arg, time_arg_until};

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_SLUG_CHARS: usize = 100;
pub const MAX_URL_BYTES: usize = 2048;
pub const MAX_NOTE_CHARS: usize = 5000;

/// Quote user input for an error message: escaped, and cut short when long.
pub fn quoted(text: &str) -> String {
    const MAX: usize = 60;
    // a quote inside double quotes needs no backslash: "O'Brien's", not "O\'Brien\'s"
    let mut out: String =
        text.chars().take(MAX).collect::<String>().escape_debug().to_string().replace("\\'", "'");
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
    } else if matches!(c, '\u{2028}' | '\u{2029}') {
        Some("a line or paragraph separator, which breaks the line where none is seen")
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
    one_alphabet("force name", name)?;
    Ok(name.to_owned())
}

/// Refuse a name whose letters come from more than one alphabet (Latin with Cyrillic, say): a
/// look-alike letter pasted into a name.
fn one_alphabet(what: &str, name: &str) -> anyhow::Result<()> {
    let mut scripts = name.chars().filter_map(script_of);
    if let Some(first) = scripts.next() {
        if scripts.any(|s| s != first) {
            return Err(bad_hint(
                format!("the {what} {} mixes letters from different alphabets", quoted(name)),
                "retype the name: a look-alike letter (e.g. a Cyrillic \"о\") may have been pasted in",
            ));
        }
    }
    Ok(())
}

/// Refuse a name (`what`: "force name", "editor name") holding a letter, mark or digit that
/// UTS #39's general security profile does not allow in identifiers, naming the character: the
/// small capital in "ᴋent Police" looks like a letter the confusables data does not map. Names
/// typed now are held to it (`directory`, `new_editor`); `force_name` and `editor`, which the
/// replay holds the log to, are not, so a log an older admin wrote, which took such letters,
/// still replays, and `admin status` names them.
pub fn profile_letters(what: &str, name: &str) -> anyhow::Result<()> {
    if let Some((c, why)) = hidden_mark(name) {
        return Err(bad_hint(
            format!("the {what} {} contains {} ({why})", quoted(name), code_point(c)),
            "retype the name: an accent that cannot be seen makes a name look like another",
        ));
    }
    match refused_letter(name) {
        None => Ok(()),
        Some(c) => Err(bad_hint(
            format!(
                "the {what} {} contains {} {}, a letter Unicode's identifier profile does not allow",
                quoted(name),
                code_point(c),
                quoted(&c.to_string())
            ),
            "retype the name in the letters of a living language: letters that pose as others are refused",
        )),
    }
}

/// A combining mark that cannot be seen on its letter (UTS #39, 5.4): a dot above on a letter
/// that has one or looks dotted (`i` + U+0307, `ı` + U+0307 reads as "i"), the same mark twice in
/// a row, or more than four marks on one letter. Such a name renders as another.
fn hidden_mark(name: &str) -> Option<(char, &'static str)> {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    let mut base = ' ';
    let mut previous: Option<char> = None;
    let mut marks = 0;
    for c in name.nfd() {
        if !is_combining_mark(c) {
            (base, previous, marks) = (c, None, 0);
            continue;
        }
        marks += 1;
        if c == '\u{0307}' && matches!(base, 'i' | 'j' | 'ı' | 'ȷ' | 'ɩ') {
            return Some((c, "a dot above that the letter before it hides"));
        }
        if previous == Some(c) {
            return Some((c, "the same accent twice on one letter"));
        }
        if marks > 4 {
            return Some((c, "more than four accents on one letter"));
        }
        previous = Some(c);
    }
    None
}

/// The key that makes names one in the order they are listed: two names with one key look
/// alike, so they are one name; `look_key` goes further, for uniqueness. It is Unicode's NFKC_Casefold, in effect: default-ignorable characters removed, compatibility
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
    // already one space between words and none at either end (most names): as it is
    let spaced = !folded.starts_with(' ') && !folded.ends_with(' ') && !folded.contains("  ");
    if spaced && folded.chars().all(|c| c == ' ' || !c.is_whitespace()) {
        return folded;
    }
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
/// A name's letters as the plain ASCII letters a slug is made of: accents taken off ("Môn" is
/// "Mon", "Sécurité" "Securite"), and the letters with no accent to take off spelt as they are
/// in ASCII ("Łódź" is "Lodz", "Straße" "Strasse"). Anything else is left for the slug to drop.
fn ascii_letters(name: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(name.len());
    for c in name.nfd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ł' | 'ı' => out.push(if c == 'ł' { 'l' } else { 'i' }),
            'Ł' => out.push('L'),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'þ' | 'Þ' => out.push_str("th"),
            c => out.push(c),
        }
    }
    out
}

pub fn slug_from_name(name: &str) -> anyhow::Result<String> {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in ascii_letters(name).chars() {
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
            "add it with a slug of its own: `admin add-force NAME --slug SLUG`",
        )
    })
}

/// A force's data URL: absolute `https://` (or `http://` when allowed), a host, no credentials,
/// at most 2,048 bytes, returned as the `url` crate serialises it. Its hints name `clear-url` and
/// `--allow-http`, which the commands that take a force's URL have.
pub fn force_url(raw: &str, allow_http: bool) -> anyhow::Result<String> {
    checked_url(raw, if allow_http { Http::Allowed } else { Http::OnRequest })
}

/// An address on the page (its base URL, a related link): as a force's URL, always https; its
/// hints name no flag, the `page` commands having none that allows http.
pub fn page_url(raw: &str) -> anyhow::Result<String> {
    checked_url(raw, Http::Never)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Http {
    Allowed,
    /// refused, and `--allow-http` is the command's way to allow it
    OnRequest,
    Never,
}

fn checked_url(raw: &str, http: Http) -> anyhow::Result<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        let hint = match http {
            Http::Never => "give the full address, starting https://",
            _ => "to remove a force's link, use `admin clear-url FORCE`",
        };
        return Err(bad_hint("the URL is empty", hint));
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
        "http" if http == Http::Allowed => {}
        "http" => {
            let hint = match http {
                Http::OnRequest => "use the https:// address, or pass --allow-http if the force has none",
                _ => "use the https:// address: the page's own addresses are https only",
            };
            return Err(bad_hint(format!("the URL {} is not https", quoted(trimmed)), hint));
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

/// An editor name given now (`--editor`, `UOF_EDITOR`, the OS user, a registration): `editor`,
/// and its letters are ones the identifier profile allows, as a force name's are.
pub fn new_editor(raw: &str) -> anyhow::Result<String> {
    let name = editor(raw)?;
    one_alphabet("editor name", &name)?;
    profile_letters("editor name", &name)?;
    Ok(name)
}

#[cfg(test)]
mod tests;
