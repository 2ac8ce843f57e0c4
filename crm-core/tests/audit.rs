//! The audit trail, tags and notes through the public API.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crm_core::{
    AuditAction, Channel, Clock, Crm, CustomerPatch, DeleteMode, EntityKind, ErrorCode, Filter,
    LifecycleStage, Money, NewCustomer, NewInteraction, NewProduct, NewPurchase, OpenOptions,
    OrderBy, Principal, PurchaseStatus, Query, Role, Timestamp,
};

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_in(text, chrono_tz::Tz::UTC).unwrap()
}

/// A file store opened as agent `li.wei`, with a clock the test moves forward a day at a time.
fn store(dir: &tempfile::TempDir) -> (Crm, Arc<AtomicI64>) {
    let now = Arc::new(AtomicI64::new(ts("2026-03-01").as_micros()));
    let clock = now.clone();
    let opts = OpenOptions {
        principal: Principal::new("li.wei", Role::Agent).unwrap(),
        clock: Clock::from_fn(move || Timestamp::from_micros(clock.load(Ordering::SeqCst))),
        ..OpenOptions::default()
    };
    (Crm::open(dir.path().join("audit.db"), opts).unwrap(), now)
}

fn next_day(now: &AtomicI64) {
    now.fetch_add(86_400_000_000, Ordering::SeqCst);
}

fn trail(crm: &Crm, entity: &str, id: i64) -> Vec<crm_core::AuditEntry> {
    crm.audit()
        .find(&Query::new(
            Filter::eq("entity", entity).and(Filter::eq("entity_id", id)),
        ))
        .unwrap()
}

#[test]
fn every_customer_write_is_recorded_with_who_and_when() {
    let dir = tempfile::tempdir().unwrap();
    let (crm, now) = store(&dir);
    let c = crm
        .customers()
        .add(NewCustomer::new("Ada").email("ada@example.com").tag("vip"))
        .unwrap();
    next_day(&now);
    crm.customers()
        .update(
            c.id,
            &CustomerPatch::default()
                .stage(LifecycleStage::Customer)
                .email(Some("ada@new.example")),
        )
        .unwrap();
    crm.customers()
        .update(
            c.id,
            &CustomerPatch::default().stage(LifecycleStage::Customer),
        )
        .unwrap(); // no change: no entry
    next_day(&now);
    crm.customers().delete(c.id, DeleteMode::Restrict).unwrap();

    let t = trail(&crm, "customer", c.id);
    assert_eq!(
        t.iter().map(|e| e.action).collect::<Vec<_>>(),
        [
            AuditAction::Create,
            AuditAction::Update,
            AuditAction::Delete
        ]
    );
    assert!(
        t.iter()
            .all(|e| e.principal == "li.wei" && e.role == "agent")
    );
    assert_eq!(
        t.iter().map(|e| e.at).collect::<Vec<_>>(),
        [ts("2026-03-01"), ts("2026-03-02"), ts("2026-03-03")]
    );

    assert_eq!(t[0].changes["name"]["after"], "Ada");
    assert_eq!(t[0].changes["tags"]["after"], serde_json::json!(["vip"]));
    assert!(
        !t[0].changes.contains_key("company"),
        "absent fields are left out"
    );
    let u = &t[1].changes;
    assert_eq!(u.len(), 2, "only what changed: {u:?}");
    assert_eq!(
        (u["stage"]["before"].as_str(), u["stage"]["after"].as_str()),
        (Some("lead"), Some("customer"))
    );
    assert_eq!(
        (u["email"]["before"].as_str(), u["email"]["after"].as_str()),
        (Some("ada@example.com"), Some("ada@new.example"))
    );
    assert_eq!(t[2].changes["name"]["before"], "Ada");
    assert!(t[2].changes["name"]["after"].is_null());
}

#[test]
fn personal_values_are_kept_apart_by_customer() {
    let dir = tempfile::tempdir().unwrap();
    let (crm, _) = store(&dir);
    let c = crm
        .customers()
        .add(
            NewCustomer::new("Grace")
                .email("grace@navy.example")
                .company("Navy"),
        )
        .unwrap();
    crm.interactions()
        .add(
            NewInteraction::new(c.id, Channel::Email)
                .subject("Invoice question")
                .body("My card ends in 4242"),
        )
        .unwrap();
    drop(crm);
    let raw = rusqlite::Connection::open(dir.path().join("audit.db")).unwrap();
    let public: String = raw
        .query_row(
            "SELECT group_concat(changes, ' ') FROM audit_log",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        public.contains("Navy"),
        "non-personal values stay in the entry"
    );
    for secret in ["Grace", "grace@navy.example", "4242", "Invoice question"] {
        assert!(
            !public.contains(secret),
            "{secret} leaked into audit_log: {public}"
        );
    }
    let keyed: i64 = raw
        .query_row(
            "SELECT count(*) FROM audit_personal WHERE customer_id = ?1",
            [c.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        keyed, 4,
        "name, email, subject, body — each keyed by the customer"
    );
}

#[test]
fn the_trail_is_append_only_and_written_with_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let (crm, _) = store(&dir);
    crm.customers()
        .add(NewCustomer::new("Ada").external_id("A-1"))
        .unwrap();
    let before = crm.audit().find(&Query::default()).unwrap().len();
    // A refused write leaves no entry: the entry is in the same transaction.
    assert_eq!(
        crm.customers()
            .add(NewCustomer::new("Dup").external_id("A-1"))
            .unwrap_err()
            .code(),
        ErrorCode::AlreadyExists
    );
    assert_eq!(
        crm.customers()
            .update(1, &CustomerPatch::default().name("X").expect_version(9))
            .unwrap_err()
            .code(),
        ErrorCode::Conflict
    );
    assert_eq!(crm.audit().find(&Query::default()).unwrap().len(), before);
    drop(crm);
    let raw = rusqlite::Connection::open(dir.path().join("audit.db")).unwrap();
    for sql in [
        "UPDATE audit_log SET principal = 'mallory'",
        "DELETE FROM audit_log",
    ] {
        let e = raw.execute(sql, []).unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
}

#[test]
fn bulk_purchase_product_and_interaction_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (crm, now) = store(&dir);
    let ids = crm
        .customers()
        .add_many((0..50).map(|i| NewCustomer::new(format!("C{i}"))).collect())
        .unwrap();
    let bulk = crm
        .audit()
        .find(&Query::new(Filter::eq("action", "bulk_create")))
        .unwrap();
    assert_eq!(bulk.len(), 1);
    assert_eq!(bulk[0].changes["count"]["after"], 50);
    assert_eq!(bulk[0].changes["first_id"]["after"], ids[0]);
    assert_eq!(bulk[0].entity_id, None);

    let tea = crm
        .products()
        .add(NewProduct::new("TEA", "Tea").price(Money::new(450, "EUR").unwrap()))
        .unwrap();
    next_day(&now);
    let p = crm
        .purchases()
        .add(NewPurchase::new(ids[0], Money::new(900, "EUR").unwrap()))
        .unwrap();
    crm.purchases()
        .set_status(p.id, PurchaseStatus::Refunded)
        .unwrap();
    assert_eq!(
        trail(&crm, "product", tea.id)[0].changes["price"]["after"],
        450
    );
    let pt = trail(&crm, "purchase", p.id);
    assert_eq!(pt.len(), 2);
    assert_eq!(pt[1].changes["status"]["after"], "refunded");

    // Query by principal, time range and order.
    let day2 = crm
        .audit()
        .find(&Query::new(Filter::ge("at", "2026-03-02")))
        .unwrap();
    assert_eq!(day2.len(), 2);
    let newest = crm
        .audit()
        .find(
            &Query::new(Filter::eq("principal", "li.wei"))
                .order_by(OrderBy::desc("id"))
                .limit(1),
        )
        .unwrap();
    assert_eq!(newest[0].entity, "purchase");
    assert_eq!(
        crm.audit()
            .find(&Query::new(Filter::eq("principal", "mallory")))
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        crm.audit()
            .find(&Query::new(Filter::eq("action", "rename")))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
}

#[test]
fn tags_add_and_remove() {
    let crm = Crm::open_in_memory().unwrap();
    let c = crm
        .customers()
        .add(NewCustomer::new("Ada").tag("vip"))
        .unwrap();
    let c2 = crm
        .customers()
        .add_tags(c.id, &["Newsletter", "vip"])
        .unwrap();
    assert_eq!(c2.tags, ["newsletter", "vip"]);
    assert_eq!(c2.version, 2);
    let c3 = crm
        .customers()
        .remove_tags(c.id, &["VIP", "unknown"])
        .unwrap();
    assert_eq!(c3.tags, ["newsletter"]);
    let same = crm.customers().remove_tags(c.id, &["unknown"]).unwrap();
    assert_eq!(same.version, c3.version, "nothing removed, nothing changed");
    assert_eq!(
        crm.customers()
            .count(&Filter::has_tag("newsletter"))
            .unwrap(),
        1
    );
    assert_eq!(
        crm.customers().add_tags(c.id, &["a,b"]).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        crm.customers().add_tags(999, &["x"]).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[test]
fn notes_on_any_record() {
    let crm = Crm::open(
        ":memory:",
        OpenOptions {
            clock: Clock::fixed(ts("2026-04-01")),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let c = crm.customers().add(NewCustomer::new("Ada")).unwrap();
    let tea = crm.products().add(NewProduct::new("TEA", "Tea")).unwrap();
    let first = crm
        .notes()
        .add(EntityKind::Customer, c.id, "  Prefers e-mail. ")
        .unwrap();
    let second = crm
        .notes()
        .add(EntityKind::Customer, c.id, "Asked for a catalogue")
        .unwrap();
    crm.notes()
        .add(EntityKind::Product, tea.id, "Seasonal")
        .unwrap();
    assert_eq!(first.body, "Prefers e-mail.");
    assert_eq!(first.author, "system");
    let notes = crm.notes().list(EntityKind::Customer, c.id).unwrap();
    assert_eq!(
        notes.iter().map(|n| n.id).collect::<Vec<_>>(),
        [second.id, first.id],
        "newest first"
    );
    assert_eq!(
        crm.notes()
            .add(EntityKind::Purchase, 77, "x")
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        crm.notes()
            .add(EntityKind::Customer, c.id, "   ")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        "ticket".parse::<EntityKind>().unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        trail(&crm, "note", first.id)[0].changes["body"]["after"],
        "Prefers e-mail."
    );

    crm.customers().delete(c.id, DeleteMode::Restrict).unwrap();
    assert_eq!(
        crm.notes()
            .list(EntityKind::Customer, c.id)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        crm.notes().list(EntityKind::Product, tea.id).unwrap().len(),
        1,
        "other records keep theirs"
    );
}
