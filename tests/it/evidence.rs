//! The site is evidence (SPEC section 15), and no text from a file, the database or the command
//! line is cut inside a character. Each test makes the attack or the slip as a user would
//! (sqlite3 on the file, an edited manifest) and checks the exit code, the message, and that
//! nothing else changed.
use std::path::Path;

use serde_json::Value;

use crate::publish::published_files;
use crate::testenv::{forge_change, TestEnv};

/// Everything a user can read of the directory, for "nothing changed" checks.
fn everything(env: &TestEnv) -> (Value, Value, Value) {
    (
        env.json(&["list", "--all", "--json"]),
        env.json(&["history", "--json"]),
        env.json(&["publications", "--json"]),
    )
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
        Some(serde_json::json!({"content_sha256": odd})),
    );
    assert!(env.ok(&["list"]).contains(&format!("a{} ", "é".repeat(9))));
    assert!(env.ok(&["publications"]).contains(&format!("a{} ", "é".repeat(11))));
    assert!(env
        .ok(&["history", "--limit", "1"])
        .contains(&format!("approved the content a{} ", "é".repeat(11))));
}
