//! `Db` owns the SQLite connection: opening (pragmas, the schema-version check, migrations),
//! write transactions, and every SQL statement the tool runs, in the submodules.
use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use crate::exit_codes::{bad_hint, failed_hint};

mod backup;
pub mod changes;
pub mod checkpoints;
pub mod compare;
pub mod editors;
pub mod file;
pub mod forces;
mod history;
pub mod link_checks;
pub mod notes;
pub mod page;
pub mod publications;
mod ranges;
pub mod reviews;
pub mod second;
pub mod settings;
pub mod state;
mod tables;

pub use tables::check_tables;

mod migrations;
pub use file::{beside, remove_with_companions};
pub use migrations::{check_history, our_schema_version};

// `LATEST_MIGRATION`, from the migration file names (build.rs)
include!(concat!(env!("OUT_DIR"), "/latest_migration.rs"));

/// How long a writer waits for another editor's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);
/// Statements kept prepared (`prepare_cached`): rusqlite's 16 made `publish` prepare some twice.
const STATEMENT_CACHE: usize = 64;

pub struct Db {
    conn: Connection,
    path: PathBuf,
    /// This open gave the database its id: it was made by an admin from before version 7.
    pub given_identity: bool,
}

impl Db {
    /// Create a new database file (mode 0600) and migrate it. Refuses a path that exists.
    pub fn create(path: &Path) -> Result<Db> {
        if path.is_dir() {
            return Err(is_a_directory(path));
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true).mode(0o600);
        if let Err(err) = options.open(path) {
            return Err(if err.kind() == std::io::ErrorKind::AlreadyExists {
                bad_hint(
                    format!("database `{}` already exists", path.display()),
                    "`admin init` only creates a new database; pass --db with another path",
                )
            } else {
                anyhow::Error::new(err).context(format!("failed to create database `{}`", path.display()))
            });
        }
        let created = Self::connect(path).and_then(|mut db| {
            db.migrate(true)?;
            Ok(db)
        });
        if created.is_err() {
            // a failed init leaves nothing behind
            remove_with_companions(path);
        }
        created
    }

    /// Open an existing database and apply pending migrations. A path that does not exist is
    /// refused (a typo must not create an empty database), as is a database migrated by a newer
    /// `admin`, which is left untouched.
    pub fn open(path: &Path) -> Result<Db> {
        match std::fs::metadata(path) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(bad_hint(
                    format!("database `{}` does not exist", path.display()),
                    "create it with `admin init`, or point --db (or UOF_DB) at the right file",
                ))
            }
            Err(err) => {
                return Err(
                    anyhow::Error::new(err).context(format!("failed to open database `{}`", path.display()))
                )
            }
            Ok(meta) if meta.is_dir() => return Err(is_a_directory(path)),
            // a FIFO, a device or a socket: SQLite would report a disk I/O error
            Ok(meta) if !meta.is_file() => {
                return Err(failed_hint(
                    format!(
                        "`{}` is {}, not a database file; it was left as it is",
                        path.display(),
                        crate::files::what(meta.file_type())
                    ),
                    "check --db (or UOF_DB): it should name the file `admin init` made",
                ))
            }
            Ok(_) => {}
        }
        let mut db = Self::connect(path)?;
        db.migrate(false)?;
        Ok(db)
    }

    /// Open the file without creating it, and set the pragmas. Nothing is written here: a
    /// database from the future must stay byte-for-byte as it was.
    fn connect(path: &Path) -> Result<Db> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .with_context(|| format!("failed to open database `{}`", path.display()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Db { conn, path: path.to_owned(), given_identity: false })
    }

    /// Only `init` creates a database: any other command refuses a file that is not one of
    /// ours (0 bytes, an SQLite file without our schema), before anything is written to it.
    fn not_ours(&self, why: &str) -> anyhow::Error {
        failed_hint(
            format!("`{}` is not a uof-admin database ({why}); it was left as it is", self.path.display()),
            "check --db (or UOF_DB); only `admin init` creates a database, and `admin restore` brings one back from a backup",
        )
    }

    /// The newest migration this database has had, or `None` for a brand-new file.
    fn applied_version(&self) -> Result<Option<i64>> {
        let has_history: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history')",
                [],
                |row| row.get(0),
            )
            .with_context(|| format!("failed to read database `{}`", self.path.display()))?;
        if !has_history {
            let tables: i64 =
                self.conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |row| row.get(0))?;
            if tables > 0 {
                return Err(failed_hint(
                    format!("`{}` is an SQLite database, but not a uof-admin one", self.path.display()),
                    "check --db (or UOF_DB): it points at another program's database",
                ));
            }
            return Ok(None);
        }
        let read =
            self.conn.query_row("SELECT MAX(version) FROM refinery_schema_history", [], |row| row.get(0));
        let damaged = || self.damaged_history("a row has a version that is not a whole number".to_owned());
        Ok(migrations::version_read(read.optional(), damaged)?.flatten())
    }

    /// The refusal of a database whose schema history (`refinery_schema_history`) holds a row
    /// that refinery cannot read: `why` names it.
    fn damaged_history(&self, why: String) -> anyhow::Error {
        failed_hint(
            format!(
                "database `{}` has a damaged schema history (refinery_schema_history: {why}); it was left as it is",
                self.path.display()
            ),
            "bring the database back from a backup with `admin restore`",
        )
    }

    /// Apply pending migrations; refuse a database that knows migrations this binary does not.
    /// `creating`: the file is the one `init` just made, the only time an empty file is fine.
    fn migrate(&mut self, creating: bool) -> Result<()> {
        let applied = self.applied_version()?;
        if applied.is_none() && !creating {
            let empty = std::fs::metadata(&self.path).map(|m| m.len() == 0).unwrap_or(false);
            return Err(self.not_ours(if empty {
                "the file is empty"
            } else {
                "it holds no uof-admin schema"
            }));
        }
        if applied.is_some() && !self.has_our_tables()? {
            return Err(self.not_ours("another program's tables"));
        }
        // The common case, a database already up to date, needs no runner: building one makes
        // and hashes every migration, and refinery reads its whole history before it migrates.
        if applied == Some(LATEST_MIGRATION) {
            self.enable_foreign_keys()?;
            return self.ensure_identity();
        }
        // before anything is written: a database refused as damaged is left as it is (one a
        // newer admin migrated is refused as that, below, as `restore` refuses its backup)
        if applied.is_some_and(|version| version < LATEST_MIGRATION) {
            migrations::check_history(&self.conn).map_err(|why| self.damaged_history(why))?;
        }
        if self.applied_version()?.is_some_and(|version| version < LATEST_MIGRATION) {
            forces::rekey_names(&self.conn)?; // keys an older admin made, before its migrations count
        }
        register_functions(&self.conn)?;
        let runner = migrations::runner();
        let latest = runner.get_migrations().iter().map(|m| i64::from(m.version())).max().unwrap_or(0);
        // Several editors may open a new database at once: whoever loses the race to migrate
        // sees the winner's tables appear and tries again.
        for attempt in 0..5 {
            let applied = self.applied_version()?;
            if let Some(version) = applied {
                if version > latest {
                    return Err(failed_hint(
                        format!(
                            "database `{}` was migrated by a newer admin (schema version {version}; this admin knows up to {latest})",
                            self.path.display()
                        ),
                        "upgrade admin to the version your colleagues use; the database was not changed",
                    ));
                }
                if version == latest {
                    break;
                }
            }
            if applied.is_none() || attempt == 0 {
                self.set_wal()?;
            }
            match runner.run(&mut self.conn) {
                Ok(_) => break,
                Err(_) if attempt < 4 => std::thread::sleep(Duration::from_millis(50 << attempt)),
                Err(err) => {
                    let applied = self.applied_version().ok().flatten().unwrap_or(0);
                    return Err(migrations::failed(&self.path, applied, &err));
                }
            }
        }
        self.enable_foreign_keys()?;
        self.ensure_identity()
    }

    /// Whether the tables every version of this tool has are there.
    fn has_our_tables(&self) -> Result<bool> {
        has_our_tables(&self.conn)
    }

    /// A database from before version 7 gets what a new one has from `init`: its random id.
    /// (Its page text is recorded in the log by `gate::open`.) Runs once; a database that has
    /// its id is left alone.
    fn ensure_identity(&mut self) -> Result<()> {
        // a meta table dropped behind admin's back is left for `audit verify` to name
        if !self.database_id().is_ok_and(|id| id.is_none()) || self.read_only()? {
            return Ok(());
        }
        let id = random_id()?;
        self.write(|tx| {
            tx.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('database_id', ?1)", [&id])?;
            Ok(())
        })?;
        self.given_identity = true;
        Ok(())
    }

    /// The random id `init` gave this database.
    pub fn database_id(&self) -> Result<Option<String>> {
        database_id(&self.conn)
    }

    fn enable_foreign_keys(&self) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON;")
            .context("failed to configure the database connection")?;
        Ok(())
    }

    fn set_wal(&self) -> Result<()> {
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .with_context(|| format!("failed to set WAL mode on `{}`", self.path.display()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            anyhow::bail!(
                "database `{}` could not be put in WAL mode (it is in {mode} mode)",
                self.path.display()
            );
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this process can only read the database (its file is not writable to us).
    pub fn read_only(&self) -> Result<bool> {
        Ok(self.conn.is_readonly(rusqlite::MAIN_DB)?)
    }

    /// The connection, for reads.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Run `f` in one `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so two
    /// editors never interleave a read-then-write, and an error anywhere rolls back everything.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .with_context(|| format!("failed to start writing to `{}`", self.path.display()))?;
        let out = f(&tx)?;
        tx.commit().with_context(|| format!("failed to save changes to `{}`", self.path.display()))?;
        Ok(out)
    }

    /// Like `write`, but always rolled back: `--dry-run`.
    pub fn dry_run<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .with_context(|| format!("failed to start reading `{}`", self.path.display()))?;
        let out = f(&tx)?;
        tx.rollback()?;
        Ok(out)
    }

    /// Run `f` on one consistent snapshot (a read transaction).
    pub fn read<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .with_context(|| format!("failed to read `{}`", self.path.display()))?;
        let out = f(&tx)?;
        tx.finish()?;
        Ok(out)
    }
}

/// The random id `init` gave the database.
pub fn database_id(conn: &Connection) -> Result<Option<String>> {
    meta(conn, "database_id")
}

/// The first change whose signature is version 2 (binding the database and the chain): every
/// change from the one schema 12 was applied before.
pub fn signatures_v2_from(conn: &Connection) -> Result<i64> {
    Ok(meta(conn, "signatures_v2_from")?.and_then(|v| v.parse().ok()).unwrap_or(1))
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?)
}

/// Whether the database is one of ours: it has the audit log, and the forces or the page.
fn has_our_tables(conn: &Connection) -> Result<bool> {
    let count: i64 = conn.query_row(
        "SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'changes')
              * (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('forces', 'page'))",
        [],
        |row| row.get(0),
    )?;
    // the log and one of the tables every version has: one table dropped behind admin's back
    // leaves a database of ours, whose schema `audit verify` compares
    Ok(count > 0)
}

/// 128 random bits, hex: a database's id.
fn random_id() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("failed to read random bytes for the database id")?;
    Ok(crate::audit::hex(&bytes))
}

/// A new database in memory, made by the same migrations as every database: what `audit verify`
/// rebuilds from the log, to compare with the live file.
pub fn in_memory() -> Result<Connection> {
    let mut conn = Connection::open_in_memory().context("failed to open a database in memory")?;
    register_functions(&conn)?;
    migrations::runner().run(&mut conn).context("failed to migrate a database in memory")?;
    Ok(conn)
}

/// The SQL functions the migrations call, registered on every connection that migrates:
/// `look_key(name)`, `validate::look_key`, with which V13 keys the forces an older admin wrote.
fn register_functions(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "look_key",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(crate::validate::look_key(&ctx.get::<String>(0)?)),
    )
    .context("failed to prepare the database connection")?;
    Ok(())
}

/// Run `write` with the indexes the schema declares dropped, then make them again from their
/// own SQL: a bulk write into empty tables (the database `audit verify` rebuilds) is faster
/// so, and ends with the same schema.
pub fn without_indexes<T>(conn: &Connection, write: impl FnOnce() -> Result<T>) -> Result<T> {
    let indexes = indexes(conn)?;
    for (name, _) in &indexes {
        conn.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    let out = write()?;
    for (_, sql) in &indexes {
        conn.execute_batch(sql)?;
    }
    Ok(out)
}

/// The indexes a database's schema declares (not those SQLite makes for a UNIQUE constraint):
/// name and SQL, in the order they were made.
fn indexes(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY rowid",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Migrate `conn` only up to `version`: a database as an older admin left it, for tests.
#[cfg(test)]
pub(crate) fn migrations_up_to(conn: &mut Connection, version: i32) -> Result<()> {
    register_functions(conn)?;
    migrations::runner().set_target(refinery_core::Target::Version(version)).run(conn)?;
    Ok(())
}

fn is_a_directory(path: &Path) -> anyhow::Error {
    bad_hint(
        format!("`{}` is a directory, not a database file", path.display()),
        "point --db (or UOF_DB) at a file, e.g. --db uof.db",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_db() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        (dir, path)
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let (_dir, path) = temp_db();
        drop(Db::create(&path).unwrap());
        let before = std::fs::read(&path).unwrap();
        let mut db = Db::open(&path).unwrap();
        db.migrate(false).unwrap();
        let count: i64 =
            db.conn().query_row("SELECT COUNT(*) FROM refinery_schema_history", [], |r| r.get(0)).unwrap();
        assert_eq!(count as usize, migrations::runner().get_migrations().len());
        drop(db);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn the_recorded_latest_migration_is_the_runners() {
        let runner = migrations::runner();
        let latest = runner.get_migrations().iter().map(|m| i64::from(m.version())).max();
        assert_eq!(latest, Some(LATEST_MIGRATION));
    }

    #[test]
    fn new_databases_are_private_and_in_wal_mode() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, path) = temp_db();
        let db = Db::create(&path).unwrap();
        let mode: String = db.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let perms = std::fs::metadata(&path).unwrap().permissions();
        assert_eq!(perms.mode() & 0o777, 0o600);
    }

    #[test]
    fn the_change_table_is_append_only() {
        let (_dir, path) = temp_db();
        let db = Db::create(&path).unwrap();
        db.conn()
            .execute(
                "INSERT INTO changes (at, editor, action, entity, hash) VALUES ('t', 'e', 'init', 'force', 'h')",
                [],
            )
            .unwrap();
        let update = db.conn().execute("UPDATE changes SET editor = 'x'", []);
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = db.conn().execute("DELETE FROM changes", []);
        assert!(delete.unwrap_err().to_string().contains("append-only"));
    }
}
