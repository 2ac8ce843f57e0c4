//! Market-basket analysis across the boundary: the frequent-itemset miners, association rules
//! and recommendations of `crm_core::analytics` as module functions of `crm._crm`, and the
//! store-backed calls behind `db.frequent_itemsets`, `db.association_rules` and `db.recommend`
//! (a `#[pymethods]` block of its own on `Database`).
//!
//! Everything crosses as numpy arrays of integer codes: the Python package
//! (`crm.analytics.frequent_patterns`) turns labels into codes with `pandas.factorize` and back
//! into frozensets, so no Python object is made per basket row. A list of itemsets (or of rule
//! sides) crosses as CSR: `offsets` (int64, one more than the sets) and the sets' `items`
//! (int64 codes), set `k` being `items[offsets[k]..offsets[k + 1]]`.
//!
//! The inputs are copied out of their arrays while the GIL is held; the mining then runs with the
//! GIL released, and a panic (a bug) becomes `crm.InternalError`.

use crm_core::Product;
use crm_core::analytics::baskets::{Itemsets, Transactions};
use crm_core::analytics::itemsets::{self, Algorithm};
use crm_core::analytics::recommend;
use crm_core::analytics::rules::{self, Metric, Rule};
use crm_core::baskets::{BasketOptions, RecommendOptions};
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::columns::int_column;
use crate::convert::{self, type_name};
use crate::database::Database;
use crate::errors::{PyCrmError, PyCrmResult, invalid_argument};
use crate::stats::real;

/// Runs `f` with the GIL released, turning a panic into `INTERNAL`.
fn detached<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> crm_core::Result<T> + Send,
) -> PyCrmResult<T> {
    py.detach(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
            let what = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("(no message)");
            Err(crm_core::Error::Internal(format!(
                "{what} (a bug in crm; please report it)"
            )))
        })
    })
    .map_err(PyCrmError::from)
}

// ---------------------------------------------------------------- arguments

fn algorithm(obj: &Bound<'_, PyAny>) -> PyCrmResult<Algorithm> {
    Ok(convert::text(obj, "algorithm")?.parse()?)
}

fn metric(obj: &Bound<'_, PyAny>) -> PyCrmResult<Metric> {
    Ok(convert::text(obj, "metric")?.parse()?)
}

/// `max_len`: None (no limit) or an int of at least 1.
fn max_len(obj: &Bound<'_, PyAny>) -> PyCrmResult<Option<usize>> {
    match convert::optional_int(Some(obj), "max_len")? {
        None => Ok(None),
        Some(n) if n >= 1 => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
        Some(n) => {
            Err(crm_core::Error::invalid("max_len", n.to_string(), "must be at least 1").into())
        }
    }
}

/// A count that must not be negative (`n`, `num_itemsets`), as a value check.
fn count(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<usize> {
    let n = convert::int(obj, what)?;
    usize::try_from(n)
        .map_err(|_| crm_core::Error::invalid(what, n.to_string(), "must not be negative").into())
}

/// Item codes from int64 values: each in `0..2³²`.
fn codes(values: Vec<i64>, what: &str) -> crm_core::Result<Vec<u32>> {
    values
        .into_iter()
        .enumerate()
        .map(|(row, v)| {
            u32::try_from(v).map_err(|_| {
                crm_core::Error::InvalidArgument(format!(
                    "{what}, row {row}: item code {v} is not in 0..2**32"
                ))
            })
        })
        .collect()
}

/// A float64 column: a float64 numpy array (copied), or a list-like of numbers.
fn float_column(col: &Bound<'_, PyAny>, name: &str) -> PyCrmResult<Vec<f64>> {
    if let Ok(arr) = col.cast::<PyArray1<f64>>() {
        let ro = arr
            .try_readonly()
            .map_err(|e| invalid_argument(format!("column {name}: cannot read the array ({e})")))?;
        return Ok(ro.as_array().to_vec());
    }
    let iter = crate::columns::column_iter(col, name)?;
    let mut out = Vec::new();
    for (row, v) in iter.enumerate() {
        out.push(real(&v?, &format!("column {name}, row {row}"))?);
    }
    Ok(out)
}

/// Sets in CSR form (`offsets`, `items`), checked: offsets start at 0, never decrease and end
/// at the number of items.
fn sets_from_csr(
    offsets: Vec<i64>,
    items: Vec<u32>,
    what: &str,
) -> crm_core::Result<Vec<Vec<u32>>> {
    let bad = || {
        crm_core::Error::InvalidArgument(format!(
            "{what}: offsets must start at 0, never decrease and end at the number of items ({})",
            items.len()
        ))
    };
    if offsets.first() != Some(&0) || offsets.last().copied() != i64::try_from(items.len()).ok() {
        return Err(bad());
    }
    let mut sets = Vec::with_capacity(offsets.len() - 1);
    for w in offsets.windows(2) {
        if w[1] < w[0] {
            return Err(bad());
        }
        // Both are in 0..=items.len(), checked above and by the monotonicity.
        sets.push(items[w[0] as usize..w[1] as usize].to_vec());
    }
    Ok(sets)
}

/// Sets as CSR arrays: `(offsets, items)` as int64.
fn sets_to_csr<'a>(sets: impl Iterator<Item = &'a [u32]>) -> (Vec<i64>, Vec<i64>) {
    let mut offsets = vec![0i64];
    let mut items = Vec::new();
    for s in sets {
        items.extend(s.iter().map(|&i| i64::from(i)));
        offsets.push(items.len() as i64);
    }
    (offsets, items)
}

// ---------------------------------------------------------------- results

/// Itemsets as a dict: `offsets`, `items` (CSR, int64 codes, ascending within a set),
/// `support` (float64), `count` (int64), `n_transactions` (int).
fn itemsets_to_py<'py>(py: Python<'py>, found: Itemsets) -> PyResult<Bound<'py, PyDict>> {
    let (offsets, items) = sets_to_csr(found.itemsets.iter().map(Vec::as_slice));
    let count: Vec<i64> = found
        .count
        .iter()
        .map(|&c| i64::try_from(c).unwrap_or(i64::MAX))
        .collect();
    let d = PyDict::new(py);
    d.set_item("offsets", PyArray1::from_vec(py, offsets))?;
    d.set_item("items", PyArray1::from_vec(py, items))?;
    d.set_item("support", PyArray1::from_vec(py, found.support))?;
    d.set_item("count", PyArray1::from_vec(py, count))?;
    d.set_item("n_transactions", found.n_transactions)?;
    Ok(d)
}

/// Rules as a dict: `antecedent_offsets`, `antecedents`, `consequent_offsets`, `consequents`
/// (CSR, int64 codes) and one float64 array per metric, under mlxtend's column names.
fn rules_to_py<'py>(py: Python<'py>, rules: &[Rule]) -> PyResult<Bound<'py, PyDict>> {
    let (a_off, a_items) = sets_to_csr(rules.iter().map(|r| r.antecedent.as_slice()));
    let (c_off, c_items) = sets_to_csr(rules.iter().map(|r| r.consequent.as_slice()));
    let d = PyDict::new(py);
    d.set_item("antecedent_offsets", PyArray1::from_vec(py, a_off))?;
    d.set_item("antecedents", PyArray1::from_vec(py, a_items))?;
    d.set_item("consequent_offsets", PyArray1::from_vec(py, c_off))?;
    d.set_item("consequents", PyArray1::from_vec(py, c_items))?;
    for m in Metric::ALL {
        let values: Vec<f64> = rules.iter().map(|r| r.value(m)).collect();
        d.set_item(m.as_str(), PyArray1::from_vec(py, values))?;
    }
    Ok(d)
}

/// Mines `t` (built inside the detached call by `build`).
fn mine<'py>(
    py: Python<'py>,
    min_support: &Bound<'py, PyAny>,
    max_len: &Bound<'py, PyAny>,
    algorithm: &Bound<'py, PyAny>,
    build: impl FnOnce() -> crm_core::Result<Transactions> + Send,
) -> PyCrmResult<Bound<'py, PyDict>> {
    let min_support = real(min_support, "min_support")?;
    let max_len = self::max_len(max_len)?;
    let algorithm = self::algorithm(algorithm)?;
    let found = detached(py, || {
        let t = build()?;
        itemsets::frequent_itemsets(&t, min_support, max_len, algorithm)
    })?;
    Ok(itemsets_to_py(py, found)?)
}

// ---------------------------------------------------------------- pure functions

/// Frequent itemsets of long-format baskets: row `r` says basket `baskets[r]` (any int64 key)
/// holds item code `items[r]` (in `0..n_items`). Returns the itemsets dict (see
/// `itemsets_to_py`).
#[pyfunction]
pub fn frequent_itemsets_long<'py>(
    py: Python<'py>,
    baskets: &Bound<'py, PyAny>,
    items: &Bound<'py, PyAny>,
    n_items: &Bound<'py, PyAny>,
    min_support: &Bound<'py, PyAny>,
    max_len: &Bound<'py, PyAny>,
    algorithm: &Bound<'py, PyAny>,
) -> PyCrmResult<Bound<'py, PyDict>> {
    let baskets = int_column(baskets, "baskets")?;
    let items = int_column(items, "items")?;
    let n_items = count(n_items, "n_items")?;
    mine(py, min_support, max_len, algorithm, move || {
        let items = codes(items, "items")?;
        Transactions::from_long(&baskets, &items, n_items)
    })
}

/// Frequent itemsets of a one-hot matrix (a two-dimensional C-contiguous bool array, one row per
/// basket, one column per item; mlxtend's input shape).
#[pyfunction]
pub fn frequent_itemsets_dense<'py>(
    py: Python<'py>,
    cells: &Bound<'py, PyAny>,
    min_support: &Bound<'py, PyAny>,
    max_len: &Bound<'py, PyAny>,
    algorithm: &Bound<'py, PyAny>,
) -> PyCrmResult<Bound<'py, PyDict>> {
    let arr = cells.cast::<PyArray2<bool>>().map_err(|_| {
        invalid_argument(format!(
            "cells: expected a two-dimensional bool numpy array, got {}",
            type_name(cells)
        ))
    })?;
    let ro = arr
        .try_readonly()
        .map_err(|e| invalid_argument(format!("cells: cannot read the array ({e})")))?;
    let n_items = ro.as_array().ncols();
    let cells: Vec<bool> = match ro.as_slice() {
        Ok(s) => s.to_vec(),
        // Not C-contiguous: copy in row-major order.
        Err(_) => ro.as_array().iter().copied().collect(),
    };
    drop(ro);
    mine(py, min_support, max_len, algorithm, move || {
        Transactions::from_dense(&cells, n_items)
    })
}

/// Frequent itemsets of a sparse one-hot matrix in CSR form: row `r` (a basket) holds the item
/// codes `indices[indptr[r]..indptr[r + 1]]`, each in `0..n_items`.
#[pyfunction]
pub fn frequent_itemsets_csr<'py>(
    py: Python<'py>,
    indptr: &Bound<'py, PyAny>,
    indices: &Bound<'py, PyAny>,
    n_items: &Bound<'py, PyAny>,
    min_support: &Bound<'py, PyAny>,
    max_len: &Bound<'py, PyAny>,
    algorithm: &Bound<'py, PyAny>,
) -> PyCrmResult<Bound<'py, PyDict>> {
    let indptr = int_column(indptr, "indptr")?;
    let indices = int_column(indices, "indices")?;
    let n_items = count(n_items, "n_items")?;
    mine(py, min_support, max_len, algorithm, move || {
        let indptr: Vec<usize> = indptr
            .into_iter()
            .map(|p| {
                usize::try_from(p).map_err(|_| {
                    crm_core::Error::InvalidArgument(format!("indptr: {p} is negative"))
                })
            })
            .collect::<crm_core::Result<_>>()?;
        let indices = codes(indices, "indices")?;
        Transactions::from_csr(&indptr, &indices, n_items)
    })
}

/// Association rules (mlxtend 0.23.4's `association_rules`) of itemsets given in CSR form
/// (`offsets`, `items` codes) with their `support`; `num_itemsets` is the number of
/// transactions. Returns the rules dict (see `rules_to_py`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn association_rules<'py>(
    py: Python<'py>,
    offsets: &Bound<'py, PyAny>,
    items: &Bound<'py, PyAny>,
    support: &Bound<'py, PyAny>,
    num_itemsets: &Bound<'py, PyAny>,
    metric: &Bound<'py, PyAny>,
    min_threshold: &Bound<'py, PyAny>,
    support_only: &Bound<'py, PyAny>,
) -> PyCrmResult<Bound<'py, PyDict>> {
    let offsets = int_column(offsets, "offsets")?;
    let items = int_column(items, "items")?;
    let support = float_column(support, "support")?;
    let num_itemsets = count(num_itemsets, "num_itemsets")?;
    let metric = self::metric(metric)?;
    let min_threshold = real(min_threshold, "min_threshold")?;
    let support_only = convert::flag(support_only, "support_only")?;
    let found = detached(py, move || {
        let itemsets = sets_from_csr(offsets, codes(items, "items")?, "itemsets")?;
        let given = Itemsets {
            // Rules read the supports only; the counts are not known here.
            count: vec![0; itemsets.len()],
            itemsets,
            support,
            n_transactions: num_itemsets,
        };
        rules::association_rules(
            &given,
            Some(num_itemsets),
            metric,
            min_threshold,
            support_only,
        )
    })?;
    Ok(rules_to_py(py, &found)?)
}

/// Recommendations for a basket (item codes) from rules given as CSR sides and a dict of metric
/// columns (mlxtend's names; a missing metric is NaN for every rule): the top `n` by `metric`.
/// Returns `(item, score, rule)`: int64 codes, float64 scores, int64 indexes into the rules.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn recommend_basket<'py>(
    py: Python<'py>,
    antecedent_offsets: &Bound<'py, PyAny>,
    antecedents: &Bound<'py, PyAny>,
    consequent_offsets: &Bound<'py, PyAny>,
    consequents: &Bound<'py, PyAny>,
    metrics: &Bound<'py, PyDict>,
    basket: &Bound<'py, PyAny>,
    n: &Bound<'py, PyAny>,
    metric: &Bound<'py, PyAny>,
) -> PyCrmResult<Bound<'py, PyTuple>> {
    let a_off = int_column(antecedent_offsets, "antecedent_offsets")?;
    let a_items = int_column(antecedents, "antecedents")?;
    let c_off = int_column(consequent_offsets, "consequent_offsets")?;
    let c_items = int_column(consequents, "consequents")?;
    let n_rules = a_off.len().saturating_sub(1);
    let mut columns: Vec<Vec<f64>> = Vec::with_capacity(Metric::ALL.len());
    for m in Metric::ALL {
        columns.push(match metrics.get_item(m.as_str())? {
            Some(col) => {
                let values = float_column(&col, m.as_str())?;
                if values.len() != n_rules {
                    return Err(invalid_argument(format!(
                        "column {}: {} values for {n_rules} rules",
                        m.as_str(),
                        values.len()
                    )));
                }
                values
            }
            None => vec![f64::NAN; n_rules],
        });
    }
    for key in metrics.keys() {
        let key = convert::text(&key, "metric column")?;
        if !Metric::NAMES.contains(&key.as_str()) {
            return Err(invalid_argument(format!(
                "unknown metric column {key:?} (known: {})",
                Metric::NAMES.join(", ")
            )));
        }
    }
    let basket = int_column(basket, "basket")?;
    let n = count(n, "n")?;
    let metric = self::metric(metric)?;
    let picks = detached(py, move || {
        let ants = sets_from_csr(a_off, codes(a_items, "antecedents")?, "antecedents")?;
        let cons = sets_from_csr(c_off, codes(c_items, "consequents")?, "consequents")?;
        if cons.len() != ants.len() {
            return Err(crm_core::Error::InvalidArgument(format!(
                "{} antecedents but {} consequents",
                ants.len(),
                cons.len()
            )));
        }
        let basket = codes(basket, "basket")?;
        let col = |m: Metric, k: usize| {
            let at = Metric::ALL.iter().position(|&x| x == m).unwrap_or_default();
            columns[at][k]
        };
        let rules: Vec<Rule> = ants
            .into_iter()
            .zip(cons)
            .enumerate()
            .map(|(k, (antecedent, consequent))| Rule {
                antecedent,
                consequent,
                antecedent_support: col(Metric::AntecedentSupport, k),
                consequent_support: col(Metric::ConsequentSupport, k),
                support: col(Metric::Support, k),
                confidence: col(Metric::Confidence, k),
                lift: col(Metric::Lift, k),
                representativity: col(Metric::Representativity, k),
                leverage: col(Metric::Leverage, k),
                conviction: col(Metric::Conviction, k),
                zhangs_metric: col(Metric::ZhangsMetric, k),
                jaccard: col(Metric::Jaccard, k),
                certainty: col(Metric::Certainty, k),
                kulczynski: col(Metric::Kulczynski, k),
            })
            .collect();
        Ok(recommend::recommend(&rules, &basket, n, metric))
    })?;
    let item: Vec<i64> = picks.iter().map(|p| i64::from(p.item)).collect();
    let score: Vec<f64> = picks.iter().map(|p| p.score).collect();
    let rule: Vec<i64> = picks.iter().map(|p| p.rule as i64).collect();
    Ok(PyTuple::new(
        py,
        [
            PyArray1::from_vec(py, item).into_any(),
            PyArray1::from_vec(py, score).into_any(),
            PyArray1::from_vec(py, rule).into_any(),
        ],
    )?)
}

/// Adds the functions and the vocabularies (`BASKET_ALGORITHMS`, `RULE_METRICS`) to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let algorithms: Vec<&str> = Algorithm::ALL.iter().map(|a| a.as_str()).collect();
    m.add("BASKET_ALGORITHMS", algorithms)?;
    m.add("RULE_METRICS", Metric::NAMES.to_vec())?;
    m.add_function(wrap_pyfunction!(frequent_itemsets_long, m)?)?;
    m.add_function(wrap_pyfunction!(frequent_itemsets_dense, m)?)?;
    m.add_function(wrap_pyfunction!(frequent_itemsets_csr, m)?)?;
    m.add_function(wrap_pyfunction!(association_rules, m)?)?;
    m.add_function(wrap_pyfunction!(recommend_basket, m)?)?;
    Ok(())
}

// ---------------------------------------------------------------- the store

fn basket_options(
    since: &Bound<'_, PyAny>,
    until: &Bound<'_, PyAny>,
    category: &Bound<'_, PyAny>,
) -> PyCrmResult<BasketOptions> {
    Ok(BasketOptions {
        since: convert::timestamp(since, "since")?,
        until: convert::timestamp(until, "until")?,
        category: convert::optional_text(Some(category), "category")?,
    })
}

/// The products of the item codes as columns: `product_id` (int64), `sku`, `name` (lists).
fn products_to_py(py: Python<'_>, d: &Bound<'_, PyDict>, products: &[Product]) -> PyResult<()> {
    let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
    d.set_item("product_id", PyArray1::from_vec(py, ids))?;
    d.set_item(
        "sku",
        PyList::new(py, products.iter().map(|p| p.sku.as_str()))?,
    )?;
    d.set_item(
        "name",
        PyList::new(py, products.iter().map(|p| p.name.as_str()))?,
    )?;
    Ok(())
}

/// Orders each set's codes by product id (the core's codes follow the order products first
/// appear in the purchase lines, which means nothing to a reader).
fn by_product_id(sets: &mut [Vec<u32>], products: &[Product]) {
    for s in sets {
        s.sort_by_key(|&c| products.get(c as usize).map_or(i64::MAX, |p| p.id));
    }
}

#[pymethods]
impl Database {
    /// Frequent itemsets of the products bought together in completed purchases: the itemsets
    /// dict (codes ordered by product id within a set) plus the products of the codes
    /// (`product_id`, `sku`, `name`).
    #[pyo3(signature = (min_support, max_len, algorithm, since, until, category))]
    #[allow(clippy::too_many_arguments)]
    fn frequent_itemset_columns<'py>(
        &self,
        py: Python<'py>,
        min_support: &Bound<'py, PyAny>,
        max_len: &Bound<'py, PyAny>,
        algorithm: &Bound<'py, PyAny>,
        since: &Bound<'py, PyAny>,
        until: &Bound<'py, PyAny>,
        category: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let min_support = real(min_support, "min_support")?;
        let max_len = self::max_len(max_len)?;
        let algorithm = self::algorithm(algorithm)?;
        let options = basket_options(since, until, category)?;
        let mut found = self.with(py, |crm| {
            crm.baskets()
                .frequent_itemsets(min_support, max_len, algorithm, &options)
        })?;
        by_product_id(&mut found.itemsets.itemsets, &found.products);
        let d = itemsets_to_py(py, found.itemsets)?;
        products_to_py(py, &d, &found.products)?;
        Ok(d)
    }

    /// Association rules between the products bought together: the rules dict (codes ordered by
    /// product id within a side) plus the products of the codes.
    #[pyo3(signature = (min_support, max_len, metric, min_threshold, since, until, category))]
    #[allow(clippy::too_many_arguments)]
    fn association_rule_columns<'py>(
        &self,
        py: Python<'py>,
        min_support: &Bound<'py, PyAny>,
        max_len: &Bound<'py, PyAny>,
        metric: &Bound<'py, PyAny>,
        min_threshold: &Bound<'py, PyAny>,
        since: &Bound<'py, PyAny>,
        until: &Bound<'py, PyAny>,
        category: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let min_support = real(min_support, "min_support")?;
        let max_len = self::max_len(max_len)?;
        let metric = self::metric(metric)?;
        let min_threshold = real(min_threshold, "min_threshold")?;
        let options = basket_options(since, until, category)?;
        let mut found = self.with(py, |crm| {
            crm.baskets()
                .rules(min_support, max_len, metric, min_threshold, &options)
        })?;
        for r in &mut found.rules {
            by_product_id(std::slice::from_mut(&mut r.antecedent), &found.products);
            by_product_id(std::slice::from_mut(&mut r.consequent), &found.products);
        }
        let d = rules_to_py(py, &found.rules)?;
        products_to_py(py, &d, &found.products)?;
        Ok(d)
    }

    /// Up to `n` products for a customer: columns `product_id` (int64), `sku`, `name` (lists),
    /// `score` (float64) and `because_of` (a list of tuples of product ids).
    #[pyo3(signature = (customer_id, n, min_support, max_len, min_confidence, metric, fill_with_popular, since, until, category))]
    #[allow(clippy::too_many_arguments)]
    fn recommend_columns<'py>(
        &self,
        py: Python<'py>,
        customer_id: &Bound<'py, PyAny>,
        n: &Bound<'py, PyAny>,
        min_support: &Bound<'py, PyAny>,
        max_len: &Bound<'py, PyAny>,
        min_confidence: &Bound<'py, PyAny>,
        metric: &Bound<'py, PyAny>,
        fill_with_popular: &Bound<'py, PyAny>,
        since: &Bound<'py, PyAny>,
        until: &Bound<'py, PyAny>,
        category: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let customer_id = convert::int(customer_id, "customer_id")?;
        let n = count(n, "n")?;
        let options = RecommendOptions {
            min_support: real(min_support, "min_support")?,
            max_len: self::max_len(max_len)?,
            min_confidence: real(min_confidence, "min_confidence")?,
            metric: self::metric(metric)?,
            fill_with_popular: convert::flag(fill_with_popular, "fill_with_popular")?,
            baskets: basket_options(since, until, category)?,
        };
        let picks = self.with(py, |crm| crm.baskets().recommend(customer_id, n, &options))?;
        let products: Vec<Product> = picks.iter().map(|p| p.product.clone()).collect();
        let d = PyDict::new(py);
        products_to_py(py, &d, &products)?;
        let score: Vec<f64> = picks.iter().map(|p| p.score).collect();
        d.set_item("score", PyArray1::from_vec(py, score))?;
        let because = PyList::empty(py);
        for p in &picks {
            because.append(PyTuple::new(py, &p.because_of)?)?;
        }
        d.set_item("because_of", because)?;
        Ok(d)
    }
}
