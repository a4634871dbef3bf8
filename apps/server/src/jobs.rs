//! The background jobs `kasa serve` runs beside the HTTP server. Each job is a use case run
//! again and again: a run that fails is logged and tried again next time, and every job is safe
//! to run twice at once or on two servers (each change it makes applies at most once).

use std::time::Duration;

use crate::app::App;

/// Runs `job` for ever, pausing `pause` after each run; `name` says in the log which job could
/// not run.
async fn repeat<F, E>(name: &str, pause: Duration, mut job: impl FnMut() -> F)
where
    F: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    loop {
        if let Err(error) = job().await {
            tracing::warn!(%error, "the {name} could not run");
        }
        tokio::time::sleep(pause).await;
    }
}

/// A quarter of `threshold`, between 1 s and `longest_seconds`: how often a job looks for
/// what has waited `threshold`.
fn quarter_of(threshold: time::Duration, longest_seconds: u64) -> Duration {
    Duration::from_secs(
        u64::try_from(threshold.whole_seconds() / 4)
            .unwrap_or(longest_seconds)
            .clamp(1, longest_seconds),
    )
}

/// The outbox worker: delivers due mail every `interval`. A crash loses nothing (messages are
/// claimed with a lease and marked sent only after the server accepted them).
pub async fn deliver_mail(app: App, interval: Duration) {
    repeat("outbox worker", interval, || async {
        let report = app.billing.deliver_due_notifications(50).await?;
        if report.sent + report.retrying + report.abandoned > 0 {
            tracing::info!(
                sent = report.sent,
                retrying = report.retrying,
                abandoned = report.abandoned,
                "outbox delivery"
            );
        }
        Ok::<(), kasa_ports::StoreError>(())
    })
    .await;
}

/// The help-desk outbox worker: makes due help-desk calls (internal notes and tags on
/// tickets) every `interval`. A crash loses nothing and doubles nothing (see
/// [`crate::help_desk_outbox`]).
pub async fn deliver_help_desk_calls(
    app: App,
    interval: Duration,
    policy: crate::help_desk_outbox::HelpDeskRetryPolicy,
) {
    let clients = tokio::sync::Mutex::new(crate::help_desk_outbox::HelpDeskClients::default());
    repeat("help-desk outbox worker", interval, || async {
        let mut clients = clients.lock().await;
        let report =
            crate::help_desk_outbox::deliver_due_help_desk_calls(&app, &mut clients, policy, 50)
                .await?;
        if report.done + report.retrying + report.abandoned > 0 {
            tracing::info!(
                done = report.done,
                retrying = report.retrying,
                abandoned = report.abandoned,
                "help-desk outbox delivery"
            );
        }
        Ok::<(), kasa_ports::StoreError>(())
    })
    .await;
}

/// The expiry job: every `interval` (a minute by default), ended subscription terms are
/// removed and the departments they enabled released (product rule 8), each change guarded by
/// the customer's version; and subscriptions ending within the installation's warning are
/// reported as `subscription.ending_soon`, once per term (ADR 0023).
pub async fn end_expired_subscriptions(app: App, interval: Duration) {
    repeat("expiry job", interval, || async {
        let report = app.billing.end_expired_subscriptions(500).await?;
        if report.customers > 0 {
            tracing::info!(
                customers = report.customers,
                terms_ended = report.terms_ended,
                skipped = report.skipped,
                "ended subscription terms"
            );
        }
        let ending = app.billing.report_subscriptions_ending_soon(500).await?;
        if ending.reported > 0 {
            tracing::info!(
                subscriptions = ending.reported,
                "reported subscriptions ending soon"
            );
        }
        Ok::<(), kasa_ports::StoreError>(())
    })
    .await;
}

/// The reconciliation job: payments still waiting for their gateway's callback after
/// `older_than` are looked up with the gateway's order-status query and settled, so that a
/// customer who paid gets the package even when the browser never came back. Each settlement
/// applies at most once.
pub async fn reconcile_payments(app: App, older_than: time::Duration) {
    repeat("reconciliation job", quarter_of(older_than, 60), || async {
        let settled = app
            .billing
            .reconcile_pending_purchases(older_than, 100)
            .await?;
        if !settled.is_empty() {
            tracing::info!(
                purchases = settled.len(),
                "reconciled payments whose callback had not arrived"
            );
        }
        Ok::<(), kasa_ports::StoreError>(())
    })
    .await;
}

/// The authorisation expiry job: payments authorised (capture `authorise_only`) and not
/// captured within `older_than` are voided, as the `authorisation-expiry` system actor, so the
/// customer's money is not held for ever; the package goes back with the void.
pub async fn void_uncaptured_authorisations(app: App, older_than: time::Duration) {
    repeat(
        "authorisation expiry job",
        quarter_of(older_than, 300),
        || async {
            let voided = app
                .billing
                .void_uncaptured_authorisations(older_than, 100)
                .await?;
            if !voided.is_empty() {
                tracing::info!(
                    authorisations = voided.len(),
                    "voided authorisations that were not captured in time"
                );
            }
            Ok::<(), kasa_ports::StoreError>(())
        },
    )
    .await;
}

/// The stuck-action job: a refund, void or capture left `requested` for `older_than` (a crash
/// between the gateway's answer and its record) is resolved from the gateway's status, as the
/// `payment-action-resolution` system actor, so it no longer blocks its payment.
pub async fn resolve_stuck_payment_actions(app: App, older_than: time::Duration) {
    repeat(
        "stuck payment action job",
        quarter_of(older_than, 60),
        || async {
            let resolved = app
                .billing
                .resolve_stuck_payment_actions(older_than, 100)
                .await?;
            let finished = resolved
                .iter()
                .filter(|action| !matches!(action, kasa_billing::ResolvedAction::Unresolved { .. }))
                .count();
            if finished > 0 {
                tracing::info!(
                    actions = finished,
                    "resolved payment actions whose answer was never recorded"
                );
            }
            Ok::<(), kasa_billing::PaymentActionError>(())
        },
    )
    .await;
}

/// The outgoing-webhook worker: posts due deliveries every `interval`. A crash loses nothing
/// (deliveries are claimed with a lease and marked delivered only after a 2xx; see
/// [`crate::webhook_deliveries`]).
pub async fn deliver_webhooks(
    app: App,
    interval: Duration,
    policy: crate::webhook_deliveries::WebhookRetryPolicy,
) {
    let sender = kasa_webhooks::WebhookSender::new(Duration::from_secs(10));
    repeat("webhook worker", interval, || async {
        let report =
            crate::webhook_deliveries::deliver_due_webhooks(&app, &sender, policy, 50).await?;
        if report.delivered + report.retrying + report.switched_off > 0 {
            tracing::info!(
                delivered = report.delivered,
                retrying = report.retrying,
                switched_off = report.switched_off,
                "webhook worker ran"
            );
        }
        Ok::<(), kasa_ports::StoreError>(())
    })
    .await;
}
