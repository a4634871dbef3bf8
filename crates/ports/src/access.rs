//! Users, sessions and API keys: who is calling. Secrets are stored only as hashes (passwords
//! with argon2, tokens with SHA-256, by the server); nothing here ever holds a secret in clear.

use async_trait::async_trait;
use kasa_domain::{
    ApiKeyId, BillingLinkId, Currency, CustomerId, EmailAddress, Money, Role, UserId,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{ActionContext, IdempotencyMark, StoreError};

/// A person who signs in: operator, agent, finance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Sign-in name; unique.
    pub email: EmailAddress,
    /// Display name.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// Signed-out users cannot sign in again.
    pub disabled: bool,
    /// When created.
    #[serde(with = "kasa_domain::instant")]
    pub created_at: OffsetDateTime,
}

/// A user with the hash of their password (never leaves the server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserCredentials {
    /// The user.
    pub user: User,
    /// The argon2 PHC string.
    pub password_hash: String,
}

/// An API key of a help desk or integrator. The key itself is shown once when created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// Its id.
    pub id: ApiKeyId,
    /// What it is for ("Zendesk production").
    pub name: String,
    /// Its scope.
    pub role: Role,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    /// When created.
    #[serde(with = "kasa_domain::instant")]
    pub created_at: OffsetDateTime,
    /// When revoked; a revoked key authenticates nothing.
    pub revoked_at: Option<OffsetDateTime>,
}

/// A customer's billing link (never its token, which only the customer holds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingLink {
    /// Its id.
    pub id: BillingLinkId,
    /// Whose billing it reaches.
    pub customer_id: CustomerId,
    /// When created.
    pub created_at: OffsetDateTime,
    /// When it stops working by itself.
    pub expires_at: OffsetDateTime,
    /// When revoked (by staff, or by the customer signing out); a revoked link reaches nothing.
    pub revoked_at: Option<OffsetDateTime>,
}

/// Who a bearer token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenOwner {
    /// A signed-in user.
    User(User),
    /// An API key.
    ApiKey(ApiKey),
    /// A customer following a billing link: reaches only their own billing.
    Customer(CustomerId),
}

/// Users, sessions, API keys and per-role limits.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccessStore: Send + Sync {
    /// Creates a user, with an audit entry.
    ///
    /// # Errors
    /// [`StoreError::AlreadyExists`] for a taken e-mail, [`StoreError::Unavailable`].
    async fn create_user(
        &self,
        credentials: UserCredentials,
        context: ActionContext,
    ) -> Result<(), StoreError>;

    /// A user and password hash, by e-mail.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn user_credentials(&self, email: EmailAddress) -> Result<UserCredentials, StoreError>;

    /// Every user, by e-mail.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn users(&self) -> Result<Vec<User>, StoreError>;

    /// Changes a user's role and whether they may sign in, with an audit entry; a disabled
    /// user's sessions end.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn update_user(
        &self,
        id: UserId,
        role: Role,
        disabled: bool,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<User, StoreError>;

    /// Whether any user exists (the first-admin bootstrap asks).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn has_users(&self) -> Result<bool, StoreError>;

    /// Starts a session for a user: the token's hash, valid until `expires_at`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn create_session(
        &self,
        token_hash: String,
        user_id: UserId,
        at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Keeps a live session going until `expires_at` (the console's idle timeout slides with
    /// each page an agent opens). An ended or expired session stays ended.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn extend_session(
        &self,
        token_hash: String,
        at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Ends a session.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn end_session(&self, token_hash: String) -> Result<(), StoreError>;

    /// Creates a customer's billing link (its token's hash), valid until `expires_at`, with an
    /// audit entry.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown customer, [`StoreError::Unavailable`].
    async fn create_customer_session(
        &self,
        link_id: BillingLinkId,
        token_hash: String,
        customer_id: CustomerId,
        context: ActionContext,
        at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// A customer's billing links that have not expired, newest first (revoked ones too).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn billing_links(
        &self,
        customer_id: CustomerId,
        now: OffsetDateTime,
    ) -> Result<Vec<BillingLink>, StoreError>;

    /// Revokes one of a customer's billing links, with an audit entry; revoking twice changes
    /// nothing.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the customer has no such link, [`StoreError::Unavailable`].
    async fn revoke_billing_link(
        &self,
        customer_id: CustomerId,
        link_id: BillingLinkId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<BillingLink, StoreError>;

    /// Revokes the billing link with this token's hash (the customer signs out), with an audit
    /// entry.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for no live link with this hash, [`StoreError::Unavailable`].
    async fn end_billing_link(
        &self,
        token_hash: String,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<BillingLink, StoreError>;

    /// Creates an API key (its token's hash), with an audit entry.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn create_api_key(
        &self,
        key: ApiKey,
        token_hash: String,
        context: ActionContext,
    ) -> Result<(), StoreError>;

    /// Every API key, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn api_keys(&self) -> Result<Vec<ApiKey>, StoreError>;

    /// Revokes an API key, with an audit entry; revoking twice changes nothing.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn revoke_api_key(
        &self,
        id: ApiKeyId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<ApiKey, StoreError>;

    /// The owner of a token, by its hash: an unrevoked key, a user with a live session, or a
    /// customer with a live billing link.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown, expired or revoked token,
    /// [`StoreError::Unavailable`].
    async fn token_owner(
        &self,
        token_hash: String,
        now: OffsetDateTime,
    ) -> Result<TokenOwner, StoreError>;

    /// Every role's refund limits: at most one per role and currency (docs/permissions.md).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn refund_limits(&self) -> Result<Vec<(Role, Money)>, StoreError>;

    /// Sets a role's limit in one currency, removes it, or removes all of the role's limits,
    /// with an audit entry.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn set_refund_limit(
        &self,
        role: Role,
        change: RefundLimitChange,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
}

/// A change to a role's refund limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundLimitChange {
    /// Sets the limit in the amount's currency (replacing the one there was).
    Set(Money),
    /// Removes the limit in this currency.
    Remove(Currency),
    /// Removes every limit of the role.
    RemoveAll,
}

/// What claiming an idempotency key found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is ours: run the request with this claim token (its change marks the key
    /// applied), then complete or release the key. A key that was claimed before but never
    /// applied (its request crashed or failed first) is taken over this way.
    Claimed {
        /// The token the change must carry.
        claim_token: String,
    },
    /// The same request ran before: here is its answer.
    Completed {
        /// The HTTP status.
        status: u16,
        /// The JSON body.
        body: String,
    },
    /// The key was used for a different request.
    Mismatch,
    /// The same request took effect and is still running (or stopped less than the lease ago).
    InFlight,
    /// The same request took effect, but its answer was never kept (the server stopped between
    /// the change and the answer) and the lease is over: nothing will be applied again.
    AppliedWithoutAnswer {
        /// When the change committed.
        applied_at: OffsetDateTime,
    },
}

/// Idempotency keys of requests that move money or credits.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for `principal`'s request with this fingerprint. A key applied but without
    /// an answer counts as in flight while it was claimed after `in_flight_since`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn claim_idempotency_key(
        &self,
        principal: String,
        key: String,
        request_hash: String,
        at: OffsetDateTime,
        in_flight_since: OffsetDateTime,
    ) -> Result<IdempotencyClaim, StoreError>;

    /// Records the answer of a key this claim still holds.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn complete_idempotency_key(
        &self,
        mark: IdempotencyMark,
        status: u16,
        body: String,
    ) -> Result<(), StoreError>;

    /// Gives a claimed key back when its request changed nothing (it was never applied), so it
    /// may be sent again. Returns whether it was given back: `false` means the change committed
    /// (or another claim took the key over) and the key stays.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn release_idempotency_key(&self, mark: IdempotencyMark) -> Result<bool, StoreError>;
}
