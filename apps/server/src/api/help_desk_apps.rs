//! The help desks' apps (integrations/): how an integration's Zendesk app is checked. An
//! administrator (`manage_access`, like the integration itself) stores the app's public key and
//! installation; the panel then accepts the JWT Zendesk posts on the app's first load
//! (web/panel/zendesk.rs, ADR 0014).

use kasa_domain::{IntegrationId, IntegrationKind, Permission};
use kasa_helpdesk::zendesk::jwt;
use kasa_ports::ZendeskApp;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::{Tag, parse_id};
use crate::app::App;
use crate::auth::{Bearer, Caller};
use crate::problem::{ApiError, store_error};

/// The most characters a public key PEM may have (an 8192-bit key is about 1.5 KB).
const MAX_KEY_CHARS: usize = 4_096;

/// How the integration's Zendesk app is checked.
#[derive(Debug, Object)]
pub struct ZendeskAppBody {
    /// The app's RSA public key, PEM (`-----BEGIN PUBLIC KEY-----`), as Zendesk shows it
    /// (`GET /api/v2/apps/{app_id}/public_key.pem`).
    pub public_key_pem: String,
    /// The installation the tokens are for:
    /// `https://{subdomain}.zendesk.com/api/v2/apps/installations/{installation_id}.json`.
    pub installation_url: String,
}

/// A new setting of the Zendesk app.
#[derive(Debug, Object)]
pub struct SetZendeskAppBody {
    /// The app's RSA public key, PEM.
    pub public_key_pem: String,
    /// The installation, `https://{subdomain}.zendesk.com/api/v2/apps/installations/{id}.json`.
    pub installation_url: String,
    /// Why (audit log).
    pub reason: String,
}

impl From<ZendeskApp> for ZendeskAppBody {
    fn from(app: ZendeskApp) -> Self {
        Self {
            public_key_pem: app.public_key_pem,
            installation_url: app.audience,
        }
    }
}

fn invalid_app(detail: impl Into<String>) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "zendesk-app-invalid",
        "The Zendesk app's key or installation is not valid",
        detail,
    )
}

/// Whether `url` is a Zendesk installation address:
/// `https://{subdomain}.zendesk.com/api/v2/apps/installations/{digits}.json`.
fn installation_url_ok(url: &str) -> bool {
    let Some(host) = jwt::issuer_of(url) else {
        return false;
    };
    let subdomain = host.strip_suffix(".zendesk.com").unwrap_or_default();
    let id = url
        .strip_prefix(&format!("https://{host}/api/v2/apps/installations/"))
        .and_then(|rest| rest.strip_suffix(".json"))
        .unwrap_or_default();
    !subdomain.is_empty()
        && subdomain
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
        && !id.is_empty()
        && id.bytes().all(|byte| byte.is_ascii_digit())
}

/// Checks and stores how an integration's Zendesk app is checked (the API and the console both
/// call this).
///
/// # Errors
/// 403; 400 `zendesk-app-invalid` for a key that is not an RSA public key of 2048-8192 bits,
/// an installation address not of Zendesk's form, or an integration that is not a Zendesk
/// one; 404 `not-found`; store errors.
pub(crate) async fn set_zendesk_app(
    app: &App,
    caller: &Caller,
    id: &str,
    public_key_pem: &str,
    installation_url: &str,
    reason: &str,
) -> Result<ZendeskApp, ApiError> {
    caller.require(Permission::ManageAccess)?;
    let context = caller.context(reason)?;
    let id: IntegrationId = parse_id(id, "integration")?;
    let public_key_pem = public_key_pem.trim().replace("\r\n", "\n");
    if public_key_pem.chars().count() > MAX_KEY_CHARS {
        return Err(invalid_app(
            "the public key is longer than any RSA key Zendesk gives",
        ));
    }
    jwt::check_public_key(&public_key_pem).map_err(|error| invalid_app(error.to_string()))?;
    let installation_url = installation_url.trim();
    if !installation_url_ok(installation_url) {
        return Err(invalid_app(
            "the installation is https://{subdomain}.zendesk.com/api/v2/apps/installations/{id}.json",
        ));
    }
    let (integration, _) = app
        .integrations
        .integration_with_secret(id)
        .await
        .map_err(store_error)?;
    if integration.kind != IntegrationKind::Zendesk {
        return Err(invalid_app(format!(
            "this integration is for {}, not Zendesk",
            integration.kind.name()
        )));
    }
    let zendesk = ZendeskApp {
        public_key_pem,
        audience: installation_url.to_owned(),
    };
    app.help_desk_apps
        .set_zendesk_app(id, zendesk.clone(), context, app.clock.now())
        .await
        .map_err(store_error)?;
    Ok(zendesk)
}

/// The help desks' apps.
#[derive(Debug)]
pub struct HelpDeskAppsApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Access")]
impl HelpDeskAppsApi {
    /// How the integration's Zendesk app is checked (404 until it is set).
    #[oai(
        path = "/integrations/:id/zendesk-app",
        method = "get",
        operation_id = "get_zendesk_app"
    )]
    async fn zendesk_app(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<ZendeskAppBody>, ApiError> {
        auth.0.require(Permission::ManageAccess)?;
        let id: IntegrationId = parse_id(&id, "integration")?;
        app.help_desk_apps
            .zendesk_app(id)
            .await
            .map_err(store_error)?
            .map(|found| Json(found.into()))
            .ok_or_else(|| ApiError::not_found(kasa_ports::Entity::ZendeskApp))
    }

    /// Sets (or replaces) the Zendesk app's public key and installation; audited.
    #[oai(
        path = "/integrations/:id/zendesk-app",
        method = "put",
        operation_id = "set_zendesk_app"
    )]
    async fn set_zendesk_app(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<SetZendeskAppBody>,
    ) -> Result<Json<ZendeskAppBody>, ApiError> {
        Ok(Json(
            set_zendesk_app(
                &app,
                &auth.0,
                &id,
                &body.public_key_pem,
                &body.installation_url,
                &body.reason,
            )
            .await?
            .into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_zendesk_installation_addresses_are_taken() {
        assert!(installation_url_ok(
            "https://acme.zendesk.com/api/v2/apps/installations/360001.json"
        ));
        for refused in [
            "http://acme.zendesk.com/api/v2/apps/installations/1.json",
            "https://acme.zendesk.com.evil/api/v2/apps/installations/1.json",
            "https://acme.zendesk.com/api/v2/apps/installations/x.json",
            "https://acme.zendesk.com/api/v2/apps/installations/1",
            "https://.zendesk.com/api/v2/apps/installations/1.json",
            "https://ACME.zendesk.com/api/v2/apps/installations/1.json",
        ] {
            assert!(!installation_url_ok(refused), "{refused}");
        }
    }
}
