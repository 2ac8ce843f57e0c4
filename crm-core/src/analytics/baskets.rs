//! Transactions for market-basket analysis: baskets of item codes, in the shape transaction data
//! really has (long format: one row per basket and item), stored compactly (CSR: one array of
//! items, sorted and unique within each basket, and one of offsets).
//!
//! Items are dense codes `0..n_items`; [`Transactions::from_long_labels`] maps any hashable
//! labels (ints, strings) to codes and returns the labels in code order, so results can be
//! labelled again.

use std::collections::HashMap;
use std::hash::Hash;

use crate::error::{Error, Result};

/// Baskets of items.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transactions {
    /// `offsets[b]..offsets[b + 1]` is basket `b`'s range in `items`; `offsets.len()` is the
    /// number of baskets + 1.
    offsets: Vec<usize>,
    /// Item codes, sorted and unique within each basket.
    items: Vec<u32>,
    /// Item codes are `0..n_items`.
    n_items: usize,
}

impl Transactions {
    /// Baskets given as lists of item codes (duplicates within a basket count once). `n_items`
    /// must exceed every code.
    pub fn from_baskets<B: AsRef<[u32]>>(baskets: &[B], n_items: usize) -> Result<Transactions> {
        let mut offsets = Vec::with_capacity(baskets.len() + 1);
        let mut items = Vec::new();
        offsets.push(0);
        for (b, basket) in baskets.iter().enumerate() {
            let start = items.len();
            for &i in basket.as_ref() {
                if i as usize >= n_items {
                    return Err(Error::invalid(
                        format!("basket {b}"),
                        i.to_string(),
                        format!("item codes must be below n_items = {n_items}"),
                    ));
                }
                items.push(i);
            }
            items[start..].sort_unstable();
            dedup_tail(&mut items, start);
            offsets.push(items.len());
        }
        Ok(Transactions {
            offsets,
            items,
            n_items,
        })
    }

    /// Long format: row `r` says basket `baskets[r]` holds item code `items[r]`. Rows of one
    /// basket need not be adjacent; baskets are numbered in order of first appearance; an item
    /// repeated within a basket counts once.
    pub fn from_long<K: Hash + Eq + Copy>(
        baskets: &[K],
        items: &[u32],
        n_items: usize,
    ) -> Result<Transactions> {
        if baskets.len() != items.len() {
            return Err(Error::InvalidArgument(format!(
                "basket and item columns differ in length ({} and {})",
                baskets.len(),
                items.len()
            )));
        }
        let mut index: HashMap<K, usize> = HashMap::new();
        let mut per_basket: Vec<Vec<u32>> = Vec::new();
        for (&b, &i) in baskets.iter().zip(items) {
            let next = per_basket.len();
            let slot = *index.entry(b).or_insert(next);
            if slot == next {
                per_basket.push(Vec::new());
            }
            per_basket[slot].push(i);
        }
        Transactions::from_baskets(&per_basket, n_items)
    }

    /// Long format with item labels of any hashable type (ints, strings): codes are given in
    /// order of first appearance, and the labels come back in code order.
    pub fn from_long_labels<K: Hash + Eq + Copy, L: Hash + Eq + Clone>(
        baskets: &[K],
        items: &[L],
    ) -> Result<(Transactions, Vec<L>)> {
        let mut codes: HashMap<&L, u32> = HashMap::new();
        let mut labels: Vec<L> = Vec::new();
        let mut coded = Vec::with_capacity(items.len());
        for l in items {
            let next = labels.len();
            let code = *codes.entry(l).or_insert_with(|| {
                labels.push(l.clone());
                next as u32
            });
            coded.push(code);
        }
        let t = Transactions::from_long(baskets, &coded, labels.len())?;
        Ok((t, labels))
    }

    /// A one-hot matrix, row-major: `cells[r * n_items + i]` says basket `r` holds item `i`
    /// (mlxtend's input shape).
    pub fn from_dense(cells: &[bool], n_items: usize) -> Result<Transactions> {
        if n_items == 0 {
            return if cells.is_empty() {
                Ok(Transactions {
                    offsets: vec![0],
                    items: Vec::new(),
                    n_items: 0,
                })
            } else {
                Err(Error::InvalidArgument(
                    "a one-hot matrix with cells must have at least one column".into(),
                ))
            };
        }
        if !cells.len().is_multiple_of(n_items) {
            return Err(Error::InvalidArgument(format!(
                "{} cells do not make whole rows of {n_items} columns",
                cells.len()
            )));
        }
        let rows = cells.len() / n_items;
        let mut offsets = Vec::with_capacity(rows + 1);
        let mut items = Vec::new();
        offsets.push(0);
        for row in cells.chunks_exact(n_items) {
            items.extend(
                row.iter()
                    .enumerate()
                    .filter(|&(_, &c)| c)
                    .map(|(i, _)| i as u32),
            );
            offsets.push(items.len());
        }
        Ok(Transactions {
            offsets,
            items,
            n_items,
        })
    }

    /// A sparse one-hot matrix in CSR form (scipy's `indptr`, `indices`): row `r` holds the
    /// items `indices[indptr[r]..indptr[r + 1]]`.
    pub fn from_csr(indptr: &[usize], indices: &[u32], n_items: usize) -> Result<Transactions> {
        if indptr.first() != Some(&0) || indptr.last() != Some(&indices.len()) {
            return Err(Error::InvalidArgument(
                "indptr must start at 0 and end at the number of indices".into(),
            ));
        }
        let mut baskets = Vec::with_capacity(indptr.len().saturating_sub(1));
        for w in indptr.windows(2) {
            if w[1] < w[0] {
                return Err(Error::InvalidArgument("indptr must not decrease".into()));
            }
            baskets.push(&indices[w[0]..w[1]]);
        }
        Transactions::from_baskets(&baskets, n_items)
    }

    /// The number of baskets.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// True without baskets.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Item codes are `0..n_items()`.
    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// Basket `b`'s items, sorted and unique.
    pub fn basket(&self, b: usize) -> &[u32] {
        &self.items[self.offsets[b]..self.offsets[b + 1]]
    }

    /// Every basket, in order.
    pub fn baskets(&self) -> impl Iterator<Item = &[u32]> {
        self.offsets.windows(2).map(|w| &self.items[w[0]..w[1]])
    }

    /// The total number of (basket, item) pairs.
    pub fn nnz(&self) -> usize {
        self.items.len()
    }

    /// The CSR arrays `(offsets, items)`: basket `b` is `items[offsets[b]..offsets[b + 1]]`.
    /// For code that walks every item at once (counting, recoding) without a per-basket loop.
    pub fn as_csr(&self) -> (&[usize], &[u32]) {
        (&self.offsets, &self.items)
    }
}

fn dedup_tail(items: &mut Vec<u32>, start: usize) {
    let mut w = start;
    for r in start..items.len() {
        if r == start || items[r] != items[w - 1] {
            items[w] = items[r];
            w += 1;
        }
    }
    items.truncate(w);
}

/// Frequent itemsets and their supports, in a canonical order: by length, then by item codes.
/// Every itemset is sorted ascending. Because support is anti-monotone, every non-empty subset
/// of a listed itemset is listed too (what association rules rely on).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Itemsets {
    /// The itemsets (item codes, ascending).
    pub itemsets: Vec<Vec<u32>>,
    /// How many baskets hold each itemset.
    pub count: Vec<u64>,
    /// `count / n_transactions`.
    pub support: Vec<f64>,
    /// The number of baskets the supports are relative to.
    pub n_transactions: usize,
}

impl Itemsets {
    /// Sorts into the canonical order (by length, then lexicographically by codes).
    pub fn canonicalize(&mut self) {
        let mut order: Vec<usize> = (0..self.itemsets.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&self.itemsets[a], &self.itemsets[b]);
            x.len().cmp(&y.len()).then_with(|| x.cmp(y))
        });
        self.itemsets = order
            .iter()
            .map(|&i| std::mem::take(&mut self.itemsets[i]))
            .collect();
        self.count = order.iter().map(|&i| self.count[i]).collect();
        self.support = order.iter().map(|&i| self.support[i]).collect();
    }

    /// The number of itemsets.
    pub fn len(&self) -> usize {
        self.itemsets.len()
    }

    /// True without itemsets.
    pub fn is_empty(&self) -> bool {
        self.itemsets.is_empty()
    }
}

/// Checks `min_support` (in (0, 1]) and `max_len` (≥ 1 when given); returns the minimum count
/// of baskets an itemset needs out of `n`: ⌈min_support · n⌉ computed so that an itemset whose
/// support `count / n` is ≥ `min_support` in floating point qualifies (as in mlxtend).
pub fn min_count(min_support: f64, max_len: Option<usize>, n: usize) -> Result<u64> {
    if !(min_support > 0.0 && min_support <= 1.0) {
        return Err(Error::invalid(
            "min_support",
            min_support.to_string(),
            "must be in (0, 1]",
        ));
    }
    if max_len == Some(0) {
        return Err(Error::invalid("max_len", "0", "must be at least 1"));
    }
    // The smallest count c with c / n >= min_support, evaluated as mlxtend does (a float
    // division compared with the threshold), not as ⌈min_support · n⌉, which rounding can move.
    let mut c = (min_support * n as f64).floor().max(0.0) as u64;
    while c > 0 && (c - 1) as f64 / n as f64 >= min_support {
        c -= 1;
    }
    while (c as f64 / n as f64) < min_support {
        c += 1;
    }
    Ok(c.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_format_groups_baskets_and_dedups() {
        let (t, labels) = Transactions::from_long_labels(
            &[10, 10, 20, 10, 30],
            &["milk", "eggs", "milk", "milk", "jam"],
        )
        .unwrap();
        assert_eq!(labels, ["milk", "eggs", "jam"]);
        assert_eq!(t.len(), 3);
        assert_eq!(t.basket(0), &[0, 1]);
        assert_eq!(t.basket(1), &[0]);
        assert_eq!(t.basket(2), &[2]);
        assert!(Transactions::from_long(&[1], &[0, 1], 2).is_err());
        assert!(Transactions::from_baskets(&[vec![5u32]], 3).is_err());
    }

    #[test]
    fn dense_and_csr_agree() {
        let dense = [true, false, true, false, true, true];
        let a = Transactions::from_dense(&dense, 3).unwrap();
        let b = Transactions::from_csr(&[0, 2, 4], &[2, 0, 1, 2], 3).unwrap();
        assert_eq!(a, b);
        assert!(Transactions::from_dense(&dense, 4).is_err());
        assert!(Transactions::from_csr(&[0, 3], &[0], 3).is_err());
    }

    #[test]
    fn min_count_matches_float_comparison() {
        assert_eq!(min_count(0.5, None, 10).unwrap(), 5);
        assert_eq!(min_count(0.6, None, 5).unwrap(), 3);
        // 0.7 * 10 = 7.000000000000001 in floating point; 7 / 10 = 0.7 >= 0.7 qualifies.
        assert_eq!(min_count(0.7, None, 10).unwrap(), 7);
        assert_eq!(min_count(1.0, None, 3).unwrap(), 3);
        assert!(min_count(0.0, None, 3).is_err());
        assert!(min_count(1.5, None, 3).is_err());
        assert!(min_count(f64::NAN, None, 3).is_err());
        assert!(min_count(0.5, Some(0), 3).is_err());
    }
}
