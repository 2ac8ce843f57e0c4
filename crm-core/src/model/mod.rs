//! The domain model: plain types and their rules. No SQL, no I/O, no bindings.

pub mod contact;
pub mod customer;
pub mod customer_columns;
pub mod field;
pub mod filter;
pub mod money;
pub mod principal;
pub mod query;
