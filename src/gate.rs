//! The one gate every audited change passes, inside its write transaction.
//!
//! `begin` runs once the write lock is held (`Db::write_as` calls it first thing inside
//! `BEGIN IMMEDIATE`): it stamps the time there, so editors who waited on each other's lock are
//! stamped in the order they wrote, and it refuses a clock that has gone back before the newest
//! change. `append` is the only way a change enters the log: it checks the stamp again, gives
//! the change its id and chains its hash. Policy on who may write (roles, signatures) belongs
//! here too, so no command can forget it.
use anyhow::Result;
use rusqlite::Connection;

use crate::audit::NewChange;
use crate::clock::Clock;
use crate::db::changes;
use crate::directory::Actor;
use crate::exit_codes::failed_hint;
use crate::model::Change;

/// Who is about to write, and why; stamped with the time by `begin`.
#[derive(Debug, Clone)]
pub struct Author {
    pub editor: String,
    pub message: Option<String>,
    pub clock: Clock,
}

/// Stamp `author` now, under the write lock, refusing a time before the newest change.
pub fn begin(conn: &Connection, author: &Author) -> Result<Actor> {
    let at = author.clock.stamp();
    check_clock(conn, &at)?;
    Ok(Actor { editor: author.editor.clone(), at, message: author.message.clone() })
}

/// The clock moves forward: a change is never stamped before the newest one.
fn check_clock(conn: &Connection, at: &str) -> Result<()> {
    if let Some(head) = changes::head(conn)? {
        if at < head.at.as_str() {
            return Err(failed_hint(
                format!(
                    "the clock says {at}, which is before the newest change in the audit log (change {} at {}); nothing was changed",
                    head.id, head.at
                ),
                "check the system clock (and SOURCE_DATE_EPOCH, if it is set): changes are recorded in time order",
            ));
        }
    }
    Ok(())
}

/// Append one change to the log, in the caller's transaction, chained to the newest one.
pub fn append(conn: &Connection, change: NewChange) -> Result<Change> {
    let head = changes::head(conn)?;
    if let Some(head) = &head {
        if change.at < head.at {
            check_clock(conn, &change.at)?;
        }
    }
    let (last_id, prev_hash) = head.map_or((0, String::new()), |h| (h.id, h.hash));
    let change = change.seal(last_id + 1, &prev_hash);
    changes::insert(conn, &change)?;
    Ok(change)
}
