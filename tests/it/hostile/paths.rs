//! Paths named on the command line (a database, a backup, a directory for the manual pages) are shown escaped on the one line that reports them, a line break or an escape
//! sequence in a file name included, and are used byte for byte: a name that is not UTF-8 gets
//! its `-wal`, `-shm` and kept copy beside it, not beside a name `display` made up.
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::testenv::TestEnv;

/// stdout of a run that must succeed, with no character a terminal would act on but the line
/// breaks that end its lines.
fn shown(env: &TestEnv, args: &[&OsStr]) -> String {
    let out = env.command().args(args).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "admin {args:?}: {stdout}{stderr}");
    assert!(
        !stdout.chars().any(|c| c != '\n' && (c.is_control() || c == '\u{202E}')),
        "admin {args:?} printed a control character as it is: {stdout:?}"
    );
    stdout.into_owned()
}

fn os(text: &str) -> &OsStr {
    OsStr::new(text)
}

#[test]
fn a_path_with_a_line_break_or_an_escape_is_reported_escaped_on_one_line() {
    let env = TestEnv::empty();
    let db = env.path("new\nline.db");
    let out = shown(&env, &[os("--db"), db.as_os_str(), os("init")]);
    assert_eq!(out.lines().count(), 1, "{out:?}");
    assert!(out.contains("new\\nline.db"), "{out:?}");

    let backup = env.path("back\u{1b}[31mup\u{202E}.db");
    let out = shown(&env, &[os("--db"), db.as_os_str(), os("backup"), backup.as_os_str()]);
    assert_eq!(out.lines().count(), 1, "{out:?}");
    assert!(out.contains("back\\u{1b}[31mup\\u{202e}.db") && out.contains("new\\nline.db"), "{out:?}");

    let out = shown(&env, &[os("--db"), db.as_os_str(), os("restore"), backup.as_os_str()]);
    assert!(out.lines().all(|l| l.starts_with("kept ") || l.starts_with("restored ")), "{out:?}");
    assert!(out.contains("new\\nline.db.replaced-"), "{out:?}");

    // (`--out` refuses a control character outright)
    let pages = env.path("man\rpages");
    let out = shown(&env, &[os("man"), os("--dir"), pages.as_os_str()]);
    assert_eq!(out.lines().count(), 1, "{out:?}");
    assert!(out.contains("man\\rpages"), "{out:?}");
}

#[test]
fn a_database_whose_name_is_not_utf8_keeps_its_copies_beside_itself() {
    let env = TestEnv::empty();
    let db = env.dir.path().join(OsStr::from_bytes(b"uof\xff.db"));
    shown(&env, &[os("--db"), db.as_os_str(), os("init")]);
    shown(&env, &[os("--db"), db.as_os_str(), os("backup"), os("backup.db")]);
    shown(
        &env,
        &[os("--db"), db.as_os_str(), os("set-url"), os("kent-police"), os("https://www.kent.police.uk/uof")],
    );
    shown(&env, &[os("--db"), db.as_os_str(), os("restore"), os("backup.db")]);

    let names: Vec<Vec<u8>> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().as_bytes().to_vec())
        .collect();
    let kept = names.iter().filter(|n| n.starts_with(b"uof\xff.db.replaced-")).count();
    assert_eq!(kept, 1, "the database it replaced is not kept beside it: {names:?}");
    assert!(
        !names.iter().any(|n| n.windows(3).any(|w| w == "\u{FFFD}".as_bytes())),
        "a file was named after the name as `display` shows it: {names:?}"
    );
    let restored =
        env.command().args([os("--db"), db.as_os_str(), os("list"), os("--json")]).output().unwrap();
    assert!(restored.status.success());
    assert!(!String::from_utf8_lossy(&restored.stdout).contains("kent.police.uk/uof"), "not restored");
}

/// The names in the test's directory, hidden ones too, sorted.
fn names(env: &TestEnv) -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> =
        std::fs::read_dir(env.dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    names
}

#[test]
fn a_site_directory_whose_name_leaves_no_room_for_admins_files_beside_it_is_refused() {
    let env = TestEnv::init();
    // `.{name}.tmp-` and six letters must fit in a file name's 255 bytes
    let long = "s".repeat(244);
    let before = (crate::testenv::bytes(&env.db), names(&env));
    for out in [long.clone(), format!("{long}/"), format!("{long}/../{long}")] {
        if out.contains("..") {
            std::fs::create_dir(env.path(&long)).unwrap();
        }
        let err = env.fails(&["publish", "--out", &out], 2);
        assert!(err.contains("name is 244 bytes long; the most is 243") && err.contains("\nhint: "), "{err}");
        let err = env.fails(&["settings", "site", &out], 2);
        assert!(err.contains("name is 244 bytes long"), "{err}");
        let _ = std::fs::remove_dir(env.path(&long));
        assert_eq!((crate::testenv::bytes(&env.db), names(&env)), before, "{out}: something was written");
    }
    // a name of "é"s: counted in bytes
    let err = env.fails(&["publish", "--out", &"é".repeat(122)], 2);
    assert!(err.contains("name is 244 bytes long"), "{err}");

    let fits = "s".repeat(243);
    env.ok(&["publish", "--out", &fits]);
    assert!(env.path(&fits).join("index.html").is_file());
}

#[test]
fn an_error_line_shows_a_character_that_reorders_or_hides_text_escaped() {
    let env = TestEnv::init();
    for name in ["bd.\u{202E}gpj\u{200B}.db", "a\u{2028}b.db", "x\u{2066}y.db"] {
        let err = env.fails(&["--db", name, "list"], 2);
        assert!(
            !err.chars().any(|c| matches!(c, '\u{202E}' | '\u{200B}' | '\u{2028}' | '\u{2066}')),
            "{err:?}"
        );
        assert!(err.contains("\\u{"), "{err:?}");
    }
}

#[test]
fn a_name_too_long_for_the_system_is_bad_input_with_a_hint() {
    let env = TestEnv::init();
    let long = "x".repeat(300);
    std::fs::write(env.path("afile"), "x").unwrap();
    for args in [
        vec!["--db", &long, "list"],
        vec!["backup", &long],
        vec!["man", "--dir", &long],
        vec!["man", "--dir", "afile"],
        vec!["man", "--dir", "afile/sub"],
    ] {
        let before = crate::testenv::bytes(&env.db);
        let err = env.fails(&args, 2);
        assert!(err.contains("\nhint: "), "{args:?}: {err}");
        assert_eq!(crate::testenv::bytes(&env.db), before);
    }
}

#[test]
fn a_site_directory_that_would_be_recorded_as_another_path_is_refused_before_anything_is_recorded() {
    let env = TestEnv::init();
    // the database in a directory whose name is not UTF-8: the site's home beside it would be
    // recorded as a path that does not exist
    let dir = env.dir.path().join(OsStr::from_bytes(b"d\xff\xfe"));
    std::fs::create_dir(&dir).unwrap();
    let db = dir.join("db");
    shown(&env, &[os("--db"), db.as_os_str(), os("init")]);
    let before = crate::testenv::bytes(&db);
    // run from inside it: every path given is plain, the directory it resolves to is not
    for args in [
        vec!["publish"],
        vec!["publish", "--out", "sub"],
        vec!["publish", "--at", "2030-01-01T00:00:00Z", "--out", "sub"],
    ] {
        let out = env.command().current_dir(&dir).args(["--db", "db"]).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("the site's directory is not valid UTF-8") && err.contains("\nhint: "), "{err}");
        assert_eq!(crate::testenv::bytes(&db), before, "{args:?}: the database changed");
    }
    // a schedule is refused where its publication would be
    let long = "s".repeat(244);
    let err = env.fails(&["publish", "--at", "2030-01-01T00:00:00Z", "--out", &long], 2);
    assert!(err.contains("name is 244 bytes long"), "{err}");
    assert!(!env.ok(&["history", "--limit", "1"]).contains("schedule"));
}

#[test]
fn an_import_files_name_is_shown_escaped() {
    let env = TestEnv::init();
    let file = env.path("for\nces.csv");
    let export = env.command().args(["export", "--format", "csv"]).output().unwrap();
    std::fs::write(&file, export.stdout).unwrap();
    let out = shown(&env, &[os("import"), file.as_os_str()]);
    assert!(out.contains("for\\nces.csv"), "{out:?}");
}
