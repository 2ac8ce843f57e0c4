//! The purchases of a handle: `crm.purchases().add(…)`, and the columnar batch path analytics use.

use crate::crm::Crm;
use crate::error::Result;
use crate::model::audit::{AuditAction, created, updated};
use crate::model::filter::Filter;
use crate::model::purchase::{
    LineItemColumns, NewPurchase, NewPurchaseColumns, Purchase, PurchaseColumns, PurchaseStatus,
};
use crate::model::query::Query;
use crate::store::{audit, purchases as store};

/// Purchase operations on one handle. Each call is one transaction: a failed write — a batch with
/// one bad row included — leaves the store as it was.
#[derive(Debug, Clone, Copy)]
pub struct Purchases<'a> {
    crm: &'a Crm,
}

impl<'a> Purchases<'a> {
    pub(crate) fn new(crm: &'a Crm) -> Purchases<'a> {
        Purchases { crm }
    }

    /// Records a purchase with its lines; returns it as stored.
    ///
    /// Errors: `NOT_FOUND` for an unknown customer or product id, `INVALID_INPUT` for a negative
    /// amount, a quantity below 1, a negative unit price, or a line with neither product nor name;
    /// `ALREADY_EXISTS` for a taken external id.
    pub fn add(&self, mut purchase: NewPurchase) -> Result<Purchase> {
        purchase.normalize()?;
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let ids = store::insert(conn, std::slice::from_ref(&purchase), now)?;
            let p = store::get(conn, ids[0])?;
            let who = self.crm.author(now);
            audit::record(
                conn,
                &who,
                "purchase",
                Some(p.id),
                AuditAction::Create,
                &created(&p),
                Some(p.customer_id),
            )?;
            Ok(p)
        })
    }

    /// Records many purchases in one transaction; returns their ids in input order.
    pub fn add_many(&self, mut purchases: Vec<NewPurchase>) -> Result<Vec<i64>> {
        for (i, p) in purchases.iter_mut().enumerate() {
            p.normalize().map_err(|e| e.in_row(i))?;
        }
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let ids = store::insert(conn, &purchases, now)?;
            audit::record_bulk(conn, &self.crm.author(now), "purchase", &ids)?;
            Ok(ids)
        })
    }

    /// [`add_many`](Self::add_many) from columns (the bulk-load path). Purchases are validated
    /// and written one at a time from the columns, so memory stays at the size of the columns;
    /// a bad row still rolls back the whole batch and is named.
    pub fn add_columns(&self, columns: NewPurchaseColumns) -> Result<Vec<i64>> {
        let n = columns.len();
        let batch = n > 1;
        let rows = columns.rows()?.enumerate().map(|(i, mut p)| {
            p.normalize()
                .map_err(|e| if batch { e.in_row(i) } else { e })?;
            Ok(std::borrow::Cow::Owned(p))
        });
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let ids = store::insert_each(conn, rows, batch, n, now)?;
            audit::record_bulk(conn, &self.crm.author(now), "purchase", &ids)?;
            Ok(ids)
        })
    }

    /// The purchase with this id, with its lines.
    pub fn get(&self, id: i64) -> Result<Purchase> {
        store::get(&self.crm.store().conn, id)
    }

    /// Refunds or cancels a completed purchase (`ILLEGAL_TRANSITION` otherwise).
    pub fn set_status(&self, id: i64, status: PurchaseStatus) -> Result<Purchase> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let before = store::get(conn, id)?;
            let after = store::set_status(conn, id, status)?;
            let changes = updated(&before, &after);
            if !changes.is_empty() {
                let who = self.crm.author(now);
                audit::record(
                    conn,
                    &who,
                    "purchase",
                    Some(id),
                    AuditAction::Update,
                    &changes,
                    Some(after.customer_id),
                )?;
            }
            Ok(after)
        })
    }

    /// Purchases matching the query, with their lines.
    pub fn find(&self, query: &Query) -> Result<Vec<Purchase>> {
        store::find(&self.crm.store().conn, query, self.crm.time_zone())
    }

    /// Purchases matching the query, as columns.
    pub fn find_columns(&self, query: &Query) -> Result<PurchaseColumns> {
        store::find_columns(&self.crm.store().conn, query, self.crm.time_zone())
    }

    /// The lines of the purchases matching the query, as columns (long format for baskets).
    pub fn line_item_columns(&self, query: &Query) -> Result<LineItemColumns> {
        store::line_item_columns(&self.crm.store().conn, query, self.crm.time_zone())
    }

    /// How many purchases match.
    pub fn count(&self, filter: &Filter) -> Result<i64> {
        store::count(&self.crm.store().conn, filter, self.crm.time_zone())
    }
}
