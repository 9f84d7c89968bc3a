//! The audit log's SQL: append a change (chained to the last one), query the history, stream
//! the whole log for verification and replay.
use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::Value;

use crate::audit::{canonical_json, Action, Entity};
use crate::model::Change;

pub use super::history::{history, history_unparsed, Filter};
pub use super::ranges::{Cutoff, Range};

pub(super) const COLUMNS: &str =
    "id, at, editor, action, entity, force, before, after, message, hash, reverts, signature";

/// The newest change: its id, hash and time (`None` for an empty log).
pub fn head(conn: &Connection) -> Result<Option<Head>> {
    Ok(conn
        .prepare_cached("SELECT id, hash, at FROM changes ORDER BY id DESC LIMIT 1")?
        .query_row([], |row| Ok(Head { id: row.get(0)?, hash: row.get(1)?, at: row.get(2)? }))
        .optional()?)
}

/// The newest change of the log: what a publication anchors and `admin audit head` prints.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Head {
    #[serde(rename = "change")]
    pub id: i64,
    pub hash: String,
    #[serde(skip)]
    pub at: String,
}

/// Write a sealed change. Only `gate::append` calls this: it stamps, checks and chains first.
pub(crate) fn insert(conn: &Connection, change: &Change) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO changes (id, at, editor, action, entity, force, before, after, message, hash, reverts, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        change.id,
        change.at,
        change.editor,
        change.action.as_str(),
        change.entity.as_str(),
        change.force,
        change.before.as_ref().map(canonical_json),
        change.after.as_ref().map(canonical_json),
        change.message,
        change.hash,
        change.reverts,
        change.signature,
    ])
    .context("failed to record the change in the audit log")?;
    Ok(())
}

/// A stored word that is not one of the enum's: the row was written by something else.
fn unknown(index: usize, what: &str, text: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        index,
        rusqlite::types::Type::Text,
        format!("unknown {what} {text:?} in the audit log").into(),
    )
}

pub(super) fn from_row(row: &Row) -> rusqlite::Result<Change> {
    from_row_with(row, json_column)
}

/// A change with its sides left unparsed (`None`), and the text each side is stored as.
pub type Unparsed = (Change, Option<String>, Option<String>);

/// A change with its sides left unparsed (`None`), and the text each is stored as: where only a
/// description of it is wanted, and a side may be megabytes (a publication's record of every
/// force an import added), which as parsed values take ten times their size.
pub(super) fn from_row_unparsed(row: &Row) -> rusqlite::Result<Unparsed> {
    Ok((from_row_with(row, |_, _| Ok(None))?, row.get(6)?, row.get(7)?))
}

fn from_row_with(
    row: &Row,
    side: impl Fn(&Row, usize) -> rusqlite::Result<Option<Value>>,
) -> rusqlite::Result<Change> {
    let action: String = row.get(3)?;
    let entity: String = row.get(4)?;
    Ok(Change {
        id: row.get(0)?,
        at: row.get(1)?,
        editor: row.get(2)?,
        action: Action::parse(&action).ok_or_else(|| unknown(3, "action", &action))?,
        entity: Entity::parse(&entity).ok_or_else(|| unknown(4, "entity", &entity))?,
        force: row.get(5)?,
        before: side(row, 6)?,
        after: side(row, 7)?,
        message: row.get(8)?,
        hash: row.get(9)?,
        reverts: row.get(10)?,
        signature: row.get(11)?,
    })
}

fn json_column(row: &Row, index: usize) -> rusqlite::Result<Option<Value>> {
    let text: Option<String> = row.get(index)?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

/// The changes in `range`, in id order, one at a time: `f` returns `false` to stop early.
pub fn for_each_in(
    conn: &Connection,
    range: &Range,
    mut f: impl FnMut(Change) -> Result<bool>,
) -> Result<()> {
    rows_in(conn, range, |row| f(from_row(row)?))
}

/// Each row of the changes in `range`, in id order, until `each` returns `false`.
fn rows_in(conn: &Connection, range: &Range, mut each: impl FnMut(&Row) -> Result<bool>) -> Result<()> {
    let (clause, value) = range.clause();
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM changes WHERE {clause} ORDER BY id"))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(value))?;
    while let Some(row) = rows.next()? {
        if !each(row)? {
            break;
        }
    }
    Ok(())
}

/// The changes in `range`, in id order, each as its header and its event (or why its sides are
/// not one): what a replay reads. The sides go from the stored text straight into the event, and
/// the header borrows the row, so a million changes make no million intermediate values. `f`
/// returns `false` to stop early.
pub fn for_each_event_in(
    conn: &Connection,
    range: &Range,
    mut f: impl FnMut(&crate::state::Header, Result<crate::event::Event>) -> Result<bool>,
) -> Result<()> {
    rows_in(conn, range, |row| {
        // a row admin did not write (an action, entity, column or side not admin's) is named by
        // its change's id, with where to see the rest
        let id: i64 = row.get(0)?;
        let unreadable = |why: String| {
            crate::exit_codes::failed_hint(
                format!("change {id} in the audit log cannot be read: {why}"),
                crate::exit_codes::SEE_VERIFY,
            )
        };
        let read = |row| -> rusqlite::Result<_> { Ok((header_of(row)?, side(row, 6)?, side(row, 7)?)) };
        let ((header, entity), before, after) = read(row).map_err(|e| unreadable(conversion(&e)))?;
        let event =
            crate::event::Event::decode_text(entity, before, after).map_err(|e| unreadable(format!("{e:#}")));
        f(&header, event)
    })
}

/// A change's header and entity, borrowing its row.
fn header_of<'r>(row: &'r Row<'_>) -> rusqlite::Result<(crate::state::Header<'r>, Entity)> {
    let text = |i: usize| -> rusqlite::Result<&str> { Ok(row.get_ref(i)?.as_str()?) };
    let optional = |i: usize| -> rusqlite::Result<Option<&str>> { Ok(row.get_ref(i)?.as_str_or_null()?) };
    let (action, entity) = (text(3)?, text(4)?);
    let header = crate::state::Header {
        id: row.get(0)?,
        at: text(1)?,
        editor: text(2)?,
        action: Action::parse(action).ok_or_else(|| unknown(3, "action", action))?,
        message: optional(8)?,
        reverts: row.get(10)?,
        hash: text(9)?,
    };
    Ok((header, Entity::parse(entity).ok_or_else(|| unknown(4, "entity", entity))?))
}

/// A change's `before` (column 6) or `after` (7): text, or none.
fn side<'r>(row: &'r Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    Ok(row.get_ref(i)?.as_str_or_null()?)
}

/// What a conversion of a column says, without SQLite's words for it.
fn conversion(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::FromSqlConversionFailure(_, _, why) => why.to_string(),
        rusqlite::Error::InvalidColumnType(_, name, kind) => format!("its {name} is {kind}, not text"),
        other => other.to_string(),
    }
}

/// Every change in id order, one at a time: `f` returns `false` to stop early.
pub fn for_each(conn: &Connection, f: impl FnMut(Change) -> Result<bool>) -> Result<()> {
    for_each_in(conn, &Range::All, f)
}

/// One change as stored.
pub fn stored(conn: &Connection, id: i64) -> Result<Option<crate::audit::StoredChange>> {
    let mut found = None;
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM changes WHERE id = ?1"))?;
    let mut rows = stmt.query([id])?;
    if let Some(row) = rows.next()? {
        found = Some(stored_from_row(row)?);
    }
    Ok(found)
}

fn stored_from_row(row: &Row) -> rusqlite::Result<crate::audit::StoredChange> {
    Ok(crate::audit::StoredChange {
        id: row.get(0)?,
        at: row.get(1)?,
        editor: row.get(2)?,
        action: row.get(3)?,
        entity: row.get(4)?,
        force: row.get(5)?,
        before: row.get(6)?,
        after: row.get(7)?,
        message: row.get(8)?,
        hash: row.get(9)?,
        reverts: row.get(10)?,
        signature: row.get(11)?,
    })
}

/// Every change as stored (`before` and `after` unparsed), in id order, one at a time: what
/// `audit verify` reads. `f` returns `false` to stop early.
pub fn for_each_stored(
    conn: &Connection,
    mut f: impl FnMut(&crate::audit::StoredChange) -> Result<bool>,
) -> Result<()> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM changes ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    // one change's buffers, refilled for every row: a million rows make no million allocations
    let mut stored = crate::audit::StoredChange::default();
    while let Some(row) = rows.next()? {
        refill(&mut stored, row)?;
        if !f(&stored)? {
            break;
        }
    }
    Ok(())
}

/// `for_each_stored` with the reading and the checking on two threads: this thread reads rows
/// into batches (SQLite stays on the thread that owns the connection) and runs `prepare` on each
/// in order (checking the hash chain, say, to share the work between the two), `f` runs on another, in order, and hands
/// each batch back for its buffers to be refilled. `f` returns `false` to stop early. Where a
/// second thread may not or cannot be started (`threads::may_start`), both run on this one.
pub fn for_each_stored_in_parallel<T: Send>(
    conn: &Connection,
    mut prepare: impl FnMut(&crate::audit::StoredChange) -> T,
    mut f: impl FnMut(&crate::audit::StoredChange, T) -> Result<bool> + Send,
) -> Result<()> {
    use std::sync::mpsc;
    let on_one_thread =
        |prepare: &mut dyn FnMut(&crate::audit::StoredChange) -> T,
         f: &mut dyn FnMut(&crate::audit::StoredChange, T) -> Result<bool>| {
            for_each_stored(conn, |stored| {
                let prepared = prepare(stored);
                f(stored, prepared)
            })
        };
    if !crate::threads::may_start() {
        return on_one_thread(&mut prepare, &mut f);
    }
    const BATCH: usize = 1024;
    // room for the reader to run 32,768 changes ahead: `f` may stop for a while (`audit verify`
    // writes and compares a checkpoint of 100,000 forces), and the reader keeps reading meanwhile
    const BATCHES: usize = 32;
    type Batch<T> = (Vec<crate::audit::StoredChange>, Vec<T>);
    let (full_tx, full_rx) = mpsc::sync_channel::<Batch<T>>(BATCHES);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<crate::audit::StoredChange>>();
    for _ in 0..BATCHES {
        let _ = empty_tx.send(Vec::with_capacity(BATCH));
    }
    let f_ref = &mut f;
    let prepare_ref = &mut prepare;
    let outcome = std::thread::scope(|scope| {
        let worker = crate::threads::builder().spawn_scoped(scope, move || -> Result<()> {
            for (batch, prepared) in full_rx {
                for (stored, prepared) in batch.iter().zip(prepared) {
                    if !f_ref(stored, prepared)? {
                        return Ok(());
                    }
                }
                let _ = empty_tx.send(batch);
            }
            Ok(())
        });
        // a thread that cannot be started (a process at its limit): all of it on this one
        let Ok(worker) = worker else { return None };
        let read = (|| -> Result<()> {
            let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM changes ORDER BY id"))?;
            let mut rows = stmt.query([])?;
            let mut done = false;
            while !done {
                // the checker stopped early: it has let go of its end
                let Ok(mut batch) = empty_rx.recv() else { break };
                let mut prepared = Vec::with_capacity(BATCH);
                let mut filled = 0;
                while filled < BATCH {
                    let Some(row) = rows.next()? else {
                        done = true;
                        break;
                    };
                    if batch.len() == filled {
                        batch.push(crate::audit::StoredChange::default());
                    }
                    refill(&mut batch[filled], row)?;
                    prepared.push(prepare_ref(&batch[filled]));
                    filled += 1;
                }
                batch.truncate(filled);
                if full_tx.send((batch, prepared)).is_err() {
                    break;
                }
            }
            Ok(())
        })();
        drop(full_tx);
        let checked = worker.join().unwrap_or_else(|_| Err(anyhow::anyhow!("the audit log checker stopped")));
        Some(read.and(checked))
    });
    match outcome {
        Some(result) => result,
        None => on_one_thread(&mut prepare, &mut f),
    }
}

/// Copy a row into `stored`, reusing its strings' buffers.
fn refill(stored: &mut crate::audit::StoredChange, row: &Row) -> rusqlite::Result<()> {
    fn text(into: &mut String, row: &Row, i: usize) -> rusqlite::Result<()> {
        into.clear();
        into.push_str(row.get_ref(i)?.as_str()?);
        Ok(())
    }
    fn optional(into: &mut Option<String>, row: &Row, i: usize) -> rusqlite::Result<()> {
        match row.get_ref(i)?.as_str_or_null()? {
            None => *into = None,
            Some(value) => {
                let buffer = into.get_or_insert_with(String::new);
                buffer.clear();
                buffer.push_str(value);
            }
        }
        Ok(())
    }
    stored.id = row.get(0)?;
    text(&mut stored.at, row, 1)?;
    text(&mut stored.editor, row, 2)?;
    text(&mut stored.action, row, 3)?;
    text(&mut stored.entity, row, 4)?;
    optional(&mut stored.force, row, 5)?;
    optional(&mut stored.before, row, 6)?;
    optional(&mut stored.after, row, 7)?;
    optional(&mut stored.message, row, 8)?;
    text(&mut stored.hash, row, 9)?;
    stored.reverts = row.get(10)?;
    optional(&mut stored.signature, row, 11)?;
    Ok(())
}

/// The time of the first change: when the log starts (`None` for an empty log).
pub fn first_at(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT at FROM changes ORDER BY id LIMIT 1")?
        .query_row([], |row| row.get(0))
        .optional()?)
}

/// The newest change's id, 0 for an empty log.
pub fn last_id(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM changes")?.query_row([], |row| row.get(0))?)
}

/// The newest change within `cutoff`, 0 when there is none.
pub fn last_within(conn: &Connection, cutoff: &Cutoff) -> Result<i64> {
    let (clause, value) = cutoff.clause();
    Ok(conn
        .prepare_cached(&format!("SELECT id FROM changes WHERE {clause} ORDER BY id DESC LIMIT 1"))?
        .query_row([value], |row| row.get(0))
        .optional()?
        .unwrap_or(0))
}

/// The newest change about `entity`, 0 when there is none.
pub fn last_id_of(conn: &Connection, entity: Entity) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM changes WHERE entity = ?1")?
        .query_row([entity.as_str()], |row| row.get(0))?)
}

/// One change's hash.
pub fn hash_of(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT hash FROM changes WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?)
}

/// One change by id.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Change>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM changes WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// The changes `first` to `last`, in id order, their sides unparsed: what one publication covered.
pub fn in_range(conn: &Connection, first: i64, last: i64) -> Result<Vec<Unparsed>> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM changes WHERE id BETWEEN ?1 AND ?2 ORDER BY id"))?;
    let rows = stmt.query_map([first, last], from_row_unparsed)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().context("failed to read the audit log")
}

/// The changes after `after_id`, in id order, but the publications' own: what callers that
/// look for changes to the content read. A `publish` change is never one (its record of a first
/// publication of 100,000 forces names every one, tens of megabytes), and is not read.
pub fn since_id_but_publications(conn: &Connection, after_id: i64) -> Result<Vec<Change>> {
    let publication = Entity::Publication.as_str();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM changes WHERE id > ?1 AND entity != '{publication}' ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![after_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The change that reverted change `id`, if one did.
pub fn reverted_by(conn: &Connection, id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT MIN(id) FROM changes WHERE reverts = ?1")?
        .query_row([id], |row| row.get(0))?)
}

/// Later changes to the same entity as `change`, oldest first (for revert's conflict check).
pub fn later_for_entity(conn: &Connection, change: &Change) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM changes WHERE entity = ?1 AND force IS ?2 AND id > ?3 ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![change.entity.as_str(), change.force, change.id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Whether any change was made by `editor`, spelled exactly so.
pub fn has_editor(conn: &Connection, editor: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM changes WHERE editor = ?1 LIMIT 1")?
        .query_row([editor], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Every name a change was made by, sorted.
pub fn editors(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT editor FROM changes ORDER BY editor")?;
    let rows = stmt.query_map([], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
