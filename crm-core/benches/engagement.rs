//! Campaigns, tickets and deals at scale, on a file store with N customers
//! (`CRM_BENCH_ENGAGEMENT`, default 20,000):
//!
//! - `campaign_start_N`: freezing a segment of N customers into members with a seeded A/B/control
//!   split (one transaction).
//! - `campaign_events_N`: recording N `sent` events in one batch (each checked for membership and
//!   control group, each putting a message on the customer's timeline).
//! - `campaign_evaluate_N`: evaluating a campaign of N members with ~2.5 N events and N/2
//!   purchases: counts per variant, attributed revenue, z and chi-square tests.
//! - `ticket_queue_N` / `ticket_breaches_N`: the top 20 of the work queue and the breach view over
//!   N tickets with SLA policies.
//! - `deal_forecast_N`: the weighted forecast of a pipeline with N deals.
//!
//! `cargo bench -p crm-core --bench engagement`

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group};
use crm_core::{
    Channel, Clock, Crm, EvaluationOptions, EventKind, Money, NewCampaign, NewCampaignEvent,
    NewCustomerColumns, NewDeal, NewPipeline, NewPurchase, NewTicket, OpenOptions, SlaPolicy,
    TicketPriority, Timestamp, Variant,
};

const HOUR: i64 = 3_600_000_000;

fn size() -> usize {
    std::env::var("CRM_BENCH_ENGAGEMENT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000)
}

fn now() -> Timestamp {
    Timestamp::from_micros(1_790_000_000_000_000)
}

fn open(path: &std::path::Path) -> Crm {
    Crm::open(
        path,
        OpenOptions {
            clock: Clock::fixed(now()),
            ..OpenOptions::default()
        },
    )
    .expect("open")
}

/// A store with `n` customers and the segment "everyone".
fn store(dir: &tempfile::TempDir, n: usize) -> Crm {
    let crm = open(&dir.path().join("engagement.db"));
    crm.customers()
        .add_columns(NewCustomerColumns {
            name: (0..n).map(|i| Some(format!("C{i}"))).collect(),
            ..Default::default()
        })
        .expect("customers");
    crm.segments().save_text("everyone", "").expect("segment");
    crm
}

fn plan(crm: &Crm, name: &str) -> i64 {
    let k = crm.campaigns();
    let c = k
        .create(
            NewCampaign::new(name, Channel::Email)
                .segment("everyone")
                .variants(vec![
                    Variant::new("A", 0.45),
                    Variant::new("B", 0.45),
                    Variant::control("control", 0.1),
                ])
                .seed(1),
        )
        .expect("campaign");
    k.schedule(c.id, None).expect("schedule");
    c.id
}

fn campaigns(c: &mut Criterion) {
    let n = size();
    let dir = tempfile::tempdir().expect("tempdir");
    let crm = store(&dir, n);
    let mut round = 0;

    let mut g = c.benchmark_group(format!("campaign_start_{n}"));
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("start", |b| {
        b.iter_batched(
            || {
                round += 1;
                plan(&crm, &format!("start {round}"))
            },
            |id| crm.campaigns().start(id, None).expect("start"),
            BatchSize::PerIteration,
        )
    });
    g.finish();

    // One started campaign for the event and evaluation benchmarks.
    let id = plan(&crm, "tracked");
    let start = Timestamp::from_micros(now().as_micros() - 48 * HOUR);
    crm.campaigns().start(id, Some(start)).expect("start");
    let members = crm.campaigns().members(id).expect("members");
    let sent: Vec<NewCampaignEvent> = members
        .iter()
        .filter(|m| !m.control)
        .map(|m| NewCampaignEvent::new(m.customer_id, EventKind::Sent).at(start))
        .collect();

    let mut g = c.benchmark_group(format!("campaign_events_{n}"));
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("record_events", |b| {
        b.iter_batched(
            || {
                round += 1;
                let id = plan(&crm, &format!("events {round}"));
                crm.campaigns().start(id, Some(start)).expect("start");
                id
            },
            |id| {
                let r = crm.campaigns().record_events(id, &sent).expect("events");
                assert!(r.rejected.is_empty());
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();

    crm.campaigns().record_events(id, &sent).expect("sent");
    let later = |h: i64| Timestamp::from_micros(start.as_micros() + h * HOUR);
    let more: Vec<NewCampaignEvent> = members
        .iter()
        .filter(|m| !m.control)
        .enumerate()
        .flat_map(|(i, m)| {
            let mut e =
                vec![NewCampaignEvent::new(m.customer_id, EventKind::Delivered).at(later(1))];
            if i % 3 == 0 {
                e.push(NewCampaignEvent::new(m.customer_id, EventKind::Opened).at(later(2)));
            }
            e
        })
        .collect();
    crm.campaigns()
        .record_events(id, &more)
        .expect("more events");
    let purchases: Vec<NewPurchase> = members
        .iter()
        .step_by(2)
        .map(|m| {
            NewPurchase::new(m.customer_id, Money::new(1_000, "EUR").expect("money")).at(later(30))
        })
        .collect();
    crm.purchases().add_many(purchases).expect("purchases");

    let mut g = c.benchmark_group(format!("campaign_evaluate_{n}"));
    g.sample_size(10);
    g.bench_function("evaluate", |b| {
        b.iter(|| {
            black_box(
                crm.campaigns()
                    .evaluate(id, &EvaluationOptions::default())
                    .expect("evaluate"),
            )
        })
    });
    g.finish();
}

fn tickets_and_deals(c: &mut Criterion) {
    let n = size();
    let dir = tempfile::tempdir().expect("tempdir");
    let crm = store(&dir, n);
    let t = crm.tickets();
    t.set_sla_policy(SlaPolicy::new(TicketPriority::Urgent, 30, 240))
        .expect("policy");
    t.set_sla_policy(SlaPolicy::new(TicketPriority::High, 60, 480))
        .expect("policy");
    t.set_sla_policy(SlaPolicy::new(TicketPriority::Normal, 240, 1440).in_business_hours())
        .expect("policy");
    let priorities = [
        TicketPriority::Low,
        TicketPriority::Normal,
        TicketPriority::High,
        TicketPriority::Urgent,
    ];
    for i in 0..n {
        t.open(
            NewTicket::new(i as i64 + 1, format!("Request {i}"), Channel::Email)
                .priority(priorities[i % 4])
                .at(Timestamp::from_micros(
                    now().as_micros() - (i as i64 % 500) * HOUR,
                )),
        )
        .expect("ticket");
    }
    let mut g = c.benchmark_group(format!("ticket_queue_{n}"));
    g.sample_size(20);
    g.bench_function("queue_top_20", |b| {
        b.iter(|| black_box(t.queue(20, None).expect("queue")))
    });
    g.finish();
    let mut g = c.benchmark_group(format!("ticket_breaches_{n}"));
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("breaches", |b| {
        b.iter(|| black_box(t.breaches(None).expect("breaches")))
    });
    g.finish();

    let d = crm.deals();
    d.create_pipeline(
        NewPipeline::new("P")
            .stage("lead", 0.1)
            .stage("proposal", 0.5)
            .stage("negotiation", 0.8),
    )
    .expect("pipeline");
    for i in 0..n {
        let close = chrono::NaiveDate::from_ymd_opt(2027, 1 + (i % 12) as u32, 1).expect("date");
        d.create(
            NewDeal::new(
                "P",
                i as i64 + 1,
                format!("D{i}"),
                Money::new(1_000 + i as i64, "EUR").expect("money"),
            )
            .stage(["lead", "proposal", "negotiation"][i % 3])
            .expected_close(close),
        )
        .expect("deal");
    }
    let mut g = c.benchmark_group(format!("deal_forecast_{n}"));
    g.sample_size(20);
    g.bench_function("forecast", |b| {
        b.iter(|| black_box(d.forecast("P").expect("forecast")))
    });
    g.finish();
}

criterion_group!(benches, campaigns, tickets_and_deals);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
