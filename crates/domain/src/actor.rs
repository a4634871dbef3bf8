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

    /// The actor back from its two labels, as stored.
    ///
    /// # Errors
    /// [`ActorLabelError`] for an unknown kind or an id that is not a UUID.
    pub fn from_labels(kind: &str, subject: &str) -> Result<Self, ActorLabelError> {
        let invalid = || ActorLabelError {
            kind: kind.to_owned(),
            subject: subject.to_owned(),
        };
        let uuid = || subject.parse::<uuid::Uuid>().map_err(|_| invalid());
        Ok(match kind {
            "operator" => Self::Operator {
                user_id: UserId::from_uuid(uuid()?),
            },
            "agent" => Self::Agent {
                user_id: UserId::from_uuid(uuid()?),
            },
            "customer" => Self::Customer {
                customer_id: CustomerId::from_uuid(uuid()?),
            },
            "help_desk" => Self::HelpDesk {
                api_key_id: ApiKeyId::from_uuid(uuid()?),
            },
            "system" if !subject.is_empty() => Self::System {
                job: subject.to_owned(),
            },
            _ => return Err(invalid()),
        })
    }
}

/// Stored actor labels that name no actor.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown actor `{kind}:{subject}`")]
pub struct ActorLabelError {
    /// The kind label.
    pub kind: String,
    /// The subject label.
    pub subject: String,
}

impl fmt::Display for Actor {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}", self.kind_label(), self.subject_label())
    }
}

/// Why a change was made: required for every agent action, and written by Kasa itself for
/// automatic ones. Never blank, at most 1000 characters (as given, before trimming).
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
        // Counted as sent, so the API's declared `maxLength` is the same rule.
        if text.chars().count() > Self::MAX_CHARACTERS {
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

    #[test]
    fn actors_come_back_from_their_labels() {
        let actors = [
            Actor::Operator {
                user_id: UserId::from_uuid(uuid::Uuid::from_u128(1)),
            },
            Actor::Agent {
                user_id: UserId::from_uuid(uuid::Uuid::from_u128(2)),
            },
            Actor::Customer {
                customer_id: CustomerId::from_uuid(uuid::Uuid::from_u128(3)),
            },
            Actor::HelpDesk {
                api_key_id: ApiKeyId::from_uuid(uuid::Uuid::from_u128(4)),
            },
            Actor::System {
                job: "expiry".to_owned(),
            },
        ];
        for actor in actors {
            let back = Actor::from_labels(actor.kind_label(), &actor.subject_label());
            assert_eq!(back, Ok(actor));
        }
        assert!(Actor::from_labels("robot", "x").is_err());
        assert!(Actor::from_labels("agent", "not-a-uuid").is_err());
        assert!(Actor::from_labels("system", "").is_err());
    }
}
