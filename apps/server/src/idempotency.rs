//! `Idempotency-Key` on requests that move money or credits: the same key with the same request
//! returns the first answer and changes nothing; the same key with another request is refused.
//!
//! The semantics are Stripe's, made exact by the database: a key is *applied* in the same
//! transaction as its request's change (the change carries the key's claim token, see
//! [`kasa_ports::IdempotencyMark`]), so Kasa always knows whether the change happened.
//! - A change committed: the key keeps the request's answer, success or error (a 5xx after the
//!   change included), and replays it to every retry.
//! - Nothing committed (a refusal, a failure before the change, a crash): the key is free again,
//!   and a retry runs the request. A retry also takes over a key whose request is still
//!   deciding; that older request can then no longer commit, so the change happens once.
//! - A change committed but the server stopped before keeping the answer: retries are told
//!   `idempotency-key-in-use` until the lease (`idempotency_lease_seconds`) is over, then
//!   `idempotency-key-applied`, never applied again.

use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use sha2::{Digest, Sha256};

use kasa_ports::{ActionContext, IdempotencyClaim, IdempotencyMark};

use crate::app::App;
use crate::auth::Caller;
use crate::problem::{ApiError, idempotency_key_in_use, store_error};

/// The longest key Kasa keeps.
const MAX_KEY_LENGTH: usize = 200;

/// Whether an `Idempotency-Key` header value is one Kasa accepts: 1-200 visible ASCII characters.
/// Checked on the raw header bytes before routing, so a key that is not text is refused rather
/// than ignored.
pub fn acceptable_key(value: &[u8]) -> bool {
    !value.is_empty()
        && value.len() <= MAX_KEY_LENGTH
        && value.iter().all(|byte| byte.is_ascii_graphic())
}

/// 400 `invalid-idempotency-key`.
pub fn invalid_key() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid-idempotency-key",
        "The Idempotency-Key is not valid",
        "an Idempotency-Key is 1-200 visible ASCII characters (a UUID is a good choice); \
         nothing was changed",
    )
}

/// Runs `request` at most once per `key` (when one is given) for this caller. `operation` names
/// the operation and its target (e.g. `grant_package <customer id>`): a key reused for another
/// target is another request. `request` gets the claim to put into the change's
/// [`kasa_ports::ActionContext`].
pub async fn idempotent<T, B, F>(
    app: &App,
    caller: &Caller,
    key: Option<String>,
    operation: &str,
    body: &B,
    request: impl FnOnce(Option<IdempotencyMark>) -> F,
) -> Result<Json<T>, ApiError>
where
    T: ToJSON + ParseFromJSON,
    B: ToJSON,
    F: Future<Output = Result<Json<T>, ApiError>>,
{
    let Some(key) = key else {
        return request(None).await;
    };
    if !acceptable_key(key.as_bytes()) {
        return Err(invalid_key());
    }
    let principal = caller.actor.to_string();
    let now = app.clock.now();
    let claim = app
        .idempotency
        .claim_idempotency_key(
            principal.clone(),
            key.clone(),
            fingerprint(operation, body),
            now,
            now - app.idempotency_lease,
        )
        .await
        .map_err(store_error)?;
    let claim_token = match claim {
        IdempotencyClaim::Claimed { claim_token } => claim_token,
        IdempotencyClaim::Completed { status, body } => return replay(status, &body),
        IdempotencyClaim::Mismatch => return Err(reused()),
        IdempotencyClaim::InFlight => return Err(idempotency_key_in_use()),
        IdempotencyClaim::AppliedWithoutAnswer { applied_at } => {
            return Err(applied_without_answer(applied_at));
        }
    };
    let mark = IdempotencyMark {
        principal,
        key,
        claim_token,
    };
    let answer = request(Some(mark.clone())).await;
    let kept = match &answer {
        Ok(Json(value)) => Some((200, value.to_json().map(|json| json.to_string()))),
        Err(error) => match app.idempotency.release_idempotency_key(mark.clone()).await {
            Ok(true) => None,
            // The change committed before the error: the error is the answer, kept. (When a
            // retry took the key over, this claim's token no longer matches and nothing is kept.)
            Ok(false) => Some((
                error.status().as_u16(),
                serde_json::to_string(&error.document(None)).ok(),
            )),
            Err(release_error) => {
                tracing::warn!(%release_error, "could not give an idempotency key back");
                None
            }
        },
    };
    if let Some((status, Some(body))) = kept {
        app.idempotency
            .complete_idempotency_key(mark, status, body)
            .await
            .map_err(store_error)?;
    }
    answer
}

/// [`idempotent`] for a change made with a reason: `request` gets the change's
/// [`ActionContext`] (the caller, `reason`, and the key's claim), or the request is refused
/// with `reason-required` before anything changes.
pub async fn idempotent_change<T, B, F>(
    app: &App,
    caller: &Caller,
    key: Option<String>,
    operation: &str,
    body: &B,
    reason: &str,
    request: impl FnOnce(ActionContext) -> F,
) -> Result<Json<T>, ApiError>
where
    T: ToJSON + ParseFromJSON,
    B: ToJSON,
    F: Future<Output = Result<Json<T>, ApiError>>,
{
    idempotent(app, caller, key, operation, body, |mark| async move {
        request(caller.context(reason)?.with_idempotency(mark)).await
    })
    .await
}

/// SHA-256 of the operation, its target and the body.
fn fingerprint(operation: &str, body: &impl ToJSON) -> String {
    let json = body
        .to_json()
        .map(|value| value.to_string())
        .unwrap_or_default();
    let digest = Sha256::digest(format!("{operation}\n{json}").as_bytes());
    hex::encode(digest)
}

/// The kept answer of an earlier run.
fn replay<T: ParseFromJSON>(status: u16, body: &str) -> Result<Json<T>, ApiError> {
    if status == 200 {
        let value: serde_json::Value =
            serde_json::from_str(body).map_err(|error| ApiError::internal(&error))?;
        return T::parse_from_json(Some(value))
            .map(Json)
            .map_err(|error| ApiError::internal(&error.into_message()));
    }
    let document: crate::problem::ProblemDocument =
        serde_json::from_str(body).map_err(|error| ApiError::internal(&error))?;
    Err(ApiError::replayed(document))
}

fn reused() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
        "The Idempotency-Key was used for another request",
        "this key was sent before with a different request; use a new key for a new request",
    )
}

fn applied_without_answer(applied_at: time::OffsetDateTime) -> ApiError {
    let at = crate::dates::rfc3339(applied_at);
    ApiError::new(
        StatusCode::CONFLICT,
        "idempotency-key-applied",
        "The request took effect, but its answer was lost",
        format!(
            "the request with this Idempotency-Key took effect at {at}, but Kasa stopped before \
             it could keep the answer; it will never be applied again: read the resource to see \
             the result"
        ),
    )
    .with_facts(serde_json::json!({ "applied_at": at }))
}
