//! The audit trail: who changed what, when — one append-only entry per write, recorded in the same
//! transaction as the write itself.
//!
//! Personal values (a customer's name or e-mail, free text) are kept apart from the entry, keyed by
//! the customer they describe, so that an erasure can redact them without rewriting the trail.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use super::field::{FieldSpec, FieldType};
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// One record created.
    Create,
    /// One record changed.
    Update,
    /// One record deleted.
    Delete,
    /// Many records created in one call (the entry holds their count and id range).
    BulkCreate,
}

vocabulary!(AuditAction, "action", [Create => "create", Update => "update", Delete => "delete", BulkCreate => "bulk_create"]);

/// The value an erased personal field shows in the trail.
pub const ERASED: &str = "[erased]";

/// One field's change in an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The field.
    pub field: String,
    /// Its value before (`null` on create).
    pub before: Json,
    /// Its value after (`null` on delete).
    pub after: Json,
    /// Personal data: stored apart, keyed by the customer it describes.
    pub personal: bool,
}

impl Change {
    /// A change of a non-personal field.
    pub fn new(field: &str, before: impl Into<Json>, after: impl Into<Json>) -> Change {
        Change {
            field: field.to_owned(),
            before: before.into(),
            after: after.into(),
            personal: false,
        }
    }
    /// A change of a personal field.
    pub fn personal(field: &str, before: impl Into<Json>, after: impl Into<Json>) -> Change {
        Change {
            personal: true,
            ..Change::new(field, before, after)
        }
    }
}

/// An entry of the trail as read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the trail (increasing).
    pub id: i64,
    /// When the write happened (the handle's clock).
    pub at: Timestamp,
    /// Who wrote (the handle's principal).
    pub principal: String,
    /// Their role.
    pub role: String,
    /// The kind of record: `customer`, `product`, `purchase`, `interaction`, `note`.
    pub entity: String,
    /// The record's id (`None` for bulk entries).
    pub entity_id: Option<i64>,
    /// What happened.
    pub action: AuditAction,
    /// `field → {"before": …, "after": …}`; for bulk entries `count`, `first_id`, `last_id`.
    /// Erased personal values read as `"[erased]"`.
    pub changes: Map<String, Json>,
}

impl AuditEntry {
    /// The changes as compact JSON text (for the C and Python faces).
    pub fn changes_json(&self) -> String {
        Json::Object(self.changes.clone()).to_string()
    }
}

/// Changes between two versions of a record given as `(field, before, after, personal)`; fields
/// whose value did not change are left out.
pub fn diff(fields: impl IntoIterator<Item = (String, Json, Json, bool)>) -> Vec<Change> {
    fields
        .into_iter()
        .filter(|(_, before, after, _)| before != after)
        .map(|(field, before, after, personal)| Change {
            field,
            before,
            after,
            personal,
        })
        .collect()
}

/// The fields a record shows in the trail: `(field, value, personal)`, always in the same order.
pub type AuditValues = Vec<(&'static str, Json, bool)>;

/// A record whose writes the trail describes.
pub trait Audited {
    /// The record's built-in fields as the trail shows them.
    fn audit_values(&self) -> AuditValues;
    /// Its custom field values by name (none by default); the caller marks personal ones.
    fn audit_custom(&self) -> Vec<(String, Json)> {
        Vec::new()
    }
}

fn all_values(r: &impl Audited) -> Vec<(String, Json, bool)> {
    let builtin = r
        .audit_values()
        .into_iter()
        .map(|(f, v, p)| (f.to_owned(), v, p));
    builtin
        .chain(r.audit_custom().into_iter().map(|(f, v)| (f, v, false)))
        .collect()
}

/// The changes of creating `after` (absent fields are left out).
pub fn created(after: &impl Audited) -> Vec<Change> {
    diff(
        all_values(after)
            .into_iter()
            .map(|(f, v, p)| (f, Json::Null, v, p)),
    )
}

/// The changes of deleting `before`.
pub fn deleted(before: &impl Audited) -> Vec<Change> {
    diff(
        all_values(before)
            .into_iter()
            .map(|(f, v, p)| (f, v, Json::Null, p)),
    )
}

/// The changes between two versions of one record (fields matched by name).
pub fn updated<T: Audited>(before: &T, after: &T) -> Vec<Change> {
    let old = all_values(before);
    let new = all_values(after);
    let mut names: Vec<(String, bool)> = old
        .iter()
        .chain(new.iter())
        .map(|(f, _, p)| (f.clone(), *p))
        .collect();
    names.dedup_by(|a, b| a.0 == b.0);
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|(f, _)| seen.insert(f.clone()));
    let value = |vals: &[(String, Json, bool)], f: &str| {
        vals.iter()
            .find(|(n, _, _)| n == f)
            .map_or(Json::Null, |(_, v, _)| v.clone())
    };
    diff(names.into_iter().map(|(f, p)| {
        let (b, a) = (value(&old, &f), value(&new, &f));
        (f, b, a, p)
    }))
}

/// Parses an action name./// Parses an action name.
pub fn parse_action(s: &str) -> Result<AuditAction> {
    s.parse()
}

/// The audit fields filters and sort orders may name.
pub const AUDIT_FIELDS: &[FieldSpec] = &[
    FieldSpec::builtin("id", FieldType::Integer),
    FieldSpec::builtin("at", FieldType::Timestamp),
    FieldSpec::builtin("principal", FieldType::Text),
    FieldSpec::builtin("role", FieldType::Text),
    FieldSpec::builtin("entity", FieldType::Text),
    FieldSpec::builtin("entity_id", FieldType::Integer),
    FieldSpec::builtin("action", FieldType::Enum(AuditAction::NAMES)),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_keeps_only_changes() {
        let d = diff([
            ("name".to_owned(), Json::from("A"), Json::from("B"), true),
            (
                "stage".to_owned(),
                Json::from("lead"),
                Json::from("lead"),
                false,
            ),
        ]);
        assert_eq!(d, vec![Change::personal("name", "A", "B")]);
        assert_eq!(
            parse_action("bulk_create").unwrap(),
            AuditAction::BulkCreate
        );
        assert!(parse_action("rename").is_err());
    }
}
