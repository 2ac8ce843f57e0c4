//! Market-basket analysis over the store's purchases: each completed purchase is a basket of the
//! catalogue products on its lines. The mining itself is [`crate::analytics`]; this handle reads
//! the baskets and labels the results with products.
//!
//! ```
//! use crm_core::{Crm, Money, NewCustomer, NewLineItem, NewProduct, NewPurchase};
//! use crm_core::baskets::{BasketOptions, RecommendOptions};
//! use crm_core::analytics::itemsets::Algorithm;
//! # fn main() -> crm_core::Result<()> {
//! let crm = Crm::open_in_memory()?;
//! for sku in ["TEA", "CUP", "POT"] {
//!     crm.products().add(NewProduct::new(sku, sku.to_lowercase()))?;
//! }
//! let ada = crm.customers().add(NewCustomer::new("Ada"))?.id;
//! for basket in [&["TEA", "CUP"][..], &["TEA", "CUP"], &["TEA", "POT"], &["TEA"]] {
//!     let mut p = NewPurchase::new(ada, Money::new(100, "EUR")?);
//!     for sku in basket {
//!         p = p.item(NewLineItem::sku(*sku, 1, 50));
//!     }
//!     crm.purchases().add(p)?;
//! }
//! let found = crm.baskets().frequent_itemsets(0.5, None, Algorithm::FpGrowth, &BasketOptions::default())?;
//! assert_eq!(found.itemsets.len(), 3); // {TEA}, {CUP}, {TEA, CUP}
//! # Ok(())
//! # }
//! ```

use crate::analytics::baskets::{Itemsets, Transactions};
use crate::analytics::itemsets::{Algorithm, frequent_itemsets};
use crate::analytics::recommend::recommend;
use crate::analytics::rules::{Metric, Rule, association_rules};
use crate::crm::Crm;
use crate::error::{Error, Result};
use crate::model::product::Product;
use crate::store::{baskets as store, customers as customer_store, products as product_store};
use crate::time::Timestamp;

/// Which purchases make the baskets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BasketOptions {
    /// Only purchases made at or after this instant.
    pub since: Option<Timestamp>,
    /// Only purchases made before this instant.
    pub until: Option<Timestamp>,
    /// Only lines of this product category.
    pub category: Option<String>,
}

/// Frequent itemsets of products: item code `i` of [`Itemsets`] is `products[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductItemsets {
    /// The itemsets, in item codes.
    pub itemsets: Itemsets,
    /// The product of each item code.
    pub products: Vec<Product>,
}

/// Association rules between products: item codes in the rules index `products`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRules {
    /// The rules, in item codes.
    pub rules: Vec<Rule>,
    /// The product of each item code.
    pub products: Vec<Product>,
}

/// How [`Baskets::recommend`] finds its suggestions.
#[derive(Debug, Clone, PartialEq)]
pub struct RecommendOptions {
    /// Minimum support of the itemsets the rules come from (default 0.01).
    pub min_support: f64,
    /// Longest itemset mined (default 3: rules with up to two products on the left).
    pub max_len: Option<usize>,
    /// Minimum confidence of a rule (default 0.1).
    pub min_confidence: f64,
    /// The rule metric that ranks suggestions (default lift).
    pub metric: Metric,
    /// Fill up with the most frequently bought products the customer lacks when the rules
    /// suggest fewer than asked (default true).
    pub fill_with_popular: bool,
    /// Which purchases make the baskets.
    pub baskets: BasketOptions,
}

impl Default for RecommendOptions {
    fn default() -> RecommendOptions {
        RecommendOptions {
            min_support: 0.01,
            max_len: Some(3),
            min_confidence: 0.1,
            metric: Metric::Lift,
            fill_with_popular: true,
            baskets: BasketOptions::default(),
        }
    }
}

/// A product suggested for a customer.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRecommendation {
    /// The product.
    pub product: Product,
    /// Its score: the best value of the chosen metric over the rules that suggest it, or its
    /// support when it fills up as a popular product.
    pub score: f64,
    /// The products (ids) the customer has that led to it; empty for a popular fill-up.
    pub because_of: Vec<i64>,
}

/// Market-basket analysis on one handle.
#[derive(Debug, Clone, Copy)]
pub struct Baskets<'a> {
    crm: &'a Crm,
}

impl<'a> Baskets<'a> {
    pub(crate) fn new(crm: &'a Crm) -> Baskets<'a> {
        Baskets { crm }
    }

    /// The baskets (completed purchases' catalogue products) and the product id of each item
    /// code. Lines without a catalogue product are left out.
    pub fn transactions(&self, options: &BasketOptions) -> Result<(Transactions, Vec<i64>)> {
        let category = options.category.as_deref().map(str::trim);
        let (baskets, products) = store::lines(
            &self.crm.store().conn,
            options.since,
            options.until,
            category,
        )?;
        Transactions::from_long_labels(&baskets, &products)
    }

    fn products(&self, ids: &[i64]) -> Result<Vec<Product>> {
        let conn = &self.crm.store().conn;
        ids.iter().map(|&id| product_store::get(conn, id)).collect()
    }

    /// Frequent itemsets of products bought together (`INVALID_INPUT` for a support outside
    /// (0, 1], `max_len` 0, or no baskets).
    pub fn frequent_itemsets(
        &self,
        min_support: f64,
        max_len: Option<usize>,
        algorithm: Algorithm,
        options: &BasketOptions,
    ) -> Result<ProductItemsets> {
        let (t, ids) = self.transactions(options)?;
        let itemsets = frequent_itemsets(&t, min_support, max_len, algorithm)?;
        Ok(ProductItemsets {
            itemsets,
            products: self.products(&ids)?,
        })
    }

    /// Association rules between products: itemsets at `min_support` (up to `max_len` items),
    /// then rules whose `metric` is at least `min_threshold`.
    pub fn rules(
        &self,
        min_support: f64,
        max_len: Option<usize>,
        metric: Metric,
        min_threshold: f64,
        options: &BasketOptions,
    ) -> Result<ProductRules> {
        let (t, ids) = self.transactions(options)?;
        let itemsets = frequent_itemsets(&t, min_support, max_len, Algorithm::FpGrowth)?;
        let rules = association_rules(&itemsets, None, metric, min_threshold, false)?;
        Ok(ProductRules {
            rules,
            products: self.products(&ids)?,
        })
    }

    /// Up to `n` products for `customer_id`, by the rules mined from every basket whose left side
    /// the customer has bought, best `metric` first, never one they already bought; filled up
    /// with popular products when asked. `NOT_FOUND` for an unknown customer.
    pub fn recommend(
        &self,
        customer_id: i64,
        n: usize,
        options: &RecommendOptions,
    ) -> Result<Vec<ProductRecommendation>> {
        let conn = &self.crm.store().conn;
        customer_store::get(conn, customer_id)?;
        if !(options.min_confidence >= 0.0 && options.min_confidence <= 1.0) {
            return Err(Error::invalid(
                "min_confidence",
                options.min_confidence.to_string(),
                "must be in [0, 1]",
            ));
        }
        // Checked here too, so a bad option is refused even when there is nothing to mine.
        crate::analytics::baskets::min_count(options.min_support, options.max_len, 1)?;
        let (t, ids) = self.transactions(&options.baskets)?;
        if t.is_empty() || n == 0 {
            return Ok(Vec::new());
        }
        let itemsets = frequent_itemsets(
            &t,
            options.min_support,
            options.max_len,
            Algorithm::FpGrowth,
        )?;
        let rules = association_rules(
            &itemsets,
            None,
            Metric::Confidence,
            options.min_confidence,
            false,
        )?;
        let owned_ids = store::customer_products(conn, customer_id)?;
        let basket: Vec<u32> = ids
            .iter()
            .enumerate()
            .filter(|(_, id)| owned_ids.binary_search(id).is_ok())
            .map(|(code, _)| code as u32)
            .collect();
        let mut out = Vec::new();
        for r in recommend(&rules, &basket, n, options.metric) {
            let code = r.item as usize;
            out.push(ProductRecommendation {
                product: product_store::get(conn, ids[code])?,
                score: r.score,
                because_of: rules[r.rule]
                    .antecedent
                    .iter()
                    .map(|&c| ids[c as usize])
                    .collect(),
            });
        }
        if options.fill_with_popular && out.len() < n {
            // Single items in descending support (ties: lower code first).
            let mut singles: Vec<(u32, f64)> = itemsets
                .itemsets
                .iter()
                .zip(&itemsets.support)
                .filter(|(s, _)| s.len() == 1)
                .map(|(s, &sup)| (s[0], sup))
                .collect();
            singles.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for (code, support) in singles {
                if out.len() >= n {
                    break;
                }
                let id = ids[code as usize];
                if owned_ids.binary_search(&id).is_ok() || out.iter().any(|r| r.product.id == id) {
                    continue;
                }
                out.push(ProductRecommendation {
                    product: product_store::get(conn, id)?,
                    score: support,
                    because_of: Vec::new(),
                });
            }
        }
        Ok(out)
    }
}
