//! The one clock: `SOURCE_DATE_EPOCH` when set (reproducible output and tests), else the system
//! time. Created once in `run` and passed down; nothing else asks for the time.
use anyhow::Context;
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

use crate::exit_codes::bad_hint;

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    now: DateTime<Utc>,
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
                    .with_context(|| format!("SOURCE_DATE_EPOCH {secs} is out of range"))
                    .map_err(|e| bad_hint(format!("{e:#}"), "use a date between years 0 and 9999"))?;
                Ok(Clock { now })
            }
            Err(_) => Ok(Clock { now: Utc::now() }),
        }
    }

    pub fn fixed(now: DateTime<Utc>) -> Clock {
        Clock { now }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The time as stored: RFC 3339, UTC, whole seconds.
    pub fn stamp(&self) -> String {
        stamp(self.now)
    }
}

/// Format a time the way every stored time is formatted.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
