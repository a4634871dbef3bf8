//! E-mail addresses, checked and kept in one canonical form so that lookups by e-mail match.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A syntactically valid e-mail address, trimmed and lower-cased.
///
/// The check is deliberately modest (one `@`, a non-empty local part, a domain with a dot, no
/// spaces, at most 254 characters): the real proof of an address is a delivered message.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// Why a text is not an e-mail address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid e-mail address")]
pub struct EmailAddressError(pub String);

impl EmailAddress {
    /// Checks and canonicalises an address.
    ///
    /// # Errors
    /// [`EmailAddressError`] when the text is not an address.
    pub fn parse(text: &str) -> Result<Self, EmailAddressError> {
        let canonical = text.trim().to_lowercase();
        let invalid = || EmailAddressError(text.to_owned());
        if canonical.is_empty()
            || canonical.len() > 254
            || canonical
                .chars()
                .any(|character| character.is_whitespace() || character.is_control())
        {
            return Err(invalid());
        }
        let (local, domain) = canonical.split_once('@').ok_or_else(invalid)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(canonical))
    }

    /// The address as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for EmailAddress {
    type Err = EmailAddressError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailAddressError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<EmailAddress> for String {
    fn from(address: EmailAddress) -> Self {
        address.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_canonical() {
        let accepted = [
            ("ayse@example.com", "ayse@example.com"),
            ("  Ayse.Yilmaz@Example.COM ", "ayse.yilmaz@example.com"),
            (
                "billing+ref-42@kasa.example.com.tr",
                "billing+ref-42@kasa.example.com.tr",
            ),
        ];
        for (input, expected) in accepted {
            assert_eq!(
                EmailAddress::parse(input).unwrap().as_str(),
                expected,
                "{input}"
            );
        }
        let refused = [
            "",
            "ayse",
            "ayse@",
            "@example.com",
            "a b@example.com",
            "a@b@c.com",
            "a@localhost",
            "a@.com",
            "a@x..com",
        ];
        for input in refused {
            assert!(
                EmailAddress::parse(input).is_err(),
                "{input} should be refused"
            );
        }
    }
}
