//! The handle: open options, open/close, the clock and time zone, the library version.

use std::ffi::{CString, c_char, c_int, c_void};
use std::mem::offset_of;
use std::ptr;
use std::sync::OnceLock;
use std::time::Duration;

use crm_core::{Clock, Crm, OpenOptions, Principal, Result, Timestamp};

use crate::args::{
    Versioned, boxed, c_string_lossy, check_out, init_versioned, opt_str, out_ptr, req_str, slice,
    versioned,
};
use crate::error::{LastError, guard, guard_db, guard_value};

/// An open crm store. Created by `crm_open`, destroyed by `crm_close`.
///
/// A handle is used by one thread at a time; it may move to another thread between calls. For
/// work in parallel, open one handle per thread on the same file.
pub struct crm_db {
    pub(crate) crm: Crm,
    pub(crate) last_error: LastError,
}

/// How to open a store. Initialise with `crm_open_options_init`, then set what you need.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_open_options {
    /// Size of this struct as the caller knows it; set by `crm_open_options_init`.
    pub struct_size: u32,
    /// Who acts through the handle (recorded in the audit trail). NULL: `"system"`.
    pub principal: *const c_char,
    /// The principal's role: `"admin"`, `"agent"`, `"analyst"` or a custom role. NULL: admin.
    pub role: *const c_char,
    /// Encryption key of the store file, `key_len` bytes. NULL or `key_len` 0: no encryption.
    /// This build has no encryption: a key is refused with `CRM_UNSUPPORTED`.
    pub key: *const u8,
    /// Length of `key` in bytes.
    pub key_len: usize,
    /// Where "now" comes from: called with `clock_ctx`, returns microseconds since the epoch
    /// (UTC). NULL: the system clock. See `crm_set_clock` for the rules a callback must follow.
    pub clock: Option<unsafe extern "C" fn(clock_ctx: *mut c_void) -> i64>,
    /// Passed to `clock` on every call.
    pub clock_ctx: *mut c_void,
    /// Reporting time zone of this handle, an IANA name such as `"Asia/Shanghai"`. NULL: the zone
    /// saved in the store (UTC unless set with `crm_set_time_zone`).
    pub time_zone: *const c_char,
    /// How long a write waits for another writer before failing with `CRM_BUSY`, in
    /// milliseconds. Zero or negative: 5000.
    pub busy_timeout_ms: i32,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `busy_timeout_ms`.
unsafe impl Versioned for crm_open_options {
    const V1_SIZE: usize = offset_of!(crm_open_options, busy_timeout_ms) + size_of::<i32>();
    const INIT: &'static str = "crm_open_options_init";
    const DEFAULTS: Self = crm_open_options {
        struct_size: size_of::<crm_open_options>() as u32,
        principal: ptr::null(),
        role: ptr::null(),
        key: ptr::null(),
        key_len: 0,
        clock: None,
        clock_ctx: ptr::null_mut(),
        time_zone: ptr::null(),
        busy_timeout_ms: 0,
    };
}

/// Fills `options` with the defaults (system principal, no key, system clock, the store's time
/// zone, 5 s busy timeout) and sets `struct_size`. Does nothing when `options` is NULL.
/// Pass the struct's size as your header declares it: `crm_open_options_init(&options, sizeof options)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_open_options_init(options: *mut crm_open_options, size: usize) {
    guard_value("crm_open_options_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(options, size) }
    })
}

/// Opens the store at `path` (UTF-8), creating it if missing and upgrading an older schema;
/// `":memory:"` opens a private in-memory store. `options` may be NULL for the defaults.
///
/// On success `*out` is a new handle: close it with `crm_close`. On failure `*out` is NULL and
/// `crm_errmsg(NULL)` explains: `CRM_NOT_A_DATABASE` for a file that is not a crm store,
/// `CRM_SCHEMA_TOO_NEW` for a store from a newer library, `CRM_UNSUPPORTED` for a key,
/// `CRM_INVALID_INPUT` for a bad principal, role or time zone, `CRM_STORAGE` when the file cannot
/// be opened.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_open(
    path: *const c_char,
    options: *const crm_open_options,
    out: *mut *mut crm_db,
) -> c_int {
    guard("crm_open", || {
        // SAFETY (all three): the caller passes NULL or valid pointers of the documented types.
        let out = unsafe { out_ptr(out, "out") }?;
        let path = unsafe { req_str(path, "path") }?;
        let options = unsafe { versioned(options, "options") }?;
        let options = match options {
            Some(o) => unsafe { open_options(&o) }?,
            None => OpenOptions::default(),
        };
        let crm = Crm::open(path, options)?;
        *out = boxed(crm_db {
            crm,
            last_error: LastError::default(),
        });
        Ok(())
    })
}

/// Converts the C options; NULL fields keep the defaults.
///
/// # Safety
/// The pointers in `o` are NULL or valid as documented on [`crm_open_options`].
unsafe fn open_options(o: &crm_open_options) -> Result<OpenOptions> {
    let mut options = OpenOptions::default();
    // SAFETY (all): the caller's contract on the fields.
    let name = unsafe { opt_str(o.principal, "options->principal") }?;
    let role = unsafe { opt_str(o.role, "options->role") }?;
    options.principal = Principal::from_parts(name, role)?;
    let key = unsafe { slice(o.key, o.key_len, "options->key") }?;
    if !key.is_empty() {
        options.key = Some(key.to_vec());
    }
    if let Some(f) = o.clock {
        options.clock = c_clock(f, o.clock_ctx);
    }
    options.time_zone = unsafe { opt_str(o.time_zone, "options->time_zone") }?.map(str::to_owned);
    if o.busy_timeout_ms > 0 {
        options.busy_timeout = Duration::from_millis(o.busy_timeout_ms.unsigned_abs().into());
    }
    Ok(options)
}

/// Closes a handle from `crm_open` and frees it. Objects read through it (customers, lists) stay
/// valid. Does nothing when `db` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_close(db: *mut crm_db) {
    guard_value("crm_close", (), || {
        if !db.is_null() {
            // SAFETY: a handle from `crm_open` (Box::into_raw), closed once by the contract.
            drop(unsafe { Box::from_raw(db) });
        }
    })
}

/// Replaces the handle's clock: `clock(ctx)` returns the current time in microseconds since the
/// epoch (UTC). A NULL `clock` restores the system clock.
///
/// The callback is called during calls on this handle, on the thread making the call; it and
/// `ctx` must be usable from whichever thread uses the handle. It must not call back into the
/// library with the same handle, and must not unwind (no C++ exceptions, no longjmp).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_set_clock(
    db: *mut crm_db,
    clock: Option<unsafe extern "C" fn(ctx: *mut c_void) -> i64>,
    ctx: *mut c_void,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_set_clock", unsafe { db.as_mut() }, |db| {
        db.crm.set_clock(match clock {
            Some(f) => c_clock(f, ctx),
            None => Clock::system(),
        });
        Ok(())
    })
}

/// A C clock callback and its context.
struct CClock {
    f: unsafe extern "C" fn(*mut c_void) -> i64,
    ctx: *mut c_void,
}

// SAFETY: the documented contract of `crm_set_clock` / `crm_open_options.clock`: the callback and
// its context are usable from the thread using the handle. The clock is only read during calls on
// that handle, and a handle is used by one thread at a time.
unsafe impl Send for CClock {}
// SAFETY: as above; the clock is never read by two threads at once.
unsafe impl Sync for CClock {}

impl CClock {
    fn now(&self) -> Timestamp {
        // SAFETY: the caller-supplied callback with its own context, per the contract above.
        Timestamp::from_micros(unsafe { (self.f)(self.ctx) })
    }
}

fn c_clock(f: unsafe extern "C" fn(*mut c_void) -> i64, ctx: *mut c_void) -> Clock {
    let clock = CClock { f, ctx };
    Clock::from_fn(move || clock.now())
}

/// Sets the store's reporting time zone (an IANA name such as `"Europe/Paris"`), used for calendar
/// boundaries and for date literals in filters. It is saved in the store for handles opened later
/// and applies to this handle at once. An unknown zone is `CRM_INVALID_INPUT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_set_time_zone(db: *mut crm_db, time_zone: *const c_char) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_set_time_zone", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a NUL-terminated string.
        let zone = unsafe { req_str(time_zone, "time_zone") }?;
        db.crm.set_time_zone(zone)
    })
}

/// Stores the store's schema version in `*out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_schema_version(db: *mut crm_db, out: *mut i64) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_schema_version", unsafe { db.as_mut() }, |db| {
        check_out(out, "out")?;
        let version = db.crm.schema_version()?;
        // SAFETY: non-NULL (checked) and writable by the caller's contract.
        unsafe { out.write(version) };
        Ok(())
    })
}

/// The library's version, e.g. `"0.1.0"`. The string is static: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_version() -> *const c_char {
    static VERSION: OnceLock<CString> = OnceLock::new();
    guard_value("crm_version", c"".as_ptr(), || {
        VERSION
            .get_or_init(|| c_string_lossy(crm_core::VERSION))
            .as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn version_is_the_core_version() {
        let v = unsafe { CStr::from_ptr(crm_version()) };
        assert_eq!(v.to_str().unwrap(), crm_core::VERSION);
    }

    #[test]
    fn open_sets_out_to_null_on_failure() {
        let mut db: *mut crm_db = ptr::dangling_mut();
        let mut options = std::mem::MaybeUninit::<crm_open_options>::uninit();
        unsafe { crm_open_options_init(options.as_mut_ptr(), size_of::<crm_open_options>()) };
        let mut options = unsafe { options.assume_init() };
        options.struct_size = 4;
        let code = unsafe { crm_open(c":memory:".as_ptr(), &options, &mut db) };
        assert_eq!(code, crate::crm_code::CRM_INVALID_ARGUMENT as c_int);
        assert!(db.is_null());
        options.struct_size = size_of::<crm_open_options>() as u32;
        assert_eq!(
            unsafe { crm_open(c":memory:".as_ptr(), &options, &mut db) },
            0
        );
        let mut v = 0;
        assert_eq!(unsafe { crm_schema_version(db, &mut v) }, 0);
        assert!(v >= 1);
        unsafe { crm_close(db) };
    }
}
