//! `admin publications`: past publications, newest first.
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use crate::cli::PublicationsArgs;
use crate::db::{changes, publications};
use crate::describe::describe;
use crate::exit_codes::bad_hint;
use crate::output::or_dash;
use crate::{output, Ctx};

fn show(conn: &rusqlite::Connection, id: i64, json: bool) -> Result<ExitCode> {
    let publication = publications::get(conn, id)?
        .ok_or_else(|| bad_hint(format!("no publication {id}"), "see `admin publications`"))?;
    let covered = changes::in_range(conn, publication.first_change, publication.last_change)?;
    if json {
        output::json(&json!({ "publication": publication, "changes": covered }))?;
        return Ok(ExitCode::SUCCESS);
    }
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
    let rows: Vec<Vec<String>> = covered
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                crate::clock::shown(&c.at),
                c.editor.clone(),
                c.action.to_string(),
                or_dash(c.force.as_deref()),
                describe(c),
            ]
        })
        .collect();
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
