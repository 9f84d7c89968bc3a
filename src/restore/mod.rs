//! `admin restore BACKUP`: put a verified backup in the database's place, losing no write that
//! another editor makes meanwhile.
//!
//! The backup is copied into a private directory beside the database, and that copy (what will
//! be installed, not the file it came from) is checked (`check`): SQLite, ours, whole, exactly
//! the schema our migrations make, migrated on the copy if it is older, and passing `audit
//! verify`. A backup of another database (another id) needs `--other-database`.
//!
//! Then, when the database is one of ours, the copy goes in through SQLite (`install`), never
//! by renaming files. Renaming is what loses writes: an editor whose connection opened the file before the
//! rename keeps writing into the renamed inode (and its `-wal`), exits 0, and the write is in
//! the file moved aside, unseen. Instead restore takes the database's write lock, as every
//! writer does, and holds it while it
//!
//! 1. copies the database as it stands to `uof.db.replaced-TIME` with SQLite's online backup
//!    (through a second connection: committed writes, their `-wal` included), and
//! 2. copies the checked copy into the database with the online backup, in one transaction.
//!
//! The lock is the backup's own: `sqlite3_backup_step(0)` takes the destination's write lock
//! and keeps it until the backup finishes, and nothing else can hold a write transaction on a
//! backup's destination connection. So a write either commits before the lock (and is in the
//! kept copy; restore says how many changes the kept copy has that the restored database lacks)
//! or waits on its `busy_timeout` and commits after, into the restored content, on the same
//! file, which every open connection sees (the backup bumps the schema cookie). A failure at any
//! step rolls the transaction back and removes the kept copy: nothing changed.
//!
//! A database that is missing, empty, damaged or not ours (the cases restore exists for) cannot
//! be locked or written through SQLite, and no command writes to it; that file and any `-wal`
//! and `-shm` beside it are moved aside under one suffix and the checked copy renamed into its
//! place, so no stale WAL is ever replayed over the restored copy.
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::db::file::{self, Identity};
use crate::exit_codes::{bad_hint, failed_hint, BadInput, Failed};

mod check;
mod install;

/// How long restore waits for another editor's transaction to end, as every writer waits.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    /// How many changes the restored audit log holds (all verified).
    pub changes: u64,
    /// The schema version of a backup made before the current one, migrated before it went in.
    pub migrated_from: Option<i64>,
    /// Which database it was and which it is now (as `describe` puts it), when
    /// `--other-database` let a backup of another database in.
    pub other_database: Option<(String, String)>,
    pub replaced: Replaced,
}

/// What became of the database the backup replaced.
#[derive(Debug)]
pub enum Replaced {
    /// There was none, nor a `-wal` or `-shm`.
    Nothing,
    /// It was copied to `copy` under the write lock; `lacking` of its changes (writes made
    /// before the restore, since the backup) are not in the restored database.
    Kept { copy: PathBuf, lacking: Option<u64> },
    /// It was not a usable database of ours (`why`): it and its -wal and -shm were moved here.
    Moved { why: String, files: Vec<PathBuf> },
}

/// Replace the database at `db` with a checked copy of `backup`. `stamp` names the file the
/// old database is kept in (an RFC 3339 time, made safe for a file name).
pub fn restore(backup: &Path, db: &Path, stamp: &str, other_database: bool) -> Result<Restored> {
    let shown = backup.display();
    let (from, length) = open_backup(backup)?;
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
    // private (0700) and beside the database: the copy may be renamed into place
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
        io::copy(&mut (&from).take(length), &mut to)
            .with_context(|| format!("failed to copy the backup `{shown}`"))?;
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

    let live = Live::inspect(db)?;
    let mut other = None;
    if let Live::Ours(live_identity) = &live {
        if checked.identity.same_database(live_identity) {
            // a backup from before ids was given a new one when it was migrated: it is this
            // database, and keeps its id (the sites it published name it)
            if let (Some(id), None) = (&live_identity.id, &checked.identity.id) {
                file::set_database_id(&checked.conn, id)?;
            }
        } else if other_database {
            // the id it has now: one from before ids was given one when it was migrated
            other = Some((describe(live_identity), describe(&file::identity(&checked.conn)?)));
        } else {
            return Err(bad_hint(
                format!(
                    "the backup `{shown}` is of another database ({}), not of `{}` ({})",
                    describe(&checked.identity),
                    db.display(),
                    describe(live_identity)
                ),
                format!(
                    "to replace this database with it all the same: admin restore --other-database {shown}"
                ),
            ));
        }
    }

    let aside = free_name(&crate::db::beside(db, &format!(".replaced-{}", stamp.replace([':', '-'], ""))));
    let replaced = match live {
        Live::Ours(_) => {
            let lacking = install::locked(&checked.conn, db, &aside)?;
            Replaced::Kept { copy: aside, lacking }
        }
        Live::Missing => match install::by_rename(checked.conn, &copy, db, &aside)? {
            files if files.is_empty() => Replaced::Nothing,
            files => Replaced::Moved { why: "it did not exist".to_owned(), files },
        },
        Live::Unusable(why) => {
            Replaced::Moved { files: install::by_rename(checked.conn, &copy, db, &aside)?, why }
        }
    };
    Ok(Restored {
        changes: checked.changes,
        migrated_from: checked.migrated_from,
        other_database: other,
        replaced,
    })
}

/// A database's identity for people: its id, or for one from before ids, its first change.
fn describe(identity: &Identity) -> String {
    match (&identity.id, &identity.first_hash) {
        (Some(id), _) => format!("id {id}"),
        (None, Some(hash)) => format!("no id; first change {}", &hash[..hash.len().min(12)]),
        (None, None) => "no id, no changes".to_owned(),
    }
}

/// Open the backup to read: a regular file, not through a symbolic link, and never waited on (a
/// FIFO is refused, not read); and how many of its bytes are the database (`check::length`).
fn open_backup(backup: &Path) -> Result<(File, u64)> {
    let shown = backup.display();
    let hint = "give the path of a file made by `admin backup`";
    let file = crate::files::open(backup).map_err(|e| match e {
        crate::files::Refusal::Missing => bad_hint(format!("cannot read the backup `{shown}`: it {e}"), hint),
        // a directory, a FIFO or a device named as the backup: bad input, as `backup` and
        // `import` have it
        crate::files::Refusal::NotAFile(what) => {
            bad_hint(format!("the backup `{shown}` cannot be restored: it is {what}"), hint)
        }
        e => failed_hint(format!("the backup `{shown}` {e}"), hint),
    })?;
    let length = check::length(&file).map_err(|e| {
        let hint = e.downcast_ref::<Failed>().and_then(|f| f.hint.clone()).unwrap_or_else(|| hint.to_owned());
        failed_hint(format!("the backup `{shown}` cannot be restored: {e:#}"), hint)
    })?;
    Ok((file, length))
}

/// The database being replaced, as restore finds it.
enum Live {
    Missing,
    /// Not a database of ours that SQLite can read: why.
    Unusable(String),
    Ours(Identity),
}

impl Live {
    fn inspect(db: &Path) -> Result<Live> {
        match std::fs::metadata(db) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Live::Missing),
            Err(e) => return Err(anyhow::Error::new(e).context(format!("failed to read `{}`", db.display()))),
            Ok(m) if m.len() == 0 => return Ok(Live::Unusable("it was empty".to_owned())),
            Ok(_) => {}
        }
        // by its first bytes, before SQLite opens it: SQLite deletes a `-wal` beside a file it
        // finds no database in, and that -wal goes aside with the file
        let mut head = Vec::with_capacity(16);
        File::open(db)
            .and_then(|f| f.take(16).read_to_end(&mut head))
            .with_context(|| format!("failed to read `{}`", db.display()))?;
        if !head.starts_with(b"SQLite format 3\0") {
            return Ok(Live::Unusable("it was not an SQLite database".to_owned()));
        }
        let read = || -> Result<Option<Identity>> {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(db, flags)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            match crate::db::our_schema_version(&conn)? {
                Some(_) => Ok(Some(file::identity(&conn)?)),
                None => Ok(None),
            }
        };
        match read() {
            Ok(Some(identity)) => Ok(Live::Ours(identity)),
            Ok(None) => Ok(Live::Unusable("it was not a uof-admin database".to_owned())),
            // what restore is for: the file SQLite cannot read goes aside as it is
            Err(e)
                if e.chain().any(|c| {
                    matches!(c.downcast_ref::<rusqlite::Error>(), Some(rusqlite::Error::SqliteFailure(f, _))
                    if matches!(f.code, ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
                }) =>
            {
                Ok(Live::Unusable("it was damaged".to_owned()))
            }
            Err(e) => Err(e.context(format!("failed to read `{}`", db.display()))),
        }
    }
}

/// A path that does not exist yet: `base`, or `base-2`, `base-3`, … (two restores in one second).
fn free_name(base: &Path) -> PathBuf {
    let taken = |p: &Path| ["", "-wal", "-shm"].iter().any(|part| crate::db::beside(p, part).exists());
    if !taken(base) {
        return base.to_owned();
    }
    (2..).map(|n| crate::db::beside(base, &format!("-{n}"))).find(|p| !taken(p)).unwrap_or_default()
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}
