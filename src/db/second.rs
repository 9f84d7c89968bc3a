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
