//! Per-ticket charging from help-desk events: each integration's webhook signing secret (read
//! back to check signatures, so kept sealed like the panel secret, ADR 0008), the operator's
//! mapping from the help desk's routing (group, brand, mailbox, queue) to Kasa departments, and
//! the deliveries already acted on (a replayed delivery is answered, never acted on twice).

use async_trait::async_trait;
use kasa_domain::{DepartmentId, IntegrationId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{ActionContext, AuditRecord, Secret, StoreError};

/// One line of the department mapping: tickets the help desk routes to `route` are charged in
/// `department_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentMapping {
    /// The help desk's routing as `kind:value` (`group:360001`, `brand:12`, `mailbox:85`,
    /// `queue:sales`), or `*` for every ticket no other line matches.
    pub route: String,
    /// The Kasa department.
    pub department_id: DepartmentId,
}

/// An integration's event settings (the secret only when asked for it, to check a delivery).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpDeskEventSettings {
    /// The integration.
    pub integration_id: IntegrationId,
    /// The department mapping, in the operator's order.
    pub mappings: Vec<DepartmentMapping>,
    /// When the current webhook secret was made (`None`: none yet, deliveries are refused).
    pub secret_set_at: Option<OffsetDateTime>,
}

impl HelpDeskEventSettings {
    /// Settings of an integration nothing was configured for.
    #[must_use]
    pub const fn empty(integration_id: IntegrationId) -> Self {
        Self {
            integration_id,
            mappings: Vec::new(),
            secret_set_at: None,
        }
    }

    /// The department for a ticket routed along `routes` (most specific first): the first
    /// route with a mapping line, else the `*` line, else none.
    #[must_use]
    pub fn department_for(&self, routes: &[String]) -> Option<DepartmentId> {
        routes
            .iter()
            .find_map(|route| self.mappings.iter().find(|mapping| mapping.route == *route))
            .or_else(|| self.mappings.iter().find(|mapping| mapping.route == "*"))
            .map(|mapping| mapping.department_id)
    }

    /// The audit record of `action` on these settings (never the secret).
    #[must_use]
    pub fn audit_record(&self, action: &str, before: Option<&Self>) -> AuditRecord {
        AuditRecord {
            action: action.to_owned(),
            subject: format!("integration:{}", self.integration_id),
            before: before.map(|before| serde_json::json!(before)),
            after: Some(serde_json::json!(self)),
        }
    }
}

/// Help-desk event settings and the deliveries acted on.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HelpDeskEventStore: Send + Sync {
    /// Sets (or replaces: rotation) the integration's webhook signing secret, sealed at rest,
    /// with an audit entry `integration.webhook_secret_set` that never holds it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown integration, [`StoreError::Unavailable`] (also
    /// when the store cannot seal: no secrets key).
    async fn set_webhook_secret(
        &self,
        integration_id: IntegrationId,
        secret: Secret,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<HelpDeskEventSettings, StoreError>;

    /// Replaces the department mapping, with an audit entry `integration.department_mapping_set`
    /// (before and after).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown integration, [`StoreError::Unavailable`].
    async fn set_department_mappings(
        &self,
        integration_id: IntegrationId,
        mappings: Vec<DepartmentMapping>,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<HelpDeskEventSettings, StoreError>;

    /// The integration's event settings and its webhook secret opened (empty settings and
    /// `None` when nothing was configured; the caller checks the integration exists).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] (no key, or another key, to open the secret),
    /// [`StoreError::Corrupt`].
    async fn help_desk_event_settings(
        &self,
        integration_id: IntegrationId,
    ) -> Result<(HelpDeskEventSettings, Option<Secret>), StoreError>;

    /// Records that a delivery (its `fingerprint`: the signature it carried) was acted on;
    /// `false` when it was recorded before (a replay).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown integration, [`StoreError::Unavailable`].
    async fn record_help_desk_delivery(
        &self,
        integration_id: IntegrationId,
        fingerprint: String,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Whether a delivery with this fingerprint was acted on.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn help_desk_delivery_seen(
        &self,
        integration_id: IntegrationId,
        fingerprint: String,
    ) -> Result<bool, StoreError>;
}
