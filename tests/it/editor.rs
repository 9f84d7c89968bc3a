//! The everyday loop: `status`, the live preview, help, completions, the man page, and tables
//! that are coloured on a terminal only.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use crate::testenv::TestEnv;

#[test]
fn status_names_broken_links_due_reviews_and_unpublished_changes() {
    let env = TestEnv::init();
    // every force reviewed but two
    let slugs: Vec<String> = env.json(&["list", "--json"])["forces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["slug"].as_str().unwrap().to_owned())
        .filter(|s| s != "dorset-police" && s != "gwent-police")
        .collect();
    for slug in &slugs {
        env.ok(&["review", slug]);
    }
    env.ok(&["publish"]);
    // a broken link, recorded as the link checker records it
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/gone"]);
    env.sql()
        .execute(
            "INSERT INTO link_checks (force_id, url, status, http_status, problem, checked_at)
             SELECT id, url, 'broken', 404, 'Page not found (404)', '2025-11-24T16:00:00Z' FROM forces WHERE slug = 'kent-police'",
            [],
        )
        .unwrap();
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    env.ok(&["note", "add", "--force", "essex-police", "internal"]);
    let out = env.ok(&["status"]);
    assert!(out.contains("45 active (2 linked, 43 not yet linked)"), "{out}");
    assert!(out.contains("broken:     Kent Police"), "{out}");
    assert!(out.contains("Reviews due:  2"), "{out}");
    assert!(out.contains("Dorset Police, Gwent Police"), "{out}");
    assert!(out.contains("Unpublished:  3 changes"), "{out}");
    assert!(out.contains("next note:  Added links for Essex Police and Kent Police."), "{out}");
    assert!(out.contains("Published:    publication 1 (major)"), "{out}");
    let json = env.json(&["status", "--json"]);
    assert_eq!(json["broken"][0]["slug"], "kent-police");
    assert_eq!(json["links"]["broken"], 1);
    assert_eq!(json["reviews_due"].as_array().unwrap().len(), 2);
    assert_eq!(json["unpublished_changes"], 3);
    assert_eq!(json["open_notes"], 1);
}

pub(crate) struct Serving(Child, pub(crate) String);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn serve(env: &TestEnv) -> Serving {
    let mut child = env.command().args(["serve", "--port", "0"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.split_whitespace().find(|w| w.starts_with("http://127.0.0.1:")).expect("a URL").to_owned();
    Serving(child, url)
}

pub(crate) fn get(url: &str, path: &str) -> (u16, String) {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let code = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (code, body)
}

#[test]
fn the_preview_shows_unpublished_changes_on_reload_and_writes_nothing() {
    let env = TestEnv::init();
    let server = serve(&env);
    let (code, page) = get(&server.1, "/");
    assert_eq!(code, 200);
    assert!(page.contains("<strong>Preview</strong>"), "banner");
    assert!(page.contains("Kent Police <span class=\"unavailable\">"));
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let (_, page) = get(&server.1, "/index.html");
    assert!(
        page.contains("<a href=\"https://www.kent.police.uk/uof\">Kent Police</a>"),
        "the edit shows on reload"
    );
    let (code, json) = get(&server.1, "/forces.json");
    assert_eq!(code, 200);
    assert!(json.contains("https://www.kent.police.uk/uof"));
    assert_eq!(get(&server.1, "/../uof.db").0, 404);
    assert_eq!(get(&server.1, "/nothing").0, 404);
    drop(server);
    assert!(!env.path("publish").exists(), "serve wrote the site");
    assert_eq!(env.json(&["publications", "--json"])["publications"], serde_json::json!([]));
    // the published page carries no banner
    env.ok(&["publish"]);
    assert!(!std::fs::read_to_string(env.path("publish/index.html")).unwrap().contains("Preview"));
}

#[test]
fn serve_refuses_a_missing_database_and_a_busy_port() {
    let env = TestEnv::empty();
    env.fails(&["serve", "--port", "0"], 2);
    let env = TestEnv::init();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let err = env.fails(&["serve", "--port", &port], 1);
    assert!(err.contains("cannot listen"), "{err}");
}

#[test]
fn help_teaches_every_command_with_a_summary_and_an_example() {
    let env = TestEnv::empty();
    let top = env.run(&[]);
    assert_eq!(top.code, 2);
    for group in ["Directory:", "Notes and reviews:", "History:", "Publishing:", "Maintenance:"] {
        assert!(top.stderr.contains(group), "{group} missing from:\n{}", top.stderr);
    }
    let help = env.ok(&["--help"]);
    let commands: Vec<&str> = help
        .lines()
        .take_while(|l| !l.starts_with("Options:"))
        .filter(|l| l.starts_with("  ") && !l.trim_start().starts_with('-'))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert!(commands.len() >= 24, "{commands:?}");
    for command in commands {
        let help = env.ok(&[command, "--help"]);
        assert!(help.lines().next().is_some_and(|l| !l.is_empty()), "{command}: no summary");
        if !["note", "audit"].contains(&command) {
            assert!(help.contains("Example"), "{command} --help has no example");
        }
    }
    let err = env.fails(&["publsh"], 2);
    assert!(err.contains("publish"), "{err}");
}

#[test]
fn help_however_it_is_asked_for_lists_the_commands_in_their_groups() {
    let env = TestEnv::empty();
    let grouped = env.ok(&["--help"]);
    assert!(grouped.contains("Notes and reviews:") && !grouped.contains("Commands:"), "{grouped}");
    // clap shows the help for `-h` leading a cluster of short flags as well as alone, and for `help`
    for args in [&["-h"][..], &["help"], &["-hV"], &["-hh"], &["-hx"], &["--db", "x.db", "-hV"]] {
        assert_eq!(env.ok(args), grouped, "admin {args:?}");
    }
    // and for a line with nothing to do, when nothing in the environment counts as an argument
    let bare = env.command().env_remove("UOF_DB").env_remove("UOF_EDITOR").arg("--").output().unwrap();
    assert_eq!(bare.status.code(), Some(2));
    let shown = String::from_utf8(bare.stderr).unwrap();
    assert!(shown.contains("Notes and reviews:") && !shown.contains("Commands:"), "{shown}");
}

#[test]
fn completions_and_the_man_page_are_generated_from_the_command_line() {
    let env = TestEnv::empty();
    let bash = env.ok(&["completions", "bash"]);
    assert!(bash.contains("complete") && bash.contains("set-url") && bash.contains("--allow-broken"));
    let zsh = env.ok(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef admin"));
    let fish = env.ok(&["completions", "fish"]);
    for command in ["set-url", "check-links"] {
        let offered = format!("complete -c admin -n \"__fish_admin_needs_command\" -f -a \"{command}\"");
        assert!(fish.contains(&offered), "fish does not offer {command}");
    }
    // `admin help settings <TAB>`: subcommands defined with their command's arguments
    for sub in ["approval", "site"] {
        let offered = format!(
            "complete -c admin -n \"__fish_admin_using_subcommand help; and __fish_seen_subcommand_from settings\" -f -a \"{sub}\""
        );
        assert!(fish.contains(&offered), "fish does not offer `help settings {sub}`");
    }
    let err = env.fails(&["completions", "cmd.exe"], 2);
    assert_eq!(err, "error: invalid value 'cmd.exe' for '<SHELL>'\nhint: run `admin --help` to see the commands and options\n");
    let man = env.ok(&["man"]);
    let head = &man[..200.min(man.len())];
    assert!(man.lines().any(|l| l.starts_with(".TH admin 1 ")), "no title line: {head}");
    assert!(man.contains(".SH NAME\nadmin \\- Keep the Use of Force Data directory true"), "{head}");
    // roff needs the hyphens in a command's name escaped, or they may print as dashes
    assert!(man.contains("admin\\-set\\-url(1)"), "the man page does not list set-url");
}

#[test]
fn tables_are_coloured_on_a_terminal_only() {
    let env = TestEnv::init();
    let piped = env.ok(&["list"]);
    assert!(!piped.contains('\u{1b}'), "colour when piped");
    let forced = env.command().env("CLICOLOR_FORCE", "1").args(["list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&forced.stdout).contains('\u{1b}'), "no colour when forced");
    let no_color =
        env.command().env("CLICOLOR_FORCE", "1").env("NO_COLOR", "1").args(["list"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&no_color.stdout).contains('\u{1b}'), "NO_COLOR ignored");
}
