//! Reading the audit log into a `State`: every reading goes through `state::apply_event`. A full
//! replay applies every change up to a moment, keeping the rules (a change that breaks one is
//! not applied). The registry applies only the editor changes, keeping the rules too (so a
//! forged registry change grants nothing). What has happened since the last publication (the
//! approval and schedule in force) starts from a part of the log, where rules that need the
//! whole state (numbering, the registry) cannot be judged, so it applies them unchecked: it is
//! advice for `status` and `approve`; `publish` judges from its full replay.
use std::collections::BTreeMap;

use anyhow::Result;
use rusqlite::Connection;

use crate::audit::Entity;
use crate::db::changes::{self, Cutoff, Range};
use crate::event::Event;
use crate::model::EditorState;
use crate::state::{apply_event, apply_unchecked, Header, State};

/// Apply the changes in `range` to `state`, in order, keeping the rules or (`checked` false,
/// for a state that starts part-way) not.
pub fn apply_range(conn: &Connection, state: &mut State, range: &Range, checked: bool) -> Result<()> {
    changes::for_each_event_in(conn, range, |header, event| {
        let event = event?;
        // a conflict is `audit verify`'s to report: a change that breaks a rule is not applied,
        // one whose `before` differs (a table edited behind the tool's back) still says what its
        // entity became
        let _ = match checked {
            true => apply_event(state, header, event),
            false => apply_unchecked(state, header, event),
        };
        Ok(true)
    })
}

/// The state the log says the directory was in at `cutoff`: from the newest checkpoint at or
/// before it (derived data, which `audit verify` checks), the changes after that one applied.
pub fn replay(conn: &Connection, cutoff: &Cutoff) -> Result<State> {
    replay_from(conn, changes::last_within(conn, cutoff)?, cutoff, Threads::Two, |state, header, event| {
        let _ = apply_event(state, header, event);
        Ok(())
    })
}

/// The newest checkpoint at or before change `id`, read back: its change and its state (0 and
/// the empty state when there is none).
pub fn start_at(conn: &Connection, id: i64) -> Result<(i64, State)> {
    Ok(checkpoint_at_or_before(conn, id)
        .and_then(|(change, text)| Some((change, crate::state::checkpoint::decode(text).ok()?)))
        .unwrap_or_default())
}

/// A checkpoint is only a short cut: one that cannot be read (its table gone or changed, its text
/// not one admin writes) leaves the replay to start at the first change, which is the truth;
/// `audit verify` names it.
fn checkpoint_at_or_before(conn: &Connection, id: i64) -> Option<(i64, String)> {
    crate::db::checkpoints::at_or_before(conn, id).ok().flatten()
}

/// Whether a replay may take a second thread: not where its caller already runs one beside it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Threads {
    One,
    Two,
}

/// How many changes go from the reader to the applier at once, and how many such batches the
/// reader may run ahead: 64, so that it is not held up while the applier reads and decodes the
/// checkpoint (on the large log, about 40,000 changes are read meanwhile).
const BATCH: usize = 1024;
const BATCHES: usize = 64;

/// The replay from the newest checkpoint at or before change `id` up to `cutoff`: `each` is given
/// every change after the checkpoint, in order, with the state so far, and the state at the end
/// is returned. The checkpoint is read (through a second connection, for a database file) and
/// decoded, and then the changes applied, on another thread, while this one reads and decodes
/// the changes: for a large directory, a checkpoint and the up to `checkpoints::every()` changes
/// after it take about as long to read. Without a checkpoint that can be read, from the empty
/// state and the first change. With `Threads::One`, the same on this thread alone.
fn replay_from<F>(conn: &Connection, id: i64, cutoff: &Cutoff, threads: Threads, mut each: F) -> Result<State>
where
    F: FnMut(&mut State, &Header, Event) -> Result<()> + Send,
{
    let from_start = |each: &mut F| -> Result<State> {
        let mut state = State::default();
        changes::for_each_event_in(conn, &Range::Between(0, cutoff.clone()), |header, event| {
            each(&mut state, header, event?)?;
            Ok(true)
        })?;
        Ok(state)
    };
    // a checkpoint that cannot be read (its table gone or changed, its text not one admin
    // writes) leaves the replay to start at the first change, which is the truth
    let Some(change) = crate::db::checkpoints::change_at_or_before(conn, id).ok().flatten() else {
        return from_start(&mut each);
    };
    let text_at = |conn: &Connection| crate::db::checkpoints::text_at(conn, change).ok().flatten();
    let after = Range::Between(change, cutoff.clone());
    let on_one_thread = |each: &mut F| -> Result<State> {
        let Some(mut state) = text_at(conn).and_then(|text| crate::state::checkpoint::decode(text).ok())
        else {
            return from_start(each);
        };
        changes::for_each_event_in(conn, &after, |header, event| {
            each(&mut state, header, event?)?;
            Ok(true)
        })?;
        Ok(state)
    };
    if threads == Threads::One || !crate::threads::may_start() {
        return on_one_thread(&mut each);
    }
    // the other thread reads the checkpoint through a connection of its own where the database
    // is a file, while this one reads the changes after it from the first change on (its text
    // for that change never differs: the log before it does not change)
    let file = crate::db::second::file_of(conn)
        .and_then(|path| Some((path, changes::hash_of(conn, change).ok().flatten()?)));
    let here = match file {
        Some(_) => None,
        None => match text_at(conn) {
            Some(text) => Some(text),
            None => return from_start(&mut each),
        },
    };
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<(Read, Result<Event>)>>(BATCHES);
    let (file, each_ref) = (&file, &mut each);
    let replayed = std::thread::scope(|scope| {
        let applying = crate::threads::builder().spawn_scoped(scope, move || -> Option<Result<State>> {
            // only from the same database: one whose change at the checkpoint has the same hash
            let read = |(path, hash): &(std::path::PathBuf, String)| {
                text_at(&crate::db::second::reader_of(path, change, hash)?)
            };
            let decoded = match (here, file) {
                (Some(text), _) => crate::state::checkpoint::decode(text).ok(),
                (None, Some(file)) => read(file).and_then(|text| crate::state::checkpoint::decode(text).ok()),
                (None, None) => None,
            };
            let mut state = decoded?;
            for (read, event) in receiver.iter().flatten() {
                if let Err(error) = event.and_then(|event| each_ref(&mut state, &read.header(), event)) {
                    return Some(Err(error));
                }
            }
            Some(Ok(state))
        });
        // a thread that cannot be started (a process at its limit): all of it on this one
        let applying = applying.ok()?;
        let mut batch = Vec::with_capacity(BATCH);
        let read = changes::for_each_event_in(conn, &after, |header, event| {
            batch.push((Read::new(header), event));
            // a closed channel: the applier has stopped (the checkpoint could not be read, or a
            // change could not be decoded), and reading on is of no use
            Ok(batch.len() < BATCH
                || sender.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).is_ok())
        });
        let _ = sender.send(batch);
        drop(sender);
        Some((read, applying.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))))
    });
    // the applier's error first: what it failed on was read before anything the reader failed on
    match replayed {
        None => on_one_thread(&mut each),
        Some((_, Some(Err(error)))) => Err(error),
        Some((read, Some(Ok(state)))) => read.map(|()| state),
        // the checkpoint not read on the other thread (not decodable, or the file at the path
        // not the same database): read again here, through the first connection
        Some((_, None)) => on_one_thread(&mut each),
    }
}

/// The header of a change read ahead of its state, owned.
struct Read {
    id: i64,
    at: String,
    editor: String,
    action: crate::model::Action,
    message: Option<String>,
    reverts: Option<i64>,
    hash: String,
}

impl Read {
    fn new(header: &Header) -> Read {
        Read {
            id: header.id,
            at: header.at.to_owned(),
            editor: header.editor.to_owned(),
            action: header.action,
            message: header.message.map(str::to_owned),
            reverts: header.reverts,
            hash: header.hash.to_owned(),
        }
    }

    fn header(&self) -> Header<'_> {
        Header {
            id: self.id,
            at: &self.at,
            editor: &self.editor,
            action: self.action,
            message: self.message.as_deref(),
            reverts: self.reverts,
            hash: &self.hash,
        }
    }
}

/// The state the log says the directory was in at `cutoff`, and, in the same pass, what `take`
/// makes of the state it was in just after change `snapshot` (`None` for no snapshot): the
/// state now, and of the last publication's state only what is asked of it, for one reading of
/// the log. Only `take`'s value is kept: for a large directory the state is tens of megabytes.
pub fn replay_with_snapshot<T: Send>(
    conn: &Connection,
    cutoff: &Cutoff,
    snapshot: Option<i64>,
    mut take: impl FnMut(&State) -> T + Send,
) -> Result<Replayed<T>> {
    let end = changes::last_within(conn, cutoff)?;
    let mut taken = None;
    let mut conflict = None;
    // on one thread: `publish` reads the live tables beside it
    let now = replay_from(
        conn,
        snapshot.map_or(end, |s| s.min(end)),
        cutoff,
        Threads::One,
        |state, header, event| {
            if taken.is_none() && snapshot.is_some_and(|id| header.id > id) {
                taken = Some(take(state));
            }
            if let Err(c) = apply_event(state, header, event) {
                conflict.get_or_insert(c);
            }
            Ok(())
        },
    )?;
    if taken.is_none() && snapshot.is_some() {
        taken = Some(take(&now));
    }
    Ok(Replayed { now, then: taken, conflict })
}

/// A whole replay: the state at its end, what was taken of the state at the snapshot asked
/// for, and the first change that did not follow from the state before it, if any (which
/// `audit verify` names).
pub struct Replayed<T> {
    pub now: State,
    pub then: Option<T>,
    pub conflict: Option<crate::state::Conflict>,
}

/// The state the whole log describes now.
pub fn now(conn: &Connection) -> Result<State> {
    replay(conn, &Cutoff::Id(i64::MAX))
}

/// The registry as the log says it is: what authorizes and what signs. The `editors` table is
/// its projection, for listing; editing it grants nothing.
pub fn registry(conn: &Connection) -> Result<BTreeMap<String, EditorState>> {
    let mut state = State::default();
    apply_range(conn, &mut state, &Range::About(&[Entity::Editor]), true)?;
    Ok(state.editors)
}

/// The registry and the settings: what the rules of who may do what, and whether publishing
/// needs an approval, are read from.
pub fn governance(conn: &Connection) -> Result<State> {
    let mut state = State::default();
    apply_range(conn, &mut state, &Range::About(&[Entity::Editor, Entity::Setting]), true)?;
    Ok(state)
}

/// What the log says since the last publication: the public changes, the approval in force,
/// and (applied from the newest schedule change on) the schedule.
pub fn since_publication(conn: &Connection) -> Result<State> {
    let mut state = State::default();
    let last = crate::db::publications::last(conn)?.map_or(0, |p| p.change);
    let scheduled = changes::last_id_of(conn, Entity::Schedule)?;
    let from = if scheduled > 0 { (scheduled - 1).min(last) } else { last };
    apply_range(conn, &mut state, &Range::After(from), false)?;
    Ok(state)
}

/// Every rename in the log, newest first: (force slug, the name before, change id).
pub fn renames(conn: &Connection) -> Result<Vec<(String, String, i64)>> {
    let mut found = Vec::new();
    changes::for_each_event_in(conn, &Range::About(&[Entity::Force]), |header, event| {
        if let Event::Force { before: Some(before), after } = event? {
            if before.name != after.name {
                found.push((after.slug, before.name, header.id));
            }
        }
        Ok(true)
    })?;
    found.reverse();
    Ok(found)
}
