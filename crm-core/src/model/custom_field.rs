//! Custom fields: a company adds `region` or `loyalty_tier` to its customers without a code change.
//! A definition says the field's type and rules; every write is validated against it.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::field::{FieldSpec, FieldType};
use super::filter::Value;
use super::note::EntityKind;
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// The type of a custom field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldType {
    /// Free text.
    Text,
    /// A 64-bit integer.
    Integer,
    /// A number with a fraction (stored as a double; not for money).
    Decimal,
    /// True or false.
    Boolean,
    /// A calendar date (`YYYY-MM-DD`).
    Date,
    /// One of a fixed list of choices.
    Enum,
    /// Any number of a fixed list of choices.
    MultiEnum,
}

vocabulary!(CustomFieldType, "field type", [Text => "text", Integer => "integer", Decimal => "decimal", Boolean => "boolean", Date => "date", Enum => "enum", MultiEnum => "multi_enum"]);

impl CustomFieldType {
    /// Reads a value's text form (as C callers and text files give it) for this type: integers
    /// and decimals as numbers, booleans `true` / `false`, multi-enum choices comma-separated.
    /// Text that does not parse is returned as text, so [`FieldDefinition::check`] refuses it
    /// with the field, the value and the rule.
    pub fn parse_text(self, s: &str) -> Value {
        let t = s.trim();
        let parsed = match self {
            CustomFieldType::Integer => t.parse::<i64>().ok().map(Value::Int),
            CustomFieldType::Decimal => t.parse::<f64>().ok().map(Value::Real),
            CustomFieldType::Boolean => match t {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            CustomFieldType::MultiEnum => Some(Value::List(
                t.split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| Value::Text(c.to_owned()))
                    .collect(),
            )),
            CustomFieldType::Text | CustomFieldType::Date | CustomFieldType::Enum => None,
        };
        parsed.unwrap_or_else(|| Value::Text(s.to_owned()))
    }
}

/// A custom field's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CustomValue {
    /// Text or an enum choice.
    Text(String),
    /// An integer.
    Integer(i64),
    /// A decimal.
    Decimal(f64),
    /// A boolean.
    Boolean(bool),
    /// A date.
    Date(NaiveDate),
    /// Multi-enum choices, sorted.
    Choices(Vec<String>),
}

impl CustomValue {
    /// The value as a filter literal (dates as `YYYY-MM-DD` text).
    pub fn to_value(&self) -> Value {
        match self {
            CustomValue::Text(s) => Value::Text(s.clone()),
            CustomValue::Integer(i) => Value::Int(*i),
            CustomValue::Decimal(x) => Value::Real(*x),
            CustomValue::Boolean(b) => Value::Bool(*b),
            CustomValue::Date(d) => Value::Text(d.format("%Y-%m-%d").to_string()),
            CustomValue::Choices(v) => Value::List(v.iter().cloned().map(Value::Text).collect()),
        }
    }

    /// The text form, the inverse of [`CustomFieldType::parse_text`]: numbers formatted (a
    /// decimal in the shortest form that reads back exactly), booleans `true` / `false`, dates
    /// `YYYY-MM-DD`, multi-enum choices comma-joined.
    pub fn text_form(&self) -> String {
        match self {
            CustomValue::Text(s) => s.clone(),
            CustomValue::Integer(i) => i.to_string(),
            CustomValue::Decimal(x) => x.to_string(),
            CustomValue::Boolean(b) => b.to_string(),
            CustomValue::Date(d) => d.format("%Y-%m-%d").to_string(),
            CustomValue::Choices(c) => c.join(","),
        }
    }

    /// The value as JSON (for the audit trail).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// A custom field as defined in the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDefinition {
    /// The store's id (the field's column is `cf_<id>`).
    pub id: i64,
    /// Which records carry it.
    pub entity: EntityKind,
    /// The name filters, sort orders and records use.
    pub name: String,
    /// Its type.
    pub ty: CustomFieldType,
    /// The choices of an enum or multi-enum field.
    pub choices: Vec<String>,
    /// Every record must have a value.
    pub required: bool,
    /// The value of records that give none.
    pub default: Option<CustomValue>,
    /// Personal data (the audit trail keeps it apart; privacy tools reach it).
    pub personal: bool,
    /// Backed by an index, so filtering on it is an index lookup.
    pub indexed: bool,
    /// Hidden from records and filters; its data is kept.
    pub retired: bool,
    /// When it was defined.
    pub created_at: Timestamp,
}

/// A custom field to define.
///
/// ```
/// use crm_core::{CustomFieldType, NewFieldDefinition};
/// let region = NewFieldDefinition::new("region", CustomFieldType::Enum).choices(["north", "south"]).indexed();
/// assert_eq!(region.choices.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFieldDefinition {
    /// Name: lower-case letters, digits and `_`, starting with a letter, at most 63 characters.
    pub name: String,
    /// Type.
    pub ty: CustomFieldType,
    /// Choices (enum and multi-enum only).
    pub choices: Vec<String>,
    /// Required.
    pub required: bool,
    /// Default value.
    pub default: Option<Value>,
    /// Personal data.
    pub personal: bool,
    /// Indexed.
    pub indexed: bool,
}

impl NewFieldDefinition {
    /// A field with this name and type; optional, not personal, not indexed.
    pub fn new(name: impl Into<String>, ty: CustomFieldType) -> NewFieldDefinition {
        NewFieldDefinition {
            name: name.into(),
            ty,
            choices: Vec::new(),
            required: false,
            default: None,
            personal: false,
            indexed: false,
        }
    }
    /// Sets the choices.
    pub fn choices<S: Into<String>>(mut self, c: impl IntoIterator<Item = S>) -> Self {
        self.choices = c.into_iter().map(Into::into).collect();
        self
    }
    /// Makes it required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    /// Sets the default.
    pub fn default_value(mut self, v: impl Into<Value>) -> Self {
        self.default = Some(v.into());
        self
    }
    /// Marks it personal.
    pub fn personal(mut self) -> Self {
        self.personal = true;
        self
    }
    /// Backs it by an index.
    pub fn indexed(mut self) -> Self {
        self.indexed = true;
        self
    }
}

/// Checks a custom field name: `^[a-z][a-z0-9_]{0,62}$`, and not a name `reserved` already uses.
pub fn check_field_name(name: &str, reserved: &[&str]) -> Result<()> {
    let ok = name.len() <= 63
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(Error::invalid(
            "field name",
            name,
            "must be lower-case letters, digits and '_', starting with a letter, at most 63 characters",
        ));
    }
    if reserved.contains(&name) {
        return Err(Error::invalid(
            "field name",
            name,
            "is a built-in field; a custom field may not shadow it",
        ));
    }
    Ok(())
}

impl NewFieldDefinition {
    /// Validates the definition (name, choices, default) against the `reserved` built-in names.
    pub fn check(&mut self, reserved: &[&str]) -> Result<()> {
        check_field_name(&self.name, reserved)?;
        let has_choices = matches!(self.ty, CustomFieldType::Enum | CustomFieldType::MultiEnum);
        if has_choices {
            let mut seen = std::collections::BTreeSet::new();
            for c in &mut self.choices {
                *c = c.trim().to_owned();
                if c.is_empty() || c.chars().count() > 200 || c.chars().any(char::is_control) {
                    return Err(Error::invalid(
                        format!("{} choice", self.name),
                        c.clone(),
                        "must be 1 to 200 characters",
                    ));
                }
                if !seen.insert(c.clone()) {
                    return Err(Error::invalid(
                        format!("{} choice", self.name),
                        c.clone(),
                        "is listed twice",
                    ));
                }
            }
            if self.choices.is_empty() {
                return Err(Error::invalid(
                    &self.name,
                    "",
                    "an enum field needs at least one choice",
                ));
            }
        } else if !self.choices.is_empty() {
            return Err(Error::invalid(
                &self.name,
                self.choices.join(", "),
                "only enum and multi-enum fields have choices",
            ));
        }
        Ok(())
    }
}

impl FieldDefinition {
    /// The SQL column holding the field (from its numeric id, never from user text).
    pub fn column(&self) -> String {
        format!("cf_{}", self.id)
    }

    /// How filters see the field.
    pub fn spec(&self) -> FieldSpec {
        let ty = match self.ty {
            CustomFieldType::Text => FieldType::Text,
            CustomFieldType::Integer => FieldType::Integer,
            CustomFieldType::Decimal => FieldType::Real,
            CustomFieldType::Boolean => FieldType::Boolean,
            CustomFieldType::Date => FieldType::Date,
            CustomFieldType::Enum => FieldType::Choice(self.choices.clone()),
            CustomFieldType::MultiEnum => FieldType::MultiChoice(self.choices.clone()),
        };
        FieldSpec {
            name: self.name.clone().into(),
            ty,
        }
    }

    /// Checks a value against the definition and converts it: the error names the field, the
    /// value and the rule. `Value::Null` is refused for a required field.
    pub fn check(&self, v: &Value) -> Result<Option<CustomValue>> {
        // Text as given (the error's message quotes it once); other values in their text form.
        let shown = match v {
            Value::Text(t) => t.clone(),
            other => other.to_string(),
        };
        let bad = |rule: &str| Err(Error::invalid(self.name.clone(), shown.clone(), rule));
        let choice = |s: &str| {
            self.choices
                .iter()
                .find(|c| c.as_str() == s.trim())
                .cloned()
        };
        Ok(Some(match (self.ty, v) {
            (_, Value::Null) if self.required => return bad("is required"),
            (_, Value::Null) => return Ok(None),
            (CustomFieldType::Text, Value::Text(s)) => {
                if s.len() > 64 * 1024 || s.contains('\0') {
                    return bad("must be at most 64 KiB of text without NUL");
                }
                CustomValue::Text(s.clone())
            }
            (CustomFieldType::Integer, Value::Int(i)) => CustomValue::Integer(*i),
            (CustomFieldType::Integer, Value::Real(x)) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
                CustomValue::Integer(*x as i64)
            }
            (CustomFieldType::Decimal, Value::Real(x)) if x.is_finite() => CustomValue::Decimal(*x),
            (CustomFieldType::Decimal, Value::Int(i)) => CustomValue::Decimal(*i as f64),
            (CustomFieldType::Boolean, Value::Bool(b)) => CustomValue::Boolean(*b),
            (CustomFieldType::Date, Value::Text(s)) => {
                match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
                    Ok(d) => CustomValue::Date(d),
                    Err(_) => return bad("must be a date YYYY-MM-DD"),
                }
            }
            (CustomFieldType::Date, Value::Time(t)) => {
                CustomValue::Date(t.to_datetime().date_naive())
            }
            (CustomFieldType::Enum, Value::Text(s)) => match choice(s) {
                Some(c) => CustomValue::Text(c),
                None => return bad(&format!("must be one of {}", self.choices.join(", "))),
            },
            (CustomFieldType::MultiEnum, Value::List(items)) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::Text(s) => match choice(s) {
                            Some(c) => out.push(c),
                            None => {
                                return bad(&format!(
                                    "each choice must be one of {}",
                                    self.choices.join(", ")
                                ));
                            }
                        },
                        _ => return bad("must be a list of choices (text)"),
                    }
                }
                out.sort();
                out.dedup();
                CustomValue::Choices(out)
            }
            (CustomFieldType::MultiEnum, Value::Text(s)) => {
                return self.check(&Value::List(vec![Value::Text(s.clone())]));
            }
            (ty, _) => return bad(&format!("must be of type {}", ty.as_str())),
        }))
    }
}

/// Custom values of a record, by field name.
pub type CustomValues = BTreeMap<String, CustomValue>;

#[cfg(test)]
mod tests {
    use super::*;

    fn def(ty: CustomFieldType) -> FieldDefinition {
        FieldDefinition {
            id: 1,
            entity: EntityKind::Customer,
            name: "f".into(),
            ty,
            choices: vec!["north".into(), "south".into()],
            required: false,
            default: None,
            personal: false,
            indexed: false,
            retired: false,
            created_at: Timestamp::from_micros(0),
        }
    }

    #[test]
    fn values_are_checked_against_the_type() {
        assert_eq!(
            def(CustomFieldType::Integer).check(&Value::Int(3)).unwrap(),
            Some(CustomValue::Integer(3))
        );
        assert!(
            def(CustomFieldType::Integer)
                .check(&Value::Real(2.5))
                .is_err()
        );
        assert_eq!(
            def(CustomFieldType::Enum).check(&"south".into()).unwrap(),
            Some(CustomValue::Text("south".into()))
        );
        let e = def(CustomFieldType::Enum)
            .check(&"east".into())
            .unwrap_err();
        assert!(e.to_string().contains("must be one of north, south"), "{e}");
        assert_eq!(
            e.to_string(),
            "invalid f \"east\": must be one of north, south",
            "quoted once"
        );
        assert_eq!(
            def(CustomFieldType::MultiEnum)
                .check(&Value::List(vec![
                    "south".into(),
                    "north".into(),
                    "south".into()
                ]))
                .unwrap(),
            Some(CustomValue::Choices(vec!["north".into(), "south".into()]))
        );
        assert!(
            def(CustomFieldType::Date)
                .check(&"2026-02-30".into())
                .is_err()
        );
        assert!(def(CustomFieldType::Boolean).check(&Value::Int(1)).is_err());
        let mut required = def(CustomFieldType::Text);
        required.required = true;
        assert!(
            required
                .check(&Value::Null)
                .unwrap_err()
                .to_string()
                .contains("is required")
        );
        assert_eq!(
            def(CustomFieldType::Text).check(&Value::Null).unwrap(),
            None
        );
    }

    #[test]
    fn text_forms_round_trip() {
        assert_eq!(CustomFieldType::Integer.parse_text(" 42 "), Value::Int(42));
        assert_eq!(
            CustomFieldType::Integer.parse_text("4x"),
            Value::Text("4x".into())
        );
        assert_eq!(CustomFieldType::Decimal.parse_text("2.5"), Value::Real(2.5));
        assert_eq!(
            CustomFieldType::Boolean.parse_text("false"),
            Value::Bool(false)
        );
        assert_eq!(
            CustomFieldType::MultiEnum.parse_text("a, b,,"),
            Value::List(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            CustomFieldType::Enum.parse_text("north"),
            Value::Text("north".into())
        );
        assert_eq!(CustomValue::Decimal(0.1).text_form(), "0.1");
        assert_eq!(
            CustomValue::Choices(vec!["a".into(), "b".into()]).text_form(),
            "a,b"
        );
    }

    #[test]
    fn names_and_definitions() {
        assert!(check_field_name("loyalty_tier", &["name"]).is_ok());
        for bad in ["", "Region", "1st", "a-b", "name", &"x".repeat(64)] {
            assert!(check_field_name(bad, &["name"]).is_err(), "{bad}");
        }
        assert!(
            NewFieldDefinition::new("t", CustomFieldType::Enum)
                .check(&[])
                .is_err(),
            "an enum needs choices"
        );
        assert!(
            NewFieldDefinition::new("t", CustomFieldType::Text)
                .choices(["a"])
                .check(&[])
                .is_err()
        );
        assert!(
            NewFieldDefinition::new("t", CustomFieldType::Enum)
                .choices(["a", "a"])
                .check(&[])
                .is_err()
        );
    }
}
