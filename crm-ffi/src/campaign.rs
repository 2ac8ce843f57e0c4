//! Campaigns: the input structs (a campaign, its variants, a patch, evaluation options), the
//! campaign object and list, the lifecycle (schedule, start, complete, cancel), members, tracking
//! events one by one and in bulk (with a report of the refused ones), and the evaluation report
//! with its uplift statistics.
//!
//! Absent numbers come out as `CRM_TIME_NONE` (times) or NaN (rates, ratios), absent strings as
//! NULL; every rule (the lifecycle, which events are accepted, the statistics) is crm-core's.

use std::ffi::{CString, c_char, c_int};
use std::mem::offset_of;
use std::ptr;
use std::sync::OnceLock;

use crm_core::model::campaign_report::{DAY_MICROS, sample_size};
use crm_core::{
    Campaign, CampaignEvent, CampaignMember, CampaignPatch, CampaignReport, CampaignStatus,
    Channel, Error, EvaluationOptions, EventKind, EventRejection, EventReport, Money, NewCampaign,
    NewCampaignEvent, Result, Timestamp, Variant,
};

use crate::args::{
    Versioned, boxed, c_string, check_out, clear_out, init_versioned, null, opt_out_ptr, opt_ptr,
    opt_str, opt_string, out_ptr, read, req_str, slice, static_name, time_or_now, versioned,
    versioned_array,
};
use crate::customer::{crm_find_options, query};
use crate::db::crm_db;
use crate::error::{guard, guard_db, guard_value};
use crate::filter::crm_filter;

/// An `int64_t` time that is absent: a planned start or end not set, a campaign not started yet,
/// a deal still open. The same value as `CRM_TIME_NOW` (`INT64_MIN`); inputs where an absent time
/// means "none" rather than "now" say so, and accessors return it for an absent time.
pub const CRM_TIME_NONE: i64 = i64::MIN;

/// A time out: its microseconds, or `CRM_TIME_NONE`.
pub(crate) fn time_out(t: Option<Timestamp>) -> i64 {
    t.map_or(CRM_TIME_NONE, Timestamp::as_micros)
}

/// A time in where `CRM_TIME_NONE` means "none".
pub(crate) fn time_in(us: i64) -> Option<Timestamp> {
    time_or_now(us)
}

/// A number out: NaN when undefined.
pub(crate) fn nan(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::NAN)
}

/// An optional amount in: `minor` units of `currency`; a NULL currency with 0 is none, with any
/// other amount an error naming both fields.
///
/// # Safety
/// `currency` is NULL or NUL-terminated.
pub(crate) unsafe fn opt_money(
    minor: i64,
    currency: *const c_char,
    field: &str,
    currency_field: &str,
) -> Result<Option<Money>> {
    // SAFETY: forwarded contract.
    match unsafe { opt_str(currency, currency_field) }? {
        Some(c) => Ok(Some(Money::new(minor, c)?)),
        None if minor != 0 => Err(Error::InvalidArgument(format!(
            "{field} is {minor} but {currency_field} is NULL (set both, or neither for none)"
        ))),
        None => Ok(None),
    }
}

/// The static C string of a channel (`"email"` …), valid for the whole program.
fn channel_name(channel: Channel) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, Channel::NAMES, channel.as_str())
}

/// The static C string of a campaign status (`"draft"` …), valid for the whole program.
fn status_name(status: CampaignStatus) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, CampaignStatus::NAMES, status.as_str())
}

/// The static C string of an event kind (`"sent"` …), valid for the whole program.
fn kind_name(kind: EventKind) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, EventKind::NAMES, kind.as_str())
}

/// The static C string of a rejection reason (`"not_member"` …), valid for the whole program.
fn reason_name(reason: EventRejection) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, EventRejection::NAMES, reason.as_str())
}

/// The guard of an indexed accessor: `f` of item `i` of `items(o)`, or `fallback` for a NULL
/// object or an `i` out of range (or after a panic).
pub(crate) fn read_at<O, I, T: Copy>(
    name: &'static str,
    o: Option<&O>,
    items: impl FnOnce(&O) -> &[I],
    i: usize,
    fallback: T,
    f: impl FnOnce(&I) -> T,
) -> T {
    read(name, o, fallback, |o| items(o).get(i).map_or(fallback, f))
}

// ------------------------------------------------------------------------------------------------
// Input structs

/// One arm of a campaign's random split, for `crm_new_campaign.variants` and
/// `crm_campaign_patch.variants`. Initialise every element with `crm_variant_init` (or set
/// `struct_size` to `sizeof(crm_variant)`): `{sizeof(crm_variant), "A", 0.5, 0}`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_variant {
    /// Size of this struct as the caller knows it; set by `crm_variant_init`.
    pub struct_size: u32,
    /// Name, unique within the campaign ignoring case (`"A"`, `"control"`; required).
    pub name: *const c_char,
    /// Share of the audience, in (0, 1]; the shares of a campaign add up to 1.
    pub share: f64,
    /// Non-zero for the control group, whose members receive nothing (at most one).
    pub control: c_int,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `control`.
unsafe impl Versioned for crm_variant {
    const V1_SIZE: usize = offset_of!(crm_variant, control) + size_of::<c_int>();
    const INIT: &'static str = "crm_variant_init";
    const DEFAULTS: Self = crm_variant {
        struct_size: size_of::<crm_variant>() as u32,
        name: ptr::null(),
        share: 0.0,
        control: 0,
    };
}

/// Clears `variant` (no name, share 0, not control) and sets `struct_size`. Does nothing when
/// `variant` is NULL.
/// Pass the struct's size as your header declares it: `crm_variant_init(&v, sizeof v)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_variant_init(variant: *mut crm_variant, size: usize) {
    guard_value("crm_variant_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(variant, size) }
    })
}

/// Converts an array of C variants.
///
/// # Safety
/// `p` is NULL (with `len` 0) or `len` structs, each with valid pointers.
unsafe fn variants(p: *const crm_variant, len: usize, name: &str) -> Result<Vec<Variant>> {
    // SAFETY: forwarded contract.
    let items = unsafe { versioned_array(p, len, name) }?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            // SAFETY: the struct's pointer, per its contract.
            let vname = unsafe { req_str(v.name, &format!("{name}[{i}].name")) }?;
            Ok(Variant {
                name: vname.to_owned(),
                share: v.share,
                control: v.control != 0,
            })
        })
        .collect()
}

/// A campaign to plan (it starts in `draft`). Initialise with `crm_new_campaign_init`; `name` and
/// `channel` are required. Strings are NUL-terminated UTF-8, copied; NULL means absent. Money is
/// an amount in minor units with its ISO-4217 code; a NULL code with amount 0 means none.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_new_campaign {
    /// Size of this struct as the caller knows it; set by `crm_new_campaign_init`.
    pub struct_size: u32,
    /// Unique name (1–200 characters).
    pub name: *const c_char,
    /// Channel it reaches members on (`"email"`, `"sms"`, … as for interactions).
    pub channel: *const c_char,
    /// What it is for, in words.
    pub objective: *const c_char,
    /// Planned spend in minor units of `budget_currency` (must not be negative).
    pub budget: i64,
    /// Currency of `budget`; NULL (with `budget` 0): no budget.
    pub budget_currency: *const c_char,
    /// Actual spend so far in minor units of `cost_currency` (must not be negative).
    pub cost: i64,
    /// Currency of `cost` (the budget's, when both are set); NULL (with `cost` 0): no cost.
    pub cost_currency: *const c_char,
    /// The audience: a saved segment's name (needed to schedule and start).
    pub segment: *const c_char,
    /// The random split, `variants_len` structs initialised with `crm_variant_init`. None: one
    /// arm, `"all"`, with everyone.
    pub variants: *const crm_variant,
    /// Number of entries in `variants`.
    pub variants_len: usize,
    /// Non-zero to use `seed` for the split; 0 (the default): the campaign's id seeds it.
    pub has_seed: c_int,
    /// Seed of the split (the same members, variants and seed give the same split).
    pub seed: u64,
    /// Planned start, microseconds since the epoch (UTC); `CRM_TIME_NONE` (the default): none.
    pub starts_at: i64,
    /// Planned end (after the start); `CRM_TIME_NONE` (the default): none.
    pub ends_at: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `ends_at`.
unsafe impl Versioned for crm_new_campaign {
    const V1_SIZE: usize = offset_of!(crm_new_campaign, ends_at) + size_of::<i64>();
    const INIT: &'static str = "crm_new_campaign_init";
    const DEFAULTS: Self = crm_new_campaign {
        struct_size: size_of::<crm_new_campaign>() as u32,
        name: ptr::null(),
        channel: ptr::null(),
        objective: ptr::null(),
        budget: 0,
        budget_currency: ptr::null(),
        cost: 0,
        cost_currency: ptr::null(),
        segment: ptr::null(),
        variants: ptr::null(),
        variants_len: 0,
        has_seed: 0,
        seed: 0,
        starts_at: CRM_TIME_NONE,
        ends_at: CRM_TIME_NONE,
    };
}

/// Clears `campaign` (every field absent, no variants, no seed, no dates) and sets
/// `struct_size`. Does nothing when `campaign` is NULL.
/// Pass the struct's size as your header declares it: `crm_new_campaign_init(&c, sizeof c)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_new_campaign_init(campaign: *mut crm_new_campaign, size: usize) {
    guard_value("crm_new_campaign_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(campaign, size) }
    })
}

/// Converts the C struct; validation is crm-core's.
///
/// # Safety
/// The pointers in `c` are NULL or valid as documented on [`crm_new_campaign`].
unsafe fn new_campaign(c: &crm_new_campaign) -> Result<NewCampaign> {
    // SAFETY (all): the caller's contract on the fields.
    let name = unsafe { req_str(c.name, "campaign->name") }?;
    let channel: Channel = unsafe { req_str(c.channel, "campaign->channel") }?.parse()?;
    let mut n = NewCampaign::new(name, channel);
    n.objective = unsafe { opt_string(c.objective, "campaign->objective") }?;
    n.budget = unsafe {
        opt_money(
            c.budget,
            c.budget_currency,
            "campaign->budget",
            "campaign->budget_currency",
        )
    }?;
    n.cost = unsafe {
        opt_money(
            c.cost,
            c.cost_currency,
            "campaign->cost",
            "campaign->cost_currency",
        )
    }?;
    n.segment = unsafe { opt_string(c.segment, "campaign->segment") }?;
    n.variants = unsafe { variants(c.variants, c.variants_len, "campaign->variants") }?;
    n.seed = (c.has_seed != 0).then_some(c.seed);
    n.starts_at = time_in(c.starts_at);
    n.ends_at = time_in(c.ends_at);
    Ok(n)
}

/// `crm_campaign_patch.set`: change `name`.
pub const CRM_CAMPAIGN_SET_NAME: u32 = 1;
/// `crm_campaign_patch.set`: change `objective`.
pub const CRM_CAMPAIGN_SET_OBJECTIVE: u32 = 2;
/// `crm_campaign_patch.set`: change `budget` and `budget_currency`.
pub const CRM_CAMPAIGN_SET_BUDGET: u32 = 4;
/// `crm_campaign_patch.set`: change `cost` and `cost_currency`.
pub const CRM_CAMPAIGN_SET_COST: u32 = 8;
/// `crm_campaign_patch.set`: change `segment`.
pub const CRM_CAMPAIGN_SET_SEGMENT: u32 = 16;
/// `crm_campaign_patch.set`: change `variants`.
pub const CRM_CAMPAIGN_SET_VARIANTS: u32 = 32;
/// `crm_campaign_patch.set`: change `seed`.
pub const CRM_CAMPAIGN_SET_SEED: u32 = 64;
/// `crm_campaign_patch.set`: change `starts_at`.
pub const CRM_CAMPAIGN_SET_STARTS_AT: u32 = 128;
/// `crm_campaign_patch.set`: change `ends_at`.
pub const CRM_CAMPAIGN_SET_ENDS_AT: u32 = 256;

/// Every `CRM_CAMPAIGN_SET_*` bit this version knows.
const CAMPAIGN_SET_KNOWN: u32 = 511;

/// Changes to a campaign. Initialise with `crm_campaign_patch_init`, set the fields to change and
/// their `CRM_CAMPAIGN_SET_*` bits in `set`; fields whose bit is clear are not read. Name,
/// objective, budget, cost and dates may change until the campaign ends; the audience, variants
/// and seed only before it starts. Pass it to `crm_campaign_update`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_campaign_patch {
    /// Size of this struct as the caller knows it; set by `crm_campaign_patch_init`.
    pub struct_size: u32,
    /// Which fields to change: `CRM_CAMPAIGN_SET_*` bits, or-ed together.
    pub set: u32,
    /// New name (`CRM_CAMPAIGN_SET_NAME`; cannot be NULL).
    pub name: *const c_char,
    /// New objective (`CRM_CAMPAIGN_SET_OBJECTIVE`); NULL removes it.
    pub objective: *const c_char,
    /// New budget (`CRM_CAMPAIGN_SET_BUDGET`), minor units of `budget_currency`.
    pub budget: i64,
    /// Its currency; NULL with `budget` 0 removes the budget.
    pub budget_currency: *const c_char,
    /// New cost (`CRM_CAMPAIGN_SET_COST`), minor units of `cost_currency`.
    pub cost: i64,
    /// Its currency; NULL with `cost` 0 removes the cost.
    pub cost_currency: *const c_char,
    /// New audience segment (`CRM_CAMPAIGN_SET_SEGMENT`); NULL removes it.
    pub segment: *const c_char,
    /// New variants (`CRM_CAMPAIGN_SET_VARIANTS`), `variants_len` structs; none: everyone.
    pub variants: *const crm_variant,
    /// Number of entries in `variants`.
    pub variants_len: usize,
    /// New seed (`CRM_CAMPAIGN_SET_SEED`).
    pub seed: u64,
    /// New planned start (`CRM_CAMPAIGN_SET_STARTS_AT`); `CRM_TIME_NONE` removes it.
    pub starts_at: i64,
    /// New planned end (`CRM_CAMPAIGN_SET_ENDS_AT`); `CRM_TIME_NONE` removes it.
    pub ends_at: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `ends_at`.
unsafe impl Versioned for crm_campaign_patch {
    const V1_SIZE: usize = offset_of!(crm_campaign_patch, ends_at) + size_of::<i64>();
    const INIT: &'static str = "crm_campaign_patch_init";
    const DEFAULTS: Self = crm_campaign_patch {
        struct_size: size_of::<crm_campaign_patch>() as u32,
        set: 0,
        name: ptr::null(),
        objective: ptr::null(),
        budget: 0,
        budget_currency: ptr::null(),
        cost: 0,
        cost_currency: ptr::null(),
        segment: ptr::null(),
        variants: ptr::null(),
        variants_len: 0,
        seed: 0,
        starts_at: CRM_TIME_NONE,
        ends_at: CRM_TIME_NONE,
    };
}

/// Clears `patch` (no field set) and sets `struct_size`. Does nothing when `patch` is NULL.
/// Pass the struct's size as your header declares it: `crm_campaign_patch_init(&p, sizeof p)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_patch_init(patch: *mut crm_campaign_patch, size: usize) {
    guard_value("crm_campaign_patch_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(patch, size) }
    })
}

/// Converts the C patch; validation is crm-core's.
///
/// # Safety
/// The pointers in `u` whose bit is set are NULL or valid as documented.
unsafe fn campaign_patch(u: &crm_campaign_patch) -> Result<CampaignPatch> {
    let unknown = u.set & !CAMPAIGN_SET_KNOWN;
    if unknown != 0 {
        return Err(Error::InvalidArgument(format!(
            "patch->set has unknown bits {unknown:#x} (known: CRM_CAMPAIGN_SET_* up to \
             CRM_CAMPAIGN_SET_ENDS_AT)"
        )));
    }
    let has = |bit: u32| u.set & bit != 0;
    let mut p = CampaignPatch::default();
    // SAFETY (all): the caller's contract on the fields.
    if has(CRM_CAMPAIGN_SET_NAME) {
        p.name = Some(unsafe { req_str(u.name, "patch->name") }?.to_owned());
    }
    if has(CRM_CAMPAIGN_SET_OBJECTIVE) {
        p.objective = Some(unsafe { opt_string(u.objective, "patch->objective") }?);
    }
    if has(CRM_CAMPAIGN_SET_BUDGET) {
        p.budget = Some(unsafe {
            opt_money(
                u.budget,
                u.budget_currency,
                "patch->budget",
                "patch->budget_currency",
            )
        }?);
    }
    if has(CRM_CAMPAIGN_SET_COST) {
        p.cost = Some(unsafe {
            opt_money(
                u.cost,
                u.cost_currency,
                "patch->cost",
                "patch->cost_currency",
            )
        }?);
    }
    if has(CRM_CAMPAIGN_SET_SEGMENT) {
        p.segment = Some(unsafe { opt_string(u.segment, "patch->segment") }?);
    }
    if has(CRM_CAMPAIGN_SET_VARIANTS) {
        p.variants = Some(unsafe { variants(u.variants, u.variants_len, "patch->variants") }?);
    }
    if has(CRM_CAMPAIGN_SET_SEED) {
        p.seed = Some(u.seed);
    }
    if has(CRM_CAMPAIGN_SET_STARTS_AT) {
        p.starts_at = Some(time_in(u.starts_at));
    }
    if has(CRM_CAMPAIGN_SET_ENDS_AT) {
        p.ends_at = Some(time_in(u.ends_at));
    }
    Ok(p)
}

// ------------------------------------------------------------------------------------------------
// The campaign object

/// A campaign as stored. Returned by `crm_campaign_get`, `crm_campaign_get_by_name` and the
/// lifecycle calls (free it with `crm_campaign_free`), or borrowed from a `crm_campaign_list`. It
/// is a copy: it stays valid after the handle is closed and does not change when the store does.
/// Its strings are valid until it is freed.
#[derive(Debug)]
pub struct crm_campaign {
    c: Campaign,
    name: CString,
    objective: Option<CString>,
    budget_currency: Option<CString>,
    cost_currency: Option<CString>,
    segment: Option<CString>,
    variant_names: Vec<CString>,
}

impl crm_campaign {
    fn new(c: Campaign) -> Result<crm_campaign> {
        let id = c.id;
        let text = |s: &str, field: &str| c_string(s, || format!("campaign {id} {field}"));
        let opt = |s: Option<&str>, field: &str| s.map(|s| text(s, field)).transpose();
        Ok(crm_campaign {
            name: text(&c.name, "name")?,
            objective: opt(c.objective.as_deref(), "objective")?,
            budget_currency: opt(c.budget.as_ref().map(|m| m.currency.as_str()), "currency")?,
            cost_currency: opt(c.cost.as_ref().map(|m| m.currency.as_str()), "currency")?,
            segment: opt(c.segment.as_deref(), "segment")?,
            variant_names: c
                .variants
                .iter()
                .map(|v| text(&v.name, "variant name"))
                .collect::<Result<_>>()?,
            c,
        })
    }
}

/// Stores a campaign in an optional out-parameter.
fn put_campaign(out: Option<&mut *mut crm_campaign>, c: Campaign) -> Result<()> {
    if let Some(out) = out {
        *out = boxed(crm_campaign::new(c)?);
    }
    Ok(())
}

/// The campaign's id; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_id(campaign: *const crm_campaign) -> i64 {
    // SAFETY: NULL or a live campaign.
    read("crm_campaign_id", unsafe { campaign.as_ref() }, 0, |c| {
        c.c.id
    })
}

/// The name; NULL for NULL. Valid until the campaign is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_name(campaign: *const crm_campaign) -> *const c_char {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_name",
        unsafe { campaign.as_ref() },
        ptr::null(),
        |c| c.name.as_ptr(),
    )
}

/// The channel (`"email"` …), a static string; NULL for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_channel(campaign: *const crm_campaign) -> *const c_char {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_channel",
        unsafe { campaign.as_ref() },
        ptr::null(),
        |c| channel_name(c.c.channel),
    )
}

/// The objective, or NULL when it has none. Valid until the campaign is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_objective(campaign: *const crm_campaign) -> *const c_char {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_objective",
        unsafe { campaign.as_ref() },
        ptr::null(),
        |c| opt_ptr(&c.objective),
    )
}

/// The budget in minor units of `crm_campaign_budget_currency`; 0 when it has none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_budget(campaign: *const crm_campaign) -> i64 {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_budget",
        unsafe { campaign.as_ref() },
        0,
        |c| c.c.budget.map_or(0, |m| m.minor),
    )
}

/// The budget's currency, or NULL when the campaign has no budget. Valid until it is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_budget_currency(
    campaign: *const crm_campaign,
) -> *const c_char {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_budget_currency",
        unsafe { campaign.as_ref() },
        ptr::null(),
        |c| opt_ptr(&c.budget_currency),
    )
}

/// The cost so far in minor units of `crm_campaign_cost_currency`; 0 when it has none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_cost(campaign: *const crm_campaign) -> i64 {
    // SAFETY: NULL or a live campaign.
    read("crm_campaign_cost", unsafe { campaign.as_ref() }, 0, |c| {
        c.c.cost.map_or(0, |m| m.minor)
    })
}

/// The cost's currency, or NULL when the campaign has no cost. Valid until it is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_cost_currency(
    campaign: *const crm_campaign,
) -> *const c_char {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_cost_currency",
        unsafe { campaign.as_ref() },
        ptr::null(),
        |c| opt_ptr(&c.cost_currency),
    )
}

/// The audience segment's name, or NULL when it has none. Valid until the campaign is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_segment(campaign: *const crm_campaign) -> *const c_char {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_segment",
        unsafe { campaign.as_ref() },
        ptr::null(),
        |c| opt_ptr(&c.segment),
    )
}

/// The number of variants (at least 1; a campaign planned without variants has one, `"all"`);
/// 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_variants_len(campaign: *const crm_campaign) -> usize {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_variants_len",
        unsafe { campaign.as_ref() },
        0,
        |c| c.c.variants.len(),
    )
}

/// The name of variant `i`, or NULL when `i` is out of range. Valid until the campaign is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_variant_name(
    campaign: *const crm_campaign,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_campaign_variant_name",
        // SAFETY: NULL or a live campaign.
        unsafe { campaign.as_ref() },
        |c| &c.variant_names,
        i,
        ptr::null(),
        |n| n.as_ptr(),
    )
}

/// The audience share of variant `i`; NaN when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_variant_share(
    campaign: *const crm_campaign,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_variant_share",
        // SAFETY: NULL or a live campaign.
        unsafe { campaign.as_ref() },
        |c| &c.c.variants,
        i,
        f64::NAN,
        |v| v.share,
    )
}

/// 1 when variant `i` is the control group, else 0 (also when `i` is out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_variant_control(
    campaign: *const crm_campaign,
    i: usize,
) -> c_int {
    read_at(
        "crm_campaign_variant_control",
        // SAFETY: NULL or a live campaign.
        unsafe { campaign.as_ref() },
        |c| &c.c.variants,
        i,
        0,
        |v| c_int::from(v.control),
    )
}

/// The seed of the split; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_seed(campaign: *const crm_campaign) -> u64 {
    // SAFETY: NULL or a live campaign.
    read("crm_campaign_seed", unsafe { campaign.as_ref() }, 0, |c| {
        c.c.seed
    })
}

/// The planned start (µs UTC), or `CRM_TIME_NONE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_starts_at(campaign: *const crm_campaign) -> i64 {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_starts_at",
        unsafe { campaign.as_ref() },
        CRM_TIME_NONE,
        |c| time_out(c.c.starts_at),
    )
}

/// The planned end (µs UTC), or `CRM_TIME_NONE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_ends_at(campaign: *const crm_campaign) -> i64 {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_ends_at",
        unsafe { campaign.as_ref() },
        CRM_TIME_NONE,
        |c| time_out(c.c.ends_at),
    )
}

/// The status (`"draft"`, `"scheduled"`, `"running"`, `"completed"`, `"cancelled"`), a static
/// string; NULL for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_status(campaign: *const crm_campaign) -> *const c_char {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_status",
        unsafe { campaign.as_ref() },
        ptr::null(),
        |c| status_name(c.c.status),
    )
}

/// When it started (its audience was frozen), or `CRM_TIME_NONE` before that.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_started_at(campaign: *const crm_campaign) -> i64 {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_started_at",
        unsafe { campaign.as_ref() },
        CRM_TIME_NONE,
        |c| time_out(c.c.started_at),
    )
}

/// When it completed or was cancelled, or `CRM_TIME_NONE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_ended_at(campaign: *const crm_campaign) -> i64 {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_ended_at",
        unsafe { campaign.as_ref() },
        CRM_TIME_NONE,
        |c| time_out(c.c.ended_at),
    )
}

/// When it was created (µs UTC); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_created_at(campaign: *const crm_campaign) -> i64 {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_created_at",
        unsafe { campaign.as_ref() },
        0,
        |c| c.c.created_at.as_micros(),
    )
}

/// When it last changed (µs UTC); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_updated_at(campaign: *const crm_campaign) -> i64 {
    // SAFETY: NULL or a live campaign.
    read(
        "crm_campaign_updated_at",
        unsafe { campaign.as_ref() },
        0,
        |c| c.c.updated_at.as_micros(),
    )
}

/// Frees a campaign. Does nothing when `campaign` is NULL; never pass one borrowed from a list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_free(campaign: *mut crm_campaign) {
    guard_value("crm_campaign_free", (), || {
        if !campaign.is_null() {
            // SAFETY: a campaign from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(campaign) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// Create, read, find, change, delete

/// Plans a campaign in `draft`. The id goes to `*out_id` when `out_id` is not NULL. Recorded in
/// the audit trail.
///
/// Errors: `CRM_ALREADY_EXISTS` (the name is taken), `CRM_NOT_FOUND` (no segment of that name),
/// `CRM_INVALID_INPUT` (a bad name or channel, a negative budget or cost, a cost in another
/// currency than the budget, a bad currency code, variants whose shares do not add up to 1 or
/// that are named twice or are all control, an end not after the start; the message names the
/// field), `CRM_INVALID_ARGUMENT` (NULL `db`, `campaign`, `campaign->name` or
/// `campaign->channel`, a bad `struct_size` on the campaign or a variant, invalid UTF-8, an
/// amount without its currency). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_create(
    db: *mut crm_db,
    campaign: *const crm_new_campaign,
    out_id: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_create", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(c) = (unsafe { versioned(campaign, "campaign") })? else {
            return Err(null("campaign"));
        };
        // SAFETY: the struct's pointers, per its contract.
        let c = unsafe { new_campaign(&c) }?;
        let stored = db.crm.campaigns().create(c)?;
        if !out_id.is_null() {
            // SAFETY: non-NULL and writable.
            unsafe { out_id.write(stored.id) };
        }
        Ok(())
    })
}

/// Reads campaign `id` into `*out`; free it with `crm_campaign_free`. `*out` is NULL on every
/// failure.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db` or `out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_get(
    db: *mut crm_db,
    id: i64,
    out: *mut *mut crm_campaign,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_get", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        *out = boxed(crm_campaign::new(db.crm.campaigns().get(id)?)?);
        Ok(())
    })
}

/// Reads the campaign named `name` into `*out`; free it with `crm_campaign_free`. `*out` is NULL
/// on every failure.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db`, `name` or `out`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_get_by_name(
    db: *mut crm_db,
    name: *const c_char,
    out: *mut *mut crm_campaign,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_get_by_name", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or writable / NUL-terminated.
        let out = unsafe { out_ptr(out, "out") }?;
        let name = unsafe { req_str(name, "name") }?;
        *out = boxed(crm_campaign::new(db.crm.campaigns().get_by_name(name)?)?);
        Ok(())
    })
}

/// The campaigns found by `crm_campaign_find`, in order. Read them with `crm_campaign_list_len`
/// and `crm_campaign_list_get`; free with `crm_campaign_list_free`.
#[derive(Debug)]
pub struct crm_campaign_list {
    items: Vec<crm_campaign>,
}

/// Finds the campaigns matching `filter` (NULL: all), ordered and paged by `options` (NULL: by
/// id, all). `*out` receives the list: free it with `crm_campaign_list_free`; NULL on failure.
/// `filter` stays the caller's. The fields a filter or `order_by` may name: `id`, `name`,
/// `channel`, `objective`, `status`, `segment`, `starts_at`, `ends_at`, `started_at`,
/// `created_at`.
///
/// Errors: `CRM_INVALID_INPUT` (an unknown field, the message lists the known ones; a value that
/// does not fit its field), `CRM_INVALID_ARGUMENT` (NULL `db` or `out`, a bad
/// `options->struct_size`, a negative offset).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_find(
    db: *mut crm_db,
    filter: *const crm_filter,
    options: *const crm_find_options,
    out: *mut *mut crm_campaign_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_find", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let query = unsafe { query(filter, options) }?;
        let items = db
            .crm
            .campaigns()
            .find(&query)?
            .into_iter()
            .map(crm_campaign::new)
            .collect::<Result<_>>()?;
        *out = boxed(crm_campaign_list { items });
        Ok(())
    })
}

/// Stores in `*out` how many campaigns match `filter` (NULL: all). Errors as for
/// `crm_campaign_find`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_count(
    db: *mut crm_db,
    filter: *const crm_filter,
    out: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_count", unsafe { db.as_mut() }, |db| {
        check_out(out, "out")?;
        // SAFETY: NULL or a live filter.
        let n = match unsafe { filter.as_ref() } {
            Some(f) => db.crm.campaigns().count(&f.filter)?,
            None => db.crm.campaigns().count(&Default::default())?,
        };
        // SAFETY: non-NULL (checked) and writable.
        unsafe { out.write(n) };
        Ok(())
    })
}

/// The number of campaigns in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_list_len(list: *const crm_campaign_list) -> usize {
    // SAFETY: NULL or a live list.
    read("crm_campaign_list_len", unsafe { list.as_ref() }, 0, |l| {
        l.items.len()
    })
}

/// Campaign `i` of the list, or NULL when `i` is out of range. Borrowed: valid until the list is
/// freed; do not free it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_list_get(
    list: *const crm_campaign_list,
    i: usize,
) -> *const crm_campaign {
    read_at(
        "crm_campaign_list_get",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |c| c as *const crm_campaign,
    )
}

/// Frees a list from `crm_campaign_find` and the campaigns in it. Does nothing when `list` is
/// NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_list_free(list: *mut crm_campaign_list) {
    guard_value("crm_campaign_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

/// Changes the fields of campaign `id` named by `patch->set`, in one transaction. When `out` is
/// not NULL, `*out` receives the stored result (free it with `crm_campaign_free`; NULL on
/// failure). Recorded in the audit trail.
///
/// Errors: `CRM_NOT_FOUND` (no campaign `id`, no segment of the new name), `CRM_ALREADY_EXISTS`
/// (the new name is taken), `CRM_INVALID_INPUT` (a completed or cancelled campaign; the audience,
/// variants or seed of a campaign that started; a value failing validation as for
/// `crm_campaign_create`), `CRM_INVALID_ARGUMENT` (NULL `db` or `patch`, a bad `struct_size`,
/// unknown `set` bits, a NULL name with its bit set, an amount without its currency). Nothing is
/// written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_update(
    db: *mut crm_db,
    id: i64,
    patch: *const crm_campaign_patch,
    out: *mut *mut crm_campaign,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_update", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { opt_out_ptr(out) };
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(u) = (unsafe { versioned(patch, "patch") })? else {
            return Err(null("patch"));
        };
        // SAFETY: the struct's pointers, per its contract.
        let patch = unsafe { campaign_patch(&u) }?;
        put_campaign(out, db.crm.campaigns().update(id, &patch)?)
    })
}

/// `draft` → `scheduled` at `at` (`CRM_TIME_NOW`: the handle's clock). The campaign needs an
/// audience segment. When `out` is not NULL, `*out` receives the stored result (free it with
/// `crm_campaign_free`; NULL on failure).
///
/// Errors: `CRM_ILLEGAL_TRANSITION` (not in `draft`; the message names both states),
/// `CRM_NOT_FOUND` (no campaign `id`, or its segment was deleted), `CRM_INVALID_INPUT` (no
/// audience segment, a time outside years 1–9999), `CRM_INVALID_ARGUMENT` (NULL `db`). Nothing
/// is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_schedule(
    db: *mut crm_db,
    id: i64,
    at: i64,
    out: *mut *mut crm_campaign,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_schedule", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { opt_out_ptr(out) };
        put_campaign(out, db.crm.campaigns().schedule(id, time_or_now(at))?)
    })
}

/// `scheduled` → `running` at `at` (`CRM_TIME_NOW`: the handle's clock): the segment's customers
/// at this moment become the members, split at random into the variants with the campaign's
/// seed. Later changes to the segment do not change the members. `out` as for
/// `crm_campaign_schedule`.
///
/// Errors: `CRM_ILLEGAL_TRANSITION` (not `scheduled`), otherwise as for `crm_campaign_schedule`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_start(
    db: *mut crm_db,
    id: i64,
    at: i64,
    out: *mut *mut crm_campaign,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_start", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { opt_out_ptr(out) };
        put_campaign(out, db.crm.campaigns().start(id, time_or_now(at))?)
    })
}

/// `running` → `completed` at `at` (`CRM_TIME_NOW`: the handle's clock). Late events are still
/// tracked. `out` as for `crm_campaign_schedule`.
///
/// Errors: `CRM_ILLEGAL_TRANSITION` (not `running`), `CRM_INVALID_INPUT` (`at` before the start),
/// `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_complete(
    db: *mut crm_db,
    id: i64,
    at: i64,
    out: *mut *mut crm_campaign,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_complete", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { opt_out_ptr(out) };
        put_campaign(out, db.crm.campaigns().complete(id, time_or_now(at))?)
    })
}

/// `draft`, `scheduled` or `running` → `cancelled` at `at` (`CRM_TIME_NOW`: the handle's clock).
/// `out` as for `crm_campaign_schedule`.
///
/// Errors: `CRM_ILLEGAL_TRANSITION` (completed or cancelled already), `CRM_INVALID_INPUT` (`at`
/// before the start), `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_cancel(
    db: *mut crm_db,
    id: i64,
    at: i64,
    out: *mut *mut crm_campaign,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_cancel", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { opt_out_ptr(out) };
        put_campaign(out, db.crm.campaigns().cancel(id, time_or_now(at))?)
    })
}

/// Deletes campaign `id`. One that started (it has members) is refused unless `cascade` is
/// non-zero, which deletes its members and events too. Recorded in the audit trail.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_CONSTRAINT` (it has members and `cascade` is 0),
/// `CRM_INVALID_ARGUMENT` (NULL `db`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_delete(db: *mut crm_db, id: i64, cascade: c_int) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_delete", unsafe { db.as_mut() }, |db| {
        db.crm.campaigns().delete(id, cascade != 0)
    })
}

// ------------------------------------------------------------------------------------------------
// Members

/// The members of a campaign, by customer id, from `crm_campaign_members`. Read them by index
/// (0 to `crm_campaign_member_list_len` - 1); free with `crm_campaign_member_list_free`.
#[derive(Debug)]
pub struct crm_campaign_member_list {
    items: Vec<CampaignMember>,
    variants: Vec<CString>,
}

/// The members of campaign `id` (empty before it starts), by customer id. `*out` receives the
/// list: free it with `crm_campaign_member_list_free`; NULL on failure.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db` or `out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_members(
    db: *mut crm_db,
    id: i64,
    out: *mut *mut crm_campaign_member_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_members", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        let items = db.crm.campaigns().members(id)?;
        let variants = items
            .iter()
            .map(|m| c_string(&m.variant, || format!("campaign {id} variant")))
            .collect::<Result<_>>()?;
        *out = boxed(crm_campaign_member_list { items, variants });
        Ok(())
    })
}

/// The number of members in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_member_list_len(
    list: *const crm_campaign_member_list,
) -> usize {
    // SAFETY: NULL or a live list.
    read(
        "crm_campaign_member_list_len",
        unsafe { list.as_ref() },
        0,
        |l| l.items.len(),
    )
}

/// The customer id of member `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_member_list_customer_id(
    list: *const crm_campaign_member_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_member_list_customer_id",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |m| m.customer_id,
    )
}

/// The variant member `i` was assigned to, or NULL when `i` is out of range. Valid until the
/// list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_member_list_variant(
    list: *const crm_campaign_member_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_campaign_member_list_variant",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.variants,
        i,
        ptr::null(),
        |v| v.as_ptr(),
    )
}

/// 1 when member `i` is in the control group, else 0 (also when `i` is out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_member_list_control(
    list: *const crm_campaign_member_list,
    i: usize,
) -> c_int {
    read_at(
        "crm_campaign_member_list_control",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |m| c_int::from(m.control),
    )
}

/// When member `i` was assigned (the campaign's start, µs UTC); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_member_list_assigned_at(
    list: *const crm_campaign_member_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_member_list_assigned_at",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |m| m.assigned_at.as_micros(),
    )
}

/// Frees a list from `crm_campaign_members`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_member_list_free(list: *mut crm_campaign_member_list) {
    guard_value("crm_campaign_member_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// Tracking events

/// Records one tracking event of campaign `id`: member `customer_id` did `kind` (`"sent"`,
/// `"delivered"`, `"opened"`, `"clicked"`, `"converted"`, `"unsubscribed"`) at `at`
/// (`CRM_TIME_NOW`: the handle's clock). A `sent` event also puts the message on the customer's
/// timeline. The event's id goes to `*out_id` when `out_id` is not NULL.
///
/// Errors: `CRM_INVALID_INPUT` for an event the campaign refuses — the customer is not a member,
/// a message event for the control group, out of order (e.g. `opened` before `delivered`),
/// before the start, or the campaign is not running or completed; the message says which — and
/// for an unknown `kind`; `CRM_NOT_FOUND` (no campaign `id`), `CRM_INVALID_ARGUMENT` (NULL `db` or
/// `kind`, invalid UTF-8). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_record_event(
    db: *mut crm_db,
    id: i64,
    customer_id: i64,
    kind: *const c_char,
    at: i64,
    out_id: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_record_event", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or NUL-terminated.
        let kind: EventKind = unsafe { req_str(kind, "kind") }?.parse()?;
        let event = NewCampaignEvent {
            customer_id,
            kind,
            at: time_or_now(at),
        };
        let stored = db.crm.campaigns().record_event(id, event)?;
        if !out_id.is_null() {
            // SAFETY: non-NULL and writable.
            unsafe { out_id.write(stored.id) };
        }
        Ok(())
    })
}

/// What a batch of tracking events did, from `crm_campaign_record_events`: how many were recorded
/// and, by index, the ones that were refused (in batch order) with their reason. Free with
/// `crm_event_report_free`.
#[derive(Debug)]
pub struct crm_event_report {
    report: EventReport,
    messages: Vec<CString>,
}

/// Records `n` tracking events of campaign `id` in one transaction, in order (so a `delivered`
/// may follow its `sent` in the same batch), from parallel arrays: `customer_ids[i]` did
/// `kinds[i]` at `ats[i]` (`ats` NULL, or an entry `CRM_TIME_NOW`: the handle's clock). Accepted
/// events are recorded; refused ones (not a member, control group, out of order, bad time, the
/// campaign not tracking) record nothing and are listed in the report with their position. `*out`
/// receives the report: free it with `crm_event_report_free`; NULL on failure.
///
/// Errors: `CRM_INVALID_INPUT` (an unknown kind; the message names the row, and nothing is
/// recorded), `CRM_NOT_FOUND` (no campaign `id`), `CRM_INVALID_ARGUMENT` (NULL `db` or `out`,
/// `customer_ids` or `kinds` NULL with `n` > 0, a NULL kind, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_record_events(
    db: *mut crm_db,
    id: i64,
    n: usize,
    customer_ids: *const i64,
    kinds: *const *const c_char,
    ats: *const i64,
    out: *mut *mut crm_event_report,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_record_events", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types, `n` entries each.
        let out = unsafe { out_ptr(out, "out") }?;
        let customers = unsafe { slice(customer_ids, n, "customer_ids") }?;
        let kinds = unsafe { slice(kinds, n, "kinds") }?;
        let ats = if ats.is_null() {
            None
        } else {
            Some(unsafe { slice(ats, n, "ats") }?)
        };
        let events = (0..n)
            .map(|i| {
                // SAFETY: NULL or NUL-terminated, per the contract.
                let kind = unsafe { req_str(kinds[i], &format!("kinds[{i}]")) }?;
                Ok(NewCampaignEvent {
                    customer_id: customers[i],
                    kind: kind.parse().map_err(|e: Error| e.in_row(i))?,
                    at: ats.and_then(|a| time_or_now(a[i])),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let report = db.crm.campaigns().record_events(id, &events)?;
        let messages = report
            .rejected
            .iter()
            .map(|r| crate::args::c_string_lossy(&r.message))
            .collect();
        *out = boxed(crm_event_report { report, messages });
        Ok(())
    })
}

/// How many events of the batch were recorded; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_event_report_recorded(report: *const crm_event_report) -> usize {
    // SAFETY: NULL or a live report.
    read(
        "crm_event_report_recorded",
        unsafe { report.as_ref() },
        0,
        |r| r.report.recorded,
    )
}

/// How many events of the batch were refused; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_event_report_rejected_len(report: *const crm_event_report) -> usize {
    // SAFETY: NULL or a live report.
    read(
        "crm_event_report_rejected_len",
        unsafe { report.as_ref() },
        0,
        |r| r.report.rejected.len(),
    )
}

/// The position in the batch (from 0) of refused event `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_event_report_rejected_index(
    report: *const crm_event_report,
    i: usize,
) -> usize {
    read_at(
        "crm_event_report_rejected_index",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.report.rejected,
        i,
        0,
        |e| e.index,
    )
}

/// The customer id of refused event `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_event_report_rejected_customer_id(
    report: *const crm_event_report,
    i: usize,
) -> i64 {
    read_at(
        "crm_event_report_rejected_customer_id",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.report.rejected,
        i,
        0,
        |e| e.event.customer_id,
    )
}

/// The kind of refused event `i` (`"opened"` …), a static string; NULL when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_event_report_rejected_kind(
    report: *const crm_event_report,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_event_report_rejected_kind",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.report.rejected,
        i,
        ptr::null(),
        |e| kind_name(e.event.kind),
    )
}

/// The time given for refused event `i` (µs UTC), or `CRM_TIME_NONE` when it was given as
/// `CRM_TIME_NOW` (or `i` is out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_event_report_rejected_at(
    report: *const crm_event_report,
    i: usize,
) -> i64 {
    read_at(
        "crm_event_report_rejected_at",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.report.rejected,
        i,
        CRM_TIME_NONE,
        |e| time_out(e.event.at),
    )
}

/// Why event `i` was refused: `"not_member"`, `"control_group"`, `"out_of_order"`, `"bad_time"`
/// or `"not_tracking"`, a static string; NULL when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_event_report_rejected_reason(
    report: *const crm_event_report,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_event_report_rejected_reason",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.report.rejected,
        i,
        ptr::null(),
        |e| reason_name(e.reason),
    )
}

/// The reason of refused event `i` in words; NULL when `i` is out of range. Valid until the
/// report is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_event_report_rejected_message(
    report: *const crm_event_report,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_event_report_rejected_message",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.messages,
        i,
        ptr::null(),
        |m| m.as_ptr(),
    )
}

/// Frees a report from `crm_campaign_record_events`. Does nothing when `report` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_event_report_free(report: *mut crm_event_report) {
    guard_value("crm_event_report_free", (), || {
        if !report.is_null() {
            // SAFETY: a report from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(report) });
        }
    })
}

/// A campaign's recorded events, from `crm_campaign_events`, in time order. Read them by index;
/// free with `crm_campaign_event_list_free`.
#[derive(Debug)]
pub struct crm_campaign_event_list {
    items: Vec<CampaignEvent>,
}

/// The events of campaign `id` in time order, of member `customer_id` or, with `customer_id` 0,
/// of all members. `*out` receives the list: free it with `crm_campaign_event_list_free`; NULL
/// on failure.
///
/// Errors: `CRM_NOT_FOUND` (no campaign `id`), `CRM_INVALID_ARGUMENT` (NULL `db` or `out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_events(
    db: *mut crm_db,
    id: i64,
    customer_id: i64,
    out: *mut *mut crm_campaign_event_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_events", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        let who = (customer_id != 0).then_some(customer_id);
        let items = db.crm.campaigns().events(id, who)?;
        *out = boxed(crm_campaign_event_list { items });
        Ok(())
    })
}

/// The number of events in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_event_list_len(
    list: *const crm_campaign_event_list,
) -> usize {
    // SAFETY: NULL or a live list.
    read(
        "crm_campaign_event_list_len",
        unsafe { list.as_ref() },
        0,
        |l| l.items.len(),
    )
}

/// The id of event `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_event_list_id(
    list: *const crm_campaign_event_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_event_list_id",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |e| e.id,
    )
}

/// The member of event `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_event_list_customer_id(
    list: *const crm_campaign_event_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_event_list_customer_id",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |e| e.customer_id,
    )
}

/// The kind of event `i` (`"sent"` …), a static string; NULL when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_event_list_kind(
    list: *const crm_campaign_event_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_campaign_event_list_kind",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |e| kind_name(e.kind),
    )
}

/// When event `i` happened (µs UTC); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_event_list_at(
    list: *const crm_campaign_event_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_event_list_at",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |e| e.at.as_micros(),
    )
}

/// Frees a list from `crm_campaign_events`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_event_list_free(list: *mut crm_campaign_event_list) {
    guard_value("crm_campaign_event_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// Evaluation

/// How to evaluate a campaign. Initialise with `crm_evaluation_options_init`, or pass NULL for
/// the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_evaluation_options {
    /// Size of this struct as the caller knows it; set by `crm_evaluation_options_init`.
    pub struct_size: u32,
    /// Attribution window in microseconds (positive): a member's purchases count when made
    /// within it after their exposure (first delivery, else first send; the start for the
    /// control group). Default 7 days.
    pub window: i64,
    /// Non-zero (the default) applies Yates' continuity correction in the chi-square test.
    pub yates: c_int,
    /// Significance level of the tests and the confidence intervals, in (0, 1); default 0.05.
    pub alpha: f64,
    /// Currency of the attributed revenue (ISO-4217). NULL (the default): the campaign's budget
    /// currency, else the one currency of the attributed purchases.
    pub currency: *const c_char,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `currency`.
unsafe impl Versioned for crm_evaluation_options {
    const V1_SIZE: usize =
        offset_of!(crm_evaluation_options, currency) + size_of::<*const c_char>();
    const INIT: &'static str = "crm_evaluation_options_init";
    const DEFAULTS: Self = crm_evaluation_options {
        struct_size: size_of::<crm_evaluation_options>() as u32,
        window: 7 * DAY_MICROS,
        yates: 1,
        alpha: 0.05,
        currency: ptr::null(),
    };
}

/// Sets the defaults (7-day window, Yates' correction, alpha 0.05, currency from the campaign)
/// and `struct_size`. Does nothing when `options` is NULL.
/// Pass the struct's size as your header declares it: `crm_evaluation_options_init(&o, sizeof o)`.
/// Only that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_evaluation_options_init(
    options: *mut crm_evaluation_options,
    size: usize,
) {
    guard_value("crm_evaluation_options_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(options, size) }
    })
}

/// A campaign's evaluation, from `crm_campaign_evaluate`: per-variant counts and rates (by index,
/// in the campaign's variant order), the uplift of each treatment variant against the control
/// group (by index; none without a control group), and totals. Rates and ratios that are
/// undefined (a zero denominator) are NaN. Free with `crm_campaign_report_free`. It is a copy: it
/// stays valid after the handle is closed. Its strings are valid until it is freed.
#[derive(Debug)]
pub struct crm_campaign_report {
    r: CampaignReport,
    name: CString,
    currency: Option<CString>,
    variants: Vec<CString>,
    uplift: Vec<(CString, CString)>,
}

impl crm_campaign_report {
    fn new(r: CampaignReport) -> Result<crm_campaign_report> {
        let text = |s: &str| c_string(s, || format!("campaign {} report", r.campaign_id));
        Ok(crm_campaign_report {
            name: text(&r.name)?,
            currency: r.currency.map(|c| text(c.as_str())).transpose()?,
            variants: r
                .variants
                .iter()
                .map(|v| text(&v.counts.variant))
                .collect::<Result<_>>()?,
            uplift: r
                .uplift
                .iter()
                .map(|u| Ok((text(&u.variant)?, text(&u.control)?)))
                .collect::<Result<_>>()?,
            r,
        })
    }
}

/// Evaluates started campaign `id` with `options` (NULL: the defaults): per-variant counts and
/// rates, attributed revenue, cost per conversion, ROI, and each variant's uplift against the
/// control group with a z-test, a chi-square test and Wald and Newcombe confidence intervals.
/// `*out` receives the report: free it with `crm_campaign_report_free`; NULL on failure.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_INVALID_INPUT` (the campaign has not started; a window that is
/// not positive; alpha outside (0, 1); a bad currency; members bought in several currencies and
/// none was chosen; a currency other than the campaign cost's), `CRM_INVALID_ARGUMENT` (NULL `db`
/// or `out`, a bad `options->struct_size`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_evaluate(
    db: *mut crm_db,
    id: i64,
    options: *const crm_evaluation_options,
    out: *mut *mut crm_campaign_report,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_campaign_evaluate", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        let mut o = EvaluationOptions::default();
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        if let Some(c) = unsafe { versioned(options, "options") }? {
            o.attribution_window = c.window;
            o.yates = c.yates != 0;
            o.alpha = c.alpha;
            // SAFETY: NULL or NUL-terminated.
            if let Some(cur) = unsafe { opt_str(c.currency, "options->currency") }? {
                o.currency = Some(cur.parse()?);
            }
        }
        let report = db.crm.campaigns().evaluate(id, &o)?;
        *out = boxed(crm_campaign_report::new(report)?);
        Ok(())
    })
}

/// The members each arm needs to detect a change of conversion rate from `baseline` to
/// `baseline + minimum_effect` with a two-sided test at `alpha` and `power`, when the control arm
/// is `ratio` times the treatment arm (statsmodels `NormalIndPower().solve_power` on Cohen's h,
/// rounded up): 0.10 with effect 0.02, alpha 0.05, power 0.8, ratio 1 needs 3835 each. Writes
/// `*out_treatment` and `*out_control`.
///
/// Errors: `CRM_INVALID_INPUT` (`baseline + minimum_effect` outside [0, 1], no effect, alpha or
/// power outside (0, 1), power not above alpha, ratio not positive), `CRM_INVALID_ARGUMENT` (NULL
/// out-parameter).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_sample_size(
    baseline: f64,
    minimum_effect: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    out_treatment: *mut i64,
    out_control: *mut i64,
) -> c_int {
    guard("crm_campaign_sample_size", || {
        check_out(out_treatment, "out_treatment")?;
        check_out(out_control, "out_control")?;
        let (t, c) = sample_size(baseline, minimum_effect, alpha, power, ratio)?;
        // SAFETY: both non-NULL (checked) and writable.
        unsafe {
            out_treatment.write(t);
            out_control.write(c);
        }
        Ok(())
    })
}

/// The evaluated campaign's id; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_campaign_id(
    report: *const crm_campaign_report,
) -> i64 {
    // SAFETY: NULL or a live report.
    read(
        "crm_campaign_report_campaign_id",
        unsafe { report.as_ref() },
        0,
        |r| r.r.campaign_id,
    )
}

/// The evaluated campaign's name; NULL for NULL. Valid until the report is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_name(
    report: *const crm_campaign_report,
) -> *const c_char {
    // SAFETY: NULL or a live report.
    read(
        "crm_campaign_report_name",
        unsafe { report.as_ref() },
        ptr::null(),
        |r| r.name.as_ptr(),
    )
}

/// The currency of revenue and cost, or NULL when there is neither. Valid until the report is
/// freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_currency(
    report: *const crm_campaign_report,
) -> *const c_char {
    // SAFETY: NULL or a live report.
    read(
        "crm_campaign_report_currency",
        unsafe { report.as_ref() },
        ptr::null(),
        |r| opt_ptr(&r.currency),
    )
}

/// The number of variants in the report; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variants_len(
    report: *const crm_campaign_report,
) -> usize {
    // SAFETY: NULL or a live report.
    read(
        "crm_campaign_report_variants_len",
        unsafe { report.as_ref() },
        0,
        |r| r.r.variants.len(),
    )
}

/// The name of variant `i`, or NULL when `i` is out of range. Valid until the report is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_name(
    report: *const crm_campaign_report,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_campaign_report_variant_name",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.variants,
        i,
        ptr::null(),
        |n| n.as_ptr(),
    )
}

/// 1 when variant `i` is the control group, else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_control(
    report: *const crm_campaign_report,
    i: usize,
) -> c_int {
    read_at(
        "crm_campaign_report_variant_control",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        0,
        |v| c_int::from(v.counts.control),
    )
}

/// Members assigned to variant `i`; 0 when `i` is out of range (as for every count below).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_members(
    report: *const crm_campaign_report,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_report_variant_members",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        0,
        |v| v.counts.members,
    )
}

/// Members of variant `i` with a `sent` event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_sent(
    report: *const crm_campaign_report,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_report_variant_sent",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        0,
        |v| v.counts.sent,
    )
}

/// Members of variant `i` with a `delivered` event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_delivered(
    report: *const crm_campaign_report,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_report_variant_delivered",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        0,
        |v| v.counts.delivered,
    )
}

/// Members of variant `i` with an `opened` event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_opened(
    report: *const crm_campaign_report,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_report_variant_opened",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        0,
        |v| v.counts.opened,
    )
}

/// Members of variant `i` with a `clicked` event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_clicked(
    report: *const crm_campaign_report,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_report_variant_clicked",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        0,
        |v| v.counts.clicked,
    )
}

/// Members of variant `i` with a `converted` event (see `crm_campaign_report_variant_converted`
/// for conversions that include attributed purchases).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_converted_events(
    report: *const crm_campaign_report,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_report_variant_converted_events",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        0,
        |v| v.counts.converted_events,
    )
}

/// Members of variant `i` with an `unsubscribed` event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_unsubscribed(
    report: *const crm_campaign_report,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_report_variant_unsubscribed",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        0,
        |v| v.counts.unsubscribed,
    )
}

/// Members of variant `i` who converted: a `converted` event or an attributed purchase.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_converted(
    report: *const crm_campaign_report,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_report_variant_converted",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        0,
        |v| v.counts.converted,
    )
}

/// Purchases attributed to variant `i`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_purchases(
    report: *const crm_campaign_report,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_report_variant_purchases",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        0,
        |v| v.counts.purchases,
    )
}

/// Revenue attributed to variant `i`, minor units of `crm_campaign_report_currency`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_revenue(
    report: *const crm_campaign_report,
    i: usize,
) -> i64 {
    read_at(
        "crm_campaign_report_variant_revenue",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        0,
        |v| v.counts.revenue,
    )
}

/// Opened / delivered of variant `i`; NaN when nothing was delivered or `i` is out of range (as
/// for every rate below).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_open_rate(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_variant_open_rate",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        f64::NAN,
        |v| nan(v.open_rate),
    )
}

/// Clicked / delivered of variant `i`; NaN when nothing was delivered.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_click_rate(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_variant_click_rate",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        f64::NAN,
        |v| nan(v.click_rate),
    )
}

/// Converted / members of variant `i`; NaN when it has no members.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_conversion_rate(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_variant_conversion_rate",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        f64::NAN,
        |v| nan(v.conversion_rate),
    )
}

/// Attributed revenue / members of variant `i`, in minor units; NaN when it has no members.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_variant_revenue_per_member(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_variant_revenue_per_member",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.variants,
        i,
        f64::NAN,
        |v| nan(v.revenue_per_member),
    )
}

/// The number of uplift comparisons: one per treatment variant with members when the campaign
/// has a control group with members, else 0; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_len(
    report: *const crm_campaign_report,
) -> usize {
    // SAFETY: NULL or a live report.
    read(
        "crm_campaign_report_uplift_len",
        unsafe { report.as_ref() },
        0,
        |r| r.r.uplift.len(),
    )
}

/// The treatment variant of comparison `i`, or NULL when `i` is out of range. Valid until the
/// report is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_variant(
    report: *const crm_campaign_report,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_campaign_report_uplift_variant",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.uplift,
        i,
        ptr::null(),
        |u| u.0.as_ptr(),
    )
}

/// The control group of comparison `i`, or NULL when `i` is out of range. Valid until the
/// report is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_control(
    report: *const crm_campaign_report,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_campaign_report_uplift_control",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.uplift,
        i,
        ptr::null(),
        |u| u.1.as_ptr(),
    )
}

/// The treatment's conversion rate in comparison `i`; NaN when `i` is out of range (as for every
/// number below).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_rate(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_uplift_rate",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        f64::NAN,
        |u| u.rate,
    )
}

/// The control group's conversion rate in comparison `i`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_control_rate(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_uplift_control_rate",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        f64::NAN,
        |u| u.control_rate,
    )
}

/// `rate − control_rate` in comparison `i`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_difference(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_uplift_difference",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        f64::NAN,
        |u| u.difference,
    )
}

/// `difference / control_rate` in comparison `i`; NaN when the control rate is 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_relative(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_uplift_relative",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        f64::NAN,
        |u| nan(u.relative),
    )
}

/// The two-proportion z statistic of comparison `i` (pooled variance, as statsmodels
/// `proportions_ztest`); NaN when nobody or everybody converted in both arms.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_z(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_uplift_z",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        f64::NAN,
        |u| u.z,
    )
}

/// The two-sided p-value of the z-test of comparison `i`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_z_p_value(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_uplift_z_p_value",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        f64::NAN,
        |u| u.z_p_value,
    )
}

/// The chi-square statistic of comparison `i`'s 2×2 table (scipy `chi2_contingency`, Yates as
/// chosen in the options); NaN when nobody or everybody converted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_chi2(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_uplift_chi2",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        f64::NAN,
        |u| u.chi2,
    )
}

/// The p-value of the chi-square test of comparison `i`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_chi2_p_value(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_uplift_chi2_p_value",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        f64::NAN,
        |u| u.chi2_p_value,
    )
}

/// The lower end of the Wald interval of comparison `i`'s difference at `1 − alpha`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_ci_wald_low(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_uplift_ci_wald_low",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        f64::NAN,
        |u| u.ci_wald.0,
    )
}

/// The upper end of the Wald interval of comparison `i`'s difference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_ci_wald_high(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_uplift_ci_wald_high",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        f64::NAN,
        |u| u.ci_wald.1,
    )
}

/// The lower end of the Newcombe (hybrid Wilson score) interval of comparison `i`'s difference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_ci_newcombe_low(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_uplift_ci_newcombe_low",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        f64::NAN,
        |u| u.ci_newcombe.0,
    )
}

/// The upper end of the Newcombe interval of comparison `i`'s difference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_ci_newcombe_high(
    report: *const crm_campaign_report,
    i: usize,
) -> f64 {
    read_at(
        "crm_campaign_report_uplift_ci_newcombe_high",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        f64::NAN,
        |u| u.ci_newcombe.1,
    )
}

/// 1 when comparison `i`'s z-test p-value is below alpha, else 0 (also when `i` is out of
/// range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_uplift_significant(
    report: *const crm_campaign_report,
    i: usize,
) -> c_int {
    read_at(
        "crm_campaign_report_uplift_significant",
        // SAFETY: NULL or a live report.
        unsafe { report.as_ref() },
        |r| &r.r.uplift,
        i,
        0,
        |u| c_int::from(u.significant),
    )
}

/// Conversions in the treatment variants; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_conversions(
    report: *const crm_campaign_report,
) -> i64 {
    // SAFETY: NULL or a live report.
    read(
        "crm_campaign_report_conversions",
        unsafe { report.as_ref() },
        0,
        |r| r.r.conversions,
    )
}

/// Attributed revenue of the treatment variants, minor units; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_revenue(report: *const crm_campaign_report) -> i64 {
    // SAFETY: NULL or a live report.
    read(
        "crm_campaign_report_revenue",
        unsafe { report.as_ref() },
        0,
        |r| r.r.revenue,
    )
}

/// 1 when the campaign has a cost, else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_has_cost(report: *const crm_campaign_report) -> c_int {
    // SAFETY: NULL or a live report.
    read(
        "crm_campaign_report_has_cost",
        unsafe { report.as_ref() },
        0,
        |r| c_int::from(r.r.cost.is_some()),
    )
}

/// The campaign's cost, minor units; 0 when it has none (see `crm_campaign_report_has_cost`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_cost(report: *const crm_campaign_report) -> i64 {
    // SAFETY: NULL or a live report.
    read(
        "crm_campaign_report_cost",
        unsafe { report.as_ref() },
        0,
        |r| r.r.cost.unwrap_or(0),
    )
}

/// Cost / treatment conversions; NaN without a cost or conversions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_cost_per_conversion(
    report: *const crm_campaign_report,
) -> f64 {
    // SAFETY: NULL or a live report.
    read(
        "crm_campaign_report_cost_per_conversion",
        unsafe { report.as_ref() },
        f64::NAN,
        |r| nan(r.r.cost_per_conversion),
    )
}

/// (Treatment revenue − cost) / cost; NaN without a cost, or with a cost of 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_roi(report: *const crm_campaign_report) -> f64 {
    // SAFETY: NULL or a live report.
    read(
        "crm_campaign_report_roi",
        unsafe { report.as_ref() },
        f64::NAN,
        |r| nan(r.r.roi),
    )
}

/// Frees a report from `crm_campaign_evaluate`. Does nothing when `report` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_campaign_report_free(report: *mut crm_campaign_report) {
    guard_value("crm_campaign_report_free", (), || {
        if !report.is_null() {
            // SAFETY: a report from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(report) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm_code::*;
    use crate::customer::CRM_TIME_NOW;
    use crate::db::{crm_close, crm_open};

    #[test]
    fn create_start_and_refuse() {
        let mut db = ptr::null_mut();
        assert_eq!(
            unsafe { crm_open(c":memory:".as_ptr(), ptr::null(), &mut db) },
            0
        );
        let mut c = crm_new_campaign::DEFAULTS;
        c.name = c"Spring".as_ptr();
        c.channel = c"email".as_ptr();
        c.budget = -1;
        c.budget_currency = c"EUR".as_ptr();
        let mut id = 0;
        let code = unsafe { crm_campaign_create(db, &c, &mut id) };
        assert_eq!(code, CRM_INVALID_INPUT as c_int);
        c.budget = 500;
        c.budget_currency = ptr::null();
        let code = unsafe { crm_campaign_create(db, &c, &mut id) };
        assert_eq!(code, CRM_INVALID_ARGUMENT as c_int);
        c.budget_currency = c"EUR".as_ptr();
        assert_eq!(unsafe { crm_campaign_create(db, &c, &mut id) }, 0);
        let mut out = ptr::dangling_mut();
        let code = unsafe { crm_campaign_start(db, id, CRM_TIME_NOW, &mut out) };
        assert_eq!(code, CRM_ILLEGAL_TRANSITION as c_int);
        assert!(out.is_null());
        assert_eq!(unsafe { crm_campaign_get(db, id, &mut out) }, 0);
        assert_eq!(unsafe { crm_campaign_budget(out) }, 500);
        assert_eq!(unsafe { crm_campaign_variants_len(out) }, 1);
        assert_eq!(unsafe { crm_campaign_started_at(out) }, CRM_TIME_NONE);
        unsafe { crm_campaign_free(out) };
        unsafe { crm_close(db) };
    }
}
