//! Changes listed by `history` and `publications --show`, their sides kept as the text they are
//! stored as (`db::changes::history_unparsed`, `in_range`), never held as parsed values: a
//! publication's record of 100,000 imported forces is 19 MB of text and 200 MB of values. A table describes
//! each change from its sides read straight into their typed event; `--json` prints each side
//! token by token as it is read.
use anyhow::{Context, Result};
use serde::Serialize;

use crate::audit::{Action, Entity};
use crate::db::changes::Unparsed;
use crate::describe::describe_event;
use crate::event::Event;
use crate::model::Change;
use crate::output::or_dash;

/// Every change ready to print as JSON, once each is `readable`.
pub fn printed(listed: &[Unparsed]) -> Result<Vec<Printed<'_>>> {
    for (c, before, after) in listed {
        readable(c, before, after)?;
    }
    Ok(listed.iter().map(|(c, before, after)| Printed::of(c, before, after)).collect())
}

/// Every change as a table row: its id, time, editor, action, force and what it did; every one
/// read before any is printed.
pub fn rows(listed: &[Unparsed]) -> Result<Vec<Vec<String>>> {
    listed
        .iter()
        .map(|(c, before, after)| {
            Ok(vec![
                c.id.to_string(),
                crate::clock::shown(&c.at),
                c.editor.clone(),
                c.action.to_string(),
                or_dash(c.force.as_deref()),
                described(c, before, after)?,
            ])
        })
        .collect()
}

/// What `change` did, in a few words (`describe`), from its stored sides, once both are read as
/// JSON (`readable`).
fn described(change: &Change, before: &Option<String>, after: &Option<String>) -> Result<String> {
    readable(change, before, after)?;
    Ok(describe_event(change, Event::decode_text(change.entity, before.as_deref(), after.as_deref())))
}

/// Each side read as JSON by the reader that parsed it into a value before (a number out of
/// range, a lone surrogate, nesting deeper than 128, text after the value: each refused), its
/// tokens going nowhere; a side that cannot be fails the listing, naming its change. Both sides,
/// whatever the change's event reads of them.
fn readable(change: &Change, before: &Option<String>, after: &Option<String>) -> Result<()> {
    for side in [before, after].into_iter().flatten() {
        let mut reader = serde_json::Deserializer::from_str(side);
        serde_transcode::transcode(&mut reader, &mut serde_json::Serializer::new(std::io::sink()))
            .map_err(anyhow::Error::new)
            .and_then(|()| Ok(reader.end()?))
            .with_context(|| {
                format!("failed to read the audit log: change {} holds a side that is not JSON", change.id)
            })?;
    }
    Ok(())
}

/// A change as `history --json` and `publications --show --json` print it, once `readable`:
/// `Change`'s fields in the order a JSON value of it has them (sorted), each side printed from the
/// text it is stored as, its keys in their stored order (admin stores them sorted: canonical JSON).
#[derive(Serialize)]
pub struct Printed<'a> {
    action: Action,
    after: Option<Stored<'a>>,
    at: &'a str,
    before: Option<Stored<'a>>,
    editor: &'a str,
    entity: Entity,
    force: Option<&'a str>,
    hash: &'a str,
    id: i64,
    message: Option<&'a str>,
    reverts: Option<i64>,
    signature: Option<&'a str>,
}

impl<'a> Printed<'a> {
    fn of(c: &'a Change, before: &'a Option<String>, after: &'a Option<String>) -> Printed<'a> {
        Printed {
            id: c.id,
            at: &c.at,
            editor: &c.editor,
            action: c.action,
            entity: c.entity,
            force: c.force.as_deref(),
            before: before.as_deref().map(Stored),
            after: after.as_deref().map(Stored),
            message: c.message.as_deref(),
            hash: &c.hash,
            reverts: c.reverts,
            signature: c.signature.as_deref(),
        }
    }
}

/// A side's JSON text, printed token by token as it is read (`serde_transcode`).
struct Stored<'a>(&'a str);

impl Serialize for Stored<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serde_transcode::transcode(&mut serde_json::Deserializer::from_str(self.0), serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    struct Listing<'a> {
        changes: Vec<Printed<'a>>,
    }

    #[test]
    fn a_change_printed_from_its_stored_sides_is_the_change_printed_from_parsed_ones() {
        let before =
            r#"{"name":"Kent Police","note":"a \"quoted\" line\n\u0001","slug":"kent-police","url":null}"#;
        let after =
            r#"{"forces":[{"id":1,"n":-2.5,"ok":true,"x":[]},{}],"major":false,"s":"\u00e9\ud83d\ude00"}"#;
        let change = Change {
            id: 7,
            at: "2026-12-08T10:00:00Z".to_owned(),
            editor: "ann".to_owned(),
            action: Action::SetUrl,
            entity: Entity::Force,
            force: Some("kent-police".to_owned()),
            before: Some(serde_json::from_str(before).unwrap()),
            after: Some(serde_json::from_str(after).unwrap()),
            message: Some("why".to_owned()),
            hash: "ab".repeat(32),
            reverts: Some(3),
            signature: None,
        };
        let sides = (Some(before.to_owned()), Some(after.to_owned()));
        let printed = Printed::of(&change, &sides.0, &sides.1);
        let parsed = serde_json::to_vec_pretty(&json!({ "changes": [&change] })).unwrap();
        assert_eq!(serde_json::to_vec_pretty(&Listing { changes: vec![printed] }).unwrap(), parsed);
        let none = Printed::of(&change, &None, &None);
        let unset = Change { before: None, after: None, ..change.clone() };
        assert_eq!(serde_json::to_vec(&none).unwrap(), serde_json::to_vec(&json!(unset)).unwrap());
    }
}
