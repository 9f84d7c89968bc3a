//! Rebuild when a migration or the seed changes: refinery's `embed_migrations!` does not notice
//! new files by itself.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=seed");
    println!("cargo:rerun-if-changed=templates");
}
