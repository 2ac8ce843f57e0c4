//! Service tickets and their SLAs across the boundary: the read-only classes `crm.Ticket`,
//! `crm.Comment`, `crm.SlaPolicy`, `crm.SlaState` and `crm.BusinessHours`, the columnar forms of
//! tickets, status history, the work queue and breaches (the Python package turns them into
//! DataFrames), and the native ticket methods of `Database` (a `#[pymethods]` block of its own).
//!
//! Durations cross as `datetime.timedelta` (out) and as a `timedelta` or whole minutes (in);
//! instants as aware UTC datetimes, or int64 µs columns with `i64::MIN` (numpy's NaT) for a
//! missing value. Statuses, priorities, channels and SLA targets cross as `int8` positions in
//! `TICKET_STATUSES`, `TICKET_PRIORITIES`, `CHANNELS` and `SLA_TARGETS` (-1 for none).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use chrono::{NaiveTime, TimeDelta, Weekday};
use crm_core::{
    Breach, BusinessHours, Channel, NewComment, NewTicket, QueueEntry, SlaPolicy, SlaState,
    SlaTarget, StatusChange, Ticket, TicketPatch, TicketPriority, TicketStats, TicketStatus,
    Timestamp,
};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDateTime, PyDelta, PyDict, PyFloat, PyList, PyTime, PyTuple, PyTzInfoAccess,
};

use crate::columns::code;
use crate::convert::{self, datetime, type_name};
use crate::database::{Database, filter, query, required};
use crate::errors::{PyCrmResult, invalid_argument};

/// Day names of `BusinessHours.days`, Monday first (the order of `BusinessHours::days`).
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Microseconds in a minute.
const MICROS_PER_MINUTE: i64 = 60_000_000;

/// The fields `tickets.update` may change.
const UPDATABLE: &str = "subject, category, priority, assignee";

// ---------------------------------------------------------------- conversions

fn optional_datetime<'py>(
    py: Python<'py>,
    t: Option<Timestamp>,
) -> PyResult<Option<Bound<'py, PyDateTime>>> {
    t.map(|t| datetime(py, t)).transpose()
}

/// A duration in µs as a `datetime.timedelta`.
fn timedelta(py: Python<'_>, micros: i64) -> PyResult<Bound<'_, PyDelta>> {
    TimeDelta::microseconds(micros).into_pyobject(py)
}

fn optional_timedelta(py: Python<'_>, micros: Option<i64>) -> PyResult<Option<Bound<'_, PyDelta>>> {
    micros.map(|m| timedelta(py, m)).transpose()
}

/// int64 µs, `i64::MIN` (numpy's NaT) for none.
fn micros_or_nat(t: Option<Timestamp>) -> i64 {
    t.map_or(i64::MIN, Timestamp::as_micros)
}

fn status(obj: &Bound<'_, PyAny>) -> PyCrmResult<TicketStatus> {
    Ok(convert::text(required(obj, "status")?, "status")?.parse::<TicketStatus>()?)
}

fn priority(obj: &Bound<'_, PyAny>) -> PyCrmResult<TicketPriority> {
    Ok(convert::text(required(obj, "priority")?, "priority")?.parse::<TicketPriority>()?)
}

/// An SLA target in whole minutes from an `int` (minutes), a `datetime.timedelta` (a
/// `pandas.Timedelta` too) or a `numpy.timedelta64`. A duration that is not a whole number of
/// minutes is refused rather than rounded; the core checks the range (> 0).
fn minutes(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<i64> {
    let not_whole = || {
        invalid_argument(format!(
            "{what}: must be a whole number of minutes, got {}",
            obj.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    };
    let from_delta = |d: TimeDelta| {
        let secs = d.num_seconds();
        if d.subsec_micros() != 0 || secs % 60 != 0 {
            Err(not_whole())
        } else {
            Ok(secs / 60)
        }
    };
    if obj.is_instance_of::<PyDelta>() {
        return from_delta(obj.extract::<TimeDelta>()?);
    }
    if type_name(obj) == "timedelta64" {
        let micros: i64 = obj
            .call_method1("astype", ("timedelta64[us]",))
            .and_then(|v| v.call_method1("astype", ("int64",)))
            .and_then(|v| v.extract())
            .map_err(|e| invalid_argument(format!("{what}: cannot read the timedelta64 ({e})")))?;
        if micros == i64::MIN {
            return Err(invalid_argument(format!("{what}: must not be NaT")));
        }
        if micros % MICROS_PER_MINUTE != 0 {
            return Err(not_whole());
        }
        return Ok(micros / MICROS_PER_MINUTE);
    }
    if obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyFloat>() || obj.is_none() {
        return Err(wrong_duration(obj, what));
    }
    if obj.hasattr("__index__").unwrap_or(false) {
        return convert::int(obj, what);
    }
    Err(wrong_duration(obj, what))
}

fn wrong_duration(obj: &Bound<'_, PyAny>, what: &str) -> crate::errors::PyCrmError {
    invalid_argument(format!(
        "{what}: expected a datetime.timedelta or a whole number of minutes (int), got {}",
        type_name(obj)
    ))
}

/// Open days from a list-like of day names (`"mon"`, `"Monday"` …; read by chrono).
fn days(obj: &Bound<'_, PyAny>) -> PyCrmResult<[bool; 7]> {
    let names = convert::tags(obj, "days")?;
    let mut out = [false; 7];
    for name in names {
        let day: Weekday = name.trim().parse().map_err(|_| {
            invalid_argument(format!(
                "days: unknown day {name:?} (use {})",
                DAY_NAMES.join(", ")
            ))
        })?;
        out[day.num_days_from_monday() as usize] = true;
    }
    Ok(out)
}

/// A wall-clock time (`datetime.time` without a time zone: business hours are read in the
/// store's reporting time zone).
fn wall_time(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<NaiveTime> {
    let Ok(t) = obj.cast::<PyTime>() else {
        return Err(invalid_argument(format!(
            "{what}: expected a datetime.time, got {}",
            type_name(obj)
        )));
    };
    if t.get_tzinfo().is_some() {
        return Err(invalid_argument(format!(
            "{what}: expected a time without tzinfo (business hours are read in the reporting \
             time zone)"
        )));
    }
    Ok(t.extract::<NaiveTime>()?)
}

// ---------------------------------------------------------------- classes

/// A service ticket as stored: whose (`customer_id`), the request (`subject`, `body`), how it
/// came in (`channel`), `category`, `priority`, where it is in the workflow (`status`), who works
/// on it (`assignee`), its instants (aware UTC datetimes, None where absent), its `version` and
/// the SLA deadlines still being worked towards. Read-only; the write methods return a new one.
#[pyclass(frozen, module = "crm", name = "Ticket")]
pub struct PyTicket(pub Ticket);

#[pymethods]
impl PyTicket {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// Whose ticket: the customer's id.
    #[getter]
    fn customer_id(&self) -> i64 {
        self.0.customer_id
    }

    /// One-line summary (trimmed).
    #[getter]
    fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The request in full, or None.
    #[getter]
    fn body(&self) -> Option<&str> {
        self.0.body.as_deref()
    }

    /// How the request came in: email, phone, chat, sms, social, web or in_person.
    #[getter]
    fn channel(&self) -> &'static str {
        self.0.channel.as_str()
    }

    /// Lower-case category (e.g. ``"billing"``), or None.
    #[getter]
    fn category(&self) -> Option<&str> {
        self.0.category.as_deref()
    }

    /// Urgency: low, normal, high or urgent.
    #[getter]
    fn priority(&self) -> &'static str {
        self.0.priority.as_str()
    }

    /// Where it is in the workflow: new, open, pending, resolved or closed.
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status.as_str()
    }

    /// Who works on it, or None.
    #[getter]
    fn assignee(&self) -> Option<&str> {
        self.0.assignee.as_deref()
    }

    /// When the customer raised it (aware, UTC; in the past for imported history).
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.created_at)
    }

    /// When the ticket record last changed (aware, UTC).
    #[getter]
    fn updated_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.updated_at)
    }

    /// The first public comment (the first response), or None.
    #[getter]
    fn first_response_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.first_response_at)
    }

    /// When it was resolved (cleared by a reopen), or None.
    #[getter]
    fn resolved_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.resolved_at)
    }

    /// When it was closed, or None.
    #[getter]
    fn closed_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.closed_at)
    }

    /// 1 when opened, +1 per change. Pass it back as ``expected_version``.
    #[getter]
    fn version(&self) -> i64 {
        self.0.version
    }

    /// When the first response is due while it is still awaited; None without an SLA policy.
    #[getter]
    fn first_response_due<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.first_response_due)
    }

    /// When the resolution is due while its clock runs; None without a policy, once resolved
    /// or while pending.
    #[getter]
    fn resolution_due<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.resolution_due)
    }

    /// The earlier of the pending deadlines (what the work queue orders by), or None.
    #[getter]
    fn next_due<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.next_due())
    }

    /// The ticket as a dict of its fields (``next_due`` included).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let t = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", t.id)?;
        d.set_item("customer_id", t.customer_id)?;
        d.set_item("subject", &t.subject)?;
        d.set_item("body", t.body.as_deref())?;
        d.set_item("channel", t.channel.as_str())?;
        d.set_item("category", t.category.as_deref())?;
        d.set_item("priority", t.priority.as_str())?;
        d.set_item("status", t.status.as_str())?;
        d.set_item("assignee", t.assignee.as_deref())?;
        d.set_item("created_at", datetime(py, t.created_at)?)?;
        d.set_item("updated_at", datetime(py, t.updated_at)?)?;
        d.set_item(
            "first_response_at",
            optional_datetime(py, t.first_response_at)?,
        )?;
        d.set_item("resolved_at", optional_datetime(py, t.resolved_at)?)?;
        d.set_item("closed_at", optional_datetime(py, t.closed_at)?)?;
        d.set_item("version", t.version)?;
        d.set_item(
            "first_response_due",
            optional_datetime(py, t.first_response_due)?,
        )?;
        d.set_item("resolution_due", optional_datetime(py, t.resolution_due)?)?;
        d.set_item("next_due", optional_datetime(py, t.next_due())?)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let t = &self.0;
        Ok(format!(
            "Ticket(id={}, customer_id={}, subject={}, status={}, priority={}, version={})",
            t.id,
            t.customer_id,
            t.subject.as_str().into_pyobject(py)?.repr()?,
            t.status.as_str().into_pyobject(py)?.repr()?,
            t.priority.as_str().into_pyobject(py)?.repr()?,
            t.version,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyTicket>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        // Equal tickets have the same id and version (derived deadlines move without a version
        // bump, which only makes unequal tickets share a hash).
        let mut h = DefaultHasher::new();
        (self.0.id, self.0.version).hash(&mut h);
        h.finish()
    }
}

/// A comment on a ticket as stored: the text, whether the customer sees it (``public``; the
/// earliest public comment is the ticket's first response), who wrote it and when. Read-only.
#[pyclass(frozen, module = "crm", name = "Comment")]
pub struct PyComment(pub crm_core::Comment);

#[pymethods]
impl PyComment {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// The ticket it belongs to.
    #[getter]
    fn ticket_id(&self) -> i64 {
        self.0.ticket_id
    }

    /// The text.
    #[getter]
    fn body(&self) -> &str {
        &self.0.body
    }

    /// True when the customer sees it; False for an internal note.
    #[getter]
    fn public(&self) -> bool {
        self.0.public
    }

    /// Who wrote it (by default the principal of the handle that added it).
    #[getter]
    fn author(&self) -> &str {
        &self.0.author
    }

    /// When it was written (aware, UTC).
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.at)
    }

    /// The comment as a dict of its fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", c.id)?;
        d.set_item("ticket_id", c.ticket_id)?;
        d.set_item("body", &c.body)?;
        d.set_item("public", c.public)?;
        d.set_item("author", &c.author)?;
        d.set_item("at", datetime(py, c.at)?)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = &self.0;
        Ok(format!(
            "Comment(id={}, ticket_id={}, public={}, author={}, at={})",
            c.id,
            c.ticket_id,
            if c.public { "True" } else { "False" },
            c.author.as_str().into_pyobject(py)?.repr()?,
            c.at.to_string().into_pyobject(py)?.repr()?,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyComment>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        // Comments do not change once stored.
        let mut h = DefaultHasher::new();
        self.0.id.hash(&mut h);
        h.finish()
    }
}

/// The SLA targets of one priority: time to the first public response and time to resolution
/// (``datetime.timedelta``), counted in business hours or in calendar time. Read-only.
#[pyclass(frozen, module = "crm", name = "SlaPolicy")]
pub struct PySlaPolicy(pub SlaPolicy);

#[pymethods]
impl PySlaPolicy {
    /// The priority the targets apply to.
    #[getter]
    fn priority(&self) -> &'static str {
        self.0.priority.as_str()
    }

    /// Time from creation to the first public response.
    #[getter]
    fn first_response<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDelta>> {
        timedelta(
            py,
            self.0
                .first_response_minutes
                .saturating_mul(MICROS_PER_MINUTE),
        )
    }

    /// Running resolution time allowed until resolution.
    #[getter]
    fn resolution<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDelta>> {
        timedelta(
            py,
            self.0.resolution_minutes.saturating_mul(MICROS_PER_MINUTE),
        )
    }

    /// The first-response target in minutes.
    #[getter]
    fn first_response_minutes(&self) -> i64 {
        self.0.first_response_minutes
    }

    /// The resolution target in minutes.
    #[getter]
    fn resolution_minutes(&self) -> i64 {
        self.0.resolution_minutes
    }

    /// True when only business hours count; False for calendar time.
    #[getter]
    fn business_hours(&self) -> bool {
        self.0.business_hours
    }

    /// The policy as a dict (targets as timedeltas).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("priority", self.priority())?;
        d.set_item("first_response", self.first_response(py)?)?;
        d.set_item("resolution", self.resolution(py)?)?;
        d.set_item("business_hours", self.0.business_hours)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let p = &self.0;
        format!(
            "SlaPolicy(priority='{}', first_response_minutes={}, resolution_minutes={}, \
             business_hours={})",
            p.priority.as_str(),
            p.first_response_minutes,
            p.resolution_minutes,
            if p.business_hours { "True" } else { "False" },
        )
    }

    fn __eq__(&self, other: &Bound<'_, PySlaPolicy>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.0.hash(&mut h);
        h.finish()
    }
}

/// The weekly business hours: the same window on each open day, as wall-clock times read in the
/// store's reporting time zone. Read-only.
#[pyclass(frozen, module = "crm", name = "BusinessHours")]
pub struct PyBusinessHours(pub BusinessHours);

#[pymethods]
impl PyBusinessHours {
    /// The open days, Monday first, as names: ``("mon", "tue", "wed", "thu", "fri")``.
    #[getter]
    fn days<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let open = DAY_NAMES
            .iter()
            .zip(self.0.days)
            .filter(|(_, open)| *open)
            .map(|(name, _)| *name)
            .collect::<Vec<_>>();
        PyTuple::new(py, open)
    }

    /// Opening time (``datetime.time``).
    #[getter]
    fn open<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTime>> {
        self.0.open.into_pyobject(py)
    }

    /// Closing time (``datetime.time``).
    #[getter]
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTime>> {
        self.0.close.into_pyobject(py)
    }

    /// The hours as a dict: ``days`` (a tuple of names), ``open`` and ``close``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("days", self.days(py)?)?;
        d.set_item("open", self.open(py)?)?;
        d.set_item("close", self.close(py)?)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "BusinessHours(days={}, open={}, close={})",
            self.days(py)?.repr()?,
            self.0.open.format("%H:%M"),
            self.0.close.format("%H:%M"),
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyBusinessHours>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.0.hash(&mut h);
        h.finish()
    }
}

/// The SLA state of one ticket at some instant: its deadlines (aware UTC datetimes), whether
/// each target is breached and by how much (``datetime.timedelta`` of the policy's time:
/// business time for a business-hours policy), and whether the resolution clock is paused.
/// Read-only.
#[pyclass(frozen, module = "crm", name = "SlaState")]
pub struct PySlaState(pub SlaState);

#[pymethods]
impl PySlaState {
    /// The policy measured against (the one of the ticket's current priority).
    #[getter]
    fn policy(&self) -> PySlaPolicy {
        PySlaPolicy(self.0.policy)
    }

    /// When the first response is (or was) due.
    #[getter]
    fn first_response_due<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.first_response_due)
    }

    /// The first public comment, if any by then; else None.
    #[getter]
    fn first_response_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.first_response_at)
    }

    /// True once the first-response clock stopped (a public comment, or a resolution first).
    #[getter]
    fn first_response_stopped(&self) -> bool {
        self.0.first_response_stopped
    }

    /// True when more first-response time passed than the target allows.
    #[getter]
    fn first_response_breached(&self) -> bool {
        self.0.first_response_breached
    }

    /// By how much the first-response target is missed (a timedelta), or None.
    #[getter]
    fn first_response_breach_by<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Option<Bound<'py, PyDelta>>> {
        optional_timedelta(py, self.0.first_response_breach_by)
    }

    /// When the resolution is due (the running deadline; for a resolved ticket the one in force
    /// when it was resolved; once exceeded, when it was exceeded); None while paused.
    #[getter]
    fn resolution_due<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.resolution_due)
    }

    /// When the ticket was resolved, if it is resolved or closed by then; else None.
    #[getter]
    fn resolved_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.resolved_at)
    }

    /// True when more resolution time ran than the target allows.
    #[getter]
    fn resolution_breached(&self) -> bool {
        self.0.resolution_breached
    }

    /// By how much the resolution target is missed (running time only), or None.
    #[getter]
    fn resolution_breach_by<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDelta>>> {
        optional_timedelta(py, self.0.resolution_breach_by)
    }

    /// When the resolution clock passed the target, or None.
    #[getter]
    fn resolution_breached_at<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.resolution_breached_at)
    }

    /// True while the ticket is pending: the resolution clock is stopped.
    #[getter]
    fn paused(&self) -> bool {
        self.0.paused
    }

    /// Policy time the resolution clock has run (a timedelta).
    #[getter]
    fn resolution_elapsed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDelta>> {
        timedelta(py, self.0.resolution_elapsed)
    }

    /// The state as a dict of its fields (``policy`` as a dict).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("policy", self.policy().to_dict(py)?)?;
        d.set_item("first_response_due", self.first_response_due(py)?)?;
        d.set_item("first_response_at", self.first_response_at(py)?)?;
        d.set_item("first_response_stopped", self.0.first_response_stopped)?;
        d.set_item("first_response_breached", self.0.first_response_breached)?;
        d.set_item(
            "first_response_breach_by",
            self.first_response_breach_by(py)?,
        )?;
        d.set_item("resolution_due", self.resolution_due(py)?)?;
        d.set_item("resolved_at", self.resolved_at(py)?)?;
        d.set_item("resolution_breached", self.0.resolution_breached)?;
        d.set_item("resolution_breach_by", self.resolution_breach_by(py)?)?;
        d.set_item("resolution_breached_at", self.resolution_breached_at(py)?)?;
        d.set_item("paused", self.0.paused)?;
        d.set_item("resolution_elapsed", self.resolution_elapsed(py)?)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let s = &self.0;
        let yes = |b: bool| if b { "True" } else { "False" };
        format!(
            "SlaState(priority='{}', first_response_due='{}', first_response_breached={}, \
             resolution_due={}, resolution_breached={}, paused={})",
            s.policy.priority.as_str(),
            s.first_response_due,
            yes(s.first_response_breached),
            s.resolution_due
                .map_or_else(|| "None".to_owned(), |t| format!("'{t}'")),
            yes(s.resolution_breached),
            yes(s.paused),
        )
    }

    fn __eq__(&self, other: &Bound<'_, PySlaState>) -> bool {
        self.0 == other.get().0
    }
}

// ---------------------------------------------------------------- columns

/// Tickets as columns: `id`, `customer_id`, `version` (int64); `channel`, `priority`, `status`
/// (int8 codes); `subject`, `body`, `category`, `assignee` (lists, None for none); `created_at`,
/// `updated_at`, `first_response_at`, `resolved_at`, `closed_at`, `first_response_due`,
/// `resolution_due`, `next_due` (int64 µs, NaT for none).
pub fn tickets_to_py<'py>(py: Python<'py>, rows: &[Ticket]) -> PyResult<Bound<'py, PyDict>> {
    let int = |f: &dyn Fn(&Ticket) -> i64| PyArray1::from_vec(py, rows.iter().map(f).collect());
    let codes = |f: &dyn Fn(&Ticket) -> i8| PyArray1::from_vec(py, rows.iter().map(f).collect());
    let text = |f: &dyn Fn(&Ticket) -> Option<&str>| PyList::new(py, rows.iter().map(f));
    let d = PyDict::new(py);
    d.set_item("id", int(&|t| t.id))?;
    d.set_item("customer_id", int(&|t| t.customer_id))?;
    d.set_item("subject", text(&|t| Some(t.subject.as_str()))?)?;
    d.set_item("body", text(&|t| t.body.as_deref())?)?;
    d.set_item("channel", codes(&|t| code(Channel::ALL, &t.channel)))?;
    d.set_item("category", text(&|t| t.category.as_deref())?)?;
    d.set_item(
        "priority",
        codes(&|t| code(TicketPriority::ALL, &t.priority)),
    )?;
    d.set_item("status", codes(&|t| code(TicketStatus::ALL, &t.status)))?;
    d.set_item("assignee", text(&|t| t.assignee.as_deref())?)?;
    d.set_item("created_at", int(&|t| t.created_at.as_micros()))?;
    d.set_item("updated_at", int(&|t| t.updated_at.as_micros()))?;
    d.set_item(
        "first_response_at",
        int(&|t| micros_or_nat(t.first_response_at)),
    )?;
    d.set_item("resolved_at", int(&|t| micros_or_nat(t.resolved_at)))?;
    d.set_item("closed_at", int(&|t| micros_or_nat(t.closed_at)))?;
    d.set_item("version", int(&|t| t.version))?;
    d.set_item(
        "first_response_due",
        int(&|t| micros_or_nat(t.first_response_due)),
    )?;
    d.set_item("resolution_due", int(&|t| micros_or_nat(t.resolution_due)))?;
    d.set_item("next_due", int(&|t| micros_or_nat(t.next_due())))?;
    Ok(d)
}

/// The work queue as columns: the ticket columns of `tickets_to_py`, and the SLA state at the
/// queue's "now": `first_response_breached`, `resolution_breached` (lists of bool, None without
/// a policy) and `first_response_breach_by`, `resolution_breach_by` (int64 µs, NaT when not
/// breached or without a policy).
fn queue_to_py(py: Python<'_>, entries: Vec<QueueEntry>) -> PyResult<Bound<'_, PyDict>> {
    let tickets: Vec<Ticket> = entries.iter().map(|e| e.ticket.clone()).collect();
    let d = tickets_to_py(py, &tickets)?;
    let flag = |f: &dyn Fn(&SlaState) -> bool| {
        PyList::new(py, entries.iter().map(|e| e.sla.as_ref().map(f)))
    };
    let by = |f: &dyn Fn(&SlaState) -> Option<i64>| {
        PyArray1::from_vec(
            py,
            entries
                .iter()
                .map(|e| e.sla.as_ref().and_then(f).unwrap_or(i64::MIN))
                .collect(),
        )
    };
    d.set_item(
        "first_response_breached",
        flag(&|s| s.first_response_breached)?,
    )?;
    d.set_item(
        "first_response_breach_by",
        by(&|s| s.first_response_breach_by),
    )?;
    d.set_item("resolution_breached", flag(&|s| s.resolution_breached)?)?;
    d.set_item("resolution_breach_by", by(&|s| s.resolution_breach_by))?;
    Ok(d)
}

/// Status history as columns: `from`, `to` (int8 codes; -1 for the creation entry's `from`),
/// `at` (int64 µs), `by` (list of str).
fn history_to_py(py: Python<'_>, rows: Vec<StatusChange>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    let from: Vec<i8> = rows
        .iter()
        .map(|h| h.from.map_or(-1, |f| code(TicketStatus::ALL, &f)))
        .collect();
    let to: Vec<i8> = rows
        .iter()
        .map(|h| code(TicketStatus::ALL, &h.to))
        .collect();
    let at: Vec<i64> = rows.iter().map(|h| h.at.as_micros()).collect();
    d.set_item("from", PyArray1::from_vec(py, from))?;
    d.set_item("to", PyArray1::from_vec(py, to))?;
    d.set_item("at", PyArray1::from_vec(py, at))?;
    d.set_item("by", PyList::new(py, rows.iter().map(|h| h.by.as_str()))?)?;
    Ok(d)
}

/// Breaches as columns: `ticket_id` (int64), `target` (int8 code in `SLA_TARGETS`), `due`
/// (int64 µs), `breach_by` (int64 µs of policy time).
fn breaches_to_py(py: Python<'_>, rows: Vec<Breach>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    let ids: Vec<i64> = rows.iter().map(|b| b.ticket_id).collect();
    let target: Vec<i8> = rows
        .iter()
        .map(|b| code(SlaTarget::ALL, &b.target))
        .collect();
    let due: Vec<i64> = rows.iter().map(|b| b.due.as_micros()).collect();
    let by: Vec<i64> = rows.iter().map(|b| b.breach_by).collect();
    d.set_item("ticket_id", PyArray1::from_vec(py, ids))?;
    d.set_item("target", PyArray1::from_vec(py, target))?;
    d.set_item("due", PyArray1::from_vec(py, due))?;
    d.set_item("breach_by", PyArray1::from_vec(py, by))?;
    Ok(d)
}

/// Ticket statistics as a dict: `total`, `by_status`, `by_category`, `by_priority` (lists of
/// `(name, count)` pairs; an uncategorised ticket's category is None) and the mean and median
/// times (float µs, None where no ticket has one).
fn stats_to_py(py: Python<'_>, s: TicketStats) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("total", s.total)?;
    let by_status: Vec<(&str, i64)> = s.by_status.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    let by_priority: Vec<(&str, i64)> = s
        .by_priority
        .iter()
        .map(|(k, n)| (k.as_str(), *n))
        .collect();
    d.set_item("by_status", by_status)?;
    d.set_item("by_category", s.by_category)?;
    d.set_item("by_priority", by_priority)?;
    d.set_item("mean_first_response", s.mean_first_response)?;
    d.set_item("median_first_response", s.median_first_response)?;
    d.set_item("mean_resolution", s.mean_resolution)?;
    d.set_item("median_resolution", s.median_resolution)?;
    Ok(d)
}

fn patch(changes: Option<&Bound<'_, PyDict>>) -> PyCrmResult<TicketPatch> {
    let mut p = TicketPatch::default();
    let Some(changes) = changes else {
        return Ok(p);
    };
    for (key, v) in changes.iter() {
        let key = convert::text(&key, "field name")?;
        match key.as_str() {
            "subject" => p.subject = Some(convert::text(required(&v, "subject")?, "subject")?),
            "category" => p.category = Some(convert::optional_text(Some(&v), "category")?),
            "priority" => p.priority = Some(priority(&v)?),
            "assignee" => p.assignee = Some(convert::optional_text(Some(&v), "assignee")?),
            other => {
                return Err(invalid_argument(format!(
                    "update: unknown field {other:?} (known: {UPDATABLE}; the status changes \
                     through transition)"
                )));
            }
        }
    }
    Ok(p)
}

// ---------------------------------------------------------------- Database methods

#[pymethods]
impl Database {
    /// Opens a ticket; None for `priority` / `created_at` means the core's defaults (normal,
    /// the handle's clock).
    #[pyo3(signature = (customer_id, subject, channel, body, category, priority, assignee, created_at))]
    #[allow(clippy::too_many_arguments)]
    fn open_ticket(
        &self,
        py: Python<'_>,
        customer_id: &Bound<'_, PyAny>,
        subject: &Bound<'_, PyAny>,
        channel: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
        category: &Bound<'_, PyAny>,
        priority: &Bound<'_, PyAny>,
        assignee: &Bound<'_, PyAny>,
        created_at: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyTicket> {
        let new = NewTicket {
            customer_id: convert::int(customer_id, "customer_id")?,
            subject: convert::text(required(subject, "subject")?, "subject")?,
            body: convert::optional_text(Some(body), "body")?,
            channel: convert::text(required(channel, "channel")?, "channel")?.parse::<Channel>()?,
            category: convert::optional_text(Some(category), "category")?,
            priority: if priority.is_none() {
                TicketPriority::default()
            } else {
                self::priority(priority)?
            },
            assignee: convert::optional_text(Some(assignee), "assignee")?,
            created_at: convert::timestamp(created_at, "created_at")?,
        };
        Ok(PyTicket(self.with(py, |crm| crm.tickets().open(new))?))
    }

    /// The ticket with this id.
    fn get_ticket(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyCrmResult<PyTicket> {
        let id = convert::int(id, "id")?;
        Ok(PyTicket(self.with(py, |crm| crm.tickets().get(id))?))
    }

    /// Tickets matching filter text and keyword filters, in order and page.
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_tickets(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
    ) -> PyCrmResult<Vec<PyTicket>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.tickets().find(&q))?;
        Ok(found.into_iter().map(PyTicket).collect())
    }

    /// Like `find_tickets`, as columns (see `tickets_to_py`).
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_ticket_columns<'py>(
        &self,
        py: Python<'py>,
        text: Option<&Bound<'py, PyAny>>,
        filters: Option<&Bound<'py, PyDict>>,
        order_by: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        offset: Option<&Bound<'py, PyAny>>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.tickets().find(&q))?;
        Ok(tickets_to_py(py, &found)?)
    }

    /// How many tickets match filter text and keyword filters.
    #[pyo3(signature = (text, filters))]
    fn count_tickets(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
    ) -> PyCrmResult<i64> {
        let f = filter(text, filters)?;
        self.with(py, |crm| crm.tickets().count(&f))
    }

    /// Applies `changes` (subject, category, priority, assignee) to ticket `id`.
    #[pyo3(signature = (id, changes, expected_version))]
    fn update_ticket(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        changes: Option<&Bound<'_, PyDict>>,
        expected_version: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyTicket> {
        let id = convert::int(id, "id")?;
        let p = patch(changes)?;
        let expected = convert::optional_int(Some(expected_version), "expected_version")?;
        Ok(PyTicket(
            self.with(py, |crm| crm.tickets().update(id, &p, expected))?,
        ))
    }

    /// Assigns ticket `id` (None unassigns).
    fn assign_ticket(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        assignee: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyTicket> {
        let id = convert::int(id, "id")?;
        let assignee = convert::optional_text(Some(assignee), "assignee")?;
        Ok(PyTicket(self.with(py, |crm| {
            crm.tickets().assign(id, assignee.as_deref())
        })?))
    }

    /// Moves ticket `id` to `status` at `at` (None: the handle's clock).
    fn transition_ticket(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        status: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyTicket> {
        let id = convert::int(id, "id")?;
        let to = self::status(status)?;
        let at = convert::timestamp(at, "at")?;
        Ok(PyTicket(
            self.with(py, |crm| crm.tickets().transition(id, to, at))?,
        ))
    }

    /// Reopens resolved ticket `id` at `at` (None: the handle's clock).
    fn reopen_ticket(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyTicket> {
        let id = convert::int(id, "id")?;
        let at = convert::timestamp(at, "at")?;
        Ok(PyTicket(self.with(py, |crm| crm.tickets().reopen(id, at))?))
    }

    /// Adds a comment to ticket `id`; None for `author` / `at` means the handle's principal and
    /// clock.
    #[pyo3(signature = (id, body, public, author, at))]
    fn comment_ticket(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
        public: &Bound<'_, PyAny>,
        author: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyComment> {
        let id = convert::int(id, "id")?;
        let comment = NewComment {
            body: convert::text(required(body, "body")?, "body")?,
            public: convert::flag(public, "public")?,
            author: convert::optional_text(Some(author), "author")?,
            at: convert::timestamp(at, "at")?,
        };
        Ok(PyComment(
            self.with(py, |crm| crm.tickets().comment(id, comment))?,
        ))
    }

    /// The comments of ticket `id`, oldest first.
    fn ticket_comments(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
    ) -> PyCrmResult<Vec<PyComment>> {
        let id = convert::int(id, "id")?;
        let found = self.with(py, |crm| crm.tickets().comments(id))?;
        Ok(found.into_iter().map(PyComment).collect())
    }

    /// The status history of ticket `id`, oldest first, as columns (see `history_to_py`).
    fn ticket_history_columns<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let id = convert::int(id, "id")?;
        let found = self.with(py, |crm| crm.tickets().history(id))?;
        Ok(history_to_py(py, found)?)
    }

    /// Deletes ticket `id` with its comments and history.
    fn delete_ticket(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyCrmResult<()> {
        let id = convert::int(id, "id")?;
        self.with(py, |crm| crm.tickets().delete(id))
    }

    /// Sets the SLA policy of `priority`; targets as timedeltas or whole minutes.
    fn set_sla_policy(
        &self,
        py: Python<'_>,
        priority: &Bound<'_, PyAny>,
        first_response: &Bound<'_, PyAny>,
        resolution: &Bound<'_, PyAny>,
        business_hours: &Bound<'_, PyAny>,
    ) -> PyCrmResult<()> {
        let policy = SlaPolicy {
            priority: self::priority(priority)?,
            first_response_minutes: minutes(first_response, "first_response")?,
            resolution_minutes: minutes(resolution, "resolution")?,
            business_hours: convert::flag(business_hours, "business_hours")?,
        };
        self.with(py, |crm| crm.tickets().set_sla_policy(policy))
    }

    /// Removes the SLA policy of `priority`.
    fn remove_sla_policy(&self, py: Python<'_>, priority: &Bound<'_, PyAny>) -> PyCrmResult<()> {
        let p = self::priority(priority)?;
        self.with(py, |crm| crm.tickets().remove_sla_policy(p))
    }

    /// Every SLA policy, from low to urgent.
    fn sla_policies(&self, py: Python<'_>) -> PyCrmResult<Vec<PySlaPolicy>> {
        let found = self.with(py, |crm| crm.tickets().sla_policies())?;
        Ok(found.into_iter().map(PySlaPolicy).collect())
    }

    /// Sets the business hours: `days` (a list of day names), `open` and `close`
    /// (`datetime.time`, wall-clock in the reporting time zone).
    fn set_business_hours(
        &self,
        py: Python<'_>,
        days: &Bound<'_, PyAny>,
        open: &Bound<'_, PyAny>,
        close: &Bound<'_, PyAny>,
    ) -> PyCrmResult<()> {
        let hours = BusinessHours::new(
            self::days(days)?,
            wall_time(open, "open")?,
            wall_time(close, "close")?,
        );
        self.with(py, |crm| crm.tickets().set_business_hours(hours))
    }

    /// The business hours.
    fn business_hours(&self, py: Python<'_>) -> PyCrmResult<PyBusinessHours> {
        Ok(PyBusinessHours(
            self.with(py, |crm| crm.tickets().business_hours())?,
        ))
    }

    /// The SLA state of ticket `id` at `now` (None: the handle's clock); None without a policy.
    fn ticket_sla(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyCrmResult<Option<PySlaState>> {
        let id = convert::int(id, "id")?;
        let now = convert::timestamp(now, "now")?;
        let state = self.with(py, |crm| crm.tickets().sla(id, now))?;
        Ok(state.map(PySlaState))
    }

    /// The work queue (up to `limit` tickets, None for all) at `now`, as columns (see
    /// `queue_to_py`).
    fn ticket_queue_columns<'py>(
        &self,
        py: Python<'py>,
        limit: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let limit = convert::optional_count(Some(limit), "limit")?
            .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
        let now = convert::timestamp(now, "now")?;
        let entries = self.with(py, |crm| crm.tickets().queue(limit, now))?;
        Ok(queue_to_py(py, entries)?)
    }

    /// Every breached SLA target at `now` (None: the handle's clock), as columns (see
    /// `breaches_to_py`).
    fn sla_breach_columns<'py>(
        &self,
        py: Python<'py>,
        now: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let now = convert::timestamp(now, "now")?;
        let found = self.with(py, |crm| crm.tickets().breaches(now))?;
        Ok(breaches_to_py(py, found)?)
    }

    /// Counts and response times over the tickets matching filter text and keyword filters
    /// (see `stats_to_py`).
    #[pyo3(signature = (text, filters))]
    fn ticket_stats<'py>(
        &self,
        py: Python<'py>,
        text: Option<&Bound<'py, PyAny>>,
        filters: Option<&Bound<'py, PyDict>>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let f = filter(text, filters)?;
        let stats = self.with(py, |crm| crm.tickets().stats(&f))?;
        Ok(stats_to_py(py, stats)?)
    }
}
