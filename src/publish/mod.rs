//! `admin publish`: check that the live content is what the audit log says, decide whether and
//! how to publish, render the site and swap it into place, and record the publication in the
//! same database transaction as its `publish` change.
//!
//! Order matters for crash safety: the new site is built in a temporary directory, the
//! publication is committed, and only then is the directory swapped in. A kill before the
//! commit leaves the old site and no record; a kill between commit and swap leaves the old site,
//! which the next `admin publish` notices (the site on disk is not the newest publication) and
//! repairs with that publication re-rendered from the log (`evidence.rs`). Every refusal (another
//! database's site, a site from a longer or another history, files the tool did not write, a
//! mount point, content or publications that differ from the log) comes before anything is
//! recorded.
use std::path::PathBuf;

use anyhow::{Context, Result};
use rusqlite::Connection;

use crate::audit::Action;
use crate::content::Content;
use crate::db::changes;
use crate::db::{publications, Db};
use crate::directory::Actor;
use crate::exit_codes::{bad_hint, failed_hint};
use crate::gate::Audited;
use crate::gate::Author;
use crate::model::Publication;
use crate::state::State;

mod assemble;
mod checked;
mod data;
pub mod difference;
mod difference_page;
mod evidence;
mod feed;
pub mod history;
mod made;
mod outcome;
mod pending;
pub mod record;
mod render;
mod shown;
mod site;
mod staging;
mod summary;
mod words;

use checked::summary_since;
pub use checked::{checked_state, Checked};
pub use data::{csv_guarded, csv_safe};
pub use difference::{between, PublicDifference};
pub use difference_page::difference_page;
pub use made::{sha256_hex, Site};
pub use outcome::{Outcome, Rewrite};
pub use pending::{pending, pending_approval, pending_difference, pending_with_approval, preview};
pub use shown::{lines as difference_lines, Form};
pub use site::{read_manifest_at, Manifest, MANIFEST};

/// Refuse a site directory that could not be published into, as `publish` would, before a
/// schedule records it: one that prints as itself, with room for admin's files beside it, in a
/// directory that exists.
pub fn check_out(out: &std::path::Path) -> Result<()> {
    site::Out::resolve(out).map(|_| ())
}

#[derive(Debug, Clone)]
pub struct Options {
    pub out: PathBuf,
    pub note: Option<String>,
    pub minor: bool,
    pub dry_run: bool,
    pub allow_broken: bool,
    /// Replace a site that another database published.
    pub replace_site: bool,
    /// Publish without a second check, for this reason.
    pub without_approval: Option<String>,
    /// Carry out this schedule: its content, note and approval.
    pub scheduled: Option<crate::approval::Schedule>,
}

pub fn publish(db: &mut Db, author: &Author, options: &Options) -> Result<Outcome> {
    let out = site::Out::resolve(&options.out)?;
    site::refuse_the_database(
        &options.out,
        &out.path,
        db.path(),
        "give --out a new or empty directory (without --out, admin publishes into the site's home)",
    )?;
    // a dry run takes the lock too, as the real publish would (a place no lock can be made in
    // fails both alike); it is let go, and its file removed, when the run ends
    let _lock = site::lock(&out)?;
    if !options.dry_run {
        // what a killed publish left beside the site goes now, even if nothing is to be published
        staging::remove_leftovers(&out);
    }
    let on_disk = site::inspect(&out)?;
    let database_id = db.database_id()?;
    let manifest = on_disk.manifest.as_ref();
    evidence::check_same_database(manifest, database_id.as_deref(), options.replace_site, &out.path)?;
    // a dry run makes every check the real one makes, recording the publication too (the gate
    // holds it to the log's rules) in a transaction that is then rolled back: only the writing
    // of the site, and the lock beside it, are skipped
    let run = |tx: &rusqlite::Transaction, actor: &Actor| -> Result<Prepared> {
        crate::editors::authorize_action(tx, &actor.editor, Action::Publish)?;
        let mut checked = checked_state(tx)?;
        // the forces are shared, not copied
        let content = &checked.content.clone();
        let content_sha = checked.content_sha256.clone();
        let last = publications::last(tx)?;
        evidence::check_site(tx, manifest, options.replace_site, &out.path)?;
        if let Some(last) = last.clone().filter(|l| l.content_sha256 == content_sha) {
            // the table says nothing public changed since: the log must say so too, and a
            // repair writes that publication as the log records it, never the content now
            let then = checked.then_of_unchanged();
            evidence::check_unchanged(tx, &last, &content_sha, then)?;
            if on_disk.is_intact(&last.sha256) {
                return Ok(Prepared::Nothing(last));
            }
            site::check_swappable(&out)?;
            let (site, staging) =
                evidence::rebuild(tx, &last, &content_sha, then, &checked, &out, options.dry_run)?;
            // what was there, as far as the log vouches for it: the publication it records with
            // the site's sha256, where its files are whole; never the number the manifest gives,
            // which anyone may edit
            let over = match manifest {
                None => Rewrite::Absent,
                Some(m) if m.database_id.is_some() && m.database_id != database_id => Rewrite::Replaced,
                Some(m) if m.sha256 != last.sha256 => Rewrite::Held(
                    publications::with_sha256(tx, &m.sha256)?.filter(|_| on_disk.damaged.is_empty()),
                ),
                Some(_) => Rewrite::Damaged(on_disk.damaged.clone()),
            };
            let Some(staging) = staging else { return Ok(Prepared::WouldRepair(last, over)) };
            let staged = staging.finish(&site, &identity(database_id.clone(), &last))?;
            return Ok(Prepared::Repair(last, staged, over));
        }
        if !options.allow_broken {
            refuse_broken(tx)?;
        }
        site::check_swappable(&out)?;
        let first = last.is_none();
        let covered_from = last.as_ref().map_or(0, |p| p.last_change);
        let check = second_check(tx, options, &content_sha, covered_from)?;
        // what goes public, read once: the change note is made from it
        let difference = checked.difference();
        let summary = match &last {
            None => vec![format!("The first publication: {} forces.", content.forces.len())],
            Some(_) => summary::sentences(&difference),
        };
        let large = content.forces.len() >= crate::threads::LARGE;
        let before = checked.take_for_publishing(large);
        let major = first || !options.minor;
        let note = if first {
            "First published.".to_owned()
        } else {
            options.note.clone().unwrap_or_else(|| summary::as_note(&summary))
        };
        let head = changes::head(tx)?;
        let last_change = head.as_ref().map_or(0, |h| h.id);
        let mut publication = Publication {
            // the id it will get: publications are written only under this write lock
            id: last.as_ref().map_or(1, |p| p.id + 1),
            at: actor.at.clone(),
            editor: actor.editor.clone(),
            note,
            major,
            sha256: String::new(),
            changes: Vec::new(),
            content_sha256: content_sha,
            first_change: covered_from + 1,
            last_change,
            head_hash: head.map(|h| h.hash),
            approved_by: check.approved_by,
            without_approval: check.without_approval,
            change: 0,
        };
        let inputs = site_inputs(tx, &publication, false)?;
        let signing = (!options.dry_run).then(|| assemble::Signing {
            signer: actor.signer.as_ref(),
            key: checked.now.editors.get(&actor.editor).and_then(|e| e.key.as_deref()),
        });
        let will_sign = signing.as_ref().is_some_and(|s| s.key.is_some());
        // a publication that cannot be signed is refused before anything of its site is written
        if let Some(signing) = &signing {
            assemble::check_signing(&actor.editor, signing)?;
        }
        // a real publication's large files are written straight into the new site as they are
        // made (the whole site is tens of megabytes on a large directory); a dry run's are only
        // hashed, for the record it checks
        let staging = if options.dry_run { None } else { Some(staging::Staging::begin(&out)?) };
        let sink = staging.as_ref().map_or(made::Sink::Hashed, made::Sink::Staging);
        // the page and data files are rendered on another thread while this one makes what is
        // added to them so that the site can be checked: neither needs the other
        let (base, additions) = crate::threads::at_once(
            large,
            || inputs.render(content, &publication, false, sink),
            || assemble::additions(tx, &checked, before, &publication, will_sign, sink),
        );
        let (site, kept) = assemble::new_publication(base?, additions?, &publication, signing)?;
        publication.sha256 = site.sha256();
        if last_change > covered_from {
            publication.changes = vec![covered_from + 1, last_change];
        }
        let Some(staging) = staging else {
            let schedule = options.scheduled.as_ref().map(|s| s.change);
            record(tx, actor, &publication, schedule, Some(&out.path), Some(kept))?;
            free_aside(large, checked);
            return Ok(Prepared::DryRun(publication, summary, difference));
        };
        let staged = staging.finish(&site, &identity(database_id.clone(), &publication))?;
        let change = record(
            tx,
            actor,
            &publication,
            options.scheduled.as_ref().map(|s| s.change),
            Some(&out.path),
            Some(kept),
        )?;
        free_aside(large, checked);
        Ok(Prepared::Publish(publication, change.id, summary, staged))
    };
    let prepared = if options.dry_run { db.dry_run_as(author, run)? } else { db.write_as(author, run)? };
    match prepared {
        Prepared::Nothing(last) => Ok(Outcome::NothingChanged { last }),
        Prepared::WouldRepair(last, over) => Ok(Outcome::WouldRepair { last, over }),
        Prepared::Repair(last, staged, over) => {
            staged.swap_in().context("failed to write the site")?;
            Ok(Outcome::Repaired { last, over })
        }
        Prepared::DryRun(publication, summary, difference) => {
            Ok(Outcome::WouldPublish { publication, summary, difference })
        }
        Prepared::Publish(publication, change_id, summary, staged) => {
            staged.swap_in().with_context(|| {
                format!(
                    "publication {} is recorded but the site could not be put in `{}`; run `admin publish` again to write it",
                    publication.id,
                    options.out.display()
                )
            })?;
            Ok(Outcome::Published { publication, change_id, summary })
        }
    }
}

/// Free a `large` value on another thread: two states and their contents of 100,000 forces take
/// a tenth of a second to free, which the publication need not wait for. A small one (below
/// `threads::LARGE` forces) is freed here: starting a thread costs more.
fn free_aside<T: Send + 'static>(large: bool, value: T) {
    // where no thread may or can be started, it is freed here
    if large && crate::threads::may_start() {
        let _ = crate::threads::builder().spawn(move || drop(value));
    }
}

fn identity(database_id: Option<String>, publication: &Publication) -> site::Identity {
    site::Identity { database_id, publication: publication.id, audit: publication.audit_head() }
}

enum Prepared {
    Nothing(Publication),
    Repair(Publication, staging::Staged, Rewrite),
    WouldRepair(Publication, Rewrite),
    DryRun(Publication, Vec<String>, PublicDifference),
    Publish(Publication, i64, Vec<String>, staging::Staged),
}

/// Render the site of a recorded publication from `content`, its record made again from the log
/// (`state`).
fn render_publication(
    conn: &Connection,
    content: &Content,
    publication: &Publication,
    state: &State,
    sink: made::Sink,
) -> Result<Site> {
    let base = render_site(conn, content, publication, false, sink)?;
    let directory = crate::published::Directory::of(content);
    assemble::past_publication(conn, base, state, directory, publication, sink)
}

fn render_site(
    conn: &Connection,
    content: &Content,
    publication: &Publication,
    preview: bool,
    sink: made::Sink,
) -> Result<Site> {
    site_inputs(conn, publication, preview)?.render(content, publication, preview, sink)
}

/// What a publication's page takes from the database besides its content: the major
/// publications up to it, when the first was made, and (not in a preview) what the page says of
/// this one.
struct SiteInputs {
    history: Vec<Publication>,
    first_at: String,
    about: Option<render::About>,
}

fn site_inputs(conn: &Connection, publication: &Publication, preview: bool) -> Result<SiteInputs> {
    let mut history = publications::majors_up_to(conn, publication.id)?;
    if publication.major && history.first().map(|p| p.id) != Some(publication.id) {
        history.insert(0, publication.clone());
    }
    let first_at = publications::get(conn, 1)?.map_or_else(|| publication.at.clone(), |p| p.at);
    let about = (!preview).then_some(()).map(|()| -> Result<render::About> {
        // a recorded publication was signed if its `publish` change was; a new one is if its
        // publisher has a key
        let signed = if publication.change > 0 {
            changes::get(conn, publication.change)?.is_some_and(|c| c.signature.is_some())
        } else {
            crate::log::registry(conn)?.get(&publication.editor).is_some_and(|e| e.key.is_some())
        };
        Ok(render::About { number: publication.id, signed_by: signed.then(|| publication.editor.clone()) })
    });
    Ok(SiteInputs { history, first_at, about: about.transpose()? })
}

impl SiteInputs {
    fn render(
        &self,
        content: &Content,
        publication: &Publication,
        preview: bool,
        sink: made::Sink,
    ) -> Result<Site> {
        let about = self.about.as_ref();
        render::render(content, &self.history, &self.first_at, publication, about, preview, sink)
    }
}

/// The second check for a publication about to be made: a schedule's own, or a valid approval
/// (or a reason to go without one where it is required).
fn second_check(
    conn: &Connection,
    options: &Options,
    content_sha: &str,
    covered_from: i64,
) -> Result<crate::approval::Check> {
    if let Some(schedule) = &options.scheduled {
        if schedule.content_sha256 != content_sha {
            let changed: Vec<String> = changes::since_id_but_publications(conn, schedule.change)?
                .into_iter()
                .filter(crate::approval::is_public)
                .map(|c| format!("change {} ({} by {})", c.id, crate::describe::describe(&c), c.editor))
                .collect();
            return Err(failed_hint(
                format!(
                    "the content changed after it was scheduled (change {}): {}; nothing was published",
                    schedule.change,
                    if changed.is_empty() { "the public content differs".to_owned() } else { changed.join(", ") }
                ),
                "the schedule is kept: revert those changes, or cancel it (`admin publish --cancel-schedule`) and schedule again",
            ));
        }
        return Ok(crate::approval::Check {
            approved_by: schedule.approved_by.clone(),
            without_approval: schedule.without_approval.clone(),
        });
    }
    let authors = || -> Result<std::collections::BTreeSet<String>> {
        let covered = changes::since_id_but_publications(conn, covered_from)?;
        let public = covered.into_iter().filter(crate::approval::is_public);
        Ok(public.filter(|c| c.action != Action::Init).map(|c| c.editor).collect())
    };
    crate::approval::check(conn, content_sha, authors, options.without_approval.as_deref())
}

/// Record a publication: its `publish` change, which the projection makes its row.
pub fn record(
    tx: &Connection,
    actor: &Actor,
    publication: &Publication,
    schedule: Option<i64>,
    out: Option<&std::path::Path>,
    site: Option<crate::event::SiteRecord>,
) -> Result<crate::model::Change> {
    let record = crate::event::PublicationRecord {
        id: publication.id,
        note: publication.note.clone(),
        major: publication.major,
        sha256: publication.sha256.clone(),
        changes: publication.changes.clone(),
        approved_by: publication.approved_by.clone(),
        without_approval: publication.without_approval.clone(),
        schedule,
        content_sha256: Some(publication.content_sha256.clone()),
        database: crate::db::database_id(tx)?,
        out: out.map(|p| p.display().to_string()),
        site,
    };
    crate::gate::append(tx, actor.change(Action::Publish, crate::event::Event::Publication(record)))
}

/// Refuse to publish while an active force's newest link check says broken.
fn refuse_broken(conn: &Connection) -> Result<()> {
    let broken = crate::db::link_checks::broken_active(conn)?;
    if broken.is_empty() {
        return Ok(());
    }
    Err(failed_hint(
        format!("{} broken: {}", if broken.len() == 1 { "a link is" } else { "links are" }, broken.join(", ")),
        "fix them with `admin set-url` or `admin clear-url`, re-run `admin check-links`, or publish anyway with --allow-broken",
    ))
}

/// Re-render publication `id` from the audit log and the publications table, check that it is
/// byte-identical to what was published (its sha256), and write it into `out`, which must not
/// hold a newer publication (an old site never goes over the live one).
pub fn republish(db: &mut Db, id: i64, out: &std::path::Path, replace_site: bool) -> Result<Publication> {
    let out = site::Out::resolve(out)?;
    let _lock = site::lock(&out)?;
    staging::remove_leftovers(&out);
    let on_disk = site::inspect(&out)?;
    let database_id = db.database_id()?;
    evidence::check_same_database(
        on_disk.manifest.as_ref(),
        database_id.as_deref(),
        replace_site,
        &out.path,
    )?;
    if let Some(manifest) = on_disk.manifest.as_ref().filter(|m| m.publication.is_none()) {
        return Err(bad_hint(
            format!(
                "`{}` holds a site whose manifest does not say which publication it is (sha256 {}): an old publication never goes over a site that may be newer",
                out.path.display(),
                manifest.sha256
            ),
            format!("write it somewhere else, e.g. --out publication-{id}"),
        ));
    }
    if let Some(newer) = on_disk.manifest.as_ref().and_then(|m| m.publication).filter(|&p| p > id) {
        return Err(bad_hint(
            format!(
                "`{}` says it holds publication {newer}, newer than publication {id}: an old publication never goes over a newer site",
                out.path.display()
            ),
            format!("write it somewhere else, e.g. --out publication-{id}"),
        ));
    }
    let (publication, site, staging) = db.read(|tx| {
        // the publication as the log records it, and the table the page's history comes from
        // checked against the log
        let logged = crate::log::now(tx)?;
        if let Some(problem) = crate::verify::publications_match(tx, &logged)? {
            return Err(failed_hint(
                format!("{problem}; nothing was written"),
                crate::exit_codes::SEE_VERIFY,
            ));
        }
        evidence::check_site(tx, on_disk.manifest.as_ref(), replace_site, &out.path)?;
        let publication = publications::get(tx, id)?
            .ok_or_else(|| bad_hint(format!("no publication {id}"), "see `admin publications`"))?;
        let content = crate::replay::content_as_of_change(tx, publication.last_change)?;
        // written straight into a new site as it is made, once nothing is left to check first
        let staging = staging::Staging::begin(&out)?;
        let site = render_publication(tx, &content, &publication, &logged, made::Sink::Staging(&staging))?;
        Ok((publication, site, staging))
    })?;
    let sha = site.sha256();
    if sha != publication.sha256 {
        anyhow::bail!(
            "re-rendering publication {id} gives sha256 {sha}, not the recorded {}: the page templates have changed since",
            publication.sha256
        );
    }
    staging.finish(&site, &identity(database_id, &publication))?.swap_in()?;
    Ok(publication)
}
