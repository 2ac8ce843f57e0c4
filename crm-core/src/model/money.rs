//! Money: exact amounts in minor units (cents, fen) with an ISO-4217 currency code. Analytics
//! convert to `f64` over one currency at a time; the store never does.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An ISO-4217 alphabetic currency code such as `EUR` or `CNY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// The three-letter code.
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl FromStr for Currency {
    type Err = Error;
    fn from_str(s: &str) -> Result<Currency> {
        let t = s.trim().to_ascii_uppercase();
        match t.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => {
                Ok(Currency([*a, *b, *c]))
            }
            _ => Err(Error::invalid(
                "currency",
                s,
                "must be a three-letter ISO-4217 code such as EUR",
            )),
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = Error;
    fn try_from(s: String) -> Result<Currency> {
        s.parse()
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An exact amount of money: `minor` units (e.g. cents) of `currency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in minor units.
    pub minor: i64,
    /// Currency.
    pub currency: Currency,
}

impl Money {
    /// `minor` units of `currency` (e.g. `Money::new(1999, "EUR")` is €19.99).
    pub fn new(minor: i64, currency: &str) -> Result<Money> {
        Ok(Money {
            minor,
            currency: currency.parse()?,
        })
    }

    /// Refuses a negative amount, naming `field`.
    pub fn require_non_negative(&self, field: &str) -> Result<()> {
        if self.minor < 0 {
            return Err(Error::invalid(
                field,
                format!("{} {}", self.minor, self.currency),
                "must not be negative",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies() {
        assert_eq!(Money::new(1999, "eur").unwrap().currency.as_str(), "EUR");
        for bad in ["", "EU", "EURO", "E1R", "€"] {
            assert!(bad.parse::<Currency>().is_err(), "{bad}");
        }
    }
}
