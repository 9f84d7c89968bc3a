//! `admin serve`: a live preview of the page on 127.0.0.1, rendered from the database on every
//! request (so an edit in another terminal shows on reload). It never writes the site.
use std::process::ExitCode;

use anyhow::Result;
use tiny_http::{Header, Method, Response, Server};

use crate::cli::ServeArgs;
use crate::db::Db;
use crate::exit_codes::failed_hint;
use crate::{output, publish, Ctx};

pub fn run(ctx: &Ctx, args: ServeArgs) -> Result<ExitCode> {
    drop(ctx.open()?); // refuse a missing or bad database before listening
    let server = Server::http(("127.0.0.1", args.port)).map_err(|e| {
        failed_hint(
            format!("cannot listen on 127.0.0.1:{}: {e}", args.port),
            "choose another port with --port",
        )
    })?;
    let url = match server.server_addr().to_ip() {
        Some(addr) => format!("http://{addr}/"),
        None => anyhow::bail!("the preview server has no IP address"),
    };
    output::line(format!(
        "previewing `{}` at {url} (Ctrl-C to stop); nothing is published",
        ctx.db_path.display()
    ))?;
    if args.open {
        // best effort: a machine without a desktop still serves the preview
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }
    for request in server.incoming_requests() {
        let response = respond(ctx, request.method(), request.url());
        let _ = request.respond(response);
    }
    Ok(ExitCode::SUCCESS)
}

fn respond(ctx: &Ctx, method: &Method, url: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let text = |code: u16, body: String| {
        Response::from_string(body).with_status_code(code).with_header(header("text/plain; charset=utf-8"))
    };
    if !matches!(method, Method::Get | Method::Head) {
        return text(405, "only GET and HEAD\n".into());
    }
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let name = match path {
        "/" | "/index.html" => "index.html",
        "/forces.json" => "forces.json",
        "/forces.csv" => "forces.csv",
        "/feed.atom" => "feed.atom",
        _ => return text(404, "not found\n".into()),
    };
    let site =
        Db::open(&ctx.db_path).and_then(|mut db| db.read(|tx| publish::preview(tx, &ctx.clock.stamp())));
    match site {
        Err(err) => text(500, format!("error: {err:#}\n")),
        Ok(site) => match site.files.into_iter().find(|(n, _)| n == name) {
            Some((_, body)) => Response::from_data(body).with_header(header(content_type(name))),
            None => text(404, "not found\n".into()),
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

fn header(value: &str) -> Header {
    Header::from_bytes(&b"Content-Type"[..], value.as_bytes()).unwrap_or_else(|_| {
        Header::from_bytes(&b"Content-Type"[..], &b"text/plain"[..]).expect("a static header is valid")
    })
}
