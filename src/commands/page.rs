//! `admin page show|set|link add|link remove`: the page's own words. The checks and the edits
//! live in `crate::page`; this file reads the arguments and says what happened.
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use super::report;
use crate::cli::{PageKey, PageLinkAddArgs, PageLinkRemoveArgs, PageSetArgs, PageShowArgs};
use crate::clock::stamp;
use crate::db::changes::Cutoff;
use crate::gate::Audited;
use crate::output::{self, or_dash};
use crate::page::{self, Field};
use crate::validate::time_arg;
use crate::Ctx;

pub fn show(ctx: &Ctx, args: PageShowArgs) -> Result<ExitCode> {
    let at = args.as_of.as_deref().map(time_arg).transpose()?.map(stamp);
    let mut db = ctx.open()?;
    let page = db.read(|tx| {
        Ok(match &at {
            Some(at) => crate::log::replay(tx, &Cutoff::At(at.clone()))?.page(),
            None => crate::db::page::read(tx)?.unwrap_or_default(),
        })
    })?;
    if args.json.json {
        let mut value = json!({
            "heading": page.heading,
            "intro": page.intro,
            "publisher": page.publisher,
            "contact": page.contact,
            "licence": page.licence,
            "base_url": page.base_url,
            "links": page.links,
        });
        if let (Some(at), Some(map)) = (&at, value.as_object_mut()) {
            map.insert("as_of".to_owned(), json!(at));
        }
        output::json(&value)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    if let Some(at) = &at {
        text.push_str(&format!("as of:      {}\n", crate::clock::shown(at)));
    }
    text.push_str(&format!("heading:    {}\n", page.heading));
    text.push_str(&format!("publisher:  {}\n", or_dash(page.publisher.as_deref())));
    text.push_str(&format!("contact:    {}\n", or_dash(page.contact.as_deref())));
    text.push_str(&format!("licence:    {}\n", or_dash(page.licence.as_deref())));
    text.push_str(&format!("base URL:   {}\n", or_dash(page.base_url.as_deref())));
    text.push_str(&format!("\nIntroduction ({} paragraphs)\n", page.intro.len()));
    for paragraph in &page.intro {
        for line in paragraph.lines() {
            text.push_str(&format!("  {line}\n"));
        }
        text.push('\n');
    }
    text.push_str(&format!("Related links ({})\n", page.links.len()));
    for link in &page.links {
        text.push_str(&format!("  {}: {}\n", link.title, link.url));
    }
    output::line(text.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

fn field(key: PageKey) -> Field {
    match key {
        PageKey::Heading => Field::Heading,
        PageKey::Intro => Field::Intro,
        PageKey::Publisher => Field::Publisher,
        PageKey::Contact => Field::Contact,
        PageKey::Licence => Field::Licence,
        PageKey::BaseUrl => Field::BaseUrl,
    }
}

pub fn set(ctx: &Ctx, args: PageSetArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let field = field(args.key);
    let value = match (&args.file, args.value) {
        (Some(path), _) => page::read_value(path)?,
        (None, Some(value)) => value,
        // clap requires one of them
        (None, None) => String::new(),
    };
    let mut db = ctx.open()?;
    let outcome = db.write_as(&actor, |tx, actor| page::set(tx, actor, field, &value))?;
    let cleared = value.trim().is_empty();
    report(outcome, |_| {
        if cleared {
            format!("cleared the page's {}", field.as_str())
        } else {
            format!("set the page's {}", field.as_str())
        }
    })
}

pub fn link_add(ctx: &Ctx, args: PageLinkAddArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = ctx.open()?;
    let outcome = db.write_as(&actor, |tx, actor| page::add_link(tx, actor, &args.title, &args.url))?;
    report(outcome, |_| "added the related link".to_owned())
}

pub fn link_remove(ctx: &Ctx, args: PageLinkRemoveArgs) -> Result<ExitCode> {
    let actor = ctx.actor(args.message.message.as_deref())?;
    let mut db = ctx.open()?;
    let outcome = db.write_as(&actor, |tx, actor| page::remove_link(tx, actor, &args.title))?;
    report(outcome, |_| "removed the related link".to_owned())
}
