//! Interactions, a customer's touchpoints: the input struct, the opaque interaction and list
//! objects with their accessors, and the operations (add, add many, get, timeline, find, count).

use std::ffi::{CString, c_char, c_int};
use std::mem::offset_of;
use std::ptr;
use std::sync::OnceLock;

use crm_core::model::interaction::parse_metadata;
use crm_core::{Channel, Direction, Error, Interaction, InteractionKind, NewInteraction, Result};

use crate::args::{
    Versioned, boxed, c_string, check_out, clear_out, init_versioned, null, opt_ptr, opt_str,
    opt_string, out_ptr, read, req_str, static_name, time_or_now, versioned, versioned_array,
};
use crate::customer::{CRM_TIME_NOW, crm_find_options, query};
use crate::db::crm_db;
use crate::error::{guard_db, guard_value};
use crate::filter::crm_filter;

/// The static C string of a channel (`"email"` …), valid for the whole program.
fn channel_name(channel: Channel) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, Channel::NAMES, channel.as_str())
}

/// The static C string of a direction (`"inbound"`, `"outbound"`), valid for the whole program.
fn direction_name(direction: Direction) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, Direction::NAMES, direction.as_str())
}

/// The static C string of a kind (`"note"` …), valid for the whole program.
fn kind_name(kind: InteractionKind) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, InteractionKind::NAMES, kind.as_str())
}

// ------------------------------------------------------------------------------------------------
// The interaction object

/// An interaction as stored. Returned by `crm_interaction_get` (free it with
/// `crm_interaction_free`), or borrowed from a `crm_interaction_list`. It is a copy: it stays
/// valid after the handle is closed and does not change when the store does. Its strings are valid
/// until it is freed.
#[derive(Debug)]
pub struct crm_interaction {
    id: i64,
    customer_id: i64,
    channel: Channel,
    direction: Direction,
    kind: InteractionKind,
    occurred_at: i64,
    subject: Option<CString>,
    body: Option<CString>,
    metadata_json: CString,
    campaign_id: i64,
    ticket_id: i64,
    created_at: i64,
}

impl crm_interaction {
    fn new(i: Interaction) -> Result<crm_interaction> {
        let id = i.id;
        let text = |s: &str, field: &str| c_string(s, || format!("interaction {id} {field}"));
        let opt =
            |s: &Option<String>, field: &str| s.as_deref().map(|s| text(s, field)).transpose();
        let metadata = i.metadata_json();
        Ok(crm_interaction {
            id,
            customer_id: i.customer_id,
            channel: i.channel,
            direction: i.direction,
            kind: i.kind,
            occurred_at: i.occurred_at.as_micros(),
            subject: opt(&i.subject, "subject")?,
            body: opt(&i.body, "body")?,
            metadata_json: text(&metadata, "metadata")?,
            campaign_id: i.campaign_id.unwrap_or(0),
            ticket_id: i.ticket_id.unwrap_or(0),
            created_at: i.created_at.as_micros(),
        })
    }
}

/// The interaction's id; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_id(interaction: *const crm_interaction) -> i64 {
    // SAFETY: NULL or a live interaction.
    read(
        "crm_interaction_id",
        unsafe { interaction.as_ref() },
        0,
        |i| i.id,
    )
}

/// The id of the customer the interaction belongs to; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_customer_id(interaction: *const crm_interaction) -> i64 {
    // SAFETY: NULL or a live interaction.
    read(
        "crm_interaction_customer_id",
        unsafe { interaction.as_ref() },
        0,
        |i| i.customer_id,
    )
}

/// The channel: `"email"`, `"phone"`, `"chat"`, `"sms"`, `"social"`, `"web"` or `"in_person"`.
/// A static string (valid for the whole program); NULL for a NULL `interaction`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_channel(
    interaction: *const crm_interaction,
) -> *const c_char {
    // SAFETY: NULL or a live interaction.
    read(
        "crm_interaction_channel",
        unsafe { interaction.as_ref() },
        ptr::null(),
        |i| channel_name(i.channel),
    )
}

/// Who started it: `"inbound"` (the customer) or `"outbound"` (the company). A static string;
/// NULL for a NULL `interaction`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_direction(
    interaction: *const crm_interaction,
) -> *const c_char {
    // SAFETY: NULL or a live interaction.
    read(
        "crm_interaction_direction",
        unsafe { interaction.as_ref() },
        ptr::null(),
        |i| direction_name(i.direction),
    )
}

/// The kind: `"note"`, `"call"`, `"message"`, `"meeting"`, `"visit"` or `"other"`. A static
/// string; NULL for a NULL `interaction`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_kind(
    interaction: *const crm_interaction,
) -> *const c_char {
    // SAFETY: NULL or a live interaction.
    read(
        "crm_interaction_kind",
        unsafe { interaction.as_ref() },
        ptr::null(),
        |i| kind_name(i.kind),
    )
}

/// When it happened, in microseconds since the epoch (UTC); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_occurred_at(interaction: *const crm_interaction) -> i64 {
    // SAFETY: NULL or a live interaction.
    read(
        "crm_interaction_occurred_at",
        unsafe { interaction.as_ref() },
        0,
        |i| i.occurred_at,
    )
}

/// The subject line, or NULL when it has none (or `interaction` is NULL). Valid until the
/// interaction is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_subject(
    interaction: *const crm_interaction,
) -> *const c_char {
    // SAFETY: NULL or a live interaction.
    read(
        "crm_interaction_subject",
        unsafe { interaction.as_ref() },
        ptr::null(),
        |i| opt_ptr(&i.subject),
    )
}

/// The free text, or NULL when it has none (or `interaction` is NULL). Valid until the interaction
/// is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_body(
    interaction: *const crm_interaction,
) -> *const c_char {
    // SAFETY: NULL or a live interaction.
    read(
        "crm_interaction_body",
        unsafe { interaction.as_ref() },
        ptr::null(),
        |i| opt_ptr(&i.body),
    )
}

/// The metadata as compact JSON text, always an object (`"{}"` when there is none); NULL for a
/// NULL `interaction`. Valid until the interaction is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_metadata_json(
    interaction: *const crm_interaction,
) -> *const c_char {
    // SAFETY: NULL or a live interaction.
    read(
        "crm_interaction_metadata_json",
        unsafe { interaction.as_ref() },
        ptr::null(),
        |i| i.metadata_json.as_ptr(),
    )
}

/// The campaign it belongs to; 0 for none or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_campaign_id(interaction: *const crm_interaction) -> i64 {
    // SAFETY: NULL or a live interaction.
    read(
        "crm_interaction_campaign_id",
        unsafe { interaction.as_ref() },
        0,
        |i| i.campaign_id,
    )
}

/// The ticket it belongs to; 0 for none or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_ticket_id(interaction: *const crm_interaction) -> i64 {
    // SAFETY: NULL or a live interaction.
    read(
        "crm_interaction_ticket_id",
        unsafe { interaction.as_ref() },
        0,
        |i| i.ticket_id,
    )
}

/// When it was recorded, in microseconds since the epoch (UTC); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_created_at(interaction: *const crm_interaction) -> i64 {
    // SAFETY: NULL or a live interaction.
    read(
        "crm_interaction_created_at",
        unsafe { interaction.as_ref() },
        0,
        |i| i.created_at,
    )
}

/// Frees an interaction returned by `crm_interaction_get`. Does nothing when `interaction` is
/// NULL. Never pass one borrowed from a list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_free(interaction: *mut crm_interaction) {
    guard_value("crm_interaction_free", (), || {
        if !interaction.is_null() {
            // SAFETY: an interaction from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(interaction) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// Add

/// An interaction to record. Initialise with `crm_new_interaction_init`; `customer_id` and
/// `channel` are required. Strings are NUL-terminated UTF-8, copied; NULL means absent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_new_interaction {
    /// Size of this struct as the caller knows it; set by `crm_new_interaction_init`.
    pub struct_size: u32,
    /// Whose touchpoint (must exist).
    pub customer_id: i64,
    /// `"email"`, `"phone"`, `"chat"`, `"sms"`, `"social"`, `"web"` or `"in_person"` (required).
    pub channel: *const c_char,
    /// `"inbound"` or `"outbound"`. NULL: inbound.
    pub direction: *const c_char,
    /// `"note"`, `"call"`, `"message"`, `"meeting"`, `"visit"` or `"other"`. NULL: note.
    pub kind: *const c_char,
    /// When it happened, microseconds since the epoch (UTC). `CRM_TIME_NOW` (the default): the
    /// handle's clock.
    pub occurred_at: i64,
    /// Subject line (at most 500 characters; blank means none).
    pub subject: *const c_char,
    /// Free text (at most 1 MiB; blank means none).
    pub body: *const c_char,
    /// Anything else, as the text of a JSON object (`"{\"agent\": \"li\"}"`). NULL: `{}`.
    pub metadata_json: *const c_char,
    /// The campaign it belongs to (must exist); 0: none.
    pub campaign_id: i64,
    /// The ticket it belongs to (must exist); 0: none.
    pub ticket_id: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `metadata_json`.
unsafe impl Versioned for crm_new_interaction {
    const V1_SIZE: usize =
        offset_of!(crm_new_interaction, metadata_json) + size_of::<*const c_char>();
    const INIT: &'static str = "crm_new_interaction_init";
    const DEFAULTS: Self = crm_new_interaction {
        struct_size: size_of::<crm_new_interaction>() as u32,
        customer_id: 0,
        channel: ptr::null(),
        direction: ptr::null(),
        kind: ptr::null(),
        occurred_at: CRM_TIME_NOW,
        subject: ptr::null(),
        body: ptr::null(),
        metadata_json: ptr::null(),
        campaign_id: 0,
        ticket_id: 0,
    };
}

/// Clears `interaction` (no customer, no channel, inbound note, now, no text, no metadata) and
/// sets `struct_size`. Does nothing when `interaction` is NULL.
/// Pass the struct's size as your header declares it: `crm_new_interaction_init(&interaction, sizeof interaction)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_new_interaction_init(
    interaction: *mut crm_new_interaction,
    size: usize,
) {
    guard_value("crm_new_interaction_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(interaction, size) }
    })
}

/// Converts the C struct; `name` names it in messages (`interaction`, `interactions[3]`).
/// Parsing and validation are crm-core's.
///
/// # Safety
/// The pointers in `n` are NULL or valid as documented on [`crm_new_interaction`].
unsafe fn new_interaction(n: &crm_new_interaction, name: &str) -> Result<NewInteraction> {
    let field = |f: &str| format!("{name}.{f}");
    // SAFETY (all): the caller's contract on the fields.
    let channel: Channel = unsafe { req_str(n.channel, &field("channel")) }?.parse()?;
    let mut it = NewInteraction::new(n.customer_id, channel);
    if let Some(direction) = unsafe { opt_str(n.direction, &field("direction")) }? {
        it.direction = direction.parse()?;
    }
    if let Some(kind) = unsafe { opt_str(n.kind, &field("kind")) }? {
        it.kind = kind.parse()?;
    }
    it.occurred_at = time_or_now(n.occurred_at);
    it.subject = unsafe { opt_string(n.subject, &field("subject")) }?;
    it.body = unsafe { opt_string(n.body, &field("body")) }?;
    if let Some(json) = unsafe { opt_str(n.metadata_json, &field("metadata_json")) }? {
        it.metadata = parse_metadata(json)?;
    }
    it.campaign_id = (n.campaign_id != 0).then_some(n.campaign_id);
    it.ticket_id = (n.ticket_id != 0).then_some(n.ticket_id);
    Ok(it)
}

/// Records an interaction on a customer's timeline. The id goes to `*out_id` when `out_id` is not
/// NULL. Nothing is written on failure.
///
/// Errors: `CRM_NOT_FOUND` (no customer `customer_id`, no campaign `campaign_id` or ticket
/// `ticket_id`), `CRM_INVALID_INPUT` (an unknown channel,
/// direction or kind, metadata that is JSON but not an object, a subject over 500 characters, a
/// body over 1 MiB, a time outside years 1–9999; the message names the field), `CRM_PARSE`
/// (metadata that is not JSON; the message names the position), `CRM_INVALID_ARGUMENT` (NULL
/// `db`, `interaction` or `interaction->channel`, a bad `struct_size`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_add(
    db: *mut crm_db,
    interaction: *const crm_new_interaction,
    out_id: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_interaction_add", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(n) = (unsafe { versioned(interaction, "interaction") })? else {
            return Err(null("interaction"));
        };
        // SAFETY: the struct's pointers, per its contract.
        let it = unsafe { new_interaction(&n, "interaction") }?;
        let stored = db.crm.interactions().add(it)?;
        if !out_id.is_null() {
            // SAFETY: non-NULL and writable.
            unsafe { out_id.write(stored.id) };
        }
        Ok(())
    })
}

/// Records `n` interactions in one transaction: `interactions` is an array of `n` structs, each
/// initialised with `crm_new_interaction_init`. When `out_ids` is not NULL, it receives the `n`
/// new ids in order. If any entry is invalid, nothing is written and the message names the entry
/// (zero-based), e.g. `invalid row 2: channel "fax": must be one of …`.
///
/// Errors as for `crm_interaction_add`, per entry; `CRM_INVALID_ARGUMENT` also for `interactions`
/// NULL with `n` > 0 or entries of different `struct_size`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_add_many(
    db: *mut crm_db,
    n: usize,
    interactions: *const crm_new_interaction,
    out_ids: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_interaction_add_many", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or `n` structs, each of at least `struct_size` bytes.
        let items = unsafe { versioned_array(interactions, n, "interactions") }?;
        let rows = items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                // SAFETY: the struct's pointers, per its contract.
                unsafe { new_interaction(it, &format!("interactions[{i}]")) }.map_err(|e| match e {
                    // Already names the entry.
                    Error::InvalidArgument(_) => e,
                    e => e.in_row(i),
                })
            })
            .collect::<Result<_>>()?;
        let ids = db.crm.interactions().add_many(rows)?;
        if !out_ids.is_null() {
            // SAFETY: non-NULL, room for `n` ids by the contract.
            let out = unsafe { std::slice::from_raw_parts_mut(out_ids, n) };
            for (slot, id) in out.iter_mut().zip(ids) {
                *slot = id;
            }
        }
        Ok(())
    })
}

// ------------------------------------------------------------------------------------------------
// Get

/// Reads the interaction with this id into `*out`; free it with `crm_interaction_free`.
/// `CRM_NOT_FOUND` when there is none, `CRM_INVALID_ARGUMENT` for a NULL `db` or `out`; `*out` is
/// NULL on every failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_get(
    db: *mut crm_db,
    id: i64,
    out: *mut *mut crm_interaction,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_interaction_get", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        *out = boxed(crm_interaction::new(db.crm.interactions().get(id)?)?);
        Ok(())
    })
}

// ------------------------------------------------------------------------------------------------
// Timeline, find and count

/// The interactions returned by `crm_interaction_timeline` or `crm_interaction_find`, in order.
/// Free with `crm_interaction_list_free`.
#[derive(Debug)]
pub struct crm_interaction_list {
    items: Vec<crm_interaction>,
}

impl crm_interaction_list {
    fn new(items: Vec<Interaction>) -> Result<crm_interaction_list> {
        Ok(crm_interaction_list {
            items: items
                .into_iter()
                .map(crm_interaction::new)
                .collect::<Result<_>>()?,
        })
    }
}

/// Customer `customer_id`'s timeline: their interactions matching `filter` (NULL: all), newest
/// first (by `occurred_at`, then id) unless `options->order_by` is given, paged by `options`
/// (NULL: all). `*out` receives the list: free it with `crm_interaction_list_free`; NULL on
/// failure. `filter` stays the caller's (free it with `crm_filter_free`).
///
/// The fields a filter or `order_by` may name: `id`, `customer_id`, `channel`, `direction`,
/// `kind`, `occurred_at`, `subject`, `created_at`.
///
/// Errors: `CRM_NOT_FOUND` (no customer `customer_id`), `CRM_INVALID_INPUT` for an unknown field
/// in the filter or `order_by` (the message lists the known fields) or a value that does not fit
/// its field (an unknown channel), `CRM_INVALID_ARGUMENT` for a NULL `db` or `out`, a value of
/// the wrong type, a bad `options->struct_size` or a negative offset.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_timeline(
    db: *mut crm_db,
    customer_id: i64,
    filter: *const crm_filter,
    options: *const crm_find_options,
    out: *mut *mut crm_interaction_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_interaction_timeline", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let query = unsafe { query(filter, options) }?;
        let items = db.crm.interactions().timeline(customer_id, &query)?;
        *out = boxed(crm_interaction_list::new(items)?);
        Ok(())
    })
}

/// Finds the interactions of any customer matching `filter` (NULL: all; fields as for
/// `crm_interaction_timeline`), ordered and paged by `options` (NULL: by id, all). `*out`
/// receives the list: free it with `crm_interaction_list_free`; NULL on failure. `filter` stays
/// the caller's.
///
/// Errors as for `crm_interaction_timeline`, without `CRM_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_find(
    db: *mut crm_db,
    filter: *const crm_filter,
    options: *const crm_find_options,
    out: *mut *mut crm_interaction_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_interaction_find", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let query = unsafe { query(filter, options) }?;
        let items = db.crm.interactions().find(&query)?;
        *out = boxed(crm_interaction_list::new(items)?);
        Ok(())
    })
}

/// The number of interactions in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_list_len(list: *const crm_interaction_list) -> usize {
    guard_value("crm_interaction_list_len", 0, || {
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() }.map_or(0, |l| l.items.len())
    })
}

/// Interaction `i` of the list, or NULL when `i` is out of range. Borrowed: valid until the list
/// is freed; do not free it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_list_get(
    list: *const crm_interaction_list,
    i: usize,
) -> *const crm_interaction {
    guard_value("crm_interaction_list_get", ptr::null(), || {
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() }
            .and_then(|l| l.items.get(i))
            .map_or(ptr::null(), |it| it as *const crm_interaction)
    })
}

/// Frees a list from `crm_interaction_timeline` or `crm_interaction_find` and the interactions in
/// it. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_list_free(list: *mut crm_interaction_list) {
    guard_value("crm_interaction_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

/// Stores in `*out` how many interactions, of any customer, match `filter` (NULL: all; fields as
/// for `crm_interaction_timeline`; name `customer_id` for one customer's).
///
/// Errors: `CRM_INVALID_INPUT` for an unknown field (the message lists the known fields) or a
/// value that does not fit its field, `CRM_INVALID_ARGUMENT` for a NULL `db` or `out` or a value
/// of the wrong type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_interaction_count(
    db: *mut crm_db,
    filter: *const crm_filter,
    out: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_interaction_count", unsafe { db.as_mut() }, |db| {
        check_out(out, "out")?;
        // SAFETY: NULL or a live filter.
        let n = match unsafe { filter.as_ref() } {
            Some(f) => db.crm.interactions().count(&f.filter)?,
            None => db.crm.interactions().count(&Default::default())?,
        };
        // SAFETY: non-NULL (checked) and writable.
        unsafe { out.write(n) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm_code::*;
    use crate::db::{crm_close, crm_open};
    use crate::{crm_customer_add, crm_new_customer, crm_new_customer_init};
    use std::ffi::CStr;
    use std::mem::MaybeUninit;

    fn open() -> *mut crm_db {
        let mut db = ptr::null_mut();
        assert_eq!(
            unsafe { crm_open(c":memory:".as_ptr(), ptr::null(), &mut db) },
            0
        );
        let mut c = MaybeUninit::<crm_new_customer>::uninit();
        unsafe { crm_new_customer_init(c.as_mut_ptr(), size_of::<crm_new_customer>()) };
        let mut c = unsafe { c.assume_init() };
        c.name = c"Ada".as_ptr();
        assert_eq!(unsafe { crm_customer_add(db, &c, ptr::null_mut()) }, 0);
        db
    }

    fn new(channel: &CStr) -> crm_new_interaction {
        let mut n = MaybeUninit::<crm_new_interaction>::uninit();
        unsafe { crm_new_interaction_init(n.as_mut_ptr(), size_of::<crm_new_interaction>()) };
        let mut n = unsafe { n.assume_init() };
        n.customer_id = 1;
        n.channel = channel.as_ptr();
        n
    }

    fn s<'a>(p: *const c_char) -> &'a str {
        assert!(!p.is_null());
        unsafe { CStr::from_ptr(p) }.to_str().unwrap()
    }

    #[test]
    fn add_get_and_metadata_round_trip() {
        let db = open();
        let mut n = new(c"in_person");
        n.kind = c"visit".as_ptr();
        n.occurred_at = 1_000_000;
        n.metadata_json = c"{ \"store\": \"Lyon\", \"score\": 4 }".as_ptr();
        let mut id = 0;
        assert_eq!(unsafe { crm_interaction_add(db, &n, &mut id) }, 0);
        let mut it = ptr::null_mut();
        assert_eq!(unsafe { crm_interaction_get(db, id, &mut it) }, 0);
        assert_eq!(s(unsafe { crm_interaction_channel(it) }), "in_person");
        assert_eq!(s(unsafe { crm_interaction_direction(it) }), "inbound");
        assert_eq!(s(unsafe { crm_interaction_kind(it) }), "visit");
        let json = crm_core::model::interaction::parse_metadata(s(unsafe {
            crm_interaction_metadata_json(it)
        }))
        .unwrap();
        assert_eq!(json.get("store").and_then(|v| v.as_str()), Some("Lyon"));
        assert_eq!(json.get("score").and_then(|v| v.as_i64()), Some(4));
        assert!(unsafe { crm_interaction_subject(it) }.is_null());
        unsafe { crm_interaction_free(it) };
        unsafe { crm_close(db) };
    }

    #[test]
    fn batch_errors_name_the_entry() {
        let db = open();
        let items = [new(c"email"), new(c"fax")];
        let code = unsafe { crm_interaction_add_many(db, 2, items.as_ptr(), ptr::null_mut()) };
        assert_eq!(code, CRM_INVALID_INPUT as c_int);
        assert!(s(unsafe { crate::crm_errmsg(db) }).contains("row 1"));
        let items = [
            new(c"email"),
            crm_new_interaction {
                channel: ptr::null(),
                ..new(c"email")
            },
        ];
        let code = unsafe { crm_interaction_add_many(db, 2, items.as_ptr(), ptr::null_mut()) };
        assert_eq!(code, CRM_INVALID_ARGUMENT as c_int);
        assert!(s(unsafe { crate::crm_errmsg(db) }).contains("interactions[1].channel is NULL"));
        let mut n = -1;
        assert_eq!(unsafe { crm_interaction_count(db, ptr::null(), &mut n) }, 0);
        assert_eq!(n, 0);
        unsafe { crm_close(db) };
    }
}
