//! The product catalogue of a handle: `crm.products().add(…)`.

use crate::crm::Crm;
use crate::error::Result;
use crate::model::audit::{AuditAction, created, deleted};
use crate::model::filter::Filter;
use crate::model::product::{NewProduct, Product};
use crate::model::query::Query;
use crate::store::{audit, products as store};

/// Product operations on one handle. Each call is one transaction.
#[derive(Debug, Clone, Copy)]
pub struct Products<'a> {
    crm: &'a Crm,
}

impl<'a> Products<'a> {
    pub(crate) fn new(crm: &'a Crm) -> Products<'a> {
        Products { crm }
    }

    /// Adds a product (`ALREADY_EXISTS` when the sku is taken).
    pub fn add(&self, mut product: NewProduct) -> Result<Product> {
        product.normalize()?;
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let ids = store::insert(conn, std::slice::from_ref(&product), now)?;
            let p = store::get(conn, ids[0])?;
            audit::record(
                conn,
                &self.crm.author(now),
                "product",
                Some(p.id),
                AuditAction::Create,
                &created(&p),
                None,
            )?;
            Ok(p)
        })
    }

    /// Adds many products in one transaction; a bad row writes nothing and is named.
    pub fn add_many(&self, mut products: Vec<NewProduct>) -> Result<Vec<i64>> {
        for (i, p) in products.iter_mut().enumerate() {
            p.normalize().map_err(|e| e.in_row(i))?;
        }
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let ids = store::insert(conn, &products, now)?;
            audit::record_bulk(conn, &self.crm.author(now), "product", &ids)?;
            Ok(ids)
        })
    }

    /// The product with this id.
    pub fn get(&self, id: i64) -> Result<Product> {
        store::get(&self.crm.store().conn, id)
    }

    /// The product with this sku.
    pub fn get_by_sku(&self, sku: &str) -> Result<Product> {
        store::get_by_sku(&self.crm.store().conn, sku)
    }

    /// Deletes a product; `CONSTRAINT` while purchase lines name it.
    pub fn delete(&self, id: i64) -> Result<()> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let before = store::get(conn, id)?;
            store::delete(conn, id)?;
            audit::record(
                conn,
                &self.crm.author(now),
                "product",
                Some(id),
                AuditAction::Delete,
                &deleted(&before),
                None,
            )
        })
    }

    /// Products matching the query.
    pub fn find(&self, query: &Query) -> Result<Vec<Product>> {
        store::find(&self.crm.store().conn, query, self.crm.time_zone())
    }

    /// How many products match.
    pub fn count(&self, filter: &Filter) -> Result<i64> {
        store::count(&self.crm.store().conn, filter, self.crm.time_zone())
    }
}
