//! Publications: one row per run of `admin publish` that wrote the site.
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::Publication;

const COLUMNS: &str =
    "id, at, editor, note, major, sha256, content_sha256, first_change, last_change, head_hash, \
                       approved_by, without_approval, change_id";

fn from_row(row: &Row) -> rusqlite::Result<Publication> {
    let first: i64 = row.get(7)?;
    let last: i64 = row.get(8)?;
    Ok(Publication {
        id: row.get(0)?,
        at: row.get(1)?,
        editor: row.get(2)?,
        note: row.get(3)?,
        major: row.get(4)?,
        sha256: row.get(5)?,
        content_sha256: row.get(6)?,
        changes: if last >= first && last > 0 { vec![first, last] } else { Vec::new() },
        first_change: first,
        last_change: last,
        head_hash: row.get(9)?,
        approved_by: row.get(10)?,
        without_approval: row.get(11)?,
        change: row.get::<_, Option<i64>>(12)?.unwrap_or(0),
    })
}

/// Write a publication's row. Only the projection calls this.
pub fn insert(conn: &Connection, p: &Publication) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO publications (id, at, editor, note, major, sha256, content_sha256, first_change, last_change,
                                   head_hash, approved_by, without_approval, change_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        p.id,
        p.at,
        p.editor,
        p.note,
        p.major,
        p.sha256,
        p.content_sha256,
        p.first_change,
        p.last_change,
        p.head_hash,
        p.approved_by,
        p.without_approval,
        p.change
    ])?;
    Ok(())
}

/// Every publication, newest first.
pub fn list(conn: &Connection) -> Result<Vec<Publication>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM publications ORDER BY id DESC"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// `f` of every publication, oldest first, until it returns false.
pub fn each_oldest_first(conn: &Connection, mut f: impl FnMut(Publication) -> Result<bool>) -> Result<()> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM publications ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        if !f(from_row(row)?)? {
            break;
        }
    }
    Ok(())
}

/// Major publications up to and including `up_to` (an id), newest first: the page's history.
pub fn majors_up_to(conn: &Connection, up_to: i64) -> Result<Vec<Publication>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM publications WHERE major = 1 AND id <= ?1 ORDER BY id DESC"
    ))?;
    let rows = stmt.query_map([up_to], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub fn last(conn: &Connection) -> Result<Option<Publication>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM publications ORDER BY id DESC LIMIT 1"))?
        .query_row([], from_row)
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Publication>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM publications WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// The first publication whose site had this sha256, if any.
pub fn with_sha256(conn: &Connection, sha256: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM publications WHERE sha256 = ?1 ORDER BY id LIMIT 1")?
        .query_row([sha256], |row| row.get(0))
        .optional()?)
}

/// How many publications there are, and the newest change any of them covers: `audit verify`
/// checks the log still reaches past it and holds a `publish` change for each.
pub fn extent(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*), COALESCE(MAX(last_change), 0) FROM publications")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?)
}
