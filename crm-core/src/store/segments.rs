//! Saved segments in SQLite: the filter AST stored as JSON (and its text, when given as text).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::is_unique_violation;
use crate::error::{Error, Result};
use crate::model::filter::Filter;
use crate::model::segment::Segment;
use crate::time::Timestamp;

const SELECT: &str = "SELECT id, name, filter, text, created_at, updated_at FROM segments";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Segment> {
    let json: String = r.get(2)?;
    let filter: Filter = serde_json::from_str(&json).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Segment {
        id: r.get(0)?,
        name: r.get(1)?,
        filter,
        text: r.get(3)?,
        created_at: Timestamp::from_micros(r.get(4)?),
        updated_at: Timestamp::from_micros(r.get(5)?),
    })
}

fn to_json(filter: &Filter) -> Result<String> {
    serde_json::to_string(filter)
        .map_err(|e| Error::Internal(format!("cannot store the filter: {e}")))
}

/// Saves a new segment; `ALREADY_EXISTS` when the name is taken.
pub(crate) fn insert(
    conn: &Connection,
    name: &str,
    filter: &Filter,
    text: Option<&str>,
    now: Timestamp,
) -> Result<Segment> {
    let res = conn.execute(
        "INSERT INTO segments(name, filter, text, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![name, to_json(filter)?, text, now.as_micros()],
    );
    match res {
        Ok(_) => get(conn, name),
        Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
            entity: "segment",
            field: "name".into(),
            value: name.to_owned(),
        }),
        Err(e) => Err(e.into()),
    }
}

/// Replaces a segment's filter.
pub(crate) fn update(
    conn: &Connection,
    name: &str,
    filter: &Filter,
    text: Option<&str>,
    now: Timestamp,
) -> Result<Segment> {
    let n = conn.execute(
        "UPDATE segments SET filter = ?1, text = ?2, updated_at = ?3 WHERE name = ?4",
        params![to_json(filter)?, text, now.as_micros(), name],
    )?;
    if n == 0 {
        return Err(not_found(name));
    }
    get(conn, name)
}

fn not_found(name: &str) -> Error {
    Error::NotFound {
        entity: "segment",
        key: format!("name {name:?}"),
    }
}

/// The segment with this name.
pub(crate) fn get(conn: &Connection, name: &str) -> Result<Segment> {
    conn.prepare_cached(&format!("{SELECT} WHERE name = ?1"))?
        .query_row([name.trim()], from_row)
        .optional()?
        .ok_or_else(|| not_found(name))
}

/// Every segment, by name.
pub(crate) fn list(conn: &Connection) -> Result<Vec<Segment>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY name"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Deletes a segment.
pub(crate) fn delete(conn: &Connection, name: &str) -> Result<Segment> {
    let s = get(conn, name)?;
    conn.execute("DELETE FROM segments WHERE id = ?1", [s.id])?;
    Ok(s)
}
