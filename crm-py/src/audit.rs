//! `crm.AuditEntry`: one entry of the audit trail, read-only; and the trail as columns.
//!
//! The changes cross as the compact JSON text the core writes (`AuditEntry::changes_json`), read
//! into a dict by Python's `json.loads`, so the binding needs no JSON library of its own.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crm_core::{AuditAction, AuditEntry};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyDict, PyList};

use crate::columns::code;
use crate::convert::{datetime, json_object};

/// An entry's changes as a new dict.
fn changes_dict<'py>(py: Python<'py>, e: &AuditEntry) -> PyResult<Bound<'py, PyAny>> {
    json_object(py, &e.changes_json())
}

/// One entry of the audit trail: who (`principal`, `role`) did what (`action`: create, update,
/// delete or bulk_create) to which record (`entity`, `entity_id` — None for bulk entries), when
/// (`at`, aware UTC datetime), and the `changes`: a dict ``field → {"before": …, "after": …}``
/// (for bulk entries ``count``, ``first_id``, ``last_id``). Read-only.
#[pyclass(frozen, module = "crm", name = "AuditEntry")]
pub struct PyAuditEntry(pub AuditEntry);

#[pymethods]
impl PyAuditEntry {
    /// Position in the trail (increasing).
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// When the write happened (aware, UTC; the handle's clock).
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.at)
    }

    /// Who wrote: the principal of the handle.
    #[getter]
    fn principal(&self) -> &str {
        &self.0.principal
    }

    /// The principal's role.
    #[getter]
    fn role(&self) -> &str {
        &self.0.role
    }

    /// The kind of record: customer, product, purchase, interaction, note, segment …
    #[getter]
    fn entity(&self) -> &str {
        &self.0.entity
    }

    /// The record's id, or None for a bulk entry.
    #[getter]
    fn entity_id(&self) -> Option<i64> {
        self.0.entity_id
    }

    /// What happened: create, update, delete or bulk_create.
    #[getter]
    fn action(&self) -> &'static str {
        self.0.action.as_str()
    }

    /// ``field → {"before": …, "after": …}`` (a new dict on each access); erased personal values
    /// read as ``"[erased]"``.
    #[getter]
    fn changes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        changes_dict(py, &self.0)
    }

    /// The entry as a dict of its fields; ``changes`` as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let e = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", e.id)?;
        d.set_item("at", datetime(py, e.at)?)?;
        d.set_item("principal", &e.principal)?;
        d.set_item("role", &e.role)?;
        d.set_item("entity", &e.entity)?;
        d.set_item("entity_id", e.entity_id)?;
        d.set_item("action", e.action.as_str())?;
        d.set_item("changes", changes_dict(py, e)?)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let e = &self.0;
        Ok(format!(
            "AuditEntry(id={}, at={}, principal={}, role={}, entity={}, entity_id={}, action={})",
            e.id,
            e.at.to_string().into_pyobject(py)?.repr()?,
            e.principal.as_str().into_pyobject(py)?.repr()?,
            e.role.as_str().into_pyobject(py)?.repr()?,
            e.entity.as_str().into_pyobject(py)?.repr()?,
            e.entity_id.into_pyobject(py)?.repr()?,
            e.action.as_str().into_pyobject(py)?.repr()?,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyAuditEntry>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        // The trail is append-only: the id identifies the value.
        let mut h = DefaultHasher::new();
        self.0.id.hash(&mut h);
        h.finish()
    }
}

/// Entries as a dict of columns: `id`, `at` (µs since the epoch, UTC) as int64 arrays;
/// `entity_id` as an int64 array with a bool array `entity_id_missing`; `action` as int8 codes
/// (positions in `AUDIT_ACTIONS`); `principal`, `role`, `entity` as lists of str; `changes` as a
/// list of dicts.
pub fn to_py(py: Python<'_>, rows: Vec<AuditEntry>) -> PyResult<Bound<'_, PyDict>> {
    let n = rows.len();
    let mut id = Vec::with_capacity(n);
    let mut at = Vec::with_capacity(n);
    let mut principal = Vec::with_capacity(n);
    let mut role = Vec::with_capacity(n);
    let mut entity = Vec::with_capacity(n);
    let mut entity_id = Vec::with_capacity(n);
    let mut entity_id_missing = Vec::with_capacity(n);
    let mut action = Vec::with_capacity(n);
    let changes = PyList::empty(py);
    for e in rows {
        changes.append(changes_dict(py, &e)?)?;
        id.push(e.id);
        at.push(e.at.as_micros());
        entity_id.push(e.entity_id.unwrap_or(0));
        entity_id_missing.push(e.entity_id.is_none());
        action.push(code(AuditAction::ALL, &e.action));
        principal.push(e.principal);
        role.push(e.role);
        entity.push(e.entity);
    }
    let d = PyDict::new(py);
    d.set_item("id", PyArray1::from_vec(py, id))?;
    d.set_item("at", PyArray1::from_vec(py, at))?;
    d.set_item("principal", PyList::new(py, principal)?)?;
    d.set_item("role", PyList::new(py, role)?)?;
    d.set_item("entity", PyList::new(py, entity)?)?;
    d.set_item("entity_id", PyArray1::from_vec(py, entity_id))?;
    d.set_item(
        "entity_id_missing",
        PyArray1::from_vec(py, entity_id_missing),
    )?;
    d.set_item("action", PyArray1::from_vec(py, action))?;
    d.set_item("changes", changes)?;
    Ok(d)
}
