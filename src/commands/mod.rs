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
mod listed;
mod note;
mod page;
mod publications;
mod publish;
mod restore;
mod revert;
mod review;
mod serve;
mod settings;
mod shell;
mod show;
mod status;
mod transfer;

pub fn run(ctx: &Ctx, command: Command) -> Result<ExitCode> {
    if ctx.editor_given {
        if let Some(name) = reads_only(&command) {
            output::warning(format!(
                "--editor says who is making a change, and `admin {name}` makes none: it was ignored; to see an editor's changes, use `admin history --by NAME`"
            ));
        }
    }
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
        Command::Audit(AuditCommand::VerifySite(args)) => audit::verify_site(args),
        Command::Audit(AuditCommand::Canonical(args)) => audit::canonical(ctx, args),
        Command::Approve(args) => editor::approve(ctx, args),
        Command::Editor(EditorCommand::Add(args)) => editor::add(ctx, args),
        Command::Editor(EditorCommand::List(args)) => editor::list(ctx, args),
        Command::Editor(EditorCommand::Retire(args)) => editor::retire(ctx, args),
        Command::Editor(EditorCommand::Restore(args)) => editor::restore(ctx, args),
        Command::Editor(EditorCommand::SetRole(args)) => editor::set_role(ctx, args),
        Command::Editor(EditorCommand::SetKey(args)) => editor::set_key(ctx, args),
        Command::Editor(EditorCommand::AllowedSigners) => editor::allowed_signers(ctx),
        Command::CheckLinks(args) => check_links::run(ctx, args),
        Command::Publish(args) => publish::run(ctx, args),
        Command::Publications(args) => publications::run(ctx, args),
        Command::Revert(args) => revert::run(ctx, args),
        Command::Status(args) => status::run(ctx, args),
        Command::Settings(args) => settings::run(ctx, args),
        Command::Serve(args) => serve::run(ctx, args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
        Command::CompleteForces => shell::complete_forces(ctx),
        Command::Export(args) => transfer::export(ctx, args),
        Command::Import(args) => transfer::import(ctx, args),
        Command::Backup(args) => transfer::backup(ctx, args),
        Command::Restore(args) => restore::run(ctx, args),
    }
}

/// The name of a command that only reads (no audited change, so no editor), or `None`.
fn reads_only(command: &Command) -> Option<&'static str> {
    Some(match command {
        Command::List(_) => "list",
        Command::Show(_) => "show",
        Command::Note(NoteCommand::List(_)) => "note list",
        Command::Due(_) => "due",
        Command::History(_) => "history",
        Command::Audit(_) => "audit",
        Command::Publications(_) => "publications",
        Command::Status(_) => "status",
        Command::Export(_) => "export",
        Command::Serve(_) => "serve",
        Command::Settings(crate::cli::SettingsArgs { command: None, .. }) => "settings",
        _ => return None,
    })
}

/// Say what a mutation did: `done` describes the change; an unchanged outcome says why.
fn report(outcome: Outcome, done: impl FnOnce(&Change) -> String) -> Result<ExitCode> {
    match outcome {
        Outcome::Changed(change) => output::line(format!("{} (change {})", done(&change), change.id))?,
        Outcome::Unchanged(reason) => output::line(reason)?,
    }
    Ok(ExitCode::SUCCESS)
}
