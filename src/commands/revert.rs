//! `admin revert CHANGE_ID`: undo one change with a new, audited change.
use std::process::ExitCode;

use anyhow::Result;

use super::report;
use crate::cli::RevertArgs;
use crate::gate::Audited;
use crate::{revert, Ctx};

pub fn run(ctx: &Ctx, args: RevertArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = ctx.open()?;
    let outcome = db.write_as(&actor, |tx, actor| revert::revert(tx, actor, args.change_id))?;
    report(outcome, |c| format!("reverted change {} ({})", args.change_id, crate::describe::describe(c)))
}
