//! Campaigns through the public API: lifecycle, frozen audience, seeded split, tracking events,
//! evaluation.

use crm_core::analytics::proportions::{
    Alternative, ConfintMethod, chi2_contingency, confint_proportions_2indep, proportions_ztest,
};
use crm_core::{
    CampaignPatch, CampaignStatus, Channel, Clock, Crm, ErrorCode, EvaluationOptions, EventKind,
    EventRejection, Filter, Money, NewCampaign, NewCampaignEvent, NewCustomer, NewPurchase,
    OpenOptions, Query, Timestamp, Variant,
};

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_in(text, chrono_tz::Tz::UTC).unwrap()
}

fn eur(minor: i64) -> Money {
    Money::new(minor, "EUR").unwrap()
}

/// `n` customers, every third one tagged `vip`, in a store whose clock reads 2026-03-01.
fn store(n: usize) -> Crm {
    let crm = Crm::open(
        ":memory:",
        OpenOptions {
            clock: Clock::fixed(ts("2026-03-01")),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    crm.customers()
        .add_many(
            (0..n)
                .map(|i| {
                    let c = NewCustomer::new(format!("Customer {i}"));
                    if i % 3 == 0 { c.tag("vip") } else { c }
                })
                .collect(),
        )
        .unwrap();
    crm.segments().save_text("everyone", "").unwrap();
    crm.segments()
        .save_text("vip", "tags contains 'vip'")
        .unwrap();
    crm
}

fn ab(name: &str, segment: &str) -> NewCampaign {
    NewCampaign::new(name, Channel::Email)
        .segment(segment)
        .budget(eur(100_000))
        .variants(vec![
            Variant::new("A", 0.45),
            Variant::new("B", 0.45),
            Variant::control("control", 0.10),
        ])
        .seed(42)
}

fn audit_len(crm: &Crm) -> usize {
    crm.audit().find(&Query::default()).unwrap().len()
}

#[test]
fn lifecycle_and_illegal_transitions() {
    let crm = store(30);
    let k = crm.campaigns();
    let c = k.create(ab("Spring", "vip")).unwrap();
    assert_eq!(c.status, CampaignStatus::Draft);
    assert_eq!(c.seed, 42);

    let before = audit_len(&crm);
    let e = k.start(c.id, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition);
    assert!(e.to_string().contains("from draft to running"), "{e}");
    let e = k.complete(c.id, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition);
    assert_eq!(k.get(c.id).unwrap().status, CampaignStatus::Draft);
    assert!(k.members(c.id).unwrap().is_empty());
    assert_eq!(
        audit_len(&crm),
        before,
        "a refused transition is not audited"
    );

    assert_eq!(
        k.schedule(c.id, None).unwrap().status,
        CampaignStatus::Scheduled
    );
    let running = k.start(c.id, Some(ts("2026-03-02"))).unwrap();
    assert_eq!(running.status, CampaignStatus::Running);
    assert_eq!(running.started_at, Some(ts("2026-03-02")));
    let e = k.cancel(c.id, Some(ts("2026-03-01"))).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "before the start: {e}");
    let done = k.complete(c.id, Some(ts("2026-03-09"))).unwrap();
    assert_eq!(done.status, CampaignStatus::Completed);
    assert_eq!(done.ended_at, Some(ts("2026-03-09")));
    let e = k.cancel(c.id, None).unwrap_err();
    assert!(e.to_string().contains("from completed to cancelled"), "{e}");

    // A draft can be cancelled, a cancelled one cannot come back.
    let d = k
        .create(NewCampaign::new("Never", Channel::Sms).segment("vip"))
        .unwrap();
    k.cancel(d.id, None).unwrap();
    assert_eq!(
        k.schedule(d.id, None).unwrap_err().code(),
        ErrorCode::IllegalTransition
    );
    assert_eq!(
        k.count(&Filter::eq("status", "cancelled")).unwrap(),
        1,
        "campaigns are filterable"
    );
    assert_eq!(k.get_by_name(" Spring ").unwrap().id, c.id);
}

#[test]
fn bad_plans_are_refused_and_change_nothing() {
    let crm = store(5);
    let k = crm.campaigns();
    let bad = [
        (
            NewCampaign::new("x", Channel::Email).budget(eur(-1)),
            ErrorCode::InvalidInput,
        ),
        (
            NewCampaign::new("x", Channel::Email).segment("no such segment"),
            ErrorCode::NotFound,
        ),
        (
            NewCampaign::new("x", Channel::Email)
                .variants(vec![Variant::new("A", 0.5), Variant::new("B", 0.6)]),
            ErrorCode::InvalidInput,
        ),
        (
            NewCampaign::new("", Channel::Email),
            ErrorCode::InvalidInput,
        ),
    ];
    let before = audit_len(&crm);
    for (c, code) in bad {
        let e = crm.campaigns().create(c.clone()).unwrap_err();
        assert_eq!(e.code(), code, "{c:?}: {e}");
    }
    assert_eq!(k.count(&Filter::All).unwrap(), 0);
    assert_eq!(audit_len(&crm), before);

    k.create(NewCampaign::new("x", Channel::Email)).unwrap();
    assert_eq!(
        k.create(NewCampaign::new("x", Channel::Sms))
            .unwrap_err()
            .code(),
        ErrorCode::AlreadyExists
    );
    // Scheduling needs an audience.
    let x = k.get_by_name("x").unwrap();
    assert_eq!(
        k.schedule(x.id, None).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(k.get(x.id).unwrap().status, CampaignStatus::Draft);
}

#[test]
fn the_audience_is_frozen_and_split_by_seed() {
    let crm = store(600); // 200 vip
    let k = crm.campaigns();
    let c = k.create(ab("Split", "vip")).unwrap();
    k.schedule(c.id, None).unwrap();
    k.start(c.id, None).unwrap();
    let members = k.members(c.id).unwrap();
    assert_eq!(members.len(), 200);
    let size = |v: &str| members.iter().filter(|m| m.variant == v).count();
    assert_eq!((size("A"), size("B"), size("control")), (90, 90, 20));
    assert!(
        members
            .iter()
            .all(|m| m.control == (m.variant == "control"))
    );

    // Later vip customers do not join the running campaign.
    crm.customers()
        .add(NewCustomer::new("Late").tag("vip"))
        .unwrap();
    assert_eq!(crm.segments().count("vip").unwrap(), 201);
    assert_eq!(k.members(c.id).unwrap(), members);

    // The plan is fixed once started.
    let e = k
        .update(
            c.id,
            &CampaignPatch {
                seed: Some(1),
                ..CampaignPatch::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    // … but the spend may be updated while it runs.
    let c2 = k
        .update(
            c.id,
            &CampaignPatch {
                cost: Some(Some(eur(50_000))),
                ..CampaignPatch::default()
            },
        )
        .unwrap();
    assert_eq!(c2.cost, Some(eur(50_000)));

    // The same customers, variants and seed give the same split in another store.
    let other = store(600);
    let c = other.campaigns().create(ab("Split", "vip")).unwrap();
    other.campaigns().schedule(c.id, None).unwrap();
    other.campaigns().start(c.id, None).unwrap();
    assert_eq!(
        other
            .campaigns()
            .members(c.id)
            .unwrap()
            .iter()
            .map(|m| (m.customer_id, m.variant.clone()))
            .collect::<Vec<_>>(),
        members
            .iter()
            .map(|m| (m.customer_id, m.variant.clone()))
            .collect::<Vec<_>>()
    );
}

/// A started two-arm campaign: 10 members, 5 in A and 5 in control.
fn started(crm: &Crm) -> (i64, Vec<i64>, Vec<i64>) {
    let k = crm.campaigns();
    let c = k
        .create(
            NewCampaign::new("Track", Channel::Email)
                .segment("everyone")
                .cost(eur(2_000))
                .variants(vec![
                    Variant::new("A", 0.5),
                    Variant::control("control", 0.5),
                ])
                .seed(3),
        )
        .unwrap();
    k.schedule(c.id, None).unwrap();
    k.start(c.id, Some(ts("2026-03-01"))).unwrap();
    let members = k.members(c.id).unwrap();
    let arm = |control: bool| {
        members
            .iter()
            .filter(|m| m.control == control)
            .map(|m| m.customer_id)
            .collect::<Vec<_>>()
    };
    (c.id, arm(false), arm(true))
}

#[test]
fn events_for_strangers_control_members_or_out_of_order_are_reported() {
    let crm = store(10);
    let (id, a, control) = started(&crm);
    let outsider = crm
        .customers()
        .add(NewCustomer::new("Outsider"))
        .unwrap()
        .id;
    let k = crm.campaigns();
    let t = |h: u32| ts(&format!("2026-03-02T{h:02}:00:00Z"));

    // One by one: an error that says why, nothing recorded.
    let cases = [
        (
            NewCampaignEvent::new(outsider, EventKind::Sent),
            "not a member",
        ),
        (
            NewCampaignEvent::new(control[0], EventKind::Sent),
            "control group",
        ),
        (
            NewCampaignEvent::new(a[0], EventKind::Opened),
            "no delivered event",
        ),
        (
            NewCampaignEvent::new(a[0], EventKind::Sent).at(ts("2026-02-01")),
            "before the campaign started",
        ),
    ];
    for (event, words) in cases {
        let e = k.record_event(id, event).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.to_string().contains(words), "{e}");
    }
    assert!(k.events(id, None).unwrap().is_empty());

    // In bulk: good events land (a delivery may follow its send in the same batch), bad ones are
    // reported with their position.
    let batch = [
        NewCampaignEvent::new(a[0], EventKind::Sent).at(t(9)),
        NewCampaignEvent::new(a[0], EventKind::Delivered).at(t(10)),
        NewCampaignEvent::new(a[0], EventKind::Opened).at(t(8)), // before its delivery
        NewCampaignEvent::new(outsider, EventKind::Sent).at(t(9)),
        NewCampaignEvent::new(a[0], EventKind::Clicked).at(t(11)),
        NewCampaignEvent::new(control[0], EventKind::Converted).at(t(12)), // allowed
        NewCampaignEvent::new(control[1], EventKind::Delivered).at(t(12)),
    ];
    let report = k.record_events(id, &batch).unwrap();
    assert_eq!(report.recorded, 4);
    let rejected: Vec<(usize, EventRejection)> = report
        .rejected
        .iter()
        .map(|r| (r.index, r.reason))
        .collect();
    assert_eq!(
        rejected,
        vec![
            (2, EventRejection::OutOfOrder),
            (3, EventRejection::NotMember),
            (6, EventRejection::ControlGroup),
        ]
    );
    let kinds: Vec<EventKind> = k
        .events(id, Some(a[0]))
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![EventKind::Sent, EventKind::Delivered, EventKind::Clicked]
    );

    // A draft campaign tracks nothing.
    let d = k
        .create(NewCampaign::new("Draft", Channel::Email).segment("everyone"))
        .unwrap();
    let r = k
        .record_events(d.id, &[NewCampaignEvent::new(a[0], EventKind::Sent)])
        .unwrap();
    assert_eq!(r.rejected[0].reason, EventRejection::NotTracking);
}

#[test]
fn evaluation_counts_rates_revenue_and_uplift() {
    let crm = store(0);
    // 40 customers; the split of 20 A / 20 control is seeded.
    crm.customers()
        .add_many((0..40).map(|i| NewCustomer::new(format!("c{i}"))).collect())
        .unwrap();
    let (id, a, control) = started(&crm);
    assert_eq!((a.len(), control.len()), (20, 20));
    let k = crm.campaigns();
    let day = |d: u32| ts(&format!("2026-03-{d:02}T12:00:00Z"));
    let mut events = Vec::new();
    for (i, &m) in a.iter().enumerate() {
        events.push(NewCampaignEvent::new(m, EventKind::Sent).at(day(2)));
        if i < 18 {
            events.push(NewCampaignEvent::new(m, EventKind::Delivered).at(day(2)));
        }
        if i < 9 {
            events.push(NewCampaignEvent::new(m, EventKind::Opened).at(day(3)));
        }
        if i < 6 {
            events.push(NewCampaignEvent::new(m, EventKind::Clicked).at(day(3)));
        }
        if i == 17 {
            events.push(NewCampaignEvent::new(m, EventKind::Unsubscribed).at(day(4)));
        }
    }
    // Two A members convert by event, one of them also buys; a control member converts by event.
    events.push(NewCampaignEvent::new(a[0], EventKind::Converted).at(day(4)));
    events.push(NewCampaignEvent::new(a[1], EventKind::Converted).at(day(4)));
    events.push(NewCampaignEvent::new(control[0], EventKind::Converted).at(day(5)));
    let r = k.record_events(id, &events).unwrap();
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);

    let p = crm.purchases();
    let buy = |c: i64, minor: i64, at: Timestamp| {
        p.add(NewPurchase::new(c, eur(minor)).at(at)).unwrap();
    };
    buy(a[0], 3_000, day(5)); // within 7 days of its delivery on the 2nd
    buy(a[2], 5_000, day(8)); // within
    buy(a[3], 9_999, day(10)); // 8 days after: outside the window
    buy(a[19], 4_000, day(3)); // never delivered; counts from its send on the 2nd
    buy(control[1], 2_500, day(6)); // control: from the start on the 1st
    buy(control[2], 7_000, ts("2026-02-20")); // before the campaign
    p.add(NewPurchase::new(a[4], Money::new(1_000, "USD").unwrap()).at(day(4)))
        .unwrap(); // another currency: not this campaign's revenue

    let report = k.evaluate(id, &EvaluationOptions::default()).unwrap();
    assert_eq!(report.currency.unwrap().as_str(), "EUR");
    let va = &report.variants[0];
    let vc = &report.variants[1];
    assert_eq!(
        (va.counts.variant.as_str(), vc.counts.variant.as_str()),
        ("A", "control")
    );
    assert_eq!(
        (
            va.counts.members,
            va.counts.sent,
            va.counts.delivered,
            va.counts.opened,
            va.counts.clicked,
            va.counts.unsubscribed
        ),
        (20, 20, 18, 9, 6, 1)
    );
    // Converted: a0 (event + purchase), a1 (event), a2 and a19 (purchases) = 4.
    assert_eq!(va.counts.converted, 4);
    assert_eq!(va.counts.purchases, 3);
    assert_eq!(va.counts.revenue, 3_000 + 5_000 + 4_000);
    assert_eq!(va.open_rate, Some(0.5));
    assert_eq!(va.click_rate, Some(6.0 / 18.0));
    assert_eq!(va.conversion_rate, Some(0.2));
    // Control: c0 (event), c1 (purchase) = 2; the February purchase does not count.
    assert_eq!((vc.counts.converted, vc.counts.revenue), (2, 2_500));
    assert_eq!(vc.conversion_rate, Some(0.1));

    assert_eq!(report.conversions, 4);
    assert_eq!(report.revenue, 12_000);
    assert_eq!(report.cost, Some(2_000));
    assert_eq!(report.cost_per_conversion, Some(500.0));
    assert_eq!(report.roi, Some(5.0)); // (12000 − 2000) / 2000

    // The uplift is the statistics module's answer on these counts (which is checked against
    // statsmodels and scipy in tests/proportions.rs).
    let u = &report.uplift[0];
    assert_eq!((u.variant.as_str(), u.control.as_str()), ("A", "control"));
    assert!((u.difference - 0.1).abs() < 1e-15);
    assert_eq!(u.relative, Some(1.0));
    let z = proportions_ztest([4, 2], [20, 20], Alternative::TwoSided).unwrap();
    assert_eq!((u.z, u.z_p_value), (z.statistic, z.p_value));
    let chi = chi2_contingency(&[vec![4, 16], vec![2, 18]], true).unwrap();
    assert_eq!((u.chi2, u.chi2_p_value), (chi.statistic, chi.p_value));
    assert_eq!(
        u.ci_newcombe,
        confint_proportions_2indep(4, 20, 2, 20, ConfintMethod::Newcombe, 0.05).unwrap()
    );
    assert!(!u.significant, "4/20 against 2/20 is not significant");
    // z by hand: pooled p = 0.15, se = sqrt(0.15·0.85·(1/20 + 1/20)).
    let se = (0.15f64 * 0.85 * 0.1).sqrt();
    assert!((u.z - 0.1 / se).abs() < 1e-12);

    // Without Yates the chi-square is the square of z (2×2 table).
    let plain = k
        .evaluate(
            id,
            &EvaluationOptions {
                yates: false,
                ..EvaluationOptions::default()
            },
        )
        .unwrap();
    assert!((plain.uplift[0].chi2 - u.z * u.z).abs() < 1e-12);
    assert!(
        (plain.uplift[0].chi2_p_value - u.z_p_value).abs() < 1e-9,
        "{} vs {}",
        plain.uplift[0].chi2_p_value,
        u.z_p_value
    );
    // statsmodels proportions_ztest([4, 2], [20, 20]) and scipy chi2_contingency(…,
    // correction=False) on the same counts; p-values to the 1e-9 the statistics promise.
    assert!((u.z - 0.8856148855400953).abs() < 1e-12);
    assert!(
        (u.z_p_value - 0.37582508748869836).abs() < 1e-9,
        "{}",
        u.z_p_value
    );
    assert!((plain.uplift[0].chi2 - 0.7843137254901961).abs() < 1e-12);

    // A longer window takes in a3's purchase on day 10.
    let wide = k
        .evaluate(id, &EvaluationOptions::default().window_days(14))
        .unwrap();
    assert_eq!(wide.variants[0].counts.revenue, 12_000 + 9_999);

    // Bad options and an unstarted campaign are refused.
    let e = k
        .evaluate(id, &EvaluationOptions::default().window_days(0))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let d = k
        .create(NewCampaign::new("Draft", Channel::Email).segment("everyone"))
        .unwrap();
    let e = k.evaluate(d.id, &EvaluationOptions::default()).unwrap_err();
    assert!(e.to_string().contains("has not started"), "{e}");
}

#[test]
fn deleting_a_started_campaign_needs_cascade() {
    let crm = store(10);
    let (id, a, _) = started(&crm);
    crm.campaigns()
        .record_event(id, NewCampaignEvent::new(a[0], EventKind::Sent))
        .unwrap();
    let e = crm.campaigns().delete(id, false).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Constraint);
    assert_eq!(crm.campaigns().members(id).unwrap().len(), 10);
    crm.campaigns().delete(id, true).unwrap();
    assert_eq!(
        crm.campaigns().get(id).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[test]
fn sample_size_for_a_minimum_detectable_effect() {
    // 10 % baseline, +2 points, alpha 0.05, power 0.8, equal arms: statsmodels
    // NormalIndPower().solve_power(proportion_effectsize(0.12, 0.10), 0.05, 0.8, ratio=1)
    // = 3834.5957… per arm → 3835.
    let (n1, n2) =
        crm_core::model::campaign_report::sample_size(0.10, 0.02, 0.05, 0.8, 1.0).unwrap();
    assert_eq!((n1, n2), (3835, 3835));
    let (n1, n2) =
        crm_core::model::campaign_report::sample_size(0.10, 0.02, 0.05, 0.8, 2.0).unwrap();
    // statsmodels with ratio=2: nobs1 = 2875.9468…, nobs2 = 2 · nobs1.
    assert_eq!((n1, n2), (2876, 5752));
    let e = crm_core::model::campaign_report::sample_size(0.99, 0.02, 0.05, 0.8, 1.0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
}

#[test]
fn segment_predicates_on_campaigns() {
    let crm = store(10);
    let (id, a, control) = started(&crm);
    crm.campaigns()
        .record_events(
            id,
            &[
                NewCampaignEvent::new(a[0], EventKind::Sent),
                NewCampaignEvent::new(a[0], EventKind::Delivered),
                NewCampaignEvent::new(a[0], EventKind::Opened),
                NewCampaignEvent::new(a[1], EventKind::Sent),
                NewCampaignEvent::new(control[0], EventKind::Converted),
            ],
        )
        .unwrap();
    let count = |text: &str| {
        crm.customers()
            .count(&Filter::parse(text).unwrap())
            .unwrap()
    };
    assert_eq!(count("in_campaign('Track')"), 10);
    assert_eq!(count("in_campaign('Track', 'control')"), 5);
    assert_eq!(count("campaign_variant('Track') = 'A'"), 5);
    assert_eq!(
        count("campaign_variant('Track') = 'a'"),
        5,
        "variants ignore case"
    );
    assert_eq!(count("responded('Track')"), 2);
    assert_eq!(count("responded()"), 2);
    assert_eq!(count("in_campaign('Track') and not responded('Track')"), 8);
    assert_eq!(
        count("in_campaign('Nope')"),
        0,
        "an unknown campaign matches nobody"
    );

    // The keyword form (Python) builds the same filters.
    let kw = |k: &str, v: crm_core::Value| {
        crm.customers()
            .count(&Filter::lookup(k, v).unwrap())
            .unwrap()
    };
    assert_eq!(kw("in_campaign", "Track".into()), 10);
    assert_eq!(
        kw(
            "campaign_variant",
            crm_core::Value::List(vec!["Track".into(), "A".into()])
        ),
        5
    );
    assert_eq!(kw("responded", true.into()), 2);
    assert_eq!(kw("responded", false.into()), 8);

    // Saved segments use them; a campaign over such a segment is a follow-up.
    crm.segments()
        .save_text("Track responders", "responded('Track')")
        .unwrap();
    assert_eq!(crm.segments().count("Track responders").unwrap(), 2);

    // Syntax errors name the position; other entities refuse the predicates.
    for bad in [
        "in_campaign()",
        "responded('a', 'b')",
        "nosuch('x')",
        "in_campaign(1)",
    ] {
        let e = Filter::parse(bad).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Parse, "{bad}: {e}");
    }
    let e = crm
        .purchases()
        .count(&Filter::in_campaign("Track"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
}

#[test]
fn sent_messages_show_on_the_customer_timeline() {
    let crm = store(4);
    let (id, a, _) = started(&crm);
    crm.campaigns()
        .record_event(
            id,
            NewCampaignEvent::new(a[0], EventKind::Sent).at(ts("2026-03-02T08:00:00Z")),
        )
        .unwrap();
    let timeline = crm
        .interactions()
        .timeline(a[0], &Query::default())
        .unwrap();
    assert_eq!(timeline.len(), 1);
    let m = &timeline[0];
    assert_eq!(m.campaign_id, Some(id));
    assert_eq!(m.subject.as_deref(), Some("Track"));
    assert_eq!(m.channel, Channel::Email);
    assert_eq!(m.direction, crm_core::Direction::Outbound);
    assert_eq!(m.occurred_at, ts("2026-03-02T08:00:00Z"));
    // Interactions filter by their campaign; a link to a missing campaign is NOT_FOUND.
    assert_eq!(
        crm.interactions()
            .count(&Filter::eq("campaign_id", id))
            .unwrap(),
        1
    );
    let e = crm
        .interactions()
        .add(crm_core::NewInteraction::new(a[0], Channel::Phone).campaign(999))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert!(e.to_string().contains("campaign id 999"), "{e}");
}
