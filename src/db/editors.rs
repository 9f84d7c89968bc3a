//! The registry of editors: the live copy of what the log's editor changes say.
use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{EditorState, EditorStatus, Role};

/// An editor row: their state and when they were added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditorRow {
    pub state: EditorState,
    pub added_at: String,
}

fn from_row(row: &Row) -> rusqlite::Result<EditorRow> {
    let role: String = row.get(1)?;
    let status: String = row.get(2)?;
    Ok(EditorRow {
        state: EditorState {
            name: row.get(0)?,
            role: match role.as_str() {
                "admin" => Role::Admin,
                "publisher" => Role::Publisher,
                _ => Role::Editor,
            },
            status: if status == "retired" { EditorStatus::Retired } else { EditorStatus::Active },
            key: row.get(3)?,
        },
        added_at: row.get(4)?,
    })
}

/// Every editor, by name.
pub fn rows(conn: &Connection) -> Result<Vec<EditorRow>> {
    let mut stmt =
        conn.prepare_cached("SELECT name, role, status, key, added_at FROM editors ORDER BY name")?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Every editor's state, by name.
pub fn all(conn: &Connection) -> Result<Vec<EditorState>> {
    Ok(rows(conn)?.into_iter().map(|r| r.state).collect())
}

pub fn get(conn: &Connection, name: &str) -> Result<Option<EditorState>> {
    Ok(conn
        .prepare_cached("SELECT name, role, status, key, added_at FROM editors WHERE name = ?1")?
        .query_row([name], from_row)
        .optional()?
        .map(|r| r.state))
}

/// Write an editor's row. Only the projection calls this.
pub fn put(conn: &Connection, editor: &EditorState, row: &crate::state::EditorRow) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO editors (name, role, status, key, added_at, change_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (name) DO UPDATE SET role = excluded.role, status = excluded.status, key = excluded.key,
                                          added_at = excluded.added_at, change_id = excluded.change_id",
    )?
    .execute(params![
        editor.name,
        editor.role.as_str(),
        editor.status.as_str(),
        editor.key,
        row.added_at,
        row.change
    ])
    .with_context(|| format!("failed to record editor `{}`", editor.name))?;
    Ok(())
}

/// An editor's row: their state, when they were added, and the change that last wrote it.
pub fn row(conn: &Connection, name: &str) -> Result<Option<(EditorState, crate::state::EditorRow)>> {
    Ok(conn
        .prepare_cached("SELECT name, role, status, key, added_at, change_id FROM editors WHERE name = ?1")?
        .query_row([name], |row| {
            let state = from_row(row)?;
            let change: Option<i64> = row.get(5)?;
            Ok((
                state.state,
                crate::state::EditorRow { added_at: state.added_at, change: change.unwrap_or(0) },
            ))
        })
        .optional()?)
}
