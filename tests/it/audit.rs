//! The audit log: append-only, tamper-evident, verified end to end.
use crate::testenv::TestEnv;

#[test]
fn update_and_delete_on_the_change_table_fail() {
    let env = TestEnv::init();
    let conn = env.sql();
    let err = conn.execute("UPDATE changes SET editor = 'mallory' WHERE id = 1", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn.execute("DELETE FROM changes WHERE id = 45", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    drop(conn);
    assert_eq!(env.change_count(), 46); // the 45 forces and the page's own words
    assert!(env.ok(&["audit", "verify"]).contains("46 changes"));
}

/// Edit a change behind the triggers' back, as someone with the file and sqlite3 could.
/// Edit the log behind the tool's back, as a careful attacker would: the append-only triggers
/// dropped for the edit and put back exactly as they were.
fn tamper(env: &TestEnv, sql: &str) {
    crate::testenv::behind_the_log(&env.sql(), sql);
}

#[test]
fn an_edited_change_makes_verify_exit_1_naming_it() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof", "-m", "found it"]);
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    tamper(&env, "UPDATE changes SET after = replace(after, 'kent.police.uk', 'evil.example') WHERE id = 47");
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("change 47"), "{err}");
    let json = env.run(&["audit", "verify", "--json"]);
    assert_eq!(json.code, 1);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["ok"], false);
    assert_eq!(value["first_bad"], 47);
}

#[test]
fn an_edited_editor_or_message_is_caught_too() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof", "-m", "found it"]);
    tamper(&env, "UPDATE changes SET editor = 'bob' WHERE id = 12");
    assert!(env.fails(&["audit", "verify"], 1).contains("change 12"));
}

#[test]
fn a_deleted_change_is_caught() {
    let env = TestEnv::init();
    tamper(&env, "DELETE FROM changes WHERE id = 30");
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("change 30") && err.contains("missing"), "{err}");
}

#[test]
fn a_rehashed_change_still_breaks_the_chain_after_it() {
    // recomputing one change's hash by hand is not enough: the next change chains to the old one
    let env = TestEnv::init();
    tamper(&env, "UPDATE changes SET hash = 'aaaa' WHERE id = 10");
    assert!(env.fails(&["audit", "verify"], 1).contains("change 10"));
}

#[test]
fn stored_json_that_hashes_the_same_but_reads_otherwise_is_caught() {
    // SQL NULL and the JSON text null hash alike, but the second makes "added" read "reopened"
    let env = TestEnv::init();
    env.ok(&["note", "add", "--force", "kent-police", "check the 2019 figures"]);
    tamper(&env, "UPDATE changes SET before = 'null' WHERE id = 47");
    assert!(env.fails(&["audit", "verify"], 1).contains("change 47"));

    // a key given twice: parsed, the last one wins and the change reads as intact, but replay
    // refuses it; the stored bytes are what was hashed, so it is caught
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    tamper(
        &env,
        r#"UPDATE changes SET after = replace(after, '{"name"', '{"url":"https://evil.example/","name"') WHERE id = 47"#,
    );
    let after: String =
        env.sql().query_row("SELECT after FROM changes WHERE id = 47", [], |r| r.get(0)).unwrap();
    assert!(after.matches("\"url\"").count() == 2, "{after}");
    assert!(env.fails(&["audit", "verify"], 1).contains("change 47"));
}

#[test]
fn changes_cut_from_the_end_past_a_publication_are_caught() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish"]); // covers changes 1-47; its own change is 48
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    assert!(env.ok(&["audit", "verify"]).contains("49 changes"));

    // the newest change alone: the chain cannot tell, but the table it changed still says so
    tamper(&env, "DELETE FROM changes WHERE id = 49");
    let err = env.fails(&["audit", "verify"], 1);
    assert!(
        err.contains("table forces, force essex-police, field url: the table holds \"https://www.essex.police.uk/uof\" but the audit log says NULL"),
        "{err}"
    );
    // the publication's own change
    tamper(&env, "DELETE FROM changes WHERE id = 48");
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("ends at change 47") && err.contains("removed from its end"), "{err}");
    // and into what it covered
    tamper(&env, "DELETE FROM changes WHERE id >= 46");
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("ends at change 45") && err.contains("change 47"), "{err}");
}

#[test]
fn a_fresh_database_has_a_fixed_chain() {
    // A fixed vector for the chain: `admin init` at EPOCH by alice. These literals pin the
    // format every stored chain depends on: the canonical JSON of a change (which fields, keys
    // sorted, compact, serde_json's escaping, SQL NULL as null, `reverts` only where set) and
    // the link, hash = sha256(previous hash as lower-case hex ‖ that JSON), "" before change 1.
    // Changing them breaks every chain already stored: update them only for a deliberate change
    // to what `init` records (the seed), never for a change of format.
    let env = TestEnv::init();
    let changes = env.changes();
    let hash = |id: u64| -> String {
        let change = changes.iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no change {id}"));
        change["hash"].as_str().unwrap().to_owned()
    };
    let first = r#"{"action":"init","after":{"name":"Avon and Somerset Constabulary","slug":"avon-and-somerset-constabulary","status":"active","url":null},"at":"2025-11-24T16:00:00Z","before":null,"editor":"alice","entity":"force","force":"avon-and-somerset-constabulary","id":1,"message":null}"#;
    assert_eq!(
        sha256_hex(first.as_bytes()),
        "3515a8aefe28cf7db7ab3194a2f8ae6725cf94a18797d0414022f71a521f609f"
    );
    assert_eq!(hash(1), "3515a8aefe28cf7db7ab3194a2f8ae6725cf94a18797d0414022f71a521f609f");
    assert_eq!(hash(45), "56a172a619a214abf6e36f25e7dd1db2b95ac26358c6d7821e14ecf210d34c9a");
    // what history shows is what is stored
    let stored: String =
        env.sql().query_row("SELECT hash FROM changes WHERE id = 45", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, hash(45));
    // after the forces, init records the page's own words as one more change
    let page = changes.iter().find(|c| c["id"] == 46).expect("no change 46");
    assert_eq!(page["entity"], "page");
    assert_eq!(page["action"], "init");
    assert_eq!(page["force"], serde_json::Value::Null);
    assert_eq!(changes.len(), 46);
    assert!(env.ok(&["audit", "verify"]).contains("46 changes"));
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
