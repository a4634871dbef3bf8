//! The event body of Kasa's own webhook (docs/help-desk-events.md):
//! `{"event": "ticket.created" | "ticket.replied", "ticket": {"id": "T-1", "channel":
//! "ticket" | "chat", "queue": "billing", "requester": {"email": "...", "external_id":
//! "..."}}}`. The queue is the help desk's routing (`queue:billing` in the department mapping).

use serde::Deserialize;

use crate::event::{Channel, EventError, Happening, TicketEvent, WireId, filled, parse, routes};

const VENDOR: &str = "Kasa webhook";

#[derive(Debug, Deserialize)]
struct Delivery {
    event: Option<String>,
    ticket: Option<Ticket>,
}

#[derive(Debug, Deserialize)]
struct Ticket {
    id: Option<WireId>,
    channel: Option<String>,
    queue: Option<String>,
    requester: Option<Requester>,
}

#[derive(Debug, Deserialize)]
struct Requester {
    email: Option<String>,
    external_id: Option<String>,
}

/// Reads a delivery of Kasa's own webhook.
///
/// # Errors
/// [`EventError`] for a body without `event` or `ticket.id`, or an unknown channel.
pub fn parse_event(body: &[u8]) -> Result<TicketEvent, EventError> {
    let missing = |field| EventError::Missing {
        vendor: VENDOR,
        field,
    };
    let delivery: Delivery = parse(VENDOR, body)?;
    let event = filled(delivery.event.as_deref()).ok_or(missing("event"))?;
    let ticket = delivery.ticket.ok_or(missing("ticket"))?;
    let id = ticket
        .id
        .as_ref()
        .and_then(WireId::text)
        .ok_or(missing("ticket.id"))?;
    let channel = match filled(ticket.channel.as_deref()).as_deref() {
        None | Some("ticket") => Channel::Ticket,
        Some("chat") => Channel::Chat,
        Some(other) => {
            return Err(EventError::Malformed {
                vendor: VENDOR,
                reason: format!("ticket.channel is `{other}`, not `ticket` or `chat`"),
            });
        }
    };
    let requester = ticket.requester.as_ref();
    Ok(TicketEvent {
        happening: match event.as_str() {
            "ticket.created" => Happening::Opened,
            "ticket.replied" => Happening::Replied,
            _ => Happening::Other(event),
        },
        ticket: id,
        channel,
        requester_email: filled(requester.and_then(|r| r.email.as_deref())),
        requester_external_id: filled(requester.and_then(|r| r.external_id.as_deref())),
        routes: routes(&[("queue", filled(ticket.queue.as_deref()))]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_body() {
        let body = br#"{"event":"ticket.created","ticket":{"id":"T-1","channel":"chat",
            "queue":"billing","requester":{"email":"ayse@example.com"}}}"#;
        assert_eq!(
            parse_event(body).unwrap(),
            TicketEvent {
                happening: Happening::Opened,
                ticket: "T-1".to_owned(),
                channel: Channel::Chat,
                requester_email: Some("ayse@example.com".to_owned()),
                requester_external_id: None,
                routes: vec!["queue:billing".to_owned()],
            }
        );
        assert!(
            parse_event(br#"{"event":"ticket.created","ticket":{"id":"1","channel":"fax"}}"#)
                .is_err()
        );
        assert!(parse_event(br#"{"ticket":{"id":"1"}}"#).is_err());
    }
}
