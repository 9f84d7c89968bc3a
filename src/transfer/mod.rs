//! The directory as a file: `admin export` writes it as JSON or CSV; `admin import` reads that
//! back, the site's own `forces.json` and `forces.csv`, a CSV of any of the usual separators and
//! headers, or an `.xlsx` or `.ods` spreadsheet. A file with problems is refused whole, every
//! problem named with its line (or record, or row) at once, and otherwise its difference is
//! applied as ordinary audited changes in one transaction.
use std::collections::HashMap;
use std::path::Path;

use std::io::Read;

use anyhow::Result;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::db::forces;
use crate::exit_codes::{bad, bad_hint, BadInput};
use crate::model::ForceStatus;
use crate::output;
use crate::publish::{csv_guarded, csv_safe};
use crate::validate::{self, look_key};

mod apply;
mod json;
mod names;
mod problems;
mod sheet;
mod table;

pub use apply::{apply, Applied, Imported};
pub use names::find_named;
pub use problems::{Problem, Problems};

/// The largest import file read.
pub const MAX_IMPORT_BYTES: u64 = 20 * 1024 * 1024;

/// One force in an export or import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default = "active")]
    pub status: ForceStatus,
}

fn active() -> ForceStatus {
    ForceStatus::Active
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// Every force, active and retired, sorted by name.
pub fn records(conn: &Connection) -> Result<Vec<Record>> {
    Ok(forces::list(conn, true)?
        .into_iter()
        .map(|e| Record {
            slug: e.slug.into_owned(),
            name: e.name.into_owned(),
            url: e.url.map(std::borrow::Cow::into_owned),
            status: e.status,
        })
        .collect())
}

pub fn to_json(records: &[Record]) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(&serde_json::json!({ "forces": records }))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// CSV with a header, formula-safe (a cell starting `=`, `+`, `-`, `@` gets a leading `'`, which
/// import removes again).
pub fn to_csv(records: &[Record]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["slug", "name", "url", "status"])?;
    for r in records {
        writer.write_record([
            csv_safe(&r.slug),
            csv_safe(&r.name),
            csv_safe(r.url.as_deref().unwrap_or("")),
            r.status.as_str().to_owned(),
        ])?;
    }
    writer.into_inner().map_err(|e| anyhow::anyhow!("failed to write CSV: {e}"))
}

/// Undo `csv_safe`.
fn csv_unsafe(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if csv_guarded(rest) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

/// The fields of a record, in export order. A record needs a `slug` or a `name` to say which
/// force it is; a field a file leaves out is left as it is.
pub const FIELDS: [&str; 4] = ["slug", "name", "url", "status"];

/// Where a record is in its file: CSV rows by line, JSON records by position (1-based), since a
/// JSON record has no line of its own, and a spreadsheet's by its row number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    Line(usize),
    Record(usize),
    Row(usize),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Record(n) => write!(f, "record {n}"),
            Place::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// One force as an import file gives it: only what the file says. `None` is "left out: leave
/// it as it is"; `url: Some(None)` is an explicit `null` or empty cell: clear the URL. Without a
/// slug, the name says which force it is (a spreadsheet of `name,url`), and never renames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: Place,
    pub slug: Option<String>,
    pub name: Option<String>,
    pub url: Option<Option<String>>,
    pub status: Option<ForceStatus>,
}

impl Entry {
    /// The whole record, when the file gave every field.
    pub fn complete(&self) -> Option<Record> {
        Some(Record {
            slug: self.slug.clone()?,
            name: self.name.clone()?,
            url: self.url.clone()?,
            status: self.status?,
        })
    }
}

/// An import file, checked: its good records; the fields that no record gives (a CSV without the
/// column), which import reports as left as they are; what the file holds that import does not
/// change (the site's own `notes` and `data_to`, by which a published site file is known); and
/// the problems of its other records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub left_out: Vec<&'static str>,
    pub not_imported: Vec<&'static str>,
    pub problems: Vec<Problem>,
}

impl Parsed {
    /// Whether the file is recognisably a published site's `forces.csv` or `forces.json`: it
    /// holds the site's own `notes` or `data_to`, which an export and a spreadsheet do not.
    pub fn is_site_file(&self) -> bool {
        !self.not_imported.is_empty()
    }
}

/// Read and check an import file. A problem that stops the file being read at all (not UTF-8
/// and not a spreadsheet, an unknown column) is an error, every such problem in it named;
/// problems of single records are in `Parsed::problems`, for import to report with those it
/// finds against the database. Only a regular file (or a symlink to one) is read, and `-`, the
/// standard input, up to the same limit: a FIFO, a socket, a device or a directory is refused
/// by name before it is opened, since reading one may never end.
pub fn read(path: &Path, allow_http: bool) -> Result<Parsed> {
    let shown = path.display().to_string();
    let too_big = || {
        bad_hint(
            format!("`{shown}` is more than {MAX_IMPORT_BYTES} bytes, the most an import reads"),
            "split the file; nothing was imported",
        )
    };
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_IMPORT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(format!("cannot read the standard input: {e}")))?;
    } else {
        let file = open_regular(path, &shown)?;
        if file.metadata().map(|m| m.len()).unwrap_or(0) > MAX_IMPORT_BYTES {
            return Err(too_big());
        }
        file.take(MAX_IMPORT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(format!("cannot read `{shown}`: {e}")))?;
    }
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(too_big());
    }
    let format = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("json") => Some(Format::Json),
        Some("csv" | "tsv") => Some(Format::Csv),
        _ => None,
    };
    let mut parsed =
        parse_all(&bytes, format).map_err(|list| anyhow::Error::from(Problems::new(&shown, list)))?;
    check(&mut parsed, allow_http);
    Ok(parsed)
}

/// What a file that is not a regular file is, in words.
fn kind_of(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// Open `path` for reading only if it is a regular file, or a symlink to one: its type is
/// checked before it is opened, and again on what was opened (without blocking, so that a FIFO
/// put in its place meanwhile is refused, not waited on).
fn open_regular(path: &Path, shown: &str) -> Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let hint = "give the path of a file made by `admin export`, a spreadsheet, or `-` for the standard input";
    let cannot = |e: std::io::Error| bad_hint(format!("cannot read `{shown}`: {e}"), hint);
    let link = std::fs::symlink_metadata(path).map_err(cannot)?;
    let target =
        if link.file_type().is_symlink() { std::fs::metadata(path).map_err(cannot)? } else { link.clone() };
    let refuse = |kind: std::fs::FileType| {
        let via = if link.file_type().is_symlink() { "a symlink to " } else { "" };
        bad_hint(format!("`{shown}` is {via}{}, not an import file", kind_of(kind)), hint)
    };
    if !target.file_type().is_file() {
        return Err(refuse(target.file_type()));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
        .map_err(cannot)?;
    let opened = file.metadata().map_err(cannot)?;
    if !opened.file_type().is_file() {
        return Err(refuse(opened.file_type()));
    }
    Ok(file)
}

/// Parse and check the bytes of an import file, refused at any problem (`Problems`, with no
/// file name); `format` from the file name, else sniffed. A spreadsheet is known by its bytes.
pub fn parse(bytes: &[u8], format: Option<Format>, allow_http: bool) -> Result<Parsed> {
    let mut parsed = parse_all(bytes, format).map_err(|list| anyhow::Error::from(Problems::new("", list)))?;
    check(&mut parsed, allow_http);
    if !parsed.problems.is_empty() {
        return Err(Problems::new("", std::mem::take(&mut parsed.problems)).into());
    }
    Ok(parsed)
}

/// What kind of file the bytes are, by their content: a zip archive is a spreadsheet whatever
/// its name; text is JSON or CSV (the name's `format`, else JSON if it starts as JSON does).
fn parse_all(bytes: &[u8], format: Option<Format>) -> std::result::Result<Parsed, Vec<Problem>> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return table::from_table(sheet::read(bytes)?, false);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return vec![Problem::file(
                "is an old Excel workbook (.xls), which import does not read",
                "save it as .xlsx, .ods or CSV; nothing was imported",
            )];
        }
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        vec![Problem::at(
            Place::Line(line),
            "not valid UTF-8, and not an .xlsx or .ods spreadsheet",
            Some("save the file as UTF-8 CSV, .xlsx or .ods".into()),
        )]
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let format =
        format.unwrap_or(if text.trim_start().starts_with(['{', '[']) { Format::Json } else { Format::Csv });
    match format {
        Format::Json => json::parse(text),
        Format::Csv => table::from_table(table::csv_table(text)?, true),
    }
}

fn status_of(text: &str) -> std::result::Result<ForceStatus, String> {
    // in any case: a spreadsheet's "Active" is active
    ForceStatus::parse(&text.trim().to_lowercase())
        .ok_or_else(|| format!("the status {} is neither active nor retired", validate::quoted(text)))
}

/// The hint of a problem that has none of its own.
pub const NOTHING_IMPORTED: &str = "fix the file; nothing was imported";

/// A record's problem from a validation error, keeping its hint (e.g. "pass --allow-http").
fn problem_of(at: Place, err: &anyhow::Error) -> Problem {
    let hint = err.chain().find_map(|c| c.downcast_ref::<BadInput>()).and_then(|b| b.hint.clone());
    Problem::at(at, format!("{err:#}"), hint)
}

/// Validate every record and refuse duplicates within the file: a record with a problem is
/// taken out of `entries`, its problem added to `problems`, so that all are named at once.
fn check(parsed: &mut Parsed, allow_http: bool) {
    let mut slugs: HashMap<String, Place> = HashMap::new();
    let mut names: HashMap<String, (Place, String)> = HashMap::new();
    let mut good = Vec::with_capacity(parsed.entries.len());
    for entry in std::mem::take(&mut parsed.entries) {
        match check_one(&entry, allow_http, &mut slugs, &mut names) {
            Ok(()) => good.push(entry),
            Err(problem) => parsed.problems.push(problem),
        }
    }
    parsed.entries = good;
    parsed.problems.sort_by_key(|p| p.at);
}

/// The problem of a URL of only white space, whichever kind of file holds it: `url` as read, or
/// `None` where a spreadsheet kept a text cell but not its spaces (an `.xlsx` cell of spaces
/// without `xml:space="preserve"`), so that no format takes it for an empty cell.
fn white_url(at: Place, url: Option<&str>) -> Problem {
    let what = match url {
        Some(url) => {
            let points: Vec<String> = url.chars().map(|c| format!("U+{:04X}", u32::from(c))).collect();
            output::prefix(&points.join(" "), 60).to_string()
        }
        None => "a text cell whose spaces the sheet did not keep".to_owned(),
    };
    Problem::at(
        at,
        format!("the URL is only white space ({what})"),
        Some("leave it empty (in JSON, null) to remove the force's link; nothing was imported".into()),
    )
}

fn check_one(
    entry: &Entry,
    allow_http: bool,
    slugs: &mut HashMap<String, Place>,
    names: &mut HashMap<String, (Place, String)>,
) -> std::result::Result<(), Problem> {
    let at = entry.at;
    if let Some(slug) = &entry.slug {
        validate::slug(slug).map_err(|e| problem_of(at, &e))?;
    }
    if let Some(Some(url)) = &entry.url {
        // only an empty cell or null clears: a cell of spaces is a mistake, as `set-url " "` is
        if url.trim().is_empty() {
            return Err(white_url(at, Some(url)));
        }
        validate::force_url(url, allow_http).map_err(|e| problem_of(at, &e))?;
    }
    let name = match &entry.name {
        Some(name) => Some(validate::force_name(name).map_err(|e| problem_of(at, &e))?),
        None => None,
    };
    if let Some(slug) = &entry.slug {
        if let Some(first) = slugs.get(slug) {
            return Err(Problem::at(at, format!("the slug `{slug}` is also on {first}"), None));
        }
        slugs.insert(slug.clone(), at);
    }
    if let Some(name) = name {
        // `&` and `and` are one name, as any two names that read alike are
        let key = look_key(&names::and_spelled(&name));
        if let Some((first, other)) = names.get(&key) {
            let what = if *other == name {
                format!("the name {} is also on {first}", validate::quoted(&name))
            } else {
                format!(
                    "the name {} is also on {first}, as {} (names that look alike are one name)",
                    validate::quoted(&name),
                    validate::quoted(other)
                )
            };
            return Err(Problem::at(at, what, None));
        }
        names.insert(key, (at, name));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `import` fuzz target's round-trip check: a name that itself starts with `'`
    /// and a formula character ("'=x") was exported unchanged, and import then took its `'` off.
    #[test]
    fn csv_export_keeps_leading_apostrophes() {
        let names = ["'=x", "''+y", "'''-z", "'@", "'Kent", "=Sum", "''"];
        let records: Vec<Record> = names
            .iter()
            .enumerate()
            .map(|(i, n)| Record {
                slug: format!("force-{i}"),
                name: (*n).to_owned(),
                url: None,
                status: ForceStatus::Active,
            })
            .collect();
        let complete = |bytes: &[u8], format| -> Vec<Record> {
            let parsed = parse(bytes, format, false).unwrap();
            parsed.entries.iter().map(|e| e.complete().unwrap()).collect()
        };
        assert_eq!(complete(&to_json(&records).unwrap(), None), records);
        assert_eq!(complete(&to_csv(&records).unwrap(), Some(Format::Csv)), records);
    }
}
