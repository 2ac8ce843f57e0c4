//! Sales pipelines and deals: ordered stages, win probabilities, open/won/lost.
//!
//! A pipeline is an ordered list of stages, each with a default win probability. A deal sits in
//! one stage of one pipeline and is open, won or lost; its status follows a small state machine
//! ([`DealStatus::check_transition`]) and its moves between stages form a history
//! ([`StageChange`]) from which [`time_in_stages`] and [`stage_conversion`] are computed.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::field::{FieldSpec, FieldType};
use super::money::{Currency, Money};
use super::text::{optional, required_text};
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// Longest pipeline name accepted, in characters.
pub const MAX_PIPELINE_NAME_LEN: usize = 200;
/// Longest stage name accepted, in characters.
pub const MAX_STAGE_NAME_LEN: usize = 100;

/// Trims `raw` and checks it is 1 to `max` characters without control characters.
fn bounded_name(field: &str, raw: &str, max: usize) -> Result<String> {
    let t = required_text(field, raw)?;
    if t.chars().count() > max {
        return Err(Error::invalid(
            field,
            raw,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(t)
}

/// Case-insensitive name equality (Unicode lower case), the rule for stage and pipeline names.
fn same_name(a: &str, b: &str) -> bool {
    a == b || a.to_lowercase() == b.to_lowercase()
}

/// Checks a win probability: a finite number from 0 to 1.
pub fn check_probability(p: f64) -> Result<f64> {
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(Error::invalid(
            "probability",
            p.to_string(),
            "must be a number from 0 to 1",
        ))
    }
}

/// A stage to add to a pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewStage {
    /// Name, unique within the pipeline ignoring case (1–100 characters).
    pub name: String,
    /// Default win probability of deals in this stage, from 0 to 1.
    pub probability: f64,
}

impl NewStage {
    /// A stage named `name` whose deals win with `probability`.
    pub fn new(name: impl Into<String>, probability: f64) -> NewStage {
        NewStage {
            name: name.into(),
            probability,
        }
    }

    /// Validates and normalises in place (trims the name).
    pub fn normalize(&mut self) -> Result<()> {
        self.name = bounded_name("stage", &self.name, MAX_STAGE_NAME_LEN)?;
        check_probability(self.probability)?;
        Ok(())
    }
}

/// A pipeline to create.
///
/// ```
/// use crm_core::NewPipeline;
/// let p = NewPipeline::new("Sales").stage("Lead", 0.1).stage("Proposal", 0.5);
/// assert_eq!(p.stages.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPipeline {
    /// Name, unique in the store ignoring case (1–200 characters).
    pub name: String,
    /// Stages in order (at least one).
    pub stages: Vec<NewStage>,
}

impl NewPipeline {
    /// A pipeline named `name`, with no stages yet.
    pub fn new(name: impl Into<String>) -> NewPipeline {
        NewPipeline {
            name: name.into(),
            stages: Vec::new(),
        }
    }

    /// Appends a stage.
    pub fn stage(mut self, name: impl Into<String>, probability: f64) -> Self {
        self.stages.push(NewStage::new(name, probability));
        self
    }

    /// Validates and normalises in place: a valid name, at least one stage, each stage valid and
    /// named once (ignoring case).
    pub fn normalize(&mut self) -> Result<()> {
        self.name = bounded_name("pipeline", &self.name, MAX_PIPELINE_NAME_LEN)?;
        if self.stages.is_empty() {
            return Err(Error::invalid(
                "stages",
                "",
                "a pipeline needs at least one stage",
            ));
        }
        for i in 0..self.stages.len() {
            self.stages[i].normalize()?;
            let name = &self.stages[i].name;
            if self.stages[..i].iter().any(|s| same_name(&s.name, name)) {
                return Err(Error::invalid(
                    "stage",
                    name.clone(),
                    "is named twice in the pipeline (names ignore case)",
                ));
            }
        }
        Ok(())
    }
}

/// A stage as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// The store's id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Place in the pipeline, from 0.
    pub position: usize,
    /// Default win probability of deals in this stage.
    pub probability: f64,
}

/// A pipeline as stored, with its stages in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pipeline {
    /// The store's id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Stages by position.
    pub stages: Vec<Stage>,
    /// When the pipeline was created.
    pub created_at: Timestamp,
}

impl Pipeline {
    /// The stage with this name (ignoring case and surrounding blanks).
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        let name = name.trim();
        self.stages.iter().find(|s| same_name(&s.name, name))
    }

    /// The stage with this name, or `INVALID_INPUT` listing the pipeline's stages.
    pub fn require_stage(&self, name: &str) -> Result<&Stage> {
        self.stage(name).ok_or_else(|| {
            Error::invalid(
                "stage",
                name,
                format!(
                    "pipeline {:?} has no such stage (stages: {})",
                    self.name,
                    self.stage_names().join(", ")
                ),
            )
        })
    }

    /// The stage with this id.
    pub fn stage_by_id(&self, id: i64) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// The stage names in order.
    pub fn stage_names(&self) -> Vec<&str> {
        self.stages.iter().map(|s| s.name.as_str()).collect()
    }

    /// The stages as the audit trail shows them: `[{"name", "probability"}, …]` in order.
    pub fn stages_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.stages
                .iter()
                .map(|s| serde_json::json!({ "name": s.name, "probability": s.probability }))
                .collect(),
        )
    }
}

/// Where a deal stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum DealStatus {
    /// In progress (the default); it moves between stages.
    #[default]
    Open,
    /// Closed and won.
    Won,
    /// Closed and lost.
    Lost,
}

vocabulary!(DealStatus, "status", [Open => "open", Won => "won", Lost => "lost"]);

impl DealStatus {
    /// Checks a status change: `open → won | lost` closes a deal, `won | lost → open` reopens it;
    /// anything else (including `won → lost` and staying put) is `ILLEGAL_TRANSITION`.
    pub fn check_transition(self, to: DealStatus) -> Result<()> {
        use DealStatus::*;
        match (self, to) {
            (Open, Won | Lost) | (Won | Lost, Open) => Ok(()),
            (from, to) => Err(Error::IllegalTransition {
                entity: "deal",
                from: from.as_str().into(),
                to: to.as_str().into(),
            }),
        }
    }

    /// Checks a move to stage `to_stage`: only open deals move (reopen a closed deal first).
    pub fn check_stage_move(self, to_stage: &str) -> Result<()> {
        match self {
            DealStatus::Open => Ok(()),
            closed => Err(Error::IllegalTransition {
                entity: "deal",
                from: closed.as_str().into(),
                to: format!("stage {to_stage:?}"),
            }),
        }
    }

    /// True for won and lost.
    pub fn is_closed(self) -> bool {
        self != DealStatus::Open
    }
}

/// A deal as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deal {
    /// The store's id.
    pub id: i64,
    /// Its pipeline's id.
    pub pipeline_id: i64,
    /// Its pipeline's name.
    pub pipeline: String,
    /// The customer the deal is with.
    pub customer_id: i64,
    /// Name, e.g. "Annual licence 2026".
    pub name: String,
    /// Value (≥ 0).
    pub amount: Money,
    /// The stage's name.
    pub stage: String,
    /// The stage's id.
    pub stage_id: i64,
    /// The stage's default win probability.
    pub probability: f64,
    /// Who works the deal.
    pub owner: String,
    /// Where it came from (free text, e.g. "referral").
    pub source: Option<String>,
    /// When it is expected to close.
    pub expected_close: Option<NaiveDate>,
    /// Open, won or lost.
    pub status: DealStatus,
    /// Why it was lost (set exactly when lost).
    pub lost_reason: Option<String>,
    /// When the deal was created (earlier for imported history).
    pub created_at: Timestamp,
    /// When the deal last changed.
    pub updated_at: Timestamp,
    /// When it was won or lost (`None` while open).
    pub closed_at: Option<Timestamp>,
    /// Starts at 1; every change adds 1. Pass it back as `expected_version` to update safely.
    pub version: i64,
}

/// Checks a time given for a deal event: within the supported range and not after `now`.
pub fn check_event_time(field: &str, at: Timestamp, now: Timestamp) -> Result<Timestamp> {
    if !at.is_supported() {
        return Err(Error::invalid(
            field,
            at.as_micros().to_string(),
            "must be between 0001-01-01 and 9999-12-31",
        ));
    }
    if at > now {
        return Err(Error::invalid(
            field,
            at.to_string(),
            format!("must not be after now ({now})"),
        ));
    }
    Ok(at)
}

fn check_close_date(d: NaiveDate) -> Result<NaiveDate> {
    // The store keeps the date as YYYY-MM-DD text, which has room for years 1 to 9999 only.
    if (1..=9999).contains(&d.year()) {
        Ok(d)
    } else {
        Err(Error::invalid(
            "expected_close",
            d.to_string(),
            "year must be from 1 to 9999",
        ))
    }
}

/// A deal to create.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::{Money, NewDeal};
/// let d = NewDeal::new("Sales", 7, "Annual licence", Money::new(120_000, "EUR").unwrap())
///     .stage("Proposal")
///     .source("referral")
///     .expected_close(NaiveDate::from_ymd_opt(2026, 9, 30).unwrap());
/// assert_eq!(d.stage.as_deref(), Some("Proposal"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDeal {
    /// The pipeline's name (must exist).
    pub pipeline: String,
    /// The customer (must exist).
    pub customer_id: i64,
    /// Name (required).
    pub name: String,
    /// Value (≥ 0).
    pub amount: Money,
    /// Starting stage; `None` means the pipeline's first stage.
    pub stage: Option<String>,
    /// Who works the deal; `None` means the handle's principal.
    pub owner: Option<String>,
    /// Where it came from (free text).
    pub source: Option<String>,
    /// When it is expected to close.
    pub expected_close: Option<NaiveDate>,
    /// Creation time to record (imported history, not after now); `None` means the handle's clock.
    pub created_at: Option<Timestamp>,
}

impl NewDeal {
    /// A deal named `name` worth `amount` with customer `customer_id` in pipeline `pipeline`.
    pub fn new(
        pipeline: impl Into<String>,
        customer_id: i64,
        name: impl Into<String>,
        amount: Money,
    ) -> NewDeal {
        NewDeal {
            pipeline: pipeline.into(),
            customer_id,
            name: name.into(),
            amount,
            stage: None,
            owner: None,
            source: None,
            expected_close: None,
            created_at: None,
        }
    }
    /// Sets the starting stage.
    pub fn stage(mut self, v: impl Into<String>) -> Self {
        self.stage = Some(v.into());
        self
    }
    /// Sets the owner.
    pub fn owner(mut self, v: impl Into<String>) -> Self {
        self.owner = Some(v.into());
        self
    }
    /// Sets the source.
    pub fn source(mut self, v: impl Into<String>) -> Self {
        self.source = Some(v.into());
        self
    }
    /// Sets the expected close date.
    pub fn expected_close(mut self, v: NaiveDate) -> Self {
        self.expected_close = Some(v);
        self
    }
    /// Sets the creation time (for imported deals).
    pub fn created_at(mut self, t: Timestamp) -> Self {
        self.created_at = Some(t);
        self
    }

    /// Validates and normalises in place; `now` bounds the creation time. Blank optional texts
    /// become `None`.
    pub fn normalize(&mut self, now: Timestamp) -> Result<()> {
        self.pipeline = required_text("pipeline", &self.pipeline)?;
        self.name = required_text("name", &self.name)?;
        self.amount.require_non_negative("amount")?;
        self.stage = optional(&self.stage, |t| required_text("stage", t))?;
        self.owner = optional(&self.owner, |t| required_text("owner", t))?;
        self.source = optional(&self.source, |t| required_text("source", t))?;
        if let Some(d) = self.expected_close {
            check_close_date(d)?;
        }
        if let Some(t) = self.created_at {
            check_event_time("created_at", t, now)?;
        }
        Ok(())
    }
}

/// A partial update of a deal's descriptive fields (stage and status change through their own
/// calls). Fields left `None` are not touched; `Some(None)` clears an optional one.
///
/// ```
/// use crm_core::{DealPatch, Money};
/// let p = DealPatch::default().amount(Money::new(5_000, "EUR").unwrap()).source(None).expect_version(2);
/// assert!(p.name.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DealPatch {
    /// New name.
    pub name: Option<String>,
    /// New value (≥ 0; may change the currency).
    pub amount: Option<Money>,
    /// New owner.
    pub owner: Option<String>,
    /// New source, or `Some(None)` to clear it.
    pub source: Option<Option<String>>,
    /// New expected close date, or `Some(None)` to clear it.
    pub expected_close: Option<Option<NaiveDate>>,
    /// When set, the update is refused with [`Error::Conflict`] unless the stored version matches.
    pub expected_version: Option<i64>,
}

impl DealPatch {
    /// Sets the name.
    pub fn name(mut self, v: impl Into<String>) -> Self {
        self.name = Some(v.into());
        self
    }
    /// Sets the value.
    pub fn amount(mut self, v: Money) -> Self {
        self.amount = Some(v);
        self
    }
    /// Sets the owner.
    pub fn owner(mut self, v: impl Into<String>) -> Self {
        self.owner = Some(v.into());
        self
    }
    /// Sets the source (`None` clears it).
    pub fn source(mut self, v: Option<&str>) -> Self {
        self.source = Some(v.map(str::to_owned));
        self
    }
    /// Sets the expected close date (`None` clears it).
    pub fn expected_close(mut self, v: Option<NaiveDate>) -> Self {
        self.expected_close = Some(v);
        self
    }
    /// Refuses the update unless the stored version is `v`.
    pub fn expect_version(mut self, v: i64) -> Self {
        self.expected_version = Some(v);
        self
    }

    /// True when the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.amount.is_none()
            && self.owner.is_none()
            && self.source.is_none()
            && self.expected_close.is_none()
    }

    /// Applies the patch to `current`, validating each new value; returns the changed deal
    /// (version and `updated_at` are the caller's to set).
    pub fn apply(&self, current: &Deal) -> Result<Deal> {
        if let Some(v) = self.expected_version
            && v != current.version
        {
            return Err(Error::Conflict {
                entity: "deal",
                id: current.id,
                expected: v,
                actual: current.version,
            });
        }
        let mut next = current.clone();
        if let Some(v) = &self.name {
            next.name = required_text("name", v)?;
        }
        if let Some(m) = self.amount {
            m.require_non_negative("amount")?;
            next.amount = m;
        }
        if let Some(v) = &self.owner {
            next.owner = required_text("owner", v)?;
        }
        if let Some(v) = &self.source {
            next.source = optional(v, |t| required_text("source", t))?;
        }
        if let Some(v) = self.expected_close {
            next.expected_close = v.map(check_close_date).transpose()?;
        }
        Ok(next)
    }
}

impl crate::model::audit::Audited for Deal {
    fn audit_values(&self) -> crate::model::audit::AuditValues {
        use serde_json::Value as Json;
        let opt = |v: &Option<String>| v.clone().map_or(Json::Null, Json::String);
        vec![
            ("pipeline", Json::from(self.pipeline.as_str()), false),
            ("customer_id", Json::from(self.customer_id), false),
            ("name", Json::from(self.name.as_str()), false),
            ("amount", Json::from(self.amount.minor), false),
            ("currency", Json::from(self.amount.currency.as_str()), false),
            ("stage", Json::from(self.stage.as_str()), false),
            ("owner", Json::from(self.owner.as_str()), false),
            ("source", opt(&self.source), false),
            (
                "expected_close",
                self.expected_close
                    .map_or(Json::Null, |d| Json::from(d.to_string())),
                false,
            ),
            ("status", Json::from(self.status.as_str()), false),
            ("lost_reason", opt(&self.lost_reason), false),
            ("created_at", Json::from(self.created_at.as_micros()), false),
            (
                "closed_at",
                self.closed_at
                    .map_or(Json::Null, |t| Json::from(t.as_micros())),
                false,
            ),
        ]
    }
}

/// One move of a deal between stages. The first entry of every deal has no `from_stage`: it
/// is the deal entering its starting stage when it was created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageChange {
    /// The deal.
    pub deal_id: i64,
    /// The stage it left (`None` for the creation entry).
    pub from_stage: Option<String>,
    /// The stage it entered.
    pub to_stage: String,
    /// When.
    pub at: Timestamp,
    /// Who moved it (the principal).
    pub by: String,
}

/// One stay of a deal in a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageDuration {
    /// The stage.
    pub stage: String,
    /// When the deal entered it.
    pub entered_at: Timestamp,
    /// When it left: the next move, or the close of a won/lost deal; `None` while still there.
    pub left_at: Option<Timestamp>,
    /// Microseconds spent there (up to `now` while still there; never negative).
    pub duration: i64,
}

/// The time a deal spent in each stage, one entry per stay, in order, from its stage history
/// (oldest first). The last stay ends at `closed_at` for a closed deal, else runs to `now`.
pub fn time_in_stages(
    history: &[StageChange],
    closed_at: Option<Timestamp>,
    now: Timestamp,
) -> Vec<StageDuration> {
    history
        .iter()
        .enumerate()
        .map(|(i, change)| {
            let left_at = history.get(i + 1).map(|next| next.at).or(closed_at);
            let end = left_at.unwrap_or(now);
            StageDuration {
                stage: change.to_stage.clone(),
                entered_at: change.at,
                left_at,
                duration: end.as_micros().saturating_sub(change.at.as_micros()).max(0),
            }
        })
        .collect()
}

/// Open deals' value in one stage and currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageValue {
    /// The stage.
    pub stage: String,
    /// Its place in the pipeline, from 0.
    pub position: usize,
    /// The currency (amounts of different currencies are never added).
    pub currency: Currency,
    /// Open deals in the stage in this currency.
    pub count: i64,
    /// Their total value, minor units.
    pub amount: i64,
    /// Their value weighted by the stage's win probability, minor units.
    pub weighted: f64,
}

/// Open deals expected to close in one month, in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastMonth {
    /// The month, `YYYY-MM`; `None` for deals without an expected close date.
    pub month: Option<String>,
    /// The currency.
    pub currency: Currency,
    /// Open deals.
    pub count: i64,
    /// Their total value, minor units.
    pub amount: i64,
    /// Their value weighted by each deal's stage probability, minor units.
    pub weighted: f64,
}

/// What [`win_rates`](crate::Deals::win_rates) groups deals by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealGroupBy {
    /// The deal's owner.
    Owner,
    /// The deal's source.
    Source,
}

vocabulary!(DealGroupBy, "group_by", [Owner => "owner", Source => "source"]);

/// Won, lost and open deals of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WinRate {
    /// The owner or source (`None`: deals without a source).
    pub key: Option<String>,
    /// Deals won.
    pub won: i64,
    /// Deals lost.
    pub lost: i64,
    /// Deals still open.
    pub open: i64,
    /// `won / (won + lost)`; `None` when none is closed.
    pub win_rate: Option<f64>,
    /// Mean microseconds from creation to close over won deals; `None` when none is won.
    pub average_cycle: Option<f64>,
}

/// How many deals move on from one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageConversion {
    /// The stage deals entered.
    pub from_stage: String,
    /// The next stage of the pipeline.
    pub to_stage: String,
    /// Deals that ever entered `from_stage`.
    pub entered: i64,
    /// Of those, deals that later entered `to_stage` or any later stage, or were won.
    pub advanced: i64,
    /// `advanced / entered`; `None` when no deal entered.
    pub rate: Option<f64>,
}

/// The path of one deal through a pipeline: the ids of the stages it entered, in order, and
/// whether it is won.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DealPath {
    /// Stage ids entered, oldest first (stages removed since are left out).
    pub stages: Vec<i64>,
    /// True when the deal is won.
    pub won: bool,
}

/// Conversion between consecutive stages of `stages` (in position order) over `paths`: of the
/// deals that ever entered stage *i*, how many afterwards entered stage *i + 1* or any later one,
/// or were won.
pub fn stage_conversion(stages: &[Stage], paths: &[DealPath]) -> Vec<StageConversion> {
    let position: HashMap<i64, usize> = stages.iter().map(|s| (s.id, s.position)).collect();
    stages
        .windows(2)
        .map(|pair| {
            let (from, to) = (&pair[0], &pair[1]);
            let mut entered = 0;
            let mut advanced = 0;
            for path in paths {
                let Some(first) = path.stages.iter().position(|id| *id == from.id) else {
                    continue;
                };
                entered += 1;
                let later = path.stages[first + 1..]
                    .iter()
                    .any(|id| position.get(id).is_some_and(|p| *p > from.position));
                if later || path.won {
                    advanced += 1;
                }
            }
            StageConversion {
                from_stage: from.name.clone(),
                to_stage: to.name.clone(),
                entered,
                advanced,
                rate: (entered > 0).then(|| advanced as f64 / entered as f64),
            }
        })
        .collect()
}

/// Open deals summed by stage, currency and (for the forecast) expected close month, as the
/// store groups them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDealSum {
    /// The stage's id.
    pub stage_id: i64,
    /// The expected close month `YYYY-MM` (unused by [`stage_values`]).
    pub month: Option<String>,
    /// The currency.
    pub currency: Currency,
    /// Number of deals.
    pub count: i64,
    /// Their total value, minor units.
    pub amount: i64,
}

/// The pipeline's open value by stage: every stage of `pipeline` (in order) for every currency
/// found in `sums` (by currency code), with count 0 where a stage has no deal in that currency.
pub fn stage_values(pipeline: &Pipeline, sums: &[OpenDealSum]) -> Vec<StageValue> {
    let mut by_key: BTreeMap<(Currency, i64), (i64, i64)> = BTreeMap::new();
    for s in sums {
        let e = by_key.entry((s.currency, s.stage_id)).or_default();
        e.0 += s.count;
        e.1 = e.1.saturating_add(s.amount);
    }
    let mut currencies: Vec<Currency> = by_key.keys().map(|(c, _)| *c).collect();
    currencies.dedup();
    let mut out = Vec::with_capacity(currencies.len() * pipeline.stages.len());
    for currency in currencies {
        for stage in &pipeline.stages {
            let (count, amount) = by_key
                .get(&(currency, stage.id))
                .copied()
                .unwrap_or_default();
            out.push(StageValue {
                stage: stage.name.clone(),
                position: stage.position,
                currency,
                count,
                amount,
                weighted: amount as f64 * stage.probability,
            });
        }
    }
    out
}

/// The forecast: open deals by expected close month and currency, weighted by each stage's
/// probability. Months ascend; the month-less bucket comes last.
pub fn forecast_months(pipeline: &Pipeline, sums: &[OpenDealSum]) -> Vec<ForecastMonth> {
    // `(month is none, month, currency)` sorts dated months first, in order.
    let mut buckets: BTreeMap<(bool, Option<String>, Currency), ForecastMonth> = BTreeMap::new();
    for s in sums {
        let p = pipeline
            .stage_by_id(s.stage_id)
            .map_or(0.0, |st| st.probability);
        let b = buckets
            .entry((s.month.is_none(), s.month.clone(), s.currency))
            .or_insert_with(|| ForecastMonth {
                month: s.month.clone(),
                currency: s.currency,
                count: 0,
                amount: 0,
                weighted: 0.0,
            });
        b.count += s.count;
        b.amount = b.amount.saturating_add(s.amount);
        b.weighted += s.amount as f64 * p;
    }
    buckets.into_values().collect()
}

/// The deal fields filters and sort orders may name.
pub const DEAL_FIELDS: &[FieldSpec] = &[
    FieldSpec::builtin("id", FieldType::Integer),
    FieldSpec::builtin("customer_id", FieldType::Integer),
    FieldSpec::builtin("name", FieldType::Text),
    FieldSpec::builtin("pipeline", FieldType::Text),
    FieldSpec::builtin("stage", FieldType::Text),
    FieldSpec::builtin("status", FieldType::Enum(DealStatus::NAMES)),
    FieldSpec::builtin("owner", FieldType::Text),
    FieldSpec::builtin("source", FieldType::Text),
    FieldSpec::builtin("amount", FieldType::Integer),
    FieldSpec::builtin("currency", FieldType::Text),
    FieldSpec::builtin("probability", FieldType::Real),
    FieldSpec::builtin("expected_close", FieldType::Date),
    FieldSpec::builtin("created_at", FieldType::Timestamp),
    FieldSpec::builtin("updated_at", FieldType::Timestamp),
    FieldSpec::builtin("closed_at", FieldType::Timestamp),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn t(us: i64) -> Timestamp {
        Timestamp::from_micros(us)
    }

    fn pipeline() -> Pipeline {
        let stages = [("Lead", 0.1), ("Qualified", 0.3), ("Proposal", 0.6)]
            .iter()
            .enumerate()
            .map(|(i, (n, p))| Stage {
                id: 10 + i as i64,
                name: (*n).into(),
                position: i,
                probability: *p,
            })
            .collect();
        Pipeline {
            id: 1,
            name: "Sales".into(),
            stages,
            created_at: t(0),
        }
    }

    #[test]
    fn status_machine() {
        use DealStatus::*;
        for (from, to) in [(Open, Won), (Open, Lost), (Won, Open), (Lost, Open)] {
            assert!(from.check_transition(to).is_ok(), "{from} → {to}");
        }
        for (from, to) in [(Won, Lost), (Lost, Won), (Open, Open), (Won, Won)] {
            let e = from.check_transition(to).unwrap_err();
            assert_eq!(e.code(), ErrorCode::IllegalTransition);
            assert_eq!(
                e.to_string(),
                format!("illegal deal transition from {from} to {to}")
            );
        }
        assert!(Open.check_stage_move("Lead").is_ok());
        let e = Lost.check_stage_move("Lead").unwrap_err();
        assert_eq!(
            e.to_string(),
            "illegal deal transition from lost to stage \"Lead\""
        );
        assert_eq!("WON".parse::<DealStatus>().unwrap(), Won);
        assert_eq!(
            "source".parse::<DealGroupBy>().unwrap(),
            DealGroupBy::Source
        );
    }

    #[test]
    fn pipeline_validation() {
        let mut ok = NewPipeline::new("  Sales ")
            .stage(" Lead ", 0.0)
            .stage("Won", 1.0);
        ok.normalize().unwrap();
        assert_eq!(ok.name, "Sales");
        assert_eq!(ok.stages[0].name, "Lead");

        let cases = [
            (NewPipeline::new("S"), "at least one stage"),
            (NewPipeline::new(" ").stage("a", 0.5), "must not be empty"),
            (
                NewPipeline::new("S").stage("Lead", 0.1).stage("lead", 0.2),
                "named twice",
            ),
            (NewPipeline::new("S").stage("Lead", 1.5), "from 0 to 1"),
            (NewPipeline::new("S").stage("Lead", f64::NAN), "from 0 to 1"),
            (NewPipeline::new("S").stage("", 0.5), "must not be empty"),
            (
                NewPipeline::new("S").stage("x".repeat(101), 0.5),
                "at most 100",
            ),
            (
                NewPipeline::new("p".repeat(201)).stage("a", 0.5),
                "at most 200",
            ),
        ];
        for (mut p, rule) in cases {
            let e = p.normalize().unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidInput, "{p:?}");
            assert!(e.to_string().contains(rule), "{e} should say {rule}");
        }
    }

    #[test]
    fn stage_lookup_lists_the_stages() {
        let p = pipeline();
        assert_eq!(p.stage(" proposal ").unwrap().id, 12);
        let e = p.require_stage("Closing").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(
            e.to_string().contains("stages: Lead, Qualified, Proposal"),
            "{e}"
        );
    }

    #[test]
    fn new_deal_rules() {
        let now = t(1_000);
        let eur = |m| Money::new(m, "EUR").unwrap();
        let mut d = NewDeal::new("Sales", 1, " Big one ", eur(5)).source("  ");
        d.normalize(now).unwrap();
        assert_eq!((d.name.as_str(), d.source.as_deref()), ("Big one", None));
        let e = NewDeal::new("Sales", 1, "x", eur(-1))
            .normalize(now)
            .unwrap_err();
        assert!(e.to_string().contains("must not be negative"), "{e}");
        assert!(
            NewDeal::new("Sales", 1, " ", eur(1))
                .normalize(now)
                .is_err()
        );
        let e = NewDeal::new("Sales", 1, "x", eur(1))
            .created_at(t(1_001))
            .normalize(now)
            .unwrap_err();
        assert!(e.to_string().contains("must not be after now"), "{e}");
    }

    #[test]
    fn patch_rules() {
        let deal = Deal {
            id: 3,
            pipeline_id: 1,
            pipeline: "Sales".into(),
            customer_id: 1,
            name: "A".into(),
            amount: Money::new(100, "EUR").unwrap(),
            stage: "Lead".into(),
            stage_id: 10,
            probability: 0.1,
            owner: "li".into(),
            source: Some("web".into()),
            expected_close: None,
            status: DealStatus::Open,
            lost_reason: None,
            created_at: t(0),
            updated_at: t(0),
            closed_at: None,
            version: 2,
        };
        let next = DealPatch::default()
            .name(" B ")
            .source(None)
            .expected_close(NaiveDate::from_ymd_opt(2026, 1, 31))
            .apply(&deal)
            .unwrap();
        assert_eq!(next.name, "B");
        assert_eq!(next.source, None);
        assert_eq!(next.expected_close.unwrap().to_string(), "2026-01-31");
        let e = DealPatch::default()
            .expect_version(1)
            .apply(&deal)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        let e = DealPatch::default()
            .amount(Money::new(-5, "EUR").unwrap())
            .apply(&deal)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
    }

    #[test]
    fn durations_per_stay() {
        let ch = |to: &str, at| StageChange {
            deal_id: 1,
            from_stage: None,
            to_stage: to.into(),
            at: t(at),
            by: "li".into(),
        };
        let h = [ch("Lead", 100), ch("Qualified", 250), ch("Lead", 300)];
        let open = time_in_stages(&h, None, t(1_000));
        let d: Vec<(&str, i64, Option<i64>)> = open
            .iter()
            .map(|s| {
                (
                    s.stage.as_str(),
                    s.duration,
                    s.left_at.map(Timestamp::as_micros),
                )
            })
            .collect();
        assert_eq!(
            d,
            [
                ("Lead", 150, Some(250)),
                ("Qualified", 50, Some(300)),
                ("Lead", 700, None)
            ]
        );
        let closed = time_in_stages(&h, Some(t(400)), t(1_000));
        assert_eq!(closed[2].duration, 100);
        assert_eq!(closed[2].left_at, Some(t(400)));
        assert!(time_in_stages(&[], None, t(5)).is_empty());
    }

    #[test]
    fn conversion_counts_skips_and_wins() {
        let p = pipeline();
        let path = |stages: &[i64], won| DealPath {
            stages: stages.to_vec(),
            won,
        };
        let paths = [
            path(&[10, 11, 12], false), // through every stage
            path(&[10, 12], false),     // skipping Qualified still advances from Lead
            path(&[10], true),          // won straight from Lead
            path(&[10], false),         // stuck
            path(&[11, 10], false),     // went back: not advanced from Qualified
        ];
        let c = stage_conversion(&p.stages, &paths);
        let got: Vec<(&str, i64, i64)> = c
            .iter()
            .map(|s| (s.from_stage.as_str(), s.entered, s.advanced))
            .collect();
        assert_eq!(got, [("Lead", 5, 3), ("Qualified", 2, 1)]);
        assert_eq!(c[0].rate, Some(0.6));
        assert_eq!(c[1].rate, Some(0.5));
        assert!(stage_conversion(&p.stages[..1], &paths).is_empty());
    }

    #[test]
    fn values_and_forecast_keep_currencies_apart() {
        let p = pipeline();
        let eur: Currency = "EUR".parse().unwrap();
        let usd: Currency = "USD".parse().unwrap();
        let sum = |stage_id, month: Option<&str>, currency, count, amount| OpenDealSum {
            stage_id,
            month: month.map(str::to_owned),
            currency,
            count,
            amount,
        };
        let sums = [
            sum(10, Some("2026-07"), eur, 2, 1_000),
            sum(12, Some("2026-07"), eur, 1, 500),
            sum(12, None, usd, 1, 2_000),
            sum(11, Some("2026-06"), usd, 1, 100),
        ];
        let v = stage_values(&p, &sums);
        assert_eq!(v.len(), 6, "3 stages × 2 currencies");
        assert_eq!(
            (v[0].currency, v[0].count, v[0].amount, v[0].weighted),
            (eur, 2, 1_000, 100.0)
        );
        assert_eq!(v[1].count, 0);
        assert_eq!((v[2].amount, v[2].weighted), (500, 300.0));
        assert_eq!(
            (v[5].currency, v[5].amount, v[5].weighted),
            (usd, 2_000, 1_200.0)
        );
        let f = forecast_months(&p, &sums);
        let got: Vec<(Option<&str>, &str, i64, i64, f64)> = f
            .iter()
            .map(|m| {
                (
                    m.month.as_deref(),
                    m.currency.as_str(),
                    m.count,
                    m.amount,
                    m.weighted,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (Some("2026-06"), "USD", 1, 100, 30.0),
                (Some("2026-07"), "EUR", 3, 1_500, 400.0),
                (None, "USD", 1, 2_000, 1_200.0),
            ]
        );
    }
}
