//! The apps Kasa ships for help desks (integrations/): what the store keeps to check them. A
//! Zendesk app with signed URLs posts a JWT signed with the app's RSA key; Kasa checks it with
//! the app's public key (not a secret: Zendesk shows it to any admin of the account) against
//! the installation it was made for.

use async_trait::async_trait;
use kasa_domain::IntegrationId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{ActionContext, AuditRecord, StoreError};

/// How an integration's Zendesk app is checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZendeskApp {
    /// The app's RSA public key as Zendesk gives it (PEM `PUBLIC KEY`).
    pub public_key_pem: String,
    /// The installation the tokens are for:
    /// `https://{subdomain}.zendesk.com/api/v2/apps/installations/{installation_id}.json`.
    pub audience: String,
}

impl ZendeskApp {
    /// The audit record of setting it on an integration.
    #[must_use]
    pub fn audit_record(&self, integration: IntegrationId, before: Option<&Self>) -> AuditRecord {
        AuditRecord {
            action: "integration.zendesk-app-set".to_owned(),
            subject: format!("integration:{integration}"),
            before: before.map(|before| serde_json::json!(before)),
            after: Some(serde_json::json!(self)),
        }
    }
}

/// What the help-desk apps need from the store.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HelpDeskAppStore: Send + Sync {
    /// Sets (or replaces) how an integration's Zendesk app is checked, with an audit entry
    /// holding what it was before and after.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown integration, [`StoreError::Unavailable`].
    async fn set_zendesk_app(
        &self,
        integration: IntegrationId,
        app: ZendeskApp,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// How an integration's Zendesk app is checked, if it was set.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn zendesk_app(
        &self,
        integration: IntegrationId,
    ) -> Result<Option<ZendeskApp>, StoreError>;
}
