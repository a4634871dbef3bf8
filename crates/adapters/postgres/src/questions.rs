//! Customers' billing questions, each recorded with its e-mail and its ticket's help-desk call
//! queued in the same transaction.

use std::collections::BTreeMap;

use async_trait::async_trait;
use kasa_domain::{CustomerId, QuestionId};
use kasa_ports::{
    ActionContext, HelpDeskCall, NewHelpDeskCall, NewQuestion, OutboxPayload, Question,
    QuestionStore, StoreError,
};
use sea_orm::Value;
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Row, corrupt, id, label, opt_text, text};
use crate::help_desk_calls::{COLUMNS as CALL_COLUMNS, help_desk_call, insert_help_desk_call};
use crate::rows::{execute_unique, insert_audit, insert_outbox, limit};

const COLUMNS: &str =
    "id, customer_id, subject, message, topic, language, asked_at, emailed, help_desk_call_key";

fn question(row: &Row<'_>) -> Result<(NewQuestion, bool, Option<String>), StoreError> {
    Ok((
        NewQuestion {
            id: row.id("id")?,
            customer_id: row.id("customer_id")?,
            subject: row.text("subject")?,
            message: row.text("message")?,
            topic: row.opt_json("topic")?,
            language: row.label("language")?,
            asked_at: row.at("asked_at")?,
        },
        row.flag("emailed")?,
        row.opt_text("help_desk_call_key")?,
    ))
}

impl SqlStore {
    /// Questions read by `sql` (over [`COLUMNS`]), each with its ticket's call.
    async fn questions_with_calls(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<Question>, StoreError> {
        let rows = self.read_list(sql, values, question).await?;
        let keys: Vec<Value> = rows
            .iter()
            .filter_map(|(_, _, key)| key.clone().map(text))
            .collect();
        let mut calls: BTreeMap<String, HelpDeskCall> = if keys.is_empty() {
            BTreeMap::new()
        } else {
            let places: Vec<String> = (1..=keys.len()).map(|n| format!("${n}")).collect();
            self.read_list(
                &format!(
                    "SELECT {CALL_COLUMNS} FROM help_desk_calls WHERE idempotency_key IN ({})",
                    places.join(", ")
                ),
                keys,
                help_desk_call,
            )
            .await?
            .into_iter()
            .map(|call| (call.key.clone(), call))
            .collect()
        };
        rows.into_iter()
            .map(|(asked, emailed, key)| {
                let ticket_call = match key {
                    Some(key) => Some(
                        calls
                            .remove(&key)
                            .ok_or_else(|| corrupt(format!("question call {key} is missing")))?,
                    ),
                    None => None,
                };
                Ok(Question {
                    asked,
                    emailed,
                    ticket_call,
                })
            })
            .collect()
    }
}

#[async_trait]
impl QuestionStore for SqlStore {
    async fn ask_question(
        &self,
        question: NewQuestion,
        email: Option<OutboxPayload>,
        ticket: Option<NewHelpDeskCall>,
        context: ActionContext,
    ) -> Result<Question, StoreError> {
        self.in_transaction(async |tx, codec| {
            if let Some(call) = &ticket {
                insert_help_desk_call(tx, codec, call).await?;
            }
            execute_unique(
                tx,
                codec.statement(
                    "INSERT INTO questions (id, customer_id, subject, message, topic, language, \
                     asked_at, emailed, help_desk_call_key) \
                     SELECT $1, id, $3, $4, $5, $6, $7, $8, $9 FROM customers WHERE id = $2",
                    [
                        id(question.id),
                        id(question.customer_id),
                        text(question.subject.clone()),
                        text(question.message.clone()),
                        codec.opt_json(question.topic.as_ref()),
                        text(label(&question.language)),
                        codec.at(question.asked_at),
                        Value::from(email.is_some()),
                        opt_text(ticket.as_ref().map(|call| call.key.clone())),
                    ],
                ),
                || format!("question {}", question.id),
            )
            .await
            .and_then(|inserted| {
                (inserted > 0).then_some(()).ok_or(StoreError::NotFound {
                    entity: kasa_ports::Entity::Customer,
                })
            })?;
            if let Some(email) = &email {
                insert_outbox(tx, codec, email, question.asked_at).await?;
            }
            insert_audit(
                tx,
                codec,
                &Question::audit_record(&question),
                &context,
                question.asked_at,
            )
            .await?;
            Ok(())
        })
        .await?;
        self.question(question.id).await
    }

    async fn question(&self, question_id: QuestionId) -> Result<Question, StoreError> {
        self.questions_with_calls(
            &format!("SELECT {COLUMNS} FROM questions WHERE id = $1"),
            vec![id(question_id)],
        )
        .await?
        .pop()
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::Question,
        })
    }

    async fn customer_questions(
        &self,
        customer_id: CustomerId,
        count: u32,
    ) -> Result<Vec<Question>, StoreError> {
        self.questions_with_calls(
            &format!(
                "SELECT {COLUMNS} FROM questions WHERE customer_id = $1 \
                 ORDER BY asked_at DESC, id DESC LIMIT $2"
            ),
            vec![id(customer_id), limit(count)],
        )
        .await
    }

    async fn questions_asked_since(
        &self,
        customer_id: CustomerId,
        since: OffsetDateTime,
    ) -> Result<u32, StoreError> {
        let count = self
            .read_list(
                "SELECT COUNT(*) AS asked FROM questions WHERE customer_id = $1 AND asked_at >= $2",
                vec![id(customer_id), self.codec.at(since)],
                |row| row.int("asked"),
            )
            .await?
            .pop()
            .unwrap_or_default();
        u32::try_from(count).map_err(corrupt)
    }
}
