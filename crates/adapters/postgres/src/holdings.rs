//! Credit adjustments, cancellations and the expiry of ended terms.

use async_trait::async_trait;
use kasa_credits::LedgerEntryKind;
use kasa_domain::{Credits, CustomerId, Holding};
use kasa_ports::{
    AdjustCredits, CancelSubscription, CustomerLookup, EndingSubscriptionTerm, ExpireTerms,
    HoldingStore, StoreError,
};
use sea_orm::DatabaseTransaction;
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, id};
use crate::ledger::{CreditMove, move_credits};
use crate::purchases::end_terms;
use crate::rows::{
    HoldingKind, advance_version, execute, fetch_all, fetch_one, find_holder, insert_audit, limit,
    read_holding, set_holding_kind,
};
use crate::webhooks::queue_webhook_event;

/// The holding after a change; a subscription left without terms becomes nothing.
pub(crate) async fn holding_after(
    tx: &DatabaseTransaction,
    codec: Codec,
    customer_id: CustomerId,
) -> Result<Holding, StoreError> {
    let terms_left = fetch_one(
        tx,
        codec.statement(
            "SELECT purchase_id FROM subscription_terms WHERE customer_id = $1 LIMIT 1",
            [id(customer_id)],
        ),
    )
    .await?;
    if terms_left.is_none() {
        set_holding_kind(tx, codec, customer_id, HoldingKind::Nothing).await?;
    }
    let holder = find_holder(tx, codec, &CustomerLookup::Id { id: customer_id }).await?;
    read_holding(tx, codec, &holder).await
}

#[async_trait]
impl HoldingStore for SqlStore {
    async fn adjust_credits(&self, adjustment: AdjustCredits) -> Result<Credits, StoreError> {
        self.in_transaction(async |tx, codec| {
            let holder = advance_version(
                tx,
                codec,
                adjustment.customer_id,
                adjustment.expected_version,
            )
            .await?;
            if holder.kind == HoldingKind::Subscription {
                return Err(StoreError::StaleVersion);
            }
            let entry = move_credits(
                tx,
                codec,
                CreditMove {
                    entry_id: adjustment.ledger_entry_id,
                    customer_id: adjustment.customer_id,
                    kind: LedgerEntryKind::Adjusted,
                    delta: adjustment.delta,
                    actor: adjustment.context.actor.clone(),
                    reason: adjustment.context.reason.clone(),
                    at: adjustment.at,
                    purchase_id: None,
                    usage: None,
                },
            )
            .await?
            .ok_or(StoreError::InsufficientCredits {
                balance: holder.balance,
            })?;
            set_holding_kind(tx, codec, adjustment.customer_id, HoldingKind::Credits).await?;
            insert_audit(
                tx,
                codec,
                &adjustment.audit,
                &adjustment.context,
                adjustment.at,
            )
            .await?;
            Ok(entry.balance_after)
        })
        .await
    }

    async fn cancel_subscription(&self, cancel: CancelSubscription) -> Result<Holding, StoreError> {
        self.in_transaction(async |tx, codec| {
            let holder =
                advance_version(tx, codec, cancel.customer_id, cancel.expected_version).await?;
            if holder.kind != HoldingKind::Subscription {
                return Err(StoreError::StaleVersion);
            }
            if cancel.plan.ended_purchases.is_empty() {
                execute(
                    tx,
                    codec.statement(
                        "UPDATE holdings SET cancel_at_end = TRUE WHERE customer_id = $1",
                        [id(cancel.customer_id)],
                    ),
                )
                .await?;
            } else {
                end_terms(tx, codec, cancel.customer_id, &cancel.plan.ended_purchases).await?;
            }
            let holding = holding_after(tx, codec, cancel.customer_id).await?;
            insert_audit(tx, codec, &cancel.audit, &cancel.context, cancel.at).await?;
            Ok(holding)
        })
        .await
    }

    async fn report_subscriptions_ending_soon(
        &self,
        at: OffsetDateTime,
        ending_before: OffsetDateTime,
        count: u32,
    ) -> Result<Vec<EndingSubscriptionTerm>, StoreError> {
        self.in_transaction(async |tx, codec| {
            // A subscription's last term (no later one of the same customer), not reported yet.
            let due = fetch_all(
                tx,
                codec.statement(
                    "SELECT t.purchase_id, t.customer_id, t.package_id, t.ends_at \
                     FROM subscription_terms t JOIN holdings h ON h.customer_id = t.customer_id \
                     WHERE h.kind = 'subscription' AND t.ends_at > $1 AND t.ends_at <= $2 \
                     AND t.ending_soon_reported_at IS NULL AND NOT EXISTS (SELECT 1 \
                     FROM subscription_terms later WHERE later.customer_id = t.customer_id \
                     AND later.ends_at > t.ends_at) \
                     ORDER BY t.ends_at, t.purchase_id LIMIT $3",
                    [codec.at(at), codec.at(ending_before), limit(count)],
                ),
            )
            .await?
            .iter()
            .map(|row| {
                let row = codec.row(row);
                Ok(EndingSubscriptionTerm {
                    customer_id: row.id("customer_id")?,
                    purchase_id: row.id("purchase_id")?,
                    package_id: row.id("package_id")?,
                    ends_at: row.at("ends_at")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
            let mut reported = Vec::with_capacity(due.len());
            for term in due {
                // Another server may have reported it since it was read: the guard decides.
                let marked = execute(
                    tx,
                    codec.statement(
                        "UPDATE subscription_terms SET ending_soon_reported_at = $2 \
                         WHERE purchase_id = $1 AND ending_soon_reported_at IS NULL",
                        [id(term.purchase_id), codec.at(at)],
                    ),
                )
                .await?;
                if marked == 1 {
                    let event = kasa_ports::webhook_event_for_ending_term(&term);
                    queue_webhook_event(tx, codec, &event, at).await?;
                    reported.push(term);
                }
            }
            Ok(reported)
        })
        .await
    }

    async fn customers_with_ended_terms(
        &self,
        now: OffsetDateTime,
        count: u32,
    ) -> Result<Vec<CustomerId>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                "SELECT DISTINCT t.customer_id FROM subscription_terms t \
                 JOIN holdings h ON h.customer_id = t.customer_id \
                 WHERE h.kind = 'subscription' AND t.ends_at <= $1 \
                 ORDER BY t.customer_id LIMIT $2",
                [codec.at(now), limit(count)],
            ),
        )
        .await?
        .iter()
        .map(|row| codec.row(row).id("customer_id"))
        .collect()
    }

    async fn expire_terms(&self, expiry: ExpireTerms) -> Result<Holding, StoreError> {
        self.in_transaction(async |tx, codec| {
            advance_version(tx, codec, expiry.customer_id, expiry.expected_version).await?;
            end_terms(tx, codec, expiry.customer_id, &expiry.purchases).await?;
            let holding = holding_after(tx, codec, expiry.customer_id).await?;
            insert_audit(tx, codec, &expiry.audit, &expiry.context, expiry.at).await?;
            Ok(holding)
        })
        .await
    }
}
