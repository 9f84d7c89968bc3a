//! A database file as a whole, for `restore`: the schema objects it holds beside those this
//! admin's migrations make, its identity, its page size, and how many of its changes another
//! file's log lacks. Every statement of these reads; the two that write (`set_database_id`,
//! `set_page_size`) are only ever run on restore's own private copy of a backup. And the files
//! SQLite keeps beside a database file, by name; how every command's connection syncs, and what
//! it committed put on disk (`configure`, `make_durable`).
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

/// A connection as every command's is: foreign keys on, and commits that wait for the disk only
/// once `Db::write` has made them durable (`make_durable`), not twice.
pub(super) fn configure(conn: &Connection) -> Result<()> {
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
        .context("failed to configure the database connection")
}

/// Put on disk what `conn`, the connection to the database file at `path`, has committed. Its
/// commits do not wait for the disk (`synchronous = NORMAL`): in WAL mode a commit is only
/// appended to the WAL, which is synced when it is checkpointed into the database. So it is
/// checkpointed here, once, at once: the WAL synced and then the database, the two syncs that
/// closing the connection would otherwise make after a fully synced commit's one (a `set-url`
/// waits for the disk twice, not three times). Where a reader holds the checkpoint back, or
/// another is running, or it fails, the WAL is synced here instead; a commit in a WAL that is gone was
/// checkpointed by whoever removed it. Outside WAL mode (`log` is -1) a commit syncs the file
/// itself.
pub(super) fn make_durable(conn: &Connection, path: &Path) -> Result<()> {
    let checkpoint = conn.query_row("PRAGMA main.wal_checkpoint(PASSIVE)", [], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
    });
    // a checkpoint that failed (the database file could not grow: a full disk) leaves the commit
    // in the WAL, as it is in every case but this one
    if let Ok((0, log, done)) = checkpoint {
        if log < 0 || done == log {
            return Ok(());
        }
    }
    let synced = match std::fs::File::open(beside(path, "-wal")) {
        Ok(wal) => wal.sync_data(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    };
    // committed, and seen by every other editor from now on: a disk that will not keep it is
    // said as that, not as a change that was not made
    synced.map_err(|e| {
        crate::exit_codes::failed_hint(
            format!(
                "the change to `{}` was made, but the disk did not confirm it is kept (syncing its write-ahead log: {e})",
                path.display()
            ),
            "check the disk (its space, its health) before going on; `admin history` shows what the database holds",
        )
    })
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

#[cfg(test)]
mod tests {
    use super::super::Db;
    use rusqlite::{Connection, OpenFlags};

    /// The database file alone, as a copy of it without its WAL would read it.
    fn value_in_file(path: &std::path::Path) -> Option<String> {
        let uri = format!("file:{}?immutable=1", path.display());
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(uri, flags).unwrap();
        conn.query_row("SELECT v FROM t", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_write_is_in_the_file_when_it_returns_or_synced_in_the_wal_where_a_reader_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut db = Db::create(&path).unwrap();
        let set = |db: &mut Db, url: &str| {
            db.write(|tx| {
                tx.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)", [])?;
                tx.execute("DELETE FROM t", [])?;
                tx.execute("INSERT INTO t VALUES (?1)", [url])?;
                Ok(())
            })
        };
        set(&mut db, "https://a.example/").unwrap();
        assert_eq!(value_in_file(&path).as_deref(), Some("https://a.example/"), "checkpointed at once");

        // a reader's snapshot holds the checkpoint back: the write still returns, its frames
        // synced in the WAL, and everyone else reads it
        let reader = Connection::open(&path).unwrap();
        reader.execute_batch("BEGIN; SELECT COUNT(*) FROM t;").unwrap();
        set(&mut db, "https://b.example/").unwrap();
        assert_eq!(value_in_file(&path).as_deref(), Some("https://a.example/"));
        let other = Connection::open(&path).unwrap();
        let url: String = other.query_row("SELECT v FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(url, "https://b.example/");
        reader.execute_batch("COMMIT").unwrap();
        drop((reader, other));
        set(&mut db, "https://c.example/").unwrap();
        assert_eq!(value_in_file(&path).as_deref(), Some("https://c.example/"));
    }
}
