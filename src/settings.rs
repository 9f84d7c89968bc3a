//! `admin settings`: whether publishing needs a second editor's approval, and where the site is
//! published. Each is set by an audited `settings` change (an admin's); until then it has its
//! default, which `admin settings` shows with where it comes from.
use std::path::{Path, PathBuf};

use anyhow::Result;
use rusqlite::Connection;
use serde::Serialize;

use crate::audit::Action;
use crate::event::{Event, Setting};
use crate::exit_codes::bad_hint;
use crate::gate::Actor;
use crate::state::{APPROVAL, OPTIONAL, REQUIRED, SITE};

/// The settings as they stand, each with where its value comes from.
#[derive(Debug, Serialize)]
pub struct Settings {
    pub approval: Value,
    pub site: Value,
    /// How many active editors can publish (approval needs two).
    pub publishers: usize,
}

#[derive(Debug, Serialize)]
pub struct Value {
    pub value: String,
    /// The change that set it, or none for a default.
    pub change: Option<i64>,
    /// Why it has this value, in words.
    pub source: String,
}

/// The settings of the database at `db_path`.
pub fn show(conn: &Connection, db_path: &Path) -> Result<Settings> {
    let state = crate::log::governance(conn)?;
    let publishers = crate::state::publishers(&state.editors);
    let required = crate::state::approval_required(&state);
    let approval = match state.rows.settings.get(APPROVAL) {
        Some(change) => Value {
            value: state.settings[APPROVAL].clone(),
            change: Some(*change),
            source: format!("set by change {change}"),
        },
        None => Value {
            value: if required { REQUIRED } else { OPTIONAL }.to_owned(),
            change: None,
            source: if required {
                "the default once two editors could publish".to_owned()
            } else {
                "the default while fewer than two editors have been able to publish".to_owned()
            },
        },
    };
    let site = match (crate::db::settings::get(conn, SITE)?, site_change(conn)?) {
        (Some(dir), Some((change, by_publication))) => Value {
            value: dir,
            change: Some(change),
            source: if by_publication {
                format!("where the first publication went (change {change})")
            } else {
                format!("set by change {change}")
            },
        },
        _ => Value {
            value: default_site(db_path).display().to_string(),
            change: None,
            source: "the default: publish/ beside the database".to_owned(),
        },
    };
    Ok(Settings { approval, site, publishers })
}

/// The change that wrote the site's row, and whether it was a publication.
fn site_change(conn: &Connection) -> Result<Option<(i64, bool)>> {
    let Some(change) = crate::db::settings::change_of(conn, SITE)? else {
        return Ok(None);
    };
    // its action alone: a first publication's change records every force it added
    let stored = crate::db::changes::stored(conn, change)?;
    Ok(Some((change, stored.is_some_and(|c| c.action == Action::Publish.as_str()))))
}

/// `publish/` beside the database: where a database publishes before anything says otherwise.
pub fn default_site(db_path: &Path) -> PathBuf {
    let dir = std::path::absolute(db_path).ok().and_then(|p| p.parent().map(Path::to_owned));
    dir.unwrap_or_else(|| PathBuf::from(".")).join("publish")
}

/// Where the site is published: the `site` setting, or the first publication's directory, or
/// `publish/` beside the database.
pub fn site_home(conn: &Connection, db_path: &Path) -> Result<PathBuf> {
    Ok(crate::db::settings::get(conn, SITE)?.map_or_else(|| default_site(db_path), PathBuf::from))
}

/// `admin settings approval required|optional`.
pub fn set_approval(conn: &Connection, actor: &Actor, value: &str) -> Result<crate::directory::Outcome> {
    set(conn, actor, APPROVAL, value)
}

/// `admin settings site DIR`: a directory that exists, or whose parent does (so `..` and
/// links are resolved, and what is recorded is where `publish` will write), and not the
/// database itself.
pub fn set_site(
    conn: &Connection,
    actor: &Actor,
    dir: &Path,
    db_path: &Path,
) -> Result<crate::directory::Outcome> {
    let dir = site_dir(dir, db_path)?;
    set(conn, actor, SITE, &dir.display().to_string())
}

/// Where `dir` is, resolved, if a site can be published there.
fn site_dir(dir: &Path, db_path: &Path) -> Result<PathBuf> {
    crate::validate::directory(dir, "the site's directory")?;
    let hint = "give a directory (it need not exist yet, but the one it is in must)";
    let resolved = if dir.exists() {
        if !dir.is_dir() {
            return Err(bad_hint(format!("`{}` is not a directory", dir.display()), hint));
        }
        std::fs::canonicalize(dir)?
    } else {
        let name = dir
            .file_name()
            .ok_or_else(|| bad_hint(format!("`{}` names no directory", dir.display()), hint))?;
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let parent = std::fs::canonicalize(&parent).map_err(|_| {
            bad_hint(
                format!("the directory `{}` (for `{}`) does not exist", parent.display(), dir.display()),
                hint,
            )
        })?;
        parent.join(name)
    };
    if resolved.parent().is_none() {
        return Err(bad_hint("the root directory cannot be the site's directory", hint));
    }
    if std::fs::canonicalize(db_path).is_ok_and(|db| db == resolved || db.starts_with(&resolved)) {
        return Err(bad_hint(
            format!("`{}` holds the database: the site goes in a directory of its own", dir.display()),
            hint,
        ));
    }
    crate::validate::directory(&resolved, "the site's directory")?;
    crate::validate::site_name(resolved.file_name().unwrap_or_default(), "the site's directory")?;
    Ok(resolved)
}

fn set(conn: &Connection, actor: &Actor, name: &str, value: &str) -> Result<crate::directory::Outcome> {
    crate::editors::authorize_action(conn, &actor.editor, Action::Settings)?;
    crate::state::check_setting(name, value).map_err(|why| bad_hint(why, "see `admin settings --help`"))?;
    let before = crate::db::settings::get(conn, name)?;
    if before.as_deref() == Some(value) {
        return Ok(crate::directory::Outcome::Unchanged(format!(
            "nothing to change: {name} is already {value}"
        )));
    }
    let event = Event::Setting {
        before: before.map(|value| Setting { name: name.to_owned(), value }),
        after: Setting { name: name.to_owned(), value: value.to_owned() },
    };
    let change = crate::gate::append(conn, actor.change(Action::Settings, event))?;
    Ok(crate::directory::Outcome::Changed(Box::new(change)))
}

/// What to tell an editor when approval is required and fewer than two editors can publish: the
/// one publisher can approve what others changed, but nobody can approve the publisher's own
/// changes (and with no publisher, nothing can be approved).
pub fn too_few_publishers(conn: &Connection) -> Result<Option<String>> {
    let state = crate::log::governance(conn)?;
    if !crate::state::approval_required(&state) {
        return Ok(None);
    }
    let publishers = crate::approval::active_publishers(&state.editors);
    let restore = crate::approval::restore_hint(&state.editors);
    Ok(match publishers.as_slice() {
        [] => Some(format!(
            "approval is required but no editor can publish, so nothing can be approved or published: register a publisher (`admin editor add NAME --role publisher`){restore} or make approval optional (`admin settings approval optional`)"
        )),
        [only] => Some(format!(
            "approval is required but only {only} can publish: {only} can approve changes other editors made, but not their own; for {only}'s own changes to go out, register a second publisher (`admin editor add NAME --role publisher`){restore} or make approval optional (`admin settings approval optional`)"
        )),
        _ => None,
    })
}
