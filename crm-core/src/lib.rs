//! # crm-core
//!
//! An embeddable CRM engine: a customer model with durable storage in one SQLite file, and the
//! building blocks for customer analytics — what SQLite is to databases, for customer
//! relationship management.
//!
//! ```
//! use crm_core::{Crm, Filter, LifecycleStage, NewCustomer, Query, Source};
//!
//! # fn main() -> crm_core::Result<()> {
//! let crm = Crm::open_in_memory()?; // or Crm::open("shop.db", OpenOptions::default())
//! let ada = crm.customers().add(
//!     NewCustomer::new("Ada Lovelace").email("Ada@Example.com").source(Source::Referral).tag("vip"),
//! )?;
//! assert_eq!(ada.email.as_deref(), Some("ada@example.com")); // normalised on write
//!
//! crm.customers().add_many(vec![
//!     NewCustomer::new("Grace Hopper").source(Source::Web),
//!     NewCustomer::new("Alan Turing").source(Source::Web).stage(LifecycleStage::Customer),
//! ])?;
//!
//! let web_leads = Filter::eq("source", "web").and(Filter::eq("stage", "lead"));
//! assert_eq!(crm.customers().count(&web_leads)?, 1);
//! let page = crm.customers().find(&Query::new(Filter::has_tag("vip")).limit(10))?;
//! assert_eq!(page[0].name, "Ada Lovelace");
//! # Ok(())
//! # }
//! ```
//!
//! ## Layout
//! - [`model`]: plain types and rules (customers, filters, money, principals, the state machines
//!   of campaigns, tickets and deals) — no SQL, no I/O.
//! - [`analytics`]: pure functions over columns (statistics, …) — they do not know the store.
//! - `store` (private): SQLite through rusqlite — migrations, one module per entity, the
//!   filter-to-SQL compiler.
//! - [`Crm`]: the handle that ties a store to a principal, a clock and a reporting time zone.
//!
//! ## Errors
//! Every failure is an [`Error`] with a stable [`ErrorCode`], shared with the C and Python faces.
//!
//! ## Threads
//! A [`Crm`] is `Send`, not `Sync`: use it from one thread at a time, or open one handle per
//! thread on the same file. Handles in several threads or processes share a file through SQLite's
//! WAL mode and the busy timeout.
#![warn(missing_docs)]

pub mod analytics;
mod audit;
pub mod baskets;
mod campaigns;
mod crm;
mod customers;
mod deals;
pub mod error;
mod fields;
mod interactions;
pub mod model;
mod notes;
mod products;
mod purchases;
mod segments;
mod store;
mod tickets;
pub mod time;

pub use audit::Audit;
pub use baskets::Baskets;
pub use campaigns::Campaigns;
pub use crm::{Crm, OpenOptions};
pub use customers::{Customers, DeleteMode};
pub use deals::Deals;
pub use error::{Error, ErrorCode, Result};
pub use fields::Fields;
pub use interactions::Interactions;
pub use model::audit::{AuditAction, AuditEntry};
pub use model::campaign::{
    Campaign, CampaignEvent, CampaignMember, CampaignPatch, CampaignStatus, EventKind,
    EventRejection, EventReport, NewCampaign, NewCampaignEvent, RejectedEvent, Variant,
};
pub use model::campaign_report::{
    CampaignReport, EvaluationOptions, Uplift, VariantCounts, VariantReport,
};
pub use model::custom_field::{
    CustomFieldType, CustomValue, CustomValues, FieldDefinition, NewFieldDefinition,
};
pub use model::customer::{Customer, CustomerPatch, LifecycleStage, NewCustomer, Source};
pub use model::customer_columns::{CustomerColumns, NewCustomerColumns, split_tag_list};
pub use model::deal::{
    Deal, DealGroupBy, DealPatch, DealStatus, ForecastMonth, NewDeal, NewPipeline, NewStage,
    Pipeline, Stage, StageChange, StageConversion, StageDuration, StageValue, WinRate,
};
pub use model::field::{FieldSpec, FieldType};
pub use model::filter::{CmpOp, Filter, Value};
pub use model::interaction::{
    Channel, Direction, Interaction, InteractionKind, Metadata, NewInteraction,
};
pub use model::money::{Currency, Money};
pub use model::note::{EntityKind, Note};
pub use model::principal::{Principal, Role};
pub use model::product::{NewProduct, Product};
pub use model::purchase::{
    LineItem, LineItemColumns, NewLineItem, NewPurchase, NewPurchaseColumns, Purchase,
    PurchaseColumns, PurchaseRows, PurchaseStatus,
};
pub use model::query::{OrderBy, Query};
pub use model::segment::Segment;
pub use model::sla::{Breach, BusinessHours, SlaPolicy, SlaState, SlaTarget};
pub use model::ticket::{
    Comment, NewComment, NewTicket, QueueEntry, StatusChange, Ticket, TicketPatch, TicketPriority,
    TicketStats, TicketStatus,
};
pub use notes::Notes;
pub use products::Products;
pub use purchases::Purchases;
pub use segments::Segments;
pub use store::migrations::SCHEMA_VERSION;
pub use tickets::Tickets;
pub use time::{Clock, Timestamp};

/// The library's version, e.g. `0.1.0`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
