//! The commands that edit a force: `add-force`, `rename-force`, `set-url`, `clear-url`,
//! `retire-force`, `restore-force`.
use std::process::ExitCode;

use anyhow::Result;

use super::report;
use crate::audit::Action;
use crate::cli::{AddForceArgs, ForceArgs, RenameForceArgs, SetUrlArgs};
use crate::model::ForceStatus;
use crate::{directory, output, validate, Ctx};

pub fn add(ctx: &Ctx, args: AddForceArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let url = args.url.as_deref().map(|u| validate::force_url(u, args.allow_http)).transpose()?;
    let mut db = ctx.open()?;
    let (force, _) = db.write_as(&actor, |tx, actor| {
        directory::add_force(tx, actor, Action::AddForce, &args.name, args.slug.as_deref(), url)
    })?;
    output::line(&force.slug)?;
    Ok(ExitCode::SUCCESS)
}

pub fn rename(ctx: &Ctx, args: RenameForceArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = ctx.open()?;
    let outcome =
        db.write_as(&actor, |tx, actor| directory::rename(tx, actor, &args.force, &args.new_name))?;
    report(outcome, |c| format!("renamed {}", c.force.as_deref().unwrap_or_default()))
}

pub fn set_url(ctx: &Ctx, args: SetUrlArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let url = validate::force_url(&args.url, args.allow_http)?;
    let mut db = ctx.open()?;
    let outcome = db.write_as(&actor, |tx, actor| directory::set_url(tx, actor, &args.force, Some(url)))?;
    report(outcome, |c| format!("set the URL of {}", c.force.as_deref().unwrap_or_default()))
}

pub fn clear_url(ctx: &Ctx, args: ForceArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = ctx.open()?;
    let outcome = db.write_as(&actor, |tx, actor| directory::set_url(tx, actor, &args.force, None))?;
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
