//! Writing to stdout: one JSON document for programs, aligned tables for people. Tables are
//! coloured through `anstream`, which drops the colour when stdout is not a terminal or
//! `NO_COLOR` is set. Writes go through here so a closed pipe (`admin list | head`) ends quietly.
use std::io::{self, Write};

use anyhow::{Context, Result};
use serde::Serialize;

/// Print one JSON document, pretty, with a final newline. It is built whole first: serde_json
/// does not give its I/O errors as causes, so a closed pipe met mid-document would not be known
/// for one (`admin history --json | head -1` said `error: Broken pipe`).
pub fn json<T: Serialize>(value: &T) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    bytes_out(&bytes)
}

/// Print a line of text.
pub fn line(text: impl AsRef<str>) -> Result<()> {
    let text = text.as_ref();
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(b'\n');
    bytes_out(&bytes)
}

/// Write bytes to stdout and flush. A closed pipe stays an `io::Error` of kind `BrokenPipe` in
/// the chain (success, `exit_codes::report`); anything else (a full device) is a failure that
/// says where it happened.
pub fn bytes_out(bytes: &[u8]) -> Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(bytes).and_then(|()| stdout.flush()).context("failed to write to standard output")
}

/// Say something on stderr that is not an error: one `warning: …` line; the exit code is the
/// command's own. A closed or full stderr is not worth failing the command over.
pub fn warning(text: impl AsRef<str>) {
    let _ = writeln!(io::stderr().lock(), "warning: {}", one_line(text.as_ref()));
}

/// The colour of a status word in a LINK or STATUS column.
fn style_for(header: &str, cell: &str) -> Option<anstyle::Style> {
    use anstyle::{AnsiColor, Style};
    if header != "LINK" && header != "STATUS" && header != "KIND" {
        return None;
    }
    let color = match cell {
        "ok" => AnsiColor::Green,
        "caution" | "pending" => AnsiColor::Yellow,
        "broken" => AnsiColor::Red,
        "retired" | "resolved" | "missing" => return Some(Style::new().dimmed()),
        _ => return None,
    };
    Some(Style::new().fg_color(Some(color.into())))
}

/// Print rows as columns aligned to the widest cell; nothing is truncated. Control characters
/// in cells (a note's newlines) are shown escaped so each row stays one line.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let cells: Vec<Vec<String>> = std::iter::once(headers.iter().map(|h| h.to_string()).collect())
        .chain(rows.iter().map(|row| row.iter().map(|c| one_line(c)).collect()))
        .collect();
    let mut widths = vec![0; headers.len()];
    for row in &cells {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for (r, row) in cells.iter().enumerate() {
        let mut text = String::new();
        for (i, cell) in row.iter().enumerate() {
            let style = if r == 0 { Some(anstyle::Style::new().bold()) } else { style_for(headers[i], cell) };
            match style {
                Some(style) => text.push_str(&format!("{style}{cell}{style:#}")),
                None => text.push_str(cell),
            }
            if i + 1 < row.len() {
                let pad = widths[i] - cell.chars().count() + 2;
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    let mut stdout = anstream::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .context("failed to write to standard output")
}

/// Text on one line: control characters escaped (`\n`), everything else as it is.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// An optional value for a table cell.
pub fn or_dash(value: Option<&str>) -> String {
    value.unwrap_or("-").to_owned()
}
