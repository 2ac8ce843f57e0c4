//! Deal pipelines across the boundary: `crm.Pipeline`, `crm.Stage` and `crm.Deal` (read-only
//! records), and the native methods behind `db.deals` (a `#[pymethods]` block of its own on
//! `Database`).
//!
//! Pipelines are named by name. Money crosses as `int` minor units plus an ISO currency; the
//! expected close is a `datetime.date`. Histories and the pipeline views go out as columns that
//! the Python package turns into DataFrames.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use chrono::{Datelike, NaiveDate};
use crm_core::{
    Deal, DealGroupBy, DealPatch, DealStatus, Money, NewDeal, NewPipeline, NewStage, Pipeline,
    Stage,
};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDate, PyDateTime, PyDict, PyList, PyString};

use crate::columns::code;
use crate::convert::{self, datetime, type_name};
use crate::database::{Database, clearable, filter, query, required};
use crate::errors::{PyCrmResult, invalid_argument};
use crate::stats::real;

/// The fields `update` may change.
const UPDATABLE: &str = "name, amount, currency, owner, source, expected_close";

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// A `datetime.date` (not a `datetime`, whose time would be dropped), or None.
fn date(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<Option<NaiveDate>> {
    if obj.is_none() {
        return Ok(None);
    }
    if obj.is_instance_of::<PyDateTime>() {
        return Err(invalid_argument(format!(
            "{what}: expected a date, got a datetime (pass its .date())"
        )));
    }
    if obj.is_instance_of::<PyDate>() {
        return obj
            .extract::<NaiveDate>()
            .map(Some)
            .map_err(|e| invalid_argument(format!("{what}: {e}")));
    }
    Err(invalid_argument(format!(
        "{what}: expected a datetime.date, got {}",
        type_name(obj)
    )))
}

/// `pipeline`: a pipeline's name.
fn pipeline_name(obj: &Bound<'_, PyAny>) -> PyCrmResult<String> {
    convert::text(required(obj, "pipeline")?, "pipeline")
}

/// Stages as the Python package prepares them: a list of `(name, probability)`.
fn stages(obj: &Bound<'_, PyAny>) -> PyCrmResult<Vec<NewStage>> {
    let wrong = || {
        invalid_argument(format!(
            "stages: expected a list of (name, probability) pairs, got {}",
            type_name(obj)
        ))
    };
    if obj.is_none() || obj.is_instance_of::<PyString>() {
        return Err(wrong());
    }
    let mut out = Vec::new();
    for item in obj.try_iter().map_err(|_| wrong())? {
        let item = item?;
        let (name, probability): (Bound<'_, PyAny>, Bound<'_, PyAny>) =
            item.extract().map_err(|_| wrong())?;
        let name = convert::text(&name, "stage")?;
        let probability = real(&probability, &format!("probability of stage {name}"))?;
        out.push(NewStage::new(name, probability));
    }
    Ok(out)
}

fn group_by(obj: &Bound<'_, PyAny>) -> PyCrmResult<DealGroupBy> {
    Ok(convert::text(required(obj, "by")?, "by")?.parse::<DealGroupBy>()?)
}

fn optional_datetime<'py>(
    py: Python<'py>,
    t: Option<crm_core::Timestamp>,
) -> PyResult<Option<Bound<'py, PyDateTime>>> {
    t.map(|t| datetime(py, t)).transpose()
}

fn days_since_epoch(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_CE
}

/// The deal patch of `update(id, **changes)`.
fn patch(
    changes: Option<&Bound<'_, PyDict>>,
    expected_version: &Bound<'_, PyAny>,
) -> PyCrmResult<DealPatch> {
    let mut p = DealPatch {
        expected_version: convert::optional_int(Some(expected_version), "expected_version")?,
        ..DealPatch::default()
    };
    let Some(changes) = changes else {
        return Ok(p);
    };
    let (mut amount, mut currency) = (None, None);
    for (key, v) in changes.iter() {
        let key = convert::text(&key, "field name")?;
        match key.as_str() {
            "name" => p.name = Some(convert::text(required(&v, "name")?, "name")?),
            "owner" => p.owner = Some(convert::text(required(&v, "owner")?, "owner")?),
            "source" => p.source = clearable(&v, "source")?,
            "expected_close" => p.expected_close = Some(date(&v, "expected_close")?),
            "amount" => amount = Some(convert::int(required(&v, "amount")?, "amount")?),
            "currency" => currency = Some(convert::text(required(&v, "currency")?, "currency")?),
            other => {
                return Err(invalid_argument(format!(
                    "update: unknown field {other:?} (known: {UPDATABLE})"
                )));
            }
        }
    }
    p.amount = match (amount, currency) {
        (Some(minor), Some(c)) => Some(Money::new(minor, &c)?),
        (None, None) => None,
        (Some(_), None) => {
            return Err(invalid_argument(
                "amount is int minor units and needs its currency (e.g. currency=\"EUR\")",
            ));
        }
        (None, Some(_)) => {
            return Err(invalid_argument(
                "currency goes with an amount, and none was given",
            ));
        }
    };
    Ok(p)
}

/// One stage of a pipeline: its name, place (from 0) and the default win probability of the
/// deals in it. Read-only.
#[pyclass(frozen, module = "crm", name = "Stage")]
pub struct PyStage(pub Stage);

fn stage_dict<'py>(py: Python<'py>, s: &Stage) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", s.id)?;
    d.set_item("name", &s.name)?;
    d.set_item("position", s.position)?;
    d.set_item("probability", s.probability)?;
    Ok(d)
}

#[pymethods]
impl PyStage {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// The name, unique in its pipeline ignoring case.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// Its place in the pipeline, from 0.
    #[getter]
    fn position(&self) -> usize {
        self.0.position
    }

    /// The default win probability of deals in it, from 0 to 1.
    #[getter]
    fn probability(&self) -> f64 {
        self.0.probability
    }

    /// The stage as a dict of its fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stage_dict(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Stage(name={}, position={}, probability={})",
            self.0.name.as_str().into_pyobject(py)?.repr()?,
            self.0.position,
            self.0.probability
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyStage>) -> bool {
        self.0 == other.get().0
    }
}

/// A sales pipeline: a unique name and its stages in order (`stages`, a list of
/// :class:`crm.Stage`). Read-only; the `db.deals` stage calls return a new one.
#[pyclass(frozen, module = "crm", name = "Pipeline")]
pub struct PyPipeline(pub Pipeline);

#[pymethods]
impl PyPipeline {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// The unique name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The stages in order.
    #[getter]
    fn stages(&self) -> Vec<PyStage> {
        self.0.stages.iter().cloned().map(PyStage).collect()
    }

    /// The stage names in order.
    #[getter]
    fn stage_names(&self) -> Vec<String> {
        self.0.stages.iter().map(|s| s.name.clone()).collect()
    }

    /// When it was created (aware, UTC).
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.created_at)
    }

    /// The pipeline as a dict of its fields (`stages` as a list of dicts).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("id", self.0.id)?;
        d.set_item("name", &self.0.name)?;
        let stages = PyList::empty(py);
        for s in &self.0.stages {
            stages.append(stage_dict(py, s)?)?;
        }
        d.set_item("stages", stages)?;
        d.set_item("created_at", datetime(py, self.0.created_at)?)?;
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.0.stages.len()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Pipeline(id={}, name={}, stages={})",
            self.0.id,
            self.0.name.as_str().into_pyobject(py)?.repr()?,
            self.stage_names().into_pyobject(py)?.repr()?,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyPipeline>) -> bool {
        self.0 == other.get().0
    }
}

/// A deal as stored: with whom (`customer_id`), in which pipeline and stage (with the stage's
/// win `probability`), its value (`amount` in minor units of `currency`), owner, source,
/// expected close date, status (open, won, lost; `lost_reason` when lost) and times (aware UTC
/// datetimes). `version` starts at 1 and goes up with every change. Read-only.
#[pyclass(frozen, module = "crm", name = "Deal")]
pub struct PyDeal(pub Deal);

#[pymethods]
impl PyDeal {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// The pipeline's id.
    #[getter]
    fn pipeline_id(&self) -> i64 {
        self.0.pipeline_id
    }

    /// The pipeline's name.
    #[getter]
    fn pipeline(&self) -> &str {
        &self.0.pipeline
    }

    /// The customer the deal is with.
    #[getter]
    fn customer_id(&self) -> i64 {
        self.0.customer_id
    }

    /// The deal's name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// Value in minor units of `currency`.
    #[getter]
    fn amount(&self) -> i64 {
        self.0.amount.minor
    }

    /// ISO-4217 currency of `amount`.
    #[getter]
    fn currency(&self) -> String {
        self.0.amount.currency.as_str().to_owned()
    }

    /// The stage's name.
    #[getter]
    fn stage(&self) -> &str {
        &self.0.stage
    }

    /// The stage's id.
    #[getter]
    fn stage_id(&self) -> i64 {
        self.0.stage_id
    }

    /// The stage's default win probability.
    #[getter]
    fn probability(&self) -> f64 {
        self.0.probability
    }

    /// Who works the deal.
    #[getter]
    fn owner(&self) -> &str {
        &self.0.owner
    }

    /// Where it came from, or None.
    #[getter]
    fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }

    /// When it is expected to close (a `datetime.date`), or None.
    #[getter]
    fn expected_close(&self) -> Option<NaiveDate> {
        self.0.expected_close
    }

    /// open, won or lost.
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status.as_str()
    }

    /// Why it was lost (set exactly when lost), or None.
    #[getter]
    fn lost_reason(&self) -> Option<&str> {
        self.0.lost_reason.as_deref()
    }

    /// When it was created (aware, UTC).
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.created_at)
    }

    /// When it last changed (aware, UTC).
    #[getter]
    fn updated_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.updated_at)
    }

    /// When it was won or lost (aware, UTC), or None while open.
    #[getter]
    fn closed_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.closed_at)
    }

    /// Starts at 1; every change adds 1. Pass it back as `expected_version` to update safely.
    #[getter]
    fn version(&self) -> i64 {
        self.0.version
    }

    /// The deal as a dict of its fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let x = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", x.id)?;
        d.set_item("pipeline_id", x.pipeline_id)?;
        d.set_item("pipeline", &x.pipeline)?;
        d.set_item("customer_id", x.customer_id)?;
        d.set_item("name", &x.name)?;
        d.set_item("amount", x.amount.minor)?;
        d.set_item("currency", x.amount.currency.as_str())?;
        d.set_item("stage", &x.stage)?;
        d.set_item("stage_id", x.stage_id)?;
        d.set_item("probability", x.probability)?;
        d.set_item("owner", &x.owner)?;
        d.set_item("source", x.source.as_deref())?;
        d.set_item("expected_close", x.expected_close)?;
        d.set_item("status", x.status.as_str())?;
        d.set_item("lost_reason", x.lost_reason.as_deref())?;
        d.set_item("created_at", datetime(py, x.created_at)?)?;
        d.set_item("updated_at", datetime(py, x.updated_at)?)?;
        d.set_item("closed_at", optional_datetime(py, x.closed_at)?)?;
        d.set_item("version", x.version)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let x = &self.0;
        Ok(format!(
            "Deal(id={}, name={}, pipeline={}, stage={}, status={}, amount={}, currency={}, version={})",
            x.id,
            x.name.as_str().into_pyobject(py)?.repr()?,
            x.pipeline.as_str().into_pyobject(py)?.repr()?,
            x.stage.as_str().into_pyobject(py)?.repr()?,
            x.status.as_str().into_pyobject(py)?.repr()?,
            x.amount.minor,
            x.amount.currency.as_str().into_pyobject(py)?.repr()?,
            x.version,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyDeal>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        // Every change raises the version.
        let mut h = DefaultHasher::new();
        (self.0.id, self.0.version).hash(&mut h);
        h.finish()
    }
}

/// Deals as columns: ids, amounts, versions and times (µs, UTC; the smallest int64 when
/// missing) as int64 arrays, `expected_close` as int64 days since 1970-01-01 (the smallest int64
/// when missing), `probability` as float64, `status` as int8 codes into `DEAL_STATUSES`, text as
/// lists of str / None.
fn deals_to_py(py: Python<'_>, deals: Vec<Deal>) -> PyResult<Bound<'_, PyDict>> {
    let ints = |f: fn(&Deal) -> i64| PyArray1::from_vec(py, deals.iter().map(f).collect());
    let texts = |f: fn(&Deal) -> Option<&str>| PyList::new(py, deals.iter().map(f));
    let d = PyDict::new(py);
    d.set_item("id", ints(|x| x.id))?;
    d.set_item("pipeline", texts(|x| Some(x.pipeline.as_str()))?)?;
    d.set_item("customer_id", ints(|x| x.customer_id))?;
    d.set_item("name", texts(|x| Some(x.name.as_str()))?)?;
    d.set_item("amount", ints(|x| x.amount.minor))?;
    d.set_item("currency", texts(|x| Some(x.amount.currency.as_str()))?)?;
    d.set_item("stage", texts(|x| Some(x.stage.as_str()))?)?;
    d.set_item(
        "probability",
        PyArray1::from_vec(py, deals.iter().map(|x| x.probability).collect()),
    )?;
    d.set_item("owner", texts(|x| Some(x.owner.as_str()))?)?;
    d.set_item("source", texts(|x| x.source.as_deref())?)?;
    d.set_item(
        "expected_close",
        ints(|x| x.expected_close.map_or(i64::MIN, days_since_epoch)),
    )?;
    d.set_item(
        "status",
        PyArray1::from_vec(
            py,
            deals
                .iter()
                .map(|x| code(DealStatus::ALL, &x.status))
                .collect(),
        ),
    )?;
    d.set_item("lost_reason", texts(|x| x.lost_reason.as_deref())?)?;
    d.set_item("created_at", ints(|x| x.created_at.as_micros()))?;
    d.set_item("updated_at", ints(|x| x.updated_at.as_micros()))?;
    d.set_item(
        "closed_at",
        ints(|x| x.closed_at.map_or(i64::MIN, |t| t.as_micros())),
    )?;
    d.set_item("version", ints(|x| x.version))?;
    Ok(d)
}

/// Optional floats as float64 with NaN for None.
fn nan_array<'py>(
    py: Python<'py>,
    values: impl Iterator<Item = Option<f64>>,
) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_vec(py, values.map(|v| v.unwrap_or(f64::NAN)).collect())
}

#[pymethods]
impl Database {
    /// Creates a pipeline from `(name, probability)` stages.
    fn create_pipeline(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        stages: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyPipeline> {
        let new = NewPipeline {
            name: convert::text(required(name, "name")?, "name")?,
            stages: self::stages(stages)?,
        };
        Ok(PyPipeline(
            self.with(py, |crm| crm.deals().create_pipeline(new))?,
        ))
    }

    /// The pipeline with this name.
    fn get_pipeline(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyCrmResult<PyPipeline> {
        let name = pipeline_name(name)?;
        Ok(PyPipeline(
            self.with(py, |crm| crm.deals().pipeline(&name))?,
        ))
    }

    /// Every pipeline, by name.
    fn list_pipelines(&self, py: Python<'_>) -> PyCrmResult<Vec<PyPipeline>> {
        let found = self.with(py, |crm| crm.deals().pipelines())?;
        Ok(found.into_iter().map(PyPipeline).collect())
    }

    /// Adds a stage at `position` (None: last).
    fn add_pipeline_stage(
        &self,
        py: Python<'_>,
        pipeline: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        probability: &Bound<'_, PyAny>,
        position: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyPipeline> {
        let pipeline = pipeline_name(pipeline)?;
        let stage = NewStage::new(
            convert::text(required(name, "stage")?, "stage")?,
            real(required(probability, "probability")?, "probability")?,
        );
        let position = convert::optional_count(Some(position), "position")?
            .map(|p| usize::try_from(p).unwrap_or(usize::MAX));
        Ok(PyPipeline(self.with(py, |crm| {
            crm.deals().add_stage(&pipeline, stage, position)
        })?))
    }

    /// Sets a stage's default win probability.
    fn set_stage_probability(
        &self,
        py: Python<'_>,
        pipeline: &Bound<'_, PyAny>,
        stage: &Bound<'_, PyAny>,
        probability: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyPipeline> {
        let pipeline = pipeline_name(pipeline)?;
        let stage = convert::text(required(stage, "stage")?, "stage")?;
        let probability = real(required(probability, "probability")?, "probability")?;
        Ok(PyPipeline(self.with(py, |crm| {
            crm.deals()
                .set_stage_probability(&pipeline, &stage, probability)
        })?))
    }

    /// Removes a stage that holds no deals.
    fn remove_pipeline_stage(
        &self,
        py: Python<'_>,
        pipeline: &Bound<'_, PyAny>,
        stage: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyPipeline> {
        let pipeline = pipeline_name(pipeline)?;
        let stage = convert::text(required(stage, "stage")?, "stage")?;
        Ok(PyPipeline(self.with(py, |crm| {
            crm.deals().remove_stage(&pipeline, &stage)
        })?))
    }

    /// Deletes a pipeline that has no deals.
    fn delete_pipeline(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyCrmResult<()> {
        let name = pipeline_name(name)?;
        self.with(py, |crm| crm.deals().delete_pipeline(&name))
    }

    /// Creates a deal.
    #[pyo3(signature = (pipeline, customer_id, name, amount, currency, stage, owner, source, expected_close, created_at))]
    #[allow(clippy::too_many_arguments)]
    fn create_deal(
        &self,
        py: Python<'_>,
        pipeline: &Bound<'_, PyAny>,
        customer_id: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        amount: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
        stage: &Bound<'_, PyAny>,
        owner: &Bound<'_, PyAny>,
        source: &Bound<'_, PyAny>,
        expected_close: &Bound<'_, PyAny>,
        created_at: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyDeal> {
        let amount = convert::int(required(amount, "amount")?, "amount")?;
        let currency = convert::text(required(currency, "currency")?, "currency")?;
        let new = NewDeal {
            pipeline: pipeline_name(pipeline)?,
            customer_id: convert::int(customer_id, "customer_id")?,
            name: convert::text(required(name, "name")?, "name")?,
            amount: Money::new(amount, &currency)?,
            stage: convert::optional_text(Some(stage), "stage")?,
            owner: convert::optional_text(Some(owner), "owner")?,
            source: convert::optional_text(Some(source), "source")?,
            expected_close: date(expected_close, "expected_close")?,
            created_at: convert::timestamp(created_at, "created_at")?,
        };
        Ok(PyDeal(self.with(py, |crm| crm.deals().create(new))?))
    }

    /// The deal with this id.
    fn get_deal(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyCrmResult<PyDeal> {
        let id = convert::int(id, "id")?;
        Ok(PyDeal(self.with(py, |crm| crm.deals().get(id))?))
    }

    /// Deals matching filter text and keyword filters, in order and page.
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_deals(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
    ) -> PyCrmResult<Vec<PyDeal>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.deals().find(&q))?;
        Ok(found.into_iter().map(PyDeal).collect())
    }

    /// Like `find_deals`, as columns (see `deals_to_py`).
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_deal_columns<'py>(
        &self,
        py: Python<'py>,
        text: Option<&Bound<'py, PyAny>>,
        filters: Option<&Bound<'py, PyDict>>,
        order_by: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        offset: Option<&Bound<'py, PyAny>>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.deals().find(&q))?;
        Ok(deals_to_py(py, found)?)
    }

    /// How many deals match filter text and keyword filters.
    #[pyo3(signature = (text, filters))]
    fn count_deals(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
    ) -> PyCrmResult<i64> {
        let f = filter(text, filters)?;
        self.with(py, |crm| crm.deals().count(&f))
    }

    /// Applies `changes` to deal `id` (refused with CONFLICT unless its version is
    /// `expected_version`, when given).
    #[pyo3(signature = (id, changes, expected_version))]
    fn update_deal(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        changes: Option<&Bound<'_, PyDict>>,
        expected_version: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyDeal> {
        let id = convert::int(id, "id")?;
        let p = patch(changes, expected_version)?;
        Ok(PyDeal(self.with(py, |crm| crm.deals().update(id, &p))?))
    }

    /// Moves an open deal to `stage` at `at` (None: now).
    fn move_deal(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        stage: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyDeal> {
        let id = convert::int(id, "id")?;
        let stage = convert::text(required(stage, "stage")?, "stage")?;
        let at = convert::timestamp(at, "at")?;
        Ok(PyDeal(
            self.with(py, |crm| crm.deals().move_to(id, &stage, at))?,
        ))
    }

    /// Closes an open deal as won at `at` (None: now).
    fn win_deal(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyDeal> {
        let id = convert::int(id, "id")?;
        let at = convert::timestamp(at, "at")?;
        Ok(PyDeal(self.with(py, |crm| crm.deals().win(id, at))?))
    }

    /// Closes an open deal as lost for `reason` at `at` (None: now).
    fn lose_deal(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        reason: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyDeal> {
        let id = convert::int(id, "id")?;
        let reason = convert::text(required(reason, "reason")?, "reason")?;
        let at = convert::timestamp(at, "at")?;
        Ok(PyDeal(
            self.with(py, |crm| crm.deals().lose(id, &reason, at))?,
        ))
    }

    /// Reopens a won or lost deal at `at` (None: now).
    fn reopen_deal(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyDeal> {
        let id = convert::int(id, "id")?;
        let at = convert::timestamp(at, "at")?;
        Ok(PyDeal(self.with(py, |crm| crm.deals().reopen(id, at))?))
    }

    /// Deletes a deal and its stage history.
    fn delete_deal(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyCrmResult<()> {
        let id = convert::int(id, "id")?;
        self.with(py, |crm| crm.deals().delete(id))
    }

    /// A deal's stage changes, oldest first, as columns: `deal_id`, `at` (µs, UTC) as int64
    /// arrays, `from_stage`, `to_stage`, `by` as lists.
    fn deal_history_columns<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let id = convert::int(id, "id")?;
        let h = self.with(py, |crm| crm.deals().history(id))?;
        let d = PyDict::new(py);
        d.set_item(
            "deal_id",
            PyArray1::from_vec(py, h.iter().map(|c| c.deal_id).collect()),
        )?;
        d.set_item(
            "from_stage",
            PyList::new(py, h.iter().map(|c| c.from_stage.as_deref()))?,
        )?;
        d.set_item(
            "to_stage",
            PyList::new(py, h.iter().map(|c| c.to_stage.as_str()))?,
        )?;
        d.set_item(
            "at",
            PyArray1::from_vec(py, h.iter().map(|c| c.at.as_micros()).collect()),
        )?;
        d.set_item("by", PyList::new(py, h.iter().map(|c| c.by.as_str()))?)?;
        Ok(d)
    }

    /// The time a deal spent in each stage as columns: `stage` (list), `entered_at`,
    /// `left_at` (µs, UTC; the smallest int64 while still there) and `duration` (µs) as int64
    /// arrays. `now` (None: the handle's clock) ends the current stay.
    fn deal_time_in_stage_columns<'py>(
        &self,
        py: Python<'py>,
        id: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let id = convert::int(id, "id")?;
        let now = convert::timestamp(now, "now")?;
        let stays = self.with(py, |crm| crm.deals().time_in_stages(id, now))?;
        let d = PyDict::new(py);
        d.set_item(
            "stage",
            PyList::new(py, stays.iter().map(|s| s.stage.as_str()))?,
        )?;
        d.set_item(
            "entered_at",
            PyArray1::from_vec(py, stays.iter().map(|s| s.entered_at.as_micros()).collect()),
        )?;
        d.set_item(
            "left_at",
            PyArray1::from_vec(
                py,
                stays
                    .iter()
                    .map(|s| s.left_at.map_or(i64::MIN, |t| t.as_micros()))
                    .collect(),
            ),
        )?;
        d.set_item(
            "duration",
            PyArray1::from_vec(py, stays.iter().map(|s| s.duration).collect()),
        )?;
        Ok(d)
    }

    /// Open deals' value by stage and currency as columns: `stage`, `currency` (lists),
    /// `position`, `count`, `amount` (int64), `weighted` (float64).
    fn deal_value_by_stage<'py>(
        &self,
        py: Python<'py>,
        pipeline: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let pipeline = pipeline_name(pipeline)?;
        let rows = self.with(py, |crm| crm.deals().value_by_stage(&pipeline))?;
        let d = PyDict::new(py);
        d.set_item(
            "stage",
            PyList::new(py, rows.iter().map(|r| r.stage.as_str()))?,
        )?;
        d.set_item(
            "position",
            PyArray1::from_vec(
                py,
                rows.iter()
                    .map(|r| i64::try_from(r.position).unwrap_or(i64::MAX))
                    .collect(),
            ),
        )?;
        d.set_item(
            "currency",
            PyList::new(py, rows.iter().map(|r| r.currency.as_str()))?,
        )?;
        d.set_item(
            "count",
            PyArray1::from_vec(py, rows.iter().map(|r| r.count).collect()),
        )?;
        d.set_item(
            "amount",
            PyArray1::from_vec(py, rows.iter().map(|r| r.amount).collect()),
        )?;
        d.set_item(
            "weighted",
            PyArray1::from_vec(py, rows.iter().map(|r| r.weighted).collect()),
        )?;
        Ok(d)
    }

    /// Open deals by expected close month and currency as columns: `month` (list of `YYYY-MM` /
    /// None), `currency` (list), `count`, `amount` (int64), `weighted` (float64).
    fn deal_forecast<'py>(
        &self,
        py: Python<'py>,
        pipeline: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let pipeline = pipeline_name(pipeline)?;
        let rows = self.with(py, |crm| crm.deals().forecast(&pipeline))?;
        let d = PyDict::new(py);
        d.set_item(
            "month",
            PyList::new(py, rows.iter().map(|r| r.month.as_deref()))?,
        )?;
        d.set_item(
            "currency",
            PyList::new(py, rows.iter().map(|r| r.currency.as_str()))?,
        )?;
        d.set_item(
            "count",
            PyArray1::from_vec(py, rows.iter().map(|r| r.count).collect()),
        )?;
        d.set_item(
            "amount",
            PyArray1::from_vec(py, rows.iter().map(|r| r.amount).collect()),
        )?;
        d.set_item(
            "weighted",
            PyArray1::from_vec(py, rows.iter().map(|r| r.weighted).collect()),
        )?;
        Ok(d)
    }

    /// Won, lost and open deals by owner or source as columns: `key` (list of str / None),
    /// `won`, `lost`, `open` (int64), `win_rate` and `average_cycle` (µs) as float64, NaN where
    /// undefined.
    fn deal_win_rates<'py>(
        &self,
        py: Python<'py>,
        pipeline: &Bound<'py, PyAny>,
        by: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let pipeline = pipeline_name(pipeline)?;
        let by = group_by(by)?;
        let rows = self.with(py, |crm| crm.deals().win_rates(&pipeline, by))?;
        let d = PyDict::new(py);
        d.set_item(
            "key",
            PyList::new(py, rows.iter().map(|r| r.key.as_deref()))?,
        )?;
        d.set_item(
            "won",
            PyArray1::from_vec(py, rows.iter().map(|r| r.won).collect()),
        )?;
        d.set_item(
            "lost",
            PyArray1::from_vec(py, rows.iter().map(|r| r.lost).collect()),
        )?;
        d.set_item(
            "open",
            PyArray1::from_vec(py, rows.iter().map(|r| r.open).collect()),
        )?;
        d.set_item("win_rate", nan_array(py, rows.iter().map(|r| r.win_rate)))?;
        d.set_item(
            "average_cycle",
            nan_array(py, rows.iter().map(|r| r.average_cycle)),
        )?;
        Ok(d)
    }

    /// Conversion between consecutive stages as columns: `from_stage`, `to_stage` (lists),
    /// `entered`, `advanced` (int64), `rate` (float64, NaN when no deal entered).
    fn deal_stage_conversion<'py>(
        &self,
        py: Python<'py>,
        pipeline: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let pipeline = pipeline_name(pipeline)?;
        let rows = self.with(py, |crm| crm.deals().stage_conversion(&pipeline))?;
        let d = PyDict::new(py);
        d.set_item(
            "from_stage",
            PyList::new(py, rows.iter().map(|r| r.from_stage.as_str()))?,
        )?;
        d.set_item(
            "to_stage",
            PyList::new(py, rows.iter().map(|r| r.to_stage.as_str()))?,
        )?;
        d.set_item(
            "entered",
            PyArray1::from_vec(py, rows.iter().map(|r| r.entered).collect()),
        )?;
        d.set_item(
            "advanced",
            PyArray1::from_vec(py, rows.iter().map(|r| r.advanced).collect()),
        )?;
        d.set_item("rate", nan_array(py, rows.iter().map(|r| r.rate)))?;
        Ok(d)
    }
}

/// The module-level vocabularies and classes of deals.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("DEAL_STATUSES", DealStatus::NAMES.to_vec())?;
    m.add("DEAL_GROUP_BY", DealGroupBy::NAMES.to_vec())?;
    m.add_class::<PyPipeline>()?;
    m.add_class::<PyStage>()?;
    m.add_class::<PyDeal>()?;
    Ok(())
}
