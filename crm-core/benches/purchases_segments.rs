//! Customer 360 at scale.
//!
//! - `bulk_purchases_N`: `Purchases::add_columns` (validation, catalogue linking by sku, one
//!   transaction, one audit entry) against a raw rusqlite loop writing the same purchases and
//!   lines into the same schema. `CRM_BENCH_PURCHASES` sets N (default 1,000,000; two lines each).
//! - `segment_count_1M`: counting a saved segment over 1,000,000 customers, for an indexed
//!   predicate (`source` and `stage`), a tag, and a custom field with and without its index;
//!   `CRM_BENCH_CUSTOMERS` sets the size.
//!
//! `cargo bench -p crm-core --bench purchases_segments`

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use crm_core::{
    Crm, Currency, CustomFieldType, EntityKind, Money, NewCustomerColumns, NewFieldDefinition,
    NewProduct, NewPurchaseColumns, OpenOptions, Value,
};
use rusqlite::params;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

const CUSTOMERS_FOR_PURCHASES: usize = 10_000;
const PRODUCTS: usize = 200;

/// A fresh store with customers and a catalogue, ready for purchases.
fn shop(dir: &tempfile::TempDir, round: &mut u32) -> std::path::PathBuf {
    *round += 1;
    let path = dir.path().join(format!("shop-{round}.db"));
    let crm = Crm::open(&path, OpenOptions::default()).expect("open");
    let customers = NewCustomerColumns {
        name: (0..CUSTOMERS_FOR_PURCHASES)
            .map(|i| Some(format!("C{i}")))
            .collect(),
        ..Default::default()
    };
    crm.customers().add_columns(customers).expect("customers");
    let products = (0..PRODUCTS)
        .map(|i| {
            NewProduct::new(format!("SKU-{i:04}"), format!("Product {i}"))
                .category(format!("cat-{}", i % 10))
                .price(Money::new(100 + i as i64, "EUR").expect("money"))
        })
        .collect();
    crm.products().add_many(products).expect("products");
    path
}

/// The same purchases for both sides: customer, time, amount, and two lines by sku.
struct Data {
    customer_id: Vec<i64>,
    purchased_at: Vec<i64>,
    amount: Vec<i64>,
    line_sku: Vec<usize>,
    line_quantity: Vec<i64>,
}

fn data(n: usize) -> Data {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut d = Data {
        customer_id: vec![],
        purchased_at: vec![],
        amount: vec![],
        line_sku: vec![],
        line_quantity: vec![],
    };
    for i in 0..n {
        d.customer_id
            .push(1 + (next() % CUSTOMERS_FOR_PURCHASES as u64) as i64);
        d.purchased_at
            .push(1_700_000_000_000_000 + i as i64 * 60_000_000);
        d.amount.push(100 + (next() % 10_000) as i64);
        for _ in 0..2 {
            d.line_sku.push((next() % PRODUCTS as u64) as usize);
            d.line_quantity.push(1 + (next() % 3) as i64);
        }
    }
    d
}

fn columns(d: &Data) -> NewPurchaseColumns {
    let eur: Currency = "EUR".parse().expect("currency");
    NewPurchaseColumns {
        customer_id: d.customer_id.clone(),
        purchased_at: d
            .purchased_at
            .iter()
            .map(|t| Some(crm_core::Timestamp::from_micros(*t)))
            .collect(),
        amount: d.amount.clone(),
        currency: vec![eur; d.customer_id.len()],
        item_purchase_row: (0..d.line_sku.len()).map(|j| j / 2).collect(),
        item_sku: d
            .line_sku
            .iter()
            .map(|s| Some(format!("SKU-{s:04}")))
            .collect(),
        item_quantity: d.line_quantity.clone(),
        item_unit_price: d.line_sku.iter().map(|s| 100 + *s as i64).collect(),
        ..Default::default()
    }
}

/// The raw loop: the same rows, product ids and names already known (as crm looks them up).
fn raw_insert(path: &std::path::Path, d: &Data) {
    let mut conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch("PRAGMA foreign_keys = ON")
        .expect("pragma");
    let tx = conn.transaction().expect("tx");
    {
        let mut p = tx
            .prepare("INSERT INTO purchases(customer_id, external_id, purchased_at, amount, currency, status, created_at) VALUES (?1, NULL, ?2, ?3, 'EUR', 'completed', ?2)")
            .expect("prepare");
        let mut l = tx
            .prepare("INSERT INTO purchase_items(purchase_id, line, product_id, sku, name, category, quantity, unit_price) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .expect("prepare");
        for i in 0..d.customer_id.len() {
            p.execute(params![d.customer_id[i], d.purchased_at[i], d.amount[i]])
                .expect("purchase");
            let id = tx.last_insert_rowid();
            for k in 0..2 {
                let s = d.line_sku[2 * i + k];
                l.execute(params![
                    id,
                    k as i64 + 1,
                    s as i64 + 1,
                    format!("SKU-{s:04}"),
                    format!("Product {s}"),
                    format!("cat-{}", s % 10),
                    d.line_quantity[2 * i + k],
                    100 + s as i64
                ])
                .expect("line");
            }
        }
    }
    tx.commit().expect("commit");
}

fn bulk_purchases(c: &mut Criterion) {
    let n = env("CRM_BENCH_PURCHASES", 1_000_000);
    let d = data(n);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group(format!("bulk_purchases_{n}"));
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.warm_up_time(Duration::from_secs(1));
    let mut round = 0;
    group.bench_function("raw_rusqlite", |b| {
        b.iter_batched(
            || shop(&dir, &mut round),
            |path| {
                raw_insert(&path, &d);
                std::fs::remove_file(&path).ok();
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("crm_add_columns", |b| {
        b.iter_batched(
            || (shop(&dir, &mut round), columns(&d)),
            |(path, cols)| {
                let crm = Crm::open(&path, OpenOptions::default()).expect("open");
                black_box(crm.purchases().add_columns(cols).expect("purchases"));
                drop(crm);
                std::fs::remove_file(&path).ok();
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn segment_count(c: &mut Criterion) {
    let n = env("CRM_BENCH_CUSTOMERS", 1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let crm = Crm::open(dir.path().join("segments.db"), OpenOptions::default()).expect("open");
    // Two custom fields with the same values, one indexed and one not, to show what the index buys.
    let regions = ["north", "south", "east", "west"];
    for (name, indexed) in [("region", true), ("region_plain", false)] {
        let mut def = NewFieldDefinition::new(name, CustomFieldType::Enum).choices(regions);
        def.indexed = indexed;
        crm.fields()
            .define(EntityKind::Customer, def)
            .expect("field");
    }
    const SOURCES: [&str; 6] = ["web", "referral", "ads", "event", "partner", "other"];
    const STAGES: [&str; 4] = ["lead", "prospect", "customer", "churned"];
    let cols = NewCustomerColumns {
        name: (0..n).map(|i| Some(format!("C{i}"))).collect(),
        source: (0..n)
            .map(|i| Some(SOURCES[(i * 7) % 6].to_owned()))
            .collect(),
        stage: (0..n)
            .map(|i| Some(STAGES[(i * 13) % 4].to_owned()))
            .collect(),
        tags: (0..n)
            .map(|i| {
                Some(if i % 50 == 0 {
                    vec!["vip".to_owned()]
                } else {
                    vec![]
                })
            })
            .collect(),
        custom: ["region", "region_plain"]
            .into_iter()
            .map(|f| {
                (
                    f.to_owned(),
                    (0..n).map(|i| Value::from(regions[(i * 31) % 4])).collect(),
                )
            })
            .collect(),
        ..Default::default()
    };
    crm.customers().add_columns(cols).expect("customers");
    crm.segments()
        .save_text("web leads", "source = 'web' and stage = 'lead'")
        .expect("segment");
    crm.segments()
        .save_text("vip", "tags contains 'vip'")
        .expect("segment");
    for (name, text) in [
        ("north indexed", "region = 'north'"),
        ("north unindexed", "region_plain = 'north'"),
    ] {
        crm.segments().save_text(name, text).expect("segment");
    }

    let mut group = c.benchmark_group(format!("segment_count_{n}"));
    group.sample_size(20);
    for name in ["web leads", "vip", "north indexed", "north unindexed"] {
        group.bench_function(name.replace(' ', "_"), |b| {
            b.iter(|| black_box(crm.segments().count(name).expect("count")))
        });
    }
    group.finish();
}

/// Peak resident memory of this process since the last reset, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak-RSS mark (Linux: writing 5 to `/proc/self/clear_refs`).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One timed load per side, for sizes where ten criterion samples would take most of an hour:
/// `CRM_BENCH_ONESHOT_PURCHASES=10000000 cargo bench -p crm-core --bench purchases_segments`.
/// Prints purchases/s, the ratio, and each side's peak RSS above the shared input data.
fn oneshot(n: usize) {
    let d = data(n);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut round = 0;
    println!("one-shot bulk load of {n} purchases with two lines each (one sample per side)");

    let path = shop(&dir, &mut round);
    reset_peak_rss();
    let base = peak_rss_mib().unwrap_or(0.0);
    let t = std::time::Instant::now();
    raw_insert(&path, &d);
    let raw = t.elapsed().as_secs_f64();
    let raw_rss = peak_rss_mib().unwrap_or(0.0) - base;
    std::fs::remove_file(&path).ok();

    let path = shop(&dir, &mut round);
    let cols = columns(&d);
    drop(d);
    reset_peak_rss();
    let base = peak_rss_mib().unwrap_or(0.0);
    let t = std::time::Instant::now();
    let crm = Crm::open(&path, OpenOptions::default()).expect("open");
    let ids = crm.purchases().add_columns(cols).expect("purchases");
    let ours = t.elapsed().as_secs_f64();
    let crm_rss = peak_rss_mib().unwrap_or(0.0) - base;
    assert_eq!(ids.len(), n);
    println!(
        "  raw_rusqlite     {raw:8.1} s  {:>10.0} purchases/s  peak RSS +{raw_rss:.0} MiB",
        n as f64 / raw
    );
    println!(
        "  crm_add_columns  {ours:8.1} s  {:>10.0} purchases/s  peak RSS +{crm_rss:.0} MiB",
        n as f64 / ours
    );
    println!("  ratio (crm / raw): {:.3}", raw / ours);
}

criterion_group!(benches, bulk_purchases, segment_count);

fn main() {
    if let Some(n) = std::env::var("CRM_BENCH_ONESHOT_PURCHASES")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        oneshot(n);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
