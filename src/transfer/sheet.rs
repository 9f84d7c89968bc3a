//! Import's spreadsheets: an `.xlsx` or `.ods` file's first sheet, as a table of cells (read
//! with calamine). A spreadsheet is a zip archive, so what it unpacks to is bounded before it is
//! read (a small file can unpack to gigabytes), and so is how far an `.ods` sheet's repeated
//! rows and columns spread (a row of one cell can stand for a million).
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Data, DataRef, Ods, Reader, Xlsx};

use super::table::{Cell, Row, Table};
use super::{Place, Problem};
use crate::files::MAX_SITE_FILE;

/// The most a spreadsheet's archive may unpack to, all its members together.
const MAX_UNPACKED: u64 = MAX_SITE_FILE;

/// The most cells an `.ods` sheet may spread over (its rows from the first with something in
/// it to the last, by its columns to the last with something in it), and the most an `.xlsx`
/// sheet may fill: far more than a directory needs.
const MAX_CELLS: u64 = 1_000_000;

fn too_many() -> Vec<Problem> {
    refused(
        format!("has sheets that spread over more than {MAX_CELLS} cells (repeated rows or columns)"),
        "keep only the forces' rows and columns in the sheet; nothing was imported",
    )
}

const NOTHING: &str = "nothing was imported";

fn refused(message: impl Into<String>, hint: &str) -> Vec<Problem> {
    vec![Problem::file(message, hint)]
}

/// The table of the spreadsheet in `bytes` (which start as a zip archive does).
pub(super) fn read(bytes: &[u8]) -> Result<Table, Vec<Problem>> {
    let not_sheet = "import reads .xlsx, .ods, CSV and JSON; save the sheet as one of them";
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        refused(
            format!("is not a readable zip archive ({e}), so not an .xlsx or .ods spreadsheet"),
            not_sheet,
        )
    })?;
    unpacked_size(&mut archive)?;
    let names: Vec<String> = archive.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    let cells = if has("xl/workbook.xml") {
        xlsx(bytes)?
    } else if has("content.xml") && is_ods(&mut archive) {
        let mut content = Vec::new();
        let read = archive
            .by_name("content.xml")
            .and_then(|f| Ok(f.take(MAX_UNPACKED).read_to_end(&mut content)?));
        read.map_err(|e| refused(format!("cannot be read as an .ods spreadsheet: {e}"), NOTHING))?;
        ods_spread(&content)?;
        ods(bytes)?
    } else {
        return Err(refused("is a zip archive, but not an .xlsx or .ods spreadsheet", not_sheet));
    };
    table(cells.0, &cells.1)
}

/// Refuse an archive that unpacks to more than `MAX_UNPACKED`, counting what each member
/// really unpacks to (its recorded size may lie), and one with a member it cannot unpack.
fn unpacked_size(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<(), Vec<Problem>> {
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(|e| {
            refused(
                format!("holds a member that cannot be unpacked ({e})"),
                "save the spreadsheet again, without a password",
            )
        })?;
        let left = MAX_UNPACKED - total;
        let n = std::io::copy(&mut (&mut member).take(left + 1), &mut std::io::sink())
            .map_err(|e| refused(format!("holds a member that cannot be unpacked ({e})"), NOTHING))?;
        total += n;
        if total > MAX_UNPACKED {
            return Err(refused(
                format!("unpacks to more than {MAX_UNPACKED} bytes, the most an import unpacks"),
                "import the sheet as CSV, or split it; nothing was imported",
            ));
        }
    }
    Ok(())
}

fn is_ods(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> bool {
    let mut mime = String::new();
    archive
        .by_name("mimetype")
        .and_then(|f| Ok(f.take(200).read_to_string(&mut mime)?))
        .is_ok_and(|_| mime.trim() == "application/vnd.oasis.opendocument.spreadsheet")
}

/// A sheet's cells by (row, column), both from 0, and the sheet's name.
type Cells = (BTreeMap<(u32, u32), Cell>, String);

fn xlsx(bytes: &[u8]) -> Result<Cells, Vec<Problem>> {
    let unreadable =
        |e: calamine::XlsxError| refused(format!("cannot be read as an .xlsx spreadsheet: {e}"), NOTHING);
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let Some(name) = book.sheet_names().into_iter().next() else {
        return Err(refused("has no sheet", NOTHING));
    };
    let mut cells = BTreeMap::new();
    // one cell at a time: a sheet's range is never laid out whole (a cell at A1 and one at
    // XFD1048576 would make one of 17 billion cells)
    let mut reader = book.worksheet_cells_reader(&name).map_err(unreadable)?;
    while let Some(cell) = reader.next_cell_with_formula().map_err(unreadable)? {
        let value = match (cell.formula, cell.value) {
            (Some(formula), _) if !formula.is_empty() => Cell::Formula(format!("={formula}")),
            (_, DataRef::Empty) => continue,
            (_, DataRef::String(s)) if s.is_empty() => Cell::NoText,
            (_, DataRef::SharedString("")) => Cell::NoText,
            (_, DataRef::String(s)) => Cell::Text(s),
            (_, DataRef::SharedString(s)) => Cell::Text(s.to_owned()),
            (_, DataRef::Int(n)) => Cell::Other(format!("a number ({n})")),
            (_, DataRef::Float(n)) => Cell::Other(format!("a number ({n})")),
            (_, DataRef::Bool(b)) => Cell::Other(format!("true or false ({b})")),
            (_, DataRef::DateTime(d)) => Cell::Other(format!("a date or time ({})", d.as_f64())),
            (_, DataRef::DateTimeIso(d)) => Cell::Other(format!("a date or time ({d})")),
            (_, DataRef::DurationIso(d)) => Cell::Other(format!("a duration ({d})")),
            (_, DataRef::Error(e)) => Cell::Other(format!("an error value ({e})")),
        };
        cells.insert(cell.pos, value);
        if cells.len() as u64 > MAX_CELLS {
            return Err(too_many());
        }
    }
    Ok((cells, name))
}

fn ods(bytes: &[u8]) -> Result<Cells, Vec<Problem>> {
    let unreadable =
        |e: calamine::OdsError| refused(format!("cannot be read as an .ods spreadsheet: {e}"), NOTHING);
    let mut book = Ods::new(Cursor::new(bytes)).map_err(unreadable)?;
    let Some(name) = book.sheet_names().into_iter().next() else {
        return Err(refused("has no sheet", NOTHING));
    };
    let values = book.worksheet_range(&name).map_err(unreadable)?;
    let formulas = book.worksheet_formula(&name).map_err(unreadable)?;
    let mut cells = BTreeMap::new();
    let at = |start: Option<(u32, u32)>, row: usize, col: usize| {
        let (r, c) = start.unwrap_or_default();
        (r + row as u32, c + col as u32)
    };
    for (row, col, value) in values.cells() {
        let value = match value {
            Data::Empty => continue,
            Data::String(s) if s.is_empty() => Cell::NoText,
            Data::String(s) => Cell::Text(s.clone()),
            Data::Int(n) => Cell::Other(format!("a number ({n})")),
            Data::Float(n) => Cell::Other(format!("a number ({n})")),
            Data::Bool(b) => Cell::Other(format!("true or false ({b})")),
            Data::DateTime(d) => Cell::Other(format!("a date or time ({})", d.as_f64())),
            Data::DateTimeIso(d) => Cell::Other(format!("a date or time ({d})")),
            Data::DurationIso(d) => Cell::Other(format!("a duration ({d})")),
            Data::Error(e) => Cell::Other(format!("an error value ({e})")),
        };
        cells.insert(at(values.start(), row, col), value);
    }
    for (row, col, formula) in formulas.cells() {
        if !formula.is_empty() {
            let shown = formula.strip_prefix("of:").unwrap_or(formula);
            cells.insert(at(formulas.start(), row, col), Cell::Formula(shown.to_owned()));
        }
    }
    Ok((cells, name))
}

/// Refuse an `.ods` whose sheets, their repeated rows and columns laid out, would spread over
/// more than `MAX_CELLS` cells: what calamine lays out is bounded by this before it reads them.
fn ods_spread(content: &[u8]) -> Result<(), Vec<Problem>> {
    use quick_xml::events::{BytesStart, Event};
    let repeat = |e: &BytesStart, key: &str| -> u64 {
        e.try_get_attribute(key).ok().flatten().and_then(|a| a.value.trim().parse().ok()).unwrap_or(1)
    };
    let mut reader = quick_xml::Reader::from_reader(content);
    let mut buf = Vec::new();
    let (mut total, mut row, mut first, mut last, mut widest) = (0u64, 0u64, None::<u64>, 0u64, 0u64);
    let (mut col, mut rows_here, mut filled) = (0u64, 1u64, false);
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| refused(format!("cannot be read as an .ods spreadsheet: {e}"), NOTHING))?;
        let start = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table" => (row, first, last, widest) = (0, None, 0, 0),
                "table:table-row" => {
                    (col, rows_here, filled) = (0, repeat(&e, "table:number-rows-repeated"), false);
                    if !start {
                        row = row.saturating_add(rows_here);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let n = repeat(&e, "table:number-columns-repeated");
                    if start || e.try_get_attribute("office:value-type").ok().flatten().is_some() {
                        widest = widest.max(col.saturating_add(n));
                        filled = true;
                    }
                    col = col.saturating_add(n);
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "table:table-row" => {
                    if filled {
                        first.get_or_insert(row);
                        last = row.saturating_add(rows_here);
                    }
                    row = row.saturating_add(rows_here);
                }
                "table:table" => {
                    if let Some(first) = first {
                        total = total.saturating_add((last - first).saturating_mul(widest));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        if total > MAX_CELLS {
            return Err(too_many());
        }
        buf.clear();
    }
    Ok(())
}

/// The table of a sheet's cells: its first row with anything in it is the header. A row below
/// is laid out only as wide as the header, and one cell further if it has anything there (for
/// the row's problem): a cell in the sheet's last column does not make a row of 16,384 cells.
fn table(cells: BTreeMap<(u32, u32), Cell>, sheet: &str) -> Result<Table, Vec<Problem>> {
    let mut rows: BTreeMap<u32, Vec<(u32, Cell)>> = BTreeMap::new();
    for ((r, c), cell) in cells {
        rows.entry(r).or_default().push((c, cell));
    }
    let lay_out = |r: u32, cells: Vec<(u32, Cell)>, most: usize| {
        let width = cells.last().map_or(0, |(c, _)| *c as usize + 1).min(most);
        let mut row = vec![Cell::Text(String::new()); width];
        for (c, cell) in cells {
            // a cell further right than the row is laid out stands in its last place
            if let Some(slot) = row.get_mut((c as usize).min(width.saturating_sub(1))) {
                *slot = cell;
            }
        }
        Row { at: Place::Row(r as usize + 1), cells: row }
    };
    let mut rows = rows.into_iter();
    let Some((r, cells)) = rows.next() else {
        return Err(refused(
            format!("has nothing in its first sheet ({})", crate::validate::quoted(sheet)),
            "put the forces on the first sheet, under a header row (name, url, …); nothing was imported",
        ));
    };
    let header = lay_out(r, cells, usize::MAX);
    let most = header.cells.len() + 1;
    let mut laid_out = header.cells.len() as u64;
    let mut below = Vec::new();
    for (r, cells) in rows {
        let row = lay_out(r, cells, most);
        laid_out += row.cells.len() as u64;
        if laid_out > 2 * MAX_CELLS {
            return Err(too_many());
        }
        below.push(row);
    }
    Ok(Table { header, rows: below })
}
