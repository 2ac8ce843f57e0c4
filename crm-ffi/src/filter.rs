//! The filter builder and parser: C functions that build one `crm_core::Filter` AST, the same one
//! the Rust builder, the text syntax and Python keyword filters build.
//!
//! Field names and value types are checked by crm-core when the filter is used (`CRM_INVALID_INPUT`
//! for an unknown field, with the known fields listed), so building only fails for NULL pointers,
//! invalid UTF-8 or an unknown operator, and parsing also for a syntax error (`CRM_PARSE`).

use std::ffi::{c_char, c_int};

use crm_core::{CmpOp, Error, Filter, Result, Timestamp};

use crate::args::{boxed, clear_out, null, opt_str, out_ptr, req_str, slice, str_array};
use crate::error::{guard, guard_value};

/// Comparison operator `=`.
pub const CRM_OP_EQ: c_int = 0;
/// Comparison operator `!=` (also true where the field is absent).
pub const CRM_OP_NE: c_int = 1;
/// Comparison operator `<`.
pub const CRM_OP_LT: c_int = 2;
/// Comparison operator `<=`.
pub const CRM_OP_LE: c_int = 3;
/// Comparison operator `>`.
pub const CRM_OP_GT: c_int = 4;
/// Comparison operator `>=`.
pub const CRM_OP_GE: c_int = 5;

/// A filter: which records (customers, products, purchases or interactions, by the field names of
/// the function it is passed to). Built by the `crm_filter_*` functions; free it with `crm_filter_free`, or hand
/// it to `crm_filter_and`, `crm_filter_or` or `crm_filter_not`, which take ownership. A filter
/// does not belong to any handle and may be used with several.
#[derive(Debug)]
pub struct crm_filter {
    pub(crate) filter: Filter,
    /// Nesting depth (a leaf is 1), kept so combinators can refuse trees deeper than
    /// `Filter::MAX_DEPTH` without walking them.
    depth: usize,
}

fn cmp_op(op: c_int) -> Result<CmpOp> {
    Ok(match op {
        CRM_OP_EQ => CmpOp::Eq,
        CRM_OP_NE => CmpOp::Ne,
        CRM_OP_LT => CmpOp::Lt,
        CRM_OP_LE => CmpOp::Le,
        CRM_OP_GT => CmpOp::Gt,
        CRM_OP_GE => CmpOp::Ge,
        _ => {
            return Err(Error::InvalidArgument(format!(
                "op {op} is not a comparison operator (use CRM_OP_EQ … CRM_OP_GE)"
            )));
        }
    })
}

/// Stores a new filter in `*out`.
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn build(out: *mut *mut crm_filter, make: impl FnOnce() -> Result<Filter>) -> Result<()> {
    // SAFETY: forwarded contract.
    unsafe { build_nested(out, 1, make) }
}

/// Stores a new filter of nesting depth `depth` in `*out`, refusing trees deeper than
/// `Filter::MAX_DEPTH` (which the store would refuse too, and which could exhaust the stack).
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn build_nested(
    out: *mut *mut crm_filter,
    depth: usize,
    make: impl FnOnce() -> Result<Filter>,
) -> Result<()> {
    // SAFETY: forwarded contract.
    let out = unsafe { out_ptr(out, "out") }?;
    check_depth(depth)?;
    *out = boxed(crm_filter {
        filter: make()?,
        depth,
    });
    Ok(())
}

/// Refuses a nesting depth beyond `Filter::MAX_DEPTH`.
fn check_depth(depth: usize) -> Result<()> {
    if depth > Filter::MAX_DEPTH {
        return Err(Error::InvalidArgument(format!(
            "filter nests {depth} levels deep; at most {} are allowed",
            Filter::MAX_DEPTH
        )));
    }
    Ok(())
}

/// Takes ownership of a filter passed to a combinator; NULL is `None`.
///
/// # Safety
/// `f` is NULL or a live filter not used again by the caller.
unsafe fn take(f: *mut crm_filter) -> Option<(Filter, usize)> {
    // SAFETY: a filter from Box::into_raw, owned by us from here on.
    (!f.is_null()).then(|| {
        let f = unsafe { Box::from_raw(f) };
        (f.filter, f.depth)
    })
}

/// Parses `text` in the filter text syntax (grammar in `docs/filters.md`), e.g.
/// `"source = 'web' and total_spend > 10000 and last_purchase < '2026-01-01'"` or
/// `"(stage in ('lead', 'prospect') or tags contains 'vip') and not email is null"`. Empty or blank
/// text matches every record. Quoted strings are always values, never syntax. `*out` receives the
/// filter (free with `crm_filter_free`, or hand it to a combinator); NULL on failure.
///
/// Errors: `CRM_PARSE` for a syntax error, nesting deeper than 64 levels or text over 64 KiB; the
/// message names the character position, counted from 0 (`parse error at position 9: …`).
/// `CRM_INVALID_ARGUMENT` for a NULL `text` or `out`, invalid UTF-8, or a tree nested too deep
/// to combine. Field names and value types are checked when the filter is used
/// (`CRM_INVALID_INPUT`), as for the builders.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_parse(text: *const c_char, out: *mut *mut crm_filter) -> c_int {
    guard("crm_filter_parse", || {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        // SAFETY: NULL or NUL-terminated.
        let filter = Filter::parse(unsafe { req_str(text, "text") }?)?;
        let depth = filter.depth();
        check_depth(depth)?;
        *out = boxed(crm_filter { filter, depth });
        Ok(())
    })
}

/// `field op value` on a text, e-mail, phone, stage, source or timestamp field (a timestamp takes
/// a date `"2026-03-01"` or date-time, read in the handle's reporting time zone). `*out` receives
/// the filter (free with `crm_filter_free`); NULL on failure. An unknown `op` is
/// `CRM_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_text(
    field: *const c_char,
    op: c_int,
    value: *const c_char,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_text", || {
        // SAFETY (all): NULL or valid pointers of the documented types.
        unsafe {
            build(out, || {
                let field = req_str(field, "field")?;
                let op = cmp_op(op)?;
                Ok(Filter::compare(field, op, req_str(value, "value")?))
            })
        }
    })
}

/// `field op value` on an integer field (`id`, `version`, `customer_id`, `amount`, `price`).
/// `*out` as for `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_int(
    field: *const c_char,
    op: c_int,
    value: i64,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_int", || {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe {
            build(out, || {
                Ok(Filter::compare(
                    req_str(field, "field")?,
                    cmp_op(op)?,
                    value,
                ))
            })
        }
    })
}

/// `field op value` on a numeric field. `*out` as for `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_real(
    field: *const c_char,
    op: c_int,
    value: f64,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_real", || {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe {
            build(out, || {
                Ok(Filter::compare(
                    req_str(field, "field")?,
                    cmp_op(op)?,
                    value,
                ))
            })
        }
    })
}

/// `field op time` on a timestamp field (`created_at`, `updated_at`, `purchased_at`,
/// `occurred_at`), `time` in microseconds since the epoch (UTC). `*out` as for `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_time(
    field: *const c_char,
    op: c_int,
    time: i64,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_time", || {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe {
            build(out, || {
                let field = req_str(field, "field")?;
                Ok(Filter::compare(
                    field,
                    cmp_op(op)?,
                    Timestamp::from_micros(time),
                ))
            })
        }
    })
}

/// `field op value` on a boolean field; `value` is false when 0, true otherwise. `*out` as for
/// `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_bool(
    field: *const c_char,
    op: c_int,
    value: c_int,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_bool", || {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe {
            build(out, || {
                Ok(Filter::compare(
                    req_str(field, "field")?,
                    cmp_op(op)?,
                    value != 0,
                ))
            })
        }
    })
}

/// `field` is one of the `n` strings in `values` (on `"tags"`: has any of these tags). No values
/// match nothing. `*out` as for `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_in_text(
    field: *const c_char,
    values: *const *const c_char,
    n: usize,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_in_text", || {
        // SAFETY: NULL or valid pointers of the documented types; `values` has `n` entries.
        unsafe {
            build(out, || {
                let field = req_str(field, "field")?;
                Ok(Filter::in_list(field, str_array(values, n, "values")?))
            })
        }
    })
}

/// `field` is one of the `n` integers in `values`. `*out` as for `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_in_int(
    field: *const c_char,
    values: *const i64,
    n: usize,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_in_int", || {
        // SAFETY: NULL or valid pointers of the documented types; `values` has `n` entries.
        unsafe {
            build(out, || {
                let field = req_str(field, "field")?;
                Ok(Filter::in_list(
                    field,
                    slice(values, n, "values")?.iter().copied(),
                ))
            })
        }
    })
}

/// `lo <= field <= hi` on a timestamp field, in microseconds since the epoch (UTC). `*out` as for
/// `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_between_time(
    field: *const c_char,
    lo: i64,
    hi: i64,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_between_time", || {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe {
            build(out, || {
                let (lo, hi) = (Timestamp::from_micros(lo), Timestamp::from_micros(hi));
                Ok(Filter::between(req_str(field, "field")?, lo, hi))
            })
        }
    })
}

/// `lo <= field <= hi` on an integer field. `*out` as for `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_between_int(
    field: *const c_char,
    lo: i64,
    hi: i64,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_between_int", || {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe {
            build(out, || {
                Ok(Filter::between(req_str(field, "field")?, lo, hi))
            })
        }
    })
}

/// `field` is absent (on `"tags"`: the customer has no tags). Negate with `crm_filter_not` for
/// "is present". `*out` as for `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_is_null(
    field: *const c_char,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_is_null", || {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe { build(out, || Ok(Filter::is_null(req_str(field, "field")?))) }
    })
}

/// The text field contains `text` (ASCII letters compare without case). `*out` as for
/// `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_contains(
    field: *const c_char,
    text: *const c_char,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_contains", || {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe {
            build(out, || {
                Ok(Filter::contains(
                    req_str(field, "field")?,
                    req_str(text, "text")?,
                ))
            })
        }
    })
}

/// The text field starts with `text` (ASCII letters compare without case). `*out` as for
/// `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_starts_with(
    field: *const c_char,
    text: *const c_char,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_starts_with", || {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe {
            build(out, || {
                Ok(Filter::starts_with(
                    req_str(field, "field")?,
                    req_str(text, "text")?,
                ))
            })
        }
    })
}

/// The customer carries `tag` (tags compare without case). `*out` as for `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_has_tag(
    tag: *const c_char,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_has_tag", || {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe { build(out, || Ok(Filter::has_tag(req_str(tag, "tag")?))) }
    })
}

/// The customer is a member of the campaign named `campaign`, or, with `variant` not NULL, of that
/// variant of it (a customer filter). Names are checked when the filter is used. `*out` as for
/// `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_in_campaign(
    campaign: *const c_char,
    variant: *const c_char,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_in_campaign", || {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe {
            build(out, || {
                let campaign = req_str(campaign, "campaign")?;
                Ok(match opt_str(variant, "variant")? {
                    Some(v) => Filter::campaign_variant(campaign, v),
                    None => Filter::in_campaign(campaign),
                })
            })
        }
    })
}

/// The customer responded (opened, clicked or converted) to the campaign named `campaign`, or,
/// with `campaign` NULL, to any campaign (a customer filter). `*out` as for `crm_filter_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_responded(
    campaign: *const c_char,
    out: *mut *mut crm_filter,
) -> c_int {
    guard("crm_filter_responded", || {
        // SAFETY: NULL or valid pointers of the documented types.
        unsafe {
            build(out, || {
                Ok(Filter::responded(opt_str(campaign, "campaign")?))
            })
        }
    })
}

/// Shared body of `crm_filter_and` / `crm_filter_or`: takes both filters first, so they are freed
/// on every path.
///
/// # Safety
/// `a`, `b` are NULL or live, distinct filters; `out` is NULL or writable.
unsafe fn combine(
    a: *mut crm_filter,
    b: *mut crm_filter,
    out: *mut *mut crm_filter,
    join: fn(Filter, Filter) -> Filter,
) -> Result<()> {
    if a == b && !a.is_null() {
        // One filter passed twice: take it once (it is ours either way), never free it twice.
        // SAFETY: the caller's contract; ownership passes to us.
        drop(unsafe { take(a) });
        // SAFETY: NULL or writable.
        unsafe { clear_out(out) };
        return Err(Error::InvalidArgument(
            "a and b are the same filter; build two filters to combine".into(),
        ));
    }
    // SAFETY: the caller's contract; ownership passes to us even if we fail below.
    let (a, b) = unsafe { (take(a), take(b)) };
    let depth = match (&a, &b) {
        (Some((_, da)), Some((_, db))) => da.max(db) + 1,
        _ => 1,
    };
    // SAFETY: forwarded contract.
    unsafe {
        build_nested(out, depth, || match (a, b) {
            (Some((a, _)), Some((b, _))) => Ok(join(a, b)),
            (None, _) => Err(null("a")),
            (_, None) => Err(null("b")),
        })
    }
}

/// Both `a` and `b`. Takes ownership of `a` and `b`, even when it fails, so nested calls such as
/// `crm_filter_and(x, y, &f)` never leak; do not use or free them afterwards (and do not pass the
/// same filter twice). `*out` receives the combined filter (free with `crm_filter_free`); NULL on
/// failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_and(
    a: *mut crm_filter,
    b: *mut crm_filter,
    out: *mut *mut crm_filter,
) -> c_int {
    // SAFETY: NULL or live, distinct filters; `out` NULL or writable.
    guard("crm_filter_and", || unsafe {
        combine(a, b, out, Filter::and)
    })
}

/// Either `a` or `b`. Takes ownership of `a` and `b` like `crm_filter_and`, even when it fails.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_or(
    a: *mut crm_filter,
    b: *mut crm_filter,
    out: *mut *mut crm_filter,
) -> c_int {
    // SAFETY: NULL or live, distinct filters; `out` NULL or writable.
    guard("crm_filter_or", || unsafe {
        combine(a, b, out, Filter::or)
    })
}

/// Not `a` (customers where `a`'s field is absent match). Takes ownership of `a`, even when it
/// fails. `*out` receives the new filter (free with `crm_filter_free`); NULL on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_not(a: *mut crm_filter, out: *mut *mut crm_filter) -> c_int {
    guard("crm_filter_not", || {
        // SAFETY: NULL or a live filter, owned by us from here on.
        let a = unsafe { take(a) };
        let depth = a.as_ref().map_or(1, |(_, d)| d + 1);
        // SAFETY: NULL or writable.
        unsafe {
            build_nested(out, depth, || {
                a.map(|(f, _)| f.not()).ok_or_else(|| null("a"))
            })
        }
    })
}

/// Frees a filter. Does nothing when `filter` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_filter_free(filter: *mut crm_filter) {
    guard_value("crm_filter_free", (), || {
        // SAFETY: NULL or a live filter, freed once by the contract.
        drop(unsafe { take(filter) });
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    fn text(field: &std::ffi::CStr, op: c_int, value: &std::ffi::CStr) -> *mut crm_filter {
        let mut f = ptr::null_mut();
        assert_eq!(
            unsafe { crm_filter_text(field.as_ptr(), op, value.as_ptr(), &mut f) },
            0
        );
        f
    }

    #[test]
    fn builds_the_core_ast() {
        let a = text(c"source", CRM_OP_EQ, c"web");
        let b = text(c"stage", CRM_OP_NE, c"lead");
        let mut ab = ptr::null_mut();
        assert_eq!(unsafe { crm_filter_and(a, b, &mut ab) }, 0);
        let mut not = ptr::null_mut();
        assert_eq!(unsafe { crm_filter_not(ab, &mut not) }, 0);
        let expected = Filter::eq("source", "web")
            .and(Filter::ne("stage", "lead"))
            .not();
        assert_eq!(unsafe { &(*not).filter }, &expected);
        unsafe { crm_filter_free(not) };
    }

    #[test]
    fn parses_text_to_the_core_ast() {
        let mut f = ptr::null_mut();
        let text = c"source = 'web' and (stage = 'lead' or not tags contains 'vip')";
        assert_eq!(unsafe { crm_filter_parse(text.as_ptr(), &mut f) }, 0);
        let expected = Filter::eq("source", "web")
            .and(Filter::eq("stage", "lead").or(Filter::has_tag("vip").not()));
        assert_eq!(unsafe { &(*f).filter }, &expected);
        assert_eq!(unsafe { (*f).depth }, 4);
        unsafe { crm_filter_free(f) };

        let mut f = ptr::dangling_mut();
        let code = unsafe { crm_filter_parse(c"source = ".as_ptr(), &mut f) };
        assert_eq!(code, crate::crm_code::CRM_PARSE as c_int);
        assert!(f.is_null());
        let msg = unsafe { std::ffi::CStr::from_ptr(crate::crm_errmsg(ptr::null())) };
        assert!(msg.to_str().unwrap().contains("position 9"), "{msg:?}");
        let code = unsafe { crm_filter_parse(ptr::null(), &mut f) };
        assert_eq!(code, crate::crm_code::CRM_INVALID_ARGUMENT as c_int);
    }

    #[test]
    fn refuses_unknown_ops_and_nulls() {
        let mut f = ptr::null_mut();
        let code = unsafe { crm_filter_int(c"version".as_ptr(), 6, 1, &mut f) };
        assert_eq!(code, crate::crm_code::CRM_INVALID_ARGUMENT as c_int);
        assert!(f.is_null());
        // A combinator frees its arguments even when it fails.
        let a = text(c"name", CRM_OP_EQ, c"x");
        let code = unsafe { crm_filter_or(a, ptr::null_mut(), &mut f) };
        assert_eq!(code, crate::crm_code::CRM_INVALID_ARGUMENT as c_int);
        assert!(f.is_null());
        let a = text(c"name", CRM_OP_EQ, c"x");
        let code = unsafe { crm_filter_not(a, ptr::null_mut()) };
        assert_eq!(code, crate::crm_code::CRM_INVALID_ARGUMENT as c_int);
    }
}
