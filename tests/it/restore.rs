//! `admin restore` on a database in use: a write made while it runs is never lost (it is in the
//! restored database, or in the copy restore keeps and reports), a backup made by an older admin
//! is migrated on a copy and verified before it goes in, one from a newer admin is refused, and a
//! backup of another database needs `--other-database`.
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::testenv::{bytes, TestEnv};

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// The copy restore kept and how many changes it said the copy has that the restored database
/// lacks, from its output.
fn kept(env: &TestEnv, out: &str) -> (PathBuf, u64) {
    let line = out.lines().find(|l| l.starts_with("kept the database it replaces as `")).expect(out);
    let name = line.split('`').nth(1).unwrap();
    let count = match line.split(": ").nth(1).unwrap() {
        "every change in it is in the restored database" => 0,
        said => said.split(' ').next().unwrap().parse().expect(out),
    };
    (env.path(name), count)
}

/// How many changes of the database at `theirs` the one at `mine` lacks (the same id and hash).
fn lacking(theirs: &Path, mine: &Path) -> u64 {
    let conn = Connection::open(theirs).unwrap();
    conn.execute("ATTACH ?1 AS mine", [mine.to_str().unwrap()]).unwrap();
    conn.query_row(
        "SELECT COUNT(*) FROM main.changes AS c
         WHERE NOT EXISTS (SELECT 1 FROM mine.changes AS m WHERE m.id = c.id AND m.hash = c.hash)",
        [],
        |r| r.get::<_, i64>(0),
    )
    .unwrap() as u64
}

fn messages(db: &Path) -> HashSet<String> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT message FROM changes WHERE message IS NOT NULL").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn database_id(db: &Path) -> String {
    Connection::open(db)
        .unwrap()
        .query_row("SELECT value FROM meta WHERE key = 'database_id'", [], |r| r.get(0))
        .unwrap()
}

/// Wait until another process holds the database's write lock.
fn wait_for_a_writer(db: &Path) {
    let conn = Connection::open(db).unwrap();
    conn.busy_timeout(Duration::ZERO).unwrap();
    let start = Instant::now();
    while conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;").is_ok() {
        assert!(start.elapsed() < Duration::from_secs(30), "no writer took the lock");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A copy of the database at `from` as an admin whose newest migration was `version` wrote it:
/// the schema made by the real migrations up to that version (refinery's history rows and all),
/// and the rows of `from` in the columns that version has.
pub fn as_older_admin_wrote_it(from: &Path, version: i32, to: &Path) {
    let mut conn = Connection::open(to).unwrap();
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).unwrap();
    embedded::migrations::runner().set_target(refinery::Target::Version(version)).run(&mut conn).unwrap();
    conn.execute("ATTACH ?1 AS now", [from.to_str().unwrap()]).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name != 'refinery_schema_history'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for table in tables {
        let columns: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        // a review's key was its own row id before schema 12 made it the change that made it
        let source: Vec<String> = columns
            .iter()
            .map(|c| if table == "reviews" && c == "id" { "change_id".to_owned() } else { c.clone() })
            .collect();
        let (columns, source) = (columns.join(", "), source.join(", "));
        // what schema 12 records in meta, an older admin's database does not have
        let only = if table == "meta" && version < 12 { " WHERE key = 'database_id'" } else { "" };
        conn.execute(
            &format!("INSERT INTO main.{table} ({columns}) SELECT {source} FROM now.{table}{only}"),
            [],
        )
        .unwrap();
    }
    conn.execute_batch("DETACH now").unwrap();
}

#[test]
fn writes_made_while_restore_runs_are_in_the_restored_database_or_in_the_copy_it_reports() {
    let env = TestEnv::init();
    env.ok(&["backup", "backup.db"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof", "-m", "before restore"]);
    let stop = AtomicBool::new(false);
    let ok_writes = AtomicUsize::new(0);
    let (out, writes) = std::thread::scope(|scope| {
        let writers: Vec<_> = ["essex-police", "dorset-police"]
            .into_iter()
            .map(|force| {
                let (env, stop, ok_writes) = (&env, &stop, &ok_writes);
                scope.spawn(move || {
                    let (mut writes, mut after_stop) = (Vec::new(), 0);
                    for i in 0.. {
                        let message = format!("{force} {i}");
                        let url = format!("https://www.example.org/{force}/{i}");
                        let run = env.run(&["set-url", force, &url, "-m", &message]);
                        assert_eq!(run.code, 0, "a write failed while restore ran: {}", run.stderr);
                        ok_writes.fetch_add(1, Ordering::SeqCst);
                        writes.push(message);
                        // a few writes once restore is done: they go into the restored database
                        after_stop += usize::from(stop.load(Ordering::SeqCst));
                        if after_stop == 3 {
                            break;
                        }
                    }
                    writes
                })
            })
            .collect();
        let start = Instant::now();
        while ok_writes.load(Ordering::SeqCst) < 4 && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let restore = env.run(&["restore", "backup.db"]);
        stop.store(true, Ordering::SeqCst);
        let writes: Vec<String> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
        assert_eq!(restore.code, 0, "{}", restore.stderr);
        (restore.stdout, writes)
    });
    let (copy, said) = kept(&env, &out);
    assert_eq!(said, lacking(&copy, &env.db), "restore miscounted what its kept copy holds:\n{out}");
    let (restored, old) = (messages(&env.db), messages(&copy));
    for write in &writes {
        assert!(restored.contains(write) || old.contains(write), "{write:?} was lost:\n{out}");
    }
    assert!(old.contains("before restore") && !restored.contains("before restore"));
    assert!(writes.iter().any(|w| old.contains(w) && !restored.contains(w)), "no write went before");
    assert!(writes.iter().any(|w| restored.contains(w) && !old.contains(w)), "no write went after");
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
    assert!(env.ok(&["--db", copy.to_str().unwrap(), "audit", "verify"]).contains("intact"));
}

#[test]
fn an_import_holding_the_lock_finishes_first_and_restore_reports_it() {
    let env = TestEnv::init();
    env.ok(&["backup", "backup.db"]);
    let mut csv = String::from("slug,name,url,status\n");
    for i in 0..10_000 {
        csv.push_str(&format!("imported-{i},Imported Force {i},https://f{i}.example.org/,active\n"));
    }
    std::fs::write(env.path("big.csv"), csv).unwrap();
    let import = env
        .command()
        .args(["import", "big.csv", "-m", "the big import"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_a_writer(&env.db);
    // restore starts while the import's transaction is open: it waits for it, then keeps it
    let out = env.ok(&["restore", "backup.db"]);
    let import = import.wait_with_output().unwrap();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    assert!(out.contains("10000 changes in it are not in the restored database"), "{out}");
    let (copy, _) = kept(&env, &out);
    let forces = |db: &Path| -> i64 {
        Connection::open(db).unwrap().query_row("SELECT COUNT(*) FROM forces", [], |r| r.get(0)).unwrap()
    };
    assert_eq!((forces(&copy), forces(&env.db)), (10_045, 45));
    assert!(env.ok(&["audit", "verify"]).contains("46 changes"));
}

#[test]
fn a_backup_from_an_older_admin_is_migrated_on_a_copy_and_verified() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["note", "add", "--force", "kent-police", "figures for 2024 missing"]);
    env.ok(&["backup", "now.db"]);
    let id = database_id(&env.db);
    for version in [10, 6] {
        let old = env.path(&format!("v{version}.db"));
        as_older_admin_wrote_it(&env.path("now.db"), version, &old);
        let before = bytes(&old);
        env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/since"]);
        let out = env.ok(&["restore", old.to_str().unwrap()]);
        assert!(
            out.contains(&format!("48 changes, audit log verified, migrated from schema version {version}")),
            "{out}"
        );
        assert!(out.contains("1 change in it is not in the restored database"), "{out}");
        assert_eq!(bytes(&old), before, "the backup itself was migrated");
        assert_eq!(
            env.json(&["show", "kent-police", "--json"])["force"]["url"],
            "https://www.kent.police.uk/uof"
        );
        assert_eq!(env.json(&["note", "list", "--json"])["notes"][0]["text"], "figures for 2024 missing");
        // the same database: it keeps its id (a backup from before ids was given one, then this)
        assert_eq!(database_id(&env.db), id, "schema version {version}");
        assert!(env.ok(&["audit", "verify"]).contains("intact"));
    }
    // what an admin newer than this one wrote: refused, nothing changed
    std::fs::copy(env.path("now.db"), env.path("future.db")).unwrap();
    Connection::open(env.path("future.db"))
        .unwrap()
        .execute("INSERT INTO refinery_schema_history VALUES (99, 'from_the_future', '2099-01-01', '0')", [])
        .unwrap();
    let before = bytes(&env.db);
    let err = env.fails(&["restore", "future.db"], 1);
    assert!(err.contains("migrated by a newer admin (schema version 99"), "{err}");
    assert_eq!(bytes(&env.db), before);
}

/// A row of refinery's schema history that refinery cannot read (it reads them all before it
/// migrates, and ended the process on some): an older database holding one, opened or given to
/// restore, is refused as damaged in one line naming what is wrong, and nothing is changed.
/// A copy of the test's `now.db` as `name`, with `sql` run on it.
fn copy_then(env: &TestEnv, name: &str, sql: &str) -> std::path::PathBuf {
    let copy = env.path(name);
    std::fs::copy(env.path("now.db"), &copy).unwrap();
    Connection::open(&copy).unwrap().execute_batch(sql).unwrap();
    copy
}

#[test]
fn an_unreadable_schema_history_row_is_refused_as_damaged_never_a_panic() {
    let env = TestEnv::init();
    env.ok(&["backup", "now.db"]);
    let older = env.path("v10.db");
    as_older_admin_wrote_it(&env.path("now.db"), 10, &older);
    let cases = [
        ("checksum = 'not a number'", "the row of version 3 has a checksum that is not a number"),
        ("checksum = '-5'", "the row of version 3 has a checksum that is not a number"),
        ("checksum = ' 123'", "the row of version 3 has a checksum that is not a number"),
        ("checksum = NULL", "the row of version 3 has a checksum that is not a number"),
        ("applied_on = 'yesterday'", "the row of version 3 has a time that is not in RFC 3339"),
        ("applied_on = NULL", "the row of version 3 has a time that is not in RFC 3339"),
        ("name = NULL", "the row of version 3 has no name"),
        ("version = 'three'", "a version that is not a whole number"),
        ("version = 3.5", "a version that is not a whole number"),
        // readable, but what refinery refuses to migrate past, in its own words and no hint
        ("checksum = '123'", "has the checksum 123, not "),
        ("name = 'renamed'", "the row of version 3 names \"renamed\", but this admin's migration 3 is \""),
        ("version = -7", "the row of version -7 names \""),
    ];
    let updates =
        cases.map(|(set, why)| (format!("UPDATE refinery_schema_history SET {set} WHERE version = 3"), why));
    // what refinery would read, and migrate past, into a database then refused
    let rebuilt =
        "CREATE TABLE h AS SELECT * FROM refinery_schema_history; DROP TABLE refinery_schema_history;";
    let others = [
        ("DELETE FROM refinery_schema_history WHERE version = 5".to_owned(), "the row of version 5 (\""),
        (format!("{rebuilt} ALTER TABLE h RENAME TO refinery_schema_history"), "is not the one refinery makes"),
        (
            format!("{rebuilt} CREATE TABLE refinery_schema_history(version INT4 PRIMARY KEY, name VARCHAR(255), applied_on VARCHAR(255), checksum VARCHAR(255)) WITHOUT ROWID; INSERT INTO refinery_schema_history SELECT * FROM h; DROP TABLE h"),
            "is not the one refinery makes",
        ),
        (
            "CREATE TRIGGER t AFTER INSERT ON refinery_schema_history BEGIN SELECT 1; END".to_owned(),
            "is not the one refinery makes",
        ),
    ];
    for (statement, why) in updates.into_iter().chain(others) {
        let set = &statement;
        let damaged = env.path("damaged.db");
        std::fs::copy(&older, &damaged).unwrap();
        let conn = Connection::open(&damaged).unwrap();
        conn.execute_batch(&statement).unwrap();
        // a name key an older admin made, which opening recomputes: not before the history is read
        conn.execute("UPDATE forces SET name_key = 'stale' WHERE slug = 'kent-police'", []).unwrap();
        drop(conn);
        let before = bytes(&damaged);
        let run = env.run(&["--db", damaged.to_str().unwrap(), "list"]);
        assert_eq!(run.code, 1, "{set}: {}", run.stderr);
        crate::testenv::assert_error_shape(&run.stderr);
        assert!(
            run.stderr.contains("damaged schema history") && run.stderr.contains(why),
            "{set}: {}",
            run.stderr
        );
        assert_eq!(bytes(&damaged), before, "{set}: the database was changed");

        let live = bytes(&env.db);
        let err = env.fails(&["restore", damaged.to_str().unwrap()], 1);
        crate::testenv::assert_error_shape(&err);
        assert!(err.contains("it is damaged") && err.contains(why), "{set}: {err}");
        assert_eq!(bytes(&env.db), live, "{set}: restore changed the database");
        assert_eq!(bytes(&damaged), before, "{set}: restore changed the backup");
        let left: Vec<_> = std::fs::read_dir(env.path("."))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains(".restore-"))
            .collect();
        assert!(left.is_empty(), "{set}: restore left {left:?}");
    }

    // A database a newer admin migrated is refused as that, whatever its rows hold, on opening
    // as by `restore`: this admin does not know how the newer one reads them.
    let newer = env.path("newer.db");
    std::fs::copy(&older, &newer).unwrap();
    Connection::open(&newer)
        .unwrap()
        .execute("INSERT INTO refinery_schema_history VALUES (99, 'from_the_future', 'later', 'x')", [])
        .unwrap();
    let run = env.run(&["--db", newer.to_str().unwrap(), "list"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("migrated by a newer admin (schema version 99"), "{}", run.stderr);
    let err = env.fails(&["restore", newer.to_str().unwrap()], 1);
    assert!(err.contains("migrated by a newer admin (schema version 99"), "{err}");

    // At the newest schema no migration runs, so such a row is not read to open the database;
    // `audit verify` names it, and so `restore`, which verifies a backup before it goes in.
    let newest = copy_then(
        &env,
        "newest.db",
        "UPDATE refinery_schema_history SET checksum = 'not a number' WHERE version = 3",
    );
    let db = newest.to_str().unwrap();
    env.ok(&["--db", db, "list"]);
    let err = env.fails(&["--db", db, "audit", "verify"], 1);
    crate::testenv::assert_error_shape(&err);
    assert!(
        err.contains("schema history (refinery_schema_history) is damaged: the row of version 3 has a checksum that is not a number"),
        "{err}"
    );
    env.ok(&["--db", db, "backup", "newest-backup.db"]);
    let live = bytes(&env.db);
    let err = env.fails(&["restore", "newest-backup.db"], 1);
    crate::testenv::assert_error_shape(&err);
    assert!(err.contains("fails `admin audit verify`") && err.contains("is damaged"), "{err}");
    assert_eq!(bytes(&env.db), live);

    // the newest migration's row removed: opening it runs that migration again, which fails in
    // one line, with the hint, the file left as it is
    let rerun = copy_then(
        &env,
        "rerun.db",
        "DELETE FROM refinery_schema_history WHERE version = (SELECT MAX(version) FROM refinery_schema_history)",
    );
    let before = bytes(&rerun);
    let err = env.fails(&["--db", rerun.to_str().unwrap(), "list"], 1);
    assert!(
        err.contains("could not be migrated from schema version") && err.contains("already exists"),
        "{err}"
    );
    assert!(err.contains("\nhint: ") && !err.contains("CREATE"), "{err}");
    assert_eq!(bytes(&rerun), before);

    // a row edited but still readable: `audit verify` names it too
    Connection::open(&newest)
        .unwrap()
        .execute("UPDATE refinery_schema_history SET checksum = '123' WHERE version = 3", [])
        .unwrap();
    let err = env.fails(&["--db", db, "audit", "verify"], 1);
    assert!(
        err.contains("is damaged: the row of version 3 (") && err.contains("has the checksum 123"),
        "{err}"
    );
}

#[test]
fn a_backup_of_another_database_needs_other_database() {
    let env = TestEnv::init();
    let other = TestEnv::empty();
    other.set_epoch(crate::testenv::EPOCH - 3600);
    other.ok(&["init"]);
    other.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    other.ok(&["backup", env.path("other.db").to_str().unwrap()]);
    as_older_admin_wrote_it(&env.path("other.db"), 6, &env.path("other-v6.db"));
    let names = |env: &TestEnv| {
        let mut names: Vec<_> =
            std::fs::read_dir(env.dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        names
    };
    let (before, files) = (bytes(&env.db), names(&env));
    for backup in ["other.db", "other-v6.db"] {
        let err = env.fails(&["restore", backup], 2);
        assert!(err.contains(&format!("error: the backup `{backup}` is of another database (")), "{err}");
        assert!(err.contains(&format!("hint: to replace this database with it all the same: admin restore --other-database {backup}")), "{err}");
        assert_eq!((bytes(&env.db), names(&env)), (before.clone(), files.clone()), "{backup}");
    }
    let id = database_id(&env.path("other.db"));
    let out = env.ok(&["restore", "--other-database", "other.db"]);
    assert!(
        out.contains(&format!("the backup is of another database: `{}` was id ", env.db.display())),
        "{out}"
    );
    assert!(out.contains(&format!(", it is now id {id}")), "{out}");
    assert_eq!(database_id(&env.db), id);
    assert_eq!(
        env.json(&["show", "essex-police", "--json"])["force"]["url"],
        "https://www.essex.police.uk/uof"
    );
}
