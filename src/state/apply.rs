//! `apply`: the one interpretation of a change. Replay, `--as-of`, revert, summaries, the
//! registry, the schedule, approvals and `audit verify` all read the log through it.
use crate::audit::Action;
use crate::event::Event;
use crate::model::{AuditHead, Change, Force, NoteStatus, Publication};

use super::{Approval, EditorRow, NoteRow, ReviewState, Schedule, State};

/// A change without its sides: what `apply` needs besides the event.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    pub id: i64,
    pub at: &'a str,
    pub editor: &'a str,
    pub action: Action,
    pub message: Option<&'a str>,
    pub reverts: Option<i64>,
    pub hash: &'a str,
}

impl<'a> Header<'a> {
    pub fn of(change: &'a Change) -> Header<'a> {
        Header {
            id: change.id,
            at: &change.at,
            editor: &change.editor,
            action: change.action,
            message: change.message.as_deref(),
            reverts: change.reverts,
            hash: &change.hash,
        }
    }
}

/// A change that does not follow from the state before it: it breaks a rule (`rules`), or what
/// it says an entity was is not what the log says it was (a table edited behind the tool's
/// back, its edit carried into the log by a later change), or it withdraws a review that is not
/// there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub id: i64,
    pub what: String,
}

impl Conflict {
    fn continuity(id: i64, entity: String) -> Conflict {
        let what = format!(
            "what it says {entity} was before it is not what the log says {entity} was (a table was edited behind admin's back before that change)"
        );
        Conflict { id, what }
    }
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "change {}: {}", self.id, self.what)
    }
}

/// Apply one change to the state it follows. A change that breaks a rule (`rules::check_change`)
/// is not applied. A change whose `before` is not what the state holds is applied all the same
/// (the entity takes the change's `after`, so a caller that reports and goes on sees the log's
/// word). Either way the conflict is returned.
pub fn apply_event(state: &mut State, change: &Header, event: Event) -> Result<(), Conflict> {
    // a change that breaks a rule (forged into the file) is named and not obeyed: the state is
    // left as it was before it
    if let Err(what) = super::check_change(state, change, &event) {
        return Err(Conflict { id: change.id, what });
    }
    apply_unchecked(state, change, event)
}

/// `apply_event` without the rules, for a state that holds only the rows one change touches
/// (`projection::project`): the gate checked the change against the whole log before it
/// appended it, which such a state could not.
pub fn apply_unchecked(state: &mut State, change: &Header, event: Event) -> Result<(), Conflict> {
    let conflict = |entity: String| Conflict::continuity(change.id, entity);
    let mut result = Ok(());
    let public = event.is_public();
    match event {
        Event::Force { before, after } => {
            // one look-up: a directory of 100,000 slugs makes each a cache miss
            let id = match state.forces.get_mut(&after.slug) {
                Some(force) => {
                    if !same_force(before.as_ref(), Some(force)) {
                        result = Err(conflict(format!("force {}", after.slug)));
                    }
                    let id = force.id;
                    *force = Force { id, ..after };
                    id
                }
                None => {
                    if before.is_some() {
                        result = Err(conflict(format!("force {}", after.slug)));
                    }
                    let id = state.forces.len() as i64 + 1;
                    state.forces.insert(after.slug.clone(), Force { id, ..after });
                    id
                }
            };
            state.rows.forces.insert(id, change.id);
        }
        Event::Note { before, after } => {
            if before.as_ref() != state.notes.get(&after.id) {
                result = Err(conflict(format!("note {}", after.id)));
            }
            let resolving = after.status == NoteStatus::Resolved
                && before.as_ref().is_some_and(|b| b.status != NoteStatus::Resolved);
            let row = state.rows.notes.entry(after.id).or_insert_with(|| NoteRow {
                editor: change.editor.to_owned(),
                at: change.at.to_owned(),
                resolved_by: None,
                resolved_at: None,
                change: change.id,
            });
            row.change = change.id;
            if resolving {
                row.resolved_by = Some(change.editor.to_owned());
                row.resolved_at = Some(change.at.to_owned());
            } else if after.status == NoteStatus::Open {
                row.resolved_by = None;
                row.resolved_at = None;
            }
            state.notes.insert(after.id, after);
        }
        Event::Review(review) => {
            let made = ReviewState {
                change: change.id,
                at: review.at,
                editor: change.editor.to_owned(),
                message: change.message.map(str::to_owned),
                data_to: review.data_to,
            };
            match state.reviews.get_mut(&review.force) {
                Some(list) => list.push(made),
                None => {
                    state.reviews.insert(review.force, vec![made]);
                }
            }
        }
        Event::ReviewWithdrawn(review) => {
            let list = state.reviews.get_mut(&review.force);
            match list.and_then(|list| {
                list.iter().position(|r| Some(r.change) == change.reverts).map(|i| (list, i))
            }) {
                Some((list, i)) => {
                    list.remove(i);
                }
                None => {
                    let which = change.reverts.map_or("none named".to_owned(), |id| id.to_string());
                    result = Err(conflict(format!("review {which}")));
                }
            }
        }
        Event::Page { before, after } => {
            // the page text a database had before pages were audited is recorded once, on
            // upgrade, by a `set-page` change with nothing before it
            let recorded_as_it_stood = before.is_none() && change.action == Action::SetPage;
            if before.as_ref() != state.page.as_ref() && !recorded_as_it_stood {
                result = Err(conflict("the page".to_owned()));
            }
            state.page = Some(after);
            state.rows.page = Some(change.id);
        }
        Event::Editor { before, after } => {
            if before.as_ref() != state.editors.get(&after.name) {
                result = Err(conflict(format!("editor {}", after.name)));
            }
            let row = state
                .rows
                .editors
                .entry(after.name.clone())
                .or_insert_with(|| EditorRow { added_at: change.at.to_owned(), change: change.id });
            row.change = change.id;
            state.editors.insert(after.name.clone(), after);
            if !state.two_publishers_seen && super::publishers(&state.editors) >= 2 {
                state.two_publishers_seen = true;
            }
        }
        Event::Setting { before, after } => {
            if before.as_ref().map(|b| &b.value) != state.settings.get(&after.name)
                || before.as_ref().is_some_and(|b| b.name != after.name)
            {
                result = Err(conflict(format!("setting {}", after.name)));
            }
            state.rows.settings.insert(after.name.clone(), change.id);
            state.settings.insert(after.name, after.value);
        }
        Event::Approval(approval) => {
            state.approval = Some(Approval {
                change: change.id,
                by: change.editor.to_owned(),
                at: change.at.to_owned(),
                content_sha256: approval.content_sha256,
            });
        }
        Event::Schedule(schedule) => {
            state.schedule_done = None;
            state.schedule = Some(Schedule {
                change: change.id,
                by: change.editor.to_owned(),
                at: schedule.at,
                content_sha256: schedule.content_sha256,
                note: schedule.note,
                minor: schedule.minor,
                approved_by: schedule.approved_by,
                without_approval: schedule.without_approval,
                out: schedule.out,
                allow_broken: schedule.allow_broken,
            });
        }
        Event::ScheduleCancelled(_) => state.schedule = None,
        Event::Publication(record) => {
            let record_id = record.id;
            // a publication covers the log up to the change before its own
            let (last_change, head_hash) =
                state.head.as_ref().map_or((0, None), |h| (h.change, Some(h.hash.clone())));
            let first_change = record.changes.first().copied().unwrap_or(last_change + 1);
            if let Some(site) = record.site {
                state.records.insert(record.id, site);
            }
            state.publications.push(Publication {
                id: record.id,
                at: change.at.to_owned(),
                editor: change.editor.to_owned(),
                note: record.note,
                major: record.major,
                sha256: record.sha256,
                changes: record.changes,
                content_sha256: record.content_sha256.unwrap_or_default(),
                first_change,
                last_change,
                head_hash,
                approved_by: record.approved_by,
                without_approval: record.without_approval,
                change: change.id,
            });
            // the first directory a publication records is the site's home, unless one is set
            if let Some(out) = record.out {
                if !state.settings.contains_key(super::SITE) {
                    state.settings.insert(super::SITE.to_owned(), out);
                    state.rows.settings.insert(super::SITE.to_owned(), change.id);
                }
            }
            state.schedule_done = None;
            if let Some(schedule) = state.schedule.take() {
                if record.schedule == Some(schedule.change) {
                    // carried out
                } else if state
                    .publications
                    .last()
                    .is_some_and(|p| p.content_sha256 == schedule.content_sha256)
                {
                    // published by hand: the schedule has nothing left to do
                    state.schedule_done = Some((schedule, record_id));
                } else {
                    state.schedule = Some(schedule);
                }
            }
            state.approval = None;
            state.public_changes.clear();
        }
    }
    if public {
        // any public change voids the approval before it
        state.approval = None;
        state.public_changes.push((change.id, change.editor.to_owned(), change.action));
    }
    match &mut state.last_at {
        Some(at) => {
            at.clear();
            at.push_str(change.at);
        }
        None => state.last_at = Some(change.at.to_owned()),
    }
    match &mut state.head {
        Some(head) => {
            head.change = change.id;
            head.hash.clear();
            head.hash.push_str(change.hash);
        }
        None => state.head = Some(AuditHead { change: change.id, hash: change.hash.to_owned() }),
    }
    result
}

/// A force as a change says it was, against the state's (whose id is its row's).
fn same_force(said: Option<&Force>, current: Option<&Force>) -> bool {
    match (said, current) {
        (None, None) => true,
        (Some(a), Some(b)) => a.slug == b.slug && a.name == b.name && a.url == b.url && a.status == b.status,
        _ => false,
    }
}
