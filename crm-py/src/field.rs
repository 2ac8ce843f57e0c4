//! `crm.FieldDefinition`: a custom field as defined in the store, read-only; and custom values
//! across the boundary (`fields={"region": "north"}` in, `Customer.fields` out).

use std::collections::BTreeMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crm_core::{CustomFieldType, CustomValue, CustomValues, Value};
use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyDict, PyMapping};

use crate::convert::{self, datetime, type_name};
use crate::errors::{PyCrmResult, invalid_argument};

/// A field type from its name (`INVALID_INPUT` for an unknown one).
pub fn field_type(obj: &Bound<'_, PyAny>) -> PyCrmResult<CustomFieldType> {
    Ok(convert::text(obj, "type")?.parse::<CustomFieldType>()?)
}

/// A custom value as a Python value: text and enum choices as str, integers as int, decimals as
/// float, booleans as bool, dates as `datetime.date`, multi-enum choices as a list of str.
pub fn value_to_py<'py>(py: Python<'py>, v: &CustomValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        CustomValue::Text(s) => s.into_pyobject(py)?.into_any(),
        CustomValue::Integer(i) => i.into_pyobject(py)?.into_any(),
        CustomValue::Decimal(x) => x.into_pyobject(py)?.into_any(),
        CustomValue::Boolean(b) => b.into_pyobject(py)?.to_owned().into_any(),
        CustomValue::Date(d) => d.into_pyobject(py)?.into_any(),
        CustomValue::Choices(c) => c.into_pyobject(py)?.into_any(),
    })
}

/// A record's custom values as a new dict (field name → value, see [`value_to_py`]).
pub fn values_to_py<'py>(py: Python<'py>, values: &CustomValues) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, v) in values {
        d.set_item(name, value_to_py(py, v)?)?;
    }
    Ok(d)
}

/// Custom values to write, from a mapping of field name → value (`None`: absent, or cleared in an
/// update; lists for multi-enum fields; `date` or `"YYYY-MM-DD"` for dates). `None` for the
/// mapping itself means no custom values. The core checks each value against its field.
pub fn values_from_py(obj: &Bound<'_, PyAny>) -> PyCrmResult<BTreeMap<String, Value>> {
    let mut out = BTreeMap::new();
    if obj.is_none() {
        return Ok(out);
    }
    let mapping = obj.cast::<PyMapping>().map_err(|_| {
        invalid_argument(format!(
            "fields: expected a dict of field name → value, got {}",
            type_name(obj)
        ))
    })?;
    for item in mapping.items()?.iter() {
        let (key, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let key = convert::text(&key, "fields: field name")?;
        let v = convert::value(&v, &format!("fields[{key:?}]"))?;
        out.insert(key, v);
    }
    Ok(out)
}

/// A custom field as defined in the store: its name, type and rules. Read-only; change a field
/// with `db.fields.rename` / `retire` / `restore` / `remove`, which return a new one.
#[pyclass(frozen, module = "crm", name = "FieldDefinition")]
pub struct PyFieldDefinition(pub crm_core::FieldDefinition);

#[pymethods]
impl PyFieldDefinition {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// The kind of record that carries the field (customer).
    #[getter]
    fn entity(&self) -> &'static str {
        self.0.entity.as_str()
    }

    /// The name records, filters and sort orders use.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The type: text, integer, decimal, boolean, date, enum or multi_enum.
    #[getter(r#type)]
    fn ty(&self) -> &'static str {
        self.0.ty.as_str()
    }

    /// The choices of an enum or multi-enum field, in their defined order (empty otherwise).
    #[getter]
    fn choices(&self) -> Vec<String> {
        self.0.choices.clone()
    }

    /// True when every record must have a value.
    #[getter]
    fn required(&self) -> bool {
        self.0.required
    }

    /// The value of records that give none, or None.
    #[getter]
    fn default<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.0
            .default
            .as_ref()
            .map(|v| value_to_py(py, v))
            .transpose()
    }

    /// True for personal data.
    #[getter]
    fn personal(&self) -> bool {
        self.0.personal
    }

    /// True when backed by an index (filtering on it is an index lookup).
    #[getter]
    fn indexed(&self) -> bool {
        self.0.indexed
    }

    /// True when retired: hidden from records, filters and frames; its values are kept.
    #[getter]
    fn retired(&self) -> bool {
        self.0.retired
    }

    /// When the field was defined (aware, UTC).
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.created_at)
    }

    /// The definition as a dict of its fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let f = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", f.id)?;
        d.set_item("entity", f.entity.as_str())?;
        d.set_item("name", &f.name)?;
        d.set_item("type", f.ty.as_str())?;
        d.set_item("choices", &f.choices)?;
        d.set_item("required", f.required)?;
        d.set_item("default", self.default(py)?)?;
        d.set_item("personal", f.personal)?;
        d.set_item("indexed", f.indexed)?;
        d.set_item("retired", f.retired)?;
        d.set_item("created_at", datetime(py, f.created_at)?)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let f = &self.0;
        let mut out = format!(
            "FieldDefinition(id={}, entity={}, name={}, type={}",
            f.id,
            f.entity.as_str().into_pyobject(py)?.repr()?,
            f.name.as_str().into_pyobject(py)?.repr()?,
            f.ty.as_str().into_pyobject(py)?.repr()?,
        );
        if !f.choices.is_empty() {
            out += &format!(
                ", choices={}",
                f.choices.as_slice().into_pyobject(py)?.repr()?
            );
        }
        for (flag, on) in [
            ("required", f.required),
            ("personal", f.personal),
            ("indexed", f.indexed),
            ("retired", f.retired),
        ] {
            if on {
                out += &format!(", {flag}=True");
            }
        }
        out.push(')');
        Ok(out)
    }

    fn __eq__(&self, other: &Bound<'_, PyFieldDefinition>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        let f = &self.0;
        let mut h = DefaultHasher::new();
        (f.id, &f.name, f.retired).hash(&mut h);
        h.finish()
    }
}
