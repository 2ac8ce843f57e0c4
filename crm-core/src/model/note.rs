//! Free-text notes on any record, and the kinds of record the model has.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::Timestamp;

/// The kinds of record a note (or an audit entry) can be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A customer.
    Customer,
    /// A product.
    Product,
    /// A purchase.
    Purchase,
    /// An interaction.
    Interaction,
}

vocabulary!(EntityKind, "entity", [Customer => "customer", Product => "product", Purchase => "purchase", Interaction => "interaction"]);

/// Longest note accepted, in bytes (64 KiB).
pub const MAX_NOTE_BYTES: usize = 64 * 1024;

/// A note as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The store's id.
    pub id: i64,
    /// What the note is about.
    pub entity: EntityKind,
    /// Which record.
    pub entity_id: i64,
    /// The text (personal data when it is about a customer or their records).
    pub body: String,
    /// Who wrote it (the handle's principal).
    pub author: String,
    /// When.
    pub created_at: Timestamp,
}

/// Checks a note's text: not blank, at most 64 KiB, no NUL; returns it trimmed.
pub fn normalize_note(body: &str) -> Result<String> {
    let t = body.trim();
    if t.is_empty() {
        return Err(Error::invalid("note", body, "must not be empty"));
    }
    if t.len() > MAX_NOTE_BYTES {
        return Err(Error::invalid(
            "note",
            format!("{} bytes", t.len()),
            "must be at most 64 KiB",
        ));
    }
    if t.contains('\0') {
        return Err(Error::invalid(
            "note",
            "",
            "must not contain NUL characters",
        ));
    }
    Ok(t.to_owned())
}
