//! A database file as a whole, for `restore`: the schema objects it holds beside those this
//! admin's migrations make, its identity, its page size, and how many of its changes another
//! file's log lacks. Every statement here reads; the two that write (`set_database_id`,
//! `set_page_size`) are only ever run on restore's own private copy of a backup. And the files
//! SQLite keeps beside a database file, by name.
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension};

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
    super::register_functions(&conn)?;
    let target = i32::try_from(version).context("a schema version out of range")?;
    super::migrations::runner()
        .set_target(refinery_core::Target::Version(target))
        .run(&mut conn)
        .context("failed to build a reference database from the migrations")?;
    schema_objects(&conn)
}

/// What says which database a file is: the random id `init` gave it (from schema version 7 on),
/// and the hash of its first change, which a database has from its first day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub id: Option<String>,
    pub first_hash: Option<String>,
}

impl Identity {
    /// Whether two files are copies of one database: their ids where both have one, else the
    /// first change of their logs (a backup from before ids were given has none).
    pub fn same_database(&self, other: &Identity) -> bool {
        match (&self.id, &other.id) {
            (Some(a), Some(b)) => a == b,
            _ => self.first_hash.is_some() && self.first_hash == other.first_hash,
        }
    }
}

/// The identity of a database of ours.
pub fn identity(conn: &Connection) -> Result<Identity> {
    let has_meta: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta')",
        [],
        |row| row.get(0),
    )?;
    let id = if has_meta {
        conn.query_row("SELECT value FROM meta WHERE key = 'database_id'", [], |row| row.get(0)).optional()?
    } else {
        None
    };
    let first_hash =
        conn.query_row("SELECT hash FROM changes ORDER BY id LIMIT 1", [], |row| row.get(0)).optional()?;
    Ok(Identity { id, first_hash })
}

/// Give restore's copy of a backup the id of the database it is restored into (a backup from
/// before ids, given a new one when it was migrated).
pub fn set_database_id(conn: &Connection, id: &str) -> Result<()> {
    conn.execute("UPDATE meta SET value = ?1 WHERE key = 'database_id'", [id])?;
    Ok(())
}

/// `PRAGMA integrity_check`'s first line: `ok` for a whole file.
pub fn integrity(conn: &Connection) -> Result<String> {
    Ok(conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
}

pub fn page_size(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA page_size", [], |row| row.get(0))?)
}

/// Rewrite restore's copy with another page size: SQLite copies a backup into a WAL database
/// only page for page, so the copy must have the live file's. A WAL file keeps its page size;
/// the copy leaves WAL for the rewrite and goes back to it.
pub fn set_page_size(conn: &Connection, size: i64) -> Result<()> {
    conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    conn.execute_batch(&format!("PRAGMA page_size = {size}; VACUUM;"))?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    Ok(())
}

/// How many changes of `theirs`'s log `mine` lacks (no change with the same id and hash). Both
/// logs are read once, in id order, side by side.
pub fn changes_lacking(theirs: &Connection, mine: &Connection) -> Result<u64> {
    let sql = "SELECT id, hash FROM changes ORDER BY id";
    let mut their_stmt = theirs.prepare(sql)?;
    let mut my_stmt = mine.prepare(sql)?;
    let mut their_rows = their_stmt.query([])?;
    let mut my_rows = my_stmt.query([])?;
    let mut lacking = 0;
    let mut my_next: Option<(i64, String)> = None;
    let mut mine_done = false;
    while let Some(row) = their_rows.next()? {
        let (id, hash): (i64, String) = (row.get(0)?, row.get(1)?);
        // step my log up to this id
        while !mine_done && my_next.as_ref().is_none_or(|(my_id, _)| *my_id < id) {
            match my_rows.next()? {
                Some(row) => my_next = Some((row.get(0)?, row.get(1)?)),
                None => mine_done = true,
            }
        }
        if my_next.as_ref() != Some(&(id, hash)) {
            lacking += 1;
        }
    }
    Ok(lacking)
}

/// `path` with `suffix` after its name, byte for byte (a file name need not be UTF-8, and
/// `display` would change what it does not show): the files SQLite keeps beside a database
/// (`-wal`, `-shm`), or a name made from the database's.
pub fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Remove a database file and the files SQLite keeps beside it, those that are there.
pub fn remove_with_companions(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(beside(path, suffix));
    }
}
