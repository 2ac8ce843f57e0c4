//! The customer: the first entity of the model, its lifecycle stage and acquisition source, and the
//! shapes used to create and change one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::contact::{normalize_email, normalize_phone, normalize_tags};
use std::collections::BTreeMap;

use super::custom_field::CustomValues;
use super::field::{FieldSpec, FieldType};
use super::filter::Value;
use super::text::{optional, required_text};
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// Where a customer is in the relationship.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    /// Known, not yet qualified (the default).
    #[default]
    Lead,
    /// Qualified, in conversation.
    Prospect,
    /// Has bought.
    Customer,
    /// Has left.
    Churned,
}

/// Where a customer came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The company's web site or app.
    Web,
    /// Recommended by someone.
    Referral,
    /// Paid advertising.
    Ads,
    /// A trade show, meetup or other event.
    Event,
    /// A reseller or partner.
    Partner,
    /// Anything else, or unknown (the default).
    #[default]
    Other,
}

vocabulary!(LifecycleStage, "stage", [Lead => "lead", Prospect => "prospect", Customer => "customer", Churned => "churned"]);
vocabulary!(Source, "source", [Web => "web", Referral => "referral", Ads => "ads", Event => "event", Partner => "partner", Other => "other"]);

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    /// The store's id.
    pub id: i64,
    /// The key another system uses for this customer; unique when present.
    pub external_id: Option<String>,
    /// Display name.
    pub name: String,
    /// E-mail address, normalised (lower-case).
    pub email: Option<String>,
    /// Phone number, normalised (E.164 when the country is known, else national digits).
    pub phone: Option<String>,
    /// Company or organisation.
    pub company: Option<String>,
    /// Lifecycle stage.
    pub stage: LifecycleStage,
    /// Acquisition source.
    pub source: Source,
    /// Tags, normalised (lower-case), sorted.
    pub tags: Vec<String>,
    /// When the customer was created.
    pub created_at: Timestamp,
    /// When the customer last changed.
    pub updated_at: Timestamp,
    /// Starts at 1; every update adds 1. Pass it back as `expected_version` to update safely.
    pub version: i64,
    /// Values of the store's custom fields (absent when the customer has none).
    #[serde(default)]
    pub custom: CustomValues,
}

/// A customer to create. Only `name` is required.
///
/// ```
/// use crm_core::{NewCustomer, Source};
/// let c = NewCustomer::new("Ada Lovelace").email("ada@example.com").source(Source::Referral).tag("vip");
/// assert_eq!(c.tags, ["vip"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewCustomer {
    /// The key another system uses for this customer; must be unique.
    pub external_id: Option<String>,
    /// Display name (required, 1–500 characters).
    pub name: String,
    /// E-mail address; validated and normalised.
    pub email: Option<String>,
    /// Phone number; validated and normalised.
    pub phone: Option<String>,
    /// Company or organisation.
    pub company: Option<String>,
    /// Lifecycle stage (default: lead).
    pub stage: LifecycleStage,
    /// Acquisition source (default: other).
    pub source: Source,
    /// Tags.
    pub tags: Vec<String>,
    /// Creation time to record (for imports); `None` means the handle's clock.
    pub created_at: Option<Timestamp>,
    /// Custom field values by field name, checked against the definitions on insert.
    #[serde(default)]
    pub custom: BTreeMap<String, Value>,
}

impl NewCustomer {
    /// A new customer with this name and defaults for everything else.
    pub fn new(name: impl Into<String>) -> NewCustomer {
        NewCustomer {
            name: name.into(),
            ..NewCustomer::default()
        }
    }
    /// Sets the external id.
    pub fn external_id(mut self, v: impl Into<String>) -> Self {
        self.external_id = Some(v.into());
        self
    }
    /// Sets the e-mail address.
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.email = Some(v.into());
        self
    }
    /// Sets the phone number.
    pub fn phone(mut self, v: impl Into<String>) -> Self {
        self.phone = Some(v.into());
        self
    }
    /// Sets the company.
    pub fn company(mut self, v: impl Into<String>) -> Self {
        self.company = Some(v.into());
        self
    }
    /// Sets the lifecycle stage.
    pub fn stage(mut self, v: LifecycleStage) -> Self {
        self.stage = v;
        self
    }
    /// Sets the source.
    pub fn source(mut self, v: Source) -> Self {
        self.source = v;
        self
    }
    /// Adds a tag.
    pub fn tag(mut self, v: impl Into<String>) -> Self {
        self.tags.push(v.into());
        self
    }
    /// Sets the creation time (imports).
    pub fn created_at(mut self, v: Timestamp) -> Self {
        self.created_at = Some(v);
        self
    }
    /// Sets a custom field's value.
    pub fn field(mut self, name: impl Into<String>, v: impl Into<Value>) -> Self {
        self.custom.insert(name.into(), v.into());
        self
    }

    /// Validates every field and brings it to its normal form, in place.
    pub fn normalize(&mut self) -> Result<()> {
        self.name = required_text("name", &self.name)?;
        normalize_optional(&mut self.external_id, |v| required_text("external_id", v))?;
        normalize_optional(&mut self.company, |v| required_text("company", v))?;
        normalize_optional(&mut self.email, normalize_email)?;
        normalize_optional(&mut self.phone, normalize_phone)?;
        if !self.tags.is_empty() {
            self.tags = normalize_tags(&self.tags)?;
        }
        if let Some(t) = self.created_at
            && !t.is_supported()
        {
            return Err(Error::invalid(
                "created_at",
                t.as_micros().to_string(),
                "must be between 0001-01-01 and 9999-12-31 (microseconds since 1970, UTC)",
            ));
        }
        Ok(())
    }
}

/// A partial update: fields left `None` are not touched. For fields that may be absent,
/// `Some(None)` clears the value.
///
/// ```
/// use crm_core::{CustomerPatch, LifecycleStage};
/// let patch = CustomerPatch::default().stage(LifecycleStage::Customer).phone(None).expect_version(3);
/// assert!(patch.name.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerPatch {
    /// New external id, or `Some(None)` to remove it.
    pub external_id: Option<Option<String>>,
    /// New name.
    pub name: Option<String>,
    /// New e-mail address, or `Some(None)` to remove it.
    pub email: Option<Option<String>>,
    /// New phone number, or `Some(None)` to remove it.
    pub phone: Option<Option<String>>,
    /// New company, or `Some(None)` to remove it.
    pub company: Option<Option<String>>,
    /// New stage.
    pub stage: Option<LifecycleStage>,
    /// New source.
    pub source: Option<Source>,
    /// New tag set (replaces the old one).
    pub tags: Option<Vec<String>>,
    /// When set, the update is refused with [`Error::Conflict`] unless the stored version matches.
    pub expected_version: Option<i64>,
    /// Custom field values to set; `Value::Null` clears one.
    #[serde(default)]
    pub custom: BTreeMap<String, Value>,
}

impl CustomerPatch {
    /// Sets the external id (`None` removes it).
    pub fn external_id(mut self, v: Option<impl Into<String>>) -> Self {
        self.external_id = Some(v.map(Into::into));
        self
    }
    /// Sets the name.
    pub fn name(mut self, v: impl Into<String>) -> Self {
        self.name = Some(v.into());
        self
    }
    /// Sets the e-mail address (`None` removes it).
    pub fn email(mut self, v: Option<impl Into<String>>) -> Self {
        self.email = Some(v.map(Into::into));
        self
    }
    /// Sets the phone number (`None` removes it).
    pub fn phone(mut self, v: Option<&str>) -> Self {
        self.phone = Some(v.map(str::to_owned));
        self
    }
    /// Sets the company (`None` removes it).
    pub fn company(mut self, v: Option<impl Into<String>>) -> Self {
        self.company = Some(v.map(Into::into));
        self
    }
    /// Sets the stage.
    pub fn stage(mut self, v: LifecycleStage) -> Self {
        self.stage = Some(v);
        self
    }
    /// Sets the source.
    pub fn source(mut self, v: Source) -> Self {
        self.source = Some(v);
        self
    }
    /// Replaces the tags.
    pub fn tags<S: Into<String>>(mut self, v: impl IntoIterator<Item = S>) -> Self {
        self.tags = Some(v.into_iter().map(Into::into).collect());
        self
    }
    /// Sets a custom field's value (`Value::Null` clears it).
    pub fn field(mut self, name: impl Into<String>, v: impl Into<Value>) -> Self {
        self.custom.insert(name.into(), v.into());
        self
    }
    /// Refuses the update unless the stored version is `v`.
    pub fn expect_version(mut self, v: i64) -> Self {
        self.expected_version = Some(v);
        self
    }

    /// True when the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.external_id.is_none()
            && self.name.is_none()
            && self.email.is_none()
            && self.phone.is_none()
            && self.company.is_none()
            && self.stage.is_none()
            && self.source.is_none()
            && self.tags.is_none()
            && self.custom.is_empty()
    }

    /// Applies the patch to `current`, validating each new value; returns the changed customer
    /// (version and `updated_at` are the caller's to set).
    pub fn apply(&self, current: &Customer) -> Result<Customer> {
        let mut next = current.clone();
        if let Some(v) = &self.expected_version
            && *v != current.version
        {
            return Err(Error::Conflict {
                entity: "customer",
                id: current.id,
                expected: *v,
                actual: current.version,
            });
        }
        if let Some(name) = &self.name {
            next.name = required_text("name", name)?;
        }
        if let Some(v) = &self.external_id {
            next.external_id = optional(v, |t| required_text("external_id", t))?;
        }
        if let Some(v) = &self.email {
            next.email = optional(v, normalize_email)?;
        }
        if let Some(v) = &self.phone {
            next.phone = optional(v, normalize_phone)?;
        }
        if let Some(v) = &self.company {
            next.company = optional(v, |t| required_text("company", t))?;
        }
        if let Some(v) = self.stage {
            next.stage = v;
        }
        if let Some(v) = self.source {
            next.source = v;
        }
        if let Some(tags) = &self.tags {
            next.tags = normalize_tags(tags)?;
        }
        Ok(next)
    }
}

impl crate::model::audit::Audited for Customer {
    fn audit_values(&self) -> crate::model::audit::AuditValues {
        use serde_json::Value as Json;
        let opt = |v: &Option<String>| v.clone().map_or(Json::Null, Json::String);
        vec![
            ("external_id", opt(&self.external_id), false),
            ("name", Json::String(self.name.clone()), true),
            ("email", opt(&self.email), true),
            ("phone", opt(&self.phone), true),
            ("company", opt(&self.company), false),
            ("stage", Json::from(self.stage.as_str()), false),
            ("source", Json::from(self.source.as_str()), false),
            ("tags", Json::from(self.tags.clone()), false),
        ]
    }

    fn audit_custom(&self) -> Vec<(String, serde_json::Value)> {
        self.custom
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect()
    }
}

/// Behavioural fields of a customer, computed from their purchases and interactions, which
/// filters, segments and sort orders use like stored fields: `total_spend` (sum of completed
/// purchases, minor units, all currencies added — meaningful in a one-currency store),
/// `purchase_count` (completed purchases), `last_purchase`, `last_interaction` (instants; empty
/// when there is none).
pub const CUSTOMER_BEHAVIOUR_FIELDS: [FieldSpec; 9] = [
    FieldSpec::builtin("total_spend", FieldType::Integer),
    FieldSpec::builtin("purchase_count", FieldType::Integer),
    FieldSpec::builtin("last_purchase", FieldType::Timestamp),
    FieldSpec::builtin("last_interaction", FieldType::Timestamp),
    FieldSpec::builtin("open_tickets", FieldType::Integer),
    FieldSpec::builtin("has_open_ticket", FieldType::Boolean),
    FieldSpec::builtin("tickets_last_90d", FieldType::Integer),
    FieldSpec::builtin("open_deals", FieldType::Integer),
    FieldSpec::builtin("open_deal_value", FieldType::Integer),
];

/// The customer's built-in fields, by the names filters and sort orders use.
pub const CUSTOMER_FIELDS: &[FieldSpec] = &[
    FieldSpec::builtin("id", FieldType::Integer),
    FieldSpec::builtin("external_id", FieldType::Text),
    FieldSpec::builtin("name", FieldType::Text),
    FieldSpec::builtin("email", FieldType::Email),
    FieldSpec::builtin("phone", FieldType::Phone),
    FieldSpec::builtin("company", FieldType::Text),
    FieldSpec::builtin("stage", FieldType::Enum(LifecycleStage::NAMES)),
    FieldSpec::builtin("source", FieldType::Enum(Source::NAMES)),
    FieldSpec::builtin("tags", FieldType::Tags),
    FieldSpec::builtin("created_at", FieldType::Timestamp),
    FieldSpec::builtin("updated_at", FieldType::Timestamp),
    FieldSpec::builtin("version", FieldType::Integer),
];

fn normalize_optional(v: &mut Option<String>, f: impl Fn(&str) -> Result<String>) -> Result<()> {
    *v = optional(v, f)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_parse_and_print() {
        assert_eq!(
            "Prospect".parse::<LifecycleStage>().unwrap(),
            LifecycleStage::Prospect
        );
        assert_eq!(Source::Ads.to_string(), "ads");
        let e = "vip".parse::<LifecycleStage>().unwrap_err();
        assert!(
            e.to_string().contains("lead, prospect, customer, churned"),
            "{e}"
        );
        assert_eq!(Source::NAMES.len(), Source::ALL.len());
    }

    #[test]
    fn new_customer_normalizes() {
        let mut c = NewCustomer::new("  Ada ")
            .email(" ADA@Example.com")
            .phone("")
            .tag("VIP")
            .tag("vip");
        c.normalize().unwrap();
        assert_eq!(c.name, "Ada");
        assert_eq!(c.email.as_deref(), Some("ada@example.com"));
        assert_eq!(c.phone, None);
        assert_eq!(c.tags, ["vip"]);
        assert!(NewCustomer::new(" ").normalize().is_err());
        assert!(NewCustomer::new("a\u{7}b").normalize().is_err());
        assert!(NewCustomer::new("x".repeat(501)).normalize().is_err());
        let e = NewCustomer::new("x")
            .created_at(Timestamp::from_micros(i64::MAX))
            .normalize()
            .unwrap_err();
        assert!(e.to_string().contains("created_at"), "{e}");
    }

    #[test]
    fn patch_applies_and_checks_version() {
        let current = Customer {
            id: 1,
            external_id: None,
            name: "A".into(),
            email: Some("a@example.com".into()),
            phone: None,
            company: None,
            stage: LifecycleStage::Lead,
            source: Source::Web,
            tags: vec![],
            created_at: Timestamp::from_micros(0),
            updated_at: Timestamp::from_micros(0),
            version: 2,
            custom: Default::default(),
        };
        let next = CustomerPatch::default()
            .email(None::<String>)
            .stage(LifecycleStage::Customer)
            .apply(&current)
            .unwrap();
        assert_eq!(next.email, None);
        assert_eq!(next.stage, LifecycleStage::Customer);
        let e = CustomerPatch::default()
            .name("B")
            .expect_version(1)
            .apply(&current)
            .unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::Conflict);
        assert!(e.to_string().contains("version 2"), "{e}");
        assert!(
            CustomerPatch::default()
                .email(Some("bad"))
                .apply(&current)
                .is_err()
        );
        assert!(CustomerPatch::default().is_empty());
    }
}
