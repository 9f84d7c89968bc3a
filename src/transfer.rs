//! The directory as a file: `admin export` writes it as JSON or CSV, `admin import` reads either
//! back, refuses a malformed file whole (naming the line and the reason), and applies the
//! difference as ordinary audited changes in one transaction.
use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::audit::Action;
use crate::db::forces;
use crate::directory::{self, Actor, Outcome};
use crate::exit_codes::{bad, bad_hint};
use crate::model::{Change, Force, ForceStatus};
use crate::publish::{csv_guarded, csv_safe};
use crate::validate::{self, name_key, quoted};

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

/// Read and check an import file: the whole file is refused at its first problem.
pub fn read(path: &Path) -> Result<Vec<Record>> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        bad_hint(format!("cannot read `{shown}`: {e}"), "give the path of a file made by `admin export`")
    })?;
    if meta.is_dir() {
        return Err(bad(format!("`{shown}` is a directory, not an import file")));
    }
    if meta.len() > MAX_IMPORT_BYTES {
        return Err(bad(format!(
            "`{shown}` is {} bytes; the most an import reads is {MAX_IMPORT_BYTES} bytes",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read `{shown}`: {e}")))?;
    let format = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("json") => Some(Format::Json),
        Some("csv") => Some(Format::Csv),
        _ => None,
    };
    parse(&bytes, format).map_err(|e| match e.downcast::<crate::exit_codes::BadInput>() {
        Ok(b) => {
            crate::exit_codes::BadInput { message: format!("`{shown}` {}", b.message), hint: b.hint }.into()
        }
        Err(e) => e,
    })
}

/// Parse and check the bytes of an import file; `format` from the file name, else sniffed.
/// Every problem is `BadInput` naming the line.
pub fn parse(bytes: &[u8], format: Option<Format>) -> Result<Vec<Record>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        bad_hint(format!("line {line}: not valid UTF-8"), "save the file as UTF-8")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let format =
        format.unwrap_or(if text.trim_start().starts_with(['{', '[']) { Format::Json } else { Format::Csv });
    let records = match format {
        Format::Json => parse_json(text),
        Format::Csv => parse_csv(text),
    }
    .map_err(bad)?;
    check(&records).map_err(|e| bad_hint(e, "fix the file; nothing was imported"))?;
    Ok(records.into_iter().map(|(_, r)| r).collect())
}

type Numbered = Vec<(usize, Record)>;

fn parse_json(text: &str) -> std::result::Result<Numbered, String> {
    #[derive(Deserialize)]
    struct File {
        forces: Vec<Record>,
    }
    let file: File = serde_json::from_str(text).map_err(|e| format!("line {}: {e}", e.line()))?;
    // JSON records have no line of their own; number them by position
    Ok(file.forces.into_iter().enumerate().map(|(i, r)| (i + 1, r)).collect())
}

fn parse_csv(text: &str) -> std::result::Result<Numbered, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| format!("line 1: {e}"))?.clone();
    let want = ["slug", "name", "url", "status"];
    if headers.iter().map(str::trim).collect::<Vec<_>>() != want {
        return Err(format!(
            "line 1: the columns are {:?}; an import needs exactly {}",
            headers.iter().collect::<Vec<_>>(),
            want.join(",")
        ));
    }
    let mut records = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| match e.position() {
            Some(p) => format!("line {}: {e}", p.line()),
            None => e.to_string(),
        })?;
        let line = row.position().map_or(0, |p| p.line() as usize);
        let status = match row[3].trim() {
            "" | "active" => ForceStatus::Active,
            "retired" => ForceStatus::Retired,
            other => {
                return Err(format!(
                    "line {line}: the status {} is neither active nor retired",
                    quoted(other)
                ))
            }
        };
        let url = csv_unsafe(&row[2]);
        records.push((
            line,
            Record {
                slug: csv_unsafe(&row[0]),
                name: csv_unsafe(&row[1]),
                url: if url.trim().is_empty() { None } else { Some(url) },
                status,
            },
        ));
    }
    Ok(records)
}

/// Validate every record and refuse duplicates within the file.
fn check(records: &Numbered) -> std::result::Result<(), String> {
    let mut slugs: HashMap<&str, usize> = HashMap::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for (line, record) in records {
        let at = |e: anyhow::Error| format!("line {line}: {e:#}");
        validate::slug(&record.slug).map_err(at)?;
        let name = validate::force_name(&record.name).map_err(at)?;
        if let Some(url) = &record.url {
            validate::force_url(url, false).map_err(at)?;
        }
        if let Some(first) = slugs.insert(&record.slug, *line) {
            return Err(format!("line {line}: the slug `{}` is also on line {first}", record.slug));
        }
        if let Some(first) = names.insert(name_key(&name), *line) {
            return Err(format!("line {line}: the name {} is also on line {first}", quoted(&name)));
        }
    }
    Ok(())
}

/// What import did for one force.
#[derive(Debug)]
pub struct Applied {
    pub slug: String,
    pub change: Change,
}

/// Apply the file's difference from the database as `import` changes. Forces missing from the
/// file are left as they are. Returns the changes made, in file order.
pub fn apply(conn: &Connection, actor: &Actor, records: &[Record]) -> Result<Vec<Applied>> {
    let mut applied = Vec::new();
    for record in records {
        let url = record.url.as_deref().map(|u| validate::force_url(u, false)).transpose()?;
        match forces::by_slug(conn, &record.slug)? {
            None => {
                let (force, change) = directory::add_force_with_status(
                    conn,
                    actor,
                    Action::Import,
                    &record.name,
                    Some(&record.slug),
                    url,
                    record.status,
                )?;
                applied.push(Applied { slug: force.slug, change });
            }
            Some(before) => {
                let after = Force {
                    name: validate::force_name(&record.name)?,
                    url,
                    status: record.status,
                    ..before.clone()
                };
                if let Outcome::Changed(change) =
                    directory::apply(conn, actor, Action::Import, &before, &after)?
                {
                    applied.push(Applied { slug: before.slug.clone(), change: *change });
                }
            }
        }
    }
    Ok(applied)
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
        let json = to_json(&records).unwrap();
        assert_eq!(parse(&json, None).unwrap(), records);
        let csv = to_csv(&records).unwrap();
        assert_eq!(parse(&csv, Some(Format::Csv)).unwrap(), records);
    }
}
