//! What to say when a FORCE argument names no force: the force it was renamed to (from the
//! audit log), or the nearest slug or name by edit distance ("did you mean").
use anyhow::Result;
use rusqlite::Connection;

use crate::db::forces;
use crate::exit_codes::bad_hint;
use crate::model::{Force, ForceStatus};
use crate::validate::{name_key, quoted};

/// The error for a FORCE argument that matches no force, with the most useful hint.
pub fn unknown_force(conn: &Connection, arg: &str) -> Result<anyhow::Error> {
    let key = name_key(arg);
    let all = forces::all(conn)?;
    // an old name: the newest rename away from it says which force it was
    for (slug, old_name, change) in crate::log::renames(conn)? {
        if name_key(&old_name) != key {
            continue;
        }
        if let Some(force) = all.iter().find(|f| f.slug == slug) {
            return Ok(bad_hint(
                format!(
                    "no force {}: that was the name of {} ({}) until change {change}",
                    quoted(arg),
                    quoted(&force.name),
                    force.slug
                ),
                format!("use its slug, `{}`, or its name now, {}", force.slug, quoted(&force.name)),
            ));
        }
    }
    let hint = match nearest(&all, arg) {
        Some(force) => format!("did you mean `{}` ({}){}?", force.slug, force.name, retired(force)),
        None => "give a slug or a name as `admin list --all` shows them".to_owned(),
    };
    Ok(bad_hint(format!("no force {}", quoted(arg)), hint))
}

fn retired(force: &Force) -> &'static str {
    match force.status {
        ForceStatus::Retired => ", retired",
        ForceStatus::Active => "",
    }
}

/// The force whose slug or name is nearest `arg`, if it is near enough to be a slip: at most a
/// third of the argument's length in edits (and at most 4), ties going to the first by slug.
pub fn nearest<'a>(all: &'a [Force], arg: &str) -> Option<&'a Force> {
    let lower = arg.trim().to_lowercase();
    let key = name_key(arg);
    let limit = (lower.chars().count() / 3).clamp(1, 4);
    all.iter()
        .map(|f| {
            let by_slug = strsim::levenshtein(&lower, &f.slug);
            let by_name = strsim::levenshtein(&key, &name_key(&f.name));
            (by_slug.min(by_name), f)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn force(slug: &str, name: &str) -> Force {
        Force { id: 0, slug: slug.into(), name: name.into(), url: None, status: ForceStatus::Active }
    }

    #[test]
    fn slips_find_the_force_and_strangers_do_not() {
        let all = [force("kent-police", "Kent Police"), force("essex-police", "Essex Police")];
        assert_eq!(nearest(&all, "kent-polce").map(|f| f.slug.as_str()), Some("kent-police"));
        assert_eq!(nearest(&all, "Essex Polise").map(|f| f.slug.as_str()), Some("essex-police"));
        assert_eq!(nearest(&all, "gwent"), None);
        assert_eq!(nearest(&all, "x"), None);
    }
}
