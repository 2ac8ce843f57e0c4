//! `crm.Product`: a catalogue product as stored, read-only; and products in from prepared columns.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crm_core::{Money, NewProduct};
use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyDict};

use crate::columns::{optional_int_column, text_column};
use crate::convert::{self, datetime};
use crate::errors::{PyCrmResult, invalid_argument};

/// The columns `products.add_many` knows, in the order messages list them.
pub const NEW_COLUMNS: [&str; 5] = ["sku", "name", "category", "price", "currency"];

/// A list price from its two halves: both or neither.
pub fn price(minor: Option<i64>, currency: Option<&str>) -> crm_core::Result<Option<Money>> {
    let apart =
        |m: &str| crm_core::Error::InvalidArgument(format!("price and currency go together: {m}"));
    match (minor, currency) {
        (Some(minor), Some(currency)) => Ok(Some(Money::new(minor, currency)?)),
        (None, None) => Ok(None),
        (Some(_), None) => Err(apart("a price needs a currency")),
        (None, Some(_)) => Err(apart("a currency needs a price")),
    }
}

/// Products to create from prepared columns: `sku`, `name` (required), `category`, `currency`
/// (lists of str / None) and `price` (an int64 array whose smallest int64 marks a missing
/// value, or a list of int / None). Refuses unknown columns and columns of different lengths.
pub fn from_columns(columns: &Bound<'_, PyDict>) -> PyCrmResult<Vec<NewProduct>> {
    let mut sku = None;
    let mut name = None;
    let mut category = None;
    let mut minor = None;
    let mut currency = None;
    let mut unknown = Vec::new();
    for (key, col) in columns.iter() {
        let key = convert::text(&key, "column name")?;
        match key.as_str() {
            "sku" => sku = Some(text_column(&col, "sku")?),
            "name" => name = Some(text_column(&col, "name")?),
            "category" => category = Some(text_column(&col, "category")?),
            "price" => minor = Some(optional_int_column(&col, "price")?),
            "currency" => currency = Some(text_column(&col, "currency")?),
            _ => unknown.push(format!("{key:?}")),
        }
    }
    if !unknown.is_empty() {
        return Err(invalid_argument(format!(
            "unknown column(s) {} (known: {})",
            unknown.join(", "),
            NEW_COLUMNS.join(", ")
        )));
    }
    let (Some(sku), Some(name)) = (sku, name) else {
        return Err(invalid_argument(format!(
            "the sku and name columns are required (known columns: {})",
            NEW_COLUMNS.join(", ")
        )));
    };
    let n = sku.len();
    for (col, len) in [
        ("name", Some(name.len())),
        ("category", category.as_ref().map(Vec::len)),
        ("price", minor.as_ref().map(Vec::len)),
        ("currency", currency.as_ref().map(Vec::len)),
    ] {
        if let Some(len) = len.filter(|&len| len != n) {
            return Err(invalid_argument(format!(
                "column {col} has {len} values, sku has {n}"
            )));
        }
    }
    let mut category = category.map(Vec::into_iter);
    let mut minor = minor.map(Vec::into_iter);
    let mut currency = currency.map(Vec::into_iter);
    let mut rows = Vec::with_capacity(n);
    for (row, (sku, name)) in sku.into_iter().zip(name).enumerate() {
        let minor = minor.as_mut().and_then(Iterator::next).flatten();
        let currency = currency.as_mut().and_then(Iterator::next).flatten();
        rows.push(NewProduct {
            // A missing sku or name: the core's "required" error, with the row.
            sku: sku.unwrap_or_default(),
            name: name.unwrap_or_default(),
            category: category.as_mut().and_then(Iterator::next).flatten(),
            price: price(minor, currency.as_deref()).map_err(|e| e.in_row(row))?,
        });
    }
    Ok(rows)
}

/// A catalogue product as stored: trimmed text, the store's id, the list price in minor units
/// with its currency (or neither), and the creation time (aware UTC datetime). Read-only.
#[pyclass(frozen, module = "crm", name = "Product")]
pub struct PyProduct(pub crm_core::Product);

#[pymethods]
impl PyProduct {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// Stock-keeping unit: the product's unique key.
    #[getter]
    fn sku(&self) -> &str {
        &self.0.sku
    }

    /// Display name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// Category, or None.
    #[getter]
    fn category(&self) -> Option<&str> {
        self.0.category.as_deref()
    }

    /// List price in minor units of `currency` (cents for EUR), or None.
    #[getter]
    fn price(&self) -> Option<i64> {
        self.0.price.map(|m| m.minor)
    }

    /// The price's ISO-4217 currency code (upper-case), or None.
    #[getter]
    fn currency(&self) -> Option<&str> {
        self.0.price.as_ref().map(|m| m.currency.as_str())
    }

    /// When the product was created (aware, UTC).
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.created_at)
    }

    /// The product as a dict of its fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let p = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", p.id)?;
        d.set_item("sku", &p.sku)?;
        d.set_item("name", &p.name)?;
        d.set_item("category", p.category.as_deref())?;
        d.set_item("price", self.price())?;
        d.set_item("currency", self.currency())?;
        d.set_item("created_at", datetime(py, p.created_at)?)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let p = &self.0;
        Ok(format!(
            "Product(id={}, sku={}, name={}, category={}, price={}, currency={})",
            p.id,
            p.sku.as_str().into_pyobject(py)?.repr()?,
            p.name.as_str().into_pyobject(py)?.repr()?,
            p.category.as_deref().into_pyobject(py)?.repr()?,
            self.price().into_pyobject(py)?.repr()?,
            self.currency().into_pyobject(py)?.repr()?,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyProduct>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        // Products do not change once stored: the id identifies the value.
        let mut h = DefaultHasher::new();
        self.0.id.hash(&mut h);
        h.finish()
    }
}
