//! Saved segments of a handle: `crm.segments().save_text("vip web", "source = 'web' and tags contains 'vip'")`.

use serde_json::Value as Json;

use crate::crm::Crm;
use crate::error::Result;
use crate::model::audit::{AuditAction, Change};
use crate::model::customer::Customer;
use crate::model::customer_columns::CustomerColumns;
use crate::model::filter::Filter;
use crate::model::query::Query;
use crate::model::segment::{Segment, normalize_segment_name};
use crate::store::{audit, customers as customer_store, segments as store};

/// Segment operations on one handle. A segment is checked against the customer fields when it is
/// saved, so a saved segment always runs; membership is evaluated when asked.
#[derive(Debug, Clone, Copy)]
pub struct Segments<'a> {
    crm: &'a Crm,
}

impl<'a> Segments<'a> {
    pub(crate) fn new(crm: &'a Crm) -> Segments<'a> {
        Segments { crm }
    }

    /// Checks that `filter` compiles against the customer fields.
    fn check(&self, filter: &Filter) -> Result<()> {
        let defs = customer_store::defs(&self.crm.store().conn)?;
        customer_store::entity_with(&defs, self.crm.now())
            .compile(filter, self.crm.time_zone())
            .map(|_| ())
    }

    fn save_inner(
        &self,
        name: &str,
        filter: Filter,
        text: Option<&str>,
        replace: bool,
    ) -> Result<Segment> {
        let name = normalize_segment_name(name)?;
        self.check(&filter)?;
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let (segment, action) = if replace {
                (
                    store::update(conn, &name, &filter, text, now)?,
                    AuditAction::Update,
                )
            } else {
                (
                    store::insert(conn, &name, &filter, text, now)?,
                    AuditAction::Create,
                )
            };
            let rule = text
                .map(Json::from)
                .unwrap_or_else(|| serde_json::to_value(&filter).unwrap_or(Json::Null));
            let changes = [
                Change::new("name", Json::Null, name.as_str()),
                Change::new("filter", Json::Null, rule),
            ];
            audit::record(
                conn,
                &self.crm.author(now),
                "segment",
                Some(segment.id),
                action,
                &changes,
                None,
            )?;
            Ok(segment)
        })
    }

    /// Saves a new segment (`ALREADY_EXISTS` when the name is taken; `INVALID_INPUT` for a filter
    /// naming an unknown field).
    pub fn save(&self, name: &str, filter: Filter) -> Result<Segment> {
        self.save_inner(name, filter, None, false)
    }

    /// Saves a new segment written in the filter text syntax (`PARSE` with the position of a
    /// syntax error).
    pub fn save_text(&self, name: &str, text: &str) -> Result<Segment> {
        self.save_inner(name, Filter::parse(text)?, Some(text.trim()), false)
    }

    /// Replaces a segment's filter (`NOT_FOUND` when there is no such segment).
    pub fn update(&self, name: &str, filter: Filter) -> Result<Segment> {
        self.save_inner(name, filter, None, true)
    }

    /// Replaces a segment's filter with one written as text.
    pub fn update_text(&self, name: &str, text: &str) -> Result<Segment> {
        self.save_inner(name, Filter::parse(text)?, Some(text.trim()), true)
    }

    /// The segment with this name.
    pub fn get(&self, name: &str) -> Result<Segment> {
        store::get(&self.crm.store().conn, name)
    }

    /// Every segment, by name.
    pub fn list(&self) -> Result<Vec<Segment>> {
        store::list(&self.crm.store().conn)
    }

    /// Deletes a segment (its customers stay).
    pub fn delete(&self, name: &str) -> Result<()> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let s = store::delete(conn, name)?;
            let changes = [Change::new("name", s.name.as_str(), Json::Null)];
            audit::record(
                conn,
                &self.crm.author(now),
                "segment",
                Some(s.id),
                AuditAction::Delete,
                &changes,
                None,
            )
        })
    }

    fn members_query(&self, name: &str, query: &Query) -> Result<Query> {
        let segment = self.get(name)?;
        let mut q = query.clone();
        q.filter = segment.filter.and(q.filter);
        Ok(q)
    }

    /// The segment's customers now, ordered and paged by `query` (whose filter narrows further).
    pub fn members(&self, name: &str, query: &Query) -> Result<Vec<Customer>> {
        self.crm.customers().find(&self.members_query(name, query)?)
    }

    /// The segment's customers as columns (an export).
    pub fn member_columns(&self, name: &str, query: &Query) -> Result<CustomerColumns> {
        self.crm
            .customers()
            .find_columns(&self.members_query(name, query)?)
    }

    /// How many customers are in the segment now.
    pub fn count(&self, name: &str) -> Result<i64> {
        let segment = self.get(name)?;
        self.crm.customers().count(&segment.filter)
    }
}
