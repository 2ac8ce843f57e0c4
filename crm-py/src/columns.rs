//! Columnar customers across the boundary: `CustomerColumns` out as numpy arrays and lists (the
//! Python package turns them into a DataFrame), `NewCustomerColumns` in from prepared columns.
//! Also the column readers the other bulk paths share (`text_column`, `time_column`,
//! `int_column`, `coded_column` …).
//!
//! Ids, versions and timestamps cross as `int64` arrays, stages and sources as `int8` category
//! codes (positions in `STAGES` / `SOURCES`); only text needs one Python object per value.
//!
//! Custom fields: `crm_core::CustomerColumns` has no custom columns, so [`customers_to_py`]
//! assembles one column per active field from `Customer::custom`, typed by its definition.

use chrono::Datelike;
use crm_core::{
    CustomFieldType, CustomValue, Customer, CustomerColumns, FieldDefinition, LifecycleStage,
    NewCustomerColumns, Source, Timestamp, Value, split_tag_list,
};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::convert::{self, type_name};
use crate::errors::{PyCrmResult, invalid_argument};

/// The columns `add_many` knows, in the order messages list them.
pub const NEW_COLUMNS: [&str; 9] = [
    "name",
    "external_id",
    "email",
    "phone",
    "company",
    "stage",
    "source",
    "tags",
    "created_at",
];

/// The position of `v` in `all` as an int8 category code (-1 if absent).
pub fn code<T: PartialEq>(all: &[T], v: &T) -> i8 {
    // The vocabularies have a handful of values, so the position always fits.
    all.iter()
        .position(|x| x == v)
        .and_then(|p| i8::try_from(p).ok())
        .unwrap_or(-1)
}

/// Timestamps as int64 µs since the epoch, UTC.
pub fn micros(ts: &[Timestamp]) -> Vec<i64> {
    ts.iter().map(|t| t.as_micros()).collect()
}

/// `CustomerColumns` as a dict: `id`, `version`, `created_at`, `updated_at` (int64 µs since the
/// epoch, UTC) as numpy int64 arrays; `stage`, `source` as int8 codes; text as lists of str/None;
/// `tags` as a list of lists.
pub fn to_py<'py>(py: Python<'py>, cols: CustomerColumns) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let stages: Vec<i8> = cols
        .stage
        .iter()
        .map(|s| code(LifecycleStage::ALL, s))
        .collect();
    let sources: Vec<i8> = cols.source.iter().map(|s| code(Source::ALL, s)).collect();
    d.set_item(
        "created_at",
        PyArray1::from_vec(py, micros(&cols.created_at)),
    )?;
    d.set_item(
        "updated_at",
        PyArray1::from_vec(py, micros(&cols.updated_at)),
    )?;
    d.set_item("id", PyArray1::from_vec(py, cols.id))?;
    d.set_item("version", PyArray1::from_vec(py, cols.version))?;
    d.set_item("stage", PyArray1::from_vec(py, stages))?;
    d.set_item("source", PyArray1::from_vec(py, sources))?;
    d.set_item("external_id", PyList::new(py, cols.external_id)?)?;
    d.set_item("name", PyList::new(py, cols.name)?)?;
    d.set_item("email", PyList::new(py, cols.email)?)?;
    d.set_item("phone", PyList::new(py, cols.phone)?)?;
    d.set_item("company", PyList::new(py, cols.company)?)?;
    d.set_item("tags", PyList::new(py, cols.tags)?)?;
    Ok(d)
}

/// `customers` as columns (see [`to_py`]) plus `custom`: for each field of `defs`, in order, a
/// tuple `(name, type, choices, data)` whose `data` depends on the type:
///
/// | type | data |
/// |---|---|
/// | text | list of str / None |
/// | integer | `(values, missing)`: int64 and bool arrays |
/// | decimal | float64 array, NaN when missing |
/// | boolean | `(values, missing)`: two bool arrays |
/// | date | int64 array of seconds since 1970-01-01 (midnight), the smallest int64 when missing |
/// | enum | int32 array of positions in `choices`, -1 when missing |
/// | multi_enum | list of (list of str) / None |
pub fn customers_to_py<'py>(
    py: Python<'py>,
    defs: &[FieldDefinition],
    customers: Vec<Customer>,
) -> PyResult<Bound<'py, PyDict>> {
    let custom = PyList::empty(py);
    for def in defs {
        let values = customers.iter().map(|c| c.custom.get(&def.name));
        let data = custom_column(py, def, values)?;
        custom.append((def.name.as_str(), def.ty.as_str(), &def.choices, data))?;
    }
    let d = to_py(py, customers.into_iter().collect())?;
    d.set_item("custom", custom)?;
    Ok(d)
}

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

fn custom_column<'a, 'py>(
    py: Python<'py>,
    def: &FieldDefinition,
    values: impl ExactSizeIterator<Item = Option<&'a CustomValue>>,
) -> PyResult<Bound<'py, PyAny>> {
    let n = values.len();
    // A value of another variant than the field's type cannot come from the store; it reads as
    // missing rather than failing the whole frame.
    Ok(match def.ty {
        CustomFieldType::Text => {
            let col: Vec<Option<&str>> = values
                .map(|v| match v {
                    Some(CustomValue::Text(s)) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            PyList::new(py, col)?.into_any()
        }
        CustomFieldType::Integer => {
            let (mut out, mut missing) = (Vec::with_capacity(n), Vec::with_capacity(n));
            for v in values {
                let i = match v {
                    Some(CustomValue::Integer(i)) => Some(*i),
                    _ => None,
                };
                out.push(i.unwrap_or(0));
                missing.push(i.is_none());
            }
            (PyArray1::from_vec(py, out), PyArray1::from_vec(py, missing))
                .into_pyobject(py)?
                .into_any()
        }
        CustomFieldType::Decimal => {
            let col: Vec<f64> = values
                .map(|v| match v {
                    Some(CustomValue::Decimal(x)) => *x,
                    _ => f64::NAN,
                })
                .collect();
            PyArray1::from_vec(py, col).into_any()
        }
        CustomFieldType::Boolean => {
            let (mut out, mut missing) = (Vec::with_capacity(n), Vec::with_capacity(n));
            for v in values {
                let b = match v {
                    Some(CustomValue::Boolean(b)) => Some(*b),
                    _ => None,
                };
                out.push(b.unwrap_or(false));
                missing.push(b.is_none());
            }
            (PyArray1::from_vec(py, out), PyArray1::from_vec(py, missing))
                .into_pyobject(py)?
                .into_any()
        }
        CustomFieldType::Date => {
            let col: Vec<i64> = values
                .map(|v| match v {
                    Some(CustomValue::Date(d)) => {
                        (i64::from(d.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_CE) * 86_400
                    }
                    _ => i64::MIN,
                })
                .collect();
            PyArray1::from_vec(py, col).into_any()
        }
        CustomFieldType::Enum => {
            let col: Vec<i32> = values
                .map(|v| match v {
                    Some(CustomValue::Text(s)) => def
                        .choices
                        .iter()
                        .position(|c| c == s)
                        .and_then(|p| i32::try_from(p).ok())
                        .unwrap_or(-1),
                    _ => -1,
                })
                .collect();
            PyArray1::from_vec(py, col).into_any()
        }
        CustomFieldType::MultiEnum => {
            let col: Vec<Option<&[String]>> = values
                .map(|v| match v {
                    Some(CustomValue::Choices(c)) => Some(c.as_slice()),
                    _ => None,
                })
                .collect();
            PyList::new(py, col)?.into_any()
        }
    })
}

/// An iterator over a column's values; a str or a non-iterable is refused.
pub fn column_iter<'py>(
    col: &Bound<'py, PyAny>,
    name: &str,
) -> PyCrmResult<Bound<'py, pyo3::types::PyIterator>> {
    if col.is_instance_of::<PyString>() {
        return Err(invalid_argument(format!(
            "column {name}: expected a list of values, got str"
        )));
    }
    col.try_iter().map_err(|_| {
        invalid_argument(format!(
            "column {name}: expected a list of values, got {}",
            type_name(col)
        ))
    })
}

/// A text column: each value str or None.
pub fn text_column(col: &Bound<'_, PyAny>, name: &str) -> PyCrmResult<Vec<Option<String>>> {
    let mut out = Vec::new();
    for (row, v) in column_iter(col, name)?.enumerate() {
        let v = v?;
        out.push(if v.is_none() {
            None
        } else {
            Some(convert::text(&v, &format!("column {name}, row {row}"))?)
        });
    }
    Ok(out)
}

/// The tags column: each value a comma-separated str, a list of str, or None.
fn tags_column(col: &Bound<'_, PyAny>) -> PyCrmResult<Vec<Option<Vec<String>>>> {
    let mut out = Vec::new();
    for (row, v) in column_iter(col, "tags")?.enumerate() {
        let v = v?;
        let what = format!("column tags, row {row}");
        out.push(if v.is_none() {
            None
        } else if v.is_instance_of::<PyString>() {
            Some(split_tag_list(&convert::text(&v, &what)?))
        } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
            Some(convert::tags(&v, &what)?)
        } else {
            return Err(invalid_argument(format!(
                "{what}: expected str or a list of str, got {}",
                type_name(&v)
            )));
        });
    }
    Ok(out)
}

/// The values of a one-dimensional int64 numpy array, each mapped by `f`, or None when `col` is
/// not such an array.
fn int64_array<T>(
    col: &Bound<'_, PyAny>,
    name: &str,
    f: impl FnMut(&i64) -> T,
) -> PyCrmResult<Option<Vec<T>>> {
    let Ok(arr) = col.cast::<PyArray1<i64>>() else {
        return Ok(None);
    };
    let ro = arr
        .try_readonly()
        .map_err(|e| invalid_argument(format!("column {name}: cannot read the array ({e})")))?;
    Ok(Some(ro.as_array().iter().map(f).collect()))
}

/// A time column: an int64 numpy array of µs since the epoch (from a datetime64 column; NaT, the
/// smallest int64, is absent), or datetimes / None.
pub fn time_column(col: &Bound<'_, PyAny>, name: &str) -> PyCrmResult<Vec<Option<Timestamp>>> {
    if let Some(times) = int64_array(col, name, |&us| {
        (us != i64::MIN).then_some(Timestamp::from_micros(us))
    })? {
        return Ok(times);
    }
    let mut out = Vec::new();
    for (row, v) in column_iter(col, name)?.enumerate() {
        out.push(convert::timestamp(
            &v?,
            &format!("column {name}, row {row}"),
        )?);
    }
    Ok(out)
}

/// A required integer column: an int64 numpy array (the bulk path: no Python object per value),
/// or a list-like of int.
pub fn int_column(col: &Bound<'_, PyAny>, name: &str) -> PyCrmResult<Vec<i64>> {
    if let Some(values) = int64_array(col, name, |&v| v)? {
        return Ok(values);
    }
    let mut out = Vec::new();
    for (row, v) in column_iter(col, name)?.enumerate() {
        out.push(convert::int(&v?, &format!("column {name}, row {row}"))?);
    }
    Ok(out)
}

/// An integer column that may have gaps: an int64 numpy array whose smallest int64 marks a
/// missing value, or a list-like of int / None.
pub fn optional_int_column(col: &Bound<'_, PyAny>, name: &str) -> PyCrmResult<Vec<Option<i64>>> {
    if let Some(values) = int64_array(col, name, |&v| (v != i64::MIN).then_some(v))? {
        return Ok(values);
    }
    let mut out = Vec::new();
    for (row, v) in column_iter(col, name)?.enumerate() {
        let v = v?;
        out.push(if v.is_none() {
            None
        } else {
            Some(convert::int(&v, &format!("column {name}, row {row}"))?)
        });
    }
    Ok(out)
}

/// A custom field's column: each value as `convert::value` reads it (None: absent); the core
/// checks it against the field.
fn custom_values_column(col: &Bound<'_, PyAny>, name: &str) -> PyCrmResult<Vec<Value>> {
    let mut out = Vec::new();
    for (row, v) in column_iter(col, name)?.enumerate() {
        out.push(convert::value(&v?, &format!("column {name}, row {row}"))?);
    }
    Ok(out)
}

/// Builds `NewCustomerColumns` from prepared columns (missing values already None / NaT). A
/// column named like one of the active custom fields `defs` fills that field. Refuses other
/// unknown columns and a missing `name` column; lengths are checked by the core.
pub fn from_py(
    columns: &Bound<'_, PyDict>,
    defs: &[FieldDefinition],
) -> PyCrmResult<NewCustomerColumns> {
    let mut cols = NewCustomerColumns::default();
    let mut unknown = Vec::new();
    let mut has_name = false;
    for (key, col) in columns.iter() {
        let key = convert::text(&key, "column name")?;
        match key.as_str() {
            "name" => {
                cols.name = text_column(&col, "name")?;
                has_name = true;
            }
            "external_id" => cols.external_id = text_column(&col, "external_id")?,
            "email" => cols.email = text_column(&col, "email")?,
            "phone" => cols.phone = text_column(&col, "phone")?,
            "company" => cols.company = text_column(&col, "company")?,
            "stage" => cols.stage = text_column(&col, "stage")?,
            "source" => cols.source = text_column(&col, "source")?,
            "tags" => cols.tags = tags_column(&col)?,
            "created_at" => cols.created_at = time_column(&col, "created_at")?,
            _ if defs.iter().any(|d| d.name == key) => {
                let values = custom_values_column(&col, &key)?;
                cols.custom.insert(key, values);
            }
            _ => unknown.push(format!("{key:?}")),
        }
    }
    if !unknown.is_empty() {
        let custom: String = defs.iter().map(|d| format!(", {}", d.name)).collect();
        return Err(invalid_argument(format!(
            "unknown column(s) {} (known: {}{custom})",
            unknown.join(", "),
            NEW_COLUMNS.join(", ")
        )));
    }
    if !has_name {
        return Err(invalid_argument(format!(
            "a name column is required (known columns: {})",
            NEW_COLUMNS.join(", ")
        )));
    }
    Ok(cols)
}

/// A column of a small vocabulary (currencies, statuses, channels …), as prepared by the Python
/// package.
pub enum Coded<T> {
    /// One value for every row.
    All(T),
    /// One value per row.
    Rows(Vec<T>),
}

impl<T: Copy> Coded<T> {
    /// One value per row, for `n` rows.
    pub fn into_rows(self, n: usize) -> Vec<T> {
        match self {
            Coded::All(v) => vec![v; n],
            Coded::Rows(v) => v,
        }
    }
}

/// Reads a vocabulary column: a single str for every row, or a pair `(codes, values)` where
/// `codes` is an int64 array of positions in the list `values` (-1: missing). Each distinct value
/// is converted once by `parse` (missing values as None); an error names the first row holding
/// the value.
pub fn coded_column<T: Copy>(
    col: &Bound<'_, PyAny>,
    name: &str,
    parse: impl Fn(Option<&str>) -> crm_core::Result<T>,
) -> PyCrmResult<Coded<T>> {
    if col.is_instance_of::<PyString>() {
        return Ok(Coded::All(parse(Some(&convert::text(col, name)?))?));
    }
    let wrong = || {
        invalid_argument(format!(
            "column {name}: expected a str or (codes, values), got {}",
            type_name(col)
        ))
    };
    let pair = col.cast::<PyTuple>().map_err(|_| wrong())?;
    if pair.len() != 2 {
        return Err(wrong());
    }
    let codes = int_column(&pair.get_item(0)?, name)?;
    let values = pair.get_item(1)?;
    let values = values.cast::<PyList>().map_err(|_| wrong())?;
    // The first row holding each value (for messages), and the first missing one.
    let mut first_row = vec![None; values.len()];
    let mut first_missing = None;
    for (row, &c) in codes.iter().enumerate() {
        if c == -1 {
            first_missing.get_or_insert(row);
        } else if let Some(slot) = usize::try_from(c).ok().and_then(|k| first_row.get_mut(k)) {
            slot.get_or_insert(row);
        }
    }
    // Each distinct value once; the first bad one in row order is reported.
    let mut missing = None;
    let mut parsed = Vec::with_capacity(values.len());
    let mut errors = Vec::new();
    if let Some(row) = first_missing {
        match parse(None) {
            Ok(v) => missing = Some(v),
            Err(e) => errors.push((row, e.in_row(row).into())),
        }
    }
    for (v, row) in values.iter().zip(first_row) {
        let row = row.unwrap_or(0);
        let value = convert::text(&v, &format!("column {name}, row {row}"))
            .and_then(|text| parse(Some(&text)).map_err(|e| e.in_row(row).into()));
        match value {
            Ok(v) => parsed.push(v),
            Err(e) => errors.push((row, e)),
        }
    }
    if let Some((_, e)) = errors.into_iter().min_by_key(|(row, _)| *row) {
        return Err(e);
    }
    let mut out = Vec::with_capacity(codes.len());
    for (row, &c) in codes.iter().enumerate() {
        let v = match (c, missing) {
            (-1, Some(m)) => m,
            _ => *usize::try_from(c)
                .ok()
                .and_then(|k| parsed.get(k))
                .ok_or_else(|| {
                    invalid_argument(format!(
                        "column {name}, row {row}: code {c} is out of range ({} values)",
                        parsed.len()
                    ))
                })?,
        };
        out.push(v);
    }
    Ok(Coded::Rows(out))
}
