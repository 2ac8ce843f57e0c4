//! Service-level agreements: targets per priority, business hours, deadlines and breaches.
//!
//! Everything here is a pure function of its arguments: the store keeps policies and history,
//! the handle passes them in with the reporting time zone and "now".
//!
//! Two clocks are measured for each ticket:
//! - **first response** runs from creation to the first public comment. Resolving the ticket
//!   before anyone replied also stops it (as help desks do), so a ticket closed without a reply is
//!   not reported as breaching ever more.
//! - **resolution** runs while the ticket is New or Open. It stops while the ticket is Pending
//!   (waiting on the customer) and when it is Resolved; leaving Pending, or a reopen, starts it
//!   again from where it stopped.
//!
//! A policy with `business_hours` measures both clocks in business time: only the instants inside
//! the [`BusinessHours`] windows, read in the reporting time zone, count. Breach amounts are then
//! business microseconds; without business hours they are calendar microseconds.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::ticket::{StatusChange, TicketPriority, TicketStatus};
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// Microseconds in a minute.
pub const MICROS_PER_MINUTE: i64 = 60_000_000;

/// Longest target accepted, in minutes (366 days): long enough for any real agreement, short
/// enough that deadline arithmetic stays cheap and far from overflow.
pub const MAX_TARGET_MINUTES: i64 = 366 * 24 * 60;

/// The SLA targets of one priority.
///
/// ```
/// use crm_core::{SlaPolicy, TicketPriority};
/// let p = SlaPolicy::new(TicketPriority::Urgent, 30, 240).in_business_hours();
/// assert!(p.validate().is_ok());
/// assert!(SlaPolicy::new(TicketPriority::Low, 0, 60).validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// The priority the targets apply to (one policy per priority).
    pub priority: TicketPriority,
    /// Minutes from creation to the first public response (> 0).
    pub first_response_minutes: i64,
    /// Minutes of running resolution clock until resolution (> 0).
    pub resolution_minutes: i64,
    /// Count only business hours (true) or every minute (false).
    pub business_hours: bool,
}

impl SlaPolicy {
    /// Calendar-time targets for `priority`.
    pub fn new(
        priority: TicketPriority,
        first_response_minutes: i64,
        resolution_minutes: i64,
    ) -> SlaPolicy {
        SlaPolicy {
            priority,
            first_response_minutes,
            resolution_minutes,
            business_hours: false,
        }
    }

    /// Measures the targets in business hours.
    pub fn in_business_hours(mut self) -> SlaPolicy {
        self.business_hours = true;
        self
    }

    /// Checks both targets: more than 0 and at most [`MAX_TARGET_MINUTES`].
    pub fn validate(&self) -> Result<()> {
        for (field, v) in [
            ("first_response_minutes", self.first_response_minutes),
            ("resolution_minutes", self.resolution_minutes),
        ] {
            if v <= 0 {
                return Err(Error::invalid(field, v.to_string(), "must be more than 0"));
            }
            if v > MAX_TARGET_MINUTES {
                return Err(Error::invalid(
                    field,
                    v.to_string(),
                    format!("must be at most {MAX_TARGET_MINUTES} minutes (366 days)"),
                ));
            }
        }
        Ok(())
    }

    /// The instant when `micros` of this policy's time have passed after `start`.
    fn add(&self, start: Timestamp, micros: i64, hours: &BusinessHours, tz: Tz) -> Timestamp {
        if self.business_hours {
            business_add_micros(start, micros, hours, tz)
        } else {
            calendar_add_micros(start, micros)
        }
    }

    /// This policy's time between `start` and `end` (0 when `end` is not after `start`).
    fn elapsed(&self, start: Timestamp, end: Timestamp, hours: &BusinessHours, tz: Tz) -> i64 {
        if self.business_hours {
            business_elapsed(start, end, hours, tz)
        } else {
            calendar_elapsed(start, end)
        }
    }
}

/// The weekly business hours: the same window on each open day, read as wall-clock times in the
/// reporting time zone.
///
/// A window runs from the first instant the local clock reads `open` to the first instant it reads
/// `close`, so a DST change inside it makes it an hour shorter or longer in real time; a wall time
/// skipped by clocks jumping forward is read as the end of the jump (the first instant after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BusinessHours {
    /// Open days, Monday first.
    pub days: [bool; 7],
    /// Opening time.
    pub open: NaiveTime,
    /// Closing time (after `open`, same day).
    pub close: NaiveTime,
}

impl Default for BusinessHours {
    /// Monday to Friday, 09:00 to 17:00.
    fn default() -> BusinessHours {
        BusinessHours {
            days: [true, true, true, true, true, false, false],
            open: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            close: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

impl BusinessHours {
    /// `open`–`close` on every day of `days` (Monday = 0 … Sunday = 6); see [`validate`](Self::validate).
    pub fn new(days: [bool; 7], open: NaiveTime, close: NaiveTime) -> BusinessHours {
        BusinessHours { days, open, close }
    }

    /// Business hours from times of day given as seconds after local midnight (`9 * 3600` is
    /// 09:00) — the form for callers without a time-of-day type (the C face). A time outside
    /// `0..86400` is `INVALID_INPUT` naming `open` or `close`.
    pub fn from_seconds(days: [bool; 7], open: u32, close: u32) -> Result<BusinessHours> {
        let time = |field: &str, secs: u32| {
            NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).ok_or_else(|| {
                Error::invalid(
                    format!("business_hours.{field}"),
                    secs.to_string(),
                    "must be between 0 and 86399 seconds after midnight",
                )
            })
        };
        Ok(BusinessHours::new(
            days,
            time("open", open)?,
            time("close", close)?,
        ))
    }

    /// The opening time in whole seconds after local midnight (a fraction of a second is cut).
    pub fn open_seconds(&self) -> u32 {
        self.open.num_seconds_from_midnight()
    }

    /// The closing time in whole seconds after local midnight (a fraction of a second is cut).
    pub fn close_seconds(&self) -> u32 {
        self.close.num_seconds_from_midnight()
    }

    /// Checks that at least one day is open and that `open` comes before `close`.
    pub fn validate(&self) -> Result<()> {
        if !self.days.iter().any(|d| *d) {
            return Err(Error::invalid(
                "business_hours.days",
                format!("{:?}", self.days),
                "at least one day must be open",
            ));
        }
        if self.open >= self.close {
            return Err(Error::invalid(
                "business_hours.close",
                self.close.to_string(),
                format!("must be after the opening time {}", self.open),
            ));
        }
        Ok(())
    }

    /// The window of local `date` as UTC microseconds `[start, end)`, when the day is open and
    /// the window is not empty.
    fn window(&self, date: NaiveDate, tz: Tz) -> Option<(i64, i64)> {
        if !self.days[date.weekday().num_days_from_monday() as usize] {
            return None;
        }
        let start = first_instant_at(date.and_time(self.open), tz);
        let end = first_instant_at(date.and_time(self.close), tz);
        (end > start).then_some((start, end))
    }
}

/// The first instant (UTC µs) at which the local clock in `tz` reads `naive`: the earlier one of
/// an ambiguous time, the end of the jump for a time that does not exist.
fn first_instant_at(naive: NaiveDateTime, tz: Tz) -> i64 {
    match tz.from_local_datetime(&naive).earliest() {
        Some(dt) => dt.timestamp_micros(),
        None => gap_end(naive, tz),
    }
}

/// The instant clocks jumped over `naive` (which lies in the gap). Found by bisection between
/// `naive` read at the offset after the jump (before the jump in real time) and `naive` read at
/// the offset before it (after the jump).
fn gap_end(naive: NaiveDateTime, tz: Tz) -> i64 {
    let offset_at = |secs: i64| {
        DateTime::from_timestamp(secs, 0).map(|d| {
            tz.offset_from_utc_datetime(&d.naive_utc())
                .fix()
                .local_minus_utc()
        })
    };
    let local = naive.and_utc().timestamp();
    let day = 86_400;
    let (Some(before), Some(after)) = (offset_at(local - day), offset_at(local + day)) else {
        return local.saturating_mul(1_000_000);
    };
    let mut lo = local - i64::from(after);
    let mut hi = local - i64::from(before);
    // Invariant: `lo` is before the jump (offset `before`), `hi` at or after it.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if offset_at(mid) == Some(before) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi.saturating_mul(1_000_000)
}

fn local_date(t: i64, tz: Tz) -> NaiveDate {
    Timestamp::from_micros(t)
        .to_datetime()
        .with_timezone(&tz)
        .date_naive()
}

/// The instant when `minutes` of calendar time have passed after `start` (plain arithmetic).
pub fn calendar_add(start: Timestamp, minutes: i64) -> Timestamp {
    calendar_add_micros(start, minutes.saturating_mul(MICROS_PER_MINUTE))
}

/// [`calendar_add`] in microseconds, kept within the supported range.
pub fn calendar_add_micros(start: Timestamp, micros: i64) -> Timestamp {
    let t = start.as_micros().saturating_add(micros.max(0));
    Timestamp::from_micros(t.min(Timestamp::MAX_SUPPORTED.as_micros()))
}

/// Calendar microseconds from `start` to `end` (0 when `end` is not after `start`).
pub fn calendar_elapsed(start: Timestamp, end: Timestamp) -> i64 {
    end.as_micros().saturating_sub(start.as_micros()).max(0)
}

/// The instant when `minutes` of business time have passed after `start`: the clock only runs
/// inside the business-hours windows of `hours`, read in `tz`. `start` outside the hours counts
/// from the next opening. Hours that never open give [`Timestamp::MAX_SUPPORTED`].
///
/// ```
/// use crm_core::model::sla::{BusinessHours, business_add};
/// use crm_core::Timestamp;
/// let utc = chrono_tz::Tz::UTC;
/// // Friday 2026-05-01 16:00 + 2 business hours = Monday 10:00.
/// let fri = Timestamp::parse_in("2026-05-01 16:00", utc).unwrap();
/// let due = business_add(fri, 120, &BusinessHours::default(), utc);
/// assert_eq!(due, Timestamp::parse_in("2026-05-04 10:00", utc).unwrap());
/// ```
pub fn business_add(start: Timestamp, minutes: i64, hours: &BusinessHours, tz: Tz) -> Timestamp {
    business_add_micros(start, minutes.saturating_mul(MICROS_PER_MINUTE), hours, tz)
}

/// [`business_add`] in microseconds of business time.
pub fn business_add_micros(
    start: Timestamp,
    micros: i64,
    hours: &BusinessHours,
    tz: Tz,
) -> Timestamp {
    if micros <= 0 {
        return start;
    }
    if !hours.days.iter().any(|d| *d) {
        return Timestamp::MAX_SUPPORTED;
    }
    let cursor = start.as_micros();
    let mut remaining = micros;
    let mut date = local_date(cursor, tz);
    loop {
        if let Some((a, b)) = hours.window(date, tz) {
            let from = a.max(cursor);
            if from < b {
                let available = b - from;
                if remaining <= available {
                    return Timestamp::from_micros(from + remaining);
                }
                remaining -= available;
            }
        }
        match date.succ_opt() {
            Some(next) if next.year() <= 9999 => date = next,
            _ => return Timestamp::MAX_SUPPORTED,
        }
    }
}

/// Business microseconds between `start` and `end`: the part of `[start, end)` inside the
/// business-hours windows of `hours`, read in `tz` (0 when `end` is not after `start`).
pub fn business_elapsed(start: Timestamp, end: Timestamp, hours: &BusinessHours, tz: Tz) -> i64 {
    let (s, e) = (start.as_micros(), end.as_micros());
    if e <= s {
        return 0;
    }
    let last = local_date(e, tz);
    let mut date = local_date(s, tz);
    let mut total = 0i64;
    while date <= last {
        if let Some((a, b)) = hours.window(date, tz) {
            let (lo, hi) = (a.max(s), b.min(e));
            if hi > lo {
                total = total.saturating_add(hi - lo);
            }
        }
        match date.succ_opt() {
            Some(next) if next.year() <= 9999 => date = next,
            _ => break,
        }
    }
    total
}

/// The SLA state of one ticket at some `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaState {
    /// The policy measured against (the one for the ticket's current priority).
    pub policy: SlaPolicy,
    /// When the first response is (or was) due.
    pub first_response_due: Timestamp,
    /// The first public comment, if any by `now`.
    pub first_response_at: Option<Timestamp>,
    /// The first-response clock has stopped: a public comment, or a resolution that came first.
    pub first_response_stopped: bool,
    /// More first-response time passed than the target allows.
    pub first_response_breached: bool,
    /// By how much (policy time, µs) when breached.
    pub first_response_breach_by: Option<i64>,
    /// When the resolution is due: the running deadline; for a resolved ticket the deadline in
    /// force when it was resolved; once exceeded, the instant it was exceeded. `None` while paused.
    pub resolution_due: Option<Timestamp>,
    /// When the ticket was resolved, if it is Resolved or Closed by `now`.
    pub resolved_at: Option<Timestamp>,
    /// More resolution time ran than the target allows.
    pub resolution_breached: bool,
    /// By how much (running policy time, µs) when breached. Paused time does not count.
    pub resolution_breach_by: Option<i64>,
    /// The instant the resolution clock passed the target (kept while paused).
    pub resolution_breached_at: Option<Timestamp>,
    /// The ticket is Pending: the resolution clock is stopped.
    pub paused: bool,
    /// Policy time (µs) the resolution clock has run.
    pub resolution_elapsed: i64,
}

impl SlaState {
    /// The deadlines still being worked towards for a ticket in `status`, as the store keeps them
    /// for the work queue: `(first response, resolution)`.
    pub fn pending_dues(&self, status: TicketStatus) -> (Option<Timestamp>, Option<Timestamp>) {
        let first =
            (status.is_active() && !self.first_response_stopped).then_some(self.first_response_due);
        let resolution = if matches!(status, TicketStatus::New | TicketStatus::Open) {
            self.resolution_due
        } else {
            None
        };
        (first, resolution)
    }
}

/// Computes a ticket's SLA state at `now` from its creation, first response and status history
/// (oldest first, as the store returns it). Entries and a first response after `now` are ignored,
/// so the state can be asked for any past instant.
///
/// Breach rules: a target met late is breached by (time used − target); a target not yet met is
/// breached by (time used so far − target) once that is positive. Time is the policy's: business
/// time with `business_hours`, else calendar time; the resolution clock skips paused and resolved
/// stretches.
pub fn sla_state(
    policy: &SlaPolicy,
    hours: &BusinessHours,
    tz: Tz,
    created_at: Timestamp,
    first_response_at: Option<Timestamp>,
    history: &[StatusChange],
    now: Timestamp,
) -> SlaState {
    let first_target = policy
        .first_response_minutes
        .saturating_mul(MICROS_PER_MINUTE);
    let resolution_target = policy.resolution_minutes.saturating_mul(MICROS_PER_MINUTE);
    let seen: Vec<&StatusChange> = history.iter().filter(|h| h.at <= now).collect();

    // First response.
    let first_response_at = first_response_at.filter(|t| *t <= now);
    let first_resolved = seen
        .iter()
        .find(|h| h.to == TicketStatus::Resolved)
        .map(|h| h.at);
    let stopped_at = match (first_response_at, first_resolved) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let first_response_due = policy.add(created_at, first_target, hours, tz);
    let first_over =
        policy.elapsed(created_at, stopped_at.unwrap_or(now), hours, tz) - first_target;

    // Resolution: the clock runs while the ticket is New or Open.
    let mut segments: Vec<(TicketStatus, Timestamp, Timestamp)> = Vec::new();
    let (mut status, mut since) = (TicketStatus::New, created_at);
    for h in &seen {
        if h.from.is_some() {
            segments.push((status, since, h.at));
        }
        (status, since) = (h.to, h.at);
    }
    segments.push((status, since, now.max(since)));
    let mut elapsed = 0i64;
    let mut crossed_at = None;
    let mut projection = None;
    for (s, a, b) in segments {
        if !matches!(s, TicketStatus::New | TicketStatus::Open) {
            continue;
        }
        let len = policy.elapsed(a, b, hours, tz);
        if crossed_at.is_none() {
            let left = resolution_target - elapsed;
            projection = Some(policy.add(a, left, hours, tz));
            if len >= left {
                crossed_at = projection;
            }
        }
        elapsed = elapsed.saturating_add(len);
    }
    let paused = status == TicketStatus::Pending;
    let resolved_at = if matches!(status, TicketStatus::Resolved | TicketStatus::Closed) {
        seen.iter()
            .rev()
            .find(|h| h.to == TicketStatus::Resolved)
            .map(|h| h.at)
    } else {
        None
    };
    let resolution_over = elapsed - resolution_target;
    let breached = resolution_over > 0;
    SlaState {
        policy: *policy,
        first_response_due,
        first_response_at,
        first_response_stopped: stopped_at.is_some(),
        first_response_breached: first_over > 0,
        first_response_breach_by: (first_over > 0).then_some(first_over),
        resolution_due: if paused {
            None
        } else {
            crossed_at
                .or(projection)
                .or_else(|| Some(policy.add(created_at, resolution_target, hours, tz)))
        },
        resolved_at,
        resolution_breached: breached,
        resolution_breach_by: breached.then_some(resolution_over),
        resolution_breached_at: if breached { crossed_at } else { None },
        paused,
        resolution_elapsed: elapsed,
    }
}

/// Which SLA target a breach is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// Time to the first public response.
    FirstResponse,
    /// Time to resolution.
    Resolution,
}

vocabulary!(SlaTarget, "target", [FirstResponse => "first_response", Resolution => "resolution"]);

/// A breached SLA target of one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breach {
    /// The ticket.
    pub ticket_id: i64,
    /// Which target.
    pub target: SlaTarget,
    /// When the target was due (for resolution: when its clock passed the target).
    pub due: Timestamp,
    /// By how much it was (or is being) missed, policy time in µs.
    pub breach_by: i64,
}

impl SlaState {
    /// The breaches in this state, first response first.
    pub fn breaches(&self, ticket_id: i64) -> Vec<Breach> {
        let mut out = Vec::new();
        if let Some(by) = self.first_response_breach_by {
            out.push(Breach {
                ticket_id,
                target: SlaTarget::FirstResponse,
                due: self.first_response_due,
                breach_by: by,
            });
        }
        if let (Some(by), Some(due)) = (self.resolution_breach_by, self.resolution_breached_at) {
            out.push(Breach {
                ticket_id,
                target: SlaTarget::Resolution,
                due,
                breach_by: by,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn business_hours_from_seconds_round_trip() {
        let h = BusinessHours::from_seconds([true; 7], 8 * 3600 + 30 * 60 + 15, 86_399).unwrap();
        assert_eq!(h.open, NaiveTime::from_hms_opt(8, 30, 15).unwrap());
        assert_eq!((h.open_seconds(), h.close_seconds()), (30_615, 86_399));
        let e = BusinessHours::from_seconds([true; 7], 0, 86_400).unwrap_err();
        assert!(e.to_string().contains("business_hours.close"), "{e}");
    }

    use super::*;
    use TicketStatus::*;

    const MIN: i64 = MICROS_PER_MINUTE;
    const HOUR: i64 = 60 * MIN;

    fn at(text: &str, tz: Tz) -> Timestamp {
        Timestamp::parse_in(text, tz).unwrap()
    }
    fn utc(text: &str) -> Timestamp {
        at(text, Tz::UTC)
    }
    fn change(from: Option<TicketStatus>, to: TicketStatus, t: Timestamp) -> StatusChange {
        StatusChange {
            ticket_id: 1,
            from,
            to,
            at: t,
            by: "system".into(),
        }
    }
    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn policies_and_hours_are_checked() {
        let e = SlaPolicy::new(TicketPriority::High, 0, 60)
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("first_response_minutes"), "{e}");
        let e = SlaPolicy::new(TicketPriority::High, 60, -5)
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("resolution_minutes"), "{e}");
        assert!(
            SlaPolicy::new(TicketPriority::High, MAX_TARGET_MINUTES + 1, 5)
                .validate()
                .is_err()
        );
        assert!(BusinessHours::default().validate().is_ok());
        assert!(
            BusinessHours::new([false; 7], hm(9, 0), hm(17, 0))
                .validate()
                .is_err()
        );
        assert!(
            BusinessHours::new([true; 7], hm(17, 0), hm(9, 0))
                .validate()
                .is_err()
        );
    }

    #[test]
    fn calendar_arithmetic() {
        let t = utc("2026-05-01 16:00");
        assert_eq!(calendar_add(t, 90), utc("2026-05-01 17:30"));
        assert_eq!(calendar_elapsed(t, utc("2026-05-01 17:30")), 90 * MIN);
        assert_eq!(calendar_elapsed(utc("2026-05-01 17:30"), t), 0);
        assert_eq!(
            calendar_add(Timestamp::MAX_SUPPORTED, 10),
            Timestamp::MAX_SUPPORTED
        );
    }

    #[test]
    fn business_time_skips_nights_and_weekends() {
        let h = BusinessHours::default();
        let tz = Tz::UTC;
        // Friday 16:00 + 2h: one hour Friday, one hour Monday.
        let fri = utc("2026-05-01 16:00");
        assert_eq!(business_add(fri, 120, &h, tz), utc("2026-05-04 10:00"));
        assert_eq!(
            business_elapsed(fri, utc("2026-05-04 10:00"), &h, tz),
            2 * HOUR
        );
        // Saturday counts from Monday's opening.
        assert_eq!(
            business_add(utc("2026-05-02 12:00"), 30, &h, tz),
            utc("2026-05-04 09:30")
        );
        // Ending exactly at closing time stays on that day.
        assert_eq!(
            business_add(utc("2026-05-04 08:00"), 480, &h, tz),
            utc("2026-05-04 17:00")
        );
        // A whole week is 40 hours.
        assert_eq!(
            business_elapsed(utc("2026-05-04"), utc("2026-05-11"), &h, tz),
            40 * HOUR
        );
        assert_eq!(business_elapsed(fri, fri, &h, tz), 0);
        assert_eq!(business_add(fri, 0, &h, tz), fri);
    }

    #[test]
    fn business_time_in_the_reporting_zone_across_dst() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let h = BusinessHours::default();
        // Friday 16:00 CET + 2 business hours = Monday 10:00 CEST: clocks went forward on Sunday
        // 2026-03-29, so the calendar gap is 65 hours, not 66.
        let fri = at("2026-03-27 16:00", berlin);
        assert_eq!(fri, utc("2026-03-27 15:00"));
        let due = business_add(fri, 120, &h, berlin);
        assert_eq!(due, at("2026-03-30 10:00", berlin));
        assert_eq!(due, utc("2026-03-30 08:00"));
        assert_eq!(calendar_elapsed(fri, due), 65 * HOUR);

        // A window holding the jump: 01:00–05:00 on 2026-03-29 lasts 3 real hours, and an
        // opening at 02:30 (a time that does not exist) opens at 03:00 CEST.
        let every_day = BusinessHours::new([true; 7], hm(1, 0), hm(5, 0));
        let day = |s| at(s, berlin);
        assert_eq!(
            business_elapsed(day("2026-03-29"), day("2026-03-30"), &every_day, berlin),
            3 * HOUR
        );
        let late = BusinessHours::new([true; 7], hm(2, 30), hm(5, 0));
        assert_eq!(
            business_add(day("2026-03-29"), 1, &late, berlin),
            utc("2026-03-29 01:01")
        );
        // Clocks go back on 2026-10-25: the same window lasts 5 real hours.
        assert_eq!(
            business_elapsed(day("2026-10-25"), day("2026-10-26"), &every_day, berlin),
            5 * HOUR
        );
        // Counting across the change agrees with adding.
        let start = day("2026-10-24 04:00");
        let end = business_add(start, 6 * 60, &every_day, berlin);
        assert_eq!(
            end,
            utc("2026-10-25 04:00"),
            "1h Saturday + Sunday's whole 5 hours"
        );
        assert_eq!(business_elapsed(start, end, &every_day, berlin), 6 * HOUR);
    }

    #[test]
    fn calendar_breaches_and_first_response() {
        let p = SlaPolicy::new(TicketPriority::High, 60, 8 * 60);
        let h = BusinessHours::default();
        let c = utc("2026-05-04 09:00");
        let hist = [change(None, New, c)];
        // Not yet due.
        let s = sla_state(&p, &h, Tz::UTC, c, None, &hist, utc("2026-05-04 09:30"));
        assert_eq!(s.first_response_due, utc("2026-05-04 10:00"));
        assert_eq!(s.resolution_due, Some(utc("2026-05-04 17:00")));
        assert!(!s.first_response_breached && !s.resolution_breached);
        assert_eq!(
            s.pending_dues(New),
            (Some(utc("2026-05-04 10:00")), Some(utc("2026-05-04 17:00")))
        );
        // Not met and overdue: breach grows with now.
        let s = sla_state(&p, &h, Tz::UTC, c, None, &hist, utc("2026-05-04 10:45"));
        assert!(s.first_response_breached);
        assert_eq!(s.first_response_breach_by, Some(45 * MIN));
        // Met in time.
        let fr = Some(utc("2026-05-04 09:59"));
        let s = sla_state(&p, &h, Tz::UTC, c, fr, &hist, utc("2026-05-05"));
        assert!(!s.first_response_breached && s.first_response_stopped);
        assert_eq!(s.first_response_breach_by, None);
        assert_eq!(s.pending_dues(Open).0, None);
        // Met late: breach by response − due, fixed however late we look.
        let fr = Some(utc("2026-05-04 10:20"));
        let s = sla_state(&p, &h, Tz::UTC, c, fr, &hist, utc("2026-06-01"));
        assert_eq!(s.first_response_breach_by, Some(20 * MIN));
        // Resolution overdue while open.
        assert!(s.resolution_breached);
        assert_eq!(s.resolution_breached_at, Some(utc("2026-05-04 17:00")));
        assert_eq!(
            s.breaches(1).iter().map(|b| b.target).collect::<Vec<_>>(),
            [SlaTarget::FirstResponse, SlaTarget::Resolution]
        );
    }

    #[test]
    fn business_hours_breaches_count_business_time() {
        let p = SlaPolicy::new(TicketPriority::High, 60, 4 * 60).in_business_hours();
        let h = BusinessHours::default();
        // Created Friday 16:30: first response due Monday 09:30.
        let c = utc("2026-05-01 16:30");
        let hist = [change(None, New, c)];
        let s = sla_state(&p, &h, Tz::UTC, c, None, &hist, utc("2026-05-02 12:00"));
        assert_eq!(s.first_response_due, utc("2026-05-04 09:30"));
        assert!(!s.first_response_breached, "the weekend does not count");
        // Answered Monday 11:00: 1.5 business hours late.
        let fr = Some(utc("2026-05-04 11:00"));
        let s = sla_state(&p, &h, Tz::UTC, c, fr, &hist, utc("2026-05-04 12:00"));
        assert_eq!(s.first_response_breach_by, Some(90 * MIN));
        // Resolution due after 4 business hours: Monday 12:30; at 13:00 it is 30 min over.
        assert_eq!(s.resolution_due, Some(utc("2026-05-04 12:30")));
        let s = sla_state(&p, &h, Tz::UTC, c, fr, &hist, utc("2026-05-04 13:00"));
        assert_eq!(s.resolution_breach_by, Some(30 * MIN));
        assert_eq!(s.resolution_elapsed, 4 * HOUR + 30 * MIN);
    }

    #[test]
    fn pending_pauses_the_resolution_clock() {
        let p = SlaPolicy::new(TicketPriority::Normal, 60, 4 * 60);
        let h = BusinessHours::default();
        let c = utc("2026-05-04 08:00");
        let hist = vec![
            change(None, New, c),
            change(Some(New), Open, utc("2026-05-04 09:00")),
            change(Some(Open), Pending, utc("2026-05-04 10:00")),
        ];
        // Two hours ran before the pause; while pending nothing runs and no deadline shows.
        let s = sla_state(&p, &h, Tz::UTC, c, None, &hist, utc("2026-05-05 10:00"));
        assert!(s.paused);
        assert_eq!(s.resolution_due, None);
        assert_eq!(s.resolution_elapsed, 2 * HOUR);
        assert!(!s.resolution_breached);
        assert_eq!(
            s.pending_dues(Pending),
            (Some(utc("2026-05-04 09:00")), None)
        );
        // Back to open a day later: the remaining two hours count from there.
        let mut hist = hist;
        hist.push(change(Some(Pending), Open, utc("2026-05-05 10:00")));
        let s = sla_state(&p, &h, Tz::UTC, c, None, &hist, utc("2026-05-05 11:00"));
        assert!(!s.paused);
        assert_eq!(s.resolution_due, Some(utc("2026-05-05 12:00")));
        assert_eq!(s.resolution_elapsed, 3 * HOUR);
        // Resolved at 12:30: 30 minutes over the target; the pause did not count.
        hist.push(change(Some(Open), Resolved, utc("2026-05-05 12:30")));
        let s = sla_state(&p, &h, Tz::UTC, c, None, &hist, utc("2026-05-09"));
        assert_eq!(s.resolved_at, Some(utc("2026-05-05 12:30")));
        assert_eq!(s.resolution_breach_by, Some(30 * MIN));
        assert_eq!(s.resolution_breached_at, Some(utc("2026-05-05 12:00")));
        assert_eq!(s.pending_dues(Resolved), (None, None));
        // The resolution also stopped the unanswered first-response clock (breached 1h before).
        assert!(s.first_response_stopped);
        assert_eq!(
            s.first_response_breach_by,
            Some(calendar_elapsed(
                utc("2026-05-04 09:00"),
                utc("2026-05-05 12:30")
            ))
        );
        // A breached ticket that goes pending keeps its breach but shows no deadline.
        let paused_late = [
            change(None, New, c),
            change(Some(New), Pending, utc("2026-05-04 13:00")),
        ];
        let s = sla_state(&p, &h, Tz::UTC, c, None, &paused_late, utc("2026-05-06"));
        assert!(s.paused && s.resolution_breached);
        assert_eq!(s.resolution_due, None);
        assert_eq!(s.resolution_breach_by, Some(HOUR));
        assert_eq!(s.resolution_breached_at, Some(utc("2026-05-04 12:00")));
    }

    #[test]
    fn a_reopen_continues_the_clock() {
        let p = SlaPolicy::new(TicketPriority::Normal, 60, 4 * 60);
        let h = BusinessHours::default();
        let c = utc("2026-05-04 09:00");
        let fr = Some(utc("2026-05-04 09:10"));
        let hist = vec![
            change(None, New, c),
            change(Some(New), Resolved, utc("2026-05-04 10:00")),
            change(Some(Resolved), Open, utc("2026-05-06 10:00")),
        ];
        // One hour before resolution; resolved for two days (not counted); reopened.
        let s = sla_state(&p, &h, Tz::UTC, c, fr, &hist, utc("2026-05-06 11:00"));
        assert_eq!(s.resolution_elapsed, 2 * HOUR);
        assert_eq!(s.resolution_due, Some(utc("2026-05-06 13:00")));
        assert_eq!(s.resolved_at, None);
        assert!(!s.resolution_breached);
        // Still resolved as seen on the 5th: due as it stood when resolved, not breached.
        let s = sla_state(&p, &h, Tz::UTC, c, fr, &hist, utc("2026-05-05"));
        assert_eq!(s.resolved_at, Some(utc("2026-05-04 10:00")));
        assert_eq!(s.resolution_due, Some(utc("2026-05-04 13:00")));
        assert!(!s.resolution_breached);
        // Left open past the remaining time after the reopen: breached from 13:00.
        let s = sla_state(&p, &h, Tz::UTC, c, fr, &hist, utc("2026-05-06 14:00"));
        assert_eq!(s.resolution_breach_by, Some(HOUR));
        assert_eq!(s.resolution_breached_at, Some(utc("2026-05-06 13:00")));
    }
}
