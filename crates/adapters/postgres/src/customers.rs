//! Customers and their cards.

use async_trait::async_trait;
use kasa_domain::{Customer, CustomerCard, CustomerId};
use kasa_ports::{
    ActionContext, AuditRecord, CustomerLookup, CustomerSearch, CustomerState, CustomerStore,
    SetDepartment, StoreError,
};
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, id, label, opt_text, text};
use crate::rows::{
    execute, execute_unique, fetch_all, fetch_one, find_holder, insert_audit, limit, read_card,
    read_customer, read_holding,
};

/// The `tax_id`, `tax_office` and `billing_address` columns.
fn tax_columns(customer: &Customer) -> [sea_orm::Value; 3] {
    let details = &customer.tax_details;
    [
        opt_text(details.tax_id.as_ref().map(ToString::to_string)),
        opt_text(details.tax_office.clone()),
        opt_text(details.billing_address.clone()),
    ]
}

async fn insert_customer(
    tx: &sea_orm::DatabaseTransaction,
    codec: Codec,
    customer: &Customer,
    context: &ActionContext,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let tax_columns = tax_columns(customer);
    execute_unique(
        tx,
        codec.statement(
            "INSERT INTO customers (id, email, name, language, created_at, \
             tax_id, tax_office, billing_address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            [
                id(customer.id),
                text(customer.email.as_str()),
                text(customer.name.clone()),
                text(label(&customer.language)),
                codec.at(at),
                tax_columns[0].clone(),
                tax_columns[1].clone(),
                tax_columns[2].clone(),
            ],
        ),
        || format!("customer e-mail {} (or id {})", customer.email, customer.id),
    )
    .await?;
    insert_external_ids(tx, codec, customer).await?;
    execute(
        tx,
        codec.statement(
            "INSERT INTO holdings (customer_id, kind, credit_balance, ledger_entries, \
             cancel_at_end, version) VALUES ($1, 'nothing', 0, 0, FALSE, 0)",
            [id(customer.id)],
        ),
    )
    .await?;
    insert_audit(
        tx,
        codec,
        &AuditRecord::customer_created(customer),
        context,
        at,
    )
    .await
}

async fn insert_external_ids(
    tx: &sea_orm::DatabaseTransaction,
    codec: Codec,
    customer: &Customer,
) -> Result<(), StoreError> {
    for external_id in &customer.external_ids {
        execute_unique(
            tx,
            codec.statement(
                "INSERT INTO customer_external_ids (system, value, customer_id) \
                 VALUES ($1, $2, $3)",
                [
                    text(external_id.system()),
                    text(external_id.value()),
                    id(customer.id),
                ],
            ),
            || {
                format!(
                    "external id {}:{}",
                    external_id.system(),
                    external_id.value()
                )
            },
        )
        .await?;
    }
    Ok(())
}

/// `text` as a `LIKE` pattern matching it anywhere, lower-cased, with `%`, `_` and `\\` escaped
/// (the statement says `ESCAPE '\\'`).
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for character in text.to_lowercase().chars() {
        if matches!(character, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

/// The statement and parameters of a customer search: part of the e-mail or name, an external
/// id (with or without its system), a ticket or chat id charged to them, or Kasa's id.
fn search_statement(search: &CustomerSearch) -> (String, Vec<sea_orm::Value>) {
    let typed = search.text.trim();
    let pattern = contains_pattern(typed);
    let (system, value) = typed.split_once(':').unwrap_or(("", typed));
    let mut values = vec![
        text(pattern.clone()),
        text(pattern),
        text(typed),
        text(system.trim().to_lowercase()),
        text(value.trim()),
        text(typed),
    ];
    let mut by_id = String::new();
    if let Ok(uuid) = typed.parse::<uuid::Uuid>() {
        values.push(id(CustomerId::from(uuid)));
        by_id = format!(" OR c.id = ${}", values.len());
    }
    values.push(limit(search.limit));
    let limit_at = values.len();
    values.push(sea_orm::Value::from(
        i64::try_from(search.offset).unwrap_or(i64::MAX),
    ));
    let sql = format!(
        "SELECT c.id FROM customers c \
         WHERE lower(c.email) LIKE $1 ESCAPE '\\' OR lower(c.name) LIKE $2 ESCAPE '\\' \
         OR c.id IN (SELECT x.customer_id FROM customer_external_ids x \
                     WHERE x.value = $3 OR (x.system = $4 AND x.value = $5)) \
         OR c.id IN (SELECT u.customer_id FROM usage_charges u WHERE u.usage_reference = $6)\
         {by_id} ORDER BY c.email, c.id LIMIT ${limit_at} OFFSET ${}",
        limit_at + 1
    );
    (sql, values)
}

#[async_trait]
impl CustomerStore for SqlStore {
    async fn search_customers(&self, search: CustomerSearch) -> Result<Vec<Customer>, StoreError> {
        if search.text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let codec = self.codec;
        let (sql, values) = search_statement(&search);
        let mut found = Vec::new();
        for row in fetch_all(&self.db, codec.statement(&sql, values)).await? {
            let customer_id: CustomerId = codec.row(&row).id("id")?;
            found.push(read_customer(&self.db, codec, customer_id).await?);
        }
        Ok(found)
    }

    async fn create_customer(
        &self,
        customer: Customer,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            insert_customer(tx, codec, &customer, &context, at).await
        })
        .await
    }

    async fn update_customer(
        &self,
        customer: Customer,
        expected: Customer,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            // Lock the row (PostgreSQL) so the comparison holds until the change commits.
            execute(
                tx,
                codec.statement(
                    "UPDATE customers SET name = name WHERE id = $1",
                    [id(customer.id)],
                ),
            )
            .await?;
            let before = read_customer(tx, codec, customer.id).await?;
            if before != expected {
                return Err(StoreError::StaleVersion);
            }
            let tax_columns = tax_columns(&customer);
            execute_unique(
                tx,
                codec.statement(
                    "UPDATE customers SET email = $2, name = $3, language = $4, tax_id = $5, \
                     tax_office = $6, billing_address = $7 WHERE id = $1",
                    [
                        id(customer.id),
                        text(customer.email.as_str()),
                        text(customer.name.clone()),
                        text(label(&customer.language)),
                        tax_columns[0].clone(),
                        tax_columns[1].clone(),
                        tax_columns[2].clone(),
                    ],
                ),
                || format!("customer e-mail {}", customer.email),
            )
            .await?;
            execute(
                tx,
                codec.statement(
                    "DELETE FROM customer_external_ids WHERE customer_id = $1",
                    [id(customer.id)],
                ),
            )
            .await?;
            insert_external_ids(tx, codec, &customer).await?;
            let record = AuditRecord::customer_updated(&before, &customer);
            insert_audit(tx, codec, &record, &context, at).await
        })
        .await
    }

    async fn find_customer(&self, lookup: CustomerLookup) -> Result<Customer, StoreError> {
        let holder = find_holder(&self.db, self.codec, &lookup).await?;
        read_customer(&self.db, self.codec, holder.customer_id).await
    }

    async fn customer_state(&self, customer_id: CustomerId) -> Result<CustomerState, StoreError> {
        let codec = self.codec;
        let holder = find_holder(&self.db, codec, &CustomerLookup::Id { id: customer_id }).await?;
        Ok(CustomerState {
            customer: read_customer(&self.db, codec, customer_id).await?,
            card: read_card(&self.db, codec, customer_id).await?,
            holding: read_holding(&self.db, codec, &holder).await?,
            version: holder.version,
        })
    }

    async fn set_department(&self, change: SetDepartment) -> Result<CustomerCard, StoreError> {
        self.in_transaction(async |tx, codec| {
            let department = fetch_one(
                tx,
                codec.statement(
                    "SELECT id FROM departments WHERE id = $1",
                    [id(change.department_id)],
                ),
            )
            .await?;
            if department.is_none() {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Department,
                });
            }
            let customer = CustomerLookup::Id {
                id: change.customer_id,
            };
            find_holder(tx, codec, &customer).await?;
            let before = read_card(tx, codec, change.customer_id).await?;
            let keys = [id(change.customer_id), id(change.department_id)];
            if change.enabled {
                execute(
                    tx,
                    codec.statement(
                        "INSERT INTO card_operator_departments (customer_id, department_id) \
                         VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        keys,
                    ),
                )
                .await?;
            } else {
                for table in ["card_operator_departments", "card_purchase_departments"] {
                    execute(
                        tx,
                        codec.statement(
                            &format!(
                                "DELETE FROM {table} WHERE customer_id = $1 AND department_id = $2"
                            ),
                            keys.clone(),
                        ),
                    )
                    .await?;
                }
            }
            let card = read_card(tx, codec, change.customer_id).await?;
            let record = AuditRecord::card_changed(
                change.customer_id,
                change.department_id,
                change.enabled,
                &before,
                &card,
            );
            insert_audit(tx, codec, &record, &change.context, change.at).await?;
            Ok(card)
        })
        .await
    }
}
