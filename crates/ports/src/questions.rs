//! Billing questions customers ask from their billing pages: kept with the customer, e-mailed
//! to the support address and opened as a help-desk ticket, all queued in the transaction that
//! records the question (so a question is never recorded without being sent, or sent twice).

use async_trait::async_trait;
use kasa_domain::{CustomerId, InvoiceId, Language, PurchaseId, QuestionId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{ActionContext, AuditRecord, HelpDeskCall, NewHelpDeskCall, OutboxPayload, StoreError};

/// What a question is about, when the customer picked something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum QuestionTopic {
    /// One of their purchases.
    Purchase(PurchaseId),
    /// One of their invoices, receipts or credit notes.
    Invoice(InvoiceId),
}

/// A question to record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewQuestion {
    /// Its id.
    pub id: QuestionId,
    /// Who asks.
    pub customer_id: CustomerId,
    /// The subject line.
    pub subject: String,
    /// The message.
    pub message: String,
    /// What it is about, if the customer said.
    pub topic: Option<QuestionTopic>,
    /// The language they asked in.
    pub language: Language,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub asked_at: OffsetDateTime,
}

/// A recorded question and where its ticket stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// The question as asked.
    pub asked: NewQuestion,
    /// Whether an e-mail to the support address was queued.
    pub emailed: bool,
    /// The help-desk call that opens its ticket, if a help desk was connected.
    pub ticket_call: Option<HelpDeskCall>,
}

/// Where a question's help-desk ticket stands, as the customer is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TicketState {
    /// No help desk is connected: the question went by e-mail only.
    NotConnected,
    /// Queued or being retried.
    Opening,
    /// Open, with the help desk's id.
    Open(String),
    /// The help desk refused it; an operator sees it in the console.
    Failed,
}

impl Question {
    /// Where its ticket stands.
    #[must_use]
    pub fn ticket_state(&self) -> TicketState {
        match &self.ticket_call {
            None => TicketState::NotConnected,
            Some(call) if call.ticket != crate::NEW_TICKET => {
                TicketState::Open(call.ticket.clone())
            }
            Some(call) if call.abandoned => TicketState::Failed,
            Some(_) => TicketState::Opening,
        }
    }

    /// The audit record of the question (`question.asked`): its subject and topic, not the
    /// message.
    #[must_use]
    pub fn audit_record(question: &NewQuestion) -> AuditRecord {
        AuditRecord {
            action: "question.asked".to_owned(),
            subject: format!("customer:{}", question.customer_id),
            before: None,
            after: Some(serde_json::json!({
                "question": question.id,
                "subject": question.subject,
                "topic": question.topic,
            })),
        }
    }
}

/// Where questions are kept.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait QuestionStore: Send + Sync {
    /// Records a question with its audit entry, and in the same transaction queues its e-mail
    /// (if any) and the help-desk call that opens its ticket (if any).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (no such customer or integration), [`StoreError::AlreadyExists`]
    /// (the same id twice), [`StoreError::Corrupt`] (a call that is not well formed),
    /// [`StoreError::Unavailable`].
    async fn ask_question(
        &self,
        question: NewQuestion,
        email: Option<OutboxPayload>,
        ticket: Option<NewHelpDeskCall>,
        context: ActionContext,
    ) -> Result<Question, StoreError>;

    /// One question.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn question(&self, id: QuestionId) -> Result<Question, StoreError>;

    /// A customer's questions, newest first, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn customer_questions(
        &self,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<Question>, StoreError>;

    /// How many questions a customer asked at or after `since` (for the rate limit).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn questions_asked_since(
        &self,
        customer_id: CustomerId,
        since: OffsetDateTime,
    ) -> Result<u32, StoreError>;
}

/// The idempotency key of the help-desk call that opens a question's ticket.
#[must_use]
pub fn question_call_key(id: QuestionId) -> String {
    format!("question:{id}")
}
