//! Apriori: level-wise candidate generation and counting.
//!
//! Level 1 is the item counts and level 2 every pair of frequent items, counted in one pass
//! (`Pairs`, a triangular matrix while it is small). From level 3 on, the candidates of length
//! `k` are the joins of two frequent `(k − 1)`-itemsets sharing their first `k − 2` items, kept
//! only if every `(k − 1)`-subset is frequent; they are counted by walking each basket down a
//! prefix trie of the candidates (a merge of the basket with each trie node's children), so a
//! basket costs what it matches, not the number of its subsets — a basket of 200 items is not
//! expanded into its 1.3 million triples.
//!
//! Each level also shrinks the data: a basket is kept for level `k + 1` only if it held at
//! least `k + 1` candidates of level `k` (a frequent `(k + 1)`-itemset has that many
//! `k`-subsets), and only its items that occur in a frequent `k`-itemset.

use super::baskets::{Itemsets, Transactions};
use super::itemsets::{Collector, Pairs, Recoded};

/// Frequent itemsets of `t` held by at least `min_count` baskets (0 counts as 1), up to `max_len`
/// items (`Some(0)` gives none), in canonical order.
///
/// # Panics
///
/// If `t` has [`MAX_PAIRS`](super::itemsets::MAX_PAIRS) or more (basket, item) pairs (ids are
/// 32-bit); [`frequent_itemsets`](super::itemsets::frequent_itemsets) refuses such input with an
/// error.
pub fn mine(t: &Transactions, min_count: u64, max_len: Option<usize>) -> Itemsets {
    let rec = Recoded::new(t, min_count, max_len);
    if max_len == Some(0) {
        return Collector::default().finish(&rec);
    }
    let mut out = rec.collector();
    if rec.max_len < 2 || rec.n_baskets() == 0 {
        return out.finish(&rec);
    }
    let f = rec.n_frequent();
    let pairs = Pairs::count(&rec);
    // The frequent itemsets of the current level, flat, `k − 1` items each, ascending.
    let mut level: Vec<u32> = Vec::with_capacity(2 * pairs.len());
    for i in 0..f as u32 {
        let (partners, counts) = pairs.of(i);
        for (&j, &c) in partners.iter().zip(counts) {
            out.push(&[i, j], c);
            level.extend_from_slice(&[i, j]);
        }
    }

    let mut db = Baskets::default();
    let mut in_level = vec![false; f];
    let mut k = 3;
    while k <= rec.max_len {
        let candidates = candidates(&level, k - 1);
        if candidates.is_empty() {
            break;
        }
        // Items of no frequent (k − 1)-itemset cannot be in a candidate.
        in_level.iter_mut().for_each(|x| *x = false);
        for &i in &level {
            in_level[i as usize] = true;
        }
        if k == 3 {
            db.load_triples(&rec, &pairs);
        } else {
            db.shrink(&in_level, k);
        }
        let trie = Trie::new(&candidates, k);
        let mut counts = vec![0u64; candidates.len() / k];
        db.count(&trie, &mut counts);

        level.clear();
        for (c, &n) in candidates.chunks_exact(k).zip(&counts) {
            if n >= rec.min_count {
                out.push(c, n);
                level.extend_from_slice(c);
            }
        }
        if level.is_empty() {
            break;
        }
        k += 1;
    }
    out.finish(&rec)
}

/// The joins of two itemsets of `level` (flat, `m` items each, ascending, sorted) that share
/// their first `m − 1` items, kept when every `m`-subset is in `level`. Flat, sorted.
fn candidates(level: &[u32], m: usize) -> Vec<u32> {
    let sets: Vec<&[u32]> = level.chunks_exact(m).collect();
    let mut out = Vec::new();
    let mut cand = vec![0u32; m + 1];
    let mut sub = vec![0u32; m];
    let mut g = 0;
    while g < sets.len() {
        let head = &sets[g][..m - 1];
        let end = g + sets[g..].partition_point(|s| &s[..m - 1] == head);
        for a in g..end {
            cand[..m].copy_from_slice(sets[a]);
            'b: for set_b in &sets[a + 1..end] {
                cand[m] = set_b[m - 1];
                // The subsets without cand[m - 1] or cand[m] are the two joined sets; check the
                // others.
                for drop in 0..m - 1 {
                    let mut w = 0;
                    for (q, &x) in cand.iter().enumerate() {
                        if q != drop {
                            sub[w] = x;
                            w += 1;
                        }
                    }
                    if sets.binary_search(&sub.as_slice()).is_err() {
                        continue 'b;
                    }
                }
                out.extend_from_slice(&cand);
            }
        }
        g = end;
    }
    out
}

/// The candidates of one level as a prefix trie, one array per depth; the leaves (depth
/// `k − 1`) are the candidates, in order.
#[derive(Debug)]
struct Trie {
    k: usize,
    /// `item[d][n]`: the item of node `n` at depth `d`.
    item: Vec<Vec<u32>>,
    /// `child[d][n]..child[d][n + 1]`: node `n`'s children at depth `d + 1` (for `d < k − 1`).
    child: Vec<Vec<u32>>,
}

impl Trie {
    /// `candidates`: flat, `k` items each, sorted and distinct.
    fn new(candidates: &[u32], k: usize) -> Trie {
        let mut item: Vec<Vec<u32>> = vec![Vec::new(); k];
        let mut child: Vec<Vec<u32>> = vec![Vec::new(); k - 1];
        let mut prev: &[u32] = &[];
        for c in candidates.chunks_exact(k) {
            // The first depth at which c leaves the previous candidate's path.
            let same = c.iter().zip(prev).take_while(|(x, y)| x == y).count();
            for d in same..k {
                if d + 1 < k {
                    child[d].push(item[d + 1].len() as u32);
                }
                item[d].push(c[d]);
            }
            prev = c;
        }
        for d in 0..k - 1 {
            child[d].push(item[d + 1].len() as u32);
        }
        Trie { k, item, child }
    }

    /// Adds 1 to the count of every candidate `basket` holds, among the nodes `lo..hi` at depth
    /// `d` and below; returns how many it holds.
    fn walk(&self, d: usize, lo: usize, hi: usize, basket: &[u32], counts: &mut [u64]) -> usize {
        let items = &self.item[d];
        let need = self.k - d;
        let (mut i, mut p) = (lo, 0);
        let mut matched = 0;
        while i < hi && basket.len() - p >= need {
            let (x, y) = (items[i], basket[p]);
            if x < y {
                i += 1 + items[i + 1..hi].partition_point(|&z| z < y);
            } else if x > y {
                p += 1 + basket[p + 1..].partition_point(|&z| z < x);
            } else {
                if need == 1 {
                    counts[i] += 1;
                    matched += 1;
                } else {
                    let (c0, c1) = (self.child[d][i] as usize, self.child[d][i + 1] as usize);
                    matched += self.walk(d + 1, c0, c1, &basket[p + 1..], counts);
                }
                i += 1;
                p += 1;
            }
        }
        matched
    }
}

/// The baskets still worth counting, in CSR form.
#[derive(Debug, Default)]
struct Baskets {
    offsets: Vec<usize>,
    items: Vec<u32>,
    /// Per basket: how many candidates of the last level it held.
    matched: Vec<usize>,
}

impl Baskets {
    /// The baskets for level 3: an item can be in a triple the basket holds only if it forms a
    /// frequent pair with two other items of the basket, so only those items are kept, and the
    /// baskets left with three or more. (Most baskets hold no three frequent pairs at all.)
    fn load_triples(&mut self, rec: &Recoded, pairs: &Pairs) {
        let f = rec.n_frequent();
        // A bit per ordered pair when that is small (f² bits ≤ 16 MiB), else binary search.
        self.load_triples_with(rec, pairs, f * f <= 128 << 20);
    }

    fn load_triples_with(&mut self, rec: &Recoded, pairs: &Pairs, bit_matrix: bool) {
        let f = rec.n_frequent();
        let bits: Vec<u64> = if bit_matrix {
            let mut bits = vec![0u64; (f * f).div_ceil(64)];
            for a in 0..f as u32 {
                for &b in pairs.of(a).0 {
                    let cell = a as usize * f + b as usize;
                    bits[cell / 64] |= 1 << (cell % 64);
                }
            }
            bits
        } else {
            Vec::new()
        };
        let frequent = |a: u32, b: u32| {
            if bits.is_empty() {
                pairs.get(a, b).is_some()
            } else {
                let cell = a as usize * f + b as usize;
                bits[cell / 64] >> (cell % 64) & 1 == 1
            }
        };
        self.offsets = vec![0];
        self.items.clear();
        let mut degree: Vec<u32> = Vec::new();
        for b in rec.baskets() {
            if b.len() < 3 {
                continue;
            }
            degree.clear();
            degree.resize(b.len(), 0);
            for x in 0..b.len() {
                for y in x + 1..b.len() {
                    if frequent(b[x], b[y]) {
                        degree[x] += 1;
                        degree[y] += 1;
                    }
                }
            }
            let start = self.items.len();
            self.items.extend(
                b.iter()
                    .zip(&degree)
                    .filter(|(_, d)| **d >= 2)
                    .map(|(i, _)| *i),
            );
            if self.items.len() - start < 3 {
                self.items.truncate(start);
            } else {
                self.offsets.push(self.items.len());
            }
        }
    }

    /// In place: drops the baskets that held fewer than `k` candidates of the last level
    /// (level `k − 1`), keeps the items marked in `keep`, and the baskets left with at least
    /// `k` of them.
    fn shrink(&mut self, keep: &[bool], k: usize) {
        let mut w = 0;
        let mut offsets = vec![0];
        for b in 0..self.offsets.len() - 1 {
            if self.matched[b] < k {
                continue;
            }
            let start = w;
            for r in self.offsets[b]..self.offsets[b + 1] {
                let i = self.items[r];
                if keep[i as usize] {
                    self.items[w] = i;
                    w += 1;
                }
            }
            if w - start < k {
                w = start;
            } else {
                offsets.push(w);
            }
        }
        self.items.truncate(w);
        self.offsets = offsets;
    }

    /// Counts the trie's candidates in every basket and remembers how many each held.
    fn count(&mut self, trie: &Trie, counts: &mut [u64]) {
        let roots = trie.item[0].len();
        self.matched.clear();
        for w in self.offsets.windows(2) {
            let basket = &self.items[w[0]..w[1]];
            self.matched.push(trie.walk(0, 0, roots, basket, counts));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_join_on_the_prefix_and_prune_by_subsets() {
        // {0,1} {0,2} {0,3} {1,2}: {0,1,2} has every subset; {0,1,3} lacks {1,3}; {0,2,3}
        // lacks {2,3}.
        let level = [0, 1, 0, 2, 0, 3, 1, 2];
        assert_eq!(candidates(&level, 2), vec![0, 1, 2]);
    }

    #[test]
    fn level_three_keeps_items_in_two_frequent_pairs() {
        use crate::analytics::baskets::Transactions;
        // Frequent pairs at 2: {0,1} {0,2} {1,2} {2,3}.
        let t = Transactions::from_baskets(
            &[
                vec![0, 1, 2, 3],
                vec![0, 1, 2],
                vec![2, 3, 5],
                vec![3, 4],
                vec![4, 5],
            ],
            6,
        )
        .unwrap();
        let rec = Recoded::new(&t, 2, None);
        let pairs = Pairs::count(&rec);
        let code = |b: &[u32]| -> Vec<u32> { b.iter().map(|&r| rec.codes[r as usize]).collect() };
        for bit_matrix in [true, false] {
            let mut db = Baskets::default();
            db.load_triples_with(&rec, &pairs, bit_matrix);
            let mut kept: Vec<Vec<u32>> = db
                .offsets
                .windows(2)
                .map(|w| {
                    let mut b = code(&db.items[w[0]..w[1]]);
                    b.sort_unstable();
                    b
                })
                .collect();
            kept.sort();
            // Basket 0 keeps 0, 1, 2 (3 is in one frequent pair there, with 2); basket 1 keeps
            // all three; basket 2 holds one frequent pair; the others are too short.
            assert_eq!(
                kept,
                vec![vec![0, 1, 2], vec![0, 1, 2]],
                "bit matrix {bit_matrix}"
            );
        }
    }

    #[test]
    fn trie_counts_the_candidates_a_basket_holds() {
        let cands = [0, 1, 2, 0, 1, 3, 0, 2, 3, 1, 2, 3];
        let trie = Trie::new(&cands, 3);
        let mut counts = vec![0u64; 4];
        assert_eq!(
            trie.walk(0, 0, trie.item[0].len(), &[0, 1, 3, 9], &mut counts),
            1
        );
        assert_eq!(
            trie.walk(0, 0, trie.item[0].len(), &[0, 1, 2, 3], &mut counts),
            4
        );
        assert_eq!(counts, vec![1, 2, 1, 1]);
    }
}
