//! Python values ↔ `crm_core` values.
//!
//! User data of the wrong Python type is refused with `INVALID_ARGUMENT` (so with
//! `crm.InvalidArgumentError`, which is also a `TypeError`), never with a bare `TypeError` from
//! extraction. Time: a naive `datetime` means UTC, an aware one is converted; instants come back
//! as aware UTC datetimes.

use chrono::NaiveDateTime;
use crm_core::{OrderBy, Timestamp, Value};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyBytes, PyDate, PyDateTime, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet,
    PyString, PyTuple, PyTzInfo, PyTzInfoAccess,
};

use crate::errors::{PyCrmResult, invalid_argument};

/// The name of `obj`'s type, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

fn type_module(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .module()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// A numpy scalar or array, or a pandas Series / Index: anything with a `dtype` that is not a
/// plain Python value.
fn has_dtype(obj: &Bound<'_, PyAny>) -> bool {
    obj.hasattr("dtype").unwrap_or(false)
}

fn is_numpy_scalar(obj: &Bound<'_, PyAny>) -> bool {
    // numpy scalars (`numpy.int64`, `numpy.bool_`, `numpy.datetime64` …) have no length; arrays do.
    type_module(obj) == "numpy" && !obj.hasattr("__len__").unwrap_or(true)
}

/// pandas' missing-value markers: `NaT` ("not a time") and `NA`.
fn is_pandas_missing(obj: &Bound<'_, PyAny>) -> bool {
    matches!(type_name(obj).as_str(), "NaTType" | "NAType")
}

/// A list-like container whose items are converted one by one: list, tuple, set, frozenset, a
/// numpy array, a pandas Series or Index.
fn is_list_like(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>()
        || obj.is_instance_of::<PySet>()
        || obj.is_instance_of::<PyFrozenSet>()
        || (has_dtype(obj) && !is_numpy_scalar(obj) && obj.hasattr("__iter__").unwrap_or(false))
}

/// Text (`str`, including `numpy.str_`).
pub fn text(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<String> {
    match obj.cast::<PyString>() {
        // A str with lone surrogates has no UTF-8 form.
        Ok(s) => Ok(s
            .to_str()
            .map_err(|_| {
                invalid_argument(format!(
                    "{what}: text is not valid Unicode (lone surrogate)"
                ))
            })?
            .to_owned()),
        Err(_) => Err(invalid_argument(format!(
            "{what}: expected str, got {}",
            type_name(obj)
        ))),
    }
}

/// Text or `None`.
pub fn optional_text(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyCrmResult<Option<String>> {
    match obj {
        Some(o) if !o.is_none() => text(o, what).map(Some),
        _ => Ok(None),
    }
}

/// An integer (`int` or a numpy integer; not `bool`, not `float`).
pub fn int(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<i64> {
    let wrong = || {
        invalid_argument(format!(
            "{what}: expected int, got {} {}",
            type_name(obj),
            obj.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    };
    if obj.is_instance_of::<PyBool>() || type_name(obj) == "bool_" {
        return Err(wrong());
    }
    if !(obj.is_instance_of::<PyInt>() || obj.hasattr("__index__").unwrap_or(false)) {
        return Err(wrong());
    }
    obj.extract::<i64>()
        .map_err(|_| invalid_argument(format!("{what}: {obj} does not fit in 64 bits")))
}

/// An optional integer: `None` (or a missing argument) is absent.
pub fn optional_int(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyCrmResult<Option<i64>> {
    match obj {
        Some(o) if !o.is_none() => int(o, what).map(Some),
        _ => Ok(None),
    }
}

/// A non-negative integer, or `None`.
pub fn optional_count(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyCrmResult<Option<u64>> {
    match obj {
        Some(o) if !o.is_none() => {
            let n = int(o, what)?;
            u64::try_from(n)
                .map(Some)
                .map_err(|_| invalid_argument(format!("{what}: must not be negative, got {n}")))
        }
        _ => Ok(None),
    }
}

/// A flag: `bool` or `numpy.bool_` (not an int, so that `required=1` is not silently read).
pub fn flag(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<bool> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(b.is_true());
    }
    if type_module(obj) == "numpy" && matches!(type_name(obj).as_str(), "bool" | "bool_") {
        return Ok(obj.is_truthy()?);
    }
    Err(invalid_argument(format!(
        "{what}: expected bool, got {}",
        type_name(obj)
    )))
}

/// Tags: a list-like of `str` (a plain `str` is refused, so that `"vip"` is not read as three tags).
pub fn tags(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<Vec<String>> {
    if obj.is_instance_of::<PyString>() || !is_list_like(obj) {
        return Err(invalid_argument(format!(
            "{what}: expected a list of str, got {}",
            type_name(obj)
        )));
    }
    let mut out = Vec::new();
    for item in obj.try_iter()? {
        out.push(text(&item?, what)?);
    }
    Ok(out)
}

/// An instant from a `datetime` (naive = UTC, aware = converted), a `pandas.Timestamp` or a
/// `numpy.datetime64`. `None`, pandas' `NaT` / `NA` and `numpy.datetime64("NaT")` give `None`.
pub fn timestamp(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<Option<Timestamp>> {
    if obj.is_none() || is_pandas_missing(obj) {
        return Ok(None);
    }
    let cannot = |e: PyErr| {
        invalid_argument(format!(
            "{what}: cannot convert {} to a timestamp ({e})",
            obj.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    };
    if let Ok(dt) = obj.cast::<PyDateTime>() {
        let naive_utc = if dt.get_tzinfo().is_none() {
            dt.extract::<NaiveDateTime>().map_err(cannot)?
        } else {
            let py = obj.py();
            let utc = dt
                .call_method1("astimezone", (PyTzInfo::utc(py).map_err(cannot)?,))
                .map_err(cannot)?;
            let kwargs = PyDict::new(py);
            kwargs.set_item("tzinfo", py.None()).map_err(cannot)?;
            utc.call_method("replace", (), Some(&kwargs))
                .and_then(|n| n.extract::<NaiveDateTime>())
                .map_err(cannot)?
        };
        return Ok(Some(Timestamp::from(naive_utc.and_utc())));
    }
    if type_module(obj) == "numpy" && type_name(obj) == "datetime64" {
        let micros: i64 = obj
            .call_method1("astype", ("datetime64[us]",))
            .and_then(|v| v.call_method1("astype", ("int64",)))
            .and_then(|v| v.extract())
            .map_err(cannot)?;
        // numpy's NaT is the smallest int64.
        return Ok((micros != i64::MIN).then(|| Timestamp::from_micros(micros)));
    }
    Err(invalid_argument(format!(
        "{what}: expected a datetime, got {}",
        type_name(obj)
    )))
}

/// An instant as an aware UTC `datetime`.
pub fn datetime<'py>(py: Python<'py>, t: Timestamp) -> PyResult<Bound<'py, PyDateTime>> {
    t.to_datetime().into_pyobject(py)
}

/// `json.loads`, looked up once.
static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A new Python dict from JSON text of an object the core wrote (interaction metadata, audit
/// changes), read by Python's `json.loads`.
pub fn json_object<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    let loads = JSON_LOADS.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("json")?.getattr("loads")?.unbind())
    })?;
    loads.bind(py).call1((json,))
}

/// A filter literal: `None`, `bool`, `int`, `float`, `str`, `datetime` (and pandas / numpy
/// timestamps), `date` (as its `YYYY-MM-DD` text, read in the store's reporting time zone), numpy
/// scalars, and list-likes of these (for `__in`, `__not_in`, `__between`).
pub fn value(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<Value> {
    if obj.is_none() || is_pandas_missing(obj) {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return int(obj, what).map(Value::Int);
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Value::Real(obj.extract::<f64>()?));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::Text(s.to_str()?.to_owned()));
    }
    if obj.is_instance_of::<PyDateTime>() {
        return Ok(timestamp(obj, what)?.map_or(Value::Null, Value::Time));
    }
    if obj.is_instance_of::<PyDate>() {
        return Ok(Value::Text(obj.call_method0("isoformat")?.extract()?));
    }
    if is_numpy_scalar(obj) {
        let kind: String = obj.getattr("dtype")?.getattr("kind")?.extract()?;
        return match kind.as_str() {
            "b" => Ok(Value::Bool(obj.is_truthy()?)),
            "i" | "u" => int(obj, what).map(Value::Int),
            "f" => Ok(Value::Real(obj.extract::<f64>()?)),
            "M" => Ok(timestamp(obj, what)?.map_or(Value::Null, Value::Time)),
            _ => Err(invalid_argument(format!(
                "{what}: numpy values of dtype kind {kind:?} are not supported"
            ))),
        };
    }
    if is_list_like(obj) && !obj.is_instance_of::<PyBytes>() {
        let mut items = Vec::new();
        let not_iterable =
            |e: PyErr| invalid_argument(format!("{what}: cannot iterate over the value ({e})"));
        for item in obj.try_iter().map_err(not_iterable)? {
            let item = item.map_err(not_iterable)?;
            if is_list_like(&item) {
                return Err(invalid_argument(format!(
                    "{what}: a list of values must not hold another list"
                )));
            }
            items.push(value(&item, what)?);
        }
        return Ok(Value::List(items));
    }
    Err(invalid_argument(format!(
        "{what}: values of type {} are not supported (use str, int, float, bool, None, datetime, date or a list of these)",
        type_name(obj)
    )))
}

/// A sort order: `None`, `"-created_at,name"`, or a list of such strings.
pub fn order_by(obj: Option<&Bound<'_, PyAny>>) -> PyCrmResult<Vec<OrderBy>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(OrderBy::parse_list(s.to_str()?)?);
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut keys = Vec::new();
        for item in obj.try_iter()? {
            keys.extend(OrderBy::parse_list(&text(&item?, "order_by")?)?);
        }
        return Ok(keys);
    }
    Err(invalid_argument(format!(
        "order_by: expected str or a list of str, got {}",
        type_name(obj)
    )))
}
