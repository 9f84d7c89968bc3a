//! The hostile corpus (`tests/corpus/hostile.json`): every input says what it expects. Either
//! `"accepted": true` (stored, then rendered inert on every published file), or `"error"`: exit
//! 2, one error line containing that text (and `"at"`, the line or record an import error
//! names), and the database unchanged. URLs are tried with and without `--allow-http`
//! (`"accepted_with_allow_http"` where that differs).
use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::testenv::{assert_error_shape, bytes, TestEnv};

fn corpus() -> Value {
    serde_json::from_str(include_str!("../corpus/hostile.json")).unwrap()
}

fn entries<'a>(corpus: &'a Value, key: &str) -> &'a [Value] {
    corpus[key].as_array().unwrap()
}

fn input(entry: &Value) -> &str {
    entry["in"].as_str().unwrap()
}

/// Run and check the outcome `entry` expects: accepted (exit 0), or refused with exit 2, one
/// error line holding the expected text, and the database untouched. Returns whether accepted.
fn expect(env: &TestEnv, args: &[&str], stdin: Option<&str>, entry: &Value) -> bool {
    expect_as(env, args, stdin, entry, entry["accepted"].as_bool().unwrap_or(false))
}

fn expect_as(env: &TestEnv, args: &[&str], stdin: Option<&str>, entry: &Value, accepted: bool) -> bool {
    let before = bytes(&env.db);
    let mut cmd = env.command();
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped()).stdin(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        // admin stops reading at its limit; a closed pipe here is that, not a failure
        let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    if accepted {
        assert_eq!(code, Some(0), "{args:?} should be accepted: {stderr}");
        return true;
    }
    assert_eq!(code, Some(2), "{args:?} should be refused: {stderr}");
    assert_error_shape(&stderr);
    let error = entry["error"].as_str().expect("a refused entry names its error");
    assert!(stderr.contains(error), "{args:?}: want {error:?} in: {stderr}");
    if let Some(at) = entry["at"].as_str() {
        assert!(stderr.contains(&format!("{at}:")), "{args:?}: want {at:?} in: {stderr}");
    }
    assert_eq!(bytes(&env.db), before, "refused {args:?} changed the database");
    false
}

/// An argument the OS can pass: NUL cannot be, so those inputs go through an import file.
fn passable(text: &str) -> bool {
    !text.contains('\0')
}

#[test]
fn every_hostile_input_is_refused_or_rendered_inert_as_the_corpus_expects() {
    let corpus = corpus();
    let env = TestEnv::init();
    let mut accepted_names = Vec::new();
    let mut accepted_notes = Vec::new();
    let mut tried = 0;

    for (i, entry) in entries(&corpus, "names").iter().enumerate() {
        tried += 1;
        let name = input(entry);
        let slug = format!("corpus-{i}");
        let ok = if passable(name) {
            expect(&env, &["add-force", name, "--slug", &slug], None, entry)
        } else {
            let file = env.path(&format!("name-{i}.csv"));
            std::fs::write(
                &file,
                format!("slug,name,url,status\n{slug},\"{}\",,active\n", name.replace('"', "\"\"")),
            )
            .unwrap();
            expect(&env, &["import", file.to_str().unwrap()], None, entry)
        };
        if ok {
            accepted_names.push(name.trim().to_owned());
        }
    }
    for entry in entries(&corpus, "editors") {
        tried += 1;
        let editor = input(entry);
        let url = "https://www.kent.police.uk/editor-test";
        expect(&env, &["--editor", editor, "set-url", "kent-police", url], None, entry);
    }
    for entry in entries(&corpus, "urls") {
        tried += 1;
        let url = input(entry);
        if passable(url) {
            expect(&env, &["set-url", "kent-police", url], None, entry);
            let with_http = entry["accepted_with_allow_http"].as_bool().unwrap_or(false)
                || entry["accepted"].as_bool().unwrap_or(false);
            expect_as(&env, &["set-url", "essex-police", url, "--allow-http"], None, entry, with_http);
        } else {
            let file = env.path("url.csv");
            std::fs::write(
                &file,
                format!("slug,name,url,status\nkent-police,Kent Police,\"{url}\",active\n"),
            )
            .unwrap();
            expect(&env, &["import", file.to_str().unwrap()], None, entry);
        }
    }
    for entry in entries(&corpus, "notes") {
        tried += 1;
        let note = input(entry);
        if expect(&env, &["note", "add", "--public", "--force", "dorset-police", "-"], Some(note), entry) {
            accepted_notes.push(note.trim().to_owned());
        }
    }
    for (i, entry) in entries(&corpus, "slugs").iter().enumerate() {
        tried += 1;
        expect(&env, &["add-force", &format!("Slug Test {i}"), "--slug", input(entry)], None, entry);
    }
    for entry in entries(&corpus, "times") {
        tried += 1;
        expect(&env, &["history", "--since", input(entry)], None, entry);
        expect(&env, &["list", "--as-of", input(entry)], None, entry);
    }
    for (name, entry) in corpus["imports"].as_object().unwrap() {
        tried += 1;
        let file = env.path(name);
        std::fs::write(&file, entry["body"].as_str().unwrap()).unwrap();
        expect(&env, &["import", file.to_str().unwrap()], None, entry);
    }
    assert!(tried >= 230, "the corpus has {tried} inputs");

    env.ok(&["publish"]);
    let dir = env.path("publish");
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(!index.contains("<script"), "script in the page");
    assert!(!index.contains("<img"), "markup in the page");
    assert!(!index.contains("<h1>pwned"));
    assert!(!index.to_lowercase().contains("href=\"javascript:"), "a javascript: link");
    assert!(!index.to_lowercase().contains("href=\"data:"));
    assert_eq!(index.matches("<h1>").count(), 1);
    for name in &accepted_names {
        let escaped = escape(name);
        assert!(index.contains(&escaped), "accepted name {name:?} is not on the page escaped");
    }
    for note in &accepted_notes {
        let escaped = escape(note).replace('\n', "<br>");
        assert!(index.contains(&escaped), "accepted note {note:?} is not on the page escaped");
    }
    roxmltree::Document::parse(&std::fs::read_to_string(dir.join("feed.atom")).unwrap())
        .expect("feed parses");
    let json: Value = serde_json::from_slice(&std::fs::read(dir.join("forces.json")).unwrap()).unwrap();
    assert!(json["forces"].as_array().unwrap().len() >= 45);
    let csv = std::fs::read_to_string(dir.join("forces.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "formula in the published CSV: {cell:?}");
        }
    }
    let export = env.ok(&["export", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(export.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "formula in the exported CSV: {cell:?}");
        }
    }
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn a_10_mb_note_on_standard_input_is_refused() {
    let env = TestEnv::init();
    let huge = "x".repeat(10 * 1024 * 1024);
    let refused = |error: &str| serde_json::json!({ "error": error });
    expect(&env, &["note", "add", "-"], Some(&huge), &refused("at most 5,000 characters"));
    expect(&env, &["note", "add", "-"], Some("before\0after"), &refused("control character"));
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
