//! The demo's marketing, service and sales part: an A/B campaign with a control group evaluated
//! with significance, a ticket queue with an SLA breach, and a pipeline forecast.

use chrono::NaiveDate;
use crm_core::{
    Channel, Crm, EvaluationOptions, EventKind, Filter, Money, NewCampaign, NewCampaignEvent,
    NewComment, NewDeal, NewPipeline, NewPurchase, NewTicket, Query, SlaPolicy, TicketPriority,
    TicketStatus, Timestamp, Variant,
};

use super::Rng;

const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;

fn ago(now: Timestamp, micros: i64) -> Timestamp {
    Timestamp::from_micros(now.as_micros() - micros)
}

fn pct(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{:.1}%", 100.0 * v))
}

/// Runs the campaign, the ticket queue and the pipeline on `crm` (whose clock reads `now`).
pub fn run(crm: &Crm, now: Timestamp) -> crm_core::Result<()> {
    campaign(crm, now)?;
    tickets(crm, now)?;
    pipeline(crm, now)
}

/// An A/B test over a segment, with a 10 % control group, tracked and evaluated.
fn campaign(crm: &Crm, now: Timestamp) -> crm_core::Result<()> {
    crm.segments()
        .save_text("past buyers", "purchase_count >= 1")?;
    let k = crm.campaigns();
    let c = k.create(
        NewCampaign::new("Winter reactivation", Channel::Email)
            .objective("reactivation")
            .segment("past buyers")
            .budget(Money::new(150_000, "EUR")?)
            .cost(Money::new(120_000, "EUR")?)
            .variants(vec![
                Variant::new("A: 10% off", 0.45),
                Variant::new("B: free shipping", 0.45),
                Variant::control("control", 0.10),
            ])
            .seed(2026),
    )?;
    k.schedule(c.id, None)?;
    let started = ago(now, 21 * DAY);
    k.start(c.id, Some(started))?;
    let members = k.members(c.id)?;

    // What members did: B works better than A. Members also keep buying as before (the demo's
    // purchase history), which is what the control group measures.
    let mut rng = Rng(0xCA4_9A16);
    let mut events = Vec::new();
    let mut purchases = Vec::new();
    for m in &members {
        let sent = Timestamp::from_micros(started.as_micros() + (rng.below(48) as i64) * HOUR);
        let (open, click, buy) = match m.variant.as_str() {
            "A: 10% off" => (40, 25, 4),
            "B: free shipping" => (46, 30, 14),
            _ => (0, 0, 0),
        };
        let at = |h: i64| Timestamp::from_micros(sent.as_micros() + h * HOUR);
        if !m.control {
            events.push(NewCampaignEvent::new(m.customer_id, EventKind::Sent).at(sent));
            if rng.below(100) < 97 {
                events.push(NewCampaignEvent::new(m.customer_id, EventKind::Delivered).at(at(0)));
                if rng.below(100) < open {
                    events.push(NewCampaignEvent::new(m.customer_id, EventKind::Opened).at(at(3)));
                    if rng.below(100) < click {
                        events.push(
                            NewCampaignEvent::new(m.customer_id, EventKind::Clicked).at(at(4)),
                        );
                    }
                } else if rng.below(100) < 2 {
                    events.push(
                        NewCampaignEvent::new(m.customer_id, EventKind::Unsubscribed).at(at(5)),
                    );
                }
            }
        }
        if rng.below(100) < buy {
            let when = at(24 + rng.below(120) as i64);
            purchases.push(
                NewPurchase::new(
                    m.customer_id,
                    Money::new(1_000 + 100 * rng.below(60) as i64, "EUR")?,
                )
                .at(when),
            );
        }
    }
    // A tracking feed is never clean: one event for a stranger, one "opened" with no delivery.
    let stranger = crm
        .customers()
        .find_columns(&Query::new(Filter::parse("purchase_count = 0")?).limit(1))?
        .id;
    events.extend(
        stranger
            .iter()
            .map(|&s| NewCampaignEvent::new(s, EventKind::Sent).at(started)),
    );
    if let Some(m) = members.iter().find(|m| !m.control) {
        events.push(NewCampaignEvent::new(m.customer_id, EventKind::Clicked).at(started));
    }
    let report = k.record_events(c.id, &events)?;
    crm.purchases().add_many(purchases)?;
    k.complete(c.id, Some(ago(now, 7 * DAY)))?;

    println!(
        "\ncampaign '{}' over segment 'past buyers': {} members frozen at the start",
        c.name,
        members.len()
    );
    println!(
        "  tracked {} events; refused {}:",
        report.recorded,
        report.rejected.len()
    );
    for r in &report.rejected {
        println!("    #{} {}: {}", r.index, r.reason, r.message);
    }
    let eval = k.evaluate(c.id, &EvaluationOptions::default().window_days(7))?;
    println!(
        "  {:<18} {:>7} {:>8} {:>7} {:>7} {:>9} {:>12}",
        "variant", "members", "opened", "clicked", "conv.", "conv.rate", "revenue EUR"
    );
    for v in &eval.variants {
        let c = &v.counts;
        println!(
            "  {:<18} {:>7} {:>8} {:>7} {:>7} {:>9} {:>12.2}",
            c.variant,
            c.members,
            pct(v.open_rate),
            pct(v.click_rate),
            c.converted,
            pct(v.conversion_rate),
            c.revenue as f64 / 100.0
        );
    }
    for u in &eval.uplift {
        println!(
            "  {} vs {}: {:+.1} points (95% CI {:+.1} to {:+.1}), z = {:.2}, p = {:.4}, chi2 (Yates) p = {:.4} -> {}",
            u.variant,
            u.control,
            100.0 * u.difference,
            100.0 * u.ci_newcombe.0,
            100.0 * u.ci_newcombe.1,
            u.z,
            u.z_p_value,
            u.chi2_p_value,
            if u.significant {
                "significant"
            } else {
                "not significant"
            }
        );
    }
    println!(
        "  cost EUR {:.2}, cost per conversion EUR {:.2}, ROI {:.0}%",
        eval.cost.unwrap_or(0) as f64 / 100.0,
        eval.cost_per_conversion.unwrap_or(f64::NAN) / 100.0,
        100.0 * eval.roi.unwrap_or(f64::NAN)
    );
    let (n, _) = crm_core::model::campaign_report::sample_size(0.06, 0.02, 0.05, 0.8, 1.0)?;
    println!("  to detect 6% -> 8% with 80% power at alpha 0.05: {n} members per arm");
    println!(
        "  responders of the campaign now form a segment: {} customers",
        crm.customers()
            .count(&Filter::parse("responded('Winter reactivation')")?)?
    );
    Ok(())
}

/// SLA policies, a day of tickets (some imported from yesterday), and the work queue.
fn tickets(crm: &Crm, now: Timestamp) -> crm_core::Result<()> {
    let t = crm.tickets();
    t.set_sla_policy(SlaPolicy::new(TicketPriority::Urgent, 30, 4 * 60))?;
    t.set_sla_policy(SlaPolicy::new(TicketPriority::High, 60, 8 * 60))?;
    t.set_sla_policy(
        SlaPolicy::new(TicketPriority::Normal, 4 * 60, 3 * 8 * 60).in_business_hours(),
    )?;
    t.set_sla_policy(SlaPolicy::new(TicketPriority::Low, 8 * 60, 5 * 8 * 60).in_business_hours())?;

    let customers = crm
        .customers()
        .find_columns(&Query::new(Filter::eq("stage", "customer")).limit(8))?
        .id;
    let requests: [(&str, &str, TicketPriority, i64); 8] = [
        (
            "Charged twice for order",
            "billing",
            TicketPriority::Urgent,
            6 * HOUR,
        ),
        (
            "Kettle arrived broken",
            "returns",
            TicketPriority::High,
            3 * HOUR,
        ),
        (
            "Where is my parcel?",
            "delivery",
            TicketPriority::Normal,
            26 * HOUR,
        ),
        (
            "Change delivery address",
            "delivery",
            TicketPriority::High,
            20 * 60_000_000,
        ),
        (
            "Password reset mail missing",
            "account",
            TicketPriority::Normal,
            2 * HOUR,
        ),
        (
            "Question about oolong",
            "product",
            TicketPriority::Low,
            30 * HOUR,
        ),
        (
            "Invoice with company name",
            "billing",
            TicketPriority::Normal,
            50 * HOUR,
        ),
        (
            "App crashes on checkout",
            "technical",
            TicketPriority::Urgent,
            15 * 60_000_000,
        ),
    ];
    let mut ids = Vec::new();
    for (i, (subject, category, priority, age)) in requests.iter().enumerate() {
        let ticket = t.open(
            NewTicket::new(customers[i % customers.len()], *subject, Channel::Email)
                .category(*category)
                .priority(*priority)
                .at(ago(now, *age)),
        )?;
        ids.push(ticket.id);
    }
    // Some are answered; one waits on the customer; one was solved yesterday.
    t.comment(
        ids[1],
        NewComment::new("Sorry! A replacement is on its way.").at(ago(now, 2 * HOUR)),
    )?;
    t.transition(ids[1], TicketStatus::Open, Some(ago(now, 2 * HOUR)))?;
    t.comment(
        ids[2],
        NewComment::new("Could you send the order number?").at(ago(now, 24 * HOUR)),
    )?;
    t.transition(ids[2], TicketStatus::Pending, Some(ago(now, 24 * HOUR)))?;
    t.comment(
        ids[6],
        NewComment::new("Here is the corrected invoice.").at(ago(now, 30 * HOUR)),
    )?;
    t.transition(ids[6], TicketStatus::Resolved, Some(ago(now, 29 * HOUR)))?;

    println!("\nticket queue (priority, then SLA deadline, then age):");
    for e in t.queue(5, None)? {
        let due = e
            .sla
            .as_ref()
            .and_then(|s| e.ticket.next_due().or(s.resolution_due))
            .map_or("-".into(), |d| {
                d.to_datetime().format("%a %H:%M").to_string()
            });
        println!(
            "  #{:<4} {:<7} {:<28} due {:<10} {}",
            e.ticket.id,
            e.ticket.priority.as_str(),
            e.ticket.subject,
            due,
            if e.sla
                .as_ref()
                .is_some_and(|s| s.first_response_breached || s.resolution_breached)
            {
                "BREACHED"
            } else {
                ""
            }
        );
    }
    println!("SLA breaches:");
    for b in t.breaches(None)? {
        let ticket = t.get(b.ticket_id)?;
        println!(
            "  #{:<4} {:<28} {:?} target missed by {} min",
            b.ticket_id,
            ticket.subject,
            b.target,
            b.breach_by / 60_000_000
        );
    }
    let stats = t.stats(&Filter::All)?;
    let minutes = |x: Option<f64>| x.map_or("-".into(), |v| format!("{:.0} min", v / 60e6));
    println!(
        "{} tickets; first response mean {}, median {}; open by status: {}",
        stats.total,
        minutes(stats.mean_first_response),
        minutes(stats.median_first_response),
        stats
            .by_status
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// A B2B pipeline: value per stage and the weighted forecast by expected close month.
fn pipeline(crm: &Crm, now: Timestamp) -> crm_core::Result<()> {
    let d = crm.deals();
    d.create_pipeline(
        NewPipeline::new("B2B")
            .stage("lead", 0.1)
            .stage("qualified", 0.25)
            .stage("proposal", 0.5)
            .stage("negotiation", 0.75),
    )?;
    let companies = crm
        .customers()
        .find_columns(&Query::new(Filter::is_not_null("company")).limit(40))?
        .id;
    let owners = ["li", "sofia", "omar"];
    let stages = ["lead", "qualified", "proposal", "negotiation"];
    let mut rng = Rng(0xDEA1);
    for (i, &customer) in companies.iter().enumerate() {
        let month = 12 + rng.below(4) as u32; // Dec 2026 .. Mar 2027
        let close = NaiveDate::from_ymd_opt(2026 + (month > 12) as i32, (month - 1) % 12 + 1, 15)
            .unwrap_or_default();
        let deal = d.create(
            NewDeal::new(
                "B2B",
                customer,
                format!("Tea service #{i}"),
                Money::new(200_000 + 50_000 * rng.below(20) as i64, "EUR")?,
            )
            .owner(owners[i % owners.len()])
            .expected_close(close)
            .created_at(ago(now, (30 + rng.below(60) as i64) * DAY)),
        )?;
        let reached = rng.below(stages.len());
        for (s, stage) in stages.iter().enumerate().skip(1).take(reached) {
            d.move_to(deal.id, stage, Some(ago(now, (29 - 5 * s as i64) * DAY)))?;
        }
        match rng.below(10) {
            0 | 1 => {
                d.win(deal.id, Some(ago(now, DAY)))?;
            }
            2 => {
                d.lose(deal.id, "price", Some(ago(now, DAY)))?;
            }
            _ => {}
        }
    }
    println!("\npipeline 'B2B' (open deals):");
    for v in d.value_by_stage("B2B")? {
        println!(
            "  {:<12} {:>3} deals  {} {:>10.2}  weighted {:>10.2}",
            v.stage,
            v.count,
            v.currency,
            v.amount as f64 / 100.0,
            v.weighted / 100.0
        );
    }
    println!("forecast by expected close month:");
    for f in d.forecast("B2B")? {
        println!(
            "  {:<8} {:>3} deals  {} {:>10.2}  weighted {:>10.2}",
            f.month.as_deref().unwrap_or("(none)"),
            f.count,
            f.currency,
            f.amount as f64 / 100.0,
            f.weighted / 100.0
        );
    }
    println!("win rate by owner:");
    for w in d.win_rates("B2B", crm_core::DealGroupBy::Owner)? {
        println!(
            "  {:<6} won {:>2} lost {:>2} open {:>2}  win rate {}",
            w.key.as_deref().unwrap_or("-"),
            w.won,
            w.lost,
            w.open,
            pct(w.win_rate)
        );
    }
    Ok(())
}
