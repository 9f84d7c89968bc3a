//! Reading a file that a directory holds, when someone else may have put it there: a published
//! site, a copy of one given to `audit verify --against`, a backup. What is read is a regular file
//! named directly, never a symbolic link followed (`O_NOFOLLOW`), never waited on (a FIFO or a
//! device is refused before it is read: `O_NONBLOCK`, then `fstat`), and never more than a limit,
//! so a planted FIFO cannot hang a command, a link cannot lead it outside the directory, and
//! `/dev/zero` or a sparse file of gigabytes cannot exhaust its memory.
//!
//! The type is looked at twice: without opening (`lstat`), so a device is not even opened, and
//! on the descriptor that is read (`fstat`), so a file swapped in between is still caught.
//!
//! A directory is opened the same way to sync the filesystem it is on (`sync_filesystem_of`).
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

/// The most read from one file of a site: far more than any file admin publishes (the
/// `forces.json` of 100,000 forces is about 20 MB).
pub const MAX_SITE_FILE: u64 = 64 * 1024 * 1024;

/// Why a path could not be read as a regular file.
#[derive(Debug)]
pub enum Refusal {
    /// Nothing by that name.
    Missing,
    /// Something other than a regular file: what it is ("a symbolic link", "a FIFO (named
    /// pipe)", …).
    NotAFile(&'static str),
    /// A regular file longer than the limit.
    TooBig { bytes: u64, limit: u64 },
    /// It could not be opened or read (permissions, I/O).
    Io(io::Error),
}

impl fmt::Display for Refusal {
    /// The predicate of a sentence whose subject is the path: "`x` is a symbolic link".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Missing => f.write_str("does not exist"),
            Refusal::NotAFile(what) => write!(f, "is {what}, not a regular file"),
            Refusal::TooBig { bytes, limit } => {
                write!(f, "is {bytes} bytes, more than the {limit} admin reads from one file")
            }
            Refusal::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// A file type in words, for a refusal.
fn describe(kind: FileType) -> &'static str {
    match kind {
        FileType::Symlink => "a symbolic link",
        FileType::Fifo => "a FIFO (named pipe)",
        FileType::Directory => "a directory",
        FileType::CharacterDevice | FileType::BlockDevice => "a device",
        FileType::Socket => "a socket",
        _ => "not a file",
    }
}

/// What a path that is not a regular file is, in words ("a FIFO (named pipe)"), from its metadata.
pub fn what(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    match kind {
        k if k.is_symlink() => describe(FileType::Symlink),
        k if k.is_fifo() => describe(FileType::Fifo),
        k if k.is_dir() => describe(FileType::Directory),
        k if k.is_char_device() || k.is_block_device() => describe(FileType::CharacterDevice),
        k if k.is_socket() => describe(FileType::Socket),
        _ => "not a file",
    }
}

fn refusal(e: rustix::io::Errno) -> Refusal {
    if e == rustix::io::Errno::NOENT {
        Refusal::Missing
    } else {
        Refusal::Io(e.into())
    }
}

/// A directory held open, so that every file read from it is read from this directory even if
/// its path is changed meanwhile.
pub struct Dir {
    fd: OwnedFd,
}

impl Dir {
    /// Open the directory at `path` (which may be reached through symbolic links: the caller
    /// named it).
    pub fn open(path: &Path) -> Result<Dir, Refusal> {
        match rustix::fs::statat(rustix::fs::CWD, path, AtFlags::empty()) {
            Ok(st) if FileType::from_raw_mode(st.st_mode) != FileType::Directory => {
                return Err(Refusal::NotAFile(describe(FileType::from_raw_mode(st.st_mode))))
            }
            Ok(_) => {}
            Err(e) => return Err(refusal(e)),
        }
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(rustix::fs::CWD, path, flags, Mode::empty()).map_err(refusal)?;
        Ok(Dir { fd })
    }

    /// Open the regular file `name` directly inside this directory (`name` holds no `/`).
    pub fn open_file(&self, name: &str) -> Result<File, Refusal> {
        debug_assert!(!name.contains('/'), "{name} is not a name in a directory");
        open_regular(self.fd.as_fd(), Path::new(name))
    }

    /// Read the regular file `name` directly inside this directory, up to `limit` bytes.
    pub fn read(&self, name: &str, limit: u64) -> Result<Vec<u8>, Refusal> {
        read_limited(self.open_file(name)?, limit)
    }
}

/// Open the regular file at `path`, its last component not followed if it is a symbolic link.
pub fn open(path: &Path) -> Result<File, Refusal> {
    open_regular(rustix::fs::CWD, path)
}

/// Read the regular file at `path` (its last component not followed), up to `limit` bytes.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
    read_limited(open(path)?, limit)
}

/// Open the regular file at `path` to write, creating it (mode 0666 less the umask) if there is
/// nothing there; a symbolic link there is refused, never followed, so nothing is created where
/// it points.
pub fn create(path: &Path) -> Result<File, Refusal> {
    let flags = OFlags::WRONLY
        | OFlags::CREATE
        | OFlags::NOFOLLOW
        | OFlags::NONBLOCK
        | OFlags::NOCTTY
        | OFlags::CLOEXEC;
    let mode = Mode::from_raw_mode(0o666);
    let fd = rustix::fs::openat(rustix::fs::CWD, path, flags, mode).map_err(|e| {
        // a link (ELOOP), a FIFO no one reads (ENXIO), a directory (EISDIR): say which
        match rustix::fs::statat(rustix::fs::CWD, path, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile => {
                Refusal::NotAFile(describe(FileType::from_raw_mode(st.st_mode)))
            }
            _ => refusal(e),
        }
    })?;
    regular(fd)
}

/// `fd` as a blocking `File` if it is a regular file.
fn regular(fd: OwnedFd) -> Result<File, Refusal> {
    let st = rustix::fs::fstat(&fd).map_err(refusal)?;
    let kind = FileType::from_raw_mode(st.st_mode);
    if kind != FileType::RegularFile {
        return Err(Refusal::NotAFile(describe(kind)));
    }
    rustix::fs::fcntl_setfl(&fd, OFlags::empty()).map_err(refusal)?;
    Ok(File::from(fd))
}

fn open_regular(dir: impl AsFd, path: &Path) -> Result<File, Refusal> {
    let dir = dir.as_fd();
    // what it is, without opening it: a device is never opened
    let st = rustix::fs::statat(dir, path, AtFlags::SYMLINK_NOFOLLOW).map_err(refusal)?;
    let kind = FileType::from_raw_mode(st.st_mode);
    if kind != FileType::RegularFile {
        return Err(Refusal::NotAFile(describe(kind)));
    }
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(dir, path, flags, Mode::empty()).map_err(|e| match e {
        // swapped for a link since it was looked at
        rustix::io::Errno::LOOP => Refusal::NotAFile(describe(FileType::Symlink)),
        e => refusal(e),
    })?;
    // what was opened, which is what will be read
    regular(fd)
}

/// Read all of `file`, refusing it when it is (or grows while read) longer than `limit`.
fn read_limited(file: File, limit: u64) -> Result<Vec<u8>, Refusal> {
    let bytes = file.metadata().map_err(Refusal::Io)?.len();
    if bytes > limit {
        return Err(Refusal::TooBig { bytes, limit });
    }
    let mut out = Vec::with_capacity(bytes as usize);
    file.take(limit + 1).read_to_end(&mut out).map_err(Refusal::Io)?;
    if out.len() as u64 > limit {
        return Err(Refusal::TooBig { bytes: out.len() as u64, limit });
    }
    Ok(out)
}

/// Sync the filesystem that holds the directory `dir`, opened as a directory and not through a
/// link.
pub fn sync_filesystem_of(dir: &Path) -> rustix::io::Result<()> {
    use rustix::fs::OFlags;
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    rustix::fs::open(dir, flags, rustix::fs::Mode::empty()).and_then(rustix::fs::syncfs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filesystem_is_synced_through_a_directory_never_a_fifo_or_a_link() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(sync_filesystem_of(dir.path()), Ok(()));
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(rustix::fs::CWD, &fifo, rustix::fs::FileType::Fifo, rustix::fs::Mode::RUSR, 0)
            .unwrap();
        // refused at once: opening a FIFO to read would wait for a writer
        assert_eq!(sync_filesystem_of(&fifo), Err(rustix::io::Errno::NOTDIR));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path(), &link).unwrap();
        // O_DIRECTORY is looked at before O_NOFOLLOW: a link is "not a directory"
        assert_eq!(sync_filesystem_of(&link), Err(rustix::io::Errno::NOTDIR));
    }

    #[test]
    fn only_a_regular_file_within_the_limit_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        std::fs::write(path("file"), "twelve bytes").unwrap();
        std::os::unix::fs::symlink(path("file"), path("link")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", path("zero")).unwrap();
        std::os::unix::fs::symlink(path("nowhere"), path("dangling")).unwrap();
        std::fs::create_dir(path("sub")).unwrap();
        rustix::fs::mknodat(rustix::fs::CWD, path("fifo"), FileType::Fifo, Mode::RUSR | Mode::WUSR, 0)
            .unwrap();
        let site = Dir::open(dir.path()).unwrap();
        assert_eq!(site.read("file", 12).unwrap(), b"twelve bytes");
        assert_eq!(read(&path("file"), 100).unwrap(), b"twelve bytes");
        let refused = |name: &str, limit| site.read(name, limit).err().unwrap().to_string();
        assert_eq!(refused("file", 11), "is 12 bytes, more than the 11 admin reads from one file");
        for name in ["link", "zero", "dangling"] {
            assert_eq!(refused(name, 100), "is a symbolic link, not a regular file", "{name}");
            assert_eq!(read(&path(name), 100).err().unwrap().to_string(), refused(name, 100));
        }
        assert_eq!(refused("sub", 100), "is a directory, not a regular file");
        assert_eq!(refused("fifo", 100), "is a FIFO (named pipe), not a regular file");
        assert_eq!(refused("missing", 100), "does not exist");
        assert!(matches!(read(Path::new("/dev/null"), 100), Err(Refusal::NotAFile("a device"))));
        assert!(matches!(Dir::open(&path("file")), Err(Refusal::NotAFile(_))));

        // created where nothing is, opened where a file is; a link is not followed
        assert!(create(&path("new")).is_ok() && path("new").is_file());
        assert!(create(&path("file")).is_ok());
        assert_eq!(std::fs::read(path("file")).unwrap(), b"twelve bytes", "create does not truncate");
        for name in ["link", "dangling", "fifo", "sub"] {
            assert!(matches!(create(&path(name)), Err(Refusal::NotAFile(_))), "{name}");
        }
        assert!(!path("nowhere").exists(), "a file was made where a link pointed");
    }
}
