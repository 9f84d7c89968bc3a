//! The one gate every audited change passes, inside its write transaction, and the only way a
//! change enters the log.
//!
//! `begin` runs once the write lock is held (`Db::write_as` calls it first thing inside
//! `BEGIN IMMEDIATE`): it stamps the time there, so editors who waited on each other's lock are
//! stamped in the order they wrote, and it refuses a clock that went back before the newest
//! change or runs ahead of the system's. `append` checks the stamp again, checks that the
//! editor's role allows the change (the registry as the log says it is), signs it where the
//! editor's key asks for it, gives it its id, chains its hash, and then projects it onto the
//! tables (`crate::projection`): commands build events, never rows.
use std::collections::BTreeMap;

use anyhow::{Context, Result};
use rusqlite::{Connection, Transaction};

use crate::clock::Clock;
use crate::db::changes;
use crate::event::Event;
use crate::exit_codes::{bad_hint, failed_hint};
use crate::model::Action;
use crate::model::{AuditHead, Change, EditorState};

/// How far ahead of the system clock a change may be stamped (clocks of two machines differ).
const AHEAD: chrono::Duration = chrono::Duration::minutes(5);

/// A change about to be appended: everything but its id and hash, which the log assigns.
#[derive(Debug, Clone)]
pub struct NewChange {
    pub at: String,
    pub editor: String,
    pub action: Action,
    pub event: Event,
    pub message: Option<String>,
    pub reverts: Option<i64>,
    /// What signs the change, for an editor registered with a key.
    pub signer: Option<crate::sign::Signer>,
}

impl NewChange {
    /// Give the change its id and chain it to the previous hash.
    pub fn seal(&self, id: i64, prev_hash: &str) -> Change {
        let (before, after) = self.event.encode();
        let mut change = Change {
            id,
            at: self.at.clone(),
            editor: self.editor.clone(),
            action: self.action,
            entity: self.event.entity(),
            force: self.event.force().map(str::to_owned),
            before,
            after,
            message: self.message.clone(),
            hash: String::new(),
            reverts: self.reverts,
            signature: None,
        };
        change.hash = crate::audit::chain_hash(prev_hash, &change);
        change
    }
}

/// Who is about to write, and why; stamped with the time by `begin`.
#[derive(Debug, Clone)]
pub struct Author {
    pub editor: String,
    pub message: Option<String>,
    pub clock: Clock,
    pub signer: Option<crate::sign::Signer>,
}

/// Who is making a change, when, and why.
#[derive(Debug, Clone)]
pub struct Actor {
    pub editor: String,
    pub at: String,
    pub message: Option<String>,
    /// What signs this actor's changes, where their registered key asks for it.
    pub signer: Option<crate::sign::Signer>,
}

impl Actor {
    /// A change made by this actor now.
    pub fn change(&self, action: Action, event: Event) -> NewChange {
        NewChange {
            at: self.at.clone(),
            editor: self.editor.clone(),
            action,
            event,
            message: self.message.clone(),
            reverts: None,
            signer: self.signer.clone(),
        }
    }
}

/// Audited writes: `Db::write` and `Db::dry_run` with the author stamped by `begin` first.
pub trait Audited {
    /// `write` for an audited change: the gate stamps `author` under the lock (refusing a clock
    /// that went back or runs ahead) and `f` gets the stamped actor.
    fn write_as<T>(
        &mut self,
        author: &Author,
        f: impl FnOnce(&Transaction, &Actor) -> Result<T>,
    ) -> Result<T>;
    /// `dry_run` for an audited change, stamped as `write_as` would.
    fn dry_run_as<T>(
        &mut self,
        author: &Author,
        f: impl FnOnce(&Transaction, &Actor) -> Result<T>,
    ) -> Result<T>;
}

impl Audited for crate::db::Db {
    fn write_as<T>(
        &mut self,
        author: &Author,
        f: impl FnOnce(&Transaction, &Actor) -> Result<T>,
    ) -> Result<T> {
        self.write(|tx| {
            let actor = begin(tx, author)?;
            f(tx, &actor)
        })
    }

    fn dry_run_as<T>(
        &mut self,
        author: &Author,
        f: impl FnOnce(&Transaction, &Actor) -> Result<T>,
    ) -> Result<T> {
        self.dry_run(|tx| {
            let actor = begin(tx, author)?;
            f(tx, &actor)
        })
    }
}

/// Open an existing database (`Db::open` migrates it) and bring its log up to what a new one
/// records: a database from before its page text was audited (the open that gives it its id)
/// records that text once, as it stood, so that the log describes everything the tables hold.
pub fn open(path: &std::path::Path) -> Result<crate::db::Db> {
    let mut db = crate::db::Db::open(path)?;
    if !db.given_identity || db.read(|tx| Ok(changes::last_id_of(tx, crate::audit::Entity::Page)? > 0))? {
        return Ok(db);
    }
    db.write(|tx| {
        let Some(page) = crate::db::page::read(tx)? else { return Ok(()) };
        let head = changes::head(tx)?;
        let clock = Clock::from_env().map(|c| c.stamp()).unwrap_or_default();
        // never before the newest change: the clock moves forward
        let at = head.map_or(clock.clone(), |h| if h.at > clock { h.at } else { clock });
        let change = NewChange {
            at,
            editor: "uof-admin".to_owned(),
            action: Action::SetPage,
            event: Event::Page { before: None, after: page },
            message: Some("the page text as it stood when this database was upgraded".to_owned()),
            reverts: None,
            signer: None,
        };
        append(tx, change).map(|_| ())
    })?;
    Ok(db)
}

/// Stamp `author` now, under the write lock, refusing a time before the newest change or
/// ahead of the system clock.
pub fn begin(conn: &Connection, author: &Author) -> Result<Actor> {
    let at = author.clock.stamp();
    // SOURCE_DATE_EPOCH may set an earlier time, never a later one
    let now = crate::clock::stamp(chrono::Utc::now());
    if author.clock.is_fixed() && at > now {
        return Err(failed_hint(
            format!("the clock says {at}, which is ahead of the system clock ({now}); nothing was changed"),
            "check SOURCE_DATE_EPOCH: it may set an earlier time, never a later one",
        ));
    }
    crate::db::check_tables(conn)?;
    check_clock(conn, &at)?;
    Ok(Actor {
        editor: registered_spelling(conn, &author.editor)?,
        at,
        message: author.message.clone(),
        signer: author.signer.clone(),
    })
}

/// The name a registered editor is known by, for one given as another spelling of it (`ALICE`,
/// `Ａlice`: editor names are one name ignoring case and look-alike letters, SPEC section 17);
/// any other name as it was given, for the authority check to judge.
fn registered_spelling(conn: &Connection, editor: &str) -> Result<String> {
    // the common case, a name spelled as registered, needs no replay: the spelling is only a
    // choice of name, and `append` judges the editor against the log all the same
    if crate::db::editors::get(conn, editor)?.is_some() {
        return Ok(editor.to_owned());
    }
    let registry = crate::log::registry(conn)?;
    if registry.is_empty() || registry.contains_key(editor) {
        return Ok(editor.to_owned());
    }
    let key = crate::validate::look_key(editor);
    let mut alike = registry.keys().filter(|name| crate::validate::look_key(name) == key);
    Ok(match (alike.next(), alike.next()) {
        (Some(one), None) => one.clone(),
        _ => editor.to_owned(),
    })
}

/// The clock moves forward, and not past now: a change is never stamped before the newest one,
/// nor more than five minutes ahead of the system clock (`SOURCE_DATE_EPOCH` may set an earlier
/// time, never a later one), so one wrong clock cannot lock everyone out until it is reached.
fn check_clock(conn: &Connection, at: &str) -> Result<()> {
    let system = chrono::Utc::now();
    if at > crate::clock::stamp(system + AHEAD).as_str() {
        return Err(failed_hint(
            format!(
                "the clock says {at}, which is ahead of the system clock ({}); nothing was changed",
                crate::clock::stamp(system)
            ),
            "check SOURCE_DATE_EPOCH (it may set an earlier time, never a later one) and the system clock",
        ));
    }
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
/// if its editor may make it, and signed where their registered key asks for it. Then project
/// it onto the tables.
pub fn append(conn: &Connection, change: NewChange) -> Result<Change> {
    let head = changes::head(conn)?;
    check_clock(conn, &change.at)?;
    if !crate::state::fits(change.action, &change.event) {
        anyhow::bail!(
            "a {} change cannot record this event (a fault in admin); nothing was changed",
            change.action
        );
    }
    let registry = crate::log::registry(conn)?;
    check_authority(&registry, &change.editor, change.action, Some(&change.event))?;
    let key = signing_key(&registry, &change.editor, &change.event);
    let (last_id, prev_hash) = head.as_ref().map_or((0, String::new()), |h| (h.id, h.hash.clone()));
    let mut sealed = change.seal(last_id + 1, &prev_hash);
    if let Some(key) = key {
        let signer = change.signer.as_ref().ok_or_else(|| {
            bad_hint(
                format!("{} must sign their changes, and no signing key was given", sealed.editor),
                "pass --signing-key FILE (or set UOF_SIGNING_KEY), or load the key into ssh-agent",
            )
        })?;
        let public = ssh_key::PublicKey::from_openssh(&key).context("the registered key is unreadable")?;
        let database = crate::db::database_id(conn)?.unwrap_or_default();
        let bytes = crate::audit::signed_bytes(&database, &prev_hash, &crate::audit::canonical_body(&sealed));
        sealed.signature = Some(signer.sign(&sealed.editor, &public, &bytes)?);
    }
    changes::insert(conn, &sealed)?;
    let previous = head.map(|h| AuditHead { change: h.id, hash: h.hash });
    crate::projection::project(conn, &sealed, &change.event, previous)?;
    Ok(sealed)
}

/// The key that must sign a change by `editor`: their registered key before it, or, for a
/// change that gives the editor their first key, that new key.
pub fn signing_key(registry: &BTreeMap<String, EditorState>, editor: &str, event: &Event) -> Option<String> {
    let before = registry.get(editor).and_then(|e| e.key.clone());
    if before.is_some() {
        return before;
    }
    match event {
        Event::Editor { after, .. } if after.name == editor => after.key.clone(),
        _ => None,
    }
}

pub use crate::state::check_authority;
