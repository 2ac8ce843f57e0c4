//! `crm._crm`: the native part of the `crm` Python package.
//!
//! The binding translates and nothing more: arguments to `crm_core` values (`convert`, `columns`),
//! `crm_core::Error` to the exception classes of `crm.exceptions` (`errors`), and every store call
//! runs with the GIL released (`database`). Validation, normalisation and filter parsing live in
//! `crm-core`; the user-facing API (keyword arguments, DataFrames, docs) is the pure-Python package
//! in `crm-py/python/crm`.

mod audit;
mod basket;
mod campaign;
mod columns;
mod convert;
mod customer;
mod database;
mod deal;
mod errors;
mod field;
mod interaction;
mod interaction_columns;
mod note;
mod product;
mod purchase;
mod purchase_columns;
mod segment;
mod stats;
mod ticket;

use crm_core::{
    AuditAction, Channel, CustomFieldType, Direction, EntityKind, InteractionKind, LifecycleStage,
    PurchaseStatus, Source,
};
use pyo3::prelude::*;

#[pymodule]
fn _crm(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", crm_core::VERSION)?;
    m.add("SCHEMA_VERSION", crm_core::SCHEMA_VERSION)?;
    m.add("STAGES", LifecycleStage::NAMES.to_vec())?;
    m.add("SOURCES", Source::NAMES.to_vec())?;
    m.add("PURCHASE_STATUSES", PurchaseStatus::NAMES.to_vec())?;
    m.add("ADD_MANY_COLUMNS", columns::NEW_COLUMNS.to_vec())?;
    m.add("PRODUCT_COLUMNS", product::NEW_COLUMNS.to_vec())?;
    m.add("PURCHASE_COLUMNS", purchase_columns::NEW_COLUMNS.to_vec())?;
    m.add(
        "LINE_ITEM_COLUMNS",
        purchase_columns::NEW_ITEM_COLUMNS.to_vec(),
    )?;
    m.add("CHANNELS", Channel::NAMES.to_vec())?;
    m.add("DIRECTIONS", Direction::NAMES.to_vec())?;
    m.add("INTERACTION_KINDS", InteractionKind::NAMES.to_vec())?;
    m.add(
        "INTERACTION_COLUMNS",
        interaction_columns::NEW_COLUMNS.to_vec(),
    )?;
    m.add("NOTE_ENTITIES", EntityKind::NAMES.to_vec())?;
    m.add("AUDIT_ACTIONS", AuditAction::NAMES.to_vec())?;
    m.add("FIELD_TYPES", CustomFieldType::NAMES.to_vec())?;
    m.add("TICKET_STATUSES", crm_core::TicketStatus::NAMES.to_vec())?;
    m.add("TICKET_PRIORITIES", crm_core::TicketPriority::NAMES.to_vec())?;
    m.add("SLA_TARGETS", crm_core::SlaTarget::NAMES.to_vec())?;
    m.add("BUSINESS_DAYS", ticket::DAY_NAMES.to_vec())?;
    m.add_class::<database::Database>()?;
    m.add_class::<customer::PyCustomer>()?;
    m.add_class::<product::PyProduct>()?;
    m.add_class::<purchase::PyPurchase>()?;
    m.add_class::<purchase::PyLineItem>()?;
    m.add_class::<interaction::PyInteraction>()?;
    m.add_class::<note::PyNote>()?;
    m.add_class::<audit::PyAuditEntry>()?;
    m.add_class::<segment::PySegment>()?;
    m.add_class::<field::PyFieldDefinition>()?;
    campaign::register(m)?;
    deal::register(m)?;
    stats::register(m)?;
    basket::register(m)?;
    m.add_class::<ticket::PyTicket>()?;
    m.add_class::<ticket::PyComment>()?;
    m.add_class::<ticket::PySlaPolicy>()?;
    m.add_class::<ticket::PySlaState>()?;
    m.add_class::<ticket::PyBusinessHours>()?;
    Ok(())
}
