//! Baskets from the store: the products on each completed purchase's lines.

use rusqlite::{Connection, params};

use crate::error::Result;
use crate::time::Timestamp;

/// `(purchase id, product id)` of every line of a completed purchase that names a catalogue
/// product, in purchase order; optionally only purchases made in `[since, until)` and lines of
/// one category.
pub(crate) fn lines(
    conn: &Connection,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
    category: Option<&str>,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.purchase_id, i.product_id FROM purchase_items i JOIN purchases p ON p.id = i.purchase_id \
         WHERE p.status = 'completed' AND i.product_id IS NOT NULL \
           AND (?1 IS NULL OR p.purchased_at >= ?1) AND (?2 IS NULL OR p.purchased_at < ?2) \
           AND (?3 IS NULL OR i.category = ?3) \
         ORDER BY i.purchase_id, i.line",
    )?;
    let mut rows = stmt.query(params![
        since.map(Timestamp::as_micros),
        until.map(Timestamp::as_micros),
        category
    ])?;
    let (mut baskets, mut products) = (Vec::new(), Vec::new());
    while let Some(r) = rows.next()? {
        baskets.push(r.get(0)?);
        products.push(r.get(1)?);
    }
    Ok((baskets, products))
}

/// The catalogue products a customer has bought (completed purchases), ascending.
pub(crate) fn customer_products(conn: &Connection, customer_id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT i.product_id FROM purchase_items i JOIN purchases p ON p.id = i.purchase_id \
         WHERE p.customer_id = ?1 AND p.status = 'completed' AND i.product_id IS NOT NULL \
         ORDER BY i.product_id",
    )?;
    let rows = stmt.query_map([customer_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
