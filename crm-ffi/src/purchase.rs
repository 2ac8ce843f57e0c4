//! Purchases and their line items: input structs, the opaque purchase object with its accessors,
//! the operations (add, get, set status, count), the columnar batch path in (add many from arrays)
//! and out (purchase and line-item tables whose columns C reads as arrays).

use std::collections::HashMap;
use std::ffi::{CString, c_char, c_int};
use std::mem::offset_of;
use std::ptr;
use std::sync::OnceLock;

use crm_core::{
    Currency, Error, LineItem, LineItemColumns, Money, NewLineItem, NewPurchase,
    NewPurchaseColumns, Purchase, PurchaseColumns, PurchaseStatus, Result,
};

use crate::args::{
    Versioned, boxed, c_string, check_out, clear_out, init_versioned, null, opt_ptr, opt_str,
    opt_string, out_ptr, read, req_str, slice, static_name, text_column, time_or_now, versioned,
    versioned_array,
};
use crate::customer::{CRM_TIME_NOW, crm_find_options, query};
use crate::db::crm_db;
use crate::error::{guard_db, guard_value};
use crate::filter::crm_filter;

/// The static C string of a purchase status (`"completed"` …), valid for the whole program.
fn status_name(status: PurchaseStatus) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, PurchaseStatus::NAMES, status.as_str())
}

/// A column's borrowed array: NULL when it has no rows.
fn array(column: &[i64]) -> *const i64 {
    if column.is_empty() {
        ptr::null()
    } else {
        column.as_ptr()
    }
}

// ------------------------------------------------------------------------------------------------
// The purchase object

/// One line of a `crm_purchase`.
#[derive(Debug)]
struct Line {
    line: i64,
    product_id: i64,
    sku: Option<CString>,
    name: CString,
    category: Option<CString>,
    quantity: i64,
    unit_price: i64,
}

/// A purchase as stored, with its lines. Returned by `crm_purchase_get`; free it with
/// `crm_purchase_free`. It is a copy: it stays valid after the handle is closed and does not change
/// when the store does. Its strings are valid until it is freed.
#[derive(Debug)]
pub struct crm_purchase {
    id: i64,
    customer_id: i64,
    external_id: Option<CString>,
    purchased_at: i64,
    amount: i64,
    currency: CString,
    status: PurchaseStatus,
    created_at: i64,
    items: Vec<Line>,
}

impl crm_purchase {
    fn new(p: Purchase) -> Result<crm_purchase> {
        let id = p.id;
        let text = |s: &str, field: &str| c_string(s, || format!("purchase {id} {field}"));
        let opt =
            |s: &Option<String>, field: &str| s.as_deref().map(|s| text(s, field)).transpose();
        let line = |l: LineItem| -> Result<Line> {
            Ok(Line {
                line: l.line,
                product_id: l.product_id.unwrap_or(0),
                sku: opt(&l.sku, "line sku")?,
                name: text(&l.name, "line name")?,
                category: opt(&l.category, "line category")?,
                quantity: l.quantity,
                unit_price: l.unit_price,
            })
        };
        Ok(crm_purchase {
            id,
            customer_id: p.customer_id,
            external_id: opt(&p.external_id, "external_id")?,
            purchased_at: p.purchased_at.as_micros(),
            amount: p.amount.minor,
            currency: text(p.amount.currency.as_str(), "currency")?,
            status: p.status,
            created_at: p.created_at.as_micros(),
            items: p.items.into_iter().map(line).collect::<Result<_>>()?,
        })
    }
}

/// The guard of a line accessor: `f` of line `i`, or `fallback` for a NULL purchase or an `i` out
/// of range (or after a panic).
fn read_line<T: Copy>(
    name: &'static str,
    p: Option<&crm_purchase>,
    i: usize,
    fallback: T,
    f: impl FnOnce(&Line) -> T,
) -> T {
    read(name, p, fallback, |p| p.items.get(i).map_or(fallback, f))
}

/// The purchase's id; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_id(purchase: *const crm_purchase) -> i64 {
    // SAFETY: NULL or a live purchase.
    read("crm_purchase_id", unsafe { purchase.as_ref() }, 0, |p| p.id)
}

/// The buyer's customer id; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_customer_id(purchase: *const crm_purchase) -> i64 {
    // SAFETY: NULL or a live purchase.
    read(
        "crm_purchase_customer_id",
        unsafe { purchase.as_ref() },
        0,
        |p| p.customer_id,
    )
}

/// The order number in another system, or NULL when the purchase has none. Valid until the
/// purchase is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_external_id(purchase: *const crm_purchase) -> *const c_char {
    // SAFETY: NULL or a live purchase.
    read(
        "crm_purchase_external_id",
        unsafe { purchase.as_ref() },
        ptr::null(),
        |p| opt_ptr(&p.external_id),
    )
}

/// When the purchase was made, in microseconds since the epoch (UTC); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_purchased_at(purchase: *const crm_purchase) -> i64 {
    // SAFETY: NULL or a live purchase.
    read(
        "crm_purchase_purchased_at",
        unsafe { purchase.as_ref() },
        0,
        |p| p.purchased_at,
    )
}

/// The total paid, in minor units of `crm_purchase_currency`; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_amount(purchase: *const crm_purchase) -> i64 {
    // SAFETY: NULL or a live purchase.
    read(
        "crm_purchase_amount",
        unsafe { purchase.as_ref() },
        0,
        |p| p.amount,
    )
}

/// The ISO-4217 currency code of the amount and the unit prices (`"EUR"`); NULL for a NULL
/// `purchase`. Valid until the purchase is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_currency(purchase: *const crm_purchase) -> *const c_char {
    // SAFETY: NULL or a live purchase.
    read(
        "crm_purchase_currency",
        unsafe { purchase.as_ref() },
        ptr::null(),
        |p| p.currency.as_ptr(),
    )
}

/// The status: `"completed"`, `"refunded"` or `"cancelled"`. A static string (valid for the whole
/// program); NULL for a NULL `purchase`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_status(purchase: *const crm_purchase) -> *const c_char {
    // SAFETY: NULL or a live purchase.
    read(
        "crm_purchase_status",
        unsafe { purchase.as_ref() },
        ptr::null(),
        |p| status_name(p.status),
    )
}

/// When the purchase was recorded, in microseconds since the epoch (UTC); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_created_at(purchase: *const crm_purchase) -> i64 {
    // SAFETY: NULL or a live purchase.
    read(
        "crm_purchase_created_at",
        unsafe { purchase.as_ref() },
        0,
        |p| p.created_at,
    )
}

/// The number of lines; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_items_len(purchase: *const crm_purchase) -> usize {
    // SAFETY: NULL or a live purchase.
    read(
        "crm_purchase_items_len",
        unsafe { purchase.as_ref() },
        0,
        |p| p.items.len(),
    )
}

/// The catalogue product of line `i` (0-based), or 0 when the line names none, `i` is out of
/// range or `purchase` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_item_product_id(
    purchase: *const crm_purchase,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live purchase.
    read_line(
        "crm_purchase_item_product_id",
        unsafe { purchase.as_ref() },
        i,
        0,
        |l| l.product_id,
    )
}

/// The sku of line `i` (as given, or the catalogue product's), or NULL when the line has none or
/// `i` is out of range. Valid until the purchase is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_item_sku(
    purchase: *const crm_purchase,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live purchase.
    read_line(
        "crm_purchase_item_sku",
        unsafe { purchase.as_ref() },
        i,
        ptr::null(),
        |l| opt_ptr(&l.sku),
    )
}

/// The product name of line `i` (as given, else the catalogue's), or NULL when `i` is out of
/// range. Valid until the purchase is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_item_name(
    purchase: *const crm_purchase,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live purchase.
    read_line(
        "crm_purchase_item_name",
        unsafe { purchase.as_ref() },
        i,
        ptr::null(),
        |l| l.name.as_ptr(),
    )
}

/// The category of line `i` (as given, else the catalogue's), or NULL when it has none or `i` is
/// out of range. Valid until the purchase is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_item_category(
    purchase: *const crm_purchase,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live purchase.
    read_line(
        "crm_purchase_item_category",
        unsafe { purchase.as_ref() },
        i,
        ptr::null(),
        |l| opt_ptr(&l.category),
    )
}

/// The units bought on line `i`; 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_item_quantity(
    purchase: *const crm_purchase,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live purchase.
    read_line(
        "crm_purchase_item_quantity",
        unsafe { purchase.as_ref() },
        i,
        0,
        |l| l.quantity,
    )
}

/// The price of one unit on line `i`, in minor units of the purchase's currency; 0 when `i` is
/// out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_item_unit_price(
    purchase: *const crm_purchase,
    i: usize,
) -> i64 {
    // SAFETY: NULL or a live purchase.
    read_line(
        "crm_purchase_item_unit_price",
        unsafe { purchase.as_ref() },
        i,
        0,
        |l| l.unit_price,
    )
}

/// The line number of line `i` within its purchase (from 1; lines are in order, so it is `i + 1`);
/// 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_item_line(purchase: *const crm_purchase, i: usize) -> i64 {
    // SAFETY: NULL or a live purchase.
    read_line(
        "crm_purchase_item_line",
        unsafe { purchase.as_ref() },
        i,
        0,
        |l| l.line,
    )
}

/// Frees a purchase returned by `crm_purchase_get`. Does nothing when `purchase` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_free(purchase: *mut crm_purchase) {
    guard_value("crm_purchase_free", (), || {
        if !purchase.is_null() {
            // SAFETY: a purchase from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(purchase) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// Add

/// One line of a purchase to record. Initialise with `crm_new_line_item_init`. Name a catalogue
/// product by `product_id` or `sku` (name and category then default to the catalogue's), or give
/// at least a `name`. Strings are NUL-terminated UTF-8, copied; NULL means absent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_new_line_item {
    /// Size of this struct as the caller knows it; set by `crm_new_line_item_init`.
    pub struct_size: u32,
    /// A catalogue product id (must exist). 0: none.
    pub product_id: i64,
    /// A sku; the line is linked to the catalogue product with this sku when there is one.
    pub sku: *const c_char,
    /// Product name.
    pub name: *const c_char,
    /// Category.
    pub category: *const c_char,
    /// Units bought (at least 1; the default is 1).
    pub quantity: i64,
    /// Price of one unit in minor units of the purchase's currency (must not be negative).
    pub unit_price: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `unit_price`.
unsafe impl Versioned for crm_new_line_item {
    const V1_SIZE: usize = offset_of!(crm_new_line_item, unit_price) + size_of::<i64>();
    const INIT: &'static str = "crm_new_line_item_init";
    const DEFAULTS: Self = crm_new_line_item {
        struct_size: size_of::<crm_new_line_item>() as u32,
        product_id: 0,
        sku: ptr::null(),
        name: ptr::null(),
        category: ptr::null(),
        quantity: 1,
        unit_price: 0,
    };
}

/// Clears `item` (no product, no text, quantity 1, unit price 0) and sets `struct_size`. Does
/// nothing when `item` is NULL.
/// Pass the struct's size as your header declares it: `crm_new_line_item_init(&item, sizeof item)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_new_line_item_init(item: *mut crm_new_line_item, size: usize) {
    guard_value("crm_new_line_item_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(item, size) }
    })
}

/// A purchase to record. Initialise with `crm_new_purchase_init`; `customer_id`, `amount` and
/// `currency` are required. Strings are NUL-terminated UTF-8, copied; NULL means absent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_new_purchase {
    /// Size of this struct as the caller knows it; set by `crm_new_purchase_init`.
    pub struct_size: u32,
    /// Who bought (must exist).
    pub customer_id: i64,
    /// Order number in another system; must be unique.
    pub external_id: *const c_char,
    /// When the purchase was made, microseconds since the epoch (UTC). `CRM_TIME_NOW` (the
    /// default): the handle's clock.
    pub purchased_at: i64,
    /// Total paid in minor units of `currency` (must not be negative). It need not equal the sum
    /// of the lines (shipping, tax, discounts).
    pub amount: i64,
    /// ISO-4217 code of `amount` and of the lines' unit prices (`"EUR"`; required).
    pub currency: *const c_char,
    /// `"completed"`, `"refunded"` or `"cancelled"`. NULL: completed.
    pub status: *const c_char,
    /// The lines, `items_len` structs, each initialised with `crm_new_line_item_init`.
    pub items: *const crm_new_line_item,
    /// Number of entries in `items`.
    pub items_len: usize,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `items_len`.
unsafe impl Versioned for crm_new_purchase {
    const V1_SIZE: usize = offset_of!(crm_new_purchase, items_len) + size_of::<usize>();
    const INIT: &'static str = "crm_new_purchase_init";
    const DEFAULTS: Self = crm_new_purchase {
        struct_size: size_of::<crm_new_purchase>() as u32,
        customer_id: 0,
        external_id: ptr::null(),
        purchased_at: CRM_TIME_NOW,
        amount: 0,
        currency: ptr::null(),
        status: ptr::null(),
        items: ptr::null(),
        items_len: 0,
    };
}

/// Clears `purchase` (no customer, amount 0, no currency, completed, now, no lines) and sets
/// `struct_size`. Does nothing when `purchase` is NULL.
/// Pass the struct's size as your header declares it: `crm_new_purchase_init(&purchase, sizeof purchase)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_new_purchase_init(purchase: *mut crm_new_purchase, size: usize) {
    guard_value("crm_new_purchase_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(purchase, size) }
    })
}

/// Converts one C line; validation is crm-core's.
///
/// # Safety
/// The pointers in `l` are NULL or valid as documented on [`crm_new_line_item`].
unsafe fn new_line_item(l: &crm_new_line_item, i: usize) -> Result<NewLineItem> {
    let name = |field: &str| format!("purchase->items[{i}].{field}");
    // SAFETY (all): the caller's contract on the fields.
    Ok(NewLineItem {
        product_id: (l.product_id != 0).then_some(l.product_id),
        sku: unsafe { opt_string(l.sku, &name("sku")) }?,
        name: unsafe { opt_string(l.name, &name("name")) }?,
        category: unsafe { opt_string(l.category, &name("category")) }?,
        quantity: l.quantity,
        unit_price: l.unit_price,
    })
}

/// Converts the C struct and its lines; parsing and validation are crm-core's.
///
/// # Safety
/// The pointers in `p` are NULL or valid as documented on [`crm_new_purchase`].
unsafe fn new_purchase(p: &crm_new_purchase) -> Result<NewPurchase> {
    // SAFETY (all): the caller's contract on the fields.
    let currency = unsafe { req_str(p.currency, "purchase->currency") }?;
    let mut n = NewPurchase::new(p.customer_id, Money::new(p.amount, currency)?);
    n.external_id = unsafe { opt_string(p.external_id, "purchase->external_id") }?;
    n.purchased_at = time_or_now(p.purchased_at);
    if let Some(status) = unsafe { opt_str(p.status, "purchase->status") }? {
        n.status = status.parse()?;
    }
    let items = unsafe { versioned_array(p.items, p.items_len, "purchase->items") }?;
    n.items = items
        .iter()
        .enumerate()
        .map(|(i, l)| unsafe { new_line_item(l, i) })
        .collect::<Result<_>>()?;
    Ok(n)
}

/// Records a purchase with its lines, in one transaction. A line naming a sku in the catalogue is
/// linked to that product and takes its name and category unless given. The id goes to `*out_id`
/// when `out_id` is not NULL.
///
/// Errors: `CRM_INVALID_ARGUMENT` (NULL `purchase` or `purchase->currency`, `items` NULL with
/// `items_len` > 0, a bad `struct_size` on the purchase or a line, invalid UTF-8),
/// `CRM_INVALID_INPUT` (a negative amount, a bad currency or status, a quantity below 1, a
/// negative unit price, a line with neither product nor name, a sku not in the catalogue on a line
/// without a name; the message names the line and field), `CRM_NOT_FOUND` (unknown customer or
/// product id), `CRM_ALREADY_EXISTS` (the external id is taken). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_add(
    db: *mut crm_db,
    purchase: *const crm_new_purchase,
    out_id: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_purchase_add", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(p) = (unsafe { versioned(purchase, "purchase") })? else {
            return Err(null("purchase"));
        };
        // SAFETY: the struct's pointers, per its contract.
        let p = unsafe { new_purchase(&p) }?;
        let stored = db.crm.purchases().add(p)?;
        if !out_id.is_null() {
            // SAFETY: non-NULL and writable.
            unsafe { out_id.write(stored.id) };
        }
        Ok(())
    })
}

// ------------------------------------------------------------------------------------------------
// Get, status, count

/// Reads the purchase with this id, with its lines, into `*out`; free it with
/// `crm_purchase_free`. `CRM_NOT_FOUND` when there is none, `CRM_INVALID_ARGUMENT` for a NULL
/// `db` or `out`; `*out` is NULL on every failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_get(
    db: *mut crm_db,
    id: i64,
    out: *mut *mut crm_purchase,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_purchase_get", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        *out = boxed(crm_purchase::new(db.crm.purchases().get(id)?)?);
        Ok(())
    })
}

/// Moves purchase `id` to `status`: a completed purchase may become `"refunded"` or
/// `"cancelled"`; those two are final. Setting the current status again is a no-op.
///
/// Errors: `CRM_NOT_FOUND`, `CRM_ILLEGAL_TRANSITION` (the message names both statuses),
/// `CRM_INVALID_INPUT` (an unknown status), `CRM_INVALID_ARGUMENT` (NULL `db` or `status`,
/// invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_set_status(
    db: *mut crm_db,
    id: i64,
    status: *const c_char,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_purchase_set_status", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or NUL-terminated.
        let status: PurchaseStatus = unsafe { req_str(status, "status") }?.parse()?;
        db.crm.purchases().set_status(id, status).map(drop)
    })
}

/// Stores in `*out` how many purchases match `filter` (NULL: all). The fields a purchase filter
/// may name: `id`, `customer_id`, `external_id`, `purchased_at`, `amount`, `currency`, `status`,
/// `created_at`.
///
/// Errors: `CRM_INVALID_INPUT` for an unknown field (the message lists the known fields) or a
/// value that does not fit its field, `CRM_INVALID_ARGUMENT` for a NULL `db` or `out` or a value
/// of the wrong type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_count(
    db: *mut crm_db,
    filter: *const crm_filter,
    out: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_purchase_count", unsafe { db.as_mut() }, |db| {
        check_out(out, "out")?;
        // SAFETY: NULL or a live filter.
        let n = match unsafe { filter.as_ref() } {
            Some(f) => db.crm.purchases().count(&f.filter)?,
            None => db.crm.purchases().count(&Default::default())?,
        };
        // SAFETY: non-NULL (checked) and writable.
        unsafe { out.write(n) };
        Ok(())
    })
}

// ------------------------------------------------------------------------------------------------
// Add many, from columns

/// Purchases to record, as columns, and their lines as a second table. Each purchase array has
/// `n` entries (the `n` given to `crm_purchase_add_many`); each line array has `items_len`
/// entries. A NULL optional array means the default for every row; a NULL string entry, absent
/// for that row. Initialise with `crm_purchase_columns_init`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_purchase_columns {
    /// Size of this struct as the caller knows it; set by `crm_purchase_columns_init`.
    pub struct_size: u32,
    /// Buyers (required).
    pub customer_id: *const i64,
    /// Purchase times in microseconds since the epoch (UTC). NULL, or a `CRM_TIME_NOW` entry: the
    /// handle's clock.
    pub purchased_at: *const i64,
    /// Totals in minor units (required).
    pub amount: *const i64,
    /// One ISO-4217 code for every row (`"EUR"`); used when `currencies` is NULL.
    pub currency: *const c_char,
    /// One ISO-4217 code per row (no NULL entries). NULL: `currency` for every row.
    pub currencies: *const *const c_char,
    /// Statuses (`"completed"`, `"refunded"`, `"cancelled"`). NULL array or entry: completed.
    pub status: *const *const c_char,
    /// Order numbers in another system (unique).
    pub external_id: *const *const c_char,
    /// Number of lines, over all purchases.
    pub items_len: usize,
    /// The purchase of each line: a 0-based row of the purchase arrays (required when
    /// `items_len` > 0). A purchase's lines keep the order they have here.
    pub item_purchase_row: *const i64,
    /// Catalogue product ids. NULL array, or a 0 entry: none.
    pub item_product_id: *const i64,
    /// Skus (linked to the catalogue product with that sku when there is one).
    pub item_sku: *const *const c_char,
    /// Product names (needed on lines that name no catalogue product).
    pub item_name: *const *const c_char,
    /// Categories.
    pub item_category: *const *const c_char,
    /// Units bought, at least 1 (required when `items_len` > 0).
    pub item_quantity: *const i64,
    /// Unit prices in minor units of the purchase's currency (required when `items_len` > 0).
    pub item_unit_price: *const i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `item_unit_price`.
unsafe impl Versioned for crm_purchase_columns {
    const V1_SIZE: usize =
        offset_of!(crm_purchase_columns, item_unit_price) + size_of::<*const i64>();
    const INIT: &'static str = "crm_purchase_columns_init";
    const DEFAULTS: Self = crm_purchase_columns {
        struct_size: size_of::<crm_purchase_columns>() as u32,
        customer_id: ptr::null(),
        purchased_at: ptr::null(),
        amount: ptr::null(),
        currency: ptr::null(),
        currencies: ptr::null(),
        status: ptr::null(),
        external_id: ptr::null(),
        items_len: 0,
        item_purchase_row: ptr::null(),
        item_product_id: ptr::null(),
        item_sku: ptr::null(),
        item_name: ptr::null(),
        item_category: ptr::null(),
        item_quantity: ptr::null(),
        item_unit_price: ptr::null(),
    };
}

/// Clears `columns` (every array NULL, no currency, no lines) and sets `struct_size`. Does nothing
/// when `columns` is NULL.
/// Pass the struct's size as your header declares it: `crm_purchase_columns_init(&columns, sizeof columns)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_columns_init(
    columns: *mut crm_purchase_columns,
    size: usize,
) {
    guard_value("crm_purchase_columns_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(columns, size) }
    })
}

/// A required integer column of `len` rows; NULL is an error unless `len` is 0.
///
/// # Safety
/// `p` is NULL or points to `len` values.
unsafe fn int_column(p: *const i64, len: usize, name: &str, rows: &str) -> Result<Vec<i64>> {
    if p.is_null() && len > 0 {
        return Err(Error::InvalidArgument(format!(
            "columns->{name} is NULL, but every {rows} needs one"
        )));
    }
    // SAFETY: forwarded contract.
    Ok(unsafe { slice(p, len, &format!("columns->{name}")) }?.to_vec())
}

/// Converts the C columns; crm-core checks the rows (and the lines' purchase rows).
///
/// # Safety
/// Every non-NULL purchase array in `c` has `n` entries, every non-NULL line array `items_len`.
unsafe fn columns(c: &crm_purchase_columns, n: usize) -> Result<NewPurchaseColumns> {
    let m = c.items_len;
    // SAFETY (all): the caller's contract on the arrays.
    let mut cols = NewPurchaseColumns {
        customer_id: unsafe { int_column(c.customer_id, n, "customer_id", "purchase") }?,
        amount: unsafe { int_column(c.amount, n, "amount", "purchase") }?,
        ..NewPurchaseColumns::default()
    };
    if !c.purchased_at.is_null() {
        let times = unsafe { slice(c.purchased_at, n, "columns->purchased_at") }?;
        cols.purchased_at = times.iter().map(|&t| time_or_now(t)).collect();
    }
    cols.currency = if !c.currencies.is_null() {
        let codes = unsafe { slice(c.currencies, n, "columns->currencies") }?;
        codes
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let code = unsafe { req_str(s, &format!("columns->currencies[{i}]")) }?;
                code.parse::<Currency>().map_err(|e| e.in_row(i))
            })
            .collect::<Result<_>>()?
    } else if let Some(code) = unsafe { opt_str(c.currency, "columns->currency") }? {
        vec![code.parse::<Currency>()?; n]
    } else if n > 0 {
        return Err(Error::InvalidArgument(
            "columns->currency and columns->currencies are both NULL; give one".into(),
        ));
    } else {
        Vec::new()
    };
    cols.status = unsafe { text_column(c.status, n, "columns->status") }?
        .into_iter()
        .enumerate()
        .map(|(i, s)| match s {
            Some(s) => s.parse::<PurchaseStatus>().map_err(|e| e.in_row(i)),
            None => Ok(PurchaseStatus::default()),
        })
        .collect::<Result<_>>()?;
    cols.external_id = unsafe { text_column(c.external_id, n, "columns->external_id") }?;

    let rows = unsafe { int_column(c.item_purchase_row, m, "item_purchase_row", "line") }?;
    cols.item_purchase_row = rows
        .iter()
        .enumerate()
        .map(|(j, &row)| {
            usize::try_from(row).map_err(|_| {
                Error::InvalidArgument(format!(
                    "item {j}: purchase row {row} is out of range (there are {n} purchases)"
                ))
            })
        })
        .collect::<Result<_>>()?;
    if !c.item_product_id.is_null() {
        let ids = unsafe { slice(c.item_product_id, m, "columns->item_product_id") }?;
        cols.item_product_id = ids.iter().map(|&id| (id != 0).then_some(id)).collect();
    }
    cols.item_sku = unsafe { text_column(c.item_sku, m, "columns->item_sku") }?;
    cols.item_name = unsafe { text_column(c.item_name, m, "columns->item_name") }?;
    cols.item_category = unsafe { text_column(c.item_category, m, "columns->item_category") }?;
    cols.item_quantity = unsafe { int_column(c.item_quantity, m, "item_quantity", "line") }?;
    cols.item_unit_price = unsafe { int_column(c.item_unit_price, m, "item_unit_price", "line") }?;
    Ok(cols)
}

/// Records `n` purchases and their lines from columns in one transaction. When `out_ids` is not
/// NULL, it receives the `n` new ids in row order. If any row or line is invalid, nothing is
/// written and the message names the row (zero-based), e.g.
/// `invalid row 7: line 1: quantity "0": must be greater than 0`.
///
/// Errors as for `crm_purchase_add`, per row; `CRM_INVALID_ARGUMENT` for NULL `columns`, a NULL
/// required array (`customer_id`, `amount`, and with lines `item_purchase_row`, `item_quantity`,
/// `item_unit_price`), neither `currency` nor `currencies`, a NULL entry in `currencies`, or an
/// `item_purchase_row` entry outside `0 .. n-1`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_add_many(
    db: *mut crm_db,
    n: usize,
    columns: *const crm_purchase_columns,
    out_ids: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_purchase_add_many", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(c) = (unsafe { versioned(columns, "columns") })? else {
            return Err(null("columns"));
        };
        // SAFETY: the struct's arrays, per its contract.
        let cols = unsafe { self::columns(&c, n) }?;
        let ids = db.crm.purchases().add_columns(cols)?;
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
// The purchase table (columns out)

/// Purchases as columns (without their lines), from `crm_purchase_find_columns`; free it with
/// `crm_purchase_table_free`. The integer columns are arrays of `crm_purchase_table_len` values,
/// the text columns are read per row. Everything it returns is borrowed from it and valid until it
/// is freed. It does not belong to any handle.
#[derive(Debug)]
pub struct crm_purchase_table {
    id: Vec<i64>,
    customer_id: Vec<i64>,
    purchased_at: Vec<i64>,
    amount: Vec<i64>,
    /// Per row, an index into `currencies` (a store holds few currencies).
    currency: Vec<usize>,
    currencies: Vec<CString>,
    status: Vec<PurchaseStatus>,
    external_id: Vec<Option<CString>>,
}

impl crm_purchase_table {
    fn new(c: PurchaseColumns) -> Result<crm_purchase_table> {
        let mut seen: HashMap<Currency, usize> = HashMap::new();
        let mut currencies = Vec::new();
        let mut currency = Vec::with_capacity(c.currency.len());
        for code in &c.currency {
            let k = match seen.get(code) {
                Some(&k) => k,
                None => {
                    currencies.push(c_string(code.as_str(), || "a currency".into())?);
                    seen.insert(*code, currencies.len() - 1);
                    currencies.len() - 1
                }
            };
            currency.push(k);
        }
        let external_id = c
            .external_id
            .iter()
            .zip(&c.id)
            .map(|(e, id)| {
                e.as_deref()
                    .map(|e| c_string(e, || format!("purchase {id} external_id")))
                    .transpose()
            })
            .collect::<Result<_>>()?;
        Ok(crm_purchase_table {
            id: c.id,
            customer_id: c.customer_id,
            purchased_at: c.purchased_at.iter().map(|t| t.as_micros()).collect(),
            amount: c.amount,
            currency,
            currencies,
            status: c.status,
            external_id,
        })
    }
}

/// Finds the purchases matching `filter` (NULL: all; fields as for `crm_purchase_count`), ordered
/// and paged by `options` (NULL: by id, all; `order_by` names the same fields, e.g.
/// `"-purchased_at"`), as columns. `*out` receives the table: free it with
/// `crm_purchase_table_free`; NULL on failure. `filter` stays the caller's.
///
/// Errors: `CRM_INVALID_INPUT` for an unknown field in the filter or `order_by` (the message lists
/// the known fields) or a value that does not fit its field, `CRM_INVALID_ARGUMENT` for a NULL
/// `db` or `out`, a value of the wrong type, a bad `options->struct_size` or a negative offset.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_find_columns(
    db: *mut crm_db,
    filter: *const crm_filter,
    options: *const crm_find_options,
    out: *mut *mut crm_purchase_table,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_purchase_find_columns", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let query = unsafe { query(filter, options) }?;
        let cols = db.crm.purchases().find_columns(&query)?;
        *out = boxed(crm_purchase_table::new(cols)?);
        Ok(())
    })
}

/// The number of rows; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_table_len(table: *const crm_purchase_table) -> usize {
    // SAFETY: NULL or a live table.
    read(
        "crm_purchase_table_len",
        unsafe { table.as_ref() },
        0,
        |t| t.id.len(),
    )
}

/// The purchase ids, `crm_purchase_table_len` values; NULL when the table is NULL or empty.
/// Borrowed: valid until the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_table_id(table: *const crm_purchase_table) -> *const i64 {
    // SAFETY: NULL or a live table.
    read(
        "crm_purchase_table_id",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| array(&t.id),
    )
}

/// The buyers' customer ids, `crm_purchase_table_len` values; NULL when the table is NULL or
/// empty. Borrowed: valid until the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_table_customer_id(
    table: *const crm_purchase_table,
) -> *const i64 {
    // SAFETY: NULL or a live table.
    read(
        "crm_purchase_table_customer_id",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| array(&t.customer_id),
    )
}

/// The purchase times in microseconds since the epoch (UTC), `crm_purchase_table_len` values;
/// NULL when the table is NULL or empty. Borrowed: valid until the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_table_purchased_at(
    table: *const crm_purchase_table,
) -> *const i64 {
    // SAFETY: NULL or a live table.
    read(
        "crm_purchase_table_purchased_at",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| array(&t.purchased_at),
    )
}

/// The totals in minor units of each row's currency, `crm_purchase_table_len` values; NULL when
/// the table is NULL or empty. Borrowed: valid until the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_table_amount(table: *const crm_purchase_table) -> *const i64 {
    // SAFETY: NULL or a live table.
    read(
        "crm_purchase_table_amount",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| array(&t.amount),
    )
}

/// The ISO-4217 currency code of row `i` (`"EUR"`), or NULL when `i` is out of range. Valid until
/// the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_table_currency(
    table: *const crm_purchase_table,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live table.
    read(
        "crm_purchase_table_currency",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| {
            t.currency
                .get(i)
                .and_then(|&k| t.currencies.get(k))
                .map_or(ptr::null(), |c| c.as_ptr())
        },
    )
}

/// The status of row `i` (`"completed"`, `"refunded"`, `"cancelled"`; a static string), or NULL
/// when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_table_status(
    table: *const crm_purchase_table,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live table.
    read(
        "crm_purchase_table_status",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| t.status.get(i).map_or(ptr::null(), |&s| status_name(s)),
    )
}

/// The order number of row `i`, or NULL when the purchase has none or `i` is out of range. Valid
/// until the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_table_external_id(
    table: *const crm_purchase_table,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live table.
    read(
        "crm_purchase_table_external_id",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| t.external_id.get(i).map_or(ptr::null(), opt_ptr),
    )
}

/// Frees a table from `crm_purchase_find_columns`; the arrays and strings borrowed from it become
/// invalid. Does nothing when `table` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_table_free(table: *mut crm_purchase_table) {
    guard_value("crm_purchase_table_free", (), || {
        if !table.is_null() {
            // SAFETY: a table from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(table) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// The line-item table (columns out)

/// Purchase lines as columns, one row per line, with their purchase's id, buyer and time (the long
/// format market baskets use), from `crm_purchase_line_items`; free it with
/// `crm_line_item_table_free`. The integer columns are arrays of `crm_line_item_table_len` values,
/// the text columns are read per row. Everything it returns is borrowed from it and valid until it
/// is freed. It does not belong to any handle.
#[derive(Debug)]
pub struct crm_line_item_table {
    purchase_id: Vec<i64>,
    customer_id: Vec<i64>,
    purchased_at: Vec<i64>,
    line: Vec<i64>,
    product_id: Vec<i64>,
    quantity: Vec<i64>,
    unit_price: Vec<i64>,
    sku: Vec<Option<CString>>,
    name: Vec<CString>,
    category: Vec<Option<CString>>,
}

impl crm_line_item_table {
    fn new(c: LineItemColumns) -> Result<crm_line_item_table> {
        let at = |j: usize, field: &str| {
            let (p, l) = (c.purchase_id.get(j), c.line.get(j));
            format!(
                "purchase {} line {} {field}",
                p.copied().unwrap_or(0),
                l.copied().unwrap_or(0)
            )
        };
        let opt = |column: &[Option<String>], field: &str| -> Result<Vec<Option<CString>>> {
            column
                .iter()
                .enumerate()
                .map(|(j, s)| {
                    s.as_deref()
                        .map(|s| c_string(s, || at(j, field)))
                        .transpose()
                })
                .collect()
        };
        let sku = opt(&c.sku, "sku")?;
        let category = opt(&c.category, "category")?;
        let name = c
            .name
            .iter()
            .enumerate()
            .map(|(j, s)| c_string(s, || at(j, "name")))
            .collect::<Result<_>>()?;
        Ok(crm_line_item_table {
            purchase_id: c.purchase_id,
            customer_id: c.customer_id,
            purchased_at: c.purchased_at.iter().map(|t| t.as_micros()).collect(),
            line: c.line,
            product_id: c.product_id.iter().map(|p| p.unwrap_or(0)).collect(),
            quantity: c.quantity,
            unit_price: c.unit_price,
            sku,
            name,
            category,
        })
    }
}

/// The lines of the purchases matching `filter` (NULL: all; fields as for `crm_purchase_count`),
/// as columns. `options` (NULL: by id, all) orders and pages the purchases, not the lines: the
/// rows come purchase by purchase in that order, each purchase's lines in line order. `*out`
/// receives the table: free it with `crm_line_item_table_free`; NULL on failure. `filter` stays
/// the caller's.
///
/// Errors as for `crm_purchase_find_columns`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_purchase_line_items(
    db: *mut crm_db,
    filter: *const crm_filter,
    options: *const crm_find_options,
    out: *mut *mut crm_line_item_table,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_purchase_line_items", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let query = unsafe { query(filter, options) }?;
        let cols = db.crm.purchases().line_item_columns(&query)?;
        *out = boxed(crm_line_item_table::new(cols)?);
        Ok(())
    })
}

/// The number of rows (lines); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_line_item_table_len(table: *const crm_line_item_table) -> usize {
    // SAFETY: NULL or a live table.
    read(
        "crm_line_item_table_len",
        unsafe { table.as_ref() },
        0,
        |t| t.purchase_id.len(),
    )
}

/// The purchase id of each line, `crm_line_item_table_len` values; NULL when the table is NULL or
/// empty. Borrowed: valid until the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_line_item_table_purchase_id(
    table: *const crm_line_item_table,
) -> *const i64 {
    // SAFETY: NULL or a live table.
    read(
        "crm_line_item_table_purchase_id",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| array(&t.purchase_id),
    )
}

/// The buyer of each line's purchase, `crm_line_item_table_len` values; NULL when the table is
/// NULL or empty. Borrowed: valid until the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_line_item_table_customer_id(
    table: *const crm_line_item_table,
) -> *const i64 {
    // SAFETY: NULL or a live table.
    read(
        "crm_line_item_table_customer_id",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| array(&t.customer_id),
    )
}

/// The time of each line's purchase in microseconds since the epoch (UTC),
/// `crm_line_item_table_len` values; NULL when the table is NULL or empty. Borrowed: valid until
/// the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_line_item_table_purchased_at(
    table: *const crm_line_item_table,
) -> *const i64 {
    // SAFETY: NULL or a live table.
    read(
        "crm_line_item_table_purchased_at",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| array(&t.purchased_at),
    )
}

/// The line number of each line within its purchase (from 1), `crm_line_item_table_len` values;
/// NULL when the table is NULL or empty. Borrowed: valid until the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_line_item_table_line(table: *const crm_line_item_table) -> *const i64 {
    // SAFETY: NULL or a live table.
    read(
        "crm_line_item_table_line",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| array(&t.line),
    )
}

/// The catalogue product of each line (0: none), `crm_line_item_table_len` values; NULL when the
/// table is NULL or empty. Borrowed: valid until the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_line_item_table_product_id(
    table: *const crm_line_item_table,
) -> *const i64 {
    // SAFETY: NULL or a live table.
    read(
        "crm_line_item_table_product_id",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| array(&t.product_id),
    )
}

/// The units bought on each line, `crm_line_item_table_len` values; NULL when the table is NULL or
/// empty. Borrowed: valid until the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_line_item_table_quantity(
    table: *const crm_line_item_table,
) -> *const i64 {
    // SAFETY: NULL or a live table.
    read(
        "crm_line_item_table_quantity",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| array(&t.quantity),
    )
}

/// The unit price of each line in minor units of its purchase's currency,
/// `crm_line_item_table_len` values; NULL when the table is NULL or empty. Borrowed: valid until
/// the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_line_item_table_unit_price(
    table: *const crm_line_item_table,
) -> *const i64 {
    // SAFETY: NULL or a live table.
    read(
        "crm_line_item_table_unit_price",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| array(&t.unit_price),
    )
}

/// The sku of line row `i`, or NULL when the line has none or `i` is out of range. Valid until
/// the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_line_item_table_sku(
    table: *const crm_line_item_table,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live table.
    read(
        "crm_line_item_table_sku",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| t.sku.get(i).map_or(ptr::null(), opt_ptr),
    )
}

/// The product name of line row `i`, or NULL when `i` is out of range. Valid until the table is
/// freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_line_item_table_name(
    table: *const crm_line_item_table,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live table.
    read(
        "crm_line_item_table_name",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| t.name.get(i).map_or(ptr::null(), |s| s.as_ptr()),
    )
}

/// The category of line row `i`, or NULL when the line has none or `i` is out of range. Valid
/// until the table is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_line_item_table_category(
    table: *const crm_line_item_table,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live table.
    read(
        "crm_line_item_table_category",
        unsafe { table.as_ref() },
        ptr::null(),
        |t| t.category.get(i).map_or(ptr::null(), opt_ptr),
    )
}

/// Frees a table from `crm_purchase_line_items`; the arrays and strings borrowed from it become
/// invalid. Does nothing when `table` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_line_item_table_free(table: *mut crm_line_item_table) {
    guard_value("crm_line_item_table_free", (), || {
        if !table.is_null() {
            // SAFETY: a table from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(table) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm_code::*;
    use crate::customer::{crm_customer_add, crm_new_customer};
    use crate::db::{crm_close, crm_open};
    use std::ffi::CStr;

    fn open_with_customer() -> (*mut crm_db, i64) {
        let mut db = ptr::null_mut();
        assert_eq!(
            unsafe { crm_open(c":memory:".as_ptr(), ptr::null(), &mut db) },
            0
        );
        let mut c = crm_new_customer::DEFAULTS;
        c.name = c"Ada".as_ptr();
        let mut id = 0;
        assert_eq!(unsafe { crm_customer_add(db, &c, &mut id) }, 0);
        (db, id)
    }

    fn text<'a>(p: *const c_char) -> Option<&'a str> {
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap())
    }

    fn count(db: *mut crm_db) -> i64 {
        let mut n = -1;
        assert_eq!(unsafe { crm_purchase_count(db, ptr::null(), &mut n) }, 0);
        n
    }

    #[test]
    fn add_get_and_status() {
        let (db, customer) = open_with_customer();
        let mut items = [crm_new_line_item::DEFAULTS; 2];
        items[0].name = c"Tea".as_ptr();
        items[0].quantity = 2;
        items[0].unit_price = 450;
        items[1].name = c"Cup".as_ptr();
        let mut p = crm_new_purchase::DEFAULTS;
        p.customer_id = customer;
        p.amount = 900;
        p.currency = c"eur".as_ptr();
        p.purchased_at = 1_000_000;
        p.items = items.as_ptr();
        p.items_len = 2;
        let mut id = 0;
        assert_eq!(unsafe { crm_purchase_add(db, &p, &mut id) }, 0);

        let mut got = ptr::null_mut();
        assert_eq!(unsafe { crm_purchase_get(db, id, &mut got) }, 0);
        unsafe {
            assert_eq!(crm_purchase_customer_id(got), customer);
            assert_eq!(text(crm_purchase_currency(got)), Some("EUR"));
            assert_eq!(text(crm_purchase_status(got)), Some("completed"));
            assert_eq!(crm_purchase_purchased_at(got), 1_000_000);
            assert_eq!(crm_purchase_items_len(got), 2);
            assert_eq!(text(crm_purchase_item_name(got, 1)), Some("Cup"));
            assert_eq!(crm_purchase_item_quantity(got, 1), 1);
            assert_eq!(crm_purchase_item_line(got, 1), 2);
            assert_eq!(crm_purchase_item_product_id(got, 0), 0);
            assert!(crm_purchase_item_name(got, 2).is_null());
            crm_purchase_free(got);
        }

        assert_eq!(
            unsafe { crm_purchase_set_status(db, id, c"refunded".as_ptr()) },
            0
        );
        assert_eq!(
            unsafe { crm_purchase_set_status(db, id, c"completed".as_ptr()) },
            CRM_ILLEGAL_TRANSITION as c_int
        );

        // Line elements with a mismatched struct_size are refused; nothing is written.
        items[1].struct_size = 8;
        p.items = items.as_ptr();
        assert_eq!(
            unsafe { crm_purchase_add(db, &p, ptr::null_mut()) },
            CRM_INVALID_ARGUMENT as c_int
        );
        assert_eq!(count(db), 1);
        unsafe { crm_close(db) };
    }

    #[test]
    fn columns_in_and_out() {
        let (db, customer) = open_with_customer();
        let customers = [customer; 3];
        let amounts = [100, 200, 300];
        let times = [3, CRM_TIME_NOW, 1];
        let rows = [2_i64, 0, 2];
        let names = [c"A".as_ptr(), c"B".as_ptr(), c"C".as_ptr()];
        let quantities = [1_i64, 2, 3];
        let prices = [10_i64, 20, 30];
        let mut c = crm_purchase_columns::DEFAULTS;
        c.customer_id = customers.as_ptr();
        c.amount = amounts.as_ptr();
        c.purchased_at = times.as_ptr();
        c.currency = c"USD".as_ptr();
        c.items_len = 3;
        c.item_purchase_row = rows.as_ptr();
        c.item_name = names.as_ptr();
        c.item_quantity = quantities.as_ptr();
        c.item_unit_price = prices.as_ptr();
        let mut ids = [0_i64; 3];
        assert_eq!(
            unsafe { crm_purchase_add_many(db, 3, &c, ids.as_mut_ptr()) },
            0
        );

        let mut t = ptr::null_mut();
        assert_eq!(
            unsafe { crm_purchase_find_columns(db, ptr::null(), ptr::null(), &mut t) },
            0
        );
        unsafe {
            assert_eq!(crm_purchase_table_len(t), 3);
            let id = std::slice::from_raw_parts(crm_purchase_table_id(t), 3);
            assert_eq!(id, ids);
            assert_eq!(text(crm_purchase_table_currency(t, 2)), Some("USD"));
            assert!(crm_purchase_table_currency(t, 3).is_null());
            crm_purchase_table_free(t);
        }

        let mut l = ptr::null_mut();
        assert_eq!(
            unsafe { crm_purchase_line_items(db, ptr::null(), ptr::null(), &mut l) },
            0
        );
        unsafe {
            assert_eq!(crm_line_item_table_len(l), 3);
            let pid = std::slice::from_raw_parts(crm_line_item_table_purchase_id(l), 3);
            assert_eq!(pid, [ids[0], ids[2], ids[2]]);
            assert_eq!(text(crm_line_item_table_name(l, 0)), Some("B"));
            assert_eq!(text(crm_line_item_table_name(l, 2)), Some("C"));
            assert!(crm_line_item_table_sku(l, 0).is_null());
            crm_line_item_table_free(l);
        }

        // A negative row is refused before crm-core sees it; nothing is written.
        let bad_rows = [0_i64, -1, 0];
        c.item_purchase_row = bad_rows.as_ptr();
        assert_eq!(
            unsafe { crm_purchase_add_many(db, 3, &c, ptr::null_mut()) },
            CRM_INVALID_ARGUMENT as c_int
        );
        assert_eq!(count(db), 3);
        unsafe { crm_close(db) };
    }
}
