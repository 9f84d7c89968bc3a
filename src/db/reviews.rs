//! Reviews: "I checked this force's page on this date", and which forces are due one.
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::Review;
use crate::state::ReviewState;

/// Write a review's row, keyed by its change. Only the projection calls this.
/// `force_id` is the force's row id where the caller knows it (a rebuild may write a review into
/// a database that does not hold its force's row); else it is looked up by slug.
pub fn insert(conn: &Connection, force: &str, force_id: Option<i64>, review: &ReviewState) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO reviews (change_id, force_id, at, editor, message, data_to)
         VALUES (?1, COALESCE(?7, (SELECT id FROM forces WHERE slug = ?2)), ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        review.change,
        force,
        review.at,
        review.editor,
        review.message,
        review.data_to,
        force_id
    ])?;
    Ok(())
}

/// Delete the review that change `change_id` made (withdrawn by a revert). Only the projection
/// calls this.
pub fn delete(conn: &Connection, change_id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM reviews WHERE change_id = ?1")?.execute([change_id])?;
    Ok(())
}

/// A review's row with its force's slug, as `SELECT {REVIEW_COLUMNS} FROM reviews r JOIN forces f`.
pub(super) const REVIEW_COLUMNS: &str = "f.slug, r.change_id, r.at, r.editor, r.message, r.data_to";

pub(super) fn review_from_row(row: &rusqlite::Row) -> rusqlite::Result<(String, ReviewState)> {
    Ok((
        row.get(0)?,
        ReviewState {
            change: row.get(1)?,
            at: row.get(2)?,
            editor: row.get(3)?,
            message: row.get(4)?,
            data_to: row.get(5)?,
        },
    ))
}

/// The review change `change_id` made, if its row is there: (force slug, review).
pub fn by_change(conn: &Connection, change_id: i64) -> Result<Option<(String, ReviewState)>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {REVIEW_COLUMNS} FROM reviews r JOIN forces f ON f.id = r.force_id WHERE r.change_id = ?1"
        ))?
        .query_row([change_id], review_from_row)
        .optional()?)
}

/// A force's reviews, newest first.
pub fn for_force(conn: &Connection, force_id: i64) -> Result<Vec<Review>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, editor, message, data_to FROM reviews WHERE force_id = ?1 ORDER BY at DESC, change_id DESC",
    )?;
    let rows = stmt.query_map([force_id], |row| {
        Ok(Review { at: row.get(0)?, editor: row.get(1)?, message: row.get(2)?, data_to: row.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A force due a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub slug: String,
    pub name: String,
    pub last_reviewed: Option<String>,
    /// A link check found its page changed after its last review.
    pub page_changed: bool,
}

/// The forces [`due_forces`] gives, as (slug, name, last reviewed).
pub fn due(conn: &Connection, cutoff: &str) -> Result<Vec<(String, String, Option<String>)>> {
    Ok(due_forces(conn, cutoff)?.into_iter().map(|d| (d.slug, d.name, d.last_reviewed)).collect())
}

/// Active forces whose page changed since their last review (whenever that was), never
/// reviewed, or last reviewed before `cutoff`: changed pages first, then never reviewed (by
/// name), then oldest review first.
pub fn due_forces(conn: &Connection, cutoff: &str) -> Result<Vec<Due>> {
    let mut stmt = conn.prepare_cached(
        "SELECT slug, name, last, changed FROM (
             SELECT slug, name, name_key, last,
                    EXISTS (SELECT 1 FROM link_checks lc
                            WHERE lc.force_id = due.fid AND lc.changed = 1 AND lc.checked_at > due.last) AS changed
             FROM (SELECT f.id AS fid, f.slug, f.name, f.name_key,
                          (SELECT MAX(r.at) FROM reviews r WHERE r.force_id = f.id) AS last
                   FROM forces f WHERE f.status = 'active') AS due
         )
         WHERE last IS NULL OR last < ?1 OR changed
         ORDER BY changed DESC, last IS NOT NULL, last, name_key",
    )?;
    let rows = stmt.query_map([cutoff], |row| {
        Ok(Due {
            slug: row.get(0)?,
            name: row.get(1)?,
            last_reviewed: row.get(2)?,
            page_changed: row.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
