//! Reads of what happened, newest first.

use async_trait::async_trait;
use kasa_credits::LedgerEntry;
use kasa_domain::CustomerId;
use kasa_ports::{
    ActionContext, AuditEntry, AuditQuery, AuditRecord, CurrencyTally, DashboardCustomer,
    DashboardFigures, DashboardQuery, HistoryStore, OutboxMessage, Purchase, PurchaseQuery,
    StoreError, UsageCharge,
};

use sea_orm::Value;
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Row, corrupt, id, text};
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
    pub(crate) async fn read_list<T>(
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

    async fn dashboard_figures(
        &self,
        query: DashboardQuery,
    ) -> Result<DashboardFigures, StoreError> {
        let codec = self.codec;
        let purchases = self
            .read_list(
                "SELECT y.amount, y.currency FROM purchases p \
                 JOIN payments y ON y.purchase_id = p.id \
                 WHERE p.status = 'completed' AND p.completed_at >= $1",
                vec![codec.at(query.since)],
                money,
            )
            .await?;
        let refunds = self
            .read_list(
                "SELECT amount, currency FROM payment_actions \
                 WHERE kind = 'refund' AND state = 'succeeded' AND finished_at >= $1",
                vec![codec.at(query.since)],
                money,
            )
            .await?;
        // The entry that emptied the balance is the customer's last, and nothing came since.
        let ran_out = self
            .read_list(
                "SELECT c.id, c.name, c.email, l.at FROM credit_ledger l \
                 JOIN holdings h ON h.customer_id = l.customer_id \
                 JOIN customers c ON c.id = l.customer_id \
                 WHERE l.balance_after = 0 AND l.at >= $1 \
                 AND h.credit_balance = 0 AND h.kind <> 'subscription' \
                 AND NOT EXISTS (SELECT 1 FROM credit_ledger later \
                   WHERE later.customer_id = l.customer_id \
                   AND later.entry_number > l.entry_number) \
                 ORDER BY l.at DESC, c.id LIMIT $2",
                vec![codec.at(query.ran_out_since), limit(query.limit)],
                dashboard_customer,
            )
            .await?;
        // A subscription ends with its last term.
        let ending = self
            .read_list(
                "SELECT c.id, c.name, c.email, t.ends_at AS at FROM subscription_terms t \
                 JOIN customers c ON c.id = t.customer_id \
                 WHERE t.ends_at > $1 AND t.ends_at <= $2 \
                 AND NOT EXISTS (SELECT 1 FROM subscription_terms later \
                   WHERE later.customer_id = t.customer_id AND later.ends_at > t.ends_at) \
                 ORDER BY t.ends_at, c.id LIMIT $3",
                vec![
                    codec.at(query.now),
                    codec.at(query.ending_before),
                    limit(query.limit),
                ],
                dashboard_customer,
            )
            .await?;
        Ok(DashboardFigures {
            purchases: CurrencyTally::of(purchases)?,
            refunds: CurrencyTally::of(refunds)?,
            ran_out,
            ending,
        })
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

/// An `amount` and its `currency`.
fn money(row: &Row<'_>) -> Result<kasa_domain::Money, StoreError> {
    let currency: kasa_domain::Currency = row.text("currency")?.parse().map_err(corrupt)?;
    kasa_domain::Money::new(row.amount("amount")?, currency).map_err(corrupt)
}

/// A customer named on the dashboard, with its moment (`at`).
fn dashboard_customer(row: &Row<'_>) -> Result<DashboardCustomer, StoreError> {
    Ok(DashboardCustomer {
        id: row.id("id")?,
        name: row.text("name")?,
        email: kasa_domain::EmailAddress::parse(&row.text("email")?).map_err(corrupt)?,
        at: row.at("at")?,
    })
}
