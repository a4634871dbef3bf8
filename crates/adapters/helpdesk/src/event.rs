//! What a help desk's delivery says, in Kasa's words: which ticket or chat, what happened to
//! it, who asked, and the help desk's own routing (group, brand, mailbox) that the operator maps
//! to a Kasa department. Each vendor's `event` module turns its wire format into this; nothing
//! vendor-shaped goes further.

use serde::Deserialize;

/// A ticket or a chat: chats are charged per chat, tickets per ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A ticket (e-mail, web form, phone, ...).
    Ticket,
    /// A live chat or messaging conversation.
    Chat,
}

/// What happened to the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Happening {
    /// It was opened: the only event that charges.
    Opened,
    /// Someone replied: never charges.
    Replied,
    /// Anything else the help desk sends (named as it sent it); acknowledged, never charged.
    Other(String),
}

/// A ticket event, whatever help desk sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketEvent {
    /// What happened.
    pub happening: Happening,
    /// The help desk's ticket, conversation or chat id.
    pub ticket: String,
    /// Ticket or chat.
    pub channel: Channel,
    /// The requester's e-mail, when the delivery carries it.
    pub requester_email: Option<String>,
    /// The requester's id in the help desk (its user or customer id), when carried.
    pub requester_external_id: Option<String>,
    /// The help desk's routing of the ticket, most specific first, each as `kind:value`
    /// (`group:360001`, `brand:12`, `mailbox:85`, `queue:sales`): the keys of the operator's
    /// department mapping.
    pub routes: Vec<String>,
}

/// Why a delivery's body is not an event Kasa understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// The body is not the JSON the help desk documents.
    #[error("the body is not a {vendor} event: {reason}")]
    Malformed {
        /// Which help desk's format was expected.
        vendor: &'static str,
        /// What did not parse.
        reason: String,
    },
    /// A field Kasa needs is absent or empty.
    #[error("the {vendor} event has no {field}")]
    Missing {
        /// Which help desk's format.
        vendor: &'static str,
        /// The field.
        field: &'static str,
    },
}

/// An id as help desks send them: a JSON number or a string (Zendesk sends both, depending on
/// the event family).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum WireId {
    Number(u64),
    Text(String),
}

impl WireId {
    /// The id as text, `None` when blank (an empty placeholder, or Zendesk's `"0"` for "none").
    pub(crate) fn text(&self) -> Option<String> {
        let text = match self {
            Self::Number(number) => number.to_string(),
            Self::Text(text) => text.trim().to_owned(),
        };
        (!text.is_empty() && text != "0").then_some(text)
    }
}

/// A text field, `None` when blank (help desks fill absent placeholders with "").
pub(crate) fn filled(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

/// The routes `kind:value` for the routing values present.
pub(crate) fn routes(pairs: &[(&str, Option<String>)]) -> Vec<String> {
    pairs
        .iter()
        .filter_map(|(kind, value)| value.as_ref().map(|value| format!("{kind}:{value}")))
        .collect()
}

/// Whether a help desk's channel name is a live conversation rather than a ticket.
pub(crate) fn is_chat_channel(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["chat", "messaging", "whatsapp", "messenger"]
        .iter()
        .any(|word| name.contains(word))
}

pub(crate) fn parse<'a, T: Deserialize<'a>>(
    vendor: &'static str,
    body: &'a [u8],
) -> Result<T, EventError> {
    serde_json::from_slice(body).map_err(|error| EventError::Malformed {
        vendor,
        reason: error.to_string(),
    })
}
