//! `admin history`: the audit log, newest first, with filters.
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::audit::{Action, Entity};
use crate::cli::HistoryArgs;
use crate::clock::stamp;
use crate::db::changes::{self, Filter};
use crate::describe::describe_event;
use crate::event::Event;
use crate::exit_codes::bad_hint;
use crate::model::Change;
use crate::output::{self, or_dash};
use crate::validate::{quoted, time_arg, time_arg_until};
use crate::{directory, Ctx};

pub fn run(ctx: &Ctx, args: HistoryArgs) -> Result<ExitCode> {
    if let Some(action) = &args.action {
        if Action::parse(action).is_none() {
            let all: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
            return Err(bad_hint(
                format!("unknown action {}", quoted(action)),
                format!("use one of: {}", all.join(", ")),
            ));
        }
    }
    let since = args.since.as_deref().map(time_arg).transpose()?.map(stamp);
    let until = args.until.as_deref().map(time_arg_until).transpose()?.map(stamp);
    let mut db = ctx.open()?;
    let json = args.json.json;
    let listed = db.read(|tx| {
        // a force that no longer resolves (never existed) is an error; its slug is the filter
        let force = args.force.as_deref().map(|f| directory::resolve(tx, f)).transpose()?.map(|f| f.slug);
        let editor = args.by.as_deref().map(|by| crate::suggest::editor_filter(tx, by)).transpose()?;
        let filter = Filter {
            force,
            editor,
            action: args.action.clone(),
            since,
            until,
            before_id: args.before_id,
            limit: args.limit,
        };
        // each change's sides are kept as the text they are stored as, never held as parsed
        // values (a publication's record of 100,000 imported forces is 19 MB of text and 200 MB
        // of values): the table reads them straight into their typed event, --json prints them
        changes::history_with(tx, &filter, changes::from_row_unparsed)
    })?;
    if json {
        for (c, before, after) in &listed {
            readable(c, before, after)?;
        }
        // printed as it is serialised, never made a JSON value first
        let changes = listed.iter().map(|(c, before, after)| Printed::of(c, before, after)).collect();
        output::json(&Listing { changes })?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows = listed
        .iter()
        .map(|(c, before, after)| {
            let event = Event::decode_text(c.entity, before.as_deref(), after.as_deref());
            if event.is_err() {
                readable(c, before, after)?;
            }
            Ok(vec![
                c.id.to_string(),
                crate::clock::shown(&c.at),
                c.editor.clone(),
                c.action.to_string(),
                or_dash(c.force.as_deref()),
                describe_event(c, event),
                or_dash(c.message.as_deref()),
            ])
        })
        .collect::<Result<Vec<Vec<String>>>>()?;
    output::table_with_free_text(&["ID", "AT", "EDITOR", "ACTION", "FORCE", "WHAT", "MESSAGE"], &rows, 2)?;
    Ok(ExitCode::SUCCESS)
}

/// A side that is not JSON at all fails the reading, naming its change.
fn readable(change: &Change, before: &Option<String>, after: &Option<String>) -> Result<()> {
    for side in [before, after].into_iter().flatten() {
        serde_json::from_str::<serde::de::IgnoredAny>(side).with_context(|| {
            format!("failed to read the audit log: change {} holds a side that is not JSON", change.id)
        })?;
    }
    Ok(())
}

/// What `history --json` prints.
#[derive(Serialize)]
struct Listing<'a> {
    changes: Vec<Printed<'a>>,
}

/// A change as `history --json` prints it: `Change`'s fields, in the order a JSON value of it has
/// them (sorted), with each side printed from the text it is stored as, whose keys are sorted too
/// (canonical JSON).
#[derive(Serialize)]
struct Printed<'a> {
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
