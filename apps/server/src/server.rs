//! The HTTP server: the OpenAPI service, health, metrics, request ids and error documents.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;
use tracing::Instrument as _;

use poem::http::{StatusCode, header};
use poem::web::Data;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler};
use poem_openapi::OpenApiService;

use crate::api::access::AccessApi;
use crate::api::actions::ActionsApi;
use crate::api::billing_links::BillingLinksApi;
use crate::api::catalog::CatalogApi;
use crate::api::coupons::CouponsApi;
use crate::api::customers::CustomersApi;
use crate::api::help_desk::HelpDeskApi;
use crate::api::help_desk_apps::HelpDeskAppsApi;
use crate::api::help_desk_calls::HelpDeskCallsApi;
use crate::api::helpdesk_events::HelpDeskEventsApi;
use crate::api::imported_payments::ImportedPaymentsApi;
use crate::api::integrations::IntegrationsApi;
use crate::api::me::MeApi;
use crate::api::payment_requests::PaymentRequestsApi;
use crate::api::payments::PaymentsApi;
use crate::api::questions::QuestionsApi;
use crate::api::records::RecordsApi;
use crate::api::reports::ReportsApi;
use crate::api::settings::SettingsApi;
use crate::api::webhooks::WebhooksApi;
use crate::app::App;
use crate::metrics::Metrics;
use crate::problem::{ApiError, from_poem_error};
use crate::request_id::RequestId;

/// Every part of the API, in the order the spec lists them (poem-openapi takes tuples of at
/// most 16, so related parts are grouped).
type Apis = (
    AccessApi,
    CatalogApi,
    CustomersApi,
    HelpDeskApi,
    ActionsApi,
    RecordsApi,
    PaymentsApi,
    (PaymentRequestsApi, ImportedPaymentsApi),
    CouponsApi,
    SettingsApi,
    IntegrationsApi,
    ReportsApi,
    // The help desks' own surfaces: their outbox, their events, their apps.
    (HelpDeskCallsApi, HelpDeskEventsApi, HelpDeskAppsApi),
    // What customers reach with a billing link.
    (BillingLinksApi, MeApi, QuestionsApi),
    WebhooksApi,
);

/// The OpenAPI service (also used by `kasa openapi` and the spec test).
pub fn openapi() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            AccessApi,
            CatalogApi,
            CustomersApi,
            HelpDeskApi,
            ActionsApi,
            RecordsApi,
            PaymentsApi,
            (PaymentRequestsApi, ImportedPaymentsApi),
            CouponsApi,
            SettingsApi,
            IntegrationsApi,
            ReportsApi,
            (HelpDeskCallsApi, HelpDeskEventsApi, HelpDeskAppsApi),
            (BillingLinksApi, MeApi, QuestionsApi),
            WebhooksApi,
        ),
        "Kasa",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Billing support for help desks: credit and subscription packages per department, \
         ticket charges, agents' actions with an audit log. Authenticate with \
         `Authorization: Bearer <API key or session token>`. Every error is an RFC 9457 \
         problem document with a stable `code` (docs/api-errors.md).",
    )
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

#[handler]
async fn readyz(app: Data<&App>) -> Response {
    match app.database.ping().await {
        Ok(()) => "ready".into_response(),
        Err(error) => {
            tracing::warn!(%error, "not ready: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer",
            )
                .into_response()
        }
    }
}

#[handler]
fn metrics_text(metrics: Data<&Metrics>) -> Response {
    Response::builder()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render())
}

/// The most a gateway's callback or webhook may send: they are small forms and events.
const GATEWAY_BODY_LIMIT_BYTES: usize = 256 * 1024;
/// What the logo upload may always send: a 512 KiB image, base64-encoded inside JSON (or as
/// the console's multipart form).
const LOGO_BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// The largest body `path` accepts when the server is configured with `configured` bytes.
pub fn body_limit_bytes(configured: usize, path: &str) -> usize {
    if path.starts_with("/gateways/") {
        configured.min(GATEWAY_BODY_LIMIT_BYTES)
    } else if path == "/v1/settings/logo" || path == "/console/settings/logo" {
        configured.max(LOGO_BODY_LIMIT_BYTES)
    } else {
        configured
    }
}

/// A request body that fails once it has given more than `left` bytes, and says so in
/// `exceeded` (a body without `Content-Length` is only known to be too large while it is read).
struct LimitedBody<R> {
    inner: R,
    left: usize,
    exceeded: Arc<AtomicBool>,
}

impl<R: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for LimitedBody<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buffer.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(context, buffer) {
            Poll::Ready(Ok(())) => {
                let read = buffer.filled().len() - before;
                if read > this.left {
                    this.exceeded.store(true, Ordering::Relaxed);
                    return Poll::Ready(Err(std::io::Error::other(
                        "the request body is larger than the limit",
                    )));
                }
                this.left -= read;
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

/// Refuses a body that announces more than `path` accepts before reading any of it, and caps a
/// body sent without a length while it is read. Returns the flag set when the cap was hit.
fn limit_body(
    request: &mut Request,
    configured: usize,
) -> Result<Option<Arc<AtomicBool>>, ApiError> {
    let limit = body_limit_bytes(configured, request.uri().path());
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if let Some(length) = announced {
        // hyper holds the body to its Content-Length, so checking the header is enough.
        return if length > u64::try_from(limit).unwrap_or(u64::MAX) {
            Err(ApiError::payload_too_large(Some(limit)))
        } else {
            Ok(None)
        };
    }
    if !request.headers().contains_key(header::TRANSFER_ENCODING) {
        return Ok(None);
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let body = request.take_body().into_async_read();
    request.set_body(poem::Body::from_async_read(LimitedBody {
        inner: body,
        left: limit,
        exceeded: exceeded.clone(),
    }));
    Ok(Some(exceeded))
}

/// Paths outside the OpenAPI service and the methods they answer (kept beside `routes`).
const OTHER_ROUTES: [(&str, &str); 24] = [
    ("/static/{name}", "GET"),
    ("/healthz", "GET"),
    ("/readyz", "GET"),
    ("/metrics", "GET"),
    ("/openapi.json", "GET"),
    ("/billing", "GET"),
    ("/billing/checkout", "POST"),
    ("/billing/card", "GET, POST"),
    ("/billing/history", "GET"),
    ("/billing/documents/{file}", "GET"),
    ("/billing/result/{purchase}", "GET"),
    ("/billing/language", "POST"),
    ("/billing/tax-details", "GET, POST"),
    ("/billing/payment-method", "GET"),
    ("/billing/new-link", "POST"),
    ("/billing/new-link/sent", "GET"),
    ("/billing/logo", "GET"),
    ("/billing/{rest}", "GET"),
    ("/gateways/{gateway}/return", "POST"),
    ("/gateways/{gateway}/webhook", "POST"),
    ("/v1/helpdesk/{integration}/{source}", "POST"),
    ("/panel/zendesk/{integration}", "POST"),
    ("/panel/zendesk/{integration}/open", "GET"),
    ("/helpdesk/helpscout/{integration}/app", "POST"),
];

/// Every path template (`/v1/customers/{id}`) with the methods it answers, e.g. `GET, POST`.
fn route_methods() -> &'static [(String, String)] {
    static TABLE: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let spec: serde_json::Value =
            serde_json::from_str(&spec_json()).unwrap_or(serde_json::Value::Null);
        let mut table: Vec<(String, String)> = OTHER_ROUTES
            .iter()
            .chain(crate::web::CONSOLE_ROUTES.iter())
            .map(|(path, methods)| ((*path).to_owned(), (*methods).to_owned()))
            .collect();
        if let Some(paths) = spec["paths"].as_object() {
            for (path, operations) in paths {
                let methods: Vec<String> = ["get", "post", "put", "patch", "delete"]
                    .iter()
                    .filter(|method| operations.get(**method).is_some())
                    .map(|method| method.to_uppercase())
                    .collect();
                table.push((path.clone(), methods.join(", ")));
            }
        }
        table
    })
}

/// The methods `path` answers, for the `Allow` header of a 405.
pub fn allowed_methods(path: &str) -> Option<&'static str> {
    route_methods().iter().find_map(|(template, methods)| {
        crate::contract::template_matches(template, path).then_some(methods.as_str())
    })
}

/// Every route, with the request-id, logging and error middleware.
pub fn routes(app: App, metrics: Metrics) -> impl Endpoint {
    let max_body_bytes = app.max_body_bytes;
    let api = openapi();
    let docs = api.swagger_ui();
    crate::billing_pages::routes(Route::new())
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(metrics_text))
        .at("/openapi.json", get(spec_document))
        .at("/static/:name", get(crate::static_files::serve))
        .at(
            "/gateways/:gateway/webhook",
            poem::post(crate::webhook::webhook),
        )
        .at(
            "/v1/helpdesk/:integration/:source",
            poem::post(crate::api::helpdesk_events::inbound::deliver),
        )
        .nest("/console", crate::web::console_routes())
        .nest("/panel", crate::web::panel::routes())
        .at(
            "/helpdesk/helpscout/:integration/app",
            poem::post(crate::web::panel::helpscout::dynamic_app),
        )
        .nest("/docs", docs)
        .nest("/", api)
        .data(app)
        .data(metrics.clone())
        .around(move |endpoint, mut request: Request| {
            let metrics = metrics.clone();
            async move {
                let started = Instant::now();
                let request_id = request
                    .header("x-request-id")
                    .filter(|id| !id.is_empty() && id.len() <= 100)
                    .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
                request.extensions_mut().insert(RequestId(request_id.clone()));
                let method = request.method().to_string();
                let path = request.uri().path().to_owned();
                // One span per request: every line logged while it runs (a 5xx's cause included,
                // recorded by `ApiError::internal`/`unavailable`) carries its request id. At
                // error level, so it is on whenever a failure is logged (`KASA_LOG=warn` too).
                let span = tracing::error_span!(
                    "request",
                    request_id = %request_id,
                    method = %method,
                    path = %path,
                    cause = tracing::field::Empty,
                );
                async move {
                    // A key that is not text would otherwise reach the operation as no key at all,
                    // and the request would run without its guarantee: refuse it here.
                    let keys: Vec<_> = request.headers().get_all("Idempotency-Key").iter().collect();
                    let bad_key = keys.len() > 1
                        || keys
                            .iter()
                            .any(|key| !crate::idempotency::acceptable_key(key.as_bytes()));
                    let limited = limit_body(&mut request, max_body_bytes);
                    let mut response = match limited {
                        _ if bad_key => {
                            crate::idempotency::invalid_key().response(Some(request_id.clone()))
                        }
                        Err(too_large) => too_large.response(Some(request_id.clone())),
                        Ok(exceeded) => {
                            let checked = refuse_wrong_types(&mut request, &method, &path).await;
                            let answer = match checked {
                                Err(refused) => Ok(refused.response(Some(request_id.clone()))),
                                Ok(()) => endpoint.call(request).await.map(IntoResponse::into_response),
                            };
                            let answer = match answer {
                                Ok(response) => response.into_response(),
                                Err(error) => {
                                    from_poem_error(&error).response(Some(request_id.clone()))
                                }
                            };
                            if exceeded.is_some_and(|flag| flag.load(Ordering::Relaxed)) {
                                ApiError::payload_too_large(Some(body_limit_bytes(
                                    max_body_bytes,
                                    &path,
                                )))
                                .response(Some(request_id.clone()))
                            } else {
                                answer
                            }
                        }
                    };
                    if response.status() == StatusCode::METHOD_NOT_ALLOWED
                        && let Some(methods) = allowed_methods(&path)
                        && let Ok(value) = methods.parse()
                    {
                        response.headers_mut().insert(header::ALLOW, value);
                    }
                    if response.status().is_server_error() {
                        tracing::error!(status = %response.status(), "request failed");
                    } else {
                        tracing::info!(status = %response.status(), elapsed_us = started.elapsed().as_micros() as u64, "request");
                    }
                    let operation = response
                        .extensions()
                        .get::<poem_openapi::OperationId>()
                        .map_or("other", |operation| operation.0);
                    metrics.observe(operation, response.status().as_u16(), started.elapsed());
                    if let Ok(value) = request_id.parse() {
                        response.headers_mut().insert("x-request-id", value);
                    }
                    Ok::<Response, poem::Error>(response)
                }
                .instrument(span)
                .await
            }
        })
}

/// The finished spec, parsed once.
fn spec_value() -> &'static serde_json::Value {
    static SPEC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| serde_json::from_str(&spec_json()).unwrap_or(serde_json::Value::Null))
}

/// Refuses a JSON body under /v1 that sends a number or a boolean where the contract says
/// string (see [`crate::contract::wrong_type_in`]), and reads `5.0` as the integer 5 where
/// it says integer; the body is put back for the operation.
async fn refuse_wrong_types(
    request: &mut Request,
    method: &str,
    path: &str,
) -> Result<(), ApiError> {
    let is_json = request
        .content_type()
        .is_some_and(|kind| kind.starts_with("application/json"));
    if !path.starts_with("/v1/") || !is_json {
        return Ok(());
    }
    let spec = spec_value();
    let Some(schema) = crate::contract::request_schema(spec, method, path) else {
        return Ok(());
    };
    let Ok(bytes) = request.take_body().into_bytes().await else {
        // Too large (the caller's limit flag says so) or cut off: the operation reports it.
        return Ok(());
    };
    let Ok(mut body) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        request.set_body(bytes);
        return Ok(());
    };
    if crate::contract::rewrite_whole_numbers(spec, schema, &mut body) {
        request.set_body(serde_json::to_vec(&body).unwrap_or_default());
    } else {
        request.set_body(bytes);
    }
    match crate::contract::wrong_type_in(spec, schema, &body) {
        None => Ok(()),
        Some((field, value)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-request",
            "The request could not be read",
            format!("`{field}` cannot be {value}; see /openapi.json for its type"),
        )
        .with_facts(serde_json::json!({ "field": field }))),
    }
}

/// The OpenAPI specification as JSON, as served at /openapi.json: poem-openapi's, finished
/// by [`crate::contract::finish`] into the exact contract.
pub fn spec_json() -> String {
    static SPEC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        let mut spec: serde_json::Value =
            serde_json::from_str(&openapi().spec()).expect("poem-openapi writes JSON");
        crate::contract::finish(&mut spec);
        serde_json::to_string_pretty(&spec).expect("a JSON value serializes")
    })
    .clone()
}

#[handler]
fn spec_document() -> Response {
    Response::builder()
        .content_type("application/json; charset=utf-8")
        .body(spec_json())
}
