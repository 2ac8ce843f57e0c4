//! Recommendations: the items association rules suggest for a basket.
//!
//! A rule A → C applies to a basket that holds all of A; it then suggests each item of C that
//! the basket lacks, scored by the rule's value of the chosen [`Metric`]. An item suggested by
//! several rules keeps its best one. This is the usual "customers who bought A also bought C"
//! ranking, on top of [`association_rules`](super::rules::association_rules).
//!
//! ```
//! use crm_core::analytics::baskets::Itemsets;
//! use crm_core::analytics::recommend::recommend;
//! use crm_core::analytics::rules::{association_rules, Metric};
//!
//! # fn main() -> crm_core::Result<()> {
//! // 10 baskets: item 0 in 6, item 1 in 5, item 2 in 4; 0 and 1 together in 4, 0 and 2 in 2.
//! let itemsets = Itemsets {
//!     itemsets: vec![vec![0], vec![1], vec![2], vec![0, 1], vec![0, 2]],
//!     count: vec![6, 5, 4, 4, 2],
//!     support: vec![0.6, 0.5, 0.4, 0.4, 0.2],
//!     n_transactions: 10,
//! };
//! let rules = association_rules(&itemsets, None, Metric::Confidence, 0.0, false)?;
//! let picks = recommend(&rules, &[0], 5, Metric::Confidence);
//! // 0 → 1 has confidence 4/6, 0 → 2 has 2/6.
//! assert_eq!(picks.iter().map(|p| p.item).collect::<Vec<_>>(), [1, 2]);
//! # Ok(())
//! # }
//! ```

use std::cmp::Ordering;
use std::collections::HashMap;

use super::rules::{Metric, Rule};

/// One recommended item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recommendation {
    /// The item code.
    pub item: u32,
    /// The best value of the metric among the rules that suggest the item.
    pub score: f64,
    /// The index, in the `rules` slice given to [`recommend`], of the rule that gave the score
    /// (its antecedent says why the item is recommended).
    pub rule: usize,
}

/// The top `n` items for `basket` by `metric`, best first.
///
/// Rules apply when their antecedent is a subset of `basket` (given in any order; repeats do
/// not matter). Each item of an applying rule's consequent that is not in `basket` is a
/// candidate, scored by that rule's `metric` value; a consequent of several items recommends
/// each of them. Rules whose `metric` value is NaN (e.g. every metric but support of a
/// `support_only` rule) are skipped; +∞ (a conviction) ranks first.
///
/// Ties, both between rules for one item and between items, are broken by the rule's
/// confidence, then its support (higher first; NaN counts as lowest), then, between rules, by
/// the lower index in `rules` and, between items, by the lower item code. The result is
/// therefore the same for the same input, whatever the hashing.
///
/// `n = 0`, no applying rule or an empty `rules` gives an empty list.
pub fn recommend(rules: &[Rule], basket: &[u32], n: usize, metric: Metric) -> Vec<Recommendation> {
    if n == 0 {
        return Vec::new();
    }
    let mut have = basket.to_vec();
    have.sort_unstable();
    have.dedup();
    let holds = |item: &u32| have.binary_search(item).is_ok();

    // item → index of its best rule so far.
    let mut best: HashMap<u32, usize> = HashMap::new();
    for (i, rule) in rules.iter().enumerate() {
        if rule.value(metric).is_nan() || !rule.antecedent.iter().all(holds) {
            continue;
        }
        for &item in &rule.consequent {
            if holds(&item) {
                continue;
            }
            best.entry(item)
                .and_modify(|b| {
                    // Strictly better only: an equal later rule leaves the earlier index.
                    if rank(&rules[i], &rules[*b], metric) == Ordering::Less {
                        *b = i;
                    }
                })
                .or_insert(i);
        }
    }

    let mut picks: Vec<Recommendation> = best
        .into_iter()
        .map(|(item, rule)| Recommendation {
            item,
            score: rules[rule].value(metric),
            rule,
        })
        .collect();
    picks.sort_by(|a, b| {
        rank(&rules[a.rule], &rules[b.rule], metric).then_with(|| a.item.cmp(&b.item))
    });
    picks.truncate(n);
    picks
}

/// `Less` when rule `a` ranks before rule `b`: higher metric, then confidence, then support.
fn rank(a: &Rule, b: &Rule, metric: Metric) -> Ordering {
    desc(a.value(metric), b.value(metric))
        .then_with(|| desc(a.confidence, b.confidence))
        .then_with(|| desc(a.support, b.support))
}

/// Descending order with NaN last.
fn desc(a: f64, b: f64) -> Ordering {
    let key = |x: f64| if x.is_nan() { f64::NEG_INFINITY } else { x };
    key(b).total_cmp(&key(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(a: &[u32], c: &[u32], lift: f64, confidence: f64, support: f64) -> Rule {
        Rule {
            antecedent: a.to_vec(),
            consequent: c.to_vec(),
            antecedent_support: 0.5,
            consequent_support: 0.5,
            support,
            confidence,
            lift,
            representativity: 1.0,
            leverage: 0.0,
            conviction: if confidence >= 1.0 {
                f64::INFINITY
            } else {
                0.5 / (1.0 - confidence)
            },
            zhangs_metric: 0.0,
            jaccard: 0.0,
            certainty: 0.0,
            kulczynski: 0.0,
        }
    }

    #[test]
    fn applies_rules_whose_antecedent_is_in_the_basket() {
        let rules = [
            rule(&[1], &[2], 2.0, 0.5, 0.1),
            rule(&[1, 3], &[4, 5], 3.0, 0.6, 0.1),
            rule(&[9], &[6], 9.0, 0.9, 0.1), // 9 not in the basket
            rule(&[3], &[1], 5.0, 0.9, 0.1), // 1 already in the basket
            rule(&[3], &[2], 1.5, 0.4, 0.1), // a worse rule for 2
        ];
        let picks = recommend(&rules, &[3, 1, 3], 10, Metric::Lift);
        let got: Vec<_> = picks.iter().map(|p| (p.item, p.score, p.rule)).collect();
        // 4 and 5 tie on everything but the code.
        assert_eq!(got, [(4, 3.0, 1), (5, 3.0, 1), (2, 2.0, 0)]);
        assert_eq!(recommend(&rules, &[3, 1], 2, Metric::Lift).len(), 2);
        assert!(recommend(&rules, &[3, 1], 0, Metric::Lift).is_empty());
        assert!(recommend(&rules, &[7], 3, Metric::Lift).is_empty());
        assert!(recommend(&[], &[1], 3, Metric::Lift).is_empty());
    }

    #[test]
    fn ties_fall_to_confidence_support_then_code() {
        let rules = [
            rule(&[0], &[5], 2.0, 0.5, 0.2),
            rule(&[0], &[6], 2.0, 0.7, 0.1),
            rule(&[0], &[7], 2.0, 0.5, 0.3),
            rule(&[0], &[3], 2.0, 0.5, 0.2),
            // A second rule for 5 with the same lift and higher confidence replaces the first.
            rule(&[0], &[5], 2.0, 0.8, 0.05),
        ];
        let picks = recommend(&rules, &[0], 5, Metric::Lift);
        let got: Vec<_> = picks.iter().map(|p| (p.item, p.rule)).collect();
        assert_eq!(got, [(5, 4), (6, 1), (7, 2), (3, 3)]);
    }

    #[test]
    fn infinite_scores_rank_first_and_nan_is_skipped() {
        let mut nan_rule = rule(&[0], &[8], f64::NAN, f64::NAN, 0.9);
        nan_rule.conviction = f64::NAN;
        let rules = [
            rule(&[0], &[1], 1.0, 0.5, 0.1),
            rule(&[0], &[2], 1.0, 1.0, 0.1), // conviction inf
            nan_rule,
        ];
        let picks = recommend(&rules, &[0], 5, Metric::Conviction);
        assert_eq!(picks.iter().map(|p| p.item).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(picks[0].score, f64::INFINITY);
        // Support is defined for the NaN rule: it is used when ranking by support.
        let by_support = recommend(&rules, &[0], 1, Metric::Support);
        assert_eq!(by_support[0].item, 8);
    }
}
