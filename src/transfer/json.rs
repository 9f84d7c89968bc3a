//! Import's JSON: `admin export`'s `{"forces": [...]}`, and the site's own `forces.json`, whose
//! envelope (title, updated, notes, audit) and per-force `notes` and `data_to` are read but not
//! imported. Keys are exact: an unknown or repeated key is refused by name.
use serde::Deserialize;

use super::{status_of, Entry, Parsed, Place, Problem, FIELDS};
use crate::validate::quoted;

/// The keys of a force in the site's `forces.json` that import reads past (it changes slug,
/// name, url and status only).
const SITE_KEYS: [&str; 2] = ["notes", "data_to"];

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

pub(super) fn parse(text: &str) -> Result<Parsed, Vec<Problem>> {
    use serde::de::IgnoredAny;
    // the site's file has these beside `forces`; an export has only `forces`
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct File {
        forces: Vec<Members>,
        audit: Option<IgnoredAny>,
        notes: Option<IgnoredAny>,
        title: Option<IgnoredAny>,
        updated: Option<IgnoredAny>,
    }
    // syntax errors have only a line; everything after them is named by record
    let file: File = serde_json::from_str(text)
        .map_err(|e| vec![Problem::at(Place::Line(e.line()), e.to_string(), None)])?;
    let mut parsed = Parsed::default();
    let mut given = [false; 4];
    let mut site = [false; 2];
    for (i, Members(members)) in file.forces.into_iter().enumerate() {
        let at = Place::Record(i + 1);
        match record(at, members, &mut given, &mut site) {
            Ok(entry) => parsed.entries.push(entry),
            Err(message) => parsed.problems.push(Problem::at(at, message, None)),
        }
    }
    // with no records, no field is left out of every record that is there; a slug is never
    // changed by an import, so it is not "left as it is" either
    if !parsed.entries.is_empty() || !parsed.problems.is_empty() {
        parsed.left_out = FIELDS.iter().zip(given).skip(1).filter(|(_, g)| !g).map(|(f, _)| *f).collect();
    }
    parsed.not_imported = SITE_KEYS.iter().zip(site).filter(|(_, s)| *s).map(|(k, _)| *k).collect();
    Ok(parsed)
}

/// One record: its fields, or what is wrong with it.
fn record(
    at: Place,
    members: Vec<(String, serde_json::Value)>,
    given: &mut [bool; 4],
    site: &mut [bool; 2],
) -> Result<Entry, String> {
    let mut fields: [Option<serde_json::Value>; 4] = Default::default();
    let mut seen_site = [false; 2];
    for (key, value) in members {
        if let Some(k) = SITE_KEYS.iter().position(|f| *f == key) {
            if std::mem::replace(&mut seen_site[k], true) {
                return Err(format!("the key {} is given twice", quoted(&key)));
            }
            site[k] = true;
            continue;
        }
        let Some(k) = FIELDS.iter().position(|f| *f == key) else {
            return Err(format!("unknown key {}; a force has only {}", quoted(&key), known_fields()));
        };
        if fields[k].replace(value).is_some() {
            return Err(format!("the key {} is given twice", quoted(&key)));
        }
        given[k] = true;
    }
    let [slug, name, url, status] = fields;
    let text = |field: &str, value: serde_json::Value| match value {
        serde_json::Value::String(s) => Ok(s),
        other => Err(format!("{field} must be text, not {}", json_kind(&other))),
    };
    let slug = slug.map(|v| text("slug", v)).transpose()?;
    let name = name.map(|v| text("name", v)).transpose()?;
    if slug.is_none() && name.is_none() {
        return Err("no slug and no name; a force needs one or the other, to say which it is".into());
    }
    let url = match url {
        None => None,
        Some(serde_json::Value::Null) => Some(None),
        Some(value) => Some(Some(text("url", value)?).filter(|u| !u.is_empty())),
    };
    let status = status.map(|v| text("status", v).and_then(|s| status_of(&s))).transpose()?;
    Ok(Entry { at, slug, name, url, status })
}
