//! What goes public: the difference between the content one state shows the public and the
//! content another shows, field by field. `before` is the state the last publication covered (an
//! empty state before the first), `after` the state now. Only what the published page, feed,
//! `forces.json` and `forces.csv` show counts: a force's name, link, whether it is listed, how
//! current its data is and its open public notes; the page's own words and related links; open
//! public notes about the data as a whole. Internal notes, approvals, reviews' messages and
//! editors are never part of it.
//!
//! The change note of a publication (`summary`), `approve`, `publish --dry-run`, `status` and
//! `admin serve`'s difference page all read this one value.
use serde::Serialize;
use similar::{capture_diff_slices, Algorithm, DiffTag};

use super::words::{self, Words};
use crate::content::{Content, PublicForce};
use crate::model::ForceStatus;
use crate::state::{PageLink, State};

/// The public difference between two states.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PublicDifference {
    /// Forces whose public entry changed, by slug.
    pub forces: Vec<ForceDifference>,
    /// The page's own words that changed, as word differences, in the order the page shows them.
    pub page: Vec<TextDifference>,
    /// Related links on the page.
    pub links_added: Vec<PageLink>,
    pub links_removed: Vec<PageLink>,
    /// Open public notes about the data as a whole.
    pub notes_added: Vec<String>,
    pub notes_removed: Vec<String>,
}

/// How a force's entry on the page changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ForceChange {
    /// Listed now and not before, and never listed by an earlier publication as far as the
    /// states tell.
    Added,
    /// Listed again after it was retired while listed.
    Restored,
    /// Listed before and not now (retired).
    Removed,
    /// Listed before and now, with something shown differently.
    Changed,
}

/// One value before and after; `None` is "not shown".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Changed {
    fn of(before: Option<&str>, after: Option<&str>) -> Option<Changed> {
        (before != after)
            .then(|| Changed { before: before.map(str::to_owned), after: after.map(str::to_owned) })
    }
}

/// A force whose public entry changed. `name` is always there (the name listed before and the
/// name listed now, `None` where it is not listed) so that every line can say which force it is
/// about; the other fields are there only when they changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForceDifference {
    pub slug: String,
    pub kind: ForceChange,
    pub name: Changed,
    pub url: Option<Changed>,
    /// `active` or `retired`; `None` when the force did not exist.
    pub status: Option<Changed>,
    /// The newest day the force's published data covers.
    pub data_to: Option<Changed>,
    pub notes_added: Vec<String>,
    pub notes_removed: Vec<String>,
}

impl ForceDifference {
    /// The name the public will see (or last saw, for a force that goes).
    pub fn shown_name(&self) -> &str {
        self.name.after.as_deref().or(self.name.before.as_deref()).unwrap_or(&self.slug)
    }

    /// Whether the force is listed both times under another name.
    pub fn renamed(&self) -> bool {
        self.kind == ForceChange::Changed && self.name.before != self.name.after
    }
}

/// One of the page's own texts, as a word difference: `field` is what the page calls it
/// ("heading", "introduction, paragraph 2", "publisher", "contact", "licence", "page's address").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextDifference {
    pub field: String,
    pub words: Vec<Words>,
}

impl PublicDifference {
    /// Nothing the public sees would change.
    pub fn is_empty(&self) -> bool {
        self.forces.is_empty()
            && self.page.is_empty()
            && self.links_added.is_empty()
            && self.links_removed.is_empty()
            && self.notes_added.is_empty()
            && self.notes_removed.is_empty()
    }

    /// The page's fields that changed, once each, as the change note names them.
    pub fn page_fields(&self) -> Vec<&'static str> {
        let mut fields: Vec<&'static str> = Vec::new();
        for text in &self.page {
            let field = PAGE_FIELDS
                .iter()
                .copied()
                .find(|f| text.field == *f || text.field.starts_with(&format!("{f},")))
                .unwrap_or("page");
            if !fields.contains(&field) {
                fields.push(field);
            }
        }
        if !self.links_added.is_empty() || !self.links_removed.is_empty() {
            fields.push("related links");
        }
        fields
    }
}

/// The page's texts as the difference names them, in the order the page shows them.
const PAGE_FIELDS: &[&str] =
    &["heading", "introduction", "publisher", "contact", "licence", "page's address"];

/// The public difference from `before` to `after`.
pub fn between(before: &State, after: &State) -> PublicDifference {
    between_sides(&side_of(before), &side_of(after))
}

/// What the difference reads of one state: its standing and its public content, all that need
/// be kept of a state to compare it later.
pub type Side = (Standing, Content);

/// `state`'s side of a difference.
pub fn side_of(state: &State) -> Side {
    (Standing::of(state), Content::from_state(state))
}

/// `between`, for states of which only their sides are kept.
pub fn between_sides((before, was): &Side, (after, is): &Side) -> PublicDifference {
    between_contents((before, was), (after, is))
}

/// `between`, for states whose public content and standing are at hand (the state itself need
/// not be kept: `publish` keeps these two of the state the last publication covered).
pub fn between_contents(
    (before, was): (&Standing, &Content),
    (after, is): (&Standing, &Content),
) -> PublicDifference {
    let mut difference = PublicDifference {
        forces: forces(before, after, was, is),
        page: page_texts(was, is),
        ..PublicDifference::default()
    };
    (difference.links_added, difference.links_removed) = added_removed(&was.links, &is.links);
    (difference.notes_added, difference.notes_removed) = added_removed(&was.notes, &is.notes);
    difference
}

/// What the difference reads of a state besides its public content: which forces are retired,
/// and for each whether a publication could have shown it before it was retired. Every other
/// force of the state is active, and so listed in its content. A few bytes a retired force,
/// where the state is tens of megabytes for a large directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    /// Retired forces by slug: whether a publication could have shown each (`public_before`).
    retired: std::collections::HashMap<String, bool>,
}

impl Standing {
    pub fn of(state: &State) -> Standing {
        let retired = state.forces.values().filter(|f| f.status == ForceStatus::Retired);
        Standing { retired: retired.map(|f| (f.slug.clone(), public_before(state, &f.slug))).collect() }
    }

    /// A force's status, `None` for a force the state does not have: a force not retired is
    /// active exactly when its content lists it.
    fn status(&self, slug: &str, listed: bool) -> Option<&'static str> {
        match (self.retired.contains_key(slug), listed) {
            (true, _) => Some(ForceStatus::Retired.as_str()),
            (false, true) => Some(ForceStatus::Active.as_str()),
            (false, false) => None,
        }
    }
}

/// What is in `after` and not in `before`, and the other way round, each in its own order.
fn added_removed<T: Clone + PartialEq>(before: &[T], after: &[T]) -> (Vec<T>, Vec<T>) {
    (
        after.iter().filter(|x| !before.contains(x)).cloned().collect(),
        before.iter().filter(|x| !after.contains(x)).cloned().collect(),
    )
}

fn forces(before: &Standing, after: &Standing, was: &Content, is: &Content) -> Vec<ForceDifference> {
    use std::cmp::Ordering;
    // each side's forces by slug, walked side by side: for a large directory, a list of
    // references each (two maps of them and a list of every slug were megabytes more, at the
    // moment `publish` holds the most)
    fn by_slug(content: &Content) -> Vec<&PublicForce> {
        let mut forces: Vec<&PublicForce> = content.forces.iter().collect();
        forces.sort_unstable_by(|a, b| a.slug.cmp(&b.slug));
        forces
    }
    let large = was.forces.len().max(is.forces.len()) >= crate::threads::LARGE;
    let (was_listed, is_listed) = crate::threads::at_once(large, || by_slug(was), || by_slug(is));
    let (mut was_listed, mut is_listed) =
        (was_listed.into_iter().peekable(), is_listed.into_iter().peekable());
    let mut out = Vec::new();
    loop {
        let order = match (was_listed.peek(), is_listed.peek()) {
            (None, None) => break,
            (Some(old), Some(new)) => old.slug.cmp(&new.slug),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
        };
        let old = if order.is_le() { was_listed.next() } else { None };
        let new = if order.is_ge() { is_listed.next() } else { None };
        let Some(slug) = old.or(new).map(|f| f.slug.as_str()) else { break };
        // listed both times and shown the same: nothing public changed (most of a large
        // directory, between two publications)
        if old.is_some() && old == new {
            continue;
        }
        let kind = match (old, new) {
            (None, Some(_)) if before.retired.get(slug) == Some(&true) => ForceChange::Restored,
            (None, Some(_)) => ForceChange::Added,
            (Some(_), None) => ForceChange::Removed,
            _ => ForceChange::Changed,
        };
        let gone = kind == ForceChange::Removed;
        let (notes_added, notes_removed) = if gone {
            (Vec::new(), Vec::new())
        } else {
            added_removed(old.map_or(&[][..], |f| &f.notes), new.map_or(&[][..], |f| &f.notes))
        };
        let difference = ForceDifference {
            slug: slug.to_owned(),
            kind,
            name: Changed { before: old.map(|f| f.name.clone()), after: new.map(|f| f.name.clone()) },
            url: if gone {
                None
            } else {
                Changed::of(old.and_then(|f| f.url.as_deref()), new.and_then(|f| f.url.as_deref()))
            },
            status: Changed::of(before.status(slug, old.is_some()), after.status(slug, new.is_some()))
                .filter(|_| kind != ForceChange::Changed),
            data_to: if gone {
                None
            } else {
                Changed::of(old.and_then(|f| f.data_to.as_deref()), new.and_then(|f| f.data_to.as_deref()))
            },
            notes_added,
            notes_removed,
        };
        let changed = kind != ForceChange::Changed
            || difference.name.before != difference.name.after
            || difference.url.is_some()
            || difference.data_to.is_some()
            || !difference.notes_added.is_empty()
            || !difference.notes_removed.is_empty();
        if changed {
            out.push(difference);
        }
    }
    out
}

/// Whether a force not listed in `before` was listed by some publication before it, as far as
/// the state can tell: it is retired, and the change that last wrote it (its retirement) came
/// after a publication that could have shown it. A force added and retired before anything was
/// published was never public, and coming back is its first appearance.
fn public_before(before: &State, slug: &str) -> bool {
    let Some(force) = before.forces.get(slug).filter(|f| f.status == ForceStatus::Retired) else {
        return false;
    };
    let Some(first) = before.publications.first() else {
        return false;
    };
    before.rows.forces.get(&force.id).is_some_and(|change| *change > first.last_change)
}

fn page_texts(was: &Content, is: &Content) -> Vec<TextDifference> {
    let mut out = Vec::new();
    let mut text = |field: String, before: Option<&str>, after: Option<&str>| {
        if before != after {
            let words = words::diff(before.unwrap_or(""), after.unwrap_or(""));
            if words::changed(&words) {
                out.push(TextDifference { field, words });
            }
        }
    };
    text("heading".into(), Some(&was.heading), Some(&is.heading));
    let paragraph = |n: usize| format!("introduction, paragraph {}", n + 1);
    for op in capture_diff_slices(Algorithm::Myers, &was.intro, &is.intro) {
        let (tag, old, new) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {}
            DiffTag::Delete => old.for_each(|i| text(paragraph(i), Some(&was.intro[i]), None)),
            DiffTag::Insert => new.for_each(|i| text(paragraph(i), None, Some(&is.intro[i]))),
            DiffTag::Replace => {
                let (old, new) = (old.collect::<Vec<_>>(), new.collect::<Vec<_>>());
                for k in 0..old.len().max(new.len()) {
                    let (o, n) = (old.get(k).copied(), new.get(k).copied());
                    text(
                        paragraph(n.or(o).unwrap_or(0)),
                        o.map(|i| was.intro[i].as_str()),
                        n.map(|i| is.intro[i].as_str()),
                    );
                }
            }
        }
    }
    text("publisher".into(), was.publisher.as_deref(), is.publisher.as_deref());
    text("contact".into(), was.contact.as_deref(), is.contact.as_deref());
    text("licence".into(), was.licence.as_deref(), is.licence.as_deref());
    text("page's address".into(), was.base_url.as_deref(), is.base_url.as_deref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Force, NoteState, NoteStatus, Publication};
    use crate::state::Page;

    fn state(forces: &[(&str, &str, Option<&str>, ForceStatus)]) -> State {
        let mut state = State { page: Some(Page::default()), ..State::default() };
        for (id, (slug, name, url, status)) in forces.iter().enumerate() {
            let force = Force {
                id: id as i64 + 1,
                slug: (*slug).into(),
                name: (*name).into(),
                url: url.map(Into::into),
                status: *status,
            };
            state.forces.insert((*slug).into(), force);
        }
        state
    }
    use ForceStatus::{Active, Retired};

    #[test]
    fn a_new_link_is_shown_old_and_new() {
        let before = state(&[("kent", "Kent Police", Some("https://old.example/"), Active)]);
        let after = state(&[("kent", "Kent Police", Some("https://new.example/"), Active)]);
        let difference = between(&before, &after);
        assert_eq!(difference.forces.len(), 1);
        let url = difference.forces[0].url.as_ref().expect("the link changed");
        assert_eq!(url.before.as_deref(), Some("https://old.example/"));
        assert_eq!(url.after.as_deref(), Some("https://new.example/"));
        assert!(between(&after, &after).is_empty());
    }

    #[test]
    fn internal_notes_are_not_public() {
        let before = state(&[("kent", "Kent Police", None, Active)]);
        let mut after = before.clone();
        for (id, public) in [(1, false), (2, true)] {
            let text = if public { "visible" } else { "secret" };
            let note = NoteState {
                id,
                force: Some("kent".into()),
                text: text.into(),
                public,
                status: NoteStatus::Open,
            };
            after.notes.insert(id, note);
        }
        let difference = between(&before, &after);
        assert_eq!(difference.forces[0].notes_added, vec!["visible".to_owned()]);
        assert!(!serde_json::to_string(&difference).unwrap().contains("secret"));
    }

    #[test]
    fn a_force_never_public_comes_back_as_added() {
        // added and retired before the first publication: the state that publication covered
        // has no publication in it yet
        let before = state(&[("kent", "Kent Police", None, Retired)]);
        let after = state(&[("kent", "Kent Police", None, Active)]);
        assert_eq!(between(&before, &after).forces[0].kind, ForceChange::Added);
        // retired after a publication that listed it: restored
        let mut before = before;
        before.publications.push(Publication {
            id: 1,
            at: String::new(),
            editor: String::new(),
            note: String::new(),
            major: true,
            sha256: String::new(),
            changes: Vec::new(),
            content_sha256: String::new(),
            first_change: 1,
            last_change: 3,
            head_hash: None,
            approved_by: None,
            without_approval: None,
            change: 4,
        });
        before.rows.forces.insert(1, 6);
        assert_eq!(between(&before, &after).forces[0].kind, ForceChange::Restored);
    }

    #[test]
    fn the_introduction_is_compared_paragraph_by_paragraph() {
        let mut before = state(&[]);
        before.page.as_mut().unwrap().intro = vec!["One two three.".into(), "Kept.".into()];
        let mut after = before.clone();
        after.page.as_mut().unwrap().intro = vec!["One four three.".into(), "Kept.".into(), "New.".into()];
        let page = between(&before, &after).page;
        assert_eq!(page.len(), 2);
        assert_eq!(page[0].field, "introduction, paragraph 1");
        assert_eq!(page[1].field, "introduction, paragraph 3");
        let runs: Vec<(words::Run, &str)> = page[0].words.iter().map(|w| (w.run, w.text.as_str())).collect();
        use words::Run::{Added, Equal, Removed};
        assert_eq!(runs, vec![(Equal, "One"), (Removed, "two"), (Added, "four"), (Equal, "three.")]);
    }
}
