//! Command-line parsing errors, reported as every other error is: one `error:` line and a
//! `hint:`, the usage of the command that was meant rendered from the command line's own
//! definition. Help and version go to stdout with success (exit 1 when they cannot be written).
use std::io::{self, Write};
use std::process::ExitCode;

use crate::exit_codes::error_line;

/// Print a command-line parsing error the same way: one `error:` line, a `hint:`; help and
/// version go to stdout with success, or fail as any output that cannot be written does.
pub fn report_usage(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        // output like any other: a closed pipe is success, a full device a failure
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            return match err.print().and_then(|()| io::stdout().flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => crate::exit_codes::report(
                    &anyhow::Error::new(e).context("failed to write to standard output"),
                ),
            };
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            return ExitCode::from(crate::exit_codes::BAD_INPUT);
        }
        // `admin` alone (UOF_DB or UOF_EDITOR in the environment count as arguments to clap):
        // show the grouped commands rather than a one-line complaint
        ErrorKind::MissingSubcommand if std::env::args_os().len() == 1 => {
            let _ = writeln!(io::stderr().lock(), "{}", crate::cli::command().render_help());
            return ExitCode::from(crate::exit_codes::BAD_INPUT);
        }
        _ => {}
    }
    let text = err.render().to_string();
    let (first, tip, path) = usage_lines(&text);
    let hint = tip
        .or_else(|| usage_of(&path))
        .unwrap_or_else(|| "run `admin --help` to see the commands and options".into());
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "error: {}", error_line(&first));
    let _ = writeln!(stderr, "hint: {}", error_line(&hint));
    ExitCode::from(crate::exit_codes::BAD_INPUT)
}

/// The usage of the (sub)command at `path` (`["set-url"]`), as a hint. Rendered from the command
/// itself: clap's error shows the usage with the options it was given filled in (from UOF_DB, too).
fn usage_of(path: &[String]) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    let mut cmd = crate::cli::command();
    cmd.build();
    let mut sub = &mut cmd;
    for name in path {
        sub = sub.find_subcommand_mut(name)?;
    }
    let usage = sub.render_usage().to_string();
    let usage = usage.trim().strip_prefix("Usage: ")?.to_owned();
    let command = ["admin"].into_iter().chain(path.iter().map(String::as_str)).collect::<Vec<_>>().join(" ");
    Some(format!("usage: {usage} (see `{command} --help`)"))
}

/// Clap's rendered error as one message, clap's own `tip:` if it has one, and the subcommand path
/// from its usage line. A message that ends in `:` is followed by what it is about, on indented
/// lines (`the following required arguments were not provided:` then `  <URL>`): those are joined
/// onto it, so the missing argument keeps its name.
fn usage_lines(text: &str) -> (String, Option<String>, Vec<String>) {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
    let first = lines.get(start).map_or("invalid arguments", |l| l.trim());
    let mut message = first.strip_prefix("error: ").unwrap_or(first).to_owned();
    if message.ends_with(':') {
        let items: Vec<&str> = lines[start + 1..]
            .iter()
            .take_while(|l| l.starts_with(' ') && !l.trim().is_empty())
            .map(|l| l.trim())
            .collect();
        if !items.is_empty() {
            message = format!("{} {}", message, items.join(", "));
        }
    }
    let rest = || lines.iter().skip(start + 1).map(|l| l.trim());
    let tip = rest().find_map(|l| l.strip_prefix("tip: ")).map(str::to_owned);
    let path = rest()
        .find_map(|l| l.strip_prefix("Usage: "))
        .map(|usage| {
            usage
                .split_whitespace()
                .skip(1)
                .take_while(|w| !w.starts_with(['-', '<', '[']))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    (message, tip, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_argument_keeps_its_name() {
        let text = "error: the following required arguments were not provided:\n  <URL>\n\nUsage: admin set-url [OPTIONS] <FORCE> <URL>\n\nFor more information, try '--help'.\n";
        let (message, tip, path) = usage_lines(text);
        assert_eq!(message, "the following required arguments were not provided: <URL>");
        assert_eq!((tip, path.clone()), (None, vec!["set-url".to_owned()]));
        assert_eq!(
            usage_of(&path).unwrap(),
            "usage: admin set-url [OPTIONS] <FORCE> <URL> (see `admin set-url --help`)"
        );
    }
}
