//! The domain types, as stored and as shown in `--json` output. Field names here are the
//! stable JSON contract of SPEC section 3: extend, never rename.
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A force as the audit log records it: these four fields are the `before`/`after` of every
/// change to a force, so the directory at any moment can be rebuilt from the log alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Force {
    #[serde(skip)]
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub url: Option<String>,
    pub status: ForceStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForceStatus {
    Active,
    Retired,
}

impl ForceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ForceStatus::Active => "active",
            ForceStatus::Retired => "retired",
        }
    }

    pub fn parse(text: &str) -> Option<ForceStatus> {
        match text {
            "active" => Some(ForceStatus::Active),
            "retired" => Some(ForceStatus::Retired),
            _ => None,
        }
    }
}

/// What the link checker last said about a force's URL, as `list` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum LinkStatus {
    Ok,
    Caution,
    Broken,
    Pending,
    Missing,
}

impl LinkStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::Ok => "ok",
            LinkStatus::Caution => "caution",
            LinkStatus::Broken => "broken",
            LinkStatus::Pending => "pending",
            LinkStatus::Missing => "missing",
        }
    }

    pub fn parse(text: &str) -> Option<LinkStatus> {
        match text {
            "ok" => Some(LinkStatus::Ok),
            "caution" => Some(LinkStatus::Caution),
            "broken" => Some(LinkStatus::Broken),
            "pending" => Some(LinkStatus::Pending),
            "missing" => Some(LinkStatus::Missing),
            _ => None,
        }
    }
}

/// One entry of `admin list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListEntry {
    pub slug: String,
    pub name: String,
    pub url: Option<String>,
    pub status: ForceStatus,
    pub link_status: LinkStatus,
    pub open_notes: i64,
    pub last_reviewed: Option<String>,
    /// The newest day the force's published data covers (YYYY-MM-DD), as last recorded by
    /// `admin review --data-to`.
    pub data_to: Option<String>,
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub id: i64,
    pub at: String,
    pub editor: String,
    pub action: crate::audit::Action,
    pub entity: crate::audit::Entity,
    pub force: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub message: Option<String>,
    pub hash: String,
    /// For a `revert`: the change it undoes.
    pub reverts: Option<i64>,
    /// The editor's SSH signature of the change's canonical JSON (armored), where they have a key.
    pub signature: Option<String>,
}

/// A review note, on one force or (force `None`) on the page as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: i64,
    pub force: Option<String>,
    pub text: String,
    pub public: bool,
    pub status: NoteStatus,
    pub editor: String,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteStatus {
    Open,
    Resolved,
}

/// "I checked this force's page on this date".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub at: String,
    pub editor: String,
    pub message: Option<String>,
    /// The newest day the force's published data covered (YYYY-MM-DD), when the review said.
    pub data_to: Option<String>,
}

/// The newest result of checking one force's URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkCheck {
    pub force: String,
    pub url: String,
    pub status: LinkStatus,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    pub problem: Option<String>,
    pub suggested_fix: Option<String>,
    pub checked_at: String,
    /// What the check saw of the page: `changed`, its fingerprint, when it last changed.
    #[serde(flatten)]
    pub page: crate::links::PageFacts,
}

/// One run of `admin publish` that wrote the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publication {
    pub id: i64,
    pub at: String,
    pub editor: String,
    pub note: String,
    pub major: bool,
    pub sha256: String,
    /// The range of audit-log ids it covers, `[first, last]`; empty when it covered none.
    pub changes: Vec<i64>,
    #[serde(skip)]
    pub content_sha256: String,
    #[serde(skip)]
    pub first_change: i64,
    /// The audit head it covers: the newest change before its own `publish` change.
    #[serde(skip)]
    pub last_change: i64,
    /// That change's hash (`None` for a publication recorded before heads were).
    #[serde(skip)]
    pub head_hash: Option<String>,
    /// Who approved its content, where someone did.
    pub approved_by: Option<String>,
    /// Why it was published without the second check, where it was.
    pub without_approval: Option<String>,
}

impl Publication {
    /// The audit head the published files carry: `{"change", "hash"}`.
    pub fn audit_head(&self) -> Option<AuditHead> {
        self.head_hash.clone().map(|hash| AuditHead { change: self.last_change, hash })
    }
}

/// A change id and its hash: a point in the audit log that someone outside can hold on to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub change: i64,
    pub hash: String,
}
