//! `admin publications`: past publications, newest first.
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use crate::cli::PublicationsArgs;
use crate::db::publications;
use crate::{output, Ctx};

pub fn run(ctx: &Ctx, args: PublicationsArgs) -> Result<ExitCode> {
    let db = ctx.open()?;
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
                p.at.clone(),
                p.editor.clone(),
                if p.major { "major" } else { "minor" }.to_owned(),
                match p.changes.as_slice() {
                    [a, b] => format!("{a}–{b}"),
                    _ => "-".to_owned(),
                },
                p.sha256[..12.min(p.sha256.len())].to_owned(),
                p.note.clone(),
            ]
        })
        .collect();
    output::table(&["ID", "AT", "EDITOR", "KIND", "CHANGES", "SHA256", "NOTE"], &rows)?;
    Ok(ExitCode::SUCCESS)
}
