//! Free-text notes on any record of a handle: `crm.notes().add(EntityKind::Customer, id, "…")`.

use serde_json::Value as Json;

use crate::crm::Crm;
use crate::error::Result;
use crate::model::audit::{AuditAction, Change};
use crate::model::note::{EntityKind, Note, normalize_note};
use crate::store::{audit, notes as store};

/// Notes on one handle's records. Each note is signed by the handle's principal and audited.
#[derive(Debug, Clone, Copy)]
pub struct Notes<'a> {
    crm: &'a Crm,
}

impl<'a> Notes<'a> {
    pub(crate) fn new(crm: &'a Crm) -> Notes<'a> {
        Notes { crm }
    }

    /// Adds a note to a record (`NOT_FOUND` when the record does not exist).
    pub fn add(&self, entity: EntityKind, entity_id: i64, body: &str) -> Result<Note> {
        let body = normalize_note(body)?;
        let now = self.crm.now();
        self.crm.store().write(|conn| {
            let subject = store::subject_of(conn, entity, entity_id)?;
            let author = self.crm.principal().name.clone();
            let id = store::insert(conn, entity, entity_id, &body, &author, now)?;
            let changes = [
                Change::new("entity", Json::Null, entity.as_str()),
                Change::new("entity_id", Json::Null, entity_id),
                Change {
                    field: "body".into(),
                    before: Json::Null,
                    after: Json::from(body.clone()),
                    personal: subject.is_some(),
                },
            ];
            audit::record(
                conn,
                &self.crm.author(now),
                "note",
                Some(id),
                AuditAction::Create,
                &changes,
                subject,
            )?;
            Ok(Note {
                id,
                entity,
                entity_id,
                body: body.clone(),
                author,
                created_at: now,
            })
        })
    }

    /// The notes on a record, newest first.
    pub fn list(&self, entity: EntityKind, entity_id: i64) -> Result<Vec<Note>> {
        store::list(&self.crm.store().conn, entity, entity_id)
    }
}
