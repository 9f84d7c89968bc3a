//! `history.json`: the public changes of every publication (`crate::published`), from which
//! each publication's directory rebuilds and is checked against its record (SPEC section 18).
//! Each publication's `publish` change keeps its own changes; the first publication with a
//! record starts from an empty directory (for a log whose earlier publications kept none, the
//! directory it showed, found by undoing the later ones from a known directory).
use std::collections::BTreeMap;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::published::{changes, Changes, Directory};
use crate::state::State;

/// One publication in `history.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub number: i64,
    pub published_at: String,
    pub note: String,
    #[serde(flatten)]
    pub changes: Changes,
}

/// `history.json` as it is written and read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    pub publications: Vec<Entry>,
}

/// The history up to publication `up_to`, whose directory is `directory`, from what the
/// publications in `state` kept (`pending`: the changes of `up_to` itself when it is not recorded
/// yet).
pub fn of(
    state: &State,
    up_to: i64,
    directory: &Directory,
    pending: Option<(&str, &str, &Changes)>,
) -> History {
    let mut entries: Vec<Entry> = Vec::new();
    if let Some((at, note, changes)) = pending {
        entries.push(Entry {
            number: up_to,
            published_at: at.to_owned(),
            note: note.to_owned(),
            changes: changes.clone(),
        });
    }
    for publication in state.publications.iter().rev().filter(|p| p.id <= up_to) {
        if entries.iter().any(|e| e.number == publication.id) {
            continue;
        }
        let Some(kept) = state.records.get(&publication.id) else { break };
        entries.push(Entry {
            number: publication.id,
            published_at: publication.at.clone(),
            note: publication.note.clone(),
            changes: kept.changes.clone(),
        });
    }
    entries.reverse();
    // the first entry starts from an empty directory: undo the later ones from the last
    if let Some(first) = entries.first().map(|e| e.number) {
        let mut at_first = directory.clone();
        for entry in entries.iter().rev().take_while(|e| e.number != first) {
            // a log that holds together undoes cleanly; one that does not is caught by verify
            let _ = at_first.apply(&entry.changes.reversed());
        }
        entries[0].changes = changes(&Directory::default(), &at_first);
    }
    History { publications: entries }
}

/// The text of `history.json`: pretty JSON, one publication after another.
pub fn to_json(history: &History) -> Result<Vec<u8>> {
    let mut text = serde_json::to_vec_pretty(history)?;
    text.push(b'\n');
    Ok(text)
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
            .apply(&entry.changes)
            .map_err(|e| anyhow::anyhow!("publication {} in history.json: {e}", entry.number))?;
        out.insert(entry.number, directory.sha256());
    }
    Ok(out)
}
