//! Notes: free text on any record (customer, product, purchase, interaction), signed by the
//! handle's principal. Adding one, and the list of a record's notes with per-row accessors.

use std::ffi::{CString, c_char, c_int};
use std::ptr;

use crm_core::{EntityKind, Note, Result};

use crate::args::{boxed, c_string, clear_out, out_ptr, read, req_str};
use crate::db::crm_db;
use crate::error::{guard_db, guard_value};

/// One note of a `crm_note_list`.
#[derive(Debug)]
struct Row {
    id: i64,
    body: CString,
    author: CString,
    created_at: i64,
}

impl Row {
    fn new(n: Note) -> Result<Row> {
        let id = n.id;
        let text = |s: &str, field: &str| c_string(s, || format!("note {id} {field}"));
        Ok(Row {
            id,
            body: text(&n.body, "body")?,
            author: text(&n.author, "author")?,
            created_at: n.created_at.as_micros(),
        })
    }
}

/// The notes on one record, newest first, from `crm_note_all`. Read them by index (0 to
/// `crm_note_list_len` - 1); free the list with `crm_note_list_free`. It is a copy: it stays
/// valid after the handle is closed. Its strings are valid until it is freed.
#[derive(Debug)]
pub struct crm_note_list {
    items: Vec<Row>,
}

/// The guard of a row accessor: `f` of note `i`, or `fallback` for a NULL list or an `i` out of
/// range (or after a panic).
fn read_row<T: Copy>(
    name: &'static str,
    list: Option<&crm_note_list>,
    i: usize,
    fallback: T,
    f: impl FnOnce(&Row) -> T,
) -> T {
    read(name, list, fallback, |l| l.items.get(i).map_or(fallback, f))
}

/// The kind of record named by `entity`.
fn entity_kind(entity: &str) -> Result<EntityKind> {
    entity.parse()
}

/// Adds a note to a record: `entity` is `"customer"`, `"product"`, `"purchase"` or
/// `"interaction"`, `entity_id` the record's id. The body is trimmed; the note is signed with the
/// handle's principal (`crm_open_options.principal`) and recorded in the audit trail. The new
/// note's id goes to `*out_id` when `out_id` is not NULL.
///
/// Errors: `CRM_NOT_FOUND` (no such record), `CRM_INVALID_INPUT` (an unknown `entity`, a blank
/// body or one over 64 KiB; the message names the field), `CRM_INVALID_ARGUMENT` (NULL `db`,
/// `entity` or `body`, invalid UTF-8). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_note_add(
    db: *mut crm_db,
    entity: *const c_char,
    entity_id: i64,
    body: *const c_char,
    out_id: *mut i64,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_note_add", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or NUL-terminated.
        let kind = entity_kind(unsafe { req_str(entity, "entity") }?)?;
        let body = unsafe { req_str(body, "body") }?;
        let note = db.crm.notes().add(kind, entity_id, body)?;
        if !out_id.is_null() {
            // SAFETY: non-NULL and writable.
            unsafe { out_id.write(note.id) };
        }
        Ok(())
    })
}

/// Reads the notes on a record (`entity` and `entity_id` as for `crm_note_add`), newest first.
/// `*out` receives the list: free it with `crm_note_list_free`; NULL on failure. A record
/// without notes gives an empty list.
///
/// Errors: `CRM_NOT_FOUND` (no such record), `CRM_INVALID_INPUT` (an unknown `entity`),
/// `CRM_INVALID_ARGUMENT` (NULL `db`, `entity` or `out`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_note_all(
    db: *mut crm_db,
    entity: *const c_char,
    entity_id: i64,
    out: *mut *mut crm_note_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_note_all", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        // SAFETY: NULL or NUL-terminated.
        let kind = entity_kind(unsafe { req_str(entity, "entity") }?)?;
        let items = db
            .crm
            .notes()
            .list(kind, entity_id)?
            .into_iter()
            .map(Row::new)
            .collect::<Result<_>>()?;
        *out = boxed(crm_note_list { items });
        Ok(())
    })
}

/// The number of notes in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_note_list_len(list: *const crm_note_list) -> usize {
    // SAFETY: NULL or a live list.
    read("crm_note_list_len", unsafe { list.as_ref() }, 0, |l| {
        l.items.len()
    })
}

/// The id of note `i`; 0 when `i` is out of range or `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_note_list_id(list: *const crm_note_list, i: usize) -> i64 {
    // SAFETY: NULL or a live list.
    read_row("crm_note_list_id", unsafe { list.as_ref() }, i, 0, |n| n.id)
}

/// The text of note `i` (trimmed), or NULL when `i` is out of range. Valid until the list is
/// freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_note_list_body(list: *const crm_note_list, i: usize) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_note_list_body",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |n| n.body.as_ptr(),
    )
}

/// Who wrote note `i` (the principal of the handle that added it), or NULL when `i` is out of
/// range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_note_list_author(
    list: *const crm_note_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_note_list_author",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |n| n.author.as_ptr(),
    )
}

/// When note `i` was added, in microseconds since the epoch (UTC); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_note_list_created_at(list: *const crm_note_list, i: usize) -> i64 {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_note_list_created_at",
        unsafe { list.as_ref() },
        i,
        0,
        |n| n.created_at,
    )
}

/// Frees a list from `crm_note_all`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_note_list_free(list: *mut crm_note_list) {
    guard_value("crm_note_list_free", (), || {
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

    fn s<'a>(p: *const c_char) -> &'a str {
        assert!(!p.is_null());
        unsafe { CStr::from_ptr(p) }.to_str().unwrap()
    }

    #[test]
    fn add_and_list_newest_first() {
        let db = open();
        let mut first = 0;
        let mut second = 0;
        let customer = c"Customer".as_ptr();
        assert_eq!(
            unsafe { crm_note_add(db, customer, 1, c" first ".as_ptr(), &mut first) },
            0
        );
        assert_eq!(
            unsafe { crm_note_add(db, customer, 1, c"second".as_ptr(), &mut second) },
            0
        );
        let mut list = ptr::null_mut();
        assert_eq!(unsafe { crm_note_all(db, customer, 1, &mut list) }, 0);
        assert_eq!(unsafe { crm_note_list_len(list) }, 2);
        assert_eq!(unsafe { crm_note_list_id(list, 0) }, second);
        assert_eq!(s(unsafe { crm_note_list_body(list, 1) }), "first");
        assert_eq!(s(unsafe { crm_note_list_author(list, 0) }), "system");
        assert!(unsafe { crm_note_list_body(list, 2) }.is_null());
        assert_eq!(unsafe { crm_note_list_id(list, 2) }, 0);
        unsafe { crm_note_list_free(list) };

        let mut list = ptr::dangling_mut();
        let code = unsafe { crm_note_all(db, c"ticket".as_ptr(), 1, &mut list) };
        assert_eq!(code, CRM_INVALID_INPUT as c_int);
        assert!(list.is_null());
        let code = unsafe { crm_note_add(db, customer, 2, c"x".as_ptr(), ptr::null_mut()) };
        assert_eq!(code, CRM_NOT_FOUND as c_int);
        unsafe { crm_close(db) };
    }
}
