//! The registry of editors: who may change what (roles), and which key signs their changes.
//!
//! With no editor registered the tool behaves as it always did: any name may act. Once the
//! registry holds one, every audited change must be made by an active registered editor whose
//! role allows it; `gate::append` asks `authorize` before anything is written.
use anyhow::Result;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::audit::{Action, Entity, NewChange};

use crate::exit_codes::bad_hint;
use crate::validate::quoted;

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

/// The role an action needs, once the registry is in use.
pub fn required_role(action: Action) -> Role {
    match action {
        Action::Init
        | Action::AddForce
        | Action::RenameForce
        | Action::SetUrl
        | Action::ClearUrl
        | Action::RetireForce
        | Action::RestoreForce
        | Action::AddNote
        | Action::ResolveNote
        | Action::Review
        | Action::Revert
        | Action::Import
        | Action::SetPage => Role::Editor,
        Action::Publish | Action::Approve | Action::Schedule | Action::CancelSchedule => Role::Publisher,
        Action::AddEditor | Action::RetireEditor | Action::SetRole | Action::SetKey => Role::Admin,
    }
}

/// Whether `change` may be made: by anyone while the registry is empty (but the first editor
/// registered must be an admin), else by an active registered editor whose role allows it.
pub fn authorize(conn: &Connection, change: &NewChange) -> Result<()> {
    authorize_action(conn, &change.editor, change.action, change.after.as_ref())
}

/// `authorize` before a change is built: whether `editor` may make an `action` change (whose
/// `after`, for registry changes, says whom it is about).
pub fn authorize_action(
    conn: &Connection,
    editor: &str,
    action: Action,
    after: Option<&serde_json::Value>,
) -> Result<()> {
    let registry = registry(conn)?;
    check_authority(&registry, editor, action, after)
}

/// The registry as the audit log says it is: what authorizes and what signs. The `editors`
/// table is a copy for listing, checked against this by `audit verify`; editing it grants
/// nothing.
pub fn registry(conn: &Connection) -> Result<Vec<EditorState>> {
    crate::db::changes::latest_states(
        conn,
        Entity::Editor,
        &crate::db::changes::Cutoff::At("9999".to_owned()),
    )
}

/// One editor as the log says they are.
pub fn registered(conn: &Connection, name: &str) -> Result<Option<EditorState>> {
    Ok(registry(conn)?.into_iter().find(|e| e.name == name))
}

/// Whether `editor` may make an `action` change, given the registry before it: the rule the
/// gate applies when a change is made, and `audit verify` when it replays the log.
pub fn check_authority(
    registry: &[EditorState],
    editor: &str,
    action: Action,
    after: Option<&serde_json::Value>,
) -> Result<()> {
    if registry.is_empty() {
        if action == Action::AddEditor {
            let role = after.and_then(|a| a.get("role")).and_then(|r| r.as_str());
            if role != Some("admin") {
                return Err(bad_hint(
                    "the first editor registered must be an admin",
                    "add yourself first: admin editor add NAME --role admin",
                ));
            }
        }
        return Ok(());
    }
    let me = registry.iter().find(|e| e.name == editor);
    let Some(me) = me.filter(|e| e.status == EditorStatus::Active) else {
        let what = if me.is_some() { "a retired editor" } else { "not a registered editor" };
        return Err(bad_hint(
            format!("{} is {what}: this database only takes changes from its registered editors", quoted(editor)),
            "act as a registered editor with --editor NAME (see `admin editor list`), or ask an admin to add you",
        ));
    };
    // a publish by the timer acts for the publisher who made the schedule: the change's editor
    let needed = required_role(action);
    if me.role < needed {
        return Err(bad_hint(
            format!(
                "{} is {} {}; `{}` needs the {} role",
                me.name,
                if me.role == Role::Publisher { "a" } else { "an" },
                me.role.as_str(),
                action,
                needed.as_str()
            ),
            "ask an admin: admin editor set-role NAME ROLE",
        ));
    }
    if matches!(action, Action::RetireEditor | Action::SetRole) {
        let name = after.and_then(|a| a.get("name")).and_then(|n| n.as_str());
        let stays_admin = after.and_then(|a| a.get("role")).and_then(|r| r.as_str()) == Some("admin")
            && after.and_then(|a| a.get("status")).and_then(|s| s.as_str()) == Some("active");
        let admins = registry.iter().filter(|e| e.status == EditorStatus::Active && e.role == Role::Admin);
        if !stays_admin
            && admins.clone().count() == 1
            && admins.into_iter().any(|e| Some(e.name.as_str()) == name)
        {
            return Err(bad_hint(
                "cannot take away the last active admin: nobody could manage the editors after",
                "make another editor an admin first: admin editor set-role NAME admin",
            ));
        }
    }
    Ok(())
}

/// A name to register: one that an allowed_signers file can carry as it is (no white space,
/// no pattern or list characters), besides what every editor name must be.
fn registrable_name(name: &str) -> Result<String> {
    let name = crate::validate::editor(name)?;
    if let Some(c) = name.chars().find(|c| c.is_whitespace() || "*?,!\"'#\\".contains(*c)) {
        return Err(bad_hint(
            format!(
                "the editor name {} contains {c:?}, which a signature's allowed-signers line cannot hold",
                quoted(&name)
            ),
            "register a name without spaces, quotes or * ? , ! # \\ (e.g. alice.smith)",
        ));
    }
    Ok(name)
}

/// A key identifies one person: refuse one another editor has registered.
fn check_key_unshared(registry: &[EditorState], name: &str, key: Option<&str>) -> Result<()> {
    if let Some(other) =
        key.and_then(|k| registry.iter().find(|e| e.name != name && e.key.as_deref() == Some(k)))
    {
        return Err(bad_hint(
            format!("that key is already {}'s: a key must name one editor", other.name),
            "each editor makes a key of their own with `ssh-keygen -t ed25519`",
        ));
    }
    Ok(())
}

/// The SHA256 fingerprint of an OpenSSH public key, as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &str) -> String {
    ssh_key::PublicKey::from_openssh(key)
        .map(|k| k.fingerprint(ssh_key::HashAlg::Sha256).to_string())
        .unwrap_or_else(|_| "unreadable key".to_owned())
}

/// `admin editor add`: register an editor (the first must be an admin).
pub fn add(
    conn: &Connection,
    actor: &crate::directory::Actor,
    name: &str,
    role: Role,
    key: Option<String>,
) -> Result<crate::model::Change> {
    let name = registrable_name(name)?;
    let registry = registry(conn)?;
    let key_of = |n: &str| crate::validate::name_key(n);
    if let Some(existing) = registry.iter().find(|e| key_of(&e.name) == key_of(&name)) {
        return Err(bad_hint(
            format!(
                "{} is already registered{} ({}, {})",
                quoted(&name),
                if existing.name == name { String::new() } else { format!(" as {}", quoted(&existing.name)) },
                existing.role.as_str(),
                existing.status.as_str()
            ),
            "editor names are unique ignoring case and look-alike characters; change their role with `admin editor set-role`, or their key with `admin editor set-key`",
        ));
    }
    check_key_unshared(&registry, &name, key.as_deref())?;
    let editor = EditorState { name, role, status: EditorStatus::Active, key };
    // the gate judges the change against the registry as it was before it
    let change = record(conn, actor, Action::AddEditor, None, &editor)?;
    crate::db::editors::put(conn, &editor, &actor.at)?;
    Ok(change)
}

/// Change a registered editor with one audited change, or say there is nothing to change.
pub fn update(
    conn: &Connection,
    actor: &crate::directory::Actor,
    action: Action,
    name: &str,
    change: impl FnOnce(&mut EditorState),
) -> Result<crate::directory::Outcome> {
    let registry = registry(conn)?;
    let before = registry.iter().find(|e| e.name == name).cloned().ok_or_else(|| {
        bad_hint(format!("no editor {}", quoted(name)), "see `admin editor list` for the registered editors")
    })?;
    let mut after = before.clone();
    change(&mut after);
    check_key_unshared(&registry, name, after.key.as_deref())?;
    if after == before {
        return Ok(crate::directory::Outcome::Unchanged(format!(
            "nothing to change: {} is already like that",
            before.name
        )));
    }
    // the gate judges the change against the registry as it was before it
    let change = record(conn, actor, action, Some(&before), &after)?;
    crate::db::editors::put(conn, &after, &actor.at)?;
    Ok(crate::directory::Outcome::Changed(Box::new(change)))
}

fn record(
    conn: &Connection,
    actor: &crate::directory::Actor,
    action: Action,
    before: Option<&EditorState>,
    after: &EditorState,
) -> Result<crate::model::Change> {
    use crate::state::Record;
    crate::gate::append(
        conn,
        actor.change(
            action,
            Entity::Editor,
            None,
            before.map(|b| Record::Editor(b.clone()).encode()),
            Some(Record::Editor(after.clone()).encode()),
        ),
    )
}

/// The allowed_signers file for `ssh-keygen -Y verify`: every key each editor has had, valid
/// from the change that registered it until the change that replaced it (UTC).
pub fn allowed_signers(conn: &Connection) -> Result<String> {
    let mut out = String::new();
    let mut current: std::collections::BTreeMap<String, (String, String)> = std::collections::BTreeMap::new();
    let mut lines: Vec<(String, String, String, Option<String>)> = Vec::new();
    crate::db::changes::for_each(conn, |change| {
        if change.entity != Entity::Editor {
            return Ok(true);
        }
        let Some(crate::state::Record::Editor(after)) = crate::state::sides(&change)?.1 else {
            return Ok(true);
        };
        let old = current.get(&after.name).cloned();
        if old.as_ref().map(|(k, _)| Some(k.as_str())) != Some(after.key.as_deref()) {
            if let Some((key, since)) = old {
                lines.push((after.name.clone(), key, since, Some(change.at.clone())));
                current.remove(&after.name);
            }
            if let Some(key) = &after.key {
                current.insert(after.name.clone(), (key.clone(), change.at.clone()));
            }
        }
        Ok(true)
    })?;
    for (name, (key, since)) in current {
        lines.push((name, key, since, None));
    }
    lines.sort();
    let stamp = |at: &str| at.chars().filter(char::is_ascii_digit).collect::<String>() + "Z";
    for (name, key, since, until) in lines {
        let mut options =
            format!("namespaces=\"{}\",valid-after=\"{}\"", crate::sign::NAMESPACE, stamp(&since));
        if let Some(until) = until {
            options.push_str(&format!(",valid-before=\"{}\"", stamp(&until)));
        }
        out.push_str(&format!("{name} {options} {key}\n"));
    }
    Ok(out)
}
