//! `admin check-links`: check every active force's URL, store each result with what it saw of
//! the page, and say which are broken (exit 1 when any is). A failure that may pass is `caution`
//! until confirmed an hour later (`links::confirm`). A run that could not reach the network
//! (`links::network_down`) says so and stores nothing: it learnt nothing about the links.
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use crate::cli::CheckLinksArgs;
use crate::db::{forces, link_checks};
use crate::exit_codes::{bad_hint, failed_hint};
use crate::links::{self, Down, Finding, PageFacts, Proxies, Settings, Target};
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
    let chosen: Vec<(Force, String)> =
        chosen.into_iter().filter_map(|f| f.url.clone().map(|url| (f, url))).collect();
    let (targets, spells): (Vec<Target>, Vec<Option<String>>) = db.read(|tx| {
        chosen
            .iter()
            .map(|(force, url)| {
                let seen = link_checks::last_seen(tx, force.id, url)?;
                let since = link_checks::failing_since(tx, force.id, url)?;
                Ok((Target { force: force.slug.clone(), url: url.clone(), seen }, since))
            })
            .collect::<Result<Vec<_>>>()
            .map(|pairs| pairs.into_iter().unzip())
    })?;
    if targets.is_empty() {
        if args.json.json {
            output::json(&Report { results: &[] })?;
        } else {
            output::line("no links to check: no active force has a URL yet")?;
        }
        return Ok(ExitCode::SUCCESS);
    }

    let proxies = Proxies::from_env()
        .map_err(|e| bad_hint(e.to_string(), format!("set {} to http://HOST:PORT, or unset it", e.var)))?;
    let settings = Settings {
        timeout: Duration::from_secs(args.timeout),
        concurrency: args.concurrency as usize,
        allow_private: args.allow_private,
        proxies,
        ..Settings::default()
    };
    // a probe that cannot be used is bad input, found before any link is checked
    let probe =
        links::probe_address(std::env::var("UOF_ADMIN_PROBE").ok(), &settings.proxies).map_err(|e| {
            bad_hint(e.to_string(), "set it to a host and port such as www.gov.uk:443, or unset it")
        })?;
    let bar = progress_bar(targets.len());
    let findings = links::check_all(&targets, &settings, |target, finding| {
        // a failure that may pass is not yet broken: the history settles it once all are in
        let said = if finding.may_pass { "failing" } else { finding.status.as_str() };
        bar.set_message(format!("{} {said}", target.force));
        bar.inc(1);
    });
    bar.finish_and_clear();
    let wait = settings.timeout.min(Duration::from_secs(5));
    if let Some(down) = links::network_down(&targets, &findings, &probe, wait) {
        let why = match down {
            Down::Hosts(n) => format!("none of the {n} links' hosts could be resolved or connected to"),
            Down::Proxy => "the proxy could not be reached".to_owned(),
            Down::Probe { host, probe } => {
                format!("neither {host} nor {probe} could be resolved or connected to")
            }
        };
        return Err(failed_hint(
            format!("the network looks unreachable: {why}; nothing was stored"),
            "check this machine's connection (and HTTPS_PROXY if the network needs a proxy), then run check-links again",
        ));
    }

    let now = ctx.clock.now();
    let checked_at = crate::clock::stamp(now);
    let checks: Vec<LinkCheck> = targets
        .iter()
        .zip(findings)
        .zip(spells)
        .map(|((target, mut f), since)| {
            let since = since.and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok()).map(|s| s.to_utc());
            let failing_since = links::confirm(&mut f, since, now).map(crate::clock::stamp);
            let page = PageFacts::new(f.fingerprint.as_ref(), changed(target, &f));
            LinkCheck {
                force: target.force.clone(),
                url: target.url.clone(),
                status: f.status,
                http_status: f.http_status,
                final_url: f.final_url,
                problem: f.problem,
                suggested_fix: f.suggested_fix,
                checked_at: checked_at.clone(),
                failing_since,
                page,
            }
        })
        .collect();
    // stored, then read back: the date each page last changed comes from the history
    let results = db.write(|tx| {
        let mut stored = Vec::with_capacity(checks.len());
        for ((force, _), check) in chosen.iter().zip(checks) {
            let id = link_checks::insert(tx, force.id, &check)?;
            stored.push(link_checks::get(tx, id)?.unwrap_or(check));
        }
        Ok(stored)
    })?;

    if args.json.json {
        output::json(&Report { results: &results })?;
    } else {
        print_table(&results)?;
    }
    let broken = results.iter().filter(|r| r.status == LinkStatus::Broken).count();
    Ok(if broken > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Whether the page differs from the one the last check of the URL read: `None` when no page
/// was read now or before. A `304` is unchanged by definition; otherwise the body decides
/// (validators can change while the page does not).
fn changed(target: &Target, finding: &Finding) -> Option<bool> {
    let now = finding.fingerprint.as_ref()?;
    let before = target.seen.as_ref()?;
    Some(!finding.not_modified && now.content_sha256 != before.fingerprint.content_sha256)
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
    let changed = results.iter().filter(|r| r.page.changed == Some(true)).count();
    output::line(format!(
        "{} checked: {} ok, {} caution, {} broken{}",
        results.len(),
        count(LinkStatus::Ok),
        count(LinkStatus::Caution),
        count(LinkStatus::Broken),
        match changed {
            0 => String::new(),
            1 => "; 1 page changed since the last check".to_owned(),
            n => format!("; {n} pages changed since the last check"),
        }
    ))
}
