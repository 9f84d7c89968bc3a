//! Arguments of the commands that edit and read the directory: forces, notes, reviews, the
//! page's words, history and reverts, import and export, backup and restore.
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Json, Message};

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
    /// A file made by `admin export` (.json or .csv), edited; the site's own forces.csv or
    /// forces.json; or a spreadsheet (.xlsx, .ods, or CSV with `,` `;` or tab) of names and links,
    /// headers in any case (Force, Name, URL, Link, Web address, …). Each row needs a slug or a
    /// name to say which force it is (without a slug, the name only finds the force); forces,
    /// columns and keys it leaves out are left as they are. `-` reads the standard input
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
    /// The directory as it was at this time (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS], London time unless it ends in Z or an offset), rebuilt from the audit log
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The force: its slug or its name
    pub force: String,
    /// The force as it was at this time (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS], London time unless it ends in Z or an offset), rebuilt from the audit log
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
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
#[command(defer = true)]
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
    /// The page as it was at this time (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS], London time unless it ends in Z or an offset), rebuilt from the audit log
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
#[command(defer = true)]
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
    /// Only changes at or after this time (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS], London time unless it ends in Z or an offset; a date: from its start)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only changes at or before this time (as --since; a date: through its end, so the whole
    /// day is included)
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
