//! A second connection to the database file, for a thread that reads beside the first
//! connection's: `publish` reads the live tables while it replays the log, a reading of the past
//! reads its checkpoint while it reads the changes after it.
use std::path::{Path, PathBuf};

use anyhow::Result;
use rusqlite::Connection;

/// The file `conn` has open, for a second connection to it (`None` for a database in memory).
pub fn file_of(conn: &Connection) -> Option<PathBuf> {
    conn.path().map(PathBuf::from).filter(|p| !p.as_os_str().is_empty())
}

/// A second connection to the database file at `path`, read-only, in a transaction of its own:
/// for a thread that reads beside another connection's. It sees what was committed when it
/// started, which its caller must judge the same as what the first connection sees.
pub fn reader(path: &Path) -> Result<Connection> {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(60))?;
    conn.execute_batch("BEGIN")?;
    Ok(conn)
}

/// A second reader of the file at `path` that holds the same log as the first connection up to
/// change `id`, whose hash there is `hash` (the hash chain makes every change before it the
/// same too). A file put in its place between the two opens (a restore, a move), or one that is
/// not such a database, is not read: `None`.
pub fn reader_of(path: &Path, id: i64, hash: &str) -> Option<Connection> {
    let conn = reader(path).ok()?;
    let same = super::changes::hash_of(&conn, id).ok().flatten().is_some_and(|h| h == hash);
    same.then_some(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_reader_reads_only_a_file_whose_change_has_the_same_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE changes (id INTEGER PRIMARY KEY, hash TEXT); INSERT INTO changes VALUES (7, 'abc');")
            .unwrap();
        assert!(reader_of(&path, 7, "abc").is_some());
        assert!(reader_of(&path, 7, "abd").is_none(), "another hash: another log");
        assert!(reader_of(&path, 8, "abc").is_none(), "no such change");
        assert!(reader_of(&dir.path().join("missing.db"), 7, "abc").is_none());
        std::fs::write(dir.path().join("junk.db"), b"not a database").unwrap();
        assert!(reader_of(&dir.path().join("junk.db"), 7, "abc").is_none());
        let other = dir.path().join("other.db");
        Connection::open(&other).unwrap().execute_batch("CREATE TABLE checkpoints (change INTEGER)").unwrap();
        assert!(reader_of(&other, 7, "abc").is_none(), "not a database of admin's");
    }
}
