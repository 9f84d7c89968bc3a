//! The page's own words (SPEC section 12): what an editor may give for each field — the heading,
//! the introduction, publisher, contact, licence, base URL and related links — and the edits
//! that change them, each one audited `set-page` change made through `directory::set_page`, so
//! `history`, `revert`, the publication note and `--as-of` already know them.
use std::io::Read;
use std::path::Path;

use anyhow::Result;
use rusqlite::Connection;

use crate::audit::Action;
use crate::directory::{self, Actor, Outcome};
use crate::exit_codes::{bad, bad_hint};
use crate::state::{Page, PageLink};
use crate::validate::{self, quoted};

pub const MAX_HEADING_CHARS: usize = 200;
pub const MAX_PARAGRAPH_CHARS: usize = 5000;
pub const MAX_PARAGRAPHS: usize = 20;
/// Publisher, contact and licence: one line each.
pub const MAX_LINE_CHARS: usize = 500;
pub const MAX_LINK_TITLE_CHARS: usize = 200;
pub const MAX_LINKS: usize = 30;
/// The most `--file` reads: far more than any field holds, so an over-long value is refused by
/// its length rather than cut.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A field `admin page set` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Heading,
    Intro,
    Publisher,
    Contact,
    Licence,
    BaseUrl,
}

impl Field {
    /// As the command line names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Heading => "heading",
            Field::Intro => "intro",
            Field::Publisher => "publisher",
            Field::Contact => "contact",
            Field::Licence => "licence",
            Field::BaseUrl => "base-url",
        }
    }
}

/// Characters XML (the feed, the sitemap) cannot hold even escaped: the noncharacters.
fn is_noncharacter(c: char) -> bool {
    let n = c as u32;
    (0xFDD0..=0xFDEF).contains(&n) || (n & 0xFFFE) == 0xFFFE
}

/// Bidi overrides and isolates, zero-width characters and the byte-order mark: they change how
/// text reads without being seen.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Refuse characters no page text may hold; `newlines` allows `\n`.
fn check_chars(what: &str, text: &str, newlines: bool) -> Result<()> {
    for c in text.chars() {
        let problem = if c == '\n' && newlines {
            continue;
        } else if c == '\n' {
            "a line break"
        } else if c.is_control() {
            "a control character"
        } else if is_invisible(c) {
            "an invisible formatting character"
        } else if is_noncharacter(c) {
            "a noncharacter"
        } else {
            continue;
        };
        let hint = if c == '\n' {
            format!("the {what} is one line")
        } else {
            "retype the text: it may have been pasted with hidden characters".to_owned()
        };
        return Err(bad_hint(format!("the {what} contains {problem} (U+{:04X})", c as u32), hint));
    }
    Ok(())
}

fn check_length(what: &str, text: &str, max: usize) -> Result<()> {
    let count = text.chars().count();
    if count > max {
        return Err(bad(format!("the {what} is {count} characters long; the most is {max}")));
    }
    Ok(())
}

/// The heading: 1–200 characters on one line.
pub fn heading(raw: &str) -> Result<String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(bad_hint(
            "the heading cannot be empty",
            "give the page's title, e.g. \"Use of Force Data\"",
        ));
    }
    check_chars("heading", text, false)?;
    check_length("heading", text, MAX_HEADING_CHARS)?;
    Ok(text.to_owned())
}

/// The introduction: paragraphs separated by a blank line, 1–20 of them, each at most 5,000
/// characters. Each paragraph is trimmed, and so are its lines, so no paragraph holds a blank
/// line and the table's `\n\n`-joined copy reads back the same.
pub fn intro(raw: &str) -> Result<Vec<String>> {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    check_chars("introduction", &text, true)?;
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.split('\n').map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join("\n"));
    }
    if paragraphs.is_empty() {
        return Err(bad_hint(
            "the introduction cannot be empty",
            "give one or more paragraphs, separated by a blank line",
        ));
    }
    if paragraphs.len() > MAX_PARAGRAPHS {
        return Err(bad_hint(
            format!("the introduction has {} paragraphs; the most is {MAX_PARAGRAPHS}", paragraphs.len()),
            "paragraphs are separated by a blank line",
        ));
    }
    for (i, p) in paragraphs.iter().enumerate() {
        check_length(&format!("introduction's paragraph {}", i + 1), p, MAX_PARAGRAPH_CHARS)?;
    }
    Ok(paragraphs)
}

/// Publisher, contact or licence: one line of at most 500 characters; empty clears it.
pub fn line(what: &str, raw: &str) -> Result<Option<String>> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    check_chars(what, text, false)?;
    check_length(what, text, MAX_LINE_CHARS)?;
    Ok(Some(text.to_owned()))
}

/// The page's public address: an https URL as force URLs are checked, without a query or
/// fragment, ending `/` so that the data files' addresses are it plus their names. Empty clears.
pub fn base_url(raw: &str) -> Result<Option<String>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let checked = validate::page_url(raw)?;
    let mut url = url::Url::parse(&checked).map_err(|e| bad(format!("the URL is not valid: {e}")))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad_hint(
            format!("the base URL {} has a query or fragment", quoted(raw.trim())),
            "give the address of the page's directory, e.g. https://www.example.gov.uk/use-of-force/",
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(Some(url.to_string()))
}

/// A related link's title: 1–200 characters on one line.
pub fn link_title(raw: &str) -> Result<String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(bad_hint(
            "the link title is empty",
            "give the title the page shows, e.g. \"Police use of force statistics\"",
        ));
    }
    check_chars("link title", text, false)?;
    check_length("link title", text, MAX_LINK_TITLE_CHARS)?;
    Ok(text.to_owned())
}

/// The value of `--file PATH` (`-`: standard input), at most 1 MB of UTF-8.
pub fn read_value(path: &Path) -> Result<String> {
    let shown = path.display().to_string();
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(format!("cannot read standard input: {e}")))?;
    } else {
        let cannot = |e: std::io::Error| bad(format!("cannot read `{shown}`: {e}"));
        let meta = std::fs::metadata(path).map_err(cannot)?;
        if meta.is_dir() {
            return Err(bad_hint(
                format!("`{shown}` is a directory"),
                "give the path of a text file, or - for standard input",
            ));
        }
        // a pipe or device is read up to the same limit as a file
        std::fs::File::open(path)
            .map_err(cannot)?
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
    }
    let name = if path == Path::new("-") { "standard input".to_owned() } else { format!("`{shown}`") };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(bad(format!("{name} is over {MAX_FILE_BYTES} bytes; page text is far shorter")));
    }
    String::from_utf8(bytes).map_err(|_| bad(format!("{name} is not valid UTF-8 text")))
}

/// The page as it stands, for an edit.
fn current(conn: &Connection) -> Result<Page> {
    Ok(crate::db::page::read(conn)?.unwrap_or_default())
}

/// Set one field to `value` (checked), with one `set-page` change, or nothing if it says that
/// already.
pub fn set(conn: &Connection, actor: &Actor, field: Field, value: &str) -> Result<Outcome> {
    let mut page = current(conn)?;
    match field {
        Field::Heading => page.heading = heading(value)?,
        Field::Intro => page.intro = intro(value)?,
        Field::Publisher => page.publisher = line("publisher", value)?,
        Field::Contact => page.contact = line("contact", value)?,
        Field::Licence => page.licence = line("licence", value)?,
        Field::BaseUrl => page.base_url = base_url(value)?,
    }
    directory::set_page(conn, actor, Action::SetPage, page)
}

/// Add a related link (a title not already used, ignoring case; an https URL).
pub fn add_link(conn: &Connection, actor: &Actor, title: &str, url: &str) -> Result<Outcome> {
    let title = link_title(title)?;
    let url = validate::page_url(url)?;
    let mut page = current(conn)?;
    if let Some(same) = page.links.iter().find(|l| l.title.to_lowercase() == title.to_lowercase()) {
        if same.title == title && same.url == url {
            return Ok(Outcome::Unchanged(format!(
                "nothing to change: the page already links to {}",
                quoted(&title)
            )));
        }
        return Err(bad_hint(
            format!("the page already has a related link titled {}", quoted(&same.title)),
            format!("remove it first: admin page link remove {}", quoted(&same.title)),
        ));
    }
    if page.links.len() >= MAX_LINKS {
        return Err(bad(format!("the page already has {MAX_LINKS} related links, the most it shows")));
    }
    page.links.push(PageLink { title, url });
    directory::set_page(conn, actor, Action::SetPage, page)
}

/// Remove the related link with this title (ignoring case).
pub fn remove_link(conn: &Connection, actor: &Actor, title: &str) -> Result<Outcome> {
    let mut page = current(conn)?;
    let wanted = title.trim().to_lowercase();
    let Some(index) = page.links.iter().position(|l| l.title.to_lowercase() == wanted) else {
        let titles: Vec<String> = page.links.iter().map(|l| quoted(&l.title)).collect();
        return Err(bad_hint(
            format!("the page has no related link titled {}", quoted(title)),
            if titles.is_empty() {
                "the page has no related links".to_owned()
            } else {
                format!("its related links are {}", titles.join(", "))
            },
        ));
    };
    page.links.remove(index);
    directory::set_page(conn, actor, Action::SetPage, page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intro_paragraphs_are_split_on_blank_lines_and_trimmed() {
        assert_eq!(intro("  One\r\nstill one  \n\n   \nTwo\n\n\n").unwrap(), vec!["One\nstill one", "Two"]);
        assert!(intro("\n \n").is_err());
        assert!(intro(&vec!["p"; 21].join("\n\n")).is_err());
        assert!(intro(&vec!["p"; 20].join("\n\n")).is_ok());
        assert!(intro(&"é".repeat(5001)).is_err());
        assert!(intro("tab\there").is_err());
    }

    #[test]
    fn one_line_fields_refuse_breaks_controls_and_noncharacters() {
        assert_eq!(line("publisher", "  Home Office ").unwrap().as_deref(), Some("Home Office"));
        assert_eq!(line("publisher", "  ").unwrap(), None);
        for bad in ["a\nb", "a\u{7}b", "a\u{FFFE}b", "a\u{202E}b", "a\u{FDD0}b"] {
            assert!(line("publisher", bad).is_err(), "{bad:?} accepted");
            assert!(heading(bad).is_err(), "{bad:?} accepted");
        }
        assert!(heading(&"x".repeat(201)).is_err());
        assert!(heading(&"x".repeat(200)).is_ok());
    }

    #[test]
    fn base_urls_end_with_a_slash() {
        assert_eq!(
            base_url("https://Example.gov.uk/uof").unwrap().as_deref(),
            Some("https://example.gov.uk/uof/")
        );
        assert_eq!(base_url("https://example.gov.uk").unwrap().as_deref(), Some("https://example.gov.uk/"));
        assert_eq!(base_url("").unwrap(), None);
        for bad in [
            "http://example.gov.uk/",
            "https://example.gov.uk/?a=b",
            "https://example.gov.uk/#x",
            "javascript:alert(1)",
        ] {
            assert!(base_url(bad).is_err(), "{bad} accepted");
        }
    }
}
