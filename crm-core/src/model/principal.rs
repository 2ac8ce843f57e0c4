//! Who is acting: the principal a handle is opened for. The audit trail records it and permission
//! checks use it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A principal's role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// May do everything (the default).
    Admin,
    /// Works with customers, tickets and interactions.
    Agent,
    /// Reads and runs analytics.
    Analyst,
    /// A role defined in the store from named permissions.
    Custom(String),
}

impl Role {
    /// The role's name.
    pub fn as_str(&self) -> &str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Analyst => "analyst",
            Role::Custom(name) => name,
        }
    }
}

impl FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Role> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "agent" => Ok(Role::Agent),
            "analyst" => Ok(Role::Analyst),
            _ if valid_name(t) => Ok(Role::Custom(t.to_owned())),
            _ => Err(Error::invalid(
                "role",
                s,
                "must be 1 to 64 letters, digits, '_', '-' or '.'",
            )),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The identity a handle acts for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Principal {
    /// Who (a user name, a service name).
    pub name: String,
    /// What they may do.
    pub role: Role,
}

impl Principal {
    /// A principal with a validated name.
    pub fn new(name: &str, role: Role) -> Result<Principal> {
        let t = name.trim();
        if t.is_empty() || t.chars().count() > 200 || t.chars().any(char::is_control) {
            return Err(Error::invalid(
                "principal",
                name,
                "must be 1 to 200 characters without control characters",
            ));
        }
        Ok(Principal {
            name: t.to_owned(),
            role,
        })
    }

    /// A principal from optional parts, as bindings receive them: a missing name is `system`, a
    /// missing role is `admin`.
    pub fn from_parts(name: Option<&str>, role: Option<&str>) -> Result<Principal> {
        let role = match role {
            Some(r) => r.parse()?,
            None => Role::Admin,
        };
        Principal::new(name.unwrap_or("system"), role)
    }

    /// The built-in `system` administrator, the default principal.
    pub fn system() -> Principal {
        Principal {
            name: "system".to_owned(),
            role: Role::Admin,
        }
    }
}

impl Default for Principal {
    fn default() -> Principal {
        Principal::system()
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_principals() {
        assert_eq!("Admin".parse::<Role>().unwrap(), Role::Admin);
        assert_eq!(
            "support-lead".parse::<Role>().unwrap(),
            Role::Custom("support-lead".into())
        );
        assert!("no spaces".parse::<Role>().is_err());
        assert_eq!(Principal::default().name, "system");
        assert!(Principal::new("  ", Role::Agent).is_err());
        assert_eq!(
            Principal::new(" li.wei ", Role::Agent).unwrap().name,
            "li.wei"
        );
    }
}
