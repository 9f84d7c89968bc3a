//! Every hint names only flags its command has (SPEC section 16). The test reads every string
//! literal in `src/` that names a flag (`--out`), finds the command that prints it, and asks
//! clap's command tree (`admin::cli::command()`) whether that command has the flag:
//! - a flag written after `admin COMMAND` in the same `…` span (or, unquoted, the same clause)
//!   is that command's;
//! - a global flag (`--db`, `--editor`, `--signing-key`) is every command's;
//! - any other is the command of the file it is in (`src/commands/set_url.rs`), or of the
//!   table below, which says which commands print the hints of the shared modules. A hint in a
//!   file the table does not know fails the test until it is added.
use std::path::{Path, PathBuf};

/// (file, flag, the commands that print it), for hints outside `src/commands/`.
const PRINTED_BY: &[(&str, &str, &[&str])] = &[
    ("src/publish/mod.rs", "--allow-broken", &["publish"]),
    ("src/publish/mod.rs", "--out", &["publish"]),
    ("src/publish/site.rs", "--out", &["publish"]),
    ("src/publish/evidence.rs", "--out", &["publish"]),
    ("src/publish/evidence.rs", "--replace-site", &["publish"]),
    ("src/approval.rs", "--without-approval", &["publish"]),
    ("src/approval.rs", "--allow-broken", &["publish"]),
    ("src/validate/mod.rs", "--allow-http", &["add-force", "set-url", "import"]),
    ("src/validate/time.rs", "--data-to", &["review"]),
    ("src/suggest.rs", "--by", &["history"]),
    // a link check's finding, shown by check-links, which is where it can be acted on
    ("src/links/classify.rs", "--allow-private", &["check-links"]),
];

/// The files whose strings are not hints: clap's own texts, the shell completion scripts, and
/// clap's usage line, which it writes itself.
const NOT_HINTS: &[&str] = &["src/cli/", "src/completions.rs", "src/usage.rs"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literals of Rust source, comments and tests left out.
fn literals(source: &str) -> Vec<String> {
    let source = source.split("#[cfg(test)]").next().unwrap_or_default();
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\'' => {
                // a char literal ('"', '\'') or a lifetime
                if chars.get(i + 1) == Some(&'\\') {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 2;
                }
                i += 1;
            }
            'r' if chars.get(i + 1) == Some(&'#')
                || (chars.get(i + 1) == Some(&'"') && i > 0 && !chars[i - 1].is_alphanumeric()) =>
            {
                let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
                if chars.get(i + 1 + hashes) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let start = i + 2 + hashes;
                let end_mark: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                let rest: String = chars[start..].iter().collect();
                let len = rest.find(&end_mark).unwrap_or(rest.len());
                out.push(rest[..len].to_owned());
                i = start + rest[..len].chars().count() + end_mark.chars().count();
            }
            '"' => {
                let mut text = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    if let Some(c) = chars.get(i) {
                        text.push(*c);
                    }
                    i += 1;
                }
                out.push(text);
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// The flags a text names, `--help` aside (every command has it).
fn flags(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = text[at..].find("--") {
        let start = at + found;
        let before_ok = start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'-');
        let name: String = text[start + 2..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
            .collect();
        let name = name.trim_end_matches('-').to_owned();
        if before_ok && name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && name != "help" {
            out.push((start, format!("--{name}")));
        }
        at = start + 2 + name.len();
    }
    out
}

fn has_flag(cmd: &clap::Command, flag: &str) -> bool {
    let long = flag.trim_start_matches("--");
    cmd.get_arguments().any(|a| a.get_long() == Some(long))
}

fn find<'a>(root: &'a clap::Command, path: &[&str]) -> Option<&'a clap::Command> {
    path.iter().try_fold(root, |cmd, name| cmd.find_subcommand(name))
}

/// The command a mention `admin …` at `at` in `text` names, and where the span it governs ends:
/// the closing backtick when it is quoted, else the end of the clause.
fn mention(root: &clap::Command, text: &str, at: usize) -> Option<(Vec<String>, usize)> {
    let quoted = text[..at].matches('`').count() % 2 == 1;
    let after = &text[at + "admin".len()..];
    let span_len = if quoted {
        after.find('`').unwrap_or(after.len())
    } else {
        after.find([',', ';', ')', '(']).unwrap_or(after.len())
    };
    let span = &after[..span_len];
    let mut path: Vec<String> = Vec::new();
    let mut tokens = span.split_whitespace().peekable();
    while let Some(token) = tokens.next() {
        if let Some(flag) = token.strip_prefix("--") {
            let global = root.get_arguments().any(|a| a.get_long() == Some(flag) && a.is_global_set());
            if global && path.is_empty() {
                if !token.contains('=') {
                    tokens.next();
                }
                continue;
            }
            break;
        }
        let mut next: Vec<&str> = path.iter().map(String::as_str).collect();
        next.push(token);
        if find(root, &next).is_some() {
            path.push(token.to_owned());
        } else {
            break;
        }
    }
    (!path.is_empty()).then(|| (path, at + "admin".len() + span_len))
}

#[test]
fn every_hint_names_only_flags_its_command_has() {
    // each command's arguments are defined when it is built (`defer`): build the whole tree
    let mut root = admin::cli::command();
    root.build();
    let global = |flag: &str| {
        let long = flag.trim_start_matches("--");
        root.get_arguments().any(|a| a.get_long() == Some(long) && a.is_global_set())
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&repo.join("src"), &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in files {
        let rel = file.strip_prefix(repo).unwrap().to_string_lossy().replace('\\', "/");
        if NOT_HINTS.iter().any(|skip| rel.starts_with(skip)) {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for text in literals(&source) {
            let found = flags(&text);
            if found.is_empty() {
                continue;
            }
            // the spans of `admin COMMAND …` mentions
            let mentions: Vec<(Vec<String>, usize, usize)> = text
                .match_indices("admin ")
                .filter(|(at, _)| *at == 0 || !text.as_bytes()[at - 1].is_ascii_alphanumeric())
                .filter_map(|(at, _)| mention(&root, &text, at).map(|(path, end)| (path, at, end)))
                .collect();
            for (at, flag) in found {
                checked += 1;
                if let Some((path, ..)) = mentions.iter().find(|(_, start, end)| *start < at && at < *end) {
                    let names: Vec<&str> = path.iter().map(String::as_str).collect();
                    let cmd = find(&root, &names).unwrap();
                    if !has_flag(cmd, &flag) && !global(&flag) {
                        problems.push(format!("{rel}: `admin {}` has no {flag}: {text:?}", names.join(" ")));
                    }
                    continue;
                }
                if global(&flag) {
                    continue;
                }
                let commands: Vec<String> = match rel.strip_prefix("src/commands/") {
                    Some(name) if name != "mod.rs" => {
                        vec![name.trim_end_matches(".rs").replace('_', "-")]
                    }
                    _ => match PRINTED_BY.iter().find(|(f, fl, _)| *f == rel && *fl == flag) {
                        Some((_, _, commands)) => commands.iter().map(|c| c.to_string()).collect(),
                        None => {
                            problems.push(format!(
                                "{rel}: a hint names {flag}, and this test does not know which commands print it (add it to PRINTED_BY): {text:?}"
                            ));
                            continue;
                        }
                    },
                };
                for command in commands {
                    let names: Vec<&str> = command.split(' ').collect();
                    // `commands/force.rs` holds several commands: any of them having it is enough
                    let cmd = find(&root, &names);
                    let any_of_file = cmd.is_none()
                        && root.get_subcommands().any(|c| {
                            has_flag(c, &flag) && source.contains(&format!("{}Args", pascal(c.get_name())))
                        });
                    match cmd {
                        Some(cmd) if has_flag(cmd, &flag) => {}
                        None if any_of_file => {}
                        _ => problems.push(format!("{rel}: `admin {command}` has no {flag}: {text:?}")),
                    }
                }
            }
        }
    }
    assert!(checked > 40, "only {checked} flags found in hints: is the reading of the source broken?");
    assert!(problems.is_empty(), "hints naming flags their command lacks:\n{}", problems.join("\n"));
}

fn pascal(name: &str) -> String {
    name.split('-').map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

/// The one known before this test: `page set base-url http://…` said "pass --allow-http",
/// which `page set` does not have.
#[test]
fn an_http_page_address_is_refused_without_naming_a_flag_page_lacks() {
    let env = crate::testenv::TestEnv::init();
    let err = env.fails(&["page", "set", "base-url", "http://example.org/"], 2);
    assert!(err.contains("is not https"), "{err}");
    assert!(!err.contains("--allow-http"), "{err}");
    let err = env.fails(&["page", "link", "add", "Guide", "http://example.org/"], 2);
    assert!(!err.contains("--allow-http"), "{err}");
    // set-url has the flag, and its hint still names it
    let err = env.fails(&["set-url", "kent-police", "http://example.org/"], 2);
    assert!(err.contains("--allow-http"), "{err}");
}

/// A slug clash met by `import` (which has no --slug) names `add-force --slug`, a command that has.
#[test]
fn a_slug_clash_hint_names_a_command_with_the_flag() {
    let env = crate::testenv::TestEnv::init();
    let err = env.fails(&["add-force", "Kent Constabulary", "--slug", "kent-police"], 2);
    assert!(err.contains("admin add-force NAME --slug SLUG"), "{err}");
}
