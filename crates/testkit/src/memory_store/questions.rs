//! Customers' questions as the in-memory store holds them.

use async_trait::async_trait;
use kasa_domain::{CustomerId, QuestionId};
use kasa_ports::{
    ActionContext, NewHelpDeskCall, NewQuestion, OutboxPayload, Question, QuestionStore, StoreError,
};
use time::OffsetDateTime;

use super::help_desk_calls::{queue_call, queue_time};
use super::{MemoryStore, State, queue};

fn read(state: &State, id: QuestionId) -> Result<Question, StoreError> {
    let (asked, emailed, key) = state.questions.get(&id).ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::Question,
    })?;
    let ticket_call = match key {
        Some(key) => Some(
            state
                .help_desk_calls
                .values()
                .find(|call| &call.key == key)
                .cloned()
                .ok_or_else(|| StoreError::Corrupt(format!("question call {key} is missing")))?,
        ),
        None => None,
    };
    Ok(Question {
        asked: asked.clone(),
        emailed: *emailed,
        ticket_call,
    })
}

#[async_trait]
impl QuestionStore for MemoryStore {
    async fn ask_question(
        &self,
        question: NewQuestion,
        email: Option<OutboxPayload>,
        ticket: Option<NewHelpDeskCall>,
        context: ActionContext,
    ) -> Result<Question, StoreError> {
        let queued_at = queue_time();
        self.transaction(|state| {
            if !state.customers.contains_key(&question.customer_id) {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Customer,
                });
            }
            if state.questions.contains_key(&question.id) {
                return Err(StoreError::AlreadyExists {
                    what: format!("question {}", question.id),
                });
            }
            let key = ticket.as_ref().map(|call| call.key.clone());
            if let Some(call) = ticket.clone() {
                queue_call(state, call, queued_at)?;
            }
            if let Some(email) = email.clone() {
                queue(state, vec![email], question.asked_at);
            }
            state.audit(
                Question::audit_record(&question),
                &context,
                question.asked_at,
            );
            state
                .questions
                .insert(question.id, (question.clone(), email.is_some(), key));
            read(state, question.id)
        })
    }

    async fn question(&self, id: QuestionId) -> Result<Question, StoreError> {
        self.read(|state| read(state, id))
    }

    async fn customer_questions(
        &self,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<Question>, StoreError> {
        self.read(|state| {
            let mut asked: Vec<&NewQuestion> = state
                .questions
                .values()
                .map(|(question, _, _)| question)
                .filter(|question| question.customer_id == customer_id)
                .collect();
            asked.sort_by_key(|question| std::cmp::Reverse((question.asked_at, question.id)));
            asked
                .into_iter()
                .take(limit as usize)
                .map(|question| read(state, question.id))
                .collect()
        })
    }

    async fn questions_asked_since(
        &self,
        customer_id: CustomerId,
        since: OffsetDateTime,
    ) -> Result<u32, StoreError> {
        self.read(|state| {
            let count = state
                .questions
                .values()
                .filter(|(question, _, _)| {
                    question.customer_id == customer_id && question.asked_at >= since
                })
                .count();
            Ok(u32::try_from(count).unwrap_or(u32::MAX))
        })
    }
}
