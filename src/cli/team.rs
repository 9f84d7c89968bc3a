//! Arguments of the commands that run the team and the service: editors, approval, status,
//! the preview server, link checks, completions and manual pages.
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Json, Message};

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
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=128))]
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
#[command(defer = true)]
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
    /// Let a retired editor make changes again, with the role and key they had
    #[command(after_help = "Example:\n  admin editor restore carol -m \"back from leave\"")]
    Restore(EditorNameArgs),
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
    pub role: crate::model::Role,
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
    pub role: crate::model::Role,
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
pub struct SettingsArgs {
    #[command(subcommand)]
    pub command: Option<SettingsCommand>,
    #[command(flatten)]
    pub json: Json,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum SettingsCommand {
    /// Whether publishing needs a second editor's approval
    #[command(after_help = "Example:\n  admin settings approval required -m \"two publishers again\"")]
    Approval(SettingsApprovalArgs),
    /// The directory `admin publish` publishes into when no --out is given
    #[command(after_help = "Example:\n  admin settings site /srv/www/use-of-force")]
    Site(SettingsSiteArgs),
}

#[derive(Debug, Args)]
pub struct SettingsApprovalArgs {
    #[arg(value_enum)]
    pub value: ApprovalSetting,
    #[command(flatten)]
    pub message: Message,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ApprovalSetting {
    /// Every publication needs a second editor's approval (or a recorded reason)
    Required,
    /// A publisher may publish alone
    Optional,
}

#[derive(Debug, Args)]
pub struct SettingsSiteArgs {
    /// The site's directory (made absolute; it need not exist yet)
    pub dir: PathBuf,
    #[command(flatten)]
    pub message: Message,
}
