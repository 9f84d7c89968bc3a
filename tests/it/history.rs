//! Auditing over time: the directory as of any moment, revert, export/import, backups and
//! re-rendering old publications.
use serde_json::Value;

use crate::publish::published_files;
use crate::testenv::{bytes, TestEnv, EPOCH};

/// A small seeded generator, so a failing run can be repeated from its printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn list_as_of_any_moment_equals_what_list_said_then() {
    let seed = std::env::var("UOF_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20_261_124u64);
    eprintln!("seed {seed} (set UOF_TEST_SEED to repeat)");
    let mut rng = Rng(seed);
    let env = TestEnv::init();
    let slugs: Vec<String> = env.json(&["list", "--json"])["forces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["slug"].as_str().unwrap().to_owned())
        .collect();
    let mut snapshots: Vec<(i64, Value)> = vec![(EPOCH, env.json(&["list", "--all", "--json"]))];
    let mut open_notes: Vec<String> = Vec::new();
    // Every step is valid input: a known force, a well-formed URL, a name no force has (it
    // holds the step number), a note that exists and is open. So each step either makes the
    // next change or says "nothing to change" (the same URL again, clearing a missing URL,
    // retiring a retired force...); none is refused. `always` marks the steps that can never be
    // a no-op: a fresh name, a new note, resolving an open one, a review.
    let mut next_change = 47;
    let mut changed = 0;
    for step in 0..240 {
        env.set_epoch(EPOCH + 60 * (step + 1));
        let slug = slugs[rng.below(slugs.len())].clone();
        let (what, always, run) = match rng.below(8) {
            0 | 1 => (
                "set-url",
                false,
                env.run(&["set-url", &slug, &format!("https://www.example.org/{slug}/{}", rng.below(4))]),
            ),
            2 => ("clear-url", false, env.run(&["clear-url", &slug])),
            3 => (
                "rename-force",
                true,
                env.run(&["rename-force", &slug, &format!("Force {} {}", rng.below(1000), step)]),
            ),
            4 => ("retire-force", false, env.run(&["retire-force", &slug])),
            5 => ("restore-force", false, env.run(&["restore-force", &slug])),
            6 => {
                let run = env.run(&["note", "add", "--force", &slug, "a note"]);
                let id = env.json(&["note", "list", "--json"])["notes"].as_array().unwrap().last().unwrap()
                    ["id"]
                    .to_string();
                open_notes.push(id);
                ("note add", true, run)
            }
            _ => match open_notes.pop() {
                Some(id) => ("note resolve", true, env.run(&["note", "resolve", &id])),
                None => ("review", true, env.run(&["review", &slug])),
            },
        };
        let context = format!("step {step} ({what} {slug}, seed {seed}):\n{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 0, "{context}");
        if run.stdout.trim_end().ends_with(&format!("(change {next_change})")) {
            next_change += 1;
            changed += 1;
        } else {
            assert!(!always, "this step always changes something: {context}");
            assert!(run.stdout.starts_with("nothing to change: "), "{context}");
        }
        snapshots.push((EPOCH + 60 * (step + 1), env.json(&["list", "--all", "--json"])));
    }
    eprintln!("{changed} of 240 steps made a change");
    // three steps in eight always change something and most of the rest do too (about 190 of
    // 240 for the default seed); a replay of mostly no-ops would prove little about --as-of
    assert!(changed >= 120, "only {changed} of 240 steps made a change (seed {seed})");
    assert_eq!(env.change_count(), 46 + changed, "one change per step that made one");
    for (epoch, expected) in &snapshots {
        let at = chrono::DateTime::from_timestamp(*epoch, 0)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let replayed = env.json(&["list", "--all", "--json", "--as-of", &at]);
        assert_eq!(&replayed, expected, "as of {at} (seed {seed})");
    }
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn show_as_of_shows_the_force_as_it_was() {
    let env = TestEnv::init();
    env.set_epoch(EPOCH + 86_400);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/old"]);
    env.ok(&["note", "add", "--force", "kent-police", "first note"]);
    env.set_epoch(EPOCH + 2 * 86_400);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/new"]);
    env.ok(&["rename-force", "kent-police", "Kent Police Service"]);
    env.ok(&["note", "resolve", "1"]);
    let then = env.json(&["show", "kent-police", "--as-of", "2025-11-25T17:00:00Z", "--json"]);
    assert_eq!(then["force"]["url"], "https://www.kent.police.uk/old");
    assert_eq!(then["force"]["name"], "Kent Police");
    assert_eq!(then["force"]["open_notes"], 1);
    assert_eq!(then["notes"][0]["status"], "open");
    assert_eq!(then["changes"].as_array().unwrap().len(), 3);
    // a FORCE argument names a force of the past as it names one now: a short name, a
    // prefix, a word of its name then, a name that looks alike; several are named, not guessed
    for arg in ["kent", "Kent Police", "KENT POLICE", "Kent Po1ice", "met", "midlands", "essex"] {
        let found = env.json(&["show", arg, "--as-of", "2025-11-25T17:00:00Z", "--json"]);
        assert!(found["force"]["slug"].is_string(), "{arg}: {found}");
    }
    let kent = env.json(&["show", "kent", "--as-of", "2025-11-25T17:00:00Z", "--json"]);
    assert_eq!(kent["force"]["url"], "https://www.kent.police.uk/old");
    // the name a force has now finds it before it was renamed: its slug never changed
    let renamed = env.json(&["show", "Kent Police Service", "--as-of", "2025-11-25T17:00:00Z", "--json"]);
    assert_eq!(renamed["force"]["name"], "Kent Police");
    let unknown = env.fails(&["show", "Nowhere Constabulary", "--as-of", "2025-11-25T17:00:00Z"], 2);
    assert!(
        unknown.contains("hint: see `admin list --all --as-of '2025-11-25 17:00:00 GMT'` for that moment"),
        "the hint names the moment: {unknown}"
    );
    let several = env.fails(&["show", "west", "--as-of", "2025-11-25T17:00:00Z"], 2);
    assert!(
        several.contains("West Midlands Police") && several.contains("West Yorkshire Police"),
        "{several}"
    );
    let before_init = env.run(&["show", "kent-police", "--as-of", "2020-01-01"]);
    assert_eq!(before_init.code, 2, "the force did not exist then");
    assert!(
        before_init.stderr.contains("at 2020-01-01 00:00:00 GMT"),
        "in London time: {}",
        before_init.stderr
    );
    let list = env.json(&["list", "--as-of", "2020-01-01", "--json"]);
    assert_eq!(list["forces"], serde_json::json!([]));
}

#[test]
fn revert_of_a_set_url_restores_the_old_url_with_one_change() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/old"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/wrong"]);
    let count = env.change_count();
    let out = env.ok(&["revert", "48", "-m", "pasted the wrong link"]);
    assert!(out.contains("reverted change 48"), "{out}");
    assert_eq!(env.change_count(), count + 1);
    let last = &env.changes()[0];
    assert_eq!(last["action"], "revert");
    assert_eq!(last["reverts"], 48);
    assert_eq!(last["message"], "pasted the wrong link");
    assert_eq!(last["after"]["url"], "https://www.kent.police.uk/old");
    assert_eq!(
        env.json(&["show", "kent-police", "--json"])["force"]["url"],
        "https://www.kent.police.uk/old"
    );
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn reverting_a_superseded_change_is_refused_naming_the_later_one() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/a"]); // 47
    env.set_editor("bob");
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/b"]); // 48
    env.ok(&["rename-force", "essex-police", "Essex Police Service"]); // 49
    let db = bytes(&env.db);
    let err = env.fails(&["revert", "47"], 2);
    assert!(err.contains("change 48") && err.contains("url") && err.contains("bob"), "{err}");
    assert_eq!(bytes(&env.db), db);
    // a later change to another field does not block
    env.ok(&["rename-force", "kent-police", "Kent Police Service"]); // 50
    env.ok(&["revert", "48"]);
    assert_eq!(env.json(&["show", "kent-police", "--json"])["force"]["url"], "https://www.kent.police.uk/a");
    assert_eq!(env.json(&["show", "kent-police", "--json"])["force"]["name"], "Kent Police Service");
    // what cannot be reverted
    env.ok(&["publish"]);
    let publish_id = env.changes()[0]["id"].to_string();
    assert!(env.fails(&["revert", &publish_id], 2).contains("publication"));
    assert!(env.fails(&["revert", "1"], 2).contains("retire"));
    env.fails(&["revert", "9999"], 2);
    env.ok(&["add-force", "New Force"]);
    let added = env.changes()[0]["id"].to_string();
    assert!(env.fails(&["revert", &added], 2).contains("retire-force"));
}

#[test]
fn revert_of_a_rename_and_of_a_resolved_note() {
    let env = TestEnv::init();
    env.ok(&["rename-force", "kent-police", "Kent Constabulary"]); // 47
    env.ok(&["revert", "47"]);
    assert_eq!(env.json(&["show", "kent-police", "--json"])["force"]["name"], "Kent Police");
    env.ok(&["note", "add", "--force", "kent-police", "n"]);
    env.ok(&["note", "resolve", "1"]);
    let resolve_id = env.changes()[0]["id"].to_string();
    env.ok(&["revert", &resolve_id]);
    assert_eq!(env.json(&["note", "list", "--json"])["notes"][0]["status"], "open");
}

#[test]
fn export_edit_import_round_trips_and_an_unedited_import_writes_nothing() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["retire-force", "wiltshire-police"]);
    for format in ["json", "csv"] {
        let exported = env.ok(&["export", "--format", format]);
        let file = env.path(&format!("forces.{format}"));
        std::fs::write(&file, &exported).unwrap();
        let count = env.change_count();
        let out = env.ok(&["import", file.to_str().unwrap()]);
        assert!(out.contains("nothing to change"), "{out}");
        assert_eq!(env.change_count(), count, "{format}: an unedited import wrote changes");
        assert_eq!(env.ok(&["export", "--format", format]), exported);
    }

    // edit the CSV: rename, new URL, cleared URL, restore, a new retired force
    let csv = env.ok(&["export", "--format", "csv"]);
    let edited = csv
        .replace(
            "essex-police,Essex Police,,active",
            "essex-police,Essex Police Service,https://www.essex.police.uk/uof,active",
        )
        .replace(
            "kent-police,Kent Police,https://www.kent.police.uk/uof,active",
            "kent-police,Kent Police,,active",
        )
        .replace("wiltshire-police,Wiltshire Police,,retired", "wiltshire-police,Wiltshire Police,,active")
        + "isle-of-man-constabulary,Isle of Man Constabulary,https://www.iompolice.im/,retired\n";
    let file = env.path("edited.csv");
    std::fs::write(&file, &edited).unwrap();
    let count = env.change_count();
    let dry = env.ok(&["import", file.to_str().unwrap(), "--dry-run"]);
    assert!(dry.contains("4 forces would change"), "{dry}");
    assert_eq!(env.change_count(), count);
    let out = env.ok(&["import", file.to_str().unwrap(), "-m", "quarterly refresh"]);
    assert!(out.contains("4 forces changed"), "{out}");
    let changes = env.changes();
    assert_eq!(changes.len(), count + 4, "one change per force");
    assert!(changes[..4].iter().all(|c| c["action"] == "import" && c["message"] == "quarterly refresh"));
    let exported = env.ok(&["export", "--format", "csv"]);
    let mut want: Vec<&str> = edited.lines().collect();
    let mut got: Vec<&str> = exported.lines().collect();
    want.sort();
    got.sort();
    assert_eq!(got, want, "export after import is the edited file");
    let shown = env.json(&["show", "isle-of-man-constabulary", "--json"]);
    assert_eq!(shown["force"]["status"], "retired");
}

#[test]
fn malformed_import_files_are_refused_whole_with_the_line_or_record() {
    let env = TestEnv::init();
    let header = "slug,name,url,status\n";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("quoting.csv", format!("{header}kent-police,\"Kent Police,,active\n").into_bytes(), "line"),
        ("columns.csv", b"slug,name,URI\nkent-police,Kent Police,\n".to_vec(), "line 1: unknown column \"URI\""),
        ("extra.csv", format!("{header}kent-police,Kent Police,,active,extra\n").into_bytes(), "line 2"),
        ("dupe.csv", format!("{header}kent-police,Kent,,active\nkent-police,Kent 2,,active\n").into_bytes(), "line 3"),
        ("dupename.csv", format!("{header}a-force,Same Name,,active\nb-force,same name,,active\n").into_bytes(), "line 3"),
        ("url.csv", format!("{header}kent-police,Kent Police,javascript:alert(1),active\n").into_bytes(), "line 2"),
        ("http.csv", format!("{header}kent-police,Kent Police,http://www.kent.police.uk/,active\n").into_bytes(), "line 2"),
        ("status.csv", format!("{header}kent-police,Kent Police,,deleted\n").into_bytes(), "line 2"),
        ("slug.csv", format!("{header}Kent Police,Kent Police,,active\n").into_bytes(), "line 2"),
        ("nul.csv", format!("{header}kent-police,Kent\0Police,,active\n").into_bytes(), "line 2"),
        ("latin1.csv", [header.as_bytes(), b"kent-police,K\xe9nt Police,,active\n"].concat(), "line 2"),
        ("json.json", b"{\"forces\": [{\"slug\": \"kent-police\", \"name\": 5}]}".to_vec(), "record 1"),
        ("notjson.json", b"{\"forces\": [".to_vec(), "line 1"),
        ("empty-name.json", b"{\"forces\": [{\"slug\": \"kent-police\", \"name\": \"  \"}]}".to_vec(), "record 1"),
        ("huge-name.json", format!("{{\"forces\": [{{\"slug\": \"kent-police\", \"name\": \"{}\"}}]}}", "x".repeat(10 * 1024 * 1024)).into_bytes(), "record 1"),
        ("script.csv", format!("{header}kent-police,<script>alert(1)</script>,,active\nessex-police,Essex\u{202E}Police,,active\n").into_bytes(), "line 3"),
    ];
    let db = bytes(&env.db);
    for (name, body, wants) in cases {
        let path = env.path(name);
        std::fs::write(&path, body).unwrap();
        let err = env.fails(&["import", path.to_str().unwrap()], 2);
        assert!(err.contains(wants), "{name}: {err}");
        assert_eq!(bytes(&env.db), db, "{name} changed the database");
    }
    // 100 MB: refused by size without being read
    let big = env.path("big.csv");
    std::fs::File::create(&big).unwrap().set_len(100 * 1024 * 1024).unwrap();
    assert!(env.fails(&["import", big.to_str().unwrap()], 2).contains("bytes"));
    env.fails(&["import", env.path("missing.csv").to_str().unwrap()], 2);
    env.fails(&["import", env.dir.path().to_str().unwrap()], 2);
    assert_eq!(bytes(&env.db), db);
}

#[test]
fn exported_csv_neutralises_formulas_and_imports_them_back() {
    let env = TestEnv::init();
    env.ok(&[
        "add-force",
        "=HYPERLINK(\"https://evil.example/\",\"Click\") Police",
        "--slug",
        "formula-police",
    ]);
    env.ok(&["add-force", "@SUM(1+1) Constabulary", "--slug", "at-constabulary"]);
    let csv = env.ok(&["export", "--format", "csv"]);
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    assert!(csv.contains("'@SUM(1+1) Constabulary"));
    assert!(!csv.lines().any(|l| l.split(',').any(|cell| cell.starts_with(['=', '@', '+']))));
    let file = env.path("f.csv");
    std::fs::write(&file, &csv).unwrap();
    assert!(env.ok(&["import", file.to_str().unwrap()]).contains("nothing to change"));
}

#[test]
fn a_backup_is_a_consistent_verified_copy_and_never_overwrites() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let dest = env.path("backup.db");
    env.ok(&["backup", dest.to_str().unwrap()]);
    let copy = rusqlite::Connection::open(&dest).unwrap();
    let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    drop(copy);
    let verify = env.ok(&["--db", dest.to_str().unwrap(), "audit", "verify"]);
    assert!(verify.contains("47 changes"), "{verify}");
    assert_eq!(env.ok(&["--db", dest.to_str().unwrap(), "list", "--json"]), env.ok(&["list", "--json"]));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o600);
    let before = bytes(&dest);
    assert!(env.fails(&["backup", dest.to_str().unwrap()], 2).contains("already exists"));
    assert_eq!(bytes(&dest), before);
    env.fails(&["backup", env.dir.path().to_str().unwrap()], 2);
}

#[test]
fn a_backup_while_editors_write_is_consistent() {
    let env = TestEnv::init();
    let writer = {
        let mut cmds = Vec::new();
        for i in 0..30 {
            cmds.push(
                env.command()
                    .args(["set-url", "kent-police", &format!("https://www.kent.police.uk/{i}")])
                    .spawn()
                    .unwrap(),
            );
        }
        cmds
    };
    let dest = env.path("hot.db");
    env.ok(&["backup", dest.to_str().unwrap()]);
    for mut child in writer {
        assert!(child.wait().unwrap().success());
    }
    assert!(env.ok(&["--db", dest.to_str().unwrap(), "audit", "verify"]).contains("intact"));
}

#[test]
fn an_old_publication_re_renders_to_its_recorded_sha256() {
    let env = TestEnv::init();
    env.ok(&["note", "add", "--public", "--force", "kent-police", "A caveat"]);
    env.ok(&["publish"]);
    let first = published_files(&env.path("publish"));
    env.set_epoch(EPOCH + 86_400);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["rename-force", "essex-police", "Essex Police Service"]);
    env.ok(&["note", "resolve", "1"]);
    env.ok(&["note", "add", "--public", "page caveat"]);
    env.ok(&["publish"]);
    env.set_epoch(EPOCH + 2 * 86_400);
    env.ok(&["retire-force", "wiltshire-police"]);
    env.ok(&["publish", "--minor"]);
    let third = published_files(&env.path("publish"));
    let out = env.ok(&["publish", "--from-publication", "1", "--out", "old"]);
    assert!(out.contains("matches"), "{out}");
    assert_eq!(published_files(&env.path("old")), first);
    env.ok(&["publish", "--from-publication", "3", "--out", "old"]);
    assert_eq!(published_files(&env.path("old")), third);
    env.ok(&["publish", "--from-publication", "2", "--out", "two"]);
    let pubs = env.json(&["publications", "--json"]);
    let shown = env.json(&["publications", "--show", "2", "--json"]);
    assert_eq!(shown["publication"]["sha256"], pubs["publications"][1]["sha256"]);
    let covered: Vec<&str> =
        shown["changes"].as_array().unwrap().iter().map(|c| c["action"].as_str().unwrap()).collect();
    assert_eq!(covered, ["publish", "set-url", "rename-force", "resolve-note", "add-note"]);
    env.fails(&["publish", "--from-publication", "9", "--out", "x"], 2);
}
