//! The site is evidence (SPEC section 15): what `--out` holds says what was published, and
//! `publish` never makes it say something the audit log does not.
//!
//! Before anything is written, the site's manifest must name this database, a publication this
//! log holds at that number, and an audit head this log holds with that hash. A site published
//! from a longer or another history (a newer copy of the database, the database a backup was
//! restored from, a copy whose log was cut) is left as it is unless `--replace-site` is given:
//! writing over it would replace the live publication N with a different one of the same number.
//!
//! A site is repaired only with the publication the log records, re-rendered from the log as of
//! its audit head and checked against the sha256 its `publish` change records. The publications
//! table says which content was last published, but the table is a projection anyone with the
//! file can edit: where it disagrees with the log, `publish` refuses and names the difference.
use std::path::Path;

use anyhow::Result;
use rusqlite::Connection;

use super::made::Site;
use super::site::Manifest;
use crate::content::Content;
use crate::db::{changes, publications};
use crate::exit_codes::failed_hint;
use crate::model::Publication;
use crate::output::prefix;

/// How many characters of an id or a hash a message shows.
const SHORT: usize = 12;

const REPLACE_HINT: &str =
    "check --db and --out: publish with the database that made that site, or elsewhere with --out DIR; to replace it with this one's, pass --replace-site";

const TABLE_HINT: &str = "the publications table was changed behind admin's back: restore the database from a backup (`admin restore`)";

/// Refuse to write over a site another database published, unless told to.
pub fn check_same_database(
    manifest: Option<&Manifest>,
    ours: Option<&str>,
    replace_site: bool,
    out: &Path,
) -> Result<()> {
    let theirs = manifest.and_then(|m| m.database_id.as_deref());
    match (theirs, ours) {
        (Some(theirs), Some(ours)) if theirs != ours && !replace_site => Err(failed_hint(
            format!(
                "`{}` holds a site published from another database (id {}…, this one is {}…); it was left as it is",
                out.display(),
                prefix(theirs, 8),
                prefix(ours, 8)
            ),
            "publish elsewhere with --out DIR (or move the site's home with `admin settings site DIR`); to replace that site with this database's, pass --replace-site",
        )),
        _ => Ok(()),
    }
}

/// Refuse a site whose manifest names a publication this log does not hold at that number, or
/// an audit head this log does not hold with that hash (a later one included), unless told to
/// replace it. A manifest from before sites named their publication or head is not refused
/// for what it does not say. The caller has checked the publications table against the log
/// (`verify::publications_match`), so a row changed behind the tool's back is named as such,
/// not blamed on the site.
pub fn check_site(
    conn: &Connection,
    manifest: Option<&Manifest>,
    replace_site: bool,
    out: &Path,
) -> Result<()> {
    let Some(manifest) = manifest.filter(|_| !replace_site) else { return Ok(()) };
    let holds = match (manifest.publication, &manifest.audit) {
        (Some(n), Some(audit)) => format!("publication {n} (audit head change {})", audit.change),
        (Some(n), None) => format!("publication {n}"),
        (None, Some(audit)) => format!("a publication covering change {}", audit.change),
        (None, None) => return Ok(()),
    };
    let refuse = |log: String| {
        failed_hint(
            format!("`{}` says it holds {holds}, but {log}; it was left as it is", out.display()),
            REPLACE_HINT,
        )
    };
    let head = changes::last_id(conn)?;
    if let Some(n) = manifest.publication {
        let Some(ours) = publications::get(conn, n)? else {
            let count = publications::last(conn)?.map_or(0, |p| p.id);
            let longer = if n > count {
                ": the site was published from a longer history (a newer copy of this database, or the one a backup was restored from)"
            } else {
                ""
            };
            return Err(refuse(format!(
                "this log holds {} and ends at change {head}{longer}",
                match count {
                    0 => "no publication".to_owned(),
                    1 => "only publication 1".to_owned(),
                    _ => format!("publications 1 to {count}"),
                }
            )));
        };
        if let Some(audit) = &manifest.audit {
            if audit.change != ours.last_change {
                return Err(refuse(format!(
                    "this log's publication {n} covers change {}: the site was published from another history of this database, or its manifest was edited",
                    ours.last_change
                )));
            }
        }
    }
    if let Some(audit) = &manifest.audit {
        if audit.change > head {
            return Err(refuse(format!(
                "this log ends at change {head}: the site was published from a longer history (a newer copy of this database, or the one a backup was restored from)"
            )));
        }
        let logged = changes::hash_of(conn, audit.change)?;
        if logged.as_deref() != Some(audit.hash.as_str()) {
            return Err(refuse(format!(
                "it says change {} has hash {}…, and this log's has {}: the site was published from another history of this database, or its manifest was edited",
                audit.change,
                prefix(&audit.hash, SHORT),
                logged.as_deref().map_or_else(|| "none".to_owned(), |h| format!("{}…", prefix(h, SHORT)))
            )));
        }
    }
    Ok(())
}

/// The table says the public content (sha256 `content_sha`) is what `last` published: refuse
/// unless the log says so too. When no public change was made since its head (the usual case)
/// the log agrees without more; otherwise the log is replayed up to its head, as a set URL
/// and its revert leave the content as it was.
pub fn check_unchanged(
    conn: &Connection,
    last: &Publication,
    content_sha: &str,
    then: &Content,
) -> Result<()> {
    let since = changes::since_id_but_publications(conn, last.last_change)?;
    if !since.iter().any(crate::approval::is_public) {
        return Ok(());
    }
    let logged = then.sha256();
    if logged == content_sha {
        return Ok(());
    }
    Err(content_differs(last, content_sha, &logged))
}

fn content_differs(last: &Publication, table: &str, logged: &str) -> anyhow::Error {
    failed_hint(
        format!(
            "publication {}: its row says it showed the content live now (sha256 {}…), but the audit log up to its head (change {}) gives {}…; nothing was published",
            last.id,
            prefix(table, SHORT),
            last.last_change,
            prefix(logged, SHORT)
        ),
        TABLE_HINT,
    )
}

/// The site of publication `last`, re-rendered from the log as of its head, for repairing
/// `out`: its content must be the content the table says it showed (`content_sha`, what is live
/// now), and the files byte for byte the ones its `publish` change records. Current content is
/// never rendered in its place: that would publish without a `publish` change. Its large files
/// are written straight into a new site beside `out` as they are made, begun once the content
/// is checked (a dry run's are only hashed, and it has none).
pub fn rebuild(
    conn: &Connection,
    last: &Publication,
    content_sha: &str,
    then: &Content,
    checked: &super::Checked,
    out: &super::site::Out,
    dry_run: bool,
) -> Result<(Site, Option<super::staging::Staging>)> {
    let content = then;
    let logged = content.sha256();
    if logged != content_sha {
        return Err(content_differs(last, content_sha, &logged));
    }
    let staging = if dry_run { None } else { Some(super::staging::Staging::begin(out)?) };
    let sink = staging.as_ref().map_or(super::made::Sink::Hashed, super::made::Sink::Staging);
    let site = super::render_publication(conn, content, last, &checked.now, sink)?;
    let sha = site.sha256();
    if sha != last.sha256 {
        return Err(failed_hint(
            format!(
                "`{}` is not publication {} as recorded, and re-rendering it from the audit log gives sha256 {}…, not the {}… its `publish` change records (this admin renders the page differently from the one that published it); nothing was written",
                out.path.display(),
                last.id,
                prefix(&sha, SHORT),
                prefix(&last.sha256, SHORT)
            ),
            "a new publication writes the site with this admin: publish the next change with `admin publish`",
        ));
    }
    Ok((site, staging))
}
