//! `admin restore BACKUP`: put a verified backup in the database's place.
//!
//! The backup is copied into a private directory beside the database, and that copy (what will
//! be installed, not the file it came from) is checked (`check`): SQLite, ours, whole, exactly
//! the schema our migrations make, migrated on the copy if it is older, and passing `audit
//! verify`. Only then is the old database moved aside together with its `-wal` and `-shm`,
//! under one suffix (`uof.db.replaced-20260401T093000Z`, `uof.db.replaced-20260401T093000Z-wal`:
//! SQLite pairs them again if the old file is ever opened), and the copy renamed into place. A
//! stale WAL left by a crashed writer can therefore never be replayed over the restored copy,
//! and a backup that fails any check changes nothing.
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::exit_codes::{bad_hint, failed_hint, BadInput, Failed};

mod check;

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    /// How many changes the restored audit log holds (all verified).
    pub changes: u64,
    /// The schema version of a backup made before the current one, migrated before it went in.
    pub migrated_from: Option<i64>,
    /// Where the files the backup replaced went (the database, its -wal, its -shm), in order.
    pub moved: Vec<PathBuf>,
}

/// Replace the database at `db` with a checked copy of `backup`. `stamp` names the files moved
/// aside (an RFC 3339 time, made safe for a file name).
pub fn restore(backup: &Path, db: &Path, stamp: &str) -> Result<Restored> {
    let shown = backup.display();
    let mut from = open_backup(backup)?;
    if same_file(backup, db) {
        return Err(bad_hint(
            format!("`{shown}` is the database itself"),
            "give a backup made by `admin backup`, not the live database",
        ));
    }
    if db.is_dir() {
        return Err(bad_hint(
            format!("`{}` is a directory, not a database file", db.display()),
            "point --db (or UOF_DB) at the database file to replace",
        ));
    }
    let mut wal = backup.as_os_str().to_owned();
    wal.push("-wal");
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(failed_hint(
            format!("the backup `{shown}` cannot be restored: it has a `-wal` beside it, so it is a database in use, not a backup"),
            format!("make a backup of it first: `admin --db {shown} backup NEW.db`, and restore that; nothing was changed"),
        ));
    }
    let dir = match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // private (0700) and beside the database: the copy is renamed into place
    let work = tempfile::Builder::new()
        .prefix(&format!(".{name}.restore-"))
        .tempdir_in(&dir)
        .with_context(|| format!("failed to create a directory in `{}`", dir.display()))?;
    let copy = work.path().join("backup.db");
    {
        let mut to = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&copy)
            .context("failed to create the copy to restore")?;
        io::copy(&mut from, &mut to).with_context(|| format!("failed to copy the backup `{shown}`"))?;
        to.flush()?;
    }
    let checked = check::check(&copy).map_err(|e| {
        let hint = e
            .chain()
            .find_map(|c| {
                c.downcast_ref::<Failed>()
                    .map(|f| f.hint.clone())
                    .or_else(|| c.downcast_ref::<BadInput>().map(|b| b.hint.clone()))
            })
            .flatten()
            .unwrap_or_else(|| "give a file made by `admin backup`; nothing was changed".to_owned());
        failed_hint(format!("the backup `{shown}` cannot be restored: {e:#}"), hint)
    })?;
    // the copy whole in its one file: its own -wal folded in and removed
    checked.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    checked.conn.close().map_err(|(_, e)| e)?;
    anyhow::ensure!(
        !Path::new(&format!("{}-wal", copy.display())).exists(),
        "the restored copy could not be checkpointed"
    );

    let suffix = format!(".replaced-{}", stamp.replace([':', '-'], ""));
    let aside = free_name(&format!("{}{suffix}", db.display()));
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    for part in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{part}", db.display()));
        let to = PathBuf::from(format!("{}{part}", aside.display()));
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
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o600))?;
    File::open(&copy)?.sync_all().context("failed to write the restored copy to disk")?;
    if let Err(e) = std::fs::rename(&copy, db) {
        for (from, to) in &moved {
            let _ = std::fs::rename(to, from);
        }
        return Err(anyhow::Error::new(e).context(format!(
            "failed to put the restored copy in place at `{}`; nothing was changed",
            db.display()
        )));
    }
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(Restored {
        changes: checked.changes,
        migrated_from: checked.migrated_from,
        moved: moved.into_iter().map(|(_, to)| to).collect(),
    })
}

/// Open the backup to read. Non-blocking, so that a FIFO is refused rather than waited on; what
/// was opened must be a regular file.
fn open_backup(backup: &Path) -> Result<File> {
    let shown = backup.display();
    let hint = "give the path of a file made by `admin backup`";
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(backup)
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => bad_hint(format!("cannot read the backup `{shown}`: {e}"), hint),
            _ => failed_hint(format!("cannot read the backup `{shown}`: {e}"), hint),
        })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a directory" } else { "not a regular file" };
        return Err(failed_hint(format!("the backup `{shown}` cannot be restored: it is {what}"), hint));
    }
    Ok(file)
}

/// A path that does not exist yet: `base`, or `base-2`, `base-3`, … (two restores in one second).
fn free_name(base: &str) -> PathBuf {
    let taken = |p: &str| ["", "-wal", "-shm"].iter().any(|part| Path::new(&format!("{p}{part}")).exists());
    if !taken(base) {
        return PathBuf::from(base);
    }
    (2..).map(|n| format!("{base}-{n}")).find(|p| !taken(p)).map(PathBuf::from).unwrap_or_default()
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}
