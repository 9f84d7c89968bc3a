//! The documentation runs: every ```console block in docs/guide.md and docs/operations.md is
//! executed in order, in a fresh directory, and what it shows must be what the commands print.
//!
//! A line `$ command` runs in bash with `admin` on the PATH (so pipes and redirections work);
//! the lines after it, up to the next `$`, must each appear in its output, in order (`…` skips
//! freely). A command ending `# exit N` must exit N; every other command must exit 0.
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
            if !line.trim().is_empty() {
                step.expect.push(line.trim_end().to_owned());
            }
        }
    }
    steps
}

fn run_doc(name: &str) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join(name);
    let markdown = std::fs::read_to_string(&path).unwrap();
    let steps = steps(&markdown);
    let env = TestEnv::empty();
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
        let mut rest = output.as_str();
        for want in &step.expect {
            if want.trim() == "…" {
                continue;
            }
            match rest.find(want.trim()) {
                Some(at) => rest = &rest[at + want.trim().len()..],
                None => panic!(
                    "{name}:{}: `{}` did not print {want:?} (in order); it printed:\n{output}",
                    step.line, step.command
                ),
            }
        }
    }
    steps.len()
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
