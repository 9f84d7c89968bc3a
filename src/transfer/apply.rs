//! Applying an import: the file's difference from the database, as ordinary audited changes.
use anyhow::Result;
use rusqlite::Connection;

use super::{problem_of, Entry, Problem};
use crate::audit::Action;
use crate::db::forces;
use crate::directory::{self, Actor, Outcome};
use crate::exit_codes::{bad, BadInput};
use crate::model::{Change, Force, ForceStatus};
use crate::validate;

/// What import did for one force.
#[derive(Debug)]
pub struct Applied {
    pub slug: String,
    pub change: Change,
}

/// What an import did: the changes, in file order, the forces the file left out (by slug),
/// which are left as they are, and the records the database refused (an unknown name, a new
/// force without one): with any of those, the caller rolls every change back.
#[derive(Debug)]
pub struct Imported {
    pub applied: Vec<Applied>,
    pub not_in_file: Vec<String>,
    pub problems: Vec<Problem>,
    /// The public changes made since the last publication to the forces this import changes
    /// (none if nothing was ever published): what importing a published file sets back.
    pub unpublished: Vec<Change>,
}

/// Apply the file's difference from the database as `import` changes. Forces missing from the
/// file, and fields it leaves out, are left as they are. A record refused as bad input is a
/// problem, and the records after it are still tried, so that every problem is named at once.
pub fn apply(conn: &Connection, actor: &Actor, entries: &[Entry], allow_http: bool) -> Result<Imported> {
    let since = match crate::db::publications::last(conn)? {
        Some(last) => crate::db::changes::since_id_but_publications(conn, last.last_change)?
            .into_iter()
            .filter(crate::approval::is_public)
            .collect(),
        None => Vec::new(),
    };
    let mut applied = Vec::new();
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for entry in entries {
        let at = entry.at;
        let done = (|| -> Result<Option<Applied>> {
            let url = match &entry.url {
                Some(Some(u)) => Some(Some(validate::force_url(u, allow_http)?)),
                Some(None) => Some(None),
                None => None,
            };
            // a row without a slug names its force: it must exist, and the name is not changed
            let (found, by_name) = match (&entry.slug, &entry.name) {
                (Some(slug), _) => (forces::by_slug(conn, slug)?, false),
                (None, Some(name)) => match super::find_named(conn, name)? {
                    Some(force) => (Some(force), true),
                    None => return Err(super::names::unknown(conn, name)?),
                },
                (None, None) => return Err(bad("no slug and no name")),
            };
            if let Some(force) = &found {
                seen.insert(force.slug.clone());
            }
            match found {
                None => {
                    let slug = entry.slug.as_deref().unwrap_or_default();
                    let Some(name) = &entry.name else {
                        return Err(bad(format!(
                            "no force has the slug `{slug}`, and a new force needs a name"
                        )));
                    };
                    let (force, change) = directory::add_force_with_status(
                        conn,
                        actor,
                        Action::Import,
                        name,
                        Some(slug),
                        url.flatten(),
                        entry.status.unwrap_or(ForceStatus::Active),
                    )?;
                    seen.insert(force.slug.clone());
                    Ok(Some(Applied { slug: force.slug, change }))
                }
                Some(before) => {
                    let after = Force {
                        name: match &entry.name {
                            Some(name) if !by_name => validate::force_name(name)?,
                            _ => before.name.clone(),
                        },
                        url: url.unwrap_or_else(|| before.url.clone()),
                        status: entry.status.unwrap_or(before.status),
                        ..before.clone()
                    };
                    match directory::apply(conn, actor, Action::Import, &before, &after)? {
                        Outcome::Changed(change) => Ok(Some(Applied { slug: before.slug, change: *change })),
                        Outcome::Unchanged(_) => Ok(None),
                    }
                }
            }
        })();
        match done {
            Ok(done) => applied.extend(done),
            Err(err) if err.chain().any(|c| c.is::<BadInput>()) => problems.push(problem_of(at, &err)),
            Err(err) => return Err(err.context(at.to_string())),
        }
    }
    let not_in_file = forces::list(conn, true)?
        .into_iter()
        .map(|f| f.slug.into_owned())
        .filter(|s| !seen.contains(s))
        .collect();
    let changed: std::collections::HashSet<&str> = applied.iter().map(|a| a.slug.as_str()).collect();
    let unpublished =
        since.into_iter().filter(|c| c.force.as_deref().is_some_and(|f| changed.contains(f))).collect();
    Ok(Imported { applied, not_in_file, problems, unpublished })
}
