//! Custom field definitions in SQLite. Each field is a real column `cf_<id>` of its entity's table,
//! added by `ALTER TABLE` when the field is defined: the name-to-column mapping is metadata, so a
//! rename touches no data and SQL identifiers never come from user text. An indexed field gets
//! its own index, so filtering on it is an index lookup.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::error::{Error, Result};
use crate::model::custom_field::{
    CustomFieldType, CustomValue, FieldDefinition, NewFieldDefinition,
};
use crate::model::filter::Value;
use crate::model::note::EntityKind;
use crate::time::Timestamp;

const SELECT: &str = "SELECT id, entity, name, type, choices, required, default_value, personal, indexed, retired, created_at \
     FROM field_definitions";

/// The table of an entity that can carry custom fields (a fixed allow-list).
fn table(entity: EntityKind) -> Result<&'static str> {
    match entity {
        EntityKind::Customer => Ok("customers"),
        other => Err(Error::Unsupported(format!(
            "custom fields on {} are not supported yet (customers only)",
            other.as_str()
        ))),
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<FieldDefinition> {
    let conv = |i: usize, e: Error| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    };
    let entity: String = r.get(1)?;
    let ty: String = r.get(3)?;
    let choices: String = r.get(4)?;
    let default: Option<String> = r.get(6)?;
    let ty: CustomFieldType = ty.parse().map_err(|e| conv(3, e))?;
    let choices: Vec<String> =
        serde_json::from_str(&choices).map_err(|e| conv(4, Error::Internal(e.to_string())))?;
    let default = match default {
        Some(json) => Some(from_json(ty, &json).map_err(|e| conv(6, e))?),
        None => None,
    };
    Ok(FieldDefinition {
        id: r.get(0)?,
        entity: entity.parse().map_err(|e| conv(1, e))?,
        name: r.get(2)?,
        ty,
        choices,
        required: r.get(5)?,
        default,
        personal: r.get(7)?,
        indexed: r.get(8)?,
        retired: r.get(9)?,
        created_at: Timestamp::from_micros(r.get(10)?),
    })
}

fn from_json(ty: CustomFieldType, json: &str) -> Result<CustomValue> {
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| Error::Internal(e.to_string()))?;
    let bad = || {
        Error::Internal(format!(
            "stored default {json} does not fit a {} field",
            ty.as_str()
        ))
    };
    Ok(match (ty, v) {
        (CustomFieldType::Integer, serde_json::Value::Number(n)) => {
            CustomValue::Integer(n.as_i64().ok_or_else(bad)?)
        }
        (CustomFieldType::Decimal, serde_json::Value::Number(n)) => {
            CustomValue::Decimal(n.as_f64().ok_or_else(bad)?)
        }
        (CustomFieldType::Boolean, serde_json::Value::Bool(b)) => CustomValue::Boolean(b),
        (CustomFieldType::Date, serde_json::Value::String(s)) => {
            CustomValue::Date(chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| bad())?)
        }
        (CustomFieldType::Text | CustomFieldType::Enum, serde_json::Value::String(s)) => {
            CustomValue::Text(s)
        }
        (CustomFieldType::MultiEnum, serde_json::Value::Array(items)) => CustomValue::Choices(
            items
                .into_iter()
                .map(|i| i.as_str().map(str::to_owned).ok_or_else(bad))
                .collect::<Result<_>>()?,
        ),
        _ => return Err(bad()),
    })
}

/// A value as SQLite stores it in the field's column.
pub(crate) fn to_sql(v: &CustomValue) -> SqlValue {
    match v {
        CustomValue::Text(s) => SqlValue::Text(s.clone()),
        CustomValue::Integer(i) => SqlValue::Integer(*i),
        CustomValue::Decimal(x) => SqlValue::Real(*x),
        CustomValue::Boolean(b) => SqlValue::Integer(i64::from(*b)),
        CustomValue::Date(d) => SqlValue::Text(d.format("%Y-%m-%d").to_string()),
        CustomValue::Choices(c) => SqlValue::Text(serde_json::Value::from(c.clone()).to_string()),
    }
}

/// A column value read back as the field's type (`None` for NULL).
pub(crate) fn from_sql(def: &FieldDefinition, v: SqlValue) -> Result<Option<CustomValue>> {
    let bad = || {
        Error::Internal(format!(
            "column {} holds a value that is not a {}",
            def.column(),
            def.ty.as_str()
        ))
    };
    Ok(Some(match (def.ty, v) {
        (_, SqlValue::Null) => return Ok(None),
        (CustomFieldType::Integer, SqlValue::Integer(i)) => CustomValue::Integer(i),
        (CustomFieldType::Decimal, SqlValue::Real(x)) => CustomValue::Decimal(x),
        (CustomFieldType::Decimal, SqlValue::Integer(i)) => CustomValue::Decimal(i as f64),
        (CustomFieldType::Boolean, SqlValue::Integer(i)) => CustomValue::Boolean(i != 0),
        (CustomFieldType::Date, SqlValue::Text(s)) => {
            CustomValue::Date(chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| bad())?)
        }
        (CustomFieldType::Text | CustomFieldType::Enum, SqlValue::Text(s)) => CustomValue::Text(s),
        (CustomFieldType::MultiEnum, SqlValue::Text(s)) => {
            CustomValue::Choices(serde_json::from_str(&s).map_err(|_| bad())?)
        }
        _ => return Err(bad()),
    }))
}

/// The active (not retired) custom fields of an entity, in definition order.
pub(crate) fn active(conn: &Connection, entity: EntityKind) -> Result<Vec<FieldDefinition>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE entity = ?1 AND retired = 0 ORDER BY id"
    ))?;
    let rows = stmt.query_map([entity.as_str()], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Every custom field of an entity, retired ones included.
pub(crate) fn all(conn: &Connection, entity: EntityKind) -> Result<Vec<FieldDefinition>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE entity = ?1 ORDER BY id"))?;
    let rows = stmt.query_map([entity.as_str()], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The field named `name` (retired or not).
pub(crate) fn get(conn: &Connection, entity: EntityKind, name: &str) -> Result<FieldDefinition> {
    conn.prepare_cached(&format!("{SELECT} WHERE entity = ?1 AND name = ?2"))?
        .query_row(params![entity.as_str(), name], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "field",
            key: format!("{}.{name}", entity.as_str()),
        })
}

/// Defines a field: records it and adds its column (and index). Existing records get the
/// default; a required field without a default is refused while records exist.
pub(crate) fn define(
    conn: &Connection,
    entity: EntityKind,
    def: &NewFieldDefinition,
    now: Timestamp,
) -> Result<FieldDefinition> {
    let table = table(entity)?;
    if get(conn, entity, &def.name).is_ok() {
        return Err(Error::AlreadyExists {
            entity: "field",
            field: "name".into(),
            value: def.name.clone(),
        });
    }
    let probe = FieldDefinition {
        id: 0,
        entity,
        name: def.name.clone(),
        ty: def.ty,
        choices: def.choices.clone(),
        required: false,
        default: None,
        personal: def.personal,
        indexed: def.indexed,
        retired: false,
        created_at: now,
    };
    let default = match &def.default {
        Some(v) if *v != Value::Null => probe.check(v)?,
        _ => None,
    };
    let records: i64 =
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
    if def.required && default.is_none() && records > 0 {
        return Err(Error::invalid(
            def.name.clone(),
            "",
            format!("a required field needs a default while {records} record(s) exist"),
        ));
    }
    conn.execute(
        "INSERT INTO field_definitions(entity, name, type, choices, required, default_value, personal, indexed, retired, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9)",
        params![
            entity.as_str(),
            def.name,
            def.ty.as_str(),
            serde_json::Value::from(def.choices.clone()).to_string(),
            def.required,
            default.as_ref().map(|d| d.to_json().to_string()),
            def.personal,
            def.indexed,
            now.as_micros()
        ],
    )?;
    let id = conn.last_insert_rowid();
    // Identifiers from the numeric id only.
    conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN cf_{id}"))?;
    if def.indexed {
        conn.execute_batch(&format!("CREATE INDEX {table}_cf_{id} ON {table}(cf_{id})"))?;
    }
    if let Some(d) = &default {
        conn.execute(&format!("UPDATE {table} SET cf_{id} = ?1"), [to_sql(d)])?;
    }
    get(conn, entity, &def.name)
}

/// Renames a field (metadata only; its column and data stay).
pub(crate) fn rename(
    conn: &Connection,
    entity: EntityKind,
    from: &str,
    to: &str,
) -> Result<FieldDefinition> {
    let def = get(conn, entity, from)?;
    if get(conn, entity, to).is_ok() {
        return Err(Error::AlreadyExists {
            entity: "field",
            field: "name".into(),
            value: to.to_owned(),
        });
    }
    conn.execute(
        "UPDATE field_definitions SET name = ?1 WHERE id = ?2",
        params![to, def.id],
    )?;
    get(conn, entity, to)
}

/// Retires or restores a field: hidden from records and filters, its data kept.
pub(crate) fn set_retired(
    conn: &Connection,
    entity: EntityKind,
    name: &str,
    retired: bool,
) -> Result<FieldDefinition> {
    let def = get(conn, entity, name)?;
    conn.execute(
        "UPDATE field_definitions SET retired = ?1 WHERE id = ?2",
        params![retired, def.id],
    )?;
    get(conn, entity, name)
}

/// Removes a field and its column. A field that holds data is removed only with `force`.
pub(crate) fn remove(
    conn: &Connection,
    entity: EntityKind,
    name: &str,
    force: bool,
) -> Result<FieldDefinition> {
    let table = table(entity)?;
    let def = get(conn, entity, name)?;
    let col = def.column();
    let filled: i64 = conn.query_row(
        &format!("SELECT count(*) FROM {table} WHERE {col} IS NOT NULL"),
        [],
        |r| r.get(0),
    )?;
    if filled > 0 && !force {
        return Err(Error::Constraint(format!(
            "field {name} holds values for {filled} record(s); retire it, or remove it with force to delete them"
        )));
    }
    conn.execute_batch(&format!(
        "DROP INDEX IF EXISTS {table}_{col}; ALTER TABLE {table} DROP COLUMN {col};"
    ))?;
    conn.execute("DELETE FROM field_definitions WHERE id = ?1", [def.id])?;
    Ok(def)
}
