//! Sales pipelines and deals through the public API.

use chrono::NaiveDate;
use crm_core::{
    Clock, Crm, DealGroupBy, DealPatch, DealStatus, DeleteMode, ErrorCode, Filter, Money,
    NewCustomer, NewDeal, NewPipeline, NewStage, OpenOptions, OrderBy, Principal, Query, Role,
    Timestamp,
};

const DAY: i64 = 86_400_000_000;

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_in(text, chrono_tz::Tz::UTC).unwrap()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn eur(minor: i64) -> Money {
    Money::new(minor, "EUR").unwrap()
}

fn usd(minor: i64) -> Money {
    Money::new(minor, "USD").unwrap()
}

/// A store acting as agent "li", its clock fixed at 2026-06-01, with customers Ada and Bob and
/// the "Sales" pipeline: Lead 0.1, Qualified 0.3, Proposal 0.6, Negotiation 0.8.
fn store() -> (Crm, i64, i64) {
    let crm = Crm::open(
        ":memory:",
        OpenOptions {
            clock: Clock::fixed(ts("2026-06-01")),
            principal: Principal::new("li", Role::Agent).unwrap(),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let ada = crm.customers().add(NewCustomer::new("Ada")).unwrap().id;
    let bob = crm.customers().add(NewCustomer::new("Bob")).unwrap().id;
    crm.deals()
        .create_pipeline(
            NewPipeline::new("Sales")
                .stage("Lead", 0.1)
                .stage("Qualified", 0.3)
                .stage("Proposal", 0.6)
                .stage("Negotiation", 0.8),
        )
        .unwrap();
    (crm, ada, bob)
}

/// Everything the deal API can see, to check that a refused write changed nothing.
fn snapshot(crm: &Crm) -> String {
    let deals = crm.deals();
    let all = deals.find(&Query::default()).unwrap();
    let histories: Vec<_> = all.iter().map(|d| deals.history(d.id).unwrap()).collect();
    let audit = crm.audit().find(&Query::default()).unwrap().len();
    format!(
        "{:?}\n{all:?}\n{histories:?}\naudit entries: {audit}",
        deals.pipelines().unwrap()
    )
}

fn stage_names(crm: &Crm, pipeline: &str) -> Vec<(String, usize, f64)> {
    crm.deals()
        .pipeline(pipeline)
        .unwrap()
        .stages
        .into_iter()
        .map(|s| (s.name, s.position, s.probability))
        .collect()
}

fn audit_of(crm: &Crm, entity: &str) -> Vec<String> {
    crm.audit()
        .find(&Query::new(Filter::eq("entity", entity)))
        .unwrap()
        .into_iter()
        .map(|e| e.action.to_string())
        .collect()
}

#[test]
fn pipelines_and_bad_stages() {
    let (crm, _, _) = store();
    let deals = crm.deals();
    let p = deals.pipeline("sales").unwrap();
    assert_eq!(p.name, "Sales");
    assert_eq!(p.created_at, ts("2026-06-01"));
    assert_eq!(
        stage_names(&crm, "Sales"),
        [
            ("Lead".to_owned(), 0, 0.1),
            ("Qualified".to_owned(), 1, 0.3),
            ("Proposal".to_owned(), 2, 0.6),
            ("Negotiation".to_owned(), 3, 0.8),
        ]
    );

    let before = snapshot(&crm);
    let e = deals
        .create_pipeline(NewPipeline::new(" SALES ").stage("x", 0.5))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AlreadyExists, "{e}");
    let bad = [
        (
            NewPipeline::new("P").stage("Lead", 0.1).stage("LEAD", 0.2),
            "named twice",
        ),
        (NewPipeline::new("P").stage("  ", 0.1), "must not be empty"),
        (NewPipeline::new("P").stage("Lead", 1.5), "from 0 to 1"),
        (NewPipeline::new("P").stage("Lead", -0.1), "from 0 to 1"),
        (NewPipeline::new("P"), "at least one stage"),
        (NewPipeline::new("").stage("Lead", 0.1), "must not be empty"),
    ];
    for (p, rule) in bad {
        let e = deals.create_pipeline(p).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
        assert!(e.to_string().contains(rule), "{e} should say {rule}");
    }
    assert_eq!(snapshot(&crm), before, "refused pipelines write nothing");

    // Stages added in the middle push the later ones down; positions stay 0..n.
    deals
        .add_stage("Sales", NewStage::new(" Demo ", 0.2), Some(1))
        .unwrap();
    let p = deals
        .add_stage("Sales", NewStage::new("Contract", 0.9), None)
        .unwrap();
    assert_eq!(
        p.stage_names(),
        [
            "Lead",
            "Demo",
            "Qualified",
            "Proposal",
            "Negotiation",
            "Contract"
        ]
    );
    assert!(p.stages.iter().enumerate().all(|(i, s)| s.position == i));

    let before = snapshot(&crm);
    let e = deals
        .add_stage("Sales", NewStage::new("demo", 0.2), None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AlreadyExists, "{e}");
    let e = deals
        .add_stage("Sales", NewStage::new("Late", 0.2), Some(7))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    assert!(e.to_string().contains("from 0 to 6"), "{e}");
    let e = deals
        .add_stage("Sales", NewStage::new("Odd", 1.5), None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let e = deals
        .set_stage_probability("Sales", "Demo", 1.5)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let e = deals
        .set_stage_probability("Sales", "Nope", 0.5)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let e = deals
        .add_stage("Nowhere", NewStage::new("X", 0.5), None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(
        snapshot(&crm),
        before,
        "refused stage changes write nothing"
    );

    let p = deals.set_stage_probability("Sales", "demo", 0.25).unwrap();
    assert_eq!(p.stage("Demo").unwrap().probability, 0.25);
    let p = deals.remove_stage("Sales", "Demo").unwrap();
    let p2 = deals.remove_stage("Sales", "Contract").unwrap();
    assert_eq!(p.stages.len(), 5);
    assert_eq!(
        p2.stage_names(),
        ["Lead", "Qualified", "Proposal", "Negotiation"]
    );
    assert!(p2.stages.iter().enumerate().all(|(i, s)| s.position == i));

    // A pipeline keeps at least one stage; an empty pipeline can be deleted.
    deals
        .create_pipeline(NewPipeline::new("Tiny").stage("Only", 0.5))
        .unwrap();
    let e = deals.remove_stage("Tiny", "Only").unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    assert_eq!(deals.pipelines().unwrap().len(), 2);
    deals.delete_pipeline("tiny").unwrap();
    assert_eq!(
        deals.pipeline("Tiny").unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        audit_of(&crm, "pipeline"),
        [
            "create", "update", "update", "update", "update", "update", "create", "delete"
        ]
    );
}

#[test]
fn stages_and_pipelines_with_deals_are_kept() {
    let (crm, ada, _) = store();
    let deals = crm.deals();
    let d = deals
        .create(NewDeal::new("Sales", ada, "Licence", eur(100)).stage("Qualified"))
        .unwrap();
    deals.move_to(d.id, "Proposal", None).unwrap();
    let before = snapshot(&crm);
    let e = deals.remove_stage("Sales", "Proposal").unwrap_err();
    assert_eq!(e.code(), ErrorCode::Constraint);
    assert!(e.to_string().contains("holds 1 deal"), "{e}");
    let e = deals.delete_pipeline("Sales").unwrap_err();
    assert_eq!(e.code(), ErrorCode::Constraint);
    // The customer is referenced by the deal.
    let e = crm
        .customers()
        .delete(ada, DeleteMode::Restrict)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Constraint);
    assert_eq!(snapshot(&crm), before);

    // A stage the deal only passed through can go; the history keeps its name.
    let p = deals.remove_stage("Sales", "Qualified").unwrap();
    assert_eq!(p.stage_names(), ["Lead", "Proposal", "Negotiation"]);
    let h = deals.history(d.id).unwrap();
    assert_eq!(h[0].to_stage, "Qualified");
    assert_eq!(h[1].from_stage.as_deref(), Some("Qualified"));

    deals.delete(d.id).unwrap();
    assert_eq!(deals.get(d.id).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(deals.history(d.id).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(audit_of(&crm, "deal"), ["create", "update", "delete"]);
    deals.delete_pipeline("Sales").unwrap();
    assert!(deals.pipelines().unwrap().is_empty());
}

#[test]
fn deal_lifecycle_and_illegal_transitions() {
    let (crm, ada, _) = store();
    let deals = crm.deals();
    let d = deals
        .create(NewDeal::new(" Sales ", ada, " Licence ", eur(120_000)).source("referral"))
        .unwrap();
    assert_eq!(d.name, "Licence");
    assert_eq!((d.stage.as_str(), d.probability), ("Lead", 0.1));
    assert_eq!(d.owner, "li", "the principal owns it by default");
    assert_eq!(d.status, DealStatus::Open);
    assert_eq!(
        (d.created_at, d.updated_at),
        (ts("2026-06-01"), ts("2026-06-01"))
    );
    assert_eq!((d.version, d.closed_at), (1, None));
    assert_eq!(deals.get(d.id).unwrap(), d);
    let h = deals.history(d.id).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(
        (
            h[0].from_stage.as_deref(),
            h[0].to_stage.as_str(),
            h[0].at,
            h[0].by.as_str()
        ),
        (None, "Lead", ts("2026-06-01"), "li")
    );

    let won = deals.win(d.id, None).unwrap();
    assert_eq!(won.status, DealStatus::Won);
    assert_eq!(won.closed_at, Some(ts("2026-06-01")));
    assert_eq!(won.version, 2);

    let before = snapshot(&crm);
    let e = deals.lose(won.id, "budget", None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition);
    assert_eq!(e.to_string(), "illegal deal transition from won to lost");
    let e = deals.win(won.id, None).unwrap_err();
    assert_eq!(e.to_string(), "illegal deal transition from won to won");
    let e = deals.move_to(won.id, "proposal", None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition);
    assert_eq!(
        e.to_string(),
        "illegal deal transition from won to stage \"Proposal\""
    );
    assert_eq!(snapshot(&crm), before, "refused transitions write nothing");

    let open = deals.reopen(won.id, None).unwrap();
    assert_eq!(
        (open.status, open.closed_at, open.version),
        (DealStatus::Open, None, 3)
    );
    let e = deals.reopen(open.id, None).unwrap_err();
    assert_eq!(e.to_string(), "illegal deal transition from open to open");

    let before = snapshot(&crm);
    let e = deals.lose(open.id, "  ", None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("lost_reason"), "{e}");
    assert_eq!(snapshot(&crm), before);

    let lost = deals
        .lose(open.id, " went with a competitor ", None)
        .unwrap();
    assert_eq!(lost.status, DealStatus::Lost);
    assert_eq!(lost.lost_reason.as_deref(), Some("went with a competitor"));
    let e = deals.win(lost.id, None).unwrap_err();
    assert_eq!(e.to_string(), "illegal deal transition from lost to won");
    let reopened = deals.reopen(lost.id, None).unwrap();
    assert_eq!((reopened.lost_reason, reopened.version), (None, 5));
    assert_eq!(
        audit_of(&crm, "deal"),
        ["create", "update", "update", "update", "update"]
    );
    // The audit entry of the loss names the status change.
    let entries = crm
        .audit()
        .find(&Query::new(Filter::eq("entity", "deal")))
        .unwrap();
    assert_eq!(
        entries[3].changes["status"],
        serde_json::json!({"before": "open", "after": "lost"})
    );
}

#[test]
fn unknown_stage_pipeline_or_customer_and_negative_amounts() {
    let (crm, ada, _) = store();
    let deals = crm.deals();
    let d = deals
        .create(NewDeal::new("Sales", ada, "A", eur(10)))
        .unwrap();
    let before = snapshot(&crm);

    let e = deals.move_to(d.id, "Closing", None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(
        e.to_string()
            .contains("has no such stage (stages: Lead, Qualified, Proposal, Negotiation)"),
        "{e}"
    );
    let e = deals
        .create(NewDeal::new("Sales", ada, "B", eur(10)).stage("Closing"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("stages: Lead, Qualified"), "{e}");
    let e = deals
        .create(NewDeal::new("Nope", ada, "B", eur(10)))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    let e = deals
        .create(NewDeal::new("Sales", 999, "B", eur(10)))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert!(e.to_string().contains("customer id 999"), "{e}");
    let e = deals
        .create(NewDeal::new("Sales", ada, "B", eur(-1)))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("amount"), "{e}");
    let e = deals
        .update(d.id, &DealPatch::default().amount(usd(-5)))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let e = deals.move_to(999, "Lead", None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(snapshot(&crm), before, "refused writes change nothing");
    assert_eq!(deals.count(&Filter::All).unwrap(), 1);

    // Moving to the stage it is in is not a change.
    let same = deals.move_to(d.id, "lead", None).unwrap();
    assert_eq!(same.version, 1);
    assert_eq!(snapshot(&crm), before);
}

#[test]
fn moves_history_and_time_in_stages() {
    let (crm, ada, _) = store();
    let deals = crm.deals();
    // An imported deal: created a month before the clock's "now" (2026-06-01).
    let d = deals
        .create(
            NewDeal::new("Sales", ada, "Import", eur(5_000))
                .owner("ann")
                .created_at(ts("2026-05-01")),
        )
        .unwrap();
    assert_eq!(d.created_at, ts("2026-05-01"));
    assert_eq!(d.updated_at, ts("2026-06-01"));
    assert_eq!(d.owner, "ann");
    deals
        .move_to(d.id, "Qualified", Some(ts("2026-05-04")))
        .unwrap();
    let moved = deals
        .move_to(d.id, "Proposal", Some(ts("2026-05-11")))
        .unwrap();
    assert_eq!(
        (moved.stage.as_str(), moved.probability, moved.version),
        ("Proposal", 0.6, 3)
    );

    let before = snapshot(&crm);
    let e = deals
        .move_to(d.id, "Negotiation", Some(ts("2026-05-05")))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("out of order"), "{e}");
    let e = deals
        .move_to(d.id, "Negotiation", Some(ts("2026-06-02")))
        .unwrap_err();
    assert!(e.to_string().contains("must not be after now"), "{e}");
    let e = deals
        .create(NewDeal::new("Sales", ada, "Future", eur(1)).created_at(ts("2026-06-02")))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let e = deals.win(d.id, Some(ts("2026-05-10"))).unwrap_err();
    assert!(e.to_string().contains("out of order"), "{e}");
    assert_eq!(snapshot(&crm), before);

    let h = deals.history(d.id).unwrap();
    let moves: Vec<(Option<&str>, &str, Timestamp)> = h
        .iter()
        .map(|c| (c.from_stage.as_deref(), c.to_stage.as_str(), c.at))
        .collect();
    assert_eq!(
        moves,
        [
            (None, "Lead", ts("2026-05-01")),
            (Some("Lead"), "Qualified", ts("2026-05-04")),
            (Some("Qualified"), "Proposal", ts("2026-05-11")),
        ]
    );

    let stays = deals.time_in_stages(d.id, None).unwrap();
    let got: Vec<(&str, i64, Option<Timestamp>)> = stays
        .iter()
        .map(|s| (s.stage.as_str(), s.duration, s.left_at))
        .collect();
    assert_eq!(
        got,
        [
            ("Lead", 3 * DAY, Some(ts("2026-05-04"))),
            ("Qualified", 7 * DAY, Some(ts("2026-05-11"))),
            ("Proposal", 21 * DAY, None),
        ]
    );
    let at_15th = deals.time_in_stages(d.id, Some(ts("2026-05-15"))).unwrap();
    assert_eq!(at_15th[2].duration, 4 * DAY);

    // Once won, the last stay ends at the close, whatever "now" is.
    deals.win(d.id, Some(ts("2026-05-20"))).unwrap();
    let stays = deals.time_in_stages(d.id, None).unwrap();
    assert_eq!(stays[2].left_at, Some(ts("2026-05-20")));
    assert_eq!(stays[2].duration, 9 * DAY);
    // A reopen cannot predate the close.
    let e = deals.reopen(d.id, Some(ts("2026-05-19"))).unwrap_err();
    assert!(e.to_string().contains("out of order"), "{e}");
}

#[test]
fn stale_expected_version_and_patches() {
    let (crm, ada, _) = store();
    let deals = crm.deals();
    let d = deals
        .create(
            NewDeal::new("Sales", ada, "A", eur(10))
                .source("web")
                .expected_close(date("2026-07-01")),
        )
        .unwrap();
    let v2 = deals
        .update(
            d.id,
            &DealPatch::default()
                .name("A2")
                .amount(usd(20))
                .owner("bo")
                .source(None)
                .expected_close(Some(date("2026-09-30")))
                .expect_version(1),
        )
        .unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(
        (v2.name.as_str(), v2.amount, v2.owner.as_str()),
        ("A2", usd(20), "bo")
    );
    assert_eq!(v2.source, None);
    assert_eq!(v2.expected_close, Some(date("2026-09-30")));
    assert_eq!(deals.get(d.id).unwrap(), v2);

    let before = snapshot(&crm);
    let e = deals
        .update(d.id, &DealPatch::default().name("B").expect_version(1))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert_eq!(
        e.to_string(),
        format!("deal {} is at version 2, not the expected version 1", d.id)
    );
    assert_eq!(snapshot(&crm), before);

    // A patch that changes nothing keeps the version; clearing the date works.
    let same = deals
        .update(d.id, &DealPatch::default().name("A2"))
        .unwrap();
    assert_eq!(same.version, 2);
    let cleared = deals
        .update(
            d.id,
            &DealPatch::default().expected_close(None).expect_version(2),
        )
        .unwrap();
    assert_eq!((cleared.expected_close, cleared.version), (None, 3));
    // A move also bumps the version, so a patch read before it is stale.
    deals.move_to(d.id, "Proposal", None).unwrap();
    let e = deals
        .update(d.id, &DealPatch::default().name("C").expect_version(3))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
}

/// Seven deals in "Sales" (and one in "Renewals", which no Sales view may count):
///
/// | deal | amount     | stage path                  | status | owner | source   | close      | created    |
/// |------|------------|-----------------------------|--------|-------|----------|------------|------------|
/// | D1   | EUR 10 000 | Lead                        | open   | ann   | referral | 2026-07-15 | 06-01      |
/// | D2   | EUR 20 000 | Proposal                    | open   | ann   | web      | 2026-07-31 | 06-01      |
/// | D3   | USD  5 000 | Proposal                    | open   | bo    | referral | 2026-08-01 | 06-01      |
/// | D4   | EUR 30 000 | Negotiation                 | open   | bo    | —        | —          | 06-01      |
/// | D5   | EUR  7 000 | Lead → Qualified → Proposal | won    | ann   | referral | —          | 05-01 → won 05-21 |
/// | D6   | USD  9 000 | Lead → Qualified            | lost   | bo    | web      | —          | 05-01      |
/// | D7   | EUR  1 000 | Lead                        | lost   | ann   | referral | —          | 05-01      |
fn seed_views(crm: &Crm, ada: i64, bob: i64) -> [i64; 7] {
    let deals = crm.deals();
    let new = |name: &str, amount: Money, owner: &str| {
        NewDeal::new("Sales", ada, name, amount).owner(owner)
    };
    let d1 = new("D1", eur(10_000), "ann")
        .source("referral")
        .expected_close(date("2026-07-15"));
    let d2 = new("D2", eur(20_000), "ann")
        .stage("Proposal")
        .source("web")
        .expected_close(date("2026-07-31"));
    let d3 = NewDeal::new("Sales", bob, "D3", usd(5_000))
        .owner("bo")
        .stage("Proposal")
        .source("referral")
        .expected_close(date("2026-08-01"));
    let d4 = NewDeal::new("Sales", bob, "D4", eur(30_000))
        .owner("bo")
        .stage("Negotiation");
    let old = ts("2026-05-01");
    let d5 = new("D5", eur(7_000), "ann")
        .source("referral")
        .created_at(old);
    let d6 = NewDeal::new("Sales", bob, "D6", usd(9_000))
        .owner("bo")
        .source("web")
        .created_at(old);
    let d7 = new("D7", eur(1_000), "ann")
        .source("referral")
        .created_at(old);
    let ids: Vec<i64> = [d1, d2, d3, d4, d5, d6, d7]
        .into_iter()
        .map(|d| deals.create(d).unwrap().id)
        .collect();
    let [i1, i2, i3, i4, i5, i6, i7] = ids[..] else {
        panic!("seven deals")
    };
    deals
        .move_to(i5, "Qualified", Some(ts("2026-05-05")))
        .unwrap();
    deals
        .move_to(i5, "Proposal", Some(ts("2026-05-10")))
        .unwrap();
    deals.win(i5, Some(ts("2026-05-21"))).unwrap();
    deals
        .move_to(i6, "Qualified", Some(ts("2026-05-06")))
        .unwrap();
    deals.lose(i6, "price", Some(ts("2026-05-20"))).unwrap();
    deals.lose(i7, "no budget", Some(ts("2026-05-03"))).unwrap();

    deals
        .create_pipeline(NewPipeline::new("Renewals").stage("Due", 0.9))
        .unwrap();
    let r = deals
        .create(NewDeal::new("Renewals", ada, "R", eur(99_000)).owner("ann"))
        .unwrap();
    deals.win(r.id, None).unwrap();
    [i1, i2, i3, i4, i5, i6, i7]
}

#[test]
fn value_by_stage_per_currency() {
    let (crm, ada, bob) = store();
    seed_views(&crm, ada, bob);
    let v = crm.deals().value_by_stage("Sales").unwrap();
    let got: Vec<(&str, usize, &str, i64, i64, f64)> = v
        .iter()
        .map(|s| {
            (
                s.currency.as_str(),
                s.position,
                s.stage.as_str(),
                s.count,
                s.amount,
                s.weighted,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("EUR", 0, "Lead", 1, 10_000, 1_000.0),
            ("EUR", 1, "Qualified", 0, 0, 0.0),
            ("EUR", 2, "Proposal", 1, 20_000, 12_000.0),
            ("EUR", 3, "Negotiation", 1, 30_000, 24_000.0),
            ("USD", 0, "Lead", 0, 0, 0.0),
            ("USD", 1, "Qualified", 0, 0, 0.0),
            ("USD", 2, "Proposal", 1, 5_000, 3_000.0),
            ("USD", 3, "Negotiation", 0, 0, 0.0),
        ]
    );
    // A new probability reweights at once.
    crm.deals()
        .set_stage_probability("Sales", "Negotiation", 0.5)
        .unwrap();
    let v = crm.deals().value_by_stage("Sales").unwrap();
    assert_eq!(v[3].weighted, 15_000.0);
    assert!(crm.deals().value_by_stage("Nope").is_err());
}

#[test]
fn forecast_by_close_month() {
    let (crm, ada, bob) = store();
    seed_views(&crm, ada, bob);
    let f = crm.deals().forecast("Sales").unwrap();
    let got: Vec<(Option<&str>, &str, i64, i64, f64)> = f
        .iter()
        .map(|m| {
            (
                m.month.as_deref(),
                m.currency.as_str(),
                m.count,
                m.amount,
                m.weighted,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // D1 (Lead 0.1) + D2 (Proposal 0.6)
            (Some("2026-07"), "EUR", 2, 30_000, 13_000.0),
            // D3 (Proposal 0.6)
            (Some("2026-08"), "USD", 1, 5_000, 3_000.0),
            // D4 (Negotiation 0.8), no date
            (None, "EUR", 1, 30_000, 24_000.0),
        ]
    );
}

#[test]
fn win_rates_by_owner_and_source() {
    let (crm, ada, bob) = store();
    seed_views(&crm, ada, bob);
    let by_owner = crm.deals().win_rates("Sales", DealGroupBy::Owner).unwrap();
    let got: Vec<_> = by_owner
        .iter()
        .map(|w| {
            (
                w.key.as_deref(),
                w.won,
                w.lost,
                w.open,
                w.win_rate,
                w.average_cycle,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // D5 won after 20 days (05-01 → 05-21); D7 lost; D1, D2 open.
            (Some("ann"), 1, 1, 2, Some(0.5), Some((20 * DAY) as f64)),
            (Some("bo"), 0, 1, 2, Some(0.0), None),
        ]
    );
    let by_source = crm.deals().win_rates("Sales", DealGroupBy::Source).unwrap();
    let got: Vec<_> = by_source
        .iter()
        .map(|w| (w.key.as_deref(), w.won, w.lost, w.open, w.win_rate))
        .collect();
    assert_eq!(
        got,
        [
            (Some("referral"), 1, 1, 2, Some(0.5)),
            (Some("web"), 0, 1, 1, Some(0.0)),
            (None, 0, 0, 1, None),
        ]
    );
}

#[test]
fn stage_conversion_between_consecutive_stages() {
    let (crm, ada, bob) = store();
    let ids = seed_views(&crm, ada, bob);
    let c = crm.deals().stage_conversion("Sales").unwrap();
    let got: Vec<(&str, &str, i64, i64, Option<f64>)> = c
        .iter()
        .map(|s| {
            (
                s.from_stage.as_str(),
                s.to_stage.as_str(),
                s.entered,
                s.advanced,
                s.rate,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // D1, D5, D6, D7 entered Lead; D5 and D6 went on.
            ("Lead", "Qualified", 4, 2, Some(0.5)),
            // D5, D6 entered Qualified; D5 went on.
            ("Qualified", "Proposal", 2, 1, Some(0.5)),
            // D2, D3, D5 entered Proposal; only D5 (won) went on.
            ("Proposal", "Negotiation", 3, 1, Some(1.0 / 3.0)),
        ]
    );
    // Skipping a stage still counts as advancing from the one left.
    crm.deals().move_to(ids[0], "Negotiation", None).unwrap();
    let c = crm.deals().stage_conversion("Sales").unwrap();
    assert_eq!((c[0].entered, c[0].advanced), (4, 3));
    assert_eq!(c[1].entered, 2, "a skipped stage was not entered");
}

#[test]
fn filters_and_orders() {
    let (crm, ada, bob) = store();
    seed_views(&crm, ada, bob);
    let deals = crm.deals();
    let names = |f: Filter| -> Vec<String> {
        deals
            .find(&Query::new(f).order_by(OrderBy::desc("amount")))
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect()
    };
    assert_eq!(deals.count(&Filter::All).unwrap(), 8);
    assert_eq!(deals.count(&Filter::eq("pipeline", "Sales")).unwrap(), 7);
    assert_eq!(
        names(Filter::eq("status", "open")),
        ["D4", "D2", "D1", "D3"]
    );
    assert_eq!(
        names(Filter::eq("stage", "Proposal").and(Filter::eq("currency", "EUR"))),
        ["D2", "D5"]
    );
    assert_eq!(names(Filter::eq("status", "lost")), ["D6", "D7"]);
    // Stage and pipeline names match ignoring case, as moves do.
    assert_eq!(names(Filter::eq("stage", "proposal")), ["D2", "D5", "D3"]);
    assert_eq!(deals.count(&Filter::eq("pipeline", "SALES")).unwrap(), 7);
    assert_eq!(
        names(Filter::ge("amount", 20_000).and(Filter::eq("pipeline", "Sales"))),
        ["D4", "D2"]
    );
    assert_eq!(
        names(Filter::lt("expected_close", "2026-08-01")),
        ["D2", "D1"]
    );
    assert_eq!(
        names(Filter::is_null("source").and(Filter::eq("owner", "bo"))),
        ["D4"]
    );
    assert_eq!(
        names(Filter::lt("created_at", "2026-05-15").and(Filter::eq("customer_id", bob))),
        ["D6"]
    );
    assert_eq!(
        names(Filter::ge("closed_at", "2026-05-20").and(Filter::eq("pipeline", "Sales"))),
        ["D6", "D5"]
    );
    assert_eq!(
        names(Filter::parse("status = 'won' and owner = 'ann'").unwrap()),
        ["R", "D5"]
    );
    let page = deals
        .find(
            &Query::new(Filter::eq("pipeline", "Sales"))
                .order_by(OrderBy::asc("name"))
                .limit(2)
                .offset(1),
        )
        .unwrap();
    assert_eq!(
        page.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        ["D2", "D3"]
    );

    let e = deals.count(&Filter::eq("colour", "red")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("known: id, customer_id"), "{e}");
    let e = deals.count(&Filter::eq("status", "pending")).unwrap_err();
    assert!(e.to_string().contains("open, won, lost"), "{e}");
}
