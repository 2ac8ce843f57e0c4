//! Purchases (orders) and their line items: the rows that feed RFM, lifetime value and market
//! baskets. Row shapes for application work, column shapes for data work.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::field::{FieldSpec, FieldType};
use super::money::{Currency, Money};
use super::text::required_text;
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// Where a purchase stands. `completed` purchases count in analytics; a completed purchase may be
/// refunded or cancelled, and those two are final.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseStatus {
    /// Paid and delivered (the default).
    #[default]
    Completed,
    /// Money returned.
    Refunded,
    /// Called off.
    Cancelled,
}

vocabulary!(PurchaseStatus, "status", [Completed => "completed", Refunded => "refunded", Cancelled => "cancelled"]);

impl PurchaseStatus {
    /// Checks the move from `self` to `to`: only `completed → refunded | cancelled` (and staying
    /// put) are allowed.
    pub fn check_transition(self, to: PurchaseStatus) -> Result<()> {
        use PurchaseStatus::*;
        match (self, to) {
            (a, b) if a == b => Ok(()),
            (Completed, Refunded | Cancelled) => Ok(()),
            (from, to) => Err(Error::IllegalTransition {
                entity: "purchase",
                from: from.as_str().into(),
                to: to.as_str().into(),
            }),
        }
    }
}

/// One line of a purchase as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    /// Position in the purchase, from 1.
    pub line: i64,
    /// The catalogue product, when the line names one that exists.
    pub product_id: Option<i64>,
    /// The product's sku as given.
    pub sku: Option<String>,
    /// Product name (from the catalogue when not given).
    pub name: String,
    /// Category (from the catalogue when not given).
    pub category: Option<String>,
    /// Units bought (> 0).
    pub quantity: i64,
    /// Price of one unit in the purchase's currency, minor units (≥ 0).
    pub unit_price: i64,
}

/// A line to record. Name a product by `product_id` or `sku` (name and category then default to
/// the catalogue's), or give at least a `name`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLineItem {
    /// A product id from the catalogue (must exist).
    pub product_id: Option<i64>,
    /// A sku; linked to the catalogue product with that sku when there is one.
    pub sku: Option<String>,
    /// Product name.
    pub name: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Units bought (> 0).
    pub quantity: i64,
    /// Price of one unit, minor units (≥ 0).
    pub unit_price: i64,
}

impl NewLineItem {
    /// `quantity` units of the product with this sku at `unit_price` minor units each.
    pub fn sku(sku: impl Into<String>, quantity: i64, unit_price: i64) -> NewLineItem {
        NewLineItem {
            sku: Some(sku.into()),
            quantity,
            unit_price,
            ..NewLineItem::default()
        }
    }

    /// Validates the line (numbers, text); the product reference is checked by the store.
    pub fn normalize(&mut self) -> Result<()> {
        if self.quantity <= 0 {
            return Err(Error::invalid(
                "quantity",
                self.quantity.to_string(),
                "must be greater than 0",
            ));
        }
        if self.unit_price < 0 {
            return Err(Error::invalid(
                "unit_price",
                self.unit_price.to_string(),
                "must not be negative",
            ));
        }
        for (field, v) in [
            ("sku", &mut self.sku),
            ("name", &mut self.name),
            ("category", &mut self.category),
        ] {
            *v = match v.as_deref().map(str::trim) {
                Some(t) if !t.is_empty() => Some(required_text(field, t)?),
                _ => None,
            };
        }
        if self.product_id.is_none() && self.sku.is_none() && self.name.is_none() {
            return Err(Error::invalid(
                "line item",
                "",
                "needs a product_id, a sku or a name",
            ));
        }
        Ok(())
    }
}

/// A purchase as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    /// The store's id.
    pub id: i64,
    /// Who bought.
    pub customer_id: i64,
    /// The order number in another system; unique when present.
    pub external_id: Option<String>,
    /// When the purchase was made.
    pub purchased_at: Timestamp,
    /// Total paid, exact (≥ 0). Need not equal the sum of the lines (shipping, tax, discounts).
    pub amount: Money,
    /// Completed, refunded or cancelled.
    pub status: PurchaseStatus,
    /// The lines, in order.
    pub items: Vec<LineItem>,
    /// When it was recorded.
    pub created_at: Timestamp,
}

/// A purchase to record.
///
/// ```
/// use crm_core::{Money, NewLineItem, NewPurchase};
/// let p = NewPurchase::new(7, Money::new(2500, "EUR").unwrap()).item(NewLineItem::sku("TEA-01", 2, 1250));
/// assert_eq!(p.items.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPurchase {
    /// Who bought (must exist).
    pub customer_id: i64,
    /// Order number in another system (unique).
    pub external_id: Option<String>,
    /// When; `None` means the handle's clock.
    pub purchased_at: Option<Timestamp>,
    /// Total paid (≥ 0).
    pub amount: Money,
    /// Status (default completed).
    pub status: PurchaseStatus,
    /// Lines.
    pub items: Vec<NewLineItem>,
}

impl NewPurchase {
    /// A completed purchase by `customer_id` of `amount`, now.
    pub fn new(customer_id: i64, amount: Money) -> NewPurchase {
        NewPurchase {
            customer_id,
            external_id: None,
            purchased_at: None,
            amount,
            status: PurchaseStatus::default(),
            items: Vec::new(),
        }
    }
    /// Sets when it happened.
    pub fn at(mut self, t: Timestamp) -> Self {
        self.purchased_at = Some(t);
        self
    }
    /// Sets the order number.
    pub fn external_id(mut self, v: impl Into<String>) -> Self {
        self.external_id = Some(v.into());
        self
    }
    /// Sets the status.
    pub fn status(mut self, v: PurchaseStatus) -> Self {
        self.status = v;
        self
    }
    /// Adds a line.
    pub fn item(mut self, item: NewLineItem) -> Self {
        self.items.push(item);
        self
    }

    /// Validates every field and line in place.
    pub fn normalize(&mut self) -> Result<()> {
        self.amount.require_non_negative("amount")?;
        self.external_id = match self.external_id.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => Some(required_text("external_id", t)?),
            _ => None,
        };
        if let Some(t) = self.purchased_at
            && !t.is_supported()
        {
            return Err(Error::invalid(
                "purchased_at",
                t.as_micros().to_string(),
                "must be between 0001-01-01 and 9999-12-31",
            ));
        }
        for (i, item) in self.items.iter_mut().enumerate() {
            item.normalize().map_err(|e| match e {
                Error::InvalidInput { field, value, rule } => Error::InvalidInput {
                    field: format!("line {}: {field}", i + 1),
                    value,
                    rule,
                },
                other => other,
            })?;
        }
        Ok(())
    }
}

impl crate::model::audit::Audited for Purchase {
    fn audit_values(&self) -> crate::model::audit::AuditValues {
        use serde_json::Value as Json;
        vec![
            ("customer_id", Json::from(self.customer_id), false),
            (
                "external_id",
                self.external_id.clone().map_or(Json::Null, Json::String),
                false,
            ),
            (
                "purchased_at",
                Json::from(self.purchased_at.as_micros()),
                false,
            ),
            ("amount", Json::from(self.amount.minor), false),
            ("currency", Json::from(self.amount.currency.as_str()), false),
            ("status", Json::from(self.status.as_str()), false),
            ("lines", Json::from(self.items.len()), false),
        ]
    }
}

/// Purchases to record, as columns: every purchase column has one entry per purchase (`status` and
/// `external_id` may be empty: all completed, none). Line items are a second table whose
/// `purchase_row` says which purchase (0-based row of the purchase columns) each line belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPurchaseColumns {
    /// Buyers.
    pub customer_id: Vec<i64>,
    /// Times (`None`: the handle's clock).
    pub purchased_at: Vec<Option<Timestamp>>,
    /// Totals, minor units.
    pub amount: Vec<i64>,
    /// Currencies, one per purchase.
    pub currency: Vec<Currency>,
    /// Statuses (empty: all completed).
    pub status: Vec<PurchaseStatus>,
    /// Order numbers (empty: none).
    pub external_id: Vec<Option<String>>,
    /// Which purchase each line belongs to (0-based row).
    pub item_purchase_row: Vec<usize>,
    /// Line product ids.
    pub item_product_id: Vec<Option<i64>>,
    /// Line skus.
    pub item_sku: Vec<Option<String>>,
    /// Line names.
    pub item_name: Vec<Option<String>>,
    /// Line categories.
    pub item_category: Vec<Option<String>>,
    /// Line quantities.
    pub item_quantity: Vec<i64>,
    /// Line unit prices, minor units.
    pub item_unit_price: Vec<i64>,
}

impl NewPurchaseColumns {
    /// The number of purchases.
    pub fn len(&self) -> usize {
        self.customer_id.len()
    }

    /// True when there are no purchases.
    pub fn is_empty(&self) -> bool {
        self.customer_id.is_empty()
    }

    /// Checks the lengths and row numbers, then yields the purchases one at a time (not yet
    /// normalised), each with its lines in input order.
    pub fn rows(self) -> Result<PurchaseRows> {
        let n = self.len();
        let must = |col: &str, len: usize, optional: bool| {
            if len == n || (optional && len == 0) {
                Ok(())
            } else {
                Err(Error::InvalidArgument(format!(
                    "column {col} has {len} values, customer_id has {n}"
                )))
            }
        };
        must("purchased_at", self.purchased_at.len(), true)?;
        must("amount", self.amount.len(), false)?;
        must("currency", self.currency.len(), false)?;
        must("status", self.status.len(), true)?;
        must("external_id", self.external_id.len(), true)?;
        let m = self.item_purchase_row.len();
        for (col, len, optional) in [
            ("item_product_id", self.item_product_id.len(), true),
            ("item_sku", self.item_sku.len(), true),
            ("item_name", self.item_name.len(), true),
            ("item_category", self.item_category.len(), true),
            ("item_quantity", self.item_quantity.len(), false),
            ("item_unit_price", self.item_unit_price.len(), false),
        ] {
            if !(len == m || (optional && len == 0)) {
                return Err(Error::InvalidArgument(format!(
                    "column {col} has {len} values, item_purchase_row has {m}"
                )));
            }
        }

        // Group the lines by purchase with a counting sort: two index arrays, no per-purchase
        // allocation, so that a 10,000,000-purchase batch can be streamed into the store.
        let mut offsets = vec![0usize; n + 1];
        for (j, &row) in self.item_purchase_row.iter().enumerate() {
            if row >= n {
                return Err(Error::InvalidArgument(format!(
                    "item {j}: purchase row {row} is out of range (there are {n} purchases)"
                )));
            }
            offsets[row + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut cursor = offsets.clone();
        let mut order = vec![0usize; m];
        for (j, &row) in self.item_purchase_row.iter().enumerate() {
            order[cursor[row]] = j;
            cursor[row] += 1;
        }
        Ok(PurchaseRows {
            cols: self,
            offsets,
            order,
            next: 0,
        })
    }

    /// Checks the lengths and turns the columns into purchases (not yet normalised). For large
    /// batches prefer [`rows`](Self::rows), which yields them one at a time.
    pub fn into_rows(self) -> Result<Vec<NewPurchase>> {
        Ok(self.rows()?.collect())
    }
}

/// The purchases of a [`NewPurchaseColumns`], one at a time, lines grouped (see
/// [`NewPurchaseColumns::rows`]).
#[derive(Debug)]
pub struct PurchaseRows {
    cols: NewPurchaseColumns,
    offsets: Vec<usize>,
    order: Vec<usize>,
    next: usize,
}

impl Iterator for PurchaseRows {
    type Item = NewPurchase;

    fn next(&mut self) -> Option<NewPurchase> {
        let i = self.next;
        if i >= self.cols.customer_id.len() {
            return None;
        }
        self.next += 1;
        let c = &mut self.cols;
        let items = self.order[self.offsets[i]..self.offsets[i + 1]]
            .iter()
            .map(|&j| NewLineItem {
                product_id: c.item_product_id.get(j).copied().flatten(),
                sku: c.item_sku.get_mut(j).and_then(Option::take),
                name: c.item_name.get_mut(j).and_then(Option::take),
                category: c.item_category.get_mut(j).and_then(Option::take),
                quantity: c.item_quantity[j],
                unit_price: c.item_unit_price[j],
            })
            .collect();
        Some(NewPurchase {
            customer_id: c.customer_id[i],
            external_id: c.external_id.get_mut(i).and_then(Option::take),
            purchased_at: c.purchased_at.get(i).copied().flatten(),
            amount: Money {
                minor: c.amount[i],
                currency: c.currency[i],
            },
            status: c.status.get(i).copied().unwrap_or_default(),
            items,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.cols.customer_id.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for PurchaseRows {}

/// Purchases as columns (the shape of a data frame), without their lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurchaseColumns {
    /// Ids.
    pub id: Vec<i64>,
    /// Buyers.
    pub customer_id: Vec<i64>,
    /// Order numbers.
    pub external_id: Vec<Option<String>>,
    /// Times.
    pub purchased_at: Vec<Timestamp>,
    /// Totals, minor units.
    pub amount: Vec<i64>,
    /// Currencies.
    pub currency: Vec<Currency>,
    /// Statuses.
    pub status: Vec<PurchaseStatus>,
}

/// Line items as columns, with their purchase's id, buyer and time (the long format baskets use).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineItemColumns {
    /// Purchase ids.
    pub purchase_id: Vec<i64>,
    /// Buyers.
    pub customer_id: Vec<i64>,
    /// Purchase times.
    pub purchased_at: Vec<Timestamp>,
    /// Line numbers.
    pub line: Vec<i64>,
    /// Catalogue product ids.
    pub product_id: Vec<Option<i64>>,
    /// Skus.
    pub sku: Vec<Option<String>>,
    /// Names.
    pub name: Vec<String>,
    /// Categories.
    pub category: Vec<Option<String>>,
    /// Quantities.
    pub quantity: Vec<i64>,
    /// Unit prices, minor units.
    pub unit_price: Vec<i64>,
}

/// The purchase fields filters and sort orders may name.
pub const PURCHASE_FIELDS: &[FieldSpec] = &[
    FieldSpec::builtin("id", FieldType::Integer),
    FieldSpec::builtin("customer_id", FieldType::Integer),
    FieldSpec::builtin("external_id", FieldType::Text),
    FieldSpec::builtin("purchased_at", FieldType::Timestamp),
    FieldSpec::builtin("amount", FieldType::Integer),
    FieldSpec::builtin("currency", FieldType::Text),
    FieldSpec::builtin("status", FieldType::Enum(PurchaseStatus::NAMES)),
    FieldSpec::builtin("created_at", FieldType::Timestamp),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_machine() {
        use PurchaseStatus::*;
        assert!(Completed.check_transition(Refunded).is_ok());
        assert!(Completed.check_transition(Cancelled).is_ok());
        let e = Refunded.check_transition(Completed).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::IllegalTransition);
        assert!(e.to_string().contains("refunded to completed"), "{e}");
        assert!(Cancelled.check_transition(Refunded).is_err());
    }

    #[test]
    fn lines_are_checked() {
        let eur = Money::new(100, "EUR").unwrap();
        let mut p = NewPurchase::new(1, eur)
            .item(NewLineItem::sku("A", 1, 100))
            .item(NewLineItem::sku("B", -2, 5));
        let e = p.normalize().unwrap_err();
        assert!(e.to_string().contains("line 2: quantity"), "{e}");
        let mut p = NewPurchase::new(1, eur).item(NewLineItem {
            quantity: 1,
            ..Default::default()
        });
        assert!(p.normalize().is_err(), "a line needs a product or a name");
        let mut p = NewPurchase::new(1, Money::new(-1, "EUR").unwrap());
        assert!(p.normalize().unwrap_err().to_string().contains("amount"));
    }

    #[test]
    fn columns_become_rows() {
        let eur: Currency = "EUR".parse().unwrap();
        let cols = NewPurchaseColumns {
            customer_id: vec![1, 2],
            amount: vec![100, 200],
            currency: vec![eur, eur],
            item_purchase_row: vec![1, 1, 0],
            item_sku: vec![Some("A".into()), Some("B".into()), Some("C".into())],
            item_quantity: vec![1, 2, 3],
            item_unit_price: vec![10, 20, 30],
            ..Default::default()
        };
        let rows = cols.into_rows().unwrap();
        assert_eq!(rows[0].items.len(), 1);
        assert_eq!(
            rows[1].items.iter().map(|i| i.quantity).collect::<Vec<_>>(),
            [1, 2]
        );
        let bad = NewPurchaseColumns {
            customer_id: vec![1],
            amount: vec![100],
            currency: vec![eur],
            item_purchase_row: vec![3],
            item_quantity: vec![1],
            item_unit_price: vec![1],
            ..Default::default()
        };
        assert_eq!(
            bad.into_rows().unwrap_err().code(),
            crate::ErrorCode::InvalidArgument
        );
    }
}
