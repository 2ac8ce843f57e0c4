//! Customer analytics: pure functions and estimators over columns. Nothing here knows the store
//! exists; the [`Crm`](crate::Crm) handle reads columns from the store and calls these.

pub mod apriori;
pub mod baskets;
pub mod eclat;
pub mod fpgrowth;
pub mod itemsets;
pub mod proportions;
pub mod recommend;
pub mod rules;
