//! The forces table: look-ups by slug or name, inserts, updates and the `list` query.
use std::borrow::Cow;

use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::exit_codes::failed_hint;
use crate::model::{Force, ForceStatus, LinkStatus, ListEntry};
use crate::validate::{look_key, name_key};

const COLUMNS: &str = "id, slug, name, url, status";

fn from_row(row: &Row) -> rusqlite::Result<Force> {
    let status: String = row.get(4)?;
    Ok(Force {
        id: row.get(0)?,
        slug: row.get(1)?,
        name: row.get(2)?,
        url: row.get(3)?,
        status: ForceStatus::parse(&status).unwrap_or(ForceStatus::Active),
    })
}

pub fn by_slug(conn: &Connection, slug: &str) -> Result<Option<Force>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM forces WHERE slug = ?1"))?
        .query_row([slug], from_row)
        .optional()?)
}

/// Every force, active and retired, by slug.
pub fn all(conn: &Connection) -> Result<Vec<Force>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM forces ORDER BY slug"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every force, in row order (the table's own order: read straight through, with no index).
pub fn all_by_id(conn: &Connection) -> Result<Vec<Force>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM forces ORDER BY id"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every force's slug, name and stored name key.
pub fn name_keys(conn: &Connection) -> Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare_cached("SELECT slug, name, name_key FROM forces ORDER BY slug")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Active forces that have a URL, by name: what `check-links` checks.
pub fn linked(conn: &Connection) -> Result<Vec<Force>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM forces WHERE status = 'active' AND url IS NOT NULL ORDER BY name_key, slug"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The force whose name equals `name` ignoring case and surrounding white space.
pub fn by_name(conn: &Connection, name: &str) -> Result<Option<Force>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM forces WHERE name_key = ?1"))?
        .query_row([name_key(name)], from_row)
        .optional()?)
}

/// The forces whose names read as `name` (`validate::look_key`), oldest first: none or one, but
/// for a database an older admin wrote, which may hold two.
pub fn look_alikes(conn: &Connection, name: &str) -> Result<Vec<Force>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM forces WHERE look_key = ?1 ORDER BY id"))?;
    let rows = stmt.query_map([look_key(name)], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every two forces whose names read alike, oldest first: only a database an older admin wrote
/// holds any, since a new name that reads as another is refused.
pub fn look_alike_pairs(conn: &Connection) -> Result<Vec<(Force, Force)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.slug, a.name, a.url, a.status, b.id, b.slug, b.name, b.url, b.status
         FROM forces a JOIN forces b ON b.look_key = a.look_key AND b.id > a.id
         WHERE a.look_key IN (SELECT look_key FROM forces GROUP BY look_key HAVING COUNT(*) > 1)
         ORDER BY a.id, b.id",
    )?;
    let rows = stmt.query_map([], |row| {
        let force = |at: usize| -> rusqlite::Result<Force> {
            let status: String = row.get(at + 4)?;
            Ok(Force {
                id: row.get(at)?,
                slug: row.get(at + 1)?,
                name: row.get(at + 2)?,
                url: row.get(at + 3)?,
                status: ForceStatus::parse(&status).unwrap_or(ForceStatus::Active),
            })
        };
        Ok((force(0)?, force(5)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<Force>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM forces WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// Write a force's row: a new force gets its `id` (or the next one, for 0), a known slug its
/// name, URL and status. Only the projection calls this.
pub fn put(conn: &Connection, force: &Force, change_id: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO forces (id, slug, name, name_key, look_key, url, status, change_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (slug) DO UPDATE SET name = excluded.name, name_key = excluded.name_key,
                                          look_key = excluded.look_key, url = excluded.url,
                                          status = excluded.status, change_id = excluded.change_id",
    )?
    .execute(params![
        (force.id > 0).then_some(force.id),
        force.slug,
        force.name,
        name_key(&force.name),
        look_key(&force.name),
        force.url,
        force.status.as_str(),
        change_id
    ])
    .with_context(|| format!("failed to write force `{}`", force.slug))?;
    Ok(())
}

/// Write an edit of a force whose row is there: its URL, status and change, and its name with
/// the keys made from it only where one of them is not what the name makes. The keys are
/// indexed, and writing them again, unchanged, would rewrite their index pages: an edit of a URL
/// writes the row alone. A row edited behind the tool's back gets its keys made again, as `put`
/// makes them (and a name another force's key already holds is refused by the index, as there).
/// A row that is not there is written whole, by `put`.
pub fn put_edit(conn: &Connection, force: &Force, change_id: i64) -> Result<()> {
    let failed = || format!("failed to write force `{}`", force.slug);
    // the row's name and keys as they were (`None` for one that is not text: a table edited by
    // hand)
    type Written = (Option<String>, Option<String>, Option<String>);
    let text = |row: &Row, i: usize| row.get::<_, String>(i).ok();
    let written: Option<Written> = conn
        .prepare_cached(
            "UPDATE forces SET url = ?2, status = ?3, change_id = ?4 WHERE slug = ?1
             RETURNING name, name_key, look_key",
        )?
        .query_row(params![force.slug, force.url, force.status.as_str(), change_id], |row| {
            Ok((text(row, 0), text(row, 1), text(row, 2)))
        })
        .optional()
        .with_context(failed)?;
    let Some((name, key, look)) = written else { return put(conn, force, change_id) };
    let (new_key, new_look) = (name_key(&force.name), look_key(&force.name));
    if name.as_deref() == Some(&force.name)
        && key.as_ref() == Some(&new_key)
        && look.as_ref() == Some(&new_look)
    {
        return Ok(());
    }
    conn.prepare_cached("UPDATE forces SET name = ?2, name_key = ?3, look_key = ?4 WHERE slug = ?1")?
        .execute(params![force.slug, force.name, new_key, new_look])
        .with_context(failed)?;
    Ok(())
}

/// Every force (or only the active ones), as `admin list` shows them, sorted by name.
pub fn list(conn: &Connection, include_retired: bool) -> Result<Vec<ListEntry<'static>>> {
    let sql = format!("{ENTRY} WHERE ?1 OR f.status = 'active' ORDER BY f.name_key, f.slug");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([include_retired], entry_of)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The force with `slug` as `list` gives it (retired or not), read alone: `show` of one force
/// among 100,000 reads its row, not the list.
pub fn entry(conn: &Connection, slug: &str) -> Result<Option<ListEntry<'static>>> {
    let mut stmt = conn.prepare_cached(&format!("{ENTRY} WHERE f.slug = ?1"))?;
    Ok(stmt.query_row([slug], entry_of).optional()?)
}

/// A force's row in the list: its fields, its latest link check, its open notes and reviews.
const ENTRY: &str = "SELECT f.slug, f.name, f.url, f.status, lc.status, lc.url,
        (SELECT COUNT(*) FROM notes n WHERE n.force_id = f.id AND n.status = 'open'),
        (SELECT MAX(r.at) FROM reviews r WHERE r.force_id = f.id),
        (SELECT r.data_to FROM reviews r WHERE r.force_id = f.id AND r.data_to IS NOT NULL
         ORDER BY r.change_id DESC LIMIT 1)
     FROM forces f
     LEFT JOIN link_checks lc ON lc.id = (SELECT MAX(id) FROM link_checks WHERE force_id = f.id)";

fn entry_of(row: &Row) -> rusqlite::Result<ListEntry<'static>> {
    let url: Option<String> = row.get(2)?;
    let status: String = row.get(3)?;
    let checked: Option<String> = row.get(4)?;
    let checked_url: Option<String> = row.get(5)?;
    let owned = |i: usize| -> rusqlite::Result<Option<Cow<'static, str>>> {
        Ok(row.get::<_, Option<String>>(i)?.map(Cow::Owned))
    };
    Ok(ListEntry {
        slug: Cow::Owned(row.get(0)?),
        name: Cow::Owned(row.get(1)?),
        link_status: link_status(url.as_deref(), checked.as_deref(), checked_url.as_deref()),
        url: url.map(Cow::Owned),
        status: ForceStatus::parse(&status).unwrap_or(ForceStatus::Active),
        open_notes: row.get(6)?,
        last_reviewed: owned(7)?,
        data_to: owned(8)?,
    })
}

/// A force's link status: `missing` without a URL, `pending` until the current URL is checked.
pub fn link_status(url: Option<&str>, checked: Option<&str>, checked_url: Option<&str>) -> LinkStatus {
    match (url, checked) {
        (None, _) => LinkStatus::Missing,
        (Some(url), Some(status)) if checked_url == Some(url) => {
            LinkStatus::parse(status).unwrap_or(LinkStatus::Pending)
        }
        _ => LinkStatus::Pending,
    }
}

/// Recompute every force's keys with today's rules (a database written by an older admin holds
/// keys made by older ones), in one transaction: `name_key`, and `look_key` where the table has
/// it (V13 computes it for a database from before that). Two forces whose names now share a
/// `name_key`, a UNIQUE column, render alike: that is refused, naming both, and nothing is
/// changed. Two that share only a `look_key` read alike: both stay, and `admin status` names them.
pub fn rekey_names(conn: &Connection) -> Result<()> {
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)
        .context("failed to start recomputing force name keys")?;
    let has_look_key: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('forces') WHERE name = 'look_key')",
        [],
        |row| row.get(0),
    )?;
    let look_column = if has_look_key { "look_key" } else { "NULL" };
    type Keys = (i64, String, String, String, Option<String>);
    let rows: Vec<Keys> = tx
        .prepare(&format!("SELECT id, slug, name, name_key, {look_column} FROM forces ORDER BY id"))?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut seen: std::collections::HashMap<String, (&str, &str)> = std::collections::HashMap::new();
    let mut stale = Vec::new();
    let mut stale_look = Vec::new();
    for (id, slug, name, old, old_look) in &rows {
        let key = name_key(name);
        if let Some((other_slug, other_name)) = seen.insert(key.clone(), (slug, name)) {
            return Err(failed_hint(
                format!(
                    "the forces {} ({other_slug}) and {} ({slug}) have names that look alike, which this admin counts as one name",
                    crate::validate::quoted(other_name),
                    crate::validate::quoted(name)
                ),
                "rename one of them with the admin that made this database; this one left it unchanged",
            ));
        }
        if key != *old {
            stale.push((*id, key));
        }
        if let Some(old_look) = old_look {
            let look = look_key(name);
            if look != *old_look {
                stale_look.push((*id, look));
            }
        }
    }
    if stale.is_empty() && stale_look.is_empty() {
        return Ok(());
    }
    // two passes, so that a key moving from one force to another never meets itself
    for (id, _) in &stale {
        tx.execute("UPDATE forces SET name_key = '#rekey ' || id WHERE id = ?1", [id])?;
    }
    for (id, key) in &stale {
        tx.execute("UPDATE forces SET name_key = ?2 WHERE id = ?1", params![id, key])?;
    }
    for (id, key) in &stale_look {
        tx.execute("UPDATE forces SET look_key = ?2 WHERE id = ?1", params![id, key])?;
    }
    tx.commit().context("failed to save recomputed force name keys")?;
    Ok(())
}

/// How many forces there are, active and retired.
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM forces", [], |row| row.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    /// A database as an admin before the name-key rule left it: migrated up to version 8,
    /// holding the given names with keys made by the old rule (trimmed, lower case).
    fn old_database(names: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let mut conn = Connection::open(&path).unwrap();
        crate::db::migrations_up_to(&mut conn, 8).unwrap();
        for (i, name) in names.iter().enumerate() {
            conn.execute(
                "INSERT INTO forces (slug, name, name_key, status) VALUES (?1, ?2, ?3, 'active')",
                params![format!("force-{i}"), name, name.trim().to_lowercase()],
            )
            .unwrap();
        }
        (dir, path)
    }

    fn keys(db: &Db) -> Vec<String> {
        let mut stmt = db.conn().prepare("SELECT name_key FROM forces ORDER BY id").unwrap();
        stmt.query_map([], |row| row.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn opening_an_old_database_recomputes_its_name_keys() {
        let (_dir, path) = old_database(&["Kent  Police", "STRASSE Police", "Ｅｓｓｅｘ Police"]);
        let db = Db::open(&path).unwrap();
        assert_eq!(keys(&db), ["kent police", "strasse police", "essex police"]);
        assert_eq!(by_name(db.conn(), "Kent Police").unwrap().unwrap().slug, "force-0");
        assert_eq!(by_name(db.conn(), "Straße police").unwrap().unwrap().slug, "force-1");
    }

    /// V13: names that read alike (SPEC section 17) in a database an older admin wrote are not
    /// refused; they get one look-alike key, and the pair is found for `admin status`.
    #[test]
    fn an_old_database_with_names_that_read_alike_opens_and_pairs_them() {
        let (_dir, path) = old_database(&["Kent Police", "Kent PoIice", "Essex Police", "KENT P0LICE"]);
        let db = Db::open(&path).unwrap();
        let looks: Vec<String> = db
            .conn()
            .prepare("SELECT look_key FROM forces ORDER BY id")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let kent = look_key("Kent Police");
        assert_eq!(looks, [kent.clone(), kent.clone(), look_key("Essex Police"), kent]);
        let pairs: Vec<(String, String)> =
            look_alike_pairs(db.conn()).unwrap().into_iter().map(|(a, b)| (a.slug, b.slug)).collect();
        assert_eq!(
            pairs,
            [("force-0", "force-1"), ("force-0", "force-3"), ("force-1", "force-3")]
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        // each is still found by its own name, and a look-alike of both finds neither alone
        assert_eq!(by_name(db.conn(), "Kent PoIice").unwrap().unwrap().slug, "force-1");
        assert_eq!(look_alikes(db.conn(), "Kent Po1ice").unwrap().len(), 3);
    }

    #[test]
    fn an_old_database_with_look_alike_names_is_refused_unchanged() {
        let (_dir, path) = old_database(&["Kent Police", "Essex Police", "Kent\u{00A0}Police"]);
        let err = Db::open(&path).err().unwrap();
        assert_eq!(crate::exit_codes::code_for(&err), crate::exit_codes::FAILURE);
        let text = err.to_string();
        assert!(text.contains("force-0") && text.contains("force-2"), "{text}");
        // nothing changed: the old keys stand and the migration is still to run, so the next
        // open checks again
        let conn = Connection::open(&path).unwrap();
        let keys: Vec<String> = conn
            .prepare("SELECT name_key FROM forces ORDER BY id")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(keys, ["kent police", "essex police", "kent\u{00A0}police"]);
        assert!(Db::open(&path).is_err());
    }
}
