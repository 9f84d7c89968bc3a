//! `admin revert`: undo one change with a new, audited `revert` change that points at it.
//! Refused when a later change touched the same field, and for changes that cannot be undone.
use crate::audit::{Action, Entity};
use crate::db::{changes, notes};
use crate::directory::{self, Actor, Outcome};
use crate::event::Event;
use crate::exit_codes::{bad, bad_hint};
use crate::model::Change;
use crate::state::{force_fields_changed, page_fields_changed, NoteState};
use anyhow::Result;
use rusqlite::Connection;

/// Refuse when a later change to the same entity altered any of `fields`; `altered` says which
/// fields a change altered.
fn check_no_later_conflict(
    later: &[Change],
    target: &Change,
    fields: &[&str],
    altered: impl Fn(&Change) -> Result<Vec<&'static str>>,
) -> Result<()> {
    for change in later {
        if let Some(f) = altered(change)?.into_iter().find(|f| fields.contains(f)) {
            return Err(bad_hint(
                format!(
                    "cannot revert change {}: change {} ({} by {} at {}) changed the {f} since",
                    target.id,
                    change.id,
                    change.action,
                    change.editor,
                    crate::clock::shown(&change.at)
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
    match target.action {
        Action::Publish => {
            return Err(bad_hint(
                format!("change {id} is a publication, which cannot be reverted"),
                "change the directory and publish again",
            ))
        }
        Action::Init if target.entity == Entity::Force => {
            return Err(bad_hint(
                format!("change {id} created the database's seed force, which cannot be reverted"),
                "retire the force with `admin retire-force` instead",
            ))
        }
        Action::Init => {
            return Err(bad_hint(
                format!(
                    "change {id} recorded the page text the database started with, which cannot be reverted"
                ),
                "change the page with `admin page set` instead",
            ))
        }
        Action::AddEditor
        | Action::RetireEditor
        | Action::RestoreEditor
        | Action::SetRole
        | Action::SetKey => {
            return Err(bad_hint(
                format!("change {id} changed the registry of editors, which is not reverted"),
                "make the change you want with `admin editor`",
            ))
        }
        Action::Settings => {
            return Err(bad_hint(
                format!("change {id} changed a setting, which is not reverted"),
                "an admin sets it again with `admin settings`",
            ))
        }
        Action::Approve | Action::Schedule | Action::CancelSchedule => {
            return Err(bad_hint(
                format!(
                    "change {id} {}, which cannot be reverted",
                    match target.action {
                        Action::Approve => "is an approval",
                        Action::Schedule => "scheduled a publication",
                        _ => "cancelled a schedule",
                    }
                ),
                "a later public change voids an approval; `admin publish --cancel-schedule` drops a schedule",
            ))
        }
        Action::Review
        | Action::AddForce
        | Action::RenameForce
        | Action::SetUrl
        | Action::ClearUrl
        | Action::RetireForce
        | Action::RestoreForce
        | Action::AddNote
        | Action::ResolveNote
        | Action::Revert
        | Action::Import
        | Action::SetPage => {}
    }
    match target.entity {
        Entity::Force => revert_force(conn, actor, &target),
        Entity::Note => revert_note(conn, actor, &target),
        Entity::Page => revert_page(conn, actor, &target),
        Entity::Review => revert_review(conn, actor, &target),
        Entity::Publication | Entity::Editor | Entity::Approval | Entity::Schedule | Entity::Setting => {
            Err(bad(format!("change {id} is about a {}, which cannot be reverted", target.entity)))
        }
    }
}

fn force_altered(change: &Change) -> Result<Vec<&'static str>> {
    Ok(match change.event()? {
        Event::Force { before: Some(b), after: a } => force_fields_changed(&b, &a),
        Event::Force { before: None, .. } => vec!["name", "url", "status"],
        _ => Vec::new(),
    })
}

fn revert_force(conn: &Connection, actor: &Actor, target: &Change) -> Result<Outcome> {
    let slug = target.force.as_deref().unwrap_or_default();
    let Event::Force { before: Some(before), after } = target.event()? else {
        return Err(bad_hint(
            format!("change {} added the force `{slug}`; forces are never deleted", target.id),
            format!("retire it instead: admin retire-force {slug}"),
        ));
    };
    let fields = force_fields_changed(&before, &after);
    let later = changes::later_for_entity(conn, target)?;
    check_no_later_conflict(&later, target, &fields, force_altered)?;
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

fn note_of(change: &Change) -> Result<Option<NoteState>> {
    Ok(match change.event()? {
        Event::Note { after, .. } => Some(after),
        _ => None,
    })
}

fn revert_note(conn: &Connection, actor: &Actor, target: &Change) -> Result<Outcome> {
    let note_id = note_of(target)?.map_or(0, |n| n.id);
    let Event::Note { before: Some(before), .. } = target.event()? else {
        return Err(bad_hint(
            format!("change {} added note {note_id}; notes are never deleted", target.id),
            format!("resolve it instead: admin note resolve {note_id}"),
        ));
    };
    let mut later = Vec::new();
    for change in changes::later_for_entity(conn, target)? {
        if note_of(&change)?.map(|n| n.id) == Some(note_id) {
            later.push(change);
        }
    }
    let status_altered = |c: &Change| -> Result<Vec<&'static str>> {
        Ok(match c.event()? {
            Event::Note { before: Some(b), after: a } if b.status != a.status => vec!["status"],
            _ => Vec::new(),
        })
    };
    check_no_later_conflict(&later, target, &["status"], status_altered)?;
    let current =
        notes::get(conn, note_id)?.ok_or_else(|| bad(format!("note {note_id} no longer exists")))?;
    let status = before.status;
    if current.status == status {
        return Ok(Outcome::Unchanged(format!("nothing to change: note {note_id} is already like that")));
    }
    let after = crate::model::Note { status, ..current.clone() };
    let mut change = actor.change(
        Action::Revert,
        Event::Note { before: Some(directory::note_state(&current)), after: directory::note_state(&after) },
    );
    change.reverts = Some(target.id);
    Ok(Outcome::Changed(Box::new(crate::gate::append(conn, change)?)))
}

/// Withdraw a review recorded by mistake: the `revert` change (the review as `before`, nothing
/// `after`) names the review's change, which is the review's identity; the projection removes
/// that row and `apply` that review.
fn revert_review(conn: &Connection, actor: &Actor, target: &Change) -> Result<Outcome> {
    let id = target.id;
    let Event::Review(review) = target.event()? else {
        return Err(bad_hint(
            format!("change {id} withdrew a review; a withdrawn review is not brought back by a revert"),
            "record the review again with `admin review FORCE`",
        ));
    };
    if let Some(by) = changes::reverted_by(conn, id)? {
        return Ok(Outcome::Unchanged(format!(
            "nothing to change: the review in change {id} was already withdrawn by change {by}"
        )));
    }
    if crate::db::reviews::by_change(conn, id)?.is_none() {
        return Err(crate::exit_codes::failed_hint(
            format!("the review in change {id} is not in the reviews table"),
            "run `admin audit verify` to see how the table differs from the log",
        ));
    }
    let mut change = actor.change(Action::Revert, Event::ReviewWithdrawn(review));
    change.reverts = Some(id);
    Ok(Outcome::Changed(Box::new(crate::gate::append(conn, change)?)))
}

fn page_altered(change: &Change) -> Result<Vec<&'static str>> {
    Ok(match change.event()? {
        Event::Page { before: Some(b), after: a } => page_fields_changed(&b, &a),
        Event::Page { before: None, .. } => {
            vec!["heading", "introduction", "publisher", "contact", "licence", "base URL", "related links"]
        }
        _ => Vec::new(),
    })
}

/// Undo a change to the page's words: the fields it altered go back to what they were.
fn revert_page(conn: &Connection, actor: &Actor, target: &Change) -> Result<Outcome> {
    let Event::Page { before: Some(before), after } = target.event()? else {
        return Err(bad(format!(
            "change {} recorded the page text as it was; there is nothing before it to go back to",
            target.id
        )));
    };
    let fields = page_fields_changed(&before, &after);
    let later = changes::later_for_entity(conn, target)?;
    check_no_later_conflict(&later, target, &fields, page_altered)?;
    let current = crate::db::page::read(conn)?.unwrap_or_default();
    let mut restored = current.clone();
    for f in &fields {
        match *f {
            "heading" => restored.heading.clone_from(&before.heading),
            "introduction" => restored.intro.clone_from(&before.intro),
            "publisher" => restored.publisher.clone_from(&before.publisher),
            "contact" => restored.contact.clone_from(&before.contact),
            "licence" => restored.licence.clone_from(&before.licence),
            "base URL" => restored.base_url.clone_from(&before.base_url),
            _ => restored.links.clone_from(&before.links),
        }
    }
    directory::set_page_reverting(conn, actor, Action::Revert, restored, Some(target.id))
}
