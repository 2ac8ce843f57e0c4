//! Bulk insert of 1,000,000 customers: `Customers::add_columns` (validation, normalisation, one
//! transaction) against a raw rusqlite prepared-statement loop writing the same rows into the same
//! schema (same indexes, same pragmas) in one transaction. The ratio of the two is the figure.
//!
//! `cargo bench -p crm-core --bench bulk_insert` (env `CRM_BENCH_ROWS` overrides the row count).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use crm_core::{Crm, NewCustomerColumns, OpenOptions, Timestamp};
use rusqlite::params;

fn rows() -> usize {
    std::env::var("CRM_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

/// The same data for both sides, already in normal form so the raw loop stores what crm stores.
struct Data {
    external_id: Vec<String>,
    name: Vec<String>,
    email: Vec<Option<String>>,
    phone: Vec<Option<String>>,
    company: Vec<Option<String>>,
    stage: Vec<&'static str>,
    source: Vec<&'static str>,
    tags: Vec<Vec<&'static str>>,
    created_at: Vec<i64>,
}

fn data(n: usize) -> Data {
    const STAGES: [&str; 4] = ["lead", "prospect", "customer", "churned"];
    const SOURCES: [&str; 6] = ["web", "referral", "ads", "event", "partner", "other"];
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut d = Data {
        external_id: Vec::with_capacity(n),
        name: Vec::with_capacity(n),
        email: Vec::with_capacity(n),
        phone: Vec::with_capacity(n),
        company: Vec::with_capacity(n),
        stage: Vec::with_capacity(n),
        source: Vec::with_capacity(n),
        tags: Vec::with_capacity(n),
        created_at: Vec::with_capacity(n),
    };
    for i in 0..n {
        let r = next();
        d.external_id.push(format!("EXT-{i:08}"));
        d.name.push(format!("Customer {i}"));
        d.email
            .push((r % 10 < 8).then(|| format!("customer{i}@example.com")));
        d.phone
            .push((r % 7 < 4).then(|| format!("+1555{:07}", i % 10_000_000)));
        d.company
            .push((r % 3 == 0).then(|| format!("Company {}", r % 1000)));
        d.stage.push(STAGES[(r >> 8) as usize % 4]);
        d.source.push(SOURCES[(r >> 16) as usize % 6]);
        d.tags.push(match (r >> 24) % 10 {
            0 => vec!["vip"],
            1 | 2 => vec!["newsletter"],
            3 => vec!["newsletter", "vip"],
            _ => vec![],
        });
        d.created_at
            .push(1_700_000_000_000_000 + i as i64 * 1_000_000);
    }
    d
}

fn columns(d: &Data) -> NewCustomerColumns {
    NewCustomerColumns {
        external_id: d.external_id.iter().cloned().map(Some).collect(),
        name: d.name.iter().cloned().map(Some).collect(),
        email: d.email.clone(),
        phone: d.phone.clone(),
        company: d.company.clone(),
        stage: d.stage.iter().map(|s| Some(s.to_string())).collect(),
        source: d.source.iter().map(|s| Some(s.to_string())).collect(),
        tags: d
            .tags
            .iter()
            .map(|t| Some(t.iter().map(|s| s.to_string()).collect()))
            .collect(),
        created_at: d
            .created_at
            .iter()
            .map(|t| Some(Timestamp::from_micros(*t)))
            .collect(),
        ..Default::default()
    }
}

/// A fresh, empty store file (schema created by crm, so both sides write the same tables).
fn fresh_store(dir: &tempfile::TempDir, tag: &str, round: &mut u32) -> std::path::PathBuf {
    *round += 1;
    let path = dir.path().join(format!("{tag}-{round}.db"));
    drop(Crm::open(&path, OpenOptions::default()).expect("open"));
    path
}

fn raw_insert(path: &std::path::Path, d: &Data) {
    let mut conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch("PRAGMA foreign_keys = ON")
        .expect("pragma");
    let tx = conn.transaction().expect("tx");
    {
        let mut ins = tx
            .prepare(
                "INSERT INTO customers(external_id, name, email, phone, company, stage, source, created_at, updated_at, version) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)",
            )
            .expect("prepare");
        let mut tag = tx
            .prepare("INSERT INTO customer_tags(customer_id, tag) VALUES (?1, ?2)")
            .expect("prepare");
        for i in 0..d.name.len() {
            ins.execute(params![
                d.external_id[i],
                d.name[i],
                d.email[i],
                d.phone[i],
                d.company[i],
                d.stage[i],
                d.source[i],
                d.created_at[i],
                d.created_at[i]
            ])
            .expect("insert");
            let id = tx.last_insert_rowid();
            for t in &d.tags[i] {
                tag.execute(params![id, t]).expect("tag");
            }
        }
    }
    tx.commit().expect("commit");
}

fn bulk_insert(c: &mut Criterion) {
    let n = rows();
    let d = data(n);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut round = 0;

    let mut group = c.benchmark_group(format!("bulk_insert_{n}"));
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.warm_up_time(Duration::from_secs(1));

    group.bench_function("raw_rusqlite", |b| {
        b.iter_batched(
            || fresh_store(&dir, "raw", &mut round),
            |path| {
                raw_insert(&path, &d);
                std::fs::remove_file(&path).ok();
            },
            BatchSize::PerIteration,
        )
    });
    let mut round = 0;
    group.bench_function("crm_add_columns", |b| {
        b.iter_batched(
            || (fresh_store(&dir, "crm", &mut round), columns(&d)),
            |(path, cols)| {
                let crm = Crm::open(&path, OpenOptions::default()).expect("open");
                black_box(crm.customers().add_columns(cols).expect("insert"));
                drop(crm);
                std::fs::remove_file(&path).ok();
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bulk_insert);
criterion_main!(benches);
