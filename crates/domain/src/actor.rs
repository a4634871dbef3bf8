//! Who did something and why: every ledger and audit entry carries both.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{ApiKeyId, CustomerId, UserId};

/// Whoever caused a change.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// An operator (administrator) user.
    Operator {
        /// The user.
        user_id: UserId,
    },
    /// A support agent (or finance) user.
    Agent {
        /// The user.
        user_id: UserId,
    },
    /// The customer, on their billing pages.
    Customer {
        /// The customer.
        customer_id: CustomerId,
    },
    /// A help desk calling the API with its key.
    HelpDesk {
        /// The key it used.
        api_key_id: ApiKeyId,
    },
    /// Kasa itself: background jobs such as subscription expiry and reconciliation.
    System {
        /// Which job.
        job: String,
    },
}

impl Actor {
    /// A short stable label (`operator`, `agent`, ...), as stored in ledger and audit rows.
    #[must_use]
    pub const fn kind_label(&self) -> &'static str {
        match self {
            Self::Operator { .. } => "operator",
            Self::Agent { .. } => "agent",
            Self::Customer { .. } => "customer",
            Self::HelpDesk { .. } => "help_desk",
            Self::System { .. } => "system",
        }
    }

    /// The identifier of the acting party as text (a user, customer or key id, or the job name).
    #[must_use]
    pub fn subject_label(&self) -> String {
        match self {
            Self::Operator { user_id } | Self::Agent { user_id } => user_id.to_string(),
            Self::Customer { customer_id } => customer_id.to_string(),
            Self::HelpDesk { api_key_id } => api_key_id.to_string(),
            Self::System { job } => job.clone(),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}", self.kind_label(), self.subject_label())
    }
}

/// Why a change was made: required for every agent action, and written by Kasa itself for
/// automatic ones. Never empty, at most 1000 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reason(String);

/// Why a text is not a usable reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    /// Blank reasons explain nothing.
    #[error("a reason is required")]
    Blank,
    /// Reasons are sentences, not documents.
    #[error("a reason is at most {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
}

impl Reason {
    /// The longest reason accepted, in characters.
    pub const MAX_CHARACTERS: usize = 1000;

    /// Checks a reason.
    ///
    /// # Errors
    /// [`ReasonError`] for a blank or overlong text.
    pub fn new(text: impl Into<String>) -> Result<Self, ReasonError> {
        let text = text.into();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(ReasonError::Blank);
        }
        if trimmed.chars().count() > Self::MAX_CHARACTERS {
            return Err(ReasonError::TooLong {
                max: Self::MAX_CHARACTERS,
            });
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The reason as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Reason {
    type Error = ReasonError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(text)
    }
}

impl From<Reason> for String {
    fn from(reason: Reason) -> Self {
        reason.0
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required_and_bounded() {
        assert_eq!(Reason::new("   "), Err(ReasonError::Blank));
        assert_eq!(Reason::new(" goodwill ").unwrap().as_str(), "goodwill");
        assert_eq!(
            Reason::new("x".repeat(1001)),
            Err(ReasonError::TooLong { max: 1000 })
        );
        assert!(Reason::new("ş".repeat(1000)).is_ok());
    }
}
