//! The settings (`state::State::settings`): the live copy of what the log's `settings` changes
//! say.
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// A setting's value, where one has been set. A value that is not text (written behind admin's
/// back) is refused with the way to find out more.
pub fn get(conn: &Connection, name: &str) -> Result<Option<String>> {
    let value = conn
        .prepare_cached("SELECT value FROM settings WHERE name = ?1")?
        .query_row([name], |row| Ok(row.get_ref(0)?.as_str().map(str::to_owned).ok()))
        .optional()?;
    match value {
        Some(None) => Err(crate::exit_codes::failed_hint(
            format!("the setting {} is not text, as admin writes it (the settings table was changed behind admin's back)", crate::validate::quoted(name)),
            crate::exit_codes::SEE_VERIFY,
        )),
        Some(Some(text)) => Ok(Some(text)),
        None => Ok(None),
    }
}

/// Every setting's value and the change that wrote it, by name.
pub fn all(conn: &Connection) -> Result<std::collections::BTreeMap<String, (String, i64)>> {
    let mut stmt = conn.prepare_cached("SELECT name, value, change_id FROM settings")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Write a setting's row. Only the projection calls this.
pub fn put(conn: &Connection, name: &str, value: &str, change_id: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (name, value, change_id) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, change_id = excluded.change_id",
    )?
    .execute(params![name, value, change_id])?;
    Ok(())
}

/// The change that last wrote a setting's row.
pub fn change_of(conn: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT change_id FROM settings WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()?)
}
