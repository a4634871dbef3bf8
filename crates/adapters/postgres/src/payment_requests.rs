//! Payment requests and the purchase paying each. Starting a payment claims the request with one
//! conditional UPDATE (open, not expired, no purchase or a failed one) before the purchase is
//! written in the same transaction: PostgreSQL's row lock makes a concurrent claim wait and then
//! see the claimed row (whose new purchase is not in its snapshot, so not "failed"), and SQLite
//! runs one writer at a time; either way one claim wins (ADR 0016).

use async_trait::async_trait;
use kasa_domain::{Currency, CustomerId, Money, PaymentRequestId};
use kasa_ports::{
    ActionContext, AuditRecord, CustomerLookup, NewPaymentRequest, NewPurchase, PaymentRequest,
    PaymentRequestCancellation, PaymentRequestStore, PurchaseItem, RequestCancellation,
    RequestPaymentStart, StoreError,
};
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, Row, corrupt, id, opt_id, opt_text, text};
use crate::purchases::insert_purchase;
use crate::rows::{
    Connection, actor, execute, fetch_all, fetch_one, find_holder, insert_audit, insert_outbox,
    read_purchase, reason,
};

const COLUMNS: &str = "SELECT r.id, r.customer_id, r.package, r.amount_item, r.description, r.amount, \
    r.currency, r.created_at, r.created_by_kind, r.created_by_id, r.created_reason, \
    r.created_request_id, r.expires_at, r.cancelled_at, r.cancelled_by_kind, r.cancelled_by_id, \
    r.cancelled_reason, r.purchase_id, r.coupon, p.status AS purchase_status \
    FROM payment_requests r LEFT JOIN purchases p ON p.id = r.purchase_id";

fn payment_request(row: &Row<'_>) -> Result<PaymentRequest, StoreError> {
    let currency: Currency = row.text("currency")?.parse().map_err(corrupt)?;
    let amount = Money::new(row.amount("amount")?, currency).map_err(corrupt)?;
    let cancellation = match row.opt_at("cancelled_at")? {
        None => None,
        Some(at) => Some(PaymentRequestCancellation {
            actor: actor(row, "cancelled_by_kind", "cancelled_by_id")?,
            reason: reason(row, "cancelled_reason")?,
            at,
        }),
    };
    let purchase = match row.opt_id("purchase_id")? {
        None => None,
        Some(purchase_id) => Some((purchase_id, row.label("purchase_status")?)),
    };
    Ok(PaymentRequest {
        id: row.id("id")?,
        customer_id: row.id("customer_id")?,
        item: crate::rows::purchase_item(row)?,
        description: row.text("description")?,
        amount,
        coupon: row.opt_json("coupon")?,
        created_at: row.at("created_at")?,
        created_by: ActionContext {
            actor: actor(row, "created_by_kind", "created_by_id")?,
            reason: reason(row, "created_reason")?,
            request_id: row.opt_text("created_request_id")?,
            idempotency: None,
        },
        expires_at: row.at("expires_at")?,
        cancellation,
        purchase,
    })
}

async fn read(
    connection: &impl Connection,
    codec: Codec,
    request_id: PaymentRequestId,
) -> Result<PaymentRequest, StoreError> {
    let row = fetch_one(
        connection,
        codec.statement(&format!("{COLUMNS} WHERE r.id = $1"), [id(request_id)]),
    )
    .await?
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::PaymentRequest,
    })?;
    payment_request(&codec.row(&row))
}

#[async_trait]
impl PaymentRequestStore for SqlStore {
    async fn create_payment_request(
        &self,
        new: NewPaymentRequest,
    ) -> Result<PaymentRequest, StoreError> {
        self.in_transaction(async |tx, codec| {
            find_holder(
                tx,
                codec,
                &CustomerLookup::Id {
                    id: new.customer_id,
                },
            )
            .await?;
            let (package, amount_item) = match &new.item {
                PurchaseItem::Package(package) => (Some(package), None),
                PurchaseItem::Amount(item) => (None, Some(item)),
            };
            if let Some(package) = package {
                fetch_one(
                    tx,
                    codec.statement("SELECT id FROM packages WHERE id = $1", [id(package.id)]),
                )
                .await?
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Package,
                })?;
            }
            let context = &new.context;
            crate::rows::execute_unique(
                tx,
                codec.statement(
                    "INSERT INTO payment_requests (id, customer_id, package_id, package, \
                     description, amount, currency, created_at, created_by_kind, \
                     created_by_id, created_reason, created_request_id, expires_at, coupon, \
                     amount_item) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                    [
                        id(new.id),
                        id(new.customer_id),
                        opt_id(package.map(|package| package.id)),
                        codec.opt_json(package),
                        text(new.description.clone()),
                        codec.amount(new.amount.amount()),
                        text(new.amount.currency().alpha_code()),
                        codec.at(new.at),
                        text(context.actor.kind_label()),
                        text(context.actor.subject_label()),
                        text(context.reason.as_str()),
                        opt_text(context.request_id.clone()),
                        codec.at(new.expires_at),
                        codec.opt_json(new.coupon.as_ref()),
                        codec.opt_json(amount_item),
                    ],
                ),
                || format!("payment request {}", new.id),
            )
            .await?;
            insert_audit(tx, codec, &new.audit, context, new.at).await?;
            if let Some(notification) = &new.notification {
                insert_outbox(tx, codec, notification, new.at).await?;
            }
            read(tx, codec, new.id).await
        })
        .await
    }

    async fn payment_request(&self, id: PaymentRequestId) -> Result<PaymentRequest, StoreError> {
        read(&self.db, self.codec, id).await
    }

    async fn customer_payment_requests(
        &self,
        customer_id: CustomerId,
    ) -> Result<Vec<PaymentRequest>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!(
                    "{COLUMNS} WHERE r.customer_id = $1 ORDER BY r.created_at DESC, r.id DESC"
                ),
                [id(customer_id)],
            ),
        )
        .await?
        .iter()
        .map(|row| payment_request(&codec.row(row)))
        .collect()
    }

    async fn start_request_payment(
        &self,
        request_id: PaymentRequestId,
        purchase: NewPurchase,
    ) -> Result<RequestPaymentStart, StoreError> {
        self.in_transaction(async |tx, codec| {
            let request = read(tx, codec, request_id).await?;
            if request.customer_id != purchase.customer_id {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::PaymentRequest,
                });
            }
            // The claim: the only statement that links a purchase, and only to a payable row.
            let claimed = execute(
                tx,
                codec.statement(
                    "UPDATE payment_requests SET purchase_id = $1 \
                     WHERE id = $2 AND cancelled_at IS NULL AND expires_at > $3 \
                     AND (purchase_id IS NULL \
                          OR purchase_id IN (SELECT id FROM purchases WHERE status = 'failed'))",
                    [
                        id(purchase.id),
                        id(request_id),
                        codec.at(purchase.created_at),
                    ],
                ),
            )
            .await?;
            if claimed == 0 {
                return Ok(RequestPaymentStart::NotPayable(Box::new(
                    read(tx, codec, request_id).await?,
                )));
            }
            insert_purchase(tx, codec, &purchase).await?;
            Ok(RequestPaymentStart::Started(Box::new(
                read_purchase(tx, codec, purchase.id).await?,
            )))
        })
        .await
    }

    async fn cancel_payment_request(
        &self,
        request_id: PaymentRequestId,
        audit: AuditRecord,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<RequestCancellation, StoreError> {
        self.in_transaction(async |tx, codec| {
            read(tx, codec, request_id).await?;
            let cancelled = execute(
                tx,
                codec.statement(
                    "UPDATE payment_requests SET cancelled_at = $1, cancelled_by_kind = $2, \
                     cancelled_by_id = $3, cancelled_reason = $4 \
                     WHERE id = $5 AND cancelled_at IS NULL AND expires_at > $1 \
                     AND (purchase_id IS NULL \
                          OR purchase_id IN (SELECT id FROM purchases WHERE status = 'failed'))",
                    [
                        codec.at(at),
                        text(context.actor.kind_label()),
                        text(context.actor.subject_label()),
                        text(context.reason.as_str()),
                        id(request_id),
                    ],
                ),
            )
            .await?;
            let request = read(tx, codec, request_id).await?;
            if cancelled == 0 {
                return Ok(RequestCancellation::NotCancellable(Box::new(request)));
            }
            insert_audit(tx, codec, &audit, &context, at).await?;
            Ok(RequestCancellation::Cancelled(Box::new(request)))
        })
        .await
    }
}
