//! `admin init [--empty]`: create the database and load the seed.
use std::process::ExitCode;

use anyhow::Result;

use crate::audit::Action;
use crate::cli::InitArgs;
use crate::db::Db;
use crate::gate::Audited;
use crate::state::Page;
use crate::{directory, output, seed, Ctx};

pub fn run(ctx: &Ctx, args: InitArgs) -> Result<ExitCode> {
    let seed = seed::builtin()?;
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = Db::create(&ctx.db_path)?;
    let loaded = db.write_as(&actor, |tx, actor| {
        let forces = if args.empty { &[][..] } else { &seed.forces[..] };
        for name in forces {
            directory::add_force(tx, actor, Action::Init, name, None, None)?;
        }
        // the page's words last, so the forces keep the change ids they always had
        let page = Page { heading: seed.heading.clone(), intro: seed.intro.clone(), ..Page::default() };
        directory::set_page(tx, actor, Action::Init, page)?;
        Ok(forces.len())
    });
    let loaded = match loaded {
        Ok(n) => n,
        Err(err) => {
            drop(db);
            crate::db::remove_with_companions(&ctx.db_path);
            return Err(err);
        }
    };
    output::line(format!(
        "created `{}` with the page text and {loaded} forces; next: `admin list`",
        output::path(&ctx.db_path)
    ))?;
    Ok(ExitCode::SUCCESS)
}
