//! Writing to stdout: one JSON document for programs, aligned tables for people. Tables are
//! coloured through `anstream`, which drops the colour when stdout is not a terminal or
//! `NO_COLOR` is set. Writes go through here so a closed pipe (`admin list | head`) ends quietly.
use std::borrow::Cow;
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
    let mut shown = String::with_capacity(text.len() + 1);
    // text from the database or a file is shown, never obeyed: only the line breaks are kept
    for c in text.chars() {
        if c != '\n' && crate::exit_codes::acts(c) {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown.push('\n');
    bytes_out(shown.as_bytes())
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
    let _ = writeln!(io::stderr().lock(), "warning: {}", message_line(text.as_ref()));
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

/// Print rows as columns aligned to the widest cell. On a terminal too narrow for them, the
/// widest columns are cut with `…` until the table fits (SPEC section 16: tables fit the
/// terminal); piped, nothing is cut. Control characters in cells (a note's newlines) are shown
/// escaped so each row stays one line.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> Result<()> {
    print_table(headers, rows, &[], &[])
}

/// The width of the terminal stdout is, if it is one: `COLUMNS` when set, else the terminal's.
fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() {
        return None;
    }
    let from_env = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok());
    let from_tty = || rustix::termios::tcgetwinsize(io::stdout()).ok().map(|w| usize::from(w.ws_col));
    from_env.or_else(from_tty).filter(|w| *w > 0)
}

/// Widths for the `free` columns so that the row fits `width`: each gets an even share of what
/// the fixed columns leave, a column needing less giving the rest to the others; never under 6.
fn fit(widths: &mut [usize], free: &[usize], width: usize) {
    let n = widths.len();
    let fixed: usize = (0..n).filter(|i| !free.contains(i)).map(|i| widths[i]).sum();
    let mut left = width.saturating_sub(fixed + 2 * (n - 1));
    let mut open: Vec<usize> = free.to_vec();
    open.sort_by_key(|&i| widths[i]);
    while let Some(&i) = open.first() {
        let share = left / open.len();
        if widths[i] > share {
            break;
        }
        left -= widths[i];
        open.remove(0);
    }
    let share = (left / open.len().max(1)).max(6);
    for i in open {
        widths[i] = widths[i].min(share);
    }
}

/// Cap every column at the one width that makes the row fit `width` (the widest columns give
/// way first; none under 6).
fn cap(widths: &mut [usize], width: usize) {
    let room = width.saturating_sub(2 * widths.len().saturating_sub(1));
    if widths.iter().sum::<usize>() <= room {
        return;
    }
    let mut limit = widths.iter().copied().max().unwrap_or(0);
    while limit > 6 && widths.iter().map(|w| (*w).min(limit)).sum::<usize>() > room {
        limit -= 1;
    }
    for w in widths.iter_mut() {
        *w = (*w).min(limit);
    }
}

/// Cut a cell to `width` characters, ending it with `…` when cut.
fn cut(cell: &str, width: usize) -> String {
    if cell.chars().count() <= width {
        return cell.to_owned();
    }
    let mut out: String = cell.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `table`, for rows whose last `free` columns are free text (`history`'s WHAT and MESSAGE): on
/// a terminal the row is fitted to its width, those columns cut with `…`; piped, nothing is cut
/// and those columns are not padded, so a long one does not push the rest out of sight.
pub fn table_with_free_text(headers: &[&str], rows: &[Vec<String>], free: usize) -> Result<()> {
    let free = free.min(headers.len());
    let columns: Vec<usize> = (headers.len() - free..headers.len()).collect();
    // on a terminal, the column before the free text (history's FORCE) gives way with it
    let giving: Vec<usize> = (headers.len().saturating_sub(free + 1)..headers.len()).collect();
    print_table(headers, rows, &giving, &columns)
}

/// `table`, fitted to the terminal by cutting the `free` columns (by index) with `…`, as
/// `table_with_free_text` does; piped, the table is whole and aligned.
pub fn table_fitted<S: AsRef<str> + Sync>(headers: &[&str], rows: &[Vec<S>], free: &[usize]) -> Result<()> {
    print_table(headers, rows, free, &[])
}

/// A cell on one line, copied only where a control character must be escaped.
fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    // printable ASCII, the common case, is checked a byte at a time
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) || !text.chars().any(crate::exit_codes::acts) {
        text.into()
    } else {
        one_line(text).into()
    }
}

/// How many characters `text` shows.
fn chars(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

/// A table, its `free` columns cut to fit a terminal; piped, whole, with the `unpadded` columns
/// (the last ones) not padded. A table of `threads::LARGE` rows or more is made ready and measured
/// half on another thread.
fn print_table<S: AsRef<str> + Sync>(
    headers: &[&str],
    rows: &[Vec<S>],
    free: &[usize],
    unpadded: &[usize],
) -> Result<()> {
    let large = rows.len() >= crate::threads::LARGE;
    // a cell is copied only where it must change: a control character escaped, or cut to fit
    let mut cells: Vec<Vec<Cow<str>>> = Vec::with_capacity(rows.len() + 1);
    cells.push(headers.iter().map(|h| cell(h)).collect());
    cells.extend(crate::threads::by_halves(large, rows, |part| {
        part.iter().map(|row| row.iter().map(|c| cell(c.as_ref())).collect()).collect()
    }));
    let widths_of = |part: &[Vec<Cow<str>>]| {
        let mut widths = vec![0; headers.len()];
        for row in part {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(chars(cell));
            }
        }
        widths
    };
    let (first, second) = cells.split_at(cells.len() / 2);
    let (first, second) = crate::threads::at_once(large, || widths_of(first), || widths_of(second));
    let mut widths: Vec<usize> = first.into_iter().zip(second).map(|(a, b)| a.max(b)).collect();
    {
        match terminal_width() {
            Some(width) => {
                if !free.is_empty() {
                    fit(&mut widths, free, width);
                }
                // still too wide (or a plain table): the widest columns give way first
                cap(&mut widths, width);
                for row in &mut cells {
                    for (cell, w) in row.iter_mut().zip(&widths) {
                        if chars(cell) > *w {
                            *cell = cut(cell, *w).into();
                        }
                    }
                }
            }
            // not padded: each free cell is followed by the two-space gap alone
            None => unpadded.iter().for_each(|&i| widths[i] = 0),
        }
    }
    // where styles would be stripped again (not a terminal, NO_COLOR), none are written: a list
    // of 100,000 forces then goes out as it is, not through the stripping filter
    let stdout = anstream::stdout();
    let styled = stdout.current_choice() != anstream::ColorChoice::Never;
    let stdout: Box<dyn Write> =
        if styled { Box::new(stdout.lock()) } else { Box::new(std::io::stdout().lock()) };
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, stdout);
    // written row by row: a table is never held whole as text
    let mut text = String::new();
    let mut written = Ok(());
    for (r, row) in cells.iter().enumerate() {
        text.clear();
        for (i, cell) in row.iter().enumerate() {
            let style = match (styled, r) {
                (false, _) => None,
                (true, 0) => Some(anstyle::Style::new().bold()),
                (true, _) => style_for(headers[i], cell),
            };
            match style {
                Some(style) => text.push_str(&format!("{style}{cell}{style:#}")),
                None => text.push_str(cell),
            }
            if i + 1 < row.len() {
                let pad = widths[i].saturating_sub(chars(cell)) + 2;
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        let end = text.trim_end().len();
        text.truncate(end);
        text.push('\n');
        written = stdout.write_all(text.as_bytes());
        if written.is_err() {
            break;
        }
    }
    written.and_then(|()| stdout.flush()).context("failed to write to standard output")
}

/// Text on one line, shown and not obeyed: control and invisible format characters escaped
/// (`\n`, `\u{202e}`), everything else as it is.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if crate::exit_codes::acts(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A path in a line of output: as `display` shows it, on one line (a file name may hold a line
/// break, an escape sequence or a bidirectional override, shown escaped, never obeyed).
pub fn path(path: &std::path::Path) -> String {
    one_line(&path.display().to_string())
}

/// The first `chars` characters of `text`: a short form of an id or a hash for people. Text
/// from a file or the database can hold any character, so the cut is counted in characters,
/// never in bytes (a byte index inside a character panics).
pub fn prefix(text: &str, chars: usize) -> &str {
    text.char_indices().nth(chars).map_or(text, |(end, _)| &text[..end])
}

/// A text value in a message, quoted: quotes, backslashes and control characters escaped as
/// Rust writes them, then whatever else would act on a terminal (`one_line`), each escaped once.
pub fn quoted(text: &str) -> String {
    one_line(&format!("{text:?}"))
}

/// Two texts that differ, quoted for a message: where they would look alike on a screen (a
/// Cyrillic "о" for a Latin "o", a no-break space), every character beyond ASCII is written as
/// its code point, so that the difference can be seen.
pub fn quoted_pair(a: &str, b: &str) -> (String, String) {
    if a != b && crate::validate::look_key(a) == crate::validate::look_key(b) {
        let visible = |text: &str| {
            let mut out = String::new();
            for c in quoted(text).chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    out.extend(c.escape_unicode());
                }
            }
            out
        };
        (visible(a), visible(b))
    } else {
        (quoted(a), quoted(b))
    }
}

/// The most characters of one value a message shows: a value written behind admin's back can be
/// of any length, and a message is one line for people.
const SHOWN: usize = 300;

/// `text`, or its first 300 characters and how long it is.
pub fn shortened(text: &str) -> std::borrow::Cow<'_, str> {
    crate::exit_codes::at_most(text, SHOWN)
}

/// The text of a `warning:` line (or an `error:` line that quotes a value): on one line, control
/// characters escaped, and at most 2,000 characters of `text`, with how long it was where it was
/// cut.
pub fn message_line(text: &str) -> String {
    one_line(&crate::exit_codes::at_most(text, crate::exit_codes::MESSAGE))
}

/// An optional value for a table cell.
pub fn or_dash(value: Option<&str>) -> String {
    value.unwrap_or("-").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_columns_share_what_the_fixed_ones_leave() {
        // ID AT EDITOR ACTION FORCE (fixed), WHAT and MESSAGE (free)
        let mut widths = vec![2, 20, 5, 7, 11, 127, 30];
        fit(&mut widths, &[5, 6], 120);
        let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
        assert!(total <= 120, "{widths:?} is {total} wide");
        assert_eq!(widths[6], 30, "a short message keeps its width: {widths:?}");
        let mut narrow = vec![2, 20, 5, 7, 11, 127, 30];
        fit(&mut narrow, &[5, 6], 40);
        assert_eq!((narrow[5], narrow[6]), (6, 6), "never under 6");
        assert_eq!(cut("URL set to https://example.org/", 10), "URL set t…");
    }

    #[test]
    fn free_columns_may_be_anywhere() {
        // NAME SLUG LINK NOTES REVIEWED URL, NAME SLUG and URL free
        let mut widths = vec![34, 34, 7, 5, 10, 120];
        fit(&mut widths, &[0, 1, 5], 80);
        let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
        assert!(total <= 80, "{widths:?} is {total} wide");
        assert_eq!(&widths[2..5], &[7, 5, 10], "fixed columns keep their width");
    }

    #[test]
    fn a_prefix_is_cut_between_characters() {
        assert_eq!(prefix("0123456789abcdef", 8), "01234567");
        assert_eq!(prefix("aéééééé", 8), "aéééééé");
        assert_eq!(prefix("aééééééééé", 4), "aééé");
        assert_eq!(prefix("🙂🙂🙂", 2), "🙂🙂");
        assert_eq!(prefix("short", 12), "short");
        assert_eq!(prefix("", 3), "");
        assert_eq!(prefix("abc", 0), "");
    }
}
