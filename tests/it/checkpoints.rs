//! Checkpoints of the state (derived data, every N changes): a reading of the past that starts
//! from one says what a replay of the whole log says, `audit verify` names one edited, moved,
//! added or missing behind admin's back, and one that cannot be read is passed over. A debug
//! build takes N from `UOF_CHECKPOINT_EVERY`, so a small log has checkpoints too.
use crate::testenv::{Run, TestEnv, EPOCH};

/// An environment whose every command keeps a checkpoint every five changes.
fn every_five() -> TestEnv {
    let env = TestEnv::init();
    env.set_var("UOF_CHECKPOINT_EVERY", "5");
    env
}

/// Kent Police's link set twelve times, a minute apart, with a checkpoint every five changes:
/// eleven checkpoints, the last at change 55.
fn kent_linked_twelve_times() -> TestEnv {
    let env = every_five();
    for step in 0..12i64 {
        env.set_epoch(EPOCH + 60 * (step + 1));
        env.ok(&["set-url", "kent-police", &format!("https://www.kent.police.uk/{step}")]);
    }
    env
}

fn checkpoints(db: &std::path::Path) -> Vec<i64> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT change FROM checkpoints ORDER BY change").unwrap();
    let rows = stmt.query_map([], |row| row.get(0)).unwrap();
    rows.collect::<rusqlite::Result<Vec<i64>>>().unwrap()
}

fn at(epoch: i64) -> String {
    chrono::DateTime::from_timestamp(epoch, 0).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Forty changes of several kinds, one a minute: the database `init` made has none, so the
/// first change writes the nine due by then.
fn forty_changes(env: &TestEnv) -> Vec<(i64, serde_json::Value)> {
    let slugs = ["kent-police", "essex-police", "surrey-police", "city-of-london-police"];
    let mut snapshots = Vec::new();
    for step in 0..40i64 {
        let epoch = EPOCH + 60 * (step + 1);
        env.set_epoch(epoch);
        let slug = slugs[step as usize % slugs.len()];
        match step % 4 {
            0 | 1 => env.ok(&["set-url", slug, &format!("https://www.example.police.uk/{step}")]),
            2 => env.ok(&["note", "add", "--force", slug, &format!("note {step}")]),
            _ => env.ok(&["rename-force", slug, &format!("Force {step}")]),
        };
        snapshots.push((epoch, env.json(&["list", "--all", "--json"])));
    }
    snapshots
}

/// `list --all --json --as-of WHEN` on another database file, with the same checkpoint interval.
fn list_on(env: &TestEnv, db: &std::path::Path, when: &str) -> serde_json::Value {
    let out = env.command().env("UOF_DB", db).args(["list", "--all", "--json", "--as-of", when]).output();
    let run: Run = out.unwrap().into();
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn list_as_of_from_a_checkpoint_is_what_a_whole_replay_says_at_every_moment() {
    let env = every_five();
    let snapshots = forty_changes(&env);
    assert_eq!(env.change_count(), 86);
    assert_eq!(checkpoints(&env.db), (1..=17).map(|n| n * 5).collect::<Vec<i64>>());
    // the same database without its checkpoints: every reading replays the whole log
    let plain = env.path("plain.db");
    std::fs::copy(&env.db, &plain).unwrap();
    rusqlite::Connection::open(&plain).unwrap().execute("DELETE FROM checkpoints", []).unwrap();
    for (epoch, expected) in &snapshots {
        for when in [at(*epoch), at(epoch + 30)] {
            let replayed = env.json(&["list", "--all", "--json", "--as-of", &when]);
            assert_eq!(&replayed, expected, "as of {when}, from a checkpoint");
            assert_eq!(list_on(&env, &plain, &when), *expected, "as of {when}, the whole log");
        }
    }
    for when in ["2020-01-01T00:00:00Z", &at(EPOCH), "9999-12-31T00:00:00Z"] {
        assert_eq!(
            env.json(&["list", "--all", "--json", "--as-of", when]),
            list_on(&env, &plain, when),
            "{when}"
        );
    }
    let then = env.json(&["show", "city-of-london-police", "--as-of", &at(EPOCH + 60 * 13), "--json"]);
    assert_eq!(then["force"]["name"], "Force 11");
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn a_checkpoint_edited_moved_or_added_behind_admins_back_is_named_by_audit_verify() {
    let env = kent_linked_twelve_times();
    assert_eq!(checkpoints(&env.db), (1..=11).map(|n| n * 5).collect::<Vec<i64>>());
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let original: String =
        conn.query_row("SELECT state FROM checkpoints WHERE change = 50", [], |row| row.get(0)).unwrap();
    conn.execute(
        "UPDATE checkpoints SET state = replace(state, 'Kent Police', 'Kent Po1ice') WHERE change = 50",
        [],
    )
    .unwrap();
    // a reading of the moment of change 50 starts from its checkpoint: it shows the edit, which
    // only `audit verify` can name (a later change to Kent Police carries the log's word again)
    let then = env.json(&["list", "--json", "--as-of", &at(EPOCH + 60 * 4)]);
    assert!(then["forces"].as_array().unwrap().iter().any(|f| f["name"] == "Kent Po1ice"), "{then}");
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("checkpoint of the state at change 50"), "{err}");
    assert!(err.contains("hint: "), "{err}");
    conn.execute("UPDATE checkpoints SET state = ?1 WHERE change = 50", [&original]).unwrap();
    assert!(env.ok(&["audit", "verify"]).contains("intact"));

    // another change's state at change 5, then a copy of the true one at a change no checkpoint
    // is kept at, then one of a change the log does not have
    conn.execute("UPDATE checkpoints SET state = ?1 WHERE change = 5", [&original]).unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("checkpoint of the state at change 5 "), "another change's state: {err}");
    conn.execute("DELETE FROM checkpoints WHERE change = 5", []).unwrap();
    conn.execute(
        "INSERT INTO checkpoints (change, state) SELECT 51, state FROM checkpoints WHERE change = 50",
        [],
    )
    .unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("at change 51 (table checkpoints) is at a change admin keeps none at"), "{err}");
    conn.execute("DELETE FROM checkpoints WHERE change = 51", []).unwrap();
    // (its foreign key refuses one of no change, unless the writer turned the check off)
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    conn.execute("INSERT INTO checkpoints (change, state) VALUES (9999, ?1)", [&original]).unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(
        err.contains(
            "checkpoint of the state at change 9999 (table checkpoints) is of a change the log does not have"
        ),
        "{err}"
    );
    conn.execute("DELETE FROM checkpoints WHERE change = 9999", []).unwrap();
    // change 5's is missing while later ones are kept: named, and the next change writes it again
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("at change 5 (table checkpoints) is missing"), "{err}");
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/again"]);
    assert_eq!(checkpoints(&env.db), (1..=11).map(|n| n * 5).collect::<Vec<i64>>());
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
    let list = env.json(&["list", "--json", "--as-of", &at(EPOCH + 60 * 8)]);
    let kent =
        list["forces"].as_array().unwrap().iter().find(|f| f["slug"] == "kent-police").unwrap().clone();
    assert_eq!(kent["url"], "https://www.kent.police.uk/7");
}

/// A copy of the database at `from`, made at `to` with its text kept in UTF-16: the same
/// schema, rows and values, as SQLite stores them in such a file.
fn utf16_copy(from: &std::path::Path, to: &std::path::Path) {
    let source = rusqlite::Connection::open(from).unwrap();
    let copy = rusqlite::Connection::open(to).unwrap();
    copy.execute_batch("PRAGMA encoding = 'UTF-16le'; PRAGMA journal_mode = WAL").unwrap();
    let mut stmt = source
        .prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
        .unwrap();
    let objects: Vec<(String, String, String)> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let tx = copy.unchecked_transaction().unwrap();
    for (kind, name, sql) in &objects {
        tx.execute_batch(sql).unwrap();
        if kind != "table" {
            continue;
        }
        let mut rows = source.prepare(&format!("SELECT * FROM \"{name}\"")).unwrap();
        let width = rows.column_count();
        let marks = vec!["?"; width].join(", ");
        let mut insert = tx.prepare(&format!("INSERT INTO \"{name}\" VALUES ({marks})")).unwrap();
        let mut read = rows.query([]).unwrap();
        while let Some(row) = read.next().unwrap() {
            let values: Vec<rusqlite::types::Value> = (0..width).map(|i| row.get(i).unwrap()).collect();
            insert.execute(rusqlite::params_from_iter(values)).unwrap();
        }
    }
    tx.commit().unwrap();
}

#[test]
fn a_checkpoint_that_is_not_text_is_named_as_such() {
    let env = kent_linked_twelve_times();
    // only a schema edited behind admin's back lets the column hold anything but text
    env.sql()
        .execute_batch(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_master SET sql = replace(sql, 'state TEXT NOT NULL', 'state') WHERE name = 'checkpoints';
             PRAGMA writable_schema = OFF;",
        )
        .unwrap();
    for (value, named) in [("NULL", "NULL"), ("55", "an integer"), ("5.5", "a real number")] {
        env.sql().execute(&format!("UPDATE checkpoints SET state = {value} WHERE change = 55"), []).unwrap();
        let err = env.fails(&["audit", "verify"], 1);
        let expected =
            format!("the checkpoint of the state at change 55 (table checkpoints) cannot be read (its state is {named}, not text)");
        assert!(err.contains(&expected), "{err}");
    }
}

#[test]
fn a_database_that_keeps_its_text_in_utf16_has_its_checkpoints_read_as_text() {
    let env = kent_linked_twelve_times();
    let copy = env.path("utf16.db");
    utf16_copy(&env.path("uof.db"), &copy);
    let copy = copy.to_str().unwrap();
    let encoding: String =
        rusqlite::Connection::open(copy).unwrap().query_row("PRAGMA encoding", [], |row| row.get(0)).unwrap();
    assert_eq!(encoding, "UTF-16le");
    assert_eq!(checkpoints(std::path::Path::new(copy)), (1..=11).map(|k| k * 5).collect::<Vec<_>>());
    // it verifies as the file it was copied from does
    let verified = env.ok(&["audit", "verify"]);
    assert!(verified.starts_with("audit log verified:"), "{verified}");
    assert_eq!(env.ok(&["--db", copy, "audit", "verify"]), verified);
    // one edited in such a file is named as in any other
    rusqlite::Connection::open(copy)
        .unwrap()
        .execute(
            "UPDATE checkpoints SET state = replace(state, 'Kent Police', 'Kent Po1ice') WHERE change = 50",
            [],
        )
        .unwrap();
    let err = env.fails(&["--db", copy, "audit", "verify"], 1);
    assert!(
        err.contains("the checkpoint of the state at change 50 (table checkpoints) is not the state"),
        "{err}"
    );
}

#[test]
fn a_checkpoint_that_cannot_be_read_is_passed_over_and_named() {
    let env = kent_linked_twelve_times();
    let when = at(EPOCH + 60 * 12);
    let expected = env.json(&["list", "--all", "--json", "--as-of", &when]);
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    for (what, sql) in [
        ("not JSON", "UPDATE checkpoints SET state = '<script>' WHERE change = 55"),
        ("empty", "UPDATE checkpoints SET state = '' WHERE change = 55"),
        ("a NUL byte", "UPDATE checkpoints SET state = 'a' || char(0) || 'b' WHERE change = 55"),
        ("bytes, not text", "UPDATE checkpoints SET state = CAST(state AS BLOB) WHERE change = 55"),
    ] {
        let saved: String =
            conn.query_row("SELECT state FROM checkpoints WHERE change = 50", [], |r| r.get(0)).unwrap();
        conn.execute("UPDATE checkpoints SET state = ?1 WHERE change = 55", [&saved]).unwrap();
        conn.execute(sql, []).unwrap();
        // a reading of the past starts further back, and says what the log says
        assert_eq!(env.json(&["list", "--all", "--json", "--as-of", &when]), expected, "{what}");
        let shown = env.json(&["show", "kent", "--as-of", &when, "--json"]);
        assert_eq!(shown["force"]["url"], "https://www.kent.police.uk/11", "{what}");
        let err = env.fails(&["audit", "verify"], 1);
        assert!(err.contains("checkpoint of the state at change 55"), "{what}: {err}");
    }
    // without its table a database is not the one admin's migrations make: verify names the
    // schema, and readings and changes still work from the log alone
    conn.execute_batch("DROP TABLE checkpoints").unwrap();
    assert_eq!(env.json(&["list", "--all", "--json", "--as-of", &when]), expected);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/after"]);
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("schema") && err.contains("checkpoints"), "{err}");
}

#[test]
fn a_reading_from_a_checkpoint_names_the_first_change_it_cannot_read() {
    // the changes after a checkpoint are read on one thread and applied on another: of two that
    // cannot be read, the earlier is the one named, as a replay on one thread names it
    let env = kent_linked_twelve_times();
    crate::testenv::behind_the_log(
        &env.sql(),
        "UPDATE changes SET after = '{1:2}' WHERE id = 56; UPDATE changes SET action = 'frobnicate' WHERE id = 58",
    );
    let err = env.fails(&["list", "--as-of", &at(EPOCH + 60 * 12)], 1);
    assert!(err.contains("error: change 56 in the audit log cannot be read: a "), "named by its id: {err}");
    assert!(err.contains("unexpected shape"), "{err}");
    assert!(err.contains("hint: run `admin audit verify`"), "{err}");
    assert!(!err.contains("frobnicate"), "{err}");
    // the later one alone, in SQLite's words no more
    crate::testenv::behind_the_log(&env.sql(), "UPDATE changes SET after = before WHERE id = 56");
    let err = env.fails(&["show", "kent-police", "--as-of", &at(EPOCH + 60 * 12)], 1);
    assert!(
        err.contains("error: change 58 in the audit log cannot be read: unknown action \"frobnicate\""),
        "{err}"
    );
    assert!(!err.contains("Conversion error"), "{err}");
}

#[test]
fn a_reading_from_a_checkpoint_and_verify_keep_their_own_stack_whatever_rust_min_stack_says() {
    // the threads admin starts set their stack: a tiny default one would overflow and abort
    let env = kent_linked_twelve_times();
    env.set_var("RUST_MIN_STACK", "4096");
    let when = at(EPOCH + 60 * 12);
    let list = env.json(&["list", "--all", "--json", "--as-of", &when]);
    let kent =
        list["forces"].as_array().unwrap().iter().find(|f| f["slug"] == "kent-police").unwrap().clone();
    assert_eq!(kent["url"], "https://www.kent.police.uk/11");
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn under_an_address_space_limit_everything_runs_on_one_thread_and_says_the_same() {
    // a limited address space (`ulimit -v`) starts no second thread: the readings, verify and
    // publish then take their one-thread paths, and must say what they say with two
    let env = kent_linked_twelve_times();
    let when = at(EPOCH + 60 * 12);
    let two = env.json(&["list", "--all", "--json", "--as-of", &when]);
    let limited = |args: &str| env.shell(&format!("ulimit -v 8000000 && \"$ADMIN\" {args}"));
    let one = limited(&format!("list --all --json --as-of {when}"));
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&one.stdout).unwrap(), two);
    let verify = limited("audit verify");
    assert_eq!(verify.code, 0, "{}", verify.stderr);
    assert!(verify.stdout.contains("intact"), "{}", verify.stdout);
    let published = limited("publish");
    assert_eq!(published.code, 0, "{}", published.stderr);
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}
