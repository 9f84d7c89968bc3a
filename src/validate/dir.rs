//! A directory a site is published into, as typed (`publish --out`, `admin settings site`): a
//! path that prints as itself, so that what `publish`, `settings` and `status` say of it is
//! what is on the disk, and no terminal is sent its control characters.
use std::ffi::OsStr;
use std::path::Path;

use crate::exit_codes::bad_hint;

/// The longest directory path taken, in bytes (Linux's PATH_MAX).
pub const MAX_DIR_BYTES: usize = 4096;

/// The longest name of a site's own directory, in bytes: while it publishes, admin keeps
/// `.{name}.tmp-` and six letters beside it, and a file name holds at most 255 bytes (Linux's
/// NAME_MAX).
pub const MAX_NAME_BYTES: usize = 255 - ".".len() - ".tmp-".len() - 6;

/// Refuse the name of a site's directory, as it is on the disk (links followed, `.` and `..`
/// resolved), that admin could not name its files beside: longer than `MAX_NAME_BYTES`. (That
/// the whole path is UTF-8 and prints as itself is `directory`'s to check.)
pub fn site_name(name: &OsStr, what: &str) -> anyhow::Result<()> {
    if name.len() <= MAX_NAME_BYTES {
        return Ok(());
    }
    Err(bad_hint(
        format!(
            "{what} is a directory whose name is {} bytes long; the most is {MAX_NAME_BYTES} (admin names the files it keeps beside it after it)",
            name.len()
        ),
        format!("give {what} a directory with a shorter name"),
    ))
}

/// Refuse a directory path that is empty, not UTF-8, longer than `MAX_DIR_BYTES`, or holds a
/// control character or one that reorders or hides text; `what` names it (`--out`).
pub fn directory(path: &Path, what: &str) -> anyhow::Result<()> {
    let hint = format!("give {what} a plain directory path");
    let Some(text) = path.to_str() else {
        return Err(bad_hint(format!("{what} is not valid UTF-8: {}", path.display()), hint));
    };
    if text.trim().is_empty() {
        return Err(bad_hint(format!("{what} is empty"), hint));
    }
    if text.len() > MAX_DIR_BYTES {
        return Err(bad_hint(
            format!("{what} is {} bytes long; the most is {MAX_DIR_BYTES}", text.len()),
            hint,
        ));
    }
    if let Some(c) = text.chars().find(|&c| c.is_control() || super::is_default_ignorable(c)) {
        return Err(bad_hint(
            format!(
                "{what} holds the character U+{:04X}, which a directory name may not hold here",
                c as u32
            ),
            hint,
        ));
    }
    Ok(())
}
