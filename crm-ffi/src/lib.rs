//! # crm-ffi — the C face of crm
//!
//! Builds `libcrm.so` (SONAME `libcrm.so.0`) and `libcrm.a`; `include/crm.h` is generated from
//! this crate by `tools/gen-header` (`make header`). The binding translates and nothing more:
//! arguments from C to Rust, `crm_core::Error` to a status code and a message, and ownership of
//! the objects handed to C. Validation, normalisation and every other rule live in `crm-core`.
//!
//! ## Conventions (they hold for every function; the header repeats them)
//! - Every fallible function returns an `int` status: `CRM_OK` (0) or a [`crm_code`]. The
//!   numbers are `crm_core::ErrorCode`'s and are only ever appended.
//! - [`crm_errcode`] / [`crm_errmsg`] give the outcome of the last fallible call on a handle; with
//!   a NULL handle, of the last fallible call on this thread (which covers a failed `crm_open` and
//!   the filter builders).
//! - Every body runs inside one guard ([`error`]) that catches panics and reports them as
//!   `CRM_INTERNAL`; NULL pointers and invalid UTF-8 are `CRM_INVALID_ARGUMENT`.
//! - Opaque handles; each constructor names its destructor; destructors accept NULL. Strings in
//!   are copied; strings out are borrowed from the object that returned them.
//! - Input structs start with `uint32_t struct_size` and have an `_init` function.
//!
//! ## Safety
//! The exported functions are `unsafe extern "C"`: C cannot check what it passes. Each one states
//! its pointer contract in its documentation (NULL or a valid object of the named type, strings
//! NUL-terminated, arrays as long as their length argument); the functions check for NULL, and
//! nothing else about a pointer can be checked.
#![warn(missing_docs)]
// The C API's names are C's: `crm_db`, `crm_code::CRM_OK`.
#![allow(non_camel_case_types)]
// The pointer contract is stated once above and in each function's prose; a `# Safety` heading
// on every function would be repeated verbatim into the C header.
#![allow(clippy::missing_safety_doc)]

// Declared in the order the header presents them (cbindgen follows it), hence one per group.
mod args;

// Status codes, last errors, the panic guard.
pub mod error;

// The handle: open, close, clock, time zone, version.
pub mod db;

// Customers: input structs, objects, accessors, operations.
pub mod customer;

// The filter builder.
pub mod filter;

// Products: the catalogue purchase lines link to.
pub mod product;

// Purchases and their lines: rows, columns in, tables out.
pub mod purchase;

// Interactions: a customer's touchpoints and timeline.
pub mod interaction;

// Notes on any record.
pub mod note;

// The audit trail.
pub mod audit;

// Saved segments.
pub mod segment;

// Custom fields: definitions and the text form of their values.
pub mod field;

// Campaigns: lifecycle, members, tracking events, evaluation.
pub mod campaign;

// Statistics on proportions: z-test, chi-square, intervals, sample sizes.
pub mod stats;

// Market-basket analysis: frequent itemsets, association rules, recommendations.
pub mod basket;

// Sales pipelines and deals, with the pipeline views.
pub mod deal;

// Service tickets: workflow, comments, history, the work queue, statistics.
pub mod ticket;

// SLAs of tickets: policies, business hours, a ticket's SLA state, breaches.
pub mod sla;

pub use audit::*;
pub use basket::*;
pub use campaign::*;
pub use customer::*;
pub use db::*;
pub use deal::*;
pub use error::*;
pub use field::*;
pub use filter::*;
pub use interaction::*;
pub use note::*;
pub use product::*;
pub use purchase::*;
pub use segment::*;
pub use sla::*;
pub use stats::*;
pub use ticket::*;
