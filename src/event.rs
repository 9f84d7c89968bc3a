//! The one typed event: what a change of the audit log says happened, as one enum with one
//! serde mapping. A change stores its event as an entity and two JSON sides (`before`,
//! `after`), which is the form that is hashed and signed; `Event::decode` and `Event::encode`
//! are the only code that reads or writes those sides. Every shape a side has ever had decodes
//! (fields added later are optional and left out while unset), so a change keeps its hash.
use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{EditorState, Entity, Force, NoteState, Page, ReviewRecord};

/// What one change did.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A force added (`before` none), edited, retired or restored. Forces are never deleted.
    Force {
        before: Option<Force>,
        after: Force,
    },
    /// A note added (`before` none), resolved, or opened again by a revert.
    Note {
        before: Option<NoteState>,
        after: NoteState,
    },
    /// A review made, or (`Withdrawn`) withdrawn by the revert that names it.
    Review(ReviewRecord),
    ReviewWithdrawn(ReviewRecord),
    /// The page's words; `before` is none for the text a database started with.
    Page {
        before: Option<Page>,
        after: Page,
    },
    /// An editor registered (`before` none), or their role, status or key changed.
    Editor {
        before: Option<EditorState>,
        after: EditorState,
    },
    Approval(ApprovalRecord),
    Schedule(ScheduleRecord),
    ScheduleCancelled(CancelRecord),
    Publication(PublicationRecord),
    /// A setting of the database given a value (`before` none the first time it is set).
    Setting {
        before: Option<Setting>,
        after: Setting,
    },
}

/// One setting and its value, as a `settings` change records it: `approval` (`required` or
/// `optional`) or `site` (the directory the site is published into, absolute).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    pub name: String,
    pub value: String,
}

/// An approval of the pending public content: its sha256, and the first and last public change
/// it covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRecord {
    pub content_sha256: String,
    pub changes: [Option<i64>; 2],
}

/// A publication waiting for its time, with the second check it was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRecord {
    /// When it goes live (RFC 3339, UTC).
    pub at: String,
    pub content_sha256: String,
    pub note: Option<String>,
    pub minor: bool,
    pub approved_by: Option<String>,
    pub without_approval: Option<String>,
    /// The directory it publishes into (absolute); absent in schedules made before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out: Option<String>,
    /// `--allow-broken` was given when it was made.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_broken: bool,
}

/// The schedule a `cancel-schedule` change dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelRecord {
    pub at: String,
    pub content_sha256: String,
    pub change: i64,
}

/// A publication, as its `publish` change records it. The fields after `changes` were added
/// over time and are left out while unset, so older publications hash as they always did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicationRecord {
    pub id: i64,
    pub note: String,
    pub major: bool,
    /// sha256 of the site's manifest.
    pub sha256: String,
    /// The range of change ids it covers, `[first, last]`; empty when it covered none.
    pub changes: Vec<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub without_approval: Option<String>,
    /// The schedule change it carried out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<i64>,
    /// sha256 of the public content it published (recorded from schema 12 on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_sha256: Option<String>,
    /// The id of the database that published it (recorded from schema 12 on): the log's word
    /// for the id its `meta` table holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// The directory it was published into (absolute; recorded from schema 14 on). The first
    /// one recorded is the site's home until `admin settings site` says otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out: Option<String>,
    /// What its signed record (SPEC section 18) holds beyond the rest of the log: recorded from
    /// the release that publishes `publications.json` on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteRecord>,
}

/// The part of a publication's signed record the rest of the log does not say: the published
/// files' sha256, the public directory's, the publisher's signature of the record, and the
/// approval it carries. The record itself is made from these and the publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteRecord {
    /// Every published file but `publications.json`: path → sha256 hex.
    pub files: std::collections::BTreeMap<String, String>,
    /// sha256 hex of the public directory's canonical JSON (what `history.json` rebuilds).
    pub directory: String,
    /// The public changes since the publication before: its entry in `history.json`.
    pub changes: crate::published::Changes,
    /// The publisher the record names: a registered editor (a publisher or an admin, a public
    /// role); a publication made with no registry names no one, as editors' names are internal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The publisher's armored SSHSIG of the record's signed bytes, where they have a key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The `approve` change whose signed approval the record carries, where it was signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<i64>,
}

impl Event {
    /// The entity a change of this event is about.
    pub fn entity(&self) -> Entity {
        match self {
            Event::Force { .. } => Entity::Force,
            Event::Note { .. } => Entity::Note,
            Event::Review(_) | Event::ReviewWithdrawn(_) => Entity::Review,
            Event::Page { .. } => Entity::Page,
            Event::Editor { .. } => Entity::Editor,
            Event::Approval(_) => Entity::Approval,
            Event::Schedule(_) | Event::ScheduleCancelled(_) => Entity::Schedule,
            Event::Publication(_) => Entity::Publication,
            Event::Setting { .. } => Entity::Setting,
        }
    }

    /// The force slug the change is filed under, where it is about one.
    pub fn force(&self) -> Option<&str> {
        match self {
            Event::Force { after, .. } => Some(&after.slug),
            Event::Note { after, .. } => after.force.as_deref(),
            Event::Review(review) | Event::ReviewWithdrawn(review) => Some(&review.force),
            _ => None,
        }
    }

    /// Whether the change alters what the public sees: a force, the page, a public note, or a
    /// review's data date (the page shows "Data up to …").
    pub fn is_public(&self) -> bool {
        match self {
            Event::Force { .. } | Event::Page { .. } => true,
            Event::Note { before, after } => after.public || before.as_ref().is_some_and(|b| b.public),
            Event::Review(review) | Event::ReviewWithdrawn(review) => review.data_to.is_some(),
            Event::Editor { .. }
            | Event::Approval(_)
            | Event::Schedule(_)
            | Event::ScheduleCancelled(_)
            | Event::Publication(_)
            | Event::Setting { .. } => false,
        }
    }

    /// The two sides a change stores.
    pub fn encode(&self) -> (Option<Value>, Option<Value>) {
        fn side<T: Serialize>(value: &T) -> Option<Value> {
            // plain strings, numbers, booleans and options: serialising cannot fail
            Some(serde_json::to_value(value).unwrap_or(Value::Null))
        }
        match self {
            Event::Force { before, after } => (before.as_ref().and_then(side), side(after)),
            Event::Note { before, after } => (before.as_ref().and_then(side), side(after)),
            Event::Review(review) => (None, side(review)),
            Event::ReviewWithdrawn(review) => (side(review), None),
            Event::Page { before, after } => (before.as_ref().and_then(side), side(after)),
            Event::Editor { before, after } => (before.as_ref().and_then(side), side(after)),
            Event::Approval(approval) => (None, side(approval)),
            Event::Schedule(schedule) => (None, side(schedule)),
            Event::ScheduleCancelled(cancel) => (side(cancel), None),
            Event::Publication(publication) => (None, side(publication)),
            Event::Setting { before, after } => (before.as_ref().and_then(side), side(after)),
        }
    }

    /// Read a change's sides, stored as JSON text, as the event they record.
    pub fn decode_text(entity: Entity, before: Option<&str>, after: Option<&str>) -> Result<Event> {
        decode_sides(entity, &Text { before, after })
    }

    /// Read a change's sides, parsed, as the event they record.
    pub fn decode(entity: Entity, before: Option<&Value>, after: Option<&Value>) -> Result<Event> {
        decode_sides(entity, &Parsed { before, after })
    }
}

impl crate::model::Change {
    /// What the change did: its sides read as the one typed event.
    pub fn event(&self) -> Result<Event> {
        Event::decode(self.entity, self.before.as_ref(), self.after.as_ref())
    }
}

/// A change's two sides, in whatever form they are at hand.
trait Sides {
    fn before<T: DeserializeOwned>(&self) -> Result<Option<T>>;
    fn after<T: DeserializeOwned>(&self) -> Result<Option<T>>;
}

struct Text<'a> {
    before: Option<&'a str>,
    after: Option<&'a str>,
}

impl Sides for Text<'_> {
    fn before<T: DeserializeOwned>(&self) -> Result<Option<T>> {
        Ok(self.before.map(serde_json::from_str).transpose()?)
    }
    fn after<T: DeserializeOwned>(&self) -> Result<Option<T>> {
        Ok(self.after.map(serde_json::from_str).transpose()?)
    }
}

struct Parsed<'a> {
    before: Option<&'a Value>,
    after: Option<&'a Value>,
}

impl Sides for Parsed<'_> {
    fn before<T: DeserializeOwned>(&self) -> Result<Option<T>> {
        Ok(self.before.map(T::deserialize).transpose()?)
    }
    fn after<T: DeserializeOwned>(&self) -> Result<Option<T>> {
        Ok(self.after.map(T::deserialize).transpose()?)
    }
}

/// The one decoding of a change's sides.
fn decode_sides(entity: Entity, sides: &impl Sides) -> Result<Event> {
    fn required<T>(side: Option<T>) -> Result<T> {
        side.ok_or_else(|| anyhow::anyhow!("a side it needs is missing"))
    }
    let event = (|| -> Result<Event> {
        Ok(match entity {
            Entity::Force => Event::Force { before: sides.before()?, after: required(sides.after()?)? },
            Entity::Note => Event::Note { before: sides.before()?, after: required(sides.after()?)? },
            Entity::Review => match sides.after()? {
                Some(review) => Event::Review(review),
                None => Event::ReviewWithdrawn(required(sides.before()?)?),
            },
            Entity::Page => Event::Page { before: sides.before()?, after: required(sides.after()?)? },
            Entity::Editor => Event::Editor { before: sides.before()?, after: required(sides.after()?)? },
            Entity::Approval => Event::Approval(required(sides.after()?)?),
            Entity::Schedule => match sides.after()? {
                Some(schedule) => Event::Schedule(schedule),
                None => Event::ScheduleCancelled(required(sides.before()?)?),
            },
            Entity::Publication => Event::Publication(required(sides.after()?)?),
            Entity::Setting => Event::Setting { before: sides.before()?, after: required(sides.after()?)? },
        })
    })();
    event.with_context(|| format!("a {} change has an unexpected shape", entity.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_round_trips_through_its_sides() {
        let force = Force {
            id: 0,
            slug: "kent-police".into(),
            name: "Kent Police".into(),
            url: None,
            status: crate::model::ForceStatus::Active,
        };
        let events = [
            Event::Force { before: None, after: force.clone() },
            Event::Force {
                before: Some(force.clone()),
                after: Force { url: Some("https://k/".into()), ..force },
            },
            Event::Review(ReviewRecord { force: "k".into(), at: "t".into(), data_to: None }),
            Event::ReviewWithdrawn(ReviewRecord {
                force: "k".into(),
                at: "t".into(),
                data_to: Some("d".into()),
            }),
            Event::Page { before: None, after: Page::default() },
            Event::Approval(ApprovalRecord { content_sha256: "s".into(), changes: [Some(1), None] }),
            Event::Schedule(ScheduleRecord {
                at: "t".into(),
                content_sha256: "s".into(),
                note: None,
                minor: false,
                approved_by: None,
                without_approval: Some("why".into()),
                out: Some("/srv/site".into()),
                allow_broken: true,
            }),
            Event::ScheduleCancelled(CancelRecord { at: "t".into(), content_sha256: "s".into(), change: 3 }),
            Event::Publication(PublicationRecord {
                id: 1,
                note: "n".into(),
                major: true,
                sha256: "s".into(),
                changes: vec![1, 2],
                approved_by: None,
                without_approval: None,
                schedule: None,
                content_sha256: Some("c".into()),
                database: Some("d".into()),
                out: Some("/srv/site".into()),
                site: Some(SiteRecord {
                    files: [("index.html".to_owned(), "h".to_owned())].into_iter().collect(),
                    directory: "d".into(),
                    changes: crate::published::Changes::default(),
                    publisher: Some("p".into()),
                    signature: Some("sig".into()),
                    approval: Some(4),
                }),
            }),
            Event::Setting {
                before: Some(Setting { name: "approval".into(), value: "required".into() }),
                after: Setting { name: "approval".into(), value: "optional".into() },
            },
        ];
        for event in events {
            let (before, after) = event.encode();
            assert_eq!(Event::decode(event.entity(), before.as_ref(), after.as_ref()).unwrap(), event);
            let text = |v: &Option<Value>| v.as_ref().map(|v| v.to_string());
            let (b, a) = (text(&before), text(&after));
            assert_eq!(Event::decode_text(event.entity(), b.as_deref(), a.as_deref()).unwrap(), event);
        }
    }

    #[test]
    fn older_shapes_decode_and_unknown_fields_do_not() {
        let old = r#"{"id":1,"note":"n","major":true,"sha256":"s","changes":[]}"#;
        assert!(Event::decode_text(Entity::Publication, None, Some(old)).is_ok());
        let old = r#"{"at":"t","content_sha256":"s","note":null,"minor":false,"approved_by":null,"without_approval":null}"#;
        let Event::Schedule(schedule) = Event::decode_text(Entity::Schedule, None, Some(old)).unwrap() else {
            panic!("not a schedule")
        };
        assert_eq!(schedule.out, None);
        let bad = r#"{"content_sha256":"s","changes":[1,2],"extra":1}"#;
        let err = Event::decode_text(Entity::Approval, None, Some(bad)).unwrap_err();
        assert!(format!("{err:#}").contains("an approval change") || format!("{err:#}").contains("approval"));
        assert!(Event::decode_text(Entity::Force, None, None).is_err());
    }
}
