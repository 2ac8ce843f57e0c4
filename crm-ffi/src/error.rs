//! Status codes, the last-error slots (one per handle, one per thread), and the guard that every
//! exported function runs its body in.
//!
//! The guard is a plain function taking the body as a closure: it catches panics
//! (`catch_unwind`), turns them into `CRM_INTERNAL`, turns a `crm_core::Error` into its code, and
//! records the outcome. No panic crosses into C, and the library never aborts its host.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char, c_int};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crm_core::{Error, ErrorCode, Result};

use crate::args::{c_string_lossy, null};
use crate::db::crm_db;

/// Status codes. Every fallible function returns one of these as an `int`: `CRM_OK` (0) on
/// success. The numbers are stable: codes are only ever appended, never renumbered or reused.
/// `crm_errmsg` gives the matching message.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum crm_code {
    /// Success.
    CRM_OK = 0,
    /// A NULL pointer, invalid UTF-8, a bad `struct_size`, an unknown flag or operator, an array
    /// of the wrong length; the message names the argument.
    CRM_INVALID_ARGUMENT = 1,
    /// A value failed validation; the message names the field, the value and the rule.
    CRM_INVALID_INPUT = 2,
    /// No such record.
    CRM_NOT_FOUND = 3,
    /// A unique key is already taken (e.g. an external id).
    CRM_ALREADY_EXISTS = 4,
    /// The write would break a relation (e.g. deleting a customer others refer to).
    CRM_CONSTRAINT = 5,
    /// SQLite or I/O failure; the message keeps SQLite's code and text.
    CRM_STORAGE = 6,
    /// The file is not a crm store, or the encryption key is wrong.
    CRM_NOT_A_DATABASE = 7,
    /// The store was written by a newer version of the library.
    CRM_SCHEMA_TOO_NEW = 8,
    /// Another writer held the lock past the busy timeout.
    CRM_BUSY = 9,
    /// The principal's role does not allow the operation.
    CRM_PERMISSION_DENIED = 10,
    /// A state machine refused a transition; the message names both states.
    CRM_ILLEGAL_TRANSITION = 11,
    /// Filter text, CSV or JSON could not be parsed; the message names the position.
    CRM_PARSE = 12,
    /// An estimator did not converge.
    CRM_NOT_CONVERGED = 13,
    /// Valid, but not supported by this build or store (e.g. an encryption key).
    CRM_UNSUPPORTED = 14,
    /// A bug in the library, or a caught panic. Please report it with the message.
    CRM_INTERNAL = 15,
    /// The record changed since the caller read it (stale `expected_version`).
    CRM_CONFLICT = 16,
}

/// The name of a status code without the `CRM_` prefix, e.g. `"NOT_FOUND"` for `CRM_NOT_FOUND`;
/// `"UNKNOWN"` for a number that is not a code. The string is static: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_code_name(code: c_int) -> *const c_char {
    guard_value("crm_code_name", c"UNKNOWN".as_ptr(), || {
        ErrorCode::from_i32(code)
            .map_or(c"UNKNOWN", code_name)
            .as_ptr()
    })
}

/// The status code of the last fallible call on `db`: `CRM_OK` after a success. With `db` NULL,
/// the code of the last fallible call made on this thread, with or without a handle (a failed
/// `crm_open`, the filter builders).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_errcode(db: *const crm_db) -> c_int {
    guard_value("crm_errcode", crm_code::CRM_INTERNAL as c_int, || {
        // SAFETY: `db` is NULL or a handle from `crm_open` not yet closed.
        match unsafe { db.as_ref() } {
            Some(db) => db.last_error.code,
            None => with_thread_error(|e| e.code).map_or(crm_code::CRM_INTERNAL as c_int, |c| c),
        }
    })
}

/// The message of the last fallible call on `db` ("" after a success). With `db` NULL, the message
/// of the last fallible call made on this thread. The text belongs to the library: it stays valid
/// until the next fallible call on the same handle (for NULL: on the same thread). Never free it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_errmsg(db: *const crm_db) -> *const c_char {
    guard_value("crm_errmsg", c"".as_ptr(), || {
        // SAFETY: `db` is NULL or a handle from `crm_open` not yet closed.
        match unsafe { db.as_ref() } {
            Some(db) => db.last_error.message(),
            None => with_thread_error(LastError::message).map_or(c"".as_ptr(), |m| m),
        }
    })
}

/// The outcome of the last fallible call: a code and, after a failure, a message.
#[derive(Debug, Default)]
pub(crate) struct LastError {
    code: c_int,
    message: Option<CString>,
}

impl LastError {
    fn record(&mut self, outcome: &Result<()>) {
        match outcome {
            Ok(()) => {
                self.code = crm_code::CRM_OK as c_int;
                self.message = None;
            }
            Err(e) => {
                self.code = e.code().as_i32();
                self.message = Some(c_string_lossy(&e.to_string()));
            }
        }
    }

    fn message(&self) -> *const c_char {
        self.message.as_deref().map_or(c"".as_ptr(), CStr::as_ptr)
    }
}

thread_local! {
    static THREAD_ERROR: RefCell<LastError> = const {
        RefCell::new(LastError { code: 0, message: None })
    };
}

/// Reads the thread's last error; `None` only while the thread is being torn down.
fn with_thread_error<T>(f: impl FnOnce(&LastError) -> T) -> Option<T> {
    THREAD_ERROR
        .try_with(|e| e.try_borrow().ok().map(|e| f(&e)))
        .ok()
        .flatten()
}

/// Records an outcome as the thread's last error. Never panics: it runs outside the guard.
fn record_thread(outcome: &Result<()>) {
    let _ = THREAD_ERROR.try_with(|e| {
        if let Ok(mut e) = e.try_borrow_mut() {
            e.record(outcome);
        }
    });
}

/// The status code of an outcome.
fn status(outcome: &Result<()>) -> c_int {
    match outcome {
        Ok(()) => crm_code::CRM_OK as c_int,
        Err(e) => e.code().as_i32(),
    }
}

/// Runs `body`, turning a panic into an `INTERNAL` error.
fn catch<T>(name: &'static str, body: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(outcome) => outcome,
        Err(payload) => Err(panicked(name, payload.as_ref())),
    }
}

fn panicked(name: &str, payload: &(dyn Any + Send)) -> Error {
    let what = match (
        payload.downcast_ref::<&str>(),
        payload.downcast_ref::<String>(),
    ) {
        (Some(s), _) => s,
        (None, Some(s)) => s.as_str(),
        (None, None) => "(no message)",
    };
    Error::Internal(format!(
        "{name} panicked: {what} (a bug in crm; please report it)"
    ))
}

/// The guard of a fallible function without a handle: runs `body`, records the outcome as the
/// thread's last error, returns its status code.
pub(crate) fn guard(name: &'static str, body: impl FnOnce() -> Result<()>) -> c_int {
    let outcome = catch(name, body);
    record_thread(&outcome);
    status(&outcome)
}

/// The guard of a fallible function on a handle: like [`guard`], and also records the outcome as
/// the handle's last error. A NULL handle (`None`) is `INVALID_ARGUMENT`.
pub(crate) fn guard_db(
    name: &'static str,
    db: Option<&mut crm_db>,
    body: impl FnOnce(&mut crm_db) -> Result<()>,
) -> c_int {
    let Some(db) = db else {
        return guard(name, || Err(null("db")));
    };
    let outcome = catch(name, || body(&mut *db));
    db.last_error.record(&outcome);
    record_thread(&outcome);
    status(&outcome)
}

/// The guard of a function that cannot fail (accessors, destructors, `_init`): returns `body`'s
/// value, or `fallback` after a panic, which is recorded as the thread's last error. A success
/// leaves the last errors alone.
pub(crate) fn guard_value<T>(name: &'static str, fallback: T, body: impl FnOnce() -> T) -> T {
    match catch(name, || Ok(body())) {
        Ok(value) => value,
        Err(e) => {
            record_thread(&Err(e));
            fallback
        }
    }
}

/// The static C name of a code (`ErrorCode::name` with a NUL terminator).
fn code_name(code: ErrorCode) -> &'static CStr {
    match code {
        ErrorCode::Ok => c"OK",
        ErrorCode::InvalidArgument => c"INVALID_ARGUMENT",
        ErrorCode::InvalidInput => c"INVALID_INPUT",
        ErrorCode::NotFound => c"NOT_FOUND",
        ErrorCode::AlreadyExists => c"ALREADY_EXISTS",
        ErrorCode::Constraint => c"CONSTRAINT",
        ErrorCode::Storage => c"STORAGE",
        ErrorCode::NotADatabase => c"NOT_A_DATABASE",
        ErrorCode::SchemaTooNew => c"SCHEMA_TOO_NEW",
        ErrorCode::Busy => c"BUSY",
        ErrorCode::PermissionDenied => c"PERMISSION_DENIED",
        ErrorCode::IllegalTransition => c"ILLEGAL_TRANSITION",
        ErrorCode::Parse => c"PARSE",
        ErrorCode::NotConverged => c"NOT_CONVERGED",
        ErrorCode::Unsupported => c"UNSUPPORTED",
        ErrorCode::Internal => c"INTERNAL",
        ErrorCode::Conflict => c"CONFLICT",
        // A code added to crm-core but not here yet; the unit test below catches it.
        _ => c"UNKNOWN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_code::*;

    /// Every C code, in numeric order; must list as many codes as `ErrorCode::ALL`.
    const C_CODES: [crm_code; 17] = [
        CRM_OK,
        CRM_INVALID_ARGUMENT,
        CRM_INVALID_INPUT,
        CRM_NOT_FOUND,
        CRM_ALREADY_EXISTS,
        CRM_CONSTRAINT,
        CRM_STORAGE,
        CRM_NOT_A_DATABASE,
        CRM_SCHEMA_TOO_NEW,
        CRM_BUSY,
        CRM_PERMISSION_DENIED,
        CRM_ILLEGAL_TRANSITION,
        CRM_PARSE,
        CRM_NOT_CONVERGED,
        CRM_UNSUPPORTED,
        CRM_INTERNAL,
        CRM_CONFLICT,
    ];

    #[test]
    fn c_codes_match_core_codes() {
        assert_eq!(C_CODES.len(), ErrorCode::ALL.len());
        for (c, core) in C_CODES.iter().zip(ErrorCode::ALL) {
            assert_eq!(*c as i32, core.as_i32(), "{c:?}");
            assert_eq!(format!("{c:?}"), format!("CRM_{}", core.name()));
            let name = unsafe { CStr::from_ptr(crm_code_name(core.as_i32())) };
            assert_eq!(name.to_str().unwrap(), core.name());
        }
        let unknown = unsafe { CStr::from_ptr(crm_code_name(999)) };
        assert_eq!(unknown.to_str().unwrap(), "UNKNOWN");
        assert_eq!(
            unsafe { CStr::from_ptr(crm_code_name(-1)) }.to_bytes(),
            b"UNKNOWN"
        );
    }

    fn thread_message() -> String {
        unsafe { CStr::from_ptr(crm_errmsg(std::ptr::null())) }
            .to_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn guard_turns_panics_into_internal() {
        let code = guard("crm_test", || panic!("boom"));
        assert_eq!(code, CRM_INTERNAL as c_int);
        assert_eq!(
            unsafe { crm_errcode(std::ptr::null()) },
            CRM_INTERNAL as c_int
        );
        let msg = thread_message();
        assert!(msg.contains("crm_test panicked: boom"), "{msg}");

        assert_eq!(guard_value("crm_test", 7, || panic!("again")), 7);
        assert!(thread_message().contains("again"));
    }

    #[test]
    fn guard_records_errors_and_resets_on_success() {
        let code = guard("crm_test", || {
            Err(Error::NotFound {
                entity: "customer",
                key: "id 9".into(),
            })
        });
        assert_eq!(code, CRM_NOT_FOUND as c_int);
        assert_eq!(thread_message(), "customer id 9 not found");
        assert_eq!(guard("crm_test", || Ok(())), CRM_OK as c_int);
        assert_eq!(unsafe { crm_errcode(std::ptr::null()) }, CRM_OK as c_int);
        assert_eq!(thread_message(), "");
    }

    #[test]
    fn null_handle_is_an_invalid_argument() {
        let code = guard_db("crm_test", None, |_| Ok(()));
        assert_eq!(code, CRM_INVALID_ARGUMENT as c_int);
        assert!(thread_message().contains("db is NULL"));
    }
}
