//! Purchases and their payments; applying a purchase decision in one transaction.

use async_trait::async_trait;
use kasa_credits::LedgerEntryKind;
use kasa_domain::{
    Credits, CustomerId, LedgerEntryId, Package, PackageKind, PaymentId, PurchaseId,
    SubscriptionTerm,
};
use kasa_ports::{
    ActionContext, AppliedPurchase, AuditRecord, CustomerLookup, GatewayName, GatewayReference,
    NewPurchase, OrderId, PaymentFailure, PaymentStatus, ProcessedGatewayEvent, Purchase,
    PurchaseApplication, PurchaseItem, PurchaseOutcome, PurchaseStatus, PurchaseStore,
    PurchaseTarget, Recurring, StoreError, new_id,
};
use kasa_subscriptions::{
    ForfeitConfirmation, Forfeiture, HoldingEnd, PurchaseDecision, PurchaseEffect,
};
use sea_orm::{DatabaseTransaction, Value};
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, id, label, opt_id, opt_text, text};
use crate::ledger::{CreditMove, move_credits};
use crate::rows::{
    Connection, HoldingKind, PURCHASE_COLUMNS, advance_version, execute, execute_unique, fetch_all,
    fetch_one, find_holder, insert_audit, insert_outbox, limit, purchase, read_card, read_customer,
    read_holding, read_purchase, set_holding_kind,
};

/// Records a payment's new status and appends it to the payment's history.
pub(crate) async fn record_payment_status(
    connection: &impl Connection,
    codec: Codec,
    purchase_id: PurchaseId,
    status: PaymentStatus,
    reference: Option<&GatewayReference>,
    failure: Option<&str>,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let Some(row) = fetch_one(
        connection,
        codec.statement(
            "UPDATE payments SET status = $2, reference = COALESCE($3, reference), \
             failure = COALESCE($4, failure), updated_at = $5 \
             WHERE purchase_id = $1 RETURNING id",
            [
                id(purchase_id),
                text(label(&status)),
                opt_text(reference.map(|reference| reference.0.clone())),
                opt_text(failure),
                codec.at(at),
            ],
        ),
    )
    .await?
    else {
        return Ok(());
    };
    let payment_id: PaymentId = codec.row(&row).id("id")?;
    insert_payment_event(
        connection, codec, payment_id, status, reference, failure, at,
    )
    .await
}

async fn insert_payment_event(
    connection: &impl Connection,
    codec: Codec,
    payment_id: PaymentId,
    status: PaymentStatus,
    reference: Option<&GatewayReference>,
    detail: Option<&str>,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    execute(
        connection,
        codec.statement(
            "INSERT INTO payment_events (id, payment_id, status, reference, detail, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            [
                id(new_id::<PaymentId>()),
                id(payment_id),
                text(label(&status)),
                opt_text(reference.map(|reference| reference.0.clone())),
                opt_text(detail),
                codec.at(at),
            ],
        ),
    )
    .await?;
    Ok(())
}

pub(crate) async fn insert_purchase(
    tx: &DatabaseTransaction,
    codec: Codec,
    new: &NewPurchase,
) -> Result<(), StoreError> {
    find_holder(
        tx,
        codec,
        &CustomerLookup::Id {
            id: new.customer_id,
        },
    )
    .await?;
    let known = fetch_one(
        tx,
        codec.statement("SELECT id FROM purchases WHERE id = $1", [id(new.id)]),
    )
    .await?;
    if known.is_some() {
        return Err(StoreError::PurchaseNotPending(new.id));
    }
    // A package purchase names its package and kind; a purchase of an amount keeps the amount
    // and its description instead (the table's CHECK holds exactly one of them).
    let (package, amount_item) = match &new.item {
        PurchaseItem::Package(package) => (Some(package), None),
        PurchaseItem::Amount(item) => (None, Some(item)),
    };
    let package_kind = package.map(|package| match package.kind {
        PackageKind::Credit { .. } => "credit",
        PackageKind::Subscription { .. } => "subscription",
    });
    let context = &new.started_by;
    execute_unique(
        tx,
        codec.statement(
            "INSERT INTO purchases (id, customer_id, package_id, package_kind, package, \
             channel, forfeit_confirmed, status, started_by_kind, started_by_id, \
             started_reason, started_request_id, created_at, amount_item) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11, $12, $13)",
            [
                id(new.id),
                id(new.customer_id),
                opt_id(package.map(|package| package.id)),
                opt_text(package_kind),
                codec.opt_json(package),
                text(label(&new.channel)),
                Value::from(new.forfeit_confirmation == ForfeitConfirmation::Confirmed),
                text(context.actor.kind_label()),
                text(context.actor.subject_label()),
                text(context.reason.as_str()),
                opt_text(context.request_id.clone()),
                codec.at(new.created_at),
                codec.opt_json(amount_item),
            ],
        ),
        || format!("purchase {}", new.id),
    )
    .await?;
    if let Some(payment) = &new.payment {
        execute_unique(
            tx,
            codec.statement(
                "INSERT INTO payments (id, purchase_id, gateway, order_id, amount, currency, \
                 capture_mode, status, reference, failure, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
                [
                    id(payment.id),
                    id(new.id),
                    text(payment.gateway.as_str()),
                    text(payment.order_id.0.clone()),
                    codec.amount(payment.amount.amount()),
                    text(payment.amount.currency().alpha_code()),
                    text(label(&payment.capture)),
                    text(label(&payment.status)),
                    opt_text(
                        payment
                            .reference
                            .as_ref()
                            .map(|reference| reference.0.clone()),
                    ),
                    opt_text(payment.failure.clone()),
                    codec.at(new.created_at),
                ],
            ),
            || format!("order {} at {}", payment.order_id, payment.gateway),
        )
        .await?;
        insert_payment_event(
            tx,
            codec,
            payment.id,
            payment.status,
            payment.reference.as_ref(),
            None,
            new.created_at,
        )
        .await?;
    }
    crate::coupons::redeem(tx, codec, new).await
}

/// Whether a purchase is still pending; `PurchaseNotPending` otherwise.
async fn ensure_pending(
    connection: &impl Connection,
    codec: Codec,
    purchase_id: PurchaseId,
) -> Result<(), StoreError> {
    let row = fetch_one(
        connection,
        codec.statement(
            "SELECT status FROM purchases WHERE id = $1",
            [id(purchase_id)],
        ),
    )
    .await?
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::Purchase,
    })?;
    let status: PurchaseStatus = codec.row(&row).label("status")?;
    if status == PurchaseStatus::Pending {
        Ok(())
    } else {
        Err(StoreError::PurchaseNotPending(purchase_id))
    }
}

/// Releases the department claims of purchases.
pub(crate) async fn release_purchases(
    tx: &DatabaseTransaction,
    codec: Codec,
    customer_id: CustomerId,
    purchases: &[PurchaseId],
) -> Result<(), StoreError> {
    for purchase_id in purchases {
        execute(
            tx,
            codec.statement(
                "DELETE FROM card_purchase_departments WHERE customer_id = $1 AND purchase_id = $2",
                [id(customer_id), id(*purchase_id)],
            ),
        )
        .await?;
    }
    Ok(())
}

/// Removes terms (and their department claims).
pub(crate) async fn end_terms(
    tx: &DatabaseTransaction,
    codec: Codec,
    customer_id: CustomerId,
    purchases: &[PurchaseId],
) -> Result<(), StoreError> {
    release_purchases(tx, codec, customer_id, purchases).await?;
    for purchase_id in purchases {
        execute(
            tx,
            codec.statement(
                "DELETE FROM subscription_terms WHERE customer_id = $1 AND purchase_id = $2",
                [id(customer_id), id(*purchase_id)],
            ),
        )
        .await?;
    }
    Ok(())
}

/// Ends the previous holding; returns what was forfeited.
async fn end_holding(
    tx: &DatabaseTransaction,
    codec: Codec,
    customer_id: CustomerId,
    end: &HoldingEnd,
    context: &ActionContext,
    at: OffsetDateTime,
) -> Result<Option<Forfeiture>, StoreError> {
    let mut forfeited = end.forfeiture.clone();
    if end.ends_credits {
        let holder = find_holder(tx, codec, &CustomerLookup::Id { id: customer_id }).await?;
        forfeited = None;
        if !holder.balance.is_zero() {
            move_credits(
                tx,
                codec,
                CreditMove {
                    entry_id: new_id::<LedgerEntryId>(),
                    customer_id,
                    kind: LedgerEntryKind::Forfeited,
                    delta: -holder.balance.get(),
                    actor: context.actor.clone(),
                    reason: context.reason.clone(),
                    at,
                    purchase_id: None,
                    usage: None,
                },
            )
            .await?;
            forfeited = Some(Forfeiture::Credits {
                credits: holder.balance,
            });
        }
        execute(
            tx,
            codec.statement(
                "DELETE FROM card_purchase_departments WHERE customer_id = $1 AND purchase_id IN \
                 (SELECT id FROM purchases WHERE customer_id = $1 AND status = 'completed' \
                 AND package_kind = 'credit')",
                [id(customer_id)],
            ),
        )
        .await?;
    }
    end_terms(tx, codec, customer_id, &end.ended_subscription_purchases).await?;
    set_holding_kind(tx, codec, customer_id, HoldingKind::Nothing).await?;
    Ok(forfeited)
}

async fn apply(
    tx: &DatabaseTransaction,
    codec: Codec,
    application: PurchaseApplication,
) -> Result<AppliedPurchase, StoreError> {
    let PurchaseApplication {
        target,
        customer_id,
        expected_version,
        decision,
        settlement,
        audit,
        forfeiture_confirmation,
        notifications,
        invoice,
        context,
        at,
    } = application;
    let purchase_id = match target {
        PurchaseTarget::Pending { purchase_id } => {
            ensure_pending(tx, codec, purchase_id).await?;
            purchase_id
        }
        PurchaseTarget::New { purchase } => {
            insert_purchase(tx, codec, &purchase).await?;
            purchase.id
        }
    };
    let item = read_purchase(tx, codec, purchase_id).await?.item;
    advance_version(tx, codec, customer_id, expected_version).await?;
    let (forfeited, balance_after, term) = match (&decision, item.package()) {
        (Some(decision), Some(package)) => {
            apply_decision(
                tx,
                codec,
                customer_id,
                purchase_id,
                package,
                decision,
                &context,
                at,
            )
            .await?
        }
        (None, None) => (None, None, None),
        _ => {
            return Err(StoreError::Corrupt(format!(
                "purchase {purchase_id}: a package needs a decision, an amount has none"
            )));
        }
    };
    let outcome = PurchaseOutcome {
        balance_after,
        term,
        forfeited,
        departments_enabled: item.departments(),
    };
    let completed = execute(
        tx,
        codec.statement(
            "UPDATE purchases SET status = 'completed', completed_at = $2, outcome = $3 \
             WHERE id = $1 AND status = 'pending'",
            [id(purchase_id), codec.at(at), codec.json(&outcome)],
        ),
    )
    .await?;
    if completed != 1 {
        return Err(StoreError::PurchaseNotPending(purchase_id));
    }
    if let Some(settlement) = settlement {
        record_payment_status(
            tx,
            codec,
            purchase_id,
            settlement.status,
            settlement.reference.as_ref(),
            None,
            at,
        )
        .await?;
        if let Some(card) = &settlement.card {
            execute(
                tx,
                codec.statement(
                    "UPDATE payments SET card_brand = $2, card_last4 = $3 WHERE purchase_id = $1",
                    [id(purchase_id), text(card.brand()), text(card.last4())],
                ),
            )
            .await?;
        }
        if let Some(import) = &settlement.import {
            record_import(tx, codec, purchase_id, import, at).await?;
        }
    }
    if let Some(invoice) = invoice {
        crate::invoices::issue(tx, codec, invoice).await?;
    }
    if let Some((confirmation, confirmed_by)) = &forfeiture_confirmation {
        insert_audit(tx, codec, confirmation, confirmed_by, at).await?;
    }
    insert_audit(tx, codec, &audit, &context, at).await?;
    for payload in &notifications {
        insert_outbox(tx, codec, payload, at).await?;
    }
    let holder = find_holder(tx, codec, &CustomerLookup::Id { id: customer_id }).await?;
    Ok(AppliedPurchase {
        purchase: read_purchase(tx, codec, purchase_id).await?,
        holding: read_holding(tx, codec, &holder).await?,
        card: read_card(tx, codec, customer_id).await?,
    })
}

/// Settles the payment as imported (ADR 0025): the method becomes its gateway, the import's
/// reference its reference, and the import is recorded; a reference imported before refuses it.
async fn record_import(
    tx: &DatabaseTransaction,
    codec: Codec,
    purchase_id: PurchaseId,
    import: &kasa_ports::PaymentImport,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let row = fetch_one(
        tx,
        codec.statement(
            "UPDATE payments SET gateway = $2, reference = $3 WHERE purchase_id = $1 \
             RETURNING id, amount, currency",
            [
                id(purchase_id),
                text(import.method.label()),
                text(import.reference.0.clone()),
            ],
        ),
    )
    .await?
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::Payment,
    })?;
    let row = codec.row(&row);
    let payment_id: PaymentId = row.id("id")?;
    execute_unique(
        tx,
        codec.statement(
            "INSERT INTO payment_imports (payment_id, purchase_id, method, reference, amount, \
             currency, received_at, note, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [
                id(payment_id),
                id(purchase_id),
                text(import.method.label()),
                text(import.reference.0.clone()),
                codec.amount(row.amount("amount")?),
                text(row.text("currency")?),
                codec.at(import.received_at),
                opt_text(import.note.clone()),
                codec.at(at),
            ],
        ),
        || "imported payment reference".to_owned(),
    )
    .await
    .map(|_| ())
}

const IMPORT_COLUMNS: &str = "SELECT payment_id, purchase_id, method, reference, amount, currency, \
     received_at, note, recorded_at FROM payment_imports";

fn imported_payment_row(
    row: &crate::codec::Row<'_>,
) -> Result<kasa_ports::ImportedPayment, StoreError> {
    let currency: kasa_domain::Currency = row
        .text("currency")?
        .parse()
        .map_err(crate::codec::corrupt)?;
    Ok(kasa_ports::ImportedPayment {
        purchase_id: row.id("purchase_id")?,
        payment_id: row.id("payment_id")?,
        amount: kasa_domain::Money::new(row.amount("amount")?, currency)
            .map_err(crate::codec::corrupt)?,
        import: kasa_ports::PaymentImport {
            method: row.label("method")?,
            reference: GatewayReference(row.text("reference")?),
            received_at: row.at("received_at")?,
            note: row.opt_text("note")?,
        },
        recorded_at: row.at("recorded_at")?,
    })
}

const RECURRING_COLUMNS: &str = "SELECT gateway, subscription, customer_id, package_id, state, \
     created_at, updated_at FROM gateway_recurring";

fn recurring_row(row: &crate::codec::Row<'_>) -> Result<Recurring, StoreError> {
    Ok(Recurring {
        gateway: row.label("gateway")?,
        subscription: GatewayReference(row.text("subscription")?),
        customer_id: row.id("customer_id")?,
        package_id: row.id("package_id")?,
        state: row.label("state")?,
        created_at: row.at("created_at")?,
        updated_at: row.at("updated_at")?,
    })
}

#[async_trait]
impl PurchaseStore for SqlStore {
    async fn create_pending_purchase(&self, new: NewPurchase) -> Result<Purchase, StoreError> {
        self.in_transaction(async |tx, codec| {
            insert_purchase(tx, codec, &new).await?;
            read_purchase(tx, codec, new.id).await
        })
        .await
    }

    async fn purchase(&self, purchase_id: PurchaseId) -> Result<Purchase, StoreError> {
        read_purchase(&self.db, self.codec, purchase_id).await
    }

    async fn purchase_by_order(
        &self,
        gateway: GatewayName,
        order_id: OrderId,
    ) -> Result<Purchase, StoreError> {
        let codec = self.codec;
        let row = fetch_one(
            &self.db,
            codec.statement(
                &format!("{PURCHASE_COLUMNS} WHERE y.gateway = $1 AND y.order_id = $2"),
                [text(gateway.as_str()), text(order_id.0)],
            ),
        )
        .await?
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::Purchase,
        })?;
        purchase(&codec.row(&row))
    }

    async fn pending_purchases(
        &self,
        started_before: OffsetDateTime,
        count: u32,
    ) -> Result<Vec<Purchase>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!(
                    "{PURCHASE_COLUMNS} WHERE p.status = 'pending' AND p.created_at < $1 \
                     ORDER BY p.created_at, p.id LIMIT $2"
                ),
                [codec.at(started_before), limit(count)],
            ),
        )
        .await?
        .iter()
        .map(|row| purchase(&codec.row(row)))
        .collect()
    }

    async fn authorised_purchases(
        &self,
        completed_before: OffsetDateTime,
        count: u32,
    ) -> Result<Vec<Purchase>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!(
                    "{PURCHASE_COLUMNS} WHERE p.status = 'completed' AND y.status = 'authorised' \
                     AND p.completed_at < $1 ORDER BY p.completed_at, p.id LIMIT $2"
                ),
                [codec.at(completed_before), limit(count)],
            ),
        )
        .await?
        .iter()
        .map(|row| purchase(&codec.row(row)))
        .collect()
    }

    async fn apply_purchase(
        &self,
        application: PurchaseApplication,
    ) -> Result<AppliedPurchase, StoreError> {
        self.in_transaction(async |tx, codec| apply(tx, codec, application).await)
            .await
    }

    async fn fail_purchase(&self, failure: PaymentFailure) -> Result<Purchase, StoreError> {
        self.in_transaction(async |tx, codec| {
            ensure_pending(tx, codec, failure.purchase_id).await?;
            let closed = execute(
                tx,
                codec.statement(
                    "UPDATE purchases SET status = $2 WHERE id = $1 AND status = 'pending'",
                    [
                        id(failure.purchase_id),
                        text(label(&failure.purchase_status)),
                    ],
                ),
            )
            .await?;
            if closed != 1 {
                return Err(StoreError::PurchaseNotPending(failure.purchase_id));
            }
            record_payment_status(
                tx,
                codec,
                failure.purchase_id,
                failure.payment_status,
                failure.reference.as_ref(),
                Some(&failure.detail),
                failure.at,
            )
            .await?;
            insert_audit(tx, codec, &failure.audit, &failure.context, failure.at).await?;
            read_purchase(tx, codec, failure.purchase_id).await
        })
        .await
    }

    async fn purchase_by_reference(
        &self,
        gateway: GatewayName,
        reference: GatewayReference,
    ) -> Result<Purchase, StoreError> {
        let codec = self.codec;
        let row = fetch_one(
            &self.db,
            codec.statement(
                &format!("{PURCHASE_COLUMNS} WHERE y.gateway = $1 AND y.reference = $2"),
                [text(gateway.as_str()), text(reference.0)],
            ),
        )
        .await?
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::Purchase,
        })?;
        purchase(&codec.row(&row))
    }

    async fn imported_payment(
        &self,
        reference: GatewayReference,
    ) -> Result<kasa_ports::ImportedPayment, StoreError> {
        let codec = self.codec;
        let row = fetch_one(
            &self.db,
            codec.statement(
                &format!("{IMPORT_COLUMNS} WHERE reference = $1"),
                [text(reference.0)],
            ),
        )
        .await?
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::Payment,
        })?;
        imported_payment_row(&codec.row(&row))
    }

    async fn gateway_event_processed(
        &self,
        gateway: GatewayName,
        event_id: String,
    ) -> Result<bool, StoreError> {
        let codec = self.codec;
        Ok(fetch_one(
            &self.db,
            codec.statement(
                "SELECT 1 AS seen FROM gateway_events WHERE gateway = $1 AND event_id = $2",
                [text(gateway.as_str()), text(event_id)],
            ),
        )
        .await?
        .is_some())
    }

    async fn record_gateway_event(&self, event: ProcessedGatewayEvent) -> Result<bool, StoreError> {
        self.in_transaction(async |tx, codec| {
            let inserted = execute(
                tx,
                codec.statement(
                    "INSERT INTO gateway_events (gateway, event_id, event_type, outcome, \
                     processed_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (gateway, event_id) DO NOTHING",
                    [
                        text(event.gateway.as_str()),
                        text(event.event_id.clone()),
                        text(event.event_type.clone()),
                        text(event.outcome.clone()),
                        codec.at(event.at),
                    ],
                ),
            )
            .await?;
            Ok(inserted == 1)
        })
        .await
    }

    async fn save_recurring(
        &self,
        recurring: Recurring,
        audit: AuditRecord,
        context: ActionContext,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            read_customer(tx, codec, recurring.customer_id).await?;
            if fetch_one(
                tx,
                codec.statement(
                    "SELECT id FROM packages WHERE id = $1",
                    [id(recurring.package_id)],
                ),
            )
            .await?
            .is_none()
            {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Package,
                });
            }
            // An ended one never runs again (a late "cancel at the end" cannot revive it).
            execute_unique(
                tx,
                codec.statement(
                    "INSERT INTO gateway_recurring (gateway, subscription, customer_id, \
                     package_id, state, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (gateway, subscription) DO UPDATE SET state = excluded.state, \
                     updated_at = excluded.updated_at WHERE gateway_recurring.state <> 'ended'",
                    [
                        text(recurring.gateway.as_str()),
                        text(recurring.subscription.0.clone()),
                        id(recurring.customer_id),
                        id(recurring.package_id),
                        text(recurring.state.label()),
                        codec.at(recurring.created_at),
                        codec.at(recurring.updated_at),
                    ],
                ),
                || {
                    format!(
                        "a running renewing subscription of customer {}",
                        recurring.customer_id
                    )
                },
            )
            .await?;
            insert_audit(tx, codec, &audit, &context, recurring.updated_at).await
        })
        .await
    }

    async fn recurring(
        &self,
        gateway: GatewayName,
        subscription: GatewayReference,
    ) -> Result<Recurring, StoreError> {
        let codec = self.codec;
        let row = fetch_one(
            &self.db,
            codec.statement(
                &format!("{RECURRING_COLUMNS} WHERE gateway = $1 AND subscription = $2"),
                [text(gateway.as_str()), text(subscription.0)],
            ),
        )
        .await?
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::RecurringPayment,
        })?;
        recurring_row(&codec.row(&row))
    }

    async fn customer_recurring(
        &self,
        customer_id: CustomerId,
    ) -> Result<Vec<Recurring>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!(
                    "{RECURRING_COLUMNS} WHERE customer_id = $1 ORDER BY created_at, subscription"
                ),
                [id(customer_id)],
            ),
        )
        .await?
        .iter()
        .map(|row| recurring_row(&codec.row(row)))
        .collect()
    }

    async fn record_payment_reference(
        &self,
        purchase_id: PurchaseId,
        reference: GatewayReference,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            match ensure_pending(tx, codec, purchase_id).await {
                Err(StoreError::PurchaseNotPending(_)) => return Ok(()),
                other => other?,
            }
            let Some(row) = fetch_one(
                tx,
                codec.statement(
                    "UPDATE payments SET reference = $2, updated_at = $3 \
                     WHERE purchase_id = $1 AND status = 'pending' AND reference IS NULL \
                     RETURNING id",
                    [id(purchase_id), text(reference.0.clone()), codec.at(at)],
                ),
            )
            .await?
            else {
                return Ok(());
            };
            let payment_id: PaymentId = codec.row(&row).id("id")?;
            insert_payment_event(
                tx,
                codec,
                payment_id,
                PaymentStatus::Pending,
                Some(&reference),
                None,
                at,
            )
            .await
        })
        .await
    }
}

/// Ends the previous holding, adds the package's credits or term and enables its departments
/// (a package purchase): what was forfeited, the balance after and the term added.
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
async fn apply_decision(
    tx: &DatabaseTransaction,
    codec: Codec,
    customer_id: CustomerId,
    purchase_id: PurchaseId,
    package: &Package,
    decision: &PurchaseDecision,
    context: &ActionContext,
    at: OffsetDateTime,
) -> Result<
    (
        Option<Forfeiture>,
        Option<Credits>,
        Option<(OffsetDateTime, OffsetDateTime)>,
    ),
    StoreError,
> {
    let forfeited = match &decision.holding_end {
        Some(end) => end_holding(tx, codec, customer_id, end, context, at).await?,
        None => None,
    };
    let (balance_after, term) = match decision.effect {
        PurchaseEffect::GrantCredits { credits, .. } => {
            let entry = move_credits(
                tx,
                codec,
                CreditMove {
                    entry_id: new_id::<LedgerEntryId>(),
                    customer_id,
                    kind: LedgerEntryKind::Granted,
                    delta: credits.get(),
                    actor: context.actor.clone(),
                    reason: context.reason.clone(),
                    at,
                    purchase_id: Some(purchase_id),
                    usage: None,
                },
            )
            .await?
            .ok_or_else(|| StoreError::Corrupt("a grant cannot lower the balance".to_owned()))?;
            set_holding_kind(tx, codec, customer_id, HoldingKind::Credits).await?;
            (Some(entry.balance_after), None)
        }
        PurchaseEffect::AddSubscriptionTerm {
            starts_at, ends_at, ..
        } => {
            let term = SubscriptionTerm {
                purchase_id,
                package_id: package.id,
                departments: package.departments.clone(),
                starts_at,
                ends_at,
            };
            execute(
                tx,
                codec.statement(
                    "INSERT INTO subscription_terms (purchase_id, customer_id, package_id, \
                     departments, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    [
                        id(purchase_id),
                        id(customer_id),
                        id(package.id),
                        codec.json(&term.departments),
                        codec.at(starts_at),
                        codec.at(ends_at),
                    ],
                ),
            )
            .await?;
            execute(
                tx,
                codec.statement(
                    "UPDATE holdings SET kind = 'subscription', cancel_at_end = FALSE \
                     WHERE customer_id = $1",
                    [id(customer_id)],
                ),
            )
            .await?;
            (None, Some((starts_at, ends_at)))
        }
    };
    for department_id in &package.departments {
        execute(
            tx,
            codec.statement(
                "INSERT INTO card_purchase_departments (customer_id, department_id, purchase_id) \
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                [id(customer_id), id(*department_id), id(purchase_id)],
            ),
        )
        .await?;
    }
    Ok((forfeited, balance_after, term))
}
