//! Validation and normalisation of contact data: e-mail addresses, phone numbers, tags.
//!
//! Normal forms make equality filters and later duplicate detection work on what people meant, not
//! on how it was typed.

use crate::error::{Error, Result};

/// Validates an e-mail address and returns its normal form: trimmed and lower-cased.
///
/// The rules are the practical subset of RFC 5321 that real mail systems accept: one `@`; a local
/// part of 1–64 characters from the RFC's atom set with single interior dots; a domain of at least
/// two dot-separated labels of letters, digits and hyphens (no leading/trailing hyphen), the last
/// label alphabetic or an IDNA `xn--` label; at most 254 characters in all.
pub fn normalize_email(raw: &str) -> Result<String> {
    let email = raw.trim().to_lowercase();
    let bad = |rule: &str| Err(Error::invalid("email", raw, rule));
    if email.is_empty() {
        return bad("must not be empty");
    }
    if email.len() > 254 {
        return bad("must be at most 254 characters");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return bad("must contain '@'");
    };
    if domain.contains('@') {
        return bad("must contain exactly one '@'");
    }
    if local.is_empty() || local.len() > 64 {
        return bad("the part before '@' must be 1 to 64 characters");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return bad("the part before '@' must not start or end with '.' or contain '..'");
    }
    let atom_ok = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c);
    if !local.chars().all(atom_ok) {
        return bad("the part before '@' has a character that is not allowed");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return bad("the domain must have a dot, e.g. example.com");
    }
    for label in &labels {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return bad("each domain label must be 1 to 63 letters, digits or inner hyphens");
        }
    }
    let tld = labels[labels.len() - 1];
    if !(tld.len() >= 2
        && (tld.chars().all(|c| c.is_ascii_alphabetic()) || tld.starts_with("xn--")))
    {
        return bad("the top-level domain must be at least two letters");
    }
    Ok(email)
}

/// Validates a phone number and returns its normal form.
///
/// Spaces, dots, dashes, slashes and parentheses are dropped. A number written with a leading `+`
/// or the international prefix `00` becomes E.164 (`+` and 8–15 digits); any other number is kept
/// as its digits (4–15) in national form, since its country is not known.
pub fn normalize_phone(raw: &str) -> Result<String> {
    let t = raw.trim();
    let bad = |rule: &str| Err(Error::invalid("phone", raw, rule));
    if t.is_empty() {
        return bad("must not be empty");
    }
    let (international, rest) = if let Some(r) = t.strip_prefix('+') {
        (true, r)
    } else if let Some(r) = t.strip_prefix("00") {
        (true, r)
    } else {
        (false, t)
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '.' | '-' | '/' | '(' | ')' => {}
            _ => {
                return bad(
                    "may contain only digits, a leading '+', spaces, dots, dashes, slashes and parentheses",
                );
            }
        }
    }
    if international {
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return bad("an international number needs a country code and 8 to 15 digits");
        }
        Ok(format!("+{digits}"))
    } else {
        if !(4..=15).contains(&digits.len()) {
            return bad("must have 4 to 15 digits");
        }
        Ok(digits)
    }
}

/// Maximum length of a tag, in characters.
pub const MAX_TAG_LEN: usize = 64;

/// Validates one tag and returns its normal form: trimmed and lower-cased (tags compare without
/// case). A tag is 1–64 characters with no comma (the separator of the columnar and C forms) and no
/// control characters.
pub fn normalize_tag(raw: &str) -> Result<String> {
    let tag = raw.trim().to_lowercase();
    let bad = |rule: &str| Err(Error::invalid("tag", raw, rule));
    if tag.is_empty() {
        return bad("must not be empty");
    }
    if tag.chars().count() > MAX_TAG_LEN {
        return bad("must be at most 64 characters");
    }
    if tag.contains(',') || tag.chars().any(char::is_control) {
        return bad("must not contain a comma or control characters");
    }
    Ok(tag)
}

/// Normalises a list of tags: each by [`normalize_tag`], duplicates dropped, sorted.
pub fn normalize_tags<S: AsRef<str>>(raw: &[S]) -> Result<Vec<String>> {
    let mut tags = raw
        .iter()
        .map(|t| normalize_tag(t.as_ref()))
        .collect::<Result<Vec<_>>>()?;
    tags.sort();
    tags.dedup();
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            normalize_email("  Ada.Lovelace@Example.COM ").unwrap(),
            "ada.lovelace@example.com"
        );
        assert_eq!(
            normalize_email("a+tag@mail.example.co.uk").unwrap(),
            "a+tag@mail.example.co.uk"
        );
        assert_eq!(
            normalize_email("x@xn--fiqs8s.xn--fiqs8s").unwrap(),
            "x@xn--fiqs8s.xn--fiqs8s"
        );
        for bad in [
            "",
            "plain",
            "a@b",
            "a@@b.com",
            "a@b@c.com",
            ".a@b.com",
            "a..b@c.com",
            "a b@c.com",
            "a@-b.com",
            "a@b.c",
            "a@b.123",
            "a@b..com",
            "ü@b.com",
        ] {
            let e = normalize_email(bad).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidInput, "{bad}");
            assert!(e.to_string().contains("email"), "{e}");
        }
        assert!(normalize_email(&format!("{}@b.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn phones() {
        assert_eq!(
            normalize_phone("+1 (415) 555-0100").unwrap(),
            "+14155550100"
        );
        assert_eq!(
            normalize_phone("0086 138 0013 8000").unwrap(),
            "+8613800138000"
        );
        assert_eq!(normalize_phone("030/1234567").unwrap(), "0301234567");
        for bad in [
            "",
            "+12",
            "call me",
            "555-0100 x12",
            "+0123456789",
            "1234567890123456",
        ] {
            assert!(normalize_phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tags() {
        assert_eq!(
            normalize_tags(&["VIP", " vip", "newsletter"]).unwrap(),
            vec!["newsletter", "vip"]
        );
        assert!(normalize_tag("a,b").is_err());
        assert!(normalize_tag(" ").is_err());
        assert!(normalize_tag(&"x".repeat(65)).is_err());
        assert_eq!(normalize_tag("会员").unwrap(), "会员");
    }
}
