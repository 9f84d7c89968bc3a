//! A link is broken when it is known to be. An answer that means it (404, 410, a redirect loop, a
//! bad certificate) is `broken` at once; a failure that may pass (a timeout, a lost or refused
//! connection, a 5xx, a failed name lookup) makes the link `caution`, "failing since" the first
//! such failure, until another such failure at least `CONFIRM_AFTER` after the first confirms it
//! as `broken`. Any other result ends the failing spell.
use chrono::{DateTime, TimeDelta, Utc};

use super::Finding;
use crate::clock;
use crate::model::LinkStatus;

/// How long a failure that may pass must last before it is called broken.
pub const CONFIRM_AFTER: TimeDelta = TimeDelta::hours(1);

/// Settle `finding`, made at `now`, against the link's last check: `since` is when that check's
/// failing spell began, if it was in one. Returns when this check's spell began, if it is in
/// one: the time to store with it.
pub fn confirm(
    finding: &mut Finding,
    since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if !finding.may_pass || finding.status != LinkStatus::Broken {
        return None;
    }
    // a clock set back (a restored machine, SOURCE_DATE_EPOCH) starts no spell in the future
    let since = since.filter(|s| *s <= now).unwrap_or(now);
    if now - since < CONFIRM_AFTER {
        finding.status = LinkStatus::Caution;
    }
    let said = finding.problem.take().unwrap_or_default();
    finding.problem = Some(format!("{said}; failing since {}", clock::shown(&clock::stamp(since))));
    Some(since)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(may_pass: bool) -> Finding {
        Finding {
            status: LinkStatus::Broken,
            http_status: Some(503),
            final_url: None,
            problem: Some("Server error (503) after 3 tries".into()),
            suggested_fix: None,
            fingerprint: None,
            not_modified: false,
            may_pass,
            unreached: None,
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn a_failure_that_may_pass_is_caution_for_an_hour_then_broken() {
        let mut first = failure(true);
        assert_eq!(confirm(&mut first, None, at(0)), Some(at(0)));
        assert_eq!(first.status, LinkStatus::Caution);
        assert_eq!(
            first.problem.as_deref(),
            Some("Server error (503) after 3 tries; failing since 2025-11-24 16:00:00 GMT")
        );
        let mut again = failure(true);
        assert_eq!(confirm(&mut again, Some(at(0)), at(3599)), Some(at(0)));
        assert_eq!(again.status, LinkStatus::Caution, "within the hour");
        let mut confirmed = failure(true);
        assert_eq!(confirm(&mut confirmed, Some(at(0)), at(3600)), Some(at(0)));
        assert_eq!(confirmed.status, LinkStatus::Broken);
        assert!(confirmed.problem.unwrap().ends_with("; failing since 2025-11-24 16:00:00 GMT"));
        let mut future = failure(true);
        assert_eq!(
            confirm(&mut future, Some(at(7200)), at(0)),
            Some(at(0)),
            "no spell starts later than now"
        );
        assert_eq!(future.status, LinkStatus::Caution);
    }

    #[test]
    fn an_answer_that_means_broken_is_broken_at_once_and_ends_a_spell() {
        let mut gone = failure(false);
        assert_eq!(confirm(&mut gone, Some(at(0)), at(60)), None);
        assert_eq!(gone.status, LinkStatus::Broken);
        assert_eq!(gone.problem.as_deref(), Some("Server error (503) after 3 tries"));
        let mut fine = Finding { status: LinkStatus::Ok, problem: None, ..failure(false) };
        assert_eq!(confirm(&mut fine, Some(at(0)), at(60)), None);
        assert_eq!(fine.status, LinkStatus::Ok);
    }
}
