//! The help-desk outbox: calls queued once per idempotency key, claimed with a lease, marked
//! done or failed, retried by hand.

use async_trait::async_trait;
use kasa_domain::{HelpDeskCallId, IntegrationId};
use kasa_ports::{
    ActionContext, AuditRecord, HelpDeskCall, HelpDeskCallQuery, HelpDeskCallStore, NEW_TICKET,
    NewHelpDeskCall, StoreError, new_id,
};
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, Row, corrupt, id, opt_text, text};
use crate::rows::{Connection, execute, fetch_all, fetch_one, insert_audit, limit};

pub(crate) const COLUMNS: &str = "id, integration_id, ticket, idempotency_key, note, tags, \
                       new_ticket, queued_at, attempts, next_attempt_at, last_error, \
                       note_posted_at, done_at, abandoned";

const NOT_FOUND: StoreError = StoreError::NotFound {
    entity: kasa_ports::Entity::HelpDeskCall,
};

pub(crate) fn help_desk_call(row: &Row<'_>) -> Result<HelpDeskCall, StoreError> {
    Ok(HelpDeskCall {
        id: row.id("id")?,
        integration: row.id::<IntegrationId>("integration_id")?,
        ticket: row.text("ticket")?,
        key: row.text("idempotency_key")?,
        note: row.opt_text("note")?,
        tags: row.json("tags")?,
        new_ticket: row.opt_json("new_ticket")?,
        queued_at: row.at("queued_at")?,
        attempts: u32::try_from(row.int("attempts")?).map_err(corrupt)?,
        next_attempt_at: row.opt_at("next_attempt_at")?,
        last_error: row.opt_text("last_error")?,
        note_posted_at: row.opt_at("note_posted_at")?,
        done_at: row.opt_at("done_at")?,
        abandoned: row.flag("abandoned")?,
    })
}

/// Queues `call` in the caller's transaction; `false` when a call with its key was queued
/// before.
pub(crate) async fn insert_help_desk_call(
    tx: &impl Connection,
    codec: Codec,
    call: &NewHelpDeskCall,
) -> Result<bool, StoreError> {
    if !HelpDeskCall::is_well_formed(call) {
        return Err(corrupt(
            "a help-desk call needs a ticket (or one to open), a key, and something to do, \
             none blank",
        ));
    }
    // The store's own clock: when a call was queued is for people reading the outbox; due is
    // "at once" (an empty `next_attempt_at`), whatever clock the worker runs on.
    let queued_at = OffsetDateTime::now_utc();
    let call_id: HelpDeskCallId = new_id();
    fetch_one(
        tx,
        codec.statement(
            "SELECT id FROM integrations WHERE id = $1",
            [id(call.integration)],
        ),
    )
    .await?
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::Integration,
    })?;
    let inserted = execute(
        tx,
        codec.statement(
            "INSERT INTO help_desk_calls (id, integration_id, ticket, idempotency_key, \
             note, tags, new_ticket, queued_at, attempts, abandoned) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, FALSE) \
             ON CONFLICT (idempotency_key) DO NOTHING",
            [
                id(call_id),
                id(call.integration),
                text(call.ticket.clone()),
                text(call.key.clone()),
                opt_text(call.note.clone()),
                codec.json(&call.tags),
                codec.opt_json(call.new_ticket.as_ref()),
                codec.at(queued_at),
            ],
        ),
    )
    .await?;
    Ok(inserted > 0)
}

impl SqlStore {
    async fn update_help_desk_call(
        &self,
        sql: &str,
        values: Vec<sea_orm::Value>,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            match execute(tx, codec.statement(sql, values)).await? {
                0 => Err(NOT_FOUND),
                _ => Ok(()),
            }
        })
        .await
    }
}

#[async_trait]
impl HelpDeskCallStore for SqlStore {
    async fn queue_help_desk_call(&self, call: NewHelpDeskCall) -> Result<bool, StoreError> {
        self.in_transaction(async |tx, codec| insert_help_desk_call(tx, codec, &call).await)
            .await
    }

    async fn claim_due_help_desk_calls(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        count: u32,
    ) -> Result<Vec<HelpDeskCall>, StoreError> {
        // SQLite has one writer at a time, so only PostgreSQL needs to skip rows that another
        // worker is claiming.
        let skip_locked = if self.codec.is_sqlite() {
            ""
        } else {
            " FOR UPDATE SKIP LOCKED"
        };
        self.in_transaction(async |tx, codec| {
            let rows = fetch_all(
                tx,
                codec.statement(
                    &format!(
                        "UPDATE help_desk_calls SET next_attempt_at = $2 WHERE id IN \
                         (SELECT id FROM help_desk_calls WHERE done_at IS NULL AND NOT abandoned \
                         AND (next_attempt_at IS NULL OR next_attempt_at <= $1) \
                         ORDER BY id LIMIT $3{skip_locked}) RETURNING {COLUMNS}"
                    ),
                    [codec.at(now), codec.at(lease_until), limit(count)],
                ),
            )
            .await?;
            let mut calls = rows
                .iter()
                .map(|row| help_desk_call(&codec.row(row)))
                .collect::<Result<Vec<_>, _>>()?;
            calls.sort_by_key(|call| call.id);
            Ok(calls)
        })
        .await
    }

    async fn mark_help_desk_note_posted(
        &self,
        call_id: HelpDeskCallId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.update_help_desk_call(
            "UPDATE help_desk_calls SET note_posted_at = $2 \
             WHERE id = $1 AND note_posted_at IS NULL",
            vec![id(call_id), self.codec.at(at)],
        )
        .await
    }

    async fn mark_help_desk_ticket_opened(
        &self,
        call_id: HelpDeskCallId,
        ticket: &str,
    ) -> Result<(), StoreError> {
        self.update_help_desk_call(
            "UPDATE help_desk_calls SET ticket = $2 WHERE id = $1 AND ticket = $3 \
             AND new_ticket IS NOT NULL",
            vec![id(call_id), text(ticket), text(NEW_TICKET)],
        )
        .await
    }

    async fn mark_help_desk_call_done(
        &self,
        call_id: HelpDeskCallId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.update_help_desk_call(
            "UPDATE help_desk_calls SET attempts = attempts + 1, done_at = $2, \
             last_error = NULL WHERE id = $1 AND done_at IS NULL",
            vec![id(call_id), self.codec.at(at)],
        )
        .await
    }

    async fn mark_help_desk_call_failed(
        &self,
        call_id: HelpDeskCallId,
        error: String,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError> {
        match retry_at {
            Some(retry_at) => {
                self.update_help_desk_call(
                    "UPDATE help_desk_calls SET attempts = attempts + 1, last_error = $2, \
                     next_attempt_at = $3 WHERE id = $1 AND done_at IS NULL",
                    vec![id(call_id), text(error), self.codec.at(retry_at)],
                )
                .await
            }
            None => {
                self.update_help_desk_call(
                    "UPDATE help_desk_calls SET attempts = attempts + 1, last_error = $2, \
                     abandoned = TRUE WHERE id = $1 AND done_at IS NULL",
                    vec![id(call_id), text(error)],
                )
                .await
            }
        }
    }

    async fn retry_help_desk_call_now(
        &self,
        call_id: HelpDeskCallId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<HelpDeskCall, StoreError> {
        self.in_transaction(async |tx, codec| {
            let read = async |tx| -> Result<HelpDeskCall, StoreError> {
                let row = fetch_one(
                    tx,
                    codec.statement(
                        &format!(
                            "SELECT {COLUMNS} FROM help_desk_calls \
                             WHERE id = $1 AND done_at IS NULL"
                        ),
                        [id(call_id)],
                    ),
                )
                .await?
                .ok_or(NOT_FOUND)?;
                help_desk_call(&codec.row(&row))
            };
            let before = read(tx).await?;
            execute(
                tx,
                codec.statement(
                    "UPDATE help_desk_calls SET next_attempt_at = $2, abandoned = FALSE \
                     WHERE id = $1",
                    [id(call_id), codec.at(at)],
                ),
            )
            .await?;
            let after = read(tx).await?;
            insert_audit(
                tx,
                codec,
                &AuditRecord::help_desk_call_retried(&before, &after),
                &context,
                at,
            )
            .await?;
            Ok(after)
        })
        .await
    }

    async fn help_desk_calls(
        &self,
        query: HelpDeskCallQuery,
    ) -> Result<Vec<HelpDeskCall>, StoreError> {
        let codec = self.codec;
        let filter = if query.undone_only {
            "WHERE done_at IS NULL"
        } else {
            ""
        };
        fetch_all(
            &self.db,
            codec.statement(
                &format!(
                    "SELECT {COLUMNS} FROM help_desk_calls {filter} ORDER BY id DESC LIMIT $1"
                ),
                [limit(query.limit)],
            ),
        )
        .await?
        .iter()
        .map(|row| help_desk_call(&codec.row(row)))
        .collect()
    }
}
