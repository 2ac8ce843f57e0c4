//! Notes in SQLite: the `notes` table, keyed by (entity, id).

use rusqlite::{Connection, params};

use crate::error::{Error, Result};
use crate::model::note::{EntityKind, Note};
use crate::time::Timestamp;

/// The table holding each kind of record (a fixed allow-list, never user text).
fn table(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Customer => "customers",
        EntityKind::Product => "products",
        EntityKind::Purchase => "purchases",
        EntityKind::Interaction => "interactions",
    }
}

/// The customer a record belongs to, when it belongs to one (for personal data).
pub(crate) fn subject_of(conn: &Connection, kind: EntityKind, id: i64) -> Result<Option<i64>> {
    let exists: bool = conn.query_row(
        &format!("SELECT EXISTS(SELECT 1 FROM {} WHERE id = ?1)", table(kind)),
        [id],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(Error::NotFound {
            entity: kind.as_str(),
            key: format!("id {id}"),
        });
    }
    Ok(match kind {
        EntityKind::Customer => Some(id),
        EntityKind::Product => None,
        EntityKind::Purchase | EntityKind::Interaction => Some(conn.query_row(
            &format!("SELECT customer_id FROM {} WHERE id = ?1", table(kind)),
            [id],
            |r| r.get(0),
        )?),
    })
}

/// Adds a note; returns its id.
pub(crate) fn insert(
    conn: &Connection,
    kind: EntityKind,
    entity_id: i64,
    body: &str,
    author: &str,
    now: Timestamp,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO notes(entity, entity_id, body, author, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![kind.as_str(), entity_id, body, author, now.as_micros()],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The notes on a record, newest first.
pub(crate) fn list(conn: &Connection, kind: EntityKind, entity_id: i64) -> Result<Vec<Note>> {
    subject_of(conn, kind, entity_id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, body, author, created_at FROM notes WHERE entity = ?1 AND entity_id = ?2 ORDER BY created_at DESC, id DESC",
    )?;
    let rows = stmt.query_map(params![kind.as_str(), entity_id], |r| {
        Ok(Note {
            id: r.get(0)?,
            entity: kind,
            entity_id,
            body: r.get(1)?,
            author: r.get(2)?,
            created_at: Timestamp::from_micros(r.get(3)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Removes the notes on a customer and on their purchases and interactions (their records go with
/// the customer).
pub(crate) fn delete_for_customer(conn: &Connection, customer_id: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM notes WHERE (entity = 'customer' AND entity_id = ?1) \
         OR (entity = 'purchase' AND entity_id IN (SELECT id FROM purchases WHERE customer_id = ?1)) \
         OR (entity = 'interaction' AND entity_id IN (SELECT id FROM interactions WHERE customer_id = ?1))",
        [customer_id],
    )?;
    Ok(())
}
