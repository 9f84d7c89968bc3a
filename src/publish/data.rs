//! The directory as data: `forces.json` and `forces.csv`, the files a reuser reads, and the
//! formula guard both the published CSV and `admin export` use.
use anyhow::{Context, Result};
use serde::Serialize;

use crate::content::Content;
use crate::model::AuditHead;

/// `forces.json`: the published directory. Fields are declared in sorted order: the file is
/// what serialising a `serde_json` object (keys sorted) gave, written from borrowed data rather
/// than a copy of every force as a `Value`.
pub(super) fn forces_json(
    out: &mut dyn std::io::Write,
    content: &Content,
    updated: &str,
    audit: Option<&AuditHead>,
) -> Result<()> {
    #[derive(Serialize)]
    struct File<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        audit: Option<&'a AuditHead>,
        forces: &'a [crate::content::PublicForce],
        notes: &'a [String],
        title: &'a str,
        updated: &'a str,
    }
    let file =
        File { audit, forces: &content.forces, notes: &content.notes, title: &content.heading, updated };
    serde_json::to_writer_pretty(&mut *out, &file)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// `forces.csv`: slug, name, url, notes (one per line in the cell), data_to (YYYY-MM-DD or
/// empty), formula-safe.
pub(super) fn forces_csv(out: &mut dyn std::io::Write, content: &Content) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["slug", "name", "url", "notes", "data_to"])?;
    for force in content.forces.iter() {
        let notes = force.notes.join("\n");
        writer.write_record([
            csv_safe(&force.slug),
            csv_safe(&force.name),
            csv_safe(force.url.as_deref().unwrap_or("")),
            csv_safe(&notes),
            csv_safe(force.data_to.as_deref().unwrap_or("")),
        ])?;
    }
    writer.flush().context("failed to write forces.csv")
}

/// Neutralise spreadsheet formula injection: a cell starting `=`, `+`, `-`, `@`, tab or
/// carriage return is prefixed with `'`, as OWASP recommends.
/// A cell that already starts with `'` before such a character is prefixed too, so that import can
/// take exactly one `'` off again.
pub fn csv_safe(cell: &str) -> String {
    if csv_guarded(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// Whether `csv_safe` prefixes this cell.
pub fn csv_guarded(cell: &str) -> bool {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => true,
        Some('\'') => csv_guarded(&cell[1..]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forces_json_is_what_a_sorted_json_object_gives() {
        let content = Content {
            heading: "Use of Force Data".into(),
            intro: vec!["Intro.".into()],
            notes: vec!["Page \"note\"".into()],
            forces: std::sync::Arc::new(vec![
                crate::content::PublicForce {
                    slug: "kent-police".into(),
                    name: "Kent Police".into(),
                    url: Some("https://example.org/<a>".into()),
                    notes: vec!["one".into(), "two\nlines".into()],
                    data_to: Some("2025-09-30".into()),
                },
                crate::content::PublicForce {
                    slug: "essex-police".into(),
                    name: "Essex Police".into(),
                    url: None,
                    notes: vec![],
                    data_to: None,
                },
            ]),
            publisher: None,
            contact: None,
            licence: None,
            base_url: None,
            links: vec![],
        };
        let audit = AuditHead { change: 46, hash: "ab".repeat(32) };
        let value = serde_json::json!({
            "audit": {"change": 46, "hash": audit.hash},
            "title": content.heading,
            "updated": "2026-11-25T12:00:00Z",
            "notes": content.notes,
            "forces": content.forces,
        });
        let mut expected = serde_json::to_vec_pretty(&value).unwrap();
        expected.push(b'\n');
        let mut written = Vec::new();
        forces_json(&mut written, &content, "2026-11-25T12:00:00Z", Some(&audit)).unwrap();
        assert_eq!(written, expected);
    }

    #[test]
    fn csv_cells_cannot_start_a_formula() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("Kent Police"), "Kent Police");
    }
}
