//! Sales pipelines and deals: pipelines with their ordered stages, the deal input struct and
//! patch, the deal object and list, stage moves and win/lose/reopen, a deal's history and time in
//! stages, and the pipeline views (value by stage, forecast, win rates, stage conversion) as
//! result lists read by index.
//!
//! Absent times come out as `CRM_TIME_NONE`, undefined rates as NaN, absent strings as NULL.
//! Dates (a deal's expected close) travel as `"YYYY-MM-DD"` text. Every rule (the status machine,
//! stage names, event order) is crm-core's.

use std::ffi::{CString, c_char, c_int};
use std::fmt::Display;
use std::mem::offset_of;
use std::ptr;
use std::str::FromStr;
use std::sync::OnceLock;

use crm_core::ForecastMonth;
use crm_core::{
    Deal, DealGroupBy, DealPatch, DealStatus, Error, Money, NewDeal, NewPipeline, NewStage,
    Pipeline, Result, StageChange, StageConversion, StageDuration, StageValue, WinRate,
};

use crate::args::{
    Versioned, boxed, c_string, check_out, clear_out, init_versioned, null, opt_out_ptr, opt_ptr,
    opt_str, opt_string, out_ptr, read, req_str, slice, static_name, time_or_now, versioned,
};
use crate::campaign::{CRM_TIME_NONE, nan, read_at, time_out};
use crate::customer::{CRM_TIME_NOW, crm_find_options, query};
use crate::db::crm_db;
use crate::error::{guard_db, guard_value};
use crate::filter::crm_filter;

/// The static C string of a deal status (`"open"`, `"won"`, `"lost"`), valid for the whole
/// program.
fn status_name(status: DealStatus) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, DealStatus::NAMES, status.as_str())
}

/// A date from its `YYYY-MM-DD` text; `INVALID_INPUT` naming `field` otherwise.
fn parse_date<T: FromStr>(text: &str, field: &str) -> Result<T>
where
    T::Err: Display,
{
    text.trim()
        .parse()
        .map_err(|e| Error::invalid(field, text, format!("expected a date YYYY-MM-DD ({e})")))
}

/// Frees a boxed object handed to C; NULL does nothing.
///
/// # Safety
/// `p` is NULL or from `Box::into_raw`, not freed before.
unsafe fn free<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: the caller's contract.
        drop(unsafe { Box::from_raw(p) });
    }
}

// ------------------------------------------------------------------------------------------------
// Pipelines

/// A pipeline as stored, with its stages in order. Returned by `crm_pipeline_get` (free it with
/// `crm_pipeline_free`) or borrowed from a `crm_pipeline_list`. It is a copy: it stays valid
/// after the handle is closed. Its strings are valid until it is freed.
#[derive(Debug)]
pub struct crm_pipeline {
    p: Pipeline,
    name: CString,
    stage_names: Vec<CString>,
}

impl crm_pipeline {
    fn new(p: Pipeline) -> Result<crm_pipeline> {
        let id = p.id;
        let text = |s: &str| c_string(s, || format!("pipeline {id} name"));
        Ok(crm_pipeline {
            name: text(&p.name)?,
            stage_names: p
                .stages
                .iter()
                .map(|s| text(&s.name))
                .collect::<Result<_>>()?,
            p,
        })
    }
}

/// Creates pipeline `name` with `n` stages in order, from parallel arrays: `stage_names[i]`
/// (unique ignoring case, 1–100 characters) whose deals win with `probabilities[i]` (0 to 1).
/// The id goes to `*out_id` when `out_id` is not NULL. Recorded in the audit trail.
///
/// Errors: `CRM_ALREADY_EXISTS` (the name is taken, ignoring case), `CRM_INVALID_INPUT` (a bad
/// name, no stages, a stage named twice, a probability outside 0..1), `CRM_INVALID_ARGUMENT` (NULL
/// `db` or `name`, `stage_names` or `probabilities` NULL with `n` > 0, a NULL stage name, invalid
/// UTF-8). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_create(
    db: *mut crm_db,
    name: *const c_char,
    n: usize,
    stage_names: *const *const c_char,
    probabilities: *const f64,
    out_id: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_pipeline_create", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types, `n` entries each.
        let mut p = NewPipeline::new(unsafe { req_str(name, "name") }?);
        let names = unsafe { crate::args::str_array(stage_names, n, "stage_names") }?;
        let probabilities = unsafe { slice(probabilities, n, "probabilities") }?;
        p.stages = names
            .into_iter()
            .zip(probabilities)
            .map(|(name, &probability)| NewStage { name, probability })
            .collect();
        let stored = db.crm.deals().create_pipeline(p)?;
        if !out_id.is_null() {
            // SAFETY: non-NULL and writable.
            unsafe { out_id.write(stored.id) };
        }
        Ok(())
    })
}

/// Reads the pipeline named `name` (ignoring case) into `*out`; free it with `crm_pipeline_free`.
/// `*out` is NULL on every failure.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db`, `name` or `out`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_get(
    db: *mut crm_db,
    name: *const c_char,
    out: *mut *mut crm_pipeline,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_pipeline_get", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or writable / NUL-terminated.
        let out = unsafe { out_ptr(out, "out") }?;
        let name = unsafe { req_str(name, "name") }?;
        *out = boxed(crm_pipeline::new(db.crm.deals().pipeline(name)?)?);
        Ok(())
    })
}

/// Every pipeline, by name, from `crm_pipeline_all`. Read them with `crm_pipeline_list_len` and
/// `crm_pipeline_list_get`; free with `crm_pipeline_list_free`.
#[derive(Debug)]
pub struct crm_pipeline_list {
    items: Vec<crm_pipeline>,
}

/// Reads every pipeline, by name. `*out` receives the list: free it with
/// `crm_pipeline_list_free`; NULL on failure.
///
/// Errors: `CRM_INVALID_ARGUMENT` (NULL `db` or `out`), `CRM_STORAGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_all(
    db: *mut crm_db,
    out: *mut *mut crm_pipeline_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_pipeline_all", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        let items = db
            .crm
            .deals()
            .pipelines()?
            .into_iter()
            .map(crm_pipeline::new)
            .collect::<Result<_>>()?;
        *out = boxed(crm_pipeline_list { items });
        Ok(())
    })
}

/// The number of pipelines in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_list_len(list: *const crm_pipeline_list) -> usize {
    // SAFETY: NULL or a live list.
    read("crm_pipeline_list_len", unsafe { list.as_ref() }, 0, |l| {
        l.items.len()
    })
}

/// Pipeline `i` of the list, or NULL when `i` is out of range. Borrowed: valid until the list is
/// freed; do not free it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_list_get(
    list: *const crm_pipeline_list,
    i: usize,
) -> *const crm_pipeline {
    read_at(
        "crm_pipeline_list_get",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |p| p as *const crm_pipeline,
    )
}

/// Frees a list from `crm_pipeline_all` and the pipelines in it. Does nothing when `list` is
/// NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_list_free(list: *mut crm_pipeline_list) {
    guard_value("crm_pipeline_list_free", (), || {
        // SAFETY: NULL or a list from Box::into_raw, freed once by the contract.
        unsafe { free(list) }
    })
}

/// The pipeline's id; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_id(pipeline: *const crm_pipeline) -> i64 {
    // SAFETY: NULL or a live pipeline.
    read("crm_pipeline_id", unsafe { pipeline.as_ref() }, 0, |p| {
        p.p.id
    })
}

/// The pipeline's name; NULL for NULL. Valid until it is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_name(pipeline: *const crm_pipeline) -> *const c_char {
    // SAFETY: NULL or a live pipeline.
    read(
        "crm_pipeline_name",
        unsafe { pipeline.as_ref() },
        ptr::null(),
        |p| p.name.as_ptr(),
    )
}

/// When the pipeline was created (µs UTC); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_created_at(pipeline: *const crm_pipeline) -> i64 {
    // SAFETY: NULL or a live pipeline.
    read(
        "crm_pipeline_created_at",
        unsafe { pipeline.as_ref() },
        0,
        |p| p.p.created_at.as_micros(),
    )
}

/// The number of stages (at least 1); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_stages_len(pipeline: *const crm_pipeline) -> usize {
    // SAFETY: NULL or a live pipeline.
    read(
        "crm_pipeline_stages_len",
        unsafe { pipeline.as_ref() },
        0,
        |p| p.p.stages.len(),
    )
}

/// The id of stage `i` (in order, from 0); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_stage_id(pipeline: *const crm_pipeline, i: usize) -> i64 {
    read_at(
        "crm_pipeline_stage_id",
        // SAFETY: NULL or a live pipeline.
        unsafe { pipeline.as_ref() },
        |p| &p.p.stages,
        i,
        0,
        |s| s.id,
    )
}

/// The name of stage `i`, or NULL when `i` is out of range. Valid until the pipeline is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_stage_name(
    pipeline: *const crm_pipeline,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_pipeline_stage_name",
        // SAFETY: NULL or a live pipeline.
        unsafe { pipeline.as_ref() },
        |p| &p.stage_names,
        i,
        ptr::null(),
        |n| n.as_ptr(),
    )
}

/// The default win probability of deals in stage `i`; NaN when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_stage_probability(
    pipeline: *const crm_pipeline,
    i: usize,
) -> f64 {
    read_at(
        "crm_pipeline_stage_probability",
        // SAFETY: NULL or a live pipeline.
        unsafe { pipeline.as_ref() },
        |p| &p.p.stages,
        i,
        f64::NAN,
        |s| s.probability,
    )
}

/// Frees a pipeline from `crm_pipeline_get`. Does nothing when `pipeline` is NULL; never pass one
/// borrowed from a list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_free(pipeline: *mut crm_pipeline) {
    guard_value("crm_pipeline_free", (), || {
        // SAFETY: NULL or a pipeline from Box::into_raw, freed once by the contract.
        unsafe { free(pipeline) }
    })
}

/// Adds stage `stage` with win probability `probability` to pipeline `pipeline` at `position`
/// (0 = first; negative: last), moving later stages down. Recorded in the audit trail.
///
/// Errors: `CRM_NOT_FOUND` (no such pipeline), `CRM_ALREADY_EXISTS` (the pipeline has a stage of
/// that name, ignoring case), `CRM_INVALID_INPUT` (a bad name or probability, a position past the
/// end), `CRM_INVALID_ARGUMENT` (NULL `db`, `pipeline` or `stage`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_add_stage(
    db: *mut crm_db,
    pipeline: *const c_char,
    stage: *const c_char,
    probability: f64,
    position: i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_pipeline_add_stage", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or NUL-terminated.
        let pipeline = unsafe { req_str(pipeline, "pipeline") }?;
        let stage = NewStage::new(unsafe { req_str(stage, "stage") }?, probability);
        // A position beyond usize is past the end anyway; crm-core says so.
        let position = (position >= 0).then(|| usize::try_from(position).unwrap_or(usize::MAX));
        db.crm
            .deals()
            .add_stage(pipeline, stage, position)
            .map(|_| ())
    })
}

/// Sets the default win probability (0 to 1) of stage `stage` of pipeline `pipeline`; the deals
/// in it take it at once.
///
/// Errors: `CRM_NOT_FOUND` (no such pipeline), `CRM_INVALID_INPUT` (an unknown stage, the message
/// lists the stages; a probability outside 0..1), `CRM_INVALID_ARGUMENT` (NULL `db`, `pipeline`
/// or `stage`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_set_stage_probability(
    db: *mut crm_db,
    pipeline: *const c_char,
    stage: *const c_char,
    probability: f64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db(
        "crm_pipeline_set_stage_probability",
        unsafe { db.as_mut() },
        |db| {
            // SAFETY (both): NULL or NUL-terminated.
            let pipeline = unsafe { req_str(pipeline, "pipeline") }?;
            let stage = unsafe { req_str(stage, "stage") }?;
            db.crm
                .deals()
                .set_stage_probability(pipeline, stage, probability)
                .map(|_| ())
        },
    )
}

/// Removes stage `stage` from pipeline `pipeline`. Deals that passed through it keep its name in
/// their history.
///
/// Errors: `CRM_CONSTRAINT` (deals are in the stage), `CRM_INVALID_INPUT` (an unknown stage, the
/// pipeline's only stage), `CRM_NOT_FOUND` (no such pipeline), `CRM_INVALID_ARGUMENT` (NULL `db`,
/// `pipeline` or `stage`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_remove_stage(
    db: *mut crm_db,
    pipeline: *const c_char,
    stage: *const c_char,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_pipeline_remove_stage", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or NUL-terminated.
        let pipeline = unsafe { req_str(pipeline, "pipeline") }?;
        let stage = unsafe { req_str(stage, "stage") }?;
        db.crm.deals().remove_stage(pipeline, stage).map(|_| ())
    })
}

/// Deletes pipeline `name` and its stages.
///
/// Errors: `CRM_CONSTRAINT` (it has deals), `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db` or
/// `name`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_pipeline_delete(db: *mut crm_db, name: *const c_char) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_pipeline_delete", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or NUL-terminated.
        let name = unsafe { req_str(name, "name") }?;
        db.crm.deals().delete_pipeline(name)
    })
}

// ------------------------------------------------------------------------------------------------
// Input structs

/// A deal to create. Initialise with `crm_new_deal_init`; `pipeline`, `customer_id`, `name`,
/// `amount` and `currency` are required. Strings are NUL-terminated UTF-8, copied; NULL means
/// absent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_new_deal {
    /// Size of this struct as the caller knows it; set by `crm_new_deal_init`.
    pub struct_size: u32,
    /// The pipeline's name (must exist).
    pub pipeline: *const c_char,
    /// The customer the deal is with (must exist).
    pub customer_id: i64,
    /// Name, e.g. "Annual licence 2026".
    pub name: *const c_char,
    /// Value in minor units of `currency` (must not be negative).
    pub amount: i64,
    /// ISO-4217 code of `amount` (`"EUR"`; required).
    pub currency: *const c_char,
    /// Starting stage (ignoring case). NULL: the pipeline's first.
    pub stage: *const c_char,
    /// Who works the deal. NULL: the handle's principal.
    pub owner: *const c_char,
    /// Where it came from (free text, e.g. "referral").
    pub source: *const c_char,
    /// Expected close date, `"YYYY-MM-DD"`.
    pub expected_close: *const c_char,
    /// Creation time to record (imported history; not after now), µs UTC. `CRM_TIME_NOW` (the
    /// default): the handle's clock.
    pub created_at: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `created_at`.
unsafe impl Versioned for crm_new_deal {
    const V1_SIZE: usize = offset_of!(crm_new_deal, created_at) + size_of::<i64>();
    const INIT: &'static str = "crm_new_deal_init";
    const DEFAULTS: Self = crm_new_deal {
        struct_size: size_of::<crm_new_deal>() as u32,
        pipeline: ptr::null(),
        customer_id: 0,
        name: ptr::null(),
        amount: 0,
        currency: ptr::null(),
        stage: ptr::null(),
        owner: ptr::null(),
        source: ptr::null(),
        expected_close: ptr::null(),
        created_at: CRM_TIME_NOW,
    };
}

/// Clears `deal` (every field absent, amount 0, created now) and sets `struct_size`. Does nothing
/// when `deal` is NULL.
/// Pass the struct's size as your header declares it: `crm_new_deal_init(&d, sizeof d)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_new_deal_init(deal: *mut crm_new_deal, size: usize) {
    guard_value("crm_new_deal_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(deal, size) }
    })
}

/// Converts the C struct; validation is crm-core's.
///
/// # Safety
/// The pointers in `d` are NULL or valid as documented on [`crm_new_deal`].
unsafe fn new_deal(d: &crm_new_deal) -> Result<NewDeal> {
    // SAFETY (all): the caller's contract on the fields.
    let pipeline = unsafe { req_str(d.pipeline, "deal->pipeline") }?;
    let name = unsafe { req_str(d.name, "deal->name") }?;
    let currency = unsafe { req_str(d.currency, "deal->currency") }?;
    let mut n = NewDeal::new(
        pipeline,
        d.customer_id,
        name,
        Money::new(d.amount, currency)?,
    );
    n.stage = unsafe { opt_string(d.stage, "deal->stage") }?;
    n.owner = unsafe { opt_string(d.owner, "deal->owner") }?;
    n.source = unsafe { opt_string(d.source, "deal->source") }?;
    if let Some(date) = unsafe { opt_str(d.expected_close, "deal->expected_close") }? {
        n.expected_close = Some(parse_date(date, "expected_close")?);
    }
    n.created_at = time_or_now(d.created_at);
    Ok(n)
}

/// `crm_deal_patch.set`: change `name`.
pub const CRM_DEAL_SET_NAME: u32 = 1;
/// `crm_deal_patch.set`: change `amount` and `currency`.
pub const CRM_DEAL_SET_AMOUNT: u32 = 2;
/// `crm_deal_patch.set`: change `owner`.
pub const CRM_DEAL_SET_OWNER: u32 = 4;
/// `crm_deal_patch.set`: change `source`.
pub const CRM_DEAL_SET_SOURCE: u32 = 8;
/// `crm_deal_patch.set`: change `expected_close`.
pub const CRM_DEAL_SET_EXPECTED_CLOSE: u32 = 16;

/// Every `CRM_DEAL_SET_*` bit this version knows.
const DEAL_SET_KNOWN: u32 = 31;

/// A partial update of a deal's descriptive fields (stage and status change through their own
/// calls). Initialise with `crm_deal_patch_init`, set the fields to change and their
/// `CRM_DEAL_SET_*` bits in `set`; fields whose bit is clear are not read. Pass it to
/// `crm_deal_update`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_deal_patch {
    /// Size of this struct as the caller knows it; set by `crm_deal_patch_init`.
    pub struct_size: u32,
    /// Which fields to change: `CRM_DEAL_SET_*` bits, or-ed together.
    pub set: u32,
    /// New name (`CRM_DEAL_SET_NAME`; cannot be NULL).
    pub name: *const c_char,
    /// New value (`CRM_DEAL_SET_AMOUNT`), minor units of `currency` (not negative).
    pub amount: i64,
    /// Its currency (`CRM_DEAL_SET_AMOUNT`; required, may differ from the old one).
    pub currency: *const c_char,
    /// New owner (`CRM_DEAL_SET_OWNER`; cannot be NULL).
    pub owner: *const c_char,
    /// New source (`CRM_DEAL_SET_SOURCE`); NULL removes it.
    pub source: *const c_char,
    /// New expected close date `"YYYY-MM-DD"` (`CRM_DEAL_SET_EXPECTED_CLOSE`); NULL removes it.
    pub expected_close: *const c_char,
    /// When not 0, the update is refused with `CRM_CONFLICT` unless the stored version is this
    /// one (optimistic concurrency). 0: do not check.
    pub expected_version: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `expected_version`.
unsafe impl Versioned for crm_deal_patch {
    const V1_SIZE: usize = offset_of!(crm_deal_patch, expected_version) + size_of::<i64>();
    const INIT: &'static str = "crm_deal_patch_init";
    const DEFAULTS: Self = crm_deal_patch {
        struct_size: size_of::<crm_deal_patch>() as u32,
        set: 0,
        name: ptr::null(),
        amount: 0,
        currency: ptr::null(),
        owner: ptr::null(),
        source: ptr::null(),
        expected_close: ptr::null(),
        expected_version: 0,
    };
}

/// Clears `patch` (no field set, no version check) and sets `struct_size`. Does nothing when
/// `patch` is NULL.
/// Pass the struct's size as your header declares it: `crm_deal_patch_init(&p, sizeof p)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_patch_init(patch: *mut crm_deal_patch, size: usize) {
    guard_value("crm_deal_patch_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(patch, size) }
    })
}

/// Converts the C patch; validation is crm-core's.
///
/// # Safety
/// The pointers in `u` whose bit is set are NULL or valid as documented.
unsafe fn deal_patch(u: &crm_deal_patch) -> Result<DealPatch> {
    let unknown = u.set & !DEAL_SET_KNOWN;
    if unknown != 0 {
        return Err(Error::InvalidArgument(format!(
            "patch->set has unknown bits {unknown:#x} (known: CRM_DEAL_SET_* up to \
             CRM_DEAL_SET_EXPECTED_CLOSE)"
        )));
    }
    let has = |bit: u32| u.set & bit != 0;
    let mut p = DealPatch::default();
    // SAFETY (all): the caller's contract on the fields.
    if has(CRM_DEAL_SET_NAME) {
        p.name = Some(unsafe { req_str(u.name, "patch->name") }?.to_owned());
    }
    if has(CRM_DEAL_SET_AMOUNT) {
        let currency = unsafe { req_str(u.currency, "patch->currency") }?;
        p.amount = Some(Money::new(u.amount, currency)?);
    }
    if has(CRM_DEAL_SET_OWNER) {
        p.owner = Some(unsafe { req_str(u.owner, "patch->owner") }?.to_owned());
    }
    if has(CRM_DEAL_SET_SOURCE) {
        p.source = Some(unsafe { opt_string(u.source, "patch->source") }?);
    }
    if has(CRM_DEAL_SET_EXPECTED_CLOSE) {
        p.expected_close = Some(
            match unsafe { opt_str(u.expected_close, "patch->expected_close") }? {
                Some(date) => Some(parse_date(date, "expected_close")?),
                None => None,
            },
        );
    }
    p.expected_version = (u.expected_version != 0).then_some(u.expected_version);
    Ok(p)
}

// ------------------------------------------------------------------------------------------------
// The deal object

/// A deal as stored. Returned by `crm_deal_get` and the calls that change a deal (free it with
/// `crm_deal_free`), or borrowed from a `crm_deal_list`. It is a copy: it stays valid after the
/// handle is closed and does not change when the store does. Its strings are valid until it is
/// freed.
#[derive(Debug)]
pub struct crm_deal {
    d: Deal,
    pipeline: CString,
    name: CString,
    currency: CString,
    stage: CString,
    owner: CString,
    source: Option<CString>,
    expected_close: Option<CString>,
    lost_reason: Option<CString>,
}

impl crm_deal {
    fn new(d: Deal) -> Result<crm_deal> {
        let id = d.id;
        let text = |s: &str, field: &str| c_string(s, || format!("deal {id} {field}"));
        let opt = |s: Option<&str>, field: &str| s.map(|s| text(s, field)).transpose();
        Ok(crm_deal {
            pipeline: text(&d.pipeline, "pipeline")?,
            name: text(&d.name, "name")?,
            currency: text(d.amount.currency.as_str(), "currency")?,
            stage: text(&d.stage, "stage")?,
            owner: text(&d.owner, "owner")?,
            source: opt(d.source.as_deref(), "source")?,
            expected_close: opt(
                d.expected_close.map(|e| e.to_string()).as_deref(),
                "expected_close",
            )?,
            lost_reason: opt(d.lost_reason.as_deref(), "lost_reason")?,
            d,
        })
    }
}

/// Stores a deal in an optional out-parameter.
fn put_deal(out: Option<&mut *mut crm_deal>, d: Deal) -> Result<()> {
    if let Some(out) = out {
        *out = boxed(crm_deal::new(d)?);
    }
    Ok(())
}

/// The deal's id; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_id(deal: *const crm_deal) -> i64 {
    // SAFETY: NULL or a live deal.
    read("crm_deal_id", unsafe { deal.as_ref() }, 0, |d| d.d.id)
}

/// Its pipeline's id; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_pipeline_id(deal: *const crm_deal) -> i64 {
    // SAFETY: NULL or a live deal.
    read("crm_deal_pipeline_id", unsafe { deal.as_ref() }, 0, |d| {
        d.d.pipeline_id
    })
}

/// Its pipeline's name; NULL for NULL. Valid until the deal is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_pipeline(deal: *const crm_deal) -> *const c_char {
    // SAFETY: NULL or a live deal.
    read(
        "crm_deal_pipeline",
        unsafe { deal.as_ref() },
        ptr::null(),
        |d| d.pipeline.as_ptr(),
    )
}

/// The customer the deal is with; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_customer_id(deal: *const crm_deal) -> i64 {
    // SAFETY: NULL or a live deal.
    read("crm_deal_customer_id", unsafe { deal.as_ref() }, 0, |d| {
        d.d.customer_id
    })
}

/// The name; NULL for NULL. Valid until the deal is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_name(deal: *const crm_deal) -> *const c_char {
    // SAFETY: NULL or a live deal.
    read(
        "crm_deal_name",
        unsafe { deal.as_ref() },
        ptr::null(),
        |d| d.name.as_ptr(),
    )
}

/// The value in minor units of `crm_deal_currency`; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_amount(deal: *const crm_deal) -> i64 {
    // SAFETY: NULL or a live deal.
    read("crm_deal_amount", unsafe { deal.as_ref() }, 0, |d| {
        d.d.amount.minor
    })
}

/// The value's currency (`"EUR"`); NULL for NULL. Valid until the deal is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_currency(deal: *const crm_deal) -> *const c_char {
    // SAFETY: NULL or a live deal.
    read(
        "crm_deal_currency",
        unsafe { deal.as_ref() },
        ptr::null(),
        |d| d.currency.as_ptr(),
    )
}

/// The stage's name; NULL for NULL. Valid until the deal is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_stage(deal: *const crm_deal) -> *const c_char {
    // SAFETY: NULL or a live deal.
    read(
        "crm_deal_stage",
        unsafe { deal.as_ref() },
        ptr::null(),
        |d| d.stage.as_ptr(),
    )
}

/// The stage's id; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_stage_id(deal: *const crm_deal) -> i64 {
    // SAFETY: NULL or a live deal.
    read("crm_deal_stage_id", unsafe { deal.as_ref() }, 0, |d| {
        d.d.stage_id
    })
}

/// The stage's default win probability; NaN for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_probability(deal: *const crm_deal) -> f64 {
    // SAFETY: NULL or a live deal.
    read(
        "crm_deal_probability",
        unsafe { deal.as_ref() },
        f64::NAN,
        |d| d.d.probability,
    )
}

/// Who works the deal; NULL for NULL. Valid until the deal is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_owner(deal: *const crm_deal) -> *const c_char {
    // SAFETY: NULL or a live deal.
    read(
        "crm_deal_owner",
        unsafe { deal.as_ref() },
        ptr::null(),
        |d| d.owner.as_ptr(),
    )
}

/// Where it came from, or NULL when it has no source. Valid until the deal is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_source(deal: *const crm_deal) -> *const c_char {
    // SAFETY: NULL or a live deal.
    read(
        "crm_deal_source",
        unsafe { deal.as_ref() },
        ptr::null(),
        |d| opt_ptr(&d.source),
    )
}

/// The expected close date `"YYYY-MM-DD"`, or NULL when it has none. Valid until the deal is
/// freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_expected_close(deal: *const crm_deal) -> *const c_char {
    // SAFETY: NULL or a live deal.
    read(
        "crm_deal_expected_close",
        unsafe { deal.as_ref() },
        ptr::null(),
        |d| opt_ptr(&d.expected_close),
    )
}

/// The status: `"open"`, `"won"` or `"lost"`, a static string; NULL for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_status(deal: *const crm_deal) -> *const c_char {
    // SAFETY: NULL or a live deal.
    read(
        "crm_deal_status",
        unsafe { deal.as_ref() },
        ptr::null(),
        |d| status_name(d.d.status),
    )
}

/// Why it was lost, or NULL unless it is lost. Valid until the deal is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_lost_reason(deal: *const crm_deal) -> *const c_char {
    // SAFETY: NULL or a live deal.
    read(
        "crm_deal_lost_reason",
        unsafe { deal.as_ref() },
        ptr::null(),
        |d| opt_ptr(&d.lost_reason),
    )
}

/// When the deal was created (µs UTC); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_created_at(deal: *const crm_deal) -> i64 {
    // SAFETY: NULL or a live deal.
    read("crm_deal_created_at", unsafe { deal.as_ref() }, 0, |d| {
        d.d.created_at.as_micros()
    })
}

/// When the deal last changed (µs UTC); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_updated_at(deal: *const crm_deal) -> i64 {
    // SAFETY: NULL or a live deal.
    read("crm_deal_updated_at", unsafe { deal.as_ref() }, 0, |d| {
        d.d.updated_at.as_micros()
    })
}

/// When it was won or lost (µs UTC), or `CRM_TIME_NONE` while open.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_closed_at(deal: *const crm_deal) -> i64 {
    // SAFETY: NULL or a live deal.
    read(
        "crm_deal_closed_at",
        unsafe { deal.as_ref() },
        CRM_TIME_NONE,
        |d| time_out(d.d.closed_at),
    )
}

/// The version: 1 when created, one more after every change; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_version(deal: *const crm_deal) -> i64 {
    // SAFETY: NULL or a live deal.
    read("crm_deal_version", unsafe { deal.as_ref() }, 0, |d| {
        d.d.version
    })
}

/// Frees a deal. Does nothing when `deal` is NULL; never pass one borrowed from a list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_free(deal: *mut crm_deal) {
    guard_value("crm_deal_free", (), || {
        // SAFETY: NULL or a deal from Box::into_raw, freed once by the contract.
        unsafe { free(deal) }
    })
}

// ------------------------------------------------------------------------------------------------
// Deal operations

/// Creates a deal in its given stage or the pipeline's first, and records its entry into that
/// stage. The id goes to `*out_id` when `out_id` is not NULL. Recorded in the audit trail.
///
/// Errors: `CRM_NOT_FOUND` (unknown pipeline or customer), `CRM_INVALID_INPUT` (a negative amount,
/// a bad currency, an unknown stage — the message lists the stages —, a blank name, a bad date, a
/// creation time after now), `CRM_INVALID_ARGUMENT` (NULL `db`, `deal`, `deal->pipeline`,
/// `deal->name` or `deal->currency`, a bad `struct_size`, invalid UTF-8). Nothing is written on
/// failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_create(
    db: *mut crm_db,
    deal: *const crm_new_deal,
    out_id: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_create", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(d) = (unsafe { versioned(deal, "deal") })? else {
            return Err(null("deal"));
        };
        // SAFETY: the struct's pointers, per its contract.
        let d = unsafe { new_deal(&d) }?;
        let stored = db.crm.deals().create(d)?;
        if !out_id.is_null() {
            // SAFETY: non-NULL and writable.
            unsafe { out_id.write(stored.id) };
        }
        Ok(())
    })
}

/// Reads deal `id` into `*out`; free it with `crm_deal_free`. `*out` is NULL on every failure.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db` or `out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_get(db: *mut crm_db, id: i64, out: *mut *mut crm_deal) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_get", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        *out = boxed(crm_deal::new(db.crm.deals().get(id)?)?);
        Ok(())
    })
}

/// The deals found by `crm_deal_find`, in order. Read them with `crm_deal_list_len` and
/// `crm_deal_list_get`; free with `crm_deal_list_free`.
#[derive(Debug)]
pub struct crm_deal_list {
    items: Vec<crm_deal>,
}

/// Finds the deals matching `filter` (NULL: all), ordered and paged by `options` (NULL: by id,
/// all). `*out` receives the list: free it with `crm_deal_list_free`; NULL on failure. `filter`
/// stays the caller's. The fields a filter or `order_by` may name: `id`, `customer_id`, `name`,
/// `pipeline`, `stage`, `status`, `owner`, `source`, `amount`, `currency`, `probability`,
/// `expected_close`, `created_at`, `updated_at`, `closed_at`.
///
/// Errors: `CRM_INVALID_INPUT` (an unknown field, the message lists the known ones; a value that
/// does not fit its field), `CRM_INVALID_ARGUMENT` (NULL `db` or `out`, a bad
/// `options->struct_size`, a negative offset).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_find(
    db: *mut crm_db,
    filter: *const crm_filter,
    options: *const crm_find_options,
    out: *mut *mut crm_deal_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_find", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let query = unsafe { query(filter, options) }?;
        let items = db
            .crm
            .deals()
            .find(&query)?
            .into_iter()
            .map(crm_deal::new)
            .collect::<Result<_>>()?;
        *out = boxed(crm_deal_list { items });
        Ok(())
    })
}

/// Stores in `*out` how many deals match `filter` (NULL: all). Errors as for `crm_deal_find`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_count(
    db: *mut crm_db,
    filter: *const crm_filter,
    out: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_count", unsafe { db.as_mut() }, |db| {
        check_out(out, "out")?;
        // SAFETY: NULL or a live filter.
        let n = match unsafe { filter.as_ref() } {
            Some(f) => db.crm.deals().count(&f.filter)?,
            None => db.crm.deals().count(&Default::default())?,
        };
        // SAFETY: non-NULL (checked) and writable.
        unsafe { out.write(n) };
        Ok(())
    })
}

/// The number of deals in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_list_len(list: *const crm_deal_list) -> usize {
    // SAFETY: NULL or a live list.
    read("crm_deal_list_len", unsafe { list.as_ref() }, 0, |l| {
        l.items.len()
    })
}

/// Deal `i` of the list, or NULL when `i` is out of range. Borrowed: valid until the list is
/// freed; do not free it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_list_get(
    list: *const crm_deal_list,
    i: usize,
) -> *const crm_deal {
    read_at(
        "crm_deal_list_get",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |d| d as *const crm_deal,
    )
}

/// Frees a list from `crm_deal_find` and the deals in it. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_list_free(list: *mut crm_deal_list) {
    guard_value("crm_deal_list_free", (), || {
        // SAFETY: NULL or a list from Box::into_raw, freed once by the contract.
        unsafe { free(list) }
    })
}

/// Changes the fields of deal `id` named by `patch->set`, in one transaction. When `out` is not
/// NULL, `*out` receives the stored result (free it with `crm_deal_free`; NULL on failure). The
/// version goes up by one when anything changed.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_CONFLICT` (stale `expected_version`; nothing changed),
/// `CRM_INVALID_INPUT` (a value fails validation: a negative amount, a bad currency or date, a
/// blank name or owner), `CRM_INVALID_ARGUMENT` (NULL `db` or `patch`, a bad `struct_size`,
/// unknown `set` bits, a NULL name, owner or currency with its bit set, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_update(
    db: *mut crm_db,
    id: i64,
    patch: *const crm_deal_patch,
    out: *mut *mut crm_deal,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_update", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { opt_out_ptr(out) };
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(u) = (unsafe { versioned(patch, "patch") })? else {
            return Err(null("patch"));
        };
        // SAFETY: the struct's pointers, per its contract.
        let patch = unsafe { deal_patch(&u) }?;
        put_deal(out, db.crm.deals().update(id, &patch)?)
    })
}

/// Moves open deal `id` to stage `stage` (ignoring case) of its pipeline at `at` (`CRM_TIME_NOW`:
/// the handle's clock) and records the move. Moving a deal to the stage it is in changes nothing.
/// When `out` is not NULL, `*out` receives the stored result (free it with `crm_deal_free`; NULL
/// on failure).
///
/// Errors: `CRM_ILLEGAL_TRANSITION` (a won or lost deal; the message names its status and the
/// stage), `CRM_INVALID_INPUT` (an unknown stage, the message lists the pipeline's stages; `at`
/// before the deal's last move or after now), `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db`
/// or `stage`, invalid UTF-8). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_move_to(
    db: *mut crm_db,
    id: i64,
    stage: *const c_char,
    at: i64,
    out: *mut *mut crm_deal,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_move_to", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or writable / NUL-terminated.
        let out = unsafe { opt_out_ptr(out) };
        let stage = unsafe { req_str(stage, "stage") }?;
        put_deal(out, db.crm.deals().move_to(id, stage, time_or_now(at))?)
    })
}

/// Closes open deal `id` as won at `at` (`CRM_TIME_NOW`: the handle's clock). `out` as for
/// `crm_deal_move_to`.
///
/// Errors: `CRM_ILLEGAL_TRANSITION` (not open; the message names both states),
/// `CRM_INVALID_INPUT` (`at` before the deal's last stage change or after now), `CRM_NOT_FOUND`,
/// `CRM_INVALID_ARGUMENT` (NULL `db`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_win(
    db: *mut crm_db,
    id: i64,
    at: i64,
    out: *mut *mut crm_deal,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_win", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { opt_out_ptr(out) };
        put_deal(out, db.crm.deals().win(id, time_or_now(at))?)
    })
}

/// Closes open deal `id` as lost for `reason` (required) at `at` (`CRM_TIME_NOW`: the handle's
/// clock). `out` as for `crm_deal_move_to`.
///
/// Errors: `CRM_ILLEGAL_TRANSITION` (not open), `CRM_INVALID_INPUT` (a blank reason, `at` out of
/// order or after now), `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db` or `reason`, invalid
/// UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_lose(
    db: *mut crm_db,
    id: i64,
    reason: *const c_char,
    at: i64,
    out: *mut *mut crm_deal,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_lose", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or writable / NUL-terminated.
        let out = unsafe { opt_out_ptr(out) };
        let reason = unsafe { req_str(reason, "reason") }?;
        put_deal(out, db.crm.deals().lose(id, reason, time_or_now(at))?)
    })
}

/// Reopens won or lost deal `id` at `at` (`CRM_TIME_NOW`: the handle's clock; not before it
/// closed): it is open again in the stage it closed in, without close time or lost reason. `out`
/// as for `crm_deal_move_to`.
///
/// Errors: `CRM_ILLEGAL_TRANSITION` (an open deal), `CRM_INVALID_INPUT` (`at` before the close or
/// after now), `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_reopen(
    db: *mut crm_db,
    id: i64,
    at: i64,
    out: *mut *mut crm_deal,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_reopen", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { opt_out_ptr(out) };
        put_deal(out, db.crm.deals().reopen(id, time_or_now(at))?)
    })
}

/// Deletes deal `id` and its stage history. Recorded in the audit trail.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_delete(db: *mut crm_db, id: i64) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_delete", unsafe { db.as_mut() }, |db| {
        db.crm.deals().delete(id)
    })
}

// ------------------------------------------------------------------------------------------------
// History and time in stages

/// One stage change of a `crm_stage_change_list`.
#[derive(Debug)]
struct ChangeRow {
    from: Option<CString>,
    to: CString,
    at: i64,
    by: CString,
}

/// A deal's stage changes, oldest first, from `crm_deal_history`; the first is its entry into
/// its starting stage. Read them by index; free with `crm_stage_change_list_free`.
#[derive(Debug)]
pub struct crm_stage_change_list {
    items: Vec<ChangeRow>,
}

impl crm_stage_change_list {
    fn new(changes: Vec<StageChange>) -> Result<crm_stage_change_list> {
        let items = changes
            .into_iter()
            .map(|c| {
                let text = |s: &str| c_string(s, || format!("deal {} history", c.deal_id));
                Ok(ChangeRow {
                    from: c.from_stage.as_deref().map(text).transpose()?,
                    to: text(&c.to_stage)?,
                    at: c.at.as_micros(),
                    by: text(&c.by)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(crm_stage_change_list { items })
    }
}

/// The stage changes of deal `id`, oldest first. `*out` receives the list: free it with
/// `crm_stage_change_list_free`; NULL on failure.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db` or `out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_history(
    db: *mut crm_db,
    id: i64,
    out: *mut *mut crm_stage_change_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_history", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        *out = boxed(crm_stage_change_list::new(db.crm.deals().history(id)?)?);
        Ok(())
    })
}

/// The number of changes in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_change_list_len(list: *const crm_stage_change_list) -> usize {
    // SAFETY: NULL or a live list.
    read(
        "crm_stage_change_list_len",
        unsafe { list.as_ref() },
        0,
        |l| l.items.len(),
    )
}

/// The stage change `i` left, or NULL for the creation entry (or `i` out of range). Valid until
/// the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_change_list_from_stage(
    list: *const crm_stage_change_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_stage_change_list_from_stage",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |r| opt_ptr(&r.from),
    )
}

/// The stage change `i` entered, or NULL when `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_change_list_to_stage(
    list: *const crm_stage_change_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_stage_change_list_to_stage",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |r| r.to.as_ptr(),
    )
}

/// When change `i` happened (µs UTC); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_change_list_at(
    list: *const crm_stage_change_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_stage_change_list_at",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.at,
    )
}

/// Who made change `i` (the principal), or NULL when `i` is out of range. Valid until the list is
/// freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_change_list_by(
    list: *const crm_stage_change_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_stage_change_list_by",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |r| r.by.as_ptr(),
    )
}

/// Frees a list from `crm_deal_history`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_change_list_free(list: *mut crm_stage_change_list) {
    guard_value("crm_stage_change_list_free", (), || {
        // SAFETY: NULL or a list from Box::into_raw, freed once by the contract.
        unsafe { free(list) }
    })
}

/// One stay of a `crm_stage_duration_list`.
#[derive(Debug)]
struct StayRow {
    stage: CString,
    d: StageDuration,
}

/// The time a deal spent in each stage, one entry per stay in order, from
/// `crm_deal_time_in_stages`. Read them by index; free with `crm_stage_duration_list_free`.
#[derive(Debug)]
pub struct crm_stage_duration_list {
    items: Vec<StayRow>,
}

/// The time deal `id` spent in each stage, one entry per stay, up to `now` (`CRM_TIME_NOW`: the
/// handle's clock) for the stage it is in, or up to its close when won or lost. `*out` receives
/// the list: free it with `crm_stage_duration_list_free`; NULL on failure.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_INVALID_ARGUMENT` (NULL `db` or `out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_time_in_stages(
    db: *mut crm_db,
    id: i64,
    now: i64,
    out: *mut *mut crm_stage_duration_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_time_in_stages", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        let items = db
            .crm
            .deals()
            .time_in_stages(id, time_or_now(now))?
            .into_iter()
            .map(|d| {
                Ok(StayRow {
                    stage: c_string(&d.stage, || format!("deal {id} stage"))?,
                    d,
                })
            })
            .collect::<Result<_>>()?;
        *out = boxed(crm_stage_duration_list { items });
        Ok(())
    })
}

/// The number of stays in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_duration_list_len(
    list: *const crm_stage_duration_list,
) -> usize {
    // SAFETY: NULL or a live list.
    read(
        "crm_stage_duration_list_len",
        unsafe { list.as_ref() },
        0,
        |l| l.items.len(),
    )
}

/// The stage of stay `i`, or NULL when `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_duration_list_stage(
    list: *const crm_stage_duration_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_stage_duration_list_stage",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |r| r.stage.as_ptr(),
    )
}

/// When stay `i` began (µs UTC); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_duration_list_entered_at(
    list: *const crm_stage_duration_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_stage_duration_list_entered_at",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.d.entered_at.as_micros(),
    )
}

/// When stay `i` ended (the next move, or the close of a won or lost deal), or `CRM_TIME_NONE`
/// while the deal is still there (or `i` is out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_duration_list_left_at(
    list: *const crm_stage_duration_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_stage_duration_list_left_at",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        CRM_TIME_NONE,
        |r| time_out(r.d.left_at),
    )
}

/// Microseconds of stay `i` (never negative); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_duration_list_duration(
    list: *const crm_stage_duration_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_stage_duration_list_duration",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.d.duration,
    )
}

/// Frees a list from `crm_deal_time_in_stages`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_duration_list_free(list: *mut crm_stage_duration_list) {
    guard_value("crm_stage_duration_list_free", (), || {
        // SAFETY: NULL or a list from Box::into_raw, freed once by the contract.
        unsafe { free(list) }
    })
}

// ------------------------------------------------------------------------------------------------
// Pipeline views

/// One row of a `crm_stage_value_list`.
#[derive(Debug)]
struct ValueRow {
    stage: CString,
    currency: CString,
    v: StageValue,
}

/// Open deals' value by stage and currency, from `crm_deal_value_by_stage`: for every currency
/// among the pipeline's open deals (by code), every stage in order. Read rows by index; free
/// with `crm_stage_value_list_free`.
#[derive(Debug)]
pub struct crm_stage_value_list {
    items: Vec<ValueRow>,
}

/// Open deals' value by stage of pipeline `pipeline`, per currency: for every currency among its
/// open deals (by code), every stage in order — a stage with no open deal in that currency shows
/// count 0. Weighted values use each stage's probability. Empty when nothing is open. `*out`
/// receives the list: free it with `crm_stage_value_list_free`; NULL on failure.
///
/// Errors: `CRM_NOT_FOUND` (no such pipeline), `CRM_INVALID_ARGUMENT` (NULL `db`, `pipeline` or
/// `out`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_value_by_stage(
    db: *mut crm_db,
    pipeline: *const c_char,
    out: *mut *mut crm_stage_value_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_value_by_stage", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or writable / NUL-terminated.
        let out = unsafe { out_ptr(out, "out") }?;
        let pipeline = unsafe { req_str(pipeline, "pipeline") }?;
        let items = db
            .crm
            .deals()
            .value_by_stage(pipeline)?
            .into_iter()
            .map(|v| {
                let text = |s: &str| c_string(s, || format!("pipeline {pipeline:?} stage"));
                Ok(ValueRow {
                    stage: text(&v.stage)?,
                    currency: text(v.currency.as_str())?,
                    v,
                })
            })
            .collect::<Result<_>>()?;
        *out = boxed(crm_stage_value_list { items });
        Ok(())
    })
}

/// The number of rows; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_value_list_len(list: *const crm_stage_value_list) -> usize {
    // SAFETY: NULL or a live list.
    read(
        "crm_stage_value_list_len",
        unsafe { list.as_ref() },
        0,
        |l| l.items.len(),
    )
}

/// The stage of row `i`, or NULL when `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_value_list_stage(
    list: *const crm_stage_value_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_stage_value_list_stage",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |r| r.stage.as_ptr(),
    )
}

/// The stage's place in the pipeline (from 0) of row `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_value_list_position(
    list: *const crm_stage_value_list,
    i: usize,
) -> usize {
    read_at(
        "crm_stage_value_list_position",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.v.position,
    )
}

/// The currency of row `i`, or NULL when `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_value_list_currency(
    list: *const crm_stage_value_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_stage_value_list_currency",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |r| r.currency.as_ptr(),
    )
}

/// Open deals in row `i`'s stage and currency; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_value_list_count(
    list: *const crm_stage_value_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_stage_value_list_count",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.v.count,
    )
}

/// Their total value, minor units; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_value_list_amount(
    list: *const crm_stage_value_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_stage_value_list_amount",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.v.amount,
    )
}

/// Their value weighted by the stage's probability, minor units; NaN when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_value_list_weighted(
    list: *const crm_stage_value_list,
    i: usize,
) -> f64 {
    read_at(
        "crm_stage_value_list_weighted",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        f64::NAN,
        |r| r.v.weighted,
    )
}

/// Frees a list from `crm_deal_value_by_stage`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_value_list_free(list: *mut crm_stage_value_list) {
    guard_value("crm_stage_value_list_free", (), || {
        // SAFETY: NULL or a list from Box::into_raw, freed once by the contract.
        unsafe { free(list) }
    })
}

/// One row of a `crm_forecast_list`.
#[derive(Debug)]
struct ForecastRow {
    month: Option<CString>,
    currency: CString,
    f: ForecastMonth,
}

/// Open deals by expected close month and currency, from `crm_deal_forecast`. Read rows by
/// index; free with `crm_forecast_list_free`.
#[derive(Debug)]
pub struct crm_forecast_list {
    items: Vec<ForecastRow>,
}

/// The forecast of pipeline `pipeline`: open deals by expected close month (`"YYYY-MM"`) and
/// currency, weighted by each deal's stage probability. Months ascend; deals without a date come
/// last, in a row whose month is NULL. `*out` receives the list: free it with
/// `crm_forecast_list_free`; NULL on failure.
///
/// Errors: `CRM_NOT_FOUND` (no such pipeline), `CRM_INVALID_ARGUMENT` (NULL `db`, `pipeline` or
/// `out`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_forecast(
    db: *mut crm_db,
    pipeline: *const c_char,
    out: *mut *mut crm_forecast_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_forecast", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or writable / NUL-terminated.
        let out = unsafe { out_ptr(out, "out") }?;
        let pipeline = unsafe { req_str(pipeline, "pipeline") }?;
        let items = db
            .crm
            .deals()
            .forecast(pipeline)?
            .into_iter()
            .map(|f| {
                let text = |s: &str| c_string(s, || format!("pipeline {pipeline:?} forecast"));
                Ok(ForecastRow {
                    month: f.month.as_deref().map(text).transpose()?,
                    currency: text(f.currency.as_str())?,
                    f,
                })
            })
            .collect::<Result<_>>()?;
        *out = boxed(crm_forecast_list { items });
        Ok(())
    })
}

/// The number of rows; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_forecast_list_len(list: *const crm_forecast_list) -> usize {
    // SAFETY: NULL or a live list.
    read("crm_forecast_list_len", unsafe { list.as_ref() }, 0, |l| {
        l.items.len()
    })
}

/// The month `"YYYY-MM"` of row `i`, or NULL for deals without an expected close date (or `i`
/// out of range). Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_forecast_list_month(
    list: *const crm_forecast_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_forecast_list_month",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |r| opt_ptr(&r.month),
    )
}

/// The currency of row `i`, or NULL when `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_forecast_list_currency(
    list: *const crm_forecast_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_forecast_list_currency",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |r| r.currency.as_ptr(),
    )
}

/// Open deals in row `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_forecast_list_count(list: *const crm_forecast_list, i: usize) -> i64 {
    read_at(
        "crm_forecast_list_count",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.f.count,
    )
}

/// Their total value, minor units; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_forecast_list_amount(list: *const crm_forecast_list, i: usize) -> i64 {
    read_at(
        "crm_forecast_list_amount",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.f.amount,
    )
}

/// Their value weighted by each deal's stage probability, minor units; NaN when `i` is out of
/// range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_forecast_list_weighted(
    list: *const crm_forecast_list,
    i: usize,
) -> f64 {
    read_at(
        "crm_forecast_list_weighted",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        f64::NAN,
        |r| r.f.weighted,
    )
}

/// Frees a list from `crm_deal_forecast`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_forecast_list_free(list: *mut crm_forecast_list) {
    guard_value("crm_forecast_list_free", (), || {
        // SAFETY: NULL or a list from Box::into_raw, freed once by the contract.
        unsafe { free(list) }
    })
}

/// One row of a `crm_win_rate_list`.
#[derive(Debug)]
struct WinRow {
    key: Option<CString>,
    w: WinRate,
}

/// Won, lost and open deals by owner or source, from `crm_deal_win_rates`. Read rows by index;
/// free with `crm_win_rate_list_free`.
#[derive(Debug)]
pub struct crm_win_rate_list {
    items: Vec<WinRow>,
}

/// Won, lost and open deals of pipeline `pipeline` grouped `by` `"owner"` or `"source"`, with the
/// win rate (won / (won + lost)) and the mean creation-to-close time of won deals. Ordered by
/// key, deals without a source last. `*out` receives the list: free it with
/// `crm_win_rate_list_free`; NULL on failure.
///
/// Errors: `CRM_NOT_FOUND` (no such pipeline), `CRM_INVALID_INPUT` (`by` is neither `"owner"` nor
/// `"source"`), `CRM_INVALID_ARGUMENT` (NULL `db`, `pipeline`, `by` or `out`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_win_rates(
    db: *mut crm_db,
    pipeline: *const c_char,
    by: *const c_char,
    out: *mut *mut crm_win_rate_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_win_rates", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or writable / NUL-terminated.
        let out = unsafe { out_ptr(out, "out") }?;
        let pipeline = unsafe { req_str(pipeline, "pipeline") }?;
        let by: DealGroupBy = unsafe { req_str(by, "by") }?.parse()?;
        let items = db
            .crm
            .deals()
            .win_rates(pipeline, by)?
            .into_iter()
            .map(|w| {
                let key = w
                    .key
                    .as_deref()
                    .map(|k| c_string(k, || format!("pipeline {pipeline:?} {by}")))
                    .transpose()?;
                Ok(WinRow { key, w })
            })
            .collect::<Result<_>>()?;
        *out = boxed(crm_win_rate_list { items });
        Ok(())
    })
}

/// The number of rows; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_win_rate_list_len(list: *const crm_win_rate_list) -> usize {
    // SAFETY: NULL or a live list.
    read("crm_win_rate_list_len", unsafe { list.as_ref() }, 0, |l| {
        l.items.len()
    })
}

/// The owner or source of row `i`, or NULL for deals without a source (or `i` out of range).
/// Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_win_rate_list_key(
    list: *const crm_win_rate_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_win_rate_list_key",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |r| opt_ptr(&r.key),
    )
}

/// Deals won in row `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_win_rate_list_won(list: *const crm_win_rate_list, i: usize) -> i64 {
    read_at(
        "crm_win_rate_list_won",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.w.won,
    )
}

/// Deals lost in row `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_win_rate_list_lost(list: *const crm_win_rate_list, i: usize) -> i64 {
    read_at(
        "crm_win_rate_list_lost",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.w.lost,
    )
}

/// Deals still open in row `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_win_rate_list_open(list: *const crm_win_rate_list, i: usize) -> i64 {
    read_at(
        "crm_win_rate_list_open",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.w.open,
    )
}

/// won / (won + lost) of row `i`; NaN when none is closed (or `i` is out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_win_rate_list_rate(list: *const crm_win_rate_list, i: usize) -> f64 {
    read_at(
        "crm_win_rate_list_rate",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        f64::NAN,
        |r| nan(r.w.win_rate),
    )
}

/// Mean microseconds from creation to close over row `i`'s won deals; NaN when none is won.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_win_rate_list_average_cycle(
    list: *const crm_win_rate_list,
    i: usize,
) -> f64 {
    read_at(
        "crm_win_rate_list_average_cycle",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        f64::NAN,
        |r| nan(r.w.average_cycle),
    )
}

/// Frees a list from `crm_deal_win_rates`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_win_rate_list_free(list: *mut crm_win_rate_list) {
    guard_value("crm_win_rate_list_free", (), || {
        // SAFETY: NULL or a list from Box::into_raw, freed once by the contract.
        unsafe { free(list) }
    })
}

/// One row of a `crm_stage_conversion_list`.
#[derive(Debug)]
struct ConversionRow {
    from: CString,
    to: CString,
    c: StageConversion,
}

/// Conversion between consecutive stages, from `crm_deal_stage_conversion`. Read rows by index;
/// free with `crm_stage_conversion_list_free`.
#[derive(Debug)]
pub struct crm_stage_conversion_list {
    items: Vec<ConversionRow>,
}

/// Conversion between consecutive stages of pipeline `pipeline`: of the deals that ever entered a
/// stage, how many later entered the next or any later stage, or were won. One row per pair of
/// consecutive stages. `*out` receives the list: free it with `crm_stage_conversion_list_free`;
/// NULL on failure.
///
/// Errors: `CRM_NOT_FOUND` (no such pipeline), `CRM_INVALID_ARGUMENT` (NULL `db`, `pipeline` or
/// `out`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_deal_stage_conversion(
    db: *mut crm_db,
    pipeline: *const c_char,
    out: *mut *mut crm_stage_conversion_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_deal_stage_conversion", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or writable / NUL-terminated.
        let out = unsafe { out_ptr(out, "out") }?;
        let pipeline = unsafe { req_str(pipeline, "pipeline") }?;
        let items = db
            .crm
            .deals()
            .stage_conversion(pipeline)?
            .into_iter()
            .map(|c| {
                let text = |s: &str| c_string(s, || format!("pipeline {pipeline:?} stage"));
                Ok(ConversionRow {
                    from: text(&c.from_stage)?,
                    to: text(&c.to_stage)?,
                    c,
                })
            })
            .collect::<Result<_>>()?;
        *out = boxed(crm_stage_conversion_list { items });
        Ok(())
    })
}

/// The number of rows; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_conversion_list_len(
    list: *const crm_stage_conversion_list,
) -> usize {
    // SAFETY: NULL or a live list.
    read(
        "crm_stage_conversion_list_len",
        unsafe { list.as_ref() },
        0,
        |l| l.items.len(),
    )
}

/// The stage deals entered in row `i`, or NULL when `i` is out of range. Valid until the list is
/// freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_conversion_list_from_stage(
    list: *const crm_stage_conversion_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_stage_conversion_list_from_stage",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |r| r.from.as_ptr(),
    )
}

/// The next stage of the pipeline in row `i`, or NULL when `i` is out of range. Valid until the
/// list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_conversion_list_to_stage(
    list: *const crm_stage_conversion_list,
    i: usize,
) -> *const c_char {
    read_at(
        "crm_stage_conversion_list_to_stage",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        ptr::null(),
        |r| r.to.as_ptr(),
    )
}

/// Deals that ever entered row `i`'s `from` stage; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_conversion_list_entered(
    list: *const crm_stage_conversion_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_stage_conversion_list_entered",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.c.entered,
    )
}

/// Of those, deals that later entered the `to` stage or a later one, or were won; 0 when `i` is
/// out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_conversion_list_advanced(
    list: *const crm_stage_conversion_list,
    i: usize,
) -> i64 {
    read_at(
        "crm_stage_conversion_list_advanced",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        0,
        |r| r.c.advanced,
    )
}

/// advanced / entered of row `i`; NaN when no deal entered (or `i` is out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_conversion_list_rate(
    list: *const crm_stage_conversion_list,
    i: usize,
) -> f64 {
    read_at(
        "crm_stage_conversion_list_rate",
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() },
        |l| &l.items,
        i,
        f64::NAN,
        |r| nan(r.c.rate),
    )
}

/// Frees a list from `crm_deal_stage_conversion`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stage_conversion_list_free(list: *mut crm_stage_conversion_list) {
    guard_value("crm_stage_conversion_list_free", (), || {
        // SAFETY: NULL or a list from Box::into_raw, freed once by the contract.
        unsafe { free(list) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm_code::*;
    use crate::db::{crm_close, crm_open};

    #[test]
    fn pipeline_round_trip_and_refusals() {
        let mut db = ptr::null_mut();
        assert_eq!(
            unsafe { crm_open(c":memory:".as_ptr(), ptr::null(), &mut db) },
            0
        );
        let names = [c"Lead".as_ptr(), c"Won".as_ptr()];
        let probs = [0.1, 1.0];
        let create = |n: usize, p: *const f64| unsafe {
            crm_pipeline_create(db, c"Sales".as_ptr(), n, names.as_ptr(), p, ptr::null_mut())
        };
        assert_eq!(create(2, ptr::null()), CRM_INVALID_ARGUMENT as c_int);
        assert_eq!(create(0, probs.as_ptr()), CRM_INVALID_INPUT as c_int);
        assert_eq!(create(2, probs.as_ptr()), 0);
        assert_eq!(create(2, probs.as_ptr()), CRM_ALREADY_EXISTS as c_int);
        let mut p = ptr::null_mut();
        assert_eq!(
            unsafe { crm_pipeline_get(db, c"sales".as_ptr(), &mut p) },
            0
        );
        assert_eq!(unsafe { crm_pipeline_stages_len(p) }, 2);
        assert_eq!(unsafe { crm_pipeline_stage_probability(p, 1) }, 1.0);
        assert!(unsafe { crm_pipeline_stage_probability(p, 2) }.is_nan());
        unsafe { crm_pipeline_free(p) };
        unsafe { crm_close(db) };
    }

    #[test]
    fn dates_parse_or_name_the_field() {
        let d: std::result::Result<String, _> = parse_date::<String>(" x ", "f");
        assert_eq!(d.unwrap(), "x");
        let bad = parse_date::<i32>("2026-13-01", "expected_close").unwrap_err();
        assert_eq!(bad.code(), crm_core::ErrorCode::InvalidInput);
        assert!(bad.to_string().contains("expected_close"), "{bad}");
    }
}
