//! `admin note add|resolve|list`: review notes.
use std::process::ExitCode;

use std::io::Read;

use anyhow::Result;
use serde_json::json;

use super::report;
use crate::cli::{NoteAddArgs, NoteListArgs, NoteResolveArgs};
use crate::db::notes::{self, Scope};
use crate::exit_codes::bad;
use crate::gate::Audited;
use crate::model::NoteStatus;
use crate::output::{self, or_dash};
use crate::{directory, Ctx};

/// The most read from standard input for a note: far more than a note may hold, so an
/// over-long note is refused by length rather than cut.
const MAX_STDIN_BYTES: u64 = 1024 * 1024;

fn note_text(arg: &str) -> Result<String> {
    if arg != "-" {
        return Ok(arg.to_owned());
    }
    let mut bytes = Vec::new();
    std::io::stdin().take(MAX_STDIN_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_STDIN_BYTES {
        return Err(bad(format!("the note on standard input is over {MAX_STDIN_BYTES} bytes; a note holds at most 5,000 characters")));
    }
    String::from_utf8(bytes).map_err(|_| bad("the note on standard input is not valid UTF-8"))
}

pub fn add(ctx: &Ctx, args: NoteAddArgs) -> Result<ExitCode> {
    let text = note_text(&args.text)?;
    let message = args.message.message.as_deref();
    let add = |tx: &rusqlite::Transaction, actor: &crate::gate::Actor, force: Option<&str>| {
        directory::add_note(tx, actor, force, &text, args.public)
    };
    let (note, change) = match args.force.as_deref() {
        Some(arg) => {
            super::force::edit_force(ctx, message, arg, |tx, actor, slug| add(tx, actor, Some(slug)))?
        }
        None => ctx.open()?.write_as(&ctx.actor(message)?, |tx, actor| add(tx, actor, None))?,
    };
    let about = note.force.as_deref().map_or("the page".to_owned(), str::to_owned);
    let kind = if note.public { "public note" } else { "internal note" };
    output::line(format!("added {kind} {} on {about} (change {})", note.id, change.id))?;
    Ok(ExitCode::SUCCESS)
}

pub fn resolve(ctx: &Ctx, args: NoteResolveArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = ctx.open()?;
    let outcome = db.write_as(&actor, |tx, actor| directory::resolve_note(tx, actor, args.id))?;
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
                crate::clock::shown(&n.at),
                n.text.clone(),
            ]
        })
        .collect();
    output::table(&["ID", "FORCE", "KIND", "STATUS", "EDITOR", "AT", "TEXT"], &rows)?;
    Ok(ExitCode::SUCCESS)
}
