//! Reads of what happened, newest first.

use async_trait::async_trait;
use kasa_credits::LedgerEntry;
use kasa_domain::CustomerId;
use kasa_ports::{
    AuditEntry, AuditQuery, HistoryStore, OutboxMessage, Purchase, PurchaseQuery, StoreError,
    UsageCharge,
};

use crate::SqlStore;
use crate::codec::{Row, id, text};
use crate::rows::{
    PURCHASE_COLUMNS, USAGE_CHARGE_COLUMNS, audit_entry, fetch_all, ledger_entry, limit,
    outbox_message, purchase, usage_charge,
};

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
        self.read_list(
            "SELECT id, kind, delta, balance_after, actor_kind, actor_id, reason, at, \
             purchase_id, usage_kind, usage_reference FROM credit_ledger \
             WHERE customer_id = $1 ORDER BY entry_number DESC LIMIT $2",
            vec![id(customer_id), limit(count)],
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
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        if let Some(customer_id) = query.customer_id {
            values.push(id(customer_id));
            conditions.push(format!("p.customer_id = ${}", values.len()));
        }
        if let Some(status) = query.status {
            values.push(text(status.label()));
            conditions.push(format!("p.status = ${}", values.len()));
        }
        if let Some(before) = query.before {
            values.push(id(before));
            conditions.push(format!("p.id < ${}", values.len()));
        }
        values.push(limit(query.limit));
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        self.read_list(
            &format!(
                "{PURCHASE_COLUMNS} {filter} ORDER BY p.id DESC LIMIT ${}",
                values.len()
            ),
            values,
            purchase,
        )
        .await
    }

    async fn audit_entries(&self, query: AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        if let Some(subject) = query.subject {
            values.push(text(subject));
            conditions.push(format!("subject = ${}", values.len()));
        }
        if let Some(action) = query.action {
            values.push(text(action));
            conditions.push(format!("action = ${}", values.len()));
        }
        if let Some(before) = query.before {
            values.push(id(before));
            conditions.push(format!("id < ${}", values.len()));
        }
        values.push(limit(query.limit));
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        self.read_list(
            &format!(
                "SELECT id, at, actor_kind, actor_id, reason, request_id, action, subject, \
                 before, after FROM audit_log {filter} ORDER BY id DESC LIMIT ${}",
                values.len()
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
