//! Output to a closed pipe is success, quietly; to a full device it is exit 1 with one `error:`
//! line. Never a panic, on any output path: completions, the man page, tables, JSON, lines,
//! help and version.
use crate::testenv::{assert_error_shape, TestEnv};

/// Every output path worth one case: completions for each shell, the man page, tables, JSON
/// documents, lines, and the export file.
const COMMANDS: &[&str] = &[
    "completions bash",
    "completions zsh",
    "completions fish",
    "completions elvish",
    "completions powershell",
    "man",
    "list",
    "list --json",
    "history",
    "history --json",
    "show kent-police",
    "note list --all --json",
    "due",
    "status",
    "export",
    "export --format csv",
    "publications --json",
    "audit verify",
    // help and version are output too
    "--help",
    "--version",
    "help list",
    "help",
    "-V",
    "list --help",
    "note add -h",
];

#[test]
fn a_full_device_is_exit_1_with_one_error_line() {
    let env = TestEnv::init();
    for command in COMMANDS {
        let run = env.shell(&format!("\"$ADMIN\" {command} > /dev/full"));
        assert_eq!(run.code, 1, "{command} > /dev/full: {}", run.stderr);
        assert_error_shape(&run.stderr);
        assert!(run.stderr.contains("No space left on device"), "{command}: {}", run.stderr);
    }
}

#[test]
fn a_closed_pipe_is_success_with_nothing_on_stderr() {
    let env = TestEnv::init();
    // enough history that no output fits in the pipe's buffer before the reader is gone
    for i in 0..40 {
        env.ok(&["note", "add", "--force", "kent-police", &format!("note {i} {}", "x".repeat(2000))]);
    }
    for command in COMMANDS {
        // the examples (`| head -c1`, `history --json | head -1`), and a reader that
        // has gone before the first byte is written
        for reader in ["head -c1", "head -1", "(exec 0<&-; sleep 0.3)"] {
            let run =
                env.shell(&format!("\"$ADMIN\" {command} | {reader} > /dev/null; exit ${{PIPESTATUS[0]}}"));
            assert_eq!(run.code, 0, "{command} | {reader}: {}", run.stderr);
            assert_eq!(run.stderr, "", "{command} | {reader}");
        }
    }
}
