//! The help-desk event store's contract: a webhook secret is kept (rotated, never audited), the
//! department mapping replaced with before and after in the audit log, a delivery recorded
//! once. Not in [`crate::store_contract_tests!`]: a SQL store seals secrets only under a
//! secrets key, so its factory differs (`crates/adapters/postgres/tests/help_desk_events.rs`).

use std::sync::Arc;

use kasa_domain::{DepartmentId, FrameOrigin, IntegrationId, IntegrationKind};
use kasa_ports::{
    AuditQuery, DepartmentMapping, HelpDeskEventSettings, HelpDeskEventStore, HistoryStore,
    Integration, IntegrationStore, Secret, StoreError,
};
use time::Duration;

use crate::{TestBilling, agent_context};

/// Sets and rotates a secret, replaces the mapping, records deliveries once.
///
/// # Panics
/// When the store breaks the contract.
pub async fn webhook_secrets_mappings_and_deliveries<S>(store: Arc<S>)
where
    S: HelpDeskEventStore + IntegrationStore + HistoryStore + 'static,
{
    let integration = Integration {
        id: IntegrationId::from(uuid::Uuid::now_v7()),
        name: "Zendesk production".to_owned(),
        kind: IntegrationKind::Zendesk,
        allowed_origins: vec![FrameOrigin::parse("https://acme.zendesk.com").unwrap()],
        created_at: TestBilling::START,
        revoked_at: None,
    };
    let id = integration.id;
    let unknown = IntegrationId::from(uuid::Uuid::now_v7());
    store
        .create_integration(integration, Secret::new("kasa_panel_x"), agent_context("t"))
        .await
        .unwrap();
    let (empty, none) = store.help_desk_event_settings(id).await.unwrap();
    assert_eq!((empty, none), (HelpDeskEventSettings::empty(id), None));

    let department = DepartmentId::from(uuid::Uuid::now_v7());
    let mappings = vec![
        DepartmentMapping {
            route: "group:98738".to_owned(),
            department_id: department,
        },
        DepartmentMapping {
            route: "*".to_owned(),
            department_id: department,
        },
    ];
    let at = TestBilling::START + Duration::minutes(1);
    let mapped = store
        .set_department_mappings(id, mappings.clone(), agent_context("route billing"), at)
        .await
        .unwrap();
    assert_eq!(mapped.mappings, mappings);
    assert_eq!(mapped.secret_set_at, None);
    assert_eq!(store.help_desk_event_settings(id).await.unwrap().1, None);

    let first = "kasa_whsec_first-secret-never-audited";
    let second = "kasa_whsec_second-secret-never-audited";
    let set = store
        .set_webhook_secret(id, Secret::new(first), agent_context("connect"), at)
        .await
        .unwrap();
    assert_eq!(set.secret_set_at, Some(at));
    assert_eq!(set.mappings, mappings, "setting a secret keeps the mapping");
    let later = at + Duration::hours(1);
    store
        .set_webhook_secret(id, Secret::new(second), agent_context("rotate"), later)
        .await
        .unwrap();
    let (settings, secret) = store.help_desk_event_settings(id).await.unwrap();
    assert_eq!(secret.as_ref().map(Secret::expose), Some(second));
    assert_eq!(settings.secret_set_at, Some(later));
    let remapped = store
        .set_department_mappings(id, Vec::new(), agent_context("unmap"), later)
        .await
        .unwrap();
    assert!(remapped.mappings.is_empty());
    assert_eq!(
        store
            .help_desk_event_settings(id)
            .await
            .unwrap()
            .1
            .map(|secret| secret.expose().to_owned()),
        Some(second.to_owned()),
        "changing the mapping keeps the secret"
    );
    assert!(matches!(
        store
            .set_webhook_secret(unknown, Secret::new(first), agent_context("t"), at)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store
            .set_department_mappings(unknown, Vec::new(), agent_context("t"), at)
            .await,
        Err(StoreError::NotFound { .. })
    ));

    assert!(
        !store
            .help_desk_delivery_seen(id, "sig-1".to_owned())
            .await
            .unwrap()
    );
    assert!(
        store
            .record_help_desk_delivery(id, "sig-1".to_owned(), at)
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_help_desk_delivery(id, "sig-1".to_owned(), later)
            .await
            .unwrap(),
        "a replay is recorded once"
    );
    assert!(
        store
            .help_desk_delivery_seen(id, "sig-1".to_owned())
            .await
            .unwrap()
    );
    assert!(
        store
            .record_help_desk_delivery(id, "sig-2".to_owned(), at)
            .await
            .unwrap()
    );

    let audit = store
        .audit_entries(AuditQuery {
            subject: Some(format!("integration:{id}")),
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
            "integration.department_mapping_set",
            "integration.webhook_secret_set",
            "integration.webhook_secret_set",
            "integration.department_mapping_set",
            "integration.created",
        ]
    );
    let written =
        serde_json::to_string(&audit.iter().map(|e| &e.record).collect::<Vec<_>>()).unwrap();
    assert!(
        !written.contains("never-audited"),
        "the audit log holds a secret"
    );
}
