//! Campaigns across the boundary: `crm.Campaign` and `crm.CampaignEvent` (read-only records), and
//! the native methods behind `db.campaigns` (a `#[pymethods]` block of its own on `Database`).
//!
//! A campaign is named by its id (`int`) or its name (`str`) wherever one is expected. Money
//! crosses as `int` minor units plus one ISO currency for budget and cost together. Variants come
//! prepared by the Python package as `(name, share, control)` tuples; the core checks them.
//! Members, events and the evaluation go out as columns (numpy arrays and lists) that the
//! Python package turns into DataFrames.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crm_core::model::campaign_report::DAY_MICROS;
use crm_core::{
    Campaign, CampaignEvent, CampaignPatch, Channel, Crm, Currency, EvaluationOptions, EventKind,
    EventRejection, Money, NewCampaign, NewCampaignEvent, Timestamp, Variant,
};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDateTime, PyDict, PyInt, PyList, PyString};

use crate::columns::{Coded, code, coded_column, int_column, time_column};
use crate::convert::{self, datetime, type_name};
use crate::database::{Database, clearable, filter, query, required};
use crate::errors::{PyCrmResult, invalid_argument};
use crate::stats::real;

/// The fields `update` may change.
const UPDATABLE: &str =
    "name, objective, budget, cost, currency, segment, variants, seed, starts_at, ends_at";

/// A campaign named by the caller: by id or by name.
pub enum CampaignKey {
    /// The store's id.
    Id(i64),
    /// The unique name.
    Name(String),
}

impl CampaignKey {
    /// An `int` id or a `str` name.
    pub fn from_py(obj: &Bound<'_, PyAny>) -> PyCrmResult<CampaignKey> {
        if obj.is_instance_of::<PyString>() {
            return Ok(CampaignKey::Name(convert::text(obj, "campaign")?));
        }
        convert::int(obj, "campaign")
            .map(CampaignKey::Id)
            .map_err(|_| {
                invalid_argument(format!(
                    "campaign: expected an id (int) or a name (str), got {}",
                    type_name(obj)
                ))
            })
    }

    /// The campaign's id (a name is looked up).
    pub fn id(&self, crm: &Crm) -> crm_core::Result<i64> {
        match self {
            CampaignKey::Id(id) => Ok(*id),
            CampaignKey::Name(name) => Ok(crm.campaigns().get_by_name(name)?.id),
        }
    }

    fn get(&self, crm: &Crm) -> crm_core::Result<Campaign> {
        match self {
            CampaignKey::Id(id) => crm.campaigns().get(*id),
            CampaignKey::Name(name) => crm.campaigns().get_by_name(name),
        }
    }
}

/// Budget and cost from their minor units and the one currency they share: the currency is
/// required with either and refused without both.
fn budget_and_cost(
    budget: Option<i64>,
    cost: Option<i64>,
    currency: Option<&str>,
) -> PyCrmResult<(Option<Money>, Option<Money>)> {
    match (budget.is_some() || cost.is_some(), currency) {
        (true, None) => Err(invalid_argument(
            "budget and cost are int minor units and need a currency (e.g. currency=\"EUR\")",
        )),
        (false, Some(_)) => Err(invalid_argument(
            "currency goes with a budget or a cost, and neither was given",
        )),
        (_, currency) => {
            let money = |minor: Option<i64>| -> crm_core::Result<Option<Money>> {
                match (minor, currency) {
                    (Some(m), Some(c)) => Money::new(m, c).map(Some),
                    _ => Ok(None),
                }
            };
            Ok((money(budget)?, money(cost)?))
        }
    }
}

/// Variants as the Python package prepares them: a list of `(name, share, control)`; None for
/// none (everyone gets the campaign).
fn variants(obj: &Bound<'_, PyAny>) -> PyCrmResult<Vec<Variant>> {
    if obj.is_none() {
        return Ok(Vec::new());
    }
    let wrong = || {
        invalid_argument(format!(
            "variants: expected a list of (name, share, control) tuples, got {}",
            type_name(obj)
        ))
    };
    if obj.is_instance_of::<PyString>() {
        return Err(wrong());
    }
    let mut out = Vec::new();
    for item in obj.try_iter().map_err(|_| wrong())? {
        let item = item?;
        let (name, share, control): (Bound<'_, PyAny>, Bound<'_, PyAny>, Bound<'_, PyAny>) =
            item.extract().map_err(|_| wrong())?;
        let name = convert::text(&name, "variant name")?;
        let share = real(&share, &format!("share of variant {name}"))?;
        let control = convert::flag(&control, "control")?;
        out.push(Variant {
            name,
            share,
            control,
        });
    }
    Ok(out)
}

/// The seed of the split: an int from 0 to 2⁶⁴ − 1.
fn seed(obj: &Bound<'_, PyAny>) -> PyCrmResult<u64> {
    let is_int = !(obj.is_instance_of::<PyBool>() || type_name(obj) == "bool_")
        && (obj.is_instance_of::<PyInt>() || obj.hasattr("__index__").unwrap_or(false));
    if is_int && let Ok(s) = obj.extract::<u64>() {
        return Ok(s);
    }
    // Not an int (refused with its type), or below 0.
    let n = convert::int(obj, "seed")?;
    Err(crm_core::Error::invalid("seed", n.to_string(), "must be from 0 to 2**64 - 1").into())
}

fn optional_seed(obj: &Bound<'_, PyAny>) -> PyCrmResult<Option<u64>> {
    if obj.is_none() {
        Ok(None)
    } else {
        seed(obj).map(Some)
    }
}

fn channel(obj: &Bound<'_, PyAny>) -> PyCrmResult<Channel> {
    Ok(convert::text(required(obj, "channel")?, "channel")?.parse::<Channel>()?)
}

fn event_kind(obj: &Bound<'_, PyAny>) -> PyCrmResult<EventKind> {
    Ok(convert::text(required(obj, "kind")?, "kind")?.parse::<EventKind>()?)
}

fn optional_datetime<'py>(
    py: Python<'py>,
    t: Option<Timestamp>,
) -> PyResult<Option<Bound<'py, PyDateTime>>> {
    t.map(|t| datetime(py, t)).transpose()
}

/// The campaign patch of `update(campaign, **changes)`; budget and cost given as ints take the
/// `currency` of the same call.
fn patch(changes: Option<&Bound<'_, PyDict>>) -> PyCrmResult<CampaignPatch> {
    let mut p = CampaignPatch::default();
    let Some(changes) = changes else {
        return Ok(p);
    };
    let (mut budget, mut cost, mut currency) = (None, None, None);
    for (key, v) in changes.iter() {
        let key = convert::text(&key, "field name")?;
        match key.as_str() {
            "name" => p.name = Some(convert::text(required(&v, "name")?, "name")?),
            "objective" => p.objective = clearable(&v, "objective")?,
            "segment" => p.segment = clearable(&v, "segment")?,
            "budget" => budget = Some(convert::optional_int(Some(&v), "budget")?),
            "cost" => cost = Some(convert::optional_int(Some(&v), "cost")?),
            "currency" => currency = Some(convert::text(required(&v, "currency")?, "currency")?),
            "variants" => p.variants = Some(variants(&v)?),
            "seed" => p.seed = Some(seed(required(&v, "seed")?)?),
            "starts_at" => p.starts_at = Some(convert::timestamp(&v, "starts_at")?),
            "ends_at" => p.ends_at = Some(convert::timestamp(&v, "ends_at")?),
            other => {
                return Err(invalid_argument(format!(
                    "update: unknown field {other:?} (known: {UPDATABLE})"
                )));
            }
        }
    }
    let (b, c) = budget_and_cost(budget.flatten(), cost.flatten(), currency.as_deref())?;
    // A change given as None clears the value; an int sets it.
    if let Some(given) = budget {
        p.budget = Some(given.and(b));
    }
    if let Some(given) = cost {
        p.cost = Some(given.and(c));
    }
    Ok(p)
}

/// A campaign as stored: its plan (channel, objective, budget and cost in minor units of
/// `currency`, audience segment, variants and seed, planned window), where it is in its life
/// (`status`, `started_at`, `ended_at`) and when it was created and changed (aware UTC
/// datetimes). Read-only.
#[pyclass(frozen, module = "crm", name = "Campaign")]
pub struct PyCampaign(pub Campaign);

fn variant_dicts<'py>(py: Python<'py>, c: &Campaign) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for v in &c.variants {
        let d = PyDict::new(py);
        d.set_item("name", &v.name)?;
        d.set_item("share", v.share)?;
        d.set_item("control", v.control)?;
        out.append(d)?;
    }
    Ok(out)
}

#[pymethods]
impl PyCampaign {
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

    /// The channel it reaches members on (one of `crm.CHANNELS`).
    #[getter]
    fn channel(&self) -> &'static str {
        self.0.channel.as_str()
    }

    /// What it is for, in words, or None.
    #[getter]
    fn objective(&self) -> Option<&str> {
        self.0.objective.as_deref()
    }

    /// Planned spend in minor units of `currency`, or None.
    #[getter]
    fn budget(&self) -> Option<i64> {
        self.0.budget.map(|m| m.minor)
    }

    /// Actual spend so far in minor units of `currency`, or None.
    #[getter]
    fn cost(&self) -> Option<i64> {
        self.0.cost.map(|m| m.minor)
    }

    /// The ISO-4217 currency of budget and cost, or None when it has neither.
    #[getter]
    fn currency(&self) -> Option<String> {
        self.0.currency().map(|c| c.as_str().to_owned())
    }

    /// The saved segment whose customers become the members at the start, or None.
    #[getter]
    fn segment(&self) -> Option<&str> {
        self.0.segment.as_deref()
    }

    /// The random split, in order: a list of dicts with `name`, `share` and `control`.
    #[getter]
    fn variants<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        variant_dicts(py, &self.0)
    }

    /// The seed of the split (the same members, variants and seed give the same split).
    #[getter]
    fn seed(&self) -> u64 {
        self.0.seed
    }

    /// Planned start (aware, UTC), or None.
    #[getter]
    fn starts_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.starts_at)
    }

    /// Planned end (aware, UTC), or None.
    #[getter]
    fn ends_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.ends_at)
    }

    /// draft, scheduled, running, completed or cancelled.
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status.as_str()
    }

    /// When it actually started — the audience was frozen into members — or None.
    #[getter]
    fn started_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.started_at)
    }

    /// When it completed or was cancelled, or None.
    #[getter]
    fn ended_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        optional_datetime(py, self.0.ended_at)
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

    /// The campaign as a dict of its fields (`variants` as a list of dicts).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", c.id)?;
        d.set_item("name", &c.name)?;
        d.set_item("channel", c.channel.as_str())?;
        d.set_item("objective", c.objective.as_deref())?;
        d.set_item("budget", c.budget.map(|m| m.minor))?;
        d.set_item("cost", c.cost.map(|m| m.minor))?;
        d.set_item("currency", c.currency().map(|m| m.as_str().to_owned()))?;
        d.set_item("segment", c.segment.as_deref())?;
        d.set_item("variants", variant_dicts(py, c)?)?;
        d.set_item("seed", c.seed)?;
        d.set_item("starts_at", optional_datetime(py, c.starts_at)?)?;
        d.set_item("ends_at", optional_datetime(py, c.ends_at)?)?;
        d.set_item("status", c.status.as_str())?;
        d.set_item("started_at", optional_datetime(py, c.started_at)?)?;
        d.set_item("ended_at", optional_datetime(py, c.ended_at)?)?;
        d.set_item("created_at", datetime(py, c.created_at)?)?;
        d.set_item("updated_at", datetime(py, c.updated_at)?)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = &self.0;
        let variants: Vec<&str> = c.variants.iter().map(|v| v.name.as_str()).collect();
        Ok(format!(
            "Campaign(id={}, name={}, channel={}, status={}, variants={})",
            c.id,
            c.name.as_str().into_pyobject(py)?.repr()?,
            c.channel.as_str().into_pyobject(py)?.repr()?,
            c.status.as_str().into_pyobject(py)?.repr()?,
            variants.into_pyobject(py)?.repr()?,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyCampaign>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        // Every change moves `updated_at`.
        let mut h = DefaultHasher::new();
        (self.0.id, self.0.updated_at.as_micros()).hash(&mut h);
        h.finish()
    }
}

/// A recorded tracking event of a campaign member: `kind` (sent, delivered, opened, clicked,
/// converted, unsubscribed) `at` a time (aware UTC datetime). Read-only.
#[pyclass(frozen, module = "crm", name = "CampaignEvent")]
pub struct PyCampaignEvent(pub CampaignEvent);

#[pymethods]
impl PyCampaignEvent {
    /// The store's id.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// The campaign's id.
    #[getter]
    fn campaign_id(&self) -> i64 {
        self.0.campaign_id
    }

    /// The member's customer id.
    #[getter]
    fn customer_id(&self) -> i64 {
        self.0.customer_id
    }

    /// What happened (one of `crm.EVENT_KINDS`).
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind.as_str()
    }

    /// When it happened (aware, UTC).
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDateTime>> {
        datetime(py, self.0.at)
    }

    /// The event as a dict of its fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let e = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", e.id)?;
        d.set_item("campaign_id", e.campaign_id)?;
        d.set_item("customer_id", e.customer_id)?;
        d.set_item("kind", e.kind.as_str())?;
        d.set_item("at", datetime(py, e.at)?)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let e = &self.0;
        Ok(format!(
            "CampaignEvent(id={}, campaign_id={}, customer_id={}, kind={}, at={})",
            e.id,
            e.campaign_id,
            e.customer_id,
            e.kind.as_str().into_pyobject(py)?.repr()?,
            e.at.to_string().into_pyobject(py)?.repr()?,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyCampaignEvent>) -> bool {
        self.0 == other.get().0
    }

    fn __hash__(&self) -> u64 {
        // Events do not change once recorded.
        let mut h = DefaultHasher::new();
        self.0.id.hash(&mut h);
        h.finish()
    }
}

/// The columns of `record_events`: `customer_id` (int64 array or ints), `kind` (one str, or
/// `(codes, values)`), `at` (int64 µs, NaT = now; or datetimes / None), of one length.
fn events_from_py(columns: &Bound<'_, PyDict>) -> PyCrmResult<Vec<NewCampaignEvent>> {
    const KNOWN: &str = "customer_id, kind, at";
    let (mut customer_id, mut kind, mut at) = (None, None, None);
    for (key, col) in columns.iter() {
        let key = convert::text(&key, "column name")?;
        match key.as_str() {
            "customer_id" => customer_id = Some(int_column(&col, "customer_id")?),
            "kind" => {
                kind = Some(coded_column(&col, "kind", |t| {
                    t.unwrap_or("").parse::<EventKind>()
                })?)
            }
            "at" => at = Some(time_column(&col, "at")?),
            other => {
                return Err(invalid_argument(format!(
                    "record_events: unknown column {other:?} (known: {KNOWN})"
                )));
            }
        }
    }
    let customer_id = customer_id.ok_or_else(|| {
        invalid_argument(format!(
            "record_events: a customer_id column is required (known: {KNOWN})"
        ))
    })?;
    let kind = kind.ok_or_else(|| {
        invalid_argument(format!(
            "record_events: a kind column is required (known: {KNOWN})"
        ))
    })?;
    let n = customer_id.len();
    let kind = match kind {
        Coded::Rows(k) if k.len() != n => {
            return Err(invalid_argument(format!(
                "column kind has {} values, customer_id has {n}",
                k.len()
            )));
        }
        k => k.into_rows(n),
    };
    if let Some(len) = at.as_ref().map(Vec::len).filter(|&len| len != n) {
        return Err(invalid_argument(format!(
            "column at has {len} values, customer_id has {n}"
        )));
    }
    let mut at = at.map(Vec::into_iter);
    Ok(customer_id
        .into_iter()
        .zip(kind)
        .map(|(customer_id, kind)| NewCampaignEvent {
            customer_id,
            kind,
            at: at.as_mut().and_then(Iterator::next).flatten(),
        })
        .collect())
}

/// A column of optional floats as float64 with NaN for None.
fn nan_column(values: impl Iterator<Item = Option<f64>>) -> Vec<f64> {
    values.map(|v| v.unwrap_or(f64::NAN)).collect()
}

#[pymethods]
impl Database {
    /// Plans a campaign in draft.
    #[pyo3(signature = (name, channel, objective, budget, cost, currency, segment, variants, seed, starts_at, ends_at))]
    #[allow(clippy::too_many_arguments)]
    fn create_campaign(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        channel: &Bound<'_, PyAny>,
        objective: &Bound<'_, PyAny>,
        budget: &Bound<'_, PyAny>,
        cost: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
        segment: &Bound<'_, PyAny>,
        variants: &Bound<'_, PyAny>,
        seed: &Bound<'_, PyAny>,
        starts_at: &Bound<'_, PyAny>,
        ends_at: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyCampaign> {
        let currency = convert::optional_text(Some(currency), "currency")?;
        let (budget, cost) = budget_and_cost(
            convert::optional_int(Some(budget), "budget")?,
            convert::optional_int(Some(cost), "cost")?,
            currency.as_deref(),
        )?;
        let new = NewCampaign {
            name: convert::text(required(name, "name")?, "name")?,
            channel: self::channel(channel)?,
            objective: convert::optional_text(Some(objective), "objective")?,
            budget,
            cost,
            segment: convert::optional_text(Some(segment), "segment")?,
            variants: self::variants(variants)?,
            seed: optional_seed(seed)?,
            starts_at: convert::timestamp(starts_at, "starts_at")?,
            ends_at: convert::timestamp(ends_at, "ends_at")?,
        };
        Ok(PyCampaign(
            self.with(py, |crm| crm.campaigns().create(new))?,
        ))
    }

    /// The campaign with this id or name.
    fn get_campaign(&self, py: Python<'_>, campaign: &Bound<'_, PyAny>) -> PyCrmResult<PyCampaign> {
        let key = CampaignKey::from_py(campaign)?;
        Ok(PyCampaign(self.with(py, |crm| key.get(crm))?))
    }

    /// Campaigns matching filter text and keyword filters, in order and page.
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_campaigns(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
    ) -> PyCrmResult<Vec<PyCampaign>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.campaigns().find(&q))?;
        Ok(found.into_iter().map(PyCampaign).collect())
    }

    /// How many campaigns match filter text and keyword filters.
    #[pyo3(signature = (text, filters))]
    fn count_campaigns(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
    ) -> PyCrmResult<i64> {
        let f = filter(text, filters)?;
        self.with(py, |crm| crm.campaigns().count(&f))
    }

    /// Applies `changes` (field → new value; None clears) to a campaign.
    #[pyo3(signature = (campaign, changes))]
    fn update_campaign(
        &self,
        py: Python<'_>,
        campaign: &Bound<'_, PyAny>,
        changes: Option<&Bound<'_, PyDict>>,
    ) -> PyCrmResult<PyCampaign> {
        let key = CampaignKey::from_py(campaign)?;
        let p = patch(changes)?;
        Ok(PyCampaign(self.with(py, |crm| {
            let id = key.id(crm)?;
            crm.campaigns().update(id, &p)
        })?))
    }

    /// Moves a campaign through its life: `action` is schedule, start, complete or cancel, at
    /// `at` (None: now).
    fn campaign_transition(
        &self,
        py: Python<'_>,
        campaign: &Bound<'_, PyAny>,
        action: &str,
        at: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyCampaign> {
        let key = CampaignKey::from_py(campaign)?;
        let at = convert::timestamp(at, "at")?;
        let action = match action {
            "schedule" | "start" | "complete" | "cancel" => action.to_owned(),
            other => {
                return Err(invalid_argument(format!(
                    "unknown campaign action {other:?}"
                )));
            }
        };
        Ok(PyCampaign(self.with(py, |crm| {
            let id = key.id(crm)?;
            let campaigns = crm.campaigns();
            match action.as_str() {
                "schedule" => campaigns.schedule(id, at),
                "start" => campaigns.start(id, at),
                "complete" => campaigns.complete(id, at),
                _ => campaigns.cancel(id, at),
            }
        })?))
    }

    /// Deletes a campaign (`cascade`: with its members and events).
    fn delete_campaign(
        &self,
        py: Python<'_>,
        campaign: &Bound<'_, PyAny>,
        cascade: &Bound<'_, PyAny>,
    ) -> PyCrmResult<()> {
        let key = CampaignKey::from_py(campaign)?;
        let cascade = convert::flag(cascade, "cascade")?;
        self.with(py, |crm| {
            let id = key.id(crm)?;
            crm.campaigns().delete(id, cascade)
        })
    }

    /// The members as columns: `customer_id`, `assigned_at` (µs, UTC) as int64 arrays, `control`
    /// as a bool array, `variant` as int32 codes into `variants` (the campaign's variant names in
    /// order).
    fn campaign_member_columns<'py>(
        &self,
        py: Python<'py>,
        campaign: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let key = CampaignKey::from_py(campaign)?;
        let (c, members) = self.with(py, |crm| {
            let c = key.get(crm)?;
            let members = crm.campaigns().members(c.id)?;
            Ok((c, members))
        })?;
        let names: Vec<&str> = c.variants.iter().map(|v| v.name.as_str()).collect();
        let n = members.len();
        let (mut customer_id, mut variant, mut control, mut assigned_at) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for m in &members {
            customer_id.push(m.customer_id);
            variant.push(
                names
                    .iter()
                    .position(|v| *v == m.variant)
                    .and_then(|p| i32::try_from(p).ok())
                    .unwrap_or(-1),
            );
            control.push(m.control);
            assigned_at.push(m.assigned_at.as_micros());
        }
        let d = PyDict::new(py);
        d.set_item("customer_id", PyArray1::from_vec(py, customer_id))?;
        d.set_item("variant", PyArray1::from_vec(py, variant))?;
        d.set_item("variants", PyList::new(py, names)?)?;
        d.set_item("control", PyArray1::from_vec(py, control))?;
        d.set_item("assigned_at", PyArray1::from_vec(py, assigned_at))?;
        Ok(d)
    }

    /// Records one tracking event (`at` None: now).
    fn record_campaign_event(
        &self,
        py: Python<'_>,
        campaign: &Bound<'_, PyAny>,
        customer_id: &Bound<'_, PyAny>,
        kind: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyCampaignEvent> {
        let key = CampaignKey::from_py(campaign)?;
        let event = NewCampaignEvent {
            customer_id: convert::int(customer_id, "customer_id")?,
            kind: event_kind(kind)?,
            at: convert::timestamp(at, "at")?,
        };
        Ok(PyCampaignEvent(self.with(py, |crm| {
            let id = key.id(crm)?;
            crm.campaigns().record_event(id, event)
        })?))
    }

    /// Records a batch of events from prepared columns; returns `(recorded, rejected)` where
    /// `rejected` holds columns `index`, `customer_id`, `at` (µs, the smallest int64 for none)
    /// as int64 arrays, `kind` and `reason` as int8 codes into `EVENT_KINDS` and
    /// `EVENT_REJECTIONS`, and `message` as a list of str.
    fn record_campaign_events<'py>(
        &self,
        py: Python<'py>,
        campaign: &Bound<'py, PyAny>,
        columns: &Bound<'py, PyDict>,
    ) -> PyCrmResult<(usize, Bound<'py, PyDict>)> {
        let key = CampaignKey::from_py(campaign)?;
        let events = events_from_py(columns)?;
        let report = self.with(py, |crm| {
            let id = key.id(crm)?;
            crm.campaigns().record_events(id, &events)
        })?;
        let n = report.rejected.len();
        let (mut index, mut customer_id, mut kind, mut at, mut reason, mut message) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for r in report.rejected {
            index.push(i64::try_from(r.index).unwrap_or(i64::MAX));
            customer_id.push(r.event.customer_id);
            kind.push(code(EventKind::ALL, &r.event.kind));
            at.push(r.event.at.map_or(i64::MIN, |t| t.as_micros()));
            reason.push(code(EventRejection::ALL, &r.reason));
            message.push(r.message);
        }
        let d = PyDict::new(py);
        d.set_item("index", PyArray1::from_vec(py, index))?;
        d.set_item("customer_id", PyArray1::from_vec(py, customer_id))?;
        d.set_item("kind", PyArray1::from_vec(py, kind))?;
        d.set_item("at", PyArray1::from_vec(py, at))?;
        d.set_item("reason", PyArray1::from_vec(py, reason))?;
        d.set_item("message", PyList::new(py, message)?)?;
        Ok((report.recorded, d))
    }

    /// A campaign's events in time order (of one member, or all when `customer_id` is None) as
    /// columns: `id`, `customer_id`, `at` (µs, UTC) as int64 arrays, `kind` as int8 codes into
    /// `EVENT_KINDS`.
    fn campaign_event_columns<'py>(
        &self,
        py: Python<'py>,
        campaign: &Bound<'py, PyAny>,
        customer_id: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let key = CampaignKey::from_py(campaign)?;
        let customer_id = convert::optional_int(Some(customer_id), "customer_id")?;
        let events = self.with(py, |crm| {
            let id = key.id(crm)?;
            crm.campaigns().events(id, customer_id)
        })?;
        let d = PyDict::new(py);
        d.set_item(
            "id",
            PyArray1::from_vec(py, events.iter().map(|e| e.id).collect()),
        )?;
        d.set_item(
            "customer_id",
            PyArray1::from_vec(py, events.iter().map(|e| e.customer_id).collect()),
        )?;
        d.set_item(
            "kind",
            PyArray1::from_vec(
                py,
                events
                    .iter()
                    .map(|e| code(EventKind::ALL, &e.kind))
                    .collect(),
            ),
        )?;
        d.set_item(
            "at",
            PyArray1::from_vec(py, events.iter().map(|e| e.at.as_micros()).collect()),
        )?;
        Ok(d)
    }

    /// Evaluates a started campaign; returns the report as a dict of scalars and two dicts of
    /// columns, `variants` and `uplift` (rates NaN where undefined).
    #[pyo3(signature = (campaign, window_days, yates, alpha, currency))]
    fn evaluate_campaign<'py>(
        &self,
        py: Python<'py>,
        campaign: &Bound<'py, PyAny>,
        window_days: &Bound<'py, PyAny>,
        yates: &Bound<'py, PyAny>,
        alpha: &Bound<'py, PyAny>,
        currency: &Bound<'py, PyAny>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let key = CampaignKey::from_py(campaign)?;
        let options = EvaluationOptions {
            yates: convert::flag(yates, "yates")?,
            alpha: real(alpha, "alpha")?,
            currency: convert::optional_text(Some(currency), "currency")?
                .map(|c| c.parse::<Currency>())
                .transpose()?,
            ..EvaluationOptions::default()
        }
        .window_days(convert::int(
            required(window_days, "window_days")?,
            "window_days",
        )?);
        let r = self.with(py, |crm| {
            let id = key.id(crm)?;
            crm.campaigns().evaluate(id, &options)
        })?;

        let v = PyDict::new(py);
        let counts = || r.variants.iter().map(|x| &x.counts);
        let ints = |f: fn(&crm_core::VariantCounts) -> i64| {
            PyArray1::from_vec(py, counts().map(f).collect())
        };
        v.set_item(
            "variant",
            PyList::new(py, counts().map(|c| c.variant.as_str()))?,
        )?;
        v.set_item(
            "control",
            PyArray1::from_vec(py, counts().map(|c| c.control).collect()),
        )?;
        v.set_item("members", ints(|c| c.members))?;
        v.set_item("sent", ints(|c| c.sent))?;
        v.set_item("delivered", ints(|c| c.delivered))?;
        v.set_item("opened", ints(|c| c.opened))?;
        v.set_item("clicked", ints(|c| c.clicked))?;
        v.set_item("converted", ints(|c| c.converted))?;
        v.set_item("converted_events", ints(|c| c.converted_events))?;
        v.set_item("unsubscribed", ints(|c| c.unsubscribed))?;
        v.set_item("purchases", ints(|c| c.purchases))?;
        v.set_item("revenue", ints(|c| c.revenue))?;
        let rates = |f: fn(&crm_core::VariantReport) -> Option<f64>| {
            PyArray1::from_vec(py, nan_column(r.variants.iter().map(f)))
        };
        v.set_item("open_rate", rates(|x| x.open_rate))?;
        v.set_item("click_rate", rates(|x| x.click_rate))?;
        v.set_item("conversion_rate", rates(|x| x.conversion_rate))?;
        v.set_item("revenue_per_member", rates(|x| x.revenue_per_member))?;

        let u = PyDict::new(py);
        let floats = |f: fn(&crm_core::Uplift) -> f64| {
            PyArray1::from_vec(py, r.uplift.iter().map(f).collect())
        };
        u.set_item(
            "variant",
            PyList::new(py, r.uplift.iter().map(|x| x.variant.as_str()))?,
        )?;
        u.set_item(
            "control",
            PyList::new(py, r.uplift.iter().map(|x| x.control.as_str()))?,
        )?;
        u.set_item("rate", floats(|x| x.rate))?;
        u.set_item("control_rate", floats(|x| x.control_rate))?;
        u.set_item("difference", floats(|x| x.difference))?;
        u.set_item("relative", floats(|x| x.relative.unwrap_or(f64::NAN)))?;
        u.set_item("z", floats(|x| x.z))?;
        u.set_item("z_p_value", floats(|x| x.z_p_value))?;
        u.set_item("chi2", floats(|x| x.chi2))?;
        u.set_item("chi2_p_value", floats(|x| x.chi2_p_value))?;
        u.set_item("ci_wald_low", floats(|x| x.ci_wald.0))?;
        u.set_item("ci_wald_high", floats(|x| x.ci_wald.1))?;
        u.set_item("ci_newcombe_low", floats(|x| x.ci_newcombe.0))?;
        u.set_item("ci_newcombe_high", floats(|x| x.ci_newcombe.1))?;
        u.set_item(
            "significant",
            PyArray1::from_vec(py, r.uplift.iter().map(|x| x.significant).collect()),
        )?;

        let d = PyDict::new(py);
        d.set_item("campaign_id", r.campaign_id)?;
        d.set_item("name", &r.name)?;
        d.set_item("currency", r.currency.map(|c| c.as_str().to_owned()))?;
        d.set_item("window_days", r.options.attribution_window / DAY_MICROS)?;
        d.set_item("yates", r.options.yates)?;
        d.set_item("alpha", r.options.alpha)?;
        d.set_item("conversions", r.conversions)?;
        d.set_item("revenue", r.revenue)?;
        d.set_item("cost", r.cost)?;
        d.set_item("cost_per_conversion", r.cost_per_conversion)?;
        d.set_item("roi", r.roi)?;
        d.set_item("variants", v)?;
        d.set_item("uplift", u)?;
        Ok(d)
    }
}

/// The module-level vocabularies of campaigns.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add(
        "CAMPAIGN_STATUSES",
        crm_core::CampaignStatus::NAMES.to_vec(),
    )?;
    m.add("EVENT_KINDS", EventKind::NAMES.to_vec())?;
    m.add("EVENT_REJECTIONS", EventRejection::NAMES.to_vec())?;
    m.add_class::<PyCampaign>()?;
    m.add_class::<PyCampaignEvent>()?;
    Ok(())
}
