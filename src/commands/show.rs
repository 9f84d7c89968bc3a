//! `admin show FORCE [--as-of TIME] [--json]`: one force with its link check, notes, reviews and
//! changes; with `--as-of`, as the audit log says it was then.
use std::process::ExitCode;

use anyhow::Result;
use rusqlite::Connection;
use serde_json::json;

use crate::cli::ShowArgs;
use crate::clock::stamp;
use crate::db::changes::{self, Cutoff, Filter};
use crate::db::{forces, link_checks, notes, reviews};
use crate::describe::describe;
use crate::exit_codes::{bad, bad_hint};
use crate::model::{Change, LinkCheck, ListEntry, Note, NoteStatus, Review};
use crate::output::{self, one_line, or_dash};
use crate::validate::{quoted, time_arg};
use crate::{directory, replay, Ctx};

struct Shown {
    entry: ListEntry<'static>,
    check: Option<LinkCheck>,
    notes: Vec<Note>,
    reviews: Vec<Review>,
    changes: Vec<Change>,
}

fn now(tx: &Connection, arg: &str) -> Result<Shown> {
    let force = directory::resolve(tx, arg)?;
    let entry = forces::entry(tx, &force.slug)?.ok_or_else(|| bad(format!("no force `{}`", force.slug)))?;
    let filter = Filter { force: Some(force.slug.clone()), ..Default::default() };
    Ok(Shown {
        entry,
        check: link_checks::latest(tx, force.id)?,
        notes: notes::list(tx, notes::Scope::Force(force.id), false, false)?,
        reviews: reviews::for_force(tx, force.id)?,
        changes: changes::history(tx, &filter)?,
    })
}

/// The force `arg` names in a past state, as a FORCE argument names one now: by slug or name,
/// by a name that looks alike, then by a short name, a prefix or a word of its name.
fn find_then<'a>(snapshot: &'a crate::state::State, arg: &str) -> Result<Option<&'a crate::model::Force>> {
    if let Some(force) = snapshot.find(arg) {
        return Ok(Some(force));
    }
    let key = crate::validate::look_key(arg);
    let alike: Vec<&crate::model::Force> =
        snapshot.forces.values().filter(|f| crate::validate::look_key(&f.name) == key).collect();
    if let [force] = alike.as_slice() {
        return Ok(Some(force));
    }
    let all: Vec<crate::model::Force> = snapshot.forces.values().cloned().collect();
    Ok(match crate::suggest::forgiving(&all, arg) {
        crate::suggest::Found::One(force) => snapshot.forces.get(&force.slug),
        crate::suggest::Found::Several(forces) => return Err(crate::suggest::ambiguous_force(arg, &forces)),
        crate::suggest::Found::None => None,
    })
}

fn as_of(tx: &Connection, arg: &str, at: &str) -> Result<Shown> {
    let snapshot = crate::log::replay(tx, &Cutoff::At(at.to_owned()))?;
    // a force's slug never changes: the name it has now finds it in the past too
    let found = match find_then(&snapshot, arg)? {
        Some(force) => Some(force),
        None => directory::resolve(tx, arg).ok().and_then(|now| snapshot.forces.get(&now.slug)),
    };
    let Some(force) = found else {
        let hint = match crate::replay::log_starts_after(tx, at)? {
            Some(first) => format!(
                "the audit log starts at {}: nothing was recorded before then",
                crate::clock::shown(&first)
            ),
            None => format!("see `admin list --all --as-of '{}'` for that moment", crate::clock::shown(at)),
        };
        return Err(bad_hint(format!("no force {} at {}", quoted(arg), crate::clock::shown(at)), hint));
    };
    let checks = link_checks::latest_before(tx, at)?;
    let entry = replay::list(&snapshot, true, &checks)
        .into_iter()
        .find(|e| e.slug == force.slug)
        .map(crate::model::ListEntry::into_owned)
        .ok_or_else(|| bad(format!("no force `{}`", force.slug)))?;
    let current = directory::resolve(tx, &force.slug)?;
    // notes as they stood: those written by then, with the status they had then
    let notes = notes::list(tx, notes::Scope::Force(current.id), false, false)?
        .into_iter()
        .filter_map(|mut note| {
            let then = snapshot.notes.get(&note.id)?;
            note.status = then.status;
            if then.status == NoteStatus::Open {
                note.resolved_at = None;
                note.resolved_by = None;
            }
            Some(note)
        })
        .collect();
    // reviews as the log had them then: one withdrawn later by a revert is still shown
    let reviews = snapshot
        .reviews
        .get(&force.slug)
        .into_iter()
        .flatten()
        .rev()
        .map(|r| Review {
            at: r.at.clone(),
            editor: r.editor.clone(),
            message: r.message.clone(),
            data_to: r.data_to.clone(),
        })
        .collect();
    let filter = Filter { force: Some(force.slug.clone()), until: Some(at.to_owned()), ..Default::default() };
    Ok(Shown { entry, check: None, notes, reviews, changes: changes::history(tx, &filter)? })
}

pub fn run(ctx: &Ctx, args: ShowArgs) -> Result<ExitCode> {
    let at = args.as_of.as_deref().map(time_arg).transpose()?.map(stamp);
    let mut db = ctx.open()?;
    let shown = db.read(|tx| match &at {
        Some(at) => as_of(tx, &args.force, at),
        None => now(tx, &args.force),
    })?;
    if args.json.json {
        output::json(&json!({
            "force": shown.entry,
            "link_check": shown.check,
            "notes": shown.notes,
            "reviews": shown.reviews,
            "changes": shown.changes,
            "as_of": at,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    output::line(human(&shown, at.as_deref()).trim_end())?;
    Ok(ExitCode::SUCCESS)
}

fn human(shown: &Shown, at: Option<&str>) -> String {
    use crate::clock::shown as shown_at;
    let entry = &shown.entry;
    let mut text = format!("{} ({})\n", entry.name, entry.slug);
    if let Some(at) = at {
        text.push_str(&format!("  as of:         {}\n", shown_at(at)));
    }
    text.push_str(&format!("  status:        {}\n", entry.status.as_str()));
    text.push_str(&format!("  url:           {}\n", or_dash(entry.url.as_deref())));
    text.push_str(&format!("  link:          {}\n", entry.link_status.as_str()));
    if let Some(check) = &shown.check {
        text.push_str(&format!(
            "  last checked:  {} ({}{})\n",
            shown_at(&check.checked_at),
            check.http_status.map_or("no answer".to_owned(), |c| format!("HTTP {c}")),
            check.problem.as_deref().map(|p| format!(", {}", one_line(p))).unwrap_or_default()
        ));
        if let Some(at) = &check.page.page_changed_at {
            text.push_str(&format!("  page changed:  {}\n", shown_at(at)));
        }
        if let Some(fix) = &check.suggested_fix {
            text.push_str(&format!("  suggested fix: {}\n", one_line(fix)));
        }
    }
    text.push_str(&format!(
        "  last reviewed: {}\n",
        entry.last_reviewed.as_deref().map_or_else(|| "never".to_owned(), shown_at)
    ));
    if let Some(day) = &entry.data_to {
        text.push_str(&format!("  data up to:    {day}\n"));
    }
    text.push_str(&format!("\nNotes ({} open)\n", entry.open_notes));
    for note in &shown.notes {
        text.push_str(&format!(
            "  #{} {} {}{}: {}\n",
            note.id,
            shown_at(&note.at),
            if note.public { "public" } else { "internal" },
            if note.status == NoteStatus::Resolved { ", resolved" } else { "" },
            one_line(&note.text)
        ));
    }
    text.push_str("\nReviews\n");
    for review in &shown.reviews {
        let message = review.message.as_deref().map(|m| format!(": {}", one_line(m))).unwrap_or_default();
        let data_to = review.data_to.as_deref().map(|d| format!(", data up to {d}")).unwrap_or_default();
        text.push_str(&format!("  {} by {}{data_to}{message}\n", shown_at(&review.at), review.editor));
    }
    text.push_str("\nChanges\n");
    for change in &shown.changes {
        let message = change.message.as_deref().map(|m| format!(" — {}", one_line(m))).unwrap_or_default();
        text.push_str(&format!(
            "  #{} {} {} by {}: {}{message}\n",
            change.id,
            shown_at(&change.at),
            change.action,
            change.editor,
            one_line(&describe(change)),
        ));
    }
    text
}
