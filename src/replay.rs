//! The directory as it was at any moment, rebuilt from the audit log alone: every change to a
//! force or a note carries the entity's whole state in `after`, so the newest change at or
//! before the moment is the entity as it was then.
use std::collections::BTreeMap;

use anyhow::{Context, Result};
use rusqlite::Connection;
use serde::Deserialize;

use crate::db::changes::{self, Cutoff};
use crate::db::{forces, link_checks, page};
use crate::model::{Force, ForceStatus, LinkStatus, ListEntry, NoteStatus};
use crate::publish::{Content, PublicForce};
use crate::validate::name_key;

/// A note's state as the audit log records it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct NoteState {
    pub id: i64,
    pub force: Option<String>,
    pub text: String,
    pub public: bool,
    pub status: NoteStatus,
}

/// Forces, notes and reviews as of one moment.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// By slug.
    pub forces: BTreeMap<String, Force>,
    /// By id.
    pub notes: BTreeMap<i64, NoteState>,
    /// Slug → time of the last review.
    pub reviewed: BTreeMap<String, String>,
}

pub fn snapshot(conn: &Connection, cutoff: &Cutoff) -> Result<Snapshot> {
    let mut snapshot = Snapshot::default();
    // parsed straight from the stored JSON into the types, without a `Value` in between
    let forces: Vec<Force> =
        changes::latest_force_states(conn, cutoff).context("a force change has an unexpected shape")?;
    for force in forces {
        snapshot.forces.insert(force.slug.clone(), force);
    }
    let notes: Vec<NoteState> =
        changes::latest_note_states(conn, cutoff).context("a note change has an unexpected shape")?;
    for note in notes {
        snapshot.notes.insert(note.id, note);
    }
    snapshot.reviewed = changes::last_reviews(conn, cutoff)?.into_iter().collect();
    Ok(snapshot)
}

impl Snapshot {
    /// Forces sorted as `list` sorts them: by name ignoring case, then slug.
    fn sorted(&self, include_retired: bool) -> Vec<&Force> {
        let mut forces: Vec<&Force> =
            self.forces.values().filter(|f| include_retired || f.status == ForceStatus::Active).collect();
        forces.sort_by_cached_key(|f| (name_key(&f.name), f.slug.clone()));
        forces
    }

    /// Open notes per force slug, counted in one pass over the notes.
    fn open_notes(&self) -> std::collections::HashMap<&str, i64> {
        let mut counts = std::collections::HashMap::new();
        for note in self.notes.values().filter(|n| n.status == NoteStatus::Open) {
            if let Some(slug) = note.force.as_deref() {
                *counts.entry(slug).or_insert(0) += 1;
            }
        }
        counts
    }

    /// `admin list` as it would have printed at the moment; `checks` maps slug → newest
    /// (status, url) of link checks made by then.
    pub fn list(
        &self,
        include_retired: bool,
        checks: &std::collections::HashMap<String, (String, String)>,
    ) -> Vec<ListEntry> {
        let open_notes = self.open_notes();
        self.sorted(include_retired)
            .into_iter()
            .map(|f| {
                let check = checks.get(&f.slug);
                ListEntry {
                    slug: f.slug.clone(),
                    name: f.name.clone(),
                    url: f.url.clone(),
                    status: f.status,
                    link_status: forces::link_status(
                        f.url.as_deref(),
                        check.map(|c| c.0.as_str()),
                        check.map(|c| c.1.as_str()),
                    ),
                    open_notes: open_notes.get(f.slug.as_str()).copied().unwrap_or(0),
                    last_reviewed: self.reviewed.get(&f.slug).cloned(),
                }
            })
            .collect()
    }

    /// The public content as it was: what a publication at that moment showed.
    pub fn content(&self, heading: String, intro: Vec<String>) -> Content {
        // open public notes by force (None: the page), oldest first, in one pass
        let mut public: std::collections::HashMap<Option<String>, Vec<String>> =
            std::collections::HashMap::new();
        for n in self.notes.values().filter(|n| n.public && n.status == NoteStatus::Open) {
            public.entry(n.force.clone()).or_default().push(n.text.clone());
        }
        let mut notes_for = |slug: Option<&str>| -> Vec<String> {
            public.remove(&slug.map(str::to_owned)).unwrap_or_default()
        };
        Content {
            heading,
            intro,
            notes: notes_for(None),
            forces: self
                .sorted(false)
                .into_iter()
                .map(|f| PublicForce {
                    slug: f.slug.clone(),
                    name: f.name.clone(),
                    url: f.url.clone(),
                    notes: notes_for(Some(&f.slug)),
                })
                .collect(),
        }
    }

    /// A force by slug or name (ignoring case), as it was.
    pub fn find(&self, arg: &str) -> Option<&Force> {
        self.forces
            .get(arg)
            .or_else(|| self.forces.get(&arg.to_lowercase()))
            .or_else(|| self.forces.values().find(|f| name_key(&f.name) == name_key(arg)))
    }
}

/// `admin list --as-of`: the directory at `at`.
pub fn list_as_of(conn: &Connection, at: &str, include_retired: bool) -> Result<Vec<ListEntry>> {
    let snapshot = snapshot(conn, &Cutoff::At(at.to_owned()))?;
    let checks = link_checks::latest_before(conn, at)?;
    Ok(snapshot.list(include_retired, &checks))
}

/// The public content as of a change id: what a publication covering up to it showed.
pub fn content_as_of_change(conn: &Connection, id: i64) -> Result<Content> {
    let snapshot = snapshot(conn, &Cutoff::Id(id))?;
    let heading = page::get(conn, "heading")?.unwrap_or_else(|| "Use of Force Data".to_owned());
    let intro = crate::publish::intro_paragraphs(&page::get(conn, "intro")?.unwrap_or_default());
    Ok(snapshot.content(heading, intro))
}

/// A force's link status as of `at`, for `show --as-of`.
pub fn link_status_as_of(conn: &Connection, force: &Force, at: &str) -> Result<LinkStatus> {
    let checks = link_checks::latest_before(conn, at)?;
    let check = checks.get(&force.slug);
    Ok(forces::link_status(force.url.as_deref(), check.map(|c| c.0.as_str()), check.map(|c| c.1.as_str())))
}
