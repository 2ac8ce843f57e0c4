//! Products in SQLite: the `products` table.

use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::filter_sql::EntitySql;
use super::is_unique_violation;
use crate::error::{Error, Result};
use crate::model::filter::Filter;
use crate::model::money::Money;
use crate::model::product::{NewProduct, PRODUCT_FIELDS, Product};
use crate::model::query::Query;
use crate::time::Timestamp;

const SELECT: &str =
    "SELECT p.id, p.sku, p.name, p.category, p.price, p.currency, p.created_at FROM products p";

fn entity() -> EntitySql<'static> {
    EntitySql {
        entity: "products",
        alias: "p",
        fields: PRODUCT_FIELDS,
        tags: None,
        computed: Vec::new(),
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Product> {
    let price: Option<i64> = r.get(4)?;
    let currency: Option<String> = r.get(5)?;
    let price = match (price, currency) {
        (Some(minor), Some(c)) => Some(Money {
            minor,
            currency: c.parse().map_err(|e: Error| {
                rusqlite::Error::FromSqlConversionFailure(
                    5,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
        }),
        _ => None,
    };
    Ok(Product {
        id: r.get(0)?,
        sku: r.get(1)?,
        name: r.get(2)?,
        category: r.get(3)?,
        price,
        created_at: Timestamp::from_micros(r.get(6)?),
    })
}

/// Inserts normalised products; returns their ids.
pub(crate) fn insert(conn: &Connection, rows: &[NewProduct], now: Timestamp) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO products(sku, name, category, price, currency, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut ids = Vec::with_capacity(rows.len());
    for (i, p) in rows.iter().enumerate() {
        let res = stmt.execute(params![
            p.sku,
            p.name,
            p.category,
            p.price.map(|m| m.minor),
            p.price.map(|m| m.currency.to_string()),
            now.as_micros()
        ]);
        match res {
            Ok(_) => ids.push(conn.last_insert_rowid()),
            Err(e) if is_unique_violation(&e) => {
                let err = Error::AlreadyExists {
                    entity: "product",
                    field: "sku".into(),
                    value: p.sku.clone(),
                };
                return Err(if rows.len() > 1 { err.in_row(i) } else { err });
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(ids)
}

/// The product with this id.
pub(crate) fn get(conn: &Connection, id: i64) -> Result<Product> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE p.id = ?1"))?;
    stmt.query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "product",
            key: format!("id {id}"),
        })
}

/// The product with this sku.
pub(crate) fn get_by_sku(conn: &Connection, sku: &str) -> Result<Product> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE p.sku = ?1"))?;
    stmt.query_row([sku.trim()], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "product",
            key: format!("sku {sku:?}"),
        })
}

/// Deletes a product; refused with `CONSTRAINT` while purchase lines reference it.
pub(crate) fn delete(conn: &Connection, id: i64) -> Result<()> {
    get(conn, id)?;
    let lines: i64 = conn.query_row(
        "SELECT count(*) FROM purchase_items WHERE product_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    if lines > 0 {
        return Err(Error::Constraint(format!(
            "product {id} is named by {lines} purchase line(s); it cannot be deleted"
        )));
    }
    conn.execute("DELETE FROM products WHERE id = ?1", [id])?;
    Ok(())
}

/// Products matching `query`.
pub(crate) fn find(conn: &Connection, query: &Query, zone: Tz) -> Result<Vec<Product>> {
    let e = entity();
    let filter = e.compile(&query.filter, zone)?;
    let order = e.order_by(&query.order_by)?;
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY {order} {}",
        filter.sql,
        super::limit_clause(query)
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(filter.params.iter()), from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// How many products match `filter`.
pub(crate) fn count(conn: &Connection, filter: &Filter, zone: Tz) -> Result<i64> {
    let compiled = entity().compile(filter, zone)?;
    let sql = format!("SELECT count(*) FROM products p WHERE {}", compiled.sql);
    Ok(conn.query_row(
        &sql,
        rusqlite::params_from_iter(compiled.params.iter()),
        |r| r.get(0),
    )?)
}
