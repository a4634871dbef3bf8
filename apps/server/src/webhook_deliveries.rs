//! The outgoing-webhook worker (ADR 0022): posts due deliveries, signed, and logs every attempt.
//!
//! Never lost: an event is queued in the transaction of its fact; a delivery is claimed with a
//! lease and marked delivered only after a 2xx; anything else (no answer, a timeout, any other
//! status) is logged and tried again on the schedule of [`kasa_ports::webhook_retry_delay`]
//! (scaled by the configured first wait), for as long as it takes. An endpoint that has failed
//! without a single success for [`kasa_ports::WEBHOOK_SWITCH_OFF_AFTER`] is switched off, with
//! a mail to the operator, in one transaction; its deliveries wait for it to be switched on.
//! Receivers may see an event twice (an answer lost on the way back, a replay): its `id` says so.

use kasa_domain::{Actor, Reason};
use kasa_ports::{
    ActionContext, DueWebhookDelivery, OutboxPayload, StoreError, WEBHOOK_SWITCH_OFF_AFTER,
    WebhookAttempt, webhook_retry_delay,
};
use kasa_webhooks::WebhookSender;
use time::Duration;

use crate::app::App;

/// How long a claimed delivery is held: longer than one attempt's timeout.
const LEASE: Duration = Duration::minutes(2);

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WebhookDeliveryReport {
    /// Deliveries the endpoints took.
    pub delivered: usize,
    /// Deliveries to try again.
    pub retrying: usize,
    /// Endpoints switched off in this run.
    pub switched_off: usize,
}

/// When and how often to try again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebhookRetryPolicy {
    /// The wait after the first failure; later waits grow in the same proportion as ADR 0022's
    /// schedule (60 s: exactly that schedule).
    pub first_retry: Duration,
}

impl WebhookRetryPolicy {
    /// The wait after `attempts` failed attempts.
    #[must_use]
    pub fn wait_after(&self, attempts: u32) -> Duration {
        let scheduled = webhook_retry_delay(attempts);
        let seconds = i128::from(scheduled.whole_seconds())
            * i128::from(self.first_retry.whole_seconds().max(1))
            / 60;
        Duration::seconds(i64::try_from(seconds.max(1)).unwrap_or(i64::MAX))
    }
}

/// Posts up to `count` due deliveries.
///
/// # Errors
/// [`StoreError`] when the store cannot be read or written (the run stops; leases expire and
/// the deliveries are claimed again).
pub async fn deliver_due_webhooks(
    app: &App,
    sender: &WebhookSender,
    policy: WebhookRetryPolicy,
    count: u32,
) -> Result<WebhookDeliveryReport, StoreError> {
    let now = app.clock.now();
    let due = app
        .webhooks
        .claim_due_webhook_deliveries(now, now + LEASE, count)
        .await?;
    let mut report = WebhookDeliveryReport::default();
    for due in due {
        deliver(app, sender, policy, &due, &mut report).await?;
    }
    Ok(report)
}

async fn deliver(
    app: &App,
    sender: &WebhookSender,
    policy: WebhookRetryPolicy,
    due: &DueWebhookDelivery,
    report: &mut WebhookDeliveryReport,
) -> Result<(), StoreError> {
    let event = &due.delivery.event;
    let attempted_at = app.clock.now();
    let delivered = sender
        .post(
            &due.endpoint.url,
            &event.body(),
            due.secret.expose(),
            attempted_at.unix_timestamp(),
            (&event.id.to_string(), event.event_type.as_str()),
        )
        .await;
    let attempt = WebhookAttempt {
        event_id: event.id,
        endpoint_id: due.endpoint.id,
        attempted_at,
        status: delivered.status,
        answer: delivered.answer,
        duration_ms: delivered.duration_ms,
    };
    let succeeded = attempt.succeeded();
    let retry_at = attempted_at + policy.wait_after(due.delivery.attempts + 1);
    let answer = attempt.answer.clone();
    let status = attempt.status;
    app.webhooks
        .record_webhook_attempt(attempt, retry_at)
        .await?;
    if succeeded {
        report.delivered += 1;
        return Ok(());
    }
    report.retrying += 1;
    tracing::info!(event = %event.id, endpoint = %due.endpoint.id, ?status, "webhook delivery failed");
    let failing_since = due.endpoint.failing_since.unwrap_or(attempted_at);
    if attempted_at - failing_since >= WEBHOOK_SWITCH_OFF_AFTER {
        let reason = format!(
            "every attempt since {} failed; the last answer: {}",
            kasa_domain::instant::rfc3339(failing_since),
            status.map_or(answer, |status| format!("HTTP {status}"))
        );
        if switch_off(app, due, reason).await? {
            report.switched_off += 1;
        }
    }
    Ok(())
}

async fn switch_off(
    app: &App,
    due: &DueWebhookDelivery,
    reason: String,
) -> Result<bool, StoreError> {
    let settings = app.store.billing_settings().await?;
    let mut to: Vec<_> = settings.notification_address.iter().cloned().collect();
    to.extend(settings.notification_cc.iter().cloned());
    let mail = (!to.is_empty()).then(|| OutboxPayload::WebhookEndpointSwitchedOff {
        endpoint_id: due.endpoint.id,
        url: due.endpoint.url.clone(),
        reason: reason.clone(),
        to,
        language: kasa_domain::Language::default(),
    });
    let context = ActionContext {
        actor: Actor::System {
            job: "webhook deliveries".to_owned(),
        },
        reason: Reason::new("the webhook endpoint failed for three days")
            .map_err(|error| StoreError::Corrupt(error.to_string()))?,
        request_id: None,
        idempotency: None,
    };
    let switched = app
        .webhooks
        .switch_off_failing_webhook_endpoint(
            due.endpoint.id,
            reason,
            mail,
            context,
            app.clock.now(),
        )
        .await?;
    if switched {
        tracing::warn!(endpoint = %due.endpoint.id, "webhook endpoint switched off after failing for days");
    }
    Ok(switched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_scaled_by_the_first_wait() {
        let standard = WebhookRetryPolicy {
            first_retry: Duration::seconds(60),
        };
        assert_eq!(standard.wait_after(1), Duration::minutes(1));
        assert_eq!(standard.wait_after(4), Duration::hours(2));
        assert_eq!(standard.wait_after(30), Duration::hours(10));
        let quick = WebhookRetryPolicy {
            first_retry: Duration::seconds(1),
        };
        assert_eq!(quick.wait_after(1), Duration::seconds(1));
        assert_eq!(quick.wait_after(2), Duration::seconds(5));
    }

    #[test]
    fn a_delivery_is_tried_for_days_before_its_endpoint_is_switched_off() {
        let policy = WebhookRetryPolicy {
            first_retry: Duration::seconds(60),
        };
        let mut waited = Duration::ZERO;
        let mut attempts = 0;
        while waited < WEBHOOK_SWITCH_OFF_AFTER {
            attempts += 1;
            waited += policy.wait_after(attempts);
        }
        assert!(attempts >= 10, "{attempts} attempts in three days");
    }
}
