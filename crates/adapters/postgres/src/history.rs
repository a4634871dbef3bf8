//! Reads of what happened, newest first.

use async_trait::async_trait;
use kasa_credits::LedgerEntry;
use kasa_domain::CustomerId;
use kasa_ports::{
    ActionContext, AuditEntry, AuditQuery, AuditRecord, HistoryStore, OutboxMessage, Purchase,
    PurchaseQuery, StoreError, UsageCharge,
};

use sea_orm::Value;
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Row, id, text};
use crate::rows::{
    PURCHASE_COLUMNS, USAGE_CHARGE_COLUMNS, audit_entry, fetch_all, ledger_entry, limit,
    outbox_message, purchase, usage_charge,
};

/// The optional conditions of a list query, and its parameters.
#[derive(Default)]
struct Filter {
    conditions: Vec<String>,
    values: Vec<Value>,
}

impl Filter {
    /// Adds `<column and operator> $n` when the value is given.
    fn add(&mut self, column_and_operator: &str, value: Option<Value>) {
        if let Some(value) = value {
            self.values.push(value);
            self.conditions
                .push(format!("{column_and_operator} ${}", self.values.len()));
        }
    }

    /// `WHERE … ORDER BY … LIMIT $n` (without `WHERE` when nothing was added), and the
    /// parameters.
    fn finish(mut self, order_by: &str, count: u32) -> (String, Vec<Value>) {
        let filter = if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {} ", self.conditions.join(" AND "))
        };
        self.values.push(limit(count));
        let clause = format!("{filter}ORDER BY {order_by} LIMIT ${}", self.values.len());
        (clause, self.values)
    }
}

impl SqlStore {
    async fn read_list<T>(
        &self,
        sql: &str,
        values: Vec<sea_orm::Value>,
        read: impl Fn(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let codec = self.codec;
        fetch_all(&self.db, codec.statement(sql, values))
            .await?
            .iter()
            .map(|row| read(&codec.row(row)))
            .collect()
    }
}

#[async_trait]
impl HistoryStore for SqlStore {
    async fn ledger_entries(
        &self,
        customer_id: CustomerId,
        count: u32,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        self.ledger_page(customer_id, 0, count).await
    }

    async fn ledger_page(
        &self,
        customer_id: CustomerId,
        offset: u64,
        count: u32,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        self.read_list(
            "SELECT id, kind, delta, balance_after, actor_kind, actor_id, reason, at, \
             purchase_id, usage_kind, usage_reference FROM credit_ledger \
             WHERE customer_id = $1 ORDER BY entry_number DESC LIMIT $2 OFFSET $3",
            vec![
                id(customer_id),
                limit(count),
                Value::from(i64::try_from(offset).unwrap_or(i64::MAX)),
            ],
            ledger_entry,
        )
        .await
    }

    async fn usage_charges(
        &self,
        customer_id: CustomerId,
        count: u32,
    ) -> Result<Vec<UsageCharge>, StoreError> {
        self.read_list(
            &format!(
                "{USAGE_CHARGE_COLUMNS} WHERE customer_id = $1 ORDER BY at DESC, id DESC LIMIT $2"
            ),
            vec![id(customer_id), limit(count)],
            usage_charge,
        )
        .await
    }

    async fn customer_purchases(
        &self,
        customer_id: CustomerId,
        count: u32,
    ) -> Result<Vec<Purchase>, StoreError> {
        self.read_list(
            &format!(
                "{PURCHASE_COLUMNS} WHERE p.customer_id = $1 \
                 ORDER BY p.created_at DESC, p.id DESC LIMIT $2"
            ),
            vec![id(customer_id), limit(count)],
            purchase,
        )
        .await
    }

    async fn purchases(&self, query: PurchaseQuery) -> Result<Vec<Purchase>, StoreError> {
        let mut filter = Filter::default();
        filter.add("p.customer_id =", query.customer_id.map(id));
        filter.add(
            "p.status =",
            query.status.map(|status| text(status.label())),
        );
        filter.add("p.id <", query.before.map(id));
        let (clause, values) = filter.finish("p.id DESC", query.limit);
        self.read_list(&format!("{PURCHASE_COLUMNS} {clause}"), values, purchase)
            .await
    }

    async fn record_security_event(
        &self,
        record: AuditRecord,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            crate::rows::insert_audit(tx, codec, &record, &context, at).await
        })
        .await
    }

    async fn audit_entries(&self, query: AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        let mut filter = Filter::default();
        filter.add("subject =", query.subject.map(text));
        filter.add("action =", query.action.map(text));
        filter.add("id <", query.before.map(id));
        let (clause, values) = filter.finish("id DESC", query.limit);
        self.read_list(
            &format!(
                "SELECT id, at, actor_kind, actor_id, reason, request_id, action, subject, \
                 before, after FROM audit_log {clause}"
            ),
            values,
            audit_entry,
        )
        .await
    }

    async fn outbox_messages(
        &self,
        undelivered_only: bool,
        count: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let filter = if undelivered_only {
            "WHERE sent_at IS NULL"
        } else {
            ""
        };
        self.read_list(
            &format!(
                "SELECT id, payload, created_at, attempts, next_attempt_at, last_error, sent_at, \
                 abandoned FROM outbox {filter} ORDER BY id DESC LIMIT $1"
            ),
            vec![limit(count)],
            outbox_message,
        )
        .await
    }
}
