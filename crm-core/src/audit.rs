//! Reading the audit trail of a handle: `crm.audit().find(…)`.

use crate::crm::Crm;
use crate::error::Result;
use crate::model::audit::AuditEntry;
use crate::model::query::Query;
use crate::store::audit as store;

/// The audit trail of one store. Entries are written by the store itself, in the same transaction
/// as each write; this only reads them.
#[derive(Debug, Clone, Copy)]
pub struct Audit<'a> {
    crm: &'a Crm,
}

impl<'a> Audit<'a> {
    pub(crate) fn new(crm: &'a Crm) -> Audit<'a> {
        Audit { crm }
    }

    /// Entries matching the query — by `entity`, `entity_id`, `principal`, `role`, `action`, `at`
    /// (time range) — oldest first unless ordered otherwise.
    ///
    /// ```
    /// use crm_core::{Crm, Filter, NewCustomer, Query};
    /// # fn main() -> crm_core::Result<()> {
    /// let crm = Crm::open_in_memory()?;
    /// let ada = crm.customers().add(NewCustomer::new("Ada"))?;
    /// let trail = crm.audit().find(&Query::new(Filter::eq("entity", "customer").and(Filter::eq("entity_id", ada.id))))?;
    /// assert_eq!(trail[0].action.as_str(), "create");
    /// assert_eq!(trail[0].changes["name"]["after"], "Ada");
    /// # Ok(())
    /// # }
    /// ```
    pub fn find(&self, query: &Query) -> Result<Vec<AuditEntry>> {
        store::find(&self.crm.store().conn, query, self.crm.time_zone())
    }
}
