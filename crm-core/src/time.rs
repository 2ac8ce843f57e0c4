//! Time: instants as microseconds since the Unix epoch (UTC), the handle's clock, and the reporting
//! time zone used for calendar boundaries and date literals.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An instant, stored exactly as microseconds since 1970-01-01T00:00:00Z.
///
/// This is the encoding of every time value in the store, in the C ABI (`int64_t`) and in the
/// columnar batch APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant `micros` microseconds after the epoch.
    pub const fn from_micros(micros: i64) -> Timestamp {
        Timestamp(micros)
    }

    /// Microseconds since the epoch.
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// The earliest instant the store accepts as a record time: 0001-01-01T00:00:00Z.
    pub const MIN_SUPPORTED: Timestamp = Timestamp(-62_135_596_800_000_000);
    /// The latest instant the store accepts as a record time: 9999-12-31T23:59:59.999999Z.
    pub const MAX_SUPPORTED: Timestamp = Timestamp(253_402_300_799_999_999);

    /// True between [`MIN_SUPPORTED`](Self::MIN_SUPPORTED) and
    /// [`MAX_SUPPORTED`](Self::MAX_SUPPORTED): years 1 to 9999, which every face (a Python
    /// `datetime`, a C `int64_t`, chrono) can represent.
    pub fn is_supported(self) -> bool {
        (Self::MIN_SUPPORTED..=Self::MAX_SUPPORTED).contains(&self)
    }

    /// The current wall-clock time. Prefer the handle's [`Clock`], which tests can set.
    pub fn now() -> Timestamp {
        Timestamp::from(Utc::now())
    }

    /// The same instant as a chrono `DateTime<Utc>`.
    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Parses an RFC 3339 date-time (`2026-03-01T09:30:00+08:00`, `…Z`), a date-time without offset
    /// (`2026-03-01 09:30:00`, read in `zone`), or a date (`2026-03-01`, midnight in `zone`).
    pub fn parse_in(text: &str, zone: Tz) -> Result<Timestamp> {
        let t = text.trim();
        let bad = || {
            Error::invalid(
                "timestamp",
                text,
                "expected a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM])",
            )
        };
        if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
            return Ok(Timestamp::from(dt.with_timezone(&Utc)));
        }
        for fmt in [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
        ] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
                return local_to_utc(naive, zone).ok_or_else(bad);
            }
        }
        if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return local_to_utc(date.and_hms_opt(0, 0, 0).ok_or_else(bad)?, zone).ok_or_else(bad);
        }
        Err(bad())
    }
}

/// A local wall-clock time in `zone` as UTC. An ambiguous time (clocks turned back) takes the
/// earlier instant; a time skipped by clocks jumping forward is read with the offset in force
/// before the jump (as Python's `zoneinfo` does with `fold=0`), so later local times never map to
/// earlier instants.
fn local_to_utc(naive: NaiveDateTime, zone: Tz) -> Option<Timestamp> {
    if let Some(dt) = zone.from_local_datetime(&naive).earliest() {
        return Some(Timestamp::from(dt.with_timezone(&Utc)));
    }
    // Transitions are far more than a day apart, so the offset a day earlier is the one in force
    // just before the gap.
    let before = zone
        .offset_from_utc_datetime(&(naive - chrono::Duration::days(1)))
        .fix();
    let utc = naive - chrono::Duration::seconds(i64::from(before.local_minus_utc()));
    Some(Timestamp::from(utc.and_utc()))
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(dt: DateTime<Utc>) -> Timestamp {
        Timestamp(dt.timestamp_micros())
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(t: Timestamp) -> DateTime<Utc> {
        t.to_datetime()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}",
            self.to_datetime()
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        )
    }
}

/// Where a handle reads "now" from. Every time-dependent operation uses the handle's clock, so tests
/// and replays can fix or drive it.
#[derive(Clone)]
pub struct Clock(ClockKind);

#[derive(Clone)]
enum ClockKind {
    System,
    Fixed(Timestamp),
    Custom(Arc<dyn Fn() -> Timestamp + Send + Sync>),
}

impl Clock {
    /// The system's wall clock (the default).
    pub fn system() -> Clock {
        Clock(ClockKind::System)
    }

    /// A clock that always reads `at`.
    pub fn fixed(at: Timestamp) -> Clock {
        Clock(ClockKind::Fixed(at))
    }

    /// A clock that calls `f` each time it is read.
    pub fn from_fn(f: impl Fn() -> Timestamp + Send + Sync + 'static) -> Clock {
        Clock(ClockKind::Custom(Arc::new(f)))
    }

    /// The current time by this clock.
    pub fn now(&self) -> Timestamp {
        match &self.0 {
            ClockKind::System => Timestamp::now(),
            ClockKind::Fixed(t) => *t,
            ClockKind::Custom(f) => f(),
        }
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            ClockKind::System => f.write_str("Clock::system()"),
            ClockKind::Fixed(t) => write!(f, "Clock::fixed({t})"),
            ClockKind::Custom(_) => f.write_str("Clock::from_fn(..)"),
        }
    }
}

/// Parses an IANA time-zone name such as `Asia/Shanghai` or `UTC`.
pub fn parse_time_zone(name: &str) -> Result<Tz> {
    Tz::from_str(name.trim()).map_err(|_| {
        Error::invalid(
            "time zone",
            name,
            "expected an IANA name such as Europe/Paris or UTC",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_chrono() {
        let dt = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
        let t = Timestamp::from(dt);
        assert_eq!(t.as_micros(), dt.timestamp() * 1_000_000);
        assert_eq!(t.to_datetime(), dt);
        assert_eq!(t.to_string(), "2026-03-01T09:30:00Z");
    }

    #[test]
    fn parses_literals_in_the_reporting_zone() {
        let shanghai = parse_time_zone("Asia/Shanghai").unwrap();
        let d = Timestamp::parse_in("2026-03-01", shanghai).unwrap();
        assert_eq!(d.to_string(), "2026-02-28T16:00:00Z");
        let d = Timestamp::parse_in("2026-03-01", Tz::UTC).unwrap();
        assert_eq!(d.to_string(), "2026-03-01T00:00:00Z");
        let d = Timestamp::parse_in("2026-03-01T10:00:00+02:00", shanghai).unwrap();
        assert_eq!(d.to_string(), "2026-03-01T08:00:00Z");
        let d = Timestamp::parse_in("2026-03-01 10:00:00.5", Tz::UTC).unwrap();
        assert_eq!(d.as_micros() % 1_000_000, 500_000);
        // 02:10 and 02:30 do not exist in Paris on 2026-03-29: read at +01:00, order kept.
        let paris = parse_time_zone("Europe/Paris").unwrap();
        let d = Timestamp::parse_in("2026-03-29 02:30", paris).unwrap();
        assert_eq!(d.to_string(), "2026-03-29T01:30:00Z");
        let e = Timestamp::parse_in("2026-03-29 02:10", paris).unwrap();
        assert_eq!(e.to_string(), "2026-03-29T01:10:00Z");
        // 02:30 happens twice on 2026-10-25: the earlier one (+02:00).
        let f = Timestamp::parse_in("2026-10-25 02:30", paris).unwrap();
        assert_eq!(f.to_string(), "2026-10-25T00:30:00Z");
        assert!(Timestamp::parse_in("yesterday", Tz::UTC).is_err());
        assert!(Timestamp::parse_in("2026-02-30", Tz::UTC).is_err());
    }

    #[test]
    fn supported_range_is_years_1_to_9999() {
        let first = Timestamp::parse_in("0001-01-01", Tz::UTC).unwrap();
        assert_eq!(first, Timestamp::MIN_SUPPORTED);
        let last = Timestamp::parse_in("9999-12-31T23:59:59.999999Z", Tz::UTC).unwrap();
        assert_eq!(last, Timestamp::MAX_SUPPORTED);
        assert!(first.is_supported() && last.is_supported());
        assert!(!Timestamp::from_micros(i64::MIN).is_supported());
        assert!(!Timestamp::from_micros(last.as_micros() + 1).is_supported());
    }

    #[test]
    fn clocks() {
        let t = Timestamp::from_micros(42);
        assert_eq!(Clock::fixed(t).now(), t);
        assert_eq!(Clock::from_fn(move || t).now(), t);
        assert!(Clock::system().now().as_micros() > 1_700_000_000_000_000);
        assert!(parse_time_zone("Mars/Olympus").is_err());
    }
}
