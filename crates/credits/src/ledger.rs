//! The credit ledger of one customer: append-only entries, the balance derived from them.

use std::collections::{BTreeMap, BTreeSet};

use kasa_domain::{Actor, Credits, LedgerEntryId, PurchaseId, Reason, UsageKey};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The kinds of credit movement. One word per concept: credits are granted, consumed, forfeited,
/// adjusted and reversed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerEntryKind {
    /// A purchase or grant of a credit package added credits.
    Granted,
    /// A ticket or chat used credits.
    Consumed,
    /// Switching to a subscription gave up the remaining credits (rule 6).
    Forfeited,
    /// An agent added or removed credits by hand.
    Adjusted,
    /// A refund or void took back the credits a purchase granted.
    Reversed,
}

impl LedgerEntryKind {
    /// The stored label.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Consumed => "consumed",
            Self::Forfeited => "forfeited",
            Self::Adjusted => "adjusted",
            Self::Reversed => "reversed",
        }
    }
}

/// A requested change of the balance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreditMovement {
    /// Add a credit package's credits for a purchase (once per purchase).
    Grant {
        /// The purchase granted.
        purchase_id: PurchaseId,
        /// Credits to add (more than zero).
        credits: Credits,
    },
    /// Use credits for a ticket or chat (once per key).
    Consume {
        /// The ticket or chat.
        usage: UsageKey,
        /// Its price.
        credits: Credits,
    },
    /// Give up the whole balance (switching kinds).
    ForfeitAll,
    /// Add (positive) or remove (negative) credits by hand.
    Adjust {
        /// The signed change, never zero.
        delta: i64,
    },
    /// Take back what is left of one purchase's grant (refund or void): the smaller of the grant
    /// and the balance.
    ReverseGrant {
        /// The refunded purchase.
        purchase_id: PurchaseId,
    },
}

/// One ledger entry. Entries are never changed or removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Its id.
    pub id: LedgerEntryId,
    /// What happened.
    pub kind: LedgerEntryKind,
    /// The signed change of the balance.
    pub delta: i64,
    /// The balance after this entry.
    pub balance_after: Credits,
    /// Who caused it.
    pub actor: Actor,
    /// Why.
    pub reason: Reason,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
    /// The purchase granted or reversed, if any.
    pub purchase_id: Option<PurchaseId>,
    /// The ticket or chat consumed, if any.
    pub usage: Option<UsageKey>,
}

/// Why a movement was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The balance would go below zero.
    #[error("insufficient credits: balance {balance}, needed {needed}")]
    InsufficientCredits {
        /// The balance now.
        balance: Credits,
        /// What the movement needs.
        needed: Credits,
    },
    /// This ticket or chat was already charged.
    #[error("{0} was already charged")]
    AlreadyConsumed(UsageKey),
    /// This purchase was already granted.
    #[error("purchase {0} was already granted")]
    AlreadyGranted(PurchaseId),
    /// This purchase was never granted, so there is nothing to reverse.
    #[error("purchase {0} was never granted")]
    NotGranted(PurchaseId),
    /// This purchase was already reversed.
    #[error("purchase {0} was already reversed")]
    AlreadyReversed(PurchaseId),
    /// A movement of zero credits records nothing.
    #[error("a credit movement must change the balance")]
    NothingToMove,
    /// The balance would overflow.
    #[error("the balance would overflow")]
    Overflow,
}

/// One customer's credit ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreditLedger {
    entries: Vec<LedgerEntry>,
    balance: Credits,
    consumed: BTreeSet<UsageKey>,
    granted: BTreeMap<PurchaseId, Credits>,
    reversed: BTreeSet<PurchaseId>,
}

impl CreditLedger {
    /// An empty ledger.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a ledger from stored entries, re-checking every rule on the way.
    ///
    /// # Errors
    /// The first [`LedgerError`] an entry breaks, or [`LedgerError::Overflow`] when an entry's
    /// recorded balance disagrees with the sum.
    pub fn replay(entries: impl IntoIterator<Item = LedgerEntry>) -> Result<Self, LedgerError> {
        let mut ledger = Self::new();
        for entry in entries {
            let movement = match entry.kind {
                LedgerEntryKind::Granted => CreditMovement::Grant {
                    purchase_id: entry.purchase_id.ok_or(LedgerError::NothingToMove)?,
                    credits: Credits::new(entry.delta).map_err(|_| LedgerError::NothingToMove)?,
                },
                LedgerEntryKind::Consumed => CreditMovement::Consume {
                    usage: entry.usage.clone().ok_or(LedgerError::NothingToMove)?,
                    credits: Credits::new(-entry.delta).map_err(|_| LedgerError::NothingToMove)?,
                },
                LedgerEntryKind::Forfeited => CreditMovement::ForfeitAll,
                LedgerEntryKind::Adjusted => CreditMovement::Adjust { delta: entry.delta },
                LedgerEntryKind::Reversed => CreditMovement::ReverseGrant {
                    purchase_id: entry.purchase_id.ok_or(LedgerError::NothingToMove)?,
                },
            };
            let applied = ledger.apply(
                entry.id,
                movement,
                entry.actor.clone(),
                entry.reason.clone(),
                entry.at,
            )?;
            if applied.delta != entry.delta || applied.balance_after != entry.balance_after {
                return Err(LedgerError::Overflow);
            }
        }
        Ok(ledger)
    }

    /// The balance: the sum of every entry's delta.
    #[must_use]
    pub const fn balance(&self) -> Credits {
        self.balance
    }

    /// The entries, oldest first.
    #[must_use]
    pub fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }

    /// Whether a ticket or chat was already charged.
    #[must_use]
    pub fn has_consumed(&self, usage: &UsageKey) -> bool {
        self.consumed.contains(usage)
    }

    /// What reversing a purchase's grant would take back now: the smaller of the grant and the
    /// balance (credits already spent on tickets are not taken back twice).
    #[must_use]
    pub fn reversible_for(&self, purchase_id: PurchaseId) -> Option<Credits> {
        if self.reversed.contains(&purchase_id) {
            return None;
        }
        self.granted
            .get(&purchase_id)
            .map(|granted| (*granted).min(self.balance))
    }

    /// Applies one movement and appends its entry.
    ///
    /// # Errors
    /// [`LedgerError`] naming the broken rule; the ledger is unchanged then.
    pub fn apply(
        &mut self,
        id: LedgerEntryId,
        movement: CreditMovement,
        actor: Actor,
        reason: Reason,
        at: OffsetDateTime,
    ) -> Result<&LedgerEntry, LedgerError> {
        let (kind, delta, purchase_id, usage) = self.plan(movement)?;
        let balance_after = apply_delta(self.balance, delta)?;
        self.remember(kind, delta, purchase_id, usage.as_ref())?;
        self.balance = balance_after;
        self.entries.push(LedgerEntry {
            id,
            kind,
            delta,
            balance_after,
            actor,
            reason,
            at,
            purchase_id,
            usage,
        });
        Ok(self.entries.last().expect("an entry was just pushed"))
    }

    /// Remembers what an entry did beyond the balance: the purchase granted (and how much) or
    /// reversed, the ticket or chat consumed. Also used by [`crate::books`] to follow the
    /// stored entries.
    pub(crate) fn remember(
        &mut self,
        kind: LedgerEntryKind,
        delta: i64,
        purchase_id: Option<PurchaseId>,
        usage: Option<&UsageKey>,
    ) -> Result<(), LedgerError> {
        match (kind, purchase_id, usage) {
            (LedgerEntryKind::Granted, Some(purchase), _) => {
                self.granted.insert(
                    purchase,
                    Credits::new(delta).map_err(|_| LedgerError::Overflow)?,
                );
            }
            (LedgerEntryKind::Reversed, Some(purchase), _) => {
                self.reversed.insert(purchase);
            }
            (LedgerEntryKind::Consumed, _, Some(key)) => {
                self.consumed.insert(key.clone());
            }
            _ => {}
        }
        Ok(())
    }

    /// Sets the balance the next movement starts from, without an entry: [`crate::books`]
    /// follows the stored balance after a broken entry, so one bad entry is one problem.
    pub(crate) fn resume_at(&mut self, balance: Credits) {
        self.balance = balance;
    }

    /// What a movement would record (kind, signed change, purchase, ticket or chat), by the
    /// rules, without changing anything.
    #[allow(clippy::type_complexity)]
    pub(crate) fn plan(
        &self,
        movement: CreditMovement,
    ) -> Result<(LedgerEntryKind, i64, Option<PurchaseId>, Option<UsageKey>), LedgerError> {
        match movement {
            CreditMovement::Grant {
                purchase_id,
                credits,
            } => {
                if self.granted.contains_key(&purchase_id) {
                    return Err(LedgerError::AlreadyGranted(purchase_id));
                }
                nonzero(credits.get())?;
                Ok((
                    LedgerEntryKind::Granted,
                    credits.get(),
                    Some(purchase_id),
                    None,
                ))
            }
            CreditMovement::Consume { usage, credits } => {
                if self.consumed.contains(&usage) {
                    return Err(LedgerError::AlreadyConsumed(usage));
                }
                nonzero(credits.get())?;
                Ok((LedgerEntryKind::Consumed, -credits.get(), None, Some(usage)))
            }
            CreditMovement::ForfeitAll => {
                nonzero(self.balance.get())?;
                Ok((LedgerEntryKind::Forfeited, -self.balance.get(), None, None))
            }
            CreditMovement::Adjust { delta } => {
                nonzero(delta)?;
                Ok((LedgerEntryKind::Adjusted, delta, None, None))
            }
            CreditMovement::ReverseGrant { purchase_id } => {
                if self.reversed.contains(&purchase_id) {
                    return Err(LedgerError::AlreadyReversed(purchase_id));
                }
                let reversible = self
                    .reversible_for(purchase_id)
                    .ok_or(LedgerError::NotGranted(purchase_id))?;
                nonzero(reversible.get())?;
                Ok((
                    LedgerEntryKind::Reversed,
                    -reversible.get(),
                    Some(purchase_id),
                    None,
                ))
            }
        }
    }
}

fn nonzero(amount: i64) -> Result<(), LedgerError> {
    if amount == 0 {
        Err(LedgerError::NothingToMove)
    } else {
        Ok(())
    }
}

fn apply_delta(balance: Credits, delta: i64) -> Result<Credits, LedgerError> {
    let sum = balance
        .get()
        .checked_add(delta)
        .ok_or(LedgerError::Overflow)?;
    Credits::new(sum).map_err(|_| LedgerError::InsufficientCredits {
        balance,
        needed: Credits::new(delta.saturating_neg()).unwrap_or(Credits::ZERO),
    })
}

#[cfg(test)]
mod tests;
