//! The directory as a file: `admin export` writes it as JSON or CSV, `admin import` reads either
//! back, refuses a malformed file whole (naming the line and the reason), and applies the
//! difference as ordinary audited changes in one transaction.
use std::collections::HashMap;
use std::path::Path;

use std::io::Read;

use anyhow::Result;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::db::forces;
use crate::exit_codes::{bad, bad_hint};
use crate::model::ForceStatus;
use crate::output;
use crate::publish::{csv_guarded, csv_safe};
use crate::validate::{self, look_key, quoted};

mod apply;

pub use apply::{apply, Applied, Imported};

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
        .map(|e| Record { slug: e.slug, name: e.name, url: e.url, status: e.status })
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
/// JSON record has no line of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Line(usize),
    Record(usize),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Record(n) => write!(f, "record {n}"),
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

/// An import file, checked: its records, and the fields that no record gives (a CSV without the
/// column), which import reports as left as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub left_out: Vec<&'static str>,
}

/// Read and check an import file: the whole file is refused at its first problem. A file that
/// is not a regular file (a pipe, a FIFO, a device) is read only up to the same limit.
pub fn read(path: &Path, allow_http: bool) -> Result<Parsed> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        bad_hint(format!("cannot read `{shown}`: {e}"), "give the path of a file made by `admin export`")
    })?;
    if meta.is_dir() {
        return Err(bad(format!("`{shown}` is a directory, not an import file")));
    }
    let too_big = || {
        bad_hint(
            format!("`{shown}` is more than {MAX_IMPORT_BYTES} bytes, the most an import reads"),
            "split the file; nothing was imported",
        )
    };
    if meta.is_file() && meta.len() > MAX_IMPORT_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_IMPORT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| bad(format!("cannot read `{shown}`: {e}")))?;
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(too_big());
    }
    let format = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("json") => Some(Format::Json),
        Some("csv") => Some(Format::Csv),
        _ => None,
    };
    parse(&bytes, format, allow_http).map_err(|e| match e.downcast::<crate::exit_codes::BadInput>() {
        Ok(b) => {
            crate::exit_codes::BadInput { message: format!("`{shown}` {}", b.message), hint: b.hint }.into()
        }
        Err(e) => e,
    })
}

/// Parse and check the bytes of an import file; `format` from the file name, else sniffed.
/// Every problem is `BadInput` naming the line (CSV) or the record (JSON).
pub fn parse(bytes: &[u8], format: Option<Format>, allow_http: bool) -> Result<Parsed> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        bad_hint(format!("line {line}: not valid UTF-8"), "save the file as UTF-8")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let format =
        format.unwrap_or(if text.trim_start().starts_with(['{', '[']) { Format::Json } else { Format::Csv });
    let parsed = match format {
        Format::Json => parse_json(text),
        Format::Csv => parse_csv(text),
    }
    .map_err(|e| bad_hint(e, NOTHING_IMPORTED))?;
    check(&parsed.entries, allow_http)?;
    Ok(parsed)
}

/// A JSON object's members in file order, repeats kept, so that a repeated key is refused
/// rather than silently won by its last value.
struct Members(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a force: an object with slug, name, url, status")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

fn known_fields() -> String {
    format!("{}, {}, {} and {}", FIELDS[0], FIELDS[1], FIELDS[2], FIELDS[3])
}

fn parse_json(text: &str) -> std::result::Result<Parsed, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        forces: Vec<Members>,
    }
    // syntax errors have only a line; everything after them is named by record
    let file: File = serde_json::from_str(text).map_err(|e| format!("line {}: {e}", e.line()))?;
    let mut entries = Vec::with_capacity(file.forces.len());
    let mut given = [false; 4];
    for (i, Members(members)) in file.forces.into_iter().enumerate() {
        let at = Place::Record(i + 1);
        let mut fields: [Option<serde_json::Value>; 4] = Default::default();
        for (key, value) in members {
            let Some(k) = FIELDS.iter().position(|f| *f == key) else {
                return Err(format!(
                    "{at}: unknown key {}; a force has only {}",
                    quoted(&key),
                    known_fields()
                ));
            };
            if fields[k].replace(value).is_some() {
                return Err(format!("{at}: the key {} is given twice", quoted(&key)));
            }
            given[k] = true;
        }
        let [slug, name, url, status] = fields;
        let text = |field: &str, value: serde_json::Value| match value {
            serde_json::Value::String(s) => Ok(s),
            other => Err(format!("{at}: {field} must be text, not {}", json_kind(&other))),
        };
        let slug = slug.map(|v| text("slug", v)).transpose()?;
        let name = name.map(|v| text("name", v)).transpose()?;
        if slug.is_none() && name.is_none() {
            return Err(format!(
                "{at}: no slug and no name; a force needs one or the other, to say which it is"
            ));
        }
        let url = match url {
            None => None,
            Some(serde_json::Value::Null) => Some(None),
            Some(value) => Some(Some(text("url", value)?).filter(|u| !u.is_empty())),
        };
        let status = status.map(|v| text("status", v).and_then(|s| status_of(&s, at))).transpose()?;
        entries.push(Entry { at, slug, name, url, status });
    }
    // with no records, no field is left out of every record that is there; a slug is never
    // changed by an import, so it is not "left as it is" either
    let left_out = if entries.is_empty() {
        Vec::new()
    } else {
        FIELDS.iter().zip(given).skip(1).filter(|(_, g)| !g).map(|(f, _)| *f).collect()
    };
    Ok(Parsed { entries, left_out })
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "true or false",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "text",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

fn status_of(text: &str, at: Place) -> std::result::Result<ForceStatus, String> {
    ForceStatus::parse(text.trim())
        .ok_or_else(|| format!("{at}: the status {} is neither active nor retired", quoted(text)))
}

fn parse_csv(text: &str) -> std::result::Result<Parsed, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| format!("line 1: {e}"))?.clone();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(format!(
            "line 1: no header; the first line names the columns, e.g. {}",
            FIELDS.join(",")
        ));
    }
    // which column holds each field, if any
    let mut column: [Option<usize>; 4] = [None; 4];
    for (i, header) in headers.iter().enumerate() {
        let Some(k) = FIELDS.iter().position(|f| *f == header.trim()) else {
            return Err(format!(
                "line 1: unknown column {}; the columns are {}",
                quoted(header),
                known_fields()
            ));
        };
        if column[k].replace(i).is_some() {
            return Err(format!("line 1: the column {} is there twice", quoted(header)));
        }
    }
    if column[0].is_none() && column[1].is_none() {
        return Err(
            "line 1: no slug or name column; every row needs one or the other, to say which force it is"
                .into(),
        );
    }
    let mut entries = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| match e.position() {
            Some(p) => format!("line {}: {e}", p.line()),
            None => e.to_string(),
        })?;
        let at = Place::Line(row.position().map_or(0, |p| p.line() as usize));
        let cell = |k: usize| column[k].map(|i| csv_unsafe(&row[i]));
        let status = match cell(3) {
            Some(s) if s.trim().is_empty() => None,
            Some(s) => Some(status_of(&s, at)?),
            None => None,
        };
        entries.push(Entry {
            at,
            slug: cell(0),
            name: cell(1),
            url: cell(2).map(|u| Some(u).filter(|u| !u.is_empty())),
            status,
        });
    }
    let left_out = FIELDS.iter().zip(column).skip(1).filter(|(_, c)| c.is_none()).map(|(f, _)| *f).collect();
    Ok(Parsed { entries, left_out })
}

/// A problem with the record at `at`: `BadInput` naming the place, keeping the hint of a
/// validation error (e.g. "pass --allow-http") where it has one.
fn at_place(at: Place, err: anyhow::Error) -> anyhow::Error {
    let hint = err
        .downcast_ref::<crate::exit_codes::BadInput>()
        .and_then(|b| b.hint.clone())
        .unwrap_or_else(|| NOTHING_IMPORTED.to_owned());
    bad_hint(format!("{at}: {err:#}"), hint)
}

const NOTHING_IMPORTED: &str = "fix the file; nothing was imported";

/// Validate every record and refuse duplicates within the file.
fn check(entries: &[Entry], allow_http: bool) -> Result<()> {
    let mut slugs: HashMap<&str, Place> = HashMap::new();
    let mut names: HashMap<String, (Place, String)> = HashMap::new();
    for entry in entries {
        let at = entry.at;
        if let Some(slug) = &entry.slug {
            validate::slug(slug).map_err(|e| at_place(at, e))?;
            if let Some(first) = slugs.insert(slug, at) {
                return Err(bad_hint(
                    format!("{at}: the slug `{slug}` is also on {first}"),
                    NOTHING_IMPORTED,
                ));
            }
        }
        if let Some(Some(url)) = &entry.url {
            // only an empty cell or null clears: a cell of spaces is a mistake, as `set-url " "` is
            if url.trim().is_empty() {
                let points: Vec<String> = url.chars().map(|c| format!("U+{:04X}", u32::from(c))).collect();
                return Err(bad_hint(
                    format!("{at}: the URL is only white space ({})", output::prefix(&points.join(" "), 60)),
                    "leave it empty (in JSON, null) to remove the force's link; nothing was imported",
                ));
            }
            validate::force_url(url, allow_http).map_err(|e| at_place(at, e))?;
        }
        if let Some(name) = &entry.name {
            let name = validate::force_name(name).map_err(|e| at_place(at, e))?;
            if let Some((first, other)) = names.insert(look_key(&name), (at, name.clone())) {
                let what = if other == name {
                    format!("{at}: the name {} is also on {first}", quoted(&name))
                } else {
                    format!(
                        "{at}: the name {} is also on {first}, as {} (names that look alike are one name)",
                        quoted(&name),
                        quoted(&other)
                    )
                };
                return Err(bad_hint(what, NOTHING_IMPORTED));
            }
        }
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
