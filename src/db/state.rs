//! The state the live tables hold, read as the log's `State` type, for comparing with a replay.
use anyhow::Result;
use rusqlite::Connection;

use crate::state::{NoteState, State};

/// What the live tables say the directory is: forces, notes, reviews, page and editors.
pub fn live(conn: &Connection) -> Result<State> {
    let mut state = State::default();
    for force in super::forces::all(conn)? {
        state.forces.insert(force.slug.clone(), force);
    }
    for note in super::notes::list(conn, super::notes::Scope::All, false, false)? {
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
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM reviews r JOIN forces f ON f.id = r.force_id ORDER BY r.change_id",
        super::reviews::REVIEW_COLUMNS
    ))?;
    let rows = stmt.query_map([], super::reviews::review_from_row)?;
    for row in rows {
        let (slug, review) = row?;
        state.reviews.entry(slug).or_default().push(review);
    }
    state.page = super::page::read(conn)?;
    for row in super::editors::rows(conn)? {
        state.editors.insert(row.state.name.clone(), row.state);
    }
    Ok(state)
}
