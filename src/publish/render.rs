//! Content and publications → view structs → minijinja templates → the site's files.
//! Templates are embedded in the binary and autoescaped by extension (`.html`, `.atom`), so no
//! name, URL or note can inject markup.
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::hex;
use crate::content::Content;
use crate::model::AuditHead;
use crate::model::Publication;
use crate::validate::xml_text;

/// The files of one publication, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub files: Vec<(String, Vec<u8>)>,
}

impl Site {
    /// sha256 of the `sha256sum`-style listing (`<sha256>  <path>\n`, paths sorted): the same
    /// figure `sha256sum feed.atom forces.csv forces.json index.html | sha256sum` gives.
    pub fn sha256(&self) -> String {
        let mut files: Vec<&(String, Vec<u8>)> = self.files.iter().collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let listing: String =
            files.iter().map(|(path, bytes)| format!("{}  {path}\n", sha256_hex(bytes))).collect();
        sha256_hex(listing.as_bytes())
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

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

#[derive(Serialize)]
struct ForceView<'a> {
    slug: &'a str,
    name: &'a str,
    url: Option<&'a str>,
    /// Each note as lines, rendered with line breaks between them.
    notes: Vec<Vec<&'a str>>,
}

#[derive(Serialize)]
struct UpdateView<'a> {
    id: i64,
    at: DateView,
    note: &'a str,
}

#[derive(Serialize)]
struct PageView<'a> {
    heading: &'a str,
    intro: &'a [String],
    notes: Vec<Vec<&'a str>>,
    forces: Vec<ForceView<'a>>,
    published: DateView,
    last_updated: DateView,
    updates: Vec<UpdateView<'a>>,
    feed_id: String,
    /// `admin serve`: mark the page as an unpublished preview.
    preview: bool,
    /// The audit head the publication covers, for `<meta name="uof-audit-head">`.
    audit: Option<AuditHead>,
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// Render every file of the site for `publication`, given the major publications up to it
/// (newest first) and the first publication's time.
pub fn render(
    content: &Content,
    history: &[Publication],
    first_at: &str,
    publication: &Publication,
    preview: bool,
) -> Result<Site> {
    let last_major_at = history.first().map_or(publication.at.as_str(), |p| p.at.as_str());
    let view = PageView {
        heading: &content.heading,
        intro: &content.intro,
        notes: content.notes.iter().map(|n| lines(n)).collect(),
        forces: content
            .forces
            .iter()
            .map(|f| ForceView {
                slug: &f.slug,
                name: &f.name,
                url: f.url.as_deref(),
                notes: f.notes.iter().map(|n| lines(n)).collect(),
            })
            .collect(),
        published: date_view(first_at),
        last_updated: date_view(last_major_at),
        updates: history
            .iter()
            .map(|p| UpdateView { id: p.id, at: date_view(&p.at), note: &p.note })
            .collect(),
        feed_id: urn_uuid(&format!("feed {first_at}")),
        preview,
        audit: publication.audit_head(),
    };
    let env = env();
    let ctx = Value::from(Serde(&view));
    let index = env.get_template("index.html")?.render(&ctx).context("failed to render index.html")?;
    // the page's template values are a copy of every force: free them before the next files
    let feed_id = view.feed_id;
    drop(ctx);
    let feed_entries: Vec<_> = history
        .iter()
        .map(|p| {
            minijinja::context! {
                id => urn_uuid(&format!("publication {} {}", p.id, p.at)),
                at => xml_text(&p.at),
                human => xml_text(&date_view(&p.at).human).into_owned(),
                note => xml_text(&p.note),
            }
        })
        .collect();
    let feed = env
        .get_template("feed.atom")?
        .render(minijinja::context! {
            title => xml_text(&content.heading),
            id => feed_id,
            updated => xml_text(last_major_at),
            entries => feed_entries,
            audit => publication.audit_head().map(|a| minijinja::context! { change => a.change, hash => a.hash }),
        })
        .context("failed to render feed.atom")?;
    Ok(Site {
        files: vec![
            ("index.html".to_owned(), index.into_bytes()),
            (
                "forces.json".to_owned(),
                forces_json(content, last_major_at, publication.audit_head().as_ref())?,
            ),
            ("forces.csv".to_owned(), forces_csv(content)?),
            ("feed.atom".to_owned(), feed.into_bytes()),
        ],
    })
}

/// `forces.json`: the published directory. Fields are declared in sorted order: the file is
/// what serialising a `serde_json` object (keys sorted) gave, written from borrowed data rather
/// than a copy of every force as a `Value`.
fn forces_json(content: &Content, updated: &str, audit: Option<&AuditHead>) -> Result<Vec<u8>> {
    #[derive(Serialize)]
    struct File<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        audit: Option<&'a AuditHead>,
        forces: &'a [crate::content::PublicForce],
        notes: &'a [String],
        title: &'a str,
        updated: &'a str,
    }
    let file =
        File { audit, forces: &content.forces, notes: &content.notes, title: &content.heading, updated };
    let mut bytes = serde_json::to_vec_pretty(&file)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// `forces.csv`: slug, name, url, notes (one per line in the cell), formula-safe.
fn forces_csv(content: &Content) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["slug", "name", "url", "notes"])?;
    for force in &content.forces {
        let notes = force.notes.join("\n");
        writer.write_record([
            csv_safe(&force.slug),
            csv_safe(&force.name),
            csv_safe(force.url.as_deref().unwrap_or("")),
            csv_safe(&notes),
        ])?;
    }
    writer.into_inner().context("failed to write forces.csv")
}

/// Neutralise spreadsheet formula injection: a cell starting `=`, `+`, `-`, `@`, tab or
/// carriage return is prefixed with `'`, as OWASP recommends.
/// A cell that already starts with `'` before such a character is prefixed too, so that import can
/// take exactly one `'` off again.
pub fn csv_safe(cell: &str) -> String {
    if csv_guarded(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// Whether `csv_safe` prefixes this cell.
pub fn csv_guarded(cell: &str) -> bool {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => true,
        Some('\'') => csv_guarded(&cell[1..]),
        _ => false,
    }
}

/// A stable `urn:uuid:` (version 5 style bits) from a seed string: Atom ids that never change.
fn urn_uuid(seed: &str) -> String {
    let digest = Sha256::digest(format!("uof-admin {seed}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!("urn:uuid:{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forces_json_is_what_a_sorted_json_object_gives() {
        let content = Content {
            heading: "Use of Force Data".into(),
            intro: vec!["Intro.".into()],
            notes: vec!["Page \"note\"".into()],
            forces: vec![
                crate::content::PublicForce {
                    slug: "kent-police".into(),
                    name: "Kent Police".into(),
                    url: Some("https://example.org/<a>".into()),
                    notes: vec!["one".into(), "two\nlines".into()],
                },
                crate::content::PublicForce {
                    slug: "essex-police".into(),
                    name: "Essex Police".into(),
                    url: None,
                    notes: vec![],
                },
            ],
        };
        let audit = AuditHead { change: 46, hash: "ab".repeat(32) };
        let value = serde_json::json!({
            "audit": {"change": 46, "hash": audit.hash},
            "title": content.heading,
            "updated": "2026-11-25T12:00:00Z",
            "notes": content.notes,
            "forces": content.forces,
        });
        let mut expected = serde_json::to_vec_pretty(&value).unwrap();
        expected.push(b'\n');
        assert_eq!(forces_json(&content, "2026-11-25T12:00:00Z", Some(&audit)).unwrap(), expected);
    }

    #[test]
    fn csv_cells_cannot_start_a_formula() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("Kent Police"), "Kent Police");
    }

    #[test]
    fn uuids_are_stable_and_well_formed() {
        let a = urn_uuid("x");
        assert_eq!(a, urn_uuid("x"));
        assert_ne!(a, urn_uuid("y"));
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        assert_eq!(&a[9 + 14..9 + 15], "5");
    }
}
