//! The commands that edit a force: `add-force`, `rename-force`, `set-url`, `clear-url`,
//! `retire-force`, `restore-force`.
use std::process::ExitCode;

use anyhow::Result;

use super::report;
use crate::audit::Action;
use crate::cli::{AddForceArgs, ForceArgs, RenameForceArgs, SetUrlArgs};
use crate::gate::Audited;
use crate::model::ForceStatus;
use crate::{directory, output, validate, Ctx};

pub fn add(ctx: &Ctx, args: AddForceArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let url = args.url.as_deref().map(|u| validate::force_url(u, args.allow_http)).transpose()?;
    let mut db = ctx.open()?;
    let (force, change) = db.write_as(&actor, |tx, actor| {
        directory::add_force(tx, actor, Action::AddForce, &args.name, args.slug.as_deref(), url)
    })?;
    if let (Some(raw), Some(stored)) = (&args.url, &force.url) {
        warn_if_encoded(raw, stored);
    }
    // stdout stays the slug alone, for scripts; what was stored goes to stderr
    let with_url = force.url.as_deref().map_or(", no URL".to_owned(), |u| format!(", URL {u}"));
    eprintln_quiet(&format!("added {} as `{}`{with_url} (change {})", force.name, force.slug, change.id));
    output::line(&force.slug)?;
    Ok(ExitCode::SUCCESS)
}

/// A confirmation on stderr, where a full or closed stderr is not worth failing over.
fn eprintln_quiet(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{}", output::one_line(text));
}

/// Say so when the URL had to be percent-encoded (a space pasted in) or its host written in
/// ASCII: what is stored, and so published, is not what was typed.
fn warn_if_encoded(raw: &str, stored: &str) {
    if validate::url_was_encoded(raw, stored) {
        output::warning(format!(
            "the URL had characters a URL cannot hold as typed (a space, or letters outside ASCII); it is stored encoded as {stored}: check that it opens"
        ));
    }
}

/// Every edit of one force (rename, set or clear its URL, a note on it, a review) goes through
/// here: the force is found once, the edit made to it by its slug in one audited write, and a
/// retired force warned about, the edit being recorded but not published until it is restored.
/// (`retire-force` and `restore-force` change that status itself, and say so.)
pub(super) fn edit_force<T>(
    ctx: &Ctx,
    message: Option<&str>,
    arg: &str,
    edit: impl FnOnce(&rusqlite::Transaction, &crate::gate::Actor, &str) -> Result<T>,
) -> Result<T> {
    let actor = ctx.actor(message)?;
    let mut db = ctx.open()?;
    let (force, done) = db.write_as(&actor, |tx, actor| {
        let force = directory::resolve(tx, arg)?;
        let done = edit(tx, actor, &force.slug)?;
        Ok((force, done))
    })?;
    warn_if_retired(&force);
    Ok(done)
}

/// Warn when an edit is to a retired force: it is not on the page until restored.
fn warn_if_retired(force: &crate::model::Force) {
    if force.status == ForceStatus::Retired {
        output::warning(format!(
            "{} is retired: this is recorded, but the force is not on the published page until `admin restore-force {}`",
            force.name, force.slug
        ));
    }
}

pub fn rename(ctx: &Ctx, args: RenameForceArgs) -> Result<ExitCode> {
    let outcome = edit_force(ctx, args.message.message.as_deref(), &args.force, |tx, actor, slug| {
        directory::rename(tx, actor, slug, &args.new_name)
    })?;
    report(outcome, |c| {
        let name = match c.event() {
            Ok(crate::event::Event::Force { after, .. }) => format!(" to {}", validate::quoted(&after.name)),
            _ => String::new(),
        };
        format!("renamed {}{name}", c.force.as_deref().unwrap_or_default())
    })
}

pub fn set_url(ctx: &Ctx, args: SetUrlArgs) -> Result<ExitCode> {
    let url = validate::force_url(&args.url, args.allow_http)?;
    let stored = url.clone();
    let outcome = edit_force(ctx, args.message.message.as_deref(), &args.force, |tx, actor, slug| {
        directory::set_url(tx, actor, slug, Some(url))
    })?;
    warn_if_encoded(&args.url, &stored);
    report(outcome, |c| format!("set the URL of {} to {stored}", c.force.as_deref().unwrap_or_default()))
}

pub fn clear_url(ctx: &Ctx, args: ForceArgs) -> Result<ExitCode> {
    let outcome = edit_force(ctx, args.message.message.as_deref(), &args.force, |tx, actor, slug| {
        directory::set_url(tx, actor, slug, None)
    })?;
    report(outcome, |c| format!("removed the URL of {}", c.force.as_deref().unwrap_or_default()))
}

pub fn retire(ctx: &Ctx, args: ForceArgs) -> Result<ExitCode> {
    set_status(ctx, args, ForceStatus::Retired, "retired")
}

pub fn restore(ctx: &Ctx, args: ForceArgs) -> Result<ExitCode> {
    set_status(ctx, args, ForceStatus::Active, "restored")
}

fn set_status(ctx: &Ctx, args: ForceArgs, status: ForceStatus, verb: &str) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = ctx.open()?;
    let outcome = db.write_as(&actor, |tx, actor| directory::set_status(tx, actor, &args.force, status))?;
    report(outcome, |c| format!("{verb} {}", c.force.as_deref().unwrap_or_default()))
}
