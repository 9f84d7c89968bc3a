//! `admin settings`: show the settings, or set one with an audited change.
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{ApprovalSetting, SettingsArgs, SettingsCommand};
use crate::gate::Audited;
use crate::{output, Ctx};

pub fn run(ctx: &Ctx, args: SettingsArgs) -> Result<ExitCode> {
    match args.command {
        None => show(ctx, args.json.json),
        Some(SettingsCommand::Approval(set)) => {
            let actor = ctx.actor(set.message.message.as_deref())?;
            let value = match set.value {
                ApprovalSetting::Required => crate::state::REQUIRED,
                ApprovalSetting::Optional => crate::state::OPTIONAL,
            };
            let mut db = ctx.open()?;
            let outcome = db.write_as(&actor, |tx, actor| crate::settings::set_approval(tx, actor, value))?;
            let code = super::report(outcome, |_| format!("approval is now {value}"))?;
            if let Some(warning) = db.read(|tx| crate::settings::too_few_publishers(tx))? {
                output::warning(warning);
            }
            Ok(code)
        }
        Some(SettingsCommand::Site(set)) => {
            let actor = ctx.actor(set.message.message.as_deref())?;
            let mut db = ctx.open()?;
            let outcome = db
                .write_as(&actor, |tx, actor| crate::settings::set_site(tx, actor, &set.dir, &ctx.db_path))?;
            let home = db.read(|tx| crate::settings::site_home(tx, &ctx.db_path))?;
            super::report(outcome, |_| {
                format!(
                    "`admin publish --out DIR` is needed only to publish elsewhere than `{}` now",
                    crate::output::path(&home)
                )
            })
        }
    }
}

fn show(ctx: &Ctx, json: bool) -> Result<ExitCode> {
    let mut db = ctx.open()?;
    let (settings, warning) = db.read(|tx| {
        Ok((crate::settings::show(tx, &ctx.db_path)?, crate::settings::too_few_publishers(tx)?))
    })?;
    if json {
        output::json(&settings)?;
        return Ok(ExitCode::SUCCESS);
    }
    output::line(format!("approval  {}  ({})", settings.approval.value, settings.approval.source))?;
    output::line(format!(
        "site      {}  ({})",
        output::one_line(&settings.site.value),
        settings.site.source
    ))?;
    output::line(format!(
        "{} active editor{} can publish",
        settings.publishers,
        if settings.publishers == 1 { "" } else { "s" }
    ))?;
    if let Some(warning) = warning {
        output::warning(warning);
    }
    Ok(ExitCode::SUCCESS)
}
