//! A publication's files as they are made: in memory, or written straight into the directory the
//! site is being made in (`staging`), each with its sha256.
use anyhow::Result;
use sha2::{Digest, Sha256};

use super::staging::Staging;
use crate::audit::hex;

/// The files of one publication, in a fixed order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    /// Each file's path and body, in the order they were made.
    files: Vec<(String, Body)>,
    /// Each file's sha256 hex, made once as the file is added: the record, the site's sha256 and
    /// the manifest all name it (a large site is tens of megabytes).
    hashes: Vec<String>,
}

/// A file of a site: its bytes, or, for one written straight into the directory the site is
/// being made in (`staging::Staging::write`), its length there (a dry run's, only hashed, is
/// never written: `Sink::Hashed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Bytes(Vec<u8>),
    Staged(u64),
}

impl Site {
    /// Add a file.
    pub fn push(&mut self, path: String, bytes: Vec<u8>) {
        self.hashes.push(sha256_hex(&bytes));
        self.files.push((path, Body::Bytes(bytes)));
    }

    /// Add a file as it was made (`make`).
    pub fn push_made(&mut self, path: String, made: Made) {
        match made {
            Made::Bytes(bytes) => self.push(path, bytes),
            Made::Staged { sha256, len } => {
                self.hashes.push(sha256);
                self.files.push((path, Body::Staged(len)));
            }
        }
    }

    /// Each file's path.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(path, _)| path.as_str())
    }

    /// Each file held in memory (every file of a site not made into a staging directory), by
    /// path.
    pub fn into_files(self) -> impl Iterator<Item = (String, Vec<u8>)> {
        self.files.into_iter().filter_map(|(path, body)| match body {
            Body::Bytes(bytes) => Some((path, bytes)),
            Body::Staged(_) => None,
        })
    }

    /// Each file's path, body and sha256 hex.
    pub fn hashed(&self) -> impl Iterator<Item = (&str, &Body, &str)> {
        self.files.iter().zip(&self.hashes).map(|((path, body), sha)| (path.as_str(), body, sha.as_str()))
    }

    /// sha256 of the `sha256sum`-style listing (`<sha256>  <path>\n`, paths sorted): the same
    /// figure `sha256sum * | sha256sum` gives in the site's directory.
    pub fn sha256(&self) -> String {
        let mut files: Vec<(&str, &str)> = self.hashed().map(|(path, _, sha)| (path, sha)).collect();
        files.sort_by(|a, b| a.0.cmp(b.0));
        let listing: String = files.iter().map(|(path, sha)| format!("{sha}  {path}\n")).collect();
        sha256_hex(listing.as_bytes())
    }
}

/// A file as it was made: its bytes, or, written straight into a staging directory (or only
/// hashed), its sha256 hex and length.
pub enum Made {
    Bytes(Vec<u8>),
    Staged { sha256: String, len: u64 },
}

/// Where `make` puts a publication's files as they are made.
#[derive(Clone, Copy)]
pub enum Sink<'a> {
    /// Into memory: the site `admin serve` shows.
    Memory,
    /// Straight into the directory the site is being made in: a large file is never held in
    /// memory.
    Staging(&'a Staging),
    /// Nowhere, only hashed: a dry run names each file's sha256 in the record it checks, and
    /// writes nothing (a large directory's files are tens of megabytes).
    Hashed,
}

/// Make the file `name` through `write`, into `sink`.
pub fn make(
    sink: Sink,
    name: &str,
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<()>,
) -> Result<Made> {
    if let Sink::Staging(staging) = sink {
        return staging.write(name, write).map(|(sha256, len)| Made::Staged { sha256, len });
    }
    let mut out = Unstaged::of(sink);
    write(&mut out)?;
    Ok(out.made())
}

/// A file made into memory, or only hashed.
enum Unstaged {
    Memory(Vec<u8>),
    Hashed(Hashing<std::io::Sink>),
}

impl Unstaged {
    fn of(sink: Sink) -> Unstaged {
        match sink {
            Sink::Hashed => Unstaged::Hashed(Hashing::new(std::io::sink())),
            _ => Unstaged::Memory(Vec::new()),
        }
    }

    fn made(self) -> Made {
        match self {
            Unstaged::Memory(bytes) => Made::Bytes(bytes),
            Unstaged::Hashed(hashing) => {
                let (_, sha256, len) = hashing.finish();
                Made::Staged { sha256, len }
            }
        }
    }
}

impl std::io::Write for Unstaged {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Unstaged::Memory(bytes) => bytes.write(buf),
            Unstaged::Hashed(hashing) => hashing.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A writer that hashes what goes through it and counts its bytes.
pub struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: std::io::Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        Hashing { inner, hasher: Sha256::new(), len: 0 }
    }

    /// The writer, and the sha256 hex and length of what was written.
    pub fn finish(self) -> (W, String, u64) {
        (self.inner, hex(&self.hasher.finalize()), self.len)
    }
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}
