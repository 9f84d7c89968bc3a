//! `admin audit verify`: recompute the hash chain end to end.
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use crate::audit::{Break, Verifier};
use crate::cli::AuditVerifyArgs;
use crate::db::changes;
use crate::exit_codes::{QuietExit, FAILURE};
use crate::{output, Ctx};

pub fn verify(ctx: &Ctx, args: AuditVerifyArgs) -> Result<ExitCode> {
    let mut db = ctx.open()?;
    let mut verifier = Verifier::new();
    let mut broken = None;
    db.read(|tx| {
        changes::for_each_stored(tx, |stored| {
            let checked = verifier.check_stored(&stored).map_err(|e| {
                anyhow::Error::new(e)
                    .context(format!("change {} in the audit log is not valid JSON", stored.id))
            })?;
            match checked {
                Ok(()) => Ok(true),
                Err(b) => {
                    broken = Some(b);
                    Ok(false)
                }
            }
        })
    })?;
    let first_bad = broken.as_ref().map(|b| match b {
        Break::Mismatch { id } => *id,
        Break::Gap { expected, .. } => *expected,
    });
    if args.json.json {
        output::json(
            &json!({ "ok": broken.is_none(), "checked": verifier.checked, "first_bad": first_bad }),
        )?;
    }
    match broken {
        None => {
            if !args.json.json {
                output::line(format!("audit log verified: {} changes, hash chain intact", verifier.checked))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            let what = match b {
                Break::Mismatch { id } => format!(
                    "audit log verification failed at change {id}: its hash does not match its content (it was altered after it was written)"
                ),
                Break::Gap { expected, found } => format!(
                    "audit log verification failed at change {expected}: it is missing (the next change is {found})"
                ),
            };
            eprintln!("error: {what}");
            eprintln!(
                "hint: the {} changes before it are intact; compare with a backup to see what was altered",
                verifier.checked
            );
            Err(QuietExit(FAILURE).into())
        }
    }
}
