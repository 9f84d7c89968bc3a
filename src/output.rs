//! Writing to stdout: one JSON document for programs, aligned tables for people. Tables are
//! coloured through `anstream`, which drops the colour when stdout is not a terminal or
//! `NO_COLOR` is set. Writes go through here so a closed pipe (`admin list | head`) ends quietly.
use std::io::{self, Write};

use anyhow::Result;
use serde::Serialize;

/// Print one JSON document, pretty, with a final newline.
pub fn json<T: Serialize>(value: &T) -> Result<()> {
    let mut stdout = io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, value)?;
    stdout.write_all(b"\n")?;
    stdout.flush()?;
    Ok(())
}

/// Print a line of text.
pub fn line(text: impl AsRef<str>) -> Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_ref().as_bytes())?;
    stdout.write_all(b"\n")?;
    stdout.flush()?;
    Ok(())
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
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(())
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
