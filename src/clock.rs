//! The one clock: `SOURCE_DATE_EPOCH` when set (reproducible output and tests), else the system
//! time. Created once in `run` and passed down; nothing else asks for the time. And London's
//! time, in which people read and type times (`shown`, `validate::time_arg`).
use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, SecondsFormat, TimeZone, Utc, Weekday};

use crate::exit_codes::bad_hint;

/// `SOURCE_DATE_EPOCH`'s fixed time, or the system clock read afresh each time (so a stamp
/// taken after waiting for the write lock is the time of the write).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    fixed: Option<DateTime<Utc>>,
}

impl Clock {
    /// Read `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) or fall back to the system clock.
    pub fn from_env() -> anyhow::Result<Clock> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(value) => {
                let secs: i64 = value.trim().parse().map_err(|_| {
                    bad_hint(
                        format!("SOURCE_DATE_EPOCH is not a whole number of seconds: {value:?}"),
                        "unset it, or set it to seconds since 1970-01-01 UTC",
                    )
                })?;
                let now = Utc
                    .timestamp_opt(secs, 0)
                    .single()
                    .filter(|t| (0..=9999).contains(&t.year()))
                    .with_context(|| format!("SOURCE_DATE_EPOCH {secs} is outside the years 0000 to 9999"))
                    .map_err(|e| bad_hint(format!("{e:#}"), "use a date between years 0000 and 9999"))?;
                Ok(Clock { fixed: Some(now) })
            }
            Err(_) => Ok(Clock { fixed: None }),
        }
    }

    pub fn fixed(now: DateTime<Utc>) -> Clock {
        Clock { fixed: Some(now) }
    }

    /// Whether the time is `SOURCE_DATE_EPOCH`'s rather than the system's.
    pub fn is_fixed(&self) -> bool {
        self.fixed.is_some()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.unwrap_or_else(Utc::now)
    }

    /// The time as stored: RFC 3339, UTC, whole seconds.
    pub fn stamp(&self) -> String {
        stamp(self.now())
    }
}

/// Format a time the way every stored time is formatted.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// London's offset from UTC at `at`: one hour in British Summer Time, else none (GMT).
///
/// The rule of the Summer Time Act 1972 as the Summer Time Order 2002 (SI 2002/262) sets it, in
/// step with the EU's Directive 2000/84/EC: summer time begins at 01:00 GMT on the last Sunday
/// of March and ends at 01:00 GMT on the last Sunday of October. The rule is written here rather
/// than taken from `chrono-tz`: one zone's rule is a dozen lines, where the time zone database
/// adds to a binary already over its size target and needs a build-time filter set in the
/// environment to keep only London. The rule has held since 1996 (the UK ended summer time on
/// the fourth Sunday of October before); earlier times are read by it too, which no directory
/// record reaches back to.
pub fn london_offset(at: DateTime<Utc>) -> Duration {
    let year = at.year();
    let (begins, ends) = (last_sunday_1am_utc(year, 3), last_sunday_1am_utc(year, 10));
    match (begins, ends) {
        (Some(begins), Some(ends)) if begins <= at && at < ends => Duration::hours(1),
        _ => Duration::zero(),
    }
}

/// 01:00 UTC on the last Sunday of `month`.
fn last_sunday_1am_utc(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let first_of_next = NaiveDate::from_ymd_opt(year, month + 1, 1)?;
    let last = first_of_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    let sunday = last - Duration::days(i64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    Some(sunday.and_hms_opt(1, 0, 0)?.and_utc())
}

/// The name of London's time at an offset `london_offset` gave: `BST` or `GMT`.
pub fn zone_name(offset: Duration) -> &'static str {
    if offset.is_zero() {
        "GMT"
    } else {
        "BST"
    }
}

/// A stored time as people read it: London time, to the second, naming its zone
/// (`2026-07-01 10:30:00 BST`, `2026-12-06 09:30:00 GMT`); typed back, it names the same
/// instant. Text that is not a stored time is shown as it is.
pub fn shown(stamp: &str) -> String {
    match DateTime::parse_from_rfc3339(stamp) {
        Ok(at) => {
            let at = at.with_timezone(&Utc);
            let offset = london_offset(at);
            format!("{} {}", (at.naive_utc() + offset).format("%Y-%m-%d %H:%M:%S"), zone_name(offset))
        }
        Err(_) => stamp.to_owned(),
    }
}

/// The London date of a stored time (`2026-07-01`), for a column of days.
pub fn shown_date(stamp: &str) -> String {
    match DateTime::parse_from_rfc3339(stamp) {
        Ok(at) => {
            let at = at.with_timezone(&Utc);
            // written by hand where it can be: `format` parses its pattern on every call, and
            // `list` shows a date on each of up to 100,000 rows (`%Y` signs a year outside
            // 0–9999, which the hand-written form would not)
            let day = (at.naive_utc() + london_offset(at)).date();
            match day.year() {
                0..=9999 => format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day()),
                _ => day.format("%Y-%m-%d").to_string(),
            }
        }
        Err(_) => stamp.chars().take(10).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn summer_time_runs_from_the_last_sunday_of_march_to_the_last_of_october() {
        // 2026: 29 March and 25 October
        assert_eq!(london_offset(utc("2026-03-29T00:59:59Z")), Duration::zero());
        assert_eq!(london_offset(utc("2026-03-29T01:00:00Z")), Duration::hours(1));
        assert_eq!(london_offset(utc("2026-10-25T00:59:59Z")), Duration::hours(1));
        assert_eq!(london_offset(utc("2026-10-25T01:00:00Z")), Duration::zero());
        // 2027: 28 March, 31 October (a Sunday on the last day of the month)
        assert_eq!(london_offset(utc("2027-10-31T00:30:00Z")), Duration::hours(1));
        assert_eq!(london_offset(utc("2027-10-31T01:30:00Z")), Duration::zero());
        assert_eq!(london_offset(utc("2027-03-28T01:00:00Z")), Duration::hours(1));
        assert_eq!(london_offset(utc("9999-07-01T00:00:00Z")), Duration::hours(1));
    }

    #[test]
    fn times_are_shown_in_london_naming_the_zone() {
        assert_eq!(shown("2026-07-01T09:30:00Z"), "2026-07-01 10:30:00 BST");
        assert_eq!(shown("2026-12-06T09:30:00Z"), "2026-12-06 09:30:00 GMT");
        assert_eq!(shown_date("2026-06-30T23:30:00Z"), "2026-07-01");
        // a year outside 0–9999 (which only a table edited by hand can hold) keeps its sign
        assert_eq!(shown_date("0000-01-01T00:30:00+01:00"), "-0001-12-31");
        assert_eq!(shown_date("9999-12-31T23:30:00-01:00"), "+10000-01-01");
        assert_eq!(shown("not a time"), "not a time");
    }
}
