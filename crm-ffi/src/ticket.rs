//! Service tickets: the input structs, the opaque ticket and list objects with their accessors,
//! and the operations (open, get, find, count, update, assign, transition, reopen, comments,
//! history, delete, the work queue, statistics).
//!
//! The workflow, deadlines and statistics are crm-core's. As everywhere in the C API, an absent
//! time comes out as `CRM_TIME_NONE`, an undefined statistic as NaN, absent text as NULL.

use std::ffi::{CString, c_char, c_int};
use std::mem::offset_of;
use std::ptr;
use std::sync::OnceLock;

use crm_core::{
    Channel, Comment, Error, NewComment, NewTicket, QueueEntry, Result, StatusChange, Ticket,
    TicketPatch, TicketPriority, TicketStats, TicketStatus, Timestamp,
};

use crate::args::{
    Versioned, boxed, c_string, check_out, clear_out, init_versioned, null, opt_out_ptr, opt_ptr,
    opt_str, opt_string, out_ptr, read, req_str, static_name, time_or_now, versioned,
};
use crate::campaign::CRM_TIME_NONE;
use crate::customer::{CRM_TIME_NOW, crm_find_options, query};
use crate::db::crm_db;
use crate::error::{guard_db, guard_value};
use crate::filter::crm_filter;
use crate::sla::crm_sla_state;

/// The static C string of a priority (`"low"` …), valid for the whole program.
pub(crate) fn priority_name(priority: TicketPriority) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, TicketPriority::NAMES, priority.as_str())
}

/// The static C string of a status (`"new"` …), valid for the whole program.
fn status_name(status: TicketStatus) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, TicketStatus::NAMES, status.as_str())
}

/// The static C string of a channel (`"email"` …), valid for the whole program.
fn channel_name(channel: Channel) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, Channel::NAMES, channel.as_str())
}

/// Microseconds of an optional time.
fn micros(t: Option<Timestamp>) -> Option<i64> {
    t.map(Timestamp::as_micros)
}

// ------------------------------------------------------------------------------------------------
// The ticket object

/// A ticket as stored. Returned by `crm_ticket_get`, `crm_ticket_update`, `crm_ticket_assign`,
/// `crm_ticket_transition` and `crm_ticket_reopen` (free it with `crm_ticket_free`), or borrowed
/// from a `crm_ticket_list` or `crm_ticket_queue_list`. It is a copy: it stays valid after the
/// handle is closed and does not change when the store does. Its strings are valid until it is
/// freed. Times are microseconds since the epoch (UTC).
#[derive(Debug)]
pub struct crm_ticket {
    id: i64,
    customer_id: i64,
    subject: CString,
    body: Option<CString>,
    channel: Channel,
    category: Option<CString>,
    priority: TicketPriority,
    status: TicketStatus,
    assignee: Option<CString>,
    created_at: i64,
    updated_at: i64,
    first_response_at: Option<i64>,
    resolved_at: Option<i64>,
    closed_at: Option<i64>,
    version: i64,
    first_response_due: Option<i64>,
    resolution_due: Option<i64>,
    next_due: Option<i64>,
}

impl crm_ticket {
    fn new(t: Ticket) -> Result<crm_ticket> {
        let id = t.id;
        let text = |s: &str, field: &str| c_string(s, || format!("ticket {id} {field}"));
        let opt =
            |s: &Option<String>, field: &str| s.as_deref().map(|s| text(s, field)).transpose();
        Ok(crm_ticket {
            id,
            customer_id: t.customer_id,
            subject: text(&t.subject, "subject")?,
            body: opt(&t.body, "body")?,
            channel: t.channel,
            category: opt(&t.category, "category")?,
            priority: t.priority,
            status: t.status,
            assignee: opt(&t.assignee, "assignee")?,
            created_at: t.created_at.as_micros(),
            updated_at: t.updated_at.as_micros(),
            first_response_at: micros(t.first_response_at),
            resolved_at: micros(t.resolved_at),
            closed_at: micros(t.closed_at),
            version: t.version,
            first_response_due: micros(t.first_response_due),
            resolution_due: micros(t.resolution_due),
            next_due: micros(t.next_due()),
        })
    }
}

/// The ticket's id; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_id(ticket: *const crm_ticket) -> i64 {
    // SAFETY: NULL or a live ticket.
    read("crm_ticket_id", unsafe { ticket.as_ref() }, 0, |t| t.id)
}

/// The id of the customer the ticket belongs to; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_customer_id(ticket: *const crm_ticket) -> i64 {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_customer_id",
        unsafe { ticket.as_ref() },
        0,
        |t| t.customer_id,
    )
}

/// The one-line summary (trimmed); NULL for a NULL `ticket`. Valid until the ticket is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_subject(ticket: *const crm_ticket) -> *const c_char {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_subject",
        unsafe { ticket.as_ref() },
        ptr::null(),
        |t| t.subject.as_ptr(),
    )
}

/// The request in full, or NULL when it has none (or `ticket` is NULL). Valid until the ticket
/// is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_body(ticket: *const crm_ticket) -> *const c_char {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_body",
        unsafe { ticket.as_ref() },
        ptr::null(),
        |t| opt_ptr(&t.body),
    )
}

/// How the request came in: `"email"`, `"phone"`, `"chat"`, `"sms"`, `"social"`, `"web"` or
/// `"in_person"`. A static string; NULL for a NULL `ticket`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_channel(ticket: *const crm_ticket) -> *const c_char {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_channel",
        unsafe { ticket.as_ref() },
        ptr::null(),
        |t| channel_name(t.channel),
    )
}

/// The category (lower-case), or NULL when it has none (or `ticket` is NULL). Valid until the
/// ticket is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_category(ticket: *const crm_ticket) -> *const c_char {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_category",
        unsafe { ticket.as_ref() },
        ptr::null(),
        |t| opt_ptr(&t.category),
    )
}

/// The priority: `"low"`, `"normal"`, `"high"` or `"urgent"`. A static string; NULL for a NULL
/// `ticket`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_priority(ticket: *const crm_ticket) -> *const c_char {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_priority",
        unsafe { ticket.as_ref() },
        ptr::null(),
        |t| priority_name(t.priority),
    )
}

/// Where the ticket is in its workflow: `"new"`, `"open"`, `"pending"`, `"resolved"` or
/// `"closed"`. A static string; NULL for a NULL `ticket`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_status(ticket: *const crm_ticket) -> *const c_char {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_status",
        unsafe { ticket.as_ref() },
        ptr::null(),
        |t| status_name(t.status),
    )
}

/// Who works on it, or NULL when it is unassigned (or `ticket` is NULL). Valid until the ticket
/// is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_assignee(ticket: *const crm_ticket) -> *const c_char {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_assignee",
        unsafe { ticket.as_ref() },
        ptr::null(),
        |t| opt_ptr(&t.assignee),
    )
}

/// When the customer raised it (in the past for imported tickets); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_created_at(ticket: *const crm_ticket) -> i64 {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_created_at",
        unsafe { ticket.as_ref() },
        0,
        |t| t.created_at,
    )
}

/// When the ticket record last changed (by the handle's clock); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_updated_at(ticket: *const crm_ticket) -> i64 {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_updated_at",
        unsafe { ticket.as_ref() },
        0,
        |t| t.updated_at,
    )
}

/// When the first public comment was written (the first response); `CRM_TIME_NONE` when there
/// is none (or for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_first_response_at(ticket: *const crm_ticket) -> i64 {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_first_response_at",
        unsafe { ticket.as_ref() },
        CRM_TIME_NONE,
        |t| t.first_response_at.unwrap_or(CRM_TIME_NONE),
    )
}

/// When it was resolved; `CRM_TIME_NONE` when it is not (a reopen clears it) or for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_resolved_at(ticket: *const crm_ticket) -> i64 {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_resolved_at",
        unsafe { ticket.as_ref() },
        CRM_TIME_NONE,
        |t| t.resolved_at.unwrap_or(CRM_TIME_NONE),
    )
}

/// When it was closed; `CRM_TIME_NONE` when it is not (or for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_closed_at(ticket: *const crm_ticket) -> i64 {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_closed_at",
        unsafe { ticket.as_ref() },
        CRM_TIME_NONE,
        |t| t.closed_at.unwrap_or(CRM_TIME_NONE),
    )
}

/// The version: 1 when opened, one more for every change. Pass it back as
/// `crm_ticket_patch.expected_version`. 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_version(ticket: *const crm_ticket) -> i64 {
    // SAFETY: NULL or a live ticket.
    read("crm_ticket_version", unsafe { ticket.as_ref() }, 0, |t| {
        t.version
    })
}

/// When the first response is due, while it is still awaited; `CRM_TIME_NONE` without an SLA
/// policy for the ticket's priority, once answered or resolved, or for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_first_response_due(ticket: *const crm_ticket) -> i64 {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_first_response_due",
        unsafe { ticket.as_ref() },
        CRM_TIME_NONE,
        |t| t.first_response_due.unwrap_or(CRM_TIME_NONE),
    )
}

/// When the resolution is due, while the resolution clock runs; `CRM_TIME_NONE` without an SLA
/// policy, once resolved, while pending, or for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_resolution_due(ticket: *const crm_ticket) -> i64 {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_resolution_due",
        unsafe { ticket.as_ref() },
        CRM_TIME_NONE,
        |t| t.resolution_due.unwrap_or(CRM_TIME_NONE),
    )
}

/// The earlier of the pending deadlines (what the work queue orders by); `CRM_TIME_NONE` when
/// there is none (or for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_next_due(ticket: *const crm_ticket) -> i64 {
    // SAFETY: NULL or a live ticket.
    read(
        "crm_ticket_next_due",
        unsafe { ticket.as_ref() },
        CRM_TIME_NONE,
        |t| t.next_due.unwrap_or(CRM_TIME_NONE),
    )
}

/// Frees a ticket returned by `crm_ticket_get`, `crm_ticket_update`, `crm_ticket_assign`,
/// `crm_ticket_transition` or `crm_ticket_reopen`. Does nothing when `ticket` is NULL. Never pass
/// a ticket borrowed from a list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_free(ticket: *mut crm_ticket) {
    guard_value("crm_ticket_free", (), || {
        if !ticket.is_null() {
            // SAFETY: a ticket from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(ticket) });
        }
    })
}

/// Stores `ticket` in `*out` when the caller asked for it.
fn give(out: Option<&mut *mut crm_ticket>, ticket: Ticket) -> Result<()> {
    if let Some(out) = out {
        *out = boxed(crm_ticket::new(ticket)?);
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// Open and get

/// A ticket to open. Initialise with `crm_new_ticket_init`; `customer_id`, `subject` and
/// `channel` are required. Strings are NUL-terminated UTF-8, copied; NULL means absent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_new_ticket {
    /// Size of this struct as the caller knows it; set by `crm_new_ticket_init`.
    pub struct_size: u32,
    /// Whose ticket (must exist).
    pub customer_id: i64,
    /// One-line summary (required; trimmed, at most 500 characters).
    pub subject: *const c_char,
    /// The request in full (at most 1 MiB; blank means none).
    pub body: *const c_char,
    /// How the request came in (required): `"email"`, `"phone"`, `"chat"`, `"sms"`, `"social"`,
    /// `"web"` or `"in_person"`.
    pub channel: *const c_char,
    /// Category (trimmed, lower-cased, at most 100 characters). NULL or blank: none.
    pub category: *const c_char,
    /// `"low"`, `"normal"`, `"high"` or `"urgent"`. NULL: normal.
    pub priority: *const c_char,
    /// Who works on it (trimmed). NULL or blank: unassigned.
    pub assignee: *const c_char,
    /// When the customer raised it, microseconds since the epoch (UTC); a past instant imports
    /// an old ticket (its SLA clocks start then). `CRM_TIME_NOW` (the default): the handle's
    /// clock.
    pub created_at: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `created_at`.
unsafe impl Versioned for crm_new_ticket {
    const V1_SIZE: usize = offset_of!(crm_new_ticket, created_at) + size_of::<i64>();
    const INIT: &'static str = "crm_new_ticket_init";
    const DEFAULTS: Self = crm_new_ticket {
        struct_size: size_of::<crm_new_ticket>() as u32,
        customer_id: 0,
        subject: ptr::null(),
        body: ptr::null(),
        channel: ptr::null(),
        category: ptr::null(),
        priority: ptr::null(),
        assignee: ptr::null(),
        created_at: CRM_TIME_NOW,
    };
}

/// Clears `ticket` (no customer, subject or channel, normal priority, unassigned, raised now) and
/// sets `struct_size`. Does nothing when `ticket` is NULL.
/// Pass the struct's size as your header declares it: `crm_new_ticket_init(&ticket, sizeof ticket)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_new_ticket_init(ticket: *mut crm_new_ticket, size: usize) {
    guard_value("crm_new_ticket_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(ticket, size) }
    })
}

/// Converts the C struct; parsing and validation are crm-core's.
///
/// # Safety
/// The pointers in `n` are NULL or valid as documented on [`crm_new_ticket`].
unsafe fn new_ticket(n: &crm_new_ticket) -> Result<NewTicket> {
    // SAFETY (all): the caller's contract on the fields.
    let subject = unsafe { req_str(n.subject, "ticket->subject") }?;
    let channel: Channel = unsafe { req_str(n.channel, "ticket->channel") }?.parse()?;
    let mut t = NewTicket::new(n.customer_id, subject, channel);
    t.body = unsafe { opt_string(n.body, "ticket->body") }?;
    t.category = unsafe { opt_string(n.category, "ticket->category") }?;
    if let Some(priority) = unsafe { opt_str(n.priority, "ticket->priority") }? {
        t.priority = priority.parse()?;
    }
    t.assignee = unsafe { opt_string(n.assignee, "ticket->assignee") }?;
    t.created_at = time_or_now(n.created_at);
    Ok(t)
}

/// Opens a ticket: status new, its history starting with the creation at `created_at`, its SLA
/// deadlines set from the policy of its priority. The request also goes on the customer's
/// timeline as an inbound message linked to the ticket. Recorded in the audit trail. The id goes
/// to `*out_id` when `out_id` is not NULL. Nothing is written on failure.
///
/// Errors: `CRM_NOT_FOUND` (no customer `customer_id`), `CRM_INVALID_INPUT` (a blank or too long
/// subject, an unknown channel or priority, a bad category, a `created_at` in the future or
/// outside years 1–9999; the message names the field), `CRM_INVALID_ARGUMENT` (NULL `db`,
/// `ticket`, `ticket->subject` or `ticket->channel`, a bad `struct_size`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_open(
    db: *mut crm_db,
    ticket: *const crm_new_ticket,
    out_id: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_open", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(n) = (unsafe { versioned(ticket, "ticket") })? else {
            return Err(null("ticket"));
        };
        // SAFETY: the struct's pointers, per its contract.
        let t = unsafe { new_ticket(&n) }?;
        let stored = db.crm.tickets().open(t)?;
        if !out_id.is_null() {
            // SAFETY: non-NULL and writable.
            unsafe { out_id.write(stored.id) };
        }
        Ok(())
    })
}

/// Reads the ticket with this id into `*out`; free it with `crm_ticket_free`.
///
/// Errors: `CRM_NOT_FOUND` (no ticket `id`), `CRM_INVALID_ARGUMENT` (NULL `db` or `out`); `*out`
/// is NULL on every failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_get(
    db: *mut crm_db,
    id: i64,
    out: *mut *mut crm_ticket,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_get", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        *out = boxed(crm_ticket::new(db.crm.tickets().get(id)?)?);
        Ok(())
    })
}

// ------------------------------------------------------------------------------------------------
// Find and count

/// The tickets found by `crm_ticket_find`, in order. Free with `crm_ticket_list_free`.
#[derive(Debug)]
pub struct crm_ticket_list {
    items: Vec<crm_ticket>,
}

/// Finds the tickets matching `filter` (NULL: all), ordered and paged by `options` (NULL: by id,
/// all). `*out` receives the list: free it with `crm_ticket_list_free`; NULL on failure. `filter`
/// stays the caller's (free it with `crm_filter_free`).
///
/// The fields a filter or `order_by` may name: `id`, `customer_id`, `subject`, `channel`,
/// `category`, `priority`, `status`, `assignee`, `created_at`, `updated_at`,
/// `first_response_at`, `resolved_at`, `closed_at`, `next_due`. `priority` compares and sorts by
/// rank (`priority >= 'high'` is high and urgent).
///
/// Errors: `CRM_INVALID_INPUT` for an unknown field in the filter or `order_by` (the message
/// lists the known fields) or a value that does not fit its field (an unknown status),
/// `CRM_INVALID_ARGUMENT` for a NULL `db` or `out`, a value of the wrong type, a bad
/// `options->struct_size` or a negative offset.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_find(
    db: *mut crm_db,
    filter: *const crm_filter,
    options: *const crm_find_options,
    out: *mut *mut crm_ticket_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_find", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let query = unsafe { query(filter, options) }?;
        let items = db
            .crm
            .tickets()
            .find(&query)?
            .into_iter()
            .map(crm_ticket::new)
            .collect::<Result<_>>()?;
        *out = boxed(crm_ticket_list { items });
        Ok(())
    })
}

/// The number of tickets in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_list_len(list: *const crm_ticket_list) -> usize {
    // SAFETY: NULL or a live list.
    read("crm_ticket_list_len", unsafe { list.as_ref() }, 0, |l| {
        l.items.len()
    })
}

/// Ticket `i` of the list, or NULL when `i` is out of range. Borrowed: valid until the list is
/// freed; do not free it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_list_get(
    list: *const crm_ticket_list,
    i: usize,
) -> *const crm_ticket {
    // SAFETY: NULL or a live list.
    read(
        "crm_ticket_list_get",
        unsafe { list.as_ref() },
        ptr::null(),
        |l| {
            l.items
                .get(i)
                .map_or(ptr::null(), |t| t as *const crm_ticket)
        },
    )
}

/// Frees a list from `crm_ticket_find` and the tickets in it. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_list_free(list: *mut crm_ticket_list) {
    guard_value("crm_ticket_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

/// Stores in `*out` how many tickets match `filter` (NULL: all; fields as for
/// `crm_ticket_find`).
///
/// Errors: `CRM_INVALID_INPUT` for an unknown field (the message lists the known fields) or a
/// value that does not fit its field, `CRM_INVALID_ARGUMENT` for a NULL `db` or `out` or a value
/// of the wrong type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_count(
    db: *mut crm_db,
    filter: *const crm_filter,
    out: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_count", unsafe { db.as_mut() }, |db| {
        check_out(out, "out")?;
        // SAFETY: NULL or a live filter.
        let n = match unsafe { filter.as_ref() } {
            Some(f) => db.crm.tickets().count(&f.filter)?,
            None => db.crm.tickets().count(&Default::default())?,
        };
        // SAFETY: non-NULL (checked) and writable.
        unsafe { out.write(n) };
        Ok(())
    })
}

// ------------------------------------------------------------------------------------------------
// Update, assign, transitions, delete

/// `crm_ticket_patch.set`: change `subject`.
pub const CRM_TICKET_SET_SUBJECT: u32 = 1;
/// `crm_ticket_patch.set`: change `category`.
pub const CRM_TICKET_SET_CATEGORY: u32 = 2;
/// `crm_ticket_patch.set`: change `priority`.
pub const CRM_TICKET_SET_PRIORITY: u32 = 4;
/// `crm_ticket_patch.set`: change `assignee`.
pub const CRM_TICKET_SET_ASSIGNEE: u32 = 8;

/// Every `CRM_TICKET_SET_*` bit this version knows.
const TICKET_SET_KNOWN: u32 = CRM_TICKET_SET_SUBJECT
    | CRM_TICKET_SET_CATEGORY
    | CRM_TICKET_SET_PRIORITY
    | CRM_TICKET_SET_ASSIGNEE;

/// A partial update of a ticket's descriptive fields. Initialise with `crm_ticket_patch_init`,
/// set the fields to change and their `CRM_TICKET_SET_*` bits in `set`; fields whose bit is clear
/// are not read. A NULL (or blank) value with its bit set clears `category` or `assignee`; `subject` and
/// `priority` cannot be cleared (`CRM_INVALID_ARGUMENT`). The status changes through
/// `crm_ticket_transition`, not through a patch. Pass it to `crm_ticket_update`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_ticket_patch {
    /// Size of this struct as the caller knows it; set by `crm_ticket_patch_init`.
    pub struct_size: u32,
    /// Which fields to change: `CRM_TICKET_SET_*` bits, or-ed together.
    pub set: u32,
    /// New subject (`CRM_TICKET_SET_SUBJECT`).
    pub subject: *const c_char,
    /// New category (`CRM_TICKET_SET_CATEGORY`); NULL or blank removes it.
    pub category: *const c_char,
    /// New priority (`CRM_TICKET_SET_PRIORITY`): `"low"`, `"normal"`, `"high"` or `"urgent"`.
    /// The SLA deadlines follow the new priority's policy, counted from the ticket's creation.
    pub priority: *const c_char,
    /// New assignee (`CRM_TICKET_SET_ASSIGNEE`); NULL or blank unassigns.
    pub assignee: *const c_char,
    /// When not 0, the update is refused with `CRM_CONFLICT` unless the stored version is this
    /// one (optimistic concurrency). 0: do not check.
    pub expected_version: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `expected_version`.
unsafe impl Versioned for crm_ticket_patch {
    const V1_SIZE: usize = offset_of!(crm_ticket_patch, expected_version) + size_of::<i64>();
    const INIT: &'static str = "crm_ticket_patch_init";
    const DEFAULTS: Self = crm_ticket_patch {
        struct_size: size_of::<crm_ticket_patch>() as u32,
        set: 0,
        subject: ptr::null(),
        category: ptr::null(),
        priority: ptr::null(),
        assignee: ptr::null(),
        expected_version: 0,
    };
}

/// Clears `update` (no field set, no version check) and sets `struct_size`. Does nothing when
/// `update` is NULL.
/// Pass the struct's size as your header declares it: `crm_ticket_patch_init(&update, sizeof update)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_patch_init(update: *mut crm_ticket_patch, size: usize) {
    guard_value("crm_ticket_patch_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(update, size) }
    })
}

/// Converts the C struct to a patch and its expected version; validation is crm-core's.
///
/// # Safety
/// The pointers in `u` whose bit is set are NULL or valid as documented.
unsafe fn patch(u: &crm_ticket_patch) -> Result<(TicketPatch, Option<i64>)> {
    let unknown = u.set & !TICKET_SET_KNOWN;
    if unknown != 0 {
        return Err(Error::InvalidArgument(format!(
            "update->set has unknown bits {unknown:#x} (known: CRM_TICKET_SET_* up to \
             CRM_TICKET_SET_ASSIGNEE)"
        )));
    }
    let has = |bit: u32| u.set & bit != 0;
    let cannot_clear = |field: &str| {
        Error::InvalidArgument(format!(
            "update->{field} is NULL, but a ticket's {field} cannot be removed"
        ))
    };
    let mut p = TicketPatch::default();
    // SAFETY (all): the caller's contract on the fields.
    if has(CRM_TICKET_SET_SUBJECT) {
        let subject = unsafe { opt_string(u.subject, "update->subject") }?;
        p.subject = Some(subject.ok_or_else(|| cannot_clear("subject"))?);
    }
    if has(CRM_TICKET_SET_CATEGORY) {
        p.category = Some(unsafe { opt_string(u.category, "update->category") }?);
    }
    if has(CRM_TICKET_SET_PRIORITY) {
        let priority = unsafe { opt_str(u.priority, "update->priority") }?;
        p.priority = Some(priority.ok_or_else(|| cannot_clear("priority"))?.parse()?);
    }
    if has(CRM_TICKET_SET_ASSIGNEE) {
        p.assignee = Some(unsafe { opt_string(u.assignee, "update->assignee") }?);
    }
    let expected = (u.expected_version != 0).then_some(u.expected_version);
    Ok((p, expected))
}

/// Changes the fields of ticket `id` named by `update->set`, in one transaction. When `out` is
/// not NULL, `*out` receives the stored result (free it with `crm_ticket_free`; NULL on failure).
/// The version goes up by one when anything changed; an update that changes nothing writes
/// nothing. Recorded in the audit trail.
///
/// Errors: `CRM_NOT_FOUND` (no ticket `id`), `CRM_CONFLICT` (stale `expected_version`; nothing
/// changed), `CRM_INVALID_INPUT` (a value fails validation, an unknown priority; the message
/// names the field), `CRM_INVALID_ARGUMENT` (NULL `db` or `update`, a bad `struct_size`, unknown
/// `set` bits, a NULL subject or priority with its bit set, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_update(
    db: *mut crm_db,
    id: i64,
    update: *const crm_ticket_patch,
    out: *mut *mut crm_ticket,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_update", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { opt_out_ptr(out) };
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(u) = (unsafe { versioned(update, "update") })? else {
            return Err(null("update"));
        };
        // SAFETY: the struct's pointers, per its contract.
        let (patch, expected) = unsafe { patch(&u) }?;
        give(out, db.crm.tickets().update(id, &patch, expected)?)
    })
}

/// Assigns ticket `id` to `assignee` (trimmed); NULL or blank unassigns. `*out` as for
/// `crm_ticket_update`. Assigning to the current assignee changes nothing.
///
/// Errors: `CRM_NOT_FOUND` (no ticket `id`), `CRM_INVALID_INPUT` (an assignee with control
/// characters or too long), `CRM_INVALID_ARGUMENT` (NULL `db`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_assign(
    db: *mut crm_db,
    id: i64,
    assignee: *const c_char,
    out: *mut *mut crm_ticket,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_assign", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable / NUL-terminated.
        let out = unsafe { opt_out_ptr(out) };
        let assignee = unsafe { opt_str(assignee, "assignee") }?;
        give(out, db.crm.tickets().assign(id, assignee)?)
    })
}

/// Moves ticket `id` to status `to` (`"new"`, `"open"`, `"pending"`, `"resolved"` or `"closed"`)
/// at `at` (`CRM_TIME_NOW`: the handle's clock), recording the step in its history. Resolving
/// sets `resolved_at`, closing sets `closed_at`; pending stops the resolution clock. The workflow:
/// new → open, pending or resolved; open ↔ pending; open or pending → resolved; resolved → open
/// (a reopen) or closed; closed is final. `*out` as for `crm_ticket_update`.
///
/// Errors: `CRM_ILLEGAL_TRANSITION` (the workflow does not allow it, staying in the same status
/// included; the message names both statuses), `CRM_NOT_FOUND` (no ticket `id`),
/// `CRM_INVALID_INPUT` (an unknown status, an `at` in the future or before the ticket's last
/// status change), `CRM_INVALID_ARGUMENT` (NULL `db` or `to`, invalid UTF-8). Nothing is written
/// on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_transition(
    db: *mut crm_db,
    id: i64,
    to: *const c_char,
    at: i64,
    out: *mut *mut crm_ticket,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_transition", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable / NUL-terminated.
        let out = unsafe { opt_out_ptr(out) };
        let to: TicketStatus = unsafe { req_str(to, "to") }?.parse()?;
        give(out, db.crm.tickets().transition(id, to, time_or_now(at))?)
    })
}

/// Reopens resolved ticket `id` (resolved → open) at `at` (`CRM_TIME_NOW`: the handle's clock);
/// `resolved_at` is cleared and the resolution clock continues from where it stopped. `*out` as
/// for `crm_ticket_update`.
///
/// Errors: `CRM_ILLEGAL_TRANSITION` (a closed ticket — open a follow-up ticket instead —, or an
/// open one), `CRM_INVALID_INPUT` (a new or pending ticket: use `crm_ticket_transition`; an `at`
/// in the future or out of order), `CRM_NOT_FOUND` (no ticket `id`), `CRM_INVALID_ARGUMENT`
/// (NULL `db`). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_reopen(
    db: *mut crm_db,
    id: i64,
    at: i64,
    out: *mut *mut crm_ticket,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_reopen", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { opt_out_ptr(out) };
        give(out, db.crm.tickets().reopen(id, time_or_now(at))?)
    })
}

/// Deletes ticket `id` with its comments and history. Recorded in the audit trail.
///
/// Errors: `CRM_NOT_FOUND` (no ticket `id`), `CRM_INVALID_ARGUMENT` (NULL `db`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_delete(db: *mut crm_db, id: i64) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_delete", unsafe { db.as_mut() }, |db| {
        db.crm.tickets().delete(id)
    })
}

// ------------------------------------------------------------------------------------------------
// Comments

/// A comment to add to a ticket. Initialise with `crm_new_ticket_comment_init`; `body` is
/// required. Strings are NUL-terminated UTF-8, copied; NULL means absent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_new_ticket_comment {
    /// Size of this struct as the caller knows it; set by `crm_new_ticket_comment_init`.
    pub struct_size: u32,
    /// The text (required; not blank, at most 1 MiB).
    pub body: *const c_char,
    /// Not 0: an internal note the customer does not see. 0 (the default): a public comment;
    /// the earliest public comment is the ticket's first response.
    pub internal: c_int,
    /// Who wrote it (trimmed). NULL or blank: the handle's principal.
    pub author: *const c_char,
    /// When it was written, microseconds since the epoch (UTC): not in the future, not before
    /// the ticket was created. `CRM_TIME_NOW` (the default): the handle's clock.
    pub at: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `at`.
unsafe impl Versioned for crm_new_ticket_comment {
    const V1_SIZE: usize = offset_of!(crm_new_ticket_comment, at) + size_of::<i64>();
    const INIT: &'static str = "crm_new_ticket_comment_init";
    const DEFAULTS: Self = crm_new_ticket_comment {
        struct_size: size_of::<crm_new_ticket_comment>() as u32,
        body: ptr::null(),
        internal: 0,
        author: ptr::null(),
        at: CRM_TIME_NOW,
    };
}

/// Clears `comment` (no body, public, by the handle's principal, now) and sets `struct_size`.
/// Does nothing when `comment` is NULL.
/// Pass the struct's size as your header declares it: `crm_new_ticket_comment_init(&comment, sizeof comment)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_new_ticket_comment_init(
    comment: *mut crm_new_ticket_comment,
    size: usize,
) {
    guard_value("crm_new_ticket_comment_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(comment, size) }
    })
}

/// Adds a comment to ticket `ticket_id`. The earliest public comment sets the ticket's
/// `first_response_at` (and its version goes up), which stops its first-response clock; internal
/// notes and later public comments leave the ticket as it is. Recorded in the audit trail. The
/// comment's id goes to `*out_id` when `out_id` is not NULL. Nothing is written on failure.
///
/// Errors: `CRM_NOT_FOUND` (no ticket `ticket_id`), `CRM_INVALID_INPUT` (a blank body, an author
/// with control characters, an `at` in the future or before the ticket was created, a closed ticket — closed is
/// final: open a follow-up), `CRM_INVALID_ARGUMENT` (NULL `db`, `comment` or `comment->body`, a
/// bad `struct_size`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_comment_add(
    db: *mut crm_db,
    ticket_id: i64,
    comment: *const crm_new_ticket_comment,
    out_id: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_comment_add", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(c) = (unsafe { versioned(comment, "comment") })? else {
            return Err(null("comment"));
        };
        // SAFETY (both): NULL or NUL-terminated, per the struct's contract.
        let mut new = NewComment::new(unsafe { req_str(c.body, "comment->body") }?);
        new.public = c.internal == 0;
        new.author = unsafe { opt_string(c.author, "comment->author") }?;
        new.at = time_or_now(c.at);
        let stored = db.crm.tickets().comment(ticket_id, new)?;
        if !out_id.is_null() {
            // SAFETY: non-NULL and writable.
            unsafe { out_id.write(stored.id) };
        }
        Ok(())
    })
}

/// One comment of a `crm_ticket_comment_list`.
#[derive(Debug)]
struct CommentRow {
    id: i64,
    body: CString,
    public: bool,
    author: CString,
    at: i64,
}

impl CommentRow {
    fn new(c: Comment) -> Result<CommentRow> {
        let id = c.id;
        let text = |s: &str, field: &str| c_string(s, || format!("ticket comment {id} {field}"));
        Ok(CommentRow {
            id,
            body: text(&c.body, "body")?,
            public: c.public,
            author: text(&c.author, "author")?,
            at: c.at.as_micros(),
        })
    }
}

/// A ticket's comments from `crm_ticket_comments`, oldest first. Read them by index (0 to
/// `crm_ticket_comment_list_len` - 1); free the list with `crm_ticket_comment_list_free`. It is a
/// copy: it stays valid after the handle is closed. Its strings are valid until it is freed.
#[derive(Debug)]
pub struct crm_ticket_comment_list {
    items: Vec<CommentRow>,
}

/// The guard of a row accessor: `f` of comment `i`, or `fallback` for a NULL list or an `i` out
/// of range (or after a panic).
fn read_comment<T: Copy>(
    name: &'static str,
    list: Option<&crm_ticket_comment_list>,
    i: usize,
    fallback: T,
    f: impl FnOnce(&CommentRow) -> T,
) -> T {
    read(name, list, fallback, |l| l.items.get(i).map_or(fallback, f))
}

/// Reads the comments of ticket `ticket_id`, oldest first. `*out` receives the list: free it with
/// `crm_ticket_comment_list_free`; NULL on failure.
///
/// Errors: `CRM_NOT_FOUND` (no ticket `ticket_id`), `CRM_INVALID_ARGUMENT` (NULL `db` or `out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_comments(
    db: *mut crm_db,
    ticket_id: i64,
    out: *mut *mut crm_ticket_comment_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_comments", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        let items = db
            .crm
            .tickets()
            .comments(ticket_id)?
            .into_iter()
            .map(CommentRow::new)
            .collect::<Result<_>>()?;
        *out = boxed(crm_ticket_comment_list { items });
        Ok(())
    })
}

/// The number of comments in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_comment_list_len(
    list: *const crm_ticket_comment_list,
) -> usize {
    // SAFETY: NULL or a live list.
    read(
        "crm_ticket_comment_list_len",
        unsafe { list.as_ref() },
        0,
        |l| l.items.len(),
    )
}

/// The id of comment `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_comment_list_id(
    list: *const crm_ticket_comment_list,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live list.
    read_comment(
        "crm_ticket_comment_list_id",
        unsafe { list.as_ref() },
        i,
        0,
        |c| c.id,
    )
}

/// The text of comment `i`, or NULL when `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_comment_list_body(
    list: *const crm_ticket_comment_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_comment(
        "crm_ticket_comment_list_body",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |c| c.body.as_ptr(),
    )
}

/// 1 when comment `i` is public (the customer sees it), 0 for an internal note or when `i` is out
/// of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_comment_list_public(
    list: *const crm_ticket_comment_list,
    i: usize,
) -> c_int {
    // SAFETY: NULL or a live list.
    read_comment(
        "crm_ticket_comment_list_public",
        unsafe { list.as_ref() },
        i,
        0,
        |c| c_int::from(c.public),
    )
}

/// Who wrote comment `i`, or NULL when `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_comment_list_author(
    list: *const crm_ticket_comment_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_comment(
        "crm_ticket_comment_list_author",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |c| c.author.as_ptr(),
    )
}

/// When comment `i` was written, in microseconds since the epoch (UTC); 0 when `i` is out of
/// range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_comment_list_at(
    list: *const crm_ticket_comment_list,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live list.
    read_comment(
        "crm_ticket_comment_list_at",
        unsafe { list.as_ref() },
        i,
        0,
        |c| c.at,
    )
}

/// Frees a list from `crm_ticket_comments`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_comment_list_free(list: *mut crm_ticket_comment_list) {
    guard_value("crm_ticket_comment_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// History

/// One step of a `crm_ticket_history_list`.
#[derive(Debug)]
struct HistoryRow {
    from: Option<TicketStatus>,
    to: TicketStatus,
    at: i64,
    by: CString,
}

impl HistoryRow {
    fn new(h: StatusChange) -> Result<HistoryRow> {
        let ticket = h.ticket_id;
        Ok(HistoryRow {
            from: h.from,
            to: h.to,
            at: h.at.as_micros(),
            by: c_string(&h.by, || format!("ticket {ticket} history author"))?,
        })
    }
}

/// A ticket's status history from `crm_ticket_history`, oldest first, starting with its creation
/// (from none to new). Read it by index (0 to `crm_ticket_history_list_len` - 1); free it with
/// `crm_ticket_history_list_free`. It is a copy: it stays valid after the handle is closed.
#[derive(Debug)]
pub struct crm_ticket_history_list {
    items: Vec<HistoryRow>,
}

/// The guard of a row accessor: `f` of step `i`, or `fallback` for a NULL list or an `i` out of
/// range (or after a panic).
fn read_step<T: Copy>(
    name: &'static str,
    list: Option<&crm_ticket_history_list>,
    i: usize,
    fallback: T,
    f: impl FnOnce(&HistoryRow) -> T,
) -> T {
    read(name, list, fallback, |l| l.items.get(i).map_or(fallback, f))
}

/// Reads the status history of ticket `id`, oldest first. `*out` receives the list: free it with
/// `crm_ticket_history_list_free`; NULL on failure.
///
/// Errors: `CRM_NOT_FOUND` (no ticket `id`), `CRM_INVALID_ARGUMENT` (NULL `db` or `out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_history(
    db: *mut crm_db,
    id: i64,
    out: *mut *mut crm_ticket_history_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_history", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        let items = db
            .crm
            .tickets()
            .history(id)?
            .into_iter()
            .map(HistoryRow::new)
            .collect::<Result<_>>()?;
        *out = boxed(crm_ticket_history_list { items });
        Ok(())
    })
}

/// The number of steps in the history; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_history_list_len(
    list: *const crm_ticket_history_list,
) -> usize {
    // SAFETY: NULL or a live list.
    read(
        "crm_ticket_history_list_len",
        unsafe { list.as_ref() },
        0,
        |l| l.items.len(),
    )
}

/// The status step `i` left (`"new"` …), a static string; NULL for the creation step (the first)
/// and when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_history_list_from(
    list: *const crm_ticket_history_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_step(
        "crm_ticket_history_list_from",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |h| h.from.map_or(ptr::null(), status_name),
    )
}

/// The status step `i` entered (`"new"` …), a static string; NULL when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_history_list_to(
    list: *const crm_ticket_history_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_step(
        "crm_ticket_history_list_to",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |h| status_name(h.to),
    )
}

/// When step `i` happened, in microseconds since the epoch (UTC); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_history_list_at(
    list: *const crm_ticket_history_list,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live list.
    read_step(
        "crm_ticket_history_list_at",
        unsafe { list.as_ref() },
        i,
        0,
        |h| h.at,
    )
}

/// Who made step `i` (the principal of the handle), or NULL when `i` is out of range. Valid until
/// the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_history_list_by(
    list: *const crm_ticket_history_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_step(
        "crm_ticket_history_list_by",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |h| h.by.as_ptr(),
    )
}

/// Frees a list from `crm_ticket_history`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_history_list_free(list: *mut crm_ticket_history_list) {
    guard_value("crm_ticket_history_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// The work queue

/// One entry of a `crm_ticket_queue_list`.
#[derive(Debug)]
struct QueueRow {
    ticket: crm_ticket,
    sla: Option<crm_sla_state>,
}

/// The work queue from `crm_ticket_queue`: tickets that need work, most urgent first. Read it by
/// index (0 to `crm_ticket_queue_list_len` - 1); free it with `crm_ticket_queue_list_free`. It is
/// a copy: it stays valid after the handle is closed.
#[derive(Debug)]
pub struct crm_ticket_queue_list {
    items: Vec<QueueRow>,
}

/// The work queue: up to `limit` tickets that need work — new and open ones (pending tickets wait
/// on the customer) — by priority (urgent first), then earliest SLA deadline (tickets without one
/// last), then oldest; each with its SLA state at `now` (`CRM_TIME_NOW`: the handle's clock).
/// `*out` receives the list: free it with `crm_ticket_queue_list_free`; NULL on failure.
///
/// Errors: `CRM_INVALID_INPUT` (`now` outside years 1–9999), `CRM_INVALID_ARGUMENT` (NULL `db`
/// or `out`), `CRM_STORAGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_queue(
    db: *mut crm_db,
    limit: usize,
    now: i64,
    out: *mut *mut crm_ticket_queue_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_queue", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        let items = db
            .crm
            .tickets()
            .queue(limit, time_or_now(now))?
            .into_iter()
            .map(|QueueEntry { ticket, sla }| {
                Ok(QueueRow {
                    ticket: crm_ticket::new(ticket)?,
                    sla: sla.map(crm_sla_state::new),
                })
            })
            .collect::<Result<_>>()?;
        *out = boxed(crm_ticket_queue_list { items });
        Ok(())
    })
}

/// The number of entries in the queue; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_queue_list_len(list: *const crm_ticket_queue_list) -> usize {
    // SAFETY: NULL or a live list.
    read(
        "crm_ticket_queue_list_len",
        unsafe { list.as_ref() },
        0,
        |l| l.items.len(),
    )
}

/// The ticket of entry `i`, or NULL when `i` is out of range. Borrowed: valid until the list is
/// freed; do not free it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_queue_list_ticket(
    list: *const crm_ticket_queue_list,
    i: usize,
) -> *const crm_ticket {
    // SAFETY: NULL or a live list.
    read(
        "crm_ticket_queue_list_ticket",
        unsafe { list.as_ref() },
        ptr::null(),
        |l| {
            l.items
                .get(i)
                .map_or(ptr::null(), |e| &e.ticket as *const crm_ticket)
        },
    )
}

/// The SLA state of entry `i` at the queue's `now`, or NULL when its priority has no SLA policy
/// (or `i` is out of range). Borrowed: valid until the list is freed; do not free it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_queue_list_sla(
    list: *const crm_ticket_queue_list,
    i: usize,
) -> *const crm_sla_state {
    // SAFETY: NULL or a live list.
    read(
        "crm_ticket_queue_list_sla",
        unsafe { list.as_ref() },
        ptr::null(),
        |l| {
            l.items
                .get(i)
                .and_then(|e| e.sla.as_ref())
                .map_or(ptr::null(), |s| s as *const crm_sla_state)
        },
    )
}

/// Frees a list from `crm_ticket_queue` with its tickets and SLA states. Does nothing when `list`
/// is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_queue_list_free(list: *mut crm_ticket_queue_list) {
    guard_value("crm_ticket_queue_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// Statistics

/// Counts and response times over a set of tickets, from `crm_ticket_stats_compute`. Free it
/// with `crm_ticket_stats_free`. It is a copy: it stays valid after the handle is closed. Its
/// strings are valid until it is freed. Times are calendar microseconds; a figure with no ticket
/// to compute it from is NaN (test with `isnan`).
#[derive(Debug)]
pub struct crm_ticket_stats {
    total: i64,
    by_status: Vec<(TicketStatus, i64)>,
    by_category: Vec<(Option<CString>, i64)>,
    by_priority: Vec<(TicketPriority, i64)>,
    mean_first_response: f64,
    median_first_response: f64,
    mean_resolution: f64,
    median_resolution: f64,
}

impl crm_ticket_stats {
    fn new(s: TicketStats) -> Result<crm_ticket_stats> {
        let by_category = s
            .by_category
            .into_iter()
            .map(|(c, n)| {
                let c = c
                    .map(|c| c_string(&c, || format!("ticket category {c:?}")))
                    .transpose()?;
                Ok((c, n))
            })
            .collect::<Result<_>>()?;
        let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
        Ok(crm_ticket_stats {
            total: s.total,
            by_status: s.by_status,
            by_category,
            by_priority: s.by_priority,
            mean_first_response: nan(s.mean_first_response),
            median_first_response: nan(s.median_first_response),
            mean_resolution: nan(s.mean_resolution),
            median_resolution: nan(s.median_resolution),
        })
    }
}

/// Computes the statistics of the tickets matching `filter` (NULL: all; fields as for
/// `crm_ticket_find`): counts by status, category and priority, and the mean and median calendar
/// times from creation to first response and to resolution over the tickets that have them.
/// `*out` receives the result: free it with `crm_ticket_stats_free`; NULL on failure. `filter`
/// stays the caller's.
///
/// Errors as for `crm_ticket_count`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_compute(
    db: *mut crm_db,
    filter: *const crm_filter,
    out: *mut *mut crm_ticket_stats,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_ticket_stats_compute", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        // SAFETY: NULL or a live filter.
        let stats = match unsafe { filter.as_ref() } {
            Some(f) => db.crm.tickets().stats(&f.filter)?,
            None => db.crm.tickets().stats(&Default::default())?,
        };
        *out = boxed(crm_ticket_stats::new(stats)?);
        Ok(())
    })
}

/// How many tickets the statistics cover; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_total(stats: *const crm_ticket_stats) -> i64 {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_total",
        unsafe { stats.as_ref() },
        0,
        |s| s.total,
    )
}

/// The number of status rows: every status, in workflow order (new, open, pending, resolved,
/// closed), zeros included; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_status_len(stats: *const crm_ticket_stats) -> usize {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_status_len",
        unsafe { stats.as_ref() },
        0,
        |s| s.by_status.len(),
    )
}

/// The status of status row `i` (`"new"` …), a static string; NULL when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_status_name(
    stats: *const crm_ticket_stats,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_status_name",
        unsafe { stats.as_ref() },
        ptr::null(),
        |s| {
            s.by_status
                .get(i)
                .map_or(ptr::null(), |(st, _)| status_name(*st))
        },
    )
}

/// The number of tickets in status row `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_status_count(
    stats: *const crm_ticket_stats,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_status_count",
        unsafe { stats.as_ref() },
        0,
        |s| s.by_status.get(i).map_or(0, |(_, n)| *n),
    )
}

/// The number of category rows: each category present, by name, then the uncategorised tickets
/// (when there are any); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_category_len(stats: *const crm_ticket_stats) -> usize {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_category_len",
        unsafe { stats.as_ref() },
        0,
        |s| s.by_category.len(),
    )
}

/// The category of category row `i`; NULL for the uncategorised row (the last) and when `i` is
/// out of range. Valid until the result is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_category_name(
    stats: *const crm_ticket_stats,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_category_name",
        unsafe { stats.as_ref() },
        ptr::null(),
        |s| {
            s.by_category
                .get(i)
                .map_or(ptr::null(), |(c, _)| opt_ptr(c))
        },
    )
}

/// The number of tickets in category row `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_category_count(
    stats: *const crm_ticket_stats,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_category_count",
        unsafe { stats.as_ref() },
        0,
        |s| s.by_category.get(i).map_or(0, |(_, n)| *n),
    )
}

/// The number of priority rows: every priority from low to urgent, zeros included; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_priority_len(stats: *const crm_ticket_stats) -> usize {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_priority_len",
        unsafe { stats.as_ref() },
        0,
        |s| s.by_priority.len(),
    )
}

/// The priority of priority row `i` (`"low"` …), a static string; NULL when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_priority_name(
    stats: *const crm_ticket_stats,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_priority_name",
        unsafe { stats.as_ref() },
        ptr::null(),
        |s| {
            s.by_priority
                .get(i)
                .map_or(ptr::null(), |(p, _)| priority_name(*p))
        },
    )
}

/// The number of tickets in priority row `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_priority_count(
    stats: *const crm_ticket_stats,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_priority_count",
        unsafe { stats.as_ref() },
        0,
        |s| s.by_priority.get(i).map_or(0, |(_, n)| *n),
    )
}

/// The mean calendar time from creation to first response, in µs, over the tickets that have a
/// first response; NaN when none has (or for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_mean_first_response(
    stats: *const crm_ticket_stats,
) -> f64 {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_mean_first_response",
        unsafe { stats.as_ref() },
        f64::NAN,
        |s| s.mean_first_response,
    )
}

/// The median calendar time from creation to first response, in µs; NaN when no ticket has a
/// first response (or for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_median_first_response(
    stats: *const crm_ticket_stats,
) -> f64 {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_median_first_response",
        unsafe { stats.as_ref() },
        f64::NAN,
        |s| s.median_first_response,
    )
}

/// The mean calendar time from creation to resolution, in µs, over the tickets that are resolved;
/// NaN when none is (or for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_mean_resolution(stats: *const crm_ticket_stats) -> f64 {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_mean_resolution",
        unsafe { stats.as_ref() },
        f64::NAN,
        |s| s.mean_resolution,
    )
}

/// The median calendar time from creation to resolution, in µs; NaN when no ticket is resolved
/// (or for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_median_resolution(stats: *const crm_ticket_stats) -> f64 {
    // SAFETY: NULL or a live result.
    read(
        "crm_ticket_stats_median_resolution",
        unsafe { stats.as_ref() },
        f64::NAN,
        |s| s.median_resolution,
    )
}

/// Frees a result from `crm_ticket_stats_compute`. Does nothing when `stats` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_ticket_stats_free(stats: *mut crm_ticket_stats) {
    guard_value("crm_ticket_stats_free", (), || {
        if !stats.is_null() {
            // SAFETY: a result from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(stats) });
        }
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

    fn s<'a>(p: *const c_char) -> &'a str {
        assert!(!p.is_null());
        unsafe { CStr::from_ptr(p) }.to_str().unwrap()
    }

    #[test]
    fn open_transition_and_refuse() {
        let mut db = ptr::null_mut();
        assert_eq!(
            unsafe { crm_open(c":memory:".as_ptr(), ptr::null(), &mut db) },
            0
        );
        let mut c = MaybeUninit::<crm_new_customer>::uninit();
        unsafe { crm_new_customer_init(c.as_mut_ptr(), size_of::<crm_new_customer>()) };
        let mut c = unsafe { c.assume_init() };
        c.name = c"Ada".as_ptr();
        let mut ada = 0;
        assert_eq!(unsafe { crm_customer_add(db, &c, &mut ada) }, 0);

        let mut n = MaybeUninit::<crm_new_ticket>::uninit();
        unsafe { crm_new_ticket_init(n.as_mut_ptr(), size_of::<crm_new_ticket>()) };
        let mut n = unsafe { n.assume_init() };
        n.customer_id = ada;
        n.subject = c" Parcel lost ".as_ptr();
        n.channel = c"email".as_ptr();
        n.priority = c"HIGH".as_ptr();
        let mut id = 0;
        assert_eq!(unsafe { crm_ticket_open(db, &n, &mut id) }, 0);
        let mut t = ptr::null_mut();
        assert_eq!(
            unsafe { crm_ticket_transition(db, id, c"open".as_ptr(), CRM_TIME_NOW, &mut t) },
            0
        );
        assert_eq!(s(unsafe { crm_ticket_status(t) }), "open");
        assert_eq!(s(unsafe { crm_ticket_priority(t) }), "high");
        assert_eq!(s(unsafe { crm_ticket_subject(t) }), "Parcel lost");
        assert_eq!(unsafe { crm_ticket_version(t) }, 2);
        assert_eq!(unsafe { crm_ticket_resolved_at(t) }, CRM_TIME_NONE);
        unsafe { crm_ticket_free(t) };

        let mut t = ptr::dangling_mut();
        let code =
            unsafe { crm_ticket_transition(db, id, c"closed".as_ptr(), CRM_TIME_NOW, &mut t) };
        assert_eq!(code, CRM_ILLEGAL_TRANSITION as c_int);
        assert!(t.is_null());
        let msg = s(unsafe { crate::crm_errmsg(db) });
        assert!(msg.contains("open") && msg.contains("closed"), "{msg}");
        n.channel = ptr::null();
        let code = unsafe { crm_ticket_open(db, &n, ptr::null_mut()) };
        assert_eq!(code, CRM_INVALID_ARGUMENT as c_int);
        assert!(s(unsafe { crate::crm_errmsg(db) }).contains("ticket->channel"));

        let mut st = ptr::null_mut();
        assert_eq!(
            unsafe { crm_ticket_stats_compute(db, ptr::null(), &mut st) },
            0
        );
        assert_eq!(unsafe { crm_ticket_stats_total(st) }, 1);
        assert!(unsafe { crm_ticket_stats_mean_resolution(st) }.is_nan());
        unsafe { crm_ticket_stats_free(st) };
        unsafe { crm_close(db) };
    }
}
