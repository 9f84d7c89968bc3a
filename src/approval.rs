//! A second pair of eyes: approving the exact public content before it is published, and
//! scheduling an approved publication.
//!
//! An approval is of one content (its sha256) and is void once any public change is made after
//! it; nobody may approve public changes they made. While two or more active editors can
//! publish, `publish` needs a valid approval, or `--without-approval -m REASON`, which is
//! recorded and flagged. Approvals and schedules live in the audit log alone: the log is where
//! they are read from, so there is no table to keep in step.
use std::collections::BTreeSet;

use crate::audit::Action;
use crate::event::{ApprovalRecord, CancelRecord, Event, ScheduleRecord};
use crate::exit_codes::{bad, bad_hint};
use crate::gate::Actor;
use crate::model::Change;
use anyhow::Result;
use rusqlite::Connection;

/// What the next publication would publish, if anything.
#[derive(Debug, Clone)]
pub struct Pending {
    pub content_sha256: String,
    /// The id of the newest change of the log.
    pub head: i64,
    /// The public changes since the last publication.
    pub changes: Vec<Change>,
}

impl Pending {
    /// Who made the public changes: the seed that `init` loaded is nobody's editorial choice.
    pub fn authors(&self) -> BTreeSet<&str> {
        self.changes.iter().filter(|c| c.action != Action::Init).map(|c| c.editor.as_str()).collect()
    }
}

/// Whether a change alters what the public sees: a force, the page, a public note, or a review's
/// data date.
pub fn is_public(change: &Change) -> bool {
    change.event().is_ok_and(|e| e.is_public())
}

pub use crate::state::{Approval, Schedule};

/// The approval that still holds for the content pending (`content_sha256`): of this content,
/// with no public change since.
pub fn valid(conn: &Connection, content_sha256: &str) -> Result<Option<Approval>> {
    let state = crate::log::since_publication(conn)?;
    Ok(state.approval.filter(|a| a.content_sha256 == content_sha256))
}

/// Whether publishing needs an approval: as `admin settings approval` set it, or (until it is
/// set) from the moment two editors could publish.
pub fn required(conn: &Connection) -> Result<bool> {
    // the rule `apply` holds every publication in the log to
    Ok(crate::state::approval_required(&crate::log::governance(conn)?))
}

/// `admin approve`: approve the pending content (`publish::pending_approval`), as someone who
/// made none of its changes.
pub fn approve(conn: &Connection, actor: &Actor, pending: Option<Pending>) -> Result<Change> {
    crate::editors::authorize_action(conn, &actor.editor, Action::Approve)?;
    let pending = pending.ok_or_else(|| {
        bad_hint("nothing to approve: the content is what was last published", "make a change first")
    })?;
    if pending.authors().contains(actor.editor.as_str()) {
        let ids: Vec<String> = pending
            .changes
            .iter()
            .filter(|c| c.editor == actor.editor && c.action != Action::Init)
            .map(|c| c.id.to_string())
            .collect();
        return Err(bad_hint(
            format!(
                "{} cannot approve this content: they made public changes it covers (change {})",
                actor.editor,
                ids.join(", ")
            ),
            "a second editor who made none of them approves: that is the point of the check",
        ));
    }
    if let Some(approval) = valid(conn, &pending.content_sha256)? {
        if approval.by == actor.editor {
            return Err(bad(format!(
                "{} already approved this content (change {})",
                actor.editor, approval.change
            )));
        }
    }
    let covers = pending.changes.iter().map(|c| c.id).collect::<Vec<_>>();
    let approval = ApprovalRecord {
        content_sha256: pending.content_sha256.clone(),
        changes: [covers.first().copied(), covers.last().copied()],
    };
    crate::gate::append(conn, actor.change(Action::Approve, Event::Approval(approval)))
}

/// How a publication stands with the second check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Check {
    pub approved_by: Option<String>,
    pub without_approval: Option<String>,
}

/// Decide whether the content pending (`content_sha256`) may be published now: with a valid
/// approval, or without one where none is required or a reason is given. `authors` (who made its
/// public changes, as `Pending::authors`) is asked only where one publisher could approve it: on
/// a large directory the changes since the last publication are many.
pub fn check(
    conn: &Connection,
    content_sha256: &str,
    authors: impl FnOnce() -> Result<BTreeSet<String>>,
    without_approval: Option<&str>,
) -> Result<Check> {
    let approval = valid(conn, content_sha256)?;
    match (approval, without_approval) {
        (Some(a), _) => Ok(Check { approved_by: Some(a.by), without_approval: None }),
        (None, Some(reason)) => Ok(Check { approved_by: None, without_approval: Some(reason.to_owned()) }),
        (None, None) if !required(conn)? => Ok(Check::default()),
        (None, None) => {
            let registry = crate::log::registry(conn)?;
            let publishers = active_publishers(&registry);
            let restore = restore_hint(&registry);
            let only_made_some = match publishers.as_slice() {
                [only] => authors()?.contains(only),
                _ => false,
            };
            match publishers.as_slice() {
                [] => Err(bad_hint(
                    "this content has not been approved, and nobody can approve it: approval is required but no editor can publish",
                    format!("register a publisher (`admin editor add NAME --role publisher`){restore}, make approval optional (`admin settings approval optional`), or publish with --without-approval -m REASON"),
                )),
                [only] if only_made_some => Err(bad_hint(
                    format!(
                        "this content has not been approved, and nobody can approve it: {only} is the only editor who can publish, and made changes it covers (an editor cannot approve their own changes)"
                    ),
                    format!("register a second publisher (`admin editor add NAME --role publisher`){restore}, make approval optional (`admin settings approval optional`), or publish with --without-approval -m REASON"),
                )),
                [only] => Err(bad_hint(
                    format!("this content has not been approved: approval is required, and {only}, the only editor who can publish, made none of its changes"),
                    format!("{only} approves it with `admin approve`, then publishes; or publish anyway with --without-approval -m REASON"),
                )),
                _ => Err(bad_hint(
                    "this content has not been approved: approval is required, so a second publisher checks it first",
                    "ask another publisher to run `admin approve`, or publish anyway with --without-approval -m REASON",
                )),
            }
        }
    }
}

/// The active editors who can publish (and so approve), by name.
pub fn active_publishers(
    registry: &std::collections::BTreeMap<String, crate::model::EditorState>,
) -> Vec<String> {
    use crate::model::{EditorStatus, Role};
    registry
        .values()
        .filter(|e| e.status == EditorStatus::Active && e.role >= Role::Publisher)
        .map(|e| e.name.clone())
        .collect()
}

/// ", restore a retired one (`admin editor restore NAME`)" when a retired editor had a role that
/// can publish, naming them; else nothing.
pub fn restore_hint(registry: &std::collections::BTreeMap<String, crate::model::EditorState>) -> String {
    use crate::model::{EditorStatus, Role};
    let retired: Vec<&str> = registry
        .values()
        .filter(|e| e.status == EditorStatus::Retired && e.role >= Role::Publisher)
        .map(|e| e.name.as_str())
        .collect();
    match retired.as_slice() {
        [] => String::new(),
        [one] => format!(", restore the retired publisher {one} (`admin editor restore {one}`)"),
        [first, ..] => {
            format!(", restore a retired publisher ({}: `admin editor restore {first}`)", retired.join(", "))
        }
    }
}

/// The schedule in force: the newest schedule change, unless cancelled or carried out since.
pub fn schedule(conn: &Connection) -> Result<Option<Schedule>> {
    Ok(crate::log::since_publication(conn)?.schedule)
}

/// A schedule whose content was published by hand before its time, and the publication that
/// did it: done, with nothing left to publish.
pub fn schedule_done(conn: &Connection) -> Result<Option<(Schedule, i64)>> {
    Ok(crate::log::since_publication(conn)?.schedule_done)
}

/// `publish --at TIME`: schedule the pending, checked content. `request` says when, where, with
/// which note and flags, and the reason to go without approval, if any; the content's sha256 and
/// its approver are filled in here.
pub fn make_schedule(
    conn: &Connection,
    actor: &Actor,
    request: ScheduleRecord,
    pending: Option<Pending>,
) -> Result<Change> {
    let at = request.at.as_str();
    crate::editors::authorize_action(conn, &actor.editor, Action::Schedule)?;
    if let Some(existing) = schedule(conn)? {
        return Err(bad_hint(
            format!(
                "a publication is already scheduled for {} (change {}, by {})",
                crate::clock::shown(&existing.at),
                existing.change,
                existing.by
            ),
            "drop it first with `admin publish --cancel-schedule`",
        ));
    }
    if at <= actor.at.as_str() {
        return Err(bad_hint(
            format!(
                "{} is not in the future (it is now {})",
                crate::clock::shown(at),
                crate::clock::shown(&actor.at)
            ),
            "give a later time, or publish now with `admin publish`",
        ));
    }
    let pending = pending.ok_or_else(|| {
        bad_hint("nothing to schedule: the content is what was last published", "make a change first")
    })?;
    let authors = || Ok(pending.authors().into_iter().map(str::to_owned).collect());
    let check = check(conn, &pending.content_sha256, authors, request.without_approval.as_deref())?;
    if !request.allow_broken {
        // checked now as it will be when due: a schedule that would fail then is refused now
        let broken = crate::db::link_checks::broken_active(conn)?;
        if !broken.is_empty() {
            return Err(crate::exit_codes::failed_hint(
                format!(
                    "{} broken: {}; nothing was scheduled",
                    if broken.len() == 1 { "a link is" } else { "links are" },
                    broken.join(", ")
                ),
                "fix them with `admin set-url` or `admin clear-url`, re-run `admin check-links`, or schedule anyway with --allow-broken",
            ));
        }
    }
    let schedule = ScheduleRecord {
        content_sha256: pending.content_sha256,
        approved_by: check.approved_by,
        without_approval: check.without_approval,
        ..request
    };
    crate::gate::append(conn, actor.change(Action::Schedule, Event::Schedule(schedule)))
}

/// `publish --cancel-schedule`.
pub fn cancel(conn: &Connection, actor: &Actor) -> Result<Change> {
    crate::editors::authorize_action(conn, &actor.editor, Action::CancelSchedule)?;
    let existing = schedule(conn)?
        .ok_or_else(|| bad_hint("nothing is scheduled", "see `admin status` for the schedule"))?;
    let cancelled =
        CancelRecord { at: existing.at, content_sha256: existing.content_sha256, change: existing.change };
    crate::gate::append(conn, actor.change(Action::CancelSchedule, Event::ScheduleCancelled(cancelled)))
}
