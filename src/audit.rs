//! The audit log's record of a change, its canonical JSON and the hash chain.
//!
//! Each change stores `hash = sha256(previous hash ‖ canonical JSON of the change)`, hex encoded;
//! the first change's previous hash is the empty string. The canonical JSON is the change's
//! fields (everything but `hash`) as one object with keys sorted, no white space, serialised
//! by serde_json: stable across runs and platforms, so `admin audit verify` can recompute it.
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::model::Change;

pub use crate::model::{Action, Entity};

/// The object that is hashed: every field of the change except `hash`.
pub fn body(change: &Change) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), change.id.into());
    map.insert("at".into(), change.at.clone().into());
    map.insert("editor".into(), change.editor.clone().into());
    map.insert("action".into(), change.action.as_str().into());
    map.insert("entity".into(), change.entity.as_str().into());
    map.insert("force".into(), change.force.clone().into());
    map.insert("before".into(), change.before.clone().unwrap_or(Value::Null));
    map.insert("after".into(), change.after.clone().unwrap_or(Value::Null));
    map.insert("message".into(), change.message.clone().into());
    // added with revert: present only where set, so older changes hash as they always did
    if let Some(reverts) = change.reverts {
        map.insert("reverts".into(), reverts.into());
    }
    Value::Object(map)
}

/// Canonical JSON: objects with their keys sorted (whatever map type serde_json was built with),
/// no insignificant white space.
pub fn canonical_json(value: &Value) -> String {
    let mut out = Vec::new();
    write_canonical(value, &mut out);
    into_string(out)
}

/// serde_json writes only UTF-8; the fallback is never taken.
fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A string or scalar exactly as serde_json writes it (its escaping is part of the format).
fn write_json<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // writing to a Vec cannot fail, and strings, numbers, booleans and null always serialise
    let _ = serde_json::to_writer(&mut *out, value);
}

/// A string as serde_json writes it: one that holds nothing JSON escapes (a control character,
/// `"` or `\`), nearly every one, is copied between quotes; any other is written by serde_json.
fn write_json_str(value: &str, out: &mut Vec<u8>) {
    // every byte looked at, none skipped early: the loop is made of vector instructions
    if value.bytes().fold(false, |any, b| any | (b < 0x20) | (b == b'"') | (b == b'\\')) {
        return write_json(value, out);
    }
    out.push(b'"');
    out.extend_from_slice(value.as_bytes());
    out.push(b'"');
}

/// An optional string as serde_json writes it.
fn write_json_option(value: Option<&str>, out: &mut Vec<u8>) {
    match value {
        Some(value) => write_json_str(value, out),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(key.as_str(), out);
                out.push(b':');
                write_canonical(item, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => write_json(scalar, out),
    }
}

/// The canonical JSON of `body(change)`, written field by field in sorted key order without
/// building (and cloning into) the `body` object: the chain's hot path. Byte-identical to
/// `canonical_json(&body(change))`, which a test checks.
fn write_canonical_body(change: &Change, out: &mut Vec<u8>) {
    let json = |value: &Option<Value>| {
        let mut out = Vec::new();
        match value {
            Some(value) => write_canonical(value, &mut out),
            None => out.extend_from_slice(b"null"),
        }
        out
    };
    write_body_with(
        &BodyFields {
            id: change.id,
            at: &change.at,
            editor: &change.editor,
            action: change.action.as_str(),
            entity: change.entity.as_str(),
            force: change.force.as_deref(),
            message: change.message.as_deref(),
            reverts: change.reverts,
        },
        &json(&change.before),
        &json(&change.after),
        out,
    );
}

/// The fields of a change's body other than `before` and `after`.
struct BodyFields<'a> {
    id: i64,
    at: &'a str,
    editor: &'a str,
    action: &'a str,
    entity: &'a str,
    force: Option<&'a str>,
    message: Option<&'a str>,
    reverts: Option<i64>,
}

/// The body's canonical JSON in sorted key order, `before` and `after` given as JSON text.
fn write_body_with(fields: &BodyFields, before: &[u8], after: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"action\":");
    write_json_str(fields.action, out);
    out.extend_from_slice(b",\"after\":");
    out.extend_from_slice(after);
    out.extend_from_slice(b",\"at\":");
    write_json_str(fields.at, out);
    out.extend_from_slice(b",\"before\":");
    out.extend_from_slice(before);
    out.extend_from_slice(b",\"editor\":");
    write_json_str(fields.editor, out);
    out.extend_from_slice(b",\"entity\":");
    write_json_str(fields.entity, out);
    out.extend_from_slice(b",\"force\":");
    write_json_option(fields.force, out);
    out.extend_from_slice(b",\"id\":");
    out.extend_from_slice(itoa::Buffer::new().format(fields.id).as_bytes());
    out.extend_from_slice(b",\"message\":");
    write_json_option(fields.message, out);
    if let Some(reverts) = fields.reverts {
        out.extend_from_slice(b",\"reverts\":");
        out.extend_from_slice(itoa::Buffer::new().format(reverts).as_bytes());
    }
    out.push(b'}');
}

/// A change as its row stores it, `before` and `after` as their stored JSON text: what
/// `audit verify` reads, so that the common case hashes the text without parsing it.
#[derive(Debug, Clone, Default)]
pub struct StoredChange {
    pub id: i64,
    pub at: String,
    pub editor: String,
    pub action: String,
    pub entity: String,
    pub force: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub message: Option<String>,
    pub hash: String,
    pub reverts: Option<i64>,
    pub signature: Option<String>,
}

impl StoredChange {
    /// Whether its stored hash is the chain hash with `before` and `after` spliced in as stored.
    /// Every change is appended with them stored as canonical JSON, so for an untouched row
    /// this is `chain_hash` of the change it was made from; any other stored text gives another
    /// hash. `scratch` holds the canonical JSON (one buffer for the whole log).
    fn hash_holds(&self, prev_hash: &str, scratch: &mut Vec<u8>) -> bool {
        scratch.clear();
        self.write_canonical(scratch);
        let mut hasher = Sha256::new();
        hasher.update(prev_hash.as_bytes());
        hasher.update(&scratch);
        let digest = hasher.finalize();
        let mut written = [0u8; 64];
        for (pair, byte) in written.chunks_exact_mut(2).zip(digest) {
            pair.copy_from_slice(&hex_byte(byte));
        }
        written == self.hash.as_bytes()
    }

    /// The canonical JSON as stored: the bytes that were hashed and signed.
    pub fn canonical(&self) -> Vec<u8> {
        let mut json = Vec::with_capacity(512);
        self.write_canonical(&mut json);
        json
    }

    fn write_canonical(&self, out: &mut Vec<u8>) {
        fn text(value: &Option<String>) -> &[u8] {
            value.as_deref().unwrap_or("null").as_bytes()
        }
        write_body_with(
            &BodyFields {
                id: self.id,
                at: &self.at,
                editor: &self.editor,
                action: &self.action,
                entity: &self.entity,
                force: self.force.as_deref(),
                message: self.message.as_deref(),
                reverts: self.reverts,
            },
            text(&self.before),
            text(&self.after),
            out,
        );
    }
}

/// The exact bytes that are hashed and signed for a change: its canonical JSON.
pub fn canonical_body(change: &Change) -> Vec<u8> {
    let mut json = Vec::with_capacity(512);
    write_canonical_body(change, &mut json);
    json
}

/// `sha256(prev_hash ‖ canonical JSON of the change)`, lower-case hex.
pub fn chain_hash(prev_hash: &str, change: &Change) -> String {
    let mut json = Vec::with_capacity(512);
    write_canonical_body(change, &mut json);
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(&json);
    hex(&hasher.finalize())
}

/// The bytes an editor's key signs for a change, signature version 2: the database's id and
/// the previous change's hash (empty for the first) before the change's canonical JSON, so a
/// signature holds only in its own database, at its own place in the log. Version 1 (changes
/// signed before schema 12) signed the canonical JSON alone.
pub fn signed_bytes(database: &str, previous: &str, canonical: &[u8]) -> Vec<u8> {
    let mut out = format!("uof-admin change v2\ndatabase {database}\nprevious {previous}\n").into_bytes();
    out.extend_from_slice(canonical);
    out
}

/// A byte's two lower-case hexadecimal digits.
fn hex_byte(b: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0x0f)]]
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        let [high, low] = hex_byte(b);
        s.push(char::from(high));
        s.push(char::from(low));
    }
    s
}

/// Where the chain first fails, if it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The change's stored hash is not the hash of its content and the previous hash.
    Mismatch { id: i64 },
    /// Ids jump: a change was removed.
    Gap { expected: i64, found: i64 },
}

/// Walks the log in id order, one change at a time, so verifying never holds the whole log.
#[derive(Debug, Default)]
pub struct Verifier {
    prev_hash: String,
    next_id: i64,
    pub checked: u64,
    /// the canonical JSON of the change being checked, one buffer for them all
    scratch: Vec<u8>,
}

impl Verifier {
    pub fn new() -> Verifier {
        Verifier { prev_hash: String::new(), next_id: 1, checked: 0, scratch: Vec::new() }
    }

    /// Check the next change as stored, byte for byte. `append` stores `before` and `after` as
    /// the canonical JSON of an object, or NULL; the hash is taken over that text as it is, so
    /// any other text is a break, even one that means the same once parsed (JSON with a key
    /// twice, say, which replay would refuse) or the JSON `null` in place of SQL NULL (which
    /// would hash the same but reads as another action).
    pub fn check_stored(&mut self, stored: &StoredChange) -> Result<(), Break> {
        if stored.id != self.next_id {
            return Err(Break::Gap { expected: self.next_id, found: stored.id });
        }
        let object_or_null = |text: &Option<String>| text.as_deref().is_none_or(|t| t.starts_with('{'));
        if !object_or_null(&stored.before)
            || !object_or_null(&stored.after)
            || !stored.hash_holds(&self.prev_hash, &mut self.scratch)
        {
            return Err(Break::Mismatch { id: stored.id });
        }
        self.prev_hash.clone_from(&stored.hash);
        self.next_id += 1;
        self.checked += 1;
        Ok(())
    }

    /// Check the next change; the first break ends verification.
    pub fn check(&mut self, change: &Change) -> Result<(), Break> {
        if change.id != self.next_id {
            return Err(Break::Gap { expected: self.next_id, found: change.id });
        }
        if chain_hash(&self.prev_hash, change) != change.hash {
            return Err(Break::Mismatch { id: change.id });
        }
        self.prev_hash.clone_from(&change.hash);
        self.next_id += 1;
        self.checked += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(id: i64, prev: &str, name: &str) -> Change {
        let mut change = Change {
            id,
            at: "2026-01-01T00:00:00Z".into(),
            editor: "ed".into(),
            action: Action::AddForce,
            entity: Entity::Force,
            force: Some("kent-police".into()),
            before: None,
            after: Some(json!({"slug": "kent-police", "name": name, "url": null, "status": "active"})),
            message: None,
            hash: String::new(),
            reverts: None,
            signature: None,
        };
        change.hash = chain_hash(prev, &change);
        change
    }

    #[test]
    fn every_action_and_entity_reads_back_from_its_string() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(*action));
        }
        for entity in Entity::ALL {
            assert_eq!(Entity::parse(entity.as_str()), Some(*entity));
        }
        assert_eq!(Action::parse("nonsense"), None);
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let value = json!({"b": 1, "a": {"z": [3, {"y": 1, "x": "é\"<"}], "c": null}});
        assert_eq!(canonical_json(&value), r#"{"a":{"c":null,"z":[3,{"x":"é\"<","y":1}]},"b":1}"#);
    }

    #[test]
    fn chain_links_each_change_to_the_one_before() {
        let first = change(1, "", "Kent Police");
        let second = change(2, &first.hash, "Kent Police");
        assert_ne!(first.hash, second.hash);
        assert_eq!(first.hash.len(), 64);
        let mut verifier = Verifier::new();
        assert_eq!(verifier.check(&first), Ok(()));
        assert_eq!(verifier.check(&second), Ok(()));
        assert_eq!(verifier.checked, 2);
    }

    #[test]
    fn verifier_names_the_first_altered_change() {
        let first = change(1, "", "Kent Police");
        let mut second = change(2, &first.hash, "Kent Police");
        second.after = Some(json!({"slug": "kent-police", "name": "Evil", "url": null, "status": "active"}));
        let mut verifier = Verifier::new();
        verifier.check(&first).unwrap();
        assert_eq!(verifier.check(&second), Err(Break::Mismatch { id: 2 }));
    }

    #[test]
    fn verifier_notices_a_removed_change() {
        let first = change(1, "", "a");
        let second = change(2, &first.hash, "b");
        let third = change(3, &second.hash, "c");
        let mut verifier = Verifier::new();
        verifier.check(&first).unwrap();
        assert_eq!(verifier.check(&third), Err(Break::Gap { expected: 2, found: 3 }));
    }

    #[test]
    fn the_fast_body_is_byte_identical_to_the_canonical_body() {
        let mut changes = vec![change(1, "", "Kent Police")];
        let mut odd = change(2, "", "Ké\"nt <Police>\u{1F600}\n");
        odd.before = Some(json!({"z": [1, 2.5, {"b": null, "a": true}], "é": "\u{0}"}));
        odd.message = Some("why: \"quoted\"\t\u{7f}".into());
        odd.reverts = Some(7);
        odd.force = None;
        changes.push(odd);
        for change in changes {
            let mut fast = Vec::new();
            write_canonical_body(&change, &mut fast);
            assert_eq!(String::from_utf8(fast).unwrap(), canonical_json(&body(&change)));
            let mut hasher = Sha256::new();
            hasher.update(b"prev");
            hasher.update(canonical_json(&body(&change)).as_bytes());
            assert_eq!(chain_hash("prev", &change), hex(&hasher.finalize()));
        }
    }

    fn stored(change: &Change) -> StoredChange {
        StoredChange {
            id: change.id,
            at: change.at.clone(),
            editor: change.editor.clone(),
            action: change.action.to_string(),
            entity: change.entity.to_string(),
            force: change.force.clone(),
            before: change.before.as_ref().map(canonical_json),
            after: change.after.as_ref().map(canonical_json),
            message: change.message.clone(),
            hash: change.hash.clone(),
            reverts: change.reverts,
            signature: None,
        }
    }

    #[test]
    fn stored_changes_verify_byte_for_byte() {
        let first = change(1, "", "Kent Police");
        let second = change(2, &first.hash, "Kent Police");
        let intact = |s: &StoredChange| {
            let mut verifier = Verifier::new();
            verifier.check_stored(&stored(&first)).unwrap();
            verifier.check_stored(s)
        };
        assert_eq!(intact(&stored(&second)), Ok(()));
        let altered = |edit: &dyn Fn(&mut StoredChange)| {
            let mut s = stored(&second);
            edit(&mut s);
            intact(&s)
        };
        let mismatch = Err(Break::Mismatch { id: 2 });
        // a changed value
        assert_eq!(altered(&|s| s.after = Some(s.after.clone().unwrap().replace("Kent", "Evil"))), mismatch);
        // the same meaning in other bytes: spaces, or a key given twice (the last one wins)
        assert_eq!(altered(&|s| s.after = Some(s.after.clone().unwrap().replace(',', ", "))), mismatch);
        let twice = |s: &mut StoredChange| {
            let text = s.after.clone().unwrap();
            s.after = Some(text.replacen('{', r#"{"name":"Evil","#, 1));
        };
        assert_eq!(altered(&twice), mismatch);
        // the JSON text null where SQL NULL was: it would hash the same
        assert_eq!(stored(&second).before, None);
        assert_eq!(altered(&|s| s.before = Some("null".into())), mismatch);
        assert_eq!(altered(&|s| s.after = Some("{not json".into())), mismatch);
        // the hash itself in other digits, or cut short
        assert_eq!(altered(&|s| s.hash = s.hash.to_uppercase()), mismatch);
        assert_eq!(altered(&|s| s.hash.truncate(63)), mismatch);
        // a gap
        let third = change(3, &second.hash, "c");
        let mut verifier = Verifier::new();
        verifier.check_stored(&stored(&first)).unwrap();
        assert_eq!(verifier.check_stored(&stored(&third)), Err(Break::Gap { expected: 2, found: 3 }));
    }

    #[test]
    fn the_same_change_always_hashes_the_same() {
        // a fixed vector: changing the canonical form breaks every stored chain
        let first = change(1, "", "Kent Police");
        assert_eq!(first.hash, chain_hash("", &first));
        assert_eq!(
            canonical_json(&body(&first)),
            r#"{"action":"add-force","after":{"name":"Kent Police","slug":"kent-police","status":"active","url":null},"at":"2026-01-01T00:00:00Z","before":null,"editor":"ed","entity":"force","force":"kent-police","id":1,"message":null}"#
        );
    }
}
