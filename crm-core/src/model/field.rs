//! Field descriptions: what a filter or a sort order may name, and what type of value it holds.

use std::borrow::Cow;

/// The type of a field, which decides the operators and literal values a filter may use on it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldType {
    /// A 64-bit integer.
    Integer,
    /// A floating-point number.
    Real,
    /// Free text.
    Text,
    /// An e-mail address: compared in its normal (lower-case) form.
    Email,
    /// A phone number: compared in its normal form.
    Phone,
    /// An instant (microseconds since the epoch, UTC); text literals are dates or date-times.
    Timestamp,
    /// True or false.
    Boolean,
    /// One of a fixed list of names.
    Enum(&'static [&'static str]),
    /// A set of tags (filters ask whether it contains one).
    Tags,
    /// A calendar date, stored as `YYYY-MM-DD` text.
    Date,
    /// One of a list of choices defined in the store (custom enum fields).
    Choice(Vec<String>),
    /// Any number of a list of choices defined in the store, stored as a JSON array.
    MultiChoice(Vec<String>),
}

/// A field of an entity, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// The name filters and sort orders use.
    pub name: Cow<'static, str>,
    /// Its type.
    pub ty: FieldType,
}

impl FieldSpec {
    /// A built-in field.
    pub const fn builtin(name: &'static str, ty: FieldType) -> FieldSpec {
        FieldSpec {
            name: Cow::Borrowed(name),
            ty,
        }
    }
}
