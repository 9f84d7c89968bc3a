//! The domain types, as stored and as shown in `--json` output. Field names here are the
//! stable JSON contract of SPEC section 3: extend, never rename.
use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A closed set stored as strings: each variant and its string are written once, here, and
/// `ALL`, `as_str` and `parse` follow from them, so adding a variant cannot leave one behind.
macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)* _ => None }
            }
        }

        /// Stored and shown as its string.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

closed_set! {
    /// What a command is: the `action` of the change it writes.
    Action {
        Init => "init",
        AddForce => "add-force",
        RenameForce => "rename-force",
        SetUrl => "set-url",
        ClearUrl => "clear-url",
        RetireForce => "retire-force",
        RestoreForce => "restore-force",
        AddNote => "add-note",
        ResolveNote => "resolve-note",
        Review => "review",
        Revert => "revert",
        Import => "import",
        Publish => "publish",
        SetPage => "set-page",
        AddEditor => "add-editor",
        RetireEditor => "retire-editor",
        RestoreEditor => "restore-editor",
        SetRole => "set-role",
        SetKey => "set-key",
        Approve => "approve",
        Schedule => "schedule",
        CancelSchedule => "cancel-schedule",
        Settings => "settings",
    }
}

closed_set! {
    /// What a change is about.
    Entity {
        Force => "force",
        Note => "note",
        Review => "review",
        Publication => "publication",
        Page => "page",
        Editor => "editor",
        Approval => "approval",
        Schedule => "schedule",
        Setting => "setting",
    }
}

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

/// One entry of `admin list`: borrowed from a replayed state, or owned, read from the tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListEntry<'a> {
    pub slug: Cow<'a, str>,
    pub name: Cow<'a, str>,
    pub url: Option<Cow<'a, str>>,
    pub status: ForceStatus,
    pub link_status: LinkStatus,
    pub open_notes: i64,
    pub last_reviewed: Option<Cow<'a, str>>,
    /// The newest day the force's published data covers (YYYY-MM-DD), as last recorded by
    /// `admin review --data-to`.
    pub data_to: Option<Cow<'a, str>>,
}

impl ListEntry<'_> {
    /// The entry with its text copied, free of what it borrowed.
    pub fn into_owned(self) -> ListEntry<'static> {
        let owned = |text: Cow<str>| Cow::Owned(text.into_owned());
        ListEntry {
            slug: owned(self.slug),
            name: owned(self.name),
            url: self.url.map(owned),
            status: self.status,
            link_status: self.link_status,
            open_notes: self.open_notes,
            last_reviewed: self.last_reviewed.map(owned),
            data_to: self.data_to.map(owned),
        }
    }
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub id: i64,
    pub at: String,
    pub editor: String,
    pub action: Action,
    pub entity: Entity,
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
    /// When the link began failing in a way that may pass, while it goes on failing so.
    pub failing_since: Option<String>,
    /// What the check saw of the page: `changed`, its fingerprint, when it last changed.
    #[serde(flatten)]
    pub page: PageFacts,
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
    /// Its `publish` change.
    #[serde(skip)]
    pub change: i64,
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

/// What an editor may do; each role may do everything the ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Edits forces, URLs, notes, reviews and the page
    Editor,
    /// Also approves and publishes
    Publisher,
    /// Also manages editors and settings
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Publisher => "publisher",
            Role::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EditorStatus {
    Active,
    Retired,
}

impl EditorStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EditorStatus::Active => "active",
            EditorStatus::Retired => "retired",
        }
    }
}

/// An editor as the audit log records it (the `before`/`after` of a registry change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditorState {
    pub name: String,
    pub role: Role,
    pub status: EditorStatus,
    /// The OpenSSH public key (`ssh-ed25519 AAAA…`, no comment) that signs their changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// What a page looked like when it was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// sha256 of the first 5 MB of the body, hex.
    pub content_sha256: String,
    pub title: Option<String>,
}

/// A stored check's page facts, as `check-links --json` and `show --json` give them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PageFacts {
    /// Whether the page differs from the one the previous check of this URL saw; `None` on the
    /// first check, or when no page was read (a broken link, a login wall).
    pub changed: Option<bool>,
    pub content_sha256: Option<String>,
    pub last_modified: Option<String>,
    pub etag: Option<String>,
    pub title: Option<String>,
    /// When the page last changed: the newest check of this URL that found it different from
    /// the one before, or the first.
    pub page_changed_at: Option<String>,
}

impl PageFacts {
    pub fn new(fingerprint: Option<&Fingerprint>, changed: Option<bool>) -> PageFacts {
        PageFacts {
            changed,
            content_sha256: fingerprint.map(|f| f.content_sha256.clone()),
            last_modified: fingerprint.and_then(|f| f.last_modified.clone()),
            etag: fingerprint.and_then(|f| f.etag.clone()),
            title: fingerprint.and_then(|f| f.title.clone()),
            page_changed_at: None,
        }
    }

    pub fn fingerprint(&self) -> Option<Fingerprint> {
        Some(Fingerprint {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
            content_sha256: self.content_sha256.clone()?,
            title: self.title.clone(),
        })
    }
}

/// A page seen before: its validators go back, in a conditional request, to the address that
/// gave them (the end of the redirects), and nowhere else.
#[derive(Debug, Clone)]
pub struct Seen {
    pub final_url: String,
    pub fingerprint: Fingerprint,
}

/// The SHA256 fingerprint of an OpenSSH public key, as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &str) -> String {
    ssh_key::PublicKey::from_openssh(key)
        .map(|k| k.fingerprint(ssh_key::HashAlg::Sha256).to_string())
        .unwrap_or_else(|_| "unreadable key".to_owned())
}

/// A note's state as the audit log records it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NoteState {
    pub id: i64,
    pub force: Option<String>,
    pub text: String,
    pub public: bool,
    pub status: NoteStatus,
}

/// One review as the log records it: the change's time, editor and message, and the newest day
/// the force's published data covered (`--data-to`), when the review said.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReviewState {
    /// The review change: a review's identity.
    #[serde(skip)]
    pub change: i64,
    pub at: String,
    pub editor: String,
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_to: Option<String>,
}

/// A review change's `after`. `data_to` is left out while unset, so a review recorded before it
/// existed hashes and replays as it always did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReviewRecord {
    pub force: String,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_to: Option<String>,
}

/// A related link shown on the page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PageLink {
    pub title: String,
    pub url: String,
}

/// The page's own words. Optional fields are left out of the JSON while unset, so a page change
/// made before they existed reads the same.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub heading: String,
    /// Paragraphs of plain text.
    pub intro: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<PageLink>,
}

impl Default for Page {
    fn default() -> Page {
        Page {
            heading: "Use of Force Data".to_owned(),
            intro: Vec::new(),
            publisher: None,
            contact: None,
            licence: None,
            base_url: None,
            links: Vec::new(),
        }
    }
}

/// The introduction as stored in the `page` table: paragraphs separated by a blank line.
pub fn intro_paragraphs(intro: &str) -> Vec<String> {
    intro.split("\n\n").filter(|p| !p.trim().is_empty()).map(str::to_owned).collect()
}
