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
    Ok(matches(&publications::list(conn)?, &logged.publications))
}

fn matches(rows: &[Publication], logged: &[Publication]) -> Option<Problem> {
    let mut by_id: std::collections::BTreeMap<i64, &Publication> = logged.iter().map(|p| (p.id, p)).collect();
    for p in rows.iter().rev() {
        let problem = |what: String| Some(Problem::Publication { id: p.id, what });
        let Some(log) = by_id.remove(&p.id) else {
            return problem("it has no `publish` change in the audit log".to_owned());
        };
        // a publication recorded before its change carried the content's sha256 (empty here)
        let content_differs = !log.content_sha256.is_empty() && log.content_sha256 != p.content_sha256;
        if log.sha256 != p.sha256
            || log.note != p.note
            || log.major != p.major
            || log.approved_by != p.approved_by
            || log.without_approval != p.without_approval
            || content_differs
            || log.at != p.at
            || log.editor != p.editor
        {
            return problem(format!("its row does not say what its `publish` change {} says", log.change));
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
    }
    by_id.into_values().next().map(|log| Problem::Publication {
        id: log.id,
        what: format!("the log records it (change {}), but its row is missing", log.change),
    })
}
