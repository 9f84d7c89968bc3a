//! `admin export`, `admin import` and `admin backup`: the directory as a file, and the
//! database as a copy.
use std::process::ExitCode;

use anyhow::Result;

use crate::audit::describe;
use crate::cli::{BackupArgs, ExportArgs, ExportFormat, ImportArgs};
use crate::{output, transfer, Ctx};

pub fn export(ctx: &Ctx, args: ExportArgs) -> Result<ExitCode> {
    let mut db = ctx.open()?;
    let records = db.read(|tx| transfer::records(tx))?;
    let bytes = match args.format {
        ExportFormat::Json => transfer::to_json(&records)?,
        ExportFormat::Csv => transfer::to_csv(&records)?,
    };
    output::bytes_out(&bytes)?;
    Ok(ExitCode::SUCCESS)
}

pub fn import(ctx: &Ctx, args: ImportArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let records = transfer::read(&args.file)?;
    let mut db = ctx.open()?;
    let apply = |tx: &rusqlite::Transaction| transfer::apply(tx, &actor, &records);
    let applied = if args.dry_run { db.dry_run(apply)? } else { db.write(apply)? };
    let verb = if args.dry_run { "would change" } else { "changed" };
    for a in &applied {
        let id = if args.dry_run { String::new() } else { format!(" (change {})", a.change.id) };
        output::line(format!("{verb} {}: {}{id}", a.slug, describe(&a.change)))?;
    }
    let summary = match (applied.len(), args.dry_run) {
        (0, _) => format!("nothing to change: the database already matches `{}`", args.file.display()),
        (n, true) => format!("dry run: {n} forces would change; nothing was written"),
        (n, false) => format!("imported `{}`: {n} forces changed", args.file.display()),
    };
    output::line(summary)?;
    Ok(ExitCode::SUCCESS)
}

pub fn backup(ctx: &Ctx, args: BackupArgs) -> Result<ExitCode> {
    let db = ctx.open()?;
    db.backup_to(&args.dest)?;
    output::line(format!("backed up `{}` to `{}`", ctx.db_path.display(), args.dest.display()))?;
    Ok(ExitCode::SUCCESS)
}
