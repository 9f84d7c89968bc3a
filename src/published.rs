//! What a publication showed (its public directory: each active force by slug, and the page's
//! words) and the public changes between two publications, which rebuild one directory from the
//! one before (SPEC section 18). Each publication's `publish` change keeps its changes, so the
//! site's `history.json` is made from the log, and its record keeps its directory's sha256 (of
//! its canonical JSON: keys sorted, no insignificant white space), so anyone can replay
//! `history.json` and check every publication against its record.
//!
//! Nothing internal is in it: no editor, no internal note, no approval.
use std::collections::BTreeMap;

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The page's words a directory holds, in the order `history.json` names them.
pub const PAGE_KEYS: [&str; 8] =
    ["heading", "intro", "notes", "publisher", "contact", "licence", "base_url", "links"];

/// What the public saw at one publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub forces: BTreeMap<String, PublicForce>,
    /// Every key of `PAGE_KEYS`; unset words are `null`.
    pub page: BTreeMap<String, Value>,
}

/// One force as the public saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicForce {
    // in sorted key order: serde_json writes the struct as canonical JSON
    pub data_to: Option<String>,
    pub name: String,
    pub notes: Vec<String>,
    pub url: Option<String>,
}

impl Default for Directory {
    /// Before the first publication: no force, every word of the page unset.
    fn default() -> Self {
        Directory {
            forces: BTreeMap::new(),
            page: PAGE_KEYS.iter().map(|k| ((*k).to_owned(), Value::Null)).collect(),
        }
    }
}

impl Directory {
    /// sha256 hex of the canonical JSON: what a record's `directory` says. Streamed into the
    /// hash: the maps are sorted and the structs' fields declared in sorted order.
    pub fn sha256(&self) -> String {
        use sha2::Digest;
        let mut hasher = Hasher(sha2::Sha256::new());
        // writing into a hash cannot fail
        let _ = serde_json::to_writer(&mut hasher, self);
        crate::audit::hex(&hasher.0.finalize())
    }

    /// Apply one publication's changes, checking that each old value is the one this directory
    /// holds: a history that does not follow from itself is named where it breaks.
    pub fn apply(&mut self, changes: &Changes) -> Result<()> {
        for force in &changes.forces {
            let slug = &force.slug;
            match (&force.added, &force.retired, self.forces.get_mut(slug)) {
                (Some(added), None, None) => {
                    self.forces.insert(slug.clone(), PublicForce::clone(added));
                }
                (None, Some(retired), Some(now)) if **retired == *now => {
                    self.forces.remove(slug);
                }
                (None, None, Some(now)) => {
                    let fields = [
                        ("renamed", force.renamed.as_deref().map(text_pair), &mut now.name as &mut dyn Set),
                        ("link", force.link.as_deref().cloned(), &mut now.url),
                        ("data_to", force.data_to.as_deref().cloned(), &mut now.data_to),
                    ];
                    for (what, pair, field) in fields {
                        if let Some([old, new]) = pair {
                            if !field.is(&old) {
                                bail!(
                                    "force {slug}: {what} says it was {}, but it was {}",
                                    show(&old),
                                    field.show()
                                );
                            }
                            field.set(new);
                        }
                    }
                    if let Some([old, new]) = force.notes.as_deref() {
                        if old != &now.notes {
                            bail!("force {slug}: its notes were not the ones history.json says");
                        }
                        now.notes.clone_from(new);
                    }
                }
                _ => bail!("force {slug}: history.json adds, retires or changes it where it cannot"),
            }
        }
        for (key, [old, new]) in &changes.page {
            match self.page.get_mut(key) {
                Some(now) if now == old => *now = new.clone(),
                Some(_) => bail!("the page's {key} was not what history.json says it was"),
                None => bail!("the page has no {key}"),
            }
        }
        Ok(())
    }
}

fn text_pair(pair: &[String; 2]) -> [Option<String>; 2] {
    [Some(pair[0].clone()), Some(pair[1].clone())]
}

fn show(value: &Option<String>) -> String {
    value.as_ref().map_or_else(|| "unset".to_owned(), |v| serde_json::Value::from(v.as_str()).to_string())
}

/// A field of a force that history sets.
trait Set {
    fn is(&self, value: &Option<String>) -> bool;
    fn set(&mut self, value: Option<String>);
    fn show(&self) -> String;
}

impl Set for String {
    fn is(&self, value: &Option<String>) -> bool {
        value.as_deref() == Some(self.as_str())
    }
    fn set(&mut self, value: Option<String>) {
        *self = value.unwrap_or_default();
    }
    fn show(&self) -> String {
        show(&Some(self.clone()))
    }
}

impl Set for Option<String> {
    fn is(&self, value: &Option<String>) -> bool {
        self == value
    }
    fn set(&mut self, value: Option<String>) {
        *self = value;
    }
    fn show(&self) -> String {
        show(self)
    }
}

struct Hasher(sha2::Sha256);

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        sha2::Digest::update(&mut self.0, buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One publication's public changes: per force, and the page's words old → new.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Changes {
    pub forces: Vec<ForceChange>,
    pub page: BTreeMap<String, [Value; 2]>,
}

/// An optional field's `[old, new]`.
pub type Pair = [Option<String>; 2];

/// A force added (as it was shown), retired (as it was shown before), or changed field by
/// field, each `[old, new]`. Each part is boxed: a publication's record holds one of these for
/// every force it added (100,000 at once after an import), and an unboxed one is 408 bytes, of
/// which an added force uses 96.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForceChange {
    pub slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added: Option<Box<PublicForce>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<Box<PublicForce>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed: Option<Box<[String; 2]>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<Box<Pair>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_to: Option<Box<Pair>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<Box<[Vec<String>; 2]>>,
}

impl Changes {
    /// The changes that undo these: from the directory after to the one before.
    pub fn reversed(&self) -> Changes {
        fn flip<T: Clone>(pair: &Option<Box<[T; 2]>>) -> Option<Box<[T; 2]>> {
            pair.as_deref().map(|[a, b]| Box::new([b.clone(), a.clone()]))
        }
        Changes {
            forces: self
                .forces
                .iter()
                .map(|f| ForceChange {
                    slug: f.slug.clone(),
                    added: f.retired.clone(),
                    retired: f.added.clone(),
                    renamed: flip(&f.renamed),
                    link: flip(&f.link),
                    data_to: flip(&f.data_to),
                    notes: flip(&f.notes),
                })
                .collect(),
            page: self.page.iter().map(|(k, [a, b])| (k.clone(), [b.clone(), a.clone()])).collect(),
        }
    }
}

/// The changes from an empty directory to this one (every force added, every word set), as
/// `changes(&Directory::default(), directory)` serialises, written from the directory without
/// making them (a test keeps the two the same, byte for byte).
pub struct AddedTo<'a>(pub &'a Directory);

impl Serialize for AddedTo<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        #[derive(Serialize)]
        struct Added<'a> {
            slug: &'a str,
            added: &'a PublicForce,
        }
        struct Forces<'a>(&'a BTreeMap<String, PublicForce>);
        impl Serialize for Forces<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(|(slug, added)| Added { slug, added }))
            }
        }
        struct Page<'a>(&'a BTreeMap<String, Value>);
        impl Serialize for Page<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                let set = self.0.iter().filter(|(_, word)| !word.is_null());
                serializer.collect_map(set.map(|(key, word)| (key, [&Value::Null, word])))
            }
        }
        let mut changes = serializer.serialize_struct("Changes", 2)?;
        changes.serialize_field("forces", &Forces(&self.0.forces))?;
        changes.serialize_field("page", &Page(&self.0.page))?;
        changes.end()
    }
}

/// The public changes from `before` to `after`.
pub fn changes(before: &Directory, after: &Directory) -> Changes {
    let mut forces = Vec::new();
    for (slug, old) in &before.forces {
        if !after.forces.contains_key(slug) {
            forces.push(ForceChange {
                slug: slug.clone(),
                retired: Some(Box::new(old.clone())),
                ..ForceChange::default()
            });
        }
    }
    for (slug, new) in &after.forces {
        let Some(old) = before.forces.get(slug) else {
            forces.push(ForceChange {
                slug: slug.clone(),
                added: Some(Box::new(new.clone())),
                ..ForceChange::default()
            });
            continue;
        };
        if old == new {
            continue;
        }
        fn pair<T: Clone + PartialEq>(a: &T, b: &T) -> Option<Box<[T; 2]>> {
            (a != b).then(|| Box::new([a.clone(), b.clone()]))
        }
        forces.push(ForceChange {
            slug: slug.clone(),
            renamed: pair(&old.name, &new.name),
            link: pair(&old.url, &new.url),
            data_to: pair(&old.data_to, &new.data_to),
            notes: pair(&old.notes, &new.notes),
            ..ForceChange::default()
        });
    }
    forces.sort_by(|a, b| a.slug.cmp(&b.slug));
    let page = after
        .page
        .iter()
        .filter_map(|(key, new)| {
            let old = before.page.get(key).cloned().unwrap_or(Value::Null);
            (&old != new).then(|| (key.clone(), [old, new.clone()]))
        })
        .collect();
    Changes { forces, page }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn force(name: &str, url: Option<&str>) -> PublicForce {
        PublicForce { name: name.into(), url: url.map(Into::into), data_to: None, notes: vec![] }
    }

    #[test]
    fn the_changes_rebuild_the_directory_they_came_from() {
        let a = Directory::default();
        let mut b = Directory::default();
        b.forces.insert("kent".into(), force("Kent", None));
        b.forces.insert("essex".into(), force("Essex", Some("https://e.example/")));
        b.page.insert("heading".into(), "Use of Force Data".into());
        let mut c = b.clone();
        c.forces.remove("essex");
        c.forces.insert("kent".into(), force("Kent Police", Some("https://k.example/")));
        let mut rebuilt = a.clone();
        rebuilt.apply(&changes(&a, &b)).unwrap();
        assert_eq!(rebuilt, b);
        rebuilt.apply(&changes(&b, &c)).unwrap();
        assert_eq!(rebuilt, c);
        assert_eq!(rebuilt.sha256(), c.sha256());
        assert!(rebuilt.clone().apply(&changes(&a, &b)).is_err(), "adding a force twice is refused");
        rebuilt.apply(&changes(&b, &c).reversed()).unwrap();
        assert_eq!(rebuilt, b, "reversed changes undo them");
    }

    #[test]
    fn a_directory_added_to_an_empty_one_is_written_as_its_changes_are() {
        let mut d = Directory::default();
        d.forces.insert("kent".into(), force("Kent \"<Police>\"", None));
        d.forces.insert("essex".into(), force("Essex", Some("https://e.example/")));
        d.forces.insert(
            "a-b".into(),
            PublicForce {
                data_to: Some("2025-03-31".into()),
                notes: vec!["one\ntwo".into(), "é".into()],
                ..force("A", None)
            },
        );
        d.page.insert("heading".into(), "Use of Force Data".into());
        d.page.insert("links".into(), serde_json::json!([{"text": "x", "url": "https://x.example/"}]));
        for directory in [Directory::default(), d] {
            let made = changes(&Directory::default(), &directory);
            assert_eq!(
                serde_json::to_string_pretty(&AddedTo(&directory)).unwrap(),
                serde_json::to_string_pretty(&made).unwrap()
            );
            assert_eq!(serde_json::to_vec(&AddedTo(&directory)).unwrap(), serde_json::to_vec(&made).unwrap());
        }
    }
}
