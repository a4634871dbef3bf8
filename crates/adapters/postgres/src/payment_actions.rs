//! Captures, voids and refunds: requested, then finished once with everything that follows.

use async_trait::async_trait;
use kasa_credits::LedgerEntryKind;
use kasa_domain::{Credits, Currency, LedgerEntryId, Money, PackageKind, PurchaseId};
use kasa_ports::{
    ActionContext, FinishedPaymentAction, GatewayReference, NewPaymentAction, PaymentAction,
    PaymentActionOutcome, PaymentActionResult, PaymentActionState, PaymentActionStore, Purchase,
    StoreError, new_id,
};
use sea_orm::DatabaseTransaction;
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, Row, corrupt, id, label, opt_text, text};
use crate::holdings::holding_after;
use crate::invoices::issue;
use crate::ledger::{CreditMove, move_credits};
use crate::purchases::{end_terms, record_payment_status, release_purchases};
use crate::rows::{
    Connection, actor, execute, execute_unique, fetch_all, fetch_one, insert_audit, insert_outbox,
    mark_idempotency_key_applied, read_purchase, reason,
};

pub(crate) const COLUMNS: &str = "SELECT id, purchase_id, kind, amount, currency, state, reference, \
    detail, actor_kind, actor_id, reason, request_id, requested_at, finished_at \
    FROM payment_actions";

pub(crate) fn payment_action(row: &Row<'_>) -> Result<PaymentAction, StoreError> {
    let currency: Currency = row.text("currency")?.parse().map_err(corrupt)?;
    Ok(PaymentAction {
        id: row.id("id")?,
        purchase_id: row.id("purchase_id")?,
        kind: row.label("kind")?,
        amount: Money::new(row.amount("amount")?, currency).map_err(corrupt)?,
        state: row.label("state")?,
        reference: row.opt_text("reference")?.map(GatewayReference),
        detail: row.opt_text("detail")?,
        actor: actor(row, "actor_kind", "actor_id")?,
        reason: reason(row, "reason")?,
        request_id: row.opt_text("request_id")?,
        requested_at: row.at("requested_at")?,
        finished_at: row.opt_at("finished_at")?,
    })
}

async fn read_action(
    connection: &impl Connection,
    codec: Codec,
    action_id: kasa_domain::PaymentActionId,
) -> Result<PaymentAction, StoreError> {
    let row = fetch_one(
        connection,
        codec.statement(&format!("{COLUMNS} WHERE id = $1"), [id(action_id)]),
    )
    .await?
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::PaymentAction,
    })?;
    payment_action(&codec.row(&row))
}

/// Takes a purchase's package back: the smaller of its grant and the balance reversed (the
/// ledger's rule, `CreditLedger::reversible_for`), or its term ended; the departments it
/// enabled released. Returns the credits reversed (none for a purchase of an amount).
async fn take_back(
    tx: &DatabaseTransaction,
    codec: Codec,
    purchase: &Purchase,
    context: &ActionContext,
    at: OffsetDateTime,
) -> Result<Option<Credits>, StoreError> {
    let customer_id = purchase.customer_id;
    // Locks the holding row: movements of one customer happen one after the other.
    execute(
        tx,
        codec.statement(
            "UPDATE holdings SET version = version + 1 WHERE customer_id = $1",
            [id(customer_id)],
        ),
    )
    .await?;
    // A purchase of an amount gave nothing to hold: there is nothing to take back.
    let Some(package) = purchase.item.package() else {
        return Ok(None);
    };
    match package.kind {
        PackageKind::Credit { .. } => {
            release_purchases(tx, codec, customer_id, &[purchase.id]).await?;
            let Some(row) = fetch_one(
                tx,
                codec.statement(
                    "SELECT g.delta AS granted, h.credit_balance AS balance, \
                     (SELECT COUNT(*) FROM credit_ledger r WHERE r.customer_id = $1 \
                      AND r.purchase_id = $2 AND r.kind = 'reversed') AS reversals \
                     FROM credit_ledger g JOIN holdings h ON h.customer_id = g.customer_id \
                     WHERE g.customer_id = $1 AND g.purchase_id = $2 AND g.kind = 'granted'",
                    [id(customer_id), id(purchase.id)],
                ),
            )
            .await?
            else {
                return Ok(None);
            };
            let row = codec.row(&row);
            if row.int("reversals")? > 0 {
                return Ok(None);
            }
            let credits = row.int("granted")?.min(row.int("balance")?);
            if credits > 0 {
                move_credits(
                    tx,
                    codec,
                    CreditMove {
                        entry_id: new_id::<LedgerEntryId>(),
                        customer_id,
                        kind: LedgerEntryKind::Reversed,
                        delta: -credits,
                        actor: context.actor.clone(),
                        reason: context.reason.clone(),
                        at,
                        purchase_id: Some(purchase.id),
                        usage: None,
                    },
                )
                .await?
                .ok_or_else(|| corrupt("a reversal larger than the balance"))?;
            }
            Credits::new(credits).map(Some).map_err(corrupt)
        }
        PackageKind::Subscription { .. } => {
            end_terms(tx, codec, customer_id, &[purchase.id]).await?;
            let holder = fetch_one(
                tx,
                codec.statement(
                    "SELECT kind FROM holdings WHERE customer_id = $1",
                    [id(customer_id)],
                ),
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: kasa_ports::Entity::Customer,
            })?;
            if codec.row(&holder).text("kind")? == "subscription" {
                holding_after(tx, codec, customer_id).await?;
            }
            Ok(None)
        }
    }
}

/// `actor`'s requested and succeeded give-backs in `currency` requested in `[since, until)`,
/// summed exactly (SQLite keeps amounts as text).
async fn given_back(
    connection: &impl Connection,
    codec: Codec,
    actor: &kasa_domain::Actor,
    currency: Currency,
    since: OffsetDateTime,
    until: OffsetDateTime,
) -> Result<Money, StoreError> {
    fetch_all(
        connection,
        codec.statement(
            "SELECT amount FROM payment_actions WHERE actor_kind = $1 AND actor_id = $2 \
             AND currency = $3 AND gives_back AND state <> 'failed' \
             AND requested_at >= $4 AND requested_at < $5",
            [
                text(actor.kind_label()),
                text(actor.subject_label()),
                text(currency.alpha_code()),
                codec.at(since),
                codec.at(until),
            ],
        ),
    )
    .await?
    .iter()
    .try_fold(Money::zero(currency), |sum, row| {
        let amount = Money::new(codec.row(row).amount("amount")?, currency).map_err(corrupt)?;
        sum.checked_add(&amount).map_err(corrupt)
    })
}

#[async_trait]
impl PaymentActionStore for SqlStore {
    async fn request_approval(
        &self,
        new: kasa_ports::NewApprovalRequest,
    ) -> Result<kasa_ports::ApprovalRequest, StoreError> {
        self.insert_approval_request(new).await
    }

    async fn approval_request(
        &self,
        request_id: kasa_domain::ApprovalRequestId,
    ) -> Result<kasa_ports::ApprovalRequest, StoreError> {
        self.read_approval_request(request_id).await
    }

    async fn approval_requests(
        &self,
        state: Option<kasa_ports::ApprovalRequestState>,
        limit: u32,
    ) -> Result<Vec<kasa_ports::ApprovalRequest>, StoreError> {
        self.list_approval_requests(state, limit).await
    }

    async fn decide_approval_request(
        &self,
        decision: kasa_ports::ApprovalDecision,
    ) -> Result<kasa_ports::ApprovalRequest, StoreError> {
        self.decide_request(decision).await
    }

    async fn finish_approval_request(
        &self,
        finished: kasa_ports::FinishedApproval,
    ) -> Result<kasa_ports::ApprovalRequest, StoreError> {
        self.finish_request(finished).await
    }

    async fn given_back_by(
        &self,
        actor: kasa_domain::Actor,
        currency: Currency,
        since: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Money, StoreError> {
        given_back(&self.db, self.codec, &actor, currency, since, until).await
    }

    async fn begin_payment_action(
        &self,
        new: NewPaymentAction,
    ) -> Result<PaymentAction, StoreError> {
        self.in_transaction(async |tx, codec| {
            let payment = fetch_one(
                tx,
                codec.statement(
                    "SELECT id FROM payments WHERE purchase_id = $1",
                    [id(new.purchase_id)],
                ),
            )
            .await?;
            let Some(payment) = payment else {
                read_purchase(tx, codec, new.purchase_id).await?;
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Payment,
                });
            };
            let payment_id: kasa_domain::PaymentId = codec.row(&payment).id("id")?;
            // Lock the payment row: actions on one payment are decided one after the other.
            execute(
                tx,
                codec.statement(
                    "UPDATE payments SET updated_at = updated_at WHERE id = $1",
                    [id(payment_id)],
                ),
            )
            .await?;
            let counted = fetch_one(
                tx,
                codec.statement(
                    "SELECT COUNT(*) AS n, \
                     COUNT(CASE WHEN state = 'requested' THEN 1 END) AS in_flight \
                     FROM payment_actions WHERE payment_id = $1",
                    [id(payment_id)],
                ),
            )
            .await?
            .ok_or_else(|| corrupt("COUNT returned no row"))?;
            let counted = codec.row(&counted);
            if counted.int("in_flight")? > 0 {
                return Err(StoreError::AlreadyExists {
                    what: "an unfinished action on this payment".to_owned(),
                });
            }
            if counted.int("n")? != i64::from(new.expected_actions) {
                return Err(StoreError::StaleVersion);
            }
            let context = &new.context;
            if let Some(check) = &new.given_back_check {
                // One caller's give-backs are decided one after the other (SQLite has one
                // writer already): two refunds at once never both pass a daily limit.
                if !codec.is_sqlite() {
                    execute(
                        tx,
                        codec.statement(
                            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                            [text(format!(
                                "kasa.give-backs:{}:{}",
                                context.actor.kind_label(),
                                context.actor.subject_label()
                            ))],
                        ),
                    )
                    .await?;
                }
                let now = given_back(
                    tx,
                    codec,
                    &context.actor,
                    new.amount.currency(),
                    check.since,
                    check.until,
                )
                .await?;
                if now != check.expected {
                    return Err(StoreError::StaleVersion);
                }
            }
            // The action is the change an Idempotency-Key guards: it counts from its request.
            mark_idempotency_key_applied(tx, codec, context, new.at).await?;
            execute_unique(
                tx,
                codec.statement(
                    "INSERT INTO payment_actions (id, payment_id, purchase_id, kind, amount, \
                     currency, state, actor_kind, actor_id, reason, request_id, requested_at, \
                     gives_back) \
                     VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $8, $9, $10, $11, $12)",
                    [
                        id(new.id),
                        id(payment_id),
                        id(new.purchase_id),
                        text(label(&new.kind)),
                        codec.amount(new.amount.amount()),
                        text(new.amount.currency().alpha_code()),
                        text(context.actor.kind_label()),
                        text(context.actor.subject_label()),
                        text(context.reason.as_str()),
                        opt_text(context.request_id.clone()),
                        codec.at(new.at),
                        sea_orm::Value::from(new.gives_back),
                    ],
                ),
                || "an unfinished action on this payment".to_owned(),
            )
            .await?;
            read_action(tx, codec, new.id).await
        })
        .await
    }

    async fn finish_payment_action(
        &self,
        result: PaymentActionResult,
    ) -> Result<FinishedPaymentAction, StoreError> {
        self.in_transaction(async |tx, codec| {
            let action = read_action(tx, codec, result.action_id).await?;
            if action.purchase_id != result.purchase_id {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::PaymentAction,
                });
            }
            let (state, reference, detail) = match &result.outcome {
                PaymentActionOutcome::Failed { detail } => {
                    (PaymentActionState::Failed, None, Some(detail.clone()))
                }
                PaymentActionOutcome::Succeeded { reference, .. } => (
                    PaymentActionState::Succeeded,
                    reference.as_ref().map(|reference| reference.0.clone()),
                    None,
                ),
            };
            let finished = execute(
                tx,
                codec.statement(
                    "UPDATE payment_actions SET state = $2, reference = $3, detail = $4, \
                     finished_at = $5 WHERE id = $1 AND state = 'requested'",
                    [
                        id(result.action_id),
                        text(label(&state)),
                        opt_text(reference),
                        opt_text(detail),
                        codec.at(result.at),
                    ],
                ),
            )
            .await?;
            if finished == 0 {
                return Err(StoreError::AlreadyExists {
                    what: format!("the result of payment action {}", result.action_id),
                });
            }
            let mut document = None;
            let mut credits_reversed = None;
            if let PaymentActionOutcome::Succeeded {
                // The action's own reference (a refund's id) stays on the action: the payment
                // keeps the reference it is found by at the gateway.
                reference: _,
                payment_status,
                take_back: taking_back,
                document: new_document,
                notifications,
            } = result.outcome
            {
                record_payment_status(
                    tx,
                    codec,
                    result.purchase_id,
                    payment_status,
                    None,
                    None,
                    result.at,
                )
                .await?;
                if taking_back {
                    let purchase = read_purchase(tx, codec, result.purchase_id).await?;
                    credits_reversed =
                        take_back(tx, codec, &purchase, &result.context, result.at).await?;
                }
                if let Some(new_document) = new_document {
                    document = Some(issue(tx, codec, *new_document).await?);
                }
                for payload in &notifications {
                    insert_outbox(tx, codec, payload, result.at).await?;
                }
            }
            insert_audit(tx, codec, &result.audit, &result.context, result.at).await?;
            Ok(FinishedPaymentAction {
                action: read_action(tx, codec, result.action_id).await?,
                purchase: read_purchase(tx, codec, result.purchase_id).await?,
                document,
                credits_reversed,
            })
        })
        .await
    }

    async fn requested_payment_actions(
        &self,
        requested_before: OffsetDateTime,
        count: u32,
    ) -> Result<Vec<PaymentAction>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!(
                    "{COLUMNS} WHERE state = 'requested' AND requested_at < $1 \
                     ORDER BY requested_at, id LIMIT $2"
                ),
                [codec.at(requested_before), crate::rows::limit(count)],
            ),
        )
        .await?
        .iter()
        .map(|row| payment_action(&codec.row(row)))
        .collect()
    }

    async fn payment_actions(
        &self,
        purchase_id: PurchaseId,
    ) -> Result<Vec<PaymentAction>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!("{COLUMNS} WHERE purchase_id = $1 ORDER BY requested_at, id"),
                [id(purchase_id)],
            ),
        )
        .await?
        .iter()
        .map(|row| payment_action(&codec.row(row)))
        .collect()
    }
}
