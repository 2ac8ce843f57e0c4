//! The audit trail: finding entries (who changed what, when), as a list with per-row accessors.

use std::ffi::{CString, c_char, c_int};
use std::ptr;
use std::sync::OnceLock;

use crm_core::{AuditAction, AuditEntry, Result};

use crate::args::{boxed, c_string, clear_out, out_ptr, read, static_name};
use crate::customer::{crm_find_options, query};
use crate::db::crm_db;
use crate::error::{guard_db, guard_value};
use crate::filter::crm_filter;

/// The static C string of an action (`"create"` …), valid for the whole program.
fn action_name(action: AuditAction) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    static_name(&NAMES, AuditAction::NAMES, action.as_str())
}

/// One entry of a `crm_audit_list`.
#[derive(Debug)]
struct Row {
    id: i64,
    at: i64,
    principal: CString,
    role: CString,
    entity: CString,
    entity_id: i64,
    action: AuditAction,
    changes_json: CString,
}

impl Row {
    fn new(e: AuditEntry) -> Result<Row> {
        let id = e.id;
        let text = |s: &str, field: &str| c_string(s, || format!("audit entry {id} {field}"));
        Ok(Row {
            id,
            at: e.at.as_micros(),
            principal: text(&e.principal, "principal")?,
            role: text(&e.role, "role")?,
            entity: text(&e.entity, "entity")?,
            entity_id: e.entity_id.unwrap_or(0),
            action: e.action,
            changes_json: text(&e.changes_json(), "changes")?,
        })
    }
}

/// Audit entries found by `crm_audit_find`, in order. Read them by index (0 to
/// `crm_audit_list_len` - 1); free the list with `crm_audit_list_free`. It is a copy: it stays
/// valid after the handle is closed. Its strings are valid until it is freed.
#[derive(Debug)]
pub struct crm_audit_list {
    items: Vec<Row>,
}

/// The guard of a row accessor: `f` of entry `i`, or `fallback` for a NULL list or an `i` out of
/// range (or after a panic).
fn read_row<T: Copy>(
    name: &'static str,
    list: Option<&crm_audit_list>,
    i: usize,
    fallback: T,
    f: impl FnOnce(&Row) -> T,
) -> T {
    read(name, list, fallback, |l| l.items.get(i).map_or(fallback, f))
}

/// Finds the audit entries matching `filter` (NULL: all), oldest first unless
/// `options->order_by` is given, paged by `options` (NULL: all). `*out` receives the list: free
/// it with `crm_audit_list_free`; NULL on failure. `filter` stays the caller's (free it with
/// `crm_filter_free`).
///
/// Every write is recorded in the same transaction as the write itself, with the handle's
/// principal and role. The fields a filter or `order_by` may name: `id`, `at` (a timestamp),
/// `principal`, `role`, `entity` (`"customer"`, `"product"`, `"purchase"`, `"interaction"`,
/// `"note"`, `"segment"` …), `entity_id`, `action` (`"create"`, `"update"`, `"delete"`,
/// `"bulk_create"`).
///
/// Errors: `CRM_INVALID_INPUT` for an unknown field in the filter or `order_by` (the message lists
/// the known fields) or a value that does not fit its field (an unknown action),
/// `CRM_INVALID_ARGUMENT` for a NULL `db` or `out`, a value of the wrong type, a bad
/// `options->struct_size` or a negative offset.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audit_find(
    db: *mut crm_db,
    filter: *const crm_filter,
    options: *const crm_find_options,
    out: *mut *mut crm_audit_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_audit_find", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let query = unsafe { query(filter, options) }?;
        let items = db
            .crm
            .audit()
            .find(&query)?
            .into_iter()
            .map(Row::new)
            .collect::<Result<_>>()?;
        *out = boxed(crm_audit_list { items });
        Ok(())
    })
}

/// The number of entries in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audit_list_len(list: *const crm_audit_list) -> usize {
    // SAFETY: NULL or a live list.
    read("crm_audit_list_len", unsafe { list.as_ref() }, 0, |l| {
        l.items.len()
    })
}

/// The id of entry `i`: its position in the trail (increasing, from 1); 0 when `i` is out of range
/// or `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audit_list_id(list: *const crm_audit_list, i: usize) -> i64 {
    // SAFETY: NULL or a live list.
    read_row("crm_audit_list_id", unsafe { list.as_ref() }, i, 0, |e| {
        e.id
    })
}

/// When the write of entry `i` happened (by the writing handle's clock), in microseconds since
/// the epoch (UTC); 0 when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audit_list_at(list: *const crm_audit_list, i: usize) -> i64 {
    // SAFETY: NULL or a live list.
    read_row("crm_audit_list_at", unsafe { list.as_ref() }, i, 0, |e| {
        e.at
    })
}

/// Who wrote entry `i` (the principal the handle was opened for, `"system"` by default), or NULL
/// when `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audit_list_principal(
    list: *const crm_audit_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_audit_list_principal",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |e| e.principal.as_ptr(),
    )
}

/// The writer's role for entry `i` (`"admin"`, `"agent"`, `"analyst"` or a custom role), or NULL
/// when `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audit_list_role(
    list: *const crm_audit_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_audit_list_role",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |e| e.role.as_ptr(),
    )
}

/// The kind of record entry `i` is about (`"customer"`, `"product"`, `"purchase"`,
/// `"interaction"`, `"note"`, `"segment"` …), or NULL when `i` is out of range. Valid until the
/// list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audit_list_entity(
    list: *const crm_audit_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_audit_list_entity",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |e| e.entity.as_ptr(),
    )
}

/// The id of the record entry `i` is about; 0 when the entry names no single record (a
/// `"bulk_create"` entry: its changes hold `count`, `first_id` and `last_id`), when `i` is out of
/// range or `list` is NULL. Record ids start at 1, so 0 never names a record.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audit_list_entity_id(list: *const crm_audit_list, i: usize) -> i64 {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_audit_list_entity_id",
        unsafe { list.as_ref() },
        i,
        0,
        |e| e.entity_id,
    )
}

/// What entry `i`'s write did: `"create"`, `"update"`, `"delete"` or `"bulk_create"`. A static
/// string (valid for the whole program); NULL when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audit_list_action(
    list: *const crm_audit_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_audit_list_action",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |e| action_name(e.action),
    )
}

/// The changes of entry `i` as compact JSON text, always an object: for each changed field
/// `{"field": {"before": …, "after": …}}` (`null` before a create and after a delete); for a
/// `"bulk_create"` entry `count`, `first_id` and `last_id`. Erased personal values read as
/// `"[erased]"`. NULL when `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audit_list_changes_json(
    list: *const crm_audit_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_audit_list_changes_json",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |e| e.changes_json.as_ptr(),
    )
}

/// Frees a list from `crm_audit_find`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_audit_list_free(list: *mut crm_audit_list) {
    guard_value("crm_audit_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{crm_close, crm_open};
    use crate::{crm_customer_add, crm_new_customer, crm_new_customer_init};
    use std::ffi::CStr;
    use std::mem::MaybeUninit;

    fn s<'a>(p: *const c_char) -> &'a str {
        assert!(!p.is_null());
        unsafe { CStr::from_ptr(p) }.to_str().unwrap()
    }

    #[test]
    fn a_create_is_recorded() {
        let mut db = ptr::null_mut();
        assert_eq!(
            unsafe { crm_open(c":memory:".as_ptr(), ptr::null(), &mut db) },
            0
        );
        let mut c = MaybeUninit::<crm_new_customer>::uninit();
        unsafe { crm_new_customer_init(c.as_mut_ptr(), size_of::<crm_new_customer>()) };
        let mut c = unsafe { c.assume_init() };
        c.name = c"Ada".as_ptr();
        let mut id = 0;
        assert_eq!(unsafe { crm_customer_add(db, &c, &mut id) }, 0);

        let mut list = ptr::null_mut();
        assert_eq!(
            unsafe { crm_audit_find(db, ptr::null(), ptr::null(), &mut list) },
            0
        );
        assert_eq!(unsafe { crm_audit_list_len(list) }, 1);
        assert_eq!(s(unsafe { crm_audit_list_entity(list, 0) }), "customer");
        assert_eq!(unsafe { crm_audit_list_entity_id(list, 0) }, id);
        assert_eq!(s(unsafe { crm_audit_list_action(list, 0) }), "create");
        assert_eq!(s(unsafe { crm_audit_list_principal(list, 0) }), "system");
        assert_eq!(s(unsafe { crm_audit_list_role(list, 0) }), "admin");
        let changes = s(unsafe { crm_audit_list_changes_json(list, 0) });
        assert!(changes.starts_with(r#"{"#), "{changes}");
        assert!(changes.contains(r#""name":{"#), "{changes}");
        assert!(changes.contains(r#""after":"Ada""#), "{changes}");
        assert!(unsafe { crm_audit_list_action(list, 1) }.is_null());
        assert_eq!(unsafe { crm_audit_list_id(list, 1) }, 0);
        unsafe { crm_audit_list_free(list) };
        unsafe { crm_close(db) };
    }
}
