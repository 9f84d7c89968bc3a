//! Reading the past from the audit log: `list --as-of`, `show --as-of` and the content a past
//! publication showed, each through the one replayed `State`.
use std::borrow::Cow;
use std::collections::HashMap;

use anyhow::Result;
use rusqlite::Connection;

use crate::content::Content;
use crate::db::changes::Cutoff;
use crate::db::{forces, link_checks};
use crate::model::ListEntry;
use crate::state::State;

/// `admin list` as it would have printed from `state`; `checks` maps slug → newest (status,
/// url) of link checks made by then.
pub fn list<'a>(
    state: &'a State,
    include_retired: bool,
    checks: &HashMap<String, (String, String)>,
) -> Vec<ListEntry<'a>> {
    let open_notes = state.open_notes();
    let sorted = state.sorted_forces(include_retired);
    // for a large directory, half the entries are made on another thread
    crate::threads::by_halves(sorted.len() >= crate::threads::LARGE, &sorted, |part| {
        part.iter()
            .map(|f| {
                let check = checks.get(&f.slug);
                ListEntry {
                    slug: Cow::from(&f.slug),
                    name: Cow::from(&f.name),
                    url: f.url.as_deref().map(Cow::from),
                    status: f.status,
                    link_status: forces::link_status(
                        f.url.as_deref(),
                        check.map(|c| c.0.as_str()),
                        check.map(|c| c.1.as_str()),
                    ),
                    open_notes: open_notes.get(f.slug.as_str()).copied().unwrap_or(0),
                    last_reviewed: state.last_reviewed(&f.slug).map(Cow::from),
                    data_to: state.data_to(&f.slug).map(Cow::from),
                }
            })
            .collect()
    })
}

/// `admin list --as-of`: the directory at `at`.
/// The entries borrow the replayed state, which is left to the end of the process: a hundred
/// thousand forces and their reviews, which the command prints and then ends (letting the
/// process free them is faster than freeing them here, as verify does).
pub fn list_as_of(conn: &Connection, at: &str, include_retired: bool) -> Result<Vec<ListEntry<'static>>> {
    let state: &'static State = Box::leak(Box::new(crate::log::replay(conn, &Cutoff::At(at.to_owned()))?));
    let checks = link_checks::latest_before(conn, at)?;
    Ok(list(state, include_retired, &checks))
}

/// The public content as of a change id: what a publication covering up to it showed.
pub fn content_as_of_change(conn: &Connection, id: i64) -> Result<Content> {
    Ok(Content::from_state(&crate::log::replay(conn, &Cutoff::Id(id))?))
}

/// When the log starts, where that is after `at`: a reading of the past before the first change
/// sees nothing.
pub fn log_starts_after(conn: &Connection, at: &str) -> Result<Option<String>> {
    Ok(crate::db::changes::first_at(conn)?.filter(|first| first.as_str() > at))
}

/// Say, on stderr (a warning), when the log starts if `at` is before it, so that an empty
/// answer is not taken for an empty directory.
pub fn warn_if_before_the_log(conn: &Connection, at: &str) -> Result<()> {
    if let Some(first) = log_starts_after(conn, at)? {
        crate::output::warning(format!(
            "{} is before the audit log's first change ({}): nothing was recorded then",
            crate::clock::shown(at),
            crate::clock::shown(&first)
        ));
    }
    Ok(())
}
