//! `admin note add|resolve|list`: review notes.
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use super::report;
use crate::cli::{NoteAddArgs, NoteListArgs, NoteResolveArgs};
use crate::db::notes::{self, Scope};
use crate::model::NoteStatus;
use crate::output::{self, or_dash};
use crate::{directory, Ctx};

pub fn add(ctx: &Ctx, args: NoteAddArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = ctx.open()?;
    let (note, change) =
        db.write(|tx| directory::add_note(tx, &actor, args.force.as_deref(), &args.text, args.public))?;
    let about = note.force.as_deref().map_or("the page".to_owned(), str::to_owned);
    let kind = if note.public { "public note" } else { "internal note" };
    output::line(format!("added {kind} {} on {about} (change {})", note.id, change.id))?;
    Ok(ExitCode::SUCCESS)
}

pub fn resolve(ctx: &Ctx, args: NoteResolveArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = ctx.open()?;
    let outcome = db.write(|tx| directory::resolve_note(tx, &actor, args.id))?;
    report(outcome, |_| format!("resolved note {}", args.id))
}

pub fn list(ctx: &Ctx, args: NoteListArgs) -> Result<ExitCode> {
    let mut db = ctx.open()?;
    let notes = db.read(|tx| {
        let scope = match &args.force {
            Some(f) => Scope::Force(directory::resolve(tx, f)?.id),
            None => Scope::All,
        };
        notes::list(tx, scope, !args.all, false)
    })?;
    if args.json.json {
        output::json(&json!({ "notes": notes }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = notes
        .iter()
        .map(|n| {
            vec![
                n.id.to_string(),
                or_dash(n.force.as_deref()),
                if n.public { "public" } else { "internal" }.to_owned(),
                if n.status == NoteStatus::Open { "open" } else { "resolved" }.to_owned(),
                n.editor.clone(),
                n.at.clone(),
                n.text.clone(),
            ]
        })
        .collect();
    output::table(&["ID", "FORCE", "KIND", "STATUS", "EDITOR", "AT", "TEXT"], &rows)?;
    Ok(ExitCode::SUCCESS)
}
