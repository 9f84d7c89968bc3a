//! The state the live tables hold, read as the log's `State` type, for comparing with a replay.
use anyhow::Result;
use rusqlite::Connection;

use crate::content::{HashedForce, PageRef};
use crate::model::{Force, ForceStatus, NoteStatus};
use crate::state::{NoteState, Page, ReviewState, State};

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

/// What the live tables show the public, read for nothing else: a note's text only when the
/// note is shown (public and open), of a force's reviews only the newest day recorded, and no
/// editors. Publish hashes it beside the replay of the log, whose state is the largest thing it
/// holds: for 100,000 forces the whole state of the tables, or their content made, was tens of
/// megabytes more at that moment.
struct Shown {
    /// Every force, in row order.
    forces: Vec<Force>,
    /// The places in `forces` of the active ones, in the page's order.
    order: Vec<usize>,
    /// By place in `forces`: its open public notes, oldest first, and its newest recorded day.
    notes_of: Vec<Vec<String>>,
    data_to: Vec<Option<String>>,
    /// The page's open public notes, oldest first.
    of_page: Vec<String>,
    page: Page,
}

fn shown(conn: &Connection) -> Result<Shown> {
    let forces = super::forces::all_by_id(conn)?;
    // each force's place in `forces`, by row id
    let place: std::collections::HashMap<i64, usize> =
        forces.iter().enumerate().map(|(at, f)| (f.id, at)).collect();
    let mut of_page = Vec::new();
    let mut notes_of: Vec<Vec<String>> = vec![Vec::new(); forces.len()];
    let mut notes = conn.prepare_cached("SELECT force_id, public, status, text FROM notes ORDER BY id")?;
    let mut rows = notes.query([])?;
    while let Some(row) = rows.next()? {
        // as `live` reads them: a force id that is not a number names no force
        let force = row.get_ref(0)?.as_i64().ok().and_then(|id| place.get(&id));
        let public: bool = row.get(1)?;
        let open = row.get_ref(2)?.as_str()? != "resolved";
        if public && open {
            let text: String = row.get(3)?;
            match force {
                Some(&at) => notes_of[at].push(text),
                None => of_page.push(text),
            }
        }
    }
    // a force's newest review that recorded a day, in the order `live` reads them
    let mut data_to: Vec<Option<String>> = vec![None; forces.len()];
    let mut reviews = conn.prepare_cached("SELECT force_id, data_to FROM reviews ORDER BY change_id")?;
    let mut rows = reviews.query([])?;
    while let Some(row) = rows.next()? {
        let Some(&at) = row.get_ref(0)?.as_i64().ok().and_then(|id| place.get(&id)) else { continue };
        if let Some(day) = row.get::<_, Option<String>>(1)? {
            data_to[at] = Some(day);
        }
    }
    let order: Vec<usize> =
        crate::state::sorted_forces(forces.iter().filter(|f| f.status == ForceStatus::Active).collect())
            .into_iter()
            .filter_map(|f| place.get(&f.id).copied())
            .collect();
    let page = super::page::read(conn)?.unwrap_or_default();
    Ok(Shown { forces, order, notes_of, data_to, of_page, page })
}

/// The sha256 of the live tables' public content: `Content::from_state(&live(conn)?).sha256()`,
/// without the state or the content made.
pub fn live_content_sha256(conn: &Connection) -> Result<String> {
    let shown = shown(conn)?;
    let forces = shown.order.iter().map(|&at| {
        let force = &shown.forces[at];
        HashedForce {
            data_to: shown.data_to[at].as_deref(),
            name: &force.name,
            notes: &shown.notes_of[at],
            slug: &force.slug,
            url: force.url.as_deref(),
        }
    });
    Ok(crate::content::sha256_of(PageRef::of(&shown.page), &shown.of_page, forces))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_live_content_hash_is_the_hash_of_the_live_state_content() {
        let conn = crate::db::in_memory().unwrap();
        conn.execute_batch(
            "INSERT INTO forces (id, slug, name, name_key, url, status) VALUES
                 (1, 'zed', 'alpha police', 'alpha police z', 'https://example.org/zed', 'active'),
                 (2, 'abc', 'Alpha Police', 'alpha police a', NULL, 'active'),
                 (3, 'gone', 'Gone Police', 'gone police', 'https://example.org/gone', 'retired'),
                 (4, 'mid', 'Middle', 'middle', NULL, 'active'),
                 (7, 'late', 'Éclair <b>', 'eclair', 'https://example.org/é', 'active');
             INSERT INTO notes (id, force_id, text, public, status, editor, at) VALUES
                 (1, 1, 'zed public', 1, 'open', 'e', 't'),
                 (2, 1, 'zed private', 0, 'open', 'e', 't'),
                 (3, 1, 'zed resolved', 1, 'resolved', 'e', 't'),
                 (4, 3, 'on a retired force', 1, 'open', 'e', 't'),
                 (5, NULL, 'of the page', 1, 'open', 'e', 't'),
                 (6, NULL, 'private, of the page', 0, 'open', 'e', 't'),
                 (9, 1, 'zed again \"quoted\"', 1, 'open', 'e', 't'),
                 (8, 7, 'late', 1, 'open', 'e', 't');
             INSERT INTO reviews (change_id, force_id, at, editor, message, data_to) VALUES
                 (10, 1, 't', 'e', NULL, '2025-01-31'),
                 (11, 1, 't', 'e', 'no day', NULL),
                 (12, 4, 't', 'e', NULL, NULL),
                 (13, 7, 't', 'e', NULL, '2025-02-28'),
                 (14, 7, 't', 'e', NULL, '2025-03-31'),
                 (15, 3, 't', 'e', NULL, '2025-04-30');
             INSERT INTO page (key, value) VALUES ('heading', 'Heading'), ('intro', 'One.\n\nTwo.');",
        )
        .unwrap();
        let content = crate::content::Content::from_state(&live(&conn).unwrap());
        assert_eq!(live_content_sha256(&conn).unwrap(), content.sha256());
        let slugs: Vec<&str> = content.forces.iter().map(|f| f.slug.as_str()).collect();
        // by name ignoring case, then slug; "é" after every ASCII letter
        assert_eq!(slugs, ["abc", "zed", "mid", "late"]);
        assert_eq!(content.notes, ["of the page"]);
        assert_eq!(content.forces[1].notes, ["zed public", "zed again \"quoted\""]);
        assert_eq!(content.forces[1].data_to.as_deref(), Some("2025-01-31"));
        assert_eq!(content.forces[3].data_to.as_deref(), Some("2025-03-31"));
        assert_eq!(content.intro, ["One.", "Two."]);
        // no page recorded: the default page, as a state without one shows
        conn.execute("DELETE FROM page", []).unwrap();
        let content = crate::content::Content::from_state(&live(&conn).unwrap());
        assert_eq!(live_content_sha256(&conn).unwrap(), content.sha256());
        // and a difference in any shown value is a different hash
        for edit in [
            "UPDATE forces SET url = 'https://example.org/other' WHERE id = 4",
            "UPDATE notes SET text = 'zed public.' WHERE id = 1",
            "UPDATE notes SET public = 1 WHERE id = 2",
            "UPDATE reviews SET data_to = '2025-03-30' WHERE change_id = 14",
            "UPDATE forces SET status = 'active' WHERE id = 3",
            "INSERT INTO page (key, value) VALUES ('publisher', 'Home Office')",
        ] {
            conn.execute(edit, []).unwrap();
            let changed = crate::content::Content::from_state(&live(&conn).unwrap());
            assert_ne!(changed.sha256(), content.sha256(), "{edit}");
            assert_eq!(live_content_sha256(&conn).unwrap(), changed.sha256(), "{edit}");
        }
    }
}
