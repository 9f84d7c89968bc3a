//! The page's own words (`state::Page`), one row per field: the live copy of what the log's
//! newest `page` change says.
use anyhow::{Context, Result};
use rusqlite::{params, Connection};

use crate::state::{intro_paragraphs, Page};

/// The page as the table holds it, `None` when it holds nothing.
pub fn read(conn: &Connection) -> Result<Option<Page>> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM page ORDER BY key")?;
    let rows = stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
    let mut page = Page::default();
    let mut any = false;
    for row in rows {
        let (key, value) = row?;
        any = true;
        match key.as_str() {
            "heading" => page.heading = value,
            "intro" => page.intro = intro_paragraphs(&value),
            "publisher" => page.publisher = Some(value),
            "contact" => page.contact = Some(value),
            "licence" => page.licence = Some(value),
            "base_url" => page.base_url = Some(value),
            "links" => {
                page.links =
                    serde_json::from_str(&value).context("the page table's links are not valid JSON")?
            }
            other => anyhow::bail!("the page table holds an unknown field {other:?}"),
        }
    }
    Ok(any.then_some(page))
}

/// Make the table hold exactly `page`, written by change `change_id`. Only the projection
/// calls this.
pub fn write(conn: &Connection, page: &Page, change_id: i64) -> Result<()> {
    conn.execute("DELETE FROM page", [])?;
    let mut rows: Vec<(&str, String)> =
        vec![("heading", page.heading.clone()), ("intro", page.intro.join("\n\n"))];
    for (key, value) in [
        ("publisher", &page.publisher),
        ("contact", &page.contact),
        ("licence", &page.licence),
        ("base_url", &page.base_url),
    ] {
        if let Some(value) = value {
            rows.push((key, value.clone()));
        }
    }
    if !page.links.is_empty() {
        rows.push(("links", serde_json::to_string(&page.links)?));
    }
    let mut stmt = conn.prepare_cached("INSERT INTO page (key, value, change_id) VALUES (?1, ?2, ?3)")?;
    for (key, value) in rows {
        stmt.execute(params![key, value, change_id])?;
    }
    Ok(())
}
