//! A second pair of eyes (SPEC section 10): a team of three on one database, acting through
//! `--editor` — alice (admin), bob (publisher), carol (editor).
use serde_json::Value;

use crate::testenv::{TestEnv, EPOCH};

pub(crate) fn team() -> TestEnv {
    let env = TestEnv::init();
    env.ok(&["--editor", "alice", "editor", "add", "alice", "--role", "admin"]);
    env.ok(&["--editor", "alice", "editor", "add", "bob", "--role", "publisher"]);
    env.ok(&["--editor", "alice", "editor", "add", "carol"]);
    env
}

pub(crate) fn as_(env: &TestEnv, who: &str, args: &[&str]) -> String {
    let mut all = vec!["--editor", who];
    all.extend_from_slice(args);
    env.ok(&all)
}

pub(crate) fn refused(env: &TestEnv, who: &str, args: &[&str], code: i32) -> String {
    let before = env.json(&["history", "--json"]);
    let mut all = vec!["--editor", who];
    all.extend_from_slice(args);
    let err = env.fails(&all, code);
    assert_eq!(env.json(&["history", "--json"]), before, "{args:?} by {who} changed nothing");
    err
}

#[test]
fn a_database_without_editors_works_as_before_and_the_first_editor_is_an_admin() {
    let env = TestEnv::init();
    env.ok(&["--editor", "anyone", "set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["--editor", "someone-else", "publish"]);
    let out = env.ok(&["editor", "list"]);
    assert!(out.contains("no editors registered"), "{out}");
    let err = refused(&env, "alice", &["editor", "add", "bob", "--role", "publisher"], 2);
    assert!(err.contains("the first editor registered must be an admin"), "{err}");
    let err = refused(&env, "alice", &["editor", "add", "alice"], 2);
    assert!(err.contains("the first editor registered must be an admin"), "{err}");
    let out = as_(&env, "alice", &["editor", "add", "alice", "--role", "admin"]);
    assert!(out.contains("added editor alice as admin"), "{out}");
}

#[test]
fn unregistered_and_retired_names_are_refused() {
    let env = team();
    let err = refused(&env, "dave", &["set-url", "kent-police", "https://www.kent.police.uk/uof"], 2);
    assert!(err.contains("\"dave\" is not a registered editor"), "{err}");
    assert!(err.contains("hint: act as a registered editor with --editor NAME"), "{err}");
    // a slip of a registered name: did you mean (another case of it is that editor)
    let err = refused(&env, "alcie", &["set-url", "kent-police", "https://www.kent.police.uk/uof"], 2);
    assert!(err.contains("\"alcie\" is not a registered editor"), "{err}");
    assert!(err.contains("hint: did you mean --editor alice?"), "{err}");
    as_(&env, "alice", &["editor", "retire", "carol", "-m", "left the team"]);
    let err = refused(&env, "carol", &["note", "add", "--force", "kent-police", "still here?"], 2);
    assert!(err.contains("\"carol\" is a retired editor"), "{err}");
    // reading needs no registration
    assert!(env.ok(&["--editor", "dave", "list"]).contains("Kent Police"));
    let list = env.json(&["editor", "list", "--json"]);
    assert_eq!(
        list["editors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["name"].clone(), e["status"].clone()))
            .collect::<Vec<_>>(),
        vec![
            ("alice".into(), "active".into()),
            ("bob".into(), "active".into()),
            ("carol".into(), "retired".into())
        ]
    );
    assert_eq!(list["editors"][0]["role"], "admin");
    assert_eq!(list["editors"][0]["key"], Value::Null);
    assert_eq!(list["editors"][0]["added_at"], "2025-11-24T16:00:00Z");
    let err = refused(&env, "alice", &["editor", "retire", "alice"], 2);
    assert!(err.contains("cannot take away the last active admin"), "{err}");
}

#[test]
fn each_role_does_what_it_may_and_no_more() {
    let env = team();
    // an editor edits
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    as_(&env, "carol", &["review", "kent-police"]);
    // but neither approves nor publishes nor manages editors
    let err = refused(&env, "carol", &["approve"], 2);
    assert!(err.contains("carol is an editor; `approve` needs the publisher role"), "{err}");
    let err = refused(&env, "carol", &["publish", "--without-approval", "-m", "x"], 2);
    assert!(err.contains("carol is an editor; `publish` needs the publisher role"), "{err}");
    let err = refused(&env, "carol", &["editor", "add", "eve"], 2);
    assert!(err.contains("`add-editor` needs the admin role"), "{err}");
    // a publisher approves and publishes, but does not manage editors
    let err = refused(&env, "bob", &["editor", "set-role", "carol", "admin"], 2);
    assert!(err.contains("bob is a publisher; `set-role` needs the admin role"), "{err}");
    as_(&env, "bob", &["approve"]);
    as_(&env, "bob", &["publish"]);
    // an admin manages the registry, audited
    let out = as_(&env, "alice", &["editor", "set-role", "carol", "publisher", "-m", "promoted"]);
    assert!(out.contains("carol is now publisher"), "{out}");
    let change = &env.changes()[0];
    assert_eq!((change["action"].as_str(), change["entity"].as_str()), (Some("set-role"), Some("editor")));
    assert_eq!(change["before"]["role"], "editor");
    assert_eq!(change["after"]["role"], "publisher");
    assert!(env.ok(&["audit", "verify"]).contains("live tables match the log"));
    // the registry as it was, from the log
    let then = env.json(&["editor", "list", "--as-of", "2025-11-24T16:00:00Z", "--json"]);
    assert_eq!(then["editors"][2]["role"], "publisher", "{then}");
}

#[test]
fn the_author_of_a_change_cannot_approve_it_and_a_later_change_voids_an_approval() {
    let env = team();
    as_(&env, "bob", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let err = refused(&env, "bob", &["approve"], 2);
    assert!(
        err.contains("bob cannot approve this content: they made public changes it covers (change 50)"),
        "{err}"
    );
    let out = as_(&env, "alice", &["approve", "-m", "checked the link"]);
    assert!(out.contains("approved the pending content") && out.contains("as alice (change 51)"), "{out}");
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["approval"]["approved_by"], "alice");
    // carol changes something public after the approval: it no longer holds
    as_(&env, "carol", &["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    assert_eq!(env.json(&["status", "--json"])["approval"]["approved_by"], Value::Null);
    let err = refused(&env, "bob", &["publish"], 2);
    assert!(err.contains("this content has not been approved"), "{err}");
    assert!(err.contains("hint: ask another publisher to run `admin approve`, or publish anyway with --without-approval -m REASON"), "{err}");
    // an internal note is not public: it voids nothing
    as_(&env, "alice", &["approve"]);
    as_(&env, "carol", &["note", "add", "--force", "kent-police", "internal remark"]);
    as_(&env, "bob", &["publish"]);
    let publication = &env.json(&["publications", "--json"])["publications"][0];
    assert_eq!(publication["approved_by"], "alice");
    assert_eq!(publication["without_approval"], Value::Null);
    // nothing pending: nothing to approve
    let err = refused(&env, "alice", &["approve"], 2);
    assert!(err.contains("nothing to approve"), "{err}");
}

#[test]
fn status_names_the_newest_publications_made_without_approval_and_counts_the_rest() {
    let env = team();
    for n in 1..=7 {
        as_(&env, "carol", &["set-url", "kent-police", &format!("https://www.kent.police.uk/uof/{n}")]);
        as_(&env, "bob", &["publish", "--without-approval", "-m", &format!("reason {n}")]);
    }
    let status = env.ok(&["status"]);
    let unapproved: Vec<&str> = status.lines().filter(|l| l.contains("unapproved:")).collect();
    assert_eq!(unapproved.len(), 6, "five, and a count of the rest: {status}");
    assert!(unapproved[0].contains("publication 7") && unapproved[0].contains("reason 7"), "{status}");
    assert!(unapproved[4].contains("publication 3"), "{status}");
    assert!(unapproved[5].contains("and 2 more (`admin publications`)"), "{status}");
    // the JSON keeps them all
    let json = env.json(&["status", "--json"]);
    assert_eq!(json["approval"]["unapproved"].as_array().map(Vec::len), Some(7), "{json}");
}

#[test]
fn publishing_without_approval_needs_a_reason_and_is_flagged() {
    let env = team();
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    refused(&env, "bob", &["publish"], 2);
    let err = env.fails(&["--editor", "bob", "publish", "--without-approval"], 2);
    assert!(err.contains("--message"), "{err}");
    let out = as_(&env, "bob", &["publish", "--without-approval", "-m", "the old link was a phishing page"]);
    assert!(out.contains("published without approval: the old link was a phishing page"), "{out}");
    let publication = &env.json(&["publications", "--json"])["publications"][0];
    assert_eq!(publication["without_approval"], "the old link was a phishing page");
    assert_eq!(publication["approved_by"], Value::Null);
    assert_eq!(publication["note"], "First published.");
    let change = &env.changes()[0];
    assert_eq!(change["after"]["without_approval"], "the old link was a phishing page");
    let status = env.ok(&["status"]);
    assert!(
        status.contains("Approval:     required (two editors could publish); nothing pending"),
        "{status}"
    );
    assert!(status.contains("unapproved: publication 1") && status.contains("phishing page"), "{status}");
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
    // demoting the second publisher leaves approval required: only the setting turns it off
    as_(&env, "alice", &["editor", "set-role", "bob", "editor"]);
    as_(&env, "carol", &["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    // alice, the one publisher left, can approve what carol changed
    let err = refused(&env, "alice", &["publish"], 2);
    assert!(err.contains("alice, the only editor who can publish, made none of its changes"), "{err}");
    assert!(err.contains("hint: alice approves it with `admin approve`, then publishes"), "{err}");
    as_(&env, "alice", &["approve"]);
    as_(&env, "alice", &["publish"]);
    // but not her own change
    as_(&env, "alice", &["set-url", "surrey-police", "https://www.surrey.police.uk/uof"]);
    let err = refused(&env, "alice", &["publish"], 2);
    assert!(
        err.contains(
            "nobody can approve it: alice is the only editor who can publish, and made changes it covers"
        ),
        "{err}"
    );
    assert!(!err.contains("restore"), "no publisher is retired: {err}");
    as_(&env, "alice", &["settings", "approval", "optional", "-m", "one publisher until March"]);
    as_(&env, "alice", &["publish"]);
}

#[test]
fn a_schedule_goes_live_when_its_time_comes_and_only_as_scheduled() {
    let env = team();
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    as_(&env, "alice", &["approve"]);
    let at = "2025-11-25T09:30:00Z";
    let out = as_(&env, "bob", &["publish", "--at", at, "-m", "Quarterly update."]);
    assert!(out.contains("scheduled the pending content to go live at 2025-11-25 09:30:00 GMT"), "{out}");
    let err = refused(&env, "bob", &["publish", "--at", "2025-11-26"], 2);
    assert!(err.contains("already scheduled for 2025-11-25 09:30:00 GMT"), "{err}");
    assert!(env.ok(&["status"]).contains("Scheduled:    to go live at 2025-11-25 09:30:00 GMT"));
    // the timer runs before the time: nothing happens
    let out = as_(&env, "timer", &["publish", "--scheduled"]);
    assert!(out.contains("not due yet"), "{out}");
    assert!(!env.path("publish").exists());
    // and after it, as bob, with alice's approval, the scheduled note
    env.set_epoch(EPOCH + 17 * 3600 + 30 * 60);
    let out = as_(&env, "timer", &["publish", "--scheduled"]);
    assert!(out.contains("published major publication 1") && out.contains("approved by alice"), "{out}");
    let publication = &env.json(&["publications", "--json"])["publications"][0];
    assert_eq!(
        (publication["editor"].as_str(), publication["approved_by"].as_str()),
        (Some("bob"), Some("alice"))
    );
    assert_eq!(publication["at"], at);
    assert!(as_(&env, "timer", &["publish", "--scheduled"]).contains("nothing is scheduled"));
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn a_schedule_whose_content_changed_is_refused_and_kept_and_one_can_be_cancelled() {
    let env = team();
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    as_(&env, "alice", &["approve"]);
    as_(&env, "bob", &["publish", "--at", "2025-11-25"]);
    as_(&env, "carol", &["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    env.set_epoch(EPOCH + 86_400);
    let before = env.json(&["publications", "--json"]);
    let err = env.fails(&["--editor", "timer", "publish", "--scheduled"], 1);
    assert!(err.contains("the content changed after it was scheduled (change 52)"), "{err}");
    assert!(err.contains("change 53 (URL set to https://www.essex.police.uk/uof by carol)"), "{err}");
    assert!(err.contains("the schedule is kept"), "{err}");
    assert_eq!(env.json(&["publications", "--json"]), before);
    assert!(env.ok(&["status"]).contains("Scheduled:"));
    let err = refused(&env, "carol", &["publish", "--cancel-schedule"], 2);
    assert!(err.contains("needs the publisher role"), "{err}");
    let out = as_(&env, "bob", &["publish", "--cancel-schedule"]);
    assert!(out.contains("cancelled the scheduled publication (change 54)"), "{out}");
    assert!(as_(&env, "timer", &["publish", "--scheduled"]).contains("nothing is scheduled"));
    let err = refused(&env, "bob", &["publish", "--cancel-schedule"], 2);
    assert!(err.contains("nothing is scheduled"), "{err}");
    assert!(!env.path("publish").exists());
}

#[test]
fn the_registry_table_is_checked_against_the_log() {
    let env = team();
    env.sql().execute_batch("UPDATE editors SET role = 'admin' WHERE name = 'carol'").unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("table editors, editor carol, field role: the table holds \"admin\" but the audit log says \"editor\""), "{err}");
}

#[test]
fn a_publications_approval_rewritten_in_its_table_fails_verify() {
    let env = team();
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    as_(&env, "bob", &["publish", "--without-approval", "-m", "urgent"]);
    env.sql()
        .execute_batch("UPDATE publications SET approved_by = 'alice', without_approval = NULL WHERE id = 1")
        .unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(
        err.contains("publication 1: field approved_by: its row holds \"alice\" but its `publish` change 51 says nothing"),
        "{err}"
    );
}

#[test]
fn a_registry_change_forged_by_an_unregistered_name_fails_verify() {
    let env = team();
    // mallory, registered nowhere, makes herself an admin with a valid chain link, and the
    // table to match
    let after = serde_json::json!({"name": "mallory", "role": "admin", "status": "active"});
    let id = crate::testenv::forge_change(&env, "mallory", "add-editor", "editor", None, None, Some(after));
    env.sql()
        .execute("INSERT INTO editors (name, role, status, added_at) VALUES ('mallory', 'admin', 'active', '2025-11-24T16:00:00Z')", [])
        .unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains(&format!("failed at change {id}: mallory was not allowed to make it")), "{err}");
    assert!(err.contains("\"mallory\" is not a registered editor"), "{err}");
}

#[test]
fn a_role_granted_in_the_table_grants_nothing() {
    let env = team();
    env.sql().execute_batch("UPDATE editors SET role = 'admin' WHERE name = 'carol'").unwrap();
    // the gate reads the registry from the log: carol is still an editor there
    let err = refused(&env, "carol", &["editor", "set-role", "alice", "editor"], 2);
    assert!(err.contains("carol is an editor; `set-role` needs the admin role"), "{err}");
    // retiring a publisher in the table does not lift the approval rule either
    env.sql().execute_batch("UPDATE editors SET role = 'editor' WHERE name = 'carol'; UPDATE editors SET status = 'retired' WHERE name = 'bob'").unwrap();
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let err = refused(&env, "alice", &["publish"], 2);
    assert!(err.contains("this content has not been approved"), "{err}");
}

#[test]
fn a_data_date_is_public_so_its_reviewer_cannot_approve_it() {
    let env = team();
    as_(&env, "bob", &["review", "kent-police", "--data-to", "2025-09"]);
    let err = refused(&env, "bob", &["approve"], 2);
    assert!(
        err.contains("bob cannot approve this content: they made public changes it covers (change 50)"),
        "{err}"
    );
    as_(&env, "alice", &["approve"]);
    // a later data date voids the approval
    as_(&env, "carol", &["review", "essex-police", "--data-to", "2025-06"]);
    assert_eq!(env.json(&["status", "--json"])["approval"]["approved_by"], Value::Null);
}

#[test]
fn the_last_admin_can_be_neither_retired_nor_demoted() {
    let env = team();
    let err = refused(&env, "alice", &["editor", "set-role", "alice", "publisher"], 2);
    assert!(err.contains("cannot take away the last active admin"), "{err}");
    as_(&env, "alice", &["editor", "set-role", "bob", "admin"]);
    as_(&env, "alice", &["editor", "set-role", "alice", "publisher"]);
}

#[test]
fn editor_names_that_an_allowed_signers_file_cannot_hold_or_that_look_alike_are_refused() {
    let env = team();
    for name in ["bob smith", "*", "a?c", "x,y", "!neg", "o'brien"] {
        let err = refused(&env, "alice", &["editor", "add", name], 2);
        assert!(err.contains("which a signature's allowed-signers line cannot hold"), "{name}: {err}");
    }
    for name in ["Alice", "ＡＬＩＣＥ", "ａｌｉｃｅ"] {
        let err = refused(&env, "alice", &["editor", "add", name], 2);
        assert!(
            err.contains(&format!("\"{name}\" is already registered as \"alice\" (admin, active)")),
            "{name}: {err}"
        );
    }
    // surrounding white space is trimmed: the same name
    let err = refused(&env, "alice", &["editor", "add", " alice "], 2);
    assert!(err.contains("\"alice\" is already registered (admin, active)"), "{err}");
}

#[test]
fn the_publications_table_must_say_what_the_log_says() {
    let env = team();
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    as_(&env, "bob", &["publish", "--without-approval", "-m", "first"]);
    as_(&env, "carol", &["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    as_(&env, "bob", &["publish", "--without-approval", "-m", "second"]);
    let site = crate::publish::published_files(&env.path("publish"));
    // the page's history rewritten in the table
    env.sql()
        .execute_batch("UPDATE publications SET at = '2019-05-05T00:00:00Z', note = 'We never changed anything.' WHERE id = 1")
        .unwrap();
    as_(&env, "carol", &["set-url", "dorset-police", "https://www.dorset.police.uk/uof"]);
    let err = refused(&env, "bob", &["publish", "--without-approval", "-m", "third"], 1);
    assert!(
        err.contains(
            "publication 1: field at: its row holds \"2019-05-05T00:00:00Z\" but its `publish` change 51 says \""
        ),
        "{err}"
    );
    assert_eq!(crate::publish::published_files(&env.path("publish")), site);
    env.fails(&["audit", "verify"], 1);
    // a publication's row deleted
    let env = team();
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    as_(&env, "bob", &["publish", "--without-approval", "-m", "first"]);
    as_(&env, "carol", &["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    as_(&env, "bob", &["publish", "--without-approval", "-m", "second"]);
    env.sql().execute_batch("DELETE FROM publications WHERE id = 2").unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("publication 2: the log records it (change 53), but its row is missing"), "{err}");
}

#[test]
fn note_authors_registration_times_and_name_keys_are_checked_too() {
    for (tamper, expect) in [
        ("UPDATE notes SET editor = 'mallory' WHERE id = 1", "table notes, note 1, field editor"),
        ("UPDATE notes SET at = '2019-01-01T00:00:00Z' WHERE id = 1", "table notes, note 1, field at"),
        (
            "UPDATE editors SET added_at = '2019-01-01T00:00:00Z' WHERE name = 'bob'",
            "table editors, editor bob, field added_at",
        ),
        (
            "UPDATE forces SET name_key = 'zzz' WHERE slug = 'kent-police'",
            "table forces, force kent-police, field name_key: the table holds \"zzz\"",
        ),
    ] {
        let env = team();
        as_(&env, "carol", &["note", "add", "--force", "kent-police", "check the 2019 figures"]);
        env.ok(&["audit", "verify"]);
        env.sql().execute_batch(tamper).unwrap();
        let err = env.fails(&["audit", "verify"], 1);
        assert!(err.contains(expect), "{tamper}: {err}");
    }
}

#[test]
fn a_retired_editor_is_restored_with_their_role_and_key_and_acts_again() {
    let env = team();
    as_(&env, "alice", &["editor", "retire", "bob", "-m", "on leave"]);
    // adding them again points at restore, not at set-role
    let err = refused(&env, "alice", &["editor", "add", "bob", "--role", "publisher"], 2);
    assert!(err.contains("\"bob\" is already registered (publisher, retired)"), "{err}");
    assert!(
        err.contains(
            "hint: bob is retired: bring them back, with their role and key, with `admin editor restore bob`"
        ),
        "{err}"
    );
    // a role change would leave them retired: refused, and says how to restore them
    for role in ["publisher", "editor"] {
        let err = refused(&env, "alice", &["editor", "set-role", "bob", role], 2);
        assert!(err.contains("error: bob is retired: a retired editor can make no changes"), "{err}");
        assert!(err.contains("hint: restore them first with `admin editor restore bob`"), "{err}");
    }
    // only an admin restores
    let err = refused(&env, "bob", &["editor", "restore", "bob"], 2);
    assert!(err.contains("is a retired editor"), "{err}");
    let err = refused(&env, "carol", &["editor", "restore", "bob"], 2);
    assert!(err.contains("needs the admin role"), "{err}");
    let err = refused(&env, "alice", &["editor", "restore", "nobody"], 2);
    assert!(err.contains("no editor \"nobody\""), "{err}");
    let out = as_(&env, "alice", &["editor", "restore", "bob", "-m", "back from leave"]);
    assert!(out.contains("restored editor bob"), "{out}");
    let change = &env.changes()[0];
    assert_eq!(change["action"], "restore-editor");
    assert_eq!(change["message"], "back from leave");
    assert_eq!(change["after"]["status"], "active");
    assert_eq!(change["after"]["role"], "publisher");
    let bob = env.json(&["editor", "list", "--json"])["editors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "bob")
        .cloned()
        .unwrap();
    assert_eq!((bob["status"].as_str(), bob["role"].as_str()), (Some("active"), Some("publisher")));
    // restoring an active editor changes nothing
    let before = env.change_count();
    assert!(as_(&env, "alice", &["editor", "restore", "bob"]).contains("nothing to change: bob is active"));
    assert_eq!(env.change_count(), before);
    // and bob acts again as the publisher he was
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    as_(&env, "bob", &["approve"]);
    as_(&env, "alice", &["publish"]);
    assert!(env.ok(&["history", "--action", "restore-editor"]).contains("bob"));
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
    // a restore is not reverted
    let id = change["id"].to_string();
    let err = refused(&env, "alice", &["revert", &id], 2);
    assert!(err.contains("changed the registry of editors"), "{err}");
}

#[test]
fn status_says_when_a_schedule_is_overdue_blocked_by_a_change_or_by_its_publisher() {
    let env = team();
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    as_(&env, "alice", &["approve"]);
    as_(&env, "bob", &["publish", "--at", "2025-11-25T09:30:00Z"]);
    let status = env.ok(&["status"]);
    assert!(
        status.contains("Scheduled:    to go live at 2025-11-25 09:30:00 GMT (change 52, by bob)"),
        "{status}"
    );
    assert!(!status.contains("overdue") && !status.contains("warning"), "{status}");
    // its time passes: overdue, and publish --scheduled is what sends it
    env.set_epoch(EPOCH + 86_400);
    let status = env.ok(&["status"]);
    assert!(
        status.contains(
            "  overdue:    due since 2025-11-25 09:30:00 GMT; `admin publish --scheduled` publishes it"
        ),
        "{status}"
    );
    let json = env.json(&["status", "--json"]);
    assert_eq!(json["approval"]["schedule_problems"]["overdue"], true);
    assert_eq!(json["approval"]["schedule_problems"]["changed_by"], Value::Null);
    // the content changes: it will be refused, and status names the first change
    as_(&env, "carol", &["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    as_(&env, "carol", &["set-url", "surrey-police", "https://www.surrey.police.uk/uof"]);
    env.fails(&["--editor", "timer", "publish", "--scheduled"], 1);
    let status = env.ok(&["status"]);
    assert!(status.contains("due since 2025-11-25 09:30:00 GMT; it cannot go out as it stands"), "{status}");
    assert!(!status.contains("publishes it"), "{status}");
    assert!(
        status.contains("warning:    the content changed after it was scheduled (first change 53, URL set to https://www.essex.police.uk/uof by carol), so `admin publish --scheduled` will refuse it; cancel it with `admin publish --cancel-schedule` and schedule again"),
        "{status}"
    );
    assert_eq!(env.json(&["status", "--json"])["approval"]["schedule_problems"]["changed_by"]["change"], 53);
    // the publisher who made it is retired: it cannot go out as them
    as_(&env, "alice", &["editor", "retire", "bob"]);
    let status = env.ok(&["status"]);
    assert!(
        status.contains("warning:    it goes out as bob, but bob is retired, so it cannot go out as them; restore them (`admin editor restore bob`) or cancel it"),
        "{status}"
    );
    // or no longer a publisher
    as_(&env, "alice", &["editor", "restore", "bob"]);
    as_(&env, "alice", &["editor", "set-role", "bob", "editor"]);
    let status = env.ok(&["status"]);
    assert!(status.contains("but bob is no longer a publisher, so it cannot go out as them"), "{status}");
    assert_eq!(
        env.json(&["status", "--json"])["approval"]["schedule_problems"]["publisher"],
        "not a publisher"
    );
    // cancelled, the warnings go with it
    as_(&env, "alice", &["publish", "--cancel-schedule"]);
    let status = env.ok(&["status"]);
    assert!(!status.contains("Scheduled:") && !status.contains("overdue"), "{status}");
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}
