//! Frequent-itemset mining (Apriori, FP-Growth, Eclat) on generated shopping baskets:
//!
//! - `mba_100000`: 100,000 baskets over 500 items at min_support 0.005, each algorithm.
//! - `mba_100000_huge`: the same baskets with 20 huge ones (60–200 items) mixed in — the case
//!   where mlxtend users report runtime spikes.
//!
//! `cargo bench -p crm-core --bench market_basket`
//!
//! Environment:
//! - `CRM_BENCH_MBA_ONESHOT=1000000`: instead of criterion, time each algorithm once on that
//!   many baskets at min_support 0.001 (`CRM_BENCH_MBA_SUPPORT` overrides it) and print the time
//!   and peak RSS (Linux `VmHWM`, reset before each algorithm; "above data" subtracts what the
//!   process held before the run, i.e. the baskets themselves). `CRM_BENCH_MBA_REPEAT=k` runs
//!   each algorithm k times and prints the fastest.
//! - `CRM_BENCH_MBA_WRITE=path`: also write the generated baskets (the criterion data set, or the
//!   one-shot one) as long format CSV, header `basket,item`, one row per (basket, item), items
//!   sorted within a basket — so that a Python benchmark (mlxtend) can load exactly these baskets.
//!   With `CRM_BENCH_MBA_HUGE=1` the file holds the data set with the huge baskets. The itemsets
//!   found go to `<path>.itemsets.csv` (`support,itemsets`, items space-separated).
//!
//! The generator (deterministic, seed [`SEED`]), so that it can be reproduced elsewhere:
//! - Random numbers: xorshift64* — `s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
//!   out = s * 0x2545F4914F6CDD1D (mod 2⁶⁴)`; a uniform draw is `(out >> 11) · 2⁻⁵³`.
//! - Item popularity: Zipf-like, item `i` (0..500) has weight `1 / (i + 1)^1.05`; an item is
//!   drawn by inverse CDF (the first `i` whose running weight sum exceeds `u · total`).
//! - Basket size: 1 + Poisson with mean 4 (mean 5, never empty, so that long format loses no
//!   basket), by Knuth's method: multiply uniforms until the product is at most `e⁻⁴`; the
//!   Poisson draw is the number of uniforms minus one. That many items are drawn (repeats count
//!   once, so baskets may come out smaller).
//! - Co-purchase patterns: 12 patterns; pattern `p` has `2 + p mod 3` items
//!   `(37·p + 5 + 6·j) mod 500`, `j = 0, 1, …`. After its items are drawn, a basket takes a
//!   pattern with probability 0.08 (one uniform draw `< 0.08`, then the pattern is
//!   `⌊uniform · 12⌋`).
//! - Huge baskets (when asked for): 20, the `h`-th inserted after ordinary basket
//!   `(h + 1) · n / 21`; its size is `60 + ⌊uniform · 141⌋` distinct items, drawn by popularity
//!   until that many distinct items are in it.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use crm_core::analytics::baskets::{Itemsets, Transactions};
use crm_core::analytics::itemsets::{Algorithm, frequent_itemsets};

/// The generator's seed.
const SEED: u64 = 0x5EED_BA5C_E7A1_1CE5;
const N_ITEMS: usize = 500;
const N_BASKETS: usize = 100_000;
const MIN_SUPPORT: f64 = 0.005;

/// xorshift64* (see the module doc).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Draws items by popularity.
struct Popularity {
    cumulative: Vec<f64>,
}

impl Popularity {
    fn new() -> Popularity {
        let mut sum = 0.0;
        let cumulative = (0..N_ITEMS)
            .map(|i| {
                sum += 1.0 / ((i + 1) as f64).powf(1.05);
                sum
            })
            .collect();
        Popularity { cumulative }
    }

    fn draw(&self, rng: &mut Rng) -> u32 {
        let total = self.cumulative[N_ITEMS - 1];
        let u = rng.uniform() * total;
        self.cumulative
            .partition_point(|&c| c <= u)
            .min(N_ITEMS - 1) as u32
    }
}

/// `n` ordinary baskets, plus the 20 huge ones when `huge`.
fn generate(n: usize, huge: bool) -> Vec<Vec<u32>> {
    let mut rng = Rng(SEED);
    let pop = Popularity::new();
    let patterns: Vec<Vec<u32>> = (0..12u32)
        .map(|p| (0..2 + p % 3).map(|j| (37 * p + 5 + 6 * j) % 500).collect())
        .collect();
    let limit = (-4.0f64).exp();
    let mut baskets = Vec::with_capacity(n + 20);
    let mut next_huge = 0usize;
    for b in 0..n {
        let mut size = 1usize;
        let mut product = rng.uniform();
        while product > limit {
            size += 1;
            product *= rng.uniform();
        }
        let mut basket: Vec<u32> = (0..size).map(|_| pop.draw(&mut rng)).collect();
        if rng.uniform() < 0.08 {
            let p = ((rng.uniform() * 12.0) as usize).min(11);
            basket.extend_from_slice(&patterns[p]);
        }
        basket.sort_unstable();
        basket.dedup();
        baskets.push(basket);
        while huge && next_huge < 20 && b + 1 == (next_huge + 1) * n / 21 {
            let size = 60 + ((rng.uniform() * 141.0) as usize).min(140);
            let mut seen = vec![false; N_ITEMS];
            let mut basket = Vec::with_capacity(size);
            while basket.len() < size {
                let i = pop.draw(&mut rng);
                if !seen[i as usize] {
                    seen[i as usize] = true;
                    basket.push(i);
                }
            }
            basket.sort_unstable();
            baskets.push(basket);
            next_huge += 1;
        }
    }
    baskets
}

/// Writes the itemsets found as CSV (`support,itemsets`, items space-separated, supports in
/// shortest round-trip form) next to the baskets, as `<CRM_BENCH_MBA_WRITE>.itemsets.csv`.
fn maybe_write_itemsets(found: &Itemsets) {
    let Ok(path) = std::env::var("CRM_BENCH_MBA_WRITE") else {
        return;
    };
    use std::io::Write;
    let path = format!("{path}.itemsets.csv");
    let file = std::fs::File::create(&path).expect("create itemsets file");
    let mut w = std::io::BufWriter::new(file);
    writeln!(w, "support,itemsets").expect("write");
    for (set, s) in found.itemsets.iter().zip(&found.support) {
        let items: Vec<String> = set.iter().map(u32::to_string).collect();
        writeln!(w, "{s},{}", items.join(" ")).expect("write");
    }
    w.flush().expect("write");
    eprintln!("wrote {} itemsets to {path}", found.len());
}

/// Writes the baskets as long format CSV (`basket,item`) when `CRM_BENCH_MBA_WRITE` is set.
fn maybe_write(baskets: &[Vec<u32>]) {
    let Ok(path) = std::env::var("CRM_BENCH_MBA_WRITE") else {
        return;
    };
    use std::io::Write;
    let file = std::fs::File::create(&path).expect("create CRM_BENCH_MBA_WRITE file");
    let mut w = std::io::BufWriter::new(file);
    writeln!(w, "basket,item").expect("write");
    for (b, basket) in baskets.iter().enumerate() {
        for i in basket {
            writeln!(w, "{b},{i}").expect("write");
        }
    }
    w.flush().expect("write");
    eprintln!("wrote {} baskets to {path}", baskets.len());
}

fn transactions(baskets: &[Vec<u32>]) -> Transactions {
    Transactions::from_baskets(baskets, N_ITEMS).expect("baskets")
}

/// Runs every algorithm once and checks that they agree; returns the itemsets.
fn agree(t: &Transactions, min_support: f64) -> Itemsets {
    let first = frequent_itemsets(t, min_support, None, Algorithm::FpGrowth).expect("mine");
    for a in [Algorithm::Apriori, Algorithm::Eclat] {
        let other = frequent_itemsets(t, min_support, None, a).expect("mine");
        assert!(other == first, "{a} disagrees with fpgrowth");
    }
    first
}

fn bench_data(c: &mut Criterion, name: &str, huge: bool) {
    let baskets = generate(N_BASKETS, huge);
    let write = huge == std::env::var("CRM_BENCH_MBA_HUGE").is_ok_and(|v| v == "1");
    if write {
        maybe_write(&baskets);
    }
    let t = transactions(&baskets);
    drop(baskets);
    let found = agree(&t, MIN_SUPPORT);
    if write {
        maybe_write_itemsets(&found);
    }
    eprintln!(
        "{name}: {} baskets, {} (basket, item) pairs, {} itemsets at min_support {MIN_SUPPORT}, \
         longest {}",
        t.len(),
        t.nnz(),
        found.len(),
        found.itemsets.last().map_or(0, Vec::len)
    );
    let mut g = c.benchmark_group(name);
    g.sample_size(30).measurement_time(Duration::from_secs(5));
    for a in Algorithm::ALL {
        g.bench_function(a.as_str(), |b| {
            b.iter(|| frequent_itemsets(black_box(&t), MIN_SUPPORT, None, a).expect("mine"))
        });
    }
    g.finish();
}

fn ordinary(c: &mut Criterion) {
    bench_data(c, &format!("mba_{N_BASKETS}"), false);
}

fn with_huge(c: &mut Criterion) {
    bench_data(c, &format!("mba_{N_BASKETS}_huge"), true);
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

/// One timed run per algorithm on `n` baskets (`CRM_BENCH_MBA_ONESHOT=n`).
fn oneshot(n: usize) {
    let min_support = std::env::var("CRM_BENCH_MBA_SUPPORT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.001);
    let huge = std::env::var("CRM_BENCH_MBA_HUGE").is_ok_and(|v| v == "1");
    let repeat: usize = std::env::var("CRM_BENCH_MBA_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    let started = Instant::now();
    let baskets = generate(n, huge);
    maybe_write(&baskets);
    let t = transactions(&baskets);
    drop(baskets);
    println!(
        "one-shot: {} baskets ({} huge), {} (basket, item) pairs, min_support {min_support}; \
         generated in {:.1} s; best of {repeat}",
        t.len(),
        if huge { 20 } else { 0 },
        t.nnz(),
        started.elapsed().as_secs_f64()
    );
    let mut reference: Option<Itemsets> = None;
    for a in Algorithm::ALL {
        reset_peak_rss();
        let base = peak_rss_mib().unwrap_or(0.0);
        let mut ms = f64::INFINITY;
        let mut found = Itemsets::default();
        for _ in 0..repeat {
            let start = Instant::now();
            found = frequent_itemsets(&t, min_support, None, a).expect("mine");
            ms = ms.min(start.elapsed().as_secs_f64() * 1e3);
        }
        let peak = peak_rss_mib().unwrap_or(0.0);
        println!(
            "  {:<9} {ms:9.1} ms  {:>7} itemsets (longest {})  peak RSS {peak:.0} MiB \
             (+{:.0} MiB above data)",
            a.as_str(),
            found.len(),
            found.itemsets.last().map_or(0, Vec::len),
            peak - base
        );
        match &reference {
            Some(r) => assert!(*r == found, "{a} disagrees"),
            None => {
                maybe_write_itemsets(&found);
                reference = Some(found);
            }
        }
    }
}

criterion_group!(benches, ordinary, with_huge);

fn main() {
    if let Some(n) = std::env::var("CRM_BENCH_MBA_ONESHOT")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        oneshot(n);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
