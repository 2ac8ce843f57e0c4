//! Service tickets of a handle: `crm.tickets().open(NewTicket::new(…))`, the status workflow,
//! comments, SLA policies and business hours, the work queue, breaches and statistics.
//!
//! Every write is one transaction that also records the audit trail and refreshes the ticket's
//! stored SLA deadlines (`first_response_due`, `resolution_due`, `next_due`), so the work queue
//! can order in SQL. Deadlines are computed in the handle's reporting time zone.

use std::collections::HashMap;

use rusqlite::Connection;
use serde_json::Value as Json;

use crate::crm::Crm;
use crate::error::{Error, Result};
use crate::model::audit::{AuditAction, Change, created, deleted, updated};
use crate::model::filter::Filter;
use crate::model::interaction::{InteractionKind, NewInteraction};
use crate::model::query::Query;
use crate::model::sla::{Breach, BusinessHours, SlaPolicy, SlaState, sla_state};
use crate::model::ticket::{
    Comment, NewComment, NewTicket, QueueEntry, StatusChange, Ticket, TicketPatch, TicketPriority,
    TicketStats, TicketStatus, check_past,
};
use crate::store::{audit, interactions as interaction_store, tickets as store};
use crate::time::Timestamp;

/// Ticket operations on one handle. Each call is one transaction; a failed write changes nothing.
#[derive(Debug, Clone, Copy)]
pub struct Tickets<'a> {
    crm: &'a Crm,
}

impl<'a> Tickets<'a> {
    pub(crate) fn new(crm: &'a Crm) -> Tickets<'a> {
        Tickets { crm }
    }

    /// The instant an SLA view is computed at: `now`, or the handle's clock. Must be in the
    /// supported range (years 1 to 9999), which also bounds the business-time arithmetic.
    fn as_of(&self, now: Option<Timestamp>) -> Result<Timestamp> {
        let now = now.unwrap_or_else(|| self.crm.now());
        if !now.is_supported() {
            return Err(Error::invalid(
                "now",
                now.as_micros().to_string(),
                "must be between 0001-01-01 and 9999-12-31",
            ));
        }
        Ok(now)
    }

    /// Who the history and comments name: the handle's principal.
    fn who(&self) -> &str {
        &self.crm.principal().name
    }

    fn audit_ticket(
        &self,
        conn: &Connection,
        now: Timestamp,
        ticket: &Ticket,
        action: AuditAction,
        changes: &[Change],
    ) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        audit::record(
            conn,
            &self.crm.author(now),
            "ticket",
            Some(ticket.id),
            action,
            changes,
            Some(ticket.customer_id),
        )
    }

    /// The SLA state of `ticket` under the store's policy for its priority (`None` without one),
    /// at the instant `at` picks from the ticket's history.
    fn state_of(
        &self,
        conn: &Connection,
        ticket: &Ticket,
        at: impl FnOnce(&[StatusChange]) -> Timestamp,
    ) -> Result<Option<SlaState>> {
        let Some(policy) = store::policy(conn, ticket.priority)? else {
            return Ok(None);
        };
        let history = store::history(conn, ticket.id)?;
        let hours = store::business_hours(conn)?;
        let now = at(&history);
        Ok(Some(sla_state(
            &policy,
            &hours,
            self.crm.time_zone(),
            ticket.created_at,
            ticket.first_response_at,
            &history,
            now,
        )))
    }

    /// Recomputes and stores the pending deadlines of ticket `id`; returns the ticket as stored.
    fn refresh(&self, conn: &Connection, id: i64, now: Timestamp) -> Result<Ticket> {
        let mut ticket = store::get(conn, id)?;
        // The deadlines do not depend on "now", but the state only sees history up to it: look
        // from the latest recorded instant so nothing is cut off.
        let first_response = ticket.first_response_at;
        let latest = |history: &[StatusChange]| {
            history
                .iter()
                .map(|h| h.at)
                .chain(first_response)
                .fold(now, Timestamp::max)
        };
        let (first, resolution) = match self.state_of(conn, &ticket, latest)? {
            Some(state) => state.pending_dues(ticket.status),
            None => (None, None),
        };
        if (first, resolution) != (ticket.first_response_due, ticket.resolution_due) {
            store::set_dues(conn, id, first, resolution)?;
            ticket.first_response_due = first;
            ticket.resolution_due = resolution;
        }
        Ok(ticket)
    }

    /// Recomputes the deadlines of every active ticket (after a policy or business-hours change).
    fn refresh_active(&self, conn: &Connection, now: Timestamp) -> Result<()> {
        for id in store::active_ids(conn)? {
            self.refresh(conn, id, now)?;
        }
        Ok(())
    }

    /// Opens a ticket (status New; the history starts with `None → New` at its `created_at`), and
    /// puts the request on the customer's timeline as an inbound message linked to the ticket.
    /// `NOT_FOUND` for an unknown customer; `INVALID_INPUT` for a bad field or a `created_at` in
    /// the future.
    pub fn open(&self, mut ticket: NewTicket) -> Result<Ticket> {
        let now = self.crm.now();
        ticket.normalize(now)?;
        let created_at = ticket.created_at.unwrap_or(now);
        self.crm.store().write(|conn| {
            let id = store::insert(conn, &ticket, created_at, now)?;
            store::add_history(conn, id, None, TicketStatus::New, created_at, self.who())?;
            let t = self.refresh(conn, id, now)?;
            self.audit_ticket(conn, now, &t, AuditAction::Create, &created(&t))?;
            // The request shows on the customer's timeline, linked to its ticket.
            let request = NewInteraction::new(t.customer_id, t.channel)
                .kind(InteractionKind::Message)
                .subject(t.subject.clone())
                .at(created_at)
                .ticket(t.id);
            interaction_store::insert(conn, &[request], now)?;
            Ok(t)
        })
    }

    /// The ticket with this id (`NOT_FOUND` if none).
    pub fn get(&self, id: i64) -> Result<Ticket> {
        store::get(&self.crm.store().conn, id)
    }

    /// Tickets matching the query, in its order and page. `priority` compares and sorts by rank
    /// (`Filter::ge("priority", "high")` is high and urgent).
    pub fn find(&self, query: &Query) -> Result<Vec<Ticket>> {
        store::find(&self.crm.store().conn, query, self.crm.time_zone())
    }

    /// How many tickets match.
    pub fn count(&self, filter: &Filter) -> Result<i64> {
        store::count(&self.crm.store().conn, filter, self.crm.time_zone())
    }

    /// Applies a partial update (subject, category, priority, assignee). The version goes up by
    /// one when anything changed; a priority change moves the SLA deadlines. With
    /// `expected_version`, a ticket changed meanwhile is refused with `CONFLICT`.
    pub fn update(
        &self,
        id: i64,
        patch: &TicketPatch,
        expected_version: Option<i64>,
    ) -> Result<Ticket> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let before = store::get(conn, id)?;
            let after = patch.apply(&before, expected_version)?;
            if after == before {
                return Ok(before);
            }
            store::save(conn, &before, &after, now)?;
            let t = self.refresh(conn, id, now)?;
            self.audit_ticket(conn, now, &t, AuditAction::Update, &updated(&before, &t))?;
            Ok(t)
        })
    }

    /// Assigns the ticket (`None` unassigns).
    pub fn assign(&self, id: i64, assignee: Option<&str>) -> Result<Ticket> {
        self.update(id, &TicketPatch::default().assignee(assignee), None)
    }

    /// Moves the ticket to `to` at `at` (default now), recording the history entry.
    ///
    /// `ILLEGAL_TRANSITION` (naming both states) when the workflow does not allow it;
    /// `INVALID_INPUT` when `at` is in the future or earlier than the last status change ("out
    /// of order"). Resolving sets `resolved_at`, closing sets `closed_at`, a reopen
    /// (Resolved → Open) clears `resolved_at`.
    pub fn transition(&self, id: i64, to: TicketStatus, at: Option<Timestamp>) -> Result<Ticket> {
        self.transition_inner(id, to, at, false)
    }

    /// Reopens a resolved ticket (Resolved → Open) at `at` (default now); its resolution clock
    /// continues from where it stopped. A closed ticket cannot be reopened
    /// (`ILLEGAL_TRANSITION`): open a follow-up ticket. A ticket that is not resolved is refused
    /// with `ILLEGAL_TRANSITION` (open) or `INVALID_INPUT` (new, pending: use
    /// [`transition`](Self::transition)).
    pub fn reopen(&self, id: i64, at: Option<Timestamp>) -> Result<Ticket> {
        self.transition_inner(id, TicketStatus::Open, at, true)
    }

    fn transition_inner(
        &self,
        id: i64,
        to: TicketStatus,
        at: Option<Timestamp>,
        reopen_only: bool,
    ) -> Result<Ticket> {
        let now = self.crm.now();
        let at = at.unwrap_or(now);
        self.crm.store().write(|conn| {
            let before = store::get(conn, id)?;
            before.status.check_transition(to)?;
            if reopen_only && before.status != TicketStatus::Resolved {
                return Err(Error::invalid(
                    "status",
                    before.status.as_str(),
                    "only a resolved ticket can be reopened",
                ));
            }
            check_past("at", at, now)?;
            if let Some(last) = store::history(conn, id)?.last()
                && at < last.at
            {
                return Err(Error::invalid(
                    "at",
                    at.to_string(),
                    format!(
                        "out of order: before the ticket's last status change ({} at {})",
                        last.to, last.at
                    ),
                ));
            }
            let mut after = before.clone();
            after.status = to;
            match to {
                TicketStatus::Resolved => after.resolved_at = Some(at),
                TicketStatus::Closed => after.closed_at = Some(at),
                TicketStatus::Open if before.status == TicketStatus::Resolved => {
                    after.resolved_at = None;
                }
                _ => {}
            }
            store::save(conn, &before, &after, now)?;
            store::add_history(conn, id, Some(before.status), to, at, self.who())?;
            let t = self.refresh(conn, id, now)?;
            self.audit_ticket(conn, now, &t, AuditAction::Update, &updated(&before, &t))?;
            Ok(t)
        })
    }

    /// Adds a comment. The earliest public comment is the ticket's first response: it sets
    /// `first_response_at` (and the ticket's version goes up); internal comments and later
    /// public ones leave the ticket unchanged.
    ///
    /// `INVALID_INPUT` for a blank body, an `at` in the future or before the ticket was created,
    /// and for a Closed ticket (closed is final: a follow-up is a new ticket).
    pub fn comment(&self, id: i64, mut comment: NewComment) -> Result<Comment> {
        let now = self.crm.now();
        comment.normalize(now)?;
        let at = comment.at.unwrap_or(now);
        let author = comment
            .author
            .clone()
            .unwrap_or_else(|| self.who().to_owned());
        self.crm.store().write(|conn| {
            let before = store::get(conn, id)?;
            if before.status.is_final() {
                return Err(Error::invalid(
                    "ticket",
                    id.to_string(),
                    "is closed and takes no comments (open a follow-up ticket)",
                ));
            }
            if at < before.created_at {
                return Err(Error::invalid(
                    "at",
                    at.to_string(),
                    format!(
                        "must not be before the ticket was created ({})",
                        before.created_at
                    ),
                ));
            }
            let c = store::add_comment(conn, id, &comment.body, comment.public, &author, at)?;
            let changes = [
                Change::new("ticket_id", Json::Null, id),
                Change::new("public", Json::Null, c.public),
                Change::new("author", Json::Null, c.author.as_str()),
                Change::new("at", Json::Null, c.at.as_micros()),
                Change::personal("body", Json::Null, c.body.as_str()),
            ];
            audit::record(
                conn,
                &self.crm.author(now),
                "ticket_comment",
                Some(c.id),
                AuditAction::Create,
                &changes,
                Some(before.customer_id),
            )?;
            if c.public && before.first_response_at.is_none_or(|first| at < first) {
                let mut after = before.clone();
                after.first_response_at = Some(at);
                store::save(conn, &before, &after, now)?;
                let t = self.refresh(conn, id, now)?;
                self.audit_ticket(conn, now, &t, AuditAction::Update, &updated(&before, &t))?;
            }
            Ok(c)
        })
    }

    /// A ticket's comments, oldest first (`NOT_FOUND` for an unknown ticket).
    pub fn comments(&self, id: i64) -> Result<Vec<Comment>> {
        let conn = &self.crm.store().conn;
        store::get(conn, id)?;
        store::comments(conn, id)
    }

    /// A ticket's status history, oldest first, starting with its creation (`None → New`).
    pub fn history(&self, id: i64) -> Result<Vec<StatusChange>> {
        let conn = &self.crm.store().conn;
        store::get(conn, id)?;
        store::history(conn, id)
    }

    /// Deletes a ticket with its comments and history.
    pub fn delete(&self, id: i64) -> Result<()> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let before = store::get(conn, id)?;
            store::delete(conn, id)?;
            self.audit_ticket(conn, now, &before, AuditAction::Delete, &deleted(&before))
        })
    }

    /// Sets the SLA policy of its priority (replacing any) and moves the deadlines of the active
    /// tickets of that priority. `INVALID_INPUT` naming the field for a target ≤ 0.
    pub fn set_sla_policy(&self, policy: SlaPolicy) -> Result<()> {
        policy.validate()?;
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let before = store::policy(conn, policy.priority)?;
            store::put_policy(conn, &policy)?;
            let values = |p: &SlaPolicy| {
                [
                    ("priority", Json::from(p.priority.as_str())),
                    (
                        "first_response_minutes",
                        Json::from(p.first_response_minutes),
                    ),
                    ("resolution_minutes", Json::from(p.resolution_minutes)),
                    ("business_hours", Json::from(p.business_hours)),
                ]
            };
            let changes: Vec<Change> = values(&policy)
                .into_iter()
                .enumerate()
                .map(|(i, (field, after))| {
                    let before = before
                        .as_ref()
                        .map_or(Json::Null, |b| values(b)[i].1.clone());
                    Change::new(field, before, after)
                })
                // The priority always shows: it names the policy (the entry has no id).
                .filter(|c| c.field == "priority" || c.before != c.after)
                .collect();
            if changes.iter().any(|c| c.before != c.after) {
                audit::record(
                    conn,
                    &self.crm.author(now),
                    "sla_policy",
                    None,
                    if before.is_some() {
                        AuditAction::Update
                    } else {
                        AuditAction::Create
                    },
                    &changes,
                    None,
                )?;
            }
            self.refresh_active(conn, now)
        })
    }

    /// Removes the SLA policy of `priority` (`NOT_FOUND` when there is none); its tickets have
    /// no deadlines from then on.
    pub fn remove_sla_policy(&self, priority: TicketPriority) -> Result<()> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            store::delete_policy(conn, priority)?;
            audit::record(
                conn,
                &self.crm.author(now),
                "sla_policy",
                None,
                AuditAction::Delete,
                &[Change::new("priority", priority.as_str(), Json::Null)],
                None,
            )?;
            self.refresh_active(conn, now)
        })
    }

    /// Every SLA policy, from low to urgent.
    pub fn sla_policies(&self) -> Result<Vec<SlaPolicy>> {
        store::policies(&self.crm.store().conn)
    }

    /// Sets the business hours (read in the reporting time zone) and moves the deadlines of the
    /// active tickets. `INVALID_INPUT` when no day is open or `open` is not before `close`.
    pub fn set_business_hours(&self, hours: BusinessHours) -> Result<()> {
        hours.validate()?;
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let before = store::business_hours(conn)?;
            if before == hours {
                return Ok(());
            }
            store::set_business_hours(conn, &hours)?;
            let json = |h: &BusinessHours| serde_json::to_value(h).unwrap_or(Json::Null);
            audit::record(
                conn,
                &self.crm.author(now),
                "sla_business_hours",
                None,
                AuditAction::Update,
                &[Change::new("business_hours", json(&before), json(&hours))],
                None,
            )?;
            self.refresh_active(conn, now)
        })
    }

    /// The business hours (Monday to Friday 09:00–17:00 until set).
    pub fn business_hours(&self) -> Result<BusinessHours> {
        store::business_hours(&self.crm.store().conn)
    }

    /// The SLA state of a ticket at `now` (default: the handle's clock); `None` when its priority
    /// has no policy.
    pub fn sla(&self, id: i64, now: Option<Timestamp>) -> Result<Option<SlaState>> {
        let now = self.as_of(now)?;
        let conn = &self.crm.store().conn;
        let ticket = store::get(conn, id)?;
        self.state_of(conn, &ticket, |_| now)
    }

    /// The SLA states at `now` of `tickets`, by ticket id (tickets without a policy are absent).
    fn states(
        &self,
        conn: &Connection,
        tickets: &[Ticket],
        now: Timestamp,
    ) -> Result<HashMap<i64, SlaState>> {
        let policies: HashMap<TicketPriority, SlaPolicy> = store::policies(conn)?
            .into_iter()
            .map(|p| (p.priority, p))
            .collect();
        let ids: Vec<i64> = tickets
            .iter()
            .filter(|t| policies.contains_key(&t.priority))
            .map(|t| t.id)
            .collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let histories = store::histories(conn, &ids)?;
        let hours = store::business_hours(conn)?;
        let zone = self.crm.time_zone();
        let mut out = HashMap::with_capacity(ids.len());
        for t in tickets {
            if let Some(p) = policies.get(&t.priority) {
                let history = histories.get(&t.id).map_or(&[][..], Vec::as_slice);
                let state = sla_state(
                    p,
                    &hours,
                    zone,
                    t.created_at,
                    t.first_response_at,
                    history,
                    now,
                );
                out.insert(t.id, state);
            }
        }
        Ok(out)
    }

    /// The work queue: up to `limit` tickets that need work — New and Open (Pending waits on the
    /// customer) — most urgent first, then earliest SLA deadline (tickets without one last), then
    /// oldest; each with its SLA state at `now` (default: the handle's clock).
    pub fn queue(&self, limit: usize, now: Option<Timestamp>) -> Result<Vec<QueueEntry>> {
        let now = self.as_of(now)?;
        let conn = &self.crm.store().conn;
        let tickets = store::queue(conn, limit)?;
        let mut states = self.states(conn, &tickets, now)?;
        Ok(tickets
            .into_iter()
            .map(|t| QueueEntry {
                sla: states.remove(&t.id),
                ticket: t,
            })
            .collect())
    }

    /// Every breached SLA target at `now` (default: the handle's clock), of any ticket, active or
    /// not: targets met late and targets overdue. By ticket id, first response before resolution.
    pub fn breaches(&self, now: Option<Timestamp>) -> Result<Vec<Breach>> {
        let now = self.as_of(now)?;
        let conn = &self.crm.store().conn;
        let tickets = store::with_policy(conn)?;
        let states = self.states(conn, &tickets, now)?;
        Ok(tickets
            .iter()
            .filter_map(|t| states.get(&t.id).map(|s| s.breaches(t.id)))
            .flatten()
            .collect())
    }

    /// Counts by status, category and priority, and mean and median calendar times to first
    /// response and to resolution (µs) over the tickets matching `filter` that have them.
    pub fn stats(&self, filter: &Filter) -> Result<TicketStats> {
        store::stats(&self.crm.store().conn, filter, self.crm.time_zone())
    }
}
