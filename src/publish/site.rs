//! The output directory: check what is on disk against the manifest and refuse one the tool does
//! not own; the new site is built beside it and swapped in atomically (`staging`), so at every
//! moment `--out` is one whole site.
//!
//! Everything the tool leaves beside `--out` is named `.{name}.*`: the lock while it publishes
//! (removed after, refused or not) and temporary directories, which carry a marker file and are
//! removed by that marker only, never by their name.
use std::fs::{self, File};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::made::sha256_hex;
use crate::exit_codes::{bad_hint, failed_hint};
use crate::files;
use crate::model::AuditHead;

/// The manifest of what the tool wrote; its presence makes a directory ours.
pub const MANIFEST: &str = ".uof-admin-manifest.json";

/// The file that marks a temporary directory as the tool's own.
pub(super) const STAGING_MARKER: &str = ".uof-admin-staging";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// sha256 of the site: of the `sha256sum`-style listing of its files.
    pub sha256: String,
    /// The database that published it (absent in sites published before databases had ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_id: Option<String>,
    /// Which publication it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication: Option<i64>,
    /// The audit head it covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditHead>,
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// `--out`, resolved to an absolute path, with its parent and its name.
#[derive(Debug, Clone)]
pub struct Out {
    pub path: PathBuf,
    pub(super) parent: PathBuf,
    pub(super) name: String,
}

impl Out {
    /// Resolve `out` (which may not exist yet) so that `.` or `site/..` name a real directory
    /// with a real parent: the lock and temporary directories go beside it, never inside.
    pub fn resolve(out: &Path) -> Result<Out> {
        let absolute = if out.exists() {
            fs::canonicalize(out).with_context(|| format!("failed to read `{}`", out.display()))?
        } else {
            let parent = match out.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
                _ => PathBuf::from("."),
            };
            let name = out.file_name().ok_or_else(|| {
                bad_hint(
                    format!("`{}` does not name a directory", out.display()),
                    "give --out a directory name",
                )
            })?;
            let parent = fs::canonicalize(&parent).map_err(|e| {
                if e.kind() == std::io::ErrorKind::PermissionDenied {
                    return failed_hint(
                        format!(
                            "the directory `{}` (for --out `{}`) cannot be reached: {e}",
                            parent.display(),
                            out.display()
                        ),
                        "give --out a path inside a directory you may enter",
                    );
                }
                bad_hint(
                    format!(
                        "the directory `{}` (for --out `{}`) does not exist",
                        parent.display(),
                        out.display()
                    ),
                    "create it first, or give --out a path inside an existing directory",
                )
            })?;
            if !parent.is_dir() {
                return Err(bad_hint(
                    format!("`{}` (for --out `{}`) is not a directory", parent.display(), out.display()),
                    "give --out a path inside an existing directory",
                ));
            }
            parent.join(name)
        };
        let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
            return Err(bad_hint(
                format!("`{}` cannot be published into (it is the root directory)", out.display()),
                "give --out a directory of its own",
            ));
        };
        // the directory as it is on the disk, which a publication records as the site's home and
        // `status` shows: a path that prints as itself, with room for admin's files beside it
        crate::validate::directory(&absolute, "the site's directory")?;
        crate::validate::site_name(name, "the site's directory")?;
        Ok(Out { parent: parent.to_owned(), name: name.to_string_lossy().into_owned(), path: absolute })
    }

    fn beside(&self, suffix: &str) -> PathBuf {
        self.parent.join(format!(".{}.{suffix}", self.name))
    }
}

/// What `--out` holds now.
#[derive(Debug, Default)]
pub struct OnDisk {
    pub manifest: Option<Manifest>,
    /// Files the manifest lists that are missing or no longer what was written.
    pub damaged: Vec<String>,
}

impl OnDisk {
    /// Whether the directory is exactly the site whose sha256 is `sha256`.
    pub fn is_intact(&self, sha256: &str) -> bool {
        self.damaged.is_empty() && self.manifest.as_ref().is_some_and(|m| m.sha256 == sha256)
    }
}

/// Whether `path` is where something is mounted: a directory bind-mounted on itself, or from
/// elsewhere on the same filesystem, has its parent's device, so only the kernel can tell
/// (`statx`'s `STATX_ATTR_MOUNT_ROOT`, Linux 5.8 on; where it cannot, the device is what says).
fn is_mount_root(path: &Path) -> bool {
    use rustix::fs::{AtFlags, StatxAttributes, StatxFlags};
    let flags = AtFlags::NO_AUTOMOUNT | AtFlags::SYMLINK_NOFOLLOW;
    rustix::fs::statx(rustix::fs::CWD, path, flags, StatxFlags::empty()).is_ok_and(|stat| {
        stat.stx_attributes_mask.contains(StatxAttributes::MOUNT_ROOT)
            && stat.stx_attributes.contains(StatxAttributes::MOUNT_ROOT)
    })
}

/// Refuse a site's directory (`dir` as given, `resolved` as on the disk) that is, or holds, the
/// database, as `settings site` does (`settings::site_dir`, which keeps its own copy: calling
/// this from there moved the compiler's partitioning of the crate, 45 KB more of the binary).
pub fn refuse_the_database(dir: &Path, resolved: &Path, db_path: &Path, hint: &str) -> Result<()> {
    let Some(db) = fs::canonicalize(db_path).ok().filter(|db| db.starts_with(resolved)) else {
        return Ok(());
    };
    let what = if db == resolved { "is" } else { "holds" };
    Err(bad_hint(
        format!("`{}` {what} the database: the site goes in a directory of its own", dir.display()),
        hint,
    ))
}

/// Whether the site at `--out` (if there is one) can be swapped out: in a directory with the
/// sticky bit (`/tmp`, a shared drop), only its owner, the directory's, or a process that may
/// override file ownership (`CAP_FOWNER`) may move it. Asked only where a publication or a
/// repair is to be written, before it is recorded: it would be recorded, then fail.
pub fn check_swappable(out: &Out) -> Result<()> {
    let (Ok(site), Ok(parent)) = (fs::symlink_metadata(&out.path), fs::metadata(&out.parent)) else {
        return Ok(());
    };
    let me = rustix::process::geteuid().as_raw();
    if parent.mode() & 0o1000 == 0 || site.uid() == me || parent.uid() == me || may_override_owners() {
        return Ok(());
    }
    Err(failed_hint(
        format!(
            "`{}` belongs to another user, and in `{}` (sticky: only a file's owner may move it) admin cannot swap a new site into its place; nothing was published",
            out.path.display(),
            out.parent.display()
        ),
        "publish into a directory of your own with --out, or ask the site's owner to move it away",
    ))
}

/// Whether this process may move files it does not own: `CAP_FOWNER` in its effective set (bit 3
/// of `CapEff` in `/proc/self/status`), in the system's own user namespace (an identity
/// `/proc/self/uid_map`). In any other, the kernel grants it only over files whose owners the
/// namespace maps, so it is not counted on; nor where `/proc` cannot be read.
fn may_override_owners() -> bool {
    const CAP_FOWNER: u32 = 3;
    let read = |path: &str| {
        let bytes = files::read(Path::new(path), 64 * 1024).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let whole_system = read("/proc/self/uid_map").split_whitespace().eq(["0", "0", "4294967295"]);
    let effective = read("/proc/self/status").lines().find_map(|line| {
        line.strip_prefix("CapEff:").and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
    });
    whole_system && effective.is_some_and(|caps| caps & (1 << CAP_FOWNER) != 0)
}

/// Read `--out`: refuse a file, a mount point, or a directory holding anything the tool did not
/// write (by name, exit 1; nothing is deleted); check every file the manifest lists.
pub fn inspect(out: &Out) -> Result<OnDisk> {
    let meta = match fs::symlink_metadata(&out.path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OnDisk::default()),
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("failed to read `{}`", out.path.display())))
        }
        Ok(meta) => meta,
    };
    if !meta.is_dir() {
        return Err(bad_hint(
            format!("`{}` is not a directory", out.path.display()),
            "choose a new or empty directory with --out",
        ));
    }
    let parent =
        fs::metadata(&out.parent).with_context(|| format!("failed to read `{}`", out.parent.display()))?;
    if parent.dev() != meta.dev() || is_mount_root(&out.path) {
        return Err(failed_hint(
            format!(
                "`{}` is a mount point: the site cannot be swapped into it in one step, so nothing was published",
                out.path.display()
            ),
            "publish into a directory inside the mounted volume (e.g. --out /srv/www/uof/site) and serve that",
        ));
    }
    // every file is read from this directory, held open: not from whatever its path names later
    let dir = files::Dir::open(&out.path).map_err(|e| {
        failed_hint(format!("`{}` {e}", out.path.display()), "choose a new or empty directory with --out")
    })?;
    let manifest = read_manifest(&dir, &out.path)?;
    let foreign =
        |f: &&ManifestFile| !is_plain_name(&f.path) || !super::render::FILE_NAMES.contains(&f.path.as_str());
    if let Some(bad) = manifest.iter().flat_map(|m| &m.files).find(foreign) {
        return Err(failed_hint(
            format!(
                "the manifest `{}` lists {}, which is not a file admin publishes: admin did not write that manifest, and will not replace the site",
                out.path.join(MANIFEST).display(),
                serde_json::Value::from(bad.path.as_str())
            ),
            "move the directory away (admin deletes nothing it did not write), or publish into a new or empty directory with --out",
        ));
    }
    let owned: Vec<&str> = manifest.iter().flat_map(|m| m.files.iter().map(|f| f.path.as_str())).collect();
    let mut strangers: Vec<String> = Vec::new();
    for entry in
        fs::read_dir(&out.path).with_context(|| format!("failed to read `{}`", out.path.display()))?
    {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name != MANIFEST && !owned.contains(&name.as_str()) {
            strangers.push(name);
        }
    }
    // a manifest that is there but cannot be read: nothing in the directory can be vouched for
    if manifest.is_none() && dir.read(MANIFEST, files::MAX_SITE_FILE).is_ok() {
        return Err(failed_hint(
            format!(
                "`{}` holds a manifest `{MANIFEST}` that admin cannot read, so it cannot vouch for the directory; it will not replace it, and deletes nothing",
                out.path.display()
            ),
            "move the directory away, or publish into a new or empty directory with --out",
        ));
    }
    // the names admin never writes first; with no manifest, admin's own names are not called a
    // stranger's, only not vouched for
    strangers.sort();
    let (mut strangers, admins): (Vec<String>, Vec<String>) =
        strangers.into_iter().partition(|n| !super::render::FILE_NAMES.contains(&n.as_str()));
    let unvouched = manifest.is_none() && !admins.is_empty();
    if unvouched && strangers.is_empty() {
        return Err(failed_hint(
            format!(
                "`{}` looks like a published site, but its manifest `{MANIFEST}` is missing, so admin cannot tell its files are its own; it deletes nothing",
                out.path.display()
            ),
            "if admin published it, move the directory away and publish again; or publish into a new or empty directory with --out",
        ));
    }
    if manifest.is_some() {
        strangers.extend(admins);
    }
    if !strangers.is_empty() {
        let shown: Vec<String> = strangers.iter().take(5).map(|s| format!("`{s}`")).collect();
        return Err(failed_hint(
            format!(
                "`{}` holds files admin did not write ({}{}){}; it will not replace a directory it does not own, and deletes nothing",
                out.path.display(),
                shown.join(", "),
                if strangers.len() > 5 { ", …" } else { "" },
                if unvouched { ", beside what looks like a site whose manifest is missing" } else { "" }
            ),
            "move those files away, or publish into a new or empty directory with --out",
        ));
    }
    let mut damaged = Vec::new();
    if let Some(manifest) = &manifest {
        for file in &manifest.files {
            match dir.read(&file.path, files::MAX_SITE_FILE) {
                Ok(bytes) if sha256_hex(&bytes) == file.sha256 => {}
                Ok(_) | Err(files::Refusal::Missing) => damaged.push(file.path.clone()),
                // not a file admin wrote (a link, a FIFO, a device, a directory, gigabytes):
                // refused, as a file it did not write is, never read through nor deleted
                Err(e) => return Err(not_ours(&out.path, &file.path, &e)),
            }
        }
        if listing_sha256(&manifest.files) != manifest.sha256 {
            damaged.push(MANIFEST.to_owned());
        }
        damaged.sort();
    }
    Ok(OnDisk { manifest, damaged })
}

/// A file in the site that admin did not write as it stands, refused by name.
fn not_ours(site: &Path, name: &str, why: &files::Refusal) -> anyhow::Error {
    failed_hint(
        format!(
            "`{}` {why}: admin did not write it, and will not read it or replace the site",
            site.join(name).display()
        ),
        format!(
            "move `{name}` out of `{}` (admin deletes nothing it did not write), then publish again; nothing was written",
            site.display()
        ),
    )
}

/// A manifest's path names a file directly inside the site: the only kind admin writes.
fn is_plain_name(path: &str) -> bool {
    !path.is_empty() && path != "." && path != ".." && !path.contains(['/', '\\', '\0'])
}

/// The site's sha256 from a manifest's entries: as `Site::sha256` computes it from the files.
pub(super) fn listing_sha256(files: &[ManifestFile]) -> String {
    let mut files: Vec<&ManifestFile> = files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let listing: String = files.iter().map(|f| format!("{}  {}\n", f.sha256, f.path)).collect();
    sha256_hex(listing.as_bytes())
}

/// The manifest in the site held open as `dir` (at `out`): `None` when there is none, or it is not
/// one admin can read; refused when it is not a regular file.
fn read_manifest(dir: &files::Dir, out: &Path) -> Result<Option<Manifest>> {
    match dir.read(MANIFEST, files::MAX_SITE_FILE) {
        Err(files::Refusal::Missing) => Ok(None),
        Err(e) => Err(not_ours(out, MANIFEST, &e)),
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
    }
}

/// The manifest of the site now in `out`, if it has a readable one.
pub fn read_manifest_at(out: &Path) -> Result<Option<Manifest>> {
    match files::Dir::open(out) {
        Err(files::Refusal::Missing) => Ok(None),
        Err(e) => {
            Err(failed_hint(format!("`{}` {e}", out.display()), "give the directory of a published site"))
        }
        Ok(dir) => read_manifest(&dir, out),
    }
}

/// An exclusive lock on publishing into `out`, held from reading the database until the swap:
/// two editors publishing at once take turns. The lock file is removed when the lock is let go.
pub struct OutLock {
    file: File,
    path: PathBuf,
}

impl Drop for OutLock {
    fn drop(&mut self) {
        // removed while still held: whoever waits on this file finds it gone and takes a new one
        let _ = fs::remove_file(&self.path);
        let _ = rustix::fs::flock(&self.file, rustix::fs::FlockOperation::Unlock);
    }
}

pub fn lock(out: &Out) -> Result<OutLock> {
    let path = out.beside("lock");
    loop {
        // never through a link: a lock planted as a symbolic link would have admin create or
        // lock a file wherever it points
        let file = files::create(&path).map_err(|e| match e {
            files::Refusal::NotAFile(_) => failed_hint(
                format!("the publishing lock `{}` {e}: admin makes that file itself, and will not use it", path.display()),
                format!("remove `{}` (no admin is publishing while it is not a file), then publish again; nothing was written", path.display()),
            ),
            files::Refusal::Io(e) if e.kind() == std::io::ErrorKind::PermissionDenied => failed_hint(
                format!("admin cannot make its lock file `{}` beside the site: {e}", path.display()),
                match fs::symlink_metadata(&path) {
                    // another user's: one publishing there now, or stopped before it let go
                    Ok(lock) if lock.uid() == rustix::process::geteuid().as_raw() => {
                        "the lock is yours, but its permissions shut you out: remove it if no publish of yours is running; nothing was written".to_owned()
                    }
                    Ok(lock) => format!(
                        "the lock is user {}'s: wait for their publish to finish, or ask them to remove it if none is running; nothing was written",
                        lock.uid()
                    ),
                    Err(_) => format!(
                        "admin makes the site beside `--out`, in `{}`, and needs to write and search there: choose an `--out` in a directory you may write; nothing was written",
                        out.parent.display()
                    ),
                },
            ),
            files::Refusal::Io(e) => {
                anyhow::Error::new(e).context(format!("failed to open the publishing lock `{}`", path.display()))
            }
            e => failed_hint(
                match e {
                    files::Refusal::Missing => {
                        format!("admin cannot make its lock file `{}` beside the site: no file can be made there", path.display())
                    }
                    e => format!("admin cannot make its lock file `{}` beside the site: {e}", path.display()),
                },
                format!(
                    "admin makes the site beside `--out`, in `{}`, and could not make a file there: choose an `--out` on an ordinary filesystem; nothing was written",
                    out.parent.display()
                ),
            ),
        })?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
            .with_context(|| format!("failed to lock `{}`", path.display()))?;
        // the holder before us removes the file as it lets go: hold the lock only if the file
        // we locked is still the one at `path`
        let held = file.metadata()?;
        match fs::symlink_metadata(&path) {
            Ok(now) if now.ino() == held.ino() && now.dev() == held.dev() => {
                return Ok(OutLock { file, path })
            }
            _ => continue,
        }
    }
}

/// What the manifest records besides the files.
#[derive(Debug, Clone)]
pub struct Identity {
    pub database_id: Option<String>,
    pub publication: i64,
    pub audit: Option<AuditHead>,
}
