//! What a help desk asks Kasa to let through: a ticket or a chat, named by the help desk's own id.
//! That id makes the charge idempotent (product rule 7: per ticket, never per reply).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A ticket or a live-chat session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageKind {
    /// A ticket (e-mail or web form).
    Ticket,
    /// A live-chat session opened by a logged-in customer.
    Chat,
}

impl UsageKind {
    /// `ticket` or `chat`.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Ticket => "ticket",
            Self::Chat => "chat",
        }
    }
}

/// Identifies one ticket or chat for one customer: charging the same key again costs nothing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UsageKey {
    kind: UsageKind,
    reference: String,
}

/// Why a ticket or chat reference was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a ticket or chat id is 1-200 characters without control characters")]
pub struct UsageKeyError;

impl UsageKey {
    /// Makes a key from the help desk's ticket or chat id (trimmed; 1-200 characters).
    ///
    /// # Errors
    /// [`UsageKeyError`].
    pub fn new(kind: UsageKind, reference: &str) -> Result<Self, UsageKeyError> {
        let reference = reference.trim();
        if reference.is_empty()
            || reference.chars().count() > 200
            || reference.chars().any(char::is_control)
        {
            return Err(UsageKeyError);
        }
        Ok(Self {
            kind,
            reference: reference.to_owned(),
        })
    }

    /// Ticket or chat.
    #[must_use]
    pub const fn kind(&self) -> UsageKind {
        self.kind
    }

    /// The help desk's id of the ticket or chat.
    #[must_use]
    pub fn reference(&self) -> &str {
        &self.reference
    }
}

impl fmt::Display for UsageKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} {}", self.kind.label(), self.reference)
    }
}
