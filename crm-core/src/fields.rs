//! Custom field definitions of a handle: `crm.fields().define(EntityKind::Customer, …)`.
//!
//! Defining a field changes the store's schema (a new column, maybe an index) in one transaction
//! with its metadata and an audit entry; no code changes.

use serde_json::Value as Json;

use crate::crm::Crm;
use crate::error::Result;
use crate::model::audit::{AuditAction, Change};
use crate::model::custom_field::{FieldDefinition, NewFieldDefinition, check_field_name};
use crate::model::customer::{CUSTOMER_BEHAVIOUR_FIELDS, CUSTOMER_FIELDS};
use crate::model::note::EntityKind;
use crate::store::{audit, fields as store};

/// Custom field operations on one handle.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    crm: &'a Crm,
}

/// Names a custom field of `entity` may not take: its built-in and behavioural fields.
fn reserved(entity: EntityKind) -> Vec<&'static str> {
    match entity {
        EntityKind::Customer => CUSTOMER_FIELDS
            .iter()
            .chain(CUSTOMER_BEHAVIOUR_FIELDS.iter())
            .filter_map(|f| match &f.name {
                std::borrow::Cow::Borrowed(s) => Some(*s),
                std::borrow::Cow::Owned(_) => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl<'a> Fields<'a> {
    pub(crate) fn new(crm: &'a Crm) -> Fields<'a> {
        Fields { crm }
    }

    fn audited<T>(
        &self,
        name: &str,
        action: AuditAction,
        changes: impl FnOnce(&FieldDefinition) -> Vec<Change>,
        write: impl FnOnce(&rusqlite::Connection) -> Result<(FieldDefinition, T)>,
    ) -> Result<T> {
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let (def, out) = write(conn)?;
            let mut c = vec![Change::new("name", Json::Null, name)];
            c.extend(changes(&def));
            audit::record(
                conn,
                &self.crm.author(now),
                "field",
                Some(def.id),
                action,
                &c,
                None,
            )?;
            Ok(out)
        })
    }

    /// Defines a custom field. Errors: `INVALID_INPUT` for a bad name (or one that shadows a
    /// built-in field), bad choices or default, or a required field without a default while
    /// records exist; `ALREADY_EXISTS` for a taken name; `UNSUPPORTED` for entities other than
    /// customers.
    pub fn define(
        &self,
        entity: EntityKind,
        mut def: NewFieldDefinition,
    ) -> Result<FieldDefinition> {
        def.check(&reserved(entity))?;
        let now = self.crm.now();
        let name = def.name.clone();
        self.audited(
            &name,
            AuditAction::Create,
            |d| {
                vec![
                    Change::new("type", Json::Null, d.ty.as_str()),
                    Change::new("indexed", Json::Null, d.indexed),
                ]
            },
            |conn| {
                let d = store::define(conn, entity, &def, now)?;
                Ok((d.clone(), d))
            },
        )
    }

    /// Renames a field; its values stay.
    pub fn rename(&self, entity: EntityKind, from: &str, to: &str) -> Result<FieldDefinition> {
        check_field_name(to, &reserved(entity))?;
        self.audited(
            to,
            AuditAction::Update,
            |_| vec![Change::new("renamed_from", Json::Null, from)],
            |conn| {
                let d = store::rename(conn, entity, from, to)?;
                Ok((d.clone(), d))
            },
        )
    }

    /// Retires a field: hidden from records and filters; its values are kept and come back with
    /// [`restore`](Self::restore).
    pub fn retire(&self, entity: EntityKind, name: &str) -> Result<FieldDefinition> {
        self.set_retired(entity, name, true)
    }

    /// Brings a retired field back.
    pub fn restore(&self, entity: EntityKind, name: &str) -> Result<FieldDefinition> {
        self.set_retired(entity, name, false)
    }

    fn set_retired(
        &self,
        entity: EntityKind,
        name: &str,
        retired: bool,
    ) -> Result<FieldDefinition> {
        self.audited(
            name,
            AuditAction::Update,
            |_| vec![Change::new("retired", !retired, retired)],
            |conn| {
                let d = store::set_retired(conn, entity, name, retired)?;
                Ok((d.clone(), d))
            },
        )
    }

    /// Removes a field and its column. A field holding values is refused with `CONSTRAINT`
    /// unless `force` is given (then its values are deleted with it).
    pub fn remove(&self, entity: EntityKind, name: &str, force: bool) -> Result<()> {
        self.audited(
            name,
            AuditAction::Delete,
            |_| vec![Change::new("forced", Json::Null, force)],
            |conn| Ok((store::remove(conn, entity, name, force)?, ())),
        )
    }

    /// The field named `name` (retired or not).
    pub fn get(&self, entity: EntityKind, name: &str) -> Result<FieldDefinition> {
        store::get(&self.crm.store().conn, entity, name)
    }

    /// The fields of an entity in definition order; retired ones only when asked.
    pub fn list(&self, entity: EntityKind, include_retired: bool) -> Result<Vec<FieldDefinition>> {
        let conn = &self.crm.store().conn;
        if include_retired {
            store::all(conn, entity)
        } else {
            store::active(conn, entity)
        }
    }
}
