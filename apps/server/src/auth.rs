//! Who is calling: bearer tokens (API keys and session tokens), stored only as SHA-256 hashes;
//! passwords as argon2 hashes. Every operation names the permission it needs.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use kasa_domain::{Actor, Permission, Reason, Role};
use kasa_ports::{ActionContext, StoreError, TokenOwner};
use poem::Request;
use poem::http::StatusCode;
use poem_openapi::SecurityScheme;
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::problem::ApiError;

/// The start of every API key.
pub const API_KEY_PREFIX: &str = "kasa_key_";
/// The start of every session token.
pub const SESSION_PREFIX: &str = "kasa_session_";
/// The start of every customer's billing-link token.
pub const CUSTOMER_LINK_PREFIX: &str = "kasa_customer_";

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct Caller {
    /// Who, as recorded in the ledger and audit log.
    pub actor: Actor,
    /// What they may do; `None` for a customer following a billing link, who reaches only
    /// their own billing under `/v1/me`.
    pub role: Option<Role>,
    /// The request, for the audit log.
    pub request_id: Option<String>,
    /// The SHA-256 of the token used (signing out ends exactly this session).
    pub token_hash: String,
}

impl Caller {
    /// Refuses with 403 `forbidden` unless the caller's role has `permission` (and, like every
    /// billing call, the billing permission of product rule 11).
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        let Some(role) = self.role else {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not permitted",
                "a customer's billing link reaches only the customer's own billing under /v1/me",
            ));
        };
        for needed in [Permission::Billing, permission] {
            if !role.allows(needed) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "Not permitted",
                    format!(
                        "the role `{}` lacks the `{}` permission; ask an administrator",
                        role,
                        permission_name(needed)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The context of a change this caller makes for `reason`.
    pub fn context(&self, reason: &str) -> Result<ActionContext, ApiError> {
        let reason = Reason::new(reason).map_err(|error| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "reason-required",
                "A reason is required",
                format!("every change needs a reason: {error}"),
            )
        })?;
        Ok(ActionContext {
            actor: self.actor.clone(),
            reason,
            request_id: self.request_id.clone(),
            idempotency: None,
        })
    }
}

/// `Authorization: Bearer <API key or session token>`.
#[derive(SecurityScheme)]
#[oai(
    ty = "bearer",
    bearer_format = "kasa_key_…, kasa_session_… or kasa_customer_…",
    checker = "authenticate"
)]
pub struct Bearer(pub Caller);

/// The SHA-256 of a token, hex: what is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token with `prefix` (256 bits from the operating system).
pub fn new_token(prefix: &str) -> Result<String, ApiError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| ApiError::internal(&error))?;
    Ok(format!("{prefix}{}", hex::encode(bytes)))
}

/// An argon2id hash of a password.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let mut salt = [0_u8; 16];
    getrandom::fill(&mut salt).map_err(|error| ApiError::internal(&error))?;
    let salt = SaltString::encode_b64(&salt).map_err(|error| ApiError::internal(&error))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| ApiError::internal(&error))
}

/// Whether `password` matches the stored hash.
pub fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

fn bad_token() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid-credentials",
        "The credentials were not accepted",
        "the token is unknown, expired or revoked; sign in again or use a valid API key",
    )
}

async fn authenticate(
    request: &Request,
    bearer: poem_openapi::auth::Bearer,
) -> poem::Result<Caller> {
    let app = request
        .data::<App>()
        .ok_or_else(|| ApiError::internal(&"the app is not attached to the request"))?;
    let request_id = crate::request_id::RequestId::of(request);
    let token = bearer.token.trim();
    if ![API_KEY_PREFIX, SESSION_PREFIX, CUSTOMER_LINK_PREFIX]
        .iter()
        .any(|prefix| token.starts_with(prefix))
    {
        return Err(bad_token().into());
    }
    let hash = token_hash(token);
    let caller = match token_owner(app, &hash).await {
        Ok(owner) => caller_of(&owner, hash, request_id),
        Err(StoreError::NotFound { .. }) => return Err(bad_token().into()),
        Err(error) => return Err(ApiError::unavailable(&error).into()),
    };
    // Only an authenticated caller learns whether the billing module is on.
    if let Some(refusal) = crate::billing_module::billing_module_refusal(
        &app.billing_switch,
        app.store.as_ref(),
        request.uri().path(),
    )
    .await
    {
        return Err(refusal.into());
    }
    Ok(caller)
}

/// The owner of a token hash: from the cache of recently checked tokens, else the store.
///
/// # Errors
/// [`StoreError::NotFound`] for a token unknown, expired or revoked; others from the store.
pub async fn token_owner(app: &App, hash: &str) -> Result<TokenOwner, StoreError> {
    checked_token_owner(app, hash).await.map(|(owner, _)| owner)
}

/// [`token_owner`], and whether the store was asked (`false`: the cache answered, so the store
/// was asked within [`crate::app::TokenCache::TTL`]).
///
/// # Errors
/// As [`token_owner`].
pub async fn checked_token_owner(app: &App, hash: &str) -> Result<(TokenOwner, bool), StoreError> {
    if let Some(owner) = app.tokens.get(hash) {
        return Ok((owner, false));
    }
    let owner = app
        .access
        .token_owner(hash.to_owned(), app.clock.now())
        .await?;
    app.tokens.put(hash.to_owned(), owner.clone());
    Ok((owner, true))
}

/// The caller a token's owner is, for the ledger, the audit log and permission checks.
pub fn caller_of(owner: &TokenOwner, token_hash: String, request_id: Option<String>) -> Caller {
    let (actor, role) = match owner {
        TokenOwner::ApiKey(key) => (Actor::HelpDesk { api_key_id: key.id }, Some(key.role)),
        TokenOwner::User(user) => (
            match user.role {
                Role::Admin | Role::BillingManager => Actor::Operator { user_id: user.id },
                _ => Actor::Agent { user_id: user.id },
            },
            Some(user.role),
        ),
        TokenOwner::Customer(customer_id) => (
            Actor::Customer {
                customer_id: *customer_id,
            },
            None,
        ),
    };
    Caller {
        actor,
        role,
        request_id,
        token_hash,
    }
}

/// An argon2 hash of a random password nobody knows, verified against when the e-mail is
/// unknown, so that a sign-in takes as long whether or not the user exists.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        new_token("")
            .and_then(|password| hash_password(&password))
            .unwrap_or_default()
    })
}

/// The stored name of a permission.
pub fn permission_name(permission: Permission) -> &'static str {
    match permission {
        Permission::Billing => "billing",
        Permission::ManageCatalog => "manage_catalog",
        Permission::ManageCustomers => "manage_customers",
        Permission::ManageSettings => "manage_settings",
        Permission::ManageAccess => "manage_access",
        Permission::ChargeUsage => "charge_usage",
        Permission::ReadBilling => "read_billing",
        Permission::BillingActions => "billing_actions",
        Permission::Refund => "refund",
        Permission::ReadAudit => "read_audit",
        Permission::ReadFinance => "read_finance",
        Permission::RecordPayments => "record_payments",
    }
}
