//! The help-desk outbox's contract: a call is queued once per key, claimed with a lease, retried
//! after a failure, abandoned on a permanent one and retried by hand with an audit entry, done
//! once. Not in [`crate::store_contract_tests!`]: the calls belong to an integration, whose
//! secret a SQL store seals only under a secrets key (`crates/adapters/postgres/tests/help_desk_calls.rs`).

use std::sync::Arc;

use kasa_domain::{FrameOrigin, IntegrationId, IntegrationKind};
use kasa_ports::{
    AuditQuery, HelpDeskCallQuery, HelpDeskCallStore, HistoryStore, Integration, IntegrationStore,
    NewHelpDeskCall, Secret, StoreError,
};
use time::Duration;

use crate::{TestBilling, agent_context};

/// An integration to queue calls for.
pub(crate) async fn an_integration<S: IntegrationStore>(store: &S) -> IntegrationId {
    let integration = Integration {
        id: IntegrationId::from(uuid::Uuid::now_v7()),
        name: "Zendesk production".to_owned(),
        kind: IntegrationKind::Zendesk,
        allowed_origins: vec![FrameOrigin::parse("https://acme.zendesk.com").unwrap()],
        created_at: TestBilling::START,
        revoked_at: None,
    };
    store
        .create_integration(
            integration.clone(),
            Secret::new("kasa_panel_contract"),
            agent_context("help desk"),
        )
        .await
        .unwrap();
    integration.id
}

fn call(integration: IntegrationId, ticket: &str, key: &str) -> NewHelpDeskCall {
    NewHelpDeskCall {
        integration,
        ticket: ticket.to_owned(),
        key: key.to_owned(),
        note: Some(format!("Refunded ₺100,00 ({key})")),
        tags: vec!["kasa_refund".to_owned()],
        new_ticket: None,
    }
}

/// Queues, claims, fails, retries, abandons, retries by hand and finishes calls.
///
/// # Panics
/// When the store breaks the contract.
pub async fn help_desk_calls_are_queued_once_and_delivered_once<S>(store: Arc<S>)
where
    S: HelpDeskCallStore + IntegrationStore + HistoryStore + 'static,
{
    let desk = an_integration(&*store).await;
    assert!(
        store
            .queue_help_desk_call(call(desk, "42", "a"))
            .await
            .unwrap()
    );
    let mut again = call(desk, "43", "a");
    again.note = Some("something else".to_owned());
    assert!(
        !store.queue_help_desk_call(again).await.unwrap(),
        "the same key is queued once, whatever else the call says"
    );
    assert!(
        store
            .queue_help_desk_call(call(desk, "42", "b"))
            .await
            .unwrap()
    );
    assert!(matches!(
        store
            .queue_help_desk_call(call(IntegrationId::from(uuid::Uuid::now_v7()), "1", "c"))
            .await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Integration
        })
    ));
    let mut blank = call(desk, " ", "d");
    assert!(matches!(
        store.queue_help_desk_call(blank.clone()).await,
        Err(StoreError::Corrupt(_))
    ));
    blank.ticket = "44".to_owned();
    blank.note = None;
    blank.tags.clear();
    assert!(matches!(
        store.queue_help_desk_call(blank).await,
        Err(StoreError::Corrupt(_))
    ));
    let listed = store
        .help_desk_calls(HelpDeskCallQuery {
            undone_only: false,
            limit: 10,
        })
        .await
        .unwrap();
    let keys: Vec<&str> = listed.iter().map(|call| call.key.as_str()).collect();
    assert_eq!(keys, ["b", "a"], "newest first");
    assert_eq!(listed[1].ticket, "42");
    assert_eq!(listed[1].note.as_deref(), Some("Refunded ₺100,00 (a)"));
    assert_eq!(listed[1].tags, ["kasa_refund"]);
    assert_eq!((listed[1].attempts, listed[1].next_attempt_at), (0, None));

    // Claimed in queue order, leased: nobody else takes them until the lease ends.
    let now = TestBilling::START;
    let lease = now + Duration::minutes(2);
    let claimed = store
        .claim_due_help_desk_calls(now, lease, 1)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].key, "a");
    assert_eq!(claimed[0].next_attempt_at, Some(lease));
    let rest = store
        .claim_due_help_desk_calls(now, lease, 10)
        .await
        .unwrap();
    assert_eq!(
        rest.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(),
        ["b"]
    );
    assert!(
        store
            .claim_due_help_desk_calls(now, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let (a, b) = (claimed[0].id, rest[0].id);

    // "a": the note is posted, then the tags fail for a while; a retry sees the note posted.
    store.mark_help_desk_note_posted(a, now).await.unwrap();
    let retry_at = now + Duration::seconds(30);
    store
        .mark_help_desk_call_failed(a, "503 from the help desk".to_owned(), Some(retry_at))
        .await
        .unwrap();
    assert!(
        store
            .claim_due_help_desk_calls(retry_at - Duration::seconds(1), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let retried = store
        .claim_due_help_desk_calls(retry_at, retry_at + Duration::minutes(2), 10)
        .await
        .unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].attempts, 1);
    assert_eq!(retried[0].note_posted_at, Some(now));
    assert_eq!(
        retried[0].last_error.as_deref(),
        Some("503 from the help desk")
    );
    store.mark_help_desk_call_done(a, retry_at).await.unwrap();
    assert!(matches!(
        store.mark_help_desk_call_done(a, retry_at).await,
        Err(StoreError::NotFound { .. })
    ));

    // "b": refused for good, abandoned, never claimed again until retried by hand.
    store
        .mark_help_desk_call_failed(b, "401: credentials refused".to_owned(), None)
        .await
        .unwrap();
    let later = now + Duration::days(1);
    assert!(
        store
            .claim_due_help_desk_calls(later, later, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let undone = store
        .help_desk_calls(HelpDeskCallQuery {
            undone_only: true,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(undone.len(), 1);
    assert!(undone[0].abandoned);
    let made_due = store
        .retry_help_desk_call_now(b, agent_context("credentials fixed"), later)
        .await
        .unwrap();
    assert!(!made_due.abandoned);
    assert_eq!(made_due.next_attempt_at, Some(later));
    assert!(matches!(
        store
            .retry_help_desk_call_now(a, agent_context("done already"), later)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let claimed = store
        .claim_due_help_desk_calls(later, later + Duration::minutes(2), 10)
        .await
        .unwrap();
    assert_eq!(claimed.iter().map(|c| c.id).collect::<Vec<_>>(), [b]);
    store.mark_help_desk_call_done(b, later).await.unwrap();
    let all = store
        .help_desk_calls(HelpDeskCallQuery {
            undone_only: false,
            limit: 10,
        })
        .await
        .unwrap();
    assert!(all.iter().all(|call| call.done_at.is_some()));
    assert_eq!(all[0].attempts, 2);
    assert_eq!(all[0].last_error, None);

    let audit = store
        .audit_entries(AuditQuery {
            subject: Some(format!("help_desk_call:{b}")),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].record.action, "help_desk_call.retried");
    assert_eq!(audit[0].context.reason.as_str(), "credentials fixed");
}

/// Sixteen tasks queue the same keys at once: each key is queued exactly once.
///
/// # Panics
/// When the store breaks the contract.
pub async fn concurrent_queueing_of_one_key_queues_it_once<S>(store: Arc<S>)
where
    S: HelpDeskCallStore + IntegrationStore + 'static,
{
    let desk = an_integration(&*store).await;
    let mut tasks = Vec::new();
    for task in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut queued = 0;
            for key in 0..4 {
                let ticket = format!("{task}");
                if store
                    .queue_help_desk_call(call(desk, &ticket, &format!("k{key}")))
                    .await
                    .unwrap()
                {
                    queued += 1;
                }
            }
            queued
        }));
    }
    let mut queued = 0;
    for task in tasks {
        queued += task.await.unwrap();
    }
    assert_eq!(queued, 4);
    let all = store
        .help_desk_calls(HelpDeskCallQuery {
            undone_only: false,
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
}

/// Saves, reads, replaces and audits a connection, never with its secret in the audit log.
///
/// # Panics
/// When the store breaks the contract.
pub async fn a_connection_keeps_its_secret_out_of_the_audit_log<S>(store: Arc<S>)
where
    S: kasa_ports::HelpDeskConnectionStore + IntegrationStore + HistoryStore + 'static,
{
    use kasa_ports::HelpDeskConnection;
    let desk = an_integration(&*store).await;
    assert_eq!(store.help_desk_connection(desk).await.unwrap(), None);
    assert!(matches!(
        store.help_desk_connection_with_secret(desk).await,
        Err(StoreError::NotFound { .. })
    ));
    let first = HelpDeskConnection {
        base_url: "https://acme.zendesk.com".to_owned(),
        login: Some("agent@acme.example".to_owned()),
        mailbox: None,
        updated_at: TestBilling::START,
    };
    store
        .save_help_desk_connection(
            desk,
            first.clone(),
            Secret::new("zendesk-token-first"),
            agent_context("connect"),
        )
        .await
        .unwrap();
    let second = HelpDeskConnection {
        updated_at: TestBilling::START + Duration::hours(1),
        ..first.clone()
    };
    store
        .save_help_desk_connection(
            desk,
            second.clone(),
            Secret::new("zendesk-token-second"),
            agent_context("new token"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.help_desk_connection(desk).await.unwrap(),
        Some(second.clone())
    );
    let (found, secret) = store.help_desk_connection_with_secret(desk).await.unwrap();
    assert_eq!((found, secret.expose()), (second, "zendesk-token-second"));
    assert!(matches!(
        store
            .save_help_desk_connection(
                IntegrationId::from(uuid::Uuid::now_v7()),
                first,
                Secret::new("x"),
                agent_context("nobody"),
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let audit = store
        .audit_entries(AuditQuery {
            subject: Some(format!("integration:{desk}")),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.record.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "integration.connection_saved",
            "integration.connection_saved",
            "integration.created"
        ]
    );
    let written =
        serde_json::to_string(&audit.iter().map(|e| &e.record).collect::<Vec<_>>()).unwrap();
    assert!(
        !written.contains("zendesk-token"),
        "the audit log holds a secret"
    );
}
