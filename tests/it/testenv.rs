//! `TestEnv`: a temporary directory with a database, and the `admin` binary run in it with a
//! clean environment, the way a user would run it.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use serde_json::Value;

/// The files a published site holds, sorted.
pub const SITE_FILES: [&str; 9] = [
    ".uof-admin-manifest.json",
    "allowed_signers",
    "checking.txt",
    "feed.atom",
    "forces.csv",
    "forces.json",
    "history.json",
    "index.html",
    "publications.json",
];

pub const EPOCH: i64 = 1_764_000_000; // 2025-11-24T16:00:00Z

pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    epoch: AtomicI64,
    editor: Mutex<String>,
    /// More environment for every command this environment runs.
    vars: Mutex<Vec<(String, String)>>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl TestEnv {
    /// An empty directory: no database yet.
    pub fn empty() -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("uof.db");
        TestEnv {
            dir,
            db,
            epoch: AtomicI64::new(EPOCH),
            editor: Mutex::new("alice".into()),
            vars: Mutex::new(Vec::new()),
        }
    }

    /// A database made by `admin init`.
    pub fn init() -> TestEnv {
        let env = TestEnv::empty();
        env.ok(&["init"]);
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn set_epoch(&self, epoch: i64) {
        self.epoch.store(epoch, Ordering::SeqCst);
    }

    /// Set a variable in the environment of every command run from now on.
    pub fn set_var(&self, name: &str, value: &str) {
        self.vars.lock().unwrap().push((name.to_owned(), value.to_owned()));
    }

    pub fn set_editor(&self, editor: &str) {
        *self.editor.lock().unwrap() = editor.to_owned();
    }

    pub fn command(&self) -> Command {
        self.with_env(Command::new(env!("CARGO_BIN_EXE_admin")))
    }

    /// `bash -c SCRIPT` with the same clean environment; `$ADMIN` is the binary.
    pub fn shell(&self, script: &str) -> Run {
        let mut cmd = self.with_env(Command::new("bash"));
        cmd.env("ADMIN", env!("CARGO_BIN_EXE_admin")).args(["-c", script]);
        cmd.output().expect("run bash").into()
    }

    fn with_env(&self, mut cmd: Command) -> Command {
        cmd.env_clear()
            .current_dir(self.dir.path())
            .env("UOF_DB", &self.db)
            .env("UOF_EDITOR", self.editor.lock().unwrap().as_str())
            .env("SOURCE_DATE_EPOCH", self.epoch.load(Ordering::SeqCst).to_string())
            .envs(self.vars.lock().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd
    }

    /// admin run as `nobody` (uid 65534), for whom root's files are read-only, through
    /// `through` (e.g. `unshare --user --map-root-user`); on the system's clock.
    pub fn as_nobody(&self, through: &[&str], args: &[&str]) -> Run {
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).args(through);
        cmd.arg(env!("CARGO_BIN_EXE_admin")).args(args).env_clear().current_dir(self.dir.path());
        cmd.env("UOF_DB", &self.db).env("UOF_EDITOR", "nobody");
        cmd.output().expect("run admin as nobody").into()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.command().args(args).output().expect("run admin").into()
    }

    /// Run and expect success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, 0, "admin {args:?} failed:\n{}{}", run.stdout, run.stderr);
        run.stdout
    }

    /// Run and expect failure with `code`, one `error:` line and at most a `hint:` line;
    /// returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let run = self.run(args);
        assert_eq!(run.code, code, "admin {args:?}: expected exit {code}:\n{}{}", run.stdout, run.stderr);
        assert_error_shape(&run.stderr);
        run.stderr
    }

    /// Run with `--json` output and parse it.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("admin {args:?}: not JSON ({e}):\n{out}"))
    }

    pub fn changes(&self) -> Vec<Value> {
        self.json(&["history", "--json"])["changes"].as_array().unwrap().clone()
    }

    pub fn change_count(&self) -> usize {
        self.changes().len()
    }

    pub fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).expect("open db")
    }
}

/// stderr is one `error:` line and optionally one `hint:` line; no panic, no backtrace.
pub fn assert_error_shape(stderr: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(!lines.is_empty() && lines.len() <= 2, "want one error line (+hint), got:\n{stderr}");
    assert!(lines[0].starts_with("error: "), "first line is not `error:`:\n{stderr}");
    if lines.len() == 2 {
        assert!(lines[1].starts_with("hint: "), "second line is not `hint:`:\n{stderr}");
    }
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
}

/// Every byte of the file, for "nothing changed" checks.
pub fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

/// The 45 seed force names in the seed's order.
pub fn seed_names() -> Vec<String> {
    let text = include_str!("../../seed/use-of-force-data-page.md");
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("- ["))
        .map(|l| l.split_once("](").unwrap().0.to_owned())
        .collect()
}

/// Append a change behind the tool's back, as a forger with the database file would: a valid
/// link of the hash chain (canonical JSON: serde_json's sorted map), no signature. Returns its id.
pub fn forge_change(
    env: &TestEnv,
    editor: &str,
    action: &str,
    entity: &str,
    force: Option<&str>,
    before: Option<Value>,
    after: Option<Value>,
) -> i64 {
    use sha2::{Digest, Sha256};
    let conn = env.sql();
    let (prev, last, at): (String, i64, String) = conn
        .query_row("SELECT hash, id, at FROM changes ORDER BY id DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    let id = last + 1;
    let body = serde_json::json!({
        "action": action, "after": after, "at": at, "before": before, "editor": editor,
        "entity": entity, "force": force, "id": id, "message": null,
    });
    let text = serde_json::to_string(&body).unwrap();
    let hash = format!("{:x}", Sha256::digest(format!("{prev}{text}").as_bytes()));
    let json = |v: &Option<Value>| v.as_ref().map(|v| serde_json::to_string(v).unwrap());
    conn.execute(
        "INSERT INTO changes (id, at, editor, action, entity, force, before, after, message, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)",
        rusqlite::params![id, at, editor, action, entity, force, json(&before), json(&after), hash],
    )
    .unwrap();
    id
}

/// The append-only triggers on the audit log, exactly as the first migration writes them: a
/// test that drops them to edit the log behind the tool's back puts these back, as a careful
/// attacker would (a trigger left changed or missing is caught by itself).
pub const APPEND_ONLY: &str = "CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: changes cannot be updated');
END;

CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: changes cannot be deleted');
END;";

/// Run `sql` on the database with the append-only triggers dropped, then put them back exactly.
pub fn behind_the_log(conn: &rusqlite::Connection, sql: &str) {
    conn.execute_batch(&format!(
        "DROP TRIGGER IF EXISTS changes_no_update; DROP TRIGGER IF EXISTS changes_no_delete; {sql};\n{APPEND_ONLY}"
    ))
    .unwrap();
}
