//! Service-level agreements of tickets: the policy of each priority, the weekly business hours,
//! the SLA state of one ticket, and the breaches of every ticket.
//!
//! Deadlines, clocks and breaches are computed by crm-core; this module converts arguments and
//! hands the results to C. As everywhere in the C API, an absent time comes out as
//! `CRM_TIME_NONE`.

use std::ffi::{CString, c_char, c_int};
use std::mem::offset_of;
use std::ptr;
use std::sync::OnceLock;

use crm_core::{
    Breach, BusinessHours, Error, Result, SlaPolicy, SlaState, SlaTarget, TicketPriority,
};

use crate::args::{
    Versioned, boxed, check_out, clear_out, init_versioned, null, out_ptr, read, req_str,
    static_name, time_or_now, versioned,
};
use crate::campaign::{CRM_TIME_NONE, time_out};
use crate::db::crm_db;
use crate::error::{guard_db, guard_value};
use crate::ticket::priority_name;

/// The static C string of an SLA target (`"first_response"`, `"resolution"`).
fn target_name(target: SlaTarget) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, SlaTarget::NAMES, target.as_str())
}

// ------------------------------------------------------------------------------------------------
// Policies

/// The SLA targets of one priority. Initialise with `crm_sla_policy_init`, set `priority` and
/// both targets, and pass it to `crm_sla_policy_set`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_sla_policy {
    /// Size of this struct as the caller knows it; set by `crm_sla_policy_init`.
    pub struct_size: u32,
    /// The priority the targets apply to (required): `"low"`, `"normal"`, `"high"` or
    /// `"urgent"`. One policy per priority.
    pub priority: *const c_char,
    /// Minutes from a ticket's creation to its first public response (more than 0, at most
    /// 527040, i.e. 366 days).
    pub first_response_minutes: i64,
    /// Minutes of running resolution clock until resolution (more than 0, at most 527040). The
    /// clock runs while a ticket is new or open; pending and resolved stretches do not count.
    pub resolution_minutes: i64,
    /// Not 0: both targets count business time only (`crm_business_hours_set`); 0: every minute.
    pub business_hours: c_int,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `business_hours`.
unsafe impl Versioned for crm_sla_policy {
    const V1_SIZE: usize = offset_of!(crm_sla_policy, business_hours) + size_of::<c_int>();
    const INIT: &'static str = "crm_sla_policy_init";
    const DEFAULTS: Self = crm_sla_policy {
        struct_size: size_of::<crm_sla_policy>() as u32,
        priority: ptr::null(),
        first_response_minutes: 0,
        resolution_minutes: 0,
        business_hours: 0,
    };
}

/// Clears `policy` (no priority, both targets 0 — which `crm_sla_policy_set` refuses until they
/// are set —, calendar time) and sets `struct_size`. Does nothing when `policy` is NULL.
/// Pass the struct's size as your header declares it: `crm_sla_policy_init(&policy, sizeof policy)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_init(policy: *mut crm_sla_policy, size: usize) {
    guard_value("crm_sla_policy_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(policy, size) }
    })
}

/// Sets the SLA policy of `policy->priority`, replacing the one it had, and moves the deadlines
/// of the active tickets. Recorded in the audit trail.
///
/// Errors: `CRM_INVALID_INPUT` (a target ≤ 0 or over 366 days, an unknown priority; the message
/// names the field), `CRM_INVALID_ARGUMENT` (NULL `db`, `policy` or `policy->priority`, a bad
/// `struct_size`, invalid UTF-8). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_set(
    db: *mut crm_db,
    policy: *const crm_sla_policy,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_sla_policy_set", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(p) = (unsafe { versioned(policy, "policy") })? else {
            return Err(null("policy"));
        };
        // SAFETY: NULL or NUL-terminated, per the struct's contract.
        let priority: TicketPriority =
            unsafe { req_str(p.priority, "policy->priority") }?.parse()?;
        let mut sla = SlaPolicy::new(priority, p.first_response_minutes, p.resolution_minutes);
        sla.business_hours = p.business_hours != 0;
        db.crm.tickets().set_sla_policy(sla)
    })
}

/// Removes the SLA policy of `priority` (`"low"`, `"normal"`, `"high"` or `"urgent"`); its
/// tickets have no deadlines from then on. Recorded in the audit trail.
///
/// Errors: `CRM_NOT_FOUND` (the priority has no policy), `CRM_INVALID_INPUT` (an unknown
/// priority), `CRM_INVALID_ARGUMENT` (NULL `db` or `priority`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_remove(db: *mut crm_db, priority: *const c_char) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_sla_policy_remove", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or NUL-terminated.
        let priority: TicketPriority = unsafe { req_str(priority, "priority") }?.parse()?;
        db.crm.tickets().remove_sla_policy(priority)
    })
}

/// The SLA policies, from `crm_sla_policy_all`, from low to urgent priority. Read them by index
/// (0 to `crm_sla_policy_list_len` - 1); free the list with `crm_sla_policy_list_free`. It is a
/// copy: it stays valid after the handle is closed.
#[derive(Debug)]
pub struct crm_sla_policy_list {
    items: Vec<SlaPolicy>,
}

/// The guard of a row accessor: `f` of policy `i`, or `fallback` for a NULL list or an `i` out
/// of range (or after a panic).
fn read_policy<T: Copy>(
    name: &'static str,
    list: Option<&crm_sla_policy_list>,
    i: usize,
    fallback: T,
    f: impl FnOnce(&SlaPolicy) -> T,
) -> T {
    read(name, list, fallback, |l| l.items.get(i).map_or(fallback, f))
}

/// Reads every SLA policy, from low to urgent priority. `*out` receives the list: free it with
/// `crm_sla_policy_list_free`; NULL on failure.
///
/// Errors: `CRM_INVALID_ARGUMENT` (NULL `db` or `out`), `CRM_STORAGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_all(
    db: *mut crm_db,
    out: *mut *mut crm_sla_policy_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_sla_policy_all", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        let items = db.crm.tickets().sla_policies()?;
        *out = boxed(crm_sla_policy_list { items });
        Ok(())
    })
}

/// The number of policies in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_list_len(list: *const crm_sla_policy_list) -> usize {
    // SAFETY: NULL or a live list.
    read(
        "crm_sla_policy_list_len",
        unsafe { list.as_ref() },
        0,
        |l| l.items.len(),
    )
}

/// The priority of policy `i`: `"low"`, `"normal"`, `"high"` or `"urgent"`. A static string;
/// NULL when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_list_priority(
    list: *const crm_sla_policy_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_policy(
        "crm_sla_policy_list_priority",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |p| priority_name(p.priority),
    )
}

/// The first-response target of policy `i`, in minutes; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_list_first_response_minutes(
    list: *const crm_sla_policy_list,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live list.
    read_policy(
        "crm_sla_policy_list_first_response_minutes",
        unsafe { list.as_ref() },
        i,
        0,
        |p| p.first_response_minutes,
    )
}

/// The resolution target of policy `i`, in minutes; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_list_resolution_minutes(
    list: *const crm_sla_policy_list,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live list.
    read_policy(
        "crm_sla_policy_list_resolution_minutes",
        unsafe { list.as_ref() },
        i,
        0,
        |p| p.resolution_minutes,
    )
}

/// 1 when policy `i` counts business time only, 0 when it counts every minute (or `i` is out of
/// range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_list_business_hours(
    list: *const crm_sla_policy_list,
    i: usize,
) -> c_int {
    // SAFETY: NULL or a live list.
    read_policy(
        "crm_sla_policy_list_business_hours",
        unsafe { list.as_ref() },
        i,
        0,
        |p| c_int::from(p.business_hours),
    )
}

/// Frees a list from `crm_sla_policy_all`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_policy_list_free(list: *mut crm_sla_policy_list) {
    guard_value("crm_sla_policy_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// Business hours

/// `crm_business_hours.days`: Monday.
pub const CRM_DAY_MONDAY: u32 = 1;
/// `crm_business_hours.days`: Tuesday.
pub const CRM_DAY_TUESDAY: u32 = 2;
/// `crm_business_hours.days`: Wednesday.
pub const CRM_DAY_WEDNESDAY: u32 = 4;
/// `crm_business_hours.days`: Thursday.
pub const CRM_DAY_THURSDAY: u32 = 8;
/// `crm_business_hours.days`: Friday.
pub const CRM_DAY_FRIDAY: u32 = 16;
/// `crm_business_hours.days`: Saturday.
pub const CRM_DAY_SATURDAY: u32 = 32;
/// `crm_business_hours.days`: Sunday.
pub const CRM_DAY_SUNDAY: u32 = 64;

/// Every `CRM_DAY_*` bit, Monday (bit 0) to Sunday (bit 6).
const DAYS_KNOWN: u32 = 0x7f;

/// Seconds in a day: a time of day is `0 ..= SECONDS_PER_DAY - 1` seconds after midnight.
#[cfg(test)]
const SECONDS_PER_DAY: i32 = 86_400;

/// The weekly business hours: the same window on each open day, as wall-clock times in the
/// store's reporting time zone (`crm_set_time_zone`). Initialise with `crm_business_hours_init`;
/// written by `crm_business_hours_set`, read back by `crm_business_hours_get`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_business_hours {
    /// Size of this struct as the caller knows it; set by `crm_business_hours_init`.
    pub struct_size: u32,
    /// The open days: `CRM_DAY_*` bits, or-ed together (at least one).
    pub days: u32,
    /// Opening time, in seconds after local midnight (09:00 is 32400), 0 to 86399.
    pub open_seconds: i32,
    /// Closing time, in seconds after local midnight (17:00 is 61200), after `open_seconds` and
    /// at most 86399.
    pub close_seconds: i32,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `close_seconds`.
unsafe impl Versioned for crm_business_hours {
    const V1_SIZE: usize = offset_of!(crm_business_hours, close_seconds) + size_of::<i32>();
    const INIT: &'static str = "crm_business_hours_init";
    const DEFAULTS: Self = crm_business_hours {
        struct_size: size_of::<crm_business_hours>() as u32,
        days: 0,
        open_seconds: 0,
        close_seconds: 0,
    };
}

/// Clears `hours` (no open day, 00:00 to 00:00 — set all three before `crm_business_hours_set`,
/// or fill it with `crm_business_hours_get`) and sets `struct_size`. Does nothing when `hours`
/// is NULL.
/// Pass the struct's size as your header declares it: `crm_business_hours_init(&hours, sizeof hours)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_business_hours_init(hours: *mut crm_business_hours, size: usize) {
    guard_value("crm_business_hours_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(hours, size) }
    })
}

/// A C time of day (`int32_t` seconds after midnight) as the core takes it; a negative value
/// is refused here with the same message the core gives for one past midnight.
fn seconds_of_day(seconds: i32, field: &str) -> Result<u32> {
    u32::try_from(seconds).map_err(|_| {
        Error::invalid(
            field,
            seconds.to_string(),
            "must be between 0 and 86399 seconds after midnight",
        )
    })
}

/// The C form of business hours (`struct_size` left for the caller to set).
fn c_hours(hours: &BusinessHours) -> Result<crm_business_hours> {
    let days = hours
        .days
        .iter()
        .enumerate()
        .filter(|(_, open)| **open)
        .fold(0u32, |bits, (i, _)| bits | (1 << i));
    // Whole seconds: a time with a fraction of a second (set from Rust or Python) is cut.
    let seconds = |d: u32| {
        i32::try_from(d).map_err(|_| Error::Internal(format!("time of day {d} s out of range")))
    };
    Ok(crm_business_hours {
        struct_size: 0,
        days,
        open_seconds: seconds(hours.open_seconds())?,
        close_seconds: seconds(hours.close_seconds())?,
    })
}

/// Sets the business hours (wall-clock times in the reporting time zone) and moves the deadlines
/// of the active tickets. Policies with `business_hours` count only the time inside them.
/// Recorded in the audit trail.
///
/// Errors: `CRM_INVALID_INPUT` (no open day, a closing time not after the opening time, a time
/// outside 0–86399 seconds; the message names the field), `CRM_INVALID_ARGUMENT` (NULL `db` or
/// `hours`, a bad `struct_size`, unknown `days` bits). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_business_hours_set(
    db: *mut crm_db,
    hours: *const crm_business_hours,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_business_hours_set", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(h) = (unsafe { versioned(hours, "hours") })? else {
            return Err(null("hours"));
        };
        let unknown = h.days & !DAYS_KNOWN;
        if unknown != 0 {
            return Err(Error::InvalidArgument(format!(
                "hours->days has unknown bits {unknown:#x} (known: CRM_DAY_MONDAY to CRM_DAY_SUNDAY)"
            )));
        }
        let days = std::array::from_fn(|i| h.days & (1 << i) != 0);
        let open = seconds_of_day(h.open_seconds, "business_hours.open")?;
        let close = seconds_of_day(h.close_seconds, "business_hours.close")?;
        db.crm
            .tickets()
            .set_business_hours(BusinessHours::from_seconds(days, open, close)?)
    })
}

/// Reads the business hours into `*hours` (Monday to Friday, 09:00–17:00 until set). `hours`
/// must have been initialised with `crm_business_hours_init` (its `struct_size` says how much
/// may be written); nothing is written on failure.
///
/// Errors: `CRM_INVALID_ARGUMENT` (NULL `db` or `hours`, a bad `struct_size`), `CRM_STORAGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_business_hours_get(
    db: *mut crm_db,
    hours: *mut crm_business_hours,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_business_hours_get", unsafe { db.as_mut() }, |db| {
        check_out(hours, "hours")?;
        // SAFETY: non-NULL; `struct_size` is the first field of an initialised struct.
        let size = unsafe { hours.cast::<u32>().read_unaligned() };
        if (size as usize) < crm_business_hours::V1_SIZE {
            return Err(Error::InvalidArgument(format!(
                "hours->struct_size is {size}, expected at least {} (initialise it with {})",
                crm_business_hours::V1_SIZE,
                crm_business_hours::INIT
            )));
        }
        let mut value = c_hours(&db.crm.tickets().business_hours()?)?;
        value.struct_size = size;
        let n = (size as usize).min(size_of::<crm_business_hours>());
        // SAFETY: the caller's struct is writable for `struct_size` bytes and `value` readable
        // for `size_of` bytes; `n` is at most both.
        unsafe {
            ptr::copy_nonoverlapping((&raw const value).cast::<u8>(), hours.cast::<u8>(), n);
        }
        Ok(())
    })
}

// ------------------------------------------------------------------------------------------------
// The SLA state of a ticket

/// The SLA state of one ticket at one instant, measured against the policy of its priority.
/// Returned by `crm_ticket_sla` (free it with `crm_sla_state_free`) or borrowed from a
/// `crm_ticket_queue_list`. It is a copy: it stays valid after the handle is closed.
///
/// Times are microseconds since the epoch (UTC). Durations (`_breach_by`, `_elapsed`) are
/// microseconds of the policy's time: business time for a business-hours policy, else calendar
/// time.
#[derive(Debug)]
pub struct crm_sla_state {
    state: SlaState,
}

impl crm_sla_state {
    pub(crate) fn new(state: SlaState) -> crm_sla_state {
        crm_sla_state { state }
    }
}

/// The guard of an SLA-state accessor: `f` of the state, or `fallback` for NULL.
fn read_state<T: Copy>(
    name: &'static str,
    state: *const crm_sla_state,
    fallback: T,
    f: impl FnOnce(&SlaState) -> T,
) -> T {
    // SAFETY: NULL or a live state, by every accessor's contract.
    read(name, unsafe { state.as_ref() }, fallback, |s| f(&s.state))
}

/// The SLA state of ticket `id` at `now` (`CRM_TIME_NOW`: the handle's clock); history after
/// `now` is ignored, so any past instant can be asked. `*out` receives the state (free it with
/// `crm_sla_state_free`), or NULL with `CRM_OK` when the ticket's priority has no SLA policy;
/// NULL on failure.
///
/// Errors: `CRM_NOT_FOUND` (no ticket `id`), `CRM_INVALID_INPUT` (`now` outside years 1–9999),
/// `CRM_INVALID_ARGUMENT` (NULL `db` or `out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_sla(
    db: *mut crm_db,
    id: i64,
    now: i64,
    out: *mut *mut crm_sla_state,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_sla", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        if let Some(state) = db.crm.tickets().sla(id, time_or_now(now))? {
            *out = boxed(crm_sla_state::new(state));
        }
        Ok(())
    })
}

/// The priority whose policy the state is measured against: `"low"`, `"normal"`, `"high"` or
/// `"urgent"`. A static string; NULL for a NULL `state`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_priority(state: *const crm_sla_state) -> *const c_char {
    read_state("crm_sla_state_priority", state, ptr::null(), |s| {
        priority_name(s.policy.priority)
    })
}

/// The policy's first-response target in minutes; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_first_response_minutes(state: *const crm_sla_state) -> i64 {
    read_state("crm_sla_state_first_response_minutes", state, 0, |s| {
        s.policy.first_response_minutes
    })
}

/// The policy's resolution target in minutes; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_resolution_minutes(state: *const crm_sla_state) -> i64 {
    read_state("crm_sla_state_resolution_minutes", state, 0, |s| {
        s.policy.resolution_minutes
    })
}

/// 1 when the policy counts business time only, else 0 (also for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_business_hours(state: *const crm_sla_state) -> c_int {
    read_state("crm_sla_state_business_hours", state, 0, |s| {
        c_int::from(s.policy.business_hours)
    })
}

/// When the first response is (or was) due; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_first_response_due(state: *const crm_sla_state) -> i64 {
    read_state("crm_sla_state_first_response_due", state, 0, |s| {
        s.first_response_due.as_micros()
    })
}

/// When the first public response was made; `CRM_TIME_NONE` when there was none by the state's
/// instant (or for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_first_response_at(state: *const crm_sla_state) -> i64 {
    read_state(
        "crm_sla_state_first_response_at",
        state,
        CRM_TIME_NONE,
        |s| time_out(s.first_response_at),
    )
}

/// 1 when the first-response clock has stopped (a public response, or a resolution that came
/// first), else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_first_response_stopped(
    state: *const crm_sla_state,
) -> c_int {
    read_state("crm_sla_state_first_response_stopped", state, 0, |s| {
        c_int::from(s.first_response_stopped)
    })
}

/// 1 when the first-response target is breached (met late, or overdue), else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_first_response_breached(
    state: *const crm_sla_state,
) -> c_int {
    read_state("crm_sla_state_first_response_breached", state, 0, |s| {
        c_int::from(s.first_response_breached)
    })
}

/// By how much the first-response target is missed, in µs of policy time: for a late response
/// (response − due), for an overdue one (so far − target); 0 when not breached or for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_first_response_breach_by(
    state: *const crm_sla_state,
) -> i64 {
    read_state("crm_sla_state_first_response_breach_by", state, 0, |s| {
        s.first_response_breach_by.unwrap_or(0)
    })
}

/// When the resolution is due: the running deadline; for a resolved ticket, the deadline in
/// force when it was resolved; once exceeded, the instant it was exceeded. `CRM_TIME_NONE` while
/// the ticket is pending (the clock is stopped) or for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_resolution_due(state: *const crm_sla_state) -> i64 {
    read_state("crm_sla_state_resolution_due", state, CRM_TIME_NONE, |s| {
        time_out(s.resolution_due)
    })
}

/// When the ticket was resolved; `CRM_TIME_NONE` when it is not resolved (or closed) at the
/// state's instant, or for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_resolved_at(state: *const crm_sla_state) -> i64 {
    read_state("crm_sla_state_resolved_at", state, CRM_TIME_NONE, |s| {
        time_out(s.resolved_at)
    })
}

/// 1 when more resolution time ran than the target allows, else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_resolution_breached(state: *const crm_sla_state) -> c_int {
    read_state("crm_sla_state_resolution_breached", state, 0, |s| {
        c_int::from(s.resolution_breached)
    })
}

/// By how much the resolution target is missed, in µs of running policy time (paused time does
/// not count); 0 when not breached or for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_resolution_breach_by(state: *const crm_sla_state) -> i64 {
    read_state("crm_sla_state_resolution_breach_by", state, 0, |s| {
        s.resolution_breach_by.unwrap_or(0)
    })
}

/// The instant the resolution clock passed the target (kept while paused); `CRM_TIME_NONE` when
/// not breached, or for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_resolution_breached_at(state: *const crm_sla_state) -> i64 {
    read_state(
        "crm_sla_state_resolution_breached_at",
        state,
        CRM_TIME_NONE,
        |s| time_out(s.resolution_breached_at),
    )
}

/// 1 when the ticket is pending at the state's instant (the resolution clock is stopped), else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_paused(state: *const crm_sla_state) -> c_int {
    read_state("crm_sla_state_paused", state, 0, |s| c_int::from(s.paused))
}

/// How long the resolution clock has run, in µs of policy time; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_resolution_elapsed(state: *const crm_sla_state) -> i64 {
    read_state("crm_sla_state_resolution_elapsed", state, 0, |s| {
        s.resolution_elapsed
    })
}

/// Frees a state returned by `crm_ticket_sla`. Does nothing when `state` is NULL. Never pass one
/// borrowed from a `crm_ticket_queue_list`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_state_free(state: *mut crm_sla_state) {
    guard_value("crm_sla_state_free", (), || {
        if !state.is_null() {
            // SAFETY: a state from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(state) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// Breaches

/// The breached SLA targets from `crm_sla_breaches`, by ticket id, first response before
/// resolution. Read them by index (0 to `crm_sla_breach_list_len` - 1); free the list with
/// `crm_sla_breach_list_free`. It is a copy: it stays valid after the handle is closed.
#[derive(Debug)]
pub struct crm_sla_breach_list {
    items: Vec<Breach>,
}

/// The guard of a row accessor: `f` of breach `i`, or `fallback` for a NULL list or an `i` out
/// of range (or after a panic).
fn read_breach<T: Copy>(
    name: &'static str,
    list: Option<&crm_sla_breach_list>,
    i: usize,
    fallback: T,
    f: impl FnOnce(&Breach) -> T,
) -> T {
    read(name, list, fallback, |l| l.items.get(i).map_or(fallback, f))
}

/// Every breached SLA target at `now` (`CRM_TIME_NOW`: the handle's clock) of any ticket, active
/// or not: targets met late and targets overdue. `*out` receives the list: free it with
/// `crm_sla_breach_list_free`; NULL on failure.
///
/// Errors: `CRM_INVALID_INPUT` (`now` outside years 1–9999), `CRM_INVALID_ARGUMENT` (NULL `db`
/// or `out`), `CRM_STORAGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_breaches(
    db: *mut crm_db,
    now: i64,
    out: *mut *mut crm_sla_breach_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_sla_breaches", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        let items = db.crm.tickets().breaches(time_or_now(now))?;
        *out = boxed(crm_sla_breach_list { items });
        Ok(())
    })
}

/// The number of breaches in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_breach_list_len(list: *const crm_sla_breach_list) -> usize {
    // SAFETY: NULL or a live list.
    read(
        "crm_sla_breach_list_len",
        unsafe { list.as_ref() },
        0,
        |l| l.items.len(),
    )
}

/// The ticket of breach `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_breach_list_ticket_id(
    list: *const crm_sla_breach_list,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live list.
    read_breach(
        "crm_sla_breach_list_ticket_id",
        unsafe { list.as_ref() },
        i,
        0,
        |b| b.ticket_id,
    )
}

/// Which target breach `i` is about: `"first_response"` or `"resolution"`. A static string;
/// NULL when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_breach_list_target(
    list: *const crm_sla_breach_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_breach(
        "crm_sla_breach_list_target",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |b| target_name(b.target),
    )
}

/// When the target of breach `i` was due (for resolution: when its clock passed the target), in
/// microseconds since the epoch (UTC); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_breach_list_due(
    list: *const crm_sla_breach_list,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live list.
    read_breach(
        "crm_sla_breach_list_due",
        unsafe { list.as_ref() },
        i,
        0,
        |b| b.due.as_micros(),
    )
}

/// By how much the target of breach `i` was (or is being) missed, in µs of policy time; 0 when
/// `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_breach_list_breach_by(
    list: *const crm_sla_breach_list,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live list.
    read_breach(
        "crm_sla_breach_list_breach_by",
        unsafe { list.as_ref() },
        i,
        0,
        |b| b.breach_by,
    )
}

/// Frees a list from `crm_sla_breaches`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_sla_breach_list_free(list: *mut crm_sla_breach_list) {
    guard_value("crm_sla_breach_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm_code::*;
    use crate::db::{crm_close, crm_open};
    use std::mem::MaybeUninit;

    #[test]
    fn business_hours_round_trip_through_seconds() {
        let mut db = ptr::null_mut();
        assert_eq!(
            unsafe { crm_open(c":memory:".as_ptr(), ptr::null(), &mut db) },
            0
        );
        let mut h = MaybeUninit::<crm_business_hours>::uninit();
        unsafe { crm_business_hours_init(h.as_mut_ptr(), size_of::<crm_business_hours>()) };
        let mut h = unsafe { h.assume_init() };
        assert_eq!(unsafe { crm_business_hours_get(db, &mut h) }, 0);
        assert_eq!(
            (h.days, h.open_seconds, h.close_seconds),
            (31, 9 * 3600, 17 * 3600)
        );
        h.days = CRM_DAY_SATURDAY | CRM_DAY_SUNDAY;
        h.open_seconds = 8 * 3600 + 30 * 60 + 15;
        h.close_seconds = SECONDS_PER_DAY - 1;
        assert_eq!(unsafe { crm_business_hours_set(db, &h) }, 0);
        let mut back = h;
        back.days = 0;
        assert_eq!(unsafe { crm_business_hours_get(db, &mut back) }, 0);
        assert_eq!(
            (back.days, back.open_seconds, back.close_seconds),
            (96, 30615, 86399)
        );
        h.close_seconds = SECONDS_PER_DAY;
        let code = unsafe { crm_business_hours_set(db, &h) };
        assert_eq!(code, CRM_INVALID_INPUT as c_int);
        h.close_seconds = 3600;
        h.days = 0x80;
        let code = unsafe { crm_business_hours_set(db, &h) };
        assert_eq!(code, CRM_INVALID_ARGUMENT as c_int);
        unsafe { crm_close(db) };
    }
}
