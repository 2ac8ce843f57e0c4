//! The end-to-end demo behind `make demo`: creates a file store, loads generated customers through
//! the bulk path, filters them and prints a report. The C and Python examples then read the same
//! file.
//!
//! `cargo run --release -p crm-core --example demo -- crm-demo.db [count]`

mod baskets;
mod engagement;

use std::time::Instant;

use crm_core::{
    Channel, Clock, Crm, Currency, CustomFieldType, Direction, EntityKind, Filter, InteractionKind,
    LifecycleStage, Money, NewCustomerColumns, NewFieldDefinition, NewInteraction, NewProduct,
    NewPurchaseColumns, OpenOptions, OrderBy, Query, Source, Timestamp, Value,
};

/// A small deterministic generator (xorshift64*), so every run shows the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const GIVEN: &[&str] = &[
    "Ada", "Grace", "Alan", "Li", "Wei", "Fatima", "Sofia", "Kenji", "Amara", "Lucas", "Mei",
    "Omar",
];
const FAMILY: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Wang", "Zhang", "Haddad", "Rossi", "Sato", "Okafor", "Silva",
];
const COMPANIES: &[&str] = &[
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne",
];
/// Weighted: most customers arrive from the web and ads.
const SOURCES: &[&str] = &[
    "web", "web", "web", "ads", "ads", "referral", "event", "partner", "other",
];
const REGIONS: &[&str] = &["north", "south", "east", "west"];
const STAGES: &[&str] = &[
    "lead", "lead", "lead", "prospect", "prospect", "customer", "customer", "churned",
];

fn generate(n: usize, now: Timestamp) -> NewCustomerColumns {
    let mut rng = Rng(0x5EED_CAFE);
    let mut cols = NewCustomerColumns::default();
    let two_years_us = 2 * 365 * 86_400 * 1_000_000i64;
    for i in 0..n {
        let (given, family) = (rng.pick(GIVEN), rng.pick(FAMILY));
        cols.external_id.push(Some(format!("SHOP-{i:06}")));
        cols.name.push(Some(format!("{given} {family}")));
        cols.email
            .push((rng.below(10) < 8).then(|| format!("{given}.{family}{i}@Example.com")));
        cols.phone.push(
            (rng.below(10) < 5)
                .then(|| format!("+1 (555) {:03}-{:04}", rng.below(1000), i % 10_000)),
        );
        cols.company
            .push((rng.below(3) == 0).then(|| rng.pick(COMPANIES).to_owned()));
        cols.source.push(Some(rng.pick(SOURCES).to_owned()));
        cols.stage.push(Some(rng.pick(STAGES).to_owned()));
        let mut tags = Vec::new();
        if rng.below(10) == 0 {
            tags.push("vip");
        }
        if rng.below(3) == 0 {
            tags.push("newsletter");
        }
        cols.tags
            .push(Some(tags.into_iter().map(str::to_owned).collect()));
        let region = REGIONS[rng.below(REGIONS.len())];
        cols.custom
            .entry("region".to_owned())
            .or_default()
            .push(Value::from(region));
        let age = (rng.next() % two_years_us as u64) as i64;
        cols.created_at
            .push(Some(Timestamp::from_micros(now.as_micros() - age)));
    }
    cols
}

fn main() -> crm_core::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "crm-demo.db".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5_000);

    // A fixed clock makes the report the same on every run.
    let now = Timestamp::parse_in("2026-11-25T09:00:00Z", chrono_tz::Tz::UTC)?;
    let crm = Crm::open(
        &path,
        OpenOptions {
            clock: Clock::fixed(now),
            ..OpenOptions::default()
        },
    )?;

    println!("== crm demo: {path}");
    // A custom field, defined at run time: a new column, indexed, no code change.
    crm.fields().define(
        EntityKind::Customer,
        NewFieldDefinition::new("region", CustomFieldType::Enum)
            .choices(REGIONS.iter().copied())
            .indexed(),
    )?;
    println!(
        "defined custom field 'region' (enum: {}, indexed)",
        REGIONS.join(", ")
    );
    let start = Instant::now();
    let ids = crm.customers().add_columns(generate(n, now))?;
    println!(
        "loaded {} customers in one transaction in {:.0?}",
        ids.len(),
        start.elapsed()
    );

    println!("\ncustomers by source and stage:");
    print!("{:>10}", "");
    for stage in LifecycleStage::ALL {
        print!("{:>10}", stage.as_str());
    }
    println!("{:>10}", "total");
    for source in Source::ALL {
        print!("{:>10}", source.as_str());
        for stage in LifecycleStage::ALL {
            let f = Filter::eq("source", source.as_str()).and(Filter::eq("stage", stage.as_str()));
            print!("{:>10}", crm.customers().count(&f)?);
        }
        println!(
            "{:>10}",
            crm.customers()
                .count(&Filter::eq("source", source.as_str()))?
        );
    }

    let hot = Filter::in_list("source", ["web", "ads"])
        .and(Filter::eq("stage", "prospect"))
        .and(Filter::has_tag("vip"))
        .and(Filter::ge("created_at", "2026-06-01"));
    println!(
        "\nvip prospects from web or ads since 2026-06-01: {}",
        crm.customers().count(&hot)?
    );
    for c in crm.customers().find(
        &Query::new(hot)
            .order_by(OrderBy::desc("created_at"))
            .limit(5),
    )? {
        println!(
            "  #{:<5} {:<20} {:<34} {}",
            c.id,
            c.name,
            c.email.as_deref().unwrap_or("-"),
            c.created_at.to_datetime().format("%Y-%m-%d")
        );
    }
    let north = Filter::parse("region = 'north' and stage = 'customer'")?;
    println!("customers in the north: {}", crm.customers().count(&north)?);
    println!(
        "without e-mail: {}",
        crm.customers().count(&Filter::is_null("email"))?
    );
    println!(
        "churned but tagged newsletter: {}",
        crm.customers()
            .count(&Filter::eq("stage", "churned").and(Filter::has_tag("newsletter")))?
    );

    purchases_and_timeline(&crm, &ids, now)?;
    segments(&crm)?;
    baskets::run(&crm)?;
    engagement::run(&crm, now)?;
    Ok(())
}

/// A saved segment written in the filter text syntax, counted and listed as the data stands.
fn segments(crm: &Crm) -> crm_core::Result<()> {
    let text = "source in ('web', 'ads') and total_spend >= 5000 and last_purchase >= '2026-06-01'";
    crm.segments()
        .save_text("big recent web/ads spenders", text)?;
    println!("\nsegment 'big recent web/ads spenders': {text}");
    println!(
        "  {} members; top 3 by spend:",
        crm.segments().count("big recent web/ads spenders")?
    );
    let top = Query::default()
        .order_by(OrderBy::desc("total_spend"))
        .limit(3);
    for c in crm
        .segments()
        .members("big recent web/ads spenders", &top)?
    {
        println!(
            "  #{:<5} {:<20} {:<9} {}",
            c.id,
            c.name,
            c.source.as_str(),
            c.stage.as_str()
        );
    }
    Ok(())
}

/// The catalogue, a year of purchases for every customer who bought, and a few touchpoints.
fn purchases_and_timeline(crm: &Crm, ids: &[i64], now: Timestamp) -> crm_core::Result<()> {
    const CATALOGUE: &[(&str, &str, &str, i64)] = &[
        ("TEA-GREEN", "Green tea", "tea", 450),
        ("TEA-BLACK", "Black tea", "tea", 420),
        ("TEA-OOLONG", "Oolong", "tea", 780),
        ("CUP", "Porcelain cup", "kitchen", 1200),
        ("POT", "Teapot", "kitchen", 2900),
        ("KETTLE", "Kettle", "kitchen", 4500),
    ];
    let products = CATALOGUE
        .iter()
        .map(|(sku, name, category, price)| {
            Ok(NewProduct::new(*sku, *name)
                .category(*category)
                .price(Money::new(*price, "EUR")?))
        })
        .collect::<crm_core::Result<Vec<_>>>()?;
    crm.products().add_many(products)?;

    // Customers and churned customers bought; each purchase holds one to three lines.
    let buyers: Vec<i64> = crm
        .customers()
        .find_columns(&Query::new(Filter::in_list(
            "stage",
            ["customer", "churned"],
        )))?
        .id;
    let mut rng = Rng(0xBA5_CE7);
    let eur: Currency = "EUR".parse()?;
    let mut cols = NewPurchaseColumns::default();
    let year_us = 365 * 86_400 * 1_000_000i64;
    for &customer in &buyers {
        for _ in 0..1 + rng.below(6) {
            let row = cols.customer_id.len();
            let mut total = 0;
            // One to two lines at random, and the habits a basket analysis should find: green
            // tea is often bought with cups, oolong with a teapot.
            let mut lines: Vec<usize> = (0..1 + rng.below(2))
                .map(|_| rng.below(CATALOGUE.len()))
                .collect();
            for (tea, companion, percent) in [(0, 3, 60), (2, 4, 45)] {
                if lines.contains(&tea) && !lines.contains(&companion) && rng.below(100) < percent {
                    lines.push(companion);
                }
            }
            lines.sort_unstable();
            lines.dedup();
            for k in lines {
                let (sku, _, _, price) = CATALOGUE[k];
                let quantity = 1 + rng.below(3) as i64;
                cols.item_purchase_row.push(row);
                cols.item_sku.push(Some(sku.to_owned()));
                cols.item_quantity.push(quantity);
                cols.item_unit_price.push(price);
                total += quantity * price;
            }
            cols.customer_id.push(customer);
            cols.purchased_at.push(Some(Timestamp::from_micros(
                now.as_micros() - (rng.next() % year_us as u64) as i64,
            )));
            cols.amount.push(total);
            cols.currency.push(eur);
        }
    }
    let start = Instant::now();
    let purchase_ids = crm.purchases().add_columns(cols)?;
    let lines = crm.purchases().line_item_columns(&Query::default())?;
    println!(
        "\nrecorded {} purchases with {} lines for {} buyers in {:.0?}",
        purchase_ids.len(),
        lines.line.len(),
        buyers.len(),
        start.elapsed()
    );
    let mut by_category: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for i in 0..lines.line.len() {
        let e = by_category
            .entry(lines.category[i].clone().unwrap_or_default())
            .or_default();
        e.0 += lines.quantity[i];
        e.1 += lines.quantity[i] * lines.unit_price[i];
    }
    for (category, (units, revenue)) in by_category {
        println!(
            "  {category:<10} {units:>6} units  EUR {:>12.2}",
            revenue as f64 / 100.0
        );
    }

    // One customer's timeline: a few touchpoints, newest first.
    let who = ids[0];
    let day = 86_400 * 1_000_000i64;
    crm.interactions().add_many(vec![
        NewInteraction::new(who, Channel::Web)
            .kind(InteractionKind::Visit)
            .at(Timestamp::from_micros(now.as_micros() - 9 * day))
            .subject("Browsed teapots"),
        NewInteraction::new(who, Channel::Email)
            .kind(InteractionKind::Message)
            .direction(Direction::Outbound)
            .at(Timestamp::from_micros(now.as_micros() - 7 * day))
            .subject("Autumn offer"),
        NewInteraction::new(who, Channel::Phone)
            .kind(InteractionKind::Call)
            .at(Timestamp::from_micros(now.as_micros() - 2 * day))
            .subject("Asked about delivery"),
        NewInteraction::new(who, Channel::Chat)
            .kind(InteractionKind::Message)
            .at(Timestamp::from_micros(now.as_micros() - day))
            .subject("Order arrived, thanks"),
    ])?;
    let c = crm.customers().get(who)?;
    println!("\ntimeline of #{} {} (newest first):", c.id, c.name);
    for it in crm
        .interactions()
        .timeline(who, &Query::default().limit(10))?
    {
        println!(
            "  {}  {:<9} {:<8} {:<7} {}",
            it.occurred_at.to_datetime().format("%Y-%m-%d"),
            it.channel.as_str(),
            it.direction.as_str(),
            it.kind.as_str(),
            it.subject.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
