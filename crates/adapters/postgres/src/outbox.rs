//! The outbox: claimed with a lease, marked sent or failed.

use async_trait::async_trait;
use kasa_domain::OutboxMessageId;
use kasa_ports::{ActionContext, AuditRecord, OutboxMessage, OutboxStore, StoreError};
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{id, text};
use crate::rows::{execute, fetch_all, fetch_one, insert_audit, limit, outbox_message};

impl SqlStore {
    async fn update_message(
        &self,
        sql: &str,
        values: Vec<sea_orm::Value>,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            match execute(tx, codec.statement(sql, values)).await? {
                0 => Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::OutboxMessage,
                }),
                _ => Ok(()),
            }
        })
        .await
    }
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn claim_due_messages(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        count: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let codec = self.codec;
        // SQLite has one writer at a time, so only PostgreSQL needs to skip rows that another
        // worker is claiming.
        let skip_locked = if codec.is_sqlite() {
            ""
        } else {
            " FOR UPDATE SKIP LOCKED"
        };
        self.in_transaction(async |tx, codec| {
            let rows = fetch_all(
                tx,
                codec.statement(
                    &format!(
                        "UPDATE outbox SET next_attempt_at = $2 WHERE id IN (SELECT id FROM outbox \
                     WHERE sent_at IS NULL AND NOT abandoned AND next_attempt_at <= $1 \
                     ORDER BY next_attempt_at, id LIMIT $3{skip_locked}) \
                     RETURNING id, payload, created_at, attempts, next_attempt_at, last_error, \
                     sent_at, abandoned"
                    ),
                    [codec.at(now), codec.at(lease_until), limit(count)],
                ),
            )
            .await?;
            let mut messages = rows
                .iter()
                .map(|row| outbox_message(&codec.row(row)))
                .collect::<Result<Vec<_>, _>>()?;
            messages.sort_by_key(|message| message.id);
            Ok(messages)
        })
        .await
    }

    async fn mark_message_sent(
        &self,
        message_id: OutboxMessageId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.update_message(
            "UPDATE outbox SET attempts = attempts + 1, sent_at = $2 WHERE id = $1",
            vec![id(message_id), self.codec.at(at)],
        )
        .await
    }

    async fn mark_message_failed(
        &self,
        message_id: OutboxMessageId,
        error: String,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError> {
        match retry_at {
            Some(retry_at) => {
                self.update_message(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $2, \
                     next_attempt_at = $3 WHERE id = $1",
                    vec![id(message_id), text(error), self.codec.at(retry_at)],
                )
                .await
            }
            None => {
                self.update_message(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $2, \
                     abandoned = TRUE WHERE id = $1",
                    vec![id(message_id), text(error)],
                )
                .await
            }
        }
    }

    async fn retry_message_now(
        &self,
        message_id: OutboxMessageId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<OutboxMessage, StoreError> {
        self.in_transaction(async |tx, codec| {
            let read = async |tx| -> Result<OutboxMessage, StoreError> {
                let row = fetch_one(
                    tx,
                    codec.statement(
                        "SELECT id, payload, created_at, attempts, next_attempt_at, last_error, \
                         sent_at, abandoned FROM outbox WHERE id = $1 AND sent_at IS NULL",
                        [id(message_id)],
                    ),
                )
                .await?
                .ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::UndeliveredOutboxMessage,
                })?;
                outbox_message(&codec.row(&row))
            };
            let before = read(tx).await?;
            execute(
                tx,
                codec.statement(
                    "UPDATE outbox SET next_attempt_at = $2, abandoned = FALSE WHERE id = $1",
                    [id(message_id), codec.at(at)],
                ),
            )
            .await?;
            let after = read(tx).await?;
            insert_audit(
                tx,
                codec,
                &AuditRecord::outbox_retried(&before, &after),
                &context,
                at,
            )
            .await?;
            Ok(after)
        })
        .await
    }
}
