//! The page's own text: its heading and introduction, loaded from the seed by `admin init`.
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension};

pub fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO page (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM page WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?)
}
