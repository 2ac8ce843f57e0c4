//! Interactions in SQLite: the `interactions` table, indexed for per-customer timelines.

use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::filter_sql::EntitySql;
use super::{is_foreign_key_violation, limit_clause};
use crate::error::{Error, Result};
use crate::model::filter::Filter;
use crate::model::interaction::{INTERACTION_FIELDS, Interaction, NewInteraction, parse_metadata};
use crate::model::query::Query;
use crate::time::Timestamp;

const SELECT: &str = "SELECT i.id, i.customer_id, i.channel, i.direction, i.kind, i.occurred_at, i.subject, i.body, \
     i.metadata, i.created_at, i.campaign_id, i.ticket_id FROM interactions i";

fn entity() -> EntitySql<'static> {
    EntitySql {
        entity: "interactions",
        alias: "i",
        fields: INTERACTION_FIELDS,
        tags: None,
        computed: Vec::new(),
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Interaction> {
    let bad = |i: usize, e: Error| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    };
    let channel: String = r.get(2)?;
    let direction: String = r.get(3)?;
    let kind: String = r.get(4)?;
    let metadata: String = r.get(8)?;
    Ok(Interaction {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        channel: channel.parse().map_err(|e| bad(2, e))?,
        direction: direction.parse().map_err(|e| bad(3, e))?,
        kind: kind.parse().map_err(|e| bad(4, e))?,
        occurred_at: Timestamp::from_micros(r.get(5)?),
        subject: r.get(6)?,
        body: r.get(7)?,
        metadata: parse_metadata(&metadata).map_err(|e| bad(8, e))?,
        created_at: Timestamp::from_micros(r.get(9)?),
        campaign_id: r.get(10)?,
        ticket_id: r.get(11)?,
    })
}

/// Inserts normalised interactions; returns their ids.
pub(crate) fn insert(
    conn: &Connection,
    rows: &[NewInteraction],
    now: Timestamp,
) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO interactions(customer_id, channel, direction, kind, occurred_at, subject, body, metadata, created_at, \
         campaign_id, ticket_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut ids = Vec::with_capacity(rows.len());
    for (i, it) in rows.iter().enumerate() {
        let metadata = serde_json::Value::Object(it.metadata.clone()).to_string();
        let res = stmt.execute(params![
            it.customer_id,
            it.channel.as_str(),
            it.direction.as_str(),
            it.kind.as_str(),
            it.occurred_at.unwrap_or(now).as_micros(),
            it.subject,
            it.body,
            metadata,
            now.as_micros(),
            it.campaign_id,
            it.ticket_id,
        ]);
        match res {
            Ok(_) => ids.push(conn.last_insert_rowid()),
            Err(e) if is_foreign_key_violation(&e) => {
                let row = if rows.len() > 1 {
                    format!(" (row {i})")
                } else {
                    String::new()
                };
                return Err(missing_reference(conn, it, &row));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(ids)
}

/// Which of an interaction's references does not exist (after a foreign-key violation).
fn missing_reference(conn: &Connection, it: &NewInteraction, row: &str) -> Error {
    let exists = |table: &str, id: i64| -> bool {
        // `table` is one of the fixed names below, never user text.
        conn.query_row(
            &format!("SELECT EXISTS(SELECT 1 FROM {table} WHERE id = ?1)"),
            [id],
            |r| r.get(0),
        )
        .unwrap_or(false)
    };
    let refs = [
        ("customer", "customers", Some(it.customer_id)),
        ("campaign", "campaigns", it.campaign_id),
        ("ticket", "tickets", it.ticket_id),
    ];
    for (entity, table, id) in refs {
        if let Some(id) = id
            && !exists(table, id)
        {
            return Error::NotFound {
                entity,
                key: format!("id {id}{row}"),
            };
        }
    }
    Error::Constraint(format!("interaction{row} references a missing record"))
}

/// The interaction with this id.
pub(crate) fn get(conn: &Connection, id: i64) -> Result<Interaction> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE i.id = ?1"))?;
    stmt.query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "interaction",
            key: format!("id {id}"),
        })
}

/// Interactions matching `query`.
pub(crate) fn find(conn: &Connection, query: &Query, zone: Tz) -> Result<Vec<Interaction>> {
    let e = entity();
    let filter = e.compile(&query.filter, zone)?;
    let order = e.order_by(&query.order_by)?;
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY {order} {}",
        filter.sql,
        limit_clause(query)
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(filter.params.iter()), from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// How many interactions match `filter`.
pub(crate) fn count(conn: &Connection, filter: &Filter, zone: Tz) -> Result<i64> {
    let compiled = entity().compile(filter, zone)?;
    let sql = format!("SELECT count(*) FROM interactions i WHERE {}", compiled.sql);
    Ok(conn.query_row(
        &sql,
        rusqlite::params_from_iter(compiled.params.iter()),
        |r| r.get(0),
    )?)
}
