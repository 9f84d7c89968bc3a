//! The README's two set-up commands, as a newcomer runs them: on a fresh clone, the set-up
//! command and then the test command must pass and leave `git status` clean. It builds the
//! project twice from nothing (minutes), so it is ignored in the default run; `.ci/run` runs it.
use std::path::Path;
use std::process::Command;

/// The shell commands of the first two ```sh blocks under "## Set up".
fn setup_commands(readme: &str) -> Vec<String> {
    let section = readme.split("## Set up").nth(1).expect("README has a Set up section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .split("```sh\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap_or("").trim().to_owned())
        .take(2)
        .collect()
}

fn run(dir: &Path, script: &str) -> (bool, String) {
    let out = Command::new("bash")
        .args(["-c", script])
        .current_dir(dir)
        // the clone gets its own target directory, as a newcomer's would
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("UOF_DB")
        .env("UOF_EDITOR", "newcomer")
        .output()
        .expect("run bash");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
#[ignore = "builds the project twice in a fresh clone; run by .ci/run"]
fn the_readme_set_up_then_tests_pass_on_a_fresh_clone_and_leave_it_clean() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let commands = setup_commands(&readme);
    assert_eq!(commands.len(), 2, "README's Set up section has two sh blocks: {commands:?}");
    assert!(commands[0].contains("admin init") && commands[0].contains("admin publish"), "{}", commands[0]);
    assert!(commands[1].starts_with("cargo test"), "{}", commands[1]);

    let dir = tempfile::tempdir().unwrap();
    let clone = dir.path().join("clone");
    let (ok, text) = run(dir.path(), &format!("git clone --quiet {} clone", repo.display()));
    assert!(ok, "git clone failed: {text}");
    for command in &commands {
        let (ok, text) = run(&clone, command);
        let tail: String =
            text.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        assert!(ok, "`{command}` failed on a fresh clone:\n{tail}");
    }
    assert!(clone.join("uof.db").is_file(), "the set-up created uof.db");
    assert!(clone.join("site/index.html").is_file(), "the set-up published the site");
    let (ok, status) = run(&clone, "git status --porcelain --untracked-files=all");
    assert!(ok);
    assert_eq!(status, "", "the README's commands left the clone dirty");
}

/// The lines of the ```sh block under "## A short tour".
fn tour_lines(readme: &str) -> Vec<String> {
    let section = readme.split("## A short tour").nth(1).expect("README has a tour");
    let block =
        section.split("```sh\n").nth(1).and_then(|b| b.split("```").next()).expect("the tour's sh block");
    block.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// The tour runs as written, line by line, after the set-up: `admin` on the PATH, the database
/// the set-up made and its site published into `site/`.
#[test]
fn the_readme_tour_runs_as_written() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let lines = tour_lines(&readme);
    assert!(lines.len() > 30, "{lines:?}");
    let dir = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_admin")).parent().unwrap().display().to_string();
    let path = format!("{bin}:/usr/local/bin:/usr/bin:/bin");
    let shell = |script: &str| {
        Command::new("bash")
            .args(["-c", script])
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", &path)
            .env("HOME", dir.path())
            .env("UOF_EDITOR", "newcomer")
            .output()
            .expect("run bash")
    };
    // the set-up, but for the build
    let setup = shell("admin init && admin publish --out site");
    assert!(setup.status.success(), "{}", String::from_utf8_lossy(&setup.stderr));
    let mut exports = String::new();
    for line in &lines {
        if line.starts_with("export ") {
            exports.push_str(line);
            exports.push('\n');
            continue;
        }
        let out = shell(&format!("{exports}{line}"));
        assert!(
            out.status.success(),
            "the tour's `{line}` failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
