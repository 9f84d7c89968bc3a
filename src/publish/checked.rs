//! What `publish` renders from, read once and checked: the state the log replays to now and
//! its public content, the state and content the last publication covered, and the live tables'
//! content, which must be the same: a row changed behind the tool's back must never reach the
//! page.
use anyhow::Result;
use rusqlite::Connection;

use super::difference::{self, Standing};
use super::summary;
use crate::content::Content;
use crate::db::changes::{self, Cutoff};
use crate::db::publications;
use crate::exit_codes::failed_hint;
use crate::log::Replayed;
use crate::published::Directory;
use crate::state::State;

/// What the log says, read once: the state now and its public content, and of the state the
/// last publication covered its public content and standing (those of an empty state before
/// the first). That state itself is not kept: it is as large as the state now.
pub struct Checked {
    pub now: State,
    pub content: Content,
    /// `content.sha256()`, made once.
    pub content_sha256: String,
    pub then_content: Content,
    pub then_standing: Standing,
    /// Whether a publication came before.
    pub published_before: bool,
}

/// The state the audit log says the directory is in now, its public content and the state the
/// last publication covered, after checking that the live tables show the same content and the
/// publications table what the log records.
pub fn checked_state(conn: &Connection) -> Result<Checked> {
    let last = publications::last(conn)?.map(|p| p.last_change);
    let (replayed, content, content_sha256, live_sha256) = replay_and_live(conn, last)?;
    // a change in the log that breaks a rule (forged into the file) is never obeyed
    if let Some(conflict) = replayed.conflict {
        return Err(failed_hint(
            format!("the audit log does not hold together at {conflict}; nothing was published"),
            "run `admin audit verify` to see it, and restore the database from a backup (`admin restore`)",
        ));
    }
    let (logged, then) = (replayed.now, replayed.then);
    let published_before = then.is_some();
    let (then_standing, then_content) = then.unwrap_or_else(|| difference::side_of(&State::default()));
    // the page's "Updates to this page" comes from the publications table: it too must be
    // what the log says
    if let Some(problem) = crate::verify::publications_match(conn, &logged)? {
        return Err(failed_hint(format!("{problem}; nothing was published"), crate::exit_codes::SEE_VERIFY));
    }
    // so must the settings: the site's home, where a publish with no --out writes, is one
    let logged_settings: Option<std::collections::BTreeMap<String, (String, i64)>> = logged
        .settings
        .iter()
        .map(|(name, value)| Some((name.clone(), (value.clone(), *logged.rows.settings.get(name)?))))
        .collect();
    if crate::db::settings::all(conn).ok() != logged_settings {
        return Err(failed_hint(
            "the live tables do not match the audit log (table settings); nothing was published",
            crate::exit_codes::SEE_VERIFY,
        ));
    }
    if live_sha256 != content_sha256 {
        // read again to name the difference (the tables' state is not kept: 100,000 forces)
        let live = crate::db::state::live(conn)?;
        let what =
            live.first_difference(&logged).map_or_else(|| "the public content".to_owned(), |d| d.to_string());
        return Err(failed_hint(
            format!("the live tables do not match the audit log ({what}); nothing was published"),
            crate::exit_codes::SEE_VERIFY,
        ));
    }
    Ok(Checked { now: logged, content, content_sha256, then_content, then_standing, published_before })
}

impl Checked {
    /// For a new publication, once its difference is made: the directory the last publication
    /// showed (empty before the first), made from its content, which is let go. The state now's
    /// forces, notes and reviews are let go first, here, and for a `large` directory given back
    /// to the system at once: what follows reads the state now only for its registry,
    /// publications, records and approval. Let go on another thread while the site's files were
    /// made, they were the peak of a large publish.
    pub(super) fn take_for_publishing(&mut self, large: bool) -> Directory {
        let now = &mut self.now;
        let give_back = large.then(crate::threads::GiveBackAtOnce::start);
        drop((
            std::mem::take(&mut now.forces),
            std::mem::take(&mut now.notes),
            std::mem::take(&mut now.reviews),
            std::mem::take(&mut now.rows.forces),
            std::mem::take(&mut now.rows.notes),
        ));
        drop(give_back);
        let then = std::mem::take(&mut self.then_content);
        if self.published_before {
            Directory::of_owned(then)
        } else {
            Directory::default()
        }
    }

    /// What the public would see change: the content the last publication covered against the
    /// content now.
    pub(super) fn difference(&self) -> difference::PublicDifference {
        difference::between_contents(
            (&self.then_standing, &self.then_content),
            (&Standing::of(&self.now), &self.content),
        )
    }

    /// The content the last publication showed, where the content is unchanged since (the
    /// content now, before the first).
    pub(super) fn then_of_unchanged(&self) -> &Content {
        if self.published_before {
            &self.then_content
        } else {
            &self.content
        }
    }
}

/// The replayed state, what is kept of the state at `snapshot`, the public content now and its
/// hash, and the hash of the live tables' public content (equal hashes, equal content: the
/// hash is of the content's canonical JSON). Under a write transaction (publish holds the write
/// lock, so nothing can commit meanwhile) the tables are read on a second connection while this
/// one replays the log and makes the content: the two reads see the same database, in half the
/// time. The tables' content is let go once hashed, before the replay's state is at its largest.
fn replay_and_live(
    conn: &Connection,
    snapshot: Option<i64>,
) -> Result<(Replayed<difference::Side>, Content, String, String)> {
    let head = changes::head(conn)?;
    let last_id = head.as_ref().map_or(0, |h| h.id);
    let logged = || -> Result<(Replayed<difference::Side>, Content, String)> {
        let replayed =
            crate::log::replay_with_snapshot(conn, &Cutoff::Id(last_id), snapshot, difference::side_of)?;
        let content = Content::from_state(&replayed.now);
        let sha = content.sha256();
        Ok((replayed, content, sha))
    };
    let live = crate::db::state::live_content_sha256;
    let path = crate::db::second::file_of(conn);
    // a second connection costs a schema read and its own start: worth it only for a long log
    const SECOND_READER_FROM: i64 = 10_000;
    // the two threads' work is the peak of a large publish's memory
    let _at_once = (last_id >= SECOND_READER_FROM).then(crate::threads::GiveBackAtOnce::start);
    let second = !conn.is_autocommit() && last_id >= SECOND_READER_FROM && crate::threads::may_start();
    let Some(path) = path.filter(|_| second) else {
        let (replayed, content, sha) = logged()?;
        return Ok((replayed, content, sha, live(conn)?));
    };
    std::thread::scope(|scope| {
        let other = crate::threads::builder().spawn_scoped(scope, move || -> Result<Option<String>> {
            let other = crate::db::second::reader(&path)?;
            // only if it sees the same database as this connection: every change of state adds
            // a change to the log, and the hash chain makes the newest's hash the whole log's
            if changes::head(&other)? != head {
                return Ok(None);
            }
            live(&other).map(Some)
        });
        let logged = logged();
        let other = match other {
            Ok(other) => other.join().unwrap_or_else(|_| Err(anyhow::anyhow!("reading the tables stopped"))),
            Err(_) => Ok(None),
        };
        let live_sha = match other {
            Ok(Some(sha)) => sha,
            // a writer slipped in between (a read outside the write lock), or no thread could be
            // started: read them here
            Ok(None) | Err(_) => live(conn)?,
        };
        let (replayed, content, sha) = logged?;
        Ok((replayed, content, sha, live_sha))
    })
}

/// The public changes since the last publication, as sentences: the state it covered against
/// the state now.
pub(super) fn summary_since(checked: &Checked) -> Vec<String> {
    if !checked.published_before {
        return Vec::new();
    }
    summary::sentences(&checked.difference())
}
