//! `admin list [--all] [--json]`: the directory.
use std::borrow::Cow;
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use crate::cli::ListArgs;
use crate::clock::stamp;
use crate::db::forces;
use crate::output;
use crate::validate::time_arg;
use crate::{replay, Ctx};

pub fn run(ctx: &Ctx, args: ListArgs) -> Result<ExitCode> {
    let as_of = args.as_of.as_deref().map(time_arg).transpose()?.map(stamp);
    let mut db = ctx.open()?;
    let entries = db.read(|tx| match &as_of {
        Some(at) => {
            replay::warn_if_before_the_log(tx, at)?;
            replay::list_as_of(tx, at, args.all)
        }
        None => forces::list(tx, args.all),
    })?;
    if args.json.json {
        output::json(&json!({ "forces": entries }))?;
        return Ok(ExitCode::SUCCESS);
    }
    // the cells borrow the entries: a hundred thousand rows are not copied again
    let rows: Vec<Vec<Cow<str>>> =
        crate::threads::by_halves(entries.len() >= crate::threads::LARGE, &entries, |part| {
            part.iter()
                .map(|e| {
                    let mut row = Vec::with_capacity(7);
                    row.extend([Cow::from(&*e.name), Cow::from(&*e.slug), Cow::from(e.link_status.as_str())]);
                    if args.all {
                        row.push(Cow::from(e.status.as_str()));
                    }
                    row.push(Cow::from(e.open_notes.to_string()));
                    row.push(
                        e.last_reviewed
                            .as_deref()
                            .map_or(Cow::from("-"), |at| Cow::from(crate::clock::shown_date(at))),
                    );
                    row.push(Cow::from(e.url.as_deref().unwrap_or("-")));
                    row
                })
                .collect()
        });
    let mut headers = vec!["NAME", "SLUG", "LINK"];
    if args.all {
        headers.push("STATUS");
    }
    headers.extend(["NOTES", "REVIEWED", "URL"]);
    // on a terminal the name, slug and URL share what the short columns leave, cut with `…` (a
    // cut slug is still a prefix that finds its force); piped, every cell is whole
    output::table_fitted(&headers, &rows, &[0, 1, headers.len() - 1])?;
    // 100,000 forces' rows: the process ends here, and freeing them is left to it (as verify
    // and `list --as-of` leave their states)
    std::mem::forget(rows);
    std::mem::forget(entries);
    Ok(ExitCode::SUCCESS)
}
