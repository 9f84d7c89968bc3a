//! The command line's clap types, and nothing else: commands turn these into calls on the rest
//! of the crate.
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

mod directory;
mod publishing;
mod team;

pub use directory::*;
pub use publishing::*;
pub use team::*;

/// The commands as `admin --help` groups them. Every subcommand is in exactly one group (a test
/// checks), so the list cannot fall out of step with `Command`.
pub const GROUPS: &[(&str, &[&str])] = &[
    (
        "Directory",
        &[
            "init",
            "list",
            "show",
            "add-force",
            "rename-force",
            "set-url",
            "clear-url",
            "retire-force",
            "restore-force",
        ],
    ),
    ("Notes and reviews", &["note", "review", "due"]),
    ("History", &["history", "audit", "revert"]),
    ("Publishing", &["status", "check-links", "page", "approve", "publish", "publications", "serve"]),
    ("Team", &["editor", "settings"]),
    ("Maintenance", &["export", "import", "backup", "restore", "completions", "man"]),
];

/// The clap command with the grouped command list in its help, as the line is parsed with: each
/// command's arguments are defined when it is built (`Command::build`, which completions, manual
/// pages and the usage hints call), or when it is the one the line names.
pub fn command() -> clap::Command {
    let cmd = Cli::command();
    let mut list = String::new();
    for (group, names) in GROUPS {
        list.push_str(&format!("{group}:\n"));
        for name in *names {
            if let Some(sub) = cmd.find_subcommand(name) {
                let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
                list.push_str(&format!("  {name:<14} {about}\n"));
            }
        }
        list.push('\n');
    }
    let template = format!(
        "{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{list}Options:\n{{options}}{{after-help}}"
    );
    cmd.help_template(template)
}

/// Parse the process's arguments. The grouped list of commands is made only for a line that
/// shows help (`-h`, `--help`, `help`, `-hV`, a line with nothing to do): the line is parsed again
/// with it. Making it for every line cost 190,000 instructions, about a sixth of parsing one.
/// (Errors that show the help make it again too: `usage`.)
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::error::ErrorKind;
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let matches = match matches(Cli::command(), &args) {
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) =>
        {
            matches(command(), &args)
        }
        parsed => parsed,
    }?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    cli.global.editor_given = matches.value_source("editor") == Some(clap::parser::ValueSource::CommandLine);
    Ok(cli)
}

fn matches(mut cmd: clap::Command, args: &[std::ffi::OsString]) -> Result<clap::ArgMatches, clap::Error> {
    let matches = cmd.try_get_matches_from_mut(args);
    // the tree of forty commands is left to the process's end: freeing it costs about as much
    // as parsing the line did
    std::mem::forget(cmd);
    matches
}

#[derive(Debug, Parser)]
#[command(
    name = "admin",
    version,
    about = "Keep the Use of Force Data directory true: forces, their data links, review notes, and the public page.",
    long_about = None,
    arg_required_else_help = true,
    after_help = "Every change is recorded in the audit log with who made it, when and why (-m).\nSee `admin COMMAND --help` for each command, with examples."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The SQLite database
    #[arg(long, global = true, env = "UOF_DB", default_value = "uof.db", value_name = "PATH")]
    pub db: PathBuf,

    /// Who is acting (default: the OS user)
    #[arg(long, global = true, env = "UOF_EDITOR", value_name = "NAME")]
    pub editor: Option<String>,

    /// Your signing key (default: ssh-agent)
    #[arg(long, global = true, env = "UOF_SIGNING_KEY", value_name = "FILE")]
    pub signing_key: Option<PathBuf>,

    /// `--editor` was on the command line (not only in UOF_EDITOR): read commands warn that it
    /// changes nothing there
    #[arg(skip)]
    pub editor_given: bool,
}

// `-m/--message`: why, stored on the change. (A plain comment: a doc comment here would be the
// `about` of each command that flattens it, over the command's own, once its arguments are
// defined after it, as `defer` has them.)
#[derive(Debug, Args, Clone, Default)]
pub struct Message {
    /// Why: stored on the change in the audit log
    #[arg(short, long, value_name = "TEXT")]
    pub message: Option<String>,
}

// `--json`: machine output. (A plain comment, as `Message`'s.)
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct Json {
    /// Print one JSON document on stdout instead of the text for people
    #[arg(long)]
    pub json: bool,
}

/// Each command's arguments are defined only when it is the one run (`defer`): a command line
/// builds one of the forty, not all (a set-url spent a third of its parsing on the other 39).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Create the database with the page text and the 45 forces from the seed
    #[command(after_help = "Example:\n  admin --db uof.db init")]
    Init(InitArgs),
    /// Add a force; prints its slug
    #[command(
        after_help = "Example:\n  admin add-force \"Isle of Man Constabulary\" --url https://www.iompolice.im/ -m \"new force\""
    )]
    AddForce(AddForceArgs),
    /// Rename a force (its slug, and so links to it, stay)
    #[command(
        after_help = "Example:\n  admin rename-force kent-police \"Kent Police Service\" -m \"renamed in April\""
    )]
    RenameForce(RenameForceArgs),
    /// Set the URL where a force publishes its use of force data
    #[command(
        after_help = "A URL with characters a URL cannot hold as typed (a space, letters outside ASCII) is stored\npercent-encoded (a space becomes %20), with a warning showing the stored URL; the confirmation\nalways shows what was stored.\n\nExample:\n  admin set-url kent-police https://www.kent.police.uk/use-of-force -m \"found on their site\""
    )]
    SetUrl(SetUrlArgs),
    /// Remove a force's data URL
    #[command(after_help = "Example:\n  admin clear-url kent-police -m \"page withdrawn\"")]
    ClearUrl(ForceArgs),
    /// Hide a force from the published page (its history is kept)
    #[command(after_help = "Example:\n  admin retire-force \"Example Constabulary\" -m \"merged\"")]
    RetireForce(ForceArgs),
    /// Return a retired force to the published page
    #[command(after_help = "Example:\n  admin restore-force example-constabulary")]
    RestoreForce(ForceArgs),
    /// List forces with their URL, link status and open notes
    #[command(
        after_help = "Examples:\n  admin list\n  admin list --all --json\n  admin list --as-of 2026-04-01"
    )]
    List(ListArgs),
    /// Show one force: its fields, link check, notes, reviews and changes
    #[command(after_help = "Example:\n  admin show kent-police")]
    Show(ShowArgs),
    /// Review notes: add, resolve, list
    #[command(subcommand)]
    Note(NoteCommand),
    /// Record that you checked a force's data page today (and how current its data is)
    #[command(
        after_help = "Examples:\n  admin review kent-police -m \"2025/26 data is up\"\n  admin review kent-police --data-to 2025-09 -m \"figures to September\""
    )]
    Review(ReviewArgs),
    /// List active forces never reviewed or not reviewed within N days
    #[command(after_help = "Example:\n  admin due --days 30")]
    Due(DueArgs),
    /// The audit log, newest first
    #[command(
        after_help = "Times are London time (GMT or BST) unless they end in Z or an offset. A date (2026-11-25) in\n--since means the start of that day in London, in --until its end: both include the whole day.\nOn a terminal the table fits its width (FORCE, WHAT and MESSAGE cut with …); piped, nothing\nis cut and WHAT and MESSAGE are not padded.\n\nExamples:\n  admin history --force kent-police\n  admin history --by alice --since 2026-01-01 --json\n  admin history --since 2026-11-25 --until 2026-11-25"
    )]
    History(HistoryArgs),
    /// Audit log integrity
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check every active force's URL: ok, caution or broken, with a suggested fix
    #[command(
        after_help = "Exit status 1 when any link is broken. Results are kept: `admin list` and `admin show` show\nthe newest, and `admin publish` refuses while one is broken.\n\nExamples:\n  admin check-links\n  admin check-links --force kent-police --timeout 30\n  admin check-links --json > links.json\n\nHTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured. Links to loopback, private and link-local\naddresses are refused unless --allow-private."
    )]
    CheckLinks(CheckLinksArgs),
    /// The page's own words: heading, introduction, publisher, contact, licence, links
    #[command(
        subcommand,
        after_help = "Examples:\n  admin page show\n  admin page set publisher \"Home Office\"\n  admin page link add \"Police use of force statistics\" https://www.gov.uk/government/collections/police-use-of-force-statistics"
    )]
    Page(PageCommand),
    /// Render the public site: index.html, forces.json, forces.csv, feed.atom (+ sitemap.xml)
    #[command(
        after_help = "Examples:\n  admin publish -m \"Added links for Kent and Essex.\"\n  admin publish --minor\n  admin publish --dry-run"
    )]
    Publish(PublishArgs),
    /// Approve the pending public content, as a second pair of eyes
    #[command(
        after_help = "Approves exactly what `admin publish --dry-run` would publish now; any later public change\nvoids it. Nobody approves public changes they made.\n\nExample:\n  admin --editor bob approve -m \"checked the four new links\""
    )]
    Approve(ApproveArgs),
    /// The registry of editors: who may change what, and the keys that sign their changes
    #[command(
        subcommand,
        after_help = "Examples:\n  admin editor add alice --role admin\n  admin --editor alice editor add bob --role publisher --key bob.pub\n  admin editor list"
    )]
    Editor(EditorCommand),
    /// Whether publishing needs a second editor's approval, and where the site is published
    #[command(
        after_help = "Without a setting, approval is required from the moment two editors can publish, and stays\nrequired (a publisher leaving does not turn it off); the site goes where the first publication\nwent, or to publish/ beside the database. Only an admin changes a setting, with an audited change.\n\nExamples:\n  admin settings\n  admin settings approval optional -m \"one publisher until March\"\n  admin settings site /srv/www/use-of-force"
    )]
    Settings(SettingsArgs),
    /// Past publications, newest first (or one with --show)
    #[command(after_help = "Examples:\n  admin publications --json\n  admin publications --show 3")]
    Publications(PublicationsArgs),
    /// Undo one change with a new, audited change
    #[command(after_help = "Example:\n  admin revert 52 -m \"wrong force\"")]
    Revert(RevertArgs),
    /// Write the directory (every force) to stdout as JSON or CSV
    #[command(
        after_help = "An export holds the forces only (slug, name, url, status), and says so on a terminal: notes,\nreviews, link checks, publications and the audit log are kept by `admin backup`, and brought\nback by `admin restore`.\n\nExamples:\n  admin export > forces.json\n  admin export --format csv > forces.csv"
    )]
    Export(ExportArgs),
    /// Apply a directory file or spreadsheet as audited changes (add, rename, URLs, retire/restore)
    #[command(
        after_help = "Every problem in the file is named at once, with its line (or row, or record); nothing is\nimported until the file is right.\n\nExamples:\n  admin import forces.csv --dry-run\n  admin import forces.csv -m \"quarterly refresh\"\n  admin import links.xlsx    # columns Force, Link: sets the URLs of the forces it names"
    )]
    Import(ImportArgs),
    /// What needs attention: links, reviews due, open notes, unpublished changes
    #[command(after_help = "Example:\n  admin status")]
    Status(StatusArgs),
    /// Copy the live database to a new file (SQLite online backup)
    #[command(after_help = "Example:\n  admin backup backups/uof-2026-04-01.db")]
    Backup(BackupArgs),
    /// Replace the database with a verified backup, keeping the old one beside it
    #[command(
        after_help = "The backup's audit log must verify; a backup from an older admin is migrated first. The\ndatabase it replaces is kept beside it as uof.db.replaced-TIME, copied under the write lock:\neditors and `admin serve` may keep running, and a write made meanwhile is in one or the other.\n\nExample:\n  admin restore backups/uof-2026-04-01.db"
    )]
    Restore(RestoreArgs),
    /// A live preview of the page on 127.0.0.1, rendered from the database on every request
    #[command(after_help = "Example:\n  admin serve --port 8000 --open")]
    Serve(ServeArgs),
    /// Print shell completions
    #[command(
        after_help = "In bash, zsh and fish, FORCE arguments complete to the slugs in the database (UOF_DB, or a\n--db on the line being completed).\n\nExamples:\n  admin completions bash > /etc/bash_completion.d/admin\n  admin completions zsh > \"${fpath[1]}/_admin\"\n  admin completions fish > ~/.config/fish/completions/admin.fish"
    )]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one per command with --dir
    #[command(
        after_help = "Examples:\n  admin man > /usr/local/share/man/man1/admin.1\n  admin man --dir /usr/local/share/man/man1    # admin.1, admin-set-url.1, admin-note-add.1, …"
    )]
    Man(ManArgs),
    /// The slugs of every force, one a line: what the completion scripts offer for FORCE
    #[command(hide = true)]
    CompleteForces,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        command().debug_assert();
    }

    /// Each command's one-line description is its own: an `Args` struct's doc comment would be
    /// the description of every command that flattens it (they are defined after the command's
    /// own, `defer`), and the same words would describe several commands.
    #[test]
    fn no_two_commands_are_described_alike() {
        fn walk(cmd: &clap::Command, path: &str, seen: &mut std::collections::BTreeMap<String, String>) {
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                let path = format!("{path} {}", sub.get_name());
                let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
                assert!(!about.is_empty(), "`{path}` has no description");
                if let Some(other) = seen.insert(about.clone(), path.clone()) {
                    panic!("`{other}` and `{path}` are both described as {about:?}");
                }
                walk(sub, &path, seen);
            }
        }
        let mut cmd = command();
        cmd.build();
        walk(&cmd, "admin", &mut Default::default());
    }

    #[test]
    fn every_command_is_in_exactly_one_help_group() {
        let cmd = Cli::command();
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let groups = GROUPS.iter().filter(|(_, names)| names.contains(&sub.get_name())).count();
            assert_eq!(groups, 1, "{} is in {groups} help groups", sub.get_name());
        }
        let listed: usize = GROUPS.iter().map(|(_, names)| names.len()).sum();
        let shown = cmd.get_subcommands().filter(|s| !s.is_hide_set()).count();
        assert_eq!(listed, shown, "a help group names a command that does not exist");
    }
}
