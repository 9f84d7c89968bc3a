//! `admin check-links`: check every active force's URL, store each result, and say which are
//! broken (exit 1 when any is).
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use crate::cli::CheckLinksArgs;
use crate::db::{forces, link_checks};
use crate::exit_codes::bad_hint;
use crate::links::{self, Settings, Target};
use crate::model::{Force, ForceStatus, LinkCheck, LinkStatus};
use crate::{directory, output, Ctx};

#[derive(Serialize)]
struct Report<'a> {
    results: &'a [LinkCheck],
}

pub fn run(ctx: &Ctx, args: CheckLinksArgs) -> Result<ExitCode> {
    let mut db = ctx.open()?;
    let chosen: Vec<Force> = db.read(|tx| match &args.force {
        None => forces::linked(tx),
        Some(arg) => {
            let force = directory::resolve(tx, arg)?;
            if force.status == ForceStatus::Retired {
                return Err(bad_hint(
                    format!("{} is retired: its link is not checked", force.name),
                    format!("restore it first with `admin restore-force {}`", force.slug),
                ));
            }
            if force.url.is_none() {
                return Err(bad_hint(
                    format!("{} has no URL to check", force.name),
                    format!("set one with `admin set-url {} URL`", force.slug),
                ));
            }
            Ok(vec![force])
        }
    })?;
    // find out now, not after minutes of checking, that the results could not be kept
    if db.read_only()? {
        return Err(crate::exit_codes::failed_hint(
            format!("`{}` is read-only: the results could not be kept", ctx.db_path.display()),
            "run check-links as a user who can write the database",
        ));
    }
    let targets: Vec<Target> =
        chosen.iter().filter_map(|f| Some(Target { force: f.slug.clone(), url: f.url.clone()? })).collect();
    if targets.is_empty() {
        if args.json.json {
            output::json(&Report { results: &[] })?;
        } else {
            output::line("no links to check: no active force has a URL yet")?;
        }
        return Ok(ExitCode::SUCCESS);
    }

    let settings = Settings {
        timeout: Duration::from_secs(args.timeout),
        concurrency: args.concurrency as usize,
        ..Settings::default()
    };
    let bar = progress_bar(targets.len());
    let findings = links::check_all(&targets, &settings, |target, finding| {
        bar.set_message(format!("{} {}", target.force, finding.status.as_str()));
        bar.inc(1);
    });
    bar.finish_and_clear();

    let checked_at = ctx.clock.stamp();
    let results: Vec<LinkCheck> = targets
        .iter()
        .zip(findings)
        .map(|(target, f)| LinkCheck {
            force: target.force.clone(),
            url: target.url.clone(),
            status: f.status,
            http_status: f.http_status,
            final_url: f.final_url,
            problem: f.problem,
            suggested_fix: f.suggested_fix,
            checked_at: checked_at.clone(),
        })
        .collect();
    db.write(|tx| {
        for (force, check) in chosen.iter().zip(&results) {
            link_checks::insert(tx, force.id, check)?;
        }
        Ok(())
    })?;

    if args.json.json {
        output::json(&Report { results: &results })?;
    } else {
        print_table(&results)?;
    }
    let broken = results.iter().filter(|r| r.status == LinkStatus::Broken).count();
    Ok(if broken > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// A bar on stderr when it is a terminal; nothing when piped or redirected.
fn progress_bar(len: usize) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("checking links {bar:30} {pos}/{len} {wide_msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// Broken first, then caution, then ok; a summary line last.
fn print_table(results: &[LinkCheck]) -> Result<()> {
    let rank = |s: LinkStatus| match s {
        LinkStatus::Broken => 0,
        LinkStatus::Caution => 1,
        _ => 2,
    };
    let mut sorted: Vec<&LinkCheck> = results.iter().collect();
    sorted.sort_by_key(|r| rank(r.status));
    let rows: Vec<Vec<String>> = sorted
        .iter()
        .map(|r| {
            vec![
                r.force.clone(),
                r.status.as_str().to_string(),
                r.http_status.map(|c| c.to_string()).unwrap_or_else(|| "-".into()),
                r.problem.clone().unwrap_or_default(),
                r.suggested_fix.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::table(&["FORCE", "STATUS", "HTTP", "PROBLEM", "SUGGESTED FIX"], &rows)?;
    let count = |s| results.iter().filter(|r| r.status == s).count();
    output::line(format!(
        "{} checked: {} ok, {} caution, {} broken",
        results.len(),
        count(LinkStatus::Ok),
        count(LinkStatus::Caution),
        count(LinkStatus::Broken)
    ))
}
