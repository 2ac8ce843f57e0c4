//! `crm.Note`: a free-text note on a record, as stored, read-only.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crm_core::EntityKind;
use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyDict};

use crate::convert::{self, datetime};
use crate::errors::PyCrmResult;

/// The kind of record a note is about, from its name (`INVALID_INPUT` for an unknown one).
pub fn entity(obj: &Bound<'_, PyAny>) -> PyCrmResult<EntityKind> {
    Ok(convert::text(obj, "entity")?.parse::<EntityKind>()?)
}

/// A free-text note on a record — a customer, product, purchase or interaction — as stored: the
/// record it is about (`entity`, `entity_id`), the text (trimmed), who wrote it (the principal of
/// the handle) and when (aware UTC datetime). Read-only.
#[pyclass(frozen, module = "crm", name = "Note")]
pub struct PyNote(pub crm_core::Note);

#[pymethods]
impl PyNote {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// The kind of record the note is about: customer, product, purchase or interaction.
    #[getter]
    fn entity(&self) -> &'static str {
        self.0.entity.as_str()
    }

    /// The id of the record the note is about.
    #[getter]
    fn entity_id(&self) -> i64 {
        self.0.entity_id
    }

    /// The text, trimmed.
    #[getter]
    fn body(&self) -> &str {
        &self.0.body
    }

    /// Who wrote it: the principal of the handle that added it.
    #[getter]
    fn author(&self) -> &str {
        &self.0.author
    }

    /// When it was written (aware, UTC).
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.created_at)
    }

    /// The note as a dict of its fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let n = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", n.id)?;
        d.set_item("entity", n.entity.as_str())?;
        d.set_item("entity_id", n.entity_id)?;
        d.set_item("body", &n.body)?;
        d.set_item("author", &n.author)?;
        d.set_item("created_at", datetime(py, n.created_at)?)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let n = &self.0;
        // The body may be long: the first 40 characters.
        let mut body: String = n.body.chars().take(40).collect();
        if body.len() < n.body.len() {
            body.push('…');
        }
        Ok(format!(
            "Note(id={}, entity={}, entity_id={}, author={}, body={})",
            n.id,
            n.entity.as_str().into_pyobject(py)?.repr()?,
            n.entity_id,
            n.author.as_str().into_pyobject(py)?.repr()?,
            body.into_pyobject(py)?.repr()?,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyNote>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        // Notes do not change once stored: the id identifies the value.
        let mut h = DefaultHasher::new();
        self.0.id.hash(&mut h);
        h.finish()
    }
}
