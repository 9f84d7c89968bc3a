//! Review notes: on one force or on the page, internal unless public, open until resolved.
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{Note, NoteStatus};

const SELECT: &str =
    "SELECT n.id, f.slug, n.text, n.public, n.status, n.editor, n.at, n.resolved_at, n.resolved_by
                      FROM notes n LEFT JOIN forces f ON f.id = n.force_id";

fn from_row(row: &Row) -> rusqlite::Result<Note> {
    let status: String = row.get(4)?;
    Ok(Note {
        id: row.get(0)?,
        force: row.get(1)?,
        text: row.get(2)?,
        public: row.get(3)?,
        status: if status == "resolved" { NoteStatus::Resolved } else { NoteStatus::Open },
        editor: row.get(5)?,
        at: row.get(6)?,
        resolved_at: row.get(7)?,
        resolved_by: row.get(8)?,
    })
}

/// Insert a new open note; returns its id.
pub fn insert(
    conn: &Connection,
    force_id: Option<i64>,
    text: &str,
    public: bool,
    editor: &str,
    at: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO notes (force_id, text, public, status, editor, at) VALUES (?1, ?2, ?3, 'open', ?4, ?5)",
    )?
    .execute(params![force_id, text, public, editor, at])?;
    Ok(conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Note>> {
    Ok(conn.prepare_cached(&format!("{SELECT} WHERE n.id = ?1"))?.query_row([id], from_row).optional()?)
}

/// Mark a note resolved (or, for a revert, open again).
pub fn set_status(
    conn: &Connection,
    id: i64,
    status: NoteStatus,
    by: Option<&str>,
    at: Option<&str>,
) -> Result<()> {
    let status = match status {
        NoteStatus::Open => "open",
        NoteStatus::Resolved => "resolved",
    };
    conn.prepare_cached("UPDATE notes SET status = ?2, resolved_by = ?3, resolved_at = ?4 WHERE id = ?1")?
        .execute(params![id, status, by, at])?;
    Ok(())
}

/// Which notes to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every note, whatever it is about.
    All,
    /// Notes about this force (by id).
    Force(i64),
    /// Notes about the page as a whole.
    Page,
}

/// Notes, oldest first; `open_only` hides resolved ones, `public_only` internal ones.
pub fn list(conn: &Connection, scope: Scope, open_only: bool, public_only: bool) -> Result<Vec<Note>> {
    let mut sql = format!("{SELECT} WHERE (?2 = 0 OR n.status = 'open') AND (?3 = 0 OR n.public = 1)");
    let force_id = match scope {
        Scope::All => None,
        Scope::Force(id) => {
            sql.push_str(" AND n.force_id = ?1");
            Some(id)
        }
        Scope::Page => {
            sql.push_str(" AND n.force_id IS NULL AND ?1 IS NULL");
            None
        }
    };
    if matches!(scope, Scope::All) {
        sql.push_str(" AND ?1 IS NULL");
    }
    sql.push_str(" ORDER BY n.id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![force_id, open_only, public_only], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
