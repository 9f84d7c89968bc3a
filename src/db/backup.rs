//! `admin backup`: SQLite's online backup of the live database into a new file.
use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::Result;
use rusqlite::{Connection, OpenFlags};

use super::Db;
use crate::exit_codes::bad_hint;

impl Db {
    /// Copy the live database to a new file at `dest` (mode 0600) with SQLite's online backup,
    /// in one step under one read snapshot: consistent while other editors write.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        if dest.is_dir() {
            return Err(bad_hint(
                format!("`{}` is a directory", dest.display()),
                "give the path of a new file, e.g. backups/uof-2026-04-01.db",
            ));
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true).mode(0o600);
        if let Err(err) = options.open(dest) {
            return Err(if err.kind() == std::io::ErrorKind::AlreadyExists {
                bad_hint(
                    format!("`{}` already exists", dest.display()),
                    "a backup never overwrites a file; choose a new name",
                )
            } else {
                anyhow::Error::new(err).context(format!("failed to create `{}`", dest.display()))
            });
        }
        let copied = (|| -> Result<()> {
            let mut target = Connection::open_with_flags(dest, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
            {
                let backup = rusqlite::backup::Backup::new(&self.conn, &mut target)?;
                backup.step(-1)?;
            }
            let check: String = target.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
            anyhow::ensure!(check == "ok", "the copy failed its integrity check: {check}");
            Ok(())
        })();
        if let Err(err) = copied {
            super::remove_with_companions(dest);
            return Err(err.context(format!("failed to back up to `{}`", dest.display())));
        }
        Ok(())
    }
}
