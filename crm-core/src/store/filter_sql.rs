//! Compiles the model's [`Filter`] and [`OrderBy`] to SQL text with bound parameters.
//!
//! Field names are looked up in the entity's fixed field list and the SQL identifier comes from that
//! list; every literal becomes a `?` parameter. User text never reaches the SQL string.
//!
//! Null semantics: a comparison with an empty field is false, and `not` is two-valued, so `!=`,
//! `not in` and `not (…)` include records whose field is empty.

use std::fmt::Write;
use std::rc::Rc;

use chrono_tz::Tz;
use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, Value as SqlValue};

use crate::error::{Error, Result};
use crate::model::contact::{normalize_phone, normalize_tag};
use crate::model::field::{FieldSpec, FieldType};
use crate::model::filter::{CmpOp, Filter, Value};
use crate::model::query::OrderBy;
use crate::time::Timestamp;

/// Lists longer than this are bound as one array (`rarray`) instead of one parameter per item, so
/// `in` lists of any size stay within SQLite's parameter limit.
const INLINE_LIST_MAX: usize = 64;

/// A bound parameter: a value or a whole list.
pub(crate) enum SqlParam {
    Value(SqlValue),
    Array(Rc<Vec<SqlValue>>),
}

impl ToSql for SqlParam {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            SqlParam::Value(v) => v.to_sql(),
            SqlParam::Array(a) => a.to_sql(),
        }
    }
}

/// What the compiler needs to know about an entity.
pub(crate) struct EntitySql<'a> {
    /// Entity name for messages, e.g. `customers`.
    pub entity: &'static str,
    /// Alias of the entity's table in the query, e.g. `c`.
    pub alias: &'static str,
    /// Its filterable fields.
    pub fields: &'a [FieldSpec],
    /// `(table, foreign key column)` of its tag table, if it has tags.
    pub tags: Option<(&'static str, &'static str)>,
    /// Fields computed from other tables, with the SQL expression (over `alias`) of each.
    pub computed: Vec<(FieldSpec, String)>,
}

/// SQL text plus its parameters, in order.
pub(crate) struct Compiled {
    pub sql: String,
    pub params: Vec<SqlParam>,
}

impl EntitySql<'_> {
    fn field(&self, name: &str) -> Result<&FieldSpec> {
        let all = || {
            self.fields
                .iter()
                .chain(self.computed.iter().map(|(f, _)| f))
        };
        all().find(|f| f.name == name).ok_or_else(|| {
            let known: Vec<&str> = all().map(|f| f.name.as_ref()).collect();
            Error::invalid(
                "filter field",
                name,
                format!(
                    "{} has no such field (known: {})",
                    self.entity,
                    known.join(", ")
                ),
            )
        })
    }

    fn column(&self, f: &FieldSpec) -> String {
        match self.computed.iter().find(|(c, _)| c.name == f.name) {
            Some((_, sql)) => sql.clone(),
            None => format!("{}.{}", self.alias, f.name),
        }
    }

    /// Compiles `filter` to a boolean SQL expression.
    pub(crate) fn compile(&self, filter: &Filter, zone: Tz) -> Result<Compiled> {
        let mut out = Compiled {
            sql: String::new(),
            params: Vec::new(),
        };
        self.emit(filter, zone, &mut out, 1)?;
        Ok(out)
    }

    /// Compiles sort keys to an `ORDER BY` list, always ending with the id so pages are stable.
    pub(crate) fn order_by(&self, keys: &[OrderBy]) -> Result<String> {
        let mut sql = String::new();
        for key in keys {
            let f = self.field(&key.field)?;
            if f.ty == FieldType::Tags {
                return Err(Error::invalid(
                    "order_by",
                    key.field.clone(),
                    "cannot sort by tags",
                ));
            }
            let _ = write!(
                sql,
                "{} {}, ",
                self.column(f),
                if key.descending { "DESC" } else { "ASC" }
            );
        }
        let id_desc = keys
            .iter()
            .find(|k| k.field == "id")
            .is_some_and(|k| k.descending);
        let _ = write!(
            sql,
            "{}.id {}",
            self.alias,
            if id_desc { "DESC" } else { "ASC" }
        );
        Ok(sql)
    }

    fn emit(&self, filter: &Filter, zone: Tz, out: &mut Compiled, depth: usize) -> Result<()> {
        if depth > Filter::MAX_DEPTH {
            return Err(Error::InvalidArgument(format!(
                "filter nests more than {} levels deep",
                Filter::MAX_DEPTH
            )));
        }
        match filter {
            Filter::All => out.sql.push('1'),
            Filter::Compare { field, op, value } => {
                let f = self.field(field)?;
                if f.ty == FieldType::Tags {
                    return Err(Error::InvalidArgument(format!(
                        "{field}: compare tags with has_tag (Python: tags__contains=…)"
                    )));
                }
                if matches!(value, Value::Null) {
                    return Err(Error::InvalidArgument(format!(
                        "{field} {} null: use is_null / is_not_null (Python: {field}__isnull=True)",
                        op.symbol()
                    )));
                }
                let v = coerce(f, value, zone)?;
                let col = self.column(f);
                if matches!(f.ty, FieldType::MultiChoice(_)) {
                    // A multi-choice value "equals" a choice it holds.
                    let holds = format!("EXISTS (SELECT 1 FROM json_each({col}) WHERE value = ?)");
                    let _ = match op {
                        CmpOp::Eq => write!(out.sql, "{holds}"),
                        CmpOp::Ne => write!(out.sql, "NOT {holds}"),
                        _ => {
                            return Err(Error::InvalidArgument(format!(
                                "{field}: a multi-choice field takes =, !=, in or contains"
                            )));
                        }
                    };
                    out.params.push(SqlParam::Value(v));
                    return Ok(());
                }
                let sql_op = match op {
                    // NULL-safe: records with an empty field are "not equal".
                    CmpOp::Ne => "IS NOT",
                    other => other.symbol(),
                };
                let _ = write!(out.sql, "{col} {sql_op} ?");
                out.params.push(SqlParam::Value(v));
            }
            Filter::In {
                field,
                values,
                negated,
            } => {
                let f = self.field(field)?;
                if f.ty == FieldType::Tags {
                    let any = Filter::any_of(
                        values
                            .iter()
                            .map(|v| match v {
                                Value::Text(t) => Ok(Filter::has_tag(t.clone())),
                                other => Err(other.clone()),
                            })
                            .collect::<std::result::Result<Vec<_>, _>>()
                            .map_err(|v| {
                                Error::InvalidArgument(format!(
                                    "tags in (…): expected tags (text), got {} {v}",
                                    v.kind()
                                ))
                            })?,
                    );
                    let f = if *negated { any.not() } else { any };
                    return self.emit(&f, zone, out, depth + 1);
                }
                let coerced = values
                    .iter()
                    .map(|v| coerce(f, v, zone))
                    .collect::<Result<Vec<_>>>()?;
                let col = self.column(f);
                if matches!(f.ty, FieldType::MultiChoice(_)) {
                    let any = Filter::any_of(
                        values
                            .iter()
                            .map(|v| Filter::compare(field.clone(), CmpOp::Eq, v.clone())),
                    );
                    let f = if *negated { any.not() } else { any };
                    return self.emit(&f, zone, out, depth + 1);
                }
                if *negated {
                    out.sql.push_str("NOT IFNULL(");
                }
                if coerced.is_empty() {
                    out.sql.push('0');
                } else if coerced.len() > INLINE_LIST_MAX {
                    let _ = write!(out.sql, "{col} IN rarray(?)");
                    out.params.push(SqlParam::Array(Rc::new(coerced)));
                } else {
                    let _ = write!(out.sql, "{col} IN (");
                    for (i, v) in coerced.into_iter().enumerate() {
                        out.sql.push_str(if i == 0 { "?" } else { ", ?" });
                        out.params.push(SqlParam::Value(v));
                    }
                    out.sql.push(')');
                }
                if *negated {
                    out.sql.push_str(", 0)");
                }
            }
            Filter::Between { field, low, high } => {
                let f = self.field(field)?;
                if f.ty == FieldType::Tags
                    || matches!(low, Value::Null)
                    || matches!(high, Value::Null)
                {
                    return Err(Error::InvalidArgument(format!(
                        "{field} between: needs two values on a field that is not tags"
                    )));
                }
                let (lo, hi) = (coerce(f, low, zone)?, coerce(f, high, zone)?);
                let _ = write!(out.sql, "{} BETWEEN ? AND ?", self.column(f));
                out.params.push(SqlParam::Value(lo));
                out.params.push(SqlParam::Value(hi));
            }
            Filter::IsNull { field, negated } => {
                let f = self.field(field)?;
                if f.ty == FieldType::Tags {
                    let (table, fk) = self.tag_table()?;
                    let _ = write!(
                        out.sql,
                        "{}EXISTS (SELECT 1 FROM {table} WHERE {table}.{fk} = {}.id)",
                        if *negated { "" } else { "NOT " },
                        self.alias
                    );
                } else {
                    let _ = write!(
                        out.sql,
                        "{} IS {}NULL",
                        self.column(f),
                        if *negated { "NOT " } else { "" }
                    );
                }
            }
            Filter::Contains { field, text } | Filter::StartsWith { field, text } => {
                let f = self.field(field)?;
                if matches!(f.ty, FieldType::MultiChoice(_))
                    && matches!(filter, Filter::Contains { .. })
                {
                    return self.emit(
                        &Filter::eq(field.clone(), text.clone()),
                        zone,
                        out,
                        depth + 1,
                    );
                }
                if !matches!(f.ty, FieldType::Text | FieldType::Email | FieldType::Phone) {
                    return Err(Error::InvalidArgument(format!(
                        "{field}: contains/startswith need a text field"
                    )));
                }
                let needle = if f.ty == FieldType::Email {
                    text.trim()
                } else {
                    text.as_str()
                };
                // ASCII-only lower-casing on both sides, as SQLite's lower() does; instr/substr
                // treat every character literally and have no pattern-length limit (LIKE does).
                let needle = needle.to_ascii_lowercase();
                let col = self.column(f);
                match filter {
                    Filter::Contains { .. } => {
                        let _ = write!(out.sql, "instr(lower({col}), ?) > 0");
                    }
                    _ => {
                        let _ = write!(out.sql, "substr(lower({col}), 1, ?) = ?");
                        out.params.push(SqlParam::Value(SqlValue::Integer(
                            needle.chars().count() as i64
                        )));
                    }
                }
                out.params.push(SqlParam::Value(SqlValue::Text(needle)));
            }
            Filter::HasTag(tag) => {
                let (table, fk) = self.tag_table()?;
                let tag = normalize_tag(tag)?;
                // `id IN (…)` lets SQLite drive the query from the tag index.
                let _ = write!(
                    out.sql,
                    "{}.id IN (SELECT {fk} FROM {table} WHERE tag = ?)",
                    self.alias
                );
                out.params.push(SqlParam::Value(SqlValue::Text(tag)));
            }
            Filter::InCampaign { campaign, variant } => {
                self.customers_only("in_campaign")?;
                let _ = write!(
                    out.sql,
                    "{}.id IN (SELECT m.customer_id FROM campaign_members m JOIN campaigns k ON k.id = m.campaign_id \
                     WHERE k.name = ?",
                    self.alias
                );
                out.params
                    .push(SqlParam::Value(SqlValue::Text(campaign.trim().to_owned())));
                if let Some(v) = variant {
                    out.sql.push_str(" AND m.variant = ? COLLATE NOCASE");
                    out.params
                        .push(SqlParam::Value(SqlValue::Text(v.trim().to_owned())));
                }
                out.sql.push(')');
            }
            Filter::Responded { campaign } => {
                self.customers_only("responded")?;
                let _ = write!(
                    out.sql,
                    "{}.id IN (SELECT e.customer_id FROM campaign_events e \
                     WHERE e.kind IN ('opened', 'clicked', 'converted')",
                    self.alias
                );
                if let Some(c) = campaign {
                    out.sql.push_str(
                        " AND e.campaign_id IN (SELECT k.id FROM campaigns k WHERE k.name = ?)",
                    );
                    out.params
                        .push(SqlParam::Value(SqlValue::Text(c.trim().to_owned())));
                }
                out.sql.push(')');
            }
            Filter::And(parts) | Filter::Or(parts) => {
                let is_and = matches!(filter, Filter::And(_));
                if parts.is_empty() {
                    out.sql.push(if is_and { '1' } else { '0' });
                    return Ok(());
                }
                out.sql.push('(');
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        out.sql.push_str(if is_and { " AND " } else { " OR " });
                    }
                    self.emit(p, zone, out, depth + 1)?;
                }
                out.sql.push(')');
            }
            Filter::Not(inner) => {
                out.sql.push_str("NOT IFNULL(");
                self.emit(inner, zone, out, depth + 1)?;
                out.sql.push_str(", 0)");
            }
        }
        Ok(())
    }

    /// Campaign predicates describe customers; other entities refuse them.
    fn customers_only(&self, predicate: &str) -> Result<()> {
        if self.entity == "customers" {
            Ok(())
        } else {
            Err(Error::InvalidInput {
                field: "filter".into(),
                value: predicate.into(),
                rule: format!("applies to customers, not {}", self.entity),
            })
        }
    }

    fn tag_table(&self) -> Result<(&'static str, &'static str)> {
        self.tags
            .ok_or_else(|| Error::InvalidArgument(format!("{} have no tags", self.entity)))
    }
}

/// Converts a literal to the field's storage type, or says why it cannot be.
fn coerce(f: &FieldSpec, v: &Value, zone: Tz) -> Result<SqlValue> {
    let mismatch = |expected: &str| {
        Err(Error::InvalidArgument(format!(
            "{}: expected {expected}, got {} {v}",
            f.name,
            v.kind()
        )))
    };
    match (&f.ty, v) {
        (FieldType::Integer, Value::Int(i)) => Ok(SqlValue::Integer(*i)),
        (FieldType::Integer | FieldType::Real, Value::Real(x)) if x.is_finite() => {
            Ok(SqlValue::Real(*x))
        }
        (FieldType::Real, Value::Int(i)) => Ok(SqlValue::Real(*i as f64)),
        (FieldType::Integer | FieldType::Real, _) => mismatch("a number"),
        (FieldType::Boolean, Value::Bool(b)) => Ok(SqlValue::Integer(i64::from(*b))),
        (FieldType::Boolean, _) => mismatch("true or false"),
        (FieldType::Text, Value::Text(s)) => Ok(SqlValue::Text(s.clone())),
        (FieldType::Email, Value::Text(s)) => Ok(SqlValue::Text(s.trim().to_lowercase())),
        // A value that is not a valid phone number cannot equal a stored (normalised) one; compare
        // it as given so that it simply matches nothing.
        (FieldType::Phone, Value::Text(s)) => Ok(SqlValue::Text(
            normalize_phone(s).unwrap_or_else(|_| s.clone()),
        )),
        (FieldType::Text | FieldType::Email | FieldType::Phone, _) => mismatch("text"),
        (FieldType::Timestamp, Value::Time(t)) => Ok(SqlValue::Integer(t.as_micros())),
        (FieldType::Timestamp, Value::Int(us)) => Ok(SqlValue::Integer(*us)),
        (FieldType::Timestamp, Value::Text(s)) => Timestamp::parse_in(s, zone)
            .map(|t| SqlValue::Integer(t.as_micros()))
            .map_err(|_| {
                Error::invalid(
                    f.name.to_string(),
                    s.clone(),
                    "expected a date (YYYY-MM-DD) or date-time (RFC 3339)",
                )
            }),
        (FieldType::Timestamp, _) => mismatch("a timestamp, microseconds, or a date text"),
        (FieldType::Enum(names), Value::Text(s)) => names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(s.trim()))
            .map(|n| SqlValue::Text((*n).to_owned()))
            .ok_or_else(|| {
                Error::invalid(
                    f.name.to_string(),
                    s.clone(),
                    format!("must be one of {}", names.join(", ")),
                )
            }),
        (FieldType::Enum(_), _) => mismatch("text"),
        (FieldType::Tags, _) => mismatch("a tag"),
        (FieldType::Date, Value::Text(t)) => {
            chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                .map(|d| SqlValue::Text(d.format("%Y-%m-%d").to_string()))
                .map_err(|_| {
                    Error::invalid(f.name.to_string(), t.clone(), "expected a date YYYY-MM-DD")
                })
        }
        (FieldType::Date, Value::Time(t)) => Ok(SqlValue::Text(
            t.to_datetime()
                .with_timezone(&zone)
                .date_naive()
                .format("%Y-%m-%d")
                .to_string(),
        )),
        (FieldType::Date, _) => mismatch("a date YYYY-MM-DD"),
        (FieldType::Choice(names) | FieldType::MultiChoice(names), Value::Text(s)) => names
            .iter()
            .find(|n| n.as_str() == s.trim())
            .map(|n| SqlValue::Text(n.clone()))
            .ok_or_else(|| {
                Error::invalid(
                    f.name.to_string(),
                    s.clone(),
                    format!("must be one of {}", names.join(", ")),
                )
            }),
        (FieldType::Choice(_) | FieldType::MultiChoice(_), _) => mismatch("text"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn customers() -> EntitySql<'static> {
        crate::store::customers::entity()
    }

    #[test]
    fn user_text_is_always_a_parameter() {
        let hostile = "x'; DROP TABLE customers; --";
        let f = Filter::eq("name", hostile).or(Filter::contains("company", "50%_off\\"));
        let c = customers().compile(&f, Tz::UTC).unwrap();
        assert_eq!(c.sql, "(c.name = ? OR instr(lower(c.company), ?) > 0)");
        assert!(!c.sql.contains("DROP"));
        assert_eq!(c.params.len(), 2);
        let SqlParam::Value(SqlValue::Text(p)) = &c.params[1] else {
            panic!()
        };
        assert_eq!(p, "50%_off\\", "wildcards are plain characters");
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_refused() {
        let e = customers()
            .compile(&Filter::eq("name; DROP", "x"), Tz::UTC)
            .err()
            .unwrap();
        assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
        assert!(e.to_string().contains("known: id, external_id"), "{e}");
        let e = customers()
            .compile(&Filter::eq("version", "two"), Tz::UTC)
            .err()
            .unwrap();
        assert_eq!(e.code(), crate::ErrorCode::InvalidArgument);
        let e = customers()
            .compile(&Filter::eq("stage", "vip"), Tz::UTC)
            .err()
            .unwrap();
        assert!(e.to_string().contains("must be one of lead"), "{e}");
        assert!(
            customers()
                .compile(&Filter::eq("email", Value::Null), Tz::UTC)
                .is_err()
        );
        assert!(
            customers()
                .compile(&Filter::eq("created_at", "soon"), Tz::UTC)
                .is_err()
        );
        assert!(customers().order_by(&[OrderBy::asc("tags")]).is_err());
        assert!(customers().order_by(&[OrderBy::asc("nope")]).is_err());
    }

    #[test]
    fn deep_trees_are_refused() {
        let mut f = Filter::eq("id", 1);
        for _ in 0..Filter::MAX_DEPTH {
            f = Filter::Not(Box::new(f));
        }
        let e = customers().compile(&f, Tz::UTC).err().unwrap();
        assert_eq!(e.code(), crate::ErrorCode::InvalidArgument);
        let mut ok = Filter::eq("id", 1);
        for _ in 1..Filter::MAX_DEPTH {
            ok = Filter::Not(Box::new(ok));
        }
        assert!(customers().compile(&ok, Tz::UTC).is_ok());
    }

    #[test]
    fn shapes() {
        let e = customers();
        let c = e
            .compile(&Filter::ne("email", "A@B.co").not(), Tz::UTC)
            .unwrap();
        assert_eq!(c.sql, "NOT IFNULL(c.email IS NOT ?, 0)");
        let c = e
            .compile(&Filter::in_list("id", 0..100i64), Tz::UTC)
            .unwrap();
        assert_eq!(c.sql, "c.id IN rarray(?)");
        let c = e
            .compile(&Filter::not_in("stage", Vec::<&str>::new()), Tz::UTC)
            .unwrap();
        assert_eq!(c.sql, "NOT IFNULL(0, 0)");
        let c = e.compile(&Filter::is_null("tags"), Tz::UTC).unwrap();
        assert!(c.sql.starts_with("NOT EXISTS"));
        assert_eq!(
            e.order_by(&[OrderBy::desc("created_at")]).unwrap(),
            "c.created_at DESC, c.id ASC"
        );
    }
}
