//! The output directory: refuse one the tool does not own, build the new site beside it, and
//! swap it in atomically (`renameat2(RENAME_EXCHANGE)`), so at every moment `--out` is one
//! whole site.
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::render::Site;
use crate::exit_codes::bad_hint;

/// The manifest of what the tool wrote; its presence makes a directory ours.
pub const MANIFEST: &str = ".uof-admin-manifest.json";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    /// sha256 of the site: of the `sha256sum`-style listing of its files.
    sha256: String,
    files: Vec<ManifestFile>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ManifestFile {
    path: String,
    sha256: String,
    bytes: u64,
}

/// Refuse an `--out` that is a file, or a directory holding anything the tool did not write.
pub fn check_out_dir(out: &Path) -> Result<()> {
    let meta = match fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("failed to read `{}`", out.display()))),
        Ok(meta) => meta,
    };
    if !meta.is_dir() {
        return Err(bad_hint(
            format!("`{}` is not a directory", out.display()),
            "choose a new or empty directory with --out",
        ));
    }
    let owned: Vec<String> = match read_manifest(out)? {
        Some(m) => m.files.into_iter().map(|f| f.path).collect(),
        None => Vec::new(),
    };
    let mut strangers = Vec::new();
    for entry in fs::read_dir(out).with_context(|| format!("failed to read `{}`", out.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name != MANIFEST && !owned.contains(&name) {
            strangers.push(name);
        }
    }
    if strangers.is_empty() {
        return Ok(());
    }
    strangers.sort();
    let shown: Vec<String> = strangers.iter().take(5).map(|s| format!("`{s}`")).collect();
    Err(bad_hint(
        format!(
            "`{}` holds files admin did not write ({}{}); it will not replace a directory it does not own",
            out.display(),
            shown.join(", "),
            if strangers.len() > 5 { ", …" } else { "" }
        ),
        "publish into a new or empty directory with --out, or move those files away",
    ))
}

fn read_manifest(out: &Path) -> Result<Option<Manifest>> {
    let path = out.join(MANIFEST);
    match fs::read(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow::Error::new(e).context(format!("failed to read `{}`", path.display()))),
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
    }
}

/// The sha256 of the site now in `out`, as its manifest records it.
pub fn read_manifest_sha(out: &Path) -> Result<Option<String>> {
    Ok(read_manifest(out)?.map(|m| m.sha256))
}

/// An exclusive lock on publishing into `out`, held from reading the database until the swap:
/// two editors publishing at once take turns, and a leftover temporary directory found under
/// the lock belongs to a publish that died.
pub struct OutLock {
    _file: File,
}

pub fn lock(out: &Path) -> Result<OutLock> {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "publish".into());
    let path = parent_of(out).join(format!(".{name}.lock"));
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("failed to open the publishing lock `{}`", path.display()))?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
        .with_context(|| format!("failed to lock `{}`", path.display()))?;
    Ok(OutLock { _file: file })
}

/// A site written in full to a temporary directory beside `--out`, waiting to be swapped in.
/// Dropped without `swap_in`, it is removed.
pub struct Staged {
    dir: tempfile::TempDir,
    out: PathBuf,
}

impl std::fmt::Debug for Staged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Staged({})", self.dir.path().display())
    }
}

/// Write the site and its manifest into a new temporary directory beside `out`, synced.
pub fn stage(out: &Path, site: &Site) -> Result<Staged> {
    let parent = parent_of(out);
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "publish".into());
    remove_leftovers(&parent, &name);
    let dir = tempfile::Builder::new()
        .prefix(&format!(".{name}.tmp-"))
        .tempdir_in(&parent)
        .with_context(|| format!("failed to create a temporary directory in `{}`", parent.display()))?;
    let mut files = Vec::new();
    for (path, bytes) in &site.files {
        write_synced(&dir.path().join(path), bytes)?;
        files.push(ManifestFile {
            path: path.clone(),
            sha256: super::render::sha256_hex(bytes),
            bytes: bytes.len() as u64,
        });
    }
    let manifest = Manifest { sha256: site.sha256(), files };
    let mut text = serde_json::to_vec_pretty(&manifest)?;
    text.push(b'\n');
    write_synced(&dir.path().join(MANIFEST), &text)?;
    sync_dir(dir.path())?;
    Ok(Staged { dir, out: out.to_owned() })
}

impl Staged {
    /// Put the staged site at `out` in one atomic step; the old site (if any) goes away after.
    pub fn swap_in(self) -> Result<()> {
        let staged = self.dir.path();
        let exists = fs::symlink_metadata(&self.out).is_ok();
        if exists {
            rustix::fs::renameat_with(
                rustix::fs::CWD,
                staged,
                rustix::fs::CWD,
                &self.out,
                rustix::fs::RenameFlags::EXCHANGE,
            )
            .with_context(|| format!("failed to swap the new site into `{}`", self.out.display()))?;
            // `staged` now holds the previous site; dropping the TempDir removes it
        } else {
            let staged = self.dir.keep();
            if let Err(e) = fs::rename(&staged, &self.out) {
                let _ = fs::remove_dir_all(&staged);
                return Err(anyhow::Error::new(e)
                    .context(format!("failed to move the new site to `{}`", self.out.display())));
            }
        }
        sync_dir(&parent_of(&self.out))?;
        Ok(())
    }
}

fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Temporary directories left by a publish that was killed: ours, by name and manifest.
fn remove_leftovers(parent: &Path, name: &str) {
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name.starts_with(&prefix) && entry.path().is_dir() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = File::create(path).with_context(|| format!("failed to create `{}`", path.display()))?;
    file.write_all(bytes).with_context(|| format!("failed to write `{}`", path.display()))?;
    file.sync_all().with_context(|| format!("failed to write `{}`", path.display()))?;
    Ok(())
}

fn sync_dir(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("failed to sync `{}`", path.display()))
}
