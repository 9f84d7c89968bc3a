//! The hostile corpus (`tests/corpus/hostile.json`): every input is refused with exit 2 and
//! leaves the database unchanged, or is stored and then rendered inert on every published file.
use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::testenv::{assert_error_shape, bytes, TestEnv};

fn corpus() -> Value {
    serde_json::from_str(include_str!("../corpus/hostile.json")).unwrap()
}

fn strings(corpus: &Value, key: &str) -> Vec<String> {
    corpus[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

/// Run; a refusal must be exit 2, one error line, the database untouched. Returns whether
/// the input was accepted.
fn refused_or_accepted(env: &TestEnv, args: &[&str], stdin: Option<&str>) -> bool {
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
    match out.status.code() {
        Some(0) => true,
        Some(2) => {
            assert_error_shape(&stderr);
            assert_eq!(bytes(&env.db), before, "refused {args:?} changed the database");
            false
        }
        other => panic!("{args:?}: exit {other:?}: {stderr}"),
    }
}

/// An argument the OS can pass: NUL cannot be, so those inputs go through an import file.
fn passable(text: &str) -> bool {
    !text.contains('\0')
}

#[test]
fn every_hostile_input_is_refused_or_rendered_inert() {
    let corpus = corpus();
    let env = TestEnv::init();
    let mut accepted_names = Vec::new();
    let mut accepted_notes = Vec::new();
    let mut tried = 0;

    for (i, name) in strings(&corpus, "names").iter().enumerate() {
        tried += 1;
        let slug = format!("corpus-{i}");
        let ok = if passable(name) {
            refused_or_accepted(&env, &["add-force", name, "--slug", &slug], None)
        } else {
            let file = env.path(&format!("name-{i}.csv"));
            std::fs::write(
                &file,
                format!("slug,name,url,status\n{slug},\"{}\",,active\n", name.replace('"', "\"\"")),
            )
            .unwrap();
            refused_or_accepted(&env, &["import", file.to_str().unwrap()], None)
        };
        if ok {
            accepted_names.push(name.trim().to_owned());
        }
    }
    for url in strings(&corpus, "urls") {
        tried += 1;
        if passable(&url) {
            refused_or_accepted(&env, &["set-url", "kent-police", &url], None);
            refused_or_accepted(&env, &["set-url", "essex-police", &url, "--allow-http"], None);
        } else {
            let file = env.path("url.csv");
            std::fs::write(
                &file,
                format!("slug,name,url,status\nkent-police,Kent Police,\"{url}\",active\n"),
            )
            .unwrap();
            assert!(!refused_or_accepted(&env, &["import", file.to_str().unwrap()], None));
        }
    }
    for note in strings(&corpus, "notes") {
        tried += 1;
        if refused_or_accepted(
            &env,
            &["note", "add", "--public", "--force", "dorset-police", "-"],
            Some(&note),
        ) {
            accepted_notes.push(note.trim().to_owned());
        }
    }
    for (i, slug) in strings(&corpus, "slugs").iter().enumerate() {
        tried += 1;
        refused_or_accepted(&env, &["add-force", &format!("Slug Test {i}"), "--slug", slug], None);
    }
    for time in strings(&corpus, "times") {
        tried += 1;
        assert!(!refused_or_accepted(&env, &["history", "--since", &time], None), "time {time:?} accepted");
        assert!(!refused_or_accepted(&env, &["list", "--as-of", &time], None));
    }
    for (name, body) in corpus["imports"].as_object().unwrap() {
        tried += 1;
        let file = env.path(name);
        std::fs::write(&file, body.as_str().unwrap()).unwrap();
        assert!(!refused_or_accepted(&env, &["import", file.to_str().unwrap()], None), "{name} accepted");
    }
    assert!(tried >= 150, "the corpus has {tried} inputs");

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
    assert!(!refused_or_accepted(&env, &["note", "add", "-"], Some(&huge)));
    let nul = "before\0after";
    assert!(!refused_or_accepted(&env, &["note", "add", "-"], Some(nul)));
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
