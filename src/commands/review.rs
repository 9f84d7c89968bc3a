//! `admin review FORCE` and `admin due [--days N]`: the review schedule. A force whose page a
//! link check found changed since its last review is due at once, and listed first.
use std::process::ExitCode;

use anyhow::Result;
use chrono::Duration;
use serde_json::json;

use crate::cli::{DueArgs, ReviewArgs};
use crate::clock::stamp;
use crate::db::reviews;
use crate::output;
use crate::{directory, validate, Ctx};

pub fn review(ctx: &Ctx, args: ReviewArgs) -> Result<ExitCode> {
    let today = ctx.clock.now().date_naive();
    let data_to = args.data_to.as_deref().map(|d| validate::data_to(d, today)).transpose()?;
    let data_to = data_to.map(|d| d.format("%Y-%m-%d").to_string());
    let change =
        super::force::edit_force(ctx, args.message.message.as_deref(), &args.force, |tx, actor, slug| {
            directory::review(tx, actor, slug, data_to.clone())
        })?;
    let covers = data_to.map(|d| format!(", its data up to {d}")).unwrap_or_default();
    output::line(format!(
        "recorded a review of {}{covers} (change {})",
        change.force.as_deref().unwrap_or_default(),
        change.id
    ))?;
    Ok(ExitCode::SUCCESS)
}

pub fn due(ctx: &Ctx, args: DueArgs) -> Result<ExitCode> {
    let cutoff = stamp(ctx.clock.now() - Duration::days(i64::from(args.days)));
    let db = ctx.open()?;
    let due = reviews::due_forces(db.conn(), &cutoff)?;
    if args.json.json {
        let forces: Vec<_> = due
            .iter()
            .map(|d| {
                json!({
                    "slug": d.slug,
                    "name": d.name,
                    "last_reviewed": d.last_reviewed,
                    "page_changed_since_review": d.page_changed,
                })
            })
            .collect();
        output::json(&json!({ "forces": forces }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if due.is_empty() {
        output::line(format!(
            "no reviews due: every active force was reviewed in the last {} days",
            args.days
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = due
        .into_iter()
        .map(|d| {
            let why = if d.page_changed { "page changed since last review" } else { "" };
            vec![
                d.name,
                d.slug,
                d.last_reviewed.as_deref().map_or_else(|| "never".to_owned(), crate::clock::shown_date),
                why.to_owned(),
            ]
        })
        .collect();
    output::table(&["NAME", "SLUG", "LAST REVIEWED", "NOTE"], &rows)?;
    Ok(ExitCode::SUCCESS)
}
