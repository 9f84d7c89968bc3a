//! The one gate every audited change passes, inside its write transaction.
//!
//! `begin` runs once the write lock is held (`Db::write_as` calls it first thing inside
//! `BEGIN IMMEDIATE`): it stamps the time there, so editors who waited on each other's lock are
//! stamped in the order they wrote, and it refuses a clock that has gone back before the newest
//! change. `append` is the only way a change enters the log: it checks the stamp again, gives
//! the change its id and chains its hash. Policy on who may write (roles, signatures) belongs
//! here too, so no command can forget it.
use anyhow::{Context, Result};
use rusqlite::Connection;

use crate::audit::NewChange;
use crate::clock::Clock;
use crate::db::changes;
use crate::directory::Actor;
use crate::exit_codes::{bad_hint, failed_hint};
use crate::model::Change;

/// Who is about to write, and why; stamped with the time by `begin`.
#[derive(Debug, Clone)]
pub struct Author {
    pub editor: String,
    pub message: Option<String>,
    pub clock: Clock,
    pub signer: Option<crate::sign::Signer>,
}

/// Stamp `author` now, under the write lock, refusing a time before the newest change.
pub fn begin(conn: &Connection, author: &Author) -> Result<Actor> {
    let at = author.clock.stamp();
    check_clock(conn, &at)?;
    Ok(Actor {
        editor: author.editor.clone(),
        at,
        message: author.message.clone(),
        signer: author.signer.clone(),
    })
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

/// Append one change to the log, in the caller's transaction, chained to the newest one: only
/// if its editor may make it, and signed where their registered key asks for it.
pub fn append(conn: &Connection, change: NewChange) -> Result<Change> {
    let head = changes::head(conn)?;
    if let Some(head) = &head {
        if change.at < head.at {
            check_clock(conn, &change.at)?;
        }
    }
    crate::editors::authorize(conn, &change)?;
    let key = signing_key(conn, &change)?;
    let signer = change.signer.clone();
    let (last_id, prev_hash) = head.map_or((0, String::new()), |h| (h.id, h.hash));
    let mut change = change.seal(last_id + 1, &prev_hash);
    if let Some(key) = key {
        let signer = signer.ok_or_else(|| {
            bad_hint(
                format!("{} must sign their changes, and no signing key was given", change.editor),
                "pass --signing-key FILE (or set UOF_SIGNING_KEY), or load the key into ssh-agent",
            )
        })?;
        let public = ssh_key::PublicKey::from_openssh(&key).context("the registered key is unreadable")?;
        change.signature =
            Some(signer.sign(&change.editor, &public, &crate::audit::canonical_body(&change))?);
    }
    changes::insert(conn, &change)?;
    Ok(change)
}

/// The key that must sign `change`: its editor's registered key before it, or, for a change
/// that gives the editor their first key, that new key.
pub fn signing_key(conn: &Connection, change: &NewChange) -> Result<Option<String>> {
    let before = crate::editors::registered(conn, &change.editor)?.and_then(|e| e.key);
    if before.is_some() || change.entity != crate::audit::Entity::Editor {
        return Ok(before);
    }
    let after = change.after.as_ref();
    let own = after.and_then(|a| a.get("name")).and_then(|n| n.as_str()) == Some(change.editor.as_str());
    Ok(if own { after.and_then(|a| a.get("key")).and_then(|k| k.as_str()).map(str::to_owned) } else { None })
}
