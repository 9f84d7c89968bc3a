//! Import is strict (unknown keys and columns refused by name), partial (what a file leaves out
//! is left as it is, and said so), takes --allow-http, reads streams only to its limit, and names
//! the line (CSV) or the record (JSON) of a problem.
use super::refused;
use crate::testenv::{bytes, TestEnv};

fn write(env: &TestEnv, name: &str, body: &str) -> String {
    let path = env.path(name);
    std::fs::write(&path, body).unwrap();
    path.to_str().unwrap().to_owned()
}

fn url_of(env: &TestEnv, slug: &str) -> serde_json::Value {
    env.json(&["show", slug, "--json"])["force"]["url"].clone()
}

#[test]
fn unknown_keys_and_columns_are_refused_by_name() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["retire-force", "wiltshire-police"]);
    let cases = [
        // the issue's examples: "URL" cleared Kent's URL, "stauts" restored a retired force
        (
            "url.json",
            r#"{"forces": [{"slug": "kent-police", "name": "Kent Police", "URL": null}]}"#,
            "\"URL\"",
        ),
        ("stauts.json", r#"{"forces": [{"slug": "wiltshire-police", "stauts": "active"}]}"#, "\"stauts\""),
        // more of the class
        ("Slug.json", r#"{"forces": [{"Slug": "kent-police", "name": "Kent Police"}]}"#, "\"Slug\""),
        ("link.json", r#"{"forces": [{"slug": "kent-police", "link": "https://x.example/"}]}"#, "\"link\""),
        ("top.json", r#"{"forces": [], "force": []}"#, "force"),
        (
            "twice.json",
            r#"{"forces": [{"slug": "kent-police", "url": null, "url": "https://x.example/"}]}"#,
            "twice",
        ),
        // a header in another case or a usual synonym is read (SPEC section 16), one it does not
        // know is refused by name
        ("URI.csv", "slug,name,URI\nkent-police,Kent Police,\n", "\"URI\""),
        ("stauts.csv", "slug,stauts\nwiltshire-police,active\n", "\"stauts\""),
        ("extra.csv", "slug,name,url,status,remarks\nkent-police,Kent Police,,active,x\n", "\"remarks\""),
        ("twice.csv", "slug,url,url\nkent-police,,\n", "twice"),
        ("nokey.csv", "url,status\n,active\n", "no slug or name"),
    ];
    for (name, body, wants) in cases {
        let file = write(&env, name, body);
        let err = refused(&env, &["import", &file]);
        assert!(err.contains(wants), "{name}: {err}");
    }
    assert_eq!(url_of(&env, "kent-police"), "https://www.kent.police.uk/uof");
    assert_eq!(env.json(&["show", "wiltshire-police", "--json"])["force"]["status"], "retired");
}

#[test]
fn what_a_file_leaves_out_is_left_as_it_is_and_reported() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["retire-force", "wiltshire-police"]);
    let count = env.change_count();

    // the issue's example: a CSV with a row removed said "the database already matches"
    let csv = env.ok(&["export", "--format", "csv"]);
    let without_kent: String =
        csv.lines().filter(|l| !l.starts_with("kent-police,")).map(|l| format!("{l}\n")).collect();
    let out = env.ok(&["import", &write(&env, "rows.csv", &without_kent)]);
    assert!(out.contains("1 force not in the file (kent-police): left as it is"), "{out}");
    assert!(!out.contains("already matches `"), "{out}");

    // no url key or column: URLs left alone (never cleared)
    let out = env.ok(&[
        "import",
        &write(&env, "nourl.json", r#"{"forces": [{"slug": "kent-police", "name": "Kent Police"}]}"#),
    ]);
    assert!(out.contains("url not in the file: left as it is for every force"), "{out}");
    assert!(out.contains("44 forces not in the file: left as they are"), "{out}");
    let out = env.ok(&["import", &write(&env, "nourl.csv", "slug,name\nkent-police,Kent Police\n")]);
    assert!(out.contains("url not in the file"), "{out}");
    // no status: a retired force stays retired
    env.ok(&["import", &write(&env, "nostatus.csv", "slug,url\nwiltshire-police,\n")]);
    assert_eq!(url_of(&env, "kent-police"), "https://www.kent.police.uk/uof");
    assert_eq!(env.json(&["show", "wiltshire-police", "--json"])["force"]["status"], "retired");
    assert_eq!(env.change_count(), count, "leaving things out changed something");

    // only an explicit null or an empty cell clears
    env.ok(&["import", &write(&env, "null.json", r#"{"forces": [{"slug": "kent-police", "url": null}]}"#)]);
    assert_eq!(url_of(&env, "kent-police"), serde_json::Value::Null);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["import", &write(&env, "empty.csv", "slug,url\nkent-police,\n")]);
    assert_eq!(url_of(&env, "kent-police"), serde_json::Value::Null);
    // a new force still needs a name
    let err = refused(&env, &["import", &write(&env, "new.csv", "slug,url\nnew-force,https://x.example/\n")]);
    assert!(err.contains("line 2") && err.contains("needs a name"), "{err}");
}

#[test]
fn a_url_of_only_white_space_is_refused_not_taken_for_an_empty_cell() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    // the issue's examples (a space, a tab, a no-break space) and more of the class: an
    // ideographic space, an em space, a line separator, a thin space between spaces
    for (cell, points) in [
        (" ", "U+0020"),
        ("\t", "U+0009"),
        ("\u{A0}", "U+00A0"),
        ("\u{3000}", "U+3000"),
        ("\u{2003}", "U+2003"),
        ("\u{2028}", "U+2028"),
        (" \u{2009} ", "U+0020 U+2009 U+0020"),
    ] {
        let wants = format!("the URL is only white space ({points})");
        let csv = write(
            &env,
            "spaces.csv",
            &format!("slug,name,url\nessex-police,Essex Police,\nkent-police,Kent Police,{cell}\n"),
        );
        let err = refused(&env, &["import", &csv]);
        assert!(err.contains(&format!("line 3: {wants}")), "{cell:?}: {err}");
        assert!(err.contains("hint: leave it empty (in JSON, null)"), "{err}");
        let json = serde_json::json!({"forces": [{"slug": "kent-police", "url": cell}]}).to_string();
        let err = refused(&env, &["import", &write(&env, "spaces.json", &json), "--dry-run"]);
        assert!(err.contains(&format!("record 1: {wants}")), "{cell:?}: {err}");
        // as set-url refuses it
        refused(&env, &["set-url", "kent-police", cell]);
    }
    assert_eq!(url_of(&env, "kent-police"), "https://www.kent.police.uk/uof");
}

#[test]
fn export_then_import_round_trips_an_http_url_with_allow_http() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "http://www.kent.police.uk/uof", "--allow-http"]);
    for format in ["json", "csv"] {
        let file = write(&env, &format!("forces.{format}"), &env.ok(&["export", "--format", format]));
        // without it, refused naming the flag
        let err = refused(&env, &["import", &file]);
        assert!(err.contains("--allow-http") && err.contains("not https"), "{err}");
        let count = env.change_count();
        let out = env.ok(&["import", &file, "--allow-http"]);
        assert!(out.contains("already matches"), "{out}");
        assert_eq!(env.change_count(), count);
    }
}

#[test]
fn json_errors_name_the_record_and_csv_errors_the_line() {
    let env = TestEnv::init();
    let records: Vec<String> =
        (1..=13).map(|i| format!(r#"{{"slug": "force-{i}", "name": "Force {i}"}}"#)).collect();
    for (bad, wants) in [
        // the issue's example: the 14th record was "line 14"
        (r#"{"slug": "force-14", "name": "Force 14", "url": "javascript:alert(1)"}"#, "record 14:"),
        (r#"{"slug": "Force 14", "name": "Force 14"}"#, "record 14:"),
        (r#"{"slug": "force-14", "name": 14}"#, "record 14: name must be text, not a number"),
        (r#"{"slug": "force-1", "name": "Force 14"}"#, "record 14: the slug `force-1` is also on record 1"),
        (
            r#"{"slug": "force-14", "name": "FORCE  1"}"#,
            "record 14: the name \"FORCE  1\" is also on record 1",
        ),
    ] {
        // pretty-printed, so record 14 is nowhere near line 14
        let body = format!("{{\n  \"forces\": [\n    {},\n    {bad}\n  ]\n}}\n", records.join(",\n    "));
        let err = refused(&env, &["import", &write(&env, "records.json", &body)]);
        assert!(err.contains(wants), "{wants}: {err}");
        assert!(!err.contains("line 14"), "{err}");
    }
    let mut csv = "slug,name,url,status\n".to_owned();
    for i in 1..=13 {
        csv.push_str(&format!("force-{i},Force {i},,active\n"));
    }
    csv.push_str("force-14,Force 14,,deleted\n");
    let err = refused(&env, &["import", &write(&env, "lines.csv", &csv)]);
    assert!(err.contains("line 15: the status \"deleted\""), "{err}");
}

#[test]
fn standard_input_is_read_only_up_to_the_size_limit() {
    let env = TestEnv::init();
    let db = bytes(&env.db);
    // `-` is the standard input, a pipe: read up to the limit, never until memory runs out
    for script in [
        "head -c 25000000 /dev/zero | \"$ADMIN\" import -",
        "yes 'kent-police,Kent Police,,active' | \"$ADMIN\" import -",
    ] {
        let run = env.shell(script);
        assert_eq!(run.code, 2, "{script}: {}", run.stderr);
        crate::testenv::assert_error_shape(&run.stderr);
        assert!(run.stderr.contains("more than 20971520 bytes"), "{script}: {}", run.stderr);
        assert_eq!(bytes(&env.db), db, "{script} changed the database");
    }
    // and a small stream imports
    let run = env.shell("printf 'slug,name\\nkent-police,Kent Police\\n' | \"$ADMIN\" import -");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("44 forces not in the file"), "{}", run.stdout);
}

/// The issue's example (`mkfifo ff.csv; admin import ff.csv --dry-run` waited for a writer for
/// ever) and its class: whatever is not a regular file is refused by name before it is opened.
#[test]
fn only_regular_files_are_imported_and_anything_else_is_refused_by_name() {
    let env = TestEnv::init();
    let fifo = |name: &str| {
        let made = std::process::Command::new("mkfifo").arg(env.path(name)).status().unwrap();
        assert!(made.success());
    };
    fifo("ff.csv");
    fifo("ff.xlsx");
    std::os::unix::fs::symlink(env.path("ff.csv"), env.path("link.csv")).unwrap();
    std::fs::create_dir(env.path("dir.csv")).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(env.path("sock.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/null", env.path("null.csv")).unwrap();
    for (path, wants) in [
        ("ff.csv", "`ff.csv` is a FIFO (named pipe), not an import file"),
        ("ff.xlsx", "`ff.xlsx` is a FIFO (named pipe), not an import file"),
        ("link.csv", "`link.csv` is a symlink to a FIFO (named pipe), not an import file"),
        ("dir.csv", "`dir.csv` is a directory, not an import file"),
        ("sock.csv", "`sock.csv` is a socket, not an import file"),
        ("/dev/null", "`/dev/null` is a device, not an import file"),
        ("/dev/zero", "`/dev/zero` is a device, not an import file"),
        ("null.csv", "`null.csv` is a symlink to a device, not an import file"),
        ("/dev/stdin", "`/dev/stdin` is a symlink to "),
    ] {
        for dry_run in [true, false] {
            let args: &[&str] = if dry_run { &["import", path, "--dry-run"] } else { &["import", path] };
            let err = refused(&env, args);
            assert!(err.starts_with(&format!("error: {wants}")), "{path}: {err}");
            assert!(err.contains("hint: give the path of a file"), "{path}: {err}");
        }
    }
    // a regular file through a symlink is read
    std::fs::write(env.path("real.csv"), "slug,name\nkent-police,Kent Police\n").unwrap();
    std::os::unix::fs::symlink(env.path("real.csv"), env.path("to-real.csv")).unwrap();
    assert!(env.ok(&["import", "to-real.csv", "--dry-run"]).contains("nothing to change"));
}
