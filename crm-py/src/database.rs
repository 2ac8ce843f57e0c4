//! `crm._crm.Database`: one open store. The pure-Python `crm.Database` wraps it; this class only
//! converts arguments, releases the GIL around every store call and maps errors.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crm_core::{
    Channel, Clock, Crm, CustomerPatch, DeleteMode, Direction, EntityKind, Filter, InteractionKind,
    LifecycleStage, Money, NewCustomer, NewFieldDefinition, NewInteraction, NewProduct,
    NewPurchase, OpenOptions, Principal, PurchaseStatus, Query, Role, Source,
};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDateTime, PyDict, PyString};

use crate::audit::{self, PyAuditEntry};
use crate::columns;
use crate::convert::{self, type_name};
use crate::customer::PyCustomer;
use crate::errors::{PyCrmError, PyCrmResult, invalid_argument};
use crate::field::{self, PyFieldDefinition};
use crate::interaction::{self, PyInteraction};
use crate::interaction_columns;
use crate::note::{self, PyNote};
use crate::product::{self, PyProduct};
use crate::purchase::{self, PyPurchase};
use crate::purchase_columns;
use crate::segment::PySegment;

/// The fields `update` may change.
const UPDATABLE: &str = "name, external_id, email, phone, company, stage, source, tags; custom fields go in fields={...}";

/// An open crm store (native part). Safe to share between threads: calls are serialised by a
/// mutex and run with the GIL released.
#[pyclass(frozen, module = "crm._crm", name = "Database")]
pub struct Database {
    /// `None` once closed.
    crm: Mutex<Option<Crm>>,
    path: String,
    principal: String,
    role: String,
}

/// The `INTERNAL` error for a caught panic, with its message.
fn panicked(payload: &(dyn std::any::Any + Send)) -> crm_core::Error {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    crm_core::Error::Internal(format!("{what} (a bug in crm; please report it)"))
}

fn closed() -> crm_core::Error {
    crm_core::Error::InvalidArgument("database is closed".into())
}

impl Database {
    fn lock(&self) -> crm_core::Result<MutexGuard<'_, Option<Crm>>> {
        self.crm.lock().map_err(|_| {
            crm_core::Error::Internal(
                "the database handle is unusable after a panic in another call; reopen it".into(),
            )
        })
    }

    /// Runs `f` on the open handle with the GIL released.
    pub(crate) fn with<T, F>(&self, py: Python<'_>, f: F) -> PyCrmResult<T>
    where
        T: Send,
        F: FnOnce(&mut Crm) -> crm_core::Result<T> + Send,
    {
        py.detach(|| {
            // A panic (a bug) becomes crm.InternalError, a CrmError, rather than pyo3's
            // PanicException, which `except Exception` does not catch.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut guard = self.lock()?;
                let crm = guard.as_mut().ok_or_else(closed)?;
                f(crm)
            }))
            .unwrap_or_else(|payload| Err(panicked(payload.as_ref())))
        })
        .map_err(PyCrmError::from)
    }
}

/// ANDs keyword filters (`stage="lead"`, `created_at__gte=…`) through `Filter::lookup`.
fn keyword_filter(filters: Option<&Bound<'_, PyDict>>) -> PyCrmResult<Filter> {
    let mut parts = Vec::new();
    if let Some(filters) = filters {
        for (key, value) in filters.iter() {
            let key = convert::text(&key, "filter name")?;
            let value = convert::value(&value, &format!("filter {key}"))?;
            parts.push(Filter::lookup(&key, value)?);
        }
    }
    Ok(Filter::all_of(parts))
}

/// Filter text (`"source = 'web' and total_spend > 10000"`, parsed by `Filter::parse`; None for
/// none) ANDed with keyword filters.
pub(crate) fn filter(
    text: Option<&Bound<'_, PyAny>>,
    filters: Option<&Bound<'_, PyDict>>,
) -> PyCrmResult<Filter> {
    let keywords = keyword_filter(filters)?;
    match text.filter(|t| !t.is_none()) {
        Some(t) => Ok(Filter::parse(&convert::text(t, "where")?)?.and(keywords)),
        None => Ok(keywords),
    }
}

pub(crate) fn query(
    text: Option<&Bound<'_, PyAny>>,
    filters: Option<&Bound<'_, PyDict>>,
    order_by: Option<&Bound<'_, PyAny>>,
    limit: Option<&Bound<'_, PyAny>>,
    offset: Option<&Bound<'_, PyAny>>,
) -> PyCrmResult<Query> {
    Ok(Query {
        filter: filter(text, filters)?,
        order_by: convert::order_by(order_by)?,
        limit: convert::optional_count(limit, "limit")?,
        offset: convert::optional_count(offset, "offset")?.unwrap_or(0),
    })
}

fn stage(obj: &Bound<'_, PyAny>) -> PyCrmResult<LifecycleStage> {
    Ok(convert::text(obj, "stage")?.parse::<LifecycleStage>()?)
}

fn source(obj: &Bound<'_, PyAny>) -> PyCrmResult<Source> {
    Ok(convert::text(obj, "source")?.parse::<Source>()?)
}

/// A change to a field that may be cleared: `None` clears it.
pub(crate) fn clearable(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<Option<Option<String>>> {
    Ok(Some(convert::optional_text(Some(obj), what)?))
}

pub(crate) fn required<'a, 'py>(
    obj: &'a Bound<'py, PyAny>,
    what: &str,
) -> PyCrmResult<&'a Bound<'py, PyAny>> {
    if obj.is_none() {
        Err(invalid_argument(format!("{what} cannot be None")))
    } else {
        Ok(obj)
    }
}

fn patch(changes: Option<&Bound<'_, PyDict>>) -> PyCrmResult<CustomerPatch> {
    let mut p = CustomerPatch::default();
    let Some(changes) = changes else {
        return Ok(p);
    };
    for (key, v) in changes.iter() {
        let key = convert::text(&key, "field name")?;
        match key.as_str() {
            "name" => p.name = Some(convert::text(required(&v, "name")?, "name")?),
            "external_id" => p.external_id = clearable(&v, "external_id")?,
            "email" => p.email = clearable(&v, "email")?,
            "phone" => p.phone = clearable(&v, "phone")?,
            "company" => p.company = clearable(&v, "company")?,
            "stage" => p.stage = Some(stage(required(&v, "stage")?)?),
            "source" => p.source = Some(source(required(&v, "source")?)?),
            "tags" => {
                p.tags = Some(if v.is_none() {
                    Vec::new()
                } else {
                    convert::tags(&v, "tags")?
                })
            }
            other => {
                return Err(invalid_argument(format!(
                    "update: unknown field {other:?} (known: {UPDATABLE})"
                )));
            }
        }
    }
    Ok(p)
}

fn purchase_status(obj: &Bound<'_, PyAny>) -> PyCrmResult<PurchaseStatus> {
    Ok(convert::text(obj, "status")?.parse::<PurchaseStatus>()?)
}

fn key_bytes(key: &Bound<'_, PyAny>) -> PyCrmResult<Vec<u8>> {
    if let Ok(b) = key.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(s) = key.cast::<PyString>() {
        return Ok(s.to_str()?.as_bytes().to_vec());
    }
    Err(invalid_argument(format!(
        "key: expected bytes or str, got {}",
        type_name(key)
    )))
}

/// A segment's filter, given either as text or as keyword filters.
enum SegmentFilter {
    Text(String),
    Ast(Filter),
}

fn segment_filter(
    name: &str,
    text: Option<&Bound<'_, PyAny>>,
    filters: Option<&Bound<'_, PyDict>>,
) -> PyCrmResult<SegmentFilter> {
    let text = text.filter(|t| !t.is_none());
    let has_keywords = filters.is_some_and(|f| !f.is_empty());
    match (text, has_keywords) {
        (Some(_), true) => Err(invalid_argument(format!(
            "segment {name:?}: give the filter as text or as keyword filters, not both"
        ))),
        (Some(t), false) => Ok(SegmentFilter::Text(convert::text(t, "where")?)),
        (None, true) => Ok(SegmentFilter::Ast(keyword_filter(filters)?)),
        (None, false) => Err(invalid_argument(format!(
            "segment {name:?}: a filter is required, as text or keyword filters (\"\" for every customer)"
        ))),
    }
}

#[pymethods]
impl Database {
    /// Opens (creating if missing) the store at `path`.
    #[new]
    #[pyo3(signature = (path, principal, role, key, now, time_zone, busy_timeout))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        principal: &Bound<'_, PyAny>,
        role: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        time_zone: &Bound<'_, PyAny>,
        busy_timeout: &Bound<'_, PyAny>,
    ) -> PyCrmResult<Database> {
        let path: PathBuf = if path.is_instance_of::<PyString>() || path.hasattr("__fspath__")? {
            path.extract().map_err(|e: PyErr| {
                invalid_argument(format!("path: cannot be used as a file path ({e})"))
            })?
        } else {
            return Err(invalid_argument(format!(
                "path: expected str or os.PathLike, got {}",
                type_name(path)
            )));
        };
        let role: Role = convert::text(role, "role")?.parse()?;
        let principal = Principal::new(&convert::text(principal, "principal")?, role)?;
        let busy = busy_timeout
            .extract::<f64>()
            .ok()
            .filter(|_| !busy_timeout.is_instance_of::<pyo3::types::PyBool>())
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .ok_or_else(|| {
                invalid_argument(format!(
                    "busy_timeout: expected a number of seconds >= 0, got {}",
                    busy_timeout
                        .repr()
                        .map(|r| r.to_string())
                        .unwrap_or_default()
                ))
            })?;
        let options = OpenOptions {
            principal: principal.clone(),
            key: if key.is_none() {
                None
            } else {
                Some(key_bytes(key)?)
            },
            clock: match convert::timestamp(now, "now")? {
                Some(t) => Clock::fixed(t),
                None => Clock::system(),
            },
            time_zone: convert::optional_text(Some(time_zone), "time_zone")?,
            busy_timeout: busy,
        };
        let display = path.display().to_string();
        let crm = py.detach(|| Crm::open(&path, options))?;
        Ok(Database {
            crm: Mutex::new(Some(crm)),
            path: display,
            principal: principal.name,
            role: principal.role.to_string(),
        })
    }

    /// Closes the store; later calls raise `InvalidArgumentError`. Closing twice is harmless.
    fn close(&self, py: Python<'_>) -> PyCrmResult<()> {
        // Dropping the connection checkpoints the WAL: do it without the GIL.
        py.detach(|| {
            let taken = self.lock()?.take();
            drop(taken);
            Ok::<_, crm_core::Error>(())
        })?;
        Ok(())
    }

    /// True once `close()` was called.
    #[getter]
    fn closed(&self, py: Python<'_>) -> PyCrmResult<bool> {
        // Waits for a call in another thread to finish: without the GIL.
        Ok(py.detach(|| self.lock().map(|guard| guard.is_none()))?)
    }

    /// The path the store was opened with.
    #[getter]
    fn path(&self) -> &str {
        &self.path
    }

    /// The name of the principal acting through this handle.
    #[getter]
    fn principal(&self) -> &str {
        &self.principal
    }

    /// The principal's role.
    #[getter]
    fn role(&self) -> &str {
        &self.role
    }

    /// The reporting time zone (IANA name).
    #[getter]
    fn time_zone(&self, py: Python<'_>) -> PyCrmResult<String> {
        self.with(py, |crm| Ok(crm.time_zone().name().to_owned()))
    }

    /// Sets and saves the store's reporting time zone.
    fn set_time_zone(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyCrmResult<()> {
        let name = convert::text(name, "time_zone")?;
        self.with(py, |crm| crm.set_time_zone(&name))
    }

    /// The handle's current time (aware UTC datetime).
    #[getter]
    fn now<'py>(&self, py: Python<'py>) -> PyCrmResult<Bound<'py, PyDateTime>> {
        let t = self.with(py, |crm| Ok(crm.now()))?;
        Ok(t.to_datetime().into_pyobject(py)?)
    }

    /// Fixes the handle's clock at a datetime, or returns to the system clock with None.
    fn set_now(&self, py: Python<'_>, now: &Bound<'_, PyAny>) -> PyCrmResult<()> {
        let clock = match convert::timestamp(now, "now")? {
            Some(t) => Clock::fixed(t),
            None => Clock::system(),
        };
        self.with(py, |crm| {
            crm.set_clock(clock);
            Ok(())
        })
    }

    /// The store's schema version.
    #[getter]
    fn schema_version(&self, py: Python<'_>) -> PyCrmResult<i64> {
        self.with(py, |crm| crm.schema_version())
    }

    /// Creates one customer; `fields` maps custom field names to values (None: none).
    #[pyo3(signature = (name, external_id, email, phone, company, stage, source, tags, created_at, fields))]
    #[allow(clippy::too_many_arguments)]
    fn add_customer(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        external_id: &Bound<'_, PyAny>,
        email: &Bound<'_, PyAny>,
        phone: &Bound<'_, PyAny>,
        company: &Bound<'_, PyAny>,
        stage: &Bound<'_, PyAny>,
        source: &Bound<'_, PyAny>,
        tags: &Bound<'_, PyAny>,
        created_at: &Bound<'_, PyAny>,
        fields: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyCustomer> {
        let new = NewCustomer {
            name: convert::text(required(name, "name")?, "name")?,
            external_id: convert::optional_text(Some(external_id), "external_id")?,
            email: convert::optional_text(Some(email), "email")?,
            phone: convert::optional_text(Some(phone), "phone")?,
            company: convert::optional_text(Some(company), "company")?,
            // None: the core's defaults (lead, other).
            stage: if stage.is_none() {
                LifecycleStage::default()
            } else {
                self::stage(stage)?
            },
            source: if source.is_none() {
                Source::default()
            } else {
                self::source(source)?
            },
            tags: if tags.is_none() {
                Vec::new()
            } else {
                convert::tags(tags, "tags")?
            },
            created_at: convert::timestamp(created_at, "created_at")?,
            custom: field::values_from_py(fields)?,
        };
        let c = self.with(py, |crm| crm.customers().add(new))?;
        Ok(PyCustomer(c))
    }

    /// Creates many customers from prepared columns; returns their ids (int64 array). Columns
    /// named like an active custom field fill that field.
    fn add_customer_columns<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'py, PyDict>,
    ) -> PyCrmResult<Bound<'py, PyArray1<i64>>> {
        // Which columns are custom fields; a field retired meanwhile is refused by the core.
        let defs = self.with(py, |crm| crm.fields().list(EntityKind::Customer, false))?;
        let cols = columns::from_py(columns, &defs)?;
        let ids = self.with(py, |crm| crm.customers().add_columns(cols))?;
        Ok(PyArray1::from_vec(py, ids))
    }

    /// The customer with this id.
    fn get_customer(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyCrmResult<PyCustomer> {
        let id = convert::int(id, "id")?;
        Ok(PyCustomer(self.with(py, |crm| crm.customers().get(id))?))
    }

    /// The customer with this external id.
    fn get_customer_by_external_id(
        &self,
        py: Python<'_>,
        external_id: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyCustomer> {
        let key = convert::text(external_id, "external_id")?;
        Ok(PyCustomer(self.with(py, |crm| {
            crm.customers().get_by_external_id(&key)
        })?))
    }

    /// Applies `changes` (field → new value) and `fields` (custom field → new value, None
    /// clears; None for no custom changes) to customer `id`.
    #[pyo3(signature = (id, changes, expected_version, fields))]
    fn update_customer(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        changes: Option<&Bound<'_, PyDict>>,
        expected_version: &Bound<'_, PyAny>,
        fields: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyCustomer> {
        let id = convert::int(id, "id")?;
        let mut p = patch(changes)?;
        p.custom = field::values_from_py(fields)?;
        if !expected_version.is_none() {
            p.expected_version = Some(convert::int(expected_version, "expected_version")?);
        }
        Ok(PyCustomer(
            self.with(py, |crm| crm.customers().update(id, &p))?,
        ))
    }

    /// Deletes customer `id`.
    fn delete_customer(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        cascade: &Bound<'_, PyAny>,
    ) -> PyCrmResult<()> {
        let id = convert::int(id, "id")?;
        let mode = if cascade.is_truthy()? {
            DeleteMode::Cascade
        } else {
            DeleteMode::Restrict
        };
        self.with(py, |crm| crm.customers().delete(id, mode))
    }

    /// Customers matching filter text and keyword filters, in order and page.
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_customers(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
    ) -> PyCrmResult<Vec<PyCustomer>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.customers().find(&q))?;
        Ok(found.into_iter().map(PyCustomer).collect())
    }

    /// Like `find_customers`, as columns with the active custom fields (see
    /// `columns::customers_to_py`).
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_customer_columns<'py>(
        &self,
        py: Python<'py>,
        text: Option<&Bound<'py, PyAny>>,
        filters: Option<&Bound<'py, PyDict>>,
        order_by: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        offset: Option<&Bound<'py, PyAny>>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let (defs, found) = self.with(py, |crm| {
            Ok((
                crm.fields().list(EntityKind::Customer, false)?,
                crm.customers().find(&q)?,
            ))
        })?;
        Ok(columns::customers_to_py(py, &defs, found)?)
    }

    /// How many customers match keyword filters.
    #[pyo3(signature = (text, filters))]
    fn count_customers(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
    ) -> PyCrmResult<i64> {
        let f = filter(text, filters)?;
        self.with(py, |crm| crm.customers().count(&f))
    }

    /// Creates one catalogue product.
    #[pyo3(signature = (sku, name, category, price, currency))]
    fn add_product(
        &self,
        py: Python<'_>,
        sku: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        category: &Bound<'_, PyAny>,
        price: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyProduct> {
        let minor = if price.is_none() {
            None
        } else {
            Some(convert::int(price, "price")?)
        };
        let currency = convert::optional_text(Some(currency), "currency")?;
        let new = NewProduct {
            sku: convert::text(required(sku, "sku")?, "sku")?,
            name: convert::text(required(name, "name")?, "name")?,
            category: convert::optional_text(Some(category), "category")?,
            price: product::price(minor, currency.as_deref())?,
        };
        Ok(PyProduct(self.with(py, |crm| crm.products().add(new))?))
    }

    /// Creates many products from prepared columns; returns their ids (int64 array).
    fn add_product_columns<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'py, PyDict>,
    ) -> PyCrmResult<Bound<'py, PyArray1<i64>>> {
        let rows = product::from_columns(columns)?;
        let ids = self.with(py, |crm| crm.products().add_many(rows))?;
        Ok(PyArray1::from_vec(py, ids))
    }

    /// The product with this id.
    fn get_product(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyCrmResult<PyProduct> {
        let id = convert::int(id, "id")?;
        Ok(PyProduct(self.with(py, |crm| crm.products().get(id))?))
    }

    /// The product with this sku.
    fn get_product_by_sku(&self, py: Python<'_>, sku: &Bound<'_, PyAny>) -> PyCrmResult<PyProduct> {
        let sku = convert::text(sku, "sku")?;
        Ok(PyProduct(
            self.with(py, |crm| crm.products().get_by_sku(&sku))?,
        ))
    }

    /// Deletes product `id` (refused while purchase lines name it).
    fn delete_product(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyCrmResult<()> {
        let id = convert::int(id, "id")?;
        self.with(py, |crm| crm.products().delete(id))
    }

    /// Products matching filter text and keyword filters, in order and page.
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_products(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
    ) -> PyCrmResult<Vec<PyProduct>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.products().find(&q))?;
        Ok(found.into_iter().map(PyProduct).collect())
    }

    /// How many products match keyword filters.
    #[pyo3(signature = (text, filters))]
    fn count_products(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
    ) -> PyCrmResult<i64> {
        let f = filter(text, filters)?;
        self.with(py, |crm| crm.products().count(&f))
    }

    /// Records one purchase with its lines.
    #[pyo3(signature = (customer_id, amount, currency, purchased_at, status, external_id, items))]
    #[allow(clippy::too_many_arguments)]
    fn add_purchase(
        &self,
        py: Python<'_>,
        customer_id: &Bound<'_, PyAny>,
        amount: &Bound<'_, PyAny>,
        currency: &Bound<'_, PyAny>,
        purchased_at: &Bound<'_, PyAny>,
        status: &Bound<'_, PyAny>,
        external_id: &Bound<'_, PyAny>,
        items: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyPurchase> {
        let customer_id = convert::int(customer_id, "customer_id")?;
        let minor = convert::int(amount, "amount")?;
        let currency = convert::text(required(currency, "currency")?, "currency")?;
        let new = NewPurchase {
            customer_id,
            external_id: convert::optional_text(Some(external_id), "external_id")?,
            purchased_at: convert::timestamp(purchased_at, "purchased_at")?,
            // None: the core's default (completed).
            status: if status.is_none() {
                PurchaseStatus::default()
            } else {
                purchase_status(status)?
            },
            items: purchase::line_items(items)?,
            amount: Money::new(minor, &currency)?,
        };
        Ok(PyPurchase(self.with(py, |crm| crm.purchases().add(new))?))
    }

    /// Records many purchases (and their lines) from prepared columns; returns their ids.
    #[pyo3(signature = (purchases, items))]
    fn add_purchase_columns<'py>(
        &self,
        py: Python<'py>,
        purchases: &Bound<'py, PyDict>,
        items: Option<&Bound<'py, PyDict>>,
    ) -> PyCrmResult<Bound<'py, PyArray1<i64>>> {
        let cols = purchase_columns::from_py(purchases, items)?;
        let ids = self.with(py, |crm| crm.purchases().add_columns(cols))?;
        Ok(PyArray1::from_vec(py, ids))
    }

    /// The purchase with this id, with its lines.
    fn get_purchase(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyCrmResult<PyPurchase> {
        let id = convert::int(id, "id")?;
        Ok(PyPurchase(self.with(py, |crm| crm.purchases().get(id))?))
    }

    /// Moves purchase `id` to `status` (completed → refunded or cancelled).
    fn set_purchase_status(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        status: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyPurchase> {
        let id = convert::int(id, "id")?;
        let status = purchase_status(required(status, "status")?)?;
        Ok(PyPurchase(
            self.with(py, |crm| crm.purchases().set_status(id, status))?,
        ))
    }

    /// Purchases matching filter text and keyword filters, in order and page, with their lines.
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_purchases(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
    ) -> PyCrmResult<Vec<PyPurchase>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.purchases().find(&q))?;
        Ok(found.into_iter().map(PyPurchase).collect())
    }

    /// Like `find_purchases`, as columns without lines (see `purchase_columns::to_py`).
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_purchase_columns<'py>(
        &self,
        py: Python<'py>,
        text: Option<&Bound<'py, PyAny>>,
        filters: Option<&Bound<'py, PyDict>>,
        order_by: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        offset: Option<&Bound<'py, PyAny>>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let cols = self.with(py, |crm| crm.purchases().find_columns(&q))?;
        Ok(purchase_columns::to_py(py, cols)?)
    }

    /// The lines of the purchases matching filter text and keyword filters, as columns (see
    /// `purchase_columns::line_items_to_py`).
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_line_item_columns<'py>(
        &self,
        py: Python<'py>,
        text: Option<&Bound<'py, PyAny>>,
        filters: Option<&Bound<'py, PyDict>>,
        order_by: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        offset: Option<&Bound<'py, PyAny>>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let cols = self.with(py, |crm| crm.purchases().line_item_columns(&q))?;
        Ok(purchase_columns::line_items_to_py(py, cols)?)
    }

    /// How many purchases match keyword filters.
    #[pyo3(signature = (text, filters))]
    fn count_purchases(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
    ) -> PyCrmResult<i64> {
        let f = filter(text, filters)?;
        self.with(py, |crm| crm.purchases().count(&f))
    }

    /// Records one interaction; None for `kind` / `direction` / `occurred_at` means the core's
    /// defaults (note, inbound, the handle's clock). `metadata` is None or JSON text.
    #[pyo3(signature = (customer_id, channel, kind, direction, occurred_at, subject, body, metadata, campaign_id=None, ticket_id=None))]
    #[allow(clippy::too_many_arguments)]
    fn add_interaction(
        &self,
        py: Python<'_>,
        customer_id: &Bound<'_, PyAny>,
        channel: &Bound<'_, PyAny>,
        kind: &Bound<'_, PyAny>,
        direction: &Bound<'_, PyAny>,
        occurred_at: &Bound<'_, PyAny>,
        subject: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
        metadata: &Bound<'_, PyAny>,
        campaign_id: Option<&Bound<'_, PyAny>>,
        ticket_id: Option<&Bound<'_, PyAny>>,
    ) -> PyCrmResult<PyInteraction> {
        let new = NewInteraction {
            customer_id: convert::int(customer_id, "customer_id")?,
            channel: convert::text(required(channel, "channel")?, "channel")?.parse::<Channel>()?,
            kind: if kind.is_none() {
                InteractionKind::default()
            } else {
                convert::text(kind, "kind")?.parse()?
            },
            direction: if direction.is_none() {
                Direction::default()
            } else {
                convert::text(direction, "direction")?.parse()?
            },
            occurred_at: convert::timestamp(occurred_at, "occurred_at")?,
            subject: convert::optional_text(Some(subject), "subject")?,
            body: convert::optional_text(Some(body), "body")?,
            metadata: interaction::metadata(metadata, "metadata")?,
            campaign_id: convert::optional_int(campaign_id, "campaign_id")?,
            ticket_id: convert::optional_int(ticket_id, "ticket_id")?,
        };
        Ok(PyInteraction(
            self.with(py, |crm| crm.interactions().add(new))?,
        ))
    }

    /// Records many interactions from prepared columns; returns their ids (int64 array).
    fn add_interaction_columns<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'py, PyDict>,
    ) -> PyCrmResult<Bound<'py, PyArray1<i64>>> {
        let rows = interaction_columns::from_py(columns)?;
        let ids = self.with(py, |crm| crm.interactions().add_many(rows))?;
        Ok(PyArray1::from_vec(py, ids))
    }

    /// The interaction with this id.
    fn get_interaction(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyCrmResult<PyInteraction> {
        let id = convert::int(id, "id")?;
        Ok(PyInteraction(
            self.with(py, |crm| crm.interactions().get(id))?,
        ))
    }

    /// A customer's interactions matching filter text and keyword filters, newest first unless `order_by` says
    /// otherwise, in pages.
    #[pyo3(signature = (customer_id, text, filters, order_by, limit, offset))]
    #[allow(clippy::too_many_arguments)]
    fn interaction_timeline(
        &self,
        py: Python<'_>,
        customer_id: &Bound<'_, PyAny>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
    ) -> PyCrmResult<Vec<PyInteraction>> {
        let customer_id = convert::int(customer_id, "customer_id")?;
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.interactions().timeline(customer_id, &q))?;
        Ok(found.into_iter().map(PyInteraction).collect())
    }

    /// Like `interaction_timeline`, as columns (see `interaction_columns::to_py`).
    #[pyo3(signature = (customer_id, text, filters, order_by, limit, offset))]
    #[allow(clippy::too_many_arguments)]
    fn interaction_timeline_columns<'py>(
        &self,
        py: Python<'py>,
        customer_id: &Bound<'py, PyAny>,
        text: Option<&Bound<'py, PyAny>>,
        filters: Option<&Bound<'py, PyDict>>,
        order_by: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        offset: Option<&Bound<'py, PyAny>>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let customer_id = convert::int(customer_id, "customer_id")?;
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.interactions().timeline(customer_id, &q))?;
        Ok(interaction_columns::to_py(py, found)?)
    }

    /// Interactions (of any customer) matching filter text and keyword filters, in order and page.
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_interactions(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
    ) -> PyCrmResult<Vec<PyInteraction>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.interactions().find(&q))?;
        Ok(found.into_iter().map(PyInteraction).collect())
    }

    /// Like `find_interactions`, as columns (see `interaction_columns::to_py`).
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_interaction_columns<'py>(
        &self,
        py: Python<'py>,
        text: Option<&Bound<'py, PyAny>>,
        filters: Option<&Bound<'py, PyDict>>,
        order_by: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        offset: Option<&Bound<'py, PyAny>>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.interactions().find(&q))?;
        Ok(interaction_columns::to_py(py, found)?)
    }

    /// How many interactions match keyword filters.
    #[pyo3(signature = (text, filters))]
    fn count_interactions(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
    ) -> PyCrmResult<i64> {
        let f = filter(text, filters)?;
        self.with(py, |crm| crm.interactions().count(&f))
    }

    /// Adds tags to customer `id` (an update: the version goes up when a tag is new).
    fn add_customer_tags(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        tags: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyCustomer> {
        let id = convert::int(id, "id")?;
        let tags = convert::tags(tags, "tags")?;
        Ok(PyCustomer(
            self.with(py, |crm| crm.customers().add_tags(id, &tags))?,
        ))
    }

    /// Removes tags from customer `id` (tags it does not carry are ignored).
    fn remove_customer_tags(
        &self,
        py: Python<'_>,
        id: &Bound<'_, PyAny>,
        tags: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyCustomer> {
        let id = convert::int(id, "id")?;
        let tags = convert::tags(tags, "tags")?;
        Ok(PyCustomer(
            self.with(py, |crm| crm.customers().remove_tags(id, &tags))?,
        ))
    }

    /// Adds a note to record `id` of kind `entity`.
    fn add_note(
        &self,
        py: Python<'_>,
        entity: &Bound<'_, PyAny>,
        id: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyNote> {
        let entity = note::entity(required(entity, "entity")?)?;
        let id = convert::int(id, "id")?;
        let body = convert::text(required(body, "body")?, "body")?;
        Ok(PyNote(
            self.with(py, |crm| crm.notes().add(entity, id, &body))?,
        ))
    }

    /// The notes on record `id` of kind `entity`, newest first.
    fn list_notes(
        &self,
        py: Python<'_>,
        entity: &Bound<'_, PyAny>,
        id: &Bound<'_, PyAny>,
    ) -> PyCrmResult<Vec<PyNote>> {
        let entity = note::entity(required(entity, "entity")?)?;
        let id = convert::int(id, "id")?;
        let found = self.with(py, |crm| crm.notes().list(entity, id))?;
        Ok(found.into_iter().map(PyNote).collect())
    }

    /// Audit entries matching filter text and keyword filters, oldest first unless `order_by`
    /// says otherwise, in pages.
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_audit(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
    ) -> PyCrmResult<Vec<PyAuditEntry>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.audit().find(&q))?;
        Ok(found.into_iter().map(PyAuditEntry).collect())
    }

    /// Like `find_audit`, as columns (see `audit::to_py`).
    #[pyo3(signature = (text, filters, order_by, limit, offset))]
    fn find_audit_columns<'py>(
        &self,
        py: Python<'py>,
        text: Option<&Bound<'py, PyAny>>,
        filters: Option<&Bound<'py, PyDict>>,
        order_by: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        offset: Option<&Bound<'py, PyAny>>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.audit().find(&q))?;
        Ok(audit::to_py(py, found)?)
    }

    /// Saves a segment (`replace`: changes an existing one's filter). The filter is given either
    /// as text (saved with its text) or as keyword filters (saved as the filter AST).
    #[pyo3(signature = (name, text, filters, replace))]
    fn save_segment(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
        replace: bool,
    ) -> PyCrmResult<PySegment> {
        let name = convert::text(required(name, "name")?, "name")?;
        let saved = match segment_filter(&name, text, filters)? {
            SegmentFilter::Text(text) => self.with(py, |crm| {
                let segments = crm.segments();
                if replace {
                    segments.update_text(&name, &text)
                } else {
                    segments.save_text(&name, &text)
                }
            })?,
            SegmentFilter::Ast(filter) => self.with(py, |crm| {
                let segments = crm.segments();
                if replace {
                    segments.update(&name, filter)
                } else {
                    segments.save(&name, filter)
                }
            })?,
        };
        Ok(PySegment(saved))
    }

    /// The segment with this name.
    fn get_segment(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyCrmResult<PySegment> {
        let name = convert::text(name, "name")?;
        Ok(PySegment(self.with(py, |crm| crm.segments().get(&name))?))
    }

    /// Every segment, by name.
    fn list_segments(&self, py: Python<'_>) -> PyCrmResult<Vec<PySegment>> {
        let found = self.with(py, |crm| crm.segments().list())?;
        Ok(found.into_iter().map(PySegment).collect())
    }

    /// Deletes the segment with this name (its customers stay).
    fn delete_segment(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyCrmResult<()> {
        let name = convert::text(name, "name")?;
        self.with(py, |crm| crm.segments().delete(&name))
    }

    /// How many customers are in the segment now.
    fn count_segment(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyCrmResult<i64> {
        let name = convert::text(name, "name")?;
        self.with(py, |crm| crm.segments().count(&name))
    }

    /// The segment's customers now, narrowed by filter text and keyword filters, in order and
    /// page.
    #[pyo3(signature = (name, text, filters, order_by, limit, offset))]
    #[allow(clippy::too_many_arguments)]
    fn segment_members(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        text: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyDict>>,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
    ) -> PyCrmResult<Vec<PyCustomer>> {
        let name = convert::text(name, "name")?;
        let q = query(text, filters, order_by, limit, offset)?;
        let found = self.with(py, |crm| crm.segments().members(&name, &q))?;
        Ok(found.into_iter().map(PyCustomer).collect())
    }

    /// Like `segment_members`, as columns with the active custom fields (see
    /// `columns::customers_to_py`).
    #[pyo3(signature = (name, text, filters, order_by, limit, offset))]
    #[allow(clippy::too_many_arguments)]
    fn segment_member_columns<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
        text: Option<&Bound<'py, PyAny>>,
        filters: Option<&Bound<'py, PyDict>>,
        order_by: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        offset: Option<&Bound<'py, PyAny>>,
    ) -> PyCrmResult<Bound<'py, PyDict>> {
        let name = convert::text(name, "name")?;
        let q = query(text, filters, order_by, limit, offset)?;
        let (defs, found) = self.with(py, |crm| {
            Ok((
                crm.fields().list(EntityKind::Customer, false)?,
                crm.segments().members(&name, &q)?,
            ))
        })?;
        Ok(columns::customers_to_py(py, &defs, found)?)
    }

    /// Defines a custom field of `entity`.
    #[pyo3(signature = (entity, name, ty, choices, required, default, personal, index))]
    #[allow(clippy::too_many_arguments)]
    fn define_field(
        &self,
        py: Python<'_>,
        entity: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        ty: &Bound<'_, PyAny>,
        choices: &Bound<'_, PyAny>,
        required: &Bound<'_, PyAny>,
        default: &Bound<'_, PyAny>,
        personal: &Bound<'_, PyAny>,
        index: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyFieldDefinition> {
        let entity = note::entity(self::required(entity, "entity")?)?;
        let def = NewFieldDefinition {
            name: convert::text(self::required(name, "name")?, "name")?,
            ty: field::field_type(self::required(ty, "type")?)?,
            choices: if choices.is_none() {
                Vec::new()
            } else {
                convert::tags(choices, "choices")?
            },
            required: convert::flag(required, "required")?,
            default: if default.is_none() {
                None
            } else {
                Some(convert::value(default, "default")?)
            },
            personal: convert::flag(personal, "personal")?,
            indexed: convert::flag(index, "index")?,
        };
        Ok(PyFieldDefinition(
            self.with(py, |crm| crm.fields().define(entity, def))?,
        ))
    }

    /// Renames a custom field of `entity`; its values stay.
    fn rename_field(
        &self,
        py: Python<'_>,
        entity: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        new_name: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyFieldDefinition> {
        let entity = note::entity(required(entity, "entity")?)?;
        let name = convert::text(name, "name")?;
        let new_name = convert::text(new_name, "new_name")?;
        Ok(PyFieldDefinition(self.with(py, |crm| {
            crm.fields().rename(entity, &name, &new_name)
        })?))
    }

    /// Retires (`retired` true) or restores a custom field of `entity`.
    fn retire_field(
        &self,
        py: Python<'_>,
        entity: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        retired: bool,
    ) -> PyCrmResult<PyFieldDefinition> {
        let entity = note::entity(required(entity, "entity")?)?;
        let name = convert::text(name, "name")?;
        Ok(PyFieldDefinition(self.with(py, |crm| {
            if retired {
                crm.fields().retire(entity, &name)
            } else {
                crm.fields().restore(entity, &name)
            }
        })?))
    }

    /// Removes a custom field of `entity` and its column (`force`: even when it holds values).
    fn remove_field(
        &self,
        py: Python<'_>,
        entity: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        force: &Bound<'_, PyAny>,
    ) -> PyCrmResult<()> {
        let entity = note::entity(required(entity, "entity")?)?;
        let name = convert::text(name, "name")?;
        let force = convert::flag(force, "force")?;
        self.with(py, |crm| crm.fields().remove(entity, &name, force))
    }

    /// The custom field of `entity` named `name` (retired or not).
    fn get_field(
        &self,
        py: Python<'_>,
        entity: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
    ) -> PyCrmResult<PyFieldDefinition> {
        let entity = note::entity(required(entity, "entity")?)?;
        let name = convert::text(name, "name")?;
        Ok(PyFieldDefinition(
            self.with(py, |crm| crm.fields().get(entity, &name))?,
        ))
    }

    /// The custom fields of `entity` in definition order; retired ones when `include_retired`.
    fn list_fields(
        &self,
        py: Python<'_>,
        entity: &Bound<'_, PyAny>,
        include_retired: &Bound<'_, PyAny>,
    ) -> PyCrmResult<Vec<PyFieldDefinition>> {
        let entity = note::entity(required(entity, "entity")?)?;
        let include_retired = convert::flag(include_retired, "include_retired")?;
        let found = self.with(py, |crm| crm.fields().list(entity, include_retired))?;
        Ok(found.into_iter().map(PyFieldDefinition).collect())
    }
}
