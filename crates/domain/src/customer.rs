//! Customers: who buys packages and opens tickets.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{CustomerId, EmailAddress};

/// The language a customer reads: every page and e-mail a customer sees exists in both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Turkish, the default.
    #[default]
    Tr,
    /// English.
    En,
}

impl Language {
    /// The ISO 639-1 code.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Tr => "tr",
            Self::En => "en",
        }
    }
}

impl FromStr for Language {
    type Err = CustomerError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "tr" | "tr-tr" => Ok(Self::Tr),
            "en" | "en-us" | "en-gb" => Ok(Self::En),
            _ => Err(CustomerError::UnknownLanguage(text.to_owned())),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

/// A customer's id in another system: a help desk (`zendesk`, `freshdesk`, ...) or a gateway
/// (`stripe`). The pair (system, value) identifies at most one customer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ExternalId {
    system: String,
    value: String,
}

impl ExternalId {
    /// Checks and makes an external id: the system is a lower-case word (letters, digits, `_`,
    /// `-`, at most 40), the value any non-blank text up to 200 characters.
    ///
    /// # Errors
    /// [`CustomerError::InvalidExternalId`].
    pub fn new(system: &str, value: &str) -> Result<Self, CustomerError> {
        let system = system.trim().to_ascii_lowercase();
        let value = value.trim();
        let system_ok = !system.is_empty()
            && system.len() <= 40
            && system
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let value_ok = !value.is_empty() && value.chars().count() <= 200;
        if system_ok && value_ok {
            Ok(Self {
                system,
                value: value.to_owned(),
            })
        } else {
            Err(CustomerError::InvalidExternalId {
                system,
                value: value.to_owned(),
            })
        }
    }

    /// The other system's name.
    #[must_use]
    pub fn system(&self) -> &str {
        &self.system
    }

    /// The id in that system.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// Why customer data was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    /// Only Turkish and English exist.
    #[error("unknown language `{0}`; use `tr` or `en`")]
    UnknownLanguage(String),
    /// Blank or overlong external id.
    #[error(
        "invalid external id `{system}:{value}`: the system is a short lower-case word, the value 1-200 characters"
    )]
    InvalidExternalId {
        /// The system as given.
        system: String,
        /// The value as given.
        value: String,
    },
    /// Blank or overlong name.
    #[error("a customer name is 1-200 characters")]
    InvalidName,
}

/// A customer of the support organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Its id.
    pub id: CustomerId,
    /// Where invoices and notifications go; unique among customers.
    pub email: EmailAddress,
    /// Display name (person or company).
    pub name: String,
    /// The language pages and e-mails are shown in.
    pub language: Language,
    /// Ids in help desks and gateways.
    pub external_ids: Vec<ExternalId>,
}

impl Customer {
    /// Makes a customer, checking the name.
    ///
    /// # Errors
    /// [`CustomerError::InvalidName`].
    pub fn new(
        id: CustomerId,
        email: EmailAddress,
        name: &str,
        language: Language,
        external_ids: Vec<ExternalId>,
    ) -> Result<Self, CustomerError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(CustomerError::InvalidName);
        }
        Ok(Self {
            id,
            email,
            name: name.to_owned(),
            language,
            external_ids,
        })
    }
}
