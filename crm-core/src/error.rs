//! The one error type of the crate and its stable numeric codes.
//!
//! Every failure in `crm-core` is an [`Error`]. Each variant maps to an [`ErrorCode`] whose number is
//! part of the C ABI and of the Python exception hierarchy: codes are only ever appended, never
//! renumbered or reused.

use std::fmt;

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable numeric error codes shared by the Rust, C and Python faces.
///
/// The numbers never change; new codes are appended at the end.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorCode {
    /// Success (used by the C face only).
    Ok = 0,
    /// NULL pointer, invalid UTF-8, wrong shape or length, wrong argument type.
    InvalidArgument = 1,
    /// A value failed validation; the message names the field, the value and the rule.
    InvalidInput = 2,
    /// No such record.
    NotFound = 3,
    /// A unique key is taken (external id, field name …).
    AlreadyExists = 4,
    /// The write would break a relation (e.g. deleting a referenced customer).
    Constraint = 5,
    /// SQLite or I/O failure; the message keeps SQLite's code and text.
    Storage = 6,
    /// The file is not a crm store, or the encryption key is wrong.
    NotADatabase = 7,
    /// The store was written by a newer version of this library.
    SchemaTooNew = 8,
    /// Another writer held the lock past the busy timeout.
    Busy = 9,
    /// The principal's role does not allow the operation.
    PermissionDenied = 10,
    /// A state machine refused a transition; the message names both states.
    IllegalTransition = 11,
    /// Filter text, CSV or JSON could not be parsed; the message names the position.
    Parse = 12,
    /// An estimator did not converge.
    NotConverged = 13,
    /// Valid, but not supported by this build or store.
    Unsupported = 14,
    /// A caught panic or a bug.
    Internal = 15,
    /// Optimistic concurrency: the record's version is not the one the caller expected.
    Conflict = 16,
}

impl ErrorCode {
    /// Every code, in numeric order.
    pub const ALL: [ErrorCode; 17] = [
        ErrorCode::Ok,
        ErrorCode::InvalidArgument,
        ErrorCode::InvalidInput,
        ErrorCode::NotFound,
        ErrorCode::AlreadyExists,
        ErrorCode::Constraint,
        ErrorCode::Storage,
        ErrorCode::NotADatabase,
        ErrorCode::SchemaTooNew,
        ErrorCode::Busy,
        ErrorCode::PermissionDenied,
        ErrorCode::IllegalTransition,
        ErrorCode::Parse,
        ErrorCode::NotConverged,
        ErrorCode::Unsupported,
        ErrorCode::Internal,
        ErrorCode::Conflict,
    ];

    /// The stable number of this code.
    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// The code for a number, if there is one.
    pub fn from_i32(code: i32) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_i32() == code)
    }

    /// The upper-case name used in the C header (`CRM_` + name) and in docs, e.g. `NOT_FOUND`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Ok => "OK",
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::AlreadyExists => "ALREADY_EXISTS",
            ErrorCode::Constraint => "CONSTRAINT",
            ErrorCode::Storage => "STORAGE",
            ErrorCode::NotADatabase => "NOT_A_DATABASE",
            ErrorCode::SchemaTooNew => "SCHEMA_TOO_NEW",
            ErrorCode::Busy => "BUSY",
            ErrorCode::PermissionDenied => "PERMISSION_DENIED",
            ErrorCode::IllegalTransition => "ILLEGAL_TRANSITION",
            ErrorCode::Parse => "PARSE",
            ErrorCode::NotConverged => "NOT_CONVERGED",
            ErrorCode::Unsupported => "UNSUPPORTED",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::Conflict => "CONFLICT",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that can go wrong in `crm-core`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument had the wrong shape: a missing value, columns of different lengths, invalid UTF-8.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// A value failed validation.
    #[error("invalid {field} {value:?}: {rule}")]
    InvalidInput {
        /// The field (or parameter) that was checked.
        field: String,
        /// The offending value, as given.
        value: String,
        /// The rule it broke, in words.
        rule: String,
    },

    /// No record has this key.
    #[error("{entity} {key} not found")]
    NotFound {
        /// The kind of record, e.g. `customer`.
        entity: &'static str,
        /// How it was looked up, e.g. `id 42` or `external_id "A-1"`.
        key: String,
    },

    /// A unique key is already taken.
    #[error("{entity} with {field} {value:?} already exists")]
    AlreadyExists {
        /// The kind of record.
        entity: &'static str,
        /// The unique field (prefixed by the row number in a batch, e.g. `row 6: external_id`).
        field: String,
        /// The value that is taken.
        value: String,
    },

    /// The write would break a relation between records.
    #[error("constraint: {0}")]
    Constraint(String),

    /// The record changed since the caller read it (optimistic concurrency).
    #[error("{entity} {id} is at version {actual}, not the expected version {expected}")]
    Conflict {
        /// The kind of record.
        entity: &'static str,
        /// Its id.
        id: i64,
        /// The version the caller expected.
        expected: i64,
        /// The version in the store.
        actual: i64,
    },

    /// SQLite or the file system failed.
    #[error("storage error (sqlite code {code}, extended {extended_code}): {message}")]
    Storage {
        /// SQLite's primary result code (`-1` when the failure did not come from SQLite).
        code: i32,
        /// SQLite's extended result code.
        extended_code: i32,
        /// SQLite's message or the I/O error text.
        message: String,
    },

    /// The file is not a crm store (or the encryption key is wrong).
    #[error("not a crm store: {0}")]
    NotADatabase(String),

    /// The store was written by a newer version of the library.
    #[error(
        "store schema version {found} is newer than this library supports ({supported}); upgrade the library"
    )]
    SchemaTooNew {
        /// The schema version found in the store.
        found: i64,
        /// The newest schema version this library knows.
        supported: i64,
    },

    /// Another connection held the write lock longer than the busy timeout.
    #[error("store is busy: {0}")]
    Busy(String),

    /// The principal may not do this.
    #[error("permission denied: {0}")]
    PermissionDenied(String),

    /// A state machine refused a transition.
    #[error("illegal {entity} transition from {from} to {to}")]
    IllegalTransition {
        /// The kind of record.
        entity: &'static str,
        /// The current state.
        from: String,
        /// The requested state.
        to: String,
    },

    /// Text could not be parsed.
    #[error("parse error at position {position}: {message}")]
    Parse {
        /// Zero-based character offset (or line number for line-oriented input).
        position: usize,
        /// What was wrong there.
        message: String,
    },

    /// An estimator stopped before converging.
    #[error("did not converge: {0}")]
    NotConverged(String),

    /// Valid, but not supported here.
    #[error("unsupported: {0}")]
    Unsupported(String),

    /// A bug or a caught panic.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidArgument(_) => ErrorCode::InvalidArgument,
            Error::InvalidInput { .. } => ErrorCode::InvalidInput,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::AlreadyExists { .. } => ErrorCode::AlreadyExists,
            Error::Constraint(_) => ErrorCode::Constraint,
            Error::Conflict { .. } => ErrorCode::Conflict,
            Error::Storage { .. } => ErrorCode::Storage,
            Error::NotADatabase(_) => ErrorCode::NotADatabase,
            Error::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            Error::Busy(_) => ErrorCode::Busy,
            Error::PermissionDenied(_) => ErrorCode::PermissionDenied,
            Error::IllegalTransition { .. } => ErrorCode::IllegalTransition,
            Error::Parse { .. } => ErrorCode::Parse,
            Error::NotConverged(_) => ErrorCode::NotConverged,
            Error::Unsupported(_) => ErrorCode::Unsupported,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(
        field: impl Into<String>,
        value: impl Into<String>,
        rule: impl Into<String>,
    ) -> Error {
        Error::InvalidInput {
            field: field.into(),
            value: value.into(),
            rule: rule.into(),
        }
    }

    /// Names the batch row (zero-based) of a row-level error — `row 3: email` — keeping its code.
    /// Errors that are not about one value are returned unchanged.
    pub fn in_row(self, row: usize) -> Error {
        match self {
            Error::InvalidInput { field, value, rule } => Error::InvalidInput {
                field: format!("row {row}: {field}"),
                value,
                rule,
            },
            Error::InvalidArgument(m) => Error::InvalidArgument(format!("row {row}: {m}")),
            Error::Parse { position, message } => Error::Parse {
                position,
                message: format!("row {row}: {message}"),
            },
            Error::AlreadyExists {
                entity,
                field,
                value,
            } => Error::AlreadyExists {
                entity,
                field: format!("row {row}: {field}"),
                value,
            },
            other => other,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        crate::store::map_sqlite_error(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Storage {
            code: -1,
            extended_code: -1,
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dense_and_stable() {
        for (i, code) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(code.as_i32(), i as i32, "{code} moved");
            assert_eq!(ErrorCode::from_i32(i as i32), Some(*code));
        }
        assert_eq!(ErrorCode::NotFound.as_i32(), 3);
        assert_eq!(ErrorCode::Internal.as_i32(), 15);
        assert_eq!(ErrorCode::from_i32(99), None);
    }

    #[test]
    fn messages_name_field_value_and_rule() {
        let e = Error::invalid("email", "nope", "must contain '@'");
        assert_eq!(e.to_string(), "invalid email \"nope\": must contain '@'");
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        let e = e.in_row(7);
        assert!(e.to_string().starts_with("invalid row 7: email"), "{e}");
        let e = Error::AlreadyExists {
            entity: "customer",
            field: "external_id".into(),
            value: "A-1".into(),
        }
        .in_row(3);
        assert_eq!(
            e.to_string(),
            "customer with row 3: external_id \"A-1\" already exists"
        );
    }
}
