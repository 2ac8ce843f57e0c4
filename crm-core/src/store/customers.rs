//! Customers in SQLite: rows in `customers`, tags in `customer_tags`.
//!
//! Functions here take a connection that is already inside the caller's transaction; the handle
//! decides the transaction boundaries.

use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, Row, params};

use std::collections::BTreeMap;

use rusqlite::types::Value as SqlValue;

use super::fields;
use super::filter_sql::EntitySql;
use super::is_unique_violation;
use crate::error::{Error, Result};
use crate::model::custom_field::{CustomValue, CustomValues, FieldDefinition};
use crate::model::customer::{
    CUSTOMER_BEHAVIOUR_FIELDS, CUSTOMER_FIELDS, Customer, CustomerPatch, NewCustomer,
};
use crate::model::filter::{Filter, Value};
use crate::model::note::EntityKind;
use crate::model::query::Query;
use crate::time::Timestamp;

/// Tables whose rows reference a customer, as `(table, column)`: `delete` refuses while any exist
/// and removes them when asked to cascade. Each later entity that points at customers adds itself.
const DEPENDENTS: &[(&str, &str)] = &[
    ("purchases", "customer_id"),
    ("interactions", "customer_id"),
    ("campaign_members", "customer_id"),
    ("tickets", "customer_id"),
    ("deals", "customer_id"),
];

const COLUMNS: &str = "c.id, c.external_id, c.name, c.email, c.phone, c.company, c.stage, c.source, \
     (SELECT group_concat(tag, ',') FROM customer_tags t WHERE t.customer_id = c.id), \
     c.created_at, c.updated_at, c.version";

/// The number of built-in columns `from_row` reads before the custom ones.
const BUILTIN_COLUMNS: usize = 12;

/// The active custom fields of customers.
pub(crate) fn defs(conn: &Connection) -> Result<Vec<FieldDefinition>> {
    fields::active(conn, EntityKind::Customer)
}

/// `SELECT … FROM customers c` with one column per active custom field.
fn select(defs: &[FieldDefinition]) -> String {
    let custom: String = defs.iter().map(|d| format!(", c.{}", d.column())).collect();
    format!("SELECT {COLUMNS}{custom} FROM customers c")
}

/// Checks a record's custom values against the definitions: known fields only, each value of
/// its field's type, defaults filled in, required ones present. One entry per definition.
fn resolve_custom(
    defs: &[FieldDefinition],
    given: &BTreeMap<String, Value>,
) -> Result<Vec<Option<CustomValue>>> {
    if let Some(unknown) = given.keys().find(|k| !defs.iter().any(|d| &d.name == *k)) {
        let known: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
        return Err(Error::invalid(
            "custom field",
            unknown.clone(),
            format!(
                "is not defined for customers (defined: {})",
                known.join(", ")
            ),
        ));
    }
    defs.iter()
        .map(|d| match given.get(&d.name) {
            Some(v) if *v != Value::Null => d.check(v),
            _ => match &d.default {
                Some(default) => Ok(Some(default.clone())),
                None if d.required => Err(Error::invalid(d.name.clone(), "", "is required")),
                None => Ok(None),
            },
        })
        .collect()
}

const INSERT_TAG: &str = "INSERT INTO customer_tags(customer_id, tag) VALUES (?1, ?2)";

/// How each behavioural field is computed: completed purchases, interactions, active tickets
/// (new, open, pending) and open deals of the customer, through their per-customer indexes.
/// `{since_90d}` is replaced by an integer: the handle's "now" minus 90 days.
const BEHAVIOUR_SQL: [&str; 9] = [
    "(SELECT coalesce(sum(p.amount), 0) FROM purchases p WHERE p.customer_id = c.id AND p.status = 'completed')",
    "(SELECT count(*) FROM purchases p WHERE p.customer_id = c.id AND p.status = 'completed')",
    "(SELECT max(p.purchased_at) FROM purchases p WHERE p.customer_id = c.id AND p.status = 'completed')",
    "(SELECT max(i.occurred_at) FROM interactions i WHERE i.customer_id = c.id)",
    "(SELECT count(*) FROM tickets t WHERE t.customer_id = c.id AND t.status IN ('new', 'open', 'pending'))",
    "EXISTS(SELECT 1 FROM tickets t WHERE t.customer_id = c.id AND t.status IN ('new', 'open', 'pending'))",
    "(SELECT count(*) FROM tickets t WHERE t.customer_id = c.id AND t.created_at >= {since_90d})",
    "(SELECT count(*) FROM deals d WHERE d.customer_id = c.id AND d.status = 'open')",
    "(SELECT coalesce(sum(d.amount), 0) FROM deals d WHERE d.customer_id = c.id AND d.status = 'open')",
];

const DAY_MICROS: i64 = 86_400_000_000;

static BEHAVIOUR: std::sync::LazyLock<Vec<(crate::model::field::FieldSpec, &'static str)>> =
    std::sync::LazyLock::new(|| {
        CUSTOMER_BEHAVIOUR_FIELDS
            .iter()
            .cloned()
            .zip(BEHAVIOUR_SQL)
            .collect()
    });

/// The customers' filterable fields at `now`: built-in, behavioural, and the active custom
/// fields.
pub(crate) fn entity_with(defs: &[FieldDefinition], now: Timestamp) -> EntitySql<'static> {
    let since_90d = now.as_micros().saturating_sub(90 * DAY_MICROS).to_string();
    let mut computed: Vec<(crate::model::field::FieldSpec, String)> = BEHAVIOUR
        .iter()
        .map(|(f, sql)| (f.clone(), sql.replace("{since_90d}", &since_90d)))
        .collect();
    computed.extend(defs.iter().map(|d| (d.spec(), format!("c.{}", d.column()))));
    EntitySql {
        entity: "customers",
        alias: "c",
        fields: CUSTOMER_FIELDS,
        tags: Some(("customer_tags", "customer_id")),
        computed,
    }
}

/// [`entity_with`] without custom fields.
#[cfg(test)]
pub(crate) fn entity() -> EntitySql<'static> {
    entity_with(&[], Timestamp::from_micros(0))
}

fn from_row(r: &Row<'_>, defs: &[FieldDefinition]) -> rusqlite::Result<Customer> {
    let stage: String = r.get(6)?;
    let source: String = r.get(7)?;
    let tags: Option<String> = r.get(8)?;
    let mut tags: Vec<String> = tags
        .map(|t| t.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    tags.sort();
    // The schema's CHECK constraints admit only known names, so these parses cannot fail on a
    // store this library wrote; a foreign edit surfaces as a conversion error, not a panic.
    let bad = |i: usize, e: Error| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    };
    Ok(Customer {
        id: r.get(0)?,
        external_id: r.get(1)?,
        name: r.get(2)?,
        email: r.get(3)?,
        phone: r.get(4)?,
        company: r.get(5)?,
        stage: stage.parse().map_err(|e| bad(6, e))?,
        source: source.parse().map_err(|e| bad(7, e))?,
        tags,
        created_at: Timestamp::from_micros(r.get(9)?),
        updated_at: Timestamp::from_micros(r.get(10)?),
        version: r.get(11)?,
        custom: {
            let mut custom = CustomValues::new();
            for (k, d) in defs.iter().enumerate() {
                let raw: rusqlite::types::Value = r.get(BUILTIN_COLUMNS + k)?;
                if let Some(v) =
                    fields::from_sql(d, raw).map_err(|e| bad(BUILTIN_COLUMNS + k, e))?
                {
                    custom.insert(d.name.clone(), v);
                }
            }
            custom
        },
    })
}

fn taken(external_id: &Option<String>) -> Error {
    Error::AlreadyExists {
        entity: "customer",
        field: "external_id".into(),
        value: external_id.clone().unwrap_or_default(),
    }
}

/// Inserts normalised customers, checking their custom values against the definitions; returns
/// their ids in order.
pub(crate) fn insert(conn: &Connection, rows: &[NewCustomer], now: Timestamp) -> Result<Vec<i64>> {
    let defs = defs(conn)?;
    let custom_cols: String = defs.iter().map(|d| format!(", {}", d.column())).collect();
    let custom_params: String = (0..defs.len()).map(|k| format!(", ?{}", 11 + k)).collect();
    let sql = format!(
        "INSERT INTO customers(external_id, name, email, phone, company, stage, source, created_at, updated_at, version{custom_cols}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10{custom_params})"
    );
    let mut insert = conn.prepare_cached(&sql)?;
    let mut insert_tag = conn.prepare_cached(INSERT_TAG)?;
    let mut ids = Vec::with_capacity(rows.len());
    let batch = rows.len() > 1;
    for (i, c) in rows.iter().enumerate() {
        let custom =
            resolve_custom(&defs, &c.custom).map_err(|e| if batch { e.in_row(i) } else { e })?;
        let created = c.created_at.unwrap_or(now).as_micros();
        let mut values: Vec<SqlValue> = vec![
            c.external_id.clone().into(),
            c.name.clone().into(),
            c.email.clone().into(),
            c.phone.clone().into(),
            c.company.clone().into(),
            c.stage.as_str().to_owned().into(),
            c.source.as_str().to_owned().into(),
            created.into(),
            created.max(now.as_micros()).into(),
            1i64.into(),
        ];
        values.extend(
            custom
                .iter()
                .map(|v| v.as_ref().map_or(SqlValue::Null, fields::to_sql)),
        );
        match insert.execute(rusqlite::params_from_iter(values)) {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                let err = taken(&c.external_id);
                return Err(if batch { err.in_row(i) } else { err });
            }
            Err(e) => return Err(e.into()),
        }
        let id = conn.last_insert_rowid();
        for tag in &c.tags {
            insert_tag.execute(params![id, tag])?;
        }
        ids.push(id);
    }
    Ok(ids)
}

/// The customer with this id.
pub(crate) fn get(conn: &Connection, id: i64) -> Result<Customer> {
    let defs = defs(conn)?;
    let mut stmt = conn.prepare_cached(&format!("{} WHERE c.id = ?1", select(&defs)))?;
    stmt.query_row([id], |r| from_row(r, &defs))
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "customer",
            key: format!("id {id}"),
        })
}

/// The customer with this external id.
pub(crate) fn get_by_external_id(conn: &Connection, external_id: &str) -> Result<Customer> {
    let defs = defs(conn)?;
    let mut stmt = conn.prepare_cached(&format!("{} WHERE c.external_id = ?1", select(&defs)))?;
    stmt.query_row([external_id.trim()], |r| from_row(r, &defs))
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "customer",
            key: format!("external_id {external_id:?}"),
        })
}

/// Applies `patch` to customer `id`; returns the stored result.
pub(crate) fn update(
    conn: &Connection,
    id: i64,
    patch: &CustomerPatch,
    now: Timestamp,
) -> Result<Customer> {
    let current = get(conn, id)?;
    let mut next = patch.apply(&current)?;
    let defs = defs(conn)?;
    for (name, value) in &patch.custom {
        let def = defs.iter().find(|d| &d.name == name).ok_or_else(|| {
            let known: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
            Error::invalid(
                "custom field",
                name.clone(),
                format!(
                    "is not defined for customers (defined: {})",
                    known.join(", ")
                ),
            )
        })?;
        match def.check(value)? {
            Some(v) => next.custom.insert(name.clone(), v),
            None => next.custom.remove(name),
        };
    }
    if next == current {
        // Nothing changes: no new version, no write.
        return Ok(current);
    }
    let version = current.version + 1;
    let updated_at = now.as_micros().max(current.updated_at.as_micros());
    let res = conn.execute(
        "UPDATE customers SET external_id = ?1, name = ?2, email = ?3, phone = ?4, company = ?5, stage = ?6, \
         source = ?7, updated_at = ?8, version = ?9 WHERE id = ?10 AND version = ?11",
        params![
            next.external_id,
            next.name,
            next.email,
            next.phone,
            next.company,
            next.stage.as_str(),
            next.source.as_str(),
            updated_at,
            version,
            id,
            current.version
        ],
    );
    match res {
        Ok(1) => {}
        Ok(_) => {
            return Err(Error::Internal(format!(
                "customer {id} changed during its own update"
            )));
        }
        Err(e) if is_unique_violation(&e) => return Err(taken(&next.external_id)),
        Err(e) => return Err(e.into()),
    }
    for def in defs
        .iter()
        .filter(|d| next.custom.get(&d.name) != current.custom.get(&d.name))
    {
        let value = next
            .custom
            .get(&def.name)
            .map_or(SqlValue::Null, fields::to_sql);
        conn.execute(
            &format!("UPDATE customers SET {} = ?1 WHERE id = ?2", def.column()),
            params![value, id],
        )?;
    }
    if next.tags != current.tags {
        conn.execute("DELETE FROM customer_tags WHERE customer_id = ?1", [id])?;
        let mut insert_tag = conn.prepare_cached(INSERT_TAG)?;
        for tag in &next.tags {
            insert_tag.execute(params![id, tag])?;
        }
    }
    Ok(Customer {
        version,
        updated_at: Timestamp::from_micros(updated_at),
        ..next
    })
}

/// Deletes customer `id`. Without `cascade`, refuses while other records reference it.
pub(crate) fn delete(conn: &Connection, id: i64, cascade: bool) -> Result<()> {
    delete_with(conn, id, cascade, DEPENDENTS)
}

/// [`delete`] with an explicit list of dependent `(table, column)` pairs.
fn delete_with(
    conn: &Connection,
    id: i64,
    cascade: bool,
    dependents: &[(&str, &str)],
) -> Result<()> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM customers WHERE id = ?1)",
        [id],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(Error::NotFound {
            entity: "customer",
            key: format!("id {id}"),
        });
    }
    if !cascade {
        for (table, column) in dependents {
            let n: i64 = conn.query_row(
                &format!("SELECT count(*) FROM {table} WHERE {column} = ?1"),
                [id],
                |r| r.get(0),
            )?;
            if n > 0 {
                return Err(Error::Constraint(format!(
                    "customer {id} is referenced by {n} record(s) in {table}; delete those first or delete with cascade"
                )));
            }
        }
    }
    // Notes on the customer and on their records go with them (before the records, which the
    // note lookup reads).
    super::notes::delete_for_customer(conn, id)?;
    if cascade {
        for (table, column) in dependents {
            conn.execute(&format!("DELETE FROM {table} WHERE {column} = ?1"), [id])?;
        }
    }
    conn.execute("DELETE FROM customers WHERE id = ?1", [id]).map_err(|e| match Error::from(e) {
        Error::Constraint(m) => Error::Constraint(format!(
            "customer {id} is referenced by other records; delete those first or delete with cascade ({m})"
        )),
        other => other,
    })?;
    Ok(())
}

/// Customers matching `query`, in its order and page.
pub(crate) fn find(
    conn: &Connection,
    query: &Query,
    zone: Tz,
    now: Timestamp,
) -> Result<Vec<Customer>> {
    let defs = defs(conn)?;
    let e = entity_with(&defs, now);
    let filter = e.compile(&query.filter, zone)?;
    let order = e.order_by(&query.order_by)?;
    let sql = format!(
        "{} WHERE {} ORDER BY {order} {}",
        select(&defs),
        filter.sql,
        super::limit_clause(query)
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(filter.params.iter()), |r| {
        from_row(r, &defs)
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The ids of the customers matching `filter`, ascending.
pub(crate) fn ids(
    conn: &Connection,
    filter: &Filter,
    zone: Tz,
    now: Timestamp,
) -> Result<Vec<i64>> {
    let compiled = entity_with(&defs(conn)?, now).compile(filter, zone)?;
    let sql = format!(
        "SELECT c.id FROM customers c WHERE {} ORDER BY c.id",
        compiled.sql
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(compiled.params.iter()), |r| {
        r.get(0)
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// How many customers match `filter`.
pub(crate) fn count(conn: &Connection, filter: &Filter, zone: Tz, now: Timestamp) -> Result<i64> {
    let compiled = entity_with(&defs(conn)?, now).compile(filter, zone)?;
    let sql = format!("SELECT count(*) FROM customers c WHERE {}", compiled.sql);
    Ok(conn.query_row(
        &sql,
        rusqlite::params_from_iter(compiled.params.iter()),
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::*;
    use crate::ErrorCode;
    use crate::store::Store;

    fn store_with_orders() -> (Store, i64) {
        let store = Store::open(
            Path::new(":memory:"),
            Duration::from_secs(1),
            Timestamp::from_micros(0),
        )
        .unwrap();
        store
            .conn
            .execute_batch("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id))")
            .unwrap();
        let ids = store
            .write(|c| {
                insert(
                    c,
                    &[NewCustomer::new("A").tag("t")],
                    Timestamp::from_micros(0),
                )
            })
            .unwrap();
        store
            .conn
            .execute(
                "INSERT INTO orders(customer_id) VALUES (?1), (?1)",
                [ids[0]],
            )
            .unwrap();
        (store, ids[0])
    }

    /// A table that references customers but is not registered still blocks the delete: the
    /// foreign key surfaces as `CONSTRAINT`.
    #[test]
    fn unregistered_references_block_delete() {
        let (store, id) = store_with_orders();
        let e = store.write(|c| delete(c, id, false)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Constraint);
        assert!(e.to_string().contains("cascade"), "{e}");
        assert!(get(&store.conn, id).is_ok(), "the customer is still there");
    }

    /// Registered dependents: restrict counts them, cascade removes them with the customer.
    #[test]
    fn restrict_and_cascade_over_dependents() {
        let (store, id) = store_with_orders();
        let deps = [("orders", "customer_id")];
        let e = store
            .write(|c| delete_with(c, id, false, &deps))
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Constraint);
        assert!(e.to_string().contains("2 record(s) in orders"), "{e}");
        store.write(|c| delete_with(c, id, true, &deps)).unwrap();
        assert_eq!(
            get(&store.conn, id).unwrap_err().code(),
            ErrorCode::NotFound
        );
        let left: i64 = store
            .conn
            .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0);
        let tags: i64 = store
            .conn
            .query_row("SELECT count(*) FROM customer_tags", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tags, 0);
    }
}
