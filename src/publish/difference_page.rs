//! `admin serve`'s difference page: what goes public, highlighted, beside the page as it will
//! be published. Rendered with the site's template environment, so every name, URL, note and
//! word is escaped.
use anyhow::{Context, Result};
use minijinja::value::Serde;
use minijinja::Value;
use rusqlite::Connection;
use serde::Serialize;

use super::difference::PublicDifference;
use super::pending::pending;
use crate::db::publications;

#[derive(Serialize)]
struct Since {
    id: i64,
    at: String,
}

#[derive(Serialize)]
struct View<'a> {
    since: Option<Since>,
    empty: bool,
    difference: &'a PublicDifference,
}

/// The difference page for the database now.
pub fn difference_page(conn: &Connection) -> Result<Vec<u8>> {
    let (_, _, difference) = pending(conn)?;
    let since = publications::last(conn)?.map(|p| Since { id: p.id, at: crate::clock::shown(&p.at) });
    let view = View { since, empty: difference.is_empty(), difference: &difference };
    let mut env = super::render::env();
    env.add_template("difference.html", include_str!("../../templates/difference.html"))
        .context("the difference page's template does not parse")?;
    let page = env
        .get_template("difference.html")
        .and_then(|t| t.render(Value::from(Serde(&view))))
        .context("failed to render the difference page")?;
    Ok(page.into_bytes())
}
