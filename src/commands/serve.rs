//! `admin serve`: a live preview of the page on 127.0.0.1, rendered from the database on every
//! request (so an edit in another terminal shows on reload). It never writes the site. The HTTP
//! side, with its limits, is `crate::serve`.
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::ServeArgs;
use crate::clock::Clock;
use crate::exit_codes::failed_hint;
use crate::serve::{Request, Response, Server};
use crate::{output, publish, Ctx};

pub fn run(ctx: &Ctx, args: ServeArgs) -> Result<ExitCode> {
    drop(ctx.open()?); // refuse a missing or bad database before listening
    let server = Server::bind(args.port).map_err(|e| {
        failed_hint(
            format!("cannot listen on 127.0.0.1:{}: {e}", args.port),
            "choose another port with --port",
        )
    })?;
    let url = format!("http://{}/", server.addr());
    output::line(format!(
        "previewing `{}` at {url} (Ctrl-C to stop); nothing is published",
        output::path(&ctx.db_path)
    ))?;
    if args.open {
        // best effort: a machine without a desktop still serves the preview
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }
    let (db_path, clock) = (ctx.db_path.clone(), ctx.clock);
    server.run(move |request| respond(&db_path, &clock, request)).context("the preview server stopped")?;
    Ok(ExitCode::SUCCESS)
}

fn respond(db_path: &std::path::Path, clock: &Clock, request: &Request) -> Response {
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        return Response::text(405, "only GET and HEAD\n");
    }
    if request.path == "/difference.html" {
        let page = crate::gate::open(db_path).and_then(|mut db| db.read(|tx| publish::difference_page(tx)));
        return match page {
            Err(err) => Response::text(500, format!("error: {err:#}\n")),
            Ok(body) => Response { status: 200, content_type: content_type("difference.html"), body },
        };
    }
    let name = match request.path.as_str() {
        "/" | "/index.html" => "index.html",
        "/forces.json" => "forces.json",
        "/forces.csv" => "forces.csv",
        "/feed.atom" => "feed.atom",
        _ => return Response::text(404, "not found\n"),
    };
    let site =
        crate::gate::open(db_path).and_then(|mut db| db.read(|tx| publish::preview(tx, &clock.stamp())));
    match site {
        Err(err) => Response::text(500, format!("error: {err:#}\n")),
        Ok(site) => match site.into_files().find(|(n, _)| n == name) {
            Some((_, body)) => Response { status: 200, content_type: content_type(name), body },
            None => Response::text(404, "not found\n"),
        },
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        _ => "application/atom+xml",
    }
}
