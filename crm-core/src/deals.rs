//! Pipeline and deal operations on one handle: `crm.deals().create(NewDeal::new("Sales", …))`,
//! stage moves with their history, win/lose/reopen, and the pipeline views (value by stage,
//! forecast, win rates, stage conversion).

use serde_json::Value as Json;

use crate::crm::Crm;
use crate::error::{Error, Result};
use crate::model::audit::{AuditAction, Change, created, deleted, updated};
use crate::model::deal::{
    Deal, DealGroupBy, DealPatch, DealStatus, ForecastMonth, NewDeal, NewPipeline, NewStage,
    Pipeline, StageChange, StageConversion, StageDuration, StageValue, WinRate, check_event_time,
    check_probability, forecast_months, stage_conversion, stage_values, time_in_stages,
};
use crate::model::filter::Filter;
use crate::model::query::Query;
use crate::model::text::required_text;
use crate::store::{audit, deals as store};
use crate::time::Timestamp;

/// Pipeline and deal operations on one handle. Each write is one transaction, audited as
/// `pipeline` or `deal`; a refused write leaves the store unchanged.
#[derive(Debug, Clone, Copy)]
pub struct Deals<'a> {
    crm: &'a Crm,
}

impl<'a> Deals<'a> {
    pub(crate) fn new(crm: &'a Crm) -> Deals<'a> {
        Deals { crm }
    }

    // ---- pipelines ----

    fn record_pipeline(
        &self,
        conn: &rusqlite::Connection,
        now: Timestamp,
        id: i64,
        action: AuditAction,
        changes: &[Change],
    ) -> Result<()> {
        audit::record(
            conn,
            &self.crm.author(now),
            "pipeline",
            Some(id),
            action,
            changes,
            None,
        )
    }

    /// Changes a pipeline's stages with `f` and audits the stage list before and after.
    fn change_stages(
        &self,
        pipeline: &str,
        f: impl FnOnce(&rusqlite::Connection, &Pipeline) -> Result<()>,
    ) -> Result<Pipeline> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let before = store::pipeline_by_name(conn, pipeline)?;
            f(conn, &before)?;
            let after = store::pipeline_by_id(conn, before.id)?;
            let changes = [Change::new(
                "stages",
                before.stages_json(),
                after.stages_json(),
            )];
            self.record_pipeline(conn, now, after.id, AuditAction::Update, &changes)?;
            Ok(after)
        })
    }

    /// Creates a pipeline (`ALREADY_EXISTS` when the name is taken, ignoring case;
    /// `INVALID_INPUT` for no stages, a stage named twice, or a probability outside 0..1).
    pub fn create_pipeline(&self, mut pipeline: NewPipeline) -> Result<Pipeline> {
        pipeline.normalize()?;
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let id = store::insert_pipeline(conn, &pipeline, now)?;
            let p = store::pipeline_by_id(conn, id)?;
            let changes = [
                Change::new("name", Json::Null, p.name.as_str()),
                Change::new("stages", Json::Null, p.stages_json()),
            ];
            self.record_pipeline(conn, now, id, AuditAction::Create, &changes)?;
            Ok(p)
        })
    }

    /// The pipeline with this name (`NOT_FOUND` if none).
    pub fn pipeline(&self, name: &str) -> Result<Pipeline> {
        store::pipeline_by_name(&self.crm.store().conn, name)
    }

    /// Every pipeline, by name.
    pub fn pipelines(&self) -> Result<Vec<Pipeline>> {
        store::pipelines(&self.crm.store().conn)
    }

    /// Adds a stage at `position` (0 = first; `None` = last), moving later stages down.
    /// `ALREADY_EXISTS` when the pipeline has a stage of that name (ignoring case).
    pub fn add_stage(
        &self,
        pipeline: &str,
        mut stage: NewStage,
        position: Option<usize>,
    ) -> Result<Pipeline> {
        stage.normalize()?;
        self.change_stages(pipeline, |conn, p| {
            if p.stage(&stage.name).is_some() {
                return Err(Error::AlreadyExists {
                    entity: "stage",
                    field: "name".into(),
                    value: stage.name.clone(),
                });
            }
            let last = p.stages.len();
            let at = position.unwrap_or(last);
            if at > last {
                return Err(Error::invalid(
                    "position",
                    at.to_string(),
                    format!("must be from 0 to {last} (the pipeline has {last} stages)"),
                ));
            }
            store::insert_stage(conn, p.id, &stage, at)
        })
    }

    /// Sets a stage's default win probability (0 to 1); the deals in it take it at once.
    pub fn set_stage_probability(
        &self,
        pipeline: &str,
        stage: &str,
        probability: f64,
    ) -> Result<Pipeline> {
        check_probability(probability)?;
        self.change_stages(pipeline, |conn, p| {
            let s = p.require_stage(stage)?;
            store::set_stage_probability(conn, s.id, probability)
        })
    }

    /// Removes a stage. `CONSTRAINT` while deals (open or closed) are in it; `INVALID_INPUT` for the
    /// last stage of a pipeline. Deals that passed through it keep its name in their history.
    pub fn remove_stage(&self, pipeline: &str, stage: &str) -> Result<Pipeline> {
        self.change_stages(pipeline, |conn, p| {
            let s = p.require_stage(stage)?;
            let n = store::deals_in_stage(conn, s.id)?;
            if n > 0 {
                return Err(Error::Constraint(format!(
                    "stage {:?} of pipeline {:?} holds {n} deal(s); move or delete them first",
                    s.name, p.name
                )));
            }
            if p.stages.len() == 1 {
                return Err(Error::invalid(
                    "stage",
                    s.name.clone(),
                    "is the pipeline's only stage (a pipeline keeps at least one)",
                ));
            }
            store::delete_stage(conn, p.id, s)
        })
    }

    /// Deletes a pipeline and its stages. `CONSTRAINT` while it has deals.
    pub fn delete_pipeline(&self, name: &str) -> Result<()> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let p = store::pipeline_by_name(conn, name)?;
            let n = store::deals_in_pipeline(conn, p.id)?;
            if n > 0 {
                return Err(Error::Constraint(format!(
                    "pipeline {:?} has {n} deal(s); delete them first",
                    p.name
                )));
            }
            store::delete_pipeline(conn, p.id)?;
            let changes = [
                Change::new("name", p.name.as_str(), Json::Null),
                Change::new("stages", p.stages_json(), Json::Null),
            ];
            self.record_pipeline(conn, now, p.id, AuditAction::Delete, &changes)
        })
    }

    // ---- deals ----

    fn record_deal(
        &self,
        conn: &rusqlite::Connection,
        now: Timestamp,
        deal: &Deal,
        action: AuditAction,
        changes: &[Change],
    ) -> Result<()> {
        audit::record(
            conn,
            &self.crm.author(now),
            "deal",
            Some(deal.id),
            action,
            changes,
            Some(deal.customer_id),
        )
    }

    /// Creates a deal, in its given stage or the pipeline's first, and records its entry into
    /// that stage at `created_at`. `NOT_FOUND` for an unknown pipeline or customer;
    /// `INVALID_INPUT` for a negative amount, an unknown stage (the message lists the stages) or
    /// a creation time after now.
    pub fn create(&self, mut deal: NewDeal) -> Result<Deal> {
        let now = self.crm.now();
        deal.normalize(now)?;
        self.crm.store().write(|conn| {
            let p = store::pipeline_by_name(conn, &deal.pipeline)?;
            let stage = match &deal.stage {
                Some(name) => p.require_stage(name)?,
                // A pipeline always keeps at least one stage.
                None => p.stages.first().ok_or_else(|| {
                    Error::Internal(format!("pipeline {:?} has no stages", p.name))
                })?,
            };
            let created_at = deal.created_at.unwrap_or(now);
            let row = Deal {
                id: 0,
                pipeline_id: p.id,
                pipeline: p.name.clone(),
                customer_id: deal.customer_id,
                name: deal.name.clone(),
                amount: deal.amount,
                stage: stage.name.clone(),
                stage_id: stage.id,
                probability: stage.probability,
                owner: deal
                    .owner
                    .clone()
                    .unwrap_or_else(|| self.crm.principal().name.clone()),
                source: deal.source.clone(),
                expected_close: deal.expected_close,
                status: DealStatus::Open,
                lost_reason: None,
                created_at,
                updated_at: now,
                closed_at: None,
                version: 1,
            };
            let id = store::insert(conn, &row)?;
            let by = &self.crm.principal().name;
            store::insert_history(conn, id, None, (stage.id, &stage.name), created_at, by)?;
            let d = store::get(conn, id)?;
            self.record_deal(conn, now, &d, AuditAction::Create, &created(&d))?;
            Ok(d)
        })
    }

    /// The deal with this id (`NOT_FOUND` if none).
    pub fn get(&self, id: i64) -> Result<Deal> {
        store::get(&self.crm.store().conn, id)
    }

    /// Deals matching the query, in its order and page. Filters name the fields of
    /// [`DEAL_FIELDS`](crate::model::deal::DEAL_FIELDS).
    pub fn find(&self, query: &Query) -> Result<Vec<Deal>> {
        store::find(&self.crm.store().conn, query, self.crm.time_zone())
    }

    /// How many deals match `filter`.
    pub fn count(&self, filter: &Filter) -> Result<i64> {
        store::count(&self.crm.store().conn, filter, self.crm.time_zone())
    }

    /// Reads deal `id`, lets `change` derive the new deal from it, and writes and audits the
    /// result — one transaction, so a read-modify-write cannot race another writer. A `change`
    /// that returns the deal unchanged writes nothing.
    fn modify(
        &self,
        id: i64,
        change: impl FnOnce(&rusqlite::Connection, &Deal, Timestamp) -> Result<Deal>,
    ) -> Result<Deal> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let before = store::get(conn, id)?;
            let mut after = change(conn, &before, now)?;
            if after == before {
                return Ok(before);
            }
            after.version = before.version + 1;
            after.updated_at = now.max(before.updated_at);
            store::update(conn, &before, &after)?;
            self.record_deal(
                conn,
                now,
                &after,
                AuditAction::Update,
                &updated(&before, &after),
            )?;
            Ok(after)
        })
    }

    /// Applies a partial update (name, amount, owner, source, expected close) and returns the
    /// stored deal; the version goes up by one when anything changed. With the patch's
    /// `expected_version` set, a deal changed meanwhile is refused with `CONFLICT`.
    pub fn update(&self, id: i64, patch: &DealPatch) -> Result<Deal> {
        self.modify(id, |_, before, _| patch.apply(before))
    }

    /// The time of an event on `deal`: `at` (default now), not after now and not before the deal's
    /// last stage change (`INVALID_INPUT` "out of order").
    fn event_time(
        conn: &rusqlite::Connection,
        deal: &Deal,
        at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<Timestamp> {
        let at = check_event_time("at", at.unwrap_or(now), now)?;
        let last = store::last_move_at(conn, deal.id)?
            .unwrap_or(deal.created_at)
            .max(deal.created_at);
        if at < last {
            return Err(Error::invalid(
                "at",
                at.to_string(),
                format!(
                    "is out of order: deal {} last changed stage at {last}",
                    deal.id
                ),
            ));
        }
        Ok(at)
    }

    /// Moves an open deal to `stage` of its pipeline at `at` (default now) and records the move.
    /// `INVALID_INPUT` for an unknown stage (the message lists the pipeline's stages) or an `at`
    /// before the deal's last move ("out of order") or after now; `ILLEGAL_TRANSITION` for a
    /// won or lost deal. Moving a deal to the stage it is in changes nothing.
    pub fn move_to(&self, id: i64, stage: &str, at: Option<Timestamp>) -> Result<Deal> {
        let by = self.crm.principal().name.clone();
        self.modify(id, |conn, before, now| {
            let p = store::pipeline_by_id(conn, before.pipeline_id)?;
            let to = p.require_stage(stage)?;
            before.status.check_stage_move(&to.name)?;
            if to.id == before.stage_id {
                return Ok(before.clone());
            }
            let at = Self::event_time(conn, before, at, now)?;
            store::insert_history(
                conn,
                before.id,
                Some((before.stage_id, &before.stage)),
                (to.id, &to.name),
                at,
                &by,
            )?;
            Ok(Deal {
                stage: to.name.clone(),
                stage_id: to.id,
                probability: to.probability,
                ..before.clone()
            })
        })
    }

    /// Closes an open deal as won at `at` (default now). `ILLEGAL_TRANSITION` unless it is open;
    /// `INVALID_INPUT` for an `at` before its last stage change or after now.
    pub fn win(&self, id: i64, at: Option<Timestamp>) -> Result<Deal> {
        self.modify(id, |conn, before, now| {
            before.status.check_transition(DealStatus::Won)?;
            let at = Self::event_time(conn, before, at, now)?;
            Ok(Deal {
                status: DealStatus::Won,
                closed_at: Some(at),
                ..before.clone()
            })
        })
    }

    /// Closes an open deal as lost for `reason` (required) at `at` (default now).
    pub fn lose(&self, id: i64, reason: &str, at: Option<Timestamp>) -> Result<Deal> {
        let reason = required_text("lost_reason", reason)?;
        self.modify(id, |conn, before, now| {
            before.status.check_transition(DealStatus::Lost)?;
            let at = Self::event_time(conn, before, at, now)?;
            Ok(Deal {
                status: DealStatus::Lost,
                closed_at: Some(at),
                lost_reason: Some(reason),
                ..before.clone()
            })
        })
    }

    /// Reopens a won or lost deal at `at` (default now; not before it closed, not after now): it is
    /// open again in the stage it closed in, without close time or lost reason.
    /// `ILLEGAL_TRANSITION` for an open deal.
    pub fn reopen(&self, id: i64, at: Option<Timestamp>) -> Result<Deal> {
        self.modify(id, |_, before, now| {
            before.status.check_transition(DealStatus::Open)?;
            let at = check_event_time("at", at.unwrap_or(now), now)?;
            if let Some(closed) = before.closed_at
                && at < closed
            {
                return Err(Error::invalid(
                    "at",
                    at.to_string(),
                    format!("is out of order: deal {} closed at {closed}", before.id),
                ));
            }
            Ok(Deal {
                status: DealStatus::Open,
                closed_at: None,
                lost_reason: None,
                ..before.clone()
            })
        })
    }

    /// The deal's stage changes, oldest first; the first is its entry into its starting stage.
    pub fn history(&self, id: i64) -> Result<Vec<StageChange>> {
        let conn = &self.crm.store().conn;
        store::get(conn, id)?;
        store::history(conn, id)
    }

    /// The time the deal spent in each stage, one entry per stay, up to `now` (default the
    /// handle's clock) for the stage it is in, or up to its close when won or lost.
    pub fn time_in_stages(&self, id: i64, now: Option<Timestamp>) -> Result<Vec<StageDuration>> {
        let conn = &self.crm.store().conn;
        let deal = store::get(conn, id)?;
        let history = store::history(conn, id)?;
        Ok(time_in_stages(
            &history,
            deal.closed_at,
            now.unwrap_or_else(|| self.crm.now()),
        ))
    }

    /// Deletes a deal and its stage history.
    pub fn delete(&self, id: i64) -> Result<()> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let before = store::get(conn, id)?;
            store::delete(conn, id)?;
            self.record_deal(conn, now, &before, AuditAction::Delete, &deleted(&before))
        })
    }

    // ---- pipeline views ----

    /// Open deals' value by stage, per currency: for every currency among the pipeline's open
    /// deals (by code), every stage in order — a stage with no open deal in that currency shows
    /// count 0. Weighted values use each stage's probability. Empty when nothing is open.
    pub fn value_by_stage(&self, pipeline: &str) -> Result<Vec<StageValue>> {
        let conn = &self.crm.store().conn;
        let p = store::pipeline_by_name(conn, pipeline)?;
        let sums = store::open_sums(conn, p.id, false)?;
        Ok(stage_values(&p, &sums))
    }

    /// Open deals by expected close month (`YYYY-MM`) and currency, weighted by stage
    /// probability; months ascend and deals without a date come last, in a `None` month.
    pub fn forecast(&self, pipeline: &str) -> Result<Vec<ForecastMonth>> {
        let conn = &self.crm.store().conn;
        let p = store::pipeline_by_name(conn, pipeline)?;
        let sums = store::open_sums(conn, p.id, true)?;
        Ok(forecast_months(&p, &sums))
    }

    /// Won, lost and open deals of the pipeline by owner or source, with the win rate
    /// (`won / (won + lost)`) and the mean creation-to-close time of won deals (µs). Ordered by
    /// key, deals without a source last.
    pub fn win_rates(&self, pipeline: &str, by: DealGroupBy) -> Result<Vec<WinRate>> {
        let conn = &self.crm.store().conn;
        let p = store::pipeline_by_name(conn, pipeline)?;
        store::win_rates(conn, p.id, by)
    }

    /// Conversion between consecutive stages: of the deals that ever entered a stage, how many
    /// later entered the next or any later stage, or were won. One entry per pair of stages.
    pub fn stage_conversion(&self, pipeline: &str) -> Result<Vec<StageConversion>> {
        let conn = &self.crm.store().conn;
        let p = store::pipeline_by_name(conn, pipeline)?;
        let paths = store::paths(conn, p.id)?;
        Ok(stage_conversion(&p.stages, &paths))
    }
}
