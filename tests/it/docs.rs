//! The documentation runs: every ```console block in docs/guide.md and docs/operations.md is
//! executed in order, in a fresh directory, and what it shows must be what the commands print.
//!
//! A line `$ command` runs in bash with `admin` on the PATH (so pipes and redirections work);
//! the lines after it, up to the next `$`, are its whole output (stdout then stderr, blank lines
//! included but for those at its end), line for line. Within a line `…` stands for any text (a time, a hash, a temporary
//! path); a line that is only `…` stands for any number of lines. A command ending `# exit N`
//! must exit N; every other command must exit 0.
use std::path::Path;

use crate::testenv::TestEnv;

struct Step {
    line: usize,
    command: String,
    expect_code: i32,
    expect: Vec<String>,
}

fn steps(markdown: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut in_block = false;
    for (n, line) in markdown.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block && line.trim() == "```console";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            let (command, code) = match command.rsplit_once("# exit ") {
                Some((c, code)) => (c.trim_end().to_owned(), code.trim().parse().expect("exit code")),
                None => (command.to_owned(), 0),
            };
            steps.push(Step { line: n + 1, command, expect_code: code, expect: Vec::new() });
        } else if let Some(step) = steps.last_mut() {
            step.expect.push(line.trim_end().to_owned());
        }
    }
    steps
}

fn run_doc(name: &str) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join(name);
    let markdown = std::fs::read_to_string(&path).unwrap();
    let steps = steps(&markdown);
    let env = TestEnv::empty();
    // DOCS_BLESS=1: write what the commands print into the examples that differ (hashes and
    // temporary paths elided), for a person to read over before committing
    let blessing = std::env::var_os("DOCS_BLESS").is_some();
    let mut blessed: Vec<(usize, Vec<String>)> = Vec::new();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_admin")).parent().unwrap().display().to_string();
    for step in &steps {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").display().to_string();
        let script = format!(
            "unset UOF_DB; export DOCS=\"{docs}\" PATH=\"{bin_dir}:/usr/local/bin:/usr/bin:/bin\"; {}",
            step.command
        );
        let run = env.shell(&script);
        let output = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(
            run.code, step.expect_code,
            "{name}:{}: `{}` exited {}:\n{output}",
            step.line, step.command, run.code
        );
        let got = without_trailing_blanks(output.lines().map(str::trim_end).collect());
        let want = without_trailing_blanks(step.expect.iter().map(|l| l.trim_end()).collect());
        if blessing && !whole(&want, &got) {
            blessed.push((
                step.line,
                got.iter().map(|l| redact(l, env.path("").to_str().unwrap_or("/"))).collect(),
            ));
            continue;
        }
        assert!(
            whole(&want, &got),
            "{name}:{}: `{}` printed something else than the example shows.\nThe example:\n{}\nIt printed:\n{}",
            step.line,
            step.command,
            want.join("\n"),
            got.join("\n")
        );
    }
    if !blessed.is_empty() {
        bless(&path, &markdown, &blessed);
    }
    steps.len()
}

/// Rewrite the output lines of the examples at `blessed` (each its `$` line's number).
fn bless(path: &Path, markdown: &str, blessed: &[(usize, Vec<String>)]) {
    let mut out = Vec::new();
    let mut skipping = false;
    for (n, line) in markdown.lines().enumerate() {
        if skipping && (line.starts_with("$ ") || line.trim_start().starts_with("```")) {
            skipping = false;
        }
        if skipping {
            continue;
        }
        out.push(line.to_owned());
        if let Some((_, lines)) = blessed.iter().find(|(at, _)| *at == n + 1) {
            out.extend(lines.iter().cloned());
            skipping = true;
        }
    }
    std::fs::write(path, out.join("\n") + "\n").unwrap();
}

/// A line of output with what changes from run to run elided: hashes and the run's temporary
/// directory (times do not change: the examples run at a fixed time, SOURCE_DATE_EPOCH).
fn redact(line: &str, dir: &str) -> String {
    let line = line.replace(dir.trim_end_matches('/'), "…");
    let hash = regex::Regex::new(r"\b[0-9a-f]{12,}\b|SHA256:[A-Za-z0-9+/]{43}").unwrap();
    hash.replace_all(&line, "…").into_owned()
}

/// Lines, with the blank ones at the end left off (an example's block ends where it ends).
fn without_trailing_blanks(mut lines: Vec<&str>) -> Vec<&str> {
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// Whether the lines `got` are what `want` shows, whole: a line `…` takes any number of lines,
/// and `…` within a line any text.
fn whole(want: &[&str], got: &[&str]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((&"…", rest)) => (0..=got.len()).any(|skip| whole(rest, &got[skip..])),
        Some((line, rest)) => {
            got.split_first().is_some_and(|(first, more)| same_line(line, first) && whole(rest, more))
        }
    }
}

/// One line against its example, where `…` stands for any text.
fn same_line(want: &str, got: &str) -> bool {
    let mut parts = want.split('…');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = got.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

#[test]
fn the_examples_are_matched_whole() {
    assert!(whole(&["a", "b"], &["a", "b"]));
    assert!(!whole(&["a"], &["a", "b"]), "a line left out of an example is a difference");
    assert!(!whole(&["a", "b"], &["a"]));
    assert!(whole(&["a", "…"], &["a", "b", "c"]));
    assert!(whole(&["…", "c"], &["a", "b", "c"]));
    assert!(whole(&["at … by bob"], &["at 2025-11-24T16:00:00Z by bob"]));
    assert!(!whole(&["at … by bob"], &["at 2025 by bobby"]));
    assert!(whole(&["sha256 …"], &["sha256 0123abcd"]));
    assert!(!whole(&["error:"], &["error: it failed"]), "a cut-short line is a difference");
}

#[test]
fn every_example_in_the_editors_guide_runs_as_shown() {
    assert!(run_doc("guide.md") >= 20);
}

#[test]
fn every_example_in_the_operations_guide_runs_as_shown() {
    assert!(run_doc("operations.md") >= 8);
}

/// Run one unit's Exec lines the way systemd would, with its paths moved into `root`.
fn run_unit(unit: &Path, root: &Path) {
    let text = std::fs::read_to_string(unit).unwrap();
    let localise = |s: &str| {
        s.replace("/usr/local/bin/admin", env!("CARGO_BIN_EXE_admin"))
            .replace("/srv/uof", &root.display().to_string())
            .replace("%%", "%")
    };
    let mut env_vars = Vec::new();
    let mut execs = Vec::new();
    for line in text.lines() {
        if let Some(kv) = line.strip_prefix("Environment=") {
            let (k, v) = kv.split_once('=').unwrap();
            env_vars.push((k.to_owned(), localise(v)));
        } else if let Some(cmd) =
            line.strip_prefix("ExecStart=").or_else(|| line.strip_prefix("ExecStartPost="))
        {
            execs.push(localise(cmd));
        }
    }
    assert!(!execs.is_empty(), "{} has no ExecStart", unit.display());
    for exec in execs {
        let out = std::process::Command::new("sh")
            .args(["-c", &exec])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("UOF_EDITOR", "uof")
            .envs(env_vars.iter().cloned())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: `{exec}` failed: {}",
            unit.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_example_systemd_units_run() {
    let env = TestEnv::empty();
    let root = env.dir.path();
    std::fs::create_dir(root.join("backups")).unwrap();
    let db = root.join("uof.db");
    env.ok(&["--db", db.to_str().unwrap(), "init"]);
    let ops = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ops");
    let mut units: Vec<_> = std::fs::read_dir(&ops).unwrap().map(|e| e.unwrap().path()).collect();
    units.sort();
    let services: Vec<_> = units.iter().filter(|u| u.extension().is_some_and(|e| e == "service")).collect();
    for unit in services.iter().filter(|u| !u.to_string_lossy().contains('@')) {
        run_unit(unit, root);
    }
    // a template unit (the alert) needs a mailer and a journal: check that a unit names it
    for template in services.iter().filter(|u| u.to_string_lossy().contains('@')) {
        let name = template.file_stem().unwrap().to_string_lossy().into_owned();
        let named = services
            .iter()
            .any(|u| std::fs::read_to_string(u).unwrap().contains(&format!("OnFailure={name}%n.service")));
        assert!(named, "no unit starts {name} on failure");
        assert!(std::fs::read_to_string(template).unwrap().contains("ExecStart="));
    }
    for timer in units.iter().filter(|u| u.extension().is_some_and(|e| e == "timer")) {
        let text = std::fs::read_to_string(timer).unwrap();
        assert!(text.contains("[Timer]") && text.contains("OnCalendar="), "{}", timer.display());
        let service = timer.with_extension("service");
        assert!(service.exists(), "{} has no service", timer.display());
    }
    let backups: Vec<_> = std::fs::read_dir(root.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("uof-"))
        .collect();
    assert_eq!(backups.len(), 1, "the backup unit made one backup");
    assert!(env.ok(&["--db", backups[0].to_str().unwrap(), "audit", "verify"]).contains("46 changes"));
    let export: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("backups/forces.json")).unwrap()).unwrap();
    assert_eq!(export["forces"].as_array().unwrap().len(), 45);
}
