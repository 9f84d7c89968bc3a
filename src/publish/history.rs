//! `history.json`: the public changes of every publication (`crate::published`), from which
//! each publication's directory rebuilds and is checked against its record (SPEC section 18).
//! Each publication's `publish` change keeps its own changes; the first publication with a
//! record starts from an empty directory (for a log whose earlier publications kept none, the
//! directory it showed, found by undoing the later ones from a known directory).
use std::borrow::Cow;
use std::collections::BTreeMap;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::published::{changes, Changes, Directory};
use crate::state::State;

/// One publication in `history.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry<'a> {
    pub number: i64,
    pub published_at: Cow<'a, str>,
    pub note: Cow<'a, str>,
    #[serde(flatten)]
    pub changes: EntryChanges<'a>,
}

/// An entry's changes: those a publication kept, borrowed from the state's records where the
/// history is written (a large log's are about a hundred megabytes) and owned where it is read;
/// or, for the first entry written, every force and word of a directory as added to an empty
/// one, written from the directory itself (a hundred thousand forces' changes would take
/// several times the directory's memory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryChanges<'a> {
    Kept(Cow<'a, Changes>),
    FromEmpty(Directory),
}

impl EntryChanges<'_> {
    /// The changes themselves.
    pub fn changes(&self) -> Cow<'_, Changes> {
        match self {
            EntryChanges::Kept(changes) => Cow::Borrowed(changes.as_ref()),
            EntryChanges::FromEmpty(directory) => Cow::Owned(changes(&Directory::default(), directory)),
        }
    }
}

impl Serialize for EntryChanges<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            EntryChanges::Kept(changes) => changes.serialize(serializer),
            EntryChanges::FromEmpty(directory) => crate::published::AddedTo(directory).serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for EntryChanges<'_> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Changes::deserialize(deserializer).map(|changes| EntryChanges::Kept(Cow::Owned(changes)))
    }
}

/// `history.json` as it is written and read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History<'a> {
    pub publications: Vec<Entry<'a>>,
}

/// The history up to publication `up_to`, whose directory is `directory`, from what the
/// publications in `state` kept (`pending`: the changes of `up_to` itself when it is not recorded
/// yet).
pub fn of<'a>(
    state: &'a State,
    up_to: i64,
    directory: Directory,
    pending: Option<(&'a str, &'a str, &'a Changes)>,
) -> History<'a> {
    let mut entries: Vec<Entry> = Vec::new();
    let kept = |number: i64, at: &'a str, note: &'a str, changes: &'a Changes| Entry {
        number,
        published_at: Cow::Borrowed(at),
        note: Cow::Borrowed(note),
        changes: EntryChanges::Kept(Cow::Borrowed(changes)),
    };
    if let Some((at, note, changes)) = pending {
        entries.push(kept(up_to, at, note, changes));
    }
    for publication in state.publications.iter().rev().filter(|p| p.id <= up_to) {
        if entries.iter().any(|e| e.number == publication.id) {
            continue;
        }
        let Some(record) = state.records.get(&publication.id) else { break };
        entries.push(kept(publication.id, &publication.at, &publication.note, &record.changes));
    }
    entries.reverse();
    // the first entry starts from an empty directory: undo the later ones from the last
    if let Some(first) = entries.first().map(|e| e.number) {
        let mut at_first = directory;
        for entry in entries.iter().rev().take_while(|e| e.number != first) {
            // a log that holds together undoes cleanly; one that does not is caught by verify
            let _ = at_first.apply(&entry.changes.changes().reversed());
        }
        entries[0].changes = EntryChanges::FromEmpty(at_first);
    }
    History { publications: entries }
}

/// `history.json`, written into `out`: pretty JSON, one publication after another.
pub fn write(out: &mut dyn std::io::Write, history: &History) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, history)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Rebuild every publication's directory from `history`, in order: its sha256 by number.
pub fn rebuild(history: &History) -> Result<BTreeMap<i64, String>> {
    let mut directory = Directory::default();
    let mut out = BTreeMap::new();
    // the numbers follow one another
    for pair in history.publications.windows(2) {
        if pair[1].number != pair[0].number + 1 {
            anyhow::bail!("history.json goes from publication {} to {}", pair[0].number, pair[1].number);
        }
    }
    for entry in &history.publications {
        directory
            .apply(&entry.changes.changes())
            .map_err(|e| anyhow::anyhow!("publication {} in history.json: {e}", entry.number))?;
        out.insert(entry.number, directory.sha256());
    }
    Ok(out)
}
