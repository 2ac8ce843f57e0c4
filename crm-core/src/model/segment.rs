//! Saved segments: a name for a customer filter, so a campaign, an export or a report can use the
//! same audience by name.

use serde::{Deserialize, Serialize};

use super::filter::Filter;
use super::text::required_text;
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// A saved segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// The store's id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Which customers belong (evaluated when asked: membership follows the data).
    pub filter: Filter,
    /// The text the filter was written as, when it was given as text.
    pub text: Option<String>,
    /// When it was saved first.
    pub created_at: Timestamp,
    /// When its filter last changed.
    pub updated_at: Timestamp,
}

/// Checks a segment name: 1–200 characters, no control characters; returns it trimmed.
pub fn normalize_segment_name(name: &str) -> Result<String> {
    let t = required_text("segment name", name)?;
    if t.chars().count() > 200 {
        return Err(Error::invalid(
            "segment name",
            name,
            "must be at most 200 characters",
        ));
    }
    Ok(t)
}
