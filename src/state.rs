//! The state the audit log describes, as one type: forces, notes, reviews and the page's own
//! words (with room for editors and settings). It is built two ways — by replaying the log
//! (`State::replay`) and by reading the live tables (`State::live`) — and the two must agree:
//! `audit verify` and `publish` compare them with `State::first_difference`.
//!
//! This module is also the only mapping between these types and a change's `before`/`after`
//! JSON (`Record`): every change to an entity carries that entity's whole state, so the newest
//! change at or before a moment is the entity as it was then.
use std::collections::BTreeMap;

use anyhow::{Context, Result};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::audit::Entity;
use crate::db::changes::{self, Cutoff};
use crate::db::{forces, notes, page, reviews};
use crate::model::{Change, Force, ForceStatus, NoteStatus};
use crate::validate::name_key;

/// A note's state as the audit log records it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NoteState {
    pub id: i64,
    pub force: Option<String>,
    pub text: String,
    pub public: bool,
    pub status: NoteStatus,
}

/// One review as the log records it: the change's time, editor and message, and the newest day
/// the force's published data covered (`--data-to`), when the review said.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReviewState {
    pub at: String,
    pub editor: String,
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_to: Option<String>,
}

/// A review change's `after`. `data_to` is left out while unset, so a review recorded before it
/// existed hashes and replays as it always did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReviewRecord {
    pub force: String,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_to: Option<String>,
}

/// A related link shown on the page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PageLink {
    pub title: String,
    pub url: String,
}

/// The page's own words. Optional fields are left out of the JSON while unset, so a page change
/// made before they existed reads the same.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub heading: String,
    /// Paragraphs of plain text.
    pub intro: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<PageLink>,
}

impl Default for Page {
    fn default() -> Page {
        Page {
            heading: "Use of Force Data".to_owned(),
            intro: Vec::new(),
            publisher: None,
            contact: None,
            licence: None,
            base_url: None,
            links: Vec::new(),
        }
    }
}

/// The introduction as stored in the `page` table: paragraphs separated by a blank line.
pub fn intro_paragraphs(intro: &str) -> Vec<String> {
    intro.split("\n\n").filter(|p| !p.trim().is_empty()).map(str::to_owned).collect()
}

/// A force's fields that differ between two versions (its slug never changes).
pub fn force_fields_changed(before: &Force, after: &Force) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if before.name != after.name {
        fields.push("name");
    }
    if before.url != after.url {
        fields.push("url");
    }
    if before.status != after.status {
        fields.push("status");
    }
    fields
}

/// The page's fields that differ between two versions, as people name them.
pub fn page_fields_changed(before: &Page, after: &Page) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if before.heading != after.heading {
        fields.push("heading");
    }
    if before.intro != after.intro {
        fields.push("introduction");
    }
    if before.publisher != after.publisher {
        fields.push("publisher");
    }
    if before.contact != after.contact {
        fields.push("contact");
    }
    if before.licence != after.licence {
        fields.push("licence");
    }
    if before.base_url != after.base_url {
        fields.push("base URL");
    }
    if before.links != after.links {
        fields.push("related links");
    }
    fields
}

/// What changed on the page, for `history`: short values are shown before and after.
pub fn page_changes(before: &Page, after: &Page) -> Vec<String> {
    let text = |value: Option<&str>| value.map_or("nothing".to_owned(), |v| format!("{v:?}"));
    page_fields_changed(before, after)
        .into_iter()
        .map(|field| match field {
            "heading" => format!("heading {} to {}", text(Some(&before.heading)), text(Some(&after.heading))),
            "publisher" => format!(
                "publisher {} to {}",
                text(before.publisher.as_deref()),
                text(after.publisher.as_deref())
            ),
            "contact" => {
                format!("contact {} to {}", text(before.contact.as_deref()), text(after.contact.as_deref()))
            }
            "licence" => {
                format!("licence {} to {}", text(before.licence.as_deref()), text(after.licence.as_deref()))
            }
            "base URL" => format!(
                "base URL {} to {}",
                text(before.base_url.as_deref()),
                text(after.base_url.as_deref())
            ),
            "introduction" => {
                format!("introduction changed ({} to {} paragraphs)", before.intro.len(), after.intro.len())
            }
            "related links" => {
                let titles = |links: &[PageLink], others: &[PageLink]| -> Vec<String> {
                    links.iter().filter(|l| !others.contains(l)).map(|l| format!("{:?}", l.title)).collect()
                };
                let (added, removed) =
                    (titles(&after.links, &before.links), titles(&before.links, &after.links));
                let mut parts = Vec::new();
                if !added.is_empty() {
                    parts.push(format!("related link {} added", added.join(", ")));
                }
                if !removed.is_empty() {
                    parts.push(format!("related link {} removed", removed.join(", ")));
                }
                if parts.is_empty() {
                    "related links reordered".to_owned()
                } else {
                    parts.join("; ")
                }
            }
            other => format!("{other} changed"),
        })
        .collect()
}

/// The typed `before` or `after` of a change: what the entity was.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Force(Force),
    Note(NoteState),
    Review(ReviewRecord),
    Page(Page),
    Editor(crate::editors::EditorState),
    /// A publication's, an approval's or a schedule's record: what happened, not a state the
    /// tables hold.
    Event(Value),
}

impl Record {
    /// Read one side of a change, as the change's entity says it is shaped.
    pub fn decode(entity: Entity, value: &Value) -> Result<Record> {
        let parsed = match entity {
            Entity::Force => serde_json::from_value(value.clone()).map(Record::Force),
            Entity::Note => serde_json::from_value(value.clone()).map(Record::Note),
            Entity::Review => serde_json::from_value(value.clone()).map(Record::Review),
            Entity::Page => serde_json::from_value(value.clone()).map(Record::Page),
            Entity::Editor => serde_json::from_value(value.clone()).map(Record::Editor),
            Entity::Publication | Entity::Approval | Entity::Schedule => Ok(Record::Event(value.clone())),
        };
        parsed.with_context(|| format!("a {} change has an unexpected shape", entity.as_str()))
    }

    /// The JSON a change stores for this record.
    pub fn encode(&self) -> Value {
        let value = match self {
            Record::Force(force) => serde_json::to_value(force),
            Record::Note(note) => serde_json::to_value(note),
            Record::Review(review) => serde_json::to_value(review),
            Record::Page(page) => serde_json::to_value(page),
            Record::Editor(editor) => serde_json::to_value(editor),
            Record::Event(value) => Ok(value.clone()),
        };
        // these types are plain strings, numbers and options: serialising them cannot fail
        value.unwrap_or(Value::Null)
    }
}

/// A change's two sides, typed.
pub fn sides(change: &Change) -> Result<(Option<Record>, Option<Record>)> {
    let decode = |side: &Option<Value>| side.as_ref().map(|v| Record::decode(change.entity, v)).transpose();
    Ok((decode(&change.before)?, decode(&change.after)?))
}

/// The directory as of one moment: what the log says, or what the tables hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    /// By slug.
    pub forces: BTreeMap<String, Force>,
    /// By id.
    pub notes: BTreeMap<i64, NoteState>,
    /// By force slug, oldest first.
    pub reviews: BTreeMap<String, Vec<ReviewState>>,
    /// `None` only for a log that has not recorded the page yet.
    pub page: Option<Page>,
    /// The registry, by name.
    pub editors: BTreeMap<String, crate::editors::EditorState>,
    /// Who wrote each note and when: its `add-note` change's editor and time (the live tables,
    /// and `audit verify`'s replay; `State::replay` leaves it empty).
    pub note_authors: BTreeMap<i64, (String, String)>,
    /// When each editor was registered: their `add-editor` change's time (as `note_authors`).
    pub editors_added: BTreeMap<String, String>,
}

/// Where two states first differ: which table, which row, which field, and both values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub table: &'static str,
    /// A force's slug, a note's id, `page`.
    pub key: String,
    pub field: String,
    pub live: String,
    pub logged: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "table {}, {} {}, field {}: the table holds {} but the audit log says {}",
            self.table,
            match self.table {
                "forces" | "reviews" => "force",
                "notes" => "note",
                "editors" => "editor",
                _ => "row",
            },
            self.key,
            self.field,
            self.live,
            self.logged
        )
    }
}

fn show<T: Serialize>(value: &T) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    crate::output::one_line(&text)
}

impl State {
    /// The state as the audit log says it was at `cutoff`, from the log alone.
    pub fn replay(conn: &Connection, cutoff: &Cutoff) -> Result<State> {
        let mut state = State::default();
        // parsed straight from the stored JSON into the types, without a `Value` in between
        let forces: Vec<Force> = changes::latest_states(conn, Entity::Force, cutoff)
            .context("a force change has an unexpected shape")?;
        for force in forces {
            state.forces.insert(force.slug.clone(), force);
        }
        let notes: Vec<NoteState> = changes::latest_states(conn, Entity::Note, cutoff)
            .context("a note change has an unexpected shape")?;
        for note in notes {
            state.notes.insert(note.id, note);
        }
        for (slug, review) in changes::reviews(conn, cutoff)? {
            state.reviews.entry(slug).or_default().push(review);
        }
        state.page = changes::latest_page(conn, cutoff)?;
        let editors: Vec<crate::editors::EditorState> = changes::latest_states(conn, Entity::Editor, cutoff)
            .context("an editor change has an unexpected shape")?;
        for editor in editors {
            state.editors.insert(editor.name.clone(), editor);
        }
        // who wrote each note and when each editor was added are left to `audit verify`, which
        // gathers them in its one pass over the log: the past directory does not need them
        Ok(state)
    }

    /// The state the live tables hold now.
    pub fn live(conn: &Connection) -> Result<State> {
        let mut state = State::default();
        for force in forces::all(conn)? {
            state.forces.insert(force.slug.clone(), force);
        }
        for note in notes::list(conn, notes::Scope::All, false, false)? {
            state.note_authors.insert(note.id, (note.editor.clone(), note.at.clone()));
            state.notes.insert(
                note.id,
                NoteState {
                    id: note.id,
                    force: note.force,
                    text: note.text,
                    public: note.public,
                    status: note.status,
                },
            );
        }
        for (slug, review) in reviews::all(conn)? {
            state.reviews.entry(slug).or_default().push(ReviewState {
                at: review.at,
                editor: review.editor,
                message: review.message,
                data_to: review.data_to,
            });
        }
        state.page = page::read(conn)?;
        for row in crate::db::editors::rows(conn)? {
            state.editors_added.insert(row.state.name.clone(), row.added_at);
            state.editors.insert(row.state.name.clone(), row.state);
        }
        Ok(state)
    }

    /// The first way `self` (the live tables) differs from `logged` (the replayed log), if any.
    pub fn first_difference(&self, logged: &State) -> Option<Difference> {
        let diff = |table: &'static str, key: &str, field: &str, live: String, logged: String| {
            Some(Difference { table, key: key.to_owned(), field: field.to_owned(), live, logged })
        };
        let absent = || "nothing".to_owned();
        // forces: every slug either side has, in order
        let slugs: std::collections::BTreeSet<&String> =
            self.forces.keys().chain(logged.forces.keys()).collect();
        for slug in slugs {
            match (self.forces.get(slug), logged.forces.get(slug)) {
                (Some(live), Some(log)) => {
                    if live.name != log.name {
                        return diff("forces", slug, "name", show(&live.name), show(&log.name));
                    }
                    if live.url != log.url {
                        return diff("forces", slug, "url", show(&live.url), show(&log.url));
                    }
                    if live.status != log.status {
                        return diff("forces", slug, "status", show(&live.status), show(&log.status));
                    }
                }
                (Some(live), None) => return diff("forces", slug, "row", show(live), absent()),
                (None, Some(log)) => return diff("forces", slug, "row", absent(), show(log)),
                (None, None) => {}
            }
        }
        let ids: std::collections::BTreeSet<&i64> = self.notes.keys().chain(logged.notes.keys()).collect();
        for id in ids {
            let key = id.to_string();
            match (self.notes.get(id), logged.notes.get(id)) {
                (Some(live), Some(log)) => {
                    if live.force != log.force {
                        return diff("notes", &key, "force", show(&live.force), show(&log.force));
                    }
                    if live.text != log.text {
                        return diff("notes", &key, "text", show(&live.text), show(&log.text));
                    }
                    if live.public != log.public {
                        return diff("notes", &key, "public", show(&live.public), show(&log.public));
                    }
                    if live.status != log.status {
                        return diff("notes", &key, "status", show(&live.status), show(&log.status));
                    }
                }
                (Some(live), None) => return diff("notes", &key, "row", show(live), absent()),
                (None, Some(log)) => return diff("notes", &key, "row", absent(), show(log)),
                (None, None) => {}
            }
        }
        let slugs: std::collections::BTreeSet<&String> =
            self.reviews.keys().chain(logged.reviews.keys()).collect();
        for slug in slugs {
            let (live, log) = (
                self.reviews.get(slug).map_or(&[][..], Vec::as_slice),
                logged.reviews.get(slug).map_or(&[][..], Vec::as_slice),
            );
            if live != log {
                let i = live.iter().zip(log).take_while(|(a, b)| a == b).count();
                return diff(
                    "reviews",
                    slug,
                    &format!("review {}", i + 1),
                    show(&live.get(i)),
                    show(&log.get(i)),
                );
            }
        }
        let names: std::collections::BTreeSet<&String> =
            self.editors.keys().chain(logged.editors.keys()).collect();
        for name in names {
            match (self.editors.get(name), logged.editors.get(name)) {
                (Some(live), Some(log)) => {
                    if live.role != log.role {
                        return diff("editors", name, "role", show(&live.role), show(&log.role));
                    }
                    if live.status != log.status {
                        return diff("editors", name, "status", show(&live.status), show(&log.status));
                    }
                    if live.key != log.key {
                        return diff("editors", name, "key", show(&live.key), show(&log.key));
                    }
                }
                (Some(live), None) => return diff("editors", name, "row", show(live), absent()),
                (None, Some(log)) => return diff("editors", name, "row", absent(), show(log)),
                (None, None) => {}
            }
        }
        for (id, live) in &self.note_authors {
            if let Some(log) = logged.note_authors.get(id).filter(|log| *log != live) {
                let (field, a, b) =
                    if live.0 != log.0 { ("editor", &live.0, &log.0) } else { ("at", &live.1, &log.1) };
                return diff("notes", &id.to_string(), field, show(a), show(b));
            }
        }
        for (name, live) in &self.editors_added {
            if let Some(log) = logged.editors_added.get(name).filter(|log| *log != live) {
                return diff("editors", name, "added_at", show(live), show(log));
            }
        }
        if self.page != logged.page {
            let (live, log) =
                (self.page.clone().unwrap_or_default(), logged.page.clone().unwrap_or_default());
            let (live_v, log_v) = (Record::Page(live).encode(), Record::Page(log).encode());
            let keys: std::collections::BTreeSet<&String> = live_v
                .as_object()
                .into_iter()
                .flat_map(|m| m.keys())
                .chain(log_v.as_object().into_iter().flat_map(|m| m.keys()))
                .collect();
            for key in keys {
                if live_v.get(key) != log_v.get(key) {
                    return diff("page", "page", key, show(&live_v.get(key)), show(&log_v.get(key)));
                }
            }
            return diff("page", "page", "row", show(&self.page), show(&logged.page));
        }
        None
    }

    /// The state before `changes` (the newest changes of the log, oldest first): each one's
    /// `before` put back, newest first. Cheaper than replaying the log up to the first of them
    /// when they are few (the changes since the last publication).
    pub fn stepped_back(&self, changes: &[Change]) -> Result<State> {
        let mut state = self.clone();
        for change in changes.iter().rev() {
            let (before, after) = sides(change)?;
            match (before, after) {
                (Some(Record::Force(force)), _) => {
                    state.forces.insert(force.slug.clone(), force);
                }
                (None, Some(Record::Force(force))) => {
                    state.forces.remove(&force.slug);
                }
                (Some(Record::Note(note)), _) => {
                    state.notes.insert(note.id, note);
                }
                (None, Some(Record::Note(note))) => {
                    state.notes.remove(&note.id);
                }
                (Some(Record::Page(page)), _) => state.page = Some(page),
                (None, Some(Record::Page(_))) => state.page = None,
                (Some(Record::Editor(editor)), _) => {
                    state.editors.insert(editor.name.clone(), editor);
                }
                (None, Some(Record::Editor(editor))) => {
                    state.editors.remove(&editor.name);
                }
                // a review made: take it off its force's list
                (None, Some(Record::Review(review))) => {
                    if let Some(list) = state.reviews.get_mut(&review.force) {
                        if let Some(i) =
                            list.iter().rposition(|r| r.at == change.at && r.editor == change.editor)
                        {
                            list.remove(i);
                        }
                    }
                }
                // a review withdrawn: it was there before
                (Some(Record::Review(review)), None) => {
                    state.reviews.entry(review.force.clone()).or_default().push(ReviewState {
                        at: review.at,
                        editor: change.editor.clone(),
                        message: None,
                        data_to: review.data_to,
                    });
                }
                _ => {}
            }
        }
        Ok(state)
    }

    /// Forces sorted as `list` sorts them: by name ignoring case, then slug.
    pub fn sorted_forces(&self, include_retired: bool) -> Vec<&Force> {
        let mut forces: Vec<&Force> =
            self.forces.values().filter(|f| include_retired || f.status == ForceStatus::Active).collect();
        forces.sort_by_cached_key(|f| (name_key(&f.name), f.slug.clone()));
        forces
    }

    /// Open notes per force slug.
    pub fn open_notes(&self) -> std::collections::HashMap<&str, i64> {
        let mut counts = std::collections::HashMap::new();
        for note in self.notes.values().filter(|n| n.status == NoteStatus::Open) {
            if let Some(slug) = note.force.as_deref() {
                *counts.entry(slug).or_insert(0) += 1;
            }
        }
        counts
    }

    /// The time of each force's newest review.
    pub fn last_reviewed(&self, slug: &str) -> Option<&str> {
        self.reviews.get(slug).and_then(|r| r.iter().map(|r| r.at.as_str()).max())
    }

    /// The newest day a force's published data covers, as its newest review that said so
    /// recorded (YYYY-MM-DD).
    pub fn data_to(&self, slug: &str) -> Option<&str> {
        self.reviews.get(slug).and_then(|r| r.iter().rev().find_map(|r| r.data_to.as_deref()))
    }

    /// A force by slug or name (ignoring case).
    pub fn find(&self, arg: &str) -> Option<&Force> {
        self.forces
            .get(arg)
            .or_else(|| self.forces.get(&arg.to_lowercase()))
            .or_else(|| self.forces.values().find(|f| name_key(&f.name) == name_key(arg)))
    }

    /// The page, or the default one for a log that has not recorded it.
    pub fn page(&self) -> Page {
        self.page.clone().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn force(slug: &str, url: Option<&str>) -> Force {
        Force {
            id: 0,
            slug: slug.into(),
            name: slug.to_uppercase(),
            url: url.map(Into::into),
            status: ForceStatus::Active,
        }
    }

    #[test]
    fn the_first_difference_names_table_row_field_and_both_values() {
        let mut logged = State::default();
        logged.forces.insert("kent".into(), force("kent", Some("https://kent.example/")));
        let mut live = logged.clone();
        assert_eq!(live.first_difference(&logged), None);
        live.forces.insert("kent".into(), force("kent", Some("https://evil.example/")));
        let d = live.first_difference(&logged).unwrap();
        assert_eq!((d.table, d.key.as_str(), d.field.as_str()), ("forces", "kent", "url"));
        assert_eq!(d.live, "\"https://evil.example/\"");
        assert_eq!(d.logged, "\"https://kent.example/\"");
    }

    #[test]
    fn a_page_difference_names_the_field() {
        let logged = State { page: Some(Page::default()), ..State::default() };
        let mut live = logged.clone();
        live.page.as_mut().unwrap().heading = "Hacked".into();
        let d = live.first_difference(&logged).unwrap();
        assert_eq!((d.table, d.field.as_str()), ("page", "heading"));
    }

    #[test]
    fn stepping_back_over_the_newest_changes_is_replaying_up_to_before_them() {
        use crate::audit::Action;
        use crate::db::changes::{since_id, Cutoff};
        let dir = tempfile::tempdir().unwrap();
        let mut db = crate::db::Db::create(&dir.path().join("t.db")).unwrap();
        let author = crate::gate::Author {
            editor: "ed".into(),
            message: None,
            clock: crate::clock::Clock::fixed(chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap()),
            signer: None,
        };
        let run =
            |db: &mut crate::db::Db,
             f: &dyn Fn(&rusqlite::Connection, &crate::directory::Actor) -> anyhow::Result<()>| {
                db.write_as(&author, |tx, actor| f(tx, actor)).unwrap()
            };
        run(&mut db, &|tx, a| {
            for name in ["Kent Police", "Essex Police", "Dorset Police"] {
                crate::directory::add_force(tx, a, Action::AddForce, name, None, None)?;
            }
            crate::directory::set_page(tx, a, Action::Init, Page::default())?;
            Ok(())
        });
        let mark = crate::db::changes::last_id(db.conn()).unwrap();
        run(&mut db, &|tx, a| {
            crate::directory::set_url(tx, a, "kent-police", Some("https://k.example/".into()))?;
            crate::directory::rename(tx, a, "essex-police", "Essex Police Service")?;
            crate::directory::set_status(tx, a, "dorset-police", ForceStatus::Retired)?;
            crate::directory::add_force(tx, a, Action::AddForce, "New Police", None, None)?;
            crate::directory::add_note(tx, a, Some("kent-police"), "a public caveat", true)?;
            crate::directory::review(tx, a, "kent-police", Some("2025-09-30".into()))?;
            let page = Page { heading: "New heading".into(), ..Page::default() };
            crate::directory::set_page(tx, a, Action::SetPage, page)?;
            Ok(())
        });
        let conn = db.conn();
        let now = State::replay(conn, &Cutoff::Id(crate::db::changes::last_id(conn).unwrap())).unwrap();
        let stepped = now.stepped_back(&since_id(conn, mark).unwrap()).unwrap();
        let replayed = State::replay(conn, &Cutoff::Id(mark)).unwrap();
        assert_eq!(stepped.forces, replayed.forces);
        assert_eq!(stepped.notes, replayed.notes);
        assert_eq!(stepped.page, replayed.page);
        assert_eq!(stepped.reviews.values().flatten().count(), replayed.reviews.values().flatten().count());
    }

    #[test]
    fn records_round_trip_through_their_json() {
        let page = Page { publisher: Some("Home Office".into()), ..Page::default() };
        let value = Record::Page(page.clone()).encode();
        assert_eq!(value.get("contact"), None, "unset optional fields are left out");
        assert_eq!(Record::decode(Entity::Page, &value).unwrap(), Record::Page(page));
        let bad = serde_json::json!({"slug": "k", "name": "K", "url": null, "status": "active", "extra": 1});
        assert!(Record::decode(Entity::Force, &bad).is_err());
    }
}
