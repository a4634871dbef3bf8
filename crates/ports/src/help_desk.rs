//! What Kasa asks of a help desk (Zendesk, Freshdesk, Help Scout, ...), in Kasa's words: post an
//! internal note on a ticket, add tags to it, open a ticket. The vendors' wire types stay in
//! their adapter (`kasa-helpdesk`); nothing here names a vendor.
//!
//! Calls to a help desk go through a durable outbox ([`HelpDeskCallStore`]), like mail: a call
//! is queued under an idempotency key (queued once, whatever asks again), claimed by the worker
//! with a lease, retried with backoff while the help desk is unavailable or rate-limits, and left
//! visible (and retryable by hand) when it fails for good.

use async_trait::async_trait;
use kasa_domain::{HelpDeskCallId, IntegrationId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{ActionContext, AuditRecord, StoreError};

/// A call to queue for a help desk: an internal note and/or tags on one ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewHelpDeskCall {
    /// The integration whose help desk (and credentials) the call goes to.
    pub integration: IntegrationId,
    /// The help desk's ticket or conversation id.
    pub ticket: String,
    /// The call's idempotency key, unique across every call: queueing the same key again
    /// queues nothing.
    pub key: String,
    /// The internal note (agents only, never the customer), if any.
    pub note: Option<String>,
    /// Tags to add to the ticket (tags already on it stay).
    pub tags: Vec<String>,
    /// A ticket to open first (then `ticket` is [`NEW_TICKET`] until the help desk names it);
    /// the note and tags then go on the new ticket.
    pub new_ticket: Option<NewTicket>,
}

/// The `ticket` of a call whose ticket is still to be opened (see
/// [`NewHelpDeskCall::new_ticket`]); replaced by the help desk's id once it is open.
pub const NEW_TICKET: &str = "new";

/// A queued help-desk call and how its delivery is going.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpDeskCall {
    /// Its id (also the order calls are made in).
    pub id: HelpDeskCallId,
    /// The integration.
    pub integration: IntegrationId,
    /// The help desk's ticket or conversation id.
    pub ticket: String,
    /// The idempotency key it was queued under.
    pub key: String,
    /// The internal note, if any.
    pub note: Option<String>,
    /// The tags to add.
    pub tags: Vec<String>,
    /// The ticket to open first, while `ticket` is [`NEW_TICKET`].
    #[serde(default)]
    pub new_ticket: Option<NewTicket>,
    /// When queued.
    #[serde(with = "kasa_domain::instant")]
    pub queued_at: OffsetDateTime,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due (`None`: due now, never tried or leased).
    #[serde(with = "kasa_domain::instant::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the note was posted (a retry then only adds the tags).
    #[serde(with = "kasa_domain::instant::option")]
    pub note_posted_at: Option<OffsetDateTime>,
    /// When the whole call was done.
    #[serde(with = "kasa_domain::instant::option")]
    pub done_at: Option<OffsetDateTime>,
    /// Given up (a permanent failure): waits for an operator's retry.
    pub abandoned: bool,
}

impl HelpDeskCall {
    /// The call as it is queued, before any attempt (`queued_at` is the store's).
    #[must_use]
    pub fn queued(id: HelpDeskCallId, call: NewHelpDeskCall, queued_at: OffsetDateTime) -> Self {
        Self {
            id,
            integration: call.integration,
            ticket: call.ticket,
            key: call.key,
            note: call.note,
            tags: call.tags,
            new_ticket: call.new_ticket,
            queued_at,
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
            note_posted_at: None,
            done_at: None,
            abandoned: false,
        }
    }

    /// Whether a call is well formed: a ticket (or a ticket to open, with a requester, a
    /// subject and a message, and `ticket` set to [`NEW_TICKET`]), a key, and something to do
    /// (a ticket to open, a note or a tag), none of them blank.
    #[must_use]
    pub fn is_well_formed(call: &NewHelpDeskCall) -> bool {
        let opens = call.new_ticket.as_ref().map(|ticket| {
            ![&ticket.requester_email, &ticket.subject, &ticket.body]
                .iter()
                .any(|field| field.trim().is_empty())
        });
        let ticket_ok = match opens {
            Some(complete) => complete && call.ticket == NEW_TICKET,
            None => !call.ticket.trim().is_empty() && call.ticket != NEW_TICKET,
        };
        ticket_ok
            && !call.key.trim().is_empty()
            && (opens.is_some()
                || call
                    .note
                    .as_deref()
                    .is_some_and(|note| !note.trim().is_empty())
                || !call.tags.is_empty())
            && call.tags.iter().all(|tag| !tag.trim().is_empty())
    }
}

impl AuditRecord {
    /// A help-desk call made due again by hand (`help_desk_call.retried`).
    #[must_use]
    pub fn help_desk_call_retried(before: &HelpDeskCall, after: &HelpDeskCall) -> Self {
        let state = |call: &HelpDeskCall| {
            serde_json::json!({
                "attempts": call.attempts,
                "abandoned": call.abandoned,
                "last_error": call.last_error,
            })
        };
        Self {
            action: "help_desk_call.retried".to_owned(),
            subject: format!("help_desk_call:{}", after.id),
            before: Some(state(before)),
            after: Some(state(after)),
        }
    }
}

/// Which help-desk calls to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HelpDeskCallQuery {
    /// Only the calls not done yet (retried or abandoned).
    pub undone_only: bool,
    /// At most this many, newest first.
    pub limit: u32,
}

/// The help-desk outbox.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HelpDeskCallStore: Send + Sync {
    /// Queues a call, due at once. `Ok(true)`: queued; `Ok(false)`: a call with the same key was
    /// queued before (nothing changes, whatever the rest of this call says).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (no such integration), [`StoreError::Corrupt`] (a call that is
    /// not [well formed](HelpDeskCall::is_well_formed): a bug of the caller),
    /// [`StoreError::Unavailable`].
    async fn queue_help_desk_call(&self, call: NewHelpDeskCall) -> Result<bool, StoreError>;

    /// Claims up to `count` due calls (not done, not abandoned, due at `now`), oldest first,
    /// leasing them until `lease_until` so no other worker takes them meanwhile.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn claim_due_help_desk_calls(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        count: u32,
    ) -> Result<Vec<HelpDeskCall>, StoreError>;

    /// Records that a call's note was posted (a later attempt adds only the tags).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn mark_help_desk_note_posted(
        &self,
        id: HelpDeskCallId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Records the ticket the help desk opened for a call (its `ticket` was [`NEW_TICKET`]):
    /// a later attempt only adds the note and tags to it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (no such call, or its ticket is open already),
    /// [`StoreError::Unavailable`].
    async fn mark_help_desk_ticket_opened(
        &self,
        id: HelpDeskCallId,
        ticket: &str,
    ) -> Result<(), StoreError>;

    /// Records that a call is done (an attempt that succeeded).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn mark_help_desk_call_done(
        &self,
        id: HelpDeskCallId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Records a failed attempt: retried at `retry_at`, or abandoned when `None`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn mark_help_desk_call_failed(
        &self,
        id: HelpDeskCallId,
        error: String,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError>;

    /// Makes a call that is not done due at `at` again (an abandoned one too), with an audit
    /// entry.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (no such call, or it is done), [`StoreError::Unavailable`].
    async fn retry_help_desk_call_now(
        &self,
        id: HelpDeskCallId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<HelpDeskCall, StoreError>;

    /// Calls, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn help_desk_calls(
        &self,
        query: HelpDeskCallQuery,
    ) -> Result<Vec<HelpDeskCall>, StoreError>;
}

/// Why a help desk did not do what it was asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HelpDeskError {
    /// Too many requests: try again after this many seconds (the help desk's `Retry-After`).
    #[error("the help desk limits the rate: retry after {retry_after_seconds} s")]
    RateLimited {
        /// Seconds to wait.
        retry_after_seconds: u64,
    },
    /// Temporary: unreachable, timed out, a server error. Retried.
    #[error("the help desk is unavailable: {0}")]
    Unavailable(String),
    /// The credentials were refused (401/403). Permanent until an operator fixes them.
    #[error("the help desk refused the credentials: {0}")]
    Unauthorized(String),
    /// The request was refused for good (an unknown ticket, an invalid field). Not retried.
    #[error("the help desk refused the request: {0}")]
    Rejected(String),
}

impl HelpDeskError {
    /// Whether trying again later may succeed without anyone changing anything.
    #[must_use]
    pub const fn is_temporary(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Unavailable(_))
    }
}

/// A ticket to open in the help desk (for a customer's request from the billing pages).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicket {
    /// The requester's e-mail address.
    pub requester_email: String,
    /// The requester's name.
    pub requester_name: String,
    /// The subject line.
    pub subject: String,
    /// The first message, from the requester.
    pub body: String,
    /// Tags to put on it.
    pub tags: Vec<String>,
}

/// One help desk, reached through its API with an integration's credentials.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HelpDesk: Send + Sync {
    /// Posts an internal note (seen by agents, never by the customer) on a ticket.
    ///
    /// # Errors
    /// Any [`HelpDeskError`]; an unknown ticket is [`HelpDeskError::Rejected`].
    async fn post_internal_note(&self, ticket: &str, note: &str) -> Result<(), HelpDeskError>;

    /// Adds tags to a ticket, keeping the tags it has.
    ///
    /// # Errors
    /// Any [`HelpDeskError`].
    async fn add_tags(&self, ticket: &str, tags: &[String]) -> Result<(), HelpDeskError>;

    /// Whether a note whose text contains `marker` is on the ticket already: after an attempt
    /// whose outcome is unknown (a timeout after sending), the worker asks before posting again.
    ///
    /// # Errors
    /// Any [`HelpDeskError`].
    async fn has_note_containing(&self, ticket: &str, marker: &str) -> Result<bool, HelpDeskError>;

    /// Opens a ticket; returns its id.
    ///
    /// # Errors
    /// Any [`HelpDeskError`].
    async fn create_ticket(&self, ticket: &NewTicket) -> Result<String, HelpDeskError>;
}

/// How Kasa reaches an integration's help desk through its API (never with its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpDeskConnection {
    /// The API's base URL: `https://{subdomain}.zendesk.com`, `https://{domain}.freshdesk.com`,
    /// `https://api.helpscout.net`.
    pub base_url: String,
    /// Who Kasa signs in as: the Zendesk agent's e-mail address, the Help Scout app's id;
    /// Freshdesk needs none (its API key says who).
    pub login: Option<String>,
    /// Help Scout only: the mailbox new conversations are opened in.
    pub mailbox: Option<String>,
    /// When last saved.
    #[serde(with = "kasa_domain::instant")]
    pub updated_at: OffsetDateTime,
}

impl HelpDeskConnection {
    /// The audit record of a connection saved for `integration` (never its secret).
    #[must_use]
    pub fn audit_record(&self, integration: IntegrationId, before: Option<&Self>) -> AuditRecord {
        AuditRecord {
            action: "integration.connection_saved".to_owned(),
            subject: format!("integration:{integration}"),
            before: before.map(|before| serde_json::json!(before)),
            after: Some(serde_json::json!(self)),
        }
    }
}

/// Integrations' help-desk API connections, their secrets (API token, API key, app secret)
/// sealed at rest like the integration's own secret (ADR 0008).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HelpDeskConnectionStore: Send + Sync {
    /// Saves (creates or replaces) an integration's connection with its secret, with an audit
    /// entry that never holds the secret.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (no such integration), [`StoreError::Unavailable`] (also when
    /// the store cannot seal: no secrets key).
    async fn save_help_desk_connection(
        &self,
        integration: IntegrationId,
        connection: HelpDeskConnection,
        secret: crate::Secret,
        context: ActionContext,
    ) -> Result<(), StoreError>;

    /// An integration's connection, without its secret; `None` when none is saved.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn help_desk_connection(
        &self,
        integration: IntegrationId,
    ) -> Result<Option<HelpDeskConnection>, StoreError>;

    /// An integration's connection with its secret opened, to call the help desk.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (no connection saved), [`StoreError::Unavailable`] (no key, or
    /// another key, to open it), [`StoreError::Corrupt`] (a secret that does not authenticate).
    async fn help_desk_connection_with_secret(
        &self,
        integration: IntegrationId,
    ) -> Result<(HelpDeskConnection, crate::Secret), StoreError>;
}
