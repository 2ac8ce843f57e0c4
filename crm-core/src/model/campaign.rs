//! Marketing campaigns: lifecycle, audience, variants, tracking events.
//!
//! A campaign is planned in `draft`, `scheduled` for a start, `running` once its audience — a saved
//! segment — has been frozen into members, and finally `completed` (or `cancelled` before that).
//! When it starts, the members are split at random (seeded, so the split can be reproduced) into
//! variants in given proportions, one of which may be a control group that receives nothing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::field::{FieldSpec, FieldType};
use super::interaction::Channel;
use super::money::{Currency, Money};
use super::text::{optional, required_text};
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// Where a campaign is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Being planned: everything may change.
    Draft,
    /// Planned and waiting for its start.
    Scheduled,
    /// Started: the audience is frozen into members, events are tracked.
    Running,
    /// Finished; late events (e.g. conversions) are still tracked.
    Completed,
    /// Called off before it completed.
    Cancelled,
}

vocabulary!(CampaignStatus, "status", [Draft => "draft", Scheduled => "scheduled", Running => "running", Completed => "completed", Cancelled => "cancelled"]);

impl CampaignStatus {
    /// Refuses every transition but draft → scheduled → running → completed, and cancelling
    /// from draft, scheduled or running; the error names both states.
    pub fn check_transition(self, to: CampaignStatus) -> Result<()> {
        use CampaignStatus::*;
        let ok = matches!(
            (self, to),
            (Draft, Scheduled)
                | (Scheduled, Running)
                | (Running, Completed)
                | (Draft | Scheduled | Running, Cancelled)
        );
        if ok {
            Ok(())
        } else {
            Err(Error::IllegalTransition {
                entity: "campaign",
                from: self.as_str().into(),
                to: to.as_str().into(),
            })
        }
    }

    /// True while the plan (audience, variants, seed) may still change.
    pub fn is_editable(self) -> bool {
        matches!(self, CampaignStatus::Draft | CampaignStatus::Scheduled)
    }

    /// True once members exist and events may be tracked.
    pub fn is_tracking(self) -> bool {
        matches!(self, CampaignStatus::Running | CampaignStatus::Completed)
    }
}

/// A tracked step of a member's response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The message left.
    Sent,
    /// The message arrived.
    Delivered,
    /// The member opened it.
    Opened,
    /// The member clicked through.
    Clicked,
    /// The member did what the campaign asked (bought, signed up).
    Converted,
    /// The member opted out.
    Unsubscribed,
}

vocabulary!(EventKind, "event", [Sent => "sent", Delivered => "delivered", Opened => "opened", Clicked => "clicked", Converted => "converted", Unsubscribed => "unsubscribed"]);

impl EventKind {
    /// The event that must have been recorded before this one, if any: a message is delivered
    /// after it was sent, opened, clicked or unsubscribed from after it was delivered.
    /// Conversions need nothing before them: a control member converts without a message.
    pub fn requires(self) -> Option<EventKind> {
        match self {
            EventKind::Sent | EventKind::Converted => None,
            EventKind::Delivered => Some(EventKind::Sent),
            EventKind::Opened | EventKind::Clicked | EventKind::Unsubscribed => {
                Some(EventKind::Delivered)
            }
        }
    }

    /// True for events that mean a message reached the member, which a control member never
    /// gets.
    pub fn is_message(self) -> bool {
        !matches!(self, EventKind::Converted)
    }
}

/// One arm of a campaign's random split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// Name, unique within the campaign (`A`, `B`, `control` …).
    pub name: String,
    /// Share of the audience, in (0, 1]; the shares of a campaign add up to 1.
    pub share: f64,
    /// A control group: members receive nothing and serve as the baseline.
    pub control: bool,
}

impl Variant {
    /// A treatment arm with `share` of the audience.
    pub fn new(name: impl Into<String>, share: f64) -> Variant {
        Variant {
            name: name.into(),
            share,
            control: false,
        }
    }

    /// A control group with `share` of the audience.
    pub fn control(name: impl Into<String>, share: f64) -> Variant {
        Variant {
            name: name.into(),
            share,
            control: true,
        }
    }
}

/// Name of the single arm of a campaign planned without variants.
pub const DEFAULT_VARIANT: &str = "all";

/// Checks a campaign's variants: 1–26 arms with unique names, positive shares adding up to 1
/// (within 1e-9), at most one control group and at least one treatment arm. An empty list means
/// one arm, [`DEFAULT_VARIANT`], with everyone.
pub fn normalize_variants(variants: &[Variant]) -> Result<Vec<Variant>> {
    if variants.is_empty() {
        return Ok(vec![Variant::new(DEFAULT_VARIANT, 1.0)]);
    }
    if variants.len() > 26 {
        return Err(Error::invalid(
            "variants",
            variants.len().to_string(),
            "at most 26 variants",
        ));
    }
    let mut out: Vec<Variant> = Vec::with_capacity(variants.len());
    for v in variants {
        let name = required_text("variant name", &v.name)?;
        if name.chars().count() > 100 {
            return Err(Error::invalid(
                "variant name",
                &v.name,
                "must be at most 100 characters",
            ));
        }
        if out.iter().any(|o| o.name.eq_ignore_ascii_case(&name)) {
            return Err(Error::invalid(
                "variant name",
                &v.name,
                "must be unique within the campaign",
            ));
        }
        if !(v.share.is_finite() && v.share > 0.0 && v.share <= 1.0) {
            return Err(Error::invalid(
                format!("share of variant {name}"),
                v.share.to_string(),
                "must be in (0, 1]",
            ));
        }
        out.push(Variant {
            name,
            share: v.share,
            control: v.control,
        });
    }
    let total: f64 = out.iter().map(|v| v.share).sum();
    if (total - 1.0).abs() > 1e-9 {
        return Err(Error::invalid(
            "variants",
            format!("shares adding up to {total}"),
            "shares must add up to 1",
        ));
    }
    match out.iter().filter(|v| v.control).count() {
        0 | 1 => {}
        _ => {
            return Err(Error::invalid(
                "variants",
                "several control groups",
                "at most one variant may be the control group",
            ));
        }
    }
    if out.iter().all(|v| v.control) {
        return Err(Error::invalid(
            "variants",
            "only a control group",
            "at least one variant must receive the campaign",
        ));
    }
    Ok(out)
}

/// How many of `n` members each variant gets: the floor of `n × share`, then the remaining
/// members one each to the largest remainders (ties to the earlier variant), so the sizes add up
/// to `n` and are as close to the shares as whole members allow.
pub fn variant_sizes(n: usize, variants: &[Variant]) -> Vec<usize> {
    let exact: Vec<f64> = variants.iter().map(|v| v.share * n as f64).collect();
    let mut sizes: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let assigned: usize = sizes.iter().sum();
    let mut order: Vec<usize> = (0..variants.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(n.saturating_sub(assigned)) {
        sizes[i] += 1;
    }
    sizes
}

/// SplitMix64: a tiny, well-studied generator whose output is fixed by its definition, so a
/// seeded split is the same in every version of this library (a general-purpose RNG crate may
/// change its streams between releases).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` without modulo bias (Lemire's multiply-and-reject).
    fn below(&mut self, bound: u64) -> u64 {
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let m = u128::from(self.next()) * u128::from(bound);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

/// Assigns `members` (customer ids) to variants at random: a Fisher–Yates shuffle seeded with
/// `seed`, cut into runs of [`variant_sizes`]. Returns `(customer_id, variant index)` in the
/// order of `members`. The same members, variants and seed give the same split.
pub fn assign_variants(members: &[i64], variants: &[Variant], seed: u64) -> Vec<(i64, usize)> {
    let mut order: Vec<usize> = (0..members.len()).collect();
    let mut rng = SplitMix64(seed);
    for i in (1..order.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    let mut arm = vec![0usize; members.len()];
    let mut pos = 0;
    for (v, size) in variant_sizes(members.len(), variants)
        .into_iter()
        .enumerate()
    {
        for &m in &order[pos..pos + size] {
            arm[m] = v;
        }
        pos += size;
    }
    members.iter().copied().zip(arm).collect()
}

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    /// The store's id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// The channel it reaches members on.
    pub channel: Channel,
    /// What it is for, in words (e.g. `reactivation`).
    pub objective: Option<String>,
    /// Planned spend.
    pub budget: Option<Money>,
    /// Actual spend so far (for cost per conversion and ROI).
    pub cost: Option<Money>,
    /// The saved segment whose members become the audience at the start.
    pub segment: Option<String>,
    /// The random split, in order.
    pub variants: Vec<Variant>,
    /// Seed of the split.
    pub seed: u64,
    /// Planned start.
    pub starts_at: Option<Timestamp>,
    /// Planned end.
    pub ends_at: Option<Timestamp>,
    /// Where it is in its life.
    pub status: CampaignStatus,
    /// When it actually started (the audience was frozen).
    pub started_at: Option<Timestamp>,
    /// When it completed or was cancelled.
    pub ended_at: Option<Timestamp>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

impl Campaign {
    /// The currency of its money (budget, else cost), if it has any.
    pub fn currency(&self) -> Option<Currency> {
        self.budget.or(self.cost).map(|m| m.currency)
    }
}

impl crate::model::audit::Audited for Campaign {
    fn audit_values(&self) -> crate::model::audit::AuditValues {
        use serde_json::Value as Json;
        let opt = |v: &Option<String>| v.clone().map_or(Json::Null, Json::String);
        let money = |m: &Option<Money>| m.map_or(Json::Null, |m| Json::from(m.minor));
        vec![
            ("name", Json::from(self.name.as_str()), false),
            ("channel", Json::from(self.channel.as_str()), false),
            ("objective", opt(&self.objective), false),
            ("budget", money(&self.budget), false),
            ("cost", money(&self.cost), false),
            (
                "currency",
                self.currency()
                    .map_or(Json::Null, |c| Json::from(c.as_str())),
                false,
            ),
            ("segment", opt(&self.segment), false),
            (
                "variants",
                serde_json::to_value(&self.variants).unwrap_or(Json::Null),
                false,
            ),
            ("seed", Json::from(self.seed.to_string()), false),
            (
                "starts_at",
                self.starts_at.map_or(Json::Null, |t| t.as_micros().into()),
                false,
            ),
            (
                "ends_at",
                self.ends_at.map_or(Json::Null, |t| t.as_micros().into()),
                false,
            ),
            ("status", Json::from(self.status.as_str()), false),
        ]
    }
}

/// A campaign to plan (it starts in `draft`).
///
/// ```
/// use crm_core::{Channel, Money, NewCampaign, Variant};
/// let c = NewCampaign::new("Spring sale", Channel::Email)
///     .segment("lapsed customers")
///     .budget(Money::new(500_00, "EUR").unwrap())
///     .variants(vec![Variant::new("A", 0.45), Variant::new("B", 0.45), Variant::control("control", 0.10)])
///     .seed(42);
/// assert_eq!(c.variants.len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCampaign {
    /// Unique name (1–200 characters).
    pub name: String,
    /// Channel.
    pub channel: Channel,
    /// What it is for.
    pub objective: Option<String>,
    /// Planned spend (≥ 0).
    pub budget: Option<Money>,
    /// Actual spend (≥ 0, in the budget's currency).
    pub cost: Option<Money>,
    /// The audience: a saved segment's name.
    pub segment: Option<String>,
    /// The random split; empty means everyone gets the campaign.
    pub variants: Vec<Variant>,
    /// Seed of the split; `None` uses the campaign's id.
    pub seed: Option<u64>,
    /// Planned start.
    pub starts_at: Option<Timestamp>,
    /// Planned end (after the start).
    pub ends_at: Option<Timestamp>,
}

impl NewCampaign {
    /// A draft campaign on `channel`.
    pub fn new(name: impl Into<String>, channel: Channel) -> NewCampaign {
        NewCampaign {
            name: name.into(),
            channel,
            objective: None,
            budget: None,
            cost: None,
            segment: None,
            variants: Vec::new(),
            seed: None,
            starts_at: None,
            ends_at: None,
        }
    }
    /// Sets the objective.
    pub fn objective(mut self, v: impl Into<String>) -> Self {
        self.objective = Some(v.into());
        self
    }
    /// Sets the budget.
    pub fn budget(mut self, v: Money) -> Self {
        self.budget = Some(v);
        self
    }
    /// Sets the cost.
    pub fn cost(mut self, v: Money) -> Self {
        self.cost = Some(v);
        self
    }
    /// Sets the audience segment.
    pub fn segment(mut self, v: impl Into<String>) -> Self {
        self.segment = Some(v.into());
        self
    }
    /// Sets the variants.
    pub fn variants(mut self, v: Vec<Variant>) -> Self {
        self.variants = v;
        self
    }
    /// Sets the seed of the split.
    pub fn seed(mut self, v: u64) -> Self {
        self.seed = Some(v);
        self
    }
    /// Sets the planned start and end.
    pub fn window(mut self, starts_at: Timestamp, ends_at: Option<Timestamp>) -> Self {
        self.starts_at = Some(starts_at);
        self.ends_at = ends_at;
        self
    }

    /// Validates and normalises in place.
    pub fn normalize(&mut self) -> Result<()> {
        self.name = normalize_campaign_name(&self.name)?;
        self.objective = optional(&self.objective, |t| required_text("objective", t))?;
        self.segment = optional(&self.segment, |t| required_text("segment", t))?;
        check_money(self.budget, self.cost)?;
        self.variants = normalize_variants(&self.variants)?;
        check_window(self.starts_at, self.ends_at)
    }
}

/// Changes to a campaign; `None` leaves a field as it is, `Some(None)` clears it. The audience,
/// variants and seed may change only before the campaign starts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignPatch {
    /// New name.
    pub name: Option<String>,
    /// New objective.
    pub objective: Option<Option<String>>,
    /// New budget.
    pub budget: Option<Option<Money>>,
    /// New cost (the usual update while running: spend so far).
    pub cost: Option<Option<Money>>,
    /// New audience segment.
    pub segment: Option<Option<String>>,
    /// New variants (empty: everyone).
    pub variants: Option<Vec<Variant>>,
    /// New seed.
    pub seed: Option<u64>,
    /// New planned start.
    pub starts_at: Option<Option<Timestamp>>,
    /// New planned end.
    pub ends_at: Option<Option<Timestamp>>,
}

impl CampaignPatch {
    /// True when the patch changes the plan of the split.
    pub fn touches_plan(&self) -> bool {
        self.segment.is_some() || self.variants.is_some() || self.seed.is_some()
    }

    /// `campaign` with the patch applied and checked.
    pub fn apply(&self, campaign: &Campaign) -> Result<Campaign> {
        if self.touches_plan() && !campaign.status.is_editable() {
            return Err(Error::invalid(
                "campaign",
                &campaign.name,
                format!(
                    "its audience, variants and seed are fixed once it is {}",
                    campaign.status
                ),
            ));
        }
        let mut c = campaign.clone();
        if let Some(n) = &self.name {
            c.name = normalize_campaign_name(n)?;
        }
        if let Some(o) = &self.objective {
            c.objective = optional(o, |t| required_text("objective", t))?;
        }
        if let Some(b) = self.budget {
            c.budget = b;
        }
        if let Some(k) = self.cost {
            c.cost = k;
        }
        if let Some(s) = &self.segment {
            c.segment = optional(s, |t| required_text("segment", t))?;
        }
        if let Some(v) = &self.variants {
            c.variants = normalize_variants(v)?;
        }
        if let Some(s) = self.seed {
            c.seed = s;
        }
        if let Some(t) = self.starts_at {
            c.starts_at = t;
        }
        if let Some(t) = self.ends_at {
            c.ends_at = t;
        }
        check_money(c.budget, c.cost)?;
        check_window(c.starts_at, c.ends_at)?;
        Ok(c)
    }
}

/// Checks a campaign name: 1–200 characters; returns it trimmed.
pub fn normalize_campaign_name(name: &str) -> Result<String> {
    let t = required_text("campaign name", name)?;
    if t.chars().count() > 200 {
        return Err(Error::invalid(
            "campaign name",
            name,
            "must be at most 200 characters",
        ));
    }
    Ok(t)
}

fn check_money(budget: Option<Money>, cost: Option<Money>) -> Result<()> {
    if let Some(b) = budget {
        b.require_non_negative("budget")?;
    }
    if let Some(c) = cost {
        c.require_non_negative("cost")?;
    }
    if let (Some(b), Some(c)) = (budget, cost)
        && b.currency != c.currency
    {
        return Err(Error::invalid(
            "cost",
            format!("{} {}", c.minor, c.currency),
            format!("must be in the budget's currency {}", b.currency),
        ));
    }
    Ok(())
}

fn check_window(starts_at: Option<Timestamp>, ends_at: Option<Timestamp>) -> Result<()> {
    for (field, t) in [("starts_at", starts_at), ("ends_at", ends_at)] {
        if let Some(t) = t
            && !t.is_supported()
        {
            return Err(Error::invalid(
                field,
                t.as_micros().to_string(),
                "must be between 0001-01-01 and 9999-12-31",
            ));
        }
    }
    if let (Some(s), Some(e)) = (starts_at, ends_at)
        && e <= s
    {
        return Err(Error::invalid(
            "ends_at",
            e.to_string(),
            format!("must be after starts_at {s}"),
        ));
    }
    Ok(())
}

/// A customer frozen into a running campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignMember {
    /// The campaign.
    pub campaign_id: i64,
    /// The customer.
    pub customer_id: i64,
    /// The variant they were assigned to.
    pub variant: String,
    /// True in the control group.
    pub control: bool,
    /// When they were assigned (the campaign's start).
    pub assigned_at: Timestamp,
}

/// A tracking event to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCampaignEvent {
    /// The member.
    pub customer_id: i64,
    /// What happened.
    pub kind: EventKind,
    /// When; `None` means the handle's clock.
    pub at: Option<Timestamp>,
}

impl NewCampaignEvent {
    /// `kind` for `customer_id`, now.
    pub fn new(customer_id: i64, kind: EventKind) -> NewCampaignEvent {
        NewCampaignEvent {
            customer_id,
            kind,
            at: None,
        }
    }
    /// Sets when it happened.
    pub fn at(mut self, t: Timestamp) -> Self {
        self.at = Some(t);
        self
    }
}

/// A recorded tracking event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignEvent {
    /// The store's id.
    pub id: i64,
    /// The campaign.
    pub campaign_id: i64,
    /// The member.
    pub customer_id: i64,
    /// What happened.
    pub kind: EventKind,
    /// When it happened.
    pub at: Timestamp,
}

/// Why a tracking event was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventRejection {
    /// The customer is not a member of the campaign.
    NotMember,
    /// A message event for a control-group member, who receives nothing.
    ControlGroup,
    /// Its prerequisite (e.g. `delivered` before `opened`) was not recorded, or comes later.
    OutOfOrder,
    /// Before the campaign started, or a time outside years 1–9999.
    BadTime,
    /// The campaign is not running or completed.
    NotTracking,
}

vocabulary!(EventRejection, "rejection", [NotMember => "not_member", ControlGroup => "control_group", OutOfOrder => "out_of_order", BadTime => "bad_time", NotTracking => "not_tracking"]);

/// An event that was not recorded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedEvent {
    /// Its position in the batch (zero-based).
    pub index: usize,
    /// The event.
    pub event: NewCampaignEvent,
    /// Why.
    pub reason: EventRejection,
    /// The reason in words.
    pub message: String,
}

impl RejectedEvent {
    /// The rejection as an error (for one-by-one recording): `INVALID_INPUT` naming the reason.
    pub fn into_error(self) -> Error {
        Error::invalid(
            format!("{} event", self.event.kind),
            format!("customer {}", self.event.customer_id),
            self.message,
        )
    }
}

/// What a batch of tracking events did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventReport {
    /// How many were recorded.
    pub recorded: usize,
    /// The ones that were not, in batch order.
    pub rejected: Vec<RejectedEvent>,
}

/// The campaign fields filters and sort orders may name.
pub const CAMPAIGN_FIELDS: &[FieldSpec] = &[
    FieldSpec::builtin("id", FieldType::Integer),
    FieldSpec::builtin("name", FieldType::Text),
    FieldSpec::builtin("channel", FieldType::Enum(Channel::NAMES)),
    FieldSpec::builtin("objective", FieldType::Text),
    FieldSpec::builtin("status", FieldType::Enum(CampaignStatus::NAMES)),
    FieldSpec::builtin("segment", FieldType::Text),
    FieldSpec::builtin("starts_at", FieldType::Timestamp),
    FieldSpec::builtin("ends_at", FieldType::Timestamp),
    FieldSpec::builtin("started_at", FieldType::Timestamp),
    FieldSpec::builtin("created_at", FieldType::Timestamp),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        use CampaignStatus::*;
        assert!(Draft.check_transition(Scheduled).is_ok());
        assert!(Scheduled.check_transition(Running).is_ok());
        assert!(Running.check_transition(Completed).is_ok());
        assert!(Running.check_transition(Cancelled).is_ok());
        let e = Draft.check_transition(Running).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::IllegalTransition);
        assert_eq!(
            e.to_string(),
            "illegal campaign transition from draft to running"
        );
        for (a, b) in [
            (Completed, Running),
            (Completed, Cancelled),
            (Cancelled, Draft),
            (Running, Running),
            (Scheduled, Draft),
        ] {
            assert!(a.check_transition(b).is_err(), "{a} -> {b}");
        }
    }

    #[test]
    fn variants_are_checked() {
        assert_eq!(normalize_variants(&[]).unwrap()[0].name, DEFAULT_VARIANT);
        let ok = normalize_variants(&[
            Variant::new(" A ", 0.45),
            Variant::new("B", 0.45),
            Variant::control("control", 0.1),
        ])
        .unwrap();
        assert_eq!(ok[0].name, "A");
        let bad = [
            vec![Variant::new("A", 0.5), Variant::new("B", 0.4)],
            vec![Variant::new("A", 0.5), Variant::new("a", 0.5)],
            vec![Variant::new("A", 1.5)],
            vec![Variant::new("A", f64::NAN)],
            vec![Variant::control("c", 1.0)],
            vec![
                Variant::control("c", 0.5),
                Variant::control("d", 0.25),
                Variant::new("A", 0.25),
            ],
        ];
        for b in bad {
            assert_eq!(
                normalize_variants(&b).unwrap_err().code(),
                crate::ErrorCode::InvalidInput,
                "{b:?}"
            );
        }
    }

    #[test]
    fn sizes_follow_the_shares_exactly() {
        let v = [
            Variant::new("A", 0.45),
            Variant::new("B", 0.45),
            Variant::control("c", 0.1),
        ];
        assert_eq!(variant_sizes(1000, &v), vec![450, 450, 100]);
        assert_eq!(variant_sizes(7, &v), vec![3, 3, 1]);
        assert_eq!(variant_sizes(0, &v), vec![0, 0, 0]);
        let thirds = [
            Variant::new("A", 1.0 / 3.0),
            Variant::new("B", 1.0 / 3.0),
            Variant::new("C", 1.0 / 3.0),
        ];
        assert_eq!(variant_sizes(10, &thirds), vec![4, 3, 3]);
    }

    #[test]
    fn the_split_is_seeded_and_random() {
        let members: Vec<i64> = (1..=1000).collect();
        let v = [Variant::new("A", 0.5), Variant::control("c", 0.5)];
        let a = assign_variants(&members, &v, 7);
        assert_eq!(a, assign_variants(&members, &v, 7), "same seed, same split");
        assert_ne!(
            a,
            assign_variants(&members, &v, 8),
            "another seed, another split"
        );
        assert_eq!(a.iter().filter(|(_, arm)| *arm == 0).count(), 500);
        // Not a block split: the first half of the ids lands in both arms.
        let first_half_in_a = a[..500].iter().filter(|(_, arm)| *arm == 0).count();
        assert!((200..300).contains(&first_half_in_a), "{first_half_in_a}");
    }

    #[test]
    fn splitmix_matches_its_published_stream() {
        // Reference values of SplitMix64 seeded with 1234567 (Vigna's splitmix64.c).
        let mut r = SplitMix64(1234567);
        assert_eq!(r.next(), 6457827717110365317);
        assert_eq!(r.next(), 3203168211198807973);
        assert_eq!(r.next(), 9817491932198370423);
    }

    #[test]
    fn money_and_window() {
        let mut c = NewCampaign::new("x", Channel::Email).budget(Money::new(-1, "EUR").unwrap());
        assert!(c.normalize().is_err());
        let mut c = NewCampaign::new("x", Channel::Email)
            .budget(Money::new(1, "EUR").unwrap())
            .cost(Money::new(1, "USD").unwrap());
        assert!(c.normalize().is_err());
        let mut c = NewCampaign::new("x", Channel::Email)
            .window(Timestamp::from_micros(10), Some(Timestamp::from_micros(5)));
        assert!(c.normalize().is_err());
        let mut c = NewCampaign::new("  ", Channel::Email);
        assert!(c.normalize().is_err());
    }
}
