//! The migrations, embedded as refinery's `embed_migrations!` embeds them (build.rs lists every
//! `migrations/V*.sql` file's name and text), without building the macro.

use std::hash::{Hash, Hasher};

// `MIGRATIONS`, from the files in `migrations/` (build.rs)
include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// refinery's runner of every migration, as `embed_migrations!` makes it: the same names and
/// texts, so the same checksums in `refinery_schema_history`.
pub fn runner() -> refinery_core::Runner {
    let migrations: Vec<refinery_core::Migration> =
        MIGRATIONS.iter().map(|(stem, sql)| unapplied(stem, sql)).collect();
    refinery_core::Runner::new(&migrations)
}

/// The migration `refinery_core::Migration::unapplied(stem, sql)` makes, made from refinery's
/// serialised form of it: its version and name from the file's stem (`V{version}__{name}`), and
/// its checksum as refinery computes it, SipHash 1-3 of the name, the version and the text.
/// `unapplied` parses the stem with a regular expression, the only one in the binary; made this
/// way, the binary holds no regex engine. The test below holds the two equal for every migration.
fn unapplied(stem: &str, sql: &str) -> refinery_core::Migration {
    let (version, name) = stem
        .strip_prefix('V')
        .and_then(|rest| rest.split_once("__"))
        .and_then(|(version, name)| Some((version.parse::<refinery_core::SchemaVersion>().ok()?, name)))
        .unwrap_or_else(|| panic!("migration {stem} is not named V{{version}}__{{name}}"));
    let mut hasher = siphasher::sip::SipHasher13::new();
    name.hash(&mut hasher);
    version.hash(&mut hasher);
    sql.hash(&mut hasher);
    serde_json::from_value(serde_json::json!({
        "state": "Unapplied",
        "name": name,
        "checksum": hasher.finish(),
        "version": version,
        "prefix": "Versioned",
        "sql": sql,
        "applied_on": null,
    }))
    .unwrap_or_else(|e| panic!("migration {stem}: refinery's form of a migration has changed: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_migration_file_is_embedded_oldest_first() {
        let mut files: Vec<(i64, String)> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
                .unwrap()
                .map(|entry| entry.unwrap().path().file_stem().unwrap().to_str().unwrap().to_owned())
                .map(|stem| (stem[1..].split_once("__").unwrap().0.parse().unwrap(), stem))
                .collect();
        files.sort();
        let names: Vec<&str> = super::MIGRATIONS.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, files.iter().map(|(_, stem)| stem.as_str()).collect::<Vec<_>>());
        assert!(super::MIGRATIONS.iter().all(|(_, sql)| !sql.trim().is_empty()));
    }

    #[test]
    fn each_migration_is_the_one_refinery_makes_of_its_file() {
        for (stem, sql) in super::MIGRATIONS {
            let ours = super::unapplied(stem, sql);
            let refinery = refinery_core::Migration::unapplied(stem, sql).unwrap();
            assert_eq!(ours.name(), refinery.name(), "{stem}");
            assert_eq!(ours.version(), refinery.version(), "{stem}");
            assert_eq!(ours.prefix(), refinery.prefix(), "{stem}");
            assert_eq!(ours.sql(), refinery.sql(), "{stem}");
            assert_eq!(ours.checksum(), refinery.checksum(), "{stem}");
            assert_eq!(ours.applied_on(), None, "{stem}");
            assert_eq!(format!("{ours:?}"), format!("{refinery:?}"), "{stem}");
        }
    }
}
