//! Zendesk deliveries Kasa acts on, in the two forms Zendesk sends (developer.zendesk.com,
//! "Webhooks"):
//!
//! - a **trigger** or automation connected to the webhook posts the JSON body the admin writes
//!   with placeholders; Kasa's README gives that body (docs/help-desk-events.md):
//!   `{"event": "ticket.created", "ticket": {"id": "{{ticket.id}}", "via": "{{ticket.via}}",
//!   "group_id": "{{ticket.group.id}}", "brand_id": "{{ticket.brand.id}}", "requester":
//!   {"id": "{{ticket.requester.id}}", "email": "{{ticket.requester.email}}", "external_id":
//!   "{{ticket.requester.external_id}}"}}}`;
//! - a webhook **subscribed to ticket events** posts Zendesk's event schema: `type`
//!   (`zen:event-type:ticket.created`, `zen:event-type:ticket.comment_added`, ...), `id`,
//!   `subject` (`zen:ticket:35436`) and `detail` with the ticket's `id`, `requester_id`,
//!   `group_id`, `brand_id` and `via.channel` (ids as strings).

use serde::Deserialize;

use crate::event::{
    Channel, EventError, Happening, TicketEvent, WireId, filled, is_chat_channel, parse, routes,
};

const VENDOR: &str = "Zendesk";
/// The prefix of Zendesk's event-schema types.
const EVENT_TYPE_PREFIX: &str = "zen:event-type:";

#[derive(Debug, Deserialize)]
struct Delivery {
    #[serde(rename = "type")]
    event_type: Option<String>,
    detail: Option<Detail>,
    event: Option<serde_json::Value>,
    ticket: Option<TriggerTicket>,
}

/// The `detail` of a ticket event (Zendesk's event schema).
#[derive(Debug, Deserialize)]
struct Detail {
    id: Option<WireId>,
    requester_id: Option<WireId>,
    group_id: Option<WireId>,
    brand_id: Option<WireId>,
    via: Option<Via>,
}

#[derive(Debug, Deserialize)]
struct Via {
    channel: Option<String>,
}

/// The ticket in the body Kasa's README gives for a trigger.
#[derive(Debug, Deserialize)]
struct TriggerTicket {
    id: Option<WireId>,
    via: Option<String>,
    group_id: Option<WireId>,
    brand_id: Option<WireId>,
    requester: Option<TriggerRequester>,
}

#[derive(Debug, Deserialize)]
struct TriggerRequester {
    id: Option<WireId>,
    email: Option<String>,
    external_id: Option<String>,
}

fn happening(name: &str) -> Happening {
    match name {
        "ticket.created" => Happening::Opened,
        "ticket.comment_added" | "ticket.commented" | "ticket.replied" => Happening::Replied,
        other => Happening::Other(other.to_owned()),
    }
}

fn channel(via: Option<&str>) -> Channel {
    match via {
        Some(via) if is_chat_channel(via) => Channel::Chat,
        _ => Channel::Ticket,
    }
}

/// Reads a Zendesk delivery's body.
///
/// # Errors
/// [`EventError`] when the body is neither form, or names no ticket.
pub fn parse_event(body: &[u8]) -> Result<TicketEvent, EventError> {
    let delivery: Delivery = parse(VENDOR, body)?;
    let missing = |field| EventError::Missing {
        vendor: VENDOR,
        field,
    };
    if let Some(event_type) = delivery
        .event_type
        .as_deref()
        .and_then(|name| name.strip_prefix(EVENT_TYPE_PREFIX))
    {
        let detail = delivery.detail.ok_or(missing("detail"))?;
        let ticket = detail
            .id
            .as_ref()
            .and_then(WireId::text)
            .ok_or(missing("detail.id"))?;
        let _ = delivery.event;
        return Ok(TicketEvent {
            happening: happening(event_type),
            ticket,
            channel: channel(detail.via.as_ref().and_then(|via| via.channel.as_deref())),
            requester_email: None,
            requester_external_id: detail.requester_id.as_ref().and_then(WireId::text),
            routes: routes(&[
                ("group", detail.group_id.as_ref().and_then(WireId::text)),
                ("brand", detail.brand_id.as_ref().and_then(WireId::text)),
            ]),
        });
    }
    let name = filled(delivery.event_type.as_deref()).unwrap_or_default();
    let ticket = delivery.ticket.ok_or(missing("ticket"))?;
    let id = ticket
        .id
        .as_ref()
        .and_then(WireId::text)
        .ok_or(missing("ticket.id"))?;
    let requester = ticket.requester.as_ref();
    Ok(TicketEvent {
        happening: if name.is_empty() {
            Happening::Opened
        } else {
            happening(&name)
        },
        ticket: id,
        channel: channel(ticket.via.as_deref()),
        requester_email: filled(requester.and_then(|r| r.email.as_deref())),
        requester_external_id: filled(requester.and_then(|r| r.external_id.as_deref()))
            .or_else(|| requester.and_then(|r| r.id.as_ref()).and_then(WireId::text)),
        routes: routes(&[
            ("group", ticket.group_id.as_ref().and_then(WireId::text)),
            ("brand", ticket.brand_id.as_ref().and_then(WireId::text)),
        ]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_event_in_zendesks_event_schema() {
        let body = br#"{"type":"zen:event-type:ticket.created","account_id":88888888,
            "id":"01HN-EXAMPLE","time":"2026-12-04T10:15:00Z","zendesk_event_version":"2022-11-06",
            "subject":"zen:ticket:35436","detail":{"id":"35436","requester_id":"20978392",
            "group_id":"98738","brand_id":"0","via":{"channel":"web"}},"event":{}}"#;
        assert_eq!(
            parse_event(body).unwrap(),
            TicketEvent {
                happening: Happening::Opened,
                ticket: "35436".to_owned(),
                channel: Channel::Ticket,
                requester_email: None,
                requester_external_id: Some("20978392".to_owned()),
                routes: vec!["group:98738".to_owned()],
            }
        );
        let comment = br#"{"type":"zen:event-type:ticket.comment_added",
            "detail":{"id":"35436","via":{"channel":"native_messaging"}}}"#;
        let event = parse_event(comment).unwrap();
        assert_eq!(event.happening, Happening::Replied);
        assert_eq!(event.channel, Channel::Chat);
    }

    #[test]
    fn the_trigger_body_from_the_readme() {
        let body = br#"{"event":"ticket.created","ticket":{"id":"35436","via":"Chat",
            "group_id":"","brand_id":"360000123","requester":{"id":"20978392",
            "email":"ayse@example.com","external_id":""}}}"#;
        assert_eq!(
            parse_event(body).unwrap(),
            TicketEvent {
                happening: Happening::Opened,
                ticket: "35436".to_owned(),
                channel: Channel::Chat,
                requester_email: Some("ayse@example.com".to_owned()),
                requester_external_id: Some("20978392".to_owned()),
                routes: vec!["brand:360000123".to_owned()],
            }
        );
    }

    #[test]
    fn bodies_without_a_ticket_are_refused() {
        assert!(matches!(
            parse_event(b"not json"),
            Err(EventError::Malformed { .. })
        ));
        assert_eq!(
            parse_event(br#"{"event":"ticket.created","ticket":{"id":""}}"#),
            Err(EventError::Missing {
                vendor: VENDOR,
                field: "ticket.id"
            })
        );
        assert_eq!(
            parse_event(br#"{"type":"zen:event-type:ticket.created"}"#),
            Err(EventError::Missing {
                vendor: VENDOR,
                field: "detail"
            })
        );
    }
}
