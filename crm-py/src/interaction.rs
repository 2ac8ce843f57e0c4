//! `crm.Interaction`: a customer touchpoint as stored, read-only; and interaction metadata across
//! the boundary.
//!
//! Metadata is a JSON object. Going in, the Python package writes a dict as JSON text
//! (`json.dumps`) and the core parses it (`parse_metadata`: `INVALID_INPUT` when it is not an
//! object, `PARSE` when it is not JSON); coming out, the compact JSON text is read back into a
//! dict with Python's `json.loads`.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crm_core::model::interaction::parse_metadata;
use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyDict, PyString};

use crate::convert::{self, datetime, json_object, type_name};
use crate::errors::{PyCrmResult, invalid_argument};

pub use crm_core::Metadata;

/// Metadata from `None` (none: `{}`) or JSON text (the Python package turns a dict into text).
pub fn metadata(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<Metadata> {
    if obj.is_none() {
        return Ok(Metadata::new());
    }
    if !obj.is_instance_of::<PyString>() {
        return Err(invalid_argument(format!(
            "{what}: expected a dict or JSON text, got {}",
            type_name(obj)
        )));
    }
    Ok(parse_metadata(&convert::text(obj, what)?)?)
}

/// An interaction's metadata as a new dict: its compact JSON text read by `json.loads`.
pub fn metadata_dict<'py>(
    py: Python<'py>,
    i: &crm_core::Interaction,
) -> PyResult<Bound<'py, PyAny>> {
    if i.metadata.is_empty() {
        return Ok(PyDict::new(py).into_any());
    }
    json_object(py, &i.metadata_json())
}

/// A customer touchpoint as stored: whose (`customer_id`), the channel, direction and kind, when
/// it happened (aware UTC datetime), a subject line and body text (or None), metadata (a dict)
/// and when it was recorded. Read-only.
#[pyclass(frozen, module = "crm", name = "Interaction")]
pub struct PyInteraction(pub crm_core::Interaction);

#[pymethods]
impl PyInteraction {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// Whose touchpoint: the customer's id.
    #[getter]
    fn customer_id(&self) -> i64 {
        self.0.customer_id
    }

    /// The channel: email, phone, chat, sms, social, web or in_person.
    #[getter]
    fn channel(&self) -> &'static str {
        self.0.channel.as_str()
    }

    /// Who started it: inbound (the customer) or outbound (the company).
    #[getter]
    fn direction(&self) -> &'static str {
        self.0.direction.as_str()
    }

    /// The kind: note, call, message, meeting, visit or other.
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind.as_str()
    }

    /// When it happened (aware, UTC).
    #[getter]
    fn occurred_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.occurred_at)
    }

    /// Subject line (trimmed), or None.
    #[getter]
    fn subject(&self) -> Option<&str> {
        self.0.subject.as_deref()
    }

    /// Free text, or None.
    #[getter]
    fn body(&self) -> Option<&str> {
        self.0.body.as_deref()
    }

    /// Anything else, as a dict of JSON values (a new dict on each access; ``{}`` for none).
    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        metadata_dict(py, &self.0)
    }

    /// The campaign it belongs to (a campaign message), or None.
    #[getter]
    fn campaign_id(&self) -> Option<i64> {
        self.0.campaign_id
    }

    /// The ticket it belongs to (a service request), or None.
    #[getter]
    fn ticket_id(&self) -> Option<i64> {
        self.0.ticket_id
    }

    /// When it was recorded (aware, UTC).
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.created_at)
    }

    /// The interaction as a dict of its fields; `metadata` as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let i = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", i.id)?;
        d.set_item("customer_id", i.customer_id)?;
        d.set_item("channel", i.channel.as_str())?;
        d.set_item("direction", i.direction.as_str())?;
        d.set_item("kind", i.kind.as_str())?;
        d.set_item("occurred_at", datetime(py, i.occurred_at)?)?;
        d.set_item("subject", i.subject.as_deref())?;
        d.set_item("body", i.body.as_deref())?;
        d.set_item("metadata", metadata_dict(py, i)?)?;
        d.set_item("campaign_id", i.campaign_id)?;
        d.set_item("ticket_id", i.ticket_id)?;
        d.set_item("created_at", datetime(py, i.created_at)?)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let i = &self.0;
        Ok(format!(
            "Interaction(id={}, customer_id={}, channel={}, direction={}, kind={}, \
             occurred_at={}, subject={})",
            i.id,
            i.customer_id,
            i.channel.as_str().into_pyobject(py)?.repr()?,
            i.direction.as_str().into_pyobject(py)?.repr()?,
            i.kind.as_str().into_pyobject(py)?.repr()?,
            i.occurred_at.to_string().into_pyobject(py)?.repr()?,
            i.subject.as_deref().into_pyobject(py)?.repr()?,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyInteraction>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        // Interactions do not change once stored: the id identifies the value.
        let mut h = DefaultHasher::new();
        self.0.id.hash(&mut h);
        h.finish()
    }
}
