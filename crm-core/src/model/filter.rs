//! The filter AST: the one representation of "which records", shared by the Rust builder API,
//! Python keyword filters (`stage__in=[…]`) and the C builder functions. The store compiles it to
//! parameterised SQL; nothing here knows SQL.
//!
//! ```
//! use crm_core::{Filter, Value};
//! let f = Filter::eq("source", "web")
//!     .and(Filter::in_list("stage", ["lead", "prospect"]))
//!     .and(Filter::has_tag("vip").not());
//! let same = Filter::all_of([
//!     Filter::lookup("source", Value::from("web")).unwrap(),
//!     Filter::lookup("stage__in", Value::List(vec!["lead".into(), "prospect".into()])).unwrap(),
//!     Filter::lookup("tags__contains", Value::from("vip")).unwrap().not(),
//! ]);
//! assert_eq!(f, same);
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::Timestamp;

/// A literal value in a filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Value {
    /// No value (matches nothing under `=`; use [`Filter::is_null`]).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text; for timestamp fields, a date or date-time in the reporting time zone.
    Text(String),
    /// An instant.
    Time(Timestamp),
    /// A list of values: only for `in`, `not_in` and `between` lookups.
    List(Vec<Value>),
}

impl Value {
    /// A short description of the value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Real(_) => "number",
            Value::Text(_) => "text",
            Value::Time(_) => "timestamp",
            Value::List(_) => "list",
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Real(x) => write!(f, "{x}"),
            Value::Text(s) => write!(f, "{s:?}"),
            Value::Time(t) => write!(f, "{t}"),
            Value::List(v) => {
                f.write_str("[")?;
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{x}")?;
                }
                f.write_str("]")
            }
        }
    }
}

macro_rules! value_from {
    ($($t:ty => |$v:ident| $e:expr),+ $(,)?) => {
        $(impl From<$t> for Value { fn from($v: $t) -> Value { $e } })+
    };
}
value_from!(
    bool => |v| Value::Bool(v),
    i32 => |v| Value::Int(v.into()),
    i64 => |v| Value::Int(v),
    f64 => |v| Value::Real(v),
    &str => |v| Value::Text(v.to_owned()),
    String => |v| Value::Text(v),
    Timestamp => |v| Value::Time(v),
);

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A predicate over an entity's fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Filter {
    /// Every record.
    #[default]
    All,
    /// `field op value`.
    Compare {
        /// Field name.
        field: String,
        /// Operator.
        op: CmpOp,
        /// Literal.
        value: Value,
    },
    /// `field in (values…)`, or `not in` when `negated`.
    In {
        /// Field name.
        field: String,
        /// Literals.
        values: Vec<Value>,
        /// `not in`.
        negated: bool,
    },
    /// `low <= field <= high`.
    Between {
        /// Field name.
        field: String,
        /// Inclusive lower bound.
        low: Value,
        /// Inclusive upper bound.
        high: Value,
    },
    /// `field is null`, or `is not null` when `negated`.
    IsNull {
        /// Field name.
        field: String,
        /// `is not null`.
        negated: bool,
    },
    /// Text field contains `text` (case-insensitive for ASCII).
    Contains {
        /// Field name.
        field: String,
        /// Substring.
        text: String,
    },
    /// Text field starts with `text` (case-insensitive for ASCII).
    StartsWith {
        /// Field name.
        field: String,
        /// Prefix.
        text: String,
    },
    /// The record carries this tag.
    HasTag(String),
    /// The customer is a member of the campaign with this name (of one variant, when given).
    /// A name no campaign has matches nobody.
    InCampaign {
        /// Campaign name.
        campaign: String,
        /// Variant name (case-insensitive), or any variant.
        variant: Option<String>,
    },
    /// The customer responded (opened, clicked or converted) to the named campaign, or to any.
    Responded {
        /// Campaign name, or any campaign.
        campaign: Option<String>,
    },
    /// All of the parts (an empty list matches everything).
    And(Vec<Filter>),
    /// Any of the parts (an empty list matches nothing).
    Or(Vec<Filter>),
    /// The opposite.
    Not(Box<Filter>),
}

impl Filter {
    /// The deepest nesting of `and`/`or`/`not` the store compiles. Deeper trees are refused with
    /// `INVALID_ARGUMENT` rather than risking the stack.
    pub const MAX_DEPTH: usize = 64;

    /// Nesting depth as the store counts it: a leaf is 1, each `and`/`or`/`not` adds one.
    pub fn depth(&self) -> usize {
        match self {
            Filter::And(parts) | Filter::Or(parts) => {
                1 + parts.iter().map(Filter::depth).max().unwrap_or(0)
            }
            Filter::Not(inner) => 1 + inner.depth(),
            _ => 1,
        }
    }

    /// `field op value`.
    pub fn compare(field: impl Into<String>, op: CmpOp, value: impl Into<Value>) -> Filter {
        Filter::Compare {
            field: field.into(),
            op,
            value: value.into(),
        }
    }
    /// `field = value`.
    pub fn eq(field: impl Into<String>, value: impl Into<Value>) -> Filter {
        Filter::compare(field, CmpOp::Eq, value)
    }
    /// `field != value`.
    pub fn ne(field: impl Into<String>, value: impl Into<Value>) -> Filter {
        Filter::compare(field, CmpOp::Ne, value)
    }
    /// `field < value`.
    pub fn lt(field: impl Into<String>, value: impl Into<Value>) -> Filter {
        Filter::compare(field, CmpOp::Lt, value)
    }
    /// `field <= value`.
    pub fn le(field: impl Into<String>, value: impl Into<Value>) -> Filter {
        Filter::compare(field, CmpOp::Le, value)
    }
    /// `field > value`.
    pub fn gt(field: impl Into<String>, value: impl Into<Value>) -> Filter {
        Filter::compare(field, CmpOp::Gt, value)
    }
    /// `field >= value`.
    pub fn ge(field: impl Into<String>, value: impl Into<Value>) -> Filter {
        Filter::compare(field, CmpOp::Ge, value)
    }
    /// `field in (values…)`.
    pub fn in_list<V: Into<Value>>(
        field: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Filter {
        Filter::In {
            field: field.into(),
            values: values.into_iter().map(Into::into).collect(),
            negated: false,
        }
    }
    /// `field not in (values…)`.
    pub fn not_in<V: Into<Value>>(
        field: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Filter {
        Filter::In {
            field: field.into(),
            values: values.into_iter().map(Into::into).collect(),
            negated: true,
        }
    }
    /// `low <= field <= high`.
    pub fn between(
        field: impl Into<String>,
        low: impl Into<Value>,
        high: impl Into<Value>,
    ) -> Filter {
        Filter::Between {
            field: field.into(),
            low: low.into(),
            high: high.into(),
        }
    }
    /// `field is null`.
    pub fn is_null(field: impl Into<String>) -> Filter {
        Filter::IsNull {
            field: field.into(),
            negated: false,
        }
    }
    /// `field is not null`.
    pub fn is_not_null(field: impl Into<String>) -> Filter {
        Filter::IsNull {
            field: field.into(),
            negated: true,
        }
    }
    /// Text field contains `text`.
    pub fn contains(field: impl Into<String>, text: impl Into<String>) -> Filter {
        Filter::Contains {
            field: field.into(),
            text: text.into(),
        }
    }
    /// Text field starts with `text`.
    pub fn starts_with(field: impl Into<String>, text: impl Into<String>) -> Filter {
        Filter::StartsWith {
            field: field.into(),
            text: text.into(),
        }
    }
    /// The record carries `tag`.
    pub fn has_tag(tag: impl Into<String>) -> Filter {
        Filter::HasTag(tag.into())
    }
    /// Members of the campaign named `campaign`.
    pub fn in_campaign(campaign: impl Into<String>) -> Filter {
        Filter::InCampaign {
            campaign: campaign.into(),
            variant: None,
        }
    }
    /// Members of one variant of the campaign named `campaign`.
    pub fn campaign_variant(campaign: impl Into<String>, variant: impl Into<String>) -> Filter {
        Filter::InCampaign {
            campaign: campaign.into(),
            variant: Some(variant.into()),
        }
    }
    /// Customers who opened, clicked or converted in the named campaign (`None`: in any).
    pub fn responded(campaign: Option<&str>) -> Filter {
        Filter::Responded {
            campaign: campaign.map(str::to_owned),
        }
    }
    /// All of `parts`.
    pub fn all_of(parts: impl IntoIterator<Item = Filter>) -> Filter {
        Filter::And(parts.into_iter().collect())
    }
    /// Any of `parts`.
    pub fn any_of(parts: impl IntoIterator<Item = Filter>) -> Filter {
        Filter::Or(parts.into_iter().collect())
    }
    /// `self and other` (flattens nested ands).
    pub fn and(self, other: Filter) -> Filter {
        match (self, other) {
            (Filter::All, f) | (f, Filter::All) => f,
            (Filter::And(mut a), Filter::And(b)) => {
                a.extend(b);
                Filter::And(a)
            }
            (Filter::And(mut a), f) => {
                a.push(f);
                Filter::And(a)
            }
            (f, g) => Filter::And(vec![f, g]),
        }
    }
    /// `self or other` (flattens nested ors).
    pub fn or(self, other: Filter) -> Filter {
        match (self, other) {
            (Filter::Or(mut a), Filter::Or(b)) => {
                a.extend(b);
                Filter::Or(a)
            }
            (Filter::Or(mut a), f) => {
                a.push(f);
                Filter::Or(a)
            }
            (f, g) => Filter::Or(vec![f, g]),
        }
    }
    /// `not self`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Filter {
        match self {
            Filter::Not(inner) => *inner,
            f => Filter::Not(Box::new(f)),
        }
    }

    /// Builds a filter from a keyword lookup, the form Python keyword arguments take:
    /// `field` or `field__eq` (=), `__ne`, `__lt`, `__lte`, `__gt`, `__gte`, `__in` and `__not_in`
    /// (a [`Value::List`]), `__between` (a two-element list), `__isnull` (a boolean),
    /// `__contains`, `__startswith`. On `tags`, `tags=` and `tags__contains=` ask for a tag,
    /// `tags__in=` for any of several, `tags__isnull=True` for none at all. Campaign predicates:
    /// `in_campaign="name"`, `campaign_variant=("name", "A")` (a two-element list),
    /// `responded="name"` or `responded=True` (any campaign).
    pub fn lookup(key: &str, value: Value) -> Result<Filter> {
        let (field, op) = match key.rsplit_once("__") {
            Some((f, op)) => (f, op),
            None => (key, "eq"),
        };
        if field.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "filter {key:?} names no field"
            )));
        }
        let bad_value = |expected: &str| {
            Err(Error::InvalidArgument(format!(
                "filter {key}: expected {expected}, got {} {value}",
                value.kind()
            )))
        };
        let text = |v: &Value| match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        };
        match (key, &value) {
            ("in_campaign", Value::Text(c)) => return Ok(Filter::in_campaign(c.clone())),
            ("in_campaign", _) => return bad_value("a campaign name"),
            ("campaign_variant", Value::List(v)) => {
                return match v.as_slice() {
                    [Value::Text(c), Value::Text(var)] => {
                        Ok(Filter::campaign_variant(c.clone(), var.clone()))
                    }
                    _ => bad_value("a (campaign, variant) pair of names"),
                };
            }
            ("campaign_variant", _) => return bad_value("a (campaign, variant) pair of names"),
            ("responded", Value::Text(c)) => return Ok(Filter::responded(Some(c))),
            ("responded", Value::Bool(true)) => return Ok(Filter::responded(None)),
            ("responded", Value::Bool(false)) => return Ok(Filter::responded(None).not()),
            ("responded", _) => return bad_value("a campaign name, True or False"),
            _ => {}
        }
        if field == "tags" {
            return match (op, &value) {
                ("eq" | "contains", Value::Text(t)) => Ok(Filter::has_tag(t.clone())),
                ("in", Value::List(items)) => {
                    let tags = items.iter().map(text).collect::<Option<Vec<_>>>();
                    match tags {
                        Some(tags) => Ok(Filter::any_of(tags.into_iter().map(Filter::has_tag))),
                        None => bad_value("a list of tags"),
                    }
                }
                ("isnull", Value::Bool(true)) => Ok(Filter::is_null("tags")),
                ("isnull", Value::Bool(false)) => Ok(Filter::is_not_null("tags")),
                ("isnull", _) => bad_value("True or False"),
                ("eq" | "contains" | "in", _) => bad_value("a tag (text)"),
                _ => Err(Error::InvalidArgument(format!(
                    "filter {key}: tags support tags=, tags__contains=, tags__in= and tags__isnull="
                ))),
            };
        }
        let cmp = |op: CmpOp| match &value {
            Value::List(_) => bad_value("a single value"),
            v => Ok(Filter::compare(field, op, v.clone())),
        };
        match op {
            "eq" | "exact" => cmp(CmpOp::Eq),
            "ne" => cmp(CmpOp::Ne),
            "lt" => cmp(CmpOp::Lt),
            "lte" | "le" => cmp(CmpOp::Le),
            "gt" => cmp(CmpOp::Gt),
            "gte" | "ge" => cmp(CmpOp::Ge),
            "in" | "not_in" => match value {
                Value::List(values) => Ok(Filter::In {
                    field: field.to_owned(),
                    values,
                    negated: op == "not_in",
                }),
                _ => bad_value("a list"),
            },
            "between" => match value {
                Value::List(mut v) if v.len() == 2 => {
                    let high = v.pop().unwrap_or(Value::Null);
                    let low = v.pop().unwrap_or(Value::Null);
                    Ok(Filter::between(field, low, high))
                }
                _ => bad_value("a list of two values (low, high)"),
            },
            "isnull" => match value {
                Value::Bool(true) => Ok(Filter::is_null(field)),
                Value::Bool(false) => Ok(Filter::is_not_null(field)),
                _ => bad_value("True or False"),
            },
            "contains" | "startswith" => match text(&value) {
                Some(t) if op == "contains" => Ok(Filter::contains(field, t)),
                Some(t) => Ok(Filter::starts_with(field, t)),
                None => bad_value("text"),
            },
            _ => Err(Error::InvalidArgument(format!(
                "filter {key:?}: unknown lookup {op:?} (known: eq, ne, lt, lte, gt, gte, in, not_in, between, isnull, contains, startswith)"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinators_flatten() {
        let f = Filter::eq("a", 1)
            .and(Filter::eq("b", 2))
            .and(Filter::eq("c", 3));
        assert!(matches!(&f, Filter::And(parts) if parts.len() == 3));
        assert_eq!(Filter::All.and(Filter::eq("a", 1)), Filter::eq("a", 1));
        assert_eq!(Filter::eq("a", 1).not().not(), Filter::eq("a", 1));
        let g = Filter::eq("a", 1)
            .or(Filter::eq("b", 2))
            .or(Filter::eq("c", 3));
        assert!(matches!(&g, Filter::Or(parts) if parts.len() == 3));
    }

    #[test]
    fn depth() {
        assert_eq!(Filter::eq("a", 1).depth(), 1);
        assert_eq!(Filter::eq("a", 1).and(Filter::eq("b", 2).not()).depth(), 3);
        assert_eq!(Filter::All.depth(), 1);
    }

    #[test]
    fn lookups() {
        assert_eq!(
            Filter::lookup("stage", "lead".into()).unwrap(),
            Filter::eq("stage", "lead")
        );
        assert_eq!(
            Filter::lookup("version__gte", 2.into()).unwrap(),
            Filter::ge("version", 2)
        );
        assert_eq!(
            Filter::lookup("stage__not_in", Value::List(vec!["lead".into()])).unwrap(),
            Filter::not_in("stage", ["lead"])
        );
        assert_eq!(
            Filter::lookup("version__between", Value::List(vec![1.into(), 3.into()])).unwrap(),
            Filter::between("version", 1, 3)
        );
        assert_eq!(
            Filter::lookup("email__isnull", false.into()).unwrap(),
            Filter::is_not_null("email")
        );
        assert_eq!(
            Filter::lookup("tags", "vip".into()).unwrap(),
            Filter::has_tag("vip")
        );
        assert_eq!(
            Filter::lookup("tags__in", Value::List(vec!["a".into(), "b".into()])).unwrap(),
            Filter::any_of([Filter::has_tag("a"), Filter::has_tag("b")])
        );
        for (k, v) in [
            ("stage__in", Value::from("lead")),
            ("stage__between", Value::List(vec![1.into()])),
            ("email__isnull", Value::from(1)),
            ("name__like", Value::from("x")),
            ("__eq", Value::from(1)),
            ("stage", Value::List(vec![])),
            ("tags__gt", Value::from("x")),
        ] {
            let e = Filter::lookup(k, v).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidArgument, "{k}: {e}");
        }
    }
}
