//! The directory: init, list, show, every force mutation and its one audited change, history
//! filters, and how the database file is opened.
use serde_json::{json, Value};

use crate::testenv::{bytes, seed_names, TestEnv, EPOCH};

#[test]
fn init_loads_the_45_seed_forces_alphabetically_with_no_urls() {
    let env = TestEnv::init();
    let list = env.json(&["list", "--json"]);
    let forces = list["forces"].as_array().unwrap();
    let names: Vec<&str> = forces.iter().map(|f| f["name"].as_str().unwrap()).collect();
    let seed = seed_names();
    assert_eq!(seed.len(), 45);
    assert_eq!(
        names,
        seed.iter().map(String::as_str).collect::<Vec<_>>(),
        "names exact, in the seed's order"
    );
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "alphabetical");
    for force in forces {
        assert_eq!(force["url"], Value::Null);
        assert_eq!(force["link_status"], "missing");
        assert_eq!(force["status"], "active");
        assert_eq!(force["open_notes"], 0);
        let keys: Vec<&str> = force.as_object().unwrap().keys().map(String::as_str).collect();
        for key in ["slug", "name", "url", "status", "link_status", "open_notes"] {
            assert!(keys.contains(&key), "list entry lacks {key}");
        }
    }
    assert_eq!(forces[9]["slug"], "devon-and-cornwall-police");
    let changes = env.changes();
    assert_eq!(changes.len(), 46, "one init change per force, then one for the page's own words");
    assert!(changes.iter().all(|c| c["action"] == "init" && c["editor"] == "alice" && c["before"].is_null()));
    let mut slugs: Vec<&str> =
        changes.iter().filter(|c| c["entity"] == "force").map(|c| c["force"].as_str().unwrap()).collect();
    slugs.sort_unstable();
    slugs.dedup();
    assert_eq!(slugs.len(), 45, "one init change per force");
    assert_eq!(changes[0]["id"], 46, "the page comes after the forces");
    assert_eq!(changes[0]["entity"], "page");
    assert_eq!(changes[0]["force"], Value::Null);
}

#[test]
fn init_empty_loads_the_page_text_only() {
    let env = TestEnv::empty();
    env.ok(&["init", "--empty"]);
    assert_eq!(env.json(&["list", "--json"])["forces"], json!([]));
    let changes = env.changes();
    assert_eq!(changes.len(), 1, "the page's own words, and no force");
    assert_eq!(changes[0]["action"], "init");
    assert_eq!(changes[0]["entity"], "page");
    assert_eq!(changes[0]["force"], Value::Null);
}

#[test]
fn init_refuses_an_existing_database_and_leaves_it_alone() {
    let env = TestEnv::init();
    let before = bytes(&env.db);
    let err = env.fails(&["init"], 2);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(bytes(&env.db), before);
}

#[test]
fn a_missing_database_is_refused_and_not_created() {
    let env = TestEnv::empty();
    let typo = env.path("uof.bd");
    for args in [vec!["list"], vec!["set-url", "kent-police", "https://example.org/"], vec!["history"]] {
        let mut full = vec!["--db", typo.to_str().unwrap()];
        full.extend(args);
        let err = env.fails(&full, 2);
        assert!(err.contains("does not exist"), "{err}");
        assert!(!typo.exists(), "a typo created a database");
    }
}

#[test]
fn global_options_work_before_or_after_the_subcommand() {
    let env = TestEnv::init();
    let db = env.db.to_str().unwrap().to_owned();
    let other = env.path("other.db");
    std::fs::rename(&env.db, &other).unwrap();
    let other = other.to_str().unwrap();
    env.ok(&["--db", other, "set-url", "kent-police", "https://example.org/a", "--editor", "bob"]);
    env.ok(&["list", "--db", other]);
    let changes: Value =
        serde_json::from_str(&env.ok(&["history", "--json", "--db", other, "--limit", "1"])).unwrap();
    assert_eq!(changes["changes"][0]["editor"], "bob");
    assert!(!std::path::Path::new(&db).exists());
}

#[test]
fn new_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::init();
    let mode = std::fs::metadata(&env.db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// The newest change, as `history --json` shows it.
fn last_change(env: &TestEnv) -> Value {
    env.json(&["history", "--json", "--limit", "1"])["changes"][0].clone()
}

#[test]
fn each_mutation_adds_exactly_one_change_with_before_and_after() {
    let env = TestEnv::init();
    let state = |slug: &str, name: &str, url: Option<&str>, status: &str| json!({"slug": slug, "name": name, "url": url, "status": status});

    let slug = env.ok(&["add-force", "Isle of Man Constabulary", "-m", "crown dependency"]);
    assert_eq!(slug.trim(), "isle-of-man-constabulary");
    let c = last_change(&env);
    assert_eq!(c["action"], "add-force");
    assert_eq!(c["force"], "isle-of-man-constabulary");
    assert_eq!(c["before"], Value::Null);
    assert_eq!(c["after"], state("isle-of-man-constabulary", "Isle of Man Constabulary", None, "active"));
    assert_eq!(c["message"], "crown dependency");
    assert_eq!(env.change_count(), 47);

    let steps: Vec<(Vec<&str>, &str, Value, Value)> = vec![
        (
            vec!["set-url", "Isle of Man Constabulary", "https://www.iompolice.im/use of force"],
            "set-url",
            state("isle-of-man-constabulary", "Isle of Man Constabulary", None, "active"),
            state(
                "isle-of-man-constabulary",
                "Isle of Man Constabulary",
                Some("https://www.iompolice.im/use%20of%20force"),
                "active",
            ),
        ),
        (
            vec!["rename-force", "isle-of-man-constabulary", "Isle of Man Police"],
            "rename-force",
            state(
                "isle-of-man-constabulary",
                "Isle of Man Constabulary",
                Some("https://www.iompolice.im/use%20of%20force"),
                "active",
            ),
            state(
                "isle-of-man-constabulary",
                "Isle of Man Police",
                Some("https://www.iompolice.im/use%20of%20force"),
                "active",
            ),
        ),
        (
            vec!["clear-url", "ISLE OF MAN POLICE"],
            "clear-url",
            state(
                "isle-of-man-constabulary",
                "Isle of Man Police",
                Some("https://www.iompolice.im/use%20of%20force"),
                "active",
            ),
            state("isle-of-man-constabulary", "Isle of Man Police", None, "active"),
        ),
        (
            vec!["retire-force", "isle-of-man-constabulary"],
            "retire-force",
            state("isle-of-man-constabulary", "Isle of Man Police", None, "active"),
            state("isle-of-man-constabulary", "Isle of Man Police", None, "retired"),
        ),
        (
            vec!["restore-force", "isle-of-man-constabulary"],
            "restore-force",
            state("isle-of-man-constabulary", "Isle of Man Police", None, "retired"),
            state("isle-of-man-constabulary", "Isle of Man Police", None, "active"),
        ),
    ];
    for (i, (args, action, before, after)) in steps.into_iter().enumerate() {
        env.ok(&args);
        let c = last_change(&env);
        assert_eq!(env.change_count(), 48 + i, "{action} wrote more than one change");
        assert_eq!(c["action"], action);
        assert_eq!(c["before"], before, "{action}");
        assert_eq!(c["after"], after, "{action}");
        assert_eq!(c["editor"], "alice");
        assert_eq!(c["hash"].as_str().unwrap().len(), 64);
    }
}

#[test]
fn a_mutation_that_changes_nothing_writes_nothing_and_says_so() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let before = env.change_count();
    let cases: [&[&str]; 4] = [
        &["set-url", "kent-police", "https://www.kent.police.uk/uof"],
        &["rename-force", "kent-police", "Kent Police"],
        &["clear-url", "essex-police"],
        &["restore-force", "kent-police"],
    ];
    for args in cases {
        let out = env.ok(args);
        assert!(out.contains("nothing to change"), "{args:?}: {out}");
    }
    assert_eq!(env.change_count(), before);
}

#[test]
fn retired_forces_leave_the_list_but_keep_their_history() {
    let env = TestEnv::init();
    env.ok(&["retire-force", "kent-police", "-m", "test"]);
    let active = env.json(&["list", "--json"]);
    assert_eq!(active["forces"].as_array().unwrap().len(), 44);
    let all = env.json(&["list", "--all", "--json"]);
    let kent = all["forces"].as_array().unwrap().iter().find(|f| f["slug"] == "kent-police").unwrap().clone();
    assert_eq!(kent["status"], "retired");
    let shown = env.json(&["show", "kent-police", "--json"]);
    assert_eq!(shown["force"]["status"], "retired");
    assert_eq!(shown["changes"].as_array().unwrap().len(), 2);
}

#[test]
fn renaming_keeps_the_slug_and_refuses_a_taken_name() {
    let env = TestEnv::init();
    env.ok(&["rename-force", "kent-police", "Kent Police Service"]);
    let shown = env.json(&["show", "kent police service", "--json"]);
    assert_eq!(shown["force"]["slug"], "kent-police");
    let err = env.fails(&["rename-force", "kent-police", "  essex POLICE "], 2);
    assert!(err.contains("already exists"), "{err}");
    let err = env.fails(&["add-force", "ESSEX police"], 2);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn show_json_has_the_force_its_checks_notes_reviews_and_changes() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["note", "add", "--force", "kent-police", "check 2019 figures"]);
    env.ok(&["review", "kent-police", "-m", "looked fine"]);
    let shown = env.json(&["show", "kent-police", "--json"]);
    assert_eq!(shown["force"]["slug"], "kent-police");
    assert_eq!(shown["force"]["link_status"], "pending");
    assert_eq!(shown["force"]["open_notes"], 1);
    assert_eq!(shown["link_check"], Value::Null);
    assert_eq!(shown["notes"][0]["text"], "check 2019 figures");
    assert_eq!(shown["reviews"][0]["message"], "looked fine");
    assert_eq!(shown["reviews"][0]["editor"], "alice");
    let actions: Vec<&str> =
        shown["changes"].as_array().unwrap().iter().map(|c| c["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["review", "add-note", "set-url", "init"]);
    let human = env.ok(&["show", "kent-police"]);
    assert!(human.contains("Kent Police (kent-police)") && human.contains("check 2019 figures"), "{human}");
    env.fails(&["show", "no-such-force"], 2);
}

#[test]
fn show_gives_each_force_as_the_list_does_whatever_its_state() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/a"]);
    env.ok(&["note", "add", "--force", "kent-police", "the link moves monthly"]);
    env.ok(&["review", "essex-police", "--data-to", "2025-09"]);
    env.ok(&["retire-force", "dyfed-powys-police"]);
    // `show` reads the one force's row; every force, retired too, is as `list --all` gives it
    let listed = env.json(&["list", "--all", "--json"])["forces"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 45);
    for entry in &listed {
        let slug = entry["slug"].as_str().unwrap();
        assert_eq!(&env.json(&["show", slug, "--json"])["force"], entry, "{slug}");
    }
    let kent = &env.json(&["show", "Kent Police", "--json"])["force"];
    assert_eq!((kent["open_notes"].as_i64(), kent["link_status"].as_str()), (Some(1), Some("pending")));
    assert_eq!(env.json(&["show", "essex-police", "--json"])["force"]["data_to"], "2025-09-30");
    assert_eq!(env.json(&["show", "dyfed-powys-police", "--json"])["force"]["status"], "retired");
}

#[test]
fn history_filters_by_force_editor_action_time_and_limit() {
    let env = TestEnv::init();
    env.set_epoch(EPOCH + 86_400); // 2025-11-25
    env.set_editor("bob");
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/a"]);
    env.set_epoch(EPOCH + 2 * 86_400); // 2025-11-26
    env.set_editor("carol");
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/a"]);
    env.ok(&["rename-force", "kent-police", "Kent Police Service"]);

    let ids = |args: &[&str]| -> Vec<i64> {
        let mut full = vec!["history", "--json"];
        full.extend_from_slice(args);
        env.json(&full)["changes"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
    };
    assert_eq!(ids(&["--force", "kent-police"]), [49, 47, 21]);
    assert_eq!(ids(&["--force", "Kent Police Service"]), [49, 47, 21]);
    assert_eq!(ids(&["--by", "bob"]), [47]);
    assert_eq!(ids(&["--by", "carol", "--action", "set-url"]), [48]);
    assert_eq!(ids(&["--action", "rename-force"]), [49]);
    assert_eq!(ids(&["--since", "2025-11-25"]), [49, 48, 47]);
    assert_eq!(ids(&["--since", "2025-11-25", "--until", "2025-11-25T23:59:59Z"]), [47]);
    assert_eq!(ids(&["--until", "2025-11-24T16:00:00Z", "--limit", "2"]), [46, 45]);
    assert_eq!(ids(&["--limit", "2", "--before-id", "48"]), [47, 46]);
    // a name nobody has made a change under is a slip, not an empty history (SPEC section 16)
    let err = env.fails(&["history", "--by", "nobody"], 2);
    assert!(err.starts_with("error: no editor \"nobody\" has made a change or is registered"), "{err}");
    let table = env.ok(&["history", "--force", "kent-police"]);
    assert!(table.contains("renamed Kent Police to Kent Police Service"), "{table}");

    env.fails(&["history", "--since", "last tuesday"], 2);
    env.fails(&["history", "--action", "delete-everything"], 2);
    env.fails(&["history", "--force", "atlantis"], 2);
}

#[test]
fn history_describes_each_change_from_its_stored_sides_and_names_one_that_is_not_json() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/a"]);
    let site = env.dir.path().join("site");
    env.ok(&["publish", "--out", site.to_str().unwrap()]);
    env.ok(&["retire-force", "essex-police"]);
    // the table reads each change's sides as the text they are stored as, straight into their
    // event: the publication (its record names all 45 forces) is "published", as before
    let table = env.ok(&["history", "--limit", "3"]);
    let lines: Vec<&str> = table.lines().skip(1).collect();
    assert!(lines[0].contains("retire-force") && lines[0].contains("retired"), "{table}");
    assert!(lines[1].contains("publish") && lines[1].contains("published"), "{table}");
    assert!(lines[2].contains("URL set to https://www.kent.police.uk/a"), "{table}");
    let publish =
        env.json(&["history", "--json", "--action", "publish"])["changes"][0]["id"].as_i64().unwrap();

    // behind the tool's back: a side of another shape is described as unreadable, the rest
    // still shown; a side that is not JSON at all fails the reading, naming its change
    let conn = env.sql();
    conn.execute_batch("DROP TRIGGER changes_no_update;").unwrap();
    conn.execute("UPDATE changes SET after = '{\"x\": 1}' WHERE id = ?1", [publish]).unwrap();
    let table = env.ok(&["history", "--limit", "3"]);
    assert!(table.contains("publish (unreadable)"), "{table}");
    assert!(table.contains("retired"), "{table}");
    // not JSON as the reader of values has it, on either side, whatever the change's event reads
    // of it: text, a number out of range, a lone surrogate, nesting past 128, text after the value
    let set_url = publish - 1;
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let bad = ["{not json", r#"{"a":1e400}"#, r#"{"a":"\ud800"}"#, deep.as_str(), r#"{"a":1} x"#];
    let listings: [&[&str]; 4] = [
        &["history", "--limit", "3"],
        &["history", "--json", "--limit", "3"],
        &["publications", "--show", "1"],
        &["publications", "--show", "1", "--json"],
    ];
    for (id, side, text) in [(set_url, "before"), (set_url, "after"), (publish, "before")]
        .iter()
        .flat_map(|(id, side)| bad.iter().map(move |text| (*id, *side, *text)))
    {
        let restore = conn.query_row(&format!("SELECT {side} FROM changes WHERE id = ?1"), [id], |r| {
            r.get::<_, Option<String>>(0)
        });
        conn.execute(&format!("UPDATE changes SET {side} = ?1 WHERE id = ?2"), (text, id)).unwrap();
        let want = format!("error: failed to read the audit log: change {id} holds a side that is not JSON");
        // publication 1 covers the set-url, not its own change
        for args in listings.iter().filter(|args| id == set_url || args[0] == "history") {
            let run = env.run(args);
            assert_eq!(run.code, 1, "change {id} {side} {text:.40}: {args:?}: {}", run.stderr);
            assert!(run.stderr.starts_with(&want), "{side} {text:.40}: {args:?}: {}", run.stderr);
            assert!(run.stdout.is_empty(), "{}", run.stdout);
        }
        conn.execute(&format!("UPDATE changes SET {side} = ?1 WHERE id = ?2"), (restore.unwrap(), id))
            .unwrap();
    }
    env.ok(&["history", "--limit", "3"]);
}

#[test]
fn the_editor_comes_from_the_flag_the_environment_or_the_os_user() {
    let env = TestEnv::init();
    let run = env
        .command()
        .env_remove("UOF_EDITOR")
        .env("USER", "osuser")
        .args(["set-url", "kent-police", "https://a.example.org/"])
        .output()
        .unwrap();
    assert!(run.status.success());
    assert_eq!(last_change(&env)["editor"], "osuser");
    // no UOF_EDITOR, USER or LOGNAME (cron, containers): the account the process runs as
    let run = env
        .command()
        .env_remove("UOF_EDITOR")
        .args(["set-url", "kent-police", "https://b.example.org/"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let id = std::process::Command::new("id").arg("-un").output().unwrap();
    assert_eq!(last_change(&env)["editor"], String::from_utf8_lossy(&id.stdout).trim());
    env.ok(&["--editor", "dave", "set-url", "kent-police", "https://c.example.org/"]);
    assert_eq!(last_change(&env)["editor"], "dave");
}

#[test]
fn a_database_from_a_newer_admin_is_refused_and_untouched() {
    let env = TestEnv::init();
    env.sql()
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'future', '2030-01-01T00:00:00Z', '1')",
            [],
        )
        .unwrap();
    let before = bytes(&env.db);
    for args in
        [&["list"][..], &["set-url", "kent-police", "https://example.org/"][..], &["audit", "verify"][..]]
    {
        let err = env.fails(args, 1);
        assert!(err.contains("newer admin"), "{err}");
    }
    assert_eq!(bytes(&env.db), before, "the database was modified");
}

#[test]
fn files_that_are_not_databases_get_a_clear_error() {
    let env = TestEnv::empty();
    std::fs::write(
        &env.db,
        b"this is not a database, just some text that is long enough to fill a header\n".repeat(100),
    )
    .unwrap();
    let before = bytes(&env.db);
    let err = env.fails(&["list"], 1);
    assert_eq!(
        err,
        format!(
            "error: failed to read database `{}`: file is not a database\nhint: the file is damaged or is not a uof-admin database: restore it from a backup with `admin restore BACKUP`\n",
            env.db.display()
        )
    );
    assert_eq!(bytes(&env.db), before);

    let dir = env.path("adir");
    std::fs::create_dir(&dir).unwrap();
    let err = env.fails(&["--db", dir.to_str().unwrap(), "list"], 2);
    assert!(err.contains("is a directory"), "{err}");
    let err = env.fails(&["--db", dir.to_str().unwrap(), "init"], 2);
    assert!(err.contains("is a directory"), "{err}");

    let other = env.path("other.db");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    let err = env.fails(&["--db", other.to_str().unwrap(), "list"], 1);
    assert!(err.contains("not a uof-admin"), "{err}");
}

#[test]
fn usage_errors_are_one_line_with_a_hint() {
    let env = TestEnv::init();
    let err = env.fails(&["lst"], 2);
    assert!(err.contains("hint:") && err.contains("list"), "a typo suggests the command: {err}");
    env.fails(&["set-url", "kent-police"], 2);
    env.fails(&["list", "--bogus"], 2);
    let help = env.ok(&["set-url", "--help"]);
    assert!(help.contains("Example"), "{help}");
}

#[test]
fn list_output_for_people_is_an_aligned_table() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let out = env.ok(&["list"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 46);
    assert!(lines[0].starts_with("NAME"));
    let kent = lines.iter().find(|l| l.starts_with("Kent Police")).unwrap();
    assert!(kent.contains("pending") && kent.contains("https://www.kent.police.uk/uof"), "{kent}");
    let col = lines[0].find("SLUG").unwrap();
    assert!(
        lines[1..].iter().all(|l| l[col..].starts_with(|c: char| c.is_ascii_lowercase())),
        "columns align"
    );
}

#[test]
fn a_list_of_over_a_thousand_forces_is_one_aligned_table_in_name_order_now_and_as_of_now() {
    // 1,455 new forces (a list of 1,000 or more is sorted, made and written by halves on two
    // threads), in no order, of names of many lengths and cases
    let env = TestEnv::init();
    let mut body = String::from("slug,name\n");
    for i in (0..1455).map(|i| (i * 7919) % 1455) {
        let name = match i % 3 {
            0 => format!("force {i} constabulary"),
            1 => format!("Force {i}"),
            _ => format!("The {} Police Service of Force {i}", "Very ".repeat(i % 5)),
        };
        body.push_str(&format!("force-{i},{name}\n"));
    }
    std::fs::write(env.path("many.csv"), body).unwrap();
    env.ok(&["import", "many.csv"]);
    let now = env.ok(&["list"]);
    let lines: Vec<&str> = now.lines().collect();
    assert_eq!(lines.len(), 1 + 45 + 1455);
    assert!(lines[0].starts_with("NAME"));
    // every row's slug starts where the header's SLUG does: one table, not two halves
    let col = lines[0].find("SLUG").unwrap();
    for line in &lines[1..] {
        assert!(
            line.is_char_boundary(col) && line[col..].starts_with(|c: char| c.is_ascii_lowercase()),
            "{line}"
        );
        assert_eq!(&line[col - 2..col], "  ", "{line}");
    }
    // the names in the order the live table sorts them (SQL, by name key and slug), and the
    // past read back from the log (sorted in two halves and merged) the same, byte for byte
    let names: Vec<String> = env.json(&["list", "--json"])["forces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    let shown: Vec<&str> = lines[1..].iter().map(|l| l[..col].trim_end()).collect();
    assert_eq!(shown, names);
    let keys: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "in name order, ignoring case, each once");
    let at = admin::clock::stamp(chrono::Utc::now());
    assert_eq!(env.ok(&["list", "--as-of", &at]), now);
    assert_eq!(env.ok(&["list", "--as-of", &at, "--json"]), env.ok(&["list", "--json"]));
}
