//! The audited operations on the directory. Each takes the caller's write transaction, checks
//! its input, changes the row and appends exactly one change per entity it alters: both or
//! neither. An operation that would change nothing writes nothing and says so.
use anyhow::Result;
use rusqlite::Connection;

use crate::audit::Action;
use crate::db::{changes, forces};
use crate::event::Event;
use crate::exit_codes::{bad, bad_hint};
use crate::gate;
use crate::model::{Change, Force, ForceStatus};
use crate::state::{NoteState, Page};
use crate::validate::{self, quoted};

pub use crate::gate::Actor;

/// What an operation did.
#[derive(Debug)]
pub enum Outcome {
    Changed(Box<Change>),
    /// Nothing to do; the reason, for the user.
    Unchanged(String),
}

/// Find a force by slug or name (ignoring case), active or retired; a name that reads as one
/// force's name ("Kent P0lice") finds it, unless two forces' names read alike; then by a short
/// name, a unique prefix or a unique word of its name (`suggest::forgiving`). Several matching
/// is exit 2 naming them; none, exit 2 with "did you mean".
pub fn resolve(conn: &Connection, arg: &str) -> Result<Force> {
    if let Some(force) = forces::by_slug(conn, arg)? {
        return Ok(force);
    }
    if let Some(force) = forces::by_slug(conn, &arg.to_lowercase())? {
        return Ok(force);
    }
    if let Some(force) = forces::by_name(conn, arg)? {
        return Ok(force);
    }
    if let [force] = forces::look_alikes(conn, arg)?.as_slice() {
        return Ok(force.clone());
    }
    let all = forces::all(conn)?;
    match crate::suggest::forgiving(&all, arg) {
        crate::suggest::Found::One(force) => Ok(force.clone()),
        crate::suggest::Found::Several(forces) => Err(crate::suggest::ambiguous_force(arg, &forces)),
        crate::suggest::Found::None => Err(crate::suggest::unknown_force(conn, arg)?),
    }
}

/// Refuse a name another force (not `except_id`) already has, ignoring case, spacing and
/// letters that look alike (`validate::look_key`).
fn check_name_free(conn: &Connection, name: &str, except_id: Option<i64>) -> Result<()> {
    const UNIQUE: &str =
        "force names are unique ignoring case, spacing, `&` for `and` and characters that look alike";
    let (other, hint) = match forces::by_name(conn, name)? {
        Some(other) if Some(other.id) != except_id => (other, format!("{UNIQUE}; choose another name")),
        _ => match forces::look_alikes(conn, name)?.into_iter().find(|other| Some(other.id) != except_id) {
            Some(other) => {
                // `&` is read as `and`, which says itself
                let posing: Vec<String> = validate::posing_letters(name, &other.name)
                    .into_iter()
                    .filter(|&c| c != '&')
                    .map(|c| format!("U+{:04X} {}", c as u32, quoted(&c.to_string())))
                    .collect();
                let how = match posing.as_slice() {
                    [] => String::new(),
                    [one] => format!(" ({one} passes for another letter)"),
                    many => format!(" ({} pass for other letters)", many.join(", ")),
                };
                let hint = format!(
                    "{} reads as {}{how}; {UNIQUE}; choose another name",
                    quoted(name),
                    quoted(&other.name)
                );
                (other, hint)
            }
            None => return Ok(()),
        },
    };
    if other.status == ForceStatus::Retired {
        return Err(bad_hint(
            format!("a force named {} already exists ({}), retired", quoted(&other.name), other.slug),
            format!("to bring it back: admin restore-force {}", other.slug),
        ));
    }
    Err(bad_hint(format!("a force named {} already exists ({})", quoted(&other.name), other.slug), hint))
}

/// Add a force. `action` is `add-force`, or `init`/`import` when those add it.
pub fn add_force(
    conn: &Connection,
    actor: &Actor,
    action: Action,
    name: &str,
    slug: Option<&str>,
    url: Option<String>,
) -> Result<(Force, Change)> {
    add_force_with_status(conn, actor, action, name, slug, url, ForceStatus::Active)
}

/// Add a force that may start retired (an import of a retired force): still one change.
pub fn add_force_with_status(
    conn: &Connection,
    actor: &Actor,
    action: Action,
    name: &str,
    slug: Option<&str>,
    url: Option<String>,
    status: ForceStatus,
) -> Result<(Force, Change)> {
    let name = validate::force_name(name)?;
    let slug = match slug {
        Some(slug) => validate::slug(slug)?,
        None => validate::slug_from_name(&name)?,
    };
    // a look-alike of a force is told which force, before its letters are judged
    check_name_free(conn, &name, None)?;
    validate::profile_letters("force name", &name)?;
    if let Some(other) = forces::by_slug(conn, &slug)? {
        return Err(bad_hint(
            format!("the slug `{slug}` is already used by {}", quoted(&other.name)),
            "add it with another slug: `admin add-force NAME --slug SLUG`",
        ));
    }
    let after = Force { id: 0, slug, name, url, status };
    let change =
        gate::append(conn, actor.change(action, Event::Force { before: None, after: after.clone() }))?;
    let force = forces::by_slug(conn, &after.slug)?.unwrap_or(after);
    Ok((force, change))
}

/// Write `after` over `before` (the same force) with one change, or nothing if they are equal.
pub fn apply(
    conn: &Connection,
    actor: &Actor,
    action: Action,
    before: &Force,
    after: &Force,
) -> Result<Outcome> {
    apply_reverting(conn, actor, action, before, after, None)
}

/// `apply`, recording which change this one reverts.
pub fn apply_reverting(
    conn: &Connection,
    actor: &Actor,
    action: Action,
    before: &Force,
    after: &Force,
    reverts: Option<i64>,
) -> Result<Outcome> {
    if before == after {
        return Ok(Outcome::Unchanged(format!("nothing to change: {} is already like that", before.name)));
    }
    if before.name != after.name {
        validate::force_name(&after.name)?;
        check_name_free(conn, &after.name, Some(before.id))?;
        validate::profile_letters("force name", &after.name)?;
    }
    let mut change =
        actor.change(action, Event::Force { before: Some(before.clone()), after: after.clone() });
    change.reverts = reverts;
    Ok(Outcome::Changed(Box::new(gate::append(conn, change)?)))
}

pub fn rename(conn: &Connection, actor: &Actor, arg: &str, new_name: &str) -> Result<Outcome> {
    let before = resolve(conn, arg)?;
    let name = validate::force_name(new_name)?;
    if name == before.name {
        return Ok(Outcome::Unchanged(format!(
            "nothing to change: the force is already named {}",
            quoted(&name)
        )));
    }
    let after = Force { name, ..before.clone() };
    apply(conn, actor, Action::RenameForce, &before, &after)
}

pub fn set_url(conn: &Connection, actor: &Actor, arg: &str, url: Option<String>) -> Result<Outcome> {
    let before = resolve(conn, arg)?;
    if before.url == url {
        let what = match &url {
            Some(_) => format!("nothing to change: {} already has that URL", before.name),
            None => format!("nothing to change: {} has no URL", before.name),
        };
        return Ok(Outcome::Unchanged(what));
    }
    let action = if url.is_some() { Action::SetUrl } else { Action::ClearUrl };
    let after = Force { url, ..before.clone() };
    apply(conn, actor, action, &before, &after)
}

pub fn set_status(conn: &Connection, actor: &Actor, arg: &str, status: ForceStatus) -> Result<Outcome> {
    let before = resolve(conn, arg)?;
    if before.status == status {
        return Ok(Outcome::Unchanged(format!(
            "nothing to change: {} is already {}",
            before.name,
            status.as_str()
        )));
    }
    let action = match status {
        ForceStatus::Active => Action::RestoreForce,
        ForceStatus::Retired => Action::RetireForce,
    };
    let after = Force { status, ..before.clone() };
    apply(conn, actor, action, &before, &after)
}

/// Reject a change id that does not exist.
pub fn change(conn: &Connection, id: i64) -> Result<Change> {
    changes::get(conn, id)?.ok_or_else(|| bad(format!("no change with id {id}")))
}

/// A note's audited state.
pub fn note_state(note: &crate::model::Note) -> NoteState {
    NoteState {
        id: note.id,
        force: note.force.clone(),
        text: note.text.clone(),
        public: note.public,
        status: note.status,
    }
}

/// Add a review note about a force, or about the page when `force` is `None`.
pub fn add_note(
    conn: &Connection,
    actor: &Actor,
    force: Option<&str>,
    text: &str,
    public: bool,
) -> Result<(crate::model::Note, Change)> {
    let text = validate::note_text(text)?;
    let force = force.map(|f| resolve(conn, f)).transpose()?;
    let id = crate::db::notes::next_id(conn)?;
    let after =
        NoteState { id, force: force.map(|f| f.slug), text, public, status: crate::model::NoteStatus::Open };
    let change = gate::append(conn, actor.change(Action::AddNote, Event::Note { before: None, after }))?;
    let note = crate::db::notes::get(conn, id)?.ok_or_else(|| anyhow::anyhow!("note {id} vanished"))?;
    Ok((note, change))
}

/// Resolve an open note.
pub fn resolve_note(conn: &Connection, actor: &Actor, id: i64) -> Result<Outcome> {
    use crate::model::NoteStatus;
    let before = crate::db::notes::get(conn, id)?.ok_or_else(|| {
        bad_hint(format!("no note with id {id}"), "see `admin note list --all` for note ids")
    })?;
    if before.status == NoteStatus::Resolved {
        return Ok(Outcome::Unchanged(format!("nothing to change: note {id} is already resolved")));
    }
    let after = crate::model::Note { status: NoteStatus::Resolved, ..before.clone() };
    let change = gate::append(
        conn,
        actor.change(
            Action::ResolveNote,
            Event::Note { before: Some(note_state(&before)), after: note_state(&after) },
        ),
    )?;
    Ok(Outcome::Changed(Box::new(change)))
}

/// Record that the actor checked a force's data page now, and (`data_to`, YYYY-MM-DD) the
/// newest day the data published there covers.
pub fn review(conn: &Connection, actor: &Actor, arg: &str, data_to: Option<String>) -> Result<Change> {
    let force = resolve(conn, arg)?;
    let review = crate::state::ReviewRecord { force: force.slug, at: actor.at.clone(), data_to };
    gate::append(conn, actor.change(Action::Review, Event::Review(review)))
}

/// Make the page's own words `after`, with one `page` change (`init` when the database is new,
/// `set-page` after), or nothing if they are already so.
pub fn set_page(conn: &Connection, actor: &Actor, action: Action, after: Page) -> Result<Outcome> {
    set_page_reverting(conn, actor, action, after, None)
}

/// `set_page`, recording which change this one reverts.
pub fn set_page_reverting(
    conn: &Connection,
    actor: &Actor,
    action: Action,
    after: Page,
    reverts: Option<i64>,
) -> Result<Outcome> {
    let before = crate::db::page::read(conn)?;
    if before.as_ref() == Some(&after) {
        return Ok(Outcome::Unchanged("nothing to change: the page already says that".to_owned()));
    }
    let mut change = actor.change(action, Event::Page { before, after });
    change.reverts = reverts;
    let change = gate::append(conn, change)?;
    Ok(Outcome::Changed(Box::new(change)))
}
