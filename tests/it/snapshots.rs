//! What the commands an editor reads most print, as a whole, kept as reviewed snapshots (insta):
//! `status`, `show`, `list`, `history`, `approve` and `publish --dry-run`, on one team's day.
//! Hashes and the temporary directory are redacted; times are fixed (SOURCE_DATE_EPOCH).
//! A change to any of these outputs shows up as a snapshot to review (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test --test it snapshots::` and read the diff).
use crate::testenv::TestEnv;

/// A team of three with public changes pending: alice (admin), bob (publisher), carol (editor).
fn day() -> TestEnv {
    let env = TestEnv::init();
    for (name, role) in [("alice", "admin"), ("bob", "publisher"), ("carol", "editor")] {
        env.ok(&["--editor", "alice", "editor", "add", name, "--role", role]);
    }
    let carol = |args: &[&str]| {
        let mut all = vec!["--editor", "carol"];
        all.extend_from_slice(args);
        env.ok(&all);
    };
    carol(&["set-url", "kent-police", "https://www.kent.police.uk/uof", "-m", "found on their site"]);
    env.ok(&["--editor", "bob", "publish", "--without-approval", "-m", "first links"]);
    carol(&["set-url", "kent-police", "https://www.kent.police.uk/use-of-force/", "-m", "moved"]);
    carol(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    carol(&["rename-force", "surrey-police", "Surrey Constabulary", "-m", "new name"]);
    carol(&["note", "add", "--public", "--force", "kent-police", "Counts each tactic, not each incident."]);
    carol(&["note", "add", "--force", "kent-police", "internal: ask about 2019"]);
    carol(&["review", "kent-police", "--data-to", "2025-09-30", "-m", "Q2 is up"]);
    carol(&["page", "set", "heading", "Police use of force data"]);
    env
}

fn check(env: &TestEnv, name: &str, output: &str) {
    let dir = regex_escape(env.path("").display().to_string().trim_end_matches('/'));
    insta::with_settings!({
        filters => vec![
            (dir.as_str(), "[dir]"),
            (r"\b[0-9a-f]{12,}\b", "[hash]"),
            (r"SHA256:[A-Za-z0-9+/]{43}", "[key]"),
        ],
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, output);
    });
}

fn regex_escape(text: &str) -> String {
    text.chars().fold(String::new(), |mut out, c| {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

#[test]
fn what_an_editor_reads_on_a_teams_day() {
    let env = day();
    check(&env, "status", &env.ok(&["status"]));
    check(&env, "show", &env.ok(&["show", "kent-police"]));
    check(&env, "list", &env.ok(&["list"]));
    check(&env, "history", &env.ok(&["history", "--limit", "12"]));
    // a dry run makes the real publish's checks: not approved yet, refused as publish would be
    check(&env, "dry_run_refused", &env.fails(&["--editor", "bob", "publish", "--dry-run"], 2));
    check(&env, "approve", &env.ok(&["--editor", "alice", "approve", "-m", "checked"]));
    check(&env, "dry_run_approved", &env.ok(&["--editor", "bob", "publish", "--dry-run"]));
}
