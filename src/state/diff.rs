//! Where two states first differ: the live tables against the log.
use serde::Serialize;

use super::State;

fn to_value<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Where two states first differ: which table, which row, which field, and both values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub table: &'static str,
    /// A force's slug, a note's id, `page`.
    pub key: String,
    pub field: String,
    pub live: String,
    pub logged: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "table {}, {} {}, field {}: the table holds {} but the audit log says {}",
            self.table,
            match self.table {
                "forces" => "force",
                "reviews" => "review",
                "notes" => "note",
                "editors" => "editor",
                "publications" => "publication",
                "settings" => "setting",
                "schema" => "object",
                _ => "row",
            },
            crate::output::shortened(&self.key),
            self.field,
            crate::output::shortened(&self.live),
            crate::output::shortened(&self.logged)
        )
    }
}

fn show<T: Serialize>(value: &T) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    crate::output::one_line(&text)
}

impl State {
    /// The first way `self` (the live tables) differs from `logged` (the replayed log), if any.
    pub fn first_difference(&self, logged: &State) -> Option<Difference> {
        let diff = |table: &'static str, key: &str, field: &str, live: String, logged: String| {
            Some(Difference { table, key: key.to_owned(), field: field.to_owned(), live, logged })
        };
        let absent = || "nothing".to_owned();
        // forces: every slug either side has, in order
        let slugs: std::collections::BTreeSet<&String> =
            self.forces.keys().chain(logged.forces.keys()).collect();
        for slug in slugs {
            match (self.forces.get(slug), logged.forces.get(slug)) {
                (Some(live), Some(log)) => {
                    if live.name != log.name {
                        return diff("forces", slug, "name", show(&live.name), show(&log.name));
                    }
                    if live.url != log.url {
                        return diff("forces", slug, "url", show(&live.url), show(&log.url));
                    }
                    if live.status != log.status {
                        return diff("forces", slug, "status", show(&live.status), show(&log.status));
                    }
                }
                (Some(live), None) => return diff("forces", slug, "row", show(live), absent()),
                (None, Some(log)) => return diff("forces", slug, "row", absent(), show(log)),
                (None, None) => {}
            }
        }
        let ids: std::collections::BTreeSet<&i64> = self.notes.keys().chain(logged.notes.keys()).collect();
        for id in ids {
            let key = id.to_string();
            match (self.notes.get(id), logged.notes.get(id)) {
                (Some(live), Some(log)) => {
                    if live.force != log.force {
                        return diff("notes", &key, "force", show(&live.force), show(&log.force));
                    }
                    if live.text != log.text {
                        return diff("notes", &key, "text", show(&live.text), show(&log.text));
                    }
                    if live.public != log.public {
                        return diff("notes", &key, "public", show(&live.public), show(&log.public));
                    }
                    if live.status != log.status {
                        return diff("notes", &key, "status", show(&live.status), show(&log.status));
                    }
                }
                (Some(live), None) => return diff("notes", &key, "row", show(live), absent()),
                (None, Some(log)) => return diff("notes", &key, "row", absent(), show(log)),
                (None, None) => {}
            }
        }
        let slugs: std::collections::BTreeSet<&String> =
            self.reviews.keys().chain(logged.reviews.keys()).collect();
        for slug in slugs {
            let (live, log) = (
                self.reviews.get(slug).map_or(&[][..], Vec::as_slice),
                logged.reviews.get(slug).map_or(&[][..], Vec::as_slice),
            );
            if live != log {
                let i = live.iter().zip(log).take_while(|(a, b)| a == b).count();
                return diff(
                    "reviews",
                    slug,
                    &format!("review {}", i + 1),
                    show(&live.get(i)),
                    show(&log.get(i)),
                );
            }
        }
        let names: std::collections::BTreeSet<&String> =
            self.editors.keys().chain(logged.editors.keys()).collect();
        for name in names {
            match (self.editors.get(name), logged.editors.get(name)) {
                (Some(live), Some(log)) => {
                    if live.role != log.role {
                        return diff("editors", name, "role", show(&live.role), show(&log.role));
                    }
                    if live.status != log.status {
                        return diff("editors", name, "status", show(&live.status), show(&log.status));
                    }
                    if live.key != log.key {
                        return diff("editors", name, "key", show(&live.key), show(&log.key));
                    }
                }
                (Some(live), None) => return diff("editors", name, "row", show(live), absent()),
                (None, Some(log)) => return diff("editors", name, "row", absent(), show(log)),
                (None, None) => {}
            }
        }
        if self.page != logged.page {
            let (live, log) =
                (self.page.clone().unwrap_or_default(), logged.page.clone().unwrap_or_default());
            let (live_v, log_v) = (to_value(&live), to_value(&log));
            let keys: std::collections::BTreeSet<&String> = live_v
                .as_object()
                .into_iter()
                .flat_map(|m| m.keys())
                .chain(log_v.as_object().into_iter().flat_map(|m| m.keys()))
                .collect();
            for key in keys {
                if live_v.get(key) != log_v.get(key) {
                    return diff("page", "page", key, show(&live_v.get(key)), show(&log_v.get(key)));
                }
            }
            return diff("page", "page", "row", show(&self.page), show(&logged.page));
        }
        None
    }
}
