//! The command line's clap types, and nothing else: commands turn these into calls on the rest
//! of the crate.
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

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
    ("Team", &["editor"]),
    ("Maintenance", &["export", "import", "backup", "restore", "completions", "man"]),
];

/// The clap command with the grouped command list in its help.
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

/// Parse the process's arguments with the grouped help.
pub fn parse() -> Result<Cli, clap::Error> {
    let matches = command().try_get_matches()?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    cli.global.editor_given = matches.value_source("editor") == Some(clap::parser::ValueSource::CommandLine);
    Ok(cli)
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

/// `-m/--message`: why, stored on the change.
#[derive(Debug, Args, Clone, Default)]
pub struct Message {
    /// Why: stored on the change in the audit log
    #[arg(short, long, value_name = "TEXT")]
    pub message: Option<String>,
}

/// `--json`: machine output.
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct Json {
    /// Print one JSON document on stdout instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
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
        after_help = "A date (2026-11-25) in --since means 00:00:00 UTC that day, in --until 23:59:59 UTC: both\ninclude the whole day. On a terminal the table fits its width (WHAT and MESSAGE cut with …);\npiped, nothing is cut and WHAT and MESSAGE are not padded.\n\nExamples:\n  admin history --force kent-police\n  admin history --by alice --since 2026-01-01 --json\n  admin history --since 2026-11-25 --until 2026-11-25"
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
    /// Apply a JSON or CSV directory file as audited changes (add, rename, URLs, retire/restore)
    #[command(
        after_help = "Examples:\n  admin import forces.csv --dry-run\n  admin import forces.csv -m \"quarterly refresh\"\n  admin import links.csv    # columns name,url: sets the URLs of the forces it names"
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

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write admin.1 and a page for every subcommand (admin-set-url.1, …) into this directory,
    /// creating it if needed, instead of printing admin.1
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Open the preview in a web browser
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct CheckLinksArgs {
    /// Seconds to wait for each answer before trying again
    #[arg(long, value_name = "SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// How many links to check at once (never more than 2 on one host)
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrency: u64,
    /// Check only this force (slug or name)
    #[arg(long, value_name = "FORCE")]
    pub force: Option<String>,
    /// Also connect to loopback, private and link-local addresses (local mirrors, tests)
    #[arg(long)]
    pub allow_private: bool,
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Subcommand)]
pub enum EditorCommand {
    /// Register an editor (the first one must be an admin)
    #[command(
        after_help = "Once one editor is registered, only registered editors can change anything.\n\nExamples:\n  admin editor add alice --role admin\n  admin editor add bob --role publisher --key ~/.ssh/bob_ed25519.pub"
    )]
    Add(EditorAddArgs),
    /// The registered editors
    #[command(after_help = "Example:\n  admin editor list --json")]
    List(EditorListArgs),
    /// Stop an editor from making changes (their history stays)
    #[command(after_help = "Example:\n  admin editor retire carol -m \"left the team\"")]
    Retire(EditorNameArgs),
    /// Change an editor's role
    #[command(after_help = "Example:\n  admin editor set-role carol publisher")]
    SetRole(EditorRoleArgs),
    /// Register a new key for an editor (their older changes stay valid under the old key)
    #[command(after_help = "Example:\n  admin editor set-key bob ~/.ssh/bob_new.pub")]
    SetKey(EditorKeyArgs),
    /// Print an OpenSSH allowed_signers file for `ssh-keygen -Y verify`
    #[command(
        after_help = "Example:\n  admin editor allowed-signers > allowed_signers\n  admin audit canonical 52 | ssh-keygen -Y verify -f allowed_signers -I alice -n uof-admin -s sig"
    )]
    AllowedSigners,
}

#[derive(Debug, Args)]
pub struct EditorAddArgs {
    /// Their name, as they will give it with --editor
    pub name: String,
    /// What they may do
    #[arg(long, value_enum, default_value = "editor")]
    pub role: crate::editors::Role,
    /// Their OpenSSH ed25519 public key (.pub): every change they make must then be signed
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct EditorListArgs {
    /// The registry as it was at TIME, rebuilt from the audit log
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Args)]
pub struct EditorNameArgs {
    pub name: String,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct EditorRoleArgs {
    pub name: String,
    #[arg(value_enum)]
    pub role: crate::editors::Role,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct EditorKeyArgs {
    pub name: String,
    /// The new OpenSSH ed25519 public key (.pub)
    pub file: PathBuf,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct RevertArgs {
    /// The id of the change to undo (see `admin history`)
    pub change_id: i64,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The file format
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A file made by `admin export` (.json or .csv), edited, or a spreadsheet of `name,url`. Each
    /// row needs a slug or a name to say which force it is (without a slug, the name only finds
    /// the force); forces, columns and keys it leaves out are left as they are
    pub file: PathBuf,
    /// Print what would change, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Accept http:// URLs (as `set-url --allow-http` does)
    #[arg(long)]
    pub allow_http: bool,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to write; an existing file is never overwritten. Missing directories above it
    /// are created, mode 0700
    pub dest: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file made by `admin backup`
    pub backup: PathBuf,
    /// Restore a backup of another database (another id) in this one's place
    #[arg(long)]
    pub other_database: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Load the page text only, no forces
    #[arg(long)]
    pub empty: bool,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct AddForceArgs {
    /// The force's name, e.g. "Kent Police"
    pub name: String,
    /// Where the force publishes its use of force data
    #[arg(long)]
    pub url: Option<String>,
    /// The slug (default: made from the name); it never changes
    #[arg(long)]
    pub slug: Option<String>,
    /// Accept an http:// URL
    #[arg(long)]
    pub allow_http: bool,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct RenameForceArgs {
    /// The force: its slug or its name
    pub force: String,
    /// The new name
    pub new_name: String,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct SetUrlArgs {
    /// The force: its slug or its name
    pub force: String,
    /// The absolute https:// URL of the force's use of force data (a space or other character a
    /// URL cannot hold is stored percent-encoded, with a warning)
    pub url: String,
    /// Accept an http:// URL
    #[arg(long)]
    pub allow_http: bool,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct ForceArgs {
    /// The force: its slug or its name
    pub force: String,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Include retired forces
    #[arg(long)]
    pub all: bool,
    /// The directory as it was at this time (RFC 3339 or YYYY-MM-DD), rebuilt from the audit log
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The force: its slug or its name
    pub force: String,
    /// The force as it was at this time (RFC 3339 or YYYY-MM-DD), rebuilt from the audit log
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Subcommand)]
pub enum NoteCommand {
    /// Add a note about a force (or, without --force, the page)
    #[command(
        after_help = "Examples:\n  admin note add --force kent-police \"2019 figures missing\"\n  admin note add --public --force essex-police \"Essex counts each tactic separately.\""
    )]
    Add(NoteAddArgs),
    /// Resolve an open note
    #[command(after_help = "Example:\n  admin note resolve 3 -m \"figures now published\"")]
    Resolve(NoteResolveArgs),
    /// List open notes (all with --all), oldest first
    #[command(after_help = "Example:\n  admin note list --force kent-police --all")]
    List(NoteListArgs),
}

#[derive(Debug, Args)]
pub struct NoteAddArgs {
    /// The force the note is about (default: the page as a whole)
    #[arg(long)]
    pub force: Option<String>,
    /// Show the note on the published page as a caveat
    #[arg(long)]
    pub public: bool,
    /// The note (1–5,000 characters; newlines allowed); `-` reads it from standard input
    pub text: String,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct NoteResolveArgs {
    /// The note's id (see `admin note list`)
    pub id: i64,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct NoteListArgs {
    /// Only notes about this force
    #[arg(long)]
    pub force: Option<String>,
    /// Include resolved notes
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The force: its slug or its name
    pub force: String,
    /// The newest period the force's published data covers: YYYY-MM (the month's last day) or
    /// YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub data_to: Option<String>,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Subcommand)]
pub enum PageCommand {
    /// Show the page's heading, introduction, publisher, contact, licence, base URL and links
    #[command(after_help = "Examples:\n  admin page show\n  admin page show --json --as-of 2026-04-01")]
    Show(PageShowArgs),
    /// Change one of the page's fields (an empty value clears an optional one)
    #[command(
        after_help = "Examples:\n  admin page set publisher \"Home Office\" -m \"GOV.UK style\"\n  admin page set intro --file intro.txt -m \"2026 wording\"\n  admin page set base-url https://www.example.gov.uk/use-of-force/\n  admin page set contact \"\" -m \"no longer listed\""
    )]
    Set(PageSetArgs),
    /// Related links shown on the page: add, remove
    #[command(subcommand)]
    Link(PageLinkCommand),
}

#[derive(Debug, Args)]
pub struct PageShowArgs {
    /// The page as it was at this time (RFC 3339 or YYYY-MM-DD), rebuilt from the audit log
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub json: Json,
}

/// A field of the page that `admin page set` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PageKey {
    /// The page's title (1–200 characters)
    Heading,
    /// The introduction: paragraphs separated by a blank line
    Intro,
    /// Who publishes the page, e.g. Home Office
    Publisher,
    /// How to contact the publisher, e.g. an email address
    Contact,
    /// The licence of the page and its data files
    Licence,
    /// The page's public https address: canonical link, sitemap and absolute feed links
    BaseUrl,
}

#[derive(Debug, Args)]
pub struct PageSetArgs {
    /// The field to change
    #[arg(value_enum)]
    pub key: PageKey,
    /// The new value ("" clears publisher, contact, licence or base-url)
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub value: Option<String>,
    /// Read the value from this file (- for standard input)
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Subcommand)]
pub enum PageLinkCommand {
    /// Add a related link to the page
    #[command(
        after_help = "Example:\n  admin page link add \"Police use of force statistics\" https://www.gov.uk/government/collections/police-use-of-force-statistics"
    )]
    Add(PageLinkAddArgs),
    /// Remove a related link by its title
    #[command(after_help = "Example:\n  admin page link remove \"Police use of force statistics\"")]
    Remove(PageLinkRemoveArgs),
}

#[derive(Debug, Args)]
pub struct PageLinkAddArgs {
    /// The link's text on the page
    pub title: String,
    /// Where it goes: an https:// URL
    pub url: String,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct PageLinkRemoveArgs {
    /// The title of the link to remove (ignoring case)
    pub title: String,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Args)]
pub struct DueArgs {
    /// A review older than this many days is due
    #[arg(long, default_value_t = 92, value_parser = clap::value_parser!(u32).range(0..=36600))]
    pub days: u32,
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only changes to this force (slug or name)
    #[arg(long)]
    pub force: Option<String>,
    /// Only changes by this editor (`--editor` is who is acting, not a filter)
    #[arg(long, value_name = "EDITOR")]
    pub by: Option<String>,
    /// Only changes made by this action, e.g. set-url
    #[arg(long)]
    pub action: Option<String>,
    /// Only changes at or after this time (RFC 3339, or YYYY-MM-DD: from 00:00:00 UTC that day)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only changes at or before this time (RFC 3339, or YYYY-MM-DD: through 23:59:59 UTC that
    /// day, so the whole day is included)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// At most this many changes
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Only changes older than this change id (to page back through a long log)
    #[arg(long, value_name = "ID")]
    pub before_id: Option<i64>,
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print the exact bytes of a change that were hashed (its canonical JSON), or with
    /// --signed the bytes its signature covers
    #[command(
        after_help = "A signature covers the database's id and the previous change's hash before the canonical JSON\n(changes signed before schema 12: the canonical JSON alone); --signed prints exactly what it covers.\n\nExample:\n  admin audit canonical --signed 52 > change-52.signed\n  admin history --json | jq -r '.changes[] | select(.id == 52) | .signature' > change-52.sig\n  ssh-keygen -Y verify -f allowed_signers -I alice -n uof-admin -s change-52.sig < change-52.signed"
    )]
    Canonical(AuditCanonicalArgs),
    /// Check the hash chain, the publications and the live tables against the log; exit 1
    /// naming the first difference
    #[command(
        after_help = "With --against, also check that this database's log still holds the audit head a published\nsite carries (its forces.json): a log rewritten since that publication fails.\n\nExamples:\n  admin audit verify\n  admin audit verify --against publish\n  admin audit verify --against https://example.gov.uk/use-of-force/"
    )]
    Verify(AuditVerifyArgs),
    /// Print the newest change's id and hash: the audit head, to keep somewhere else
    #[command(after_help = "Example:\n  admin audit head --json")]
    Head(AuditHeadArgs),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// A published site (directory), its forces.json, or its https:// address
    #[arg(long, value_name = "PATH|URL")]
    pub against: Option<String>,
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Args)]
pub struct AuditCanonicalArgs {
    /// The change's id
    pub id: i64,
    /// The bytes its signature covers, for `ssh-keygen -Y verify`
    #[arg(long)]
    pub signed: bool,
}

#[derive(Debug, Args)]
pub struct AuditHeadArgs {
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Where to write the site
    #[arg(long, default_value = "publish", value_name = "DIR")]
    pub out: PathBuf,
    /// The change note for the page's history (default: a summary of the public changes)
    #[arg(short, long, value_name = "NOTE")]
    pub message: Option<String>,
    /// A minor publication (typo, fixed link): updates the page, adds no history entry
    #[arg(long)]
    pub minor: bool,
    /// Print the publication it would make, and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Publish even when a force's link is known to be broken
    #[arg(long)]
    pub allow_broken: bool,
    /// Publish without a second editor's approval; -m gives the reason, which is recorded
    #[arg(long)]
    pub without_approval: bool,
    /// Schedule the pending (approved) content to go live at TIME (RFC 3339 or YYYY-MM-DD)
    #[arg(long, value_name = "TIME", conflicts_with_all = ["dry_run", "scheduled", "cancel_schedule"])]
    pub at: Option<String>,
    /// Publish the schedule whose time has come, if any (for a timer); exit 0 when none is due
    #[arg(long, conflicts_with_all = ["message", "minor", "dry_run", "without_approval", "cancel_schedule"])]
    pub scheduled: bool,
    /// Drop the schedule
    #[arg(long, conflicts_with_all = ["message", "minor", "dry_run", "without_approval"])]
    pub cancel_schedule: bool,
    /// Replace a site that was published from another database
    #[arg(long)]
    pub replace_site: bool,
    /// Re-render a past publication into --out, byte-identical to what was published then
    #[arg(long, value_name = "ID", conflicts_with_all = ["message", "minor", "dry_run", "allow_broken", "without_approval", "at", "scheduled", "cancel_schedule"])]
    pub from_publication: Option<i64>,
}

#[derive(Debug, Args)]
pub struct PublicationsArgs {
    /// Show one publication: its note and the changes it covered
    #[arg(long, value_name = "ID")]
    pub show: Option<i64>,
    #[command(flatten)]
    pub json: Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        command().debug_assert();
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
