//! What a FORCE argument that is not a slug or a name may mean: a common short name (`met`), a
//! unique prefix (`kent`) or a unique word (`midlands`) of a force's name; and what to say when
//! it names no force, or several: the force it was renamed to (from the audit log), the nearest
//! slug or name by edit distance ("did you mean"), or the candidates.
use anyhow::Result;
use rusqlite::Connection;

use crate::db::forces;
use crate::exit_codes::bad_hint;
use crate::model::{Force, ForceStatus};
use crate::validate::{name_key, quoted};

/// What a forgiving look-up found.
#[derive(Debug)]
pub enum Found<'a> {
    One(&'a Force),
    Several(Vec<&'a Force>),
    None,
}

/// The force `arg` names by a short name (`seed/short-names.txt`), else by a prefix of its
/// name or slug (three characters or more) or whole words of its name; several forces
/// matching either way is `Several`, not a guess.
pub fn forgiving<'a>(all: &'a [Force], arg: &str) -> Found<'a> {
    if let Some(force) = crate::seed::short_name(arg).and_then(|slug| all.iter().find(|f| f.slug == slug)) {
        return Found::One(force);
    }
    let key = name_key(arg);
    let mut matched: Vec<&Force> = Vec::new();
    if key.chars().count() >= 3 {
        let lower = arg.trim().to_lowercase();
        matched
            .extend(all.iter().filter(|f| name_key(&f.name).starts_with(&key) || f.slug.starts_with(&lower)));
    }
    // words of a name, and nothing a name is not made of (`../kent-police` is no force's); a
    // prefix that is also a word of other names (`police`) names none of them alone
    let wanted = words(arg);
    if !wanted.is_empty()
        && arg.chars().all(|c| c.is_alphanumeric() || c.is_whitespace() || "-&'.".contains(c))
    {
        for force in
            all.iter().filter(|f| words(&f.name).windows(wanted.len()).any(|run| run == wanted.as_slice()))
        {
            if !matched.iter().any(|m| m.slug == force.slug) {
                matched.push(force);
            }
        }
    }
    found(matched)
}

fn found(mut forces: Vec<&Force>) -> Found<'_> {
    match forces.len() {
        0 => Found::None,
        1 => Found::One(forces.remove(0)),
        _ => {
            forces.sort_by_key(|f| name_key(&f.name));
            Found::Several(forces)
        }
    }
}

/// A name's words, case folded, `&` and `and` dropped (so `Devon and Cornwall` and `Devon &
/// Cornwall` are two words alike), hyphens and other punctuation splitting words.
fn words(name: &str) -> Vec<String> {
    name_key(name)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "and")
        .map(str::to_owned)
        .collect()
}

/// The error for a FORCE argument that matches several forces: each is named.
pub fn ambiguous_force(arg: &str, forces: &[&Force]) -> anyhow::Error {
    const SHOWN: usize = 8;
    let mut named: Vec<String> =
        forces.iter().take(SHOWN).map(|f| format!("{} ({}{})", f.name, f.slug, retired(f))).collect();
    if forces.len() > SHOWN {
        named.push(format!("and {} more", forces.len() - SHOWN));
    }
    bad_hint(
        format!("{} could be any of {} forces: {}", quoted(arg), forces.len(), named.join(", ")),
        "give more of the name, or the slug",
    )
}

/// The editor `history --by` means: a name changes were made by or the registry holds, spelled
/// so; else the one name that reads as it ignoring case and look-alike letters (editor names
/// that read alike are one name, SPEC section 17). Anything else is exit 2 with "did you mean".
pub fn editor_filter(conn: &Connection, arg: &str) -> Result<String> {
    let registered = crate::db::editors::all(conn)?;
    if crate::db::changes::has_editor(conn, arg)? || registered.iter().any(|e| e.name == arg) {
        return Ok(arg.to_owned());
    }
    let mut names = crate::db::changes::editors(conn)?;
    names.extend(registered.into_iter().map(|e| e.name));
    names.sort();
    names.dedup();
    let key = crate::validate::look_key(arg);
    let alike: Vec<&String> = names.iter().filter(|n| crate::validate::look_key(n) == key).collect();
    if let [one] = alike.as_slice() {
        return Ok((*one).clone());
    }
    let hint = match crate::validate::nearest_name(names.iter().map(String::as_str), arg) {
        Some(name) => format!("did you mean --by {name}?"),
        None if names.is_empty() => "no change has been made yet".to_owned(),
        None if names.len() <= 10 => format!("changes were made by: {}", names.join(", ")),
        None => format!("changes were made by {} editors, e.g. {}", names.len(), names[..10].join(", ")),
    };
    Err(bad_hint(format!("no editor {} has made a change or is registered", quoted(arg)), hint))
}

/// The error for a FORCE argument that matches no force, with the most useful hint.
pub fn unknown_force(conn: &Connection, arg: &str) -> Result<anyhow::Error> {
    let key = name_key(arg);
    let all = forces::all(conn)?;
    // the nearest force is found on another thread while this one reads the log's renames: on a
    // directory of 100,000 forces each takes about a second
    let large = all.len() >= crate::threads::LARGE;
    let (near, renames) = crate::threads::at_once(large, || nearest(&all, arg), || crate::log::renames(conn));
    // an old name: the newest rename away from it says which force it was
    for (slug, old_name, change) in renames? {
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
    let hint = match near {
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

/// The force whose slug, name or start of its name is nearest `arg`, if it is near enough to be
/// a slip: at most a third of the argument's length in edits (and at most 4), ties going to the
/// first by slug.
pub fn nearest<'a>(all: &'a [Force], arg: &str) -> Option<&'a Force> {
    let lower = arg.trim().to_lowercase();
    let key = name_key(arg);
    let limit = (lower.chars().count() / 3).clamp(1, 4);
    // two texts whose lengths differ by more than the limit are further apart than it: the
    // distance is not worked out (a directory of 100,000 forces is three edits a force)
    let distance = |a: &str, b: &str| {
        let near = a.chars().count().abs_diff(b.chars().count()) <= limit;
        if near {
            strsim::levenshtein(a, b)
        } else {
            usize::MAX
        }
    };
    all.iter()
        .map(|f| {
            let name = name_key(&f.name);
            let by_slug = distance(&lower, &f.slug);
            let by_name = distance(&key, &name);
            // a slip in the start of a name (`kentt`, `metropolitn police`): against as much of it
            let n = key.chars().count();
            let by_start = if n >= 4 {
                let start: String = name.chars().take(n).collect();
                distance(&key, &start)
            } else {
                usize::MAX
            };
            (by_slug.min(by_name).min(by_start), f)
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

    fn one(all: &[Force], arg: &str) -> Option<String> {
        match forgiving(all, arg) {
            Found::One(f) => Some(f.slug.clone()),
            _ => None,
        }
    }

    #[test]
    fn short_names_prefixes_and_words_find_one_force() {
        let all = [
            force("kent-police", "Kent Police"),
            force("metropolitan-police-service", "Metropolitan Police Service"),
            force("devon-and-cornwall-police", "Devon & Cornwall Police"),
            force("west-midlands-police", "West Midlands Police"),
            force("west-mercia-police", "West Mercia Police"),
            force("dyfed-powys-police", "Dyfed-Powys Police"),
        ];
        assert_eq!(one(&all, "kent").as_deref(), Some("kent-police"));
        assert_eq!(one(&all, "MET").as_deref(), Some("metropolitan-police-service"));
        assert_eq!(one(&all, "metropolitan police").as_deref(), Some("metropolitan-police-service"));
        assert_eq!(one(&all, "midlands").as_deref(), Some("west-midlands-police"));
        assert_eq!(one(&all, "Devon and Cornwall").as_deref(), Some("devon-and-cornwall-police"));
        assert_eq!(one(&all, "powys").as_deref(), Some("dyfed-powys-police"));
        assert!(matches!(forgiving(&all, "west"), Found::Several(f) if f.len() == 2));
        assert!(matches!(forgiving(&all, "police"), Found::Several(f) if f.len() == 6));
        assert!(matches!(forgiving(&all, "ke"), Found::None), "two letters are not a prefix");
        // a prefix of one name that is a word of others names none of them
        let police = [
            force("police-service-of-northern-ireland", "Police Service of Northern Ireland"),
            force("kent-police", "Kent Police"),
        ];
        assert!(matches!(forgiving(&police, "police"), Found::Several(_)));
        assert!(matches!(forgiving(&all, "psni"), Found::None), "no such force here");
        assert!(matches!(forgiving(&all, ""), Found::None));
    }

    #[test]
    fn slips_find_the_force_and_strangers_do_not() {
        let all = [force("kent-police", "Kent Police"), force("essex-police", "Essex Police")];
        assert_eq!(nearest(&all, "kent-polce").map(|f| f.slug.as_str()), Some("kent-police"));
        assert_eq!(nearest(&all, "Essex Polise").map(|f| f.slug.as_str()), Some("essex-police"));
        assert_eq!(nearest(&all, "kentt").map(|f| f.slug.as_str()), Some("kent-police"));
        assert_eq!(nearest(&all, "gwent"), None);
        assert_eq!(nearest(&all, "x"), None);
    }
}
