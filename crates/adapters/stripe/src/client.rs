//! A small typed Stripe client over hyper + hyper-rustls on *ring* (ADR 0006: not reqwest).
//!
//! Every request carries `Authorization: Bearer <secret key>`, the pinned `Stripe-Version` and a
//! timeout; every POST a caller-supplied [`IdempotencyKey`] (Kasa derives them from its own ids,
//! so a retry repeats the key and Stripe answers it without doing the work twice). A call that
//! failed on the way (connection, timeout, HTTP 409, 429 or 5xx) is sent again up to
//! `max_network_retries` times with the same key. Bodies are form-encoded with Stripe's bracket
//! notation ([`Form`]). Errors are [`StripeError`]s, which turn into the port's
//! [`GatewayError`]s; no error text ever contains the secret key.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::{Method, Request, StatusCode, header};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kasa_domain::{Currency, Money};
use kasa_ports::GatewayError;
use serde::de::DeserializeOwned;

use crate::config::StripeConfig;
use crate::form::{Form, IdempotencyKey};
use crate::types::{
    ApiErrorBody, ApiErrorDetails, Customer, Deleted, List, PaymentIntent, PaymentMethod, Plan,
    Refund, SetupIntent, Subscription, TaxId,
};

/// The largest answer read; Stripe's objects are a few kilobytes.
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// How much of an unreadable body an error quotes.
const EXCERPT_CHARS: usize = 200;
/// The pause before the first retry; doubled for each further one.
const FIRST_RETRY_DELAY: Duration = Duration::from_millis(250);
/// The `User-Agent` of API calls.
const USER_AGENT: &str = concat!("kasa-stripe/", env!("CARGO_PKG_VERSION"));

/// Why a Stripe call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StripeError {
    /// Stripe answered with its error document.
    #[error("Stripe answered HTTP {status} ({}): {}", details.error_type.as_deref().unwrap_or("error"), details.message.as_deref().unwrap_or("no message"))]
    Api {
        /// The HTTP status.
        status: u16,
        /// The error document's details (messages have the secret key masked).
        details: ApiErrorDetails,
    },
    /// The server answered an error status with a body that is not Stripe's error document
    /// (localstripe answers some bad inputs with a plain-text 500).
    #[error("Stripe answered HTTP {status} with a body that is not an error document: {excerpt}")]
    UnreadableError {
        /// The HTTP status.
        status: u16,
        /// The beginning of the body.
        excerpt: String,
    },
    /// A success status with a body this adapter cannot read.
    #[error("Stripe's answer could not be read: {0}")]
    UnreadableAnswer(String),
    /// No connection, or the connection broke.
    #[error("Stripe could not be reached: {0}")]
    Transport(String),
    /// No full answer came in time.
    #[error("Stripe did not answer in time")]
    Timeout,
    /// The request could not be made (a bad id or amount; a programming or settings error).
    #[error("the Stripe request could not be made: {0}")]
    InvalidRequest(String),
}

impl StripeError {
    /// Whether sending the same request again (same idempotency key) may succeed.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport(_) | Self::Timeout => true,
            Self::Api { status, .. } | Self::UnreadableError { status, .. } => {
                matches!(status, 409 | 429) || *status >= 500
            }
            Self::UnreadableAnswer(_) | Self::InvalidRequest(_) => false,
        }
    }

    /// The error code, when Stripe gave one.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { details, .. } => details.code.as_deref(),
            _ => None,
        }
    }
}

impl From<StripeError> for GatewayError {
    /// - a card error (`type` `card_error`, or HTTP 402, which localstripe sends with
    ///   `invalid_request_error`) → `Declined { code: decline_code, else code }`;
    /// - HTTP 401 and 403 → `Misconfigured` (wrong or restricted key);
    /// - HTTP 409, 429, 5xx, `api_error`, connection failures, and unreadable error bodies with
    ///   a 5xx status → `Unavailable`;
    /// - no answer in time → `Timeout`;
    /// - every other error document (`invalid_request_error`, `idempotency_error`) →
    ///   `Refused { code, message }`; an unreadable 4xx body → `Refused { code: "http_<status>" }`;
    /// - an unreadable success body → `Malformed`.
    fn from(error: StripeError) -> Self {
        match error {
            StripeError::Api { status, details } => api_error(status, details),
            StripeError::UnreadableError { status, excerpt } => match status {
                401 | 403 => {
                    Self::Misconfigured(format!("Stripe refused the API key (HTTP {status})"))
                }
                409 | 429 | 500.. => {
                    Self::Unavailable(format!("Stripe answered HTTP {status}: {excerpt}"))
                }
                _ => Self::Refused {
                    code: format!("http_{status}"),
                    message: excerpt,
                },
            },
            StripeError::UnreadableAnswer(detail) => {
                Self::Malformed(format!("Stripe's answer could not be read: {detail}"))
            }
            StripeError::Transport(detail) => Self::Unavailable(detail),
            StripeError::Timeout => Self::Timeout,
            StripeError::InvalidRequest(detail) => Self::Refused {
                code: "invalid_request".to_owned(),
                message: detail,
            },
        }
    }
}

fn api_error(status: u16, details: ApiErrorDetails) -> GatewayError {
    let error_type = details.error_type.clone().unwrap_or_default();
    let message = details
        .message
        .clone()
        .unwrap_or_else(|| format!("Stripe answered HTTP {status}"));
    if error_type == "card_error" || status == 402 {
        let code = details
            .decline_code
            .or(details.code)
            .unwrap_or_else(|| "card_declined".to_owned());
        return GatewayError::Declined { code, message };
    }
    match status {
        401 | 403 => GatewayError::Misconfigured(format!(
            "Stripe refused the API key (HTTP {status}): {message}"
        )),
        409 | 429 | 500.. => {
            GatewayError::Unavailable(format!("Stripe answered HTTP {status}: {message}"))
        }
        _ if error_type == "api_error" => GatewayError::Unavailable(message),
        _ => GatewayError::Refused {
            code: details
                .code
                .unwrap_or_else(|| non_empty_or(error_type, "invalid_request_error")),
            message,
        },
    }
}

fn non_empty_or(text: String, fallback: &str) -> String {
    if text.is_empty() {
        fallback.to_owned()
    } else {
        text
    }
}

/// The TLS settings: *ring*, Mozilla roots, TLS 1.2 and 1.3; nothing process-wide.
fn tls_config() -> Result<rustls::ClientConfig, GatewayError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|error| GatewayError::Misconfigured(format!("TLS settings: {error}")))?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

/// A money amount in Stripe's terms: integer minor units and the lower-case currency code.
///
/// # Errors
/// [`StripeError::InvalidRequest`] when it does not fit in an `i64`.
pub fn to_stripe_amount(money: &Money) -> Result<(i64, String), StripeError> {
    let minor_units = money
        .to_minor_units()
        .map_err(|error| StripeError::InvalidRequest(format!("amount {money}: {error}")))?;
    Ok((
        minor_units,
        money.currency().alpha_code().to_ascii_lowercase(),
    ))
}

/// Stripe's integer minor units and currency code as Kasa money.
///
/// # Errors
/// [`GatewayError::Malformed`] for a currency Kasa does not sell in.
pub fn from_stripe_amount(minor_units: i64, currency: &str) -> Result<Money, GatewayError> {
    let currency: Currency = currency.parse().map_err(|_| {
        GatewayError::Malformed(format!("Stripe sent the unknown currency `{currency}`"))
    })?;
    Money::from_minor_units(minor_units, currency)
        .map_err(|error| GatewayError::Malformed(format!("Stripe sent an amount: {error}")))
}

/// Checks that an id Stripe gave is safe in a URL path (letters, digits and `_`).
fn path_id(id: &str) -> Result<&str, StripeError> {
    if !id.is_empty()
        && id.len() <= 255
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        Ok(id)
    } else {
        Err(StripeError::InvalidRequest(format!(
            "`{id}` is not a Stripe id"
        )))
    }
}

/// A new customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewCustomer {
    /// The e-mail address.
    pub email: String,
    /// The name.
    pub name: Option<String>,
    /// Preferred languages for Stripe's own mails and pages (`tr`, `en`).
    pub preferred_locales: Vec<String>,
    /// Metadata (e.g. `kasa_customer_id`).
    pub metadata: Vec<(String, String)>,
}

/// How often a plan bills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanInterval {
    /// Every `n` days.
    Day,
    /// Every `n` weeks.
    Week,
    /// Every `n` months.
    Month,
    /// Every `n` years.
    Year,
}

impl PlanInterval {
    /// Stripe's word.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
        }
    }
}

/// A new plan with its product made inline (one per subscription package).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPlan {
    /// The price per period.
    pub amount: Money,
    /// The interval.
    pub interval: PlanInterval,
    /// How many intervals one period has (e.g. 30 days).
    pub interval_count: u32,
    /// The product's name (what the customer sees).
    pub product_name: String,
    /// An internal name.
    pub nickname: Option<String>,
    /// Metadata (e.g. `kasa_package_id`).
    pub metadata: Vec<(String, String)>,
}

/// A Stripe API client for one account.
#[derive(Clone)]
pub struct StripeClient {
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    config: StripeConfig,
}

impl std::fmt::Debug for StripeClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("StripeClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl StripeClient {
    /// A client for the account `config` describes.
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] when the config is invalid ([`StripeConfig::validate`]).
    pub fn new(config: StripeConfig) -> Result<Self, GatewayError> {
        config.validate()?;
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(config.timeout));
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls_config()?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let http = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self { http, config })
    }

    /// The account's settings.
    #[must_use]
    pub const fn config(&self) -> &StripeConfig {
        &self.config
    }

    // --- Generic calls ----------------------------------------------------------------------

    /// `GET path?query`, read as `T`.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &Form,
    ) -> Result<T, StripeError> {
        let path = if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", query.encode())
        };
        self.call(Method::GET, &path, None, None).await
    }

    /// `POST path` with a form body and an idempotency key, read as `T`.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &Form,
        idempotency_key: &IdempotencyKey,
    ) -> Result<T, StripeError> {
        self.call(
            Method::POST,
            path,
            Some(form.encode()),
            Some(idempotency_key),
        )
        .await
    }

    /// `DELETE path`, read as `T` (Stripe takes no idempotency key for a DELETE).
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, StripeError> {
        self.call(Method::DELETE, path, None, None).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<T, StripeError> {
        let mut attempt = 0;
        let (status, body) = loop {
            let result = self
                .send_once(&method, path, body.as_deref(), idempotency_key)
                .await
                .and_then(|(status, body)| {
                    if status.is_success() {
                        Ok((status, body))
                    } else {
                        Err(self.error_from(status, &body))
                    }
                });
            match result {
                Ok(answer) => break answer,
                Err(error) if error.is_retryable() && attempt < self.config.max_network_retries => {
                    tracing::warn!(%method, path, attempt, %error, "Stripe call failed; sending it again");
                    tokio::time::sleep(FIRST_RETRY_DELAY * 2_u32.saturating_pow(attempt)).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        };
        debug_assert!(status.is_success());
        serde_json::from_slice(&body)
            .map_err(|error| StripeError::UnreadableAnswer(format!("{method} {path}: {error}")))
    }

    async fn send_once(
        &self,
        method: &Method,
        path: &str,
        body: Option<&str>,
        idempotency_key: Option<&IdempotencyKey>,
    ) -> Result<(StatusCode, Bytes), StripeError> {
        let uri = format!("{}{path}", self.config.base_url);
        let mut request = Request::builder()
            .method(method.clone())
            .uri(&uri)
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.config.secret_key.expose()),
            )
            .header("Stripe-Version", &self.config.api_version)
            .header(header::USER_AGENT, USER_AGENT)
            .header(header::ACCEPT, "application/json");
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key.as_str());
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default().to_owned())))
            .map_err(|error| StripeError::InvalidRequest(format!("{method} {path}: {error}")))?;
        let exchange = async {
            let answer = self.http.request(request).await.map_err(|error| {
                StripeError::Transport(if error.is_connect() {
                    format!("could not connect to {}: {error}", self.config.base_url)
                } else {
                    format!("{method} {path} failed: {error}")
                })
            })?;
            let status = answer.status();
            let body = Limited::new(answer.into_body(), MAX_RESPONSE_BYTES)
                .collect()
                .await
                .map_err(|error| {
                    StripeError::Transport(format!(
                        "the answer to {method} {path} broke off: {error}"
                    ))
                })?
                .to_bytes();
            Ok::<_, StripeError>((status, body))
        };
        tokio::time::timeout(self.config.timeout, exchange)
            .await
            .map_err(|_| StripeError::Timeout)?
    }

    /// An error status's body as a [`StripeError`], with the secret key masked in every text.
    fn error_from(&self, status: StatusCode, body: &[u8]) -> StripeError {
        let status = status.as_u16();
        match serde_json::from_slice::<ApiErrorBody>(body) {
            Ok(ApiErrorBody { mut error }) => {
                error.message = error.message.map(|message| self.redact(&message));
                error.param = error.param.map(|param| self.redact(&param));
                StripeError::Api {
                    status,
                    details: error,
                }
            }
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let excerpt: String = text.trim().chars().take(EXCERPT_CHARS).collect();
                StripeError::UnreadableError {
                    status,
                    excerpt: self.redact(&excerpt),
                }
            }
        }
    }

    fn redact(&self, text: &str) -> String {
        let key = self.config.secret_key.expose();
        if key.is_empty() {
            text.to_owned()
        } else {
            text.replace(key, "sk_***")
        }
    }

    // --- Customers ---------------------------------------------------------------------------

    /// Creates a customer.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn create_customer(
        &self,
        customer: &NewCustomer,
        idempotency_key: &IdempotencyKey,
    ) -> Result<Customer, StripeError> {
        let mut form = Form::new()
            .field("email", &customer.email)
            .optional("name", customer.name.as_deref());
        for (index, locale) in customer.preferred_locales.iter().enumerate() {
            form = form.field(&format!("preferred_locales[{index}]"), locale);
        }
        for (key, value) in &customer.metadata {
            form = form.nested("metadata", key, value);
        }
        self.post("/v1/customers", &form, idempotency_key).await
    }

    /// The most recent customer with exactly this e-mail address, if any.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn find_customer_by_email(
        &self,
        email: &str,
    ) -> Result<Option<Customer>, StripeError> {
        let page: List<Customer> = self
            .get(
                "/v1/customers",
                &Form::new().field("email", email).field("limit", 1),
            )
            .await?;
        Ok(page
            .data
            .into_iter()
            .find(|customer| !customer.deleted && customer.email.as_deref() == Some(email)))
    }

    /// A customer.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn retrieve_customer(&self, customer_id: &str) -> Result<Customer, StripeError> {
        self.get(
            &format!("/v1/customers/{}", path_id(customer_id)?),
            &Form::new(),
        )
        .await
    }

    /// Makes `payment_method_id` the customer's default for invoices and subscriptions
    /// (`invoice_settings[default_payment_method]`).
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn set_default_payment_method(
        &self,
        customer_id: &str,
        payment_method_id: &str,
        idempotency_key: &IdempotencyKey,
    ) -> Result<Customer, StripeError> {
        self.post(
            &format!("/v1/customers/{}", path_id(customer_id)?),
            &Form::new().nested(
                "invoice_settings",
                "default_payment_method",
                path_id(payment_method_id)?,
            ),
            idempotency_key,
        )
        .await
    }

    // --- Payment methods and SetupIntents -----------------------------------------------------

    /// A payment method.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn retrieve_payment_method(
        &self,
        payment_method_id: &str,
    ) -> Result<PaymentMethod, StripeError> {
        self.get(
            &format!("/v1/payment_methods/{}", path_id(payment_method_id)?),
            &Form::new(),
        )
        .await
    }

    /// Attaches a payment method to a customer.
    ///
    /// # Errors
    /// [`StripeError`] (a card refused at attachment is a 402 card error).
    pub async fn attach_payment_method(
        &self,
        payment_method_id: &str,
        customer_id: &str,
        idempotency_key: &IdempotencyKey,
    ) -> Result<PaymentMethod, StripeError> {
        self.post(
            &format!("/v1/payment_methods/{}/attach", path_id(payment_method_id)?),
            &Form::new().field("customer", path_id(customer_id)?),
            idempotency_key,
        )
        .await
    }

    /// Starts saving a card for a customer's later (off-session) payments; the card page
    /// confirms it with the client secret.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn create_setup_intent(
        &self,
        customer_id: &str,
        metadata: &[(String, String)],
        idempotency_key: &IdempotencyKey,
    ) -> Result<SetupIntent, StripeError> {
        let mut form = Form::new()
            .field("customer", path_id(customer_id)?)
            .field("usage", "off_session");
        for (key, value) in metadata {
            form = form.nested("metadata", key, value);
        }
        self.post("/v1/setup_intents", &form, idempotency_key).await
    }

    /// A SetupIntent.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn retrieve_setup_intent(
        &self,
        setup_intent_id: &str,
    ) -> Result<SetupIntent, StripeError> {
        self.get(
            &format!("/v1/setup_intents/{}", path_id(setup_intent_id)?),
            &Form::new(),
        )
        .await
    }

    /// Finishes a card update: the succeeded SetupIntent's card is attached to the customer (when
    /// it is not yet) and made their default. Keys are derived from the SetupIntent's id, so a
    /// retry repeats them.
    ///
    /// # Errors
    /// [`StripeError::InvalidRequest`] when the SetupIntent has not succeeded, has no card, or
    /// belongs to another customer; else [`StripeError`].
    pub async fn use_setup_intent_as_default_card(
        &self,
        customer_id: &str,
        setup_intent_id: &str,
    ) -> Result<Customer, StripeError> {
        let setup_intent = self.retrieve_setup_intent(setup_intent_id).await?;
        if setup_intent.status != "succeeded" {
            return Err(StripeError::InvalidRequest(format!(
                "the SetupIntent {setup_intent_id} is {}, not succeeded",
                setup_intent.status
            )));
        }
        if setup_intent.customer.as_deref() != Some(customer_id) {
            return Err(StripeError::InvalidRequest(format!(
                "the SetupIntent {setup_intent_id} belongs to another customer"
            )));
        }
        let payment_method_id = setup_intent
            .payment_method
            .as_ref()
            .map(|method| method.id().to_owned())
            .ok_or_else(|| {
                StripeError::InvalidRequest(format!(
                    "the SetupIntent {setup_intent_id} has no payment method"
                ))
            })?;
        let payment_method = self.retrieve_payment_method(&payment_method_id).await?;
        if payment_method.customer.as_deref() != Some(customer_id) {
            self.attach_payment_method(
                &payment_method_id,
                customer_id,
                &IdempotencyKey::derived(&[setup_intent_id, "attach"]),
            )
            .await?;
        }
        self.set_default_payment_method(
            customer_id,
            &payment_method_id,
            &IdempotencyKey::derived(&[setup_intent_id, "default"]),
        )
        .await
    }

    // --- PaymentIntents and refunds ------------------------------------------------------------

    /// Creates a PaymentIntent from a prepared form (see the gateway for the fields Kasa sends).
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn create_payment_intent(
        &self,
        form: &Form,
        idempotency_key: &IdempotencyKey,
    ) -> Result<PaymentIntent, StripeError> {
        self.post("/v1/payment_intents", form, idempotency_key)
            .await
    }

    /// A PaymentIntent with its latest charge expanded (for the refunded amount).
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn retrieve_payment_intent(
        &self,
        payment_intent_id: &str,
    ) -> Result<PaymentIntent, StripeError> {
        self.get(
            &format!("/v1/payment_intents/{}", path_id(payment_intent_id)?),
            &Form::new().expand("latest_charge"),
        )
        .await
    }

    /// Captures an authorised PaymentIntent, fully (`None`) or `amount_to_capture` minor units.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn capture_payment_intent(
        &self,
        payment_intent_id: &str,
        amount_to_capture: Option<i64>,
        idempotency_key: &IdempotencyKey,
    ) -> Result<PaymentIntent, StripeError> {
        self.post(
            &format!(
                "/v1/payment_intents/{}/capture",
                path_id(payment_intent_id)?
            ),
            &Form::new().optional("amount_to_capture", amount_to_capture),
            idempotency_key,
        )
        .await
    }

    /// Cancels a PaymentIntent that is not captured yet (a void).
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn cancel_payment_intent(
        &self,
        payment_intent_id: &str,
        idempotency_key: &IdempotencyKey,
    ) -> Result<PaymentIntent, StripeError> {
        self.post(
            &format!("/v1/payment_intents/{}/cancel", path_id(payment_intent_id)?),
            &Form::new(),
            idempotency_key,
        )
        .await
    }

    /// Refunds `amount` minor units of a PaymentIntent (all of it when `None`).
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn create_refund(
        &self,
        payment_intent_id: &str,
        amount: Option<i64>,
        metadata: &[(String, String)],
        idempotency_key: &IdempotencyKey,
    ) -> Result<Refund, StripeError> {
        let mut form = Form::new()
            .field("payment_intent", path_id(payment_intent_id)?)
            .optional("amount", amount);
        for (key, value) in metadata {
            form = form.nested("metadata", key, value);
        }
        self.post("/v1/refunds", &form, idempotency_key).await
    }

    /// A PaymentIntent's refunds (the first 100, newest first).
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn list_refunds(&self, payment_intent_id: &str) -> Result<List<Refund>, StripeError> {
        self.get(
            "/v1/refunds",
            &Form::new()
                .field("payment_intent", path_id(payment_intent_id)?)
                .field("limit", 100),
        )
        .await
    }

    // --- Plans and subscriptions ----------------------------------------------------------------

    /// Creates a plan with its product inline.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn create_plan(
        &self,
        plan: &NewPlan,
        idempotency_key: &IdempotencyKey,
    ) -> Result<Plan, StripeError> {
        if plan.interval_count == 0 {
            return Err(StripeError::InvalidRequest(
                "a plan's interval_count is at least 1".to_owned(),
            ));
        }
        let (amount, currency) = to_stripe_amount(&plan.amount)?;
        let mut form = Form::new()
            .field("amount", amount)
            .field("currency", currency)
            .field("interval", plan.interval.as_str())
            .field("interval_count", plan.interval_count)
            .nested("product", "name", &plan.product_name)
            .optional("nickname", plan.nickname.as_deref());
        for (key, value) in &plan.metadata {
            form = form.nested("metadata", key, value);
        }
        self.post("/v1/plans", &form, idempotency_key).await
    }

    /// A plan.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn retrieve_plan(&self, plan_id: &str) -> Result<Plan, StripeError> {
        self.get(&format!("/v1/plans/{}", path_id(plan_id)?), &Form::new())
            .await
    }

    /// Subscribes a customer to a plan (one item), charged to their default payment method.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn create_subscription(
        &self,
        customer_id: &str,
        plan_id: &str,
        metadata: &[(String, String)],
        idempotency_key: &IdempotencyKey,
    ) -> Result<Subscription, StripeError> {
        let mut form = Form::new()
            .field("customer", path_id(customer_id)?)
            .list_item("items", 0, "plan", path_id(plan_id)?);
        for (key, value) in metadata {
            form = form.nested("metadata", key, value);
        }
        self.post("/v1/subscriptions", &form, idempotency_key).await
    }

    /// A subscription.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn retrieve_subscription(
        &self,
        subscription_id: &str,
    ) -> Result<Subscription, StripeError> {
        self.get(
            &format!("/v1/subscriptions/{}", path_id(subscription_id)?),
            &Form::new(),
        )
        .await
    }

    /// Cancels a subscription now (`DELETE`).
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn cancel_subscription_now(
        &self,
        subscription_id: &str,
    ) -> Result<Subscription, StripeError> {
        self.delete(&format!("/v1/subscriptions/{}", path_id(subscription_id)?))
            .await
    }

    /// Lets a subscription run to the end of its period and stop then
    /// (`cancel_at_period_end=true`), or resumes it (`false`).
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn set_cancel_at_period_end(
        &self,
        subscription_id: &str,
        cancel_at_period_end: bool,
        idempotency_key: &IdempotencyKey,
    ) -> Result<Subscription, StripeError> {
        self.post(
            &format!("/v1/subscriptions/{}", path_id(subscription_id)?),
            &Form::new().field("cancel_at_period_end", cancel_at_period_end),
            idempotency_key,
        )
        .await
    }

    // --- Tax IDs ---------------------------------------------------------------------------------

    /// Adds a tax ID (`eu_vat`, `tr_tin`, …) to a customer.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn create_tax_id(
        &self,
        customer_id: &str,
        tax_id_type: &str,
        value: &str,
        idempotency_key: &IdempotencyKey,
    ) -> Result<TaxId, StripeError> {
        self.post(
            &format!("/v1/customers/{}/tax_ids", path_id(customer_id)?),
            &Form::new().field("type", tax_id_type).field("value", value),
            idempotency_key,
        )
        .await
    }

    /// A customer's tax IDs (Stripe's default page of 10; localstripe refuses a `limit` here).
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn list_tax_ids(&self, customer_id: &str) -> Result<List<TaxId>, StripeError> {
        self.get(
            &format!("/v1/customers/{}/tax_ids", path_id(customer_id)?),
            &Form::new(),
        )
        .await
    }

    /// Removes a customer's tax ID.
    ///
    /// # Errors
    /// [`StripeError`].
    pub async fn delete_tax_id(
        &self,
        customer_id: &str,
        tax_id: &str,
    ) -> Result<Deleted, StripeError> {
        self.delete(&format!(
            "/v1/customers/{}/tax_ids/{}",
            path_id(customer_id)?,
            path_id(tax_id)?
        ))
        .await
    }
}

#[cfg(test)]
mod tests {
    use kasa_ports::Secret;

    use super::*;

    fn details(
        error_type: &str,
        code: Option<&str>,
        decline_code: Option<&str>,
    ) -> ApiErrorDetails {
        ApiErrorDetails {
            error_type: Some(error_type.to_owned()),
            code: code.map(str::to_owned),
            decline_code: decline_code.map(str::to_owned),
            message: Some("words".to_owned()),
            param: None,
        }
    }

    #[test]
    fn stripe_errors_sort_into_gateway_errors() {
        let api = |status, details| GatewayError::from(StripeError::Api { status, details });
        assert_eq!(
            api(
                402,
                details(
                    "card_error",
                    Some("card_declined"),
                    Some("insufficient_funds")
                )
            ),
            GatewayError::Declined {
                code: "insufficient_funds".to_owned(),
                message: "words".to_owned()
            }
        );
        // localstripe: every error is an invalid_request_error, a decline is its 402.
        assert_eq!(
            api(
                402,
                details("invalid_request_error", Some("card_declined"), None)
            ),
            GatewayError::Declined {
                code: "card_declined".to_owned(),
                message: "words".to_owned()
            }
        );
        assert!(matches!(
            api(401, details("invalid_request_error", None, None)),
            GatewayError::Misconfigured(_)
        ));
        assert!(matches!(
            api(500, details("api_error", None, None)),
            GatewayError::Unavailable(_)
        ));
        assert!(matches!(
            api(
                429,
                details("invalid_request_error", Some("rate_limit"), None)
            ),
            GatewayError::Unavailable(_)
        ));
        assert_eq!(
            api(
                400,
                details("invalid_request_error", Some("parameter_missing"), None)
            ),
            GatewayError::Refused {
                code: "parameter_missing".to_owned(),
                message: "words".to_owned()
            }
        );
        assert_eq!(
            api(400, details("idempotency_error", None, None)),
            GatewayError::Refused {
                code: "idempotency_error".to_owned(),
                message: "words".to_owned()
            }
        );
        let unreadable = |status| {
            GatewayError::from(StripeError::UnreadableError {
                status,
                excerpt: "500 Internal Server Error".to_owned(),
            })
        };
        assert!(matches!(unreadable(500), GatewayError::Unavailable(_)));
        assert!(matches!(unreadable(401), GatewayError::Misconfigured(_)));
        assert!(
            matches!(unreadable(404), GatewayError::Refused { code, .. } if code == "http_404")
        );
        assert_eq!(
            GatewayError::from(StripeError::Timeout),
            GatewayError::Timeout
        );
        assert!(matches!(
            GatewayError::from(StripeError::Transport("refused".to_owned())),
            GatewayError::Unavailable(_)
        ));
        assert!(matches!(
            GatewayError::from(StripeError::UnreadableAnswer("eof".to_owned())),
            GatewayError::Malformed(_)
        ));
    }

    #[test]
    fn retryable_errors_are_the_ones_on_the_way() {
        assert!(StripeError::Timeout.is_retryable());
        assert!(StripeError::Transport(String::new()).is_retryable());
        for status in [409, 429, 500, 503] {
            assert!(
                StripeError::UnreadableError {
                    status,
                    excerpt: String::new()
                }
                .is_retryable(),
                "{status}"
            );
        }
        for status in [400, 401, 402, 404] {
            assert!(
                !StripeError::Api {
                    status,
                    details: ApiErrorDetails::default()
                }
                .is_retryable(),
                "{status}"
            );
        }
    }

    #[tokio::test]
    async fn error_texts_never_carry_the_secret_key() {
        let mut config =
            StripeConfig::new(Secret::new("sk_test_topsecret"), Secret::new("whsec_x"));
        config.base_url = "http://127.0.0.1:9".to_owned();
        let client = StripeClient::new(config).unwrap();
        let error = client.error_from(
            StatusCode::UNAUTHORIZED,
            br#"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_topsecret"}}"#,
        );
        assert!(!error.to_string().contains("topsecret"), "{error}");
        assert!(!GatewayError::from(error).to_string().contains("topsecret"));
        let error = client.error_from(StatusCode::BAD_GATEWAY, b"proxy saw sk_test_topsecret");
        assert!(!error.to_string().contains("topsecret"), "{error}");
        assert!(!format!("{client:?}").contains("topsecret"));
    }

    #[test]
    fn amounts_cross_the_edge_as_integer_minor_units() {
        let money = Money::new(rust_decimal::Decimal::new(105_050, 2), Currency::Try).unwrap();
        assert_eq!(
            to_stripe_amount(&money).unwrap(),
            (105_050, "try".to_owned())
        );
        assert_eq!(from_stripe_amount(105_050, "try").unwrap(), money);
        assert_eq!(from_stripe_amount(105_050, "TRY").unwrap(), money);
        assert!(matches!(
            from_stripe_amount(1, "jpy"),
            Err(GatewayError::Malformed(_))
        ));
    }

    #[test]
    fn ids_in_paths_are_checked() {
        assert_eq!(path_id("pi_123abc"), Ok("pi_123abc"));
        for bad in ["", "pi_1/../customers", "pi 1", "pi_1?x=1"] {
            assert!(path_id(bad).is_err(), "{bad}");
        }
    }
}
