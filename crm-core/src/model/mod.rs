//! The domain model: plain types and their rules. No SQL, no I/O, no bindings.

/// Implements the string forms (`as_str`, `FromStr`, `Display`, `ALL`) of a closed vocabulary.
macro_rules! vocabulary {
    ($ty:ident, $field:literal, [$($variant:ident => $text:literal),+ $(,)?]) => {
        impl $ty {
            /// Every value, in order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];
            /// Every value's text form, in order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The text form used in the store, the C ABI and Python.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }

        impl FromStr for $ty {
            type Err = Error;
            fn from_str(s: &str) -> Result<$ty> {
                let t = s.trim();
                $(if t.eq_ignore_ascii_case($text) { return Ok($ty::$variant); })+
                Err(Error::invalid($field, s, format!("must be one of {}", $ty::NAMES.join(", "))))
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod audit;
pub mod campaign;
pub mod campaign_report;
pub mod contact;
pub mod custom_field;
pub mod customer;
pub mod customer_columns;
pub mod deal;
pub mod field;
pub mod filter;
pub mod filter_text;
pub mod interaction;
pub mod money;
pub mod note;
pub mod principal;
pub mod product;
pub mod purchase;
pub mod query;
pub mod segment;
pub mod sla;
pub mod text;
pub mod ticket;
