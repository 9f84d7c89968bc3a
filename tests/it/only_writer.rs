//! The log is the only writer (SPEC section 15): each attack a review found, through the binary,
//! refused or caught with the message it gets.
use sha2::{Digest, Sha256};

use crate::signing::{keygen, pubkey, signed};
use crate::testenv::{behind_the_log, bytes, forge_change, TestEnv, EPOCH};

/// `audit verify` fails with exit 1, and its message holds every one of `expect`.
fn verify_fails(env: &TestEnv, what: &str, expect: &[&str]) {
    let err = env.fails(&["audit", "verify"], 1);
    for e in expect {
        assert!(err.contains(e), "{what}: expected {e:?} in: {err}");
    }
}

#[test]
fn a_signed_change_copied_from_another_database_fails_verify() {
    let (train, prod) = (TestEnv::init(), TestEnv::init());
    let key = keygen(&train, "alice_key");
    for env in [&train, &prod] {
        signed(env, "alice", &key, &["editor", "add", "alice", "--role", "admin", "--key", &pubkey(&key)]);
    }
    signed(&train, "alice", &key, &["editor", "add", "mallory", "--role", "admin"]);
    // the same bytes at the same place: before signatures bound the database, this verified
    let canonical = train.command().args(["audit", "canonical", "48"]).output().unwrap().stdout;
    let row: (String, String, String, String, String, String) = train
        .sql()
        .query_row(
            "SELECT at, editor, action, entity, after, signature FROM changes WHERE id = 48",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    let conn = prod.sql();
    let prev: String = conn.query_row("SELECT hash FROM changes WHERE id = 47", [], |r| r.get(0)).unwrap();
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(&canonical);
    let hash = format!("{:x}", hasher.finalize());
    conn.execute(
        "INSERT INTO changes (id, at, editor, action, entity, after, hash, signature) VALUES (48, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![row.0, row.1, row.2, row.3, row.4, hash, row.5],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO editors (name, role, status, added_at, change_id) VALUES ('mallory', 'admin', 'active', ?1, 48)",
        [&row.0],
    )
    .unwrap();
    drop(conn);
    verify_fails(
        &prod,
        "replayed signature",
        &[
            "change 48",
            "the signature does not match for alice's key",
            "in another database, does not hold here",
        ],
    );
    // in its own database it verifies, with admin and with ssh-keygen's bytes
    assert!(train.ok(&["audit", "verify"]).contains("48 changes"));
}

#[test]
fn a_clock_ahead_of_the_system_is_refused_and_locks_nobody_out() {
    let env = TestEnv::init();
    let before = bytes(&env.db);
    let far =
        env.command().env("SOURCE_DATE_EPOCH", "253402300799").args(["note", "add", "x"]).output().unwrap();
    assert_eq!(far.status.code(), Some(1));
    let err = String::from_utf8_lossy(&far.stderr);
    assert!(
        err.contains("the clock says 9999-12-31T23:59:59Z, which is ahead of the system clock ("),
        "{err}"
    );
    assert!(err.contains("hint: check SOURCE_DATE_EPOCH"), "{err}");
    assert_eq!(bytes(&env.db), before, "nothing was written");
    // everyone else goes on writing
    env.ok(&["note", "add", "still works"]);
    // a schedule for 2030: a clock set to then cannot carry it out now
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish", "--out", "site", "--at", "2030-01-01T09:30:00Z"]);
    let run = env
        .command()
        .env("SOURCE_DATE_EPOCH", "1893490200")
        .args(["--editor", "nobody", "publish", "--scheduled", "--out", "site"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stderr).contains("ahead of the system clock"));
    assert!(!env.path("site").exists());
}

#[test]
fn a_schedule_publishes_only_where_it_was_made_for() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let out = env.ok(&["publish", "--out", "site", "--at", "2025-11-25T09:30:00Z"]);
    assert!(out.contains("into `site`"), "{out}");
    env.set_epoch(EPOCH + 86_400);
    let err = env.fails(&["publish", "--scheduled", "--out", "elsewhere"], 2);
    assert!(err.contains("publishes into `") && err.contains("/site`, not `elsewhere`"), "{err}");
    assert!(err.contains("hint: run it with --out "), "{err}");
    assert!(!env.path("elsewhere").exists());
    assert!(env.ok(&["status"]).contains("Scheduled:"), "the schedule is kept");
    // the timer runs `--scheduled` alone, from anywhere: the schedule says where
    let out = env.command().current_dir("/").args(["publish", "--scheduled"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.contains("published major publication 1") && out.contains("/site`"), "{out}");
    assert!(env.path("site/index.html").exists());
}

#[test]
fn two_reviews_alike_are_two_and_a_withdrawn_one_is_the_one_that_goes() {
    let env = TestEnv::init();
    // the same force, second, editor, message and data date
    for _ in 0..2 {
        env.ok(&["review", "kent-police", "--data-to", "2025-09", "-m", "checked"]);
    }
    env.ok(&["publish", "--out", "site"]);
    let ids = |env: &TestEnv| -> Vec<i64> {
        let conn = env.sql();
        let mut stmt = conn.prepare("SELECT change_id FROM reviews ORDER BY change_id").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(ids(&env), [47, 48]);
    let out = env.ok(&["revert", "47", "-m", "recorded twice"]);
    assert!(out.contains("reverted change 47"), "{out}");
    assert_eq!(ids(&env), [48], "the review change 47 made is the one withdrawn");
    assert!(env.ok(&["audit", "verify"]).contains("live tables match"));
    // the data date the page shows did not change: nothing to publish, no note saying it did
    let out = env.ok(&["publish", "--out", "site"]);
    assert!(out.contains("nothing to publish"), "{out}");
    // withdrawn twice: the second time says so
    assert!(env.ok(&["revert", "47"]).contains("already withdrawn by change 50"));
}

#[test]
fn verify_names_every_column_and_schema_object_changed_behind_its_back() {
    let cases: &[(&str, &[&str])] = &[
        (
            "UPDATE notes SET resolved_by = 'mallory'",
            &["table notes, note 1, field resolved_by", "\"mallory\""],
        ),
        (
            "UPDATE notes SET resolved_at = '2020-01-01T00:00:00Z'",
            &["table notes, note 1, field resolved_at"],
        ),
        (
            "UPDATE publications SET head_hash = 'abc'",
            &["publication 1", "it recorded change 48 with hash abc"],
        ),
        ("UPDATE publications SET first_change = 7", &["publication 1", "its row covers changes 7 to 48"]),
        (
            "UPDATE publications SET content_sha256 = 'abc'",
            &["publication 1", "field content_sha256: its row holds \"abc\" but its `publish` change 49 says \""],
        ),
        (
            "UPDATE meta SET value = 'not-this-one' WHERE key = 'database_id'",
            &["publication 1", "records database", "its id was changed"],
        ),
        (
            "UPDATE forces SET change_id = 3 WHERE slug = 'kent-police'",
            &["table forces, force kent-police, field change_id: the table holds 3"],
        ),
        ("DROP TRIGGER changes_no_update", &["schema is not the one admin's migrations make: trigger changes_no_update: the database has no such object"]),
        (
            "CREATE TRIGGER evil AFTER INSERT ON changes BEGIN SELECT 1; END",
            &["trigger evil: the database has CREATE TRIGGER evil", "rebuilt from the log has no such object"],
        ),
        ("CREATE INDEX sneaky ON forces (url)", &["index sneaky: the database has CREATE INDEX sneaky"]),
        ("CREATE VIEW v AS SELECT 1", &["view v: the database has CREATE VIEW v"]),
        ("CREATE TABLE extra (x)", &["table extra: the database has CREATE TABLE extra"]),
        // a trigger made again with other white space: shown escaped, so the difference shows
        (
            "DROP TRIGGER changes_no_update; CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: changes cannot be updated'); END",
            &["trigger changes_no_update: the database has \"CREATE TRIGGER", "BEGIN\\n    SELECT RAISE"],
        ),
    ];
    for (tamper, expect) in cases {
        let env = TestEnv::init();
        env.ok(&["note", "add", "--force", "kent-police", "a note"]);
        env.ok(&["note", "resolve", "1"]);
        env.ok(&["publish", "--out", "site"]);
        assert!(env.ok(&["audit", "verify"]).contains("live tables match"));
        env.sql().execute_batch(tamper).unwrap();
        verify_fails(&env, tamper, expect);
    }
}

#[test]
fn a_review_row_edited_or_planted_is_named_by_its_change() {
    let env = TestEnv::init();
    env.ok(&["review", "kent-police"]);
    behind_the_log(&env.sql(), "SELECT 1");
    env.sql()
        .execute("INSERT INTO reviews (change_id, force_id, at, editor) VALUES (99, 1, 'x', 'mallory')", [])
        .unwrap();
    verify_fails(
        &env,
        "planted review",
        &["table reviews, review 99, field row: the table holds change_id=99"],
    );
}

/// A team where approval is required: alice admin, bob and carol publishers, erin an editor.
fn team() -> TestEnv {
    let env = TestEnv::init();
    env.ok(&["--editor", "alice", "editor", "add", "alice", "--role", "admin"]);
    env.ok(&["--editor", "alice", "editor", "add", "bob", "--role", "publisher"]);
    env.ok(&["--editor", "alice", "editor", "add", "carol", "--role", "publisher"]);
    env.ok(&["--editor", "alice", "editor", "add", "erin"]);
    env
}

/// A change forged into the log (with a valid chain) is named by verify and never obeyed by
/// publish, whatever rule it breaks.
fn forged_is_named(env: &TestEnv, what: &str, expect: &str) {
    verify_fails(env, what, &[expect]);
    let err = env.fails(&["--editor", "bob", "publish", "--out", "site", "--without-approval", "-m", "x"], 1);
    assert!(
        err.contains("the audit log does not hold together at change") && err.contains(expect),
        "{what}: {err}"
    );
}

#[test]
fn a_change_whose_action_does_not_make_its_event_is_not_obeyed() {
    let env = team();
    // erin may set URLs; a "set-url" that makes her an admin is not one
    forge_change(
        &env,
        "erin",
        "set-url",
        "editor",
        None,
        Some(serde_json::json!({"name": "erin", "role": "editor", "status": "active"})),
        Some(serde_json::json!({"name": "erin", "role": "admin", "status": "active"})),
    );
    env.sql().execute("UPDATE editors SET role = 'admin' WHERE name = 'erin'", []).unwrap();
    forged_is_named(
        &env,
        "set-url making an admin",
        "its action set-url does not make a change of an editor",
    );
    let err = env.fails(&["--editor", "erin", "editor", "set-role", "bob", "editor"], 2);
    assert!(err.contains("erin is an editor"), "the registry is the log's: {err}");
}

#[test]
fn approvals_schedules_and_publications_forged_into_the_log_are_named() {
    let content = "0".repeat(64);
    let cases: Vec<(&str, &str, &str, serde_json::Value, &str)> = vec![
        (
            "carol approves her own change",
            "carol",
            "approve",
            serde_json::json!({"content_sha256": content, "changes": [50, 50]}),
            "carol approved content they changed themselves (change 51)",
        ),
        (
            "erin, an editor, approves",
            "erin",
            "approve",
            serde_json::json!({"content_sha256": content, "changes": [50, 50]}),
            "erin was not allowed to make it",
        ),
        (
            "a schedule naming bob, who approved nothing",
            "carol",
            "schedule",
            serde_json::json!({"at": "2030-01-01T00:00:00Z", "content_sha256": content, "note": null, "minor": false, "approved_by": "bob", "without_approval": null}),
            "it says bob approved it, but the log holds no approval by bob",
        ),
        (
            "a publication with neither an approval nor a reason",
            "carol",
            "publish",
            serde_json::json!({"id": 1, "note": "n", "major": true, "sha256": content, "changes": [1, 51]}),
            "it was made with no approval and no recorded reason, while approval was required",
        ),
        (
            "a publication out of turn",
            "carol",
            "publish",
            serde_json::json!({"id": 5, "note": "n", "major": true, "sha256": content, "changes": [1, 51], "without_approval": "x"}),
            "it records publication 5, where the next is 1",
        ),
    ];
    for (what, editor, action, after, expect) in cases {
        let env = team();
        env.ok(&["--editor", "carol", "set-url", "kent-police", "https://www.kent.police.uk/uof"]);
        let entity = match action {
            "approve" => "approval",
            "schedule" => "schedule",
            _ => "publication",
        };
        forge_change(&env, editor, action, entity, None, None, Some(after));
        forged_is_named(&env, what, expect);
    }
}

#[test]
fn values_and_times_admin_refuses_are_named_in_the_log_too() {
    let force = |url: &str| serde_json::json!({"slug": "essex-police", "name": "Essex Police", "url": url, "status": "active"});
    let before =
        serde_json::json!({"slug": "essex-police", "name": "Essex Police", "url": null, "status": "active"});
    let env = TestEnv::init();
    forge_change(
        &env,
        "alice",
        "set-url",
        "force",
        Some("essex-police"),
        Some(before.clone()),
        Some(force("javascript:alert(1)")),
    );
    env.sql()
        .execute("UPDATE forces SET url = 'javascript:alert(1)' WHERE slug = 'essex-police'", [])
        .unwrap();
    verify_fails(
        &env,
        "javascript: URL",
        &["change 47: it records the URL \"javascript:alert(1)\", which admin refuses"],
    );
    let err = env.fails(&["publish", "--out", "site"], 1);
    assert!(err.contains("does not hold together at change 47"), "{err}");
    assert!(!env.path("site").exists());

    // a change stamped before the one before it, or not with a time, or far ahead
    for (stamp, expect) in [
        ("2001-01-01T00:00:00Z", "it is stamped 2001-01-01T00:00:00Z, before the change before it"),
        ("not a time", "it is stamped \"not a time\", which is not a time"),
        ("9999-12-31T23:59:59Z", "it is stamped 9999-12-31T23:59:59Z, ahead of the system clock"),
    ] {
        let env = TestEnv::init();
        let id = forge_change(
            &env,
            "alice",
            "add-note",
            "note",
            None,
            None,
            Some(serde_json::json!({"id": 1, "force": null, "text": "x", "public": false, "status": "open"})),
        );
        behind_the_log(&env.sql(), &format!("UPDATE changes SET at = '{stamp}' WHERE id = {id}"));
        rehash(&env, id);
        verify_fails(&env, stamp, &[expect]);
    }
}

#[test]
fn source_date_epoch_may_set_an_earlier_time_never_a_later_one() {
    let env = TestEnv::init();
    let ahead = (chrono::Utc::now() + chrono::Duration::seconds(120)).timestamp().to_string();
    let run = env.command().env("SOURCE_DATE_EPOCH", &ahead).args(["note", "add", "x"]).output().unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("which is ahead of the system clock") && err.contains("never a later one"), "{err}");
}

/// Recompute change `id`'s hash (and every later one's) after an edit, as a forger would.
fn rehash(env: &TestEnv, id: i64) {
    let conn = env.sql();
    let prev: String =
        conn.query_row("SELECT hash FROM changes WHERE id = ?1", [id - 1], |r| r.get(0)).unwrap();
    let canonical = env.command().args(["audit", "canonical", &id.to_string()]).output().unwrap().stdout;
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(&canonical);
    let hash = format!("{:x}", hasher.finalize());
    behind_the_log(&conn, &format!("UPDATE changes SET hash = '{hash}' WHERE id = {id}"));
}

#[test]
fn a_schedule_carried_out_after_an_earlier_publication_is_done() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish", "--out", "site", "--at", "2025-11-25T09:30:00Z"]);
    env.set_epoch(EPOCH + 86_400);
    assert!(env.ok(&["publish", "--scheduled"]).contains("published major publication 2"));
    assert!(!env.ok(&["status"]).contains("Scheduled:"), "the schedule is done");
    assert!(env.ok(&["publish", "--scheduled"]).contains("nothing is scheduled"));
    assert!(env.ok(&["audit", "verify"]).contains("live tables match"));
}

#[test]
fn a_meta_row_admin_never_writes_is_named_by_verify() {
    let env = crate::testenv::TestEnv::init();
    env.sql().execute("INSERT INTO meta (key, value) VALUES ('trusted', 'yes')", []).unwrap();
    let run = env.run(&["audit", "verify"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("table meta, row \"trusted\"") && run.stderr.contains("'yes'"),
        "{}",
        run.stderr
    );
}

/// The rebuilt database is made, and compared, in two parts at once: the forces first added in
/// one, the rest of them and every other table in the other. Whichever part holds a row, the
/// difference named is the first in the tables' order (editors, forces, notes, …), then in key
/// order within a table.
#[test]
fn the_first_difference_is_named_whichever_part_of_the_rebuild_holds_it() {
    let env = TestEnv::init();
    env.ok(&["editor", "add", "ed", "--role", "admin"]);
    env.set_editor("ed");
    env.ok(&["note", "add", "--force", "kent-police", "a note"]);
    let slug = |order: &str| -> String {
        env.sql()
            .query_row(&format!("SELECT slug FROM forces ORDER BY id {order} LIMIT 1"), [], |r| r.get(0))
            .unwrap()
    };
    let (first, last) = (slug("ASC"), slug("DESC"));
    let url = |slug: &str| format!("UPDATE forces SET url = 'https://evil.example/' WHERE slug = '{slug}'");
    let note = "UPDATE notes SET text = 'planted'".to_owned();
    let editor = "UPDATE editors SET role = 'editor' WHERE name = 'ed'".to_owned();
    let cases = [
        (vec![url(&last), url(&first)], format!("table forces, force {first}, field url")),
        (vec![url(&last)], format!("table forces, force {last}, field url")),
        (vec![note.clone(), url(&last)], format!("table forces, force {last}, field url")),
        (vec![note.clone(), url(&first)], format!("table forces, force {first}, field url")),
        (vec![note], "table notes, note 1, field text".to_owned()),
        (vec![url(&first), editor], "table editors".to_owned()),
    ];
    let clean = env.path("clean.db");
    std::fs::copy(env.path("uof.db"), &clean).unwrap();
    for (tamper, expect) in cases {
        std::fs::copy(&clean, env.path("uof.db")).unwrap();
        env.sql().execute_batch(&tamper.join(";")).unwrap();
        verify_fails(&env, &tamper.join("; "), &[&expect]);
    }
}
