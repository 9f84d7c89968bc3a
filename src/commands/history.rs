//! `admin history`: the audit log, newest first, with filters.
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use super::listed::{self, Printed};
use crate::audit::Action;
use crate::cli::HistoryArgs;
use crate::clock::stamp;
use crate::db::changes::{self, Filter};
use crate::exit_codes::bad_hint;
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
        changes::history_unparsed(tx, &filter)
    })?;
    if json {
        // printed as it is serialised, never made a JSON value first
        output::json(&Listing { changes: listed::printed(&listed)? })?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = listed::rows(&listed)?;
    for (row, (c, _, _)) in rows.iter_mut().zip(&listed) {
        row.push(or_dash(c.message.as_deref()));
    }
    output::table_with_free_text(&["ID", "AT", "EDITOR", "ACTION", "FORCE", "WHAT", "MESSAGE"], &rows, 2)?;
    Ok(ExitCode::SUCCESS)
}

/// What `history --json` prints.
#[derive(Serialize)]
struct Listing<'a> {
    changes: Vec<Printed<'a>>,
}
