//! Help-desk integrations as the in-memory store holds them.

use async_trait::async_trait;
use kasa_domain::IntegrationId;
use kasa_ports::{ActionContext, Integration, IntegrationStore, Secret, StoreError};
use time::OffsetDateTime;

use super::MemoryStore;

const NOT_FOUND: StoreError = StoreError::NotFound {
    entity: kasa_ports::Entity::Integration,
};

#[async_trait]
impl IntegrationStore for MemoryStore {
    async fn create_integration(
        &self,
        integration: Integration,
        secret: Secret,
        context: ActionContext,
    ) -> Result<(), StoreError> {
        self.transaction(|state| {
            if state.integrations.contains_key(&integration.id) {
                return Err(StoreError::AlreadyExists {
                    what: "integration".to_owned(),
                });
            }
            state.audit(
                integration.audit_record("integration.created"),
                &context,
                integration.created_at,
            );
            state
                .integrations
                .insert(integration.id, (integration, secret));
            Ok(())
        })
    }

    async fn integrations(&self) -> Result<Vec<Integration>, StoreError> {
        self.read(|state| {
            let mut all: Vec<Integration> = state
                .integrations
                .values()
                .map(|(integration, _)| integration.clone())
                .collect();
            all.sort_by_key(|integration| {
                std::cmp::Reverse((integration.created_at, integration.id))
            });
            Ok(all)
        })
    }

    async fn integration_with_secret(
        &self,
        id: IntegrationId,
    ) -> Result<(Integration, Secret), StoreError> {
        self.read(|state| state.integrations.get(&id).cloned().ok_or(NOT_FOUND))
    }

    async fn revoke_integration(
        &self,
        id: IntegrationId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<Integration, StoreError> {
        self.transaction(|state| {
            let (integration, _) = state.integrations.get_mut(&id).ok_or(NOT_FOUND)?;
            if integration.revoked_at.is_some() {
                return Ok(integration.clone());
            }
            integration.revoked_at = Some(at);
            let revoked = integration.clone();
            state.audit(revoked.audit_record("integration.revoked"), &context, at);
            Ok(revoked)
        })
    }
}
