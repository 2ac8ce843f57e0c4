//! Market-basket analysis: frequent itemsets (Apriori, FP-Growth, Eclat), association rules with
//! mlxtend's metrics, and recommendations — on any data (pure functions, no handle) and on the
//! store's purchases (a handle; items are product ids).
//!
//! In C an item is an `int64_t` label (a product id or any code of the caller's); the mining
//! itself works on dense codes, and the result objects carry the labels back. Everything else —
//! the algorithms, the rule metrics and their special cases, the ranking of recommendations, the
//! validation of supports and thresholds — is `crm_core::analytics::{itemsets, rules, recommend}`
//! and `crm_core::baskets`.
//!
//! Functions without a handle report to the thread's last error (`crm_errcode(NULL)`,
//! `crm_errmsg(NULL)`).

use std::collections::HashMap;
use std::ffi::{CString, c_char, c_int};
use std::mem::offset_of;
use std::ptr;
use std::sync::OnceLock;

use crm_core::analytics::baskets::{Itemsets, Transactions};
use crm_core::analytics::itemsets::{Algorithm, frequent_itemsets};
use crm_core::analytics::recommend::recommend;
use crm_core::analytics::rules::{Metric, Rule, association_rules};
use crm_core::baskets::{BasketOptions, ProductRecommendation, RecommendOptions};
use crm_core::{Error, Result};

use crate::args::{
    Versioned, boxed, c_string, clear_out, init_versioned, opt_string, out_ptr, read, slice,
    static_name, versioned,
};
use crate::campaign::{CRM_TIME_NONE, read_at, time_in};
use crate::db::crm_db;
use crate::error::{guard, guard_db, guard_value};

// ------------------------------------------------------------------------------------------------
// Algorithms and metrics

/// Frequent-itemset algorithm: level-wise candidate generation (Apriori). All three algorithms
/// return the same itemsets and counts; they differ in speed and memory.
pub const CRM_ALGORITHM_APRIORI: c_int = 0;
/// Frequent-itemset algorithm: FP-Growth, a prefix tree mined by conditional trees (the usual
/// choice).
pub const CRM_ALGORITHM_FPGROWTH: c_int = 1;
/// Frequent-itemset algorithm: Eclat, a depth-first search over vertical tid-lists.
pub const CRM_ALGORITHM_ECLAT: c_int = 2;

/// Rule metric (mlxtend's `"antecedent support"`): s(A), the antecedent's support.
pub const CRM_METRIC_ANTECEDENT_SUPPORT: c_int = 0;
/// Rule metric (mlxtend's `"consequent support"`): s(C), the consequent's support.
pub const CRM_METRIC_CONSEQUENT_SUPPORT: c_int = 1;
/// Rule metric `"support"`: s(A ∪ C), the share of baskets holding both sides.
pub const CRM_METRIC_SUPPORT: c_int = 2;
/// Rule metric `"confidence"`: s(A ∪ C) / s(A).
pub const CRM_METRIC_CONFIDENCE: c_int = 3;
/// Rule metric `"lift"`: confidence / s(C) (1: the sides are independent).
pub const CRM_METRIC_LIFT: c_int = 4;
/// Rule metric `"representativity"`: the share of baskets without missing values, always 1 here.
pub const CRM_METRIC_REPRESENTATIVITY: c_int = 5;
/// Rule metric `"leverage"`: s(A ∪ C) − s(A)·s(C).
pub const CRM_METRIC_LEVERAGE: c_int = 6;
/// Rule metric `"conviction"`: (1 − s(C)) / (1 − confidence); +∞ (`INFINITY`) for a rule whose
/// confidence is 1.
pub const CRM_METRIC_CONVICTION: c_int = 7;
/// Rule metric `"zhangs_metric"`: Zhang's metric in [−1, 1]; 0 where its denominator is 0.
pub const CRM_METRIC_ZHANGS_METRIC: c_int = 8;
/// Rule metric `"jaccard"`: s(A ∪ C) / (s(A) + s(C) − s(A ∪ C)).
pub const CRM_METRIC_JACCARD: c_int = 9;
/// Rule metric `"certainty"`: (confidence − s(C)) / (1 − s(C)); 0 where s(C) is 1.
pub const CRM_METRIC_CERTAINTY: c_int = 10;
/// Rule metric `"kulczynski"`: the mean of the confidences of A → C and C → A.
pub const CRM_METRIC_KULCZYNSKI: c_int = 11;

/// The C constants of the metrics, in the order of `Metric::ALL` (mlxtend's columns).
const METRICS: [(c_int, Metric); 12] = [
    (CRM_METRIC_ANTECEDENT_SUPPORT, Metric::AntecedentSupport),
    (CRM_METRIC_CONSEQUENT_SUPPORT, Metric::ConsequentSupport),
    (CRM_METRIC_SUPPORT, Metric::Support),
    (CRM_METRIC_CONFIDENCE, Metric::Confidence),
    (CRM_METRIC_LIFT, Metric::Lift),
    (CRM_METRIC_REPRESENTATIVITY, Metric::Representativity),
    (CRM_METRIC_LEVERAGE, Metric::Leverage),
    (CRM_METRIC_CONVICTION, Metric::Conviction),
    (CRM_METRIC_ZHANGS_METRIC, Metric::ZhangsMetric),
    (CRM_METRIC_JACCARD, Metric::Jaccard),
    (CRM_METRIC_CERTAINTY, Metric::Certainty),
    (CRM_METRIC_KULCZYNSKI, Metric::Kulczynski),
];

fn metric_lookup(m: c_int) -> Option<Metric> {
    METRICS
        .iter()
        .find(|(c, _)| *c == m)
        .map(|&(_, metric)| metric)
}

fn metric_of(m: c_int, name: &str) -> Result<Metric> {
    metric_lookup(m).ok_or_else(|| {
        Error::InvalidArgument(format!(
            "{name} {m} is not a CRM_METRIC_* constant (0 to {})",
            METRICS.len() - 1
        ))
    })
}

fn algorithm_of(a: c_int) -> Result<Algorithm> {
    match a {
        CRM_ALGORITHM_APRIORI => Ok(Algorithm::Apriori),
        CRM_ALGORITHM_FPGROWTH => Ok(Algorithm::FpGrowth),
        CRM_ALGORITHM_ECLAT => Ok(Algorithm::Eclat),
        _ => Err(Error::InvalidArgument(format!(
            "algorithm {a} is not one of CRM_ALGORITHM_APRIORI, _FPGROWTH, _ECLAT"
        ))),
    }
}

/// `max_len` from C: 0 means no limit.
fn max_len_of(max_len: usize) -> Option<usize> {
    (max_len != 0).then_some(max_len)
}

/// mlxtend's name of a `CRM_METRIC_*` constant (`"confidence"`, `"antecedent support"`,
/// `"zhangs_metric"` …), or NULL for a number that is not one. The string is static: never free
/// it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_metric_name(metric: c_int) -> *const c_char {
    guard_value("crm_metric_name", ptr::null(), || {
        static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
        metric_lookup(metric).map_or(ptr::null(), |m| {
            static_name(&NAMES, &Metric::NAMES, m.as_str())
        })
    })
}

// ------------------------------------------------------------------------------------------------
// Labelled item lists

/// Lists of item labels in one flat buffer: list `i` is `items[starts[i]..starts[i + 1]]`.
#[derive(Debug, Default)]
struct Flat {
    items: Vec<i64>,
    starts: Vec<usize>,
}

impl Flat {
    /// The lists of `codes`, each code replaced by its label.
    fn new<'a>(codes: impl Iterator<Item = &'a [u32]>, labels: &[i64]) -> Flat {
        let mut flat = Flat {
            items: Vec::new(),
            starts: vec![0],
        };
        for list in codes {
            flat.items.extend(list.iter().map(|&c| labels[c as usize]));
            flat.starts.push(flat.items.len());
        }
        flat
    }

    fn get(&self, i: usize) -> Option<&[i64]> {
        let (&start, &end) = (self.starts.get(i)?, self.starts.get(i + 1)?);
        Some(&self.items[start..end])
    }

    fn len_of(&self, i: usize) -> usize {
        self.get(i).map_or(0, <[i64]>::len)
    }

    /// List `i` as a borrowed C array; NULL when out of range or empty.
    fn ptr_of(&self, i: usize) -> *const i64 {
        match self.get(i) {
            Some(list) if !list.is_empty() => list.as_ptr(),
            _ => ptr::null(),
        }
    }
}

/// A borrowed C array: NULL when empty.
fn array(items: &[i64]) -> *const i64 {
    if items.is_empty() {
        ptr::null()
    } else {
        items.as_ptr()
    }
}

// ------------------------------------------------------------------------------------------------
// Frequent itemsets

/// Frequent itemsets with their supports, from `crm_frequent_itemsets`,
/// `crm_frequent_itemsets_dense` or `crm_basket_itemsets`. Read them by index (0 to
/// `crm_itemsets_len` - 1), in a fixed order: by size, then by their items, compared in the order
/// the labels first appear in the input. Free with `crm_itemsets_free`. It is a copy: it stays valid after the handle that
/// made it is closed. Its arrays are valid until it is freed.
#[derive(Debug)]
pub struct crm_itemsets {
    /// The itemsets in item codes, as `association_rules` takes them.
    sets: Itemsets,
    /// Code → the caller's label.
    labels: Vec<i64>,
    /// The itemsets in labels.
    items: Flat,
}

impl crm_itemsets {
    fn new(sets: Itemsets, labels: Vec<i64>) -> crm_itemsets {
        let items = Flat::new(sets.itemsets.iter().map(Vec::as_slice), &labels);
        crm_itemsets {
            sets,
            labels,
            items,
        }
    }
}

/// Mines `t` and boxes the result for C.
fn mine(
    t: &Transactions,
    labels: Vec<i64>,
    min_support: f64,
    max_len: usize,
    algorithm: c_int,
) -> Result<*mut crm_itemsets> {
    let algorithm = algorithm_of(algorithm)?;
    let sets = frequent_itemsets(t, min_support, max_len_of(max_len), algorithm)?;
    Ok(boxed(crm_itemsets::new(sets, labels)))
}

/// The itemsets held by at least `min_support` of the baskets (count / baskets ≥ `min_support`,
/// compared as mlxtend does), of at most `max_len` items (0: no limit), found by `algorithm`
/// (`CRM_ALGORITHM_APRIORI`, `CRM_ALGORITHM_FPGROWTH` or `CRM_ALGORITHM_ECLAT`; all three give the
/// same result). The same itemsets and supports as mlxtend's `apriori`/`fpgrowth` on the same
/// data.
///
/// The baskets come in long format, `n` rows: row `r` says basket `baskets[r]` holds item
/// `items[r]`. Basket ids and item labels are any `int64_t` values (product ids, your own
/// codes); rows of one basket need not be adjacent, and an item repeated within a basket counts
/// once. The itemsets come back in these labels.
///
/// `*out` receives the itemsets: free them with `crm_itemsets_free`; NULL on failure.
///
/// Errors (`crm_errmsg(NULL)` tells which): `CRM_INVALID_INPUT` (`min_support` NaN or outside
/// (0, 1]; no rows: at least one basket is needed), `CRM_INVALID_ARGUMENT` (NULL `out`, NULL
/// `baskets` or `items` with `n` > 0, an unknown `algorithm`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_frequent_itemsets(
    baskets: *const i64,
    items: *const i64,
    n: usize,
    min_support: f64,
    max_len: usize,
    algorithm: c_int,
    out: *mut *mut crm_itemsets,
) -> c_int {
    guard("crm_frequent_itemsets", || {
        // SAFETY (all): NULL or valid pointers of the documented types and lengths.
        let out = unsafe { out_ptr(out, "out") }?;
        let baskets = unsafe { slice(baskets, n, "baskets") }?;
        let items = unsafe { slice(items, n, "items") }?;
        let (t, labels) = Transactions::from_long_labels(baskets, items)?;
        *out = mine(&t, labels, min_support, max_len, algorithm)?;
        Ok(())
    })
}

/// As `crm_frequent_itemsets`, for baskets given as a dense one-hot matrix (mlxtend's input
/// shape): `rows` baskets × `cols` items, row-major, `cells[r * cols + c]` non-zero when basket
/// `r` holds item `c`. The itemsets' labels are the column indexes `0` to `cols - 1`.
///
/// Errors: as for `crm_frequent_itemsets` (`rows` 0 is "no baskets", `CRM_INVALID_INPUT`), and
/// `CRM_INVALID_ARGUMENT` for NULL `cells` with cells, `cols` 0 with `rows` > 0, or `rows * cols`
/// overflowing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_frequent_itemsets_dense(
    cells: *const u8,
    rows: usize,
    cols: usize,
    min_support: f64,
    max_len: usize,
    algorithm: c_int,
    out: *mut *mut crm_itemsets,
) -> c_int {
    guard("crm_frequent_itemsets_dense", || {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        if cols == 0 && rows > 0 {
            return Err(Error::InvalidArgument(format!(
                "cols is 0 but rows is {rows}: a one-hot matrix needs at least one column"
            )));
        }
        let n = rows.checked_mul(cols).ok_or_else(|| {
            Error::InvalidArgument(format!("a matrix of {rows} × {cols} cells is too large"))
        })?;
        // SAFETY: NULL or `rows * cols` bytes by the caller's contract.
        let cells = unsafe { slice(cells, n, "cells") }?;
        let cells: Vec<bool> = cells.iter().map(|&c| c != 0).collect();
        let t = Transactions::from_dense(&cells, cols)?;
        let labels = (0..cols as i64).collect();
        *out = mine(&t, labels, min_support, max_len, algorithm)?;
        Ok(())
    })
}

/// The number of itemsets; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_itemsets_len(itemsets: *const crm_itemsets) -> usize {
    // SAFETY: NULL or live itemsets.
    read("crm_itemsets_len", unsafe { itemsets.as_ref() }, 0, |s| {
        s.sets.len()
    })
}

/// The number of baskets the supports are relative to (every basket of the input, also those
/// without a frequent item); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_itemsets_n_transactions(itemsets: *const crm_itemsets) -> usize {
    // SAFETY: NULL or live itemsets.
    read(
        "crm_itemsets_n_transactions",
        unsafe { itemsets.as_ref() },
        0,
        |s| s.sets.n_transactions,
    )
}

/// The number of items of itemset `i` (at least 1); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_itemsets_size(itemsets: *const crm_itemsets, i: usize) -> usize {
    // SAFETY: NULL or live itemsets.
    read("crm_itemsets_size", unsafe { itemsets.as_ref() }, 0, |s| {
        s.items.len_of(i)
    })
}

/// The items of itemset `i`: `crm_itemsets_size(itemsets, i)` labels, in the order the labels
/// first appear in the input (for the dense input: ascending columns). NULL when `i` is out of
/// range. Borrowed: valid until the itemsets are freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_itemsets_items(itemsets: *const crm_itemsets, i: usize) -> *const i64 {
    // SAFETY: NULL or live itemsets.
    read(
        "crm_itemsets_items",
        unsafe { itemsets.as_ref() },
        ptr::null(),
        |s| s.items.ptr_of(i),
    )
}

/// The support of itemset `i`: the share of baskets holding all its items; NaN when `i` is out
/// of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_itemsets_support(itemsets: *const crm_itemsets, i: usize) -> f64 {
    // SAFETY: NULL or live itemsets.
    read_at(
        "crm_itemsets_support",
        unsafe { itemsets.as_ref() },
        |s| s.sets.support.as_slice(),
        i,
        f64::NAN,
        |&x| x,
    )
}

/// The number of baskets holding all items of itemset `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_itemsets_count(itemsets: *const crm_itemsets, i: usize) -> usize {
    // SAFETY: NULL or live itemsets.
    read_at(
        "crm_itemsets_count",
        unsafe { itemsets.as_ref() },
        |s| s.sets.count.as_slice(),
        i,
        0,
        |&c| c as usize,
    )
}

/// Frees itemsets. Does nothing when `itemsets` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_itemsets_free(itemsets: *mut crm_itemsets) {
    guard_value("crm_itemsets_free", (), || {
        if !itemsets.is_null() {
            // SAFETY: from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(itemsets) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// Association rules

/// Association rules A → C from `crm_association_rules`, in the labels of the itemsets they came
/// from. Read them by index (0 to `crm_rules_len` - 1); free with `crm_rules_free`. Its arrays
/// are valid until it is freed.
#[derive(Debug)]
pub struct crm_rules {
    rules: Vec<Rule>,
    /// Code → the caller's label (the itemsets').
    labels: Vec<i64>,
    antecedents: Flat,
    consequents: Flat,
}

/// The association rules of `itemsets` whose `metric` (a `CRM_METRIC_*`) is at least
/// `min_threshold`, as mlxtend 0.23.4's `association_rules(df, num_itemsets, metric,
/// min_threshold, support_only)` gives them: every itemset of two or more items yields a rule
/// per non-empty proper subset (the antecedent; the rest is the consequent); a metric that is
/// NaN never passes. `num_itemsets` is the number of baskets (0: the itemsets' own
/// `crm_itemsets_n_transactions`). With `support_only` non-zero the metric is support whatever
/// `metric` says, and every other value of the rules is NaN (mlxtend's mode for itemsets whose
/// subsets are not all listed).
///
/// Rules come in a fixed order: by itemset (in the itemsets' order), then larger antecedents
/// first. `*out` receives the rules (possibly none): free them with `crm_rules_free`; NULL on
/// failure.
///
/// Errors (`crm_errmsg(NULL)` tells which): `CRM_INVALID_INPUT` (no itemsets; `min_threshold`
/// NaN; no baskets), `CRM_INVALID_ARGUMENT` (NULL `itemsets` or `out`, an unknown `metric`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_association_rules(
    itemsets: *const crm_itemsets,
    num_itemsets: usize,
    metric: c_int,
    min_threshold: f64,
    support_only: c_int,
    out: *mut *mut crm_rules,
) -> c_int {
    guard("crm_association_rules", || {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        // SAFETY: NULL or live itemsets.
        let Some(itemsets) = (unsafe { itemsets.as_ref() }) else {
            return Err(crate::args::null("itemsets"));
        };
        let metric = metric_of(metric, "metric")?;
        let num = (num_itemsets != 0).then_some(num_itemsets);
        let rules = association_rules(
            &itemsets.sets,
            num,
            metric,
            min_threshold,
            support_only != 0,
        )?;
        let labels = itemsets.labels.clone();
        let antecedents = Flat::new(rules.iter().map(|r| r.antecedent.as_slice()), &labels);
        let consequents = Flat::new(rules.iter().map(|r| r.consequent.as_slice()), &labels);
        *out = boxed(crm_rules {
            rules,
            labels,
            antecedents,
            consequents,
        });
        Ok(())
    })
}

/// The number of rules; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_len(rules: *const crm_rules) -> usize {
    // SAFETY: NULL or live rules.
    read("crm_rules_len", unsafe { rules.as_ref() }, 0, |r| {
        r.rules.len()
    })
}

/// The number of items of rule `i`'s antecedent (at least 1); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_antecedent_len(rules: *const crm_rules, i: usize) -> usize {
    // SAFETY: NULL or live rules.
    read(
        "crm_rules_antecedent_len",
        unsafe { rules.as_ref() },
        0,
        |r| r.antecedents.len_of(i),
    )
}

/// The antecedent (left side) of rule `i`: `crm_rules_antecedent_len(rules, i)` item labels. NULL
/// when `i` is out of range. Borrowed: valid until the rules are freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_antecedent(rules: *const crm_rules, i: usize) -> *const i64 {
    // SAFETY: NULL or live rules.
    read(
        "crm_rules_antecedent",
        unsafe { rules.as_ref() },
        ptr::null(),
        |r| r.antecedents.ptr_of(i),
    )
}

/// The number of items of rule `i`'s consequent (at least 1); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_consequent_len(rules: *const crm_rules, i: usize) -> usize {
    // SAFETY: NULL or live rules.
    read(
        "crm_rules_consequent_len",
        unsafe { rules.as_ref() },
        0,
        |r| r.consequents.len_of(i),
    )
}

/// The consequent (right side) of rule `i`: `crm_rules_consequent_len(rules, i)` item labels,
/// none of them in the antecedent. NULL when `i` is out of range. Borrowed: valid until the
/// rules are freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_consequent(rules: *const crm_rules, i: usize) -> *const i64 {
    // SAFETY: NULL or live rules.
    read(
        "crm_rules_consequent",
        unsafe { rules.as_ref() },
        ptr::null(),
        |r| r.consequents.ptr_of(i),
    )
}

/// The value of `metric` (a `CRM_METRIC_*`) for rule `i`, as mlxtend computes it: `INFINITY` for
/// the conviction of a rule with confidence 1, NaN for every metric but support of a
/// `support_only` rule. NaN also when `i` is out of range or `metric` unknown.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_value(rules: *const crm_rules, i: usize, metric: c_int) -> f64 {
    // SAFETY: NULL or live rules.
    read_at(
        "crm_rules_value",
        unsafe { rules.as_ref() },
        |r| r.rules.as_slice(),
        i,
        f64::NAN,
        |rule| metric_lookup(metric).map_or(f64::NAN, |m| rule.value(m)),
    )
}

/// Frees rules. Does nothing when `rules` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_rules_free(rules: *mut crm_rules) {
    guard_value("crm_rules_free", (), || {
        if !rules.is_null() {
            // SAFETY: from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(rules) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// Recommendations from rules

/// One recommended item of a `crm_recommendations`.
#[derive(Debug)]
struct Pick {
    item: i64,
    score: f64,
    rule: usize,
    antecedent: Vec<i64>,
}

/// Items recommended for a basket, best first, from `crm_recommend`. Read them by index (0 to
/// `crm_recommendations_len` - 1); free with `crm_recommendations_free`. Its arrays are valid
/// until it is freed; it does not borrow the rules.
#[derive(Debug)]
pub struct crm_recommendations {
    picks: Vec<Pick>,
}

/// The top `n` items for the basket `basket` (`len` item labels, in any order, repeats allowed)
/// by `metric` (a `CRM_METRIC_*`), best first: every rule whose antecedent the basket holds
/// suggests the items of its consequent that the basket lacks, scored by the rule's `metric`; an
/// item suggested by several rules keeps its best. Rules whose metric is NaN are skipped;
/// `INFINITY` ranks first. Ties go to the higher confidence, then the higher support, then the
/// earlier rule (for one item) or the item whose label first appeared earlier in the mined input
/// (between items). Labels the rules do not know are simply not matched.
///
/// `*out` receives the recommendations (none for `n` 0, or when no rule applies): free them with
/// `crm_recommendations_free`; NULL on failure.
///
/// Errors: `CRM_INVALID_ARGUMENT` (NULL `rules` or `out`, NULL `basket` with `len` > 0, an
/// unknown `metric`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_recommend(
    rules: *const crm_rules,
    basket: *const i64,
    len: usize,
    n: usize,
    metric: c_int,
    out: *mut *mut crm_recommendations,
) -> c_int {
    guard("crm_recommend", || {
        // SAFETY (all): NULL or valid pointers of the documented types and lengths.
        let out = unsafe { out_ptr(out, "out") }?;
        let Some(rules) = (unsafe { rules.as_ref() }) else {
            return Err(crate::args::null("rules"));
        };
        let basket = unsafe { slice(basket, len, "basket") }?;
        let metric = metric_of(metric, "metric")?;
        // Labels to the rules' codes; a label no rule knows cannot match an antecedent, nor be
        // recommended, so it is dropped.
        let code: HashMap<i64, u32> = rules
            .labels
            .iter()
            .enumerate()
            .map(|(c, &l)| (l, c as u32))
            .collect();
        let codes: Vec<u32> = basket.iter().filter_map(|l| code.get(l).copied()).collect();
        let picks = recommend(&rules.rules, &codes, n, metric)
            .into_iter()
            .map(|p| Pick {
                item: rules.labels[p.item as usize],
                score: p.score,
                rule: p.rule,
                antecedent: rules.rules[p.rule]
                    .antecedent
                    .iter()
                    .map(|&c| rules.labels[c as usize])
                    .collect(),
            })
            .collect();
        *out = boxed(crm_recommendations { picks });
        Ok(())
    })
}

/// The number of recommended items; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_recommendations_len(recs: *const crm_recommendations) -> usize {
    // SAFETY: NULL or live recommendations.
    read(
        "crm_recommendations_len",
        unsafe { recs.as_ref() },
        0,
        |r| r.picks.len(),
    )
}

/// The label of recommended item `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_recommendations_item(
    recs: *const crm_recommendations,
    i: usize,
) -> i64 {
    // SAFETY: NULL or live recommendations.
    read_at(
        "crm_recommendations_item",
        unsafe { recs.as_ref() },
        |r| r.picks.as_slice(),
        i,
        0,
        |p| p.item,
    )
}

/// The score of recommended item `i`: the best value of the metric among the rules that suggest
/// it; NaN when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_recommendations_score(
    recs: *const crm_recommendations,
    i: usize,
) -> f64 {
    // SAFETY: NULL or live recommendations.
    read_at(
        "crm_recommendations_score",
        unsafe { recs.as_ref() },
        |r| r.picks.as_slice(),
        i,
        f64::NAN,
        |p| p.score,
    )
}

/// The index, in the `crm_rules` given to `crm_recommend`, of the rule that gave item `i` its
/// score (read its other metrics with `crm_rules_value`); `SIZE_MAX` when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_recommendations_rule(
    recs: *const crm_recommendations,
    i: usize,
) -> usize {
    // SAFETY: NULL or live recommendations.
    read_at(
        "crm_recommendations_rule",
        unsafe { recs.as_ref() },
        |r| r.picks.as_slice(),
        i,
        usize::MAX,
        |p| p.rule,
    )
}

/// The number of items in the antecedent of the rule behind item `i` (why it is recommended); 0
/// when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_recommendations_antecedent_len(
    recs: *const crm_recommendations,
    i: usize,
) -> usize {
    // SAFETY: NULL or live recommendations.
    read_at(
        "crm_recommendations_antecedent_len",
        unsafe { recs.as_ref() },
        |r| r.picks.as_slice(),
        i,
        0,
        |p| p.antecedent.len(),
    )
}

/// The antecedent of the rule behind item `i`: `crm_recommendations_antecedent_len(recs, i)`
/// labels, all in the basket. NULL when `i` is out of range. Borrowed: valid until the
/// recommendations are freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_recommendations_antecedent(
    recs: *const crm_recommendations,
    i: usize,
) -> *const i64 {
    // SAFETY: NULL or live recommendations.
    read_at(
        "crm_recommendations_antecedent",
        unsafe { recs.as_ref() },
        |r| r.picks.as_slice(),
        i,
        ptr::null(),
        |p| array(&p.antecedent),
    )
}

/// Frees recommendations. Does nothing when `recs` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_recommendations_free(recs: *mut crm_recommendations) {
    guard_value("crm_recommendations_free", (), || {
        if !recs.is_null() {
            // SAFETY: from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(recs) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// On the store's purchases

/// Which purchases make the baskets of `crm_basket_itemsets`: every completed purchase is a
/// basket of the catalogue products on its lines (lines without a catalogue product are left
/// out). Initialise with `crm_basket_options_init`, or pass NULL for all completed purchases.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_basket_options {
    /// Size of this struct as the caller knows it; set by `crm_basket_options_init`.
    pub struct_size: u32,
    /// Only purchases made at or after this time (µs UTC); `CRM_TIME_NONE` (the default): no
    /// lower bound.
    pub since: i64,
    /// Only purchases made before this time (µs UTC); `CRM_TIME_NONE` (the default): no upper
    /// bound.
    pub until: i64,
    /// Only lines of this product category (NUL-terminated UTF-8, copied); NULL (the default):
    /// every category.
    pub category: *const c_char,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `category`.
unsafe impl Versioned for crm_basket_options {
    const V1_SIZE: usize = offset_of!(crm_basket_options, category) + size_of::<*const c_char>();
    const INIT: &'static str = "crm_basket_options_init";
    const DEFAULTS: Self = crm_basket_options {
        struct_size: size_of::<crm_basket_options>() as u32,
        since: CRM_TIME_NONE,
        until: CRM_TIME_NONE,
        category: ptr::null(),
    };
}

/// Sets the defaults (every completed purchase: no time bounds, every category) and
/// `struct_size`. Does nothing when `options` is NULL.
/// Pass the struct's size as your header declares it: `crm_basket_options_init(&o, sizeof o)`.
/// Only that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_basket_options_init(options: *mut crm_basket_options, size: usize) {
    guard_value("crm_basket_options_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(options, size) }
    })
}

/// The core's basket selection from the C fields.
///
/// # Safety
/// `category` is NULL or NUL-terminated.
unsafe fn basket_selection(
    since: i64,
    until: i64,
    category: *const c_char,
    name: &str,
) -> Result<BasketOptions> {
    Ok(BasketOptions {
        since: time_in(since),
        until: time_in(until),
        // SAFETY: forwarded contract.
        category: unsafe { opt_string(category, &format!("{name}->category")) }?,
    })
}

/// Frequent itemsets of the products bought together in the store's completed purchases (one
/// basket per purchase, selected by `options`; NULL: all), as `crm_frequent_itemsets` finds
/// them: at least `min_support`, at most `max_len` items (0: no limit), by `algorithm`. The
/// items are product ids (read names with `crm_product_get`).
///
/// `*out` receives the itemsets: free them with `crm_itemsets_free`; NULL on failure.
///
/// Errors: `CRM_INVALID_INPUT` (`min_support` NaN or outside (0, 1]; no baskets in the
/// selection), `CRM_INVALID_ARGUMENT` (NULL `db` or `out`, an unknown `algorithm`, a bad
/// `options->struct_size`, invalid UTF-8 in `options->category`), `CRM_STORAGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_basket_itemsets(
    db: *mut crm_db,
    min_support: f64,
    max_len: usize,
    algorithm: c_int,
    options: *const crm_basket_options,
    out: *mut *mut crm_itemsets,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_basket_itemsets", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let algorithm = algorithm_of(algorithm)?;
        let o = unsafe { versioned(options, "options") }?.unwrap_or(crm_basket_options::DEFAULTS);
        let selection = unsafe { basket_selection(o.since, o.until, o.category, "options") }?;
        let found = db.crm.baskets().frequent_itemsets(
            min_support,
            max_len_of(max_len),
            algorithm,
            &selection,
        )?;
        let labels = found.products.iter().map(|p| p.id).collect();
        *out = boxed(crm_itemsets::new(found.itemsets, labels));
        Ok(())
    })
}

/// How `crm_basket_recommend` finds its suggestions. Initialise with
/// `crm_recommend_options_init`, or pass NULL for the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_recommend_options {
    /// Size of this struct as the caller knows it; set by `crm_recommend_options_init`.
    pub struct_size: u32,
    /// Minimum support of the itemsets the rules come from, in (0, 1]; default 0.01.
    pub min_support: f64,
    /// Longest itemset mined; default 3 (rules with up to two products on the left); 0: no
    /// limit.
    pub max_len: usize,
    /// Minimum confidence of a rule, in [0, 1]; default 0.1.
    pub min_confidence: f64,
    /// The `CRM_METRIC_*` that ranks suggestions; default `CRM_METRIC_LIFT`.
    pub metric: c_int,
    /// Non-zero (the default): fill up with the most often bought products the customer lacks
    /// when the rules suggest fewer than asked.
    pub fill_with_popular: c_int,
    /// Only purchases made at or after this time (µs UTC) make the baskets; `CRM_TIME_NONE` (the
    /// default): no lower bound.
    pub since: i64,
    /// Only purchases made before this time (µs UTC); `CRM_TIME_NONE` (the default): no upper
    /// bound.
    pub until: i64,
    /// Only lines of this product category (NUL-terminated UTF-8, copied); NULL (the default):
    /// every category.
    pub category: *const c_char,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `category`.
unsafe impl Versioned for crm_recommend_options {
    const V1_SIZE: usize = offset_of!(crm_recommend_options, category) + size_of::<*const c_char>();
    const INIT: &'static str = "crm_recommend_options_init";
    // `RecommendOptions::default()` in C terms; a unit test keeps the two equal.
    const DEFAULTS: Self = crm_recommend_options {
        struct_size: size_of::<crm_recommend_options>() as u32,
        min_support: 0.01,
        max_len: 3,
        min_confidence: 0.1,
        metric: CRM_METRIC_LIFT,
        fill_with_popular: 1,
        since: CRM_TIME_NONE,
        until: CRM_TIME_NONE,
        category: ptr::null(),
    };
}

/// Sets the defaults (min_support 0.01, max_len 3, min_confidence 0.1, ranked by lift, filled up
/// with popular products, every completed purchase) and `struct_size`. Does nothing when
/// `options` is NULL.
/// Pass the struct's size as your header declares it: `crm_recommend_options_init(&o, sizeof o)`.
/// Only that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_recommend_options_init(
    options: *mut crm_recommend_options,
    size: usize,
) {
    guard_value("crm_recommend_options_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(options, size) }
    })
}

/// The core's options from the C struct.
///
/// # Safety
/// `o.category` is NULL or NUL-terminated.
unsafe fn recommend_options(o: &crm_recommend_options) -> Result<RecommendOptions> {
    Ok(RecommendOptions {
        min_support: o.min_support,
        max_len: max_len_of(o.max_len),
        min_confidence: o.min_confidence,
        metric: metric_of(o.metric, "options->metric")?,
        fill_with_popular: o.fill_with_popular != 0,
        // SAFETY: forwarded contract.
        baskets: unsafe { basket_selection(o.since, o.until, o.category, "options") }?,
    })
}

/// One product of a `crm_product_recommendations`.
#[derive(Debug)]
struct ProductPick {
    id: i64,
    sku: CString,
    name: CString,
    score: f64,
    because_of: Vec<i64>,
}

impl ProductPick {
    fn new(r: ProductRecommendation) -> Result<ProductPick> {
        let id = r.product.id;
        let text = |s: &str, field: &str| c_string(s, || format!("product {id} {field}"));
        Ok(ProductPick {
            id,
            sku: text(&r.product.sku, "sku")?,
            name: text(&r.product.name, "name")?,
            score: r.score,
            because_of: r.because_of,
        })
    }
}

/// Products recommended for a customer, best first, from `crm_basket_recommend`. Read them by
/// index (0 to `crm_product_recommendations_len` - 1); free with
/// `crm_product_recommendations_free`. It is a copy: it stays valid after the handle is closed.
/// Its strings and arrays are valid until it is freed.
#[derive(Debug)]
pub struct crm_product_recommendations {
    picks: Vec<ProductPick>,
}

/// Up to `n` products for customer `customer_id`, never one they have bought: association rules
/// are mined from the store's baskets (`options`: support, length, confidence, which purchases;
/// NULL: the defaults of `crm_recommend_options_init`), every rule whose left side the customer
/// has bought suggests its right side, scored by `options->metric`, best first; when the rules
/// suggest fewer than `n` and `options->fill_with_popular` is set, the most often bought
/// products the customer lacks fill up the list (scored by their support, with no
/// `because_of`). A store without baskets, or `n` 0, gives an empty list.
///
/// `*out` receives the recommendations: free them with `crm_product_recommendations_free`; NULL
/// on failure.
///
/// Errors: `CRM_NOT_FOUND` (no such customer), `CRM_INVALID_INPUT` (`min_support` NaN or outside
/// (0, 1], `min_confidence` outside [0, 1]), `CRM_INVALID_ARGUMENT` (NULL `db` or `out`, a bad
/// `options->struct_size`, an unknown `options->metric`, invalid UTF-8 in `options->category`),
/// `CRM_STORAGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_basket_recommend(
    db: *mut crm_db,
    customer_id: i64,
    n: usize,
    options: *const crm_recommend_options,
    out: *mut *mut crm_product_recommendations,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_basket_recommend", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let o =
            unsafe { versioned(options, "options") }?.unwrap_or(crm_recommend_options::DEFAULTS);
        let options = unsafe { recommend_options(&o) }?;
        let picks = db
            .crm
            .baskets()
            .recommend(customer_id, n, &options)?
            .into_iter()
            .map(ProductPick::new)
            .collect::<Result<_>>()?;
        *out = boxed(crm_product_recommendations { picks });
        Ok(())
    })
}

/// The guard of a product recommendation accessor: `f` of product `i`, or `fallback` for NULL
/// or an `i` out of range.
fn read_pick<T: Copy>(
    name: &'static str,
    recs: *const crm_product_recommendations,
    i: usize,
    fallback: T,
    f: impl FnOnce(&ProductPick) -> T,
) -> T {
    // SAFETY: NULL or live recommendations, by every caller's contract.
    read_at(
        name,
        unsafe { recs.as_ref() },
        |r| r.picks.as_slice(),
        i,
        fallback,
        f,
    )
}

/// The number of recommended products; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_recommendations_len(
    recs: *const crm_product_recommendations,
) -> usize {
    // SAFETY: NULL or live recommendations.
    read(
        "crm_product_recommendations_len",
        unsafe { recs.as_ref() },
        0,
        |r| r.picks.len(),
    )
}

/// The id of recommended product `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_recommendations_product_id(
    recs: *const crm_product_recommendations,
    i: usize,
) -> i64 {
    read_pick("crm_product_recommendations_product_id", recs, i, 0, |p| {
        p.id
    })
}

/// The sku of recommended product `i`; NULL when `i` is out of range. Valid until the
/// recommendations are freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_recommendations_sku(
    recs: *const crm_product_recommendations,
    i: usize,
) -> *const c_char {
    read_pick(
        "crm_product_recommendations_sku",
        recs,
        i,
        ptr::null(),
        |p| p.sku.as_ptr(),
    )
}

/// The name of recommended product `i`; NULL when `i` is out of range. Valid until the
/// recommendations are freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_recommendations_name(
    recs: *const crm_product_recommendations,
    i: usize,
) -> *const c_char {
    read_pick(
        "crm_product_recommendations_name",
        recs,
        i,
        ptr::null(),
        |p| p.name.as_ptr(),
    )
}

/// The score of recommended product `i`: the best value of the ranking metric among the rules
/// that suggest it, or its support when it fills up as a popular product; NaN when `i` is out of
/// range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_recommendations_score(
    recs: *const crm_product_recommendations,
    i: usize,
) -> f64 {
    read_pick(
        "crm_product_recommendations_score",
        recs,
        i,
        f64::NAN,
        |p| p.score,
    )
}

/// The number of products the customer has that led to product `i` (the antecedent of its best
/// rule); 0 for a popular fill-up or when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_recommendations_because_of_len(
    recs: *const crm_product_recommendations,
    i: usize,
) -> usize {
    read_pick(
        "crm_product_recommendations_because_of_len",
        recs,
        i,
        0,
        |p| p.because_of.len(),
    )
}

/// The ids of the products that led to product `i`:
/// `crm_product_recommendations_because_of_len(recs, i)` of them; NULL when there are none or
/// `i` is out of range. Borrowed: valid until the recommendations are freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_recommendations_because_of(
    recs: *const crm_product_recommendations,
    i: usize,
) -> *const i64 {
    read_pick(
        "crm_product_recommendations_because_of",
        recs,
        i,
        ptr::null(),
        |p| array(&p.because_of),
    )
}

/// Frees product recommendations. Does nothing when `recs` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_recommendations_free(recs: *mut crm_product_recommendations) {
    guard_value("crm_product_recommendations_free", (), || {
        if !recs.is_null() {
            // SAFETY: from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(recs) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm_code::*;
    use std::ffi::CStr;

    #[test]
    fn metric_constants_follow_the_core() {
        for (k, ((c, m), core)) in METRICS.iter().zip(Metric::ALL).enumerate() {
            assert_eq!(*c as usize, k);
            assert_eq!(*m, core);
            let name = unsafe { CStr::from_ptr(crm_metric_name(*c)) };
            assert_eq!(name.to_str().unwrap(), core.as_str());
        }
        assert!(crm_metric_name(12).is_null());
        assert!(crm_metric_name(-1).is_null());
        for (c, a) in [
            CRM_ALGORITHM_APRIORI,
            CRM_ALGORITHM_FPGROWTH,
            CRM_ALGORITHM_ECLAT,
        ]
        .into_iter()
        .zip(Algorithm::ALL)
        {
            assert_eq!(algorithm_of(c).unwrap(), a);
        }
        assert!(algorithm_of(3).is_err());
    }

    #[test]
    fn recommend_defaults_are_the_cores() {
        let o = unsafe { recommend_options(&crm_recommend_options::DEFAULTS) }.unwrap();
        assert_eq!(o, RecommendOptions::default());
        let b = unsafe { basket_selection(CRM_TIME_NONE, CRM_TIME_NONE, ptr::null(), "o") };
        assert_eq!(b.unwrap(), BasketOptions::default());
    }

    #[test]
    fn long_format_round_trip() {
        // Baskets 7: {10, 20}, 8: {10, 20, 30}, 9: {10}; 20 repeated in basket 7.
        let baskets = [7i64, 7, 8, 8, 8, 9, 7];
        let items = [10i64, 20, 20, 30, 10, 10, 20];
        let mut sets = ptr::null_mut();
        let code = unsafe {
            crm_frequent_itemsets(
                baskets.as_ptr(),
                items.as_ptr(),
                items.len(),
                0.6,
                0,
                CRM_ALGORITHM_ECLAT,
                &mut sets,
            )
        };
        assert_eq!(code, 0);
        assert_eq!(unsafe { crm_itemsets_len(sets) }, 3);
        assert_eq!(unsafe { crm_itemsets_n_transactions(sets) }, 3);
        assert_eq!(unsafe { crm_itemsets_size(sets, 2) }, 2);
        let pair = unsafe { std::slice::from_raw_parts(crm_itemsets_items(sets, 2), 2) };
        assert_eq!(pair, [10, 20]);
        assert_eq!(unsafe { crm_itemsets_count(sets, 2) }, 2);
        assert!(unsafe { crm_itemsets_items(sets, 3) }.is_null());
        assert!(unsafe { crm_itemsets_support(sets, 3) }.is_nan());

        let mut rules = ptr::null_mut();
        let code =
            unsafe { crm_association_rules(sets, 0, CRM_METRIC_CONFIDENCE, 0.0, 0, &mut rules) };
        assert_eq!(code, 0);
        assert_eq!(unsafe { crm_rules_len(rules) }, 2);
        let mut recs = ptr::null_mut();
        let basket = [10i64, 99];
        let code =
            unsafe { crm_recommend(rules, basket.as_ptr(), 2, 5, CRM_METRIC_LIFT, &mut recs) };
        assert_eq!(code, 0);
        assert_eq!(unsafe { crm_recommendations_len(recs) }, 1);
        assert_eq!(unsafe { crm_recommendations_item(recs, 0) }, 20);
        assert_eq!(unsafe { *crm_recommendations_antecedent(recs, 0) }, 10);
        unsafe {
            crm_recommendations_free(recs);
            crm_rules_free(rules);
            crm_itemsets_free(sets);
        }

        let code =
            unsafe { crm_frequent_itemsets(ptr::null(), items.as_ptr(), 3, 0.5, 0, 0, &mut sets) };
        assert_eq!(code, CRM_INVALID_ARGUMENT as c_int);
        assert!(sets.is_null());
    }
}
