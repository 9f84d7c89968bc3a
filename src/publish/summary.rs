//! The automatic change note of a major publication: what changed for the public since the
//! last publication, from the audit log ("Added link for Kent Police. Renamed …").
//!
//! Each entity's net change over the range is what counts: a link set and cleared again between
//! two publications is no change to the public.
use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::Change;

/// Net state of one entity: its state before the first change in range and after the last.
struct Net<'a> {
    before: Option<&'a Value>,
    after: Option<&'a Value>,
}

fn field<'a>(state: Option<&'a Value>, key: &str) -> Option<&'a str> {
    state.and_then(|s| s.get(key)).and_then(Value::as_str)
}

fn visible_force(state: Option<&Value>) -> bool {
    field(state, "status") == Some("active")
}

fn visible_note(state: Option<&Value>) -> bool {
    let public = state.and_then(|s| s.get("public")).and_then(Value::as_bool) == Some(true);
    public && field(state, "status") == Some("open")
}

/// Keep the first `before` and the latest `after` of an entity.
fn track<'a, K: Ord>(map: &mut BTreeMap<K, Net<'a>>, key: K, change: &'a Change) {
    map.entry(key)
        .and_modify(|net| net.after = change.after.as_ref())
        .or_insert(Net { before: change.before.as_ref(), after: change.after.as_ref() });
}

/// The public changes among `changes` (oldest first), as sentences, in a stable order.
/// `names` gives the current name of a force by slug, for notes on forces the range did not
/// otherwise touch.
pub fn summarise(changes: &[Change], names: &BTreeMap<String, String>) -> Vec<String> {
    let mut forces: BTreeMap<&str, Net> = BTreeMap::new();
    let mut notes: BTreeMap<i64, Net> = BTreeMap::new();
    for change in changes {
        match change.entity.as_str() {
            "force" => {
                if let Some(slug) = change.force.as_deref() {
                    track(&mut forces, slug, change);
                }
            }
            "note" => {
                let state = change.after.as_ref().or(change.before.as_ref());
                if let Some(id) = state.and_then(|v| v.get("id")).and_then(Value::as_i64) {
                    track(&mut notes, id, change);
                }
            }
            _ => {}
        }
    }

    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut restored = Vec::new();
    let mut renamed = Vec::new();
    let mut links_added = Vec::new();
    let mut links_changed = Vec::new();
    let mut links_removed = Vec::new();
    let mut names: BTreeMap<&str, &str> = names.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    for (slug, net) in &forces {
        let (was, is) = (visible_force(net.before), visible_force(net.after));
        let name = field(net.after, "name").or(field(net.before, "name")).unwrap_or(slug);
        names.insert(slug, name);
        match (was, is) {
            (false, true) if net.before.is_none() => added.push(name.to_owned()),
            (false, true) => restored.push(name.to_owned()),
            (true, false) => removed.push(field(net.before, "name").unwrap_or(name).to_owned()),
            (true, true) => {
                let (old_name, new_name) = (field(net.before, "name"), field(net.after, "name"));
                if old_name != new_name {
                    renamed.push(format!("{} to {}", old_name.unwrap_or(""), new_name.unwrap_or("")));
                }
                match (field(net.before, "url"), field(net.after, "url")) {
                    (None, Some(_)) => links_added.push(name.to_owned()),
                    (Some(_), None) => links_removed.push(name.to_owned()),
                    (Some(a), Some(b)) if a != b => links_changed.push(name.to_owned()),
                    _ => {}
                }
            }
            (false, false) => {}
        }
    }
    let mut notes_added = Vec::new();
    let mut notes_removed = Vec::new();
    for net in notes.values() {
        let about = |state: Option<&Value>| {
            field(state, "force").map_or("the data as a whole".to_owned(), |slug| {
                names.get(slug).map_or(slug.to_owned(), |n| (*n).to_owned())
            })
        };
        match (visible_note(net.before), visible_note(net.after)) {
            (false, true) => notes_added.push(about(net.after)),
            (true, false) => notes_removed.push(about(net.before)),
            _ => {}
        }
    }

    let mut sentences = Vec::new();
    let mut say = |verb: &str, singular: &str, plural: &str, items: Vec<String>| {
        if items.is_empty() {
            return;
        }
        let noun = if items.len() == 1 { singular } else { plural };
        let sep = if noun.is_empty() { "" } else { " " };
        sentences.push(format!("{verb}{sep}{noun} {}.", join(&items)));
    };
    say("Added", "", "", added);
    say("Restored", "", "", restored);
    say("Removed", "", "", removed);
    for pair in &renamed {
        say("Renamed", "", "", vec![pair.clone()]);
    }
    say("Added", "link for", "links for", links_added);
    say("Updated", "link for", "links for", links_changed);
    say("Removed", "link for", "links for", links_removed);
    say("Added", "a note on", "notes on", notes_added);
    say("Removed", "a note on", "notes on", notes_removed);
    sentences
}

/// The sentences as one change note.
pub fn as_note(sentences: &[String]) -> String {
    if sentences.is_empty() {
        "Updated the directory.".to_owned()
    } else {
        sentences.join(" ")
    }
}

/// "A", "A and B", "A, B and C".
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Action, Entity, NewChange};
    use serde_json::json;

    fn force_change(id: i64, slug: &str, before: Option<Value>, after: Value) -> Change {
        NewChange {
            at: "2026-01-01T00:00:00Z".into(),
            editor: "ed".into(),
            action: Action::SetUrl,
            entity: Entity::Force,
            force: Some(slug.into()),
            before,
            after: Some(after),
            message: None,
            reverts: None,
        }
        .seal(id, "")
    }

    fn state(name: &str, url: Option<&str>, status: &str) -> Value {
        json!({"slug": "x", "name": name, "url": url, "status": status})
    }

    #[test]
    fn links_added_to_two_forces_are_one_sentence() {
        let changes = vec![
            force_change(
                1,
                "kent",
                Some(state("Kent Police", None, "active")),
                state("Kent Police", Some("https://k"), "active"),
            ),
            force_change(
                2,
                "essex",
                Some(state("Essex Police", None, "active")),
                state("Essex Police", Some("https://e"), "active"),
            ),
        ];
        assert_eq!(
            as_note(&summarise(&changes, &BTreeMap::new())),
            "Added links for Essex Police and Kent Police."
        );
    }

    #[test]
    fn a_change_undone_before_publishing_is_no_change() {
        let changes = vec![
            force_change(
                1,
                "kent",
                Some(state("Kent Police", None, "active")),
                state("Kent Police", Some("https://k"), "active"),
            ),
            force_change(
                2,
                "kent",
                Some(state("Kent Police", Some("https://k"), "active")),
                state("Kent Police", None, "active"),
            ),
        ];
        assert!(summarise(&changes, &BTreeMap::new()).is_empty());
    }

    #[test]
    fn renames_retirements_and_additions() {
        let changes = vec![
            force_change(1, "a", Some(state("Old", None, "active")), state("New", None, "active")),
            force_change(2, "b", Some(state("Gone", None, "active")), state("Gone", None, "retired")),
            force_change(3, "c", None, state("Fresh", None, "active")),
        ];
        assert_eq!(
            summarise(&changes, &BTreeMap::new()),
            vec!["Added Fresh.", "Removed Gone.", "Renamed Old to New."]
        );
    }
}
