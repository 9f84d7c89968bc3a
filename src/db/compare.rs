//! Comparing two databases made by the same migrations, as SQL sees them: every schema object
//! (tables, columns, indexes, triggers, views) and every row and column of the tables the audit
//! log describes, naming the first difference. `audit verify` compares the live file with the
//! database its log rebuilds. `link_checks` (the link checker's observations, not the log's),
//! `meta` and the migration history are not the log's to rebuild; the log itself is checked by
//! its chain.
use anyhow::{Context, Result};
use std::cmp::Ordering;

use rusqlite::fallible_streaming_iterator::FallibleStreamingIterator;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use crate::state::Difference;

/// Tables that are not a projection of the log.
/// (`checkpoints` is, but of the state at earlier changes: `audit verify` compares each with its
/// replay as it passes that change.)
const NOT_PROJECTED: &[&str] = &["changes", "checkpoints", "link_checks", "meta", "refinery_schema_history"];

/// The database a log rebuilds, written as two made by the same migrations (at once, on two
/// threads): each table's rows are those of `first` followed by those of `second`, every row of
/// `first` coming before every row of `second` in the table's key order.
pub struct Rebuilt<'a> {
    pub first: &'a Connection,
    pub second: &'a Connection,
}

/// The first way `live` differs from `rebuilt`: its schema, then each projected table.
pub fn first_difference(live: &Connection, rebuilt: &Rebuilt) -> Result<Option<Difference>> {
    if let Some(difference) = compare_schema(live, rebuilt.first)? {
        return Ok(Some(difference));
    }
    if let Some(difference) = unknown_meta(live)? {
        return Ok(Some(difference));
    }
    for table in tables(rebuilt.first)? {
        if let Some(difference) = compare_table(live, rebuilt, &table)? {
            return Ok(Some(difference));
        }
    }
    Ok(None)
}

/// The first way `live`'s schema differs from that of a database admin's migrations make.
pub fn schema_difference(live: &Connection) -> Result<Option<Difference>> {
    compare_schema(live, &crate::db::in_memory()?)
}

/// The keys admin writes into `meta`; a row with any other key was put there behind its back.
const META_KEYS: &[&str] = &["database_id", "signatures_v2_from"];

/// A `meta` row admin never writes, or a value it never writes there: the database's id is 32
/// hexadecimal digits, and the change signatures of the second form start from is a number.
fn unknown_meta(live: &Connection) -> Result<Option<Difference>> {
    let mut stmt =
        live.prepare("SELECT key, quote(value), typeof(value), CAST(value AS TEXT) FROM meta ORDER BY key")?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get_ref(3)?.as_bytes().map(<[u8]>::to_vec).unwrap_or_default(),
        ))
    })?;
    for row in rows {
        let (key, quoted, kind, value) = row?;
        let difference = |logged: String| {
            Ok(Some(Difference {
                table: "meta",
                key: crate::validate::quoted(&key),
                field: "value".to_owned(),
                live: crate::output::one_line(&quoted),
                logged,
            }))
        };
        let hex = |v: &[u8]| v.len() == 32 && v.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let number = |v: &[u8]| !v.is_empty() && v.len() < 19 && v.iter().all(u8::is_ascii_digit);
        match key.as_str() {
            "database_id" if kind != "text" || !hex(&value) => {
                return difference("an id of 32 hexadecimal digits, as admin makes one".to_owned())
            }
            "signatures_v2_from" if !matches!(kind.as_str(), "text" | "integer") || !number(&value) => {
                return difference("the number of a change".to_owned())
            }
            "database_id" | "signatures_v2_from" => {}
            _ => return difference(format!("no such row (admin writes only {})", META_KEYS.join(" and "))),
        }
    }
    Ok(None)
}

/// Every schema object, as SQLite records it: (type, name) → its SQL.
fn schema(conn: &Connection) -> Result<Vec<(String, String, Option<String>)>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn compare_schema(live: &Connection, rebuilt: &Connection) -> Result<Option<Difference>> {
    let (live, rebuilt) = (schema(live)?, schema(rebuilt)?);
    let key = |o: &(String, String, Option<String>)| (o.0.clone(), o.1.clone());
    let mut l = live.iter().peekable();
    let mut r = rebuilt.iter().peekable();
    let difference = |o: &(String, String, Option<String>), live: String, logged: String| Difference {
        table: "schema",
        key: format!("{} {}", o.0, o.1),
        field: "sql".to_owned(),
        live,
        logged,
    };
    loop {
        return Ok(match (l.peek(), r.peek()) {
            (None, None) => None,
            (Some(a), Some(b)) if key(a) == key(b) => {
                if a.2 != b.2 {
                    let (live, logged) = (show_sql(&a.2), show_sql(&b.2));
                    if live == logged {
                        // they differ in white space alone: show it, escaped
                        let raw = |sql: &Option<String>| format!("{:?}", sql.as_deref().unwrap_or(""));
                        Some(difference(a, raw(&a.2), raw(&b.2)))
                    } else {
                        Some(difference(a, live, logged))
                    }
                } else {
                    l.next();
                    r.next();
                    continue;
                }
            }
            (Some(a), b) if b.is_none_or(|b| key(a) < key(b)) => {
                Some(difference(a, show_sql(&a.2), "no such object".to_owned()))
            }
            (_, Some(b)) => Some(difference(b, "no such object".to_owned(), show_sql(&b.2))),
            (Some(_), None) => None,
        });
    }
}

fn show_sql(sql: &Option<String>) -> String {
    let text = sql.as_deref().unwrap_or("(none)").split_whitespace().collect::<Vec<_>>().join(" ");
    crate::output::one_line(&text)
}

/// The tables the rebuilt database has that are the log's projection.
fn tables(conn: &Connection) -> Result<Vec<String>> {
    Ok(schema(conn)?
        .into_iter()
        .filter(|(kind, name, _)| kind == "table" && !NOT_PROJECTED.contains(&name.as_str()))
        .map(|(_, name, _)| name)
        .collect())
}

/// A table's columns, and which of them make its primary key (in key order).
fn columns(conn: &Connection, table: &str) -> Result<(Vec<String>, Vec<usize>)> {
    let mut stmt =
        conn.prepare(&format!("SELECT name, pk FROM pragma_table_info('{table}') ORDER BY cid"))?;
    let rows: Vec<(String, i64)> =
        stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut key: Vec<(i64, usize)> =
        rows.iter().enumerate().filter(|(_, (_, pk))| *pk > 0).map(|(i, (_, pk))| (*pk, i)).collect();
    key.sort_unstable();
    Ok((rows.into_iter().map(|(name, _)| name).collect(), key.into_iter().map(|(_, i)| i).collect()))
}

type Row = Vec<Value>;

/// A table's rows in key order, one at a time.
fn select(table: &str, columns: &[String], key: &[usize]) -> String {
    let order: Vec<&str> = key.iter().map(|&i| columns[i].as_str()).collect();
    format!(
        "SELECT {} FROM \"{table}\" ORDER BY {}",
        columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", "),
        if order.is_empty() { "rowid".to_owned() } else { order.join(", ") }
    )
}

/// A table's rebuilt rows: those of the first database, then those of the second.
struct Chained<'a> {
    parts: [rusqlite::Rows<'a>; 2],
    at: usize,
}

impl<'a> Chained<'a> {
    /// The next row, read where it is: nothing is copied out of SQLite to compare it.
    fn next(&mut self) -> rusqlite::Result<Option<&rusqlite::Row<'a>>> {
        while let Some(rows) = self.parts.get_mut(self.at) {
            rows.advance()?;
            if rows.get().is_some() {
                break;
            }
            self.at += 1;
        }
        Ok(self.parts.get(self.at).and_then(|rows| rows.get()))
    }
}

/// A row's columns as values of its own, to name it in a difference.
fn owned(row: &rusqlite::Row, width: usize) -> Result<Row> {
    Ok((0..width).map(|i| row.get::<_, Value>(i)).collect::<rusqlite::Result<_>>()?)
}

/// How a row is named in a difference: its force slug, editor name, page field, or key.
fn label(table: &str, columns: &[String], key: &[usize], row: &Row) -> String {
    let named = match table {
        "forces" => columns.iter().position(|c| c == "slug"),
        _ => None,
    };
    match named {
        Some(i) => show(&row[i]),
        None => key.iter().map(|&i| show(&row[i])).collect::<Vec<_>>().join(", "),
    }
}

/// A `force_id` as an editor knows the force: its row id and, where one of `databases` holds
/// that row, the force's slug.
fn force_of(databases: &[&Connection], value: &Value) -> String {
    let Value::Integer(id) = value else { return quoted(value) };
    let slug = databases.iter().find_map(|conn| {
        conn.query_row("SELECT slug FROM forces WHERE id = ?1", [id], |row| row.get::<_, String>(0)).ok()
    });
    match slug {
        Some(slug) => format!("{id} ({})", crate::output::one_line(&slug)),
        None => id.to_string(),
    }
}

fn show(value: &Value) -> String {
    let text = match value {
        Value::Null => "NULL".to_owned(),
        Value::Integer(n) => n.to_string(),
        Value::Real(x) => x.to_string(),
        Value::Text(t) => t.clone(),
        Value::Blob(b) => format!("{} bytes", b.len()),
    };
    crate::output::one_line(&text)
}

fn quoted(value: &Value) -> String {
    match value {
        Value::Text(t) => crate::output::quoted(t),
        other => show(other),
    }
}

fn compare_table(live: &Connection, rebuilt: &Rebuilt, table: &str) -> Result<Option<Difference>> {
    let (names, key) = columns(rebuilt.first, table)?;
    let (live_names, _) = columns(live, table)?;
    if live_names != names {
        // the schema comparison names a changed table first; this is a safeguard
        return Ok(Some(Difference {
            table: "schema",
            key: format!("table {table}"),
            field: "columns".to_owned(),
            live: live_names.join(", "),
            logged: names.join(", "),
        }));
    }
    let sql = select(table, &names, &key);
    let mut live_stmt = live.prepare(&sql).with_context(|| format!("failed to read table {table}"))?;
    let context = || format!("failed to read table {table}");
    let mut first_stmt = rebuilt.first.prepare(&sql).with_context(context)?;
    let mut second_stmt = rebuilt.second.prepare(&sql).with_context(context)?;
    let mut live_rows = live_stmt.query([])?;
    let mut rebuilt_rows = Chained { parts: [first_stmt.query([])?, second_stmt.query([])?], at: 0 };
    let table_name: &'static str = match table {
        "forces" => "forces",
        "notes" => "notes",
        "reviews" => "reviews",
        "page" => "page",
        "editors" => "editors",
        "publications" => "publications",
        "settings" => "settings",
        _ => "a table",
    };
    let difference = |row: &Row, field: &str, live: String, logged: String| {
        let mut d = Difference {
            table: table_name,
            key: label(table, &names, &key, row),
            field: field.to_owned(),
            live,
            logged,
        };
        // the page's table holds one field a row: name the field
        if table == "page" {
            let name = std::mem::replace(&mut d.key, "page".to_owned());
            d.field = if matches!(field, "value" | "row") { name } else { format!("{name} {field}") };
        }
        d
    };
    let width = names.len();
    // a row of one with no row of the other at its key is a difference, as is any column of
    // two rows at the same key: the first found ends the comparison, so the two are read in step
    loop {
        let (x, y) = (live_rows.next()?, rebuilt_rows.next()?);
        let order = match (x, y) {
            (None, None) => return Ok(None),
            (Some(x), Some(y)) => compare_keys(x, y, &key)?,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
        };
        match (order, x, y) {
            (Ordering::Less, Some(x), _) => {
                let x = owned(x, width)?;
                return Ok(Some(difference(&x, "row", describe_row(&names, &x), "nothing".to_owned())));
            }
            (Ordering::Greater, _, Some(y)) => {
                let y = owned(y, width)?;
                return Ok(Some(difference(&y, "row", "nothing".to_owned(), describe_row(&names, &y))));
            }
            (_, Some(x), Some(y)) => {
                let mut differs = None;
                for c in 0..width {
                    if x.get_ref(c)? != y.get_ref(c)? {
                        differs = Some(c);
                        break;
                    }
                }
                let Some(c) = differs else { continue };
                let (x, y) = (owned(x, width)?, owned(y, width)?);
                let (held, logged) = match (&x[c], &y[c]) {
                    _ if names[c] == "force_id" => {
                        (force_of(&[live], &x[c]), force_of(&[rebuilt.first, rebuilt.second], &y[c]))
                    }
                    (Value::Text(a), Value::Text(b)) => crate::output::quoted_pair(a, b),
                    _ => (quoted(&x[c]), quoted(&y[c])),
                };
                return Ok(Some(difference(&x, &names[c], held, logged)));
            }
            _ => return Ok(None),
        }
    }
}

/// Two rows in the order of their keys (the columns `key`), as SQLite orders them here: NULL,
/// then numbers, then text, then blobs.
fn compare_keys(a: &rusqlite::Row, b: &rusqlite::Row, key: &[usize]) -> rusqlite::Result<Ordering> {
    fn rank(v: ValueRef<'_>) -> (u8, i64, &[u8]) {
        match v {
            ValueRef::Null => (0, 0, b""),
            ValueRef::Integer(n) => (1, n, b""),
            ValueRef::Real(x) => (1, x as i64, b""),
            ValueRef::Text(t) => (2, 0, t),
            ValueRef::Blob(_) => (3, 0, b""),
        }
    }
    for &i in key {
        let order = rank(a.get_ref(i)?).cmp(&rank(b.get_ref(i)?));
        if order != Ordering::Equal {
            return Ok(order);
        }
    }
    Ok(Ordering::Equal)
}

fn describe_row(names: &[String], row: &Row) -> String {
    names.iter().zip(row).map(|(n, v)| format!("{n}={}", quoted(v))).collect::<Vec<_>>().join(", ")
}
