//! Settings (SPEC section 16): approval is a setting only `admin settings` changes, and the site
//! has a home the database records.
use crate::team::{as_, refused, team};
use crate::testenv::{TestEnv, EPOCH};

#[test]
fn retiring_the_second_publisher_leaves_approval_required_and_status_and_publish_say_how_to_fix_it() {
    let env = team();
    let shown = env.json(&["settings", "--json"]);
    assert_eq!(shown["approval"]["value"], "required");
    assert_eq!(shown["approval"]["change"], serde_json::Value::Null, "{shown}");
    assert_eq!(shown["publishers"], 2);
    as_(&env, "alice", &["editor", "retire", "bob", "-m", "left"]);
    assert_eq!(env.json(&["settings", "--json"])["approval"]["value"], "required");
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let status = env.ok(&["status"]);
    assert!(status.contains("Approval:     required (two editors could publish)"), "{status}");
    assert!(
        status.contains("warning: approval is required but only alice can publish: alice can approve changes other editors made, but not their own; for alice's own changes to go out, register a second publisher (`admin editor add NAME --role publisher`), restore the retired publisher bob (`admin editor restore bob`) or make approval optional (`admin settings approval optional`)"),
        "{status}"
    );
    // carol's change alice can approve: not "nobody can approve"
    let err = refused(&env, "alice", &["publish"], 2);
    assert!(err.contains("alice, the only editor who can publish, made none of its changes"), "{err}");
    // alice's own change nobody can
    as_(&env, "alice", &["set-url", "kent-police", "https://www.kent.police.uk/use-of-force"]);
    let err = refused(&env, "alice", &["publish"], 2);
    assert!(
        err.contains(
            "nobody can approve it: alice is the only editor who can publish, and made changes it covers"
        ),
        "{err}"
    );
    assert!(err.contains("hint: register a second publisher"), "{err}");
    assert!(err.contains("restore the retired publisher bob (`admin editor restore bob`)"), "{err}");
    assert!(err.contains("`admin settings approval optional`"), "{err}");
    // the way out the hint gives works
    let out = as_(&env, "alice", &["settings", "approval", "optional", "-m", "alone until March"]);
    assert!(out.contains("approval is now optional (change"), "{out}");
    assert!(env.ok(&["status"]).contains("Approval:     optional (admin settings)"));
    as_(&env, "alice", &["publish"]);
    // and a second publisher coming back does not turn it on again: only the setting does
    as_(&env, "alice", &["editor", "add", "dave", "--role", "publisher"]);
    assert_eq!(env.json(&["settings", "--json"])["approval"]["value"], "optional");
    as_(&env, "carol", &["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    as_(&env, "alice", &["publish"]);
    as_(&env, "alice", &["settings", "approval", "required"]);
    as_(&env, "carol", &["set-url", "surrey-police", "https://www.surrey.police.uk/uof"]);
    refused(&env, "alice", &["publish"], 2);
    let history = env.ok(&["history", "--by", "alice"]);
    assert!(
        history.contains("set approval to optional") && history.contains("set approval to required"),
        "{history}"
    );
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn only_an_admin_changes_a_setting_and_bad_values_change_nothing() {
    let env = team();
    let err = refused(&env, "bob", &["settings", "approval", "optional"], 2);
    assert!(err.contains("admin"), "{err}");
    refused(&env, "carol", &["settings", "site", "/srv/x"], 2);
    let err = refused(&env, "alice", &["settings", "approval", "maybe"], 2);
    assert!(err.contains("maybe"), "{err}");
    for bad in ["/srv/a\nb", "/srv/a\u{7}b"] {
        let run = env.run(&["--editor", "alice", "settings", "site", bad]);
        assert_ne!(run.code, 0, "{bad:?} accepted");
    }
    let out = as_(&env, "alice", &["settings", "approval", "required"]);
    assert!(out.contains("approval is now required"), "{out}");
    let again = as_(&env, "alice", &["settings", "approval", "required"]);
    assert!(again.contains("nothing to change: approval is already required"), "{again}");
    // a setting cannot be reverted around the rule
    let id = env.changes()[0]["id"].as_i64().unwrap().to_string();
    let err = refused(&env, "alice", &["revert", &id], 2);
    assert!(err.contains("changed a setting"), "{err}");
}

#[test]
fn a_setting_written_behind_the_logs_back_fails_verify() {
    let env = team();
    as_(&env, "alice", &["settings", "approval", "optional"]);
    env.sql().execute("UPDATE settings SET value = 'required' WHERE name = 'approval'", []).unwrap();
    let run = env.run(&["audit", "verify"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("settings") || run.stderr.contains("settings"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn the_site_has_a_home_beside_the_database_and_publish_goes_there_from_anywhere() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    // run from another directory: the site goes beside the database, not into the cwd
    let elsewhere = tempfile::tempdir().unwrap();
    let run = env.command().current_dir(elsewhere.path()).args(["publish"]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(env.path("publish/index.html").is_file());
    assert!(!elsewhere.path().join("publish").exists());
    let shown = env.json(&["settings", "--json"]);
    let home = std::fs::canonicalize(env.path("publish")).unwrap();
    assert_eq!(std::fs::canonicalize(shown["site"]["value"].as_str().unwrap()).unwrap(), home);
    assert!(shown["site"]["source"].as_str().unwrap().contains("first publication"), "{shown}");
    // a different --out is named as not the home
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    let out = env.ok(&["publish", "--out", "elsewhere"]);
    assert!(out.contains("is not the site's home"), "{out}");
    assert!(out.contains("admin settings site"), "{out}");
    // the home moves only by the setting
    env.ok(&["settings", "site", "moved"]);
    env.ok(&["set-url", "surrey-police", "https://www.surrey.police.uk/uof"]);
    let out = env.ok(&["publish"]);
    assert!(out.contains("moved"), "{out}");
    assert!(env.path("moved/index.html").is_file());
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn the_first_publications_out_becomes_the_home() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let out = env.ok(&["publish"]);
    assert!(out.contains("site`"), "{out}");
    assert!(!out.contains("not the site's home"), "{out}");
    assert!(!env.path("publish").exists());
}

#[test]
fn a_schedule_whose_content_went_out_by_hand_is_shown_done() {
    let env = team();
    as_(&env, "carol", &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    as_(&env, "alice", &["approve"]);
    as_(&env, "bob", &["publish", "--at", "2025-11-26T09:30:00Z"]);
    assert!(env.ok(&["status"]).contains("Scheduled:    to go live at 2025-11-26 09:30:00 GMT"));
    // the same content published by hand before its time
    as_(&env, "bob", &["publish"]);
    let status = env.ok(&["status"]);
    assert!(
        status.contains("Scheduled:    done: the content scheduled for 2025-11-26 09:30:00 GMT"),
        "{status}"
    );
    assert!(status.contains("went out by hand in publication 1"), "{status}");
    assert!(!status.contains("to go live"), "{status}");
    env.set_epoch(EPOCH + 2 * 86_400);
    let out = as_(&env, "timer", &["publish", "--scheduled"]);
    assert!(out.contains("nothing to do") && out.contains("published by hand in publication 1"), "{out}");
    // and a new schedule can be made
    as_(&env, "carol", &["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    as_(&env, "alice", &["approve"]);
    as_(&env, "bob", &["publish", "--at", "2025-11-27T09:30:00Z"]);
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn a_site_directory_is_a_plain_directory_that_can_be_published_into() {
    let env = TestEnv::init();
    std::fs::write(env.path("afile"), "x").unwrap();
    let before = env.change_count();
    for (dir, says) in [
        ("e\u{1b}[31mx", "U+001B"),
        ("a\nb", "U+000A"),
        ("afile", "is not a directory"),
        ("uof.db", "is not a directory"),
        ("/", "root directory"),
        (".", "holds the database"),
        ("no/such/parent", "does not exist"),
    ] {
        let err = env.fails(&["settings", "site", dir], 2);
        assert!(err.contains(says), "{dir:?}: {err}");
        assert!(!err.contains('\u{1b}'), "an escape reached the terminal: {err:?}");
    }
    let err = env.fails(&["publish", "--out", "e\u{1b}[31mx"], 2);
    assert!(err.contains("--out holds the character U+001B"), "{err}");
    // a path inside a file is a mistake of the path, as one inside no directory is
    for (out, says) in
        [("afile/site", "(for --out `afile/site`) is not a directory"), ("no/such/site", "does not exist")]
    {
        let err = env.fails(&["publish", "--out", out], 2);
        assert!(
            err.contains(says) && err.contains("give --out a path inside an existing directory"),
            "{out}: {err}"
        );
    }
    // the database's own directory, whose files would then be strangers to move away
    let err = env.fails(&["publish", "--out", "."], 2);
    assert!(err.contains("`.` holds the database: the site goes in a directory of its own"), "{err}");
    // a place where no file can be made beside the site
    let err = env.fails(&["publish", "--out", "/proc/site"], 1);
    assert!(err.contains("hint: admin makes the site beside `--out`, in `/proc`"), "{err}");
    assert_eq!(env.change_count(), before, "nothing recorded");
    // what is recorded is where publish writes: `..` resolved
    std::fs::create_dir(env.path("www")).unwrap();
    env.ok(&["settings", "site", "www/../site"]);
    let home = env.json(&["settings", "--json"])["site"]["value"].as_str().unwrap().to_owned();
    assert!(home.ends_with("/site") && !home.contains(".."), "{home}");
}
