//! `admin restore BACKUP`: replace the database with a verified backup (`crate::restore`).
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::RestoreArgs;
use crate::{output, restore, Ctx};

pub fn run(ctx: &Ctx, args: RestoreArgs) -> Result<ExitCode> {
    // the database is not opened: it may be the damaged file this replaces
    let restored = restore::restore(&args.backup, &ctx.db_path, &ctx.clock.stamp())?;
    let db = ctx.db_path.display();
    match restored.moved.first() {
        Some(old) => {
            let extra: Vec<String> =
                restored.moved[1..].iter().map(|p| format!("`{}`", p.display())).collect();
            let extra = if extra.is_empty() { String::new() } else { format!(" (and {})", extra.join(", ")) };
            output::line(format!("moved the old database aside to `{}`{extra}", old.display()))?;
        }
        None => output::line(format!("there was no database at `{db}`: nothing was moved aside"))?,
    }
    let migrated = match restored.migrated_from {
        Some(version) => format!(", migrated from schema version {version}"),
        None => String::new(),
    };
    output::line(format!(
        "restored `{db}` from `{}`: {} changes, audit log verified{migrated}",
        args.backup.display(),
        restored.changes
    ))?;
    Ok(ExitCode::SUCCESS)
}
