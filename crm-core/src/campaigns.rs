//! Campaigns of a handle: plan, start (freeze the audience), track, evaluate.
//!
//! ```
//! use crm_core::{Channel, Crm, EventKind, EvaluationOptions, NewCampaign, NewCampaignEvent, NewCustomer, Variant};
//! # fn main() -> crm_core::Result<()> {
//! let crm = Crm::open_in_memory()?;
//! crm.customers().add_many((0..100).map(|i| NewCustomer::new(format!("c{i}"))).collect())?;
//! crm.segments().save_text("everyone", "")?;
//! let c = crm.campaigns().create(
//!     NewCampaign::new("Welcome", Channel::Email)
//!         .segment("everyone")
//!         .variants(vec![Variant::new("A", 0.8), Variant::control("control", 0.2)])
//!         .seed(1),
//! )?;
//! crm.campaigns().schedule(c.id, None)?;
//! crm.campaigns().start(c.id, None)?; // 80 members in A, 20 in control
//! let a = crm.campaigns().members(c.id)?.into_iter().find(|m| !m.control).unwrap();
//! crm.campaigns().record_event(c.id, NewCampaignEvent::new(a.customer_id, EventKind::Sent))?;
//! let report = crm.campaigns().evaluate(c.id, &EvaluationOptions::default())?;
//! assert_eq!(report.variants[0].counts.sent, 1);
//! # Ok(())
//! # }
//! ```

use serde_json::Value as Json;

use crate::crm::Crm;
use crate::error::{Error, Result};
use crate::model::audit::{AuditAction, Change, created, deleted, updated};
use crate::model::campaign::EventKind;
use crate::model::campaign::{
    Campaign, CampaignEvent, CampaignMember, CampaignPatch, CampaignStatus, EventRejection,
    EventReport, NewCampaign, NewCampaignEvent, RejectedEvent, assign_variants,
};
use crate::model::campaign_report::{CampaignReport, EvaluationOptions};
use crate::model::filter::Filter;
use crate::model::interaction::{Direction, InteractionKind, NewInteraction};
use crate::model::query::Query;
use crate::store::{
    audit, campaigns as store, customers as customer_store, interactions as interaction_store,
    segments as segment_store,
};
use crate::time::Timestamp;

/// Campaign operations on one handle. Each call is one transaction: a refused call changes
/// nothing.
#[derive(Debug, Clone, Copy)]
pub struct Campaigns<'a> {
    crm: &'a Crm,
}

impl<'a> Campaigns<'a> {
    pub(crate) fn new(crm: &'a Crm) -> Campaigns<'a> {
        Campaigns { crm }
    }

    /// Plans a campaign in `draft` (`ALREADY_EXISTS` for a taken name, `NOT_FOUND` for an
    /// unknown audience segment, `INVALID_INPUT` for a negative budget, bad variants …).
    pub fn create(&self, mut campaign: NewCampaign) -> Result<Campaign> {
        campaign.normalize()?;
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            if let Some(s) = &campaign.segment {
                segment_store::get(conn, s)?;
            }
            let row = Campaign {
                id: 0,
                name: campaign.name.clone(),
                channel: campaign.channel,
                objective: campaign.objective.clone(),
                budget: campaign.budget,
                cost: campaign.cost,
                segment: campaign.segment.clone(),
                variants: campaign.variants.clone(),
                seed: 0,
                starts_at: campaign.starts_at,
                ends_at: campaign.ends_at,
                status: CampaignStatus::Draft,
                started_at: None,
                ended_at: None,
                created_at: now,
                updated_at: now,
            };
            let c = store::insert(conn, &row, campaign.seed)?;
            audit::record(
                conn,
                &self.crm.author(now),
                "campaign",
                Some(c.id),
                AuditAction::Create,
                &created(&c),
                None,
            )?;
            Ok(c)
        })
    }

    /// The campaign with this id.
    pub fn get(&self, id: i64) -> Result<Campaign> {
        store::get(&self.crm.store().conn, id)
    }

    /// The campaign with this name.
    pub fn get_by_name(&self, name: &str) -> Result<Campaign> {
        store::get_by_name(&self.crm.store().conn, name)
    }

    /// Campaigns matching `query` (fields: id, name, channel, objective, status, segment,
    /// starts_at, ends_at, started_at, created_at).
    pub fn find(&self, query: &Query) -> Result<Vec<Campaign>> {
        store::find(&self.crm.store().conn, query, self.crm.time_zone())
    }

    /// How many campaigns match `filter`.
    pub fn count(&self, filter: &Filter) -> Result<i64> {
        store::count(&self.crm.store().conn, filter, self.crm.time_zone())
    }

    /// Changes a campaign. Name, objective, budget, cost and dates may change at any time before
    /// it ends; the audience, variants and seed only before it starts.
    pub fn update(&self, id: i64, patch: &CampaignPatch) -> Result<Campaign> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let before = store::get(conn, id)?;
            if matches!(
                before.status,
                CampaignStatus::Completed | CampaignStatus::Cancelled
            ) {
                return Err(Error::invalid(
                    "campaign",
                    &before.name,
                    format!("cannot change a {} campaign", before.status),
                ));
            }
            let mut after = patch.apply(&before)?;
            if let Some(Some(s)) = &patch.segment {
                segment_store::get(conn, s)?;
            }
            after.updated_at = now;
            let after = store::update(conn, &after)?;
            self.audit_update(conn, now, &before, &after, &[])?;
            Ok(after)
        })
    }

    fn audit_update(
        &self,
        conn: &rusqlite::Connection,
        now: Timestamp,
        before: &Campaign,
        after: &Campaign,
        extra: &[Change],
    ) -> Result<()> {
        let mut changes = updated(before, after);
        changes.extend_from_slice(extra);
        audit::record(
            conn,
            &self.crm.author(now),
            "campaign",
            Some(after.id),
            AuditAction::Update,
            &changes,
            None,
        )
    }

    /// Moves a campaign to `to` at `at` (default now), running `also` in the same transaction.
    fn transition(
        &self,
        id: i64,
        to: CampaignStatus,
        at: Option<Timestamp>,
        also: impl FnOnce(&rusqlite::Connection, &mut Campaign, Timestamp) -> Result<Vec<Change>>,
    ) -> Result<Campaign> {
        let now = self.crm.now();
        let at = at.unwrap_or(now);
        if !at.is_supported() {
            return Err(Error::invalid(
                "at",
                at.as_micros().to_string(),
                "must be between 0001-01-01 and 9999-12-31",
            ));
        }
        self.crm.store().write(|conn| {
            let before = store::get(conn, id)?;
            before.status.check_transition(to)?;
            let mut after = before.clone();
            after.status = to;
            after.updated_at = now;
            let extra = also(conn, &mut after, at)?;
            let after = store::update(conn, &after)?;
            self.audit_update(conn, now, &before, &after, &extra)?;
            Ok(after)
        })
    }

    /// `draft` → `scheduled`. The campaign needs an audience segment.
    pub fn schedule(&self, id: i64, at: Option<Timestamp>) -> Result<Campaign> {
        self.transition(id, CampaignStatus::Scheduled, at, |conn, c, _| {
            match &c.segment {
                Some(s) => segment_store::get(conn, s).map(|_| Vec::new()),
                None => Err(Error::invalid(
                    "campaign",
                    &c.name,
                    "has no audience segment to schedule",
                )),
            }
        })
    }

    /// `scheduled` → `running` at `at` (default now): the segment's customers at this moment
    /// become the members, split at random into the variants with the campaign's seed. Later
    /// changes to the segment or to the customers do not change the members.
    pub fn start(&self, id: i64, at: Option<Timestamp>) -> Result<Campaign> {
        let zone = self.crm.time_zone();
        let now = self.crm.now();
        self.transition(id, CampaignStatus::Running, at, |conn, c, at| {
            let segment_name = c.segment.clone().ok_or_else(|| {
                Error::invalid("campaign", &c.name, "has no audience segment to start")
            })?;
            let segment = segment_store::get(conn, &segment_name)?;
            let ids = customer_store::ids(conn, &segment.filter, zone, now)?;
            let split = assign_variants(&ids, &c.variants, c.seed);
            store::insert_members(conn, c.id, &split, &c.variants, at)?;
            c.started_at = Some(at);
            Ok(vec![Change::new("members", Json::Null, ids.len())])
        })
    }

    /// `running` → `completed` at `at` (default now). Late events are still tracked.
    pub fn complete(&self, id: i64, at: Option<Timestamp>) -> Result<Campaign> {
        self.transition(id, CampaignStatus::Completed, at, |_, c, at| {
            check_after_start(c, at)?;
            c.ended_at = Some(at);
            Ok(Vec::new())
        })
    }

    /// `draft`, `scheduled` or `running` → `cancelled` at `at` (default now).
    pub fn cancel(&self, id: i64, at: Option<Timestamp>) -> Result<Campaign> {
        self.transition(id, CampaignStatus::Cancelled, at, |_, c, at| {
            check_after_start(c, at)?;
            c.ended_at = Some(at);
            Ok(Vec::new())
        })
    }

    /// Deletes a campaign. One that has members (it started) is refused with `CONSTRAINT`
    /// unless `cascade`, which deletes its members and events too.
    pub fn delete(&self, id: i64, cascade: bool) -> Result<()> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let c = store::get(conn, id)?;
            if c.started_at.is_some() && !cascade {
                return Err(Error::Constraint(format!(
                    "campaign {id} has members and events; delete it with cascade to remove them too"
                )));
            }
            store::delete(conn, id)?;
            audit::record(
                conn,
                &self.crm.author(now),
                "campaign",
                Some(id),
                AuditAction::Delete,
                &deleted(&c),
                None,
            )
        })
    }

    /// The members of a campaign (empty before it starts), by customer id.
    pub fn members(&self, id: i64) -> Result<Vec<CampaignMember>> {
        let conn = &self.crm.store().conn;
        store::get(conn, id)?;
        store::members(conn, id)
    }

    /// Records one tracking event (time `None` = now). A refused event is an `INVALID_INPUT`
    /// error that says why (not a member, control group, out of order, before the start) and
    /// records nothing.
    pub fn record_event(&self, id: i64, event: NewCampaignEvent) -> Result<CampaignEvent> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let c = store::get(conn, id)?;
            match check_event(conn, &c, 0, event, now)? {
                Ok(at) => {
                    let event_id = insert_event(conn, &c, event, at, now)?;
                    Ok(CampaignEvent {
                        id: event_id,
                        campaign_id: id,
                        customer_id: event.customer_id,
                        kind: event.kind,
                        at,
                    })
                }
                Err(rejected) => Err(rejected.into_error()),
            }
        })
    }

    /// Records a batch of tracking events in one transaction, in order (so a `delivered` may
    /// follow its `sent` in the same batch). Accepted events land; refused ones are reported
    /// with their position and reason and record nothing.
    pub fn record_events(&self, id: i64, events: &[NewCampaignEvent]) -> Result<EventReport> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let c = store::get(conn, id)?;
            let mut report = EventReport::default();
            for (i, &event) in events.iter().enumerate() {
                match check_event(conn, &c, i, event, now)? {
                    Ok(at) => {
                        insert_event(conn, &c, event, at, now)?;
                        report.recorded += 1;
                    }
                    Err(rejected) => report.rejected.push(rejected),
                }
            }
            Ok(report)
        })
    }

    /// A campaign's events in time order, of one member or all.
    pub fn events(&self, id: i64, customer_id: Option<i64>) -> Result<Vec<CampaignEvent>> {
        let conn = &self.crm.store().conn;
        store::get(conn, id)?;
        store::events(conn, id, customer_id)
    }

    /// Evaluates a started campaign: per-variant counts and rates, attributed revenue, cost per
    /// conversion, ROI, and each variant's uplift against the control group with a z-test, a
    /// chi-square test and confidence intervals.
    pub fn evaluate(&self, id: i64, options: &EvaluationOptions) -> Result<CampaignReport> {
        options.check()?;
        let conn = &self.crm.store().conn;
        let c = store::get(conn, id)?;
        let Some(started_at) = c.started_at else {
            return Err(Error::invalid(
                "campaign",
                &c.name,
                format!(
                    "has not started (it is {}); there is nothing to evaluate",
                    c.status
                ),
            ));
        };
        let window = options.attribution_window;
        let currency = match options.currency.or(c.currency()) {
            Some(cur) => Some(cur),
            None => {
                let found = store::attributed_currencies(conn, id, started_at, window)?;
                match found.as_slice() {
                    [] => None,
                    [one] => Some(one.parse()?),
                    many => {
                        return Err(Error::invalid(
                            "currency",
                            many.join(", "),
                            "members bought in several currencies; choose one in the options",
                        ));
                    }
                }
            }
        };
        if let (Some(cur), Some(own)) = (currency, c.currency())
            && cur != own
            && c.cost.is_some()
        {
            return Err(Error::invalid(
                "currency",
                cur.as_str(),
                format!("the campaign's cost is in {own}"),
            ));
        }
        let counts = store::variant_counts(
            conn,
            &c,
            started_at,
            window,
            currency.as_ref().map(|c| c.as_str()),
        )?;
        CampaignReport::build(
            c.id,
            &c.name,
            EvaluationOptions {
                currency,
                ..*options
            },
            currency,
            counts,
            c.cost.map(|m| m.minor),
        )
    }
}

/// Records an accepted event. A `sent` event also puts the message on the customer's timeline:
/// an outbound interaction on the campaign's channel, linked to the campaign.
fn insert_event(
    conn: &rusqlite::Connection,
    c: &Campaign,
    event: NewCampaignEvent,
    at: Timestamp,
    now: Timestamp,
) -> Result<i64> {
    let id = store::insert_event(conn, c.id, event.customer_id, event.kind, at, now)?;
    if event.kind == EventKind::Sent {
        let message = NewInteraction::new(event.customer_id, c.channel)
            .direction(Direction::Outbound)
            .kind(InteractionKind::Message)
            .subject(c.name.clone())
            .at(at)
            .campaign(c.id);
        interaction_store::insert(conn, &[message], now)?;
    }
    Ok(id)
}

fn check_after_start(c: &Campaign, at: Timestamp) -> Result<()> {
    if let Some(s) = c.started_at
        && at < s
    {
        return Err(Error::invalid(
            "at",
            at.to_string(),
            format!("must not be before the campaign started at {s}"),
        ));
    }
    Ok(())
}

/// Checks one event against the campaign and what was recorded before it: `Ok(Ok(time))` to
/// record it, `Ok(Err(rejection))` to refuse it.
fn check_event(
    conn: &rusqlite::Connection,
    c: &Campaign,
    index: usize,
    event: NewCampaignEvent,
    now: Timestamp,
) -> Result<std::result::Result<Timestamp, RejectedEvent>> {
    let reject = |reason: EventRejection, message: String| {
        Ok(Err(RejectedEvent {
            index,
            event,
            reason,
            message,
        }))
    };
    if !c.status.is_tracking() {
        return reject(
            EventRejection::NotTracking,
            format!(
                "campaign {:?} is {}, not running or completed",
                c.name, c.status
            ),
        );
    }
    let at = event.at.unwrap_or(now);
    if !at.is_supported() {
        return reject(
            EventRejection::BadTime,
            format!("time {} µs is outside years 1–9999", at.as_micros()),
        );
    }
    if let Some(s) = c.started_at
        && at < s
    {
        return reject(
            EventRejection::BadTime,
            format!("{at} is before the campaign started at {s}"),
        );
    }
    let Some(member) = store::member(conn, c.id, event.customer_id)? else {
        return reject(
            EventRejection::NotMember,
            format!(
                "customer {} is not a member of the campaign",
                event.customer_id
            ),
        );
    };
    if member.control && event.kind.is_message() {
        return reject(
            EventRejection::ControlGroup,
            format!(
                "customer {} is in the control group ({}), which receives nothing",
                event.customer_id, member.variant
            ),
        );
    }
    if let Some(required) = event.kind.requires() {
        match store::first_event_at(conn, c.id, event.customer_id, required)? {
            None => {
                return reject(
                    EventRejection::OutOfOrder,
                    format!(
                        "no {required} event was recorded for customer {} before this {}",
                        event.customer_id, event.kind
                    ),
                );
            }
            Some(t) if at < t => {
                return reject(
                    EventRejection::OutOfOrder,
                    format!("{at} is before the member's {required} event at {t}"),
                );
            }
            Some(_) => {}
        }
    }
    Ok(Ok(at))
}
