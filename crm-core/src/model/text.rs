//! Rules shared by the text fields of every entity.

use crate::error::{Error, Result};

/// Longest name, external id, sku, company or category accepted, in characters.
pub const MAX_TEXT_LEN: usize = 500;

/// Trims `raw`; refuses it when empty, too long or holding control characters.
pub(crate) fn required_text(field: &str, raw: &str) -> Result<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(Error::invalid(field, raw, "must not be empty"));
    }
    if t.chars().count() > MAX_TEXT_LEN {
        return Err(Error::invalid(
            field,
            raw,
            format!("must be at most {MAX_TEXT_LEN} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            raw,
            "must not contain control characters",
        ));
    }
    Ok(t.to_owned())
}

/// A blank optional value means "absent" (as in a CSV cell); anything else is normalised by `f`.
pub(crate) fn optional(
    v: &Option<String>,
    f: impl Fn(&str) -> Result<String>,
) -> Result<Option<String>> {
    match v {
        Some(t) if !t.trim().is_empty() => f(t).map(Some),
        _ => Ok(None),
    }
}
