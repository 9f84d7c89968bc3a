//! Hostile input: every bad value exits 2 with one `error:` line and leaves the database file
//! byte-for-byte as it was. The second round's classes have a module each: look-alike and hidden
//! names, import, closed pipes and full devices, `serve`, `restore`; the third round's a site
//! directory that fights back (`site_dir`); paths named on the command line, shown and used as
//! they are (`paths`).
use crate::testenv::{bytes, TestEnv};

mod import;
mod names;
mod paths;
mod pipes;
mod restore;
mod serve;
mod sheets;
mod site_dir;

/// Run `args`, expect exit 2 with one `error:` line (and a hint) and the database untouched;
/// returns stderr.
pub fn refused(env: &TestEnv, args: &[&str]) -> String {
    let before = bytes(&env.db);
    let err = env.fails(args, 2);
    assert_eq!(bytes(&env.db), before, "admin {args:?} changed the database");
    err
}

#[test]
fn bad_names_are_refused() {
    let env = TestEnv::init();
    let long = "x".repeat(201);
    // Linux caps one argument at 128 KiB; 10 MB values arrive through import files instead
    let huge = "y".repeat(120_000);
    let names = [
        "",
        "   ",
        "\t\n",
        "Kent\nPolice",
        "Kent\u{7}Police",
        "Kent\u{202E}ecilop",
        "Kent\u{200B}Police",
        "Kent\u{2028}Police", // line separator
        "Kent\u{2029}Police", // paragraph separator
        "Kent P\u{043E}lice", // Cyrillic о
        "\u{0391}von Police", // Greek Alpha
        long.as_str(),
        huge.as_str(),
        "essex police", // duplicate ignoring case
        "  Essex Police  ",
    ];
    for name in names {
        refused(&env, &["add-force", name]);
        refused(&env, &["rename-force", "kent-police", name]);
    }
}

#[test]
fn bad_slugs_are_refused() {
    let env = TestEnv::init();
    for slug in [
        "Kent",
        "kent police",
        "kent_police",
        "-kent",
        "kent-",
        "kent--police",
        "kënt",
        "<script>",
        "",
        "kent-police",
    ] {
        refused(&env, &["add-force", "Some New Force", "--slug", slug]);
    }
    let err = refused(&env, &["add-force", "Полиция"]);
    assert!(err.contains("--slug"), "{err}");
}

#[test]
fn bad_urls_are_refused() {
    let env = TestEnv::init();
    let long = format!("https://example.org/{}", "a".repeat(2040));
    let urls = [
        "",
        " ",
        "#",
        "kent.police.uk",
        "www.kent.police.uk/uof",
        "//www.kent.police.uk/uof",
        "/relative/path",
        "http://www.kent.police.uk/",
        "HTTP://www.kent.police.uk/",
        "ftp://www.kent.police.uk/",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "javascript&colon;alert(1)",
        "jav&#x09;ascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "https://user:pass@www.kent.police.uk/",
        "https://user@www.kent.police.uk/",
        "https://",
        "https://kent",
        "https:// kent.police.uk",
        "https://www.kent.police.uk/\n<script>",
        "https://exa mple.org/",
        long.as_str(),
    ];
    for url in urls {
        refused(&env, &["set-url", "kent-police", url]);
        refused(&env, &["add-force", "New Force", "--url", url]);
    }
    // http is allowed only when asked for
    env.ok(&["set-url", "kent-police", "http://www.kent.police.uk/", "--allow-http"]);
}

#[test]
fn urls_are_stored_as_the_url_crate_serialises_them() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://WWW.Kent.Police.UK/use of force?q=\"a\"&b='c'"]);
    let shown = env.json(&["show", "kent-police", "--json"]);
    assert_eq!(shown["force"]["url"], "https://www.kent.police.uk/use%20of%20force?q=%22a%22&b=%27c%27");
    // an IDN is stored as punycode, so a homograph is visible as such
    env.ok(&["set-url", "essex-police", "https://www.еssex.police.uk/"]);
    let shown = env.json(&["show", "essex-police", "--json"]);
    assert!(
        shown["force"]["url"].as_str().unwrap().starts_with("https://www.xn--"),
        "{}",
        shown["force"]["url"]
    );
}

#[test]
fn bad_time_arguments_and_unknown_forces_are_refused() {
    let env = TestEnv::init();
    for t in
        ["", "now", "2026-02-30", "2026-13-01", "26-01-01", "2026-01-01T25:00:00Z", "1764000000", "<script>"]
    {
        refused(&env, &["history", "--since", t]);
        refused(&env, &["history", "--until", t]);
    }
    for force in ["", "atlantis", "kent_police", "<script>alert(1)</script>", "' OR 1=1 --"] {
        refused(&env, &["set-url", force, "https://example.org/"]);
        refused(&env, &["show", force]);
    }
}

#[test]
fn bad_notes_and_messages_are_refused() {
    let env = TestEnv::init();
    let long = "n".repeat(5001);
    for text in ["", "   ", "bell\u{7}", "esc\u{1b}[31m", "bidi\u{202E}", long.as_str()] {
        refused(&env, &["note", "add", "--force", "kent-police", text]);
        refused(&env, &["set-url", "kent-police", "https://example.org/", "-m", text]);
    }
    refused(&env, &["note", "resolve", "999"]);
    refused(&env, &["note", "resolve", "-1"]);
    refused(&env, &["note", "resolve", "abc"]);
}

#[test]
fn a_bad_editor_name_is_refused() {
    let env = TestEnv::init();
    for editor in ["", "  ", "a\nb", "x\u{202E}y"] {
        refused(&env, &["--editor", editor, "set-url", "kent-police", "https://example.org/"]);
    }
}

#[test]
fn a_bad_source_date_epoch_is_refused() {
    let env = TestEnv::init();
    let run = env.command().env("SOURCE_DATE_EPOCH", "yesterday").args(["list"]).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    crate::testenv::assert_error_shape(&String::from_utf8_lossy(&run.stderr));
}

/// Text written into the tables behind admin's back (a name with an escape sequence that sets
/// the terminal's title, a bell, a right-to-left override, a zero-width space, a line
/// separator) is shown escaped by every human output, never obeyed by the terminal.
#[test]
fn text_from_a_tampered_table_is_shown_not_obeyed() {
    let env = TestEnv::init();
    let name = "Kent\u{1b}]0;pwned\u{7}\u{1b}[31mRED\u{202e}eciloP\u{200b}\u{2028}x\u{9b}2J";
    env.sql().execute("UPDATE forces SET name = ?1 WHERE slug = 'kent-police'", [name]).unwrap();
    let acting = ['\u{1b}', '\u{7}', '\u{202e}', '\u{200b}', '\u{2028}', '\u{9b}'];
    for args in [
        &["show", "kent-police"][..],
        &["list"],
        &["list", "--all"],
        &["status"],
        &["publish", "--dry-run", "--out", "site"],
    ] {
        let run = env.run(args);
        for out in [&run.stdout, &run.stderr] {
            assert!(!out.contains(acting), "{args:?} printed a character the terminal acts on: {out:?}");
        }
    }
    let shown = env.ok(&["show", "kent-police"]);
    assert!(shown.contains("Kent\\u{1b}]0;pwned\\u{7}"), "{shown}");
    assert!(shown.contains("\\u{202e}eciloP"), "{shown}");
}
