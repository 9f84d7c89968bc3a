//! The state the live tables hold, read as the log's `State` type, for comparing with a replay.
use anyhow::Result;
use rusqlite::Connection;

use crate::model::NoteStatus;
use crate::state::{NoteState, ReviewState, State};

/// What the live tables say the directory is: forces, notes, reviews, page and editors. Each
/// table is read in its own row order, and a note's or review's force is named from the forces
/// read first rather than by a join, which would look each force up again, all over a large file
/// (a row whose force is not in the table has none, as a join would give).
pub fn live(conn: &Connection) -> Result<State> {
    let mut state = State::default();
    let forces = super::forces::all_by_id(conn)?;
    let slugs: std::collections::HashMap<i64, String> =
        forces.iter().map(|f| (f.id, f.slug.clone())).collect();
    for force in forces {
        state.forces.insert(force.slug.clone(), force);
    }
    let mut notes =
        conn.prepare_cached("SELECT id, force_id, text, public, status FROM notes ORDER BY id")?;
    let mut rows = notes.query([])?;
    while let Some(row) = rows.next()? {
        // a force id that is not a number names no force, as the join's would not
        let (id, force_id): (i64, Option<i64>) = (row.get(0)?, row.get_ref(1)?.as_i64().ok());
        let status = row.get_ref(4)?.as_str()?;
        let note = NoteState {
            id,
            force: force_id.and_then(|f| slugs.get(&f).cloned()),
            text: row.get(2)?,
            public: row.get(3)?,
            status: if status == "resolved" { NoteStatus::Resolved } else { NoteStatus::Open },
        };
        state.notes.insert(id, note);
    }
    let mut reviews = conn.prepare_cached(
        "SELECT force_id, change_id, at, editor, message, data_to FROM reviews ORDER BY change_id",
    )?;
    let mut rows = reviews.query([])?;
    while let Some(row) = rows.next()? {
        let Some(slug) = row.get_ref(0)?.as_i64().ok().and_then(|id| slugs.get(&id)) else { continue };
        let review = ReviewState {
            change: row.get(1)?,
            at: row.get(2)?,
            editor: row.get(3)?,
            message: row.get(4)?,
            data_to: row.get(5)?,
        };
        state.reviews.entry(slug.clone()).or_default().push(review);
    }
    state.page = super::page::read(conn)?;
    for row in super::editors::rows(conn)? {
        state.editors.insert(row.state.name.clone(), row.state);
    }
    Ok(state)
}
