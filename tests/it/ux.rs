//! Editor experience, second round (issue 20): what a new user meets, through the binary, the
//! messages asserted whole where they are the point.
use crate::testenv::{bytes, TestEnv, EPOCH};

/// stderr's `warning:` lines.
fn warnings(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("warning: ")).collect()
}

#[test]
fn a_missing_argument_is_named_with_the_usage_as_hint() {
    let env = TestEnv::init();
    let cases = [
        (
            &["set-url", "kent-police"][..],
            "<URL>",
            "usage: admin set-url [OPTIONS] <FORCE> <URL> (see `admin set-url --help`)",
        ),
        (
            &["note", "add"][..],
            "<TEXT>",
            "usage: admin note add [OPTIONS] <TEXT> (see `admin note add --help`)",
        ),
        (
            &["note", "resolve"][..],
            "<ID>",
            "usage: admin note resolve [OPTIONS] <ID> (see `admin note resolve --help`)",
        ),
        (
            &["rename-force", "kent-police"][..],
            "<NEW_NAME>",
            "usage: admin rename-force [OPTIONS] <FORCE> <NEW_NAME> (see `admin rename-force --help`)",
        ),
    ];
    for (args, name, usage) in cases {
        let err = env.fails(args, 2);
        assert_eq!(
            err,
            format!("error: the following required arguments were not provided: {name}\nhint: {usage}\n"),
            "{args:?}"
        );
    }
}

#[test]
fn until_a_date_includes_that_whole_day_and_since_starts_at_midnight() {
    let env = TestEnv::init(); // changes 1-46 at 2025-11-24T16:00:00Z
    env.set_epoch(EPOCH + 7 * 3600); // 23:00 the same day
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.set_epoch(EPOCH + 9 * 3600); // 01:00 the next day
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    let ids = |args: &[&str]| -> Vec<i64> {
        let mut all = vec!["history", "--json"];
        all.extend_from_slice(args);
        env.json(&all)["changes"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
    };
    let day = ids(&["--until", "2025-11-24"]);
    assert_eq!(day.len(), 47, "the 23:00 change is on the 24th");
    assert_eq!(day[0], 47);
    assert_eq!(ids(&["--since", "2025-11-25"]), vec![48]);
    assert_eq!(ids(&["--since", "2025-11-25", "--until", "2025-11-25"]), vec![48]);
    assert_eq!(ids(&["--until", "2025-11-24T16:00:00Z"]).len(), 46, "an exact time is exact");
    let help = env.ok(&["history", "--help"]);
    assert!(help.contains("London time") && help.contains("the start of that day in London"), "{help}");
}

#[test]
fn editor_on_a_read_command_warns_and_points_to_by() {
    let env = TestEnv::init();
    let run = env.run(&["history", "--editor", "bob", "--limit", "1"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        warnings(&run.stderr),
        ["warning: --editor says who is making a change, and `admin history` makes none: it was ignored; to see an editor's changes, use `admin history --by NAME`"]
    );
    assert!(run.stdout.contains("init"), "the command still ran:\n{}", run.stdout);
    let run = env.run(&["--editor", "bob", "list"]);
    assert_eq!((run.code, warnings(&run.stderr).len()), (0, 1), "{}", run.stderr);
    // UOF_EDITOR (set by TestEnv for every run) is not a flag: no warning
    assert_eq!(env.run(&["history", "--limit", "1"]).stderr, "");
    // and a write still takes --editor without a word
    let run = env.run(&["--editor", "bob", "review", "kent-police"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}

#[test]
fn an_unknown_force_suggests_the_nearest_its_new_name_or_restore_force() {
    let env = TestEnv::init();
    assert_eq!(
        env.fails(&["show", "kent-polce"], 2),
        "error: no force \"kent-polce\"\nhint: did you mean `kent-police` (Kent Police)?\n"
    );
    assert_eq!(
        env.fails(&["set-url", "Esex Police", "https://www.essex.police.uk/"], 2),
        "error: no force \"Esex Police\"\nhint: did you mean `essex-police` (Essex Police)?\n"
    );
    let err = env.fails(&["show", "nowhere-at-all"], 2);
    assert!(err.ends_with("hint: give a slug or a name as `admin list --all` shows them\n"), "{err}");

    env.ok(&["rename-force", "kent-police", "Invicta Police"]); // 47
    assert_eq!(
        env.fails(&["show", "kent police"], 2),
        "error: no force \"kent police\": that was the name of \"Invicta Police\" (kent-police) until change 47\nhint: use its slug, `kent-police`, or its name now, \"Invicta Police\"\n"
    );

    env.ok(&["retire-force", "essex-police"]);
    let before = bytes(&env.db);
    assert_eq!(
        env.fails(&["add-force", "Essex Police"], 2),
        "error: a force named \"Essex Police\" already exists (essex-police), retired\nhint: to bring it back: admin restore-force essex-police\n"
    );
    assert_eq!(bytes(&env.db), before, "nothing changed");
}

#[test]
fn editing_a_retired_force_warns_and_still_records() {
    let env = TestEnv::init();
    env.ok(&["retire-force", "essex-police"]);
    let warning = "warning: Essex Police is retired: this is recorded, but the force is not on the published page until `admin restore-force essex-police`";
    for args in [
        &["set-url", "essex-police", "https://www.essex.police.uk/uof"][..],
        &["note", "add", "--force", "essex-police", "check after the merger"][..],
        &["review", "essex-police"][..],
    ] {
        let count = env.change_count();
        let run = env.run(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_eq!(warnings(&run.stderr), [warning], "{args:?}");
        assert_eq!(env.change_count(), count + 1, "{args:?} was recorded");
    }
    // an active force: no warning
    assert_eq!(env.run(&["review", "kent-police"]).stderr, "");
}

#[test]
fn a_review_recorded_by_mistake_is_reverted_and_verify_still_passes() {
    let env = TestEnv::init();
    env.set_epoch(EPOCH + 60);
    env.ok(&["review", "kent-police", "-m", "meant essex"]); // 47
    env.set_epoch(EPOCH + 120);
    env.ok(&["review", "essex-police"]); // 48
    env.set_epoch(EPOCH + 180);
    assert_eq!(
        env.ok(&["revert", "47", "-m", "wrong force"]),
        "reverted change 47 (withdrew the review of 2025-11-24 16:01:00 GMT) (change 49)\n"
    );
    let shown = env.json(&["show", "kent-police", "--json"]);
    assert_eq!(shown["reviews"].as_array().unwrap().len(), 0, "{shown}");
    assert_eq!(shown["force"]["last_reviewed"], serde_json::Value::Null);
    let due = env.json(&["due", "--json"]);
    assert!(
        due["forces"].as_array().unwrap().iter().any(|f| f["slug"] == "kent-police"),
        "kent is due again"
    );
    assert!(!due["forces"].as_array().unwrap().iter().any(|f| f["slug"] == "essex-police"));
    assert!(env.ok(&["audit", "verify"]).contains("live tables match the log"));
    // the log still tells what was believed before the revert
    let then = env.json(&["show", "kent-police", "--as-of", "2025-11-24T16:02:00Z", "--json"]);
    assert_eq!(then["reviews"][0]["message"], "meant essex", "{then}");
    assert_eq!(then["force"]["last_reviewed"], "2025-11-24T16:01:00Z");
    let now = env.json(&["list", "--all", "--as-of", "2025-11-24T16:04:00Z", "--json"]);
    let kent = now["forces"].as_array().unwrap().iter().find(|f| f["slug"] == "kent-police").unwrap().clone();
    assert_eq!(kent["last_reviewed"], serde_json::Value::Null, "{kent}");
    // twice is nothing; the revert itself is not undone by another
    assert_eq!(
        env.ok(&["revert", "47"]),
        "nothing to change: the review in change 47 was already withdrawn by change 49\n"
    );
    assert_eq!(
        env.fails(&["revert", "49"], 2),
        "error: change 49 withdrew a review; a withdrawn review is not brought back by a revert\nhint: record the review again with `admin review FORCE`\n"
    );
    assert!(env.ok(&["audit", "verify"]).contains("live tables match the log"));
}

#[test]
fn a_url_that_had_to_be_encoded_is_stored_with_a_warning_showing_it() {
    let env = TestEnv::init();
    let run = env.run(&["set-url", "kent-police", "https://www.kent.police.uk/use of force/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "set the URL of kent-police to https://www.kent.police.uk/use%20of%20force/ (change 47)\n"
    );
    assert_eq!(
        warnings(&run.stderr),
        ["warning: the URL had characters a URL cannot hold as typed (a space, or letters outside ASCII); it is stored encoded as https://www.kent.police.uk/use%20of%20force/: check that it opens"]
    );
    // a URL that needed nothing: the stored value, no warning
    let run = env.run(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    assert_eq!(run.stdout, "set the URL of essex-police to https://www.essex.police.uk/uof (change 48)\n");
    assert_eq!(run.stderr, "");
    let run = env.run(&["add-force", "Isle of Man Constabulary", "--url", "https://www.iompolice.im/é"]);
    assert_eq!(run.stdout, "isle-of-man-constabulary\n", "stdout stays the slug");
    assert!(run.stderr.contains("stored encoded as https://www.iompolice.im/%C3%A9"), "{}", run.stderr);
    assert!(
        run.stderr.contains("added Isle of Man Constabulary as `isle-of-man-constabulary`, URL https://www.iompolice.im/%C3%A9 (change 49)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        env.ok(&["rename-force", "kent-police", "Kent Police Service"]),
        "renamed kent-police to \"Kent Police Service\" (change 50)\n"
    );
    let help = env.ok(&["set-url", "--help"]);
    assert!(help.contains("stored percent-encoded"), "{help}");
}

#[test]
fn an_empty_message_is_refused_as_the_message() {
    let env = TestEnv::init();
    let before = bytes(&env.db);
    for m in ["", "   ", "\n\t"] {
        assert_eq!(
            env.fails(&["set-url", "kent-police", "https://www.kent.police.uk/", "-m", m], 2),
            "error: the message (-m) is empty\nhint: say in a few words why you are making the change, or leave out -m\n"
        );
    }
    let err = env.fails(&["review", "kent-police", "-m", "a\u{1}b"], 2);
    assert!(err.starts_with("error: the message contains a control character"), "{err}");
    assert_eq!(bytes(&env.db), before);
}

#[test]
fn backup_creates_missing_directories_private_to_the_owner() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::init();
    assert_eq!(
        env.ok(&["backup", "backups/2026/uof.db"]),
        format!("created `backups` (mode 0700: backups hold everything)\nbacked up `{}` to `backups/2026/uof.db`\n", env.db.display())
    );
    for dir in ["backups", "backups/2026"] {
        let mode = std::fs::metadata(env.path(dir)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{dir}");
    }
    assert!(env.ok(&["restore", "backups/2026/uof.db"]).contains("restored"));
    // an existing directory: nothing to create, nothing said about it
    assert_eq!(
        env.ok(&["backup", "backups/second.db"]),
        format!("backed up `{}` to `backups/second.db`\n", env.db.display())
    );
    // a parent that cannot be made: refused, saying how, nothing left behind
    std::fs::write(env.path("plain-file"), "x").unwrap();
    let err = env.fails(&["backup", "plain-file/sub/uof.db"], 1);
    assert!(err.contains("hint: create it yourself (mkdir -m 700 DIR)"), "{err}");
}

#[test]
fn every_hint_about_restoring_names_admin_restore() {
    let env = TestEnv::init();
    std::fs::write(&env.db, vec![b'x'; 8192]).unwrap();
    let err = env.fails(&["list"], 1);
    assert!(err.contains("hint: the file is damaged or is not a uof-admin database: restore it from a backup with `admin restore BACKUP`"), "{err}");
}

#[test]
fn a_spreadsheet_of_names_and_urls_sets_the_urls_of_the_forces_it_names() {
    let env = TestEnv::init();
    std::fs::write(
        env.path("links.csv"),
        "name,url\nKent Police,https://www.kent.police.uk/uof/\nessex police,https://www.essex.police.uk/uof/\n",
    )
    .unwrap();
    assert_eq!(
        env.ok(&["import", "links.csv"]),
        "changed kent-police: URL set to https://www.kent.police.uk/uof/ (change 47)\n\
         changed essex-police: URL set to https://www.essex.police.uk/uof/ (change 48)\n\
         imported `links.csv`: 2 forces changed\n\
         status not in the file: left as it is for every force\n\
         forces without a slug in the file were found by name: no force was renamed\n\
         43 forces not in the file: left as they are\n"
    );
    let essex = env.json(&["show", "essex-police", "--json"]);
    assert_eq!(essex["force"]["name"], "Essex Police", "a lower-case name in the file renames nothing");
    assert_eq!(env.json(&["show", "gwent-police", "--json"])["force"]["url"], serde_json::Value::Null);

    // JSON records may name their force too
    std::fs::write(
        env.path("one.json"),
        r#"{"forces": [{"name": "Gwent Police", "url": "https://www.gwent.police.uk/"}]}"#,
    )
    .unwrap();
    assert!(env
        .ok(&["import", "one.json"])
        .starts_with("changed gwent-police: URL set to https://www.gwent.police.uk/"));

    // a name that is no force's: refused with the nearest, nothing imported
    std::fs::write(
        env.path("typo.csv"),
        "name,url\nDorset Police,https://www.dorset.police.uk/\nDorest Police,https://x.example.org/\n",
    )
    .unwrap();
    let before = bytes(&env.db);
    assert_eq!(
        env.fails(&["import", "typo.csv"], 2),
        "error: `typo.csv` line 3: no force \"Dorest Police\"\nhint: did you mean `dorset-police` (Dorset Police)?\n"
    );
    assert_eq!(bytes(&env.db), before);
    // neither slug nor name: refused by the header
    std::fs::write(env.path("no-key.csv"), "url\nhttps://x.example.org/\n").unwrap();
    let err = env.fails(&["import", "no-key.csv"], 2);
    assert!(err.starts_with("error: `no-key.csv` line 1: no slug or name column"), "{err}");
    assert!(env.ok(&["audit", "verify"]).contains("live tables match the log"));
}

#[test]
fn export_says_what_it_leaves_out() {
    let env = TestEnv::init();
    env.ok(&["note", "add", "--force", "kent-police", "ask about 2019"]);
    // to a person at a terminal (a pty, through script(1)), on stderr: the file stays the file
    let run = env.shell(
        "export PATH=\"$(dirname \"$ADMIN\"):/usr/bin:/bin\"; script -qec \"admin export --format csv > forces.csv\" /dev/null",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim_end(),
        "exported 45 forces (slug, name, url, status); notes, reviews, link checks, publications and the audit log are not in an export: `admin backup` keeps everything"
    );
    let file = std::fs::read_to_string(env.path("forces.csv")).unwrap();
    assert!(file.starts_with("slug,name,url,status\n") && !file.contains("exported"), "{file}");
    // to a script or a timer: nothing on stderr
    let run = env.run(&["export"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(env.ok(&["export", "--help"]).contains("An export holds the forces only"));
}

#[test]
fn the_preview_banner_shows_only_while_public_changes_are_unpublished() {
    use crate::editor::{get, serve};
    let banner = "<strong>Preview</strong>";
    let env = TestEnv::init();
    let server = serve(&env);
    assert!(get(&server.1, "/").1.contains(banner), "never published: everything is unpublished");
    env.ok(&["publish", "--out", "site"]);
    let page = get(&server.1, "/").1;
    assert!(!page.contains(banner), "just published: nothing to preview");
    assert_eq!(
        page,
        std::fs::read_to_string(env.path("site/index.html")).unwrap(),
        "it is the published page"
    );
    // an internal note is not public: still nothing to preview
    env.ok(&["note", "add", "--force", "kent-police", "internal only"]);
    assert!(!get(&server.1, "/").1.contains(banner));
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    assert!(get(&server.1, "/").1.contains(banner), "a public change is waiting");
}

#[test]
fn status_summarises_a_long_list_of_due_forces() {
    let env = TestEnv::init();
    let out = env.ok(&["status"]);
    assert!(
        out.contains("\n  due:        Avon and Somerset Constabulary, Bedfordshire Police, British Transport Police,\n              Cambridgeshire Constabulary, Cheshire Constabulary, and 40 more (`admin due`)\n"),
        "{out}"
    );
    assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
    // a short list is given whole
    for slug in crate::testenv::seed_names().iter().skip(3) {
        let slug = slug.to_lowercase().replace(" & ", " and ").replace(' ', "-");
        env.ok(&["review", &slug]);
    }
    let out = env.ok(&["status"]);
    assert!(out.contains("Reviews due:  3 ") && !out.contains("more (`admin due`)"), "{out}");
}

#[test]
fn history_fits_the_terminal_and_is_not_padded_when_piped() {
    let env = TestEnv::init();
    let long = format!("https://www.kent.police.uk/{}", "a".repeat(100));
    env.ok(&["set-url", "kent-police", &long, "-m", "a long one"]);
    env.ok(&["review", "essex-police"]);
    // piped: nothing cut, WHAT not padded to the long URL
    let piped = env.ok(&["history", "--limit", "2"]);
    assert!(piped.contains(&format!("URL set to {long}  a long one\n")), "{piped}");
    assert!(piped.contains("essex-police  reviewed  -\n"), "{piped}");
    assert!(
        piped.starts_with("ID  AT                       EDITOR  ACTION   FORCE         WHAT  MESSAGE\n"),
        "{piped}"
    );
    // on a 100-column terminal (a real pty, through script(1)): every line fits, the URL is cut
    let run = env.shell(
        "export PATH=/usr/bin:/bin COLUMNS=100 NO_COLOR=1; script -qec \"$ADMIN history --limit 2\" /dev/null",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().map(|l| l.trim_end_matches('\r')).collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    for line in &lines {
        assert!(line.chars().count() <= 100, "{} wide: {line}", line.chars().count());
    }
    assert!(lines[2].contains("URL set to https://www.kent") && lines[2].contains('…'), "{}", lines[2]);
}

/// A script run by `shell` with `admin` on the PATH and the completions of `shell` written to
/// `admin.SHELL` in the test's directory.
fn with_completions(env: &TestEnv, shell: &str, script: &str) -> crate::testenv::Run {
    let file = format!("admin.{shell}");
    std::fs::write(env.path(&file), env.ok(&["completions", shell])).unwrap();
    env.shell(&format!(
        "export PATH=\"$(dirname \"$ADMIN\"):/usr/bin:/bin\"; {}",
        script.replace("SCRIPT", &file)
    ))
}

/// Whether `shell` is here. A developer's machine may lack zsh or fish; CI (`CI` set, as
/// `.ci/run` is run) installs them, so there a missing shell fails the test rather than skip it.
fn installed(shell: &str) -> bool {
    let found = std::process::Command::new("sh").args(["-c", &format!("command -v {shell}")]).output();
    let found = found.is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("CI").is_none(),
        "{shell} is not installed: .ci/run installs it, and CI runs this test"
    );
    found
}

#[test]
fn bash_completes_force_arguments_to_the_slugs_in_the_database() {
    let env = TestEnv::init();
    env.ok(&["add-force", "Kent Fire Liaison", "--slug", "kent-fire"]);
    let other = env.path("other.db");
    env.ok(&["--db", other.to_str().unwrap(), "init", "--empty"]);
    env.ok(&["--db", other.to_str().unwrap(), "add-force", "Elsewhere Police"]);
    let run = with_completions(
        &env,
        "bash",
        r#"source SCRIPT
try() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=();
        _admin_with_forces admin "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}";
        echo "$*|${COMPREPLY[*]}"; }
try admin show kent
try admin set-url -m "found it" ess
try admin note add --force dorset
try admin history --force wilt
try admin --db other.db review els
try admin review --db=other.db els
try admin set-url kent-police https
try admin se
complete -p admin"#,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "admin show kent|kent-fire kent-police");
    assert_eq!(lines[1], "admin set-url -m found it ess|essex-police");
    assert_eq!(lines[2], "admin note add --force dorset|dorset-police");
    assert_eq!(lines[3], "admin history --force wilt|wiltshire-police");
    assert_eq!(
        lines[4], "admin --db other.db review els|elsewhere-police",
        "--db on the line is the database"
    );
    assert_eq!(lines[5], "admin review --db=other.db els|elsewhere-police");
    assert_eq!(lines[6], "admin set-url kent-police https|", "a URL is not a force");
    assert_eq!(lines[7], "admin se|set-url settings serve", "the rest is clap's");
    assert!(lines[8].contains("-F _admin_with_forces"), "{}", lines[8]);
}

#[test]
fn fish_completes_force_arguments_to_the_slugs_in_the_database() {
    if !installed("fish") {
        eprintln!("fish is not installed: skipped");
        return;
    }
    let env = TestEnv::init();
    let run = with_completions(
        &env,
        "fish",
        r#"fish --no-config -c 'source SCRIPT
complete -C "admin show kent"; echo .
complete -C "admin set-url -m hi ess"; echo .
complete -C "admin note add --force dorset"; echo .
complete -C "admin set-url kent-police x"; echo .'"#,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "kent-police\n.\nessex-police\n.\ndorset-police\n.\n.\n");
}

#[test]
fn zsh_completes_force_arguments_to_the_slugs_in_the_database() {
    if !installed("zsh") {
        eprintln!("zsh is not installed: skipped");
        return;
    }
    let env = TestEnv::init();
    std::fs::create_dir(env.path("zfunc")).unwrap();
    std::fs::write(env.path("zfunc/_admin"), env.ok(&["completions", "zsh"])).unwrap();
    // a real interactive zsh on a pty: type the line, press TAB, then go to the start of the line
    // (^A) and make it a `print` of itself, so what TAB completed is printed
    let run = with_completions(
        &env,
        "zsh",
        r#"zsh -f -c '
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1=\">\"; fpath=(\$PWD/zfunc \$fpath); autoload -U compinit; compinit -u"
for line in "admin show kent-pol" "admin set-url -m hi essex-p"; do
  zpty -w -n z "$line"$'"'"'\t'"'"'
  sleep 3
  zpty -w z $'"'"'\x01print -r -- DONE '"'"'
done
zpty -w z "exit"
sleep 2
while zpty -r -t z out; do all+=$out; done
print -r -- "$all"'"#,
    );
    let done: Vec<&str> =
        run.stdout.lines().map(|l| l.trim_end_matches('\r')).filter(|l| l.starts_with("DONE ")).collect();
    assert_eq!(
        done,
        ["DONE admin show kent-police", "DONE admin set-url -m hi essex-police"],
        "{}",
        run.stdout
    );
}

#[test]
fn man_dir_writes_a_page_for_every_command_the_main_page_names() {
    let env = TestEnv::empty();
    let out = env.ok(&["man", "--dir", "man/man1"]);
    let dir = env.path("man/man1");
    let mut pages: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    pages.sort();
    assert_eq!(out, format!("wrote {} manual pages into `man/man1`\n", pages.len()));
    for page in ["admin.1", "admin-set-url.1", "admin-note-add.1", "admin-audit-verify.1", "admin-man.1"] {
        assert!(pages.contains(&page.to_owned()), "{page} missing from {pages:?}");
    }
    assert!(!pages.iter().any(|p| p.contains("complete-forces")), "a hidden command has no page");
    // every page another page refers to exists
    for page in &pages {
        let text = std::fs::read_to_string(dir.join(page)).unwrap().replace("\\-", "-");
        for (at, _) in text.match_indices("(1)") {
            let name = text[..at].rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).next().unwrap();
            if name.starts_with("admin") {
                assert!(
                    pages.contains(&format!("{name}.1")),
                    "{page} refers to {name}(1), which is not there"
                );
            }
        }
    }
    // printed alone, admin.1 is what --dir writes
    assert_eq!(env.ok(&["man"]), std::fs::read_to_string(dir.join("admin.1")).unwrap());
    assert!(env.ok(&["man", "--help"]).contains("admin man --dir"));
}
