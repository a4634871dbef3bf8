//! Freshdesk automation-rule deliveries Kasa acts on. The rule's "Trigger webhook" action
//! (support.freshdesk.com, "Using webhooks in automation rules") posts, in its simple mode, the
//! fields the admin ticks inside `freshdesk_webhook`: `ticket_id`, `ticket_contact_email`,
//! `ticket_group_name`, `ticket_source`, ...; in its advanced mode the admin writes the same
//! keys with placeholders (`{{ticket.id}}`, `{{ticket.contact.email}}`, `{{ticket.group}}`,
//! `{{ticket.source}}`) and may add `kasa_event` (`ticket.created`, the default, or
//! `ticket.replied`). The rule runs on ticket creation, so the delivery means "opened".

use serde::Deserialize;

use crate::event::{
    Channel, EventError, Happening, TicketEvent, WireId, filled, is_chat_channel, parse, routes,
};

const VENDOR: &str = "Freshdesk";

#[derive(Debug, Deserialize)]
struct Delivery {
    freshdesk_webhook: Option<Fields>,
}

#[derive(Debug, Deserialize)]
struct Fields {
    ticket_id: Option<WireId>,
    ticket_contact_email: Option<String>,
    ticket_contact_id: Option<WireId>,
    ticket_group_name: Option<String>,
    ticket_source: Option<String>,
    kasa_event: Option<String>,
}

/// Reads a Freshdesk delivery's body.
///
/// # Errors
/// [`EventError`] when it is not `{"freshdesk_webhook": {...}}` with a ticket id.
pub fn parse_event(body: &[u8]) -> Result<TicketEvent, EventError> {
    let missing = |field| EventError::Missing {
        vendor: VENDOR,
        field,
    };
    let delivery: Delivery = parse(VENDOR, body)?;
    let fields = delivery
        .freshdesk_webhook
        .ok_or(missing("freshdesk_webhook"))?;
    let ticket = fields
        .ticket_id
        .as_ref()
        .and_then(WireId::text)
        .ok_or(missing("freshdesk_webhook.ticket_id"))?;
    let happening = match filled(fields.kasa_event.as_deref()).as_deref() {
        None | Some("ticket.created") => Happening::Opened,
        Some("ticket.replied") => Happening::Replied,
        Some(other) => Happening::Other(other.to_owned()),
    };
    Ok(TicketEvent {
        happening,
        ticket,
        channel: match fields.ticket_source.as_deref() {
            Some(source) if is_chat_channel(source) => Channel::Chat,
            _ => Channel::Ticket,
        },
        requester_email: filled(fields.ticket_contact_email.as_deref()),
        requester_external_id: fields.ticket_contact_id.as_ref().and_then(WireId::text),
        routes: routes(&[("group", filled(fields.ticket_group_name.as_deref()))]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simple_mode_body() {
        let body = br#"{"freshdesk_webhook":{"ticket_id":1042,"ticket_subject":"Fatura",
            "ticket_contact_email":"ayse@example.com","ticket_group_name":"Billing",
            "ticket_source":"Chat"}}"#;
        assert_eq!(
            parse_event(body).unwrap(),
            TicketEvent {
                happening: Happening::Opened,
                ticket: "1042".to_owned(),
                channel: Channel::Chat,
                requester_email: Some("ayse@example.com".to_owned()),
                requester_external_id: None,
                routes: vec!["group:Billing".to_owned()],
            }
        );
    }

    #[test]
    fn replies_and_malformed_bodies() {
        let reply = br#"{"freshdesk_webhook":{"ticket_id":"1042","kasa_event":"ticket.replied"}}"#;
        assert_eq!(parse_event(reply).unwrap().happening, Happening::Replied);
        assert!(matches!(
            parse_event(br#"{"ticket":{"id":1}}"#),
            Err(EventError::Missing { .. })
        ));
    }
}
