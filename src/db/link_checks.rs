//! Link-check results; the newest per force is its link status.
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{LinkCheck, LinkStatus};

fn from_row(row: &Row) -> rusqlite::Result<LinkCheck> {
    let status: String = row.get(2)?;
    Ok(LinkCheck {
        force: row.get(0)?,
        url: row.get(1)?,
        status: LinkStatus::parse(&status).unwrap_or(LinkStatus::Pending),
        http_status: row.get(3)?,
        final_url: row.get(4)?,
        problem: row.get(5)?,
        suggested_fix: row.get(6)?,
        checked_at: row.get(7)?,
    })
}

const SELECT: &str = "SELECT f.slug, lc.url, lc.status, lc.http_status, lc.final_url, lc.problem, lc.suggested_fix, lc.checked_at
                      FROM link_checks lc JOIN forces f ON f.id = lc.force_id";

pub fn insert(conn: &Connection, force_id: i64, check: &LinkCheck) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO link_checks (force_id, url, status, http_status, final_url, problem, suggested_fix, checked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        force_id,
        check.url,
        check.status.as_str(),
        check.http_status,
        check.final_url,
        check.problem,
        check.suggested_fix,
        check.checked_at
    ])?;
    Ok(())
}

/// The newest check of a force's link, whatever URL it was for.
pub fn latest(conn: &Connection, force_id: i64) -> Result<Option<LinkCheck>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE lc.force_id = ?1 ORDER BY lc.id DESC LIMIT 1"))?
        .query_row([force_id], from_row)
        .optional()?)
}

/// Each force's newest check made at or before `at`: slug → (status, url checked).
pub fn latest_before(
    conn: &Connection,
    at: &str,
) -> Result<std::collections::HashMap<String, (String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.slug, lc.status, lc.url FROM link_checks lc JOIN forces f ON f.id = lc.force_id
         WHERE lc.id IN (SELECT MAX(id) FROM link_checks WHERE checked_at <= ?1 GROUP BY force_id)",
    )?;
    let rows = stmt.query_map([at], |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
