//! A site directory that fights back: what `publish`, `serve`, `audit verify --against` and
//! `restore` read from a directory is a regular file inside it, never a link followed, a FIFO
//! waited on or gigabytes read; anything else is refused by name (exit 1, one `error:` line and a
//! `hint:`) in bounded time, with nothing written. The publishing lock is never made through a
//! link. Each class is the reported case and at least three more of its kind.
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::testenv::{assert_error_shape, Run, TestEnv};

/// The longest a refusal may take. The reported cases never ended; a refusal takes well under a
/// second, and this leaves room for a debug build on a loaded machine.
const BOUND: Duration = Duration::from_secs(30);

/// Run `admin ARGS`, killing it (and failing) if it runs past `BOUND`.
fn within(env: &TestEnv, args: &[&str]) -> Run {
    let mut child = env
        .command()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run admin");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("admin {args:?} was still running after {BOUND:?}: it waits on something");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap().into()
}

/// What a refusal must leave as it was: every entry under the test's directory (the database,
/// the site, the lock's place, what links point at), links not followed. Large files by their
/// length and inode, the rest by their bytes. SQLite's `-wal` and `-shm` come and go with reads.
fn snapshot(env: &TestEnv) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy();
            if name.ends_with("-wal") || name.ends_with("-shm") {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let kind = meta.file_type();
            let what = if kind.is_symlink() {
                format!("link to {}", std::fs::read_link(&path).unwrap().display())
            } else if kind.is_dir() {
                walk(&path, out);
                "directory".to_owned()
            } else if kind.is_file() && meta.len() > 1 << 20 {
                use std::os::unix::fs::MetadataExt;
                format!("file of {} bytes, inode {}", meta.len(), meta.ino())
            } else if kind.is_file() {
                format!("file {:?}", std::fs::read(&path).unwrap())
            } else {
                format!("{kind:?}")
            };
            out.push((path, what));
        }
    }
    let mut out = Vec::new();
    walk(env.dir.path(), &mut out);
    out.sort();
    out
}

/// Run `admin ARGS` expecting a refusal: exit 1, one `error:` line naming `names`, a `hint:`, in
/// bounded time, and nothing under the test's directory changed. Returns stderr.
fn refused(env: &TestEnv, args: &[&str], names: &str) -> String {
    refused_with(env, args, names, 1)
}

/// `refused`, with exit `code`.
fn refused_with(env: &TestEnv, args: &[&str], names: &str, code: i32) -> String {
    let before = snapshot(env);
    let run = within(env, args);
    assert_eq!(run.code, code, "admin {args:?}: expected exit {code}:\n{}{}", run.stdout, run.stderr);
    assert_error_shape(&run.stderr);
    assert!(run.stderr.contains("\nhint: "), "admin {args:?}: no hint:\n{}", run.stderr);
    assert!(run.stderr.contains(names), "admin {args:?}: the error does not name {names}:\n{}", run.stderr);
    assert_eq!(snapshot(env), before, "admin {args:?} changed what it refused");
    run.stderr
}

fn fifo(path: &Path) {
    assert!(std::process::Command::new("mkfifo").arg(path).status().unwrap().success());
}

/// A socket file at `path` (the listener is dropped; the file stays).
fn socket(path: &Path) {
    drop(std::os::unix::net::UnixListener::bind(path).unwrap());
}

/// A sparse file of `bytes` at `path`, starting with `head`.
fn sparse(path: &Path, head: &[u8], bytes: u64) {
    std::fs::write(path, head).unwrap();
    std::fs::OpenOptions::new().write(true).open(path).unwrap().set_len(bytes).unwrap();
}

const GIB_AND_A_HALF: u64 = 1536 << 20;

/// A database with a published site in `site` and an unpublished change: a publish that was not
/// refused would write.
fn published() -> TestEnv {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env
}

/// Every way of publishing into `site`: each reads what it holds.
const PUBLISHING: &[&[&str]] = &[
    &["publish", "--out", "site"],
    &["publish", "--out", "site", "--dry-run"],
    &["publish", "--out", "site", "--from-publication", "1"],
];

type Plant = fn(&TestEnv, &Path);

#[test]
fn a_site_file_that_is_not_a_regular_file_is_refused_by_name() {
    let cases: [(&str, &str, Plant); 9] = [
        // the reported cases: a FIFO hung publish holding the lock, a link whose target matches
        // was accepted, a sparse file was read whole
        ("index.html", "is a FIFO (named pipe)", |_, p| fifo(p)),
        ("index.html", "is a symbolic link", |env, p| symlink(env.path("original"), p).unwrap()),
        ("index.html", "is 1610612736 bytes, more than the 67108864", |env, p| {
            sparse(p, &std::fs::read(env.path("original")).unwrap(), GIB_AND_A_HALF)
        }),
        // more of the class
        ("index.html", "is a symbolic link", |_, p| symlink("/dev/zero", p).unwrap()),
        ("forces.json", "is a symbolic link", |_, p| symlink("../../nowhere", p).unwrap()),
        ("forces.csv", "is a directory", |_, p| std::fs::create_dir(p).unwrap()),
        ("feed.atom", "is a socket", |_, p| socket(p)),
        ("forces.json", "is a FIFO (named pipe)", |_, p| fifo(p)),
        ("feed.atom", "is a symbolic link", |_, p| symlink("/etc/passwd", p).unwrap()),
    ];
    for (name, why, plant) in cases {
        let env = published();
        let path = env.path("site").join(name);
        // the file as published, kept outside the site
        std::fs::rename(&path, env.path("original")).unwrap();
        plant(&env, &path);
        let changes = env.change_count();
        for args in PUBLISHING {
            let err = refused(&env, args, &format!("site/{name}` {why}"));
            assert!(err.contains(&format!("move `{name}` out of")), "{err}");
        }
        assert_eq!(env.change_count(), changes, "{name} {why}: a publication was recorded");
    }
    // put back, the site is published into as before
    let env = published();
    std::fs::rename(env.path("site/index.html"), env.path("original")).unwrap();
    fifo(&env.path("site/index.html"));
    refused(&env, PUBLISHING[0], "index.html");
    std::fs::remove_file(env.path("site/index.html")).unwrap();
    std::fs::rename(env.path("original"), env.path("site/index.html")).unwrap();
    assert!(env.ok(&["publish", "--out", "site"]).contains("Added link for Kent Police"));
}

/// Add an entry to the site's manifest, as someone editing it would.
fn list_in_manifest(env: &TestEnv, entry: Value) {
    let path = env.path("site/.uof-admin-manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["files"].as_array_mut().unwrap().push(entry);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

#[test]
fn a_manifest_entry_that_is_not_a_file_directly_inside_the_site_is_refused() {
    for path in [
        // the reported cases: read without limit, and read outside the site
        "/dev/zero",
        "../outside.txt",
        "/etc/passwd",
        // more of the class
        "sub/index.html",
        "./index.html",
        "..",
        ".",
        "",
        "index.html\u{0}.txt",
        "index.html/",
    ] {
        let env = published();
        // a file outside the site whose hash the entry gives: the old check found it "intact"
        std::fs::write(env.path("outside.txt"), "secret\n").unwrap();
        list_in_manifest(&env, serde_json::json!({"path": path, "sha256": sha256(b"secret\n"), "bytes": 7}));
        for args in PUBLISHING {
            let err = refused(&env, args, &format!("lists {}", Value::from(path)));
            assert!(err.contains("not a file admin publishes"), "{err}");
        }
    }
}

#[test]
fn a_manifest_claiming_a_file_admin_does_not_publish_never_gets_it_deleted() {
    // a file of someone's in the site, claimed by a forged manifest entry (its hash wrong or
    // right): admin publishes index.html, forces.json, forces.csv, feed.atom and sitemap.xml only
    for (name, hash) in [
        ("important.txt", "0".repeat(64)),
        ("important.txt", sha256(b"keep\n")),
        ("robots.txt", sha256(b"keep\n")),
        ("index.htm", sha256(b"keep\n")),
        ("FORCES.JSON", sha256(b"keep\n")),
    ] {
        let env = published();
        std::fs::write(env.path(&format!("site/{name}")), "keep\n").unwrap();
        list_in_manifest(&env, serde_json::json!({"path": name, "sha256": hash, "bytes": 5}));
        for args in PUBLISHING {
            let err = refused(&env, args, &format!("lists {}", Value::from(name)));
            assert!(err.contains("not a file admin publishes"), "{err}");
        }
        assert_eq!(std::fs::read(env.path(&format!("site/{name}"))).unwrap(), b"keep\n");
    }
}

#[test]
fn a_manifest_that_is_not_a_regular_file_is_refused_by_name() {
    let cases: [(&str, Plant); 6] = [
        ("is a FIFO (named pipe)", |_, p| fifo(p)),
        // a link to the manifest as it was: the content is right, the file is not
        ("is a symbolic link", |env, p| symlink(env.path("saved"), p).unwrap()),
        ("is a symbolic link", |_, p| symlink("/dev/zero", p).unwrap()),
        ("is a directory", |_, p| std::fs::create_dir(p).unwrap()),
        ("is a socket", |_, p| socket(p)),
        ("is 104857600 bytes, more than the 67108864", |_, p| sparse(p, b"{", 100 << 20)),
    ];
    for (why, plant) in cases {
        let env = published();
        let path = env.path("site/.uof-admin-manifest.json");
        std::fs::rename(&path, env.path("saved")).unwrap();
        plant(&env, &path);
        for args in PUBLISHING {
            refused(&env, args, &format!("site/.uof-admin-manifest.json` {why}"));
        }
    }
}

#[test]
fn a_publishing_lock_that_is_not_a_file_is_refused_and_nothing_appears_where_it_points() {
    let elsewhere = tempfile::tempdir().unwrap();
    let cases: [(&str, PathBuf); 6] = [
        // the reported case: a link to where admin should not write
        ("link", PathBuf::from("victim")),
        // more of the class
        ("link", elsewhere.path().join("victim")),
        ("link", PathBuf::from("site/index.html")),
        ("link", PathBuf::from("/dev/null")),
        ("fifo", PathBuf::new()),
        ("directory", PathBuf::new()),
    ];
    for (kind, target) in cases {
        let env = published();
        let lock = env.path(".site.lock");
        let why = match kind {
            "link" => {
                symlink(&target, &lock).unwrap();
                "is a symbolic link"
            }
            "fifo" => {
                fifo(&lock);
                "is a FIFO (named pipe)"
            }
            _ => {
                std::fs::create_dir(&lock).unwrap();
                "is a directory"
            }
        };
        for args in [PUBLISHING[0], PUBLISHING[2]] {
            let err = refused(&env, args, &format!("the publishing lock `{}` {why}", lock.display()));
            assert!(err.contains(&format!("remove `{}`", lock.display())), "{err}");
        }
        assert!(!env.path("victim").exists() && !elsewhere.path().join("victim").exists(), "{target:?}");
    }
    // with the lock's place clear, publishing goes on as before
    let env = published();
    env.ok(&["publish", "--out", "site"]);
    assert!(!env.path(".site.lock").exists());
}

#[test]
fn audit_verify_against_reads_only_a_regular_forces_json() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    let json = std::fs::read(env.path("site/forces.json")).unwrap();
    // what is accepted: the site, its forces.json, and a site reached through a link (the link
    // is the user's own path; what is read inside it is not followed)
    symlink(env.path("site"), env.path("current")).unwrap();
    for against in ["site", "site/forces.json", "current"] {
        assert!(within(&env, &["audit", "verify", "--against", against]).stdout.contains("matches"));
    }
    let dir = |name: &str| {
        std::fs::create_dir(env.path(name)).unwrap();
        env.path(name).join("forces.json")
    };
    // the reported cases
    fifo(&env.path("fifo.json"));
    symlink("/dev/zero", env.path("zero.json")).unwrap();
    std::fs::create_dir(dir("dir")).unwrap();
    // more of the class: a link to the very file (its content matches), a FIFO and a socket
    // inside a site, 100 MB of sparse file, a link to a directory
    symlink(env.path("site/forces.json"), dir("linked")).unwrap();
    fifo(&dir("fifo-site"));
    socket(&dir("socket-site"));
    sparse(&dir("huge-site"), &json, 100 << 20);
    for (against, names) in [
        ("fifo.json", "`fifo.json` is a FIFO (named pipe), not a regular file"),
        ("zero.json", "`zero.json` is a symbolic link, not a regular file"),
        ("dir", "`dir/forces.json` is a directory, not a regular file"),
        ("linked", "`linked/forces.json` is a symbolic link"),
        ("fifo-site", "`fifo-site/forces.json` is a FIFO (named pipe)"),
        ("socket-site", "`socket-site/forces.json` is a socket"),
        ("huge-site", "`huge-site/forces.json` is 104857600 bytes, more than the 67108864"),
        ("/dev/zero", "`/dev/zero` is a device"),
        ("huge-site/forces.json", "is 104857600 bytes"),
    ] {
        let err = refused(&env, &["audit", "verify", "--against", against], names);
        assert!(err.contains("it is not a published forces.json"), "{err}");
    }
    // a path that names nothing is bad input, as before
    let run = within(&env, &["audit", "verify", "--against", "no-such-site"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn restore_reads_only_a_regular_backup_and_no_more_of_it_than_the_database() {
    let env = TestEnv::init();
    env.ok(&["backup", "good.db"]);
    let good = std::fs::read(env.path("good.db")).unwrap();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    symlink(env.path("good.db"), env.path("link.db")).unwrap();
    symlink("/dev/zero", env.path("zero.db")).unwrap();
    symlink(env.path("nowhere.db"), env.path("dangling.db")).unwrap();
    socket(&env.path("socket.db"));
    sparse(&env.path("sparse.db"), b"", GIB_AND_A_HALF);
    // a path that names no regular file is bad input (exit 2); a file that is no backup, a failure
    for (backup, names, code) in [
        ("link.db", "the backup `link.db` cannot be restored: it is a symbolic link", 2),
        ("zero.db", "the backup `zero.db` cannot be restored: it is a symbolic link", 2),
        ("dangling.db", "the backup `dangling.db` cannot be restored: it is a symbolic link", 2),
        ("socket.db", "the backup `socket.db` cannot be restored: it is a socket", 2),
        ("/dev/zero", "the backup `/dev/zero` cannot be restored: it is a device", 2),
        // refused by its first bytes, before a copy of 1.5 GB is made
        ("sparse.db", "the backup `sparse.db` cannot be restored: it is not an SQLite database", 1),
    ] {
        refused_with(&env, &["restore", backup], names, code);
    }
    // a whole backup followed by 1.5 GB of nothing: SQLite reads only the pages its header
    // counts, and restore copies only those
    sparse(&env.path("padded.db"), &good, GIB_AND_A_HALF);
    let out = within(&env, &["restore", "padded.db"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("from `padded.db`: 46 changes, audit log verified"), "{}", out.stdout);
    assert_eq!(env.json(&["show", "kent-police", "--json"])["force"]["url"], Value::Null);
}

#[test]
fn serve_reads_no_site_and_refuses_a_database_that_is_not_a_file() {
    let env = TestEnv::init();
    fifo(&env.path("fifo.db"));
    symlink("/dev/zero", env.path("zero.db")).unwrap();
    socket(&env.path("socket.db"));
    for (db, why) in [
        ("fifo.db", "is a FIFO (named pipe), not a database file"),
        ("zero.db", "is a device, not a database file"),
        ("socket.db", "is a socket, not a database file"),
        ("/dev/null", "is a device, not a database file"),
    ] {
        refused(&env, &["--db", db, "serve", "--port", "0"], &format!("`{db}` {why}"));
        refused(&env, &["--db", db, "list"], &format!("`{db}` {why}"));
    }
    // the preview renders from the database: a hostile site beside it is never read
    env.ok(&["publish"]);
    std::fs::remove_file(env.path("publish/index.html")).unwrap();
    fifo(&env.path("publish/index.html"));
    symlink("/dev/zero", env.path(".publish.lock")).unwrap();
    let server = super::serve::serve(&env);
    let (status, page) = super::serve::get(&server.addr, &server.addr);
    assert_eq!(status, 200);
    assert!(page.contains("Kent Police"));
}
