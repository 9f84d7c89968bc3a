//! `admin restore` and backups made by other admins: one made by an older admin is migrated on
//! a copy and verified before it goes in, one from a newer admin is refused.
use std::path::Path;

use rusqlite::Connection;

use crate::testenv::{bytes, TestEnv};

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// A copy of the database at `from` as an admin whose newest migration was `version` wrote it:
/// the schema made by the real migrations up to that version (refinery's history rows and all),
/// and the rows of `from` in the columns that version has.
pub fn as_older_admin_wrote_it(from: &Path, version: i32, to: &Path) {
    let mut conn = Connection::open(to).unwrap();
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).unwrap();
    embedded::migrations::runner().set_target(refinery::Target::Version(version)).run(&mut conn).unwrap();
    conn.execute("ATTACH ?1 AS now", [from.to_str().unwrap()]).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name != 'refinery_schema_history'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for table in tables {
        let columns: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let columns = columns.join(", ");
        conn.execute(&format!("INSERT INTO main.{table} ({columns}) SELECT {columns} FROM now.{table}"), [])
            .unwrap();
    }
    conn.execute_batch("DETACH now").unwrap();
}

#[test]
fn a_backup_from_an_older_admin_is_migrated_on_a_copy_and_verified() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["note", "add", "--force", "kent-police", "figures for 2024 missing"]);
    env.ok(&["backup", "now.db"]);
    for version in [10, 6] {
        let old = env.path(&format!("v{version}.db"));
        as_older_admin_wrote_it(&env.path("now.db"), version, &old);
        let before = bytes(&old);
        env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/since"]);
        let out = env.ok(&["restore", old.to_str().unwrap()]);
        assert!(
            out.contains(&format!("48 changes, audit log verified, migrated from schema version {version}")),
            "{out}"
        );
        assert_eq!(bytes(&old), before, "the backup itself was migrated");
        assert_eq!(
            env.json(&["show", "kent-police", "--json"])["force"]["url"],
            "https://www.kent.police.uk/uof"
        );
        assert_eq!(env.json(&["note", "list", "--json"])["notes"][0]["text"], "figures for 2024 missing");
        assert!(env.ok(&["audit", "verify"]).contains("intact"));
    }
    // what an admin newer than this one wrote: refused, nothing changed
    std::fs::copy(env.path("now.db"), env.path("future.db")).unwrap();
    Connection::open(env.path("future.db"))
        .unwrap()
        .execute("INSERT INTO refinery_schema_history VALUES (99, 'from_the_future', '2099-01-01', '0')", [])
        .unwrap();
    let before = bytes(&env.db);
    let err = env.fails(&["restore", "future.db"], 1);
    assert!(err.contains("migrated by a newer admin (schema version 99"), "{err}");
    assert_eq!(bytes(&env.db), before);
}
