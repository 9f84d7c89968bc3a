//! `admin editor …` and `admin approve`: the registry of editors and the second pair of eyes.
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use crate::audit::Action;
use crate::cli::{ApproveArgs, EditorAddArgs, EditorKeyArgs, EditorListArgs, EditorNameArgs, EditorRoleArgs};
use crate::editors::{self, EditorStatus};
use crate::exit_codes::bad_hint;
use crate::gate::Audited;
use crate::{output, Ctx};

/// Read and check an OpenSSH ed25519 public key file.
fn read_key(path: &std::path::Path) -> Result<String> {
    let hint = "give the .pub file made by `ssh-keygen -t ed25519`";
    let meta = std::fs::metadata(path)
        .map_err(|e| bad_hint(format!("cannot read the key `{}`: {e}", path.display()), hint))?;
    if !meta.is_file() || meta.len() > 16 * 1024 {
        return Err(bad_hint(format!("`{}` is not a public key file", path.display()), hint));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad_hint(format!("cannot read the key `{}`: {e}", path.display()), hint))?;
    crate::sign::public_key(&text).map_err(|e| bad_hint(format!("`{}`: {e:#}", path.display()), hint))
}

pub fn add(ctx: &Ctx, args: EditorAddArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let key = args.key.as_deref().map(read_key).transpose()?;
    let mut db = ctx.open()?;
    let change =
        db.write_as(&actor, |tx, actor| editors::add(tx, actor, &args.name, args.role, key.clone()))?;
    let key = key.map(|k| format!(", key {}", editors::fingerprint(&k))).unwrap_or_default();
    output::line(format!(
        "added editor {} as {}{key} (change {})",
        args.name,
        args.role.as_str(),
        change.id
    ))?;
    Ok(ExitCode::SUCCESS)
}

pub fn list(ctx: &Ctx, args: EditorListArgs) -> Result<ExitCode> {
    let at = args.as_of.as_deref().map(crate::validate::time_arg).transpose()?.map(crate::clock::stamp);
    let mut db = ctx.open()?;
    let rows = db.read(|tx| match &at {
        None => crate::db::editors::rows(tx),
        Some(at) => {
            let state = crate::log::replay(tx, &crate::db::changes::Cutoff::At(at.clone()))?;
            Ok(state
                .editors
                .into_values()
                .map(|editor| crate::db::editors::EditorRow {
                    added_at: state
                        .rows
                        .editors
                        .get(&editor.name)
                        .map(|r| r.added_at.clone())
                        .unwrap_or_default(),
                    state: editor,
                })
                .collect())
        }
    })?;
    if args.json.json {
        let editors: Vec<_> = rows
            .iter()
            .map(|r| {
                json!({
                    "name": r.state.name,
                    "role": r.state.role,
                    "key": r.state.key.as_deref().map(editors::fingerprint),
                    "status": r.state.status,
                    "added_at": r.added_at,
                })
            })
            .collect();
        output::json(&json!({ "editors": editors }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        output::line("no editors registered: anyone may make changes (`admin editor add NAME --role admin` starts a registry)")?;
        return Ok(ExitCode::SUCCESS);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.state.name.clone(),
                r.state.role.as_str().to_owned(),
                r.state.status.as_str().to_owned(),
                r.state.key.as_deref().map_or("-".to_owned(), editors::fingerprint),
                crate::clock::shown(&r.added_at),
            ]
        })
        .collect();
    output::table(&["NAME", "ROLE", "STATUS", "KEY", "ADDED"], &table)?;
    Ok(ExitCode::SUCCESS)
}

pub fn retire(ctx: &Ctx, args: EditorNameArgs) -> Result<ExitCode> {
    set_status(ctx, &args, Action::RetireEditor, EditorStatus::Retired, "retired editor {}")
}

pub fn restore(ctx: &Ctx, args: EditorNameArgs) -> Result<ExitCode> {
    set_status(
        ctx,
        &args,
        Action::RestoreEditor,
        EditorStatus::Active,
        "restored editor {}: they may make changes again",
    )
}

/// Retire or restore an editor; `said` is the line printed, `{}` the editor's name.
fn set_status(
    ctx: &Ctx,
    args: &EditorNameArgs,
    action: Action,
    status: EditorStatus,
    said: &str,
) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = ctx.open()?;
    let outcome = db.write_as(&actor, |tx, actor| {
        editors::update(tx, actor, action, &args.name, |e| e.status = status)
    })?;
    super::report(outcome, |_| said.replace("{}", &args.name))
}

pub fn set_role(ctx: &Ctx, args: EditorRoleArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = ctx.open()?;
    let outcome = db.write_as(&actor, |tx, actor| {
        editors::update(tx, actor, Action::SetRole, &args.name, |e| e.role = args.role)
    })?;
    super::report(outcome, |_| format!("{} is now {}", args.name, args.role.as_str()))
}

pub fn set_key(ctx: &Ctx, args: EditorKeyArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let key = read_key(&args.file)?;
    let mut db = ctx.open()?;
    let fingerprint = editors::fingerprint(&key);
    let outcome = db.write_as(&actor, |tx, actor| {
        editors::update(tx, actor, Action::SetKey, &args.name, |e| e.key = Some(key))
    })?;
    super::report(outcome, |_| format!("{}'s key is now {fingerprint}", args.name))
}

pub fn allowed_signers(ctx: &Ctx) -> Result<ExitCode> {
    let db = ctx.open()?;
    let text = editors::allowed_signers(db.conn())?;
    output::bytes_out(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

pub fn approve(ctx: &Ctx, args: ApproveArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = ctx.open()?;
    // the difference is read in the approval's own transaction: it is what the approval covers
    let (change, difference) = db.write_as(&actor, |tx, actor| {
        let change = crate::approval::approve(tx, actor, crate::publish::pending_approval(tx)?)?;
        Ok((change, crate::publish::pending_difference(tx)?))
    })?;
    let sha = match change.event()? {
        crate::event::Event::Approval(approval) => approval.content_sha256,
        _ => String::new(),
    };
    output::line(format!(
        "approved the pending content {sha} as {} (change {}); any later public change voids it",
        change.editor, change.id
    ))?;
    output::line("what goes public:")?;
    for line in crate::publish::difference_lines(&difference, crate::publish::Form::Full) {
        output::line(line)?;
    }
    Ok(ExitCode::SUCCESS)
}
