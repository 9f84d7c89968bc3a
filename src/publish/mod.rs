//! `admin publish`: read the public content, decide whether and how to publish, render the
//! site and swap it into place, and record the publication in the same database transaction
//! as its `publish` change.
//!
//! Order matters for crash safety: the new site is built in a temporary directory, the
//! publication is committed, and only then is the directory swapped in. A kill before the
//! commit leaves the old site and no record; a kill between commit and swap leaves the old site,
//! which the next `admin publish` notices (the manifest's sha256 is not the newest
//! publication's) and repairs.
use std::path::PathBuf;

use anyhow::{Context, Result};
use rusqlite::Connection;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{hex, Action, Entity};
use crate::db::{changes, forces, notes, page, publications, Db};
use crate::directory::Actor;
use crate::exit_codes::failed_hint;
use crate::model::{LinkStatus, Publication};

mod render;
mod site;
mod summary;

pub use render::{csv_guarded, csv_safe, Site};
pub use site::read_manifest_sha;

/// What the public sees: the page text, the active forces and the open public notes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Content {
    pub heading: String,
    pub intro: Vec<String>,
    /// Open public notes about the page as a whole, oldest first.
    pub notes: Vec<String>,
    pub forces: Vec<PublicForce>,
}

/// Fields in sorted key order: serialised compactly, a force is its canonical JSON, and
/// `forces.json` lists it as a sorted JSON object would.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PublicForce {
    pub name: String,
    /// Open public notes about this force, oldest first.
    pub notes: Vec<String>,
    pub slug: String,
    pub url: Option<String>,
}

impl Content {
    /// sha256 of the content's canonical JSON: equal content publishes nothing.
    ///
    /// The canonical JSON is streamed into the hash: fields declared in sorted key order and
    /// written compactly by serde_json are exactly `canonical_json` of the content as a `Value`
    /// (a test checks it), without a copy of every force as a `Value` and the text of it.
    pub fn sha256(&self) -> String {
        #[derive(Serialize)]
        struct Canonical<'a> {
            forces: &'a [PublicForce],
            heading: &'a str,
            intro: &'a [String],
            notes: &'a [String],
        }
        let canonical = Canonical {
            forces: &self.forces,
            heading: &self.heading,
            intro: &self.intro,
            notes: &self.notes,
        };
        let mut hasher = Sha256::new();
        // writing into a hasher cannot fail; strings and options always serialise
        let _ = serde_json::to_writer(&mut hasher, &canonical);
        hex(&hasher.finalize())
    }
}

/// The stored introduction, blank-line separated, as paragraphs.
pub fn intro_paragraphs(intro: &str) -> Vec<String> {
    intro.split("\n\n").filter(|p| !p.trim().is_empty()).map(str::to_owned).collect()
}

/// Read the public content as it is now.
pub fn content(conn: &Connection) -> Result<Content> {
    let heading = page::get(conn, "heading")?.unwrap_or_else(|| "Use of Force Data".to_owned());
    let intro = intro_paragraphs(&page::get(conn, "intro")?.unwrap_or_default());
    let mut page_notes = Vec::new();
    let mut by_force: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for note in notes::list(conn, notes::Scope::All, true, true)? {
        match note.force {
            Some(slug) => by_force.entry(slug).or_default().push(note.text),
            None => page_notes.push(note.text),
        }
    }
    let forces = forces::list(conn, false)?
        .into_iter()
        .map(|e| PublicForce {
            notes: by_force.remove(&e.slug).unwrap_or_default(),
            slug: e.slug,
            name: e.name,
            url: e.url,
        })
        .collect();
    Ok(Content { heading, intro, notes: page_notes, forces })
}

#[derive(Debug, Clone)]
pub struct Options {
    pub out: PathBuf,
    pub note: Option<String>,
    pub minor: bool,
    pub dry_run: bool,
    pub allow_broken: bool,
}

/// What `publish` did.
#[derive(Debug)]
pub enum Outcome {
    Published {
        publication: Publication,
        change_id: i64,
        summary: Vec<String>,
    },
    /// `--dry-run`: what it would have published.
    WouldPublish {
        publication: Publication,
        summary: Vec<String>,
    },
    /// The content is what was last published, and the site on disk is that publication.
    NothingChanged {
        last: Publication,
    },
    /// The content is unchanged but the site on disk was not the last publication (a crash
    /// between commit and swap, or a deleted directory): it was written again.
    Repaired {
        last: Publication,
    },
}

pub fn publish(db: &mut Db, actor: &Actor, options: &Options) -> Result<Outcome> {
    let _lock = if options.dry_run { None } else { Some(site::lock(&options.out)?) };
    site::check_out_dir(&options.out)?;
    let prepared = db.write(|tx| {
        let content = content(tx)?;
        let content_sha = content.sha256();
        let last = publications::last(tx)?;
        if let Some(last) = last.filter(|l| l.content_sha256 == content_sha) {
            let on_disk = site::read_manifest_sha(&options.out)?;
            if on_disk.as_deref() == Some(last.sha256.as_str()) || options.dry_run {
                return Ok(Prepared::Nothing(last));
            }
            let site = render_publication(tx, &content, &last)?;
            return Ok(Prepared::Repair(last, site));
        }
        if !options.allow_broken {
            refuse_broken(tx)?;
        }
        let first = publications::last(tx)?.is_none();
        let covered_from = publications::last(tx)?.map_or(0, |p| p.last_change);
        let covered = changes::since_id(tx, covered_from)?;
        let summary = if first {
            vec![format!("The first publication: {} forces.", content.forces.len())]
        } else {
            let names = content.forces.iter().map(|f| (f.slug.clone(), f.name.clone())).collect();
            summary::summarise(&covered, &names)
        };
        let major = first || !options.minor;
        let note = if first {
            "First published.".to_owned()
        } else {
            options.note.clone().unwrap_or_else(|| summary::as_note(&summary))
        };
        let last_change = changes::last_id(tx)?;
        let mut publication = Publication {
            id: 0,
            at: actor.at.clone(),
            editor: actor.editor.clone(),
            note,
            major,
            sha256: String::new(),
            changes: Vec::new(),
            content_sha256: content_sha,
            first_change: covered_from + 1,
            last_change,
        };
        // the id it will get: publications are written only under this write lock
        publication.id = publications::last(tx)?.map_or(1, |p| p.id + 1);
        let site = render_publication(tx, &content, &publication)?;
        publication.sha256 = site.sha256();
        if last_change > covered_from {
            publication.changes = vec![covered_from + 1, last_change];
        }
        if options.dry_run {
            return Ok(Prepared::DryRun(publication, summary));
        }
        let staged = site::stage(&options.out, &site)?;
        let change = record(tx, actor, &publication)?;
        Ok(Prepared::Publish(publication, change.id, summary, staged))
    })?;
    match prepared {
        Prepared::Nothing(last) => Ok(Outcome::NothingChanged { last }),
        Prepared::Repair(last, site) => {
            let staged = site::stage(&options.out, &site)?;
            staged.swap_in().context("failed to write the site")?;
            Ok(Outcome::Repaired { last })
        }
        Prepared::DryRun(publication, summary) => Ok(Outcome::WouldPublish { publication, summary }),
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

enum Prepared {
    Nothing(Publication),
    Repair(Publication, Site),
    DryRun(Publication, Vec<String>),
    Publish(Publication, i64, Vec<String>, site::Staged),
}

/// Render the site for `publication` (which may not be recorded yet) from `content`.
fn render_publication(conn: &Connection, content: &Content, publication: &Publication) -> Result<Site> {
    render_site(conn, content, publication, false)
}

fn render_site(
    conn: &Connection,
    content: &Content,
    publication: &Publication,
    preview: bool,
) -> Result<Site> {
    let mut history = publications::majors_up_to(conn, publication.id)?;
    if publication.major && history.first().map(|p| p.id) != Some(publication.id) {
        history.insert(0, publication.clone());
    }
    let first_at = publications::get(conn, 1)?.map_or_else(|| publication.at.clone(), |p| p.at);
    render::render(content, &history, &first_at, publication, preview)
}

/// Record a publication: its row and its `publish` change in the audit log.
pub fn record(tx: &Connection, actor: &Actor, publication: &Publication) -> Result<crate::model::Change> {
    let id = publications::insert(tx, publication)?;
    debug_assert_eq!(id, publication.id);
    changes::append(
        tx,
        actor.change(
            Action::Publish,
            Entity::Publication,
            None,
            None,
            Some(json!({
                "id": publication.id,
                "note": publication.note,
                "major": publication.major,
                "sha256": publication.sha256,
                "changes": publication.changes,
            })),
        ),
    )
}

/// Refuse to publish while an active force's newest link check says broken.
fn refuse_broken(conn: &Connection) -> Result<()> {
    let broken: Vec<String> = forces::list(conn, false)?
        .into_iter()
        .filter(|e| e.link_status == LinkStatus::Broken)
        .map(|e| e.name)
        .collect();
    if broken.is_empty() {
        return Ok(());
    }
    Err(failed_hint(
        format!("{} broken: {}", if broken.len() == 1 { "a link is" } else { "links are" }, broken.join(", ")),
        "fix them with `admin set-url` or `admin clear-url`, re-run `admin check-links`, or publish anyway with --allow-broken",
    ))
}

/// Re-render publication `id` from the audit log and the publications table, check that it is
/// byte-identical to what was published (its sha256), and write it into `out`.
pub fn republish(db: &mut Db, id: i64, out: &std::path::Path) -> Result<Publication> {
    let _lock = site::lock(out)?;
    site::check_out_dir(out)?;
    let (publication, site) = db.read(|tx| {
        let publication = publications::get(tx, id)?.ok_or_else(|| {
            crate::exit_codes::bad_hint(format!("no publication {id}"), "see `admin publications`")
        })?;
        let content = crate::replay::content_as_of_change(tx, publication.last_change)?;
        let site = render_publication(tx, &content, &publication)?;
        Ok((publication, site))
    })?;
    let sha = site.sha256();
    if sha != publication.sha256 {
        anyhow::bail!(
            "re-rendering publication {id} gives sha256 {sha}, not the recorded {}: the page templates have changed since",
            publication.sha256
        );
    }
    site::stage(out, &site)?.swap_in()?;
    Ok(publication)
}

/// What the next publication would cover: the changes since the last one (publications
/// themselves aside) and the automatic note it would get.
pub fn pending(conn: &Connection) -> Result<(Vec<crate::model::Change>, String)> {
    let last = publications::last(conn)?;
    let from = last.as_ref().map_or(0, |p| p.last_change);
    let covered: Vec<_> =
        changes::since_id(conn, from)?.into_iter().filter(|c| c.action != "publish").collect();
    if last.is_none() {
        return Ok((covered, "First published.".to_owned()));
    }
    let content = content(conn)?;
    let names = content.forces.iter().map(|f| (f.slug.clone(), f.name.clone())).collect();
    let note = summary::summarise(&covered, &names);
    Ok((
        covered,
        if note.is_empty() { "nothing public has changed".to_owned() } else { summary::as_note(&note) },
    ))
}

/// The site as the next publication would make it, marked as a preview, for `admin serve`:
/// the current database, unpublished changes included. Nothing is written or recorded.
pub fn preview(conn: &Connection, at: &str) -> Result<Site> {
    let content = content(conn)?;
    let last = publications::last(conn)?;
    if let Some(last) = last.as_ref().filter(|l| l.content_sha256 == content.sha256()) {
        return render_site(conn, &content, last, true);
    }
    let (_, note) = pending(conn)?;
    let publication = Publication {
        id: last.as_ref().map_or(1, |p| p.id + 1),
        at: at.to_owned(),
        editor: String::new(),
        note,
        major: true,
        sha256: String::new(),
        changes: Vec::new(),
        content_sha256: String::new(),
        first_change: 0,
        last_change: 0,
    };
    render_site(conn, &content, &publication, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamed_content_hash_is_the_hash_of_its_canonical_json() {
        let content = Content {
            heading: "Use of Force Data".into(),
            intro: vec!["One \"quoted\" <p>.".into(), "Two é\u{1}.".into()],
            notes: vec!["Page note".into()],
            forces: vec![
                PublicForce {
                    slug: "kent-police".into(),
                    name: "Kent Police".into(),
                    url: Some("https://example.org/a?b=c&d".into()),
                    notes: vec!["a\nb".into()],
                },
                PublicForce { slug: "essex-police".into(), name: "Essex".into(), url: None, notes: vec![] },
            ],
        };
        let value = serde_json::to_value(&content).unwrap();
        assert_eq!(content.sha256(), hex(&Sha256::digest(crate::audit::canonical_json(&value).as_bytes())));
    }
}
