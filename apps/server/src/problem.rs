//! Errors as RFC 9457 problem documents (`application/problem+json`), each with a stable `code`
//! catalogued in docs/api-errors.md. A business refusal is a 4xx that says what to do; a 5xx
//! never carries internals (they are logged with the request id).

use std::borrow::Cow;

use kasa_ports::StoreError;
use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object};
use serde::Serialize;

/// Logs a 5xx's cause once: inside a request, it is recorded on the request's span, so the
/// line that logs the failed request carries the request id and the cause together; outside
/// one (a background job, a command), it is logged on its own line.
fn log_cause(cause: &dyn std::fmt::Display, what: &'static str) {
    let span = tracing::Span::current();
    if span.has_field("cause") {
        span.record(
            "cause",
            tracing::field::display(format_args!("{what}: {cause}")),
        );
    } else {
        tracing::error!(%cause, "{what}");
    }
}

/// A problem document (RFC 9457).
#[derive(Clone, Debug, Object, Serialize, serde::Deserialize)]
#[oai(rename = "Problem")]
pub struct ProblemDocument {
    /// A URI naming the problem type: `https://kasa.dev/problems/<code>`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// The stable, machine-readable code (see docs/api-errors.md).
    pub code: String,
    /// What happened and what to do, for a person.
    pub detail: String,
    /// The request id, to quote when asking for help.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Facts that go with the refusal (balance, price, renewal date, ...), when there are any.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facts: Option<serde_json::Value>,
}

/// An error answer.
#[derive(Clone, Debug)]
pub struct ApiError {
    status: StatusCode,
    code: Cow<'static, str>,
    title: Cow<'static, str>,
    detail: String,
    facts: Option<serde_json::Value>,
    retry_after_seconds: Option<u32>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{} ({}): {}",
            self.code, self.status, self.detail
        )
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// A problem with a status, a stable code, its title and a detail for a person.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code: Cow::Borrowed(code),
            title: Cow::Borrowed(title),
            detail: detail.into(),
            facts: None,
            retry_after_seconds: None,
        }
    }

    /// A problem kept from an earlier answer (an `Idempotency-Key` replay).
    pub fn replayed(document: ProblemDocument) -> Self {
        Self {
            status: StatusCode::from_u16(document.status)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: Cow::Owned(document.code),
            title: Cow::Owned(document.title),
            detail: document.detail,
            facts: document.facts,
            retry_after_seconds: None,
        }
    }

    /// The detail for a person.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The stable code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The problem's facts (balance, price, dates), if it has any.
    pub fn facts(&self) -> Option<&serde_json::Value> {
        self.facts.as_ref()
    }

    /// Adds facts (balance, price, dates) to the problem.
    #[must_use]
    pub fn with_facts(mut self, facts: serde_json::Value) -> Self {
        self.facts = Some(facts);
        self
    }

    /// Sends `Retry-After` (whole seconds, rounded up) with the problem.
    #[must_use]
    pub fn with_retry_after(mut self, wait: std::time::Duration) -> Self {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        self.retry_after_seconds = Some(u32::try_from(seconds.max(1)).unwrap_or(u32::MAX));
        self
    }

    /// 429 `too-many-attempts`: sign-in is throttled for this account or address.
    pub fn too_many_attempts(wait: std::time::Duration) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-attempts",
            "Too many sign-in attempts",
            "too many sign-ins failed for this account or from this address; wait for the \
             time in Retry-After, then try again (the password was not checked)",
        )
        .with_retry_after(wait)
    }

    /// 400 `invalid-input`: a value that parses but breaks a rule.
    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid-input",
            "A value in the request is not valid",
            detail,
        )
    }

    /// The same problem, saying which field of the request it is about (`facts.field`, so a
    /// form can show it next to that field).
    #[must_use]
    pub fn on_field(mut self, field: &'static str) -> Self {
        let mut facts = match self.facts.take() {
            Some(serde_json::Value::Object(facts)) => facts,
            _ => serde_json::Map::new(),
        };
        facts.insert("field".to_owned(), serde_json::Value::from(field));
        self.facts = Some(serde_json::Value::Object(facts));
        self
    }

    /// The field of the request the problem is about, when it names one.
    pub fn field(&self) -> Option<&str> {
        self.facts.as_ref()?.get("field")?.as_str()
    }

    /// 404 `not-found`, naming what was not found.
    pub fn not_found(what: kasa_ports::Entity) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("no such {what}; check the id or look it up again"),
        )
    }

    /// 409 `conflict`.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "conflict",
            "Conflicts with what exists",
            detail,
        )
    }

    /// 413 `payload-too-large`: a body larger than this path accepts (`limit_bytes`, when
    /// known, goes in the facts).
    pub fn payload_too_large(limit_bytes: Option<usize>) -> Self {
        let error = Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Request too large",
            match limit_bytes {
                Some(limit) => format!(
                    "the request body is larger than the {limit} bytes this endpoint accepts; \
                     nothing was read or changed"
                ),
                None => "the request body is larger than Kasa accepts".to_owned(),
            },
        );
        match limit_bytes {
            Some(limit) => error.with_facts(serde_json::json!({ "limit_bytes": limit })),
            None => error,
        }
    }

    /// 503 `store-unavailable`, logged with the cause (see [`log_cause`]).
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        log_cause(cause, "the store is unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store-unavailable",
            "The database is unavailable",
            "Kasa cannot reach its database right now. If this answered a change, read the \
             resource before sending it again (or resend with the same Idempotency-Key).",
        )
    }

    /// 500 `internal`, logged with the cause (see [`log_cause`]).
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        log_cause(cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "Something went wrong inside Kasa; it has been logged. Quote the request id.",
        )
    }

    /// The problem document, carrying `request_id`.
    pub fn document(&self, request_id: Option<String>) -> ProblemDocument {
        ProblemDocument {
            type_uri: format!("https://kasa.dev/problems/{}", self.code),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            code: self.code.to_string(),
            detail: self.detail.clone(),
            request_id,
            facts: self.facts.clone(),
        }
    }

    /// The response, carrying `request_id`.
    pub fn response(&self, request_id: Option<String>) -> Response {
        let body = serde_json::to_vec(&self.document(request_id)).unwrap_or_default();
        let mut builder = Response::builder()
            .status(self.status)
            .content_type("application/problem+json");
        if let Some(seconds) = self.retry_after_seconds {
            builder = builder.header(poem::http::header::RETRY_AFTER, seconds);
        }
        builder.body(body)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.response(None)
    }
}

impl poem::error::ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        self.response(None)
    }
}

impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        let content = || {
            vec![MetaMediaType {
                content_type: "application/problem+json",
                schema: ProblemDocument::schema_ref(),
            }]
        };
        MetaResponses {
            responses: vec![
                MetaResponse {
                    description: "Refused: a problem document (RFC 9457) whose `code` says why \
                                  (docs/api-errors.md).",
                    status: None,
                    status_range: Some("4XX".to_owned()),
                    content: content(),
                    headers: Vec::new(),
                },
                MetaResponse {
                    description: "Kasa or its database failed: a problem document; nothing was \
                                  changed unless the problem says so.",
                    status: None,
                    status_range: Some("5XX".to_owned()),
                    content: content(),
                    headers: Vec::new(),
                },
            ],
        }
    }

    fn register(registry: &mut Registry) {
        ProblemDocument::register(registry);
    }
}

/// Turns any error poem raises outside an operation (unparsable JSON, a wrong type, a missing
/// credential, an unknown route) into a problem document.
pub fn from_poem_error(error: &poem::Error) -> ApiError {
    if let Some(api_error) = error.downcast_ref::<ApiError>() {
        return api_error.clone();
    }
    let status = error.status();
    match status {
        StatusCode::BAD_REQUEST => ApiError::new(
            status,
            "malformed-request",
            "The request could not be read",
            format!("{error}; see /openapi.json for the expected shape"),
        ),
        StatusCode::UNAUTHORIZED => ApiError::new(
            status,
            "unauthenticated",
            "Authentication required",
            "send `Authorization: Bearer <token>` with an API key or a session token \
             (POST /v1/sessions)",
        ),
        StatusCode::NOT_FOUND => ApiError::new(
            status,
            "no-such-endpoint",
            "No such endpoint",
            "no endpoint has this path; see /openapi.json",
        ),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            "method-not-allowed",
            "Method not allowed",
            "this endpoint does not answer this HTTP method; see /openapi.json",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            status,
            "unsupported-media-type",
            "Unsupported media type",
            "send JSON with `Content-Type: application/json`",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(None),
        status if status.is_client_error() => ApiError::new(
            status,
            "bad-request",
            "The request was refused",
            error.to_string(),
        ),
        _ => ApiError::internal(error),
    }
}

/// A store failure as an API error.
pub fn store_error(error: StoreError) -> ApiError {
    match error {
        StoreError::NotFound { entity } => ApiError::not_found(entity),
        StoreError::AlreadyExists { what } => {
            ApiError::conflict(format!("{what} already exists; choose another"))
        }
        StoreError::PurchaseNotPending(purchase_id) => ApiError::new(
            StatusCode::CONFLICT,
            "purchase-not-pending",
            "The purchase is closed",
            format!("purchase {purchase_id} was already completed or closed; nothing changed"),
        ),
        StoreError::StaleVersion => ApiError::new(
            StatusCode::CONFLICT,
            "changed-meanwhile",
            "The customer changed meanwhile",
            "the customer's holding changed while this request ran; read it again and retry",
        ),
        StoreError::InsufficientCredits { balance } => ApiError::new(
            StatusCode::CONFLICT,
            "insufficient-credits",
            "Not enough credits",
            format!("the balance is {balance} credits"),
        )
        .with_facts(serde_json::json!({ "balance": balance.get() })),
        StoreError::Unavailable(cause) => ApiError::unavailable(&cause),
        StoreError::Corrupt(cause) => ApiError::internal(&cause),
        StoreError::IdempotencyKeyTakenOver => idempotency_key_in_use(),
        StoreError::CouponRefused(refusal) => coupon_refused(&refusal),
    }
}

/// 422 with the refusal's own code (`coupon-used-up`, ...): the coupon does not apply.
pub fn coupon_refused(refusal: &kasa_domain::CouponRefusal) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        refusal.code(),
        "The coupon does not apply",
        refusal.to_string(),
    )
    .with_facts(serde_json::to_value(refusal).unwrap_or_default())
}

/// 409 `idempotency-key-in-use`: the same request has taken effect and is still running, or was
/// taken over by a retry.
pub fn idempotency_key_in_use() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "idempotency-key-in-use",
        "The same request is still running",
        "a request with this Idempotency-Key is running; send it again in a moment to get its \
         answer",
    )
}
