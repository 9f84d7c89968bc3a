//! `admin audit verify`, as a library: the hash chain end to end, every publication against
//! the chain (its row, its `publish` change and the audit head it recorded), the live tables
//! against the state the log replays to, and optionally a witness held outside the database
//! (a published `forces.json`) against the chain.
use anyhow::{Context, Result};
use rusqlite::Connection;
use serde_json::Value;

use crate::audit::{Break, Verifier};
use crate::db::changes;
use crate::db::publications;
use crate::model::AuditHead;
use crate::state::State;

/// What verification found: the number of changes checked and the first problem, if any.
#[derive(Debug, Default)]
pub struct Report {
    pub checked: u64,
    pub problem: Option<Problem>,
}

/// The first thing that is not as the log says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Chain(Break),
    /// Changes were cut from the end: the publications record a later one.
    CutShort {
        ends_at: i64,
        needed: i64,
    },
    /// A publication's row, `publish` change or recorded head disagrees with the chain.
    Publication {
        id: i64,
        what: String,
    },
    /// A change's `before` is not what the log said the entity was: a table was edited behind
    /// the tool's back and a later change carried the edit into the log.
    Continuity {
        id: i64,
        entity: String,
    },
    /// A change that its editor's registered key must sign is unsigned or wrongly signed.
    Signature {
        id: i64,
        what: String,
    },
    /// The live tables are not the replayed state.
    Tables(crate::state::Difference),
}

impl Problem {
    /// The first bad change, where there is one.
    pub fn change_id(&self) -> Option<i64> {
        match self {
            Problem::Chain(Break::Mismatch { id }) => Some(*id),
            Problem::Chain(Break::Gap { expected, .. }) => Some(*expected),
            Problem::CutShort { ends_at, .. } => Some(ends_at + 1),
            Problem::Continuity { id, .. } | Problem::Signature { id, .. } => Some(*id),
            _ => None,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Chain(Break::Mismatch { id }) => write!(
                f,
                "audit log verification failed at change {id}: its hash does not match its content (it was altered after it was written)"
            ),
            Problem::Chain(Break::Gap { expected, found }) => write!(
                f,
                "audit log verification failed at change {expected}: it is missing (the next change is {found})"
            ),
            Problem::CutShort { ends_at, needed } => write!(
                f,
                "audit log verification failed: it ends at change {ends_at}, but the publications record change {needed} or later (changes were removed from its end)"
            ),
            Problem::Publication { id, what } => {
                write!(f, "audit log verification failed at publication {id}: {what}")
            }
            Problem::Continuity { id, entity } => write!(
                f,
                "audit log verification failed at change {id}: what it says {entity} was before it is not what the log says {entity} was (a table was edited behind admin's back before that change)"
            ),
            Problem::Signature { id, what } => {
                write!(f, "audit log verification failed at change {id}: {what}")
            }
            Problem::Tables(d) => {
                write!(f, "the live tables do not match the audit log: {d}")
            }
        }
    }
}

/// Verify everything one database can say about itself.
pub fn database(conn: &Connection) -> Result<Report> {
    let mut verifier = Verifier::new();
    let mut broken = None;
    // the publications are checked against the chain below: keep only what they need, not a
    // million hashes
    let heads: std::collections::HashSet<i64> =
        publications::list(conn)?.iter().map(|p| p.last_change).collect();
    let mut hashes: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
    let mut continuity = Continuity::default();
    let mut discontinuity = None;
    let mut registry = Registry::default();
    let mut collected = Collected::default();
    changes::for_each_stored_in_parallel(conn, |stored| match verifier.check_stored(stored) {
        Ok(()) => {
            if discontinuity.is_none() {
                discontinuity = continuity.check(stored).or_else(|| registry.check(stored));
            }
            collected.take(stored)?;
            if heads.contains(&stored.id) {
                hashes.insert(stored.id, stored.hash.clone());
            }
            Ok(true)
        }
        Err(b) => {
            broken = Some(b);
            Ok(false)
        }
    })?;
    let checked = verifier.checked;
    if let Some(b) = broken {
        return Ok(Report { checked, problem: Some(Problem::Chain(b)) });
    }
    if let Some(problem) = discontinuity {
        return Ok(Report { checked, problem: Some(problem) });
    }
    let problem = match check_publications(conn, checked as i64, &hashes, &collected.publishes)? {
        Some(problem) => Some(problem),
        None => check_tables(conn, continuity.into_state(collected)?)?,
    };
    Ok(Report { checked, problem })
}

/// What the one pass over the log gathers besides the entities' latest states: everything the
/// replayed state needs, so the log is read once, not again by `State::replay`.
#[derive(Default)]
struct Collected {
    /// (the review's change id, force slug, review), oldest first.
    reviews: Vec<(i64, String, crate::state::ReviewState)>,
    note_authors: std::collections::BTreeMap<i64, (String, String)>,
    editors_added: std::collections::BTreeMap<String, String>,
    publishes: Vec<PublishRecord>,
}

/// A `publish` change: what the publications table must repeat.
#[derive(Debug, Clone)]
pub struct PublishRecord {
    pub change: i64,
    pub at: String,
    pub editor: String,
    pub after: Value,
}

impl Collected {
    fn take(&mut self, stored: &crate::audit::StoredChange) -> Result<()> {
        let after = || -> Value {
            stored.after.as_deref().and_then(|a| serde_json::from_str(a).ok()).unwrap_or_default()
        };
        match stored.action.as_str() {
            "publish" => self.publishes.push(PublishRecord {
                change: stored.id,
                at: stored.at.clone(),
                editor: stored.editor.clone(),
                after: after(),
            }),
            "add-note" => {
                if let Ok(id) = note_id(stored.after.as_deref().unwrap_or("")).parse() {
                    self.note_authors.insert(id, (stored.editor.clone(), stored.at.clone()));
                }
            }
            "add-editor" => {
                if let Some(name) = after().get("name").and_then(Value::as_str) {
                    self.editors_added.insert(name.to_owned(), stored.at.clone());
                }
            }
            _ => {}
        }
        if stored.entity == "review" {
            match (&stored.after, stored.reverts) {
                (Some(text), _) => {
                    let record: crate::state::ReviewRecord = serde_json::from_str(text)?;
                    let review = crate::state::ReviewState {
                        at: stored.at.clone(),
                        editor: stored.editor.clone(),
                        message: stored.message.clone(),
                        data_to: record.data_to,
                    };
                    self.reviews.push((stored.id, record.force, review));
                }
                // a withdrawn review drops out
                (None, Some(reverted)) => self.reviews.retain(|(id, _, _)| *id != reverted),
                (None, None) => {}
            }
        }
        Ok(())
    }
}

/// Each change's `before` must be, byte for byte, the `after` of the entity's previous change
/// (or absent for an entity the log has not seen). Compared as stored text, without parsing.
#[derive(Default)]
struct Continuity {
    // a fast hash: one look-up for every change of a million
    forces: FastMap<String, String>,
    notes: FastMap<String, String>,
    page: Option<String>,
    editors: FastMap<String, String>,
}

type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

impl Continuity {
    fn check(&mut self, stored: &crate::audit::StoredChange) -> Option<Problem> {
        // the entity's label is written out only for a problem: this runs for every change
        let (slot, kind, key): (&mut String, &str, std::borrow::Cow<str>) = match stored.entity.as_str() {
            "force" => {
                let slug = stored.force.as_deref().unwrap_or_default();
                if !self.forces.contains_key(slug) {
                    self.forces.insert(slug.to_owned(), String::new());
                }
                (self.forces.get_mut(slug).expect("inserted above"), "force", slug.into())
            }
            "note" => {
                let id = note_id(stored.after.as_deref().or(stored.before.as_deref()).unwrap_or(""));
                (self.notes.entry(id.clone()).or_default(), "note", id.into())
            }
            "page" => (self.page.get_or_insert_with(String::new), "the page", "".into()),
            "editor" => {
                let state = stored.after.as_deref().or(stored.before.as_deref()).unwrap_or("");
                let name = serde_json::from_str::<Value>(state)
                    .ok()
                    .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or_default();
                (self.editors.entry(name.clone()).or_default(), "editor", name.into())
            }
            _ => return None,
        };
        let seen = !slot.is_empty();
        let consistent = match &stored.before {
            None => !seen || stored.action == "set-page",
            Some(before) => seen && before == slot,
        };
        if let Some(after) = &stored.after {
            slot.clone_from(after);
        }
        let what = if key.is_empty() { kind.to_owned() } else { format!("{kind} {key}") };
        (!consistent).then_some(Problem::Continuity { id: stored.id, entity: what })
    }
}

/// The registry replayed as the walk goes: each change must have been allowed to its editor by
/// the registry before it (the gate's rule), and signed with the key its editor had registered
/// before it (or, for the change that registers an editor's first key themselves, that key).
#[derive(Default)]
struct Registry {
    editors: Vec<crate::editors::EditorState>,
}

impl Registry {
    fn get(&self, name: &str) -> Option<&crate::editors::EditorState> {
        self.editors.iter().find(|e| e.name == name)
    }

    fn check(&mut self, stored: &crate::audit::StoredChange) -> Option<Problem> {
        let problem = |what: String| Some(Problem::Signature { id: stored.id, what });
        let after_value: Option<Value> = (stored.entity == "editor")
            .then(|| stored.after.as_deref().and_then(|a| serde_json::from_str(a).ok()))
            .flatten();
        let after: Option<crate::editors::EditorState> =
            after_value.clone().and_then(|a| serde_json::from_value(a).ok());
        let Some(action) = crate::audit::Action::parse(&stored.action) else {
            return problem(format!("its action {:?} is not one admin makes", stored.action));
        };
        // changes made before any editor was registered are anyone's (the gate's rule too)
        if let Err(why) =
            crate::editors::check_authority(&self.editors, &stored.editor, action, after_value.as_ref())
        {
            return problem(format!("{} was not allowed to make it: {why:#}", stored.editor));
        }
        let had = self.get(&stored.editor).and_then(|e| e.key.clone());
        let own_first =
            after.as_ref().filter(|a| a.name == stored.editor && had.is_none()).and_then(|a| a.key.clone());
        let required = had.or(own_first);
        if let Some(after) = after {
            match self.editors.iter_mut().find(|e| e.name == after.name) {
                Some(slot) => *slot = after,
                None => self.editors.push(after),
            }
        }
        let Some(key) = required else {
            return stored.signature.as_ref().map(|_| Problem::Signature {
                id: stored.id,
                what: format!(
                    "it carries a signature, but {} had no key registered to make one",
                    stored.editor
                ),
            });
        };
        let fingerprint = || crate::editors::fingerprint(&key);
        let what = match &stored.signature {
            None => {
                format!("it has no signature, but {} signs with the key {}", stored.editor, fingerprint())
            }
            Some(signature) => match crate::sign::verify(&key, &stored.canonical(), signature) {
                Ok(()) => return None,
                Err(why) => format!("{why} for {}'s key {}", stored.editor, fingerprint()),
            },
        };
        Some(Problem::Signature { id: stored.id, what })
    }
}

impl Continuity {
    /// The state the log ends in: each entity's latest `after`, parsed once, with what the pass
    /// gathered besides.
    fn into_state(self, collected: Collected) -> Result<State> {
        let mut state = State::default();
        for text in self.forces.values().filter(|t| !t.is_empty()) {
            let force: crate::model::Force =
                serde_json::from_str(text).context("a force change has an unexpected shape")?;
            state.forces.insert(force.slug.clone(), force);
        }
        for text in self.notes.values().filter(|t| !t.is_empty()) {
            let note: crate::state::NoteState =
                serde_json::from_str(text).context("a note change has an unexpected shape")?;
            state.notes.insert(note.id, note);
        }
        for text in self.editors.values().filter(|t| !t.is_empty()) {
            let editor: crate::editors::EditorState =
                serde_json::from_str(text).context("an editor change has an unexpected shape")?;
            state.editors.insert(editor.name.clone(), editor);
        }
        if let Some(text) = self.page.filter(|t| !t.is_empty()) {
            state.page = Some(serde_json::from_str(&text).context("a page change has an unexpected shape")?);
        }
        for (_, slug, review) in collected.reviews {
            state.reviews.entry(slug).or_default().push(review);
        }
        state.note_authors = collected.note_authors;
        state.editors_added = collected
            .editors_added
            .into_iter()
            .filter(|(name, _)| state.editors.contains_key(name))
            .collect();
        Ok(state)
    }
}

/// A note's id from its canonical JSON (`{"force":…,"id":N,…}`: a slug holds no quotes, so the
/// first `"id":` is the key).
fn note_id(json: &str) -> String {
    json.split_once("\"id\":")
        .map(|(_, rest)| rest.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default()
}

/// Every publication: its head is a change of the chain with the hash it recorded, and it has
/// its `publish` change, which says what its row says.
fn check_publications(
    conn: &Connection,
    count: i64,
    hashes: &std::collections::HashMap<i64, String>,
    logged: &[PublishRecord],
) -> Result<Option<Problem>> {
    let all = publications::list(conn)?;
    if let Some(needed) = all.iter().map(|p| p.last_change).max().filter(|&n| n > count) {
        return Ok(Some(Problem::CutShort { ends_at: count, needed }));
    }
    // more publications than `publish` changes: the changes that recorded them were cut off
    if all.len() > logged.len() {
        return Ok(Some(Problem::CutShort { ends_at: count, needed: count + 1 }));
    }
    if let Some(problem) = publications_match(&all, logged) {
        return Ok(Some(problem));
    }
    for p in all.iter().rev() {
        if let Some(head) = &p.head_hash {
            let logged = hashes.get(&p.last_change);
            if logged != Some(head) {
                return Ok(Some(Problem::Publication {
                    id: p.id,
                    what: format!(
                        "it recorded change {} with hash {head}, but the log holds {}",
                        p.last_change,
                        logged.map_or("no such change", String::as_str)
                    ),
                }));
            }
        }
    }
    Ok(None)
}

/// The publications table says what the log's `publish` changes say, row for change: no row
/// missing, none extra, and each with its change's time, editor, note, kind, sha256 and second
/// check. `publish` asks this before rendering the page's history from the table.
pub fn publications_match_log(conn: &Connection) -> Result<Option<Problem>> {
    let logged: Vec<PublishRecord> = changes::publishes(conn)?
        .into_iter()
        .map(|c| PublishRecord {
            change: c.id,
            at: c.at,
            editor: c.editor,
            after: c.after.unwrap_or_default(),
        })
        .collect();
    Ok(publications_match(&publications::list(conn)?, &logged))
}

fn publications_match(rows: &[crate::model::Publication], logged: &[PublishRecord]) -> Option<Problem> {
    let mut by_id = std::collections::BTreeMap::new();
    for record in logged {
        if let Some(id) = record.after.get("id").and_then(Value::as_i64) {
            by_id.insert(id, (record, &record.after));
        }
    }
    for p in rows.iter().rev() {
        let problem = |what: String| Some(Problem::Publication { id: p.id, what });
        let Some((change, after)) = by_id.remove(&p.id) else {
            return problem("it has no `publish` change in the audit log".to_owned());
        };
        let text = |key: &str| after.get(key).and_then(Value::as_str);
        if text("sha256") != Some(p.sha256.as_str())
            || text("note") != Some(p.note.as_str())
            || after.get("major").and_then(Value::as_bool) != Some(p.major)
            || text("approved_by") != p.approved_by.as_deref()
            || text("without_approval") != p.without_approval.as_deref()
            || change.at != p.at
            || change.editor != p.editor
        {
            return problem(format!("its row does not say what its `publish` change {} says", change.change));
        }
        if p.last_change >= change.change {
            return problem(format!(
                "it claims to cover change {}, after its own `publish` change {}",
                p.last_change, change.change
            ));
        }
    }
    by_id.into_iter().next().map(|(id, (change, _))| Problem::Publication {
        id,
        what: format!("the log records it (change {}), but its row is missing", change.change),
    })
}

/// The live tables against the state the whole log replays to, and the forces' name keys
/// against their names (the keys decide which names count as one).
fn check_tables(conn: &Connection, logged: State) -> Result<Option<Problem>> {
    let live = State::live(conn)?;
    let difference = live.first_difference(&logged);
    // a hundred thousand forces and their reviews, twice: the process ends right after `verify`,
    // and letting it free them is a tenth of a second faster than freeing them here
    std::mem::forget(live);
    std::mem::forget(logged);
    if let Some(difference) = difference {
        return Ok(Some(Problem::Tables(difference)));
    }
    for (slug, name, key) in crate::db::forces::name_keys(conn)? {
        let expected = crate::validate::name_key(&name);
        if key != expected {
            return Ok(Some(Problem::Tables(crate::state::Difference {
                table: "forces",
                key: slug,
                field: "name_key".to_owned(),
                live: format!("{key:?}"),
                logged: format!("{expected:?} (the key of its name)"),
            })));
        }
    }
    Ok(None)
}

/// The largest `forces.json` read as a witness (a directory of 100,000 forces is about 20 MB).
const MAX_WITNESS_BYTES: u64 = 64 * 1024 * 1024;

/// Where a witness of the audit head was read from, and what it says.
#[derive(Debug, Clone)]
pub struct Witness {
    pub source: String,
    pub head: AuditHead,
}

/// Read the audit head a published site carries: a directory (its `forces.json`), a
/// `forces.json` file, or an `https://` URL of either.
pub fn read_witness(against: &str) -> Result<Witness> {
    use crate::exit_codes::bad_hint;
    let (source, text) = if against.starts_with("https://") || against.starts_with("http://") {
        let url = if against.ends_with(".json") {
            against.to_owned()
        } else {
            format!("{}/forces.json", against.trim_end_matches('/'))
        };
        let text = fetch(&url)?;
        (url, text)
    } else {
        let path = std::path::Path::new(against);
        let file = if path.is_dir() { path.join("forces.json") } else { path.to_owned() };
        let hint = "give a published site's directory, its forces.json, or its https:// address";
        let meta = std::fs::metadata(&file)
            .map_err(|e| bad_hint(format!("cannot read `{}`: {e}", file.display()), hint))?;
        if !meta.is_file() || meta.len() > MAX_WITNESS_BYTES {
            return Err(bad_hint(format!("`{}` is not a published forces.json", file.display()), hint));
        }
        let text = std::fs::read_to_string(&file)
            .map_err(|e| bad_hint(format!("cannot read `{}`: {e}", file.display()), hint))?;
        (file.display().to_string(), text)
    };
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| bad_hint(format!("`{source}` is not JSON: {e}"), "give a published forces.json"))?;
    let head: AuditHead =
        value.get("audit").cloned().and_then(|a| serde_json::from_value(a).ok()).ok_or_else(|| {
            bad_hint(
                format!("`{source}` carries no audit head (`\"audit\": {{\"change\", \"hash\"}}`)"),
                "publish again with this version of admin: every publication now carries its audit head",
            )
        })?;
    Ok(Witness { source, head })
}

fn fetch(url: &str) -> Result<String> {
    let agent: ureq::Agent =
        ureq::Agent::config_builder().timeout_global(Some(std::time::Duration::from_secs(30))).build().into();
    let mut response = agent.get(url).call().with_context(|| format!("failed to fetch `{url}`"))?;
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_WITNESS_BYTES)
        .read_to_string()
        .with_context(|| format!("failed to read `{url}`"))?;
    Ok(text)
}

/// Whether the chain holds the witness's hash at the witness's change.
pub fn against(conn: &Connection, witness: &Witness) -> Result<Option<String>> {
    let stored = changes::hash_of(conn, witness.head.change)?;
    Ok(match stored {
        Some(hash) if hash == witness.head.hash => None,
        Some(hash) => Some(format!(
            "`{}` says change {} has hash {}, but this database's change {} has hash {hash}: the log was rewritten since that publication",
            witness.source, witness.head.change, witness.head.hash, witness.head.change
        )),
        None => Some(format!(
            "`{}` says the log reached change {}, but this database has no change {}: changes were removed since that publication",
            witness.source, witness.head.change, witness.head.change
        )),
    })
}
