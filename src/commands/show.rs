//! `admin show FORCE [--json]`: one force with its link check, notes, reviews and changes.
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use crate::audit::describe;
use crate::cli::ShowArgs;
use crate::db::{changes, forces, link_checks, notes, reviews};
use crate::exit_codes::bad;
use crate::output::{self, one_line, or_dash};
use crate::{directory, Ctx};

pub fn run(ctx: &Ctx, args: ShowArgs) -> Result<ExitCode> {
    let mut db = ctx.open()?;
    let (entry, check, notes, reviews, changes) = db.read(|tx| {
        let force = directory::resolve(tx, &args.force)?;
        let entry = forces::list(tx, true)?
            .into_iter()
            .find(|e| e.slug == force.slug)
            .ok_or_else(|| bad(format!("no force `{}`", force.slug)))?;
        let check = link_checks::latest(tx, force.id)?;
        let notes = notes::list(tx, notes::Scope::Force(force.id), false, false)?;
        let reviews = reviews::for_force(tx, force.id)?;
        let filter = changes::Filter { force: Some(force.slug.clone()), ..Default::default() };
        let changes = changes::history(tx, &filter)?;
        Ok((entry, check, notes, reviews, changes))
    })?;
    if args.json.json {
        output::json(&json!({
            "force": entry,
            "link_check": check,
            "notes": notes,
            "reviews": reviews,
            "changes": changes,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!("{} ({})\n", entry.name, entry.slug);
    text.push_str(&format!("  status:        {}\n", entry.status.as_str()));
    text.push_str(&format!("  url:           {}\n", or_dash(entry.url.as_deref())));
    text.push_str(&format!("  link:          {}\n", entry.link_status.as_str()));
    if let Some(check) = &check {
        text.push_str(&format!(
            "  last checked:  {} ({}{})\n",
            check.checked_at,
            check.http_status.map_or("no answer".to_owned(), |c| format!("HTTP {c}")),
            check.problem.as_deref().map(|p| format!(", {p}")).unwrap_or_default()
        ));
        if let Some(fix) = &check.suggested_fix {
            text.push_str(&format!("  suggested fix: {fix}\n"));
        }
    }
    text.push_str(&format!("  last reviewed: {}\n", entry.last_reviewed.as_deref().unwrap_or("never")));
    text.push_str(&format!("\nNotes ({} open)\n", entry.open_notes));
    for note in &notes {
        text.push_str(&format!(
            "  #{} {} {}{}: {}\n",
            note.id,
            note.at,
            if note.public { "public" } else { "internal" },
            if note.status == crate::model::NoteStatus::Resolved { ", resolved" } else { "" },
            one_line(&note.text)
        ));
    }
    text.push_str("\nReviews\n");
    for review in &reviews {
        text.push_str(&format!(
            "  {} by {}{}\n",
            review.at,
            review.editor,
            review.message.as_deref().map(|m| format!(": {}", one_line(m))).unwrap_or_default()
        ));
    }
    text.push_str("\nChanges\n");
    for change in &changes {
        text.push_str(&format!(
            "  #{} {} {} by {}: {}{}\n",
            change.id,
            change.at,
            change.action,
            change.editor,
            one_line(&describe(change)),
            change.message.as_deref().map(|m| format!(" — {}", one_line(m))).unwrap_or_default()
        ));
    }
    output::line(text.trim_end())?;
    Ok(ExitCode::SUCCESS)
}
