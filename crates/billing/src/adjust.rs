//! An agent adds or removes credits by hand.

use kasa_domain::{Credits, CustomerId, Holding, LedgerEntryId};
use kasa_ports::{ActionContext, AdjustCredits, StoreError, new_id};

use crate::purchase::audit_record;
use crate::{Billing, MAX_DECISION_ATTEMPTS};

/// Why an adjustment was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdjustCreditsError {
    /// An adjustment of zero changes nothing.
    #[error("an adjustment must add or remove at least one credit")]
    Zero,
    /// The customer holds a subscription and cannot also hold credits (rule 3).
    #[error("the customer holds a subscription; credits can only be adjusted on a credit balance")]
    HoldsSubscription,
    /// Removing more than the balance.
    #[error("cannot remove {requested} credits: the balance is {balance}")]
    InsufficientCredits {
        /// The balance.
        balance: Credits,
        /// What was to be removed.
        requested: Credits,
    },
    /// No such customer.
    #[error("customer not found")]
    CustomerNotFound,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl Billing {
    /// Adds (`delta > 0`) or removes (`delta < 0`) credits, with a ledger entry and an audit
    /// entry naming the agent and the reason. Returns the new balance.
    ///
    /// # Errors
    /// [`AdjustCreditsError`].
    pub async fn adjust_credits(
        &self,
        customer_id: CustomerId,
        delta: i64,
        context: ActionContext,
    ) -> Result<Credits, AdjustCreditsError> {
        if delta == 0 {
            return Err(AdjustCreditsError::Zero);
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let state = self
                .ports
                .customers
                .customer_state(customer_id)
                .await
                .map_err(|error| match error {
                    StoreError::NotFound { .. } => AdjustCreditsError::CustomerNotFound,
                    other => AdjustCreditsError::Store(other),
                })?;
            let balance_before = match state.holding {
                Holding::Subscription(_) => return Err(AdjustCreditsError::HoldsSubscription),
                Holding::Credits { balance } => balance,
                Holding::Nothing => Credits::ZERO,
            };
            let adjustment = AdjustCredits {
                customer_id,
                expected_version: state.version,
                ledger_entry_id: new_id::<LedgerEntryId>(),
                delta,
                audit: kasa_ports::AuditRecord {
                    before: Some(serde_json::json!({ "balance": balance_before })),
                    ..audit_record(
                        "credits.adjusted",
                        customer_id,
                        Some(serde_json::json!({
                            "delta": delta,
                            "balance": balance_before.get() + delta,
                        })),
                    )
                },
                context: context.clone(),
                at: self.ports.clock.now(),
            };
            match self.ports.holdings.adjust_credits(adjustment).await {
                Ok(balance) => return Ok(balance),
                Err(StoreError::StaleVersion) if attempt < MAX_DECISION_ATTEMPTS => {}
                Err(StoreError::InsufficientCredits { balance }) => {
                    return Err(AdjustCreditsError::InsufficientCredits {
                        balance,
                        requested: Credits::new(delta.saturating_neg()).unwrap_or(Credits::ZERO),
                    });
                }
                Err(error) => return Err(AdjustCreditsError::Store(error)),
            }
        }
    }
}
