//! Interactions and the customer timeline through the public API.

use crm_core::{
    Channel, Clock, Crm, DeleteMode, Direction, ErrorCode, Filter, InteractionKind, NewCustomer,
    NewInteraction, OpenOptions, OrderBy, Query, Timestamp,
};

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_in(text, chrono_tz::Tz::UTC).unwrap()
}

fn crm() -> (Crm, i64, i64) {
    let crm = Crm::open(
        ":memory:",
        OpenOptions {
            clock: Clock::fixed(ts("2026-06-01")),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let ada = crm.customers().add(NewCustomer::new("Ada")).unwrap().id;
    let bob = crm.customers().add(NewCustomer::new("Bob")).unwrap().id;
    (crm, ada, bob)
}

/// Ada: 6 touchpoints over six days on alternating channels; Bob: one.
fn seed(crm: &Crm, ada: i64, bob: i64) {
    let mut rows: Vec<NewInteraction> = (0..6)
        .map(|d| {
            let (channel, kind) = if d % 2 == 0 {
                (Channel::Email, InteractionKind::Message)
            } else {
                (Channel::Phone, InteractionKind::Call)
            };
            NewInteraction::new(ada, channel)
                .kind(kind)
                .at(ts(&format!("2026-05-0{}T09:00:00Z", d + 1)))
                .subject(format!("day {}", d + 1))
        })
        .collect();
    rows.push(
        NewInteraction::new(bob, Channel::InPerson)
            .kind(InteractionKind::Visit)
            .direction(Direction::Outbound),
    );
    crm.interactions().add_many(rows).unwrap();
}

#[test]
fn record_and_read() {
    let (crm, ada, _) = crm();
    let it = crm
        .interactions()
        .add(
            NewInteraction::new(ada, Channel::Chat)
                .kind(InteractionKind::Message)
                .subject("  Where is my order? ")
                .body("Order ORD-1 has not arrived.")
                .metadata_json(r#"{"agent": "li", "csat": 4}"#)
                .unwrap(),
        )
        .unwrap();
    assert_eq!(it.subject.as_deref(), Some("Where is my order?"));
    assert_eq!(
        it.occurred_at,
        ts("2026-06-01"),
        "the handle's clock by default"
    );
    assert_eq!(it.direction, Direction::Inbound);
    assert_eq!(it.metadata["csat"], 4);
    assert_eq!(crm.interactions().get(it.id).unwrap(), it);
}

#[test]
fn timeline_newest_first_with_filters_and_pages() {
    let (crm, ada, bob) = crm();
    seed(&crm, ada, bob);
    let subjects = |q: Query| -> Vec<String> {
        crm.interactions()
            .timeline(ada, &q)
            .unwrap()
            .into_iter()
            .map(|i| i.subject.unwrap_or_default())
            .collect()
    };
    assert_eq!(
        subjects(Query::default()),
        ["day 6", "day 5", "day 4", "day 3", "day 2", "day 1"]
    );
    assert_eq!(
        subjects(Query::default().limit(2).offset(2)),
        ["day 4", "day 3"]
    );
    assert_eq!(
        subjects(Query::new(Filter::eq("channel", "phone"))),
        ["day 6", "day 4", "day 2"]
    );
    assert_eq!(
        subjects(Query::new(
            Filter::eq("kind", "message").and(Filter::ge("occurred_at", "2026-05-03"))
        )),
        ["day 5", "day 3"]
    );
    assert_eq!(
        subjects(
            Query::new(Filter::All)
                .order_by(OrderBy::asc("occurred_at"))
                .limit(1)
        ),
        ["day 1"]
    );
    assert_eq!(
        crm.interactions()
            .timeline(bob, &Query::default())
            .unwrap()
            .len(),
        1,
        "only the customer's own"
    );
    assert_eq!(
        crm.interactions()
            .count(&Filter::eq("direction", "outbound"))
            .unwrap(),
        1
    );
}

#[test]
fn bad_interactions_change_nothing() {
    let (crm, ada, bob) = crm();
    seed(&crm, ada, bob);
    let before = crm.interactions().count(&Filter::All).unwrap();
    let i = crm.interactions();
    let e = i.add(NewInteraction::new(404, Channel::Web)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert!(e.to_string().contains("customer id 404"), "{e}");
    assert_eq!(
        NewInteraction::new(ada, Channel::Web)
            .metadata_json("[]")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        NewInteraction::new(ada, Channel::Web)
            .metadata_json("{")
            .unwrap_err()
            .code(),
        ErrorCode::Parse
    );
    assert_eq!(
        i.add(NewInteraction::new(ada, Channel::Web).subject("x".repeat(501)))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    let e = i
        .add_many(vec![
            NewInteraction::new(ada, Channel::Web),
            NewInteraction::new(999, Channel::Web),
        ])
        .unwrap_err();
    assert!(e.to_string().contains("(row 1)"), "{e}");
    assert_eq!(
        i.timeline(999, &Query::default()).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        i.timeline(ada, &Query::new(Filter::eq("channel", "fax")))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(i.count(&Filter::All).unwrap(), before);
}

#[test]
fn customers_with_interactions_need_cascade() {
    let (crm, ada, bob) = crm();
    seed(&crm, ada, bob);
    let e = crm
        .customers()
        .delete(bob, DeleteMode::Restrict)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Constraint);
    assert!(e.to_string().contains("interactions"), "{e}");
    crm.customers().delete(bob, DeleteMode::Cascade).unwrap();
    assert_eq!(crm.interactions().count(&Filter::All).unwrap(), 6);
}
