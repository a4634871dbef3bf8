//! Notes back on the ticket: an action opened from the panel beside a help-desk ticket carries
//! that ticket (the panel's links add `helpdesk_integration` and `helpdesk_ticket`, the form and
//! its confirmation keep them as hidden controls), and once the action is done an internal note
//! saying who did what, for how much and why is queued for the ticket in the help-desk outbox,
//! under a key made from the action's own idempotency key: a repeated submission queues nothing
//! more. The action's own store call cannot take the note (its transaction belongs to the use
//! case), so it is queued right after; the note is about something already done.

use kasa_domain::IntegrationId;
use kasa_ports::NewHelpDeskCall;

use super::{Values, value};
use crate::app::App;
use crate::web::Chrome;
use crate::web::session::Staff;

/// The hidden control naming the help-desk integration.
pub(super) const INTEGRATION: &str = "helpdesk_integration";
/// The hidden control naming the help desk's ticket.
pub(super) const TICKET: &str = "helpdesk_ticket";
/// The tag every note from an action adds (a help desk's rules can act on it).
pub const ACTION_TAG: &str = "kasa_action";

/// The ticket an action's values name, when both controls are there and well formed.
fn ticket_of(values: &Values) -> Option<(IntegrationId, String)> {
    let integration = value(values, INTEGRATION).parse::<uuid::Uuid>().ok()?;
    let ticket = value(values, TICKET).trim();
    let well_formed = !ticket.is_empty()
        && ticket.chars().count() <= 100
        && !ticket.chars().any(char::is_control);
    well_formed.then(|| (IntegrationId::from(integration), ticket.to_owned()))
}

/// The hidden controls that carry a ticket through a form (none when `values` names none).
pub(super) fn ticket_controls(values: &Values) -> Vec<(String, String)> {
    ticket_of(values)
        .map(|(integration, ticket)| {
            vec![
                (INTEGRATION.to_owned(), integration.to_string()),
                (TICKET.to_owned(), ticket),
            ]
        })
        .unwrap_or_default()
}

/// The note's text: who, what (the action's title and the effect it was confirmed with), the
/// amount or credits typed, and why.
pub(super) fn note_text(
    c: &Chrome,
    staff: &Staff,
    title: &str,
    effect: &[String],
    values: &Values,
    waits_for_approval: bool,
) -> String {
    let who = format!("{} <{}>", staff.user.name, staff.user.email.as_str());
    let key = if waits_for_approval {
        "helpdesk.note.requested"
    } else {
        "helpdesk.note.done"
    };
    let mut lines = vec![c.fill(key, &[("who", &who), ("what", title)])];
    lines.extend(effect.iter().cloned());
    let amount = value(values, "amount").trim();
    if !amount.is_empty() {
        lines.push(c.fill("helpdesk.note.amount", &[("amount", amount)]));
    }
    let credits = value(values, "credits").trim();
    if !credits.is_empty() {
        let direction = if value(values, "direction") == "remove" {
            "-"
        } else {
            "+"
        };
        lines.push(c.fill(
            "helpdesk.note.credits",
            &[("credits", &format!("{direction}{credits}"))],
        ));
    }
    lines.push(c.fill(
        "helpdesk.note.reason",
        &[("reason", value(values, "reason").trim())],
    ));
    lines.join("\n")
}

/// Queues the note for the ticket `values` name, if any (a failure is logged: the action is
/// done whatever happens to its note, and submitting the form again queues it then).
pub(super) async fn queue_note(app: &App, values: &Values, action_key: &str, text: String) {
    let Some((integration, ticket)) = ticket_of(values) else {
        return;
    };
    if action_key.is_empty() {
        return;
    }
    let call = NewHelpDeskCall {
        integration,
        ticket,
        key: format!("console-action:{action_key}"),
        note: Some(text),
        tags: vec![ACTION_TAG.to_owned()],
        new_ticket: None,
    };
    if let Err(error) = app.help_desk_calls.queue_help_desk_call(call).await {
        tracing::warn!(%error, %integration, "the note for the ticket could not be queued");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> Values {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn a_ticket_is_named_by_both_controls_well_formed() {
        let id = "0193a5c2-7d4e-7000-8000-0000000000aa";
        assert_eq!(
            ticket_controls(&values(&[(INTEGRATION, id), (TICKET, "12345")])),
            [
                (INTEGRATION.to_owned(), id.to_owned()),
                (TICKET.to_owned(), "12345".to_owned())
            ]
        );
        for bad in [
            values(&[(INTEGRATION, id)]),
            values(&[(TICKET, "12345")]),
            values(&[(INTEGRATION, "not-an-id"), (TICKET, "12345")]),
            values(&[(INTEGRATION, id), (TICKET, "12\n345")]),
            values(&[(INTEGRATION, id), (TICKET, &"9".repeat(101))]),
        ] {
            assert!(ticket_controls(&bad).is_empty(), "{bad:?}");
        }
    }
}
