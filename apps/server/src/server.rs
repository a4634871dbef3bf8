//! The HTTP server: the OpenAPI service, health, metrics, request ids and error documents.

use std::time::Instant;

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler};
use poem_openapi::OpenApiService;

use crate::api::access::AccessApi;
use crate::api::billing::{BillingApi, MeApi};
use crate::api::catalog::CatalogApi;
use crate::api::customers::CustomersApi;
use crate::api::payments::PaymentsApi;
use crate::api::settings::SettingsApi;
use crate::app::App;
use crate::metrics::Metrics;
use crate::problem::{ApiError, from_poem_error};

/// The id of one request: sent back as `X-Request-Id`, written in logs, the audit log and
/// problem documents.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Every part of the API, in the order the spec lists them.
type Apis = (
    AccessApi,
    CatalogApi,
    CustomersApi,
    BillingApi,
    PaymentsApi,
    MeApi,
    SettingsApi,
);

/// The OpenAPI service (also used by `kasa openapi` and the spec test).
pub fn openapi() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            AccessApi,
            CatalogApi,
            CustomersApi,
            BillingApi,
            PaymentsApi,
            MeApi,
            SettingsApi,
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

/// Paths that work with the billing module off: signing in, and what an administrator needs to
/// manage access and switch billing back on.
const OUTSIDE_BILLING: [&str; 6] = [
    "/v1/sessions",
    "/v1/users",
    "/v1/api-keys",
    "/v1/roles",
    "/v1/settings",
    "/v1/outbox",
];

/// With the billing module off (product rule 11), every billing endpoint answers 403
/// `billing-disabled` to an authenticated caller.
pub async fn billing_module_refusal(app: &App, path: &str) -> Option<ApiError> {
    if !path.starts_with("/v1/")
        || OUTSIDE_BILLING
            .iter()
            .any(|prefix| path.starts_with(prefix))
    {
        return None;
    }
    match app.billing_switch.is_on(app.store.as_ref()).await {
        Ok(true) => None,
        Ok(false) => Some(ApiError::new(
            StatusCode::FORBIDDEN,
            "billing-disabled",
            "The billing module is off",
            "billing is switched off in the settings (PUT /v1/settings/billing); an \
             administrator can switch it on",
        )),
        Err(error) => Some(crate::api::store_error(error)),
    }
}

/// Every route, with the request-id, logging and error middleware.
pub fn routes(app: App, metrics: Metrics) -> impl Endpoint {
    let api = openapi();
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    Route::new()
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(metrics_text))
        .at("/openapi.json", spec)
        .at("/billing", get(crate::pages::billing_page))
        .at("/billing/checkout", poem::post(crate::pages::checkout))
        .at(
            "/billing/card",
            get(crate::pages::card_page).post(crate::pages::save_card),
        )
        .at(
            "/gateways/:gateway/return",
            poem::post(crate::pages::gateway_return),
        )
        .at(
            "/gateways/:gateway/webhook",
            poem::post(crate::stripe::webhook),
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
                // A key that is not text would otherwise reach the operation as no key at all,
                // and the request would run without its guarantee: refuse it here.
                let keys: Vec<_> = request.headers().get_all("Idempotency-Key").iter().collect();
                let bad_key = keys.len() > 1
                    || keys
                        .iter()
                        .any(|key| !crate::idempotency::acceptable_key(key.as_bytes()));
                let mut response = if bad_key {
                    crate::idempotency::invalid_key().response(Some(request_id.clone()))
                } else {
                    match endpoint.call(request).await {
                        Ok(response) => response.into_response(),
                        Err(error) => from_poem_error(&error).response(Some(request_id.clone())),
                    }
                };
                if response.status().is_server_error() {
                    tracing::error!(%request_id, %method, %path, status = %response.status(), "request failed");
                } else {
                    tracing::info!(%request_id, %method, %path, status = %response.status(), elapsed_us = started.elapsed().as_micros() as u64, "request");
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
        })
}

/// The OpenAPI specification as JSON, as served at /openapi.json.
pub fn spec_json() -> String {
    openapi().spec()
}
