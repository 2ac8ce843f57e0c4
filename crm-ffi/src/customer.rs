//! Customers: input structs, the opaque customer and list objects with their accessors, and the
//! operations (add, get, update, delete, find, count, add from columns).

use std::ffi::{CString, c_char, c_int};
use std::mem::offset_of;
use std::ptr;
use std::sync::OnceLock;

use std::collections::BTreeMap;

use crm_core::{
    CustomValue, Customer, CustomerPatch, DeleteMode, EntityKind, Error, FieldDefinition,
    LifecycleStage, NewCustomer, NewCustomerColumns, OrderBy, Query, Result, Source, Value,
    split_tag_list,
};

use crate::args::{
    Versioned, boxed, c_string, check_out, clear_out, init_versioned, opt_out_ptr, opt_ptr,
    opt_str, opt_string, out_ptr, read, req_str, slice, static_name, str_array, text_column,
    time_or_now, versioned,
};
use crate::db::crm_db;
use crate::error::{guard, guard_db, guard_value};
use crate::filter::crm_filter;

/// An `int64_t` time meaning "now, by the handle's clock" (`INT64_MIN`), where a time is optional.
pub const CRM_TIME_NOW: i64 = i64::MIN;

/// `crm_customer_patch.set`: change `external_id`.
pub const CRM_SET_EXTERNAL_ID: u32 = 1;
/// `crm_customer_patch.set`: change `name`.
pub const CRM_SET_NAME: u32 = 2;
/// `crm_customer_patch.set`: change `email`.
pub const CRM_SET_EMAIL: u32 = 4;
/// `crm_customer_patch.set`: change `phone`.
pub const CRM_SET_PHONE: u32 = 8;
/// `crm_customer_patch.set`: change `company`.
pub const CRM_SET_COMPANY: u32 = 16;
/// `crm_customer_patch.set`: change `stage`.
pub const CRM_SET_STAGE: u32 = 32;
/// `crm_customer_patch.set`: change `source`.
pub const CRM_SET_SOURCE: u32 = 64;
/// `crm_customer_patch.set`: replace the tags.
pub const CRM_SET_TAGS: u32 = 128;

/// Every `CRM_SET_*` bit this version knows.
const SET_KNOWN: u32 = CRM_SET_EXTERNAL_ID
    | CRM_SET_NAME
    | CRM_SET_EMAIL
    | CRM_SET_PHONE
    | CRM_SET_COMPANY
    | CRM_SET_STAGE
    | CRM_SET_SOURCE
    | CRM_SET_TAGS;

/// `crm_customer_delete` flag: also delete the records that refer to the customer, instead of
/// refusing with `CRM_CONSTRAINT`.
pub const CRM_DELETE_CASCADE: u32 = 1;

// ------------------------------------------------------------------------------------------------
// The customer object

/// A customer as stored. Returned by `crm_customer_get`, `crm_customer_get_by_external_id`,
/// `crm_customer_update`, `crm_customer_add_tags` and `crm_customer_remove_tags` (free it with
/// `crm_customer_free`), or borrowed from a `crm_customer_list`. It is a copy: it stays valid after the handle is closed and does not change
/// when the store does. Its strings are valid until it is freed. It carries the values of the
/// store's active custom fields as they were read (`crm_customer_fields_len`,
/// `crm_customer_field_text`, `crm_customer_field_int`).
#[derive(Debug)]
pub struct crm_customer {
    id: i64,
    external_id: Option<CString>,
    name: CString,
    email: Option<CString>,
    phone: Option<CString>,
    company: Option<CString>,
    stage: LifecycleStage,
    source: Source,
    tags: Vec<CString>,
    created_at: i64,
    updated_at: i64,
    version: i64,
    custom: Vec<CustomEntry>,
}

/// One custom value of a `crm_customer`: the field's name, the value and its text form.
#[derive(Debug)]
struct CustomEntry {
    name: CString,
    text: CString,
    value: CustomValue,
}

impl crm_customer {
    /// The custom value of field `name`, if the customer has one.
    fn custom(&self, name: &str) -> Option<&CustomEntry> {
        self.custom
            .iter()
            .find(|e| e.name.to_bytes() == name.as_bytes())
    }

    fn new(c: Customer) -> Result<crm_customer> {
        let id = c.id;
        let text = |s: &str, field: &str| c_string(s, || format!("customer {id} {field}"));
        let opt =
            |s: &Option<String>, field: &str| s.as_deref().map(|s| text(s, field)).transpose();
        Ok(crm_customer {
            id,
            external_id: opt(&c.external_id, "external_id")?,
            name: text(&c.name, "name")?,
            email: opt(&c.email, "email")?,
            phone: opt(&c.phone, "phone")?,
            company: opt(&c.company, "company")?,
            stage: c.stage,
            source: c.source,
            tags: c
                .tags
                .iter()
                .map(|t| text(t, "tag"))
                .collect::<Result<_>>()?,
            created_at: c.created_at.as_micros(),
            updated_at: c.updated_at.as_micros(),
            version: c.version,
            custom: c
                .custom
                .into_iter()
                .map(|(name, value)| {
                    Ok(CustomEntry {
                        name: text(&name, "custom field name")?,
                        text: text(&value.text_form(), &name)?,
                        value,
                    })
                })
                .collect::<Result<_>>()?,
        })
    }
}

/// The customer's id; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_id(customer: *const crm_customer) -> i64 {
    // SAFETY: NULL or a live customer.
    read("crm_customer_id", unsafe { customer.as_ref() }, 0, |c| c.id)
}

/// The external id, or NULL when the customer has none (or `customer` is NULL). Valid until the
/// customer is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_external_id(customer: *const crm_customer) -> *const c_char {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_external_id",
        unsafe { customer.as_ref() },
        ptr::null(),
        |c| opt_ptr(&c.external_id),
    )
}

/// The name (never NULL for a customer; NULL for a NULL `customer`). Valid until the customer is
/// freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_name(customer: *const crm_customer) -> *const c_char {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_name",
        unsafe { customer.as_ref() },
        ptr::null(),
        |c| c.name.as_ptr(),
    )
}

/// The e-mail address in normal form (lower-case), or NULL when absent. Valid until the customer
/// is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_email(customer: *const crm_customer) -> *const c_char {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_email",
        unsafe { customer.as_ref() },
        ptr::null(),
        |c| opt_ptr(&c.email),
    )
}

/// The phone number in normal form (E.164 such as `"+14155550100"` when the country is known,
/// else national digits), or NULL when absent. Valid until the customer is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_phone(customer: *const crm_customer) -> *const c_char {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_phone",
        unsafe { customer.as_ref() },
        ptr::null(),
        |c| opt_ptr(&c.phone),
    )
}

/// The company, or NULL when absent. Valid until the customer is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_company(customer: *const crm_customer) -> *const c_char {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_company",
        unsafe { customer.as_ref() },
        ptr::null(),
        |c| opt_ptr(&c.company),
    )
}

/// The lifecycle stage: `"lead"`, `"prospect"`, `"customer"` or `"churned"`. A static string
/// (valid for the whole program); NULL for a NULL `customer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_stage(customer: *const crm_customer) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_stage",
        unsafe { customer.as_ref() },
        ptr::null(),
        |c| static_name(&NAMES, LifecycleStage::NAMES, c.stage.as_str()),
    )
}

/// The acquisition source: `"web"`, `"referral"`, `"ads"`, `"event"`, `"partner"` or `"other"`. A
/// static string (valid for the whole program); NULL for a NULL `customer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_source(customer: *const crm_customer) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_source",
        unsafe { customer.as_ref() },
        ptr::null(),
        |c| static_name(&NAMES, Source::NAMES, c.source.as_str()),
    )
}

/// The number of tags; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_tags_len(customer: *const crm_customer) -> usize {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_tags_len",
        unsafe { customer.as_ref() },
        0,
        |c| c.tags.len(),
    )
}

/// Tag `i` (normal form: lower-case; tags are sorted), or NULL when `i` is out of range. Valid
/// until the customer is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_tag(
    customer: *const crm_customer,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_tag",
        unsafe { customer.as_ref() },
        ptr::null(),
        |c| c.tags.get(i).map_or(ptr::null(), |t| t.as_ptr()),
    )
}

/// When the customer was created, in microseconds since the epoch (UTC); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_created_at(customer: *const crm_customer) -> i64 {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_created_at",
        unsafe { customer.as_ref() },
        0,
        |c| c.created_at,
    )
}

/// When the customer last changed, in microseconds since the epoch (UTC); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_updated_at(customer: *const crm_customer) -> i64 {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_updated_at",
        unsafe { customer.as_ref() },
        0,
        |c| c.updated_at,
    )
}

/// The version: 1 when created, +1 on every update that changes something. Pass it as
/// `expected_version` to update safely. 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_version(customer: *const crm_customer) -> i64 {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_version",
        unsafe { customer.as_ref() },
        0,
        |c| c.version,
    )
}

/// The number of custom values the customer has (fields without a value are left out); 0 for
/// NULL. Read their names with `crm_customer_field_name`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_fields_len(customer: *const crm_customer) -> usize {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_fields_len",
        unsafe { customer.as_ref() },
        0,
        |c| c.custom.len(),
    )
}

/// The name of the customer's custom value `i` (sorted by name), or NULL when `i` is out of
/// range. Valid until the customer is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_field_name(
    customer: *const crm_customer,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_field_name",
        unsafe { customer.as_ref() },
        ptr::null(),
        |c| c.custom.get(i).map_or(ptr::null(), |e| e.name.as_ptr()),
    )
}

/// The value of custom field `name` in its text form: text, enum choices and dates
/// (`YYYY-MM-DD`) as they are, integers and decimals formatted (`"42"`, `"2.5"`), booleans
/// `"true"` / `"false"`, multi-enum choices comma-joined in sorted order (`"email,sms"`). NULL when
/// the customer has no value for `name` (or `customer` or `name` is NULL, or `name` is not
/// UTF-8). Valid until the customer is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_field_text(
    customer: *const crm_customer,
    name: *const c_char,
) -> *const c_char {
    // SAFETY: NULL or a live customer.
    read(
        "crm_customer_field_text",
        unsafe { customer.as_ref() },
        ptr::null(),
        |c| {
            // SAFETY: NULL or NUL-terminated.
            match unsafe { opt_str(name, "name") } {
                Ok(Some(name)) => c.custom(name).map_or(ptr::null(), |e| e.text.as_ptr()),
                _ => ptr::null(),
            }
        },
    )
}

/// Stores the value of integer field `name` in `*out`.
///
/// Errors (recorded for `crm_errmsg(NULL)`): `CRM_NOT_FOUND` (the customer has no value for
/// `name`), `CRM_INVALID_ARGUMENT` (the value is not an integer — read other types with
/// `crm_customer_field_text` —, NULL `customer`, `name` or `out`, invalid UTF-8). `*out` is
/// unchanged on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_field_int(
    customer: *const crm_customer,
    name: *const c_char,
    out: *mut i64,
) -> c_int {
    guard("crm_customer_field_int", || {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let c = unsafe { customer.as_ref() }.ok_or_else(|| crate::args::null("customer"))?;
        let name = unsafe { req_str(name, "name") }?;
        check_out(out, "out")?;
        let entry = c.custom(name).ok_or_else(|| Error::NotFound {
            entity: "custom value",
            key: format!("{name} of customer {}", c.id),
        })?;
        let CustomValue::Integer(v) = entry.value else {
            return Err(Error::InvalidArgument(format!(
                "custom value {name} of customer {} is not an integer (read it with \
                 crm_customer_field_text)",
                c.id
            )));
        };
        // SAFETY: non-NULL (checked) and writable.
        unsafe { out.write(v) };
        Ok(())
    })
}

/// Frees a customer returned by `crm_customer_get`, `crm_customer_get_by_external_id`,
/// `crm_customer_update`, `crm_customer_add_tags` or `crm_customer_remove_tags`. Does nothing when
/// `customer` is NULL. Never pass a customer borrowed from a list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_free(customer: *mut crm_customer) {
    guard_value("crm_customer_free", (), || {
        if !customer.is_null() {
            // SAFETY: a customer from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(customer) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// Add

/// A customer to create. Initialise with `crm_new_customer_init`; only `name` is required. Strings
/// are NUL-terminated UTF-8, copied; NULL means absent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_new_customer {
    /// Size of this struct as the caller knows it; set by `crm_new_customer_init`.
    pub struct_size: u32,
    /// The key another system uses for this customer; must be unique.
    pub external_id: *const c_char,
    /// Display name (required).
    pub name: *const c_char,
    /// E-mail address; validated and stored in normal form.
    pub email: *const c_char,
    /// Phone number; validated and stored in normal form.
    pub phone: *const c_char,
    /// Company or organisation.
    pub company: *const c_char,
    /// Lifecycle stage name (`"lead"`, `"prospect"`, `"customer"`, `"churned"`). NULL: lead.
    pub stage: *const c_char,
    /// Source name (`"web"`, `"referral"`, `"ads"`, `"event"`, `"partner"`, `"other"`). NULL:
    /// other.
    pub source: *const c_char,
    /// Tags, `tags_len` strings.
    pub tags: *const *const c_char,
    /// Number of entries in `tags`.
    pub tags_len: usize,
    /// Creation time to record (imports), microseconds since the epoch (UTC). `CRM_TIME_NOW`
    /// (the default): the handle's clock.
    pub created_at: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `created_at`.
unsafe impl Versioned for crm_new_customer {
    const V1_SIZE: usize = offset_of!(crm_new_customer, created_at) + size_of::<i64>();
    const INIT: &'static str = "crm_new_customer_init";
    const DEFAULTS: Self = crm_new_customer {
        struct_size: size_of::<crm_new_customer>() as u32,
        external_id: ptr::null(),
        name: ptr::null(),
        email: ptr::null(),
        phone: ptr::null(),
        company: ptr::null(),
        stage: ptr::null(),
        source: ptr::null(),
        tags: ptr::null(),
        tags_len: 0,
        created_at: CRM_TIME_NOW,
    };
}

/// Clears `customer` (every field absent, `created_at` = `CRM_TIME_NOW`) and sets `struct_size`.
/// Does nothing when `customer` is NULL.
/// Pass the struct's size as your header declares it: `crm_new_customer_init(&customer, sizeof customer)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_new_customer_init(customer: *mut crm_new_customer, size: usize) {
    guard_value("crm_new_customer_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(customer, size) }
    })
}

/// Converts the C struct; parsing and validation are crm-core's.
///
/// # Safety
/// The pointers in `c` are NULL or valid as documented on [`crm_new_customer`].
unsafe fn new_customer(c: &crm_new_customer) -> Result<NewCustomer> {
    // SAFETY (all): the caller's contract on the fields.
    let mut n = NewCustomer::new(unsafe { req_str(c.name, "customer->name") }?);
    n.external_id = unsafe { opt_string(c.external_id, "customer->external_id") }?;
    n.email = unsafe { opt_string(c.email, "customer->email") }?;
    n.phone = unsafe { opt_string(c.phone, "customer->phone") }?;
    n.company = unsafe { opt_string(c.company, "customer->company") }?;
    if let Some(stage) = unsafe { opt_str(c.stage, "customer->stage") }? {
        n.stage = stage.parse()?;
    }
    if let Some(source) = unsafe { opt_str(c.source, "customer->source") }? {
        n.source = source.parse()?;
    }
    n.tags = unsafe { str_array(c.tags, c.tags_len, "customer->tags") }?;
    n.created_at = time_or_now(c.created_at);
    Ok(n)
}

/// Creates a customer. Values are validated and normalised (e-mail lower-cased, phone to E.164,
/// tags lower-cased and sorted); the id goes to `*out_id` when `out_id` is not NULL.
///
/// Errors: `CRM_INVALID_ARGUMENT` (NULL `customer` or `customer->name`, bad `struct_size`,
/// invalid UTF-8), `CRM_INVALID_INPUT` (a value fails validation, an unknown stage or source;
/// the message names the field), `CRM_ALREADY_EXISTS` (the external id is taken). Nothing is
/// written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_add(
    db: *mut crm_db,
    customer: *const crm_new_customer,
    out_id: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_add", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(c) = (unsafe { versioned(customer, "customer") })? else {
            return Err(crate::args::null("customer"));
        };
        // SAFETY: the struct's pointers, per its contract.
        let c = unsafe { new_customer(&c) }?;
        let stored = db.crm.customers().add(c)?;
        if !out_id.is_null() {
            // SAFETY: non-NULL and writable.
            unsafe { out_id.write(stored.id) };
        }
        Ok(())
    })
}

// ------------------------------------------------------------------------------------------------
// Get

/// Reads the customer with this id into `*out`; free it with `crm_customer_free`. `CRM_NOT_FOUND`
/// when there is none; `*out` is NULL on every failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_get(
    db: *mut crm_db,
    id: i64,
    out: *mut *mut crm_customer,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_get", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        *out = boxed(crm_customer::new(db.crm.customers().get(id)?)?);
        Ok(())
    })
}

/// Reads the customer with this external id into `*out`; free it with `crm_customer_free`.
/// `CRM_NOT_FOUND` when there is none; `*out` is NULL on every failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_get_by_external_id(
    db: *mut crm_db,
    external_id: *const c_char,
    out: *mut *mut crm_customer,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db(
        "crm_customer_get_by_external_id",
        unsafe { db.as_mut() },
        |db| {
            // SAFETY: NULL or writable / NUL-terminated.
            let out = unsafe { out_ptr(out, "out") }?;
            let external_id = unsafe { req_str(external_id, "external_id") }?;
            let c = db.crm.customers().get_by_external_id(external_id)?;
            *out = boxed(crm_customer::new(c)?);
            Ok(())
        },
    )
}

// ------------------------------------------------------------------------------------------------
// Update and delete

/// A partial update. Initialise with `crm_customer_patch_init`, set the fields to change and
/// their `CRM_SET_*` bits in `set`; fields whose bit is clear are not read. A NULL value with its
/// bit set clears a field that may be absent (external id, e-mail, phone, company);
/// name, stage and source cannot be cleared (`CRM_INVALID_ARGUMENT`). Pass it to
/// `crm_customer_update`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_customer_patch {
    /// Size of this struct as the caller knows it; set by `crm_customer_patch_init`.
    pub struct_size: u32,
    /// Which fields to change: `CRM_SET_*` bits, or-ed together.
    pub set: u32,
    /// New external id (`CRM_SET_EXTERNAL_ID`); NULL removes it.
    pub external_id: *const c_char,
    /// New name (`CRM_SET_NAME`).
    pub name: *const c_char,
    /// New e-mail address (`CRM_SET_EMAIL`); NULL removes it.
    pub email: *const c_char,
    /// New phone number (`CRM_SET_PHONE`); NULL removes it.
    pub phone: *const c_char,
    /// New company (`CRM_SET_COMPANY`); NULL removes it.
    pub company: *const c_char,
    /// New stage name (`CRM_SET_STAGE`).
    pub stage: *const c_char,
    /// New source name (`CRM_SET_SOURCE`).
    pub source: *const c_char,
    /// New tag set, `tags_len` strings, replacing the old one (`CRM_SET_TAGS`); none clears it.
    pub tags: *const *const c_char,
    /// Number of entries in `tags`.
    pub tags_len: usize,
    /// When not 0, the update is refused with `CRM_CONFLICT` unless the stored version is this
    /// one (optimistic concurrency). 0: do not check.
    pub expected_version: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `expected_version`.
unsafe impl Versioned for crm_customer_patch {
    const V1_SIZE: usize = offset_of!(crm_customer_patch, expected_version) + size_of::<i64>();
    const INIT: &'static str = "crm_customer_patch_init";
    const DEFAULTS: Self = crm_customer_patch {
        struct_size: size_of::<crm_customer_patch>() as u32,
        set: 0,
        external_id: ptr::null(),
        name: ptr::null(),
        email: ptr::null(),
        phone: ptr::null(),
        company: ptr::null(),
        stage: ptr::null(),
        source: ptr::null(),
        tags: ptr::null(),
        tags_len: 0,
        expected_version: 0,
    };
}

/// Clears `update` (no field set, no version check) and sets `struct_size`. Does nothing when
/// `update` is NULL.
/// Pass the struct's size as your header declares it: `crm_customer_patch_init(&update, sizeof update)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_patch_init(update: *mut crm_customer_patch, size: usize) {
    guard_value("crm_customer_patch_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(update, size) }
    })
}

/// Converts the C struct to a patch; validation is crm-core's.
///
/// # Safety
/// The pointers in `u` whose bit is set are NULL or valid as documented.
unsafe fn patch(u: &crm_customer_patch) -> Result<CustomerPatch> {
    let unknown = u.set & !SET_KNOWN;
    if unknown != 0 {
        return Err(Error::InvalidArgument(format!(
            "update->set has unknown bits {unknown:#x} (known: CRM_SET_* up to CRM_SET_TAGS)"
        )));
    }
    let has = |bit: u32| u.set & bit != 0;
    let cannot_clear = |field: &str| {
        Error::InvalidArgument(format!(
            "update->{field} is NULL, but a customer's {field} cannot be removed"
        ))
    };
    let mut p = CustomerPatch::default();
    // SAFETY (all): the caller's contract on the fields.
    if has(CRM_SET_EXTERNAL_ID) {
        p.external_id = Some(unsafe { opt_string(u.external_id, "update->external_id") }?);
    }
    if has(CRM_SET_NAME) {
        let name = unsafe { opt_string(u.name, "update->name") }?;
        p.name = Some(name.ok_or_else(|| cannot_clear("name"))?);
    }
    if has(CRM_SET_EMAIL) {
        p.email = Some(unsafe { opt_string(u.email, "update->email") }?);
    }
    if has(CRM_SET_PHONE) {
        p.phone = Some(unsafe { opt_string(u.phone, "update->phone") }?);
    }
    if has(CRM_SET_COMPANY) {
        p.company = Some(unsafe { opt_string(u.company, "update->company") }?);
    }
    if has(CRM_SET_STAGE) {
        let stage = unsafe { opt_str(u.stage, "update->stage") }?;
        p.stage = Some(stage.ok_or_else(|| cannot_clear("stage"))?.parse()?);
    }
    if has(CRM_SET_SOURCE) {
        let source = unsafe { opt_str(u.source, "update->source") }?;
        p.source = Some(source.ok_or_else(|| cannot_clear("source"))?.parse()?);
    }
    if has(CRM_SET_TAGS) {
        p.tags = Some(unsafe { str_array(u.tags, u.tags_len, "update->tags") }?);
    }
    p.expected_version = (u.expected_version != 0).then_some(u.expected_version);
    Ok(p)
}

/// Changes the fields of customer `id` named by `update->set`, in one transaction. When `out` is
/// not NULL, `*out` receives the stored result (free it with `crm_customer_free`; NULL on
/// failure). The version goes up by one when anything changed.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_CONFLICT` (stale `expected_version`; nothing changed),
/// `CRM_INVALID_INPUT` (a value fails validation), `CRM_ALREADY_EXISTS` (external id taken),
/// `CRM_INVALID_ARGUMENT` (NULL `update`, bad `struct_size`, unknown `set` bits, NULL name,
/// stage or source with its bit set).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_update(
    db: *mut crm_db,
    id: i64,
    update: *const crm_customer_patch,
    out: *mut *mut crm_customer,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_update", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { opt_out_ptr(out) };
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(u) = (unsafe { versioned(update, "update") })? else {
            return Err(crate::args::null("update"));
        };
        // SAFETY: the struct's pointers, per its contract.
        let patch = unsafe { patch(&u) }?;
        let stored = db.crm.customers().update(id, &patch)?;
        if let Some(out) = out {
            *out = boxed(crm_customer::new(stored)?);
        }
        Ok(())
    })
}

/// Shared body of `crm_customer_add_tags` / `crm_customer_remove_tags`.
///
/// # Safety
/// `tags` is NULL or `n` NUL-terminated strings; `out` is NULL or writable.
unsafe fn change_tags(
    db: &mut crm_db,
    id: i64,
    tags: *const *const c_char,
    n: usize,
    out: *mut *mut crm_customer,
    add: bool,
) -> Result<()> {
    // SAFETY: NULL or writable.
    let out = unsafe { opt_out_ptr(out) };
    // SAFETY: NULL or `n` NUL-terminated strings.
    let tags = unsafe { str_array(tags, n, "tags") }?;
    let customers = db.crm.customers();
    let stored = if add {
        customers.add_tags(id, &tags)?
    } else {
        customers.remove_tags(id, &tags)?
    };
    if let Some(out) = out {
        *out = boxed(crm_customer::new(stored)?);
    }
    Ok(())
}

/// Adds the `n` tags in `tags` to customer `id`, keeping the ones it has. Tags are normalised
/// (trimmed, lower-cased) and kept sorted without duplicates. The version goes up by one when a
/// tag is new; adding tags the customer already carries changes nothing. When `out` is not NULL,
/// `*out` receives the stored result (free it with `crm_customer_free`; NULL on failure).
///
/// Errors: `CRM_NOT_FOUND` (no customer `id`), `CRM_INVALID_INPUT` (a tag fails validation; the
/// message names it), `CRM_INVALID_ARGUMENT` (NULL `db`, `tags` NULL with `n` > 0, a NULL
/// entry, invalid UTF-8). The read and the write are one transaction; nothing is written on
/// failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_add_tags(
    db: *mut crm_db,
    id: i64,
    tags: *const *const c_char,
    n: usize,
    out: *mut *mut crm_customer,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_add_tags", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe { change_tags(db, id, tags, n, out, true) }
    })
}

/// Removes the `n` tags in `tags` from customer `id` (compared in normal form: trimmed,
/// lower-cased); tags it does not carry are ignored. The version goes up by one when a tag was
/// removed. `*out` as for `crm_customer_add_tags`.
///
/// Errors as for `crm_customer_add_tags`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_remove_tags(
    db: *mut crm_db,
    id: i64,
    tags: *const *const c_char,
    n: usize,
    out: *mut *mut crm_customer,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_remove_tags", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe { change_tags(db, id, tags, n, out, false) }
    })
}

// ------------------------------------------------------------------------------------------------
// Custom values

/// Shared body of the `crm_customer_set_*` functions: one audited update of one custom value.
///
/// # Safety
/// `field` is NULL or NUL-terminated.
unsafe fn set_custom(db: &mut crm_db, id: i64, field: *const c_char, value: Value) -> Result<()> {
    // SAFETY: forwarded contract.
    let field = unsafe { req_str(field, "field") }?;
    let mut patch = CustomerPatch::default();
    patch.custom.insert(field.to_owned(), value);
    db.crm.customers().update(id, &patch).map(|_| ())
}

/// Sets custom field `field` of customer `id` to the text `value`, for text, enum (one of the
/// choices) and date (`YYYY-MM-DD`) fields, and for a multi-enum field one choice; NULL clears
/// the value. An audited update: the version goes up by one when the value changed.
///
/// Errors: `CRM_NOT_FOUND` (no customer `id`), `CRM_INVALID_INPUT` (no active field `field`, a
/// value that does not fit the field — a choice not allowed, text for a number, a bad date —,
/// clearing a required field; the message names the field, the value and the rule),
/// `CRM_INVALID_ARGUMENT` (NULL `db` or `field`, invalid UTF-8). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_set_text(
    db: *mut crm_db,
    id: i64,
    field: *const c_char,
    value: *const c_char,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_set_text", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or NUL-terminated.
        let value = unsafe { opt_string(value, "value") }?.map_or(Value::Null, Value::Text);
        unsafe { set_custom(db, id, field, value) }
    })
}

/// Sets integer (or decimal) field `field` of customer `id` to `value`. Errors as for
/// `crm_customer_set_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_set_int(
    db: *mut crm_db,
    id: i64,
    field: *const c_char,
    value: i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_set_int", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or NUL-terminated.
        unsafe { set_custom(db, id, field, Value::Int(value)) }
    })
}

/// Sets decimal field `field` of customer `id` to `value` (finite), or an integer field to a
/// whole `value`. Errors as for `crm_customer_set_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_set_real(
    db: *mut crm_db,
    id: i64,
    field: *const c_char,
    value: f64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_set_real", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or NUL-terminated.
        unsafe { set_custom(db, id, field, Value::Real(value)) }
    })
}

/// Sets boolean field `field` of customer `id`: true when `value` is not 0. Errors as for
/// `crm_customer_set_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_set_bool(
    db: *mut crm_db,
    id: i64,
    field: *const c_char,
    value: c_int,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_set_bool", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or NUL-terminated.
        unsafe { set_custom(db, id, field, Value::Bool(value != 0)) }
    })
}

/// Sets multi-enum field `field` of customer `id` to the `n` choices in `values` (each one of the
/// field's choices; kept sorted without duplicates; `n` = 0 sets no choice). Errors as for
/// `crm_customer_set_text`, and `CRM_INVALID_ARGUMENT` for `values` NULL with `n` > 0 or a NULL
/// entry.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_set_choices(
    db: *mut crm_db,
    id: i64,
    field: *const c_char,
    values: *const *const c_char,
    n: usize,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_set_choices", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or `n` NUL-terminated strings / NUL-terminated.
        let values = unsafe { str_array(values, n, "values") }?;
        let value = Value::List(values.into_iter().map(Value::Text).collect());
        unsafe { set_custom(db, id, field, value) }
    })
}

/// Deletes customer `id`. `flags` is 0 or `CRM_DELETE_CASCADE`. Without cascade, a customer other
/// records refer to is refused with `CRM_CONSTRAINT`. `CRM_NOT_FOUND` when there is none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_delete(db: *mut crm_db, id: i64, flags: u32) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_delete", unsafe { db.as_mut() }, |db| {
        if flags & !CRM_DELETE_CASCADE != 0 {
            return Err(Error::InvalidArgument(format!(
                "flags has unknown bits {:#x} (known: CRM_DELETE_CASCADE)",
                flags & !CRM_DELETE_CASCADE
            )));
        }
        let mode = if flags & CRM_DELETE_CASCADE != 0 {
            DeleteMode::Cascade
        } else {
            DeleteMode::Restrict
        };
        db.crm.customers().delete(id, mode)
    })
}

// ------------------------------------------------------------------------------------------------
// Find and count

/// Order and page of a finder (`crm_customer_find`, `crm_purchase_find_columns`,
/// `crm_purchase_line_items`, `crm_interaction_timeline`, `crm_interaction_find`,
/// `crm_audit_find`, `crm_segment_members`). Initialise with `crm_find_options_init`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_find_options {
    /// Size of this struct as the caller knows it; set by `crm_find_options_init`.
    pub struct_size: u32,
    /// Sort keys, comma-separated, each optionally prefixed by `-` for descending:
    /// `"-created_at,name"`. The id breaks ties. NULL: by id.
    pub order_by: *const c_char,
    /// At most this many records; negative (the default, -1): no limit.
    pub limit: i64,
    /// Skip this many records first (must not be negative).
    pub offset: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `offset`.
unsafe impl Versioned for crm_find_options {
    const V1_SIZE: usize = offset_of!(crm_find_options, offset) + size_of::<i64>();
    const INIT: &'static str = "crm_find_options_init";
    const DEFAULTS: Self = crm_find_options {
        struct_size: size_of::<crm_find_options>() as u32,
        order_by: ptr::null(),
        limit: -1,
        offset: 0,
    };
}

/// Sets the defaults (order by id, no limit, no offset) and `struct_size`. Does nothing when
/// `options` is NULL.
/// Pass the struct's size as your header declares it: `crm_find_options_init(&options, sizeof options)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_find_options_init(options: *mut crm_find_options, size: usize) {
    guard_value("crm_find_options_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(options, size) }
    })
}

/// The query of a finder: `filter` (NULL: all) ordered and paged by `options` (NULL: by id, all).
///
/// # Safety
/// `filter` is NULL or a live filter; `options` is NULL or a valid struct of at least
/// `struct_size` bytes whose `order_by` is NULL or NUL-terminated.
pub(crate) unsafe fn query(
    filter: *const crm_filter,
    options: *const crm_find_options,
) -> Result<Query> {
    // SAFETY (all): the caller's contract.
    let mut query = match unsafe { filter.as_ref() } {
        Some(f) => Query::new(f.filter.clone()),
        None => Query::default(),
    };
    if let Some(o) = unsafe { versioned(options, "options") }? {
        if let Some(order) = unsafe { opt_str(o.order_by, "options->order_by") }? {
            query.order_by = OrderBy::parse_list(order)?;
        }
        query.limit = u64::try_from(o.limit).ok();
        query.offset = u64::try_from(o.offset).map_err(|_| {
            Error::InvalidArgument(format!(
                "options->offset is {}, must not be negative",
                o.offset
            ))
        })?;
    }
    Ok(query)
}

/// The customers found by `crm_customer_find` or `crm_segment_members`, in order. Free with
/// `crm_customer_list_free`.
#[derive(Debug)]
pub struct crm_customer_list {
    items: Vec<crm_customer>,
}

impl crm_customer_list {
    pub(crate) fn new(items: Vec<Customer>) -> Result<crm_customer_list> {
        Ok(crm_customer_list {
            items: items
                .into_iter()
                .map(crm_customer::new)
                .collect::<Result<_>>()?,
        })
    }
}

/// Finds the customers matching `filter` (NULL: all), ordered and paged by `options` (NULL: by
/// id, all). `*out` receives the list: free it with `crm_customer_list_free`; NULL on failure.
/// `filter` stays the caller's (free it with `crm_filter_free`).
///
/// Errors: `CRM_INVALID_INPUT` for an unknown field in the filter or `order_by` (the message
/// lists the known fields) or a value that does not fit its field, `CRM_INVALID_ARGUMENT` for a
/// value of the wrong type or a negative offset.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_find(
    db: *mut crm_db,
    filter: *const crm_filter,
    options: *const crm_find_options,
    out: *mut *mut crm_customer_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_find", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let query = unsafe { query(filter, options) }?;
        *out = boxed(crm_customer_list::new(db.crm.customers().find(&query)?)?);
        Ok(())
    })
}

/// The number of customers in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_list_len(list: *const crm_customer_list) -> usize {
    guard_value("crm_customer_list_len", 0, || {
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() }.map_or(0, |l| l.items.len())
    })
}

/// Customer `i` of the list, or NULL when `i` is out of range. Borrowed: valid until the list is
/// freed; do not free it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_list_get(
    list: *const crm_customer_list,
    i: usize,
) -> *const crm_customer {
    guard_value("crm_customer_list_get", ptr::null(), || {
        // SAFETY: NULL or a live list.
        unsafe { list.as_ref() }
            .and_then(|l| l.items.get(i))
            .map_or(ptr::null(), |c| c as *const crm_customer)
    })
}

/// Frees a list from `crm_customer_find` or `crm_segment_members` and the customers in it. Does
/// nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_list_free(list: *mut crm_customer_list) {
    guard_value("crm_customer_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

/// Stores in `*out` how many customers match `filter` (NULL: all). Errors as for
/// `crm_customer_find`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_count(
    db: *mut crm_db,
    filter: *const crm_filter,
    out: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_count", unsafe { db.as_mut() }, |db| {
        check_out(out, "out")?;
        // SAFETY: NULL or a live filter.
        let n = match unsafe { filter.as_ref() } {
            Some(f) => db.crm.customers().count(&f.filter)?,
            None => db.crm.customers().count(&Default::default())?,
        };
        // SAFETY: non-NULL (checked) and writable.
        unsafe { out.write(n) };
        Ok(())
    })
}

// ------------------------------------------------------------------------------------------------
// Add many, from columns

/// Customers to create, as columns: each field is an array of `n` values (the `n` given to
/// `crm_customer_add_many`). A NULL array means the field is absent for every row; a NULL entry,
/// absent for that row. `name` is required. Initialise with `crm_customer_columns_init`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_customer_columns {
    /// Size of this struct as the caller knows it; set by `crm_customer_columns_init`.
    pub struct_size: u32,
    /// External ids.
    pub external_id: *const *const c_char,
    /// Names (required, a name for every row).
    pub name: *const *const c_char,
    /// E-mail addresses.
    pub email: *const *const c_char,
    /// Phone numbers.
    pub phone: *const *const c_char,
    /// Companies.
    pub company: *const *const c_char,
    /// Stage names (lead when absent).
    pub stage: *const *const c_char,
    /// Source names (other when absent).
    pub source: *const *const c_char,
    /// Tags, comma-separated per row (`"vip,newsletter"`).
    pub tags: *const *const c_char,
    /// Creation times in microseconds since the epoch (UTC). NULL, or a `CRM_TIME_NOW` entry:
    /// the handle's clock.
    pub created_at: *const i64,
    /// Number of custom field columns: entries in `custom_names` and `custom_text_values`.
    pub custom_len: usize,
    /// Names of the custom fields given, `custom_len` strings, each once.
    pub custom_names: *const *const c_char,
    /// Values of the custom fields: `custom_len` arrays (matching `custom_names`) of `n` values
    /// each, in their text form, interpreted by the field's type as
    /// `crm_field_definition.default_value` is (`"42"`, `"2.5"`, `"true"`, `"2026-03-01"`,
    /// `"north"`, `"email,sms"`). A NULL array or entry: absent (the field's default, if any).
    pub custom_text_values: *const *const *const c_char,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `created_at`.
unsafe impl Versioned for crm_customer_columns {
    const V1_SIZE: usize = offset_of!(crm_customer_columns, created_at) + size_of::<*const i64>();
    const INIT: &'static str = "crm_customer_columns_init";
    const DEFAULTS: Self = crm_customer_columns {
        struct_size: size_of::<crm_customer_columns>() as u32,
        external_id: ptr::null(),
        name: ptr::null(),
        email: ptr::null(),
        phone: ptr::null(),
        company: ptr::null(),
        stage: ptr::null(),
        source: ptr::null(),
        tags: ptr::null(),
        created_at: ptr::null(),
        custom_len: 0,
        custom_names: ptr::null(),
        custom_text_values: ptr::null(),
    };
}

/// Clears `columns` (every array NULL) and sets `struct_size`. Does nothing when `columns` is
/// NULL.
/// Pass the struct's size as your header declares it: `crm_customer_columns_init(&columns, sizeof columns)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_columns_init(
    columns: *mut crm_customer_columns,
    size: usize,
) {
    guard_value("crm_customer_columns_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(columns, size) }
    })
}

/// Converts the C columns; row checks are crm-core's.
///
/// # Safety
/// Every non-NULL array in `c` has `n` entries.
unsafe fn columns(c: &crm_customer_columns, n: usize) -> Result<NewCustomerColumns> {
    if c.name.is_null() && n > 0 {
        return Err(Error::InvalidArgument(
            "columns->name is NULL, but every row needs a name".into(),
        ));
    }
    // SAFETY (all): the caller's contract on the arrays.
    let mut cols = NewCustomerColumns {
        name: unsafe { text_column(c.name, n, "columns->name") }?,
        ..NewCustomerColumns::default()
    };
    cols.external_id = unsafe { text_column(c.external_id, n, "columns->external_id") }?;
    cols.email = unsafe { text_column(c.email, n, "columns->email") }?;
    cols.phone = unsafe { text_column(c.phone, n, "columns->phone") }?;
    cols.company = unsafe { text_column(c.company, n, "columns->company") }?;
    cols.stage = unsafe { text_column(c.stage, n, "columns->stage") }?;
    cols.source = unsafe { text_column(c.source, n, "columns->source") }?;
    cols.tags = unsafe { text_column(c.tags, n, "columns->tags") }?
        .into_iter()
        .map(|row| row.map(|joined| split_tag_list(&joined)))
        .collect();
    if !c.created_at.is_null() {
        let times = unsafe { slice(c.created_at, n, "columns->created_at") }?;
        cols.created_at = times.iter().map(|&t| time_or_now(t)).collect();
    }
    Ok(cols)
}

/// Converts the custom columns from their text form by the type of each field in `defs`; text
/// for a field not in `defs` stays text, for crm-core to refuse.
///
/// # Safety
/// `c.custom_names` and `c.custom_text_values` are NULL or `c.custom_len` entries long; every
/// non-NULL array in `c.custom_text_values` has `n` entries.
unsafe fn custom_columns(
    c: &crm_customer_columns,
    n: usize,
    defs: &[FieldDefinition],
) -> Result<BTreeMap<String, Vec<Value>>> {
    // SAFETY (all): the caller's contract on the arrays.
    let names = unsafe { str_array(c.custom_names, c.custom_len, "columns->custom_names") }?;
    let arrays = unsafe {
        slice(
            c.custom_text_values,
            c.custom_len,
            "columns->custom_text_values",
        )
    }?;
    let mut custom = BTreeMap::new();
    for (k, (name, &array)) in names.into_iter().zip(arrays).enumerate() {
        let what = format!("columns->custom_text_values[{k}]");
        let texts = unsafe { text_column(array, n, &what) }?;
        let ty = defs.iter().find(|d| d.name == name).map(|d| d.ty);
        let values = if texts.is_empty() {
            vec![Value::Null; n]
        } else {
            texts
                .into_iter()
                .map(|t| match (t, ty) {
                    (None, _) => Value::Null,
                    (Some(t), Some(ty)) => ty.parse_text(&t),
                    (Some(t), None) => Value::Text(t),
                })
                .collect()
        };
        if custom.insert(name.clone(), values).is_some() {
            return Err(Error::InvalidArgument(format!(
                "columns->custom_names[{k}] is {name:?}, which is given twice"
            )));
        }
    }
    Ok(custom)
}

/// Creates `n` customers from columns in one transaction. When `out_ids` is not NULL, it receives
/// the `n` new ids in row order. If any row is invalid, nothing is written and the message names
/// the row (zero-based), e.g. `invalid row 7: email "x": must contain '@'`.
///
/// Errors as for `crm_customer_add`, per row, and for custom values as for
/// `crm_customer_set_text` (an unknown field, a value that does not fit it);
/// `CRM_INVALID_ARGUMENT` for NULL `columns` or `columns->name` (with `n` > 0), a NULL entry in
/// `columns->custom_names`, or a field named twice.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_customer_add_many(
    db: *mut crm_db,
    n: usize,
    columns: *const crm_customer_columns,
    out_ids: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_customer_add_many", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(c) = (unsafe { versioned(columns, "columns") })? else {
            return Err(crate::args::null("columns"));
        };
        // SAFETY: the struct's arrays, per its contract.
        let mut cols = unsafe { self::columns(&c, n) }?;
        if c.custom_len > 0 {
            let defs = db.crm.fields().list(EntityKind::Customer, false)?;
            // SAFETY: the struct's arrays, per its contract.
            cols.custom = unsafe { custom_columns(&c, n, &defs) }?;
        }
        let ids = db.crm.customers().add_columns(cols)?;
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
