//! Campaigns, tickets and deals seen from the customer: segment predicates over them, the
//! timeline links, and deleting a customer with all of them.

use crm_core::{
    Channel, Clock, Crm, ErrorCode, Filter, Money, NewCustomer, NewDeal, NewPipeline, NewTicket,
    OpenOptions, Query, TicketStatus, Timestamp,
};

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_in(text, chrono_tz::Tz::UTC).unwrap()
}

fn store() -> (Crm, [i64; 3]) {
    let crm = Crm::open(
        ":memory:",
        OpenOptions {
            clock: Clock::fixed(ts("2026-06-01")),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let c = crm.customers();
    let ids = [
        c.add(NewCustomer::new("Ada")).unwrap().id,
        c.add(NewCustomer::new("Bob")).unwrap().id,
        c.add(NewCustomer::new("Cy")).unwrap().id,
    ];
    (crm, ids)
}

fn count(crm: &Crm, text: &str) -> Vec<String> {
    crm.customers()
        .find(&Query::new(Filter::parse(text).unwrap()))
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect()
}

#[test]
fn ticket_and_deal_predicates() {
    let (crm, [ada, bob, cy]) = store();
    let t = crm.tickets();
    // Ada: one open ticket (recent) and one resolved long ago; Bob: an old closed one.
    t.open(NewTicket::new(ada, "Where is my parcel?", Channel::Email).at(ts("2026-05-20")))
        .unwrap();
    let old = t
        .open(NewTicket::new(ada, "Invoice", Channel::Email).at(ts("2026-01-10")))
        .unwrap();
    t.transition(old.id, TicketStatus::Resolved, Some(ts("2026-01-11")))
        .unwrap();
    let bob_t = t
        .open(NewTicket::new(bob, "Login", Channel::Chat).at(ts("2026-04-01")))
        .unwrap();
    t.transition(bob_t.id, TicketStatus::Resolved, Some(ts("2026-04-02")))
        .unwrap();
    t.transition(bob_t.id, TicketStatus::Closed, Some(ts("2026-04-03")))
        .unwrap();

    assert_eq!(count(&crm, "has_open_ticket = true"), ["Ada"]);
    assert_eq!(count(&crm, "open_tickets = 0"), ["Bob", "Cy"]);
    // 90 days before the clock's 2026-06-01 is 2026-03-03: Ada's May ticket and Bob's April one.
    assert_eq!(count(&crm, "tickets_last_90d >= 1"), ["Ada", "Bob"]);
    assert_eq!(count(&crm, "tickets_last_90d = 2"), Vec::<String>::new());

    let d = crm.deals();
    d.create_pipeline(
        NewPipeline::new("Sales")
            .stage("lead", 0.1)
            .stage("won-ish", 0.9),
    )
    .unwrap();
    let eur = |m| Money::new(m, "EUR").unwrap();
    d.create(NewDeal::new("Sales", cy, "Big", eur(50_000)))
        .unwrap();
    d.create(NewDeal::new("Sales", cy, "Small", eur(5_000)))
        .unwrap();
    let lost = d
        .create(NewDeal::new("Sales", bob, "Lost", eur(90_000)))
        .unwrap();
    d.lose(lost.id, "price", None).unwrap();
    assert_eq!(count(&crm, "open_deal_value > 10000"), ["Cy"]);
    assert_eq!(count(&crm, "open_deals = 2"), ["Cy"]);
    assert_eq!(count(&crm, "open_deal_value = 0"), ["Ada", "Bob"]);

    // Keyword filters and saved segments see the same fields.
    assert_eq!(
        crm.customers()
            .count(&Filter::lookup("has_open_ticket", true.into()).unwrap())
            .unwrap(),
        1
    );
    crm.segments()
        .save_text(
            "pipeline with service trouble",
            "open_deal_value > 0 or has_open_ticket = true",
        )
        .unwrap();
    assert_eq!(
        crm.segments()
            .count("pipeline with service trouble")
            .unwrap(),
        2
    );
}

#[test]
fn tickets_show_on_the_timeline() {
    let (crm, [ada, ..]) = store();
    let t = crm
        .tickets()
        .open(NewTicket::new(ada, "Broken kettle", Channel::Phone).at(ts("2026-05-30T10:00:00Z")))
        .unwrap();
    let timeline = crm.interactions().timeline(ada, &Query::default()).unwrap();
    assert_eq!(timeline.len(), 1);
    assert_eq!(timeline[0].ticket_id, Some(t.id));
    assert_eq!(timeline[0].subject.as_deref(), Some("Broken kettle"));
    assert_eq!(timeline[0].channel, Channel::Phone);
    assert_eq!(timeline[0].occurred_at, ts("2026-05-30T10:00:00Z"));
    assert_eq!(
        crm.interactions()
            .count(&Filter::eq("ticket_id", t.id))
            .unwrap(),
        1
    );
}

#[test]
fn deleting_a_customer_with_tickets_deals_and_campaigns() {
    let (crm, [ada, ..]) = store();
    crm.tickets()
        .open(NewTicket::new(ada, "Help", Channel::Email))
        .unwrap();
    crm.deals()
        .create_pipeline(NewPipeline::new("P").stage("s", 0.5))
        .unwrap();
    crm.deals()
        .create(NewDeal::new("P", ada, "D", Money::new(1, "EUR").unwrap()))
        .unwrap();
    crm.segments().save_text("all", "").unwrap();
    let k = crm.campaigns();
    let c = k
        .create(crm_core::NewCampaign::new("C", Channel::Email).segment("all"))
        .unwrap();
    k.schedule(c.id, None).unwrap();
    k.start(c.id, None).unwrap();
    k.record_event(
        c.id,
        crm_core::NewCampaignEvent::new(ada, crm_core::EventKind::Sent),
    )
    .unwrap();

    let e = crm
        .customers()
        .delete(ada, crm_core::DeleteMode::Restrict)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Constraint);
    assert_eq!(crm.tickets().count(&Filter::All).unwrap(), 1);

    crm.customers()
        .delete(ada, crm_core::DeleteMode::Cascade)
        .unwrap();
    assert_eq!(crm.tickets().count(&Filter::All).unwrap(), 0);
    assert_eq!(crm.deals().count(&Filter::All).unwrap(), 0);
    assert_eq!(k.members(c.id).unwrap().len(), 2);
    assert!(k.events(c.id, None).unwrap().is_empty());
}
