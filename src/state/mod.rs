//! The state the audit log describes, as one type, and `apply`: the one interpretation of a
//! change. Replaying the log is applying its changes in order; the tables are the state's
//! projection (`crate::projection`), and `audit verify` rebuilds them from a replay. No I/O
//! here: the types, `apply`, and questions asked of a state.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Action;
use crate::model::{AuditHead, EditorState, Force, ForceStatus, NoteStatus, Publication};
use crate::validate::name_key;

pub use crate::model::{intro_paragraphs, NoteState, Page, PageLink, ReviewRecord, ReviewState};

mod apply;
pub mod checkpoint;
mod diff;
mod fields;
mod json_match;
mod rules;

pub use apply::{apply_event, apply_unchecked, Conflict, Header};
pub use diff::Difference;
pub use fields::{force_fields_changed, page_changes, page_fields_changed};
pub use rules::{
    approval_required, check_authority, check_change, check_setting, fits, publishers, required_role,
    APPROVAL, OPTIONAL, REQUIRED, SITE,
};

/// A map keyed by slug: hashed (a directory of 100,000 slugs sharing their first characters makes
/// an ordered map compare long prefixes on every look-up), with a fixed seed so that a state
/// iterates the same way every run. Code that shows a list sorts it.
pub type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// The directory as of one moment, and everything else the log describes: the registry of
/// editors, the publications, the schedule and the approval in force. `apply` builds it, change
/// by change; the tables are its projection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    /// By slug. A force's `id` is its place in the order forces were added (its row id).
    pub forces: Map<String, Force>,
    /// By id.
    pub notes: BTreeMap<i64, NoteState>,
    /// By force slug, each force's oldest first.
    pub reviews: Map<String, Vec<ReviewState>>,
    /// `None` only for a log that has not recorded the page yet.
    pub page: Option<Page>,
    /// The registry, by name.
    pub editors: BTreeMap<String, EditorState>,
    /// What the tables hold besides each entity's state: which change wrote each row, who wrote
    /// a note and who resolved it, when an editor was registered.
    pub rows: Rows,
    /// Oldest first.
    pub publications: Vec<Publication>,
    /// By publication id: what each publication's signed record holds beyond the publication
    /// (publications made before records were kept have none).
    pub records: BTreeMap<i64, crate::event::SiteRecord>,
    /// The publication waiting for its time, if any.
    pub schedule: Option<Schedule>,
    /// A schedule whose content a publication made by hand has published since (with that
    /// publication's number): done, though its time may not have come.
    pub schedule_done: Option<(Schedule, i64)>,
    /// Since the last publication: the newest approval not voided by a public change after it.
    pub approval: Option<Approval>,
    /// Since the last publication: the public changes, oldest first (id, editor, action).
    pub public_changes: Vec<(i64, String, Action)>,
    /// The settings `admin settings` has given a value, by name.
    pub settings: BTreeMap<String, String>,
    /// Two or more active editors could publish at some moment: from then on, approval is
    /// required until a setting says otherwise (`rules::approval_required`).
    pub two_publishers_seen: bool,
    /// The newest change applied, and its time.
    pub head: Option<AuditHead>,
    pub last_at: Option<String>,
}

/// `forces` sorted as `list` sorts them: by name ignoring case, then slug. For a large directory,
/// each half is keyed and sorted on its own thread and the two are merged.
pub fn sorted_forces(forces: Vec<&Force>) -> Vec<&Force> {
    fn sorted<'a>(part: &[&'a Force]) -> Vec<(String, &'a Force)> {
        let mut keyed: Vec<(String, &Force)> = part.iter().map(|f| (name_key(&f.name), *f)).collect();
        // slugs are unique: no two forces compare equal, so an unstable sort gives one order
        keyed.sort_unstable_by(|a, b| (&a.0, &a.1.slug).cmp(&(&b.0, &b.1.slug)));
        keyed
    }
    if forces.len() < crate::threads::LARGE {
        return sorted(&forces).into_iter().map(|(_, f)| f).collect();
    }
    let (first, second) = forces.split_at(forces.len() / 2);
    let (first, second) = crate::threads::at_once(true, || sorted(first), || sorted(second));
    merged(first, second)
}

/// Two lists of keyed forces, each sorted, as one sorted list of forces.
fn merged<'a>(first: Vec<(String, &'a Force)>, second: Vec<(String, &'a Force)>) -> Vec<&'a Force> {
    let mut out = Vec::with_capacity(first.len() + second.len());
    let (mut first, mut second) = (first.into_iter().peekable(), second.into_iter().peekable());
    loop {
        let take_first = match (first.peek(), second.peek()) {
            (Some(a), Some(b)) => (&a.0, &a.1.slug) <= (&b.0, &b.1.slug),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        let next = if take_first { first.next() } else { second.next() };
        out.extend(next.map(|(_, f)| f));
    }
}

/// Which change last wrote each row, and the columns a row takes from its changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    /// By the force's row id.
    pub forces: ForceRows,
    pub notes: BTreeMap<i64, NoteRow>,
    pub editors: BTreeMap<String, EditorRow>,
    pub page: Option<i64>,
    /// By setting name.
    pub settings: BTreeMap<String, i64>,
}

/// A note's row beyond its state: who wrote it and when, who resolved it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteRow {
    pub editor: String,
    pub at: String,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    pub change: i64,
}

/// An editor's row beyond their state: when they were registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorRow {
    pub added_at: String,
    pub change: i64,
}

/// A recorded approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub change: i64,
    pub by: String,
    pub at: String,
    pub content_sha256: String,
}

/// A publication waiting for its time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub change: i64,
    pub by: String,
    /// When it goes live.
    pub at: String,
    pub content_sha256: String,
    pub note: Option<String>,
    pub minor: bool,
    pub approved_by: Option<String>,
    pub without_approval: Option<String>,
    /// The directory it publishes into, where the schedule recorded one.
    pub out: Option<String>,
    pub allow_broken: bool,
}

impl State {
    /// The state's forces (the retired too, or not) sorted as `list` sorts them.
    pub fn sorted_forces(&self, include_retired: bool) -> Vec<&Force> {
        sorted_forces(
            self.forces.values().filter(|f| include_retired || f.status == ForceStatus::Active).collect(),
        )
    }

    /// Open notes per force slug.
    pub fn open_notes(&self) -> Map<&str, i64> {
        let mut counts = Map::default();
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
        data_to(&self.reviews, slug)
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

/// The newest day a force's published data covers, from its reviews (`State::data_to`).
pub fn data_to<'a>(reviews: &'a Map<String, Vec<ReviewState>>, slug: &str) -> Option<&'a str> {
    reviews.get(slug).and_then(|r| r.iter().rev().find_map(|r| r.data_to.as_deref()))
}

/// The change that last wrote each force's row, by its row id. Row ids run from 1 with no gap (a
/// force's id is its place in the order forces were added, and none is ever removed), so they are
/// kept in a list with a place for each: a million changes set one each, with no hashing. An id
/// that does not extend the list by one (a row edited behind admin's back, a state of one force
/// read from its table) is kept beside it, so that no id, however large, makes the list grow.
/// The list then grows no further: an id is kept in one place only, so the one beside it, and
/// every id after, stay beside it (a map, as all of them were before).
#[derive(Debug, Clone, Default)]
pub struct ForceRows {
    /// The changes of ids 1, 2, 3 …
    dense: Vec<i64>,
    /// Any other id's.
    other: Map<i64, i64>,
}

/// The same rows, however each was kept (in the list or beside it).
impl PartialEq for ForceRows {
    fn eq(&self, other: &ForceRows) -> bool {
        self.in_order() == other.in_order()
    }
}

impl Eq for ForceRows {}

impl ForceRows {
    /// The change that last wrote force `id`'s row, if one has.
    pub fn get(&self, id: &i64) -> Option<&i64> {
        match self.place(*id) {
            Some(place) if place < self.dense.len() => self.dense.get(place),
            _ => self.other.get(id),
        }
    }

    /// Record that change `change` wrote force `id`'s row.
    pub fn insert(&mut self, id: i64, change: i64) {
        match self.place(id) {
            Some(place) if place < self.dense.len() => self.dense[place] = change,
            Some(place) if place == self.dense.len() && !self.other.contains_key(&id) => {
                self.dense.push(change)
            }
            _ => {
                self.other.insert(id, change);
            }
        }
    }

    /// Each row's id and change, in id order.
    pub fn in_order(&self) -> Vec<(i64, i64)> {
        let mut rows: Vec<(i64, i64)> = (1..).zip(self.dense.iter().copied()).collect();
        if !self.other.is_empty() {
            rows.extend(self.other.iter().map(|(id, change)| (*id, *change)));
            rows.sort_unstable();
        }
        rows
    }

    /// Where id `id` goes in the list, if it can go there.
    fn place(&self, id: i64) -> Option<usize> {
        usize::try_from(id.checked_sub(1)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::ForceRows;

    #[test]
    fn force_rows_keep_any_id_in_order() {
        let mut rows = ForceRows::default();
        rows.insert(1, 10);
        rows.insert(2, 11);
        rows.insert(1, 12);
        // ids that do not extend the list by one: a row edited behind admin's back, a state of
        // one force read from its table; none makes the list grow
        rows.insert(i64::MAX, 13);
        rows.insert(0, 14);
        rows.insert(-5, 15);
        rows.insert(7, 16);
        assert_eq!(rows.dense.len(), 2);
        assert_eq!(rows.get(&1), Some(&12));
        assert_eq!(rows.get(&7), Some(&16));
        assert_eq!(rows.get(&3), None);
        assert_eq!(rows.get(&i64::MIN), None);
        // an id kept beside the list stays there: the list grows up to it and no further
        for id in 3..=7 {
            rows.insert(id, 20 + id);
        }
        assert_eq!(rows.get(&7), Some(&27));
        assert_eq!(rows.dense.len(), 6);
        // equal to the same rows kept otherwise: here all in the list, read in order
        let mut listed = ForceRows::default();
        for (id, change) in rows.in_order() {
            listed.insert(id, change);
        }
        assert_ne!(listed.dense.len(), rows.dense.len());
        assert_eq!(listed, rows);
        listed.insert(3, 99);
        assert_ne!(listed, rows);
        assert_eq!(
            rows.in_order(),
            vec![
                (-5, 15),
                (0, 14),
                (1, 12),
                (2, 11),
                (3, 23),
                (4, 24),
                (5, 25),
                (6, 26),
                (7, 27),
                (i64::MAX, 13)
            ]
        );
    }
}
