//! The one clock: `SOURCE_DATE_EPOCH` when set (reproducible output and tests), else the system
//! time. Created once in `run` and passed down; nothing else asks for the time.
use anyhow::Context;
use chrono::{DateTime, Datelike, SecondsFormat, TimeZone, Utc};

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
