//! The registry of editors: who may change what (roles), and which key signs their changes.
//!
//! With no editor registered the tool behaves as it always did: any name may act. Once the
//! registry holds one, every audited change must be made by an active registered editor whose
//! role allows it; `gate::append` checks that before anything is written.
use anyhow::Result;
use rusqlite::Connection;

use crate::audit::{Action, Entity};
use crate::event::Event;
use crate::exit_codes::bad_hint;
use crate::validate::quoted;

pub use crate::model::{fingerprint, EditorState, EditorStatus, Role};

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

/// The registry as the log says it is.
pub fn registry(conn: &Connection) -> Result<Vec<EditorState>> {
    Ok(crate::log::registry(conn)?.into_values().collect())
}

/// Whether `editor` may make an `action` change now (before it is built).
pub fn authorize_action(conn: &Connection, editor: &str, action: Action) -> Result<()> {
    crate::gate::check_authority(&crate::log::registry(conn)?, editor, action, None)
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

/// `admin editor add`: register an editor (the first must be an admin).
pub fn add(
    conn: &Connection,
    actor: &crate::gate::Actor,
    name: &str,
    role: Role,
    key: Option<String>,
) -> Result<crate::model::Change> {
    let name = registrable_name(name)?;
    let registry = registry(conn)?;
    let key_of = |n: &str| crate::validate::look_key(n);
    if let Some(existing) = registry.iter().find(|e| key_of(&e.name) == key_of(&name)) {
        return Err(bad_hint(
            format!(
                "{} is already registered{} ({}, {})",
                quoted(&name),
                if existing.name == name { String::new() } else { format!(" as {}", quoted(&existing.name)) },
                existing.role.as_str(),
                existing.status.as_str()
            ),
            if existing.status == EditorStatus::Retired {
                format!(
                    "{} is retired: bring them back, with their role and key, with `admin editor restore {}`",
                    existing.name, existing.name
                )
            } else {
                "editor names are unique ignoring case and look-alike characters; change their role with `admin editor set-role`, or their key with `admin editor set-key`".to_owned()
            },
        ));
    }
    // a look-alike of an editor is told which editor, before its letters are judged
    crate::validate::new_editor(&name)?;
    check_key_unshared(&registry, &name, key.as_deref())?;
    let editor = EditorState { name, role, status: EditorStatus::Active, key };
    // the gate judges the change against the registry as it was before it
    crate::gate::append(conn, actor.change(Action::AddEditor, Event::Editor { before: None, after: editor }))
}

/// Change a registered editor with one audited change, or say there is nothing to change.
pub fn update(
    conn: &Connection,
    actor: &crate::gate::Actor,
    action: Action,
    name: &str,
    change: impl FnOnce(&mut EditorState),
) -> Result<crate::directory::Outcome> {
    let registry = registry(conn)?;
    let before = registry.iter().find(|e| e.name == name).cloned().ok_or_else(|| {
        bad_hint(format!("no editor {}", quoted(name)), "see `admin editor list` for the registered editors")
    })?;
    if action == Action::SetRole && before.status == EditorStatus::Retired {
        // a role given to a retired editor would let them do nothing: say so rather than record it
        return Err(bad_hint(
            format!("{} is retired: a retired editor can make no changes, whatever their role", before.name),
            format!(
                "restore them first with `admin editor restore {}` (they keep the role {}), then change their role",
                before.name,
                before.role.as_str()
            ),
        ));
    }
    let mut after = before.clone();
    change(&mut after);
    check_key_unshared(&registry, name, after.key.as_deref())?;
    if after == before {
        return Ok(crate::directory::Outcome::Unchanged(match action {
            Action::RestoreEditor => format!("nothing to change: {} is active", before.name),
            Action::RetireEditor => format!("nothing to change: {} is already retired", before.name),
            _ => format!("nothing to change: {} is already like that", before.name),
        }));
    }
    // the gate judges the change against the registry as it was before it
    let change =
        crate::gate::append(conn, actor.change(action, Event::Editor { before: Some(before), after }))?;
    Ok(crate::directory::Outcome::Changed(Box::new(change)))
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
        let Event::Editor { after, .. } = change.event()? else {
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
