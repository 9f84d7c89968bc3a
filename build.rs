//! The migrations, as refinery's `embed_migrations!` would embed them: every `migrations/V*.sql`
//! file's name and text (`db::migrations`), and the newest one's version, so that opening an
//! up-to-date database need not build refinery's runner. Rebuild when a migration, the seed or a
//! template changes. And links the binary with its relocations packed and, in a release build,
//! without unwinding tables.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=seed");
    println!("cargo:rerun-if-changed=templates");
    // the binary's relative relocations packed (DT_RELR, glibc 2.36 and binutils 2.38 on):
    // 865 KB of `.rela.dyn` becomes a few KB, and the binary stays position-independent
    println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        link_without_unwind_tables(&out);
    }
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

/// A release build aborts on a panic (`panic = "abort"`), so nothing unwinds the stack, and its
/// symbols are stripped, so a backtrace could name no function: the tables that only unwinding
/// and backtraces read (`.eh_frame`, its index `.eh_frame_hdr`, and the landing pads'
/// `.gcc_except_table`) are 0.89 MB of a 9.09 MB binary. The linker drops them, the standard
/// library's and C's as well as this crate's (`-C force-unwind-tables=no` reaches only the crates
/// built here, and Rust refuses it beside the tests' `panic = "unwind"`). A panic still prints its
/// message and aborts, as before.
fn link_without_unwind_tables(out: &std::path::Path) {
    let script = out.join("no-unwind-tables.ld");
    std::fs::write(
        &script,
        "SECTIONS\n{\n  /DISCARD/ : { *(.eh_frame) *(.eh_frame_hdr) *(.gcc_except_table .gcc_except_table.*) }\n}\nINSERT AFTER .text;\n",
    )
    .expect("write no-unwind-tables.ld");
    println!("cargo:rustc-link-arg-bins=-Wl,--no-eh-frame-hdr");
    println!("cargo:rustc-link-arg-bins=-Wl,-T,{}", script.display());
}
