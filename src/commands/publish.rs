//! `admin publish`: render the public site.
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::PublishArgs;
use crate::gate::Audited;
use crate::model::Publication;
use crate::publish::{self, Options, Outcome, Rewrite};
use crate::{output, Ctx};

pub fn run(ctx: &Ctx, mut args: PublishArgs) -> Result<ExitCode> {
    let given_out = args.out.take();
    if let Some(out) = &given_out {
        crate::validate::directory(out, "--out")?;
    }
    // one connection for the whole command: each open reads the schema and checks migrations
    let mut db = ctx.open()?;
    // without --out, the site's home: `admin settings site`, where the first publication went,
    // or publish/ beside the database (never the current directory)
    let mut out_arg = match &given_out {
        Some(out) => out.clone(),
        None => db.read(|tx| crate::settings::site_home(tx, &ctx.db_path))?,
    };
    if let Some(id) = args.from_publication {
        let publication = publish::republish(&mut db, id, &out_arg, args.replace_site)?;
        output::line(format!(
            "re-rendered publication {id} ({}) into `{}`; sha256 {} matches the record",
            crate::clock::shown(&publication.at),
            output::path(&out_arg),
            publication.sha256
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.cancel_schedule {
        let actor = ctx.actor(None)?;
        let change = db.write_as(&actor, |tx, actor| crate::approval::cancel(tx, actor))?;
        output::line(format!("cancelled the scheduled publication (change {})", change.id))?;
        return Ok(ExitCode::SUCCESS);
    }
    let note = crate::validate::message(args.message.as_deref())?;
    if args.without_approval && note.is_none() {
        return Err(crate::exit_codes::bad_hint(
            "--without-approval needs a reason, and it is recorded",
            "give it with --message (-m), e.g. -m \"the old link pointed at a phishing page\"",
        ));
    }
    let (note, without_approval) = if args.without_approval { (None, note) } else { (note, None) };
    if let Some(at) = &args.at {
        let at = crate::clock::stamp(crate::validate::time_arg(at)?);
        // the schedule publishes where it was made for, and nowhere else: a place it can
        publish::check_out(&out_arg)?;
        let out = std::path::absolute(&out_arg).map_err(|e| {
            crate::exit_codes::bad(format!("cannot use `{}` as --out: {e}", out_arg.display()))
        })?;
        let actor = ctx.actor(None)?;
        let request = crate::event::ScheduleRecord {
            at: at.clone(),
            content_sha256: String::new(),
            note: note.clone(),
            minor: args.minor,
            approved_by: None,
            without_approval: without_approval.clone(),
            out: Some(out.display().to_string()),
            allow_broken: args.allow_broken,
        };
        let change = db.write_as(&actor, |tx, actor| {
            crate::approval::make_schedule(tx, actor, request, crate::publish::pending_approval(tx)?)
        })?;
        output::line(format!(
            "scheduled the pending content to go live at {} into `{}` (change {}); `admin publish --scheduled` publishes it then",
            crate::clock::shown(&at),
            output::path(&shown(&out_arg)),
            change.id
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut author = ctx.actor(None)?;
    let scheduled = if args.scheduled {
        let now = ctx.clock.stamp();
        match db.read(|tx| crate::approval::schedule(tx))? {
            None => {
                match db.read(|tx| crate::approval::schedule_done(tx))? {
                    Some((s, publication)) => output::line(format!(
                        "nothing to do: the content scheduled for {} (change {}) was published by hand in publication {publication}",
                        crate::clock::shown(&s.at),
                        s.change
                    ))?,
                    None => output::line("nothing is scheduled")?,
                }
                return Ok(ExitCode::SUCCESS);
            }
            Some(s) if s.at > now => {
                output::line(format!(
                    "the publication scheduled for {} is not due yet (it is now {})",
                    crate::clock::shown(&s.at),
                    crate::clock::shown(&now)
                ))?;
                return Ok(ExitCode::SUCCESS);
            }
            Some(s) => {
                // the timer runs `--scheduled` alone: the schedule says where
                if let (None, Some(home)) = (&given_out, &s.out) {
                    out_arg = home.into();
                }
                if let Some(home) = s.out.as_deref().filter(|home| !same_place(home, &out_arg)) {
                    return Err(crate::exit_codes::bad_hint(
                        format!(
                            "the publication scheduled for {} (change {}) publishes into `{home}`, not `{}`; nothing was published",
                            crate::clock::shown(&s.at),
                            s.change,
                            out_arg.display()
                        ),
                        format!("run it with --out {home}, or cancel it (`admin publish --cancel-schedule`) and schedule again"),
                    ));
                }
                // the timer acts for the publisher who made the schedule
                author.editor.clone_from(&s.by);
                Some(s)
            }
        }
    } else {
        None
    };
    let options = Options {
        out: out_arg,
        note: scheduled.as_ref().map_or(note, |s| s.note.clone()),
        minor: scheduled.as_ref().map_or(args.minor, |s| s.minor),
        dry_run: args.dry_run,
        allow_broken: args.allow_broken || scheduled.as_ref().is_some_and(|s| s.allow_broken),
        replace_site: args.replace_site,
        without_approval,
        scheduled,
    };
    let outcome = publish::publish(&mut db, &author, &options)?;
    let out = output::path(&shown(&options.out));
    match outcome {
        Outcome::NothingChanged { last } => output::line(format!(
            "nothing to publish: nothing public has changed since publication {} ({}); `{out}` left as it is",
            last.id,
            crate::clock::shown(&last.at)
        ))?,
        Outcome::Repaired { last, over } => output::line(rewritten(&out, &last, &over, false))?,
        Outcome::WouldRepair { last, over } => output::line(rewritten(&out, &last, &over, true))?,
        Outcome::WouldPublish { publication, summary, difference } => {
            output::line(format!(
                "would publish {} publication {} into `{out}` (dry run: nothing written)",
                if publication.major { "major" } else { "minor" },
                publication.id
            ))?;
            output::line(format!("note: {}", output::one_line(&publication.note)))?;
            match (&publication.approved_by, &publication.without_approval) {
                (Some(by), _) => output::line(format!("approved by {by}"))?,
                (None, Some(reason)) => {
                    output::line(format!("would publish without approval: {}", output::one_line(reason)))?
                }
                (None, None) => {}
            }
            print_summary(&summary)?;
            output::line("what goes public:")?;
            for line in publish::difference_lines(&difference, publish::Form::Full) {
                output::line(line)?;
            }
        }
        Outcome::Published { publication, change_id, summary } => {
            output::line(format!(
                "published {} publication {} into `{out}` (change {change_id}, sha256 {})",
                if publication.major { "major" } else { "minor" },
                publication.id,
                publication.sha256
            ))?;
            output::line(format!("note: {}", output::one_line(&publication.note)))?;
            match (&publication.approved_by, &publication.without_approval) {
                (Some(by), _) => output::line(format!("approved by {by}"))?,
                (None, Some(reason)) => {
                    output::line(format!("published without approval: {}", output::one_line(reason)))?
                }
                (None, None) => {}
            }
            print_summary(&summary)?;
        }
    }
    // the first publication makes its directory the home; after that, another is named
    let recorded = db.read(|tx| crate::db::settings::get(tx, crate::state::SITE))?;
    if let Some(home) = recorded.filter(|home| given_out.is_some() && !same_place(home, &options.out)) {
        let home = output::one_line(&home);
        output::line(format!(
            "note: `{out}` is not the site's home `{home}`; `admin settings site {out}` makes it the home"
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A directory as people read it: inside the current directory, relative to it.
fn shown(dir: &std::path::Path) -> std::path::PathBuf {
    let cwd = std::env::current_dir().ok().and_then(|d| std::fs::canonicalize(d).ok());
    match cwd.and_then(|cwd| dir.strip_prefix(&cwd).ok().map(std::path::Path::to_owned)) {
        Some(inside) if !inside.as_os_str().is_empty() => inside,
        _ => dir.to_owned(),
    }
}

/// Whether `out` names the directory `home` (absolute, as a schedule records it).
fn same_place(home: &str, out: &std::path::Path) -> bool {
    let home = std::path::Path::new(home);
    match (std::fs::canonicalize(home), std::fs::canonicalize(out)) {
        (Ok(a), Ok(b)) => a == b,
        _ => std::path::absolute(out).is_ok_and(|out| out == home),
    }
}

fn print_summary(summary: &[String]) -> Result<()> {
    if summary.is_empty() {
        return output::line("public changes: none");
    }
    output::line("public changes:")?;
    for sentence in summary {
        output::line(format!("  {sentence}"))?;
    }
    Ok(())
}

/// The last publication written again into `out`, and what was there.
fn rewritten(out: &str, last: &Publication, over: &Rewrite, dry_run: bool) -> String {
    let (wrote, rewrote, replaced) = if dry_run {
        ("would write", "would rewrite", "would replace")
    } else {
        ("wrote", "rewrote", "replaced")
    };
    let publication = format!("publication {} ({})", last.id, crate::clock::shown(&last.at));
    let done = match over {
        Rewrite::Absent => format!("{wrote} {publication} into `{out}`, which did not hold it"),
        Rewrite::Held(Some(held)) => {
            format!("{rewrote} `{out}`, which held publication {held}, as {publication}")
        }
        Rewrite::Held(None) => {
            format!("{rewrote} `{out}`, which held a site this log does not record, as {publication}")
        }
        Rewrite::Replaced => format!("{replaced} another database's site in `{out}` with {publication}"),
        Rewrite::Damaged(files) => {
            format!("{rewrote} `{out}` as {publication}: {} missing or altered", files.join(", "))
        }
    };
    format!("nothing new to publish; {done}{}", if dry_run { " (dry run: nothing written)" } else { "" })
}
