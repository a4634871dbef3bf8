//! The hot path: what a charge decision needs, and recording a charge once.

use async_trait::async_trait;
use kasa_credits::LedgerEntryKind;
use kasa_domain::{Credits, CustomerId, Department, UsageChargeId, UsageKey, WebhookEventId};
use kasa_ports::{
    ChargeContext, ChargeContextQuery, ChargeStore, CustomerLookup, NewUsageCharge, RecordedCharge,
    RefusedCharge, StoreError, UsageCharge, credits_event_data, new_id, usage_hour,
    webhook_event_for_refusal, webhook_events_for_charge,
};
use sea_orm::{ConnectionTrait, SqlErr, Value};

use crate::SqlStore;
use crate::codec::{Codec, corrupt, id, label, text};
use crate::ledger::{CreditMove, move_credits};
use crate::liability::SUMMED as VALUED;
use crate::rows::{
    Connection, HOLDER_COLUMNS, JOINED_USAGE_CHARGE_COLUMNS, USAGE_CHARGE_COLUMNS, execute_unique,
    fetch_one, find_holder, holder, lookup_clause, query_one, read_card, read_holding,
    usage_charge,
};
use crate::store::unavailable;
use crate::webhooks::queue_webhook_event;

/// How a charge is added to its row of the usage summary (ADR 0020).
const SUMMED: &str = "ON CONFLICT (bucket_at, department_id, usage_kind, basis, shard) \
     DO UPDATE SET charges = usage_summary.charges + 1, \
     credits = usage_summary.credits + EXCLUDED.credits";

/// The charge statement's webhook part (ADR 0023), parameters `$15`-`$18`: when the balance
/// `moved` crosses the low-balance mark `$18` (at or above it before, below after) or reaches
/// zero, `credits.low` (id `$15`) and `credits.exhausted` (id `$16`) are queued with the data
/// `$17` (the balance filled in here) for the enabled endpoints subscribing to them, in the same
/// statement as the charge: still one round trip. The rule is
/// [`kasa_ports::webhook_events_for_charge`]'s; with no endpoint subscribed nothing is written.
const BALANCE_EVENTS: &str = ", crossed AS ( \
     SELECT v.event_id, v.event_type, m.credit_balance FROM moved m CROSS JOIN (VALUES \
     ($15::uuid, 'credits.low'), ($16::uuid, 'credits.exhausted')) AS v (event_id, event_type) \
     WHERE CASE WHEN v.event_type = 'credits.low' \
     THEN m.credit_balance < $18 AND m.credit_balance + $6 >= $18 \
     ELSE m.credit_balance = 0 END \
     AND EXISTS (SELECT 1 FROM webhook_subscriptions s JOIN webhook_endpoints e \
     ON e.id = s.endpoint_id WHERE s.event_type = v.event_type AND e.enabled) \
 ), queued AS ( \
     INSERT INTO webhook_events (id, event_type, data, created_at) \
     SELECT event_id, event_type, \
     jsonb_set($17::jsonb, '{object,balance}', to_jsonb(credit_balance)), $10 FROM crossed \
 ), delivered AS ( \
     INSERT INTO webhook_deliveries (event_id, endpoint_id, attempts, next_attempt_at) \
     SELECT c.event_id, s.endpoint_id, 0, $10 FROM crossed c JOIN webhook_subscriptions s \
     ON s.event_type = c.event_type JOIN webhook_endpoints e ON e.id = s.endpoint_id \
     AND e.enabled \
 )";

/// The usage summary's shard of a customer's charges: concurrent charges of different customers
/// in one hour and department mostly land on different rows, so they do not wait for each other.
pub(crate) fn usage_shard(customer_id: CustomerId) -> i64 {
    i64::from(customer_id.as_uuid().as_bytes()[15] % 16)
}

async fn existing_charge(
    connection: &impl Connection,
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

/// The charge as recorded, with the balance after it.
fn recorded(charge: &NewUsageCharge, balance_after: Option<Credits>) -> UsageCharge {
    UsageCharge {
        id: charge.id,
        customer_id: charge.customer_id,
        department_id: charge.department_id,
        usage: charge.usage.clone(),
        credits: charge.credits,
        basis: charge.basis,
        balance_after,
        actor: charge.actor.clone(),
        at: charge.at,
    }
}

fn not_recorded(error: StoreError) -> NotRecorded {
    match error {
        StoreError::AlreadyExists { .. } => NotRecorded::Duplicate,
        other => NotRecorded::Failed(other),
    }
}

impl SqlStore {
    async fn try_record(&self, charge: &NewUsageCharge) -> Result<UsageCharge, NotRecorded> {
        if self.codec.is_sqlite() {
            self.record_in_transaction(charge).await
        } else {
            self.record_in_one_statement(charge).await
        }
    }

    /// PostgreSQL: the balance, the ledger entry, the charge and its hour in the usage summary in
    /// one statement (data-modifying CTEs run atomically, as one transaction): one round trip on
    /// the hot path. The same guards apply: the balance condition, the ledger's and the charges'
    /// unique indexes; the summary is counted only when the charge is recorded.
    ///
    /// The credit liability (ADR 0020) rides in the same statement: `held` locks the holding
    /// row and reads its lots (under read committed a waiting charge re-reads the row another
    /// charge just changed, and the update below then applies to that same version),
    /// `kasa_take_credits` (migration 0043, the same computation as `CreditLots::take`) takes
    /// the credits oldest lot first, the entry stores what it moved, and `valued` adds it to
    /// the hour's liability summary on the customer's shard.
    async fn record_in_one_statement(
        &self,
        charge: &NewUsageCharge,
    ) -> Result<UsageCharge, NotRecorded> {
        let codec = self.codec;
        let row = query_one(
            &self.db,
            codec.statement(
                &format!(
                    "WITH held AS ( \
                     SELECT credit_lots FROM holdings \
                     WHERE customer_id = $2 AND $6 > 0 AND credit_balance >= $6 FOR UPDATE \
                 ), taking AS ( \
                     SELECT kasa_take_credits(credit_lots, $6) AS taken FROM held \
                 ), moved AS ( \
                     UPDATE holdings SET credit_balance = credit_balance - $6, \
                     ledger_entries = ledger_entries + 1, \
                     credit_lots = (SELECT taken->'lots' FROM taking) \
                     WHERE customer_id = $2 AND $6 > 0 AND credit_balance >= $6 \
                     AND EXISTS (SELECT 1 FROM taking) \
                     RETURNING credit_balance, ledger_entries \
                 ), entry AS ( \
                     INSERT INTO credit_ledger (id, customer_id, entry_number, kind, delta, \
                     balance_after, actor_kind, actor_id, reason, at, usage_kind, \
                     usage_reference, valuation) \
                     SELECT $11, $2, ledger_entries, 'consumed', -$6, credit_balance, $8, $9, \
                     $12, $10, $4, $5, (SELECT taken->'moved' FROM taking) FROM moved \
                     RETURNING balance_after, valuation \
                 ) \
                 , charged AS ( \
                     INSERT INTO usage_charges (id, customer_id, department_id, usage_kind, \
                     usage_reference, credits, basis, balance_after, actor_kind, actor_id, at) \
                     SELECT $1, $2, $3, $4, $5, $6, $7, (SELECT balance_after FROM entry), $8, \
                     $9, $10 WHERE $6 = 0 OR EXISTS (SELECT 1 FROM entry) \
                     RETURNING balance_after \
                 ), summed AS ( \
                     INSERT INTO usage_summary (bucket_at, department_id, usage_kind, basis, \
                     shard, charges, credits) \
                     SELECT $13, $3, $4, $7, $14, 1, $6 FROM charged {SUMMED} \
                 ), valued AS ( \
                     INSERT INTO liability_summary (bucket_at, currency, shard, sold, consumed, \
                     forfeited, refunded, adjusted, credits) \
                     SELECT $13, coalesce(piece->>'currency', ''), $14, 0, \
                     (piece->>'value')::numeric, 0, 0, 0, (piece->>'credits')::bigint \
                     FROM entry, jsonb_array_elements(entry.valuation) AS piece {VALUED} \
                 ) \
                 {BALANCE_EVENTS} \
                 SELECT balance_after FROM charged"
                ),
                [
                    id(charge.id),
                    id(charge.customer_id),
                    id(charge.department_id),
                    text(label(&charge.usage.kind())),
                    text(charge.usage.reference()),
                    Value::from(charge.credits.get()),
                    text(label(&charge.basis)),
                    text(charge.actor.kind_label()),
                    text(charge.actor.subject_label()),
                    codec.at(charge.at),
                    id(charge.ledger_entry_id),
                    text(charge.reason.as_str()),
                    codec.at(usage_hour(charge.at)),
                    Value::from(usage_shard(charge.customer_id)),
                    id(new_id::<WebhookEventId>()),
                    id(new_id::<WebhookEventId>()),
                    codec.json(&credits_event_data(
                        &recorded(charge, None),
                        charge.low_balance_threshold,
                        None,
                    )),
                    Value::from(charge.low_balance_threshold.get()),
                ],
            ),
        )
        .await;
        let row = match row {
            Ok(Some(row)) => row,
            Ok(None) => return Err(NotRecorded::LowBalance),
            Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                return Err(NotRecorded::Duplicate);
            }
            Err(error) => return Err(NotRecorded::Failed(unavailable(error))),
        };
        let balance_after = codec
            .row(&row)
            .opt_int("balance_after")
            .and_then(|balance| balance.map(Credits::new).transpose().map_err(corrupt))
            .map_err(NotRecorded::Failed)?;
        Ok(recorded(charge, balance_after))
    }

    /// SQLite: the same in one transaction (SQLite runs in the process; statements cost no
    /// round trip).
    async fn record_in_transaction(
        &self,
        charge: &NewUsageCharge,
    ) -> Result<UsageCharge, NotRecorded> {
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
                .map_err(not_recorded)?;
                Some(consumed.ok_or(NotRecorded::LowBalance)?.balance_after)
            };
            let recorded = recorded(charge, balance_after);
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
            .map_err(not_recorded)?;
            tx.execute_raw(codec.statement(
                &format!(
                    "INSERT INTO usage_summary (bucket_at, department_id, usage_kind, basis, \
                     shard, charges, credits) VALUES ($1, $2, $3, $4, $5, 1, $6) {SUMMED}"
                ),
                [
                    codec.at(usage_hour(recorded.at)),
                    id(recorded.department_id),
                    text(label(&recorded.usage.kind())),
                    text(label(&recorded.basis)),
                    Value::from(usage_shard(recorded.customer_id)),
                    Value::from(recorded.credits.get()),
                ],
            ))
            .await
            .map_err(|error| NotRecorded::Failed(unavailable(error)))?;
            for event in webhook_events_for_charge(&recorded, charge.low_balance_threshold) {
                queue_webhook_event(tx, codec, &event, recorded.at)
                    .await
                    .map_err(NotRecorded::Failed)?;
            }
            Ok(recorded)
        }
        .await;
        match result {
            Ok(recorded) => write
                .finish(Ok(recorded))
                .await
                .map_err(NotRecorded::Failed),
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
        // One query for the holding, the department and an earlier charge of the same ticket;
        // then the card (and the terms, for a subscription).
        let codec = self.codec;
        let mut values = Vec::new();
        let (join, condition) = lookup_clause(&query.customer, &mut values);
        values.extend([
            id(query.department_id),
            text(label(&query.usage.kind())),
            text(query.usage.reference()),
        ]);
        let count = values.len();
        let sql = format!(
            "SELECT {HOLDER_COLUMNS}, d.name AS department_name, d.credits_per_request, \
             {JOINED_USAGE_CHARGE_COLUMNS} FROM holdings h {join} \
             LEFT JOIN departments d ON d.id = ${} \
             LEFT JOIN usage_charges u ON u.customer_id = h.customer_id \
             AND u.usage_kind = ${} AND u.usage_reference = ${} \
             WHERE {condition}",
            count - 2,
            count - 1,
            count
        );
        let row = fetch_one(&self.db, codec.statement(&sql, values))
            .await?
            .ok_or(StoreError::NotFound {
                entity: kasa_ports::Entity::Customer,
            })?;
        let row = codec.row(&row);
        let holder = holder(&row)?;
        let Some(name) = row.opt_text("department_name")? else {
            return Err(StoreError::NotFound {
                entity: kasa_ports::Entity::Department,
            });
        };
        let price = Credits::new(row.int("credits_per_request")?).map_err(corrupt)?;
        let department = Department::new(query.department_id, &name, price).map_err(corrupt)?;
        let existing_charge = match row.opt_id::<UsageChargeId>("id")? {
            Some(_) => Some(usage_charge(&row)?),
            None => None,
        };
        Ok(ChargeContext {
            customer_id: holder.customer_id,
            department,
            card: read_card(&self.db, codec, holder.customer_id).await?,
            holding: read_holding(&self.db, codec, &holder).await?,
            existing_charge,
        })
    }

    async fn record_refusal(&self, refused: RefusedCharge) -> Result<(), StoreError> {
        let event = webhook_event_for_refusal(&refused);
        self.in_transaction(async |tx, codec| {
            queue_webhook_event(tx, codec, &event, refused.at).await
        })
        .await
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
