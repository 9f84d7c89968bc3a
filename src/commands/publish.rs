//! `admin publish`: render the public site.
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::PublishArgs;
use crate::publish::{self, Options, Outcome};
use crate::{output, Ctx};

pub fn run(ctx: &Ctx, args: PublishArgs) -> Result<ExitCode> {
    if let Some(id) = args.from_publication {
        let mut db = ctx.open()?;
        let publication = publish::republish(&mut db, id, &args.out, args.replace_site)?;
        output::line(format!(
            "re-rendered publication {id} ({}) into `{}`; sha256 {} matches the record",
            publication.at,
            args.out.display(),
            publication.sha256
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let actor = ctx.actor(None)?;
    let note = crate::validate::message(args.message.as_deref())?;
    let options = Options {
        out: args.out,
        note,
        minor: args.minor,
        dry_run: args.dry_run,
        allow_broken: args.allow_broken,
        replace_site: args.replace_site,
    };
    let mut db = ctx.open()?;
    let outcome = publish::publish(&mut db, &actor, &options)?;
    let out = options.out.display();
    match outcome {
        Outcome::NothingChanged { last } => output::line(format!(
            "nothing to publish: nothing public has changed since publication {} ({}); `{out}` left as it is",
            last.id, last.at
        ))?,
        Outcome::Repaired { last, damaged } => output::line(format!(
            "nothing new to publish; rewrote `{out}` as publication {} ({}){}",
            last.id,
            last.at,
            if damaged.is_empty() {
                ", which it was missing".to_owned()
            } else {
                format!(": {} missing or altered", damaged.join(", "))
            }
        ))?,
        Outcome::WouldPublish { publication, summary } => {
            output::line(format!(
                "would publish {} publication {} into `{out}` (dry run: nothing written)",
                if publication.major { "major" } else { "minor" },
                publication.id
            ))?;
            output::line(format!("note: {}", output::one_line(&publication.note)))?;
            print_summary(&summary)?;
        }
        Outcome::Published { publication, change_id, summary } => {
            output::line(format!(
                "published {} publication {} into `{out}` (change {change_id}, sha256 {})",
                if publication.major { "major" } else { "minor" },
                publication.id,
                publication.sha256
            ))?;
            output::line(format!("note: {}", output::one_line(&publication.note)))?;
            print_summary(&summary)?;
        }
    }
    Ok(ExitCode::SUCCESS)
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
