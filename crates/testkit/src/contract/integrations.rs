//! The integration store's contract (help-desk integrations that embed the panel): every store
//! keeps an integration with its secret, lists it without, revokes it once, and audits both
//! without the secret. Not in [`crate::store_contract_tests!`]: a SQL store seals secrets only
//! under a secrets key, so its factory differs (`crates/adapters/postgres/tests/integrations.rs`).

use std::sync::Arc;

use kasa_domain::{FrameOrigin, IntegrationId, IntegrationKind};
use kasa_ports::{AuditQuery, HistoryStore, Integration, IntegrationStore, Secret, StoreError};
use time::Duration;

use crate::{TestBilling, agent_context};

/// Creates, lists, opens, revokes (twice) and audits an integration.
///
/// # Panics
/// When the store breaks the contract.
pub async fn an_integration_keeps_its_secret_and_is_revoked_once<S>(store: Arc<S>)
where
    S: IntegrationStore + HistoryStore + 'static,
{
    let secret = "kasa_panel_contract-secret-never-shown-again";
    let integration = Integration {
        id: IntegrationId::from(uuid::Uuid::now_v7()),
        name: "Zendesk production".to_owned(),
        kind: IntegrationKind::Zendesk,
        allowed_origins: vec![
            FrameOrigin::parse("https://acme.zendesk.com").unwrap(),
            FrameOrigin::parse("http://127.0.0.1:5173").unwrap(),
        ],
        created_at: TestBilling::START,
        revoked_at: None,
    };
    store
        .create_integration(
            integration.clone(),
            Secret::new(secret),
            agent_context("panel in tickets"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.integrations().await.unwrap(),
        std::slice::from_ref(&integration)
    );
    let (found, opened) = store.integration_with_secret(integration.id).await.unwrap();
    assert_eq!((found, opened.expose()), (integration.clone(), secret));
    assert!(matches!(
        store
            .integration_with_secret(IntegrationId::from(uuid::Uuid::now_v7()))
            .await,
        Err(StoreError::NotFound { .. })
    ));

    let at = TestBilling::START + Duration::hours(1);
    let revoked = store
        .revoke_integration(integration.id, agent_context("desk retired"), at)
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(at));
    let again = store
        .revoke_integration(
            integration.id,
            agent_context("again"),
            at + Duration::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(again.revoked_at, Some(at), "revoking twice changes nothing");
    let (still, _) = store.integration_with_secret(integration.id).await.unwrap();
    assert_eq!(still.revoked_at, Some(at));

    let audit = store
        .audit_entries(AuditQuery {
            subject: Some(format!("integration:{}", integration.id)),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .map(|entry| entry.record.action.as_str())
        .collect();
    assert_eq!(actions, ["integration.revoked", "integration.created"]);
    assert_eq!(audit[0].context.reason.as_str(), "desk retired");
    let written =
        serde_json::to_string(&audit.iter().map(|e| &e.record).collect::<Vec<_>>()).unwrap();
    assert!(!written.contains(secret), "the audit log holds the secret");
}
