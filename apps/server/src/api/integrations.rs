//! Help-desk integrations: which help desk may embed the panel beside its tickets, from which
//! origins, and the secret it signs panel URLs with (docs/panel.md). Managing them needs
//! `manage_access`, like API keys: an integration's secret opens customers' billing pictures.

use kasa_domain::{FrameOrigin, IntegrationId, IntegrationKind, Permission};
use kasa_ports::{Integration, Secret, new_id};
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::access::ReasonBody;
use super::{Tag, parse_id};
use crate::app::App;
use crate::auth::{Bearer, Caller, new_token};
use crate::problem::{ApiError, store_error};

/// What an integration's secret starts with (to tell it apart from API keys in a vault).
pub const SECRET_PREFIX: &str = "kasa_panel_";
/// The most origins one integration may name.
pub const MAX_ORIGINS: usize = 20;

/// A new integration.
#[derive(Debug, Object)]
pub struct NewIntegrationBody {
    /// What it is for, e.g. "Zendesk production".
    pub name: String,
    /// `zendesk`, `freshdesk`, `helpscout` or `custom`.
    pub kind: String,
    /// The origins allowed to frame the panel, e.g. `https://acme.zendesk.com` (https; http
    /// only for localhost or 127.0.0.1; 1-20 of them).
    pub allowed_origins: Vec<String>,
    /// Why (audit log).
    pub reason: String,
}

/// An integration (its secret only in [`CreatedIntegration`]).
#[derive(Debug, Object)]
pub struct IntegrationBody {
    /// Its id: the `integration` parameter of a signed panel URL.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// Which help desk.
    pub kind: String,
    /// The origins allowed to frame the panel.
    pub allowed_origins: Vec<String>,
    /// When created (RFC 3339).
    pub created_at: String,
    /// When revoked, if it was.
    pub revoked_at: Option<String>,
}

impl From<Integration> for IntegrationBody {
    fn from(integration: Integration) -> Self {
        Self {
            id: integration.id.to_string(),
            name: integration.name,
            kind: integration.kind.name().to_owned(),
            allowed_origins: integration
                .allowed_origins
                .into_iter()
                .map(String::from)
                .collect(),
            created_at: crate::dates::rfc3339(integration.created_at),
            revoked_at: integration.revoked_at.map(crate::dates::rfc3339),
        }
    }
}

/// An integration just created: the only time its secret is shown.
#[derive(Debug, Object)]
pub struct CreatedIntegration {
    /// The secret the help desk signs panel URLs with (HMAC-SHA256, docs/panel.md); store it
    /// now: Kasa shows it only this once.
    pub secret: String,
    /// Its record.
    pub integration: IntegrationBody,
}

/// 409 `secrets-key-missing`: integration secrets and help-desk credentials are stored only
/// encrypted, and the server has no key.
pub(crate) fn secrets_key_missing() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "secrets-key-missing",
        "No secrets key is configured",
        "Kasa stores integration secrets only encrypted, and the server has no secrets \
         key: the operator sets KASA_SECRETS_KEY (32 random bytes in base64, e.g. from \
         `openssl rand -base64 32`) and restarts it; nothing changed",
    )
}

/// Checks and creates an integration with a new secret (the API and the console both call
/// this); returns it with the secret, to show once.
///
/// # Errors
/// 400 `invalid` for a bad name, kind or origin; 409 `secrets-key-missing` when the server
/// cannot encrypt the secret; store errors.
pub(crate) async fn create(
    app: &App,
    caller: &Caller,
    name: &str,
    kind: &str,
    origins: &[String],
    reason: &str,
) -> Result<(Integration, String), ApiError> {
    caller.require(Permission::ManageAccess)?;
    let context = caller.context(reason)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid(
            "an integration's name is 1-200 characters",
        ));
    }
    let kind: IntegrationKind =
        kind.trim()
            .parse()
            .map_err(|error: kasa_domain::UnknownIntegrationKind| {
                ApiError::invalid(error.to_string())
            })?;
    let mut allowed_origins = origins
        .iter()
        .map(|origin| FrameOrigin::parse(origin))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| ApiError::invalid(error.to_string()))?;
    allowed_origins.sort();
    allowed_origins.dedup();
    if allowed_origins.is_empty() || allowed_origins.len() > MAX_ORIGINS {
        return Err(ApiError::invalid(format!(
            "name 1-{MAX_ORIGINS} origins allowed to frame the panel"
        )));
    }
    if !app.database.seals_credentials() {
        return Err(secrets_key_missing());
    }
    let secret = new_token(SECRET_PREFIX)?;
    let integration = Integration {
        id: new_id(),
        name: name.to_owned(),
        kind,
        allowed_origins,
        created_at: app.clock.now(),
        revoked_at: None,
    };
    app.integrations
        .create_integration(integration.clone(), Secret::new(secret.clone()), context)
        .await
        .map_err(store_error)?;
    Ok((integration, secret))
}

/// Revokes an integration at once: its signed URLs and panel sessions open nothing more.
///
/// # Errors
/// 403, 404 `not-found`, store errors.
pub(crate) async fn revoke(
    app: &App,
    caller: &Caller,
    id: &str,
    reason: &str,
) -> Result<Integration, ApiError> {
    caller.require(Permission::ManageAccess)?;
    let context = caller.context(reason)?;
    let id: IntegrationId = parse_id(id, "integration")?;
    app.integrations
        .revoke_integration(id, context, app.clock.now())
        .await
        .map_err(store_error)
}

/// Help-desk integrations.
#[derive(Debug)]
pub struct IntegrationsApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Access")]
impl IntegrationsApi {
    /// Every help-desk integration, newest first (never their secrets).
    #[oai(
        path = "/integrations",
        method = "get",
        operation_id = "list_integrations"
    )]
    async fn integrations(
        &self,
        app: Data<&App>,
        auth: Bearer,
    ) -> Result<Json<Vec<IntegrationBody>>, ApiError> {
        auth.0.require(Permission::ManageAccess)?;
        let all = app.integrations.integrations().await.map_err(store_error)?;
        Ok(Json(all.into_iter().map(IntegrationBody::from).collect()))
    }

    /// Creates a help-desk integration for the panel; the answer is the only time its secret
    /// is shown.
    #[oai(
        path = "/integrations",
        method = "post",
        operation_id = "create_integration"
    )]
    async fn create_integration(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<NewIntegrationBody>,
    ) -> Result<Json<CreatedIntegration>, ApiError> {
        let (integration, secret) = create(
            &app,
            &auth.0,
            &body.name,
            &body.kind,
            &body.allowed_origins,
            &body.reason,
        )
        .await?;
        Ok(Json(CreatedIntegration {
            secret,
            integration: integration.into(),
        }))
    }

    /// Revokes a help-desk integration at once.
    #[oai(
        path = "/integrations/:id/revoke",
        method = "post",
        operation_id = "revoke_integration"
    )]
    async fn revoke_integration(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<ReasonBody>,
    ) -> Result<Json<IntegrationBody>, ApiError> {
        Ok(Json(revoke(&app, &auth.0, &id, &body.reason).await?.into()))
    }
}
