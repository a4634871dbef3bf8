//! The help-desk outbox worker: delivers queued calls (a ticket to open for a customer's
//! question, an internal note and tags on a ticket) through each integration's API connection,
//! like the mail outbox.
//!
//! Never lost: a call is claimed with a lease and marked done only after the help desk accepted
//! it; a temporary failure (unreachable, 5xx, 429) is retried with doubling waits (a 429 after
//! the wait the help desk names); a permanent one (refused credentials, an unknown ticket, no
//! connection saved) is abandoned and shown in the console, where an operator retries it.
//! Never doubled: the note carries a marker naming the call (`[kasa:<call id>]`), and before
//! posting it the worker asks the help desk whether a note with that marker is on the ticket
//! already (an earlier attempt whose answer was lost, or a worker that died after posting);
//! once posted, that is recorded and a later attempt only adds the tags, which help desks add
//! as a set.

use std::collections::HashMap;
use std::sync::Arc;

use kasa_domain::{HelpDeskCallId, IntegrationId};
use kasa_ports::{HelpDesk, HelpDeskCall, HelpDeskError, NEW_TICKET, StoreError};
use time::{Duration, OffsetDateTime};

use crate::app::App;

/// How long a claimed call is held before another worker may take it: longer than the
/// longest chain of requests one call makes (a token, the note lookup, the note, the tags read
/// and written: five requests of at most `kasa_helpdesk::DEFAULT_TIMEOUT`, 15 s).
const LEASE: Duration = Duration::minutes(2);

/// When and how often to try again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HelpDeskRetryPolicy {
    /// The wait after the first failure (doubled after each further one).
    pub first_retry: Duration,
    /// The longest wait.
    pub max_retry: Duration,
}

impl Default for HelpDeskRetryPolicy {
    fn default() -> Self {
        Self {
            first_retry: Duration::seconds(30),
            max_retry: Duration::hours(6),
        }
    }
}

impl HelpDeskRetryPolicy {
    /// The wait after `attempts` failed attempts (1 for the first failure).
    #[must_use]
    pub fn wait_after(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(20);
        let factor = 1_i32 << doublings;
        self.first_retry
            .checked_mul(factor)
            .map_or(self.max_retry, |wait| wait.min(self.max_retry))
    }
}

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HelpDeskDeliveryReport {
    /// Calls done.
    pub done: usize,
    /// Calls to be tried again.
    pub retrying: usize,
    /// Calls given up (permanent failures).
    pub abandoned: usize,
}

/// The marker a call's note carries, so a repeated attempt can find it.
#[must_use]
pub fn note_marker(id: HelpDeskCallId) -> String {
    format!("[kasa:{id}]")
}

/// Why a call could not be made.
enum Failure {
    HelpDesk(HelpDeskError),
    Store(StoreError),
}

impl From<HelpDeskError> for Failure {
    fn from(error: HelpDeskError) -> Self {
        Self::HelpDesk(error)
    }
}

/// The API clients of the integrations a worker has called, kept while their connection is
/// unchanged (a Help Scout client keeps its access token).
#[derive(Default)]
pub struct HelpDeskClients {
    clients: HashMap<IntegrationId, (OffsetDateTime, Arc<dyn HelpDesk>)>,
}

impl std::fmt::Debug for HelpDeskClients {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("HelpDeskClients")
            .field("integrations", &self.clients.len())
            .finish()
    }
}

impl HelpDeskClients {
    /// The client for an integration, from its saved connection.
    async fn client(
        &mut self,
        app: &App,
        integration: IntegrationId,
    ) -> Result<Arc<dyn HelpDesk>, Failure> {
        let (found, _) = app
            .integrations
            .integration_with_secret(integration)
            .await
            .map_err(Failure::Store)?;
        if found.revoked_at.is_some() {
            return Err(Failure::HelpDesk(HelpDeskError::Rejected(
                "the integration is revoked".to_owned(),
            )));
        }
        let (connection, secret) = match app
            .help_desk_connections
            .help_desk_connection_with_secret(integration)
            .await
        {
            Ok(found) => found,
            Err(StoreError::NotFound { .. }) => {
                return Err(Failure::HelpDesk(HelpDeskError::Rejected(
                    "no API connection is saved for this integration".to_owned(),
                )));
            }
            Err(error) => return Err(Failure::Store(error)),
        };
        if let Some((saved_at, client)) = self.clients.get(&integration)
            && *saved_at == connection.updated_at
        {
            return Ok(client.clone());
        }
        let client = kasa_helpdesk::connect(
            found.kind,
            &connection,
            &secret,
            kasa_helpdesk::DEFAULT_TIMEOUT,
        )?;
        self.clients
            .insert(integration, (connection.updated_at, client.clone()));
        Ok(client)
    }
}

/// Makes one call: the ticket (when it is to be opened and is not yet), the note (unless
/// posted already), then the tags.
async fn make(app: &App, help_desk: &dyn HelpDesk, call: &HelpDeskCall) -> Result<(), Failure> {
    let mut ticket = call.ticket.clone();
    if let Some(new_ticket) = &call.new_ticket
        && ticket == NEW_TICKET
    {
        // Help desks take no idempotency key for a new ticket: an answer lost after the
        // ticket was opened opens a second one on retry (ADR 0019). Recorded at once, so a
        // later failure of the note never opens another.
        ticket = help_desk.create_ticket(new_ticket).await?;
        app.help_desk_calls
            .mark_help_desk_ticket_opened(call.id, &ticket)
            .await
            .map_err(Failure::Store)?;
    }
    if let Some(note) = call.note.as_deref()
        && call.note_posted_at.is_none()
    {
        let marker = note_marker(call.id);
        if !help_desk.has_note_containing(&ticket, &marker).await? {
            help_desk
                .post_internal_note(&ticket, &format!("{note}\n\n{marker}"))
                .await?;
        }
        app.help_desk_calls
            .mark_help_desk_note_posted(call.id, app.clock.now())
            .await
            .map_err(Failure::Store)?;
    }
    if !call.tags.is_empty() {
        help_desk.add_tags(&ticket, &call.tags).await?;
    }
    Ok(())
}

/// Claims due calls one at a time, up to `count`, and makes each.
///
/// # Errors
/// A store error when calls cannot be claimed or recorded (what was claimed is retried after
/// its lease).
pub async fn deliver_due_help_desk_calls(
    app: &App,
    clients: &mut HelpDeskClients,
    policy: HelpDeskRetryPolicy,
    count: u32,
) -> Result<HelpDeskDeliveryReport, StoreError> {
    let mut report = HelpDeskDeliveryReport::default();
    for _ in 0..count {
        // One call claimed at a time: its lease covers only its own requests, so a slow help
        // desk never lets another worker take calls this one has not reached yet.
        let now = app.clock.now();
        let Some(call) = app
            .help_desk_calls
            .claim_due_help_desk_calls(now, now + LEASE, 1)
            .await?
            .pop()
        else {
            break;
        };
        let outcome = match clients.client(app, call.integration).await {
            Ok(help_desk) => make(app, help_desk.as_ref(), &call).await,
            Err(failure) => Err(failure),
        };
        let at = app.clock.now();
        match outcome {
            Ok(()) => {
                app.help_desk_calls
                    .mark_help_desk_call_done(call.id, at)
                    .await?;
                report.done += 1;
            }
            Err(Failure::Store(error)) => return Err(error),
            Err(Failure::HelpDesk(error)) => {
                let retry_at = match &error {
                    HelpDeskError::RateLimited {
                        retry_after_seconds,
                    } => Some(
                        at + Duration::seconds(
                            i64::try_from(*retry_after_seconds)
                                .unwrap_or(i64::MAX / 2)
                                .clamp(1, 86_400),
                        ),
                    ),
                    error if error.is_temporary() => {
                        Some(at + policy.wait_after(call.attempts.saturating_add(1)))
                    }
                    _ => None,
                };
                tracing::warn!(
                    call = %call.id,
                    integration = %call.integration,
                    %error,
                    retrying = retry_at.is_some(),
                    "a help-desk call failed"
                );
                app.help_desk_calls
                    .mark_help_desk_call_failed(call.id, error.to_string(), retry_at)
                    .await?;
                if retry_at.is_some() {
                    report.retrying += 1;
                } else {
                    report.abandoned += 1;
                }
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_longest() {
        let policy = HelpDeskRetryPolicy {
            first_retry: Duration::seconds(30),
            max_retry: Duration::minutes(5),
        };
        let waits: Vec<i64> = (1..=6)
            .map(|attempts| policy.wait_after(attempts).whole_seconds())
            .collect();
        assert_eq!(waits, [30, 60, 120, 240, 300, 300]);
        assert_eq!(policy.wait_after(u32::MAX), Duration::minutes(5));
    }
}
