//! `admin restore BACKUP`: replace the database with a verified backup (`crate::restore`).
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::RestoreArgs;
use crate::restore::{self, Replaced};
use crate::{output, Ctx};

pub fn run(ctx: &Ctx, args: RestoreArgs) -> Result<ExitCode> {
    // the database is not opened as a `Db`: it may be the damaged file this replaces
    let restored = restore::restore(&args.backup, &ctx.db_path, &ctx.clock.stamp(), args.other_database)?;
    let db = output::path(&ctx.db_path);
    match &restored.replaced {
        Replaced::Nothing => output::line(format!("there was no database at `{db}`: nothing was kept"))?,
        Replaced::Kept { copy, lacking } => {
            let lacking = match lacking {
                Some(0) => ": every change in it is in the restored database".to_owned(),
                Some(1) => ": 1 change in it is not in the restored database".to_owned(),
                Some(n) => format!(": {n} changes in it are not in the restored database"),
                None => String::new(),
            };
            output::line(format!("kept the database it replaces as `{}`{lacking}", output::path(copy)))?;
        }
        Replaced::Moved { why, files } => {
            let files: Vec<String> = files.iter().map(|p| format!("`{}`", output::path(p))).collect();
            output::line(format!("moved the old `{db}` aside ({why}) to {}", files.join(", ")))?;
        }
    }
    if let Some((old, new)) = &restored.other_database {
        output::line(format!("the backup is of another database: `{db}` was {old}, it is now {new}"))?;
    }
    let migrated = match restored.migrated_from {
        Some(version) => format!(", migrated from schema version {version}"),
        None => String::new(),
    };
    output::line(format!(
        "restored `{db}` from `{}`: {} changes, audit log verified{migrated}",
        output::path(&args.backup),
        restored.changes
    ))?;
    Ok(ExitCode::SUCCESS)
}
