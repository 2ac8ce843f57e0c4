//! The audit trail in SQLite: `audit_log` (append-only, enforced by triggers) and
//! `audit_personal` (personal before/after values keyed by customer).

use chrono_tz::Tz;
use rusqlite::{Connection, params};
use serde_json::{Map, Value as Json, json};

use super::filter_sql::EntitySql;
use super::limit_clause;
use crate::error::{Error, Result};
use crate::model::audit::{AUDIT_FIELDS, AuditAction, AuditEntry, Change, ERASED};
use crate::model::principal::Principal;
use crate::model::query::Query;
use crate::time::Timestamp;

/// Who wrote and when: the same for every entry of one call.
pub(crate) struct Author<'a> {
    pub(crate) principal: &'a Principal,
    pub(crate) at: Timestamp,
}

/// Appends one entry. Personal values go to `audit_personal`, tagged with `subject` (the customer
/// they describe); the entry itself only says that the field changed.
pub(crate) fn record(
    conn: &Connection,
    who: &Author<'_>,
    entity: &str,
    entity_id: Option<i64>,
    action: AuditAction,
    changes: &[Change],
    subject: Option<i64>,
) -> Result<()> {
    let mut public = Map::new();
    for c in changes {
        let value = if c.personal {
            json!({ "personal": true })
        } else {
            json!({ "before": c.before, "after": c.after })
        };
        public.insert(c.field.clone(), value);
    }
    conn.prepare_cached(
        "INSERT INTO audit_log(at, principal, role, entity, entity_id, action, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        who.at.as_micros(),
        who.principal.name,
        who.principal.role.as_str(),
        entity,
        entity_id,
        action.as_str(),
        Json::Object(public).to_string()
    ])?;
    let audit_id = conn.last_insert_rowid();
    let mut personal = conn.prepare_cached(
        "INSERT INTO audit_personal(audit_id, field, customer_id, before, after) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for c in changes.iter().filter(|c| c.personal) {
        personal.execute(params![
            audit_id,
            c.field,
            subject,
            c.before.to_string(),
            c.after.to_string()
        ])?;
    }
    Ok(())
}

/// A bulk entry: how many records and their id range.
pub(crate) fn record_bulk(
    conn: &Connection,
    who: &Author<'_>,
    entity: &str,
    ids: &[i64],
) -> Result<()> {
    let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
        return Ok(());
    };
    let changes = [
        Change::new("count", Json::Null, ids.len()),
        Change::new("first_id", Json::Null, *first),
        Change::new("last_id", Json::Null, *last),
    ];
    record(
        conn,
        who,
        entity,
        None,
        AuditAction::BulkCreate,
        &changes,
        None,
    )
}

fn entity() -> EntitySql<'static> {
    EntitySql {
        entity: "audit entries",
        alias: "a",
        fields: AUDIT_FIELDS,
        tags: None,
        computed: Vec::new(),
    }
}

/// Entries matching `query` (default order: oldest first), personal values merged back in.
pub(crate) fn find(conn: &Connection, query: &Query, zone: Tz) -> Result<Vec<AuditEntry>> {
    let e = entity();
    let filter = e.compile(&query.filter, zone)?;
    let order = e.order_by(&query.order_by)?;
    let sql = format!(
        "SELECT a.id, a.at, a.principal, a.role, a.entity, a.entity_id, a.action, a.changes FROM audit_log a \
         WHERE {} ORDER BY {order} {}",
        filter.sql,
        limit_clause(query)
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(filter.params.iter()))?;
    let mut personal =
        conn.prepare_cached("SELECT field, before, after FROM audit_personal WHERE audit_id = ?1")?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let action: String = r.get(6)?;
        let changes: String = r.get(7)?;
        let mut changes = match serde_json::from_str::<Json>(&changes) {
            Ok(Json::Object(m)) => m,
            _ => {
                return Err(Error::Internal(
                    "an audit entry's changes are not a JSON object".into(),
                ));
            }
        };
        let id: i64 = r.get(0)?;
        let mut fields = personal.query([id])?;
        while let Some(p) = fields.next()? {
            let field: String = p.get(0)?;
            let value = |text: Option<String>| {
                text.map_or(Json::String(ERASED.into()), |t| {
                    serde_json::from_str(&t).unwrap_or(Json::String(t))
                })
            };
            changes.insert(
                field,
                json!({ "before": value(p.get(1)?), "after": value(p.get(2)?) }),
            );
        }
        out.push(AuditEntry {
            id,
            at: Timestamp::from_micros(r.get(1)?),
            principal: r.get(2)?,
            role: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            action: action.parse()?,
            changes,
        });
    }
    Ok(out)
}
