//! The rules a change must keep, given the state before it: who may make it (the registry's
//! roles), that its action makes its kind of event, that its values are ones admin accepts,
//! that time moves forward, and the second pair of eyes (approvals, schedules, publications).
//! The gate applies them before a change is appended; `apply` applies them to every change of
//! the log it reads, so a change added to the log some other way is named, not obeyed.
use std::collections::BTreeMap;

use anyhow::Result;

use crate::event::Event;
use crate::exit_codes::bad_hint;
use crate::model::{Action, EditorState, EditorStatus, Role};
use crate::validate::quoted;

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
        Action::AddEditor
        | Action::RetireEditor
        | Action::RestoreEditor
        | Action::SetRole
        | Action::SetKey
        | Action::Settings => Role::Admin,
    }
}

/// Whether `editor` may make an `action` change (`event`, where it is known, says whom a
/// registry change is about), given the registry before it: by anyone while the registry is
/// empty (but the first editor registered must be an admin), else by an active registered
/// editor whose role allows it. The rule the gate applies when a change is made, and
/// `audit verify` when it replays the log.
pub fn check_authority(
    registry: &BTreeMap<String, EditorState>,
    editor: &str,
    action: Action,
    event: Option<&Event>,
) -> Result<()> {
    let about = match event {
        Some(Event::Editor { after, .. }) => Some(after),
        _ => None,
    };
    if registry.is_empty() {
        if action == Action::AddEditor && about.map(|a| a.role) != Some(Role::Admin) {
            return Err(bad_hint(
                "the first editor registered must be an admin",
                "add yourself first: admin editor add NAME --role admin",
            ));
        }
        return Ok(());
    }
    let me = registry.get(editor);
    let Some(me) = me.filter(|e| e.status == EditorStatus::Active) else {
        let what = if me.is_some() { "a retired editor" } else { "not a registered editor" };
        let active = registry.values().filter(|e| e.status == EditorStatus::Active).map(|e| e.name.as_str());
        let hint = match crate::validate::nearest_name(active, editor).filter(|_| me.is_none()) {
            Some(name) => format!("did you mean --editor {name}? (see `admin editor list`)"),
            None => "act as a registered editor with --editor NAME (see `admin editor list`), or ask an admin to add you"
                .to_owned(),
        };
        return Err(bad_hint(
            format!(
                "{} is {what}: this database only takes changes from its registered editors",
                quoted(editor)
            ),
            hint,
        ));
    };
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
        let stays_admin = about.is_some_and(|a| a.role == Role::Admin && a.status == EditorStatus::Active);
        let mut admins =
            registry.values().filter(|e| e.status == EditorStatus::Active && e.role == Role::Admin);
        let only = admins.next().filter(|_| admins.next().is_none());
        if !stays_admin && only.is_some_and(|e| Some(&e.name) == about.map(|a| &a.name)) {
            return Err(bad_hint(
                "cannot take away the last active admin: nobody could manage the editors after",
                "make another editor an admin first: admin editor set-role NAME admin",
            ));
        }
    }
    Ok(())
}

/// Whether `action` makes this kind of event: a change's action says what it may be (and the
/// role it needs), its event what it does; the two must agree.
pub fn fits(action: Action, event: &Event) -> bool {
    use Action as A;
    match event {
        Event::Force { before: None, .. } => matches!(action, A::Init | A::AddForce | A::Import),
        Event::Force { before: Some(_), .. } => matches!(
            action,
            A::RenameForce
                | A::SetUrl
                | A::ClearUrl
                | A::RetireForce
                | A::RestoreForce
                | A::Revert
                | A::Import
        ),
        Event::Note { before: None, .. } => action == A::AddNote,
        Event::Note { before: Some(_), .. } => matches!(action, A::ResolveNote | A::Revert),
        Event::Review(_) => action == A::Review,
        Event::ReviewWithdrawn(_) => action == A::Revert,
        Event::Page { before: None, .. } => matches!(action, A::Init | A::SetPage),
        Event::Page { before: Some(_), .. } => matches!(action, A::SetPage | A::Revert),
        Event::Editor { before: None, .. } => action == A::AddEditor,
        Event::Editor { before: Some(_), .. } => {
            matches!(action, A::RetireEditor | A::RestoreEditor | A::SetRole | A::SetKey)
        }
        Event::Approval(_) => action == A::Approve,
        Event::Schedule(_) => action == A::Schedule,
        Event::ScheduleCancelled(_) => action == A::CancelSchedule,
        Event::Publication(_) => action == A::Publish,
        Event::Setting { .. } => action == A::Settings,
    }
}

/// Whether the second check is required: as `admin settings approval` last set it; until it is
/// set, from the first moment two or more active editors could publish, and from then on (a
/// publisher leaving does not turn it off: only the setting does).
pub fn approval_required(state: &super::State) -> bool {
    match state.settings.get(APPROVAL).map(String::as_str) {
        Some(value) => value == REQUIRED,
        None => state.two_publishers_seen || publishers(&state.editors) >= 2,
    }
}

/// The setting `admin settings approval` changes, and its two values.
pub const APPROVAL: &str = "approval";
pub const REQUIRED: &str = "required";
pub const OPTIONAL: &str = "optional";
/// The setting that records where the site is published.
pub const SITE: &str = "site";

/// How many active editors can publish.
pub fn publishers(registry: &BTreeMap<String, EditorState>) -> usize {
    registry.values().filter(|e| e.status == EditorStatus::Active && e.role >= Role::Publisher).count()
}

/// A setting the log may record, with a value it may take.
pub fn check_setting(name: &str, value: &str) -> std::result::Result<(), String> {
    match name {
        APPROVAL if value == REQUIRED || value == OPTIONAL => Ok(()),
        APPROVAL => Err(format!("approval is `{REQUIRED}` or `{OPTIONAL}`, not {}", quoted(value))),
        SITE => crate::validate::directory(std::path::Path::new(value), "the site's directory")
            .map_err(|e| format!("{e:#}"))
            .and_then(|()| match value.starts_with('/') {
                true => Ok(()),
                false => Err(format!("the site's directory is an absolute path, not {}", quoted(value))),
            }),
        _ => Err(format!("there is no setting {}", quoted(name))),
    }
}

/// The values a change records are ones admin accepts when they are typed: a `javascript:`
/// link, a name with control characters or a malformed date in the log is named, not published.
/// Only what the change sets is checked (a rename checks the name, a set-url the URL).
pub fn check_values(event: &Event) -> std::result::Result<(), String> {
    use crate::validate;
    let refused = |what: &str, err: anyhow::Error| Err(format!("it records {what} admin refuses: {err:#}"));
    match event {
        Event::Force { before, after } => {
            if before.is_none() {
                if let Err(e) = validate::slug(&after.slug) {
                    return refused("a slug", e);
                }
            }
            if before.as_ref().is_none_or(|b| b.name != after.name) {
                if let Err(e) = validate::force_name(&after.name) {
                    return refused("a name", e);
                }
            }
            if let Some(url) =
                after.url.as_deref().filter(|_| before.as_ref().is_none_or(|b| b.url != after.url))
            {
                if !web_address(url) {
                    return Err(format!(
                        "it records the URL {}, which admin refuses: a force's link is an http(s) address",
                        quoted(url)
                    ));
                }
            }
        }
        Event::Note { before, after } => {
            if before.as_ref().is_none_or(|b| b.text != after.text) {
                if let Err(e) = validate::note_text(&after.text) {
                    return refused("a note", e);
                }
            }
        }
        Event::Review(review) => {
            if let Some(day) = &review.data_to {
                if chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_err() {
                    return Err(format!("it records the data date {day:?}, which is not a day"));
                }
            }
        }
        Event::Page { before, after } => {
            for url in after.base_url.iter().chain(after.links.iter().map(|l| &l.url)) {
                if let Err(e) = validate::page_url(url) {
                    return refused("a page link", e);
                }
            }
            let texts = [
                Some(&after.heading),
                after.publisher.as_ref(),
                after.contact.as_ref(),
                after.licence.as_ref(),
            ];
            let paragraphs = after.intro.iter().chain(after.links.iter().map(|l| &l.title));
            // the text a database started with, or held when it was upgraded, is recorded as it
            // stood (an older admin took what this one refuses); every change after is checked
            let controls = |t: &String| t.chars().any(|c| c.is_control() && c != '\n');
            if before.is_some() && texts.into_iter().flatten().chain(paragraphs).any(controls) {
                return Err("it records page text with control characters, which admin refuses".to_owned());
            }
        }
        Event::Editor { before, after } => {
            if before.is_none() {
                if let Err(e) = validate::editor(&after.name) {
                    return refused("an editor name", e);
                }
            }
        }
        Event::Setting { after, .. } => check_setting(&after.name, &after.value)
            .map_err(|why| format!("it records a setting admin refuses: {why}"))?,
        Event::Approval(_)
        | Event::Schedule(_)
        | Event::ScheduleCancelled(_)
        | Event::Publication(_)
        | Event::ReviewWithdrawn(_) => {}
    }
    Ok(())
}

/// Only a revert names a change it reverts, and it names an earlier one: `revert` and `show` read
/// which change was reverted from it.
fn misnamed_revert(change: &super::Header) -> Option<String> {
    match (change.action, change.reverts) {
        (Action::Revert, None) => Some("it is a revert, but names no change it reverts".to_owned()),
        (Action::Revert, Some(id)) if id < 1 || id >= change.id => {
            Some(format!("it reverts change {id}, which is not an earlier change"))
        }
        (Action::Revert, Some(_)) | (_, None) => None,
        (action, Some(id)) => Some(format!(
            "it names change {id} as the one it reverts, but it is a {action} change, not a revert"
        )),
    }
}

/// Every rule a change must keep, given the state before it (`apply` applies it all the same,
/// and reports the first rule it breaks).
pub fn check_change(
    state: &super::State,
    change: &super::Header,
    event: &Event,
) -> std::result::Result<(), String> {
    if !fits(change.action, event) {
        return Err(format!(
            "its action {} does not make a change of {}",
            change.action,
            describe_kind(event)
        ));
    }
    if let Some(why) = misnamed_revert(change) {
        return Err(why);
    }
    if !is_stamp(change.at) && chrono::DateTime::parse_from_rfc3339(change.at).is_err() {
        return Err(format!("it is stamped {:?}, which is not a time", change.at));
    }
    if let Some(last) = state.last_at.as_deref().filter(|last| change.at < *last) {
        return Err(format!("it is stamped {}, before the change before it ({last})", change.at));
    }
    // changes made before any editor was registered are anyone's (the gate's rule too)
    if let Err(why) = check_authority(&state.editors, change.editor, change.action, Some(event)) {
        return Err(format!("{} was not allowed to make it: {why:#}", change.editor));
    }
    check_values(event)?;
    match event {
        Event::Approval(_) => {
            let own = state
                .public_changes
                .iter()
                .find(|(_, editor, action)| editor == change.editor && *action != Action::Init);
            if let Some((id, _, _)) = own {
                return Err(format!(
                    "{} approved content they changed themselves (change {id})",
                    change.editor
                ));
            }
        }
        Event::Schedule(schedule) => check_second(
            state,
            schedule.approved_by.as_deref(),
            schedule.without_approval.as_deref(),
            Some(schedule.content_sha256.as_str()),
        )?,
        Event::Publication(publication) => {
            let expected = state.publications.last().map_or(1, |p| p.id + 1);
            if publication.id != expected {
                return Err(format!(
                    "it records publication {}, where the next is {expected}",
                    publication.id
                ));
            }
            let first = state.publications.last().map_or(1, |p| p.last_change + 1);
            let last = state.head.as_ref().map_or(0, |h| h.change);
            let covers = if last >= first { vec![first, last] } else { Vec::new() };
            if publication.changes != covers {
                return Err(format!(
                    "it says it covers changes {:?}, but the log since the last publication is {covers:?}",
                    publication.changes
                ));
            }
            match publication.schedule {
                Some(id) => match &state.schedule {
                    Some(s) if s.change == id && s.approved_by == publication.approved_by && s.without_approval == publication.without_approval => {}
                    _ => return Err(format!("it says it carried out the schedule of change {id}, which is not the schedule in force or not its second check")),
                },
                None => check_second(
                    state,
                    publication.approved_by.as_deref(),
                    publication.without_approval.as_deref(),
                    publication.content_sha256.as_deref(),
                )?,
            }
        }
        _ => {}
    }
    Ok(())
}

/// A publication's or a schedule's second check: the approval in force (of the same content),
/// a recorded reason, or none where none is required.
fn check_second(
    state: &super::State,
    approved_by: Option<&str>,
    without_approval: Option<&str>,
    content: Option<&str>,
) -> std::result::Result<(), String> {
    match approved_by {
        Some(by) => match &state.approval {
            Some(a) if a.by == by && content.is_none_or(|c| c == a.content_sha256) => Ok(()),
            _ => Err(format!(
                "it says {by} approved it, but the log holds no approval by {by} of that content since the last public change"
            )),
        },
        None if without_approval.is_some() => Ok(()),
        None if approval_required(state) => Err(
            "it was made with no approval and no recorded reason, while approval was required".to_owned(),
        ),
        None => Ok(()),
    }
}

fn describe_kind(event: &Event) -> &'static str {
    match event {
        Event::Force { .. } => "a force",
        Event::Note { .. } => "a note",
        Event::Review(_) | Event::ReviewWithdrawn(_) => "a review",
        Event::Page { .. } => "the page",
        Event::Editor { .. } => "an editor",
        Event::Approval(_) => "an approval",
        Event::Schedule(_) | Event::ScheduleCancelled(_) => "a schedule",
        Event::Publication(_) => "a publication",
        Event::Setting { .. } => "a setting",
    }
}

/// A link the page can carry: `https://` or `http://` (with `--allow-http`), then a host, and no
/// white space or control character anywhere. `set-url` checks far more (and normalises); this is
/// what a change in the log, however it got there, must at least be, and it is cheap enough to
/// ask of a million changes.
pub fn web_address(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
        && url.len() <= crate::validate::MAX_URL_BYTES
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The shape every stamp admin writes has: `YYYY-MM-DDTHH:MM:SSZ` (anything else is parsed).
fn is_stamp(at: &str) -> bool {
    let b = at.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}
