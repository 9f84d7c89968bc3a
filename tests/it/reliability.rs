//! Reliability: concurrent editors, kills at any moment, and resource faults. Each test is
//! bounded and stops by itself; the long kill loop is `bench/crash-soak.sh`.
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::publish::assert_site_is_a_recorded_publication;
use crate::testenv::{assert_error_shape, bytes, TestEnv};

/// The live tables agree with the audit log, whole: `audit verify` replays the log into the
/// typed state and compares every force, note, review, page field and editor with the tables
/// (the oracle `tests/it/integrity.rs` shows failing on each kind of difference), and what
/// `list` reads now equals what it reads replayed.
pub fn assert_tables_match_the_log(env: &TestEnv) {
    let run = env.run(&["audit", "verify", "--json"]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    assert_eq!(
        run.code, 0,
        "a value without its change, or a change without its value:\n{}{}",
        run.stdout, run.stderr
    );
    assert_eq!(
        (report["ok"].clone(), report["problem"].clone()),
        (Value::Bool(true), Value::Null),
        "{report}"
    );
    let now = env.json(&["list", "--all", "--json"]);
    let replayed = env.json(&["list", "--all", "--json", "--as-of", "9999-12-31"]);
    assert_eq!(now, replayed, "a value without its change, or a change without its value");
}

fn integrity_ok(env: &TestEnv) {
    let conn = env.sql();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn eight_editors_at_once_lose_nothing_and_see_no_errors() {
    const EDITORS: usize = 8;
    const EACH: usize = 200;
    let env = TestEnv::init();
    let slugs: Vec<String> = env.json(&["list", "--json"])["forces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["slug"].as_str().unwrap().to_owned())
        .filter(|s| s != "kent-police")
        .collect();
    std::thread::scope(|scope| {
        for (editor, own) in slugs.iter().take(EDITORS).cloned().enumerate() {
            let env = &env;
            scope.spawn(move || {
                for i in 0..EACH {
                    let name = format!("editor{editor}");
                    let url_own = format!("https://www.example.org/{editor}/{i}");
                    let url_shared = format!("https://www.kent.police.uk/{editor}/{i}");
                    let renamed = format!("Force {editor} {i}");
                    let args: Vec<&str> = match i % 4 {
                        0 => vec!["set-url", &own, &url_own],
                        1 => vec!["set-url", "kent-police", &url_shared],
                        2 => vec!["rename-force", &own, &renamed],
                        _ => vec![
                            "note",
                            "add",
                            "--force",
                            if i % 8 == 3 { "kent-police" } else { &own },
                            "note",
                        ],
                    };
                    let out = env.command().env("UOF_EDITOR", &name).args(&args).output().unwrap();
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    assert!(out.status.success() && stderr.is_empty(), "editor {editor} step {i}: {stderr}");
                }
            });
        }
    });
    let changes = env.changes();
    assert_eq!(changes.len(), 46 + EDITORS * EACH, "every mutation has exactly one change");
    let list = env.json(&["list", "--all", "--json"]);
    let force =
        |slug: &str| list["forces"].as_array().unwrap().iter().find(|f| f["slug"] == slug).unwrap().clone();
    for (editor, slug) in slugs.iter().enumerate().take(EDITORS) {
        let f = force(slug);
        assert_eq!(f["url"], format!("https://www.example.org/{editor}/{}", EACH - 4));
        assert_eq!(f["name"], format!("Force {editor} {}", EACH - 2));
    }
    let last_shared =
        changes.iter().find(|c| c["force"] == "kent-police" && c["action"] == "set-url").unwrap();
    assert_eq!(force("kent-police")["url"], last_shared["after"]["url"], "the last change wins");
    assert_tables_match_the_log(&env);
    assert!(env.ok(&["audit", "verify"]).contains(&format!("{} changes", 46 + EDITORS * EACH)));
}

/// A seeded generator for the kill loop.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Start mutations, imports and publishes and SIGKILL them at random moments; after every kill
/// the database is whole, the log verifies, tables and log agree, and the site is one recorded
/// publication. `UOF_KILLS` (default 60), `UOF_SEED` and `UOF_KILL_MAX_US` (the longest wait
/// before the kill, default 25 ms: shorten it for a release build) set the run.
#[test]
fn kills_at_random_moments_leave_everything_whole() {
    let kills: u64 = std::env::var("UOF_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(60);
    let seed: u64 = std::env::var("UOF_SEED").ok().and_then(|k| k.parse().ok()).unwrap_or(0x5eed_2026);
    let max_wait: u64 = std::env::var("UOF_KILL_MAX_US").ok().and_then(|k| k.parse().ok()).unwrap_or(25_000);
    eprintln!("kill loop: {kills} kills, seed {seed}, waits up to {max_wait} µs (UOF_KILLS, UOF_SEED, UOF_KILL_MAX_US)");
    let mut rng = Rng(seed | 1);
    let env = TestEnv::init();
    env.ok(&["publish"]);
    let import = env.path("bulk.csv");
    let mut checked = 0;
    let mut interrupted = 0;
    for round in 0..kills {
        let slug = ["kent-police", "essex-police", "dorset-police", "surrey-police"][rng.below(4) as usize];
        let url = format!("https://www.example.org/{round}");
        let name = format!("Renamed Force {round}");
        let args: Vec<&str> = match rng.below(5) {
            0 => vec!["set-url", slug, &url],
            1 => vec!["rename-force", slug, &name],
            2 => vec!["note", "add", "--public", "--force", slug, "caveat"],
            3 => {
                let mut csv = String::from("slug,name,url,status\n");
                for f in ["avon-and-somerset-constabulary", "bedfordshire-police", "cleveland-police"] {
                    csv.push_str(&format!("{f},{f} {round},https://www.example.org/{f}/{round},active\n"));
                }
                std::fs::write(&import, csv).unwrap();
                vec!["import", import.to_str().unwrap()]
            }
            _ => vec!["publish"],
        };
        let mut child =
            env.command().args(&args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(max_wait)));
        if child.try_wait().unwrap().is_none() {
            interrupted += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        integrity_ok(&env);
        let verify = env.run(&["audit", "verify"]);
        assert_eq!(verify.code, 0, "round {round} (seed {seed}): {}", verify.stderr);
        assert_tables_match_the_log(&env);
        assert_site_is_a_recorded_publication(&env);
        checked += 1;
    }
    assert_eq!(checked, kills);
    assert!(interrupted * 4 >= kills, "only {interrupted} of {kills} kills caught a command running");
    eprintln!("kill loop: {checked} kills checked ({interrupted} while the command was running), 0 failures");
}

#[test]
fn a_full_disk_fails_cleanly_and_writes_nothing() {
    let env = TestEnv::init();
    let before = env.json(&["list", "--json"]);
    let changes = env.change_count();
    // `ulimit -f` makes every write past 8 KiB fail (SIGXFSZ ignored, so writes get EFBIG),
    // as a full disk would; a mutation's WAL frames are more than that
    let run = env.shell(
        "trap '' XFSZ; ulimit -f 8; exec \"$ADMIN\" set-url kent-police https://www.kent.police.uk/full",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_error_shape(&run.stderr);
    assert!(run.stderr.contains("disk"), "{}", run.stderr);
    integrity_ok(&env);
    assert_eq!(env.json(&["list", "--json"]), before, "no partial write");
    assert_eq!(env.change_count(), changes);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/ok"]);
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

/// Run admin as `nobody`, for whom root's files are read-only: its exit code and stderr.
fn as_nobody(env: &TestEnv, args: &[&str]) -> (i32, String) {
    let run = env.as_nobody(&[], args);
    (run.code, run.stderr)
}

#[test]
fn a_read_only_database_file_or_directory_fails_cleanly() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::init();
    let exe_dir = std::path::Path::new(env!("CARGO_BIN_EXE_admin"));
    assert!(exe_dir.exists());
    std::fs::set_permissions(env.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let before = bytes(&env.db);
    // the file is read-only to nobody, and so is the directory
    let (code, stderr) = as_nobody(&env, &["set-url", "kent-police", "https://www.kent.police.uk/ro"]);
    assert_eq!(code, 1, "{stderr}");
    assert_error_shape(&stderr);
    assert_eq!(bytes(&env.db), before);
    // a writable file in a read-only directory (SQLite cannot create its -wal file there)
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o666)).unwrap();
    let (code, stderr) = as_nobody(&env, &["set-url", "kent-police", "https://www.kent.police.uk/ro"]);
    assert_eq!(code, 1, "{stderr}");
    assert_error_shape(&stderr);
    assert_eq!(bytes(&env.db), before);
    // once the fault is gone, the next command works
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/rw"]);
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
}

/// A user who may write in `--out`'s parent but not list it (mode 300) cannot open it to sync
/// the swap: the site is put there all the same, made durable another way, and said to be. One
/// who may not write and search there is told so before anything is recorded.
#[test]
fn a_site_is_published_into_a_directory_its_user_may_write_but_not_list() {
    use std::os::unix::fs::{chown, PermissionsExt};
    let env = TestEnv::init();
    let nobody = Some(65534);
    for path in [env.dir.path().to_path_buf(), env.db.clone()] {
        chown(&path, nobody, nobody).unwrap();
    }
    let parent = env.path("hidden");
    std::fs::create_dir(&parent).unwrap();
    chown(&parent, nobody, nobody).unwrap();
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o300)).unwrap();
    let site = parent.join("site");
    let out = site.to_str().unwrap();
    // where it may not both write and search, it says so and what to do, and records nothing
    let changes = env.change_count();
    for mode in [0o100, 0o200, 0o500, 0o600] {
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(mode)).unwrap();
        let (code, stderr) = as_nobody(&env, &["publish", "--out", out]);
        assert_eq!(code, 1, "mode {mode:o}: {stderr}");
        assert_error_shape(&stderr);
        assert!(stderr.contains("hint: admin makes the site beside `--out`"), "mode {mode:o}: {stderr}");
        assert_eq!(env.change_count(), changes, "mode {mode:o}: a publication was recorded");
    }
    // a lock another user holds, or left, is named as theirs
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::write(parent.join(".site.lock"), "").unwrap();
    let (code, stderr) = as_nobody(&env, &["publish", "--out", out]);
    assert_eq!(code, 1, "{stderr}");
    assert_error_shape(&stderr);
    assert!(stderr.contains("hint: the lock is user 0's: wait for their publish to finish"), "{stderr}");
    std::fs::remove_file(parent.join(".site.lock")).unwrap();
    assert_eq!(env.change_count(), changes);
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o300)).unwrap();
    let (code, stderr) = as_nobody(&env, &["publish", "--out", out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(site.join("index.html").is_file());
    // and over the site it put there: the old one swapped out and removed
    let (code, stderr) = as_nobody(&env, &["set-url", "kent-police", "https://www.kent.police.uk/hidden"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = as_nobody(&env, &["publish", "--out", out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read_to_string(site.join("index.html"))
        .unwrap()
        .contains("https://www.kent.police.uk/hidden"));
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o700)).unwrap();
    let left: Vec<_> = std::fs::read_dir(&parent).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["site"], "the previous site was left beside the new one");
    assert!(env.ok(&["audit", "verify-site", out]).contains("the newest publication 2"));
}

/// In a sticky directory (`/tmp`), only a site's owner may move it: another user's publish over
/// it is refused before anything is recorded, not recorded and then left unswapped.
#[test]
fn a_site_another_user_owns_in_a_sticky_directory_is_refused_before_anything_is_recorded() {
    use std::os::unix::fs::{chown, PermissionsExt};
    let env = TestEnv::init();
    let shared = env.path("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let theirs = shared.join("site");
    env.ok(&["publish", "--out", theirs.to_str().unwrap()]);
    for path in [env.dir.path().to_path_buf(), env.db.clone()] {
        chown(&path, Some(65534), Some(65534)).unwrap();
    }
    // with nothing to publish, nothing is to be swapped: that is no refusal
    let (code, stderr) = as_nobody(&env, &["publish", "--out", theirs.to_str().unwrap()]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let (code, stderr) = as_nobody(&env, &["set-url", "kent-police", "https://www.kent.police.uk/sticky"]);
    assert_eq!(code, 0, "{stderr}");
    let changes = env.change_count();
    let before = bytes(&theirs.join("index.html"));
    for dry_run in [false, true] {
        let mut args = vec!["publish", "--out", theirs.to_str().unwrap()];
        args.extend(dry_run.then_some("--dry-run"));
        let (code, stderr) = as_nobody(&env, &args);
        assert_eq!(code, 1, "{stderr}");
        assert_error_shape(&stderr);
        assert!(stderr.contains("belongs to another user") && stderr.contains("hint: "), "{stderr}");
    }
    // root of a user namespace of its own holds CAP_FOWNER there, but not over files of users it
    // does not map: refused the same, not recorded and then left unswapped
    let (through, publish) =
        (["unshare", "--user", "--map-root-user"], ["publish", "--out", theirs.to_str().unwrap()]);
    let run = env.as_nobody(&through, &publish);
    let stderr = run.stderr;
    assert_eq!(run.code, 1, "{stderr}");
    assert!(stderr.contains("belongs to another user"), "{stderr}");
    assert_eq!(env.change_count(), changes, "a publication was recorded");
    assert_eq!(bytes(&theirs.join("index.html")), before);
    // a site of their own there is published, and published over
    let mine = shared.join("mine");
    for _ in 0..2 {
        let (code, stderr) = as_nobody(&env, &["publish", "--out", mine.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        let (code, stderr) = as_nobody(&env, &["set-url", "kent-police", "https://www.kent.police.uk/mine"]);
        assert_eq!(code, 0, "{stderr}");
    }
    assert!(env.ok(&["audit", "verify-site", mine.to_str().unwrap()]).contains("site verified"));
}

/// A previous site another user owns can be swapped out of a directory of one's own, but maybe
/// not removed: the new site is published, and where the old one is left is said.
#[test]
fn a_previous_site_that_cannot_be_removed_is_left_and_said_to_be() {
    use std::os::unix::fs::chown;
    let env = TestEnv::init();
    let site = env.path("site");
    env.ok(&["publish", "--out", site.to_str().unwrap()]);
    for path in [env.dir.path().to_path_buf(), env.db.clone()] {
        chown(&path, Some(65534), Some(65534)).unwrap();
    }
    let (code, stderr) = as_nobody(&env, &["set-url", "kent-police", "https://www.kent.police.uk/theirs"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = as_nobody(&env, &["publish", "--out", site.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let left: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".site.tmp-"))
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    let said = format!("warning: the previous site could not be removed (Permission denied (os error 13)): it is left in `{}`; remove it by hand\n", left[0].display());
    assert_eq!(stderr, said);
    assert!(std::fs::read_to_string(site.join("index.html"))
        .unwrap()
        .contains("https://www.kent.police.uk/theirs"));
    assert!(env.ok(&["audit", "verify-site", site.to_str().unwrap()]).contains("the newest publication 2"));
}

#[test]
fn a_truncated_or_overwritten_database_fails_cleanly_and_recovers_from_a_copy() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let good = bytes(&env.db);
    for (what, damaged) in [
        ("truncated mid-page", good[..4096 * 3 + 1000].to_vec()),
        ("garbage", vec![0x5a; good.len()]),
        ("zeroed header", [vec![0u8; 100], good[100..].to_vec()].concat()),
    ] {
        std::fs::write(&env.db, &damaged).unwrap();
        for args in [
            &["list"][..],
            &["set-url", "essex-police", "https://www.essex.police.uk/"][..],
            &["audit", "verify"][..],
        ] {
            let run = env.run(args);
            assert!(run.code == 1, "{what}: admin {args:?} exit {}: {}", run.code, run.stderr);
            assert_error_shape(&run.stderr);
        }
        assert_eq!(bytes(&env.db), damaged, "{what}: the damaged file was written to");
        std::fs::write(&env.db, &good).unwrap();
        assert!(env.ok(&["audit", "verify"]).contains("47 changes"), "{what}: no recovery");
    }
}

#[test]
fn a_wal_left_by_a_killed_process_is_recovered() {
    let env = TestEnv::init();
    // hold a connection so admin's writes stay in the -wal file, then copy the files as a
    // crash would leave them: the database and its -wal, no process
    let holder = env.sql();
    holder.execute_batch("PRAGMA wal_autocheckpoint = 0;").unwrap();
    let _: i64 = holder.query_row("SELECT COUNT(*) FROM forces", [], |r| r.get(0)).unwrap();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/in-the-wal"]);
    let wal = std::path::PathBuf::from(format!("{}-wal", env.db.display()));
    assert!(std::fs::metadata(&wal).unwrap().len() > 0, "the change is in the WAL");
    let crashed = env.path("crashed.db");
    std::fs::copy(&env.db, &crashed).unwrap();
    std::fs::copy(&wal, format!("{}-wal", crashed.display())).unwrap();
    drop(holder);
    let db = crashed.to_str().unwrap();
    let shown: Value = serde_json::from_str(&env.ok(&["--db", db, "show", "kent-police", "--json"])).unwrap();
    assert_eq!(shown["force"]["url"], "https://www.kent.police.uk/in-the-wal");
    assert!(env.ok(&["--db", db, "audit", "verify"]).contains("47 changes"));
    env.ok(&["--db", db, "set-url", "essex-police", "https://www.essex.police.uk/"]);
}

/// `publish --from-publication` checks what it is asked for before it begins the new site: a
/// publication the log does not hold is named as such (exit 2) where the site could not be made
/// either, and one it holds fails on the directory (exit 1) and leaves nothing behind.
#[test]
fn a_past_publication_is_checked_before_its_site_is_begun() {
    use std::os::unix::fs::{chown, PermissionsExt};
    let env = TestEnv::init();
    let parent = env.path("par");
    std::fs::create_dir(&parent).unwrap();
    env.ok(&["publish", "--out", parent.join("site").to_str().unwrap()]);
    // the lock may be taken (it is there), the new site not made beside it
    std::fs::write(parent.join(".p9.lock"), "").unwrap();
    for path in [env.dir.path().to_path_buf(), env.db.clone(), parent.clone(), parent.join(".p9.lock")] {
        chown(&path, Some(65534), Some(65534)).unwrap();
    }
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = parent.join("p9");
    let (code, stderr) =
        as_nobody(&env, &["publish", "--from-publication", "9", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert_error_shape(&stderr);
    assert!(stderr.contains("no publication 9"), "{stderr}");
    let (code, stderr) =
        as_nobody(&env, &["publish", "--from-publication", "1", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert_error_shape(&stderr);
    assert!(stderr.contains("failed to create a temporary directory"), "{stderr}");
    std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut left: Vec<_> = std::fs::read_dir(&parent).unwrap().map(|e| e.unwrap().file_name()).collect();
    left.sort();
    assert_eq!(left, [".p9.lock", "site"]);
}
