//! Interactions: a customer's touchpoints (a call, a message, a visit), which make up the
//! customer's timeline.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::field::{FieldSpec, FieldType};
use super::text::required_text;
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// The channel an interaction used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// E-mail.
    Email,
    /// A phone call.
    Phone,
    /// Live chat.
    Chat,
    /// Text message.
    Sms,
    /// Social media.
    Social,
    /// Web site or app.
    Web,
    /// Face to face.
    InPerson,
}

vocabulary!(Channel, "channel", [Email => "email", Phone => "phone", Chat => "chat", Sms => "sms", Social => "social", Web => "web", InPerson => "in_person"]);

/// Who started the interaction.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The customer reached out (the default).
    #[default]
    Inbound,
    /// The company reached out.
    Outbound,
}

vocabulary!(Direction, "direction", [Inbound => "inbound", Outbound => "outbound"]);

/// What kind of touchpoint it was.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    /// A note written by staff (the default).
    #[default]
    Note,
    /// A call.
    Call,
    /// A message (e-mail, chat, text).
    Message,
    /// A meeting.
    Meeting,
    /// A visit (store, site).
    Visit,
    /// Anything else.
    Other,
}

vocabulary!(InteractionKind, "kind", [Note => "note", Call => "call", Message => "message", Meeting => "meeting", Visit => "visit", Other => "other"]);

/// Interaction metadata: a JSON object.
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// Longest subject accepted, in characters.
pub const MAX_SUBJECT_LEN: usize = 500;
/// Longest body accepted, in bytes (1 MiB).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// An interaction as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    /// The store's id.
    pub id: i64,
    /// Whose touchpoint.
    pub customer_id: i64,
    /// Channel.
    pub channel: Channel,
    /// Direction.
    pub direction: Direction,
    /// Kind.
    pub kind: InteractionKind,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// Subject line.
    pub subject: Option<String>,
    /// Free text (personal data: erasure reaches it).
    pub body: Option<String>,
    /// Anything else, as a JSON object.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// The campaign it belongs to (a campaign message), if any.
    pub campaign_id: Option<i64>,
    /// The ticket it belongs to (a service request), if any.
    pub ticket_id: Option<i64>,
    /// When it was recorded.
    pub created_at: Timestamp,
}

/// An interaction to record.
///
/// ```
/// use crm_core::{Channel, InteractionKind, NewInteraction};
/// let i = NewInteraction::new(7, Channel::Phone).kind(InteractionKind::Call).subject("Delivery date");
/// assert_eq!(i.customer_id, 7);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewInteraction {
    /// Whose touchpoint (must exist).
    pub customer_id: i64,
    /// Channel.
    pub channel: Channel,
    /// Direction (default inbound).
    pub direction: Direction,
    /// Kind (default note).
    pub kind: InteractionKind,
    /// When; `None` means the handle's clock.
    pub occurred_at: Option<Timestamp>,
    /// Subject line.
    pub subject: Option<String>,
    /// Free text.
    pub body: Option<String>,
    /// Anything else, as a JSON object.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// The campaign it belongs to (must exist).
    pub campaign_id: Option<i64>,
    /// The ticket it belongs to (must exist).
    pub ticket_id: Option<i64>,
}

impl NewInteraction {
    /// An inbound note on `channel` for `customer_id`, now.
    pub fn new(customer_id: i64, channel: Channel) -> NewInteraction {
        NewInteraction {
            customer_id,
            channel,
            direction: Direction::default(),
            kind: InteractionKind::default(),
            occurred_at: None,
            subject: None,
            body: None,
            metadata: serde_json::Map::new(),
            campaign_id: None,
            ticket_id: None,
        }
    }
    /// Links it to a campaign, so the campaign shows on the customer's timeline.
    pub fn campaign(mut self, campaign_id: i64) -> Self {
        self.campaign_id = Some(campaign_id);
        self
    }
    /// Links it to a ticket, so the ticket shows on the customer's timeline.
    pub fn ticket(mut self, ticket_id: i64) -> Self {
        self.ticket_id = Some(ticket_id);
        self
    }
    /// Sets the direction.
    pub fn direction(mut self, v: Direction) -> Self {
        self.direction = v;
        self
    }
    /// Sets the kind.
    pub fn kind(mut self, v: InteractionKind) -> Self {
        self.kind = v;
        self
    }
    /// Sets when it happened.
    pub fn at(mut self, t: Timestamp) -> Self {
        self.occurred_at = Some(t);
        self
    }
    /// Sets the subject.
    pub fn subject(mut self, v: impl Into<String>) -> Self {
        self.subject = Some(v.into());
        self
    }
    /// Sets the body.
    pub fn body(mut self, v: impl Into<String>) -> Self {
        self.body = Some(v.into());
        self
    }
    /// Parses `json` (a JSON object) as the metadata.
    pub fn metadata_json(mut self, json: &str) -> Result<Self> {
        self.metadata = parse_metadata(json)?;
        Ok(self)
    }

    /// Validates and normalises in place.
    pub fn normalize(&mut self) -> Result<()> {
        self.subject = match self.subject.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => {
                if t.chars().count() > MAX_SUBJECT_LEN {
                    return Err(Error::invalid(
                        "subject",
                        t,
                        format!("must be at most {MAX_SUBJECT_LEN} characters"),
                    ));
                }
                Some(required_text("subject", t)?)
            }
            _ => None,
        };
        if let Some(b) = &self.body {
            if b.len() > MAX_BODY_BYTES {
                return Err(Error::invalid(
                    "body",
                    format!("{} bytes", b.len()),
                    "must be at most 1 MiB",
                ));
            }
            if b.contains('\0') {
                return Err(Error::invalid(
                    "body",
                    "",
                    "must not contain NUL characters",
                ));
            }
            if b.trim().is_empty() {
                self.body = None;
            }
        }
        if let Some(t) = self.occurred_at
            && !t.is_supported()
        {
            return Err(Error::invalid(
                "occurred_at",
                t.as_micros().to_string(),
                "must be between 0001-01-01 and 9999-12-31",
            ));
        }
        Ok(())
    }
}

impl Interaction {
    /// The metadata as compact JSON text (keys in sorted order).
    pub fn metadata_json(&self) -> String {
        serde_json::Value::Object(self.metadata.clone()).to_string()
    }
}

impl crate::model::audit::Audited for Interaction {
    fn audit_values(&self) -> crate::model::audit::AuditValues {
        use serde_json::Value as Json;
        let opt = |v: &Option<String>| v.clone().map_or(Json::Null, Json::String);
        vec![
            ("customer_id", Json::from(self.customer_id), false),
            ("channel", Json::from(self.channel.as_str()), false),
            ("direction", Json::from(self.direction.as_str()), false),
            ("kind", Json::from(self.kind.as_str()), false),
            (
                "occurred_at",
                Json::from(self.occurred_at.as_micros()),
                false,
            ),
            ("subject", opt(&self.subject), true),
            ("body", opt(&self.body), true),
            (
                "campaign_id",
                self.campaign_id.map_or(Json::Null, Json::from),
                false,
            ),
            (
                "ticket_id",
                self.ticket_id.map_or(Json::Null, Json::from),
                false,
            ),
        ]
    }
}

/// Parses interaction metadata: a JSON object (`{}` for none).
pub fn parse_metadata(json: &str) -> Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::invalid("metadata", json, "must be a JSON object")),
        Err(e) => Err(Error::Parse {
            position: e.column().saturating_sub(1),
            message: format!("metadata is not JSON: {e}"),
        }),
    }
}

/// The interaction fields filters and sort orders may name.
pub const INTERACTION_FIELDS: &[FieldSpec] = &[
    FieldSpec::builtin("id", FieldType::Integer),
    FieldSpec::builtin("customer_id", FieldType::Integer),
    FieldSpec::builtin("channel", FieldType::Enum(Channel::NAMES)),
    FieldSpec::builtin("direction", FieldType::Enum(Direction::NAMES)),
    FieldSpec::builtin("kind", FieldType::Enum(InteractionKind::NAMES)),
    FieldSpec::builtin("occurred_at", FieldType::Timestamp),
    FieldSpec::builtin("subject", FieldType::Text),
    FieldSpec::builtin("campaign_id", FieldType::Integer),
    FieldSpec::builtin("ticket_id", FieldType::Integer),
    FieldSpec::builtin("created_at", FieldType::Timestamp),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies() {
        assert_eq!("in_person".parse::<Channel>().unwrap(), Channel::InPerson);
        assert!(
            "fax"
                .parse::<Channel>()
                .unwrap_err()
                .to_string()
                .contains("email, phone")
        );
        assert_eq!(Direction::Outbound.to_string(), "outbound");
    }

    #[test]
    fn metadata_and_text() {
        assert_eq!(
            parse_metadata(r#"{"agent": "li", "score": 4}"#)
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            parse_metadata("[1]").unwrap_err().code(),
            crate::ErrorCode::InvalidInput
        );
        assert_eq!(
            parse_metadata("{oops").unwrap_err().code(),
            crate::ErrorCode::Parse
        );
        let mut i = NewInteraction::new(1, Channel::Chat)
            .subject("  hi ")
            .body("   ");
        i.normalize().unwrap();
        assert_eq!(
            (i.subject.as_deref(), i.body.as_deref()),
            (Some("hi"), None)
        );
        let mut big = NewInteraction::new(1, Channel::Chat).body("x".repeat(MAX_BODY_BYTES + 1));
        assert!(big.normalize().is_err());
    }
}
