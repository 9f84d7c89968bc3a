//! Arguments of the commands that publish and check: the audit log and publications.
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::Json;

#[derive(Debug, Subcommand)]
#[command(defer = true)]
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
    /// Check a published site with no database: its files, signatures, chain of records and
    /// history; exit 1 naming the first thing wrong
    #[command(
        after_help = "Checks every file against the newest record in publications.json, each record's signature\nagainst the site's allowed_signers at the record's time, that each record names the sha256 of\nthe one before, and that history.json rebuilds each publication's directory. With --since, also\nthat the site keeps every record of an older copy unchanged. docs/checking-the-site.md does the\nsame with sha256sum, ssh-keygen and python3.\n\nExamples:\n  admin audit verify-site publish\n  admin audit verify-site https://example.gov.uk/use-of-force/ --since copy-of-last-month"
    )]
    VerifySite(AuditVerifySiteArgs),
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
pub struct AuditVerifySiteArgs {
    /// The site: a directory, or its http(s) address
    #[arg(value_name = "DIR|URL")]
    pub site: String,
    /// An older copy of the site (a directory) that it must extend
    #[arg(long, value_name = "OLDER_DIR")]
    pub since: Option<String>,
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
    /// Where to write the site [default: the site's home, which `admin settings` shows: where the
    /// first publication went, else publish/ beside the database; with --scheduled, where the
    /// schedule was made for]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
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
    /// Schedule the pending (approved) content to go live at TIME (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS], London time unless it ends in Z or an offset)
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
