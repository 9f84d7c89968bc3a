//! A database file as a whole, for `restore`: the schema objects it holds beside those this
//! admin's migrations make, and its integrity.
use anyhow::{Context, Result};
use rusqlite::Connection;

/// One row of `sqlite_master`: a table, index, view or trigger and the SQL that made it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SchemaObject {
    pub kind: String,
    pub name: String,
    pub table: String,
    pub sql: Option<String>,
}

/// The schema objects of `conn`'s main database, by kind and name. Left out: SQLite's own
/// (`sqlite_sequence`, `sqlite_stat1`, automatic indexes, which follow from their tables), and
/// refinery's history table, whose SQL is refinery's and may differ between the refinery
/// versions older admins were built with; what it records is checked when the file is migrated.
/// A trigger or index on it is still listed.
pub fn schema_objects(conn: &Connection) -> Result<Vec<SchemaObject>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM main.sqlite_master
         WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
           AND NOT (type = 'table' AND name = 'refinery_schema_history')
         ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok(SchemaObject { kind: row.get(0)?, name: row.get(1)?, table: row.get(2)?, sql: row.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The schema objects a database made by this admin's migrations, up to `version`, holds: what
/// an older admin at that version made (each applied the same migration files).
pub fn migrated_schema(version: i64) -> Result<Vec<SchemaObject>> {
    let mut conn = Connection::open_in_memory()?;
    let target = i32::try_from(version).context("a schema version out of range")?;
    super::embedded::migrations::runner()
        .set_target(refinery::Target::Version(target))
        .run(&mut conn)
        .context("failed to build a reference database from the migrations")?;
    schema_objects(&conn)
}

/// `PRAGMA integrity_check`'s first line: `ok` for a whole file.
pub fn integrity(conn: &Connection) -> Result<String> {
    Ok(conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
}
