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
    assert_eq!(env.change_count(), 45);
    assert!(env.ok(&["audit", "verify"]).contains("45 changes"));
}

/// Edit a change behind the triggers' back, as someone with the file and sqlite3 could.
fn tamper(env: &TestEnv, sql: &str) {
    let conn = env.sql();
    conn.execute_batch(&format!(
        "DROP TRIGGER changes_no_update; DROP TRIGGER changes_no_delete; {sql};
         CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes BEGIN SELECT RAISE(ABORT, 'x'); END;
         CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes BEGIN SELECT RAISE(ABORT, 'x'); END;"
    ))
    .unwrap();
}

#[test]
fn an_edited_change_makes_verify_exit_1_naming_it() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof", "-m", "found it"]);
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    tamper(&env, "UPDATE changes SET after = replace(after, 'kent.police.uk', 'evil.example') WHERE id = 46");
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("change 46"), "{err}");
    let json = env.run(&["audit", "verify", "--json"]);
    assert_eq!(json.code, 1);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["ok"], false);
    assert_eq!(value["first_bad"], 46);
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
