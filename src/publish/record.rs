//! A publication's signed record (SPEC section 18), `publications.json` (every record, oldest
//! first) and the site's `allowed_signers` (the keys of everyone who signed a record).
//!
//! A record is made from the log alone: the publication (number, time, publisher, second check,
//! note, audit head) and what its `publish` change keeps of its site (`event::SiteRecord`: the
//! files' sha256, the directory's, the publisher's signature, the approval it carries). So
//! `publish` renders the same `publications.json` every time, and a repair reproduces it.
//!
//! A record's signed bytes are the record without `signatures`, as canonical JSON (keys sorted,
//! no insignificant white space); the publisher signs them in the namespace
//! `uof-admin-publication`, so a signature of a change cannot pass for one of a record.
use anyhow::{Context, Result};
use rusqlite::Connection;
use serde_json::{json, Value};

use crate::audit::{canonical_json, Entity};
use crate::db::changes::{self, Range};
use crate::event::{Event, SiteRecord};
use crate::model::Publication;
use crate::state::State;

/// The record of `publication`, without signatures, given the previous record's signed bytes.
pub fn unsigned(
    publication: &Publication,
    site: &SiteRecord,
    previous: Option<&[u8]>,
    approval: Option<Value>,
) -> Value {
    let mut record = json!({
        "number": publication.id,
        "published_at": publication.at,
        "files": site.files,
        "directory": site.directory,
        "content": publication.content_sha256,
        "audit_head": publication.audit_head(),
        "previous": previous.map(super::made::sha256_hex),
        "publisher": site.publisher,
        "note": publication.note,
        "major": publication.major,
    });
    if let Some(map) = record.as_object_mut() {
        match (&publication.approved_by, &publication.without_approval) {
            (_, Some(reason)) => map.insert("without_approval".into(), reason.clone().into()),
            (approver, None) => map.insert("approver".into(), approver.clone().into()),
        };
        if let Some(approval) = approval {
            map.insert("approval".into(), approval);
        }
    }
    record
}

/// A record's signed bytes: itself without `signatures`, canonical JSON.
pub fn signed_bytes(record: &Value) -> Vec<u8> {
    let mut record = record.clone();
    if let Some(map) = record.as_object_mut() {
        map.remove("signatures");
    }
    canonical_json(&record).into_bytes()
}

/// The record with its signatures (the publisher's, where they signed).
pub fn signed(mut record: Value, publisher: &str, signature: Option<&str>) -> Value {
    let signatures: Vec<Value> =
        signature.map(|s| json!({"signer": publisher, "signature": s})).into_iter().collect();
    if let Some(map) = record.as_object_mut() {
        map.insert("signatures".into(), signatures.into());
    }
    record
}

/// The signed approval a record carries: the `approve` change `id`, the exact bytes its editor
/// signed and the signature, where the approver signed it. An approval with a comment is not
/// carried: its comment is internal, and the signature covers it.
pub fn approval(conn: &Connection, id: i64) -> Result<Option<Value>> {
    let Some(change) = changes::get(conn, id)? else { return Ok(None) };
    if change.message.as_deref().is_some_and(|m| !m.is_empty()) {
        return Ok(None);
    }
    let Some(signature) = change.signature.clone() else { return Ok(None) };
    let canonical = crate::audit::canonical_body(&change);
    let bytes = if id >= crate::db::signatures_v2_from(conn)? {
        let previous =
            if id > 1 { changes::hash_of(conn, id - 1)?.unwrap_or_default() } else { String::new() };
        let database = crate::db::database_id(conn)?.unwrap_or_default();
        crate::audit::signed_bytes(&database, &previous, &canonical)
    } else {
        canonical
    };
    let signed = String::from_utf8(bytes).context("a change's signed bytes are not UTF-8")?;
    Ok(Some(json!({"change": id, "signer": change.editor, "signed": signed, "signature": signature})))
}

/// Every record up to publication `up_to` (those with a site record: publications made before
/// records were kept have none), oldest first, with their signatures, and the signed bytes of
/// the last one.
pub fn records(conn: &Connection, state: &State, up_to: i64) -> Result<(Vec<Value>, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut previous: Option<Vec<u8>> = None;
    for publication in state.publications.iter().filter(|p| p.id <= up_to) {
        let Some(site) = state.records.get(&publication.id) else { continue };
        let approval = match site.approval {
            Some(id) => approval(conn, id)?,
            None => None,
        };
        let record = unsigned(publication, site, previous.as_deref(), approval);
        previous = Some(signed_bytes(&record));
        out.push(signed(record, &publication.editor, site.signature.as_deref()));
        // (a signed record's publisher is always named: only a registered editor has a key)
    }
    Ok((out, previous))
}

/// `publications.json`.
pub fn publications_json(records: &[Value]) -> Result<Vec<u8>> {
    let mut text = serde_json::to_vec_pretty(&json!({ "publications": records }))?;
    text.push(b'\n');
    Ok(text)
}

/// The site's `allowed_signers`: every key each of `signers` held in the log before change
/// `before`, valid from the change that gave it until the one that replaced it (UTC), for
/// changes (`uof-admin`) and records (`uof-admin-publication`).
pub fn allowed_signers(conn: &Connection, signers: &[String], before: i64) -> Result<Vec<u8>> {
    let mut current: std::collections::BTreeMap<String, (String, String)> = Default::default();
    let mut lines: Vec<(String, String, String, Option<String>)> = Vec::new();
    changes::for_each_in(conn, &Range::About(&[Entity::Editor]), |change| {
        if change.id >= before {
            return Ok(false);
        }
        let Event::Editor { after, .. } = change.event()? else { return Ok(true) };
        if !signers.contains(&after.name) {
            return Ok(true);
        }
        let old = current.get(&after.name).cloned();
        if old.as_ref().map(|(k, _)| k.as_str()) != after.key.as_deref() {
            if let Some((key, since)) = current.remove(&after.name) {
                lines.push((after.name.clone(), key, since, Some(change.at.clone())));
            }
            if let Some(key) = &after.key {
                current.insert(after.name.clone(), (key.clone(), change.at.clone()));
            }
        }
        Ok(true)
    })?;
    lines.extend(current.into_iter().map(|(name, (key, since))| (name, key, since, None)));
    lines.sort();
    let mut out = String::new();
    for (name, key, since, until) in lines {
        out.push_str(&format!(
            "{name} namespaces=\"{},{}\",valid-after=\"{}\"",
            crate::sign::NAMESPACE,
            crate::sign::PUBLICATION_NAMESPACE,
            stamp(&since)
        ));
        if let Some(until) = until {
            out.push_str(&format!(",valid-before=\"{}\"", stamp(&until)));
        }
        out.push_str(&format!(" {key}\n"));
    }
    Ok(out.into_bytes())
}

/// An RFC 3339 UTC time as allowed_signers and `ssh-keygen -Overify-time` write it:
/// `YYYYMMDDHHMMSSZ`.
pub fn stamp(at: &str) -> String {
    at.chars().filter(char::is_ascii_digit).take(14).collect::<String>() + "Z"
}
