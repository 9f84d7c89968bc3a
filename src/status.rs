//! `admin status`: what needs an editor's attention, gathered in one read.
use std::collections::BTreeMap;

use anyhow::Result;
use chrono::Duration;
use rusqlite::Connection;
use serde::Serialize;

use crate::clock::{stamp, Clock};
use crate::db::{forces, notes, publications, reviews};
use crate::model::{ForceStatus, LinkStatus, Publication};

/// Reviews older than this are due (a quarter), as `admin due` says by default.
pub const REVIEW_DAYS: i64 = 92;

/// A force whose recorded data (`admin review --data-to`) ends more than this many days ago is
/// listed as stale: two quarters, or half a year.
pub const STALE_DATA_DAYS: i64 = 183;

#[derive(Debug, Serialize)]
pub struct Stale {
    pub slug: String,
    pub name: String,
    /// The newest day its published data covers (YYYY-MM-DD).
    pub data_to: String,
}

#[derive(Debug, Serialize)]
pub struct Named {
    pub slug: String,
    pub name: String,
}

/// Two forces whose names read as one name (`validate::look_key`): only a database an older
/// admin wrote holds them, since a new name that reads as another is refused.
#[derive(Debug, Serialize)]
pub struct LookAlike {
    pub first: Named,
    pub second: Named,
}

/// A force whose name holds a letter a name typed now may not (`validate::profile_letters`),
/// kept from an older admin: `character` is its code point, e.g. "U+1D0B".
#[derive(Debug, Serialize)]
pub struct RefusedLetter {
    pub slug: String,
    pub name: String,
    pub character: String,
}

#[derive(Debug, Serialize)]
pub struct Status {
    pub active: usize,
    pub retired: usize,
    pub linked: usize,
    pub not_linked: usize,
    /// Active forces by link status: ok, caution, broken, pending, missing.
    pub links: BTreeMap<&'static str, usize>,
    pub broken: Vec<Named>,
    pub caution: Vec<Named>,
    pub reviews_due: Vec<Named>,
    /// Active forces whose recorded data ends more than `STALE_DATA_DAYS` ago, oldest first
    /// (a force with none recorded is not listed).
    pub stale_data: Vec<Stale>,
    pub open_notes: usize,
    pub open_public_notes: usize,
    pub unpublished_changes: usize,
    pub next_note: String,
    /// What the public would see change if the content now were published.
    pub goes_public: crate::publish::PublicDifference,
    pub last_publication: Option<Publication>,
    /// The second check: whether publishing needs an approval, and where things stand.
    pub approval: ApprovalStatus,
    /// Forces, active or retired, whose names read as one name: rename or retire one of each.
    pub look_alikes: Vec<LookAlike>,
    /// Registered editors whose names read as one name, in pairs.
    pub look_alike_editors: Vec<[String; 2]>,
    /// Forces whose names hold letters a name typed now may not.
    pub refused_letters: Vec<RefusedLetter>,
}

/// The second pair of eyes, as `status` shows it.
#[derive(Debug, Serialize)]
pub struct ApprovalStatus {
    /// Two or more active editors can publish, so publishing needs an approval.
    pub required: bool,
    /// Who approved the pending content, if anyone (and their approval still holds).
    pub approved_by: Option<String>,
    /// Public content is waiting to be published.
    pub pending: bool,
    pub schedule: Option<crate::approval::Schedule>,
    /// A schedule whose content went out by hand before its time: done, in this publication.
    pub schedule_done: Option<ScheduleDone>,
    /// What stands in the schedule's way, if one is in force.
    pub schedule_problems: Option<ScheduleProblems>,
    /// Whether `admin settings approval` set `required`, or it is the default.
    pub setting: &'static str,
    /// Approval is required but fewer than two editors can publish: what to do about it.
    pub too_few_publishers: Option<String>,
    /// Publications made without approval since the last approved one, newest first.
    pub unapproved: Vec<Publication>,
}

#[derive(Debug, Serialize)]
pub struct ScheduleDone {
    pub schedule: crate::approval::Schedule,
    pub publication: i64,
}

/// Why the schedule in force may not go out as it stands.
#[derive(Debug, Serialize)]
pub struct ScheduleProblems {
    /// Its time has passed and it has not gone out.
    pub overdue: bool,
    /// The first public change since it was scheduled, when the content differs from the
    /// content scheduled (`publish --scheduled` refuses it then).
    pub changed_by: Option<ScheduleChange>,
    /// Why its publisher cannot publish now: "retired", "not a publisher" or "not registered".
    pub publisher: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct ScheduleChange {
    /// The content changed, but no public change since the schedule says how (a revert of the
    /// content to the last publication, say): 0.
    pub change: i64,
    pub what: String,
    pub editor: String,
}

fn schedule_problems(
    conn: &Connection,
    schedule: &crate::approval::Schedule,
    pending: Option<&crate::approval::Pending>,
    now: &str,
) -> Result<ScheduleProblems> {
    let changed_by = if pending.is_some_and(|p| p.content_sha256 == schedule.content_sha256) {
        None
    } else {
        let first = crate::db::changes::since_id_but_publications(conn, schedule.change)?
            .into_iter()
            .find(crate::approval::is_public);
        Some(match first {
            Some(c) => ScheduleChange { change: c.id, what: crate::describe::describe(&c), editor: c.editor },
            None => ScheduleChange {
                change: 0,
                what: "the public content differs".to_owned(),
                editor: String::new(),
            },
        })
    };
    let registry = crate::log::registry(conn)?;
    let publisher = match registry.get(&schedule.by) {
        _ if registry.is_empty() => None,
        None => Some("not registered"),
        Some(e) if e.status == crate::model::EditorStatus::Retired => Some("retired"),
        Some(e) if e.role < crate::model::Role::Publisher => Some("not a publisher"),
        Some(_) => None,
    };
    Ok(ScheduleProblems { overdue: schedule.at.as_str() <= now, changed_by, publisher })
}

fn approval_status(
    conn: &Connection,
    now: &str,
    pending: Option<crate::approval::Pending>,
) -> Result<ApprovalStatus> {
    let approved_by = match &pending {
        Some(p) => crate::approval::valid(conn, &p.content_sha256)?.map(|a| a.by),
        None => None,
    };
    let unapproved = publications::list(conn)?
        .into_iter()
        .take_while(|p| p.approved_by.is_none())
        .filter(|p| p.without_approval.is_some())
        .collect();
    let schedule = crate::approval::schedule(conn)?;
    let schedule_problems =
        schedule.as_ref().map(|s| schedule_problems(conn, s, pending.as_ref(), now)).transpose()?;
    Ok(ApprovalStatus {
        required: crate::approval::required(conn)?,
        approved_by,
        pending: pending.is_some(),
        schedule,
        schedule_problems,
        schedule_done: crate::approval::schedule_done(conn)?
            .map(|(schedule, publication)| ScheduleDone { schedule, publication }),
        setting: if crate::db::settings::get(conn, crate::state::APPROVAL)?.is_some() {
            "set"
        } else {
            "default"
        },
        too_few_publishers: crate::settings::too_few_publishers(conn)?,
        unapproved,
    })
}

pub fn gather(conn: &Connection, clock: &Clock) -> Result<Status> {
    let all = forces::list(conn, true)?;
    let active: Vec<_> = all.iter().filter(|f| f.status == ForceStatus::Active).collect();
    let named = |status: LinkStatus| -> Vec<Named> {
        active
            .iter()
            .filter(|f| f.link_status == status)
            .map(|f| Named { slug: f.slug.to_string(), name: f.name.to_string() })
            .collect()
    };
    let mut links = BTreeMap::new();
    for status in
        [LinkStatus::Ok, LinkStatus::Caution, LinkStatus::Broken, LinkStatus::Pending, LinkStatus::Missing]
    {
        links.insert(status.as_str(), active.iter().filter(|f| f.link_status == status).count());
    }
    let cutoff = stamp(clock.now() - Duration::days(REVIEW_DAYS));
    let reviews_due =
        reviews::due(conn, &cutoff)?.into_iter().map(|(slug, name, _)| Named { slug, name }).collect();
    let stale_before =
        (clock.now() - Duration::days(STALE_DATA_DAYS)).date_naive().format("%Y-%m-%d").to_string();
    let mut stale_data: Vec<Stale> = active
        .iter()
        .filter_map(|f| {
            let day = f.data_to.as_deref()?;
            (day < stale_before.as_str()).then(|| Stale {
                slug: f.slug.to_string(),
                name: f.name.to_string(),
                data_to: day.to_owned(),
            })
        })
        .collect();
    stale_data.sort_by(|a, b| a.data_to.cmp(&b.data_to));
    let open = notes::list(conn, notes::Scope::All, true, false)?;
    let ((pending, next_note, goes_public), approval) = crate::publish::pending_with_approval(conn)?;
    Ok(Status {
        active: active.len(),
        retired: all.len() - active.len(),
        linked: active.iter().filter(|f| f.url.is_some()).count(),
        not_linked: active.iter().filter(|f| f.url.is_none()).count(),
        links,
        broken: named(LinkStatus::Broken),
        caution: named(LinkStatus::Caution),
        reviews_due,
        stale_data,
        open_public_notes: open.iter().filter(|n| n.public).count(),
        open_notes: open.len(),
        unpublished_changes: pending.len(),
        next_note,
        goes_public,
        last_publication: publications::last(conn)?,
        approval: approval_status(conn, &stamp(clock.now()), approval)?,
        look_alikes: forces::look_alike_pairs(conn)?
            .into_iter()
            .map(|(a, b)| LookAlike {
                first: Named { slug: a.slug, name: a.name },
                second: Named { slug: b.slug, name: b.name },
            })
            .collect(),
        look_alike_editors: look_alike_editors(conn)?,
        refused_letters: all
            .iter()
            .filter_map(|f| {
                let c = crate::validate::refused_letter(&f.name)?;
                Some(RefusedLetter {
                    slug: f.slug.to_string(),
                    name: f.name.to_string(),
                    character: format!("U+{:04X}", c as u32),
                })
            })
            .collect(),
    })
}

/// Registered editors whose names read as one (an older admin registered both), in pairs.
fn look_alike_editors(conn: &Connection) -> Result<Vec<[String; 2]>> {
    let names: Vec<String> = crate::log::registry(conn)?.into_keys().collect();
    let keys: Vec<String> = names.iter().map(|n| crate::validate::look_key(n)).collect();
    let mut pairs = Vec::new();
    for (i, a) in names.iter().enumerate() {
        for (j, b) in names.iter().enumerate().skip(i + 1) {
            if keys[i] == keys[j] {
                pairs.push([a.clone(), b.clone()]);
            }
        }
    }
    Ok(pairs)
}
