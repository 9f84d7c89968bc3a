//! `admin audit verify`, as a library. One pass over the log checks the hash chain end to end,
//! that every change was allowed to its editor and signed with their key, and applies it with
//! the one `apply`, which checks that what it says an entity was is what the log says; then the
//! database the log describes is rebuilt with the projection and compared with the live file,
//! table by table and schema object by schema object (`rebuild`). A witness held outside the
//! database (a published `forces.json`) is checked against the chain (`witness`).
use anyhow::Result;
use rusqlite::Connection;

use crate::audit::{Action, Break, Entity, StoredChange, Verifier};
use crate::db::changes;
use crate::event::Event;
use crate::state::{apply_event, Header, State};

mod publications;
mod rebuild;
mod witness;

pub use publications::publications_match;
pub use witness::{against, read_witness, Witness};

/// What verification found: the number of changes checked and the first problem, if any.
#[derive(Debug, Default)]
pub struct Report {
    pub checked: u64,
    pub problem: Option<Problem>,
}

/// The first thing that is not as the log says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Chain(Break),
    /// Changes were cut from the end: the publications record a later one.
    CutShort {
        ends_at: i64,
        needed: i64,
    },
    /// A publication's row, `publish` change or recorded head disagrees with the chain.
    Publication {
        id: i64,
        what: String,
    },
    /// A change does not follow from the state before it (`state::apply_event`): it breaks a rule
    /// (its editor's role, its action, its values, time, the second check), or its `before` is
    /// not what the log said the entity was (a table edited behind the tool's back, the edit
    /// carried into the log by a later change).
    Continuity {
        id: i64,
        what: String,
    },
    /// A change that its editor's registered key must sign is unsigned or wrongly signed.
    Signature {
        id: i64,
        what: String,
    },
    /// A change's sides are not an event admin records.
    Unreadable {
        id: i64,
        what: String,
    },
    /// The live tables or schema are not those of the database the log rebuilds.
    Tables(crate::state::Difference),
    /// A checkpoint of the state is not the state the log replays to at its change.
    Checkpoint {
        change: i64,
        what: String,
    },
    /// A row of refinery's schema history that refinery could not read when it next migrates
    /// the database (or a backup of it): `db::check_history`.
    History(String),
}

impl Problem {
    /// The first bad change, where there is one.
    pub fn change_id(&self) -> Option<i64> {
        match self {
            Problem::Chain(Break::Mismatch { id }) => Some(*id),
            Problem::Chain(Break::Gap { expected, .. }) => Some(*expected),
            Problem::CutShort { ends_at, .. } => Some(ends_at + 1),
            Problem::Continuity { id, .. }
            | Problem::Signature { id, .. }
            | Problem::Unreadable { id, .. } => Some(*id),
            _ => None,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Chain(Break::Mismatch { id }) => write!(
                f,
                "audit log verification failed at change {id}: its hash does not match its content (it was altered after it was written)"
            ),
            Problem::Chain(Break::Gap { expected, found }) => write!(
                f,
                "audit log verification failed at change {expected}: it is missing (the next change is {found})"
            ),
            Problem::CutShort { ends_at, needed } => write!(
                f,
                "audit log verification failed: it ends at change {ends_at}, but the publications record change {needed} or later (changes were removed from its end)"
            ),
            Problem::Publication { id, what } => {
                write!(f, "audit log verification failed at publication {id}: {what}")
            }
            Problem::Signature { id, what } | Problem::Unreadable { id, what } | Problem::Continuity { id, what } => {
                write!(f, "audit log verification failed at change {id}: {what}")
            }
            Problem::Tables(d) if d.table == "schema" => write!(
                f,
                "the database's schema is not the one admin's migrations make: {}: the database has {} but a database rebuilt from the log has {}",
                crate::output::shortened(&d.key),
                crate::output::shortened(&d.live),
                crate::output::shortened(&d.logged)
            ),
            Problem::Tables(d) => {
                write!(f, "the live tables do not match the audit log: {d}")
            }
            Problem::Checkpoint { change, what } => {
                write!(f, "the checkpoint of the state at change {change} (table checkpoints) {what}")
            }
            Problem::History(why) => {
                write!(f, "the database's schema history (refinery_schema_history) is damaged: {why}")
            }
        }
    }
}

/// Verify everything one database can say about itself. A table dropped or changed behind
/// admin's back can make reading it fail: then the way its schema differs from the one admin's
/// migrations make is the problem named, not the SQL error.
pub fn database(conn: &Connection) -> Result<Report> {
    checked(conn).or_else(|err| match crate::db::compare::schema_difference(conn) {
        Ok(Some(difference)) => Ok(Report { checked: 0, problem: Some(Problem::Tables(difference)) }),
        _ => Err(err),
    })
}

fn checked(conn: &Connection) -> Result<Report> {
    let mut verifier = Verifier::new();
    let mut state = State::default();
    let mut problem = None;
    let now = chrono::Utc::now();
    let signatures = Signatures {
        database: crate::db::database_id(conn)?.unwrap_or_default(),
        v2_from: crate::db::signatures_v2_from(conn)?,
        now: crate::clock::stamp(now),
        latest: crate::clock::stamp(now + chrono::Duration::minutes(5)),
    };
    // the chain is checked on the thread that reads the rows, in order; each change is decoded,
    // checked and applied on the other: the two share the work
    let mut checked = 0u64;
    // each checkpoint is read back on the reading thread as its change goes by, and compared
    // with the state just after that change on the other
    // (a table that cannot be read is named by the comparison of schemas, below)
    let checkpoints = crate::db::checkpoints::changes(conn).unwrap_or_default();
    // one at a change admin keeps none at is named as such, after the pass, not compared
    let every = crate::db::checkpoints::every();
    let mut due = checkpoints.iter().copied().filter(|c| *c >= 1 && c % every == 0).peekable();
    // the buffers checkpoints are read into, handed back once compared
    let spare = std::sync::Mutex::new(Vec::<Vec<u8>>::new());
    changes::for_each_stored_in_parallel(
        conn,
        |stored| {
            let checkpoint = due.next_if_eq(&stored.id).map(|id| {
                let mut text = spare.lock().ok().and_then(|mut spare| spare.pop()).unwrap_or_default();
                crate::db::checkpoints::text_into(conn, id, &mut text).map(|found| found.then_some(text))
            });
            (verifier.check_stored(stored), checkpoint)
        },
        |stored, (chained, checkpoint)| {
            problem = match chained {
                Err(b) => Some(Problem::Chain(b)),
                Ok(()) => {
                    checked += 1;
                    check_and_apply(&mut state, &signatures, stored, decode(stored))
                }
            };
            if let (None, Some(saved)) = (&problem, checkpoint) {
                problem = check_checkpoint(&state, stored.id, &saved);
                if let (Ok(Some(text)), Ok(mut spare)) = (saved, spare.lock()) {
                    spare.push(text);
                }
            }
            Ok(problem.is_none())
        },
    )?;
    if problem.is_none() {
        problem = publications::cut_short(conn, checked as i64, &state)?;
    }
    if problem.is_none() {
        problem = checkpoints_in_place(&checkpoints, checked as i64);
    }
    if problem.is_none() {
        fill_legacy_content(conn, &mut state)?;
        problem = publications::publications_match(conn, &state)?;
    }
    if problem.is_none() {
        problem = rebuild::compare_with_rebuilt(conn, &state)?.map(Problem::Tables);
    }
    if problem.is_none() {
        problem = crate::db::check_history(conn).err().map(Problem::History);
    }
    // a hundred thousand forces and their reviews: the process ends right after `verify`, and
    // letting it free them is faster than freeing them here
    std::mem::forget(state);
    Ok(Report { checked, problem })
}

/// Checkpoints are kept at every multiple of `every()` changes up to the newest one written
/// (those due since are written by the next change), and nowhere else.
fn checkpoints_in_place(checkpoints: &[i64], log_ends_at: i64) -> Option<Problem> {
    let every = crate::db::checkpoints::every();
    let problem = |change: i64, what: String| Some(Problem::Checkpoint { change, what });
    if let Some(&change) = checkpoints.iter().find(|&&c| c < 1 || c > log_ends_at) {
        return problem(change, "is of a change the log does not have".to_owned());
    }
    if let Some(&change) = checkpoints.iter().find(|&&c| c % every != 0) {
        return problem(change, format!("is at a change admin keeps none at (one every {every} changes)"));
    }
    let newest = checkpoints.last().copied().unwrap_or(0);
    (1..newest / every).map(|k| k * every).find(|c| !checkpoints.contains(c)).and_then(|change| {
        problem(change, "is missing, though later ones are kept (the next change writes it again)".to_owned())
    })
}

/// A checkpoint's text against the state the log replays to at its change: the text that state
/// is written as, byte for byte.
fn check_checkpoint(state: &State, change: i64, saved: &Result<Option<Vec<u8>>>) -> Option<Problem> {
    let what = match saved {
        Ok(Some(text)) if crate::state::checkpoint::is_text_of(state, text) => return None,
        Ok(_) => "is not the state the log replays to at that change (it was edited behind admin's back)"
            .to_owned(),
        Err(e) => format!("cannot be read ({e:#})"),
    };
    Some(Problem::Checkpoint { change, what })
}

/// A stored change's action and event, or why it is not one admin records.
type Decoded = std::result::Result<(Action, Event), String>;

fn decode(stored: &StoredChange) -> Decoded {
    let action = Action::parse(&stored.action)
        .ok_or_else(|| format!("its action {:?} is not one admin makes", stored.action))?;
    let entity = Entity::parse(&stored.entity)
        .ok_or_else(|| format!("its entity {:?} is not one admin records", stored.entity))?;
    let event = Event::decode_text(entity, stored.before.as_deref(), stored.after.as_deref())
        .map_err(|err| format!("{err:#}"))?;
    Ok((action, event))
}

/// One change that chains: its event readable, its editor allowed to make it, signed where
/// their key asks, and consistent with the state before it, to which it is then applied.
fn check_and_apply(
    state: &mut State,
    signatures: &Signatures,
    stored: &StoredChange,
    decoded: Decoded,
) -> Option<Problem> {
    let (action, event) = match decoded {
        Ok(decoded) => decoded,
        Err(what) => return Some(Problem::Unreadable { id: stored.id, what }),
    };
    if let Some(what) = misfiled(stored, &event) {
        return Some(Problem::Continuity { id: stored.id, what });
    }
    if let Some(problem) = check_signature(state, signatures, stored, &event) {
        return Some(problem);
    }
    if stored.at > signatures.latest && chrono::DateTime::parse_from_rfc3339(&stored.at).is_ok() {
        let what = format!(
            "it is stamped {}, ahead of the system clock ({}): no change after it could be made until then",
            stored.at, signatures.now
        );
        return Some(Problem::Continuity { id: stored.id, what });
    }
    if let Event::Publication(record) = &event {
        if let Some(recorded) = record.database.as_deref().filter(|d| *d != signatures.database) {
            let what = format!(
                "its `publish` change {} records database {recorded}, but this database's meta table says {} (its id was changed)",
                stored.id, signatures.database
            );
            return Some(Problem::Publication { id: record.id, what });
        }
    }
    let header = Header {
        id: stored.id,
        at: &stored.at,
        editor: &stored.editor,
        action,
        message: stored.message.as_deref(),
        reverts: stored.reverts,
        hash: &stored.hash,
    };
    apply_event(state, &header, event).err().map(|c| Problem::Continuity { id: c.id, what: c.what })
}

/// The force a change's row files it under (which `history --force` and revert's check of later
/// changes read), held to its event: the one its event is about. The gate files every change so;
/// a row filed otherwise was edited. (That only a revert names a change it reverts is one of
/// `apply`'s rules.)
fn misfiled(stored: &StoredChange, event: &Event) -> Option<String> {
    if stored.force.as_deref() == event.force() {
        return None;
    }
    let shown = |force: Option<&str>| {
        force.map_or_else(|| "no force".to_owned(), |f| format!("force {}", crate::validate::quoted(f)))
    };
    Some(format!(
        "it is filed under {}, but its event is about {}",
        shown(stored.force.as_deref()),
        shown(event.force())
    ))
}

/// What signatures bind: this database's id, and from which change they are version 2; and
/// the time now, which no change may be stamped far ahead of.
struct Signatures {
    database: String,
    v2_from: i64,
    now: String,
    latest: String,
}

/// Signed with the key its editor had registered before it (or, for the change that registers
/// an editor's first key themselves, that key), over this database's id, the previous change's
/// hash and the change (version 2; before schema 12, the change alone); unsigned where they had
/// no key.
fn check_signature(
    state: &State,
    signatures: &Signatures,
    stored: &StoredChange,
    event: &Event,
) -> Option<Problem> {
    let problem = |what: String| Some(Problem::Signature { id: stored.id, what });
    let Some(key) = crate::gate::signing_key(&state.editors, &stored.editor, event) else {
        return stored.signature.as_ref().and_then(|_| {
            problem(format!(
                "it carries a signature, but {} had no key registered to make one",
                stored.editor
            ))
        });
    };
    let fingerprint = || crate::model::fingerprint(&key);
    let Some(signature) = &stored.signature else {
        return problem(format!(
            "it has no signature, but {} signs with the key {}",
            stored.editor,
            fingerprint()
        ));
    };
    let canonical = stored.canonical();
    let previous = state.head.as_ref().map_or("", |h| h.hash.as_str());
    let v2 = crate::audit::signed_bytes(&signatures.database, previous, &canonical);
    let verdict = if stored.id >= signatures.v2_from {
        crate::sign::verify(&key, &v2, signature)
    } else {
        crate::sign::verify(&key, &canonical, signature).map_err(|why| {
            match crate::sign::verify(&key, &v2, signature) {
                Ok(()) => format!(
                    "it carries a version 2 signature, but the database says version 2 starts at change {} (its meta table was changed)",
                    signatures.v2_from
                ),
                Err(_) => why,
            }
        })
    };
    match verdict {
        Ok(()) => None,
        Err(why) if stored.id >= signatures.v2_from => problem(format!(
            "{why} for {}'s key {} over this database (id {}) at this place in the log: a change signed elsewhere, or in another database, does not hold here",
            stored.editor,
            fingerprint(),
            crate::output::prefix(&signatures.database, 8)
        )),
        Err(why) => problem(format!("{why} for {}'s key {}", stored.editor, fingerprint())),
    }
}

/// Publications recorded before their `publish` change carried the content's sha256 have it
/// recomputed from the log: the content replayed to the head each covered.
fn fill_legacy_content(conn: &Connection, state: &mut State) -> Result<()> {
    for publication in state.publications.iter_mut().filter(|p| p.content_sha256.is_empty()) {
        let then = crate::log::replay(conn, &changes::Cutoff::Id(publication.last_change))?;
        publication.content_sha256 = crate::content::Content::from_state(&then).sha256();
    }
    Ok(())
}
