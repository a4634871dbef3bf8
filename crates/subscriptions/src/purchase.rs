//! The purchase decision: what buying (or being granted) a package does to what the customer
//! holds.

use kasa_domain::{Credits, Holding, Package, PackageKind, PurchaseId, days};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// A subscription may be bought again when this many days or fewer remain (rule 5).
pub const RENEWAL_WINDOW_DAYS: u32 = 30;

/// When renewing a subscription that ends at `ends_at` becomes possible.
#[must_use]
pub fn renewal_opens_at(ends_at: OffsetDateTime) -> OffsetDateTime {
    ends_at - days(RENEWAL_WINDOW_DAYS)
}

/// How the purchase reaches Kasa, which decides which sales rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseChannel {
    /// A customer starts a purchase: the package must be on sale and the renewal window applies.
    CustomerCheckout,
    /// An agent grants a package: it need not be on sale; the renewal window applies.
    AgentGrant,
    /// A gateway reports a purchase paid. The money is taken, so the sale is honoured: the
    /// on-sale flag and the renewal window were checked when the purchase started and are not
    /// checked again (a second paid renewal is stacked after the first, never lost). Forfeiture
    /// still needs the confirmation given at checkout.
    PaidCompletion,
}

/// The customer's (or agent's) answer to the forfeit warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForfeitConfirmation {
    /// Not confirmed: any purchase that would forfeit something is refused.
    NotConfirmed,
    /// Explicitly confirmed: what is held may be forfeited.
    Confirmed,
}

/// Exactly what switching kinds would give up (rule 6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Forfeiture {
    /// The remaining credit balance.
    Credits {
        /// How many credits.
        credits: Credits,
    },
    /// The remaining subscription time.
    SubscriptionTime {
        /// When the subscription would have ended.
        #[serde(with = "kasa_domain::instant")]
        ends_at: OffsetDateTime,
        /// Whole days left, counting a started day as a day.
        remaining_days: u32,
        /// The purchases whose terms are given up.
        purchases: Vec<PurchaseId>,
    },
}

/// The current holding ends before the new package starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldingEnd {
    /// What is forfeited; `None` when nothing of value is left (zero credits, an ended
    /// subscription).
    pub forfeiture: Option<Forfeiture>,
    /// The subscription purchases that end with it (their departments are released). Credit
    /// purchases are released by kind, as the balance is one pool.
    pub ended_subscription_purchases: Vec<PurchaseId>,
    /// Whether the ended holding was credits (so credit purchases release their departments).
    pub ends_credits: bool,
}

/// What the package adds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PurchaseEffect {
    /// Add credits to the balance.
    GrantCredits {
        /// Credits added.
        credits: Credits,
        /// Whether this adds to an existing credit holding (rule 4).
        top_up: bool,
    },
    /// Add a subscription term.
    AddSubscriptionTerm {
        /// First instant of access.
        #[serde(with = "kasa_domain::instant")]
        starts_at: OffsetDateTime,
        /// First instant without access.
        #[serde(with = "kasa_domain::instant")]
        ends_at: OffsetDateTime,
        /// Whether this extends a running subscription (rule 5).
        renewal: bool,
    },
}

/// What a purchase will do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseDecision {
    /// The holding that ends first, if the kind changes or an ended subscription is replaced.
    pub holding_end: Option<HoldingEnd>,
    /// What the package adds.
    pub effect: PurchaseEffect,
}

/// Why a purchase is refused. Each says what would make it possible.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PurchaseRefusal {
    /// More than 30 days of the subscription remain (rule 5).
    #[error("the subscription ends at {ends_at}; renewal opens at {opens_at}")]
    RenewalTooEarly {
        /// When the current subscription ends.
        #[serde(with = "kasa_domain::instant")]
        ends_at: OffsetDateTime,
        /// From when renewal is possible.
        #[serde(with = "kasa_domain::instant")]
        opens_at: OffsetDateTime,
    },
    /// Switching kinds would forfeit something and was not confirmed (rule 6).
    #[error("buying this package forfeits what the customer holds; confirm to go on")]
    ForfeitNotConfirmed {
        /// Exactly what would be lost.
        forfeiture: Forfeiture,
    },
    /// Customers can only buy packages on sale.
    #[error("this package is not on sale")]
    NotOnSale,
}

/// Decides what buying `package` at `now` does to `holding`.
///
/// # Errors
/// [`PurchaseRefusal`] when the purchase must not happen as asked.
pub fn decide_purchase(
    package: &Package,
    holding: &Holding,
    now: OffsetDateTime,
    channel: PurchaseChannel,
    confirmation: ForfeitConfirmation,
) -> Result<PurchaseDecision, PurchaseRefusal> {
    if channel == PurchaseChannel::CustomerCheckout && !package.on_sale {
        return Err(PurchaseRefusal::NotOnSale);
    }
    let decision = match (package.kind, holding) {
        (PackageKind::Credit { credits }, Holding::Credits { .. }) => PurchaseDecision {
            holding_end: None,
            effect: PurchaseEffect::GrantCredits {
                credits,
                top_up: true,
            },
        },
        (PackageKind::Credit { credits }, _) => PurchaseDecision {
            holding_end: end_of(holding, now),
            effect: PurchaseEffect::GrantCredits {
                credits,
                top_up: false,
            },
        },
        (PackageKind::Subscription { days: term_days }, Holding::Subscription(current))
            if !current.has_ended_at(now) =>
        {
            let ends_at = current.ends_at();
            let opens_at = renewal_opens_at(ends_at);
            if channel != PurchaseChannel::PaidCompletion && now < opens_at {
                return Err(PurchaseRefusal::RenewalTooEarly { ends_at, opens_at });
            }
            PurchaseDecision {
                holding_end: None,
                effect: PurchaseEffect::AddSubscriptionTerm {
                    starts_at: ends_at,
                    ends_at: ends_at + days(term_days),
                    renewal: true,
                },
            }
        }
        (PackageKind::Subscription { days: term_days }, _) => PurchaseDecision {
            holding_end: end_of(holding, now),
            effect: PurchaseEffect::AddSubscriptionTerm {
                starts_at: now,
                ends_at: now + days(term_days),
                renewal: false,
            },
        },
    };
    let forfeits = decision
        .holding_end
        .as_ref()
        .and_then(|end| end.forfeiture.clone());
    match (forfeits, confirmation) {
        (Some(forfeiture), ForfeitConfirmation::NotConfirmed) => {
            Err(PurchaseRefusal::ForfeitNotConfirmed { forfeiture })
        }
        _ => Ok(decision),
    }
}

/// How the current holding ends when the customer starts holding something else.
fn end_of(holding: &Holding, now: OffsetDateTime) -> Option<HoldingEnd> {
    match holding {
        Holding::Nothing => None,
        Holding::Credits { balance } => Some(HoldingEnd {
            forfeiture: (!balance.is_zero()).then_some(Forfeiture::Credits { credits: *balance }),
            ended_subscription_purchases: Vec::new(),
            ends_credits: true,
        }),
        Holding::Subscription(subscription) => {
            let purchases: Vec<PurchaseId> = subscription
                .terms()
                .iter()
                .map(|term| term.purchase_id)
                .collect();
            let forfeiture =
                (!subscription.has_ended_at(now)).then(|| Forfeiture::SubscriptionTime {
                    ends_at: subscription.ends_at(),
                    remaining_days: whole_days_rounded_up(subscription.remaining_at(now)),
                    purchases: purchases.clone(),
                });
            Some(HoldingEnd {
                forfeiture,
                ended_subscription_purchases: purchases,
                ends_credits: false,
            })
        }
    }
}

fn whole_days_rounded_up(duration: Duration) -> u32 {
    let seconds = duration.whole_seconds().max(0);
    let day = 86_400;
    u32::try_from((seconds + day - 1) / day).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
