//! Columnar purchases across the boundary: `NewPurchaseColumns` in from prepared columns (the
//! bulk-load path), `PurchaseColumns` and `LineItemColumns` out as numpy arrays and lists (the
//! Python package turns them into DataFrames).
//!
//! Ids, amounts, quantities, prices and times cross as `int64` arrays (times as µs since the
//! epoch, UTC); currencies and statuses as small integer codes into a list of values. Only text
//! (external ids, skus, names, categories) needs one Python object per value.

use std::collections::BTreeSet;

use crm_core::{Currency, LineItemColumns, NewPurchaseColumns, PurchaseColumns, PurchaseStatus};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::columns::{
    coded_column, int_column, micros, optional_int_column, text_column, time_column,
};
use crate::convert;
use crate::errors::{PyCrmResult, invalid_argument};

/// The purchase columns `purchases.add_many` knows, in the order messages list them.
pub const NEW_COLUMNS: [&str; 6] = [
    "customer_id",
    "amount",
    "currency",
    "purchased_at",
    "status",
    "external_id",
];

/// The line item columns `purchases.add_many` knows.
pub const NEW_ITEM_COLUMNS: [&str; 7] = [
    "purchase_row",
    "product_id",
    "sku",
    "name",
    "category",
    "quantity",
    "unit_price",
];

fn currency(text: Option<&str>) -> crm_core::Result<Currency> {
    // A missing currency gets the core's "three-letter code" message.
    text.unwrap_or("").parse()
}

fn status(text: Option<&str>) -> crm_core::Result<PurchaseStatus> {
    text.map_or(Ok(PurchaseStatus::default()), str::parse)
}

fn unknown_columns(unknown: &[String], known: &[&str]) -> PyCrmResult<()> {
    if unknown.is_empty() {
        return Ok(());
    }
    Err(invalid_argument(format!(
        "unknown column(s) {} (known: {})",
        unknown.join(", "),
        known.join(", ")
    )))
}

fn required_column<T>(col: Option<T>, table: &str, name: &str, known: &[&str]) -> PyCrmResult<T> {
    col.ok_or_else(|| {
        invalid_argument(format!(
            "{table}: a {name} column is required (known columns: {})",
            known.join(", ")
        ))
    })
}

/// Builds `NewPurchaseColumns` from prepared purchase columns and, optionally, line item
/// columns. Purchases: `customer_id`, `amount` (int64 arrays or lists of int), `currency` (see
/// `coded_column`), `purchased_at` (int64 µs array, NaT = missing, or datetimes / None), `status`
/// (see `coded_column`), `external_id` (str / None). Items: `purchase_row`, `quantity`,
/// `unit_price` (required), `product_id` (missing = the smallest int64 or None), `sku`, `name`,
/// `category`. Lengths and row ranges are checked by the core.
pub fn from_py(
    purchases: &Bound<'_, PyDict>,
    items: Option<&Bound<'_, PyDict>>,
) -> PyCrmResult<NewPurchaseColumns> {
    let mut cols = NewPurchaseColumns::default();
    let (mut customer_id, mut amount, mut currencies, mut statuses) = (None, None, None, None);
    let mut unknown = Vec::new();
    for (key, col) in purchases.iter() {
        let key = convert::text(&key, "column name")?;
        match key.as_str() {
            "customer_id" => customer_id = Some(int_column(&col, "customer_id")?),
            "amount" => amount = Some(int_column(&col, "amount")?),
            "currency" => currencies = Some(coded_column(&col, "currency", currency)?),
            "purchased_at" => cols.purchased_at = time_column(&col, "purchased_at")?,
            "status" => statuses = Some(coded_column(&col, "status", status)?),
            "external_id" => cols.external_id = text_column(&col, "external_id")?,
            _ => unknown.push(format!("{key:?}")),
        }
    }
    unknown_columns(&unknown, &NEW_COLUMNS)?;
    cols.customer_id = required_column(customer_id, "purchases", "customer_id", &NEW_COLUMNS)?;
    cols.amount = required_column(amount, "purchases", "amount", &NEW_COLUMNS)?;
    let n = cols.customer_id.len();
    cols.currency =
        required_column(currencies, "purchases", "currency", &NEW_COLUMNS)?.into_rows(n);
    cols.status = statuses.map_or_else(Vec::new, |s| s.into_rows(n));

    let Some(items) = items else {
        return Ok(cols);
    };
    let (mut purchase_row, mut quantity, mut unit_price) = (None, None, None);
    for (key, col) in items.iter() {
        let key = convert::text(&key, "column name")?;
        match key.as_str() {
            "purchase_row" => purchase_row = Some(int_column(&col, "purchase_row")?),
            "product_id" => cols.item_product_id = optional_int_column(&col, "product_id")?,
            "sku" => cols.item_sku = text_column(&col, "sku")?,
            "name" => cols.item_name = text_column(&col, "name")?,
            "category" => cols.item_category = text_column(&col, "category")?,
            "quantity" => quantity = Some(int_column(&col, "quantity")?),
            "unit_price" => unit_price = Some(int_column(&col, "unit_price")?),
            _ => unknown.push(format!("{key:?}")),
        }
    }
    if !unknown.is_empty() {
        return Err(invalid_argument(format!(
            "items: unknown column(s) {} (known: {})",
            unknown.join(", "),
            NEW_ITEM_COLUMNS.join(", ")
        )));
    }
    let purchase_row = required_column(purchase_row, "items", "purchase_row", &NEW_ITEM_COLUMNS)?;
    cols.item_quantity = required_column(quantity, "items", "quantity", &NEW_ITEM_COLUMNS)?;
    cols.item_unit_price = required_column(unit_price, "items", "unit_price", &NEW_ITEM_COLUMNS)?;
    cols.item_purchase_row = purchase_row
        .into_iter()
        .enumerate()
        .map(|(j, row)| {
            usize::try_from(row).map_err(|_| {
                invalid_argument(format!(
                    "item {j}: purchase row {row} is out of range (there are {n} purchases)"
                ))
            })
        })
        .collect::<PyCrmResult<_>>()?;
    Ok(cols)
}

fn status_code(s: PurchaseStatus) -> i8 {
    // Three statuses: the position always fits.
    PurchaseStatus::ALL
        .iter()
        .position(|x| *x == s)
        .and_then(|p| i8::try_from(p).ok())
        .unwrap_or(-1)
}

/// `PurchaseColumns` as a dict: `id`, `customer_id`, `amount` and `purchased_at` (µs since the
/// epoch, UTC) as int64 arrays; `currency` as int16 codes into `currencies` (sorted, distinct);
/// `status` as int8 codes into `PURCHASE_STATUSES`; `external_id` as a list of str / None.
pub fn to_py(py: Python<'_>, cols: PurchaseColumns) -> PyResult<Bound<'_, PyDict>> {
    let distinct: Vec<Currency> = cols
        .currency
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // ISO codes are three letters: at most 26³ distinct values, so an int16 code always fits.
    let currency: Vec<i16> = cols
        .currency
        .iter()
        .map(|c| {
            distinct
                .binary_search(c)
                .ok()
                .and_then(|k| i16::try_from(k).ok())
                .unwrap_or(-1)
        })
        .collect();
    let status: Vec<i8> = cols.status.iter().map(|&s| status_code(s)).collect();
    let d = PyDict::new(py);
    d.set_item("id", PyArray1::from_vec(py, cols.id))?;
    d.set_item("customer_id", PyArray1::from_vec(py, cols.customer_id))?;
    d.set_item("external_id", PyList::new(py, cols.external_id)?)?;
    d.set_item(
        "purchased_at",
        PyArray1::from_vec(py, micros(&cols.purchased_at)),
    )?;
    d.set_item("amount", PyArray1::from_vec(py, cols.amount))?;
    d.set_item("currency", PyArray1::from_vec(py, currency))?;
    d.set_item(
        "currencies",
        PyList::new(py, distinct.iter().map(Currency::as_str))?,
    )?;
    d.set_item("status", PyArray1::from_vec(py, status))?;
    Ok(d)
}

/// `LineItemColumns` as a dict: `purchase_id`, `customer_id`, `purchased_at` (µs since the
/// epoch, UTC), `line`, `quantity`, `unit_price` as int64 arrays; `product_id` as an int64 array
/// with a bool array `product_id_missing`; `sku`, `name`, `category` as lists of str / None.
pub fn line_items_to_py(py: Python<'_>, cols: LineItemColumns) -> PyResult<Bound<'_, PyDict>> {
    let product_missing: Vec<bool> = cols.product_id.iter().map(Option::is_none).collect();
    let product_id: Vec<i64> = cols.product_id.iter().map(|p| p.unwrap_or(0)).collect();
    let d = PyDict::new(py);
    d.set_item("purchase_id", PyArray1::from_vec(py, cols.purchase_id))?;
    d.set_item("customer_id", PyArray1::from_vec(py, cols.customer_id))?;
    d.set_item(
        "purchased_at",
        PyArray1::from_vec(py, micros(&cols.purchased_at)),
    )?;
    d.set_item("line", PyArray1::from_vec(py, cols.line))?;
    d.set_item("product_id", PyArray1::from_vec(py, product_id))?;
    d.set_item(
        "product_id_missing",
        PyArray1::from_vec(py, product_missing),
    )?;
    d.set_item("sku", PyList::new(py, cols.sku)?)?;
    d.set_item("name", PyList::new(py, cols.name)?)?;
    d.set_item("category", PyList::new(py, cols.category)?)?;
    d.set_item("quantity", PyArray1::from_vec(py, cols.quantity))?;
    d.set_item("unit_price", PyArray1::from_vec(py, cols.unit_price))?;
    Ok(d)
}
