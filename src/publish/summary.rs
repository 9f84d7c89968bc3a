//! The automatic change note of a major publication: what changed for the public between the
//! state the last publication showed and the state now ("Added link for Kent Police. Renamed
//! …"), both replayed from the audit log.
//!
//! Only the net change counts: a link set and cleared again between two publications is no
//! change to the public.
use super::difference::{ForceChange, PublicDifference};

/// The public changes from `before` to `now`, as sentences, in a stable order.
#[cfg(test)]
pub fn summarise(before: &crate::state::State, now: &crate::state::State) -> Vec<String> {
    sentences(&super::difference::between(before, now))
}

/// The public difference as sentences a member of the public understands.
pub fn sentences(difference: &PublicDifference) -> Vec<String> {
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut restored = Vec::new();
    let mut renamed = Vec::new();
    let mut links_added = Vec::new();
    let mut links_changed = Vec::new();
    let mut links_removed = Vec::new();
    let mut data_to = Vec::new();
    let mut notes_added = Vec::new();
    let mut notes_removed = Vec::new();
    for force in &difference.forces {
        let name = force.shown_name().to_owned();
        match force.kind {
            ForceChange::Added => added.push(name),
            ForceChange::Restored => restored.push(name),
            ForceChange::Removed => removed.push(name),
            ForceChange::Changed => {
                if let (Some(old), Some(new)) = (&force.name.before, &force.name.after) {
                    if old != new {
                        renamed.push(format!("{old} to {new}"));
                    }
                }
                match force.url.as_ref().map(|u| (u.before.is_some(), u.after.is_some())) {
                    Some((false, true)) => links_added.push(name.clone()),
                    Some((true, false)) => links_removed.push(name.clone()),
                    Some((true, true)) => links_changed.push(name.clone()),
                    _ => {}
                }
                if force.data_to.is_some() {
                    data_to.push(name.clone());
                }
                notes_added.extend(force.notes_added.iter().map(|_| name.clone()));
                notes_removed.extend(force.notes_removed.iter().map(|_| name.clone()));
            }
        }
    }
    let whole = || "the data as a whole".to_owned();
    notes_added.extend(difference.notes_added.iter().map(|_| whole()));
    notes_removed.extend(difference.notes_removed.iter().map(|_| whole()));
    let page_fields = difference.page_fields();

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
    use crate::model::{Force, ForceStatus};
    use crate::state::{Page, State};

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
