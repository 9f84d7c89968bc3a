//! `admin publications`: past publications, newest first.
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;
use serde_json::json;

use super::listed::{self, Printed};
use crate::cli::PublicationsArgs;
use crate::db::{changes, publications};
use crate::exit_codes::bad_hint;
use crate::{output, Ctx};

fn show(conn: &rusqlite::Connection, id: i64, json: bool) -> Result<ExitCode> {
    let publication = publications::get(conn, id)?
        .ok_or_else(|| bad_hint(format!("no publication {id}"), "see `admin publications`"))?;
    let covered = changes::in_range(conn, publication.first_change, publication.last_change)?;
    if json {
        // printed as it is serialised (the keys in the order a JSON value of it has them)
        let changes = listed::printed(&covered)?;
        output::json(&Shown { changes, publication: serde_json::to_value(&publication)? })?;
        return Ok(ExitCode::SUCCESS);
    }
    // every change read before anything is printed
    let rows = listed::rows(&covered)?;
    output::line(format!(
        "publication {} ({}) at {} by {}\nnote: {}\nsha256: {}\nchanges covered: {}",
        publication.id,
        if publication.major { "major" } else { "minor" },
        crate::clock::shown(&publication.at),
        publication.editor,
        output::one_line(&publication.note),
        publication.sha256,
        covered.len()
    ))?;
    output::table(&["ID", "AT", "EDITOR", "ACTION", "FORCE", "WHAT"], &rows)?;
    Ok(ExitCode::SUCCESS)
}

pub fn run(ctx: &Ctx, args: PublicationsArgs) -> Result<ExitCode> {
    let db = ctx.open()?;
    if let Some(id) = args.show {
        return show(db.conn(), id, args.json.json);
    }
    let list = publications::list(db.conn())?;
    if args.json.json {
        output::json(&json!({ "publications": list }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                crate::clock::shown(&p.at),
                p.editor.clone(),
                if p.major { "major" } else { "minor" }.to_owned(),
                match p.changes.as_slice() {
                    [a, b] => format!("{a}–{b}"),
                    _ => "-".to_owned(),
                },
                crate::output::prefix(&p.sha256, 12).to_owned(),
                p.note.clone(),
            ]
        })
        .collect();
    output::table(&["ID", "AT", "EDITOR", "KIND", "CHANGES", "SHA256", "NOTE"], &rows)?;
    Ok(ExitCode::SUCCESS)
}

/// What `publications --show N --json` prints.
#[derive(Serialize)]
struct Shown<'a> {
    changes: Vec<Printed<'a>>,
    publication: serde_json::Value,
}
