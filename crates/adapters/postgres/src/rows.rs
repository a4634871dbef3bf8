//! Reading stored rows back into domain values, and the writes several ports share (audit
//! entries, outbox messages, the version check).

use std::collections::BTreeMap;

use kasa_credits::LedgerEntry;
use kasa_domain::{
    Actor, Credits, Currency, Customer, CustomerCard, CustomerId, DepartmentEnablement,
    DepartmentId, EmailAddress, ExternalId, Holding, Money, PurchaseId, Reason, Subscription,
    SubscriptionTerm, TaxDetails, UsageKey,
};
use kasa_ports::{
    ActionContext, AuditEntry, AuditRecord, CustomerLookup, OutboxMessage, OutboxPayload, Payment,
    Purchase, PurchaseItem, StoreError, UsageCharge, new_id,
};
use kasa_subscriptions::ForfeitConfirmation;
use sea_orm::sea_query::Values;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, QueryResult,
    RuntimeErr, SqlErr, Statement, Value, sqlx,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::codec::{Codec, Row, corrupt, id, label, opt_text, text};
use crate::store::unavailable;

/// What kind of thing a customer holds, as stored in `holdings.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum HoldingKind {
    Nothing,
    Credits,
    Subscription,
}

/// What the store sends statements through: the pool (`DatabaseConnection`) or one transaction
/// (`DatabaseTransaction`).
///
/// On PostgreSQL a statement outside a transaction goes straight to sqlx's pool
/// ([`Connection::postgres_pool`]), with the same pool, the same prepared-statement cache and
/// the same errors as sea-orm's own path: sea-orm moves each statement's future (about 15 KB,
/// big enough for every backend it supports) three times through boxes, which measured a
/// quarter of the server's instructions on the ticket charge (ADR 0023, "The HTTP path").
pub(crate) trait Connection: ConnectionTrait + Sync {
    /// The PostgreSQL pool to send a statement to directly, when this is the pool itself.
    fn postgres_pool(&self) -> Option<&sqlx::PgPool> {
        None
    }
}

impl Connection for DatabaseConnection {
    fn postgres_pool(&self) -> Option<&sqlx::PgPool> {
        (self.get_database_backend() == DbBackend::Postgres)
            .then(|| self.get_postgres_connection_pool())
    }
}

impl Connection for DatabaseTransaction {}

/// An sqlx error as sea-orm reports it from a statement (so [`SqlErr`] reads it the same).
fn sqlx_error_to_query_err(error: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(error)))
}

/// A statement as sqlx runs it on PostgreSQL: its text and its values bound in order (moved, not
/// copied: the charge binds eighteen, JSON among them).
fn postgres_query(
    sql: &str,
    values: Option<Values>,
) -> sqlx::query::Query<'_, sqlx::Postgres, sea_query_sqlx::SqlxValues> {
    sqlx::query_with(
        sqlx::AssertSqlSafe(sql),
        sea_query_sqlx::SqlxValues(values.unwrap_or(Values(Vec::new()))),
    )
}

/// The first row a statement returns, if any, with sea-orm's error (a broken constraint is
/// read from it by [`SqlErr`]).
pub(crate) async fn query_one(
    connection: &impl Connection,
    statement: Statement,
) -> Result<Option<QueryResult>, DbErr> {
    match connection.postgres_pool() {
        Some(pool) => postgres_query(&statement.sql, statement.values)
            .fetch_optional(pool)
            .await
            .map(|row| row.map(QueryResult::from))
            .map_err(sqlx_error_to_query_err),
        None => connection.query_one_raw(statement).await,
    }
}

pub(crate) async fn fetch_one(
    connection: &impl Connection,
    statement: Statement,
) -> Result<Option<QueryResult>, StoreError> {
    query_one(connection, statement).await.map_err(unavailable)
}

pub(crate) async fn fetch_all(
    connection: &impl Connection,
    statement: Statement,
) -> Result<Vec<QueryResult>, StoreError> {
    let rows = match connection.postgres_pool() {
        Some(pool) => postgres_query(&statement.sql, statement.values)
            .fetch_all(pool)
            .await
            .map(|rows| rows.into_iter().map(QueryResult::from).collect())
            .map_err(sqlx_error_to_query_err),
        None => connection.query_all_raw(statement).await,
    };
    rows.map_err(unavailable)
}

/// Runs a statement; returns the number of rows it changed, with sea-orm's error.
async fn execute_statement(
    connection: &impl Connection,
    statement: Statement,
) -> Result<u64, DbErr> {
    match connection.postgres_pool() {
        Some(pool) => postgres_query(&statement.sql, statement.values)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
            .map_err(sqlx_error_to_query_err),
        None => connection
            .execute_raw(statement)
            .await
            .map(|result| result.rows_affected()),
    }
}

/// Runs a statement; returns the number of rows it changed.
pub(crate) async fn execute(
    connection: &impl Connection,
    statement: Statement,
) -> Result<u64, StoreError> {
    execute_statement(connection, statement)
        .await
        .map_err(unavailable)
}

/// Runs a statement that may break a unique constraint; that becomes
/// [`StoreError::AlreadyExists`] naming `what`.
pub(crate) async fn execute_unique(
    connection: &impl Connection,
    statement: Statement,
    what: impl FnOnce() -> String,
) -> Result<u64, StoreError> {
    match execute_statement(connection, statement).await {
        Ok(changed) => Ok(changed),
        Err(error) => match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Err(StoreError::AlreadyExists { what: what() })
            }
            _ => Err(unavailable(error)),
        },
    }
}

/// A limit as a parameter.
pub(crate) fn limit(limit: u32) -> Value {
    Value::from(i64::from(limit))
}

fn credits(value: i64, column: &str) -> Result<Credits, StoreError> {
    Credits::new(value).map_err(|error| corrupt(format!("{column}: {error}")))
}

pub(crate) fn actor(row: &Row<'_>, kind: &str, subject: &str) -> Result<Actor, StoreError> {
    Actor::from_labels(&row.text(kind)?, &row.text(subject)?).map_err(corrupt)
}

pub(crate) fn reason(row: &Row<'_>, column: &str) -> Result<Reason, StoreError> {
    Reason::new(row.text(column)?).map_err(|error| corrupt(format!("{column}: {error}")))
}

fn usage(row: &Row<'_>) -> Result<Option<UsageKey>, StoreError> {
    match row.opt_text("usage_kind")? {
        None => Ok(None),
        Some(_) => {
            let reference = row.text("usage_reference")?;
            UsageKey::new(row.label("usage_kind")?, &reference)
                .map(Some)
                .map_err(corrupt)
        }
    }
}

/// The holding columns of one customer.
#[derive(Clone, Debug)]
pub(crate) struct HolderRow {
    pub(crate) customer_id: CustomerId,
    pub(crate) kind: HoldingKind,
    pub(crate) balance: Credits,
    pub(crate) cancel_at_end: bool,
    pub(crate) version: i64,
}

/// The holding columns, for [`holder`].
pub(crate) const HOLDER_COLUMNS: &str =
    "h.customer_id, h.kind, h.credit_balance, h.cancel_at_end, h.version";

/// The joins and the condition that find a customer's `holdings h` row by a lookup; its
/// parameters are appended to `values`.
pub(crate) fn lookup_clause(
    lookup: &CustomerLookup,
    values: &mut Vec<Value>,
) -> (&'static str, String) {
    match lookup {
        CustomerLookup::Id { id: customer_id } => {
            values.push(id(*customer_id));
            ("", format!("h.customer_id = ${}", values.len()))
        }
        CustomerLookup::Email { email } => {
            values.push(text(email.as_str()));
            (
                "JOIN customers c ON c.id = h.customer_id",
                format!("c.email = ${}", values.len()),
            )
        }
        CustomerLookup::External { external_id } => {
            values.push(text(external_id.system()));
            values.push(text(external_id.value()));
            (
                "JOIN customer_external_ids x ON x.customer_id = h.customer_id",
                format!(
                    "x.system = ${} AND x.value = ${}",
                    values.len() - 1,
                    values.len()
                ),
            )
        }
    }
}

/// The holding columns of a row selected with [`HOLDER_COLUMNS`].
pub(crate) fn holder(row: &Row<'_>) -> Result<HolderRow, StoreError> {
    Ok(HolderRow {
        customer_id: row.id("customer_id")?,
        kind: row.label("kind")?,
        balance: credits(row.int("credit_balance")?, "credit_balance")?,
        cancel_at_end: row.flag("cancel_at_end")?,
        version: row.int("version")?,
    })
}

/// Finds a customer's holding columns by any lookup.
pub(crate) async fn find_holder(
    connection: &impl Connection,
    codec: Codec,
    lookup: &CustomerLookup,
) -> Result<HolderRow, StoreError> {
    let mut values = Vec::new();
    let (join, condition) = lookup_clause(lookup, &mut values);
    let row = fetch_one(
        connection,
        codec.statement(
            &format!("SELECT {HOLDER_COLUMNS} FROM holdings h {join} WHERE {condition}"),
            values,
        ),
    )
    .await?
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::Customer,
    })?;
    holder(&codec.row(&row))
}

/// One customer (with external ids).
pub(crate) async fn read_customer(
    connection: &impl Connection,
    codec: Codec,
    customer_id: CustomerId,
) -> Result<Customer, StoreError> {
    let row = fetch_one(
        connection,
        codec.statement(
            "SELECT id, email, name, language, tax_id, tax_office, billing_address \
             FROM customers WHERE id = $1",
            [id(customer_id)],
        ),
    )
    .await?
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::Customer,
    })?;
    let row = codec.row(&row);
    let email = EmailAddress::parse(&row.text("email")?).map_err(corrupt)?;
    let external_rows = fetch_all(
        connection,
        codec.statement(
            "SELECT system, value FROM customer_external_ids WHERE customer_id = $1 \
             ORDER BY system, value",
            [id(customer_id)],
        ),
    )
    .await?;
    let external_ids = external_rows
        .iter()
        .map(|external| {
            let external = codec.row(external);
            ExternalId::new(&external.text("system")?, &external.text("value")?).map_err(corrupt)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tax_details = TaxDetails::new(
        row.opt_text("tax_id")?.as_deref(),
        row.opt_text("tax_office")?.as_deref(),
        row.opt_text("billing_address")?.as_deref(),
    )
    .map_err(corrupt)?;
    Ok(Customer::new(
        customer_id,
        email,
        &row.text("name")?,
        row.label("language")?,
        external_ids,
    )
    .map_err(corrupt)?
    .with_tax_details(tax_details))
}

/// A customer's card.
pub(crate) async fn read_card(
    connection: &impl Connection,
    codec: Codec,
    customer_id: CustomerId,
) -> Result<CustomerCard, StoreError> {
    let rows = fetch_all(
        connection,
        codec.statement(
            "SELECT department_id, NULL AS purchase_id FROM card_operator_departments \
             WHERE customer_id = $1 \
             UNION ALL \
             SELECT department_id, purchase_id FROM card_purchase_departments \
             WHERE customer_id = $1",
            [id(customer_id)],
        ),
    )
    .await?;
    let mut enablements: BTreeMap<DepartmentId, DepartmentEnablement> = BTreeMap::new();
    for row in &rows {
        let row = codec.row(row);
        let enablement = enablements.entry(row.id("department_id")?).or_default();
        match row.opt_id::<PurchaseId>("purchase_id")? {
            Some(purchase_id) => {
                enablement.by_purchases.insert(purchase_id);
            }
            None => enablement.by_operator = true,
        }
    }
    Ok(CustomerCard::from_enablements(enablements))
}

/// A customer's subscription terms, oldest first.
pub(crate) async fn read_terms(
    connection: &impl Connection,
    codec: Codec,
    customer_id: CustomerId,
) -> Result<Vec<SubscriptionTerm>, StoreError> {
    let rows = fetch_all(
        connection,
        codec.statement(
            "SELECT purchase_id, package_id, departments, starts_at, ends_at \
             FROM subscription_terms WHERE customer_id = $1 ORDER BY starts_at",
            [id(customer_id)],
        ),
    )
    .await?;
    rows.iter()
        .map(|row| {
            let row = codec.row(row);
            Ok(SubscriptionTerm {
                purchase_id: row.id("purchase_id")?,
                package_id: row.id("package_id")?,
                departments: row.json("departments")?,
                starts_at: row.at("starts_at")?,
                ends_at: row.at("ends_at")?,
            })
        })
        .collect()
}

/// What a customer holds.
pub(crate) async fn read_holding(
    connection: &impl Connection,
    codec: Codec,
    holder: &HolderRow,
) -> Result<Holding, StoreError> {
    Ok(match holder.kind {
        HoldingKind::Nothing => Holding::Nothing,
        HoldingKind::Credits => Holding::Credits {
            balance: holder.balance,
        },
        HoldingKind::Subscription => {
            let terms = read_terms(connection, codec, holder.customer_id).await?;
            Holding::Subscription(Subscription::new(terms, holder.cancel_at_end).map_err(corrupt)?)
        }
    })
}

/// Moves a customer's version on, if it is still `expected`; locks the holding row for the rest
/// of the transaction.
///
/// # Errors
/// [`StoreError::StaleVersion`] when it moved, [`StoreError::NotFound`] for no such customer.
pub(crate) async fn advance_version(
    connection: &impl Connection,
    codec: Codec,
    customer_id: CustomerId,
    expected: i64,
) -> Result<HolderRow, StoreError> {
    let changed = execute(
        connection,
        codec.statement(
            "UPDATE holdings SET version = version + 1 WHERE customer_id = $1 AND version = $2",
            [id(customer_id), Value::from(expected)],
        ),
    )
    .await?;
    let holder = find_holder(connection, codec, &CustomerLookup::Id { id: customer_id }).await?;
    if changed == 0 {
        return Err(StoreError::StaleVersion);
    }
    Ok(holder)
}

/// Sets the holding's kind (and clears the cancel-at-end flag unless it stays a subscription).
pub(crate) async fn set_holding_kind(
    connection: &impl Connection,
    codec: Codec,
    customer_id: CustomerId,
    kind: HoldingKind,
) -> Result<(), StoreError> {
    execute(
        connection,
        codec.statement(
            "UPDATE holdings SET kind = $2, \
             cancel_at_end = CASE WHEN $2 = 'subscription' THEN cancel_at_end ELSE FALSE END \
             WHERE customer_id = $1",
            [id(customer_id), text(label(&kind))],
        ),
    )
    .await?;
    Ok(())
}

/// Appends an audit entry.
pub(crate) async fn insert_audit(
    connection: &impl Connection,
    codec: Codec,
    record: &AuditRecord,
    context: &ActionContext,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    mark_idempotency_key_applied(connection, codec, context, at).await?;
    execute(
        connection,
        codec.statement(
            "INSERT INTO audit_log (id, at, actor_kind, actor_id, reason, request_id, action, \
             subject, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            [
                id(new_id::<kasa_domain::AuditEntryId>()),
                codec.at(at),
                text(context.actor.kind_label()),
                text(context.actor.subject_label()),
                text(context.reason.as_str()),
                opt_text(context.request_id.clone()),
                text(record.action.clone()),
                text(record.subject.clone()),
                codec.opt_json(record.before.as_ref()),
                codec.opt_json(record.after.as_ref()),
            ],
        ),
    )
    .await?;
    for event in kasa_ports::webhook_events_for(record) {
        crate::webhooks::queue_webhook_event(connection, codec, &event, at).await?;
    }
    if let Some(purchase_id) = kasa_ports::completed_purchase(record) {
        crate::webhooks::queue_paid_request(connection, codec, purchase_id, at).await?;
    }
    Ok(())
}

/// Marks the request's `Idempotency-Key` applied, in the transaction of the change it guards,
/// so the key is applied exactly when the change commits. Refuses the change when a retry took
/// the key over (the retry makes it).
pub(crate) async fn mark_idempotency_key_applied(
    connection: &impl Connection,
    codec: Codec,
    context: &ActionContext,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let Some(mark) = &context.idempotency else {
        return Ok(());
    };
    let marked = execute(
        connection,
        codec.statement(
            "UPDATE idempotency_keys SET applied_at = COALESCE(applied_at, $4) \
             WHERE principal = $1 AND idempotency_key = $2 AND claim_token = $3",
            [
                text(mark.principal.clone()),
                text(mark.key.clone()),
                text(mark.claim_token.clone()),
                codec.at(at),
            ],
        ),
    )
    .await?;
    if marked == 1 {
        Ok(())
    } else {
        Err(StoreError::IdempotencyKeyTakenOver)
    }
}

/// Queues a side effect.
pub(crate) async fn insert_outbox(
    connection: &impl Connection,
    codec: Codec,
    payload: &OutboxPayload,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    execute(
        connection,
        codec.statement(
            "INSERT INTO outbox (id, payload, created_at, attempts, next_attempt_at, \
             abandoned) VALUES ($1, $2, $3, 0, $3, FALSE)",
            [
                id(new_id::<kasa_domain::OutboxMessageId>()),
                codec.json(payload),
                codec.at(at),
            ],
        ),
    )
    .await?;
    Ok(())
}

/// The columns [`purchase`] reads.
pub(crate) const PURCHASE_COLUMNS: &str = "SELECT p.id, p.customer_id, p.package, p.amount_item, p.channel, \
    p.forfeit_confirmed, p.status, p.started_by_kind, p.started_by_id, p.started_reason, \
    p.started_request_id, p.created_at, p.completed_at, p.outcome, y.id AS payment_id, \
    y.gateway, y.order_id, y.amount, y.currency, y.capture_mode, y.status AS payment_status, \
    y.reference, y.failure, y.card_brand, y.card_last4, cr.details AS coupon \
    FROM purchases p LEFT JOIN payments y ON y.purchase_id = p.id \
    LEFT JOIN coupon_redemptions cr ON cr.purchase_id = p.id";

/// The payment columns of a row (named as in [`PURCHASE_COLUMNS`]); `None` without a payment.
pub(crate) fn payment(row: &Row<'_>) -> Result<Option<Payment>, StoreError> {
    let Some(payment_id) = row.opt_id::<kasa_domain::PaymentId>("payment_id")? else {
        return Ok(None);
    };
    let currency: Currency = row.text("currency")?.parse().map_err(corrupt)?;
    Ok(Some(Payment {
        id: payment_id,
        gateway: row.label("gateway")?,
        order_id: row.label("order_id")?,
        amount: Money::new(row.amount("amount")?, currency).map_err(corrupt)?,
        capture: row.label("capture_mode")?,
        status: row.label("payment_status")?,
        reference: row.opt_text("reference")?.map(kasa_ports::GatewayReference),
        failure: row.opt_text("failure")?,
        card: match (row.opt_text("card_brand")?, row.opt_text("card_last4")?) {
            (Some(brand), Some(last4)) => {
                Some(kasa_ports::PaymentCard::new(&brand, &last4).map_err(corrupt)?)
            }
            _ => None,
        },
    }))
}

/// What a purchase or payment request pays for, from its `package` and `amount_item` columns
/// (exactly one is set).
pub(crate) fn purchase_item(row: &Row<'_>) -> Result<PurchaseItem, StoreError> {
    match (row.opt_json("package")?, row.opt_json("amount_item")?) {
        (Some(package), None) => Ok(PurchaseItem::Package(package)),
        (None, Some(item)) => Ok(PurchaseItem::Amount(item)),
        _ => Err(corrupt("a purchase pays for exactly one package or amount")),
    }
}

/// A purchase row (from [`PURCHASE_COLUMNS`]).
pub(crate) fn purchase(row: &Row<'_>) -> Result<Purchase, StoreError> {
    let payment = payment(row)?;
    Ok(Purchase {
        id: row.id("id")?,
        customer_id: row.id("customer_id")?,
        item: purchase_item(row)?,
        channel: row.label("channel")?,
        forfeit_confirmation: if row.flag("forfeit_confirmed")? {
            ForfeitConfirmation::Confirmed
        } else {
            ForfeitConfirmation::NotConfirmed
        },
        status: row.label("status")?,
        started_by: ActionContext {
            actor: actor(row, "started_by_kind", "started_by_id")?,
            reason: reason(row, "started_reason")?,
            request_id: row.opt_text("started_request_id")?,
            idempotency: None,
        },
        created_at: row.at("created_at")?,
        completed_at: row.opt_at("completed_at")?,
        payment,
        outcome: row.opt_json("outcome")?,
        coupon: row.opt_json("coupon")?,
    })
}

/// Reads one purchase.
pub(crate) async fn read_purchase(
    connection: &impl Connection,
    codec: Codec,
    purchase_id: PurchaseId,
) -> Result<Purchase, StoreError> {
    let row = fetch_one(
        connection,
        codec.statement(
            &format!("{PURCHASE_COLUMNS} WHERE p.id = $1"),
            [id(purchase_id)],
        ),
    )
    .await?
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::Purchase,
    })?;
    purchase(&codec.row(&row))
}

/// The columns [`usage_charge`] reads.
pub(crate) const USAGE_CHARGE_COLUMNS: &str = "SELECT id, customer_id, department_id, \
    usage_kind, usage_reference, credits, basis, balance_after, actor_kind, actor_id, at \
    FROM usage_charges";

/// Those columns from a `usage_charges u` joined beside a `holdings h` (that gives the
/// customer id).
pub(crate) const JOINED_USAGE_CHARGE_COLUMNS: &str = "u.id, u.department_id, u.usage_kind, \
    u.usage_reference, u.credits, u.basis, u.balance_after, u.actor_kind, u.actor_id, u.at";

/// A usage charge row.
pub(crate) fn usage_charge(row: &Row<'_>) -> Result<UsageCharge, StoreError> {
    Ok(UsageCharge {
        id: row.id("id")?,
        customer_id: row.id("customer_id")?,
        department_id: row.id("department_id")?,
        usage: usage(row)?.ok_or_else(|| corrupt("a usage charge without its ticket"))?,
        credits: credits(row.int("credits")?, "credits")?,
        basis: row.label("basis")?,
        balance_after: row
            .opt_int("balance_after")?
            .map(|balance| credits(balance, "balance_after"))
            .transpose()?,
        actor: actor(row, "actor_kind", "actor_id")?,
        at: row.at("at")?,
    })
}

/// A ledger entry row.
pub(crate) fn ledger_entry(row: &Row<'_>) -> Result<LedgerEntry, StoreError> {
    Ok(LedgerEntry {
        id: row.id("id")?,
        kind: row.label("kind")?,
        delta: row.int("delta")?,
        balance_after: credits(row.int("balance_after")?, "balance_after")?,
        actor: actor(row, "actor_kind", "actor_id")?,
        reason: reason(row, "reason")?,
        at: row.at("at")?,
        purchase_id: row.opt_id("purchase_id")?,
        usage: usage(row)?,
    })
}

/// An audit log row.
pub(crate) fn audit_entry(row: &Row<'_>) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: row.id("id")?,
        at: row.at("at")?,
        context: ActionContext {
            actor: actor(row, "actor_kind", "actor_id")?,
            reason: reason(row, "reason")?,
            request_id: row.opt_text("request_id")?,
            idempotency: None,
        },
        record: AuditRecord {
            action: row.text("action")?,
            subject: row.text("subject")?,
            before: row.opt_json("before")?,
            after: row.opt_json("after")?,
        },
    })
}

/// An outbox row.
pub(crate) fn outbox_message(row: &Row<'_>) -> Result<OutboxMessage, StoreError> {
    Ok(OutboxMessage {
        id: row.id("id")?,
        payload: row.json("payload")?,
        created_at: row.at("created_at")?,
        attempts: u32::try_from(row.int("attempts")?).map_err(corrupt)?,
        next_attempt_at: row.at("next_attempt_at")?,
        last_error: row.opt_text("last_error")?,
        sent_at: row.opt_at("sent_at")?,
        abandoned: row.flag("abandoned")?,
    })
}
