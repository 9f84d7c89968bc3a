//! Content and publications → view structs → minijinja templates → the site's files.
//! Templates are embedded in the binary and autoescaped by extension (`.html`, `.atom`), so no
//! name, URL or note can inject markup.
use anyhow::Result;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::content::Content;
use crate::model::AuditHead;
use crate::model::Publication;
use crate::state::PageLink;

use super::data::{forces_csv, forces_json};
use super::feed::{feed, urn_uuid};
use super::made::{make, Made, Sink, Site};

/// The template environment: strict about undefined values, autoescaping HTML and Atom.
pub fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") || name.ends_with(".atom") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // Escape strings in HTML and Atom as `& < > " '` only: minijinja's default also turns `/`
    // into `&#x2f;`, which is safe but makes every URL in the page unreadable.
    env.set_formatter(|out, state, value| {
        if matches!(state.auto_escape(), AutoEscape::Html) && !value.is_safe() {
            if let Some(text) = value.as_str() {
                return out.write_str(&escape_markup(text)).map_err(minijinja::Error::from);
            }
        }
        minijinja::escape_formatter(out, state, value)
    });
    match minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        Ok(syntax) => env.set_syntax(syntax),
        Err(e) => panic!("template syntax settings are invalid: {e}"),
    }
    for (name, source) in [
        ("index.html", include_str!("../../templates/index.html")),
        ("feed.atom", include_str!("../../templates/feed.atom")),
    ] {
        if let Err(e) = env.add_template(name, source) {
            // the templates are part of the binary; a broken one is a build defect
            panic!("template {name} does not parse: {e}");
        }
    }
    env
}

/// Escape text for HTML and XML content and attribute values.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Serialize)]
struct DateView {
    /// `2026-11-24T09:30:00Z`, for `datetime` attributes and Atom.
    iso: String,
    /// `24 November 2026`, for people.
    human: String,
}

fn date_view(at: &str) -> DateView {
    let human = DateTime::parse_from_rfc3339(at)
        .map(|d| d.with_timezone(&Utc).format("%-d %B %Y").to_string())
        .unwrap_or_else(|_| at.to_owned());
    DateView { iso: at.to_owned(), human }
}

/// `data_to` for people: "September 2025" for a month's last day, else "15 September 2025".
fn data_to_view(day: &str) -> DateView {
    let human = match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(d) if d.succ_opt().is_none_or(|next| next.month() != d.month()) => d.format("%B %Y").to_string(),
        Ok(d) => d.format("%-d %B %Y").to_string(),
        Err(_) => day.to_owned(),
    };
    DateView { iso: day.to_owned(), human }
}

#[derive(Serialize)]
struct ForceView<'a> {
    slug: &'a str,
    name: &'a str,
    url: Option<&'a str>,
    /// Each note as lines, rendered with line breaks between them.
    notes: Vec<Vec<&'a str>>,
    data_to: Option<DateView>,
}

#[derive(Serialize)]
struct UpdateView<'a> {
    id: i64,
    at: DateView,
    note: &'a str,
}

/// The page's "About this page" line: which publication it is and who signed it.
#[derive(Debug, Clone, Serialize)]
pub struct About {
    pub number: i64,
    /// The publisher who signed its record; `None` for an unsigned publication.
    pub signed_by: Option<String>,
}

#[derive(Serialize)]
struct PageView<'a> {
    heading: &'a str,
    intro: &'a [String],
    notes: Vec<Vec<&'a str>>,
    /// `Forces`: each force's values made as the template reaches it.
    forces: Value,
    published: DateView,
    last_updated: DateView,
    updates: Vec<UpdateView<'a>>,
    feed_id: String,
    /// `admin serve`: mark the page as an unpublished preview.
    preview: bool,
    /// The audit head the publication covers, for `<meta name="uof-audit-head">`.
    audit: Option<AuditHead>,
    publisher: Option<&'a str>,
    contact: Option<&'a str>,
    /// The contact is an email address: link it with `mailto:`.
    contact_email: bool,
    licence: Option<&'a str>,
    /// The page's address, for `<link rel="canonical">`.
    base_url: Option<&'a str>,
    links: &'a [PageLink],

    /// schema.org JSON-LD, already safe inside `<script>` (see `json_ld`).
    json_ld: Option<String>,
    /// `None` in a preview.
    about: Option<&'a About>,
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// The page's list of forces, shared with the content: the template is given each force's values
/// as its loop reaches it, and they are freed once it is written (made all at once, a hundred
/// thousand forces' values took about 40 MB).
struct Forces(std::sync::Arc<Vec<crate::content::PublicForce>>);

impl std::fmt::Debug for Forces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Forces({})", self.0.len())
    }
}

impl minijinja::value::Object for Forces {
    fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        let f = self.0.get(key.as_usize()?)?;
        Some(Value::from(Serde(&ForceView {
            slug: &f.slug,
            name: &f.name,
            url: f.url.as_deref(),
            notes: f.notes.iter().map(|n| lines(n)).collect(),
            data_to: f.data_to.as_deref().map(data_to_view),
        })))
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Seq(self.0.len())
    }
}

/// Render every file of the site for `publication`, given the major publications up to it
/// (newest first) and the first publication's time: the page and the data files into `sink`.
pub fn render(
    content: &Content,
    history: &[Publication],
    first_at: &str,
    publication: &Publication,
    about: Option<&About>,
    preview: bool,
    sink: Sink,
) -> Result<Site> {
    let last_major_at = history.first().map_or(publication.at.as_str(), |p| p.at.as_str());
    let view = PageView {
        heading: &content.heading,
        intro: &content.intro,
        notes: content.notes.iter().map(|n| lines(n)).collect(),
        forces: Value::from_object(Forces(std::sync::Arc::clone(&content.forces))),
        published: date_view(first_at),
        last_updated: date_view(last_major_at),
        updates: history
            .iter()
            .map(|p| UpdateView { id: p.id, at: date_view(&p.at), note: &p.note })
            .collect(),
        feed_id: urn_uuid(&format!("feed {first_at}")),
        preview,
        audit: publication.audit_head(),
        publisher: content.publisher.as_deref(),
        contact: content.contact.as_deref(),
        contact_email: content.contact.as_deref().is_some_and(is_email),
        licence: content.licence.as_deref(),
        base_url: content.base_url.as_deref(),
        links: &content.links,
        json_ld: content.base_url.as_deref().map(|base| json_ld(content, base)),
        about,
    };
    let env = env();
    // the page on another thread while this one writes the feed and the data files: for a
    // large directory the page and the data files take about as long
    let page = |view: PageView| -> Result<Made> {
        let template = env.get_template("index.html")?;
        make(sink, "index.html", |out| {
            match template.render_captured_to(Value::from(Serde(&view)), out) {
                Ok(_) => Ok(()),
                // the file could not be written (a full disk): that, not the template, is the error
                Err(e) if e.kind() == minijinja::ErrorKind::WriteFailure => {
                    let io = std::error::Error::source(&e).map_or_else(|| e.to_string(), ToString::to_string);
                    Err(anyhow::anyhow!(io))
                }
                Err(e) => Err(anyhow::Error::new(e).context("failed to render index.html")),
            }
        })
    };
    let feed_id = view.feed_id.clone();
    let (index, rest) = crate::threads::at_once(
        content.forces.len() >= crate::threads::LARGE,
        || page(view),
        || -> Result<_> {
            let feed = feed(&env, content, history, publication, feed_id, last_major_at)?;
            let audit = publication.audit_head();
            let json =
                make(sink, "forces.json", |out| forces_json(out, content, last_major_at, audit.as_ref()))?;
            Ok((feed, json, make(sink, "forces.csv", |out| forces_csv(out, content))?))
        },
    );
    let (index, (feed, json, csv)) = (index?, rest?);
    let mut site = Site::default();
    site.push_made("index.html".to_owned(), index);
    site.push_made("forces.json".to_owned(), json);
    site.push_made("forces.csv".to_owned(), csv);
    site.push("feed.atom".to_owned(), feed.into_bytes());
    if let Some(base) = content.base_url.as_deref() {
        site.push("sitemap.xml".to_owned(), sitemap(base, last_major_at).into_bytes());
    }
    Ok(site)
}

/// Every file a site may hold besides its manifest: what `render` writes (a test keeps the two
/// in step). A manifest naming anything else was not written by admin.
/// The last four are added by `assemble` (the files that let the site be checked).
pub const FILE_NAMES: [&str; 9] = [
    "index.html",
    "forces.json",
    "forces.csv",
    "feed.atom",
    "sitemap.xml",
    "history.json",
    "allowed_signers",
    "checking.txt",
    "publications.json",
];

/// `sitemap.xml`: the page and its data files, each last modified at the last major publication.
fn sitemap(base: &str, updated: &str) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for file in ["", "forces.json", "forces.csv", "feed.atom"] {
        xml.push_str(&format!(
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
            escape_markup(&format!("{base}{file}")),
            escape_markup(updated)
        ));
    }
    xml.push_str("</urlset>\n");
    xml
}

/// schema.org JSON-LD for search engines (Google's Dataset Search reads it): the page as a
/// `DataCatalog` whose `dataset` is one `Dataset` per active force with a link.
///
/// Written inside `<script>`, where HTML escaping does not apply: `<`, `>` and `&` (and the
/// line separators JavaScript once choked on) are written as JSON `\u` escapes, which mean the
/// same to a JSON parser, so no text can close the element (`</script>`) or start a comment.
fn json_ld(content: &Content, base: &str) -> String {
    let datasets: Vec<serde_json::Value> = content
        .forces
        .iter()
        .filter_map(|f| {
            let url = f.url.as_deref()?;
            let mut dataset = serde_json::json!({
                "@type": "Dataset",
                "name": format!("{}: use of force data", f.name),
                "description": format!("Police use of force statistics published by {}.", f.name),
                "url": url,
                "isAccessibleForFree": true,
            });
            if let (Some(day), Some(map)) = (&f.data_to, dataset.as_object_mut()) {
                map.insert("temporalCoverage".to_owned(), format!("../{day}").into());
            }
            Some(dataset)
        })
        .collect();
    let mut catalog = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "DataCatalog",
        "name": content.heading,
        "url": base,
        "inLanguage": "en-GB",
        "dataset": datasets,
    });
    if let Some(map) = catalog.as_object_mut() {
        if let Some(first) = content.intro.first() {
            map.insert("description".to_owned(), first.clone().into());
        }
        if let Some(publisher) = &content.publisher {
            map.insert(
                "publisher".to_owned(),
                serde_json::json!({"@type": "Organization", "name": publisher}),
            );
        }
        if let Some(licence) = &content.licence {
            map.insert("license".to_owned(), licence.clone().into());
        }
    }
    script_safe_json(&catalog)
}

/// JSON text that is safe inside an HTML `<script>` element (see `json_ld`).
fn script_safe_json(value: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// A plain email address (one `@`, no spaces), worth a `mailto:` link.
fn is_email(text: &str) -> bool {
    let mut parts = text.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(user), Some(host), None)
        if !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
            && !text.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\'' | ',' | ';' | ':' | '?' | '&' | '/' | '\\')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_rendered_is_one_a_site_may_hold() {
        let page = crate::state::Page {
            base_url: Some("https://www.example.gov.uk/use-of-force/".into()),
            ..crate::state::Page::default()
        };
        let state = crate::state::State { page: Some(page), ..crate::state::State::default() };
        let content = Content::from_state(&state);
        let publication = Publication {
            id: 1,
            at: "2026-01-01T00:00:00Z".into(),
            editor: "ed".into(),
            note: "n".into(),
            major: true,
            sha256: String::new(),
            changes: Vec::new(),
            content_sha256: String::new(),
            first_change: 1,
            last_change: 0,
            head_hash: None,
            approved_by: None,
            without_approval: None,
            change: 0,
        };
        let site = render(&content, &[], &publication.at, &publication, None, false, Sink::Memory).unwrap();
        let names: Vec<&str> = site.paths().collect();
        // the four files that let the site be checked are added by `assemble`
        assert_eq!(names.len() + 4, FILE_NAMES.len(), "{names:?}");
        assert!(names.iter().all(|n| FILE_NAMES.contains(n)), "{names:?}");
    }

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let text = "</script><script>alert(1)</script> & <!-- \u{2028}";
        let safe = script_safe_json(&serde_json::json!({ "name": text }));
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["name"], text, "the escapes mean the same to a JSON parser");
    }

    #[test]
    fn data_to_reads_as_a_month_when_it_is_the_month_end() {
        assert_eq!(data_to_view("2025-09-30").human, "September 2025");
        assert_eq!(data_to_view("2024-02-29").human, "February 2024");
        assert_eq!(data_to_view("2025-12-31").human, "December 2025");
        assert_eq!(data_to_view("2025-09-15").human, "15 September 2025");
    }

    #[test]
    fn only_plain_addresses_become_mailto_links() {
        assert!(is_email("uof@example.gov.uk"));
        for not in
            ["Home Office", "a@b", "a b@example.org", "x@example.org?subject=y", "@example.org", "a@b@c.org"]
        {
            assert!(!is_email(not), "{not}");
        }
    }
}
