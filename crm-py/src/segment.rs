//! `crm.Segment`: a saved segment (a name for a customer filter), read-only.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyDict};

use crate::convert::datetime;

/// A saved segment: a unique name for a customer filter, with the text it was written as (None
/// when it was saved from keyword filters) and when it was saved first and changed last (aware
/// UTC datetimes). Its members are computed when asked (`db.segments.members(name)`), so they
/// follow the data. Read-only.
#[pyclass(frozen, module = "crm", name = "Segment")]
pub struct PySegment(pub crm_core::Segment);

#[pymethods]
impl PySegment {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// The segment's unique name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The filter text the segment was saved with (trimmed), or None when it was saved from
    /// keyword filters.
    #[getter]
    fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }

    /// When the segment was saved first (aware, UTC).
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.created_at)
    }

    /// When its filter last changed (aware, UTC).
    #[getter]
    fn updated_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.updated_at)
    }

    /// The segment as a dict of its fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", s.id)?;
        d.set_item("name", &s.name)?;
        d.set_item("text", s.text.as_deref())?;
        d.set_item("created_at", datetime(py, s.created_at)?)?;
        d.set_item("updated_at", datetime(py, s.updated_at)?)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let s = &self.0;
        Ok(format!(
            "Segment(id={}, name={}, text={})",
            s.id,
            s.name.as_str().into_pyobject(py)?.repr()?,
            s.text.as_deref().into_pyobject(py)?.repr()?,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PySegment>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        // A segment's filter changes only together with `updated_at`.
        let mut h = DefaultHasher::new();
        (self.0.id, self.0.updated_at.as_micros()).hash(&mut h);
        h.finish()
    }
}
