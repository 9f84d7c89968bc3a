//! A new site, made in a temporary directory beside `--out` and marked as the tool's: its large
//! files written into it as they are made, the rest and the manifest when it is finished, every
//! file synced together, and the whole swapped in atomically (`renameat2(RENAME_EXCHANGE)`).
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::made::{Body, Hashing, Site};
use super::site::{listing_sha256, Identity, Manifest, ManifestFile, Out, MANIFEST, STAGING_MARKER};
use crate::files;

/// A site written in full to a temporary directory beside `--out`, waiting to be swapped in.
/// Dropped without `swap_in`, it is removed.
pub struct Staged {
    dir: Marked,
    out: PathBuf,
}

impl std::fmt::Debug for Staged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Staged({})", self.dir.path().display())
    }
}

/// A new site being written in a temporary directory beside `--out`, marked as the tool's: a
/// publication's large files are written into it as they are made (`write`), so that the site is
/// never in memory whole, and the rest, with the manifest, when it is finished (`finish`).
pub struct Staging {
    dir: Marked,
    out: PathBuf,
    /// Every file written so far, to be synced together when the site is finished; the two
    /// threads that render a large site each write theirs.
    written: std::sync::Mutex<Written>,
}

impl Staging {
    pub fn begin(out: &Out) -> Result<Staging> {
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{}.tmp-", out.name))
            .tempdir_in(&out.parent)
            .with_context(|| {
                format!("failed to create a temporary directory in `{}`", out.parent.display())
            })?;
        let dir = Marked(Some(dir.keep()));
        let mut written = Written::default();
        // empty, as the marker `remove_marked` makes: unlinked at the swap, a file that holds no
        // block frees none (ext4 mounted with `discard`: 0.04 ms, against 4 ms for the synced 10
        // bytes the marker once held)
        written.add(&dir.path().join(STAGING_MARKER), b"")?;
        Ok(Staging { dir, out: out.path.clone(), written: std::sync::Mutex::new(written) })
    }

    /// Write the file `name` through `write`, hashed as it is written: its sha256 hex and its
    /// length in bytes.
    pub fn write(
        &self,
        name: &str,
        write: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<(String, u64)> {
        let path = self.dir.path().join(name);
        let failed = || format!("failed to write `{}`", path.display());
        let file = File::create(&path).with_context(|| format!("failed to create `{}`", path.display()))?;
        let mut hashing = Hashing::new(std::io::BufWriter::with_capacity(1 << 16, file));
        write(&mut hashing).with_context(failed)?;
        let (file, sha256, len) = hashing.finish();
        let file = file.into_inner().map_err(|e| e.into_error()).with_context(failed)?;
        self.written.lock().unwrap_or_else(std::sync::PoisonError::into_inner).files.push((file, failed()));
        Ok((sha256, len))
    }

    /// Write the rest of `site` (what `write` did not) and its manifest, and sync them all.
    pub fn finish(self, site: &Site, identity: &Identity) -> Result<Staged> {
        let mut written = self.written.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut files = Vec::new();
        for (path, body, sha256) in site.hashed() {
            let at = self.dir.path().join(path);
            let bytes = match body {
                Body::Bytes(bytes) => {
                    written.add(&at, bytes)?;
                    bytes.len() as u64
                }
                // written here by `write`: a site made for another directory is not finished in this one
                Body::Staged(len) => match fs::metadata(&at) {
                    Ok(meta) if meta.len() == *len => *len,
                    _ => anyhow::bail!("`{}` was not written where the site is being made", at.display()),
                },
            };
            files.push(ManifestFile { path: path.to_owned(), sha256: sha256.to_owned(), bytes });
        }
        let manifest = Manifest {
            // from the sha256 of each file just computed, as `Site::sha256` would compute them again
            sha256: listing_sha256(&files),
            database_id: identity.database_id.clone(),
            publication: Some(identity.publication),
            audit: identity.audit.clone(),
            files,
        };
        let mut text = serde_json::to_vec_pretty(&manifest)?;
        text.push(b'\n');
        written.add(&self.dir.path().join(MANIFEST), &text)?;
        written.sync(self.dir.path())?;
        Ok(Staged { dir: self.dir, out: self.out })
    }
}

impl Staged {
    /// Put the staged site at `out` in one atomic step; the old site (if any) goes away after.
    pub fn swap_in(mut self) -> Result<()> {
        let staged = self.dir.path();
        // the marker stays until the last moment: a directory about to become the site holds only it
        fs::remove_file(staged.join(STAGING_MARKER))
            .with_context(|| format!("failed to finish `{}`", staged.display()))?;
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
            // `staged` now holds the previous site: mark it as ours, then it is removed below, the
            // marker last (a crash before or during leaves it marked, for the next publish). Never
            // through a link planted there since the site was inspected: that would create or
            // truncate a file wherever it points. A site directory someone made read-only is made
            // writable for its owner first, or it could not be emptied
            let _ = writable(staged);
            let _ = files::create(&staged.join(STAGING_MARKER));
        } else {
            let staged = self.dir.take().unwrap_or_default();
            if let Err(e) = fs::rename(&staged, &self.out) {
                let _ = remove_marked(&staged);
                return Err(anyhow::Error::new(e)
                    .context(format!("failed to move the new site to `{}`", self.out.display())));
            }
        }
        let synced = self.out.parent().map_or(Ok(()), |parent| sync_dir(parent, &self.out));
        // the previous site, where there was one: a copy someone else owns may not be removable
        if let Some(previous) = self.dir.take() {
            if let Err(e) = remove_marked(&previous) {
                crate::output::warning(format!(
                    "the previous site could not be removed ({e}): it is left in `{}`; remove it by hand",
                    previous.display()
                ));
            }
        }
        synced
    }
}

/// A directory of the tool's beside `--out`, marked (a site being made, or the old one after the
/// swap): removed when dropped, unless taken, by `remove_marked`.
struct Marked(Option<PathBuf>);

impl Marked {
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    /// Taken out, no longer removed when dropped: it has become the site, or is removed here.
    fn take(&mut self) -> Option<PathBuf> {
        self.0.take()
    }
}

impl Drop for Marked {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = remove_marked(&path);
        }
    }
}

/// Remove a directory of the tool's with its marker last (made first, where a copy of a site
/// lacks it): a process killed part of the way through leaves it marked, for the next publish
/// to remove, never part of a site that nothing names as the tool's (`remove_dir_all` takes the
/// files in whatever order the directory lists them, the marker and the manifest among the
/// first as often as not). Never through a link planted in it: `files::create` refuses one, and
/// a link inside is removed, not followed. A debug build (the tests') is killed after the first
/// file when `UOF_KILLED_REMOVING` is set.
fn remove_marked(path: &Path) -> std::io::Result<()> {
    let marker = path.join(STAGING_MARKER);
    let _ = files::create(&marker);
    let killed = cfg!(debug_assertions) && std::env::var_os("UOF_KILLED_REMOVING").is_some();
    for entry in fs::read_dir(path)? {
        let entry = entry?;
        if entry.file_name() == STAGING_MARKER {
            continue;
        }
        match entry.file_type()?.is_dir() {
            true => fs::remove_dir_all(entry.path())?,
            false => fs::remove_file(entry.path())?,
        }
        if killed {
            rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::KILL)?;
        }
    }
    match fs::remove_file(&marker) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::remove_dir(path)
}

/// Temporary directories left by a publish that was killed, removed by the next one (which
/// holds the site's lock: none is being made now). Only those named as this `--out`'s are
/// (`.{name}.tmp-` and the random letters and digits `tempfile` adds: not another `--out`'s,
/// such as `.{name}.tmp-x.tmp-…` of `{name}.tmp-x`) and that are the tool's: one that carries
/// its marker; one that holds a whole site it made (its manifest), left without the marker by a
/// kill between the marker's removal and the swap (the new site) or between the swap and the
/// old site being marked (the old one); and an empty one, left by a kill just after it was
/// made. Anything else with a similar name is left alone.
pub(super) fn remove_leftovers(out: &Out) {
    let prefix = format!(".{}.tmp-", out.name);
    let Ok(entries) = fs::read_dir(&out.parent) else { return };
    for entry in entries.flatten() {
        // by name first: the directory beside the site may hold much else, not looked into
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name
            .strip_prefix(&prefix)
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()));
        if !ours || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        let holds = |name: &str| fs::symlink_metadata(path.join(name)).is_ok_and(|m| m.is_file());
        let empty = || fs::read_dir(&path).is_ok_and(|mut entries| entries.next().is_none());
        let the_tools = holds(STAGING_MARKER) || holds(MANIFEST) || empty();
        // a directory made read-only is made writable for its owner and tried again
        if the_tools && remove_marked(&path).is_err() && writable(&path).is_ok() {
            let _ = remove_marked(&path);
        }
    }
}

/// Give the owner of the directory `path` leave to change what it holds (a site someone made
/// read-only), so that it can be emptied and removed; where this process does not own it, an
/// error, and it stays.
fn writable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = fs::symlink_metadata(path)?;
    if !meta.is_dir() {
        return Err(std::io::ErrorKind::InvalidInput.into());
    }
    fs::set_permissions(path, fs::Permissions::from_mode(meta.permissions().mode() | 0o700))
}

/// Files written and not yet synced. Syncing them together costs a fraction of syncing each as
/// it is written: the writes of every file's data are started first, side by side, and the
/// `fsync`s then run at once, so that the disk's cache flushes they each ask for are shared
/// rather than taken one after another (11 files: 2.4 ms one by one against 1.1 ms on a quiet
/// disk, and 40 ms against 9 ms on one busy with other writers). They run at once in the kernel,
/// asked for together through one io_uring (`sync_by_ring`); where that cannot be used, on a
/// thread each.
#[derive(Default)]
struct Written {
    /// Each file, and what to say if it cannot be synced.
    files: Vec<(File, String)>,
}

impl Written {
    fn add(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let mut file =
            File::create(path).with_context(|| format!("failed to create `{}`", path.display()))?;
        file.write_all(bytes).with_context(|| format!("failed to write `{}`", path.display()))?;
        self.files.push((file, format!("failed to write `{}`", path.display())));
        Ok(())
    }

    /// Every file's data and metadata on disk, and the entries of the directory `dir` that
    /// holds them: an `fsync` of each, all finished before this returns; the first that failed,
    /// if any, is the error.
    fn sync(mut self, dir: &Path) -> Result<()> {
        for (file, _) in &self.files {
            // POSIX_FADV_DONTNEED starts the writeback of the file's dirty pages without waiting
            // for it (Linux); a page still being written stays cached. Only a hint: the `fsync`
            // below is what makes the file durable, whatever this did.
            let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed);
        }
        let opened = File::open(dir).with_context(|| format!("failed to sync `{}`", dir.display()))?;
        self.files.push((opened, format!("failed to sync `{}`", dir.display())));
        if let Some(results) = sync_by_ring(&self.files) {
            return self
                .files
                .iter()
                .zip(results)
                .try_for_each(|((_, failed), result)| result.with_context(|| failed.clone()));
        }
        let sync = |(file, failed): &(File, String)| file.sync_all().with_context(|| failed.clone());
        let (first, rest) = self.files.split_first().context("nothing to sync")?;
        std::thread::scope(|scope| {
            // a thread that may not or cannot be started (a process at its limit) is no reason
            // to fail: that file is synced here instead
            let may = crate::threads::may_start();
            let others: Vec<_> = rest
                .iter()
                .map(|entry| match may {
                    true => crate::threads::light_builder()
                        .spawn_scoped(scope, move || sync(entry))
                        .map_err(|_| entry),
                    false => Err(entry),
                })
                .collect();
            let mut result = sync(first);
            for other in others {
                let done = match other {
                    Ok(thread) => {
                        thread.join().unwrap_or_else(|_| Err(anyhow::anyhow!("syncing the site stopped")))
                    }
                    Err(entry) => sync(entry),
                };
                result = result.and(done);
            }
            result
        })
    }
}

/// `fsync` every file at once, asked for in one call through an io_uring: the kernel's workers
/// run them side by side, and no thread of ours is started for each (ten of them, with their
/// stacks and allocator state, cost a small `publish` about 6 % of its CPU time). Each file's
/// result, in order; `None` where io_uring cannot be used (a kernel without it or that refuses
/// it: `kernel.io_uring_disabled`, a seccomp filter, a locked-memory limit), or where no fsync
/// failed but some could not be run through it, and the caller syncs them another way: an
/// `fsync` that passed, done again, is harmless.
/// A debug build (the tests') goes the other way when `UOF_NO_IO_URING` is set.
fn sync_by_ring(files: &[(File, String)]) -> Option<Vec<std::io::Result<()>>> {
    use std::os::fd::AsRawFd;
    if cfg!(debug_assertions) && std::env::var_os("UOF_NO_IO_URING").is_some() {
        return None;
    }
    let count = u32::try_from(files.len()).ok()?;
    let mut ring = io_uring::IoUring::new(count.next_power_of_two()).ok()?;
    for (i, (file, _)) in files.iter().enumerate() {
        let fsync =
            io_uring::opcode::Fsync::new(io_uring::types::Fd(file.as_raw_fd())).build().user_data(i as u64);
        // SAFETY: an fsync reads and writes none of our memory, and each file stays open (the
        // caller holds it) until its completion is taken below or the ring is closed
        unsafe { ring.submission().push(&fsync).ok()? };
    }
    let mut results: Vec<Option<i32>> = files.iter().map(|_| None).collect();
    let mut left = files.len();
    while left > 0 {
        match ring.submit_and_wait(left) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // what was not reaped is taken as not done (below)
            Err(_) => left = 0,
        }
        for done in ring.completion() {
            let slot = usize::try_from(done.user_data()).ok().and_then(|i| results.get_mut(i));
            if let Some(slot @ None) = slot {
                *slot = Some(done.result());
                left = left.saturating_sub(1);
            }
        }
    }
    // An fsync's error is reported once: asked again, it would pass. So a file whose fsync failed
    // is failed here, and only where none did, and some could not be run through the ring (not
    // supported, cancelled, no worker to run it), are the files left to the caller to sync again.
    let not_run = |code: i32| {
        [
            rustix::io::Errno::INVAL,
            rustix::io::Errno::OPNOTSUPP,
            rustix::io::Errno::CANCELED,
            rustix::io::Errno::AGAIN,
            rustix::io::Errno::INTR,
        ]
        .iter()
        .any(|e| e.raw_os_error() == -code)
    };
    let failed = |result: &Option<i32>| result.is_some_and(|code| code < 0 && !not_run(code));
    if !results.iter().any(failed) && results.iter().any(|r| r.is_none_or(|code| code < 0)) {
        return None;
    }
    Some(
        results
            .into_iter()
            .map(|result| match result {
                Some(code) if code >= 0 => Ok(()),
                Some(code) => Err(std::io::Error::from_raw_os_error(-code)),
                None => Err(std::io::Error::other("the sync did not finish")),
            })
            .collect(),
    )
}

/// Make the swap durable: sync `--out`'s parent. A user who may write there but not list it (mode
/// 300) cannot open it to sync it: then the filesystem that holds it is synced, through the site
/// just put in it. Opened as a directory, never through a link: whatever another user may have
/// put at that name since is refused, not waited on or followed.
fn sync_dir(path: &Path, site: &Path) -> Result<()> {
    match File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            files::sync_filesystem_of(site).with_context(|| {
                    format!(
                        "failed to sync the filesystem that holds `{}` (the directory cannot be opened to sync it)",
                        path.display()
                    )
                })
        }
        opened => {
            opened.and_then(|d| d.sync_all()).with_context(|| format!("failed to sync `{}`", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_of_a_site_is_removed_whole_and_marked_until_the_last_and_no_link_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("keep.txt"), "keep").unwrap();
        let copy = dir.path().join(".site.tmp-Ab12Cd");
        fs::create_dir_all(copy.join("sub/deeper")).unwrap();
        fs::write(copy.join(MANIFEST), "{}").unwrap();
        fs::write(copy.join("index.html"), "x").unwrap();
        fs::write(copy.join("sub/deeper/a.json"), "x").unwrap();
        std::os::unix::fs::symlink(&outside, copy.join("link")).unwrap();
        remove_marked(&copy).unwrap();
        assert!(!copy.exists());
        assert!(outside.join("keep.txt").is_file(), "a link was followed");

        // one that cannot be emptied (a file in the way of the marker: a directory) stays marked
        // or stays whole, never part of a site unmarked
        let stuck = dir.path().join(".site.tmp-Ef34Gh");
        fs::create_dir_all(stuck.join(STAGING_MARKER)).unwrap();
        fs::write(stuck.join("index.html"), "x").unwrap();
        assert!(remove_marked(&stuck).is_err());
        assert!(stuck.join(STAGING_MARKER).exists());
    }

    #[test]
    fn files_synced_through_the_ring_each_have_their_result_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut written = Written::default();
        for name in ["a", "b", "c"] {
            written.add(&dir.path().join(name), name.as_bytes()).unwrap();
        }
        let usable = io_uring::IoUring::new(4).is_ok();
        match sync_by_ring(&written.files) {
            Some(results) => {
                assert!(usable);
                assert_eq!(results.len(), 3);
                assert!(results.iter().all(Result::is_ok), "{results:?}");
            }
            // the kernel refuses io_uring here: the caller syncs on threads
            None => assert!(!usable),
        }
        written.sync(dir.path()).unwrap();
    }

    #[test]
    fn what_the_ring_cannot_sync_is_left_to_the_caller() {
        // a pipe cannot be fsynced (EINVAL): not an error of the site's, a way the ring cannot go
        let (reader, _writer) = std::io::pipe().unwrap();
        let file = File::from(std::os::fd::OwnedFd::from(reader));
        assert!(sync_by_ring(&[(file, "a pipe".to_owned())]).is_none());
    }
}
