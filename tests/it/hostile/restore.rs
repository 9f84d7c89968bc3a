//! `admin restore BACKUP` against hostile backups and damaged databases: a backup that is not a
//! whole, verified uof-admin database holding exactly the schema admin makes is refused (exit 1,
//! or 2 for a path that names no backup) with nothing moved, made or changed; the database it
//! replaces is kept, and a stale WAL is never replayed over the restored copy.
use crate::restore::as_older_admin_wrote_it;
use crate::testenv::{bytes, TestEnv};

fn heading(db: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT value FROM page WHERE key = 'heading'", [], |r| r.get(0)).unwrap()
}

/// Leave a `-wal` beside the database as a crashed writer would: it holds a committed write
/// (the heading set to "stale") that was never checkpointed into the file. Returns a copy of it.
fn leave_a_stale_wal(env: &TestEnv) -> Vec<u8> {
    let wal = env.path("uof.db-wal");
    let saved = {
        let conn = env.sql();
        conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        conn.execute("UPDATE page SET value = 'stale' WHERE key = 'heading'", []).unwrap();
        bytes(&wal)
    };
    std::fs::write(&wal, &saved).unwrap();
    saved
}

/// Every name in the test's directory, hidden ones too.
fn files(env: &TestEnv) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Run `admin restore BACKUP`, expecting exit `code` with one `error:` line and a `hint:`, the
/// database byte-for-byte as it was, and no file moved, made or left behind; returns stderr.
fn refused(env: &TestEnv, backup: &str, code: i32) -> String {
    let (before, names) = (bytes(&env.db), files(env));
    let err = env.fails(&["restore", backup], code);
    assert!(err.contains("\nhint: "), "{backup}: {err}");
    assert_eq!(bytes(&env.db), before, "{backup}: the database changed");
    assert_eq!(files(env), names, "{backup}: files were moved, made or left behind");
    err
}

#[test]
fn restore_keeps_the_database_it_replaces_and_never_replays_a_stale_wal() {
    let env = TestEnv::init();
    env.ok(&["backup", "backup.db"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    leave_a_stale_wal(&env);

    // what operations.md used to say: copy it into place. SQLite replays the stale WAL over it.
    std::fs::copy(env.path("backup.db"), env.path("copied.db")).unwrap();
    std::fs::copy(env.path("uof.db-wal"), env.path("copied.db-wal")).unwrap();
    assert_eq!(heading(&env.path("copied.db")), "stale", "the old way does not show the problem any more");

    let out = env.ok(&["restore", "backup.db"]);
    let aside = "uof.db.replaced-20251124T160000Z";
    assert_eq!(
        out,
        format!("kept the database it replaces as `{}`: 1 change in it is not in the restored database\nrestored `{}` from `backup.db`: 46 changes, audit log verified\n", env.path(aside).display(), env.db.display())
    );
    // one file, whole: the WAL's committed write is in it, as it was in the database it was beside
    assert!(!env.path(&format!("{aside}-wal")).exists() && !env.path(&format!("{aside}-shm")).exists());
    assert!(!env.path("uof.db-wal").exists() || bytes(&env.path("uof.db-wal")).is_empty());
    use std::os::unix::fs::PermissionsExt;
    for file in ["uof.db", aside] {
        assert_eq!(std::fs::metadata(env.path(file)).unwrap().permissions().mode() & 0o777, 0o600, "{file}");
    }
    assert_eq!(heading(&env.db), "Use of Force Data", "the stale WAL was replayed");
    assert_eq!(env.json(&["show", "kent-police", "--json"])["force"]["url"], serde_json::Value::Null);
    assert_eq!(env.change_count(), 46);
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
    assert_eq!(heading(&env.path(aside)), "stale");
    let url = env.json(&["--db", aside, "show", "kent-police", "--json"])["force"]["url"].clone();
    assert_eq!(url, "https://www.kent.police.uk/uof");

    // a second restore in the same second keeps both replaced copies
    let out = env.ok(&["restore", "backup.db"]);
    assert!(out.contains(&format!("{aside}-2`: every change in it is in the restored database")), "{out}");
}

#[test]
fn a_damaged_database_goes_aside_with_its_wal_and_the_wal_is_never_replayed() {
    let env = TestEnv::init();
    env.ok(&["backup", "backup.db"]);
    let wal = leave_a_stale_wal(&env);
    let aside = "uof.db.replaced-20251124T160000Z";
    type Damage = fn(&TestEnv);
    let cases: [(&str, Damage); 3] = [
        ("it was not an SQLite database", |env| std::fs::write(&env.db, vec![b'x'; 8192]).unwrap()),
        ("it was empty", |env| std::fs::write(&env.db, "").unwrap()),
        ("it did not exist", |env| std::fs::remove_file(&env.db).unwrap()),
    ];
    for (n, (why, damage)) in cases.into_iter().enumerate() {
        let name = if n == 0 { aside.to_owned() } else { format!("{aside}-{}", n + 1) };
        let aside = env.path(&name).display().to_string();
        damage(&env);
        std::fs::write(env.path("uof.db-wal"), &wal).unwrap();
        let out = env.ok(&["restore", "backup.db"]);
        let moved = match why {
            "it did not exist" => format!("`{aside}-wal`"),
            _ => format!("`{aside}`, `{aside}-wal`"),
        };
        assert!(
            out.starts_with(&format!("moved the old `{}` aside ({why}) to {moved}\n", env.db.display())),
            "{out}"
        );
        assert_eq!(bytes(&env.path(&format!("{name}-wal"))), wal, "{why}: the WAL was not kept as it was");
        assert_eq!(heading(&env.db), "Use of Force Data", "{why}: the stale WAL was replayed");
        assert!(env.ok(&["audit", "verify"]).contains("46 changes"));
    }
}

#[test]
fn a_backup_that_is_not_a_whole_uof_admin_database_changes_nothing() {
    let env = TestEnv::init();
    env.ok(&["backup", "good.db"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);

    // an altered change, the append-only triggers put back as they were: the chain fails
    std::fs::copy(env.path("good.db"), env.path("tampered.db")).unwrap();
    let conn = rusqlite::Connection::open(env.path("tampered.db")).unwrap();
    let triggers: Vec<String> = conn
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'changes'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    conn.execute_batch("DROP TRIGGER changes_no_update; DROP TRIGGER changes_no_delete;").unwrap();
    conn.execute("UPDATE changes SET editor = 'mallory' WHERE id = 7", []).unwrap();
    for sql in triggers {
        conn.execute_batch(&sql).unwrap();
    }
    drop(conn);
    let other = rusqlite::Connection::open(env.path("other.db")).unwrap();
    other.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    drop(other);
    let good = std::fs::read(env.path("good.db")).unwrap();
    let random: Vec<u8> = (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(env.path("random.db"), random).unwrap();
    std::fs::write(env.path("text.db"), "not a database\n").unwrap();
    std::fs::write(env.path("empty.db"), "").unwrap();
    std::fs::write(env.path("truncated.db"), &good[..good.len() / 2]).unwrap();
    std::fs::create_dir(env.path("dir.db")).unwrap();
    assert!(std::process::Command::new("mkfifo").arg(env.path("fifo.db")).status().unwrap().success());
    // a database in use, its newest writes in its -wal: the file alone is not the database
    std::fs::write(env.path("in-use.db"), &good).unwrap();
    std::fs::write(env.path("in-use.db-wal"), "frames").unwrap();

    for (backup, code, wants) in [
        ("tampered.db", 1, "it fails `admin audit verify`: audit log verification failed at change 7"),
        ("other.db", 1, "it is an SQLite database, but not a uof-admin one"),
        ("random.db", 1, "it is not an SQLite database"),
        ("text.db", 1, "it is not an SQLite database"),
        ("empty.db", 1, "it is empty"),
        ("truncated.db", 1, "cannot be restored: it"),
        ("dir.db", 2, "it is a directory"),
        ("fifo.db", 2, "it is a FIFO (named pipe)"),
        ("in-use.db", 1, "it has a `-wal` beside it"),
        ("missing.db", 2, "cannot read the backup `missing.db`"),
        ("uof.db", 2, "the database itself"),
    ] {
        let err = refused(&env, backup, code);
        assert!(err.contains(wants), "{backup}: {err}");
    }
    assert_eq!(
        env.json(&["show", "kent-police", "--json"])["force"]["url"],
        "https://www.kent.police.uk/uof"
    );
}

#[test]
fn a_backup_holding_schema_objects_admin_did_not_make_is_refused_before_any_runs() {
    let env = TestEnv::init();
    env.ok(&["backup", "good.db"]);
    let planted = [
        (
            "CREATE TRIGGER evil AFTER INSERT ON changes BEGIN UPDATE forces SET url = 'https://evil.example/'; END",
            "it has a trigger `evil` on `changes` that admin's migrations do not make",
        ),
        ("CREATE TABLE stash (x)", "it has a table `stash` that admin's migrations do not make"),
        ("CREATE INDEX forces_by_url ON forces (url)", "it has an index `forces_by_url` on `forces`"),
        ("CREATE VIEW v AS SELECT * FROM forces", "it has a view `v` on `v`"),
        ("DROP TRIGGER changes_no_update", "it lacks the trigger `changes_no_update` that admin's migrations make"),
        (
            "DROP TRIGGER changes_no_delete; CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes WHEN 0 BEGIN SELECT 1; END",
            "its trigger `changes_no_delete` is not the one admin's migrations make",
        ),
    ];
    for (n, (sql, wants)) in planted.iter().enumerate() {
        let backup = format!("planted-{n}.db");
        std::fs::copy(env.path("good.db"), env.path(&backup)).unwrap();
        rusqlite::Connection::open(env.path(&backup)).unwrap().execute_batch(sql).unwrap();
        let err = refused(&env, &backup, 1);
        assert!(
            err.contains(&format!("error: the backup `{backup}` cannot be restored: {wants}")),
            "{sql}: {err}"
        );
        assert!(
            err.contains("(schema version ") && err.contains("was altered after it was written"),
            "{err}"
        );
    }
    // in a backup from an older admin, refused before migrating it could run the trigger
    as_older_admin_wrote_it(&env.path("good.db"), 6, &env.path("old.db"));
    rusqlite::Connection::open(env.path("old.db")).unwrap().execute_batch(planted[0].0).unwrap();
    let err = refused(&env, "old.db", 1);
    assert!(err.contains(&format!("{} (schema version 6)", planted[0].1)), "{err}");
}
