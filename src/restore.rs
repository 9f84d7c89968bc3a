//! `admin restore BACKUP`: put a verified backup in the database's place.
//!
//! The backup is copied into a temporary file beside the database first, and that copy — what
//! will be installed, not the file it came from — is opened read-only and checked: an SQLite
//! file, a uof-admin database this admin knows, intact, with an audit chain that verifies.
//! Only then is the old database moved aside together with its `-wal` and `-shm`, under one
//! suffix (`uof.db.replaced-20260401T093000Z`, `uof.db.replaced-20260401T093000Z-wal`: SQLite
//! pairs them again if the old file is ever opened), and the copy renamed into place. A stale
//! WAL left by a crashed writer can therefore never be replayed over the restored copy, and a
//! backup that fails any check changes nothing.
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rusqlite::{Connection, OpenFlags};

use crate::audit::{Break, Verifier};
use crate::db::changes;
use crate::exit_codes::bad_hint;

// `LATEST_MIGRATION`, from the migration file names (build.rs), as `db` has it
include!(concat!(env!("OUT_DIR"), "/latest_migration.rs"));

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    /// How many changes the restored audit log holds (all verified).
    pub changes: u64,
    /// Where the files the backup replaced went (the database, its -wal, its -shm), in order.
    pub moved: Vec<PathBuf>,
}

/// Replace the database at `db` with a verified copy of `backup`. `stamp` names the files moved
/// aside (an RFC 3339 time, made safe for a file name).
pub fn restore(backup: &Path, db: &Path, stamp: &str) -> Result<Restored> {
    let shown = backup.display();
    let meta = std::fs::metadata(backup).map_err(|e| {
        bad_hint(
            format!("cannot read the backup `{shown}`: {e}"),
            "give the path of a file made by `admin backup`",
        )
    })?;
    if !meta.is_file() {
        return Err(bad_hint(
            format!("the backup `{shown}` is not a file"),
            "give the path of a file made by `admin backup`",
        ));
    }
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
    let dir = match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    // the copy to install, beside the database so that installing it is a rename
    let mut copy = tempfile::Builder::new()
        .prefix(".uof-restore-")
        .tempfile_in(&dir)
        .with_context(|| format!("failed to create a file in `{}`", dir.display()))?;
    {
        let mut from = File::open(backup).with_context(|| format!("failed to read the backup `{shown}`"))?;
        io::copy(&mut from, copy.as_file_mut())
            .with_context(|| format!("failed to copy the backup `{shown}`"))?;
        copy.as_file_mut().flush()?;
        copy.as_file().sync_all().context("failed to write the restored copy to disk")?;
    }
    let changes = verify(copy.path()).map_err(|e| {
        let hint = e
            .downcast_ref::<crate::exit_codes::BadInput>()
            .and_then(|b| b.hint.clone())
            .unwrap_or_else(|| "nothing was changed; try an older backup".to_owned());
        bad_hint(format!("the backup `{shown}` cannot be restored: {e:#}"), hint)
    })?;

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
    // a file made by tempfile is 0600 already; say so rather than rely on it
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(copy.path(), std::fs::Permissions::from_mode(0o600))?;
    }
    copy.persist(db).map_err(|e| {
        anyhow::Error::new(e.error).context(format!(
            "failed to put the restored copy in place at `{}`; the old database is at `{}`",
            db.display(),
            aside.display()
        ))
    })?;
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(Restored { changes, moved: moved.into_iter().map(|(_, to)| to).collect() })
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

/// Check the file is a uof-admin database this admin can open, intact, with an audit chain that
/// verifies; returns how many changes it holds. Opened read-only and immutable: nothing beside
/// it (no -wal, no -shm) is read or made.
fn verify(path: &Path) -> Result<u64> {
    let uri = format!("file:{}?mode=ro&immutable=1", uri_path(path));
    let flags =
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&uri, flags).context("it cannot be opened")?;
    let not_ours = || {
        bad_hint("it is not a uof-admin database", "give a file made by `admin backup`; nothing was changed")
    };
    let version = crate::db::our_schema_version(&conn).map_err(|_| not_ours())?.ok_or_else(not_ours)?;
    if version > LATEST_MIGRATION {
        return Err(bad_hint(
            format!("it was migrated by a newer admin (schema version {version})"),
            "restore it with the admin your colleagues use; nothing was changed",
        ));
    }
    let check: String = conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    if check != "ok" {
        return Err(anyhow::anyhow!("it fails SQLite's integrity check: {check}"));
    }
    if version == LATEST_MIGRATION {
        // as `admin audit verify` checks it: the chain, signatures, publications, and the
        // tables against the log
        let report = crate::verify::database(&conn)?;
        return match report.problem {
            None => Ok(report.checked),
            Some(problem) => Err(anyhow::anyhow!("it fails `admin audit verify`: {problem}")),
        };
    }
    // an older schema: its chain (the rest is checked once it is migrated, by `audit verify`)
    let mut verifier = Verifier::new();
    let mut broken = None;
    changes::for_each_stored(&conn, |stored| match verifier.check_stored(stored) {
        Ok(()) => Ok(true),
        Err(b) => {
            broken = Some(b);
            Ok(false)
        }
    })?;
    match broken {
        None => Ok(verifier.checked),
        Some(Break::Mismatch { id }) => Err(anyhow::anyhow!(
            "its audit log fails verification at change {id} (the change was altered after it was written)"
        )),
        Some(Break::Gap { expected, .. }) => {
            Err(anyhow::anyhow!("its audit log fails verification at change {expected} (it is missing)"))
        }
    }
}

/// A path for an SQLite `file:` URI: the characters a URI gives meaning to, percent-encoded.
fn uri_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' | '?' | '#' | ' ' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
