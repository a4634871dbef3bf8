//! Help-desk integrations: the panel beside a ticket is opened by a URL the help desk signs with
//! the integration's secret (docs/panel.md). Unlike tokens, that secret must be read back to
//! check a signature, so the store keeps it encrypted at rest (ADR 0008), never hashed.

use async_trait::async_trait;
use kasa_domain::{FrameOrigin, IntegrationId, IntegrationKind};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{ActionContext, AuditRecord, Secret, StoreError};

/// A help desk allowed to embed the panel (never with its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    /// Its id (the `integration` parameter of a signed panel URL).
    pub id: IntegrationId,
    /// What it is for ("Zendesk production").
    pub name: String,
    /// Which help desk.
    pub kind: IntegrationKind,
    /// The origins allowed to frame the panel; at least one.
    pub allowed_origins: Vec<FrameOrigin>,
    /// When created.
    #[serde(with = "kasa_domain::instant")]
    pub created_at: OffsetDateTime,
    /// When revoked; a revoked integration's URLs and panel sessions open nothing.
    pub revoked_at: Option<OffsetDateTime>,
}

impl Integration {
    /// The audit record of `action` (`integration.created`, `integration.revoked`) on this
    /// integration: what it is after, never its secret.
    #[must_use]
    pub fn audit_record(&self, action: &str) -> AuditRecord {
        AuditRecord {
            action: action.to_owned(),
            subject: format!("integration:{}", self.id),
            before: None,
            after: Some(serde_json::json!(self)),
        }
    }
}

/// Help-desk integrations and their secrets.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IntegrationStore: Send + Sync {
    /// Creates an integration with its secret (sealed at rest), with an audit entry that never
    /// holds the secret.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] (also when the store cannot seal: no secrets key).
    async fn create_integration(
        &self,
        integration: Integration,
        secret: Secret,
        context: ActionContext,
    ) -> Result<(), StoreError>;

    /// Every integration, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn integrations(&self) -> Result<Vec<Integration>, StoreError>;

    /// One integration with its secret opened, to check a signature (revoked ones too: the
    /// caller tells "revoked" apart from "unknown").
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`] (no key, or another key, to open
    /// it), [`StoreError::Corrupt`] (a secret that does not authenticate).
    async fn integration_with_secret(
        &self,
        id: IntegrationId,
    ) -> Result<(Integration, Secret), StoreError>;

    /// Revokes an integration at once, with an audit entry; revoking twice changes nothing.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn revoke_integration(
        &self,
        id: IntegrationId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<Integration, StoreError>;
}
