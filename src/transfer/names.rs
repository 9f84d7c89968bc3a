//! `&` and `and` make one name in an import ("Avon & Somerset Constabulary" is Avon and
//! Somerset Constabulary): a name is looked up as typed, then spelt the other way, each by the
//! database's own name key; two names of one file are one name when their look-alike keys are,
//! spelt with `and`. A common short name (`Met`, `PSNI`, from `seed/short-names.txt`) names its
//! force too, as everywhere else; a prefix or a single word of a name does not (`admin show
//! kent` finds Kent Police, but a bulk change takes only what is explicit), and gets the
//! did-you-mean the rest of the tool gives.
use anyhow::Result;
use rusqlite::Connection;

use crate::db::forces;
use crate::model::Force;

/// The name with each `&` written `and`, a word of its own: "Avon&Somerset" is "Avon and Somerset".
pub fn and_spelled(name: &str) -> String {
    if !name.contains('&') {
        return name.to_owned();
    }
    name.replace('&', " and ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The name with each word `and` (in any case) written `&`.
fn amp_spelled(name: &str) -> String {
    name.split_whitespace()
        .map(|w| if w.eq_ignore_ascii_case("and") { "&" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The force a name in an import file names: by the name as written, else by it with `&` and
/// `and` the other way round, else by a common short name.
pub fn find_named(conn: &Connection, name: &str) -> Result<Option<Force>> {
    if let Some(force) = forces::by_name(conn, name)? {
        return Ok(Some(force));
    }
    for other in [and_spelled(name), amp_spelled(name)] {
        if other != name {
            if let Some(force) = forces::by_name(conn, &other)? {
                return Ok(Some(force));
            }
        }
    }
    match crate::seed::short_name(name) {
        Some(slug) => forces::by_slug(conn, slug),
        None => Ok(None),
    }
}

/// The error for a name that names no force: where a forgiving look-up (a prefix, a word) finds
/// one, that is the did-you-mean, as import does not take it on its own; else the tool's own
/// did-you-mean.
pub fn unknown(conn: &Connection, name: &str) -> Result<anyhow::Error> {
    use crate::suggest::{forgiving, Found};
    let all = forces::all(conn)?;
    let hint = match forgiving(&all, name) {
        Found::One(force) => format!(
            "did you mean `{}` ({})? import takes a force's whole name, its slug or a common short name",
            force.slug, force.name
        ),
        Found::Several(several) => {
            let named: Vec<String> = several.iter().take(8).map(|f| format!("`{}`", f.slug)).collect();
            format!("did you mean one of {}? give the whole name or the slug", named.join(", "))
        }
        Found::None => return crate::suggest::unknown_force(conn, name),
    };
    Ok(crate::exit_codes::bad_hint(format!("no force {}", crate::validate::quoted(name)), hint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ampersands_and_ands_are_spelt_both_ways() {
        assert_eq!(and_spelled("Avon & Somerset Constabulary"), "Avon and Somerset Constabulary");
        assert_eq!(and_spelled("Avon&Somerset"), "Avon and Somerset");
        assert_eq!(amp_spelled("Devon AND Cornwall Police"), "Devon & Cornwall Police");
        assert_eq!(amp_spelled("Highland Police"), "Highland Police");
    }
}
