//! The interactions of a handle and the customer timeline: `crm.interactions().timeline(id, …)`.

use crate::crm::Crm;
use crate::error::Result;
use crate::model::audit::{AuditAction, created};
use crate::model::filter::Filter;
use crate::model::interaction::{Interaction, NewInteraction};
use crate::model::query::{OrderBy, Query};
use crate::store::{audit, customers as customer_store, interactions as store};

/// Interaction operations on one handle. Each call is one transaction.
#[derive(Debug, Clone, Copy)]
pub struct Interactions<'a> {
    crm: &'a Crm,
}

impl<'a> Interactions<'a> {
    pub(crate) fn new(crm: &'a Crm) -> Interactions<'a> {
        Interactions { crm }
    }

    /// Records an interaction (`NOT_FOUND` for an unknown customer).
    pub fn add(&self, mut interaction: NewInteraction) -> Result<Interaction> {
        interaction.normalize()?;
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let ids = store::insert(conn, std::slice::from_ref(&interaction), now)?;
            let it = store::get(conn, ids[0])?;
            let who = self.crm.author(now);
            audit::record(
                conn,
                &who,
                "interaction",
                Some(it.id),
                AuditAction::Create,
                &created(&it),
                Some(it.customer_id),
            )?;
            Ok(it)
        })
    }

    /// Records many interactions in one transaction; a bad row writes nothing and is named.
    pub fn add_many(&self, mut interactions: Vec<NewInteraction>) -> Result<Vec<i64>> {
        for (i, it) in interactions.iter_mut().enumerate() {
            it.normalize().map_err(|e| e.in_row(i))?;
        }
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let ids = store::insert(conn, &interactions, now)?;
            audit::record_bulk(conn, &self.crm.author(now), "interaction", &ids)?;
            Ok(ids)
        })
    }

    /// The interaction with this id.
    pub fn get(&self, id: i64) -> Result<Interaction> {
        store::get(&self.crm.store().conn, id)
    }

    /// A customer's timeline: their interactions matching `query` (channel, kind, date range …),
    /// newest first unless the query orders otherwise, paged by its limit and offset.
    /// `NOT_FOUND` when the customer does not exist.
    pub fn timeline(&self, customer_id: i64, query: &Query) -> Result<Vec<Interaction>> {
        let conn = &self.crm.store().conn;
        customer_store::get(conn, customer_id)?;
        let mut q = query.clone();
        q.filter = Filter::eq("customer_id", customer_id).and(q.filter);
        if q.order_by.is_empty() {
            q.order_by = vec![OrderBy::desc("occurred_at"), OrderBy::desc("id")];
        }
        store::find(conn, &q, self.crm.time_zone())
    }

    /// Interactions matching the query (any customer).
    pub fn find(&self, query: &Query) -> Result<Vec<Interaction>> {
        store::find(&self.crm.store().conn, query, self.crm.time_zone())
    }

    /// How many interactions match.
    pub fn count(&self, filter: &Filter) -> Result<i64> {
        store::count(&self.crm.store().conn, filter, self.crm.time_zone())
    }
}
