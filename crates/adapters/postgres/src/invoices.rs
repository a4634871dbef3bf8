//! Invoices, receipts and credit notes: the number and the document in one transaction.

use async_trait::async_trait;
use kasa_domain::{Currency, CustomerId, Money, PurchaseId, TaxedAmount};
use kasa_ports::{
    ActionContext, AuditRecord, Entity, Invoice, InvoiceKind, InvoiceNumber, InvoiceStore,
    NewInvoice, OutboxPayload, StoreError,
};
use sea_orm::{DatabaseTransaction, Value};
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, Row, corrupt, id, label, opt_id, text};
use crate::rows::{execute_unique, fetch_all, fetch_one, limit};

pub(crate) const COLUMNS: &str = "SELECT id, kind, series, year, sequence, purchase_id, customer_id, \
    issued_at, currency, net, tax, gross, document, refers_to FROM invoices";

pub(crate) fn invoice(row: &Row<'_>) -> Result<Invoice, StoreError> {
    let currency: Currency = row.text("currency")?.parse().map_err(corrupt)?;
    let money = |column: &str| -> Result<Money, StoreError> {
        Money::new(row.amount(column)?, currency).map_err(corrupt)
    };
    Ok(Invoice {
        number: InvoiceNumber {
            series: row.text("series")?,
            year: i32::try_from(row.int("year")?).map_err(corrupt)?,
            sequence: u32::try_from(row.int("sequence")?).map_err(corrupt)?,
        },
        issued: NewInvoice {
            id: row.id("id")?,
            kind: row.label("kind")?,
            series: row.text("series")?,
            purchase_id: row.id("purchase_id")?,
            customer_id: row.id("customer_id")?,
            issued_at: row.at("issued_at")?,
            total: TaxedAmount {
                net: money("net")?,
                tax: money("tax")?,
                gross: money("gross")?,
            },
            document: row.json("document")?,
            refers_to: row.opt_id("refers_to")?,
        },
    })
}

/// Numbers and stores a document, inside the caller's transaction.
pub(crate) async fn issue(
    tx: &DatabaseTransaction,
    codec: Codec,
    new: NewInvoice,
) -> Result<Invoice, StoreError> {
    let year = new.issued_at.year();
    for (table, value, entity) in [
        ("purchases", Some(id(new.purchase_id)), Entity::Purchase),
        ("customers", Some(id(new.customer_id)), Entity::Customer),
        ("invoices", new.refers_to.map(id), Entity::Invoice),
    ] {
        let Some(value) = value else { continue };
        let found = fetch_one(
            tx,
            codec.statement(&format!("SELECT id FROM {table} WHERE id = $1"), [value]),
        )
        .await?;
        if found.is_none() {
            return Err(StoreError::NotFound { entity });
        }
    }
    // The counter row is locked until the transaction ends: numbers are taken one at
    // a time, and a rolled-back issue gives its number back.
    let row = fetch_one(
        tx,
        codec.statement(
            "INSERT INTO invoice_counters (series, year, last_sequence) VALUES ($1, $2, 1) \
             ON CONFLICT (series, year) DO UPDATE \
             SET last_sequence = invoice_counters.last_sequence + 1 \
             RETURNING last_sequence",
            [text(new.series.clone()), Value::from(i64::from(year))],
        ),
    )
    .await?
    .ok_or_else(|| corrupt("the invoice counter returned nothing"))?;
    let sequence = codec.row(&row).int("last_sequence")?;
    // A document of a credit purchase values (or gives money back from) its lot, in this
    // transaction (ADR 0020); other documents move nothing.
    let (valuation, entries_before) = crate::liability::value_document(
        tx,
        codec,
        new.customer_id,
        new.kind == InvoiceKind::CreditNote,
        new.purchase_id,
        new.total.gross,
        new.issued_at,
    )
    .await?;
    execute_unique(
        tx,
        codec.statement(
            "INSERT INTO invoices (id, kind, series, year, sequence, purchase_id, \
             customer_id, issued_at, currency, net, tax, gross, document, refers_to, valuation, \
             ledger_entries_before) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            [
                id(new.id),
                text(label(&new.kind)),
                text(new.series.clone()),
                Value::from(i64::from(year)),
                Value::from(sequence),
                id(new.purchase_id),
                id(new.customer_id),
                codec.at(new.issued_at),
                text(new.total.gross.currency().alpha_code()),
                codec.amount(new.total.net.amount()),
                codec.amount(new.total.tax.amount()),
                codec.amount(new.total.gross.amount()),
                codec.json(&new.document),
                opt_id(new.refers_to),
                codec.json(&valuation),
                Value::from(entries_before),
            ],
        ),
        || format!("invoice {}", new.id),
    )
    .await?;
    let invoice = Invoice {
        number: InvoiceNumber {
            series: new.series.clone(),
            year,
            sequence: u32::try_from(sequence).map_err(corrupt)?,
        },
        issued: new,
    };
    crate::document_summary::record(tx, codec, &invoice).await?;
    let event = kasa_ports::webhook_event_for_invoice(&invoice);
    crate::webhooks::queue_webhook_event(tx, codec, &event, invoice.issued.issued_at).await?;
    Ok(invoice)
}

#[async_trait]
impl InvoiceStore for SqlStore {
    async fn issue_invoice(&self, new: NewInvoice) -> Result<Invoice, StoreError> {
        self.in_transaction(async |tx, codec| issue(tx, codec, new).await)
            .await
    }

    async fn invoice(&self, invoice_id: kasa_domain::InvoiceId) -> Result<Invoice, StoreError> {
        let codec = self.codec;
        let row = fetch_one(
            &self.db,
            codec.statement(&format!("{COLUMNS} WHERE id = $1"), [id(invoice_id)]),
        )
        .await?
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::Invoice,
        })?;
        invoice(&codec.row(&row))
    }

    async fn queue_document_email(
        &self,
        email: OutboxPayload,
        audit: AuditRecord,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            crate::rows::insert_audit(tx, codec, &audit, &context, at).await?;
            crate::rows::insert_outbox(tx, codec, &email, at).await
        })
        .await
    }

    async fn purchase_invoices(&self, purchase_id: PurchaseId) -> Result<Vec<Invoice>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!("{COLUMNS} WHERE purchase_id = $1 ORDER BY issued_at, series, sequence"),
                [id(purchase_id)],
            ),
        )
        .await?
        .iter()
        .map(|row| invoice(&codec.row(row)))
        .collect()
    }

    async fn customer_invoices(
        &self,
        customer_id: CustomerId,
        count: u32,
    ) -> Result<Vec<Invoice>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!(
                    "{COLUMNS} WHERE customer_id = $1 \
                     ORDER BY issued_at DESC, series DESC, sequence DESC LIMIT $2"
                ),
                [id(customer_id), limit(count)],
            ),
        )
        .await?
        .iter()
        .map(|row| invoice(&codec.row(row)))
        .collect()
    }
}
