//! A query: a filter plus sort order and paging.

use serde::{Deserialize, Serialize};

use super::filter::Filter;
use crate::error::{Error, Result};

/// One sort key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderBy {
    /// Field name.
    pub field: String,
    /// Largest first.
    pub descending: bool,
}

impl OrderBy {
    /// Ascending by `field`.
    pub fn asc(field: impl Into<String>) -> OrderBy {
        OrderBy {
            field: field.into(),
            descending: false,
        }
    }
    /// Descending by `field`.
    pub fn desc(field: impl Into<String>) -> OrderBy {
        OrderBy {
            field: field.into(),
            descending: true,
        }
    }

    /// Parses a comma-separated list of field names, each optionally prefixed by `-` for
    /// descending: `"-created_at,name"`. Blank text means "no order given".
    pub fn parse_list(text: &str) -> Result<Vec<OrderBy>> {
        let mut keys = Vec::new();
        for part in text.split(',') {
            let p = part.trim();
            if p.is_empty() {
                if text.trim().is_empty() {
                    continue;
                }
                return Err(Error::invalid("order_by", text, "has an empty sort key"));
            }
            let (field, descending) = match p.strip_prefix('-') {
                Some(f) => (f.trim(), true),
                None => (p.strip_prefix('+').unwrap_or(p).trim(), false),
            };
            if field.is_empty() {
                return Err(Error::invalid(
                    "order_by",
                    text,
                    "a '-' must be followed by a field name",
                ));
            }
            keys.push(OrderBy {
                field: field.to_owned(),
                descending,
            });
        }
        Ok(keys)
    }
}

/// Which records, in what order, which page. The default is every record by ascending id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// Which records.
    pub filter: Filter,
    /// Sort keys; the id breaks ties, so pages are stable.
    pub order_by: Vec<OrderBy>,
    /// At most this many records (`None`: all).
    pub limit: Option<u64>,
    /// Skip this many records first.
    pub offset: u64,
}

impl Query {
    /// Every record matching `filter`.
    pub fn new(filter: Filter) -> Query {
        Query {
            filter,
            ..Query::default()
        }
    }
    /// Adds a sort key.
    pub fn order_by(mut self, key: OrderBy) -> Query {
        self.order_by.push(key);
        self
    }
    /// Sets the page size.
    pub fn limit(mut self, n: u64) -> Query {
        self.limit = Some(n);
        self
    }
    /// Sets the number of records skipped.
    pub fn offset(mut self, n: u64) -> Query {
        self.offset = n;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_order_lists() {
        assert_eq!(
            OrderBy::parse_list("-created_at, name").unwrap(),
            vec![OrderBy::desc("created_at"), OrderBy::asc("name")]
        );
        assert!(OrderBy::parse_list("  ").unwrap().is_empty());
        assert!(OrderBy::parse_list("a,,b").is_err());
        assert!(OrderBy::parse_list("-").is_err());
    }
}
