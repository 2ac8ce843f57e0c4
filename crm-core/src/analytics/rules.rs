//! Association rules from frequent itemsets, with mlxtend's metrics.
//!
//! [`association_rules`] reproduces `mlxtend.frequent_patterns.association_rules` of mlxtend
//! 0.23.4 (without its `null_values`/`df_orig` mode, which only matters for input with missing
//! values, which our [`Transactions`](super::baskets::Transactions) cannot hold): the same rules,
//! the same columns, the same formulas evaluated in the same order, the same special cases. The
//! committed reference in `tests/reference/mlxtend/` checks every metric to 1e-9.
//!
//! For a rule A → C with supports s(A), s(C) and s(A ∪ C) and N transactions:
//!
//! | metric | value |
//! |---|---|
//! | support | s(A ∪ C) |
//! | confidence | s(A ∪ C)·N / (s(A)·N) |
//! | lift | confidence / s(C) |
//! | representativity | 1 (the share of transactions without missing values) |
//! | leverage | s(A ∪ C) − s(A)·s(C) |
//! | conviction | (1 − s(C)) / (1 − confidence), and +∞ where confidence is not below 1 |
//! | zhangs_metric | leverage / max(s(A ∪ C)·(1 − s(A)), s(A)·(s(C) − s(A ∪ C))), and 0 where that maximum is 0 |
//! | jaccard | s(A ∪ C) / (s(A) + s(C) − s(A ∪ C)) |
//! | certainty | (confidence − s(C)) / (1 − s(C)), and 0 where s(C) is 1 |
//! | kulczynski | (confidence(A → C) + confidence(C → A)) / 2 |
//!
//! ```
//! use crm_core::analytics::baskets::Itemsets;
//! use crm_core::analytics::rules::{association_rules, Metric};
//!
//! # fn main() -> crm_core::Result<()> {
//! // Items 0 and 1: 0 is in 80 % of 10 baskets, 1 in all of them, both in 80 %.
//! let itemsets = Itemsets {
//!     itemsets: vec![vec![0], vec![1], vec![0, 1]],
//!     count: vec![8, 10, 8],
//!     support: vec![0.8, 1.0, 0.8],
//!     n_transactions: 10,
//! };
//! let rules = association_rules(&itemsets, None, Metric::Confidence, 0.9, false)?;
//! assert_eq!(rules.len(), 1);
//! assert_eq!((rules[0].antecedent.as_slice(), rules[0].consequent.as_slice()), (&[0][..], &[1][..]));
//! assert_eq!(rules[0].conviction, f64::INFINITY); // confidence 1
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::str::FromStr;

use super::baskets::Itemsets;
use crate::error::{Error, Result};

/// A rule metric, as mlxtend names it (the columns of its rules table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Metric {
    /// s(A), the antecedent's support.
    AntecedentSupport,
    /// s(C), the consequent's support.
    ConsequentSupport,
    /// s(A ∪ C), the share of transactions holding both sides.
    Support,
    /// s(A ∪ C) / s(A): how often the consequent comes with the antecedent (the default).
    #[default]
    Confidence,
    /// confidence / s(C): how much the antecedent raises the consequent's chance (1 = not at all).
    Lift,
    /// The share of transactions without missing values; always 1 here.
    Representativity,
    /// s(A ∪ C) − s(A)·s(C): co-occurrence above independence.
    Leverage,
    /// (1 − s(C)) / (1 − confidence): how much more often the rule would be wrong if the sides
    /// were independent; +∞ for a rule that is never wrong.
    Conviction,
    /// Zhang's metric in [−1, 1]: association (> 0) or dissociation (< 0).
    ZhangsMetric,
    /// s(A ∪ C) / s(A ∪̇ C): the share of transactions with either side that hold both.
    Jaccard,
    /// (confidence − s(C)) / (1 − s(C)): the certainty factor.
    Certainty,
    /// The mean of the confidences of A → C and C → A.
    Kulczynski,
}

impl Metric {
    /// Every metric, in the order of mlxtend's columns.
    pub const ALL: [Metric; 12] = [
        Metric::AntecedentSupport,
        Metric::ConsequentSupport,
        Metric::Support,
        Metric::Confidence,
        Metric::Lift,
        Metric::Representativity,
        Metric::Leverage,
        Metric::Conviction,
        Metric::ZhangsMetric,
        Metric::Jaccard,
        Metric::Certainty,
        Metric::Kulczynski,
    ];
    /// Every metric's name, in the order of [`Metric::ALL`] (mlxtend's spelling).
    pub const NAMES: [&'static str; 12] = [
        "antecedent support",
        "consequent support",
        "support",
        "confidence",
        "lift",
        "representativity",
        "leverage",
        "conviction",
        "zhangs_metric",
        "jaccard",
        "certainty",
        "kulczynski",
    ];

    /// mlxtend's name: its column name and its `metric=` argument.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::AntecedentSupport => "antecedent support",
            Metric::ConsequentSupport => "consequent support",
            Metric::Support => "support",
            Metric::Confidence => "confidence",
            Metric::Lift => "lift",
            Metric::Representativity => "representativity",
            Metric::Leverage => "leverage",
            Metric::Conviction => "conviction",
            Metric::ZhangsMetric => "zhangs_metric",
            Metric::Jaccard => "jaccard",
            Metric::Certainty => "certainty",
            Metric::Kulczynski => "kulczynski",
        }
    }
}

impl FromStr for Metric {
    type Err = Error;
    /// Parses mlxtend's names, case-insensitively; `antecedent_support` and
    /// `consequent_support` are accepted for the two names with a space.
    fn from_str(s: &str) -> Result<Metric> {
        let t = s.trim().to_ascii_lowercase().replace('_', " ");
        Metric::ALL
            .iter()
            .copied()
            .find(|m| m.as_str().replace('_', " ") == t)
            .ok_or_else(|| {
                Error::invalid(
                    "metric",
                    s,
                    format!("must be one of {}", Metric::NAMES.join(", ")),
                )
            })
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One association rule A → C and its metrics (mlxtend's columns; see the module docs for the
/// formulas). With `support_only`, every metric but `support` is NaN.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// A: item codes, ascending.
    pub antecedent: Vec<u32>,
    /// C: item codes, ascending, disjoint from A.
    pub consequent: Vec<u32>,
    /// s(A).
    pub antecedent_support: f64,
    /// s(C).
    pub consequent_support: f64,
    /// s(A ∪ C).
    pub support: f64,
    /// s(A ∪ C) / s(A).
    pub confidence: f64,
    /// confidence / s(C).
    pub lift: f64,
    /// Always 1 here (no missing values).
    pub representativity: f64,
    /// s(A ∪ C) − s(A)·s(C).
    pub leverage: f64,
    /// (1 − s(C)) / (1 − confidence); +∞ where confidence is not below 1.
    pub conviction: f64,
    /// Zhang's metric; 0 where its denominator is 0.
    pub zhangs_metric: f64,
    /// s(A ∪ C) / (s(A) + s(C) − s(A ∪ C)).
    pub jaccard: f64,
    /// (confidence − s(C)) / (1 − s(C)); 0 where s(C) is 1.
    pub certainty: f64,
    /// The mean of the confidences of A → C and C → A.
    pub kulczynski: f64,
}

impl Rule {
    /// The rule's value of `metric`.
    pub fn value(&self, metric: Metric) -> f64 {
        match metric {
            Metric::AntecedentSupport => self.antecedent_support,
            Metric::ConsequentSupport => self.consequent_support,
            Metric::Support => self.support,
            Metric::Confidence => self.confidence,
            Metric::Lift => self.lift,
            Metric::Representativity => self.representativity,
            Metric::Leverage => self.leverage,
            Metric::Conviction => self.conviction,
            Metric::ZhangsMetric => self.zhangs_metric,
            Metric::Jaccard => self.jaccard,
            Metric::Certainty => self.certainty,
            Metric::Kulczynski => self.kulczynski,
        }
    }

    /// Every metric of A → C from the supports, as mlxtend 0.23.4 computes them (its
    /// `metric_dict` with no missing values: every `dis*` count 0), operation for operation so
    /// that the floating-point results agree too. The sides are left empty for the caller to
    /// fill.
    fn from_supports(s_ac: f64, s_a: f64, s_c: f64, n: f64) -> Rule {
        // mlxtend multiplies both supports by N before dividing (its null-value correction with
        // nothing to correct), which can differ from s_ac / s_a in the last bit.
        let confidence = (s_ac * n) / (s_a * n);
        let leverage = s_ac - s_a * s_c;
        let conviction = if confidence < 1.0 {
            (1.0 - s_c) / (1.0 - confidence)
        } else {
            // Also where confidence is NaN (s(A) = 0): numpy's mask `conf < 1.0` is false there.
            f64::INFINITY
        };
        let zhang_denominator = nan_max(s_ac * (1.0 - s_a), s_a * (s_c - s_ac));
        let zhangs_metric = if zhang_denominator == 0.0 {
            0.0
        } else {
            leverage / zhang_denominator
        };
        let certainty_denominator = 1.0 - s_c;
        let certainty = if certainty_denominator == 0.0 {
            0.0
        } else {
            (confidence - s_c) / certainty_denominator
        };
        Rule {
            antecedent: Vec::new(),
            consequent: Vec::new(),
            antecedent_support: s_a,
            consequent_support: s_c,
            support: s_ac,
            confidence,
            lift: confidence / s_c,
            // (N − disAC) / N with no missing values; N ≥ 1 is checked by the caller.
            representativity: 1.0,
            leverage,
            conviction,
            zhangs_metric,
            jaccard: s_ac / (s_a + s_c - s_ac),
            certainty,
            kulczynski: (confidence + (s_ac * n) / (s_c * n)) / 2.0,
        }
    }

    /// A rule of `support_only` mode: the support and NaN elsewhere; the sides are left empty
    /// for the caller to fill.
    fn support_only(s_ac: f64) -> Rule {
        let nan = f64::NAN;
        Rule {
            antecedent: Vec::new(),
            consequent: Vec::new(),
            antecedent_support: nan,
            consequent_support: nan,
            support: s_ac,
            confidence: nan,
            lift: nan,
            representativity: nan,
            leverage: nan,
            conviction: nan,
            zhangs_metric: nan,
            jaccard: nan,
            certainty: nan,
            kulczynski: nan,
        }
    }
}

/// `np.maximum`: NaN if either is NaN (`f64::max` would drop it).
fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// The association rules of `itemsets` whose `metric` is at least `min_threshold`, as
/// `mlxtend.frequent_patterns.association_rules(df, num_itemsets, metric=..., min_threshold=...,
/// support_only=...)` of mlxtend 0.23.4 gives them.
///
/// - Every itemset of two or more items yields one candidate rule per non-empty proper subset
///   (the antecedent; the rest is the consequent), kept when `metric >= min_threshold` (a NaN
///   value never passes).
/// - `num_itemsets` is the number of transactions (mlxtend's argument of that name); `None`
///   takes `itemsets.n_transactions`. Without missing values it only enters the floating-point
///   rounding of confidence and kulczynski, as in mlxtend.
/// - `support_only`: the metric is forced to support (as in mlxtend, `metric` is ignored), the
///   subsets' supports are not needed, and every other column is NaN.
/// - An itemset's items are taken as a set (order and repeats do not matter); an itemset listed
///   twice keeps its last support, as mlxtend's dict does.
///
/// Order (mlxtend's follows Python's frozenset hashing and is not reproducible): rules come in
/// the order of their itemset in `itemsets` (its first listing), then by antecedent size,
/// largest first, then by antecedent codes in lexicographic order — mlxtend's loops, with items
/// in ascending code order.
///
/// Errors ([`Error::InvalidInput`], nothing computed): no itemsets (mlxtend's ValueError);
/// `num_itemsets` (or `n_transactions`) 0; `min_threshold` NaN; a support that is NaN or outside
/// [0, 1]; and, unless `support_only`, an antecedent or consequent whose support is not listed
/// ("itemsets are not complete", mlxtend's KeyError) — frequent itemsets from
/// [`itemsets::frequent_itemsets`](super::itemsets) are always complete, with or without
/// `max_len`. [`Error::InvalidArgument`] when `itemsets.support` and `itemsets.itemsets` differ in
/// length.
pub fn association_rules(
    itemsets: &Itemsets,
    num_itemsets: Option<usize>,
    metric: Metric,
    min_threshold: f64,
    support_only: bool,
) -> Result<Vec<Rule>> {
    if itemsets.support.len() != itemsets.itemsets.len() {
        return Err(Error::InvalidArgument(format!(
            "itemsets has {} itemsets but {} supports",
            itemsets.itemsets.len(),
            itemsets.support.len()
        )));
    }
    if itemsets.is_empty() {
        return Err(Error::invalid(
            "itemsets",
            "[]",
            "the frequent itemsets are empty: there is nothing to make rules from",
        ));
    }
    if min_threshold.is_nan() {
        return Err(Error::invalid(
            "min_threshold",
            "NaN",
            "must be a number (no rule would pass NaN)",
        ));
    }
    let n = num_itemsets.unwrap_or(itemsets.n_transactions);
    if n == 0 {
        let field = if num_itemsets.is_some() {
            "num_itemsets"
        } else {
            "itemsets.n_transactions"
        };
        return Err(Error::invalid(
            field,
            "0",
            "the number of transactions must be at least 1",
        ));
    }
    let metric = if support_only {
        Metric::Support
    } else {
        metric
    };

    // mlxtend's `frequent_items_dict`: set → support, the last listing winning, iterated in
    // the order of first listing.
    let mut support: HashMap<Vec<u32>, f64> = HashMap::with_capacity(itemsets.len());
    let mut order: Vec<Vec<u32>> = Vec::with_capacity(itemsets.len());
    for (i, (set, &s)) in itemsets.itemsets.iter().zip(&itemsets.support).enumerate() {
        if !(0.0..=1.0).contains(&s) {
            return Err(Error::invalid(
                format!("support of itemset {i} {set:?}"),
                s.to_string(),
                "must be in [0, 1]",
            ));
        }
        let mut key = set.clone();
        key.sort_unstable();
        key.dedup();
        match support.entry(key) {
            Entry::Occupied(mut e) => {
                e.insert(s);
            }
            Entry::Vacant(e) => {
                order.push(e.key().clone());
                e.insert(s);
            }
        }
    }

    let n = n as f64;
    let mut rules = Vec::new();
    let mut antecedent = Vec::new();
    let mut consequent = Vec::new();
    for set in &order {
        let len = set.len();
        if len < 2 {
            continue;
        }
        let s_ac = support[set];
        for size in (1..len).rev() {
            let mut picks = Combinations::new(len, size);
            while let Some(chosen) = picks.next_mask() {
                antecedent.clear();
                consequent.clear();
                for (item, &taken) in set.iter().zip(chosen) {
                    if taken {
                        antecedent.push(*item);
                    } else {
                        consequent.push(*item);
                    }
                }
                // The sides are copied only into rules that pass.
                let mut rule = if support_only {
                    Rule::support_only(s_ac)
                } else {
                    let s_a = lookup(&support, &antecedent, set)?;
                    let s_c = lookup(&support, &consequent, set)?;
                    Rule::from_supports(s_ac, s_a, s_c, n)
                };
                if rule.value(metric) >= min_threshold {
                    rule.antecedent = antecedent.clone();
                    rule.consequent = consequent.clone();
                    rules.push(rule);
                }
            }
        }
    }
    Ok(rules)
}

/// The support of `subset`, or mlxtend's KeyError as a clear error.
fn lookup(support: &HashMap<Vec<u32>, f64>, subset: &[u32], of: &[u32]) -> Result<f64> {
    support.get(subset).copied().ok_or_else(|| {
        Error::invalid(
            "itemsets",
            format!("{subset:?}"),
            format!(
                "itemsets are not complete: the support of {subset:?}, a subset of {of:?}, is \
                 missing (pass all frequent itemsets, or use support_only)"
            ),
        )
    })
}

/// The `size`-subsets of `0..len` in lexicographic order, as `itertools.combinations` gives
/// them, each presented as a membership mask.
struct Combinations {
    indices: Vec<usize>,
    mask: Vec<bool>,
    len: usize,
    started: bool,
    done: bool,
}

impl Combinations {
    fn new(len: usize, size: usize) -> Combinations {
        Combinations {
            indices: (0..size).collect(),
            mask: Vec::with_capacity(len),
            len,
            started: false,
            done: size > len,
        }
    }

    /// The next subset as a mask over `0..len`, or `None` after the last.
    fn next_mask(&mut self) -> Option<&[bool]> {
        if self.done {
            return None;
        }
        if self.started {
            // Advance the rightmost index that can still move, and reset the ones after it.
            let size = self.indices.len();
            let mut i = size;
            loop {
                if i == 0 {
                    self.done = true;
                    return None;
                }
                i -= 1;
                if self.indices[i] < self.len - size + i {
                    break;
                }
            }
            self.indices[i] += 1;
            for j in i + 1..size {
                self.indices[j] = self.indices[j - 1] + 1;
            }
        }
        self.started = true;
        self.mask.clear();
        self.mask.resize(self.len, false);
        for &i in &self.indices {
            self.mask[i] = true;
        }
        Some(&self.mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// mlxtend's user-guide example at min_support 0.6 (5 baskets); codes: 0 Eggs, 1 Kidney
    /// Beans, 2 Milk, 3 Onion, 4 Yogurt.
    fn docs() -> Itemsets {
        let rows: [(&[u32], f64); 11] = [
            (&[0], 0.8),
            (&[1], 1.0),
            (&[2], 0.6),
            (&[3], 0.6),
            (&[4], 0.6),
            (&[0, 1], 0.8),
            (&[0, 3], 0.6),
            (&[1, 2], 0.6),
            (&[1, 3], 0.6),
            (&[1, 4], 0.6),
            (&[0, 1, 3], 0.6),
        ];
        Itemsets {
            itemsets: rows.iter().map(|r| r.0.to_vec()).collect(),
            count: rows.iter().map(|r| (r.1 * 5.0).round() as u64).collect(),
            support: rows.iter().map(|r| r.1).collect(),
            n_transactions: 5,
        }
    }

    fn find<'a>(rules: &'a [Rule], a: &[u32], c: &[u32]) -> &'a Rule {
        rules
            .iter()
            .find(|r| r.antecedent == a && r.consequent == c)
            .unwrap_or_else(|| panic!("no rule {a:?} -> {c:?}"))
    }

    #[test]
    fn combinations_follow_itertools() {
        let mut c = Combinations::new(4, 2);
        let mut seen = Vec::new();
        while let Some(m) = c.next_mask() {
            seen.push(
                m.iter()
                    .enumerate()
                    .filter(|p| *p.1)
                    .map(|p| p.0)
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(
            seen,
            [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]].map(|p| p.to_vec())
        );
        assert!(Combinations::new(2, 3).next_mask().is_none());
    }

    #[test]
    fn docs_example_metrics() {
        let rules = association_rules(&docs(), None, Metric::Confidence, 0.7, false).unwrap();
        // mlxtend's user guide lists these 12 rules at confidence >= 0.7.
        assert_eq!(rules.len(), 12);
        // Eggs -> Onion: confidence 0.75, lift 1.25, conviction 1.6, zhang 1, certainty 0.375.
        let r = find(&rules, &[0], &[3]);
        assert!((r.confidence - 0.75).abs() < 1e-15);
        assert!((r.lift - 1.25).abs() < 1e-15);
        assert!((r.leverage - 0.12).abs() < 1e-15);
        assert!((r.conviction - 1.6).abs() < 1e-12);
        assert!((r.zhangs_metric - 1.0).abs() < 1e-12);
        assert!((r.jaccard - 0.75).abs() < 1e-15);
        assert!((r.certainty - 0.375).abs() < 1e-12);
        assert!((r.kulczynski - 0.875).abs() < 1e-15);
        assert_eq!(r.representativity, 1.0);
        // Kidney Beans is in every basket: certainty's denominator is 0 (-> 0), and a rule
        // into it has confidence 1 (conviction inf) and no leverage (zhang's metric 0).
        let r = find(&rules, &[0], &[1]);
        assert_eq!(r.conviction, f64::INFINITY);
        assert_eq!(r.certainty, 0.0);
        assert_eq!(r.zhangs_metric, 0.0);
        let r = find(&rules, &[1], &[0]);
        assert_eq!(r.conviction, 1.0);
        // Order: itemsets in input order, larger antecedents first, lexicographic.
        let keys: Vec<_> = rules[rules.len() - 3..]
            .iter()
            .map(|r| (r.antecedent.clone(), r.consequent.clone()))
            .collect();
        assert_eq!(
            keys,
            [
                (vec![1, 3], vec![0]),
                (vec![0], vec![1, 3]),
                (vec![3], vec![0, 1]),
            ]
        );
    }

    #[test]
    fn threshold_and_metric_select() {
        let all = association_rules(&docs(), None, Metric::Support, 0.0, false).unwrap();
        // 5 pairs × 2 + one triple × 6.
        assert_eq!(all.len(), 16);
        let lifted = association_rules(&docs(), None, Metric::Lift, 1.1, false).unwrap();
        assert!(lifted.iter().all(|r| r.lift >= 1.1));
        assert_eq!(lifted.len(), all.iter().filter(|r| r.lift >= 1.1).count());
        assert!(!lifted.is_empty() && lifted.len() < all.len());
        let certain =
            association_rules(&docs(), None, Metric::Conviction, f64::INFINITY, false).unwrap();
        assert!(certain.iter().all(|r| r.confidence == 1.0));
        assert_eq!(
            certain.len(),
            all.iter().filter(|r| r.confidence >= 1.0).count()
        );
    }

    #[test]
    fn support_only_needs_no_subsets() {
        let mut only_pairs = docs();
        only_pairs.itemsets.drain(..5);
        only_pairs.support.drain(..5);
        only_pairs.count.drain(..5);
        let err = association_rules(&only_pairs, None, Metric::Confidence, 0.8, false).unwrap_err();
        assert!(
            err.to_string().contains("itemsets are not complete"),
            "{err}"
        );
        // support_only ignores the metric (lift) and filters on support.
        let rules = association_rules(&only_pairs, None, Metric::Lift, 0.7, true).unwrap();
        assert_eq!(rules.len(), 2); // Eggs <-> Kidney Beans at 0.8
        assert!(rules.iter().all(|r| r.support == 0.8));
        assert!(rules[0].confidence.is_nan() && rules[0].antecedent_support.is_nan());
        assert!(rules[0].representativity.is_nan());
    }

    #[test]
    fn itemsets_are_sets_and_last_listing_wins() {
        let mut sets = docs();
        sets.itemsets[5] = vec![1, 0, 1];
        sets.itemsets.push(vec![0, 1]);
        sets.support.push(0.7);
        sets.count.push(0);
        let rules = association_rules(&sets, None, Metric::Support, 0.0, false).unwrap();
        assert_eq!(rules.len(), 16);
        assert_eq!(find(&rules, &[0], &[1]).support, 0.7);
        // The pair keeps its first position: its rules come right after the singles'.
        assert_eq!(rules[0].antecedent, [0]);
        assert_eq!(rules[0].consequent, [1]);
    }

    #[test]
    fn num_itemsets_only_rounds() {
        let a = association_rules(&docs(), Some(1), Metric::Confidence, 0.0, false).unwrap();
        let b = association_rules(&docs(), Some(5), Metric::Confidence, 0.0, false).unwrap();
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert!((x.confidence - y.confidence).abs() < 1e-15);
            assert_eq!(x.representativity, 1.0);
        }
    }

    #[test]
    fn bad_input_is_refused() {
        let sets = docs();
        for (num, t) in [(Some(0), 0.5), (None, f64::NAN)] {
            let e = association_rules(&sets, num, Metric::Confidence, t, false).unwrap_err();
            assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
        }
        let mut no_n = docs();
        no_n.n_transactions = 0;
        assert!(matches!(
            association_rules(&no_n, None, Metric::Lift, 1.0, false),
            Err(Error::InvalidInput { .. })
        ));
        assert!(association_rules(&no_n, Some(5), Metric::Lift, 1.0, false).is_ok());
        let empty = Itemsets {
            n_transactions: 5,
            ..Itemsets::default()
        };
        assert!(matches!(
            association_rules(&empty, None, Metric::Lift, 1.0, false),
            Err(Error::InvalidInput { .. })
        ));
        let mut bad = docs();
        bad.support[3] = 1.5;
        assert!(matches!(
            association_rules(&bad, None, Metric::Lift, 1.0, false),
            Err(Error::InvalidInput { .. })
        ));
        bad.support[3] = f64::NAN;
        assert!(association_rules(&bad, None, Metric::Lift, 1.0, false).is_err());
        bad.support.pop();
        assert!(matches!(
            association_rules(&bad, None, Metric::Lift, 1.0, false),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn metric_names_round_trip() {
        for (m, name) in Metric::ALL.iter().zip(Metric::NAMES.iter()) {
            assert_eq!(m.as_str(), *name);
            assert_eq!(name.parse::<Metric>().unwrap(), *m);
            assert_eq!(m.to_string(), *name);
        }
        assert_eq!(
            "Antecedent_Support".parse::<Metric>().unwrap(),
            Metric::AntecedentSupport
        );
        assert_eq!(
            " zhangs_metric ".parse::<Metric>().unwrap(),
            Metric::ZhangsMetric
        );
        assert!("zhang".parse::<Metric>().is_err());
        assert_eq!(Metric::default(), Metric::Confidence);
    }

    #[test]
    fn zero_supports_follow_numpy() {
        // s(A) = 0: confidence 0/0 = NaN, conviction inf (numpy's `conf < 1` mask is false).
        let sets = Itemsets {
            itemsets: vec![vec![0], vec![1], vec![0, 1]],
            count: vec![0, 3, 0],
            support: vec![0.0, 0.3, 0.0],
            n_transactions: 10,
        };
        let rules = association_rules(&sets, None, Metric::Support, 0.0, false).unwrap();
        let r = find(&rules, &[0], &[1]);
        assert!(r.confidence.is_nan());
        assert_eq!(r.conviction, f64::INFINITY);
        assert_eq!(r.zhangs_metric, 0.0);
        assert!(r.certainty.is_nan());
        // NaN never passes a threshold.
        let none =
            association_rules(&sets, None, Metric::Confidence, f64::NEG_INFINITY, false).unwrap();
        assert_eq!(none.len(), 1); // only 1 -> 0 (confidence 0)
    }
}
