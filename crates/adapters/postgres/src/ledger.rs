//! Credit movements: the holding's balance and the ledger entry that records it, together.

use kasa_credits::{LedgerEntry, LedgerEntryKind};
use kasa_domain::{Actor, Credits, CustomerId, LedgerEntryId, PurchaseId, Reason, UsageKey};
use kasa_ports::StoreError;
use sea_orm::Value;
use time::OffsetDateTime;

use crate::codec::{Codec, corrupt, id, label, opt_id, opt_text, text};
use crate::liability::{add_to_summary, value_entry, write_lots};
use crate::rows::{Connection, execute_unique, fetch_one};
use kasa_credits::liability::CreditLots;

/// One change of a customer's balance.
#[derive(Clone, Debug)]
pub(crate) struct CreditMove {
    pub(crate) entry_id: LedgerEntryId,
    pub(crate) customer_id: CustomerId,
    pub(crate) kind: LedgerEntryKind,
    /// The signed change, never zero.
    pub(crate) delta: i64,
    pub(crate) actor: Actor,
    pub(crate) reason: Reason,
    pub(crate) at: OffsetDateTime,
    pub(crate) purchase_id: Option<PurchaseId>,
    pub(crate) usage: Option<UsageKey>,
}

/// Moves the balance and appends the ledger entry; `None` (and nothing changed) when the
/// balance would go below zero. The balance row stays locked until the transaction ends, so
/// movements of one customer happen one after the other.
///
/// # Errors
/// [`StoreError::AlreadyExists`] when the database refuses a second consumption of a ticket or
/// a second grant or reversal of a purchase; [`StoreError::Unavailable`].
pub(crate) async fn move_credits(
    connection: &impl Connection,
    codec: Codec,
    movement: CreditMove,
) -> Result<Option<LedgerEntry>, StoreError> {
    let Some(row) = fetch_one(
        connection,
        codec.statement(
            "UPDATE holdings SET credit_balance = credit_balance + $2, \
             ledger_entries = ledger_entries + 1 \
             WHERE customer_id = $1 AND credit_balance + $2 >= 0 \
             RETURNING credit_balance, ledger_entries, credit_lots",
            [id(movement.customer_id), Value::from(movement.delta)],
        ),
    )
    .await?
    else {
        return Ok(None);
    };
    let row = codec.row(&row);
    let balance_after = Credits::new(row.int("credit_balance")?).map_err(corrupt)?;
    let entry_number = row.int("ledger_entries")?;
    // The entry is valued against the customer's lots (the row is locked by the update above)
    // and the summary counts it, in this transaction (ADR 0020).
    let mut lots: CreditLots = row.json("credit_lots")?;
    let (bucket, valuation) = value_entry(
        &mut lots,
        movement.kind,
        movement.delta,
        movement.purchase_id,
    )?;
    write_lots(connection, codec, movement.customer_id, &lots).await?;
    execute_unique(
        connection,
        codec.statement(
            "INSERT INTO credit_ledger (id, customer_id, entry_number, kind, delta, \
             balance_after, actor_kind, actor_id, reason, at, purchase_id, usage_kind, \
             usage_reference, valuation) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            [
                id(movement.entry_id),
                id(movement.customer_id),
                Value::from(entry_number),
                text(movement.kind.label()),
                Value::from(movement.delta),
                Value::from(balance_after.get()),
                text(movement.actor.kind_label()),
                text(movement.actor.subject_label()),
                text(movement.reason.as_str()),
                codec.at(movement.at),
                opt_id(movement.purchase_id),
                opt_text(movement.usage.as_ref().map(|usage| label(&usage.kind()))),
                opt_text(
                    movement
                        .usage
                        .as_ref()
                        .map(|usage| usage.reference().to_owned()),
                ),
                codec.json(&valuation),
            ],
        ),
        || format!("{} ledger entry", movement.kind.label()),
    )
    .await?;
    add_to_summary(
        connection,
        codec,
        movement.customer_id,
        movement.at,
        bucket,
        &valuation,
    )
    .await?;
    Ok(Some(LedgerEntry {
        id: movement.entry_id,
        kind: movement.kind,
        delta: movement.delta,
        balance_after,
        actor: movement.actor,
        reason: movement.reason,
        at: movement.at,
        purchase_id: movement.purchase_id,
        usage: movement.usage,
    }))
}
