//! Putting a checked copy in the database's place (why this way: the module above). `locked`
//! for a database of ours, through SQLite under its write lock; `by_rename` for a file that is
//! missing or not a database SQLite can read, which no command writes to.
use std::fs::File;
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::BUSY_TIMEOUT;
use crate::db::file;
use crate::exit_codes::failed_hint;

/// Under the database's write lock: keep it as it stands in `aside`, then copy `copy` into it.
/// Returns how many changes the kept copy has that the restored database lacks (`None` if they
/// could not be counted).
pub(super) fn locked(copy: &Connection, db: &Path, aside: &Path) -> Result<Option<u64>> {
    locked_then(copy, db, aside, &mut || {})
}

/// `locked`, running `while_locked` once the lock is held (for tests: a writer then
/// waits).
fn locked_then(
    copy: &Connection,
    db: &Path,
    aside: &Path,
    while_locked: &mut dyn FnMut(),
) -> Result<Option<u64>> {
    let shown = db.display();
    let open = || -> Result<Connection> {
        let conn = Connection::open_with_flags(
            db,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("failed to open database `{shown}`"))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(conn)
    };
    let mut live = open()?;
    // read-write like any editor's, so it shares the WAL index; it only reads
    let reader = open()?;
    // SQLite copies into a WAL database only page for page
    let size = file::page_size(&live)?;
    if file::page_size(copy)? != size {
        file::set_page_size(copy, size).context("failed to give the copy the database's page size")?;
    }
    let into =
        Backup::new(copy, &mut live).with_context(|| format!("failed to start writing to `{shown}`"))?;
    // zero pages: only take the write lock, which the backup holds until it is done
    progress(into.step(0), &shown)?;
    while_locked();
    let kept = match keep(&reader, aside) {
        Ok(kept) => kept,
        Err(e) => {
            drop(into); // rolls back: the database is as it was
            let _ = std::fs::remove_file(aside);
            return Err(e.context(format!("failed to keep a copy of `{shown}` at `{}`", aside.display())));
        }
    };
    let done = progress(into.step(-1), &shown);
    drop(into);
    if let Err(e) = done {
        drop(kept);
        let _ = std::fs::remove_file(aside);
        return Err(e.context(format!("failed to restore `{shown}`; it was not changed")));
    }
    // fold the restored pages into the file now, if no one is reading; else SQLite does later
    let _ = live.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    // the restore is done: what follows only informs, and cannot fail it
    let lacking = file::changes_lacking(&kept, copy).ok();
    // the last connection to the kept copy: SQLite removes the -wal and -shm its reads made
    let _ = kept.close();
    Ok(lacking)
}

/// A backup step's result as an error where it is not progress.
fn progress(step: rusqlite::Result<StepResult>, db: &impl std::fmt::Display) -> Result<()> {
    match step? {
        StepResult::Done | StepResult::More => Ok(()),
        _ => Err(failed_hint(
            format!("`{db}` stayed locked by another editor's write for over {} s", BUSY_TIMEOUT.as_secs()),
            "run the restore again once it has finished; nothing was changed",
        )),
    }
}

/// Copy the database, as `reader` sees it, to the new file `aside` (mode 0600), durably; returns
/// the connection that wrote it.
fn keep(reader: &Connection, aside: &Path) -> Result<Connection> {
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(aside)?;
    let mut out = Connection::open_with_flags(aside, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    {
        let backup = Backup::new(reader, &mut out)?;
        match backup.step(-1)? {
            StepResult::Done => {}
            _ => anyhow::bail!("the database was busy"),
        }
    }
    Ok(out)
}

/// Move what is at `db` (and its -wal and -shm) aside under `aside`'s name, and rename the
/// checked copy into its place. Returns where the moved files went.
pub(super) fn by_rename(conn: Connection, copy: &Path, db: &Path, aside: &Path) -> Result<Vec<PathBuf>> {
    // the copy whole in its one file: its own -wal folded in and removed
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    conn.close().map_err(|(_, e)| e)?;
    anyhow::ensure!(!crate::db::beside(copy, "-wal").exists(), "the restored copy could not be checkpointed");
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    for part in ["", "-wal", "-shm"] {
        let from = crate::db::beside(db, part);
        let to = crate::db::beside(aside, part);
        match std::fs::rename(&from, &to) {
            Ok(()) => moved.push((from, to)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                // put back what was moved, so the database is as it was
                for (from, to) in &moved {
                    let _ = std::fs::rename(to, from);
                }
                return Err(anyhow::Error::new(e).context(format!(
                    "failed to move `{}` aside to `{}`",
                    from.display(),
                    to.display()
                )));
            }
        }
    }
    std::fs::set_permissions(copy, std::fs::Permissions::from_mode(0o600))?;
    File::open(copy)?.sync_all().context("failed to write the restored copy to disk")?;
    if let Err(e) = std::fs::rename(copy, db) {
        for (from, to) in &moved {
            let _ = std::fs::rename(to, from);
        }
        return Err(anyhow::Error::new(e)
            .context(format!("failed to put the restored copy in place at `{}`", db.display())));
    }
    if let Some(dir) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(moved.into_iter().map(|(_, to)| to).collect())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn database(path: &Path, rows: &[(i64, &str)]) -> Connection {
        database_with_pages(path, rows, 4096)
    }

    fn database_with_pages(path: &Path, rows: &[(i64, &str)], page_size: i64) -> Connection {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(&format!("PRAGMA page_size = {page_size}")).unwrap();
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).unwrap();
        conn.execute_batch("CREATE TABLE changes (id INTEGER PRIMARY KEY, hash TEXT NOT NULL)").unwrap();
        for (id, hash) in rows {
            conn.execute("INSERT INTO changes VALUES (?1, ?2)", rusqlite::params![id, hash]).unwrap();
        }
        conn
    }

    fn hashes(path: &Path) -> Vec<String> {
        let conn = Connection::open(path).unwrap();
        let mut stmt = conn.prepare("SELECT hash FROM changes ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn a_writer_waits_for_the_lock_then_writes_into_the_restored_database() {
        let dir = tempfile::tempdir().unwrap();
        let (db, aside) = (dir.path().join("uof.db"), dir.path().join("uof.db.replaced"));
        let live = database(&db, &[(1, "a"), (2, "b"), (3, "written since the backup")]);
        let copy = database(&dir.path().join("copy.db"), &[(1, "a"), (2, "b")]);
        let mut writer = None;
        let lacking = locked_then(&copy, &db, &aside, &mut || {
            let db = db.clone();
            let write = std::thread::spawn(move || {
                let conn = Connection::open(&db).unwrap();
                conn.busy_timeout(Duration::from_secs(30)).unwrap();
                conn.execute("INSERT INTO changes VALUES (3, 'written during the restore')", []).unwrap();
            });
            std::thread::sleep(Duration::from_millis(300));
            assert!(!write.is_finished(), "a write went in while restore held the lock");
            writer = Some(write);
        })
        .unwrap();
        writer.unwrap().join().unwrap();
        assert_eq!(lacking, Some(1));
        assert_eq!(hashes(&aside), ["a", "b", "written since the backup"]);
        assert_eq!(hashes(&db), ["a", "b", "written during the restore"]);
        // a connection opened before the restore sees the restored file, not the old one
        let seen: Vec<String> = live
            .prepare("SELECT hash FROM changes ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(seen, ["a", "b", "written during the restore"]);
    }

    #[test]
    fn a_copy_with_another_page_size_is_rewritten_to_the_databases() {
        let dir = tempfile::tempdir().unwrap();
        let (db, aside) = (dir.path().join("uof.db"), dir.path().join("uof.db.replaced"));
        drop(database(&db, &[(1, "a")]));
        let copy = database_with_pages(&dir.path().join("copy.db"), &[(1, "a"), (2, "b")], 8192);
        assert_eq!(file::page_size(&copy).unwrap(), 8192);
        assert_eq!(locked(&copy, &db, &aside).unwrap(), Some(0));
        assert_eq!(hashes(&db), ["a", "b"]);
        assert_eq!(file::page_size(&Connection::open(&db).unwrap()).unwrap(), 4096);
    }
}
