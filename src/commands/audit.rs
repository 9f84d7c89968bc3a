//! `admin audit verify [--against PATH|URL]`, `admin audit head`: the audit log's integrity;
//! `admin audit verify-site`: a published site's, from the site alone.
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use crate::cli::{AuditCanonicalArgs, AuditHeadArgs, AuditVerifyArgs, AuditVerifySiteArgs};
use crate::db::changes;
use crate::exit_codes::failed_hint;
use crate::verify::{self, Problem};
use crate::{output, Ctx};

pub fn verify(ctx: &Ctx, args: AuditVerifyArgs) -> Result<ExitCode> {
    // read the witness first: a bad path is bad input, whatever the database holds
    let witness = args.against.as_deref().map(verify::read_witness).transpose()?;
    let mut db = ctx.open()?;
    let (report, against) = db.read(|tx| {
        let report = verify::database(tx)?;
        let against = witness.as_ref().map(|w| verify::against(tx, w)).transpose()?.flatten();
        Ok((report, against))
    })?;
    let ok = report.problem.is_none() && against.is_none();
    if args.json.json {
        output::json(&json!({
            "ok": ok,
            "checked": report.checked,
            "first_bad": report.problem.as_ref().and_then(Problem::change_id),
            "problem": report.problem.as_ref().map(ToString::to_string).or(against.clone()),
            "against": witness.as_ref().map(|w| json!({"source": w.source, "change": w.head.change, "hash": w.head.hash})),
        }))?;
    }
    if let Some(problem) = &report.problem {
        let hint = match problem {
            Problem::Tables(_) => "a table was changed behind admin's back: restore the database from a backup (`admin restore`) and compare".to_owned(),
            Problem::Chain(_) => format!(
                "the {} changes before it are intact; compare with a backup to see what was altered, and bring a good one back with `admin restore BACKUP`",
                report.checked
            ),
            _ => "restore the database from a backup (`admin restore`) and compare".to_owned(),
        };
        return Err(failed_hint(problem.to_string(), hint));
    }
    if let Some(problem) = against {
        return Err(failed_hint(
            problem,
            "the database is not the one that published that site, or its log was rewritten; restore it from a backup (`admin restore`)",
        ));
    }
    if !args.json.json {
        output::line(format!(
            "audit log verified: {} changes, hash chain intact, publications and live tables match the log",
            report.checked
        ))?;
        if let Some(w) = &witness {
            output::line(format!(
                "matches `{}`: change {} has hash {}",
                w.source, w.head.change, w.head.hash
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn head(ctx: &Ctx, args: AuditHeadArgs) -> Result<ExitCode> {
    let db = ctx.open()?;
    let head = changes::head(db.conn())?;
    if args.json.json {
        output::json(
            &head
                .as_ref()
                .map_or(json!({"change": 0, "hash": null}), |h| json!({"change": h.id, "hash": h.hash})),
        )?;
    } else {
        match head {
            Some(h) => output::line(format!("change {} {}", h.id, h.hash))?,
            None => output::line("the audit log is empty")?,
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `admin audit canonical [--signed] ID`: the exact bytes hashed, or signed, as stored.
pub fn canonical(ctx: &Ctx, args: AuditCanonicalArgs) -> Result<ExitCode> {
    let db = ctx.open()?;
    let stored = changes::stored(db.conn(), args.id)?.ok_or_else(|| {
        crate::exit_codes::bad_hint(
            format!("no change with id {}", args.id),
            "see `admin history` for change ids",
        )
    })?;
    let canonical = stored.canonical();
    if !args.signed || args.id < crate::db::signatures_v2_from(db.conn())? {
        output::bytes_out(&canonical)?;
        return Ok(ExitCode::SUCCESS);
    }
    let database = db.database_id()?.unwrap_or_default();
    let previous = match args.id {
        1 => String::new(),
        id => changes::hash_of(db.conn(), id - 1)?.unwrap_or_default(),
    };
    output::bytes_out(&crate::audit::signed_bytes(&database, &previous, &canonical))?;
    Ok(ExitCode::SUCCESS)
}

/// `admin audit verify-site DIR|URL [--since OLDER_DIR]`: check a site with no database.
pub fn verify_site(args: AuditVerifySiteArgs) -> Result<ExitCode> {
    use crate::sitecheck::{self, Source};
    let mut site = Source::open(&args.site)?;
    let mut older = args.since.as_deref().map(Source::open).transpose()?;
    let report = sitecheck::verify(&mut site, older.as_mut())?;
    let plural = |n: usize, one: &str, many: &str| if n == 1 { one.to_owned() } else { many.to_owned() };
    output::line(format!(
        "site verified: {} {}, the newest publication {} ({}); its {} files match its record, each record the one before, and history.json rebuilds every publication",
        report.records,
        plural(report.records, "record", "records"),
        report.newest,
        report.signer.as_ref().map_or_else(|| "unsigned".to_owned(), |who| format!("signed by {who}")),
        report.files,
    ))?;
    if let (Some(kept), Some(since)) = (report.kept, &args.since) {
        output::line(format!(
            "extends `{since}`: its {kept} {} unchanged",
            plural(kept, "record is", "records are")
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
