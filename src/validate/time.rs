//! Times and dates people type: `--at`, `--as-of`, `--since`, `--until` and `--data-to`.
//!
//! A time is `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` or `YYYY-MM-DD HH:MM[:SS]`, read as London
//! time (GMT or BST, `clock::london_offset`) unless it ends in a zone: `Z`, an offset
//! (`+01:00`), or ` UTC`, ` GMT`, ` BST` (so a time as `history` shows it can be typed back).
//! RFC 3339 with fractions of a second is taken too. An impossible date says why; a London time
//! the clocks skip, or pass twice, says so.
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::quoted;
use crate::clock::{london_offset, zone_name};
use crate::exit_codes::bad_hint;

const FORMS: &str = "use a date (2026-04-01, from midnight London time) or a time (2026-04-01 09:30, \
    2026-04-01T09:30:00), London time unless it ends in Z or an offset (+01:00)";

/// Where a time typed without an offset is: London, or an offset the text named.
enum Zone {
    London,
    Fixed(FixedOffset, Option<&'static str>),
}

/// A time argument, as an instant. A bare date is its first moment in London. The instant must
/// fall in the years 0000–9999 UTC, so that its stamp is RFC 3339 and sorts as text the way it
/// does in time.
pub fn time_arg(raw: &str) -> anyhow::Result<DateTime<Utc>> {
    resolve(raw, false)
}

/// The end of a time range (`history --until`): a bare date means the end of that London day
/// (its last whole second, stamps being whole seconds), so `--until 2026-11-25` includes the 25th.
pub fn time_arg_until(raw: &str) -> anyhow::Result<DateTime<Utc>> {
    resolve(raw, true)
}

fn resolve(raw: &str, end_of_day: bool) -> anyhow::Result<DateTime<Utc>> {
    let text = raw.trim();
    let at = match DateTime::parse_from_rfc3339(text) {
        Ok(at) => at.with_timezone(&Utc),
        Err(_) => {
            let (date, time, zone) = parse(raw, text)?;
            match (time, end_of_day) {
                (Some(time), _) => instant(raw, date.and_time(time), zone)?,
                (None, false) => instant(raw, date.and_time(NaiveTime::MIN), zone)?,
                (None, true) => match date.succ_opt() {
                    Some(next) => {
                        instant(raw, next.and_time(NaiveTime::MIN), zone)? - chrono::Duration::seconds(1)
                    }
                    None => instant(raw, date.and_hms_opt(23, 59, 59).unwrap_or_default(), zone)?,
                },
            }
        }
    };
    if !(0..=9999).contains(&at.year()) {
        return Err(bad_hint(
            format!("the time {} is outside the years 0000 to 9999 in UTC", quoted(raw)),
            FORMS,
        ));
    }
    Ok(at)
}

/// The date, time of day and zone of `text`, or why it is not a time.
fn parse(raw: &str, text: &str) -> anyhow::Result<(NaiveDate, Option<NaiveTime>, Zone)> {
    let not_understood = || bad_hint(format!("the time {} is not understood", quoted(raw)), FORMS);
    // every form a time is written in is ASCII: anything else is no time, and the byte
    // positions below are then characters
    if !text.is_ascii() {
        return Err(not_understood());
    }
    let date_text = text.get(..10).ok_or_else(not_understood)?;
    let date = date(raw, date_text, FORMS)?;
    let rest = &text[10..];
    if rest.is_empty() {
        return Ok((date, None, Zone::London));
    }
    let rest = rest.strip_prefix(['T', 't', ' ']).ok_or_else(not_understood)?;
    let (clock, zone) = split_zone(rest).ok_or_else(not_understood)?;
    let fields: Vec<&str> = clock.split(':').collect();
    let number = |s: &str| {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok()).flatten()
    };
    let (h, m, s) = match fields.as_slice() {
        [h, m] => (number(h), number(m), Some(0)),
        [h, m, s] => (number(h), number(m), number(s)),
        _ => return Err(not_understood()),
    };
    let (h, m, s) = match (h, m, s) {
        (Some(h), Some(m), Some(s)) => (h, m, s),
        _ => return Err(not_understood()),
    };
    let time = NaiveTime::from_hms_opt(h, m, s).ok_or_else(|| {
        let why = if h > 23 {
            format!("there is no hour {h} (hours run 00 to 23)")
        } else if m > 59 {
            format!("there is no minute {m} (minutes run 00 to 59)")
        } else {
            format!("there is no second {s} (seconds run 00 to 59)")
        };
        bad_hint(format!("the time {} is not a time: {why}", quoted(raw)), FORMS)
    })?;
    Ok((date, Some(time), zone))
}

/// `YYYY-MM-DD` as a date, or why not: a month or day that does not exist is named.
fn date(raw: &str, text: &str, hint: &str) -> anyhow::Result<NaiveDate> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if !(b.len() == 10 && digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
        return Err(bad_hint(format!("the date {} is not understood", quoted(raw)), hint));
    }
    let (year, month, day) = (parse_u(&text[0..4]) as i32, parse_u(&text[5..7]), parse_u(&text[8..10]));
    if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
        return Ok(date);
    }
    let why = match NaiveDate::from_ymd_opt(year, month, 1) {
        None => format!("there is no month {month:02}"),
        Some(_) if day == 0 => "there is no day 00".to_owned(),
        Some(first) => {
            let days = days_in_month(first);
            let month_name = first.format("%B");
            if month == 2 {
                format!("February {year} has {days} days")
            } else {
                format!("{month_name} has {days} days")
            }
        }
    };
    Err(bad_hint(format!("there is no date {}: {why}", quoted(raw)), hint))
}

fn parse_u(digits: &str) -> u32 {
    digits.parse().unwrap_or(0)
}

fn days_in_month(first: NaiveDate) -> u32 {
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .map_or(31, |last| last.day())
}

/// The clock part and the zone a time ends in, if any.
fn split_zone(rest: &str) -> Option<(&str, Zone)> {
    for (name, secs) in [("UTC", 0), ("GMT", 0), ("BST", 3600)] {
        if let Some(clock) = rest.strip_suffix(name).and_then(|c| c.strip_suffix(' ')) {
            return Some((clock, Zone::Fixed(FixedOffset::east_opt(secs)?, Some(name))));
        }
    }
    if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        return Some((clock, Zone::Fixed(FixedOffset::east_opt(0)?, None)));
    }
    // an offset: ±HH:MM after the clock's digits
    if rest.len() > 6 && rest.is_char_boundary(rest.len() - 6) {
        let (clock, offset) = rest.split_at(rest.len() - 6);
        let ob = offset.as_bytes();
        if matches!(ob[0], b'+' | b'-')
            && ob[3] == b':'
            && offset[1..3].bytes().chain(offset[4..6].bytes()).all(|b| b.is_ascii_digit())
        {
            let (h, m) = (parse_u(&offset[1..3]) as i32, parse_u(&offset[4..6]) as i32);
            if h > 23 || m > 59 {
                return None;
            }
            let secs = (h * 3600 + m * 60) * if ob[0] == b'-' { -1 } else { 1 };
            return Some((clock, Zone::Fixed(FixedOffset::east_opt(secs)?, None)));
        }
    }
    Some((rest, Zone::London))
}

/// The instant a wall-clock time names in `zone`.
fn instant(raw: &str, local: NaiveDateTime, zone: Zone) -> anyhow::Result<DateTime<Utc>> {
    match zone {
        Zone::Fixed(offset, name) => {
            let at = offset
                .from_local_datetime(&local)
                .single()
                .ok_or_else(|| bad_hint(format!("the time {} is not understood", quoted(raw)), FORMS))?
                .with_timezone(&Utc);
            if let Some(name @ ("GMT" | "BST")) = name {
                let in_force = zone_name(london_offset(at));
                if in_force != name {
                    return Err(bad_hint(
                        format!(
                            "{name} is not London's time then: on {} London keeps {in_force}",
                            local.date()
                        ),
                        format!("write {in_force}, or give an offset (Z or +01:00)"),
                    ));
                }
            }
            Ok(at)
        }
        Zone::London => london_reading(local),
    }
}

/// The instant a London wall-clock time names: read as GMT and as BST, each reading is right if
/// London keeps that offset at that instant. None is right in the hour the clocks skip in March,
/// both in the hour they repeat in October.
fn london_reading(local: NaiveDateTime) -> anyhow::Result<DateTime<Utc>> {
    let readings: Vec<DateTime<Utc>> = [0i64, 3600]
        .into_iter()
        .map(|secs| (local - chrono::Duration::seconds(secs)).and_utc())
        .filter(|at| london_offset(*at).num_seconds() == (local - at.naive_utc()).num_seconds())
        .collect();
    let shown = local.format("%Y-%m-%d %H:%M").to_string();
    match readings.as_slice() {
        [one] => Ok(*one),
        [] => Err(bad_hint(
            format!(
                "{shown} does not exist in London: the clocks go forward from 01:00 GMT to 02:00 BST on {}",
                local.date()
            ),
            "give a time before 01:00 or from 02:00 that day, or a time with its offset (Z or +01:00)",
        )),
        _ => Err(bad_hint(
            format!(
                "{shown} is ambiguous in London: the clocks go back from 02:00 BST to 01:00 GMT on {}, so it happens twice",
                local.date()
            ),
            format!(
                "add the offset: {t}+01:00 (BST, the first) or {t}Z (GMT, the second)",
                t = local.format("%Y-%m-%dT%H:%M")
            ),
        )),
    }
}

/// `admin review --data-to`: the newest day a force's published data covers. `YYYY-MM` means the
/// month's last day; `YYYY-MM-DD` that day. Refused when after `today` (data cannot cover days
/// still to come) or before 2000.
pub fn data_to(raw: &str, today: NaiveDate) -> anyhow::Result<NaiveDate> {
    let text = raw.trim();
    let digits =
        |r: std::ops::Range<usize>| text.get(r).is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()));
    let hint = "use YYYY-MM (the month's last day) or YYYY-MM-DD, e.g. --data-to 2025-09";
    let day = if text.len() == 7 && digits(0..4) && text.get(4..5) == Some("-") && digits(5..7) {
        let (year, month) = (parse_u(&text[0..4]) as i32, parse_u(&text[5..7]));
        let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| {
            bad_hint(format!("the month {} does not exist: there is no month {month:02}", quoted(raw)), hint)
        })?;
        first.with_day(days_in_month(first)).unwrap_or(first)
    } else {
        date(raw, text, hint)?
    };
    if day > today {
        return Err(bad_hint(
            format!("the data cannot cover {day}: it is after today ({today})"),
            "give the last day the force's published figures cover; for this month, give a day up to today",
        ));
    }
    if day.year() < 2000 {
        return Err(bad_hint(format!("the date {day} is before 2000"), hint));
    }
    Ok(day)
}
