//! The published page is exactly what the audit log says (SPEC section 9). Each test starts
//! from an attack as someone with the database file or the site directory would make it, and
//! checks what catches it, the exit code and the message, and that nothing else changed.
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::publish::published_files;
use crate::testenv::{bytes, TestEnv, EPOCH};

/// Everything a user can read of the directory, for "nothing changed" checks.
fn everything(env: &TestEnv) -> (Value, Value, Value) {
    (
        env.json(&["list", "--all", "--json"]),
        env.json(&["history", "--json"]),
        env.json(&["publications", "--json"]),
    )
}

fn published(env: &TestEnv) {
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["note", "add", "--force", "kent-police", "internal: check the 2019 figures"]);
    env.ok(&["publish", "--out", "site"]);
}

#[test]
fn a_table_changed_with_sql_is_caught_by_verify_and_never_published() {
    for (tamper, table, key, field) in [
        ("UPDATE forces SET url = 'https://evil.example.com/' WHERE slug = 'kent-police'", "forces", "force kent-police", "url"),
        ("UPDATE notes SET public = 1 WHERE id = 1", "notes", "note 1", "public"),
        ("UPDATE page SET value = 'Hacked' WHERE key = 'heading'", "page", "row page", "heading"),
        ("UPDATE forces SET status = 'retired' WHERE slug = 'essex-police'", "forces", "force essex-police", "status"),
        ("INSERT INTO reviews (force_id, at, editor, message) VALUES (3, '2026-01-01T00:00:00Z', 'mallory', NULL)", "reviews", "review 1", "row"),
    ] {
        let env = TestEnv::init();
        published(&env);
        let site = published_files(&env.path("site"));
        env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
        env.sql().execute_batch(tamper).unwrap();
        let before = everything(&env);

        let err = env.fails(&["audit", "verify"], 1);
        assert!(err.contains(&format!("table {table}, {key}")), "{tamper}: {err}");
        assert!(err.contains(&format!("field {field}")), "{tamper}: {err}");
        assert!(err.contains("the table holds") && err.contains("the audit log says"), "{err}");
        if field == "url" {
            assert!(err.contains("evil.example.com") && err.contains("www.kent.police.uk/uof"), "{err}");
        }
        if table == "reviews" {
            // a review is not public content: publish goes on, verify still fails
            continue;
        }
        let err = env.fails(&["publish", "--out", "site"], 1);
        assert!(err.contains("the live tables do not match the audit log"), "{tamper}: {err}");
        assert!(err.contains("hint: run `admin audit verify`"), "{err}");
        assert_eq!(everything(&env), before, "{tamper}: publish recorded nothing");
        assert_eq!(published_files(&env.path("site")), site, "{tamper}: the site is untouched");
        if table == "forces" {
            // `list --as-of` replays the log; verify is what says the two disagree
            let replayed = env.json(&["list", "--all", "--as-of", "9999-12-31", "--json"]);
            assert_ne!(replayed, env.json(&["list", "--all", "--json"]), "{tamper}");
        }
    }
}

/// `audit verify` rebuilds the tables as two databases, each with half of the forces (the first
/// 22 of the seed's 45 in one, the rest and every other table in the other): an edit is caught
/// in either half, at its edges, and a note or review moved to a force in the other half.
#[test]
fn every_value_the_page_shows_is_held_to_the_log_before_publishing() {
    // publish reads the tables only for what the page shows, and compares that with the log:
    // each such value, changed behind the log's back, is refused
    for tamper in [
        "UPDATE reviews SET data_to = '2026-09-30' WHERE data_to IS NOT NULL",
        "UPDATE reviews SET data_to = NULL",
        "UPDATE notes SET text = 'Essex counts <script>nothing</script>.' WHERE public = 1",
        "UPDATE notes SET status = 'resolved' WHERE public = 1",
        "UPDATE notes SET force_id = NULL WHERE public = 1",
        // a force that is not there: the note would show on the page as a whole
        "PRAGMA foreign_keys = OFF; UPDATE notes SET force_id = 999 WHERE public = 1",
        "UPDATE forces SET name = 'Essex Constabulary' WHERE slug = 'essex-police'",
        "UPDATE page SET value = 'One paragraph only.' WHERE key = 'intro'",
    ] {
        let env = TestEnv::init();
        env.ok(&["review", "essex-police", "--data-to", "2025-09"]);
        env.ok(&[
            "note",
            "add",
            "--public",
            "--force",
            "essex-police",
            "Essex counts each tactic separately.",
        ]);
        env.ok(&["publish", "--out", "site"]);
        let site = published_files(&env.path("site"));
        env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
        env.sql().execute_batch(tamper).unwrap();
        let before = everything(&env);
        let err = env.fails(&["publish", "--out", "site"], 1);
        assert!(err.contains("the live tables do not match the audit log"), "{tamper}: {err}");
        assert_eq!(everything(&env), before, "{tamper}: publish recorded nothing");
        assert_eq!(published_files(&env.path("site")), site, "{tamper}: the site is untouched");
        env.fails(&["audit", "verify"], 1);
    }
}

#[test]
fn an_edit_is_caught_in_either_half_of_the_rebuilt_tables() {
    let env = TestEnv::init();
    published(&env);
    env.ok(&["note", "add", "--force", "wiltshire-police", "internal: ask about 2020"]);
    env.ok(&["review", "avon-and-somerset-constabulary", "--message", "checked"]);
    let clean = env.path("clean.db");
    std::fs::copy(env.path("uof.db"), &clean).unwrap();
    env.ok(&["audit", "verify"]);
    for (tamper, key, field) in [
        ("UPDATE forces SET name = 'Avon' WHERE id = 1", "force avon-and-somerset-constabulary", "name"),
        (
            "UPDATE forces SET url = 'https://x.example/' WHERE id = 22",
            "force lancashire-constabulary",
            "url",
        ),
        ("UPDATE forces SET url = 'https://x.example/' WHERE id = 23", "force leicestershire-police", "url"),
        ("UPDATE forces SET status = 'retired' WHERE id = 45", "force wiltshire-police", "status"),
        ("UPDATE notes SET force_id = 1 WHERE id = 2", "note 2", "force_id"),
        ("UPDATE reviews SET force_id = 45", "review", "force_id"),
    ] {
        std::fs::copy(&clean, env.path("uof.db")).unwrap();
        env.sql().execute_batch(tamper).unwrap();
        let err = env.fails(&["audit", "verify"], 1);
        assert!(
            err.contains(&format!(", {key}")) && err.contains(&format!("field {field}")),
            "{tamper}: {err}"
        );
        if field == "force_id" {
            // the forces as an editor knows them, beside their row ids
            let (avon, wiltshire) = ("1 (avon-and-somerset-constabulary)", "45 (wiltshire-police)");
            let (held, logged) = if key == "note 2" { (avon, wiltshire) } else { (wiltshire, avon) };
            assert!(
                err.contains(&format!("holds {held} but the audit log says {logged}")),
                "{tamper}: {err}"
            );
        }
    }
}

/// The site's home is a setting, and the settings table is derived like every other: a publish
/// with no --out never writes where an edited row says, and refuses before writing anything.
#[test]
fn a_site_home_changed_with_sql_is_never_published_to() {
    let env = TestEnv::init();
    published(&env);
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    let elsewhere = env.path("elsewhere");
    env.sql()
        .execute("UPDATE settings SET value = ?1 WHERE name = 'site'", [elsewhere.display().to_string()])
        .unwrap();
    let before = everything(&env);
    let err = env.fails(&["publish"], 1);
    assert!(err.contains("the live tables do not match the audit log (table settings)"), "{err}");
    assert!(err.contains("hint: run `admin audit verify`"), "{err}");
    assert!(!elsewhere.exists(), "nothing was written where the edited row says");
    assert_eq!(everything(&env), before, "publish recorded nothing");
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("table settings"), "{err}");
    // the change that wrote a setting, or a value that is not text, is checked as well
    for tamper in
        ["UPDATE settings SET change_id = change_id - 1", "UPDATE settings SET value = CAST(value AS BLOB)"]
    {
        let env = TestEnv::init();
        published(&env);
        env.ok(&["settings", "site", env.path("site").to_str().unwrap()]);
        env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
        env.sql().execute_batch(tamper).unwrap();
        let before = everything(&env);
        let err = env.fails(&["publish"], 1);
        assert!(
            err.contains("table settings") || err.contains("the setting \"site\" is not text"),
            "{tamper}: {err}"
        );
        assert!(err.contains("admin audit verify"), "{tamper}: {err}");
        assert_eq!(everything(&env), before, "{tamper}: publish recorded nothing");
    }
}

/// A value written by SQL can be of any length: a difference shows the start of it and how long
/// it is, on one line.
#[test]
fn a_long_value_written_with_sql_is_shown_cut_short() {
    let env = TestEnv::init();
    published(&env);
    env.sql().execute("UPDATE notes SET text = printf('%.*c', 1000000, 'x') WHERE id = 1", []).unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.len() < 2_000, "{} bytes", err.len());
    assert!(err.contains("(1000002 characters in all)"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1, "{err}");
}

/// A value written by SQL is shown so that its difference can be seen: a control character
/// escaped once, and a look-alike letter as its code point where the two values look the same.
#[test]
fn a_difference_is_shown_so_that_it_can_be_seen() {
    for (tamper, shown) in [
        (
            "UPDATE forces SET name = 'Kent P' || char(1086) || 'lice' WHERE slug = 'kent-police'",
            r#"holds "Kent P\u{43e}lice" but the audit log says "Kent Police""#,
        ),
        (
            "UPDATE forces SET name = 'Kent' || char(10) || 'Police' WHERE slug = 'kent-police'",
            r#"holds "Kent\nPolice" but"#,
        ),
    ] {
        let env = TestEnv::init();
        published(&env);
        env.sql().execute_batch(tamper).unwrap();
        let err = env.fails(&["audit", "verify"], 1);
        assert!(err.contains(shown), "{tamper}: {err}");
    }
}

/// The meta table holds what admin writes there and nothing else: the database's id as admin
/// makes one (32 hexadecimal digits), and the change the second form of signatures starts from.
#[test]
fn a_meta_value_admin_never_writes_is_named() {
    for (tamper, shown) in [
        (
            r#"UPDATE meta SET value = '"><script>alert(1)</script>' || char(10) || 'x' WHERE key = 'database_id'"#,
            "an id of 32 hexadecimal digits",
        ),
        ("UPDATE meta SET value = upper(value) WHERE key = 'database_id'", "an id of 32 hexadecimal digits"),
        ("UPDATE meta SET value = 'soon' WHERE key = 'signatures_v2_from'", "the number of a change"),
        ("INSERT INTO meta (key, value) VALUES ('owner', 'mallory')", "no such row"),
    ] {
        let env = TestEnv::init();
        env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
        env.sql().execute_batch(tamper).unwrap();
        let err = env.fails(&["audit", "verify"], 1);
        assert!(err.contains("table meta") && err.contains(shown), "{tamper}: {err}");
        assert_eq!(err.lines().count(), 2, "one error line and its hint: {err}");
    }
}

/// A table dropped behind admin's back is named by `audit verify` as a schema difference, never
/// as the SQL error reading it gives; another command that needs it says so and points there.
#[test]
fn a_dropped_table_is_named_as_a_schema_difference() {
    // (a dropped `checkpoints` table is a cache a replay does without: tests/it/checkpoints.rs)
    for table in ["publications", "meta", "notes", "settings", "page", "forces"] {
        let env = TestEnv::init();
        published(&env);
        env.sql().execute_batch(&format!("PRAGMA foreign_keys = OFF; DROP TABLE {table}")).unwrap();
        let before = env.sql().query_row("SELECT COUNT(*) FROM changes", [], |r| r.get::<_, i64>(0)).unwrap();
        // no change is appended to it
        let err = env.fails(&["set-url", "essex-police", "https://www.essex.police.uk/uof"], 1);
        assert!(err.starts_with(&format!("error: the database has no table {table}: its schema was changed behind admin's back; nothing was changed")), "{table}: {err}");
        assert!(err.contains("hint: run `admin audit verify` to see the difference"), "{table}: {err}");
        let after = env.sql().query_row("SELECT COUNT(*) FROM changes", [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(before, after, "{table}");
        let err = env.fails(&["audit", "verify"], 1);
        assert!(
            err.starts_with("error: the database's schema is not the one admin's migrations make:")
                && err.contains("the database has no such object"),
            "{table}: {err}"
        );
        assert!(!err.contains("SQL logic error"), "{table}: {err}");
    }
    let env = TestEnv::init();
    published(&env);
    env.sql().execute_batch("DROP TABLE publications").unwrap();
    let err = env.fails(&["publications"], 1);
    assert!(
        err.contains(
            "hint: the database's schema was changed behind admin's back: run `admin audit verify` to see the difference"
        ),
        "{err}"
    );
}

/// Recompute every change's hash from `from` on, as someone who dropped the triggers would.
fn rehash_from(env: &TestEnv, from: i64) {
    let conn = env.sql();
    conn.execute_batch("DROP TRIGGER changes_no_update;").unwrap();
    let mut prev: String = conn
        .query_row("SELECT hash FROM changes WHERE id = ?1", [from - 1], |r| r.get(0))
        .unwrap_or_default();
    let rows: Vec<(i64, Value)> = {
        let mut stmt = conn
            .prepare(
                "SELECT id, json_patch(
                        json_object('id', id, 'at', at, 'editor', editor, 'action', action, 'entity', entity,
                            'force', force, 'before', json(before), 'after', json(after), 'message', message),
                        CASE WHEN reverts IS NULL THEN '{}' ELSE json_object('reverts', reverts) END)
                 FROM changes WHERE id >= ?1 ORDER BY id",
            )
            .unwrap();
        let rows = stmt
            .query_map([from], |r| Ok((r.get(0)?, serde_json::from_str(&r.get::<_, String>(1)?).unwrap())))
            .unwrap();
        rows.map(Result::unwrap).collect()
    };
    for (id, body) in rows {
        // serde_json's map is sorted: this is the canonical JSON
        let text = serde_json::to_string(&body).unwrap();
        let hash = format!("{:x}", Sha256::digest(format!("{prev}{text}").as_bytes()));
        conn.execute("UPDATE changes SET hash = ?2 WHERE id = ?1", rusqlite::params![id, hash]).unwrap();
        // a thorough forger rewrites the publications' recorded heads too
        conn.execute(
            "UPDATE publications SET head_hash = ?2 WHERE last_change = ?1",
            rusqlite::params![id, hash],
        )
        .unwrap();
        prev = hash;
    }
    crate::testenv::behind_the_log(&conn, "SELECT 1");
}

#[test]
fn an_edit_carried_into_the_log_by_a_later_change_is_caught() {
    let env = TestEnv::init();
    env.sql()
        .execute_batch("UPDATE forces SET url = 'https://evil.example.com/' WHERE slug = 'kent-police'")
        .unwrap();
    // an honest editor renames the force: the change's `before` is the tampered row
    env.ok(&["rename-force", "kent-police", "Kent Police Service"]);
    let err = env.fails(&["audit", "verify"], 1);
    assert!(
        err.contains(
            "failed at change 47: what it says force kent-police was before it is not what the log says"
        ),
        "{err}"
    );
}

/// How a change's row files it (the force, the change a revert names) is held to its event, even
/// where every hash after the edit was recomputed: `history --force` and `show` read those
/// columns.
#[test]
fn a_change_filed_under_another_force_or_naming_a_change_it_does_not_revert_is_caught() {
    // (the change edited, the edit, what verify names)
    let cases: &[(i64, &str, &str)] = &[
        (
            47,
            "UPDATE changes SET force = 'essex-police' WHERE id = 47",
            r#"it is filed under force "essex-police", but its event is about force "kent-police""#,
        ),
        (
            47,
            "UPDATE changes SET force = NULL WHERE id = 47",
            r#"it is filed under no force, but its event is about force "kent-police""#,
        ),
        (
            47,
            "UPDATE changes SET force = 'kent-police ' WHERE id = 47",
            r#"it is filed under force "kent-police ", but"#,
        ),
        (
            47,
            "UPDATE changes SET reverts = 46 WHERE id = 47",
            "it names change 46 as the one it reverts, but it is a set-url change, not a revert",
        ),
        (
            48,
            "UPDATE changes SET reverts = NULL WHERE id = 48",
            "it is a revert, but names no change it reverts",
        ),
        (
            48,
            "UPDATE changes SET reverts = 48 WHERE id = 48",
            "it reverts change 48, which is not an earlier change",
        ),
        (
            48,
            "UPDATE changes SET reverts = 0 WHERE id = 48",
            "it reverts change 0, which is not an earlier change",
        ),
    ];
    for &(first, edit, named) in cases {
        let env = TestEnv::init();
        env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
        env.ok(&["revert", "47"]);
        env.ok(&["audit", "verify"]);
        // as the sqlite3 shell runs it, with no foreign keys enforced
        crate::testenv::behind_the_log(&env.sql(), &format!("PRAGMA foreign_keys = OFF; {edit}"));
        rehash_from(&env, first);
        let err = env.fails(&["audit", "verify"], 1);
        assert!(err.contains(&format!("failed at change {first}: {named}")), "{edit}: {err}");
    }
}

#[test]
fn a_rewritten_chain_passes_verify_alone_but_not_against_the_published_site() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish", "--out", "site"]);
    let witness = env.path("site/forces.json");
    let head: Value = serde_json::from_slice(&bytes(&witness)).unwrap();
    assert_eq!(head["audit"]["change"], 47, "the publication covers change 47: {head}");
    let printed = env.json(&["audit", "head", "--json"]);
    assert_eq!(printed["change"], 48, "the head now is the publish change");
    env.ok(&["audit", "verify", "--against", "site"]);
    let ok = env.ok(&["audit", "verify", "--against", witness.to_str().unwrap()]);
    assert!(ok.contains("matches") && ok.contains("change 47"), "{ok}");

    // change 47's editor and message rewritten, every later hash recomputed
    crate::testenv::behind_the_log(
        &env.sql(),
        "UPDATE changes SET editor = 'mallory', message = 'nothing to see' WHERE id = 47",
    );
    rehash_from(&env, 47);
    assert!(env.ok(&["audit", "verify"]).contains("hash chain intact"), "a self-consistent forgery");
    let err = env.fails(&["audit", "verify", "--against", "site"], 1);
    assert!(
        err.contains("change 47") && err.contains("the log was rewritten since that publication"),
        "{err}"
    );
    let json = env.run(&["audit", "verify", "--against", "site", "--json"]);
    assert_eq!(json.code, 1);
    assert_eq!(serde_json::from_str::<Value>(&json.stdout).unwrap()["ok"], false);

    // a witness that is not one
    std::fs::write(env.path("plain.json"), "{\"forces\": []}").unwrap();
    let err = env.fails(&["audit", "verify", "--against", "plain.json"], 2);
    assert!(err.contains("carries no audit head"), "{err}");
    let err = env.fails(&["audit", "verify", "--against", "no-such-site"], 2);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn a_publications_recorded_head_is_checked_against_the_chain() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    env.sql().execute_batch("UPDATE publications SET head_hash = 'abc' WHERE id = 1").unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("publication 1") && err.contains("it recorded change 46 with hash abc"), "{err}");
}

#[test]
fn the_published_files_carry_the_audit_head() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    let head = env.json(&["history", "--json", "--limit", "2"])["changes"][1].clone();
    assert_eq!(head["id"], 46);
    let hash = head["hash"].as_str().unwrap();
    let json: Value = serde_json::from_slice(&bytes(&env.path("site/forces.json"))).unwrap();
    assert_eq!(json["audit"], serde_json::json!({"change": 46, "hash": hash}));
    let index = std::fs::read_to_string(env.path("site/index.html")).unwrap();
    assert!(index.contains(&format!("<meta name=\"uof-audit-head\" content=\"46 {hash}\">")), "{index}");
    let feed = std::fs::read_to_string(env.path("site/feed.atom")).unwrap();
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let audit = doc.descendants().find(|n| n.has_tag_name(("urn:uof-admin:audit", "audit"))).unwrap();
    assert_eq!((audit.attribute("change"), audit.attribute("hash")), (Some("46"), Some(hash)));
}

#[test]
fn only_init_creates_a_database() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    let site = published_files(&env.path("site"));
    // a 0-byte file, as a failed copy or a truncation leaves
    std::fs::write(&env.db, b"").unwrap();
    for args in [
        &["list"][..],
        &["publish", "--out", "site"],
        &["audit", "verify"],
        &["set-url", "kent-police", "https://k.example/"],
    ] {
        let err = env.fails(args, 1);
        assert!(
            err.contains("is not a uof-admin database (the file is empty); it was left as it is"),
            "{args:?}: {err}"
        );
        assert!(err.contains("only `admin init` creates a database"), "{err}");
        assert_eq!(bytes(&env.db), b"", "{args:?} wrote to the file");
    }
    assert_eq!(published_files(&env.path("site")), site, "the live site is untouched");
    // the preview server too refuses to start on it (bounded, in case it did not)
    let serve = env.shell("timeout 5 \"$ADMIN\" serve --port 0");
    assert_eq!(serve.code, 1, "{}", serve.stderr);
    assert!(serve.stderr.contains("is not a uof-admin database (the file is empty)"), "{}", serve.stderr);
    assert_eq!(bytes(&env.db), b"");

    // another program's SQLite database
    let other = env.path("other.db");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE accounts (id INTEGER);").unwrap();
    let before = bytes(&other);
    let err = env.fails(&["--db", other.to_str().unwrap(), "list"], 1);
    assert!(err.contains("is an SQLite database, but not a uof-admin one"), "{err}");
    assert_eq!(bytes(&other), before);

    // init still refuses an existing file, empty or not
    let err = env.fails(&["init"], 2);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn a_site_from_another_database_is_not_replaced_unless_asked() {
    let first = TestEnv::init();
    first.ok(&["publish", "--out", "site"]);
    let site = published_files(&first.path("site"));
    let manifest: Value = serde_json::from_slice(&site[".uof-admin-manifest.json"]).unwrap();
    assert_eq!(manifest["database_id"].as_str().unwrap().len(), 32, "{manifest}");
    assert_eq!(manifest["publication"], 1);

    let second = first.path("second.db");
    let second = second.to_str().unwrap();
    first.ok(&["--db", second, "init"]);
    let err = first.fails(&["--db", second, "publish", "--out", "site"], 1);
    assert!(err.contains("holds a site published from another database"), "{err}");
    assert!(err.contains("--replace-site"), "{err}");
    assert_eq!(published_files(&first.path("site")), site);
    assert_eq!(
        first.json(&["--db", second, "publications", "--json"])["publications"],
        serde_json::json!([])
    );
    first.ok(&["--db", second, "set-url", "kent-police", "https://www.kent.police.uk/second"]);
    first.ok(&["--db", second, "publish", "--out", "site", "--replace-site"]);
    assert_ne!(published_files(&first.path("site")), site);
    // the first database, with nothing new, writes its publication back over the second's: said so
    let out = first.ok(&["publish", "--out", "site", "--replace-site", "--dry-run"]);
    assert!(out.contains("would replace another database's site in `site` with publication 1 ("), "{out}");
    let out = first.ok(&["publish", "--out", "site", "--replace-site"]);
    assert!(out.contains("; replaced another database's site in `site` with publication 1 ("), "{out}");
    assert_eq!(published_files(&first.path("site")), site);
}

#[test]
fn deleted_or_altered_site_files_are_repaired_and_extra_ones_refused() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    let site = published_files(&env.path("site"));
    std::fs::remove_file(env.path("site/index.html")).unwrap();
    std::fs::write(env.path("site/forces.csv"), "slug,name\nevil,Evil\n").unwrap();
    // a dry run says what the real run does, and writes nothing
    let out = env.ok(&["publish", "--out", "site", "--dry-run"]);
    assert!(
        out.starts_with("nothing new to publish; would rewrite `site` as publication 1 (")
            && out.contains("): forces.csv, index.html missing or altered (dry run: nothing written)\n"),
        "{out}"
    );
    assert!(!env.path("site/index.html").exists());
    let out = env.ok(&["publish", "--out", "site"]);
    assert!(out.contains("rewrote") && out.contains("forces.csv, index.html missing or altered"), "{out}");
    assert_eq!(published_files(&env.path("site")), site, "the site is publication 1 again");
    assert_eq!(env.json(&["publications", "--json"])["publications"].as_array().unwrap().len(), 1);
    assert!(env.ok(&["publish", "--out", "site"]).contains("nothing to publish"));

    // a site whose manifest is gone is not called a stranger's files
    let manifest = env.path("site/.uof-admin-manifest.json");
    let kept = std::fs::read(&manifest).unwrap();
    std::fs::remove_file(&manifest).unwrap();
    for dry_run in [false, true] {
        let args: &[&str] =
            if dry_run { &["publish", "--out", "site", "--dry-run"] } else { &["publish", "--out", "site"] };
        let err = env.fails(args, 1);
        assert!(
            err.contains(
                "looks like a published site, but its manifest `.uof-admin-manifest.json` is missing,"
            ),
            "{err}"
        );
        assert!(
            err.contains("hint: if admin published it, move the directory away and publish again"),
            "{err}"
        );
    }
    // with a stranger beside admin's files, the stranger is named first
    std::fs::write(env.path("site/zz-mine.txt"), "mine").unwrap();
    let err = env.fails(&["publish", "--out", "site"], 1);
    assert!(
        err.contains("holds files admin did not write (`zz-mine.txt`), beside what looks like a site whose manifest is missing;"),
        "{err}"
    );
    std::fs::remove_file(env.path("site/zz-mine.txt")).unwrap();
    // a manifest that cannot be read is not admin's, even alone: neither replaced nor deleted
    std::fs::create_dir(env.path("garbled")).unwrap();
    std::fs::write(env.path("garbled/.uof-admin-manifest.json"), "garbage").unwrap();
    for args in [&["publish", "--out", "garbled", "--dry-run"][..], &["publish", "--out", "garbled"][..]] {
        let err = env.fails(args, 1);
        assert!(
            err.contains(
                "holds a manifest `.uof-admin-manifest.json` that admin cannot read, so it cannot vouch"
            ),
            "{err}"
        );
    }
    assert_eq!(std::fs::read_to_string(env.path("garbled/.uof-admin-manifest.json")).unwrap(), "garbage");
    std::fs::write(&manifest, kept).unwrap();
    std::fs::write(env.path("site/notes.txt"), "mine").unwrap();
    let err = env.fails(&["publish", "--out", "site"], 1);
    assert!(err.contains("`notes.txt`") && err.contains("deletes nothing"), "{err}");
    assert_eq!(std::fs::read_to_string(env.path("site/notes.txt")).unwrap(), "mine");
}

#[test]
fn a_directory_named_like_a_temporary_one_is_left_alone() {
    let env = TestEnv::init();
    let lookalike = env.path(".site.tmp-keepme");
    std::fs::create_dir(&lookalike).unwrap();
    std::fs::write(lookalike.join("thesis.txt"), "years of work").unwrap();
    env.ok(&["publish", "--out", "site"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish", "--out", "site"]);
    assert_eq!(std::fs::read_to_string(lookalike.join("thesis.txt")).unwrap(), "years of work");
    // and nothing of the tool's is left beside the site
    let mut beside: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".site"))
        .collect();
    beside.sort();
    assert_eq!(beside, vec![".site.tmp-keepme"]);
}

#[test]
fn another_outs_staging_directory_is_left_alone_and_a_killed_publishs_is_removed() {
    let env = TestEnv::init();
    // `site.tmp-x`'s staging directory (it may be being written now) starts as `site`'s do
    let theirs = env.path(".site.tmp-x.tmp-AbC123");
    let ours = env.path(".site.tmp-Zy9876");
    for dir in [&theirs, &ours] {
        std::fs::create_dir(dir).unwrap();
        std::fs::write(dir.join(".uof-admin-staging"), "uof-admin\n").unwrap();
        std::fs::write(dir.join("index.html"), "half written").unwrap();
    }
    env.ok(&["publish", "--out", "site"]);
    assert!(theirs.join("index.html").is_file(), "another --out's staging directory was removed");
    assert!(!ours.exists(), "a marked leftover of this --out's was kept");
}

/// A publish killed between the staging marker's removal and the swap leaves the new site
/// without the marker; one killed between the swap and marking the old site leaves that; one
/// killed just after making its directory leaves it empty. The next publish removes each: they
/// hold a site the tool made (its manifest), or nothing.
#[test]
fn a_killed_publishs_unmarked_site_or_empty_directory_is_removed() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    let new_site = env.path(".site.tmp-Ab12Cd");
    let empty = env.path(".site.tmp-Ef34Gh");
    std::fs::create_dir(&new_site).unwrap();
    for entry in std::fs::read_dir(env.path("site")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), new_site.join(entry.file_name())).unwrap();
        }
    }
    assert!(new_site.join(".uof-admin-manifest.json").is_file());
    std::fs::create_dir(&empty).unwrap();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish", "--out", "site"]);
    assert!(!new_site.exists(), "an unmarked copy of a site the tool made was kept");
    assert!(!empty.exists(), "an empty staging directory was kept");
    let beside: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".site"))
        .collect();
    assert!(beside.iter().all(|n| n == ".site.lock"), "{beside:?}");
}

/// The directories named as a staging directory of `site`, beside it.
fn staged_beside(env: &TestEnv) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".site.tmp-"))
        .collect()
}

#[test]
fn a_publish_killed_while_removing_the_old_site_leaves_it_marked_for_the_next_to_remove() {
    use std::os::unix::process::ExitStatusExt;
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    // killed (debug builds only) just after the first of the old site's files is removed
    let run =
        env.command().env("UOF_KILLED_REMOVING", "1").args(["publish", "--out", "site"]).output().unwrap();
    assert_eq!(run.status.signal(), Some(9), "{}", String::from_utf8_lossy(&run.stderr));
    let left = staged_beside(&env);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].join(".uof-admin-staging").is_file(), "the old site was left part removed and unmarked");
    // the new site went in before: it is whole, and the log records it
    env.ok(&["audit", "verify-site", "site"]);
    env.ok(&["audit", "verify"]);

    // the next publish removes it, even one with nothing to publish
    let out = env.ok(&["publish", "--out", "site"]);
    assert!(out.contains("nothing to publish"), "{out}");
    assert_eq!(staged_beside(&env), Vec::<std::path::PathBuf>::new());
}

#[test]
fn a_refused_publish_leaves_no_lock_or_temporary_file() {
    let env = TestEnv::init();
    std::fs::create_dir(env.path("www")).unwrap();
    std::fs::write(env.path("www/other.html"), "x").unwrap();
    env.fails(&["publish", "--out", "www"], 1);
    let names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".www")), "{names:?}");

    // `--out .` in an empty directory publishes into it, with nothing left inside or beside
    let empty = env.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let run = env.command().current_dir(&empty).args(["publish", "--out", "."]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let mut inside: Vec<String> = std::fs::read_dir(&empty)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    inside.sort();
    assert_eq!(inside, crate::testenv::SITE_FILES);
    let names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".empty")), "{names:?}");
}

#[test]
fn the_clock_only_moves_forward() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let before = everything(&env);
    env.set_epoch(EPOCH - 86_400 * 365);
    let err = env.fails(&["set-url", "essex-police", "https://www.essex.police.uk/uof"], 1);
    assert!(err.contains("the clock says 2024-11-24T16:00:00Z"), "{err}");
    assert!(
        err.contains("before the newest change in the audit log (change 47 at 2025-11-24T16:00:00Z)"),
        "{err}"
    );
    assert!(err.contains("SOURCE_DATE_EPOCH"), "{err}");
    let err = env.fails(&["publish", "--out", "site"], 1);
    assert!(err.contains("the clock says"), "{err}");
    assert!(!env.path("site").exists());
    assert_eq!(everything(&env), before);

    env.set_epoch(253_402_300_800); // 10000-01-01
    let err = env.fails(&["set-url", "essex-police", "https://www.essex.police.uk/uof"], 2);
    assert!(err.contains("outside the years 0000 to 9999"), "{err}");
    env.set_epoch(EPOCH + 60);
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
}

#[test]
fn an_old_publication_never_goes_over_the_live_site() {
    let env = TestEnv::init();
    env.ok(&["publish"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish"]);
    let live = published_files(&env.path("publish"));
    let err = env.fails(&["publish", "--from-publication", "1"], 2);
    assert!(err.contains("says it holds publication 2, newer than publication 1"), "{err}");
    assert!(err.contains("--out publication-1"), "{err}");
    assert_eq!(published_files(&env.path("publish")), live);
    env.ok(&["publish", "--from-publication", "1", "--out", "old"]);
    assert!(!std::fs::read_to_string(env.path("old/index.html")).unwrap().contains("kent.police.uk"));
    // the same or a newer one may go there
    env.ok(&["publish", "--from-publication", "2"]);
    assert_eq!(published_files(&env.path("publish")), live);
}

#[test]
fn a_database_from_before_page_changes_gets_its_page_text_recorded_once() {
    let env = TestEnv::init();
    // as an older admin left it: no page change in the log, no id
    let conn = env.sql();
    crate::testenv::behind_the_log(&conn, "DELETE FROM changes WHERE entity = 'page'; DELETE FROM meta");
    drop(conn);
    env.set_epoch(EPOCH + 60);
    assert!(env.ok(&["audit", "verify"]).contains("46 changes"));
    let changes = env.changes();
    assert_eq!(changes[0]["entity"], "page");
    assert_eq!(changes[0]["action"], "set-page");
    assert_eq!(changes[0]["editor"], "uof-admin");
    assert_eq!(changes[0]["after"]["heading"], "Use of Force Data");
    // the text held from the start: the log's past shows it too
    env.ok(&["audit", "verify"]);
    assert_eq!(env.change_count(), 46, "recorded once");
}

#[test]
fn a_mount_point_as_out_is_refused_before_anything_is_recorded() {
    let env = TestEnv::init();
    let mount = env.path("webroot");
    std::fs::create_dir(&mount).unwrap();
    // a web root mounted as a volume: a tmpfs here (root can mount; CI runs as root)
    let mounted = std::process::Command::new("mount").args(["-t", "tmpfs", "tmpfs"]).arg(&mount).status();
    assert!(mounted.is_ok_and(|s| s.success()), "mounting a tmpfs at {} failed", mount.display());
    let before = everything(&env);
    let err = env.fails(&["publish", "--out", mount.to_str().unwrap()], 1);
    let _ = std::process::Command::new("umount").arg(&mount).status();
    assert!(
        err.contains(
            "is a mount point: the site cannot be swapped into it in one step, so nothing was published"
        ),
        "{err}"
    );
    assert!(err.contains("hint: publish into a directory inside the mounted volume"), "{err}");
    assert_eq!(everything(&env), before, "no publication recorded");
    assert!(!env.path(".webroot.lock").exists());

    // a site bind-mounted on itself: the same filesystem as its parent, so the same device, and
    // the swap would fail (EBUSY) after the publication was recorded
    env.ok(&["publish", "--out", "site"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let site = env.path("site");
    let bound = std::process::Command::new("mount").arg("--bind").arg(&site).arg(&site).status();
    assert!(bound.is_ok_and(|s| s.success()), "bind-mounting {} failed", site.display());
    let before = everything(&env);
    let dry = env.run(&["publish", "--out", "site", "--dry-run"]);
    let err = env.fails(&["publish", "--out", "site"], 1);
    let _ = std::process::Command::new("umount").arg(&site).status();
    assert_eq!(dry.code, 1, "{}", dry.stderr);
    for said in [&dry.stderr, &err] {
        assert!(said.contains("is a mount point"), "{said}");
    }
    assert_eq!(everything(&env), before, "no publication recorded");
    // unmounted, it publishes
    env.ok(&["publish", "--out", "site"]);
}

#[test]
fn a_witness_that_is_not_a_file_is_refused_at_once() {
    let env = TestEnv::init();
    // a device: refused before a byte is read
    let err = env.fails(&["audit", "verify", "--against", "/dev/zero"], 1);
    assert!(err.contains("`/dev/zero` is a device, not a regular file"), "{err}");
    // a directory without a forces.json
    let err = env.fails(&["audit", "verify", "--against", "/proc/self"], 2);
    assert!(err.contains("cannot read `/proc/self/forces.json`"), "{err}");
}

#[test]
fn an_old_publication_never_goes_over_a_site_that_does_not_say_which_it_is() {
    let env = TestEnv::init();
    env.ok(&["publish"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish"]);
    let manifest = env.path("publish/.uof-admin-manifest.json");
    let text =
        std::fs::read_to_string(&manifest).unwrap().replace("\"publication\": 2", "\"publication\": null");
    std::fs::write(&manifest, text).unwrap();
    let site = published_files(&env.path("publish"));
    let err = env.fails(&["publish", "--from-publication", "1"], 2);
    assert!(err.contains("does not say which publication it is"), "{err}");
    assert_eq!(published_files(&env.path("publish")), site);
    let err = env.fails(&["publish", "--from-publication", "1", "--at", "2030-01-01"], 2);
    assert!(err.contains("--at"), "{err}");
}

/// A one-file web server on 127.0.0.1 serving `body` for every request, for as many requests as
/// given; returns its address.
fn serve_once(body: Vec<u8>, requests: usize) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests).flatten() {
            let mut stream = stream;
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    address
}

#[test]
fn verify_against_the_live_sites_address() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    let witness = bytes(&env.path("site/forces.json"));
    let site = serve_once(witness.clone(), 2);
    let out = env.ok(&["audit", "verify", "--against", &format!("{site}/use-of-force/")]);
    assert!(out.contains(&format!("matches `{site}/use-of-force/forces.json`: change 46")), "{out}");
    // a site published from a rewritten log: its head is not this database's
    let forged = String::from_utf8(witness).unwrap().replace("\"change\": 46", "\"change\": 45");
    let site = serve_once(forged.into_bytes(), 1);
    let err = env.fails(&["audit", "verify", "--against", &format!("{site}/forces.json")], 1);
    assert!(
        err.contains("says change 45 has hash")
            && err.contains("the log was rewritten since that publication"),
        "{err}"
    );
}

#[test]
fn the_preview_refuses_content_the_log_does_not_hold() {
    let env = TestEnv::init();
    let serving = crate::editor::serve(&env);
    let (code, page) = crate::editor::get(&serving.1, "/");
    assert_eq!(code, 200);
    assert!(!page.contains("evil.example.com"));
    env.sql()
        .execute_batch("UPDATE forces SET url = 'https://evil.example.com/' WHERE slug = 'kent-police'")
        .unwrap();
    let (code, body) = crate::editor::get(&serving.1, "/");
    assert_eq!(code, 500, "{body}");
    assert!(body.contains("the live tables do not match the audit log"), "{body}");
    assert!(!body.contains("<a href=\"https://evil.example.com/\""), "{body}");
}

#[test]
fn an_edit_of_a_hand_edited_row_makes_its_keys_again_and_refuses_a_name_another_force_holds() {
    // the name of another force, its keys left as they were: the edit writes the keys the name
    // makes, which the index refuses, and nothing is recorded
    let env = TestEnv::init();
    let before = env.change_count();
    env.sql().execute_batch("UPDATE forces SET name = 'Essex Police' WHERE slug = 'kent-police'").unwrap();
    for args in
        [&["retire-force", "kent-police"][..], &["set-url", "kent-police", "https://www.kent.police.uk/x"]]
    {
        let err = env.fails(args, 1);
        assert!(err.starts_with("error: failed to write force `kent-police`"), "{err}");
        assert_eq!(env.change_count(), before, "nothing recorded: {args:?}");
    }
    // a key edited alone, the name as it was: an edit makes it again, and the tables verify
    for key in ["name_key = 'zzz'", "look_key = ''", "name_key = 7"] {
        let env = TestEnv::init();
        env.sql().execute_batch(&format!("UPDATE forces SET {key} WHERE slug = 'kent-police'")).unwrap();
        env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/x"]);
        let keys: (String, String) = env
            .sql()
            .query_row("SELECT name_key, look_key FROM forces WHERE slug = 'kent-police'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(keys, ("kent police".to_owned(), "kent pollce".to_owned()), "{key}");
        env.ok(&["audit", "verify"]);
    }
}

/// A publication made into another directory leaves the home's site behind: a dry run there says
/// it would be written again, as the real run then does.
#[test]
fn a_home_left_behind_by_a_publication_elsewhere_is_shown_by_a_dry_run_and_repaired() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/elsewhere"]);
    env.ok(&["publish", "--out", "other"]);
    let behind = published_files(&env.path("site"));
    let changes = env.change_count();
    let out = env.ok(&["publish", "--out", "site", "--dry-run"]);
    assert!(
        out.starts_with(
            "nothing new to publish; would rewrite `site`, which held publication 1, as publication 2 ("
        ) && out.ends_with(") (dry run: nothing written)\n"),
        "{out}"
    );
    assert_eq!(published_files(&env.path("site")), behind, "a dry run wrote the site");
    assert_eq!(env.change_count(), changes);
    let out = env.ok(&["publish", "--out", "site"]);
    assert!(
        out.starts_with(
            "nothing new to publish; rewrote `site`, which held publication 1, as publication 2 ("
        ),
        "{out}"
    );
    assert_eq!(published_files(&env.path("site")), published_files(&env.path("other")));
    // publication 1, its manifest's number taken out: known by its sha256, not by that number
    let old = env.path("old1");
    std::fs::create_dir(&old).unwrap();
    for (name, bytes) in &behind {
        std::fs::write(old.join(name), bytes).unwrap();
    }
    let path = old.join(".uof-admin-manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest.as_object_mut().unwrap().remove("publication");
    std::fs::write(&path, manifest.to_string()).unwrap();
    let out = env.ok(&["publish", "--out", "old1", "--dry-run"]);
    assert!(out.contains("would rewrite `old1`, which held publication 1, as publication 2"), "{out}");
    // a manifest naming a publication the log records with another site is not taken at its word
    let copy = env.path("forged");
    std::fs::create_dir(&copy).unwrap();
    for (name, bytes) in published_files(&env.path("site")) {
        std::fs::write(copy.join(name), bytes).unwrap();
    }
    let path = copy.join(".uof-admin-manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["publication"] = 1.into();
    manifest["sha256"] = "0".repeat(64).into();
    manifest.as_object_mut().unwrap().remove("audit");
    std::fs::write(&path, manifest.to_string()).unwrap();
    let out = env.ok(&["publish", "--out", "forged", "--dry-run"]);
    assert!(
        out.contains("would rewrite `forged`, which held a site this log does not record, as publication 2"),
        "{out}"
    );
    let out = env.ok(&["publish", "--out", "new", "--dry-run"]);
    assert!(
        out.contains("would write publication 2 (")
            && out.contains(") into `new`, which did not hold it (dry run"),
        "{out}"
    );
    assert!(env.ok(&["publish", "--out", "site", "--dry-run"]).starts_with("nothing to publish"));
}
