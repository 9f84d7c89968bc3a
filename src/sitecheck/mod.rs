//! `admin audit verify-site DIR|URL [--since OLDER_DIR]`: check a published site from the site
//! alone, with no database (SPEC section 18): every file against the newest record, every
//! signature against `allowed_signers` at its record's time, the chain of records, that
//! `history.json` rebuilds each publication's directory, and that the site extends an older copy
//! and rewrote nothing of it. `docs/checking-the-site.md` does the same with standard tools.
use anyhow::Result;
use serde_json::Value;

use crate::exit_codes::failed_hint;
use crate::publish::{history, record};

mod signers;
mod source;

pub use source::Source;

/// What a site that passed holds.
#[derive(Debug)]
pub struct Report {
    pub records: usize,
    pub newest: i64,
    /// Who signed the newest record (`None`: unsigned).
    pub signer: Option<String>,
    pub files: usize,
    /// With `--since`: how many records of the older copy the site keeps.
    pub kept: Option<usize>,
}

/// Something wrong with the site, named.
fn wrong(what: String) -> anyhow::Error {
    failed_hint(
        what,
        "the site is not as its publisher signed it: compare it with a copy you trust, and ask its publisher",
    )
}

/// Read and parse a JSON file every site has.
fn json(site: &mut Source, file: &str) -> Result<Value> {
    let bytes = site.read(file)?.ok_or_else(|| wrong(format!("`{}` is missing", site.name(file))))?;
    serde_json::from_slice(&bytes).map_err(|e| wrong(format!("`{}` is not JSON: {e}", site.name(file))))
}

fn records_of(publications: &Value, site: &Source) -> Result<Vec<Value>> {
    publications
        .get("publications")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
        .cloned()
        .ok_or_else(|| wrong(format!("`{}` holds no records", site.name("publications.json"))))
}

fn text<'a>(record: &'a Value, key: &str) -> &'a str {
    record.get(key).and_then(Value::as_str).unwrap_or("")
}

pub fn verify(site: &mut Source, since: Option<&mut Source>) -> Result<Report> {
    let records = records_of(&json(site, "publications.json")?, site)?;
    let allowed = site.read("allowed_signers")?.unwrap_or_default();
    let allowed = signers::parse(&String::from_utf8_lossy(&allowed)).map_err(wrong)?;
    let mut previous: Option<(i64, Vec<u8>)> = None;
    for record in &records {
        let number = record.get("number").and_then(Value::as_i64).unwrap_or(0);
        let bytes = record::signed_bytes(record);
        match (&previous, record.get("previous")) {
            (None, Some(Value::Null)) => {}
            (Some((n, _)), _) if *n + 1 != number => {
                return Err(wrong(format!(
                    "publications.json goes from publication {n} to publication {number}: a record is missing"
                )))
            }
            (Some((n, bytes)), Some(Value::String(said))) => {
                let sha = crate::publish::sha256_hex(bytes);
                if *said != sha {
                    return Err(wrong(format!(
                        "publication {number}'s record says the record before it has sha256 {said}, but publication {n}'s record has {sha}: a record was rewritten"
                    )));
                }
            }
            _ => {
                return Err(wrong(format!(
                    "publication {number}'s record does not name the record before it"
                )))
            }
        }
        previous = Some((number, bytes));
    }
    // the chain first, then what each record's signatures say of it
    for record in &records {
        let number = record.get("number").and_then(Value::as_i64).unwrap_or(0);
        check_signatures(record, number, &record::signed_bytes(record), &allowed)?;
        check_approval(record, number, &allowed)?;
    }
    let newest = records.last().cloned().unwrap_or(Value::Null);
    let number = newest.get("number").and_then(Value::as_i64).unwrap_or(0);
    let files = check_files(site, &newest, number)?;
    check_history(site, &records)?;
    let kept = match since {
        Some(older) => Some(check_extends(older, &records, site, &allowed)?),
        None => None,
    };
    let signed = newest.get("signatures").and_then(Value::as_array).is_some_and(|s| !s.is_empty());
    let signer = signed.then(|| text(&newest, "publisher").to_owned());
    Ok(Report { records: records.len(), newest: number, signer, files, kept })
}

fn check_signatures(record: &Value, number: i64, bytes: &[u8], allowed: &[signers::Line]) -> Result<()> {
    let when = signers::at(text(record, "published_at"));
    let signatures = record.get("signatures").and_then(Value::as_array).cloned().unwrap_or_default();
    let publisher = text(record, "publisher");
    if signatures.is_empty() && signers::held(allowed, publisher, crate::sign::PUBLICATION_NAMESPACE, &when) {
        return Err(wrong(format!(
            "publication {number} is unsigned, but allowed_signers gives its publisher {publisher} a key at {}: its signature was removed",
            text(record, "published_at")
        )));
    }
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for signature in &signatures {
        let signer = text(signature, "signer");
        let armored = text(signature, "signature");
        if seen.iter().any(|(s, a)| *s == signer || *a == armored) {
            return Err(wrong(format!(
                "publication {number} carries a signature by {signer} twice: a record has one signature per signer"
            )));
        }
        seen.push((signer, armored));
        match signers::check(allowed, signer, crate::sign::PUBLICATION_NAMESPACE, &when, bytes, armored) {
            signers::Found::Valid => {}
            signers::Found::NotThen { after, before } => {
                return Err(wrong(format!(
                    "publication {number}'s signature by {signer} is made with a key allowed_signers gives {signer} only from {} to {}, not at {}",
                    after.as_deref().unwrap_or("the start"),
                    before.as_deref().unwrap_or("now"),
                    text(record, "published_at")
                )))
            }
            signers::Found::NoKey => {
                return Err(wrong(format!(
                    "publication {number}'s signature by {signer} does not verify with any key allowed_signers gives {signer}: the record was changed after it was signed, or signed by someone else"
                )))
            }
        }
        if signer != text(record, "publisher") {
            return Err(wrong(format!(
                "publication {number} is signed by {signer}, but its record names {} as its publisher",
                text(record, "publisher")
            )));
        }
    }
    Ok(())
}

/// The approver a record names approved exactly its content, where their approval was signed.
fn check_approval(record: &Value, number: i64, allowed: &[signers::Line]) -> Result<()> {
    let Some(approver) = record.get("approver").and_then(Value::as_str) else { return Ok(()) };
    // an approval is carried where it was signed and has no comment (its comment is internal)
    let Some(approval) = record.get("approval") else { return Ok(()) };
    let did_not =
        |why: String| wrong(format!("publication {number} names {approver} as its approver, but {why}"));
    let signer = text(approval, "signer");
    if signer != approver {
        return Err(did_not(format!("the approval it carries is {signer}'s")));
    }
    let signed = text(approval, "signed");
    let body: Value = signed
        .find('{')
        .and_then(|i| serde_json::from_str(&signed[i..]).ok())
        .ok_or_else(|| did_not("the approval it carries is unreadable".to_owned()))?;
    let after: Option<Value> = body.get("after").cloned();
    let content = after.as_ref().and_then(|a| a.get("content_sha256")).and_then(Value::as_str);
    if text(&body, "editor") != approver || text(&body, "action") != "approve" {
        return Err(did_not("the approval it carries is not an approval by them".to_owned()));
    }
    if content != Some(text(record, "content")) {
        return Err(did_not("the approval it carries is of other content".to_owned()));
    }
    let when = signers::at(text(&body, "at"));
    match signers::check(
        allowed,
        approver,
        crate::sign::NAMESPACE,
        &when,
        signed.as_bytes(),
        text(approval, "signature"),
    ) {
        signers::Found::Valid => Ok(()),
        _ => Err(did_not(format!(
            "the approval's signature does not verify with a key allowed_signers gives {approver}"
        ))),
    }
}

/// Every file of the newest record is there with its sha256, and (in a directory) nothing else is.
fn check_files(site: &mut Source, newest: &Value, number: i64) -> Result<usize> {
    let files = newest.get("files").and_then(Value::as_object).cloned().unwrap_or_default();
    if files.is_empty() {
        return Err(wrong(format!("publication {number}'s record lists no files")));
    }
    for (path, sha) in &files {
        if path.contains(['/', '\\', '\0']) || path.starts_with('.') {
            return Err(wrong(format!(
                "publication {number}'s record names the file {path:?}, which no site holds"
            )));
        }
        let bytes = site.read(path)?.ok_or_else(|| {
            wrong(format!("`{}` is missing: publication {number}'s record lists it", site.name(path)))
        })?;
        let actual = crate::publish::sha256_hex(&bytes);
        if Some(actual.as_str()) != sha.as_str() {
            return Err(wrong(format!(
                "`{}` has sha256 {actual}, but publication {number}'s record says {}: the file was changed after it was published",
                site.name(path),
                sha.as_str().unwrap_or("")
            )));
        }
    }
    for name in site.list()?.unwrap_or_default() {
        if name != "publications.json" && name != crate::publish::MANIFEST && !files.contains_key(&name) {
            return Err(wrong(format!("`{}` is not in publication {number}'s record", site.name(&name))));
        }
    }
    Ok(files.len())
}

/// `history.json` rebuilds each publication's directory as its record says.
fn check_history(site: &mut Source, records: &[Value]) -> Result<()> {
    let value = json(site, "history.json")?;
    let history: history::History = serde_json::from_value(value).map_err(|e| {
        wrong(format!("`{}` is not a history of publications: {e}", site.name("history.json")))
    })?;
    // the history starts where the records do: at publication 1, or, for a database whose
    // earlier publications were made before records were kept, at the first one with a record
    // (which names no record before it, as the chain checks)
    let number_of = |r: Option<&Value>| r.and_then(|r| r.get("number")).and_then(Value::as_i64);
    let first = number_of(records.first()).unwrap_or(1);
    for (i, entry) in history.publications.iter().enumerate() {
        if entry.number != first + i as i64 {
            return Err(wrong(format!(
                "history.json lists publication {} where publication {} should be",
                entry.number,
                first + i as i64
            )));
        }
    }
    let rebuilt = history::rebuild(&history).map_err(|e| wrong(format!("{e:#}")))?;
    let newest = number_of(records.last()).unwrap_or(0);
    if history.publications.len() as i64 != newest - first + 1 {
        return Err(wrong(format!(
            "history.json has {} publications, but the records go from publication {first} to {newest}",
            history.publications.len()
        )));
    }
    for record in records {
        let number = record.get("number").and_then(Value::as_i64).unwrap_or(0);
        let said = text(record, "directory");
        match rebuilt.get(&number) {
            Some(sha) if sha == said => {}
            Some(sha) => {
                return Err(wrong(format!(
                    "history.json rebuilds publication {number}'s directory with sha256 {sha}, but its record says {said}: history.json does not say what was published"
                )))
            }
            None => return Err(wrong(format!("history.json has no publication {number}"))),
        }
        let entry = &history.publications[(number - first) as usize];
        if entry.published_at != text(record, "published_at") || entry.note != text(record, "note") {
            return Err(wrong(format!(
                "history.json gives publication {number} another time or note than its record"
            )));
        }
    }
    Ok(())
}

/// The site keeps every record of the older copy, byte for byte, and its history.
fn check_extends(
    older: &mut Source,
    records: &[Value],
    site: &Source,
    allowed: &[signers::Line],
) -> Result<usize> {
    let old = records_of(&json(older, "publications.json")?, older)?;
    for (i, old_record) in old.iter().enumerate() {
        let number = old_record.get("number").and_then(Value::as_i64).unwrap_or(0);
        let new = records.iter().find(|r| r.get("number").and_then(Value::as_i64) == Some(number));
        match new {
            None => {
                return Err(wrong(format!(
                    "`{}` does not extend `{}`: it has no publication {number}",
                    site.name("publications.json"),
                    older.name("publications.json")
                )))
            }
            Some(new)
                if new != old_record
                    || records.get(i).map(|r| r.get("number")) != Some(old_record.get("number")) =>
            {
                return Err(wrong(format!(
                    "`{}` does not extend `{}`: publication {number}'s record was rewritten",
                    site.name("publications.json"),
                    older.name("publications.json")
                )))
            }
            Some(_) => {}
        }
    }
    // and every key of the older copy, with its times
    let then = signers::at(old.last().map_or("", |r| text(r, "published_at")));
    let old_allowed = older.read("allowed_signers")?.unwrap_or_default();
    let old_allowed = signers::parse(&String::from_utf8_lossy(&old_allowed)).map_err(wrong)?;
    if let Some(line) = old_allowed.iter().find(|l| !signers::keeps(allowed, l, &then)) {
        return Err(wrong(format!(
            "`{}` does not keep {}'s key as `{}` gives it: a key was removed or its times changed",
            site.name("allowed_signers"),
            line.principals.join(","),
            older.name("allowed_signers")
        )));
    }
    Ok(old.len())
}
