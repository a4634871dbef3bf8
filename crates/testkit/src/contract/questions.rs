//! Customers' questions: recorded with their audit entry, their e-mail and the help-desk call
//! that opens their ticket in one transaction (all or nothing), listed newest first, counted
//! for the rate limit; the call opens its ticket once. Not in [`crate::store_contract_tests!`]:
//! the calls belong to an integration, whose secret a SQL store seals only under a secrets key
//! (`crates/adapters/postgres/tests/questions.rs`).

use std::sync::Arc;

use kasa_domain::{IntegrationId, Language, QuestionId};
use kasa_ports::{
    AuditQuery, CustomerStore, HelpDeskCallStore, HistoryStore, IntegrationStore, NEW_TICKET,
    NewHelpDeskCall, NewQuestion, NewTicket, OutboxPayload, OutboxStore, QuestionStore,
    QuestionTopic, StoreError, TicketState, new_id, question_call_key,
};
use time::Duration;

use super::help_desk_calls::an_integration;
use crate::{TestBilling, agent_context, customer};

fn question(customer_id: kasa_domain::CustomerId, minutes: i64) -> NewQuestion {
    NewQuestion {
        id: new_id(),
        customer_id,
        subject: "Faturam nerede?".to_owned(),
        message: "Kasım faturamı bulamıyorum.".to_owned(),
        topic: Some(QuestionTopic::Purchase(uuid::Uuid::from_u128(7).into())),
        language: Language::Tr,
        asked_at: TestBilling::START + Duration::minutes(minutes),
    }
}

fn opening(integration: IntegrationId, id: QuestionId) -> NewHelpDeskCall {
    NewHelpDeskCall {
        integration,
        ticket: NEW_TICKET.to_owned(),
        key: question_call_key(id),
        note: Some("Faturalama bilgileri (Kasa)".to_owned()),
        tags: Vec::new(),
        new_ticket: Some(NewTicket {
            requester_email: "ayse@example.com".to_owned(),
            requester_name: "Ayşe Yılmaz".to_owned(),
            subject: "Faturam nerede?".to_owned(),
            body: "Kasım faturamı bulamıyorum.".to_owned(),
            tags: vec!["kasa".to_owned()],
        }),
    }
}

/// The contract.
///
/// # Panics
/// When the store breaks the contract.
pub async fn questions_are_recorded_with_their_mail_and_ticket_at_once<S>(store: Arc<S>)
where
    S: QuestionStore
        + HelpDeskCallStore
        + IntegrationStore
        + CustomerStore
        + OutboxStore
        + HistoryStore
        + 'static,
{
    let ayse = customer("ayse@example.com", Language::Tr);
    store
        .create_customer(
            ayse.clone(),
            agent_context("new customer"),
            TestBilling::START,
        )
        .await
        .unwrap();
    let desk = an_integration(&*store).await;
    let support: kasa_domain::EmailAddress = "support@acme.example".parse().unwrap();

    // E-mail only: no ticket call.
    let first = question(ayse.id, 0);
    let email = OutboxPayload::QuestionNotification {
        question_id: first.id,
        to: vec![support.clone()],
        language: Language::Tr,
    };
    let asked = store
        .ask_question(
            first.clone(),
            Some(email),
            None,
            agent_context("asked a question"),
        )
        .await
        .unwrap();
    assert_eq!(asked.asked, first);
    assert!(asked.emailed);
    assert_eq!(asked.ticket_state(), TicketState::NotConnected);

    // E-mail and ticket, in one transaction.
    let second = question(ayse.id, 5);
    let asked = store
        .ask_question(
            second.clone(),
            None,
            Some(opening(desk, second.id)),
            agent_context("asked a question"),
        )
        .await
        .unwrap();
    assert!(!asked.emailed);
    assert_eq!(asked.ticket_state(), TicketState::Opening);
    let call = asked.ticket_call.clone().unwrap();
    assert_eq!(call.ticket, NEW_TICKET);
    assert_eq!(call.new_ticket.as_ref().unwrap().subject, "Faturam nerede?");

    // Nothing of a refused question stays: an unknown customer, an unknown integration, the
    // same id twice, a call that is not well formed.
    let mut stranger = question(uuid::Uuid::now_v7().into(), 6);
    let refused = store
        .ask_question(
            stranger.clone(),
            None,
            Some(opening(desk, stranger.id)),
            agent_context("asked a question"),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { .. })),
        "{refused:?}"
    );
    stranger.customer_id = ayse.id;
    let nowhere = opening(IntegrationId::from(uuid::Uuid::now_v7()), stranger.id);
    let refused = store
        .ask_question(
            stranger.clone(),
            None,
            Some(nowhere),
            agent_context("asked"),
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::NotFound {
                entity: kasa_ports::Entity::Integration
            })
        ),
        "{refused:?}"
    );
    let mut broken = opening(desk, stranger.id);
    broken.ticket = "123".to_owned();
    assert!(matches!(
        store
            .ask_question(stranger.clone(), None, Some(broken), agent_context("asked"))
            .await,
        Err(StoreError::Corrupt(_))
    ));
    let again = store
        .ask_question(second.clone(), None, None, agent_context("asked"))
        .await;
    assert!(
        matches!(again, Err(StoreError::AlreadyExists { .. })),
        "{again:?}"
    );
    let listed = store.customer_questions(ayse.id, 10).await.unwrap();
    let ids: Vec<QuestionId> = listed.iter().map(|question| question.asked.id).collect();
    assert_eq!(
        ids,
        [second.id, first.id],
        "newest first, refused ones absent"
    );
    assert_eq!(store.customer_questions(ayse.id, 1).await.unwrap().len(), 1);
    let queued = store.outbox_messages(true, 10).await.unwrap();
    assert_eq!(queued.len(), 1, "one e-mail: {queued:?}");
    let calls = store
        .help_desk_calls(kasa_ports::HelpDeskCallQuery {
            undone_only: false,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(calls.len(), 1, "one call: {calls:?}");
    let audit = store
        .audit_entries(AuditQuery {
            limit: 50,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|entry| entry.record.action == "question.asked")
            .count(),
        2
    );
    assert_eq!(
        store
            .questions_asked_since(ayse.id, TestBilling::START + Duration::minutes(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .questions_asked_since(ayse.id, TestBilling::START)
            .await
            .unwrap(),
        2
    );

    // The ticket is opened once: recorded, then the call goes on with the note on it.
    store
        .mark_help_desk_ticket_opened(call.id, "9001")
        .await
        .unwrap();
    assert!(matches!(
        store.mark_help_desk_ticket_opened(call.id, "9002").await,
        Err(StoreError::NotFound { .. })
    ));
    let question = store.question(second.id).await.unwrap();
    assert_eq!(
        question.ticket_state(),
        TicketState::Open("9001".to_owned())
    );
    assert!(matches!(
        store.question(new_id()).await,
        Err(StoreError::NotFound { .. })
    ));
}
