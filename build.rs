//! The migrations, as refinery's `embed_migrations!` would embed them: every `migrations/V*.sql`
//! file's name and text (`db::migrations`), and the newest one's version, so that opening an
//! up-to-date database need not build refinery's runner. Rebuild when a migration, the seed or a
//! template changes. And links the binary with its relocations packed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=seed");
    println!("cargo:rerun-if-changed=templates");
    // the binary's relative relocations packed (DT_RELR, glibc 2.36 and binutils 2.38 on):
    // 865 KB of `.rela.dyn` becomes a few KB, and the binary stays position-independent
    println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    // (version, file stem, path) of each migration, oldest first
    let mut migrations: Vec<(i64, String, String)> = std::fs::read_dir("migrations")
        .expect("the migrations directory")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let stem = path.file_stem()?.to_str()?.to_owned();
            if path.extension()? != "sql" {
                return None;
            }
            let version = stem.strip_prefix('V')?.split_once("__")?.0.parse::<i64>().ok()?;
            let path = std::fs::canonicalize(&path).ok()?.to_str()?.to_owned();
            Some((version, stem, path))
        })
        .collect();
    migrations.sort();
    let latest = migrations.last().map_or(0, |m| m.0);
    let listed: String = migrations
        .iter()
        .map(|(_, stem, path)| format!("    ({stem:?}, include_str!({path:?})),\n"))
        .collect();
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(
        out.join("latest_migration.rs"),
        format!("/// The newest migration in `migrations/`.\nconst LATEST_MIGRATION: i64 = {latest};\n"),
    )
    .expect("write latest_migration.rs");
    std::fs::write(
        out.join("migrations.rs"),
        format!("/// Each migration's name and text, oldest first.\npub const MIGRATIONS: &[(&str, &str)] = &[\n{listed}];\n"),
    )
    .expect("write migrations.rs");
}
