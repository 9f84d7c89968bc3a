//! `admin export`, `admin import` and `admin backup`: the directory as a file, and the
//! database as a copy.
use std::process::ExitCode;

use std::io::{IsTerminal, Write};

use anyhow::Result;

use crate::cli::{BackupArgs, ExportArgs, ExportFormat, ImportArgs};
use crate::describe::describe;
use crate::exit_codes::bad_hint;
use crate::gate::Audited;
use crate::{output, transfer, Ctx};

pub fn export(ctx: &Ctx, args: ExportArgs) -> Result<ExitCode> {
    let mut db = ctx.open()?;
    let records = db.read(|tx| transfer::records(tx))?;
    let bytes = match args.format {
        ExportFormat::Json => transfer::to_json(&records)?,
        ExportFormat::Csv => transfer::to_csv(&records)?,
    };
    output::bytes_out(&bytes)?;
    // on stderr, so the file stays the file, and only to a person (a terminal): an export is not
    // a backup, and must not pass for one; scripts and timers have `--help` and the guide
    if std::io::stderr().is_terminal() {
        let _ = writeln!(
        std::io::stderr().lock(),
        "exported {} {} (slug, name, url, status); notes, reviews, link checks, publications and the audit log are not in an export: `admin backup` keeps everything",
            records.len(),
            forces(records.len())
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn import(ctx: &Ctx, args: ImportArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let shown = args.file.display().to_string();
    let parsed = transfer::read(&args.file, args.allow_http).map_err(each_problem)?;
    let mut db = ctx.open()?;
    // the records the database refuses are named with those the file's own checks found; with
    // any, every change is rolled back
    let apply = |tx: &rusqlite::Transaction, actor: &crate::directory::Actor| {
        let mut imported = transfer::apply(tx, actor, &parsed.entries, args.allow_http)?;
        let mut problems = parsed.problems.clone();
        problems.append(&mut imported.problems);
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.at);
            return Err(transfer::Problems::new(&shown, problems).into());
        }
        Ok(imported)
    };
    let imported = if args.dry_run || !parsed.problems.is_empty() {
        db.dry_run_as(&actor, apply)
    } else {
        db.write_as(&actor, apply)
    }
    .map_err(each_problem)?;
    // a published file set back over unpublished changes undoes them: importing it is allowed
    // (it is how a publication is restored), but never silently
    if parsed.is_site_file() && !imported.applied.is_empty() && !imported.unpublished.is_empty() {
        let n = imported.unpublished.len();
        let ids: Vec<String> = imported.unpublished.iter().take(8).map(|c| c.id.to_string()).collect();
        let more = if n > ids.len() { ", …" } else { "" };
        let forces: std::collections::BTreeSet<&str> =
            imported.unpublished.iter().filter_map(|c| c.force.as_deref()).collect();
        let changes = if n == 1 { "change" } else { "changes" };
        output::warning(format!(
            "`{shown}` is a published site file: importing it {} {n} unpublished {changes} ({changes} {}{more}) to {}",
            if args.dry_run { "would undo" } else { "undoes" },
            ids.join(", "),
            forces.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let verb = if args.dry_run { "would change" } else { "changed" };
    for a in &imported.applied {
        let id = if args.dry_run { String::new() } else { format!(" (change {})", a.change.id) };
        output::line(format!("{verb} {}: {}{id}", a.slug, describe(&a.change)))?;
    }
    let file = output::path(&args.file);
    let summary = match (imported.applied.len(), args.dry_run) {
        (0, _) if imported.not_in_file.is_empty() && parsed.left_out.is_empty() => {
            format!("nothing to change: the database already matches `{file}`")
        }
        (0, _) => format!("nothing to change: the forces in `{file}` already match the database"),
        (n, true) => format!("dry run: {n} {} would change; nothing was written", forces(n)),
        (n, false) => format!("imported `{file}`: {n} {} changed", forces(n)),
    };
    output::line(summary)?;
    // what the file left out is left as it is: say so, so that a dropped row or column is seen
    let kept = if args.dry_run { "would be left as they are" } else { "left as they are" };
    for field in &parsed.left_out {
        let it = if args.dry_run { "would be left as it is" } else { "left as it is" };
        output::line(format!("{field} not in the file: {it} for every force"))?;
    }
    if !parsed.not_imported.is_empty() {
        output::line(format!(
            "{} in the file: read, not imported (import changes slug, name, url and status)",
            parsed.not_imported.join(", ")
        ))?;
    }
    if parsed.entries.iter().any(|e| e.slug.is_none()) {
        output::line("forces without a slug in the file were found by name: no force was renamed")?;
    }
    match imported.not_in_file.len() {
        0 => {}
        1 => output::line(format!(
            "1 force not in the file ({}): {}",
            imported.not_in_file[0],
            if args.dry_run { "would be left as it is" } else { "left as it is" }
        ))?,
        n => output::line(format!("{n} forces not in the file: {kept}"))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// An import file's problems, each shown as an `error:` line (with its own hint, if it has
/// one); what is returned is the last, or, with several, how many there were: bad input, exit 2.
fn each_problem(err: anyhow::Error) -> anyhow::Error {
    let Some(problems) = err.downcast_ref::<transfer::Problems>() else { return err };
    let mut lines = problems.lines();
    let Some((last, hint)) = lines.pop() else { return err };
    if lines.is_empty() {
        return bad_hint(last, hint.unwrap_or_else(|| transfer::NOTHING_IMPORTED.into()));
    }
    let mut stderr = std::io::stderr().lock();
    for (line, hint) in lines.iter().chain([(last, hint)].iter()) {
        let _ = writeln!(stderr, "error: {}", output::message_line(line));
        if let Some(hint) = hint {
            let _ = writeln!(stderr, "hint: {}", output::message_line(hint));
        }
    }
    let file = if problems.file.is_empty() { "the file".to_owned() } else { format!("`{}`", problems.file) };
    bad_hint(
        format!("{} problems in {file}; nothing was imported", problems.list.len()),
        "fix each line named above, then import the file again",
    )
}

fn forces(n: usize) -> &'static str {
    if n == 1 {
        "force"
    } else {
        "forces"
    }
}

pub fn backup(ctx: &Ctx, args: BackupArgs) -> Result<ExitCode> {
    let db = ctx.open()?;
    let created = make_parents(&args.dest)?;
    if let Err(err) = db.backup_to(&args.dest) {
        // leave no directory behind that this run made for a backup it did not write
        for dir in created.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
        return Err(err);
    }
    if let Some(top) = created.first() {
        output::line(format!("created `{}` (mode 0700: backups hold everything)", output::path(top)))?;
    }
    output::line(format!("backed up `{}` to `{}`", output::path(&ctx.db_path), output::path(&args.dest)))?;
    Ok(ExitCode::SUCCESS)
}

/// Create the directories missing above `dest`, outermost first, each mode 0700: a backup holds
/// every note, internal ones included. Returns those it created.
fn make_parents(dest: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    use std::os::unix::fs::DirBuilderExt;
    let mut missing = Vec::new();
    let mut dir = dest.parent();
    while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        missing.push(d.to_path_buf());
        dir = d.parent();
    }
    missing.reverse();
    for (i, d) in missing.iter().enumerate() {
        if let Err(err) = std::fs::DirBuilder::new().mode(0o700).create(d) {
            for made in missing[..i].iter().rev() {
                let _ = std::fs::remove_dir(made);
            }
            return Err(crate::exit_codes::failed_hint(
                format!("cannot create the directory `{}`: {err}", d.display()),
                "create it yourself (mkdir -m 700 DIR) or give a path in a directory you can write",
            ));
        }
    }
    Ok(missing)
}
