//! `admin audit verify`: recompute the hash chain end to end.
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use crate::audit::{Break, Verifier};
use crate::cli::AuditVerifyArgs;
use crate::db::{changes, publications};
use crate::exit_codes::{failed_hint, QuietExit, FAILURE};
use crate::{output, Ctx};

pub fn verify(ctx: &Ctx, args: AuditVerifyArgs) -> Result<ExitCode> {
    let mut db = ctx.open()?;
    let mut verifier = Verifier::new();
    let mut broken = None;
    let mut cut_short = None;
    db.read(|tx| {
        changes::for_each_stored(tx, |stored| match verifier.check_stored(&stored) {
            Ok(()) => Ok(true),
            Err(b) => {
                broken = Some(b);
                Ok(false)
            }
        })?;
        // the chain cannot show that changes were cut from its end; the publications can
        let (publications, covered) = publications::extent(tx)?;
        let (count, publishes) = (verifier.checked as i64, changes::publish_count(tx)?);
        if broken.is_none() && (covered > count || publishes < publications) {
            cut_short = Some((count, covered.max(count + 1)));
        }
        Ok(())
    })?;
    if let Some((count, needed)) = cut_short {
        return Err(failed_hint(
            format!(
                "audit log verification failed: it ends at change {count}, but the publications record change {needed} or later (changes were removed from its end)"
            ),
            "restore the database from a backup and compare",
        ));
    }
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
