//! `admin history`'s query: the changes matching its filters, newest first.
use anyhow::{Context, Result};
use rusqlite::{Connection, Row};

use super::changes::{from_row, from_row_unparsed, Unparsed, COLUMNS};
use crate::model::Change;

/// Filters for `admin history`; every one optional.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub force: Option<String>,
    pub editor: Option<String>,
    pub action: Option<String>,
    /// Inclusive, RFC 3339 as stored.
    pub since: Option<String>,
    /// Inclusive, RFC 3339 as stored.
    pub until: Option<String>,
    /// Only changes with an id below this one (paging back through a long log).
    pub before_id: Option<i64>,
    pub limit: Option<u64>,
}

/// The changes matching `filter`, newest first.
pub fn history(conn: &Connection, filter: &Filter) -> Result<Vec<Change>> {
    history_with(conn, filter, from_row)
}

/// The changes matching `filter`, newest first, their sides left as the text they are stored as
/// (`changes::from_row_unparsed`).
pub fn history_unparsed(conn: &Connection, filter: &Filter) -> Result<Vec<Unparsed>> {
    history_with(conn, filter, from_row_unparsed)
}

/// The changes matching `filter`, newest first, each as `map` makes it of its row (the columns of
/// `changes::COLUMNS`, in order).
fn history_with<T>(
    conn: &Connection,
    filter: &Filter,
    map: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut sql = format!("SELECT {COLUMNS} FROM changes WHERE 1 = 1");
    let mut values: Vec<rusqlite::types::Value> = Vec::new();
    let mut add = |clause: &str, value: rusqlite::types::Value| {
        values.push(value);
        sql.push_str(&format!(" AND {clause} ?{}", values.len()));
    };
    if let Some(force) = &filter.force {
        add("force =", force.clone().into());
    }
    if let Some(editor) = &filter.editor {
        add("editor =", editor.clone().into());
    }
    if let Some(action) = &filter.action {
        add("action =", action.clone().into());
    }
    if let Some(since) = &filter.since {
        add("at >=", since.clone().into());
    }
    if let Some(until) = &filter.until {
        add("at <=", until.clone().into());
    }
    if let Some(before) = filter.before_id {
        add("id <", before.into());
    }
    sql.push_str(" ORDER BY id DESC");
    if let Some(limit) = filter.limit {
        sql.push_str(&format!(" LIMIT {}", limit.min(i64::MAX as u64)));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(values), map)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().context("failed to read the audit log")
}
