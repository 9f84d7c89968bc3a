//! The checks a backup passes before it may replace the database, made on restore's private copy
//! of it, in an order that never runs anything the backup brings:
//!
//! 1. an SQLite file (by its header), of ours (our tables and refinery's history), of a schema
//!    version this admin knows, whole (`PRAGMA integrity_check`), read-only and immutable;
//! 2. exactly the schema objects (tables, indexes, views, triggers, as `sqlite_master` lists them)
//!    that this admin's migrations make at that version: a planted trigger, an extra table or a
//!    dropped append-only trigger is refused before the copy is ever opened for writing, so
//!    nothing planted in it runs;
//! 3. an older schema is then migrated, as `Db::open` migrates any database, and its objects
//!    compared again with the newest migrations';
//! 4. what `admin audit verify` checks: the chain, signatures, publications, and the tables
//!    against the log.
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use anyhow::{Context, Result};
use rusqlite::{Connection, OpenFlags};

use crate::db::file::{self, Identity, SchemaObject};
use crate::db::Db;
use crate::exit_codes::failed_hint;

// `LATEST_MIGRATION`, from the migration file names (build.rs), as `db` has it
include!(concat!(env!("OUT_DIR"), "/latest_migration.rs"));

/// What every refusal of a backup's content says the user can do.
const TRY_ANOTHER: &str =
    "give a file made by `admin backup` (an older one if this one is damaged); nothing was changed";

/// A copy that passed every check, open for reading and as the source of the restore.
pub(super) struct Checked {
    pub conn: Connection,
    /// How many changes its log holds, all verified.
    pub changes: u64,
    /// The schema version it had, when it had to be migrated.
    pub migrated_from: Option<i64>,
    /// Which database it is, as the backup said before it was migrated.
    pub identity: Identity,
}

/// Check the copy of a backup at `copy` (a file only this process knows about).
pub(super) fn check(copy: &Path) -> Result<Checked> {
    header(&File::open(copy)?)?;
    let (version, identity) = {
        // read-only and immutable: nothing beside it (no -wal, no -shm) is read or made
        let uri = format!("file:{}?mode=ro&immutable=1", uri_path(copy));
        let flags =
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&uri, flags).context("it cannot be opened")?;
        let version = crate::db::our_schema_version(&conn)
            .context("it is damaged")?
            .ok_or_else(|| failed_hint("it is an SQLite database, but not a uof-admin one", TRY_ANOTHER))?;
        if version > LATEST_MIGRATION {
            return Err(failed_hint(
                format!(
                    "it was migrated by a newer admin (schema version {version}; this admin knows up to {LATEST_MIGRATION})"
                ),
                "restore it with the admin your colleagues use; nothing was changed",
            ));
        }
        // read as refinery will read it to migrate the copy; a backup at the newest schema is not
        // migrated, and is restored as admin opens such a database (`audit verify` names a bad row)
        if version < LATEST_MIGRATION {
            crate::db::check_history(&conn).map_err(|why| {
                failed_hint(
                    format!("it is damaged: its schema history (refinery_schema_history): {why}"),
                    TRY_ANOTHER,
                )
            })?;
        }
        let check = file::integrity(&conn)?;
        if check != "ok" {
            return Err(failed_hint(format!("it fails SQLite's integrity check: {check}"), TRY_ANOTHER));
        }
        same_schema(&conn, version)?;
        // before migrating: a backup from before ids is given one then
        (version, file::identity(&conn)?)
    };
    let migrated_from = (version < LATEST_MIGRATION).then_some(version);
    if migrated_from.is_some() {
        // on the copy, never on the backup: the same migrations as any database opened
        drop(
            Db::open(copy)
                .with_context(|| format!("it could not be migrated from schema version {version}"))?,
        );
    }
    let conn = Connection::open_with_flags(
        copy,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .context("it cannot be opened")?;
    if migrated_from.is_some() {
        same_schema(&conn, LATEST_MIGRATION)?;
    }
    let report = crate::verify::database(&conn)?;
    if let Some(problem) = report.problem {
        return Err(failed_hint(format!("it fails `admin audit verify`: {problem}"), TRY_ANOTHER));
    }
    Ok(Checked { conn, changes: report.checked, migrated_from, identity })
}

/// Refuse a file that is not SQLite at all (empty, text, random bytes) by its first bytes, before
/// SQLite reads it; returns them.
fn header(file: &File) -> Result<Vec<u8>> {
    let mut head = vec![0; 100];
    let mut got = 0;
    while got < head.len() {
        match file.read_at(&mut head[got..], got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    head.truncate(got);
    if head.is_empty() {
        return Err(failed_hint("it is empty", TRY_ANOTHER));
    }
    if head.len() < 100 || !head.starts_with(b"SQLite format 3\0") {
        return Err(failed_hint("it is not an SQLite database", TRY_ANOTHER));
    }
    Ok(head)
}

/// How many bytes of the backup `file` to copy: a file that is not SQLite at all is refused
/// before any of it is copied; of one that is, as much as its header says the database is
/// (page size × page count, where the header's count is valid, which is what SQLite itself reads
/// of it), so a backup padded out to gigabytes (sparse, or behind a valid header) is not copied
/// whole. A header that does not say is trusted with the file's length.
pub(super) fn length(file: &File) -> Result<u64> {
    let head = header(file)?;
    let bytes = file.metadata()?.len();
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes([head[28], head[29], head[30], head[31]]));
    // the page count is valid when "version-valid-for" (92) matches the change counter (24)
    let valid = head[24..28] == head[92..96] && pages > 0 && page_size.is_power_of_two() && page_size >= 512;
    Ok(if valid { bytes.min(page_size * pages) } else { bytes })
}

/// Refuse a file whose schema objects are not exactly those the migrations up to `version` make,
/// naming the first difference.
fn same_schema(conn: &Connection, version: i64) -> Result<()> {
    let have = file::schema_objects(conn).context("it is damaged")?;
    let want = file::migrated_schema(version)?;
    match first_difference(&have, &want) {
        None => Ok(()),
        Some(difference) => Err(failed_hint(
            format!("{difference} (schema version {version})"),
            "a backup holds only what admin made; this one was altered after it was written: give another; nothing was changed",
        )),
    }
}

/// The first object one list has and the other has not, or has otherwise; both sorted by kind
/// and name.
fn first_difference(have: &[SchemaObject], want: &[SchemaObject]) -> Option<String> {
    let (mut h, mut w) = (have.iter().peekable(), want.iter().peekable());
    loop {
        let key = |o: &SchemaObject| (o.kind.clone(), o.name.clone());
        match (h.peek(), w.peek()) {
            (None, None) => return None,
            (Some(extra), None) => return Some(extra_object(extra)),
            (None, Some(missing)) => return Some(missing_object(missing)),
            (Some(a), Some(b)) => match key(a).cmp(&key(b)) {
                std::cmp::Ordering::Less => return Some(extra_object(a)),
                std::cmp::Ordering::Greater => return Some(missing_object(b)),
                std::cmp::Ordering::Equal if a != b => {
                    return Some(format!(
                        "its {} `{}` is not the one admin's migrations make",
                        a.kind, a.name
                    ))
                }
                std::cmp::Ordering::Equal => {
                    h.next();
                    w.next();
                }
            },
        }
    }
}

fn extra_object(o: &SchemaObject) -> String {
    if o.kind == "table" {
        format!("it has a table `{}` that admin's migrations do not make", o.name)
    } else {
        format!(
            "it has {} {} `{}` on `{}` that admin's migrations do not make",
            article(&o.kind),
            o.kind,
            o.name,
            o.table
        )
    }
}

fn missing_object(o: &SchemaObject) -> String {
    format!("it lacks the {} `{}` that admin's migrations make", o.kind, o.name)
}

fn article(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
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

#[cfg(test)]
mod tests {
    use super::*;

    fn object(kind: &str, name: &str, sql: &str) -> SchemaObject {
        SchemaObject { kind: kind.into(), name: name.into(), table: "changes".into(), sql: Some(sql.into()) }
    }

    #[test]
    fn the_first_schema_difference_is_named() {
        let want = vec![
            object("index", "changes_by_at", "CREATE INDEX …"),
            object("trigger", "changes_no_delete", "…"),
        ];
        assert_eq!(first_difference(&want, &want), None);
        let mut planted = want.clone();
        planted.push(object("trigger", "evil", "CREATE TRIGGER evil …"));
        assert_eq!(
            first_difference(&planted, &want).unwrap(),
            "it has a trigger `evil` on `changes` that admin's migrations do not make"
        );
        assert_eq!(
            first_difference(&want[..1], &want).unwrap(),
            "it lacks the trigger `changes_no_delete` that admin's migrations make"
        );
        let mut altered = want.clone();
        altered[1].sql = Some("… WHEN 0 …".into());
        assert_eq!(
            first_difference(&altered, &want).unwrap(),
            "its trigger `changes_no_delete` is not the one admin's migrations make"
        );
        assert_eq!(
            extra_object(&object("index", "i", "")),
            "it has an index `i` on `changes` that admin's migrations do not make"
        );
    }

    #[test]
    fn only_the_database_a_header_counts_is_copied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backup.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (randomblob(10000));").unwrap();
        drop(conn);
        let bytes = std::fs::metadata(&path).unwrap().len();
        assert_eq!(length(&File::open(&path).unwrap()).unwrap(), bytes);
        // padded (sparsely) to 1 GiB: the header still says how long the database is
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(1 << 30).unwrap();
        assert_eq!(length(&File::open(&path).unwrap()).unwrap(), bytes);
        // a header whose count is not valid (an old SQLite's) is trusted with the file's length
        let mut head = vec![0; 100];
        File::open(&path).unwrap().read_exact_at(&mut head, 0).unwrap();
        head[92] ^= 0xff;
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().write_all_at(&head, 0).unwrap();
        assert_eq!(length(&File::open(&path).unwrap()).unwrap(), 1 << 30);
        std::fs::write(&path, vec![0; 4096]).unwrap();
        assert!(length(&File::open(&path).unwrap())
            .unwrap_err()
            .to_string()
            .contains("not an SQLite database"));
    }

    #[test]
    fn a_database_migrated_step_by_step_has_the_schema_of_a_new_one() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrations_up_to(&mut conn, 5).unwrap();
        assert_eq!(file::schema_objects(&conn).unwrap(), file::migrated_schema(5).unwrap());
        crate::db::migrations_up_to(&mut conn, LATEST_MIGRATION as i32).unwrap();
        assert_eq!(file::schema_objects(&conn).unwrap(), file::migrated_schema(LATEST_MIGRATION).unwrap());
    }
}
