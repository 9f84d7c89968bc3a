//! The public content: what the page, `forces.json` and `forces.csv` show. It is built from a
//! `State` and nothing else, so publishing now and re-rendering a past publication from the
//! replayed log cannot drift apart.
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::hex;
use crate::model::NoteStatus;
use crate::state::State;

/// What the public sees: the page text, the active forces and the open public notes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Content {
    pub heading: String,
    pub intro: Vec<String>,
    /// Open public notes about the page as a whole, oldest first.
    pub notes: Vec<String>,
    pub forces: Vec<PublicForce>,
}

/// Fields in sorted key order: serialised compactly, a force is its canonical JSON, and
/// `forces.json` lists it as a sorted JSON object would.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PublicForce {
    pub name: String,
    /// Open public notes about this force, oldest first.
    pub notes: Vec<String>,
    pub slug: String,
    pub url: Option<String>,
}

impl Content {
    /// The public part of `state`.
    pub fn from_state(state: &State) -> Content {
        // open public notes by force (None: the page), oldest first, in one pass
        let mut public: std::collections::HashMap<Option<&str>, Vec<String>> =
            std::collections::HashMap::new();
        for n in state.notes.values().filter(|n| n.public && n.status == NoteStatus::Open) {
            public.entry(n.force.as_deref()).or_default().push(n.text.clone());
        }
        let page = state.page();
        Content {
            heading: page.heading,
            intro: page.intro,
            notes: public.remove(&None).unwrap_or_default(),
            forces: state
                .sorted_forces(false)
                .into_iter()
                .map(|f| PublicForce {
                    slug: f.slug.clone(),
                    name: f.name.clone(),
                    url: f.url.clone(),
                    notes: public.remove(&Some(f.slug.as_str())).unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// sha256 of the content's canonical JSON: equal content publishes nothing.
    ///
    /// The canonical JSON is streamed into the hash: fields declared in sorted key order and
    /// written compactly by serde_json are exactly `canonical_json` of the content as a `Value`
    /// (a test checks it), without a copy of every force as a `Value` and the text of it.
    pub fn sha256(&self) -> String {
        #[derive(Serialize)]
        struct Canonical<'a> {
            forces: &'a [PublicForce],
            heading: &'a str,
            intro: &'a [String],
            notes: &'a [String],
        }
        let canonical = Canonical {
            forces: &self.forces,
            heading: &self.heading,
            intro: &self.intro,
            notes: &self.notes,
        };
        let mut hasher = Sha256::new();
        // writing into a hasher cannot fail; strings and options always serialise
        let _ = serde_json::to_writer(&mut hasher, &canonical);
        hex(&hasher.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamed_content_hash_is_the_hash_of_its_canonical_json() {
        let content = Content {
            heading: "Use of Force Data".into(),
            intro: vec!["One \"quoted\" <p>.".into(), "Two é\u{1}.".into()],
            notes: vec!["Page note".into()],
            forces: vec![
                PublicForce {
                    slug: "kent-police".into(),
                    name: "Kent Police".into(),
                    url: Some("https://example.org/a?b=c&d".into()),
                    notes: vec!["a\nb".into()],
                },
                PublicForce { slug: "essex-police".into(), name: "Essex".into(), url: None, notes: vec![] },
            ],
        };
        let value = serde_json::to_value(&content).unwrap();
        assert_eq!(content.sha256(), hex(&Sha256::digest(crate::audit::canonical_json(&value).as_bytes())));
    }
}
