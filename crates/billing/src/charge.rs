//! The hot path: a help desk asks whether a ticket or chat may open, and gets it charged once.

use kasa_credits::{ChargeDecision, ChargeRefusal, decide_charge, packages_covering};
use kasa_domain::{
    Actor, Credits, CustomerId, DepartmentId, Holding, LedgerEntryId, Package, Reason,
    UsageChargeId, UsageKey,
};
use kasa_ports::{
    ChargeBasis, ChargeContextQuery, CustomerLookup, NewUsageCharge, RecordedCharge, RefusedCharge,
    StoreError, UsageCharge, new_id,
};
use serde::Serialize;

use crate::Billing;

/// How many times a ticket is decided when the holding keeps changing under it. A holding
/// changes by an agent's or a purchase's hand, so a second look almost always settles it; the
/// bound keeps a pathological race from spinning.
const CHARGE_ATTEMPTS: usize = 4;

/// One decision's result.
enum Attempt {
    /// Allowed or refused on a holding that did not change.
    Decided(ChargeOutcome),
    /// The store refused the credits decided on: the balance moved since it was read.
    HoldingChanged {
        /// Whose.
        customer_id: CustomerId,
        /// The balance the store saw.
        balance: Credits,
        /// The price decided on.
        price: Credits,
    },
}

/// A help desk's request to open a ticket or chat.
#[derive(Clone, Debug)]
pub struct ChargeUsage {
    /// The customer, by id, e-mail or external id.
    pub customer: CustomerLookup,
    /// The department.
    pub department_id: DepartmentId,
    /// The ticket or chat (its id makes the charge idempotent).
    pub usage: UsageKey,
    /// The help desk (or agent) asking.
    pub actor: Actor,
}

/// The answer.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ChargeOutcome {
    /// It may open. `repeated` is true when the same ticket or chat was let through before and
    /// nothing was charged now.
    Allowed {
        /// The (possibly earlier) charge.
        charge: UsageCharge,
        /// Whether this is a repeat of an earlier request.
        repeated: bool,
    },
    /// It may not open.
    Refused {
        /// Why.
        refusal: ChargeRefusal,
        /// The customer's credit balance (zero when they hold a subscription or nothing).
        balance: Credits,
        /// What the department costs per ticket or chat.
        price: Credits,
        /// The packages on sale that would cover the department, cheapest first.
        covering_packages: Vec<Package>,
    },
}

/// Why a charge could not be decided.
#[derive(Debug, thiserror::Error)]
pub enum ChargeError {
    /// No such customer.
    #[error("customer not found")]
    CustomerNotFound,
    /// No such department.
    #[error("department not found")]
    DepartmentNotFound,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ChargeError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound {
                entity: kasa_ports::Entity::Customer,
            } => Self::CustomerNotFound,
            StoreError::NotFound {
                entity: kasa_ports::Entity::Department,
            } => Self::DepartmentNotFound,
            other => Self::Store(other),
        }
    }
}

impl Billing {
    /// Decides and records a ticket or chat charge: per ticket, never per reply (a repeated
    /// request returns the first charge and costs nothing), never below zero.
    ///
    /// # Errors
    /// [`ChargeError`]; a business refusal is an `Ok(ChargeOutcome::Refused)`.
    pub async fn charge_usage(&self, request: ChargeUsage) -> Result<ChargeOutcome, ChargeError> {
        // The decision is made on a snapshot of the holding. When the store refuses it because
        // the balance moved meanwhile (an agent switched the customer to a subscription, say),
        // the ticket is decided again on the new holding: a refusal is final only when the
        // customer really cannot open it.
        for _ in 1..CHARGE_ATTEMPTS {
            match self.try_charge_usage(&request).await? {
                Attempt::Decided(outcome) => return Ok(outcome),
                Attempt::HoldingChanged { .. } => {}
            }
        }
        match self.try_charge_usage(&request).await? {
            Attempt::Decided(outcome) => Ok(outcome),
            Attempt::HoldingChanged {
                customer_id,
                balance,
                price,
            } => {
                let refusal = ChargeRefusal::InsufficientCredits { balance, price };
                self.refuse(&request, customer_id, refusal, balance, price)
                    .await
            }
        }
    }

    /// One decision on one snapshot of the customer's holding.
    async fn try_charge_usage(&self, request: &ChargeUsage) -> Result<Attempt, ChargeError> {
        let context = self
            .ports
            .charges
            .charge_context(ChargeContextQuery {
                customer: request.customer.clone(),
                department_id: request.department_id,
                usage: request.usage.clone(),
            })
            .await?;
        if let Some(charge) = context.existing_charge {
            return Ok(Attempt::Decided(ChargeOutcome::Allowed {
                charge,
                repeated: true,
            }));
        }
        let now = self.ports.clock.now();
        let (basis, credits) =
            match decide_charge(&context.department, &context.card, &context.holding, now) {
                ChargeDecision::Free => (ChargeBasis::Free, Credits::ZERO),
                ChargeDecision::CoveredBySubscription { .. } => {
                    (ChargeBasis::Subscription, Credits::ZERO)
                }
                ChargeDecision::ConsumeCredits { price } => (ChargeBasis::Credits, price),
                ChargeDecision::Refused(refusal) => {
                    let balance = match context.holding {
                        Holding::Credits { balance } => balance,
                        Holding::Nothing | Holding::Subscription(_) => Credits::ZERO,
                    };
                    let price = context.department.credits_per_request;
                    return self
                        .refuse(request, context.customer_id, refusal, balance, price)
                        .await
                        .map(Attempt::Decided);
                }
            };
        let reason = Reason::new(format!(
            "{} opened in {}",
            request.usage, context.department.name
        ))
        .map_err(|_| ChargeError::Store(StoreError::Corrupt("charge reason".to_owned())))?;
        let charge = NewUsageCharge {
            id: new_id::<UsageChargeId>(),
            ledger_entry_id: new_id::<LedgerEntryId>(),
            customer_id: context.customer_id,
            department_id: request.department_id,
            usage: request.usage.clone(),
            credits,
            basis,
            actor: request.actor.clone(),
            reason,
            at: now,
            low_balance_threshold: self.events.low_balance_threshold,
        };
        match self.ports.charges.record_charge(charge).await {
            Ok(RecordedCharge::Recorded { charge }) => {
                Ok(Attempt::Decided(ChargeOutcome::Allowed {
                    charge,
                    repeated: false,
                }))
            }
            Ok(RecordedCharge::AlreadyCharged { charge }) => {
                Ok(Attempt::Decided(ChargeOutcome::Allowed {
                    charge,
                    repeated: true,
                }))
            }
            Err(StoreError::InsufficientCredits { balance }) => Ok(Attempt::HoldingChanged {
                customer_id: context.customer_id,
                balance,
                price: credits,
            }),
            Err(error) => Err(error.into()),
        }
    }

    /// A refusal: reported as `charge.refused` (to the endpoints that subscribe to it) and
    /// answered with the packages that would cover the department.
    async fn refuse(
        &self,
        request: &ChargeUsage,
        customer_id: CustomerId,
        refusal: ChargeRefusal,
        balance: Credits,
        price: Credits,
    ) -> Result<ChargeOutcome, ChargeError> {
        self.ports
            .charges
            .record_refusal(RefusedCharge {
                customer_id,
                department_id: request.department_id,
                usage: request.usage.clone(),
                refusal: refusal.clone(),
                balance,
                price,
                actor: request.actor.clone(),
                at: self.ports.clock.now(),
            })
            .await?;
        let packages = self.ports.catalog.packages().await?;
        let covering_packages = packages_covering(&packages, request.department_id)
            .into_iter()
            .cloned()
            .collect();
        Ok(ChargeOutcome::Refused {
            refusal,
            balance,
            price,
            covering_packages,
        })
    }
}
