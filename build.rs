//! Rebuild when a migration or the seed changes: refinery's `embed_migrations!` does not notice
//! new files by itself. Also records the newest migration's version, so that opening an
//! up-to-date database need not build refinery's runner. And links the binary with its
//! relocations packed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=seed");
    println!("cargo:rerun-if-changed=templates");
    // the binary's relative relocations packed (DT_RELR, glibc 2.36 and binutils 2.38 on):
    // 865 KB of `.rela.dyn` becomes a few KB, and the binary stays position-independent
    println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    let latest = std::fs::read_dir("migrations")
        .expect("the migrations directory")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_prefix('V')?.split_once("__")?.0.parse::<i64>().ok())
        .max()
        .unwrap_or(0);
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(
        out.join("latest_migration.rs"),
        format!("/// The newest migration in `migrations/`.\nconst LATEST_MIGRATION: i64 = {latest};\n"),
    )
    .expect("write latest_migration.rs");
}
