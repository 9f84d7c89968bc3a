//! `uof-admin`: the audited database behind the UK police Use of Force Data directory, and the
//! public page published from it. `run` takes the parsed command line and does the work.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

pub mod approval;
pub mod audit;
pub mod cli;
pub mod clock;
mod commands;
pub mod completions;
pub mod content;
pub mod db;
pub mod describe;
pub mod directory;
pub mod editors;
pub mod event;
pub mod exit_codes;
pub mod files;
pub mod gate;
pub mod links;
pub mod log;
pub mod model;
pub mod output;
pub mod page;
pub mod projection;
pub mod publish;
pub mod published;
pub mod replay;
pub mod restore;
pub mod revert;
pub mod seed;
pub mod serve;
pub mod settings;
pub mod sign;
pub mod sitecheck;
pub mod state;
pub mod status;
pub mod suggest;
pub mod threads;
pub mod transfer;
pub mod usage;
pub mod validate;
pub mod verify;

use clock::Clock;
use db::Db;
use exit_codes::bad_hint;
use gate::Author;

/// What every command needs: where the database is, who is acting and what time it is.
pub struct Ctx {
    pub db_path: PathBuf,
    editor: Option<String>,
    /// `--editor` was given on the command line (read commands warn that it does nothing there)
    pub editor_given: bool,
    pub clock: Clock,
    signer: Option<sign::Signer>,
}

impl Ctx {
    pub fn new(global: &cli::Global) -> Result<Ctx> {
        let editor = global
            .editor
            .clone()
            .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
            .or_else(|| std::env::var("LOGNAME").ok().filter(|u| !u.is_empty()))
            // no USER or LOGNAME (cron, containers): ask the system who this process runs as
            .or_else(|| whoami::username().ok().filter(|u| !u.is_empty()));
        let signer = sign::Signer::find(global.signing_key.as_deref());
        Ok(Ctx {
            db_path: global.db.clone(),
            editor,
            editor_given: global.editor_given,
            clock: Clock::from_env()?,
            signer,
        })
    }

    /// Open the existing database.
    pub fn open(&self) -> Result<Db> {
        crate::gate::open(&self.db_path)
    }

    /// Who is making a change and why; the gate stamps the time under the write lock. Fails
    /// when no editor can be determined.
    pub fn actor(&self, message: Option<&str>) -> Result<Author> {
        let editor = self.editor.as_deref().ok_or_else(|| {
            bad_hint(
                "no editor: cannot tell who is making this change",
                "pass --editor NAME or set UOF_EDITOR",
            )
        })?;
        Ok(Author {
            editor: validate::new_editor(editor)?,
            message: validate::message(message)?,
            clock: self.clock,
            signer: self.signer.clone(),
        })
    }
}

/// Run one command.
pub fn run(cli: cli::Cli) -> Result<ExitCode> {
    let ctx = Ctx::new(&cli.global)?;
    commands::run(&ctx, cli.command)
}
