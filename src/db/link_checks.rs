//! Link-check results; the newest per force is its link status. Each also keeps what it saw of
//! the page (its fingerprint) and whether that differed from the check of the same URL before.
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::PageFacts;
use crate::model::Seen;
use crate::model::{LinkCheck, LinkStatus};

fn from_row(row: &Row) -> rusqlite::Result<LinkCheck> {
    let status: String = row.get(2)?;
    Ok(LinkCheck {
        force: row.get(0)?,
        url: row.get(1)?,
        status: LinkStatus::parse(&status).unwrap_or(LinkStatus::Pending),
        http_status: row.get(3)?,
        final_url: row.get(4)?,
        problem: row.get(5)?,
        suggested_fix: row.get(6)?,
        checked_at: row.get(7)?,
        failing_since: row.get(14)?,
        page: PageFacts {
            changed: row.get(8)?,
            content_sha256: row.get(9)?,
            last_modified: row.get(10)?,
            etag: row.get(11)?,
            title: row.get(12)?,
            page_changed_at: row.get(13)?,
        },
    })
}

/// When the page behind check `lc` last changed: the newest check of the same force and URL, up
/// to `lc`, that read a page differing from the one before, or the first that read one.
const PAGE_CHANGED_AT: &str = "(SELECT p.checked_at FROM link_checks p
     WHERE p.force_id = lc.force_id AND p.url = lc.url AND p.id <= lc.id
       AND p.content_sha256 IS NOT NULL AND (p.changed IS NULL OR p.changed = 1)
     ORDER BY p.id DESC LIMIT 1)";

fn select() -> String {
    format!(
        "SELECT f.slug, lc.url, lc.status, lc.http_status, lc.final_url, lc.problem, lc.suggested_fix, lc.checked_at,
                lc.changed, lc.content_sha256, lc.last_modified, lc.etag, lc.title, {PAGE_CHANGED_AT},
                lc.failing_since
         FROM link_checks lc JOIN forces f ON f.id = lc.force_id"
    )
}

/// Store a check; returns its id.
pub fn insert(conn: &Connection, force_id: i64, check: &LinkCheck) -> Result<i64> {
    let page = &check.page;
    conn.prepare_cached(
        "INSERT INTO link_checks (force_id, url, status, http_status, final_url, problem, suggested_fix, checked_at,
                                  changed, content_sha256, last_modified, etag, title, failing_since)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        force_id,
        check.url,
        check.status.as_str(),
        check.http_status,
        check.final_url,
        check.problem,
        check.suggested_fix,
        check.checked_at,
        page.changed,
        page.content_sha256,
        page.last_modified,
        page.etag,
        page.title,
        check.failing_since,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The newest check of a force's link, whatever URL it was for.
pub fn latest(conn: &Connection, force_id: i64) -> Result<Option<LinkCheck>> {
    Ok(conn
        .prepare_cached(&format!("{} WHERE lc.force_id = ?1 ORDER BY lc.id DESC LIMIT 1", select()))?
        .query_row([force_id], from_row)
        .optional()?)
}

/// One stored check, by id.
pub fn get(conn: &Connection, id: i64) -> Result<Option<LinkCheck>> {
    Ok(conn
        .prepare_cached(&format!("{} WHERE lc.id = ?1", select()))?
        .query_row([id], from_row)
        .optional()?)
}

/// The page the newest check of this force's `url` read, if any did: what the next check
/// compares with and asks about.
pub fn last_seen(conn: &Connection, force_id: i64, url: &str) -> Result<Option<Seen>> {
    let row = conn
        .prepare_cached(&format!(
            "{} WHERE lc.force_id = ?1 AND lc.url = ?2 AND lc.content_sha256 IS NOT NULL ORDER BY lc.id DESC LIMIT 1",
            select()
        ))?
        .query_row(params![force_id, url], from_row)
        .optional()?;
    Ok(row.and_then(|check| {
        let fingerprint = check.page.fingerprint()?;
        Some(Seen { final_url: check.final_url.unwrap_or(check.url), fingerprint })
    }))
}

/// When the failing spell of this force's `url` began, if its newest check is in one (a check
/// of another URL since ends it).
pub fn failing_since(conn: &Connection, force_id: i64, url: &str) -> Result<Option<String>> {
    let row: Option<(String, Option<String>)> = conn
        .prepare_cached(
            "SELECT url, failing_since FROM link_checks WHERE force_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([force_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    Ok(row.filter(|(checked, _)| checked == url).and_then(|(_, since)| since))
}

/// Each force's newest check made at or before `at`: slug → (status, url checked).
pub fn latest_before(
    conn: &Connection,
    at: &str,
) -> Result<std::collections::HashMap<String, (String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.slug, lc.status, lc.url FROM link_checks lc JOIN forces f ON f.id = lc.force_id
         WHERE lc.id IN (SELECT MAX(id) FROM link_checks WHERE checked_at <= ?1 GROUP BY force_id)",
    )?;
    let rows = stmt.query_map([at], |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The names of active forces whose newest check of their current URL says broken, by name:
/// what `publish` refuses over. Reads the checks, not every force.
pub fn broken_active(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.name FROM link_checks lc JOIN forces f ON f.id = lc.force_id
         WHERE lc.id IN (SELECT MAX(id) FROM link_checks GROUP BY force_id)
           AND lc.status = 'broken' AND f.status = 'active' AND f.url = lc.url
         ORDER BY f.name_key, f.slug",
    )?;
    let rows = stmt.query_map([], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::links::Fingerprint;

    fn check(url: &str, at: &str, sha: Option<&str>, changed: Option<bool>) -> LinkCheck {
        let print = sha.map(|s| Fingerprint {
            etag: Some(format!("\"{s}\"")),
            last_modified: None,
            content_sha256: s.into(),
            title: Some("Use of force".into()),
        });
        LinkCheck {
            force: "kent-police".into(),
            url: url.into(),
            status: if sha.is_some() { LinkStatus::Ok } else { LinkStatus::Broken },
            http_status: sha.map(|_| 200),
            final_url: Some(format!("{url}/final")),
            problem: None,
            suggested_fix: None,
            checked_at: at.into(),
            failing_since: None,
            page: PageFacts::new(print.as_ref(), changed),
        }
    }

    /// A database holding one force, and the force's id.
    fn one_force() -> (tempfile::TempDir, Db, i64) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::create(&dir.path().join("t.db")).unwrap();
        db.conn().execute("INSERT INTO forces (name, name_key, slug, status) VALUES ('Kent Police', 'kent police', 'kent-police', 'active')", []).unwrap();
        let force: i64 = db.conn().query_row("SELECT id FROM forces", [], |r| r.get(0)).unwrap();
        (dir, db, force)
    }

    #[test]
    fn the_page_changed_at_the_newest_difference_or_the_first_page_read() {
        let (_dir, db, force) = one_force();
        let conn = db.conn();
        let (a, b) = ("https://a.uk/uof", "https://b.uk/uof");
        assert!(last_seen(conn, force, a).unwrap().is_none());

        let broken = insert(conn, force, &check(a, "2026-01-01T00:00:00Z", None, None)).unwrap();
        assert_eq!(get(conn, broken).unwrap().unwrap().page.page_changed_at, None, "no page read yet");
        let first = insert(conn, force, &check(a, "2026-01-02T00:00:00Z", Some("11"), None)).unwrap();
        assert_eq!(
            get(conn, first).unwrap().unwrap().page.page_changed_at.as_deref(),
            Some("2026-01-02T00:00:00Z")
        );
        let same = insert(conn, force, &check(a, "2026-01-03T00:00:00Z", Some("11"), Some(false))).unwrap();
        assert_eq!(
            get(conn, same).unwrap().unwrap().page.page_changed_at.as_deref(),
            Some("2026-01-02T00:00:00Z")
        );
        insert(conn, force, &check(a, "2026-01-04T00:00:00Z", Some("22"), Some(true))).unwrap();
        insert(conn, force, &check(a, "2026-01-05T00:00:00Z", None, None)).unwrap();
        let latest_a = latest(conn, force).unwrap().unwrap();
        assert_eq!(latest_a.status, LinkStatus::Broken);
        assert_eq!(
            latest_a.page.page_changed_at.as_deref(),
            Some("2026-01-04T00:00:00Z"),
            "a broken check keeps the date"
        );

        let seen = last_seen(conn, force, a).unwrap().unwrap();
        assert_eq!(
            (seen.final_url.as_str(), seen.fingerprint.content_sha256.as_str()),
            ("https://a.uk/uof/final", "22")
        );
        assert_eq!(seen.fingerprint.etag.as_deref(), Some("\"22\""));
        assert!(last_seen(conn, force, b).unwrap().is_none(), "another URL is another page");
        insert(conn, force, &check(b, "2026-01-06T00:00:00Z", Some("22"), None)).unwrap();
        let latest_b = latest(conn, force).unwrap().unwrap();
        assert_eq!(latest_b.page.page_changed_at.as_deref(), Some("2026-01-06T00:00:00Z"));
    }

    #[test]
    fn a_failing_spell_is_the_newest_checks_and_only_for_its_url() {
        let (_dir, db, force) = one_force();
        let conn = db.conn();
        let (a, b) = ("https://a.uk/uof", "https://b.uk/uof");
        assert_eq!(failing_since(conn, force, a).unwrap(), None, "never checked");
        let since = Some("2026-01-01T00:00:00Z".to_owned());
        let failing =
            LinkCheck { failing_since: since.clone(), ..check(a, "2026-01-01T00:00:00Z", None, None) };
        let id = insert(conn, force, &failing).unwrap();
        assert_eq!(get(conn, id).unwrap().unwrap().failing_since, since);
        assert_eq!(failing_since(conn, force, a).unwrap(), since);
        assert_eq!(failing_since(conn, force, b).unwrap(), None, "another URL is another link");
        insert(conn, force, &check(a, "2026-01-01T01:00:00Z", Some("11"), None)).unwrap();
        assert_eq!(failing_since(conn, force, a).unwrap(), None, "an answer ends the spell");
    }
}
