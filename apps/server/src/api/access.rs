//! Signing in, users, roles and API keys.

use kasa_domain::{Actor, ApiKeyId, EmailAddress, Permission, Role, UserId};
use kasa_ports::{ApiKey, RefundLimitChange, StoreError, User, UserCredentials, new_id};
use poem::http::StatusCode;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use time::Duration;

use super::{MoneyBody, Tag, parse_id};
use poem::web::Data;

use crate::app::App;
use crate::auth::{
    API_KEY_PREFIX, Bearer, Caller, SESSION_PREFIX, hash_password, new_token, password_matches,
    permission_name, token_hash,
};
use crate::problem::{ApiError, store_error};

/// Sign-in details.
#[derive(Debug, Object)]
pub struct SignIn {
    /// The user's e-mail.
    pub email: String,
    /// The password.
    #[oai(write_only)]
    pub password: String,
}

/// A session token.
#[derive(Debug, Object)]
pub struct Session {
    /// Send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// When it stops working (RFC 3339).
    pub expires_at: String,
    /// The user's role.
    pub role: String,
}

/// A new user.
#[derive(Debug, Object)]
pub struct NewUserBody {
    /// Sign-in e-mail (unique).
    pub email: String,
    /// Display name.
    pub name: String,
    /// `admin`, `billing_manager`, `agent`, `finance` or `read_only`.
    pub role: String,
    /// At least 12 characters.
    #[oai(write_only)]
    pub password: String,
    /// Why the user is added (audit log).
    pub reason: String,
}

/// A user (never with a password).
#[derive(Debug, Object)]
pub struct UserBody {
    /// Its id.
    pub id: String,
    /// Sign-in e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Whether the user can sign in.
    pub disabled: bool,
}

impl From<User> for UserBody {
    fn from(user: User) -> Self {
        Self {
            id: user.id.to_string(),
            email: user.email.to_string(),
            name: user.name,
            role: user.role.name().to_owned(),
            disabled: user.disabled,
        }
    }
}

/// A change to a user.
#[derive(Debug, Object)]
pub struct UserChange {
    /// The new role.
    pub role: String,
    /// `true` stops the user signing in and ends their sessions.
    pub disabled: bool,
    /// Why (audit log).
    pub reason: String,
}

/// A new API key.
#[derive(Debug, Object)]
pub struct NewApiKeyBody {
    /// What it is for, e.g. "Zendesk production".
    pub name: String,
    /// Its scope: a role, usually `help_desk`.
    pub role: String,
    /// Why (audit log).
    pub reason: String,
}

/// An API key (the key itself only in [`CreatedApiKey`]).
#[derive(Debug, Object)]
pub struct ApiKeyBody {
    /// Its id.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// Its scope.
    pub role: String,
    /// The key's first characters.
    pub prefix: String,
    /// When created.
    pub created_at: String,
    /// When revoked, if it was.
    pub revoked_at: Option<String>,
}

impl From<ApiKey> for ApiKeyBody {
    fn from(key: ApiKey) -> Self {
        Self {
            id: key.id.to_string(),
            name: key.name,
            role: key.role.name().to_owned(),
            prefix: key.prefix,
            created_at: crate::dates::rfc3339(key.created_at),
            revoked_at: key.revoked_at.map(crate::dates::rfc3339),
        }
    }
}

/// A key just created: the only time the key is shown.
#[derive(Debug, Object)]
pub struct CreatedApiKey {
    /// The key; store it now, Kasa keeps only its hash.
    pub key: String,
    /// Its record.
    pub api_key: ApiKeyBody,
}

/// Why (for the audit log).
#[derive(Debug, Object)]
pub struct ReasonBody {
    /// Why.
    pub reason: String,
}

/// A role and what it may do.
#[derive(Debug, Object)]
pub struct RoleBody {
    /// Its name.
    pub name: String,
    /// Its permissions.
    pub permissions: Vec<String>,
    /// Its refund limit when it has exactly one (kept for older clients; read `max_refunds`).
    pub max_refund: Option<MoneyBody>,
    /// Its refund limits, at most one per currency: in that currency, the most one user of the
    /// role may give back of one payment, and in one UTC day (docs/permissions.md). A currency
    /// without a limit is not limited.
    pub max_refunds: Vec<MoneyBody>,
}

/// A change to a role's refund limits (one per currency).
#[derive(Debug, Object)]
pub struct RefundLimitBody {
    /// The limit in its currency (replacing the role's limit in that currency); absent or null
    /// to remove the limit in `currency`, or every limit of the role when `currency` is absent.
    pub max_refund: Option<MoneyBody>,
    /// With `max_refund` null: the currency whose limit to remove.
    pub currency: Option<String>,
    /// Why (audit log).
    pub reason: String,
}

fn role_body(role: Role, max_refunds: &[kasa_domain::Money]) -> RoleBody {
    RoleBody {
        name: role.name().to_owned(),
        permissions: role
            .permissions()
            .iter()
            .map(|permission| permission_name(*permission).to_owned())
            .collect(),
        max_refund: match max_refunds {
            [only] => Some(MoneyBody::from(*only)),
            _ => None,
        },
        max_refunds: max_refunds.iter().copied().map(MoneyBody::from).collect(),
    }
}

/// `role`'s limits, one per currency.
pub(crate) fn limits_of(
    limits: &[(Role, kasa_domain::Money)],
    role: Role,
) -> Vec<kasa_domain::Money> {
    limits
        .iter()
        .filter(|(limited, _)| *limited == role)
        .map(|(_, limit)| *limit)
        .collect()
}

fn parse_role(text: &str) -> Result<Role, ApiError> {
    text.parse()
        .map_err(|error: kasa_domain::UnknownRole| ApiError::invalid(error.to_string()))
}

fn parse_email(text: &str) -> Result<EmailAddress, ApiError> {
    EmailAddress::parse(text).map_err(|error| ApiError::invalid(format!("e-mail: {error}")))
}

/// Signing in, users, roles, API keys.
#[derive(Debug)]
pub struct AccessApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Access")]
impl AccessApi {
    /// Sign in with e-mail and password; returns a session token. Failed sign-ins are
    /// throttled per account and per client address: past the allowed failures, the answer is
    /// 429 `too-many-attempts` with `Retry-After`, without checking the password.
    #[oai(path = "/sessions", method = "post", operation_id = "sign_in")]
    async fn sign_in(
        &self,
        app: Data<&App>,
        request: &poem::Request,
        body: Json<SignIn>,
    ) -> Result<Json<Session>, ApiError> {
        let address = crate::security_events::peer(request);
        let attempt = app
            .sign_in_throttle
            .attempt(&body.email, address)
            .map_err(ApiError::too_many_attempts)?;
        let session = start_session(&app, &body).await?;
        app.sign_in_throttle.succeeded(attempt);
        Ok(session)
    }

    /// Sign out: the session token, or the customer's billing link, stops working at once (the
    /// link is revoked, with an audit entry). An API key cannot sign out: it answers 400
    /// `not-a-session`; revoke it with `POST /v1/api-keys/{id}/revoke`.
    #[oai(
        path = "/sessions/current",
        method = "delete",
        operation_id = "sign_out"
    )]
    async fn sign_out(
        &self,
        app: Data<&App>,
        auth: Bearer,
    ) -> Result<Json<serde_json::Value>, ApiError> {
        let caller = &auth.0;
        match &caller.actor {
            Actor::HelpDesk { .. } => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "not-a-session",
                    "An API key cannot sign out",
                    "this is an API key, not a session: it keeps working until it is revoked \
                     (an admin revokes it with POST /v1/api-keys/{id}/revoke)",
                ));
            }
            Actor::Customer { .. } => {
                let context = caller.context("the customer signed out")?;
                app.access
                    .end_billing_link(caller.token_hash.clone(), context, app.clock.now())
                    .await
                    .map_err(store_error)?;
            }
            _ => app
                .access
                .end_session(caller.token_hash.clone())
                .await
                .map_err(store_error)?,
        }
        app.tokens.clear();
        Ok(Json(serde_json::json!({ "signed_out": true })))
    }

    /// Every user.
    #[oai(path = "/users", method = "get", operation_id = "list_users")]
    async fn users(&self, app: Data<&App>, auth: Bearer) -> Result<Json<Vec<UserBody>>, ApiError> {
        let users = users(&app, &auth.0).await?;
        Ok(Json(users.into_iter().map(UserBody::from).collect()))
    }

    /// Adds a user.
    #[oai(path = "/users", method = "post", operation_id = "create_user")]
    async fn create_user(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<NewUserBody>,
    ) -> Result<Json<UserBody>, ApiError> {
        Ok(Json(create_user(&app, &auth.0, &body).await?.into()))
    }

    /// Changes a user's role, or disables them (their sessions end at once).
    #[oai(path = "/users/:id", method = "put", operation_id = "update_user")]
    async fn update_user(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<UserChange>,
    ) -> Result<Json<UserBody>, ApiError> {
        Ok(Json(update_user(&app, &auth.0, &id, &body).await?.into()))
    }

    /// Every role with its permissions and refund limit.
    #[oai(path = "/roles", method = "get", operation_id = "list_roles")]
    async fn roles(&self, app: Data<&App>, auth: Bearer) -> Result<Json<Vec<RoleBody>>, ApiError> {
        let limits = refund_limits(&app, &auth.0).await?;
        Ok(Json(
            Role::ALL
                .into_iter()
                .map(|role| role_body(role, &limits_of(&limits, role)))
                .collect(),
        ))
    }

    /// Sets a role's refund limit in one currency, or removes it (or all of the role's).
    #[oai(
        path = "/roles/:role/refund-limit",
        method = "put",
        operation_id = "set_refund_limit"
    )]
    async fn set_refund_limit(
        &self,
        app: Data<&App>,
        auth: Bearer,
        role: Path<String>,
        body: Json<RefundLimitBody>,
    ) -> Result<Json<RoleBody>, ApiError> {
        let role = set_refund_limit(&app, &auth.0, &role, &body).await?;
        let limits = app.access.refund_limits().await.map_err(store_error)?;
        Ok(Json(role_body(role, &limits_of(&limits, role))))
    }

    /// Every API key (never the keys themselves).
    #[oai(path = "/api-keys", method = "get", operation_id = "list_api_keys")]
    async fn api_keys(
        &self,
        app: Data<&App>,
        auth: Bearer,
    ) -> Result<Json<Vec<ApiKeyBody>>, ApiError> {
        let keys = api_keys(&app, &auth.0).await?;
        Ok(Json(keys.into_iter().map(ApiKeyBody::from).collect()))
    }

    /// Creates an API key; the answer is the only time the key is shown.
    #[oai(path = "/api-keys", method = "post", operation_id = "create_api_key")]
    async fn create_api_key(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<NewApiKeyBody>,
    ) -> Result<Json<CreatedApiKey>, ApiError> {
        let (token, key) = create_api_key(&app, &auth.0, &body).await?;
        Ok(Json(CreatedApiKey {
            key: token,
            api_key: key.into(),
        }))
    }

    /// Revokes an API key at once.
    #[oai(
        path = "/api-keys/:id/revoke",
        method = "post",
        operation_id = "revoke_api_key"
    )]
    async fn revoke_api_key(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<ReasonBody>,
    ) -> Result<Json<ApiKeyBody>, ApiError> {
        Ok(Json(
            revoke_api_key(&app, &auth.0, &id, &body.reason)
                .await?
                .into(),
        ))
    }
}

/// Every user (`GET /v1/users`).
pub(crate) async fn users(app: &App, caller: &Caller) -> Result<Vec<User>, ApiError> {
    caller.require(Permission::ManageAccess)?;
    app.access.users().await.map_err(store_error)
}

/// Adds a user (`POST /v1/users`).
pub(crate) async fn create_user(
    app: &App,
    caller: &Caller,
    body: &NewUserBody,
) -> Result<User, ApiError> {
    caller.require(Permission::ManageAccess)?;
    let context = caller.context(&body.reason)?;
    let user = new_user(&body.email, &body.name, &body.role, app.clock.now())?;
    let credentials = UserCredentials {
        user: user.clone(),
        password_hash: checked_password_hash(&body.password)?,
    };
    app.access
        .create_user(credentials, context)
        .await
        .map_err(store_error)?;
    Ok(user)
}

/// Changes a user's role or disables them (`PUT /v1/users/{id}`).
pub(crate) async fn update_user(
    app: &App,
    caller: &Caller,
    id: &str,
    body: &UserChange,
) -> Result<User, ApiError> {
    caller.require(Permission::ManageAccess)?;
    let context = caller.context(&body.reason)?;
    let user_id: UserId = parse_id(id, "user")?;
    let role = parse_role(&body.role)?;
    if role == Role::HelpDesk {
        return Err(ApiError::invalid(
            "`help_desk` is for API keys; give people another role",
        ));
    }
    if caller.actor == (kasa_domain::Actor::Operator { user_id })
        && (body.disabled || role != Role::Admin)
    {
        return Err(ApiError::invalid(
            "you cannot disable yourself or take away your own admin role; ask another admin",
        ));
    }
    let user = app
        .access
        .update_user(user_id, role, body.disabled, context, app.clock.now())
        .await
        .map_err(store_error)?;
    app.tokens.clear();
    Ok(user)
}

/// Every role's refund limits (`GET /v1/roles`).
pub(crate) async fn refund_limits(
    app: &App,
    caller: &Caller,
) -> Result<Vec<(Role, kasa_domain::Money)>, ApiError> {
    caller.require(Permission::ReadBilling)?;
    app.access.refund_limits().await.map_err(store_error)
}

/// Sets or removes a role's refund limit (`PUT /v1/roles/{role}/refund-limit`); the role.
pub(crate) async fn set_refund_limit(
    app: &App,
    caller: &Caller,
    role: &str,
    body: &RefundLimitBody,
) -> Result<Role, ApiError> {
    caller.require(Permission::ManageAccess)?;
    let context = caller.context(&body.reason)?;
    let role = parse_role(role)?;
    let limit = body.max_refund.as_ref().map(MoneyBody::money).transpose()?;
    let change = match (limit, body.currency.as_deref()) {
        (Some(limit), _) if !limit.is_positive() => {
            return Err(ApiError::invalid("a refund limit is more than zero"));
        }
        (Some(limit), Some(currency)) if currency != limit.currency().alpha_code() => {
            return Err(ApiError::invalid(
                "`currency` differs from the limit's currency; send one of them",
            ));
        }
        (Some(limit), _) => RefundLimitChange::Set(limit),
        (None, Some(currency)) => RefundLimitChange::Remove(
            currency
                .parse()
                .map_err(|_| ApiError::invalid(format!("unknown currency `{currency}`")))?,
        ),
        (None, None) => RefundLimitChange::RemoveAll,
    };
    app.access
        .set_refund_limit(role, change, context, app.clock.now())
        .await
        .map_err(store_error)?;
    Ok(role)
}

/// Every API key, never the keys themselves (`GET /v1/api-keys`).
pub(crate) async fn api_keys(app: &App, caller: &Caller) -> Result<Vec<ApiKey>, ApiError> {
    caller.require(Permission::ManageAccess)?;
    app.access.api_keys().await.map_err(store_error)
}

/// Creates an API key (`POST /v1/api-keys`): the key (the only time it exists outside a hash)
/// and its record.
pub(crate) async fn create_api_key(
    app: &App,
    caller: &Caller,
    body: &NewApiKeyBody,
) -> Result<(String, ApiKey), ApiError> {
    caller.require(Permission::ManageAccess)?;
    let context = caller.context(&body.reason)?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid("an API key's name is 1-200 characters"));
    }
    let token = new_token(API_KEY_PREFIX)?;
    let key = ApiKey {
        id: new_id(),
        name: name.to_owned(),
        role: parse_role(&body.role)?,
        prefix: token.chars().take(API_KEY_PREFIX.len() + 6).collect(),
        created_at: app.clock.now(),
        revoked_at: None,
    };
    app.access
        .create_api_key(key.clone(), token_hash(&token), context)
        .await
        .map_err(store_error)?;
    Ok((token, key))
}

/// Revokes an API key at once (`POST /v1/api-keys/{id}/revoke`).
pub(crate) async fn revoke_api_key(
    app: &App,
    caller: &Caller,
    id: &str,
    reason: &str,
) -> Result<ApiKey, ApiError> {
    caller.require(Permission::ManageAccess)?;
    let context = caller.context(reason)?;
    let key_id: ApiKeyId = parse_id(id, "API key")?;
    let key = app
        .access
        .revoke_api_key(key_id, context, app.clock.now())
        .await
        .map_err(store_error)?;
    app.tokens.clear();
    Ok(key)
}

/// Checks the e-mail and password and starts a session.
async fn start_session(app: &App, body: &SignIn) -> Result<Json<Session>, ApiError> {
    let user = signed_in_user(app, &body.email, &body.password).await?;
    let token = new_token(SESSION_PREFIX)?;
    let now = app.clock.now();
    let expires_at = now + Duration::hours(app.session_hours);
    app.access
        .create_session(token_hash(&token), user.id, now, expires_at)
        .await
        .map_err(store_error)?;
    Ok(Json(Session {
        token,
        expires_at: crate::dates::rfc3339(expires_at),
        role: user.role.name().to_owned(),
    }))
}

/// The user whose e-mail and password these are, unless disabled: 401 `invalid-credentials`
/// otherwise, after the same work either way (timing does not tell who exists).
pub(crate) async fn signed_in_user(
    app: &App,
    email: &str,
    password: &str,
) -> Result<User, ApiError> {
    let refused = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid-credentials",
            "The credentials were not accepted",
            "the e-mail or the password is wrong, or the user is disabled",
        )
    };
    let email = EmailAddress::parse(email).map_err(|_| refused())?;
    let credentials = match app.access.user_credentials(email).await {
        Ok(credentials) => credentials,
        Err(StoreError::NotFound { .. }) => {
            // Spend the same time as a real check, so timing does not tell who exists.
            let _ = password_matches(password, crate::auth::dummy_hash());
            return Err(refused());
        }
        Err(error) => return Err(store_error(error)),
    };
    // The password is checked first, so a disabled account answers as slowly as any other.
    let matches = password_matches(password, &credentials.password_hash);
    if !matches || credentials.user.disabled {
        return Err(refused());
    }
    Ok(credentials.user)
}

/// A user record from request fields, checked.
pub fn new_user(
    email: &str,
    name: &str,
    role: &str,
    now: time::OffsetDateTime,
) -> Result<User, ApiError> {
    let role = parse_role(role)?;
    if role == Role::HelpDesk {
        return Err(ApiError::invalid(
            "`help_desk` is for API keys; give people another role",
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid("a user's name is 1-200 characters"));
    }
    Ok(User {
        id: new_id(),
        email: parse_email(email)?,
        name: name.to_owned(),
        role,
        disabled: false,
        created_at: now,
    })
}

/// The argon2 hash of an acceptable password.
pub fn checked_password_hash(password: &str) -> Result<String, ApiError> {
    if password.chars().count() < 12 {
        return Err(ApiError::invalid("a password has at least 12 characters"));
    }
    hash_password(password)
}
