//! The tables a database must have before a change is appended to it.
use anyhow::Result;
use rusqlite::Connection;

use crate::exit_codes::failed_hint;

/// The tables admin's migrations make, but `checkpoints`: a cache of the state that a replay
/// does without (it starts from the first change), and that the next change fills again.
const TABLES: &[&str] = &[
    "changes",
    "editors",
    "forces",
    "link_checks",
    "meta",
    "notes",
    "page",
    "publications",
    "reviews",
    "settings",
];

/// Every table admin's migrations make is there: a change is never appended to a database with
/// one dropped behind admin's back (`audit verify` names the difference).
pub fn check_tables(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare_cached("SELECT name FROM sqlite_master WHERE type = 'table'")?;
    let present = stmt.query_map([], |row| row.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    match TABLES.iter().find(|table| !present.iter().any(|p| p == *table)) {
        Some(missing) => Err(failed_hint(
            format!("the database has no table {missing}: its schema was changed behind admin's back; nothing was changed"),
            "`admin audit verify` names the difference, and `admin restore BACKUP` brings back a good copy",
        )),
        None => Ok(()),
    }
}
