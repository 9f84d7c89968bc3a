//! The automatic change note of a major publication: what changed for the public between the
//! state the last publication showed and the state now ("Added link for Kent Police. Renamed
//! …"), both replayed from the audit log.
//!
//! Only the net change counts: a link set and cleared again between two publications is no
//! change to the public.
use crate::model::{ForceStatus, NoteStatus};
use crate::state::{page_fields_changed, NoteState, State};

fn visible_note(note: Option<&NoteState>) -> bool {
    note.is_some_and(|n| n.public && n.status == NoteStatus::Open)
}

/// The public changes from `before` to `now`, as sentences, in a stable order.
pub fn summarise(before: &State, now: &State) -> Vec<String> {
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut restored = Vec::new();
    let mut renamed = Vec::new();
    let mut links_added = Vec::new();
    let mut links_changed = Vec::new();
    let mut links_removed = Vec::new();
    let mut data_to = Vec::new();
    let active = |s: &State, slug: &str| s.forces.get(slug).is_some_and(|f| f.status == ForceStatus::Active);
    let mut slugs: Vec<&String> = now.forces.keys().collect();
    slugs.sort_unstable();
    for slug in slugs {
        let force = &now.forces[slug];
        let old = before.forces.get(slug);
        match (active(before, slug), active(now, slug)) {
            (false, true) if old.is_none() => added.push(force.name.clone()),
            (false, true) => restored.push(force.name.clone()),
            (true, false) => removed.push(old.map_or(force.name.clone(), |o| o.name.clone())),
            (true, true) => {
                let old = old.expect("active before, so present");
                if old.name != force.name {
                    renamed.push(format!("{} to {}", old.name, force.name));
                }
                match (&old.url, &force.url) {
                    (None, Some(_)) => links_added.push(force.name.clone()),
                    (Some(_), None) => links_removed.push(force.name.clone()),
                    (Some(a), Some(b)) if a != b => links_changed.push(force.name.clone()),
                    _ => {}
                }
                if before.data_to(slug) != now.data_to(slug) {
                    data_to.push(force.name.clone());
                }
            }
            (false, false) => {}
        }
    }
    let name_of = |slug: &Option<String>| match slug {
        None => "the data as a whole".to_owned(),
        Some(slug) => {
            now.forces.get(slug).or_else(|| before.forces.get(slug)).map_or(slug.clone(), |f| f.name.clone())
        }
    };
    let mut notes_added = Vec::new();
    let mut notes_removed = Vec::new();
    let ids: std::collections::BTreeSet<&i64> = before.notes.keys().chain(now.notes.keys()).collect();
    for id in ids {
        let (was, is) = (before.notes.get(id), now.notes.get(id));
        match (visible_note(was), visible_note(is)) {
            (false, true) => notes_added.push(name_of(&is.and_then(|n| n.force.clone()))),
            (true, false) => notes_removed.push(name_of(&was.and_then(|n| n.force.clone()))),
            _ => {}
        }
    }
    let page_fields = match (&before.page, &now.page) {
        (Some(a), Some(b)) => page_fields_changed(a, b),
        _ => Vec::new(),
    };

    let mut sentences = Vec::new();
    let mut say = |verb: &str, singular: &str, plural: &str, items: Vec<String>| {
        if items.is_empty() {
            return;
        }
        let noun = if items.len() == 1 { singular } else { plural };
        let sep = if noun.is_empty() { "" } else { " " };
        sentences.push(format!("{verb}{sep}{noun} {}.", join(&items)));
    };
    say("Updated", "the", "the", page_fields.iter().map(|f| (*f).to_owned()).collect());
    say("Added", "", "", added);
    say("Restored", "", "", restored);
    say("Removed", "", "", removed);
    for pair in &renamed {
        say("Renamed", "", "", vec![pair.clone()]);
    }
    say("Added", "link for", "links for", links_added);
    say("Updated", "link for", "links for", links_changed);
    say("Removed", "link for", "links for", links_removed);
    say("Updated", "how current the data is for", "how current the data is for", data_to);
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
    use crate::model::Force;
    use crate::state::Page;

    fn state(forces: &[(&str, &str, Option<&str>, ForceStatus)]) -> State {
        let mut state = State { page: Some(Page::default()), ..State::default() };
        for (slug, name, url, status) in forces {
            state.forces.insert(
                (*slug).into(),
                Force {
                    id: 0,
                    slug: (*slug).into(),
                    name: (*name).into(),
                    url: url.map(Into::into),
                    status: *status,
                },
            );
        }
        state
    }
    use ForceStatus::{Active, Retired};

    #[test]
    fn links_added_to_two_forces_are_one_sentence() {
        let before = state(&[("kent", "Kent Police", None, Active), ("essex", "Essex Police", None, Active)]);
        let now = state(&[
            ("kent", "Kent Police", Some("https://k"), Active),
            ("essex", "Essex Police", Some("https://e"), Active),
        ]);
        assert_eq!(as_note(&summarise(&before, &now)), "Added links for Essex Police and Kent Police.");
    }

    #[test]
    fn a_newer_data_date_is_a_public_change() {
        use crate::state::ReviewState;
        let before = state(&[("kent", "Kent Police", None, Active), ("essex", "Essex Police", None, Active)]);
        let mut now = before.clone();
        for slug in ["kent", "essex"] {
            now.reviews.entry(slug.into()).or_default().push(ReviewState {
                change: 0,
                at: "2026-01-01T00:00:00Z".into(),
                editor: "ed".into(),
                message: None,
                data_to: Some("2025-09-30".into()),
            });
        }
        assert_eq!(
            as_note(&summarise(&before, &now)),
            "Updated how current the data is for Essex Police and Kent Police."
        );
    }

    #[test]
    fn a_change_undone_before_publishing_is_no_change() {
        let before = state(&[("kent", "Kent Police", None, Active)]);
        assert!(summarise(&before, &before.clone()).is_empty());
    }

    #[test]
    fn renames_retirements_additions_and_page_text() {
        let before = state(&[("a", "Old", None, Active), ("b", "Gone", None, Active)]);
        let mut now =
            state(&[("a", "New", None, Active), ("b", "Gone", None, Retired), ("c", "Fresh", None, Active)]);
        now.page.as_mut().unwrap().intro = vec!["New words.".into()];
        assert_eq!(
            summarise(&before, &now),
            vec!["Updated the introduction.", "Added Fresh.", "Removed Gone.", "Renamed Old to New."]
        );
    }
}
