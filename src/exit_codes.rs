//! Exit codes and the errors that choose them, in one place.
//!
//! `0` success; `1` the operation failed (I/O, a corrupt database, broken links, a failed audit);
//! `2` bad input (usage, validation, an unknown force, a duplicate, a malformed file). Every other
//! error is `anyhow` with context and exits 1.
use std::io::{self, Write};
use std::process::ExitCode;

/// The operation succeeded.
pub const SUCCESS: u8 = 0;
/// The operation failed: I/O, a database that is corrupt or not SQLite, broken links, a failed
/// audit verification.
pub const FAILURE: u8 = 1;
/// The input was bad: usage, validation, unknown force, duplicate name, malformed import file.
pub const BAD_INPUT: u8 = 2;

/// Bad input from the user: exit 2, with an optional hint the user can act on.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct BadInput {
    pub message: String,
    pub hint: Option<String>,
}

/// A failure the user can do something about: exit 1, with a hint.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failed {
    pub message: String,
    pub hint: Option<String>,
}

/// The command has already said what went wrong on its own terms (a broken link, a bad hash):
/// exit with this code and print nothing more.
#[derive(Debug, thiserror::Error)]
#[error("exit status {0}")]
pub struct QuietExit(pub u8);

/// Bad input, without a hint.
pub fn bad(message: impl Into<String>) -> anyhow::Error {
    BadInput { message: message.into(), hint: None }.into()
}

/// Bad input, with a hint.
pub fn bad_hint(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    BadInput { message: message.into(), hint: Some(hint.into()) }.into()
}

/// A failure, with a hint.
pub fn failed_hint(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    Failed { message: message.into(), hint: Some(hint.into()) }.into()
}

/// The exit code an error asks for.
pub fn code_for(err: &anyhow::Error) -> u8 {
    if let Some(QuietExit(code)) = err.downcast_ref::<QuietExit>() {
        return *code;
    }
    if err.chain().any(|cause| cause.is::<BadInput>()) || name_too_long(err) {
        BAD_INPUT
    } else {
        FAILURE
    }
}

/// The hint for a database whose tables or schema are not what the audit log and admin's
/// migrations make: how to see the difference, and how to mend it.
pub const SEE_VERIFY: &str =
    "run `admin audit verify` to see the difference, and restore the database from a backup (`admin restore`)";

/// A path given that the system cannot take (`ENAMETOOLONG`): bad input, wherever it is met.
fn name_too_long(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::InvalidFilename)
    })
}

fn hint_for(err: &anyhow::Error) -> Option<String> {
    if name_too_long(err) && !err.chain().any(|cause| cause.is::<BadInput>() || cause.is::<Failed>()) {
        return Some(
            "a file's name holds at most 255 bytes, and a whole path 4,096: give a shorter one".to_owned(),
        );
    }
    err.chain().find_map(|cause| {
        if let Some(e) = cause.downcast_ref::<BadInput>() {
            e.hint.clone()
        } else if let Some(e) = cause.downcast_ref::<Failed>() {
            e.hint.clone()
        } else if let Some(rusqlite::Error::SqliteFailure(e, text)) = cause.downcast_ref() {
            let missing = |what: &str| text.as_deref().is_some_and(|t| t.starts_with(what));
            if missing("no such table") || missing("no such column") {
                Some(format!("the database's schema was changed behind admin's back: {SEE_VERIFY}"))
            } else {
                sqlite_hint(e.code)
            }
        } else {
            None
        }
    })
}

fn sqlite_hint(code: rusqlite::ErrorCode) -> Option<String> {
    use rusqlite::ErrorCode as C;
    match code {
        C::NotADatabase | C::DatabaseCorrupt => Some(
            "the file is damaged or is not a uof-admin database: restore it from a backup with `admin restore BACKUP`"
                .into(),
        ),
        C::ReadOnly => Some("check the permissions of the database file and its directory".into()),
        C::DiskFull => Some("free some disk space, then run the command again".into()),
        C::SystemIoFailure => {
            Some("the disk may be full or failing: check free space and the file system, then run the command again".into())
        }
        C::CannotOpen => Some("check that the path and its directory exist and are readable".into()),
        _ => None,
    }
}

/// Whether the error is stdout having been closed (`admin list | head`): that is success.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|cause| cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

/// Print an error as one `error:` line (and a `hint:` line) and choose the exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(err) {
        return ExitCode::SUCCESS;
    }
    let code = code_for(err);
    if err.downcast_ref::<QuietExit>().is_none() {
        let mut stderr = io::stderr().lock();
        let _ = writeln!(stderr, "error: {}", error_line(&message(err)));
        if let Some(hint) = hint_for(err) {
            let _ = writeln!(stderr, "hint: {}", error_line(&hint));
        }
    }
    ExitCode::from(code)
}

/// The error and its causes on one line, `: `-separated, without the repeats SQLite's errors
/// bring (`…: attempt to write a readonly database: Error code 1544: attempt to write …`).
fn message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        let text = match text.strip_prefix("Error code ") {
            Some(rest) => rest.split_once(": ").map_or(text.clone(), |(_, m)| m.to_owned()),
            None => text,
        };
        if text.is_empty() || out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Messages can quote user input; never let it break the one-line contract: a control character
/// becomes a space, and one that reorders or hides text is shown escaped (`\u{202e}`).
pub(crate) fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if c.is_control() => out.push(' '),
            c if acts(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// A character a terminal would act on, or that reorders or hides what it shows, rather than
/// one to be seen: control characters (C0, DEL, C1: escape sequences, bells, line breaks), and
/// the invisible format characters (bidirectional marks, overrides and isolates, zero-width
/// spaces and joiners, line and paragraph separators, the byte order mark).
pub fn acts(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// The most characters of a message line's text (`error:`, `hint:`, `warning:`): a message can
/// carry a value of any length (a path, a row of a database edited behind admin's back), and the
/// line is for people.
pub const MESSAGE: usize = 2000;

/// The text of an `error:` or `hint:` line: on one line, and at most 2,000 characters of the
/// message, with how long it was where it was cut.
pub(crate) fn error_line(text: &str) -> String {
    one_line(&at_most(text, MESSAGE))
}

/// `text`, or its first `chars` characters and how long it is (counted in characters: a byte
/// index inside a character panics).
pub fn at_most(text: &str, chars: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(chars) {
        None => text.into(),
        Some((end, _)) => format!("{}… ({} characters in all)", &text[..end], text.chars().count()).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_line_is_one_line_of_at_most_two_thousand_characters_of_the_message() {
        assert_eq!(error_line("short\nmessage"), "short message");
        let long = "é".repeat(5000);
        let line = error_line(&long);
        assert!(
            line.starts_with(&"é".repeat(2000)) && line.ends_with("… (5000 characters in all)"),
            "{line}"
        );
        assert_eq!(line.chars().count(), 2000 + "… (5000 characters in all)".chars().count());
    }

    #[test]
    fn bad_input_is_exit_2_even_under_context() {
        let err = bad("no such force").context("failed to set the URL");
        assert_eq!(code_for(&err), BAD_INPUT);
    }

    #[test]
    fn other_errors_are_exit_1() {
        let err = anyhow::anyhow!("disk on fire");
        assert_eq!(code_for(&err), FAILURE);
        assert_eq!(code_for(&QuietExit(1).into()), FAILURE);
    }

    #[test]
    fn sqlite_causes_are_not_repeated() {
        let sqlite = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
            Some("attempt to write a readonly database".into()),
        );
        let err = anyhow::Error::new(sqlite).context("failed to read database `uof.db`");
        assert_eq!(message(&err), "failed to read database `uof.db`: attempt to write a readonly database");
    }

    #[test]
    fn control_characters_never_split_the_error_line() {
        assert_eq!(one_line("a\nb\r\0c"), "a b  c");
    }
}
