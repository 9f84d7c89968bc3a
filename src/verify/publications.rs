//! The publications table against the log's `publish` changes, row for change: what `publish`
//! asks before it renders the page's history from the table, and what tells a log cut short
//! (publications that record changes the log no longer has) from other damage.
use anyhow::Result;
use rusqlite::Connection;

use super::Problem;
use crate::db::publications;
use crate::model::Publication;
use crate::state::State;

/// Publications that record a head beyond the end of the log (`count` changes long), or more
/// publications than the log's `publish` changes: changes were cut from its end.
pub fn cut_short(conn: &Connection, count: i64, logged: &State) -> Result<Option<Problem>> {
    let all = publications::list(conn)?;
    if let Some(needed) = all.iter().map(|p| p.last_change).max().filter(|&n| n > count) {
        return Ok(Some(Problem::CutShort { ends_at: count, needed }));
    }
    if all.len() > logged.publications.len() {
        return Ok(Some(Problem::CutShort { ends_at: count, needed: count + 1 }));
    }
    Ok(None)
}

/// The publications table says what the log's `publish` changes say, row for change: no row
/// missing, none extra, and each with its change's time, editor, note, kind, sha256, content,
/// second check and the audit head it covered. `publish` asks this before it renders the page's
/// history from the table.
pub fn publications_match(conn: &Connection, logged: &State) -> Result<Option<Problem>> {
    // each row compared as it is read, oldest first: 10,000 of them are megabytes beside the
    // largest state `publish` holds
    let mut by_id: std::collections::BTreeMap<i64, &Publication> =
        logged.publications.iter().map(|p| (p.id, p)).collect();
    let mut problem = None;
    publications::each_oldest_first(conn, |row| {
        problem = row_matches(&row, &mut by_id);
        Ok(problem.is_none())
    })?;
    // no row for a publication the log records
    Ok(problem.or_else(|| {
        by_id.into_values().next().map(|log| Problem::Publication {
            id: log.id,
            what: format!("the log records it (change {}), but its row is missing", log.change),
        })
    }))
}

/// The first field a publication's row holds otherwise than its `publish` change, with the
/// row's value and the change's, as a message shows them.
fn first_field_differing(row: &Publication, log: &Publication) -> Option<(&'static str, String, String)> {
    // each field compared as it is, and shown only where it differs (every publication is
    // compared before each publish)
    let differs = [
        ("at", row.at != log.at),
        ("editor", row.editor != log.editor),
        ("note", row.note != log.note),
        ("major", row.major != log.major),
        ("sha256", row.sha256 != log.sha256),
        // a publication recorded before its change carried the content's sha256 (empty there)
        ("content_sha256", !log.content_sha256.is_empty() && row.content_sha256 != log.content_sha256),
        ("approved_by", row.approved_by != log.approved_by),
        ("without_approval", row.without_approval != log.without_approval),
    ];
    let (field, _) = differs.into_iter().find(|(_, differs)| *differs)?;
    let text = crate::output::quoted;
    let optional = |value: &Option<String>| value.as_deref().map_or_else(|| "nothing".to_owned(), text);
    let (held, says) = match field {
        "at" => (text(&row.at), text(&log.at)),
        "editor" => (text(&row.editor), text(&log.editor)),
        "note" => (text(&row.note), text(&log.note)),
        "major" => (row.major.to_string(), log.major.to_string()),
        "sha256" => (text(&row.sha256), text(&log.sha256)),
        "content_sha256" => (text(&row.content_sha256), text(&log.content_sha256)),
        "approved_by" => (optional(&row.approved_by), optional(&log.approved_by)),
        _ => (optional(&row.without_approval), optional(&log.without_approval)),
    };
    Some((field, held, says))
}

/// The first way a publication's row `p` is not what its `publish` change says, the change
/// taken out of `by_id` (the log's publications not yet matched with a row).
fn row_matches(
    p: &Publication,
    by_id: &mut std::collections::BTreeMap<i64, &Publication>,
) -> Option<Problem> {
    let problem = |what: String| Some(Problem::Publication { id: p.id, what });
    let Some(log) = by_id.remove(&p.id) else {
        return problem("it has no `publish` change in the audit log".to_owned());
    };
    if let Some((field, held, says)) = first_field_differing(p, log) {
        return problem(format!(
            "field {field}: its row holds {} but its `publish` change {} says {}",
            crate::output::shortened(&held),
            log.change,
            crate::output::shortened(&says)
        ));
    }
    if p.last_change >= log.change {
        return problem(format!(
            "it claims to cover change {}, after its own `publish` change {}",
            p.last_change, log.change
        ));
    }
    if (p.first_change, p.last_change) != (log.first_change, log.last_change) {
        return problem(format!(
            "its row covers changes {} to {}, but its `publish` change {} covers {} to {}",
            p.first_change, p.last_change, log.change, log.first_change, log.last_change
        ));
    }
    if let Some(head) = p.head_hash.as_ref().filter(|_| p.head_hash != log.head_hash) {
        return problem(format!(
            "it recorded change {} with hash {head}, but the log holds {}",
            p.last_change,
            if p.last_change == log.last_change {
                log.head_hash.as_deref().unwrap_or("no hash")
            } else {
                "another head"
            }
        ));
    }
    None
}
