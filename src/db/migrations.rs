//! The migrations, embedded as refinery's `embed_migrations!` embeds them (build.rs lists every
//! `migrations/V*.sql` file's name and text), without building the macro.

// `MIGRATIONS`, from the files in `migrations/` (build.rs)
include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// refinery's runner of every migration, as `embed_migrations!` makes it: the same names and
/// texts, so the same checksums in `refinery_schema_history`.
pub fn runner() -> refinery_core::Runner {
    let migrations: Vec<refinery_core::Migration> = MIGRATIONS
        .iter()
        .map(|(name, sql)| {
            refinery_core::Migration::unapplied(name, sql)
                .unwrap_or_else(|e| panic!("migration {name} is not named as refinery needs: {e}"))
        })
        .collect();
    refinery_core::Runner::new(&migrations)
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
}
