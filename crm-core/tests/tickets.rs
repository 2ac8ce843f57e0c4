//! Service tickets, their workflow, comments and SLAs through the public API.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::NaiveTime;
use crm_core::{
    AuditAction, BusinessHours, Channel, Clock, Crm, ErrorCode, Filter, NewComment, NewCustomer,
    NewTicket, OpenOptions, OrderBy, Principal, Query, Role, SlaPolicy, SlaTarget, Ticket,
    TicketPatch, TicketPriority, TicketStatus, Timestamp,
};

const MIN: i64 = 60_000_000;
const HOUR: i64 = 60 * MIN;

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_in(text, chrono_tz::Tz::UTC).unwrap()
}

/// A file store opened as agent `li.wei`, with a clock the test sets.
struct Env {
    crm: Crm,
    clock: Arc<AtomicI64>,
    dir: tempfile::TempDir,
    ada: i64,
    bob: i64,
}

impl Env {
    fn new(start: &str) -> Env {
        Env::in_zone(start, None)
    }

    fn in_zone(start: &str, zone: Option<&str>) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(AtomicI64::new(ts(start).as_micros()));
        let c = clock.clone();
        let crm = Crm::open(
            dir.path().join("tickets.db"),
            OpenOptions {
                principal: Principal::new("li.wei", Role::Agent).unwrap(),
                clock: Clock::from_fn(move || Timestamp::from_micros(c.load(Ordering::SeqCst))),
                time_zone: zone.map(str::to_owned),
                ..OpenOptions::default()
            },
        )
        .unwrap();
        let ada = crm.customers().add(NewCustomer::new("Ada")).unwrap().id;
        let bob = crm.customers().add(NewCustomer::new("Bob")).unwrap().id;
        Env {
            crm,
            clock,
            dir,
            ada,
            bob,
        }
    }

    /// Sets the clock.
    fn at(&self, t: &str) {
        self.clock.store(ts(t).as_micros(), Ordering::SeqCst);
    }

    /// Row counts of every table a ticket write touches, read over a second connection.
    fn rows(&self) -> Vec<(String, i64)> {
        let conn = rusqlite::Connection::open(self.dir.path().join("tickets.db")).unwrap();
        [
            "tickets",
            "ticket_comments",
            "ticket_status_history",
            "sla_policies",
            "audit_log",
            "crm_meta",
        ]
        .iter()
        .map(|t| {
            let n = conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap();
            (t.to_string(), n)
        })
        .collect()
    }

    /// One integer from a query over a second connection.
    fn one(&self, sql: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.dir.path().join("tickets.db")).unwrap();
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn open(&self, t: NewTicket) -> Ticket {
        self.crm.tickets().open(t).unwrap()
    }

    fn ticket(&self, subject: &str) -> NewTicket {
        NewTicket::new(self.ada, subject, Channel::Email)
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

#[test]
fn the_workflow_with_history_and_reopen() {
    let env = Env::new("2026-05-04 09:00");
    let tickets = env.crm.tickets();
    let t = env.open(
        env.ticket("  Parcel never arrived ")
            .body("Order ORD-7, paid last week.")
            .category(" Delivery ")
            .priority(TicketPriority::High),
    );
    assert_eq!(t.subject, "Parcel never arrived");
    assert_eq!(t.category.as_deref(), Some("delivery"));
    assert_eq!(
        (t.status, t.version, t.created_at),
        (TicketStatus::New, 1, ts("2026-05-04 09:00"))
    );

    env.at("2026-05-04 09:30");
    let t = tickets.transition(t.id, TicketStatus::Open, None).unwrap();
    assert_eq!((t.status, t.version), (TicketStatus::Open, 2));

    // Illegal transitions name both states and change nothing.
    let rows = env.rows();
    let e = tickets
        .transition(t.id, TicketStatus::Closed, None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition);
    assert_eq!(
        e.to_string(),
        "illegal ticket transition from open to closed"
    );
    let e = tickets
        .transition(t.id, TicketStatus::Open, None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition, "same state");
    let e = tickets
        .transition(t.id, TicketStatus::New, None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition);
    assert_eq!(env.rows(), rows);
    assert_eq!(tickets.get(t.id).unwrap(), t);

    env.at("2026-05-04 10:00");
    tickets
        .transition(t.id, TicketStatus::Pending, None)
        .unwrap();
    env.at("2026-05-04 11:00");
    tickets.transition(t.id, TicketStatus::Open, None).unwrap();
    env.at("2026-05-04 12:00");
    let t = tickets
        .transition(t.id, TicketStatus::Resolved, None)
        .unwrap();
    assert_eq!(t.resolved_at, Some(ts("2026-05-04 12:00")));
    env.at("2026-05-04 13:00");
    let t = tickets.reopen(t.id, None).unwrap();
    assert_eq!((t.status, t.resolved_at), (TicketStatus::Open, None));
    env.at("2026-05-04 14:00");
    tickets
        .transition(t.id, TicketStatus::Resolved, None)
        .unwrap();
    // Closing may record an earlier instant than the clock, as long as history stays in order.
    env.at("2026-05-05 09:00");
    let t = tickets
        .transition(t.id, TicketStatus::Closed, Some(ts("2026-05-04 15:00")))
        .unwrap();
    assert_eq!(t.closed_at, Some(ts("2026-05-04 15:00")));
    assert_eq!(t.resolved_at, Some(ts("2026-05-04 14:00")));
    assert_eq!(t.version, 8);

    // Closed is final.
    let rows = env.rows();
    let e = tickets.reopen(t.id, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "illegal ticket transition from closed to open"
    );
    let e = tickets
        .comment(t.id, NewComment::new("One more thing"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("follow-up"), "{e}");
    assert_eq!(env.rows(), rows);

    let history: Vec<_> = tickets
        .history(t.id)
        .unwrap()
        .into_iter()
        .map(|h| (h.from, h.to, h.at.to_string(), h.by))
        .collect();
    use TicketStatus::*;
    let expected = [
        (None, New, "2026-05-04T09:00:00Z"),
        (Some(New), Open, "2026-05-04T09:30:00Z"),
        (Some(Open), Pending, "2026-05-04T10:00:00Z"),
        (Some(Pending), Open, "2026-05-04T11:00:00Z"),
        (Some(Open), Resolved, "2026-05-04T12:00:00Z"),
        (Some(Resolved), Open, "2026-05-04T13:00:00Z"),
        (Some(Open), Resolved, "2026-05-04T14:00:00Z"),
        (Some(Resolved), Closed, "2026-05-04T15:00:00Z"),
    ]
    .map(|(f, to, at)| (f, to, at.to_owned(), "li.wei".to_owned()));
    assert_eq!(history, expected);

    // The trail has the creation and each change, with the status before and after.
    let trail = env
        .crm
        .audit()
        .find(&Query::new(
            Filter::eq("entity", "ticket").and(Filter::eq("entity_id", t.id)),
        ))
        .unwrap();
    assert_eq!(trail.len(), 8);
    assert_eq!(trail[0].action, AuditAction::Create);
    assert_eq!(trail[0].principal, "li.wei");
    assert_eq!(
        trail[7].changes["status"],
        serde_json::json!({"before": "resolved", "after": "closed"})
    );
    // Free text is personal data: kept apart, keyed by the customer, so an erasure reaches it.
    assert_eq!(
        trail[0].changes["subject"],
        serde_json::json!({"before": null, "after": "Parcel never arrived"})
    );
    assert_eq!(
        env.one("SELECT customer_id FROM audit_personal WHERE field = 'body'"),
        env.ada
    );
}

#[test]
fn transition_times_must_be_in_order_and_not_in_the_future() {
    let env = Env::new("2026-05-04 12:00");
    let tickets = env.crm.tickets();
    let t = env.open(env.ticket("Refund").at(ts("2026-05-04 08:00")));
    tickets
        .transition(t.id, TicketStatus::Open, Some(ts("2026-05-04 10:00")))
        .unwrap();
    let rows = env.rows();
    let e = tickets
        .transition(t.id, TicketStatus::Pending, Some(ts("2026-05-04 09:59")))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("out of order"), "{e}");
    let e = tickets
        .transition(t.id, TicketStatus::Pending, Some(ts("2026-05-04 12:01")))
        .unwrap_err();
    assert!(e.to_string().contains("future"), "{e}");
    // Reopen is for resolved tickets only.
    let e = tickets.reopen(t.id, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition, "open -> open");
    tickets
        .transition(t.id, TicketStatus::Pending, Some(ts("2026-05-04 11:00")))
        .unwrap();
    let rows_pending = env.rows();
    let e = tickets.reopen(t.id, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("only a resolved ticket"), "{e}");
    assert_eq!(env.rows(), rows_pending);
    assert_ne!(rows, rows_pending);
    // The same instant as the last change is in order.
    let t = tickets
        .transition(t.id, TicketStatus::Open, Some(ts("2026-05-04 11:00")))
        .unwrap();
    assert_eq!(t.status, TicketStatus::Open);
}

#[test]
fn comments_and_the_first_response() {
    let env = Env::new("2026-05-04 09:00");
    let tickets = env.crm.tickets();
    let t = env.open(env.ticket("Cannot log in"));
    env.at("2026-05-04 09:05");
    let note = tickets
        .comment(t.id, NewComment::new("Checking the auth logs").internal())
        .unwrap();
    assert!(!note.public);
    assert_eq!(note.author, "li.wei", "the handle's principal by default");
    let after_note = tickets.get(t.id).unwrap();
    assert_eq!(
        after_note.first_response_at, None,
        "internal notes do not count"
    );
    assert_eq!(after_note.version, 1);

    env.at("2026-05-04 09:20");
    let reply = tickets
        .comment(
            t.id,
            NewComment::new("Please try resetting your password.").author("Wu Fei"),
        )
        .unwrap();
    assert_eq!(
        (reply.author.as_str(), reply.at),
        ("Wu Fei", ts("2026-05-04 09:20"))
    );
    let t2 = tickets.get(t.id).unwrap();
    assert_eq!(t2.first_response_at, Some(ts("2026-05-04 09:20")));
    assert_eq!(t2.version, 2);
    env.at("2026-05-04 10:00");
    tickets
        .comment(t.id, NewComment::new("Did that help?"))
        .unwrap();
    assert_eq!(
        tickets.get(t.id).unwrap().first_response_at,
        Some(ts("2026-05-04 09:20")),
        "later replies do not move the first response"
    );

    // Bad comments write nothing.
    let rows = env.rows();
    for bad in [
        NewComment::new("   "),
        NewComment::new("early").at(ts("2026-05-04 08:59")),
        NewComment::new("late").at(ts("2026-05-04 10:01")),
        NewComment::new("nul \0 byte"),
    ] {
        let e = tickets.comment(t.id, bad).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    }
    assert_eq!(env.rows(), rows);

    let bodies: Vec<_> = tickets
        .comments(t.id)
        .unwrap()
        .into_iter()
        .map(|c| (c.body, c.public))
        .collect();
    assert_eq!(
        bodies,
        [
            ("Checking the auth logs".to_owned(), false),
            ("Please try resetting your password.".to_owned(), true),
            ("Did that help?".to_owned(), true),
        ]
    );
    let trail = env
        .crm
        .audit()
        .find(&Query::new(Filter::eq("entity", "ticket_comment")))
        .unwrap();
    assert_eq!(trail.len(), 3);
    assert_eq!(trail[1].entity_id, Some(reply.id));
    assert_eq!(
        env.one(&format!(
            "SELECT customer_id FROM audit_personal WHERE audit_id = (SELECT id FROM audit_log \
             WHERE entity = 'ticket_comment' AND entity_id = {}) AND field = 'body'",
            reply.id
        )),
        env.ada
    );
}

#[test]
fn sla_deadlines_in_calendar_and_business_time() {
    let env = Env::new("2026-05-04 09:00"); // a Monday
    let tickets = env.crm.tickets();
    tickets
        .set_sla_policy(SlaPolicy::new(TicketPriority::High, 60, 8 * 60))
        .unwrap();
    let high = env.open(env.ticket("Checkout down").priority(TicketPriority::High));
    assert_eq!(high.first_response_due, Some(ts("2026-05-04 10:00")));
    assert_eq!(high.resolution_due, Some(ts("2026-05-04 17:00")));
    assert_eq!(high.next_due(), Some(ts("2026-05-04 10:00")));

    // No policy for normal: no deadlines, no SLA state.
    let normal = env.open(env.ticket("Invoice copy"));
    assert_eq!(
        (normal.first_response_due, normal.resolution_due),
        (None, None)
    );
    assert_eq!(tickets.sla(normal.id, None).unwrap(), None);
    // Raising its priority starts the high targets from its creation.
    env.at("2026-05-04 09:30");
    let normal = tickets
        .update(
            normal.id,
            &TicketPatch::default().priority(TicketPriority::High),
            None,
        )
        .unwrap();
    assert_eq!(normal.first_response_due, Some(ts("2026-05-04 10:00")));

    // Business hours (default Monday–Friday 09:00–17:00): raised Friday 16:00.
    tickets
        .set_sla_policy(SlaPolicy::new(TicketPriority::Urgent, 120, 10 * 60).in_business_hours())
        .unwrap();
    env.at("2026-05-04 12:00");
    let urgent = env.open(
        env.ticket("Data export broken")
            .priority(TicketPriority::Urgent)
            .at(ts("2026-05-01 16:00")),
    );
    assert_eq!(urgent.first_response_due, Some(ts("2026-05-04 10:00")));
    assert_eq!(
        urgent.resolution_due,
        Some(ts("2026-05-05 10:00")),
        "1h Friday + 8h Monday + 1h Tuesday"
    );

    // New business hours move the deadlines of active tickets.
    let mut days = [true; 7];
    days[6] = false; // Monday to Saturday
    let hours = BusinessHours::new(days, hm(8, 0), hm(18, 0));
    tickets.set_business_hours(hours).unwrap();
    assert_eq!(tickets.business_hours().unwrap(), hours);
    let urgent = tickets.get(urgent.id).unwrap();
    assert_eq!(urgent.first_response_due, Some(ts("2026-05-01 18:00")));
    assert_eq!(urgent.resolution_due, Some(ts("2026-05-02 16:00")));

    // A policy change moves them too; removing it clears them.
    tickets
        .set_sla_policy(SlaPolicy::new(TicketPriority::High, 30, 8 * 60))
        .unwrap();
    assert_eq!(
        tickets.get(high.id).unwrap().first_response_due,
        Some(ts("2026-05-04 09:30"))
    );
    tickets.remove_sla_policy(TicketPriority::High).unwrap();
    let high = tickets.get(high.id).unwrap();
    assert_eq!((high.first_response_due, high.resolution_due), (None, None));
    assert_eq!(high.version, 1, "derived deadlines do not bump the version");
    let e = tickets.remove_sla_policy(TicketPriority::High).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(
        tickets.sla_policies().unwrap(),
        [SlaPolicy::new(TicketPriority::Urgent, 120, 600).in_business_hours()]
    );
    let policy_trail = env
        .crm
        .audit()
        .find(&Query::new(Filter::eq("entity", "sla_policy")))
        .unwrap();
    let actions: Vec<_> = policy_trail.iter().map(|e| e.action).collect();
    use AuditAction::*;
    assert_eq!(actions, [Create, Create, Update, Delete]);
}

#[test]
fn business_hours_follow_the_reporting_time_zone_across_dst() {
    let env = Env::in_zone("2026-03-30 12:00", Some("Europe/Berlin"));
    let tickets = env.crm.tickets();
    tickets
        .set_sla_policy(SlaPolicy::new(TicketPriority::Normal, 120, 600).in_business_hours())
        .unwrap();
    // Friday 16:00 CET; clocks go forward on Sunday; Monday 09:00 is CEST (07:00Z).
    let t = env.open(env.ticket("Login loop").at(ts("2026-03-27 15:00")));
    assert_eq!(t.first_response_due, Some(ts("2026-03-30 08:00")));
    let s = tickets
        .sla(t.id, Some(ts("2026-03-30 09:00")))
        .unwrap()
        .unwrap();
    assert_eq!(
        s.first_response_breach_by,
        Some(HOUR),
        "business time, not 66 calendar hours"
    );
}

#[test]
fn breaches_with_a_fixed_clock() {
    let env = Env::new("2026-05-04 09:00");
    let tickets = env.crm.tickets();
    tickets
        .set_sla_policy(SlaPolicy::new(TicketPriority::High, 60, 8 * 60))
        .unwrap();
    let t = env.open(env.ticket("Card declined").priority(TicketPriority::High));
    let s = tickets
        .sla(t.id, Some(ts("2026-05-04 09:30")))
        .unwrap()
        .unwrap();
    assert!(!s.first_response_breached && !s.resolution_breached);
    assert_eq!(s.first_response_breach_by, None);
    // Not met and overdue: breached by now − due.
    env.at("2026-05-04 10:45");
    let s = tickets.sla(t.id, None).unwrap().unwrap();
    assert!(s.first_response_breached);
    assert_eq!(s.first_response_breach_by, Some(45 * MIN));
    // Met late (recorded at 10:20): breached by 20 minutes, however late we look.
    tickets
        .comment(t.id, NewComment::new("On it").at(ts("2026-05-04 10:20")))
        .unwrap();
    let s = tickets.sla(t.id, Some(ts("2026-05-10"))).unwrap().unwrap();
    assert_eq!(s.first_response_at, Some(ts("2026-05-04 10:20")));
    assert_eq!(s.first_response_breach_by, Some(20 * MIN));
    // The resolution was due at 17:00; at 18:00 it is an hour over.
    let s = tickets
        .sla(t.id, Some(ts("2026-05-04 18:00")))
        .unwrap()
        .unwrap();
    assert_eq!(s.resolution_due, Some(ts("2026-05-04 17:00")));
    assert_eq!(s.resolution_breach_by, Some(HOUR));
    assert_eq!(s.resolution_elapsed, 9 * HOUR);
    // Once answered, only the resolution deadline is pending.
    let t = tickets.get(t.id).unwrap();
    assert_eq!(t.first_response_due, None);
    assert_eq!(t.next_due(), Some(ts("2026-05-04 17:00")));
}

#[test]
fn pending_pauses_the_resolution_clock() {
    let env = Env::new("2026-05-04 08:00");
    let tickets = env.crm.tickets();
    tickets
        .set_sla_policy(SlaPolicy::new(TicketPriority::Normal, 60, 4 * 60))
        .unwrap();
    let t = env.open(env.ticket("Wrong size"));
    env.at("2026-05-04 09:00");
    tickets.transition(t.id, TicketStatus::Open, None).unwrap();
    tickets
        .comment(t.id, NewComment::new("Which size do you need?"))
        .unwrap();
    env.at("2026-05-04 10:00");
    let t = tickets
        .transition(t.id, TicketStatus::Pending, None)
        .unwrap();
    assert_eq!(
        t.resolution_due, None,
        "no deadline while waiting on the customer"
    );
    assert_eq!(t.next_due(), None);
    let s = tickets
        .sla(t.id, Some(ts("2026-05-05 10:00")))
        .unwrap()
        .unwrap();
    assert!(s.paused && !s.resolution_breached);
    assert_eq!(s.resolution_elapsed, 2 * HOUR);
    assert_eq!(s.resolution_due, None);

    // The customer answers a day later: two hours are left.
    env.at("2026-05-05 10:00");
    let t = tickets.transition(t.id, TicketStatus::Open, None).unwrap();
    assert_eq!(t.resolution_due, Some(ts("2026-05-05 12:00")));
    env.at("2026-05-05 12:30");
    let t = tickets
        .transition(t.id, TicketStatus::Resolved, None)
        .unwrap();
    assert_eq!((t.first_response_due, t.resolution_due), (None, None));
    let s = tickets.sla(t.id, None).unwrap().unwrap();
    assert_eq!(s.resolved_at, Some(ts("2026-05-05 12:30")));
    assert_eq!(
        s.resolution_breach_by,
        Some(30 * MIN),
        "the paused day does not count"
    );
    assert!(!s.first_response_breached);
}

#[test]
fn imported_history_is_measured_against_its_own_times() {
    let env = Env::new("2026-06-01 12:00");
    let tickets = env.crm.tickets();
    tickets
        .set_sla_policy(SlaPolicy::new(TicketPriority::Normal, 60, 8 * 60))
        .unwrap();
    let t = env.open(env.ticket("Old complaint").at(ts("2026-01-05 09:00")));
    assert_eq!(t.created_at, ts("2026-01-05 09:00"));
    assert_eq!(t.updated_at, ts("2026-06-01 12:00"));
    tickets
        .transition(t.id, TicketStatus::Open, Some(ts("2026-01-05 09:10")))
        .unwrap();
    tickets
        .comment(
            t.id,
            NewComment::new("Sorry about that").at(ts("2026-01-05 09:30")),
        )
        .unwrap();
    tickets
        .transition(t.id, TicketStatus::Resolved, Some(ts("2026-01-06 09:00")))
        .unwrap();
    let t = tickets
        .transition(t.id, TicketStatus::Closed, Some(ts("2026-01-08 09:00")))
        .unwrap();
    assert_eq!(t.first_response_at, Some(ts("2026-01-05 09:30")));
    assert_eq!(
        (t.resolved_at, t.closed_at),
        (Some(ts("2026-01-06 09:00")), Some(ts("2026-01-08 09:00")))
    );
    let s = tickets.sla(t.id, None).unwrap().unwrap();
    assert!(!s.first_response_breached);
    assert_eq!(s.resolution_breach_by, Some(16 * HOUR));
    assert_eq!(
        tickets.history(t.id).unwrap()[0].at,
        ts("2026-01-05 09:00"),
        "the creation entry has the imported time"
    );

    // Tickets from the future are refused.
    let rows = env.rows();
    let e = tickets
        .open(env.ticket("Later").at(ts("2026-06-01 12:00:01")))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(env.rows(), rows);
}

#[test]
fn the_queue_orders_by_priority_then_deadline_then_age() {
    let env = Env::new("2026-05-04 12:00");
    let tickets = env.crm.tickets();
    tickets
        .set_sla_policy(SlaPolicy::new(TicketPriority::High, 60, 8 * 60))
        .unwrap();
    tickets
        .set_sla_policy(SlaPolicy::new(TicketPriority::Normal, 120, 16 * 60))
        .unwrap();
    let open = |name: &str, p: TicketPriority, created: &str| {
        env.open(env.ticket(name).priority(p).at(ts(created))).id
    };
    use TicketPriority::*;
    let a = open("a", Normal, "2026-05-04 08:00"); // due 10:00
    let b = open("b", High, "2026-05-04 11:00"); // due 12:00
    let c = open("c", High, "2026-05-04 10:30"); // due 11:30
    let d = open("d", Low, "2026-05-04 07:00"); // no policy
    let e = open("e", Low, "2026-05-04 06:00"); // no policy, older
    let f = open("f", Urgent, "2026-05-04 11:59"); // no policy
    let g = open("g", High, "2026-05-04 05:00"); // pending: waits on the customer
    let h = open("h", Normal, "2026-05-04 05:00"); // resolved
    let i = open("i", Normal, "2026-05-04 09:00"); // answered: resolution due 01:00 next day
    let j = open("j", Urgent, "2026-05-04 11:00"); // no policy, older than f
    let k = open("k", High, "2026-05-04 10:00"); // answered: resolution due 18:00
    tickets.transition(g, TicketStatus::Pending, None).unwrap();
    tickets.transition(h, TicketStatus::Resolved, None).unwrap();
    for id in [i, k] {
        tickets
            .comment(id, NewComment::new("Hello").at(ts("2026-05-04 11:00")))
            .unwrap();
    }
    tickets.transition(a, TicketStatus::Open, None).unwrap();

    let queue = tickets.queue(100, None).unwrap();
    let order: Vec<i64> = queue.iter().map(|q| q.ticket.id).collect();
    assert_eq!(order, [j, f, c, b, k, a, i, e, d]);
    // Each entry carries its SLA state at the queue's now; tickets without a policy carry none.
    assert!(queue[0].sla.is_none());
    let c_sla = queue[2].sla.as_ref().unwrap();
    assert!(c_sla.first_response_breached);
    assert_eq!(c_sla.first_response_breach_by, Some(30 * MIN));
    assert_eq!(queue[4].ticket.next_due(), Some(ts("2026-05-04 18:00")));
    // A page.
    let top: Vec<i64> = tickets
        .queue(3, None)
        .unwrap()
        .iter()
        .map(|q| q.ticket.id)
        .collect();
    assert_eq!(top, [j, f, c]);
}

#[test]
fn the_breaches_view() {
    let env = Env::new("2026-05-04 13:00");
    let tickets = env.crm.tickets();
    tickets
        .set_sla_policy(SlaPolicy::new(TicketPriority::High, 60, 4 * 60))
        .unwrap();
    use TicketPriority::*;
    let open = |name: &str, p: TicketPriority, created: &str| {
        env.open(env.ticket(name).priority(p).at(ts(created))).id
    };
    let reply = |id: i64, at: &str| {
        tickets
            .comment(id, NewComment::new("Hello").at(ts(at)))
            .unwrap();
    };
    // Answered late and closed: a first-response breach that stays.
    let late = open("late reply", High, "2026-05-04 08:00");
    reply(late, "2026-05-04 09:30");
    tickets
        .transition(late, TicketStatus::Resolved, Some(ts("2026-05-04 10:00")))
        .unwrap();
    tickets
        .transition(late, TicketStatus::Closed, None)
        .unwrap();
    // Answered in time, still open past the resolution target (due 12:00).
    let slow = open("slow", High, "2026-05-04 08:00");
    reply(slow, "2026-05-04 08:30");
    // Fine: answered in time, within its resolution target.
    let fine = open("fine", High, "2026-05-04 12:00");
    reply(fine, "2026-05-04 12:10");
    // No policy: never breached.
    open("no policy", Low, "2026-05-01 08:00");

    let breaches: Vec<_> = tickets
        .breaches(None)
        .unwrap()
        .into_iter()
        .map(|b| (b.ticket_id, b.target, b.due, b.breach_by))
        .collect();
    assert_eq!(
        breaches,
        [
            (
                late,
                SlaTarget::FirstResponse,
                ts("2026-05-04 09:00"),
                30 * MIN
            ),
            (slow, SlaTarget::Resolution, ts("2026-05-04 12:00"), HOUR),
        ]
    );
    // Looking back to 11:00, the open ticket was still within its target.
    let earlier = tickets.breaches(Some(ts("2026-05-04 11:00"))).unwrap();
    assert_eq!(earlier.len(), 1);
    assert_eq!(earlier[0].ticket_id, late);
    assert!(!breaches.iter().any(|b| b.0 == fine));
    // An instant outside the supported range is refused rather than computed for ever.
    let far = Some(Timestamp::from_micros(i64::MAX));
    assert_eq!(
        tickets.breaches(far).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        tickets.sla(slow, far).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
}

#[test]
fn stats_count_and_time_responses() {
    let env = Env::new("2026-05-10 12:00");
    let tickets = env.crm.tickets();
    let day = "2026-05-04";
    let at = |hm: &str| ts(&format!("{day} {hm}"));
    // Created 09:00; first responses after 10, 30, 60, 120 minutes; one without.
    let specs = [
        (Some("billing"), Some("09:10"), Some("11:00")),
        (Some("billing"), Some("09:30"), Some("13:00")),
        (Some("delivery"), Some("10:00"), Some("18:00")),
        (None, Some("11:00"), None),
        (None, None, None),
    ];
    let mut ids = Vec::new();
    for (n, (category, reply, resolved)) in specs.iter().enumerate() {
        let mut t = env.ticket(&format!("t{n}")).at(at("09:00"));
        if let Some(c) = category {
            t = t.category(*c);
        }
        if n == 4 {
            t = t.priority(TicketPriority::Urgent);
        }
        let id = env.open(t).id;
        if let Some(r) = reply {
            tickets
                .comment(id, NewComment::new("hi").at(at(r)))
                .unwrap();
        }
        if let Some(r) = resolved {
            tickets
                .transition(id, TicketStatus::Resolved, Some(at(r)))
                .unwrap();
        }
        ids.push(id);
    }
    tickets
        .transition(ids[3], TicketStatus::Open, None)
        .unwrap();

    let s = tickets.stats(&Filter::All).unwrap();
    assert_eq!(s.total, 5);
    use TicketStatus::*;
    assert_eq!(
        s.by_status,
        [
            (New, 1),
            (Open, 1),
            (Pending, 0),
            (Resolved, 3),
            (Closed, 0)
        ]
    );
    assert_eq!(
        s.by_category,
        [
            (Some("billing".to_owned()), 2),
            (Some("delivery".to_owned()), 1),
            (None, 2)
        ]
    );
    use TicketPriority::*;
    assert_eq!(
        s.by_priority,
        [(Low, 0), (Normal, 4), (High, 0), (Urgent, 1)]
    );
    // First response: 10, 30, 60, 120 minutes → mean 55, median (30 + 60) / 2 = 45.
    assert_eq!(s.mean_first_response, Some((55 * MIN) as f64));
    assert_eq!(s.median_first_response, Some((45 * MIN) as f64));
    // Resolution: 2, 4, 9 hours → mean 5, median 4.
    assert_eq!(s.mean_resolution, Some((5 * HOUR) as f64));
    assert_eq!(s.median_resolution, Some((4 * HOUR) as f64));

    let billing = tickets.stats(&Filter::eq("category", "billing")).unwrap();
    assert_eq!(billing.total, 2);
    assert_eq!(billing.mean_first_response, Some((20 * MIN) as f64));
    let none = tickets.stats(&Filter::eq("status", "pending")).unwrap();
    assert_eq!(none.total, 0);
    assert_eq!(
        (none.mean_resolution, none.median_first_response),
        (None, None)
    );
}

#[test]
fn invalid_policies_and_hours_are_refused() {
    let env = Env::new("2026-05-04 09:00");
    let tickets = env.crm.tickets();
    let rows = env.rows();
    let e = tickets
        .set_sla_policy(SlaPolicy::new(TicketPriority::High, 0, 60))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("first_response_minutes"), "{e}");
    let e = tickets
        .set_sla_policy(SlaPolicy::new(TicketPriority::High, 60, -1))
        .unwrap_err();
    assert!(e.to_string().contains("resolution_minutes"), "{e}");
    let e = tickets
        .set_business_hours(BusinessHours::new([true; 7], hm(18, 0), hm(9, 0)))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let e = tickets
        .set_business_hours(BusinessHours::new([false; 7], hm(9, 0), hm(17, 0)))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(env.rows(), rows);
    assert!(tickets.sla_policies().unwrap().is_empty());
    assert_eq!(tickets.business_hours().unwrap(), BusinessHours::default());
}

#[test]
fn unknown_customers_and_tickets() {
    let env = Env::new("2026-05-04 09:00");
    let tickets = env.crm.tickets();
    let rows = env.rows();
    let e = tickets
        .open(NewTicket::new(999, "Who am I", Channel::Web))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(e.to_string(), "customer id 999 not found");
    let e = tickets
        .open(NewTicket::new(env.ada, " ", Channel::Web))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(env.rows(), rows);

    let not_found = |r: crm_core::Result<()>| {
        let e = r.unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
        assert_eq!(e.to_string(), "ticket id 42 not found");
    };
    not_found(tickets.get(42).map(drop));
    not_found(tickets.transition(42, TicketStatus::Open, None).map(drop));
    not_found(tickets.reopen(42, None).map(drop));
    not_found(tickets.comment(42, NewComment::new("hi")).map(drop));
    not_found(tickets.comments(42).map(drop));
    not_found(tickets.history(42).map(drop));
    not_found(
        tickets
            .update(42, &TicketPatch::default().subject("x"), None)
            .map(drop),
    );
    not_found(tickets.assign(42, Some("li")).map(drop));
    not_found(tickets.sla(42, None).map(drop));
    not_found(tickets.delete(42));
    assert_eq!(env.rows(), rows);
}

#[test]
fn updates_versions_and_delete() {
    let env = Env::new("2026-05-04 09:00");
    let tickets = env.crm.tickets();
    let t = env.open(env.ticket("Typo in invoice").category("billing"));
    env.at("2026-05-04 10:00");
    let t2 = tickets
        .update(
            t.id,
            &TicketPatch::default()
                .subject("Wrong VAT on invoice")
                .category(None::<String>),
            Some(1),
        )
        .unwrap();
    assert_eq!((t2.version, t2.category.as_deref()), (2, None));
    assert_eq!(t2.updated_at, ts("2026-05-04 10:00"));
    let t3 = tickets.assign(t.id, Some(" wu.fei ")).unwrap();
    assert_eq!((t3.assignee.as_deref(), t3.version), (Some("wu.fei"), 3));
    // An update that changes nothing writes nothing.
    let same = tickets.assign(t.id, Some("wu.fei")).unwrap();
    assert_eq!(same.version, 3);

    // A stale version is refused and changes nothing.
    let rows = env.rows();
    let e = tickets
        .update(
            t.id,
            &TicketPatch::default().priority(TicketPriority::Urgent),
            Some(2),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert_eq!(
        e.to_string(),
        format!(
            "ticket {} is at version 3, not the expected version 2",
            t.id
        )
    );
    let e = tickets
        .update(
            t.id,
            &TicketPatch::default().category(Some("x".repeat(101))),
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(env.rows(), rows);
    assert_eq!(tickets.get(t.id).unwrap(), t3);

    let trail = env
        .crm
        .audit()
        .find(&Query::new(
            Filter::eq("entity", "ticket").and(Filter::eq("entity_id", t.id)),
        ))
        .unwrap();
    assert_eq!(trail.len(), 3);
    assert_eq!(
        trail[2].changes["assignee"],
        serde_json::json!({"before": null, "after": "wu.fei"})
    );

    // Delete takes comments and history along, and is audited.
    tickets.comment(t.id, NewComment::new("note")).unwrap();
    let before: i64 = env.rows().iter().map(|(_, n)| n).sum();
    tickets.delete(t.id).unwrap();
    let after = env.rows();
    let count = |table: &str| after.iter().find(|(t, _)| t == table).unwrap().1;
    assert_eq!(
        (
            count("tickets"),
            count("ticket_comments"),
            count("ticket_status_history")
        ),
        (0, 0, 0)
    );
    assert_eq!(after.iter().map(|(_, n)| n).sum::<i64>(), before - 3 + 1);
    assert_eq!(tickets.get(t.id).unwrap_err().code(), ErrorCode::NotFound);
    let last = env
        .crm
        .audit()
        .find(&Query::new(Filter::eq("entity", "ticket")))
        .unwrap();
    assert_eq!(last.last().unwrap().action, AuditAction::Delete);
}

#[test]
fn filters_over_tickets() {
    let env = Env::new("2026-05-04 12:00");
    let tickets = env.crm.tickets();
    use TicketPriority::*;
    let mk = |subject: &str, p: TicketPriority, customer: i64, created: &str| {
        tickets
            .open(
                NewTicket::new(customer, subject, Channel::Chat)
                    .priority(p)
                    .category("billing")
                    .at(ts(created)),
            )
            .unwrap()
            .id
    };
    let low = mk("low one", Low, env.ada, "2026-05-01");
    let urgent = mk("urgent one", Urgent, env.bob, "2026-05-02");
    let high = mk("high one", High, env.ada, "2026-05-03");
    let normal = mk("normal one", Normal, env.bob, "2026-05-04");
    tickets.transition(high, TicketStatus::Open, None).unwrap();
    tickets
        .transition(urgent, TicketStatus::Open, None)
        .unwrap();
    tickets.assign(urgent, Some("li.wei")).unwrap();

    let ids = |f: Filter| -> Vec<i64> {
        tickets
            .find(&Query::new(f))
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect()
    };
    assert_eq!(ids(Filter::eq("status", "open")), [urgent, high]);
    assert_eq!(tickets.count(&Filter::eq("status", "new")).unwrap(), 2);
    // Priority compares by rank, not by name.
    assert_eq!(ids(Filter::ge("priority", "high")), [urgent, high]);
    assert_eq!(ids(Filter::lt("priority", "normal")), [low]);
    assert_eq!(
        ids(Filter::between("priority", "normal", "high")),
        [high, normal]
    );
    assert_eq!(ids(Filter::eq("priority", "urgent")), [urgent]);
    assert_eq!(
        ids(Filter::parse("status = 'open' and priority > 'high'").unwrap()),
        [urgent]
    );
    assert_eq!(ids(Filter::eq("customer_id", env.ada)), [low, high]);
    assert_eq!(ids(Filter::is_null("assignee").not()), [urgent]);
    assert_eq!(ids(Filter::ge("created_at", "2026-05-03")), [high, normal]);
    assert_eq!(ids(Filter::contains("subject", "URGENT")), [urgent]);
    // Sorting by priority is by rank too.
    let by_priority: Vec<i64> = tickets
        .find(&Query::default().order_by(OrderBy::desc("priority")))
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(by_priority, [urgent, high, normal, low]);
    // Unknown fields and values are refused.
    let e = tickets.count(&Filter::eq("mood", "angry")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let e = tickets.count(&Filter::eq("status", "done")).unwrap_err();
    assert!(e.to_string().contains("must be one of new"), "{e}");
}
