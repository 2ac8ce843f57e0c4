//! Frequent itemsets: the entry point that picks an algorithm, and the groundwork the three
//! algorithms share.
//!
//! Every algorithm starts the same way (`Recoded::new`): count each item, drop the infrequent
//! ones, renumber the rest by descending frequency ("ranks"), and rewrite every basket as its
//! ascending ranks. Baskets left with fewer than two items are dropped too, since the singletons'
//! counts are already known and such baskets cannot hold a longer itemset. The miners work on ranks
//! only; `Collector::finish` maps ranks back to the caller's item codes and sorts the result into
//! the canonical order of [`Itemsets`].
//!
//! ```
//! use crm_core::analytics::baskets::Transactions;
//! use crm_core::analytics::itemsets::{Algorithm, frequent_itemsets};
//!
//! let t = Transactions::from_baskets(&[vec![0, 1], vec![0, 1, 2], vec![0]], 3)?;
//! let found = frequent_itemsets(&t, 0.6, None, Algorithm::FpGrowth)?;
//! assert_eq!(found.itemsets, vec![vec![0], vec![1], vec![0, 1]]);
//! assert_eq!(found.count, vec![3, 2, 2]);
//! # Ok::<(), crm_core::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use super::baskets::{Itemsets, Transactions, min_count};
use super::{apriori, eclat, fpgrowth};
use crate::error::{Error, Result};

/// Which frequent-itemset algorithm to run. All three return the same itemsets and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// Level-wise candidate generation and counting ([`apriori::mine`]).
    Apriori,
    /// A prefix tree of the baskets mined by conditional trees ([`fpgrowth::mine`]); the default,
    /// as in mlxtend's recommendation.
    #[default]
    FpGrowth,
    /// Depth-first search over vertical tid-lists and diffsets ([`eclat::mine`]).
    Eclat,
}

impl Algorithm {
    /// Every algorithm, in a fixed order.
    pub const ALL: [Algorithm; 3] = [Algorithm::Apriori, Algorithm::FpGrowth, Algorithm::Eclat];

    /// The lower-case name (`apriori`, `fpgrowth`, `eclat`), as [`FromStr`] accepts it.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Apriori => "apriori",
            Algorithm::FpGrowth => "fpgrowth",
            Algorithm::Eclat => "eclat",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Algorithm> {
        match s {
            "apriori" => Ok(Algorithm::Apriori),
            "fpgrowth" => Ok(Algorithm::FpGrowth),
            "eclat" => Ok(Algorithm::Eclat),
            _ => Err(Error::invalid(
                "algorithm",
                s,
                "must be one of apriori, fpgrowth, eclat",
            )),
        }
    }
}

/// The miners number baskets, tree nodes and paths with 32-bit ids, so they take fewer
/// (basket, item) pairs than this (some 16 GiB of item codes alone).
pub const MAX_PAIRS: usize = u32::MAX as usize;

/// The itemsets held by at least `min_support` of the baskets (`count / n >= min_support`, as
/// mlxtend compares), up to `max_len` items each, in the canonical order of [`Itemsets`].
///
/// Errors: [`Error::InvalidInput`] for `min_support` outside (0, 1] or NaN, `max_len` of 0, or
/// no baskets at all; [`Error::Unsupported`] for [`MAX_PAIRS`] or more (basket, item) pairs.
pub fn frequent_itemsets(
    t: &Transactions,
    min_support: f64,
    max_len: Option<usize>,
    algorithm: Algorithm,
) -> Result<Itemsets> {
    let min = min_count(min_support, max_len, t.len())?;
    if t.is_empty() {
        return Err(Error::invalid(
            "transactions",
            "0 baskets",
            "no transactions: at least one basket is needed",
        ));
    }
    if t.nnz() >= MAX_PAIRS {
        return Err(Error::Unsupported(format!(
            "{} (basket, item) pairs: frequent itemsets take fewer than {MAX_PAIRS}",
            t.nnz()
        )));
    }
    Ok(match algorithm {
        Algorithm::Apriori => apriori::mine(t, min, max_len),
        Algorithm::FpGrowth => fpgrowth::mine(t, min, max_len),
        Algorithm::Eclat => eclat::mine(t, min, max_len),
    })
}

/// The baskets rewritten for mining: frequent items only, renumbered by descending frequency.
#[derive(Debug, Clone)]
pub(crate) struct Recoded {
    /// The number of baskets of the input (what supports are relative to).
    pub n: usize,
    /// The minimum count an itemset needs (at least 1).
    pub min_count: u64,
    /// The longest itemset wanted (`usize::MAX` for no limit).
    pub max_len: usize,
    /// Rank → the caller's item code.
    pub codes: Vec<u32>,
    /// Rank → the number of baskets holding the item (descending).
    pub counts: Vec<u64>,
    /// `offsets[b]..offsets[b + 1]` is recoded basket `b`'s range in `items`.
    pub offsets: Vec<usize>,
    /// Ranks, ascending within each basket; every basket has at least two.
    pub items: Vec<u32>,
}

impl Recoded {
    /// Counts, filters and renumbers `t`. A `min_count` of 0 is taken as 1 (an itemset no basket
    /// holds is never listed); `max_len` `None` means no limit.
    pub fn new(t: &Transactions, min_count: u64, max_len: Option<usize>) -> Recoded {
        assert!(
            t.nnz() < MAX_PAIRS,
            "frequent itemsets take fewer than {MAX_PAIRS} (basket, item) pairs"
        );
        let min_count = min_count.max(1);
        let (t_offsets, t_items) = t.as_csr();
        let mut freq = vec![0u64; t.n_items()];
        for &i in t_items {
            freq[i as usize] += 1;
        }
        let mut codes: Vec<u32> = (0..t.n_items() as u32)
            .filter(|&i| freq[i as usize] >= min_count)
            .collect();
        // Descending frequency keeps FP-trees small; ties by code so that runs are reproducible.
        codes.sort_unstable_by(|&a, &b| freq[b as usize].cmp(&freq[a as usize]).then(a.cmp(&b)));
        let counts: Vec<u64> = codes.iter().map(|&c| freq[c as usize]).collect();
        const NONE: u32 = u32::MAX;
        let mut rank = vec![NONE; t.n_items()];
        for (r, &c) in codes.iter().enumerate() {
            rank[c as usize] = r as u32;
        }
        drop(freq);

        let mut offsets = vec![0usize];
        let mut items = Vec::new();
        if codes.len() >= 2 && max_len.is_none_or(|m| m >= 2) {
            offsets.reserve(t.len());
            // Written in place behind the read position: every item is stored, and the write
            // position only advances past frequent ones (no branch to mispredict).
            items = vec![0u32; t_items.len()];
            let mut w = 0;
            for b in t_offsets.windows(2) {
                let start = w;
                for &i in &t_items[b[0]..b[1]] {
                    let r = rank[i as usize];
                    items[w] = r;
                    w += usize::from(r != NONE);
                }
                if w - start < 2 {
                    w = start;
                    continue;
                }
                insertion_sort(&mut items[start..w]);
                offsets.push(w);
            }
            items.truncate(w);
        }
        Recoded {
            n: t.len(),
            min_count,
            max_len: max_len.unwrap_or(usize::MAX),
            codes,
            counts,
            offsets,
            items,
        }
    }

    /// The number of frequent items (ranks are `0..n_frequent()`).
    pub fn n_frequent(&self) -> usize {
        self.codes.len()
    }

    /// The number of recoded baskets (those with two or more frequent items).
    pub fn n_baskets(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Recoded basket `b`.
    pub fn basket(&self, b: usize) -> &[u32] {
        &self.items[self.offsets[b]..self.offsets[b + 1]]
    }

    /// Every recoded basket, in order.
    pub fn baskets(&self) -> impl Iterator<Item = &[u32]> {
        self.offsets.windows(2).map(|w| &self.items[w[0]..w[1]])
    }

    /// A collector holding the frequent singletons.
    pub fn collector(&self) -> Collector {
        let mut out = Collector::default();
        for (r, &c) in self.counts.iter().enumerate() {
            out.push(&[r as u32], c);
        }
        out
    }
}

/// Sorts a short slice (a basket): cheaper than the general sort for a handful of items, and
/// still quadratic only in one basket's length.
fn insertion_sort(v: &mut [u32]) {
    if v.len() > 32 {
        v.sort_unstable();
        return;
    }
    for k in 1..v.len() {
        let x = v[k];
        let mut j = k;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

/// Itemsets found so far, as ranks in one flat buffer (no allocation per itemset while mining).
#[derive(Debug, Default)]
pub(crate) struct Collector {
    items: Vec<u32>,
    ends: Vec<usize>,
    counts: Vec<u64>,
}

impl Collector {
    /// Records one itemset (ranks, any order) and its count.
    pub fn push(&mut self, ranks: &[u32], count: u64) {
        self.items.extend_from_slice(ranks);
        self.ends.push(self.items.len());
        self.counts.push(count);
    }

    /// Records `prefix` plus `last`.
    pub fn push_with(&mut self, prefix: &[u32], last: u32, count: u64) {
        self.items.extend_from_slice(prefix);
        self.items.push(last);
        self.ends.push(self.items.len());
        self.counts.push(count);
    }

    /// Maps ranks back to item codes and returns the itemsets in canonical order.
    pub fn finish(self, rec: &Recoded) -> Itemsets {
        let n = rec.n;
        let mut itemsets = Vec::with_capacity(self.counts.len());
        let mut start = 0;
        for &end in &self.ends {
            let mut set: Vec<u32> = self.items[start..end]
                .iter()
                .map(|&r| rec.codes[r as usize])
                .collect();
            set.sort_unstable();
            itemsets.push(set);
            start = end;
        }
        let support = self.counts.iter().map(|&c| c as f64 / n as f64).collect();
        let mut out = Itemsets {
            itemsets,
            count: self.counts,
            support,
            n_transactions: n,
        };
        out.canonicalize();
        out
    }
}

/// The frequent pairs of ranks `(i, j)`, `i < j`, with their counts, grouped by `i`.
#[derive(Debug, Default)]
pub(crate) struct Pairs {
    /// `start[i]..start[i + 1]` is `i`'s range in `partner` and `count`.
    start: Vec<usize>,
    /// The `j`s, ascending within each `i`.
    partner: Vec<u32>,
    count: Vec<u64>,
}

/// Above this many bytes the triangular pair-count matrix gives way to per-item counting, whose
/// memory is linear in the data (the brief: no n_items² structures unless they are small).
const TRIANGLE_BYTES: usize = 64 << 20;

impl Pairs {
    /// Counts every pair of frequent items in the recoded baskets and keeps the frequent ones.
    pub fn count(rec: &Recoded) -> Pairs {
        let f = rec.n_frequent();
        let cells = f * f.saturating_sub(1) / 2;
        if cells * 4 <= TRIANGLE_BYTES && rec.n_baskets() < u32::MAX as usize {
            Pairs::by_triangle(rec)
        } else {
            Pairs::by_item(rec)
        }
    }

    /// One `u32` cell per pair of frequent items, filled from every basket's pairs: the fastest
    /// way when the frequent items are few enough.
    fn by_triangle(rec: &Recoded) -> Pairs {
        let f = rec.n_frequent();
        let mut tri = vec![0u32; f * f.saturating_sub(1) / 2];
        // Row i of the upper triangle starts at i·(2f − i − 1)/2; cell (i, j) is row_i + j − i − 1.
        let row: Vec<usize> = (0..f).map(|i| i * (2 * f - i - 1) / 2).collect();
        for basket in rec.baskets() {
            for (a, &i) in basket.iter().enumerate() {
                // Wrapping: the base alone may be "−1"; base + j never is (j > i).
                let base = row[i as usize].wrapping_sub(i as usize + 1);
                for &j in &basket[a + 1..] {
                    tri[base.wrapping_add(j as usize)] += 1;
                }
            }
        }
        let min = rec.min_count;
        let mut out = Pairs {
            start: Vec::with_capacity(f + 1),
            ..Pairs::default()
        };
        for i in 0..f {
            out.start.push(out.partner.len());
            let cells = &tri[row[i]..row[i] + (f - i - 1)];
            for (j, &c) in (i + 1..f).zip(cells) {
                let c = u64::from(c);
                if c >= min {
                    out.partner.push(j as u32);
                    out.count.push(c);
                }
            }
        }
        out.start.push(out.partner.len());
        out
    }

    /// For each item, the baskets holding it (a vertical index) and a dense counter of the items
    /// after it: memory linear in the data, time the same sum of squared basket sizes.
    fn by_item(rec: &Recoded) -> Pairs {
        let f = rec.n_frequent();
        let tids = TidLists::new(rec);
        let mut counter = vec![0u64; f];
        let mut touched: Vec<u32> = Vec::new();
        let min = rec.min_count;
        let mut out = Pairs {
            start: Vec::with_capacity(f + 1),
            ..Pairs::default()
        };
        for i in 0..f as u32 {
            out.start.push(out.partner.len());
            for &b in tids.get(i) {
                let basket = rec.basket(b as usize);
                let after = basket.partition_point(|&x| x <= i);
                for &j in &basket[after..] {
                    if counter[j as usize] == 0 {
                        touched.push(j);
                    }
                    counter[j as usize] += 1;
                }
            }
            touched.sort_unstable();
            for &j in &touched {
                let c = counter[j as usize];
                if c >= min {
                    out.partner.push(j);
                    out.count.push(c);
                }
                counter[j as usize] = 0;
            }
            touched.clear();
        }
        out.start.push(out.partner.len());
        out
    }

    /// `i`'s frequent partners `j > i` and the pairs' counts.
    pub fn of(&self, i: u32) -> (&[u32], &[u64]) {
        let r = self.start[i as usize]..self.start[i as usize + 1];
        (&self.partner[r.clone()], &self.count[r])
    }

    /// The count of the pair `(i, j)`, `i < j`, if it is frequent.
    pub fn get(&self, i: u32, j: u32) -> Option<u64> {
        let (partners, counts) = self.of(i);
        partners.binary_search(&j).ok().map(|k| counts[k])
    }

    /// The number of frequent pairs.
    pub fn len(&self) -> usize {
        self.partner.len()
    }
}

/// The vertical view of the recoded baskets: for each rank, the ascending indexes of the
/// recoded baskets holding it.
#[derive(Debug)]
pub(crate) struct TidLists {
    start: Vec<usize>,
    tids: Vec<u32>,
}

impl TidLists {
    /// Transposes the recoded baskets (a counting sort: two passes, no per-item allocation).
    /// Needs fewer than 2³² recoded baskets.
    pub fn new(rec: &Recoded) -> TidLists {
        let f = rec.n_frequent();
        let mut start = vec![0usize; f + 1];
        for &i in &rec.items {
            start[i as usize + 1] += 1;
        }
        for i in 0..f {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut tids = vec![0u32; rec.items.len()];
        for (b, basket) in rec.baskets().enumerate() {
            for &i in basket {
                tids[fill[i as usize]] = b as u32;
                fill[i as usize] += 1;
            }
        }
        TidLists { start, tids }
    }

    /// The recoded baskets holding rank `i`, ascending.
    pub fn get(&self, i: u32) -> &[u32] {
        &self.tids[self.start[i as usize]..self.start[i as usize + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_round_trip() {
        for a in Algorithm::ALL {
            assert_eq!(a.to_string().parse::<Algorithm>().unwrap(), a);
        }
        assert_eq!(Algorithm::default(), Algorithm::FpGrowth);
        assert!("FP-Growth".parse::<Algorithm>().is_err());
    }

    #[test]
    fn recoding_ranks_by_descending_frequency_and_drops_short_baskets() {
        let t = Transactions::from_baskets(
            &[vec![0, 1, 2], vec![1, 2], vec![2], vec![3, 2], vec![1]],
            4,
        )
        .unwrap();
        let rec = Recoded::new(&t, 2, None);
        // Counts: 2 → 4, 1 → 3; 0 and 3 are infrequent.
        assert_eq!(rec.codes, vec![2, 1]);
        assert_eq!(rec.counts, vec![4, 3]);
        // Only baskets 0 and 1 keep two frequent items.
        assert_eq!(
            rec.baskets().collect::<Vec<_>>(),
            vec![&[0, 1][..], &[0, 1][..]]
        );
        let pairs = Pairs::count(&rec);
        assert_eq!(pairs.get(0, 1), Some(2));
        assert_eq!(Pairs::by_item(&rec).get(0, 1), Some(2));
    }

    #[test]
    fn pair_counting_strategies_agree() {
        let baskets: Vec<Vec<u32>> = (0..200u32)
            .map(|b| {
                (0..12u32)
                    .filter(|i| (b * 7 + i * 13) % (i + 2) == 0)
                    .collect()
            })
            .collect();
        let t = Transactions::from_baskets(&baskets, 12).unwrap();
        let rec = Recoded::new(&t, 10, None);
        let (a, b) = (Pairs::by_triangle(&rec), Pairs::by_item(&rec));
        assert!(a.len() > 0);
        assert_eq!(a.start, b.start);
        assert_eq!(a.partner, b.partner);
        assert_eq!(a.count, b.count);
    }
}
