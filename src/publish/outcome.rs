//! What a `publish` did, or a dry run would do.
use crate::model::Publication;

use super::PublicDifference;

/// What `publish` did.
#[derive(Debug)]
pub enum Outcome {
    Published {
        publication: Publication,
        change_id: i64,
        summary: Vec<String>,
    },
    /// `--dry-run`: what it would have published.
    WouldPublish {
        publication: Publication,
        summary: Vec<String>,
        /// What the public would see change.
        difference: PublicDifference,
    },
    /// The content is what was last published, and the site on disk is that publication.
    NothingChanged {
        last: Publication,
    },
    /// The content is unchanged but the site on disk was not the last publication (a crash
    /// between commit and swap, a deleted directory, files deleted or altered, a publication made
    /// elsewhere since): that publication was re-rendered from the log and written again.
    Repaired {
        last: Publication,
        over: Rewrite,
    },
    /// `--dry-run` where a real run would repair: the same, nothing written.
    WouldRepair {
        last: Publication,
        over: Rewrite,
    },
}

/// What was in `--out`, that a repair writes the last publication over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rewrite {
    /// No site: a new or empty directory.
    Absent,
    /// A site this database's log records as that publication; `None`: one it does not record
    /// (a manifest with no database's id, as sites were published before databases had ids).
    Held(Option<i64>),
    /// Another database's site, replaced as `--replace-site` asked.
    Replaced,
    /// The last publication, these files of it missing or altered.
    Damaged(Vec<String>),
}
