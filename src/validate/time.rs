//! Times and dates people type: `--at`, `--as-of`, `--since`, `--until` and `--data-to`.
use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::quoted;
use crate::exit_codes::bad_hint;

/// A time argument: RFC 3339, or `YYYY-MM-DD` meaning midnight UTC. The time in UTC must fall
/// in the years 0000–9999, so that its stamp is RFC 3339 and sorts as text the way it does in time.
pub fn time_arg(raw: &str) -> anyhow::Result<DateTime<Utc>> {
    let text = raw.trim();
    let in_range = |at: DateTime<Utc>| (0..=9999).contains(&at.year());
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        let at = at.with_timezone(&Utc);
        if in_range(at) {
            return Ok(at);
        }
    }
    // four-digit year, two-digit month and day: chrono's `%Y` alone would also take "-040" or "+2026"
    let digits =
        |r: std::ops::Range<usize>| text.get(r).is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()));
    if text.len() == 10 && digits(0..4) && digits(5..7) && digits(8..10) {
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            if let Some(midnight) = day.and_hms_opt(0, 0, 0) {
                return Ok(midnight.and_utc());
            }
        }
    }
    Err(bad_hint(
        format!("the time {} is not understood", quoted(raw)),
        "use RFC 3339 (2026-04-01T09:30:00Z) or a date (2026-04-01, midnight UTC)",
    ))
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
        let (year, month) = (text[0..4].parse::<i32>().ok(), text[5..7].parse::<u32>().ok());
        year.zip(month)
            .and_then(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1))
            .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
            .and_then(|next| next.pred_opt())
    } else if text.len() == 10 && digits(0..4) && digits(5..7) && digits(8..10) {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
    } else {
        None
    };
    let day = day.ok_or_else(|| bad_hint(format!("the date {} is not understood", quoted(raw)), hint))?;
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

/// The end of a time range (`history --until`): a bare date means the end of that day
/// (23:59:59 UTC, stamps being whole seconds), so `--until 2026-11-25` includes the 25th.
pub fn time_arg_until(raw: &str) -> anyhow::Result<DateTime<Utc>> {
    let at = time_arg(raw)?;
    if DateTime::parse_from_rfc3339(raw.trim()).is_ok() {
        return Ok(at);
    }
    Ok(at + chrono::Duration::seconds(86_399))
}
