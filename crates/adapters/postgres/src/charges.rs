//! The hot path: what a charge decision needs, and recording a charge once.

use async_trait::async_trait;
use kasa_credits::LedgerEntryKind;
use kasa_domain::{CustomerId, Department, UsageKey};
use kasa_ports::{
    ChargeContext, ChargeContextQuery, ChargeStore, CustomerLookup, NewUsageCharge,
    RecordedCharge, StoreError, UsageCharge,
};
use sea_orm::{ConnectionTrait, Value};

use crate::SqlStore;
use crate::codec::{Codec, corrupt, id, label, text};
use crate::ledger::{CreditMove, move_credits};
use crate::rows::{
    USAGE_CHARGE_COLUMNS, execute_unique, fetch_one, find_holder, read_card, read_holding,
    usage_charge,
};

async fn existing_charge(
    connection: &impl ConnectionTrait,
    codec: Codec,
    customer_id: CustomerId,
    usage: &UsageKey,
) -> Result<Option<UsageCharge>, StoreError> {
    fetch_one(
        connection,
        codec.statement(
            &format!(
                "{USAGE_CHARGE_COLUMNS} WHERE customer_id = $1 AND usage_kind = $2 \
                 AND usage_reference = $3"
            ),
            [
                id(customer_id),
                text(label(&usage.kind())),
                text(usage.reference()),
            ],
        ),
    )
    .await?
    .map(|row| usage_charge(&codec.row(&row)))
    .transpose()
}

/// Why recording did not happen, decided after the transaction rolled back.
enum NotRecorded {
    LowBalance,
    Duplicate,
    Failed(StoreError),
}

impl SqlStore {
    /// Consumes the credits and inserts the charge in one transaction.
    async fn try_record(&self, charge: &NewUsageCharge) -> Result<UsageCharge, NotRecorded> {
        let codec = self.codec;
        let write = self.begin_write().await.map_err(NotRecorded::Failed)?;
        let result = async {
            let tx = &write.transaction;
            let balance_after = if charge.credits.is_zero() {
                None
            } else {
                let consumed = move_credits(
                    tx,
                    codec,
                    CreditMove {
                        entry_id: charge.ledger_entry_id,
                        customer_id: charge.customer_id,
                        kind: LedgerEntryKind::Consumed,
                        delta: -charge.credits.get(),
                        actor: charge.actor.clone(),
                        reason: charge.reason.clone(),
                        at: charge.at,
                        purchase_id: None,
                        usage: Some(charge.usage.clone()),
                    },
                )
                .await
                .map_err(|error| match error {
                    StoreError::AlreadyExists { .. } => NotRecorded::Duplicate,
                    other => NotRecorded::Failed(other),
                })?;
                Some(consumed.ok_or(NotRecorded::LowBalance)?.balance_after)
            };
            let recorded = UsageCharge {
                id: charge.id,
                customer_id: charge.customer_id,
                department_id: charge.department_id,
                usage: charge.usage.clone(),
                credits: charge.credits,
                basis: charge.basis,
                balance_after,
                actor: charge.actor.clone(),
                at: charge.at,
            };
            execute_unique(
                tx,
                codec.statement(
                    "INSERT INTO usage_charges (id, customer_id, department_id, usage_kind, \
                     usage_reference, credits, basis, balance_after, actor_kind, actor_id, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    [
                        id(recorded.id),
                        id(recorded.customer_id),
                        id(recorded.department_id),
                        text(label(&recorded.usage.kind())),
                        text(recorded.usage.reference()),
                        Value::from(recorded.credits.get()),
                        text(label(&recorded.basis)),
                        Value::from(balance_after.map(|balance| balance.get())),
                        text(recorded.actor.kind_label()),
                        text(recorded.actor.subject_label()),
                        codec.at(recorded.at),
                    ],
                ),
                String::new,
            )
            .await
            .map_err(|error| match error {
                StoreError::AlreadyExists { .. } => NotRecorded::Duplicate,
                other => NotRecorded::Failed(other),
            })?;
            Ok(recorded)
        }
        .await;
        match result {
            Ok(recorded) => write.finish(Ok(recorded)).await.map_err(NotRecorded::Failed),
            Err(not_recorded) => {
                // Roll back first: the answer is read from committed state.
                write.rollback().await;
                Err(not_recorded)
            }
        }
    }
}

#[async_trait]
impl ChargeStore for SqlStore {
    async fn charge_context(&self, query: ChargeContextQuery) -> Result<ChargeContext, StoreError> {
        let codec = self.codec;
        let holder = find_holder(&self.db, codec, &query.customer).await?;
        let department = fetch_one(
            &self.db,
            codec.statement(
                "SELECT id, name, credits_per_request FROM departments WHERE id = $1",
                [id(query.department_id)],
            ),
        )
        .await?
        .ok_or(StoreError::NotFound {
            entity: "department",
        })?;
        let department = {
            let row = codec.row(&department);
            let price =
                kasa_domain::Credits::new(row.int("credits_per_request")?).map_err(corrupt)?;
            Department::new(row.id("id")?, &row.text("name")?, price).map_err(corrupt)?
        };
        Ok(ChargeContext {
            customer_id: holder.customer_id,
            department,
            card: read_card(&self.db, codec, holder.customer_id).await?,
            holding: read_holding(&self.db, codec, &holder).await?,
            existing_charge: existing_charge(&self.db, codec, holder.customer_id, &query.usage)
                .await?,
        })
    }

    async fn record_charge(&self, charge: NewUsageCharge) -> Result<RecordedCharge, StoreError> {
        match self.try_record(&charge).await {
            Ok(charge) => Ok(RecordedCharge::Recorded { charge }),
            Err(NotRecorded::Failed(error)) => Err(error),
            Err(not_recorded) => {
                let codec = self.codec;
                if let Some(earlier) =
                    existing_charge(&self.db, codec, charge.customer_id, &charge.usage).await?
                {
                    return Ok(RecordedCharge::AlreadyCharged { charge: earlier });
                }
                if matches!(not_recorded, NotRecorded::Duplicate) {
                    return Err(StoreError::Corrupt(format!(
                        "{} was refused as a duplicate but no earlier charge exists",
                        charge.usage
                    )));
                }
                let holder = find_holder(
                    &self.db,
                    codec,
                    &CustomerLookup::Id {
                        id: charge.customer_id,
                    },
                )
                .await?;
                Err(StoreError::InsufficientCredits {
                    balance: holder.balance,
                })
            }
        }
    }
}
