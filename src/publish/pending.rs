//! What the next publication would be: the content pending approval, the changes and note it
//! would cover, and the site `admin serve` previews.
use anyhow::Result;
use rusqlite::Connection;

use super::difference::{between_sides, side_of, PublicDifference};
use super::made::{Sink, Site};
use super::{checked_state, evidence, render_site, summary, summary_since};
use crate::db::changes::{self, Cutoff};
use crate::db::publications;
use crate::model::Publication;
use crate::state::State;

/// The content pending publication, for the second check: `None` when it is what was last
/// published.
pub fn pending_approval(conn: &Connection) -> Result<Option<crate::approval::Pending>> {
    let sha = checked_state(conn)?.content_sha256;
    let last = publications::last(conn)?;
    if last.as_ref().is_some_and(|p| p.content_sha256 == sha) {
        return Ok(None);
    }
    let from = last.map_or(0, |p| p.last_change);
    awaiting(conn, sha, changes::since_id_but_publications(conn, from)?).map(Some)
}

/// The content `content_sha256` pending approval, with the public ones of the changes it covers.
fn awaiting(
    conn: &Connection,
    content_sha256: String,
    covered: impl IntoIterator<Item = crate::model::Change>,
) -> Result<crate::approval::Pending> {
    let changes = covered.into_iter().filter(crate::approval::is_public).collect();
    Ok(crate::approval::Pending { content_sha256, head: changes::last_id(conn)?, changes })
}

/// What the next publication would cover: the changes since the last one (publications
/// themselves aside), the automatic note it would get, and what the public would see change.
pub fn pending(conn: &Connection) -> Result<Next> {
    let last = publications::last(conn)?;
    let from = last.as_ref().map_or(0, |p| p.last_change);
    let covered: Vec<_> = changes::since_id_but_publications(conn, from)?;
    let replayed = crate::log::replay_with_snapshot(
        conn,
        &Cutoff::Id(changes::last_id(conn)?),
        last.as_ref().map(|p| p.last_change),
        side_of,
    )?;
    let then = replayed.then.unwrap_or_else(|| side_of(&State::default()));
    let difference = between_sides(&then, &side_of(&replayed.now));
    let note = note_of(last.as_ref(), &difference);
    Ok((covered, note, difference))
}

/// `pending` and `pending_approval` at once, from one reading of the log, checked as
/// `pending_approval` checks it (what `status` shows: on a large directory each reading of the
/// log to the last publication is half a second).
pub fn pending_with_approval(conn: &Connection) -> Result<(Next, Option<crate::approval::Pending>)> {
    let checked = checked_state(conn)?;
    let last = publications::last(conn)?;
    let from = last.as_ref().map_or(0, |p| p.last_change);
    let covered = changes::since_id_but_publications(conn, from)?;
    let difference = checked.difference();
    let note = note_of(last.as_ref(), &difference);
    let approval = match last {
        Some(last) if last.content_sha256 == checked.content_sha256 => None,
        _ => Some(awaiting(conn, checked.content_sha256, covered.iter().cloned())?),
    };
    Ok(((covered, note, difference), approval))
}

/// What `pending` gives: the changes the next publication would cover, its automatic note and
/// what the public would see change.
type Next = (Vec<crate::model::Change>, String, PublicDifference);

/// The automatic note of the next publication.
fn note_of(last: Option<&Publication>, difference: &PublicDifference) -> String {
    match last {
        None => "First published.".to_owned(),
        Some(_) => match summary::sentences(difference) {
            note if note.is_empty() => "nothing public has changed".to_owned(),
            note => summary::as_note(&note),
        },
    }
}

/// The site as the next publication would make it, for `admin serve`: the current database,
/// unpublished changes included, marked as a preview only when there are some (when the public
/// content is what was last published, the page is the published one and says nothing more,
/// once the log agrees that it is). Nothing is written or recorded.
pub fn preview(conn: &Connection, at: &str) -> Result<Site> {
    let checked = checked_state(conn)?;
    let content = &checked.content;
    let last = publications::last(conn)?;
    if let Some(last) = last.as_ref().filter(|l| l.content_sha256 == checked.content_sha256) {
        let then = checked.then_of_unchanged();
        evidence::check_unchanged(conn, last, &last.content_sha256, then)?;
        return render_site(conn, content, last, false, Sink::Memory);
    }
    let note = match &last {
        None => "First published.".to_owned(),
        Some(_) => match summary_since(&checked) {
            lines if lines.is_empty() => "nothing public has changed".to_owned(),
            lines => summary::as_note(&lines),
        },
    };
    let head = changes::head(conn)?;
    let publication = Publication {
        id: last.as_ref().map_or(1, |p| p.id + 1),
        at: at.to_owned(),
        editor: String::new(),
        note,
        major: true,
        sha256: String::new(),
        changes: Vec::new(),
        content_sha256: String::new(),
        first_change: 0,
        last_change: head.as_ref().map_or(0, |h| h.id),
        head_hash: head.map(|h| h.hash),
        approved_by: None,
        without_approval: None,
        change: 0,
    };
    render_site(conn, content, &publication, true, Sink::Memory)
}

/// What the public would see change if the content now were published: the state the last
/// publication covered (an empty state before the first) against the state now, both replayed
/// from the log.
pub fn pending_difference(conn: &Connection) -> Result<PublicDifference> {
    Ok(pending(conn)?.2)
}
