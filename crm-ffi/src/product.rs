//! Products: the catalogue that gives purchase lines their names and categories. The input struct,
//! the opaque product object with its accessors, and the operations (add, get, delete, count).

use std::ffi::{CString, c_char, c_int};
use std::mem::offset_of;
use std::ptr;

use crm_core::{Error, Money, NewProduct, Product, Result};

use crate::args::{
    Versioned, boxed, c_string, check_out, clear_out, init_versioned, null, opt_ptr, opt_str,
    opt_string, out_ptr, read, req_str, versioned,
};
use crate::db::crm_db;
use crate::error::{guard_db, guard_value};
use crate::filter::crm_filter;

// ------------------------------------------------------------------------------------------------
// The product object

/// A product as stored. Returned by `crm_product_get` and `crm_product_get_by_sku`; free it with
/// `crm_product_free`. It is a copy: it stays valid after the handle is closed and does not change
/// when the store does. Its strings are valid until it is freed.
#[derive(Debug)]
pub struct crm_product {
    id: i64,
    sku: CString,
    name: CString,
    category: Option<CString>,
    /// Price in minor units and its currency code, when the product has a price.
    price: Option<(i64, CString)>,
    created_at: i64,
}

impl crm_product {
    fn new(p: Product) -> Result<crm_product> {
        let id = p.id;
        let text = |s: &str, field: &str| c_string(s, || format!("product {id} {field}"));
        Ok(crm_product {
            id,
            sku: text(&p.sku, "sku")?,
            name: text(&p.name, "name")?,
            category: p
                .category
                .as_deref()
                .map(|c| text(c, "category"))
                .transpose()?,
            price: p
                .price
                .map(|m| Ok::<_, Error>((m.minor, text(m.currency.as_str(), "currency")?)))
                .transpose()?,
            created_at: p.created_at.as_micros(),
        })
    }
}

/// The product's id; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_id(product: *const crm_product) -> i64 {
    // SAFETY: NULL or a live product.
    read("crm_product_id", unsafe { product.as_ref() }, 0, |p| p.id)
}

/// The sku (never NULL for a product; NULL for a NULL `product`). Valid until the product is
/// freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_sku(product: *const crm_product) -> *const c_char {
    // SAFETY: NULL or a live product.
    read(
        "crm_product_sku",
        unsafe { product.as_ref() },
        ptr::null(),
        |p| p.sku.as_ptr(),
    )
}

/// The name (never NULL for a product; NULL for a NULL `product`). Valid until the product is
/// freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_name(product: *const crm_product) -> *const c_char {
    // SAFETY: NULL or a live product.
    read(
        "crm_product_name",
        unsafe { product.as_ref() },
        ptr::null(),
        |p| p.name.as_ptr(),
    )
}

/// The category, or NULL when the product has none. Valid until the product is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_category(product: *const crm_product) -> *const c_char {
    // SAFETY: NULL or a live product.
    read(
        "crm_product_category",
        unsafe { product.as_ref() },
        ptr::null(),
        |p| opt_ptr(&p.category),
    )
}

/// The currency code of the list price (`"EUR"`), or NULL when the product has no price. Valid
/// until the product is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_currency(product: *const crm_product) -> *const c_char {
    // SAFETY: NULL or a live product.
    read(
        "crm_product_currency",
        unsafe { product.as_ref() },
        ptr::null(),
        |p| p.price.as_ref().map_or(ptr::null(), |(_, c)| c.as_ptr()),
    )
}

/// The list price in minor units of `crm_product_currency`; 0 when the product has no price (tell
/// the two apart with `crm_product_currency`) and for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_price(product: *const crm_product) -> i64 {
    // SAFETY: NULL or a live product.
    read("crm_product_price", unsafe { product.as_ref() }, 0, |p| {
        p.price.as_ref().map_or(0, |(minor, _)| *minor)
    })
}

/// When the product was created, in microseconds since the epoch (UTC); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_created_at(product: *const crm_product) -> i64 {
    // SAFETY: NULL or a live product.
    read(
        "crm_product_created_at",
        unsafe { product.as_ref() },
        0,
        |p| p.created_at,
    )
}

/// Frees a product returned by `crm_product_get` or `crm_product_get_by_sku`. Does nothing when
/// `product` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_free(product: *mut crm_product) {
    guard_value("crm_product_free", (), || {
        if !product.is_null() {
            // SAFETY: a product from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(product) });
        }
    })
}

// ------------------------------------------------------------------------------------------------
// Add

/// A product to create. Initialise with `crm_new_product_init`; `sku` and `name` are required.
/// Strings are NUL-terminated UTF-8, copied; NULL means absent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_new_product {
    /// Size of this struct as the caller knows it; set by `crm_new_product_init`.
    pub struct_size: u32,
    /// Stock-keeping unit: the product's unique key (required).
    pub sku: *const c_char,
    /// Display name (required).
    pub name: *const c_char,
    /// Category (for category-level baskets and features).
    pub category: *const c_char,
    /// ISO-4217 code of the list price (`"EUR"`). NULL: the product has no price, and `price`
    /// must be 0.
    pub currency: *const c_char,
    /// List price in minor units of `currency` (must not be negative).
    pub price: i64,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `price`.
unsafe impl Versioned for crm_new_product {
    const V1_SIZE: usize = offset_of!(crm_new_product, price) + size_of::<i64>();
    const INIT: &'static str = "crm_new_product_init";
    const DEFAULTS: Self = crm_new_product {
        struct_size: size_of::<crm_new_product>() as u32,
        sku: ptr::null(),
        name: ptr::null(),
        category: ptr::null(),
        currency: ptr::null(),
        price: 0,
    };
}

/// Clears `product` (every field absent, no price) and sets `struct_size`. Does nothing when
/// `product` is NULL.
/// Pass the struct's size as your header declares it: `crm_new_product_init(&product, sizeof product)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_new_product_init(product: *mut crm_new_product, size: usize) {
    guard_value("crm_new_product_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(product, size) }
    })
}

/// Converts the C struct; validation is crm-core's.
///
/// # Safety
/// The pointers in `p` are NULL or valid as documented on [`crm_new_product`].
unsafe fn new_product(p: &crm_new_product) -> Result<NewProduct> {
    // SAFETY (all): the caller's contract on the fields.
    let mut n = NewProduct::new(unsafe { req_str(p.sku, "product->sku") }?, unsafe {
        req_str(p.name, "product->name")
    }?);
    n.category = unsafe { opt_string(p.category, "product->category") }?;
    n.price = match unsafe { opt_str(p.currency, "product->currency") }? {
        Some(currency) => Some(Money::new(p.price, currency)?),
        None if p.price != 0 => {
            return Err(Error::InvalidArgument(format!(
                "product->price is {} but product->currency is NULL (set both, or neither)",
                p.price
            )));
        }
        None => None,
    };
    Ok(n)
}

/// Creates a product. Text is trimmed; the id goes to `*out_id` when `out_id` is not NULL.
///
/// Errors: `CRM_INVALID_ARGUMENT` (NULL `product`, `product->sku` or `product->name`, bad
/// `struct_size`, invalid UTF-8, a non-zero `price` without a `currency`), `CRM_INVALID_INPUT`
/// (an empty sku or name, a negative price, a currency that is not a three-letter ISO-4217 code;
/// the message names the field), `CRM_ALREADY_EXISTS` (the sku is taken). Nothing is written on
/// failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_add(
    db: *mut crm_db,
    product: *const crm_new_product,
    out_id: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_product_add", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(p) = (unsafe { versioned(product, "product") })? else {
            return Err(null("product"));
        };
        // SAFETY: the struct's pointers, per its contract.
        let p = unsafe { new_product(&p) }?;
        let stored = db.crm.products().add(p)?;
        if !out_id.is_null() {
            // SAFETY: non-NULL and writable.
            unsafe { out_id.write(stored.id) };
        }
        Ok(())
    })
}

// ------------------------------------------------------------------------------------------------
// Get, delete, count

/// Reads the product with this id into `*out`; free it with `crm_product_free`. `CRM_NOT_FOUND`
/// when there is none, `CRM_INVALID_ARGUMENT` for a NULL `db` or `out`; `*out` is NULL on every
/// failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_get(
    db: *mut crm_db,
    id: i64,
    out: *mut *mut crm_product,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_product_get", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        *out = boxed(crm_product::new(db.crm.products().get(id)?)?);
        Ok(())
    })
}

/// Reads the product with this sku (surrounding spaces ignored) into `*out`; free it with
/// `crm_product_free`. `CRM_NOT_FOUND` when there is none, `CRM_INVALID_ARGUMENT` for a NULL
/// `db`, `sku` or `out` or invalid UTF-8; `*out` is NULL on every failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_get_by_sku(
    db: *mut crm_db,
    sku: *const c_char,
    out: *mut *mut crm_product,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_product_get_by_sku", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable / NUL-terminated.
        let out = unsafe { out_ptr(out, "out") }?;
        let sku = unsafe { req_str(sku, "sku") }?;
        *out = boxed(crm_product::new(db.crm.products().get_by_sku(sku)?)?);
        Ok(())
    })
}

/// Deletes product `id`. `CRM_NOT_FOUND` when there is none; `CRM_CONSTRAINT` while purchase
/// lines name it (nothing is deleted).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_delete(db: *mut crm_db, id: i64) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_product_delete", unsafe { db.as_mut() }, |db| {
        db.crm.products().delete(id)
    })
}

/// Stores in `*out` how many products match `filter` (NULL: all). The fields a product filter may
/// name: `id`, `sku`, `name`, `category`, `price`, `currency`, `created_at`.
///
/// Errors: `CRM_INVALID_INPUT` for an unknown field (the message lists the known fields) or a
/// value that does not fit its field, `CRM_INVALID_ARGUMENT` for a NULL `db` or `out` or a value
/// of the wrong type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_product_count(
    db: *mut crm_db,
    filter: *const crm_filter,
    out: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_product_count", unsafe { db.as_mut() }, |db| {
        check_out(out, "out")?;
        // SAFETY: NULL or a live filter.
        let n = match unsafe { filter.as_ref() } {
            Some(f) => db.crm.products().count(&f.filter)?,
            None => db.crm.products().count(&Default::default())?,
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
    use std::ffi::CStr;

    fn open() -> *mut crm_db {
        let mut db = ptr::null_mut();
        assert_eq!(
            unsafe { crm_open(c":memory:".as_ptr(), ptr::null(), &mut db) },
            0
        );
        db
    }

    fn text<'a>(p: *const c_char) -> Option<&'a str> {
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap())
    }

    #[test]
    fn add_get_and_refuse() {
        let db = open();
        let mut p = crm_new_product::DEFAULTS;
        p.sku = c" TEA-01 ".as_ptr();
        p.name = c"Green tea".as_ptr();
        p.currency = c"eur".as_ptr();
        p.price = 1250;
        let mut id = 0;
        assert_eq!(unsafe { crm_product_add(db, &p, &mut id) }, 0);

        let mut got = ptr::null_mut();
        assert_eq!(
            unsafe { crm_product_get_by_sku(db, c"TEA-01".as_ptr(), &mut got) },
            0
        );
        unsafe {
            assert_eq!(crm_product_id(got), id);
            assert_eq!(text(crm_product_sku(got)), Some("TEA-01"));
            assert_eq!(text(crm_product_currency(got)), Some("EUR"));
            assert_eq!(crm_product_price(got), 1250);
            assert_eq!(text(crm_product_category(got)), None);
            crm_product_free(got);
        }

        // A price without a currency, a bad currency, a taken sku.
        p.currency = ptr::null();
        assert_eq!(
            unsafe { crm_product_add(db, &p, ptr::null_mut()) },
            CRM_INVALID_ARGUMENT as c_int
        );
        p.currency = c"EURO".as_ptr();
        p.sku = c"TEA-02".as_ptr();
        assert_eq!(
            unsafe { crm_product_add(db, &p, ptr::null_mut()) },
            CRM_INVALID_INPUT as c_int
        );
        p.currency = c"EUR".as_ptr();
        p.sku = c"TEA-01".as_ptr();
        assert_eq!(
            unsafe { crm_product_add(db, &p, ptr::null_mut()) },
            CRM_ALREADY_EXISTS as c_int
        );
        let mut n = 0;
        assert_eq!(unsafe { crm_product_count(db, ptr::null(), &mut n) }, 0);
        assert_eq!(n, 1);

        let mut got = ptr::dangling_mut();
        assert_eq!(
            unsafe { crm_product_get(ptr::null_mut(), id, &mut got) },
            CRM_INVALID_ARGUMENT as c_int
        );
        assert!(got.is_null());
        assert_eq!(unsafe { crm_product_delete(db, id) }, 0);
        assert_eq!(
            unsafe { crm_product_delete(db, id) },
            CRM_NOT_FOUND as c_int
        );
        unsafe { crm_close(db) };
    }
}
