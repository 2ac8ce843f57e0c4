//! Saved segments: a name for a customer filter (built or written as text), its members and count,
//! and the list of segments with per-row accessors.

use std::ffi::{CString, c_char, c_int};
use std::ptr;

use crm_core::{Filter, Result, Segment};

use crate::args::{boxed, c_string, check_out, clear_out, null, opt_ptr, out_ptr, read, req_str};
use crate::customer::{crm_customer_list, crm_find_options, query};
use crate::db::crm_db;
use crate::error::{guard_db, guard_value};
use crate::filter::crm_filter;

/// A required filter argument, copied.
///
/// # Safety
/// `filter` is NULL or a live filter.
unsafe fn req_filter(filter: *const crm_filter) -> Result<Filter> {
    // SAFETY: forwarded contract.
    match unsafe { filter.as_ref() } {
        Some(f) => Ok(f.filter.clone()),
        None => Err(null("filter")),
    }
}

/// Saves a new segment `name` (trimmed; 1–200 characters, no control characters) for the customers
/// matching `filter`. The filter is copied (it stays the caller's: free it with
/// `crm_filter_free`) and checked against the customer fields now, so a saved segment always runs;
/// its members are computed when asked, so they follow the data. For every customer, save the
/// empty text with `crm_segment_save_text`. The save is recorded in the audit trail.
///
/// Errors: `CRM_ALREADY_EXISTS` (the name is taken), `CRM_INVALID_INPUT` (a bad name, an unknown
/// field in the filter — the message lists the known fields — or a value that does not fit its
/// field), `CRM_INVALID_ARGUMENT` (NULL `db`, `name` or `filter`, invalid UTF-8, a value of the
/// wrong type). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_save(
    db: *mut crm_db,
    name: *const c_char,
    filter: *const crm_filter,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_segment_save", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or NUL-terminated / a live filter.
        let name = unsafe { req_str(name, "name") }?;
        let filter = unsafe { req_filter(filter) }?;
        db.crm.segments().save(name, filter).map(|_| ())
    })
}

/// Saves a new segment `name` for the customers matching `text`, written in the filter text
/// syntax (as for `crm_filter_parse`; empty text: every customer). The text is kept and read back
/// by `crm_segment_list_text`.
///
/// Errors as for `crm_segment_save`, and `CRM_PARSE` for a syntax error (the message names the
/// character position); `CRM_INVALID_ARGUMENT` for a NULL `text`. Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_save_text(
    db: *mut crm_db,
    name: *const c_char,
    text: *const c_char,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_segment_save_text", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or NUL-terminated.
        let name = unsafe { req_str(name, "name") }?;
        let text = unsafe { req_str(text, "text") }?;
        db.crm.segments().save_text(name, text).map(|_| ())
    })
}

/// Replaces the filter of segment `name` with a copy of `filter` (checked as by
/// `crm_segment_save`); the segment's text, if it had one, is dropped.
///
/// Errors: `CRM_NOT_FOUND` (no segment `name`), otherwise as for `crm_segment_save` without
/// `CRM_ALREADY_EXISTS`. Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_update(
    db: *mut crm_db,
    name: *const c_char,
    filter: *const crm_filter,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_segment_update", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or NUL-terminated / a live filter.
        let name = unsafe { req_str(name, "name") }?;
        let filter = unsafe { req_filter(filter) }?;
        db.crm.segments().update(name, filter).map(|_| ())
    })
}

/// Replaces the filter of segment `name` with `text` in the filter text syntax (kept as the
/// segment's text).
///
/// Errors: `CRM_NOT_FOUND` (no segment `name`), otherwise as for `crm_segment_save_text` without
/// `CRM_ALREADY_EXISTS`. Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_update_text(
    db: *mut crm_db,
    name: *const c_char,
    text: *const c_char,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_segment_update_text", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or NUL-terminated.
        let name = unsafe { req_str(name, "name") }?;
        let text = unsafe { req_str(text, "text") }?;
        db.crm.segments().update_text(name, text).map(|_| ())
    })
}

/// Deletes segment `name`; its customers stay. Recorded in the audit trail.
///
/// Errors: `CRM_NOT_FOUND` (no segment `name`), `CRM_INVALID_ARGUMENT` (NULL `db` or `name`,
/// invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_delete(db: *mut crm_db, name: *const c_char) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_segment_delete", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or NUL-terminated.
        let name = unsafe { req_str(name, "name") }?;
        db.crm.segments().delete(name)
    })
}

/// Stores in `*out` how many customers are in segment `name` now.
///
/// Errors: `CRM_NOT_FOUND` (no segment `name`), `CRM_INVALID_ARGUMENT` (NULL `db`, `name` or
/// `out`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_count(
    db: *mut crm_db,
    name: *const c_char,
    out: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_segment_count", unsafe { db.as_mut() }, |db| {
        check_out(out, "out")?;
        // SAFETY: NULL or NUL-terminated.
        let name = unsafe { req_str(name, "name") }?;
        let n = db.crm.segments().count(name)?;
        // SAFETY: non-NULL (checked) and writable.
        unsafe { out.write(n) };
        Ok(())
    })
}

/// The customers in segment `name` now, ordered and paged by `options` (NULL: by id, all). `*out`
/// receives the list: free it with `crm_customer_list_free`; NULL on failure.
///
/// Errors: `CRM_NOT_FOUND` (no segment `name`), `CRM_INVALID_INPUT` (an unknown field in
/// `options->order_by`), `CRM_INVALID_ARGUMENT` (NULL `db`, `name` or `out`, invalid UTF-8, a
/// bad `options->struct_size`, a negative offset).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_members(
    db: *mut crm_db,
    name: *const c_char,
    options: *const crm_find_options,
    out: *mut *mut crm_customer_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_segment_members", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let name = unsafe { req_str(name, "name") }?;
        let query = unsafe { query(ptr::null(), options) }?;
        let members = db.crm.segments().members(name, &query)?;
        *out = boxed(crm_customer_list::new(members)?);
        Ok(())
    })
}

// ------------------------------------------------------------------------------------------------
// The list of segments

/// One segment of a `crm_segment_list`.
#[derive(Debug)]
struct Row {
    id: i64,
    name: CString,
    text: Option<CString>,
}

impl Row {
    fn new(s: Segment) -> Result<Row> {
        let id = s.id;
        let text = |t: &str, field: &str| c_string(t, || format!("segment {id} {field}"));
        Ok(Row {
            id,
            name: text(&s.name, "name")?,
            text: s.text.as_deref().map(|t| text(t, "text")).transpose()?,
        })
    }
}

/// The saved segments, by name, from `crm_segment_all`. Read them by index (0 to
/// `crm_segment_list_len` - 1); free the list with `crm_segment_list_free`. It is a copy: it
/// stays valid after the handle is closed. Its strings are valid until it is freed.
#[derive(Debug)]
pub struct crm_segment_list {
    items: Vec<Row>,
}

/// The guard of a row accessor: `f` of segment `i`, or `fallback` for a NULL list or an `i` out of
/// range (or after a panic).
fn read_row<T: Copy>(
    name: &'static str,
    list: Option<&crm_segment_list>,
    i: usize,
    fallback: T,
    f: impl FnOnce(&Row) -> T,
) -> T {
    read(name, list, fallback, |l| l.items.get(i).map_or(fallback, f))
}

/// Reads every saved segment, ordered by name. `*out` receives the list: free it with
/// `crm_segment_list_free`; NULL on failure.
///
/// Errors: `CRM_INVALID_ARGUMENT` (NULL `db` or `out`), `CRM_STORAGE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_all(
    db: *mut crm_db,
    out: *mut *mut crm_segment_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_segment_all", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        let items = db
            .crm
            .segments()
            .list()?
            .into_iter()
            .map(Row::new)
            .collect::<Result<_>>()?;
        *out = boxed(crm_segment_list { items });
        Ok(())
    })
}

/// The number of segments in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_list_len(list: *const crm_segment_list) -> usize {
    // SAFETY: NULL or a live list.
    read("crm_segment_list_len", unsafe { list.as_ref() }, 0, |l| {
        l.items.len()
    })
}

/// The id of segment `i`; 0 when `i` is out of range or `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_list_id(list: *const crm_segment_list, i: usize) -> i64 {
    // SAFETY: NULL or a live list.
    read_row("crm_segment_list_id", unsafe { list.as_ref() }, i, 0, |s| {
        s.id
    })
}

/// The name of segment `i`, or NULL when `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_list_name(
    list: *const crm_segment_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_segment_list_name",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |s| s.name.as_ptr(),
    )
}

/// The filter text of segment `i` as saved (trimmed) by `crm_segment_save_text` or
/// `crm_segment_update_text`; NULL when its filter was saved from a built `crm_filter`, or when
/// `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_list_text(
    list: *const crm_segment_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_segment_list_text",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |s| opt_ptr(&s.text),
    )
}

/// Frees a list from `crm_segment_all`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_segment_list_free(list: *mut crm_segment_list) {
    guard_value("crm_segment_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm_code::*;
    use crate::db::{crm_close, crm_open};
    use crate::{
        crm_customer_list_free, crm_customer_list_len, crm_filter_free, crm_filter_has_tag,
    };
    use std::ffi::CStr;

    fn s<'a>(p: *const c_char) -> &'a str {
        assert!(!p.is_null());
        unsafe { CStr::from_ptr(p) }.to_str().unwrap()
    }

    #[test]
    fn save_list_count_and_refuse() {
        let mut db = ptr::null_mut();
        assert_eq!(
            unsafe { crm_open(c":memory:".as_ptr(), ptr::null(), &mut db) },
            0
        );
        let text = c"source = 'web'";
        assert_eq!(
            unsafe { crm_segment_save_text(db, c"web".as_ptr(), text.as_ptr()) },
            0
        );
        let mut vip = ptr::null_mut();
        assert_eq!(unsafe { crm_filter_has_tag(c"vip".as_ptr(), &mut vip) }, 0);
        assert_eq!(unsafe { crm_segment_save(db, c"vip".as_ptr(), vip) }, 0);
        let code = unsafe { crm_segment_save(db, c"vip".as_ptr(), vip) };
        assert_eq!(code, CRM_ALREADY_EXISTS as c_int);
        unsafe { crm_filter_free(vip) };

        let mut list = ptr::null_mut();
        assert_eq!(unsafe { crm_segment_all(db, &mut list) }, 0);
        assert_eq!(unsafe { crm_segment_list_len(list) }, 2);
        assert_eq!(s(unsafe { crm_segment_list_name(list, 1) }), "web");
        assert_eq!(
            s(unsafe { crm_segment_list_text(list, 1) }),
            "source = 'web'"
        );
        assert!(unsafe { crm_segment_list_text(list, 0) }.is_null());
        assert!(unsafe { crm_segment_list_id(list, 0) } > 0);
        assert!(unsafe { crm_segment_list_name(list, 2) }.is_null());
        unsafe { crm_segment_list_free(list) };

        let mut n = -1;
        assert_eq!(unsafe { crm_segment_count(db, c"web".as_ptr(), &mut n) }, 0);
        assert_eq!(n, 0);
        let mut members = ptr::dangling_mut();
        let code = unsafe { crm_segment_members(db, c"nope".as_ptr(), ptr::null(), &mut members) };
        assert_eq!(code, CRM_NOT_FOUND as c_int);
        assert!(members.is_null());
        assert_eq!(
            unsafe { crm_segment_members(db, c"web".as_ptr(), ptr::null(), &mut members) },
            0
        );
        assert_eq!(unsafe { crm_customer_list_len(members) }, 0);
        unsafe { crm_customer_list_free(members) };
        let code = unsafe { crm_segment_save(db, c"x".as_ptr(), ptr::null()) };
        assert_eq!(code, CRM_INVALID_ARGUMENT as c_int);
        let code = unsafe { crm_segment_save_text(db, c"x".as_ptr(), c"nope = 1".as_ptr()) };
        assert_eq!(code, CRM_INVALID_INPUT as c_int);
        unsafe { crm_close(db) };
    }
}
