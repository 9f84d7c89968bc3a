//! `admin completions`, `admin man` and the hidden `admin complete-forces`: what a shell and
//! `man` need.
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::{CompletionsArgs, ManArgs};
use crate::{output, Ctx};

/// Built in memory and written here: clap_complete's `generate` panics when its writer fails, so
/// a full device or a closed pipe is met by `output` instead.
pub fn completions(args: CompletionsArgs) -> Result<ExitCode> {
    output::bytes_out(&crate::completions::script(args.shell, crate::cli::command()))?;
    Ok(ExitCode::SUCCESS)
}

/// `admin.1` on stdout, or with `--dir` a page for every command, so that the SEE ALSO of
/// `admin.1` (admin-set-url(1), …) names pages that exist.
pub fn man(args: ManArgs) -> Result<ExitCode> {
    let Some(dir) = args.dir else {
        let mut page = Vec::new();
        // as `generate_to` makes it: no `help` subcommand, which has no page of its own
        clap_mangen::Man::new(crate::cli::command().disable_help_subcommand(true)).render(&mut page)?;
        output::bytes_out(&page)?;
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(&dir).map_err(|e| match e.kind() {
        // a file where the directory, or one it is in, would be: bad input, not a failure
        std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotADirectory => crate::exit_codes::bad_hint(
            format!("cannot make the directory `{}`: {e}", dir.display()),
            "give --dir a directory, or a path where one can be made",
        ),
        _ => anyhow::Error::new(e).context(format!("failed to create `{}`", dir.display())),
    })?;
    clap_mangen::generate_to(crate::cli::command(), &dir)
        .with_context(|| format!("failed to write the manual pages into `{}`", dir.display()))?;
    let mut pages: Vec<String> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("admin") && n.ends_with(".1"))
        .collect();
    pages.sort();
    output::line(format!("wrote {} manual pages into `{}`", pages.len(), output::path(&dir)))?;
    Ok(ExitCode::SUCCESS)
}

/// Every force's slug, one a line, for the completion scripts.
pub fn complete_forces(ctx: &Ctx) -> Result<ExitCode> {
    let mut db = ctx.open()?;
    let forces = db.read(|tx| crate::db::forces::all(tx))?;
    let mut text = String::new();
    for force in forces {
        text.push_str(&force.slug);
        text.push('\n');
    }
    output::bytes_out(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
