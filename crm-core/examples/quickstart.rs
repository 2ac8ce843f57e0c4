//! The customer API in a few lines: `cargo run -p crm-core --example quickstart [path]`.

use crm_core::{
    Crm, CustomerPatch, Filter, LifecycleStage, NewCustomer, OpenOptions, OrderBy, Query, Source,
};

fn main() -> crm_core::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| ":memory:".into());
    let crm = Crm::open(&path, OpenOptions::default())?;

    let ada = crm.customers().add(
        NewCustomer::new("Ada Lovelace")
            .external_id("ERP-0001")
            .email("Ada@Example.com")
            .phone("+44 20 7946 0000")
            .source(Source::Referral)
            .tag("vip"),
    )?;
    println!(
        "created #{} {} <{}>",
        ada.id,
        ada.name,
        ada.email.as_deref().unwrap_or("-")
    );

    // Optimistic concurrency: the update is refused if someone changed Ada meanwhile.
    let ada = crm.customers().update(
        ada.id,
        &CustomerPatch::default()
            .stage(LifecycleStage::Customer)
            .expect_version(ada.version),
    )?;
    println!("now a {} (version {})", ada.stage, ada.version);

    crm.customers().add_many(vec![
        NewCustomer::new("Grace Hopper").source(Source::Web),
        NewCustomer::new("Alan Turing")
            .source(Source::Web)
            .tag("vip"),
    ])?;

    let vips = Query::new(Filter::has_tag("vip"))
        .order_by(OrderBy::desc("created_at"))
        .limit(10);
    for c in crm.customers().find(&vips)? {
        println!("vip: {} ({}, {})", c.name, c.source, c.stage);
    }
    println!(
        "web leads: {}",
        crm.customers()
            .count(&Filter::eq("source", "web").and(Filter::eq("stage", "lead")))?
    );
    Ok(())
}
