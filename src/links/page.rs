//! A page's fingerprint: what an answer's headers and body say about it, to tell a changed page
//! from an unchanged one (section 13), and the signs that a page served with 200 is really a
//! missing one.
use std::io::Read;

use sha2::{Digest, Sha256};

/// At most this much of a body is read and hashed: a force's page is a few hundred kilobytes,
/// and a link that streams without end must not hold a check.
pub const BODY_LIMIT: u64 = 5 * 1024 * 1024;
/// The title is looked for in this much of the body: it belongs in the `<head>`.
const TITLE_SCAN: usize = 256 * 1024;
/// Longer titles and header values are cut: they are shown in tables, not read in full.
const MAX_TEXT: usize = 500;

pub use crate::model::{Fingerprint, PageFacts};

/// A header value fit to store and send back: text, trimmed, not absurdly long.
pub fn header_text(value: Option<&ureq::http::HeaderValue>) -> Option<String> {
    let text = value?.to_str().ok()?.trim();
    (!text.is_empty() && text.len() <= MAX_TEXT).then(|| text.to_string())
}

/// Hash the first [`BODY_LIMIT`] bytes of `body` and find its title. Stops reading there.
pub fn read_body(
    body: impl Read,
    etag: Option<String>,
    last_modified: Option<String>,
) -> std::io::Result<Fingerprint> {
    let mut limited = body.take(BODY_LIMIT);
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match limited.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        if head.len() < TITLE_SCAN {
            let room = TITLE_SCAN - head.len();
            head.extend_from_slice(&buf[..n.min(room)]);
        }
    }
    let content_sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(Fingerprint { etag, last_modified, content_sha256, title: title(&String::from_utf8_lossy(&head)) })
}

/// The text of the first `<title>` element, entities decoded and whitespace collapsed. A
/// tolerant scan, not a parser: pages in the wild leave out closing tags, mix cases and put
/// attributes on the title.
pub fn title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    let start = loop {
        let at = from + lower[from..].find("<title")?;
        let after = at + "<title".len();
        // `<titles>` or `<title-x>` is not the title
        match lower.as_bytes().get(after) {
            Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/') => break after + lower[after..].find('>')? + 1,
            _ => from = after,
        }
    };
    let mut end = lower[start..].find("</title").map_or(html.len().min(start + 4 * MAX_TEXT), |e| start + e);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    let text = decode_entities(html.get(start..end)?);
    let words: Vec<&str> =
        text.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect();
    let joined = words.join(" ");
    let cut: String = joined.chars().take(MAX_TEXT).collect();
    (!cut.is_empty()).then_some(cut)
}

/// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#39;`, `&nbsp;`, `&ndash;`, `&mdash;`, and
/// numeric references; anything else is left as written.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // the bytes are searched so that a cut never falls inside a character
        let end = rest.as_bytes().iter().take(12).position(|&b| b == b';');
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                "ndash" => '–',
                "mdash" => '—',
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a title says the page is missing: "not found", "page not found", or 404 standing as
/// a number of its own (not inside "14045").
pub fn title_says_missing(title: &str) -> bool {
    let lower = title.to_lowercase();
    if lower.contains("not found") {
        return true;
    }
    let bytes = lower.as_bytes();
    lower.match_indices("404").any(|(at, _)| {
        let before = at.checked_sub(1).and_then(|i| bytes.get(i));
        let after = bytes.get(at + 3);
        !before.is_some_and(u8::is_ascii_digit) && !after.is_some_and(u8::is_ascii_digit)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_found_decoded_and_tidied() {
        assert_eq!(title("<html><head><TITLE>Use of force</TITLE>").as_deref(), Some("Use of force"));
        assert_eq!(
            title(
                "<title data-x=1>\n  Stop &amp; search\t&#8211;\n Kent&nbsp;Police &#x2014; &bogus; </title>"
            )
            .as_deref(),
            Some("Stop & search – Kent Police — &bogus;")
        );
        assert_eq!(title("<titles>no</titles><title>yes</title>").as_deref(), Some("yes"));
        assert_eq!(title("<title>never closed").as_deref(), Some("never closed"));
        assert_eq!(title("<title></title>"), None);
        assert_eq!(title("no title here"), None);
        assert_eq!(title("<title>AT&T & co</title>").as_deref(), Some("AT&T & co"));
        assert_eq!(title("<title>&ééééééééé;").as_deref(), Some("&ééééééééé;"));
        assert_eq!(title(&format!("<title>{}", "é".repeat(2000))).map(|t| t.chars().count()), Some(500));
        assert_eq!(title(&format!("<title>{}</title>", "x".repeat(2000))).map(|t| t.len()), Some(500));
    }

    #[test]
    fn missing_page_titles_are_told_from_data_titles() {
        for t in ["Page not found", "404", "Error 404 - Kent Police", "NOT FOUND", "Oops! 404: gone"] {
            assert!(title_says_missing(t), "{t}");
        }
        for t in ["Use of force statistics 14045", "Found: use of force data", "2404 incidents"] {
            assert!(!title_says_missing(t), "{t}");
        }
    }

    #[test]
    fn the_body_is_hashed_only_up_to_the_limit() {
        let endless = std::io::repeat(b'a');
        let print = read_body(endless, None, None).unwrap();
        let limited = read_body(std::io::repeat(b'a').take(BODY_LIMIT), None, None).unwrap();
        assert_eq!(print.content_sha256, limited.content_sha256, "an endless body stops at 5 MB");
        let empty = read_body(&b""[..], None, None).unwrap();
        assert_eq!(empty.content_sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
