//! Per-ticket charging from help-desk events (docs/help-desk-events.md): each integration's
//! webhook signing secret and department mapping (this module, `manage_access` like the
//! integration itself), and the inbound webhook endpoints, one per help desk
//! ([`inbound`]), which charge a ticket once when it opens and write a refusal back to the
//! ticket as an internal note with a tag ([`note`]).

pub mod inbound;
pub mod note;

use kasa_domain::{DepartmentId, IntegrationId, IntegrationKind, Permission};
use kasa_ports::{DepartmentMapping, HelpDeskEventSettings, Secret};
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::{Tag, parse_id};
use crate::app::App;
use crate::auth::{Bearer, Caller, new_token};
use crate::dates::rfc3339;
use crate::problem::{ApiError, store_error};

/// What a webhook secret Kasa makes starts with (to tell it apart in a vault).
pub const WEBHOOK_SECRET_PREFIX: &str = "kasa_whsec_";
/// The most lines a department mapping may have.
pub const MAX_MAPPINGS: usize = 200;
/// The kinds of routing a mapping line may name.
pub const ROUTE_KINDS: [&str; 4] = ["group", "brand", "mailbox", "queue"];

/// One line of the department mapping.
#[derive(Debug, Clone, Object)]
pub struct DepartmentMappingBody {
    /// The help desk's routing as `kind:value`: `group:<id>` or `brand:<id>` (Zendesk),
    /// `group:<name>` (Freshdesk), `mailbox:<id>` (Help Scout), `queue:<name>` (Kasa's own
    /// webhook); `*` for every ticket no other line matches.
    pub route: String,
    /// The Kasa department its tickets are charged in.
    pub department_id: String,
}

impl From<&DepartmentMapping> for DepartmentMappingBody {
    fn from(mapping: &DepartmentMapping) -> Self {
        Self {
            route: mapping.route.clone(),
            department_id: mapping.department_id.to_string(),
        }
    }
}

/// An integration's event settings (never the webhook secret).
#[derive(Debug, Object)]
pub struct EventSettingsBody {
    /// The integration.
    pub integration_id: String,
    /// Where the help desk posts its events (the vendor's endpoint for this integration).
    pub webhook_url: String,
    /// When the current webhook secret was set; none: deliveries are refused until one is.
    pub secret_set_at: Option<String>,
    /// The department mapping, first match wins.
    pub mappings: Vec<DepartmentMappingBody>,
}

impl EventSettingsBody {
    fn new(app: &App, kind: IntegrationKind, settings: &HelpDeskEventSettings) -> Self {
        Self {
            integration_id: settings.integration_id.to_string(),
            webhook_url: webhook_url(app, kind, settings.integration_id),
            secret_set_at: settings.secret_set_at.map(rfc3339),
            mappings: settings.mappings.iter().map(Into::into).collect(),
        }
    }
}

/// The endpoint a help desk of `kind` posts to for integration `id`.
pub fn webhook_url(app: &App, kind: IntegrationKind, id: IntegrationId) -> String {
    format!(
        "{}/v1/helpdesk/{id}/{}",
        app.public_url,
        inbound::Source::for_kind(kind).path()
    )
}

/// Set the webhook secret: Kasa makes one, or stores the one the help desk made.
#[derive(Debug, Object)]
pub struct WebhookSecretRequest {
    /// The help desk's own signing secret, for a help desk that makes it (Zendesk: the
    /// webhook's "Signing secret"); leave out to have Kasa make one (Help Scout, Freshdesk,
    /// Kasa's own webhook).
    pub secret: Option<String>,
    /// Why (audit log).
    pub reason: String,
}

/// A webhook secret just set: the only time a secret Kasa made is shown.
#[derive(Debug, Object)]
pub struct WebhookSecretSet {
    /// The secret Kasa made (none when the request gave one): paste it into the help desk now,
    /// Kasa shows it only this once.
    pub secret: Option<String>,
    /// The settings after.
    pub settings: EventSettingsBody,
}

/// Replace the department mapping.
#[derive(Debug, Object)]
pub struct DepartmentMappingRequest {
    /// The lines, first match wins (at most 200; each route once).
    pub mappings: Vec<DepartmentMappingBody>,
    /// Why (audit log).
    pub reason: String,
}

/// The integration, checked to exist (revoked ones too: their settings can still be read).
async fn integration(
    app: &App,
    caller: &Caller,
    id: &str,
) -> Result<kasa_ports::Integration, ApiError> {
    caller.require(Permission::ManageAccess)?;
    let id: IntegrationId = parse_id(id, "integration")?;
    let (integration, _) = app
        .integrations
        .integration_with_secret(id)
        .await
        .map_err(store_error)?;
    Ok(integration)
}

/// A new webhook secret for a help desk of `kind`: Help Scout accepts at most 40 characters,
/// so its secret is 40 hex digits (160 random bits); the others get Kasa's prefix and 256 bits.
fn new_webhook_secret(kind: IntegrationKind) -> Result<String, ApiError> {
    let token = new_token(WEBHOOK_SECRET_PREFIX)?;
    Ok(match kind {
        IntegrationKind::Helpscout => token[WEBHOOK_SECRET_PREFIX.len()..][..40].to_owned(),
        _ => token,
    })
}

/// Checks a secret the operator brings from the help desk.
fn given_secret(secret: &str) -> Result<String, ApiError> {
    let secret = secret.trim();
    if secret.len() < 16 || secret.len() > 200 || secret.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "a webhook secret is 16-200 characters without control characters",
        ));
    }
    Ok(secret.to_owned())
}

/// Sets (or rotates) an integration's webhook secret; returns the one Kasa made, if it made
/// one (the API and the console both call this).
///
/// # Errors
/// 403, 404, 400 `invalid` for a bad given secret, 409 `secrets-key-missing`, store errors.
pub(crate) async fn set_webhook_secret(
    app: &App,
    caller: &Caller,
    id: &str,
    given: Option<&str>,
    reason: &str,
) -> Result<(Option<String>, EventSettingsBody), ApiError> {
    let integration = integration(app, caller, id).await?;
    let context = caller.context(reason)?;
    if !app.database.seals_credentials() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "secrets-key-missing",
            "No secrets key is configured",
            "Kasa stores webhook secrets only encrypted, and the server has no secrets key: \
             the operator sets KASA_SECRETS_KEY (32 random bytes in base64, e.g. from \
             `openssl rand -base64 32`) and restarts it; nothing changed",
        ));
    }
    let (secret, made) = match given.map(str::trim).filter(|given| !given.is_empty()) {
        Some(given) => (given_secret(given)?, false),
        None => (new_webhook_secret(integration.kind)?, true),
    };
    let settings = app
        .help_desk_events
        .set_webhook_secret(
            integration.id,
            Secret::new(secret.clone()),
            context,
            app.clock.now(),
        )
        .await
        .map_err(store_error)?;
    Ok((
        made.then_some(secret),
        EventSettingsBody::new(app, integration.kind, &settings),
    ))
}

/// Checks the mapping lines: known routes, existing departments, each route once.
async fn checked_mappings(
    app: &App,
    lines: &[DepartmentMappingBody],
) -> Result<Vec<DepartmentMapping>, ApiError> {
    if lines.len() > MAX_MAPPINGS {
        return Err(ApiError::invalid(format!(
            "a department mapping has at most {MAX_MAPPINGS} lines"
        )));
    }
    let departments = app.store.departments().await.map_err(store_error)?;
    let mut mappings: Vec<DepartmentMapping> = Vec::with_capacity(lines.len());
    for line in lines {
        let route = line.route.trim();
        let well_formed = route == "*"
            || route.split_once(':').is_some_and(|(kind, value)| {
                ROUTE_KINDS.contains(&kind)
                    && !value.trim().is_empty()
                    && value.chars().count() <= 200
                    && value.trim() == value
            });
        if !well_formed {
            return Err(ApiError::invalid(format!(
                "route `{route}` is not `*` or `kind:value` with kind one of {}",
                ROUTE_KINDS.join(", ")
            )));
        }
        let department_id: DepartmentId = parse_id(&line.department_id, "department")?;
        if !departments
            .iter()
            .any(|department| department.id == department_id)
        {
            return Err(ApiError::not_found(kasa_ports::Entity::Department));
        }
        if mappings.iter().any(|mapping| mapping.route == route) {
            return Err(ApiError::invalid(format!(
                "route `{route}` is mapped twice"
            )));
        }
        mappings.push(DepartmentMapping {
            route: route.to_owned(),
            department_id,
        });
    }
    Ok(mappings)
}

/// Replaces an integration's department mapping (the API and the console both call this).
///
/// # Errors
/// 403, 404 (integration or department), 400 `invalid`, store errors.
pub(crate) async fn set_department_mappings(
    app: &App,
    caller: &Caller,
    id: &str,
    lines: &[DepartmentMappingBody],
    reason: &str,
) -> Result<EventSettingsBody, ApiError> {
    let integration = integration(app, caller, id).await?;
    let context = caller.context(reason)?;
    let mappings = checked_mappings(app, lines).await?;
    let settings = app
        .help_desk_events
        .set_department_mappings(integration.id, mappings, context, app.clock.now())
        .await
        .map_err(store_error)?;
    Ok(EventSettingsBody::new(app, integration.kind, &settings))
}

/// An integration's event settings (the API and the console both call this).
///
/// # Errors
/// 403, 404, store errors.
pub(crate) async fn event_settings(
    app: &App,
    caller: &Caller,
    id: &str,
) -> Result<EventSettingsBody, ApiError> {
    let integration = integration(app, caller, id).await?;
    let (settings, _) = app
        .help_desk_events
        .help_desk_event_settings(integration.id)
        .await
        .map_err(store_error)?;
    Ok(EventSettingsBody::new(app, integration.kind, &settings))
}

/// Help-desk event settings.
#[derive(Debug)]
pub struct HelpDeskEventsApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Access")]
impl HelpDeskEventsApi {
    /// An integration's event settings: its webhook URL, when its webhook secret was set
    /// (never the secret) and its department mapping.
    #[oai(
        path = "/integrations/:id/events",
        method = "get",
        operation_id = "get_integration_events"
    )]
    async fn events(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<EventSettingsBody>, ApiError> {
        Ok(Json(event_settings(&app, &auth.0, &id).await?))
    }

    /// Sets or rotates an integration's webhook signing secret: Kasa makes one (shown only in
    /// this answer), or stores the one the help desk made (Zendesk). The old secret stops
    /// verifying at once.
    #[oai(
        path = "/integrations/:id/webhook-secret",
        method = "post",
        operation_id = "set_integration_webhook_secret"
    )]
    async fn webhook_secret(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<WebhookSecretRequest>,
    ) -> Result<Json<WebhookSecretSet>, ApiError> {
        let (secret, settings) =
            set_webhook_secret(&app, &auth.0, &id, body.secret.as_deref(), &body.reason).await?;
        Ok(Json(WebhookSecretSet { secret, settings }))
    }

    /// Replaces an integration's department mapping: which Kasa department a ticket is
    /// charged in, by the help desk's group, brand, mailbox or queue.
    #[oai(
        path = "/integrations/:id/department-mappings",
        method = "put",
        operation_id = "set_integration_department_mappings"
    )]
    async fn department_mappings(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<DepartmentMappingRequest>,
    ) -> Result<Json<EventSettingsBody>, ApiError> {
        Ok(Json(
            set_department_mappings(&app, &auth.0, &id, &body.mappings, &body.reason).await?,
        ))
    }
}
