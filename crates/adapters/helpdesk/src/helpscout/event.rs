//! Help Scout webhook deliveries Kasa acts on (developer.helpscout.com/webhooks): the event
//! name comes in the `X-HelpScout-Event` header (`convo.created`, `convo.customer.reply.created`,
//! ...), the body is the conversation object: `id`, `number`, `type` (`email`, `chat`,
//! `phone`), `mailbox` (`{"id": 85, ...}`; `mailboxId` in Mailbox API 2.0 objects) and
//! `customer` (`primaryCustomer` in 2.0) with `id` and `email`.

use serde::Deserialize;

use crate::event::{Channel, EventError, Happening, TicketEvent, WireId, filled, parse, routes};

const VENDOR: &str = "Help Scout";
/// The header naming the event.
pub const EVENT_HEADER: &str = "X-HelpScout-Event";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Conversation {
    id: Option<WireId>,
    #[serde(rename = "type")]
    kind: Option<String>,
    mailbox: Option<MailboxRef>,
    mailbox_id: Option<WireId>,
    customer: Option<Person>,
    primary_customer: Option<Person>,
}

#[derive(Debug, Deserialize)]
struct MailboxRef {
    id: Option<WireId>,
}

#[derive(Debug, Deserialize)]
struct Person {
    id: Option<WireId>,
    email: Option<String>,
}

fn happening(event: &str) -> Happening {
    match event {
        "convo.created" => Happening::Opened,
        "convo.customer.reply.created" | "convo.agent.reply.created" => Happening::Replied,
        other => Happening::Other(other.to_owned()),
    }
}

/// Reads a Help Scout delivery: `event` is the `X-HelpScout-Event` header's value.
///
/// # Errors
/// [`EventError`] when the header is absent, or the body is not a conversation with an id.
pub fn parse_event(event: Option<&str>, body: &[u8]) -> Result<TicketEvent, EventError> {
    let missing = |field| EventError::Missing {
        vendor: VENDOR,
        field,
    };
    let event = filled(event).ok_or(missing("X-HelpScout-Event header"))?;
    let conversation: Conversation = parse(VENDOR, body)?;
    let ticket = conversation
        .id
        .as_ref()
        .and_then(WireId::text)
        .ok_or(missing("id"))?;
    let customer = conversation
        .primary_customer
        .as_ref()
        .or(conversation.customer.as_ref());
    let mailbox = conversation
        .mailbox_id
        .as_ref()
        .or(conversation.mailbox.as_ref().and_then(|m| m.id.as_ref()))
        .and_then(WireId::text);
    Ok(TicketEvent {
        happening: happening(&event),
        ticket,
        channel: if conversation.kind.as_deref() == Some("chat") {
            Channel::Chat
        } else {
            Channel::Ticket
        },
        requester_email: filled(customer.and_then(|c| c.email.as_deref())),
        requester_external_id: customer.and_then(|c| c.id.as_ref()).and_then(WireId::text),
        routes: routes(&[("mailbox", mailbox)]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":2391938111,"number":349,"type":"chat","folderId":1234,
        "mailbox":{"id":85,"name":"Support"},"customer":{"id":29418,"email":"ayse@example.com"},
        "status":"active","subject":"I need help!"}"#;

    #[test]
    fn a_conversation_object_with_its_event_header() {
        assert_eq!(
            parse_event(Some("convo.created"), BODY).unwrap(),
            TicketEvent {
                happening: Happening::Opened,
                ticket: "2391938111".to_owned(),
                channel: Channel::Chat,
                requester_email: Some("ayse@example.com".to_owned()),
                requester_external_id: Some("29418".to_owned()),
                routes: vec!["mailbox:85".to_owned()],
            }
        );
        let v2 = br#"{"id":7,"type":"email","mailboxId":12,"primaryCustomer":{"id":3,"email":"j@example.com"}}"#;
        let event = parse_event(Some("convo.customer.reply.created"), v2).unwrap();
        assert_eq!(event.happening, Happening::Replied);
        assert_eq!(event.channel, Channel::Ticket);
        assert_eq!(event.routes, vec!["mailbox:12".to_owned()]);
    }

    #[test]
    fn no_event_header_or_no_id_is_refused() {
        assert!(matches!(
            parse_event(None, BODY),
            Err(EventError::Missing { .. })
        ));
        assert!(matches!(
            parse_event(Some("convo.created"), br#"{"type":"email"}"#),
            Err(EventError::Missing { field: "id", .. })
        ));
    }
}
