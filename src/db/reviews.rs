//! Reviews: "I checked this force's page on this date", and which forces are due one.
use anyhow::Result;
use rusqlite::{params, Connection};

use crate::model::Review;

pub fn insert(conn: &Connection, force_id: i64, review: &Review) -> Result<()> {
    conn.prepare_cached("INSERT INTO reviews (force_id, at, editor, message) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![force_id, review.at, review.editor, review.message])?;
    Ok(())
}

/// Every review, oldest first: (force slug, review).
pub fn all(conn: &Connection) -> Result<Vec<(String, Review)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.slug, r.at, r.editor, r.message FROM reviews r JOIN forces f ON f.id = r.force_id ORDER BY r.id",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get(0)?, Review { at: row.get(1)?, editor: row.get(2)?, message: row.get(3)? }))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A force's reviews, newest first.
pub fn for_force(conn: &Connection, force_id: i64) -> Result<Vec<Review>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, editor, message FROM reviews WHERE force_id = ?1 ORDER BY at DESC, id DESC",
    )?;
    let rows = stmt.query_map([force_id], |row| {
        Ok(Review { at: row.get(0)?, editor: row.get(1)?, message: row.get(2)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Active forces never reviewed, or last reviewed before `cutoff`: never reviewed first (by
/// name), then oldest review first. Returns (slug, name, last reviewed).
pub fn due(conn: &Connection, cutoff: &str) -> Result<Vec<(String, String, Option<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT slug, name, last FROM (
             SELECT f.slug, f.name, f.name_key, (SELECT MAX(r.at) FROM reviews r WHERE r.force_id = f.id) AS last
             FROM forces f WHERE f.status = 'active'
         )
         WHERE last IS NULL OR last < ?1
         ORDER BY last IS NOT NULL, last, name_key",
    )?;
    let rows = stmt.query_map([cutoff], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
