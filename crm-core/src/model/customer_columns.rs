//! Columnar shapes of customers, for batch work: one vector per field instead of one struct per
//! row. The C and Python faces fill and read these directly.

use std::collections::BTreeMap;

use super::customer::{Customer, LifecycleStage, NewCustomer, Source};
use super::filter::Value;
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// Customers to create, as columns. `name` is required and sets the row count; every other column
/// is either empty (absent for all rows) or exactly as long as `name`. Within a column, `None`
/// means absent for that row. Stages and sources are their text names. Tags are a list per row;
/// [`split_tag_list`] turns the comma-separated text form (`"vip, newsletter"`) into one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewCustomerColumns {
    /// External ids.
    pub external_id: Vec<Option<String>>,
    /// Names (required for every row).
    pub name: Vec<Option<String>>,
    /// E-mail addresses.
    pub email: Vec<Option<String>>,
    /// Phone numbers.
    pub phone: Vec<Option<String>>,
    /// Companies.
    pub company: Vec<Option<String>>,
    /// Stage names (`lead` when absent).
    pub stage: Vec<Option<String>>,
    /// Source names (`other` when absent).
    pub source: Vec<Option<String>>,
    /// Tags of each row (validated and normalised on insert, like [`NewCustomer::tags`]).
    pub tags: Vec<Option<Vec<String>>>,
    /// Creation times (the handle's clock when absent).
    pub created_at: Vec<Option<Timestamp>>,
    /// Custom field columns by field name; `Value::Null` is absent for that row.
    pub custom: BTreeMap<String, Vec<Value>>,
}

impl NewCustomerColumns {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.name.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }

    /// Checks the column lengths and turns the columns into rows (not yet normalised).
    pub fn into_rows(self) -> Result<Vec<NewCustomer>> {
        let n = self.len();
        let check = |col: &str, len: usize| {
            if len == 0 || len == n {
                Ok(())
            } else {
                Err(Error::InvalidArgument(format!(
                    "column {col} has {len} values, name has {n}"
                )))
            }
        };
        check("external_id", self.external_id.len())?;
        check("email", self.email.len())?;
        check("phone", self.phone.len())?;
        check("company", self.company.len())?;
        check("stage", self.stage.len())?;
        check("source", self.source.len())?;
        check("tags", self.tags.len())?;
        check("created_at", self.created_at.len())?;
        for (name, col) in &self.custom {
            if col.len() != n {
                return Err(Error::InvalidArgument(format!(
                    "column {name} has {} values, name has {n}",
                    col.len()
                )));
            }
        }
        let mut custom: Vec<(String, std::vec::IntoIter<Value>)> = self
            .custom
            .into_iter()
            .map(|(k, v)| (k, v.into_iter()))
            .collect();

        fn take<T>(col: Vec<Option<T>>, n: usize) -> impl Iterator<Item = Option<T>> {
            let filler = if col.is_empty() { n } else { 0 };
            col.into_iter()
                .chain(std::iter::repeat_with(|| None).take(filler))
        }
        let mut ext = take(self.external_id, n);
        let mut email = take(self.email, n);
        let mut phone = take(self.phone, n);
        let mut company = take(self.company, n);
        let mut stage = take(self.stage, n);
        let mut source = take(self.source, n);
        let mut tags = take(self.tags, n);
        let mut created = take(self.created_at, n);

        let mut rows = Vec::with_capacity(n);
        for (i, name) in self.name.into_iter().enumerate() {
            let row = || -> Result<NewCustomer> {
                Ok(NewCustomer {
                    external_id: ext.next().flatten(),
                    name: name.ok_or_else(|| Error::invalid("name", "", "must not be empty"))?,
                    email: email.next().flatten(),
                    phone: phone.next().flatten(),
                    company: company.next().flatten(),
                    stage: match stage.next().flatten() {
                        Some(s) if !s.trim().is_empty() => s.parse::<LifecycleStage>()?,
                        _ => LifecycleStage::default(),
                    },
                    source: match source.next().flatten() {
                        Some(s) if !s.trim().is_empty() => s.parse::<Source>()?,
                        _ => Source::default(),
                    },
                    tags: tags.next().flatten().unwrap_or_default(),
                    created_at: created.next().flatten(),
                    custom: custom
                        .iter_mut()
                        .filter_map(|(k, it)| match it.next() {
                            Some(Value::Null) | None => None,
                            Some(v) => Some((k.clone(), v)),
                        })
                        .collect(),
                })
            };
            rows.push(row().map_err(|e| e.in_row(i))?);
        }
        Ok(rows)
    }
}

/// Splits the comma-separated text form of a tag list (`"vip, newsletter"`, the form C callers
/// and CSV files use) into tags; blank parts are dropped. Validation happens on insert.
pub fn split_tag_list(joined: &str) -> Vec<String> {
    joined
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Customers as columns (the shape of a data frame).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerColumns {
    /// Ids.
    pub id: Vec<i64>,
    /// External ids.
    pub external_id: Vec<Option<String>>,
    /// Names.
    pub name: Vec<String>,
    /// E-mail addresses.
    pub email: Vec<Option<String>>,
    /// Phone numbers.
    pub phone: Vec<Option<String>>,
    /// Companies.
    pub company: Vec<Option<String>>,
    /// Stages.
    pub stage: Vec<LifecycleStage>,
    /// Sources.
    pub source: Vec<Source>,
    /// Tags.
    pub tags: Vec<Vec<String>>,
    /// Creation times.
    pub created_at: Vec<Timestamp>,
    /// Last-change times.
    pub updated_at: Vec<Timestamp>,
    /// Versions.
    pub version: Vec<i64>,
}

impl CustomerColumns {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }
}

impl FromIterator<Customer> for CustomerColumns {
    fn from_iter<I: IntoIterator<Item = Customer>>(iter: I) -> CustomerColumns {
        let mut cols = CustomerColumns::default();
        for c in iter {
            cols.id.push(c.id);
            cols.external_id.push(c.external_id);
            cols.name.push(c.name);
            cols.email.push(c.email);
            cols.phone.push(c.phone);
            cols.company.push(c.company);
            cols.stage.push(c.stage);
            cols.source.push(c.source);
            cols.tags.push(c.tags);
            cols.created_at.push(c.created_at);
            cols.updated_at.push(c.updated_at);
            cols.version.push(c.version);
        }
        cols
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_become_rows() {
        let cols = NewCustomerColumns {
            name: vec![Some("A".into()), Some("B".into())],
            stage: vec![Some("Customer".into()), None],
            tags: vec![None, Some(split_tag_list("x, y,"))],
            ..Default::default()
        };
        let rows = cols.into_rows().unwrap();
        assert_eq!(rows[0].stage, LifecycleStage::Customer);
        assert_eq!(rows[1].stage, LifecycleStage::Lead);
        assert_eq!(rows[1].tags, ["x", "y"]);
        assert!(split_tag_list(" , ").is_empty());
        assert_eq!(rows[1].source, Source::Other);
    }

    #[test]
    fn bad_columns_are_refused_with_the_row() {
        let short = NewCustomerColumns {
            name: vec![Some("A".into())],
            email: vec![None, None],
            ..Default::default()
        };
        assert_eq!(
            short.into_rows().unwrap_err().code(),
            crate::ErrorCode::InvalidArgument
        );
        let bad = NewCustomerColumns {
            name: vec![Some("A".into()), Some("B".into())],
            source: vec![None, Some("tv".into())],
            ..Default::default()
        };
        let e = bad.into_rows().unwrap_err();
        assert!(e.to_string().contains("row 1: source"), "{e}");
        let missing = NewCustomerColumns {
            name: vec![None],
            ..Default::default()
        };
        assert!(
            missing
                .into_rows()
                .unwrap_err()
                .to_string()
                .contains("row 0: name")
        );
    }
}
