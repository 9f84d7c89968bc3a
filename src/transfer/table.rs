//! A table of cells, from a CSV file or a spreadsheet's first sheet. The header names the
//! columns in any case and spacing, with the usual synonyms (`Force`, `Link`, `Web address`);
//! each row below it is a force. The site's own `notes` and `data_to` columns are read past.
use super::{csv_unsafe, status_of, Entry, Parsed, Place, Problem, FIELDS};
use crate::validate::quoted;

/// A cell as the file gives it: text, or something a spreadsheet holds that is not text.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Text(String),
    /// A text cell a spreadsheet holds with no text: its white space, if any, was not kept.
    /// Blank, but in the URL column refused as a cell of spaces is.
    NoText,
    /// A formula, by its text: import reads values, never formulas.
    Formula(String),
    /// A number, a date, a true/false or an error value, described ("a number (5)").
    Other(String),
}

impl Cell {
    fn is_blank(&self) -> bool {
        match self {
            Cell::Text(t) => t.trim().is_empty(),
            Cell::NoText => true,
            Cell::Formula(_) | Cell::Other(_) => false,
        }
    }
}

/// A row of cells and where it is in its file.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub at: Place,
    pub cells: Vec<Cell>,
}

/// The header row and the rows below it. `csv`: cells are CSV text (a leading `'` guarding a
/// formula character is taken off, and a row must have as many cells as the header).
#[derive(Debug, Clone)]
pub(super) struct Table {
    pub header: Row,
    pub rows: Vec<Row>,
}

/// What a column holds: one of `FIELDS`, or one of the site's own columns, read past.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Field(usize),
    Site(&'static str),
}

/// The column a header names: compared in small letters, `_` and `-` read as spaces, runs of
/// spaces as one.
fn column(header: &str) -> Option<Column> {
    let words: Vec<String> = header
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .to_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    Some(match words.join(" ").as_str() {
        "slug" => Column::Field(0),
        "name" | "force" | "force name" | "police force" | "police force name" => Column::Field(1),
        "url" | "link" | "address" | "web address" | "website" | "web site" | "data url" | "data link"
        | "data address" | "link url" => Column::Field(2),
        "status" => Column::Field(3),
        "notes" => Column::Site("notes"),
        "data to" => Column::Site("data_to"),
        _ => return None,
    })
}

const SYNONYMS: &str =
    "slug; name (or force, force name); url (or link, address, web address, website, data url); status";

/// The separator a CSV file uses: whichever of `,` `;` and tab its header line holds most of,
/// outside quotes (`,` if none).
fn separator(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// The rows of a CSV file, each with the line it starts on (counted in the text, so CRLF files
/// and quoted cells over several lines are numbered as an editor shows them).
pub(super) fn csv_table(text: &str) -> Result<Table, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator(text))
        .from_reader(text.as_bytes());
    // a record's position may be at the line end before it (a CRLF's `\n`, left for the next
    // read): its line is that of its first byte after line ends
    // records come in file order: the line ends are counted once, on from the last record
    let (mut counted, mut lines) = (0usize, 1usize);
    let mut line_of = |byte: u64| {
        let bytes = text.as_bytes();
        let mut end = (byte as usize).min(bytes.len());
        while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        if end >= counted {
            lines += bytes[counted..end].iter().filter(|&&b| b == b'\n').count();
            counted = end;
        } else {
            return bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1;
        }
        lines
    };
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let start = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line_of(start), |p| line_of(p.byte()));
                return Err(vec![Problem::at(Place::Line(line), e.to_string(), None)]);
            }
        }
        let at = Place::Line(line_of(record.position().map_or(start, |p| p.byte())));
        rows.push(Row { at, cells: record.iter().map(|c| Cell::Text(c.to_owned())).collect() });
    }
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return Err(vec![Problem::at(
            Place::Line(1),
            format!("no header; the first line names the columns, e.g. {}", FIELDS.join(",")),
            None,
        )]);
    };
    Ok(Table { header, rows: rows.collect() })
}

/// The forces of a table. Problems of the header stop it (every one named); problems of a row
/// are that row's, in `Parsed::problems`.
pub(super) fn from_table(table: Table, csv: bool) -> Result<Parsed, Vec<Problem>> {
    let Table { header, rows } = table;
    let at = header.at;
    if header.cells.iter().all(Cell::is_blank) {
        return Err(vec![Problem::at(
            at,
            format!("no header; the first line names the columns, e.g. {}", FIELDS.join(",")),
            None,
        )]);
    }
    let mut problems = Vec::new();
    let mut columns: Vec<Option<Column>> = Vec::with_capacity(header.cells.len());
    let mut field_column: [Option<usize>; 4] = [None; 4];
    let mut site = Vec::new();
    let mut unknown = Vec::new();
    for (i, cell) in header.cells.iter().enumerate() {
        let text = match cell {
            Cell::Text(t) => t.as_str(),
            Cell::NoText => "",
            Cell::Formula(f) => {
                problems.push(Problem::at(at, format!("the header {} is a formula", quoted(f)), None));
                columns.push(None);
                continue;
            }
            Cell::Other(what) => {
                problems.push(Problem::at(at, format!("a header is {what}, not a column name"), None));
                columns.push(None);
                continue;
            }
        };
        if text.trim().is_empty() {
            // a column without a header is read past if it is empty all the way down
            if rows.iter().any(|r| r.cells.get(i).is_some_and(|c| !c.is_blank())) {
                problems.push(Problem::at(at, format!("column {} has cells but no header", i + 1), None));
            }
            columns.push(None);
            continue;
        }
        let Some(col) = column(text) else {
            unknown.push(quoted(text));
            columns.push(None);
            continue;
        };
        let twice = match col {
            Column::Field(k) => field_column[k].replace(i).is_some(),
            Column::Site(name) if site.contains(&name) => true,
            Column::Site(name) => {
                site.push(name);
                false
            }
        };
        if twice {
            problems.push(Problem::at(at, format!("the column {} is there twice", quoted(text)), None));
        }
        columns.push(Some(col));
    }
    // the unknown columns of a header are one problem, named together
    match unknown.as_slice() {
        [] => {}
        [one] => {
            problems.push(Problem::at(at, format!("unknown column {one}; the columns are {SYNONYMS}"), None))
        }
        [some @ .., last] => problems.push(Problem::at(
            at,
            format!("unknown columns {} and {last}; the columns are {SYNONYMS}", some.join(", ")),
            None,
        )),
    }
    if field_column[0].is_none() && field_column[1].is_none() && unknown.is_empty() {
        problems.push(Problem::at(
            at,
            "no slug or name column; every row needs one or the other, to say which force it is",
            None,
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut parsed = Parsed {
        left_out: FIELDS
            .iter()
            .zip(field_column)
            .skip(1)
            .filter(|(_, c)| c.is_none())
            .map(|(f, _)| *f)
            .collect(),
        not_imported: site,
        ..Parsed::default()
    };
    let width = header.cells.len();
    for row in rows {
        if row.cells.iter().all(Cell::is_blank) {
            continue;
        }
        match entry(&row, &field_column, width, csv) {
            Ok(entry) => parsed.entries.push(entry),
            Err(problem) => parsed.problems.push(problem),
        }
    }
    Ok(parsed)
}

/// One row's force, or what is wrong with the row.
fn entry(row: &Row, field_column: &[Option<usize>; 4], width: usize, csv: bool) -> Result<Entry, Problem> {
    if field_column[2].and_then(|i| row.cells.get(i)) == Some(&Cell::NoText) {
        return Err(super::white_url(row.at, None));
    }
    entry_of(row, field_column, width, csv).map_err(|message| Problem::at(row.at, message, None))
}

fn entry_of(row: &Row, field_column: &[Option<usize>; 4], width: usize, csv: bool) -> Result<Entry, String> {
    let n = row.cells.len();
    let beyond = row.cells.iter().skip(width).any(|c| !c.is_blank());
    if csv && (beyond || n < width) {
        return Err(format!("{n} cells, but the header names {width} columns"));
    }
    if beyond {
        return Err(format!("a cell right of the {width} columns the header names"));
    }
    let cell = |k: usize| -> Result<Option<String>, String> {
        let Some(i) = field_column[k] else { return Ok(None) };
        match row.cells.get(i) {
            None | Some(Cell::NoText) => Ok(Some(String::new())),
            Some(Cell::Text(t)) if csv => Ok(Some(csv_unsafe(t))),
            Some(Cell::Text(t)) => Ok(Some(t.clone())),
            Some(Cell::Formula(f)) => Err(format!(
                "the {} is a formula ({}); import reads values, not formulas",
                FIELDS[k],
                quoted(f)
            )),
            Some(Cell::Other(what)) => Err(format!("the {} is {what}, not text", FIELDS[k])),
        }
    };
    let (slug, name, url, status) = (cell(0)?, cell(1)?, cell(2)?, cell(3)?);
    // an empty slug cell (a new row in a sheet of slugs) leaves the name to find the force
    let slug = slug.filter(|s| !s.is_empty());
    if slug.is_none() && name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err("no slug and no name; a force needs one or the other, to say which it is".into());
    }
    let status = match status {
        Some(s) if s.trim().is_empty() => None,
        Some(s) => Some(status_of(&s)?),
        None => None,
    };
    Ok(Entry { at: row.at, slug, name, url: url.map(|u| Some(u).filter(|u| !u.is_empty())), status })
}
