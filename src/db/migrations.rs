//! The migrations, embedded as refinery's `embed_migrations!` embeds them (build.rs lists every
//! `migrations/V*.sql` file's name and text), without building the macro; and refinery's history
//! in a database: the newest migration it has had, and whether refinery can read every row.

use std::hash::{Hash, Hasher};

// `MIGRATIONS`, from the files in `migrations/` (build.rs)
include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// refinery's runner of every migration, as `embed_migrations!` makes it: the same names and
/// texts, so the same checksums in `refinery_schema_history`.
pub fn runner() -> refinery_core::Runner {
    let migrations: Vec<refinery_core::Migration> =
        MIGRATIONS.iter().map(|(stem, sql)| unapplied(stem, sql)).collect();
    refinery_core::Runner::new(&migrations)
}

/// The migration `refinery_core::Migration::unapplied(stem, sql)` makes, made from refinery's
/// serialised form of it: its version and name from the file's stem (`V{version}__{name}`), and
/// its checksum as refinery computes it, SipHash 1-3 of the name, the version and the text.
/// `unapplied` parses the stem with a regular expression, the only one in the binary; made this
/// way, the binary holds no regex engine. The test below holds the two equal for every migration.
fn unapplied(stem: &str, sql: &str) -> refinery_core::Migration {
    let (version, name) = stem
        .strip_prefix('V')
        .and_then(|rest| rest.split_once("__"))
        .and_then(|(version, name)| Some((version.parse::<refinery_core::SchemaVersion>().ok()?, name)))
        .unwrap_or_else(|| panic!("migration {stem} is not named V{{version}}__{{name}}"));
    let mut hasher = siphasher::sip::SipHasher13::new();
    name.hash(&mut hasher);
    version.hash(&mut hasher);
    sql.hash(&mut hasher);
    serde_json::from_value(serde_json::json!({
        "state": "Unapplied",
        "name": name,
        "checksum": hasher.finish(),
        "version": version,
        "prefix": "Versioned",
        "sql": sql,
        "applied_on": null,
    }))
    .unwrap_or_else(|e| panic!("migration {stem}: refinery's form of a migration has changed: {e}"))
}

/// A migration that failed, in one line: which, and SQLite's words for why (not the migration's
/// SQL, which refinery's own words carry), with what to do. The history said the database had
/// not had it, so its tables or its history were changed behind admin's back.
pub(super) fn failed(path: &std::path::Path, applied: i64, err: &refinery_core::Error) -> anyhow::Error {
    let why = match std::error::Error::source(err).and_then(|s| s.downcast_ref::<rusqlite::Error>()) {
        Some(rusqlite::Error::SqlInputError { msg, .. }) => msg.clone(),
        Some(rusqlite::Error::SqliteFailure(e, msg)) => msg.clone().unwrap_or_else(|| e.to_string()),
        Some(other) => other.to_string(),
        None => err.kind().to_string(),
    };
    let next = runner()
        .get_migrations()
        .iter()
        .find(|m| i64::from(m.version()) > applied)
        .map_or("the next".to_owned(), |m| m.to_string());
    crate::exit_codes::failed_hint(
        format!(
            "database `{}` could not be migrated from schema version {applied}: migration {next} failed: {why}; it was left at version {applied}",
            path.display()
        ),
        "its tables or its schema history were changed behind admin's back: bring the database back from a backup with `admin restore`",
    )
}

/// The newest migration a database file has had, if it is one of ours (`None` for another
/// program's file or an empty one): for a file opened by itself, as `restore` opens a backup.
pub fn our_schema_version(conn: &rusqlite::Connection) -> anyhow::Result<Option<i64>> {
    let history: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history')",
        [],
        |row| row.get(0),
    )?;
    if !history || !super::has_our_tables(conn)? {
        return Ok(None);
    }
    let read = conn.query_row("SELECT MAX(version) FROM refinery_schema_history", [], |row| row.get(0));
    version_read(read, || {
        anyhow::anyhow!(
            "its schema history (refinery_schema_history) has a version that is not a whole number"
        )
    })
}

/// A version read from the schema history, or `damaged()` where what the row holds is not one
/// (text, a real, a number out of range); an error reading the database (busy, I/O) is itself.
pub(super) fn version_read<T>(
    read: rusqlite::Result<T>,
    damaged: impl FnOnce() -> anyhow::Error,
) -> anyhow::Result<T> {
    read.map_err(|e| match e {
        rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..) => damaged(),
        other => other.into(),
    })
}

/// The schema objects of refinery's history table, as refinery makes it (`type`, `name`, `sql`
/// in `sqlite_master`); a unit test holds them equal to a new database's.
const HISTORY_OBJECTS: [(&str, &str, Option<&str>); 2] = [
    ("index", "sqlite_autoindex_refinery_schema_history_1", None),
    (
        "table",
        "refinery_schema_history",
        Some(
            "CREATE TABLE refinery_schema_history(\n             version int4 PRIMARY KEY,\n             name VARCHAR(255),\n             applied_on VARCHAR(255),\n             checksum VARCHAR(255))",
        ),
    ),
];

type SchemaRow = (String, String, Option<String>);

/// The schema objects on refinery's history table in `conn`, in `HISTORY_OBJECTS`' order.
fn history_objects(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<SchemaRow>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'refinery_schema_history' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    rows.collect()
}

/// What is wrong with the first row of refinery's schema history that refinery could not read
/// as it reads every row before migrating: a version that is not a whole number (of 32 bits), a
/// name or time that is not text, a time not in RFC 3339, a checksum that is not a 64-bit number.
/// Refinery gives up on the first two with an error that names no row, and ends the process on
/// the last two; checked first, the database is refused as damaged, and left as it is. So is a
/// row that refinery would refuse to migrate past, in its own words and with no hint: one of a
/// migration this admin does not have, or whose name or checksum is not its migration's.
pub fn check_history(conn: &rusqlite::Connection) -> std::result::Result<(), String> {
    use rusqlite::types::ValueRef;
    let read = |e: rusqlite::Error| format!("it cannot be read: {e}");
    // the table as refinery makes it, and nothing on it refinery does not make: another shape
    // (another column, no primary key, WITHOUT ROWID, a trigger) is migrated past, then refused
    if history_objects(conn).map_err(read)?
        != HISTORY_OBJECTS.map(|(t, n, s)| (t.into(), n.into(), s.map(Into::into)))
    {
        return Err("the table, or what is made on it, is not the one refinery makes".to_owned());
    }
    let mut stmt = conn
        .prepare("SELECT version, name, applied_on, checksum FROM refinery_schema_history ORDER BY version")
        .map_err(read)?;
    let mut rows = stmt.query([]).map_err(read)?;
    let mut at = 0usize;
    // this admin's migrations, made only for a history that has rows
    let mut ours: Option<Vec<refinery_core::Migration>> = None;
    let mut seen: Vec<i32> = Vec::new();
    while let Some(row) = rows.next().map_err(read)? {
        at += 1;
        let which = match row.get_ref(0).map_err(read)? {
            ValueRef::Integer(version) if i32::try_from(version).is_ok() => {
                format!("the row of version {version}")
            }
            _ => return Err(format!("row {at} has a version that is not a whole number")),
        };
        let text = |i: usize| match row.get_ref(i) {
            Ok(ValueRef::Text(bytes)) => std::str::from_utf8(bytes).ok(),
            _ => None,
        };
        if text(1).is_none() {
            return Err(format!("{which} has no name"));
        }
        let time = text(2).and_then(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        });
        if time.is_none() {
            return Err(format!("{which} has a time that is not in RFC 3339"));
        }
        let Some(checksum) = text(3).and_then(|c| c.parse::<u64>().ok()) else {
            return Err(format!("{which} has a checksum that is not a number"));
        };
        let (version, name) = (row.get::<_, i32>(0).map_err(read)?, text(1).unwrap_or_default());
        let ours = ours.get_or_insert_with(|| runner().get_migrations().clone());
        match ours.iter().find(|m| m.version() == version) {
            None => return Err(format!("{which} names {name:?}, a migration this admin does not have")),
            Some(m) if m.name() != name => {
                return Err(format!("{which} names {name:?}, but this admin's migration {version} is {:?}", m.name()))
            }
            Some(m) if m.checksum() != checksum => {
                return Err(format!(
                    "{which} ({name:?}) has the checksum {checksum}, not {} as this admin's migration {version} has",
                    m.checksum()
                ))
            }
            Some(_) => {}
        }
        seen.push(version);
    }
    // every migration up to the newest the history names has its row
    let newest = seen.last().copied().unwrap_or(0);
    if let Some(m) = ours.iter().flatten().find(|m| m.version() <= newest && !seen.contains(&m.version())) {
        return Err(format!("the row of version {} ({:?}) is missing", m.version(), m.name()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_migration_file_is_embedded_oldest_first() {
        let mut files: Vec<(i64, String)> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
                .unwrap()
                .map(|entry| entry.unwrap().path().file_stem().unwrap().to_str().unwrap().to_owned())
                .map(|stem| (stem[1..].split_once("__").unwrap().0.parse().unwrap(), stem))
                .collect();
        files.sort();
        let names: Vec<&str> = super::MIGRATIONS.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, files.iter().map(|(_, stem)| stem.as_str()).collect::<Vec<_>>());
        assert!(super::MIGRATIONS.iter().all(|(_, sql)| !sql.trim().is_empty()));
    }

    #[test]
    fn the_history_table_is_the_one_refinery_makes() {
        let made = crate::db::in_memory().unwrap();
        let expected: Vec<super::SchemaRow> = super::HISTORY_OBJECTS
            .iter()
            .map(|(t, n, s)| (t.to_string(), n.to_string(), s.map(str::to_owned)))
            .collect();
        assert_eq!(super::history_objects(&made).unwrap(), expected);
    }

    #[test]
    fn each_migration_is_the_one_refinery_makes_of_its_file() {
        for (stem, sql) in super::MIGRATIONS {
            let ours = super::unapplied(stem, sql);
            let refinery = refinery_core::Migration::unapplied(stem, sql).unwrap();
            assert_eq!(ours.name(), refinery.name(), "{stem}");
            assert_eq!(ours.version(), refinery.version(), "{stem}");
            assert_eq!(ours.prefix(), refinery.prefix(), "{stem}");
            assert_eq!(ours.sql(), refinery.sql(), "{stem}");
            assert_eq!(ours.checksum(), refinery.checksum(), "{stem}");
            assert_eq!(ours.applied_on(), None, "{stem}");
            assert_eq!(format!("{ours:?}"), format!("{refinery:?}"), "{stem}");
        }
    }
}
