//! A whole `State` as text, and back: the checkpoints that let a reading of the past start part
//! way through the log (`log::replay`) instead of at its first change. A checkpoint is derived
//! data, like the tables: the projection writes it, and `audit verify` reads each one back and
//! compares it, field by field, with the state its own replay reached at that change. It is not
//! a public format: the fields the public JSON leaves out (a force's row id, a review's change, a
//! publication's heads) are kept here.
use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::{Approval, EditorRow, NoteRow, ReviewState, Rows, Schedule, State};
use crate::event::SiteRecord;
use crate::model::{Action, AuditHead, EditorState, Force, NoteState, Page, Publication};

/// The state, as read back: every field of `State`, the maps as lists (a force with its row id,
/// a review with its change, a publication with every field).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    forces: Vec<(i64, Force)>,
    notes: Vec<NoteState>,
    reviews: Vec<(String, Vec<Review>)>,
    page: Option<Page>,
    editors: BTreeMap<String, EditorState>,
    rows: SavedRows,
    publications: Vec<SavedPublication>,
    records: BTreeMap<i64, SiteRecord>,
    schedule: Option<Schedule>,
    schedule_done: Option<(Schedule, i64)>,
    approval: Option<Approval>,
    public_changes: Vec<(i64, String, String)>,
    settings: BTreeMap<String, String>,
    two_publishers_seen: bool,
    head: Option<AuditHead>,
    last_at: Option<String>,
}

/// The state, as written: the same fields as `Saved`, in the same order, borrowed from the state
/// (a checkpoint of 100,000 forces is written without copying them). The order of every list is
/// fixed (forces by row id, reviews by slug), so one state has one text.
#[derive(Serialize)]
struct Out<'a> {
    forces: Vec<(i64, &'a Force)>,
    notes: Vec<&'a NoteState>,
    reviews: Vec<(&'a str, Vec<ReviewOut<'a>>)>,
    page: Option<&'a Page>,
    editors: &'a BTreeMap<String, EditorState>,
    rows: OutRows<'a>,
    publications: Vec<PublicationOut<'a>>,
    records: &'a BTreeMap<i64, SiteRecord>,
    schedule: Option<&'a Schedule>,
    schedule_done: Option<&'a (Schedule, i64)>,
    approval: Option<&'a Approval>,
    public_changes: Vec<(i64, &'a str, &'a str)>,
    settings: &'a BTreeMap<String, String>,
    two_publishers_seen: bool,
    head: Option<&'a AuditHead>,
    last_at: Option<&'a str>,
}

#[derive(Serialize)]
struct OutRows<'a> {
    forces: Vec<(i64, i64)>,
    notes: &'a BTreeMap<i64, NoteRow>,
    editors: &'a BTreeMap<String, EditorRow>,
    page: Option<i64>,
    settings: &'a BTreeMap<String, i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedRows {
    forces: Vec<(i64, i64)>,
    notes: BTreeMap<i64, NoteRow>,
    editors: BTreeMap<String, EditorRow>,
    page: Option<i64>,
    settings: BTreeMap<String, i64>,
}

/// A review with its change, which its public form leaves out.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Review {
    change: i64,
    at: String,
    editor: String,
    message: Option<String>,
    data_to: Option<String>,
}

/// `Review`, written from the state without copying it.
#[derive(Serialize)]
struct ReviewOut<'a> {
    change: i64,
    at: &'a str,
    editor: &'a str,
    message: Option<&'a str>,
    data_to: Option<&'a str>,
}

/// `SavedPublication`, written from the state without copying it.
#[derive(Serialize)]
struct PublicationOut<'a> {
    id: i64,
    at: &'a str,
    editor: &'a str,
    note: &'a str,
    major: bool,
    sha256: &'a str,
    changes: &'a [i64],
    content_sha256: &'a str,
    first_change: i64,
    last_change: i64,
    head_hash: Option<&'a str>,
    approved_by: Option<&'a str>,
    without_approval: Option<&'a str>,
    change: i64,
}

/// A publication with every field, the ones its public form leaves out too.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedPublication {
    id: i64,
    at: String,
    editor: String,
    note: String,
    major: bool,
    sha256: String,
    changes: Vec<i64>,
    content_sha256: String,
    first_change: i64,
    last_change: i64,
    head_hash: Option<String>,
    approved_by: Option<String>,
    without_approval: Option<String>,
    change: i64,
}

/// The state as checkpoint text.
pub fn encode(state: &State) -> String {
    // strings, numbers, booleans, lists and maps with string or number keys: it cannot fail
    let text = super::json_match::write_json(&out(state)).unwrap_or_default();
    // serde_json writes UTF-8
    String::from_utf8(text).unwrap_or_default()
}

/// Whether `text` is the checkpoint text of `state`, byte for byte. The text is `{"forces":`
/// FORCES REST, the rest starting at the first `,"notes":` (no force's text holds one: a force
/// has no such field, and a quote inside a string is escaped). The forces (half of it, for a
/// large directory) are compared on another thread as they are walked, never written
/// (`json_match`); this one writes the rest, as the state with no forces is written less its
/// opening `{"forces":[]`, the way `encode` writes it (one way of writing the state's many
/// types in the binary, not two). Whatever the text, it is the state's only if both parts are.
pub fn is_text_of(state: &State, text: &[u8]) -> bool {
    const OPENING: &[u8] = br#"{"forces":"#;
    let Some(after_opening) = text.strip_prefix(OPENING) else { return false };
    let Some(end) = memchr::memmem::find(after_opening, br#","notes":"#) else { return false };
    let (forces_text, rest_text) = after_opening.split_at(end);
    let mut whole = out(state);
    let forces = std::mem::take(&mut whole.forces);
    let (forces_match, rest_match) = crate::threads::at_once(
        true,
        || super::json_match::is_json_of(&forces, forces_text),
        // written as `encode` writes it: one way of writing the state's many types
        || super::json_match::writes_as(&whole, [br#"{"forces":[]"#, rest_text]),
    );
    forces_match && rest_match
}

fn out<'a>(state: &'a State) -> Out<'a> {
    let mut forces: Vec<(i64, &Force)> = state.forces.values().map(|f| (f.id, f)).collect();
    forces.sort_unstable_by_key(|(id, _)| *id);
    let review = |r: &'a ReviewState| ReviewOut {
        change: r.change,
        at: &r.at,
        editor: &r.editor,
        message: r.message.as_deref(),
        data_to: r.data_to.as_deref(),
    };
    let mut reviews: Vec<(&str, Vec<ReviewOut>)> =
        state.reviews.iter().map(|(slug, list)| (slug.as_str(), list.iter().map(review).collect())).collect();
    reviews.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let row_forces = state.rows.forces.in_order();
    Out {
        forces,
        notes: state.notes.values().collect(),
        reviews,
        page: state.page.as_ref(),
        editors: &state.editors,
        rows: OutRows {
            forces: row_forces,
            notes: &state.rows.notes,
            editors: &state.rows.editors,
            page: state.rows.page,
            settings: &state.rows.settings,
        },
        publications: state
            .publications
            .iter()
            .map(|p| PublicationOut {
                id: p.id,
                at: &p.at,
                editor: &p.editor,
                note: &p.note,
                major: p.major,
                sha256: &p.sha256,
                changes: &p.changes,
                content_sha256: &p.content_sha256,
                first_change: p.first_change,
                last_change: p.last_change,
                head_hash: p.head_hash.as_deref(),
                approved_by: p.approved_by.as_deref(),
                without_approval: p.without_approval.as_deref(),
                change: p.change,
            })
            .collect(),
        records: &state.records,
        schedule: state.schedule.as_ref(),
        schedule_done: state.schedule_done.as_ref(),
        approval: state.approval.as_ref(),
        public_changes: state
            .public_changes
            .iter()
            .map(|(id, by, a)| (*id, by.as_str(), a.as_str()))
            .collect(),
        settings: &state.settings,
        two_publishers_seen: state.two_publishers_seen,
        head: state.head.as_ref(),
        last_at: state.last_at.as_deref(),
    }
}

/// A state from checkpoint text. The text is let go as soon as it is read, before the state is
/// built from what was read: for a large directory it is tens of megabytes.
pub fn decode(text: String) -> Result<State> {
    let saved: Saved =
        serde_json::from_str(&text).context("a checkpoint of the state is not one admin writes")?;
    drop(text);
    let mut state = State::default();
    state.forces.reserve(saved.forces.len());
    for (id, force) in saved.forces {
        state.forces.insert(force.slug.clone(), Force { id, ..force });
    }
    state.notes = saved.notes.into_iter().map(|n| (n.id, n)).collect();
    state.reviews.reserve(saved.reviews.len());
    for (slug, list) in saved.reviews {
        state.reviews.insert(slug, list.into_iter().map(ReviewState::from).collect());
    }
    state.page = saved.page;
    state.editors = saved.editors;
    let mut row_forces = super::ForceRows::default();
    for (id, change) in saved.rows.forces {
        row_forces.insert(id, change);
    }
    state.rows = Rows {
        forces: row_forces,
        notes: saved.rows.notes,
        editors: saved.rows.editors,
        page: saved.rows.page,
        settings: saved.rows.settings,
    };
    state.publications = saved.publications.into_iter().map(Publication::from).collect();
    state.records = saved.records;
    state.schedule = saved.schedule;
    state.schedule_done = saved.schedule_done;
    state.approval = saved.approval;
    for (id, by, action) in saved.public_changes {
        let action =
            Action::parse(&action).with_context(|| format!("unknown action {action:?} in a checkpoint"))?;
        state.public_changes.push((id, by, action));
    }
    state.settings = saved.settings;
    state.two_publishers_seen = saved.two_publishers_seen;
    state.head = saved.head;
    state.last_at = saved.last_at;
    Ok(state)
}

impl From<Review> for ReviewState {
    fn from(r: Review) -> ReviewState {
        ReviewState { change: r.change, at: r.at, editor: r.editor, message: r.message, data_to: r.data_to }
    }
}

impl From<SavedPublication> for Publication {
    fn from(p: SavedPublication) -> Publication {
        Publication {
            id: p.id,
            at: p.at,
            editor: p.editor,
            note: p.note,
            major: p.major,
            sha256: p.sha256,
            changes: p.changes,
            content_sha256: p.content_sha256,
            first_change: p.first_change,
            last_change: p.last_change,
            head_hash: p.head_hash,
            approved_by: p.approved_by,
            without_approval: p.without_approval,
            change: p.change,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_comes_back_as_it_went() {
        let mut state = State::default();
        state.forces.insert(
            "kent-police".into(),
            Force {
                id: 7,
                slug: "kent-police".into(),
                name: "Kent Police".into(),
                url: Some("https://www.kent.police.uk/uof".into()),
                status: crate::model::ForceStatus::Active,
            },
        );
        state.rows.forces.insert(7, 12);
        state.reviews.insert(
            "kent-police".into(),
            vec![ReviewState {
                change: 13,
                at: "2026-01-01T00:00:00Z".into(),
                editor: "ed".into(),
                message: None,
                data_to: Some("2025-12-31".into()),
            }],
        );
        state.settings.insert("approval".into(), "optional".into());
        state.rows.settings.insert("approval".into(), 14);
        state.two_publishers_seen = true;
        state.public_changes.push((12, "ed".into(), Action::SetUrl));
        state.head = Some(AuditHead { change: 14, hash: "ab".into() });
        state.last_at = Some("2026-01-01T00:00:00Z".into());
        let text = encode(&state);
        assert_eq!(decode(text.clone()).unwrap(), state);
        assert!(is_text_of(&state, text.as_bytes()));
        assert!(!is_text_of(&state, text.replace("Kent Police", "Kent Polise").as_bytes()));
        assert!(!is_text_of(&state, format!("{text} ").as_bytes()));
        assert!(!is_text_of(&state, &text.as_bytes()[..text.len() - 1]));
        // where the forces end is found from the text: a force's name cannot move it
        let mut kent = state.forces["kent-police"].clone();
        kent.name = r#"Kent ],"notes":[] Police"#.into();
        state.forces.insert("kent-police".into(), kent);
        let text = encode(&state);
        assert!(is_text_of(&state, text.as_bytes()));
        assert!(!is_text_of(&state, text.replacen(r#"\"notes\""#, r#""notes""#, 1).as_bytes()));
    }

    #[test]
    fn text_that_is_not_a_checkpoint_is_refused() {
        assert!(decode("{}".to_owned()).is_err());
        assert!(decode(encode(&State::default()).replace("\"page\"", "\"pages\"")).is_err());
    }
}
