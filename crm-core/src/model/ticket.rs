//! Service tickets: priority, the status workflow, comments and status history.
//!
//! A ticket moves through a small state machine:
//!
//! ```text
//!   New ──► Open ◄──► Pending
//!    │  ╲     │  ▲       │
//!    │   ╲    ▼  │reopen │
//!    │    ╲► Resolved ◄──┘
//!    └──────►   │
//!               ▼
//!            Closed (final)
//! ```
//!
//! `Closed` is final: a customer who comes back about a closed matter gets a new ticket (a
//! follow-up), so the closed ticket's history and SLA figures stay as they were reported.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::field::{FieldSpec, FieldType};
use super::interaction::{Channel, MAX_BODY_BYTES, MAX_SUBJECT_LEN};
use super::text::{optional, required_text};
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// How urgent a ticket is. Ordered by rank: `Low < Normal < High < Urgent`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TicketPriority {
    /// Can wait.
    Low,
    /// The default.
    #[default]
    Normal,
    /// Ahead of normal work.
    High,
    /// Drop everything.
    Urgent,
}

vocabulary!(TicketPriority, "priority", [Low => "low", Normal => "normal", High => "high", Urgent => "urgent"]);

impl TicketPriority {
    /// The rank stored beside the name so that SQL can sort and compare by urgency: 0 (low) to
    /// 3 (urgent).
    pub fn rank(self) -> i64 {
        match self {
            TicketPriority::Low => 0,
            TicketPriority::Normal => 1,
            TicketPriority::High => 2,
            TicketPriority::Urgent => 3,
        }
    }

    /// The priority of a rank, if the rank is one.
    pub fn from_rank(rank: i64) -> Option<TicketPriority> {
        TicketPriority::ALL
            .iter()
            .copied()
            .find(|p| p.rank() == rank)
    }
}

/// Where a ticket is in its workflow.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Just opened; nobody has picked it up.
    #[default]
    New,
    /// Being worked on.
    Open,
    /// Waiting on the customer (the resolution clock stops).
    Pending,
    /// Solved; the customer may still come back (reopen).
    Resolved,
    /// Final. A follow-up is a new ticket.
    Closed,
}

vocabulary!(TicketStatus, "status", [New => "new", Open => "open", Pending => "pending", Resolved => "resolved", Closed => "closed"]);

impl TicketStatus {
    /// True when the workflow allows moving from `self` to `to`. Staying in the same state is not
    /// a transition.
    pub fn can_transition(self, to: TicketStatus) -> bool {
        use TicketStatus::*;
        matches!(
            (self, to),
            (New, Open)
                | (New, Pending)
                | (New, Resolved)
                | (Open, Pending)
                | (Open, Resolved)
                | (Pending, Open)
                | (Pending, Resolved)
                | (Resolved, Closed)
                | (Resolved, Open)
        )
    }

    /// `Ok` when the workflow allows moving from `self` to `to`; otherwise
    /// [`Error::IllegalTransition`] naming both states.
    pub fn check_transition(self, to: TicketStatus) -> Result<()> {
        if self.can_transition(to) {
            Ok(())
        } else {
            Err(Error::IllegalTransition {
                entity: "ticket",
                from: self.as_str().to_owned(),
                to: to.as_str().to_owned(),
            })
        }
    }

    /// True for New, Open and Pending: the ticket counts as an open ticket.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            TicketStatus::New | TicketStatus::Open | TicketStatus::Pending
        )
    }

    /// True for Closed, which no transition leaves.
    pub fn is_final(self) -> bool {
        self == TicketStatus::Closed
    }
}

/// Longest category accepted, in characters.
pub const MAX_CATEGORY_LEN: usize = 100;

/// Normalises a category: trimmed, lower-cased, 1 to 100 characters without control characters.
pub fn normalize_category(raw: &str) -> Result<String> {
    let t = required_text("category", raw)?.to_lowercase();
    if t.chars().count() > MAX_CATEGORY_LEN {
        return Err(Error::invalid(
            "category",
            raw,
            format!("must be at most {MAX_CATEGORY_LEN} characters"),
        ));
    }
    Ok(t)
}

fn normalize_subject(raw: &str) -> Result<String> {
    if raw.trim().chars().count() > MAX_SUBJECT_LEN {
        return Err(Error::invalid(
            "subject",
            raw,
            format!("must be at most {MAX_SUBJECT_LEN} characters"),
        ));
    }
    required_text("subject", raw)
}

/// Checks free text: at most 1 MiB, no NUL characters. Returns `None` for blank text.
fn normalize_body(field: &str, body: &str) -> Result<Option<String>> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Error::invalid(
            field,
            format!("{} bytes", body.len()),
            "must be at most 1 MiB",
        ));
    }
    if body.contains('\0') {
        return Err(Error::invalid(field, "", "must not contain NUL characters"));
    }
    Ok((!body.trim().is_empty()).then(|| body.to_owned()))
}

/// Checks a caller-given record time: representable, and not later than `now` (history is
/// imported, never scheduled).
pub(crate) fn check_past(field: &str, t: Timestamp, now: Timestamp) -> Result<()> {
    if !t.is_supported() {
        return Err(Error::invalid(
            field,
            t.as_micros().to_string(),
            "must be between 0001-01-01 and 9999-12-31",
        ));
    }
    if t > now {
        return Err(Error::invalid(
            field,
            t.to_string(),
            format!("must not be in the future (now is {now})"),
        ));
    }
    Ok(())
}

/// A ticket as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// The store's id.
    pub id: i64,
    /// Whose ticket.
    pub customer_id: i64,
    /// One-line summary.
    pub subject: String,
    /// The request in full (personal data).
    pub body: Option<String>,
    /// How the request came in.
    pub channel: Channel,
    /// Lower-case category, e.g. `billing`.
    pub category: Option<String>,
    /// Urgency.
    pub priority: TicketPriority,
    /// Where it is in the workflow.
    pub status: TicketStatus,
    /// Who works on it.
    pub assignee: Option<String>,
    /// When the customer raised it (in the past for imported history).
    pub created_at: Timestamp,
    /// When the ticket record last changed (the handle's clock).
    pub updated_at: Timestamp,
    /// The first public comment (the first response to the customer).
    pub first_response_at: Option<Timestamp>,
    /// When it was resolved; cleared by a reopen.
    pub resolved_at: Option<Timestamp>,
    /// When it was closed.
    pub closed_at: Option<Timestamp>,
    /// Starts at 1; every change of the ticket adds 1. Pass it back as `expected_version`.
    pub version: i64,
    /// When the first response is due, while it is still awaited (`None` without an SLA policy).
    pub first_response_due: Option<Timestamp>,
    /// When the resolution is due, while the resolution clock runs (`None` without a policy,
    /// once resolved, or while pending).
    pub resolution_due: Option<Timestamp>,
}

impl Ticket {
    /// The earlier of the pending due times: what the work queue orders by.
    pub fn next_due(&self) -> Option<Timestamp> {
        match (self.first_response_due, self.resolution_due) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

impl crate::model::audit::Audited for Ticket {
    fn audit_values(&self) -> crate::model::audit::AuditValues {
        use serde_json::Value as Json;
        let opt = |v: &Option<String>| v.clone().map_or(Json::Null, Json::String);
        let time = |v: Option<Timestamp>| v.map_or(Json::Null, |t| Json::from(t.as_micros()));
        vec![
            ("customer_id", Json::from(self.customer_id), false),
            ("subject", Json::from(self.subject.clone()), true),
            ("body", opt(&self.body), true),
            ("channel", Json::from(self.channel.as_str()), false),
            ("category", opt(&self.category), false),
            ("priority", Json::from(self.priority.as_str()), false),
            ("status", Json::from(self.status.as_str()), false),
            ("assignee", opt(&self.assignee), false),
            ("created_at", Json::from(self.created_at.as_micros()), false),
            ("first_response_at", time(self.first_response_at), false),
            ("resolved_at", time(self.resolved_at), false),
            ("closed_at", time(self.closed_at), false),
        ]
    }
}

/// A ticket to open.
///
/// ```
/// use crm_core::{Channel, NewTicket, TicketPriority};
/// let t = NewTicket::new(7, "Parcel never arrived", Channel::Email)
///     .category("Delivery")
///     .priority(TicketPriority::High);
/// assert_eq!(t.customer_id, 7);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTicket {
    /// Whose ticket (must exist).
    pub customer_id: i64,
    /// One-line summary (required, at most 500 characters; trimmed).
    pub subject: String,
    /// The request in full (at most 1 MiB).
    pub body: Option<String>,
    /// How the request came in.
    pub channel: Channel,
    /// Category (trimmed, lower-cased, 1–100 characters).
    pub category: Option<String>,
    /// Urgency (default normal).
    pub priority: TicketPriority,
    /// Who works on it.
    pub assignee: Option<String>,
    /// When the customer raised it; `None` means now. Imported history passes a past instant.
    pub created_at: Option<Timestamp>,
}

impl NewTicket {
    /// A normal-priority ticket for `customer_id`, raised now.
    pub fn new(customer_id: i64, subject: impl Into<String>, channel: Channel) -> NewTicket {
        NewTicket {
            customer_id,
            subject: subject.into(),
            body: None,
            channel,
            category: None,
            priority: TicketPriority::default(),
            assignee: None,
            created_at: None,
        }
    }
    /// Sets the body.
    pub fn body(mut self, v: impl Into<String>) -> Self {
        self.body = Some(v.into());
        self
    }
    /// Sets the category.
    pub fn category(mut self, v: impl Into<String>) -> Self {
        self.category = Some(v.into());
        self
    }
    /// Sets the priority.
    pub fn priority(mut self, v: TicketPriority) -> Self {
        self.priority = v;
        self
    }
    /// Sets the assignee.
    pub fn assignee(mut self, v: impl Into<String>) -> Self {
        self.assignee = Some(v.into());
        self
    }
    /// Sets when the customer raised it (imported history).
    pub fn at(mut self, t: Timestamp) -> Self {
        self.created_at = Some(t);
        self
    }

    /// Validates and normalises in place; `now` bounds `created_at` (no tickets from the future).
    pub fn normalize(&mut self, now: Timestamp) -> Result<()> {
        self.subject = normalize_subject(&self.subject)?;
        self.body = match &self.body {
            Some(b) => normalize_body("body", b)?,
            None => None,
        };
        self.category = optional(&self.category, normalize_category)?;
        self.assignee = optional(&self.assignee, |t| required_text("assignee", t))?;
        if let Some(t) = self.created_at {
            check_past("created_at", t, now)?;
        }
        Ok(())
    }
}

/// A partial update of a ticket's descriptive fields: fields left `None` are not touched;
/// `Some(None)` clears an optional one. Status changes go through transitions, not patches.
///
/// ```
/// use crm_core::{TicketPatch, TicketPriority};
/// let p = TicketPatch::default().priority(TicketPriority::Urgent).category(None::<String>);
/// assert_eq!(p.category, Some(None));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketPatch {
    /// New subject.
    pub subject: Option<String>,
    /// New category, or `Some(None)` to clear it.
    pub category: Option<Option<String>>,
    /// New priority (the SLA deadlines follow).
    pub priority: Option<TicketPriority>,
    /// New assignee, or `Some(None)` to unassign.
    pub assignee: Option<Option<String>>,
}

impl TicketPatch {
    /// Sets the subject.
    pub fn subject(mut self, v: impl Into<String>) -> Self {
        self.subject = Some(v.into());
        self
    }
    /// Sets the category (`None` clears it).
    pub fn category(mut self, v: Option<impl Into<String>>) -> Self {
        self.category = Some(v.map(Into::into));
        self
    }
    /// Sets the priority.
    pub fn priority(mut self, v: TicketPriority) -> Self {
        self.priority = Some(v);
        self
    }
    /// Sets the assignee (`None` unassigns).
    pub fn assignee(mut self, v: Option<impl Into<String>>) -> Self {
        self.assignee = Some(v.map(Into::into));
        self
    }

    /// True when the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.subject.is_none()
            && self.category.is_none()
            && self.priority.is_none()
            && self.assignee.is_none()
    }

    /// Applies the patch to `current`, validating each new value; returns the changed ticket
    /// (version, `updated_at` and due times are the caller's to set). With `expected_version`,
    /// a ticket at another version is refused with [`Error::Conflict`].
    pub fn apply(&self, current: &Ticket, expected_version: Option<i64>) -> Result<Ticket> {
        if let Some(v) = expected_version
            && v != current.version
        {
            return Err(Error::Conflict {
                entity: "ticket",
                id: current.id,
                expected: v,
                actual: current.version,
            });
        }
        let mut next = current.clone();
        if let Some(s) = &self.subject {
            next.subject = normalize_subject(s)?;
        }
        if let Some(c) = &self.category {
            next.category = optional(c, normalize_category)?;
        }
        if let Some(p) = self.priority {
            next.priority = p;
        }
        if let Some(a) = &self.assignee {
            next.assignee = optional(a, |t| required_text("assignee", t))?;
        }
        Ok(next)
    }
}

/// A comment to add to a ticket.
///
/// ```
/// use crm_core::NewComment;
/// let c = NewComment::new("Looking into it").internal();
/// assert!(!c.public);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewComment {
    /// The text (required, at most 1 MiB).
    pub body: String,
    /// Visible to the customer (default). The first public comment is the ticket's first response.
    pub public: bool,
    /// Who wrote it; `None` means the handle's principal.
    pub author: Option<String>,
    /// When it was written; `None` means now. Imported history passes a past instant.
    pub at: Option<Timestamp>,
}

impl NewComment {
    /// A public comment by the handle's principal, now.
    pub fn new(body: impl Into<String>) -> NewComment {
        NewComment {
            body: body.into(),
            public: true,
            author: None,
            at: None,
        }
    }
    /// Makes it an internal note (not a response to the customer).
    pub fn internal(mut self) -> Self {
        self.public = false;
        self
    }
    /// Sets whether the customer sees it.
    pub fn public(mut self, v: bool) -> Self {
        self.public = v;
        self
    }
    /// Sets the author.
    pub fn author(mut self, v: impl Into<String>) -> Self {
        self.author = Some(v.into());
        self
    }
    /// Sets when it was written (imported history).
    pub fn at(mut self, t: Timestamp) -> Self {
        self.at = Some(t);
        self
    }

    /// Validates and normalises in place; `now` bounds `at`.
    pub fn normalize(&mut self, now: Timestamp) -> Result<()> {
        match normalize_body("body", &self.body)? {
            Some(b) => self.body = b,
            None => return Err(Error::invalid("body", &self.body, "must not be empty")),
        }
        self.author = optional(&self.author, |t| required_text("author", t))?;
        if let Some(t) = self.at {
            check_past("at", t, now)?;
        }
        Ok(())
    }
}

/// A comment as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    /// The store's id.
    pub id: i64,
    /// The ticket it belongs to.
    pub ticket_id: i64,
    /// The text (personal data).
    pub body: String,
    /// Visible to the customer.
    pub public: bool,
    /// Who wrote it.
    pub author: String,
    /// When it was written.
    pub at: Timestamp,
}

/// One step of a ticket's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// The ticket.
    pub ticket_id: i64,
    /// The state left (`None` for the creation entry).
    pub from: Option<TicketStatus>,
    /// The state entered.
    pub to: TicketStatus,
    /// When.
    pub at: Timestamp,
    /// Who made the change (the handle's principal).
    pub by: String,
}

/// A work-queue entry: the ticket and its SLA state (when its priority has a policy).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    /// The ticket.
    pub ticket: Ticket,
    /// Its SLA state at the queue's `now`.
    pub sla: Option<super::sla::SlaState>,
}

/// Counts and response times over a set of tickets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TicketStats {
    /// How many tickets.
    pub total: i64,
    /// Tickets per status, every status in workflow order (zeros included).
    pub by_status: Vec<(TicketStatus, i64)>,
    /// Tickets per category, by category name; uncategorised (`None`) last.
    pub by_category: Vec<(Option<String>, i64)>,
    /// Tickets per priority, every priority from low to urgent (zeros included).
    pub by_priority: Vec<(TicketPriority, i64)>,
    /// Mean calendar time from creation to first response, µs (`None` when no ticket has one).
    pub mean_first_response: Option<f64>,
    /// Median calendar time from creation to first response, µs.
    pub median_first_response: Option<f64>,
    /// Mean calendar time from creation to resolution, µs, over tickets with a `resolved_at`.
    pub mean_resolution: Option<f64>,
    /// Median calendar time from creation to resolution, µs.
    pub median_resolution: Option<f64>,
}

/// Mean and median of `values` (`None` for none). Sorts `values`.
pub(crate) fn mean_median(values: &mut [i64]) -> (Option<f64>, Option<f64>) {
    if values.is_empty() {
        return (None, None);
    }
    values.sort_unstable();
    let n = values.len();
    // Sum in i128: thousands of multi-year durations in µs would overflow i64.
    let sum: i128 = values.iter().map(|&v| i128::from(v)).sum();
    let mean = sum as f64 / n as f64;
    let median = if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] as f64 + values[n / 2] as f64) / 2.0
    };
    (Some(mean), Some(median))
}

/// The ticket fields filters and sort orders may name. `priority` compares by rank
/// (`priority >= 'high'` means high or urgent) and sorts by rank.
pub const TICKET_FIELDS: &[FieldSpec] = &[
    FieldSpec::builtin("id", FieldType::Integer),
    FieldSpec::builtin("customer_id", FieldType::Integer),
    FieldSpec::builtin("subject", FieldType::Text),
    FieldSpec::builtin("channel", FieldType::Enum(Channel::NAMES)),
    FieldSpec::builtin("category", FieldType::Text),
    FieldSpec::builtin("priority", FieldType::Enum(TicketPriority::NAMES)),
    FieldSpec::builtin("status", FieldType::Enum(TicketStatus::NAMES)),
    FieldSpec::builtin("assignee", FieldType::Text),
    FieldSpec::builtin("created_at", FieldType::Timestamp),
    FieldSpec::builtin("updated_at", FieldType::Timestamp),
    FieldSpec::builtin("first_response_at", FieldType::Timestamp),
    FieldSpec::builtin("resolved_at", FieldType::Timestamp),
    FieldSpec::builtin("closed_at", FieldType::Timestamp),
    FieldSpec::builtin("next_due", FieldType::Timestamp),
];

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    #[test]
    fn priorities_order_by_rank() {
        assert!(TicketPriority::Urgent > TicketPriority::Low);
        assert!(TicketPriority::High > TicketPriority::Normal);
        assert_eq!(TicketPriority::default(), TicketPriority::Normal);
        for p in TicketPriority::ALL {
            assert_eq!(TicketPriority::from_rank(p.rank()), Some(*p));
        }
        assert_eq!(TicketPriority::from_rank(4), None);
        assert_eq!(
            "URGENT".parse::<TicketPriority>().unwrap(),
            TicketPriority::Urgent
        );
        assert!("asap".parse::<TicketPriority>().is_err());
    }

    #[test]
    fn the_workflow() {
        let allowed = [
            (New, Open),
            (New, Pending),
            (New, Resolved),
            (Open, Pending),
            (Open, Resolved),
            (Pending, Open),
            (Pending, Resolved),
            (Resolved, Closed),
            (Resolved, Open),
        ];
        for from in TicketStatus::ALL {
            for to in TicketStatus::ALL {
                let ok = allowed.contains(&(*from, *to));
                assert_eq!(from.can_transition(*to), ok, "{from} -> {to}");
                assert_eq!(from.check_transition(*to).is_ok(), ok, "{from} -> {to}");
            }
        }
        let e = Closed.check_transition(Open).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::IllegalTransition);
        assert_eq!(
            e.to_string(),
            "illegal ticket transition from closed to open"
        );
        assert!(
            Open.check_transition(Open).is_err(),
            "same state is refused"
        );
        assert!(New.check_transition(Closed).is_err());
        assert_eq!(
            TicketStatus::ALL
                .iter()
                .filter(|s| s.is_active())
                .collect::<Vec<_>>(),
            [&New, &Open, &Pending]
        );
        assert!(Closed.is_final() && !Resolved.is_final());
    }

    #[test]
    fn new_tickets_are_normalised() {
        let now = Timestamp::from_micros(1_000_000);
        let mut t = NewTicket::new(1, "  Broken  ", Channel::Chat)
            .category("  Billing ")
            .assignee("  ")
            .body(" ");
        t.normalize(now).unwrap();
        assert_eq!(t.subject, "Broken");
        assert_eq!(t.category.as_deref(), Some("billing"));
        assert_eq!((t.assignee, t.body), (None, None));

        let bad = |t: NewTicket| {
            let mut t = t;
            t.normalize(now).unwrap_err()
        };
        let e = bad(NewTicket::new(1, "  ", Channel::Chat));
        assert!(e.to_string().contains("subject"), "{e}");
        let e = bad(NewTicket::new(1, "x".repeat(501), Channel::Chat));
        assert!(e.to_string().contains("at most 500"), "{e}");
        let e = bad(NewTicket::new(1, "s", Channel::Chat).category("c".repeat(101)));
        assert!(e.to_string().contains("at most 100"), "{e}");
        let e = bad(NewTicket::new(1, "s", Channel::Chat).body("b".repeat(MAX_BODY_BYTES + 1)));
        assert!(e.to_string().contains("1 MiB"), "{e}");
        let e = bad(NewTicket::new(1, "s", Channel::Chat).at(Timestamp::from_micros(1_000_001)));
        assert!(e.to_string().contains("future"), "{e}");
        let e = bad(NewTicket::new(1, "s", Channel::Chat).at(Timestamp::from_micros(i64::MIN)));
        assert!(e.to_string().contains("created_at"), "{e}");
        let mut ok = NewTicket::new(1, "s", Channel::Chat).at(now);
        assert!(ok.normalize(now).is_ok(), "now itself is not the future");
    }

    fn ticket() -> Ticket {
        Ticket {
            id: 9,
            customer_id: 1,
            subject: "s".into(),
            body: None,
            channel: Channel::Email,
            category: Some("billing".into()),
            priority: TicketPriority::Normal,
            status: New,
            assignee: Some("li".into()),
            created_at: Timestamp::from_micros(0),
            updated_at: Timestamp::from_micros(0),
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            version: 3,
            first_response_due: Some(Timestamp::from_micros(50)),
            resolution_due: Some(Timestamp::from_micros(20)),
        }
    }

    #[test]
    fn patches() {
        let t = ticket();
        assert_eq!(t.next_due(), Some(Timestamp::from_micros(20)));
        let p = TicketPatch::default()
            .category(None::<String>)
            .assignee(Some(" wu "))
            .priority(TicketPriority::High)
            .subject(" New subject ");
        let next = p.apply(&t, Some(3)).unwrap();
        assert_eq!(next.category, None);
        assert_eq!(next.assignee.as_deref(), Some("wu"));
        assert_eq!(next.priority, TicketPriority::High);
        assert_eq!(next.subject, "New subject");
        let e = p.apply(&t, Some(2)).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::Conflict);
        assert!(TicketPatch::default().subject(" ").apply(&t, None).is_err());
        assert!(TicketPatch::default().is_empty() && !p.is_empty());
    }

    #[test]
    fn comments_need_a_body() {
        let now = Timestamp::from_micros(10);
        let mut c = NewComment::new("   ");
        assert!(c.normalize(now).is_err());
        let mut c = NewComment::new(" hi ").author(" li ").at(now);
        c.normalize(now).unwrap();
        assert_eq!(
            (c.body.as_str(), c.author.as_deref(), c.public),
            (" hi ", Some("li"), true)
        );
        let mut c = NewComment::new("hi").at(Timestamp::from_micros(11));
        assert!(c.normalize(now).is_err());
    }

    #[test]
    fn mean_and_median() {
        assert_eq!(mean_median(&mut []), (None, None));
        assert_eq!(mean_median(&mut [5, 1, 3]), (Some(3.0), Some(3.0)));
        assert_eq!(mean_median(&mut [10, 1, 3, 2]), (Some(4.0), Some(2.5)));
    }
}
