//! Argument conversion shared by every module: C strings, arrays and versioned structs in; boxed
//! objects and C strings out. Every failure here is `INVALID_ARGUMENT` naming the argument.

use std::ffi::{CStr, CString, c_char};
use std::ptr;
use std::sync::OnceLock;

use crm_core::{Error, Result, Timestamp};

use crate::customer::CRM_TIME_NOW;
use crate::error::guard_value;

/// The error for a NULL pointer where a value is required.
pub(crate) fn null(name: &str) -> Error {
    Error::InvalidArgument(format!("{name} is NULL"))
}

/// A borrowed string argument; NULL is `None`.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid and unchanged for `'a`.
pub(crate) unsafe fn opt_str<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Some(s)),
        Err(e) => Err(Error::InvalidArgument(format!(
            "{name} is not valid UTF-8 (bad byte at offset {})",
            e.valid_up_to()
        ))),
    }
}

/// A required string argument; NULL is an error naming it.
///
/// # Safety
/// As for [`opt_str`].
pub(crate) unsafe fn req_str<'a>(p: *const c_char, name: &str) -> Result<&'a str> {
    // SAFETY: forwarded contract.
    match unsafe { opt_str(p, name) }? {
        Some(s) => Ok(s),
        None => Err(null(name)),
    }
}

/// An owned optional string (a struct field where NULL means absent).
///
/// # Safety
/// As for [`opt_str`].
pub(crate) unsafe fn opt_string(p: *const c_char, name: &str) -> Result<Option<String>> {
    // SAFETY: forwarded contract.
    Ok(unsafe { opt_str(p, name) }?.map(str::to_owned))
}

/// A C array as a slice. A zero length accepts any pointer, NULL included.
///
/// # Safety
/// `p` is NULL or points to `len` initialised values that stay valid for `'a`.
pub(crate) unsafe fn slice<'a, T>(p: *const T, len: usize, name: &str) -> Result<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Error::InvalidArgument(format!(
            "{name} is NULL but its length is {len}"
        )));
    }
    if len > isize::MAX as usize / size_of::<T>().max(1) {
        return Err(Error::InvalidArgument(format!(
            "{name} has an impossible length {len}"
        )));
    }
    // SAFETY: non-NULL, `len` values long by the caller's contract, size checked above.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// An array of required strings (`const char *const *`, `len` entries), copied.
///
/// # Safety
/// `p` is as for [`slice`]; each entry is as for [`opt_str`].
pub(crate) unsafe fn str_array(
    p: *const *const c_char,
    len: usize,
    name: &str,
) -> Result<Vec<String>> {
    // SAFETY: forwarded contract.
    let items = unsafe { slice(p, len, name) }?;
    items
        .iter()
        .enumerate()
        // SAFETY: forwarded contract.
        .map(|(i, &s)| unsafe { req_str(s, &format!("{name}[{i}]")) }.map(str::to_owned))
        .collect()
}

/// One text column of `n` rows: NULL array → empty (absent for all rows), NULL entry → `None`.
///
/// # Safety
/// `p` is NULL or points to `n` entries, each NULL or a NUL-terminated string.
pub(crate) unsafe fn text_column(
    p: *const *const c_char,
    n: usize,
    name: &str,
) -> Result<Vec<Option<String>>> {
    if p.is_null() {
        return Ok(Vec::new());
    }
    // SAFETY: forwarded contract.
    let items = unsafe { slice(p, n, name) }?;
    items
        .iter()
        .enumerate()
        // SAFETY: forwarded contract.
        .map(|(i, &s)| unsafe { opt_string(s, &format!("{name}[{i}]")) })
        .collect()
}

/// Checks a required pointer out-parameter and sets it to NULL, so that it is NULL on every
/// failure; the caller stores the result through the returned reference on success.
///
/// # Safety
/// `out` is NULL or valid for writing one pointer, for `'a`.
pub(crate) unsafe fn out_ptr<'a, T>(out: *mut *mut T, name: &str) -> Result<&'a mut *mut T> {
    if out.is_null() {
        return Err(null(name));
    }
    // SAFETY: non-NULL and writable by the caller's contract; `write` does not read the old value,
    // which may be uninitialised.
    unsafe {
        out.write(ptr::null_mut());
        Ok(&mut *out)
    }
}

/// Sets a pointer out-parameter to NULL if it is not NULL itself. Functions on a handle call it
/// before their guard checks the handle, so that `*out` is NULL on every failure, a NULL handle
/// included (as `sqlite3_open` clears `*ppDb` first). It cannot panic.
///
/// # Safety
/// `out` is NULL or valid for writing one pointer.
pub(crate) unsafe fn clear_out<T>(out: *mut *mut T) {
    if !out.is_null() {
        // SAFETY: non-NULL and writable by the caller's contract.
        unsafe { out.write(ptr::null_mut()) };
    }
}

/// Like [`out_ptr`] for an optional out-parameter: NULL means the caller does not want it.
///
/// # Safety
/// As for [`out_ptr`].
pub(crate) unsafe fn opt_out_ptr<'a, T>(out: *mut *mut T) -> Option<&'a mut *mut T> {
    // SAFETY: forwarded contract.
    unsafe { out_ptr(out, "") }.ok()
}

/// Checks a required scalar out-parameter before any work is done; the value is written with
/// `out.write(..)` on success only.
pub(crate) fn check_out<T>(out: *mut T, name: &str) -> Result<()> {
    if out.is_null() {
        Err(null(name))
    } else {
        Ok(())
    }
}

/// A growable input struct: starts with `uint32_t struct_size`, has an `_init` function.
///
/// # Safety
/// Implementors are `#[repr(C)]` with `struct_size: u32` as their first field, and `V1_SIZE` is no
/// larger than the struct.
pub(crate) unsafe trait Versioned: Sized + Copy {
    /// Size of the first published version: the end of its last field. Callers compiled against
    /// that version or a later one pass at least this much. Fixed forever once published.
    const V1_SIZE: usize;
    /// The function that fills in `struct_size` and the defaults.
    const INIT: &'static str;
    /// What that function writes: the defaults, with `struct_size` = this build's full size.
    const DEFAULTS: Self;
}

/// The body of every `_init` function: writes `T::DEFAULTS` into the caller's struct, which is
/// `size` bytes long as the caller's header declares it. Only `min(size, size_of::<T>())` bytes
/// are written and `struct_size` records that many, so an older, smaller struct is never
/// overrun. Does nothing for NULL or a size too small to hold `struct_size`.
///
/// # Safety
/// `p` is NULL or writable for `size` bytes.
pub(crate) unsafe fn init_versioned<T: Versioned>(p: *mut T, size: usize) {
    let n = size.min(size_of::<T>());
    if p.is_null() || n < size_of::<u32>() {
        return;
    }
    let mut value = T::DEFAULTS;
    // SAFETY: `struct_size: u32` is the first field of every `Versioned` struct.
    unsafe { (&raw mut value).cast::<u32>().write(n as u32) };
    // SAFETY: `value` has `size_of::<T>()` readable bytes, the caller's struct `size` writable
    // ones, and `n` is at most both.
    unsafe { std::ptr::copy_nonoverlapping((&raw const value).cast::<u8>(), p.cast::<u8>(), n) };
}

/// A growable input struct argument, copied; NULL is `None` (defaults).
///
/// Refuses a `struct_size` smaller than the first version's. Only `struct_size` bytes are read:
/// fields beyond them (added in versions newer than the caller's header) keep their defaults,
/// and a caller built against a newer header passes a larger size, of which only the fields
/// this library knows are read.
///
/// # Safety
/// `p` is NULL or points to a readable struct of at least `struct_size` bytes.
pub(crate) unsafe fn versioned<T: Versioned>(p: *const T, name: &str) -> Result<Option<T>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: `struct_size` is the first field (offset 0) of every `Versioned` struct.
    let size = unsafe { p.cast::<u32>().read_unaligned() } as usize;
    if size < T::V1_SIZE {
        return Err(Error::InvalidArgument(format!(
            "{name}->struct_size is {size}, expected at least {} (initialise it with {})",
            T::V1_SIZE,
            T::INIT
        )));
    }
    let mut value = T::DEFAULTS;
    let n = size.min(size_of::<T>());
    // SAFETY: the caller's struct has at least `size` readable bytes and `value` has
    // `size_of::<T>()`; every field is plain data (integers, raw pointers, optional function
    // pointers), so any bytes the caller wrote are a valid value of its type.
    unsafe { std::ptr::copy_nonoverlapping(p.cast::<u8>(), (&raw mut value).cast::<u8>(), n) };
    Ok(Some(value))
}

/// An array of `len` growable input structs, each copied as by [`versioned`].
///
/// The stride is the first element's `struct_size` (what the caller's `sizeof` is when every
/// element was initialised by the `_init` function of the caller's header version); every element
/// must carry the same `struct_size`.
///
/// # Safety
/// `p` is NULL (with `len` 0) or points to `len` structs laid out `struct_size` bytes apart, each
/// readable for `struct_size` bytes.
pub(crate) unsafe fn versioned_array<T: Versioned>(
    p: *const T,
    len: usize,
    name: &str,
) -> Result<Vec<T>> {
    if len == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() {
        return Err(Error::InvalidArgument(format!(
            "{name} is NULL but its length is {len}"
        )));
    }
    // SAFETY: `struct_size` is the first field (offset 0) of every `Versioned` struct.
    let stride = unsafe { p.cast::<u32>().read_unaligned() } as usize;
    if stride < T::V1_SIZE {
        return Err(Error::InvalidArgument(format!(
            "{name}[0].struct_size is {stride}, expected at least {} (initialise it with {})",
            T::V1_SIZE,
            T::INIT
        )));
    }
    if len > isize::MAX as usize / stride {
        return Err(Error::InvalidArgument(format!(
            "{name} has an impossible length {len}"
        )));
    }
    (0..len)
        .map(|i| {
            // SAFETY: within the caller's array of `len` elements `stride` bytes apart (size
            // checked above); `versioned` reads at most `struct_size` bytes of it.
            let item = unsafe { p.cast::<u8>().add(i * stride).cast::<T>() };
            // SAFETY: `struct_size` is the first field; the element is readable.
            let size = unsafe { item.cast::<u32>().read_unaligned() } as usize;
            if size != stride {
                return Err(Error::InvalidArgument(format!(
                    "{name}[{i}].struct_size is {size}, but {name}[0].struct_size is {stride} \
                     (initialise every element with {})",
                    T::INIT
                )));
            }
            // SAFETY: forwarded contract; non-NULL.
            match unsafe { versioned(item, name) }? {
                Some(v) => Ok(v),
                None => Err(null(name)),
            }
        })
        .collect()
}

/// A time argument where [`CRM_TIME_NOW`] means "the handle's clock".
pub(crate) fn time_or_now(us: i64) -> Option<Timestamp> {
    (us != CRM_TIME_NOW).then_some(Timestamp::from_micros(us))
}

/// Moves a value to the heap for C; the matching `_free` function takes it back.
pub(crate) fn boxed<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// A C copy of text read from the store. Text with a NUL byte cannot be a C string; the store's
/// validation keeps them out, so meeting one is reported rather than silently cut short.
pub(crate) fn c_string(s: &str, what: impl FnOnce() -> String) -> Result<CString> {
    CString::new(s).map_err(|_| {
        Error::Unsupported(format!(
            "{} contains a NUL byte, which a C string cannot hold",
            what()
        ))
    })
}

/// A C copy of a message, dropping any NUL bytes (messages quote user input).
pub(crate) fn c_string_lossy(s: &str) -> CString {
    let bytes: Vec<u8> = s.bytes().filter(|&b| b != 0).collect();
    match CString::new(bytes) {
        Ok(c) => c,
        // Unreachable: no NUL byte is left.
        Err(_) => c"(text could not be converted)".to_owned(),
    }
}

/// The guard of an accessor: `f` of the object, or `fallback` for NULL (or after a panic).
pub(crate) fn read<O, T: Copy>(
    name: &'static str,
    o: Option<&O>,
    fallback: T,
    f: impl FnOnce(&O) -> T,
) -> T {
    guard_value(name, fallback, || o.map_or(fallback, f))
}

/// A borrowed optional C string: NULL when absent.
pub(crate) fn opt_ptr(s: &Option<CString>) -> *const c_char {
    s.as_deref().map_or(ptr::null(), CStr::as_ptr)
}

/// The static C string of a vocabulary value (`"lead"`, `"web"` …), valid for the whole program.
pub(crate) fn static_name(
    cell: &'static OnceLock<Vec<CString>>,
    names: &'static [&'static str],
    name: &str,
) -> *const c_char {
    cell.get_or_init(|| names.iter().map(|n| c_string_lossy(n)).collect())
        .iter()
        .find(|c| c.to_bytes() == name.as_bytes())
        .map_or(ptr::null(), |c| c.as_ptr())
}
