//! The customer operations of a handle: `crm.customers().add(…)`.

use crate::crm::Crm;
use crate::error::Result;
use crate::model::audit::Change;
use crate::model::audit::{AuditAction, created, deleted, updated};
use crate::model::customer::{CUSTOMER_FIELDS, Customer, CustomerPatch, NewCustomer};
use crate::model::customer_columns::{CustomerColumns, NewCustomerColumns};
use crate::model::field::FieldSpec;
use crate::model::filter::Filter;
use crate::model::query::Query;
use crate::store::{audit, customers as store};

/// Marks the changes of personal custom fields, so the trail keeps their values apart.
fn mark_personal(conn: &rusqlite::Connection, mut changes: Vec<Change>) -> Result<Vec<Change>> {
    let personal: Vec<String> = store::defs(conn)?
        .into_iter()
        .filter(|d| d.personal)
        .map(|d| d.name)
        .collect();
    for c in &mut changes {
        c.personal |= personal.contains(&c.field);
    }
    Ok(changes)
}

/// What `delete` does when other records reference the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeleteMode {
    /// Refuse with `CONSTRAINT` (the default).
    #[default]
    Restrict,
    /// Delete the referencing records too.
    Cascade,
}

/// Customer operations on one handle. Each call is one transaction: a failed write leaves the store
/// as it was.
#[derive(Debug, Clone, Copy)]
pub struct Customers<'a> {
    crm: &'a Crm,
}

impl<'a> Customers<'a> {
    pub(crate) fn new(crm: &'a Crm) -> Customers<'a> {
        Customers { crm }
    }

    /// The fields filters and sort orders may name.
    pub fn fields(&self) -> &'static [FieldSpec] {
        CUSTOMER_FIELDS
    }

    /// Creates a customer; returns it as stored (normalised, with id, times and version 1).
    ///
    /// Errors: `INVALID_INPUT` for a value that fails validation, `ALREADY_EXISTS` for a taken
    /// external id.
    pub fn add(&self, mut customer: NewCustomer) -> Result<Customer> {
        customer.normalize()?;
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let ids = store::insert(conn, std::slice::from_ref(&customer), now)?;
            let c = store::get(conn, ids[0])?;
            audit::record(
                conn,
                &self.crm.author(now),
                "customer",
                Some(c.id),
                AuditAction::Create,
                &mark_personal(conn, created(&c))?,
                Some(c.id),
            )?;
            Ok(c)
        })
    }

    /// Creates many customers in one transaction; returns their ids in input order. If any row is
    /// invalid, nothing is written and the error names the row (zero-based).
    pub fn add_many(&self, mut customers: Vec<NewCustomer>) -> Result<Vec<i64>> {
        for (i, c) in customers.iter_mut().enumerate() {
            c.normalize().map_err(|e| e.in_row(i))?;
        }
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let ids = store::insert(conn, &customers, now)?;
            audit::record_bulk(conn, &self.crm.author(now), "customer", &ids)?;
            Ok(ids)
        })
    }

    /// [`add_many`](Self::add_many) from columns.
    pub fn add_columns(&self, columns: NewCustomerColumns) -> Result<Vec<i64>> {
        self.add_many(columns.into_rows()?)
    }

    /// The customer with this id (`NOT_FOUND` if none).
    pub fn get(&self, id: i64) -> Result<Customer> {
        store::get(&self.crm.store().conn, id)
    }

    /// The customer with this external id (`NOT_FOUND` if none).
    pub fn get_by_external_id(&self, external_id: &str) -> Result<Customer> {
        store::get_by_external_id(&self.crm.store().conn, external_id)
    }

    /// Applies a partial update and returns the stored result. The version goes up by one when
    /// anything changed. With `expected_version` set, a customer changed meanwhile is refused with
    /// `CONFLICT`.
    pub fn update(&self, id: i64, patch: &CustomerPatch) -> Result<Customer> {
        self.modify(id, |_| Ok(patch.clone()))
    }

    /// Reads customer `id`, builds a patch from it and applies it, all in one transaction (so a
    /// read-modify-write such as adding a tag cannot race another writer), and audits the change.
    fn modify(
        &self,
        id: i64,
        make: impl FnOnce(&Customer) -> Result<CustomerPatch>,
    ) -> Result<Customer> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let before = store::get(conn, id)?;
            let patch = make(&before)?;
            let after = store::update(conn, id, &patch, now)?;
            if after.version != before.version {
                let changes = mark_personal(conn, updated(&before, &after))?;
                audit::record(
                    conn,
                    &self.crm.author(now),
                    "customer",
                    Some(id),
                    AuditAction::Update,
                    &changes,
                    Some(id),
                )?;
            }
            Ok(after)
        })
    }

    /// Adds tags to a customer (an update: the version goes up when a tag is new).
    pub fn add_tags<S: AsRef<str>>(&self, id: i64, tags: &[S]) -> Result<Customer> {
        let new = crate::model::contact::normalize_tags(tags)?;
        self.modify(id, |current| {
            let all = current.tags.iter().cloned().chain(new.iter().cloned());
            Ok(CustomerPatch::default().tags(all))
        })
    }

    /// Removes tags from a customer (tags it does not carry are ignored).
    pub fn remove_tags<S: AsRef<str>>(&self, id: i64, tags: &[S]) -> Result<Customer> {
        let drop = crate::model::contact::normalize_tags(tags)?;
        self.modify(id, |current| {
            Ok(CustomerPatch::default()
                .tags(current.tags.iter().filter(|t| !drop.contains(t)).cloned()))
        })
    }

    /// Deletes a customer. With [`DeleteMode::Restrict`], refuses with `CONSTRAINT` while other
    /// records reference it.
    pub fn delete(&self, id: i64, mode: DeleteMode) -> Result<()> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let before = store::get(conn, id)?;
            store::delete(conn, id, mode == DeleteMode::Cascade)?;
            audit::record(
                conn,
                &self.crm.author(now),
                "customer",
                Some(id),
                AuditAction::Delete,
                &mark_personal(conn, deleted(&before))?,
                Some(id),
            )
        })
    }

    /// Customers matching the query, in its order and page.
    pub fn find(&self, query: &Query) -> Result<Vec<Customer>> {
        store::find(
            &self.crm.store().conn,
            query,
            self.crm.time_zone(),
            self.crm.now(),
        )
    }

    /// [`find`](Self::find), as columns.
    pub fn find_columns(&self, query: &Query) -> Result<CustomerColumns> {
        Ok(self.find(query)?.into_iter().collect())
    }

    /// How many customers match `filter`.
    pub fn count(&self, filter: &Filter) -> Result<i64> {
        store::count(
            &self.crm.store().conn,
            filter,
            self.crm.time_zone(),
            self.crm.now(),
        )
    }
}
