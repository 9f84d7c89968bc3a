//! `admin revert`: undo one change with a new, audited `revert` change that points at it.
//! Refused when a later change touched the same field, and for changes that cannot be undone.
use anyhow::Result;
use rusqlite::Connection;
use serde_json::Value;

use crate::audit::{Action, Entity};
use crate::db::{changes, notes};
use crate::directory::{self, Actor, Outcome};
use crate::exit_codes::{bad, bad_hint};
use crate::model::{Change, Force, NoteStatus};

const FORCE_FIELDS: [&str; 3] = ["name", "url", "status"];

fn field<'a>(state: &'a Option<Value>, key: &str) -> Option<&'a Value> {
    state.as_ref().and_then(|s| s.get(key))
}

/// The fields a change altered.
fn altered<'a>(change: &Change, fields: &[&'a str]) -> Vec<&'a str> {
    fields.iter().copied().filter(|f| field(&change.before, f) != field(&change.after, f)).collect()
}

/// Refuse when a later change to the same entity altered any of `fields`.
fn check_no_later_conflict(later: &[Change], target: &Change, fields: &[&str]) -> Result<()> {
    for change in later {
        if let Some(f) = altered(change, fields).first() {
            return Err(bad_hint(
                format!(
                    "cannot revert change {}: change {} ({} by {} at {}) changed the {f} since",
                    target.id, change.id, change.action, change.editor, change.at
                ),
                format!("revert change {} first, or make the change you want directly", change.id),
            ));
        }
    }
    Ok(())
}

pub fn revert(conn: &Connection, actor: &Actor, id: i64) -> Result<Outcome> {
    let target = changes::get(conn, id)?
        .ok_or_else(|| bad_hint(format!("no change with id {id}"), "see `admin history` for change ids"))?;
    match target.action.as_str() {
        "publish" => {
            return Err(bad_hint(
                format!("change {id} is a publication, which cannot be reverted"),
                "change the directory and publish again",
            ))
        }
        "init" => {
            return Err(bad_hint(
                format!("change {id} created the database's seed force, which cannot be reverted"),
                "retire the force with `admin retire-force` instead",
            ))
        }
        "review" => return Err(bad(format!("change {id} records a review, which cannot be reverted"))),
        _ => {}
    }
    match target.entity.as_str() {
        "force" => revert_force(conn, actor, &target),
        "note" => revert_note(conn, actor, &target),
        other => Err(bad(format!("change {id} is about a {other}, which cannot be reverted"))),
    }
}

fn revert_force(conn: &Connection, actor: &Actor, target: &Change) -> Result<Outcome> {
    let slug = target.force.as_deref().unwrap_or_default();
    if target.before.is_none() {
        return Err(bad_hint(
            format!("change {} added the force `{slug}`; forces are never deleted", target.id),
            format!("retire it instead: admin retire-force {slug}"),
        ));
    }
    let fields = altered(target, &FORCE_FIELDS);
    let later = changes::later_for_entity(conn, target)?;
    check_no_later_conflict(&later, target, &fields)?;
    let before: Force = serde_json::from_value(target.before.clone().unwrap_or_default())?;
    let current = directory::resolve(conn, slug)?;
    let mut restored = current.clone();
    for f in &fields {
        match *f {
            "name" => restored.name.clone_from(&before.name),
            "url" => restored.url.clone_from(&before.url),
            _ => restored.status = before.status,
        }
    }
    directory::apply_reverting(conn, actor, Action::Revert, &current, &restored, Some(target.id))
}

fn revert_note(conn: &Connection, actor: &Actor, target: &Change) -> Result<Outcome> {
    let note_id = field(&target.after, "id").and_then(Value::as_i64).unwrap_or_default();
    if target.before.is_none() {
        return Err(bad_hint(
            format!("change {} added note {note_id}; notes are never deleted", target.id),
            format!("resolve it instead: admin note resolve {note_id}"),
        ));
    }
    let later: Vec<Change> = changes::later_for_entity(conn, target)?
        .into_iter()
        .filter(|c| field(&c.after, "id").and_then(Value::as_i64) == Some(note_id))
        .collect();
    check_no_later_conflict(&later, target, &["status"])?;
    let current =
        notes::get(conn, note_id)?.ok_or_else(|| bad(format!("note {note_id} no longer exists")))?;
    let status = match field(&target.before, "status").and_then(Value::as_str) {
        Some("resolved") => NoteStatus::Resolved,
        _ => NoteStatus::Open,
    };
    if current.status == status {
        return Ok(Outcome::Unchanged(format!("nothing to change: note {note_id} is already like that")));
    }
    let (by, at) = match status {
        NoteStatus::Resolved => (Some(actor.editor.as_str()), Some(actor.at.as_str())),
        NoteStatus::Open => (None, None),
    };
    notes::set_status(conn, note_id, status, by, at)?;
    let after = crate::model::Note { status, ..current.clone() };
    let mut change = actor.change(
        Action::Revert,
        Entity::Note,
        current.force.as_deref(),
        Some(directory::note_state(&current)),
        Some(directory::note_state(&after)),
    );
    change.reverts = Some(target.id);
    Ok(Outcome::Changed(Box::new(changes::append(conn, change)?)))
}
