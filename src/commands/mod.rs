//! One file per subcommand: each turns its arguments into calls on `directory`, `db` and
//! `publish`, and prints the result. No SQL here.
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{AuditCommand, Command, EditorCommand, NoteCommand, PageCommand, PageLinkCommand};
use crate::directory::Outcome;
use crate::model::Change;
use crate::{output, Ctx};

mod audit;
mod check_links;
mod editor;
mod force;
mod history;
mod init;
mod list;
mod note;
mod page;
mod publications;
mod publish;
mod restore;
mod revert;
mod review;
mod serve;
mod show;
mod status;
mod transfer;

pub fn run(ctx: &Ctx, command: Command) -> Result<ExitCode> {
    match command {
        Command::Init(args) => init::run(ctx, args),
        Command::AddForce(args) => force::add(ctx, args),
        Command::RenameForce(args) => force::rename(ctx, args),
        Command::SetUrl(args) => force::set_url(ctx, args),
        Command::ClearUrl(args) => force::clear_url(ctx, args),
        Command::RetireForce(args) => force::retire(ctx, args),
        Command::RestoreForce(args) => force::restore(ctx, args),
        Command::List(args) => list::run(ctx, args),
        Command::Show(args) => show::run(ctx, args),
        Command::Note(NoteCommand::Add(args)) => note::add(ctx, args),
        Command::Note(NoteCommand::Resolve(args)) => note::resolve(ctx, args),
        Command::Note(NoteCommand::List(args)) => note::list(ctx, args),
        Command::Review(args) => review::review(ctx, args),
        Command::Page(PageCommand::Show(args)) => page::show(ctx, args),
        Command::Page(PageCommand::Set(args)) => page::set(ctx, args),
        Command::Page(PageCommand::Link(PageLinkCommand::Add(args))) => page::link_add(ctx, args),
        Command::Page(PageCommand::Link(PageLinkCommand::Remove(args))) => page::link_remove(ctx, args),
        Command::Due(args) => review::due(ctx, args),
        Command::History(args) => history::run(ctx, args),
        Command::Audit(AuditCommand::Verify(args)) => audit::verify(ctx, args),
        Command::Audit(AuditCommand::Head(args)) => audit::head(ctx, args),
        Command::Audit(AuditCommand::Canonical(args)) => audit::canonical(ctx, args),
        Command::Approve(args) => editor::approve(ctx, args),
        Command::Editor(EditorCommand::Add(args)) => editor::add(ctx, args),
        Command::Editor(EditorCommand::List(args)) => editor::list(ctx, args),
        Command::Editor(EditorCommand::Retire(args)) => editor::retire(ctx, args),
        Command::Editor(EditorCommand::SetRole(args)) => editor::set_role(ctx, args),
        Command::Editor(EditorCommand::SetKey(args)) => editor::set_key(ctx, args),
        Command::Editor(EditorCommand::AllowedSigners) => editor::allowed_signers(ctx),
        Command::CheckLinks(args) => check_links::run(ctx, args),
        Command::Publish(args) => publish::run(ctx, args),
        Command::Publications(args) => publications::run(ctx, args),
        Command::Revert(args) => revert::run(ctx, args),
        Command::Status(args) => status::run(ctx, args),
        Command::Serve(args) => serve::run(ctx, args),
        // both are built in memory and written here: clap_complete's `generate` panics when its
        // writer fails, so a full device or a closed pipe is met by `output` instead
        Command::Completions(args) => {
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut crate::cli::command(), "admin", &mut script);
            output::bytes_out(&script)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(crate::cli::command()).render(&mut page)?;
            output::bytes_out(&page)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(args) => transfer::export(ctx, args),
        Command::Import(args) => transfer::import(ctx, args),
        Command::Backup(args) => transfer::backup(ctx, args),
        Command::Restore(args) => restore::run(ctx, args),
    }
}

/// Say what a mutation did: `done` describes the change; an unchanged outcome says why.
fn report(outcome: Outcome, done: impl FnOnce(&Change) -> String) -> Result<ExitCode> {
    match outcome {
        Outcome::Changed(change) => output::line(format!("{} (change {})", done(&change), change.id))?,
        Outcome::Unchanged(reason) => output::line(reason)?,
    }
    Ok(ExitCode::SUCCESS)
}
