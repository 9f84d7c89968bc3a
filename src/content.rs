//! The public content: what the page, `forces.json` and `forces.csv` show. It is built from a
//! `State` and nothing else, so publishing now and re-rendering a past publication from the
//! replayed log cannot drift apart.
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::hex;
use crate::model::NoteStatus;
use crate::model::{ForceStatus, NoteStatus as Status};
use crate::published::{self, Directory};
use crate::state::{PageLink, State};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the public sees: the page text, who publishes it and where, the active forces and the
/// open public notes.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Content {
    pub heading: String,
    pub intro: Vec<String>,
    /// Open public notes about the page as a whole, oldest first.
    pub notes: Vec<String>,
    /// Shared, not copied, with the page's template (`publish::render`), which makes each
    /// force's values as it writes it.
    pub forces: Arc<Vec<PublicForce>>,
    pub publisher: Option<String>,
    pub contact: Option<String>,
    pub licence: Option<String>,
    /// The page's public address, ending `/`.
    pub base_url: Option<String>,
    /// Related links.
    pub links: Vec<PageLink>,
}

/// Fields in sorted key order: `forces.json` lists a force as a sorted JSON object would.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PublicForce {
    /// The newest day the force's published data covers (YYYY-MM-DD), when a review recorded it.
    pub data_to: Option<String>,
    pub name: String,
    /// Open public notes about this force, oldest first.
    pub notes: Vec<String>,
    pub slug: String,
    pub url: Option<String>,
}

impl Content {
    /// The public part of `state`.
    pub fn from_state(state: &State) -> Content {
        let notes = state.notes.values().filter(|n| shown(n)).map(|n| (n.force.clone(), n.text.clone()));
        let forces = state.sorted_forces(false).into_iter().map(|f| {
            let data_to = state.data_to(&f.slug).map(str::to_owned);
            (f.slug.clone(), f.name.clone(), f.url.clone(), data_to)
        });
        Content::of_parts(state.page(), notes, forces)
    }

    /// The content of a page, its open public notes (each with its force's slug, `None` for the
    /// page; oldest first) and its active forces in the page's order, each with its slug, name,
    /// link and the newest day its data covers.
    fn of_parts(
        page: crate::state::Page,
        notes: impl Iterator<Item = (Option<String>, String)>,
        forces: impl Iterator<Item = (String, String, Option<String>, Option<String>)>,
    ) -> Content {
        let (mut of_page, mut by_force) =
            (Vec::new(), std::collections::HashMap::<String, Vec<String>>::new());
        for (force, text) in notes {
            match force {
                Some(slug) => by_force.entry(slug).or_default().push(text),
                None => of_page.push(text),
            }
        }
        let forces = forces.map(|(slug, name, url, data_to)| {
            let notes = by_force.remove(&slug).unwrap_or_default();
            PublicForce { slug, name, url, data_to, notes }
        });
        Content {
            heading: page.heading,
            intro: page.intro,
            publisher: page.publisher,
            contact: page.contact,
            licence: page.licence,
            base_url: page.base_url,
            links: page.links,
            notes: of_page,
            forces: Arc::new(forces.collect()),
        }
    }

    /// sha256 of the content's canonical JSON: equal content publishes nothing, and anything
    /// the page shows differently is something to publish.
    ///
    /// The canonical JSON is streamed into the hash: fields declared in sorted key order and
    /// written compactly by serde_json are exactly `canonical_json` of the content as a `Value`
    /// (a test checks it), without a copy of every force as a `Value` and the text of it.
    /// Unset page fields, no related links and a force's unrecorded `data_to` are left out, so
    /// content that has none of them hashes as it did before they existed: upgrading does not
    /// make a publication due.
    pub fn sha256(&self) -> String {
        let page = PageRef {
            heading: &self.heading,
            intro: &self.intro,
            publisher: self.publisher.as_deref(),
            contact: self.contact.as_deref(),
            licence: self.licence.as_deref(),
            base_url: self.base_url.as_deref(),
            links: &self.links,
        };
        let forces = self.forces.iter().map(|f| HashedForce {
            data_to: f.data_to.as_deref(),
            name: &f.name,
            notes: &f.notes,
            slug: &f.slug,
            url: f.url.as_deref(),
        });
        sha256_of(page, &self.notes, forces)
    }
}

/// A force as the content's hash writes it, fields in sorted key order.
#[derive(Serialize)]
pub struct HashedForce<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_to: Option<&'a str>,
    pub name: &'a str,
    pub notes: &'a [String],
    pub slug: &'a str,
    pub url: Option<&'a str>,
}

/// The page's words, borrowed from a content or a page.
pub struct PageRef<'a> {
    pub heading: &'a str,
    pub intro: &'a [String],
    pub publisher: Option<&'a str>,
    pub contact: Option<&'a str>,
    pub licence: Option<&'a str>,
    pub base_url: Option<&'a str>,
    pub links: &'a [PageLink],
}

impl<'a> PageRef<'a> {
    pub fn of(page: &'a crate::state::Page) -> PageRef<'a> {
        PageRef {
            heading: &page.heading,
            intro: &page.intro,
            publisher: page.publisher.as_deref(),
            contact: page.contact.as_deref(),
            licence: page.licence.as_deref(),
            base_url: page.base_url.as_deref(),
            links: &page.links,
        }
    }
}

/// `Content::sha256` of the content with this page, these open public notes of the page and
/// these forces, in the page's order: for content that need not be made to be hashed (the live
/// tables' in `publish`, whose forces are read for nothing else).
pub fn sha256_of<'a>(
    page: PageRef<'a>,
    notes: &'a [String],
    forces: impl Iterator<Item = HashedForce<'a>>,
) -> String {
    /// The forces, each written as it is reached: no list of 100,000 of them made first.
    struct Forces<I>(std::cell::Cell<Option<I>>);
    impl<'a, I: Iterator<Item = HashedForce<'a>>> Serialize for Forces<I> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.0.take().into_iter().flatten())
        }
    }
    #[derive(Serialize)]
    #[serde(bound = "")]
    struct Canonical<'a, I: Iterator<Item = HashedForce<'a>>> {
        #[serde(skip_serializing_if = "Option::is_none")]
        base_url: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        contact: Option<&'a str>,
        forces: Forces<I>,
        heading: &'a str,
        intro: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        licence: Option<&'a str>,
        #[serde(skip_serializing_if = "<[PageLink]>::is_empty")]
        links: &'a [PageLink],
        notes: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        publisher: Option<&'a str>,
    }
    let canonical = Canonical {
        base_url: page.base_url,
        contact: page.contact,
        forces: Forces(std::cell::Cell::new(Some(forces))),
        heading: page.heading,
        intro: page.intro,
        licence: page.licence,
        links: page.links,
        notes,
        publisher: page.publisher,
    };
    let mut hasher = Sha256::new();
    // writing into a hasher cannot fail; strings and options always serialise
    let _ = serde_json::to_writer(&mut hasher, &canonical);
    hex(&hasher.finalize())
}

/// Whether a note is shown on the page: public and open.
fn shown(note: &crate::state::NoteState) -> bool {
    note.public && note.status == NoteStatus::Open
}

/// What a publication showed (`crate::published`), made from the content or the state.
impl Directory {
    pub fn of(content: &Content) -> Directory {
        let forces = content
            .forces
            .iter()
            .map(|f| {
                let force = published::PublicForce {
                    name: f.name.clone(),
                    url: f.url.clone(),
                    data_to: f.data_to.clone(),
                    notes: f.notes.clone(),
                };
                (f.slug.clone(), force)
            })
            .collect();
        Directory { forces, page: Directory::page_of(content) }
    }

    /// `of`, for content that is not needed after: its forces are moved, not copied (where
    /// nothing else shares them).
    pub fn of_owned(content: Content) -> Directory {
        let page = Directory::page_of(&content);
        let forces = Arc::try_unwrap(content.forces).unwrap_or_else(|shared| shared.as_ref().clone());
        let forces = forces
            .into_iter()
            .map(|f| {
                let PublicForce { data_to, name, notes, slug, url } = f;
                (slug, published::PublicForce { name, url, data_to, notes })
            })
            .collect();
        Directory { forces, page }
    }

    /// The page's words as a publication's directory keeps them.
    fn page_of(content: &Content) -> BTreeMap<String, Value> {
        let text = |t: &Option<String>| t.clone().map_or(Value::Null, Value::String);
        let page = [
            ("heading", Value::String(content.heading.clone())),
            ("intro", content.intro.clone().into()),
            ("notes", content.notes.clone().into()),
            ("publisher", text(&content.publisher)),
            ("contact", text(&content.contact)),
            ("licence", text(&content.licence)),
            ("base_url", text(&content.base_url)),
            ("links", serde_json::to_value(&content.links).unwrap_or(Value::Null)),
        ];
        page.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// The directory of `state`, as `of(&Content::from_state(state))` but without putting the
    /// forces in the page's order.
    pub fn of_state(state: &State) -> Directory {
        let mut notes: BTreeMap<Option<&str>, Vec<String>> = BTreeMap::new();
        for n in state.notes.values().filter(|n| n.public && n.status == Status::Open) {
            notes.entry(n.force.as_deref()).or_default().push(n.text.clone());
        }
        let forces = state
            .forces
            .values()
            .filter(|f| f.status == ForceStatus::Active)
            .map(|f| {
                let force = published::PublicForce {
                    name: f.name.clone(),
                    url: f.url.clone(),
                    data_to: state.data_to(&f.slug).map(str::to_owned),
                    notes: notes.remove(&Some(f.slug.as_str())).unwrap_or_default(),
                };
                (f.slug.clone(), force)
            })
            .collect();
        let page = state.page();
        let content = Content {
            heading: page.heading,
            intro: page.intro,
            notes: notes.remove(&None).unwrap_or_default(),
            forces: Arc::default(),
            publisher: page.publisher,
            contact: page.contact,
            licence: page.licence,
            base_url: page.base_url,
            links: page.links,
        };
        Directory { forces, page: Directory::page_of(&content) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn content() -> Content {
        Content {
            heading: "Use of Force Data".into(),
            intro: vec!["One \"quoted\" <p>.".into(), "Two é\u{1}.".into()],
            notes: vec!["Page note".into()],
            forces: Arc::new(vec![
                PublicForce {
                    slug: "kent-police".into(),
                    name: "Kent Police".into(),
                    url: Some("https://example.org/a?b=c&d".into()),
                    notes: vec!["a\nb".into()],
                    data_to: None,
                },
                PublicForce {
                    slug: "essex-police".into(),
                    name: "Essex".into(),
                    url: None,
                    notes: vec![],
                    data_to: None,
                },
            ]),
            publisher: None,
            contact: None,
            licence: None,
            base_url: None,
            links: vec![],
        }
    }

    #[test]
    fn the_content_of_a_state_is_its_active_forces_sorted_with_their_open_public_notes() {
        use crate::model::{Force, NoteState, ReviewState};
        let mut state = State {
            page: Some(crate::state::Page { heading: "Heading".into(), ..Default::default() }),
            ..State::default()
        };
        let forces = [
            ("zed", "alpha police", ForceStatus::Active),
            ("abc", "Alpha Police", ForceStatus::Active),
            ("gone", "Gone Police", ForceStatus::Retired),
            ("mid", "Middle", ForceStatus::Active),
        ];
        for (id, (slug, name, status)) in forces.into_iter().enumerate() {
            let url = (id % 2 == 0).then(|| format!("https://example.org/{slug}"));
            let force = Force { id: id as i64 + 1, slug: slug.into(), name: name.into(), url, status };
            state.forces.insert(slug.into(), force);
        }
        let notes = [
            (Some("zed"), true, NoteStatus::Open),
            (Some("zed"), false, NoteStatus::Open),
            (Some("zed"), true, NoteStatus::Resolved),
            (Some("gone"), true, NoteStatus::Open),
            (Some("nowhere"), true, NoteStatus::Open),
            (None, true, NoteStatus::Open),
            (None, false, NoteStatus::Open),
            (Some("zed"), true, NoteStatus::Open),
        ];
        for (id, (force, public, status)) in notes.into_iter().enumerate() {
            let note = NoteState {
                id: id as i64,
                force: force.map(Into::into),
                text: format!("note {id}"),
                public,
                status,
            };
            state.notes.insert(id as i64, note);
        }
        let review = |change: i64, data_to: Option<&str>| ReviewState {
            change,
            at: "2026-01-01T00:00:00Z".into(),
            editor: "e".into(),
            message: None,
            data_to: data_to.map(Into::into),
        };
        state.reviews.insert("zed".into(), vec![review(1, Some("2025-01-31")), review(2, None)]);
        state.reviews.insert("mid".into(), vec![review(3, None)]);
        let made = Content::from_state(&state);
        assert_eq!(made.forces.iter().map(|f| f.slug.as_str()).collect::<Vec<_>>(), ["abc", "zed", "mid"]);
        assert_eq!(made.notes, ["note 5"]);
        assert_eq!(made.forces[1].notes, ["note 0", "note 7"]);
        assert_eq!(made.forces[1].data_to.as_deref(), Some("2025-01-31"));
    }

    fn canonical_sha(value: &serde_json::Value) -> String {
        hex(&Sha256::digest(crate::audit::canonical_json(value).as_bytes()))
    }

    #[test]
    fn content_without_the_page_extras_hashes_as_it_did_before_they_existed() {
        let content = content();
        // the shape every publication before them hashed
        let old = json!({
            "heading": content.heading,
            "intro": content.intro,
            "notes": content.notes,
            "forces": [
                {"slug": "kent-police", "name": "Kent Police", "url": "https://example.org/a?b=c&d", "notes": ["a\nb"]},
                {"slug": "essex-police", "name": "Essex", "url": null, "notes": []},
            ],
        });
        assert_eq!(content.sha256(), canonical_sha(&old));
    }

    #[test]
    fn the_streamed_content_hash_is_the_hash_of_its_canonical_json() {
        let mut content = content();
        content.publisher = Some("Home Office".into());
        content.contact = Some("uof@example.gov.uk".into());
        content.licence = Some("Open Government Licence v3.0".into());
        content.base_url = Some("https://example.gov.uk/uof/".into());
        content.links = vec![PageLink { title: "Statistics".into(), url: "https://example.gov.uk/s".into() }];
        Arc::make_mut(&mut content.forces)[0].data_to = Some("2025-09-30".into());
        let mut value = serde_json::to_value(&content).unwrap();
        // an unrecorded data_to is left out of the hash
        value["forces"][1].as_object_mut().unwrap().remove("data_to");
        assert_eq!(content.sha256(), canonical_sha(&value));
        assert_ne!(content.sha256(), self::content().sha256());
    }

    #[test]
    fn every_page_field_changes_the_hash() {
        let base = content();
        let mut changed = Vec::new();
        for edit in [
            |c: &mut Content| c.publisher = Some("P".into()),
            |c: &mut Content| c.contact = Some("C".into()),
            |c: &mut Content| c.licence = Some("L".into()),
            |c: &mut Content| c.base_url = Some("https://example.gov.uk/".into()),
            |c: &mut Content| c.links.push(PageLink { title: "T".into(), url: "https://e.gov.uk/".into() }),
            |c: &mut Content| Arc::make_mut(&mut c.forces)[1].data_to = Some("2025-01-31".into()),
        ] {
            let mut c = base.clone();
            edit(&mut c);
            changed.push(c.sha256());
        }
        changed.push(base.sha256());
        let distinct: std::collections::BTreeSet<&String> = changed.iter().collect();
        assert_eq!(distinct.len(), changed.len());
    }
    #[test]
    fn a_state_and_its_content_give_one_directory() {
        use crate::model::{Force, NoteState};
        use crate::published::Directory;
        let mut state = State::default();
        for (id, slug, name, status) in
            [(1, "kent", "Kent", ForceStatus::Active), (2, "essex", "Essex", ForceStatus::Retired)]
        {
            let force = Force { id, slug: slug.into(), name: name.into(), url: None, status };
            state.forces.insert(slug.into(), force);
        }
        for (id, force, public) in [(1, Some("kent"), true), (2, None, true), (3, Some("kent"), false)] {
            let text = format!("note {id} \"quoted\" <b>");
            let note = NoteState { id, force: force.map(Into::into), text, public, status: NoteStatus::Open };
            state.notes.insert(id, note);
        }
        let directory = Directory::of_state(&state);
        assert_eq!(directory, Directory::of(&Content::from_state(&state)));
        let value = serde_json::to_value(&directory).unwrap();
        let canonical = crate::audit::canonical_json(&value);
        assert_eq!(directory.sha256(), crate::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(canonical)));
    }
}
