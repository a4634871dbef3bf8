//! `Idempotency-Key` on requests that move money or credits: the same key with the same request
//! returns the first answer and changes nothing; the same key with another request is refused.
//!
//! Only successful answers are kept. A refused request (4xx) changed nothing, so its key is given
//! back and the request may be sent again, corrected or not. After a 5xx Kasa cannot tell whether
//! the change happened (the database may have committed before the failure), so the key stays
//! taken: sending it again answers `idempotency-key-in-use`, and the caller reads the resource to
//! see what happened, as it does for a key whose request is still running.

use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use sha2::{Digest, Sha256};

use crate::api::store_error;
use crate::app::App;
use crate::auth::Caller;
use crate::problem::ApiError;

/// Runs `request` at most once per `key` (when one is given) for this caller. `operation` names
/// the operation and its target (e.g. `grant_package <customer id>`): a key reused for another
/// target is another request.
pub async fn idempotent<T, B>(
    app: &App,
    caller: &Caller,
    key: Option<String>,
    operation: &str,
    body: &B,
    request: impl Future<Output = Result<Json<T>, ApiError>>,
) -> Result<Json<T>, ApiError>
where
    T: ToJSON + ParseFromJSON,
    B: ToJSON,
{
    let Some(key) = key else {
        return request.await;
    };
    if key.is_empty() || key.len() > 200 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            "an Idempotency-Key is 1-200 visible ASCII characters (a UUID is a good choice)",
        ));
    }
    let principal = caller.actor.to_string();
    let fingerprint = {
        let json = body
            .to_json()
            .map(|value| value.to_string())
            .unwrap_or_default();
        let digest = Sha256::digest(format!("{operation}\n{json}").as_bytes());
        digest
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    };
    let claim = app
        .idempotency
        .claim_idempotency_key(principal.clone(), key.clone(), fingerprint, app.clock.now())
        .await
        .map_err(store_error)?;
    match claim {
        kasa_ports::IdempotencyClaim::Claimed => {}
        kasa_ports::IdempotencyClaim::Completed { body, .. } => {
            let value: serde_json::Value =
                serde_json::from_str(&body).map_err(|error| ApiError::internal(&error))?;
            return T::parse_from_json(Some(value))
                .map(Json)
                .map_err(|error| ApiError::internal(&error.into_message()));
        }
        kasa_ports::IdempotencyClaim::Mismatch => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "The Idempotency-Key was used for another request",
                "this key was sent before with a different request; use a new key for a new \
                 request",
            ));
        }
        kasa_ports::IdempotencyClaim::InFlight => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "idempotency-key-in-use",
                "The same request is still running",
                "a request with this Idempotency-Key has not finished; read the resource to see \
                 whether it took effect before sending it again",
            ));
        }
    }
    let answer = request.await;
    match &answer {
        Ok(Json(value)) => {
            let body = value
                .to_json()
                .map(|json| json.to_string())
                .unwrap_or_default();
            app.idempotency
                .complete_idempotency_key(principal, key, 200, body)
                .await
                .map_err(store_error)?;
        }
        Err(_) => {
            if let Err(error) = app
                .idempotency
                .release_idempotency_key(principal, key)
                .await
            {
                tracing::warn!(%error, "could not give an idempotency key back");
            }
        }
    }
    answer
}
