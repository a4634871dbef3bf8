//! Help-desk event settings and deliveries as the in-memory store holds them.

use async_trait::async_trait;
use kasa_domain::IntegrationId;
use kasa_ports::{
    ActionContext, DepartmentMapping, HelpDeskEventSettings, HelpDeskEventStore, Secret, StoreError,
};
use time::OffsetDateTime;

use super::{MemoryStore, State};

const NOT_FOUND: StoreError = StoreError::NotFound {
    entity: kasa_ports::Entity::Integration,
};

/// Changes an integration's settings (made empty first when there were none), with an audit
/// entry `action`.
fn change(
    state: &mut State,
    integration_id: IntegrationId,
    action: &str,
    context: &ActionContext,
    at: OffsetDateTime,
    edit: impl FnOnce(&mut HelpDeskEventSettings, &mut Option<Secret>),
) -> Result<HelpDeskEventSettings, StoreError> {
    if !state.integrations.contains_key(&integration_id) {
        return Err(NOT_FOUND);
    }
    let before = state
        .help_desk_events
        .get(&integration_id)
        .map(|(settings, _)| settings.clone());
    let (settings, secret) = state
        .help_desk_events
        .entry(integration_id)
        .or_insert_with(|| (HelpDeskEventSettings::empty(integration_id), None));
    edit(settings, secret);
    let after = settings.clone();
    state.audit(after.audit_record(action, before.as_ref()), context, at);
    Ok(after)
}

#[async_trait]
impl HelpDeskEventStore for MemoryStore {
    async fn set_webhook_secret(
        &self,
        integration_id: IntegrationId,
        secret: Secret,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<HelpDeskEventSettings, StoreError> {
        self.transaction(|state| {
            change(
                state,
                integration_id,
                "integration.webhook_secret_set",
                &context,
                at,
                |settings, stored| {
                    settings.secret_set_at = Some(at);
                    *stored = Some(secret);
                },
            )
        })
    }

    async fn set_department_mappings(
        &self,
        integration_id: IntegrationId,
        mappings: Vec<DepartmentMapping>,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<HelpDeskEventSettings, StoreError> {
        self.transaction(|state| {
            change(
                state,
                integration_id,
                "integration.department_mapping_set",
                &context,
                at,
                |settings, _| settings.mappings = mappings,
            )
        })
    }

    async fn help_desk_event_settings(
        &self,
        integration_id: IntegrationId,
    ) -> Result<(HelpDeskEventSettings, Option<Secret>), StoreError> {
        self.read(|state| {
            Ok(state
                .help_desk_events
                .get(&integration_id)
                .cloned()
                .unwrap_or_else(|| (HelpDeskEventSettings::empty(integration_id), None)))
        })
    }

    async fn record_help_desk_delivery(
        &self,
        integration_id: IntegrationId,
        fingerprint: String,
        _at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.transaction(|state| {
            if !state.integrations.contains_key(&integration_id) {
                return Err(NOT_FOUND);
            }
            Ok(state
                .help_desk_deliveries
                .insert((integration_id, fingerprint)))
        })
    }

    async fn help_desk_delivery_seen(
        &self,
        integration_id: IntegrationId,
        fingerprint: String,
    ) -> Result<bool, StoreError> {
        self.read(|state| {
            Ok(state
                .help_desk_deliveries
                .contains(&(integration_id, fingerprint)))
        })
    }
}
