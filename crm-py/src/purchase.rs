//! `crm.Purchase` and `crm.LineItem`: a purchase and its lines as stored, read-only; and the
//! lines of a new purchase from Python (dicts or `LineItem`s).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crm_core::NewLineItem;
use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyDict, PyList, PyMapping, PyString};

use crate::convert::{self, datetime, type_name};
use crate::errors::{PyCrmResult, invalid_argument};

/// The keys a line item dict may have.
pub const LINE_ITEM_KEYS: &str = "product_id, sku, name, category, quantity, unit_price, line";

/// One line, the `position`-th (from 1), from a dict (`quantity` and `unit_price` required) or a
/// `crm.LineItem` (whose `line` is not used). Lines are numbered by their place in `items`; a
/// dict may carry a `line` key (as `LineItem.to_dict()` gives) only when it says that place.
fn line_item(obj: &Bound<'_, PyAny>, what: &str, position: i64) -> PyCrmResult<NewLineItem> {
    if let Ok(stored) = obj.cast::<PyLineItem>() {
        let l = &stored.get().0;
        return Ok(NewLineItem {
            product_id: l.product_id,
            sku: l.sku.clone(),
            name: Some(l.name.clone()),
            category: l.category.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price,
        });
    }
    let Ok(map) = obj.cast::<PyMapping>() else {
        return Err(invalid_argument(format!(
            "{what}: expected a dict or a crm.LineItem, got {}",
            type_name(obj)
        )));
    };
    let mut item = NewLineItem::default();
    let (mut quantity, mut unit_price) = (None, None);
    for pair in map.items()?.iter() {
        let (key, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.extract()?;
        let key = convert::text(&key, &format!("{what}: key"))?;
        let field = format!("{what}.{key}");
        match key.as_str() {
            "line" => {
                let line = convert::int(&v, &field)?;
                if line != position {
                    return Err(invalid_argument(format!(
                        "{field}: is {line}, but this is line {position} (lines are numbered by \
                         their order in items)"
                    )));
                }
            }
            "product_id" => {
                item.product_id = if v.is_none() {
                    None
                } else {
                    Some(convert::int(&v, &field)?)
                }
            }
            "sku" => item.sku = convert::optional_text(Some(&v), &field)?,
            "name" => item.name = convert::optional_text(Some(&v), &field)?,
            "category" => item.category = convert::optional_text(Some(&v), &field)?,
            "quantity" => quantity = Some(convert::int(&v, &field)?),
            "unit_price" => unit_price = Some(convert::int(&v, &field)?),
            other => {
                return Err(invalid_argument(format!(
                    "{what}: unknown key {other:?} (known: {LINE_ITEM_KEYS})"
                )));
            }
        }
    }
    match (quantity, unit_price) {
        (Some(q), Some(p)) => {
            item.quantity = q;
            item.unit_price = p;
            Ok(item)
        }
        (None, _) => Err(invalid_argument(format!("{what}: quantity is required"))),
        (_, None) => Err(invalid_argument(format!("{what}: unit_price is required"))),
    }
}

/// The lines of a new purchase: None, or a list-like of dicts / `crm.LineItem`s.
pub fn line_items(obj: &Bound<'_, PyAny>) -> PyCrmResult<Vec<NewLineItem>> {
    if obj.is_none() {
        return Ok(Vec::new());
    }
    if obj.is_instance_of::<PyString>() || obj.cast::<PyMapping>().is_ok() {
        return Err(invalid_argument(format!(
            "items: expected a list of line items (dicts), got {}",
            type_name(obj)
        )));
    }
    let iter = obj.try_iter().map_err(|_| {
        invalid_argument(format!(
            "items: expected a list of line items (dicts), got {}",
            type_name(obj)
        ))
    })?;
    let mut out = Vec::new();
    for (i, item) in iter.enumerate() {
        let position = i64::try_from(i + 1).unwrap_or(i64::MAX);
        out.push(line_item(&item?, &format!("items[{i}]"), position)?);
    }
    Ok(out)
}

/// One line of a purchase as stored: its position (from 1), the catalogue product it names (when
/// the line named one that exists), the sku, name and category (from the catalogue when not
/// given), the quantity and the unit price in minor units of the purchase's currency. Read-only.
#[pyclass(frozen, module = "crm", name = "LineItem")]
pub struct PyLineItem(pub crm_core::LineItem);

impl PyLineItem {
    fn dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let l = &self.0;
        let d = PyDict::new(py);
        d.set_item("line", l.line)?;
        d.set_item("product_id", l.product_id)?;
        d.set_item("sku", l.sku.as_deref())?;
        d.set_item("name", &l.name)?;
        d.set_item("category", l.category.as_deref())?;
        d.set_item("quantity", l.quantity)?;
        d.set_item("unit_price", l.unit_price)?;
        Ok(d)
    }
}

#[pymethods]
impl PyLineItem {
    /// Position in the purchase, from 1.
    #[getter]
    fn line(&self) -> i64 {
        self.0.line
    }

    /// The catalogue product's id, or None when the line names no catalogue product.
    #[getter]
    fn product_id(&self) -> Option<i64> {
        self.0.product_id
    }

    /// The product's sku, or None.
    #[getter]
    fn sku(&self) -> Option<&str> {
        self.0.sku.as_deref()
    }

    /// Product name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// Category, or None.
    #[getter]
    fn category(&self) -> Option<&str> {
        self.0.category.as_deref()
    }

    /// Units bought (at least 1).
    #[getter]
    fn quantity(&self) -> i64 {
        self.0.quantity
    }

    /// Price of one unit in minor units of the purchase's currency.
    #[getter]
    fn unit_price(&self) -> i64 {
        self.0.unit_price
    }

    /// The line as a dict of its fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.dict(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let l = &self.0;
        Ok(format!(
            "LineItem(line={}, product_id={}, sku={}, name={}, quantity={}, unit_price={})",
            l.line,
            l.product_id.into_pyobject(py)?.repr()?,
            l.sku.as_deref().into_pyobject(py)?.repr()?,
            l.name.as_str().into_pyobject(py)?.repr()?,
            l.quantity,
            l.unit_price
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyLineItem>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        let l = &self.0;
        let mut h = DefaultHasher::new();
        (
            l.line,
            l.product_id,
            &l.sku,
            &l.name,
            &l.category,
            l.quantity,
            l.unit_price,
        )
            .hash(&mut h);
        h.finish()
    }
}

/// A purchase as stored: who bought, when (aware UTC datetime), the amount paid in minor units of
/// its currency, the status (completed, refunded or cancelled), the order number from another
/// system, when it was recorded, and its lines. Read-only; `db.purchases.set_status` returns a
/// new `Purchase`.
#[pyclass(frozen, module = "crm", name = "Purchase")]
pub struct PyPurchase(pub crm_core::Purchase);

#[pymethods]
impl PyPurchase {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// The buyer's customer id.
    #[getter]
    fn customer_id(&self) -> i64 {
        self.0.customer_id
    }

    /// The order number in another system (unique), or None.
    #[getter]
    fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }

    /// When the purchase was made (aware, UTC).
    #[getter]
    fn purchased_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.purchased_at)
    }

    /// Total paid, in minor units of `currency` (cents for EUR). Need not equal the sum of the
    /// lines (shipping, tax, discounts).
    #[getter]
    fn amount(&self) -> i64 {
        self.0.amount.minor
    }

    /// ISO-4217 currency code, upper-case.
    #[getter]
    fn currency(&self) -> &str {
        self.0.amount.currency.as_str()
    }

    /// completed, refunded or cancelled.
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status.as_str()
    }

    /// When the purchase was recorded (aware, UTC).
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.created_at)
    }

    /// The lines, in order (a new list of `crm.LineItem` on each access).
    #[getter]
    fn items(&self) -> Vec<PyLineItem> {
        self.0.items.iter().cloned().map(PyLineItem).collect()
    }

    /// The purchase as a dict of its fields; `items` as a list of dicts.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let p = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", p.id)?;
        d.set_item("customer_id", p.customer_id)?;
        d.set_item("external_id", p.external_id.as_deref())?;
        d.set_item("purchased_at", datetime(py, p.purchased_at)?)?;
        d.set_item("amount", p.amount.minor)?;
        d.set_item("currency", p.amount.currency.as_str())?;
        d.set_item("status", p.status.as_str())?;
        d.set_item("created_at", datetime(py, p.created_at)?)?;
        let items = PyList::empty(py);
        for l in &p.items {
            items.append(PyLineItem(l.clone()).dict(py)?)?;
        }
        d.set_item("items", items)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let p = &self.0;
        Ok(format!(
            "Purchase(id={}, customer_id={}, external_id={}, purchased_at={}, amount={}, \
             currency={}, status={}, n_items={})",
            p.id,
            p.customer_id,
            p.external_id.as_deref().into_pyobject(py)?.repr()?,
            p.purchased_at.to_string().into_pyobject(py)?.repr()?,
            p.amount.minor,
            p.amount.currency.as_str().into_pyobject(py)?.repr()?,
            p.status.as_str().into_pyobject(py)?.repr()?,
            p.items.len()
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyPurchase>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        // Equal purchases have the same id and status (the only thing that changes).
        let mut h = DefaultHasher::new();
        (self.0.id, self.0.status).hash(&mut h);
        h.finish()
    }
}
