//! The expiry job: subscription terms that have ended release their departments (rule 8).

use kasa_domain::{Actor, Holding};
use kasa_ports::{ActionContext, ExpireTerms, StoreError};
use kasa_subscriptions::expired_terms;
use serde::Serialize;

use crate::Billing;
use crate::purchase::{audit_record, reason};

/// What one expiry run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExpiryReport {
    /// Customers whose terms ended.
    pub customers: u32,
    /// Terms ended.
    pub terms_ended: u32,
    /// Customers skipped because their holding moved during the run (picked up next run).
    pub skipped: u32,
}

impl Billing {
    /// Ends every subscription term that has run out (up to `limit` customers per run): the
    /// departments its purchase enabled are disabled unless enabled by hand or by another
    /// purchase, and a customer whose last term ended holds nothing.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    pub async fn end_expired_subscriptions(&self, limit: u32) -> Result<ExpiryReport, StoreError> {
        let now = self.ports.clock.now();
        let customers = self
            .ports
            .holdings
            .customers_with_ended_terms(now, limit)
            .await?;
        let mut report = ExpiryReport::default();
        for customer_id in customers {
            let state = self.ports.customers.customer_state(customer_id).await?;
            let Holding::Subscription(subscription) = &state.holding else {
                continue;
            };
            let ended: Vec<_> = expired_terms(subscription, now)
                .iter()
                .map(|term| term.purchase_id)
                .collect();
            if ended.is_empty() {
                continue;
            }
            let expiry = ExpireTerms {
                customer_id,
                expected_version: state.version,
                audit: audit_record(
                    "subscription.terms_ended",
                    customer_id,
                    Some(serde_json::json!({ "purchases": ended })),
                ),
                purchases: ended.clone(),
                context: ActionContext {
                    actor: Actor::System {
                        job: "subscription-expiry".to_owned(),
                    },
                    reason: reason("the paid subscription term ended"),
                    request_id: None,
                    idempotency: None,
                },
                at: now,
            };
            match self.ports.holdings.expire_terms(expiry).await {
                Ok(_) => {
                    report.customers += 1;
                    report.terms_ended += u32::try_from(ended.len()).unwrap_or(u32::MAX);
                }
                Err(StoreError::StaleVersion) => report.skipped += 1,
                Err(error) => return Err(error),
            }
        }
        Ok(report)
    }
}

/// What one ending-soon run reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EndingSoonReport {
    /// Subscriptions reported as `subscription.ending_soon` (each term once).
    pub reported: u32,
}

impl Billing {
    /// Reports each subscription whose last term ends within the installation's
    /// `subscription_ending_soon_days` as `subscription.ending_soon`, once per term (up to
    /// `limit` per run). Run by the expiry job; running it twice, or on two servers, reports a
    /// term once.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    pub async fn report_subscriptions_ending_soon(
        &self,
        limit: u32,
    ) -> Result<EndingSoonReport, StoreError> {
        let now = self.ports.clock.now();
        let ending_before =
            now + time::Duration::days(i64::from(self.events.subscription_ending_soon_days));
        let reported = self
            .ports
            .holdings
            .report_subscriptions_ending_soon(now, ending_before, limit)
            .await?;
        Ok(EndingSoonReport {
            reported: u32::try_from(reported.len()).unwrap_or(u32::MAX),
        })
    }
}
