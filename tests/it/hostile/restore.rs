//! `admin restore BACKUP`: a verified backup replaces the database, the old file and its -wal and
//! -shm are moved aside, and a stale WAL is never replayed over the restored copy. A backup that
//! is not a verified uof-admin database changes nothing.
use super::refused;
use crate::testenv::{bytes, TestEnv};

fn heading(env: &TestEnv) -> String {
    env.sql().query_row("SELECT value FROM page WHERE key = 'heading'", [], |r| r.get(0)).unwrap()
}

/// Leave a `-wal` beside the database as a crashed writer would: it holds a committed write
/// (the heading set to "stale") that was never checkpointed into the file.
fn leave_a_stale_wal(env: &TestEnv) {
    let wal = env.path("uof.db-wal");
    let saved = env.path("saved-wal");
    {
        let conn = env.sql();
        conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        conn.execute("UPDATE page SET value = 'stale' WHERE key = 'heading'", []).unwrap();
        std::fs::copy(&wal, &saved).unwrap();
    }
    std::fs::copy(&saved, &wal).unwrap();
}

#[test]
fn restore_replaces_the_database_and_never_replays_a_stale_wal() {
    let env = TestEnv::init();
    env.ok(&["backup", "backup.db"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    leave_a_stale_wal(&env);

    // what operations.md used to say: copy it into place. SQLite replays the stale WAL over it.
    std::fs::copy(env.path("backup.db"), env.path("copied.db")).unwrap();
    std::fs::copy(env.path("uof.db-wal"), env.path("copied.db-wal")).unwrap();
    let copied = rusqlite::Connection::open(env.path("copied.db")).unwrap();
    let h: String =
        copied.query_row("SELECT value FROM page WHERE key = 'heading'", [], |r| r.get(0)).unwrap();
    assert_eq!(h, "stale", "the old way does not show the problem any more");
    drop(copied);

    let out = env.ok(&["restore", "backup.db"]);
    assert!(out.contains("restored") && out.contains("46 changes, audit log verified"), "{out}");
    let aside = "uof.db.replaced-20251124T160000Z";
    assert!(out.contains(aside), "{out}");
    assert!(env.path(aside).exists() && env.path(&format!("{aside}-wal")).exists(), "{out}");
    assert!(!env.path("uof.db-wal").exists() || bytes(&env.path("uof.db-wal")).is_empty());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&env.db).unwrap().permissions().mode() & 0o777, 0o600);

    assert_eq!(heading(&env), "Use of Force Data", "the stale WAL was replayed");
    assert_eq!(env.json(&["show", "kent-police", "--json"])["force"]["url"], serde_json::Value::Null);
    assert_eq!(env.change_count(), 46);
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
    // the replaced database, with its WAL, is whole and can be opened as it was
    let old = rusqlite::Connection::open(env.path(aside)).unwrap();
    let url: Option<String> =
        old.query_row("SELECT url FROM forces WHERE slug = 'kent-police'", [], |r| r.get(0)).unwrap();
    assert_eq!(url.as_deref(), Some("https://www.kent.police.uk/uof"));

    // a second restore in the same second keeps both replaced copies
    let out = env.ok(&["restore", "backup.db"]);
    assert!(out.contains(&format!("{aside}-2")), "{out}");
}

#[test]
fn a_backup_that_fails_verification_or_is_not_ours_changes_nothing() {
    let env = TestEnv::init();
    env.ok(&["backup", "good.db"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);

    // an altered change: the audit chain no longer verifies
    std::fs::copy(env.path("good.db"), env.path("tampered.db")).unwrap();
    let conn = rusqlite::Connection::open(env.path("tampered.db")).unwrap();
    conn.execute_batch("DROP TRIGGER IF EXISTS changes_no_update;").unwrap();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'changes'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{t}\";")).unwrap();
    }
    conn.execute("UPDATE changes SET editor = 'mallory' WHERE id = 7", []).unwrap();
    drop(conn);
    // another program's SQLite database, a text file, an empty file, a truncated backup
    let other = rusqlite::Connection::open(env.path("other.db")).unwrap();
    other.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    drop(other);
    std::fs::write(env.path("text.db"), "not a database\n").unwrap();
    std::fs::write(env.path("empty.db"), "").unwrap();
    let good = std::fs::read(env.path("good.db")).unwrap();
    std::fs::write(env.path("truncated.db"), &good[..good.len() / 2]).unwrap();
    std::fs::create_dir(env.path("dir.db")).unwrap();

    let files = |env: &TestEnv| {
        let mut names: Vec<String> = std::fs::read_dir(env.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    let before = files(&env);
    for (backup, wants) in [
        ("tampered.db", "change 7"),
        ("other.db", "not a uof-admin database"),
        ("text.db", "not a uof-admin database"),
        ("empty.db", "not a uof-admin database"),
        ("truncated.db", "cannot be restored"),
        ("dir.db", "not a file"),
        ("missing.db", "cannot read"),
        ("uof.db", "the database itself"),
    ] {
        let err = refused(&env, &["restore", backup]);
        assert!(err.contains(wants), "{backup}: {err}");
        assert_eq!(files(&env), before, "{backup}: files were moved or left behind");
    }
    assert_eq!(
        env.json(&["show", "kent-police", "--json"])["force"]["url"],
        "https://www.kent.police.uk/uof"
    );
}
