//! A short, human description of what a change did, from its typed event: what `history`,
//! `show` and the publication summaries say of a change.
use crate::event::Event;
use crate::model::{fingerprint, Change, ForceStatus, NoteStatus};

/// What `change` did, in a few words.
pub fn describe(change: &Change) -> String {
    describe_event(change, change.event())
}

/// What `change` did, from its event as read (or not) from its sides.
pub fn describe_event(change: &Change, event: anyhow::Result<Event>) -> String {
    let Ok(event) = event else {
        return format!("{} (unreadable)", change.action);
    };
    match event {
        Event::Force { before: None, after } => format!("added {}", after.name),
        Event::Force { before: Some(before), after } => {
            let mut parts = Vec::new();
            if before.name != after.name {
                parts.push(format!("renamed {} to {}", before.name, after.name));
            }
            match (&before.url, &after.url) {
                (None, Some(url)) => parts.push(format!("URL set to {url}")),
                (Some(_), None) => parts.push("URL removed".to_owned()),
                (Some(old), Some(new)) if old != new => parts.push(format!("URL changed to {new}")),
                _ => {}
            }
            if before.status != after.status {
                parts.push(match after.status {
                    ForceStatus::Retired => "retired".to_owned(),
                    ForceStatus::Active => "restored".to_owned(),
                });
            }
            parts.join("; ")
        }
        Event::Note { before, after: note } => {
            let kind = if note.public { "public note" } else { "note" };
            match (note.status, before) {
                (NoteStatus::Resolved, _) => format!("resolved {kind} {}", note.id),
                (_, Some(_)) => format!("reopened {kind} {}", note.id),
                (_, None) => format!("added {kind} {}", note.id),
            }
        }
        Event::Review(review) => match review.data_to {
            Some(day) => format!("reviewed; data up to {day}"),
            None => "reviewed".to_owned(),
        },
        Event::ReviewWithdrawn(review) => {
            format!("withdrew the review of {}", crate::clock::shown(&review.at))
        }
        Event::Approval(approval) => {
            format!("approved the content {}", crate::output::prefix(&approval.content_sha256, 12))
        }
        Event::Schedule(schedule) => {
            format!("scheduled publication at {}", crate::clock::shown(&schedule.at))
        }
        Event::ScheduleCancelled(_) => "cancelled the schedule".to_owned(),
        Event::Publication(p) if p.major => "published".to_owned(),
        Event::Publication(_) => "published (minor)".to_owned(),
        Event::Setting { after, .. } => format!("set {} to {}", after.name, after.value),
        Event::Editor { before: None, after } => {
            format!("added editor {} as {}", after.name, after.role.as_str())
        }
        Event::Editor { before: Some(before), after } => {
            let mut parts = Vec::new();
            if before.role != after.role {
                parts.push(format!("{} is now {}", after.name, after.role.as_str()));
            }
            if before.status != after.status {
                parts.push(format!("{} {}", after.name, after.status.as_str()));
            }
            if before.key != after.key {
                parts.push(format!(
                    "{}'s key is now {}",
                    after.name,
                    after.key.as_deref().map_or("none".to_owned(), fingerprint)
                ));
            }
            parts.join("; ")
        }
        Event::Page { before: None, .. } => "recorded the page text".to_owned(),
        Event::Page { before: Some(before), after } => crate::state::page_changes(&before, &after).join("; "),
    }
}
