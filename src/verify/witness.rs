//! A witness of the audit head held outside the database: a published site's `forces.json`,
//! read from a directory, a file or an address, and checked against the chain.
use anyhow::{Context, Result};
use rusqlite::Connection;
use serde_json::Value;

use crate::db::changes;
use crate::model::AuditHead;

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
    use crate::exit_codes::{bad_hint, failed_hint};
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
        let hint = "give a published site's directory, its forces.json, or its https:// address";
        // a directory's forces.json, or the file named: a regular file either way, never read
        // through a link nor waited on, and never more than the limit
        let (file, read) = if path.is_dir() {
            let file = path.join("forces.json");
            let read =
                crate::files::Dir::open(path).and_then(|dir| dir.read("forces.json", MAX_WITNESS_BYTES));
            (file, read)
        } else {
            (path.to_owned(), crate::files::read(path, MAX_WITNESS_BYTES))
        };
        let bytes = read.map_err(|e| match e {
            crate::files::Refusal::Missing => {
                bad_hint(format!("cannot read `{}`: it {e}", file.display()), hint)
            }
            e => failed_hint(format!("`{}` {e}: it is not a published forces.json", file.display()), hint),
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| bad_hint(format!("`{}` is not UTF-8 text", file.display()), hint))?;
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
