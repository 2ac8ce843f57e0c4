//! Customer analytics: pure functions and estimators over columns. Nothing here knows the store
//! exists; the [`Crm`](crate::Crm) handle reads columns from the store and calls these.

pub mod proportions;
