//! Forgiving look-ups (SPEC section 16): a force by its slug, its name in any case, a unique
//! prefix or word of its name, or a common short name; several matches listed, none answered
//! with "did you mean"; an editor in `--by` or `--editor` the same way. And what editors see
//! around them: `list` fitting the terminal, and one warning for every edit of a retired force.
use crate::testenv::{bytes, TestEnv};

fn slug_of(env: &TestEnv, arg: &str) -> String {
    env.json(&["show", arg, "--json"])["force"]["slug"].as_str().unwrap().to_owned()
}

#[test]
fn a_force_is_found_by_slug_name_prefix_word_or_short_name() {
    let env = TestEnv::init();
    for (arg, slug) in [
        ("kent-police", "kent-police"),
        ("KENT POLICE", "kent-police"),
        ("kent", "kent-police"),
        ("Kent", "kent-police"),
        ("met", "metropolitan-police-service"),
        ("MPS", "metropolitan-police-service"),
        ("Metropolitan Police", "metropolitan-police-service"),
        ("psni", "police-service-of-northern-ireland"),
        ("btp", "british-transport-police"),
        ("gmp", "greater-manchester-police"),
        ("city", "city-of-london-police"),
        ("midlands", "west-midlands-police"),
        ("manchester", "greater-manchester-police"),
        ("devon and cornwall", "devon-and-cornwall-police"),
        ("powys", "dyfed-powys-police"),
        ("thames-v", "thames-valley-police"),
    ] {
        assert_eq!(slug_of(&env, arg), slug, "{arg}");
    }
    // the edits find it the same way, and record it on the right force
    env.ok(&["set-url", "met", "https://www.met.police.uk/uof"]);
    let change = &env.changes()[0];
    assert_eq!(change["force"], "metropolitan-police-service");
    env.ok(&["note", "add", "--force", "psni", "asked for 2025 figures"]);
    assert_eq!(env.changes()[0]["force"], "police-service-of-northern-ireland");
    env.ok(&["review", "kent"]);
    assert_eq!(env.changes()[0]["force"], "kent-police");
    let history = env.json(&["history", "--json", "--force", "met"]);
    assert!(history["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["force"] == "metropolitan-police-service"));
}

#[test]
fn a_name_that_fits_several_forces_lists_them_and_changes_nothing() {
    let env = TestEnv::init();
    let before = bytes(&env.db);
    let err = env.fails(&["set-url", "west", "https://example.org/"], 2);
    assert_eq!(
        err,
        "error: \"west\" could be any of 3 forces: West Mercia Police (west-mercia-police), West Midlands Police (west-midlands-police), West Yorkshire Police (west-yorkshire-police)\nhint: give more of the name, or the slug\n"
    );
    let err = env.fails(&["show", "yorkshire"], 2);
    assert!(err.contains("North Yorkshire Police") && err.contains("South Yorkshire Police"), "{err}");
    // many: the first few, and how many more
    let err = env.fails(&["show", "constabulary"], 2);
    assert!(err.contains("could be any of") && err.contains("more"), "{err}");
    assert_eq!(bytes(&env.db), before, "nothing changed");
}

#[test]
fn an_unknown_force_gets_did_you_mean() {
    let env = TestEnv::init();
    let err = env.fails(&["show", "kentt"], 2);
    assert_eq!(err, "error: no force \"kentt\"\nhint: did you mean `kent-police` (Kent Police)?\n");
    let err = env.fails(&["show", "Metropolitn Police"], 2);
    assert!(
        err.ends_with("hint: did you mean `metropolitan-police-service` (Metropolitan Police Service)?\n"),
        "{err}"
    );
    for hostile in ["", "  ", "<script>", "ke", "x\ny", "K\u{0435}nt", "../kent-police", "kent/police"] {
        let err = env.fails(&["show", hostile], 2);
        assert!(err.starts_with("error: no force"), "{hostile:?}: {err}");
    }
    let long = "k".repeat(100_000);
    let err = env.fails(&["show", &long], 2);
    assert!(err.len() < 5_000, "{} bytes", err.len());
}

#[test]
fn a_short_name_finds_only_a_force_that_exists() {
    let env = TestEnv::empty();
    env.ok(&["init", "--empty"]);
    env.ok(&["add-force", "Kent Police"]);
    env.fails(&["show", "met"], 2);
    assert_eq!(slug_of(&env, "kent"), "kent-police");
}

#[test]
fn an_unknown_editor_in_by_is_refused_with_did_you_mean() {
    let env = TestEnv::init();
    env.set_editor("bob");
    env.ok(&["review", "kent-police"]);
    let err = env.fails(&["history", "--by", "bbo"], 2);
    assert_eq!(
        err,
        "error: no editor \"bbo\" has made a change or is registered\nhint: did you mean --by bob?\n"
    );
    let err = env.fails(&["history", "--by", "zed"], 2);
    assert!(err.ends_with("hint: changes were made by: alice, bob\n"), "{err}");
    // another case of a name is that name
    let by = env.json(&["history", "--json", "--by", "BOB"]);
    let changes = by["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["editor"], "bob");
    assert_eq!(env.json(&["history", "--json", "--by", "alice"])["changes"].as_array().unwrap().len(), 46);
}

#[test]
fn an_unregistered_editor_is_told_the_registered_name() {
    let env = TestEnv::init();
    env.ok(&["editor", "add", "alice", "--role", "admin"]);
    env.ok(&["editor", "add", "carol"]);
    // another case of a registered name is that editor (names are one name ignoring case),
    // and the change is recorded under the registered spelling
    env.set_editor("Carol");
    env.ok(&["note", "add", "--force", "kent", "asked their data team"]);
    assert_eq!(env.changes()[0]["editor"], "carol");
    let before = bytes(&env.db);
    env.set_editor("crol");
    let err = env.fails(&["review", "kent"], 2);
    assert!(err.contains("did you mean --editor carol?"), "{err}");
    assert_eq!(bytes(&env.db), before, "nothing changed");
    env.set_editor("carol");
    env.ok(&["review", "kent"]);
}

fn warnings(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("warning: ")).collect()
}

#[test]
fn every_edit_of_a_retired_force_warns_once() {
    let env = TestEnv::init();
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    env.ok(&["retire-force", "essex"]);
    for args in [
        &["rename-force", "essex", "Essex Constabulary"][..],
        &["clear-url", "essex-police"][..],
        &["set-url", "essex-constabulary", "https://www.essex.police.uk/uof"][..],
        &["note", "add", "--force", "essex-police", "merged?"][..],
        &["review", "essex-police"][..],
    ] {
        let count = env.change_count();
        let run = env.run(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let got = warnings(&run.stderr);
        assert_eq!(got.len(), 1, "{args:?}: {}", run.stderr);
        assert!(got[0].starts_with("warning: Essex"), "{args:?}: {}", run.stderr);
        assert!(got[0].ends_with("until `admin restore-force essex-police`"), "{args:?}: {}", run.stderr);
        assert_eq!(env.change_count(), count + 1, "{args:?} was recorded");
    }
    // an active force, and an edit that fails: no warning
    assert_eq!(env.run(&["rename-force", "kent", "Kent Police Service"]).stderr, "");
    assert!(warnings(&env.run(&["set-url", "essex-police", "ftp://x"]).stderr).is_empty());
}

/// On a terminal (a real pty, through script(1)) every row of `list` fits the width; piped,
/// nothing is cut.
#[test]
fn list_fits_the_terminal_and_is_whole_when_piped() {
    let env = TestEnv::init();
    let long = format!("https://www.avonandsomerset.police.uk/{}", "a".repeat(150));
    env.ok(&["set-url", "avon-and-somerset-constabulary", &long]);
    for (cols, all) in [(80, ""), (80, " --all"), (60, ""), (120, " --all")] {
        let run = env.shell(&format!(
            "export PATH=/usr/bin:/bin COLUMNS={cols} NO_COLOR=1; script -qec \"$ADMIN list{all}\" /dev/null"
        ));
        assert_eq!(run.code, 0, "{}", run.stderr);
        let lines: Vec<&str> = run.stdout.lines().map(|l| l.trim_end_matches('\r')).collect();
        assert_eq!(lines.len(), 46, "{}", run.stdout);
        for line in &lines {
            assert!(line.chars().count() <= cols, "{} wide on {cols}: {line}", line.chars().count());
        }
        let header: Vec<&str> = lines[0].split_whitespace().collect();
        let mut unique = header.clone();
        unique.dedup();
        assert_eq!(header, unique, "a column repeated: {}", lines[0]);
        assert!(lines[1].starts_with("Avon and") && lines[1].contains('…'), "{}", lines[1]);
    }
    let piped = env.ok(&["list"]);
    assert!(piped.contains(&long), "piped output is cut");
    assert!(!piped.contains('…'));
    let avon = piped.lines().find(|l| l.starts_with("Avon and Somerset Constabulary ")).unwrap();
    assert!(avon.contains(" avon-and-somerset-constabulary "), "{avon}");
}

#[test]
fn and_and_ampersand_make_one_name_everywhere() {
    let env = TestEnv::init();
    let err = env.fails(&["add-force", "Avon & Somerset Constabulary"], 2);
    assert!(err.contains("a force named \"Avon and Somerset Constabulary\" already exists"), "{err}");
    assert!(err.contains("`&` for `and`"), "{err}");
    let err = env.fails(&["rename-force", "kent-police", "Devon and Cornwall Police"], 2);
    assert!(err.contains("\"Devon & Cornwall Police\" already exists"), "{err}");
    assert!(env.ok(&["show", "Avon & Somerset Constabulary"]).contains("avon-and-somerset-constabulary"));
    assert_eq!(env.change_count(), 46, "nothing recorded");
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

/// Every table, not only `list`, fits an 80-column terminal; piped, nothing is cut.
#[test]
fn every_table_fits_the_terminal() {
    let env = TestEnv::init();
    env.ok(&["--editor", "alice", "editor", "add", "alice", "--role", "admin"]);
    let long = "a message about what the force's data team said, longer than any terminal is wide ".repeat(2);
    env.ok(&[
        "--editor",
        "alice",
        "set-url",
        "kent-police",
        "https://www.kent.police.uk/use-of-force/",
        "-m",
        &long,
    ]);
    env.ok(&["--editor", "alice", "note", "add", "--force", "kent-police", &long]);
    env.ok(&["--editor", "alice", "publish", "-m", &long]);
    for command in
        ["history", "note list", "publications", "editor list", "due", "history --force kent-police"]
    {
        let run = env.shell(&format!(
            "export PATH=/usr/bin:/bin COLUMNS=80 NO_COLOR=1; script -qec \"$ADMIN {command}\" /dev/null"
        ));
        assert_eq!(run.code, 0, "{command}: {}", run.stderr);
        for line in run.stdout.lines().map(|l| l.trim_end_matches('\r')) {
            assert!(line.chars().count() <= 80, "{command}: {} wide: {line}", line.chars().count());
        }
        let piped = env.run(&command.split(' ').collect::<Vec<_>>());
        assert!(
            !piped.stdout.contains('…') || command == "due",
            "{command} piped was cut:\n{}",
            piped.stdout
        );
    }
    assert!(env.ok(&["note", "list"]).contains(long.trim_end()), "piped note list is whole");
}

#[test]
fn a_word_many_names_share_names_no_force_alone() {
    let env = TestEnv::init();
    let err = env.fails(&["retire-force", "police", "-m", "oops"], 2);
    assert!(err.contains("\"police\" could be any of"), "{err}");
    assert_eq!(env.change_count(), 46, "nothing recorded");
    assert!(env.ok(&["show", "midlands"]).starts_with("West Midlands Police"));
}
