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
    /// A tax id Kasa cannot put on an invoice.
    #[error("invalid tax id `{value}`: {why}")]
    InvalidTaxId {
        /// The tax id as given.
        value: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// An overlong tax office or billing address.
    #[error("the {field} is at most {limit} characters")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its limit.
        limit: usize,
    },
}

/// A buyer's tax identification number as printed on invoices: a Turkish VKN (10 digits) or
/// TCKN (11 digits, checked with its check digits), or another country's number (2-32 letters
/// and digits, e.g. an EU VAT number `DE123456789`). Spaces, dots and dashes are dropped and
/// letters upper-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaxId(String);

impl TaxId {
    /// Checks and normalises a tax id.
    ///
    /// # Errors
    /// [`CustomerError::InvalidTaxId`] saying what is wrong.
    pub fn parse(text: &str) -> Result<Self, CustomerError> {
        let invalid = |why| CustomerError::InvalidTaxId {
            value: text.to_owned(),
            why,
        };
        let value: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if value.len() < 2 || value.len() > 32 {
            return Err(invalid("a tax id has 2 to 32 letters and digits"));
        }
        if !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(invalid("a tax id has only letters and digits"));
        }
        if value.len() == 11 && value.chars().all(|c| c.is_ascii_digit()) && !tckn_valid(&value) {
            return Err(invalid(
                "an 11-digit number is a Turkish identity number (TCKN) and its check digits do not match",
            ));
        }
        Ok(Self(value))
    }

    /// The normalised text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The TCKN rule: no leading zero; the 10th digit is (7 × the sum of the odd places − the sum
/// of the even places of the first nine) mod 10; the 11th the sum of the first ten mod 10.
fn tckn_valid(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 11 || d[0] == 0 {
        return false;
    }
    let odd = d[0] + d[2] + d[4] + d[6] + d[8];
    let even = d[1] + d[3] + d[5] + d[7];
    let tenth = (odd * 7 + 10 * even - even) % 10;
    let eleventh = d[..10].iter().sum::<u32>() % 10;
    d[9] == tenth && d[10] == eleventh
}

impl TryFrom<String> for TaxId {
    type Error = CustomerError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<TaxId> for String {
    fn from(tax_id: TaxId) -> Self {
        tax_id.0
    }
}

impl fmt::Display for TaxId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// What a customer's invoices say about the buyer beyond the name: the tax id, the tax office
/// (vergi dairesi, for Turkish tax ids) and the billing address. All optional: a receipt needs
/// none of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxDetails {
    /// The tax id.
    pub tax_id: Option<TaxId>,
    /// The tax office.
    pub tax_office: Option<String>,
    /// The billing address, lines separated by newlines.
    pub billing_address: Option<String>,
}

impl TaxDetails {
    /// The longest tax office name.
    pub const TAX_OFFICE_LIMIT: usize = 100;
    /// The longest billing address.
    pub const ADDRESS_LIMIT: usize = 500;

    /// Checks and makes tax details; blank texts count as absent.
    ///
    /// # Errors
    /// [`CustomerError::InvalidTaxId`], [`CustomerError::TooLong`].
    pub fn new(
        tax_id: Option<&str>,
        tax_office: Option<&str>,
        billing_address: Option<&str>,
    ) -> Result<Self, CustomerError> {
        let present = |text: Option<&str>| {
            text.map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        let bounded = |text: Option<String>, field, limit| match text {
            Some(text) if text.chars().count() > limit => {
                Err(CustomerError::TooLong { field, limit })
            }
            other => Ok(other),
        };
        let billing_address = present(billing_address).map(|address| {
            address
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        });
        Ok(Self {
            tax_id: present(tax_id).as_deref().map(TaxId::parse).transpose()?,
            tax_office: bounded(present(tax_office), "tax office", Self::TAX_OFFICE_LIMIT)?,
            billing_address: bounded(billing_address, "billing address", Self::ADDRESS_LIMIT)?,
        })
    }
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
    /// The buyer details invoices carry.
    #[serde(default)]
    pub tax_details: TaxDetails,
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
            tax_details: TaxDetails::default(),
        })
    }

    /// The same customer with these tax details.
    #[must_use]
    pub fn with_tax_details(self, tax_details: TaxDetails) -> Self {
        Self {
            tax_details,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_ids_are_normalised_and_turkish_identity_numbers_checked() {
        assert_eq!(
            TaxId::parse(" 123 456-78.90 ").unwrap().as_str(),
            "1234567890"
        );
        assert_eq!(TaxId::parse("de123456789").unwrap().as_str(), "DE123456789");
        assert_eq!(TaxId::parse("10000000146").unwrap().as_str(), "10000000146");
        for wrong in ["10000000147", "10000000156", "01000000146"] {
            assert!(
                matches!(TaxId::parse(wrong), Err(CustomerError::InvalidTaxId { .. })),
                "{wrong}"
            );
        }
        for wrong in ["", "1", "12/34", "ÇÖ123", &"9".repeat(33)] {
            assert!(TaxId::parse(wrong).is_err(), "{wrong:?}");
        }
    }

    #[test]
    fn tax_details_treat_blanks_as_absent_and_bound_their_lengths() {
        let details = TaxDetails::new(
            Some(" "),
            Some(" Kadıköy "),
            Some(" Moda Cd. 1 \n\n İstanbul "),
        )
        .unwrap();
        assert_eq!(details.tax_id, None);
        assert_eq!(details.tax_office.as_deref(), Some("Kadıköy"));
        assert_eq!(
            details.billing_address.as_deref(),
            Some("Moda Cd. 1\nİstanbul")
        );
        assert_eq!(
            TaxDetails::new(None, Some(&"x".repeat(101)), None),
            Err(CustomerError::TooLong {
                field: "tax office",
                limit: 100
            })
        );
        assert!(TaxDetails::new(None, None, Some(&"x".repeat(501))).is_err());
    }
}
