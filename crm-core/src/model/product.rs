//! Products: the small catalogue that gives purchase line items (and so market baskets) names.

use serde::{Deserialize, Serialize};

use super::field::{FieldSpec, FieldType};
use super::money::Money;
use super::text::required_text;
use crate::error::Result;
use crate::time::Timestamp;

/// A product as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The store's id.
    pub id: i64,
    /// Stock-keeping unit: the product's unique key.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Category (for category-level baskets and features).
    pub category: Option<String>,
    /// List price, exact.
    pub price: Option<Money>,
    /// When the product was created.
    pub created_at: Timestamp,
}

/// A product to create.
///
/// ```
/// use crm_core::{Money, NewProduct};
/// let p = NewProduct::new("TEA-01", "Green tea").category("tea").price(Money::new(1250, "EUR").unwrap());
/// assert_eq!(p.sku, "TEA-01");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProduct {
    /// Unique key (required).
    pub sku: String,
    /// Display name (required).
    pub name: String,
    /// Category.
    pub category: Option<String>,
    /// List price.
    pub price: Option<Money>,
}

impl NewProduct {
    /// A product with this sku and name.
    pub fn new(sku: impl Into<String>, name: impl Into<String>) -> NewProduct {
        NewProduct {
            sku: sku.into(),
            name: name.into(),
            ..NewProduct::default()
        }
    }
    /// Sets the category.
    pub fn category(mut self, v: impl Into<String>) -> Self {
        self.category = Some(v.into());
        self
    }
    /// Sets the list price.
    pub fn price(mut self, v: Money) -> Self {
        self.price = Some(v);
        self
    }

    /// Validates and normalises in place (trimmed text; a negative price is refused).
    pub fn normalize(&mut self) -> Result<()> {
        self.sku = required_text("sku", &self.sku)?;
        self.name = required_text("name", &self.name)?;
        self.category = match self.category.as_deref().map(str::trim) {
            Some(c) if !c.is_empty() => Some(required_text("category", c)?),
            _ => None,
        };
        if let Some(p) = self.price {
            p.require_non_negative("price")?;
        }
        Ok(())
    }
}

impl crate::model::audit::Audited for Product {
    fn audit_values(&self) -> crate::model::audit::AuditValues {
        use serde_json::Value as Json;
        vec![
            ("sku", Json::from(self.sku.clone()), false),
            ("name", Json::from(self.name.clone()), false),
            (
                "category",
                self.category.clone().map_or(Json::Null, Json::String),
                false,
            ),
            (
                "price",
                self.price.map_or(Json::Null, |m| Json::from(m.minor)),
                false,
            ),
            (
                "currency",
                self.price
                    .map_or(Json::Null, |m| Json::from(m.currency.as_str())),
                false,
            ),
        ]
    }
}

/// The product fields filters and sort orders may name.
pub const PRODUCT_FIELDS: &[FieldSpec] = &[
    FieldSpec::builtin("id", FieldType::Integer),
    FieldSpec::builtin("sku", FieldType::Text),
    FieldSpec::builtin("name", FieldType::Text),
    FieldSpec::builtin("category", FieldType::Text),
    FieldSpec::builtin("price", FieldType::Integer),
    FieldSpec::builtin("currency", FieldType::Text),
    FieldSpec::builtin("created_at", FieldType::Timestamp),
];
