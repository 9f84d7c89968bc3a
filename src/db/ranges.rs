//! Which changes a reading of the log takes: a range of them, and how far into the log to look,
//! each as the `WHERE` clause that selects it.
use crate::audit::Entity;

/// Which changes to stream, in id order.
#[derive(Debug, Clone)]
pub enum Range {
    All,
    /// Up to a moment or a change.
    Until(Cutoff),
    /// After a change id.
    After(i64),
    /// After a change id, up to a moment or a change.
    Between(i64, Cutoff),
    /// Every change about one of these entities.
    About(&'static [Entity]),
}

impl Range {
    /// The `WHERE` clause that selects the range, and its one parameter.
    pub(super) fn clause(&self) -> (String, Vec<rusqlite::types::Value>) {
        let (clause, value) = match self {
            Range::All => ("?1 IS NULL".into(), rusqlite::types::Value::Null),
            Range::Until(cutoff) => {
                let (clause, value) = cutoff.clause();
                (clause.to_owned(), value)
            }
            Range::Between(after, cutoff) => {
                let (clause, value) = cutoff.clause();
                return (format!("id > ?2 AND {clause}"), vec![value, (*after).into()]);
            }
            Range::After(id) => ("id > ?1".into(), (*id).into()),
            Range::About(entities) => {
                let list: Vec<String> = entities.iter().map(|e| format!("'{}'", e.as_str())).collect();
                // most of a log is about forces: those are read in the table's order, not looked
                // up one by one through the entity's index (on a million changes, 1 s against 4.6)
                let column = if entities.contains(&Entity::Force) { "+entity" } else { "entity" };
                (format!("{column} IN ({}) AND ?1 IS NULL", list.join(", ")), rusqlite::types::Value::Null)
            }
        };
        (clause, vec![value])
    }
}

/// How far into the log to look: up to a moment, or up to a change.
#[derive(Debug, Clone)]
pub enum Cutoff {
    /// Changes made at or before this time (RFC 3339 as stored).
    At(String),
    /// Changes with an id at or below this one.
    Id(i64),
}

impl Cutoff {
    pub(super) fn clause(&self) -> (&'static str, rusqlite::types::Value) {
        match self {
            // the log's times never go back (a change stamped before the one it follows breaks
            // a rule), so the changes made by `at` all come before the first one stamped after
            // it: the search ends there, found through `changes_by_at`, not at the log's end
            Cutoff::At(at) => (
                "at <= ?1 AND id < COALESCE((SELECT id FROM changes WHERE at > ?1 ORDER BY at, id LIMIT 1), 9223372036854775807)",
                at.clone().into(),
            ),
            Cutoff::Id(id) => ("id <= ?1", (*id).into()),
        }
    }
}
