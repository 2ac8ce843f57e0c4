//! Purchases in SQLite: `purchases` and their `purchase_items`.

use std::collections::HashMap;

use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::filter_sql::EntitySql;
use super::{is_foreign_key_violation, is_unique_violation, limit_clause};
use crate::error::{Error, Result};
use crate::model::filter::Filter;
use crate::model::money::Money;
use crate::model::purchase::{
    LineItem, LineItemColumns, NewPurchase, PURCHASE_FIELDS, Purchase, PurchaseColumns,
    PurchaseStatus,
};
use crate::model::query::Query;
use crate::time::Timestamp;

const SELECT: &str = "SELECT p.id, p.customer_id, p.external_id, p.purchased_at, p.amount, p.currency, p.status, p.created_at FROM purchases p";

fn entity() -> EntitySql<'static> {
    EntitySql {
        entity: "purchases",
        alias: "p",
        fields: PURCHASE_FIELDS,
        tags: None,
        computed: Vec::new(),
    }
}

fn conversion(i: usize, e: Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Purchase> {
    let currency: String = r.get(5)?;
    let status: String = r.get(6)?;
    Ok(Purchase {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        external_id: r.get(2)?,
        purchased_at: Timestamp::from_micros(r.get(3)?),
        amount: Money {
            minor: r.get(4)?,
            currency: currency.parse().map_err(|e| conversion(5, e))?,
        },
        status: status.parse().map_err(|e| conversion(6, e))?,
        items: Vec::new(),
        created_at: Timestamp::from_micros(r.get(7)?),
    })
}

/// A catalogue entry as a line item needs it.
#[derive(Clone)]
struct CatalogueEntry {
    id: i64,
    sku: String,
    name: String,
    category: Option<String>,
}

/// Inserts normalised purchases and their lines; returns the purchase ids in order. A line naming
/// a product id that does not exist is `NOT_FOUND`; a sku not in the catalogue is kept as given
/// (the line then needs a name).
pub(crate) fn insert(conn: &Connection, rows: &[NewPurchase], now: Timestamp) -> Result<Vec<i64>> {
    let batch = rows.len() > 1;
    insert_each(
        conn,
        rows.iter().map(|p| Ok(std::borrow::Cow::Borrowed(p))),
        batch,
        rows.len(),
        now,
    )
}

/// Inserts purchases as an iterator yields them (each already normalised), so a batch need not
/// be held in memory whole; `batch` says whether errors name their row.
pub(crate) fn insert_each<'p>(
    conn: &Connection,
    rows: impl Iterator<Item = Result<std::borrow::Cow<'p, NewPurchase>>>,
    batch: bool,
    len_hint: usize,
    now: Timestamp,
) -> Result<Vec<i64>> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO purchases(customer_id, external_id, purchased_at, amount, currency, status, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut insert_item = conn.prepare_cached(
        "INSERT INTO purchase_items(purchase_id, line, product_id, sku, name, category, quantity, unit_price) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut by_sku =
        conn.prepare_cached("SELECT id, sku, name, category FROM products WHERE sku = ?1")?;
    let mut by_id =
        conn.prepare_cached("SELECT id, sku, name, category FROM products WHERE id = ?1")?;
    let entry = |r: &Row<'_>| -> rusqlite::Result<CatalogueEntry> {
        Ok(CatalogueEntry {
            id: r.get(0)?,
            sku: r.get(1)?,
            name: r.get(2)?,
            category: r.get(3)?,
        })
    };
    let mut skus: HashMap<String, Option<CatalogueEntry>> = HashMap::new();
    let at_row = |i: usize| {
        if batch {
            format!(" (row {i})")
        } else {
            String::new()
        }
    };

    let mut ids = Vec::with_capacity(len_hint);
    for (i, p) in rows.enumerate() {
        let p = p?;
        let res = insert.execute(params![
            p.customer_id,
            p.external_id,
            p.purchased_at.unwrap_or(now).as_micros(),
            p.amount.minor,
            p.amount.currency.as_str(),
            p.status.as_str(),
            now.as_micros(),
        ]);
        match res {
            Ok(_) => {}
            Err(e) if is_foreign_key_violation(&e) => {
                return Err(Error::NotFound {
                    entity: "customer",
                    key: format!("id {}{}", p.customer_id, at_row(i)),
                });
            }
            Err(e) if is_unique_violation(&e) => {
                let err = Error::AlreadyExists {
                    entity: "purchase",
                    field: "external_id".into(),
                    value: p.external_id.clone().unwrap_or_default(),
                };
                return Err(if batch { err.in_row(i) } else { err });
            }
            Err(e) => return Err(e.into()),
        }
        let id = conn.last_insert_rowid();
        for (k, item) in p.items.iter().enumerate() {
            let line = k as i64 + 1;
            let product = match (item.product_id, &item.sku) {
                (Some(pid), _) => {
                    Some(by_id.query_row([pid], entry).optional()?.ok_or_else(|| {
                        Error::NotFound {
                            entity: "product",
                            key: format!("id {pid} (line {line}{})", at_row(i)),
                        }
                    })?)
                }
                (None, Some(sku)) => match skus.get(sku) {
                    Some(hit) => hit.clone(),
                    None => {
                        let hit = by_sku.query_row([sku], entry).optional()?;
                        skus.insert(sku.clone(), hit.clone());
                        hit
                    }
                },
                (None, None) => None,
            };
            let name = item
                .name
                .clone()
                .or_else(|| product.as_ref().map(|p| p.name.clone()))
                .ok_or_else(|| {
                    let sku = item.sku.clone().unwrap_or_default();
                    let e = Error::invalid(
                        format!("line {line}: sku"),
                        sku,
                        "is not in the catalogue; give the line a name",
                    );
                    if batch { e.in_row(i) } else { e }
                })?;
            let category = item
                .category
                .clone()
                .or_else(|| product.as_ref().and_then(|p| p.category.clone()));
            let sku = item
                .sku
                .clone()
                .or_else(|| product.as_ref().map(|p| p.sku.clone()));
            insert_item.execute(params![
                id,
                line,
                product.as_ref().map(|p| p.id),
                sku,
                name,
                category,
                item.quantity,
                item.unit_price
            ])?;
        }
        ids.push(id);
    }
    Ok(ids)
}

fn items_of(conn: &Connection, purchase_id: i64) -> Result<Vec<LineItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT line, product_id, sku, name, category, quantity, unit_price FROM purchase_items \
         WHERE purchase_id = ?1 ORDER BY line",
    )?;
    let rows = stmt.query_map([purchase_id], |r| {
        Ok(LineItem {
            line: r.get(0)?,
            product_id: r.get(1)?,
            sku: r.get(2)?,
            name: r.get(3)?,
            category: r.get(4)?,
            quantity: r.get(5)?,
            unit_price: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The purchase with this id, with its lines.
pub(crate) fn get(conn: &Connection, id: i64) -> Result<Purchase> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE p.id = ?1"))?;
    let mut p = stmt
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "purchase",
            key: format!("id {id}"),
        })?;
    p.items = items_of(conn, id)?;
    Ok(p)
}

/// Moves purchase `id` to `status` (completed → refunded or cancelled).
pub(crate) fn set_status(conn: &Connection, id: i64, status: PurchaseStatus) -> Result<Purchase> {
    let current = get(conn, id)?;
    current.status.check_transition(status)?;
    conn.execute(
        "UPDATE purchases SET status = ?1 WHERE id = ?2",
        params![status.as_str(), id],
    )?;
    Ok(Purchase { status, ..current })
}

/// `WHERE … ORDER BY … LIMIT …` for `query`, its parameters, and the order list alone.
fn select_where(query: &Query, zone: Tz) -> Result<(String, super::filter_sql::Compiled, String)> {
    let e = entity();
    let filter = e.compile(&query.filter, zone)?;
    let order = e.order_by(&query.order_by)?;
    Ok((
        format!(
            "WHERE {} ORDER BY {order} {}",
            filter.sql,
            limit_clause(query)
        ),
        filter,
        order,
    ))
}

/// Purchases matching `query`, with their lines.
pub(crate) fn find(conn: &Connection, query: &Query, zone: Tz) -> Result<Vec<Purchase>> {
    let (tail, filter, _) = select_where(query, zone)?;
    let mut stmt = conn.prepare(&format!("{SELECT} {tail}"))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(filter.params.iter()), from_row)?;
    let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    for p in &mut out {
        p.items = items_of(conn, p.id)?;
    }
    Ok(out)
}

/// Purchases matching `query` as columns (no lines).
pub(crate) fn find_columns(conn: &Connection, query: &Query, zone: Tz) -> Result<PurchaseColumns> {
    let (tail, filter, _) = select_where(query, zone)?;
    let mut stmt = conn.prepare(&format!("{SELECT} {tail}"))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(filter.params.iter()))?;
    let mut cols = PurchaseColumns::default();
    while let Some(r) = rows.next()? {
        let p = from_row(r)?;
        cols.id.push(p.id);
        cols.customer_id.push(p.customer_id);
        cols.external_id.push(p.external_id);
        cols.purchased_at.push(p.purchased_at);
        cols.amount.push(p.amount.minor);
        cols.currency.push(p.amount.currency);
        cols.status.push(p.status);
    }
    Ok(cols)
}

/// The lines of the purchases matching `query`, as columns, in purchase order then line order.
pub(crate) fn line_item_columns(
    conn: &Connection,
    query: &Query,
    zone: Tz,
) -> Result<LineItemColumns> {
    let (tail, filter, order) = select_where(query, zone)?;
    let sql = format!(
        "WITH sel AS (SELECT p.id, p.customer_id, p.purchased_at, row_number() OVER (ORDER BY {order}) AS n \
         FROM purchases p {tail}) \
         SELECT i.purchase_id, sel.customer_id, sel.purchased_at, i.line, i.product_id, i.sku, i.name, i.category, \
                i.quantity, i.unit_price \
         FROM sel JOIN purchase_items i ON i.purchase_id = sel.id ORDER BY sel.n, i.line"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(filter.params.iter()))?;
    let mut cols = LineItemColumns::default();
    while let Some(r) = rows.next()? {
        cols.purchase_id.push(r.get(0)?);
        cols.customer_id.push(r.get(1)?);
        cols.purchased_at.push(Timestamp::from_micros(r.get(2)?));
        cols.line.push(r.get(3)?);
        cols.product_id.push(r.get(4)?);
        cols.sku.push(r.get(5)?);
        cols.name.push(r.get(6)?);
        cols.category.push(r.get(7)?);
        cols.quantity.push(r.get(8)?);
        cols.unit_price.push(r.get(9)?);
    }
    Ok(cols)
}

/// How many purchases match `filter`.
pub(crate) fn count(conn: &Connection, filter: &Filter, zone: Tz) -> Result<i64> {
    let compiled = entity().compile(filter, zone)?;
    let sql = format!("SELECT count(*) FROM purchases p WHERE {}", compiled.sql);
    Ok(conn.query_row(
        &sql,
        rusqlite::params_from_iter(compiled.params.iter()),
        |r| r.get(0),
    )?)
}
