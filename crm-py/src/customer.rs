//! `crm.Customer`: a customer as stored, read-only.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyDict};

use crate::convert::datetime;
use crate::field::values_to_py;

/// A customer as stored: normalised values, the store's id, creation and last-change times (aware
/// UTC datetimes) and the version (1 on creation, +1 per change). Read-only; change a customer with
/// `db.customers.update(id, ...)`, which returns a new `Customer`.
#[pyclass(frozen, module = "crm", name = "Customer")]
pub struct PyCustomer(pub crm_core::Customer);

#[pymethods]
impl PyCustomer {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// The key another system uses for this customer (unique), or None.
    #[getter]
    fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }

    /// Display name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// E-mail address, lower-case, or None.
    #[getter]
    fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Phone number (E.164 when written with a country code), or None.
    #[getter]
    fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// Company or organisation, or None.
    #[getter]
    fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }

    /// Lifecycle stage: lead, prospect, customer or churned.
    #[getter]
    fn stage(&self) -> &'static str {
        self.0.stage.as_str()
    }

    /// Acquisition source: web, referral, ads, event, partner or other.
    #[getter]
    fn source(&self) -> &'static str {
        self.0.source.as_str()
    }

    /// Tags, lower-case and sorted.
    #[getter]
    fn tags(&self) -> Vec<String> {
        self.0.tags.clone()
    }

    /// When the customer was created (aware, UTC).
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.created_at)
    }

    /// When the customer last changed (aware, UTC).
    #[getter]
    fn updated_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.updated_at)
    }

    /// 1 on creation, +1 per change; pass it as `expected_version` to update safely.
    #[getter]
    fn version(&self) -> i64 {
        self.0.version
    }

    /// The customer's custom field values as a new dict, field name → value (a field without a
    /// value is absent): text and enum choices as str, integers as int, decimals as float,
    /// booleans as bool, dates as `datetime.date`, multi-enum choices as a sorted list of str.
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        values_to_py(py, &self.0.custom)
    }

    /// The customer as a dict of its fields; `fields` holds the custom values (see `fields`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", c.id)?;
        d.set_item("external_id", c.external_id.as_deref())?;
        d.set_item("name", &c.name)?;
        d.set_item("email", c.email.as_deref())?;
        d.set_item("phone", c.phone.as_deref())?;
        d.set_item("company", c.company.as_deref())?;
        d.set_item("stage", c.stage.as_str())?;
        d.set_item("source", c.source.as_str())?;
        d.set_item("tags", &c.tags)?;
        d.set_item("created_at", datetime(py, c.created_at)?)?;
        d.set_item("updated_at", datetime(py, c.updated_at)?)?;
        d.set_item("version", c.version)?;
        d.set_item("fields", values_to_py(py, &c.custom)?)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = &self.0;
        Ok(format!(
            "Customer(id={}, name={}, email={}, stage={}, source={}, tags={}, version={})",
            c.id,
            c.name.as_str().into_pyobject(py)?.repr()?,
            c.email.as_deref().into_pyobject(py)?.repr()?,
            c.stage.as_str().into_pyobject(py)?.repr()?,
            c.source.as_str().into_pyobject(py)?.repr()?,
            c.tags.as_slice().into_pyobject(py)?.repr()?,
            c.version
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyCustomer>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        // Equal customers have the same id and version.
        let mut h = DefaultHasher::new();
        (self.0.id, self.0.version).hash(&mut h);
        h.finish()
    }
}
