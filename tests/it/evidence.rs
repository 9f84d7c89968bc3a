//! The site is evidence (SPEC section 15): `publish` never writes content the log has not
//! recorded as published, never replaces a site from a longer or another history, and no text
//! from a file, the database or the command line is cut inside a character. Each test makes the
//! attack or the slip as a user would (sqlite3 on the file, an old backup, an edited manifest)
//! and checks the exit code, the message, and that nothing else changed.
use std::path::Path;

use serde_json::Value;

use crate::publish::published_files;
use crate::testenv::{forge_change, TestEnv};

const PHISHING: &str = "https://kent-police.example.net/login";

/// Everything a user can read of the directory, for "nothing changed" checks.
fn everything(env: &TestEnv) -> (Value, Value, Value) {
    (
        env.json(&["list", "--all", "--json"]),
        env.json(&["history", "--json"]),
        env.json(&["publications", "--json"]),
    )
}

/// alice (admin), bob (publisher), carol (editor): with two publishers, approval is required.
fn team() -> TestEnv {
    let env = TestEnv::init();
    env.ok(&["--editor", "alice", "editor", "add", "alice", "--role", "admin"]);
    env.ok(&["--editor", "alice", "editor", "add", "bob", "--role", "publisher"]);
    env.ok(&["--editor", "alice", "editor", "add", "carol"]);
    env
}

fn as_(env: &TestEnv, who: &str, args: &[&str]) -> String {
    env.ok(&[&["--editor", who][..], args].concat())
}

/// `publish` refused with exit 1: nothing recorded, the site as it was. Returns stderr.
fn refused(env: &TestEnv, args: &[&str], site: &Path) -> String {
    let before = everything(env);
    let files = site.exists().then(|| published_files(site));
    let err = env.fails(args, 1);
    assert_eq!(everything(env), before, "{args:?} recorded nothing");
    assert_eq!(site.exists().then(|| published_files(site)), files, "{args:?} left the site as it was");
    err
}

fn edit_manifest(site: &Path, edit: impl FnOnce(&mut Value)) {
    let path = site.join(".uof-admin-manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut manifest);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

fn publication_count(env: &TestEnv) -> usize {
    env.json(&["publications", "--json"])["publications"].as_array().unwrap().len()
}

#[test]
fn unapproved_content_never_goes_public_through_a_repair() {
    let env = team();
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    as_(&env, "alice", &["approve"]);
    as_(&env, "bob", &["publish", "--out", "site"]);
    as_(&env, "carol", &["set-url", "kent-police", PHISHING]);
    // nobody approves it; the attacker learns its sha256 from `approve` on a copy of the file
    // and writes it into the publications table, so the table says it is already published
    let copy = env.path("copy.db");
    std::fs::copy(&env.db, &copy).unwrap();
    let approved = as_(&env, "alice", &["--db", copy.to_str().unwrap(), "approve"]);
    let pending = approved.split_whitespace().find(|w| w.len() == 64).unwrap().to_owned();
    env.sql().execute("UPDATE publications SET content_sha256 = ?1", [&pending]).unwrap();
    let site = env.path("site");
    // the content's sha256 is in the publication's `publish` change: the row cannot say otherwise
    let expect = format!(
        "error: audit log verification failed at publication 1: field content_sha256: its row holds \"{pending}\" but its `publish` change 52 says \""
    );
    let hint = "hint: run `admin audit verify` to see the difference, and restore the database from a backup (`admin restore`)";

    // the site whole, a dry run, the site with its page deleted, a fresh directory
    for args in [&["publish", "--out", "site"][..], &["publish", "--out", "site", "--dry-run"]] {
        let err = refused(&env, &[&["--editor", "bob"][..], args].concat(), &site);
        assert!(err.starts_with(&expect) && err.contains(hint), "{args:?}: {err}");
    }
    std::fs::remove_file(site.join("index.html")).unwrap();
    for out in ["site", "fresh"] {
        let err = refused(&env, &["--editor", "bob", "publish", "--out", out], &env.path(out));
        assert!(err.starts_with(&expect) && err.contains(hint), "{out}: {err}");
    }
    assert!(!env.path("fresh").exists());
    for (name, body) in published_files(&site) {
        assert!(!String::from_utf8_lossy(&body).contains("kent-police.example.net"), "{name}");
    }
    assert_eq!(publication_count(&env), 1);
    // nor does the preview show it as the published page, without its Preview banner
    let serving = crate::editor::serve(&env);
    let (code, body) = crate::editor::get(&serving.1, "/");
    assert_eq!(code, 500, "{body}");
    assert!(body.contains("field content_sha256: its row holds"), "{body}");
    assert!(!body.contains("kent-police.example.net"), "{body}");
}

#[test]
fn a_repair_writes_the_publication_the_log_records() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish", "--out", "site"]);
    let site = published_files(&env.path("site"));
    // public changes since that leave the content as it was published: the log is replayed
    // to the publication's head to know it
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/other"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    assert!(env.ok(&["publish", "--out", "site"]).contains("nothing to publish"));
    std::fs::remove_file(env.path("site/index.html")).unwrap();
    // the dry run says what the real run then does
    let out = env.ok(&["publish", "--out", "site", "--dry-run"]);
    assert!(
        out.contains("would rewrite `site` as publication 1") && out.contains("index.html missing"),
        "{out}"
    );
    assert!(!env.path("site/index.html").exists(), "a dry run writes nothing");
    let out = env.ok(&["publish", "--out", "site"]);
    assert!(out.contains("rewrote `site` as publication 1") && out.contains("index.html missing"), "{out}");
    assert_eq!(published_files(&env.path("site")), site, "publication 1, byte for byte");
    env.ok(&["publish", "--out", "fresh"]);
    assert_eq!(published_files(&env.path("fresh")), site);
    assert_eq!(publication_count(&env), 1);
}

#[test]
fn a_publications_row_must_cover_what_its_publish_change_records() {
    for (tamper, expect) in [
        (
            "UPDATE publications SET head_hash = 'abc'",
            "error: audit log verification failed at publication 1: it recorded change 46 with hash abc, but the log holds ",
        ),
        // moved back one change, with that change's own hash: consistent with the chain
        (
            "UPDATE publications SET last_change = 45, head_hash = (SELECT hash FROM changes WHERE id = 45)",
            "error: audit log verification failed at publication 1: its row covers changes 1 to 45, but its `publish` change 47 covers 1 to 46; nothing was published",
        ),
    ] {
        let env = TestEnv::init();
        env.ok(&["publish", "--out", "site"]);
        env.sql().execute_batch(tamper).unwrap();
        for args in [
            &["publish", "--out", "site"][..],
            &["publish", "--out", "fresh"],
            &["publish", "--out", "site", "--dry-run"],
        ] {
            let err = refused(&env, args, &env.path(args[2]));
            assert!(err.starts_with(expect), "{tamper}: {args:?}: {err}");
            assert!(err.contains("hint: run `admin audit verify` to see the difference"), "{err}");
        }
        assert!(!env.path("fresh").exists());
    }
}

#[test]
fn a_site_from_a_longer_history_is_never_overwritten() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    env.ok(&["backup", "before-2.db"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish", "--out", "site"]);
    let site = env.path("site");
    let live = published_files(&site);

    // the backup taken before publication 2 is restored, and someone changes something
    env.ok(&["restore", "before-2.db"]);
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    for args in [&["publish", "--out", "site"][..], &["publish", "--out", "site", "--dry-run"]] {
        let err = refused(&env, args, &site);
        assert!(
            err.contains("/site` says it holds publication 2 (audit head change 48), but this log holds only publication 1 and ends at change 48: the site was published from a longer history (a newer copy of this database, or the one a backup was restored from); it was left as it is"),
            "{args:?}: {err}"
        );
        assert!(err.contains("hint: check --db and --out") && err.contains("pass --replace-site"), "{err}");
    }
    // once it has a publication 2 of its own, that is another history's
    env.ok(&["publish", "--out", "elsewhere"]);
    for args in [&["publish", "--out", "site"][..], &["publish", "--from-publication", "2", "--out", "site"]]
    {
        let err = refused(&env, args, &site);
        assert!(
            err.contains(
                "says it holds publication 2 (audit head change 48), but it says change 48 has hash "
            ) && err.contains("the site was published from another history of this database"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(published_files(&site), live);
    // told to, it replaces the site
    env.ok(&["publish", "--out", "site", "--replace-site"]);
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("essex.police.uk") && !index.contains("kent.police.uk"), "{index}");
}

#[test]
fn a_site_whose_publication_covers_another_change_is_refused() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["backup", "copy.db"]);
    env.ok(&["publish", "--out", "site"]);
    // the copy holds change 48 as the site does, but its own publication 2 covers change 49
    let copy = ["--db", "copy.db"];
    env.ok(&[&copy[..], &["set-url", "essex-police", "https://www.essex.police.uk/uof"]].concat());
    env.ok(&[&copy[..], &["publish", "--out", "other"]].concat());
    let err = refused(&env, &[&copy[..], &["publish", "--out", "site"]].concat(), &env.path("site"));
    assert!(
        err.contains("says it holds publication 2 (audit head change 48), but this log's publication 2 covers change 49: the site was published from another history of this database"),
        "{err}"
    );
}

#[test]
fn a_manifest_naming_what_this_log_does_not_hold_is_refused() {
    for (edit, expect) in [
        (
            (|m: &mut Value| m["publication"] = 7.into()) as fn(&mut Value),
            "says it holds publication 7 (audit head change 46), but this log holds only publication 1 and ends at change 48: the site was published from a longer history",
        ),
        (
            |m: &mut Value| {
                m["publication"] = Value::Null;
                m["audit"]["change"] = 99.into();
            },
            "says it holds a publication covering change 99, but this log ends at change 48: the site was published from a longer history",
        ),
        (
            |m: &mut Value| m["audit"]["hash"] = "0".repeat(64).into(),
            "says it holds publication 1 (audit head change 46), but it says change 46 has hash 000000000000…, and this log's has ",
        ),
    ] {
        let env = TestEnv::init();
        env.ok(&["publish", "--out", "site"]);
        env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
        let site = env.path("site");
        edit_manifest(&site, edit);
        for args in [&["publish", "--out", "site"][..], &["publish", "--out", "site", "--dry-run"]] {
            let err = refused(&env, args, &site);
            assert!(err.contains(expect), "{args:?}: {err}");
        }
        env.ok(&["publish", "--out", "site", "--replace-site"]);
        assert_eq!(publication_count(&env), 2);
    }
}

#[test]
fn text_from_a_file_or_the_database_is_never_cut_inside_a_character() {
    // a manifest's database id: cut for the message by characters, not bytes
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    edit_manifest(&env.path("site"), |m| m["database_id"] = "aéééééé".into());
    for args in [&["publish", "--out", "site"][..], &["publish", "--from-publication", "1", "--out", "site"]]
    {
        let err = refused(&env, args, &env.path("site"));
        assert!(
            err.contains("holds a site published from another database (id aéééééé…, this one is "),
            "{err}"
        );
    }
    // a `--data-to` whose fifth character is not one byte
    let err = env.fails(&["review", "kent-police", "--data-to", "2025é1"], 2);
    assert!(err.contains("the date \"2025é1\" is not understood"), "{err}");
    // values read from the database, shown shortened
    let odd = format!("a{}", "é".repeat(20));
    env.ok(&["review", "kent-police"]);
    env.sql().execute("UPDATE reviews SET at = ?1", [&odd]).unwrap();
    env.sql().execute("UPDATE publications SET sha256 = ?1", [&odd]).unwrap();
    forge_change(
        &env,
        "alice",
        "approve",
        "approval",
        None,
        None,
        Some(serde_json::json!({"content_sha256": odd, "changes": [null, null]})),
    );
    assert!(env.ok(&["list"]).contains(&format!("a{} ", "é".repeat(9))));
    assert!(env.ok(&["publications"]).contains(&format!("a{} ", "é".repeat(11))));
    assert!(env
        .ok(&["history", "--limit", "1"])
        .contains(&format!("approved the content a{} ", "é".repeat(11))));
}

/// `audit verify` compares every column of a publication's row with the publication its
/// `publish` change records: the content's sha256 (which `publish` and `approve` read), the
/// range of changes and the head it covered among them.
#[test]
fn audit_verify_fails_on_a_rewritten_content_sha256_or_range() {
    for tamper in [
        "UPDATE publications SET content_sha256 = 'abc'",
        "UPDATE publications SET last_change = 45, head_hash = (SELECT hash FROM changes WHERE id = 45)",
        "UPDATE publications SET first_change = 7",
    ] {
        let env = TestEnv::init();
        env.ok(&["publish", "--out", "site"]);
        env.sql().execute_batch(tamper).unwrap();
        let err = env.fails(&["audit", "verify"], 1);
        assert!(err.contains("publication 1"), "{tamper}: {err}");
    }
}
