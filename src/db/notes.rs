//! Review notes: on one force or on the page, internal unless public, open until resolved.
use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{Note, NoteStatus};
use crate::state::{NoteRow, NoteState};

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

/// The id the next note gets.
pub fn next_id(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM notes")?.query_row([], |row| row.get(0))?)
}

/// Write a note's row. Only the projection calls this.
/// `force_id` is the force's row id where the caller knows it (a rebuild may write a note into a
/// database that does not hold its force's row); else it is looked up by slug.
pub fn put(conn: &Connection, note: &NoteState, row: &NoteRow, force_id: Option<i64>) -> Result<()> {
    let status = match note.status {
        NoteStatus::Open => "open",
        NoteStatus::Resolved => "resolved",
    };
    conn.prepare_cached(
        "INSERT INTO notes (id, force_id, text, public, status, editor, at, resolved_at, resolved_by, change_id)
         VALUES (?1, COALESCE(?11, (SELECT id FROM forces WHERE slug = ?2)), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET force_id = excluded.force_id, text = excluded.text, public = excluded.public,
             status = excluded.status, editor = excluded.editor, at = excluded.at,
             resolved_at = excluded.resolved_at, resolved_by = excluded.resolved_by, change_id = excluded.change_id",
    )?
    .execute(params![
        note.id,
        note.force,
        note.text,
        note.public,
        status,
        row.editor,
        row.at,
        row.resolved_at,
        row.resolved_by,
        row.change,
        force_id
    ])
    .with_context(|| format!("failed to write note {}", note.id))?;
    Ok(())
}

/// A note's row as the log describes it: its state and the rest.
pub fn row(conn: &Connection, id: i64) -> Result<Option<(NoteState, NoteRow)>> {
    Ok(conn
        .prepare_cached(
            "SELECT n.id, f.slug, n.text, n.public, n.status, n.editor, n.at, n.resolved_by, n.resolved_at, n.change_id
             FROM notes n LEFT JOIN forces f ON f.id = n.force_id WHERE n.id = ?1",
        )?
        .query_row([id], |row| {
            let status: String = row.get(4)?;
            Ok((
                NoteState {
                    id: row.get(0)?,
                    force: row.get(1)?,
                    text: row.get(2)?,
                    public: row.get(3)?,
                    status: if status == "resolved" { NoteStatus::Resolved } else { NoteStatus::Open },
                },
                NoteRow {
                    editor: row.get(5)?,
                    at: row.get(6)?,
                    resolved_by: row.get(7)?,
                    resolved_at: row.get(8)?,
                    change: row.get::<_, Option<i64>>(9)?.unwrap_or(0),
                },
            ))
        })
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Note>> {
    Ok(conn.prepare_cached(&format!("{SELECT} WHERE n.id = ?1"))?.query_row([id], from_row).optional()?)
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
