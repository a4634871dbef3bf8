//! Each integration's Zendesk app as the in-memory store holds it.

use async_trait::async_trait;
use kasa_domain::IntegrationId;
use kasa_ports::{ActionContext, HelpDeskAppStore, StoreError, ZendeskApp};
use time::OffsetDateTime;

use super::MemoryStore;

#[async_trait]
impl HelpDeskAppStore for MemoryStore {
    async fn set_zendesk_app(
        &self,
        integration: IntegrationId,
        app: ZendeskApp,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            if !state.integrations.contains_key(&integration) {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Integration,
                });
            }
            let record = app.audit_record(integration, state.zendesk_apps.get(&integration));
            state.audit(record, &context, at);
            state.zendesk_apps.insert(integration, app);
            Ok(())
        })
    }

    async fn zendesk_app(
        &self,
        integration: IntegrationId,
    ) -> Result<Option<ZendeskApp>, StoreError> {
        self.read(|state| Ok(state.zendesk_apps.get(&integration).cloned()))
    }
}
