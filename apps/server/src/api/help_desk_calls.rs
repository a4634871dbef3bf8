//! How Kasa reaches each integration's help desk through its API (`PUT/GET
//! /v1/integrations/{id}/connection`: base URL, login, a write-only secret stored only
//! encrypted), and the help-desk outbox (`GET /v1/help-desk-calls`, `POST
//! /v1/help-desk-calls/{id}/retry`): internal notes and tags queued for tickets, with the last
//! error of those that failed.

use kasa_domain::{HelpDeskCallId, IntegrationId, Permission};
use kasa_ports::{HelpDeskCall, HelpDeskCallQuery, HelpDeskConnection, Secret};
use poem::web::Data;
use poem_openapi::Object;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::access::ReasonBody;
use super::{Tag, parse_id};
use crate::app::App;
use crate::auth::{Bearer, Caller};
use crate::dates::rfc3339;
use crate::problem::{ApiError, store_error};

/// An integration's help-desk API connection to save.
#[derive(Debug, Object)]
pub struct HelpDeskConnectionInput {
    /// The API's base URL: `https://{subdomain}.zendesk.com`, `https://{domain}.freshdesk.com`
    /// or `https://api.helpscout.net`.
    pub base_url: String,
    /// Zendesk: the agent's e-mail address the API token belongs to; Help Scout: the OAuth2
    /// app's id; Freshdesk: none.
    pub login: Option<String>,
    /// Help Scout only: the mailbox id new conversations are opened in.
    pub mailbox: Option<String>,
    /// The Zendesk API token, Freshdesk API key or Help Scout app secret; stored only
    /// encrypted, never shown again.
    #[oai(write_only)]
    pub secret: String,
    /// Why (audit log; the secret is never recorded).
    pub reason: String,
}

/// An integration's help-desk API connection (never its secret).
#[derive(Debug, Object)]
pub struct HelpDeskConnectionBody {
    /// The API's base URL.
    pub base_url: String,
    /// Who Kasa signs in as.
    pub login: Option<String>,
    /// Help Scout's mailbox for new conversations.
    pub mailbox: Option<String>,
    /// When last saved (RFC 3339).
    pub updated_at: String,
}

impl From<HelpDeskConnection> for HelpDeskConnectionBody {
    fn from(connection: HelpDeskConnection) -> Self {
        Self {
            base_url: connection.base_url,
            login: connection.login,
            mailbox: connection.mailbox,
            updated_at: rfc3339(connection.updated_at),
        }
    }
}

/// A call queued for a help desk.
#[derive(Debug, Object)]
pub struct HelpDeskCallBody {
    /// Its id.
    pub id: String,
    /// The integration it goes through.
    pub integration: String,
    /// The help desk's ticket or conversation id.
    pub ticket: String,
    /// Its idempotency key.
    pub key: String,
    /// The internal note, if any.
    pub note: Option<String>,
    /// The tags added.
    pub tags: Vec<String>,
    /// When queued.
    pub queued_at: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Not tried again before this time (none: due now).
    pub next_attempt_at: Option<String>,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When its note reached the ticket.
    pub note_posted_at: Option<String>,
    /// When it was done.
    pub done_at: Option<String>,
    /// Refused for good; waits for a retry by hand.
    pub abandoned: bool,
}

impl From<HelpDeskCall> for HelpDeskCallBody {
    fn from(call: HelpDeskCall) -> Self {
        Self {
            id: call.id.to_string(),
            integration: call.integration.to_string(),
            ticket: call.ticket,
            key: call.key,
            note: call.note,
            tags: call.tags,
            queued_at: rfc3339(call.queued_at),
            attempts: call.attempts,
            next_attempt_at: call.next_attempt_at.map(rfc3339),
            last_error: call.last_error,
            note_posted_at: call.note_posted_at.map(rfc3339),
            done_at: call.done_at.map(rfc3339),
            abandoned: call.abandoned,
        }
    }
}

fn optional(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

/// Checks and saves an integration's connection (the API and the console both call this): the
/// connection must make a client for the integration's help desk (https base URL, the login
/// and mailbox that help desk needs); the secret is sealed.
///
/// # Errors
/// 403; 400 `invalid-input` (no reason, an empty secret, a connection the help desk's client
/// refuses); 404 (no such integration); 409 `secrets-key-missing`; store errors.
pub(crate) async fn save_connection(
    app: &App,
    caller: &Caller,
    id: &str,
    input: &HelpDeskConnectionInput,
) -> Result<HelpDeskConnection, ApiError> {
    caller.require(Permission::ManageAccess)?;
    let context = caller.context(&input.reason)?;
    let integration_id: IntegrationId = parse_id(id, "integration")?;
    let secret = input.secret.trim();
    if secret.is_empty() || secret.len() > 1000 {
        return Err(ApiError::invalid(
            "the secret (API token, API key or app secret) is 1-1000 characters",
        ));
    }
    let (integration, _) = app
        .integrations
        .integration_with_secret(integration_id)
        .await
        .map_err(store_error)?;
    if !app.database.seals_credentials() {
        return Err(super::integrations::secrets_key_missing());
    }
    let connection = HelpDeskConnection {
        base_url: input.base_url.trim().trim_end_matches('/').to_owned(),
        login: optional(input.login.as_deref()),
        mailbox: optional(input.mailbox.as_deref()),
        updated_at: app.clock.now(),
    };
    let secret = Secret::new(secret);
    kasa_helpdesk::connect(
        integration.kind,
        &connection,
        &secret,
        kasa_helpdesk::DEFAULT_TIMEOUT,
    )
    .map_err(|error| ApiError::invalid(error.to_string()))?;
    app.help_desk_connections
        .save_help_desk_connection(integration_id, connection.clone(), secret, context)
        .await
        .map_err(store_error)?;
    Ok(connection)
}

/// An integration's saved connection, if any.
///
/// # Errors
/// 403, 404 (no such integration), store errors.
pub(crate) async fn connection(
    app: &App,
    caller: &Caller,
    id: IntegrationId,
) -> Result<Option<HelpDeskConnection>, ApiError> {
    caller.require(Permission::ManageAccess)?;
    app.help_desk_connections
        .help_desk_connection(id)
        .await
        .map_err(store_error)
}

/// The help-desk outbox, newest first (with `undone_only`, only what is not done).
///
/// # Errors
/// 403, store errors.
pub(crate) async fn help_desk_calls(
    app: &App,
    caller: &Caller,
    undone_only: bool,
    limit: u32,
) -> Result<Vec<HelpDeskCall>, ApiError> {
    caller.require(Permission::ManageSettings)?;
    app.help_desk_calls
        .help_desk_calls(HelpDeskCallQuery { undone_only, limit })
        .await
        .map_err(store_error)
}

/// Makes a call that is not done due now, even if abandoned; audited.
///
/// # Errors
/// 403, 400 (no reason), 404 (no such call, or it is done), store errors.
pub(crate) async fn retry_help_desk_call(
    app: &App,
    caller: &Caller,
    id: &str,
    reason: &str,
) -> Result<HelpDeskCall, ApiError> {
    caller.require(Permission::ManageSettings)?;
    let context = caller.context(reason)?;
    let call_id: HelpDeskCallId = parse_id(id, "help-desk call")?;
    app.help_desk_calls
        .retry_help_desk_call_now(call_id, context, app.clock.now())
        .await
        .map_err(store_error)
}

fn default_limit() -> u32 {
    50
}

/// Help desks' API connections and the help-desk outbox.
#[derive(Debug)]
pub struct HelpDeskCallsApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Access")]
impl HelpDeskCallsApi {
    /// Saves how Kasa reaches an integration's help desk through its API (for internal notes
    /// and tags on tickets); the secret is stored only encrypted and never shown again.
    #[oai(
        path = "/integrations/:id/connection",
        method = "put",
        operation_id = "save_help_desk_connection"
    )]
    async fn save_help_desk_connection(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<HelpDeskConnectionInput>,
    ) -> Result<Json<HelpDeskConnectionBody>, ApiError> {
        let saved = save_connection(&app, &auth.0, &id, &body).await?;
        Ok(Json(saved.into()))
    }

    /// An integration's help-desk API connection (never its secret); 404 when none is saved.
    #[oai(
        path = "/integrations/:id/connection",
        method = "get",
        operation_id = "get_help_desk_connection"
    )]
    async fn help_desk_connection(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<HelpDeskConnectionBody>, ApiError> {
        let integration_id: IntegrationId = parse_id(&id, "integration")?;
        connection(&app, &auth.0, integration_id)
            .await?
            .map(|found| Json(found.into()))
            .ok_or_else(|| ApiError::not_found(kasa_ports::Entity::HelpDeskConnection))
    }

    /// The help-desk outbox, newest first: with `undone=true`, only the calls not done (still
    /// retried, or abandoned), with the last error.
    #[oai(
        path = "/help-desk-calls",
        method = "get",
        operation_id = "list_help_desk_calls"
    )]
    async fn help_desk_calls(
        &self,
        app: Data<&App>,
        auth: Bearer,
        #[oai(default)] undone: Query<bool>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u32>,
    ) -> Result<Json<Vec<HelpDeskCallBody>>, ApiError> {
        let calls = help_desk_calls(&app, &auth.0, undone.0, limit.0).await?;
        Ok(Json(calls.into_iter().map(Into::into).collect()))
    }

    /// Makes a help-desk call that is not done due now (the worker makes it within seconds),
    /// even if it was abandoned. Audited (`help_desk_call.retried`) with the reason.
    #[oai(
        path = "/help-desk-calls/:id/retry",
        method = "post",
        operation_id = "retry_help_desk_call"
    )]
    async fn retry_help_desk_call(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<ReasonBody>,
    ) -> Result<Json<HelpDeskCallBody>, ApiError> {
        let call = retry_help_desk_call(&app, &auth.0, &id, &body.reason).await?;
        Ok(Json(call.into()))
    }
}
