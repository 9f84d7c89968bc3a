//! Checkpoints of the replayed state (`state::checkpoint`): derived data that lets a reading of
//! the past start part way through the log. Only the projection writes them.
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// How many changes apart the checkpoints are: a reading of the past replays at most this many
/// changes after the one it starts from. A debug build (the tests') takes another interval from
/// `UOF_CHECKPOINT_EVERY`, so that a small log has checkpoints too.
pub fn every() -> i64 {
    const EVERY: i64 = 100_000;
    if cfg!(debug_assertions) {
        if let Some(n) = std::env::var("UOF_CHECKPOINT_EVERY").ok().and_then(|v| v.parse::<i64>().ok()) {
            return n.max(1);
        }
    }
    EVERY
}

/// Write the checkpoint taken just after change `change`. Only the projection calls this.
pub fn put(conn: &Connection, change: i64, state: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO checkpoints (change, state) VALUES (?1, ?2)")?
        .execute(params![change, state])?;
    Ok(())
}

/// How many checkpoints there are at the changes the projection writes them at, up to `due`.
pub fn count(conn: &Connection, due: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM checkpoints WHERE change >= ?1 AND change % ?1 = 0 AND change <= ?2",
        )?
        .query_row([every(), due], |row| row.get(0))?)
}

/// The newest checkpoint at or before change `id` at a change the projection writes one at (a
/// positive multiple of `every()`; a row anywhere else was not written by admin, and `audit
/// verify` names it): its change and its text.
pub fn at_or_before(conn: &Connection, id: i64) -> Result<Option<(i64, String)>> {
    let Some(change) = change_at_or_before(conn, id)? else { return Ok(None) };
    Ok(text_at(conn, change)?.map(|text| (change, text)))
}

/// The change of the newest checkpoint at or before change `id` at a change the projection
/// writes one at, without its text.
pub fn change_at_or_before(conn: &Connection, id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT change FROM checkpoints WHERE change <= ?1 AND change >= ?2 AND change % ?2 = 0
             ORDER BY change DESC LIMIT 1",
        )?
        .query_row([id, every()], |row| row.get(0))
        .optional()?)
}

/// The text of the checkpoint at change `change`.
pub fn text_at(conn: &Connection, change: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT state FROM checkpoints WHERE change = ?1")?
        .query_row([change], |row| row.get(0))
        .optional()?)
}

/// The changes that have a checkpoint, oldest first.
pub fn changes(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT change FROM checkpoints ORDER BY change")?;
    let rows = stmt.query_map([], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<i64>>>()?)
}

/// One checkpoint's text, as bytes, into `text` (`audit verify` compares them with the state):
/// `false` where there is none. Read from the file straight into `text`, whose room is kept for
/// the next one (ten of up to 37 MB): read as a column, each was copied twice into memory made
/// for it, a page fault for every 4 KB of either, two thirds of a pass's page faults.
pub fn text_into(conn: &Connection, change: i64, text: &mut Vec<u8>) -> Result<bool> {
    text.clear();
    if let Some(blob) = blob_of(conn, change) {
        let length = blob.len();
        if text.capacity() < length {
            // room for a later, larger one; made anew, since growing the old would copy it
            *text = Vec::with_capacity(length + length / 2);
        }
        text.resize(length, 0);
        blob.read_at_exact(text, 0)?;
        return Ok(true);
    }
    let found = conn
        .prepare_cached("SELECT state FROM checkpoints WHERE change = ?1")?
        .query_row([change], |row| {
            let value = row.get_ref(0)?;
            Ok(value.as_bytes().map(|bytes| text.extend_from_slice(bytes)).map_err(|_| value.data_type()))
        })
        .optional()?;
    // a value other than text or bytes: only a schema edited behind admin's back lets one in
    use rusqlite::types::Type;
    match found {
        None => Ok(false),
        Some(Ok(())) => Ok(true),
        Some(Err(kind)) => Err(anyhow::anyhow!(
            "its state is {}, not text",
            match kind {
                Type::Null => "NULL",
                Type::Integer => "an integer",
                Type::Real => "a real number",
                Type::Text | Type::Blob => "unreadable",
            }
        )),
    }
}

/// The checkpoint's value, opened for reading as stored, where that is the text a column read
/// gives: in a database that keeps its text in UTF-8 (one in UTF-16 is read as a column, which
/// SQLite turns into UTF-8), found by its row (a `checkpoints` table rebuilt behind admin's back
/// may not key its rows by their change). Anything else is read as a column, which names it.
fn blob_of(conn: &Connection, change: i64) -> Option<rusqlite::blob::Blob<'_>> {
    let encoding = conn.pragma_query_value(None, "encoding", |row| row.get::<_, String>(0)).ok()?;
    if encoding != "UTF-8" {
        return None;
    }
    let row: i64 = conn
        .prepare_cached("SELECT rowid FROM checkpoints WHERE change = ?1")
        .ok()?
        .query_row([change], |row| row.get(0))
        .ok()?;
    conn.blob_open("main", "checkpoints", "state", row, true).ok()
}
