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
            crate::exit_codes::SEE_VERIFY,
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_are_those_the_migrations_make_but_the_checkpoints() {
        let conn = crate::db::in_memory().unwrap();
        let mut stmt =
            conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").unwrap();
        let made: Vec<String> =
            stmt.query_map([], |row| row.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap();
        let kept: Vec<&str> = made
            .iter()
            .map(String::as_str)
            .filter(|t| !["checkpoints", "refinery_schema_history"].contains(t))
            .collect();
        assert_eq!(kept, TABLES, "a migration added or dropped a table: say here whether a change needs it");
        check_tables(&conn).unwrap();
        conn.execute_batch("DROP TABLE link_checks").unwrap();
        let err = check_tables(&conn).unwrap_err().to_string();
        assert!(err.contains("no table link_checks"), "{err}");
    }
}
