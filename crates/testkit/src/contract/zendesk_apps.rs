//! The help-desk app store's contract: an integration's Zendesk app is set, read back, replaced
//! and audited with before and after; an unknown integration has none and cannot get one.

use std::sync::Arc;

use kasa_domain::{FrameOrigin, IntegrationId, IntegrationKind};
use kasa_ports::{
    AuditQuery, HelpDeskAppStore, HistoryStore, Integration, IntegrationStore, Secret, StoreError,
    ZendeskApp,
};
use time::Duration;

use crate::{TestBilling, agent_context};

/// Sets, reads, replaces and audits a Zendesk app.
///
/// # Panics
/// When the store breaks the contract.
pub async fn a_zendesk_app_is_set_replaced_and_audited<S>(store: Arc<S>)
where
    S: IntegrationStore + HelpDeskAppStore + HistoryStore + 'static,
{
    let integration = Integration {
        id: IntegrationId::from(uuid::Uuid::now_v7()),
        name: "Zendesk".to_owned(),
        kind: IntegrationKind::Zendesk,
        allowed_origins: vec![FrameOrigin::parse("https://acme.zendesk.com").unwrap()],
        created_at: TestBilling::START,
        revoked_at: None,
    };
    store
        .create_integration(
            integration.clone(),
            Secret::new("kasa_panel_zendesk-app-contract"),
            agent_context("panel"),
        )
        .await
        .unwrap();
    assert_eq!(store.zendesk_app(integration.id).await.unwrap(), None);
    let first = ZendeskApp {
        public_key_pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----".to_owned(),
        audience: "https://acme.zendesk.com/api/v2/apps/installations/1.json".to_owned(),
    };
    let second = ZendeskApp {
        audience: "https://acme.zendesk.com/api/v2/apps/installations/2.json".to_owned(),
        ..first.clone()
    };
    let at = TestBilling::START + Duration::hours(1);
    store
        .set_zendesk_app(
            integration.id,
            first.clone(),
            agent_context("installed"),
            at,
        )
        .await
        .unwrap();
    assert_eq!(
        store.zendesk_app(integration.id).await.unwrap(),
        Some(first.clone())
    );
    store
        .set_zendesk_app(
            integration.id,
            second.clone(),
            agent_context("reinstalled"),
            at + Duration::minutes(1),
        )
        .await
        .unwrap();
    assert_eq!(
        store.zendesk_app(integration.id).await.unwrap(),
        Some(second.clone())
    );

    let unknown = IntegrationId::from(uuid::Uuid::now_v7());
    assert!(matches!(
        store
            .set_zendesk_app(unknown, first.clone(), agent_context("x"), at)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.zendesk_app(unknown).await.unwrap(), None);

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
    assert_eq!(
        actions,
        [
            "integration.zendesk-app-set",
            "integration.zendesk-app-set",
            "integration.created"
        ]
    );
    assert_eq!(audit[0].record.before, Some(serde_json::json!(first)));
    assert_eq!(audit[0].record.after, Some(serde_json::json!(second)));
    assert_eq!(audit[1].record.before, None);
}
