//! The projection: the only code that writes the tables the audit log describes (forces, notes,
//! reviews, page, editors, settings, publications, and the checkpoints of the whole state). A row is written from a `State`, never built by a
//! command: `project` loads the rows a change touches into a state, applies the change to it
//! with the one `apply`, and writes those rows back; `rebuild` writes every row of a replayed
//! state into empty tables, which is how `audit verify` rebuilds a database from its log.
use anyhow::Result;
use rusqlite::Connection;

use crate::db::{checkpoints, editors, forces, notes, page, publications, reviews, settings};
use crate::event::Event;
use crate::model::{AuditHead, Change};
use crate::state::{apply_unchecked, Header, State};

/// Write what `change` (just appended, after `previous`) does to the tables, in the caller's
/// transaction.
pub fn project(conn: &Connection, change: &Change, event: &Event, previous: Option<AuditHead>) -> Result<()> {
    let mut state = touched(conn, event, change.reverts)?;
    state.head = previous;
    // a conflict here means a table was edited behind the tool's back: the row takes the log's
    // word, and `audit verify` reports the edit from the log
    let _ = apply_unchecked(&mut state, &Header::of(change), event.clone());
    write_touched(conn, &state, event, change)?;
    keep_checkpoints(conn, change.id)
}

/// Write the checkpoints due by change `head` (one every `checkpoints::every()` changes) that
/// are missing: the one this change completes or, in a database from before checkpoints, all of
/// them, once. Each is the state replayed, keeping the rules, from the one before it.
fn keep_checkpoints(conn: &Connection, head: i64) -> Result<()> {
    let every = checkpoints::every();
    let due = head / every * every;
    // one row for each multiple of `every` up to `due` (only they are written): a count short of
    // that is one due now, or, in a database from before checkpoints or with one deleted, several
    if due == 0 {
        return Ok(());
    }
    // a checkpoints table that cannot be read (dropped, or not the one admin's migrations make)
    // keeps none: a replay then starts at the first change, and `audit verify` names the table
    let (Ok(count), Ok(have)) = (checkpoints::count(conn, due), checkpoints::changes(conn)) else {
        return Ok(());
    };
    if count >= due / every {
        return Ok(());
    }
    let mut made: Option<(i64, State)> = None;
    for next in (1..=due / every).map(|k| k * every).filter(|next| !have.contains(next)) {
        // from the one just made, else the newest stored before it, else the first change
        let (at, mut state) = match made.take() {
            Some(made) => made,
            None => crate::log::start_at(conn, next - 1)?,
        };
        let range = crate::db::changes::Range::Between(at, crate::db::changes::Cutoff::Id(next));
        crate::log::apply_range(conn, &mut state, &range, true)?;
        checkpoints::put(conn, next, &crate::state::checkpoint::encode(&state))?;
        made = Some((next, state));
    }
    Ok(())
}

/// The rows `event` touches, as the tables hold them now.
fn touched(conn: &Connection, event: &Event, reverts: Option<i64>) -> Result<State> {
    let mut state = State::default();
    match event {
        Event::Force { after, .. } => {
            if let Some(force) = forces::by_slug(conn, &after.slug)? {
                state.forces.insert(force.slug.clone(), force);
            }
        }
        Event::Note { after, .. } => {
            if let Some((note, row)) = notes::row(conn, after.id)? {
                state.notes.insert(note.id, note);
                state.rows.notes.insert(after.id, row);
            }
        }
        Event::ReviewWithdrawn(_) => {
            if let Some((slug, review)) =
                reverts.map(|id| reviews::by_change(conn, id)).transpose()?.flatten()
            {
                state.reviews.entry(slug).or_default().push(review);
            }
        }
        Event::Page { .. } => state.page = page::read(conn)?,
        Event::Editor { after, .. } => {
            if let Some((editor, row)) = editors::row(conn, &after.name)? {
                state.editors.insert(editor.name.clone(), editor);
                state.rows.editors.insert(after.name.clone(), row);
            }
        }
        Event::Setting { after, .. } => load_setting(conn, &mut state, &after.name)?,
        // the first publication to record its directory makes it the site's home
        Event::Publication(_) => load_setting(conn, &mut state, crate::state::SITE)?,
        Event::Review(_) | Event::Approval(_) | Event::Schedule(_) | Event::ScheduleCancelled(_) => {}
    }
    Ok(state)
}

fn load_setting(conn: &Connection, state: &mut State, name: &str) -> Result<()> {
    if let Some(value) = settings::get(conn, name)? {
        state.settings.insert(name.to_owned(), value);
    }
    Ok(())
}

/// Write the rows `event` touched from `state`, which it has been applied to.
fn write_touched(conn: &Connection, state: &State, event: &Event, change: &Change) -> Result<()> {
    match event {
        // a new force takes the next row id: the table, not this one-force state, knows it
        Event::Force { before: None, after } => match state.forces.get(&after.slug) {
            Some(force) => forces::put(conn, &crate::model::Force { id: 0, ..force.clone() }, change.id),
            None => Ok(()),
        },
        Event::Force { after, .. } => write_force(conn, state, &after.slug),
        Event::Note { after, .. } => write_note(conn, state, after.id),
        Event::Review(review) => {
            let written = state.reviews.get(&review.force).and_then(|list| list.last());
            written.map_or(Ok(()), |r| reviews::insert(conn, &review.force, None, r))
        }
        Event::ReviewWithdrawn(_) => change.reverts.map_or(Ok(()), |id| reviews::delete(conn, id)),
        Event::Page { .. } => write_page(conn, state),
        Event::Editor { after, .. } => write_editor(conn, state, &after.name),
        Event::Publication(_) => {
            if state.rows.settings.get(crate::state::SITE) == Some(&change.id) {
                write_setting(conn, state, crate::state::SITE)?;
            }
            state.publications.last().map_or(Ok(()), |p| publications::insert(conn, p))
        }
        Event::Setting { after, .. } => write_setting(conn, state, &after.name),
        Event::Approval(_) | Event::Schedule(_) | Event::ScheduleCancelled(_) => Ok(()),
    }
}

fn write_setting(conn: &Connection, state: &State, name: &str) -> Result<()> {
    match (state.settings.get(name), state.rows.settings.get(name)) {
        (Some(value), Some(change)) => settings::put(conn, name, value, *change),
        _ => Ok(()),
    }
}

fn write_force(conn: &Connection, state: &State, slug: &str) -> Result<()> {
    match state.forces.get(slug).and_then(|f| Some((f, *state.rows.forces.get(&f.id)?))) {
        Some((force, change)) => forces::put_edit(conn, force, change),
        None => Ok(()),
    }
}

fn write_note(conn: &Connection, state: &State, id: i64) -> Result<()> {
    match (state.notes.get(&id), state.rows.notes.get(&id)) {
        (Some(note), Some(row)) => {
            let force_id = note.force.as_ref().and_then(|slug| state.forces.get(slug)).map(|f| f.id);
            notes::put(conn, note, row, force_id)
        }
        _ => Ok(()),
    }
}

fn write_page(conn: &Connection, state: &State) -> Result<()> {
    match (&state.page, state.rows.page) {
        (Some(text), Some(change)) => page::write(conn, text, change),
        _ => Ok(()),
    }
}

fn write_editor(conn: &Connection, state: &State, name: &str) -> Result<()> {
    match (state.editors.get(name), state.rows.editors.get(name)) {
        (Some(editor), Some(row)) => editors::put(conn, editor, row),
        _ => Ok(()),
    }
}

/// Which rows a rebuild writes: the forces first added, or the rest of them and every other
/// table. `audit verify` writes the two into two databases at once, on two cores; in each table,
/// every row of the first comes before every row of the second in key order (notes and reviews
/// name their force's row id, not its row). The forces are split where the two take about as
/// long (`first_share`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    First,
    Second,
}

/// Write the rows of `state` in `part` into empty tables: the database its log rebuilds. Forces
/// go in the order they were added, so each keeps its row id. The indexes the migrations made
/// are dropped for the bulk write and made again, from their own SQL, after it.
pub fn rebuild(conn: &Connection, state: &State, part: Part) -> Result<()> {
    crate::db::without_indexes(conn, || {
        let mut order: Vec<&crate::model::Force> = state.forces.values().collect();
        order.sort_unstable_by_key(|f| f.id);
        let (first, second) = order.split_at(first_share(order.len(), other_rows(state)));
        for force in if part == Part::First { first } else { second } {
            if let Some(&change) = state.rows.forces.get(&force.id) {
                forces::put(conn, force, change)?;
            }
        }
        match part {
            Part::First => Ok(()),
            Part::Second => write_others(conn, state),
        }
    })
}

/// How many of `forces` forces the first part writes, when the second also writes `others` rows
/// of the other tables: a force's row (its name's keys made, two unique indexes kept) took about
/// twice as long to write as a note, review or publication (a large rebuild, measured: 50,000
/// forces 0.22 s, 90,000 other rows 0.21 s), so the first takes half the forces and a quarter as
/// many more as there are other rows, and never more than all of them.
fn first_share(forces: usize, others: usize) -> usize {
    (forces / 2 + others / 4).min(forces)
}

/// The rows of every table but the forces.
fn other_rows(state: &State) -> usize {
    state.notes.len()
        + state.reviews.values().map(Vec::len).sum::<usize>()
        + state.publications.len()
        + state.editors.len()
        + state.settings.len()
}

/// Every table but the forces.
fn write_others(conn: &Connection, state: &State) -> Result<()> {
    for id in state.notes.keys() {
        write_note(conn, state, *id)?;
    }
    for (slug, list) in &state.reviews {
        let force_id = state.forces.get(slug).map(|f| f.id);
        for review in list {
            reviews::insert(conn, slug, force_id, review)?;
        }
    }
    write_page(conn, state)?;
    for name in state.editors.keys() {
        write_editor(conn, state, name)?;
    }
    for publication in &state.publications {
        publications::insert(conn, publication)?;
    }
    for name in state.settings.keys() {
        write_setting(conn, state, name)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::first_share;

    #[test]
    fn the_first_part_takes_more_forces_as_the_second_has_more_other_rows() {
        assert_eq!(first_share(100_000, 0), 50_000);
        assert_eq!(first_share(100_000, 90_000), 72_500);
        // never more forces than there are
        assert_eq!(first_share(10, 1_000), 10);
        assert_eq!(first_share(0, 0), 0);
    }
}
